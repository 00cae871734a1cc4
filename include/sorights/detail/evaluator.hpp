// -----------------------------------------------------------------------------
// File: detail/evaluator.hpp
// -----------------------------------------------------------------------------
// The evaluator behind `Snapshot::rights`, `can`, `field_rights` and
// `explain`: `evaluate<Trace>` (every case, with an optional trace) and
// `fast_rights` (the common case from one CheckRow, falling back to
// `evaluate`). Inline in every build mode: this is the hot path. Both read a
// `SnapshotTables` (detail/snapshot_layout.hpp). They are two
// implementations of one decision, held equal by the differential tests
// (tests/unit/fast_path_test.cpp, docs/design/0005-*.md). No API promise.
#ifndef SORIGHTS_DETAIL_EVALUATOR_HPP_
#define SORIGHTS_DETAIL_EVALUATOR_HPP_

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>

#include "sorights/config.hpp"
#include "sorights/detail/snapshot_layout.hpp"
#include "sorights/explain.hpp"
#include "sorights/record.hpp"
#include "sorights/rights.hpp"
#include "sorights/types.hpp"

#if defined(__SSE2__) || defined(_M_X64)
#  define SORIGHTS_SNAPSHOT_SSE2 1
#  include <emmintrin.h>
#else
#  define SORIGHTS_SNAPSHOT_SSE2 0
#endif

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

// The relation for an associate (or resource) asking, from the facts about
// the owner, in the priority order of docs/rules.md §2: own → anonymous →
// external → primary group → other groups → other associates. Indexed by
// known | own << 1 | anonymous << 2 | external << 3 | primary << 4 | other << 5.
inline constexpr std::array<Relation, 64> kEmployeeRelation = [] {
  std::array<Relation, 64> t{};
  for (unsigned c = 0; c < 64; ++c) {
    Relation r = Relation::kOtherAssociates;
    if (!(c & 1u)) r = Relation::kOtherAssociates;
    else if (c & 2u) r = Relation::kOwn;
    else if (c & 4u) r = Relation::kAnonymous;
    else if (c & 8u) r = Relation::kExternal;
    else if (c & 16u) r = Relation::kPrimaryGroup;
    else if (c & 32u) r = Relation::kOtherGroups;
    t[c] = r;
  }
  return t;
}();

// The relation for an associate asking, as kEmployeeRelation, indexed by
// known | own << 1 | primary << 2 | other << 3 | owner type << 4.
inline constexpr std::array<std::uint8_t, 256> kFastRelation = [] {
  std::array<std::uint8_t, 256> t{};
  for (unsigned c = 0; c < 256; ++c) {
    const unsigned type = c >> 4;
    const unsigned anonymous = type == static_cast<unsigned>(UserType::kAnonymous) ? 1u : 0u;
    const unsigned external = type == static_cast<unsigned>(UserType::kExternal) ? 1u : 0u;
    const unsigned code = (c & 1u) | (c & 2u) | anonymous << 2 | external << 3 | ((c >> 2) & 1u) << 4 |
                          ((c >> 3) & 1u) << 5;
    t[c] = static_cast<std::uint8_t>(kEmployeeRelation[code]);
  }
  return t;
}();

// The tables above, CheckRow::cells and the filter plan's relation bits
// (bit r: relation r) index by the enumerator values: eight relations, 0-7.
static_assert(kRelationCount == 8 && static_cast<int>(Relation::kOwn) == 0 &&
                  static_cast<int>(Relation::kSameProject) == kRelationCount - 1,
              "relations are numbered 0..7 (types.hpp)");

template <class Trace>
inline constexpr bool kTraces = !std::is_same_v<Trace, NoTrace>;

inline constexpr auto kNoGroupValue = static_cast<std::uint32_t>(kNoGroup);
inline constexpr std::uint8_t kUpdateBit = 2, kDeleteBit = 8;

// Whether `group` and `vis_id` are among `u`'s other groups, in one pass.
// The inline groups (up to kInlineGroups, in the record the caller has read)
// with one SSE2 compare; a spilled run of up to 16 with a loop, more with
// binary searches.
struct GroupHits {
  bool group = false;
  bool visibility = false;
};
SORIGHTS_ALWAYS_INLINE GroupHits other_group_hits(const SnapshotTables& t, const UserRec& u, std::uint32_t group,
                                                  std::uint32_t vis_id) noexcept {
  GroupHits hits;
#if SORIGHTS_SNAPSHOT_SSE2
  if (SORIGHTS_LIKELY(u.groups_inline <= kInlineGroups)) {
    const __m128i run = _mm_load_si128(reinterpret_cast<const __m128i*>(u.slots));
    const unsigned lanes = (1u << u.groups_inline) - 1u;
    auto in_run = [&](std::uint32_t g) {
      return (static_cast<unsigned>(_mm_movemask_ps(
                  _mm_castsi128_ps(_mm_cmpeq_epi32(run, _mm_set1_epi32(static_cast<int>(g)))))) &
              lanes) != 0;
    };
    hits.group = in_run(group);
    hits.visibility = in_run(vis_id);
    return hits;
  }
#endif
  const std::span<const std::uint32_t> groups = u.other_groups(t.group_pool_);
  if (SORIGHTS_LIKELY(groups.size() <= 16)) {
    for (const std::uint32_t g : groups) {
      hits.group |= g == group;
      hits.visibility |= g == vis_id;
    }
  } else {
    hits.group = std::binary_search(groups.begin(), groups.end(), group);
    hits.visibility = std::binary_search(groups.begin(), groups.end(), vis_id);
  }
  return hits;
}

// Records owned by associates of another of our companies are hidden
// unless the user may see them (docs/rules.md, "other companies").
inline bool hides_other_company(const Profile& p, const UserRec& u, bool known, OwnerRec o) noexcept {
  return ((p.flags & kProfileSeeOtherCompanies) == 0) & known & (u.in_our_companies != 0) &
         ((o.word & kOwnerInOurCompanies) != 0) & (owner_company(o.word) != u.company);
}

// Branch-free: the evaluator calls it on every company record.
inline bool is_database_owner(const SnapshotTables& t, const Record& r) noexcept {
  return r.database_owner | ((static_cast<std::uint32_t>(r.company) == t.database_owner_) &
                             (t.database_owner_ != static_cast<std::uint32_t>(kNoCompany)));
}

// Whether `record` counts as one of our companies (record-state lock on
// delete): the database owner, a record flagged so, or a company index below
// the snapshot's count of ours.
inline bool is_our_company(const SnapshotTables& t, const Record& record, bool owner_co) noexcept {
  return owner_co | record.our_company | (static_cast<std::uint32_t>(record.company) < t.our_company_count_);
}

// A record's publish window holds at `record.at` (now when unset).
inline bool published_now(const Record& record) noexcept {
  bool visible = record.published;
  if (visible && (record.publish_from != kTimeMin || record.publish_to != kTimeMax)) {
    Time at = record.at;
    if (at == kTimeMin)
      at = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
               .count();
    visible = record.publish_from <= at && at <= record.publish_to;
  }
  return visible;
}

// The facts step 1 of `evaluate` finds about the record's owner.
struct OwnerFacts {
  Relation relation = Relation::kOtherAssociates;
  bool known = false;       // the owner is a user of the snapshot
  OwnerRec owner{};         // the owner's row (the asking user's for an unknown owner)
  bool vis_in_other = false;  // the visibility group is one of the user's other groups
};

// Step 1, the relation (docs/rules.md §2, §3, §15). An unknown owner reads the
// asking user's own record as a harmless stand-in; `known` masks every use.
// The empty-owner fallback (the record is the asking user's) is for employee
// users only; for external and anonymous users an empty owner stays empty and
// the tests after "own" decide.
SORIGHTS_ALWAYS_INLINE OwnerFacts find_relation(const SnapshotTables& t, std::uint32_t ui, const UserRec& u,
                                                const Profile& p, const Record& record,
                                                std::uint8_t traits) noexcept {
  OwnerFacts f;
  const auto utype = static_cast<UserType>(u.type);
  const bool employee = utype != UserType::kExternal && utype != UserType::kAnonymous;
  auto owner = static_cast<std::uint32_t>(record.owner);
  const bool empty_owner_is_user =
      (owner == static_cast<std::uint32_t>(kNoUser)) & ((traits & kTraitEmptyOwnerIsUser) != 0);
  owner = (empty_owner_is_user & employee) ? ui : owner;
  const bool known = owner < t.users_.size();
  const OwnerRec o = t.owners_[known ? owner : ui];
  const bool own = owner == ui;
  const auto otype = static_cast<UserType>(owner_type(o.word));
  const bool owner_anonymous = otype == UserType::kAnonymous;
  const bool owner_external = otype == UserType::kExternal;
  const auto record_group = static_cast<std::uint32_t>(record.group);
  const std::uint32_t no_group_mask = 0u - static_cast<std::uint32_t>(record_group == kNoGroupValue);
  const std::uint32_t group = (o.primary_group & no_group_mask) | (record_group & ~no_group_mask);
  const GroupHits hits = other_group_hits(t, u, group, record.visibility.id);
  f.known = known;
  f.owner = o;
  f.vis_in_other = hits.visibility;
  if (SORIGHTS_LIKELY(employee)) {
    const bool primary = (group == u.primary_group) & (group != kNoGroupValue);
    const unsigned code = static_cast<unsigned>(known) | static_cast<unsigned>(own) << 1 |
                          static_cast<unsigned>(owner_anonymous) << 2 |
                          static_cast<unsigned>(owner_external) << 3 | static_cast<unsigned>(primary) << 4 |
                          static_cast<unsigned>(hits.group & (group != kNoGroupValue)) << 5;
    f.relation = kEmployeeRelation[code];
  } else if (!known && !empty_owner_is_user) {
    // An unknown owner, or an empty one where the object has no fallback.
    f.relation = Relation::kOtherAssociates;
  } else if (own) {
    f.relation = Relation::kOwn;
  } else if (utype == UserType::kExternal && (p.flags & kProfileExtMyCompany) &&
             u.company != static_cast<std::uint32_t>(kNoCompany) &&
             ((known && owner_company(o.word) == u.company) ||
              static_cast<std::uint32_t>(record.company) == u.company)) {
    // With an empty owner (§15) only "the record is about that company" can hold.
    f.relation = Relation::kMyCompany;
  } else if (utype == UserType::kExternal && (p.flags & kProfileExtSameProject) && u.projects_count() != 0 &&
             std::ranges::binary_search(u.projects(t.project_pool_), static_cast<std::uint32_t>(record.project))) {
    f.relation = Relation::kSameProject;
  } else {
    f.relation = (known && owner_anonymous)  ? Relation::kAnonymous
                 : (known && owner_external) ? Relation::kExternal
                                             : Relation::kOtherAssociates;
  }
  return f;
}

// Steps 2-4, the layers that depend on the user and the owner: licence,
// other companies, visibility.
template <class Trace>
SORIGHTS_ALWAYS_INLINE std::uint8_t narrow_by_access(std::uint8_t m, std::uint32_t ui, const UserRec& u,
                                                     const Profile& p, const ObjectInfo info, std::uint8_t traits,
                                                     const Record& record, const OwnerFacts& f, bool is_own,
                                                     Trace& trace) noexcept {
  // 2. Licence: without the feature's user licence, at most Select.
  {
    const std::uint8_t before = m;
    m = static_cast<std::uint8_t>(m & (0xFFu - 0xFEu * static_cast<unsigned>((info.flags & kObjCalLimited) != 0)));
    if constexpr (kTraces<Trace>)
      if (info.flags & kObjCalLimited) trace.layer(Layer::kLicence, TableRights::from_bits(before), TableRights::from_bits(m));
  }
  // 3. Other companies: records owned by associates of another of our companies.
  {
    const bool hide = hides_other_company(p, u, f.known, f.owner);
    const std::uint8_t before = m;
    m = static_cast<std::uint8_t>(m & (static_cast<unsigned>(hide) - 1u));
    if constexpr (kTraces<Trace>)
      if (hide) trace.layer(Layer::kOtherCompany, TableRights::from_bits(before), TableRights{});
  }
  // 4. Visible for: the named associate, the members of the group, and the
  //    owner keep their rights; a hidden follow-up keeps Filtering.
  {
    const auto kind = record.visibility.kind;
    const std::uint32_t vis_id = record.visibility.id;
    const bool applies = ((traits & kTraitVisibility) != 0) & (kind != VisibilityKind::kAll) & !is_own;
    const bool by_associate = kind == VisibilityKind::kAssociate;
    const bool visible = (by_associate & (vis_id == ui)) |
                         (!by_associate & (vis_id != kNoGroupValue) & ((vis_id == u.primary_group) | f.vis_in_other));
    const bool hidden = applies & !visible;
    const std::uint8_t before = m;
    const std::uint8_t filtered = static_cast<std::uint8_t>((((traits & kTraitVisibilityFiltering) != 0) & (m != 0)) << 4);
    const auto hide_mask = static_cast<std::uint8_t>(0u - static_cast<unsigned>(hidden));
    m = static_cast<std::uint8_t>((m & ~hide_mask) | (filtered & hide_mask));
    if constexpr (kTraces<Trace>)
      if (hidden) trace.layer(Layer::kVisibility, TableRights::from_bits(before), TableRights::from_bits(m));
  }
  return m;
}

// Steps 5-7, the layers that depend on the record: publishing, overrides,
// record state.
template <class Trace>
SORIGHTS_ALWAYS_INLINE std::uint8_t narrow_by_record(const SnapshotTables& t, std::uint8_t m, std::uint32_t obj,
                                                     const Profile& p, const ObjectInfo info, std::uint8_t traits,
                                                     const Record& record, bool is_own, Trace& trace) noexcept {
  // 5. Publishing (external users whose role needs it).
  if (SORIGHTS_UNLIKELY((info.flags & kObjNeedPublish) && !is_own) && !published_now(record)) {
    trace.layer(Layer::kPublishing, TableRights::from_bits(m), TableRights{});
    m = 0;
  }
  // 6. Overrides (remove only).
  {
    std::uint8_t remove = record.is_new ? info.remove_new : info.remove_existing;
    if (SORIGHTS_UNLIKELY(p.record_ovr_count != 0 && record.id != 0)) {
      const RecordOverride* b = t.record_overrides_.data() + p.record_ovr_begin;
      const RecordOverride* e = b + p.record_ovr_count;
      const RecordOverride* it = std::lower_bound(
          b, e, std::pair<std::uint32_t, std::uint64_t>(obj, record.id),
          [](const RecordOverride& a, const std::pair<std::uint32_t, std::uint64_t>& k) {
            return a.object != k.first ? a.object < k.first : a.key < k.second;
          });
      if (it != e && it->object == obj && it->key == record.id) remove = static_cast<std::uint8_t>(remove | it->remove);
    }
    const std::uint8_t before = m;
    m = static_cast<std::uint8_t>(m & ~(remove & TableRights::kCrudBits));
    if constexpr (kTraces<Trace>)
      if (remove != 0) trace.layer(Layer::kOverride, TableRights::from_bits(before), TableRights::from_bits(m));
  }
  // 7. Record state.
  {
    const bool completed = record.completed & ((traits & kTraitCompletedLocked) != 0);
    const bool user_person = ((traits & kTraitPerson) != 0) & record.user_person;
    const bool company = (traits & kTraitCompany) != 0;
    const bool owner_co = company & is_database_owner(t, record);
    const bool our_co = company & is_our_company(t, record, owner_co);
    const bool selection = ((traits & kTraitSelection) != 0) & !is_own & ((p.flags & kProfileSelectionAdmin) == 0);
    const unsigned remove = (static_cast<unsigned>(completed | selection) * (kUpdateBit | kDeleteBit)) |
                            (static_cast<unsigned>(user_person | our_co) * kDeleteBit);
    const std::uint8_t before = m;
    m = static_cast<std::uint8_t>(m & ~remove);
    m = static_cast<std::uint8_t>(m | (static_cast<unsigned>(owner_co & ((m & kUpdateBit) != 0)) << 5));
    if constexpr (kTraces<Trace>)
      if (completed | user_person | our_co | selection)
        trace.layer(Layer::kRecordState, TableRights::from_bits(before), TableRights::from_bits(m));
  }
  return m;
}

// The evaluation every check runs; `Trace` records the steps (explain) or
// compiles away (NoTrace, the hot path). Written to be branch-light: the facts
// about the record are computed as booleans and combined with table lookups
// and conditional moves, so a stream of unlike records costs no mispredicted
// branches. The branches left depend on the asking user only (predictable for
// a hot user).
template <class Trace>
SORIGHTS_ALWAYS_INLINE Evaluation evaluate(const SnapshotTables& t, UserIndex user, const Record& record,
                                           Trace& trace) noexcept {
  Evaluation out;
  const auto ui = static_cast<std::uint32_t>(user);
  if (SORIGHTS_UNLIKELY(ui >= t.users_.size())) {
    trace.outcome(Outcome::kNoSuchUser);
    return out;
  }
  const auto obj = static_cast<std::uint32_t>(record.object);
  if (SORIGHTS_UNLIKELY(obj >= t.object_count_)) {
    trace.outcome(Outcome::kNoSuchObject);
    return out;
  }
  const UserRec& u = t.users_[ui];
  const Profile& p = t.profiles_[u.profile];
  if (SORIGHTS_UNLIKELY(!(p.flags & kProfileActive))) {
    trace.outcome(Outcome::kInactiveUser, static_cast<InactiveReason>(u.inactive));
    return out;
  }
  if (SORIGHTS_UNLIKELY(p.flags & kProfileSystem)) {
    trace.outcome(Outcome::kSystemUser);
    out.rights = TableRights::full();
    out.relation = Relation::kOwn;
    out.system = true;
    return out;
  }
  trace.outcome(Outcome::kEvaluated);
  out.evaluated = true;
  const std::uint8_t traits = t.object_traits_[obj];
  const OwnerFacts f = find_relation(t, ui, u, p, record, traits);
  const Relation rel = f.relation;
  out.relation = rel;
  const bool is_own = rel == Relation::kOwn;
  std::uint8_t m = t.role_cells_[(static_cast<std::size_t>(p.role) * t.object_count_ + obj) * kRelationCount +
                                 static_cast<std::size_t>(rel)];
  trace.cell(rel, RoleIndex{p.role}, TableRights::from_bits(m));
  const ObjectInfo info = t.object_info_[p.objects_offset + obj];
  m = narrow_by_access(m, ui, u, p, info, traits, record, f, is_own, trace);
  m = narrow_by_record(t, m, obj, p, info, traits, record, is_own, trace);
  out.rights = TableRights::from_bits(m);
  return out;
}

// `evaluate` without a trace: the cases `fast_rights` leaves out.
[[nodiscard]] SORIGHTS_NOINLINE inline TableRights rights_slow(const SnapshotTables& t, UserIndex user,
                                                               const Record& record) noexcept {
  NoTrace trace;
  return evaluate(t, user, record, trace).rights;
}

// The same answer as `evaluate(...).rights` (tests/unit/fast_path_test.cpp
// compares them), computed from one CheckRow for the common case: an active
// associate, an object without publishing and no record-scoped override for
// the record. Everything else takes `rights_slow`; in particular external and
// anonymous users, for whom an empty owner is not the user (docs/rules.md
// §15), never get here, so the empty-owner fallback below is unconditional.
SORIGHTS_ALWAYS_INLINE TableRights fast_rights(const SnapshotTables& t, UserIndex user,
                                               const Record& record) noexcept {
  const auto ui = static_cast<std::uint32_t>(user);
  const auto obj = static_cast<std::uint32_t>(record.object);
  const std::size_t n = t.owners_.size();
  if (SORIGHTS_UNLIKELY(ui >= n || obj >= t.object_count_)) return {};
  const UserRec& u = t.users_[ui];
  const Profile& p = t.profiles_[u.profile];
  const CheckRow& row = t.check_rows_[p.rows_offset + obj];
  const unsigned rf = row.flags;
  constexpr unsigned kFastProfile = kProfileActive | kProfileEmployeeRelations;
  if (SORIGHTS_UNLIKELY((p.flags & (kFastProfile | kProfileSystem)) != kFastProfile ||
                        (rf & kRowNeedPublish) != 0 || ((rf & kRowRecordOverrides) != 0 && record.id != 0)))
    return rights_slow(t, user, record);

  // Relation: as `evaluate` step 1, for an associate.
  auto owner = static_cast<std::uint32_t>(record.owner);
  owner = ((owner == static_cast<std::uint32_t>(kNoUser)) & ((rf & kRowEmptyOwnerIsUser) != 0)) ? ui : owner;
  const bool known = owner < n;
  const OwnerRec o = t.owners_[known ? owner : ui];
  const bool own = owner == ui;
  auto group = static_cast<std::uint32_t>(record.group);
  group = group == kNoGroupValue ? o.primary_group : group;
  const bool has_group = group != kNoGroupValue;
  const std::uint32_t vis_id = record.visibility.id;
  const GroupHits hits = other_group_hits(t, u, group, vis_id);
  const unsigned code = static_cast<unsigned>(known) | static_cast<unsigned>(own) << 1 |
                        static_cast<unsigned>((group == u.primary_group) & has_group) << 2 |
                        static_cast<unsigned>(hits.group & has_group) << 3 | owner_type(o.word) << 4;
  const std::uint8_t rel = kFastRelation[code];
  const bool is_own = rel == static_cast<std::uint8_t>(Relation::kOwn);
  unsigned m = row.cells[rel];  // licence applied

  // Other companies.
  m &= static_cast<unsigned>(hides_other_company(p, u, known, o)) - 1u;

  // Visible for. From here on, selects on record bits are masks: a stream of
  // unlike records mispredicts branches on them, and on a cold stream each
  // mispredict waits for the record's cache miss. (The owner selects above
  // stay branches: predicted, they let the owner lookup start earlier.)
  {
    const auto kind = record.visibility.kind;
    const bool by_associate = kind == VisibilityKind::kAssociate;
    const bool visible = (by_associate & (vis_id == ui)) |
                         (!by_associate & (vis_id != kNoGroupValue) & ((vis_id == u.primary_group) | hits.visibility));
    const unsigned hidden =
        0u - static_cast<unsigned>(((rf & kRowVisibility) != 0) & (kind != VisibilityKind::kAll) & !is_own & !visible);
    const unsigned filtered = static_cast<unsigned>(((rf & kRowVisibilityFiltering) != 0) & (m != 0)) << 4;
    m = (m & ~hidden) | (filtered & hidden);
  }

  // Overrides, then record state.
  {
    const unsigned is_new = 0u - static_cast<unsigned>(record.is_new);
    m &= ~((row.remove_new & is_new) | (row.remove_existing & ~is_new));
  }
  {
    const bool company = (rf & kRowCompany) != 0;
    const bool owner_co = company & is_database_owner(t, record);
    const bool our_co = company & is_our_company(t, record, owner_co);
    const unsigned remove = (row.lock_completed * static_cast<unsigned>(record.completed)) |
                            (row.lock_person * static_cast<unsigned>(record.user_person)) |
                            (row.lock_selection * static_cast<unsigned>(!is_own)) | (static_cast<unsigned>(our_co) * kDeleteBit);
    m &= ~remove;
    m |= static_cast<unsigned>(owner_co & ((m & kUpdateBit) != 0)) << 5;
  }
  return TableRights::from_bits(m);
}

}  // namespace detail

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_DETAIL_EVALUATOR_HPP_
