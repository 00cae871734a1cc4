// Record state (docs/rules.md §7): the last narrowing layer.
#include "support/catch.hpp"
#include "unit/fixture.hpp"

using namespace fx;

namespace {

Model state_model() {
  Model m = base_model();
  m.objects.push_back({"ticket", "Request", false, true, true});
  m.objects.push_back({"quote", "Quote", false, false, false});
  for (Role& r : m.roles)
    if (r.type == RoleType::kEmployee)
      for (int rel = 0; rel < kRelationCount; ++rel) {
        r.set_cell("ticket", static_cast<Relation>(rel), TableRights::full());
        r.set_cell("quote", static_cast<Relation>(rel), TableRights::full());
      }
  m.users.push_back(associate("alice", "acme", "level-1", "sales"));
  m.users.push_back(associate("bob", "acme", "level-1", "sales"));
  m.users.push_back(associate("root", "acme", "level-0", "sales"));
  m.users.push_back(associate("uadm", "acme", "user-admin", "sales"));
  m.users.push_back(associate("ladm", "acme", "list-admin", "sales"));
  m.users.push_back(associate("reader", "acme", "level-5", "sales"));
  return m;
}

}  // namespace

TEST_CASE_METHOD(Compiled<state_model>, "Record state: a completed sale loses Update and Delete", "[record-state]") {
  check_rights(s, {{"alice", Rec(s, "sale", "alice").completed(), "CR"},
                   {"alice", Rec(s, "sale", "bob").completed(), "CR"},
                   {"root", Rec(s, "sale", "bob").completed(), "CR"}});
}

TEST_CASE_METHOD(Compiled<state_model>, "Record state: completed only locks sales and locked custom objects",
                 "[record-state]") {
  check_rights(s, {{"alice", Rec(s, "ticket", "bob").completed(), "CR"},
                   {"alice", Rec(s, "quote", "bob").completed(), "CRUD"},
                   {"alice", Rec(s, "follow_up", "bob").completed(), "CRUD"},
                   {"alice", Rec(s, "project", "bob").completed(), "CRUD"}});
}

TEST_CASE_METHOD(Compiled<state_model>, "Record state: a person that is a user cannot be deleted", "[record-state]") {
  check_rights(s, {{"alice", Rec(s, "person", "bob").user_person(), "CRU"},
                   {"alice", Rec(s, "person", "bob"), "CRUD"},
                   {"alice", Rec(s, "company", "bob").user_person(), "CRUD"}});  // person only
}

TEST_CASE_METHOD(Compiled<state_model>, "Record state: a company among our companies cannot be deleted",
                 "[record-state]") {
  check_rights(s, {{"alice", Rec(s, "company", "bob").our_company(), "CRU"},
                   {"alice", Rec(s, "company", "bob").company("beta"), "CRU"},
                   {"alice", Rec(s, "company", "bob"), "CRUD"},
                   {"alice", Rec(s, "company", "bob").company("cust-9"), "CRUD"},  // not ours
                   {"alice", Rec(s, "sale", "bob").company("beta"), "CRUD"}});     // company only
}

TEST_CASE_METHOD(Compiled<state_model>,
                 "Record state: the database owner company gets RestrictedUpdate where it has Update",
                 "[record-state]") {
  REQUIRE(s.rights(s.find_user("alice"), Rec(s, "company", "bob").company("acme")).bits() == (1 | 2 | 4 | 32));
  check_rights(s, {{"alice", Rec(s, "company", "bob").database_owner(), "CRUX"},
                   {"alice", Rec(s, "company", "bob").company("acme"), "CRUX"},
                   // without Update, no RestrictedUpdate
                   {"reader", Rec(s, "company", "bob").company("acme"), "R"}});
}

TEST_CASE_METHOD(Compiled<state_model>,
                 "Record state: another user's selection cannot be updated or deleted but by admin-all and admin-users",
                 "[record-state]") {
  check_rights(s, {{"alice", Rec(s, "selection", "bob"), "CR"},
                   {"alice", Rec(s, "selection"), "CR"},  // empty owner: not own
                   {"alice", Rec(s, "selection", "alice"), "CRUD"},
                   {"ladm", Rec(s, "selection", "bob"), "CR"},
                   {"root", Rec(s, "selection", "bob"), "CRUD"},
                   {"uadm", Rec(s, "selection", "bob"), "CRUD"}});
}

TEST_CASE_METHOD(Compiled<state_model>, "Record state: never widens a role cell", "[record-state]") {
  // level-5 holds R on others' records: the selection rule and the company rules add nothing
  check_rights(s, {{"reader", Rec(s, "selection", "bob"), "R"},
                   {"reader", Rec(s, "company", "bob").database_owner(), "R"},
                   // own follow-ups and sales are editable because the role grants it
                   {"reader", Rec(s, "follow_up", "reader"), "CRUD"},
                   {"reader", Rec(s, "sale", "reader"), "CRUD"}});
}

TEST_CASE("Record state: applies after overrides", "[record-state][overrides]") {
  Model m = state_model();
  m.overrides.push_back({OverrideLevel::kSystem, "", "company", OverrideScope::kAll, "", "", 2 /*U*/});
  const Snapshot s = build(m);
  // Update removed by the override: no RestrictedUpdate
  REQUIRE(rights(s, "alice", Rec(s, "company", "bob").database_owner()) == "CR");
}
