// "Visible for" (docs/rules.md §4): follow-ups, documents, sales,
// selections and dashboards; the owner always keeps the role rights; hidden
// follow-ups keep Filtering.
#include "support/catch.hpp"
#include "unit/fixture.hpp"

using namespace fx;

namespace {

Model visibility_model() {
  Model m = base_model();
  m.users.push_back(associate("alice", "acme", "level-1", "sales"));
  m.users.push_back(associate("bob", "acme", "level-1", "sales"));
  m.users.push_back(associate("carol", "acme", "level-1", "support", {"marketing"}));
  m.users.push_back(associate("root", "acme", "level-0", "support"));
  m.users.push_back(external("xena", "cust-1", "external"));
  m.objects.push_back({"ticket", "Request", false, true, true});
  m.objects.push_back({"quote", "Quote", false, false, false});
  Role* l1 = m.find_role("level-1");
  for (int rel = 0; rel < kRelationCount; ++rel) {
    l1->set_cell("ticket", static_cast<Relation>(rel), TableRights::full());
    l1->set_cell("quote", static_cast<Relation>(rel), TableRights::full());
  }
  return m;
}

}  // namespace

TEST_CASE("Visibility: visible for all leaves the role rights", "[visibility]") {
  const Snapshot s = build(visibility_model());
  REQUIRE(rights(s, "carol", Rec(s, "sale", "bob")) == "CRUD");
}

TEST_CASE("Visibility: visible for an associate hides the record from everyone else", "[visibility]") {
  const Snapshot s = build(visibility_model());
  for (std::string_view o : {"document", "sale", "selection", "dashboard"}) {
    INFO(o);
    Record r = Rec(s, o, "bob").visible_for_user("alice");
    REQUIRE(letters(s.rights(s.find_user("alice"), r)).find('R') != std::string::npos);
    REQUIRE(rights(s, "carol", r).empty());
    REQUIRE(rights(s, "root", r).empty());  // even an administrator in the same company
  }
}

TEST_CASE("Visibility: visible for a group keeps rights for primary and other members only", "[visibility]") {
  const Snapshot s = build(visibility_model());
  const Record r = Rec(s, "sale", "bob").visible_for_group("marketing");
  REQUIRE(rights(s, "carol", r) == "CRUD");  // marketing is carol's other group
  REQUIRE(rights(s, "alice", r).empty());
  const Record r2 = Rec(s, "sale", "bob").visible_for_group("support");
  REQUIRE(rights(s, "carol", r2) == "CRUD");  // primary group
  REQUIRE(rights(s, "root", r2) == "CRUD");
  REQUIRE(rights(s, "alice", r2).empty());
}

TEST_CASE("Visibility: the owner always keeps the role rights", "[visibility]") {
  const Snapshot s = build(visibility_model());
  REQUIRE(rights(s, "bob", Rec(s, "sale", "bob").visible_for_user("alice")) == "CRUD");
  REQUIRE(rights(s, "bob", Rec(s, "sale", "bob").visible_for_group("marketing")) == "CRUD");
}

TEST_CASE("Visibility: a follow-up hidden by group visibility leaves Filtering", "[visibility]") {
  const Snapshot s = build(visibility_model());
  REQUIRE(rights(s, "alice", Rec(s, "follow_up", "bob").visible_for_group("marketing")) == "F");
  REQUIRE(rights(s, "alice", Rec(s, "follow_up", "bob").visible_for_user("carol")) == "F");
  REQUIRE(s.rights(s.find_user("alice"), Rec(s, "follow_up", "bob").visible_for_user("carol")) ==
          TableRights(TableRight::kFiltering));
}

TEST_CASE("Visibility: a hidden follow-up with no role rights gets None, not Filtering", "[visibility]") {
  Model m = visibility_model();
  Role* l4 = m.find_role("level-4");
  REQUIRE(l4 != nullptr);
  m.users.push_back(associate("dora", "acme", "level-4", "support"));
  const Snapshot s = build(m);
  // level-4 grants nothing beyond the primary group: the mask is empty before visibility
  REQUIRE(rights(s, "dora", Rec(s, "follow_up", "bob")).empty());
  REQUIRE(rights(s, "dora", Rec(s, "follow_up", "bob").visible_for_user("alice")).empty());
}

TEST_CASE("Visibility: only follow-ups get Filtering; other hidden objects get None", "[visibility]") {
  const Snapshot s = build(visibility_model());
  for (std::string_view o : {"document", "sale", "selection", "dashboard", "ticket"}) {
    INFO(o);
    REQUIRE(rights(s, "alice", Rec(s, o, "bob").visible_for_user("carol")).empty());
  }
}

TEST_CASE("Visibility: ignored on objects without visibility", "[visibility]") {
  const Snapshot s = build(visibility_model());
  for (std::string_view o : {"company", "person", "project", "project_member", "stakeholder", "relation",
                             "target", "quote"}) {
    INFO(o);
    REQUIRE(rights(s, "alice", Rec(s, o, "bob").visible_for_user("carol")) == "CRUD");
  }
}

TEST_CASE("Visibility: custom objects declared with has_visibility honour it", "[visibility]") {
  const Snapshot s = build(visibility_model());
  REQUIRE(rights(s, "alice", Rec(s, "ticket", "bob").visible_for_user("carol")).empty());
  REQUIRE(rights(s, "carol", Rec(s, "ticket", "bob").visible_for_user("carol")) == "CRUD");
}

TEST_CASE("Visibility: an unknown group or associate in Visible for hides the record", "[visibility]") {
  const Snapshot s = build(visibility_model());
  REQUIRE(rights(s, "alice", Rec(s, "sale", "bob").visible_for_group("no-such-group")).empty());
  REQUIRE(rights(s, "alice", Rec(s, "sale", "bob").visible_for_user("no-such-user")).empty());
  Record r = Rec(s, "sale", "bob");
  r.visibility = Visibility::group(kNoGroup);
  REQUIRE(rights(s, "alice", r).empty());
  REQUIRE(rights(s, "bob", r) == "CRUD");
}

TEST_CASE("Visibility: applies to external users too", "[visibility][external]") {
  const Snapshot s = build(visibility_model());
  // xena owns the follow-up: kept; someone else's record visible for alice: hidden
  REQUIRE(rights(s, "xena", Rec(s, "follow_up", "xena").visible_for_user("alice")) == "CRUD");
  REQUIRE(rights(s, "xena", Rec(s, "company", "bob").company("cust-1")) == "R");
  REQUIRE(rights(s, "xena", Rec(s, "sale", "bob").company("cust-1").published().visible_for_user("alice"))
              .empty());
}

TEST_CASE("Visibility text: all, group:ID and associate:ID split into kind and id; any other text is refused",
          "[visibility]") {
  static_assert(parse_visibility_text("associate:x")->id == "x");  // usable at compile time
  REQUIRE(parse_visibility_text("all"));
  CHECK(parse_visibility_text("all")->kind == VisibilityKind::kAll);
  CHECK(parse_visibility_text("all")->id.empty());
  const auto g = parse_visibility_text("group:sales");
  REQUIRE(g);
  CHECK(g->kind == VisibilityKind::kGroup);
  CHECK(g->id == "sales");
  const auto a = parse_visibility_text("associate:bob");
  REQUIRE(a);
  CHECK(a->kind == VisibilityKind::kAssociate);
  CHECK(a->id == "bob");
  CHECK(parse_visibility_text("group:")->id.empty());  // the caller resolves (and refuses) the empty id
  for (std::string_view bad : {"", "All", "group", "user:bob", " all", "all ", "associate"})
    CHECK_FALSE(parse_visibility_text(bad));
}
