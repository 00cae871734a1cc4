// The SQLite store's keyed integrity check (integrity.hpp,
// docs/design/0003-integrity.md).
#include "integrity.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sqlite3.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sorights/model_describe.hpp"
#include "sqlite_schema.hpp"

SORIGHTS_BEGIN_NAMESPACE
namespace detail {

namespace {

// Format 1 sealed the model only; format 2 adds the audit chain and binds
// its head into the seal (docs/design/0009-tamper-evidence.md).
constexpr std::uint64_t kFormat = 2;
constexpr std::string_view kDomain = "sorights-integrity/1";
using Mac = std::array<unsigned char, 32>;

// One protected table: the columns sorights reads, in a fixed order (the
// encoding covers exactly these), the first `key_columns` of them being the
// primary key, and the column naming the entity a row belongs to.
struct TableSpec {
  const char* name;
  EntityKind kind;
  const char* owner;  // nullptr: the whole table is one entity (a list)
  std::size_t key_columns;
  std::vector<std::string> columns;
  // Columns added by a schema migration, encoded after `columns` only when
  // their value is not the integer 0 or the empty text (the default the
  // migration gives every existing row), so rows sealed before the migration keep their MACs while
  // any change of these columns is still a change.
  std::vector<std::string> added_columns{};
};

// Format 1 of the seal came with schema version 1: a column a later schema
// added is one of `added_columns`.
constexpr int kSealedSchema = 1;

// The tables of entity `T` (from its field list): its own table, then a child
// table per list (and the role matrix), in field order.
template <class T>
void add_tables(EntityKind kind, std::vector<TableSpec>& out) {
  using F = EntityFields<T>;
  constexpr bool kList = std::is_same_v<T, FieldRightRule> || std::is_same_v<T, Override>;
  TableSpec own{F::table.data(), kind, kList ? nullptr : "id", 1, {}};
  if (kList) own.columns.emplace_back("position");
  std::vector<TableSpec> children;
  for (const FieldInfo& f : F::fields) {
    if (f.kind == FieldKind::kList) {
      const std::string owner(F::owner);
      children.push_back({f.column.data(), kind, F::owner.data(), 2, {owner, "position", std::string(f.value_column)}});
    } else if (f.kind == FieldKind::kCustom && !kList) {  // the role matrix
      children.push_back({f.column.data(), kind, F::owner.data(), 3, {"role", "object", "relation", "crud"}});
    } else {
      (f.sqlite_since > kSealedSchema ? own.added_columns : own.columns).emplace_back(f.column);
    }
  }
  out.push_back(std::move(own));
  for (TableSpec& c : children) out.push_back(std::move(c));
}

// Every table that holds the model. The order is part of the seal.
const std::vector<TableSpec>& tables() {
  static const std::vector<TableSpec> t = [] {
    std::vector<TableSpec> out;
    add_tables<OurCompany>(EntityKind::kOurCompany, out);
    add_tables<Group>(EntityKind::kGroup, out);
    add_tables<Licence>(EntityKind::kLicence, out);
    add_tables<Plan>(EntityKind::kPlan, out);
    add_tables<FunctionalRightDef>(EntityKind::kFunctionalRight, out);
    add_tables<DataObjectDef>(EntityKind::kObject, out);
    add_tables<Role>(EntityKind::kRole, out);
    add_tables<FieldRightRule>(EntityKind::kFieldRights, out);
    add_tables<Override>(EntityKind::kOverrides, out);
    add_tables<User>(EntityKind::kUser, out);
    return out;
  }();
  return t;
}

// The columns of audit_log an audit MAC covers, in this order.
constexpr const char* kAuditColumns[] = {"seq", "version", "time", "actor", "refused", "reason", "changes"};
constexpr const char* kAuditSelect = "SELECT seq, version, time, actor, refused, reason, changes FROM audit_log";

constexpr const char* kIntegrityDdl = R"sql(
CREATE TABLE IF NOT EXISTS integrity_seal (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  format     INTEGER NOT NULL,
  key_check  BLOB NOT NULL,
  version    INTEGER NOT NULL,
  audit_seq  INTEGER NOT NULL,
  audit_mac  BLOB NOT NULL,
  mac        BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS integrity_audit (
  seq  INTEGER PRIMARY KEY,
  mac  BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS integrity_tables (
  tbl     TEXT PRIMARY KEY NOT NULL,
  rows    INTEGER NOT NULL,
  digest  BLOB NOT NULL,
  mac     BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS integrity_rows (
  tbl    TEXT NOT NULL,
  owner  TEXT NOT NULL,
  pk     TEXT NOT NULL,
  mac    BLOB NOT NULL,
  PRIMARY KEY (tbl, owner, pk)
) WITHOUT ROWID;
)sql";

// The canonical, unambiguous byte string a MAC is computed over: the domain
// and purpose first, then length-prefixed fields and big-endian integers.
class Encoder {
 public:
  void reset(std::string_view purpose) {
    buf_.clear();
    str(kDomain);
    str(purpose);
  }
  void u8(unsigned char v) { buf_.push_back(static_cast<char>(v)); }
  void u64(std::uint64_t v) {
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * (7 - i))) & 0xFFu);
    buf_.append(b, sizeof b);
  }
  void str(std::string_view s) {
    u64(s.size());
    buf_.append(s);
  }
  void mac(const Mac& m) { buf_.append(reinterpret_cast<const char*>(m.data()), m.size()); }
  // One SQLite value: a type tag, then the value.
  void value(sqlite3_stmt* s, int col) {
    switch (sqlite3_column_type(s, col)) {
      case SQLITE_NULL:
        u8(0);
        break;
      case SQLITE_INTEGER:
        u8(1);
        u64(static_cast<std::uint64_t>(sqlite3_column_int64(s, col)));
        break;
      case SQLITE_FLOAT: {
        u8(2);
        const double d = sqlite3_column_double(s, col);
        std::uint64_t bits = 0;
        std::memcpy(&bits, &d, sizeof bits);
        u64(bits);
        break;
      }
      case SQLITE_TEXT: {
        u8(3);
        const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
        str(std::string_view(t == nullptr ? "" : t, static_cast<std::size_t>(sqlite3_column_bytes(s, col))));
        break;
      }
      default: {
        u8(4);
        const auto* p = static_cast<const char*>(sqlite3_column_blob(s, col));
        const auto n = static_cast<std::size_t>(sqlite3_column_bytes(s, col));
        str(p == nullptr ? std::string_view() : std::string_view(p, n));
        break;
      }
    }
  }
  [[nodiscard]] std::string_view bytes() const { return buf_; }

 private:
  std::string buf_;
};

// HMAC-SHA-256 with one key, through OpenSSL 3's EVP_MAC.
class Hmac {
 public:
  Hmac() = default;
  Hmac(const Hmac&) = delete;
  Hmac& operator=(const Hmac&) = delete;
  ~Hmac() {
    EVP_MAC_CTX_free(ctx_);
    EVP_MAC_free(mac_);
  }
  bool init(std::string_view key) {
    mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac_ == nullptr) return false;
    ctx_ = EVP_MAC_CTX_new(mac_);
    if (ctx_ == nullptr) return false;
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    return EVP_MAC_init(ctx_, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) == 1;
  }
  // The MAC of `msg`; false if OpenSSL failed.
  bool compute(std::string_view msg, Mac& out) {
    std::size_t n = 0;
    // A null key re-initializes with the key given to init().
    return EVP_MAC_init(ctx_, nullptr, 0, nullptr) == 1 &&
           EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) == 1 &&
           EVP_MAC_final(ctx_, out.data(), &n, out.size()) == 1 && n == out.size();
  }

 private:
  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* ctx_ = nullptr;
};

bool same(const Mac& a, const Mac& b) { return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0; }

void xor_into(Mac& acc, const Mac& m) {
  for (std::size_t i = 0; i < acc.size(); ++i) acc[i] = static_cast<unsigned char>(acc[i] ^ m[i]);
}

Mac blob_mac(sqlite3_stmt* s, int col, bool& ok) {
  Mac m{};
  const void* p = sqlite3_column_blob(s, col);
  const auto n = static_cast<std::size_t>(sqlite3_column_bytes(s, col));
  ok = sqlite3_column_type(s, col) == SQLITE_BLOB && p != nullptr && n == m.size();
  if (ok) std::memcpy(m.data(), p, m.size());
  return m;
}

// A value of a row's key as people read it: "text" (with \" \\ \xNN
// escapes), 42, NULL. Together the key fields are unambiguous.
void append_display(std::string& out, sqlite3_stmt* s, int col) {
  switch (sqlite3_column_type(s, col)) {
    case SQLITE_NULL:
      out += "NULL";
      return;
    case SQLITE_INTEGER:
      out += std::to_string(sqlite3_column_int64(s, col));
      return;
    case SQLITE_FLOAT: {
      char buf[40];
      std::snprintf(buf, sizeof buf, "real(%.17g)", sqlite3_column_double(s, col));
      out += buf;
      return;
    }
    case SQLITE_TEXT: {
      const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
      const auto n = static_cast<std::size_t>(sqlite3_column_bytes(s, col));
      out += '"';
      for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(t[i]);
        if (c == '"' || c == '\\') {
          out += '\\';
          out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
      }
      out += '"';
      return;
    }
    default: {
      const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(s, col));
      const auto n = static_cast<std::size_t>(sqlite3_column_bytes(s, col));
      out += "x'";
      for (std::size_t i = 0; i < n; ++i) {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%02x", p[i]);
        out += buf;
      }
      out += '\'';
      return;
    }
  }
}

std::string column_text(sqlite3_stmt* s, int col) {
  const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
  return t == nullptr ? std::string() : std::string(t, static_cast<std::size_t>(sqlite3_column_bytes(s, col)));
}

// Problems found while checking: the first is reported, the rest counted.
struct Problems {
  std::string first;
  std::size_t count = 0;
  void add(std::string p) {
    if (count++ == 0) first = std::move(p);
  }
};

std::string row_name(const TableSpec& t, const std::string& key) {
  return "table " + std::string(t.name) + " row (" + key + ")";
}

int bind_none(sqlite3_stmt*) { return SQLITE_OK; }

// A schema object: (type, name, table), as sqlite_master has it.
using SchemaObject = std::tuple<std::string, std::string, std::string>;

// The objects a store of the current schema holds, the integrity tables
// included, read back from an in-memory database made with the same DDL (so
// the list cannot drift from the DDL). Null if that database could not be
// made (out of memory).
const std::set<SchemaObject>* expected_objects() {
  static const std::pair<bool, std::set<SchemaObject>> kExpected = [] {
    std::pair<bool, std::set<SchemaObject>> out{false, {}};
    sqlite3* mem = nullptr;
    if (sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) == SQLITE_OK &&
        sqlite3_exec(mem, current_schema().c_str(), nullptr, nullptr, nullptr) == SQLITE_OK &&
        sqlite3_exec(mem, kIntegrityDdl, nullptr, nullptr, nullptr) == SQLITE_OK) {
      sqlite3_stmt* s = nullptr;
      if (sqlite3_prepare_v2(mem, "SELECT type, name, tbl_name FROM sqlite_master", -1, &s, nullptr) == SQLITE_OK) {
        int rc = SQLITE_OK;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW)
          out.second.emplace(column_text(s, 0), column_text(s, 1), column_text(s, 2));
        out.first = rc == SQLITE_DONE;
      }
      sqlite3_finalize(s);
    }
    sqlite3_close(mem);
    return out;
  }();
  return kExpected.first ? &kExpected.second : nullptr;
}

// Adds a problem for every schema object sorights did not create, in the
// order they were created.
Result<void> find_unexpected_objects(sqlite3* db, const DbError& err, Problems& p) {
  const std::set<SchemaObject>* want = expected_objects();
  if (want == nullptr) return err(SQLITE_NOMEM, "building the expected schema");
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, sql IS NULL FROM sqlite_master ORDER BY rowid", -1,
                              &s, nullptr);
  if (rc == SQLITE_OK) {
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      SchemaObject o{column_text(s, 0), column_text(s, 1), column_text(s, 2)};
      const auto& [type, name, table] = o;
      if (want->contains(o)) continue;
      // SQLite's own: the indexes behind PRIMARY KEY and UNIQUE (no SQL of
      // their own; nobody else may take the sqlite_ prefix), AUTOINCREMENT's
      // counters and ANALYZE's statistics.
      const bool own_table = want->contains(SchemaObject{"table", table, table});
      if (type == "index" && name.starts_with("sqlite_autoindex_") && sqlite3_column_int(s, 3) == 1 && own_table)
        continue;
      if (type == "table" && name == table && (name == "sqlite_sequence" || name.starts_with("sqlite_stat")))
        continue;
      std::string what = "the store holds " + type + " \"" + name + "\"";
      if (type != "table" && type != "view") what += " on table \"" + table + "\"";
      p.add(what + ", which sorights did not create (it was added outside sorights)");
    }
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) return err(rc, "reading the schema");
  return {};
}

}  // namespace

Result<void> check_schema_objects(sqlite3* db, const std::string& path, const DbError& err) {
  Problems p;
  SORIGHTS_TRY(find_unexpected_objects(db, err, p));
  if (p.count == 0) return {};
  std::string msg = path + ": unexpected schema object: " + p.first;
  if (p.count > 1) msg += " (and " + std::to_string(p.count - 1) + " more)";
  return Error(ErrorCode::kDataLoss, msg);
}

struct Integrity::Impl {
  sqlite3* db = nullptr;
  std::string path;
  DbError err;
  Hmac hmac;
  Mac key_check{};
  Encoder enc;
  std::unordered_map<std::string, sqlite3_stmt*> cache;

  // One row as read: its key (for messages and integrity_rows.pk), owner and MAC.
  struct Row {
    std::string key;
    std::string owner;
    Mac mac{};
  };
  // A table's digest: how many rows, and the XOR of their MACs.
  struct Digest {
    std::int64_t rows = 0;
    Mac xor_of_macs{};
  };
  std::vector<Digest> digests;  // during a commit, one per tables() entry
  // The head of the audit chain: the last chained row's seq and MAC (0 and
  // zeros for an empty trail). Read from the seal by check_seal_row; moved
  // on by chain_audit.
  struct AuditHead {
    std::int64_t seq = 0;
    Mac mac{};
  };
  AuditHead head;

  ~Impl() {
    for (auto& [sql, stmt] : cache) sqlite3_finalize(stmt);
  }

  Error fail_check(const Problems& p, const std::string& suffix = {}) const {
    std::string msg = path + ": integrity check failed: " + p.first;
    if (p.count > 1) msg += " (and " + std::to_string(p.count - 1) + " more problems)";
    return Error(ErrorCode::kDataLoss, msg + suffix);
  }
  Error crypto_error() const {
    return Error(ErrorCode::kInternal, path + ": integrity check: HMAC-SHA-256 failed in OpenSSL");
  }

  Result<Mac> mac_of(std::string_view bytes) {
    Mac m{};
    if (!hmac.compute(bytes, m)) return crypto_error();
    return m;
  }

  // Runs `sql` with the values `bind` binds, calling `row(stmt)` for each row.
  template <class Bind, class RowFn>
  Result<void> each(const std::string& sql, const std::string& what, Bind&& bind, RowFn&& row) {
    sqlite3_stmt* s = nullptr;
    if (auto it = cache.find(sql); it != cache.end()) {
      s = it->second;
    } else {
      const int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &s, nullptr);
      if (rc != SQLITE_OK) return err(rc, what);
      cache.emplace(sql, s);
    }
    int rc = bind(s);
    if (rc == SQLITE_OK) {
      while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        Result<void> r = row(s);
        if (!r) {
          sqlite3_reset(s);
          sqlite3_clear_bindings(s);
          return r;
        }
      }
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE) return err(rc, what);
    return {};
  }
  Result<void> exec(const std::string& sql, const std::string& what) {
    return each(sql, what, bind_none, [](sqlite3_stmt*) -> Result<void> { return {}; });
  }

  // Calls `f(row)` for each row of table `t`; only those of entity `owner`
  // when given (a list table is one entity: all its rows).
  template <class F>
  Result<void> scan(const TableSpec& t, const std::string* owner, F&& f) {
    std::string sql = "SELECT ";
    for (std::size_t i = 0; i < t.columns.size(); ++i) sql += (i == 0 ? "" : ", ") + t.columns[i];
    for (const std::string& c : t.added_columns) sql += ", " + c;
    sql += " FROM " + std::string(t.name);
    const bool filter = owner != nullptr && t.owner != nullptr;
    if (filter) sql += " WHERE " + std::string(t.owner) + " = ?";
    return each(
        sql, "checking the integrity of table " + std::string(t.name),
        [&](sqlite3_stmt* s) {
          return filter ? sqlite3_bind_text(s, 1, owner->data(), static_cast<int>(owner->size()), SQLITE_TRANSIENT)
                        : SQLITE_OK;
        },
        [&](sqlite3_stmt* s) -> Result<void> {
          Row row;
          enc.reset("row");
          enc.str(t.name);
          const auto at_default = [&](std::size_t k) {
            const int col = static_cast<int>(t.columns.size() + k);
            const int type = sqlite3_column_type(s, col);
            return (type == SQLITE_INTEGER && sqlite3_column_int64(s, col) == 0) ||
                   (type == SQLITE_TEXT && sqlite3_column_bytes(s, col) == 0);
          };
          std::size_t added = 0;
          for (std::size_t k = 0; k < t.added_columns.size(); ++k) added += at_default(k) ? 0 : 1;
          enc.u64(t.columns.size() + added);
          for (std::size_t i = 0; i < t.columns.size(); ++i) {
            enc.str(t.columns[i]);
            enc.value(s, static_cast<int>(i));
          }
          for (std::size_t k = 0; k < t.added_columns.size(); ++k) {
            if (at_default(k)) continue;
            enc.str(t.added_columns[k]);
            enc.value(s, static_cast<int>(t.columns.size() + k));
          }
          if (!hmac.compute(enc.bytes(), row.mac)) return crypto_error();
          for (std::size_t i = 0; i < t.key_columns; ++i) {
            if (i > 0) row.key += ", ";
            row.key += t.columns[i] + "=";
            append_display(row.key, s, static_cast<int>(i));
          }
          if (t.owner != nullptr) row.owner = column_text(s, 0);  // the owner column comes first
          return f(row);
        });
  }

  // A seal entry: the stored MAC of one row.
  struct Entry {
    std::string owner;
    Mac mac{};
    bool well_formed = false;
    bool seen = false;
  };
  // The seal entries of table `t` (of entity `owner` when given), by key.
  // Two entries for one key (under two owners) go to `p`.
  Result<std::unordered_map<std::string, Entry>> entries(const TableSpec& t, const std::string* owner, Problems& p) {
    std::unordered_map<std::string, Entry> out;
    const std::string tbl = t.name;
    const bool filter = owner != nullptr;
    auto r = each(
        filter ? "SELECT pk, owner, mac FROM integrity_rows WHERE tbl = ? AND owner = ?"
               : "SELECT pk, owner, mac FROM integrity_rows WHERE tbl = ?",
        "reading the integrity seal of table " + tbl,
        [&](sqlite3_stmt* s) {
          int rc = sqlite3_bind_text(s, 1, tbl.data(), static_cast<int>(tbl.size()), SQLITE_TRANSIENT);
          if (rc == SQLITE_OK && filter)
            rc = sqlite3_bind_text(s, 2, owner->data(), static_cast<int>(owner->size()), SQLITE_TRANSIENT);
          return rc;
        },
        [&](sqlite3_stmt* s) -> Result<void> {
          Entry e;
          e.owner = column_text(s, 1);
          e.mac = blob_mac(s, 2, e.well_formed);
          std::string key = column_text(s, 0);
          if (!out.emplace(key, std::move(e)).second)
            p.add("the seal of " + row_name(t, key) + " appears twice in integrity_rows");
          return {};
        });
    if (!r) return std::move(r).error();
    return out;
  }

  // Compares the rows of table `t` (of entity `owner` when given) with their
  // seal entries; problems go to `p`, the rows' digest to `d`.
  Result<void> check_table(const TableSpec& t, const std::string* owner, Problems& p, Digest& d) {
    auto stored = entries(t, owner, p);
    if (!stored) return std::move(stored).error();
    SORIGHTS_TRY(scan(t, owner, [&](const Row& row) -> Result<void> {
      auto it = stored->find(row.key);
      if (it == stored->end()) {
        p.add(row_name(t, row.key) + " is not sealed: it was added outside sorights");
        return {};
      }
      Entry& e = it->second;
      if (e.seen) {
        p.add(row_name(t, row.key) + " appears twice");
        return {};
      }
      e.seen = true;
      if (!e.well_formed || !same(row.mac, e.mac) || e.owner != row.owner) {
        p.add(row_name(t, row.key) + " was changed outside sorights");
        return {};
      }
      ++d.rows;
      xor_into(d.xor_of_macs, row.mac);
      return {};
    }));
    for (const auto& [key, e] : *stored)
      if (!e.seen) p.add(row_name(t, key) + " was deleted outside sorights");
    return {};
  }

  Result<void> check_schema(Problems& p) { return find_unexpected_objects(db, err, p); }

  // The MAC of the audit row `s` (the columns of kAuditSelect) chained to
  // the MAC `prev` of the row before it (zeros for the first).
  Result<Mac> audit_mac(sqlite3_stmt* s, const Mac& prev) {
    enc.reset("audit");
    enc.mac(prev);
    enc.u64(std::size(kAuditColumns));
    for (std::size_t i = 0; i < std::size(kAuditColumns); ++i) {
      enc.str(kAuditColumns[i]);
      enc.value(s, static_cast<int>(i));
    }
    return mac_of(enc.bytes());
  }

  // Walks the audit trail in seq order against its chain (integrity_audit)
  // and the head the seal records; problems go to `p`, the first bad row
  // first. Each row's MAC is recomputed from the stored MAC of the entry
  // before it, so one bad row does not make every later row bad.
  Result<void> check_audit(Problems& p) {
    // The chain entries are stepped alongside the rows (both in seq order),
    // so memory stays constant however long the trail.
    struct Links {
      sqlite3_stmt* s = nullptr;
      ~Links() { sqlite3_finalize(s); }
    } links;
    int rc = sqlite3_prepare_v2(db, "SELECT seq, mac FROM integrity_audit ORDER BY seq", -1, &links.s, nullptr);
    if (rc != SQLITE_OK) return err(rc, "reading the audit chain");
    struct Link {
      std::int64_t seq = 0;
      Mac mac{};
      bool well_formed = false;
    } link;
    bool have = false;  // `link` holds the next unmatched entry
    auto next = [&]() -> Result<void> {
      rc = sqlite3_step(links.s);
      have = rc == SQLITE_ROW;
      if (have) {
        link.seq = sqlite3_column_int64(links.s, 0);
        link.mac = blob_mac(links.s, 1, link.well_formed);
      } else if (rc != SQLITE_DONE) {
        return err(rc, "reading the audit chain");
      }
      return {};
    };
    SORIGHTS_TRY(next());
    auto row = [](std::int64_t seq) { return "table audit_log row (seq=" + std::to_string(seq) + ")"; };
    Mac prev{};
    std::int64_t prev_seq = 0;  // 0: no row before
    // An entry whose row is gone: the chain goes on from its MAC.
    auto deleted = [&]() -> Result<void> {
      p.add(row(link.seq) + " was deleted outside sorights");
      prev = link.mac;
      prev_seq = link.seq;
      return next();
    };
    SORIGHTS_TRY(each(std::string(kAuditSelect) + " ORDER BY seq", "checking the audit chain", bind_none,
                      [&](sqlite3_stmt* s) -> Result<void> {
                        const std::int64_t seq = sqlite3_column_int64(s, 0);
                        while (have && link.seq < seq) SORIGHTS_TRY(deleted());
                        if (!have || link.seq != seq) {
                          p.add(row(seq) + " is not in the audit chain: it was added outside sorights");
                          return {};
                        }
                        auto m = audit_mac(s, prev);
                        if (!m) return std::move(m).error();
                        if (!link.well_formed || !same(*m, link.mac)) {
                          if (seq - prev_seq > 1)
                            p.add(row(seq) + " does not follow " +
                                  (prev_seq == 0 ? std::string("the start of the audit chain")
                                                 : "row (seq=" + std::to_string(prev_seq) + ")") +
                                  ": it was changed, or the rows before it were deleted, outside sorights");
                          else
                            p.add(row(seq) + " was changed outside sorights");
                        }
                        prev = link.mac;
                        prev_seq = seq;
                        return next();
                      }));
    while (have) SORIGHTS_TRY(deleted());
    // The end of the chain must be the head the seal vouches for.
    if (prev_seq < head.seq) {
      p.add("table audit_log: the rows after seq " + std::to_string(prev_seq) + " up to seq " +
            std::to_string(head.seq) + " were deleted outside sorights (the audit trail was truncated)");
    } else if (prev_seq > head.seq) {
      p.add(row(prev_seq) + " is beyond the end of the sealed audit chain (seq " + std::to_string(head.seq) +
            "): it was added outside sorights");
    } else if (!same(prev, head.mac)) {
      p.add("table audit_log: the end of the audit chain does not match the seal (rows and chain entries were "
            "changed outside sorights)");
    }
    return {};
  }

  Result<Mac> table_mac(const TableSpec& t, const Digest& d) {
    enc.reset("table");
    enc.str(t.name);
    enc.u64(static_cast<std::uint64_t>(d.rows));
    enc.mac(d.xor_of_macs);
    return mac_of(enc.bytes());
  }
  Result<Mac> seal_mac(std::uint64_t version, const std::vector<Digest>& ds) {
    enc.reset("seal");
    enc.u64(kFormat);
    enc.u64(version);
    enc.u64(static_cast<std::uint64_t>(head.seq));
    enc.mac(head.mac);
    enc.u64(tables().size());
    for (std::size_t i = 0; i < tables().size(); ++i) {
      enc.str(tables()[i].name);
      enc.u64(static_cast<std::uint64_t>(ds[i].rows));
      enc.mac(ds[i].xor_of_macs);
    }
    return mac_of(enc.bytes());
  }

  // The seal row's MAC, as check_seal_row read it.
  struct StoredSeal {
    Mac mac{};
    bool well_formed = false;
  };

  // The seal row (check_seal_row), then the schema (into `p`): where every
  // check of a sealed store starts.
  Result<StoredSeal> seal_and_schema(Problems& p) {
    StoredSeal seal;
    SORIGHTS_TRY(check_seal_row(seal.mac, seal.well_formed));
    SORIGHTS_TRY(check_schema(p));
    return seal;
  }

  // Adds a problem unless the stored seal matches `version` and the stored
  // table digests.
  Result<void> check_seal(std::uint64_t version, const std::vector<Digest>& ds, const StoredSeal& stored,
                          Problems& p) {
    auto expected = seal_mac(version, ds);
    if (!expected) return std::move(expected).error();
    if (!stored.well_formed || !same(*expected, stored.mac))
      p.add("the store's seal does not match its version " + std::to_string(version) +
            " and the end of its audit chain (meta, integrity_seal or integrity_audit was changed outside "
            "sorights)");
    return {};
  }

  // The seal row: present, of a known format, made with this key.
  // Returns its stored MAC in `stored_mac`.
  Result<void> check_seal_row(Mac& stored_mac, bool& mac_ok) {
    auto sealed = integrity_sealed(db, err);
    if (!sealed) return std::move(sealed).error();
    if (!*sealed)
      return Error(ErrorCode::kFailedPrecondition,
                   path + ": the store holds no integrity seal, but an integrity key was given: seal it once "
                          "with SqliteStore::seal() after checking its content, or open it without a key");
    int rows = 0;
    std::int64_t format = 0;
    bool key_ok = false;
    SORIGHTS_TRY(each("SELECT format, key_check, mac FROM integrity_seal", "reading the integrity seal",
                             bind_none, [&](sqlite3_stmt* s) -> Result<void> {
                               ++rows;
                               format = sqlite3_column_int64(s, 0);
                               bool well_formed = false;
                               const Mac stored_check = blob_mac(s, 1, well_formed);
                               key_ok = well_formed && same(key_check, stored_check);
                               stored_mac = blob_mac(s, 2, mac_ok);
                               return {};
                             }));
    if (rows != 1)
      return Error(ErrorCode::kDataLoss, path + ": integrity check failed: table integrity_seal holds " +
                                             std::to_string(rows) + " rows instead of one");
    if (format > static_cast<std::int64_t>(kFormat))
      return Error(ErrorCode::kUnavailable, path + ": the integrity seal has format " + std::to_string(format) +
                                                ", newer than this build reads (" + std::to_string(kFormat) + ")");
    if (format == 1)
      return Error(ErrorCode::kFailedPrecondition,
                   path + ": the store was sealed by an older build (integrity format 1, without the audit chain): "
                          "check its content and seal it again with SqliteStore::seal()");
    if (format != static_cast<std::int64_t>(kFormat))
      return Error(ErrorCode::kDataLoss,
                   path + ": integrity check failed: invalid integrity seal format " + std::to_string(format));
    if (!key_ok)
      return Error(ErrorCode::kFailedPrecondition,
                   path + ": integrity check failed: the store was sealed with another integrity key (or its "
                          "seal was replaced)");
    bool head_ok = false;
    SORIGHTS_TRY(each("SELECT audit_seq, audit_mac FROM integrity_seal", "reading the integrity seal", bind_none,
                      [&](sqlite3_stmt* s) -> Result<void> {
                        head.seq = sqlite3_column_int64(s, 0);
                        head.mac = blob_mac(s, 1, head_ok);
                        return {};
                      }));
    // A malformed head cannot match the seal's MAC; check_seal says so.
    if (!head_ok) head.mac = Mac{};
    // The other integrity tables: dropping one is tampering, not an I/O error.
    for (const char* t : {"integrity_tables", "integrity_rows", "integrity_audit"}) {
      bool present = false;
      SORIGHTS_TRY(each(std::string("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '") + t + "'",
                        "reading the schema", bind_none, [&](sqlite3_stmt*) -> Result<void> {
                          present = true;
                          return {};
                        }));
      if (!present)
        return Error(ErrorCode::kDataLoss, path + ": integrity check failed: the store is sealed, but its table " +
                                               t + " is missing (dropped outside sorights)");
    }
    return {};
  }

  // The table digests of integrity_tables, each checked against its MAC;
  // problems go to `p`.
  Result<std::vector<Digest>> stored_digests(Problems& p) {
    std::vector<Digest> out(tables().size());
    std::vector<bool> found(tables().size(), false);
    SORIGHTS_TRY(each(
        "SELECT tbl, rows, digest, mac FROM integrity_tables", "reading the integrity seal", bind_none,
        [&](sqlite3_stmt* s) -> Result<void> {
          const std::string tbl = column_text(s, 0);
          std::size_t i = 0;
          while (i < tables().size() && tables()[i].name != tbl) ++i;
          if (i == tables().size()) {
            p.add("table integrity_tables names an unknown table \"" + tbl + "\"");
            return {};
          }
          Digest d;
          d.rows = sqlite3_column_int64(s, 1);
          bool digest_ok = false, mac_ok = false;
          d.xor_of_macs = blob_mac(s, 2, digest_ok);
          const Mac stored = blob_mac(s, 3, mac_ok);
          auto expected = table_mac(tables()[i], d);
          if (!expected) return std::move(expected).error();
          if (found[i] || !digest_ok || !mac_ok || !same(*expected, stored)) {
            p.add("table " + tbl + ": its seal in integrity_tables was changed outside sorights");
            return {};
          }
          found[i] = true;
          out[i] = d;
          return {};
        }));
    for (std::size_t i = 0; i < tables().size(); ++i)
      if (!found[i]) p.add("table " + std::string(tables()[i].name) + ": its seal in integrity_tables is missing");
    return out;
  }

  Result<void> write_entry(const TableSpec& t, const Row& row) {
    return each(
        "INSERT INTO integrity_rows (tbl, pk, owner, mac) VALUES (?, ?, ?, ?)",
        "sealing table " + std::string(t.name),
        [&](sqlite3_stmt* s) {
          int rc = sqlite3_bind_text(s, 1, t.name, -1, SQLITE_STATIC);
          if (rc == SQLITE_OK)
            rc = sqlite3_bind_text(s, 2, row.key.data(), static_cast<int>(row.key.size()), SQLITE_TRANSIENT);
          if (rc == SQLITE_OK)
            rc = sqlite3_bind_text(s, 3, row.owner.data(), static_cast<int>(row.owner.size()), SQLITE_TRANSIENT);
          if (rc == SQLITE_OK)
            rc = sqlite3_bind_blob(s, 4, row.mac.data(), static_cast<int>(row.mac.size()), SQLITE_TRANSIENT);
          return rc;
        },
        [](sqlite3_stmt*) -> Result<void> { return {}; });
  }

  // One link of the audit chain: the MAC of audit row `seq`. A stale
  // entry at that seq (beyond the sealed head, so never vouched for) is
  // replaced.
  Result<void> write_link(std::int64_t seq, const Mac& mac) {
    return each(
        "INSERT OR REPLACE INTO integrity_audit (seq, mac) VALUES (?, ?)", "chaining the audit trail",
        [&](sqlite3_stmt* s) {
          int rc = sqlite3_bind_int64(s, 1, seq);
          if (rc == SQLITE_OK) rc = sqlite3_bind_blob(s, 2, mac.data(), static_cast<int>(mac.size()), SQLITE_TRANSIENT);
          return rc;
        },
        [](sqlite3_stmt*) -> Result<void> { return {}; });
  }

  // Writes every table digest (unless `seal_only`) and the seal row for
  // `version` and the current audit head.
  Result<void> write_seal(std::uint64_t version, bool seal_only = false) {
    for (std::size_t i = 0; i < tables().size() && !seal_only; ++i) {
      const TableSpec& t = tables()[i];
      auto m = table_mac(t, digests[i]);
      if (!m) return std::move(m).error();
      SORIGHTS_TRY(each(
          "INSERT OR REPLACE INTO integrity_tables (tbl, rows, digest, mac) VALUES (?, ?, ?, ?)",
          "sealing table " + std::string(t.name),
          [&](sqlite3_stmt* s) {
            int rc = sqlite3_bind_text(s, 1, t.name, -1, SQLITE_STATIC);
            if (rc == SQLITE_OK) rc = sqlite3_bind_int64(s, 2, digests[i].rows);
            if (rc == SQLITE_OK)
              rc = sqlite3_bind_blob(s, 3, digests[i].xor_of_macs.data(), 32, SQLITE_TRANSIENT);
            if (rc == SQLITE_OK) rc = sqlite3_bind_blob(s, 4, m->data(), 32, SQLITE_TRANSIENT);
            return rc;
          },
          [](sqlite3_stmt*) -> Result<void> { return {}; }));
    }
    auto seal = seal_mac(version, digests);
    if (!seal) return std::move(seal).error();
    return each(
        "INSERT OR REPLACE INTO integrity_seal (id, format, key_check, version, audit_seq, audit_mac, mac) "
        "VALUES (1, ?, ?, ?, ?, ?, ?)",
        "sealing the store",
        [&](sqlite3_stmt* s) {
          int rc = sqlite3_bind_int64(s, 1, static_cast<std::int64_t>(kFormat));
          if (rc == SQLITE_OK) rc = sqlite3_bind_blob(s, 2, key_check.data(), 32, SQLITE_TRANSIENT);
          if (rc == SQLITE_OK) rc = sqlite3_bind_int64(s, 3, static_cast<std::int64_t>(version));
          if (rc == SQLITE_OK) rc = sqlite3_bind_int64(s, 4, head.seq);
          if (rc == SQLITE_OK) rc = sqlite3_bind_blob(s, 5, head.mac.data(), 32, SQLITE_TRANSIENT);
          if (rc == SQLITE_OK) rc = sqlite3_bind_blob(s, 6, seal->data(), 32, SQLITE_TRANSIENT);
          return rc;
        },
        [](sqlite3_stmt*) -> Result<void> { return {}; });
  }
};

Result<bool> integrity_sealed(sqlite3* db, const DbError& err) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'integrity_seal'", -1,
                              &s, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(s);
    return err(rc, "reading the schema");
  }
  rc = sqlite3_step(s);
  sqlite3_finalize(s);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return err(rc, "reading the schema");
}

void wipe(std::string& s) noexcept {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

Result<std::unique_ptr<Integrity>> Integrity::open(sqlite3* db, std::string path, std::string_view key, DbError err) {
  if (key.size() < kMinIntegrityKeyBytes)
    return Error(ErrorCode::kInvalidArgument, path + ": the integrity key has " + std::to_string(key.size()) +
                                                  " bytes; it needs at least " +
                                                  std::to_string(kMinIntegrityKeyBytes));
  auto impl = std::make_unique<Impl>();
  impl->db = db;
  impl->path = std::move(path);
  impl->err = std::move(err);
  if (!impl->hmac.init(key)) return impl->crypto_error();
  impl->enc.reset("key-check");
  auto check = impl->mac_of(impl->enc.bytes());
  if (!check) return std::move(check).error();
  impl->key_check = *check;
  return std::unique_ptr<Integrity>(new Integrity(std::move(impl)));
}

Integrity::Integrity(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Integrity::~Integrity() = default;

Result<void> Integrity::seal_all(std::uint64_t version) {
  Impl& d = *impl_;
  Problems unexpected;
  SORIGHTS_TRY(d.check_schema(unexpected));
  if (unexpected.count > 0)
    return Error(ErrorCode::kFailedPrecondition, d.path + ": not sealed: " + unexpected.first);
  // A seal of format 1 has no audit head: its table is made anew.
  SORIGHTS_TRY(d.exec("DROP TABLE IF EXISTS integrity_seal", "sealing the store"));
  {
    char* msg = nullptr;
    const int rc = sqlite3_exec(d.db, kIntegrityDdl, nullptr, nullptr, &msg);
    sqlite3_free(msg);
    if (rc != SQLITE_OK) return d.err(rc, "creating the integrity tables");
  }
  SORIGHTS_TRY(d.exec("DELETE FROM integrity_rows", "sealing the store"));
  SORIGHTS_TRY(d.exec("DELETE FROM integrity_tables", "sealing the store"));
  SORIGHTS_TRY(d.exec("DELETE FROM integrity_audit", "sealing the store"));
  d.digests.assign(tables().size(), Impl::Digest{});
  for (std::size_t i = 0; i < tables().size(); ++i) {
    const TableSpec& t = tables()[i];
    SORIGHTS_TRY(d.scan(t, nullptr, [&](const Impl::Row& row) -> Result<void> {
      SORIGHTS_TRY(d.write_entry(t, row));
      ++d.digests[i].rows;
      xor_into(d.digests[i].xor_of_macs, row.mac);
      return {};
    }));
  }
  // The audit trail as it stands starts the chain.
  d.head = Impl::AuditHead{};
  SORIGHTS_TRY(d.each(std::string(kAuditSelect) + " ORDER BY seq", "sealing the audit trail", bind_none,
                      [&](sqlite3_stmt* s) -> Result<void> {
                        auto m = d.audit_mac(s, d.head.mac);
                        if (!m) return std::move(m).error();
                        d.head = {sqlite3_column_int64(s, 0), *m};
                        return d.write_link(d.head.seq, *m);
                      }));
  return d.write_seal(version);
}

Result<void> Integrity::verify_all(std::uint64_t version) {
  Impl& d = *impl_;
  Problems p;
  auto seal = d.seal_and_schema(p);
  if (!seal) return std::move(seal).error();
  // Rows first: they are what a problem is best named by.
  if (p.count > 0) return d.fail_check(p);
  std::vector<Impl::Digest> computed(tables().size());
  for (std::size_t i = 0; i < tables().size(); ++i)
    SORIGHTS_TRY(d.check_table(tables()[i], nullptr, p, computed[i]));
  if (p.count > 0) return d.fail_check(p);
  auto stored = d.stored_digests(p);
  if (!stored) return std::move(stored).error();
  if (p.count > 0) return d.fail_check(p);
  for (std::size_t i = 0; i < tables().size(); ++i) {
    const auto& want = (*stored)[i];
    const auto& got = computed[i];
    const std::string tbl = tables()[i].name;
    if (got.rows < want.rows) {
      const auto missing = want.rows - got.rows;
      p.add("table " + tbl + ": " + std::to_string(missing) + (missing == 1 ? " sealed row is" : " sealed rows are") +
            " missing (deleted outside sorights together with the seal entries)");
    } else if (got.rows != want.rows || !same(got.xor_of_macs, want.xor_of_macs)) {
      p.add("table " + tbl + ": its rows do not match the table's seal (rows and seal entries were changed "
            "outside sorights)");
    }
  }
  if (p.count > 0) return d.fail_check(p);
  SORIGHTS_TRY(d.check_audit(p));
  if (p.count > 0) return d.fail_check(p);
  SORIGHTS_TRY(d.check_seal(version, *stored, *seal, p));
  if (p.count > 0) return d.fail_check(p);
  return {};
}

Result<void> Integrity::begin_commit(std::uint64_t version) {
  Impl& d = *impl_;
  Problems p;
  auto seal = d.seal_and_schema(p);
  if (!seal) return std::move(seal).error();
  auto stored = d.stored_digests(p);
  if (!stored) return std::move(stored).error();
  if (p.count == 0) SORIGHTS_TRY(d.check_seal(version, *stored, *seal, p));
  if (p.count > 0) return d.fail_check(p, "; nothing was written");
  d.digests = std::move(*stored);
  return {};
}

Result<void> Integrity::check_entity(EntityKind kind, const std::string& id) {
  Impl& d = *impl_;
  Problems p;
  for (const TableSpec& t : tables()) {
    if (t.kind != kind) continue;
    const std::string owner = t.owner != nullptr ? id : std::string();
    Impl::Digest ignored;
    SORIGHTS_TRY(d.check_table(t, &owner, p, ignored));
  }
  if (p.count > 0) return d.fail_check(p, "; nothing was written");
  return {};
}

Result<void> Integrity::reseal_entity(EntityKind kind, const std::string& id) {
  Impl& d = *impl_;
  for (std::size_t i = 0; i < tables().size(); ++i) {
    const TableSpec& t = tables()[i];
    if (t.kind != kind) continue;
    const std::string owner = t.owner != nullptr ? id : std::string();
    const std::string tbl = t.name;
    Impl::Digest& dg = d.digests[i];
    auto bind = [&](sqlite3_stmt* s) {
      int rc = sqlite3_bind_text(s, 1, tbl.data(), static_cast<int>(tbl.size()), SQLITE_TRANSIENT);
      if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(s, 2, owner.data(), static_cast<int>(owner.size()), SQLITE_TRANSIENT);
      return rc;
    };
    // Out with the entity's old entries (check_entity found them right)...
    SORIGHTS_TRY(d.each("SELECT mac FROM integrity_rows WHERE tbl = ? AND owner = ?", "sealing table " + tbl,
                               bind, [&](sqlite3_stmt* s) -> Result<void> {
                                 bool ok = false;
                                 const Mac m = blob_mac(s, 0, ok);
                                 --dg.rows;
                                 xor_into(dg.xor_of_macs, m);
                                 return {};
                               }));
    SORIGHTS_TRY(d.each("DELETE FROM integrity_rows WHERE tbl = ? AND owner = ?", "sealing table " + tbl, bind,
                               [](sqlite3_stmt*) -> Result<void> { return {}; }));
    // ...in with the rows just written.
    SORIGHTS_TRY(d.scan(t, &owner, [&](const Impl::Row& row) -> Result<void> {
      SORIGHTS_TRY(d.write_entry(t, row));
      ++dg.rows;
      xor_into(dg.xor_of_macs, row.mac);
      return {};
    }));
  }
  return {};
}

Result<void> Integrity::finish_commit(std::uint64_t version) { return impl_->write_seal(version); }

Result<void> Integrity::chain_audit(std::int64_t seq) {
  Impl& d = *impl_;
  if (seq <= d.head.seq)
    return Error(ErrorCode::kDataLoss, d.path + ": integrity check failed: the new audit row would take seq " +
                                           std::to_string(seq) + ", but the audit chain already reaches seq " +
                                           std::to_string(d.head.seq) +
                                           " (audit_log or sqlite_sequence was changed outside sorights); nothing "
                                           "was written");
  bool found = false;
  Mac mac{};
  SORIGHTS_TRY(d.each(
      std::string(kAuditSelect) + " WHERE seq = ?", "chaining the audit trail",
      [&](sqlite3_stmt* s) { return sqlite3_bind_int64(s, 1, seq); },
      [&](sqlite3_stmt* s) -> Result<void> {
        auto m = d.audit_mac(s, d.head.mac);
        if (!m) return std::move(m).error();
        mac = *m;
        found = true;
        return {};
      }));
  if (!found)
    return Error(ErrorCode::kInternal, d.path + ": the audit row seq " + std::to_string(seq) + " to chain is missing");
  SORIGHTS_TRY(d.write_link(seq, mac));
  d.head = {seq, mac};
  return {};
}

Result<void> Integrity::finish_audit(std::uint64_t version) { return impl_->write_seal(version, true); }

}  // namespace detail
SORIGHTS_END_NAMESPACE
