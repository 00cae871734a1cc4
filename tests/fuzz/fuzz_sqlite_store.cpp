// Fuzz target: SQLite stores with tampered rows. A store holding the demo
// model (and an audit trail with a commit and a refusal) is made once; each
// input is a list of raw row edits applied to a fresh copy of it through
// SQLite itself, with foreign keys off and, when the first byte says so,
// CHECK constraints off too (a file changed by hand or by another tool):
// UPDATE one column of one row to a fuzzer value or to a value found
// elsewhere in the file, DELETE a row, INSERT a copy of a row with one column
// changed, INSERT a row of fuzzer values. Tables and columns are discovered
// at run time (sqlite_master, PRAGMA table_info), so a schema change needs no
// change here.
//
// Then the store is opened as the library would: open(), version(), load(),
// audit() each give a value or an error with a message, never a crash, a hang
// or a leak. A loaded model is compiled: compile() succeeds exactly when
// validate() finds nothing; it exports, and a valid model's export imports
// back to a model with the same export. Directory::open() gives a valid model
// or an error, and a small commit on top gives the next version or an error.
// Inputs that once failed are kept in corpus/sqlite_store/regress-*.
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "sorights/directory.hpp"
#include "sorights/storage/model_file.hpp"
#include "sorights/snapshot.hpp"
#include "sorights/storage/sqlite_store.hpp"

#ifndef SORIGHTS_FUZZ_DEMO_MODEL
#error "SORIGHTS_FUZZ_DEMO_MODEL (the path of examples/demo-model.json) is set by tests/fuzz/CMakeLists.txt"
#endif

namespace {

namespace fs = std::filesystem;
using namespace sorights;

constexpr int kMaxEdits = 16;
constexpr std::size_t kMaxValueBytes = 64;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "fuzz_sqlite_store: %s\n", what.c_str());
  std::abort();
}

// The fuzzer's bytes, read front to back; zeros once they run out.
class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  [[nodiscard]] bool empty() const { return pos_ >= size_; }
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : (std::size_t{byte()} << 8 | byte()) % n; }
  std::int64_t int64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | byte();
    return static_cast<std::int64_t>(v);
  }
  std::string text() {
    const std::size_t n = std::min<std::size_t>(byte() % (kMaxValueBytes + 1), size_ - std::min(pos_, size_));
    std::string s(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return s;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

struct Table {
  std::string name;
  std::vector<std::string> columns;
};

struct Template {
  fs::path root, file;
  std::string bytes;  // the store file, checkpointed
  std::vector<Table> tables;
};

std::string quote(std::string_view id) {
  std::string q = "\"";
  for (char c : id) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// Runs `sql` with `bind` binding its parameters; calls `row` per result row.
template <class Bind, class Row>
int exec(sqlite3* db, const std::string& sql, Bind bind, Row row) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &s, nullptr);
  if (rc != SQLITE_OK) return rc;
  bind(s);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) row(s);
  sqlite3_finalize(s);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}
int exec(sqlite3* db, const std::string& sql) {
  return exec(db, sql, [](sqlite3_stmt*) {}, [](sqlite3_stmt*) {});
}

std::vector<Table> discover(sqlite3* db) {
  std::vector<Table> tables;
  exec(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
       [](sqlite3_stmt*) {},
       [&](sqlite3_stmt* s) { tables.push_back({reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), {}}); });
  for (Table& t : tables)
    exec(db, "PRAGMA table_info(" + quote(t.name) + ")", [](sqlite3_stmt*) {}, [&](sqlite3_stmt* s) {
      t.columns.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 1)));
    });
  return tables;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Made on first use and never destroyed, so the exit handler may use it.
const Template& the_template() {
  static const Template& t = *new Template([] {
    Template r;
    std::error_code ec;
    const fs::path base = fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0
                              ? fs::path("/dev/shm")
                              : fs::temp_directory_path();
    std::string tmpl = (base / "sorights-fuzz-sqlite-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) die("mkdtemp failed in " + base.string());
    r.root = tmpl;
    r.file = r.root / "store.db";
    const fs::path made = r.root / "template.db";
    {
      auto store = SqliteStore::open(made.string(), {.create = true});
      if (!store) die(store.error().message);
      auto dir = Directory::open(std::shared_ptr<SqliteStore>(std::move(*store).release()));
      if (!dir) die(dir.error().message);
      auto tx = (*dir)->begin();
      if (!tx) die(tx.error().message);
      auto model = parse_model_file(slurp(SORIGHTS_FUZZ_DEMO_MODEL), tx->base(), {});
      if (!model) die(model.error().message);
      if (auto staged = tx->stage_model(std::move(*model)); !staged) die(staged.error().message);
      if (auto done = tx->commit(); !done) die(done.error().message);
      // A refused change (bob is no list administrator): a second kind of audit row.
      auto refused = (*dir)->begin("bob");
      if (!refused) die(refused.error().message);
      if (auto put = refused->put_group({"hr", "Human resources"}); !put) die(put.error().message);
      if (refused->commit()) die("bob's change should have been refused");
    }  // closing the last connection checkpoints the WAL into the file
    r.bytes = slurp(made);
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(made.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) die("cannot reopen");
    r.tables = discover(db);
    sqlite3_close(db);
    if (r.tables.empty()) die("no tables found");
    return r;
  }());
  static const int cleanup = std::atexit([] {
    std::error_code e;
    fs::remove_all(the_template().root, e);
  });
  (void)cleanup;
  return t;
}

// A value for a column: a fuzzer integer, text or blob, NULL, a real, a
// small integer, or a value copied from some cell of the store.
void bind_value(sqlite3* db, sqlite3_stmt* s, int index, Bytes& in, const std::vector<Table>& tables) {
  auto bind_text = [&](const std::string& t) {
    sqlite3_bind_text(s, index, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
  };
  switch (in.byte() % 8) {
    case 0: sqlite3_bind_int64(s, index, in.int64()); break;
    case 1:
    case 2: bind_text(in.text()); break;
    case 3: {
      const std::string b = in.text();
      sqlite3_bind_blob(s, index, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
      break;
    }
    case 4: sqlite3_bind_null(s, index); break;
    case 5: sqlite3_bind_double(s, index, static_cast<double>(in.int64()) / 65536.0); break;
    case 6: sqlite3_bind_int64(s, index, static_cast<std::int64_t>(in.byte() % 4) - 1); break;
    default: {
      const Table& t = tables[in.below(tables.size())];
      const std::string& c = t.columns[in.below(t.columns.size())];
      const std::int64_t offset = static_cast<std::int64_t>(in.below(64));
      bool found = false;
      exec(db, "SELECT " + quote(c) + " FROM " + quote(t.name) + " LIMIT 1 OFFSET ?1",
           [&](sqlite3_stmt* q) { sqlite3_bind_int64(q, 1, offset); },
           [&](sqlite3_stmt* q) {
             found = true;
             if (sqlite3_column_type(q, 0) == SQLITE_NULL) {
               sqlite3_bind_null(s, index);
             } else if (sqlite3_column_type(q, 0) == SQLITE_INTEGER) {
               sqlite3_bind_int64(s, index, sqlite3_column_int64(q, 0));
             } else {
               const char* p = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
               bind_text(p == nullptr ? "" : std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(q, 0))));
             }
           });
      if (!found) sqlite3_bind_null(s, index);
    }
  }
}

// Applies up to kMaxEdits row edits to the store at `path`.
void tamper(const std::string& path, Bytes& in, const std::vector<Table>& tables) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) die("cannot open the copy");
  exec(db, "PRAGMA foreign_keys = OFF");
  if (in.byte() & 1) exec(db, "PRAGMA ignore_check_constraints = ON");
  for (int edit = 0; edit < kMaxEdits && !in.empty(); ++edit) {
    const Table& t = tables[in.below(tables.size())];
    const std::string table = quote(t.name);
    std::int64_t rows = 0;
    exec(db, "SELECT count(*) FROM " + table, [](sqlite3_stmt*) {},
         [&](sqlite3_stmt* s) { rows = sqlite3_column_int64(s, 0); });
    const std::int64_t row = rows == 0 ? 0 : static_cast<std::int64_t>(in.below(static_cast<std::size_t>(rows)));
    const std::string which = "rowid = (SELECT rowid FROM " + table + " ORDER BY rowid LIMIT 1 OFFSET " +
                              std::to_string(row) + ")";
    const std::size_t col = in.below(t.columns.size());
    std::string all;
    for (const std::string& c : t.columns) all += (all.empty() ? "" : ", ") + quote(c);
    switch (in.byte() % 5) {
      case 0:
      case 1:  // UPDATE one column of one row
        exec(db, "UPDATE " + table + " SET " + quote(t.columns[col]) + " = ?1 WHERE " + which,
             [&](sqlite3_stmt* s) { bind_value(db, s, 1, in, tables); }, [](sqlite3_stmt*) {});
        break;
      case 2:  // DELETE one row
        exec(db, "DELETE FROM " + table + " WHERE " + which);
        break;
      case 3: {  // INSERT a copy of a row with one column changed (or none: a plain duplicate)
        std::string select;
        for (std::size_t i = 0; i < t.columns.size(); ++i)
          select += (i ? ", " : "") + (i == col ? std::string("?1") : quote(t.columns[i]));
        const bool plain = in.byte() % 4 == 0;
        exec(db, "INSERT INTO " + table + " (" + all + ") SELECT " + (plain ? all : select) + " FROM " + table +
                     " WHERE " + which,
             [&](sqlite3_stmt* s) {
               if (!plain) bind_value(db, s, 1, in, tables);
             },
             [](sqlite3_stmt*) {});
        break;
      }
      default: {  // INSERT a row of fuzzer values
        std::string params;
        for (std::size_t i = 0; i < t.columns.size(); ++i) params += (i ? ", ?" : "?") + std::to_string(i + 1);
        exec(db, "INSERT INTO " + table + " (" + all + ") VALUES (" + params + ")",
             [&](sqlite3_stmt* s) {
               for (std::size_t i = 0; i < t.columns.size(); ++i)
                 bind_value(db, s, static_cast<int>(i + 1), in, tables);
             },
             [](sqlite3_stmt*) {});
      }
    }
  }
  if (sqlite3_close(db) != SQLITE_OK) die("a statement was left open");
}

template <class T>
void check_result(const Result<T>& r, const char* what) {
  if (!r && r.error().message.empty()) die(std::string(what) + " failed without a message");
}

bool utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    std::uint32_t cp = n == 1 ? c : c & (0x7Fu >> n);
    for (std::size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 0x2) return false;
      cp = cp << 6 | (cc & 0x3Fu);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;  // overlong, surrogate
    i += n;
  }
  return true;
}

// True if every string of `m` is valid UTF-8.
bool all_utf8(const Model& m) {
  bool ok = true;
  auto s = [&](const std::string& x) { ok = ok && utf8(x); };
  auto v = [&](const std::vector<std::string>& xs) {
    for (const std::string& x : xs) s(x);
  };
  for (const OurCompany& c : m.our_companies) { s(c.id); s(c.name); }
  for (const Group& g : m.groups) { s(g.id); s(g.name); }
  for (const Licence& l : m.licences) { s(l.id); s(l.name); v(l.requires_licences); v(l.cal_for); }
  for (const Plan& p : m.plans) { s(p.id); s(p.name); v(p.licences); }
  for (const FunctionalRightDef& f : m.functional_rights) { s(f.id); s(f.name); s(f.requires_licence); }
  for (const DataObjectDef& o : m.objects) { s(o.id); s(o.name); }
  for (const Role& r : m.roles) {
    s(r.id); s(r.name); s(r.description); v(r.functional_rights);
    for (const auto& [object, cells] : r.data_rights) s(object);
  }
  for (const FieldRightRule& f : m.field_rights) { s(f.role); s(f.object); s(f.field); }
  for (const Override& o : m.overrides) { s(o.target); s(o.object); s(o.record); s(o.field); }
  for (const User& u : m.users) {
    s(u.id); s(u.name); s(u.person); s(u.company); s(u.role); s(u.group); s(u.plan);
    v(u.other_groups); v(u.licences); v(u.projects);
  }
  return ok;
}

// The first line where two texts differ, from each.
std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream x(a), y(b);
  std::string lx, ly;
  for (int line = 1;; ++line) {
    const bool more_x = static_cast<bool>(std::getline(x, lx)), more_y = static_cast<bool>(std::getline(y, ly));
    if (!more_x && !more_y) return "no difference";
    if (!more_x || !more_y || lx != ly)
      return "line " + std::to_string(line) + ":\n  first:  " + (more_x ? lx : "(end)") +
             "\n  second: " + (more_y ? ly : "(end)");
  }
}

// Export and import again (see the file comment).
void check_export(const Model& m, bool valid) {
  // What a model file can say comes back: the model exports (whatever its
  // strings hold), and the export imports to a model that exports to the
  // same file. A store edited by hand may hold more than a file can say (a
  // target on a system-level override, a record id on an override not
  // scoped to a record, a predefined role missing or a custom one among
  // them), which import drops or restores; so roles go in id order, and
  // only a model whose strings are all UTF-8 is imported again (export
  // writes U+FFFD for an invalid sequence).
  Model a = m;
  std::sort(a.roles.begin(), a.roles.end(), [](const Role& l, const Role& r) { return l.id < r.id; });
  const std::string first = export_model_file(a);
  if (valid && all_utf8(m)) {
    Result<Model> b = parse_model_file(first, Model::with_defaults(),
                                       {.mode = ImportMode::kReplace, .file_name = "export.json"});
    // Known gap, left to the library (corpus: regress-duplicate-override):
    // validate() lets two equal overrides through, a model file refuses
    // them, so such a model exports to a file import rejects.
    const bool only_duplicate_overrides =
        !b && std::all_of(b.error().diagnostics.begin(), b.error().diagnostics.end(), [](const Diagnostic& d) {
          return d.rule == "duplicate-id" && d.collection.starts_with("overrides");
        });
    if (only_duplicate_overrides) return;
    if (!b) {
      std::string why = b.error().message;
      for (const Diagnostic& d : b.error().diagnostics) why += "\n  " + d.to_string();
      die("the exported model does not parse: " + why + "\n" + first);
    }
    std::sort(b->roles.begin(), b->roles.end(), [](const Role& l, const Role& r) { return l.id < r.id; });
    const std::string second = export_model_file(*b);
    if (first != second)
      die("the exported model exports differently once imported: " + first_difference(first, second));
  }
}

void check_store(const std::string& path) {
  auto opened = SqliteStore::open(path);
  check_result(opened, "open()");
  if (!opened) return;
  std::shared_ptr<SqliteStore> store(std::move(*opened).release());
  check_result(store->version(), "version()");
  check_result(store->audit({}), "audit()");
  Result<StoredModel> loaded = store->load();
  check_result(loaded, "load()");
  if (loaded) {
    const Model& m = loaded->model;
    const std::vector<Diagnostic> problems = validate(m);
    Result<Snapshot> compiled = compile(m, loaded->version);
    if (problems.empty() != compiled.has_value())
      die(problems.empty() ? "validate() found nothing but compile() failed: " + compiled.error().message
                           : "validate() found " + problems.front().to_string() + " but compile() succeeded");
    check_export(m, compiled.has_value());
  }
  auto dir = Directory::open(store);
  check_result(dir, "Directory::open()");
  if (!dir) return;
  // A stored model is held to every rule but the texts of its ids and names,
  // which a store from before the id rules may break (decision record 0006 §4).
  for (const Diagnostic& d : validate(*(*dir)->model()))
    if (d.rule != "invalid-id" && d.rule != "invalid-name")
      die("Directory::open() accepted an invalid model: " + d.to_string());
  const std::uint64_t before = (*dir)->version();
  auto tx = (*dir)->begin();
  check_result(tx, "begin()");
  if (!tx) return;
  if (auto put = tx->put_group({"fuzz-group", "Fuzz"}); !put) return;
  auto done = tx->commit();
  check_result(done, "commit()");
  if (done && done->version != before + 1) die("commit() did not give the next version");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Template& t = the_template();
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(t.file.string() + suffix, ec);
  {
    std::ofstream out(t.file, std::ios::binary | std::ios::trunc);
    out << t.bytes;
    if (!out.flush()) die("cannot write " + t.file.string());
  }
  Bytes in(data, size);
  tamper(t.file.string(), in, t.tables);
  check_store(t.file.string());
  return 0;
}
