// -----------------------------------------------------------------------------
// File: detail/snapshot_layout.hpp
// -----------------------------------------------------------------------------
// The table layout of a compiled `Snapshot`: the packed records the evaluator
// reads (UserRec, OwnerRec, Profile, ObjectInfo, CheckRow), the override and
// field-rule rows, the name tables, the evaluation traces, and
// `SnapshotTables`, which holds them all. Written by the builder
// (detail/snapshot_builder.hpp), read by the evaluator (detail/evaluator.hpp),
// the batch evaluators and the predicate builder (through SnapshotAccess).
// No API promise.
#ifndef SORIGHTS_DETAIL_SNAPSHOT_LAYOUT_HPP_
#define SORIGHTS_DETAIL_SNAPSHOT_LAYOUT_HPP_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sorights/config.hpp"
#include "sorights/explain.hpp"
#include "sorights/record.hpp"
#include "sorights/rights.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

// Drops `c`'s spare capacity. The standard library's `shrink_to_fit` is a
// request that libstdc++ ignores when exceptions are off, as they are in the
// compiled library; a copy of the right size always does it.
template <class Container>
void shrink_to_fit(Container& c) {
  if (c.capacity() != c.size()) Container(c.begin(), c.end()).swap(c);
}

// A compact, sorted string → index table: one char pool, offsets, and the
// indexes in id order. O(log n) lookups, about 8 bytes per entry + the chars.
class NameTable {
 public:
  void reserve(std::size_t n, std::size_t chars) {
    offsets_.reserve(n + 1);
    pool_.reserve(chars);
  }
  std::uint32_t add(std::string_view name) {
    if (offsets_.empty()) offsets_.push_back(0);
    pool_.append(name);
    offsets_.push_back(static_cast<std::uint32_t>(pool_.size()));
    return static_cast<std::uint32_t>(offsets_.size() - 2);
  }
  void seal() {
    // Sorted on each name's first eight bytes (big-endian, so integer order
    // is byte order) with the full name breaking ties: most comparisons of
    // 100k ids are then integer compares.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed(size());
    for (std::uint32_t i = 0; i < keyed.size(); ++i) {
      const std::string_view n = name(i);
      std::uint64_t prefix = 0;
      for (std::size_t k = 0; k < 8; ++k)
        prefix = (prefix << 8) | (k < n.size() ? static_cast<unsigned char>(n[k]) : 0u);
      keyed[i] = {prefix, i};
    }
    std::sort(keyed.begin(), keyed.end(), [this](const auto& a, const auto& b) {
      if (a.first != b.first) return a.first < b.first;
      return name(a.second) < name(b.second);
    });
    order_.resize(keyed.size());
    for (std::size_t i = 0; i < keyed.size(); ++i) order_[i] = keyed[i].second;
    shrink_to_fit(pool_);
    shrink_to_fit(offsets_);
  }
  // add() on a sealed table, keeping it sealed: O(n) for the move of the
  // order behind the new name (an incremental commit's new user or group).
  std::uint32_t append(std::string_view name) {
    const std::uint32_t i = add(name);
    auto at = std::lower_bound(order_.begin(), order_.end(), name,
                               [this](std::uint32_t k, std::string_view n) { return this->name(k) < n; });
    order_.insert(at, i);
    return i;
  }
  [[nodiscard]] std::size_t size() const noexcept {
    return offsets_.empty() ? 0 : offsets_.size() - 1;
  }
  [[nodiscard]] std::string_view name(std::uint32_t i) const noexcept {
    if (i >= size()) return {};
    return std::string_view(pool_).substr(offsets_[i], offsets_[i + 1] - offsets_[i]);
  }
  /// The index of `name`, or `miss`.
  [[nodiscard]] std::uint32_t find(std::string_view key, std::uint32_t miss) const noexcept {
    auto it = std::lower_bound(order_.begin(), order_.end(), key,
                               [this](std::uint32_t i, std::string_view k) { return name(i) < k; });
    return it != order_.end() && name(*it) == key ? *it : miss;
  }
  [[nodiscard]] std::size_t memory_bytes() const noexcept {
    return pool_.capacity() + offsets_.capacity() * 4 + order_.capacity() * 4;
  }

 private:
  std::string pool_;
  std::vector<std::uint32_t> offsets_;
  std::vector<std::uint32_t> order_;
};

// The other groups a UserRec holds itself: the fast path tests them with one
// aligned 16-byte load from the record it has already read.
inline constexpr std::uint32_t kInlineGroups = 4;
// UserRec::groups_inline of a user whose other groups and projects are runs
// in the pools.
inline constexpr std::uint8_t kGroupsSpilled = 0xFF;

// INVARIANT: every index stored in these records is valid in the snapshot
// that owns them, or is the documented sentinel.
// 32 bytes, aligned to 32: a user is one cache line's half, never two lines.
// A user with at most kInlineGroups other groups and no projects (most
// associates) keeps the groups in `slots`, so that a check reads one line of
// the user table and none of `group_pool_`. Otherwise (`groups_inline ==
// kGroupsSpilled`) `slots` holds the runs: {groups_begin, groups_count,
// projects_begin, projects_count}.
struct alignas(32) UserRec {
  std::uint32_t profile;
  std::uint32_t primary_group;   // GroupIndex value or kNoGroup
  std::uint32_t company;         // CompanyIndex value or kNoCompany
  std::uint8_t type;             // UserType
  std::uint8_t inactive;         // InactiveReason
  std::uint8_t in_our_companies; // company is one of ours
  std::uint8_t groups_inline;    // 0..kInlineGroups: other groups in slots; else kGroupsSpilled
  std::uint32_t slots[4];        // sorted other groups (unused slots 0), or the runs

  [[nodiscard]] constexpr bool spilled() const noexcept { return groups_inline > kInlineGroups; }
  [[nodiscard]] constexpr std::uint32_t groups_count() const noexcept {
    return spilled() ? slots[1] : groups_inline;
  }
  [[nodiscard]] constexpr std::uint32_t projects_count() const noexcept { return spilled() ? slots[3] : 0; }
  // The other groups, sorted: in the record or in `group_pool` (the
  // snapshot's group_pool_). O(1).
  [[nodiscard]] std::span<const std::uint32_t> other_groups(std::span<const std::uint32_t> group_pool) const noexcept {
    if (!spilled()) return {slots, groups_inline};
    return group_pool.subspan(slots[0], slots[1]);
  }
  // The projects, sorted, in `project_pool` (the snapshot's project_pool_).
  [[nodiscard]] std::span<const std::uint32_t> projects(std::span<const std::uint32_t> project_pool) const noexcept {
    if (!spilled()) return {};
    return project_pool.subspan(slots[2], slots[3]);
  }
};
static_assert(sizeof(UserRec) == 32 && alignof(UserRec) == 32, "a UserRec is half a cache line, never straddling one");
static_assert(offsetof(UserRec, slots) % 16 == 0, "the inline groups are one aligned 16-byte load");
static_assert(sizeof(UserRec::slots) / sizeof(std::uint32_t) == kInlineGroups);

// What a check needs to know about a record's owner, packed into 8 bytes so
// that the owner table of a 100k-user model (800 KB) stays in L2 while a
// stream of records passes through. The batch kernels gather both words.
struct OwnerRec {
  std::uint32_t primary_group;  // GroupIndex value or kNoGroup
  std::uint32_t word;           // company (bits 0-23), type (24-27), in our companies (bit 28)
};
inline constexpr std::uint32_t kOwnerCompanyMask = 0x00FFFFFFu;  // also the "no company" value
inline constexpr unsigned kOwnerTypeShift = 24;
inline constexpr std::uint32_t kOwnerTypeMask = 0xFu;
inline constexpr std::uint32_t kOwnerInOurCompanies = 1u << 28;
/// Company indexes a snapshot can hold (the owner word keeps 24 bits).
inline constexpr std::size_t kMaxCompanies = kOwnerCompanyMask;

constexpr OwnerRec make_owner_rec(const UserRec& u) noexcept {
  const std::uint32_t company = u.company < kOwnerCompanyMask ? u.company : kOwnerCompanyMask;
  return {u.primary_group, company | (static_cast<std::uint32_t>(u.type & kOwnerTypeMask) << kOwnerTypeShift) |
                               (u.in_our_companies ? kOwnerInOurCompanies : 0u)};
}
constexpr std::uint32_t owner_company(std::uint32_t word) noexcept { return word & kOwnerCompanyMask; }
constexpr std::uint32_t owner_type(std::uint32_t word) noexcept {
  return (word >> kOwnerTypeShift) & kOwnerTypeMask;
}

enum ProfileFlag : std::uint8_t {
  kProfileActive = 1,
  kProfileSystem = 2,
  kProfileSeeOtherCompanies = 4,
  kProfileExtMyCompany = 8,
  kProfileExtSameProject = 16,
  kProfileSelectionAdmin = 32,
  // The user is no external or anonymous user: the relation is found from
  // the owner's type and groups alone (Snapshot::rights' fast path).
  kProfileEmployeeRelations = 64,
};

struct Profile {
  std::uint32_t role;
  std::uint32_t rights_offset;   // into right_words_
  std::uint32_t objects_offset;  // into object_info_
  std::uint32_t record_ovr_begin;
  std::uint32_t record_ovr_count;
  std::uint32_t field_ovr_begin;
  std::uint32_t field_ovr_count;
  std::uint32_t rows_offset;     // into check_rows_ (profiles with equal rows share them)
  std::uint8_t flags;
};

enum ObjectInfoFlag : std::uint8_t { kObjCalLimited = 1, kObjNeedPublish = 2 };

// Per (profile, object): licence and publishing flags, override removals.
struct ObjectInfo {
  std::uint8_t flags;
  std::uint8_t remove_new;
  std::uint8_t remove_existing;
  std::uint8_t pad;
};

enum CheckRowFlag : std::uint8_t {
  kRowEmptyOwnerIsUser = 1,
  kRowVisibility = 2,
  kRowVisibilityFiltering = 4,
  kRowCompany = 8,
  // The fast path does not cover these: publishing, record-scoped overrides.
  kRowNeedPublish = 16,
  kRowRecordOverrides = 32,
};

// Per (profile, object), everything `Snapshot::rights` reads besides the
// user and the record, in 16 bytes (one load for the hot path): the role's
// cells with the licence cap applied, the object's traits and the record-state
// removals as masks, the override removals. Derived from `role_cells_`,
// `object_info_` and `object_traits_` when a profile is created; a profile's
// rows start at Profile::rows_offset, and profiles whose rows are equal share
// them.
struct CheckRow {
  std::uint8_t cells[kRelationCount];  // role cell per relation ∧ licence cap
  std::uint8_t flags;                  // CheckRowFlag
  std::uint8_t remove_new;             // override removals (C/R/U/D bits)
  std::uint8_t remove_existing;
  std::uint8_t lock_completed;         // Update|Delete when completed records are locked
  std::uint8_t lock_person;            // Delete for a person who is a user
  std::uint8_t lock_selection;         // Update|Delete on others' selections (no admin)
  std::uint8_t pad[2];
};
static_assert(sizeof(CheckRow) == 16);

enum ObjectTrait : std::uint8_t {
  kTraitEmptyOwnerIsUser = 1,
  kTraitVisibility = 2,
  kTraitVisibilityFiltering = 4,
  kTraitCompletedLocked = 8,
  kTraitCompany = 16,
  kTraitPerson = 32,
  kTraitSelection = 64,
};

struct RecordOverride {
  std::uint16_t object;
  std::uint64_t key;
  std::uint8_t remove;
};

struct FieldOverride {
  std::uint16_t object;
  std::uint32_t field;
  std::uint8_t scope;  // OverrideScope
  std::uint64_t key;
  std::uint8_t remove;  // R = 1, W = 2
};

struct FieldRule {
  std::uint32_t role;
  std::uint16_t object;
  std::uint32_t field;
  std::uint8_t relation;
  std::uint8_t rights;  // FieldRights bits including hints
};

// Evaluation trace: the hot path uses NoTrace (every call compiles away).
struct NoTrace {
  void outcome(Outcome, InactiveReason = InactiveReason::kNone) noexcept {}
  void cell(Relation, RoleIndex, TableRights) noexcept {}
  void layer(Layer, TableRights, TableRights) noexcept {}
};

struct ExplainTrace {
  Explanation* e;
  void outcome(Outcome o, InactiveReason r = InactiveReason::kNone) noexcept {
    e->outcome = o;
    e->inactive = r;
  }
  void cell(Relation rel, RoleIndex role, TableRights cell) noexcept {
    e->relation = rel;
    e->role = role;
    e->cell = cell;
  }
  void layer(Layer l, TableRights before, TableRights after) noexcept {
    LayerEffect& fx = e->layers[static_cast<std::size_t>(l)];
    fx.layer = l;
    fx.applied = true;
    fx.removed = before - after;
    fx.added = after - before;
    fx.after = after;
  }
};

struct Evaluation {
  TableRights rights;
  Relation relation = Relation::kOtherAssociates;
  bool evaluated = false;  // the matrix was consulted (not unknown / inactive / system)
  bool system = false;
};

// Every table of a compiled snapshot. `Snapshot` holds one and answers from
// it; the builder fills it.
struct SnapshotTables {
  std::vector<UserRec> users_;
  // INVARIANT: owners_[u] == make_owner_rec(users_[u]).
  std::vector<OwnerRec> owners_;
  std::vector<Profile> profiles_;
  std::vector<std::uint8_t> role_cells_;        // [role][object][relation]
  std::vector<std::uint64_t> right_words_;      // per profile: right bitset
  // INVARIANT: user_rights_[u] == profiles_[users_[u].profile].rights_offset.
  // Kept apart (4 bytes a user) so that has() touches a table that stays in L2.
  std::vector<std::uint32_t> user_rights_;
  std::vector<ObjectInfo> object_info_; // per profile: [object]
  // INVARIANT: check_rows_[p.rows_offset + o] is derived from
  // object_info_[p.objects_offset + o], p's role cells and flags and the
  // traits of object o (SnapshotBuilder::append_check_rows).
  std::vector<CheckRow> check_rows_;    // per distinct row block: [object]
  std::vector<std::uint8_t> object_traits_;     // per object
  std::vector<std::uint32_t> group_pool_;     // spilled users' other groups: sorted runs
  std::vector<std::uint32_t> project_pool_;   // spilled users' projects: sorted runs
  std::vector<RecordOverride> record_overrides_;
  std::vector<FieldOverride> field_overrides_;
  std::vector<FieldRule> field_rules_;  // sorted by (role, object, field, relation)
  NameTable user_names_, group_names_, role_names_, object_names_, right_names_,
      company_names_, project_names_, field_names_;
  std::uint32_t object_count_ = 0;
  std::uint32_t right_count_ = 0;
  std::uint32_t right_words_per_profile_ = 0;
  std::uint32_t our_company_count_ = 0;
  std::uint32_t database_owner_ = static_cast<std::uint32_t>(kNoCompany);
  std::uint32_t name_field_ = static_cast<std::uint32_t>(kUnknownField);
  std::uint64_t version_ = 0;
  // The profiles and rows compile() made: a patched snapshot leaves replaced
  // ones unused, and the patch compiles afresh once they have doubled.
  std::uint32_t compiled_profiles_ = 0;
  std::uint32_t compiled_rows_ = 0;

  [[nodiscard]] std::size_t memory_bytes() const noexcept {
    return users_.capacity() * sizeof(UserRec) + owners_.capacity() * sizeof(OwnerRec) +
           user_rights_.capacity() * 4 + profiles_.capacity() * sizeof(Profile) + role_cells_.capacity() +
           right_words_.capacity() * 8 + object_info_.capacity() * sizeof(ObjectInfo) +
           object_traits_.capacity() + check_rows_.capacity() * sizeof(CheckRow) + group_pool_.capacity() * 4 +
           project_pool_.capacity() * 4 + record_overrides_.capacity() * sizeof(RecordOverride) +
           field_overrides_.capacity() * sizeof(FieldOverride) + field_rules_.capacity() * sizeof(FieldRule) +
           user_names_.memory_bytes() + group_names_.memory_bytes() + role_names_.memory_bytes() +
           object_names_.memory_bytes() + right_names_.memory_bytes() + company_names_.memory_bytes() +
           project_names_.memory_bytes() + field_names_.memory_bytes();
  }
};

}  // namespace detail

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_DETAIL_SNAPSHOT_LAYOUT_HPP_
