// The C API's queries (sorights/queries.hpp).
#include "c_api.hpp"
#include "sorights/queries.hpp"

using namespace sorights::c_api;

struct sorights_query_index {
  std::shared_ptr<const so::Snapshot> snapshot;  // the index refers to it
  so::QueryIndex index;
};

namespace {
// Copies `set` in id order into out[0..capacity); returns its size.
std::size_t copy_set(const so::UserSet& set, sorights_user_index* out, std::size_t capacity) noexcept {
  std::size_t n = 0;
  set.for_each([&](so::UserIndex u) {
    if (n < capacity && out != nullptr) out[n] = static_cast<sorights_user_index>(u);
    ++n;
  });
  return n;
}
// Runs `fill(set)` on a fresh set; 0 when it cannot be allocated.
template <class Fill>
std::size_t with_set(const sorights_query_index* q, sorights_user_index* out, std::size_t capacity,
                     Fill&& fill) noexcept {
  if (q == nullptr) return 0;
  try {
    so::UserSet set = q->index.make_set();
    fill(set);
    return copy_set(set, out, capacity);
  } catch (...) {
    fail(SORIGHTS_E_INTERNAL, "out of memory");
    return 0;
  }
}
}  // namespace

extern "C" {

sorights_status sorights_query_index_build(const sorights_snapshot* s, const sorights_model* model,
                                           sorights_query_index** out) {
  SORIGHTS_C_TRY(out_arg(out, s, "s"));
  return guard([&]() -> sorights_status {
    auto q = std::make_unique<sorights_query_index>();
    q->snapshot = s->snapshot;
    so::Result<so::QueryIndex> built = so::QueryIndex::build(*q->snapshot, model ? &model->model : nullptr);
    if (!built) return fail(built.error());
    q->index = std::move(built).value();
    *out = q.release();
    return SORIGHTS_OK;
  });
}
void sorights_query_index_free(sorights_query_index* q) { delete q; }

size_t sorights_who_can(const sorights_query_index* q, int action, const sorights_record* record,
                        sorights_user_index* out, size_t capacity) {
  if (record == nullptr) return 0;
  return with_set(q, out, capacity,
                  [&](so::UserSet& set) { q->index.who_can(to_action(action), to_record(record), set); });
}
size_t sorights_users_holding(const sorights_query_index* q, sorights_right_index right, sorights_user_index* out,
                              size_t capacity) {
  return with_set(q, out, capacity, [&](so::UserSet& set) { q->index.users_holding(so::RightIndex{right}, set); });
}
size_t sorights_group_members(const sorights_query_index* q, sorights_group_index group, sorights_user_index* out,
                              size_t capacity) {
  return with_set(q, out, capacity, [&](so::UserSet& set) { q->index.group_members(so::GroupIndex{group}, set); });
}
size_t sorights_role_user_count(const sorights_query_index* q, sorights_role_index role) {
  return q == nullptr ? 0 : q->index.role_user_count(so::RoleIndex{role});
}
int sorights_role_hidden(const sorights_query_index* q, sorights_role_index role) {
  return q != nullptr && q->index.role_hidden(so::RoleIndex{role}) ? 1 : 0;
}

sorights_status sorights_list_users(const sorights_query_index* q, const sorights_user_filter* filter, size_t offset,
                                    sorights_user_index* out, size_t capacity, size_t* total) {
  if (total != nullptr) *total = 0;
  if (q == nullptr) return null_arg("q");
  if (filter == nullptr) return null_arg("filter");
  if (out == nullptr && capacity != 0) return null_arg("out");
  return guard([&]() -> sorights_status {
    const so::Snapshot& s = *q->snapshot;
    so::UserFilter f;
    if (filter->types != 0) f.types = filter->types;
    auto given = [](const char* id) { return id != nullptr && *id != '\0'; };
    auto unknown = [](const char* what, const char* id) {
      return fail(SORIGHTS_E_NOT_FOUND, std::string("unknown ") + what + " \"" + id + "\"");
    };
    if (given(filter->role) && (f.role = s.find_role(filter->role)) == so::kUnknownRole)
      return unknown("role", filter->role);
    if (given(filter->group) && (f.group = s.find_group(filter->group)) == so::kUnknownGroup)
      return unknown("group", filter->group);
    if (given(filter->company) && (f.company = s.find_company(filter->company)) == so::kUnknownCompany)
      return unknown("company", filter->company);
    if (given(filter->plan) && (f.plan = q->index.find_plan(filter->plan)) == so::kUnknownPlan)
      return unknown("plan", filter->plan);
    if (given(filter->licence) && (f.licence = q->index.find_licence(filter->licence)) == so::kUnknownLicence)
      return unknown("licence", filter->licence);
    if (filter->active == SORIGHTS_ACTIVE_ONLY) f.active = true;
    else if (filter->active == SORIGHTS_INACTIVE_ONLY) f.active = false;
    else if (filter->active != SORIGHTS_ACTIVE_ANY)
      return fail(SORIGHTS_E_INVALID_ARGUMENT, "filter.active is " + std::to_string(filter->active));
    if (filter->search != nullptr) f.search = filter->search;
    std::vector<so::UserIndex> page(out == nullptr ? 0 : capacity);
    const std::size_t n = q->index.list_users(f, offset, page);
    for (std::size_t i = 0; i < page.size() && offset + i < n; ++i) out[i] = static_cast<sorights_user_index>(page[i]);
    if (total != nullptr) *total = n;
    return SORIGHTS_OK;
  });
}


}  // extern "C"
