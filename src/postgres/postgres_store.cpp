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
#include "pg.hpp"
#include "pg_schema.hpp"

SORIGHTS_BEGIN_NAMESPACE

using pg_detail::ArrayLiteral;

using pg_detail::Params;

namespace {

std::string dq(std::string_view s) { return "\"" + std::string(s) + "\""; }

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

std::string_view licence_kind_name(LicenceKind k) { return k == LicenceKind::kSite ? "site" : "user"; }
std::string_view level_name(OverrideLevel l) {
  switch (l) {
    case OverrideLevel::kSystem: return "system";
    case OverrideLevel::kGroup: return "group";
    case OverrideLevel::kUser: return "user";
  }
  return "system";
}
std::string_view scope_name(OverrideScope s) {
  switch (s) {
    case OverrideScope::kAll: return "all";
    case OverrideScope::kNew: return "new";
    case OverrideScope::kExisting: return "existing";
    case OverrideScope::kRecord: return "record";
  }
  return "all";
}

// A table of one entity kind: its child (list) tables are deleted and
// rewritten with the entity.
struct KindTables {
  const char* table;
  std::vector<const char*> children;  // tables with an `owner` column named below
  const char* child_key;
};

const KindTables& tables_of(EntityKind k) {
  static const KindTables kCompany{"our_companies", {}, ""};
  static const KindTables kGroup{"groups", {}, ""};
  static const KindTables kLicence{"licences", {"licence_requires", "licence_cal_for"}, "licence"};
  static const KindTables kPlan{"plans", {"plan_licences"}, "plan"};
  static const KindTables kRight{"functional_rights", {}, ""};
  static const KindTables kObject{"objects", {}, ""};
  static const KindTables kRole{"roles", {"data_rights", "role_rights"}, "role"};
  static const KindTables kUser{"users", {"user_groups", "user_licences", "user_projects"}, "user_id"};
  static const KindTables kFieldRights{"field_rights", {}, ""};
  static const KindTables kOverrides{"overrides", {}, ""};
  switch (k) {
    case EntityKind::kOurCompany: return kCompany;
    case EntityKind::kGroup: return kGroup;
    case EntityKind::kLicence: return kLicence;
    case EntityKind::kPlan: return kPlan;
    case EntityKind::kFunctionalRight: return kRight;
    case EntityKind::kObject: return kObject;
    case EntityKind::kRole: return kRole;
    case EntityKind::kUser: return kUser;
    case EntityKind::kFieldRights: return kFieldRights;
    case EntityKind::kOverrides: return kOverrides;
  }
  return kUser;
}

// Checks one change before anything is written: the value's kind and id, and
// text PostgreSQL can store.
Result<void> check_change(const Change& c) {
  const std::string kind(kEntityKindNames[static_cast<std::size_t>(c.kind)]);
  auto bad_text = [&](std::string_view what) {
    return Error(ErrorCode::kInvalidArgument, kind + " " + dq(c.id) + ": " + std::string(what) +
                                                  " holds a NUL byte, which PostgreSQL text cannot store");
  };
  if (!pg_detail::storable(c.id)) return bad_text("the id");
  if (!c.after) return {};
  const Entity& e = *c.after;
  bool kind_ok = false;
  std::string id;
  bool text_ok = true;
  auto t = [&](const std::string& s) { text_ok = text_ok && pg_detail::storable(s); };
  auto tv = [&](const std::vector<std::string>& v) {
    for (const std::string& s : v) t(s);
  };
  switch (c.kind) {
    case EntityKind::kOurCompany:
      if (const auto* v = std::get_if<OurCompany>(&e)) { kind_ok = true; id = v->id; t(v->name); }
      break;
    case EntityKind::kGroup:
      if (const auto* v = std::get_if<Group>(&e)) { kind_ok = true; id = v->id; t(v->name); }
      break;
    case EntityKind::kLicence:
      if (const auto* v = std::get_if<Licence>(&e)) {
        kind_ok = true; id = v->id; t(v->name); tv(v->requires_licences); tv(v->cal_for);
      }
      break;
    case EntityKind::kPlan:
      if (const auto* v = std::get_if<Plan>(&e)) { kind_ok = true; id = v->id; t(v->name); tv(v->licences); }
      break;
    case EntityKind::kFunctionalRight:
      if (const auto* v = std::get_if<FunctionalRightDef>(&e)) {
        kind_ok = true; id = v->id; t(v->name); t(v->requires_licence);
      }
      break;
    case EntityKind::kObject:
      if (const auto* v = std::get_if<DataObjectDef>(&e)) { kind_ok = true; id = v->id; t(v->name); }
      break;
    case EntityKind::kRole:
      if (const auto* v = std::get_if<Role>(&e)) {
        kind_ok = true; id = v->id; t(v->name); t(v->description); tv(v->functional_rights);
        for (const auto& [object, row] : v->data_rights) t(object);
      }
      break;
    case EntityKind::kUser:
      if (const auto* v = std::get_if<User>(&e)) {
        kind_ok = true; id = v->id;
        t(v->name); t(v->person); t(v->company); t(v->role); t(v->group); t(v->plan);
        tv(v->other_groups); tv(v->licences); tv(v->projects);
      }
      break;
    case EntityKind::kFieldRights:
      if (const auto* v = std::get_if<std::vector<FieldRightRule>>(&e)) {
        kind_ok = true; id = c.id;
        for (const FieldRightRule& f : *v) { t(f.role); t(f.object); t(f.field); }
      }
      break;
    case EntityKind::kOverrides:
      if (const auto* v = std::get_if<std::vector<Override>>(&e)) {
        kind_ok = true; id = c.id;
        for (const Override& o : *v) { t(o.target); t(o.object); t(o.record); t(o.field); }
      }
      break;
  }
  if (!kind_ok) return Error(ErrorCode::kInvalidArgument, "change of " + kind + " " + dq(c.id) +
                                                              " carries a value of another kind");
  if (id != c.id)
    return Error(ErrorCode::kInvalidArgument, "change of " + dq(c.id) + " carries the id " + dq(id));
  if (!text_ok) return bad_text("a value");
  return {};
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

template <class T>
bool upsert_in_place(std::vector<T>& items, const Change& c) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& t) { return t.id == c.id; });
  if (!c.after) {
    if (it != items.end()) items.erase(it);
    return true;
  }
  const T* value = std::get_if<T>(&*c.after);
  if (value == nullptr || value->id != c.id) return false;
  if (it != items.end()) *it = *value;
  else items.push_back(*value);
  return true;
}

template <class T>
bool replace_in_place(std::vector<T>& items, const Change& c) {
  if (!c.after) {
    items.clear();
    return true;
  }
  const auto* value = std::get_if<std::vector<T>>(&*c.after);
  if (value == nullptr) return false;
  items = *value;
  return true;
}

// `apply_changes` without its copy of the whole model (the caller discards
// `m` when this fails part way).
bool apply_in_place(Model& m, const std::vector<Change>& changes) {
  for (const Change& c : changes) {
    bool ok = false;
    switch (c.kind) {
      case EntityKind::kOurCompany: ok = upsert_in_place(m.our_companies, c); break;
      case EntityKind::kGroup: ok = upsert_in_place(m.groups, c); break;
      case EntityKind::kLicence: ok = upsert_in_place(m.licences, c); break;
      case EntityKind::kPlan: ok = upsert_in_place(m.plans, c); break;
      case EntityKind::kFunctionalRight: ok = upsert_in_place(m.functional_rights, c); break;
      case EntityKind::kObject: ok = upsert_in_place(m.objects, c); break;
      case EntityKind::kRole: ok = upsert_in_place(m.roles, c); break;
      case EntityKind::kUser: ok = upsert_in_place(m.users, c); break;
      case EntityKind::kFieldRights: ok = replace_in_place(m.field_rights, c); break;
      case EntityKind::kOverrides: ok = replace_in_place(m.overrides, c); break;
    }
    if (!ok) return false;
  }
  return true;
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
  pg_detail::Conn conn;
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
  Error failure(std::string_view op, const pg_detail::Outcome& o) const {
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
                                           (row.empty() ? "" : ", row " + dq(row)) + ": " + what);
  }

  // Connects (or reconnects) and sets the search path.
  Result<void> connect(std::string_view op) {
    conn.reset(PQconnectdb(conninfo.c_str()));
    pg_detail::quiet(conn.get());
    if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
      std::string msg = conn ? pg_detail::trim(PQerrorMessage(conn.get())) : "out of memory";
      conn.reset();
      return unavailable(op, "cannot connect: " + msg);
    }
    pg_detail::Outcome o = pg_detail::exec(conn.get(), "SET search_path TO " + pg_detail::quote_ident(options.schema));
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
      (void)pg_detail::exec(conn.get(), "ROLLBACK");
  }
  // Runs a statement; on a lost connection reconnects once and runs it again
  // (only for statements outside a transaction).
  Result<pg_detail::Res> run(std::string_view op, const std::string& sql, const Params* p = nullptr) {
    SORIGHTS_TRY(ensure(op));
    pg_detail::Outcome o = pg_detail::exec(conn.get(), sql, p);
    if (!o.ok && o.connection_lost) {
      SORIGHTS_TRY(connect(op));
      o = pg_detail::exec(conn.get(), sql, p);
    }
    if (!o.ok) return failure(op, o);
    return std::move(o.res);
  }

  Result<void> migrate();
  Result<void> write_changes(std::string_view op, const std::vector<Change>& changes);
  Result<StoredModel> load_locked();
  Result<StoredModel> load_incremental();
  // The last model loaded (incremental_load): the next load applies the
  // audit log's change sets since its version instead of reading every table.
  std::optional<StoredModel> cache;
  std::atomic<std::uint64_t> incremental_loads{0};

  enum class Step { kDone, kRetry, kFail };
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
  const std::string op = "open schema " + dq(options.schema);
  SORIGHTS_TRY(ensure(op));
  auto fail = [&](const pg_detail::Outcome& o) {
    rollback();
    return failure(op, o);
  };
  pg_detail::Outcome o = pg_detail::exec(conn.get(), "BEGIN");
  if (!o.ok) return fail(o);
  // Many servers may start at once: one migrates, the others wait here.
  Params lock;
  lock.add("sorights:" + options.schema);
  o = pg_detail::exec(conn.get(), "SELECT pg_advisory_xact_lock(hashtext($1))", &lock);
  if (!o.ok) return fail(o);
  Params sp;
  sp.add(options.schema);
  o = pg_detail::exec(conn.get(),
                      "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND "
                      "table_name = 'schema_version'",
                      &sp);
  if (!o.ok) return fail(o);
  int stored = 0;
  if (PQntuples(o.res.get()) > 0) {
    o = pg_detail::exec(conn.get(), "SELECT coalesce(max(version), 0) FROM schema_version");
    if (!o.ok) return fail(o);
    auto v = pg_detail::to_int(pg_detail::text(o.res.get(), 0, 0));
    if (!v) {
      rollback();
      return data_loss("schema_version", "", "unreadable version");
    }
    stored = static_cast<int>(*v);
  }
  if (stored > kPostgresSchemaVersion) {
    rollback();
    return Error(ErrorCode::kDataLoss, server + ": schema " + dq(options.schema) + " is at version " +
                                           std::to_string(stored) + ", newer than this build's " +
                                           std::to_string(kPostgresSchemaVersion) + "; upgrade sorights");
  }
  if (stored == 0 && !options.create) {
    rollback();
    return Error(ErrorCode::kNotFound,
                 server + ": schema " + dq(options.schema) + " holds no sorights store (open with create)");
  }
  const bool fresh = stored == 0;
  if (fresh) {
    o = pg_detail::exec(conn.get(), "CREATE SCHEMA IF NOT EXISTS " + pg_detail::quote_ident(options.schema));
    if (!o.ok) return fail(o);
  }
  int at = stored;
  for (const pg_detail::PgMigration& m : pg_detail::kPgMigrations) {
    if (m.from != at || m.to > options.migrate_to) continue;
    o = pg_detail::exec(conn.get(), m.sql);
    if (!o.ok) {
      rollback();
      Error e = failure(op, o);
      e.message += " (migration " + std::to_string(m.from) + " -> " + std::to_string(m.to) + ")";
      return e;
    }
    Params v;
    v.add(m.to);
    o = pg_detail::exec(conn.get(), "INSERT INTO schema_version (version) VALUES ($1::integer)", &v);
    if (!o.ok) return fail(o);
    at = m.to;
  }
  if (fresh && at > 0) {
    // A new store holds the predefined roles at version 0.
    std::vector<Change> initial;
    for (Role& r : Model::with_defaults().roles) {
      std::string id = r.id;
      initial.push_back(Change{EntityKind::kRole, std::move(id), std::nullopt, Entity(std::move(r))});
    }
    Result<void> w = write_changes(op, initial);
    if (!w) {
      rollback();
      return w;
    }
  }
  o = pg_detail::exec(conn.get(), "COMMIT");
  if (!o.ok) return fail(o);
  schema_version = at;
  return {};
}

// -- Writing -------------------------------------------------------------------

Result<void> PostgresStore::Impl::write_changes(std::string_view op, const std::vector<Change>& changes) {
  std::vector<Folded> folded = fold(changes);
  // Group by kind, in kind order (children after their owners is not needed:
  // there are no cross-kind foreign keys).
  for (int k = 0; k < static_cast<int>(kEntityKindNames.size()); ++k) {
    const auto kind = static_cast<EntityKind>(k);
    const KindTables& tabs = tables_of(kind);
    std::vector<const Folded*> mine;
    for (const Folded& f : folded)
      if (f.kind == kind) mine.push_back(&f);
    if (mine.empty()) continue;
    auto exec = [&](const std::string& sql, const Params* p) -> Result<void> {
      pg_detail::Outcome o = pg_detail::exec(conn.get(), sql, p);
      if (!o.ok) return failure(std::string(op) + " (" + tabs.table + ")", o);
      return {};
    };

    if (kind == EntityKind::kFieldRights || kind == EntityKind::kOverrides) {
      const Folded* last = mine.back();
      SORIGHTS_TRY(exec(std::string("DELETE FROM ") + tabs.table, nullptr));
      if (last->after == nullptr) continue;
      if (kind == EntityKind::kFieldRights) {
        Batch b("field_rights", {{"position", "integer"}, {"role", "text"}, {"object", "text"}, {"field", "text"},
                                 {"relation", "text"}, {"rights", "smallint"}, {"ui_mandatory", "boolean"},
                                 {"ui_read_only", "boolean"}});
        const auto& rules = std::get<std::vector<FieldRightRule>>(*last->after);
        for (std::size_t i = 0; i < rules.size(); ++i) {
          const FieldRightRule& f = rules[i];
          b.col(0).add(static_cast<std::int64_t>(i));
          b.col(1).add(f.role);
          b.col(2).add(f.object);
          b.col(3).add(f.field);
          b.col(4).add(relation_name(f.relation));
          b.col(5).add(static_cast<std::int64_t>(f.rights.bits()));
          b.col(6).add(f.ui_mandatory);
          b.col(7).add(f.ui_read_only);
        }
        if (!b.empty()) {
          Params p = b.params();
          SORIGHTS_TRY(exec(b.sql(), &p));
        }
      } else {
        Batch b("overrides", {{"position", "integer"}, {"level", "text"}, {"target", "text"}, {"object", "text"},
                              {"scope", "text"}, {"record", "text"}, {"field", "text"}, {"remove", "smallint"}});
        const auto& list = std::get<std::vector<Override>>(*last->after);
        for (std::size_t i = 0; i < list.size(); ++i) {
          const Override& o = list[i];
          b.col(0).add(static_cast<std::int64_t>(i));
          b.col(1).add(level_name(o.level));
          b.col(2).add(o.target);
          b.col(3).add(o.object);
          b.col(4).add(scope_name(o.scope));
          b.col(5).add(o.record);
          b.col(6).add(o.field);
          b.col(7).add(static_cast<std::int64_t>(o.remove));
        }
        if (!b.empty()) {
          Params p = b.params();
          SORIGHTS_TRY(exec(b.sql(), &p));
        }
      }
      continue;
    }

    // 1. Removals (and entities removed then added again: they move to the end).
    ArrayLiteral gone;
    ArrayLiteral touched;  // every id whose child rows are rewritten
    for (const Folded* f : mine) {
      if (f->after == nullptr || f->removed_first) gone.add(f->id);
      if (f->after != nullptr) touched.add(f->id);
    }
    if (gone.size() > 0) {
      Params p;
      p.add(gone.str());
      SORIGHTS_TRY(exec(std::string("DELETE FROM ") + tabs.table + " WHERE id = ANY($1::text[])", &p));
    }
    if (touched.size() == 0) continue;
    if (!tabs.children.empty()) {
      Params p;
      p.add(touched.str());
      for (const char* child : tabs.children)
        SORIGHTS_TRY(exec(std::string("DELETE FROM ") + child + " WHERE " + tabs.child_key + " = ANY($1::text[])", &p));
    }

    // 2. Upserts: a new entity goes after every existing one; a replaced one
    //    keeps its position (ON CONFLICT leaves `position` alone).
    pg_detail::Outcome mx = pg_detail::exec(conn.get(), std::string("SELECT coalesce(max(position), 0) FROM ") + tabs.table);
    if (!mx.ok) return failure(std::string(op) + " (" + tabs.table + ")", mx);
    std::int64_t pos = pg_detail::to_int(pg_detail::text(mx.res.get(), 0, 0)).value_or(0);

    auto upsert = [&](Batch& b) -> Result<void> {
      if (b.empty()) return {};
      Params p = b.params();
      return exec(b.sql("id"), &p);
    };
    auto insert = [&](Batch& b) -> Result<void> {
      if (b.empty()) return {};
      Params p = b.params();
      return exec(b.sql(), &p);
    };
    auto list_batch = [](const char* table, const char* key, const char* value) {
      return Batch(table, {{key, "text"}, {"position", "integer"}, {value, "text"}});
    };
    auto add_list = [](Batch& b, const std::string& owner, const std::vector<std::string>& values) {
      for (std::size_t i = 0; i < values.size(); ++i) {
        b.col(0).add(owner);
        b.col(1).add(static_cast<std::int64_t>(i));
        b.col(2).add(values[i]);
      }
    };

    switch (kind) {
      case EntityKind::kOurCompany: {
        Batch b("our_companies", {{"id", "text"}, {"position", "bigint"}, {"name", "text"}, {"database_owner", "boolean"}});
        for (const Folded* f : mine) {
          if (!f->after) continue;
          const auto& v = std::get<OurCompany>(*f->after);
          b.col(0).add(v.id); b.col(1).add(++pos); b.col(2).add(v.name); b.col(3).add(v.database_owner);
        }
        SORIGHTS_TRY(upsert(b));
        break;
      }
      case EntityKind::kGroup: {
        Batch b("groups", {{"id", "text"}, {"position", "bigint"}, {"name", "text"}});
        for (const Folded* f : mine) {
          if (!f->after) continue;
          const auto& v = std::get<Group>(*f->after);
          b.col(0).add(v.id); b.col(1).add(++pos); b.col(2).add(v.name);
        }
        SORIGHTS_TRY(upsert(b));
        break;
      }
      case EntityKind::kLicence: {
        Batch b("licences", {{"id", "text"}, {"position", "bigint"}, {"name", "text"}, {"kind", "text"},
                             {"count", "bigint"}, {"unrestricted", "boolean"}});
        Batch req = list_batch("licence_requires", "licence", "required");
        Batch cal = list_batch("licence_cal_for", "licence", "object");
        for (const Folded* f : mine) {
          if (!f->after) continue;
          const auto& v = std::get<Licence>(*f->after);
          b.col(0).add(v.id); b.col(1).add(++pos); b.col(2).add(v.name); b.col(3).add(licence_kind_name(v.kind));
          b.col(4).add(static_cast<std::int64_t>(v.count)); b.col(5).add(v.unrestricted);
          add_list(req, v.id, v.requires_licences);
          add_list(cal, v.id, v.cal_for);
        }
        SORIGHTS_TRY(upsert(b));
        SORIGHTS_TRY(insert(req));
        SORIGHTS_TRY(insert(cal));
        break;
      }
      case EntityKind::kPlan: {
        Batch b("plans", {{"id", "text"}, {"position", "bigint"}, {"name", "text"}});
        Batch lic = list_batch("plan_licences", "plan", "licence");
        for (const Folded* f : mine) {
          if (!f->after) continue;
          const auto& v = std::get<Plan>(*f->after);
          b.col(0).add(v.id); b.col(1).add(++pos); b.col(2).add(v.name);
          add_list(lic, v.id, v.licences);
        }
        SORIGHTS_TRY(upsert(b));
        SORIGHTS_TRY(insert(lic));
        break;
      }
      case EntityKind::kFunctionalRight: {
        Batch b("functional_rights", {{"id", "text"}, {"position", "bigint"}, {"name", "text"}, {"requires_licence", "text"},
                                      {"restrictive", "boolean"}});
        for (const Folded* f : mine) {
          if (!f->after) continue;
          const auto& v = std::get<FunctionalRightDef>(*f->after);
          b.col(0).add(v.id); b.col(1).add(++pos); b.col(2).add(v.name); b.col(3).add(v.requires_licence);
          b.col(4).add(v.restrictive);
        }
        SORIGHTS_TRY(upsert(b));
        break;
      }
      case EntityKind::kObject: {
        Batch b("objects", {{"id", "text"}, {"position", "bigint"}, {"name", "text"}, {"empty_owner_is_user", "boolean"},
                            {"visibility", "boolean"}, {"completed_locked", "boolean"}});
        for (const Folded* f : mine) {
          if (!f->after) continue;
          const auto& v = std::get<DataObjectDef>(*f->after);
          b.col(0).add(v.id); b.col(1).add(++pos); b.col(2).add(v.name); b.col(3).add(v.empty_owner_is_user);
          b.col(4).add(v.has_visibility); b.col(5).add(v.completed_is_locked);
        }
        SORIGHTS_TRY(upsert(b));
        break;
      }
      case EntityKind::kRole: {
        Batch b("roles", {{"id", "text"}, {"position", "bigint"}, {"name", "text"}, {"description", "text"}, {"type", "text"}});
        Batch cells("data_rights", {{"role", "text"}, {"object", "text"}, {"relation", "text"}, {"rights", "smallint"}});
        Batch rights = list_batch("role_rights", "role", "functional_right");
        for (const Folded* f : mine) {
          if (!f->after) continue;
          const auto& v = std::get<Role>(*f->after);
          b.col(0).add(v.id); b.col(1).add(++pos); b.col(2).add(v.name); b.col(3).add(v.description);
          b.col(4).add(role_type_name(v.type));
          for (const auto& [object, row] : v.data_rights)
            for (int r = 0; r < kRelationCount; ++r) {
              cells.col(0).add(v.id); cells.col(1).add(object);
              cells.col(2).add(relation_name(static_cast<Relation>(r)));
              cells.col(3).add(static_cast<std::int64_t>(row[static_cast<std::size_t>(r)].bits()));
            }
          add_list(rights, v.id, v.functional_rights);
        }
        SORIGHTS_TRY(upsert(b));
        SORIGHTS_TRY(insert(cells));
        SORIGHTS_TRY(insert(rights));
        break;
      }
      case EntityKind::kUser: {
        Batch b("users", {{"id", "text"}, {"position", "bigint"}, {"type", "text"}, {"name", "text"}, {"person", "text"},
                          {"company", "text"}, {"role", "text"}, {"primary_group", "text"}, {"plan", "text"},
                          {"can_log_in", "boolean"}, {"former_employee", "boolean"}, {"retired", "boolean"}});
        Batch groups = list_batch("user_groups", "user_id", "group_id");
        Batch lic = list_batch("user_licences", "user_id", "licence");
        Batch proj = list_batch("user_projects", "user_id", "project");
        for (const Folded* f : mine) {
          if (!f->after) continue;
          const auto& v = std::get<User>(*f->after);
          b.col(0).add(v.id); b.col(1).add(++pos); b.col(2).add(user_type_name(v.type)); b.col(3).add(v.name);
          b.col(4).add(v.person); b.col(5).add(v.company); b.col(6).add(v.role); b.col(7).add(v.group);
          b.col(8).add(v.plan); b.col(9).add(v.can_log_in); b.col(10).add(v.former_employee); b.col(11).add(v.retired);
          add_list(groups, v.id, v.other_groups);
          add_list(lic, v.id, v.licences);
          add_list(proj, v.id, v.projects);
        }
        SORIGHTS_TRY(upsert(b));
        SORIGHTS_TRY(insert(groups));
        SORIGHTS_TRY(insert(lic));
        SORIGHTS_TRY(insert(proj));
        break;
      }
      case EntityKind::kFieldRights:
      case EntityKind::kOverrides:
        break;
    }
  }
  return {};
}

PostgresStore::Impl::Step PostgresStore::Impl::try_apply(const ChangeSet& cs, const std::string& changes_json,
                                                         const std::string& commit_id, Error& error) {
  const std::string op = "apply version " + std::to_string(cs.version);
  if (Result<void> c = ensure(op); !c) {
    error = c.error();
    return Step::kRetry;
  }
  bool committing = false;
  auto lost_or_fail = [&](const pg_detail::Outcome& o) -> Step {
    error = failure(op, o);
    if (o.connection_lost) {
      if (committing) {
        // The COMMIT's answer was lost: find out whether it happened.
        if (Result<void> c = connect(op); c) {
          Params p;
          p.add(commit_id);
          pg_detail::Outcome q = pg_detail::exec(conn.get(), "SELECT 1 FROM audit_log WHERE commit_id = $1", &p);
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

  pg_detail::Outcome o = pg_detail::exec(conn.get(), "BEGIN ISOLATION LEVEL SERIALIZABLE");
  if (!o.ok) return lost_or_fail(o);
  o = pg_detail::exec(conn.get(), "SELECT version FROM meta WHERE id = 1 FOR UPDATE");
  if (!o.ok && o.retryable()) {
    // Waiting for the meta row, another writer got it first. When that writer
    // committed a new version, this change set is stale: report the conflict
    // (the directory picks up the stored state and judges the change set
    // again) instead of retrying the same base, which under many writers can
    // lose every time. Otherwise retry.
    error = failure(op, o);
    rollback();
    pg_detail::Outcome now = pg_detail::exec(conn.get(), "SELECT version FROM meta WHERE id = 1");
    if (now.ok && PQntuples(now.res.get()) == 1)
      if (auto v = pg_detail::to_int(pg_detail::text(now.res.get(), 0, 0));
          v && *v >= 0 && static_cast<std::uint64_t>(*v) != cs.base_version) {
        error = Error(ErrorCode::kConflict, "stored version is " + std::to_string(*v) +
                                                ", the change set was made against " +
                                                std::to_string(cs.base_version) + " (" + server + ")");
        return Step::kFail;
      }
    return Step::kRetry;
  }
  if (!o.ok) return lost_or_fail(o);
  if (PQntuples(o.res.get()) != 1) {
    rollback();
    error = data_loss("meta", "", "the meta row is missing");
    return Step::kFail;
  }
  auto stored = pg_detail::to_int(pg_detail::text(o.res.get(), 0, 0));
  if (!stored || *stored < 0) {
    rollback();
    error = data_loss("meta", "", "unreadable version");
    return Step::kFail;
  }
  if (static_cast<std::uint64_t>(*stored) != cs.base_version) {
    rollback();
    error = Error(ErrorCode::kConflict, "stored version is " + std::to_string(*stored) +
                                            ", the change set was made against " +
                                            std::to_string(cs.base_version) + " (" + server + ")");
    return Step::kFail;
  }
  Result<void> w = write_changes(op, cs.changes);
  if (!w) {
    // The statement failed inside the transaction: find out why from the
    // connection state.
    const bool lost = !conn || PQstatus(conn.get()) != CONNECTION_OK;
    error = w.error();
    if (lost) {
      conn.reset();
      return Step::kRetry;
    }
    rollback();
    const bool retry = error.message.find("SQLSTATE 40001") != std::string::npos ||
                       error.message.find("SQLSTATE 40P01") != std::string::npos;
    return retry ? Step::kRetry : Step::kFail;
  }
  Params mv;
  mv.add(cs.version);
  o = pg_detail::exec(conn.get(), "UPDATE meta SET version = $1::bigint, updated = now() WHERE id = 1", &mv);
  if (!o.ok) return lost_or_fail(o);
  Params au;
  au.add(cs.version).add(static_cast<std::int64_t>(cs.time)).add(cs.actor).add(changes_json).add(commit_id);
  o = pg_detail::exec(conn.get(),
                      "INSERT INTO audit_log (version, time, actor, refused, reason, changes, commit_id) "
                      "VALUES ($1::bigint, $2::bigint, $3, false, '', $4, $5)",
                      &au);
  if (!o.ok) return lost_or_fail(o);
  Params nt;
  nt.add(options.channel).add(std::to_string(cs.version));
  o = pg_detail::exec(conn.get(), "SELECT pg_notify($1, $2)", &nt);
  if (!o.ok) return lost_or_fail(o);
  committing = true;
  if (options.before_commit) options.before_commit(PQbackendPID(conn.get()));
  o = pg_detail::exec(conn.get(), "COMMIT");
  if (!o.ok) return lost_or_fail(o);
  return Step::kDone;
}

// -- Reading -------------------------------------------------------------------

Result<StoredModel> PostgresStore::Impl::load_locked() {
  const std::string op = "load";
  SORIGHTS_TRY(ensure(op));
  // One consistent view across every table.
  pg_detail::Outcome o = pg_detail::exec(conn.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!o.ok && o.connection_lost) {
    SORIGHTS_TRY(connect(op));
    o = pg_detail::exec(conn.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  }
  if (!o.ok) return failure(op, o);
  struct Guard {
    Impl* self;
    ~Guard() { self->rollback(); }
  } guard{this};

  auto q = [&](const std::string& sql) -> Result<pg_detail::Res> {
    pg_detail::Outcome r = pg_detail::exec(conn.get(), sql);
    if (!r.ok) return failure(op, r);
    return std::move(r.res);
  };
  using pg_detail::text;
  StoredModel out;
  Model& m = out.model;

  SORIGHTS_ASSIGN_OR_RETURN(pg_detail::Res meta, q("SELECT version FROM meta WHERE id = 1"));
  if (PQntuples(meta.get()) != 1) return data_loss("meta", "", "the meta row is missing");
  auto ver = pg_detail::to_int(text(meta.get(), 0, 0));
  if (!ver || *ver < 0) return data_loss("meta", "", "unreadable version");
  out.version = static_cast<std::uint64_t>(*ver);

  auto boolean = [&](const PGresult* r, int row, int col, const char* table, bool& dst) -> Result<void> {
    auto b = pg_detail::to_bool(text(r, row, col));
    if (!b) return data_loss(table, text(r, row, 0), std::string("column ") + PQfname(r, col) + " is not a boolean");
    dst = *b;
    return {};
  };
  auto integer = [&](const PGresult* r, int row, int col, const char* table, std::int64_t lo, std::int64_t hi,
                     std::int64_t& dst) -> Result<void> {
    auto v = pg_detail::to_int(text(r, row, col));
    if (!v || *v < lo || *v > hi)
      return data_loss(table, text(r, row, 0),
                       std::string("column ") + PQfname(r, col) + " holds " + dq(text(r, row, col)) +
                           ", out of range");
    dst = *v;
    return {};
  };
  // Child lists: owner -> values, in position order.
  auto lists = [&](const std::string& table, const char* key, const char* value)
      -> Result<std::unordered_map<std::string, std::vector<std::string>>> {
    SORIGHTS_ASSIGN_OR_RETURN(pg_detail::Res r, q(std::string("SELECT ") + key + ", " + value + " FROM " + table +
                                                  " ORDER BY " + key + ", position"));
    std::unordered_map<std::string, std::vector<std::string>> map;
    for (int i = 0, n = PQntuples(r.get()); i < n; ++i)
      map[std::string(text(r.get(), i, 0))].emplace_back(text(r.get(), i, 1));
    return map;
  };
  auto take = [](std::unordered_map<std::string, std::vector<std::string>>& map, const std::string& id) {
    auto it = map.find(id);
    if (it == map.end()) return std::vector<std::string>{};
    return std::move(it->second);
  };

  {
    SORIGHTS_ASSIGN_OR_RETURN(pg_detail::Res r, q("SELECT id, name, database_owner FROM our_companies ORDER BY position"));
    for (int i = 0, n = PQntuples(r.get()); i < n; ++i) {
      OurCompany c;
      c.id = text(r.get(), i, 0);
      c.name = text(r.get(), i, 1);
      SORIGHTS_TRY(boolean(r.get(), i, 2, "our_companies", c.database_owner));
      m.our_companies.push_back(std::move(c));
    }
  }
  {
    SORIGHTS_ASSIGN_OR_RETURN(pg_detail::Res r, q("SELECT id, name FROM groups ORDER BY position"));
    for (int i = 0, n = PQntuples(r.get()); i < n; ++i)
      m.groups.push_back(Group{std::string(text(r.get(), i, 0)), std::string(text(r.get(), i, 1))});
  }
  {
    SORIGHTS_ASSIGN_OR_RETURN(auto req, lists("licence_requires", "licence", "required"));
    SORIGHTS_ASSIGN_OR_RETURN(auto cal, lists("licence_cal_for", "licence", "object"));
    SORIGHTS_ASSIGN_OR_RETURN(pg_detail::Res r,
                              q("SELECT id, name, kind, count, unrestricted FROM licences ORDER BY position"));
    for (int i = 0, n = PQntuples(r.get()); i < n; ++i) {
      Licence l;
      l.id = text(r.get(), i, 0);
      l.name = text(r.get(), i, 1);
      std::string_view kind = text(r.get(), i, 2);
      if (kind == "site") l.kind = LicenceKind::kSite;
      else if (kind == "user") l.kind = LicenceKind::kUser;
      else return data_loss("licences", l.id, "kind " + dq(kind) + " is not a licence kind");
      std::int64_t count = 0;
      SORIGHTS_TRY(integer(r.get(), i, 3, "licences", 0, 4294967295LL, count));
      l.count = static_cast<std::uint32_t>(count);
      SORIGHTS_TRY(boolean(r.get(), i, 4, "licences", l.unrestricted));
      l.requires_licences = take(req, l.id);
      l.cal_for = take(cal, l.id);
      m.licences.push_back(std::move(l));
    }
  }
  {
    SORIGHTS_ASSIGN_OR_RETURN(auto lic, lists("plan_licences", "plan", "licence"));
    SORIGHTS_ASSIGN_OR_RETURN(pg_detail::Res r, q("SELECT id, name FROM plans ORDER BY position"));
    for (int i = 0, n = PQntuples(r.get()); i < n; ++i) {
      Plan p;
      p.id = text(r.get(), i, 0);
      p.name = text(r.get(), i, 1);
      p.licences = take(lic, p.id);
      m.plans.push_back(std::move(p));
    }
  }
  {
    SORIGHTS_ASSIGN_OR_RETURN(pg_detail::Res r,
                              q(schema_version >= 3
                                    ? "SELECT id, name, requires_licence, restrictive FROM functional_rights ORDER BY position"
                                    : "SELECT id, name, requires_licence, false FROM functional_rights ORDER BY position"));
    for (int i = 0, n = PQntuples(r.get()); i < n; ++i) {
      FunctionalRightDef f{std::string(text(r.get(), i, 0)), std::string(text(r.get(), i, 1)),
                           std::string(text(r.get(), i, 2))};
      SORIGHTS_TRY(boolean(r.get(), i, 3, "functional_rights", f.restrictive));
      m.functional_rights.push_back(std::move(f));
    }
  }
  {
    SORIGHTS_ASSIGN_OR_RETURN(pg_detail::Res r, q("SELECT id, name, empty_owner_is_user, visibility, completed_locked "
                                                  "FROM objects ORDER BY position"));
    for (int i = 0, n = PQntuples(r.get()); i < n; ++i) {
      DataObjectDef d;
      d.id = text(r.get(), i, 0);
      d.name = text(r.get(), i, 1);
      SORIGHTS_TRY(boolean(r.get(), i, 2, "objects", d.empty_owner_is_user));
      SORIGHTS_TRY(boolean(r.get(), i, 3, "objects", d.has_visibility));
      SORIGHTS_TRY(boolean(r.get(), i, 4, "objects", d.completed_is_locked));
      m.objects.push_back(std::move(d));
    }
  }
  {
    SORIGHTS_ASSIGN_OR_RETURN(auto rights, lists("role_rights", "role", "functional_right"));
    SORIGHTS_ASSIGN_OR_RETURN(pg_detail::Res cells, q("SELECT role, object, relation, rights FROM data_rights"));
    std::unordered_map<std::string, std::map<std::string, RelationCells>> matrix;
    for (int i = 0, n = PQntuples(cells.get()); i < n; ++i) {
      std::string role(text(cells.get(), i, 0));
      auto rel = parse_relation(text(cells.get(), i, 2));
      if (!rel) return data_loss("data_rights", role, "relation " + dq(text(cells.get(), i, 2)) + " is unknown");
      std::int64_t bits = 0;
      SORIGHTS_TRY(integer(cells.get(), i, 3, "data_rights", 0, 255, bits));
      matrix[role][std::string(text(cells.get(), i, 1))][static_cast<std::size_t>(*rel)] =
          TableRights::from_bits(static_cast<std::uint8_t>(bits));
    }
    SORIGHTS_ASSIGN_OR_RETURN(pg_detail::Res r, q("SELECT id, name, description, type FROM roles ORDER BY position"));
    for (int i = 0, n = PQntuples(r.get()); i < n; ++i) {
      Role role;
      role.id = text(r.get(), i, 0);
      role.name = text(r.get(), i, 1);
      role.description = text(r.get(), i, 2);
      auto type = parse_role_type(text(r.get(), i, 3));
      if (!type) return data_loss("roles", role.id, "type " + dq(text(r.get(), i, 3)) + " is not a role type");
      role.type = *type;
      if (auto it = matrix.find(role.id); it != matrix.end()) role.data_rights = std::move(it->second);
      role.functional_rights = take(rights, role.id);
      m.roles.push_back(std::move(role));
    }
  }
  {
    SORIGHTS_ASSIGN_OR_RETURN(pg_detail::Res r, q("SELECT position, role, object, field, relation, rights, ui_mandatory, "
                                                  "ui_read_only FROM field_rights ORDER BY position"));
    for (int i = 0, n = PQntuples(r.get()); i < n; ++i) {
      FieldRightRule f;
      f.role = text(r.get(), i, 1);
      f.object = text(r.get(), i, 2);
      f.field = text(r.get(), i, 3);
      auto rel = parse_relation(text(r.get(), i, 4));
      if (!rel) return data_loss("field_rights", text(r.get(), i, 0), "relation " + dq(text(r.get(), i, 4)) + " is unknown");
      f.relation = *rel;
      std::int64_t bits = 0;
      SORIGHTS_TRY(integer(r.get(), i, 5, "field_rights", 0, 255, bits));
      f.rights = FieldRights::from_bits(static_cast<std::uint32_t>(bits));
      SORIGHTS_TRY(boolean(r.get(), i, 6, "field_rights", f.ui_mandatory));
      SORIGHTS_TRY(boolean(r.get(), i, 7, "field_rights", f.ui_read_only));
      m.field_rights.push_back(std::move(f));
    }
  }
  {
    SORIGHTS_ASSIGN_OR_RETURN(pg_detail::Res r, q("SELECT position, level, target, object, scope, record, field, remove "
                                                  "FROM overrides ORDER BY position"));
    for (int i = 0, n = PQntuples(r.get()); i < n; ++i) {
      Override ov;
      std::string_view level = text(r.get(), i, 1), scope = text(r.get(), i, 4);
      if (level == "system") ov.level = OverrideLevel::kSystem;
      else if (level == "group") ov.level = OverrideLevel::kGroup;
      else if (level == "user") ov.level = OverrideLevel::kUser;
      else return data_loss("overrides", text(r.get(), i, 0), "level " + dq(level) + " is unknown");
      if (scope == "all") ov.scope = OverrideScope::kAll;
      else if (scope == "new") ov.scope = OverrideScope::kNew;
      else if (scope == "existing") ov.scope = OverrideScope::kExisting;
      else if (scope == "record") ov.scope = OverrideScope::kRecord;
      else return data_loss("overrides", text(r.get(), i, 0), "scope " + dq(scope) + " is unknown");
      ov.target = text(r.get(), i, 2);
      ov.object = text(r.get(), i, 3);
      ov.record = text(r.get(), i, 5);
      ov.field = text(r.get(), i, 6);
      std::int64_t bits = 0;
      SORIGHTS_TRY(integer(r.get(), i, 7, "overrides", 0, 255, bits));
      ov.remove = static_cast<std::uint8_t>(bits);
      m.overrides.push_back(std::move(ov));
    }
  }
  {
    SORIGHTS_ASSIGN_OR_RETURN(auto groups, lists("user_groups", "user_id", "group_id"));
    SORIGHTS_ASSIGN_OR_RETURN(auto lic, lists("user_licences", "user_id", "licence"));
    SORIGHTS_ASSIGN_OR_RETURN(auto proj, lists("user_projects", "user_id", "project"));
    SORIGHTS_ASSIGN_OR_RETURN(pg_detail::Res r,
                              q("SELECT id, type, name, person, company, role, primary_group, plan, can_log_in, "
                                "former_employee, retired FROM users ORDER BY position"));
    const int n = PQntuples(r.get());
    m.users.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      User u;
      u.id = text(r.get(), i, 0);
      auto type = parse_user_type(text(r.get(), i, 1));
      if (!type) return data_loss("users", u.id, "type " + dq(text(r.get(), i, 1)) + " is not a user type");
      u.type = *type;
      u.name = text(r.get(), i, 2);
      u.person = text(r.get(), i, 3);
      u.company = text(r.get(), i, 4);
      u.role = text(r.get(), i, 5);
      u.group = text(r.get(), i, 6);
      u.plan = text(r.get(), i, 7);
      SORIGHTS_TRY(boolean(r.get(), i, 8, "users", u.can_log_in));
      SORIGHTS_TRY(boolean(r.get(), i, 9, "users", u.former_employee));
      SORIGHTS_TRY(boolean(r.get(), i, 10, "users", u.retired));
      u.other_groups = take(groups, u.id);
      u.licences = take(lic, u.id);
      u.projects = take(proj, u.id);
      m.users.push_back(std::move(u));
    }
  }
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
  impl->server = pg_detail::describe_server(conninfo);
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
  pg_detail::Outcome o = pg_detail::exec(conn.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!o.ok) {
    conn.reset();
    return full();
  }
  struct Guard {
    Impl* self;
    ~Guard() { self->rollback(); }
  } guard{this};
  o = pg_detail::exec(conn.get(), "SELECT version FROM meta WHERE id = 1");
  if (!o.ok || PQntuples(o.res.get()) != 1) return full();
  auto stored = pg_detail::to_int(pg_detail::text(o.res.get(), 0, 0));
  if (!stored || *stored < 0) return full();
  const auto version = static_cast<std::uint64_t>(*stored);
  if (version == cache->version) return *cache;
  if (version < cache->version) return full();
  Params p;
  p.add(cache->version).add(version);
  o = pg_detail::exec(conn.get(),
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
    auto v = pg_detail::to_int(pg_detail::text(o.res.get(), i, 0));
    if (!v || static_cast<std::uint64_t>(*v) != cache->version + static_cast<std::uint64_t>(i) + 1) return full();
    Result<std::vector<Change>> changes = storage_detail::read_changes(pg_detail::text(o.res.get(), i, 1));
    if (!changes) return full();
    if (all.empty()) all = std::move(*changes);
    else all.insert(all.end(), std::make_move_iterator(changes->begin()), std::make_move_iterator(changes->end()));
  }
  // In place: on any failure the cache is dropped and every table read.
  if (!apply_in_place(cache->model, all)) return full();
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
  for (const Change& c : changes.changes) SORIGHTS_TRY(check_change(c));
  if (!pg_detail::storable(changes.actor))
    return Error(ErrorCode::kInvalidArgument, "the actor holds a NUL byte");
  if (changes.version <= changes.base_version)
    return Error(ErrorCode::kInvalidArgument, "the change set's version " + std::to_string(changes.version) +
                                                  " does not follow its base " + std::to_string(changes.base_version));
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->schema_version < kPostgresSchemaVersion)
    return Error(ErrorCode::kFailedPrecondition,
                 impl_->server + ": the store is at schema version " + std::to_string(impl_->schema_version) +
                     " (migrate_to); it cannot be written");
  const std::string json = storage_detail::write_changes(changes.changes);
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
  SORIGHTS_ASSIGN_OR_RETURN(pg_detail::Res r, impl_->run("version", "SELECT version FROM meta WHERE id = 1"));
  if (PQntuples(r.get()) != 1) return impl_->data_loss("meta", "", "the meta row is missing");
  auto v = pg_detail::to_int(pg_detail::text(r.get(), 0, 0));
  if (!v || *v < 0) return impl_->data_loss("meta", "", "unreadable version");
  return static_cast<std::uint64_t>(*v);
}

Result<void> PostgresStore::append_audit(const AuditEntry& entry) {
  if (!pg_detail::storable(entry.actor) || !pg_detail::storable(entry.reason))
    return Error(ErrorCode::kInvalidArgument, "the audit entry holds a NUL byte");
  std::lock_guard<std::mutex> lock(impl_->mu);
  Params p;
  p.add(entry.version).add(static_cast<std::int64_t>(entry.time)).add(entry.actor).add(entry.refused)
      .add(entry.reason).add(storage_detail::write_changes(entry.changes));
  SORIGHTS_ASSIGN_OR_RETURN(pg_detail::Res r,
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
  SORIGHTS_ASSIGN_OR_RETURN(pg_detail::Res r, impl_->run("audit", sql, &p));
  std::vector<AuditEntry> out;
  for (int i = 0, n = PQntuples(r.get()); i < n; ++i) {
    using pg_detail::text;
    const std::string seq(text(r.get(), i, 0));
    AuditEntry e;
    auto v = pg_detail::to_int(text(r.get(), i, 1));
    auto t = pg_detail::to_int(text(r.get(), i, 2));
    auto refused = pg_detail::to_bool(text(r.get(), i, 4));
    if (!v || *v < 0 || !t || !refused) return impl_->data_loss("audit_log", seq, "unreadable version, time or flag");
    e.version = static_cast<std::uint64_t>(*v);
    e.time = *t;
    e.actor = text(r.get(), i, 3);
    e.refused = *refused;
    e.reason = text(r.get(), i, 5);
    Result<std::vector<Change>> changes = storage_detail::read_changes(text(r.get(), i, 6));
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
