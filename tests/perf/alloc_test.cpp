// Zero heap allocations per hot call, counted (not timed): this binary
// replaces the global operator new/delete with counting versions.
#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "support/catch.hpp"
#include "workload.hpp"

#include "sorights/filter.hpp"
#include "sorights/queries.hpp"

namespace {
std::atomic<std::size_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return ::operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

using namespace sorights;
using namespace sorights_bench;

TEST_CASE("allocations: rights, can, has, field_rights, explain, filter, can_batch and rights_batch allocate nothing", "[alloc][perf]") {
  const Model m = make_model({.users = 500, .seed = 3});
  const auto s = compile(m);
  REQUIRE(s.has_value());
  const Census c = census(*s);
  // Records for several users, all objects; prepared before counting.
  std::vector<std::vector<Record>> streams;
  std::vector<UserIndex> users;
  for (std::uint32_t u = 0; u < s->user_count(); u += 25) {
    users.push_back(UserIndex{u});
    streams.push_back(make_records(*s, c, UserIndex{u}, 2000, u));
  }
  const std::vector<Record> sale_records = make_records(*s, c, UserIndex{1}, 5000, 9, ObjectIndex{5});
  const Columns cols(sale_records);
  std::vector<std::uint64_t> bits(filter_words(cols.owner.size()));
  std::vector<std::uint64_t> batch_bits(filter_words(streams.front().size()));
  std::vector<TableRights> batch_rights(streams.front().size());
  const FieldIndex name = s->find_field("name");
  volatile std::size_t sink = 0;

  const std::size_t before = g_allocations.load();
  std::size_t calls = 0;
  for (std::size_t k = 0; k < users.size(); ++k) {
    for (const Record& r : streams[k]) {
      sink = sink + s->rights(users[k], r).bits();
      sink = sink + s->can(users[k], Action::kUpdate, r);
      sink = sink + s->field_rights(users[k], r, name).bits();
      sink = sink + s->field_rights(users[k], r, kUnknownField).bits();
      const Explanation e = s->explain(users[k], Action::kDelete, r);
      sink = sink + e.allowed + e.layers[2].removed.bits();
      calls += 5;
    }
    for (std::uint32_t right = 0; right < s->right_count(); ++right) {
      sink = sink + s->has(users[k], RightIndex{right});
      ++calls;
    }
    for (Action a : {Action::kRead, Action::kCreate, Action::kUpdate, Action::kDelete})
      for (FilterPath path : {FilterPath::kScalar, FilterPath::kAvx2, FilterPath::kAvx512}) {
        sink = sink + filter(*s, users[k], ObjectIndex{5}, a, cols.view(), bits, path).allowed;
        // Every data object in one stream: each object's plan made on first sight.
        sink = sink + can_batch(*s, users[k], a, streams[k], batch_bits, path).allowed;
        calls += 2;
      }
    for (FilterPath path : {FilterPath::kScalar, FilterPath::kAvx512}) {
      sink = sink + rights_batch(*s, users[k], streams[k], batch_rights, path).allowed;
      ++calls;
    }
  }
  const std::size_t after = g_allocations.load();
  INFO(calls << " calls");
  REQUIRE(calls > 100000);
  REQUIRE(after - before == 0);

  // The counter works: a vector allocates.
  const std::size_t probe = g_allocations.load();
  std::vector<int>* v = new std::vector<int>(10);
  delete v;
  REQUIRE(g_allocations.load() - probe >= 1);
}

TEST_CASE("allocations: who_can, the user queries and UserSet iteration allocate nothing", "[alloc][perf]") {
  const Model m = make_model({.users = 2000, .seed = 4});
  const auto s = compile(m);
  REQUIRE(s.has_value());
  const auto q = QueryIndex::build(*s, m);
  REQUIRE(q.has_value());
  const Census c = census(*s);
  const std::vector<Record> records = make_records(*s, c, UserIndex{1}, 400, 5);
  UserSet set = q->make_set();
  std::vector<UserIndex> page(20);
  UserFilter f;
  f.role = s->find_role("level-3");
  f.group = s->find_group("g1");
  f.search = "U1";
  volatile std::size_t sink = 0;

  const std::size_t before = g_allocations.load();
  std::size_t calls = 0;
  for (const Record& r : records)
    for (Action a : {Action::kRead, Action::kCreate, Action::kUpdate, Action::kDelete}) {
      sink = sink + q->who_can(a, r, set);
      ++calls;
    }
  for (UserIndex u : set) sink = sink + static_cast<std::uint32_t>(u);
  sink = sink + q->match_users(f, set) + q->list_users(f, 3, page);
  sink = sink + q->group_members(s->find_group("g2"), set) + q->users_holding(s->find_right("admin-all"), set);
  sink = sink + q->role_user_count(s->find_role("system"));
  calls += 5;
  const std::size_t after = g_allocations.load();
  INFO(calls << " calls");
  REQUIRE(after - before == 0);
}
