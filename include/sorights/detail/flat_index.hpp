// -----------------------------------------------------------------------------
// File: detail/flat_index.hpp
// -----------------------------------------------------------------------------
// `detail::FlatIndex`: the string → index hash table of the cold paths
// (validation, compile, incremental commits). No API promise.
#ifndef SORIGHTS_DETAIL_FLAT_INDEX_HPP_
#define SORIGHTS_DETAIL_FLAT_INDEX_HPP_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "sorights/config.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

// A string → index hash table for the cold paths (validation, compile):
// open addressing over one array, no allocation per entry. Keys are views into
// storage that outlives the table (the model or a snapshot's name tables).
class FlatIndex {
 public:
  static constexpr std::uint32_t kMiss = 0xFFFFFFFFu;

  void reserve(std::size_t n) {
    std::size_t cap = 16;
    while (cap * 2 < n * 3) cap <<= 1;
    if (cap > slots_.size()) rehash(cap);
    keys_.reserve(n);
    values_.reserve(n);
  }
  // Inserts `key` → `value` unless present; returns the value held and
  // whether it was inserted.
  std::pair<std::uint32_t, bool> emplace(std::string_view key, std::uint32_t value) {
    if ((keys_.size() + 1) * 3 > slots_.size() * 2) rehash(slots_.empty() ? 16 : slots_.size() * 2);
    const std::size_t mask = slots_.size() - 1;
    const std::uint64_t h = hash(key);
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t i = static_cast<std::size_t>(h) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.entry == kMiss) {
        s = Slot{tag, static_cast<std::uint32_t>(keys_.size())};
        keys_.push_back(key);
        values_.push_back(value);
        return {value, true};
      }
      if (s.tag == tag && same(keys_[s.entry], key)) return {values_[s.entry], false};
    }
  }
  [[nodiscard]] std::uint32_t find(std::string_view key) const noexcept {
    if (slots_.empty()) return kMiss;
    const std::size_t mask = slots_.size() - 1;
    const std::uint64_t h = hash(key);
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t i = static_cast<std::size_t>(h) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.entry == kMiss) return kMiss;
      if (s.tag == tag && same(keys_[s.entry], key)) return values_[s.entry];
    }
  }
  [[nodiscard]] bool contains(std::string_view key) const noexcept { return find(key) != kMiss; }
  [[nodiscard]] std::uint32_t at(std::string_view key) const noexcept { return find(key); }
  [[nodiscard]] std::size_t size() const noexcept { return keys_.size(); }
  [[nodiscard]] bool empty() const noexcept { return keys_.empty(); }

 private:
  // 8 bytes a slot (a 100k-id table is 2 MB); `tag` (high hash bits) spares
  // almost every key comparison on a miss.
  struct Slot {
    std::uint32_t tag = 0;
    std::uint32_t entry = kMiss;  // into keys_ / values_
  };
  // Ids are short: comparing them inline beats a call to memcmp.
  static bool same(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    if (a.size() > 16) return a == b;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (a[i] != b[i]) return false;
    return true;
  }
  static std::uint64_t mix(std::uint64_t h) noexcept {  // murmur3's fmix64
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
  }
  // 8 bytes a step, each step fully mixed (ids are short).
  static std::uint64_t hash(std::string_view k) noexcept {
    std::uint64_t h = 0x9E3779B97F4A7C15ull ^ k.size();
    std::size_t i = 0;
    for (; i + 8 <= k.size(); i += 8) {
      std::uint64_t w;
      std::memcpy(&w, k.data() + i, 8);
      h = mix(h ^ w);
    }
    std::uint64_t w = 0;  // the last 0-7 bytes, little-endian (a loop: no call to memcpy)
    for (std::size_t j = k.size(); j > i; --j) w = (w << 8) | static_cast<unsigned char>(k[j - 1]);
    return mix(h ^ w ^ (static_cast<std::uint64_t>(k.size()) << 56));
  }
  void rehash(std::size_t cap) {
    slots_.assign(cap, Slot{});
    const std::size_t mask = cap - 1;
    for (std::uint32_t e = 0; e < keys_.size(); ++e) {
      const std::uint64_t h = hash(keys_[e]);
      std::size_t i = static_cast<std::size_t>(h) & mask;
      while (slots_[i].entry != kMiss) i = (i + 1) & mask;
      slots_[i] = Slot{static_cast<std::uint32_t>(h >> 32), e};
    }
  }
  std::vector<Slot> slots_;
  std::vector<std::string_view> keys_;
  std::vector<std::uint32_t> values_;
};

}  // namespace detail

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_DETAIL_FLAT_INDEX_HPP_
