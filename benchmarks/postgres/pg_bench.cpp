// sorights_pg_bench: propagation latency between application servers sharing
// one PostgreSQL database, and the cost of a full snapshot rebuild
// (docs/many-servers.md).
//
// Starts a throwaway cluster with tests/postgres/pg_cluster.sh (as in the
// tests), or uses SORIGHTS_PG_CONNINFO when it is set.
//
//   BM_PropagationInProcess/<users>   commit on directory A -> directory B
//                                     (own store and connections, follower
//                                     attached) has republished it.
//   BM_PropagationCrossProcess/<users> commit here -> a follower in another
//                                     process has republished it (wall clock);
//                                     p50 / p99 / max as counters.
//   BM_CommitRoundTrip/<users>        one Transaction::commit() through
//                                     PostgreSQL (validation, compile, apply).
//   BM_LoadFromPostgres/<users>       PostgresStore::load() reading every table.
//   BM_LoadIncremental/<users>        load() after one commit elsewhere: the
//                                     audit log's change set applied to the
//                                     model kept from the previous load.
//   BM_CompileSnapshot/<users>        compile() of that model alone.
//   BM_RefreshRebuild/<users>         Directory::refresh() of a changed model:
//                                     load + compile + publish.
#include <benchmark/benchmark.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>

#include "pg_test_support.hpp"
#include "workload.hpp"

using namespace sorights;
using namespace std::chrono_literals;

namespace {

std::string g_conninfo;
std::string g_self;  // argv[0], to start follower processes
int g_schema_counter = 0;

struct Env {
  std::string schema;
  std::shared_ptr<Directory> a;  // the writer
  std::shared_ptr<Directory> b;  // the follower
  std::unique_ptr<DirectoryFollower> follower;
};

PostgresStoreOptions options_for(const std::string& schema) {
  PostgresStoreOptions o;
  o.schema = schema;
  o.channel = "bench_" + schema;
  return o;
}

// The value of `r`, or exit 2 naming what failed.
template <class T>
T or_exit(Result<T> r, const char* what) {
  if (r) return std::move(r).value();
  std::fprintf(stderr, "%s: %s\n", what, r.error().message.c_str());
  std::exit(2);
}

std::shared_ptr<Directory> open_dir(const std::string& schema, bool listen) {
  PostgresStoreOptions o = options_for(schema);
  o.listen = listen;
  std::shared_ptr<StorageAdapter> store = or_exit(PostgresStore::open(g_conninfo, o), "open store");
  return or_exit(Directory::open(std::move(store)), "open directory");
}

// One schema per model size, filled once and shared by the benchmarks.
std::string populated_schema(std::size_t users) {
  static std::map<std::size_t, std::string> done;
  if (auto it = done.find(users); it != done.end()) return it->second;
  const std::string schema = "bench_" + std::to_string(users) + "_" + std::to_string(::getpid()) + "_" +
                             std::to_string(++g_schema_counter);
  auto dir = open_dir(schema, false);
  sorights_bench::ModelShape shape;
  shape.users = users;
  Model model = sorights_bench::make_model(shape);
  auto tx = dir->begin();
  if (!tx || !tx->stage_model(model)) std::exit(2);
  or_exit(tx->commit(), "populate");
  done[users] = schema;
  return schema;
}

Env make_env(std::size_t users) {
  Env e;
  e.schema = populated_schema(users);
  e.a = open_dir(e.schema, false);
  e.b = open_dir(e.schema, true);
  auto f = attach_listener(*e.b);
  if (!f) std::exit(2);
  e.follower = std::move(*f);
  e.follower->listener()->wait_connected(5s);
  return e;
}

// Renames one user: the smallest real commit.
Result<CommitInfo> touch(Directory& dir, int i) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    SORIGHTS_ASSIGN_OR_RETURN(Transaction tx, dir.begin());
    SORIGHTS_TRY(tx.edit_user("u0", [&](User& u) { u.name = "name " + std::to_string(i); }));
    Result<CommitInfo> r = tx.commit();
    if (r || r.error().code != ErrorCode::kConflict) return r;
  }
  return Error(ErrorCode::kConflict, "gave up");
}

// touch(), or nothing with the benchmark marked failed.
std::optional<CommitInfo> touched(benchmark::State& state, Directory& dir, int i) {
  Result<CommitInfo> c = touch(dir, i);
  if (c) return *c;
  state.SkipWithError(c.error().message.c_str());
  return std::nullopt;
}

// touched() outside the timed region (the timer stays paused on failure).
std::optional<CommitInfo> touched_untimed(benchmark::State& state, Directory& dir, int i) {
  state.PauseTiming();
  std::optional<CommitInfo> c = touched(state, dir, i);
  if (c) state.ResumeTiming();
  return c;
}

void BM_PropagationInProcess(benchmark::State& state) {
  Env e = make_env(static_cast<std::size_t>(state.range(0)));
  int i = 0;
  for (auto _ : state) {
    auto c = touched(state, *e.a, ++i);
    if (!c) break;
    const auto t0 = std::chrono::steady_clock::now();
    if (!e.follower->wait_for(c->version, 30s)) {
      state.SkipWithError("the follower did not republish within 30 s");
      break;
    }
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
}
BENCHMARK(BM_PropagationInProcess)->Arg(1000)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_PropagationInProcess)->Arg(100000)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(5);

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(k, v.size() - 1)];
}

void BM_PropagationCrossProcess(benchmark::State& state) {
  const std::size_t users = static_cast<std::size_t>(state.range(0));
  const int commits = users >= 100000 ? 5 : 50;
  const std::string schema = populated_schema(users);
  auto a = open_dir(schema, false);
  for (auto _ : state) {
    const std::uint64_t base = a->version();
    const std::uint64_t target = base + static_cast<std::uint64_t>(commits);
    pgt::Child peer = pgt::spawn({g_self, "--follow", g_conninfo, schema, std::to_string(target), "120000"});
    if (!peer.wait_output("ready", 60s)) {
      state.SkipWithError("the follower process did not start");
      break;
    }
    std::map<std::uint64_t, std::int64_t> committed_at;
    for (int i = 0; i < commits; ++i) {
      auto c = touched(state, *a, i);
      if (!c) break;
      committed_at[c->version] = pgt::wall_us();
      // Let the follower settle, so each commit is measured alone.
      std::this_thread::sleep_for(users >= 100000 ? 3000ms : 30ms);
    }
    const int rc = peer.wait(120s);
    if (rc != 0) {
      state.SkipWithError(("the follower process failed: " + peer.output()).c_str());
      break;
    }
    std::vector<double> ms;
    std::istringstream in(peer.output());
    std::string word;
    while (in >> word) {
      if (word != "at") continue;
      std::uint64_t v = 0;
      std::int64_t at = 0;
      in >> v >> at;
      if (auto it = committed_at.find(v); it != committed_at.end())
        ms.push_back(static_cast<double>(at - it->second) / 1000.0);
    }
    state.SetIterationTime(ms.empty() ? 0 : percentile(ms, 0.5) / 1000.0);
    state.counters["p50_ms"] = percentile(ms, 0.5);
    state.counters["p99_ms"] = percentile(ms, 0.99);
    state.counters["max_ms"] = ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end());
    state.counters["commits"] = static_cast<double>(ms.size());
  }
}
BENCHMARK(BM_PropagationCrossProcess)->Arg(1000)->Arg(100000)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_CommitRoundTrip(benchmark::State& state) {
  auto a = open_dir(populated_schema(static_cast<std::size_t>(state.range(0))), false);
  int i = 0;
  for (auto _ : state) {
    auto c = touched(state, *a, ++i);
    if (!c) break;
  }
}
BENCHMARK(BM_CommitRoundTrip)->Arg(1000)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_CommitRoundTrip)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(5);

void BM_LoadFromPostgres(benchmark::State& state) {
  PostgresStoreOptions o = options_for(populated_schema(static_cast<std::size_t>(state.range(0))));
  o.listen = false;
  o.incremental_load = false;  // every table, every time
  auto store = PostgresStore::open(g_conninfo, o);
  if (!store) {
    state.SkipWithError(store.error().message.c_str());
    return;
  }
  std::size_t n = 0;
  for (auto _ : state) {
    auto m = (*store)->load();
    if (!m) {
      state.SkipWithError(m.error().message.c_str());
      break;
    }
    n = m->model.users.size();
    benchmark::DoNotOptimize(m);
  }
  state.counters["users"] = static_cast<double>(n);
}
BENCHMARK(BM_LoadFromPostgres)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

// load() after one commit by someone else, from the audit log (the default).
void BM_LoadIncremental(benchmark::State& state) {
  const std::string schema = populated_schema(static_cast<std::size_t>(state.range(0)));
  auto a = open_dir(schema, false);
  PostgresStoreOptions o = options_for(schema);
  o.listen = false;
  auto store = PostgresStore::open(g_conninfo, o);
  if (!store || !(*store)->load()) {
    state.SkipWithError("open");
    return;
  }
  int i = 0;
  for (auto _ : state) {
    auto c = touched_untimed(state, *a, ++i);
    if (!c) break;
    auto m = (*store)->load();
    if (!m || m->version != c->version) {
      state.SkipWithError("load");
      break;
    }
    benchmark::DoNotOptimize(m);
  }
  state.counters["incremental"] = static_cast<double>((*store)->incremental_loads());
}
BENCHMARK(BM_LoadIncremental)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_CompileSnapshot(benchmark::State& state) {
  sorights_bench::ModelShape shape;
  shape.users = static_cast<std::size_t>(state.range(0));
  Model model = sorights_bench::make_model(shape);
  for (auto _ : state) {
    auto s = compile(model, 1);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_CompileSnapshot)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_RefreshRebuild(benchmark::State& state) {
  const std::string schema = populated_schema(static_cast<std::size_t>(state.range(0)));
  auto a = open_dir(schema, false);
  auto b = open_dir(schema, false);
  int i = 0;
  for (auto _ : state) {
    auto c = touched_untimed(state, *a, ++i);
    if (!c) break;
    auto r = b->refresh();
    if (!r) {
      state.SkipWithError(r.error().message.c_str());
      break;
    }
  }
}
BENCHMARK(BM_RefreshRebuild)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

// The follower process of BM_PropagationCrossProcess.
int follow(const std::string& conninfo, const std::string& schema, std::uint64_t target, long timeout_ms) {
  g_conninfo = conninfo;
  auto dir = open_dir(schema, true);
  auto follower = attach_listener(*dir);
  if (!follower) return 2;
  (*follower)->listener()->wait_connected(5s);
  std::printf("ready %llu\n", static_cast<unsigned long long>(dir->version()));
  std::fflush(stdout);
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::uint64_t last = dir->version();
  while (last < target && std::chrono::steady_clock::now() < end) {
    if ((*follower)->wait_for(last + 1, 100ms)) {
      const std::int64_t at = pgt::wall_us();
      last = dir->version();
      std::printf("at %llu %lld\n", static_cast<unsigned long long>(last), static_cast<long long>(at));
      std::fflush(stdout);
    }
  }
  return last >= target ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  g_self = argv[0];
  if (argc == 6 && std::string(argv[1]) == "--follow")
    return follow(argv[2], argv[3], std::strtoull(argv[4], nullptr, 10), std::strtol(argv[5], nullptr, 10));

  std::string cluster_dir;
  g_conninfo = pgt::env("SORIGHTS_PG_CONNINFO");
  if (g_conninfo.empty()) {
    cluster_dir = "/tmp/sorights_pg_bench_" + std::to_string(::getpid());
    const std::string cmd = std::string("bash '") + SORIGHTS_PG_CLUSTER_SCRIPT + "' start '" + cluster_dir + "' auto";
    if (std::system(cmd.c_str()) != 0) {
      std::fprintf(stderr, "could not start a PostgreSQL cluster (set SORIGHTS_PG_CONNINFO to use a server)\n");
      return 2;
    }
    g_conninfo = pgt::trim(pgt::read_file(cluster_dir + "/conninfo"));
  }
  benchmark::Initialize(&argc, argv);
  int rc = 0;
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) rc = 1;
  else benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (!cluster_dir.empty()) {
    const std::string cmd = std::string("bash '") + SORIGHTS_PG_CLUSTER_SCRIPT + "' stop '" + cluster_dir + "'";
    if (std::system(cmd.c_str()) != 0) rc = 1;
    std::system(("rm -rf '" + cluster_dir + "'").c_str());
  }
  return rc;
}
