// Internal: JSON encoding of model entities, shared by model files
// (model_file.cpp) and the SQLite audit log (sqlite_store.cpp). Not installed.
#ifndef SORIGHTS_SRC_STORAGE_JSON_CODEC_HPP_
#define SORIGHTS_SRC_STORAGE_JSON_CODEC_HPP_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "sorights/error.hpp"
#include "sorights/model.hpp"
#include "sorights/storage.hpp"

SORIGHTS_BEGIN_NAMESPACE
namespace detail {

using Json = nlohmann::ordered_json;

// Calls `f(std::type_identity<T>{})` with the entity type of `kind` (for
// field rights and overrides, the type of one list element).
template <class F>
decltype(auto) with_entity_type(EntityKind kind, F&& f) {
  switch (kind) {
    case EntityKind::kOurCompany: return f(std::type_identity<OurCompany>{});
    case EntityKind::kGroup: return f(std::type_identity<Group>{});
    case EntityKind::kLicence: return f(std::type_identity<Licence>{});
    case EntityKind::kPlan: return f(std::type_identity<Plan>{});
    case EntityKind::kFunctionalRight: return f(std::type_identity<FunctionalRightDef>{});
    case EntityKind::kObject: return f(std::type_identity<DataObjectDef>{});
    case EntityKind::kRole: return f(std::type_identity<Role>{});
    case EntityKind::kUser: return f(std::type_identity<User>{});
    case EntityKind::kFieldRights: return f(std::type_identity<FieldRightRule>{});
    case EntityKind::kOverrides: break;
  }
  return f(std::type_identity<Override>{});
}

// The model's collection of `T`.
template <class T, class M>
auto& collection(M& m) {
  if constexpr (std::is_same_v<T, OurCompany>) return m.our_companies;
  else if constexpr (std::is_same_v<T, Group>) return m.groups;
  else if constexpr (std::is_same_v<T, Licence>) return m.licences;
  else if constexpr (std::is_same_v<T, Plan>) return m.plans;
  else if constexpr (std::is_same_v<T, FunctionalRightDef>) return m.functional_rights;
  else if constexpr (std::is_same_v<T, DataObjectDef>) return m.objects;
  else if constexpr (std::is_same_v<T, Role>) return m.roles;
  else if constexpr (std::is_same_v<T, User>) return m.users;
  else if constexpr (std::is_same_v<T, FieldRightRule>) return m.field_rights;
  else return m.overrides;
}

// Calls `f(collection)` for each collection of entities with ids, in
// EntityKind order, until one returns an error.
template <class F>
Result<void> each_id_collection(Model& m, F&& f) {
  for (int k = 0; k <= static_cast<int>(EntityKind::kUser); ++k) {
    Result<void> r = with_entity_type(static_cast<EntityKind>(k), [&]<class T>(std::type_identity<T>) -> Result<void> {
      if constexpr (std::is_same_v<T, FieldRightRule> || std::is_same_v<T, Override>) return {};
      else return f(collection<T>(m));
    });
    if (!r) return r;
  }
  return {};
}


// Collects problems while reading JSON, each at a JSON path.
class Reader {
 public:
  std::vector<Diagnostic> errors;

  // Records a problem at `path` ("users[3].group") breaking `rule`.
  void fail(const std::string& path, std::string rule, std::string message);
  // True if a problem was recorded at `path`, inside it, or at a path that
  // contains it ("users[3].group" vs "users[3].group[1]" or "users[3]").
  [[nodiscard]] bool failed(const std::string& path) const;

  // Checks that `j` is an object; records `wrong-type` otherwise.
  bool object(const Json& j, const std::string& path);
  // Records `unknown-key` for each key of `j` not in `allowed`.
  void keys(const Json& j, const std::string& path, std::initializer_list<std::string_view> allowed);
  void keys(const Json& j, const std::string& path, const std::vector<std::string_view>& allowed);
  // Optional members: true if present and of the right type (then `out` is
  // set); a wrong type records `wrong-type`.
  bool str(const Json& j, const char* key, const std::string& path, std::string& out);
  bool boolean(const Json& j, const char* key, const std::string& path, bool& out);
  bool uint32(const Json& j, const char* key, const std::string& path, std::uint32_t& out);
  bool strings(const Json& j, const char* key, const std::string& path, std::vector<std::string>& out);
  // A `names` object: language code → string. Keys are `en`, `no`, `nb`
  // (stored as `no`), `nl`, `da`; another key is `unknown-language`, `nb`
  // beside `no` a `duplicate-key`, each naming its path.
  bool names(const Json& j, const char* key, const std::string& path, NameMap& out);
  // A required string member.
  bool required_str(const Json& j, const char* key, const std::string& path, std::string& out);

 private:
  // The member `key` of `j` if present and of the type `is` tests, else null;
  // another type records `wrong-type` ("expected <what>, found ...").
  const Json* member(const Json& j, const char* key, const std::string& path, bool (Json::*is)() const noexcept,
                     const char* what);

  std::set<std::string> failed_;
};

// A role entry of a model file, before it is applied.
struct RoleEntry {
  std::string id;
  std::optional<std::string> name, description, copy_of;
  std::optional<RoleType> type;
  // object → (relation → rights); an object with an empty map still names the row.
  std::map<std::string, std::map<Relation, TableRights>> cells;
  std::optional<std::vector<std::string>> functional_rights;
  std::optional<NameMap> names;
};

// Entity readers: `j` at `path`; problems go to `r`. The result is the
// entity as far as it could be read.
OurCompany read_company(const Json& j, const std::string& path, Reader& r);
Group read_group(const Json& j, const std::string& path, Reader& r);
Licence read_licence(const Json& j, const std::string& path, Reader& r);
Plan read_plan(const Json& j, const std::string& path, Reader& r);
FunctionalRightDef read_right(const Json& j, const std::string& path, Reader& r);
DataObjectDef read_object(const Json& j, const std::string& path, Reader& r);
RoleEntry read_role(const Json& j, const std::string& path, Reader& r, bool allow_copy_of);
FieldRightRule read_field_right(const Json& j, const std::string& path, Reader& r);
Override read_override(const Json& j, const std::string& path, Reader& r);
User read_user(const Json& j, const std::string& path, Reader& r);

// Applies a role entry onto `role` (cells replace, lists replace, names set).
void apply_role_entry(const RoleEntry& e, Role& role);

// Entity writers. Members at their defaults are left out.
Json write_company(const OurCompany& c);
Json write_group(const Group& g);
Json write_licence(const Licence& l);
Json write_plan(const Plan& p);
Json write_right(const FunctionalRightDef& f);
Json write_object(const DataObjectDef& o);
// The whole role: every row with all eight relations.
Json write_role(const Role& role);
Json write_field_right(const FieldRightRule& f);
Json write_override(const Override& o);
Json write_user(const User& u);
std::string override_level(const Override& o);
std::string override_scope(const Override& o);
std::string override_remove(const Override& o);

// Any entity, as stored in the audit log; and back.
Json write_entity(const Entity& e);
Result<Entity> read_entity(EntityKind kind, const Json& j);
// A change set's changes as JSON text, and back.
std::string write_changes(const std::vector<Change>& changes);
Result<std::vector<Change>> read_changes(std::string_view text);

// Compact JSON; invalid UTF-8 is replaced, never thrown.
std::string dump(const Json& j);

// A `NameMap` as the stores keep it in a text column: compact JSON, '' when
// empty; and back ('' or `{}` is the empty map). Reading checks what the
// model file's reader checks (an object of strings, keys `en`, `no`, `nl`,
// `da`) and says what is wrong, for the caller to name the row.
std::string names_to_text(const NameMap& names);
Result<NameMap> names_from_text(std::string_view text);

// Pretty-prints `j`: two-space indentation, and any object or array that fits
// in `width` columns on one line.
std::string pretty(const Json& j, int width = 100);

}  // namespace detail
SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_SRC_STORAGE_JSON_CODEC_HPP_
