// Property test of the administration chain (decision record 0006): random
// models, random actors, random sequences of administration edits. Whatever
// the library accepts must keep three promises, checked here from the models
// and snapshots before and after each commit, not from the library's rules:
//   1. an actor without admin-all gives no user a (non-restrictive)
//      functional right the actor lacked, unless the user held it before;
//   2. an actor without admin-all adds no letter to a role's data-rights cell
//      that the actor's own role lacked in that cell;
//   3. no accepted commit takes a store that had an effective administrator
//      (an active associate whose role holds admin-all) to none.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "fixture.hpp"

namespace {

using namespace sorights;
using admin_test::associate;

const std::vector<std::string> kRights = {
    "admin-all",       "admin-users",      "admin-role",   "admin-lists",        "admin-preferences",
    "allow-bulk-edit", "allow-bulk-export", "quote-can-approve", "see-other-companies-associates",
    "hide-sale",       "hide-company",     "acme-approve", "acme-hide-prices"};
const std::vector<std::string> kObjects = {"company", "person", "sale", "follow_up", "project"};
const std::vector<std::string> kLicences = {"user", "quote", "quote-site"};

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : rng_(seed) {}
  int below(int n) { return static_cast<int>(rng_() % static_cast<std::uint64_t>(n)); }
  bool chance(int percent) { return below(100) < percent; }
  template <class Seq>  // a std::vector, or the users' ChunkedVector
  const auto& pick(const Seq& v) {
    return v[static_cast<std::size_t>(below(static_cast<int>(v.size())))];
  }
  TableRights crud() { return TableRights::from_bits(static_cast<std::uint32_t>(below(16))); }

 private:
  std::mt19937_64 rng_;
};

std::vector<std::string> some_rights(Rng& g, int percent) {
  std::vector<std::string> out;
  for (const std::string& r : kRights)
    if (g.chance(percent)) out.push_back(r);
  return out;
}

Role random_role(Rng& g, std::string id) {
  Role r = *predefined_role(g.pick(std::vector<std::string>{"level-0", "level-2", "level-3", "level-5", "local"}));
  r.id = std::move(id);
  r.name = r.id;
  for (const std::string& o : kObjects)
    for (Relation rel : {Relation::kOwn, Relation::kPrimaryGroup, Relation::kOtherGroups, Relation::kOtherAssociates})
      if (g.chance(30)) r.set_cell(o, rel, g.crud());
  r.functional_rights = some_rights(g, 25);
  return r;
}

Model random_model(Rng& g) {
  Model m = Model::with_defaults();
  m.our_companies = {{"acme", "Acme", true}};
  m.groups = {{"sales", "Sales"}, {"support", "Support"}};
  m.licences = {Licence{"user", "User", LicenceKind::kUser, 50, false, {}, {}},
                Licence{"quote", "Quote", LicenceKind::kUser, 50, false, {}, {}}};
  m.plans = {Plan{"basic", "Basic", {"user"}}};
  m.functional_rights = {FunctionalRightDef{"acme-approve", "Approve", "quote", false},
                         FunctionalRightDef{"acme-hide-prices", "Hide prices", "", true}};
  for (int i = 0; i < 4; ++i) m.roles.push_back(random_role(g, "custom-" + std::to_string(i)));
  std::vector<std::string> roles;
  for (const Role& r : m.roles)
    if (r.type == RoleType::kEmployee) roles.push_back(r.id);
  for (int i = 0; i < 12; ++i) {
    User u = associate("u" + std::to_string(i), g.pick(roles), "acme", g.chance(50) ? "sales" : "support");
    if (g.chance(20)) u.licences = {"quote"};
    else if (g.chance(40)) u.plan = "basic";
    if (g.chance(10)) u.can_log_in = false;
    m.users.push_back(std::move(u));
  }
  m.users.push_back(associate("boss", "level-0"));  // one effective administrator at least
  return m;
}

// One random administration edit; errors of the edit itself (unknown ids,
// already existing) are fine: the commit then judges what was staged.
void random_edit(Rng& g, Transaction& tx, const Model& m, const std::string& actor, int serial) {
  const std::string user = g.chance(15) && !actor.empty() ? actor : g.pick(m.users).id;
  const std::string role = g.pick(m.roles).id;
  switch (g.below(16)) {
    case 0: (void)tx.set_user_role(user, role); break;
    case 1: (void)tx.add_user(associate("new-" + std::to_string(serial), role)); break;
    case 2: (void)tx.grant_right(role, g.pick(kRights)); break;
    case 3: (void)tx.revoke_right(role, g.pick(kRights)); break;
    case 4: (void)tx.set_data_right(role, g.pick(kObjects), static_cast<Relation>(g.below(4)), g.crud()); break;
    case 5: (void)tx.copy_role(role, "copy-" + std::to_string(serial), "Copy"); break;
    case 6: (void)tx.put_role(random_role(g, g.chance(50) ? role : "put-" + std::to_string(serial))); break;
    case 7: (void)tx.retire_user(user); break;
    case 8: (void)tx.delete_user(user); break;
    case 9: (void)tx.set_can_log_in(user, g.chance(50)); break;
    case 10: (void)tx.mark_former_employee(user); break;
    case 11: (void)tx.set_user_licences(user, g.chance(50) ? std::vector<std::string>{"quote"}
                                                            : std::vector<std::string>{}); break;
    case 12: (void)tx.put_plan(Plan{"basic", "Basic", {"user", "quote"}}); break;
    case 13: (void)tx.put_licence(Licence{"quote", "Quote", LicenceKind::kSite, 0, false, {}, {}}); break;
    case 14:
      (void)tx.set_field_rights({FieldRightRule{role, "sale", "amount", static_cast<Relation>(g.below(4)),
                                                FieldRights::from_bits(static_cast<std::uint32_t>(g.below(4)))}});
      break;
    case 15: (void)tx.set_functional_rights(role, some_rights(g, 30)); break;
  }
}

bool effective_admin_exists(const Model& m) {
  return std::any_of(m.users.begin(), m.users.end(), [&](const User& u) {
    const Role* r = m.find_role(u.role);
    return u.type == UserType::kAssociate && !u.retired && !u.former_employee && u.can_log_in && r != nullptr &&
           r->has_right("admin-all");
  });
}

// Promises 1-3 for one accepted commit by `actor` from `before` to `after`.
void check_promises(const DirectoryState& before, const DirectoryState& after, const std::string& actor) {
  if (effective_admin_exists(before.model)) CHECK(effective_admin_exists(after.model));
  const Snapshot& was = before.snapshot;
  const Snapshot& now = after.snapshot;
  const UserIndex a = was.find_user(actor);
  const User* actor_user = before.model.find_user(actor);
  REQUIRE(actor_user != nullptr);
  if (was.has(a, was.find_right("admin-all")) || actor_user->type == UserType::kSystem) return;
  const Role* actor_role = before.model.find_role(actor_user->role);
  REQUIRE(actor_role != nullptr);
  // 1. Functional rights per user.
  for (const User& u : after.model.users) {
    const UserIndex then = was.find_user(u.id);
    for (const std::string& r : kRights) {
      if (is_restrictive_right(after.model, r) || !now.has(now.find_user(u.id), now.find_right(r))) continue;
      if (then != kUnknownUser && was.has(then, was.find_right(r))) continue;
      INFO("actor " << actor << " gave " << u.id << " the right " << r);
      CHECK(was.has(a, was.find_right(r)));
    }
  }
  // 2. Data-rights cells per role.
  for (const Role& r : after.model.roles) {
    const Role* old = before.model.find_role(r.id);
    for (const auto& [object, cells] : r.data_rights)
      for (int rel = 0; rel < kRelationCount; ++rel) {
        const auto relation = static_cast<Relation>(rel);
        const TableRights added = cells[static_cast<std::size_t>(rel)] - (old ? old->cell(object, relation) : TableRights{});
        INFO("actor " << actor << " added " << added.to_crud() << " to " << r.id << " " << object << "/"
                      << relation_name(relation));
        CHECK((added - actor_role->cell(object, relation)).empty());
      }
  }
}

}  // namespace

TEST_CASE("administration chain: random edits by random actors keep every promise", "[admin][chain][property]") {
  std::size_t accepted = 0;
  std::size_t refused = 0;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    Rng g(seed);
    auto storage = std::make_shared<InMemoryStorage>(StoredModel{random_model(g), 1});
    auto dir = Directory::open(storage);
    REQUIRE(dir);
    for (int step = 0; step < 40; ++step) {
      std::shared_ptr<const DirectoryState> before = (*dir)->state();
      // Actors are active users holding some admin-* right; now and then one
      // holding admin-all (promise 3 binds them too).
      std::vector<std::string> actors;
      for (const User& u : before->model.users) {
        const Role* r = before->model.find_role(u.role);
        if (r == nullptr || u.retired || u.former_employee || !u.can_log_in) continue;
        const bool admin = std::any_of(r->functional_rights.begin(), r->functional_rights.end(),
                                       [](const std::string& f) { return f.starts_with("admin-"); });
        if (admin && (!r->has_right("admin-all") || g.chance(10))) actors.push_back(u.id);
      }
      if (actors.empty()) break;
      const std::string actor = g.pick(actors);
      auto tx = (*dir)->begin(actor);
      REQUIRE(tx);
      const int edits = 1 + g.below(3);
      for (int e = 0; e < edits; ++e) random_edit(g, *tx, before->model, actor, step * 10 + e);
      INFO("seed " << seed << " step " << step << " actor " << actor);
      auto done = tx->commit();
      if (!done) {
        ++refused;
        CHECK((*dir)->version() == before->version);
        continue;
      }
      ++accepted;
      check_promises(*before, *(*dir)->state(), actor);
    }
  }
  // Not one-sided: the random edits both commit and get refused.
  CHECK(accepted > 100);
  CHECK(refused > 100);
  WARN("chain property: " << accepted << " accepted, " << refused << " refused commits");
}

TEST_CASE("administration chain: a fresh store without an administrator accepts the system actor's changes",
          "[admin][chain]") {
  auto dir = Directory::open(std::make_shared<InMemoryStorage>()).value();
  auto tx = dir->begin("").value();
  REQUIRE(tx.put_our_company({"acme", "Acme", true}));
  REQUIRE(tx.put_group({"sales", "Sales"}));
  REQUIRE(tx.add_user(associate("alice", "level-3")));
  REQUIRE(tx.commit());
  auto t2 = dir->begin("").value();
  REQUIRE(t2.add_user(associate("root", "level-0")));
  REQUIRE(t2.commit());
  // From now on there is an administrator, and the system actor may not
  // take the last one away either.
  auto t3 = dir->begin("").value();
  REQUIRE(t3.retire_user("root"));
  auto refused = t3.commit();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::kFailedPrecondition);
  CHECK(refused.error().message.find("last-admin") != std::string::npos);
}
