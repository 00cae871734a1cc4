// Relations (docs/rules.md §2, §3): which column of the role matrix a record
// selects for the user who asks.
#include <algorithm>

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

Relation relation(const Snapshot& s, std::string_view user, const Record& r) {
  const Explanation e = s.explain(s.find_user(user), Action::kRead, r);
  REQUIRE(e.outcome == Outcome::kEvaluated);
  return e.relation;
}

}  // namespace

TEST_CASE("Relation: a record owned by the user is own", "[relation]") {
  const Snapshot s = build(relation_model());
  REQUIRE(relation(s, "alice", Rec(s, "sale", "alice")) == Relation::kOwn);
  REQUIRE(rights(s, "alice", Rec(s, "sale", "alice")) == "CRUD");
  REQUIRE(relation(s, "xena", Rec(s, "sale", "xena")) == Relation::kOwn);
  REQUIRE(relation(s, "anon", Rec(s, "sale", "anon")) == Relation::kOwn);
}

TEST_CASE("Relation: the record group equal to the user's primary group is primary_group", "[relation]") {
  const Snapshot s = build(relation_model());
  REQUIRE(relation(s, "alice", Rec(s, "sale", "bob")) == Relation::kPrimaryGroup);
  REQUIRE(rights(s, "alice", Rec(s, "sale", "bob")) == "CRU");
}

TEST_CASE("Relation: the record group among the user's other groups is other_groups", "[relation]") {
  const Snapshot s = build(relation_model());
  REQUIRE(relation(s, "alice", Rec(s, "sale", "carol")) == Relation::kOtherGroups);
  REQUIRE(rights(s, "alice", Rec(s, "sale", "carol")) == "CR");
}

TEST_CASE("Relation: an owner sharing no group is other_associates", "[relation]") {
  const Snapshot s = build(relation_model());
  REQUIRE(relation(s, "alice", Rec(s, "sale", "dave")) == Relation::kOtherAssociates);
  REQUIRE(rights(s, "alice", Rec(s, "sale", "dave")) == "R");
}

TEST_CASE("Relation: only the record group counts, not the owner's other memberships", "[relation]") {
  const Snapshot s = build(relation_model());
  // dave's other group is sales (alice's primary), but the record group is dave's primary.
  REQUIRE(relation(s, "alice", Rec(s, "sale", "dave")) == Relation::kOtherAssociates);
  // The group stored on the record decides, whoever owns it.
  REQUIRE(relation(s, "alice", Rec(s, "sale", "dave").group("sales")) == Relation::kPrimaryGroup);
  REQUIRE(relation(s, "alice", Rec(s, "sale", "bob").group("marketing")) == Relation::kOtherAssociates);
  REQUIRE(relation(s, "alice", Rec(s, "sale", "bob").group("support")) == Relation::kOtherGroups);
}

TEST_CASE("Relation: an empty record group falls back to the owner's primary group", "[relation]") {
  const Snapshot s = build(relation_model());
  REQUIRE(relation(s, "dave", Rec(s, "sale", "bob").group("")) == Relation::kOtherGroups);
}

TEST_CASE("Relation: an unknown record group matches nothing", "[relation]") {
  const Snapshot s = build(relation_model());
  Record r = Rec(s, "sale", "bob");
  r.group = kUnknownGroup;
  REQUIRE(relation(s, "alice", r) == Relation::kOtherAssociates);
  r.group = GroupIndex{12345};
  REQUIRE(relation(s, "alice", r) == Relation::kOtherAssociates);
}

TEST_CASE("Relation: an employee sees an external owner's record as external", "[relation]") {
  const Snapshot s = build(relation_model());
  REQUIRE(relation(s, "alice", Rec(s, "sale", "xena")) == Relation::kExternal);
  // external comes before the group test, even with a matching record group
  REQUIRE(relation(s, "alice", Rec(s, "sale", "xena").group("sales")) == Relation::kExternal);
}

TEST_CASE("Relation: an employee sees an anonymous owner's record as anonymous", "[relation]") {
  const Snapshot s = build(relation_model());
  REQUIRE(relation(s, "alice", Rec(s, "sale", "anon")) == Relation::kAnonymous);
  REQUIRE(relation(s, "alice", Rec(s, "sale", "anon").group("sales")) == Relation::kAnonymous);
}

TEST_CASE("Relation: empty owner on company, person, project and relation is the current employee user", "[relation]") {
  const Snapshot s = build(relation_model());
  for (std::string_view o : {"company", "person", "project", "relation"}) {
    INFO(o);
    REQUIRE(relation(s, "alice", Rec(s, o)) == Relation::kOwn);
    REQUIRE(rights(s, "alice", Rec(s, o)) == "CRUD");
    // own comes first: the record group (or the empty group's fallback) does not matter
    REQUIRE(relation(s, "alice", Rec(s, o).group("marketing")) == Relation::kOwn);
    REQUIRE(relation(s, "dave", Rec(s, o).group("sales")) == Relation::kOwn);
  }
}

// docs/rules.md §15 (issue 13): the fallback is for employee users only.
TEST_CASE("Relation: an empty owner never makes a record an external user's own", "[relation][external]") {
  const Snapshot s = build(relation_model());
  for (std::string_view o : {"company", "person", "project", "relation"}) {
    INFO(o);
    REQUIRE(relation(s, "xena", Rec(s, o)) == Relation::kOtherAssociates);
    REQUIRE(rights(s, "xena", Rec(s, o)) == "R");
    REQUIRE(relation(s, "plain", Rec(s, o)) == Relation::kOtherAssociates);
    // a record group changes nothing: external users have no group relations
    REQUIRE(relation(s, "xena", Rec(s, o).group("sales")) == Relation::kOtherAssociates);
  }
}

TEST_CASE("Relation: an external user's empty-owner record about the user's company is my_company",
          "[relation][external]") {
  const Snapshot s = build(relation_model());
  for (std::string_view o : {"company", "person", "project", "relation"}) {
    INFO(o);
    REQUIRE(relation(s, "xena", Rec(s, o).company("cust-1")) == Relation::kMyCompany);
    REQUIRE(rights(s, "xena", Rec(s, o).company("cust-1")) == "RU");
    REQUIRE(relation(s, "yuri", Rec(s, o).company("cust-1")) == Relation::kOtherAssociates);
    // without ext-use-my-company-rights the company test does not run
    REQUIRE(relation(s, "plain", Rec(s, o).company("cust-1")) == Relation::kOtherAssociates);
    // my_company comes before same_project
    REQUIRE(relation(s, "xena", Rec(s, o).company("cust-1").project("p-1")) == Relation::kMyCompany);
  }
}

TEST_CASE("Relation: an external user's empty-owner record of one of the user's projects is same_project",
          "[relation][external]") {
  const Snapshot s = build(relation_model());
  for (std::string_view o : {"company", "person", "project", "relation"}) {
    INFO(o);
    REQUIRE(relation(s, "xena", Rec(s, o).project("p-1")) == Relation::kSameProject);
    REQUIRE(rights(s, "xena", Rec(s, o).project("p-1")) == "RD");
    REQUIRE(relation(s, "xavier", Rec(s, o).project("p-1")) == Relation::kOtherAssociates);
    REQUIRE(relation(s, "plain", Rec(s, o).project("p-1")) == Relation::kOtherAssociates);
  }
}

TEST_CASE("Relation: an empty owner on company, person, project and relation is other_associates for anonymous users",
          "[relation][anonymous]") {
  const Snapshot s = build(relation_model());
  for (std::string_view o : {"company", "person", "project", "relation"}) {
    INFO(o);
    REQUIRE(relation(s, "anon", Rec(s, o)) == Relation::kOtherAssociates);
    REQUIRE(rights(s, "anon", Rec(s, o)) == "R");
    // no company or project relation exists for anonymous users
    REQUIRE(relation(s, "anon", Rec(s, o).company("cust-1").project("p-1").group("sales")) ==
            Relation::kOtherAssociates);
  }
}

TEST_CASE("Relation: an external or anonymous user's own records stay own", "[relation][external][anonymous]") {
  const Snapshot s = build(relation_model());
  for (std::string_view o : {"company", "person", "project", "relation"}) {
    INFO(o);
    REQUIRE(relation(s, "xena", Rec(s, o, "xena")) == Relation::kOwn);
    REQUIRE(relation(s, "anon", Rec(s, o, "anon")) == Relation::kOwn);
  }
}

TEST_CASE("Relation: empty owner on other objects is other_associates", "[relation]") {
  const Snapshot s = build(relation_model());
  for (std::string_view o : {"project_member", "selection", "sale", "stakeholder", "follow_up", "document",
                             "dashboard", "target"}) {
    INFO(o);
    REQUIRE(relation(s, "alice", Rec(s, o)) == Relation::kOtherAssociates);
    // even when the record names the user's group: an empty owner is other associates
    REQUIRE(relation(s, "alice", Rec(s, o).group("sales")) == Relation::kOtherAssociates);
  }
}

TEST_CASE("Relation: an unknown owner is other_associates, with no group test", "[relation]") {
  const Snapshot s = build(relation_model());
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

TEST_CASE("Relation: records owned by a resource classify like any owner's", "[relation]") {
  const Snapshot s = build(relation_model());
  REQUIRE(relation(s, "alice", Rec(s, "follow_up", "room")) == Relation::kOtherAssociates);
  REQUIRE(relation(s, "alice", Rec(s, "follow_up", "room").group("sales")) == Relation::kPrimaryGroup);
}

TEST_CASE("Relation: external user, same company owner is my_company", "[relation][external]") {
  const Snapshot s = build(relation_model());
  REQUIRE(relation(s, "xena", Rec(s, "sale", "xavier")) == Relation::kMyCompany);
  REQUIRE(rights(s, "xena", Rec(s, "sale", "xavier")) == "RU");
}

TEST_CASE("Relation: external user, a record about the user's company is my_company", "[relation][external]") {
  const Snapshot s = build(relation_model());
  REQUIRE(relation(s, "xena", Rec(s, "sale", "bob").company("cust-1")) == Relation::kMyCompany);
  REQUIRE(relation(s, "xena", Rec(s, "company", "bob").company("cust-1")) == Relation::kMyCompany);
  REQUIRE(relation(s, "xena", Rec(s, "sale", "bob").company("cust-2")) == Relation::kOtherAssociates);
}

TEST_CASE("Relation: external user, a record of one of the user's projects is same_project", "[relation][external]") {
  const Snapshot s = build(relation_model());
  REQUIRE(relation(s, "xena", Rec(s, "project", "bob").project("p-1")) == Relation::kSameProject);
  REQUIRE(rights(s, "xena", Rec(s, "project", "bob").project("p-1")) == "RD");
  REQUIRE(relation(s, "xavier", Rec(s, "project", "bob").project("p-1")) == Relation::kOtherAssociates);
  // my_company is tested before same_project
  REQUIRE(relation(s, "xena", Rec(s, "sale", "xavier").project("p-1")) == Relation::kMyCompany);
}

TEST_CASE("Relation: my_company and same_project need the ext-use rights", "[relation][external]") {
  const Snapshot s = build(relation_model());
  REQUIRE(relation(s, "plain", Rec(s, "sale", "xavier")) == Relation::kExternal);
  REQUIRE(relation(s, "plain", Rec(s, "sale", "bob").company("cust-1")) == Relation::kOtherAssociates);
  REQUIRE(relation(s, "plain", Rec(s, "sale", "bob").project("p-1")) == Relation::kOtherAssociates);
}

TEST_CASE("Relation: external user, other external and anonymous owners", "[relation][external]") {
  const Snapshot s = build(relation_model());
  REQUIRE(relation(s, "xena", Rec(s, "sale", "yuri")) == Relation::kExternal);
  REQUIRE(relation(s, "xena", Rec(s, "sale", "anon")) == Relation::kAnonymous);
}

TEST_CASE("Relation: external users have no group relations", "[relation][external]") {
  const Snapshot s = build(relation_model());
  REQUIRE(relation(s, "xena", Rec(s, "sale", "bob")) == Relation::kOtherAssociates);
  REQUIRE(relation(s, "xena", Rec(s, "sale", "bob").group("sales")) == Relation::kOtherAssociates);
}

TEST_CASE("Relation: anonymous user, own then anonymous then external then other_associates", "[relation][anonymous]") {
  const Snapshot s = build(relation_model());
  REQUIRE(relation(s, "anon", Rec(s, "sale", "anon")) == Relation::kOwn);
  REQUIRE(relation(s, "anon", Rec(s, "sale", "anon2")) == Relation::kAnonymous);
  REQUIRE(relation(s, "anon", Rec(s, "sale", "xena")) == Relation::kExternal);
  REQUIRE(relation(s, "anon", Rec(s, "sale", "bob")) == Relation::kOtherAssociates);
  REQUIRE(relation(s, "anon", Rec(s, "sale", "bob").group("sales")) == Relation::kOtherAssociates);
}

TEST_CASE("Relation: the system user bypasses the matrix", "[relation][system]") {
  const Snapshot s = build(relation_model());
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
  REQUIRE(relation(s, "alice", Rec(s, "sale", "bob")) == Relation::kOtherGroups);
  REQUIRE(relation(s, "alice", Rec(s, "sale", "carl")) == Relation::kOtherAssociates);
  REQUIRE(relation(s, "alice", Rec(s, "sale", "carl").group("extra-0")) == Relation::kOtherGroups);
  REQUIRE(relation(s, "alice", Rec(s, "sale", "carl").group("extra-38")) == Relation::kOtherGroups);
  REQUIRE(relation(s, "alice", Rec(s, "sale", "carl").group("extra-39")) == Relation::kOtherAssociates);
  // visibility by one of the many groups
  REQUIRE(rights(s, "alice", Rec(s, "sale", "bob").visible_for_group("extra-20")) == "R");
  REQUIRE(rights(s, "alice", Rec(s, "sale", "bob").visible_for_group("extra-21")).empty());
  REQUIRE(rights(s, "alice", Rec(s, "follow_up", "bob").visible_for_group("extra-21")) == "F");
}
