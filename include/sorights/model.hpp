// -----------------------------------------------------------------------------
// File: model.hpp
// -----------------------------------------------------------------------------
// The user model as plain, mutable value types: our companies, user groups,
// licences and user plans, functional rights, roles with their data-rights
// matrix, field rights, overrides, custom data objects and users. Ids are the
// case-sensitive strings of the model file. A `Model` has no behaviour beyond
// what keeps it easy to build and compare; `compile()` (snapshot.hpp) checks
// every rule and turns it into an immutable `Snapshot`.
//
// `Model::with_defaults()` returns a model holding the twelve predefined roles
// with sorights' default rights (docs/predefined-roles.md). Those defaults are
// sorights' reading of the reference model's prose, not SuperOffice's values.
//
// Not thread-safe for concurrent mutation; a const `Model` may be read from any
// number of threads.
#ifndef SORIGHTS_MODEL_HPP_
#define SORIGHTS_MODEL_HPP_

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sorights/chunked_vector.hpp"
#include "sorights/config.hpp"
#include "sorights/name_map.hpp"
#include "sorights/rights.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// A company among *our companies*: the companies that may own users.
struct OurCompany {
  std::string id{};
  std::string name{};
  /// The licence owner. At most one; it can never be deleted and its name is
  /// read-only.
  bool database_owner = false;
  /// Display names per language (`en`, `no`, `nl`, `da`), shown instead of
  /// `name` in that language (names.hpp, docs/languages.md); empty for none.
  NameMap names{};
  friend bool operator==(const OurCompany&, const OurCompany&) = default;
};

/// A user group ("General – User group" list).
struct Group {
  std::string id{};
  std::string name{};
  /// Display names per language, as for `OurCompany::names`.
  NameMap names{};
  friend bool operator==(const Group&, const Group&) = default;
};

enum class LicenceKind : std::uint8_t { kSite = 0, kUser = 1 };

/// A licence. A site licence switches a feature on for everyone; a user
/// licence is assigned per user, directly or through a plan.
struct Licence {
  std::string id{};
  std::string name{};
  LicenceKind kind = LicenceKind::kUser;
  /// Purchased seats of a restricted user licence.
  std::uint32_t count = 0;
  /// An unrestricted user licence can be assigned to any number of users.
  bool unrestricted = false;
  /// Licences a holder must also hold (e.g. `web` requires `user`).
  std::vector<std::string> requires_licences{};
  /// Data objects this licence is the "-cal" of: a user without it keeps at
  /// most Select on them.
  std::vector<std::string> cal_for{};
  /// Whether `count` caps how many active users may hold the licence: true
  /// for a restricted user licence only. O(1).
  [[nodiscard]] bool capped() const noexcept { return kind == LicenceKind::kUser && !unrestricted; }
  friend bool operator==(const Licence&, const Licence&) = default;
};

/// A user plan: a named set of user licences assigned together.
struct Plan {
  std::string id{};
  std::string name{};
  std::vector<std::string> licences{};
  friend bool operator==(const Plan&, const Plan&) = default;
};

/// A functional right declared by the host (the built-in catalog is in
/// functional_right.hpp and needs no declaration).
struct FunctionalRightDef {
  std::string id{};
  std::string name{};
  /// A licence the holder must also hold; empty for none.
  std::string requires_licence{};
  /// Holding it takes something away (like the built-in `hide-…` rights):
  /// the system user does not hold it and assigning it is no escalation.
  bool restrictive = false;
  /// Display names per language, as for `OurCompany::names`.
  NameMap names{};
  friend bool operator==(const FunctionalRightDef&, const FunctionalRightDef&) = default;
};

/// A data object registered by the host, with the traits the evaluator uses.
struct DataObjectDef {
  std::string id{};
  std::string name{};
  /// An empty owner counts as the current user (as for company and person).
  bool empty_owner_is_user = false;
  /// "Visible for" applies to records of this object.
  bool has_visibility = false;
  /// Completed records lose Update and Delete (as for sales and requests).
  bool completed_is_locked = false;
  friend bool operator==(const DataObjectDef&, const DataObjectDef&) = default;
};

/// The cells of one data object's row of a role matrix: one C/R/U/D set per
/// relation, indexed by `Relation`.
using RelationCells = std::array<TableRights, kRelationCount>;

/// A role: a type, a data-rights matrix and a set of functional rights.
struct Role {
  std::string id{};
  std::string name{};
  std::string description{};
  RoleType type = RoleType::kEmployee;
  /// Data rights per data object id. An object without a row grants nothing.
  std::map<std::string, RelationCells> data_rights{};
  /// Functional right ids (built-in or declared).
  std::vector<std::string> functional_rights{};
  /// Display names per language, as for `OurCompany::names`. A predefined
  /// role with an entry shows it in that language, whatever its `name`.
  NameMap names{};

  /// The cell for (`object`, `relation`); none if the row is absent.
  [[nodiscard]] TableRights cell(std::string_view object, Relation relation) const {
    auto it = data_rights.find(std::string(object));
    return it == data_rights.end() ? TableRights{} : it->second[static_cast<std::size_t>(relation)];
  }
  /// Sets one cell (only the C/R/U/D bits are kept).
  void set_cell(std::string_view object, Relation relation, TableRights rights) {
    RelationCells& row = data_rights[std::string(object)];
    row[static_cast<std::size_t>(relation)] = rights & TableRights::full();
  }
  [[nodiscard]] bool has_right(std::string_view right) const {
    for (const std::string& r : functional_rights)
      if (r == right) return true;
    return false;
  }
  friend bool operator==(const Role&, const Role&) = default;
};

/// A field-right rule: for users of `role`, on `object`'s `field`, when the
/// record stands in `relation` to them, the field right is at most `rights`
/// (plus the UI hints).
struct FieldRightRule {
  std::string role{};
  std::string object{};
  std::string field{};
  Relation relation = Relation::kOwn;
  FieldRights rights{};  ///< read/write part
  bool ui_mandatory = false;
  bool ui_read_only = false;
  friend bool operator==(const FieldRightRule&, const FieldRightRule&) = default;
};

enum class OverrideLevel : std::uint8_t { kSystem = 0, kGroup = 1, kUser = 2 };
enum class OverrideScope : std::uint8_t { kAll = 0, kNew = 1, kExisting = 2, kRecord = 3 };

/// A rights override (a "preference"): removes rights at system, group or user
/// level. The most specific level present for an (object, scope, field)
/// replaces the less specific ones; an empty removal at user level gives back
/// what a wider level took.
struct Override {
  OverrideLevel level = OverrideLevel::kSystem;
  std::string target{};  ///< the group id or user id; empty at system level
  std::string object{};
  OverrideScope scope = OverrideScope::kAll;
  std::string record{};  ///< the record id when `scope` is `kRecord`
  std::string field{};   ///< empty: table level
  /// Table level: C/R/U/D bits to remove (`TableRights`); field level: R/W
  /// bits (`FieldRights::bits()`).
  std::uint8_t remove = 0;
  friend bool operator==(const Override&, const Override&) = default;
};

/// A user of any type.
struct User {
  std::string id{};
  UserType type = UserType::kAssociate;
  std::string name{};
  /// The person the user is; empty means a person of its own. Two users may
  /// not name the same person.
  std::string person{};
  /// Associates: one of our companies. External users: their (customer)
  /// company, which must not be one of ours.
  std::string company{};
  std::string role{};
  /// Primary user group (associates).
  std::string group{};
  std::vector<std::string> other_groups{};
  std::string plan{};
  std::vector<std::string> licences{};
  /// Projects an external user is a member of.
  std::vector<std::string> projects{};
  bool can_log_in = true;
  bool former_employee = false;
  bool retired = false;
  friend bool operator==(const User&, const User&) = default;
};

namespace detail {
// The item of `items` with id `id`, or null: a linear search (the model's
// collections are vectors in model order).
template <class Vec>
auto* find_by_id(Vec& items, std::string_view id) {
  for (auto& item : items)
    if (item.id == id) return &item;
  return static_cast<decltype(&items[0])>(nullptr);
}

// The position of the item of `items` with id `id`, or `items.size()`. Reads
// through a const view, so that searching the users of a copied model copies
// none of them (chunked_vector.hpp): write the one found through its index.
template <class Seq>
std::size_t position_by_id(const Seq& items, std::string_view id) {
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].id == id) return i;
  return items.size();
}
}  // namespace detail

/// The whole user model.
struct Model {
  std::vector<OurCompany> our_companies{};
  std::vector<Group> groups{};
  std::vector<Licence> licences{};
  std::vector<Plan> plans{};
  std::vector<FunctionalRightDef> functional_rights{};
  std::vector<DataObjectDef> objects{};  ///< custom objects only
  std::vector<Role> roles{};
  std::vector<FieldRightRule> field_rights{};
  std::vector<Override> overrides{};
  /// Shared with the model's copies chunk by chunk (chunked_vector.hpp):
  /// copying a model does not copy its users, and writing one user copies
  /// the 256 around it. Read a shared model's users through a const view.
  ChunkedVector<User> users{};

  /// A model with the twelve predefined roles at sorights' defaults and
  /// nothing else.
  [[nodiscard]] SORIGHTS_API static Model with_defaults();

  // Lookups by id; null when absent. O(n): the model is the cold side.
  [[nodiscard]] SORIGHTS_API Role* find_role(std::string_view id);
  [[nodiscard]] SORIGHTS_API const Role* find_role(std::string_view id) const;
  [[nodiscard]] SORIGHTS_API User* find_user(std::string_view id);
  [[nodiscard]] SORIGHTS_API const User* find_user(std::string_view id) const;
  [[nodiscard]] SORIGHTS_API const Group* find_group(std::string_view id) const;
  [[nodiscard]] SORIGHTS_API const OurCompany* find_our_company(std::string_view id) const;
  [[nodiscard]] SORIGHTS_API const Licence* find_licence(std::string_view id) const;
  [[nodiscard]] SORIGHTS_API const Plan* find_plan(std::string_view id) const;

  friend bool operator==(const Model&, const Model&) = default;
};

/// The ids of the twelve predefined roles, in their display order.
inline constexpr std::array<std::string_view, 12> kPredefinedRoleIds = {
    "level-0",    "level-1",    "level-2", "level-3",  "level-4",   "level-5",
    "list-admin", "user-admin", "local",   "external", "anonymous", "system"};

/// True if `id` is one of the predefined roles.
[[nodiscard]] constexpr bool is_predefined_role(std::string_view id) noexcept {
  for (std::string_view r : kPredefinedRoleIds)
    if (r == id) return true;
  return false;
}

/// The predefined role `id` at sorights' defaults; nothing for another id.
[[nodiscard]] SORIGHTS_API std::optional<Role> predefined_role(std::string_view id);

/// True if functional right `id` is restrictive: a built-in `hide-…` or
/// `ext-need-publish-to-see-…` right, or a right `model` declares with
/// `restrictive` set. False for unknown ids. O(declared rights).
[[nodiscard]] SORIGHTS_API bool is_restrictive_right(const Model& model, std::string_view id);

/// True if `id` names a built-in data object.
[[nodiscard]] constexpr bool is_builtin_object(std::string_view id) noexcept {
  for (std::string_view o : kBuiltinObjectNames)
    if (o == id) return true;
  return false;
}

SORIGHTS_END_NAMESPACE

#ifdef SORIGHTS_HEADER_ONLY
#  include "sorights/model-inl.hpp"
#endif

#endif  // SORIGHTS_MODEL_HPP_
