// The C API (sorights/sorights.h) over the C++ library: the thread's last
// error, the version and the helpers of c_api.hpp. The entry points of each
// concept are in its *_c.cpp (models, snapshots, directory, queries, filter,
// reports).
#include <cstdlib>
#include <cstring>

#include "c_api.hpp"
#include "sorights/ids.hpp"

// The status numbers are sorights::ErrorCode's.
static_assert(SORIGHTS_E_INVALID_ARGUMENT == static_cast<int>(so::ErrorCode::kInvalidArgument));
static_assert(SORIGHTS_E_NOT_FOUND == static_cast<int>(so::ErrorCode::kNotFound));
static_assert(SORIGHTS_E_ALREADY_EXISTS == static_cast<int>(so::ErrorCode::kAlreadyExists));
static_assert(SORIGHTS_E_FAILED_PRECONDITION == static_cast<int>(so::ErrorCode::kFailedPrecondition));
static_assert(SORIGHTS_E_PERMISSION_DENIED == static_cast<int>(so::ErrorCode::kPermissionDenied));
static_assert(SORIGHTS_E_CONFLICT == static_cast<int>(so::ErrorCode::kConflict));
static_assert(SORIGHTS_E_UNAVAILABLE == static_cast<int>(so::ErrorCode::kUnavailable));
static_assert(SORIGHTS_E_DATA_LOSS == static_cast<int>(so::ErrorCode::kDataLoss));
static_assert(SORIGHTS_E_INTERNAL == static_cast<int>(so::ErrorCode::kInternal));
static_assert(SORIGHTS_NO_USER == static_cast<std::uint32_t>(so::kNoUser));
static_assert(SORIGHTS_UNKNOWN_USER == static_cast<std::uint32_t>(so::kUnknownUser));
static_assert(SORIGHTS_UNKNOWN_OBJECT == static_cast<std::uint16_t>(so::kUnknownObject));
static_assert(SORIGHTS_REL_OTHER_GROUPS == static_cast<int>(so::Relation::kOtherGroups));
static_assert(SORIGHTS_LAYER_COUNT == so::kLayerCount);
static_assert(SORIGHTS_C_VERSION == SORIGHTS_VERSION);

namespace sorights::c_api {
namespace {

struct LastError {
  sorights_status code = SORIGHTS_OK;
  std::string message;
  std::vector<so::Diagnostic> diagnostics;
};
thread_local LastError g_last;

}  // namespace

sorights_status fail(sorights_status code, std::string message, std::vector<so::Diagnostic> diagnostics) noexcept {
  g_last.code = code;
  try {
    g_last.message = std::move(message);
    g_last.diagnostics = std::move(diagnostics);
  } catch (...) {
    g_last.message.clear();
    g_last.diagnostics.clear();
  }
  return code;
}

sorights_status fail(const so::Error& e) noexcept {
  try {
    return fail(static_cast<sorights_status>(e.code), e.to_string(), e.diagnostics);
  } catch (...) {
    return fail(static_cast<sorights_status>(e.code), {});
  }
}

sorights_status null_arg(const char* what) noexcept {
  return fail(SORIGHTS_E_INVALID_ARGUMENT, std::string(what) + " is NULL");
}

std::string str(const char* s) { return s == nullptr ? std::string() : std::string(s); }

// -- Argument checks (ids.hpp): each names the argument ---------------------------

sorights_status fail_check(const so::Result<void>& r) { return r ? SORIGHTS_OK : fail(r.error()); }
// A required id: NULL, empty or malformed is SORIGHTS_E_INVALID_ARGUMENT.
sorights_status id_arg(const std::string& what, const char* id) {
  if (id == nullptr) return fail(SORIGHTS_E_INVALID_ARGUMENT, what + " is NULL");
  return fail_check(so::check_id(what, id));
}
// An id where NULL or "" means none (a user's plan, the system actor, ...).
sorights_status optional_id_arg(const std::string& what, const char* id) {
  if (id == nullptr || *id == '\0') return SORIGHTS_OK;
  return fail_check(so::check_id(what, id));
}
// A display name; NULL means "".
sorights_status name_arg(const std::string& what, const char* name) {
  if (name == nullptr) return SORIGHTS_OK;
  return fail_check(so::check_name(what, name));
}
// `count` ids at `ids` (NULL only when count is 0); each is named what[i].
sorights_status id_array_arg(const std::string& what, const char* const* ids, std::size_t count) {
  if (count == 0) return SORIGHTS_OK;
  if (ids == nullptr) return fail(SORIGHTS_E_INVALID_ARGUMENT, what + " is NULL (with a count of " +
                                                                   std::to_string(count) + ")");
  for (std::size_t i = 0; i < count; ++i)
    SORIGHTS_C_TRY(id_arg(what + "[" + std::to_string(i) + "]", ids[i]));
  return SORIGHTS_OK;
}

std::vector<std::string> strs(const char* const* items, std::size_t n) {
  std::vector<std::string> out;
  if (items == nullptr) return out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(str(items[i]));
  return out;
}

sorights_status relation_arg(int relation) noexcept {
  if (relation >= 0 && relation < so::kRelationCount) return SORIGHTS_OK;
  try {
    return fail(SORIGHTS_E_INVALID_ARGUMENT, "relation " + std::to_string(relation) + " is not a SORIGHTS_REL_*");
  } catch (...) {
    return fail(SORIGHTS_E_INVALID_ARGUMENT, {});
  }
}

so::User to_user(const sorights_user_desc& d) {
  so::User u;
  u.id = str(d.id);
  u.type = static_cast<so::UserType>(d.type);
  u.name = str(d.name);
  u.person = str(d.person);
  u.company = str(d.company);
  u.role = str(d.role);
  u.group = str(d.group);
  u.other_groups = strs(d.other_groups, d.other_group_count);
  u.plan = str(d.plan);
  u.licences = strs(d.licences, d.licence_count);
  u.projects = strs(d.projects, d.project_count);
  u.can_log_in = d.login_disabled == 0;
  u.former_employee = d.former_employee != 0;
  u.retired = d.retired != 0;
  return u;
}

// Every id and name of a user descriptor. Run inside guard() (it allocates).
sorights_status check_user_desc(const sorights_user_desc* d) {
  if (d == nullptr) return null_arg("user");
  SORIGHTS_C_TRY(id_arg("user.id", d->id));
  if (d->type < 0 || d->type > static_cast<int>(so::UserType::kSystem))
    return fail(SORIGHTS_E_INVALID_ARGUMENT, "user type " + std::to_string(d->type) + " is not a SORIGHTS_USER_*");
  SORIGHTS_C_TRY(name_arg("user.name", d->name));
  SORIGHTS_C_TRY(optional_id_arg("user.person", d->person));
  SORIGHTS_C_TRY(optional_id_arg("user.company", d->company));
  SORIGHTS_C_TRY(optional_id_arg("user.role", d->role));
  SORIGHTS_C_TRY(optional_id_arg("user.group", d->group));
  SORIGHTS_C_TRY(optional_id_arg("user.plan", d->plan));
  SORIGHTS_C_TRY(id_array_arg("user.other_groups", d->other_groups, d->other_group_count));
  SORIGHTS_C_TRY(id_array_arg("user.licences", d->licences, d->licence_count));
  SORIGHTS_C_TRY(id_array_arg("user.projects", d->projects, d->project_count));
  return SORIGHTS_OK;
}

so::Record to_record(const sorights_record* r) noexcept {
  so::Record rec;
  if (r == nullptr) return rec;
  rec.object = so::ObjectIndex{r->object};
  rec.owner = so::UserIndex{r->owner};
  rec.group = so::GroupIndex{r->group};
  rec.visibility.kind = static_cast<so::VisibilityKind>(r->visibility >= 0 && r->visibility <= 2 ? r->visibility : 0);
  rec.visibility.id = r->visibility_id;
  rec.project = so::ProjectIndex{r->project};
  rec.company = so::CompanyIndex{r->company};
  rec.id = r->id;
  rec.publish_from = r->publish_from;
  rec.publish_to = r->publish_to;
  rec.at = r->at;
  rec.published = r->published != 0;
  rec.completed = r->completed != 0;
  rec.is_new = r->is_new != 0;
  rec.user_person = r->user_person != 0;
  rec.our_company = r->our_company != 0;
  rec.database_owner = r->database_owner != 0;
  return rec;
}

so::Action to_action(int a) noexcept { return static_cast<so::Action>(a & 3); }
bool valid_action(int a) noexcept { return a >= 0 && a <= 3; }

char* dup_string(const std::string& s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out == nullptr) throw std::bad_alloc();
  std::memcpy(out, s.data(), s.size() + 1);
  return out;
}

std::size_t copy_out(std::string_view s, char* buf, std::size_t size) noexcept {
  if (buf != nullptr && size > 0) {
    const std::size_t n = s.size() < size - 1 ? s.size() : size - 1;
    if (n != 0) std::memcpy(buf, s.data(), n);  // an empty view may have a null data()
    buf[n] = '\0';
  }
  return s.size();
}


}  // namespace sorights::c_api

namespace {
const char* c_str_or_empty(const std::string& s) noexcept { return s.c_str(); }
}  // namespace

using namespace sorights::c_api;

extern "C" {

int sorights_version(void) { return SORIGHTS_VERSION; }

const char* sorights_status_name(sorights_status status) {
  if (status < 0 || status > SORIGHTS_E_INTERNAL) return "unknown";
  return so::error_code_name(static_cast<so::ErrorCode>(status));
}
sorights_status sorights_last_error_code(void) { return g_last.code; }
const char* sorights_last_error_message(void) { return g_last.message.c_str(); }
size_t sorights_last_error_diagnostic_count(void) { return g_last.diagnostics.size(); }
sorights_status sorights_last_error_diagnostic(size_t i, sorights_diagnostic* out) {
  if (out == nullptr) return SORIGHTS_E_INVALID_ARGUMENT;
  if (i >= g_last.diagnostics.size()) return SORIGHTS_E_NOT_FOUND;
  const so::Diagnostic& d = g_last.diagnostics[i];
  out->collection = c_str_or_empty(d.collection);
  out->item = c_str_or_empty(d.item);
  out->field = c_str_or_empty(d.field);
  out->rule = c_str_or_empty(d.rule);
  out->message = c_str_or_empty(d.message);
  return SORIGHTS_OK;
}
void sorights_string_free(char* s) { std::free(s); }

void sorights_record_init(sorights_record* r) {
  if (r == nullptr) return;
  std::memset(r, 0, sizeof *r);
  r->object = SORIGHTS_UNKNOWN_OBJECT;
  r->owner = SORIGHTS_NO_USER;
  r->group = SORIGHTS_NO_GROUP;
  r->visibility = SORIGHTS_VISIBLE_ALL;
  r->project = SORIGHTS_NO_PROJECT;
  r->company = SORIGHTS_NO_COMPANY;
  r->publish_from = SORIGHTS_TIME_MIN;
  r->publish_to = SORIGHTS_TIME_MAX;
  r->at = SORIGHTS_TIME_MIN;
}
uint64_t sorights_record_key(const char* id) { return id == nullptr ? 0 : so::record_key(id); }

}  // extern "C"
