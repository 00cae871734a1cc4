// Batch filtering: every kernel (AVX-512, AVX2, scalar) gives exactly what
// Snapshot::can() gives record by record, for randomized columns.
#include <cstdint>
#include <vector>

#include "support/catch.hpp"
#include "empty_owner_cases.hpp"
#include "workload.hpp"

#include "sorights/filter.hpp"

using namespace sorights;
using namespace sorights_bench;

namespace {

bool bit(const std::vector<std::uint64_t>& bits, std::size_t i) { return (bits[i / 64] >> (i % 64)) & 1u; }

// Every kernel against can() on `records` (all of data object `object`).
void check_records(const Snapshot& s, UserIndex user, ObjectIndex object, const std::vector<Record>& records) {
  const std::size_t n = records.size();
  const Columns cols(records);
  const RecordColumns view = cols.view();
  for (Action action : {Action::kRead, Action::kCreate, Action::kUpdate, Action::kDelete}) {
    std::vector<bool> want(n);
    std::size_t want_count = 0;
    for (std::size_t i = 0; i < n; ++i) {
      want[i] = s.can(user, action, view.record(i, object));
      want_count += want[i];
    }
    std::vector<std::uint64_t> scalar_bits;
    for (FilterPath path : {FilterPath::kScalar, FilterPath::kAvx2, FilterPath::kAvx512}) {
      if (!filter_path_available(path)) continue;
      std::vector<std::uint64_t> bits(filter_words(n), ~std::uint64_t{0});
      const FilterResult r = filter(s, user, object, action, view, bits, path);
      REQUIRE(r.ok);
      REQUIRE(r.path == path);
      REQUIRE(r.allowed == want_count);
      std::size_t mismatches = 0;
      for (std::size_t i = 0; i < n; ++i) mismatches += bit(bits, i) != want[i];
      INFO("user " << static_cast<std::uint32_t>(user) << " object " << static_cast<int>(object) << " action "
                   << static_cast<int>(action) << " path " << static_cast<int>(path));
      REQUIRE(mismatches == 0);
      if (n % 64) REQUIRE((bits.back() >> (n % 64)) == 0);
      // The SIMD kernels give the scalar kernel's bitset, word for word.
      if (path == FilterPath::kScalar) scalar_bits = bits;
      else REQUIRE(bits == scalar_bits);
    }
  }
}

void check_all_paths(const Snapshot& s, const Census& c, UserIndex user, ObjectIndex object, std::uint64_t seed,
                     std::size_t n) {
  check_records(s, user, object, make_records(s, c, user, n, seed, object));
}

}  // namespace

TEST_CASE("filter: every kernel equals can() per record, predefined roles", "[filter][perf]") {
  const Model m = make_model({.users = 400, .seed = 7});
  const auto s = compile(m);
  REQUIRE(s.has_value());
  const Census c = census(*s);
  // Every user (all types, roles, states) against every object; odd sizes test the tails.
  for (std::uint32_t u = 0; u < s->user_count(); u += 3)
    for (int o = 0; o < kBuiltinObjectCount; ++o)
      check_all_paths(*s, c, UserIndex{u}, ObjectIndex{static_cast<std::uint16_t>(o)}, u * 131u + static_cast<unsigned>(o),
                      203);
}

TEST_CASE("filter: every kernel equals can() per record, random custom roles", "[filter][perf]") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const Model m = make_model({.users = 300, .seed = seed, .custom_roles = true});
    const auto s = compile(m);
    REQUIRE(s.has_value());
    const Census c = census(*s);
    for (std::uint32_t u = 0; u < s->user_count(); u += 5)
      for (int o = 0; o < kBuiltinObjectCount; ++o)
        check_all_paths(*s, c, UserIndex{u}, ObjectIndex{static_cast<std::uint16_t>(o)}, seed * 7919u + u + static_cast<unsigned>(o),
                        130);
  }
}

TEST_CASE("filter: plans that skip owner facts or group facts still equal can(), any size", "[filter][perf]") {
  // The kernels read no owner facts when every relation another user's record
  // can have gives the same answer, and no group facts when the group
  // relations agree. Find (user, object, action) triples of each kind and
  // check them at sizes around the 64-record step.
  for (std::uint64_t seed : {4u, 5u}) {
    const Model m = make_model({.users = 300, .seed = seed, .custom_roles = true});
    const auto s = compile(m);
    REQUIRE(s.has_value());
    const Census c = census(*s);
    const std::vector<Record> probe = make_records(*s, c, UserIndex{0}, 1, seed);
    const Columns probe_cols(probe);
    std::size_t seen[3] = {0, 0, 0};  // no owner facts; owner but no group facts; both
    for (std::uint32_t u = 0; u < s->user_count(); u += 2)
      for (int o = 0; o < kBuiltinObjectCount; ++o)
        for (Action action : {Action::kRead, Action::kCreate, Action::kUpdate, Action::kDelete}) {
          const UserIndex user{u};
          const ObjectIndex object{static_cast<std::uint16_t>(o)};
          const detail::CheckPlan plan = detail::make_filter_plan(*s, user, object, action, probe_cols.view());
          if (plan.constant >= 0) continue;
          const int kind = !plan.owner_facts ? 0 : !plan.group_facts ? 1 : 2;
          if (seen[kind]++ >= 6) continue;
          for (std::size_t n : {std::size_t{1}, std::size_t{64}, std::size_t{65}, std::size_t{1000}})
            check_all_paths(*s, c, user, object, seed * 104729u + u * 31u + static_cast<unsigned>(o) + n, n);
        }
    INFO("seed " << seed << ": " << seen[0] << " / " << seen[1] << " / " << seen[2]);
    REQUIRE(seen[0] > 0);
    REQUIRE(seen[1] > 0);
    REQUIRE(seen[2] > 0);
  }
}

TEST_CASE("filter: unknown user or object, bad columns and empty columns", "[filter][perf]") {
  const Model m = make_model({.users = 50});
  const auto s = compile(m);
  REQUIRE(s.has_value());
  const Census c = census(*s);
  const std::vector<Record> records = make_records(*s, c, UserIndex{0}, 100, 1, ObjectIndex{5});
  const Columns cols(records);
  std::vector<std::uint64_t> bits(2, ~std::uint64_t{0});
  REQUIRE(filter(*s, kUnknownUser, ObjectIndex{5}, Action::kRead, cols.view(), bits).allowed == 0);
  REQUIRE(bits[0] == 0);
  REQUIRE(filter(*s, UserIndex{0}, kUnknownObject, Action::kRead, cols.view(), bits).allowed == 0);
  const UserIndex sys = s->find_user("system");
  const FilterResult all = filter(*s, sys, ObjectIndex{5}, Action::kDelete, cols.view(), bits);
  REQUIRE(all.allowed == 100);
  REQUIRE(bits[1] == (std::uint64_t{1} << 36) - 1);
  RecordColumns bad = cols.view();
  bad.group = std::span<const std::uint32_t>(cols.group.data(), 10);
  REQUIRE_FALSE(filter(*s, UserIndex{0}, ObjectIndex{5}, Action::kRead, bad, bits).ok);
  std::vector<std::uint64_t> small(1);
  REQUIRE_FALSE(filter(*s, UserIndex{0}, ObjectIndex{5}, Action::kRead, cols.view(), small).ok);
  // Only an owner column: everything else takes Record's defaults.
  RecordColumns owner_only{.size = 100, .owner = cols.owner};
  for (FilterPath path : {FilterPath::kScalar, FilterPath::kAvx2, FilterPath::kAvx512}) {
    const FilterResult r = filter(*s, UserIndex{0}, ObjectIndex{5}, Action::kUpdate, owner_only, bits, path);
    for (std::size_t i = 0; i < 100; ++i)
      REQUIRE(bit(bits, i) == s->can(UserIndex{0}, Action::kUpdate, owner_only.record(i, ObjectIndex{5})));
    REQUIRE(r.ok);
  }
}

// docs/rules.md §15 (issue 13): an empty owner is the user for employees
// only; external users' empty-owner records meet the my-company and
// same-project tests. Every kernel, on every combination of the facts.
TEST_CASE("filter: every kernel follows the empty-owner rule by user type", "[filter][perf]") {
  const Snapshot s = fx::build(empty_owner_cases::model());
  const std::vector<Record> all = empty_owner_cases::records(s);
  for (int o = 0; o < kBuiltinObjectCount; ++o) {
    const ObjectIndex object{static_cast<std::uint16_t>(o)};
    std::vector<Record> records;
    for (const Record& r : all)
      if (r.object == object) records.push_back(r);
    for (std::string_view u : empty_owner_cases::kUsers) {
      INFO(u << " on " << s.object_id(object));
      check_records(s, s.find_user(u), object, records);
    }
  }
  // The cases are reached: an external user updates an ownerless company
  // about the user's own company (my_company "RU"), not another ownerless one.
  const ObjectIndex company = s.find_object("company");
  RecordColumns one{.size = 1};
  const std::uint32_t no_owner = static_cast<std::uint32_t>(kNoUser);
  const std::uint32_t cust1 = static_cast<std::uint32_t>(s.find_company("cust-1"));
  one.owner = std::span<const std::uint32_t>(&no_owner, 1);
  one.company = std::span<const std::uint32_t>(&cust1, 1);
  for (FilterPath path : {FilterPath::kScalar, FilterPath::kAvx2, FilterPath::kAvx512}) {
    std::vector<std::uint64_t> bits(1);
    REQUIRE(filter(s, s.find_user("xena"), company, Action::kUpdate, one, bits, path).allowed == 1);
    REQUIRE(filter(s, s.find_user("xena"), company, Action::kDelete, one, bits, path).allowed == 0);
    REQUIRE(filter(s, s.find_user("alice"), company, Action::kDelete, one, bits, path).allowed == 1);
    REQUIRE(filter(s, s.find_user("anon"), company, Action::kUpdate, one, bits, path).allowed == 0);
  }
}
