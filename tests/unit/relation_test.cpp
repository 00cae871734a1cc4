// Relations (docs/rules.md §2, §3): which column of the role matrix a record
// selects for the user who asks.
#include <algorithm>
#include <initializer_list>

#include "support/catch.hpp"
#include "unit/fixture.hpp"

using namespace fx;

namespace {

Model relation_model() {
  Model m = base_model();
  m.roles.push_back(probe_role("probe", RoleType::kEmployee));
  Role ext = probe_role("ext-probe", RoleType::kExternal);
  ext.functional_rights = {"ext-use-my-company-rights", "ext-use-same-project-rights"};
  m.roles.push_back(ext);
  m.roles.push_back(probe_role("ext-plain", RoleType::kExternal));  // no my-company / same-project rights
  Role anon = *m.find_role("anonymous");
  m.roles.erase(std::find_if(m.roles.begin(), m.roles.end(), [](const Role& r) { return r.id == "anonymous"; }));
  Role anon_probe = probe_role("anonymous", RoleType::kAnonymous);
  anon_probe.name = anon.name;
  m.roles.push_back(anon_probe);
  m.users.push_back(associate("alice", "acme", "probe", "sales", {"support"}));
  m.users.push_back(associate("bob", "acme", "probe", "sales"));
  m.users.push_back(associate("carol", "acme", "probe", "support"));
  m.users.push_back(associate("dave", "acme", "probe", "marketing", {"sales"}));
  m.users.push_back(external("xena", "cust-1", "ext-probe", {"p-1"}));
  m.users.push_back(external("xavier", "cust-1", "ext-probe"));
  m.users.push_back(external("yuri", "cust-2", "ext-probe"));
  m.users.push_back(external("plain", "cust-1", "ext-plain", {"p-1"}));
  m.users.push_back(anonymous("anon"));
  m.users.push_back(anonymous("anon2"));
  m.users.push_back(resource("room"));
  m.users.push_back(system_user("integration"));
  return m;
}

// The built-in objects whose empty owner is an employee user's own (docs/rules.md §15).
constexpr std::string_view kEmptyOwnerIsUser[] = {"company", "person", "project", "relation"};

Relation relation(const Snapshot& s, std::string_view user, const Record& r) {
  const Explanation e = s.explain(s.find_user(user), Action::kRead, r);
  REQUIRE(e.outcome == Outcome::kEvaluated);
  return e.relation;
}

// Checks each row's relation, naming the row that fails.
void check_relations(const Snapshot& s, std::initializer_list<Case<Relation>> rows) { check_rows(s, rows, relation); }

}  // namespace

TEST_CASE_METHOD(Compiled<relation_model>, "Relation: a record owned by the user is own", "[relation]") {
  check_relations(s, {{"alice", Rec(s, "sale", "alice"), Relation::kOwn},
                      {"xena", Rec(s, "sale", "xena"), Relation::kOwn},
                      {"anon", Rec(s, "sale", "anon"), Relation::kOwn}});
  REQUIRE(rights(s, "alice", Rec(s, "sale", "alice")) == "CRUD");
}

TEST_CASE_METHOD(Compiled<relation_model>,
                 "Relation: the record group is primary_group, other_groups or other_associates by the user's groups",
                 "[relation]") {
  check_relations(s, {{"alice", Rec(s, "sale", "bob"), Relation::kPrimaryGroup},
                      {"alice", Rec(s, "sale", "carol"), Relation::kOtherGroups},
                      {"alice", Rec(s, "sale", "dave"), Relation::kOtherAssociates}});  // an owner sharing no group
  check_rights(s, {{"alice", Rec(s, "sale", "bob"), "CRU"},
                   {"alice", Rec(s, "sale", "carol"), "CR"},
                   {"alice", Rec(s, "sale", "dave"), "R"}});
}

TEST_CASE_METHOD(Compiled<relation_model>, "Relation: only the record group counts, not the owner's other memberships",
                 "[relation]") {
  // dave's other group is sales (alice's primary), but the record group is dave's primary.
  check_relations(s, {{"alice", Rec(s, "sale", "dave"), Relation::kOtherAssociates},
                      // The group stored on the record decides, whoever owns it.
                      {"alice", Rec(s, "sale", "dave").group("sales"), Relation::kPrimaryGroup},
                      {"alice", Rec(s, "sale", "bob").group("marketing"), Relation::kOtherAssociates},
                      {"alice", Rec(s, "sale", "bob").group("support"), Relation::kOtherGroups}});
}

TEST_CASE_METHOD(Compiled<relation_model>, "Relation: an empty record group falls back to the owner's primary group",
                 "[relation]") {
  REQUIRE(relation(s, "dave", Rec(s, "sale", "bob").group("")) == Relation::kOtherGroups);
}

TEST_CASE_METHOD(Compiled<relation_model>, "Relation: an unknown record group matches nothing", "[relation]") {
  Record r = Rec(s, "sale", "bob");
  r.group = kUnknownGroup;
  REQUIRE(relation(s, "alice", r) == Relation::kOtherAssociates);
  r.group = GroupIndex{12345};
  REQUIRE(relation(s, "alice", r) == Relation::kOtherAssociates);
}

TEST_CASE_METHOD(Compiled<relation_model>,
                 "Relation: an employee sees an external owner's record as external, an anonymous owner's as anonymous",
                 "[relation]") {
  check_relations(s, {{"alice", Rec(s, "sale", "xena"), Relation::kExternal},
                      {"alice", Rec(s, "sale", "anon"), Relation::kAnonymous},
                      // both come before the group test, even with a matching record group
                      {"alice", Rec(s, "sale", "xena").group("sales"), Relation::kExternal},
                      {"alice", Rec(s, "sale", "anon").group("sales"), Relation::kAnonymous}});
}

TEST_CASE_METHOD(Compiled<relation_model>,
                 "Relation: empty owner on company, person, project and relation is the current employee user",
                 "[relation]") {
  for (std::string_view o : kEmptyOwnerIsUser) {
    INFO(o);
    check_relations(s, {{"alice", Rec(s, o), Relation::kOwn},
                        // own comes first: the record group (or the empty group's fallback) does not matter
                        {"alice", Rec(s, o).group("marketing"), Relation::kOwn},
                        {"dave", Rec(s, o).group("sales"), Relation::kOwn}});
    REQUIRE(rights(s, "alice", Rec(s, o)) == "CRUD");
  }
}

// docs/rules.md §15 (issue 13): the fallback is for employee users only.
TEST_CASE_METHOD(Compiled<relation_model>, "Relation: an empty owner never makes a record an external user's own",
                 "[relation][external]") {
  for (std::string_view o : kEmptyOwnerIsUser) {
    INFO(o);
    check_relations(s, {{"xena", Rec(s, o), Relation::kOtherAssociates},
                        {"plain", Rec(s, o), Relation::kOtherAssociates},
                        // a record group changes nothing: external users have no group relations
                        {"xena", Rec(s, o).group("sales"), Relation::kOtherAssociates}});
    REQUIRE(rights(s, "xena", Rec(s, o)) == "R");
  }
}

TEST_CASE_METHOD(Compiled<relation_model>,
                 "Relation: an external user's empty-owner record about the user's company is my_company, of one of "
                 "the user's projects same_project",
                 "[relation][external]") {
  for (std::string_view o : kEmptyOwnerIsUser) {
    INFO(o);
    check_relations(s, {{"xena", Rec(s, o).company("cust-1"), Relation::kMyCompany},
                        {"yuri", Rec(s, o).company("cust-1"), Relation::kOtherAssociates},
                        // without ext-use-my-company-rights the company test does not run
                        {"plain", Rec(s, o).company("cust-1"), Relation::kOtherAssociates},
                        // my_company comes before same_project
                        {"xena", Rec(s, o).company("cust-1").project("p-1"), Relation::kMyCompany},
                        {"xena", Rec(s, o).project("p-1"), Relation::kSameProject},
                        {"xavier", Rec(s, o).project("p-1"), Relation::kOtherAssociates},
                        {"plain", Rec(s, o).project("p-1"), Relation::kOtherAssociates}});
    check_rights(s, {{"xena", Rec(s, o).company("cust-1"), "RU"},
                     {"xena", Rec(s, o).project("p-1"), "RD"}});
  }
}

TEST_CASE_METHOD(Compiled<relation_model>,
                 "Relation: an empty owner on company, person, project and relation is other_associates for anonymous "
                 "users",
                 "[relation][anonymous]") {
  for (std::string_view o : kEmptyOwnerIsUser) {
    INFO(o);
    REQUIRE(relation(s, "anon", Rec(s, o)) == Relation::kOtherAssociates);
    REQUIRE(rights(s, "anon", Rec(s, o)) == "R");
    // no company or project relation exists for anonymous users
    REQUIRE(relation(s, "anon", Rec(s, o).company("cust-1").project("p-1").group("sales")) ==
            Relation::kOtherAssociates);
  }
}

TEST_CASE_METHOD(Compiled<relation_model>, "Relation: an external or anonymous user's own records stay own",
                 "[relation][external][anonymous]") {
  for (std::string_view o : kEmptyOwnerIsUser) {
    INFO(o);
    check_relations(s, {{"xena", Rec(s, o, "xena"), Relation::kOwn},
                        {"anon", Rec(s, o, "anon"), Relation::kOwn}});
  }
}

TEST_CASE_METHOD(Compiled<relation_model>, "Relation: empty owner on other objects is other_associates", "[relation]") {
  for (std::string_view o : {"project_member", "selection", "sale", "stakeholder", "follow_up", "document",
                             "dashboard", "target"}) {
    INFO(o);
    check_relations(s, {{"alice", Rec(s, o), Relation::kOtherAssociates},
                        // even when the record names the user's group: an empty owner is other associates
                        {"alice", Rec(s, o).group("sales"), Relation::kOtherAssociates}});
  }
}

TEST_CASE_METHOD(Compiled<relation_model>, "Relation: an unknown owner is other_associates, with no group test",
                 "[relation]") {
  Record r = Rec(s, "sale", "removed-long-ago");
  REQUIRE(r.owner == kUnknownUser);
  REQUIRE(relation(s, "alice", r) == Relation::kOtherAssociates);
  r.group = s.find_group("sales");
  REQUIRE(relation(s, "alice", r) == Relation::kOtherAssociates);
  r.owner = UserIndex{999999};
  REQUIRE(relation(s, "alice", r) == Relation::kOtherAssociates);
  // on company the unknown owner is not replaced by the current user
  REQUIRE(relation(s, "alice", Rec(s, "company", "removed-long-ago")) == Relation::kOtherAssociates);
}

TEST_CASE_METHOD(Compiled<relation_model>, "Relation: records owned by a resource classify like any owner's",
                 "[relation]") {
  check_relations(s, {{"alice", Rec(s, "follow_up", "room"), Relation::kOtherAssociates},
                      {"alice", Rec(s, "follow_up", "room").group("sales"), Relation::kPrimaryGroup}});
}

TEST_CASE_METHOD(Compiled<relation_model>, "Relation: external user, same company owner is my_company",
                 "[relation][external]") {
  REQUIRE(relation(s, "xena", Rec(s, "sale", "xavier")) == Relation::kMyCompany);
  REQUIRE(rights(s, "xena", Rec(s, "sale", "xavier")) == "RU");
}

TEST_CASE_METHOD(Compiled<relation_model>, "Relation: external user, a record about the user's company is my_company",
                 "[relation][external]") {
  check_relations(s, {{"xena", Rec(s, "sale", "bob").company("cust-1"), Relation::kMyCompany},
                      {"xena", Rec(s, "company", "bob").company("cust-1"), Relation::kMyCompany},
                      {"xena", Rec(s, "sale", "bob").company("cust-2"), Relation::kOtherAssociates}});
}

TEST_CASE_METHOD(Compiled<relation_model>,
                 "Relation: external user, a record of one of the user's projects is same_project",
                 "[relation][external]") {
  check_relations(s, {{"xena", Rec(s, "project", "bob").project("p-1"), Relation::kSameProject},
                      {"xavier", Rec(s, "project", "bob").project("p-1"), Relation::kOtherAssociates},
                      // my_company is tested before same_project
                      {"xena", Rec(s, "sale", "xavier").project("p-1"), Relation::kMyCompany}});
  REQUIRE(rights(s, "xena", Rec(s, "project", "bob").project("p-1")) == "RD");
}

TEST_CASE_METHOD(Compiled<relation_model>, "Relation: my_company and same_project need the ext-use rights",
                 "[relation][external]") {
  check_relations(s, {{"plain", Rec(s, "sale", "xavier"), Relation::kExternal},
                      {"plain", Rec(s, "sale", "bob").company("cust-1"), Relation::kOtherAssociates},
                      {"plain", Rec(s, "sale", "bob").project("p-1"), Relation::kOtherAssociates}});
}

TEST_CASE_METHOD(Compiled<relation_model>, "Relation: external user, other external and anonymous owners",
                 "[relation][external]") {
  check_relations(s, {{"xena", Rec(s, "sale", "yuri"), Relation::kExternal},
                      {"xena", Rec(s, "sale", "anon"), Relation::kAnonymous}});
}

TEST_CASE_METHOD(Compiled<relation_model>, "Relation: external users have no group relations", "[relation][external]") {
  check_relations(s, {{"xena", Rec(s, "sale", "bob"), Relation::kOtherAssociates},
                      {"xena", Rec(s, "sale", "bob").group("sales"), Relation::kOtherAssociates}});
}

TEST_CASE_METHOD(Compiled<relation_model>,
                 "Relation: anonymous user, own then anonymous then external then other_associates",
                 "[relation][anonymous]") {
  check_relations(s, {{"anon", Rec(s, "sale", "anon"), Relation::kOwn},
                      {"anon", Rec(s, "sale", "anon2"), Relation::kAnonymous},
                      {"anon", Rec(s, "sale", "xena"), Relation::kExternal},
                      {"anon", Rec(s, "sale", "bob"), Relation::kOtherAssociates},
                      {"anon", Rec(s, "sale", "bob").group("sales"), Relation::kOtherAssociates}});
}

TEST_CASE_METHOD(Compiled<relation_model>, "Relation: the system user bypasses the matrix", "[relation][system]") {
  const Explanation e = s.explain(s.find_user("integration"), Action::kDelete, Rec(s, "sale", "bob"));
  REQUIRE(e.outcome == Outcome::kSystemUser);
  REQUIRE(e.rights == TableRights::full());
}

TEST_CASE("Relation: other groups are found among many memberships", "[relation][visibility]") {
  // More than 16 other groups takes the evaluator's binary-search path.
  Model m = base_model();
  std::vector<std::string> many;
  for (int i = 0; i < 40; ++i) {
    m.groups.push_back({"extra-" + std::to_string(i), "Extra"});
    if (i % 2 == 0) many.push_back("extra-" + std::to_string(i));
  }
  m.users.push_back(associate("alice", "acme", "level-2", "sales", many));
  m.users.push_back(associate("bob", "acme", "level-1", "extra-30"));
  m.users.push_back(associate("carl", "acme", "level-1", "extra-31"));
  const Snapshot s = build(m);
  check_relations(s, {{"alice", Rec(s, "sale", "bob"), Relation::kOtherGroups},
                      {"alice", Rec(s, "sale", "carl"), Relation::kOtherAssociates},
                      {"alice", Rec(s, "sale", "carl").group("extra-0"), Relation::kOtherGroups},
                      {"alice", Rec(s, "sale", "carl").group("extra-38"), Relation::kOtherGroups},
                      {"alice", Rec(s, "sale", "carl").group("extra-39"), Relation::kOtherAssociates}});
  // visibility by one of the many groups
  check_rights(s, {{"alice", Rec(s, "sale", "bob").visible_for_group("extra-20"), "R"},
                   {"alice", Rec(s, "sale", "bob").visible_for_group("extra-21"), ""},
                   {"alice", Rec(s, "follow_up", "bob").visible_for_group("extra-21"), "F"}});
}
