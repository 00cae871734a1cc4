// -----------------------------------------------------------------------------
// File: record.hpp
// -----------------------------------------------------------------------------
// `sorights::Record`: what a host knows of one of its records, in the dense
// indexes of a `Snapshot`. sorights never stores CRM data; a check takes this
// small descriptor (64 bytes, one cache line, trivially copyable) by const reference.
//
// **Example**:
//
//     sorights::Record sale;
//     sale.object = snapshot.find_object("sale");
//     sale.owner = snapshot.find_user("bob");          // group: bob's primary group
//     sale.visibility = sorights::Visibility::group(snapshot.find_group("sales"));
//     sale.completed = true;
#ifndef SORIGHTS_RECORD_HPP_
#define SORIGHTS_RECORD_HPP_

#include <cstdint>
#include <optional>
#include <string_view>

#include "sorights/config.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// A record's "Visible for" setting.
struct Visibility {
  VisibilityKind kind = VisibilityKind::kAll;
  std::uint32_t id = 0;  ///< a `GroupIndex` or `UserIndex` value, per `kind`

  static constexpr Visibility all() noexcept { return {}; }
  static constexpr Visibility group(GroupIndex g) noexcept {
    return {VisibilityKind::kGroup, static_cast<std::uint32_t>(g)};
  }
  static constexpr Visibility associate(UserIndex u) noexcept {
    return {VisibilityKind::kAssociate, static_cast<std::uint32_t>(u)};
  }
};

/// A "Visible for" setting written as text, as the command line, policy
/// test files and the bindings take it: `all`, `group:ID` or `associate:ID`.
struct VisibilityText {
  VisibilityKind kind = VisibilityKind::kAll;
  std::string_view id{};  ///< the group or user id (a view into the text); empty for `all`
};

/// Splits `text` into its kind and id; nothing for any other text (an empty
/// one included). The id is not checked: the caller resolves it.
[[nodiscard]] constexpr std::optional<VisibilityText> parse_visibility_text(std::string_view text) noexcept {
  if (text == "all") return VisibilityText{};
  if (text.starts_with("group:")) return VisibilityText{VisibilityKind::kGroup, text.substr(6)};
  if (text.starts_with("associate:")) return VisibilityText{VisibilityKind::kAssociate, text.substr(10)};
  return std::nullopt;
}

/// The descriptor of one host record.
///
/// Every field has a safe default: an empty owner and group, visible for all,
/// not published, an existing record. Ids the snapshot does not know are
/// allowed and are treated as docs/rules.md says (an unknown owner is
/// "other associates"; an unknown object denies everything).
struct Record {
  ObjectIndex object = kUnknownObject;
  bool published : 1 = false;
  bool completed : 1 = false;
  /// A record not yet stored: creating it is what matters (Insert).
  bool is_new : 1 = false;
  /// A person record that is a user (cannot be deleted).
  bool user_person : 1 = false;
  /// A company record that is one of our companies (cannot be deleted).
  /// Also derived when `company` is one of our companies.
  bool our_company : 1 = false;
  /// The database-owner company (cannot be deleted; name read-only).
  /// Also derived when `company` is the database owner.
  bool database_owner : 1 = false;
  /// The owner ("Our contact", "Responsible", diary owner). `kNoUser` = empty.
  UserIndex owner = kNoUser;
  /// The group stored on the record; `kNoGroup` falls back to the owner's
  /// primary group.
  GroupIndex group = kNoGroup;
  Visibility visibility{};
  /// The project the record belongs to (external users' "same project").
  ProjectIndex project = kNoProject;
  /// The company the record is about (external users' "my company"; for a
  /// company record, the company itself).
  CompanyIndex company = kNoCompany;
  /// The host's record id as a key (see `record_key()`), for record-scoped
  /// overrides. 0 = none.
  std::uint64_t id = 0;
  /// Publish window, both ends included; `kTimeMin`/`kTimeMax` are open ends.
  Time publish_from = kTimeMin;
  Time publish_to = kTimeMax;
  /// Evaluation time. `kTimeMin` means "now" (read from the system clock only
  /// when a publish window has to be checked).
  Time at = kTimeMin;
};
static_assert(sizeof(Record) == 64, "a record descriptor is one cache line");

/// The six facts of a record as plain flags, as a record *description*
/// holds them (a policy test's `PolicyRecord`, the Python `Record`); a
/// `Record` holds the same facts as bit fields (`detail::copy_record_facts`).
struct RecordFacts {
  bool published = false;
  bool completed = false;
  bool is_new = false;
  bool user_person = false;
  bool our_company = false;
  bool database_owner = false;
  friend bool operator==(const RecordFacts&, const RecordFacts&) = default;
};

namespace detail {

// Copies the six facts of a record description (any type with the bool
// members of `RecordFacts`) into `to`'s bit fields.
template <class Facts>
constexpr void copy_record_facts(const Facts& from, Record& to) noexcept {
  to.published = from.published;
  to.completed = from.completed;
  to.is_new = from.is_new;
  to.user_person = from.user_person;
  to.our_company = from.our_company;
  to.database_owner = from.database_owner;
}

}  // namespace detail

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_RECORD_HPP_
