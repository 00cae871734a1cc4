// -----------------------------------------------------------------------------
// File: benchmarks/bench_queries.cpp
// -----------------------------------------------------------------------------
// The admin's questions (queries.hpp) on the 100k-user benchmark model:
// `who_can` against the naive loop (rights() for every user, the same answer)
// in the same run, and a user query (role + group + substring). Each checks
// its answer against the naive one before timing (a mismatch stops it with
// SkipWithError). Figures and commands: docs/performance.md.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "sorights/queries.hpp"
#include "sorights/snapshot.hpp"
#include "workload.hpp"

using namespace sorights;
using namespace sorights_bench;

namespace {

struct QueryEnv {
  Model model;
  Snapshot snapshot;
  QueryIndex index;
  std::vector<Record> sales;      // records of one object (no empty-owner rule)
  std::vector<Record> companies;  // company records, a quarter with an empty owner
};

void make_query_env(QueryEnv& e, std::size_t users) {
  e.model = make_model({.users = users, .seed = 42});
  e.snapshot = compile_or_abort(e.model);
  auto q = QueryIndex::build(e.snapshot, e.model);
  if (!q) std::abort();
  e.index = std::move(*q);
  const Census c = census(e.snapshot);
  UserIndex hot{0};
  for (std::uint32_t u = 0; u < e.snapshot.user_count(); ++u)
    if (e.model.users[u].role == "level-3" && e.model.users[u].other_groups.size() >= 2) {
      hot = UserIndex{u};
      break;
    }
  e.sales = make_records(e.snapshot, c, hot, 64, 11, e.snapshot.find_object("sale"));
  e.companies = make_records(e.snapshot, c, hot, 16, 12, e.snapshot.find_object("company"));
}

const QueryEnv& query_env(std::size_t users) { return per_model_size<QueryEnv>(users, make_query_env); }

// The naive answer: rights() for every user.
std::size_t naive_who_can(const Snapshot& s, Action a, const Record& r, std::vector<std::uint32_t>* out) {
  std::size_t n = 0;
  for (std::uint32_t u = 0; u < s.user_count(); ++u)
    if (s.rights(UserIndex{u}, r).allows(a)) {
      ++n;
      if (out != nullptr) out->push_back(u);
    }
  return n;
}

bool verify_who_can(benchmark::State& state, const QueryEnv& e, const std::vector<Record>& records, Action a) {
  UserSet set = e.index.make_set();
  for (std::size_t i = 0; i < records.size(); ++i) {
    std::vector<std::uint32_t> want;
    naive_who_can(e.snapshot, a, records[i], &want);
    e.index.who_can(a, records[i], set);
    std::vector<std::uint32_t> got;
    for (std::uint32_t u = 0; u < e.snapshot.user_count(); ++u)
      if (set.contains(UserIndex{u})) got.push_back(u);
    if (got != want) {
      state.SkipWithError(("who_can differs from the naive loop at record " + std::to_string(i)).c_str());
      return false;
    }
  }
  return true;
}

void run_who_can(benchmark::State& state, const std::vector<Record> QueryEnv::*records) {
  const QueryEnv& e = query_env(static_cast<std::size_t>(state.range(0)));
  const std::vector<Record>& rs = e.*records;
  if (!verify_who_can(state, e, rs, Action::kUpdate)) return;
  UserSet set = e.index.make_set();
  std::size_t i = 0, allowed = 0;
  for (auto _ : state) {
    allowed += e.index.who_can(Action::kUpdate, rs[i++ % rs.size()], set);
    benchmark::DoNotOptimize(set.words().data());
  }
  benchmark::DoNotOptimize(allowed);
  state.counters["allowed_per_record"] =
      benchmark::Counter(static_cast<double>(allowed) / static_cast<double>(std::max<std::int64_t>(1, state.iterations())));
  state.counters["index_MB"] = static_cast<double>(e.index.memory_bytes()) / 1e6;
}

void run_naive(benchmark::State& state, const std::vector<Record> QueryEnv::*records) {
  const QueryEnv& e = query_env(static_cast<std::size_t>(state.range(0)));
  const std::vector<Record>& rs = e.*records;
  std::size_t i = 0, allowed = 0;
  for (auto _ : state) allowed += naive_who_can(e.snapshot, Action::kUpdate, rs[i++ % rs.size()], nullptr);
  benchmark::DoNotOptimize(allowed);
  state.counters["allowed_per_record"] =
      benchmark::Counter(static_cast<double>(allowed) / static_cast<double>(std::max<std::int64_t>(1, state.iterations())));
}

// who_can(update, sale): 64 sale records of every relation, visibility kind,
// publish state and record flag (benchmarks/workload.hpp), in turn.
void BM_WhoCan(benchmark::State& state) { run_who_can(state, &QueryEnv::sales); }
BENCHMARK(BM_WhoCan)->Arg(100000)->Unit(benchmark::kMicrosecond);

void BM_WhoCanNaiveLoop(benchmark::State& state) { run_naive(state, &QueryEnv::sales); }
BENCHMARK(BM_WhoCanNaiveLoop)->Arg(100000)->Unit(benchmark::kMicrosecond);

// Company records, where an empty owner means "the asking user": external and
// anonymous users are checked one by one for those.
void BM_WhoCanCompany(benchmark::State& state) { run_who_can(state, &QueryEnv::companies); }
BENCHMARK(BM_WhoCanCompany)->Arg(100000)->Unit(benchmark::kMicrosecond);

void BM_WhoCanCompanyNaiveLoop(benchmark::State& state) { run_naive(state, &QueryEnv::companies); }
BENCHMARK(BM_WhoCanCompanyNaiveLoop)->Arg(100000)->Unit(benchmark::kMicrosecond);

// The users list screen: role level-3, member of g3, id or name containing
// "U1" (any case), first page of 50 in id order.
void BM_UserQuery(benchmark::State& state) {
  const QueryEnv& e = query_env(static_cast<std::size_t>(state.range(0)));
  UserFilter f;
  f.role = e.snapshot.find_role("level-3");
  f.group = e.snapshot.find_group("g3");
  f.search = "U1";
  std::vector<std::string> want;
  for (const User& u : e.model.users)
    if (u.role == "level-3" &&
        (u.group == "g3" || std::count(u.other_groups.begin(), u.other_groups.end(), "g3") != 0) &&
        u.id.find("u1") != std::string::npos)
      want.push_back(u.id);
  std::sort(want.begin(), want.end());
  std::vector<UserIndex> page(50);
  const std::size_t total = e.index.list_users(f, 0, page);
  std::vector<std::string> got;
  for (std::size_t k = 0; k < std::min(total, page.size()); ++k) got.emplace_back(e.snapshot.user_id(page[k]));
  want.resize(std::min(want.size(), page.size()));
  if (got != want || total == 0) {
    state.SkipWithError("list_users differs from a plain filter over the model");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(e.index.list_users(f, 0, page));
  state.counters["matches"] = static_cast<double>(total);
}
BENCHMARK(BM_UserQuery)->Arg(100000)->Unit(benchmark::kMicrosecond);

}  // namespace

namespace {

// Building the index (cold; once per snapshot).
void BM_QueryIndexBuild(benchmark::State& state) {
  const QueryEnv& e = query_env(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto q = QueryIndex::build(e.snapshot, e.model);
    if (!q) state.SkipWithError("build failed");
    benchmark::DoNotOptimize(q);
  }
}
BENCHMARK(BM_QueryIndexBuild)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
