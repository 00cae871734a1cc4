// PostgresStore: the PostgreSQL StorageAdapter (sorights/postgres/postgres_store.hpp).
#include "sorights/postgres/postgres_store.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>

#include "json_codec.hpp"
#include "quote.hpp"
#include "model_changes.hpp"
#include "pg.hpp"
#include "pg_schema.hpp"
#include "sorights/model_describe.hpp"

SORIGHTS_BEGIN_NAMESPACE

using detail::ArrayLiteral;

using detail::Params;

namespace {


std::string random_commit_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}() ^
                                          static_cast<std::uint64_t>(
                                              std::chrono::steady_clock::now().time_since_epoch().count())};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 2; ++i) {
    std::uint64_t v = rng();
    for (int k = 0; k < 16; ++k) out += kHex[(v >> (k * 4)) & 15u];
  }
  return out;
}

// -- Rows --------------------------------------------------------------------

// One batched INSERT ... SELECT * FROM unnest($1::t1[], $2::t2[], ...).
class Batch {
 public:
  Batch(std::string table, std::vector<std::pair<std::string, std::string>> columns)
      : table_(std::move(table)), columns_(std::move(columns)), arrays_(columns_.size()) {}
  ArrayLiteral& col(std::size_t i) { return arrays_[i]; }
  [[nodiscard]] bool empty() const { return arrays_.front().size() == 0; }
  // The statement; `upsert_key` non-empty: ON CONFLICT (key) DO UPDATE of
  // every column but the key and `position`.
  [[nodiscard]] std::string sql(const std::string& upsert_key = {}) const {
    std::string names, sel;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (i) { names += ", "; sel += ", "; }
      names += columns_[i].first;
      sel += "$" + std::to_string(i + 1) + "::" + columns_[i].second + "[]";
    }
    std::string out = "INSERT INTO " + table_ + " (" + names + ") SELECT * FROM unnest(" + sel + ")";
    if (!upsert_key.empty()) {
      std::string set;
      for (const auto& [name, type] : columns_) {
        if (name == upsert_key || name == "position") continue;
        if (!set.empty()) set += ", ";
        set += name + " = EXCLUDED." + name;
      }
      out += " ON CONFLICT (" + upsert_key + ") DO " + (set.empty() ? "NOTHING" : "UPDATE SET " + set);
    }
    return out;
  }
  [[nodiscard]] Params params() const {
    Params p;
    for (const ArrayLiteral& a : arrays_) p.add(a.str());
    return p;
  }
  [[nodiscard]] const std::string& table() const { return table_; }

 private:
  std::string table_;
  std::vector<std::pair<std::string, std::string>> columns_;
  std::vector<ArrayLiteral> arrays_;
};

// The PostgreSQL type of a scalar member's column.
std::string_view pg_type(const FieldInfo& f) {
  switch (f.kind) {
    case FieldKind::kFlag: return "boolean";
    case FieldKind::kCount: return "bigint";
    default: return "text";
  }
}

// The columns of `T`'s own table at schema `schema`: id, position, then each
// scalar member the schema has (a new store is written at the schema its
// migrations reached, which a test hook may hold below the current one).
template <class T>
Batch entity_batch(int schema) {
  std::vector<std::pair<std::string, std::string>> cols = {{"id", "text"}, {"position", "bigint"}};
  for (const FieldInfo& f : EntityFields<T>::fields)
    if (f.kind != FieldKind::kId && f.kind != FieldKind::kList && f.kind != FieldKind::kCustom && f.pg_since <= schema)
      cols.emplace_back(std::string(f.column), std::string(pg_type(f)));
  return Batch(std::string(EntityFields<T>::table), std::move(cols));
}

// Adds `v` at `position` to a batch made by `entity_batch<T>(schema)`.
template <class T>
void add_entity(Batch& b, const T& v, std::int64_t position, int schema) {
  std::size_t c = 0;
  b.col(c++).add(v.id);
  b.col(c++).add(position);
  for_each_field<T>([&](const FieldInfo& f, auto member) {
    const auto& m = v.*member;
    using M = std::decay_t<decltype(m)>;
    if (f.kind == FieldKind::kId || f.pg_since > schema) return;
    if constexpr (std::is_same_v<M, std::string> || std::is_same_v<M, bool>) b.col(c++).add(m);
    else if constexpr (std::is_same_v<M, std::uint32_t>) b.col(c++).add(static_cast<std::int64_t>(m));
    else if constexpr (std::is_enum_v<M>) b.col(c++).add(enum_text(m));
    else if constexpr (std::is_same_v<M, NameMap>) b.col(c++).add(detail::names_to_text(m));
  });
}

// The child tables of `T` (its lists, and a role's matrix): rewritten whole
// with their owner.
template <class T>
std::vector<std::string> child_tables() {
  std::vector<std::string> out;
  for (const FieldInfo& f : EntityFields<T>::fields)
    if (f.kind == FieldKind::kList || f.kind == FieldKind::kCustom) out.emplace_back(f.column);
  return out;
}

Batch list_batch(std::string_view table, std::string_view owner, std::string_view value) {
  return Batch(std::string(table), {{std::string(owner), "text"}, {"position", "integer"}, {std::string(value), "text"}});
}

void add_list(Batch& b, const std::string& owner, const std::vector<std::string>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    b.col(0).add(owner);
    b.col(1).add(static_cast<std::int64_t>(i));
    b.col(2).add(values[i]);
  }
}

void add_cells(Batch& b, const Role& v) {
  for (const auto& [object, row] : v.data_rights)
    for (int r = 0; r < kRelationCount; ++r) {
      b.col(0).add(v.id);
      b.col(1).add(object);
      b.col(2).add(relation_name(static_cast<Relation>(r)));
      b.col(3).add(static_cast<std::int64_t>(row[static_cast<std::size_t>(r)].bits()));
    }
}

// What the change set leaves of one entity: its final value (or removal),
// and whether it was removed on the way (then it goes to the end).
struct Folded {
  EntityKind kind;
  std::string id;
  const Entity* after = nullptr;
  bool removed_first = false;
};

std::vector<Folded> fold(const std::vector<Change>& changes) {
  std::vector<Folded> out;
  std::map<std::pair<int, std::string>, std::size_t> index;
  for (const Change& c : changes) {
    auto key = std::make_pair(static_cast<int>(c.kind), c.id);
    auto it = index.find(key);
    if (it == index.end()) {
      index.emplace(key, out.size());
      out.push_back(Folded{c.kind, c.id, c.after ? &*c.after : nullptr, false});
    } else {
      Folded& f = out[it->second];
      if (f.after == nullptr && c.after) f.removed_first = true;
      f.after = c.after ? &*c.after : nullptr;
    }
  }
  return out;
}

}  // namespace

// -----------------------------------------------------------------------------
// Impl
// -----------------------------------------------------------------------------

struct PostgresStore::Impl {
  std::string conninfo;
  std::string server;
  PostgresStoreOptions options;
  std::mutex mu;  // the connection and everything written through it
  detail::Conn conn;
  int schema_version = 0;
  std::atomic<std::uint64_t> retries{0};

  std::mutex watch_mu;  // held while observers run
  std::function<void(std::uint64_t)> subscriber;
  std::map<std::uint64_t, std::function<void(std::uint64_t)>> watchers;
  std::uint64_t next_watch = 1;
  std::mutex listener_mu;
  std::unique_ptr<PostgresListener> listener;  // last: stopped first

  ~Impl() {
    std::unique_ptr<PostgresListener> l;
    {
      std::lock_guard<std::mutex> lock(listener_mu);
      l = std::move(listener);
    }
    if (l) l->stop();
  }

  Error unavailable(std::string_view op, const std::string& message) const {
    return Error(ErrorCode::kUnavailable, server + ": " + std::string(op) + ": " + message);
  }
  Error failure(std::string_view op, const detail::PgOutcome& o) const {
    ErrorCode code = ErrorCode::kUnavailable;
    // Class 23 (integrity constraint violation) and 22 (data exception): the
    // values were refused, not the server.
    if (o.sqlstate.rfind("23", 0) == 0 || o.sqlstate.rfind("22", 0) == 0) code = ErrorCode::kInvalidArgument;
    std::string msg = server + ": " + std::string(op) + ": " + o.message;
    if (!o.sqlstate.empty()) msg += " (SQLSTATE " + o.sqlstate + ")";
    return Error(code, std::move(msg));
  }
  Error data_loss(std::string_view table, std::string_view row, const std::string& what) const {
    return Error(ErrorCode::kDataLoss, server + ": table " + std::string(table) +
                                           (row.empty() ? "" : ", row " + detail::in_quotes(row)) + ": " + what);
  }

  // Connects (or reconnects) and sets the search path.
  Result<void> connect(std::string_view op) {
    conn.reset(PQconnectdb(conninfo.c_str()));
    detail::quiet(conn.get());
    if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
      std::string msg = conn ? detail::trim(PQerrorMessage(conn.get())) : "out of memory";
      conn.reset();
      return unavailable(op, "cannot connect: " + msg);
    }
    detail::PgOutcome o = detail::exec(conn.get(), "SET search_path TO " + detail::quote_ident(options.schema));
    if (!o.ok) {
      Error e = failure(op, o);
      conn.reset();
      return e;
    }
    return {};
  }
  Result<void> ensure(std::string_view op) {
    if (conn && PQstatus(conn.get()) == CONNECTION_OK) return {};
    return connect(op);
  }
  void rollback() {
    if (conn && PQstatus(conn.get()) == CONNECTION_OK &&
        PQtransactionStatus(conn.get()) != PQTRANS_IDLE)
      (void)detail::exec(conn.get(), "ROLLBACK");
  }
  // Runs a statement; on a lost connection reconnects once and runs it again
  // (only for statements outside a transaction).
  Result<detail::Res> run(std::string_view op, const std::string& sql, const Params* p = nullptr) {
    SORIGHTS_TRY(ensure(op));
    detail::PgOutcome o = detail::exec(conn.get(), sql, p);
    if (!o.ok && o.connection_lost) {
      SORIGHTS_TRY(connect(op));
      o = detail::exec(conn.get(), sql, p);
    }
    if (!o.ok) return failure(op, o);
    return std::move(o.res);
  }

  Result<void> migrate();
  Result<void> write_changes(std::string_view op, const std::vector<Change>& changes);
  Result<void> exec_for(std::string_view op, std::string_view table, const std::string& sql, const Params* p);
  Result<void> insert(std::string_view op, std::string_view table, const Batch& b, const std::string& upsert_key = {});
  Result<void> write_rule_list(std::string_view op, const Entity* after);
  template <class T>
  Result<void> write_entities(std::string_view op, const std::vector<const Folded*>& mine);
  Result<StoredModel> load_locked();
  using Lists = std::unordered_map<std::string, std::vector<std::string>>;
  Result<detail::Res> query(std::string_view op, const std::string& sql);
  Result<void> read_flag(const PGresult* r, int row, int col, std::string_view table, bool& dst);
  Result<void> read_int(const PGresult* r, int row, int col, std::string_view table, std::int64_t lo, std::int64_t hi,
                        std::int64_t& dst);
  Result<Lists> read_lists(std::string_view op, std::string_view table, std::string_view owner,
                           std::string_view value);
  template <class T, class M>
  Result<void> read_column(const PGresult* r, int i, int col, const FieldInfo& f, M& m);
  template <class Seq>  // a std::vector or the users' ChunkedVector
  Result<void> load_rows(std::string_view op, Seq& out);
  Result<void> load_cells(std::string_view op, std::vector<Role>& roles);
  Result<StoredModel> load_incremental();
  // The last model loaded (incremental_load): the next load applies the
  // audit log's change sets since its version instead of reading every table.
  std::optional<StoredModel> cache;
  std::atomic<std::uint64_t> incremental_loads{0};

  enum class Step { kDone, kRetry, kFail };
  Error conflict(std::uint64_t stored, std::uint64_t base) const;
  Step stale_or_retry(const ChangeSet& cs, const std::string& op, const detail::PgOutcome& o, Error& error);
  Step write_failed(const Error& e, Error& error);
  Step try_apply(const ChangeSet& cs, const std::string& changes_json, const std::string& commit_id,
                 Error& error);

  void announce(std::uint64_t version) {
    std::lock_guard<std::mutex> lock(watch_mu);
    if (subscriber) subscriber(version);
    for (auto& [id, fn] : watchers) fn(version);
  }
  void start_listener() {
    std::lock_guard<std::mutex> lock(listener_mu);
    if (listener) return;
    PostgresListenerOptions lo = options.listener;
    lo.channel = options.channel;
    lo.schema = options.schema;
    auto l = PostgresListener::start(conninfo, lo, [this](std::uint64_t v) { announce(v); });
    if (l) listener = std::move(*l);
  }
};

// -- Migrations ----------------------------------------------------------------

Result<void> PostgresStore::Impl::migrate() {
  const std::string op = "open schema " + detail::in_quotes(options.schema);
  SORIGHTS_TRY(ensure(op));
  auto fail = [&](const detail::PgOutcome& o) {
    rollback();
    return failure(op, o);
  };
  detail::PgOutcome o = detail::exec(conn.get(), "BEGIN");
  if (!o.ok) return fail(o);
  // Many servers may start at once: one migrates, the others wait here.
  Params lock;
  lock.add("sorights:" + options.schema);
  o = detail::exec(conn.get(), "SELECT pg_advisory_xact_lock(hashtext($1))", &lock);
  if (!o.ok) return fail(o);
  Params sp;
  sp.add(options.schema);
  o = detail::exec(conn.get(),
                      "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND "
                      "table_name = 'schema_version'",
                      &sp);
  if (!o.ok) return fail(o);
  int stored = 0;
  if (PQntuples(o.res.get()) > 0) {
    o = detail::exec(conn.get(), "SELECT coalesce(max(version), 0) FROM schema_version");
    if (!o.ok) return fail(o);
    auto v = detail::to_int(detail::text(o.res.get(), 0, 0));
    if (!v) {
      rollback();
      return data_loss("schema_version", "", "unreadable version");
    }
    stored = static_cast<int>(*v);
  }
  if (stored > kPostgresSchemaVersion) {
    rollback();
    return Error(ErrorCode::kDataLoss, server + ": schema " + detail::in_quotes(options.schema) + " is at version " +
                                           std::to_string(stored) + ", newer than this build's " +
                                           std::to_string(kPostgresSchemaVersion) + "; upgrade sorights");
  }
  if (stored == 0 && !options.create) {
    rollback();
    return Error(ErrorCode::kNotFound,
                 server + ": schema " + detail::in_quotes(options.schema) + " holds no sorights store (open with create)");
  }
  const bool fresh = stored == 0;
  if (fresh) {
    o = detail::exec(conn.get(), "CREATE SCHEMA IF NOT EXISTS " + detail::quote_ident(options.schema));
    if (!o.ok) return fail(o);
  }
  int at = stored;
  for (const detail::PgMigration& m : detail::pg_migrations()) {
    if (m.from != at || m.to > options.migrate_to) continue;
    o = detail::exec(conn.get(), m.sql);
    if (!o.ok) {
      rollback();
      Error e = failure(op, o);
      e.message += " (migration " + std::to_string(m.from) + " -> " + std::to_string(m.to) + ")";
      return e;
    }
    Params v;
    v.add(m.to);
    o = detail::exec(conn.get(), "INSERT INTO schema_version (version) VALUES ($1::integer)", &v);
    if (!o.ok) return fail(o);
    at = m.to;
  }
  if (fresh && at > 0) {
    // A new store holds the predefined roles at version 0.
    std::vector<Change> initial;
    for (Role& r : Model::with_defaults().roles) {
      std::string id = r.id;
      initial.push_back(Change{EntityKind::kRole, std::move(id), std::nullopt, SharedEntity(std::move(r))});
    }
    schema_version = at;  // the columns the roles are written with
    Result<void> w = write_changes(op, initial);
    if (!w) {
      rollback();
      return w;
    }
  }
  o = detail::exec(conn.get(), "COMMIT");
  if (!o.ok) return fail(o);
  schema_version = at;
  return {};
}

// -- Writing -------------------------------------------------------------------

Result<void> PostgresStore::Impl::exec_for(std::string_view op, std::string_view table, const std::string& sql,
                                           const Params* p) {
  detail::PgOutcome o = detail::exec(conn.get(), sql, p);
  if (!o.ok) return failure(std::string(op) + " (" + std::string(table) + ")", o);
  return {};
}

Result<void> PostgresStore::Impl::insert(std::string_view op, std::string_view table, const Batch& b,
                                         const std::string& upsert_key) {
  if (b.empty()) return {};
  Params p = b.params();
  return exec_for(op, table, b.sql(upsert_key), &p);
}

// Field rights and overrides: the last value replaces the whole table.
Result<void> PostgresStore::Impl::write_rule_list(std::string_view op, const Entity* after) {
  const bool rights = after != nullptr && std::holds_alternative<std::vector<FieldRightRule>>(*after);
  const std::string_view table = rights ? "field_rights" : "overrides";
  if (after == nullptr) return {};
  if (rights) {
    Batch b("field_rights", {{"position", "integer"}, {"role", "text"}, {"object", "text"}, {"field", "text"},
                             {"relation", "text"}, {"rights", "smallint"}, {"ui_mandatory", "boolean"},
                             {"ui_read_only", "boolean"}});
    const auto& rules = std::get<std::vector<FieldRightRule>>(*after);
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const FieldRightRule& f = rules[i];
      b.col(0).add(static_cast<std::int64_t>(i));
      b.col(1).add(f.role);
      b.col(2).add(f.object);
      b.col(3).add(f.field);
      b.col(4).add(enum_text(f.relation));
      b.col(5).add(static_cast<std::int64_t>(f.rights.bits()));
      b.col(6).add(f.ui_mandatory);
      b.col(7).add(f.ui_read_only);
    }
    return insert(op, table, b);
  }
  Batch b("overrides", {{"position", "integer"}, {"level", "text"}, {"target", "text"}, {"object", "text"},
                        {"scope", "text"}, {"record", "text"}, {"field", "text"}, {"remove", "smallint"}});
  const auto& list = std::get<std::vector<Override>>(*after);
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Override& o = list[i];
    b.col(0).add(static_cast<std::int64_t>(i));
    b.col(1).add(enum_text(o.level));
    b.col(2).add(o.target);
    b.col(3).add(o.object);
    b.col(4).add(enum_text(o.scope));
    b.col(5).add(o.record);
    b.col(6).add(o.field);
    b.col(7).add(static_cast<std::int64_t>(o.remove));
  }
  return insert(op, table, b);
}

// Entities with ids: 1. removals (and entities removed then added again:
// they move to the end) and the child rows of every entity written; 2.
// upserts: a new entity goes after every existing one, a replaced one keeps
// its position (ON CONFLICT leaves `position` alone); 3. the child rows.
template <class T>
Result<void> PostgresStore::Impl::write_entities(std::string_view op, const std::vector<const Folded*>& mine) {
  const std::string table(EntityFields<T>::table);
  ArrayLiteral gone, touched;
  for (const Folded* f : mine) {
    if (f->after == nullptr || f->removed_first) gone.add(f->id);
    if (f->after != nullptr) touched.add(f->id);
  }
  if (gone.size() > 0) {
    Params p;
    p.add(gone.str());
    SORIGHTS_TRY(exec_for(op, table, "DELETE FROM " + table + " WHERE id = ANY($1::text[])", &p));
  }
  if (touched.size() == 0) return {};
  const std::string owner(EntityFields<T>::owner);
  Params ids;
  ids.add(touched.str());
  for (const std::string& child : child_tables<T>())
    SORIGHTS_TRY(exec_for(op, table, "DELETE FROM " + child + " WHERE " + owner + " = ANY($1::text[])", &ids));

  detail::PgOutcome mx = detail::exec(conn.get(), "SELECT coalesce(max(position), 0) FROM " + table);
  if (!mx.ok) return failure(std::string(op) + " (" + table + ")", mx);
  std::int64_t pos = detail::to_int(detail::text(mx.res.get(), 0, 0)).value_or(0);
  Batch rows = entity_batch<T>(schema_version);
  Batch cells("data_rights", {{"role", "text"}, {"object", "text"}, {"relation", "text"}, {"rights", "smallint"}});
  std::vector<std::pair<std::size_t, Batch>> lists;  // field index → its child rows
  for (std::size_t i = 0; i < std::size(EntityFields<T>::fields); ++i) {
    const FieldInfo& f = EntityFields<T>::fields[i];
    if (f.kind == FieldKind::kList) lists.emplace_back(i, list_batch(f.column, owner, f.value_column));
  }
  for (const Folded* f : mine) {
    if (!f->after) continue;
    const T& v = std::get<T>(*f->after);
    add_entity(rows, v, ++pos, schema_version);
    if constexpr (std::is_same_v<T, Role>) add_cells(cells, v);
    std::size_t field = 0, list = 0;
    for_each_field<T>([&](const FieldInfo&, auto member) {
      if constexpr (std::is_same_v<std::decay_t<decltype(v.*member)>, std::vector<std::string>>)
        if (lists[list].first == field) add_list(lists[list++].second, v.id, v.*member);
      ++field;
    });
  }
  SORIGHTS_TRY(insert(op, table, rows, "id"));
  SORIGHTS_TRY(insert(op, table, cells));
  for (const auto& [field, b] : lists) SORIGHTS_TRY(insert(op, table, b));
  return {};
}

Result<void> PostgresStore::Impl::write_changes(std::string_view op, const std::vector<Change>& changes) {
  std::vector<Folded> folded = fold(changes);
  // Grouped by kind, in kind order (there are no cross-kind foreign keys).
  for (int k = 0; k < static_cast<int>(kEntityKindNames.size()); ++k) {
    const auto kind = static_cast<EntityKind>(k);
    std::vector<const Folded*> mine;
    for (const Folded& f : folded)
      if (f.kind == kind) mine.push_back(&f);
    if (mine.empty()) continue;
    SORIGHTS_TRY(detail::with_entity_type(kind, [&]<class T>(std::type_identity<T>) -> Result<void> {
      if constexpr (std::is_same_v<T, FieldRightRule> || std::is_same_v<T, Override>) {
        const std::string table(EntityFields<T>::table);
        SORIGHTS_TRY(exec_for(op, table, "DELETE FROM " + table, nullptr));
        return write_rule_list(op, mine.back()->after);
      } else {
        return write_entities<T>(op, mine);
      }
    }));
  }
  return {};
}

Error PostgresStore::Impl::conflict(std::uint64_t stored, std::uint64_t base) const {
  return Error(ErrorCode::kConflict, "stored version is " + std::to_string(stored) +
                                         ", the change set was made against " + std::to_string(base) + " (" +
                                         server + ")");
}

// Waiting for the meta row, another writer got it first. When that writer
// committed a new version, this change set is stale: report the conflict (the
// directory picks up the stored state and judges the change set again)
// instead of retrying the same base, which under many writers can lose every
// time. Otherwise retry.
PostgresStore::Impl::Step PostgresStore::Impl::stale_or_retry(const ChangeSet& cs, const std::string& op,
                                                              const detail::PgOutcome& o, Error& error) {
  error = failure(op, o);
  rollback();
  detail::PgOutcome now = detail::exec(conn.get(), "SELECT version FROM meta WHERE id = 1");
  if (now.ok && PQntuples(now.res.get()) == 1)
    if (auto v = detail::to_int(detail::text(now.res.get(), 0, 0));
        v && *v >= 0 && static_cast<std::uint64_t>(*v) != cs.base_version) {
      error = conflict(static_cast<std::uint64_t>(*v), cs.base_version);
      return Step::kFail;
    }
  return Step::kRetry;
}

// A statement of the change set failed inside the transaction: find out why
// from the connection state.
PostgresStore::Impl::Step PostgresStore::Impl::write_failed(const Error& e, Error& error) {
  const bool lost = !conn || PQstatus(conn.get()) != CONNECTION_OK;
  error = e;
  if (lost) {
    conn.reset();
    return Step::kRetry;
  }
  rollback();
  const bool retry = error.message.find("SQLSTATE 40001") != std::string::npos ||
                     error.message.find("SQLSTATE 40P01") != std::string::npos;
  return retry ? Step::kRetry : Step::kFail;
}

PostgresStore::Impl::Step PostgresStore::Impl::try_apply(const ChangeSet& cs, const std::string& changes_json,
                                                         const std::string& commit_id, Error& error) {
  const std::string op = "apply version " + std::to_string(cs.version);
  if (Result<void> c = ensure(op); !c) {
    error = c.error();
    return Step::kRetry;
  }
  bool committing = false;
  auto lost_or_fail = [&](const detail::PgOutcome& o) -> Step {
    error = failure(op, o);
    if (o.connection_lost) {
      if (committing) {
        // The COMMIT's answer was lost: find out whether it happened.
        if (Result<void> c = connect(op); c) {
          Params p;
          p.add(commit_id);
          detail::PgOutcome q = detail::exec(conn.get(), "SELECT 1 FROM audit_log WHERE commit_id = $1", &p);
          if (q.ok && PQntuples(q.res.get()) > 0) return Step::kDone;
          if (q.ok) return Step::kRetry;  // it did not commit: safe to run again
        }
        error = unavailable(op, "the connection was lost during COMMIT and the outcome is unknown: " +
                                    error.message);
        return Step::kFail;
      }
      conn.reset();
      return Step::kRetry;
    }
    rollback();
    return o.retryable() ? Step::kRetry : Step::kFail;
  };

  detail::PgOutcome o = detail::exec(conn.get(), "BEGIN ISOLATION LEVEL SERIALIZABLE");
  if (!o.ok) return lost_or_fail(o);
  o = detail::exec(conn.get(), "SELECT version FROM meta WHERE id = 1 FOR UPDATE");
  if (!o.ok && o.retryable()) return stale_or_retry(cs, op, o, error);
  if (!o.ok) return lost_or_fail(o);
  if (PQntuples(o.res.get()) != 1) {
    rollback();
    error = data_loss("meta", "", "the meta row is missing");
    return Step::kFail;
  }
  auto stored = detail::to_int(detail::text(o.res.get(), 0, 0));
  if (!stored || *stored < 0) {
    rollback();
    error = data_loss("meta", "", "unreadable version");
    return Step::kFail;
  }
  if (static_cast<std::uint64_t>(*stored) != cs.base_version) {
    rollback();
    error = conflict(static_cast<std::uint64_t>(*stored), cs.base_version);
    return Step::kFail;
  }
  if (Result<void> w = write_changes(op, cs.changes); !w) return write_failed(w.error(), error);
  Params mv;
  mv.add(cs.version);
  o = detail::exec(conn.get(), "UPDATE meta SET version = $1::bigint, updated = now() WHERE id = 1", &mv);
  if (!o.ok) return lost_or_fail(o);
  Params au;
  au.add(cs.version).add(static_cast<std::int64_t>(cs.time)).add(cs.actor).add(changes_json).add(commit_id);
  o = detail::exec(conn.get(),
                      "INSERT INTO audit_log (version, time, actor, refused, reason, changes, commit_id) "
                      "VALUES ($1::bigint, $2::bigint, $3, false, '', $4, $5)",
                      &au);
  if (!o.ok) return lost_or_fail(o);
  Params nt;
  nt.add(options.channel).add(std::to_string(cs.version));
  o = detail::exec(conn.get(), "SELECT pg_notify($1, $2)", &nt);
  if (!o.ok) return lost_or_fail(o);
  committing = true;
  if (options.before_commit) options.before_commit(PQbackendPID(conn.get()));
  o = detail::exec(conn.get(), "COMMIT");
  if (!o.ok) return lost_or_fail(o);
  return Step::kDone;
}

// -- Reading -------------------------------------------------------------------

Result<detail::Res> PostgresStore::Impl::query(std::string_view op, const std::string& sql) {
  detail::PgOutcome r = detail::exec(conn.get(), sql);
  if (!r.ok) return failure(op, r);
  return std::move(r.res);
}

Result<void> PostgresStore::Impl::read_flag(const PGresult* r, int row, int col, std::string_view table, bool& dst) {
  auto b = detail::to_bool(detail::text(r, row, col));
  if (!b)
    return data_loss(table, detail::text(r, row, 0), std::string("column ") + PQfname(r, col) + " is not a boolean");
  dst = *b;
  return {};
}

Result<void> PostgresStore::Impl::read_int(const PGresult* r, int row, int col, std::string_view table,
                                           std::int64_t lo, std::int64_t hi, std::int64_t& dst) {
  auto v = detail::to_int(detail::text(r, row, col));
  if (!v || *v < lo || *v > hi)
    return data_loss(table, detail::text(r, row, 0),
                     std::string("column ") + PQfname(r, col) + " holds " + detail::in_quotes(detail::text(r, row, col)) +
                         ", out of range");
  dst = *v;
  return {};
}

// Child lists: owner → values, in position order.
Result<PostgresStore::Impl::Lists> PostgresStore::Impl::read_lists(std::string_view op, std::string_view table,
                                                                   std::string_view owner, std::string_view value) {
  const std::string o(owner);
  SORIGHTS_ASSIGN_OR_RETURN(detail::Res r, query(op, "SELECT " + o + ", " + std::string(value) + " FROM " +
                                                        std::string(table) + " ORDER BY " + o + ", position"));
  Lists map;
  for (int i = 0, n = PQntuples(r.get()); i < n; ++i)
    map[std::string(detail::text(r.get(), i, 0))].emplace_back(detail::text(r.get(), i, 1));
  return map;
}

// One scalar column of row `i` into member `m` described by `f`.
template <class T, class M>
Result<void> PostgresStore::Impl::read_column(const PGresult* r, int i, int col, const FieldInfo& f, M& m) {
  const std::string_view table = EntityFields<T>::table;
  if constexpr (std::is_same_v<M, std::string>) {
    m = detail::text(r, i, col);
  } else if constexpr (std::is_same_v<M, bool>) {
    SORIGHTS_TRY(read_flag(r, i, col, table, m));
  } else if constexpr (std::is_same_v<M, std::uint32_t>) {
    std::int64_t v = 0;
    SORIGHTS_TRY(read_int(r, i, col, table, 0, 4294967295LL, v));
    m = static_cast<std::uint32_t>(v);
  } else if constexpr (std::is_same_v<M, FieldRights> || std::is_same_v<M, std::uint8_t>) {
    std::int64_t bits = 0;
    SORIGHTS_TRY(read_int(r, i, col, table, 0, 255, bits));
    if constexpr (std::is_same_v<M, FieldRights>) m = FieldRights::from_bits(static_cast<std::uint32_t>(bits));
    else m = static_cast<std::uint8_t>(bits);
  } else if constexpr (std::is_same_v<M, NameMap>) {
    auto names = detail::names_from_text(detail::text(r, i, col));
    if (!names) return data_loss(table, detail::text(r, i, 0), names.error().message);
    m = std::move(*names);
  } else {
    static_assert(std::is_enum_v<M>, "a column read_column cannot read");
    const std::string_view v = detail::text(r, i, col);
    auto e = parse_enum_text<M>(v);
    if (!e)
      return data_loss(table, detail::text(r, i, 0),
                       std::string(f.column) + " " + detail::in_quotes(v) + " is not a " + std::string(EntityFields<T>::noun) + " " +
                           std::string(f.column));
    m = *e;
  }
  return {};
}

// Every row of `T`'s table with its child lists, in position order. Members
// newer than the store's schema read as their defaults. A rule list (field
// rights, overrides: no ids) names its rows by position and keeps its rights,
// its custom member, as bits; a role's matrix is read by load_cells.
template <class Seq>
Result<void> PostgresStore::Impl::load_rows(std::string_view op, Seq& out) {
  using T = typename Seq::value_type;
  constexpr bool kRules = EntityFields<T>::fields[0].kind != FieldKind::kId;  // a rule list: no ids
  std::string cols = kRules ? "position" : "";
  std::map<std::string_view, Lists> lists;
  for (const FieldInfo& f : EntityFields<T>::fields) {
    if (f.kind == FieldKind::kList) {
      SORIGHTS_ASSIGN_OR_RETURN(lists[f.column], read_lists(op, f.column, EntityFields<T>::owner, f.value_column));
    } else if (f.kind != FieldKind::kCustom || kRules) {
      cols.append(cols.empty() ? "" : ", ");
      if (f.pg_since > schema_version) cols.append(f.kind == FieldKind::kFlag ? "false" : "''");
      else cols.append(f.column);
    }
  }
  SORIGHTS_ASSIGN_OR_RETURN(detail::Res r, query(op, "SELECT " + cols + " FROM " + std::string(EntityFields<T>::table) +
                                                          " ORDER BY position"));
  const int n = PQntuples(r.get());
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    T v;
    int col = kRules ? 1 : 0;
    Result<void> ok;
    for_each_field<T>([&](const FieldInfo& f, auto member) {
      auto& m = v.*member;
      using M = std::decay_t<decltype(m)>;
      if constexpr (std::is_same_v<M, std::vector<std::string>>) {
        if constexpr (!kRules)  // rule lists have no lists (nor ids)
          if (auto it = lists[f.column].find(v.id); it != lists[f.column].end()) m = std::move(it->second);
      } else if constexpr (!std::is_same_v<M, std::map<std::string, RelationCells>>) {
        if (ok) ok = read_column<T>(r.get(), i, col, f, m);
        ++col;
      }
    });
    if (!ok) return ok;
    out.push_back(std::move(v));
  }
  return {};
}

Result<void> PostgresStore::Impl::load_cells(std::string_view op, std::vector<Role>& roles) {
  SORIGHTS_ASSIGN_OR_RETURN(detail::Res cells, query(op, "SELECT role, object, relation, rights FROM data_rights"));
  std::unordered_map<std::string, std::map<std::string, RelationCells>> matrix;
  for (int i = 0, n = PQntuples(cells.get()); i < n; ++i) {
    std::string role(detail::text(cells.get(), i, 0));
    auto rel = parse_relation(detail::text(cells.get(), i, 2));
    if (!rel) return data_loss("data_rights", role, "relation " + detail::in_quotes(detail::text(cells.get(), i, 2)) + " is unknown");
    std::int64_t bits = 0;
    SORIGHTS_TRY(read_int(cells.get(), i, 3, "data_rights", 0, 255, bits));
    matrix[role][std::string(detail::text(cells.get(), i, 1))][static_cast<std::size_t>(*rel)] =
        TableRights::from_bits(static_cast<std::uint8_t>(bits));
  }
  for (Role& role : roles)
    if (auto it = matrix.find(role.id); it != matrix.end()) role.data_rights = std::move(it->second);
  return {};
}

Result<StoredModel> PostgresStore::Impl::load_locked() {
  const std::string op = "load";
  SORIGHTS_TRY(ensure(op));
  // One consistent view across every table.
  detail::PgOutcome o = detail::exec(conn.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!o.ok && o.connection_lost) {
    SORIGHTS_TRY(connect(op));
    o = detail::exec(conn.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  }
  if (!o.ok) return failure(op, o);
  struct Guard {
    Impl* self;
    ~Guard() { self->rollback(); }
  } guard{this};

  StoredModel out;
  Model& m = out.model;
  SORIGHTS_ASSIGN_OR_RETURN(detail::Res meta, query(op, "SELECT version FROM meta WHERE id = 1"));
  if (PQntuples(meta.get()) != 1) return data_loss("meta", "", "the meta row is missing");
  auto ver = detail::to_int(detail::text(meta.get(), 0, 0));
  if (!ver || *ver < 0) return data_loss("meta", "", "unreadable version");
  out.version = static_cast<std::uint64_t>(*ver);

  SORIGHTS_TRY(detail::each_id_collection(m, [&](auto& items) { return load_rows(op, items); }));
  SORIGHTS_TRY(load_cells(op, m.roles));
  SORIGHTS_TRY(load_rows(op, m.field_rights));
  SORIGHTS_TRY(load_rows(op, m.overrides));
  return out;
}

// -----------------------------------------------------------------------------
// PostgresStore
// -----------------------------------------------------------------------------

PostgresStore::PostgresStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostgresStore::~PostgresStore() = default;

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& conninfo,
                                                           PostgresStoreOptions options) {
  if (options.schema.empty()) return Error(ErrorCode::kInvalidArgument, "PostgresStore: the schema name is empty");
  if (options.channel.empty()) return Error(ErrorCode::kInvalidArgument, "PostgresStore: the channel name is empty");
  if (options.max_retries < 0) options.max_retries = 0;
  auto impl = std::make_unique<Impl>();
  impl->conninfo = conninfo;
  impl->server = detail::describe_server(conninfo);
  impl->options = std::move(options);
  {
    std::lock_guard<std::mutex> lock(impl->mu);
    SORIGHTS_TRY(impl->connect("open"));
    SORIGHTS_TRY(impl->migrate());
  }
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(impl)));
}

Result<StoredModel> PostgresStore::Impl::load_incremental() {
  auto full = [&]() -> Result<StoredModel> {
    cache.reset();
    SORIGHTS_ASSIGN_OR_RETURN(StoredModel m, load_locked());
    if (options.incremental_load) cache = m;
    return m;
  };
  if (!options.incremental_load || !cache || schema_version < 2) return full();
  const std::string op = "load";
  SORIGHTS_TRY(ensure(op));
  detail::PgOutcome o = detail::exec(conn.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!o.ok) {
    conn.reset();
    return full();
  }
  struct Guard {
    Impl* self;
    ~Guard() { self->rollback(); }
  } guard{this};
  o = detail::exec(conn.get(), "SELECT version FROM meta WHERE id = 1");
  if (!o.ok || PQntuples(o.res.get()) != 1) return full();
  auto stored = detail::to_int(detail::text(o.res.get(), 0, 0));
  if (!stored || *stored < 0) return full();
  const auto version = static_cast<std::uint64_t>(*stored);
  if (version == cache->version) return *cache;
  if (version < cache->version) return full();
  Params p;
  p.add(cache->version).add(version);
  o = detail::exec(conn.get(),
                      "SELECT version, changes FROM audit_log WHERE NOT refused AND version > $1::bigint "
                      "AND version <= $2::bigint ORDER BY version, seq",
                      &p);
  if (!o.ok) return full();
  const int n = PQntuples(o.res.get());
  // Only a gap-free run of commits cache+1 .. stored is trusted; anything
  // else (rows written by hand, a restored backup) reads every table.
  if (static_cast<std::uint64_t>(n) != version - cache->version) return full();
  std::vector<Change> all;
  for (int i = 0; i < n; ++i) {
    auto v = detail::to_int(detail::text(o.res.get(), i, 0));
    if (!v || static_cast<std::uint64_t>(*v) != cache->version + static_cast<std::uint64_t>(i) + 1) return full();
    Result<std::vector<Change>> changes = detail::read_changes(detail::text(o.res.get(), i, 1));
    if (!changes) return full();
    if (all.empty()) all = std::move(*changes);
    else all.insert(all.end(), std::make_move_iterator(changes->begin()), std::make_move_iterator(changes->end()));
  }
  // In place: on any failure the cache is dropped and every table read.
  if (!detail::apply_in_place(cache->model, all)) return full();
  cache->version = version;
  incremental_loads.fetch_add(1, std::memory_order_relaxed);
  return *cache;
}

Result<StoredModel> PostgresStore::load() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->load_incremental();
}

std::uint64_t PostgresStore::incremental_loads() const noexcept {
  return impl_->incremental_loads.load(std::memory_order_relaxed);
}

Result<void> PostgresStore::apply(const ChangeSet& changes) {
  for (const Change& c : changes.changes) SORIGHTS_TRY(detail::check_change(c, detail::storable, "a NUL byte, which PostgreSQL text cannot store"));
  if (!detail::storable(changes.actor))
    return Error(ErrorCode::kInvalidArgument, "the actor holds a NUL byte");
  if (changes.version <= changes.base_version)
    return Error(ErrorCode::kInvalidArgument, "the change set's version " + std::to_string(changes.version) +
                                                  " does not follow its base " + std::to_string(changes.base_version));
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->schema_version < kPostgresSchemaVersion)
    return Error(ErrorCode::kFailedPrecondition,
                 impl_->server + ": the store is at schema version " + std::to_string(impl_->schema_version) +
                     " (migrate_to); it cannot be written");
  const std::string json = detail::write_changes(changes.changes);
  const std::string commit_id = random_commit_id();
  Error last;
  std::chrono::milliseconds pause{2};
  for (int attempt = 0;; ++attempt) {
    Impl::Step step = impl_->try_apply(changes, json, commit_id, last);
    if (step == Impl::Step::kDone) return {};
    if (step == Impl::Step::kFail) return last;
    if (attempt >= impl_->options.max_retries) {
      last.message += " (gave up after " + std::to_string(attempt + 1) + " attempts)";
      last.code = ErrorCode::kUnavailable;
      return last;
    }
    impl_->retries.fetch_add(1, std::memory_order_relaxed);
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(200));
  }
}

Result<std::uint64_t> PostgresStore::version() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  SORIGHTS_ASSIGN_OR_RETURN(detail::Res r, impl_->run("version", "SELECT version FROM meta WHERE id = 1"));
  if (PQntuples(r.get()) != 1) return impl_->data_loss("meta", "", "the meta row is missing");
  auto v = detail::to_int(detail::text(r.get(), 0, 0));
  if (!v || *v < 0) return impl_->data_loss("meta", "", "unreadable version");
  return static_cast<std::uint64_t>(*v);
}

Result<void> PostgresStore::append_audit(const AuditEntry& entry) {
  if (!detail::storable(entry.actor) || !detail::storable(entry.reason))
    return Error(ErrorCode::kInvalidArgument, "the audit entry holds a NUL byte");
  std::lock_guard<std::mutex> lock(impl_->mu);
  Params p;
  p.add(entry.version).add(static_cast<std::int64_t>(entry.time)).add(entry.actor).add(entry.refused)
      .add(entry.reason).add(detail::write_changes(entry.changes));
  SORIGHTS_ASSIGN_OR_RETURN(detail::Res r,
                            impl_->run("append_audit",
                                       "INSERT INTO audit_log (version, time, actor, refused, reason, changes) "
                                       "VALUES ($1::bigint, $2::bigint, $3, $4::boolean, $5, $6)",
                                       &p));
  (void)r;
  return {};
}

Result<std::vector<AuditEntry>> PostgresStore::audit(const AuditQuery& query) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Params p;
  p.add(static_cast<std::int64_t>(query.from)).add(static_cast<std::int64_t>(query.to));
  std::string sql =
      "SELECT seq, version, time, actor, refused, reason, changes FROM audit_log "
      "WHERE time BETWEEN $1::bigint AND $2::bigint";
  if (!query.include_refused) sql += " AND NOT refused";
  sql += " ORDER BY seq";
  SORIGHTS_ASSIGN_OR_RETURN(detail::Res r, impl_->run("audit", sql, &p));
  std::vector<AuditEntry> out;
  for (int i = 0, n = PQntuples(r.get()); i < n; ++i) {
    using detail::text;
    const std::string seq(text(r.get(), i, 0));
    AuditEntry e;
    auto v = detail::to_int(text(r.get(), i, 1));
    auto t = detail::to_int(text(r.get(), i, 2));
    auto refused = detail::to_bool(text(r.get(), i, 4));
    if (!v || *v < 0 || !t || !refused) return impl_->data_loss("audit_log", seq, "unreadable version, time or flag");
    e.version = static_cast<std::uint64_t>(*v);
    e.time = *t;
    e.actor = text(r.get(), i, 3);
    e.refused = *refused;
    e.reason = text(r.get(), i, 5);
    Result<std::vector<Change>> changes = detail::read_changes(text(r.get(), i, 6));
    if (!changes) return impl_->data_loss("audit_log", seq, "changes: " + changes.error().message);
    e.changes = std::move(*changes);
    if (audit_matches(e, query)) out.push_back(std::move(e));
  }
  return out;
}

void PostgresStore::subscribe(std::function<void(std::uint64_t)> on_change) {
  {
    std::lock_guard<std::mutex> lock(impl_->watch_mu);
    impl_->subscriber = std::move(on_change);
  }
  if (impl_->options.listen) impl_->start_listener();
}

std::uint64_t PostgresStore::watch(std::function<void(std::uint64_t)> on_change) {
  std::uint64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(impl_->watch_mu);
    id = impl_->next_watch++;
    impl_->watchers.emplace(id, std::move(on_change));
  }
  impl_->start_listener();
  return id;
}

void PostgresStore::unwatch(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(impl_->watch_mu);
  impl_->watchers.erase(id);
}

PostgresListener* PostgresStore::listener() noexcept {
  std::lock_guard<std::mutex> lock(impl_->listener_mu);
  return impl_->listener.get();
}

int PostgresStore::schema_version() const noexcept { return impl_->schema_version; }
const std::string& PostgresStore::conninfo() const noexcept { return impl_->conninfo; }
const PostgresStoreOptions& PostgresStore::options() const noexcept { return impl_->options; }
std::uint64_t PostgresStore::retries() const noexcept { return impl_->retries.load(std::memory_order_relaxed); }

SORIGHTS_END_NAMESPACE
