// -----------------------------------------------------------------------------
// File: filter.hpp
// -----------------------------------------------------------------------------
// Batch filtering: `filter(snapshot, user, object, action, columns, out_bits)`
// decides one action for a whole column set of records at once and writes the
// allowed set as a bitset (bit i of `out_bits[i / 64]` for record i). It is
// for list views that filter in memory; a list read from SQL should push the
// rule into the query instead (predicate.hpp).
//
// The answer is exactly `snapshot.can(user, action, columns.record(i, object))`
// for every record, computed with three interchangeable kernels chosen at run
// time: AVX-512 (16 records a step), AVX2 (8) and a portable scalar loop. All
// three run the same plan: everything that depends only on (user, object,
// action) is decided once per call (role cells, licence, overrides,
// publishing, record-state rules), so each record costs a few compares, one
// masked gather of its owner's type (and primary group / company when the
// rule needs them) and one table lookup. When the role's cells give every
// relation another user's record can have the same answer (a role that reads
// everything of the object, say), the plan drops the owner gathers and the
// group tests altogether.
//
// For records already held as an array of `Record`s, of any objects,
// `can_batch` gives the same bits and `rights_batch` each record's whole
// `TableRights` (the batch forms of `can` and `rights`).
//
// `filter`, `can_batch` and `rights_batch` are `noexcept`, allocation-free
// and thread-safe (they read an immutable snapshot).
//
// **Example**:
//
//     std::vector<sorights::UserIndex> owner = ...;         // one entry per row
//     std::vector<sorights::GroupIndex> group = ...;
//     std::vector<std::uint8_t> flags = ...;                 // RecordFlag bits
//     sorights::RecordColumns cols{.size = owner.size(), .owner = owner,
//                                  .group = group, .flags = flags};
//     std::vector<std::uint64_t> bits(sorights::filter_words(cols.size));
//     auto r = sorights::filter(snapshot, alice, sale, sorights::Action::kRead, cols, bits);
//     // r.allowed rows are visible; bit i of bits says whether row i is.
#ifndef SORIGHTS_FILTER_HPP_
#define SORIGHTS_FILTER_HPP_

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "sorights/config.hpp"
#include "sorights/detail/batch_kernels.hpp"
#include "sorights/detail/filter_kernels.hpp"
#include "sorights/index_column.hpp"
#include "sorights/record.hpp"
#include "sorights/record_columns.hpp"
#include "sorights/rights.hpp"
#include "sorights/snapshot.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// The number of 64-bit words a bitset for `n` records needs.
[[nodiscard]] constexpr std::size_t filter_words(std::size_t n) noexcept { return (n + 63) / 64; }

/// The kernel `filter` runs. `kAuto` picks the widest the processor has.
enum class FilterPath : std::uint8_t { kAuto = 0, kScalar = 1, kAvx2 = 2, kAvx512 = 3 };

/// What `filter` did.
struct FilterResult {
  std::size_t allowed = 0;  ///< records allowed (bits set)
  FilterPath path = FilterPath::kScalar;  ///< the kernel that ran
  /// False if `columns` is not `valid()` or `out_bits` is too small; then
  /// nothing is allowed (what fits of `out_bits` is zeroed).
  bool ok = false;
};

namespace detail {

// The widest kernel this processor runs (decided once).
inline FilterPath detect_filter_path() noexcept {
#if SORIGHTS_FILTER_X86
  static const FilterPath path = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return FilterPath::kAvx512;
    if (__builtin_cpu_supports("avx2")) return FilterPath::kAvx2;
    return FilterPath::kScalar;
  }();
  return path;
#else
  return FilterPath::kScalar;
#endif
}

// True if a record-scoped override of the plan's object removes `bit` from
// the record with key `key` (0: no key, never overridden).
inline bool override_removes(const CheckPlan& plan, std::uint64_t key, std::uint8_t bit) noexcept {
  const RecordOverride* it = find_record_override(plan.ovr_begin, plan.ovr_end, key);
  return it != nullptr && (it->remove & bit) != 0;
}

// The plans of one `can_batch` call: one per data object met, made on first
// use from the user's part, made once (objects past the table share one
// slot, remade when the object changes). "Now" is read once per call.
class BatchPlans {
 public:
  static constexpr std::uint32_t kSlots = 64;  // objects with a slot each: 0..kSlots-1
  static_assert(kSlots >= kBatchTableSize);

  BatchPlans(const Snapshot& s, UserIndex user, Action action) noexcept
      : s_(s), action_(action), user_(make_user_plan(s, user)) {}

  const CheckPlan& get(ObjectIndex object) noexcept {
    const auto o = static_cast<std::uint32_t>(object);
    const bool slotted = o < kSlots;
    CheckPlan& slot = slots_.plans[slotted ? o : kSlots];
    if (SORIGHTS_UNLIKELY(slotted ? !((made_ >> o) & 1u) : !(have_spare_ && spare_object_ == o))) {
      std::construct_at(&slot, user_);
      complete_object_plan(s_, slot, object, action_, now_, CheckPlanInputs{true, true});
      if (slot.publishing) now_ = slot.at;
      if (slotted) made_ |= std::uint64_t{1} << o;
      else {
        have_spare_ = true;
        spare_object_ = o;
      }
    }
    return slot;
  }

  // The user-level fields every plan of the call shares.
  const CheckPlan& user() const noexcept { return user_; }
  // "Now", once a plan with publishing has been made.
  Time now() const noexcept { return now_; }

 private:
  union Slots {  // made on first use (see made_): no cost for objects not met
    Slots() noexcept {}
    CheckPlan plans[kSlots + 1];  // the last: the spare
  };
  const Snapshot& s_;
  Action action_;
  CheckPlan user_;
  Time now_ = kTimeMin;
  std::uint64_t made_ = 0;
  bool have_spare_ = false;
  std::uint32_t spare_object_ = 0;
  Slots slots_;
};

}  // namespace detail

/// True if this processor (and build) can run kernel `path`.
[[nodiscard]] inline bool filter_path_available(FilterPath path) noexcept {
  if (path == FilterPath::kAuto || path == FilterPath::kScalar) return true;
  const FilterPath best = detail::detect_filter_path();
  return static_cast<int>(path) <= static_cast<int>(best);
}

/// Decides `action` for every record of `columns` (all of data object
/// `object`) for `user`, writing bit i of `out_bits` for record i (bits past
/// `columns.size` in the last word are 0). Equal, record for record, to
/// `snapshot.can(user, action, columns.record(i, object))`. `path` forces a
/// kernel (for tests and benchmarks); an unavailable one falls back to the
/// widest available. Never allocates; O(n) with a small constant.
inline FilterResult filter(const Snapshot& snapshot, UserIndex user, ObjectIndex object, Action action,
                           const RecordColumns& columns, std::span<std::uint64_t> out_bits,
                           FilterPath path = FilterPath::kAuto) noexcept {
  FilterResult result;
  const std::size_t n = columns.size;
  const std::size_t words = filter_words(n);
  if (!columns.valid() || out_bits.size() < words) {
    if (!out_bits.empty())
      std::memset(out_bits.data(), 0, out_bits.size() < words ? out_bits.size_bytes() : words * 8);
    return result;
  }
  result.ok = true;
  if (path == FilterPath::kAuto || !filter_path_available(path)) path = detail::detect_filter_path();
  result.path = path;
  const detail::CheckPlan plan = detail::make_filter_plan(snapshot, user, object, action, columns);
  if (plan.constant >= 0) {
    if (words != 0) std::memset(out_bits.data(), plan.constant ? 0xFF : 0, words * 8);
    if (plan.constant && (n & 63u)) out_bits[words - 1] = (std::uint64_t{1} << (n & 63u)) - 1;
    result.allowed = plan.constant ? n : 0;
    return result;
  }
  std::uint64_t* out = out_bits.data();
  switch (path) {
#if SORIGHTS_FILTER_X86
    case FilterPath::kAvx512: detail::filter_avx512(plan, columns, 0, n, out); break;
    case FilterPath::kAvx2: detail::filter_avx2(plan, columns, 0, n, out); break;
#endif
    default: detail::filter_scalar(plan, columns, 0, n, out); break;
  }
  // Record-scoped overrides: a short sorted list, checked only for allowed rows.
  if (plan.ovr_begin != plan.ovr_end) {
    const std::uint8_t bit = TableRights::action_bit(action);
    for (std::size_t w = 0; w < words; ++w) {
      std::uint64_t word = out[w];
      while (word) {
        const std::size_t j = w * 64 + static_cast<std::size_t>(std::countr_zero(word));
        word &= word - 1;
        if (detail::override_removes(plan, columns.id[j], bit)) out[w] &= ~(std::uint64_t{1} << (j & 63u));
      }
    }
  }
  std::size_t allowed = 0;
  for (std::size_t w = 0; w < words; ++w) allowed += static_cast<std::size_t>(std::popcount(out[w]));
  result.allowed = allowed;
  return result;
}

namespace detail {

// One object's records of a `can_batch` block as columns, padded with zeros
// to whole 16-record steps of the vector kernels.
struct RunColumns {
  static constexpr std::size_t kBlock = 512;
  static constexpr std::size_t kCap = kBlock + 16;
  std::array<std::uint32_t, kCap> owner, group, vid, project, company;
  std::array<std::uint8_t, kCap> flags;
  std::array<std::uint64_t, kCap> id;
  std::array<Time, kCap> from, to;

  // Fills entries [0, len) from the block's records at `order`, zeroes the
  // padding, and returns the columns the kernels read for plan `p` (the
  // others stay empty: the kernels then read none).
  RecordColumns fill(const Record* block, const std::uint16_t* order, std::size_t len, const CheckPlan& p) noexcept {
    const bool ids = p.ovr_begin != p.ovr_end, windows = p.publishing;
    const bool external = p.kind == CheckUserKind::kExternal;
    const bool groups = p.owner_facts && p.group_facts, vids = p.visibility;
    const bool projects = p.owner_facts && external && p.same_project;
    const bool companies = (p.owner_facts && external && p.my_company) || p.deny_company_protected;
    for (std::size_t k = 0; k < len; ++k) {
      const Record& r = block[order[k]];
      owner[k] = static_cast<std::uint32_t>(r.owner);
      flags[k] = record_flags(r);
      if (groups) group[k] = static_cast<std::uint32_t>(r.group);
      if (vids) vid[k] = r.visibility.id;
      if (projects) project[k] = static_cast<std::uint32_t>(r.project);
      if (companies) company[k] = static_cast<std::uint32_t>(r.company);
      if (ids) id[k] = r.id;
      if (windows) {
        from[k] = r.publish_from;
        to[k] = r.publish_to;
      }
    }
    const std::size_t padded = (len + 15) & ~std::size_t{15};
    for (std::size_t k = len; k < padded; ++k) {
      owner[k] = group[k] = vid[k] = project[k] = company[k] = 0;
      flags[k] = 0;
      id[k] = 0;
      from[k] = to[k] = 0;
    }
    RecordColumns c{.size = padded, .owner = {owner.data(), padded}, .flags = {flags.data(), padded}};
    if (groups) c.group = {group.data(), padded};
    if (vids) c.visibility_id = {vid.data(), padded};
    if (projects) c.project = {project.data(), padded};
    if (companies) c.company = {company.data(), padded};
    if (ids) c.id = {id.data(), padded};
    if (windows) {
      c.publish_from = {from.data(), padded};
      c.publish_to = {to.data(), padded};
    }
    c.at = p.at;
    return c;
  }
};

#if SORIGHTS_FILTER_X86
// `c.size` (a multiple of 16) records of one run through the vector kernels.
SORIGHTS_TARGET_AVX512 inline void run_avx512(const CheckPlan& p, const RecordColumns& c, std::uint64_t* out) noexcept {
  for (std::size_t i = 0; i < c.size; i += 16)
    out[i / 64] |= static_cast<std::uint64_t>(filter16_avx512(p, c, i)) << (i & 63u);
}
SORIGHTS_TARGET_AVX2 inline void run_avx2(const CheckPlan& p, const RecordColumns& c, std::uint64_t* out) noexcept {
  for (std::size_t i = 0; i < c.size; i += 8)
    out[i / 64] |= static_cast<std::uint64_t>(filter8_avx2(p, c, i)) << (i & 63u);
}

// The records of a batch 16 at a time, in place: each step prefetches the
// records 64 on; the last 1-15 records are copied to a buffer padded with
// empty records, and only their lanes are live.
class RecordSteps16 {
 public:
  RecordSteps16(const Record* records, std::size_t n) noexcept : records_(records), n_(n) {}

  // The 16 records of the step at `i` (a multiple of 16 below n); `live`
  // (all lanes on entry) keeps the lanes that are records.
  const Record* at(std::size_t i, __mmask16& live) noexcept {
    const Record* r = records_ + i;
    if (SORIGHTS_LIKELY(i + kAhead + 16 <= n_)) {
      for (std::size_t k = 0; k < 16; ++k) _mm_prefetch(reinterpret_cast<const char*>(r + kAhead + k), _MM_HINT_T0);
    } else if (n_ - i < 16) {
      std::uninitialized_copy(r, records_ + n_, tail_.r);
      std::uninitialized_fill(tail_.r + (n_ - i), tail_.r + 16, Record{});
      r = tail_.r;
      live = static_cast<__mmask16>((1u << (n_ - i)) - 1);
    }
    return r;
  }

 private:
  static constexpr std::size_t kAhead = 64;
  union Tail {  // made only when the last step has fewer than 16 records
    Tail() noexcept {}
    Record r[16];
  };
  const Record* records_;
  std::size_t n_;
  Tail tail_;
};

// can_batch with the AVX-512 kernel: 16 records a step in their order, each
// lane's per-object plan word picked from a table made as objects are met.
// Lanes of objects past the table and allowed lanes with record-scoped
// overrides are noted per step and decided after each 1024 records, so that
// their branches do not stall the stream of records.
SORIGHTS_TARGET_AVX512 inline std::size_t can_batch_avx512(BatchPlans& plans, Action action, const Record* records,
                                                           std::size_t n, std::uint64_t* out) noexcept {
  constexpr std::size_t kChunk = 1024;  // records a chunk
  alignas(64) std::array<std::uint32_t, kBatchTableSize> table;
  table.fill(kWordUnmade);
  const std::uint8_t bit = TableRights::action_bit(action);
  RecordSteps16 steps(records, n);
  std::size_t allowed = 0;
  for (std::size_t chunk = 0; chunk < n; chunk += kChunk) {
    const std::size_t end = std::min(n, chunk + kChunk);
    std::array<std::uint32_t, kChunk / 16> later;  // per step: scalar lanes | override lanes << 16
    std::uint32_t any_later = 0;
    std::uint64_t word = 0;
    for (std::size_t i = chunk; i < end; i += 16) {
      __mmask16 live = 0xFFFF;
      const Record* r = steps.at(i, live);
      Batch16 s = can16_avx512(plans.user(), table.data(), r, live, plans.now());
      while (SORIGHTS_UNLIKELY(s.unmade)) {
        for (std::uint32_t m = s.unmade; m; m &= m - 1) {
          const ObjectIndex o = r[std::countr_zero(m)].object;
          table[static_cast<std::uint32_t>(o)] = batch_word(plans.get(o));
        }
        s = can16_avx512(plans.user(), table.data(), r, live, plans.now());
      }
      later[(i - chunk) / 16] = s.scalar | (s.overrides << 16);
      any_later |= s.scalar | s.overrides;
      word |= static_cast<std::uint64_t>(s.allowed) << (i & 63u);
      if ((i & 63u) == 48 || i + 16 >= end) {
        out[i / 64] = word;
        word = 0;
      }
    }
    if (SORIGHTS_UNLIKELY(any_later != 0)) {
      for (std::size_t i = chunk; i < end; i += 16) {
        const std::uint32_t fix = later[(i - chunk) / 16];
        if (fix == 0) continue;
        const Record* r = records + i;  // lanes noted are live: within the records
        const RecordLanes lanes{r};
        std::uint64_t& w = out[i / 64];
        for (std::uint32_t m = fix & 0xFFFFu; m; m &= m - 1) {  // objects past the table
          const auto j = static_cast<std::size_t>(std::countr_zero(m));
          const CheckPlan& p = plans.get(r[j].object);
          const bool ok = p.constant >= 0 ? p.constant == 1 : check_lane(p, lanes, j) && !override_removes(p, r[j].id, bit);
          w |= static_cast<std::uint64_t>(ok) << ((i & 63u) + j);
        }
        for (std::uint32_t m = fix >> 16; m; m &= m - 1) {  // record-scoped overrides
          const auto j = static_cast<std::size_t>(std::countr_zero(m));
          if (override_removes(plans.get(r[j].object), r[j].id, bit)) w &= ~(std::uint64_t{1} << ((i & 63u) + j));
        }
      }
    }
    for (std::size_t w = chunk / 64; w < filter_words(end); ++w) allowed += static_cast<std::size_t>(std::popcount(out[w]));
  }
  return allowed;
}
#endif

}  // namespace detail

/// Decides `action` for `user` on each of `records` (any mix of data objects
/// and evaluation times), writing bit i of `out_bits` for record i (bits past
/// the last record in the last word are 0): the host walking the rows it
/// fetched. Equal, record for record, to `snapshot.can(user, action,
/// records[i])`; "now" (`Record::at` == `kTimeMin`) is read once per call.
/// Everything that depends only on (user, object, action) is decided once
/// per object met. The AVX-512 kernel takes 16 records a step in place (their
/// fields transposed in registers, each lane's per-object rules picked from a
/// table by its object index); objects past index 63 and record-scoped
/// overrides are decided lane by lane after it. The AVX2 and scalar paths
/// take the records 512 at a time, ordered by object, and run each object's
/// run through the filter's kernels (`path` as for `filter`). `ok` is false,
/// and nothing allowed, if `out_bits` is too small. `noexcept`,
/// allocation-free (about 10 KB of stack for AVX-512, 35 KB otherwise),
/// thread-safe; O(n).
inline FilterResult can_batch(const Snapshot& snapshot, UserIndex user, Action action,
                              std::span<const Record> records, std::span<std::uint64_t> out_bits,
                              FilterPath path = FilterPath::kAuto) noexcept {
  FilterResult result;
  const std::size_t n = records.size();
  const std::size_t words = filter_words(n);
  if (out_bits.size() < words) {
    if (!out_bits.empty()) std::memset(out_bits.data(), 0, out_bits.size_bytes());
    return result;
  }
  result.ok = true;
  if (path == FilterPath::kAuto || !filter_path_available(path)) path = detail::detect_filter_path();
  result.path = path;
  constexpr std::size_t kBlock = detail::RunColumns::kBlock, kSlots = detail::BatchPlans::kSlots;
  detail::BatchPlans plans(snapshot, user, action);
#if SORIGHTS_FILTER_X86
  if (path == FilterPath::kAvx512) {
    result.allowed = detail::can_batch_avx512(plans, action, records.data(), n, out_bits.data());
    return result;
  }
#endif
  [[maybe_unused]] detail::RunColumns run;
  const std::uint8_t bit = TableRights::action_bit(action);
  std::size_t allowed = 0;
  for (std::size_t base = 0; base < n; base += kBlock) {
    const std::size_t m = std::min(kBlock, n - base);
    const Record* block = records.data() + base;
    const detail::RecordLanes lanes{block};
    auto slot_of = [&](std::size_t j) { return std::min<std::size_t>(static_cast<std::size_t>(block[j].object), kSlots); };
    // Counting sort: slot s (0..kSlots) is counted at s + 2, so that after
    // the prefix sums start[s + 1] is where slot s begins.
    std::array<std::uint16_t, kSlots + 3> start{};
    for (std::size_t j = 0; j < m; ++j) ++start[slot_of(j) + 2];
    for (std::size_t k = 2; k < start.size(); ++k) start[k] += start[k - 1];
    std::array<std::uint16_t, kBlock> order;  // block positions, grouped by slot
    for (std::size_t j = 0; j < m; ++j) order[start[slot_of(j) + 1]++] = static_cast<std::uint16_t>(j);
    std::array<std::uint64_t, kBlock / 64> bits{};
    auto set = [&](std::size_t j, bool ok) { bits[j >> 6] |= static_cast<std::uint64_t>(ok) << (j & 63u); };
    auto lane = [&](const detail::CheckPlan& plan, std::size_t j) {
      return plan.constant >= 0 ? plan.constant == 1
                                : detail::check_lane(plan, lanes, j) &&
                                      !detail::override_removes(plan, block[j].id, bit);
    };
    for (std::size_t slot = 0; slot <= kSlots; ++slot) {
      const std::size_t first = start[slot], last = start[slot + 1];
      if (first == last) continue;
      if (slot == kSlots) {  // objects past the slots: a plan per object met, scalar
        for (std::size_t k = first; k < last; ++k) set(order[k], lane(plans.get(block[order[k]].object), order[k]));
        continue;
      }
      const detail::CheckPlan& plan = plans.get(ObjectIndex{static_cast<std::uint16_t>(slot)});
      if (plan.constant >= 0) {
        for (std::size_t k = first; k < last; ++k) set(order[k], plan.constant == 1);
        continue;
      }
      // The kernels take one evaluation time per run: where publishing reads
      // it and the run's records differ, or the run is short, lane by lane.
      const Time at = block[order[first]].at;
      bool one_time = true;
      if (plan.publishing)
        for (std::size_t k = first + 1; k < last; ++k) one_time &= block[order[k]].at == at;
      if (path == FilterPath::kScalar || !one_time || last - first < 4) {
        for (std::size_t k = first; k < last; ++k) set(order[k], lane(plan, order[k]));
        continue;
      }
#if SORIGHTS_FILTER_X86
      detail::CheckPlan timed = plan;
      if (at != kTimeMin) timed.at = at;
      const RecordColumns cols = run.fill(block, order.data() + first, last - first, timed);
      std::array<std::uint64_t, (kBlock + 16) / 64 + 1> run_bits{};
      if (path == FilterPath::kAvx512) detail::run_avx512(timed, cols, run_bits.data());
      else detail::run_avx2(timed, cols, run_bits.data());
      for (std::size_t k = first; k < last; ++k) {
        const std::size_t r = k - first;
        const bool ok = (run_bits[r >> 6] >> (r & 63u)) & 1u;
        set(order[k], ok && !detail::override_removes(timed, block[order[k]].id, bit));
      }
#endif
    }
    for (std::size_t w = 0; w < filter_words(m); ++w) {
      out_bits[base / 64 + w] = bits[w];
      allowed += static_cast<std::size_t>(std::popcount(bits[w]));
    }
  }
  result.allowed = allowed;
  return result;
}

namespace detail {

// The tables of one `rights_batch` call: a word and the role cells per data
// object met, made on first use from the user's part. "Now" is read once,
// when the first object with publishing is met.
class MaskPlans {
 public:
  MaskPlans(const Snapshot& s, UserIndex user) noexcept : s_(s), user_(make_user_plan(s, user)) {
    words_.fill(kWordUnmade);
  }

  void make(ObjectIndex object) noexcept {
    const auto o = static_cast<std::uint32_t>(object);
    const MaskRow row = mask_row(s_, user_, object);
    words_[o] = row.word;
    for (std::uint32_t half = 0; half < 2; ++half) {
      std::uint32_t four = 0;
      for (std::uint32_t k = 4; k-- > 0;) four = four << 8 | row.cells[half * 4 + k];
      cells_[half * kBatchTableSize + o] = four;
    }
    overrides_[o] = {row.ovr_begin, row.ovr_end};
    if ((row.word & kWordPublishing) != 0 && now_ == kTimeMin)
      now_ = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                 .count();
  }
  const CheckPlan& user() const noexcept { return user_; }
  const std::uint32_t* words() const noexcept { return words_.data(); }
  const std::uint32_t* cells() const noexcept { return cells_.data(); }
  Time now() const noexcept { return now_; }

  // `rights`, the kernel's answer for a record of a made object, less what a
  // record-scoped override of the record removes. Overrides act before the
  // record-state rules, which add RestrictedUpdate only to a record that
  // keeps Update: without Update it goes too.
  TableRights less_overrides(const Record& record, TableRights rights) const noexcept {
    const auto [b, e] = overrides_[static_cast<std::uint32_t>(record.object)];
    const RecordOverride* it = find_record_override(b, e, record.id);
    if (it == nullptr) return rights;
    std::uint32_t m = rights.bits() & ~(it->remove & TableRights::kCrudBits);
    if (!(m & static_cast<std::uint32_t>(TableRight::kUpdate))) m &= ~static_cast<std::uint32_t>(TableRight::kRestrictedUpdate);
    return TableRights::from_bits(m);
  }

 private:
  const Snapshot& s_;
  CheckPlan user_;
  Time now_ = kTimeMin;
  std::array<std::pair<const RecordOverride*, const RecordOverride*>, kBatchTableSize> overrides_;
  alignas(64) std::array<std::uint32_t, kBatchTableSize> words_;
  // Per object, the cells of relations 0-3 (byte k: relation k), then of 4-7.
  alignas(64) std::array<std::uint32_t, 2 * kBatchTableSize> cells_{};
};

// One record of `rights_batch` that the kernel left: `rights()` with the
// call's "now".
inline TableRights rights_lane(const Snapshot& s, UserIndex user, const Record& record, Time now) noexcept {
  if (record.at != kTimeMin || now == kTimeMin) return s.rights(user, record);
  Record at_now = record;
  at_now.at = now;
  return s.rights(user, at_now);
}

#if SORIGHTS_FILTER_X86
// rights_batch with the AVX-512 kernel: 16 records a step in their order, as
// can_batch_avx512. After each 1024 records, lanes of objects past the table
// are decided by `rights()`, and lanes whose object has record-scoped
// overrides lose what an override of their record removes.
SORIGHTS_TARGET_AVX512 inline void rights_batch_avx512(MaskPlans& plans, const Snapshot& s, UserIndex user,
                                                       const Record* records, std::size_t n, TableRights* out) noexcept {
  constexpr std::size_t kChunk = 1024;
  static_assert(sizeof(TableRights) == 1 && std::is_trivially_copyable_v<TableRights>);
  char* bytes = reinterpret_cast<char*>(out);
  const std::uint32_t database_owner = SnapshotAccess::database_owner(s);
  RecordSteps16 steps(records, n);
  for (std::size_t chunk = 0; chunk < n; chunk += kChunk) {
    const std::size_t end = std::min(n, chunk + kChunk);
    std::array<std::uint32_t, kChunk / 16> later;  // per step: scalar lanes | override lanes << 16
    std::uint32_t any_later = 0;
    for (std::size_t i = chunk; i < end; i += 16) {
      __mmask16 live = 0xFFFF;
      const Record* r = steps.at(i, live);
      Mask16 m = rights16_avx512(plans.user(), plans.words(), plans.cells(), database_owner, r, live, plans.now());
      while (SORIGHTS_UNLIKELY(m.unmade)) {
        for (std::uint32_t u = m.unmade; u; u &= u - 1) plans.make(r[std::countr_zero(u)].object);
        m = rights16_avx512(plans.user(), plans.words(), plans.cells(), database_owner, r, live, plans.now());
      }
      _mm512_mask_cvtepi32_storeu_epi8(bytes + i, live, m.rights);
      later[(i - chunk) / 16] = m.scalar | m.overrides << 16;
      any_later |= m.scalar | m.overrides;
    }
    if (SORIGHTS_UNLIKELY(any_later != 0))
      for (std::size_t i = chunk; i < end; i += 16) {
        const std::uint32_t fix = later[(i - chunk) / 16];
        for (std::uint32_t f = fix & 0xFFFFu; f; f &= f - 1) {  // objects past the table
          const std::size_t j = i + static_cast<std::size_t>(std::countr_zero(f));
          out[j] = rights_lane(s, user, records[j], plans.now());
        }
        for (std::uint32_t f = fix >> 16; f; f &= f - 1) {  // record-scoped overrides
          const std::size_t j = i + static_cast<std::size_t>(std::countr_zero(f));
          out[j] = plans.less_overrides(records[j], out[j]);
        }
      }
  }
}
#endif

}  // namespace detail

/// Writes `snapshot.rights(user, records[i])` to `out[i]` for each of
/// `records` (any mix of data objects and evaluation times): the mask form
/// of `can_batch`, for a host that shows what each of its fetched rows
/// allows. Equal, record for record, to `rights()`. The AVX-512 kernel takes
/// 16 records a step in place, as `can_batch`'s does, with each lane's role
/// cell picked by its relation from a table made once per object met and
/// narrowed by vector tests (other companies, visibility, overrides by
/// state, record state, publishing); objects past index 63 are decided by
/// `rights()` after it, and record-scoped overrides applied, and "now"
/// (`Record::at` == `kTimeMin`) is read once per call. Without AVX-512 (or
/// with `path` forcing another kernel) it is `rights()` record by record;
/// the result's `path` says which ran (`kAvx512` or `kScalar`). `allowed`
/// counts the records with any right. `ok` is false, and every entry of
/// `out` set to no rights, if `out` is smaller than `records`. `noexcept`,
/// allocation-free (about 3.5 KB of stack), thread-safe; O(n).
inline FilterResult rights_batch(const Snapshot& snapshot, UserIndex user, std::span<const Record> records,
                                 std::span<TableRights> out, FilterPath path = FilterPath::kAuto) noexcept {
  FilterResult result;
  const std::size_t n = records.size();
  if (out.size() < n) {
    std::fill(out.begin(), out.end(), TableRights{});
    return result;
  }
  result.ok = true;
  if (path == FilterPath::kAuto || !filter_path_available(path)) path = detail::detect_filter_path();
  result.path = path == FilterPath::kAvx512 ? FilterPath::kAvx512 : FilterPath::kScalar;
  detail::MaskPlans plans(snapshot, user);
  if (plans.user().constant >= 0) {  // an unknown or inactive user (nothing), a system user (everything known)
    const std::uint32_t objects = detail::SnapshotAccess::object_count(snapshot);
    const TableRights all = plans.user().constant == 1 ? TableRights::full() : TableRights{};
    for (std::size_t i = 0; i < n; ++i)
      out[i] = static_cast<std::uint32_t>(records[i].object) < objects ? all : TableRights{};
  }
#if SORIGHTS_FILTER_X86
  else if (result.path == FilterPath::kAvx512) {
    detail::rights_batch_avx512(plans, snapshot, user, records.data(), n, out.data());
  }
#endif
  else {
    for (std::size_t i = 0; i < n; ++i) out[i] = snapshot.rights(user, records[i]);
  }
  result.allowed = static_cast<std::size_t>(
      std::count_if(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), [](TableRights r) { return !r.empty(); }));
  return result;
}

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_FILTER_HPP_
