// -----------------------------------------------------------------------------
// File: snapshot.hpp
// -----------------------------------------------------------------------------
// `sorights::Snapshot` is a compiled, immutable user model and the evaluator
// that answers "may this user do this to this record?".
//
// `compile(model)` checks every rule of the model and reports *all* violations
// at once; on success the snapshot holds dense indexes, one packed byte per
// (role, object, relation) cell, and a functional-right bitset per distinct
// rights profile. After that:
//
//   * `rights`, `can`, `has` are `noexcept`, total (anything unknown is a deny),
//     allocation-free and inline in every build mode: a check classifies the
//     record's relation to the user with a few integer compares, reads one
//     byte of the role matrix, then narrows it (licence, other company,
//     visibility, publishing, overrides, record state);
//   * `field_rights` and `explain` run the same evaluation and add the field
//     layer or the account of each step (still allocation-free);
//   * `find_*` map string ids to indexes (binary search; cold).
//
// A `Snapshot` is immutable: any number of threads may query one at once.
//
// **Example**:
//
//     sorights::Model model = sorights::Model::with_defaults();
//     model.groups.push_back({"sales", "Sales"});
//     model.our_companies.push_back({"acme", "Acme", true});
//     model.users.push_back({.id = "alice", .company = "acme", .role = "level-3",
//                            .group = "sales"});
//     auto snapshot = sorights::compile(model);
//     if (!snapshot) { /* snapshot.error().to_string() lists every problem */ }
//     sorights::Record sale{.object = snapshot->find_object("sale"),
//                           .owner = snapshot->find_user("alice")};
//     bool ok = snapshot->can(snapshot->find_user("alice"), sorights::Action::kUpdate, sale);
#ifndef SORIGHTS_SNAPSHOT_HPP_
#define SORIGHTS_SNAPSHOT_HPP_

#include <algorithm>
#include <array>
#include <chrono>
#include <type_traits>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sorights/config.hpp"
#include "sorights/error.hpp"
#include "sorights/explain.hpp"
#include "sorights/functional_right.hpp"
#include "sorights/model.hpp"
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

class Snapshot;

/// Checks every rule of `model` and compiles it. On failure the error lists
/// every violated rule (`Error::diagnostics`), each naming the item and rule.
/// `version` is stored in the snapshot (`Snapshot::version()`).
[[nodiscard]] SORIGHTS_API Result<Snapshot> compile(const Model& model, std::uint64_t version = 0);

/// Checks every rule of `model` without compiling; the diagnostics are those
/// `compile` would report. Empty means valid.
[[nodiscard]] SORIGHTS_API std::vector<Diagnostic> validate(const Model& model);

namespace detail {

// Grants the batch evaluators, the predicate builder and snapshot files access
// to the compiled tables. Defined where it is used.
struct SnapshotAccess;
// Builds and patches the tables (snapshot-inl.hpp: compile, incremental commits).
struct SnapshotBuilder;

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

// INVARIANT: every index stored in these records is valid in the snapshot
// that owns them, or is the documented sentinel.
struct UserRec {
  std::uint32_t profile;
  std::uint32_t primary_group;   // GroupIndex value or kNoGroup
  std::uint32_t company;         // CompanyIndex value or kNoCompany
  std::uint32_t groups_begin;    // other groups: sorted run in group_pool_
  std::uint32_t projects_begin;  // projects: sorted run in project_pool_
  std::uint16_t groups_count;
  std::uint16_t projects_count;
  std::uint8_t type;             // UserType
  std::uint8_t inactive;         // InactiveReason
  std::uint8_t in_our_companies; // company is one of ours
  std::uint8_t pad = 0;
};

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

// Entries kept past the end of the group and project pools, so that the fast
// path may read four entries from the start of any run.
inline constexpr std::size_t kPoolPad = 4;

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

}  // namespace detail

/// A compiled, immutable user model. Cheap to move; copying copies the tables.
class Snapshot {
 public:
  Snapshot() = default;

  // -- Hot checks: noexcept, total, allocation-free, thread-safe, O(1) -------

  /// What `user` may do with `record`, as table-right flags.
  /// Total: an unknown user or object gives `None`. O(1) except for a record
  /// id with record-scoped overrides (O(log k)). Never allocates.
  [[nodiscard]] TableRights rights(UserIndex user, const Record& record) const noexcept;

  /// True if `user` may do `action` to `record` (read → Select, create →
  /// Insert, update → Update, delete → Delete). Total; never allocates.
  [[nodiscard]] bool can(UserIndex user, Action action, const Record& record) const noexcept {
    return rights(user, record).allows(action);
  }

  /// True if `user` holds functional right `right`: the role grants it, the
  /// user is active, and any licence the right requires is held. The system
  /// user holds every right except the restrictive ones (`hide-…`,
  /// `ext-need-publish-to-see-…`, declared rights marked `restrictive`): it
  /// bypasses restrictions, so a host that hides a screen when `has` is true
  /// never hides it for the system user. Total: unknown user or right → false.
  /// O(1).
  [[nodiscard]] bool has(UserIndex user, RightIndex right) const noexcept {
    const auto u = static_cast<std::uint32_t>(user);
    const auto r = static_cast<std::uint32_t>(right);
    if (SORIGHTS_UNLIKELY(u >= user_rights_.size() || r >= right_count_)) return false;
    return (right_words_[user_rights_[u] + (r >> 6)] >> (r & 63u)) & 1u;
  }

  /// The field right `user` holds on `field` of `record`: read with Select,
  /// write with Update (Insert for a new record), narrowed by field-right
  /// rules, field overrides and the database owner's read-only name. Total:
  /// an unknown field follows the table right. Never allocates.
  [[nodiscard]] SORIGHTS_API FieldRights field_rights(UserIndex user, const Record& record,
                                                      FieldIndex field) const noexcept;

  /// The same evaluation as `rights`/`can`, with the relation found, the role
  /// cell and each narrowing layer's effect. Never allocates.
  [[nodiscard]] SORIGHTS_API Explanation explain(UserIndex user, Action action,
                                                 const Record& record) const noexcept;

  /// `explain` rendered as text, one fact per line (allocates).
  [[nodiscard]] SORIGHTS_API std::string explain_text(const Explanation& e) const;

  /// A one-line reason for the decision in `e`, e.g. `role "level-3" cell
  /// sale/own grants Update` or `visibility removed Select` (allocates).
  [[nodiscard]] SORIGHTS_API std::string explain_reason(const Explanation& e) const;

  // -- Lookups (cold): string id → index; a miss gives the kUnknown* sentinel

  [[nodiscard]] UserIndex find_user(std::string_view id) const noexcept {
    return UserIndex{user_names_.find(id, static_cast<std::uint32_t>(kUnknownUser))};
  }
  [[nodiscard]] GroupIndex find_group(std::string_view id) const noexcept {
    return GroupIndex{group_names_.find(id, static_cast<std::uint32_t>(kUnknownGroup))};
  }
  [[nodiscard]] RoleIndex find_role(std::string_view id) const noexcept {
    return RoleIndex{role_names_.find(id, static_cast<std::uint32_t>(kUnknownRole))};
  }
  [[nodiscard]] ObjectIndex find_object(std::string_view id) const noexcept {
    return ObjectIndex{static_cast<std::uint16_t>(
        object_names_.find(id, static_cast<std::uint16_t>(kUnknownObject)))};
  }
  [[nodiscard]] RightIndex find_right(std::string_view id) const noexcept {
    return RightIndex{right_names_.find(id, static_cast<std::uint32_t>(kUnknownRight))};
  }
  [[nodiscard]] CompanyIndex find_company(std::string_view id) const noexcept {
    return CompanyIndex{company_names_.find(id, static_cast<std::uint32_t>(kUnknownCompany))};
  }
  [[nodiscard]] ProjectIndex find_project(std::string_view id) const noexcept {
    return ProjectIndex{project_names_.find(id, static_cast<std::uint32_t>(kUnknownProject))};
  }
  [[nodiscard]] FieldIndex find_field(std::string_view id) const noexcept {
    return FieldIndex{field_names_.find(id, static_cast<std::uint32_t>(kUnknownField))};
  }

  // -- Names and facts (cold) -------------------------------------------------

  [[nodiscard]] std::string_view user_id(UserIndex u) const noexcept {
    return user_names_.name(static_cast<std::uint32_t>(u));
  }
  [[nodiscard]] std::string_view group_id(GroupIndex g) const noexcept {
    return group_names_.name(static_cast<std::uint32_t>(g));
  }
  [[nodiscard]] std::string_view role_id(RoleIndex r) const noexcept {
    return role_names_.name(static_cast<std::uint32_t>(r));
  }
  [[nodiscard]] std::string_view object_id(ObjectIndex o) const noexcept {
    return object_names_.name(static_cast<std::uint16_t>(o));
  }
  [[nodiscard]] std::string_view right_id(RightIndex r) const noexcept {
    return right_names_.name(static_cast<std::uint32_t>(r));
  }
  [[nodiscard]] std::string_view company_id(CompanyIndex c) const noexcept {
    return company_names_.name(static_cast<std::uint32_t>(c));
  }
  [[nodiscard]] std::string_view field_id(FieldIndex f) const noexcept {
    return field_names_.name(static_cast<std::uint32_t>(f));
  }

  [[nodiscard]] std::size_t user_count() const noexcept { return users_.size(); }
  [[nodiscard]] std::size_t group_count() const noexcept { return group_names_.size(); }
  [[nodiscard]] std::size_t role_count() const noexcept { return role_names_.size(); }
  [[nodiscard]] std::size_t object_count() const noexcept { return object_count_; }
  [[nodiscard]] std::size_t right_count() const noexcept { return right_count_; }
  /// Distinct rights profiles (role × licences × overrides × state).
  [[nodiscard]] std::size_t profile_count() const noexcept { return profiles_.size(); }

  /// The user's role, or `kUnknownRole`.
  [[nodiscard]] RoleIndex user_role(UserIndex u) const noexcept {
    const auto i = static_cast<std::uint32_t>(u);
    return i < users_.size() ? RoleIndex{profiles_[users_[i].profile].role} : kUnknownRole;
  }
  /// The user's primary group, or `kNoGroup`.
  [[nodiscard]] GroupIndex user_primary_group(UserIndex u) const noexcept {
    const auto i = static_cast<std::uint32_t>(u);
    return i < users_.size() ? GroupIndex{users_[i].primary_group} : kNoGroup;
  }
  /// The user's type; `kResource` for an unknown user (holds nothing).
  [[nodiscard]] UserType user_type(UserIndex u) const noexcept {
    const auto i = static_cast<std::uint32_t>(u);
    return i < users_.size() ? static_cast<UserType>(users_[i].type) : UserType::kResource;
  }
  /// The raw role cell for (role, object, relation); `None` when any of the
  /// three is unknown.
  [[nodiscard]] TableRights role_cell(RoleIndex role, ObjectIndex object,
                                      Relation relation) const noexcept {
    const auto r = static_cast<std::uint32_t>(role);
    const auto o = static_cast<std::uint32_t>(object);
    if (r >= role_names_.size() || o >= object_count_ ||
        static_cast<std::uint8_t>(relation) >= kRelationCount)
      return {};
    return TableRights::from_bits(
        role_cells_[(static_cast<std::size_t>(r) * object_count_ + o) * kRelationCount +
                    static_cast<std::size_t>(relation)]);
  }

  /// The version given to `compile` (the directory's published version).
  [[nodiscard]] std::uint64_t version() const noexcept { return version_; }
  /// Heap bytes held by the compiled tables.
  [[nodiscard]] SORIGHTS_API std::size_t memory_bytes() const noexcept;

  /// The evaluation every check runs; `Trace` records the steps (explain) or
  /// compiles away (the hot path). Exposed for the batch evaluators.
  template <class Trace>
  [[nodiscard]] detail::Evaluation evaluate(UserIndex user, const Record& record,
                                            Trace& trace) const noexcept;

 private:
  friend SORIGHTS_API Result<Snapshot> compile(const Model& model, std::uint64_t version);
  friend struct detail::SnapshotAccess;

  // `evaluate` without a trace: the cases `rights`' fast path leaves out.
  [[nodiscard]] SORIGHTS_NOINLINE TableRights rights_slow(UserIndex user, const Record& record) const noexcept {
    detail::NoTrace trace;
    return evaluate(user, record, trace).rights;
  }

  // Whether `group` and `vis_id` are among `u`'s other groups, in one pass.
  // Up to four groups with one SSE2 compare (the pools keep kPoolPad entries
  // past every run, SnapshotBuilder::place_run), up to 16 with a loop, more
  // with binary searches.
  struct GroupHits {
    bool group = false;
    bool visibility = false;
  };
  SORIGHTS_ALWAYS_INLINE GroupHits other_group_hits(const detail::UserRec& u, std::uint32_t group,
                                                    std::uint32_t vis_id) const noexcept {
    GroupHits hits;
    const std::uint32_t* groups = group_pool_.data() + u.groups_begin;
#if SORIGHTS_SNAPSHOT_SSE2
    if (SORIGHTS_LIKELY(u.groups_count <= 4)) {
      const __m128i run = _mm_loadu_si128(reinterpret_cast<const __m128i*>(groups));
      const unsigned lanes = (1u << u.groups_count) - 1u;
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
    if (SORIGHTS_LIKELY(u.groups_count <= 16)) {
      for (std::uint32_t i = 0; i < u.groups_count; ++i) {
        hits.group |= groups[i] == group;
        hits.visibility |= groups[i] == vis_id;
      }
    } else {
      hits.group = std::binary_search(groups, groups + u.groups_count, group);
      hits.visibility = std::binary_search(groups, groups + u.groups_count, vis_id);
    }
    return hits;
  }

  // Records owned by associates of another of our companies are hidden
  // unless the user may see them (docs/rules.md, "other companies").
  static bool hides_other_company(const detail::Profile& p, const detail::UserRec& u, bool known,
                                  detail::OwnerRec o) noexcept {
    return ((p.flags & detail::kProfileSeeOtherCompanies) == 0) & known & (u.in_our_companies != 0) &
           ((o.word & detail::kOwnerInOurCompanies) != 0) & (detail::owner_company(o.word) != u.company);
  }

  // Branch-free: the evaluator calls it on every company record.
  [[nodiscard]] bool is_database_owner(const Record& r) const noexcept {
    return r.database_owner | ((static_cast<std::uint32_t>(r.company) == database_owner_) &
                               (database_owner_ != static_cast<std::uint32_t>(kNoCompany)));
  }

  std::vector<detail::UserRec> users_;
  // INVARIANT: owners_[u] == make_owner_rec(users_[u]).
  std::vector<detail::OwnerRec> owners_;
  std::vector<detail::Profile> profiles_;
  std::vector<std::uint8_t> role_cells_;        // [role][object][relation]
  std::vector<std::uint64_t> right_words_;      // per profile: right bitset
  // INVARIANT: user_rights_[u] == profiles_[users_[u].profile].rights_offset.
  // Kept apart (4 bytes a user) so that has() touches a table that stays in L2.
  std::vector<std::uint32_t> user_rights_;
  std::vector<detail::ObjectInfo> object_info_; // per profile: [object]
  // INVARIANT: check_rows_[p.rows_offset + o] is derived from
  // object_info_[p.objects_offset + o], p's role cells and flags and the
  // traits of object o (SnapshotBuilder::append_check_rows).
  std::vector<detail::CheckRow> check_rows_;    // per distinct row block: [object]
  std::vector<std::uint8_t> object_traits_;     // per object
  std::vector<std::uint32_t> group_pool_;
  std::vector<std::uint32_t> project_pool_;
  std::vector<detail::RecordOverride> record_overrides_;
  std::vector<detail::FieldOverride> field_overrides_;
  std::vector<detail::FieldRule> field_rules_;  // sorted by (role, object, field, relation)
  detail::NameTable user_names_, group_names_, role_names_, object_names_, right_names_,
      company_names_, project_names_, field_names_;
  std::uint32_t object_count_ = 0;
  std::uint32_t right_count_ = 0;
  std::uint32_t right_words_per_profile_ = 0;
  std::uint32_t our_company_count_ = 0;
  std::uint32_t database_owner_ = static_cast<std::uint32_t>(kNoCompany);
  std::uint32_t name_field_ = static_cast<std::uint32_t>(kUnknownField);
  std::uint64_t version_ = 0;

  friend struct detail::SnapshotBuilder;
};

// -----------------------------------------------------------------------------
// The evaluator (inline in every build mode)
// -----------------------------------------------------------------------------

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
template <class Trace>
inline constexpr bool kTraces = !std::is_same_v<Trace, NoTrace>;
}  // namespace detail

// The evaluation is written to be branch-light: the facts about the record
// are computed as booleans and combined with table lookups and conditional
// moves, so a stream of unlike records costs no mispredicted branches. The
// branches left depend on the asking user only (predictable for a hot user).
template <class Trace>
SORIGHTS_ALWAYS_INLINE detail::Evaluation Snapshot::evaluate(UserIndex user, const Record& record,
                                                             Trace& trace) const noexcept {
  using namespace detail;
  Evaluation out;
  const auto ui = static_cast<std::uint32_t>(user);
  if (SORIGHTS_UNLIKELY(ui >= users_.size())) {
    trace.outcome(Outcome::kNoSuchUser);
    return out;
  }
  const auto obj = static_cast<std::uint32_t>(record.object);
  if (SORIGHTS_UNLIKELY(obj >= object_count_)) {
    trace.outcome(Outcome::kNoSuchObject);
    return out;
  }
  const UserRec& u = users_[ui];
  const Profile& p = profiles_[u.profile];
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
  const std::uint8_t traits = object_traits_[obj];
  constexpr auto kNoGroupValue = static_cast<std::uint32_t>(kNoGroup);

  // 1. Relation (docs/rules.md §2, §3, §15). An unknown owner reads the
  //    asking user's own record as a harmless stand-in; `known` masks every
  //    use. The empty-owner fallback (the record is the asking user's) is for
  //    employee users only; for external and anonymous users an empty owner
  //    stays empty and the tests after "own" decide.
  const auto utype = static_cast<UserType>(u.type);
  const bool employee = utype != UserType::kExternal && utype != UserType::kAnonymous;
  auto owner = static_cast<std::uint32_t>(record.owner);
  const bool empty_owner_is_user =
      (owner == static_cast<std::uint32_t>(kNoUser)) & ((traits & kTraitEmptyOwnerIsUser) != 0);
  owner = (empty_owner_is_user & employee) ? ui : owner;
  const bool known = owner < users_.size();
  const OwnerRec o = owners_[known ? owner : ui];
  const bool own = owner == ui;
  const auto otype = static_cast<UserType>(owner_type(o.word));
  const bool owner_anonymous = otype == UserType::kAnonymous;
  const bool owner_external = otype == UserType::kExternal;
  const auto record_group = static_cast<std::uint32_t>(record.group);
  const std::uint32_t no_group_mask = 0u - static_cast<std::uint32_t>(record_group == kNoGroupValue);
  const std::uint32_t group = (o.primary_group & no_group_mask) | (record_group & ~no_group_mask);
  const std::uint32_t vis_id = record.visibility.id;
  const GroupHits hits = other_group_hits(u, group, vis_id);
  const bool in_other = hits.group;
  const bool vis_in_other = hits.visibility;
  Relation rel;
  if (SORIGHTS_LIKELY(employee)) {
    const bool primary = (group == u.primary_group) & (group != kNoGroupValue);
    const unsigned code = static_cast<unsigned>(known) | static_cast<unsigned>(own) << 1 |
                          static_cast<unsigned>(owner_anonymous) << 2 |
                          static_cast<unsigned>(owner_external) << 3 | static_cast<unsigned>(primary) << 4 |
                          static_cast<unsigned>(in_other & (group != kNoGroupValue)) << 5;
    rel = kEmployeeRelation[code];
  } else if (!known && !empty_owner_is_user) {
    // An unknown owner, or an empty one where the object has no fallback.
    rel = Relation::kOtherAssociates;
  } else if (own) {
    rel = Relation::kOwn;
  } else if (utype == UserType::kExternal && (p.flags & kProfileExtMyCompany) &&
             u.company != static_cast<std::uint32_t>(kNoCompany) &&
             ((known && owner_company(o.word) == u.company) ||
              static_cast<std::uint32_t>(record.company) == u.company)) {
    // With an empty owner (§15) only "the record is about that company" can hold.
    rel = Relation::kMyCompany;
  } else if (utype == UserType::kExternal && (p.flags & kProfileExtSameProject) && u.projects_count != 0 &&
             std::binary_search(project_pool_.data() + u.projects_begin,
                                project_pool_.data() + u.projects_begin + u.projects_count,
                                static_cast<std::uint32_t>(record.project))) {
    rel = Relation::kSameProject;
  } else {
    rel = (known && owner_anonymous)  ? Relation::kAnonymous
          : (known && owner_external) ? Relation::kExternal
                                      : Relation::kOtherAssociates;
  }
  out.relation = rel;
  const bool is_own = rel == Relation::kOwn;
  std::uint8_t m = role_cells_[(static_cast<std::size_t>(p.role) * object_count_ + obj) * kRelationCount +
                               static_cast<std::size_t>(rel)];
  trace.cell(rel, RoleIndex{p.role}, TableRights::from_bits(m));
  const ObjectInfo info = object_info_[p.objects_offset + obj];

  // 2. Licence: without the feature's user licence, at most Select.
  {
    const std::uint8_t before = m;
    m = static_cast<std::uint8_t>(m & (0xFFu - 0xFEu * static_cast<unsigned>((info.flags & kObjCalLimited) != 0)));
    if constexpr (kTraces<Trace>)
      if (info.flags & kObjCalLimited) trace.layer(Layer::kLicence, TableRights::from_bits(before), TableRights::from_bits(m));
  }
  // 3. Other companies: records owned by associates of another of our companies.
  {
    const bool hide = hides_other_company(p, u, known, o);
    const std::uint8_t before = m;
    m = static_cast<std::uint8_t>(m & (static_cast<unsigned>(hide) - 1u));
    if constexpr (kTraces<Trace>)
      if (hide) trace.layer(Layer::kOtherCompany, TableRights::from_bits(before), TableRights{});
  }
  // 4. Visible for: the named associate, the members of the group, and the
  //    owner keep their rights; a hidden follow-up keeps Filtering.
  {
    const auto kind = record.visibility.kind;
    const bool applies = ((traits & kTraitVisibility) != 0) & (kind != VisibilityKind::kAll) & !is_own;
    const bool by_associate = kind == VisibilityKind::kAssociate;
    const bool visible = (by_associate & (vis_id == ui)) |
                         (!by_associate & (vis_id != kNoGroupValue) & ((vis_id == u.primary_group) | vis_in_other));
    const bool hidden = applies & !visible;
    const std::uint8_t before = m;
    const std::uint8_t filtered = static_cast<std::uint8_t>((((traits & kTraitVisibilityFiltering) != 0) & (m != 0)) << 4);
    const auto hide_mask = static_cast<std::uint8_t>(0u - static_cast<unsigned>(hidden));
    m = static_cast<std::uint8_t>((m & ~hide_mask) | (filtered & hide_mask));
    if constexpr (kTraces<Trace>)
      if (hidden) trace.layer(Layer::kVisibility, TableRights::from_bits(before), TableRights::from_bits(m));
  }
  // 5. Publishing (external users whose role needs it).
  if (SORIGHTS_UNLIKELY((info.flags & kObjNeedPublish) && !is_own)) {
    bool visible = record.published;
    if (visible && (record.publish_from != kTimeMin || record.publish_to != kTimeMax)) {
      Time at = record.at;
      if (at == kTimeMin)
        at = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
      visible = record.publish_from <= at && at <= record.publish_to;
    }
    if (!visible) {
      trace.layer(Layer::kPublishing, TableRights::from_bits(m), TableRights{});
      m = 0;
    }
  }
  // 6. Overrides (remove only).
  {
    std::uint8_t remove = record.is_new ? info.remove_new : info.remove_existing;
    if (SORIGHTS_UNLIKELY(p.record_ovr_count != 0 && record.id != 0)) {
      const RecordOverride* b = record_overrides_.data() + p.record_ovr_begin;
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
    constexpr std::uint8_t kU = 2, kD = 8;
    const auto c = static_cast<std::uint32_t>(record.company);
    const bool completed = record.completed & ((traits & kTraitCompletedLocked) != 0);
    const bool user_person = ((traits & kTraitPerson) != 0) & record.user_person;
    const bool company = (traits & kTraitCompany) != 0;
    const bool owner_co = company & is_database_owner(record);
    const bool our_co = company & (owner_co | record.our_company | (c < our_company_count_));
    const bool selection = ((traits & kTraitSelection) != 0) & !is_own & ((p.flags & kProfileSelectionAdmin) == 0);
    const unsigned remove = (static_cast<unsigned>(completed | selection) * (kU | kD)) |
                            (static_cast<unsigned>(user_person | our_co) * kD);
    const std::uint8_t before = m;
    m = static_cast<std::uint8_t>(m & ~remove);
    m = static_cast<std::uint8_t>(m | (static_cast<unsigned>(owner_co & ((m & kU) != 0)) << 5));
    if constexpr (kTraces<Trace>)
      if (completed | user_person | our_co | selection)
        trace.layer(Layer::kRecordState, TableRights::from_bits(before), TableRights::from_bits(m));
  }
  out.rights = TableRights::from_bits(m);
  return out;
}

namespace detail {
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
}  // namespace detail

// The same answer as `evaluate(...).rights` (tests/unit/fast_path_test.cpp
// compares them), computed from one CheckRow for the common case: an active
// associate, an object without publishing and no record-scoped override for
// the record. Everything else takes `rights_slow`; in particular external and
// anonymous users, for whom an empty owner is not the user (docs/rules.md
// §15), never get here, so the empty-owner fallback below is unconditional.
SORIGHTS_ALWAYS_INLINE TableRights Snapshot::rights(UserIndex user, const Record& record) const noexcept {
  using namespace detail;
  const auto ui = static_cast<std::uint32_t>(user);
  const auto obj = static_cast<std::uint32_t>(record.object);
  const std::size_t n = owners_.size();
  if (SORIGHTS_UNLIKELY(ui >= n || obj >= object_count_)) return {};
  const UserRec& u = users_[ui];
  const Profile& p = profiles_[u.profile];
  const CheckRow& row = check_rows_[p.rows_offset + obj];
  const unsigned rf = row.flags;
  constexpr unsigned kFastProfile = kProfileActive | kProfileEmployeeRelations;
  if (SORIGHTS_UNLIKELY((p.flags & (kFastProfile | kProfileSystem)) != kFastProfile ||
                        (rf & kRowNeedPublish) != 0 || ((rf & kRowRecordOverrides) != 0 && record.id != 0)))
    return rights_slow(user, record);
  constexpr auto kNoGroupValue = static_cast<std::uint32_t>(kNoGroup);

  // Relation: as `evaluate` step 1, for an associate.
  auto owner = static_cast<std::uint32_t>(record.owner);
  owner = ((owner == static_cast<std::uint32_t>(kNoUser)) & ((rf & kRowEmptyOwnerIsUser) != 0)) ? ui : owner;
  const bool known = owner < n;
  const OwnerRec o = owners_[known ? owner : ui];
  const bool own = owner == ui;
  auto group = static_cast<std::uint32_t>(record.group);
  group = group == kNoGroupValue ? o.primary_group : group;
  const bool has_group = group != kNoGroupValue;
  const std::uint32_t vis_id = record.visibility.id;
  const GroupHits hits = other_group_hits(u, group, vis_id);
  const bool in_other = hits.group;
  const bool vis_in_other = hits.visibility;
  const unsigned code = static_cast<unsigned>(known) | static_cast<unsigned>(own) << 1 |
                        static_cast<unsigned>((group == u.primary_group) & has_group) << 2 |
                        static_cast<unsigned>(in_other & has_group) << 3 | owner_type(o.word) << 4;
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
                         (!by_associate & (vis_id != kNoGroupValue) & ((vis_id == u.primary_group) | vis_in_other));
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
    constexpr unsigned kU = 2, kD = 8;
    const auto c = static_cast<std::uint32_t>(record.company);
    const bool company = (rf & kRowCompany) != 0;
    const bool owner_co = company & is_database_owner(record);
    const bool our_co = company & (owner_co | record.our_company | (c < our_company_count_));
    const unsigned remove = (row.lock_completed * static_cast<unsigned>(record.completed)) |
                            (row.lock_person * static_cast<unsigned>(record.user_person)) |
                            (row.lock_selection * static_cast<unsigned>(!is_own)) | (static_cast<unsigned>(our_co) * kD);
    m &= ~remove;
    m |= static_cast<unsigned>(owner_co & ((m & kU) != 0)) << 5;
  }
  return TableRights::from_bits(m);
}

SORIGHTS_END_NAMESPACE

#ifdef SORIGHTS_HEADER_ONLY
#  include "sorights/snapshot-inl.hpp"
#endif

#endif  // SORIGHTS_SNAPSHOT_HPP_
