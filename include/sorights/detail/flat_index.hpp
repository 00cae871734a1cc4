// -----------------------------------------------------------------------------
// File: detail/flat_index.hpp
// -----------------------------------------------------------------------------
// `detail::FlatIndex`: the string → index hash table of the cold paths
// (validation, compile, incremental commits). No API promise.
#ifndef SORIGHTS_DETAIL_FLAT_INDEX_HPP_
#define SORIGHTS_DETAIL_FLAT_INDEX_HPP_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "sorights/config.hpp"
#include "sorights/detail/huge_pages.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

// A string → index hash table for the cold paths (validation, compile):
// open addressing over one array, no allocation per entry. Keys are views into
// storage that outlives the table (the model or a snapshot's name tables).
// A slot holds the key's first 8 bytes and its length, so a probe for a key
// of up to 8 bytes reads one slot and nothing else: at a million ids, one
// cache miss a lookup instead of three (slot, view, text).
class FlatIndex {
 public:
  static constexpr std::uint32_t kMiss = 0xFFFFFFFFu;

  // Room for `n` keys; none builds no table (lookups in an empty index are
  // a test of `slots_`, and the first emplace makes one).
  void reserve(std::size_t n) {
    if (n == 0) return;
    std::size_t cap = 16;
    while (cap * 2 < n * 3) cap <<= 1;
    if (cap > slots_.size()) rehash(cap);
    keys_.reserve(n);
    values_.reserve(n);
    advise_huge_pages(keys_);
    advise_huge_pages(values_);
  }
  // Inserts `key` → `value` unless present; returns the value held and
  // whether it was inserted.
  std::pair<std::uint32_t, bool> emplace(std::string_view key, std::uint32_t value) {
    if ((keys_.size() + 1) * 3 > slots_.size() * 2) rehash(slots_.empty() ? 16 : slots_.size() * 2);
    const std::size_t mask = slots_.size() - 1;
    const Probe p = probe(key);
    for (std::size_t i = p.start & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.entry == kMiss) {
        s = Slot{p.head, p.check, static_cast<std::uint32_t>(keys_.size())};
        keys_.push_back(key);
        values_.push_back(value);
        return {value, true};
      }
      if (matches(s, p, key)) return {values_[s.entry], false};
    }
  }
  [[nodiscard]] std::uint32_t find(std::string_view key) const noexcept {
    if (slots_.empty()) return kMiss;
    const std::size_t mask = slots_.size() - 1;
    const Probe p = probe(key);
    for (std::size_t i = p.start & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.entry == kMiss) return kMiss;
      if (matches(s, p, key)) return values_[s.entry];
    }
  }
  // Asks for the line a probe for `key` starts at, for a loop that looks up
  // many keys: issued a few keys ahead, the table's cache misses overlap.
  void prefetch(std::string_view key) const noexcept {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash(key) & (slots_.size() - 1)]);
  }
  [[nodiscard]] bool contains(std::string_view key) const noexcept { return find(key) != kMiss; }
  [[nodiscard]] std::uint32_t at(std::string_view key) const noexcept { return find(key); }
  [[nodiscard]] std::size_t size() const noexcept { return keys_.size(); }
  [[nodiscard]] bool empty() const noexcept { return keys_.empty(); }

 private:
  // 16 bytes a slot (a 100k-id table is 4 MB).
  struct Slot {
    std::uint64_t head = 0;       // the key's first 8 bytes, little-endian, zero-padded
    std::uint32_t check = 0;      // high hash bits, and the key's length (capped at 255) in the low byte
    std::uint32_t entry = kMiss;  // into keys_ / values_
  };
  struct Probe {
    std::uint64_t start, head;
    std::uint32_t check;
  };
  static Probe probe(std::string_view k) noexcept {
    const std::uint64_t h = hash(k);
    const auto len = static_cast<std::uint32_t>(k.size() < 255 ? k.size() : 255);
    return Probe{h, head(k), (static_cast<std::uint32_t>(h >> 32) & ~0xFFu) | len};
  }
  // A key of up to 8 bytes is all in the slot; a longer one is compared whole.
  bool matches(const Slot& s, const Probe& p, std::string_view key) const noexcept {
    return s.check == p.check && s.head == p.head && (key.size() <= 8 || keys_[s.entry] == key);
  }
  static std::uint64_t head(std::string_view k) noexcept {  // a loop: no call to memcpy
    std::uint64_t w = 0;
    for (std::size_t j = k.size() < 8 ? k.size() : 8; j > 0; --j) w = (w << 8) | static_cast<unsigned char>(k[j - 1]);
    return w;
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
  // Re-inserts the keys in the order they came, not the old slots' order:
  // the keys (and, for a table built in file order, their texts) are read
  // front to back instead of each at a random place.
  void rehash(std::size_t cap) {
    std::vector<Slot> next;
    next.reserve(cap);
    advise_huge_pages(next);
    next.resize(cap, Slot{});
    const std::size_t mask = cap - 1;
    for (std::size_t e = 0; e < keys_.size(); ++e) {
      const Probe p = probe(keys_[e]);
      std::size_t i = static_cast<std::size_t>(p.start) & mask;
      while (next[i].entry != kMiss) i = (i + 1) & mask;
      next[i] = Slot{p.head, p.check, static_cast<std::uint32_t>(e)};
    }
    slots_ = std::move(next);
  }
  std::vector<Slot> slots_;
  std::vector<std::string_view> keys_;
  std::vector<std::uint32_t> values_;
};

}  // namespace detail

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_DETAIL_FLAT_INDEX_HPP_
