// -----------------------------------------------------------------------------
// File: types.hpp
// -----------------------------------------------------------------------------
// The vocabulary of the model: user types, role types, ownership relations,
// the built-in data objects, and the dense indexes a compiled `Snapshot` uses
// in place of string ids. Everything here is `constexpr` and allocation-free.
#ifndef SORIGHTS_TYPES_HPP_
#define SORIGHTS_TYPES_HPP_

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "sorights/config.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// The kind of a user (the reference model (docs/rules.md, "Reference")).
enum class UserType : std::uint8_t {
  kAssociate = 0,  ///< an employee: signs in, has groups and a role
  kResource = 1,   ///< a bookable room or device: never signs in, holds nothing
  kExternal = 2,   ///< a contact person of a customer or partner
  kAnonymous = 3,  ///< the unauthenticated identity of a portal
  kSystem = 4,     ///< an integration identity: bypasses every check
};
inline constexpr std::array<std::string_view, 5> kUserTypeNames = {
    "associate", "resource", "external", "anonymous", "system"};

/// The type of a role; fixed when the role is created.
enum class RoleType : std::uint8_t { kEmployee = 0, kExternal = 1, kAnonymous = 2, kSystem = 3 };
inline constexpr std::array<std::string_view, 4> kRoleTypeNames = {"employee", "external",
                                                                   "anonymous", "system"};

/// A column of the role matrix: how a record relates to the user who asks.
/// The values are the reference model's `RelationToOwner` numbers.
enum class Relation : std::uint8_t {
  kOwn = 0,
  kPrimaryGroup = 1,
  kOtherAssociates = 2,
  kOtherGroups = 3,
  kExternal = 4,
  kAnonymous = 5,
  kMyCompany = 6,
  kSameProject = 7,
};
inline constexpr int kRelationCount = 8;
/// Relation names indexed by the enumerator value.
inline constexpr std::array<std::string_view, kRelationCount> kRelationNames = {
    "own",      "primary_group", "other_associates", "other_groups",
    "external", "anonymous",     "my_company",       "same_project"};
/// The relations in the order a person reads the admin grid.
inline constexpr std::array<Relation, kRelationCount> kRelationDisplayOrder = {
    Relation::kOwn,       Relation::kPrimaryGroup, Relation::kOtherGroups,
    Relation::kOtherAssociates, Relation::kExternal, Relation::kAnonymous,
    Relation::kMyCompany, Relation::kSameProject};

/// The built-in data objects; hosts may register more (custom objects get the
/// indexes after these).
enum class BuiltinObject : std::uint16_t {
  kCompany = 0,
  kPerson = 1,
  kProject = 2,
  kProjectMember = 3,
  kSelection = 4,
  kSale = 5,
  kStakeholder = 6,
  kFollowUp = 7,
  kDocument = 8,
  kRelation = 9,
  kDashboard = 10,
  kTarget = 11,
};
inline constexpr int kBuiltinObjectCount = 12;
inline constexpr std::array<std::string_view, kBuiltinObjectCount> kBuiltinObjectNames = {
    "company",  "person",    "project",   "project_member", "selection", "sale",
    "stakeholder", "follow_up", "document", "relation",      "dashboard", "target"};

/// How a record restricts who sees it ("Visible for").
enum class VisibilityKind : std::uint8_t { kAll = 0, kAssociate = 1, kGroup = 2 };

// Dense indexes into a compiled `Snapshot`. Each is a distinct type so that a
// group index cannot be passed where a user index is wanted. An index that the
// snapshot does not hold (including the sentinels) is simply unknown: checks
// treat it as a deny, never as undefined behaviour.
enum class UserIndex : std::uint32_t {};
enum class GroupIndex : std::uint32_t {};
enum class RoleIndex : std::uint32_t {};
enum class CompanyIndex : std::uint32_t {};
enum class ProjectIndex : std::uint32_t {};
enum class ObjectIndex : std::uint16_t {};
enum class RightIndex : std::uint32_t {};
enum class FieldIndex : std::uint32_t {};

/// "No user": a record with an empty owner.
inline constexpr UserIndex kNoUser{std::numeric_limits<std::uint32_t>::max()};
/// A user id the snapshot does not know (what `find_user` returns on a miss).
inline constexpr UserIndex kUnknownUser{std::numeric_limits<std::uint32_t>::max() - 1};
inline constexpr GroupIndex kNoGroup{std::numeric_limits<std::uint32_t>::max()};
inline constexpr GroupIndex kUnknownGroup{std::numeric_limits<std::uint32_t>::max() - 1};
inline constexpr RoleIndex kUnknownRole{std::numeric_limits<std::uint32_t>::max() - 1};
inline constexpr CompanyIndex kNoCompany{std::numeric_limits<std::uint32_t>::max()};
inline constexpr CompanyIndex kUnknownCompany{std::numeric_limits<std::uint32_t>::max() - 1};
inline constexpr ProjectIndex kNoProject{std::numeric_limits<std::uint32_t>::max()};
inline constexpr ProjectIndex kUnknownProject{std::numeric_limits<std::uint32_t>::max() - 1};
inline constexpr ObjectIndex kUnknownObject{std::numeric_limits<std::uint16_t>::max()};
inline constexpr RightIndex kUnknownRight{std::numeric_limits<std::uint32_t>::max() - 1};
inline constexpr FieldIndex kUnknownField{std::numeric_limits<std::uint32_t>::max() - 1};

/// The index of a built-in object.
[[nodiscard]] constexpr ObjectIndex object_index(BuiltinObject o) noexcept {
  return ObjectIndex{static_cast<std::uint16_t>(o)};
}

/// Seconds since 1970-01-01T00:00:00Z.
using Time = std::int64_t;
inline constexpr Time kTimeMin = std::numeric_limits<Time>::min();
inline constexpr Time kTimeMax = std::numeric_limits<Time>::max();

template <class Enum, std::size_t N>
[[nodiscard]] constexpr std::optional<Enum> parse_enum(
    const std::array<std::string_view, N>& names, std::string_view s) noexcept {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<Enum>(i);
  return std::nullopt;
}

/// Parses `own`, `primary_group`, ...; nothing for anything else.
[[nodiscard]] constexpr std::optional<Relation> parse_relation(std::string_view s) noexcept {
  return parse_enum<Relation>(kRelationNames, s);
}
[[nodiscard]] constexpr std::optional<UserType> parse_user_type(std::string_view s) noexcept {
  return parse_enum<UserType>(kUserTypeNames, s);
}
[[nodiscard]] constexpr std::optional<RoleType> parse_role_type(std::string_view s) noexcept {
  return parse_enum<RoleType>(kRoleTypeNames, s);
}
/// The name of `r`; `unknown` for a value that is no `Relation`.
[[nodiscard]] constexpr std::string_view relation_name(Relation r) noexcept {
  const auto i = static_cast<std::uint8_t>(r);
  return i < kRelationCount ? kRelationNames[i] : std::string_view("unknown");
}
[[nodiscard]] constexpr std::string_view user_type_name(UserType t) noexcept {
  return static_cast<std::size_t>(t) < kUserTypeNames.size() ? kUserTypeNames[static_cast<std::size_t>(t)] : "unknown";
}
[[nodiscard]] constexpr std::string_view role_type_name(RoleType t) noexcept {
  return static_cast<std::size_t>(t) < kRoleTypeNames.size() ? kRoleTypeNames[static_cast<std::size_t>(t)] : "unknown";
}

/// The role type a user of type `t` must hold; nothing for resources (who hold
/// no role that matters).
[[nodiscard]] constexpr std::optional<RoleType> role_type_for(UserType t) noexcept {
  switch (t) {
    case UserType::kAssociate: return RoleType::kEmployee;
    case UserType::kExternal: return RoleType::kExternal;
    case UserType::kAnonymous: return RoleType::kAnonymous;
    case UserType::kSystem: return RoleType::kSystem;
    case UserType::kResource: return std::nullopt;
  }
  return std::nullopt;
}

/// A stable 64-bit key for a host record id. Decimal ids map to their value;
/// any other string to its FNV-1a hash with the top bit set, so that
/// record-scoped overrides (`record:ID`) work with any id scheme.
[[nodiscard]] constexpr std::uint64_t record_key(std::string_view id) noexcept {
  bool decimal = !id.empty() && id.size() <= 18;
  std::uint64_t value = 0;
  for (char c : id) {
    if (c < '0' || c > '9') { decimal = false; break; }
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (decimal) return value;
  std::uint64_t h = 14695981039346656037ull;
  for (char c : id) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h | (1ull << 63);
}

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_TYPES_HPP_
