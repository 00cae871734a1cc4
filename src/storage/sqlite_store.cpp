// The SQLite storage adapter (include/sorights/storage/sqlite_store.hpp,
// docs/sqlite-schema.md).
#include "sorights/storage/sqlite_store.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>
#include <map>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "integrity.hpp"
#include "json_codec.hpp"
#include "quote.hpp"
#include "sqlite_schema.hpp"
#include "sorights/model_describe.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace {


// Maps an SQLite result code to an error naming what was being done.
Error db_error(sqlite3* db, int rc, const std::string& path, const std::string& what) {
  const int primary = rc & 0xFF;
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (primary) {
    case SQLITE_NOTADB:
      return Error(ErrorCode::kDataLoss, path + ": not a sorights store (not an SQLite database) while " + what);
    case SQLITE_CORRUPT:
      return Error(ErrorCode::kDataLoss, path + ": the store is corrupt (" + detail + ") while " + what);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error(ErrorCode::kUnavailable, path + ": the store is locked by another process while " + what);
    case SQLITE_READONLY:
      return Error(ErrorCode::kFailedPrecondition,
                   path + ": the store is read-only for this process (" + detail + ") while " + what);
    case SQLITE_CONSTRAINT:
      return Error(ErrorCode::kFailedPrecondition,
                   path + ": the change breaks a constraint of the schema (" + detail + ") while " + what);
    default:
      return Error(ErrorCode::kUnavailable, path + ": " + detail + " while " + what);
  }
}

// `path` as an SQLite URI for a read-only open (`?`, `#` and `%` escaped);
// `immutable=1` tells SQLite the file cannot change, so it takes no locks and
// needs no `-wal`/`-shm` files.
std::string read_only_uri(const std::string& path, bool immutable) {
  std::error_code ec;
  const std::filesystem::path abs = std::filesystem::absolute(path, ec);
  const std::string p = ec ? path : abs.string();
  std::string uri = p.starts_with("/") ? "file://" : "file:";
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char ch : p) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '%' || c == '?' || c == '#' || c < 0x20) {
      uri += '%';
      uri += kHex[c >> 4];
      uri += kHex[c & 0xF];
    } else {
      uri += ch;
    }
  }
  return uri + (immutable ? "?mode=ro&immutable=1" : "?mode=ro");
}

// Whether a read-only open should be immutable: the directory cannot take a
// `-wal`/`-shm` file and no `-wal` file holds commits not yet in the store.
bool open_immutable(const std::string& path) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(path, ec).parent_path();
  if (ec || dir.empty()) dir = ".";
  if (::access(dir.c_str(), W_OK) == 0) return false;
  const auto wal = std::filesystem::file_size(path + "-wal", ec);
  return ec || wal == 0;
}

// A value bound to a statement parameter: text, an integer or NULL.
using SqlValue = std::variant<std::string_view, std::int64_t, std::nullptr_t>;

// Rolls back an open transaction on every way out unless disarmed after a
// successful COMMIT.
struct Rollback {
  sqlite3* db;
  bool armed = true;
  explicit Rollback(sqlite3* d) : db(d) {}
  Rollback(const Rollback&) = delete;
  Rollback& operator=(const Rollback&) = delete;
  ~Rollback() {
    if (armed) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  }
};

class Stmt {
 public:
  Stmt() = default;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(s_); }
  sqlite3_stmt* s_ = nullptr;
};

}  // namespace

struct SqliteStore::Impl {
  sqlite3* db = nullptr;
  std::string path;
  SqliteStoreOptions options;
  int schema = 0;
  std::unordered_map<std::string, sqlite3_stmt*> cache;
  // The keyed integrity check; null without a key.
  std::unique_ptr<detail::Integrity> integrity;

  // The watcher (subscribe): its own read-only connection and thread.
  std::thread watcher;
  std::mutex watch_mu;
  std::condition_variable watch_cv;
  bool stop_watch = false;

  ~Impl() {
    if (watcher.joinable()) {
      {
        std::lock_guard<std::mutex> lock(watch_mu);
        stop_watch = true;
      }
      watch_cv.notify_all();
      watcher.join();
    }
    integrity.reset();  // finalizes its statements before the connection closes
    for (auto& [sql, stmt] : cache) sqlite3_finalize(stmt);
    if (db != nullptr) sqlite3_close(db);
  }

  void watch(std::function<void(std::uint64_t)> on_change);

  Error err(int rc, const std::string& what) const { return db_error(db, rc, path, what); }

  Result<void> exec(const char* sql, const std::string& what) {
    char* msg = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &msg);
    sqlite3_free(msg);
    if (rc != SQLITE_OK) return err(rc, what);
    return {};
  }

  // A cached, reset statement for `sql`; null on error (`rc` set).
  sqlite3_stmt* prepare(const std::string& sql, int& rc) {
    auto it = cache.find(sql);
    if (it != cache.end()) {
      sqlite3_reset(it->second);
      sqlite3_clear_bindings(it->second);
      rc = SQLITE_OK;
      return it->second;
    }
    sqlite3_stmt* s = nullptr;
    rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &s, nullptr);
    if (rc != SQLITE_OK) return nullptr;
    cache.emplace(sql, s);
    return s;
  }

  // Runs `sql` with text/integer bindings to completion.
  using Value = SqlValue;
  Result<void> run(const std::string& sql, std::initializer_list<Value> values, const std::string& what) {
    return run(sql, std::vector<Value>(values), what);
  }
  Result<void> run(const std::string& sql, const std::vector<Value>& values, const std::string& what) {
    int rc = SQLITE_OK;
    sqlite3_stmt* s = prepare(sql, rc);
    if (s == nullptr) return err(rc, what);
    int i = 1;
    for (const Value& v : values) {
      if (const auto* t = std::get_if<std::string_view>(&v))
        rc = sqlite3_bind_text(s, i, t->data(), static_cast<int>(t->size()), SQLITE_TRANSIENT);
      else if (const auto* n = std::get_if<std::int64_t>(&v))
        rc = sqlite3_bind_int64(s, i, *n);
      else
        rc = sqlite3_bind_null(s, i);
      if (rc != SQLITE_OK) return err(rc, what);
      ++i;
    }
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return err(rc, what);
    return {};
  }

  // Runs a query and calls `row(stmt)` for each row; `row` returns an error to stop.
  template <class F>
  Result<void> query(const std::string& sql, const std::string& what, F&& row) {
    int rc = SQLITE_OK;
    sqlite3_stmt* s = prepare(sql, rc);
    if (s == nullptr) return err(rc, what);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      Result<void> r = row(s);
      if (!r) {
        sqlite3_reset(s);
        return r;
      }
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return err(rc, what);
    return {};
  }

  Result<void> initialize();
  Result<void> migrate();
  Result<void> write_change(const Change& c);
  Result<void> write_entity(EntityKind kind, const std::string& id, const Entity* after);
  template <class T>
  Result<void> write_row(const std::string& id, const T& v, const std::string& what);
  Result<void> write_list(std::string_view table, std::string_view owner, std::string_view value,
                          const std::string& id, const std::vector<std::string>& values, const std::string& what);
  Result<void> write_cells(const Role& r, const std::string& what);
  Result<void> write_field_rights(const std::vector<FieldRightRule>& v, const std::string& what);
  Result<void> write_overrides(const std::vector<Override>& v, const std::string& what);
  Result<Model> read_model();
  template <class Seq>  // a std::vector or the users' ChunkedVector
  Result<void> read_rows(Seq& out);
  template <class M>
  Result<void> read_column(sqlite3_stmt* s, int col, std::string_view table, const std::string& row,
                           const FieldInfo& f, M& m);
  Result<void> read_lists(std::string_view table, std::string_view owner, std::string_view value,
                          std::map<std::string, std::vector<std::string>>& out);
  Result<void> read_cells(std::map<std::string, std::map<std::string, RelationCells>>& cells);
  Result<void> read_field_rights(std::vector<FieldRightRule>& out);
  Result<void> read_overrides(std::vector<Override>& out);
  Result<std::uint64_t> read_version();
  Result<void> insert_audit(const AuditEntry& e);
  Result<std::vector<AuditEntry>> read_audit(const AuditQuery* q);
  detail::DbError db_error_fn() {
    return [this](int rc, const std::string& what) { return err(rc, what); };
  }
  // The schema holds only objects sorights creates (any key or none).
  Result<void> check_schema() { return detail::check_schema_objects(db, path, db_error_fn()); }
  Result<bool> sealed() { return detail::integrity_sealed(db, db_error_fn()); }
  // In a read transaction: the schema, and with a key every MAC, the audit
  // chain and the seal. Returns the stored version.
  Result<std::uint64_t> check_store() {
    SORIGHTS_TRY(check_schema());
    auto version = read_version();
    if (!version) return version;
    if (integrity) SORIGHTS_TRY(integrity->verify_all(*version));
    return version;
  }
};

namespace {

std::string text(sqlite3_stmt* s, int col) {
  const unsigned char* t = sqlite3_column_text(s, col);
  return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t),
                                                    static_cast<std::size_t>(sqlite3_column_bytes(s, col)));
}
std::int64_t integer(sqlite3_stmt* s, int col) { return sqlite3_column_int64(s, col); }

Error bad_row(const std::string& path, std::string_view table, const std::string& row, const std::string& problem) {
  return Error(ErrorCode::kDataLoss,
               path + ": table " + std::string(table) + ", row " + row + ": " + problem);
}

std::int64_t b(bool v) { return v ? 1 : 0; }

}  // namespace

// -- Opening, creating, migrating ------------------------------------------------------

Result<void> SqliteStore::Impl::initialize() {
  SORIGHTS_TRY(exec("BEGIN IMMEDIATE", "creating the store"));
  auto fail = [&](Error e) -> Result<void> {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  };
  if (auto r = exec(detail::current_schema().c_str(), "creating the schema"); !r) return fail(r.error());
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  if (auto r = run("INSERT INTO meta (id, version, created) VALUES (1, 0, ?)", {std::int64_t{now}}, "creating the store");
      !r)
    return fail(r.error());
  for (const Role& role : Model::with_defaults().roles) {
    Entity e = role;
    if (auto r = write_entity(EntityKind::kRole, role.id, &e); !r) return fail(r.error());
  }
  if (integrity)
    if (auto r = integrity->seal_all(0); !r) return fail(r.error());
  if (auto r = exec("COMMIT", "creating the store"); !r) return fail(r.error());
  schema = kSqliteSchemaVersion;
  return {};
}

Result<void> SqliteStore::Impl::migrate() {
  // Which schema is this?
  bool has_version_table = false, has_tables = false;
  SORIGHTS_TRY(query("SELECT name FROM sqlite_master WHERE type = 'table'", "reading the schema",
                     [&](sqlite3_stmt* s) -> Result<void> {
                       has_tables = true;
                       if (text(s, 0) == "schema_version") has_version_table = true;
                       return {};
                     }));
  if (!has_tables) {
    if (!options.create) return Error(ErrorCode::kNotFound, path + ": the file holds no sorights store");
    return initialize();
  }
  if (!has_version_table)
    return Error(ErrorCode::kDataLoss, path + ": not a sorights store (no schema_version table)");
  int found = -1;
  int rows = 0;
  SORIGHTS_TRY(query("SELECT version FROM schema_version", "reading the schema version",
                     [&](sqlite3_stmt* s) -> Result<void> {
                       found = static_cast<int>(integer(s, 0));
                       ++rows;
                       return {};
                     }));
  if (rows != 1)
    return Error(ErrorCode::kDataLoss, path + ": table schema_version holds " + std::to_string(rows) +
                                           " rows instead of one");
  if (found > kSqliteSchemaVersion)
    return Error(ErrorCode::kUnavailable, path + ": the store has schema version " + std::to_string(found) +
                                              ", newer than this build reads (" +
                                              std::to_string(kSqliteSchemaVersion) + ")");
  if (found < 0) return Error(ErrorCode::kDataLoss, path + ": invalid schema version " + std::to_string(found));
  // A sorights store this build reads. Before anything runs on it (a
  // migration would fire a planted trigger): only sorights' own schema
  // objects, and no signed store without its key.
  SORIGHTS_TRY(check_schema());
  if (!integrity) {
    auto is_sealed = sealed();
    if (!is_sealed) return std::move(is_sealed).error();
    if (*is_sealed)
      return Error(ErrorCode::kFailedPrecondition,
                   path + ": the store is signed (sealed with an integrity key) and no key was given: open it with "
                          "its key (SqliteStoreOptions::integrity_key; on the command line --key-file FILE or "
                          "SORIGHTS_KEY_FILE)");
  }
  if (found == kSqliteSchemaVersion) {
    schema = found;
    return {};
  }
  // Migrate step by step in one transaction; foreign keys are checked at the end.
  SORIGHTS_TRY(exec("PRAGMA foreign_keys = OFF", "migrating"));
  SORIGHTS_TRY(exec("BEGIN IMMEDIATE", "migrating"));
  auto fail = [&](Error e) -> Result<void> {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_exec(db, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr);
    return e;
  };
  for (int v = found; v < kSqliteSchemaVersion; ++v) {
    const detail::Migration* step = nullptr;
    for (const auto& m : detail::kMigrations)
      if (m.from == v) step = &m;
    if (step == nullptr)
      return fail(Error(ErrorCode::kUnavailable, path + ": no migration from schema version " + std::to_string(v)));
    if (auto r = exec(step->sql, "migrating from schema version " + std::to_string(v)); !r) return fail(r.error());
  }
  bool fk_ok = true;
  if (auto r = query("PRAGMA foreign_key_check", "migrating", [&](sqlite3_stmt*) -> Result<void> {
        fk_ok = false;
        return {};
      });
      !r)
    return fail(r.error());
  if (!fk_ok) return fail(Error(ErrorCode::kDataLoss, path + ": the store breaks a foreign key; not migrated"));
  if (auto r = exec("COMMIT", "migrating"); !r) return fail(r.error());
  SORIGHTS_TRY(exec("PRAGMA foreign_keys = ON", "migrating"));
  schema = kSqliteSchemaVersion;
  return {};
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path, SqliteStoreOptions options) {
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (!exists && !options.create) return Error(ErrorCode::kNotFound, path + ": no store here (run `sorights init`)");
  if (!options.integrity_key.empty() && options.integrity_key.size() < detail::kMinIntegrityKeyBytes) {
    const std::size_t n = options.integrity_key.size();
    detail::wipe(options.integrity_key);
    return Error(ErrorCode::kInvalidArgument, path + ": the integrity key has " + std::to_string(n) +
                                                  " bytes; it needs at least " +
                                                  std::to_string(detail::kMinIntegrityKeyBytes));
  }
  if (exists && std::filesystem::is_directory(path, ec))
    return Error(ErrorCode::kUnavailable, path + ": is a directory, not a store");
  if (options.read_only && options.create) {
    detail::wipe(options.integrity_key);
    return Error(ErrorCode::kInvalidArgument, path + ": a read-only open cannot create a store");
  }
  // An empty file holds no store, and opening it must not write one into it.
  if (exists && !options.create && std::filesystem::is_regular_file(path, ec) &&
      std::filesystem::file_size(path, ec) == 0 && !ec) {
    detail::wipe(options.integrity_key);
    return Error(ErrorCode::kNotFound, path + ": the file holds no sorights store (it is empty)");
  }
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = std::move(options);
  std::string key = std::move(impl->options.integrity_key);
  detail::wipe(impl->options.integrity_key);
  const bool read_only = impl->options.read_only;
  int rc = SQLITE_OK;
  if (read_only) {
    const std::string uri = read_only_uri(path, open_immutable(path));
    rc = sqlite3_open_v2(uri.c_str(), &impl->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
  } else {
    const int flags = SQLITE_OPEN_READWRITE | (impl->options.create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    rc = sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr);
  }
  if (rc != SQLITE_OK) return db_error(impl->db, rc, path, "opening the store");
  sqlite3_extended_result_codes(impl->db, 1);
  sqlite3_busy_timeout(impl->db, impl->options.busy_timeout_ms);
  // SQLite falls back to reading when the file is write-protected: say so
  // now rather than at the first write.
  if (!read_only && sqlite3_db_readonly(impl->db, "main") == 1)
    return Error(ErrorCode::kFailedPrecondition,
                 path + ": the store is read-only for this process (no permission to write it)");
  // The first statement that reads the file tells a foreign file apart.
  SORIGHTS_TRY(impl->exec("PRAGMA foreign_keys = ON", "opening the store"));
  // Only a sorights store is switched to WAL: a foreign SQLite database that
  // is opened without `create` is refused untouched.
  if (!impl->options.create) {
    bool has_tables = false, has_version_table = false;
    SORIGHTS_TRY(impl->query("SELECT name FROM sqlite_master WHERE type = 'table'", "reading the schema",
                             [&](sqlite3_stmt* s) -> Result<void> {
                               has_tables = true;
                               if (text(s, 0) == "schema_version") has_version_table = true;
                               return {};
                             }));
    if (!has_tables) return Error(ErrorCode::kNotFound, path + ": the file holds no sorights store");
    if (!has_version_table)
      return Error(ErrorCode::kDataLoss, path + ": not a sorights store (no schema_version table)");
  }
  if (!read_only) {
    int prc = SQLITE_OK;
    sqlite3_stmt* s = impl->prepare("PRAGMA journal_mode = WAL", prc);
    if (s == nullptr) return impl->err(prc, "opening the store");
    prc = sqlite3_step(s);
    sqlite3_reset(s);
    if (prc != SQLITE_ROW && prc != SQLITE_DONE) return impl->err(prc, "opening the store");
    SORIGHTS_TRY(impl->exec("PRAGMA synchronous = FULL", "opening the store"));
  }
  if (!key.empty()) {
    Impl* raw = impl.get();
    auto integrity = detail::Integrity::open(
        impl->db, path, key, [raw](int code, const std::string& what) { return raw->err(code, what); });
    detail::wipe(key);
    if (!integrity) return std::move(integrity).error();
    impl->integrity = std::move(*integrity);
  }
  SORIGHTS_TRY(impl->migrate());
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
}

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::~SqliteStore() = default;
int SqliteStore::schema_version() const noexcept { return impl_->schema; }
const std::string& SqliteStore::path() const noexcept { return impl_->path; }

// -- Writing ---------------------------------------------------------------------

namespace {

// The upsert of `T`'s own row: every scalar column of its field list.
template <class T>
const std::string& upsert_sql() {
  static const std::string sql = [] {
    std::string cols, marks, set;
    for (const FieldInfo& f : EntityFields<T>::fields) {
      if (f.kind == FieldKind::kList || f.kind == FieldKind::kCustom) continue;
      cols.append(cols.empty() ? "" : ", ").append(f.column);
      marks.append(marks.empty() ? "?" : ", ?");
      if (f.kind != FieldKind::kId)
        set.append(set.empty() ? "" : ", ").append(f.column).append(" = excluded.").append(f.column);
    }
    std::string out = "INSERT INTO ";
    out.append(EntityFields<T>::table).append(" (").append(cols).append(") VALUES (").append(marks);
    out.append(") ON CONFLICT (id) DO UPDATE SET ").append(set);
    return out;
  }();
  return sql;
}

// The values of `v`'s scalar columns, in `upsert_sql` order; `texts` keeps
// the text made for them (a `names` column) alive.
template <class T>
std::vector<SqlValue> scalar_values(const T& v, std::deque<std::string>& texts) {
  std::vector<SqlValue> out;
  for_each_field<T>([&](const FieldInfo& f, auto member) {
    const auto& m = v.*member;
    using M = std::decay_t<decltype(m)>;
    if constexpr (std::is_same_v<M, std::string>) {
      if (f.kind == FieldKind::kReference && m.empty()) out.emplace_back(nullptr);
      else out.emplace_back(std::string_view(m));
    } else if constexpr (std::is_same_v<M, bool> || std::is_same_v<M, std::uint32_t>) {
      out.emplace_back(std::int64_t{m});
    } else if constexpr (std::is_enum_v<M>) {
      out.emplace_back(enum_text(m));
    } else if constexpr (std::is_same_v<M, NameMap>) {
      out.emplace_back(std::string_view(texts.emplace_back(detail::names_to_text(m))));
    }
  });
  return out;
}

}  // namespace

Result<void> SqliteStore::Impl::write_list(std::string_view table, std::string_view owner, std::string_view value,
                                           const std::string& id, const std::vector<std::string>& values,
                                           const std::string& what) {
  const std::string t(table), o(owner), v(value);
  SORIGHTS_TRY(run("DELETE FROM " + t + " WHERE " + o + " = ?", {std::string_view(id)}, what));
  std::int64_t pos = 0;
  for (const std::string& x : values)
    SORIGHTS_TRY(run("INSERT INTO " + t + " (" + o + ", position, " + v + ") VALUES (?, ?, ?)",
                     {std::string_view(id), pos++, std::string_view(x)}, what));
  return {};
}

Result<void> SqliteStore::Impl::write_cells(const Role& r, const std::string& what) {
  SORIGHTS_TRY(run("DELETE FROM data_rights WHERE role = ?", {std::string_view(r.id)}, what));
  for (const auto& [object, row] : r.data_rights)
    for (int rel = 0; rel < kRelationCount; ++rel) {
      const std::string crud = row[static_cast<std::size_t>(rel)].to_crud();
      SORIGHTS_TRY(run("INSERT INTO data_rights (role, object, relation, crud) VALUES (?, ?, ?, ?)",
                       {std::string_view(r.id), std::string_view(object), relation_name(static_cast<Relation>(rel)),
                        std::string_view(crud)},
                       what));
    }
  return {};
}

// An entity with an id: its row, then its child tables (rewritten whole).
template <class T>
Result<void> SqliteStore::Impl::write_row(const std::string& id, const T& v, const std::string& what) {
  std::deque<std::string> texts;
  SORIGHTS_TRY(run(upsert_sql<T>(), scalar_values(v, texts), what));
  if constexpr (std::is_same_v<T, Role>) SORIGHTS_TRY(write_cells(v, what));
  Result<void> r;
  for_each_field<T>([&](const FieldInfo& f, auto member) {
    if constexpr (std::is_same_v<std::decay_t<decltype(v.*member)>, std::vector<std::string>>)
      if (r) r = write_list(f.column, EntityFields<T>::owner, f.value_column, id, v.*member, what);
  });
  return r;
}

Result<void> SqliteStore::Impl::write_field_rights(const std::vector<FieldRightRule>& v, const std::string& what) {
  std::int64_t pos = 0;
  for (const FieldRightRule& f : v) {
    const std::string rights = f.rights.to_letters();
    SORIGHTS_TRY(run(
        "INSERT INTO field_rights (position, role, object, field, relation, rights, ui_mandatory, ui_read_only) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {pos++, std::string_view(f.role), std::string_view(f.object), std::string_view(f.field),
         relation_name(f.relation), std::string_view(rights), b(f.ui_mandatory), b(f.ui_read_only)},
        what));
  }
  return {};
}

Result<void> SqliteStore::Impl::write_overrides(const std::vector<Override>& v, const std::string& what) {
  std::int64_t pos = 0;
  for (const Override& o : v) {
    const std::string remove = detail::override_remove(o);
    SORIGHTS_TRY(run(
        "INSERT INTO overrides (position, level, target, object, scope, record, field, remove) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {pos++, enum_text(o.level), std::string_view(o.target), std::string_view(o.object), enum_text(o.scope),
         std::string_view(o.record), std::string_view(o.field), std::string_view(remove)},
        what));
  }
  return {};
}

Result<void> SqliteStore::Impl::write_entity(EntityKind kind, const std::string& id, const Entity* after) {
  const std::string what = "writing " + std::string(kEntityKindNames[static_cast<std::size_t>(kind)]) + " " + detail::in_quotes(id);
  const Error wrong_kind(ErrorCode::kInvalidArgument, what + ": the change carries a value of another kind");
  return detail::with_entity_type(kind, [&]<class T>(std::type_identity<T>) -> Result<void> {
    const std::string table(EntityFields<T>::table);
    if constexpr (std::is_same_v<T, FieldRightRule> || std::is_same_v<T, Override>) {
      SORIGHTS_TRY(run("DELETE FROM " + table, {}, what));
      if (after == nullptr) return {};
      const auto* v = std::get_if<std::vector<T>>(after);
      if (v == nullptr) return wrong_kind;
      if constexpr (std::is_same_v<T, FieldRightRule>) return write_field_rights(*v, what);
      else return write_overrides(*v, what);
    } else {
      if (after == nullptr) return run("DELETE FROM " + table + " WHERE id = ?", {std::string_view(id)}, what);
      const auto* v = std::get_if<T>(after);
      if (v == nullptr) return wrong_kind;
      if (v->id != id) return Error(ErrorCode::kInvalidArgument, what + ": the value has the id " + detail::in_quotes(v->id));
      return write_row(id, *v, what);
    }
  });
}

Result<void> SqliteStore::Impl::write_change(const Change& c) {
  return write_entity(c.kind, c.id, c.after ? &*c.after : nullptr);
}

Result<void> SqliteStore::Impl::insert_audit(const AuditEntry& e) {
  const std::string changes = detail::write_changes(e.changes);
  return run("INSERT INTO audit_log (version, time, actor, refused, reason, changes) VALUES (?, ?, ?, ?, ?, ?)",
             {static_cast<std::int64_t>(e.version), std::int64_t{e.time}, std::string_view(e.actor), b(e.refused),
              std::string_view(e.reason), std::string_view(changes)},
             "writing the audit trail");
}

Result<std::uint64_t> SqliteStore::Impl::read_version() {
  std::int64_t v = -1;
  int rows = 0;
  SORIGHTS_TRY(query("SELECT version FROM meta WHERE id = 1", "reading the version", [&](sqlite3_stmt* s) -> Result<void> {
    v = integer(s, 0);
    ++rows;
    return {};
  }));
  if (rows != 1 || v < 0) return Error(ErrorCode::kDataLoss, path + ": table meta: the version row is missing or invalid");
  return static_cast<std::uint64_t>(v);
}

Result<void> SqliteStore::apply(const ChangeSet& changes) {
  Impl& d = *impl_;
  SORIGHTS_TRY(d.exec("BEGIN IMMEDIATE", "starting a commit"));
  // Rolls back on every way out but a successful COMMIT, an exception included
  // (a throwing on_change_written hook, std::bad_alloc).
  Rollback rollback{d.db};
  auto fail = [](Error e) -> Result<void> { return e; };
  auto stored = d.read_version();
  if (!stored) return fail(stored.error());
  if (*stored != changes.base_version)
    return fail(Error(ErrorCode::kConflict, d.path + ": the stored version is " + std::to_string(*stored) +
                                                ", the change set was made against " +
                                                std::to_string(changes.base_version)));
  if (auto r = d.check_schema(); !r) return fail(r.error());
  if (d.integrity) {
    if (auto r = d.integrity->begin_commit(*stored); !r) return fail(r.error());
  } else {
    auto sealed = d.sealed();
    if (!sealed) return fail(sealed.error());
    if (*sealed)
      return fail(Error(ErrorCode::kFailedPrecondition,
                        d.path + ": the store is sealed for integrity checks; open it with its integrity key to "
                                 "change it"));
  }
  for (std::size_t i = 0; i < changes.changes.size(); ++i) {
    const Change& c = changes.changes[i];
    if (d.integrity)
      if (auto r = d.integrity->check_entity(c.kind, c.id); !r) return fail(r.error());
    if (auto r = d.write_change(c); !r) return fail(r.error());
    if (d.integrity)
      if (auto r = d.integrity->reseal_entity(c.kind, c.id); !r) return fail(r.error());
    if (d.options.on_change_written) d.options.on_change_written(i);
  }
  if (auto r = d.run("UPDATE meta SET version = ? WHERE id = 1", {static_cast<std::int64_t>(changes.version)},
                     "writing the version");
      !r)
    return fail(r.error());
  if (auto r = d.insert_audit(AuditEntry{changes.version, changes.time, changes.actor, false, {}, changes.changes}); !r)
    return fail(r.error());
  if (d.integrity) {
    if (auto r = d.integrity->chain_audit(sqlite3_last_insert_rowid(d.db)); !r) return fail(r.error());
    if (auto r = d.integrity->finish_commit(changes.version); !r) return fail(r.error());
  }
  const int rc = sqlite3_exec(d.db, "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return fail(d.err(rc, "committing"));
  rollback.armed = false;
  return {};
}

Result<std::uint64_t> SqliteStore::version() { return impl_->read_version(); }

void SqliteStore::Impl::watch(std::function<void(std::uint64_t)> on_change) {
  const auto interval = std::chrono::milliseconds(options.watch_interval_ms);
  // The baseline is the version at subscribe time, read here and not in the
  // thread: a commit made before the thread's first poll is still announced.
  Result<std::uint64_t> at_subscribe = read_version();
  const std::int64_t baseline = at_subscribe ? static_cast<std::int64_t>(*at_subscribe) : -1;
  watcher = std::thread([this, interval, baseline, on_change = std::move(on_change)]() {
    sqlite3* rdb = nullptr;
    if (sqlite3_open_v2(path.c_str(), &rdb, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      sqlite3_close(rdb);
      return;
    }
    sqlite3_busy_timeout(rdb, options.busy_timeout_ms);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(rdb, "SELECT version FROM meta WHERE id = 1", -1, &s, nullptr);
    std::int64_t last = baseline;
    std::unique_lock<std::mutex> lock(watch_mu);
    while (!stop_watch) {
      lock.unlock();
      std::int64_t now = -1;
      if (s != nullptr && sqlite3_step(s) == SQLITE_ROW) now = sqlite3_column_int64(s, 0);
      if (s != nullptr) sqlite3_reset(s);
      if (now >= 0 && now != last) {
        on_change(static_cast<std::uint64_t>(now));  // a directory ignores versions it already has
        last = now;
      }
      lock.lock();
      watch_cv.wait_for(lock, interval, [this] { return stop_watch; });
    }
    sqlite3_finalize(s);
    sqlite3_close(rdb);
  });
}

void SqliteStore::subscribe(std::function<void(std::uint64_t)> on_change) {
  if (impl_->options.watch_interval_ms <= 0 || !on_change || impl_->watcher.joinable()) return;
  impl_->watch(std::move(on_change));
}

Result<void> SqliteStore::append_audit(const AuditEntry& entry) {
  Impl& d = *impl_;
  // One write transaction: with a key the entry joins the audit chain and
  // the seal moves to the new head, or nothing is written.
  SORIGHTS_TRY(d.exec("BEGIN IMMEDIATE", "writing the audit trail"));
  Rollback rollback{d.db};
  SORIGHTS_TRY(d.check_schema());
  if (d.integrity) {
    auto version = d.read_version();
    if (!version) return std::move(version).error();
    SORIGHTS_TRY(d.integrity->begin_commit(*version));
    SORIGHTS_TRY(d.insert_audit(entry));
    SORIGHTS_TRY(d.integrity->chain_audit(sqlite3_last_insert_rowid(d.db)));
    SORIGHTS_TRY(d.integrity->finish_audit(*version));
  } else {
    // Sealed by another connection since this one opened: an unchained row
    // would break the chain.
    auto sealed = d.sealed();
    if (!sealed) return std::move(sealed).error();
    if (*sealed)
      return Error(ErrorCode::kFailedPrecondition,
                   d.path + ": the store is sealed for integrity checks; open it with its integrity key to change it");
    SORIGHTS_TRY(d.insert_audit(entry));
  }
  const int rc = sqlite3_exec(d.db, "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return d.err(rc, "writing the audit trail");
  rollback.armed = false;
  return {};
}

Result<std::vector<AuditEntry>> SqliteStore::audit(const AuditQuery& q) {
  Impl& d = *impl_;
  // One read transaction: with a key the trail is checked before it is read.
  SORIGHTS_TRY(d.exec("BEGIN", "reading the audit trail"));
  auto version = d.check_store();
  Result<std::vector<AuditEntry>> out =
      version ? d.read_audit(&q) : Result<std::vector<AuditEntry>>(std::move(version).error());
  sqlite3_exec(d.db, "COMMIT", nullptr, nullptr, nullptr);
  return out;
}

// The audit entries `q` matches, oldest first; an entry that does not
// decode is an error naming its seq. With `q` null every entry is decoded
// and none kept (verify()).
Result<std::vector<AuditEntry>> SqliteStore::Impl::read_audit(const AuditQuery* q) {
  Impl& d = *this;
  std::vector<AuditEntry> out;
  SORIGHTS_TRY(d.query(
      "SELECT seq, version, time, actor, refused, reason, changes FROM audit_log ORDER BY seq", "reading the audit trail",
      [&](sqlite3_stmt* s) -> Result<void> {
        AuditEntry e;
        e.version = static_cast<std::uint64_t>(integer(s, 1));
        e.time = integer(s, 2);
        e.actor = text(s, 3);
        e.refused = integer(s, 4) != 0;
        e.reason = text(s, 5);
        auto changes = detail::read_changes(text(s, 6));
        if (!changes)
          return bad_row(d.path, "audit_log", "seq " + std::to_string(integer(s, 0)), changes.error().message);
        e.changes = std::move(*changes);
        if (q != nullptr && audit_matches(e, *q)) out.push_back(std::move(e));
        return {};
      }));
  return out;
}

// -- Reading ---------------------------------------------------------------------

namespace {

// SELECT of `T`'s scalar columns, in field-list order.
template <class T>
std::string select_sql() {
  std::string cols;
  for (const FieldInfo& f : EntityFields<T>::fields)
    if (f.kind != FieldKind::kList && f.kind != FieldKind::kCustom) cols.append(cols.empty() ? "" : ", ").append(f.column);
  return "SELECT " + cols + " FROM " + std::string(EntityFields<T>::table) + " ORDER BY rowid";
}

}  // namespace

// Child lists, read once per table: owner → values in position order.
Result<void> SqliteStore::Impl::read_lists(std::string_view table, std::string_view owner, std::string_view value,
                                           std::map<std::string, std::vector<std::string>>& out) {
  const std::string t(table), o(owner);
  return query("SELECT " + o + ", " + std::string(value) + " FROM " + t + " ORDER BY " + o + ", position",
               "reading table " + t, [&](sqlite3_stmt* s) -> Result<void> {
                 out[text(s, 0)].push_back(text(s, 1));
                 return {};
               });
}

// One column of a row of `T` into `m`; `row` names the row in a message.
template <class M>
Result<void> SqliteStore::Impl::read_column(sqlite3_stmt* s, int col, std::string_view table, const std::string& row,
                                            const FieldInfo& f, M& m) {
  if constexpr (std::is_same_v<M, std::string>) {
    m = text(s, col);
  } else if constexpr (std::is_same_v<M, bool>) {
    const std::int64_t v = integer(s, col);
    if (v != 0 && v != 1) return bad_row(path, table, row, std::string(f.column) + " is not 0 or 1");
    m = v == 1;
  } else if constexpr (std::is_same_v<M, std::uint32_t>) {
    const std::int64_t v = integer(s, col);
    if (v < 0 || v > 0xFFFFFFFFll)
      return bad_row(path, table, row, "invalid " + std::string(f.column) + " " + std::to_string(v));
    m = static_cast<std::uint32_t>(v);
  } else if constexpr (std::is_same_v<M, NameMap>) {
    auto names = detail::names_from_text(text(s, col));
    if (!names) return bad_row(path, table, row, names.error().message);
    m = std::move(*names);
  } else {
    static_assert(std::is_enum_v<M>, "a column read_column cannot read");
    const std::string v = text(s, col);
    auto e = parse_enum_text<M>(v);
    if (!e) return bad_row(path, table, row, "invalid " + std::string(f.column) + " " + detail::in_quotes(v));
    m = *e;
  }
  return {};
}

// Every row of `T`'s table with its child lists, in insertion order.
template <class Seq>
Result<void> SqliteStore::Impl::read_rows(Seq& out) {
  using T = typename Seq::value_type;
  using F = EntityFields<T>;
  std::map<std::string_view, std::map<std::string, std::vector<std::string>>> lists;
  for (const FieldInfo& f : F::fields)
    if (f.kind == FieldKind::kList) SORIGHTS_TRY(read_lists(f.column, F::owner, f.value_column, lists[f.column]));
  return query(select_sql<T>(), "reading table " + std::string(F::table), [&](sqlite3_stmt* s) -> Result<void> {
    T v;
    v.id = text(s, 0);
    const std::string row = "id " + detail::in_quotes(v.id);
    int col = 0;
    Result<void> r;
    for_each_field<T>([&](const FieldInfo& f, auto member) {
      auto& m = v.*member;
      using M = std::decay_t<decltype(m)>;
      if constexpr (std::is_same_v<M, std::vector<std::string>>) {
        m = lists[f.column][v.id];
      } else if constexpr (!std::is_same_v<M, std::map<std::string, RelationCells>>) {
        if (r) r = read_column(s, col, F::table, row, f, m);
        ++col;
      }
    });
    if (!r) return r;
    out.push_back(std::move(v));
    return {};
  });
}

// The role matrix: role → object → cells.
Result<void> SqliteStore::Impl::read_cells(std::map<std::string, std::map<std::string, RelationCells>>& cells) {
  return query("SELECT role, object, relation, crud FROM data_rights", "reading table data_rights",
               [&](sqlite3_stmt* s) -> Result<void> {
                 const std::string role = text(s, 0), object = text(s, 1), rel = text(s, 2), crud = text(s, 3);
                 const std::string row = "(" + detail::in_quotes(role) + ", " + detail::in_quotes(object) + ", " + detail::in_quotes(rel) + ")";
                 auto relation = parse_relation(rel);
                 if (!relation) return bad_row(path, "data_rights", row, "unknown relation " + detail::in_quotes(rel));
                 auto rights = TableRights::parse_crud(crud);
                 if (!rights) return bad_row(path, "data_rights", row, "invalid rights " + detail::in_quotes(crud));
                 cells[role][object][static_cast<std::size_t>(*relation)] = *rights;
                 return {};
               });
}

Result<void> SqliteStore::Impl::read_field_rights(std::vector<FieldRightRule>& out) {
  return query(
      "SELECT position, role, object, field, relation, rights, ui_mandatory, ui_read_only FROM field_rights ORDER BY "
      "position",
      "reading table field_rights", [&](sqlite3_stmt* s) -> Result<void> {
        FieldRightRule f;
        const std::string row = "position " + std::to_string(integer(s, 0));
        f.role = text(s, 1);
        f.object = text(s, 2);
        f.field = text(s, 3);
        const std::string rel = text(s, 4), rights = text(s, 5);
        auto relation = parse_relation(rel);
        if (!relation) return bad_row(path, "field_rights", row, "unknown relation " + detail::in_quotes(rel));
        f.relation = *relation;
        auto fr = FieldRights::parse_rw(rights);
        if (!fr) return bad_row(path, "field_rights", row, "invalid rights " + detail::in_quotes(rights));
        f.rights = *fr;
        const auto& fields = EntityFields<FieldRightRule>::fields;
        SORIGHTS_TRY(read_column(s, 6, "field_rights", row, fields[5], f.ui_mandatory));
        SORIGHTS_TRY(read_column(s, 7, "field_rights", row, fields[6], f.ui_read_only));
        out.push_back(std::move(f));
        return {};
      });
}

Result<void> SqliteStore::Impl::read_overrides(std::vector<Override>& out) {
  return query(
      "SELECT position, level, target, object, scope, record, field, remove FROM overrides ORDER BY position",
      "reading table overrides", [&](sqlite3_stmt* s) -> Result<void> {
        Override o;
        const std::string row = "position " + std::to_string(integer(s, 0));
        const auto& fields = EntityFields<Override>::fields;
        SORIGHTS_TRY(read_column(s, 1, "overrides", row, fields[0], o.level));
        o.target = text(s, 2);
        o.object = text(s, 3);
        SORIGHTS_TRY(read_column(s, 4, "overrides", row, fields[3], o.scope));
        o.record = text(s, 5);
        o.field = text(s, 6);
        const std::string remove = text(s, 7);
        if (o.field.empty()) {
          auto t = TableRights::parse_crud(remove);
          if (!t) return bad_row(path, "overrides", row, "invalid rights " + detail::in_quotes(remove));
          o.remove = t->bits();
        } else {
          auto f = FieldRights::parse_rw(remove);
          if (!f) return bad_row(path, "overrides", row, "invalid rights " + detail::in_quotes(remove));
          o.remove = f->bits();
        }
        out.push_back(std::move(o));
        return {};
      });
}

Result<Model> SqliteStore::Impl::read_model() {
  Model m;
  SORIGHTS_TRY(detail::each_id_collection(m, [&](auto& items) { return read_rows(items); }));
  std::map<std::string, std::map<std::string, RelationCells>> cells;
  SORIGHTS_TRY(read_cells(cells));
  for (Role& r : m.roles)
    if (auto it = cells.find(r.id); it != cells.end()) r.data_rights = std::move(it->second);
  SORIGHTS_TRY(read_field_rights(m.field_rights));
  SORIGHTS_TRY(read_overrides(m.overrides));
  return m;
}

Result<StoredModel> SqliteStore::load() {
  Impl& d = *impl_;
  // One read transaction: the model and its version are consistent.
  SORIGHTS_TRY(d.exec("BEGIN", "loading the store"));
  // The schema, and with a key every row, the audit chain and the seal, are
  // checked before any row is read into the model.
  auto version = d.check_store();
  Result<Model> model = version ? d.read_model() : Result<Model>(version.error());
  sqlite3_exec(d.db, "COMMIT", nullptr, nullptr, nullptr);
  if (!model) return std::move(model).error();
  return StoredModel{std::move(*model), *version};
}

Result<void> SqliteStore::verify() {
  Impl& d = *impl_;
  SORIGHTS_TRY(d.exec("BEGIN", "verifying the store"));
  auto version = d.check_store();
  Result<void> r = !version ? Result<void>(version.error()) : Result<void>();
  if (r) {
    auto model = d.read_model();
    if (!model) r = std::move(model).error();
  }
  if (r) {
    auto trail = d.read_audit(nullptr);
    if (!trail) r = std::move(trail).error();
  }
  sqlite3_exec(d.db, "COMMIT", nullptr, nullptr, nullptr);
  return r;
}

Result<void> SqliteStore::seal() {
  Impl& d = *impl_;
  if (!d.integrity)
    return Error(ErrorCode::kFailedPrecondition, d.path + ": sealing needs an integrity key (SqliteStoreOptions::integrity_key)");
  SORIGHTS_TRY(d.exec("BEGIN IMMEDIATE", "sealing the store"));
  auto fail = [&](Error e) -> Result<void> {
    sqlite3_exec(d.db, "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  };
  auto version = d.read_version();
  if (!version) return fail(version.error());
  if (auto r = d.integrity->seal_all(*version); !r) return fail(r.error());
  const int rc = sqlite3_exec(d.db, "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return fail(d.err(rc, "sealing the store"));
  return {};
}

SORIGHTS_END_NAMESPACE
