// -----------------------------------------------------------------------------
// File: model_describe.hpp
// -----------------------------------------------------------------------------
// The one field list of every model entity (model.hpp): Boost.Describe
// descriptions of the structs and enums, and next to them what each stored
// format needs to know about a member (its JSON key, its SQL column or child
// table, its kind). The JSON codec of model files and audit logs, snapshot
// files (format 2 and later), the SQLite and PostgreSQL stores and the
// SQLite integrity check are all driven by these lists, so a new member is
// added here once (docs/hacking.md, "Adding a model field").
//
// For storage adapters and bindings, not for the core: it needs Boost ≥ 1.77
// (Boost.Describe), which `model.hpp` and the evaluator do not. Everything
// here is constexpr data; including it costs compile time only.
#ifndef SORIGHTS_MODEL_DESCRIBE_HPP_
#define SORIGHTS_MODEL_DESCRIBE_HPP_

#include <boost/describe.hpp>
#include <boost/mp11.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sorights/model.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE

BOOST_DESCRIBE_ENUM(LicenceKind, kUser, kSite)
BOOST_DESCRIBE_ENUM(OverrideLevel, kSystem, kGroup, kUser)
BOOST_DESCRIBE_ENUM(OverrideScope, kAll, kNew, kExisting, kRecord)
BOOST_DESCRIBE_ENUM(RoleType, kEmployee, kExternal, kAnonymous, kSystem)
BOOST_DESCRIBE_ENUM(UserType, kAssociate, kResource, kExternal, kAnonymous, kSystem)
BOOST_DESCRIBE_ENUM(Relation, kOwn, kPrimaryGroup, kOtherAssociates, kOtherGroups, kExternal, kAnonymous,
                    kMyCompany, kSameProject)

BOOST_DESCRIBE_STRUCT(OurCompany, (), (id, name, database_owner, names))
BOOST_DESCRIBE_STRUCT(Group, (), (id, name, names))
BOOST_DESCRIBE_STRUCT(Licence, (), (id, name, kind, count, unrestricted, requires_licences, cal_for))
BOOST_DESCRIBE_STRUCT(Plan, (), (id, name, licences))
BOOST_DESCRIBE_STRUCT(FunctionalRightDef, (), (id, name, requires_licence, restrictive, names))
BOOST_DESCRIBE_STRUCT(DataObjectDef, (), (id, name, empty_owner_is_user, has_visibility, completed_is_locked))
BOOST_DESCRIBE_STRUCT(Role, (), (id, name, description, type, data_rights, functional_rights, names))
BOOST_DESCRIBE_STRUCT(FieldRightRule, (), (role, object, field, relation, rights, ui_mandatory, ui_read_only))
BOOST_DESCRIBE_STRUCT(Override, (), (level, target, object, scope, record, field, remove))
BOOST_DESCRIBE_STRUCT(User, (), (id, type, name, person, company, role, group, other_groups, plan, licences,
                                 projects, can_log_in, former_employee, retired))

/// How the stored formats treat a member.
enum class FieldKind : std::uint8_t {
  kId,         ///< the entity's key: required and non-empty; SQL primary key
  kText,       ///< a string; SQL text, '' when empty
  kReference,  ///< the id of another entity or empty; SQLite stores NULL for empty
  kFlag,       ///< a bool
  kCount,      ///< a std::uint32_t
  kEnum,       ///< an enumerator, stored by its name (`enum_text`)
  kList,       ///< a std::vector<std::string>: a JSON array, an SQL child table
  /// A `NameMap` (language → display name): a JSON object of strings, an SQL
  /// text column holding that object as compact JSON ('' when empty), two
  /// lists (keys, values) in a snapshot file.
  kMap,
  kCustom,     ///< encoded by hand in each format (the role matrix, rights bits)
};

/// What the formats need to know about one member. The list of an entity
/// names its members in declaration order; a compile-time check holds it to
/// the Boost.Describe description.
struct FieldInfo {
  std::string_view member;  ///< the C++ member, as described
  FieldKind kind;
  std::string_view json;    ///< the key in model files and the audit log
  /// The SQL column; for `kList` the child table (owner, position, value).
  std::string_view column;
  std::string_view value_column = {};  ///< `kList`: the child table's value column
  /// `kReference` and `kList`: the table whose ids it holds, if the SQLite
  /// schema checks them (a deferred foreign key); empty for none.
  std::string_view refers = {};
  bool json_always = false;            ///< written to JSON even at its default
  /// The versions that added the member: snapshot-file format, SQLite and
  /// PostgreSQL schema. Older files and stores read it as its default.
  int snapshot_since = 2;
  int sqlite_since = 0;
  int pg_since = 1;
};

/// The field list of entity `T`: `table` (its SQL table), `owner` (the key
/// column of its child tables), `noun` (for messages), `fields` (one `FieldInfo` per described
/// member, in order).
template <class T>
struct EntityFields;

/// A member stored under its own name in every format.
constexpr FieldInfo same_name(std::string_view name, FieldKind kind) { return {name, kind, name, name}; }
inline constexpr FieldInfo kIdField = same_name("id", FieldKind::kId);
inline constexpr FieldInfo kNameField = same_name("name", FieldKind::kText);
/// `names` (per-language display names): snapshot format 4, SQLite schema 3,
/// PostgreSQL schema 4.
inline constexpr FieldInfo kNamesField = {"names", FieldKind::kMap, "names", "names", {}, {}, false, 4, 3, 4};

template <>
struct EntityFields<OurCompany> {
  static constexpr std::string_view table = "our_companies", owner = "", noun = "our company";
  static constexpr FieldInfo fields[] = {kIdField, kNameField, same_name("database_owner", FieldKind::kFlag),
                                         kNamesField};
};

template <>
struct EntityFields<Group> {
  static constexpr std::string_view table = "groups", owner = "", noun = "group";
  static constexpr FieldInfo fields[] = {kIdField, kNameField, kNamesField};
};

template <>
struct EntityFields<Licence> {
  static constexpr std::string_view table = "licences", owner = "licence", noun = "licence";
  static constexpr FieldInfo fields[] = {
      kIdField,
      kNameField,
      {"kind", FieldKind::kEnum, "kind", "kind", {}, {}, true},
      same_name("count", FieldKind::kCount),
      same_name("unrestricted", FieldKind::kFlag),
      {"requires_licences", FieldKind::kList, "requires", "licence_requires", "required", "licences"},
      {"cal_for", FieldKind::kList, "cal_for", "licence_cal_for", "object"},
  };
};

template <>
struct EntityFields<Plan> {
  static constexpr std::string_view table = "plans", owner = "plan", noun = "plan";
  static constexpr FieldInfo fields[] = {
      kIdField, kNameField, {"licences", FieldKind::kList, "licences", "plan_licences", "licence", "licences", true}};
};

template <>
struct EntityFields<FunctionalRightDef> {
  static constexpr std::string_view table = "functional_rights", owner = "", noun = "functional right";
  static constexpr FieldInfo fields[] = {
      kIdField,
      kNameField,
      {"requires_licence", FieldKind::kReference, "requires_licence", "requires_licence", {}, "licences"},
      {"restrictive", FieldKind::kFlag, "restrictive", "restrictive", {}, {}, false, 3, 2, 3},
      kNamesField,
  };
};

template <>
struct EntityFields<DataObjectDef> {
  static constexpr std::string_view table = "objects", owner = "", noun = "object";
  static constexpr FieldInfo fields[] = {
      kIdField,
      kNameField,
      same_name("empty_owner_is_user", FieldKind::kFlag),
      {"has_visibility", FieldKind::kFlag, "visibility", "visibility"},
      {"completed_is_locked", FieldKind::kFlag, "completed_locked", "completed_locked"},
  };
};

template <>
struct EntityFields<Role> {
  static constexpr std::string_view table = "roles", owner = "role", noun = "role";
  static constexpr FieldInfo fields[] = {
      kIdField,
      kNameField,
      same_name("description", FieldKind::kText),
      {"type", FieldKind::kEnum, "type", "type", {}, {}, true},
      {"data_rights", FieldKind::kCustom, "data_rights", "data_rights", {}, {}, true},
      {"functional_rights", FieldKind::kList, "functional_rights", "role_rights", "functional_right", {}, true},
      kNamesField,
  };
};

template <>
struct EntityFields<User> {
  static constexpr std::string_view table = "users", owner = "user_id", noun = "user";
  static constexpr FieldInfo fields[] = {
      kIdField,
      {"type", FieldKind::kEnum, "type", "type", {}, {}, true},
      kNameField,
      same_name("person", FieldKind::kText),
      same_name("company", FieldKind::kText),
      {"role", FieldKind::kReference, "role", "role", {}, "roles"},
      {"group", FieldKind::kReference, "group", "primary_group", {}, "groups"},
      {"other_groups", FieldKind::kList, "other_groups", "user_groups", "group_id", "groups"},
      {"plan", FieldKind::kReference, "plan", "plan", {}, "plans"},
      {"licences", FieldKind::kList, "licences", "user_licences", "licence", "licences"},
      {"projects", FieldKind::kList, "projects", "user_projects", "project"},
      same_name("can_log_in", FieldKind::kFlag),
      same_name("former_employee", FieldKind::kFlag),
      same_name("retired", FieldKind::kFlag),
  };
};

// Field rights and overrides are stored as whole lists, keyed by position;
// their JSON packs several members into one key ("ui", "level": "group:ID").
template <>
struct EntityFields<FieldRightRule> {
  static constexpr std::string_view table = "field_rights", owner = "", noun = "field right";
  static constexpr FieldInfo fields[] = {
      same_name("role", FieldKind::kText),       same_name("object", FieldKind::kText),
      same_name("field", FieldKind::kText),      same_name("relation", FieldKind::kEnum),
      same_name("rights", FieldKind::kCustom),   {"ui_mandatory", FieldKind::kFlag, "ui", "ui_mandatory"},
      {"ui_read_only", FieldKind::kFlag, "ui", "ui_read_only"},
  };
};

template <>
struct EntityFields<Override> {
  static constexpr std::string_view table = "overrides", owner = "", noun = "override";
  static constexpr FieldInfo fields[] = {
      same_name("level", FieldKind::kEnum),   {"target", FieldKind::kText, "level", "target"},
      same_name("object", FieldKind::kText),  same_name("scope", FieldKind::kEnum),
      {"record", FieldKind::kText, "scope", "record"},
      same_name("field", FieldKind::kText),   same_name("remove", FieldKind::kCustom),
  };
};

namespace detail {

template <class T>
using described_members = boost::describe::describe_members<T, boost::describe::mod_public>;

// True if `EntityFields<T>::fields` names the described members of `T`, in order.
template <class T>
consteval bool field_list_matches() {
  using L = described_members<T>;
  constexpr auto& fields = EntityFields<T>::fields;
  if (boost::mp11::mp_size<L>::value != std::size(fields)) return false;
  bool ok = true;
  std::size_t i = 0;
  boost::mp11::mp_for_each<L>([&](auto d) { ok = ok && std::string_view(d.name) == fields[i++].member; });
  return ok;
}

template <class E>
std::vector<std::string> make_enum_texts(bool by_value) {
  std::vector<std::string> out;
  boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
    std::string s;
    for (const char* p = d.name + 1; *p != '\0'; ++p) {  // kPrimaryGroup → primary_group
      const char c = *p;
      if (c >= 'A' && c <= 'Z') {
        if (!s.empty()) s += '_';
        s += static_cast<char>(c - 'A' + 'a');
      } else {
        s += c;
      }
    }
    const auto at = by_value ? static_cast<std::size_t>(d.value) : out.size();
    if (out.size() <= at) out.resize(at + 1);
    out[at] = std::move(s);
  });
  return out;
}

}  // namespace detail

static_assert(detail::field_list_matches<OurCompany>() && detail::field_list_matches<Group>() &&
                  detail::field_list_matches<Licence>() && detail::field_list_matches<Plan>() &&
                  detail::field_list_matches<FunctionalRightDef>() && detail::field_list_matches<DataObjectDef>() &&
                  detail::field_list_matches<Role>() && detail::field_list_matches<FieldRightRule>() &&
                  detail::field_list_matches<Override>() && detail::field_list_matches<User>(),
              "EntityFields<T>::fields must list the described members of T in order");

/// The stored names of enum `E`'s enumerators, indexed by value: the
/// enumerator without its `k`, in snake case (`kPrimaryGroup` →
/// "primary_group"). Built once; thread-safe.
template <class E>
[[nodiscard]] const std::vector<std::string>& enum_texts() {
  static const std::vector<std::string> texts = detail::make_enum_texts<E>(true);
  return texts;
}

/// The stored names of `E` in the order its description lists them: the
/// order schemas (`CHECK (kind IN ('user', 'site'))`) and messages use.
template <class E>
[[nodiscard]] const std::vector<std::string>& enum_texts_listed() {
  static const std::vector<std::string> texts = detail::make_enum_texts<E>(false);
  return texts;
}

/// The stored name of `e`; empty for a value that is no enumerator.
template <class E>
[[nodiscard]] std::string_view enum_text(E e) {
  const auto& t = enum_texts<E>();
  const auto i = static_cast<std::size_t>(e);
  return i < t.size() ? std::string_view(t[i]) : std::string_view();
}

/// The enumerator stored as `s`; none for another text.
template <class E>
[[nodiscard]] std::optional<E> parse_enum_text(std::string_view s) {
  const auto& t = enum_texts<E>();
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i] == s) return static_cast<E>(i);
  return std::nullopt;
}

/// The number of enumerators of `E` (a snapshot file checks stored values
/// against it).
template <class E>
inline constexpr unsigned enum_count = boost::mp11::mp_size<boost::describe::describe_enumerators<E>>::value;

/// Calls `f(info, member_pointer)` for each member of `T`, in order.
template <class T, class F>
void for_each_field(F&& f) {
  std::size_t i = 0;
  boost::mp11::mp_for_each<detail::described_members<T>>(
      [&](auto d) { f(EntityFields<T>::fields[i++], d.pointer); });
}

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_MODEL_DESCRIBE_HPP_
