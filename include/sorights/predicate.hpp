// -----------------------------------------------------------------------------
// File: predicate.hpp
// -----------------------------------------------------------------------------
// Query push-down: `predicate(snapshot, user, object, action)` returns the
// rule "which stored records of `object` may `user` do `action` to" as a
// structured `Predicate` (owner is me / owner type / effective group in … /
// visibility … / published … / record state …), and `render_sql` turns it
// into a parameterized SQL WHERE fragment for a host's column mapping. A list
// query then returns only what the user may see, without fetching the rest.
//
// The predicate is exact: for every stored record (`is_new` false) the SQL is
// true exactly when `Snapshot::can()` is, provided the mapping's owner
// expressions describe the owner as the snapshot does (see `ColumnMapping`).
// The one exception is a record-scoped override on a non-decimal record id
// (`record_key` hashes those; SQL cannot): `Predicate::exact` is then false
// and the host re-checks the rows with `can()`.
//
// Cold code: building and rendering allocate (a few µs); compiled into
// sorights::sorights (predicate-inl.hpp; inline with SORIGHTS_HEADER_ONLY).
//
// **Example**:
//
//     sorights::ColumnMapping map = sorights::ColumnMapping::with_prefix("r.", "o.");
//     sorights::Predicate p = sorights::predicate(snapshot, alice, sale, sorights::Action::kRead);
//     sorights::SqlFragment where = sorights::render_sql(p, map);
//     // "SELECT r.* FROM sale r LEFT JOIN users o ON o.id = r.owner WHERE " + where.text,
//     // binding where.params in order.
#ifndef SORIGHTS_PREDICATE_HPP_
#define SORIGHTS_PREDICATE_HPP_

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sorights/config.hpp"
#include "sorights/detail/snapshot_access.hpp"
#include "sorights/rights.hpp"
#include "sorights/snapshot.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// The record (and owner) attributes a predicate tests.
enum class PredicateField : std::uint8_t {
  kOwner = 0,           ///< the owner's user id; NULL = empty owner
  kGroup,               ///< the effective group: the record's, else the owner's primary group
  kVisibilityKind,      ///< 0 all (or NULL), 1 associate, 2 group
  kVisibilityId,        ///< a user id or group id, per the kind
  kPublished,           ///< 1 = published
  kPublishFrom,         ///< seconds; NULL = open
  kPublishTo,           ///< seconds; NULL = open
  kCompleted,           ///< 1 = completed
  kUserPerson,          ///< 1 = a person record that is a user
  kOurCompany,          ///< 1 = a company record that is one of our companies
  kDatabaseOwner,       ///< 1 = the database-owner company
  kCompany,             ///< the company id the record is about
  kProject,             ///< the project id
  kRecordId,            ///< the host's record id (decimal)
  kOwnerType,           ///< the owner's `UserType` number; NULL = not a known user
  kOwnerCompany,        ///< the owner's company id
  kOwnerInOurCompanies, ///< 1 = the owner is an associate of one of our companies
};
inline constexpr int kPredicateFieldCount = 17;

/// A node of the predicate tree.
enum class PredicateOp : std::uint8_t {
  kTrue, kFalse, kAnd, kOr, kNot,
  kEq,        ///< field = value (false when the field is NULL)
  kIn,        ///< field in values (false when NULL)
  kIsNull,    ///< field is NULL
  kLe,        ///< field <= value (false when NULL)
  kGe,        ///< field >= value (false when NULL)
  /// The record's relation to the user (classified by `Predicate::relation`)
  /// is one of the `Relation` numbers in values.
  kRelationIn,
};

/// How a record's relation to the user is classified (the evaluator's rule,
/// docs/rules.md §2-3), for the `kRelationIn` node.
struct RelationRule {
  enum class UserKind : std::uint8_t { kEmployee = 0, kAnonymous = 1, kExternal = 2 };
  UserKind kind = UserKind::kEmployee;
  std::string me{};                    ///< the user's id
  bool empty_owner_is_user = false;    ///< an empty owner counts as the user (employees only)
  /// External users on objects whose empty owner would count as the user for
  /// an employee: an empty owner is not the user (docs/rules.md §15), and
  /// the my-company (by the record's company) and same-project tests still
  /// apply instead of "unknown owner, other associates".
  bool empty_owner_tested = false;
  std::string primary_group{};         ///< employees; empty: none
  std::vector<std::string> other_groups{};
  std::string my_company{};            ///< external users with "my company" rights; empty: off
  std::vector<std::string> projects{}; ///< external users with "same project" rights
};

/// A bound value: an integer or a text id.
using PredicateValue = std::variant<std::int64_t, std::string>;

/// A structured, two-valued boolean expression over `PredicateField`s.
struct Predicate {
  struct Node {
    PredicateOp op = PredicateOp::kTrue;
    PredicateField field = PredicateField::kOwner;
    std::uint32_t first = 0;  ///< first child (in `children`) or first value (in `values`)
    std::uint32_t count = 0;
  };
  std::vector<Node> nodes{};
  std::vector<std::uint32_t> children{};
  std::vector<PredicateValue> values{};
  std::uint32_t root = 0;
  RelationRule relation{};
  /// False when a record-scoped override on a non-decimal id could not be
  /// expressed: the SQL may then return a few rows `can()` denies.
  bool exact = true;

  /// True if the predicate is the constant `op` (kTrue or kFalse).
  [[nodiscard]] bool is(PredicateOp op) const noexcept { return !nodes.empty() && nodes[root].op == op; }
};

/// Where each field lives in the host's query: SQL expressions, usually
/// qualified column names. Owner fields come from the host's user table
/// joined on the owner (LEFT JOIN: an unknown owner gives NULL), whose rows
/// hold, per user, what `owner_facts()` returns.
struct ColumnMapping {
  std::string owner = "owner";
  std::string group = "grp";
  std::string visibility_kind = "visibility_kind";
  std::string visibility_id = "visibility_id";
  std::string published = "published";
  std::string publish_from = "publish_from";
  std::string publish_to = "publish_to";
  std::string completed = "completed";
  std::string user_person = "user_person";
  std::string our_company = "our_company";
  std::string database_owner = "database_owner";
  std::string company = "company";
  std::string project = "project";
  std::string record_id = "id";
  std::string owner_type = "owner_type";
  std::string owner_group = "owner_group";
  std::string owner_company = "owner_company";
  std::string owner_in_our_companies = "owner_in_our_companies";
  /// `?` placeholders (SQLite, ODBC) or numbered `$1, $2, …` (PostgreSQL).
  bool numbered_placeholders = false;

  /// The default column names, record columns prefixed with `record` and the
  /// owner columns (`type`, `grp`, `company`, `in_our_companies`) with `owner`.
  static ColumnMapping with_prefix(std::string_view record, std::string_view owner_table) {
    ColumnMapping m;
    for (std::string* c : {&m.owner, &m.group, &m.visibility_kind, &m.visibility_id, &m.published, &m.publish_from,
                           &m.publish_to, &m.completed, &m.user_person, &m.our_company, &m.database_owner,
                           &m.company, &m.project, &m.record_id})
      c->insert(0, record);
    m.owner_type = std::string(owner_table) + "type";
    m.owner_group = std::string(owner_table) + "grp";
    m.owner_company = std::string(owner_table) + "company";
    m.owner_in_our_companies = std::string(owner_table) + "in_our_companies";
    return m;
  }
};

/// A rendered WHERE fragment and its parameters, in placeholder order.
struct SqlFragment {
  std::string text{};
  std::vector<PredicateValue> params{};
};

/// What the owner-side columns hold for one user (for the host's user table
/// or view): its `UserType` number, primary group id (empty: NULL), company
/// id (empty: NULL), and whether it is an associate of one of our companies.
struct OwnerFacts {
  int type = 0;
  std::string_view group{};
  std::string_view company{};
  bool in_our_companies = false;
};

/// The owner-side facts of `user` as the snapshot knows them.
[[nodiscard]] inline OwnerFacts owner_facts(const Snapshot& s, UserIndex user) {
  const auto users = detail::SnapshotAccess::users(s);
  const auto u = static_cast<std::uint32_t>(user);
  if (u >= users.size()) return {};
  const detail::UserRec& r = users[u];
  return OwnerFacts{r.type, s.group_id(GroupIndex{r.primary_group}), s.company_id(CompanyIndex{r.company}),
                    r.in_our_companies != 0};
}


/// The rule for stored records of `object` that `user` may do `action` to,
/// evaluated at time `at` (`kTimeMin` = now; publish windows compare with it).
/// Unknown user or object, or an inactive user: the constant false; the system
/// user: true.
[[nodiscard]] SORIGHTS_API Predicate predicate(const Snapshot& s, UserIndex user, ObjectIndex object, Action action,
                                               Time at = kTimeMin);


/// `p` as a SQL boolean expression over `mapping`, with its parameters in
/// placeholder order. Every comparison is NULL-safe (a NULL field compares
/// false), so `NOT` and `OR` keep their two-valued meaning.
[[nodiscard]] SORIGHTS_API SqlFragment render_sql(const Predicate& p, const ColumnMapping& mapping);

SORIGHTS_END_NAMESPACE

#ifdef SORIGHTS_HEADER_ONLY
#  include "sorights/predicate-inl.hpp"
#endif

#endif  // SORIGHTS_PREDICATE_HPP_
