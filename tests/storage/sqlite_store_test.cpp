// The SQLite adapter against the StorageAdapter contract, plus its own
// promises: schema, migrations, clear errors.
#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "sorights/directory.hpp"
#include "sorights/snapshot.hpp"
#include "sorights/storage/sqlite_store.hpp"
#include "sqlite_support.hpp"
#include "support.hpp"
#include "support/catch.hpp"

using namespace sorights;
using storage_test::sample_model;
using storage_test::TempDir;
using storage_test::change_set;
using storage_test::open_new_store;

namespace {

// Requires `store` to load `model` at `version`.
void check_loads(SqliteStore& store, std::uint64_t version, const Model& model) {
  auto loaded = store.load();
  REQUIRE(loaded);
  CHECK(loaded->version == version);
  CHECK(loaded->model == model);
}

void exec(const std::string& path, const std::string& sql) { storage_test::execute_sql(path, sql); }

}  // namespace

TEST_CASE("sqlite: a new store holds the defaults at version 0", "[storage][sqlite]") {
  TempDir dir;
  auto store = open_new_store(dir.file("s.db"));
  CHECK(store->schema_version() == kSqliteSchemaVersion);
  check_loads(*store, 0, Model::with_defaults());
  auto v = store->version();
  REQUIRE(v);
  CHECK(*v == 0);
}

TEST_CASE("sqlite: apply writes a change set and load reads it back", "[storage][sqlite]") {
  TempDir dir;
  const std::string path = dir.file("s.db");
  const Model target = sample_model();
  {
    auto store = open_new_store(path);
    REQUIRE(store->apply(change_set(Model::with_defaults(), target, 0)));
    check_loads(*store, 1, target);
  }
  // Reopened: the same.
  auto store = SqliteStore::open(path);
  REQUIRE(store);
  auto loaded = (*store)->load();
  REQUIRE(loaded);
  CHECK(loaded->version == 1);
  CHECK(loaded->model == target);
  CHECK(compile(loaded->model));

  SECTION("incremental edits, removals and re-adds keep the model order") {
    Model next = target;
    next.users[0].other_groups.clear();
    next.users.erase(next.users.begin() + 1);
    next.groups.push_back({"hr", "HR"});
    next.find_role("rep")->functional_rights.clear();
    next.field_rights.clear();
    next.overrides.pop_back();
    REQUIRE((*store)->apply(change_set(target, next, 1)));
    check_loads(**store, 2, next);
  }
}

TEST_CASE("sqlite: a stale base version is a conflict and changes nothing", "[storage][sqlite]") {
  TempDir dir;
  auto store = open_new_store(dir.file("s.db"));
  const Model target = sample_model();
  REQUIRE(store->apply(change_set(Model::with_defaults(), target, 0)));
  Model other = Model::with_defaults();
  other.groups.push_back({"x", "X"});
  auto r = store->apply(change_set(Model::with_defaults(), other, 0));
  REQUIRE(!r);
  CHECK(r.error().code == ErrorCode::kConflict);
  check_loads(*store, 1, target);
}

TEST_CASE("sqlite: a failing change set rolls back whole", "[storage][sqlite]") {
  TempDir dir;
  auto store = open_new_store(dir.file("s.db"));
  ChangeSet cs = change_set(Model::with_defaults(), sample_model(), 0);
  // A change whose value has another id: the adapter refuses it after the
  // earlier changes were written; nothing of it may remain.
  Change bad;
  bad.kind = EntityKind::kGroup;
  bad.id = "g";
  bad.after = Group{"not-g", ""};
  cs.changes.push_back(bad);
  auto r = store->apply(cs);
  REQUIRE(!r);
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
  check_loads(*store, 0, Model::with_defaults());
  auto audit = store->audit({});
  REQUIRE(audit);
  CHECK(audit->empty());
}

TEST_CASE("sqlite: the audit trail keeps commits and refusals with their changes", "[storage][sqlite]") {
  TempDir dir;
  auto store = open_new_store(dir.file("s.db"));
  ChangeSet cs = change_set(Model::with_defaults(), sample_model(), 0);
  cs.actor = "";
  REQUIRE(store->apply(cs));
  AuditEntry refused;
  refused.version = 1;
  refused.time = 1700000100;
  refused.actor = "bob";
  refused.refused = true;
  refused.reason = "needs admin-users";
  Change c;
  c.kind = EntityKind::kUser;
  c.id = "alice";
  c.before = sample_model().users[0];
  User after = sample_model().users[0];
  after.role = "level-0";
  c.after = after;
  refused.changes = {c};
  REQUIRE(store->append_audit(refused));
  auto all = store->audit({});
  REQUIRE(all);
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].version == 1);
  CHECK((*all)[0].changes == cs.changes);
  CHECK((*all)[1].refused);
  CHECK((*all)[1].reason == "needs admin-users");
  CHECK((*all)[1].changes == refused.changes);
  AuditQuery q;
  q.user = "bob";
  auto bobs = store->audit(q);
  REQUIRE(bobs);
  CHECK(bobs->size() == 2);  // bob acted in one, and is a user added in the other
  q.user = "nobody";
  CHECK(store->audit(q)->empty());
  q = {};
  q.include_refused = false;
  CHECK(store->audit(q)->size() == 1);
}

TEST_CASE("sqlite: a directory runs on it", "[storage][sqlite]") {
  TempDir dir;
  std::shared_ptr<SqliteStore> store = open_new_store(dir.file("s.db"));
  auto d = Directory::open(store);
  REQUIRE(d);
  auto tx = (*d)->begin();
  REQUIRE(tx);
  REQUIRE(tx->stage_model(sample_model()));
  auto done = tx->commit();
  REQUIRE(done);
  CHECK(done->version == 1);
  auto reopened = SqliteStore::open(dir.file("s.db"));
  REQUIRE(reopened);
  CHECK((*reopened)->load()->model == sample_model());
}

TEST_CASE("sqlite: clear errors", "[storage][sqlite]") {
  TempDir dir;
  SECTION("a missing store without create") {
    auto s = SqliteStore::open(dir.file("missing.db"));
    REQUIRE(!s);
    CHECK(s.error().code == ErrorCode::kNotFound);
    CHECK(s.error().message.find("missing.db") != std::string::npos);
  }
  SECTION("a foreign file") {
    storage_test::write_all(dir.file("foreign.db"), std::string(4096, 'x'));
    auto s = SqliteStore::open(dir.file("foreign.db"));
    REQUIRE(!s);
    CHECK(s.error().code == ErrorCode::kDataLoss);
    CHECK(s.error().message.find("not a sorights store") != std::string::npos);
  }
  SECTION("an SQLite database of something else") {
    exec(dir.file("other.db"), "CREATE TABLE customers (id INTEGER)");
    auto s = SqliteStore::open(dir.file("other.db"));
    REQUIRE(!s);
    CHECK(s.error().code == ErrorCode::kDataLoss);
  }
  SECTION("a newer schema") {
    { auto s = open_new_store(dir.file("new.db")); }
    exec(dir.file("new.db"), "UPDATE schema_version SET version = 99");
    auto s = SqliteStore::open(dir.file("new.db"));
    REQUIRE(!s);
    CHECK(s.error().code == ErrorCode::kUnavailable);
    CHECK(s.error().message.find("99") != std::string::npos);
  }
  SECTION("a corrupt row names the table and the row") {
    { auto s = open_new_store(dir.file("bad.db")); }
    exec(dir.file("bad.db"), "UPDATE data_rights SET crud = 'CX' WHERE role = 'level-3' AND object = 'sale' AND relation = 'own'");
    auto s = SqliteStore::open(dir.file("bad.db"));
    REQUIRE(s);
    auto loaded = (*s)->load();
    REQUIRE(!loaded);
    CHECK(loaded.error().code == ErrorCode::kDataLoss);
    CHECK(loaded.error().message.find("data_rights") != std::string::npos);
    CHECK(loaded.error().message.find("level-3") != std::string::npos);
  }
  SECTION("a directory path") {
    auto s = SqliteStore::open(dir.file(""), {.create = true});
    REQUIRE(!s);
    CHECK(s.error().code == ErrorCode::kUnavailable);
  }
}

TEST_CASE("sqlite: a version 0 store is migrated and keeps its data", "[storage][sqlite][migration]") {
  TempDir dir;
  const std::string path = dir.file("v0.db");
  auto s = storage_test::open_migrated_fixture(path, {"schema_v0.sql", "seller_role.sql"});
  auto loaded = s->load();
  REQUIRE(loaded);
  CHECK(loaded->version == 7);
  const User* alice = loaded->model.find_user("alice");
  REQUIRE(alice != nullptr);
  CHECK(alice->role == "seller");
  CHECK(alice->person.empty());
  CHECK(!alice->former_employee);
  const Role* seller = loaded->model.find_role("seller");
  REQUIRE(seller != nullptr);
  CHECK(seller->cell("sale", Relation::kOwn) == TableRights::full());
  CHECK(seller->functional_rights == std::vector<std::string>{"allow-bulk-export"});
  auto audit = s->audit({});
  REQUIRE(audit);
  REQUIRE(audit->size() == 1);
  CHECK(!(*audit)[0].refused);
  // A migrated store takes new commits with the new columns.
  Model next = loaded->model;
  next.find_user("alice")->former_employee = true;
  ChangeSet cs = change_set(loaded->model, next, 7);
  REQUIRE(s->apply(cs));
  auto reopened = SqliteStore::open(path);
  REQUIRE(reopened);
  CHECK((*reopened)->load()->model.find_user("alice")->former_employee);
}

TEST_CASE("sqlite: subscribe announces commits made through another connection", "[storage][sqlite]") {
  TempDir dir;
  const std::string path = dir.file("w.db");
  std::shared_ptr<SqliteStore> watched;
  {
    SqliteStoreOptions options;
    options.create = true;
    options.watch_interval_ms = 10;
    auto s = SqliteStore::open(path, std::move(options));
    REQUIRE(s);
    watched = std::move(*s);
  }
  auto d = Directory::open(watched);  // subscribes
  REQUIRE(d);
  auto other = SqliteStore::open(path);
  REQUIRE(other);
  REQUIRE((*other)->apply(change_set(Model::with_defaults(), sample_model(), 0)));
  // The directory learns of it and picks it up at its next begin().
  bool seen = false;
  for (int i = 0; i < 300 && !seen; ++i) {
    auto tx = (*d)->begin();
    REQUIRE(tx);
    seen = tx->base_version() == 1;
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(seen);
  CHECK((*d)->model()->find_user("alice") != nullptr);
}

// docs/rules.md §16 (issue 13): schema version 2 stores the flag.
TEST_CASE("sqlite: a declared right's restrictive flag is written and read back", "[storage][sqlite]") {
  TempDir dir;
  const std::string path = dir.file("r.db");
  Model target = sample_model();
  FunctionalRightDef hide{"acme-hide-planner", "Hide planner", ""};
  hide.restrictive = true;
  target.functional_rights.push_back(hide);
  {
    auto store = open_new_store(path);
    REQUIRE(store->apply(change_set(Model::with_defaults(), target, 0)));
  }
  auto store = SqliteStore::open(path);
  REQUIRE(store);
  auto loaded = (*store)->load();
  REQUIRE(loaded);
  CHECK(loaded->model == target);
  CHECK(loaded->model.functional_rights.back().restrictive);
  CHECK_FALSE(loaded->model.functional_rights.front().restrictive);
  // Clearing it is a change like any other.
  Model next = target;
  next.functional_rights.back().restrictive = false;
  REQUIRE((*store)->apply(change_set(target, next, 1)));
  CHECK_FALSE((*store)->load()->model.functional_rights.back().restrictive);
  // A value other than 0 or 1 is a clear error.
  exec(path, "PRAGMA ignore_check_constraints = ON; UPDATE functional_rights SET restrictive = 7");
  auto bad = (*SqliteStore::open(path))->load();
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("restrictive is not 0 or 1") != std::string::npos);
}

TEST_CASE("sqlite: a version 1 store is migrated, its declared rights not restrictive", "[storage][sqlite][migration]") {
  TempDir dir;
  const std::string path = dir.file("v1.db");
  auto s = storage_test::open_migrated_fixture(path, {"schema_v1.sql", "seller_role.sql"});
  CHECK(kSqliteSchemaVersion >= 2);
  auto loaded = s->load();
  REQUIRE(loaded);
  CHECK(loaded->version == 4);
  REQUIRE(loaded->model.functional_rights.size() == 2);
  CHECK(loaded->model.functional_rights[0].requires_licence == "quote");
  for (const FunctionalRightDef& f : loaded->model.functional_rights) CHECK_FALSE(f.restrictive);
  CHECK(loaded->model.find_role("seller")->functional_rights == std::vector<std::string>{"acme-approve"});
  // The migrated store takes the new column.
  Model next = loaded->model;
  next.functional_rights[1].restrictive = true;
  REQUIRE(s->apply(change_set(loaded->model, next, 4)));
  auto reopened = SqliteStore::open(path);
  REQUIRE(reopened);
  CHECK((*reopened)->load()->model.functional_rights[1].restrictive);
}
