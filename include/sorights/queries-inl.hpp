// -----------------------------------------------------------------------------
// File: queries-inl.hpp
// -----------------------------------------------------------------------------
// Out-of-line definitions for queries.hpp: building a QueryIndex (cold,
// allocates), in named steps.
#ifndef SORIGHTS_QUERIES_INL_HPP_
#define SORIGHTS_QUERIES_INL_HPP_

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sorights/queries.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

using KeyUserPairs = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

// Builds CSR lists: `begin` gets keys + 1 offsets.
inline void build_csr(std::size_t keys, const KeyUserPairs& pairs, std::vector<std::uint32_t>& begin,
                      std::vector<std::uint32_t>& items) {
  begin.assign(keys + 1, 0);
  for (const auto& [k, v] : pairs) ++begin[k + 1];
  for (std::size_t k = 0; k < keys; ++k) begin[k + 1] += begin[k];
  items.assign(pairs.size(), 0);
  std::vector<std::uint32_t> at(begin.begin(), begin.end() - 1);
  for (const auto& [k, v] : pairs) items[at[k]++] = v;
}

inline void set_bit(std::uint64_t* set, std::uint32_t u) noexcept { set[u >> 6] |= std::uint64_t{1} << (u & 63u); }

}  // namespace detail

struct QueryIndex::Memberships {
  detail::KeyUserPairs primary, other, my_company, project, record_overrides;
  std::vector<std::uint32_t> profile_objects;  // scratch: one profile's objects with record overrides
};

SORIGHTS_INLINE Result<QueryIndex> QueryIndex::build(const Snapshot& s, const Model* model) {
  using A = detail::SnapshotAccess;
  QueryIndex q;
  q.s_ = &s;
  q.n_ = static_cast<std::uint32_t>(s.user_count());
  q.w_ = (static_cast<std::size_t>(q.n_) + 63) / 64;
  q.objects_ = A::object_count(s);
  q.groups_ = static_cast<std::uint32_t>(s.group_count());
  const std::size_t n = q.n_, w = q.w_, objs = q.objects_;
  if (model != nullptr) {
    if (model->users.size() != n) return Error(ErrorCode::kInvalidArgument, "the model's users are not the snapshot's");
    for (std::size_t i = 0; i < n; ++i)
      if (s.user_id(UserIndex{static_cast<std::uint32_t>(i)}) != model->users[i].id)
        return Error(ErrorCode::kInvalidArgument, "the model's users are not the snapshot's (user " +
                                                      std::to_string(i) + ")");
  }
  q.index_order();

  q.cells_.assign(objs * kSlots * 4 * w, 0);
  q.removes_.assign(objs * 2 * 4 * w, 0);
  q.need_publish_.assign(objs * w, 0);
  q.object_has_publish_.assign(objs, 0);
  q.employee_.assign(w, 0);
  q.selection_admin_.assign(w, 0);
  q.hidden_by_company_.assign(static_cast<std::size_t>(A::our_company_count(s)) * w, 0);
  Memberships lists;
  for (std::uint32_t u = 0; u < q.n_; ++u) q.index_user(u, lists);
  std::uint32_t project_count = 0;
  for (std::uint32_t p : A::project_pool(s)) project_count = std::max(project_count, p + 1);
  detail::build_csr(q.groups_, lists.primary, q.primary_begin_, q.primary_);
  detail::build_csr(q.groups_, lists.other, q.other_begin_, q.other_);
  detail::build_csr(A::company_count(s), lists.my_company, q.my_company_begin_, q.my_company_);
  detail::build_csr(project_count, lists.project, q.project_begin_, q.project_);
  detail::build_csr(objs, lists.record_overrides, q.record_ovr_begin_, q.record_ovr_);

  q.index_roles(model);
  q.index_texts(model);
  if (model != nullptr) q.index_licences(*model);
  return q;
}

// The user indexes in id order (byte order of the ids).
SORIGHTS_INLINE void QueryIndex::index_order() {
  order_.resize(n_);
  for (std::uint32_t i = 0; i < n_; ++i) order_[i] = i;
  std::sort(order_.begin(), order_.end(),
            [&](std::uint32_t a, std::uint32_t b) { return s_->user_id(UserIndex{a}) < s_->user_id(UserIndex{b}); });
}

// One user's memberships, the sets it belongs to and, for an algebraic user
// (active, no system user), its cells.
SORIGHTS_INLINE void QueryIndex::index_user(std::uint32_t u, Memberships& lists) {
  using namespace detail;
  using A = SnapshotAccess;
  const UserRec& rec = A::users(*s_)[u];
  const Profile& p = A::profiles(*s_)[rec.profile];
  if (rec.primary_group < groups_) lists.primary.emplace_back(rec.primary_group, u);
  for (const std::uint32_t g : rec.other_groups(A::group_pool(*s_)))
    if (g < groups_) lists.other.emplace_back(g, u);
  if (!(p.flags & kProfileActive)) return;
  if (p.flags & kProfileSystem) {
    always_patch_.push_back(u);
    return;
  }
  if (p.flags & kProfileEmployeeRelations) set_bit(employee_.data(), u);
  else external_anonymous_.push_back(u);
  if (p.flags & kProfileSelectionAdmin) set_bit(selection_admin_.data(), u);
  const std::uint32_t our = A::our_company_count(*s_);
  if (rec.in_our_companies && !(p.flags & kProfileSeeOtherCompanies))
    for (std::uint32_t c = 0; c < our; ++c)
      if (c != rec.company) set_bit(hidden_by_company_.data() + static_cast<std::size_t>(c) * w_, u);
  if (rec.type == static_cast<std::uint8_t>(UserType::kExternal)) {
    if ((p.flags & kProfileExtMyCompany) && rec.company < A::company_count(*s_))
      lists.my_company.emplace_back(rec.company, u);
    if (p.flags & kProfileExtSameProject)
      for (const std::uint32_t project : rec.projects(A::project_pool(*s_))) lists.project.emplace_back(project, u);
  }
  const auto rovr = A::record_overrides(*s_);
  std::vector<std::uint32_t>& objects = lists.profile_objects;
  objects.clear();
  for (std::uint32_t k = 0; k < p.record_ovr_count; ++k) objects.push_back(rovr[p.record_ovr_begin + k].object);
  std::sort(objects.begin(), objects.end());
  objects.erase(std::unique(objects.begin(), objects.end()), objects.end());
  for (std::uint32_t o : objects)
    if (o < objects_) lists.record_overrides.emplace_back(o, u);
  index_cells(u, p);
}

// The cell, removal and publishing bits of algebraic user `u` with profile
// `p`, object by object.
SORIGHTS_INLINE void QueryIndex::index_cells(std::uint32_t u, const detail::Profile& p) {
  using namespace detail;
  constexpr std::array<Relation, kSlots> kSlotRelation = {Relation::kOwn,         Relation::kPrimaryGroup,
                                                          Relation::kOtherGroups, Relation::kOtherAssociates,
                                                          Relation::kAnonymous,   Relation::kExternal};
  const auto role_cells = SnapshotAccess::role_cells(*s_);
  const auto infos = SnapshotAccess::object_info(*s_);
  const std::size_t w = w_;
  for (std::uint32_t o = 0; o < objects_; ++o) {
    const ObjectInfo info = infos[p.objects_offset + o];
    const std::uint8_t cap = (info.flags & kObjCalLimited) ? 1 : 0xFF;
    const std::size_t at = (static_cast<std::size_t>(p.role) * objects_ + o) * kRelationCount;
    for (std::uint32_t slot = 0; slot < kSlots; ++slot) {
      const std::uint8_t cell =
          at + kRelationCount <= role_cells.size()
              ? static_cast<std::uint8_t>(role_cells[at + static_cast<std::size_t>(kSlotRelation[slot])] & cap)
              : std::uint8_t{0};
      for (unsigned b = 0; b < 4; ++b)
        if (cell & (1u << b)) set_bit(cells_.data() + ((static_cast<std::size_t>(o) * kSlots + slot) * 4 + b) * w, u);
    }
    for (unsigned b = 0; b < 4; ++b) {
      if (info.remove_existing & (1u << b)) set_bit(removes_.data() + ((static_cast<std::size_t>(o) * 2) * 4 + b) * w, u);
      if (info.remove_new & (1u << b)) set_bit(removes_.data() + ((static_cast<std::size_t>(o) * 2 + 1) * 4 + b) * w, u);
    }
    if (info.flags & kObjNeedPublish) {
      set_bit(need_publish_.data() + static_cast<std::size_t>(o) * w, u);
      object_has_publish_[o] = 1;
    }
  }
}

// The effective role is the role a user names, else the implied one (system
// users: `system`; anonymous users: the anonymous-type role); a resource
// naming no role has none (the snapshot gives it a stand-in).
SORIGHTS_INLINE void QueryIndex::index_roles(const Model* model) {
  const Snapshot& s = *s_;
  const auto us = users();
  const std::size_t roles = s.role_count();
  role_of_.assign(n_, static_cast<std::uint32_t>(kUnknownRole));
  for (std::uint32_t u = 0; u < n_; ++u) {
    const bool resource = us[u].type == static_cast<std::uint8_t>(UserType::kResource);
    if (model != nullptr ? (resource && model->users[u].role.empty()) : resource) continue;
    role_of_[u] = static_cast<std::uint32_t>(s.user_role(UserIndex{u}));
  }
  role_users_.assign(roles, 0);
  for (std::uint32_t r : role_of_)
    if (r < roles) ++role_users_[r];
  role_hidden_.assign(roles, 0);
  role_rights_.assign(roles, {});
  if (model == nullptr) {
    const auto sys = static_cast<std::uint32_t>(s.find_role("system"));
    if (sys < roles) role_hidden_[sys] = 1;
    return;
  }
  for (const Role& role : model->roles) {
    const auto r = static_cast<std::uint32_t>(s.find_role(role.id));
    if (r >= roles) continue;
    role_hidden_[r] = role.type == RoleType::kSystem ? 1 : 0;
    for (const std::string& f : role.functional_rights) {
      const auto ri = static_cast<std::uint32_t>(s.find_right(f));
      if (ri < s.right_count()) role_rights_[r].push_back(ri);
    }
  }
}

// The search texts: per user its lower-case id and name and its name.
SORIGHTS_INLINE void QueryIndex::index_texts(const Model* model) {
  text_at_.reserve(3 * static_cast<std::size_t>(n_) + 1);
  text_at_.push_back(0);
  for (std::uint32_t u = 0; u < n_; ++u) {
    const std::string_view name = model != nullptr ? std::string_view(model->users[u].name) : std::string_view();
    text_ += detail::ascii_lower(s_->user_id(UserIndex{u}));
    text_at_.push_back(static_cast<std::uint32_t>(text_.size()));
    text_ += detail::ascii_lower(name);
    text_at_.push_back(static_cast<std::uint32_t>(text_.size()));
    text_ += name;
    text_at_.push_back(static_cast<std::uint32_t>(text_.size()));
  }
}

// Plans and the holders of each licence: site licences everyone, the others
// whoever lists them or has a plan that does.
SORIGHTS_INLINE void QueryIndex::index_licences(const Model& model) {
  const std::size_t w = w_;
  for (const Plan& plan : model.plans) plan_ids_.push_back(plan.id);
  for (const Licence& licence : model.licences) licence_ids_.push_back(licence.id);
  plan_of_.assign(n_, static_cast<std::uint32_t>(kUnknownPlan));
  licence_sets_.assign(licence_ids_.size() * w, 0);
  for (std::size_t l = 0; l < model.licences.size(); ++l)
    if (model.licences[l].kind == LicenceKind::kSite)
      for (std::uint32_t u = 0; u < n_; ++u) detail::set_bit(licence_sets_.data() + l * w, u);
  for (std::uint32_t u = 0; u < n_; ++u) {
    const User& user = model.users[u];
    auto hold = [&](std::string_view id) {
      const auto l = static_cast<std::uint32_t>(find_licence(id));
      if (l < licence_ids_.size()) detail::set_bit(licence_sets_.data() + static_cast<std::size_t>(l) * w, u);
    };
    for (const std::string& l : user.licences) hold(l);
    if (!user.plan.empty()) {
      const auto p = static_cast<std::uint32_t>(find_plan(user.plan));
      plan_of_[u] = p;
      if (p < model.plans.size())
        for (const std::string& l : model.plans[p].licences) hold(l);
    }
  }
}

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_QUERIES_INL_HPP_
