// -----------------------------------------------------------------------------
// File: tests/reference/naive_evaluator.hpp
// -----------------------------------------------------------------------------
// A deliberately naive reference evaluator, written straight from docs/rules.md
// part 1 and docs/design/0001-evaluation-decisions.md. It shares no code with
// the library's evaluator: it reads the public `Model` value types and works
// on string ids with loops and linear searches. It is slow and obvious on
// purpose; the differential test (tests/unit/differential_test.cpp) checks
// that the compiled `Snapshot` agrees with it.
//
// Rights are plain bytes with the reference model's flag values: Select 1,
// Update 2, Insert 4, Delete 8, Filtering 16, RestrictedUpdate 32; field
// rights Read 1, Write 2, UIHintMandatory 64, UIHintReadOnly 128.
#ifndef SORIGHTS_TESTS_REFERENCE_NAIVE_EVALUATOR_HPP_
#define SORIGHTS_TESTS_REFERENCE_NAIVE_EVALUATOR_HPP_

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "sorights/functional_right.hpp"
#include "sorights/model.hpp"
#include "sorights/record.hpp"

namespace naive {

using Bits = std::uint8_t;
constexpr Bits kSelect = 1, kUpdate = 2, kInsert = 4, kDelete = 8, kFiltering = 16, kRestrictedUpdate = 32;
constexpr Bits kRead = 1, kWrite = 2, kMandatory = 64, kReadOnlyHint = 128;
using Time = std::int64_t;
constexpr Time kOpenStart = std::numeric_limits<Time>::min();
constexpr Time kOpenEnd = std::numeric_limits<Time>::max();

/// A host record in string ids. Empty strings mean "none". The six facts
/// (published, completed, ...) are the public `sorights::RecordFacts` flags:
/// plain inputs, read here by the reference's own logic.
struct Record : sorights::RecordFacts {
  std::string object;
  std::string owner;
  std::string group;
  std::string visible_for = "all";  ///< "all", "associate" or "group"
  std::string visible_id;
  std::string project;
  std::string company;
  std::string id;
  Time publish_from = kOpenStart;
  Time publish_to = kOpenEnd;
  Time at = kOpenStart;  ///< kOpenStart = now
};

template <class Vec, class T>
bool contains(const Vec& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

class Evaluator {
 public:
  explicit Evaluator(const sorights::Model& m) : m_(m) {}

  /// The table rights of `user_id` on `r`.
  Bits rights(const std::string& user_id, const Record& r) const {
    std::string ignored;
    return evaluate(user_id, r, ignored);
  }

  /// The relation found, by name ("" when the matrix is not consulted).
  std::string relation(const std::string& user_id, const Record& r) const {
    std::string rel;
    evaluate(user_id, r, rel);
    return rel;
  }

  /// True if `user_id` holds functional right `right`.
  bool has(const std::string& user_id, const std::string& right) const {
    const sorights::User* u = find_user(user_id);
    if (u == nullptr || !active(*u)) return false;
    // §16: the system user holds every right but the restrictive ones.
    if (u->type == sorights::UserType::kSystem) return right_known(right) && !restrictive(right);
    const sorights::Role* role = role_of(*u);
    if (role == nullptr) return false;
    bool listed = false;
    for (const std::string& f : role->functional_rights)
      if (f == right) listed = true;
    if (!listed) return false;
    for (const sorights::FunctionalRightDef& d : m_.functional_rights)
      if (d.id == right && !d.requires_licence.empty() && !holds(*u, d.requires_licence)) return false;
    return true;
  }

  /// The field rights of `user_id` on `field` of `r`.
  Bits field_rights(const std::string& user_id, const Record& r, const std::string& field) const {
    const sorights::User* u = find_user(user_id);
    if (u == nullptr || !object_known(r.object) || !active(*u)) return 0;
    if (u->type == sorights::UserType::kSystem) return kRead | kWrite;
    std::string rel;
    const Bits t = evaluate(user_id, r, rel);
    Bits f = 0;
    if (t & kSelect) f |= kRead;
    if (t & (r.is_new ? kInsert : kUpdate)) f |= kWrite;
    const sorights::Role* role = role_of(*u);
    for (const sorights::FieldRightRule& rule : m_.field_rights) {
      if (role != nullptr && rule.role == role->id && rule.object == r.object && rule.field == field &&
          std::string(sorights::kRelationNames[static_cast<std::size_t>(rule.relation)]) == rel) {
        const Bits allowed = static_cast<Bits>(rule.rights.bits() & (kRead | kWrite));
        f = static_cast<Bits>(f & allowed);
        if (rule.ui_mandatory) f |= kMandatory;
        if (rule.ui_read_only) f |= kReadOnlyHint;
      }
    }
    if (r.object == "company" && field == "name" && is_database_owner_company(r)) f &= static_cast<Bits>(~kWrite);
    f = static_cast<Bits>(f & ~override_removal(*u, r, field));
    return f;
  }

 private:
  // ---- lookups ---------------------------------------------------------------
  const sorights::User* find_user(const std::string& id) const {
    if (id.empty()) return nullptr;
    for (const sorights::User& u : m_.users)
      if (u.id == id) return &u;
    return nullptr;
  }
  const sorights::Role* find_role(const std::string& id) const {
    for (const sorights::Role& r : m_.roles)
      if (r.id == id) return &r;
    return nullptr;
  }
  // Decision 13: an anonymous user without a role gets the anonymous-type
  // role; a system user without a role gets "system".
  const sorights::Role* role_of(const sorights::User& u) const {
    if (!u.role.empty()) return find_role(u.role);
    if (u.type == sorights::UserType::kAnonymous)
      for (const sorights::Role& r : m_.roles)
        if (r.type == sorights::RoleType::kAnonymous) return &r;
    if (u.type == sorights::UserType::kSystem) return find_role("system");
    return nullptr;
  }
  bool object_known(const std::string& o) const {
    static const char* const kBuiltin[] = {"company",     "person",    "project",  "project_member",
                                           "selection",   "sale",      "stakeholder", "follow_up",
                                           "document",    "relation",  "dashboard", "target"};
    for (const char* b : kBuiltin)
      if (o == b) return true;
    for (const sorights::DataObjectDef& d : m_.objects)
      if (d.id == o) return true;
    return false;
  }
  const sorights::DataObjectDef* custom_object(const std::string& o) const {
    for (const sorights::DataObjectDef& d : m_.objects)
      if (d.id == o) return &d;
    return nullptr;
  }
  bool right_known(const std::string& right) const {
    if (sorights::find_builtin_right(right)) return true;
    for (const sorights::FunctionalRightDef& d : m_.functional_rights)
      if (d.id == right) return true;
    return false;
  }
  // §16: the built-in hide-… and ext-need-publish-to-see-… rights, and
  // declared rights marked restrictive.
  bool restrictive(const std::string& right) const {
    if (sorights::find_builtin_right(right))
      return right.rfind("hide-", 0) == 0 || right.rfind("ext-need-publish-to-see-", 0) == 0;
    for (const sorights::FunctionalRightDef& d : m_.functional_rights)
      if (d.id == right) return d.restrictive;
    return false;
  }
  bool is_ours(const std::string& company) const {
    for (const sorights::OurCompany& c : m_.our_companies)
      if (c.id == company) return true;
    return false;
  }
  bool is_database_owner_company(const Record& r) const {
    if (r.database_owner) return true;
    for (const sorights::OurCompany& c : m_.our_companies)
      if (c.database_owner && !r.company.empty() && c.id == r.company) return true;
    return false;
  }
  // Part 1 §10: retired, former employees, login off and resources hold nothing.
  static bool active(const sorights::User& u) {
    return !u.retired && !u.former_employee && u.can_log_in && u.type != sorights::UserType::kResource;
  }
  // Part 1 §9: every site licence, direct licences and the plan's licences.
  bool holds(const sorights::User& u, const std::string& licence) const {
    for (const sorights::Licence& l : m_.licences)
      if (l.id == licence && l.kind == sorights::LicenceKind::kSite) return true;
    if (contains(u.licences, licence)) return true;
    for (const sorights::Plan& p : m_.plans)
      if (!u.plan.empty() && p.id == u.plan && contains(p.licences, licence)) return true;
    return false;
  }
  bool member_of(const sorights::User& u, const std::string& group) const {
    return !group.empty() && (u.group == group || contains(u.other_groups, group));
  }

  // ---- relation (part 1 §2, §3, §15; decisions 1, 2) ------------------------
  std::string classify(const sorights::User& u, const Record& r) const {
    using sorights::UserType;
    const bool employee = u.type != UserType::kExternal && u.type != UserType::kAnonymous;
    const bool empty_owner_is_user = r.object == "company" || r.object == "person" || r.object == "project" ||
                                     r.object == "relation" ||
                                     (custom_object(r.object) != nullptr && custom_object(r.object)->empty_owner_is_user);
    // §15: an empty owner is the current user for employee users only.
    if (r.owner.empty() && empty_owner_is_user && employee) return "own";
    // §15: for an external user the empty owner is nobody: not own, not the
    // same company through the owner, no owner type; the record's company and
    // project still count.
    if (r.owner.empty() && empty_owner_is_user && u.type == UserType::kExternal) {
      if (has(u.id, "ext-use-my-company-rights") && !u.company.empty() && r.company == u.company)
        return "my_company";
      if (has(u.id, "ext-use-same-project-rights") && !r.project.empty() && contains(u.projects, r.project))
        return "same_project";
      return "other_associates";
    }
    const sorights::User* owner = find_user(r.owner);
    if (owner == nullptr) return "other_associates";  // empty or unknown owner: no further test
    if (owner->id == u.id) return "own";
    if (u.type == UserType::kExternal) {
      if (has(u.id, "ext-use-my-company-rights") && (owner->company == u.company || r.company == u.company))
        return "my_company";
      if (has(u.id, "ext-use-same-project-rights") && !r.project.empty() && contains(u.projects, r.project))
        return "same_project";
      if (owner->type == UserType::kAnonymous) return "anonymous";
      if (owner->type == UserType::kExternal) return "external";
      return "other_associates";
    }
    if (owner->type == UserType::kAnonymous) return "anonymous";
    if (owner->type == UserType::kExternal) return "external";
    if (u.type == UserType::kAnonymous) return "other_associates";
    const std::string group = r.group.empty() ? owner->group : r.group;
    if (!group.empty() && group == u.group) return "primary_group";
    if (!group.empty() && contains(u.other_groups, group)) return "other_groups";
    return "other_associates";
  }

  // ---- overrides (part 1 §8; decision 6) ------------------------------------
  // The bits to remove for `field` ("" = table level) of `r`.
  Bits override_removal(const sorights::User& u, const Record& r, const std::string& field) const {
    struct Key {
      int scope;
      std::string record;
      int level;
      Bits remove;
    };
    std::vector<Key> hits;
    for (const sorights::Override& o : m_.overrides) {
      if (o.object != r.object || o.field != field) continue;
      bool applies = false;
      if (o.level == sorights::OverrideLevel::kSystem) applies = true;
      if (o.level == sorights::OverrideLevel::kGroup) applies = member_of(u, o.target);
      if (o.level == sorights::OverrideLevel::kUser) applies = o.target == u.id;
      if (!applies) continue;
      hits.push_back({static_cast<int>(o.scope), o.scope == sorights::OverrideScope::kRecord ? o.record : "",
                      static_cast<int>(o.level), o.remove});
    }
    Bits removal = 0;
    for (const Key& k : hits) {
      // The most specific level present for this (scope, record) wins;
      // entries at that level are combined.
      int best = -1;
      for (const Key& other : hits)
        if (other.scope == k.scope && other.record == k.record) best = std::max(best, other.level);
      if (k.level != best) continue;
      const auto scope = static_cast<sorights::OverrideScope>(k.scope);
      bool matches = false;
      if (scope == sorights::OverrideScope::kAll) matches = true;
      if (scope == sorights::OverrideScope::kNew) matches = r.is_new;
      if (scope == sorights::OverrideScope::kExisting) matches = !r.is_new;
      if (scope == sorights::OverrideScope::kRecord) matches = !r.id.empty() && r.id == k.record;
      if (matches) removal |= k.remove;
    }
    return static_cast<Bits>(removal & (field.empty() ? 15 : 3));
  }

  // ---- the whole evaluation -------------------------------------------------
  Bits evaluate(const std::string& user_id, const Record& r, std::string& rel) const {
    rel.clear();
    const sorights::User* found = find_user(user_id);
    if (found == nullptr || !object_known(r.object) || !active(*found)) return 0;
    const sorights::User& u = *found;
    if (u.type == sorights::UserType::kSystem) return kSelect | kUpdate | kInsert | kDelete;
    const sorights::Role* role = role_of(u);
    if (role == nullptr) return 0;

    rel = classify(u, r);
    Bits mask = 0;
    for (const auto& [object, cells] : role->data_rights)
      if (object == r.object)
        for (int i = 0; i < sorights::kRelationCount; ++i)
          if (sorights::kRelationNames[static_cast<std::size_t>(i)] == rel)
            mask = static_cast<Bits>(cells[static_cast<std::size_t>(i)].bits() & 15);

    // Licence: a user licence whose cal_for names the object, not held.
    for (const sorights::Licence& l : m_.licences)
      if (l.kind == sorights::LicenceKind::kUser && contains(l.cal_for, r.object) && !holds(u, l.id))
        mask &= kSelect;

    // Other company.
    std::string owner_id = r.owner;
    if (owner_id.empty() && rel == "own") owner_id = u.id;
    const sorights::User* owner = find_user(owner_id);
    if (!has(u.id, "see-other-companies-associates") && owner != nullptr &&
        u.type == sorights::UserType::kAssociate && is_ours(u.company) &&
        owner->type == sorights::UserType::kAssociate && is_ours(owner->company) && owner->company != u.company)
      mask = 0;

    // Visibility.
    const bool has_visibility = r.object == "follow_up" || r.object == "document" || r.object == "sale" ||
                                r.object == "selection" || r.object == "dashboard" ||
                                (custom_object(r.object) != nullptr && custom_object(r.object)->has_visibility);
    if (has_visibility && r.visible_for != "all" && rel != "own") {
      const bool visible = r.visible_for == "associate" ? r.visible_id == u.id : member_of(u, r.visible_id);
      if (!visible) mask = (r.object == "follow_up" && mask != 0) ? kFiltering : Bits{0};
    }

    // Publishing.
    std::string publish_right;
    if (r.object == "project") publish_right = "ext-need-publish-to-see-project";
    if (r.object == "follow_up") publish_right = "ext-need-publish-to-see-appointment";
    if (r.object == "document") publish_right = "ext-need-publish-to-see-document";
    if (r.object == "sale") publish_right = "ext-need-publish-to-see-sale";
    if (u.type == sorights::UserType::kExternal && !publish_right.empty() && has(u.id, publish_right) &&
        rel != "own") {
      Time at = r.at;
      if (at == kOpenStart)
        at = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                 .count();
      const bool after_start = r.publish_from == kOpenStart || r.publish_from <= at;
      const bool before_end = r.publish_to == kOpenEnd || at <= r.publish_to;
      if (!(r.published && after_start && before_end)) mask = 0;
    }

    // Overrides.
    mask = static_cast<Bits>(mask & ~override_removal(u, r, ""));

    // Record state.
    const sorights::DataObjectDef* custom = custom_object(r.object);
    if (r.completed && (r.object == "sale" || (custom != nullptr && custom->completed_is_locked)))
      mask &= static_cast<Bits>(~(kUpdate | kDelete));
    if (r.object == "person" && r.user_person) mask &= static_cast<Bits>(~kDelete);
    if (r.object == "company") {
      const bool db_owner = is_database_owner_company(r);
      if (db_owner || r.our_company || is_ours(r.company)) mask &= static_cast<Bits>(~kDelete);
      if (db_owner && (mask & kUpdate)) mask |= kRestrictedUpdate;
    }
    if (r.object == "selection" && rel != "own" && !has(u.id, "admin-all") && !has(u.id, "admin-users"))
      mask &= static_cast<Bits>(~(kUpdate | kDelete));
    return mask;
  }

  const sorights::Model& m_;
};

}  // namespace naive

#endif  // SORIGHTS_TESTS_REFERENCE_NAIVE_EVALUATOR_HPP_
