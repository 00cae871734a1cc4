// Fault injection (issue #7): for every N across a large commit (and across a
// commit of user edits only, which a directory may apply in place), the Nth
// write fails — with an error, an exception (header-only build) or a garbage value —
// and the directory keeps the old snapshot, the store keeps the old version
// and contents, and a retry without the fault gives exactly the fault-free
// result. Plus adapters that hand back garbage (a broken model, a version that
// goes backwards, a lost write, skipped versions).
//
// Built twice: against the compiled library with SQLite (SORIGHTS_FAULT_SQLITE)
// and header-only, in memory, where a throwing adapter is caught by the
// directory.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sorights/directory.hpp"
#include "support/catch.hpp"
#include "support/faulty_storage.hpp"

#ifdef SORIGHTS_FAULT_SQLITE
#  include <unistd.h>

#  include <random>

#  include "sorights/sqlite_store.hpp"
#  include "storage/support.hpp"
#endif

using namespace sorights;
using sorights_test::FaultPlan;
using sorights_test::FaultyStorage;
using sorights_test::Garbage;
using sorights_test::WriteFault;

namespace {

constexpr std::uint64_t kBaseVersion = 1;
constexpr Time kNow = 1'700'000'000;
constexpr int kBaseUsers = 150;
constexpr int kNewUsers = 150;

// Built by appending: `prefix + std::string(...)` trips g++ 12's -Wrestrict
// false positive at -O3 (GCC bug 105329).
std::string num(const char* prefix, int i) {
  const std::string digits = std::to_string(i);
  std::string s(prefix);
  s.append(digits.size() < 3 ? 3 - digits.size() : 0, '0');
  s += digits;
  return s;
}

User associate(std::string id, std::string role, std::string company, std::string group) {
  User u;
  u.id = std::move(id);
  u.name = "User " + u.id;
  u.company = std::move(company);
  u.role = std::move(role);
  u.group = std::move(group);
  return u;
}

Model base_model() {
  Model m = Model::with_defaults();
  m.our_companies = {{"acme", "Acme", true}, {"acme-se", "Acme Sverige", false}, {"acme-dk", "Acme Danmark", false}};
  for (int g = 0; g < 6; ++g) m.groups.push_back({num("g", g), "Group " + std::to_string(g)});
  m.licences = {Licence{"user", "User", LicenceKind::kUser, 1000, false, {}, {}},
                Licence{"web", "Web", LicenceKind::kUser, 1000, false, {"user"}, {}},
                Licence{"sale-cal", "Sales", LicenceKind::kUser, 400, false, {"user"}, {"sale"}},
                Licence{"quote", "Quotes", LicenceKind::kSite, 0, false, {}, {}}};
  m.plans = {Plan{"basic", "Basic", {"user"}}, Plan{"pro", "Pro", {"user", "web", "sale-cal"}}};
  m.functional_rights = {FunctionalRightDef{"acme-approve", "Approve discounts", "quote"}};
  m.objects = {DataObjectDef{"contract", "Contract", false, true, true}};
  Role rep = *m.find_role("level-3");
  rep.id = "rep";
  rep.name = "Sales rep";
  rep.set_cell("contract", Relation::kOwn, TableRights::full());
  rep.set_cell("contract", Relation::kPrimaryGroup, TableRight::kSelect);
  rep.functional_rights.push_back("acme-approve");
  m.roles.push_back(rep);
  m.field_rights = {FieldRightRule{"rep", "sale", "amount", Relation::kOtherGroups, FieldRights(FieldRight::kRead),
                                   false, true}};
  m.overrides = {Override{OverrideLevel::kSystem, "", "sale", OverrideScope::kExisting, "", "", 8}};
  m.users.push_back(associate("root", "level-0", "acme", "g000"));
  static const char* const kRoles[] = {"level-2", "level-3", "level-4", "level-5", "rep"};
  static const char* const kCompanies[] = {"acme", "acme-se", "acme-dk"};
  for (int i = 0; i < kBaseUsers; ++i) {
    User u = associate(num("u", i), kRoles[i % 5], kCompanies[i % 3], num("g", i % 6));
    if (i % 4 == 0) u.other_groups = {num("g", (i + 1) % 6)};
    if (i % 3 == 0) u.plan = i % 2 == 0 ? "pro" : "basic";
    m.users.push_back(std::move(u));
  }
  return m;
}

/// The large commit: every kind of entity, hundreds of changes.
void big_edit(Transaction& tx) {
  REQUIRE(tx.put_our_company({"acme-no", "Acme Norge", false}));
  REQUIRE(tx.put_our_company({"acme-dk", "Acme Danmark A/S", false}));
  for (int g = 6; g < 9; ++g) REQUIRE(tx.put_group({num("g", g), "Group " + std::to_string(g)}));
  REQUIRE(tx.put_group({"g000", "Headquarters"}));
  REQUIRE(tx.put_licence(Licence{"mobile", "Mobile", LicenceKind::kUser, 300, false, {"user"}, {}}));
  REQUIRE(tx.put_licence(Licence{"sale-cal", "Sales", LicenceKind::kUser, 500, false, {"user"}, {"sale"}}));
  REQUIRE(tx.put_plan(Plan{"mobile-plan", "Mobile", {"user", "mobile"}}));
  REQUIRE(tx.put_functional_right({"acme-export", "Export", ""}));
  REQUIRE(tx.put_object({"ticket", "Ticket", false, false, true}));
  REQUIRE(tx.copy_role("level-4", "clerk", "Clerk"));
  REQUIRE(tx.grant_right("clerk", "acme-export"));
  REQUIRE(tx.set_data_right("clerk", "ticket", Relation::kOwn, TableRights::full()));
  REQUIRE(tx.copy_role("rep", "senior-rep", "Senior rep"));
  REQUIRE(tx.set_data_right("senior-rep", "sale", Relation::kOtherGroups, TableRights::full()));
  REQUIRE(tx.grant_right("rep", "allow-bulk-export"));
  REQUIRE(tx.rename_role("level-2", "Team lead", "full access in the own group"));
  REQUIRE(tx.set_data_right("level-5", "document", Relation::kOwn, TableRights::full()));
  for (int i = 0; i < kNewUsers; ++i) {
    static const char* const kRoles[] = {"clerk", "senior-rep", "level-3"};
    User u = associate(num("n", i), kRoles[i % 3], i % 2 ? "acme-no" : "acme", num("g", 6 + i % 3));
    if (i % 2 == 0) u.plan = "mobile-plan";
    if (i % 5 == 0) u.licences = {"user", "sale-cal"};
    REQUIRE(tx.add_user(std::move(u)));
  }
  for (int i = 0; i < 60; ++i) {
    const std::string id = num("u", i);
    if (i % 3 == 0) REQUIRE(tx.set_user_role(id, i % 2 ? "clerk" : "senior-rep"));
    if (i % 3 == 1) REQUIRE(tx.set_user_groups(id, num("g", 6 + i % 3), {"g000"}));
    if (i % 3 == 2) REQUIRE(tx.set_user_plan(id, "mobile-plan"));
  }
  for (int i = 60; i < 70; ++i) REQUIRE(tx.retire_user(num("u", i)));
  for (int i = 70; i < 80; ++i) REQUIRE(tx.delete_user(num("u", i)));
  for (int i = 80; i < 85; ++i) REQUIRE(tx.mark_former_employee(num("u", i)));
  for (int i = 85; i < 95; ++i) REQUIRE(tx.move_user(num("u", i), "acme-no", MoveRecords::kMoveAll));
  REQUIRE(tx.set_can_log_in("u095", false));
  REQUIRE(tx.set_user_licences("u096", {"sale-cal", "web", "user"}));
  std::vector<Override> ovr = tx.staged().overrides;
  ovr.push_back(Override{OverrideLevel::kGroup, "g007", "contract", OverrideScope::kAll, "", "", 8});
  REQUIRE(tx.set_overrides(std::move(ovr)));
  std::vector<FieldRightRule> fr = tx.staged().field_rights;
  fr.push_back(FieldRightRule{"clerk", "sale", "amount", Relation::kOtherAssociates, FieldRights{}, false, false});
  REQUIRE(tx.set_field_rights(std::move(fr)));
}

/// Edits of existing users only (the Users screen's Save), which a directory
/// may commit in place rather than through a whole-model copy.
void users_edit(Transaction& tx) {
  static const char* const kRoles[] = {"level-2", "level-3", "rep"};
  for (int i = 0; i < kBaseUsers; ++i) {
    const std::string id = num("u", i);
    REQUIRE(tx.edit_user(id, [&](User& u) { u.name = "Edited " + id; }));
    if (i % 2 == 0) REQUIRE(tx.set_user_groups(id, num("g", (i + 2) % 6), {}));
    if (i % 3 == 0) REQUIRE(tx.set_user_role(id, kRoles[i % 3]));
    if (i % 5 == 0) REQUIRE(tx.set_user_licences(id, {"user", "sale-cal"}));
    if (i % 7 == 0) REQUIRE(tx.set_can_log_in(id, false));
  }
}

/// A small commit of user edits before the scenario's own, so that a
/// directory that reuses the state before the current one has one to reuse.
void warm_up(Directory& dir) {
  auto tx = dir.begin("root");
  REQUIRE(tx);
  for (const char* id : {"u001", "u002", "u003"}) REQUIRE(tx->edit_user(id, [](User& u) { u.name += " (warm)"; }));
  REQUIRE(tx->commit());
}

/// One commit to fail at every write: a prelude and the edits.
struct Scenario {
  void (*prelude)(Directory&);
  void (*edit)(Transaction&);
  std::size_t min_changes;
};
constexpr Scenario kLargeCommit{nullptr, big_edit, 250};
constexpr Scenario kUsersInPlace{warm_up, users_edit, kBaseUsers};

/// What a snapshot decides on a sample of checks, as one comparable vector.
std::vector<int> fingerprint(const Snapshot& s) {
  std::vector<int> out;
  std::vector<UserIndex> users;
  for (std::size_t i = 0; i < s.user_count(); i += 7) users.push_back(static_cast<UserIndex>(i));
  for (const char* id : {"root", "u000", "u003", "u061", "u072", "u086", "n000", "n001", "n149"})
    users.push_back(s.find_user(id));
  std::vector<UserIndex> owners = {kNoUser, s.find_user("u001"), s.find_user("u010"), s.find_user("u075"),
                                   s.find_user("n002")};
  for (UserIndex u : users) {
    out.push_back(static_cast<int>(u));
    for (const char* object : {"sale", "company", "follow_up", "contract", "ticket"})
      for (UserIndex owner : owners) {
        Record r;
        r.object = s.find_object(object);
        r.owner = owner;
        out.push_back(s.rights(u, r).bits());
      }
    for (const char* right : {"acme-approve", "acme-export", "allow-bulk-export", "admin-users"})
      out.push_back(s.has(u, s.find_right(right)) ? 1 : 0);
  }
  return out;
}

/// One store, wrapped, with a directory over it. `inner` is the unwrapped adapter.
struct Env {
  std::shared_ptr<FaultPlan> plan = std::make_shared<FaultPlan>();
  std::shared_ptr<StorageAdapter> inner;
  std::shared_ptr<FaultyStorage> store;
  std::shared_ptr<Directory> dir;

  void open_directory() {
    store = std::make_shared<FaultyStorage>(inner, plan);
    DirectoryOptions o;
    o.clock = [] { return kNow; };
    auto d = Directory::open(store, o);
    if (!d) FAIL(d.error().to_string());
    dir = *d;
  }
};

Env memory_env() {
  Env env;
  env.inner = std::make_shared<InMemoryStorage>(StoredModel{base_model(), kBaseVersion});
  env.open_directory();
  return env;
}

#ifdef SORIGHTS_FAULT_SQLITE
/// A closed SQLite store at version `kBaseVersion` holding `base_model()`,
/// sealed when given an integrity key; each environment works on a fresh copy
/// of it.
class SqliteTemplate {
 public:
  explicit SqliteTemplate(std::string key = {}) : path_(dir_.file("template.db")), key_(std::move(key)) {
    SqliteStoreOptions options;
    options.create = true;
    options.integrity_key = key_;
    auto s = SqliteStore::open(path_, std::move(options));
    if (!s) FAIL(s.error().to_string());
    ChangeSet cs;
    cs.base_version = 0;
    cs.version = kBaseVersion;
    cs.time = kNow - 100;
    cs.changes = diff_models(Model::with_defaults(), base_model());
    REQUIRE((*s)->apply(cs));
  }
  Env env(const std::string& name) const {
    const std::string path = dir_.file(name);
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    std::filesystem::copy_file(path_, path);
    Env env;
    SqliteStoreOptions options;
    options.integrity_key = key_;
    options.on_change_written = env.plan->write_hook();
    auto s = SqliteStore::open(path, std::move(options));
    if (!s) FAIL(s.error().to_string());
    env.inner = std::shared_ptr<SqliteStore>(std::move(*s));
    env.open_directory();
    return env;
  }

 private:
  storage_test::TempDir dir_{storage_test::TempPlace::kTmpfsIfAny};
  std::string path_;
  std::string key_;
};
#endif

/// What a fault-free run of the large commit gives.
struct Outcome {
  CommitInfo info;
  Model published;
  StoredModel stored;
  std::vector<AuditEntry> trail;
  std::vector<int> rights;
};

Outcome committed(Env& env, Result<CommitInfo> done) {
  if (!done) FAIL(done.error().to_string());
  auto stored = env.inner->load();
  REQUIRE(stored);
  auto trail = env.inner->audit({});
  REQUIRE(trail);
  return Outcome{std::move(*done), *env.dir->model(), std::move(*stored), std::move(*trail),
                 fingerprint(*env.dir->snapshot())};
}

Env prepared(Env env, const Scenario& sc) {
  if (sc.prelude != nullptr) sc.prelude(*env.dir);
  return env;
}

Outcome fault_free(Env env, const Scenario& sc) {
  const std::uint64_t base = env.dir->version();
  auto tx = env.dir->begin("root");
  REQUIRE(tx);
  sc.edit(*tx);
  Outcome out = committed(env, tx->commit());
  REQUIRE(out.info.changes.size() >= sc.min_changes);
  CHECK(out.info.version == base + 1);
  CHECK(out.published == out.stored.model);  // the published model is the stored one
  CHECK(out.stored.version == out.info.version);
  return out;
}

void require_same(const Outcome& got, const Outcome& want) {
  CHECK(got.info.version == want.info.version);
  CHECK(got.info.time == want.info.time);
  CHECK(got.info.changes == want.info.changes);
  CHECK(got.info.moves == want.info.moves);
  CHECK(got.published == want.published);
  CHECK(got.stored.version == want.stored.version);
  CHECK(got.stored.model == want.stored.model);
  CHECK(got.rights == want.rights);
  REQUIRE(got.trail.size() == want.trail.size());
  const AuditEntry& g = got.trail.back();
  const AuditEntry& w = want.trail.back();
  CHECK(g.version == w.version);
  CHECK(g.actor == w.actor);
  CHECK(g.refused == w.refused);
  CHECK(g.changes == w.changes);
}

/// What every fresh environment starts from.
struct Start {
  StoredModel stored;
  std::size_t trail = 0;
  std::vector<int> rights;
};

Start start_of(Env env) {
  auto stored = env.inner->load();
  REQUIRE(stored);
  auto trail = env.inner->audit({});
  REQUIRE(trail);
  return Start{std::move(*stored), trail->size(), fingerprint(*env.dir->snapshot())};
}

/// The scenario's commit with write `n` failing as `how`: refused with a
/// clear error, nothing published or stored; then retried without the fault.
void fail_then_retry(Env env, const Scenario& sc, std::size_t n, WriteFault how, const Start& start,
                     const Outcome& want) {
  INFO("write " << n << " of " << want.info.changes.size());
  const std::shared_ptr<const DirectoryState> held = env.dir->state();

  auto tx = env.dir->begin("root");
  REQUIRE(tx);
  sc.edit(*tx);
  env.plan->fail_write(n, how);
  auto failed = tx->commit();
  REQUIRE_FALSE(failed);
  CHECK(env.plan->fired());
  switch (how) {
    case WriteFault::kError:
      CHECK(failed.error().code == ErrorCode::kUnavailable);
      CHECK(failed.error().message == "injected fault: write " + std::to_string(n) + " failed");
      CHECK(env.plan->writes() == n);
      break;
    case WriteFault::kThrow:
      CHECK(failed.error().code == ErrorCode::kInternal);
      CHECK(failed.error().message.find("threw") != std::string::npos);
      break;
    case WriteFault::kGarbage:
      CHECK(failed.error().code == ErrorCode::kInvalidArgument);
      CHECK(failed.error().message.find("another kind") != std::string::npos);
      break;
  }
  // The directory: the very same published state.
  CHECK(env.dir->state() == held);
  CHECK(env.dir->version() == start.stored.version);
  CHECK(fingerprint(*env.dir->snapshot()) == start.rights);
  // The store: the old version and contents, no audit line.
  auto after = env.inner->load();
  if (!after) FAIL("the store no longer loads: " << after.error().to_string());
  CHECK(after->version == start.stored.version);
  CHECK(after->model == start.stored.model);
  auto version = env.inner->version();
  REQUIRE(version);
  CHECK(*version == start.stored.version);
  auto trail_after = env.inner->audit({});
  REQUIRE(trail_after);
  CHECK(trail_after->size() == start.trail);
  CHECK(tx->has_changes());  // kept for the retry

  env.plan->heal();
  require_same(committed(env, tx->commit()), want);
}

template <class MakeEnv>
void every_write(MakeEnv make_env, const Scenario& sc, WriteFault how) {
  const Outcome want = fault_free(prepared(make_env(), sc), sc);
  const Start start = start_of(prepared(make_env(), sc));
  CHECK(start.stored.version == want.info.version - 1);
  const std::size_t writes = want.info.changes.size();
  for (std::size_t n = 1; n <= writes; ++n) fail_then_retry(prepared(make_env(), sc), sc, n, how, start, want);
  // One past the last write: the fault is never reached and the commit goes through.
  Env env = prepared(make_env(), sc);
  env.plan->fail_write(writes + 1, how);
  auto tx = env.dir->begin("root");
  REQUIRE(tx);
  sc.edit(*tx);
  require_same(committed(env, tx->commit()), want);
  CHECK_FALSE(env.plan->fired());
}

/// Another directory on the same store commits one change.
void commit_elsewhere(const std::shared_ptr<StorageAdapter>& inner, std::string group) {
  auto other = Directory::open(inner);
  REQUIRE(other);
  auto tx = (*other)->begin("root");
  REQUIRE(tx);
  REQUIRE(tx->put_group({std::move(group), "Elsewhere"}));
  REQUIRE(tx->commit());
}

}  // namespace

TEST_CASE("fault injection: every write of a large commit fails with an error, in memory", "[reliability][fault]") {
  every_write(memory_env, kLargeCommit, WriteFault::kError);
}

TEST_CASE("fault injection: every write of a large commit is garbage, in memory", "[reliability][fault]") {
  every_write(memory_env, kLargeCommit, WriteFault::kGarbage);
}

TEST_CASE("fault injection: every write of a users-only commit fails with an error, in memory",
          "[reliability][fault]") {
  every_write(memory_env, kUsersInPlace, WriteFault::kError);
}

#ifdef SORIGHTS_HEADER_ONLY
TEST_CASE("fault injection: every write of a large commit throws, in memory", "[reliability][fault]") {
  every_write(memory_env, kLargeCommit, WriteFault::kThrow);
}

TEST_CASE("fault injection: every write of a users-only commit throws, in memory", "[reliability][fault]") {
  every_write(memory_env, kUsersInPlace, WriteFault::kThrow);
}

TEST_CASE("fault injection: a throwing load() keeps the old snapshot", "[reliability][fault]") {
  struct ThrowingLoad final : StorageAdapter {
    explicit ThrowingLoad(std::shared_ptr<StorageAdapter> inner) : inner_(std::move(inner)) {}
    Result<StoredModel> load() override {
      if (fail) throw sorights_test::InjectedFault("load failed");
      return inner_->load();
    }
    Result<void> apply(const ChangeSet& c) override { return inner_->apply(c); }
    Result<std::uint64_t> version() override { return inner_->version(); }
    Result<void> append_audit(const AuditEntry& e) override { return inner_->append_audit(e); }
    Result<std::vector<AuditEntry>> audit(const AuditQuery& q) override { return inner_->audit(q); }
    bool fail = false;
    std::shared_ptr<StorageAdapter> inner_;
  };
  auto inner = std::make_shared<InMemoryStorage>(StoredModel{base_model(), kBaseVersion});
  auto store = std::make_shared<ThrowingLoad>(inner);
  auto dir = Directory::open(store);
  REQUIRE(dir);
  const auto held = (*dir)->state();
  commit_elsewhere(inner, "g-elsewhere");
  store->fail = true;
  auto r = (*dir)->refresh();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInternal);
  CHECK((*dir)->state() == held);
  store->fail = false;
  REQUIRE((*dir)->refresh());
  CHECK((*dir)->version() == kBaseVersion + 1);
}
#endif

#ifdef SORIGHTS_FAULT_SQLITE
TEST_CASE("fault injection: every write of a large commit fails with an error, SQLite", "[reliability][fault]") {
  SqliteTemplate base;
  every_write([&] { return base.env("work.db"); }, kLargeCommit, WriteFault::kError);
}

TEST_CASE("fault injection: every write of a users-only commit fails with an error, SQLite", "[reliability][fault]") {
  SqliteTemplate base;
  every_write([&] { return base.env("work.db"); }, kUsersInPlace, WriteFault::kError);
}

TEST_CASE("fault injection: every write of a users-only commit fails with an error, sealed SQLite",
          "[reliability][fault]") {
  // load() checks every row against its MAC and the store against its seal:
  // a rollback that left anything behind would be data loss.
  SqliteTemplate base(std::string(32, 'k'));
  every_write([&] { return base.env("work.db"); }, kUsersInPlace, WriteFault::kError);
}

TEST_CASE("fault injection: every write of a large commit is garbage, SQLite", "[reliability][fault]") {
  SqliteTemplate base;
  every_write([&] { return base.env("work.db"); }, kLargeCommit, WriteFault::kGarbage);
}

TEST_CASE("fault injection: SQLite rolls back when a write throws inside its transaction", "[reliability][fault]") {
  // The directory of the compiled library is built without exceptions, so
  // the store is driven directly here.
  SqliteTemplate base;
  Env env = base.env("throw.db");
  auto before = env.inner->load();
  REQUIRE(before);
  ChangeSet cs;
  cs.base_version = kBaseVersion;
  cs.version = kBaseVersion + 1;
  cs.time = kNow;
  Model next = base_model();
  for (int i = 0; i < 40; ++i) next.users[static_cast<std::size_t>(i) + 1].name = "renamed";
  cs.changes = diff_models(before->model, next);
  REQUIRE(cs.changes.size() == 40);
  for (std::size_t n : {std::size_t{1}, std::size_t{20}, std::size_t{40}}) {
    env.plan->fail_write(n, WriteFault::kThrow);
    CHECK_THROWS_AS((void)env.store->apply(cs), sorights_test::InjectedFault);
    auto after = env.inner->load();
    if (!after) FAIL("the store no longer loads: " << after.error().to_string());
    CHECK(after->version == kBaseVersion);
    CHECK(after->model == before->model);
  }
  env.plan->heal();
  REQUIRE(env.store->apply(cs));
  auto done = env.inner->load();
  REQUIRE(done);
  CHECK(done->version == kBaseVersion + 1);
  CHECK(done->model == next);
}
#endif

TEST_CASE("fault injection: a broken model from load() is refused, the old snapshot kept", "[reliability][fault]") {
  Env env = memory_env();
  env.plan->garbage(Garbage::kBrokenModel);
  auto opened = Directory::open(env.store);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code == ErrorCode::kFailedPrecondition);
  CHECK(opened.error().to_string().find("garbage-role") != std::string::npos);

  // A running directory: the store moves on, the reload is garbage.
  const auto held = env.dir->state();
  commit_elsewhere(env.inner, "g-elsewhere");
  auto refreshed = env.dir->refresh();
  REQUIRE_FALSE(refreshed);
  CHECK(refreshed.error().code == ErrorCode::kFailedPrecondition);
  CHECK(env.dir->state() == held);
  // A commit that finds the store moved cannot pick up its state either.
  auto tx = env.dir->begin("root");
  REQUIRE(tx);
  REQUIRE(tx->put_group({"g-mine", "Mine"}));
  auto r = tx->commit();
  REQUIRE_FALSE(r);
  INFO(r.error().to_string());
  CHECK(r.error().code == ErrorCode::kFailedPrecondition);  // the reload's error, not a bare conflict
  CHECK(env.dir->state() == held);
  env.plan->heal();
  // The store moved: its state is picked up and the change set, which touches
  // nothing that changed, is rebased onto it and saved.
  auto retried = tx->commit();
  if (!retried) FAIL(retried.error().to_string());
  CHECK(retried->version == kBaseVersion + 2);
  CHECK(env.dir->model()->find_group("g-elsewhere") != nullptr);
  CHECK(env.dir->model()->find_group("g-mine") != nullptr);
}

TEST_CASE("fault injection: a version going backwards is data loss, the old snapshot kept", "[reliability][fault]") {
  Env env = memory_env();
  const auto held = env.dir->state();
  env.plan->garbage(Garbage::kStaleVersion);
  auto r = env.dir->refresh();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kDataLoss);
  CHECK(env.dir->state() == held);
  env.plan->heal();
  REQUIRE(env.dir->refresh());
  CHECK(env.dir->state() == held);
}

namespace {

// Commits one new group through `tx` with `garbage` planned for that commit only.
Result<CommitInfo> commit_group(Env& env, Transaction& tx, Group group, Garbage garbage) {
  REQUIRE(tx.put_group(std::move(group)));
  env.plan->garbage(garbage);
  Result<CommitInfo> committed = tx.commit();
  env.plan->heal();
  return committed;
}

}  // namespace

TEST_CASE("fault injection: a lost write surfaces as data loss at the next commit", "[reliability][fault]") {
  Env env = memory_env();
  auto tx = env.dir->begin("root");
  REQUIRE(tx);
  REQUIRE(commit_group(env, *tx, {"g-lost", "Lost"}, Garbage::kLostWrite));  // the directory cannot tell
  CHECK(env.dir->version() == kBaseVersion + 1);
  CHECK(env.inner->version().value() == kBaseVersion);
  const auto held = env.dir->state();

  REQUIRE(tx->put_group({"g-next", "Next"}));
  auto r = tx->commit();
  REQUIRE_FALSE(r);
  INFO(r.error().to_string());
  CHECK(r.error().code == ErrorCode::kDataLoss);  // not a conflict: a retry could never succeed
  CHECK(env.dir->state() == held);
  auto again = tx->commit();
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ErrorCode::kDataLoss);
  auto refreshed = env.dir->refresh();
  REQUIRE_FALSE(refreshed);
  CHECK(refreshed.error().code == ErrorCode::kDataLoss);
  CHECK(env.dir->state() == held);
}

TEST_CASE("fault injection: a store that skips versions is picked up, nothing lost", "[reliability][fault]") {
  Env env = memory_env();
  auto tx = env.dir->begin("root");
  REQUIRE(tx);
  auto first = commit_group(env, *tx, {"g-one", "One"}, Garbage::kSkippedVersion);
  REQUIRE(first);
  CHECK(first->version == kBaseVersion + 1);
  CHECK(env.inner->version().value() == kBaseVersion + 6);

  // The next commit finds the store ahead: the stored state is published and
  // the change set rebased onto it.
  REQUIRE(tx->put_group({"g-two", "Two"}));
  auto retried = tx->commit();
  if (!retried) FAIL(retried.error().to_string());
  CHECK(retried->version == kBaseVersion + 7);
  auto stored = env.inner->load();
  REQUIRE(stored);
  CHECK(stored->version == kBaseVersion + 7);
  CHECK(stored->model == *env.dir->model());
  CHECK(stored->model.find_group("g-one") != nullptr);
  CHECK(stored->model.find_group("g-two") != nullptr);
}
