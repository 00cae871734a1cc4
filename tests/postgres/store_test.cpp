// The PostgresStore adapter contract against a real server: load, apply,
// conflict, audit, migrations, errors.
#include "pg_test_support.hpp"
#include "sorights/storage.hpp"
#include "sorights/testing/storage_conformance.hpp"
#include "support/catch.hpp"

using namespace sorights;

namespace {

std::shared_ptr<PostgresStore> open_store(const std::string& /*schema*/, PostgresStoreOptions o) {
  auto s = PostgresStore::open(pgt::conninfo(), std::move(o));
  if (!s) FAIL(s.error().message);
  return std::shared_ptr<PostgresStore>(std::move(*s));
}

std::shared_ptr<PostgresStore> open_store(const std::string& schema) {
  return open_store(schema, pgt::store_options(schema));
}

// The store at `schema` opened by this build, which makes it or migrates it: at the current schema version.
std::shared_ptr<PostgresStore> open_current(const std::string& schema) {
  auto store = open_store(schema);
  CHECK(store->schema_version() == kPostgresSchemaVersion);
  return store;
}

// A store as a build of schema `version` made it: migrated up to that version only.
std::shared_ptr<PostgresStore> open_store_at(const std::string& schema, int version) {
  PostgresStoreOptions o = pgt::store_options(schema);
  o.migrate_to = version;
  auto s = open_store(schema, o);
  CHECK(s->schema_version() == version);
  return s;
}

// A model that uses every entity kind and every field.
Model full_model() { return sorights::testing::model_with_every_field(); }

ChangeSet change_set(const Model& from, const Model& to, std::uint64_t base, std::string actor = "") {
  return ChangeSet{base, base + 1, 1700000000 + static_cast<Time>(base), std::move(actor), diff_models(from, to)};
}

}  // namespace

TEST_CASE("postgres: a new store holds the predefined roles at version 0", "[postgres]") {
  const std::string schema = pgt::unique_schema("new");
  auto store = open_current(schema);
  auto loaded = store->load();
  REQUIRE(loaded);
  CHECK(loaded->version == 0);
  CHECK(loaded->model == Model::with_defaults());
  CHECK(*store->version() == 0);
  // Opening again finds it (no second creation).
  auto again = open_store(schema);
  CHECK(again->load()->model == Model::with_defaults());
  CHECK(pgt::sql("SELECT count(*) FROM " + schema + ".schema_version") ==
        std::optional<std::string>(std::to_string(kPostgresSchemaVersion)));
}

TEST_CASE("postgres: apply writes every entity kind and load reads the same model back", "[postgres]") {
  auto store = open_store(pgt::unique_schema("roundtrip"));
  const Model base = Model::with_defaults();
  Model model = full_model();
  REQUIRE(store->apply(change_set(base, model, 0)));
  auto loaded = store->load();
  REQUIRE(loaded);
  CHECK(loaded->version == 1);
  CHECK(loaded->model == model);

  // Edits in place keep the order; removals and additions follow apply_changes.
  Model next = model;
  next.users[0].other_groups = {};
  next.users[0].name = "Bob B.";
  next.users.erase(next.users.begin() + 1);
  next.users.push_back(pgt::associate("zed"));
  next.roles.back().data_rights.erase("sale");
  next.roles.back().functional_rights = {"print"};
  next.licences[1].requires_licences = {};
  next.field_rights.clear();
  next.overrides.push_back(next.overrides.front());
  next.overrides.back().level = OverrideLevel::kSystem;
  next.overrides.back().target.clear();
  ChangeSet cs = change_set(model, next, 1);
  REQUIRE(store->apply(cs));
  Model expected = model;
  REQUIRE(apply_changes(expected, cs.changes));
  loaded = store->load();
  REQUIRE(loaded);
  CHECK(loaded->version == 2);
  CHECK(loaded->model == expected);

  // A removed entity added again within one change set goes to the end, as
  // apply_changes puts it.
  ChangeSet again{2, 3, 0, "", {}};
  again.changes.push_back(Change{EntityKind::kUser, "bob", Entity(expected.users[0]), std::nullopt});
  again.changes.push_back(Change{EntityKind::kUser, "bob", std::nullopt, Entity(expected.users[0])});
  REQUIRE(store->apply(again));
  REQUIRE(apply_changes(expected, again.changes));
  CHECK(store->load()->model == expected);
}

TEST_CASE("postgres: a stale base version is a conflict and writes nothing", "[postgres]") {
  auto store = open_store(pgt::unique_schema("conflict"));
  Model base = Model::with_defaults();
  Model a = base;
  a.groups.push_back({"a", "A"});
  REQUIRE(store->apply(change_set(base, a, 0)));
  Model b = base;
  b.groups.push_back({"b", "B"});
  Result<void> r = store->apply(change_set(base, b, 0));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kConflict);
  CHECK(r.error().message.find("stored version is 1") != std::string::npos);
  CHECK(store->load()->model == a);
  CHECK(store->audit({})->size() == 1);
}

TEST_CASE("postgres: a wrong value kind or a NUL byte is refused before writing", "[postgres]") {
  auto store = open_store(pgt::unique_schema("invalid"));
  ChangeSet cs{0, 1, 0, "", {}};
  cs.changes.push_back(Change{EntityKind::kGroup, "g", std::nullopt, Entity(OurCompany{"g", "", false})});
  Result<void> r = store->apply(cs);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
  cs.changes[0].after = Entity(Group{std::string("g\0x", 3), ""});
  cs.changes[0].id = std::string("g\0x", 3);
  r = store->apply(cs);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
  CHECK(*store->version() == 0);
}

TEST_CASE("postgres: the audit trail keeps commits and refusals, and answers queries", "[postgres]") {
  auto store = open_store(pgt::unique_schema("audit"));
  auto dir = Directory::open(store);
  REQUIRE(dir);
  REQUIRE(pgt::seed(**dir));
  REQUIRE(pgt::add_user(**dir, "alice"));
  {
    auto tx = (*dir)->begin();
    REQUIRE(tx);
    REQUIRE(tx->put_user(pgt::associate("bob", "acme", "no-such-role")));
    auto refused = tx->commit();
    REQUIRE_FALSE(refused);
  }
  auto all = store->audit({});
  REQUIRE(all);
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].version == 1);
  CHECK((*all)[1].version == 2);
  CHECK((*all)[1].changes.size() == 1);
  CHECK((*all)[1].changes[0].kind == EntityKind::kUser);
  CHECK((*all)[1].changes[0].after.has_value());
  CHECK((*all)[2].refused);
  CHECK_FALSE((*all)[2].reason.empty());

  AuditQuery q;
  q.user = "alice";
  CHECK(store->audit(q)->size() == 1);
  q = {};
  q.include_refused = false;
  CHECK(store->audit(q)->size() == 2);
  q = {};
  q.role = "level-3";
  CHECK(store->audit(q)->size() == 1);  // alice's commit (the refused bob named another role)
  q = {};
  q.from = kTimeMax - 1;
  CHECK(store->audit(q)->empty());
}

TEST_CASE("postgres: a schema-1 store is migrated to the current schema, keeping its data", "[postgres]") {
  const std::string schema = pgt::unique_schema("migrate");
  {
    auto old = open_store_at(schema, 1);
    CHECK(old->load()->model == Model::with_defaults());
    ChangeSet cs{0, 1, 0, "", {}};
    Result<void> w = old->apply(cs);
    REQUIRE_FALSE(w);
    CHECK(w.error().code == ErrorCode::kFailedPrecondition);
  }
  // Data written by a schema-1 build.
  REQUIRE(pgt::sql("SET search_path TO " + schema +
                   "; INSERT INTO groups (id, position, name) VALUES ('sales', 1, 'Sales');"
                   "UPDATE meta SET version = 7;"
                   "INSERT INTO audit_log (version, time, actor, changes) VALUES (7, 5, 'admin', "
                   "'[{\"kind\":\"group\",\"id\":\"sales\",\"after\":{\"id\":\"sales\",\"name\":\"Sales\"}}]')"));
  CHECK(pgt::sql("SELECT count(*) FROM information_schema.columns WHERE table_schema = '" + schema +
                 "' AND table_name = 'audit_log' AND column_name = 'commit_id'") == std::optional<std::string>("0"));
  auto store = open_current(schema);
  CHECK(pgt::sql("SELECT string_agg(version::text, ',' ORDER BY version) FROM " + schema + ".schema_version") ==
        std::optional<std::string>("1,2,3,4"));
  auto loaded = store->load();
  REQUIRE(loaded);
  CHECK(loaded->version == 7);
  REQUIRE(loaded->model.groups.size() == 1);
  CHECK(loaded->model.groups[0].name == "Sales");
  auto trail = store->audit({});
  REQUIRE(trail);
  REQUIRE(trail->size() == 1);
  CHECK((*trail)[0].actor == "admin");
  Model next = loaded->model;
  next.groups.push_back({"support", "Support"});
  REQUIRE(store->apply(change_set(loaded->model, next, 7)));
  CHECK(*store->version() == 8);
}

TEST_CASE("postgres: the migration table is a chain from 0 to the current version", "[postgres]") {
  // Opening a store with every migrate_to from 1 up must reach that version.
  for (int to = 1; to <= kPostgresSchemaVersion; ++to) {
    const std::string schema = pgt::unique_schema("chain");
    open_store_at(schema, to);
  }
}

TEST_CASE("postgres: a newer schema, a missing store and a dead server are clear errors", "[postgres]") {
  const std::string schema = pgt::unique_schema("errors");
  {
    auto s = open_store(schema);
    (void)s;
  }
  REQUIRE(pgt::sql("INSERT INTO " + schema + ".schema_version (version) VALUES (99)"));
  auto newer = PostgresStore::open(pgt::conninfo(), pgt::store_options(schema));
  REQUIRE_FALSE(newer);
  CHECK(newer.error().code == ErrorCode::kDataLoss);
  CHECK(newer.error().message.find("99") != std::string::npos);

  PostgresStoreOptions o = pgt::store_options(pgt::unique_schema("missing"));
  o.create = false;
  auto missing = PostgresStore::open(pgt::conninfo(), o);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::kNotFound);

  auto dead = PostgresStore::open("host=127.0.0.1 port=1 dbname=nowhere connect_timeout=2", o);
  REQUIRE_FALSE(dead);
  CHECK(dead.error().code == ErrorCode::kUnavailable);
  CHECK(dead.error().message.find("postgres 127.0.0.1:1/nowhere") != std::string::npos);
  CHECK(dead.error().message.find("open") != std::string::npos);
}

TEST_CASE("postgres: an unreadable row is data loss naming the table and row", "[postgres]") {
  const std::string schema = pgt::unique_schema("dataloss");
  auto store = open_store(schema);
  Model m = Model::with_defaults();
  Model with = m;
  with.our_companies.push_back({"acme", "Acme", true});
  with.groups.push_back({"sales", "Sales"});
  with.users.push_back(pgt::associate("mallory"));
  FieldRightRule f;
  f.role = "level-3";
  f.object = "sale";
  f.field = "sale.amount";
  f.rights = *FieldRights::parse_rw("R");
  with.field_rights.push_back(f);
  Override o;
  o.object = "sale";
  o.remove = TableRights::parse_crud("D")->bits();
  with.overrides.push_back(o);
  REQUIRE(store->apply(change_set(m, with, 0)));
  REQUIRE(open_store(schema)->load()->model == with);
  const auto load_error = [&](const std::string& edit) {
    REQUIRE(pgt::sql(edit));
    auto loaded = open_store(schema)->load();  // a new store: no cache from before the edit
    REQUIRE_FALSE(loaded);
    CHECK(loaded.error().code == ErrorCode::kDataLoss);
    return loaded.error().message;
  };
  const std::string users = schema + ".users", rules = schema + ".field_rights", overrides = schema + ".overrides";
  std::string e = load_error("ALTER TABLE " + users + " DROP CONSTRAINT users_type_check; UPDATE " + users +
                             " SET type = 'alien'");
  CHECK(e.find("table users, row \"mallory\"") != std::string::npos);
  e = load_error("UPDATE " + users + " SET type = 'associate'; UPDATE " + rules + " SET relation = 'alien'");
  CHECK(e.find("table field_rights, row \"0\": relation \"alien\"") != std::string::npos);
  e = load_error("UPDATE " + rules + " SET relation = 'own'; ALTER TABLE " + overrides +
                 " DROP CONSTRAINT overrides_remove_check; UPDATE " + overrides + " SET remove = 999");
  CHECK(e.find("table overrides, row \"0\": column remove holds \"999\", out of range") != std::string::npos);
  REQUIRE(pgt::sql("UPDATE " + schema + ".audit_log SET changes = 'not json'"));
  auto trail = store->audit({});
  REQUIRE_FALSE(trail);
  CHECK(trail.error().code == ErrorCode::kDataLoss);
}

TEST_CASE("postgres: a directory commits through the store and another directory sees it", "[postgres]") {
  const std::string schema = pgt::unique_schema("twodirs");
  auto a = Directory::open(open_store(schema));
  auto b = Directory::open(open_store(schema));
  REQUIRE(a);
  REQUIRE(b);
  auto follower = attach_listener(**b);
  REQUIRE(follower);
  REQUIRE(pgt::seed(**a));
  auto done = pgt::add_user(**a, "alice");
  REQUIRE(done);
  const std::uint64_t token = done->version;
  auto snap = (*follower)->snapshot_at_least(token, std::chrono::seconds(5));
  REQUIRE(snap);
  CHECK((*snap)->version() >= token);
  CHECK((*b)->model()->find_user("alice") != nullptr);
  // The free function works too, and a token from the future times out clearly.
  auto again = snapshot_at_least(**b, token, std::chrono::milliseconds(10));
  REQUIRE(again);
  auto late = (*follower)->snapshot_at_least(token + 100, std::chrono::milliseconds(150));
  REQUIRE_FALSE(late);
  CHECK(late.error().code == ErrorCode::kUnavailable);
  CHECK(late.error().message.find(std::to_string(token + 100)) != std::string::npos);
  auto late2 = snapshot_at_least(**b, token + 100, std::chrono::milliseconds(100));
  REQUIRE_FALSE(late2);
  CHECK(late2.error().code == ErrorCode::kUnavailable);

  // A stale directory's commit conflicts in the store; the directory picks up
  // the stored state and, nothing it touches having changed, saves the change
  // set on top of it by itself.
  PostgresStoreOptions quiet = pgt::store_options(schema);
  quiet.listen = false;
  auto c = Directory::open(open_store(schema, quiet));
  REQUIRE(c);
  REQUIRE(pgt::add_user(**a, "bob"));
  auto tx = (*c)->begin();
  REQUIRE(tx);
  REQUIRE(tx->put_user(pgt::associate("carol")));
  auto stale = tx->commit();
  REQUIRE(stale);
  CHECK((*c)->model()->find_user("bob") != nullptr);
  CHECK((*c)->model()->find_user("carol") != nullptr);
  // attach_listener refuses other adapters.
  auto mem = Directory::open(std::make_shared<InMemoryStorage>());
  REQUIRE(mem);
  auto wrong = attach_listener(**mem);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("postgres: snapshot_at_least polls refresh() on other adapters", "[postgres]") {
  auto storage = std::make_shared<InMemoryStorage>();
  auto a = Directory::open(storage);
  auto b = Directory::open(storage);
  REQUIRE(a);
  REQUIRE(b);
  auto done = pgt::seed(**a);
  REQUIRE(done);
  auto snap = snapshot_at_least(**b, done->version, std::chrono::seconds(1));
  REQUIRE(snap);
  CHECK((*snap)->version() == done->version);
}

TEST_CASE("postgres: an incremental load (from the audit log) equals a full load", "[postgres]") {
  const std::string schema = pgt::unique_schema("incremental");
  auto writer = open_store(schema);
  PostgresStoreOptions inc = pgt::store_options(schema);
  inc.listen = false;
  auto reader = open_store(schema, inc);
  PostgresStoreOptions full = inc;
  full.incremental_load = false;
  auto reference = open_store(schema, full);
  REQUIRE(reader->load());  // the first load reads every table

  Model m = Model::with_defaults();
  std::uint64_t v = 0;
  auto step = [&](const Model& next) {
    REQUIRE(writer->apply(change_set(m, next, v)));
    m = next;
    ++v;
  };
  step(full_model());
  Model n = m;
  n.users[0].licences = {"user", "web"};
  n.users.erase(n.users.begin() + 1);
  n.roles.back().set_cell("ticket", Relation::kOwn, TableRights::full());
  n.overrides.clear();
  n.groups.push_back({"new", "New"});
  step(n);
  auto once = reader->load();
  REQUIRE(once);
  CHECK(once->version == 2);
  CHECK(once->model == reference->load()->model);
  Model k = m;
  k.field_rights.push_back(k.field_rights.front());
  k.field_rights.back().field = "company.department";
  k.plans.clear();
  step(k);
  Model l = m;
  l.users.push_back(pgt::associate("late"));
  step(l);
  auto inc_loaded = reader->load();
  REQUIRE(inc_loaded);
  CHECK(inc_loaded->version == 4);
  CHECK(inc_loaded->model == reference->load()->model);
  CHECK(inc_loaded->model == m);
  CHECK(reader->incremental_loads() == 2);
  // A row changed by hand (no audit entry) is not seen by the audit path, but
  // a version bump without an entry forces a full read.
  REQUIRE(pgt::sql("UPDATE " + schema + ".groups SET name = 'Renamed' WHERE id = 'new'; UPDATE " + schema +
                   ".meta SET version = version + 1"));
  auto after = reader->load();
  REQUIRE(after);
  CHECK(after->model == reference->load()->model);
  CHECK(reader->incremental_loads() == 2);
}

TEST_CASE("postgres: a connection lost at COMMIT is settled by the commit id and retried", "[postgres]") {
  const std::string schema = pgt::unique_schema("lostcommit");
  PostgresStoreOptions o = pgt::store_options(schema);
  o.listen = false;
  int kills = 0;
  o.before_commit = [&](int pid) {
    // With a timeout, pg_terminate_backend waits until the backend is gone.
    if (kills++ == 0) REQUIRE(pgt::sql("SELECT pg_terminate_backend(" + std::to_string(pid) + ", 5000)"));
  };
  auto store = open_store(schema, o);
  Model base = Model::with_defaults();
  Model next = base;
  next.groups.push_back({"sales", "Sales"});
  REQUIRE(store->apply(change_set(base, next, 0)));
  CHECK(kills == 2);               // the first COMMIT never arrived; the retry did
  CHECK(store->retries() == 1);
  CHECK(*store->version() == 1);
  auto trail = store->audit({});
  REQUIRE(trail);
  CHECK(trail->size() == 1);       // committed exactly once
  CHECK(store->load()->model == next);
}

TEST_CASE("postgres: a schema-2 store gains the restrictive column, its rights not restrictive", "[postgres]") {
  const std::string schema = pgt::unique_schema("restrictive");
  {
    auto old = open_store_at(schema, 2);
    CHECK(old->load()->model == Model::with_defaults());  // a schema-2 store still loads
  }
  REQUIRE(pgt::sql("SET search_path TO " + schema +
                   "; INSERT INTO functional_rights (id, position, name, requires_licence) VALUES ('print', 1, 'Print', '')"));
  auto store = open_current(schema);
  auto loaded = store->load();
  REQUIRE(loaded);
  REQUIRE(loaded->model.functional_rights.size() == 1);
  CHECK_FALSE(loaded->model.functional_rights[0].restrictive);
  Model next = loaded->model;
  next.functional_rights[0].restrictive = true;
  REQUIRE(store->apply(change_set(loaded->model, next, 0)));
  CHECK(store->load()->model.functional_rights[0].restrictive);
}

TEST_CASE("postgres: names round trip, and a schema-3 store reads them empty", "[postgres][names]") {
  const std::string schema = pgt::unique_schema("names");
  open_store_at(schema, 3);
  // Data written by a schema-3 build: no names columns.
  REQUIRE(pgt::sql("SET search_path TO " + schema +
                   "; INSERT INTO groups (id, position, name) VALUES ('sales', 1, 'Sales');"
                   "UPDATE meta SET version = 2;"));
  CHECK(pgt::sql("SELECT count(*) FROM information_schema.columns WHERE table_schema = '" + schema +
                 "' AND column_name = 'names'") == std::optional<std::string>("0"));
  auto store = open_current(schema);
  CHECK(kPostgresSchemaVersion == 4);
  auto loaded = store->load();
  REQUIRE(loaded);
  REQUIRE(loaded->model.groups.size() == 1);
  CHECK(loaded->model.groups[0].names.empty());
  for (const Role& r : loaded->model.roles) CHECK(r.names.empty());
  Model next = loaded->model;
  next.groups[0].names = {{"da", "Salg"}, {"nl", "Verkoop"}};
  next.our_companies.push_back({"acme", "Acme", true, {{"no", "Acme Norge"}}});
  next.functional_rights.push_back({"acme-approve", "Approve", "", false, {{"en", "Approve deals"}}});
  next.find_role("level-2")->names = {{"da", "Niveau to"}};
  REQUIRE(store->apply(change_set(loaded->model, next, 2)));
  auto reopened = open_store(schema);
  auto again = reopened->load();
  REQUIRE(again);
  CHECK(again->model == next);
  CHECK(pgt::sql("SELECT names FROM " + schema + ".groups WHERE id = 'sales'") ==
        std::optional<std::string>("{\"da\":\"Salg\",\"nl\":\"Verkoop\"}"));
  CHECK(pgt::sql("SELECT names FROM " + schema + ".roles WHERE id = 'level-3'") == std::optional<std::string>(""));
  // The audit log keeps them.
  auto trail = reopened->audit({});
  REQUIRE(trail);
  REQUIRE_FALSE(trail->empty());
  bool seen = false;
  for (const Change& c : trail->back().changes)
    if (c.kind == EntityKind::kGroup && c.after) seen = std::get<Group>(*c.after).names == next.groups[0].names;
  CHECK(seen);
  // A names column that is not an object of languages is data loss naming the row.
  REQUIRE(pgt::sql("UPDATE " + schema + ".groups SET names = '{\"fr\":\"x\"}'"));
  auto bad = open_store(schema)->load();  // a new store: no cache from before the UPDATE
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == ErrorCode::kDataLoss);
  CHECK(bad.error().message.find("table groups, row \"sales\"") != std::string::npos);
}
