// The C API (sorights/sorights.h) over the C++ library. Every entry point is
// `noexcept` and catches everything: no C++ exception or type crosses the
// boundary. Built with exceptions on (only this file), so that an allocation
// failure inside std::string becomes SORIGHTS_E_INTERNAL instead of a crash.
#include "sorights/sorights.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "sorights/error.hpp"
#include "sorights/ids.hpp"
#include "sorights/model.hpp"
#include "sorights/filter.hpp"
#include "sorights/predicate.hpp"
#include "sorights/queries.hpp"
#include "sorights/report.hpp"
#include "sorights/snapshot.hpp"
#include "sorights/storage.hpp"
#if SORIGHTS_C_WITH_DIRECTORY
#  include "sorights/directory.hpp"
#endif
#if SORIGHTS_C_WITH_MODEL_FILE
#  include "sorights/storage/model_file.hpp"
#  include "sorights/policy_tests.hpp"
#endif
#if SORIGHTS_C_WITH_SQLITE
#  include "sorights/storage/sqlite_store.hpp"
#endif

namespace so = sorights;

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

struct sorights_model {
  so::Model model;
};
struct sorights_snapshot {
  std::shared_ptr<const so::Snapshot> snapshot;
};
#if SORIGHTS_C_WITH_DIRECTORY
// A transaction holds its Directory (a shared_ptr inside so::Transaction), so
// it never dangles; but once the directory *handle* is freed, the host has
// said it is done with that directory, and a commit would land in storage the
// host no longer reaches (for in-memory storage, nowhere). `alive` expires
// with the handle; a transaction begun on it checks it before every edit and
// the commit (docs/design/0010-binding-lifetimes.md).
struct sorights_directory {
  std::shared_ptr<so::Directory> directory;
  std::shared_ptr<const char> alive = std::make_shared<const char>('\0');
};
struct sorights_transaction {
  so::Transaction tx;
  std::weak_ptr<const char> directory_alive;
};
#else
struct sorights_directory {};
struct sorights_transaction {};
// Without the directory the transaction functions only report that.
#  pragma GCC diagnostic ignored "-Wunused-parameter"
#endif

namespace {

struct LastError {
  sorights_status code = SORIGHTS_OK;
  std::string message;
  std::vector<so::Diagnostic> diagnostics;
};
thread_local LastError g_last;

sorights_status fail(sorights_status code, std::string message,
                     std::vector<so::Diagnostic> diagnostics = {}) noexcept {
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

// Runs `f` (returning a status); anything thrown becomes SORIGHTS_E_INTERNAL.
template <class F>
sorights_status guard(F&& f) noexcept {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return fail(SORIGHTS_E_INTERNAL, "out of memory");
  } catch (const std::exception& e) {
    return fail(SORIGHTS_E_INTERNAL, e.what());
  } catch (...) {
    return fail(SORIGHTS_E_INTERNAL, "unknown C++ exception");
  }
}

sorights_status null_arg(const char* what) noexcept {
  return fail(SORIGHTS_E_INVALID_ARGUMENT, std::string(what) + " is NULL");
}

std::string str(const char* s) { return s == nullptr ? std::string() : std::string(s); }

// -- Argument checks (ids.hpp): each names the argument ---------------------------

#define SORIGHTS_C_TRY(expr)                                 \
  do {                                                       \
    if (const sorights_status st_ = (expr); st_ != SORIGHTS_OK) return st_; \
  } while (0)

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

bool valid_relation(int r) { return r >= 0 && r < so::kRelationCount; }

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

const char* c_str_or_empty(const std::string& s) noexcept { return s.c_str(); }

}  // namespace

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

// -- Models ---------------------------------------------------------------------

sorights_status sorights_model_new(sorights_model** out) {
  if (out == nullptr) return null_arg("out");
  *out = nullptr;
  return guard([&]() -> sorights_status {
    *out = new sorights_model{so::Model::with_defaults()};
    return SORIGHTS_OK;
  });
}
sorights_status sorights_model_clone(const sorights_model* model, sorights_model** out) {
  if (out == nullptr) return null_arg("out");
  *out = nullptr;
  if (model == nullptr) return null_arg("model");
  return guard([&]() -> sorights_status {
    *out = new sorights_model{model->model};
    return SORIGHTS_OK;
  });
}
void sorights_model_free(sorights_model* model) { delete model; }

sorights_status sorights_model_add_company(sorights_model* model, const char* id, const char* name,
                                           int database_owner) {
  if (model == nullptr) return null_arg("model");
  return guard([&]() -> sorights_status {
    SORIGHTS_C_TRY(id_arg("company id", id));
    SORIGHTS_C_TRY(name_arg("company name", name));
    if (model->model.find_our_company(id) != nullptr)
      return fail(SORIGHTS_E_ALREADY_EXISTS, std::string("our company \"") + id + "\" already exists");
    model->model.our_companies.push_back({id, str(name), database_owner != 0});
    return SORIGHTS_OK;
  });
}
sorights_status sorights_model_add_group(sorights_model* model, const char* id, const char* name) {
  if (model == nullptr) return null_arg("model");
  return guard([&]() -> sorights_status {
    SORIGHTS_C_TRY(id_arg("group id", id));
    SORIGHTS_C_TRY(name_arg("group name", name));
    if (model->model.find_group(id) != nullptr)
      return fail(SORIGHTS_E_ALREADY_EXISTS, std::string("group \"") + id + "\" already exists");
    model->model.groups.push_back({id, str(name)});
    return SORIGHTS_OK;
  });
}
sorights_status sorights_model_add_functional_right(sorights_model* model, const char* id,
                                                    const char* name) {
  if (model == nullptr) return null_arg("model");
  return guard([&]() -> sorights_status {
    SORIGHTS_C_TRY(id_arg("right id", id));
    SORIGHTS_C_TRY(name_arg("right name", name));
    for (const so::FunctionalRightDef& r : model->model.functional_rights)
      if (r.id == id)
        return fail(SORIGHTS_E_ALREADY_EXISTS, std::string("functional right \"") + id + "\" already exists");
    model->model.functional_rights.push_back({id, str(name), {}});
    return SORIGHTS_OK;
  });
}
sorights_status sorights_model_set_functional_right_restrictive(sorights_model* model, const char* id,
                                                                int restrictive) {
  if (model == nullptr) return null_arg("model");
  if (id == nullptr) return null_arg("id");
  return guard([&]() -> sorights_status {
    for (so::FunctionalRightDef& r : model->model.functional_rights)
      if (r.id == id) {
        r.restrictive = restrictive != 0;
        return SORIGHTS_OK;
      }
    return fail(SORIGHTS_E_NOT_FOUND, std::string("functional right \"") + id + "\" is not declared");
  });
}
sorights_status sorights_model_add_role(sorights_model* model, const char* id, const char* name,
                                        int role_type, const char* copy_of) {
  if (model == nullptr) return null_arg("model");
  if (role_type < 0 || role_type > static_cast<int>(so::RoleType::kSystem))
    return fail(SORIGHTS_E_INVALID_ARGUMENT, "role type " + std::to_string(role_type) + " is not a SORIGHTS_ROLE_*");
  return guard([&]() -> sorights_status {
    SORIGHTS_C_TRY(id_arg("role id", id));
    SORIGHTS_C_TRY(name_arg("role name", name));
    SORIGHTS_C_TRY(optional_id_arg("copy_of", copy_of));
    if (model->model.find_role(id) != nullptr)
      return fail(SORIGHTS_E_ALREADY_EXISTS, std::string("role \"") + id + "\" already exists");
    so::Role role;
    if (copy_of != nullptr && *copy_of != '\0') {
      const so::Role* from = model->model.find_role(copy_of);
      if (from == nullptr)
        return fail(SORIGHTS_E_NOT_FOUND, std::string("copy_of: unknown role \"") + copy_of + "\"");
      role.data_rights = from->data_rights;
      role.functional_rights = from->functional_rights;
    }
    role.id = id;
    role.name = str(name);
    role.type = static_cast<so::RoleType>(role_type);
    model->model.roles.push_back(std::move(role));
    return SORIGHTS_OK;
  });
}
sorights_status sorights_model_set_role_cell(sorights_model* model, const char* role, const char* object,
                                             int relation, uint8_t rights) {
  if (model == nullptr) return null_arg("model");
  if (!valid_relation(relation))
    return fail(SORIGHTS_E_INVALID_ARGUMENT, "relation " + std::to_string(relation) + " is not a SORIGHTS_REL_*");
  return guard([&]() -> sorights_status {
    SORIGHTS_C_TRY(id_arg("role", role));
    SORIGHTS_C_TRY(id_arg("object", object));
    so::Role* r = model->model.find_role(role);
    if (r == nullptr) return fail(SORIGHTS_E_NOT_FOUND, std::string("unknown role \"") + role + "\"");
    r->set_cell(object, static_cast<so::Relation>(relation), so::TableRights::from_bits(rights));
    return SORIGHTS_OK;
  });
}
sorights_status sorights_model_get_role_cell(const sorights_model* model, const char* role,
                                             const char* object, int relation, uint8_t* out) {
  if (model == nullptr) return null_arg("model");
  if (out == nullptr) return null_arg("out");
  if (!valid_relation(relation))
    return fail(SORIGHTS_E_INVALID_ARGUMENT, "relation " + std::to_string(relation) + " is not a SORIGHTS_REL_*");
  return guard([&]() -> sorights_status {
    SORIGHTS_C_TRY(id_arg("role", role));
    SORIGHTS_C_TRY(id_arg("object", object));
    const so::Role* r = model->model.find_role(role);
    if (r == nullptr) return fail(SORIGHTS_E_NOT_FOUND, std::string("unknown role \"") + role + "\"");
    *out = r->cell(object, static_cast<so::Relation>(relation)).bits();
    return SORIGHTS_OK;
  });
}
sorights_status sorights_model_grant_right(sorights_model* model, const char* role, const char* right) {
  if (model == nullptr) return null_arg("model");
  return guard([&]() -> sorights_status {
    SORIGHTS_C_TRY(id_arg("role", role));
    SORIGHTS_C_TRY(id_arg("right", right));
    so::Role* r = model->model.find_role(role);
    if (r == nullptr) return fail(SORIGHTS_E_NOT_FOUND, std::string("unknown role \"") + role + "\"");
    if (!r->has_right(right)) r->functional_rights.emplace_back(right);
    return SORIGHTS_OK;
  });
}
sorights_status sorights_model_revoke_right(sorights_model* model, const char* role, const char* right) {
  if (model == nullptr) return null_arg("model");
  return guard([&]() -> sorights_status {
    SORIGHTS_C_TRY(id_arg("role", role));
    SORIGHTS_C_TRY(id_arg("right", right));
    so::Role* r = model->model.find_role(role);
    if (r == nullptr) return fail(SORIGHTS_E_NOT_FOUND, std::string("unknown role \"") + role + "\"");
    std::erase(r->functional_rights, std::string(right));
    return SORIGHTS_OK;
  });
}
sorights_status sorights_model_add_user(sorights_model* model, const sorights_user_desc* user) {
  if (model == nullptr) return null_arg("model");
  return guard([&]() -> sorights_status {
    SORIGHTS_C_TRY(check_user_desc(user));
    if (model->model.find_user(user->id) != nullptr)
      return fail(SORIGHTS_E_ALREADY_EXISTS, std::string("user \"") + user->id + "\" already exists");
    model->model.users.push_back(to_user(*user));
    return SORIGHTS_OK;
  });
}
sorights_status sorights_model_remove_user(sorights_model* model, const char* id) {
  if (model == nullptr) return null_arg("model");
  return guard([&]() -> sorights_status {
    SORIGHTS_C_TRY(id_arg("user id", id));
    const auto n = std::erase_if(model->model.users, [&](const so::User& u) { return u.id == id; });
    if (n == 0) return fail(SORIGHTS_E_NOT_FOUND, std::string("unknown user \"") + id + "\"");
    return SORIGHTS_OK;
  });
}
size_t sorights_model_user_count(const sorights_model* model) {
  return model == nullptr ? 0 : model->model.users.size();
}
size_t sorights_model_role_count(const sorights_model* model) {
  return model == nullptr ? 0 : model->model.roles.size();
}

sorights_status sorights_model_from_json(const char* json, size_t length, sorights_model** out) {
  if (out == nullptr) return null_arg("out");
  *out = nullptr;
  if (json == nullptr) return null_arg("json");
#if SORIGHTS_C_WITH_MODEL_FILE
  return guard([&]() -> sorights_status {
    so::Result<so::Model> parsed =
        so::parse_model_file(std::string_view(json, length), so::Model::with_defaults());
    if (!parsed) return fail(parsed.error());
    *out = new sorights_model{std::move(parsed).value()};
    return SORIGHTS_OK;
  });
#else
  (void)length;
  return fail(SORIGHTS_E_INTERNAL, "the C API was built without model-file support (sorights::storage)");
#endif
}
sorights_status sorights_model_load_file(const char* path, sorights_model** out) {
  if (out == nullptr) return null_arg("out");
  *out = nullptr;
  if (path == nullptr) return null_arg("path");
#if SORIGHTS_C_WITH_MODEL_FILE
  return guard([&]() -> sorights_status {
    so::Result<so::Model> parsed = so::read_model_file(path, so::Model::with_defaults());
    if (!parsed) return fail(parsed.error());
    *out = new sorights_model{std::move(parsed).value()};
    return SORIGHTS_OK;
  });
#else
  return fail(SORIGHTS_E_INTERNAL, "the C API was built without model-file support (sorights::storage)");
#endif
}
sorights_status sorights_model_to_json(const sorights_model* model, char** out) {
  if (out == nullptr) return null_arg("out");
  *out = nullptr;
  if (model == nullptr) return null_arg("model");
#if SORIGHTS_C_WITH_MODEL_FILE
  return guard([&]() -> sorights_status {
    std::string text = so::export_model_file(model->model);
    *out = dup_string(text);
    return SORIGHTS_OK;
  });
#else
  return fail(SORIGHTS_E_INTERNAL, "the C API was built without model-file support (sorights::storage)");
#endif
}

// -- Snapshots and checks ----------------------------------------------------------

sorights_status sorights_compile(const sorights_model* model, uint64_t version, sorights_snapshot** out) {
  if (out == nullptr) return null_arg("out");
  *out = nullptr;
  if (model == nullptr) return null_arg("model");
  return guard([&]() -> sorights_status {
    so::Result<so::Snapshot> s = so::compile(model->model, version);
    if (!s) return fail(s.error());
    *out = new sorights_snapshot{std::make_shared<const so::Snapshot>(std::move(s).value())};
    return SORIGHTS_OK;
  });
}
void sorights_snapshot_free(sorights_snapshot* snapshot) { delete snapshot; }
uint64_t sorights_snapshot_version(const sorights_snapshot* s) { return s ? s->snapshot->version() : 0; }
size_t sorights_snapshot_user_count(const sorights_snapshot* s) { return s ? s->snapshot->user_count() : 0; }

#define SORIGHTS_C_FIND(fn, method, type, miss)                         \
  type fn(const sorights_snapshot* s, const char* id) {                 \
    if (s == nullptr || id == nullptr) return miss;                     \
    return static_cast<type>(s->snapshot->method(id));                  \
  }
SORIGHTS_C_FIND(sorights_find_user, find_user, sorights_user_index, SORIGHTS_UNKNOWN_USER)
SORIGHTS_C_FIND(sorights_find_group, find_group, sorights_group_index, SORIGHTS_UNKNOWN_GROUP)
SORIGHTS_C_FIND(sorights_find_role, find_role, sorights_role_index, SORIGHTS_UNKNOWN_ROLE)
SORIGHTS_C_FIND(sorights_find_object, find_object, sorights_object_index, SORIGHTS_UNKNOWN_OBJECT)
SORIGHTS_C_FIND(sorights_find_right, find_right, sorights_right_index, SORIGHTS_UNKNOWN_RIGHT)
SORIGHTS_C_FIND(sorights_find_company, find_company, sorights_company_index, SORIGHTS_UNKNOWN_COMPANY)
SORIGHTS_C_FIND(sorights_find_project, find_project, sorights_project_index, SORIGHTS_UNKNOWN_PROJECT)
SORIGHTS_C_FIND(sorights_find_field, find_field, sorights_field_index, SORIGHTS_UNKNOWN_FIELD)
#undef SORIGHTS_C_FIND

size_t sorights_user_id(const sorights_snapshot* s, sorights_user_index user, char* buf, size_t size) {
  if (s == nullptr) return copy_out({}, buf, size);
  return copy_out(s->snapshot->user_id(so::UserIndex{user}), buf, size);
}
sorights_role_index sorights_user_role(const sorights_snapshot* s, sorights_user_index user) {
  if (s == nullptr) return SORIGHTS_UNKNOWN_ROLE;
  return static_cast<sorights_role_index>(s->snapshot->user_role(so::UserIndex{user}));
}

uint8_t sorights_rights(const sorights_snapshot* s, sorights_user_index user, const sorights_record* record) {
  if (s == nullptr || record == nullptr) return 0;
  return s->snapshot->rights(so::UserIndex{user}, to_record(record)).bits();
}
int sorights_can(const sorights_snapshot* s, sorights_user_index user, int action, const sorights_record* record) {
  if (s == nullptr || record == nullptr || !valid_action(action)) return 0;
  return s->snapshot->can(so::UserIndex{user}, to_action(action), to_record(record)) ? 1 : 0;
}
int sorights_has(const sorights_snapshot* s, sorights_user_index user, sorights_right_index right) {
  if (s == nullptr) return 0;
  return s->snapshot->has(so::UserIndex{user}, so::RightIndex{right}) ? 1 : 0;
}
uint8_t sorights_field_rights(const sorights_snapshot* s, sorights_user_index user,
                              const sorights_record* record, sorights_field_index field) {
  if (s == nullptr || record == nullptr) return 0;
  return s->snapshot->field_rights(so::UserIndex{user}, to_record(record), so::FieldIndex{field}).bits();
}

void sorights_explain(const sorights_snapshot* s, sorights_user_index user, int action,
                      const sorights_record* record, sorights_explanation* out) {
  if (out == nullptr) return;
  std::memset(out, 0, sizeof *out);
  out->outcome = SORIGHTS_OUTCOME_NO_SUCH_USER;
  out->user = user;
  out->action = action;
  out->object = record ? record->object : SORIGHTS_UNKNOWN_OBJECT;
  out->role = SORIGHTS_UNKNOWN_ROLE;
  for (int i = 0; i < SORIGHTS_LAYER_COUNT; ++i) out->layers[i].layer = i;
  if (s == nullptr || record == nullptr || !valid_action(action)) return;
  const so::Explanation e = s->snapshot->explain(so::UserIndex{user}, to_action(action), to_record(record));
  out->outcome = static_cast<int32_t>(e.outcome);
  out->inactive_reason = static_cast<int32_t>(e.inactive);
  out->object = static_cast<sorights_object_index>(e.object);
  out->relation = static_cast<int32_t>(e.relation);
  out->role = static_cast<sorights_role_index>(e.role);
  out->cell = e.cell.bits();
  out->rights = e.rights.bits();
  out->allowed = e.allowed ? 1 : 0;
  for (int i = 0; i < SORIGHTS_LAYER_COUNT; ++i) {
    const so::LayerEffect& fx = e.layers[static_cast<std::size_t>(i)];
    out->layers[i].layer = i;
    out->layers[i].applied = fx.applied ? 1 : 0;
    out->layers[i].removed = fx.removed.bits();
    out->layers[i].added = fx.added.bits();
    out->layers[i].after = fx.after.bits();
  }
}
sorights_status sorights_explain_text(const sorights_snapshot* s, sorights_user_index user, int action,
                                      const sorights_record* record, int reason_only, char** out) {
  if (out == nullptr) return null_arg("out");
  *out = nullptr;
  if (s == nullptr) return null_arg("snapshot");
  if (record == nullptr) return null_arg("record");
  if (!valid_action(action))
    return fail(SORIGHTS_E_INVALID_ARGUMENT, "action " + std::to_string(action) + " is not a SORIGHTS_ACTION_*");
  return guard([&]() -> sorights_status {
    const so::Explanation e = s->snapshot->explain(so::UserIndex{user}, to_action(action), to_record(record));
    *out = dup_string(reason_only ? s->snapshot->explain_reason(e) : s->snapshot->explain_text(e));
    return SORIGHTS_OK;
  });
}
size_t sorights_rights_to_string(uint8_t rights, char* buf, size_t size) {
  try {
    return copy_out(so::TableRights::from_bits(rights).to_string(), buf, size);
  } catch (...) {
    return copy_out({}, buf, size);
  }
}

// -- Directory and transactions -------------------------------------------------------

#if SORIGHTS_C_WITH_DIRECTORY
namespace {
sorights_status open_directory(std::shared_ptr<so::StorageAdapter> storage, sorights_directory** out) {
  so::Result<std::shared_ptr<so::Directory>> dir = so::Directory::open(std::move(storage));
  if (!dir) return fail(dir.error());
  *out = new sorights_directory{std::move(dir).value()};
  return SORIGHTS_OK;
}
sorights_status result(const so::Result<void>& r) {
  return r ? SORIGHTS_OK : fail(r.error());
}
}  // namespace
#endif

#define SORIGHTS_C_NO_DIRECTORY \
  fail(SORIGHTS_E_INTERNAL, "the C API was built without sorights/directory.hpp")

sorights_status sorights_directory_open_memory(const sorights_model* initial, sorights_directory** out) {
  if (out == nullptr) return null_arg("out");
  *out = nullptr;
#if SORIGHTS_C_WITH_DIRECTORY
  return guard([&]() -> sorights_status {
    auto storage = initial == nullptr
                       ? std::make_shared<so::InMemoryStorage>()
                       : std::make_shared<so::InMemoryStorage>(so::StoredModel{initial->model, 0});
    return open_directory(std::move(storage), out);
  });
#else
  (void)initial;
  return SORIGHTS_C_NO_DIRECTORY;
#endif
}
sorights_status sorights_directory_open_sqlite(const char* path, sorights_directory** out) {
  if (out == nullptr) return null_arg("out");
  *out = nullptr;
  if (path == nullptr) return null_arg("path");
#if SORIGHTS_C_WITH_DIRECTORY && SORIGHTS_C_WITH_SQLITE
  return guard([&]() -> sorights_status {
    so::SqliteStoreOptions options;
    options.create = true;
    so::Result<std::unique_ptr<so::SqliteStore>> store = so::SqliteStore::open(path, options);
    if (!store) return fail(store.error());
    return open_directory(std::shared_ptr<so::StorageAdapter>(std::move(store).value()), out);
  });
#else
  return fail(SORIGHTS_E_INTERNAL, "the C API was built without the SQLite store (sorights::storage)");
#endif
}
void sorights_directory_free(sorights_directory* directory) { delete directory; }
uint64_t sorights_directory_version(const sorights_directory* directory) {
#if SORIGHTS_C_WITH_DIRECTORY
  return directory ? directory->directory->version() : 0;
#else
  (void)directory;
  return 0;
#endif
}
sorights_status sorights_directory_snapshot(const sorights_directory* directory, sorights_snapshot** out) {
  if (out == nullptr) return null_arg("out");
  *out = nullptr;
  if (directory == nullptr) return null_arg("directory");
#if SORIGHTS_C_WITH_DIRECTORY
  return guard([&]() -> sorights_status {
    *out = new sorights_snapshot{directory->directory->snapshot()};
    return SORIGHTS_OK;
  });
#else
  return SORIGHTS_C_NO_DIRECTORY;
#endif
}
sorights_status sorights_directory_model(const sorights_directory* directory, sorights_model** out) {
  if (out == nullptr) return null_arg("out");
  *out = nullptr;
  if (directory == nullptr) return null_arg("directory");
#if SORIGHTS_C_WITH_DIRECTORY
  return guard([&]() -> sorights_status {
    *out = new sorights_model{*directory->directory->model()};
    return SORIGHTS_OK;
  });
#else
  return SORIGHTS_C_NO_DIRECTORY;
#endif
}

sorights_status sorights_transaction_begin(sorights_directory* directory, const char* actor,
                                           sorights_transaction** out) {
  if (out == nullptr) return null_arg("out");
  *out = nullptr;
  if (directory == nullptr) return null_arg("directory");
#if SORIGHTS_C_WITH_DIRECTORY
  return guard([&]() -> sorights_status {
    SORIGHTS_C_TRY(optional_id_arg("actor", actor));
    so::Result<so::Transaction> tx = directory->directory->begin(actor == nullptr ? "" : actor);
    if (!tx) return fail(tx.error());
    *out = new sorights_transaction{std::move(tx).value(), directory->alive};
    return SORIGHTS_OK;
  });
#else
  (void)actor;
  return SORIGHTS_C_NO_DIRECTORY;
#endif
}
void sorights_transaction_free(sorights_transaction* tx) { delete tx; }

#if SORIGHTS_C_WITH_DIRECTORY
namespace {
sorights_status directory_gone() noexcept {
  return fail(SORIGHTS_E_FAILED_PRECONDITION,
              "transaction: its directory handle was freed (sorights_directory_free); "
              "nothing was staged or committed: free the transaction");
}
}  // namespace
#  define SORIGHTS_C_TX(body)                                       \
    if (tx == nullptr) return null_arg("transaction");              \
    if (tx->directory_alive.expired()) return directory_gone();     \
    return guard([&]() -> sorights_status { body })
#else
#  define SORIGHTS_C_TX(body)                          \
    if (tx == nullptr) return null_arg("transaction"); \
    return SORIGHTS_C_NO_DIRECTORY
#endif

sorights_status sorights_transaction_put_user(sorights_transaction* tx, const sorights_user_desc* user) {
  SORIGHTS_C_TX(SORIGHTS_C_TRY(check_user_desc(user)); return result(tx->tx.put_user(to_user(*user)));) ;
}
sorights_status sorights_transaction_put_group(sorights_transaction* tx, const char* id, const char* name) {
  SORIGHTS_C_TX(SORIGHTS_C_TRY(id_arg("group id", id)); SORIGHTS_C_TRY(name_arg("group name", name));
                return result(tx->tx.put_group(so::Group{id, str(name)}));) ;
}
sorights_status sorights_transaction_put_company(sorights_transaction* tx, const char* id, const char* name,
                                                 int database_owner) {
  SORIGHTS_C_TX(SORIGHTS_C_TRY(id_arg("company id", id)); SORIGHTS_C_TRY(name_arg("company name", name));
                return result(tx->tx.put_our_company(so::OurCompany{id, str(name), database_owner != 0}));) ;
}
sorights_status sorights_transaction_set_user_role(sorights_transaction* tx, const char* user, const char* role) {
  SORIGHTS_C_TX(SORIGHTS_C_TRY(id_arg("user", user)); SORIGHTS_C_TRY(id_arg("role", role));
                return result(tx->tx.set_user_role(user, role));) ;
}
sorights_status sorights_transaction_delete_user(sorights_transaction* tx, const char* user) {
  SORIGHTS_C_TX(SORIGHTS_C_TRY(id_arg("user", user)); return result(tx->tx.delete_user(user));) ;
}
sorights_status sorights_transaction_copy_role(sorights_transaction* tx, const char* from, const char* id,
                                               const char* name) {
  SORIGHTS_C_TX(SORIGHTS_C_TRY(id_arg("from", from)); SORIGHTS_C_TRY(id_arg("role id", id));
                SORIGHTS_C_TRY(name_arg("role name", name));
                return result(tx->tx.copy_role(from, id, str(name)));) ;
}
sorights_status sorights_transaction_set_data_right(sorights_transaction* tx, const char* role,
                                                    const char* object, int relation, uint8_t rights) {
  if (!valid_relation(relation))
    return fail(SORIGHTS_E_INVALID_ARGUMENT, "relation " + std::to_string(relation) + " is not a SORIGHTS_REL_*");
  SORIGHTS_C_TX(SORIGHTS_C_TRY(id_arg("role", role)); SORIGHTS_C_TRY(id_arg("object", object)); return result(tx->tx.set_data_right(role, object, static_cast<so::Relation>(relation),
                                                   so::TableRights::from_bits(rights)));) ;
}
sorights_status sorights_transaction_set_functional_rights(sorights_transaction* tx, const char* role,
                                                           const char* const* rights, size_t count) {
  SORIGHTS_C_TX(SORIGHTS_C_TRY(id_arg("role", role)); SORIGHTS_C_TRY(id_array_arg("rights", rights, count));
                return result(tx->tx.set_functional_rights(role, strs(rights, count)));) ;
}
sorights_status sorights_transaction_stage_model(sorights_transaction* tx, const sorights_model* model) {
  if (model == nullptr) return null_arg("model");
  SORIGHTS_C_TX(return result(tx->tx.stage_model(model->model));) ;
}
size_t sorights_transaction_change_count(const sorights_transaction* tx) {
#if SORIGHTS_C_WITH_DIRECTORY
  if (tx == nullptr) return 0;
  try {
    return tx->tx.changes().size();
  } catch (...) {
    return 0;
  }
#else
  (void)tx;
  return 0;
#endif
}
sorights_status sorights_transaction_commit(sorights_transaction* tx, uint64_t* version_out) {
  if (version_out != nullptr) *version_out = 0;
  SORIGHTS_C_TX(
      so::Result<so::CommitInfo> info = tx->tx.commit();
      if (!info) return fail(info.error());
      if (version_out != nullptr) *version_out = info->version;
      return SORIGHTS_OK;);
}
void sorights_transaction_rollback(sorights_transaction* tx) {
#if SORIGHTS_C_WITH_DIRECTORY
  if (tx != nullptr) tx->tx.rollback();
#else
  (void)tx;
#endif
}

// -- Queries (sorights/queries.hpp) -------------------------------------------------

}  // extern "C"

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
  if (out == nullptr) return null_arg("out");
  *out = nullptr;
  if (s == nullptr) return null_arg("s");
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

// -- Batch filter, reports and policy tests --------------------------------------------

size_t sorights_filter(const sorights_snapshot* s, sorights_user_index user, sorights_object_index object, int action,
                       const sorights_record* records, size_t count, uint64_t* out_bits, size_t words) {
  if (s == nullptr || out_bits == nullptr || (records == nullptr && count != 0)) return 0;
  if (words < so::filter_words(count)) {
    std::memset(out_bits, 0, words * sizeof(uint64_t));
    return 0;
  }
  try {
    std::vector<so::Record> rows(count);
    for (std::size_t i = 0; i < count; ++i) rows[i] = to_record(&records[i]);
    const so::RecordColumnsBuffer columns(rows);
    const so::RecordColumns cols = columns.view();
    return so::filter(*s->snapshot, so::UserIndex{user}, so::ObjectIndex{object}, to_action(action), cols,
                      std::span<std::uint64_t>(out_bits, words))
        .allowed;
  } catch (...) {
    fail(SORIGHTS_E_INTERNAL, "out of memory");
    std::memset(out_bits, 0, words * sizeof(uint64_t));
    return 0;
  }
}

}  // extern "C"

struct sorights_sql {
  so::SqlFragment fragment;
  bool exact = true;
};

extern "C" {

sorights_status sorights_predicate_sql(const sorights_snapshot* s, sorights_user_index user,
                                       sorights_object_index object, int action, int64_t at, int numbered,
                                       const char* record_prefix, const char* owner_prefix, sorights_sql** out) {
  if (out == nullptr) return null_arg("out");
  *out = nullptr;
  if (s == nullptr) return null_arg("s");
  if (!valid_action(action)) return fail(SORIGHTS_E_INVALID_ARGUMENT, "action " + std::to_string(action) + " is no action");
  return guard([&]() -> sorights_status {
    const so::Predicate p = so::predicate(*s->snapshot, so::UserIndex{user}, so::ObjectIndex{object},
                                          to_action(action), at);
    so::ColumnMapping mapping;
    if (record_prefix != nullptr || owner_prefix != nullptr)
      mapping = so::ColumnMapping::with_prefix(str(record_prefix), str(owner_prefix));
    mapping.numbered_placeholders = numbered != 0;
    auto sql = std::make_unique<sorights_sql>();
    sql->fragment = so::render_sql(p, mapping);
    sql->exact = p.exact;
    *out = sql.release();
    return SORIGHTS_OK;
  });
}
void sorights_sql_free(sorights_sql* sql) { delete sql; }
const char* sorights_sql_text(const sorights_sql* sql) { return sql == nullptr ? "" : sql->fragment.text.c_str(); }
int sorights_sql_exact(const sorights_sql* sql) { return sql != nullptr && sql->exact ? 1 : 0; }
size_t sorights_sql_param_count(const sorights_sql* sql) { return sql == nullptr ? 0 : sql->fragment.params.size(); }
int sorights_sql_param_is_text(const sorights_sql* sql, size_t i) {
  return sql != nullptr && i < sql->fragment.params.size() &&
                 std::holds_alternative<std::string>(sql->fragment.params[i])
             ? 1
             : 0;
}
int64_t sorights_sql_param_int(const sorights_sql* sql, size_t i) {
  if (sql == nullptr || i >= sql->fragment.params.size()) return 0;
  const auto* v = std::get_if<std::int64_t>(&sql->fragment.params[i]);
  return v == nullptr ? 0 : *v;
}
const char* sorights_sql_param_text(const sorights_sql* sql, size_t i) {
  if (sql == nullptr || i >= sql->fragment.params.size()) return nullptr;
  const auto* v = std::get_if<std::string>(&sql->fragment.params[i]);
  return v == nullptr ? nullptr : v->c_str();
}

sorights_status sorights_render_html_report(const sorights_model* model, const char* title, char** out) {
  if (out == nullptr) return null_arg("out");
  *out = nullptr;
  if (model == nullptr) return null_arg("model");
  return guard([&]() -> sorights_status {
    *out = dup_string(so::render_html_report(model->model, title == nullptr ? "sorights model" : title));
    return SORIGHTS_OK;
  });
}

sorights_status sorights_licence_usage(const sorights_model* model, sorights_licence_usage_row** rows,
                                       size_t* count) {
  if (rows == nullptr) return null_arg("rows");
  if (count == nullptr) return null_arg("count");
  *rows = nullptr;
  *count = 0;
  if (model == nullptr) return null_arg("model");
  return guard([&]() -> sorights_status {
    const std::vector<so::LicenceUsage> usage = so::licence_usage(model->model);
    if (usage.empty()) return SORIGHTS_OK;
    // Filled row by row; on a failed allocation what was made is freed.
    auto* out = static_cast<sorights_licence_usage_row*>(std::calloc(usage.size(), sizeof(sorights_licence_usage_row)));
    if (out == nullptr) throw std::bad_alloc();
    std::size_t made = 0;
    try {
      for (const so::LicenceUsage& u : usage) {
        sorights_licence_usage_row& row = out[made++];
        row.site = u.kind == so::LicenceKind::kSite ? 1 : 0;
        row.unrestricted = u.unrestricted ? 1 : 0;
        row.purchased = u.purchased;
        row.in_use = u.in_use;
        row.available = u.available();
        row.licence = dup_string(u.licence);
        if (!u.users.empty()) {
          row.users = static_cast<char**>(std::calloc(u.users.size(), sizeof(char*)));
          if (row.users == nullptr) throw std::bad_alloc();
          for (const std::string& id : u.users) row.users[row.user_count++] = dup_string(id);
        }
      }
    } catch (...) {
      sorights_licence_usage_free(out, made);
      throw;
    }
    *rows = out;
    *count = usage.size();
    return SORIGHTS_OK;
  });
}

void sorights_licence_usage_free(sorights_licence_usage_row* rows, size_t count) {
  if (rows == nullptr) return;
  for (std::size_t i = 0; i < count; ++i) {
    std::free(rows[i].licence);
    for (std::size_t k = 0; k < rows[i].user_count; ++k) std::free(rows[i].users[k]);
    std::free(rows[i].users);
  }
  std::free(rows);
}

sorights_status sorights_run_policy_tests(const sorights_snapshot* s, const sorights_model* model, const char* json,
                                          size_t length, size_t* passed, size_t* failed, char** report) {
  if (passed != nullptr) *passed = 0;
  if (failed != nullptr) *failed = 0;
  if (report != nullptr) *report = nullptr;
  if (s == nullptr) return null_arg("s");
  if (model == nullptr) return null_arg("model");
  if (json == nullptr) return null_arg("json");
#if SORIGHTS_C_WITH_MODEL_FILE
  return guard([&]() -> sorights_status {
    so::Result<so::PolicyTestFile> file = so::parse_policy_tests(std::string_view(json, length));
    if (!file) return fail(file.error());
    so::Result<so::PolicyReport> r = so::run_policy_tests(*s->snapshot, model->model, file->tests);
    if (!r) return fail(r.error());
    if (passed != nullptr) *passed = r->passed;
    if (failed != nullptr) *failed = r->failed();
    if (report != nullptr) {
      std::string text;
      for (const so::PolicyFailure& f : r->failures) text += "FAIL " + f.to_string() + "\n";
      *report = dup_string(text);
    }
    return SORIGHTS_OK;
  });
#else
  (void)length;
  return fail(SORIGHTS_E_INTERNAL, "the C API was built without the storage library (policy test files)");
#endif
}

}  // extern "C"
