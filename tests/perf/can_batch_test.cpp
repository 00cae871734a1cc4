// can_batch and rights_batch: the batch forms of can() and rights() over an
// array of Records (any mix of objects and evaluation times) give exactly
// what Snapshot::can() and Snapshot::rights() give, record by record, for
// random models, biased records and hostile ones, on every kernel.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "reference/random_facts.hpp"
#include "support/catch.hpp"
#include "workload.hpp"

#include "sorights/filter.hpp"

using namespace sorights;
using namespace sorights_bench;

namespace {

// Records whose rights hold Filtering or RestrictedUpdate, over every check:
// the mask form's own bits, which the tests must meet to mean anything.
std::size_t g_seen_filtering = 0, g_seen_restricted_update = 0;

bool bit(const std::vector<std::uint64_t>& bits, std::size_t i) { return (bits[i / 64] >> (i % 64)) & 1u; }

void check_batch(const Snapshot& s, UserIndex user, const std::vector<Record>& records) {
  const std::size_t n = records.size();
  for (FilterPath path : {FilterPath::kScalar, FilterPath::kAvx2, FilterPath::kAvx512})
  for (Action action : {Action::kRead, Action::kCreate, Action::kUpdate, Action::kDelete}) {
    if (!filter_path_available(path)) continue;
    std::vector<std::uint64_t> bits(filter_words(n) + 1, ~std::uint64_t{0});
    const FilterResult r = can_batch(s, user, action, records, bits, path);
    REQUIRE(r.ok);
    REQUIRE(r.path == path);
    std::size_t want_count = 0, mismatches = 0, first = n;
    for (std::size_t i = 0; i < n; ++i) {
      const bool want = s.can(user, action, records[i]);
      want_count += want;
      if (bit(bits, i) != want && mismatches++ == 0) first = i;
    }
    INFO("path " << static_cast<int>(path) << " user " << static_cast<std::uint32_t>(user) << " action " << static_cast<int>(action) << " first mismatch "
                 << first);
    REQUIRE(mismatches == 0);
    REQUIRE(r.allowed == want_count);
    if (n % 64) REQUIRE((bits[filter_words(n) - 1] >> (n % 64)) == 0);
    REQUIRE(bits.back() == ~std::uint64_t{0});  // nothing written past the records' words
  }
  for (FilterPath path : {FilterPath::kScalar, FilterPath::kAvx512}) {
    if (!filter_path_available(path)) continue;
    const TableRights guard = TableRights::from_bits(0x3F);
    std::vector<TableRights> out(n + 1, guard);
    const FilterResult r = rights_batch(s, user, records, out, path);
    REQUIRE(r.ok);
    REQUIRE(r.path == path);
    std::size_t want_count = 0, mismatches = 0, first = n;
    for (std::size_t i = 0; i < n; ++i) {
      const TableRights want = s.rights(user, records[i]);
      want_count += !want.empty();
      if (want.contains_any(TableRight::kFiltering)) ++g_seen_filtering;
      if (want.contains_any(TableRight::kRestrictedUpdate)) ++g_seen_restricted_update;
      if (!(out[i] == want) && mismatches++ == 0) first = i;
    }
    INFO("rights_batch path " << static_cast<int>(path) << " user " << static_cast<std::uint32_t>(user)
                              << " first mismatch " << first << " got "
                              << (first < n ? out[first].to_string() : std::string()) << " want "
                              << (first < n ? s.rights(user, records[first]).to_string() : std::string()));
    REQUIRE(mismatches == 0);
    REQUIRE(r.allowed == want_count);
    REQUIRE(out.back() == guard);  // nothing written past the records
  }
}

// Records no host should send: unknown indexes of every kind, objects past
// the snapshot's and past the plan table, visibility kinds out of range,
// "now" and explicit times, record ids an override names.
std::vector<Record> hostile_records(const Snapshot& s, std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](std::uint32_t k) { return static_cast<std::uint32_t>(rng() % k); };
  const auto users = static_cast<std::uint32_t>(s.user_count());
  std::vector<Record> out(n);
  for (Record& r : out) {
    const std::uint32_t o = pick(10);
    r.object = ObjectIndex{static_cast<std::uint16_t>(o < 7 ? pick(kBuiltinObjectCount) : o == 7 ? 64 + pick(3)
                                                          : o == 8 ? 0xFFFF : pick(200))};
    r.owner = UserIndex{pick(4) == 0 ? 0xFFFFFFFFu - pick(3) : pick(users + 5)};
    r.group = GroupIndex{pick(3) == 0 ? 0xFFFFFFFFu : pick(40)};
    r.visibility.kind = static_cast<VisibilityKind>(pick(8) == 0 ? pick(256) : pick(3));
    r.visibility.id = pick(3) == 0 ? 0xFFFFFFFFu : pick(users + 40);
    r.project = ProjectIndex{pick(2) ? 0xFFFFFFFFu : pick(600)};
    r.company = CompanyIndex{pick(2) ? 0xFFFFFFFFu : pick(1100)};
    r.id = pick(3) == 0 ? 1 + pick(12) : 0;
    if (pick(3) == 0) {
      r.publish_from = kNow - 1000 + static_cast<Time>(pick(2000));
      r.publish_to = r.publish_from + static_cast<Time>(pick(2000));
    }
    r.at = pick(2) ? kNow : kTimeMin;
    sorights_random::random_facts(rng, {.published = 2, .completed = 3, .is_new = 10, .user_person = 8,
                                        .our_company = 16, .database_owner = 32}, r);
  }
  return out;
}

// A model with `extra` custom objects of random traits (objects past the
// AVX-512 kernel's 64-entry table when 12 + extra > 64), random cells for
// them in the custom roles.
Snapshot many_objects(std::size_t extra, std::uint64_t seed) {
  Model m = make_model({.users = 200, .seed = seed, .custom_roles = true});
  std::mt19937_64 rng(seed);
  for (std::size_t k = 0; k < extra; ++k)
    m.objects.push_back({"obj" + std::to_string(k), "Object", (rng() & 1u) != 0, (rng() & 1u) != 0, (rng() & 1u) != 0});
  for (Role& role : m.roles) {
    if (role.id.rfind("custom-", 0) != 0) continue;
    for (const DataObjectDef& o : m.objects)
      for (int rel = 0; rel < kRelationCount; ++rel)
        role.set_cell(o.id, static_cast<Relation>(rel), TableRights::from_bits(static_cast<std::uint32_t>(rng() & 15u)));
  }
  auto s = compile(m);
  REQUIRE(s.has_value());
  REQUIRE(s->object_count() == kBuiltinObjectCount + extra);
  return std::move(*s);
}

// Records of `records` moved to objects drawn from [0, objects + 4) (the
// last four unknown), so that neighbouring lanes differ in object, with
// publish windows and evaluation times that differ record by record, and
// garbage in the padding bytes a kernel must not read as facts.
std::vector<Record> scrambled(std::vector<Record> records, std::size_t objects, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (Record& r : records) {
    r.object = ObjectIndex{static_cast<std::uint16_t>(rng() % (objects + 4))};
    r.at = rng() % 3 == 0 ? kTimeMin : kNow - 1500 + static_cast<Time>(rng() % 3000);
    const std::uint64_t w = rng() % 5;  // open ends, which "now" (kTimeMin) can fall in
    if (w == 0 || w == 2) r.publish_from = kTimeMin;
    if (w == 1 || w == 2) r.publish_to = kTimeMax;
    if (w == 3 && r.at != kTimeMin) r.at = r.publish_from;  // both ends are included
    if (w == 4 && r.at != kTimeMin) r.at = r.publish_to;
    auto* bytes = reinterpret_cast<unsigned char*>(&r);
    bytes[2] = static_cast<unsigned char>(bytes[2] | 0xC0u);  // the facts byte's unused bits
    bytes[3] = 0xA5;
    std::memset(bytes + 13, 0x5A, 3);  // after the visibility kind
    std::memset(bytes + 28, 0xC3, 4);  // after the company
  }
  return records;
}

}  // namespace

TEST_CASE("can_batch: a Record's facts sit in byte 2 as the AVX-512 kernel reads them", "[filter][perf]") {
  auto byte2 = [](const Record& r) {
    unsigned char b[sizeof(Record)];
    std::memcpy(b, &r, sizeof b);
    return (static_cast<std::uint32_t>(b[2]) & 0x3Fu) << 16;  // bits 6-7 are padding: anything
  };
  CHECK(byte2(Record{}) == 0);
  const std::pair<void (*)(Record&), std::uint32_t> facts[] = {
      {[](Record& r) { r.published = true; }, detail::kHeadPublished},
      {[](Record& r) { r.completed = true; }, detail::kHeadCompleted},
      {[](Record& r) { r.is_new = true; }, detail::kHeadIsNew},
      {[](Record& r) { r.user_person = true; }, detail::kHeadUserPerson},
      {[](Record& r) { r.our_company = true; }, detail::kHeadOurCompany},
      {[](Record& r) { r.database_owner = true; }, detail::kHeadDatabaseOwner},
  };
  for (const auto& [set, bit] : facts) {
    Record r;
    set(r);
    CHECK(byte2(r) == bit);
  }
}

TEST_CASE("can_batch, rights_batch: mixed objects in every 16 lanes, objects past the table, every tail", "[filter][perf]") {
  for (std::size_t extra : {0u, 40u, 70u}) {
    const Snapshot s = many_objects(extra, 20 + extra);
    const Census c = census(s);
    const std::size_t objects = s.object_count();
    for (std::uint32_t u = 0; u < s.user_count(); u += 7) {
      const UserIndex user{u};
      check_batch(s, user, scrambled(make_records(s, c, user, 700 + u, u), objects, u));
      for (std::size_t n = 1; n <= 47; ++n)
        if ((n + u) % 5 == 0 || u < 14) check_batch(s, user, scrambled(make_records(s, c, user, n, n * 31 + u), objects, n + u));
    }
    check_batch(s, kNoUser, scrambled(make_records(s, c, UserIndex{0}, 300, 1), objects, 2));
  }
}

TEST_CASE("can_batch, rights_batch: one object throughout, and runs of one object, as the vector kernels see them", "[filter][perf]") {
  const Model m = make_model({.users = 120, .seed = 5, .custom_roles = true});
  const auto s = compile(m);
  REQUIRE(s.has_value());
  const Census c = census(*s);
  for (std::uint32_t u = 0; u < s->user_count(); u += 5)
    for (std::uint16_t o = 0; o < kBuiltinObjectCount; ++o) {
      std::vector<Record> records = make_records(*s, c, UserIndex{u}, 37 + o, u * 100 + o, ObjectIndex{o});
      // Record-scoped override keys of the model (sale records "1".."7").
      for (std::size_t i = 0; i < records.size(); ++i) records[i].id = i % 3 == 0 ? 1 + i % 8 : records[i].id;
      check_batch(*s, UserIndex{u}, records);
    }
}

TEST_CASE("can_batch, rights_batch: equal can() and rights() per record over mixed objects, predefined and custom roles", "[filter][perf]") {
  for (std::uint64_t seed : {7u, 8u}) {
    const Model m = make_model({.users = 300, .seed = seed, .custom_roles = seed == 8});
    const auto s = compile(m);
    REQUIRE(s.has_value());
    const Census c = census(*s);
    for (std::uint32_t u = 0; u < s->user_count(); u += 3)
      check_batch(*s, UserIndex{u}, make_records(*s, c, UserIndex{u}, 1 + (u * 373) % 3000, seed * 1000 + u));
  }
}

TEST_CASE("can_batch, rights_batch: equal can() and rights() per record for hostile records and unknown users", "[filter][perf]") {
  const Model m = make_model({.users = 200, .seed = 11, .custom_roles = true});
  const auto s = compile(m);
  REQUIRE(s.has_value());
  for (std::uint32_t u = 0; u < s->user_count() + 3; u += 4)
    check_batch(*s, UserIndex{u}, hostile_records(*s, 1 + (u * 211) % 2000, 500 + u));
  check_batch(*s, kNoUser, hostile_records(*s, 100, 1));
}

TEST_CASE("can_batch: no records, and an output too small, allow nothing", "[filter][perf]") {
  const Model m = make_model({.users = 50});
  const auto s = compile(m);
  REQUIRE(s.has_value());
  const Census c = census(*s);
  std::vector<std::uint64_t> none;
  const FilterResult empty = can_batch(*s, UserIndex{0}, Action::kRead, {}, none);
  CHECK(empty.ok);
  CHECK(empty.allowed == 0);
  const std::vector<Record> records = make_records(*s, c, UserIndex{0}, 130, 3);
  std::vector<std::uint64_t> small(2, ~std::uint64_t{0});  // 130 records need 3 words
  const FilterResult r = can_batch(*s, UserIndex{0}, Action::kRead, records, small);
  CHECK_FALSE(r.ok);
  CHECK(r.allowed == 0);
  CHECK(small == std::vector<std::uint64_t>(2, 0));
}

TEST_CASE("rights_batch: the records checked include hidden follow-ups (Filtering) and the owner company (RestrictedUpdate)", "[filter][perf]") {
  const Model m = make_model({.users = 300, .seed = 7});
  const auto s = compile(m);
  REQUIRE(s.has_value());
  const Census c = census(*s);
  g_seen_filtering = g_seen_restricted_update = 0;
  for (std::uint32_t u = 0; u < s->user_count(); u += 3)
    check_batch(*s, UserIndex{u}, make_records(*s, c, UserIndex{u}, 1 + (u * 373) % 3000, 7000 + u));
  CHECK(g_seen_filtering > 0);
  CHECK(g_seen_restricted_update > 0);
}

TEST_CASE("rights_batch: no records give nothing; an output too small gets no rights at all", "[filter][perf]") {
  const Model m = make_model({.users = 50});
  const auto s = compile(m);
  REQUIRE(s.has_value());
  const Census c = census(*s);
  std::vector<TableRights> none;
  const FilterResult empty = rights_batch(*s, UserIndex{0}, {}, none);
  CHECK(empty.ok);
  CHECK(empty.allowed == 0);
  const std::vector<Record> records = make_records(*s, c, UserIndex{0}, 130, 3);
  std::vector<TableRights> small(129, TableRights::full());
  const FilterResult r = rights_batch(*s, UserIndex{0}, records, small);
  CHECK_FALSE(r.ok);
  CHECK(r.allowed == 0);
  CHECK(std::all_of(small.begin(), small.end(), [](TableRights t) { return t.empty(); }));
}

TEST_CASE("rights_batch: an override that takes Update from the database owner's record takes RestrictedUpdate with it",
          "[filter][perf]") {
  Model m = make_model({.users = 60, .seed = 9});
  m.overrides.push_back({.level = OverrideLevel::kSystem, .object = "company", .scope = OverrideScope::kRecord,
                         .record = "acme-record", .remove = static_cast<std::uint8_t>(TableRight::kUpdate)});
  const auto s = compile(m);
  REQUIRE(s.has_value());
  const ObjectIndex company = s->find_object("company");
  std::size_t lost = 0;  // records whose RestrictedUpdate went with the override's Update
  for (std::uint32_t u = 0; u < s->user_count(); ++u) {
    std::vector<Record> records(40);
    for (std::size_t i = 0; i < records.size(); ++i) {
      Record& r = records[i];
      r.object = company;
      r.owner = UserIndex{static_cast<std::uint32_t>((u + i) % s->user_count())};
      r.database_owner = true;
      r.id = i % 2 ? record_key("acme-record") : 0;
      Record plain = r;
      plain.id = 0;
      lost += r.id != 0 && s->rights(UserIndex{u}, plain).contains_any(TableRight::kRestrictedUpdate) &&
              !s->rights(UserIndex{u}, r).contains_any(TableRight::kRestrictedUpdate);
    }
    check_batch(*s, UserIndex{u}, records);
  }
  CHECK(lost > 0);
}
