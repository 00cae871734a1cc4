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
// Cold code: building and rendering allocate (a few µs).
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
#include "sorights/detail/check_plan.hpp"
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

namespace detail {

class PredicateBuilder {
 public:
  explicit PredicateBuilder(Predicate& p) : p_(p) {
    p_.nodes.reserve(64);
    p_.children.reserve(64);
    p_.values.reserve(16);
  }
  std::uint32_t constant(bool v) { return add({v ? PredicateOp::kTrue : PredicateOp::kFalse}); }
  std::uint32_t is_null(PredicateField f) { return add({PredicateOp::kIsNull, f}); }
  std::uint32_t eq(PredicateField f, PredicateValue v) {
    p_.values.push_back(std::move(v));
    return add({PredicateOp::kEq, f, static_cast<std::uint32_t>(p_.values.size() - 1), 1});
  }
  std::uint32_t cmp(PredicateOp op, PredicateField f, std::int64_t v) {
    p_.values.emplace_back(v);
    return add({op, f, static_cast<std::uint32_t>(p_.values.size() - 1), 1});
  }
  template <class It>
  std::uint32_t in(PredicateField f, It begin, It end) {
    const auto first = static_cast<std::uint32_t>(p_.values.size());
    for (It it = begin; it != end; ++it) p_.values.emplace_back(*it);
    const auto n = static_cast<std::uint32_t>(p_.values.size()) - first;
    if (n == 0) return constant(false);
    if (n == 1) return add({PredicateOp::kEq, f, first, 1});
    return add({PredicateOp::kIn, f, first, n});
  }
  std::uint32_t flag(PredicateField f) { return eq(f, std::int64_t{1}); }
  std::uint32_t relation_in(std::uint32_t relbits) {
    if (relbits == 0) return constant(false);
    const auto first = static_cast<std::uint32_t>(p_.values.size());
    for (std::int64_t r = 0; r < kRelationCount; ++r)
      if ((relbits >> r) & 1u) p_.values.emplace_back(r);
    return add({PredicateOp::kRelationIn, PredicateField::kOwner, first,
                static_cast<std::uint32_t>(p_.values.size()) - first});
  }
  std::uint32_t negate(std::uint32_t a) {
    const PredicateOp op = p_.nodes[a].op;
    if (op == PredicateOp::kTrue) return constant(false);
    if (op == PredicateOp::kFalse) return constant(true);
    const auto first = static_cast<std::uint32_t>(p_.children.size());
    p_.children.push_back(a);
    return add({PredicateOp::kNot, PredicateField::kOwner, first, 1});
  }
  std::uint32_t all(std::initializer_list<std::uint32_t> xs) { return combine(PredicateOp::kAnd, xs.begin(), xs.end()); }
  std::uint32_t any(std::initializer_list<std::uint32_t> xs) { return combine(PredicateOp::kOr, xs.begin(), xs.end()); }
  std::uint32_t any(const std::vector<std::uint32_t>& xs) { return combine(PredicateOp::kOr, xs.data(), xs.data() + xs.size()); }
  std::uint32_t all(const std::vector<std::uint32_t>& xs) { return combine(PredicateOp::kAnd, xs.data(), xs.data() + xs.size()); }

 private:
  std::uint32_t add(Predicate::Node n) {
    p_.nodes.push_back(n);
    return static_cast<std::uint32_t>(p_.nodes.size() - 1);
  }
  // And/Or with constant folding and flattening of same-op children.
  std::uint32_t combine(PredicateOp op, const std::uint32_t* b, const std::uint32_t* e) {
    const PredicateOp absorbing = op == PredicateOp::kAnd ? PredicateOp::kFalse : PredicateOp::kTrue;
    const PredicateOp neutral = op == PredicateOp::kAnd ? PredicateOp::kTrue : PredicateOp::kFalse;
    scratch_.clear();
    for (const std::uint32_t* it = b; it != e; ++it) {
      const Predicate::Node& n = p_.nodes[*it];
      if (n.op == absorbing) return constant(op == PredicateOp::kOr);
      if (n.op == neutral) continue;
      if (n.op == op) {
        for (std::uint32_t k = 0; k < n.count; ++k) scratch_.push_back(p_.children[n.first + k]);
      } else {
        scratch_.push_back(*it);
      }
    }
    if (scratch_.empty()) return constant(op == PredicateOp::kAnd);
    if (scratch_.size() == 1) return scratch_[0];
    const auto first = static_cast<std::uint32_t>(p_.children.size());
    p_.children.insert(p_.children.end(), scratch_.begin(), scratch_.end());
    return add({op, PredicateField::kOwner, first, static_cast<std::uint32_t>(scratch_.size())});
  }

  Predicate& p_;
  std::vector<std::uint32_t> scratch_;
};

}  // namespace detail

/// The rule for stored records of `object` that `user` may do `action` to,
/// evaluated at time `at` (`kTimeMin` = now; publish windows compare with it).
/// Unknown user or object, or an inactive user: the constant false; the system
/// user: true.
[[nodiscard]] inline Predicate predicate(const Snapshot& s, UserIndex user, ObjectIndex object, Action action,
                                         Time at = kTimeMin) {
  using F = PredicateField;
  using detail::SnapshotAccess;
  Predicate out;
  detail::PredicateBuilder b(out);
  const detail::CheckPlan p =
      detail::make_check_plan(s, user, object, action, at, detail::CheckPlanInputs{false, true});
  if (p.constant >= 0) {
    out.root = b.constant(p.constant == 1);
    return out;
  }
  const auto& u = SnapshotAccess::users(s)[p.ui];
  const std::string me(s.user_id(user));
  std::vector<std::string> my_groups;  // primary first, then the others
  if (p.primary != static_cast<std::uint32_t>(kNoGroup)) my_groups.emplace_back(s.group_id(GroupIndex{p.primary}));
  for (std::uint32_t k = 0; k < p.groups_count; ++k) my_groups.emplace_back(s.group_id(GroupIndex{p.groups[k]}));

  // The relation: one classification, the role cells that grant the action.
  RelationRule& rr = out.relation;
  rr.kind = static_cast<RelationRule::UserKind>(p.kind);
  rr.me = me;
  rr.empty_owner_is_user = p.empty_owner_is_user;
  rr.empty_owner_tested = p.empty_owner_tested;
  if (p.kind == detail::CheckUserKind::kEmployee) {
    if (p.primary != static_cast<std::uint32_t>(kNoGroup)) rr.primary_group = my_groups.front();
    rr.other_groups.assign(my_groups.begin() + (rr.primary_group.empty() ? 0 : 1), my_groups.end());
  }
  if (p.kind == detail::CheckUserKind::kExternal) {
    if (p.my_company) rr.my_company = std::string(s.company_id(CompanyIndex{p.ucompany}));
    if (p.same_project)
      for (std::uint32_t k = 0; k < p.projects_count; ++k)
        rr.projects.emplace_back(SnapshotAccess::project_id(s, p.projects[k]));
  }
  const std::uint32_t own = p.empty_owner_is_user ? b.any({b.eq(F::kOwner, me), b.is_null(F::kOwner)})
                                                  : b.eq(F::kOwner, me);
  std::vector<std::uint32_t> conj;
  // The relations the SQL classification can yield for this user (the CASE
  // of render_sql): when the action's cells hold every one of them, the
  // relation cannot decide and the test (and its owner lookup) is left out.
  {
    auto bit = [](Relation r) { return std::uint32_t{1} << static_cast<unsigned>(r); };
    std::uint32_t reach = bit(Relation::kOwn) | bit(Relation::kOtherAssociates) | bit(Relation::kAnonymous) |
                          bit(Relation::kExternal);
    if (!rr.my_company.empty()) reach |= bit(Relation::kMyCompany);
    if (!rr.projects.empty()) reach |= bit(Relation::kSameProject);
    if (!rr.primary_group.empty()) reach |= bit(Relation::kPrimaryGroup);
    if (!rr.other_groups.empty()) reach |= bit(Relation::kOtherGroups);
    if ((reach & ~p.relbits) != 0) conj.push_back(b.relation_in(p.relbits));
  }

  // Narrowing layers.
  if (p.other_company)
    conj.push_back(b.negate(b.all({b.negate(b.is_null(F::kOwnerType)), b.flag(F::kOwnerInOurCompanies),
                                   b.negate(b.eq(F::kOwnerCompany, std::string(s.company_id(CompanyIndex{p.ucompany}))))})));
  if (p.visibility) {
    const std::uint32_t kind_all = b.any({b.is_null(F::kVisibilityKind), b.eq(F::kVisibilityKind, std::int64_t{0})});
    const std::uint32_t kind_assoc = b.eq(F::kVisibilityKind, std::int64_t{1});
    const std::uint32_t kind_group = b.all({b.negate(kind_all), b.negate(kind_assoc)});
    conj.push_back(b.any({own, kind_all, b.all({kind_assoc, b.eq(F::kVisibilityId, me)}),
                          b.all({kind_group, b.in(F::kVisibilityId, my_groups.begin(), my_groups.end())})}));
  }
  if (p.publishing)
    conj.push_back(b.any({own, b.all({b.flag(F::kPublished),
                                      b.any({b.is_null(F::kPublishFrom), b.cmp(PredicateOp::kLe, F::kPublishFrom, p.at)}),
                                      b.any({b.is_null(F::kPublishTo), b.cmp(PredicateOp::kGe, F::kPublishTo, p.at)})})}));
  if (p.deny_existing) conj.push_back(b.constant(false));
  if (p.deny_completed) conj.push_back(b.negate(b.flag(F::kCompleted)));
  if (p.deny_user_person) conj.push_back(b.negate(b.flag(F::kUserPerson)));
  if (p.deny_company_protected) {
    std::vector<std::string> ours;
    for (std::uint32_t c = 0; c < p.our_count; ++c) ours.emplace_back(s.company_id(CompanyIndex{c}));
    conj.push_back(b.negate(b.any({b.flag(F::kOurCompany), b.flag(F::kDatabaseOwner),
                                   b.in(F::kCompany, ours.begin(), ours.end())})));
  }
  if (p.deny_selection_not_own) conj.push_back(own);
  // Record-scoped overrides (existing records).
  {
    const detail::Profile& prof = SnapshotAccess::profiles(s)[u.profile];
    const auto ovr = SnapshotAccess::record_overrides(s).subspan(prof.record_ovr_begin, prof.record_ovr_count);
    std::vector<std::int64_t> keys;
    const std::uint8_t bit = TableRights::action_bit(action);
    for (const detail::RecordOverride& r : ovr) {
      if (r.object != static_cast<std::uint16_t>(object) || !(r.remove & bit)) continue;
      if (r.key >> 63) out.exact = false;
      else keys.push_back(static_cast<std::int64_t>(r.key));
    }
    if (!keys.empty()) conj.push_back(b.negate(b.in(F::kRecordId, keys.begin(), keys.end())));
  }
  out.root = b.all(conj);
  return out;
}

namespace detail {

inline const std::string& mapped(const ColumnMapping& m, PredicateField f) {
  switch (f) {
    case PredicateField::kOwner: return m.owner;
    case PredicateField::kGroup: return m.group;
    case PredicateField::kVisibilityKind: return m.visibility_kind;
    case PredicateField::kVisibilityId: return m.visibility_id;
    case PredicateField::kPublished: return m.published;
    case PredicateField::kPublishFrom: return m.publish_from;
    case PredicateField::kPublishTo: return m.publish_to;
    case PredicateField::kCompleted: return m.completed;
    case PredicateField::kUserPerson: return m.user_person;
    case PredicateField::kOurCompany: return m.our_company;
    case PredicateField::kDatabaseOwner: return m.database_owner;
    case PredicateField::kCompany: return m.company;
    case PredicateField::kProject: return m.project;
    case PredicateField::kRecordId: return m.record_id;
    case PredicateField::kOwnerType: return m.owner_type;
    case PredicateField::kOwnerCompany: return m.owner_company;
    case PredicateField::kOwnerInOurCompanies: return m.owner_in_our_companies;
  }
  return m.owner;
}

class SqlRenderer {
 public:
  SqlRenderer(const Predicate& p, const ColumnMapping& m, SqlFragment& out) : p_(p), m_(m), out_(out) {
    group_ = "COALESCE(" + m.group + ", " + m.owner_group + ")";
  }
  void node(std::uint32_t i) {
    const Predicate::Node& n = p_.nodes[i];
    std::string& t = out_.text;
    switch (n.op) {
      case PredicateOp::kTrue: t += "1 = 1"; return;
      case PredicateOp::kFalse: t += "1 = 0"; return;
      case PredicateOp::kNot:
        t += "NOT (";
        node(p_.children[n.first]);
        t += ')';
        return;
      case PredicateOp::kAnd:
      case PredicateOp::kOr:
        for (std::uint32_t k = 0; k < n.count; ++k) {
          if (k) t += n.op == PredicateOp::kAnd ? " AND " : " OR ";
          t += '(';
          node(p_.children[n.first + k]);
          t += ')';
        }
        return;
      case PredicateOp::kRelationIn:
        relation_case();
        t += " IN (";
        for (std::uint32_t k = 0; k < n.count; ++k) {
          if (k) t += ", ";
          t += std::to_string(std::get<std::int64_t>(p_.values[n.first + k]));
        }
        t += ')';
        return;
      case PredicateOp::kIsNull:
        t += field(n.field);
        t += " IS NULL";
        return;
      case PredicateOp::kEq:
      case PredicateOp::kIn:
      case PredicateOp::kLe:
      case PredicateOp::kGe: {
        // Two-valued even when the field is NULL.
        const std::string& f = field(n.field);
        t += f;
        t += " IS NOT NULL AND ";
        t += f;
        t += n.op == PredicateOp::kEq ? " = " : n.op == PredicateOp::kLe ? " <= " : n.op == PredicateOp::kGe ? " >= " : " IN (";
        for (std::uint32_t k = 0; k < n.count; ++k) {
          if (k) t += ", ";
          param(p_.values[n.first + k]);
        }
        if (n.op == PredicateOp::kIn) t += ')';
        return;
      }
    }
  }

 private:
  // CASE … END: the relation number, in the evaluator's order. A NULL test is
  // false in a WHEN, so unknown owners and empty groups fall through.
  void relation_case() {
    const RelationRule& r = p_.relation;
    std::string& t = out_.text;
    t += "(CASE WHEN ";
    t += m_.owner;
    t += " = ";
    param(r.me);
    if (r.empty_owner_is_user) {
      t += " OR ";
      t += m_.owner;
      t += " IS NULL";
    }
    then(Relation::kOwn);
    t += " WHEN ";
    t += m_.owner_type;
    t += " IS NULL";
    if (r.empty_owner_tested) {
      // Only an unknown owner stops here; an empty one meets the tests below.
      t += " AND ";
      t += m_.owner;
      t += " IS NOT NULL";
    }
    then(Relation::kOtherAssociates);
    if (r.kind == RelationRule::UserKind::kExternal) {
      if (!r.my_company.empty()) {
        t += " WHEN ";
        t += m_.owner_company;
        t += " = ";
        param(r.my_company);
        t += " OR ";
        t += m_.company;
        t += " = ";
        param(r.my_company);
        then(Relation::kMyCompany);
      }
      if (!r.projects.empty()) {
        t += " WHEN ";
        list(m_.project, r.projects);
        then(Relation::kSameProject);
      }
    }
    t += " WHEN ";
    t += m_.owner_type;
    is_type(UserType::kAnonymous);
    then(Relation::kAnonymous);
    t += " WHEN ";
    t += m_.owner_type;
    is_type(UserType::kExternal);
    then(Relation::kExternal);
    if (r.kind == RelationRule::UserKind::kEmployee) {
      if (!r.primary_group.empty()) {
        t += " WHEN ";
        t += group_;
        t += " = ";
        param(r.primary_group);
        then(Relation::kPrimaryGroup);
      }
      if (!r.other_groups.empty()) {
        t += " WHEN ";
        list(group_, r.other_groups);
        then(Relation::kOtherGroups);
      }
    }
    t += " ELSE ";
    t += std::to_string(static_cast<int>(Relation::kOtherAssociates));
    t += " END)";
  }
  // " THEN <relation number>": the numbers are the enumerators' values.
  void then(Relation rel) {
    out_.text += " THEN ";
    out_.text += std::to_string(static_cast<int>(rel));
  }
  // " = <user type number>" on the owner type column.
  void is_type(UserType type) {
    out_.text += " = ";
    out_.text += std::to_string(static_cast<int>(type));
  }
  void list(const std::string& f, const std::vector<std::string>& values) {
    std::string& t = out_.text;
    t += f;
    t += " IN (";
    for (std::size_t k = 0; k < values.size(); ++k) {
      if (k) t += ", ";
      param(values[k]);
    }
    t += ')';
  }
  const std::string& field(PredicateField f) const { return f == PredicateField::kGroup ? group_ : mapped(m_, f); }
  void param(const PredicateValue& v) {
    out_.params.push_back(v);
    if (m_.numbered_placeholders) {
      out_.text += '$';
      out_.text += std::to_string(out_.params.size());
    } else {
      out_.text += '?';
    }
  }
  const Predicate& p_;
  const ColumnMapping& m_;
  SqlFragment& out_;
  std::string group_;
};

}  // namespace detail

/// `p` as a SQL boolean expression over `mapping`, with its parameters in
/// placeholder order. Every comparison is NULL-safe (a NULL field compares
/// false), so `NOT` and `OR` keep their two-valued meaning.
[[nodiscard]] inline SqlFragment render_sql(const Predicate& p, const ColumnMapping& mapping) {
  SqlFragment out;
  out.text.reserve(p.nodes.size() * 24);
  out.params.reserve(p.values.size());
  if (p.nodes.empty()) {
    out.text = "1 = 0";
    return out;
  }
  detail::SqlRenderer(p, mapping, out).node(p.root);
  return out;
}

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_PREDICATE_HPP_
