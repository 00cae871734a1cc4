// Transactions: staging, commit, rollback, diff, the failing adapter, conflicts.
#include <algorithm>
#include <memory>

#include "fixture.hpp"

using namespace admin_test;

namespace {

/// Wraps an InMemoryStorage; `fail_apply` makes apply() fail.
class FlakyStorage final : public StorageAdapter {
 public:
  explicit FlakyStorage(StoredModel m) : inner_(std::move(m)) {}
  Result<StoredModel> load() override { return inner_.load(); }
  Result<void> apply(const ChangeSet& c) override {
    ++apply_calls;
    if (fail_apply) return Error(ErrorCode::kUnavailable, "disk on fire");
    return inner_.apply(c);
  }
  Result<std::uint64_t> version() override { return inner_.version(); }
  Result<void> append_audit(const AuditEntry& e) override { return inner_.append_audit(e); }
  Result<std::vector<AuditEntry>> audit(const AuditQuery& q) override { return inner_.audit(q); }
  bool fail_apply = false;
  int apply_calls = 0;

 private:
  InMemoryStorage inner_;
};

/// Several directories on one in-memory store; apply() announces the new
/// version to every subscriber (from inside apply, as a database trigger would).
class AnnouncingStorage final : public StorageAdapter {
 public:
  explicit AnnouncingStorage(std::shared_ptr<InMemoryStorage> inner) : inner_(std::move(inner)) {}
  Result<StoredModel> load() override { return inner_->load(); }
  Result<void> apply(const ChangeSet& c) override {
    SORIGHTS_TRY(inner_->apply(c));
    for (auto& f : *subscribers_) f(c.version);
    return {};
  }
  Result<std::uint64_t> version() override { return inner_->version(); }
  Result<void> append_audit(const AuditEntry& e) override { return inner_->append_audit(e); }
  Result<std::vector<AuditEntry>> audit(const AuditQuery& q) override { return inner_->audit(q); }
  void subscribe(std::function<void(std::uint64_t)> f) override { subscribers_->push_back(std::move(f)); }
  std::shared_ptr<std::vector<std::function<void(std::uint64_t)>>> subscribers_ =
      std::make_shared<std::vector<std::function<void(std::uint64_t)>>>();

 private:
  std::shared_ptr<InMemoryStorage> inner_;
};

/// Two directories opened on one in-memory store holding `m` at version 1, and a transaction begun by "ua" on each.
struct TwoDirectories {
  explicit TwoDirectories(const Model& m = base_model())
      : storage(std::make_shared<InMemoryStorage>(StoredModel{m, 1})) {}
  std::shared_ptr<InMemoryStorage> storage;
  std::shared_ptr<Directory> d1 = Directory::open(storage).value();
  std::shared_ptr<Directory> d2 = Directory::open(storage).value();
  Transaction t1 = d1->begin("ua").value();
  Transaction t2 = d2->begin("ua").value();
};

}  // namespace

TEST_CASE("transaction: open publishes the stored model at the stored version", "[admin][transaction]") {
  Fixture f;
  CHECK(f.dir->version() == 1);
  CHECK(f.dir->snapshot()->version() == 1);
  CHECK(*f.dir->model() == base_model());
  CHECK(f.dir->state()->snapshot.find_user("bob") != kUnknownUser);
}

TEST_CASE("transaction: staged edits are invisible until commit", "[admin][transaction]") {
  Fixture f;
  auto before = f.dir->snapshot();
  Transaction tx = f.begin("ua");
  REQUIRE(tx.set_user_groups("bob", "support", {"sales"}));
  CHECK(tx.staged().find_user("bob")->group == "support");
  CHECK(f.dir->model()->find_user("bob")->group == "sales");
  CHECK(f.dir->snapshot() == before);
  CHECK(tx.has_changes());

  auto preview = tx.preview();
  REQUIRE(preview);
  CHECK(preview->version() == 2);
  CHECK(preview->group_id(preview->user_primary_group(preview->find_user("bob"))) == "support");

  auto done = tx.commit();
  REQUIRE(done);
  CHECK(done->version == 2);
  CHECK(done->time == 1'000'000);
  REQUIRE(done->changes.size() == 1);
  CHECK(done->changes[0].kind == EntityKind::kUser);
  CHECK(done->changes[0].id == "bob");
  CHECK(std::get<User>(*done->changes[0].before).group == "sales");
  CHECK(std::get<User>(*done->changes[0].after).group == "support");
  CHECK(f.dir->version() == 2);
  CHECK(f.dir->snapshot()->version() == 2);
  CHECK(f.dir->model()->find_user("bob")->group == "support");
  CHECK(f.storage->version().value() == 2);
  // The reader that held the old snapshot still sees the old state.
  CHECK(before->version() == 1);
  CHECK(before->group_id(before->user_primary_group(before->find_user("bob"))) == "sales");
  // The transaction starts over from the new state.
  CHECK(tx.base_version() == 2);
  CHECK_FALSE(tx.has_changes());
}

TEST_CASE("transaction: an entity identical to the stored one is not a change", "[admin][transaction]") {
  Fixture f;
  Transaction tx = f.begin("rep");  // rep has no admin right at all
  REQUIRE(tx.put_user(*f.dir->model()->find_user("bob")));
  REQUIRE(tx.put_role(*f.dir->model()->find_role("level-0")));
  REQUIRE(tx.set_user_role("bob", "level-3"));
  CHECK(tx.changes().empty());
  auto done = tx.commit();
  REQUIRE(done);
  CHECK(done->changes.empty());
  CHECK(done->version == 1);
  CHECK(f.dir->version() == 1);
  CHECK(f.dir->audit()->empty());

  // The whole model staged again is no change either.
  REQUIRE(tx.stage_model(*f.dir->model()));
  CHECK(tx.changes().empty());
  REQUIRE(tx.commit());
}

TEST_CASE("rollback: drops every staged edit", "[admin][rollback][transaction]") {
  Fixture f;
  Transaction tx = f.begin("root");
  REQUIRE(tx.retire_user("bob"));
  REQUIRE(tx.put_group({"new", "New"}));
  REQUIRE(tx.grant_right("level-3", "allow-bulk-edit"));
  CHECK(tx.changes().size() == 3);
  tx.rollback();
  CHECK(tx.changes().empty());
  CHECK(tx.staged() == *f.dir->model());
  auto done = tx.commit();
  REQUIRE(done);
  CHECK(f.dir->version() == 1);
  CHECK_FALSE(f.dir->model()->find_user("bob")->retired);
}

TEST_CASE("rollback: a refused commit keeps the edits until rollback", "[admin][rollback][transaction]") {
  Fixture f;
  Transaction tx = f.begin("ua");
  REQUIRE(tx.set_user_groups("bob", "support", {}));
  REQUIRE(tx.put_group({"g2", "G2"}));  // lists: ua lacks admin-lists
  REQUIRE_REFUSED(tx, ErrorCode::kPermissionDenied, "needs-admin-lists");
  CHECK(tx.changes().size() == 2);
  CHECK(f.dir->version() == 1);
  REQUIRE(tx.remove_group("g2"));
  REQUIRE_COMMITS(tx);
  CHECK(f.dir->model()->find_user("bob")->group == "support");
}

TEST_CASE("transaction: edits report structural errors at once", "[admin][transaction]") {
  Fixture f;
  Transaction tx = f.begin("root");
  CHECK(tx.set_user_role("nobody", "level-3").error().code == ErrorCode::kNotFound);
  CHECK(tx.set_user_role("bob", "no-role").error().code == ErrorCode::kNotFound);
  CHECK(tx.set_user_groups("bob", "nogroup", {}).error().code == ErrorCode::kNotFound);
  CHECK(tx.set_user_groups("bob", "sales", {"nogroup"}).error().code == ErrorCode::kNotFound);
  CHECK(tx.set_user_plan("bob", "noplan").error().code == ErrorCode::kNotFound);
  CHECK(tx.set_user_licences("bob", {"nolicence"}).error().code == ErrorCode::kNotFound);
  CHECK(tx.move_user("bob", "customer-co").error().code == ErrorCode::kNotFound);
  CHECK(tx.add_user(associate("bob", "level-3")).error().code == ErrorCode::kAlreadyExists);
  CHECK(tx.add_user(associate("", "level-3")).error().code == ErrorCode::kInvalidArgument);
  CHECK(tx.create_role(*predefined_role("level-3")).error().code == ErrorCode::kAlreadyExists);
  CHECK(tx.copy_role("no-role", "x", "X").error().code == ErrorCode::kNotFound);
  CHECK(tx.set_data_right("level-3", "no-object", Relation::kOwn, TableRights::full()).error().code ==
        ErrorCode::kNotFound);
  CHECK(tx.grant_right("level-3", "no-right").error().code == ErrorCode::kNotFound);
  CHECK(tx.set_functional_rights("level-3", {"no-right"}).error().code == ErrorCode::kNotFound);
  CHECK(tx.delete_role("level-3", "level-3").error().code == ErrorCode::kInvalidArgument);
  CHECK(tx.delete_role("level-3", "external").error().code == ErrorCode::kInvalidArgument);
  CHECK(tx.remove_group("nogroup").error().code == ErrorCode::kNotFound);
  CHECK(tx.edit_user("bob", [](User& u) { u.id = "robert"; }).error().code == ErrorCode::kInvalidArgument);
  CHECK_FALSE(tx.has_changes());
}

TEST_CASE("transaction: new users, role edits and new groups are staged beside the base, in diff order",
          "[admin][transaction]") {
  Fixture f;
  Transaction tx = f.begin("root");
  const std::size_t users_before = tx.base().users.size();
  REQUIRE(tx.put_group(Group{"emea", "EMEA"}));
  REQUIRE(tx.set_data_right("level-3", "sale", Relation::kOtherGroups, TableRights::full()));
  REQUIRE(tx.grant_right("level-3", "allow-bulk-edit"));
  REQUIRE(tx.add_user(associate("dana", "level-3", "acme", "emea")));  // the group staged above
  CHECK(tx.add_user(associate("dana", "level-4")).error().code == ErrorCode::kAlreadyExists);
  REQUIRE(tx.put_user(associate("erin", "level-2")));                 // put_user of a new id adds it
  REQUIRE(tx.set_user_role("erin", "level-3"));                       // and edits reach the added user
  REQUIRE(tx.set_user_groups("bob", "emea", {}));
  CHECK(tx.base().users.size() == users_before);
  const std::vector<Change> changes = tx.changes();
  REQUIRE(changes.size() == 5);
  CHECK((changes[0].kind == EntityKind::kGroup && changes[0].id == "emea" && !changes[0].before));
  CHECK((changes[1].kind == EntityKind::kRole && changes[1].id == "level-3" && changes[1].before));
  CHECK((changes[2].kind == EntityKind::kUser && changes[2].id == "bob"));
  CHECK((changes[3].id == "dana" && changes[4].id == "erin" && !changes[4].before));
  CHECK(changes == diff_models(tx.base(), tx.staged()));
  REQUIRE_COMMITS(tx);
  const auto state = f.dir->state();
  const Snapshot& s = state->snapshot;
  CHECK(s.user_role(s.find_user("erin")) == s.find_role("level-3"));
  CHECK(s.user_primary_group(s.find_user("dana")) == s.find_group("emea"));
  CHECK(s.has(s.find_user("dana"), s.find_right("allow-bulk-edit")));
  CHECK(s.role_cell(s.find_role("level-3"), s.find_object("sale"), Relation::kOtherGroups) == TableRights::full());
  CHECK(state->model.users.size() == users_before + 2);
}

TEST_CASE("transaction: user edits", "[admin][transaction]") {
  Fixture f;
  Transaction tx = f.begin("ua");
  REQUIRE(tx.add_user(associate("dina", "level-4", "acme-se", "support")));
  REQUIRE(tx.set_user_plan("dina", "basic"));
  REQUIRE(tx.set_user_licences("dina", {"web"}));
  REQUIRE(tx.edit_user("bob", [](User& u) { u.name = "Bob B."; }));  // then deleted
  REQUIRE(tx.set_can_log_in("carl", false));
  REQUIRE(tx.mark_former_employee("rep"));
  REQUIRE(tx.delete_user("bob"));
  REQUIRE_COMMITS(tx);
  auto m = f.dir->model();
  CHECK(m->find_user("dina")->plan == "basic");
  CHECK_FALSE(m->find_user("carl")->can_log_in);
  CHECK(m->find_user("rep")->former_employee);
  CHECK_FALSE(m->find_user("rep")->can_log_in);
  CHECK(m->find_user("bob") == nullptr);
  auto s = f.dir->snapshot();
  CHECK_FALSE(s->has(s->find_user("rep"), s->find_right("see-other-companies-associates")));

  REQUIRE(tx.retire_user("dina"));
  REQUIRE_COMMITS(tx);
  const User* dina = f.dir->model()->find_user("dina");
  CHECK(dina->retired);
  CHECK(dina->plan.empty());
  CHECK(dina->licences.empty());
}

TEST_CASE("transaction: move_user reports the records choice", "[admin][transaction]") {
  Fixture f;
  Transaction tx = f.begin("ua");
  REQUIRE(tx.move_user("bob", "acme-se", MoveRecords::kMoveFrom, 5000));
  REQUIRE(tx.move_user("carl", "acme", MoveRecords::kMoveAll));
  REQUIRE(tx.move_user("rep", "acme"));  // already there: no move
  auto done = tx.commit();
  REQUIRE(done);
  REQUIRE(done->moves.size() == 2);
  CHECK(done->moves[0] == UserMove{"bob", "acme", "acme-se", MoveRecords::kMoveFrom, 5000});
  CHECK(done->moves[1] == UserMove{"carl", "acme-se", "acme", MoveRecords::kMoveAll, 0});
  CHECK(f.dir->model()->find_user("bob")->company == "acme-se");
}

TEST_CASE("transaction: model rules are checked at commit, all at once", "[admin][transaction]") {
  Fixture f;
  Transaction tx = f.begin("root");
  User x = associate("x", "level-3", "customer-co");   // company not ours
  User y = associate("y", "level-3");
  y.person = "p1";
  User z = associate("z", "level-3");
  z.person = "p1";                                     // one user per person
  REQUIRE(tx.add_user(x));
  REQUIRE(tx.add_user(y));
  REQUIRE(tx.add_user(z));
  REQUIRE(tx.set_user_licences("bob", {"web"}));       // web needs user
  auto r = tx.commit();
  REQUIRE_FALSE(r);
  INFO(r.error().to_string());
  CHECK(r.error().code == ErrorCode::kFailedPrecondition);
  CHECK(has_rule(r.error(), "company-not-ours", "x"));
  CHECK(has_rule(r.error(), "duplicate-person", "z"));
  CHECK(has_rule(r.error(), "missing-prerequisite", "bob"));
  CHECK(f.dir->version() == 1);
}

TEST_CASE("transaction: licence counts are enforced", "[admin][transaction]") {
  Fixture f;
  Transaction tx = f.begin("ua");
  REQUIRE(tx.set_user_licences("bob", {"quote-cal"}));
  REQUIRE(tx.set_user_licences("carl", {"quote-cal"}));
  REQUIRE_COMMITS(tx);
  REQUIRE(tx.set_user_licences("rep", {"quote-cal"}));
  REQUIRE_REFUSED(tx, ErrorCode::kFailedPrecondition, "licence-over-count");
  tx.rollback();
  REQUIRE(tx.retire_user("bob"));  // frees the seat
  REQUIRE(tx.set_user_licences("rep", {"quote-cal"}));
  REQUIRE_COMMITS(tx);
}

TEST_CASE("transaction: a failing adapter keeps the old snapshot", "[admin][transaction]") {
  auto storage = std::make_shared<FlakyStorage>(StoredModel{base_model(), 7});
  auto dir = Directory::open(storage);
  REQUIRE(dir);
  auto held = (*dir)->snapshot();
  auto tx = (*dir)->begin("ua");
  REQUIRE(tx);
  REQUIRE(tx->set_user_groups("bob", "support", {}));
  storage->fail_apply = true;
  auto r = tx->commit();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kUnavailable);
  CHECK(r.error().message == "disk on fire");
  CHECK((*dir)->snapshot() == held);
  CHECK((*dir)->version() == 7);
  CHECK((*dir)->model()->find_user("bob")->group == "sales");
  CHECK(storage->version().value() == 7);
  CHECK(tx->has_changes());  // kept for a retry

  storage->fail_apply = false;
  auto ok = tx->commit();
  REQUIRE(ok);
  CHECK(ok->version == 8);
  CHECK((*dir)->model()->find_user("bob")->group == "support");
}

TEST_CASE("transaction: a refused commit writes nothing", "[admin][transaction]") {
  auto storage = std::make_shared<FlakyStorage>(StoredModel{base_model(), 1});
  auto dir = Directory::open(storage);
  REQUIRE(dir);
  auto tx = (*dir)->begin("rep");
  REQUIRE(tx);
  REQUIRE(tx->set_user_groups("bob", "support", {}));
  REQUIRE_FALSE(tx->commit());
  CHECK(storage->apply_calls == 0);
}

TEST_CASE("transaction concurrency: disjoint commits rebase, overlapping ones conflict",
          "[admin][transaction][concurrency]") {
  Fixture f;
  Transaction a = f.begin("ua");
  Transaction b = f.begin("ua");
  Transaction c = f.begin("root");
  REQUIRE(a.set_user_groups("bob", "support", {}));
  REQUIRE(b.set_user_groups("carl", "sales", {}));
  REQUIRE(c.set_user_groups("bob", "sales", {"support"}));
  REQUIRE_COMMITS(a);
  // b touches only carl: re-validated against version 2 and committed.
  auto rb = b.commit();
  REQUIRE(rb);
  CHECK(rb->version == 3);
  CHECK(f.dir->model()->find_user("bob")->group == "support");
  CHECK(f.dir->model()->find_user("carl")->group == "sales");
  // c touches bob, whom a changed: conflict naming the entity.
  auto rc = c.commit();
  REQUIRE_FALSE(rc);
  CHECK(rc.error().code == ErrorCode::kConflict);
  CHECK(has_rule(rc.error(), "conflict", "bob"));
  CHECK(rc.error().message.find("user \"bob\"") != std::string::npos);
  CHECK(f.dir->version() == 3);
  c.rollback();
  REQUIRE(c.set_user_groups("bob", "sales", {"support"}));
  REQUIRE_COMMITS(c);
}

TEST_CASE("transaction concurrency: a rebased commit is judged on the current state",
          "[admin][transaction][concurrency]") {
  Fixture f;
  Transaction a = f.begin("root");
  Transaction b = f.begin("ua");
  REQUIRE(a.set_user_role("ua", "level-3"));  // ua loses admin-users
  REQUIRE(b.set_user_groups("bob", "support", {}));
  REQUIRE_COMMITS(a);
  REQUIRE_REFUSED(b, ErrorCode::kPermissionDenied, "needs-admin-users");
}

TEST_CASE_METHOD(TwoDirectories,
                 "transaction concurrency: independent changes by another directory on the same store both save",
                 "[admin][transaction][concurrency]") {
  REQUIRE(t1.set_user_groups("bob", "support", {}));
  REQUIRE(t2.set_user_groups("carl", "sales", {}));
  REQUIRE_COMMITS(t1);
  REQUIRE_COMMITS(t2);  // the store moved on; carl is untouched there: rebased and saved
  CHECK(d2->version() == 3);
  CHECK(d2->model()->find_user("bob")->group == "support");
  CHECK(d2->model()->find_user("carl")->group == "sales");
  REQUIRE(d1->refresh());
  CHECK(d1->version() == 3);
  CHECK(d1->model()->find_user("carl")->group == "sales");
  auto trail = storage->audit({});
  REQUIRE(trail);
  CHECK(std::count_if(trail->begin(), trail->end(), [](const AuditEntry& e) { return !e.refused; }) >= 2);
}

TEST_CASE_METHOD(TwoDirectories,
                 "transaction concurrency: a change to the same entity by another directory is a conflict naming it",
                 "[admin][transaction][concurrency]") {
  REQUIRE(t1.set_user_groups("bob", "support", {}));
  REQUIRE(t2.set_user_groups("bob", "sales", {"support"}));
  REQUIRE_COMMITS(t1);
  auto r = t2.commit();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kConflict);
  CHECK(r.error().message.find("\"bob\"") != std::string::npos);
  CHECK(d2->version() == 2);  // picked up the stored state
  CHECK(d2->model()->find_user("bob")->group == "support");
  t2.rollback();
  REQUIRE(t2.set_user_groups("bob", "sales", {"support"}));
  REQUIRE_COMMITS(t2);
  CHECK(d2->version() == 3);
}

TEST_CASE("transaction concurrency: a rebased change set is judged on the rules of the newer state",
          "[admin][transaction][concurrency]") {
  // One seat of a restricted licence is left and two administrators each
  // give it to someone: the second change set, rebased onto the first, is
  // judged on the newer state and refused by the seat count.
  Model m = base_model();
  Licence seats{"seat", "Seat", LicenceKind::kUser, 1, false, {}, {}};
  m.licences.push_back(seats);
  TwoDirectories two(m);
  REQUIRE(two.t1.set_user_licences("bob", {"seat"}));
  REQUIRE(two.t2.set_user_licences("carl", {"seat"}));
  REQUIRE_COMMITS(two.t1);
  auto r = two.t2.commit();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kFailedPrecondition);
  CHECK(two.d2->model()->find_user("carl")->licences.empty());
}

TEST_CASE("transaction: diff_models lists entities by kind", "[admin][transaction]") {
  Model a = base_model();
  Model b = a;
  b.groups.push_back({"new", "New"});
  b.users.erase(b.users.begin());  // root
  b.find_role("level-3")->name = "Level three";
  b.overrides.push_back(Override{});
  std::vector<Change> d = diff_models(a, b);
  REQUIRE(d.size() == 4);
  CHECK((d[0].kind == EntityKind::kGroup && d[0].id == "new" && !d[0].before && d[0].after));
  CHECK((d[1].kind == EntityKind::kRole && d[1].id == "level-3" && d[1].before && d[1].after));
  CHECK((d[2].kind == EntityKind::kUser && d[2].id == "root" && d[2].before && !d[2].after));
  CHECK((d[3].kind == EntityKind::kOverrides && d[3].id.empty()));
  Model c = a;
  REQUIRE(apply_changes(c, d));
  CHECK(diff_models(c, b).empty());
}

TEST_CASE("transaction: diff_models lays a long list's values out in shared chunks, one kept value outliving the rest",
          "[admin][transaction]") {
  Model a = base_model();
  Model b = a;
  constexpr std::size_t kAdded = 10000;
  for (std::size_t i = 0; i < kAdded; ++i)
    b.groups.push_back(Group{std::string("g").append(std::to_string(i)), std::string("Group ").append(std::to_string(i))});
  std::vector<Change> d = diff_models(a, b);
  REQUIRE(d.size() == kAdded);
  // Values made one allocation each are never next to each other; chunked
  // ones are, but for the step from one chunk to the next.
  std::size_t adjacent = 0;
  for (std::size_t i = 0; i + 1 < d.size(); ++i) {
    REQUIRE(d[i].after);
    if (&*d[i + 1].after == &*d[i].after + 1) ++adjacent;
  }
  CHECK(adjacent >= kAdded - 20);
  Change kept = d[kAdded / 2];
  d.clear();
  d.shrink_to_fit();
  b = Model{};
  REQUIRE(kept.after);
  CHECK(std::get<Group>(*kept.after).id == std::string("g").append(std::to_string(kAdded / 2)));
  CHECK(std::get<Group>(*kept.after).name == std::string("Group ").append(std::to_string(kAdded / 2)));
}

TEST_CASE("transaction: stage_model publishes what the store holds", "[admin][transaction]") {
  Fixture f;
  Transaction tx = f.begin("");
  Model m = *f.dir->model();
  std::reverse(m.users.begin(), m.users.end());  // order is not a change
  m.find_user("bob")->name = "Robert";
  m.groups.push_back({"ops", "Ops"});
  REQUIRE(tx.stage_model(m));
  auto done = tx.commit();
  REQUIRE(done);
  CHECK(done->changes.size() == 2);
  auto stored = f.storage->load();
  REQUIRE(stored);
  CHECK(stored->version == f.dir->version());
  CHECK(stored->model == *f.dir->model());
}

TEST_CASE("transaction: a staged model that extends the published one is published as staged",
          "[admin][transaction]") {
  Fixture f;
  Model m = *f.dir->model();
  m.find_user("bob")->name = "Robert";
  for (int i = 0; i < 20; ++i) {
    m.groups.push_back({"bulk-" + std::to_string(i), "Bulk"});
    m.users.push_back(associate("new-" + std::to_string(i), "level-3", "acme", "bulk-" + std::to_string(i)));
  }
  // A refused commit leaves the staged model to the transaction.
  Transaction refused = f.begin("rep");
  REQUIRE(refused.stage_model(m));
  REQUIRE_FALSE(refused.commit());
  CHECK(refused.staged() == m);
  CHECK(f.dir->model()->find_user("new-0") == nullptr);
  Transaction tx = f.begin("");
  REQUIRE(tx.stage_model(m));
  auto done = tx.commit();
  if (!done) FAIL(done.error().to_string());
  CHECK(done->changes.size() == 41);
  CHECK(*f.dir->model() == m);
  CHECK(f.storage->load()->model == m);
  CHECK(f.dir->snapshot()->user_count() == m.users.size());
}

TEST_CASE("transaction: a staged model with duplicate ids is refused", "[admin][transaction]") {
  Fixture f;
  Transaction tx = f.begin("");
  Model m = *f.dir->model();
  m.users.push_back(associate("bob", "level-4"));
  REQUIRE(tx.stage_model(m));
  REQUIRE_REFUSED(tx, ErrorCode::kFailedPrecondition, "duplicate-id");
  CHECK(f.dir->model()->find_user("bob")->role == "level-3");
}

TEST_CASE("transaction concurrency: announced outside changes are picked up by begin",
          "[admin][transaction][concurrency]") {
  auto inner = std::make_shared<InMemoryStorage>(StoredModel{base_model(), 1});
  auto a1 = std::make_shared<AnnouncingStorage>(inner);
  auto a2 = std::make_shared<AnnouncingStorage>(inner);
  a2->subscribers_ = a1->subscribers_;  // one notification channel
  auto d1 = Directory::open(a1).value();
  auto d2 = Directory::open(a2).value();
  auto t1 = d1->begin("ua").value();
  REQUIRE(t1.set_user_groups("bob", "support", {}));
  REQUIRE_COMMITS(t1);  // announces version 2 to d1 (itself) and d2
  CHECK(d1->version() == 2);
  CHECK(d2->version() == 1);  // readers are not interrupted; nothing reloaded yet
  auto t2 = d2->begin("ua").value();
  CHECK(d2->version() == 2);
  CHECK(t2.base_version() == 2);
  CHECK(t2.base().find_user("bob")->group == "support");
  REQUIRE(t2.set_user_groups("bob", "sales", {}));
  REQUIRE_COMMITS(t2);
  CHECK(d2->version() == 3);
  REQUIRE(d1->begin("ua"));
  CHECK(d1->version() == 3);
}

TEST_CASE("transaction: diffs of reordered, edited, added and removed entities round-trip",
          "[admin][transaction]") {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    Fixture f;
    Model to = *f.dir->model();
    unsigned r = seed;
    auto next = [&] { return r = r * 1103515245u + 12345u, (r >> 16) & 0x7fffu; };
    // Edit some users in place, rotate a tail, add and remove some.
    for (User& u : to.users)
      if (next() % 3 == 0) u.name += "!";
    const std::size_t from = next() % to.users.size();
    std::rotate(to.users.begin() + static_cast<std::ptrdiff_t>(from),
                to.users.begin() + static_cast<std::ptrdiff_t>(from + (to.users.size() - from) / 2),
                to.users.end());
    to.users.push_back(associate("new-" + std::to_string(seed), "level-3"));
    if (next() % 2 == 0) {
      erase_if(to.users, [](const User& u) { return u.id == "carl"; });
    }
    to.groups.insert(to.groups.begin(), Group{"first", "First"});
    std::vector<Change> d = diff_models(*f.dir->model(), to);
    Model applied = *f.dir->model();
    REQUIRE(apply_changes(applied, d));
    CHECK(diff_models(applied, to).empty());

    Transaction tx = f.begin("");
    REQUIRE(tx.stage_model(to));
    auto done = tx.commit();
    if (!done) FAIL(done.error().to_string());
    CHECK(done->changes == d);
    CHECK(f.storage->load()->model == *f.dir->model());
    CHECK(diff_models(*f.dir->model(), to).empty());
  }
}

TEST_CASE("transaction: apply_changes on many changes gives what applying them one by one gives",
          "[admin][transaction]") {
  // Over eight changes of a kind take the indexed path; at most eight, one by one.
  auto g = [](std::string id, std::string name) { return Change{EntityKind::kGroup, id, std::nullopt, Entity(Group{id, std::move(name)})}; };
  auto gone = [](std::string id) { return Change{EntityKind::kGroup, std::move(id), std::nullopt, std::nullopt}; };
  const std::vector<Change> changes = {g("a", "1"), g("sales", "S"), g("b", "1"),  gone("a"),   g("c", "1"),
                                       g("a", "2"), gone("support"), g("d", "1"),  gone("b"),   g("b", "2"),
                                       g("e", "1"), gone("e"),       g("a", "3"),  g("support", "back")};
  Model many = base_model();
  REQUIRE(apply_changes(many, changes));
  Model single = base_model();
  for (const Change& c : changes) REQUIRE(apply_changes(single, {c}));
  CHECK(many.groups == single.groups);
  std::vector<std::string> ids;
  for (const Group& x : many.groups) ids.push_back(x.id);
  CHECK(ids == std::vector<std::string>{"sales", "c", "a", "d", "b", "support"});
  CHECK(many.find_group("a")->name == "3");
}
