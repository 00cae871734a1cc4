// The audit trail: committed and refused transactions, and the queries.
#include "fixture.hpp"

using namespace admin_test;

TEST_CASE("audit: a commit is recorded with version, time, actor and each change", "[admin][audit]") {
  Fixture f;
  f.clock.now->store(2000);
  Transaction tx = f.begin("ua");
  REQUIRE(tx.set_user_role("bob", "level-4"));
  REQUIRE(tx.add_user(associate("dina", "level-5")));
  REQUIRE_COMMITS(tx);
  auto trail = f.dir->audit();
  REQUIRE(trail);
  REQUIRE(trail->size() == 1);
  const AuditEntry& e = trail->front();
  CHECK(e.version == 2);
  CHECK(e.time == 2000);
  CHECK(e.actor == "ua");
  CHECK_FALSE(e.refused);
  REQUIRE(e.changes.size() == 2);
  CHECK(e.changes[0].id == "bob");
  CHECK(std::get<User>(*e.changes[0].before).role == "level-3");
  CHECK(std::get<User>(*e.changes[0].after).role == "level-4");
  CHECK(e.changes[1].id == "dina");
  CHECK_FALSE(e.changes[1].before);
}

TEST_CASE("audit: the commit's result and the in-memory trail share each changed entity instead of copying it",
          "[admin][audit]") {
  Fixture f;
  Transaction tx = f.begin("ua");
  REQUIRE(tx.set_user_role("bob", "level-4"));
  REQUIRE(tx.add_user(associate("dina", "level-5")));
  auto done = tx.commit();
  REQUIRE(done);
  auto trail = f.dir->audit();
  REQUIRE(trail);
  REQUIRE(trail->size() == 1);
  const std::vector<Change>& kept = trail->front().changes;
  REQUIRE(done->changes.size() == 2);
  REQUIRE(kept.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(done->changes[i] == kept[i]);
    REQUIRE(kept[i].after);
    CHECK(&*done->changes[i].after == &*kept[i].after);  // one entity, two lists
  }
  REQUIRE(kept[0].before);
  CHECK(&*done->changes[0].before == &*kept[0].before);
  // Equal values compare equal whether or not they are shared.
  const SharedEntity copy(*kept[0].after);
  CHECK(&*copy != &*kept[0].after);
  CHECK(copy == kept[0].after);
  CHECK_FALSE(copy == kept[0].before);
  CHECK(SharedEntity{} == SharedEntity(std::nullopt));
  CHECK_FALSE(SharedEntity{} == copy);
}

TEST_CASE("audit: a refused commit is recorded with the rule that refused it", "[admin][audit]") {
  Fixture f;
  f.clock.now->store(3000);
  Transaction tx = f.begin("ua");
  REQUIRE(tx.set_user_role("carl", "level-0"));
  REQUIRE_FALSE(tx.commit());
  auto trail = f.dir->audit();
  REQUIRE(trail);
  REQUIRE(trail->size() == 1);
  const AuditEntry& e = trail->front();
  CHECK(e.refused);
  CHECK(e.version == 1);  // the version it was tried on
  CHECK(e.time == 3000);
  CHECK(e.actor == "ua");
  CHECK(e.reason.find("privilege-escalation") != std::string::npos);
  CHECK(e.reason.find("carl") != std::string::npos);
  REQUIRE(e.changes.size() == 1);
  CHECK(std::get<User>(*e.changes[0].after).role == "level-0");
  CHECK(f.dir->version() == 1);
  // The refusal changed nothing.
  CHECK(f.dir->model()->find_user("carl")->role == "level-4");
}

TEST_CASE("audit: queries by user, role and time range", "[admin][audit]") {
  Fixture f;
  auto commit_at = [&](Time t, std::string_view actor, auto&& edit) {
    f.clock.now->store(t);
    Transaction tx = f.begin(actor);
    edit(tx);
    return tx.commit().has_value();
  };
  REQUIRE(commit_at(100, "ua", [](Transaction& tx) { REQUIRE(tx.set_user_role("bob", "level-4")); }));
  REQUIRE(commit_at(200, "ra", [](Transaction& tx) { REQUIRE(tx.rename_role("level-5", "Five", "")); }));
  REQUIRE(commit_at(300, "la", [](Transaction& tx) { REQUIRE(tx.put_group({"ops", "Ops"})); }));
  REQUIRE_FALSE(commit_at(400, "rep", [](Transaction& tx) { REQUIRE(tx.set_user_role("carl", "level-5")); }));

  auto make = [](std::string user, std::string role, Time from = kTimeMin, Time to = kTimeMax,
                 bool refused = true) {
    AuditQuery query;
    query.user = std::move(user);
    query.role = std::move(role);
    query.from = from;
    query.to = to;
    query.include_refused = refused;
    return query;
  };
  auto q = [&](AuditQuery query) {
    auto r = f.dir->audit(query);
    REQUIRE(r);
    std::vector<Time> times;
    for (const AuditEntry& e : *r) times.push_back(e.time);
    return times;
  };
  CHECK(q(make("", "")) == std::vector<Time>{100, 200, 300, 400});
  CHECK(q(make("bob", "")) == std::vector<Time>{100});                 // bob was changed
  CHECK(q(make("ra", "")) == std::vector<Time>{200});                  // ra acted
  CHECK(q(make("carl", "")) == std::vector<Time>{400});                // refused change of carl
  CHECK(q(make("", "level-4")) == std::vector<Time>{100, 400});        // assigned; carl held it
  CHECK(q(make("", "level-5")) == std::vector<Time>{200, 400});        // edited; assignment tried
  CHECK(q(make("", "", 150, 300)) == std::vector<Time>{200, 300});
  CHECK(q(make("", "", kTimeMin, kTimeMax, false)) == std::vector<Time>{100, 200, 300});
  CHECK(q(make("ua", "", 101)).empty());
}

TEST_CASE("audit: versions in the trail increase with each commit", "[admin][audit]") {
  Fixture f;
  Transaction tx = f.begin("root");
  for (int i = 0; i < 5; ++i) {
    REQUIRE(tx.edit_user("bob", [&](User& u) { u.name = "bob " + std::to_string(i); }));
    REQUIRE_COMMITS(tx);
  }
  auto trail = f.dir->audit();
  REQUIRE(trail);
  REQUIRE(trail->size() == 5);
  for (std::size_t i = 0; i < 5; ++i) CHECK((*trail)[i].version == i + 2);
  CHECK(f.dir->version() == 6);
}

TEST_CASE("audit: an in-memory store bounded to N entries keeps the newest N, commits and refusals alike",
          "[admin][audit]") {
  auto storage = std::make_shared<InMemoryStorage>(StoredModel{base_model(), 1},
                                                   InMemoryStorageOptions{.max_audit_entries = 3});
  ManualClock clock;
  DirectoryOptions o;
  o.clock = clock.fn();
  auto dir = Directory::open(storage, o);
  REQUIRE(dir);
  const char* roles[] = {"level-4", "level-3", "level-4", "level-3"};
  for (int i = 0; i < 4; ++i) {
    clock.now->store(100 + i);
    auto tx = (*dir)->begin("ua");
    REQUIRE(tx);
    REQUIRE(tx->set_user_role("bob", roles[i]));
    REQUIRE(tx->commit());
  }
  clock.now->store(200);
  auto refused = (*dir)->begin("ua");
  REQUIRE(refused);
  REQUIRE(refused->set_user_role("carl", "level-0"));
  REQUIRE_FALSE(refused->commit());
  auto trail = storage->audit(AuditQuery{});
  REQUIRE(trail);
  REQUIRE(trail->size() == 3);
  CHECK((*trail)[0].time == 102);
  CHECK((*trail)[1].time == 103);
  CHECK((*trail)[1].version == 5);
  CHECK((*trail)[2].refused);
  CHECK((*trail)[2].time == 200);
  // The bound drops entries, never state: the store is at the last commit.
  CHECK(storage->version().value() == 5);
  CHECK(storage->load()->model.find_user("bob")->role == "level-3");
}

TEST_CASE("audit: an in-memory store without a bound keeps every entry", "[admin][audit]") {
  Fixture f;
  for (int i = 0; i < 5; ++i) {
    Transaction tx = f.begin("ua");
    REQUIRE(tx.set_user_role("bob", i % 2 == 0 ? "level-4" : "level-3"));
    REQUIRE_COMMITS(tx);
  }
  auto trail = f.storage->audit(AuditQuery{});
  REQUIRE(trail);
  CHECK(trail->size() == 5);
}
