// explain(): agrees with rights()/can(), and each layer reports what it
// removed.
#include "support/catch.hpp"
#include "unit/fixture.hpp"

using namespace fx;

namespace {

Model explain_model() {
  Model m = base_model();
  m.licences.push_back({"sale-cal", "Sale", LicenceKind::kUser, 10, false, {}, {"sale"}});
  m.users.push_back(associate("alice", "acme", "level-1", "sales"));
  User bob = associate("bob", "acme", "level-1", "sales");
  bob.licences = {"sale-cal"};
  m.users.push_back(bob);
  m.users.push_back(associate("lou", "beta", "local", "sales"));
  m.users.push_back(external("xena", "cust-1"));
  m.users.push_back(system_user("integration"));
  User off = associate("off", "acme", "level-1", "sales");
  off.can_log_in = false;
  m.users.push_back(off);
  m.overrides.push_back({OverrideLevel::kSystem, "", "document", OverrideScope::kAll, "", "", 8});
  return m;
}

const LayerEffect& layer(const Explanation& e, Layer l) { return e.layers[static_cast<std::size_t>(l)]; }

// Expects layer `l` of `e` to have applied and removed `removed` (C/R/U/D letters).
void expect_removed(const Explanation& e, Layer l, std::string_view removed) {
  INFO("layer " << kLayerNames[static_cast<std::size_t>(l)]);
  REQUIRE(layer(e, l).applied);
  REQUIRE(layer(e, l).removed.to_crud() == removed);
}

}  // namespace

TEST_CASE("Explain: agrees with rights() and can() for every action", "[explain]") {
  const Snapshot s = build(explain_model());
  const char* const users[] = {"alice", "bob", "lou", "xena", "integration", "off", "nobody"};
  const char* const owners[] = {"", "alice", "bob", "lou", "xena", "gone"};
  for (const char* u : users)
    for (std::string_view o : kBuiltinObjectNames)
      for (const char* owner : owners)
        for (int v = 0; v < 3; ++v)
          for (Action a : {Action::kRead, Action::kCreate, Action::kUpdate, Action::kDelete}) {
            Rec rec(s, o, owner);
            if (v == 1) rec.visible_for_user("bob");
            if (v == 2) rec.published().completed().our_company();
            const UserIndex ui = s.find_user(u);
            const Explanation e = s.explain(ui, a, rec);
            INFO(u << " " << o << " owner=" << owner << " v=" << v << " " << action_name(a));
            REQUIRE(e.rights == s.rights(ui, rec));
            REQUIRE(e.allowed == s.can(ui, a, rec));
            REQUIRE(e.action == a);
            // the layers chain: each starts from the previous one's result
            if (e.outcome == Outcome::kEvaluated) {
              TableRights current = e.cell;
              for (const LayerEffect& fx : e.layers) {
                REQUIRE(fx.after == ((current - fx.removed) | fx.added));
                current = fx.after;
              }
              REQUIRE(current == e.rights);
            }
          }
}

TEST_CASE("Explain: names the relation, the role and the cell", "[explain]") {
  const Snapshot s = build(explain_model());
  const Explanation e = s.explain(s.find_user("alice"), Action::kUpdate, Rec(s, "project", "bob"));
  REQUIRE(e.outcome == Outcome::kEvaluated);
  REQUIRE(e.relation == Relation::kPrimaryGroup);
  REQUIRE(e.role == s.find_role("level-1"));
  REQUIRE(e.cell == TableRights::full());
  REQUIRE(e.allowed);
  REQUIRE(s.explain_reason(e) == "role \"level-1\" cell project/primary_group grants Update");
  for (const LayerEffect& fx : e.layers) REQUIRE_FALSE(fx.applied);
}

TEST_CASE("Explain: a cell that lacks the right says so", "[explain]") {
  Model m = explain_model();
  m.users.push_back(associate("reader", "acme", "level-5", "sales"));
  const Snapshot s = build(m);
  const Explanation e = s.explain(s.find_user("reader"), Action::kDelete, Rec(s, "project", "bob"));
  REQUIRE_FALSE(e.allowed);
  REQUIRE(s.explain_reason(e) == "role \"level-5\" cell project/primary_group (R) lacks Delete");
}

TEST_CASE("Explain: the licence layer reports what it removed", "[explain][licences]") {
  const Snapshot s = build(explain_model());
  const Explanation e = s.explain(s.find_user("alice"), Action::kUpdate, Rec(s, "sale", "alice"));
  expect_removed(e, Layer::kLicence, "CUD");
  REQUIRE(layer(e, Layer::kLicence).after.to_crud() == "R");
  REQUIRE(s.explain_reason(e) == "licence removed Update");
  // bob holds the licence: the layer does not apply
  const Explanation b = s.explain(s.find_user("bob"), Action::kUpdate, Rec(s, "sale", "bob"));
  REQUIRE_FALSE(layer(b, Layer::kLicence).applied);
  REQUIRE(b.allowed);
}

TEST_CASE("Explain: the other-company layer reports what it removed", "[explain][other-company]") {
  const Snapshot s = build(explain_model());
  const Explanation e = s.explain(s.find_user("lou"), Action::kRead, Rec(s, "project", "alice"));
  expect_removed(e, Layer::kOtherCompany, "CRUD");
  REQUIRE(e.rights.empty());
}

TEST_CASE("Explain: the visibility layer reports removed rights and the Filtering it added", "[explain][visibility]") {
  const Snapshot s = build(explain_model());
  const Explanation e =
      s.explain(s.find_user("alice"), Action::kRead, Rec(s, "follow_up", "bob").visible_for_user("bob"));
  expect_removed(e, Layer::kVisibility, "CRUD");
  REQUIRE(layer(e, Layer::kVisibility).added == TableRights(TableRight::kFiltering));
  REQUIRE(s.explain_reason(e) == "visibility removed Select");
  const std::string text = s.explain_text(e);
  REQUIRE(text.find("layer visibility: removed Select|Update|Insert|Delete, added Filtering") != std::string::npos);
  REQUIRE(text.find("rights: Filtering") != std::string::npos);
  REQUIRE(text.find("decision: deny read") != std::string::npos);
}

TEST_CASE("Explain: the publishing layer reports what it removed", "[explain][publishing]") {
  const Snapshot s = build(explain_model());
  const Explanation e = s.explain(s.find_user("xena"), Action::kRead, Rec(s, "sale", "alice").company("cust-1"));
  REQUIRE(e.relation == Relation::kMyCompany);
  expect_removed(e, Layer::kPublishing, "R");
  REQUIRE(s.explain_reason(e) == "publishing removed Select");
}

TEST_CASE("Explain: the override layer reports what it removed", "[explain][overrides]") {
  const Snapshot s = build(explain_model());
  const Explanation e = s.explain(s.find_user("alice"), Action::kDelete, Rec(s, "document", "alice"));
  expect_removed(e, Layer::kOverride, "D");
  REQUIRE(s.explain_reason(e) == "override removed Delete");
}

TEST_CASE("Explain: the record-state layer reports removals and RestrictedUpdate", "[explain][record-state]") {
  const Snapshot s = build(explain_model());
  const Explanation e = s.explain(s.find_user("alice"), Action::kDelete, Rec(s, "company", "alice").database_owner());
  expect_removed(e, Layer::kRecordState, "D");
  REQUIRE(layer(e, Layer::kRecordState).added == TableRights(TableRight::kRestrictedUpdate));
  REQUIRE(s.explain_reason(e) == "record-state removed Delete");
  const Explanation c = s.explain(s.find_user("bob"), Action::kUpdate, Rec(s, "sale", "bob").completed());
  expect_removed(c, Layer::kRecordState, "UD");
  REQUIRE(s.explain_reason(c) == "record-state removed Update");
}

TEST_CASE("Explain: outcomes before the matrix", "[explain]") {
  const Snapshot s = build(explain_model());
  const Explanation unknown = s.explain(kUnknownUser, Action::kRead, Rec(s, "sale"));
  REQUIRE(unknown.outcome == Outcome::kNoSuchUser);
  REQUIRE(s.explain_reason(unknown) == "unknown user");
  REQUIRE(s.explain_text(unknown).find("user: (unknown)") != std::string::npos);
  Record bad_object = Rec(s, "sale");
  bad_object.object = kUnknownObject;
  const Explanation no_object = s.explain(s.find_user("alice"), Action::kRead, bad_object);
  REQUIRE(no_object.outcome == Outcome::kNoSuchObject);
  REQUIRE(s.explain_reason(no_object) == "unknown data object");
  const Explanation off = s.explain(s.find_user("off"), Action::kRead, Rec(s, "sale", "off"));
  REQUIRE(off.outcome == Outcome::kInactiveUser);
  REQUIRE(s.explain_reason(off) == "user \"off\" is not allowed to log in and holds no rights");
  const Explanation sys = s.explain(s.find_user("integration"), Action::kDelete, Rec(s, "sale", "alice"));
  REQUIRE(sys.outcome == Outcome::kSystemUser);
  REQUIRE(sys.allowed);
  REQUIRE(s.explain_reason(sys) == "the system user bypasses every check");
}

TEST_CASE("Explain: explain_text lists relation, cell, every layer and the decision", "[explain]") {
  const Snapshot s = build(explain_model());
  const Explanation e = s.explain(s.find_user("alice"), Action::kRead, Rec(s, "project", "bob"));
  const std::string text = s.explain_text(e);
  REQUIRE(text.find("user: \"alice\"\n") == 0);
  REQUIRE(text.find("relation: primary_group\n") != std::string::npos);
  REQUIRE(text.find("role cell: role \"level-1\" project/primary_group = \"CRUD\"") != std::string::npos);
  for (std::string_view name : kLayerNames)
    REQUIRE(text.find("layer " + std::string(name) + ": removed nothing") != std::string::npos);
  REQUIRE(text.find("decision: allow read") != std::string::npos);
}
