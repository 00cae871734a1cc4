// -----------------------------------------------------------------------------
// File: benchmarks/list_view.hpp
// -----------------------------------------------------------------------------
// A list view end to end, on a real SQLite table: "the sales this user may
// read", answered three ways from one `sale` table holding text ids, as a
// host stores them (docs/list-views.md):
//
//   * `ids_by_predicate`: the rule pushed into the query (`predicate()` +
//     `render_sql`, `LEFT JOIN` of the `so_users` owner facts), reading only
//     the ids SQLite returns;
//   * `ids_by_filter`: every row fetched, its text ids mapped to snapshot
//     indexes, the columns given to `filter()`;
//   * `ids_by_can`: every row fetched and mapped the same way into a `Record`,
//     then `can()` per row.
//
// Shared by the benchmark (benchmarks/list_view_bench.cpp, BM_ListViewSqlite)
// and its test (tests/perf/list_view_test.cpp). Needs SQLite; not installed.
// Errors are returned as text (empty = success), so that the benchmark can
// `SkipWithError` and the test can `REQUIRE` on them.
#ifndef SORIGHTS_BENCH_LIST_VIEW_HPP_
#define SORIGHTS_BENCH_LIST_VIEW_HPP_

#include <sqlite3.h>

#include <bit>
#include <ctime>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sorights/filter.hpp"
#include "sorights/predicate.hpp"
#include "sorights/record_columns.hpp"
#include "sorights/snapshot.hpp"

namespace sorights_bench {

using namespace sorights;

/// An in-memory SQLite database, closed on destruction.
class SqliteDb {
 public:
  SqliteDb() {
    if (sqlite3_open(":memory:", &db_) != SQLITE_OK) error_ = "sqlite3_open failed";
  }
  ~SqliteDb() { sqlite3_close(db_); }
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  [[nodiscard]] sqlite3* get() const noexcept { return db_; }
  /// Empty if the database opened.
  [[nodiscard]] const std::string& open_error() const noexcept { return error_; }
  /// Runs `sql`; the error text, or empty.
  [[nodiscard]] std::string exec(const std::string& sql) const {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) == SQLITE_OK) return {};
    std::string out = sql + ": " + (err ? err : "error");
    sqlite3_free(err);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
  std::string error_;
};

/// A prepared statement, finalized on destruction.
class SqliteStmt {
 public:
  SqliteStmt(sqlite3* db, const std::string& sql) {
    if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &st_, nullptr) != SQLITE_OK)
      error_ = sql + ": " + sqlite3_errmsg(db);
  }
  ~SqliteStmt() { sqlite3_finalize(st_); }
  SqliteStmt(const SqliteStmt&) = delete;
  SqliteStmt& operator=(const SqliteStmt&) = delete;

  [[nodiscard]] sqlite3_stmt* get() const noexcept { return st_; }
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

 private:
  sqlite3_stmt* st_ = nullptr;
  std::string error_;
};

namespace list_view_detail {

// Binds a text id; an empty one is NULL.
inline void bind_id(sqlite3_stmt* st, int i, std::string_view v) {
  if (v.empty()) sqlite3_bind_null(st, i);
  else sqlite3_bind_text(st, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

// The text id SQL holds for a user index: NULL for the empty owner, a name
// no user has for an unknown index.
inline std::string user_text(const Snapshot& s, std::uint32_t u) {
  if (u == static_cast<std::uint32_t>(kNoUser)) return {};
  if (u >= s.user_count()) return "ghost" + std::to_string(u);
  return std::string(s.user_id(UserIndex{u}));
}

// Column `i` of the current row as a string view; empty for NULL.
inline std::string_view text(sqlite3_stmt* st, int i) {
  const unsigned char* p = sqlite3_column_text(st, i);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(st, i))};
}

inline bool is_null(sqlite3_stmt* st, int i) { return sqlite3_column_type(st, i) == SQLITE_NULL; }

// The calling thread's CPU time in seconds (the phases are reported in CPU
// time, as Google Benchmark's CPU column: on a loaded machine real time also
// counts the time the thread waited for a core).
inline double thread_cpu_seconds() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace list_view_detail

/// The columns of the `sale` table the rights depend on, in the order the
/// fetch-all queries select them (after `id`).
inline constexpr const char* kSaleRightsColumns =
    "owner, grp, visibility_kind, visibility_id, published, publish_from, publish_to, completed,"
    " user_person, our_company, database_owner, company, project";

/// Creates the host's tables in `db` and fills them: `so_users` (one row per
/// user of `s`: `owner_facts`) and `sale` (row k of `records` gets id k + 1,
/// its text ids, a title and an amount). Records are stored records: their
/// `is_new` and `id` are not stored (the id is the row's).
inline std::string create_sale_table(const SqliteDb& db, const Snapshot& s, std::span<const Record> records) {
  using list_view_detail::bind_id;
  using list_view_detail::user_text;
  for (const char* ddl :
       {"CREATE TABLE so_users(id TEXT PRIMARY KEY, type INT, grp TEXT, company TEXT, in_our_companies INT)"
        " WITHOUT ROWID",
        "CREATE TABLE sale(id INTEGER PRIMARY KEY, title TEXT NOT NULL, amount INT NOT NULL, owner TEXT, grp TEXT,"
        " visibility_kind INT NOT NULL, visibility_id TEXT, published INT NOT NULL, publish_from INT,"
        " publish_to INT, completed INT NOT NULL, user_person INT NOT NULL, our_company INT NOT NULL,"
        " database_owner INT NOT NULL, company TEXT, project TEXT)",
        "BEGIN"})
    if (std::string e = db.exec(ddl); !e.empty()) return e;
  {
    SqliteStmt st(db.get(), "INSERT INTO so_users VALUES (?, ?, ?, ?, ?)");
    if (!st.error().empty()) return st.error();
    for (std::uint32_t u = 0; u < s.user_count(); ++u) {
      const OwnerFacts f = owner_facts(s, UserIndex{u});
      bind_id(st.get(), 1, s.user_id(UserIndex{u}));
      sqlite3_bind_int(st.get(), 2, f.type);
      bind_id(st.get(), 3, f.group);
      bind_id(st.get(), 4, f.company);
      sqlite3_bind_int(st.get(), 5, f.in_our_companies ? 1 : 0);
      if (sqlite3_step(st.get()) != SQLITE_DONE) return std::string("INSERT so_users: ") + sqlite3_errmsg(db.get());
      sqlite3_reset(st.get());
    }
  }
  {
    SqliteStmt st(db.get(), "INSERT INTO sale VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st.error().empty()) return st.error();
    sqlite3_stmt* q = st.get();
    for (std::size_t k = 0; k < records.size(); ++k) {
      const Record& r = records[k];
      const auto id = static_cast<std::int64_t>(k + 1);
      sqlite3_bind_int64(q, 1, id);
      const std::string title = "Sale " + std::to_string(id);
      bind_id(q, 2, title);
      sqlite3_bind_int64(q, 3, (id * 7919) % 100000);
      bind_id(q, 4, user_text(s, static_cast<std::uint32_t>(r.owner)));
      bind_id(q, 5, s.group_id(r.group));  // kNoGroup: "" = NULL
      sqlite3_bind_int(q, 6, static_cast<int>(r.visibility.kind));
      if (r.visibility.kind == VisibilityKind::kAssociate) bind_id(q, 7, user_text(s, r.visibility.id));
      else if (r.visibility.kind == VisibilityKind::kGroup) bind_id(q, 7, s.group_id(GroupIndex{r.visibility.id}));
      else sqlite3_bind_null(q, 7);
      sqlite3_bind_int(q, 8, r.published ? 1 : 0);
      if (r.publish_from == kTimeMin) sqlite3_bind_null(q, 9);
      else sqlite3_bind_int64(q, 9, r.publish_from);
      if (r.publish_to == kTimeMax) sqlite3_bind_null(q, 10);
      else sqlite3_bind_int64(q, 10, r.publish_to);
      sqlite3_bind_int(q, 11, r.completed ? 1 : 0);
      sqlite3_bind_int(q, 12, r.user_person ? 1 : 0);
      sqlite3_bind_int(q, 13, r.our_company ? 1 : 0);
      sqlite3_bind_int(q, 14, r.database_owner ? 1 : 0);
      bind_id(q, 15, s.company_id(r.company));
      bind_id(q, 16, detail::SnapshotAccess::project_id(s, static_cast<std::uint32_t>(r.project)));
      if (sqlite3_step(q) != SQLITE_DONE) return std::string("INSERT sale: ") + sqlite3_errmsg(db.get());
      sqlite3_reset(q);
    }
  }
  return db.exec("COMMIT");
}

/// The records `create_sale_table` stored, as `can()` sees them: row k has
/// id k + 1 (its `record_key`) and is not new.
inline std::vector<Record> stored_records(std::span<const Record> records) {
  std::vector<Record> out(records.begin(), records.end());
  for (std::size_t k = 0; k < out.size(); ++k) {
    out[k].is_new = false;
    out[k].id = k + 1;
  }
  return out;
}

/// Way 1, the push-down: the predicate in the WHERE clause; `out` gets the
/// ids SQLite returns (in its order). `sql_out`, if given, gets the query.
inline std::string ids_by_predicate(const SqliteDb& db, const Snapshot& s, UserIndex user, Action action, Time at,
                                    std::vector<std::int64_t>& out, std::string* sql_out = nullptr) {
  out.clear();
  const ObjectIndex sale = object_index(BuiltinObject::kSale);
  const Predicate p = predicate(s, user, sale, action, at);
  if (!p.exact) return "the predicate is not exact (a non-decimal record override)";
  const SqlFragment where = render_sql(p, ColumnMapping::with_prefix("r.", "o."));
  const std::string sql = "SELECT r.id FROM sale r LEFT JOIN so_users o ON o.id = r.owner WHERE " + where.text;
  if (sql_out) *sql_out = sql;
  SqliteStmt st(db.get(), sql);
  if (!st.error().empty()) return st.error();
  for (std::size_t k = 0; k < where.params.size(); ++k) {
    const int idx = static_cast<int>(k) + 1;
    if (const auto* n = std::get_if<std::int64_t>(&where.params[k])) sqlite3_bind_int64(st.get(), idx, *n);
    else list_view_detail::bind_id(st.get(), idx, std::get<std::string>(where.params[k]));
  }
  int rc = 0;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) out.push_back(sqlite3_column_int64(st.get(), 0));
  if (rc != SQLITE_DONE) return std::string("predicate query: ") + sqlite3_errmsg(db.get());
  return {};
}

/// The fetched rows, as `RecordColumns` need them (snapshot indexes), kept
/// between calls so that a repeated fetch reuses the memory.
struct SaleColumns {
  std::vector<std::int64_t> row_id;
  std::vector<UserIndex> owner;
  std::vector<GroupIndex> group;
  std::vector<std::uint8_t> flags;
  std::vector<std::uint32_t> visibility_id;
  std::vector<ProjectIndex> project;
  std::vector<CompanyIndex> company;
  std::vector<std::uint64_t> key;
  std::vector<Time> publish_from, publish_to;
  std::vector<std::uint64_t> bits;

  void clear() {
    row_id.clear();
    owner.clear();
    group.clear();
    flags.clear();
    visibility_id.clear();
    project.clear();
    company.clear();
    key.clear();
    publish_from.clear();
    publish_to.clear();
  }
  [[nodiscard]] RecordColumns view(Time at) const {
    return RecordColumns{.size = row_id.size(), .owner = owner, .group = group, .flags = flags,
                         .visibility_id = visibility_id, .project = project, .company = company, .id = key,
                         .publish_from = publish_from, .publish_to = publish_to, .at = at};
  }
};

/// Where the fetch-all ways spent their time (CPU seconds of the calling
/// thread, accumulated).
struct FetchTimes {
  double fetch = 0;   ///< SELECT of every row and the text id → index mapping
  double decide = 0;  ///< `filter()`, or the `can()` loop, and collecting the ids
};

namespace list_view_detail {

// Runs the fetch-all SELECT and calls `row(stmt, record)` for each row with
// the row decoded into a `Record` (indexes looked up by text id).
template <class Row>
std::string fetch_all(const SqliteDb& db, const Snapshot& s, Time at, Row row) {
  const ObjectIndex sale = object_index(BuiltinObject::kSale);
  SqliteStmt st(db.get(), std::string("SELECT id, ") + kSaleRightsColumns + " FROM sale");
  if (!st.error().empty()) return st.error();
  sqlite3_stmt* q = st.get();
  int rc = 0;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    Record r;
    r.object = sale;
    r.at = at;
    const std::int64_t id = sqlite3_column_int64(q, 0);
    r.id = static_cast<std::uint64_t>(id);  // record_key of a decimal id is the number
    if (!is_null(q, 1)) r.owner = s.find_user(text(q, 1));
    if (!is_null(q, 2)) r.group = s.find_group(text(q, 2));
    const int kind = sqlite3_column_int(q, 3);
    if (kind == static_cast<int>(VisibilityKind::kAssociate))
      r.visibility = Visibility::associate(is_null(q, 4) ? kNoUser : s.find_user(text(q, 4)));
    else if (kind == static_cast<int>(VisibilityKind::kGroup))
      r.visibility = Visibility::group(is_null(q, 4) ? kNoGroup : s.find_group(text(q, 4)));
    r.published = sqlite3_column_int(q, 5) != 0;
    if (!is_null(q, 6)) r.publish_from = sqlite3_column_int64(q, 6);
    if (!is_null(q, 7)) r.publish_to = sqlite3_column_int64(q, 7);
    r.completed = sqlite3_column_int(q, 8) != 0;
    r.user_person = sqlite3_column_int(q, 9) != 0;
    r.our_company = sqlite3_column_int(q, 10) != 0;
    r.database_owner = sqlite3_column_int(q, 11) != 0;
    if (!is_null(q, 12)) r.company = s.find_company(text(q, 12));
    if (!is_null(q, 13)) r.project = s.find_project(text(q, 13));
    row(id, r);
  }
  if (rc != SQLITE_DONE) return std::string("fetch-all query: ") + sqlite3_errmsg(db.get());
  return {};
}

}  // namespace list_view_detail

/// Way 2: every row fetched into columns, then one `filter()` call; `out`
/// gets the allowed rows' ids in table order.
inline std::string ids_by_filter(const SqliteDb& db, const Snapshot& s, UserIndex user, Action action, Time at,
                                 SaleColumns& cols, std::vector<std::int64_t>& out, FetchTimes* times = nullptr) {
  out.clear();
  cols.clear();
  const double t0 = list_view_detail::thread_cpu_seconds();
  std::string err = list_view_detail::fetch_all(db, s, at, [&cols](std::int64_t id, const Record& r) {
    cols.row_id.push_back(id);
    cols.owner.push_back(r.owner);
    cols.group.push_back(r.group);
    cols.flags.push_back(record_flags(r));
    cols.visibility_id.push_back(r.visibility.id);
    cols.project.push_back(r.project);
    cols.company.push_back(r.company);
    cols.key.push_back(r.id);
    cols.publish_from.push_back(r.publish_from);
    cols.publish_to.push_back(r.publish_to);
  });
  if (!err.empty()) return err;
  const double t1 = list_view_detail::thread_cpu_seconds();
  const RecordColumns view = cols.view(at);
  cols.bits.resize(filter_words(view.size));
  const FilterResult fr = filter(s, user, object_index(BuiltinObject::kSale), action, view, cols.bits);
  if (!fr.ok) return "filter() refused the columns";
  out.reserve(fr.allowed);
  for (std::size_t w = 0; w < cols.bits.size(); ++w)
    for (std::uint64_t word = cols.bits[w]; word != 0; word &= word - 1)
      out.push_back(cols.row_id[w * 64 + static_cast<std::size_t>(std::countr_zero(word))]);
  if (times) {
    times->fetch += t1 - t0;
    times->decide += list_view_detail::thread_cpu_seconds() - t1;
  }
  return {};
}

/// Way 3: every row fetched into a `Record`, then `can()` per row; `out`
/// gets the allowed rows' ids in table order.
inline std::string ids_by_can(const SqliteDb& db, const Snapshot& s, UserIndex user, Action action, Time at,
                              std::vector<Record>& records, std::vector<std::int64_t>& row_ids,
                              std::vector<std::int64_t>& out, FetchTimes* times = nullptr) {
  out.clear();
  records.clear();
  row_ids.clear();
  const double t0 = list_view_detail::thread_cpu_seconds();
  std::string err = list_view_detail::fetch_all(db, s, at, [&](std::int64_t id, const Record& r) {
    row_ids.push_back(id);
    records.push_back(r);
  });
  if (!err.empty()) return err;
  const double t1 = list_view_detail::thread_cpu_seconds();
  for (std::size_t k = 0; k < records.size(); ++k)
    if (s.can(user, action, records[k])) out.push_back(row_ids[k]);
  if (times) {
    times->fetch += t1 - t0;
    times->decide += list_view_detail::thread_cpu_seconds() - t1;
  }
  return {};
}

/// The reference: the ids of `stored` (as `stored_records` made them) that
/// `can()` allows, straight from the generated records (no SQL).
inline std::vector<std::int64_t> ids_by_reference(const Snapshot& s, UserIndex user, Action action,
                                                  std::span<const Record> stored) {
  std::vector<std::int64_t> out;
  for (const Record& r : stored)
    if (s.can(user, action, r)) out.push_back(static_cast<std::int64_t>(r.id));
  return out;
}

}  // namespace sorights_bench

#endif  // SORIGHTS_BENCH_LIST_VIEW_HPP_
