// ChunkedVector: std::vector's behaviour, with copies that share chunks until
// one of them writes (the users of a Model).
#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "sorights/chunked_vector.hpp"

using sorights::ChunkedVector;

namespace {

using Small = ChunkedVector<std::string, 4>;  // small chunks: every operation crosses chunk borders

template <class V>
std::vector<std::string> items_of(const V& v) {
  return std::vector<std::string>(v.begin(), v.end());
}

}  // namespace

TEST_CASE("chunked vector: random edits give what std::vector gives, and earlier copies keep their values") {
  std::mt19937_64 rng(11);
  auto pick = [&](std::size_t n) { return n == 0 ? std::size_t{0} : static_cast<std::size_t>(rng() % n); };
  Small v;
  std::vector<std::string> ref;
  std::vector<std::pair<Small, std::vector<std::string>>> copies;  // a copy and the values it must keep
  for (int step = 0; step < 4000; ++step) {
    INFO("step " << step);
    const std::string value = "v" + std::to_string(step);
    const auto at = [&](std::size_t i) { return static_cast<std::ptrdiff_t>(i); };
    switch (pick(10)) {
      case 0:
      case 1:
      case 2:
        v.push_back(value);
        ref.push_back(value);
        break;
      case 3: {
        const std::size_t i = pick(ref.size() + 1);
        v.insert(v.cbegin() + at(i), value);
        ref.insert(ref.begin() + at(i), value);
        break;
      }
      case 4: {
        const std::size_t i = pick(ref.size() + 1);
        const std::vector<std::string> more = {value + "a", value + "b", value + "c", value + "d", value + "e"};
        v.insert(v.cbegin() + at(i), more.begin(), more.end());
        ref.insert(ref.begin() + at(i), more.begin(), more.end());
        break;
      }
      case 5:
        if (!ref.empty()) {
          const std::size_t i = pick(ref.size()), j = i + pick(std::min<std::size_t>(ref.size() - i, 7) + 1);
          v.erase(v.cbegin() + at(i), v.cbegin() + at(j));
          ref.erase(ref.begin() + at(i), ref.begin() + at(j));
        }
        break;
      case 6:
        if (!ref.empty()) {
          const std::size_t i = pick(ref.size());
          v[i] = value;
          ref[i] = value;
        }
        break;
      case 7:
        if (!ref.empty() && pick(3) == 0) {
          v.pop_back();
          ref.pop_back();
        } else {
          const std::size_t n = pick(ref.size() + 6);
          v.resize(n, value);
          ref.resize(n, value);
        }
        break;
      case 8:
        copies.emplace_back(v, ref);
        if (copies.size() > 6) copies.erase(copies.begin());
        break;
      default:
        if (!copies.empty() && pick(4) == 0) {  // continue from an older copy
          auto& [c, r] = copies[pick(copies.size())];
          v = c;
          ref = r;
        } else if (!ref.empty()) {
          v.back() += "!";
          ref.back() += "!";
        }
        break;
    }
    REQUIRE(v.size() == ref.size());
    REQUIRE(v.empty() == ref.empty());
    REQUIRE(items_of(std::as_const(v)) == ref);
  }
  for (const auto& [c, r] : copies) CHECK(items_of(c) == r);
}

TEST_CASE("chunked vector: a copy shares every element until it writes, then copies only the chunk written") {
  ChunkedVector<std::string, 4> a;
  for (int i = 0; i < 20; ++i) a.push_back("item " + std::to_string(i));
  ChunkedVector<std::string, 4> b = a;
  for (std::size_t i = 0; i < a.size(); ++i) REQUIRE(&std::as_const(b)[i] == &std::as_const(a)[i]);

  b[9] = "changed";  // chunk 2: elements 8..11
  CHECK(a[9] == "item 9");
  CHECK(std::as_const(b)[9] == "changed");
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("element " << i);
    const bool copied = i >= 8 && i < 12;
    CHECK((&std::as_const(b)[i] != &std::as_const(a)[i]) == copied);
  }
  CHECK_FALSE(a == b);
  b[9] = "item 9";
  CHECK(a == b);

  // Appending to a full last chunk starts a new chunk: the last one stays shared.
  b.push_back("item 20");
  CHECK(&std::as_const(b)[19] == &std::as_const(a)[19]);
  CHECK(a.size() == 20);
}

TEST_CASE("chunked vector: reading a shared copy through a const view copies nothing; non-const begin() owns it all") {
  ChunkedVector<int, 8> a;
  for (int i = 0; i < 100; ++i) a.push_back(i);
  ChunkedVector<int, 8> b = a;
  const ChunkedVector<int, 8>& ro = b;
  long sum = 0;
  for (int x : ro) sum += x;
  CHECK(sum == 4950);
  CHECK(std::find(ro.begin(), ro.end(), 64) - ro.begin() == 64);
  CHECK(&ro[50] == &std::as_const(a)[50]);

  std::sort(b.begin(), b.end(), std::greater<>());  // mutable iterators: b's own chunks now
  CHECK(&ro[50] != &std::as_const(a)[50]);
  CHECK(ro.front() == 99);
  CHECK(a.front() == 0);
  CHECK(std::is_sorted(std::as_const(a).begin(), std::as_const(a).end()));
}

TEST_CASE("chunked vector: erase_if erases as std::erase_if does and leaves the chunks before the first erased shared") {
  ChunkedVector<int, 4> a;
  std::vector<int> ref;
  for (int i = 0; i < 30; ++i) {
    a.push_back(i);
    ref.push_back(i);
  }
  ChunkedVector<int, 4> b = a;
  const auto odd_from_ten = [](int x) { return x >= 10 && x % 2 == 1; };
  CHECK(erase_if(b, odd_from_ten) == std::erase_if(ref, odd_from_ten));
  CHECK(std::vector<int>(std::as_const(b).begin(), std::as_const(b).end()) == ref);
  CHECK(&std::as_const(b)[7] == &std::as_const(a)[7]);  // chunk 1 (4..7) stays shared
  CHECK(&std::as_const(b)[8] != &std::as_const(a)[8]);  // chunk 2 holds 11, the first erased
  CHECK(a.size() == 30);
  CHECK(erase_if(b, [](int) { return false; }) == 0);
  CHECK(erase_if(b, [](int) { return true; }) == ref.size());
  CHECK(b.empty());
}

TEST_CASE("chunked vector: moved-from vectors are empty and usable; self-copies change nothing") {
  ChunkedVector<std::string, 4> a = {"x", "y", "z", "w", "v"};
  ChunkedVector<std::string, 4> b = std::move(a);
  CHECK(a.empty());  // NOLINT(bugprone-use-after-move): the documented state
  a.push_back("again");
  CHECK(a.size() == 1);
  CHECK(b.size() == 5);
  const ChunkedVector<std::string, 4>& alias = b;
  b = alias;
  CHECK(items_of(b) == std::vector<std::string>{"x", "y", "z", "w", "v"});
  b.clear();
  CHECK(b.empty());
  CHECK(b == ChunkedVector<std::string, 4>{});
}
