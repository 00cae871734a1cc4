// detail::FlatIndex, the id → index table of validation, compile and the
// commit's diff: every key found, absent keys missed, whatever the keys share.
#include <map>
#include <random>
#include <string>
#include <vector>

#include "sorights/detail/flat_index.hpp"
#include "support/catch.hpp"

using sorights::detail::FlatIndex;

namespace {

// Keys that share what a slot holds (the first 8 bytes, the length) or
// differ only past it, with NUL bytes, empty, at the length cap and past it.
std::vector<std::string> awkward_keys() {
  std::vector<std::string> keys = {"",         "a",         "ab",        std::string("ab\0", 3),
                                   std::string("\0", 1),    std::string("\0\0", 2), "abcdefg",   "abcdefgh",
                                   "abcdefghi", "abcdefghj", "abcdefgh\xff", "bbcdefgh", "u1234567",  "u12345678",
                                   std::string(255, 'x'),   std::string(256, 'x'),  std::string(300, 'x'),
                                   std::string(255, 'x') + "y", std::string(256, 'x') + "y"};
  for (int i = 0; i < 200; ++i) keys.push_back(std::string("prefix-shared-").append(std::to_string(i)));
  for (int i = 0; i < 200; ++i) keys.push_back(std::string("g").append(std::to_string(i)));
  return keys;
}

}  // namespace

TEST_CASE("flat index: keys that share their first 8 bytes or their length are told apart", "[flat_index]") {
  const std::vector<std::string> keys = awkward_keys();
  FlatIndex index;  // grown by rehashing, not reserved
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto [held, fresh] = index.emplace(keys[i], static_cast<std::uint32_t>(i));
    CHECK(fresh);
    CHECK(held == i);
  }
  REQUIRE(index.size() == keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) CHECK(index.find(keys[i]) == i);
  for (const std::string& absent : {std::string("abcdefgk"), std::string("abcdefghk"), std::string("ab\0\0", 4),
                                    std::string(257, 'x'), std::string(255, 'x') + "z", std::string("g200"),
                                    std::string("abcdefg\0", 8)})
    CHECK_FALSE(index.contains(absent));
}

TEST_CASE("flat index: a key inserted again keeps its first value", "[flat_index]") {
  const std::vector<std::string> keys = awkward_keys();
  FlatIndex index;
  index.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) index.emplace(keys[i], static_cast<std::uint32_t>(i));
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::string copy = keys[i];  // another address, the same text
    const auto [held, fresh] = index.emplace(copy, 999999);
    CHECK_FALSE(fresh);
    CHECK(held == i);
  }
  CHECK(index.size() == keys.size());
}

TEST_CASE("flat index: agrees with a std::map over random keys of every length", "[flat_index]") {
  std::mt19937_64 rng(7);
  std::vector<std::string> keys;
  for (int i = 0; i < 20000; ++i) {
    std::string k(rng() % 20, '\0');
    for (char& c : k) c = static_cast<char>("ab\0\xff"[rng() % 4]);  // a small alphabet: many collisions
    keys.push_back(std::move(k));
  }
  std::map<std::string, std::uint32_t> expected;
  FlatIndex index;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto [it, fresh] = expected.emplace(keys[i], static_cast<std::uint32_t>(i));
    const auto [held, inserted] = index.emplace(keys[i], static_cast<std::uint32_t>(i));
    CHECK(inserted == fresh);
    CHECK(held == it->second);
  }
  CHECK(index.size() == expected.size());
  for (int i = 0; i < 2000; ++i) {
    std::string probe(rng() % 24, '\0');
    for (char& c : probe) c = static_cast<char>("ab\0\xff"[rng() % 4]);
    const auto it = expected.find(probe);
    CHECK(index.find(probe) == (it == expected.end() ? FlatIndex::kMiss : it->second));
  }
}

TEST_CASE("flat index: an empty table finds nothing", "[flat_index]") {
  const FlatIndex index;
  CHECK(index.find("") == FlatIndex::kMiss);
  CHECK(index.find("a") == FlatIndex::kMiss);
  CHECK(index.empty());
}

TEST_CASE("flat index: reserved for no key, it finds nothing, prefetches safely and still takes keys",
          "[flat_index]") {
  FlatIndex index;
  index.reserve(0);
  CHECK(index.find("a") == FlatIndex::kMiss);
  index.prefetch("a");
  CHECK(index.emplace("a", 7) == std::pair<std::uint32_t, bool>{7, true});
  CHECK(index.find("a") == 7);
  CHECK(index.size() == 1);
}
