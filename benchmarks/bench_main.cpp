// -----------------------------------------------------------------------------
// File: benchmarks/bench_main.cpp
// -----------------------------------------------------------------------------
// sorights_bench: the Google Benchmark suite. Every benchmark checks its
// results against a naive reference before timing (a mismatch stops it with
// SkipWithError) and passes every result to DoNotOptimize. Figures and the
// exact commands are in docs/performance.md.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "sorights/filter.hpp"
#include "sorights/predicate.hpp"
#include "sorights/snapshot.hpp"
#include "workload.hpp"
#if defined(SORIGHTS_BENCH_HAVE_STORAGE)
#  include "sorights/directory.hpp"
#  include "sorights/storage/model_file.hpp"
#  include "sorights/storage/snapshot_file.hpp"
#  include "sorights/storage/sqlite_store.hpp"
#  include "sorights/storage.hpp"
#endif

using namespace sorights;
using namespace sorights_bench;

namespace {

constexpr std::size_t kStream = 1 << 20;  // 1M records / pairs
constexpr std::size_t kModelUsers = 100000;

// A compiled model and its streams, built once per size.
struct Env {
  Model model;
  Snapshot snapshot;
  Census census;
  UserIndex hot{};                 // a level-3 associate with other groups
  UserIndex group_editor{};        // a level-2 associate (updates in the primary group only)
  std::vector<Record> records;     // 1M records of every object, biased to `hot`
  std::vector<std::uint8_t> rel;   // the relation of each record to `hot`
  std::vector<std::uint32_t> random_users;
  std::vector<std::uint32_t> random_rights;
  double bytes_per_user = 0;
};

Env& env(std::size_t users) {
  static std::mutex mu;
  static std::map<std::size_t, std::unique_ptr<Env>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[users];
  if (slot) return *slot;
  slot = std::make_unique<Env>();
  Env& e = *slot;
  e.model = make_model({.users = users, .seed = 42});
  auto s = compile(e.model);
  if (!s) std::abort();
  e.snapshot = std::move(*s);
  e.census = census(e.snapshot);
  for (std::uint32_t u = 0; u < e.snapshot.user_count(); ++u) {
    const User& mu_ = e.model.users[u];
    if (mu_.role == "level-3" && !mu_.retired && mu_.can_log_in && mu_.other_groups.size() >= 2 &&
        mu_.company == "acme") {
      e.hot = UserIndex{u};
      break;
    }
  }
  for (std::uint32_t u = 0; u < e.snapshot.user_count(); ++u) {
    const User& mu_ = e.model.users[u];
    if (mu_.role == "level-2" && !mu_.retired && mu_.can_log_in && mu_.other_groups.size() >= 2 &&
        mu_.company == "acme" && std::count(mu_.licences.begin(), mu_.licences.end(), "sale-cal") == 1) {
      e.group_editor = UserIndex{u};
      break;
    }
  }
  e.records = make_records(e.snapshot, e.census, e.hot, kStream, 7);
  e.rel.resize(kStream);
  for (std::size_t i = 0; i < kStream; ++i) {
    detail::NoTrace t;
    e.rel[i] = static_cast<std::uint8_t>(e.snapshot.evaluate(e.hot, e.records[i], t).relation);
  }
  std::mt19937_64 rng(99);
  e.random_users.resize(kStream);
  e.random_rights.resize(kStream);
  for (std::size_t i = 0; i < kStream; ++i) {
    e.random_users[i] = static_cast<std::uint32_t>(rng() % e.snapshot.user_count());
    e.random_rights[i] = static_cast<std::uint32_t>(rng() % e.snapshot.right_count());
  }
  e.bytes_per_user = static_cast<double>(e.snapshot.memory_bytes()) / static_cast<double>(e.snapshot.user_count());
  return e;
}

// The naive reference for a check: the filter plan's scalar lane (written
// from the rules, separately from Snapshot::evaluate) on a one-record column
// set.
bool naive_can(const Snapshot& s, UserIndex user, Action a, const Record& r) {
  const std::uint32_t owner = static_cast<std::uint32_t>(r.owner), group = static_cast<std::uint32_t>(r.group),
                      project = static_cast<std::uint32_t>(r.project), company = static_cast<std::uint32_t>(r.company);
  const std::uint8_t flags = record_flags(r);
  RecordColumns c{.size = 1, .owner = {&owner, 1}, .group = {&group, 1}, .flags = {&flags, 1},
                  .visibility_id = {&r.visibility.id, 1}, .project = {&project, 1}, .company = {&company, 1},
                  .id = {&r.id, 1}, .publish_from = {&r.publish_from, 1}, .publish_to = {&r.publish_to, 1}, .at = r.at};
  std::uint64_t bits = 0;
  (void)filter(s, user, r.object, a, c, {&bits, 1}, FilterPath::kScalar);
  return bits & 1u;
}

bool check_rights(benchmark::State& state, const Snapshot& s, UserIndex user, const std::vector<Record>& records,
                  std::size_t limit = 200000) {
  for (std::size_t i = 0; i < std::min(limit, records.size()); ++i)
    for (Action a : {Action::kRead, Action::kCreate, Action::kUpdate, Action::kDelete})
      if (s.rights(user, records[i]).allows(a) != naive_can(s, user, a, records[i])) {
        state.SkipWithError(("rights() differs from the reference at record " + std::to_string(i)).c_str());
        return false;
      }
  return true;
}

// -- Single checks ------------------------------------------------------------

// One item a check, and the snapshot's bytes per user beside the figures.
void count_checks(benchmark::State& state, const Env& e) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["bytes_per_user"] = benchmark::Counter(e.bytes_per_user, benchmark::Counter::kAvgThreads);
}

// The hot user's rights() over `window` records of the stream (a power of
// two), each thread from its own offset.
void walk_hot_user(benchmark::State& state, const Env& e, std::size_t window) {
  const Snapshot& s = e.snapshot;
  const UserIndex user = e.hot;
  const Record* recs = e.records.data();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * (window / 2);
  for (auto _ : state) {
    const TableRights r = s.rights(user, recs[i & (window - 1)]);
    benchmark::DoNotOptimize(r);
    ++i;
  }
}

// The user counts of the single-check benchmarks, on one and two threads.
void user_counts_and_threads(benchmark::internal::Benchmark* b) {
  b->Arg(100000)->Arg(1000)->Arg(10000)->Arg(1000000)->ThreadRange(1, 2)->UseRealTime();
}

void BM_RightsHotUser(benchmark::State& state) {
  Env& e = env(static_cast<std::size_t>(state.range(0)));
  if (state.thread_index() == 0 && !check_rights(state, e.snapshot, e.hot, e.records)) return;
  walk_hot_user(state, e, kStream);
  count_checks(state, e);
}
BENCHMARK(BM_RightsHotUser)->Apply(user_counts_and_threads);

// The same check over the first 4096 records of the stream (256 KB, cache
// resident): the compute cost of a check without the stream's memory stalls.
void BM_RightsHotUserWarm(benchmark::State& state) {
  constexpr std::size_t kWarm = 4096;
  Env& e = env(static_cast<std::size_t>(state.range(0)));
  if (!check_rights(state, e.snapshot, e.hot, e.records, kWarm)) return;
  walk_hot_user(state, e, kWarm);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_RightsHotUserWarm)->Arg(100000);

void BM_RightsBaselineLookup(benchmark::State& state) {
  Env& e = env(static_cast<std::size_t>(state.range(0)));
  const Snapshot& s = e.snapshot;
  const std::size_t objects = s.object_count();
  const std::size_t roles = s.role_count();
  std::vector<std::uint8_t> mask(roles * objects * kRelationCount);
  for (std::size_t r = 0; r < roles; ++r)
    for (std::size_t o = 0; o < objects; ++o)
      for (int rel = 0; rel < kRelationCount; ++rel)
        mask[(r * objects + o) * kRelationCount + static_cast<std::size_t>(rel)] =
            s.role_cell(RoleIndex{static_cast<std::uint32_t>(r)}, ObjectIndex{static_cast<std::uint16_t>(o)},
                        static_cast<Relation>(rel)).bits();
  const auto role = static_cast<std::size_t>(s.user_role(e.hot));
  const Record* recs = e.records.data();
  const std::uint8_t* rel = e.rel.data();
  for (std::size_t i = 0; i < 100000; ++i)
    if (mask[(role * objects + static_cast<std::size_t>(recs[i].object)) * kRelationCount + rel[i]] !=
        s.role_cell(RoleIndex{static_cast<std::uint32_t>(role)}, recs[i].object, static_cast<Relation>(rel[i])).bits()) {
      state.SkipWithError("baseline lookup differs from role_cell()");
      return;
    }
  const std::uint8_t* m = mask.data() + role * objects * kRelationCount;
  std::size_t i = 0;
  for (auto _ : state) {
    const std::size_t k = i & (kStream - 1);
    const std::uint8_t r = m[static_cast<std::size_t>(recs[k].object) * kRelationCount + rel[k]];
    benchmark::DoNotOptimize(r);
    ++i;
  }
  count_checks(state, e);
}
BENCHMARK(BM_RightsBaselineLookup)->Apply(user_counts_and_threads);

// The batch form: can_batch over windows of the same cold stream (every
// object, biased to the hot user), 1024 records a call. Checked against
// rights() on every record of the stream before timing.
void run_batch(benchmark::State& state, bool group_editor) {
  constexpr std::size_t kWindow = 1024;
  Env& e = env(static_cast<std::size_t>(state.range(0)));
  const Snapshot& s = e.snapshot;
  const UserIndex user = group_editor ? e.group_editor : e.hot;
  const Action action = Action::kUpdate;
  std::vector<std::uint64_t> bits(filter_words(kWindow));
  if (state.thread_index() == 0)
    for (std::size_t at = 0; at < kStream; at += kWindow) {
      const std::span<const Record> window(e.records.data() + at, kWindow);
      (void)can_batch(s, user, action, window, bits);
      for (std::size_t i = 0; i < kWindow; ++i)
        if (((bits[i / 64] >> (i % 64)) & 1u) != s.rights(user, window[i]).allows(action)) {
          state.SkipWithError(("can_batch differs from rights() at record " + std::to_string(at + i)).c_str());
          return;
        }
    }
  std::size_t at = static_cast<std::size_t>(state.thread_index()) * (kStream / 2);
  for (auto _ : state) {
    const FilterResult r = can_batch(s, user, action, {e.records.data() + (at & (kStream - 1)), kWindow}, bits);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(bits.data());
    at += kWindow;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kWindow));
}
void BM_RightsBatch(benchmark::State& state) { run_batch(state, false); }
BENCHMARK(BM_RightsBatch)->Arg(100000)->ThreadRange(1, 2)->UseRealTime();
// The level-2 associate of BM_FilterBatch_GroupUpdate on the same stream: own
// and primary-group records only, so the owners' facts and the records'
// groups decide (the kernel gathers owner records for most lanes).
void BM_RightsBatch_GroupUpdate(benchmark::State& state) { run_batch(state, true); }
BENCHMARK(BM_RightsBatch_GroupUpdate)->Arg(100000)->UseRealTime();

// The mask form: rights_batch over the same windows of the same stream for
// the hot user, checked against rights() on every record before timing.
void BM_RightsBatch_Mask(benchmark::State& state) {
  constexpr std::size_t kWindow = 1024;
  Env& e = env(static_cast<std::size_t>(state.range(0)));
  const Snapshot& s = e.snapshot;
  std::vector<TableRights> out(kWindow);
  if (state.thread_index() == 0)
    for (std::size_t at = 0; at < kStream; at += kWindow) {
      const std::span<const Record> window(e.records.data() + at, kWindow);
      (void)rights_batch(s, e.hot, window, out);
      for (std::size_t i = 0; i < kWindow; ++i)
        if (!(out[i] == s.rights(e.hot, window[i]))) {
          state.SkipWithError(("rights_batch differs from rights() at record " + std::to_string(at + i)).c_str());
          return;
        }
    }
  std::size_t at = static_cast<std::size_t>(state.thread_index()) * (kStream / 2);
  for (auto _ : state) {
    const FilterResult r = rights_batch(s, e.hot, {e.records.data() + (at & (kStream - 1)), kWindow}, out);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(out.data());
    at += kWindow;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kWindow));
}
BENCHMARK(BM_RightsBatch_Mask)->Arg(100000)->ThreadRange(1, 2)->UseRealTime();

void BM_RightsRandomUser(benchmark::State& state) {
  Env& e = env(static_cast<std::size_t>(state.range(0)));
  const Snapshot& s = e.snapshot;
  const Record* recs = e.records.data();
  const std::uint32_t* users = e.random_users.data();
  for (std::size_t i = 0; i < 20000; ++i)
    for (Action a : {Action::kRead, Action::kUpdate})
      if (s.can(UserIndex{users[i]}, a, recs[i]) != naive_can(s, UserIndex{users[i]}, a, recs[i])) {
        state.SkipWithError("can() differs from the reference");
        return;
      }
  std::size_t i = 0;
  for (auto _ : state) {
    const std::size_t k = i & (kStream - 1);
    const TableRights r = s.rights(UserIndex{users[k]}, recs[k]);
    benchmark::DoNotOptimize(r);
    ++i;
  }
  count_checks(state, e);
  state.counters["users"] = static_cast<double>(s.user_count());
}
BENCHMARK(BM_RightsRandomUser)->Arg(100000)->Arg(1000)->Arg(10000)->Arg(1000000);

void BM_HasFunctionalRight(benchmark::State& state) {
  Env& e = env(kModelUsers);
  const Snapshot& s = e.snapshot;
  const std::uint32_t* users = e.random_users.data();
  const std::uint32_t* rights = e.random_rights.data();
  // Reference: the model's own role lists (no right needs a licence here).
  for (std::size_t i = 0; i < 100000; ++i) {
    const User& u = e.model.users[users[i]];
    const bool active = !u.retired && !u.former_employee && u.can_log_in && u.type != UserType::kResource;
    bool want = false;
    if (active && u.type == UserType::kSystem) want = true;
    else if (active)
      if (const Role* role = e.model.find_role(u.role)) want = role->has_right(s.right_id(RightIndex{rights[i]}));
    if (s.has(UserIndex{users[i]}, RightIndex{rights[i]}) != want) {
      state.SkipWithError("has() differs from the model");
      return;
    }
  }
  std::size_t i = 0;
  for (auto _ : state) {
    const std::size_t k = i & (kStream - 1);
    const bool r = s.has(UserIndex{users[k]}, RightIndex{rights[k]});
    benchmark::DoNotOptimize(r);
    ++i;
  }
  count_checks(state, e);
}
BENCHMARK(BM_HasFunctionalRight);

// -- Batch filtering ----------------------------------------------------------

struct FilterEnv {
  std::unique_ptr<Columns> columns;
  ObjectIndex object{};
};

FilterEnv& filter_env() {
  static FilterEnv f = [] {
    Env& e = env(kModelUsers);
    FilterEnv out;
    out.object = object_index(BuiltinObject::kSale);
    out.columns = std::make_unique<Columns>(make_records(e.snapshot, e.census, e.hot, kStream, 8, out.object));
    return out;
  }();
  return f;
}

// The columns a read of sales by an associate needs: owner, group, flags,
// visibility id (13 bytes a record).
RecordColumns list_columns(const Columns& c) {
  return RecordColumns{.size = c.owner.size(), .owner = c.owner, .group = c.group, .flags = c.flags,
                       .visibility_id = c.visibility_id, .at = c.at};
}
constexpr std::int64_t kListBytes = 4 + 4 + 1 + 4;

void run_filter(benchmark::State& state, FilterPath path, Action action = Action::kRead, bool group_editor = false) {
  Env& e = env(kModelUsers);
  const UserIndex user = group_editor ? e.group_editor : e.hot;
  FilterEnv& f = filter_env();
  if (!filter_path_available(path)) {
    state.SkipWithError("the processor lacks this instruction set");
    return;
  }
  const RecordColumns cols = list_columns(*f.columns);
  std::vector<std::uint64_t> bits(filter_words(cols.size));
  const FilterResult first = filter(e.snapshot, user, f.object, action, cols, bits, path);
  std::size_t want = 0;
  for (std::size_t i = 0; i < cols.size; ++i) {
    const bool w = e.snapshot.can(user, action, cols.record(i, f.object));
    want += w;
    if (((bits[i / 64] >> (i % 64)) & 1u) != w) {
      state.SkipWithError("filter() differs from can()");
      return;
    }
  }
  if (first.allowed != want) {
    state.SkipWithError("filter() count differs");
    return;
  }
  if (want == 0) {
    state.SkipWithError("the workload allows no record: nothing to measure");
    return;
  }
  for (auto _ : state) {
    const FilterResult r = filter(e.snapshot, user, f.object, action, cols, bits, path);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(bits.data());
    benchmark::ClobberMemory();
  }
  const auto n = static_cast<std::int64_t>(cols.size);
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * n * kListBytes);
  state.counters["allowed"] = static_cast<double>(want);
  state.counters["bytes_per_user"] = benchmark::Counter(e.bytes_per_user, benchmark::Counter::kAvgThreads);
}

void BM_FilterBatch(benchmark::State& state) { run_filter(state, FilterPath::kAuto); }
BENCHMARK(BM_FilterBatch)->ThreadRange(1, 2)->UseRealTime();
void BM_FilterBatch_Avx2(benchmark::State& state) { run_filter(state, FilterPath::kAvx2); }
BENCHMARK(BM_FilterBatch_Avx2);
void BM_FilterBatch_Scalar(benchmark::State& state) { run_filter(state, FilterPath::kScalar); }
BENCHMARK(BM_FilterBatch_Scalar);
// A level-2 associate's update of the same sales: own and primary-group
// records only, so the owner's facts and the group decide (gathers on every
// step). The read above needs neither (level-3 reads every sale it can see).
void BM_FilterBatch_GroupUpdate(benchmark::State& state) {
  run_filter(state, FilterPath::kAuto, Action::kUpdate, true);
}
BENCHMARK(BM_FilterBatch_GroupUpdate);

void BM_FilterBaselineSum(benchmark::State& state) {
  FilterEnv& f = filter_env();
  const Columns& c = *f.columns;
  const std::size_t n = c.owner.size();
  const std::uint32_t* ow = c.owner.data();
  const std::uint32_t* gr = c.group.data();
  const std::uint32_t* vi = c.visibility_id.data();
  const std::uint8_t* fl = c.flags.data();
  std::uint64_t want = 0;
  for (std::size_t i = 0; i < n; ++i) want += std::uint64_t{ow[i]} + gr[i] + vi[i] + fl[i];
  for (auto _ : state) {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += std::uint64_t{ow[i]} + gr[i] + vi[i] + fl[i];
    if (sum != want) {
      state.SkipWithError("sum changed");
      return;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(n) * kListBytes);
}
BENCHMARK(BM_FilterBaselineSum)->ThreadRange(1, 2)->UseRealTime();

// -- Query push-down ----------------------------------------------------------

void BM_PredicateSql(benchmark::State& state) {
  Env& e = env(kModelUsers);
  const ColumnMapping map = ColumnMapping::with_prefix("r.", "o.");
  const ObjectIndex sale = object_index(BuiltinObject::kSale);
  const SqlFragment ref = render_sql(predicate(e.snapshot, e.hot, sale, Action::kRead, kNow), map);
  const auto placeholders = static_cast<std::size_t>(std::count(ref.text.begin(), ref.text.end(), '?'));
  if (ref.text.empty() || placeholders != ref.params.size()) {
    state.SkipWithError("the fragment's placeholders do not match its parameters");
    return;
  }
  for (auto _ : state) {
    const Predicate p = predicate(e.snapshot, e.hot, sale, Action::kRead, kNow);
    SqlFragment f = render_sql(p, map);
    benchmark::DoNotOptimize(f.text.data());
    benchmark::DoNotOptimize(f.params.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["params"] = static_cast<double>(ref.params.size());
  state.counters["sql_chars"] = static_cast<double>(ref.text.size());
  state.counters["bytes_per_user"] = benchmark::Counter(e.bytes_per_user, benchmark::Counter::kAvgThreads);
}
BENCHMARK(BM_PredicateSql);

// -- Compile (context for the load figures) -----------------------------------

void BM_Compile(benchmark::State& state) {
  const Model m = make_model({.users = static_cast<std::size_t>(state.range(0)), .seed = 42});
  double bpu = 0;
  for (auto _ : state) {
    auto s = compile(m);
    if (!s) {
      state.SkipWithError("compile failed");
      return;
    }
    bpu = static_cast<double>(s->memory_bytes()) / static_cast<double>(s->user_count());
    benchmark::DoNotOptimize(s->user_count());
  }
  state.counters["bytes_per_user"] = bpu;
}
BENCHMARK(BM_Compile)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(3);

// -- Commit and load (storage library) ----------------------------------------

#if defined(SORIGHTS_BENCH_HAVE_STORAGE)

std::string temp_path(const char* name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir && *dir ? dir : "/tmp") + "/sorights_bench_" + std::to_string(::getpid()) + "_" + name;
}

// A 100k-user directory over `storage`, holding the benchmark model.
std::shared_ptr<Directory> open_with_model(std::shared_ptr<StorageAdapter> storage, const Model& model) {
  auto dir = Directory::open(std::move(storage));
  if (!dir) return nullptr;
  auto tx = (*dir)->begin();
  if (!tx || !tx->stage_model(model) || !tx->commit()) return nullptr;
  return *dir;
}

// One user's role changed and committed, until the new snapshot is published.
void run_commit(benchmark::State& state, const std::shared_ptr<Directory>& dir) {
  if (!dir) {
    state.SkipWithError("could not build the 100k-user directory");
    return;
  }
  const char* roles[2] = {"level-2", "level-4"};
  std::size_t k = 0;
  const std::string user = uid(1);
  for (auto _ : state) {
    const char* role = roles[k++ & 1u];
    auto tx = dir->begin();
    if (!tx || !tx->set_user_role(user, role)) {
      state.SkipWithError("begin/set_user_role failed");
      return;
    }
    auto done = tx->commit();
    if (!done) {
      state.SkipWithError(("commit failed: " + done.error().to_string()).c_str());
      return;
    }
    std::shared_ptr<const Snapshot> snap = dir->snapshot();
    // Reference: the published snapshot has the new version and the new role.
    if (snap->version() != done->version || snap->role_id(snap->user_role(snap->find_user(user))) != role) {
      state.SkipWithError("the published snapshot does not show the commit");
      return;
    }
    benchmark::DoNotOptimize(snap.get());
  }
  const std::shared_ptr<const Snapshot> snap = dir->snapshot();
  state.counters["users"] = static_cast<double>(snap->user_count());
  state.counters["bytes_per_user"] =
      static_cast<double>(snap->memory_bytes()) / static_cast<double>(snap->user_count());
}

// -- Memory at scale (issue #18 item 7) ----------------------------------------
// Resident bytes now (/proc/self/statm) and the peak since the last reset
// (VmHWM, reset by writing 5 to /proc/self/clear_refs; Linux).
std::size_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  unsigned long pages = 0, resident = 0;
  if (f != nullptr) {
    if (std::fscanf(f, "%lu %lu", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<std::size_t>(resident) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}
bool reset_peak_resident() {
  std::FILE* f = std::fopen("/proc/self/clear_refs", "w");
  if (f == nullptr) return false;
  const bool ok = std::fputs("5", f) >= 0;
  return std::fclose(f) == 0 && ok;
}
std::size_t peak_resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  std::size_t kb = 0;
  if (f != nullptr) {
    char line[256];
    while (std::fgets(line, sizeof line, f) != nullptr)
      if (std::sscanf(line, "VmHWM: %zu kB", &kb) == 1) break;
    std::fclose(f);
  }
  return kb * 1024;
}

// A Directory over an InMemoryStorage at N users: the model's and the
// snapshot's own size, then the resident peak while the directory opens and
// makes eight one-user commits (users far apart, each read back from the
// published model), as a multiple of (model + snapshot). Run it alone
// (`--benchmark_filter=DirectoryMemory`): resident memory is the process's.
void BM_DirectoryMemory(benchmark::State& state) {
  const auto users = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    const std::size_t base = resident_bytes();
    Model model = make_model({.users = users, .seed = 5});
    const std::size_t model_bytes = resident_bytes() - base;
    constexpr std::size_t kCommits = 8;
    std::vector<std::string> who;
    for (std::size_t k = 0; k < kCommits; ++k) who.push_back(std::as_const(model.users)[(2 * k + 1) * users / 17].id);
    if (!reset_peak_resident()) {
      state.SkipWithError("cannot reset the resident peak (/proc/self/clear_refs)");
      return;
    }
    const std::size_t start = resident_bytes();
    auto storage = std::make_shared<InMemoryStorage>(StoredModel{std::move(model), 1},
                                                     InMemoryStorageOptions{.max_audit_entries = 64});
    auto dir = Directory::open(storage);
    if (!dir) {
      state.SkipWithError(dir.error().to_string().c_str());
      return;
    }
    const std::size_t snapshot_bytes = (*dir)->snapshot()->memory_bytes();
    for (const std::string& id : who) {
      auto tx = (*dir)->begin("");
      if (!tx || !tx->set_can_log_in(id, false) || !tx->commit()) {
        state.SkipWithError("a one-user commit failed");
        return;
      }
      const User* now = (*dir)->model()->find_user(id);
      if (now == nullptr || now->can_log_in) {
        state.SkipWithError("a one-user commit does not show in the published model");
        return;
      }
    }
    // What the process held besides the model (moved into the store) is
    // left out of the peak and of what stays resident after the commit.
    const std::size_t other = start - model_bytes;
    const double peak = static_cast<double>(peak_resident_bytes() - other);
    const double after = static_cast<double>(resident_bytes() - other);
    const double own = static_cast<double>(model_bytes + snapshot_bytes);
    state.counters["model_MB"] = static_cast<double>(model_bytes) / 1e6;
    state.counters["snapshot_MB"] = static_cast<double>(snapshot_bytes) / 1e6;
    state.counters["peak_MB"] = peak / 1e6;
    state.counters["after_commit_MB"] = after / 1e6;
    state.counters["peak_ratio"] = peak / own;
    state.counters["after_ratio"] = after / own;
  }
}
BENCHMARK(BM_DirectoryMemory)->Arg(1000000)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_CommitOneUser(benchmark::State& state) {
  static const std::string path = temp_path("commit.db");
  static std::shared_ptr<Directory> dir = [] {
    std::remove(path.c_str());
    auto store = SqliteStore::open(path, SqliteStoreOptions{.create = true});
    return store ? open_with_model(std::shared_ptr<StorageAdapter>(std::move(*store)), env(kModelUsers).model)
                 : nullptr;
  }();
  run_commit(state, dir);
}
BENCHMARK(BM_CommitOneUser)->Unit(benchmark::kMillisecond);

void BM_CommitOneUser_InMemory(benchmark::State& state) {
  static std::shared_ptr<Directory> dir =
      open_with_model(std::make_shared<InMemoryStorage>(), env(kModelUsers).model);
  run_commit(state, dir);
}
BENCHMARK(BM_CommitOneUser_InMemory)->Unit(benchmark::kMillisecond);

// -- The commits an administrator makes most (issue: every common admin commit
// incremental). Each on its own 100k-user directory over InMemoryStorage,
// timed from begin() to the published snapshot; before timing, one commit of
// the same kind must show in the published state (`shows`), and after the
// timed loop the published snapshot must decide as a full compile() of the
// published model does (`same_decisions`).

// The published snapshot against compile(published model): every user's role,
// primary group and functional rights, and rights() on one record per object
// owned by another user.
bool same_decisions(const DirectoryState& state) {
  auto fresh = compile(state.model);
  if (!fresh) return false;
  const Snapshot& got = state.snapshot;
  const Snapshot& want = *fresh;
  if (got.user_count() != want.user_count()) return false;
  for (std::uint32_t i = 0; i < want.user_count(); i += 7) {
    const UserIndex u{i};
    if (got.user_id(u) != want.user_id(u) || got.user_role(u) != want.user_role(u) ||
        got.user_primary_group(u) != want.user_primary_group(u))
      return false;
    for (std::uint32_t r = 0; r < static_cast<std::uint32_t>(want.right_count()); ++r)
      if (got.has(u, RightIndex{r}) != want.has(u, RightIndex{r})) return false;
    for (std::uint32_t o = 0; o < want.object_count(); ++o) {
      Record rec;
      rec.object = ObjectIndex{static_cast<std::uint16_t>(o)};
      rec.owner = UserIndex{(i * 31 + 1) % static_cast<std::uint32_t>(want.user_count())};
      if (got.rights(u, rec) != want.rights(u, rec)) return false;
    }
  }
  return true;
}

// Runs `edit(tx, k)` then commit, k = 0, 1, ... counting on over the calls
// Google Benchmark makes (the directory is shared by them); `shows(state, k)`
// must hold after the untimed first commit of each call.
template <class Edit, class Shows>
void run_admin_commit(benchmark::State& state, const std::shared_ptr<Directory>& dir, std::size_t& k, Edit edit,
                      Shows shows) {
  if (!dir) {
    state.SkipWithError("could not build the 100k-user directory");
    return;
  }
  std::string failure;
  auto commit_one = [&]() -> bool {
    auto tx = dir->begin();
    if (!tx) {
      failure = "begin: " + tx.error().to_string();
      return false;
    }
    if (Result<void> edited = edit(*tx, k); !edited) {
      failure = "edit " + std::to_string(k) + ": " + edited.error().to_string();
      return false;
    }
    auto done = tx->commit();
    if (!done) failure = "commit " + std::to_string(k) + ": " + done.error().to_string();
    ++k;
    return done.has_value();
  };
  if (!commit_one() || !shows(*dir->state(), k - 1)) {
    failure = "the first commit does not show in the published state; " + failure;
    state.SkipWithError(failure.c_str());
    return;
  }
  for (auto _ : state) {
    if (!commit_one()) {
      state.SkipWithError(failure.c_str());
      return;
    }
    benchmark::DoNotOptimize(dir->snapshot().get());
  }
  if (!same_decisions(*dir->state())) state.SkipWithError("the published snapshot differs from a full compile");
  state.counters["users"] = static_cast<double>(dir->snapshot()->user_count());
}

std::shared_ptr<Directory> fresh_directory() {
  return open_with_model(std::make_shared<InMemoryStorage>(), env(kModelUsers).model);
}

void BM_CommitAddUser(benchmark::State& state) {
  static std::shared_ptr<Directory> dir = fresh_directory();
  static std::size_t next = 0;
  const Env& e = env(kModelUsers);
  const User& like = e.model.users[static_cast<std::uint32_t>(e.hot)];
  run_admin_commit(
      state, dir, next,
      [&](Transaction& tx, std::size_t k) {
        User u = like;
        u.id = "bench-added-" + std::to_string(k);
        u.person.clear();
        return tx.add_user(std::move(u));
      },
      [](const DirectoryState& st, std::size_t k) {
        return st.snapshot.find_user("bench-added-" + std::to_string(k)) != kUnknownUser;
      });
}
BENCHMARK(BM_CommitAddUser)->Unit(benchmark::kMillisecond);

void BM_CommitRetireUser(benchmark::State& state) {
  static std::shared_ptr<Directory> dir = fresh_directory();
  static std::size_t next = 0;
  static const std::vector<std::string> candidates = [] {
    std::vector<std::string> ids;  // active level-1..3 associates: no administrator among them
    for (const User& u : env(kModelUsers).model.users)
      if (u.type == UserType::kAssociate && !u.retired && u.can_log_in &&
          (u.role == "level-1" || u.role == "level-2" || u.role == "level-3"))
        ids.push_back(u.id);
    return ids;
  }();
  run_admin_commit(
      state, dir, next,
      [&](Transaction& tx, std::size_t k) -> Result<void> {
        if (k >= candidates.size()) return Error(ErrorCode::kNotFound, "no user left to retire");
        return tx.retire_user(candidates[k]);
      },
      [&](const DirectoryState& st, std::size_t k) {
        const User* u = st.model.find_user(candidates[k]);
        return u != nullptr && u->retired;
      });
}
BENCHMARK(BM_CommitRetireUser)->Unit(benchmark::kMillisecond);

void BM_CommitRoleCell(benchmark::State& state) {
  static std::shared_ptr<Directory> dir = fresh_directory();
  static std::size_t next = 0;
  const TableRights values[2] = {TableRights::from_bits(1), TableRights::from_bits(3)};  // Select, Select|Update
  std::size_t holders = 0;
  for (const User& u : env(kModelUsers).model.users) holders += u.role == "level-3";
  run_admin_commit(
      state, dir, next,
      [&](Transaction& tx, std::size_t k) {
        return tx.set_data_right("level-3", "sale", Relation::kOtherGroups, values[k & 1u]);
      },
      [&](const DirectoryState& st, std::size_t k) {
        const Snapshot& s = st.snapshot;
        return s.role_cell(s.find_role("level-3"), s.find_object("sale"), Relation::kOtherGroups) == values[k & 1u];
      });
  state.counters["role_holders"] = static_cast<double>(holders);
}
BENCHMARK(BM_CommitRoleCell)->Unit(benchmark::kMillisecond);

void BM_CommitGrantFunctionalRight(benchmark::State& state) {
  static std::shared_ptr<Directory> dir = fresh_directory();
  static std::size_t next = 0;
  const UserIndex hot = env(kModelUsers).hot;  // holds level-3
  run_admin_commit(
      state, dir, next,
      [](Transaction& tx, std::size_t k) {
        return k % 2 == 0 ? tx.grant_right("level-3", "allow-bulk-edit") : tx.revoke_right("level-3", "allow-bulk-edit");
      },
      [hot](const DirectoryState& st, std::size_t k) {  // granted on even k, revoked on odd
        return st.snapshot.has(hot, st.snapshot.find_right("allow-bulk-edit")) == (k % 2 == 0);
      });
}
BENCHMARK(BM_CommitGrantFunctionalRight)->Unit(benchmark::kMillisecond);

void BM_CommitAddGroup(benchmark::State& state) {
  static std::shared_ptr<Directory> dir = fresh_directory();
  static std::size_t next = 0;
  run_admin_commit(
      state, dir, next,
      [](Transaction& tx, std::size_t k) {
        return tx.put_group(Group{"bench-group-" + std::to_string(k), "Bench"});
      },
      [](const DirectoryState& st, std::size_t k) {
        return st.snapshot.find_group("bench-group-" + std::to_string(k)) != kUnknownGroup;
      });
}
BENCHMARK(BM_CommitAddGroup)->Unit(benchmark::kMillisecond);

void BM_LoadSqlite(benchmark::State& state) {
  static const std::string path = temp_path("load.db");
  static const bool ready = [] {
    std::remove(path.c_str());
    auto store = SqliteStore::open(path, SqliteStoreOptions{.create = true});
    return store && open_with_model(std::shared_ptr<StorageAdapter>(std::move(*store)), env(kModelUsers).model);
  }();
  if (!ready) {
    state.SkipWithError("could not write the 100k-user SQLite store");
    return;
  }
  std::size_t users = 0;
  double bpu = 0;
  for (auto _ : state) {
    auto store = SqliteStore::open(path);
    if (!store) {
      state.SkipWithError("open failed");
      return;
    }
    auto dir = Directory::open(std::shared_ptr<StorageAdapter>(std::move(*store)));
    if (!dir) {
      state.SkipWithError(("Directory::open failed: " + dir.error().to_string()).c_str());
      return;
    }
    std::shared_ptr<const Snapshot> snap = (*dir)->snapshot();
    users = snap->user_count();
    bpu = static_cast<double>(snap->memory_bytes()) / static_cast<double>(users);
    benchmark::DoNotOptimize(snap.get());
  }
  // Reference: every user of the model is in the loaded snapshot.
  if (users != env(kModelUsers).model.users.size()) state.SkipWithError("the loaded snapshot lost users");
  state.counters["users"] = static_cast<double>(users);
  state.counters["bytes_per_user"] = bpu;
}
BENCHMARK(BM_LoadSqlite)->Unit(benchmark::kMillisecond);

void BM_LoadSnapshotFile(benchmark::State& state) {
  static const std::string path = temp_path("model.snap");
  static const bool ready = save_snapshot_file(path, env(kModelUsers).model, 7).has_value();
  if (!ready) {
    state.SkipWithError("could not write the snapshot file");
    return;
  }
  std::size_t users = 0;
  double bpu = 0;
  for (auto _ : state) {
    auto stored = load_snapshot_file(path);
    if (!stored) {
      state.SkipWithError(("load_snapshot_file failed: " + stored.error().to_string()).c_str());
      return;
    }
    auto dir = Directory::open(std::make_shared<InMemoryStorage>(std::move(*stored)));
    if (!dir) {
      state.SkipWithError("Directory::open failed");
      return;
    }
    std::shared_ptr<const Snapshot> snap = (*dir)->snapshot();
    users = snap->user_count();
    bpu = static_cast<double>(snap->memory_bytes()) / static_cast<double>(users);
    if (snap->version() != 7) state.SkipWithError("wrong version");
    benchmark::DoNotOptimize(snap.get());
  }
  if (users != env(kModelUsers).model.users.size()) state.SkipWithError("the loaded snapshot lost users");
  state.counters["users"] = static_cast<double>(users);
  state.counters["bytes_per_user"] = bpu;
}
BENCHMARK(BM_LoadSnapshotFile)->Unit(benchmark::kMillisecond);

// -- Importing a model file (what `sorights import` does in the library) -------

// A model of `entities` entities, half groups and half users (each user in
// one group and one other group), and its model file.
struct ImportEnv {
  Model model;
  std::string text;
};

const ImportEnv& import_env(std::size_t entities) {
  static std::map<std::size_t, std::unique_ptr<ImportEnv>> cache;
  auto& slot = cache[entities];
  if (slot) return *slot;
  slot = std::make_unique<ImportEnv>();
  Model& m = slot->model;
  m = Model::with_defaults();
  m.our_companies = {{"acme", "Acme", true}};
  m.licences.push_back(Licence{.id = "user", .name = "User", .kind = LicenceKind::kUser, .unrestricted = true});
  m.plans.push_back(Plan{.id = "basic", .name = "Basic", .licences = {"user"}});
  const std::size_t groups = std::max<std::size_t>(1, entities / 2);
  auto gid = [](std::size_t g) { return "g" + std::to_string(g); };
  m.groups.reserve(groups);
  for (std::size_t g = 0; g < groups; ++g) m.groups.push_back(Group{gid(g), "Group " + std::to_string(g)});
  m.users.reserve(entities - groups);
  for (std::size_t u = 0; u < entities - groups; ++u) {
    User user;
    user.id = uid(u);
    user.company = "acme";
    user.role = "level-3";
    user.group = gid(u % groups);
    user.other_groups = {gid((u * 7 + 1) % groups)};
    user.plan = "basic";
    m.users.push_back(std::move(user));
  }
  slot->text = export_model_file(m);
  return *slot;
}

// The exported 1M-entity file is 121 MB: over the 64 MiB default limit.
const ModelFileOptions kImportOptions{.file_name = "bench.json", .max_bytes = std::uint64_t{1} << 30};

// Parse + merge into the stored (default) model + validate, then commit
// through a Directory on in-memory storage (which compiles and publishes the
// snapshot). Before timing, the parsed model must equal the generated one.
void BM_ImportModelFile(benchmark::State& state) {
  const auto entities = static_cast<std::size_t>(state.range(0));
  const ImportEnv& e = import_env(entities);
  const Model base = Model::with_defaults();
  {
    auto parsed = parse_model_file(e.text, base, kImportOptions);
    if (!parsed) {
      state.SkipWithError(("the model file does not import: " + parsed.error().to_string()).c_str());
      return;
    }
    if (!(*parsed == e.model) || parsed->groups.size() + parsed->users.size() != entities) {
      state.SkipWithError("the imported model differs from the generated one");
      return;
    }
  }
  std::size_t users = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto dir = Directory::open(std::make_shared<InMemoryStorage>());
    if (!dir) {
      state.SkipWithError("Directory::open failed");
      return;
    }
    state.ResumeTiming();
    {
      auto tx = (*dir)->begin();
      if (!tx) {
        state.SkipWithError("begin failed");
        return;
      }
      auto model = parse_model_file(e.text, tx->base(), kImportOptions);
      if (!model || !tx->stage_model(std::move(*model))) {
        state.SkipWithError("parse or stage failed");
        return;
      }
      auto done = tx->commit();
      if (!done) {
        state.SkipWithError(("commit failed: " + done.error().to_string()).c_str());
        return;
      }
    }
    users = (*dir)->snapshot()->user_count();
    benchmark::DoNotOptimize(users);
    state.PauseTiming();
    dir = Error(ErrorCode::kInternal, "released");  // the Directory is freed outside the timing
    state.ResumeTiming();
  }
  if (users < e.model.users.size()) state.SkipWithError("the published snapshot lost users");
  state.counters["entities"] = static_cast<double>(entities);
  state.counters["file_MB"] = static_cast<double>(e.text.size()) / 1e6;
}
BENCHMARK(BM_ImportModelFile)->Arg(10000)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

// A copy of `m` that shares nothing with it: a Model copy shares its users'
// chunks (docs/design/0017-shared-users.md), a materialization must not.
std::unique_ptr<Model> deep_copy(const Model& m) {
  auto copy = std::make_unique<Model>(m);
  copy->users = ChunkedVector<User>(m.users.begin(), m.users.end());
  return copy;
}

// The floor any import of the same model stands on, for the growth ratio:
// materialize every entity (a copy of the generated model: each string
// allocated, as a parse must) and resolve every reference once (index the
// group and user ids in a hash map, look up each user's groups). No JSON, no
// rules, no snapshot. Its 1M / 100k ratio shows what memory alone costs when
// the model outgrows the caches (docs/performance.md).
void BM_ImportBaselineMaterialize(benchmark::State& state) {
  const auto entities = static_cast<std::size_t>(state.range(0));
  const ImportEnv& e = import_env(entities);
  std::size_t resolved = 0;
  for (auto _ : state) {
    auto copy = deep_copy(e.model);
    std::unordered_map<std::string_view, std::size_t> index;
    index.reserve(copy->groups.size() + copy->users.size());
    for (std::size_t i = 0; i < copy->groups.size(); ++i) index.emplace(copy->groups[i].id, i);
    const ChunkedVector<User>& users = copy->users;
    for (std::size_t i = 0; i < users.size(); ++i) index.emplace(users[i].id, i);
    resolved = 0;
    for (const User& u : users) {
      resolved += index.count(u.group);
      for (const std::string& g : u.other_groups) resolved += index.count(g);
    }
    benchmark::DoNotOptimize(resolved);
    state.PauseTiming();
    copy.reset();
    index = {};
    state.ResumeTiming();
  }
  if (resolved != 2 * e.model.users.size()) state.SkipWithError("a reference did not resolve");
  state.counters["entities"] = static_cast<double>(entities);
}
BENCHMARK(BM_ImportBaselineMaterialize)->Arg(10000)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

// Materializing alone: a copy of the generated model, every string allocated.
void BM_ImportBaselineCopy(benchmark::State& state) {
  const ImportEnv& e = import_env(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto copy = deep_copy(e.model);
    benchmark::DoNotOptimize(&std::as_const(copy->users).back());
    state.PauseTiming();
    copy.reset();
    state.ResumeTiming();
  }
  state.counters["entities"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_ImportBaselineCopy)->Arg(10000)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

#else
// Without sorights::storage: the benchmarks that need it report why they did not run.
void needs_storage(benchmark::State& state, const char* what) {
  for (auto _ : state) {
  }
  state.SkipWithError((std::string("needs ") + what + ", not in this build").c_str());
}
void BM_CommitOneUser(benchmark::State& state) { needs_storage(state, "directory.hpp and sorights::storage"); }
void BM_LoadSqlite(benchmark::State& state) { needs_storage(state, "sorights::storage (sqlite_store.hpp)"); }
void BM_LoadSnapshotFile(benchmark::State& state) { needs_storage(state, "sorights::storage (snapshot_file.hpp)"); }
void BM_ImportModelFile(benchmark::State& state) { needs_storage(state, "sorights::storage (model_file.hpp)"); }
BENCHMARK(BM_CommitOneUser);
BENCHMARK(BM_LoadSqlite);
BENCHMARK(BM_LoadSnapshotFile);
BENCHMARK(BM_ImportModelFile)->Arg(10000)->Arg(100000)->Arg(1000000);
#endif

}  // namespace

BENCHMARK_MAIN();
