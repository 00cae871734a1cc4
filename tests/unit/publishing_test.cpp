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
  m.users.push_back(anonymous("anon"));
  return m;
}

}  // namespace

TEST_CASE("Publishing: an unpublished sale is hidden from an external user who needs publishing", "[publishing]") {
  const Snapshot s = build(publishing_model());
  REQUIRE(rights(s, "xena", Rec(s, "sale", "bob")).empty());
  REQUIRE(rights(s, "xena", Rec(s, "sale", "bob").published()) == "CRUD");
}

TEST_CASE("Publishing: each need-publish right gates its own object", "[publishing]") {
  const Snapshot s = build(publishing_model());
  for (std::string_view o : {"project", "follow_up", "document", "sale"}) {
    INFO(o);
    REQUIRE(rights(s, "xena", Rec(s, o, "bob")).empty());
    REQUIRE(rights(s, "xena", Rec(s, o, "bob").published()) == "CRUD");
  }
  // xavier's role needs publishing for sales only
  REQUIRE(rights(s, "xavier", Rec(s, "sale", "bob")).empty());
  for (std::string_view o : {"project", "follow_up", "document"}) {
    INFO(o);
    REQUIRE(rights(s, "xavier", Rec(s, o, "bob")) == "CRUD");
  }
}

TEST_CASE("Publishing: objects without a publish right are never gated", "[publishing]") {
  const Snapshot s = build(publishing_model());
  for (std::string_view o : {"company", "person", "project_member", "stakeholder", "relation", "dashboard",
                             "target"}) {
    INFO(o);
    REQUIRE(rights(s, "xena", Rec(s, o, "bob")) == "CRUD");
  }
  // (another user's selection loses Update and Delete by record state, not publishing)
  REQUIRE(rights(s, "xena", Rec(s, "selection", "bob")) == "CR");
}

TEST_CASE("Publishing: the user's own records are exempt", "[publishing]") {
  const Snapshot s = build(publishing_model());
  REQUIRE(rights(s, "xena", Rec(s, "sale", "xena")) == "CRUD");
  REQUIRE(rights(s, "xena", Rec(s, "project", "xena")) == "CRUD");
  // a follow-up with an empty owner is other associates: gated
  REQUIRE(rights(s, "xena", Rec(s, "follow_up")).empty());
}

TEST_CASE("Publishing: an external user's project with an empty owner is not own and is gated", "[publishing]") {
  // docs/rules.md §15: the empty-owner fallback is for employee users only.
  const Snapshot s = build(publishing_model());
  REQUIRE(rights(s, "xena", Rec(s, "project")).empty());
  REQUIRE(rights(s, "xena", Rec(s, "project").published()) == "CRUD");
  REQUIRE(s.explain(s.find_user("xena"), Action::kRead, Rec(s, "project")).relation == Relation::kOtherAssociates);
}

TEST_CASE("Publishing: the publish window includes both ends", "[publishing]") {
  const Snapshot s = build(publishing_model());
  const Time from = kT0 - kDay, to = kT0 + kDay;
  REQUIRE(rights(s, "xena", Rec(s, "sale", "bob").published(from, to).at(from)) == "CRUD");
  REQUIRE(rights(s, "xena", Rec(s, "sale", "bob").published(from, to).at(to)) == "CRUD");
  REQUIRE(rights(s, "xena", Rec(s, "sale", "bob").published(from, to).at(kT0)) == "CRUD");
  REQUIRE(rights(s, "xena", Rec(s, "sale", "bob").published(from, to).at(from - 1)).empty());
  REQUIRE(rights(s, "xena", Rec(s, "sale", "bob").published(from, to).at(to + 1)).empty());
}

TEST_CASE("Publishing: open ends are unbounded", "[publishing]") {
  const Snapshot s = build(publishing_model());
  REQUIRE(rights(s, "xena", Rec(s, "sale", "bob").published(kTimeMin, kT0).at(-kT0)) == "CRUD");
  REQUIRE(rights(s, "xena", Rec(s, "sale", "bob").published(kT0, kTimeMax).at(kTimeMax - 1)) == "CRUD");
  REQUIRE(rights(s, "xena", Rec(s, "sale", "bob").published(kT0, kTimeMax).at(kT0 - 1)).empty());
}

TEST_CASE("Publishing: an evaluation time of kTimeMin means now", "[publishing]") {
  const Snapshot s = build(publishing_model());
  // a window that ended in 2001 is closed now; one that runs to the far future is open
  REQUIRE(rights(s, "xena", Rec(s, "sale", "bob").published(0, 1'000'000'000)).empty());
  REQUIRE(rights(s, "xena", Rec(s, "sale", "bob").published(0, kTimeMax)) == "CRUD");
}

TEST_CASE("Publishing: a window with from after to is never open", "[publishing]") {
  const Snapshot s = build(publishing_model());
  REQUIRE(rights(s, "xena", Rec(s, "sale", "bob").published(kT0 + 1, kT0 - 1).at(kT0)).empty());
}

TEST_CASE("Publishing: a window without the published flag does not publish", "[publishing]") {
  const Snapshot s = build(publishing_model());
  Record r = Rec(s, "sale", "bob").at(kT0);
  r.publish_from = kT0 - kDay;
  r.publish_to = kT0 + kDay;
  REQUIRE(rights(s, "xena", r).empty());
}

TEST_CASE("Publishing: employees and anonymous users are never gated", "[publishing]") {
  const Snapshot s = build(publishing_model());
  // eve is an employee whose role holds the need-publish right: it has no effect
  REQUIRE(rights(s, "eve", Rec(s, "sale", "bob")) == "CRUD");
  REQUIRE(rights(s, "bob", Rec(s, "sale", "eve")) == "CRUD");
}

TEST_CASE("Publishing: the predefined external role needs publishing", "[publishing][predefined]") {
  Model m = publishing_model();
  m.users.push_back(external("pred", "cust-1", "external"));
  const Snapshot s = build(m);
  REQUIRE(rights(s, "pred", Rec(s, "sale", "bob").company("cust-1")).empty());
  REQUIRE(rights(s, "pred", Rec(s, "sale", "bob").company("cust-1").published()) == "R");
  REQUIRE(rights(s, "pred", Rec(s, "company", "bob").company("cust-1")) == "R");
}
