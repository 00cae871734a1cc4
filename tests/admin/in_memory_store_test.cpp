// InMemoryStorage under a Directory: the store holds the published model
// (no copy of its own), records change sets against it until the
// directory hands the next one over, and stays equal to the directory's model
// through commits, direct writers, a second directory and refused changes.
#include "fixture.hpp"

using namespace admin_test;

namespace {

Group group(std::string id) { return Group{std::move(id), "G"}; }

ChangeSet add_group(std::uint64_t base, std::string id) {
  Change c{EntityKind::kGroup, id, std::nullopt, Entity(group(id))};
  return ChangeSet{base, base + 1, 0, "", {std::move(c)}};
}

// The directory catches up with the store and commits a new group on top;
// returns what the store then holds, which must be the directory's model.
StoredModel catch_up_and_commit(Fixture& f, const std::string& id) {
  REQUIRE(f.dir->refresh());
  Transaction tx = f.begin("");
  REQUIRE(tx.put_group(group(id)));
  REQUIRE_COMMITS(tx);
  auto stored = f.storage->load();
  REQUIRE(stored);
  CHECK(stored->model == *f.dir->model());
  return std::move(*stored);
}

}  // namespace

TEST_CASE("in-memory store: after each commit it holds the directory's published model", "[admin][storage]") {
  Fixture f;
  for (int i = 0; i < 3; ++i) {
    Transaction tx = f.begin("");
    REQUIRE(tx.set_user_role("bob", i % 2 == 0 ? "level-4" : "level-3"));
    REQUIRE(tx.put_group(group("g" + std::to_string(i))));
    REQUIRE_COMMITS(tx);
    auto stored = f.storage->load();
    REQUIRE(stored);
    CHECK(stored->version == f.dir->version());
    CHECK(stored->model == *f.dir->model());
  }
}

TEST_CASE("in-memory store: change sets written without a directory's hand-over are all kept", "[admin][storage]") {
  Fixture f;  // the store holds the published model of version 1
  REQUIRE(f.storage->apply(add_group(1, "x1")));
  REQUIRE(f.storage->apply(add_group(2, "x2")));  // the first is still only recorded
  auto stored = f.storage->load();
  REQUIRE(stored);
  CHECK(stored->version == 3);
  CHECK(stored->model.find_group("x1") != nullptr);
  CHECK(stored->model.find_group("x2") != nullptr);
  // The directory catches up and commits on top of both.
  const StoredModel after = catch_up_and_commit(f, "x3");
  CHECK(after.version == 4);
  CHECK(after.model.find_group("x1") != nullptr);
}

TEST_CASE("in-memory store: a model handed over for another version is ignored", "[admin][storage]") {
  Fixture f;
  REQUIRE(f.storage->apply(add_group(1, "x1")));
  Model other = base_model();
  other.groups.push_back(group("not-stored"));
  f.storage->adopt(std::make_shared<const Model>(other), 1);  // stale: the store is at 2
  f.storage->adopt(std::make_shared<const Model>(other), 3);  // from the future
  f.storage->adopt(nullptr, 2);
  auto stored = f.storage->load();
  REQUIRE(stored);
  CHECK(stored->model.find_group("x1") != nullptr);
  CHECK(stored->model.find_group("not-stored") == nullptr);
}

TEST_CASE("in-memory store: an ill-formed change set is refused and changes nothing", "[admin][storage]") {
  Fixture f;
  const Model before = f.storage->load()->model;
  ChangeSet bad = add_group(1, "x1");
  bad.changes.push_back(Change{EntityKind::kUser, "u", std::nullopt, Entity(group("not-a-user"))});
  CHECK_FALSE(f.storage->apply(bad));
  CHECK(f.storage->version().value() == 1);
  CHECK(f.storage->load()->model == before);
  REQUIRE(f.storage->apply(add_group(1, "x1")));  // the store still takes a good one
  CHECK(f.storage->load()->model.find_group("x1") != nullptr);
}

TEST_CASE("in-memory store: two directories on one store stay equal to it", "[admin][storage]") {
  Fixture f;
  auto second = Directory::open(f.storage);
  REQUIRE(second);
  Transaction a = f.begin("");
  REQUIRE(a.put_group(group("from-a")));
  REQUIRE_COMMITS(a);
  REQUIRE((*second)->refresh());
  auto b = (*second)->begin("");
  REQUIRE(b);
  REQUIRE(b->put_group(group("from-b")));
  REQUIRE(b->commit());
  REQUIRE(f.dir->refresh());
  auto stored = f.storage->load();
  REQUIRE(stored);
  CHECK(stored->version == 3);
  CHECK(stored->model == *f.dir->model());
  CHECK(stored->model == *(*second)->model());
  CHECK(stored->model.find_group("from-a") != nullptr);
  CHECK(stored->model.find_group("from-b") != nullptr);
}

TEST_CASE("in-memory store: a second directory opened before the hand-over sees the recorded changes",
          "[admin][storage]") {
  Fixture f;  // the store holds the published model of version 1
  REQUIRE(f.storage->apply(add_group(1, "x1")));  // recorded; not yet handed over
  auto second = Directory::open(f.storage);        // lends a copy of the stored version
  REQUIRE(second);
  CHECK((*second)->version() == 2);
  CHECK((*second)->model()->find_group("x1") != nullptr);
  // The store now holds that published model once, with nothing left to apply twice.
  auto stored = f.storage->load();
  REQUIRE(stored);
  CHECK(stored->version == 2);
  CHECK(stored->model == *(*second)->model());
  REQUIRE(f.storage->apply(add_group(2, "x2")));
  stored = f.storage->load();
  REQUIRE(stored);
  CHECK(stored->model.find_group("x1") != nullptr);
  CHECK(stored->model.find_group("x2") != nullptr);
  // The first directory catches up and commits on top.
  CHECK(catch_up_and_commit(f, "x3").version == 4);
}

TEST_CASE("in-memory store: a recorded change set outlives its audit entry", "[admin][storage]") {
  auto storage = std::make_shared<InMemoryStorage>(StoredModel{base_model(), 1},
                                                   InMemoryStorageOptions{.max_audit_entries = 1});
  auto dir = Directory::open(storage);
  REQUIRE(dir);
  REQUIRE(storage->apply(add_group(1, "x1")));  // recorded against the shared model
  REQUIRE(storage->append_audit(AuditEntry{2, 0, "someone", true, "refused", {}}));  // drops its entry
  auto stored = storage->load();
  REQUIRE(stored);
  CHECK(stored->version == 2);
  CHECK(stored->model.find_group("x1") != nullptr);
  REQUIRE(storage->apply(add_group(2, "x2")));
  stored = storage->load();
  REQUIRE(stored);
  CHECK(stored->model.find_group("x1") != nullptr);
  CHECK(stored->model.find_group("x2") != nullptr);
}

TEST_CASE("in-memory store: a large change set is recorded like a small one", "[admin][storage]") {
  Fixture f;
  Transaction tx = f.begin("");
  for (int i = 0; i < 5000; ++i) REQUIRE(tx.put_group(group("bulk-" + std::to_string(i))));
  REQUIRE_COMMITS(tx);
  auto stored = f.storage->load();
  REQUIRE(stored);
  CHECK(stored->model == *f.dir->model());
  Transaction small = f.begin("");
  REQUIRE(small.put_group(group("after-bulk")));
  REQUIRE_COMMITS(small);
  stored = f.storage->load();
  REQUIRE(stored);
  CHECK(stored->model == *f.dir->model());
}
