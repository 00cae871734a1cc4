// Publishing (docs/rules.md §5): external users whose role needs it see
// projects, follow-ups, documents and sales only when published, inside the
// publish window (both ends included).
#include "support/catch.hpp"
#include "unit/fixture.hpp"

using namespace fx;

namespace {

constexpr Time kDay = 86400;
constexpr Time kT0 = 1'700'000'000;  // a fixed evaluation time

Model publishing_model() {
  Model m = base_model();
  Role ext = blank_role("ext-all", RoleType::kExternal);
  fill(ext, "CRUD");
  ext.functional_rights = {"ext-need-publish-to-see-project", "ext-need-publish-to-see-appointment",
                           "ext-need-publish-to-see-document", "ext-need-publish-to-see-sale"};
  m.roles.push_back(ext);
  Role ext_sale = blank_role("ext-sale-only", RoleType::kExternal);
  fill(ext_sale, "CRUD");
  ext_sale.functional_rights = {"ext-need-publish-to-see-sale"};
  m.roles.push_back(ext_sale);
  Role emp = blank_role("emp-publish", RoleType::kEmployee);
  fill(emp, "CRUD");
  emp.functional_rights = {"ext-need-publish-to-see-sale"};
  m.roles.push_back(emp);
  m.users.push_back(associate("bob", "acme", "level-1", "sales"));
  m.users.push_back(associate("eve", "acme", "emp-publish", "sales"));
  m.users.push_back(external("xena", "cust-1", "ext-all"));
  m.users.push_back(external("xavier", "cust-1", "ext-sale-only"));
  m.users.push_back(external("pred", "cust-1", "external"));
  m.users.push_back(anonymous("anon"));
  return m;
}

}  // namespace

TEST_CASE_METHOD(Compiled<publishing_model>,
                 "Publishing: an unpublished record is hidden from an external user who needs publishing, each "
                 "need-publish right gating its own object",
                 "[publishing]") {
  for (std::string_view o : {"project", "follow_up", "document", "sale"}) {
    INFO(o);
    check_rights(s, {{"xena", Rec(s, o, "bob"), ""},
                     {"xena", Rec(s, o, "bob").published(), "CRUD"}});
  }
  // xavier's role needs publishing for sales only
  REQUIRE(rights(s, "xavier", Rec(s, "sale", "bob")).empty());
  for (std::string_view o : {"project", "follow_up", "document"}) {
    INFO(o);
    REQUIRE(rights(s, "xavier", Rec(s, o, "bob")) == "CRUD");
  }
}

TEST_CASE_METHOD(Compiled<publishing_model>, "Publishing: objects without a publish right are never gated",
                 "[publishing]") {
  for (std::string_view o : {"company", "person", "project_member", "stakeholder", "relation", "dashboard",
                             "target"}) {
    INFO(o);
    REQUIRE(rights(s, "xena", Rec(s, o, "bob")) == "CRUD");
  }
  // (another user's selection loses Update and Delete by record state, not publishing)
  REQUIRE(rights(s, "xena", Rec(s, "selection", "bob")) == "CR");
}

TEST_CASE_METHOD(Compiled<publishing_model>, "Publishing: the user's own records are exempt", "[publishing]") {
  check_rights(s, {{"xena", Rec(s, "sale", "xena"), "CRUD"},
                   {"xena", Rec(s, "project", "xena"), "CRUD"},
                   // a follow-up with an empty owner is other associates: gated
                   {"xena", Rec(s, "follow_up"), ""}});
}

TEST_CASE_METHOD(Compiled<publishing_model>,
                 "Publishing: an external user's project with an empty owner is not own and is gated",
                 "[publishing]") {
  // docs/rules.md §15: the empty-owner fallback is for employee users only.
  check_rights(s, {{"xena", Rec(s, "project"), ""},
                   {"xena", Rec(s, "project").published(), "CRUD"}});
  REQUIRE(s.explain(s.find_user("xena"), Action::kRead, Rec(s, "project")).relation == Relation::kOtherAssociates);
}

TEST_CASE_METHOD(Compiled<publishing_model>, "Publishing: the publish window includes both ends", "[publishing]") {
  const Time from = kT0 - kDay, to = kT0 + kDay;
  check_rights(s, {{"xena", Rec(s, "sale", "bob").published(from, to).at(from), "CRUD"},
                   {"xena", Rec(s, "sale", "bob").published(from, to).at(to), "CRUD"},
                   {"xena", Rec(s, "sale", "bob").published(from, to).at(kT0), "CRUD"},
                   {"xena", Rec(s, "sale", "bob").published(from, to).at(from - 1), ""},
                   {"xena", Rec(s, "sale", "bob").published(from, to).at(to + 1), ""}});
}

TEST_CASE_METHOD(Compiled<publishing_model>, "Publishing: open ends are unbounded", "[publishing]") {
  check_rights(s, {{"xena", Rec(s, "sale", "bob").published(kTimeMin, kT0).at(-kT0), "CRUD"},
                   {"xena", Rec(s, "sale", "bob").published(kT0, kTimeMax).at(kTimeMax - 1), "CRUD"},
                   {"xena", Rec(s, "sale", "bob").published(kT0, kTimeMax).at(kT0 - 1), ""}});
}

TEST_CASE_METHOD(Compiled<publishing_model>, "Publishing: an evaluation time of kTimeMin means now", "[publishing]") {
  // a window that ended in 2001 is closed now; one that runs to the far future is open
  check_rights(s, {{"xena", Rec(s, "sale", "bob").published(0, 1'000'000'000), ""},
                   {"xena", Rec(s, "sale", "bob").published(0, kTimeMax), "CRUD"}});
}

TEST_CASE_METHOD(Compiled<publishing_model>, "Publishing: a window with from after to is never open", "[publishing]") {
  REQUIRE(rights(s, "xena", Rec(s, "sale", "bob").published(kT0 + 1, kT0 - 1).at(kT0)).empty());
}

TEST_CASE_METHOD(Compiled<publishing_model>, "Publishing: a window without the published flag does not publish",
                 "[publishing]") {
  Record r = Rec(s, "sale", "bob").at(kT0);
  r.publish_from = kT0 - kDay;
  r.publish_to = kT0 + kDay;
  REQUIRE(rights(s, "xena", r).empty());
}

TEST_CASE_METHOD(Compiled<publishing_model>, "Publishing: employees and anonymous users are never gated",
                 "[publishing]") {
  // eve is an employee whose role holds the need-publish right: it has no effect
  check_rights(s, {{"eve", Rec(s, "sale", "bob"), "CRUD"},
                   {"bob", Rec(s, "sale", "eve"), "CRUD"}});
}

TEST_CASE_METHOD(Compiled<publishing_model>, "Publishing: the predefined external role needs publishing",
                 "[publishing][predefined]") {
  check_rights(s, {{"pred", Rec(s, "sale", "bob").company("cust-1"), ""},
                   {"pred", Rec(s, "sale", "bob").company("cust-1").published(), "R"},
                   {"pred", Rec(s, "company", "bob").company("cust-1"), "R"}});
}
