// -----------------------------------------------------------------------------
// File: queries.hpp
// -----------------------------------------------------------------------------
// The admin's questions (docs/rules.md §20), answered from a compiled
// `Snapshot` without walking the model:
//
//   * `QueryIndex::list_users` / `match_users`: the users matching a
//     `UserFilter` (type incl. the "other users" tab, effective role, group
//     membership, company, plan, licence, active/inactive, a case-insensitive
//     substring of id or name), in id order, with paging;
//   * `group_members`, `role_user_count`, `users_holding` (`has` true),
//     `roles_granting`;
//   * `who_can(action, record)`: every user for whom `Snapshot::can` is true,
//     computed as set algebra over per-(object, relation, right) user bitsets
//     and patched with `Snapshot::rights` for the few users the algebra does
//     not cover (docs/design/0012-queries.md).
//
// A `QueryIndex` is built once per snapshot (cold, allocates; about
// `objects × 32 × users / 8` bytes of bitsets) and is immutable afterwards:
// any number of threads may query one at once, each with its own `UserSet`.
// It refers to the snapshot it was built from, which must outlive it; it
// copies what it needs from the model (names, plans, licences, role types).
//
// Results go to a caller-owned `UserSet` (a bitset over user indexes, sized
// once with `QueryIndex::make_set`) or to a caller's span: the queries are
// `noexcept` and never allocate.
//
// **Example**:
//
//     auto index = sorights::QueryIndex::build(*snapshot, model);
//     sorights::UserSet who = index->make_set();
//     index->who_can(sorights::Action::kUpdate, sale, who);
//     for (sorights::UserIndex u : who) std::cout << snapshot->user_id(u) << '\n';  // id order
#ifndef SORIGHTS_QUERIES_HPP_
#define SORIGHTS_QUERIES_HPP_

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sorights/config.hpp"
#include "sorights/detail/snapshot_access.hpp"
#include "sorights/error.hpp"
#include "sorights/model.hpp"
#include "sorights/record.hpp"
#include "sorights/rights.hpp"
#include "sorights/snapshot.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// Index of a user plan in the model a `QueryIndex` was built from.
enum class PlanIndex : std::uint32_t {};
/// Index of a licence in the model a `QueryIndex` was built from.
enum class LicenceIndex : std::uint32_t {};
inline constexpr PlanIndex kUnknownPlan{std::numeric_limits<std::uint32_t>::max() - 1};
inline constexpr LicenceIndex kUnknownLicence{std::numeric_limits<std::uint32_t>::max() - 1};

class QueryIndex;

/// A set of users of one snapshot: one bit per user index. Iterates in id
/// order (byte order of the ids), tests membership in O(1), counts with
/// popcount. Sized once (`QueryIndex::make_set`, allocates); the queries that
/// fill it never allocate. Iteration in id order reads the `QueryIndex` that
/// made the set: use a set while that index lives. Not thread-safe for
/// concurrent writes.
class UserSet {
 public:
  UserSet() = default;

  /// True if `u` is in the set; false for an index past the end. O(1).
  [[nodiscard]] bool contains(UserIndex u) const noexcept {
    const auto i = static_cast<std::uint32_t>(u);
    return i < size_ && ((words_[i >> 6] >> (i & 63u)) & 1u) != 0;
  }
  /// The number of users in the set. O(users / 64).
  [[nodiscard]] std::size_t count() const noexcept {
    std::size_t n = 0;
    for (std::size_t i = 0; i < word_count(); ++i) n += static_cast<std::size_t>(std::popcount(words_[i]));
    return n;
  }
  [[nodiscard]] bool empty() const noexcept { return count() == 0; }
  /// The number of users of the snapshot (bits), not the number in the set.
  [[nodiscard]] std::size_t capacity() const noexcept { return size_; }
  /// The bits: bit `i % 64` of word `i / 64` is user index `i`.
  [[nodiscard]] std::span<const std::uint64_t> words() const noexcept { return {words_.data(), word_count()}; }

  /// Calls `f(UserIndex)` for each member in id order. O(users).
  template <class F>
  void for_each(F&& f) const {
    for (std::size_t r = 0; r < size_; ++r) {
      const std::uint32_t u = order_[r];
      if ((words_[u >> 6] >> (u & 63u)) & 1u) f(UserIndex{u});
    }
  }
  /// The members in id order (allocates).
  [[nodiscard]] std::vector<UserIndex> to_vector() const {
    std::vector<UserIndex> out;
    out.reserve(count());
    for_each([&](UserIndex u) { out.push_back(u); });
    return out;
  }

  /// Iterates the members in id order.
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = UserIndex;
    using difference_type = std::ptrdiff_t;
    using pointer = const UserIndex*;
    using reference = UserIndex;
    Iterator() = default;
    UserIndex operator*() const noexcept { return UserIndex{set_->order_[rank_]}; }
    Iterator& operator++() noexcept {
      ++rank_;
      skip();
      return *this;
    }
    Iterator operator++(int) noexcept {
      Iterator t = *this;
      ++*this;
      return t;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) noexcept { return a.rank_ == b.rank_; }

   private:
    friend class UserSet;
    Iterator(const UserSet* s, std::size_t rank) : set_(s), rank_(rank) { skip(); }
    void skip() noexcept {
      while (rank_ < set_->size_ && !set_->contains(UserIndex{set_->order_[rank_]})) ++rank_;
    }
    const UserSet* set_ = nullptr;
    std::size_t rank_ = 0;
  };
  [[nodiscard]] Iterator begin() const noexcept { return Iterator(this, 0); }
  [[nodiscard]] Iterator end() const noexcept { return Iterator(this, size_); }

  // -- Writing (what the queries use; hosts may too) --------------------------

  void clear() noexcept { std::fill(words_.begin(), words_.end(), 0); }
  void insert(UserIndex u) noexcept { set(static_cast<std::uint32_t>(u), true); }
  void erase(UserIndex u) noexcept { set(static_cast<std::uint32_t>(u), false); }

 private:
  friend class QueryIndex;
  [[nodiscard]] std::size_t word_count() const noexcept { return (size_ + 63) / 64; }
  void set(std::uint32_t i, bool on) noexcept {
    if (i >= size_) return;
    const std::uint64_t bit = std::uint64_t{1} << (i & 63u);
    words_[i >> 6] = on ? (words_[i >> 6] | bit) : (words_[i >> 6] & ~bit);
  }
  std::vector<std::uint64_t> words_;    // the set
  std::vector<std::uint64_t> scratch_;  // a second bitset the queries use
  const std::uint32_t* order_ = nullptr;  // user indexes in id order
  std::size_t size_ = 0;
};

/// Which users `QueryIndex::list_users` and `match_users` return. Every field
/// left at its default matches everyone; the fields combine with AND. An
/// index the snapshot (or model) does not know matches nobody.
struct UserFilter {
  /// Bit `1 << UserType` per type wanted (`user_type_mask`); default all.
  std::uint8_t types = 0x1F;
  /// The effective role (the implied role of system and anonymous users
  /// included).
  std::optional<RoleIndex> role;
  /// Primary or other group.
  std::optional<GroupIndex> group;
  std::optional<CompanyIndex> company;
  std::optional<PlanIndex> plan;
  /// Holds the licence: assigned, through the plan, or a site licence.
  std::optional<LicenceIndex> licence;
  /// `true`: may sign in (not retired, not former, login on, not a
  /// resource); `false`: may not; unset: both.
  std::optional<bool> active;
  /// A case-insensitive (ASCII) substring of the id or the name; empty
  /// matches all.
  std::string_view search;
};

/// The `UserFilter::types` bit of one type.
[[nodiscard]] constexpr std::uint8_t user_type_mask(UserType t) noexcept {
  return static_cast<std::uint8_t>(1u << static_cast<unsigned>(t));
}
/// The "other users" tab: anonymous and system users.
inline constexpr std::uint8_t kOtherUsersMask =
    user_type_mask(UserType::kAnonymous) | user_type_mask(UserType::kSystem);

/// The precomputed sets that answer the admin's questions for one snapshot.
class QueryIndex {
 public:
  QueryIndex() = default;

  /// Builds the index. `model` (may be null) is the model the snapshot was
  /// compiled from: it supplies names (search), plans, licences, role types
  /// and the roles' functional rights; without it those filters match
  /// nobody, `search` matches ids only and `roles_granting` is empty. Error
  /// `kInvalidArgument` when the model's users are not the snapshot's.
  /// Cold: O(users × objects), allocates.
  [[nodiscard]] SORIGHTS_API static Result<QueryIndex> build(const Snapshot& snapshot, const Model* model = nullptr);
  [[nodiscard]] static Result<QueryIndex> build(const Snapshot& snapshot, const Model& model) {
    return build(snapshot, &model);
  }

  /// An empty set sized for this snapshot (allocates).
  [[nodiscard]] UserSet make_set() const {
    UserSet s;
    s.size_ = n_;
    s.words_.assign(w_, 0);
    s.scratch_.assign(w_, 0);
    s.order_ = order_.data();
    return s;
  }

  [[nodiscard]] const Snapshot& snapshot() const noexcept { return *s_; }
  [[nodiscard]] PlanIndex find_plan(std::string_view id) const noexcept {
    for (std::size_t i = 0; i < plan_ids_.size(); ++i)
      if (plan_ids_[i] == id) return PlanIndex{static_cast<std::uint32_t>(i)};
    return kUnknownPlan;
  }
  [[nodiscard]] LicenceIndex find_licence(std::string_view id) const noexcept {
    for (std::size_t i = 0; i < licence_ids_.size(); ++i)
      if (licence_ids_[i] == id) return LicenceIndex{static_cast<std::uint32_t>(i)};
    return kUnknownLicence;
  }
  /// The user's display name (empty without a model).
  [[nodiscard]] std::string_view user_name(UserIndex u) const noexcept {
    const auto i = static_cast<std::uint32_t>(u);
    return i < n_ ? text(3 * static_cast<std::size_t>(i) + 2) : std::string_view();
  }
  /// True if the user may sign in: not retired, not former, login on, not a
  /// resource. False for an unknown user. O(1).
  [[nodiscard]] bool is_active(UserIndex u) const noexcept {
    const auto i = static_cast<std::uint32_t>(u);
    return i < n_ && users()[i].inactive == 0;
  }

  // -- Users ------------------------------------------------------------------

  /// True if user `u` matches `f`. O(groups of u + |search| × |id + name|).
  [[nodiscard]] bool matches(UserIndex u, const UserFilter& f) const noexcept;

  /// Writes into `out` the users matching `f`; returns their number.
  /// O(users), noexcept, allocation-free.
  std::size_t match_users(const UserFilter& f, UserSet& out) const noexcept;

  /// The users matching `f` in id order: skips `offset` of them and writes
  /// the next ones into `page` (as many as fit). Returns the total number of
  /// matches (so a host can page). O(users), noexcept, allocation-free.
  std::size_t list_users(const UserFilter& f, std::size_t offset, std::span<UserIndex> page) const noexcept;

  /// Every user whose primary or other group is `g` (inactive users too);
  /// returns their number. O(members + users / 64).
  std::size_t group_members(GroupIndex g, UserSet& out) const noexcept;

  // -- Roles and functional rights ----------------------------------------------

  /// The user's effective role: the role it names, else the implied one
  /// (system users: `system`, anonymous users: the anonymous-type role);
  /// `kUnknownRole` for a resource naming none or an unknown user. O(1).
  [[nodiscard]] RoleIndex effective_role(UserIndex u) const noexcept {
    const auto i = static_cast<std::uint32_t>(u);
    return i < role_of_.size() ? RoleIndex{role_of_[i]} : kUnknownRole;
  }
  /// Users whose effective role is `r`, inactive ones too. O(1).
  [[nodiscard]] std::size_t role_user_count(RoleIndex r) const noexcept {
    const auto i = static_cast<std::uint32_t>(r);
    return i < role_users_.size() ? role_users_[i] : 0;
  }
  /// True for the roles listings hide unless asked: roles of type system
  /// (without a model: the role `system`). O(1).
  [[nodiscard]] bool role_hidden(RoleIndex r) const noexcept {
    const auto i = static_cast<std::uint32_t>(r);
    return i < role_hidden_.size() && role_hidden_[i] != 0;
  }

  /// The users holding functional right `right` (`Snapshot::has` true);
  /// returns their number. O(users), allocation-free.
  std::size_t users_holding(RightIndex right, UserSet& out) const noexcept;

  /// The roles whose functional rights list `right`, in the snapshot's role
  /// index order; roles hidden (`role_hidden`) only with `include_hidden`.
  /// Writes as many as fit into `out` and returns the total. O(roles × rights
  /// per role). Needs the model (empty without).
  std::size_t roles_granting(RightIndex right, std::span<RoleIndex> out, bool include_hidden = false) const noexcept;

  // -- Who can ------------------------------------------------------------------

  /// Every user for whom `snapshot().can(user, action, record)` is true,
  /// written into `out`; returns their number. Exactly the naive loop's
  /// answer, computed as bitset algebra: O(users / 64 × a few passes + group
  /// members) plus one `rights()` call per patched user (the record's owner
  /// and visibility associate, system users, users with record-scoped
  /// overrides on the object when the record has an id, external users of
  /// the record's and owner's company or of its project, and — for a record
  /// whose empty owner means "the asking user" — every external and
  /// anonymous user). noexcept, allocation-free, thread-safe.
  std::size_t who_can(Action action, const Record& record, UserSet& out) const noexcept;

  /// Heap bytes held by the index.
  [[nodiscard]] std::size_t memory_bytes() const noexcept;

 private:
  // Slots of the cell bitsets: the relations `who_can` computes with sets.
  enum Slot : std::uint32_t { kOwnSlot, kPrimarySlot, kOtherSlot, kOtherAssociatesSlot, kAnonymousSlot, kExternalSlot, kSlots };

  [[nodiscard]] std::span<const detail::UserRec> users() const noexcept { return detail::SnapshotAccess::users(*s_); }
  [[nodiscard]] const std::uint64_t* cell_set(std::uint32_t obj, Slot slot, unsigned bit) const noexcept {
    return cells_.data() + ((static_cast<std::size_t>(obj) * kSlots + slot) * 4 + bit) * w_;
  }
  [[nodiscard]] const std::uint64_t* remove_set(std::uint32_t obj, bool is_new, unsigned bit) const noexcept {
    return removes_.data() + ((static_cast<std::size_t>(obj) * 2 + (is_new ? 1 : 0)) * 4 + bit) * w_;
  }
  [[nodiscard]] static bool test(const std::uint64_t* set, std::uint32_t u) noexcept {
    return ((set[u >> 6] >> (u & 63u)) & 1u) != 0;
  }
  [[nodiscard]] bool holds_licence(std::uint32_t u, std::uint32_t licence) const noexcept {
    return licence < licence_ids_.size() && test(licence_sets_.data() + static_cast<std::size_t>(licence) * w_, u);
  }
  [[nodiscard]] bool search_hit(std::uint32_t u, std::string_view needle) const noexcept;

  // The steps of `build` (queries-inl.hpp; cold).
  struct Memberships;  // (key, user) pairs of the member lists, before CSR
  void index_order();
  void index_user(std::uint32_t u, Memberships& lists);
  void index_cells(std::uint32_t u, const detail::Profile& p);
  void index_roles(const Model* model);
  void index_texts(const Model* model);
  void index_licences(const Model& model);

  // The steps of `who_can`.
  [[nodiscard]] std::uint8_t record_locks(const Record& record, std::uint8_t traits) const noexcept;
  [[nodiscard]] bool record_visible(const Record& record) const noexcept;
  void owned_record_sets(std::uint32_t obj, unsigned b, std::uint8_t action_bit, const Record& record,
                         std::uint8_t traits, std::uint64_t* r, std::uint64_t* scratch) const noexcept;

  const Snapshot* s_ = nullptr;
  std::uint32_t n_ = 0;          // users
  std::size_t w_ = 0;            // words per bitset
  std::uint32_t objects_ = 0;
  std::uint32_t groups_ = 0;
  std::vector<std::uint32_t> order_;  // user indexes in id order

  // Bitsets (w_ words each).
  std::vector<std::uint64_t> cells_;      // [object][slot][bit]: algebraic users whose capped cell has the bit
  std::vector<std::uint64_t> removes_;    // [object][existing, new][bit]: override removals
  std::vector<std::uint64_t> need_publish_;  // [object]
  std::vector<std::uint8_t> object_has_publish_;  // [object]: need_publish_ non-empty
  std::vector<std::uint64_t> employee_;   // algebraic users whose relations come from groups
  std::vector<std::uint64_t> selection_admin_;
  std::vector<std::uint64_t> hidden_by_company_;  // [our company]: users that company's associates' records are hidden from
  std::vector<std::uint64_t> licence_sets_;       // [licence]

  // Member lists (CSR: begin offsets, then the user indexes).
  std::vector<std::uint32_t> primary_begin_, primary_;  // [group]
  std::vector<std::uint32_t> other_begin_, other_;      // [group]
  std::vector<std::uint32_t> my_company_begin_, my_company_;  // [company]: external users with my-company rights
  std::vector<std::uint32_t> project_begin_, project_;        // [project]: external users with same-project rights
  std::vector<std::uint32_t> record_ovr_begin_, record_ovr_;  // [object]: users with record-scoped overrides
  std::vector<std::uint32_t> always_patch_;      // active system users
  std::vector<std::uint32_t> external_anonymous_;  // active external and anonymous users

  // From the model.
  // Texts per user in one pool: [3u] lower-case id, [3u+1] lower-case name,
  // [3u+2] name; text k is text_[text_at_[k], text_at_[k + 1]).
  std::string text_;
  std::vector<std::uint32_t> text_at_;
  [[nodiscard]] std::string_view text(std::size_t k) const noexcept {
    return std::string_view(text_).substr(text_at_[k], text_at_[k + 1] - text_at_[k]);
  }
  std::vector<std::uint32_t> plan_of_;  // [user]
  std::vector<std::string> plan_ids_, licence_ids_;
  std::vector<std::uint32_t> role_of_;  // [user]: effective role or kUnknownRole
  std::vector<std::uint32_t> role_users_;
  std::vector<std::uint8_t> role_hidden_;
  std::vector<std::vector<std::uint32_t>> role_rights_;  // [role]: right indexes
};

// -----------------------------------------------------------------------------
// Implementation of the queries (inline in every build mode; `build` is in
// queries-inl.hpp, compiled into sorights::sorights)
// -----------------------------------------------------------------------------

namespace detail {

inline char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// True if `needle` (any case) occurs in `lower_hay` (already lower case).
inline bool contains_folded(std::string_view lower_hay, std::string_view needle) noexcept {
  if (needle.empty()) return true;
  if (needle.size() > lower_hay.size()) return false;
  const char first = ascii_lower(needle[0]);
  for (std::size_t i = 0; i + needle.size() <= lower_hay.size(); ++i) {
    if (lower_hay[i] != first) continue;
    std::size_t k = 1;
    while (k < needle.size() && lower_hay[i + k] == ascii_lower(needle[k])) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

// Word loops the compiler vectorizes (SSE2/AVX2 per the target).
inline void and_not(std::uint64_t* __restrict r, const std::uint64_t* __restrict s, std::size_t w) noexcept {
  for (std::size_t i = 0; i < w; ++i) r[i] &= ~s[i];
}
inline void and_with(std::uint64_t* __restrict r, const std::uint64_t* __restrict s, std::size_t w) noexcept {
  for (std::size_t i = 0; i < w; ++i) r[i] &= s[i];
}
inline void copy_and_not(std::uint64_t* __restrict r, const std::uint64_t* __restrict a,
                         const std::uint64_t* __restrict b, std::size_t w) noexcept {
  for (std::size_t i = 0; i < w; ++i) r[i] = a[i] & ~b[i];
}

}  // namespace detail

inline bool QueryIndex::search_hit(std::uint32_t u, std::string_view needle) const noexcept {
  return detail::contains_folded(text(3 * static_cast<std::size_t>(u)), needle) ||
         detail::contains_folded(text(3 * static_cast<std::size_t>(u) + 1), needle);
}

inline bool QueryIndex::matches(UserIndex user, const UserFilter& f) const noexcept {
  const auto u = static_cast<std::uint32_t>(user);
  if (u >= n_) return false;
  const detail::UserRec& rec = users()[u];
  if (!(f.types & (1u << rec.type))) return false;
  if (f.active && (rec.inactive == 0) != *f.active) return false;
  if (f.role && (role_of_[u] != static_cast<std::uint32_t>(*f.role) ||
                 role_of_[u] == static_cast<std::uint32_t>(kUnknownRole)))
    return false;
  if (f.company && rec.company != static_cast<std::uint32_t>(*f.company)) return false;
  if (f.group) {
    const auto g = static_cast<std::uint32_t>(*f.group);
    if (g >= groups_) return false;
    if (rec.primary_group != g) {
      if (!std::ranges::binary_search(rec.other_groups(detail::SnapshotAccess::group_pool(*s_)), g)) return false;
    }
  }
  if (f.plan && (u >= plan_of_.size() || plan_of_[u] != static_cast<std::uint32_t>(*f.plan) ||
                 static_cast<std::uint32_t>(*f.plan) >= plan_ids_.size()))
    return false;
  if (f.licence && !holds_licence(u, static_cast<std::uint32_t>(*f.licence))) return false;
  if (!f.search.empty() && !search_hit(u, f.search)) return false;
  return true;
}

inline std::size_t QueryIndex::match_users(const UserFilter& f, UserSet& out) const noexcept {
  out.clear();
  std::size_t count = 0;
  if (out.size_ != n_) return 0;
  if (f.group) {  // only the group's members can match
    const auto g = static_cast<std::uint32_t>(*f.group);
    if (g >= groups_) return 0;
    for (const auto* list : {&primary_, &other_}) {
      const auto& begin = list == &primary_ ? primary_begin_ : other_begin_;
      for (std::uint32_t k = begin[g]; k < begin[g + 1]; ++k) {
        const std::uint32_t u = (*list)[k];
        if (!out.contains(UserIndex{u}) && matches(UserIndex{u}, f)) {
          out.set(u, true);
          ++count;
        }
      }
    }
    return count;
  }
  for (std::uint32_t u = 0; u < n_; ++u)
    if (matches(UserIndex{u}, f)) {
      out.set(u, true);
      ++count;
    }
  return count;
}

inline std::size_t QueryIndex::list_users(const UserFilter& f, std::size_t offset,
                                          std::span<UserIndex> page) const noexcept {
  std::size_t total = 0;
  for (std::uint32_t u : order_) {
    if (!matches(UserIndex{u}, f)) continue;
    if (total >= offset && total - offset < page.size()) page[total - offset] = UserIndex{u};
    ++total;
  }
  return total;
}

inline std::size_t QueryIndex::group_members(GroupIndex group, UserSet& out) const noexcept {
  out.clear();
  const auto g = static_cast<std::uint32_t>(group);
  if (g >= groups_ || out.size_ != n_) return 0;
  for (std::uint32_t k = primary_begin_[g]; k < primary_begin_[g + 1]; ++k) out.set(primary_[k], true);
  for (std::uint32_t k = other_begin_[g]; k < other_begin_[g + 1]; ++k) out.set(other_[k], true);
  return out.count();
}

inline std::size_t QueryIndex::users_holding(RightIndex right, UserSet& out) const noexcept {
  out.clear();
  if (out.size_ != n_) return 0;
  std::size_t count = 0;
  for (std::uint32_t u = 0; u < n_; ++u)
    if (s_->has(UserIndex{u}, right)) {
      out.words_[u >> 6] |= std::uint64_t{1} << (u & 63u);
      ++count;
    }
  return count;
}

inline std::size_t QueryIndex::roles_granting(RightIndex right, std::span<RoleIndex> out,
                                              bool include_hidden) const noexcept {
  const auto ri = static_cast<std::uint32_t>(right);
  std::size_t total = 0;
  for (std::uint32_t r = 0; r < role_rights_.size(); ++r) {
    if (role_hidden_[r] && !include_hidden) continue;
    if (std::find(role_rights_[r].begin(), role_rights_[r].end(), ri) == role_rights_[r].end()) continue;
    if (total < out.size()) out[total] = RoleIndex{r};
    ++total;
  }
  return total;
}

// Removals that depend on the record alone (completed, a user's person, one
// of our companies): the action bits no one gets on it.
inline std::uint8_t QueryIndex::record_locks(const Record& record, std::uint8_t traits) const noexcept {
  using A = detail::SnapshotAccess;
  constexpr std::uint8_t kU = TableRights::action_bit(Action::kUpdate), kD = TableRights::action_bit(Action::kDelete);
  const auto c = static_cast<std::uint32_t>(record.company);
  const bool db_owner =
      record.database_owner | ((c == A::database_owner(*s_)) & (c != static_cast<std::uint32_t>(kNoCompany)));
  std::uint8_t lock = 0;
  if (record.completed && (traits & detail::kTraitCompletedLocked)) lock |= kU | kD;
  if (record.user_person && (traits & detail::kTraitPerson)) lock |= kD;
  if ((traits & detail::kTraitCompany) && (db_owner || record.our_company || c < A::our_company_count(*s_)))
    lock |= kD;
  return lock;
}

// True if a record of an object with publishing is published now (or at
// `record.at`).
inline bool QueryIndex::record_visible(const Record& record) const noexcept {
  if (!record.published) return false;
  if (record.publish_from == kTimeMin && record.publish_to == kTimeMax) return true;
  Time at = record.at;
  if (at == kTimeMin)
    at = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
             .count();
  return record.publish_from <= at && at <= record.publish_to;
}

// Steps 1-7 of the decision as set algebra for a record with an owner (or
// none that stands for the asker): into `r`, every algebraic user whose cell
// has action bit `b` and whom no removal, company, visibility, publishing or
// selection rule takes it from. The users the sets do not cover are patched
// by `who_can`.
inline void QueryIndex::owned_record_sets(std::uint32_t obj, unsigned b, std::uint8_t action_bit,
                                          const Record& record, std::uint8_t traits, std::uint64_t* r,
                                          std::uint64_t* scratch) const noexcept {
  using namespace detail;
  const auto us = users();
  const std::size_t w = w_;
  const auto owner = static_cast<std::uint32_t>(record.owner);
  const bool known = owner < n_;
  const auto kind = record.visibility.kind;
  const std::uint32_t vis_id = record.visibility.id;
  const bool vis_applies = (traits & kTraitVisibility) && kind != VisibilityKind::kAll;
  const std::uint64_t* removal = remove_set(obj, record.is_new, b);
  // 1-2. Relation and role cell, for every user but the owner.
  const UserType otype = known ? static_cast<UserType>(us[owner].type) : UserType::kAssociate;
  if (known && otype == UserType::kAnonymous) {
    copy_and_not(r, cell_set(obj, kAnonymousSlot, b), removal, w);
  } else if (known && otype == UserType::kExternal) {
    copy_and_not(r, cell_set(obj, kExternalSlot, b), removal, w);
  } else {
    copy_and_not(r, cell_set(obj, kOtherAssociatesSlot, b), removal, w);
    const std::uint32_t g = record.group == kNoGroup ? us[known ? owner : 0].primary_group
                                                     : static_cast<std::uint32_t>(record.group);
    if (known && g < groups_) {
      auto relate = [&](const std::vector<std::uint32_t>& begin, const std::vector<std::uint32_t>& items, Slot slot) {
        const std::uint64_t* cell = cell_set(obj, slot, b);
        for (std::uint32_t k = begin[g]; k < begin[g + 1]; ++k) {
          const std::uint32_t u = items[k];
          if (!test(employee_.data(), u)) continue;
          const bool on = test(cell, u) && !test(removal, u);
          const std::uint64_t bit = std::uint64_t{1} << (u & 63u);
          r[u >> 6] = on ? (r[u >> 6] | bit) : (r[u >> 6] & ~bit);
        }
      };
      relate(primary_begin_, primary_, kPrimarySlot);
      relate(other_begin_, other_, kOtherSlot);
    }
  }
  // 3. Other companies.
  if (known && us[owner].in_our_companies && us[owner].company < SnapshotAccess::our_company_count(*s_))
    and_not(r, hidden_by_company_.data() + static_cast<std::size_t>(us[owner].company) * w, w);
  // 4. Visible for a group: its members only.
  if (vis_applies) {
    std::fill(scratch, scratch + w, 0);
    for (std::uint32_t k = primary_begin_[vis_id]; k < primary_begin_[vis_id + 1]; ++k)
      scratch[primary_[k] >> 6] |= std::uint64_t{1} << (primary_[k] & 63u);
    for (std::uint32_t k = other_begin_[vis_id]; k < other_begin_[vis_id + 1]; ++k)
      scratch[other_[k] >> 6] |= std::uint64_t{1} << (other_[k] & 63u);
    and_with(r, scratch, w);
  }
  // 5. Publishing.
  if (object_has_publish_[obj] && !record_visible(record))
    and_not(r, need_publish_.data() + static_cast<std::size_t>(obj) * w, w);
  // 7. Another user's selection: Update and Delete for its administrators only.
  constexpr std::uint8_t kUpdateOrDelete =
      TableRights::action_bit(Action::kUpdate) | TableRights::action_bit(Action::kDelete);
  if ((traits & kTraitSelection) && (action_bit & kUpdateOrDelete)) and_with(r, selection_admin_.data(), w);
}

inline std::size_t QueryIndex::who_can(Action action, const Record& record, UserSet& out) const noexcept {
  using namespace detail;
  out.clear();
  if (out.size_ != n_) return 0;
  const std::uint8_t action_bit = TableRights::action_bit(action);
  const auto obj = static_cast<std::uint32_t>(record.object);
  if (action_bit == 0 || obj >= objects_ || n_ == 0) return 0;
  const unsigned b = static_cast<unsigned>(std::countr_zero(static_cast<unsigned>(action_bit)));
  const auto traits = SnapshotAccess::object_traits(*s_)[obj];
  const auto us = users();
  std::uint64_t* r = out.words_.data();
  const bool locked = (record_locks(record, traits) & action_bit) != 0;
  auto patch = [&](std::uint32_t u) {
    const bool on = s_->can(UserIndex{u}, action, record);
    const std::uint64_t bit = std::uint64_t{1} << (u & 63u);
    r[u >> 6] = on ? (r[u >> 6] | bit) : (r[u >> 6] & ~bit);
  };
  auto patch_list = [&](const std::vector<std::uint32_t>& begin, const std::vector<std::uint32_t>& items,
                        std::uint32_t key) {
    if (begin.size() > 1 && key < begin.size() - 1)
      for (std::uint32_t k = begin[key]; k < begin[key + 1]; ++k) patch(items[k]);
  };
  const auto owner = static_cast<std::uint32_t>(record.owner);

  if (owner == static_cast<std::uint32_t>(kNoUser) && (traits & kTraitEmptyOwnerIsUser)) {
    // Every user asks about "their own" record: the own cell, the override
    // removals and the record state decide. External and anonymous users are
    // checked one by one.
    if (!locked) copy_and_not(r, cell_set(obj, kOwnSlot, b), remove_set(obj, record.is_new, b), w_);
    for (std::uint32_t u : external_anonymous_) patch(u);
  } else {
    const bool known = owner < n_;
    const auto kind = record.visibility.kind;
    const std::uint32_t vis_id = record.visibility.id;
    const bool vis_applies = (traits & kTraitVisibility) && kind != VisibilityKind::kAll;
    const bool all_hidden = vis_applies && (kind == VisibilityKind::kAssociate || vis_id >= groups_);
    if (!locked && !all_hidden) owned_record_sets(obj, b, action_bit, record, traits, r, out.scratch_.data());
    // The users the sets do not cover.
    if (known) patch(owner);
    if (vis_applies && kind == VisibilityKind::kAssociate && vis_id < n_) patch(vis_id);
    patch_list(my_company_begin_, my_company_, known ? us[owner].company : static_cast<std::uint32_t>(kNoCompany));
    patch_list(my_company_begin_, my_company_, static_cast<std::uint32_t>(record.company));
    patch_list(project_begin_, project_, static_cast<std::uint32_t>(record.project));
  }
  for (std::uint32_t u : always_patch_) patch(u);
  if (record.id != 0) patch_list(record_ovr_begin_, record_ovr_, obj);
  return out.count();
}

inline std::size_t QueryIndex::memory_bytes() const noexcept {
  std::size_t bytes = (cells_.capacity() + removes_.capacity() + need_publish_.capacity() + employee_.capacity() +
                       selection_admin_.capacity() + hidden_by_company_.capacity() + licence_sets_.capacity()) * 8;
  for (const auto* v : {&order_, &primary_begin_, &primary_, &other_begin_, &other_, &my_company_begin_, &my_company_,
                        &project_begin_, &project_, &record_ovr_begin_, &record_ovr_, &always_patch_,
                        &external_anonymous_, &plan_of_, &role_of_, &role_users_, &text_at_})
    bytes += v->capacity() * 4;
  return bytes + text_.capacity();
}

SORIGHTS_END_NAMESPACE

#ifdef SORIGHTS_HEADER_ONLY
#  include "sorights/queries-inl.hpp"
#endif

#endif  // SORIGHTS_QUERIES_HPP_
