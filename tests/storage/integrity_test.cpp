// The SQLite store's keyed integrity check (tamper evidence,
// docs/design/0003-integrity.md and 0009-tamper-evidence.md): every kind of
// change made behind the store's back, with raw SQL, on every protected
// table and on the audit trail, is refused at load with an error naming the
// table and the row; a planted schema object is refused with or without a
// key; a signed store does not open without its key.
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "sorights/directory.hpp"
#include "sorights/storage/sqlite_store.hpp"
#include "sqlite_support.hpp"
#include "support.hpp"
#include "support/catch.hpp"

using namespace sorights;
using storage_test::sample_model;
using storage_test::TempDir;
using storage_test::change_set;

namespace {

const std::string kKey = "0123456789abcdef0123456789abcdef";      // 32 bytes
const std::string kOtherKey = "fedcba9876543210fedcba9876543210";  // 32 bytes

std::unique_ptr<SqliteStore> open_store(const std::string& path, const std::string& key, bool create = false) {
  SqliteStoreOptions options;
  options.create = create;
  options.integrity_key = key;
  auto s = SqliteStore::open(path, std::move(options));
  REQUIRE(s);
  return std::move(*s);
}

// Runs `sql` behind the store's back; returns how many rows it changed.
int tamper(const std::string& path, const std::string& sql) { return storage_test::execute_sql(path, sql); }

// Turns a current store back into one of schema `version` (1 or 2) as that
// version's code wrote it, the seal untouched: no `names` columns (schema 3),
// and at version 1 a functional_rights table without `restrictive`.
void back_to_schema(const std::string& path, int version) {
  std::string sql = "PRAGMA foreign_keys = OFF;";
  for (const char* table : {"our_companies", "groups", "functional_rights", "roles"})
    sql += std::string("ALTER TABLE ") + table + " DROP COLUMN names;";
  if (version == 1)
    sql += "CREATE TABLE fr_v1 (id TEXT PRIMARY KEY NOT NULL CHECK (id <> ''), name TEXT NOT NULL DEFAULT '',"
           " requires_licence TEXT REFERENCES licences (id) DEFERRABLE INITIALLY DEFERRED);"
           "INSERT INTO fr_v1 SELECT id, name, requires_licence FROM functional_rights ORDER BY rowid;"
           "DROP TABLE functional_rights;"
           "ALTER TABLE fr_v1 RENAME TO functional_rights;";
  tamper(path, sql + "UPDATE schema_version SET version = " + std::to_string(version) + ";");
}

// A store sealed with kKey holding sample_model() at version 1.
void make_sealed(const std::string& path) {
  auto store = open_store(path, kKey, true);
  REQUIRE(store->apply(change_set(Model::with_defaults(), sample_model(), 0)));
}

// A store without a key holding sample_model() at version 1.
void make_unsigned(const std::string& path) {
  auto store = SqliteStore::open(path, {.create = true});
  REQUIRE(store);
  REQUIRE((*store)->apply(change_set(Model::with_defaults(), sample_model(), 0)));
}

// sample_model() with one group more.
Model with_hr_group() {
  Model m = sample_model();
  m.groups.push_back({"hr", "HR"});
  return m;
}

// Requires `r` to have failed with `code` and a message containing `part`.
template <class T>
void require_error(const Result<T>& r, ErrorCode code, const std::string& part) {
  REQUIRE_FALSE(r);
  CHECK(r.error().code == code);
  CHECK_THAT(r.error().message, Catch::Contains(part));
}

// Opens and loads `path` with `key` (kKey by default) and requires one of
// the two to fail with `code` and a message containing every one of `parts`;
// when the load is what fails, verify() and audit() must fail alike.
void require_refused(const std::string& path, ErrorCode code, std::initializer_list<std::string> parts,
                     const std::string& key = kKey) {
  SqliteStoreOptions options;
  options.integrity_key = key;
  auto store = SqliteStore::open(path, std::move(options));
  std::vector<Error> errors;
  if (!store) {
    errors.push_back(store.error());
  } else {
    auto loaded = (*store)->load();
    REQUIRE_FALSE(loaded);
    errors.push_back(loaded.error());
    auto verified = (*store)->verify();
    REQUIRE_FALSE(verified);
    errors.push_back(verified.error());
    auto trail = (*store)->audit({});
    REQUIRE_FALSE(trail);
    errors.push_back(trail.error());
  }
  for (const Error& e : errors) {
    INFO(e.message);
    CHECK(e.code == code);
    for (const std::string& part : parts) CHECK_THAT(e.message, Catch::Contains(part));
  }
}

// A store sealed with kKey, at version 2, whose audit trail holds four
// entries: the import (seq 1), a refusal (seq 2), a commit (seq 3) and a
// refusal (seq 4). Refusals are appended without a model commit.
void make_sealed_with_trail(const std::string& path) {
  make_sealed(path);
  auto store = open_store(path, kKey);
  AuditEntry refused{1, 1700000100, "bob", true, "rule R-11: bob may not assign role \"level-5\"", {}};
  REQUIRE(store->append_audit(refused));
  const Model changed = with_hr_group();
  REQUIRE(store->apply(change_set(sample_model(), changed, 1)));
  refused.version = 2;
  refused.time = 1700000200;
  REQUIRE(store->append_audit(refused));
  REQUIRE(store->load());
  REQUIRE(store->verify());
}

// A fixture: a temporary directory `dir` holding, at `path`, a store made by `Make`.
template <void (*Make)(const std::string&)>
struct StoreMadeBy {
  StoreMadeBy() { Make(path); }
  TempDir dir;
  const std::string path = dir.file("s.db");
};
using SealedStore = StoreMadeBy<make_sealed>;
using SealedStoreWithTrail = StoreMadeBy<make_sealed_with_trail>;
using UnsignedStore = StoreMadeBy<make_unsigned>;

struct Tamper {
  std::string sql;
  std::string row;  // how the error names the row
};

// Runs `check(path, case)` for each of `cases` (each with its `sql`) on its own copy of one store made by `make`,
// so each case starts clean.
template <class Case, class Check>
void on_fresh_copies(void (*make)(const std::string&), const std::vector<Case>& cases, Check check) {
  TempDir dir;
  const std::string base = dir.file("base.db");
  make(base);
  int n = 0;
  for (const Case& c : cases) {
    const std::string path = dir.file("case" + std::to_string(n++) + ".db");
    std::filesystem::copy_file(base, path);
    INFO(c.sql);
    check(path, c);
  }
}

// Each case changes exactly one row of a fresh sealed store, and is refused naming that row.
void each_case(const std::vector<Tamper>& cases, const std::string& what) {
  on_fresh_copies(make_sealed, cases, [&](const std::string& path, const Tamper& c) {
    CHECK(tamper(path, c.sql) == 1);
    require_refused(path, ErrorCode::kDataLoss, {"integrity check failed: " + c.row + " " + what});
  });
}

}  // namespace

TEST_CASE_METHOD(SealedStore, "integrity: a store sealed with a key loads with that key", "[storage][integrity]") {
  auto store = open_store(path, kKey);
  auto loaded = store->load();
  REQUIRE(loaded);
  CHECK(loaded->version == 1);
  CHECK(loaded->model == sample_model());
}

TEST_CASE("integrity: a new store created with a key is sealed from version 0", "[storage][integrity]") {
  TempDir dir;
  const std::string path = dir.file("s.db");
  { auto created = open_store(path, kKey, true); }
  // An invalid value: the integrity check speaks before the row is parsed.
  CHECK(tamper(path, "UPDATE data_rights SET crud = crud || 'X' WHERE role = 'level-0' AND object = 'sale' AND "
                     "relation = 'own'") == 1);
  require_refused(path, ErrorCode::kDataLoss,
                  {"table data_rights row (role=\"level-0\", object=\"sale\", relation=\"own\") was changed"});
}

TEST_CASE("integrity: an edited row is refused, naming its table and row, on every protected table",
          "[storage][integrity]") {
  each_case(
      {
          {"UPDATE our_companies SET database_owner = 0 WHERE id = 'acme'", "table our_companies row (id=\"acme\")"},
          {"UPDATE groups SET name = 'Admins' WHERE id = 'sales'", "table groups row (id=\"sales\")"},
          {"UPDATE licences SET count = 1000 WHERE id = 'user'", "table licences row (id=\"user\")"},
          {"UPDATE licence_requires SET required = 'quote' WHERE licence = 'web' AND position = 0",
           "table licence_requires row (licence=\"web\", position=0)"},
          {"UPDATE licence_cal_for SET object = 'company' WHERE licence = 'sale-cal' AND position = 0",
           "table licence_cal_for row (licence=\"sale-cal\", position=0)"},
          {"UPDATE plans SET name = 'Free' WHERE id = 'premium'", "table plans row (id=\"premium\")"},
          {"UPDATE plan_licences SET licence = 'quote' WHERE plan = 'premium' AND position = 1",
           "table plan_licences row (plan=\"premium\", position=1)"},
          {"UPDATE functional_rights SET requires_licence = NULL WHERE id = 'acme-approve'",
           "table functional_rights row (id=\"acme-approve\")"},
          {"UPDATE objects SET visibility = 0 WHERE id = 'contract'", "table objects row (id=\"contract\")"},
          {"UPDATE roles SET type = 'system' WHERE id = 'rep'", "table roles row (id=\"rep\")"},
          {"UPDATE data_rights SET crud = 'CRUD' WHERE role = 'level-3' AND object = 'sale' AND relation = "
           "'other_groups'",
           "table data_rights row (role=\"level-3\", object=\"sale\", relation=\"other_groups\")"},
          {"UPDATE role_rights SET functional_right = 'admin-all' WHERE role = 'rep' AND position = 0",
           "table role_rights row (role=\"rep\", position=0)"},
          {"UPDATE field_rights SET rights = 'RW' WHERE position = 0", "table field_rights row (position=0)"},
          {"UPDATE overrides SET remove = '' WHERE position = 0", "table overrides row (position=0)"},
          {"UPDATE users SET role = 'level-5' WHERE id = 'alice'", "table users row (id=\"alice\")"},
          {"UPDATE users SET primary_group = 'support' WHERE id = 'bob'", "table users row (id=\"bob\")"},
          {"UPDATE users SET retired = 0 WHERE id = 'room'", "table users row (id=\"room\")"},
          {"UPDATE user_groups SET group_id = 'sales' WHERE user_id = 'alice' AND position = 0",
           "table user_groups row (user_id=\"alice\", position=0)"},
          {"UPDATE user_licences SET licence = 'web' WHERE user_id = 'bob' AND position = 0",
           "table user_licences row (user_id=\"bob\", position=0)"},
          {"UPDATE user_projects SET project = 'p-9' WHERE user_id = 'carl' AND position = 0",
           "table user_projects row (user_id=\"carl\", position=0)"},
          // The same bytes stored as a blob instead of text are a change too.
          {"UPDATE our_companies SET name = CAST(name AS BLOB) WHERE id = 'acme'",
           "table our_companies row (id=\"acme\")"},
      },
      "was changed outside sorights");
}

TEST_CASE("integrity: a row added behind the store's back is refused, naming it, on every protected table",
          "[storage][integrity]") {
  each_case(
      {
          {"INSERT INTO our_companies (id, name) VALUES ('evil', 'Evil AS')", "table our_companies row (id=\"evil\")"},
          {"INSERT INTO groups (id, name) VALUES ('admins', '')", "table groups row (id=\"admins\")"},
          {"INSERT INTO licences (id, kind, count) VALUES ('extra', 'user', 99)", "table licences row (id=\"extra\")"},
          {"INSERT INTO licence_requires VALUES ('user', 0, 'quote')",
           "table licence_requires row (licence=\"user\", position=0)"},
          {"INSERT INTO licence_cal_for VALUES ('web', 0, 'sale')",
           "table licence_cal_for row (licence=\"web\", position=0)"},
          {"INSERT INTO plans (id, name) VALUES ('free', '')", "table plans row (id=\"free\")"},
          {"INSERT INTO plan_licences VALUES ('premium', 3, 'quote')",
           "table plan_licences row (plan=\"premium\", position=3)"},
          {"INSERT INTO functional_rights (id, name) VALUES ('backdoor', '')",
           "table functional_rights row (id=\"backdoor\")"},
          {"INSERT INTO objects (id, name) VALUES ('secret', '')", "table objects row (id=\"secret\")"},
          {"INSERT INTO roles (id, type) VALUES ('evil', 'employee')", "table roles row (id=\"evil\")"},
          {"INSERT INTO data_rights VALUES ('level-0', 'contract', 'own', 'CRUD')",
           "table data_rights row (role=\"level-0\", object=\"contract\", relation=\"own\")"},
          {"INSERT INTO role_rights VALUES ('rep', 99, 'admin-all')", "table role_rights row (role=\"rep\", position=99)"},
          {"INSERT INTO field_rights (position, role, object, field, relation, rights) VALUES (9, 'rep', 'sale', "
           "'amount', 'own', 'RW')",
           "table field_rights row (position=9)"},
          {"INSERT INTO overrides (position, level, object, scope, remove) VALUES (9, 'system', 'sale', 'all', "
           "'CRUD')",
           "table overrides row (position=9)"},
          {"INSERT INTO users (id, type, role) VALUES ('mallory', 'associate', 'level-5')",
           "table users row (id=\"mallory\")"},
          {"INSERT INTO user_groups VALUES ('bob', 0, 'support')", "table user_groups row (user_id=\"bob\", position=0)"},
          {"INSERT INTO user_licences VALUES ('alice', 0, 'quote')",
           "table user_licences row (user_id=\"alice\", position=0)"},
          {"INSERT INTO user_projects VALUES ('alice', 0, 'p-1')",
           "table user_projects row (user_id=\"alice\", position=0)"},
      },
      "is not sealed: it was added outside sorights");
}

TEST_CASE("integrity: a row deleted behind the store's back is refused, naming it, on every protected table",
          "[storage][integrity]") {
  each_case(
      {
          {"DELETE FROM our_companies WHERE id = 'acme-se'", "table our_companies row (id=\"acme-se\")"},
          {"DELETE FROM groups WHERE id = 'support'", "table groups row (id=\"support\")"},
          {"DELETE FROM licences WHERE id = 'quote'", "table licences row (id=\"quote\")"},
          {"DELETE FROM licence_requires WHERE licence = 'web'", "table licence_requires row (licence=\"web\", position=0)"},
          {"DELETE FROM licence_cal_for WHERE licence = 'sale-cal'",
           "table licence_cal_for row (licence=\"sale-cal\", position=0)"},
          {"DELETE FROM plans WHERE id = 'premium'", "table plans row (id=\"premium\")"},
          {"DELETE FROM plan_licences WHERE plan = 'premium' AND position = 2",
           "table plan_licences row (plan=\"premium\", position=2)"},
          {"DELETE FROM functional_rights WHERE id = 'acme-approve'", "table functional_rights row (id=\"acme-approve\")"},
          {"DELETE FROM objects WHERE id = 'contract'", "table objects row (id=\"contract\")"},
          {"DELETE FROM roles WHERE id = 'partner'", "table roles row (id=\"partner\")"},
          {"DELETE FROM data_rights WHERE role = 'level-3' AND object = 'sale' AND relation = 'own'",
           "table data_rights row (role=\"level-3\", object=\"sale\", relation=\"own\")"},
          {"DELETE FROM role_rights WHERE role = 'rep' AND position = 0", "table role_rights row (role=\"rep\", position=0)"},
          {"DELETE FROM field_rights WHERE position = 0", "table field_rights row (position=0)"},
          {"DELETE FROM overrides WHERE position = 0", "table overrides row (position=0)"},
          {"DELETE FROM users WHERE id = 'carl'", "table users row (id=\"carl\")"},
          {"DELETE FROM user_groups WHERE user_id = 'alice'", "table user_groups row (user_id=\"alice\", position=0)"},
          {"DELETE FROM user_licences WHERE user_id = 'bob'", "table user_licences row (user_id=\"bob\", position=0)"},
          {"DELETE FROM user_projects WHERE user_id = 'carl' AND position = 1",
           "table user_projects row (user_id=\"carl\", position=1)"},
      },
      "was deleted outside sorights");
}

TEST_CASE_METHOD(SealedStore, "integrity: a row deleted together with its seal entry is refused, naming the table",
                 "[storage][integrity]") {
  CHECK(tamper(path, "DELETE FROM user_groups WHERE user_id = 'alice'") == 1);
  CHECK(tamper(path, "DELETE FROM integrity_rows WHERE tbl = 'user_groups' AND owner = 'alice'") == 1);
  require_refused(path, ErrorCode::kDataLoss,
                  {"integrity check failed: table user_groups: 1 sealed row is missing (deleted outside sorights "
                   "together with the seal entries)"});
}

TEST_CASE_METHOD(SealedStore, "integrity: a row and its seal entry copied to another key are refused",
                 "[storage][integrity]") {
  SECTION("a new key: alice's row and entry copied to mallory") {
    CHECK(tamper(path, "INSERT INTO users SELECT 'mallory', type, name, person, company, role, primary_group, plan, "
                       "can_log_in, former_employee, retired FROM users WHERE id = 'alice'") == 1);
    CHECK(tamper(path, "INSERT INTO integrity_rows (tbl, pk, owner, mac) SELECT tbl, 'id=\"mallory\"', 'mallory', mac "
                       "FROM integrity_rows WHERE tbl = 'users' AND owner = 'alice'") == 1);
    require_refused(path, ErrorCode::kDataLoss, {"table users row (id=\"mallory\") was changed outside sorights"});
  }
  SECTION("an existing key: level-5's cell and its MAC copied over level-0's") {
    CHECK(tamper(path, "UPDATE data_rights SET crud = (SELECT crud FROM data_rights WHERE role = 'level-5' AND "
                       "object = 'sale' AND relation = 'other_groups') WHERE role = 'level-0' AND object = 'sale' "
                       "AND relation = 'other_groups'") == 1);
    CHECK(tamper(path, "UPDATE integrity_rows SET mac = (SELECT mac FROM integrity_rows WHERE tbl = 'data_rights' "
                       "AND pk = 'role=\"level-5\", object=\"sale\", relation=\"other_groups\"') WHERE tbl = "
                       "'data_rights' AND pk = 'role=\"level-0\", object=\"sale\", relation=\"other_groups\"'") == 1);
    require_refused(path, ErrorCode::kDataLoss,
                    {"table data_rights row (role=\"level-0\", object=\"sale\", relation=\"other_groups\") was "
                     "changed outside sorights"});
  }
  SECTION("another table: a user_groups row and entry copied into user_projects") {
    CHECK(tamper(path, "INSERT INTO user_projects SELECT * FROM user_groups WHERE user_id = 'alice'") == 1);
    CHECK(tamper(path, "INSERT INTO integrity_rows (tbl, pk, owner, mac) SELECT 'user_projects', pk, owner, mac "
                       "FROM integrity_rows WHERE tbl = 'user_groups' AND owner = 'alice'") == 1);
    require_refused(path, ErrorCode::kDataLoss,
                    {"table user_projects row (user_id=\"alice\", position=0) was changed outside sorights"});
  }
}

TEST_CASE_METHOD(SealedStore, "integrity: an older row restored with its old seal entry is refused",
                 "[storage][integrity]") {
  // Keep alice's row and entry at version 1 (in another file: a table of
  // its own in the store would be refused), then demote her at version 2.
  const std::string keep = "ATTACH '" + dir.file("keep.db") + "' AS keep; ";
  tamper(path, keep + "CREATE TABLE keep.saved_user AS SELECT * FROM users WHERE id = 'alice'; "
                      "CREATE TABLE keep.saved_entry AS SELECT * FROM integrity_rows WHERE tbl = 'users' AND "
                      "owner = 'alice'");
  {
    auto store = open_store(path, kKey);
    Model demoted = sample_model();
    demoted.find_user("alice")->role = "level-0";
    REQUIRE(store->apply(change_set(sample_model(), demoted, 1)));
    REQUIRE(store->load());
  }
  tamper(path, keep + "DELETE FROM users WHERE id = 'alice'; INSERT INTO users SELECT * FROM keep.saved_user; "
                      "DELETE FROM integrity_rows WHERE tbl = 'users' AND owner = 'alice'; "
                      "INSERT INTO integrity_rows SELECT * FROM keep.saved_entry");
  require_refused(path, ErrorCode::kDataLoss,
                  {"integrity check failed: table users: its rows do not match the table's seal"});
}

TEST_CASE_METHOD(SealedStore, "integrity: a version or seal changed behind the store's back is refused",
                 "[storage][integrity]") {
  SECTION("meta.version") {
    CHECK(tamper(path, "UPDATE meta SET version = 7") == 1);
    require_refused(path, ErrorCode::kDataLoss, {"the store's seal does not match its version 7"});
  }
  SECTION("a table digest") {
    CHECK(tamper(path, "UPDATE integrity_tables SET rows = rows - 1 WHERE tbl = 'users'") == 1);
    require_refused(path, ErrorCode::kDataLoss,
                    {"table users: its seal in integrity_tables was changed outside sorights"});
  }
  SECTION("a seal entry repeated under another owner") {
    CHECK(tamper(path, "INSERT INTO integrity_rows (tbl, pk, owner, mac) SELECT tbl, pk, 'bob', mac FROM "
                       "integrity_rows WHERE tbl = 'users' AND owner = 'alice'") == 1);
    require_refused(path, ErrorCode::kDataLoss,
                    {"the seal of table users row (id=\"alice\") appears twice in integrity_rows"});
  }
  SECTION("the seal removed") {
    tamper(path, "DROP TABLE integrity_seal; DROP TABLE integrity_tables; DROP TABLE integrity_rows");
    require_refused(path, ErrorCode::kFailedPrecondition, {"holds no integrity seal"});
  }
  SECTION("a trigger added") {
    tamper(path, "CREATE TRIGGER promote AFTER UPDATE ON users BEGIN UPDATE users SET role = 'level-5'; END");
    require_refused(path, ErrorCode::kDataLoss,
                    {"unexpected schema object: the store holds trigger \"promote\" on table \"users\", which "
                     "sorights did not create"});
  }
}

TEST_CASE_METHOD(SealedStore, "integrity: a store sealed with another key is refused", "[storage][integrity]") {
  auto store = open_store(path, kOtherKey);
  auto loaded = store->load();
  require_error(loaded, ErrorCode::kFailedPrecondition, "sealed with another integrity key");
  const Model changed = with_hr_group();
  auto applied = store->apply(change_set(sample_model(), changed, 1));
  REQUIRE_FALSE(applied);
  CHECK_THAT(applied.error().message, Catch::Contains("sealed with another integrity key"));
}

TEST_CASE("integrity: a key shorter than 16 bytes is refused at open, before any file is made",
          "[storage][integrity]") {
  TempDir dir;
  const std::string path = dir.file("s.db");
  SqliteStoreOptions options;
  options.create = true;
  options.integrity_key = "short";
  auto store = SqliteStore::open(path, std::move(options));
  REQUIRE_FALSE(store);
  CHECK(store.error().code == ErrorCode::kInvalidArgument);
  CHECK_THAT(store.error().message, Catch::Contains("the integrity key has 5 bytes; it needs at least 16"));
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE_METHOD(SealedStore, "integrity: a signed store is refused without its key, tampered or not",
                 "[storage][integrity]") {
  auto refused = [&] {
    auto store = SqliteStore::open(path);
    REQUIRE_FALSE(store);
    INFO(store.error().message);
    CHECK(store.error().code == ErrorCode::kFailedPrecondition);
    CHECK_THAT(store.error().message,
               Catch::Contains("the store is signed (sealed with an integrity key) and no key was given"));
  };
  refused();
  // Keyless, the forged promotion would otherwise load unchecked.
  CHECK(tamper(path, "UPDATE users SET role = 'level-5' WHERE id = 'alice'") == 1);
  refused();
  require_refused(path, ErrorCode::kDataLoss, {"table users row (id=\"alice\") was changed"});
}


TEST_CASE("integrity: a keyless store refuses to write to a store sealed after it was opened",
          "[storage][integrity]") {
  TempDir dir;
  const std::string path = dir.file("s.db");
  auto plain = SqliteStore::open(path, {.create = true});
  REQUIRE(plain);
  REQUIRE((*plain)->apply(change_set(Model::with_defaults(), sample_model(), 0)));
  REQUIRE(open_store(path, kKey)->seal());
  const Model changed = with_hr_group();
  auto applied = (*plain)->apply(change_set(sample_model(), changed, 1));
  require_error(applied, ErrorCode::kFailedPrecondition, "sealed for integrity checks");
  auto appended = (*plain)->append_audit(AuditEntry{1, 1700000100, "bob", true, "refused", {}});
  REQUIRE_FALSE(appended);
  CHECK(appended.error().code == ErrorCode::kFailedPrecondition);
  // The seal is intact.
  REQUIRE(open_store(path, kKey)->verify());
}

TEST_CASE_METHOD(SealedStore, "integrity: incremental commits keep the seal valid", "[storage][integrity]") {
  Model m = sample_model();
  std::uint64_t v = 1;
  auto commit = [&](Model next) {
    auto store = open_store(path, kKey);
    REQUIRE(store->apply(change_set(m, next, v)));
    ++v;
    m = std::move(next);
    auto again = open_store(path, kKey);  // a fresh connection, a full check
    auto loaded = again->load();
    INFO((loaded ? std::string() : loaded.error().message));
    REQUIRE(loaded);
    CHECK(loaded->version == v);
    CHECK(loaded->model == m);
  };
  Model next = m;
  next.find_role("level-3")->set_cell("sale", Relation::kOtherGroups, TableRights::full());  // one role's rows
  commit(next);
  next.find_user("alice")->role = "level-5";  // a user's role and groups
  next.find_user("alice")->other_groups = {};
  next.find_user("bob")->other_groups = {"support", "sales"};
  commit(next);
  erase_if(next.users, [](const User& u) { return u.id == "carl"; });  // removed: its child rows cascade
  std::erase_if(next.roles, [](const Role& r) { return r.id == "partner"; });
  commit(next);
  next.licences[1].requires_licences = {};  // licences and their lists
  next.licences.push_back({"extra", "Extra", LicenceKind::kUser, 3, false, {"user"}, {"sale"}});
  next.plans[0].licences.push_back("extra");
  commit(next);
  next.field_rights.clear();  // the whole lists
  next.overrides.pop_back();
  next.groups.push_back({"hr", "HR"});
  next.our_companies.pop_back();
  commit(next);
  // And through a directory, as a host commits.
  auto store = open_store(path, kKey);
  auto d = Directory::open(std::shared_ptr<SqliteStore>(std::move(store)));
  REQUIRE(d);
  auto tx = (*d)->begin();
  REQUIRE(tx);
  REQUIRE(tx->set_user_role("bob", "level-4"));
  REQUIRE(tx->commit());
  auto check = open_store(path, kKey)->load();
  REQUIRE(check);
  CHECK(check->model.find_user("bob")->role == "level-4");
}

TEST_CASE_METHOD(SealedStore, "integrity: a commit touching a tampered entity is refused and writes nothing",
                 "[storage][integrity]") {
  CHECK(tamper(path, "UPDATE data_rights SET crud = 'CRUD' WHERE role = 'level-3' AND object = 'sale' AND "
                     "relation = 'other_groups'") == 1);
  auto store = open_store(path, kKey);
  Model changed = sample_model();
  changed.find_role("level-3")->name = "Renamed";  // rewrites every row of level-3
  auto applied = store->apply(change_set(sample_model(), changed, 1));
  REQUIRE_FALSE(applied);
  CHECK(applied.error().code == ErrorCode::kDataLoss);
  CHECK_THAT(applied.error().message,
             Catch::Contains("table data_rights row (role=\"level-3\", object=\"sale\", relation=\"other_groups\") "
                             "was changed outside sorights; nothing was written"));
  CHECK(*store->version() == 1);
  // The evidence is still there.
  require_refused(path, ErrorCode::kDataLoss, {"role=\"level-3\", object=\"sale\", relation=\"other_groups\""});
}

TEST_CASE_METHOD(SealedStore, "integrity: a commit on a store whose seal does not match is refused",
                 "[storage][integrity]") {
  CHECK(tamper(path, "UPDATE meta SET version = 2") == 1);
  auto store = open_store(path, kKey);
  const Model changed = with_hr_group();
  auto applied = store->apply(change_set(sample_model(), changed, 2));
  require_error(applied, ErrorCode::kDataLoss, "the store's seal does not match its version 2");
  CHECK(*store->version() == 2);
}

TEST_CASE_METHOD(UnsignedStore, "integrity: a store made without a key is refused with a key until seal() adopts it",
                 "[storage][integrity]") {
  auto store = open_store(path, kKey);
  auto loaded = store->load();
  require_error(loaded, ErrorCode::kFailedPrecondition, "holds no integrity seal, but an integrity key was given");
  const Model changed = with_hr_group();
  REQUIRE_FALSE(store->apply(change_set(sample_model(), changed, 1)));

  REQUIRE(store->seal());
  loaded = store->load();
  REQUIRE(loaded);
  CHECK(loaded->model == sample_model());
  REQUIRE(store->apply(change_set(sample_model(), changed, 1)));
  REQUIRE(open_store(path, kKey)->load());
  CHECK(tamper(path, "UPDATE users SET role = 'level-5' WHERE id = 'alice'") == 1);
  require_refused(path, ErrorCode::kDataLoss, {"table users row (id=\"alice\") was changed"});
}

TEST_CASE("integrity: seal() needs a key", "[storage][integrity]") {
  TempDir dir;
  auto store = SqliteStore::open(dir.file("s.db"), {.create = true});
  REQUIRE(store);
  auto sealed = (*store)->seal();
  REQUIRE_FALSE(sealed);
  CHECK(sealed.error().code == ErrorCode::kFailedPrecondition);
}

TEST_CASE_METHOD(SealedStore, "integrity: a directory picking up an outside change through the watcher checks it",
                 "[storage][integrity]") {
  SqliteStoreOptions options;
  options.integrity_key = kKey;
  options.watch_interval_ms = 10;
  auto watched = SqliteStore::open(path, std::move(options));
  REQUIRE(watched);
  auto d = Directory::open(std::shared_ptr<SqliteStore>(std::move(*watched)));
  REQUIRE(d);
  REQUIRE((*d)->version() == 1);
  // A forged commit: alice promoted, the version bumped so the watcher announces it.
  tamper(path, "UPDATE users SET role = 'level-5' WHERE id = 'alice'; UPDATE meta SET version = 2");
  bool refused = false;
  for (int i = 0; i < 300 && !refused; ++i) {
    auto tx = (*d)->begin();
    if (!tx) {
      refused = true;
      CHECK(tx.error().code == ErrorCode::kDataLoss);
      CHECK_THAT(tx.error().message, Catch::Contains("table users row (id=\"alice\") was changed"));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  CHECK(refused);
  // The directory keeps publishing what it had.
  CHECK((*d)->version() == 1);
  CHECK((*d)->model()->find_user("alice")->role == "rep");
  auto r = (*d)->refresh();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kDataLoss);
}

// -- The audit trail as a chain (docs/design/0009-tamper-evidence.md) ----------------

namespace {

struct TrailCase {
  std::string sql;
  std::string message;  // a part of the error
};

// Each case on a fresh copy of a store made by `make`, refused by load(),
// verify() and audit() with kKey.
void each_trail_case(const std::vector<TrailCase>& cases, ErrorCode code = ErrorCode::kDataLoss,
                     void (*make)(const std::string&) = make_sealed_with_trail) {
  on_fresh_copies(make, cases, [&](const std::string& path, const TrailCase& c) {
    tamper(path, c.sql);
    require_refused(path, code, {c.message});
  });
}

}  // namespace

TEST_CASE_METHOD(SealedStoreWithTrail,
                 "integrity: a sealed audit trail with commits and refusals loads, and verify() says so",
                 "[storage][integrity][audit-chain]") {
  auto store = open_store(path, kKey);
  auto trail = store->audit({});
  REQUIRE(trail);
  REQUIRE(trail->size() == 4);
  CHECK((*trail)[1].refused);
  CHECK((*trail)[3].refused);
  CHECK(store->verify());
}

TEST_CASE("integrity: an audit row edited, deleted, inserted or reordered is refused, naming the first bad row",
          "[storage][integrity][audit-chain]") {
  each_trail_case({
      {"UPDATE audit_log SET actor = 'carl' WHERE seq = 2", "table audit_log row (seq=2) was changed outside sorights"},
      {"UPDATE audit_log SET refused = 0, reason = '' WHERE seq = 4",
       "table audit_log row (seq=4) was changed outside sorights"},
      {"UPDATE audit_log SET changes = '[]' WHERE seq = 3", "table audit_log row (seq=3) was changed outside sorights"},
      {"UPDATE audit_log SET time = time + 1 WHERE seq = 1",
       "table audit_log row (seq=1) was changed outside sorights"},
      // Deleted alone, or with its chain entry.
      {"DELETE FROM audit_log WHERE seq = 2", "table audit_log row (seq=2) was deleted outside sorights"},
      {"DELETE FROM audit_log WHERE seq = 2; DELETE FROM integrity_audit WHERE seq = 2",
       "table audit_log row (seq=3) does not follow row (seq=1): it was changed, or the rows before it were "
       "deleted, outside sorights"},
      {"DELETE FROM audit_log WHERE seq = 1; DELETE FROM integrity_audit WHERE seq = 1",
       "table audit_log row (seq=2) does not follow the start of the audit chain"},
      // Added, even with a copied chain entry.
      {"INSERT INTO audit_log (version, time, actor, refused, reason, changes) VALUES (2, 1700000300, '', 0, '', "
       "'[]')",
       "table audit_log row (seq=5) is not in the audit chain: it was added outside sorights"},
      {"INSERT INTO audit_log SELECT 5, version, time, actor, refused, reason, changes FROM audit_log WHERE seq = 4; "
       "INSERT INTO integrity_audit SELECT 5, mac FROM integrity_audit WHERE seq = 4",
       "table audit_log row (seq=5) was changed outside sorights"},
      // Reordered: rows 1 and 3 swap places, or their chain entries do.
      {"UPDATE audit_log SET seq = -1 WHERE seq = 1; UPDATE audit_log SET seq = 1 WHERE seq = 3; "
       "UPDATE audit_log SET seq = 3 WHERE seq = -1",
       "table audit_log row (seq=1) was changed outside sorights"},
      {"UPDATE integrity_audit SET seq = -1 WHERE seq = 1; UPDATE integrity_audit SET seq = 1 WHERE seq = 3; "
       "UPDATE integrity_audit SET seq = 3 WHERE seq = -1",
       "table audit_log row (seq=1) was changed outside sorights"},
  });
}

TEST_CASE("integrity: a truncated audit trail is refused, the chain's head being bound to the seal",
          "[storage][integrity][audit-chain]") {
  each_trail_case({
      // The last row (a refusal: appended without a model commit) alone...
      {"DELETE FROM audit_log WHERE seq = 4", "table audit_log row (seq=4) was deleted outside sorights"},
      // ...with its chain entry...
      {"DELETE FROM audit_log WHERE seq = 4; DELETE FROM integrity_audit WHERE seq = 4",
       "table audit_log: the rows after seq 3 up to seq 4 were deleted outside sorights (the audit trail was "
       "truncated)"},
      {"DELETE FROM audit_log WHERE seq >= 2; DELETE FROM integrity_audit WHERE seq >= 2",
       "table audit_log: the rows after seq 1 up to seq 4 were deleted outside sorights"},
      {"DELETE FROM audit_log; DELETE FROM integrity_audit",
       "table audit_log: the rows after seq 0 up to seq 4 were deleted outside sorights"},
      // ...and with the seal's head moved back to match.
      {"DELETE FROM audit_log WHERE seq = 4; DELETE FROM integrity_audit WHERE seq = 4; UPDATE integrity_seal SET "
       "audit_seq = 3, audit_mac = (SELECT mac FROM integrity_audit WHERE seq = 3)",
       "the store's seal does not match its version 2 and the end of its audit chain"},
      {"DROP TABLE integrity_audit", "the store is sealed, but its table integrity_audit is missing"},
  });
}

TEST_CASE_METHOD(SealedStoreWithTrail,
                 "integrity: appending to an audit trail whose seq counter was wound back is refused",
                 "[storage][integrity][audit-chain]") {
  tamper(path, "DELETE FROM audit_log WHERE seq >= 3; UPDATE sqlite_sequence SET seq = 2 WHERE name = 'audit_log'");
  auto store = open_store(path, kKey);
  auto appended = store->append_audit(AuditEntry{2, 1700000300, "bob", true, "refused", {}});
  require_error(appended, ErrorCode::kDataLoss,
                "the new audit row would take seq 3, but the audit chain already reaches seq 4");
}

TEST_CASE("integrity: seal() chains an existing audit trail", "[storage][integrity][audit-chain]") {
  TempDir dir;
  const std::string path = dir.file("s.db");
  {
    auto plain = SqliteStore::open(path, {.create = true});
    REQUIRE(plain);
    REQUIRE((*plain)->apply(change_set(Model::with_defaults(), sample_model(), 0)));
    REQUIRE((*plain)->append_audit(AuditEntry{1, 1700000100, "bob", true, "refused", {}}));
  }
  REQUIRE(open_store(path, kKey)->seal());
  REQUIRE(open_store(path, kKey)->verify());
  tamper(path, "UPDATE audit_log SET actor = 'carl' WHERE seq = 2");
  require_refused(path, ErrorCode::kDataLoss, {"table audit_log row (seq=2) was changed outside sorights"});
}

TEST_CASE("integrity: a seal of the format without the audit chain is refused until sealed again",
          "[storage][integrity][audit-chain]") {
  each_trail_case({{"UPDATE integrity_seal SET format = 1",
                    "the store was sealed by an older build (integrity format 1, without the audit chain)"}},
                  ErrorCode::kFailedPrecondition);
}

// -- The reported hand edits (issue 13, item 4) ---------------------------------------

TEST_CASE("integrity: the plausible hand edits of a signed store are refused at load and by verify()",
          "[storage][integrity]") {
  each_trail_case({
      {"UPDATE data_rights SET crud = 'CRUD' WHERE role = 'level-3' AND object = 'sale' AND relation = 'other_groups'",
       "table data_rights row (role=\"level-3\", object=\"sale\", relation=\"other_groups\") was changed outside "
       "sorights"},
      {"INSERT INTO role_rights VALUES ('rep', 50, 'admin-all')",
       "table role_rights row (role=\"rep\", position=50) is not sealed: it was added outside sorights"},
      {"UPDATE users SET type = 'system' WHERE id = 'alice'", "table users row (id=\"alice\") was changed"},
      {"DELETE FROM audit_log WHERE seq = 3", "table audit_log row (seq=3) was deleted outside sorights"},
      {"CREATE TRIGGER promote AFTER INSERT ON audit_log BEGIN UPDATE users SET role = 'level-5'; END",
       "unexpected schema object: the store holds trigger \"promote\" on table \"audit_log\", which sorights did "
       "not create"},
      {"CREATE VIEW everyone AS SELECT id FROM users",
       "unexpected schema object: the store holds view \"everyone\", which sorights did not create"},
  });
}

// -- The schema check, with or without a key ------------------------------------------

namespace {

const std::vector<TrailCase>& planted_objects() {
  static const std::vector<TrailCase> cases = {
      {"CREATE TRIGGER promote AFTER UPDATE ON users BEGIN UPDATE users SET role = 'level-5'; END",
       "the store holds trigger \"promote\" on table \"users\", which sorights did not create"},
      {"CREATE TEMP TRIGGER x AFTER UPDATE ON users BEGIN SELECT 1; END; "
       "CREATE TRIGGER keep_admin BEFORE DELETE ON role_rights BEGIN SELECT RAISE(IGNORE); END",
       "the store holds trigger \"keep_admin\" on table \"role_rights\""},
      {"CREATE VIEW everyone AS SELECT id FROM users", "the store holds view \"everyone\""},
      {"CREATE TABLE notes (x)", "the store holds table \"notes\""},
      {"CREATE INDEX users_name ON users (name)", "the store holds index \"users_name\" on table \"users\""},
      // A sorights name on an object of another kind.
      {"DROP INDEX users_role; CREATE VIEW users_role AS SELECT 1", "the store holds view \"users_role\""},
  };
  return cases;
}

}  // namespace

TEST_CASE("integrity: an unsigned store holding a planted trigger, view, table or index is refused at open",
          "[storage][integrity][schema]") {
  on_fresh_copies(make_unsigned, planted_objects(), [](const std::string& path, const TrailCase& c) {
    tamper(path, c.sql);
    auto store = SqliteStore::open(path);
    REQUIRE_FALSE(store);
    INFO(store.error().message);
    CHECK(store.error().code == ErrorCode::kDataLoss);
    CHECK_THAT(store.error().message, Catch::Contains("unexpected schema object: " + c.message));
  });
}

TEST_CASE("integrity: a signed store holding a planted trigger, view, table or index is refused",
          "[storage][integrity][schema]") {
  each_trail_case(planted_objects());
}

TEST_CASE_METHOD(UnsignedStore,
                 "integrity: an object planted while a store is open is refused at its next load, commit or append",
                 "[storage][integrity][schema]") {
  auto store = SqliteStore::open(path);
  REQUIRE(store);
  REQUIRE((*store)->load());
  tamper(path, "CREATE TRIGGER promote AFTER INSERT ON audit_log BEGIN UPDATE users SET role = 'level-5'; END");
  const std::string part = "the store holds trigger \"promote\"";
  auto loaded = (*store)->load();
  REQUIRE_FALSE(loaded);
  CHECK_THAT(loaded.error().message, Catch::Contains(part));
  const Model changed = with_hr_group();
  auto applied = (*store)->apply(change_set(sample_model(), changed, 1));
  REQUIRE_FALSE(applied);
  CHECK_THAT(applied.error().message, Catch::Contains(part));
  auto appended = (*store)->append_audit(AuditEntry{1, 1700000100, "bob", true, "refused", {}});
  REQUIRE_FALSE(appended);
  CHECK_THAT(appended.error().message, Catch::Contains(part));
  auto verified = (*store)->verify();
  REQUIRE_FALSE(verified);
  CHECK_THAT(verified.error().message, Catch::Contains(part));
  // Nothing ran: no user was promoted.
  tamper(path, "DROP TRIGGER promote");
  auto after = (*store)->load();
  REQUIRE(after);
  CHECK(after->version == 1);
  CHECK(after->model.find_user("alice")->role == "rep");
}

TEST_CASE_METHOD(SealedStoreWithTrail,
                 "integrity: SQLite's own schema objects (statistics, sequence, automatic indexes) are accepted",
                 "[storage][integrity][schema]") {
  tamper(path, "ANALYZE; VACUUM");
  auto store = open_store(path, kKey);
  REQUIRE(store->load());
  REQUIRE(store->verify());
}

TEST_CASE("integrity: verify() passes a clean store, with a key or without", "[storage][integrity]") {
  TempDir dir;
  const std::string plain = dir.file("plain.db");
  make_unsigned(plain);
  auto store = SqliteStore::open(plain);
  REQUIRE(store);
  CHECK((*store)->verify());
  const std::string sealed = dir.file("sealed.db");
  make_sealed_with_trail(sealed);
  CHECK(open_store(sealed, kKey)->verify());
}

TEST_CASE_METHOD(UnsignedStore, "integrity: verify() without a key names a row or audit entry that does not decode",
                 "[storage][integrity]") {
  SECTION("a model row") {
    CHECK(tamper(path, "UPDATE data_rights SET crud = 'CX' WHERE role = 'level-3' AND object = 'sale' AND "
                       "relation = 'own'") == 1);
    auto store = SqliteStore::open(path);
    REQUIRE(store);
    auto verified = (*store)->verify();
    require_error(verified, ErrorCode::kDataLoss, "table data_rights, row (\"level-3\", \"sale\", \"own\")");
  }
  SECTION("an audit entry") {
    CHECK(tamper(path, "UPDATE audit_log SET changes = '[{' WHERE seq = 1") == 1);
    auto store = SqliteStore::open(path);
    REQUIRE(store);
    REQUIRE((*store)->load());
    auto verified = (*store)->verify();
    require_error(verified, ErrorCode::kDataLoss, "table audit_log, row seq 1");
  }
}

TEST_CASE_METHOD(UnsignedStore,
                 "integrity: a store of a newer schema is reported as newer, not as holding unexpected objects",
                 "[storage][integrity][schema]") {
  const std::string newer = std::to_string(kSqliteSchemaVersion + 1);
  tamper(path, "CREATE TABLE sessions (id TEXT); UPDATE schema_version SET version = " + newer);
  auto store = SqliteStore::open(path);
  require_error(store, ErrorCode::kUnavailable, "schema version " + newer + ", newer than this build reads");
  // And an SQLite database of another application is not a sorights store.
  const std::string other = dir.file("other.db");
  tamper(other, "CREATE TABLE customers (id INTEGER)");
  auto foreign = SqliteStore::open(other);
  REQUIRE_FALSE(foreign);
  CHECK_THAT(foreign.error().message, Catch::Contains("not a sorights store"));
}

// docs/rules.md §16 (issue 13): the restrictive flag is sealed. It is
// encoded only when set, so rows sealed before schema version 2 (which had no
// such column) keep their MACs through the migration.
TEST_CASE("integrity: a declared right's restrictive flag is sealed", "[storage][integrity]") {
  each_case({{"UPDATE functional_rights SET restrictive = 1 WHERE id = 'acme-approve'",
              "table functional_rights row (id=\"acme-approve\")"}},
            "was changed outside sorights");
  TempDir dir;
  const std::string path = dir.file("r.db");
  Model with = sample_model();
  with.functional_rights.front().restrictive = true;
  {
    auto store = open_store(path, kKey, true);
    REQUIRE(store->apply(change_set(Model::with_defaults(), with, 0)));
    auto loaded = store->load();
    REQUIRE(loaded);
    CHECK(loaded->model.functional_rights.front().restrictive);
  }
  CHECK(tamper(path, "UPDATE functional_rights SET restrictive = 0 WHERE id = 'acme-approve'") == 1);
  require_refused(path, ErrorCode::kDataLoss,
                  {"integrity check failed: table functional_rights row (id=\"acme-approve\") was changed outside sorights"});
}

TEST_CASE_METHOD(SealedStore,
                 "integrity: a store sealed at schema version 1 still loads with its key after the migration",
                 "[storage][integrity][migration]") {
  back_to_schema(path, 1);
  auto store = open_store(path, kKey);
  CHECK(store->schema_version() == kSqliteSchemaVersion);
  auto loaded = store->load();
  REQUIRE(loaded);
  CHECK(loaded->model == sample_model());
}

// `names` (schema 3) is sealed only when it is not '': a store sealed at
// schema 2 keeps a valid seal through the migration that adds the column,
// and a change of the names behind the store's back is still caught.
TEST_CASE("integrity: a store sealed at schema version 2 still verifies with its key after the names migration",
          "[storage][integrity][migration]") {
  TempDir dir;
  const std::string path = dir.file("s2.db");
  make_sealed(path);
  back_to_schema(path, 2);
  auto store = open_store(path, kKey);
  CHECK(store->schema_version() == kSqliteSchemaVersion);
  CHECK(store->verify());
  auto loaded = store->load();
  REQUIRE(loaded);
  CHECK(loaded->model == sample_model());
  // The migrated store takes names, and seals them.
  Model next = loaded->model;
  next.groups.front().names = {{"da", "Salg"}};
  REQUIRE(store->apply(change_set(loaded->model, next, loaded->version)));
  CHECK(open_store(path, kKey)->load()->model == next);
}

TEST_CASE("integrity: the names of a group are sealed", "[storage][integrity]") {
  TempDir dir;
  const std::string path = dir.file("n.db");
  Model with = sample_model();
  with.groups.front().names = {{"da", "Salg"}, {"nl", "Verkoop"}};
  {
    auto store = open_store(path, kKey, true);
    REQUIRE(store->apply(change_set(Model::with_defaults(), with, 0)));
  }
  CHECK(open_store(path, kKey)->load()->model == with);
  CHECK(tamper(path, "UPDATE groups SET names = '' WHERE id = 'sales'") == 1);
  require_refused(path, ErrorCode::kDataLoss,
                  {"integrity check failed: table groups row (id=\"sales\") was changed outside sorights"});
  // Setting names where there were none is caught too.
  TempDir dir2;
  const std::string path2 = dir2.file("n2.db");
  make_sealed(path2);
  CHECK(tamper(path2, "UPDATE groups SET names = '{\"da\":\"X\"}' WHERE id = 'support'") == 1);
  require_refused(path2, ErrorCode::kDataLoss,
                  {"integrity check failed: table groups row (id=\"support\") was changed outside sorights"});
}
