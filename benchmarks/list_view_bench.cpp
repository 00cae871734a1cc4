// -----------------------------------------------------------------------------
// File: benchmarks/list_view_bench.cpp
// -----------------------------------------------------------------------------
// BM_ListViewSqlite: a list view end to end. A 100 000-row SQLite table of
// sales (text ids, as a host stores them), the rows a level-3 associate of the
// 100 000-user workload model may read, three ways in one run:
//
//   /predicate   SELECT id ... WHERE <predicate()>   (the push-down)
//   /filter      SELECT every row, map ids, filter()
//   /can         SELECT every row, map ids, can() per row
//
// plus /fetch_rows_only, the fetch-all SELECT stepping through the same
// columns with no id mapping and no decision (what the database alone costs).
// Before any timing the three answers must equal each other and the
// reference (`can()` on the generated records, no SQL), and be neither empty
// nor the whole table, or every variant stops with SkipWithError.
// docs/performance.md, "A list view end to end".
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#if defined(SORIGHTS_BENCH_HAVE_SQLITE)

#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

#include "list_view.hpp"
#include "workload.hpp"

using namespace sorights;
using namespace sorights_bench;

namespace {

constexpr std::size_t kListUsers = 100000;
constexpr std::size_t kListRows = 100000;

struct ListViewEnv {
  Snapshot snapshot;
  UserIndex user{};  // a level-3 associate of acme with other groups
  std::unique_ptr<SqliteDb> db;
  std::vector<std::int64_t> reference;  // the ids can() allows, ascending
  std::string sql;                      // the push-down query
  std::size_t params = 0;
  std::string error;  // set up or verification failure: every variant skips
};

std::vector<std::int64_t> sorted(std::vector<std::int64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// The model, the table and the verification, once for the process.
ListViewEnv& list_env() {
  static std::mutex mu;
  static std::unique_ptr<ListViewEnv> env;
  std::lock_guard<std::mutex> lock(mu);
  if (env) return *env;
  env = std::make_unique<ListViewEnv>();
  ListViewEnv& e = *env;
  const Model model = make_model({.users = kListUsers, .seed = 42});
  e.snapshot = compile_or_abort(model);
  const Snapshot& s = e.snapshot;
  bool found = false;
  for (std::uint32_t u = 0; u < s.user_count() && !found; ++u) {
    const User& mu_ = model.users[u];
    if (mu_.role == "level-3" && !mu_.retired && mu_.can_log_in && mu_.other_groups.size() >= 2 &&
        mu_.company == "acme") {
      e.user = UserIndex{u};
      found = true;
    }
  }
  if (!found) {
    e.error = "the model has no level-3 associate";
    return e;
  }
  // Sales biased towards the user (own, empty and unknown owners, its group's
  // members, random owners; every visibility kind, publish state and flag).
  const std::vector<Record> generated =
      make_records(s, census(s), e.user, kListRows, 17, object_index(BuiltinObject::kSale));
  const std::vector<Record> stored = stored_records(generated);
  e.db = std::make_unique<SqliteDb>();
  e.error = e.db->open_error();
  if (e.error.empty()) e.error = create_sale_table(*e.db, s, stored);
  if (!e.error.empty()) return e;
  e.reference = ids_by_reference(s, e.user, Action::kRead, stored);

  // The three ways must give the reference's ids, and it must be a real
  // list: not empty, not the whole table.
  std::vector<std::int64_t> by_predicate, by_filter, by_can, row_ids;
  SaleColumns cols;
  std::vector<Record> records;
  if (e.error.empty()) e.error = ids_by_predicate(*e.db, s, e.user, Action::kRead, kNow, by_predicate, &e.sql);
  if (e.error.empty()) e.error = ids_by_filter(*e.db, s, e.user, Action::kRead, kNow, cols, by_filter);
  if (e.error.empty()) e.error = ids_by_can(*e.db, s, e.user, Action::kRead, kNow, records, row_ids, by_can);
  if (!e.error.empty()) return e;
  e.params = render_sql(predicate(s, e.user, object_index(BuiltinObject::kSale), Action::kRead, kNow),
                        ColumnMapping::with_prefix("r.", "o."))
                 .params.size();
  if (sorted(by_predicate) != e.reference) e.error = "the predicate push-down differs from can() on the records";
  else if (sorted(by_filter) != e.reference) e.error = "fetch-all + filter() differs from can() on the records";
  else if (sorted(by_can) != e.reference) e.error = "fetch-all + can() differs from can() on the records";
  else if (e.reference.empty() || e.reference.size() == kListRows)
    e.error = "the user may read " + std::to_string(e.reference.size()) + " of " + std::to_string(kListRows) +
              " rows: nothing to compare";
  return e;
}

enum class Way { kPredicate, kFilter, kCan, kFetchOnly };

// Steps through the fetch-all SELECT reading every column it selects, with
// no mapping and no decision: the database's share of the fetch-all ways.
std::string fetch_rows_only(const SqliteDb& db, std::size_t& rows, std::size_t& bytes) {
  rows = 0;
  bytes = 0;
  SqliteStmt st(db.get(), std::string("SELECT id, ") + kSaleRightsColumns + " FROM sale");
  if (!st.error().empty()) return st.error();
  sqlite3_stmt* q = st.get();
  int rc = 0;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    ++rows;
    for (int c = 0; c < 14; ++c) {
      if (sqlite3_column_type(q, c) == SQLITE_TEXT) {
        benchmark::DoNotOptimize(sqlite3_column_text(q, c));
        bytes += static_cast<std::size_t>(sqlite3_column_bytes(q, c));
      } else {
        benchmark::DoNotOptimize(sqlite3_column_int64(q, c));
      }
    }
  }
  if (rc != SQLITE_DONE) return std::string("fetch-all query: ") + sqlite3_errmsg(db.get());
  return {};
}

void BM_ListViewSqlite(benchmark::State& state, Way way) {
  ListViewEnv& e = list_env();
  if (!e.error.empty()) {
    state.SkipWithError(e.error.c_str());
    return;
  }
  const Snapshot& s = e.snapshot;
  std::vector<std::int64_t> ids, row_ids;
  SaleColumns cols;
  std::vector<Record> records;
  FetchTimes times;
  std::size_t rows = 0, bytes = 0;
  std::string err;
  for (auto _ : state) {
    switch (way) {
      case Way::kPredicate: err = ids_by_predicate(*e.db, s, e.user, Action::kRead, kNow, ids); break;
      case Way::kFilter: err = ids_by_filter(*e.db, s, e.user, Action::kRead, kNow, cols, ids, &times); break;
      case Way::kCan: err = ids_by_can(*e.db, s, e.user, Action::kRead, kNow, records, row_ids, ids, &times); break;
      case Way::kFetchOnly: err = fetch_rows_only(*e.db, rows, bytes); break;
    }
    if (!err.empty()) {
      state.SkipWithError(err.c_str());
      return;
    }
    benchmark::DoNotOptimize(ids.data());
    benchmark::ClobberMemory();
  }
  // The answer of the last timed call, once more against the reference.
  if (way != Way::kFetchOnly && sorted(ids) != e.reference) {
    state.SkipWithError("the timed answer differs from the reference");
    return;
  }
  if (way == Way::kFetchOnly && rows != kListRows) {
    state.SkipWithError("the fetch-all query did not return every row");
    return;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kListRows));
  state.counters["rows"] = static_cast<double>(kListRows);
  state.counters["readable"] = static_cast<double>(e.reference.size());
  if (way == Way::kPredicate) state.counters["sql_params"] = static_cast<double>(e.params);
  if (way == Way::kFilter || way == Way::kCan) {
    // CPU time per iteration of each phase, in ms.
    state.counters["fetch_map_ms"] = benchmark::Counter(times.fetch * 1e3, benchmark::Counter::kAvgIterations);
    state.counters["decide_ms"] = benchmark::Counter(times.decide * 1e3, benchmark::Counter::kAvgIterations);
  }
}

BENCHMARK_CAPTURE(BM_ListViewSqlite, predicate, Way::kPredicate)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ListViewSqlite, filter, Way::kFilter)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ListViewSqlite, can, Way::kCan)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ListViewSqlite, fetch_rows_only, Way::kFetchOnly)->Unit(benchmark::kMillisecond);

}  // namespace

#else  // !SORIGHTS_BENCH_HAVE_SQLITE

namespace {

void BM_ListViewSqlite(benchmark::State& state, int /*way*/) {
  for (auto _ : state) {
  }
  state.SkipWithError("needs SQLite3 (find_package(SQLite3)), not in this build");
}
BENCHMARK_CAPTURE(BM_ListViewSqlite, predicate, 0);
BENCHMARK_CAPTURE(BM_ListViewSqlite, filter, 1);
BENCHMARK_CAPTURE(BM_ListViewSqlite, can, 2);
BENCHMARK_CAPTURE(BM_ListViewSqlite, fetch_rows_only, 3);

}  // namespace

#endif  // SORIGHTS_BENCH_HAVE_SQLITE
