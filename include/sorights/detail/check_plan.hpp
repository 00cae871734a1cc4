// -----------------------------------------------------------------------------
// File: detail/check_plan.hpp
// -----------------------------------------------------------------------------
// The check plan: everything about a check that depends only on (user,
// object, action), decided once from the user's profile and its `CheckRow`
// (the role's cells after the licence cap): which relations hold the action,
// which later rules can remove it, the user's groups and projects. The batch
// filter's kernels (detail/filter_kernels.hpp) apply it to record columns,
// the predicate builder (predicate.hpp) turns it into SQL. No API promise.
#ifndef SORIGHTS_DETAIL_CHECK_PLAN_HPP_
#define SORIGHTS_DETAIL_CHECK_PLAN_HPP_

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <span>
#include <utility>

#include "sorights/config.hpp"
#include "sorights/detail/snapshot_access.hpp"
#include "sorights/rights.hpp"
#include "sorights/snapshot.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

enum class CheckUserKind : std::uint8_t { kEmployee = 0, kAnonymous = 1, kExternal = 2 };

// Everything that depends only on (user, object, action), decided once.
struct CheckPlan {
  int constant = 0;  // -1: evaluate per record; 0: deny all; 1: allow all
  std::uint32_t ui = 0;
  std::uint32_t n_users = 0;
  std::uint32_t primary = 0;
  std::uint32_t ucompany = 0;
  std::uint32_t our_count = 0;
  std::uint32_t relbits = 0;  // bit r: relation r's cell (after licence) holds the action
  CheckUserKind kind = CheckUserKind::kEmployee;
  // An empty owner is the user: employees only (docs/rules.md §15).
  bool empty_owner_is_user = false;
  // External users on the same objects: an empty owner is not theirs, but the
  // record still meets the my-company (by its company) and same-project tests.
  bool empty_owner_tested = false;
  bool other_company = false;
  bool visibility = false;
  bool publishing = false;
  bool deny_new = false;
  bool deny_existing = false;
  bool deny_completed = false;
  bool deny_user_person = false;
  bool deny_company_protected = false;
  bool deny_selection_not_own = false;
  bool my_company = false;
  bool same_project = false;
  // False if the relation of a record owned by another known user never
  // changes the answer (every relation such a record can have gives the same
  // cell bit, and no company rule reads the owner): then the kernels read no
  // owner facts at all.
  bool owner_facts = true;
  // False if the group part of an employee's relation (primary group, other
  // groups, other associates) never changes the answer: then the vector
  // kernels read neither the group column nor the owner's primary group.
  bool group_facts = true;
  const std::uint32_t* groups = nullptr;
  std::uint32_t groups_count = 0;
  const std::uint32_t* projects = nullptr;
  std::uint32_t projects_count = 0;
  const OwnerRec* owners = nullptr;
  const RecordOverride* ovr_begin = nullptr;  // record overrides of this object that remove the action
  const RecordOverride* ovr_end = nullptr;
  std::uint16_t object = 0;
  Time at = 0;
};

// The relations a record owned by another known user can have for a user of
// `kind` (see filter_one): employees tell groups apart, external users see
// company and project relations.
constexpr std::uint32_t other_owner_relations(CheckUserKind kind) noexcept {
  using R = Relation;
  auto b = [](R r) { return 1u << static_cast<unsigned>(r); };
  std::uint32_t reach = b(R::kOtherAssociates) | b(R::kExternal) | b(R::kAnonymous);
  if (kind == CheckUserKind::kEmployee) reach |= b(R::kPrimaryGroup) | b(R::kOtherGroups);
  if (kind == CheckUserKind::kExternal) reach |= b(R::kMyCompany) | b(R::kSameProject);
  return reach;
}

// The record-scoped overrides of profile `p` for object `obj` (sorted by
// object, then key): a range of the snapshot's table, empty if none.
inline std::pair<const RecordOverride*, const RecordOverride*> object_record_overrides(const Snapshot& s,
                                                                                        const Profile& p,
                                                                                        std::uint32_t obj) noexcept {
  const RecordOverride* first = SnapshotAccess::record_overrides(s).data() + p.record_ovr_begin;
  const RecordOverride* last = first + p.record_ovr_count;
  const RecordOverride* b = std::partition_point(first, last, [&](const RecordOverride& x) { return x.object < obj; });
  const RecordOverride* e = std::partition_point(b, last, [&](const RecordOverride& x) { return x.object == obj; });
  return {b, e};
}

// The override of record key `key` in an object's range, or null.
inline const RecordOverride* find_record_override(const RecordOverride* b, const RecordOverride* e,
                                                  std::uint64_t key) noexcept {
  if (key == 0 || b == e) return nullptr;
  const RecordOverride* it =
      std::lower_bound(b, e, key, [](const RecordOverride& a, std::uint64_t k) { return a.key < k; });
  return it != e && it->key == key ? it : nullptr;
}

// What the records a plan is for carry.
struct CheckPlanInputs {
  bool record_ids = false;       // ids: record-scoped overrides can apply
  bool publish_windows = false;  // publish windows: "now" (`at` == kTimeMin) is resolved
};

// The user-level part of a plan (everything but the object and the action):
// `constant` is 0 for an unknown or inactive user, 1 for a system user,
// -1 otherwise (then decided per object by `complete_object_plan`).
inline CheckPlan make_user_plan(const Snapshot& s, UserIndex user) noexcept {
  using A = SnapshotAccess;
  CheckPlan plan;
  const auto users = A::users(s);
  const auto ui = static_cast<std::uint32_t>(user);
  if (ui >= users.size()) return plan;  // deny all
  const UserRec& u = users[ui];
  const Profile& p = A::profiles(s)[u.profile];
  if (!(p.flags & kProfileActive)) return plan;
  if (p.flags & kProfileSystem) {
    plan.constant = 1;
    return plan;
  }
  plan.constant = -1;
  plan.ui = ui;
  plan.n_users = static_cast<std::uint32_t>(users.size());
  plan.primary = u.primary_group;
  plan.ucompany = u.company;
  plan.our_count = A::our_company_count(s);
  const auto utype = static_cast<UserType>(u.type);
  plan.kind = utype == UserType::kExternal    ? CheckUserKind::kExternal
              : utype == UserType::kAnonymous ? CheckUserKind::kAnonymous
                                              : CheckUserKind::kEmployee;
  plan.other_company = !(p.flags & kProfileSeeOtherCompanies) && u.in_our_companies;
  plan.my_company = (p.flags & kProfileExtMyCompany) && u.company != static_cast<std::uint32_t>(kNoCompany);
  plan.same_project = (p.flags & kProfileExtSameProject) && u.projects_count() != 0;
  const std::span<const std::uint32_t> groups = u.other_groups(A::group_pool(s));
  plan.groups = groups.data();
  plan.groups_count = static_cast<std::uint32_t>(groups.size());
  const std::span<const std::uint32_t> projects = u.projects(A::project_pool(s));
  plan.projects = projects.data();
  plan.projects_count = static_cast<std::uint32_t>(projects.size());
  plan.owners = A::owners(s).data();
  return plan;
}

// Completes `plan`, a user plan (from `make_user_plan` on the same snapshot),
// for one object and action, in place: then it is the plan `make_check_plan`
// makes.
inline void complete_object_plan(const Snapshot& s, CheckPlan& plan, ObjectIndex object, Action action, Time at,
                                 CheckPlanInputs inputs) noexcept {
  using A = SnapshotAccess;
  const auto obj = static_cast<std::uint32_t>(object);
  if (obj >= A::object_count(s) || plan.constant >= 0) {  // deny all, or the user decides
    const int constant = obj >= A::object_count(s) ? 0 : plan.constant;
    plan = CheckPlan{};
    plan.constant = constant;
    return;
  }
  const Profile& p = A::profiles(s)[A::users(s)[plan.ui].profile];
  const std::uint8_t bit = TableRights::action_bit(action);
  // The role's cells with the licence cap applied, as the check's row holds them.
  const CheckRow& row = A::check_rows(s)[p.rows_offset + obj];
  std::uint32_t relbits = 0;
  for (int r = 0; r < kRelationCount; ++r)
    if (row.cells[r] & bit) relbits |= 1u << r;
  // No relation holds the action, and every later rule only removes it.
  if (relbits == 0) {
    plan = CheckPlan{};
    return;
  }
  plan.relbits = relbits;
  const std::uint8_t traits = A::object_traits(s)[obj];
  const ObjectInfo info = A::object_info(s)[p.objects_offset + obj];
  plan.empty_owner_is_user = (traits & kTraitEmptyOwnerIsUser) != 0 && plan.kind == CheckUserKind::kEmployee;
  plan.empty_owner_tested = (traits & kTraitEmptyOwnerIsUser) != 0 && plan.kind == CheckUserKind::kExternal;
  plan.visibility = (traits & kTraitVisibility) != 0;
  plan.publishing = (info.flags & kObjNeedPublish) != 0;
  plan.deny_new = (info.remove_new & bit) != 0;
  plan.deny_existing = (info.remove_existing & bit) != 0;
  constexpr std::uint8_t kUD = static_cast<std::uint8_t>(TableRight::kUpdate) | static_cast<std::uint8_t>(TableRight::kDelete);
  constexpr std::uint8_t kD = static_cast<std::uint8_t>(TableRight::kDelete);
  plan.deny_completed = (traits & kTraitCompletedLocked) && (bit & kUD);
  plan.deny_user_person = (traits & kTraitPerson) && (bit & kD);
  plan.deny_company_protected = (traits & kTraitCompany) && (bit & kD);
  plan.deny_selection_not_own = (traits & kTraitSelection) && !(p.flags & kProfileSelectionAdmin) && (bit & kUD);
  {
    // An external user's empty-owner record (see empty_owner_tested) reaches
    // a subset of these relations, so it needs owner facts exactly when they do.
    using R = Relation;
    auto b = [](R r) { return 1u << static_cast<unsigned>(r); };
    const std::uint32_t reach = other_owner_relations(plan.kind);
    const std::uint32_t others = plan.relbits & reach;
    plan.owner_facts = plan.other_company || (others != 0 && others != reach);
    const std::uint32_t groups = b(R::kPrimaryGroup) | b(R::kOtherAssociates) | b(R::kOtherGroups);
    const std::uint32_t gcells = plan.relbits & groups;
    plan.group_facts = plan.owner_facts && plan.kind == CheckUserKind::kEmployee && gcells != 0 && gcells != groups;
  }
  // Record-scoped overrides of this object that remove the action's bit.
  if (p.record_ovr_count != 0 && inputs.record_ids) {
    const auto [b, f] = object_record_overrides(s, p, obj);
    bool any = false;
    for (const RecordOverride* it = b; it != f; ++it) any = any || (it->remove & bit) != 0;
    if (any) {
      plan.ovr_begin = b;
      plan.ovr_end = f;
    }
  }
  plan.object = static_cast<std::uint16_t>(obj);
  plan.at = at;
  if (plan.publishing && plan.at == kTimeMin && inputs.publish_windows)
    plan.at = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
}

// The plan of (user, object, action) at time `at` (kTimeMin: now, read only
// when publishing applies and `inputs` carries publish windows).
inline CheckPlan make_check_plan(const Snapshot& s, UserIndex user, ObjectIndex object, Action action, Time at,
                                 CheckPlanInputs inputs) noexcept {
  CheckPlan plan = make_user_plan(s, user);
  complete_object_plan(s, plan, object, action, at, inputs);
  return plan;
}

}  // namespace detail

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_DETAIL_CHECK_PLAN_HPP_
