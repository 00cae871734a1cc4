// Users (docs/rules.md §10, decisions 9, 10, 13): inactive users hold
// nothing; the active system user holds everything; anonymous users fall back
// to the anonymous role.
#include "support/catch.hpp"
#include "unit/fixture.hpp"

using namespace fx;

namespace {

Model users_model() {
  Model m = base_model();
  m.users.push_back(associate("alice", "acme", "level-0", "sales"));
  User retired = associate("ret", "acme", "level-0", "sales");
  retired.retired = true;
  m.users.push_back(retired);
  User former = associate("former", "acme", "level-0", "sales");
  former.former_employee = true;
  m.users.push_back(former);
  User off = associate("off", "acme", "level-0", "sales");
  off.can_log_in = false;
  m.users.push_back(off);
  m.users.push_back(resource("room"));
  m.users.push_back(system_user("integration"));
  User sys_off = system_user("sys-off");
  sys_off.can_log_in = false;
  m.users.push_back(sys_off);
  User ext_off = external("ext-off", "cust-1");
  ext_off.can_log_in = false;
  m.users.push_back(ext_off);
  m.users.push_back(anonymous("anon"));
  return m;
}

}  // namespace

TEST_CASE("Users: retired users, former employees, login off and resources hold no rights", "[users]") {
  const Snapshot s = build(users_model());
  const std::pair<const char*, InactiveReason> cases[] = {{"ret", InactiveReason::kRetired},
                                                          {"former", InactiveReason::kFormerEmployee},
                                                          {"off", InactiveReason::kLoginOff},
                                                          {"room", InactiveReason::kResource},
                                                          {"ext-off", InactiveReason::kLoginOff}};
  for (const auto& [id, reason] : cases) {
    INFO(id);
    REQUIRE(rights(s, id, Rec(s, "sale", id)).empty());
    REQUIRE(rights(s, id, Rec(s, "company")).empty());
    REQUIRE_FALSE(has(s, id, "admin-all"));
    REQUIRE_FALSE(has(s, id, "allow-bulk-edit"));
    REQUIRE(field(s, id, Rec(s, "sale", id), "amount") == "None");
    const Explanation e = s.explain(s.find_user(id), Action::kRead, Rec(s, "sale", id));
    REQUIRE(e.outcome == Outcome::kInactiveUser);
    REQUIRE(e.inactive == reason);
  }
}

TEST_CASE("Users: can_log_in defaults to on", "[users]") {
  REQUIRE(User{}.can_log_in);
  const Snapshot s = build(users_model());
  REQUIRE(rights(s, "alice", Rec(s, "sale", "alice")) == "CRUD");
}

TEST_CASE("Users: former employees keep ownership and group of their records", "[users]") {
  Model m = users_model();
  m.users.push_back(associate("bob", "acme", "level-2", "sales"));
  m.users.push_back(associate("carl", "acme", "level-2", "support"));
  const Snapshot s = build(m);
  // the former employee's records still classify by the former owner's group
  REQUIRE(rights(s, "bob", Rec(s, "sale", "former")) == "CRUD");
  REQUIRE(rights(s, "carl", Rec(s, "sale", "former")) == "R");
}

TEST_CASE("Users: records owned by a resource classify like any owner's", "[users]") {
  Model m = users_model();
  m.users.push_back(associate("bob", "acme", "level-4", "sales"));
  const Snapshot s = build(m);
  REQUIRE(rights(s, "bob", Rec(s, "follow_up", "room")).empty());  // other associates: none at level 4
  REQUIRE(rights(s, "bob", Rec(s, "follow_up", "room").group("sales")) == "R");
}

TEST_CASE("Users: the active system user holds Select|Update|Insert|Delete with no narrowing", "[users][system]") {
  Model m = users_model();
  m.overrides.push_back({OverrideLevel::kSystem, "", "sale", OverrideScope::kAll, "", "", 15});
  const Snapshot s = build(m);
  const UserIndex sys = s.find_user("integration");
  Record r = Rec(s, "sale", "alice").visible_for_user("alice").completed();
  REQUIRE(s.rights(sys, r).bits() == 15);
  REQUIRE(s.rights(sys, Rec(s, "company").database_owner()).bits() == 15);  // no RestrictedUpdate
  REQUIRE(s.rights(sys, Rec(s, "selection", "alice")).bits() == 15);
  for (Action a : {Action::kRead, Action::kCreate, Action::kUpdate, Action::kDelete}) REQUIRE(s.can(sys, a, r));
  REQUIRE(s.field_rights(sys, Rec(s, "company").database_owner(), s.find_field("name")) ==
          (FieldRight::kRead | FieldRights(FieldRight::kWrite)));
}

TEST_CASE("Users: the system user holds every known functional right but the restrictive ones", "[users][system]") {
  Model m = users_model();
  m.functional_rights.push_back({"host-right", "Host right", ""});
  m.licences.push_back({"lic", "lic", LicenceKind::kUser, 5, false, {}, {}});
  m.functional_rights.push_back({"host-licensed", "Host licensed", "lic"});
  FunctionalRightDef hide{"host-hide-planner", "Hide the planner", ""};
  hide.restrictive = true;
  m.functional_rights.push_back(hide);
  const Snapshot s = build(m);
  const UserIndex sys = s.find_user("integration");
  for (std::uint32_t i = 0; i < s.right_count(); ++i) {
    const std::string id(s.right_id(RightIndex{i}));
    INFO(id);
    REQUIRE(s.has(sys, RightIndex{i}) == !is_restrictive_right(m, id));
  }
  REQUIRE_FALSE(s.has(sys, kUnknownRight));
  REQUIRE_FALSE(has(s, "integration", "no-such-right"));
}

// docs/rules.md §16 (issue 13): a host that hides a screen when has() is
// true must not hide it for the system user.
TEST_CASE("Users: the system user holds no hide- or ext-need-publish-to-see- right", "[users][system]") {
  const Snapshot s = build(users_model());
  for (std::string_view r : {"hide-company", "hide-sale", "hide-project", "hide-selection", "hide-inbox",
                             "hide-reporter", "ext-need-publish-to-see-project", "ext-need-publish-to-see-appointment",
                             "ext-need-publish-to-see-document", "ext-need-publish-to-see-sale"}) {
    INFO(r);
    REQUIRE(s.find_right(r) != kUnknownRight);
    REQUIRE_FALSE(has(s, "integration", r));
  }
  REQUIRE(has(s, "integration", "admin-all"));
  REQUIRE(has(s, "integration", "see-other-companies-associates"));
  REQUIRE(has(s, "integration", "ext-use-my-company-rights"));
  REQUIRE(has(s, "integration", "ext-use-same-project-rights"));
}

TEST_CASE("Users: the system user holds a declared right unless it is marked restrictive", "[users][system]") {
  Model m = users_model();
  m.functional_rights.push_back({"host-export", "Export", ""});
  FunctionalRightDef hide{"host-hide-export", "Hide export", ""};
  hide.restrictive = true;
  m.functional_rights.push_back(hide);
  const Snapshot s = build(m);
  REQUIRE(has(s, "integration", "host-export"));
  REQUIRE_FALSE(has(s, "integration", "host-hide-export"));
}

TEST_CASE("Users: the system user still bypasses every restriction in the evaluation", "[users][system]") {
  const Snapshot s = build(users_model());
  const UserIndex sys = s.find_user("integration");
  for (std::string_view o : {"company", "project", "sale", "follow_up"}) {
    INFO(o);
    REQUIRE(s.rights(sys, Rec(s, o)).bits() == 15);
    REQUIRE(s.rights(sys, Rec(s, o, "alice")).bits() == 15);
  }
}

TEST_CASE("Users: an inactive system user holds nothing", "[users][system]") {
  const Snapshot s = build(users_model());
  REQUIRE(rights(s, "sys-off", Rec(s, "sale", "alice")).empty());
  REQUIRE_FALSE(has(s, "sys-off", "admin-all"));
  REQUIRE(field(s, "sys-off", Rec(s, "sale"), "name") == "None");
}

TEST_CASE("Users: a system user without a role gets the system role", "[users][system]") {
  const Snapshot s = build(users_model());
  REQUIRE(s.user_role(s.find_user("integration")) == s.find_role("system"));
}

TEST_CASE("Users: an anonymous user without a role gets the anonymous-type role", "[users][anonymous]") {
  Model m = users_model();
  m.find_role("anonymous")->set_cell("company", Relation::kOtherAssociates, TableRight::kSelect);
  const Snapshot s = build(m);
  REQUIRE(s.user_role(s.find_user("anon")) == s.find_role("anonymous"));
  REQUIRE(rights(s, "anon", Rec(s, "company", "alice")) == "R");
  REQUIRE(rights(s, "anon", Rec(s, "sale", "alice")).empty());
}

TEST_CASE("Users: the anonymous role starts with no rights", "[users][anonymous]") {
  const Snapshot s = build(users_model());
  for (std::string_view o : kBuiltinObjectNames) {
    INFO(o);
    REQUIRE(rights(s, "anon", Rec(s, o, "alice")).empty());
    REQUIRE(rights(s, "anon", Rec(s, o, "anon")).empty());
  }
}

TEST_CASE("Users: user facts are reported", "[users]") {
  const Snapshot s = build(users_model());
  REQUIRE(s.user_type(s.find_user("room")) == UserType::kResource);
  REQUIRE(s.user_type(s.find_user("anon")) == UserType::kAnonymous);
  REQUIRE(s.user_primary_group(s.find_user("alice")) == s.find_group("sales"));
  REQUIRE(s.user_primary_group(s.find_user("anon")) == kNoGroup);
  REQUIRE(s.user_id(s.find_user("alice")) == "alice");
}
