// -----------------------------------------------------------------------------
// File: predicate-inl.hpp
// -----------------------------------------------------------------------------
// Out-of-line definitions for predicate.hpp: building a `Predicate` from the
// check plan and rendering it as SQL (cold, allocates; compiled into
// sorights::sorights).
#ifndef SORIGHTS_PREDICATE_INL_HPP_
#define SORIGHTS_PREDICATE_INL_HPP_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "sorights/detail/check_plan.hpp"
#include "sorights/detail/snapshot_access.hpp"
#include "sorights/predicate.hpp"

SORIGHTS_BEGIN_NAMESPACE

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

SORIGHTS_INLINE Predicate predicate(const Snapshot& s, UserIndex user, ObjectIndex object, Action action, Time at) {
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

SORIGHTS_INLINE SqlFragment render_sql(const Predicate& p, const ColumnMapping& mapping) {
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

#endif  // SORIGHTS_PREDICATE_INL_HPP_
