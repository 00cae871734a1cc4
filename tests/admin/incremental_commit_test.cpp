// The incremental commit (docs/design/0004-incremental-commit.md) against the
// full path: every published snapshot must answer exactly as compile() of the
// published model, the published model must equal the stored one and the
// model a plain replay of the changes gives, whichever path the commit took
// (users edited in place: patched snapshot and reused model; anything else:
// compile). Random edit sequences over a model with every kind of user,
// licences with seats and prerequisites, plans, group/user/system overrides.
#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "fixture.hpp"
#include "sorights/detail/snapshot_builder.hpp"

using namespace admin_test;

namespace {

Model random_model(std::mt19937_64& rng, std::size_t n_users) {
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  Model m = Model::with_defaults();
  m.our_companies = {{"acme", "Acme", true}, {"beta", "Beta", false}, {"gamma", "Gamma", false}};
  for (int g = 0; g < 6; ++g) m.groups.push_back({"g" + std::to_string(g), "Group"});
  m.licences = {Licence{"user", "User", LicenceKind::kUser, static_cast<std::uint32_t>(n_users), false, {}, {}},
                Licence{"web", "Web", LicenceKind::kUser, static_cast<std::uint32_t>(n_users / 4), false,
                        {"user"}, {}},
                Licence{"sale-cal", "Sale", LicenceKind::kUser, 0, true, {}, {"sale"}},
                Licence{"site", "Site", LicenceKind::kSite, 0, false, {}, {}}};
  m.plans = {Plan{"basic", "Basic", {"user"}}, Plan{"webplan", "Web", {"user", "web"}}};
  m.functional_rights = {FunctionalRightDef{"approve", "Approve", "web"}, FunctionalRightDef{"export", "Export", ""}};
  Role custom = *predefined_role("level-3");
  custom.id = "custom";
  custom.functional_rights = {"approve", "export", "see-other-companies-associates"};
  m.roles.push_back(custom);
  Role ext = *predefined_role("external");
  ext.id = "ext2";
  ext.functional_rights = {"ext-use-my-company-rights", "ext-need-publish-to-see-sale"};
  m.roles.push_back(ext);
  const std::vector<std::string> employee = {"level-0", "level-2", "level-3", "level-5", "custom", "local"};
  for (std::size_t i = 0; i < n_users; ++i) {
    User u;
    u.id = "u" + std::to_string(i);
    const std::size_t kind = pick(20);
    if (kind < 14) {
      u.company = m.our_companies[pick(3)].id;
      u.role = employee[pick(employee.size())];
      u.group = m.groups[pick(6)].id;
      for (std::size_t k = pick(3); k > 0; --k) u.other_groups.push_back(m.groups[pick(6)].id);
      if (pick(2)) u.licences.push_back("sale-cal");
      if (pick(3) == 0) u.plan = pick(2) ? "basic" : "webplan";
      if (pick(30) == 0) u.can_log_in = false;
    } else if (kind < 17) {
      u.type = UserType::kExternal;
      u.company = "cust" + std::to_string(pick(7));
      u.role = pick(2) ? "external" : "ext2";
      for (std::size_t k = pick(3); k > 0; --k) u.projects.push_back("p" + std::to_string(pick(5)));
    } else if (kind < 18) {
      u.type = UserType::kResource;
    } else if (kind < 19) {
      u.type = UserType::kAnonymous;
      u.role = "anonymous";
    } else {
      u.company = "acme";
      u.role = employee[pick(employee.size())];
      u.group = "g0";
      u.former_employee = pick(2) == 0;
      u.retired = !u.former_employee;
    }
    if (pick(25) == 0) u.person = "person" + std::to_string(i);
    m.users.push_back(std::move(u));
  }
  m.users.push_back(User{.id = "system", .type = UserType::kSystem, .role = "system"});
  m.overrides.push_back({.level = OverrideLevel::kSystem, .object = "dashboard", .remove = 8});
  m.overrides.push_back({.level = OverrideLevel::kGroup, .target = "g1", .object = "document",
                         .scope = OverrideScope::kExisting, .remove = 2});
  m.overrides.push_back({.level = OverrideLevel::kGroup, .target = "g2", .object = "sale", .field = "amount",
                         .remove = 2});
  for (std::size_t i = 0; i < n_users; i += 17)
    m.overrides.push_back({.level = OverrideLevel::kUser, .target = "u" + std::to_string(i), .object = "sale",
                           .scope = OverrideScope::kRecord, .record = std::to_string(1 + i % 5),
                           .remove = static_cast<std::uint8_t>(1 + i % 15)});
  return m;
}

// Sample records over every relation, layer and record state.
std::vector<Record> sample_records(const Snapshot& s, std::mt19937_64& rng, std::size_t n) {
  auto pick = [&](std::size_t k) { return static_cast<std::size_t>(rng() % k); };
  std::vector<Record> out;
  for (std::size_t i = 0; i < n; ++i) {
    Record r;
    r.object = ObjectIndex{static_cast<std::uint16_t>(pick(s.object_count()))};
    const std::size_t o = pick(10);
    r.owner = o == 0 ? kNoUser : o == 1 ? UserIndex{999999} : UserIndex{static_cast<std::uint32_t>(pick(s.user_count()))};
    r.group = pick(3) == 0 ? kNoGroup : GroupIndex{static_cast<std::uint32_t>(pick(s.group_count()))};
    const std::size_t v = pick(4);
    if (v == 1) r.visibility = Visibility::group(GroupIndex{static_cast<std::uint32_t>(pick(s.group_count()))});
    if (v == 2) r.visibility = Visibility::associate(UserIndex{static_cast<std::uint32_t>(pick(s.user_count()))});
    r.published = pick(2) == 0;
    r.completed = pick(4) == 0;
    r.is_new = pick(4) == 0;
    r.user_person = pick(8) == 0;
    r.company = pick(3) == 0 ? kNoCompany : s.find_company(pick(2) ? "acme" : "cust" + std::to_string(pick(7)));
    r.project = pick(2) ? kNoProject : s.find_project("p" + std::to_string(pick(5)));
    r.id = pick(3) == 0 ? record_key(std::to_string(1 + pick(5))) : 0;
    r.at = 1000;
    out.push_back(r);
  }
  return out;
}

// `got` answers every query as `want` does (both over the same model).
void require_same_answers(const Snapshot& got, const Snapshot& want, const Model& m, std::mt19937_64& rng) {
  REQUIRE(got.user_count() == want.user_count());
  REQUIRE(got.version() == want.version());
  REQUIRE(got.group_count() == want.group_count());
  REQUIRE(got.role_count() == want.role_count());
  for (const User& u : m.users) REQUIRE(got.find_user(u.id) == want.find_user(u.id));
  for (const Group& g : m.groups) REQUIRE(got.find_group(g.id) == want.find_group(g.id));
  REQUIRE(got.find_group("no-such-group") == kUnknownGroup);
  REQUIRE(got.find_user("no-such-user") == kUnknownUser);
  for (const Role& r : m.roles) {
    const RoleIndex ri = want.find_role(r.id);
    REQUIRE(got.find_role(r.id) == ri);
    for (std::uint32_t o = 0; o < want.object_count(); ++o)
      for (int rel = 0; rel < kRelationCount; ++rel)
        REQUIRE(got.role_cell(ri, ObjectIndex{static_cast<std::uint16_t>(o)}, static_cast<Relation>(rel)) ==
                want.role_cell(ri, ObjectIndex{static_cast<std::uint16_t>(o)}, static_cast<Relation>(rel)));
  }
  for (const User& u : m.users)
    if (!u.company.empty()) REQUIRE(got.find_company(u.company) == want.find_company(u.company));
  for (int p = 0; p < 5; ++p)
    REQUIRE(got.find_project("p" + std::to_string(p)) == want.find_project("p" + std::to_string(p)));
  const std::vector<Record> records = sample_records(want, rng, 48);
  const FieldIndex amount = want.find_field("amount");
  REQUIRE(got.find_field("amount") == amount);
  for (std::uint32_t ui = 0; ui < want.user_count(); ++ui) {
    const UserIndex u{ui};
    INFO("user " << want.user_id(u));
    REQUIRE(got.user_role(u) == want.user_role(u));
    REQUIRE(got.user_primary_group(u) == want.user_primary_group(u));
    REQUIRE(got.user_type(u) == want.user_type(u));
    for (std::uint32_t r = 0; r < static_cast<std::uint32_t>(want.right_count()); ++r) REQUIRE(got.has(u, RightIndex{r}) == want.has(u, RightIndex{r}));
    for (const Record& rec : records) {
      REQUIRE(got.rights(u, rec) == want.rights(u, rec));
      REQUIRE(got.field_rights(u, rec, amount) == want.field_rights(u, rec, amount));
    }
  }
}

// Random in-place edits of 1–3 users; some break a rule (refused commits).
void random_user_edits(Transaction& tx, const Model& m, std::mt19937_64& rng) {
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const std::vector<std::string> employee = {"level-0", "level-1", "level-3", "level-4", "custom", "list-admin"};
  for (std::size_t k = 1 + pick(3); k > 0; --k) {
    const User& u = m.users[pick(m.users.size() - 1)];  // not the system user
    const bool associate = u.type == UserType::kAssociate;
    switch (pick(12)) {
      case 0: (void)tx.set_user_role(u.id, associate ? employee[pick(employee.size())] : "external"); break;
      case 1: (void)tx.set_user_role(u.id, pick(2) ? "ext2" : "level-2"); break;  // maybe the wrong type
      case 2:
        if (associate) (void)tx.set_user_groups(u.id, "g" + std::to_string(pick(6)), {"g" + std::to_string(pick(6))});
        break;
      case 3: (void)tx.set_user_plan(u.id, pick(3) == 0 ? "" : pick(2) ? "basic" : "webplan"); break;
      case 4: (void)tx.set_user_licences(u.id, pick(2) ? std::vector<std::string>{"sale-cal"}
                                                       : std::vector<std::string>{"web"}); break;
      case 5: (void)tx.set_can_log_in(u.id, pick(2) == 0); break;
      case 6:
        if (associate) (void)tx.move_user(u.id, pick(2) ? "beta" : "gamma", MoveRecords::kMoveAll);
        break;
      case 7: (void)tx.mark_former_employee(u.id); break;
      case 8: (void)tx.retire_user(u.id); break;
      case 9:
        (void)tx.edit_user(u.id, [&](User& e) {
          e.person = pick(2) ? "" : "person" + std::to_string(pick(40));  // may collide
          e.name = "renamed";
        });
        break;
      case 10:
        (void)tx.edit_user(u.id, [&](User& e) {  // a customer company or project: the full path
          if (e.type == UserType::kExternal) {
            e.company = "cust" + std::to_string(pick(9));
            e.projects = {"p" + std::to_string(pick(6))};
          }
        });
        break;
      default: (void)tx.set_user_role(u.id, u.role); break;  // no change
    }
  }
}

// Random edits of the catalogs the incremental path patches (role cells and
// functional rights, group additions and renames) and new users; some need
// the full path (a right that needs a licence or gates publishing, a seat of
// a capped licence), some break a rule.
void random_catalog_edits(Transaction& tx, const Model& m, std::mt19937_64& rng, int step) {
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const std::vector<std::string> roles = {"level-0", "level-2", "level-3", "level-5", "custom", "local", "ext2",
                                          "external", "anonymous"};
  const std::vector<std::string> objects = {"sale", "document", "company", "person", "selection", "project"};
  const std::vector<std::string> rights = {"export", "approve", "see-other-companies-associates", "admin-users",
                                           "allow-bulk-edit", "ext-use-my-company-rights", "ext-need-publish-to-see-sale",
                                           "ext-use-same-project-rights"};
  for (std::size_t k = 1 + pick(3); k > 0; --k) {
    const std::string& role = roles[pick(roles.size())];
    switch (pick(11)) {
      case 0:
      case 1:
        (void)tx.set_data_right(role, objects[pick(objects.size())], static_cast<Relation>(pick(kRelationCount)),
                                TableRights::from_bits(static_cast<std::uint8_t>(pick(16))));
        break;
      case 2: (void)tx.grant_right(role, rights[pick(rights.size())]); break;
      case 3: (void)tx.revoke_right(role, rights[pick(rights.size())]); break;
      case 4: (void)tx.rename_role(role, "Renamed " + std::to_string(step), "desc"); break;
      case 5: (void)tx.put_group(Group{"g" + std::to_string(pick(6)), "Renamed " + std::to_string(step)}); break;
      case 6: (void)tx.put_group(Group{"g-add" + std::to_string(step) + "-" + std::to_string(k), "New"}); break;
      case 7:  // kinds that take the full path: deletions, licences, overrides
        if (pick(3) == 0) (void)tx.delete_user(m.users[pick(m.users.size() - 1)].id);
        else if (pick(2) == 0) (void)tx.delete_role("custom", "level-3");
        else (void)tx.set_overrides({{.level = OverrideLevel::kSystem, .object = "sale",
                                      .remove = static_cast<std::uint8_t>(pick(16))}});
        break;
      default: {
        User u;
        u.id = "new" + std::to_string(step) + "-" + std::to_string(k);
        if (pick(3) == 0) {
          u.type = UserType::kExternal;
          u.role = pick(2) ? "external" : "ext2";
          u.company = "cust" + std::to_string(pick(12));  // maybe a new customer company
          u.projects = {"p" + std::to_string(pick(8)), "p" + std::to_string(pick(8))};  // maybe new projects
        } else {
          u.company = pick(2) ? "acme" : "beta";
          u.role = pick(5) == 0 ? "ext2" : roles[pick(6)];  // maybe the wrong type
          u.group = "g" + std::to_string(pick(7));          // maybe unknown (g6), or added in this step
          if (pick(2)) u.other_groups = {"g" + std::to_string(pick(6))};
          if (pick(3) == 0) u.licences = {pick(2) ? "sale-cal" : "web"};
          if (pick(4) == 0) u.plan = "basic";
          u.retired = pick(8) == 0;
        }
        if (pick(6) == 0) u.person = "person" + std::to_string(pick(60));  // may collide
        (void)(pick(2) ? tx.add_user(std::move(u)) : tx.put_user(std::move(u)));
        if (pick(4) == 0 && !m.users.empty())  // and an edit of an existing user in the same commit
          (void)tx.set_can_log_in(m.users[pick(m.users.size() - 1)].id, pick(2) == 0);
      }
    }
  }
}

}  // namespace

TEST_CASE("incremental commit: every published snapshot answers as compile() of the published model") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    std::mt19937_64 rng(seed);
    const Model initial = random_model(rng, 120);
    REQUIRE(compile(initial));
    auto storage = std::make_shared<InMemoryStorage>(StoredModel{initial, 1});
    auto dir = Directory::open(storage);
    REQUIRE(dir);
    Model replay = initial;  // the model a plain replay of the committed changes gives
    std::vector<std::shared_ptr<const DirectoryState>> held;  // old states kept alive now and then
    std::vector<std::vector<User>> held_users;                 // their users, copied out of the shared chunks
    int committed = 0, refused = 0;
    for (int step = 0; step < 90; ++step) {
      INFO("seed " << seed << " step " << step);
      const std::shared_ptr<const DirectoryState> before = (*dir)->state();
      if (rng() % 5 == 0) {  // no reuse of that state's model
        held.push_back(before);
        held_users.emplace_back(before->model.users.begin(), before->model.users.end());
      }
      if (held.size() > 2) {
        held.erase(held.begin());
        held_users.erase(held_users.begin());
      }
      auto tx = (*dir)->begin(rng() % 4 == 0 ? "u0" : "");
      if (!tx) continue;  // u0 may be inactive by now
      if (step % 13 == 7) REQUIRE(tx->put_our_company({"oc" + std::to_string(step), "Ours", false}));  // the full path
      if (rng() % 2) random_user_edits(*tx, before->model, rng);
      else random_catalog_edits(*tx, before->model, rng, step);
      const std::vector<Change> staged = tx->changes();
      // The overlay lists what the diff lists. (staged() copies the model, so
      // every other step commits straight from the overlay.)
      if (step % 2 == 0) REQUIRE(staged == diff_models(before->model, tx->staged()));
      Result<CommitInfo> done = tx->commit();
      const std::shared_ptr<const DirectoryState> after = (*dir)->state();
      if (!done) {
        ++refused;
        REQUIRE(after == before);
        // The full path gives the same verdict: compile() of the edited model, or an authorization rule.
        Model edited = before->model;
        REQUIRE(apply_changes(edited, staged));
        if (done.error().code == ErrorCode::kFailedPrecondition) REQUIRE_FALSE(compile(edited));
        continue;
      }
      if (done->changes.empty()) continue;
      ++committed;
      REQUIRE(apply_changes(replay, done->changes));
      REQUIRE(after->version == before->version + 1);
      REQUIRE(after->model == replay);
      Result<StoredModel> stored = storage->load();
      REQUIRE(stored);
      REQUIRE(stored->model == after->model);
      Result<Snapshot> full = compile(after->model, after->version);
      REQUIRE(full);
      require_same_answers(after->snapshot, *full, after->model, rng);
      // States still held elsewhere are never modified (their users share
      // chunks with the published ones).
      for (std::size_t k = 0; k < held.size(); ++k) {
        const auto& h = held[k];
        REQUIRE(std::equal(h->model.users.begin(), h->model.users.end(), held_users[k].begin(),
                           held_users[k].end()));
        Result<Snapshot> again = compile(h->model, h->version);
        REQUIRE(again);
        REQUIRE(again->user_count() == h->snapshot.user_count());
      }
    }
    CHECK(committed > 20);
    CHECK(refused > 0);
  }
}

TEST_CASE("incremental commit: the patched snapshot equals compile() for in-place user edits") {
  std::mt19937_64 rng(7);
  Model m = random_model(rng, 200);
  Result<Snapshot> base = compile(m, 1);
  REQUIRE(base);
  for (int round = 0; round < 40; ++round) {
    Model next = m;
    std::vector<std::size_t> positions;
    std::vector<const User*> before;
    for (std::size_t k = 1 + rng() % 4; k > 0; --k) {
      const std::size_t i = rng() % (m.users.size() - 1);
      if (std::find(positions.begin(), positions.end(), i) != positions.end()) continue;
      User& u = next.users[i];
      if (u.type == UserType::kAssociate) {
        u.role = rng() % 2 ? "custom" : "level-4";
        u.group = "g" + std::to_string(rng() % 6);
        u.other_groups = {"g" + std::to_string(rng() % 6), "g" + std::to_string(rng() % 6)};
        u.plan = rng() % 2 ? "webplan" : "";
        u.company = rng() % 2 ? "beta" : "acme";
      }
      u.can_log_in = rng() % 3 != 0;
      positions.push_back(i);
      before.push_back(&m.users[i]);
    }
    std::optional<Snapshot> patched = detail::SnapshotBuilder::patch_users(*base, next, positions, before, 2);
    Result<Snapshot> full = compile(next, 2);
    if (!full) continue;  // e.g. seats of "web" exceeded: the directory would refuse
    REQUIRE(patched);
    require_same_answers(*patched, *full, next, rng);
  }
}

TEST_CASE("incremental commit: users' other groups moved across the inline limit answer as compile()") {
  // A user keeps up to four other groups in its snapshot record and more in
  // the group pool; commits move associates between 0, 1, 4 and 5 other
  // groups (of g0-g5 without the primary g0), in both directions.
  std::mt19937_64 rng(23);
  Model initial = random_model(rng, 60);
  std::vector<std::string> associates;
  for (const User& u : initial.users)
    if (u.type == UserType::kAssociate && !u.retired && !u.former_employee && associates.size() < 3)
      associates.push_back(u.id);
  REQUIRE(associates.size() == 3);
  auto dir = Directory::open(std::make_shared<InMemoryStorage>(StoredModel{initial, 1}));
  REQUIRE(dir);
  const std::vector<std::vector<std::string>> steps = {
      {}, {"g3"}, {"g1", "g2", "g3", "g4"}, {"g1", "g2", "g3", "g4", "g5"}, {"g2", "g4"},
      {"g1", "g2", "g3", "g4", "g5"}, {"g5", "g4", "g3", "g2"}, {"g1", "g2", "g3", "g4", "g5", "g0"}, {}};
  for (std::size_t step = 0; step < steps.size() * associates.size(); ++step) {
    INFO("step " << step);
    auto tx = (*dir)->begin("");
    REQUIRE(tx);
    for (std::size_t k = 0; k < associates.size(); ++k)
      REQUIRE(tx->set_user_groups(associates[k], "g0", steps[(step + 3 * k) % steps.size()]));
    REQUIRE(tx->commit());
    const std::shared_ptr<const DirectoryState> after = (*dir)->state();
    Result<Snapshot> full = compile(after->model, after->version);
    REQUIRE(full);
    require_same_answers(after->snapshot, *full, after->model, rng);
  }
}

TEST_CASE("incremental commit: a customer company or project change takes the full path") {
  std::mt19937_64 rng(11);
  Model m = random_model(rng, 60);
  Result<Snapshot> base = compile(m, 1);
  REQUIRE(base);
  auto ext = std::find_if(m.users.begin(), m.users.end(), [](const User& u) { return u.type == UserType::kExternal; });
  REQUIRE(ext != m.users.end());
  const std::size_t i = static_cast<std::size_t>(ext - m.users.begin());
  Model next = m;
  next.users[i].company = "brand-new-customer";
  CHECK_FALSE(detail::SnapshotBuilder::patch_users(*base, next, {i}, {&m.users[i]}, 2));
  next = m;
  next.users[i].projects = {"brand-new-project"};
  CHECK_FALSE(detail::SnapshotBuilder::patch_users(*base, next, {i}, {&m.users[i]}, 2));
}

TEST_CASE("incremental commit: the patched snapshot equals compile() for role edits, new groups and new users") {
  std::mt19937_64 rng(13);
  Model m = random_model(rng, 200);
  Result<Snapshot> base = compile(m, 1);
  REQUIRE(base);
  auto role_at = [&](std::string_view id) {
    return static_cast<std::size_t>(std::find_if(m.roles.begin(), m.roles.end(), [&](const Role& r) { return r.id == id; }) -
                                    m.roles.begin());
  };
  int patched_count = 0, since_compile = 0;
  for (int round = 0; round < 40; ++round) {
    INFO("round " << round);
    Model next = m;
    detail::ModelEdit edit;
    // One or two roles: a cell, and a right without a licence granted or revoked.
    for (std::string_view id : {std::string_view("level-3"), std::string_view(round % 2 ? "custom" : "ext2")}) {
      const std::size_t r = role_at(id);
      Role& role = next.roles[r];
      role.set_cell(round % 3 ? "sale" : "document", static_cast<Relation>(rng() % kRelationCount),
                    TableRights::from_bits(static_cast<std::uint8_t>(rng() % 16)));
      const std::string right = id == "ext2" ? (round % 4 < 2 ? "ext-use-same-project-rights" : "ext-use-my-company-rights")
                                             : (round % 4 < 2 ? "see-other-companies-associates" : "admin-users");
      if (role.has_right(right)) std::erase(role.functional_rights, right);
      else role.functional_rights.push_back(right);
      edit.roles.push_back(r);
      edit.roles_before.push_back(&m.roles[r]);
    }
    // A new group, a renamed one, and new users: an associate in the new
    // group, an external user of a new customer company with new projects.
    next.groups[1].name = "Renamed";
    edit.groups.push_back(1);
    next.groups.push_back(Group{"added" + std::to_string(round), "Added"});
    edit.added_groups = 1;
    User a{.id = "zz-new" + std::to_string(round), .company = "beta", .role = "custom"};
    a.group = next.groups.back().id;
    a.other_groups = {"g2"};
    a.licences = {"sale-cal"};
    User e{.id = "aa-new" + std::to_string(round), .type = UserType::kExternal, .role = "ext2"};
    e.company = "new-customer" + std::to_string(round % 3);
    e.projects = {"p1", "new-project" + std::to_string(round)};
    next.users.push_back(a);
    next.users.push_back(e);
    edit.added_users = 2;
    // And a user edited in place.
    const std::size_t i = rng() % (m.users.size() - 1);
    next.users[i].can_log_in = !next.users[i].can_log_in;
    edit.users.push_back(i);
    edit.users_before.push_back(&m.users[i]);

    REQUIRE(detail::Validator(next, false).edit_valid(edit));
    std::optional<Snapshot> patched = detail::SnapshotBuilder::patch(*base, next, edit, 2);
    Result<Snapshot> full = compile(next, 2);
    REQUIRE(full);
    m = next;
    if (!patched) {
      // Only the bound on unused profiles and rows refuses these edits: it
      // lets at least a few patches follow a compile().
      CHECK(since_compile >= 3);
      since_compile = 0;
      base = std::move(*full);
      continue;
    }
    ++patched_count;
    ++since_compile;
    require_same_answers(*patched, *full, next, rng);
    // Patching the patched snapshot again keeps answering as compile().
    base = std::move(*patched);
  }
  CHECK(patched_count >= 30);
}

TEST_CASE("incremental commit: a granted right that needs a licence or gates publishing takes the full path") {
  std::mt19937_64 rng(17);
  Model m = random_model(rng, 60);
  Result<Snapshot> base = compile(m, 1);
  REQUIRE(base);
  for (const auto& [role_id, right_id] : {std::pair{"level-3", "approve"}, std::pair{"ext2", "ext-need-publish-to-see-document"},
                                         std::pair{"ext2", "ext-need-publish-to-see-sale"}}) {
    const std::string_view role = role_id, right = right_id;
    INFO(role << " " << right);
    const auto it = std::find_if(m.roles.begin(), m.roles.end(), [&](const Role& r) { return r.id == role; });
    const std::size_t r = static_cast<std::size_t>(it - m.roles.begin());
    Model next = m;
    std::vector<std::string>& rights = next.roles[r].functional_rights;
    if (next.roles[r].has_right(right)) std::erase(rights, right);  // revoked
    else rights.emplace_back(right);                                  // granted
    detail::ModelEdit edit;
    edit.roles = {r};
    edit.roles_before = {&m.roles[r]};
    CHECK_FALSE(detail::SnapshotBuilder::patch(*base, next, edit, 2));
  }
  // A role whose type changes is never patched.
  Model next = m;
  const std::size_t r = 0;
  next.roles[r].type = next.roles[r].type == RoleType::kEmployee ? RoleType::kExternal : RoleType::kEmployee;
  detail::ModelEdit edit;
  edit.roles = {r};
  edit.roles_before = {&m.roles[r]};
  CHECK_FALSE(detail::SnapshotBuilder::patch(*base, next, edit, 2));
}

TEST_CASE("incremental commit: a one-user commit shares every other user with the state before it") {
  std::mt19937_64 rng(4);
  const Model initial = random_model(rng, 3000);
  auto dir = Directory::open(std::make_shared<InMemoryStorage>(StoredModel{initial, 1}));
  REQUIRE(dir);
  constexpr std::size_t kChunk = decltype(initial.users)::kChunkSize;
  // Two commits: the first copies the published state, the second brings the
  // state before it up to date (decision record 0004); neither copies users
  // outside the chunk of the user edited.
  for (std::size_t edited : {std::size_t{1234}, std::size_t{77}}) {
    const std::shared_ptr<const DirectoryState> before = (*dir)->state();
    const Model& was = before->model;
    REQUIRE(was.users[edited].type == UserType::kAssociate);
    auto tx = (*dir)->begin();
    REQUIRE(tx);
    REQUIRE(tx->set_user_role(was.users[edited].id, was.users[edited].role == "level-2" ? "level-3" : "level-2"));
    REQUIRE(tx->commit());
    const std::shared_ptr<const DirectoryState> after = (*dir)->state();
    const Model& now = after->model;
    REQUIRE(now.users.size() == was.users.size());
    CHECK(now.users[edited].role != was.users[edited].role);
    std::size_t shared = 0;
    for (std::size_t i = 0; i < now.users.size(); ++i) {
      const bool same_chunk = i / kChunk == edited / kChunk;
      shared += &now.users[i] == &was.users[i];
      if (!same_chunk && &now.users[i] != &was.users[i]) FAIL_CHECK("user " << i << " was copied");
    }
    CHECK(shared == now.users.size() - std::min(kChunk, now.users.size() - edited / kChunk * kChunk));
  }
}
