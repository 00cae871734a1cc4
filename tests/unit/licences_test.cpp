// Licences (docs/rules.md §9): site and user licences, plans, "-cal"
// licences (cal_for), functional rights that need a licence, counts and
// prerequisites.
#include "support/catch.hpp"
#include "unit/fixture.hpp"

using namespace fx;

namespace {

Licence licence(std::string id, LicenceKind kind, std::uint32_t count = 10, std::vector<std::string> requires_ = {},
                std::vector<std::string> cal_for = {}, bool unrestricted = false) {
  Licence l;
  l.id = std::move(id);
  l.name = l.id;
  l.kind = kind;
  l.count = count;
  l.requires_licences = std::move(requires_);
  l.cal_for = std::move(cal_for);
  l.unrestricted = unrestricted;
  return l;
}

Model licence_model() {
  Model m = base_model();
  m.licences.push_back(licence("user", LicenceKind::kUser, 10));
  m.licences.push_back(licence("web", LicenceKind::kUser, 10, {"user"}));
  m.licences.push_back(licence("sale-cal", LicenceKind::kUser, 10, {}, {"sale", "stakeholder"}));
  m.licences.push_back(licence("visible-for", LicenceKind::kUser, 0, {}, {}, true));
  m.licences.push_back(licence("quote", LicenceKind::kSite));
  m.plans.push_back({"sales-premium", "Sales Premium", {"user", "web", "sale-cal"}});
  m.functional_rights.push_back({"acme-approve", "Approve discounts", "quote"});
  m.functional_rights.push_back({"acme-web-report", "Web report", "web"});
  m.functional_rights.push_back({"acme-plain", "Plain", ""});
  Role* l1 = m.find_role("level-1");
  l1->functional_rights.insert(l1->functional_rights.end(), {"acme-approve", "acme-web-report", "acme-plain"});
  User planned = associate("pam", "acme", "level-1", "sales");
  planned.plan = "sales-premium";
  m.users.push_back(planned);
  User direct = associate("dan", "acme", "level-1", "sales");
  direct.licences = {"user", "sale-cal"};
  m.users.push_back(direct);
  m.users.push_back(associate("nol", "acme", "level-1", "sales"));  // no user licences
  return m;
}

}  // namespace

TEST_CASE_METHOD(Compiled<licence_model>,
                 "Licences: a cal licence, held directly or through a plan, lifts the Select-only limit on its objects",
                 "[licences]") {
  check_rights(s, {{"nol", Rec(s, "sale", "nol"), "R"},
                   {"nol", Rec(s, "stakeholder", "nol"), "R"},
                   {"nol", Rec(s, "follow_up", "nol"), "CRUD"},
                   {"pam", Rec(s, "sale", "pam"), "CRUD"},
                   {"dan", Rec(s, "sale", "dan"), "CRUD"}});
}

TEST_CASE("Licences: the cal limit never adds Select", "[licences]") {
  Model m = licence_model();
  m.find_role("level-1")->set_cell("sale", Relation::kOwn, TableRight::kUpdate);
  const Snapshot s = build(m);
  REQUIRE(rights(s, "nol", Rec(s, "sale", "nol")).empty());
}

TEST_CASE_METHOD(Compiled<licence_model>, "Licences: a site licence is held by everyone", "[licences]") {
  REQUIRE(has(s, "nol", "acme-approve"));
  REQUIRE(has(s, "pam", "acme-approve"));
}

TEST_CASE_METHOD(Compiled<licence_model>, "Licences: a functional right that requires a user licence needs it",
                 "[licences][functional-rights]") {
  REQUIRE(has(s, "pam", "acme-web-report"));       // web through the plan
  REQUIRE_FALSE(has(s, "dan", "acme-web-report"));  // user + sale-cal only
  REQUIRE_FALSE(has(s, "nol", "acme-web-report"));
  REQUIRE(has(s, "nol", "acme-plain"));
}

TEST_CASE("Licences: a restricted user licence cannot exceed its count", "[licences][validation]") {
  Model m = licence_model();
  m.licences[0].count = 2;  // "user": pam and dan hold it
  REQUIRE_FALSE(reports(m, "licence-over-count"));
  User extra = associate("eli", "acme", "level-1", "sales");
  extra.licences = {"user"};
  m.users.push_back(extra);
  REQUIRE(reports(m, "licence-over-count", "licences"));
  REQUIRE_FALSE(compile(m).has_value());
}

TEST_CASE("Licences: retired users and former employees do not use a seat", "[licences][validation]") {
  Model m = licence_model();
  m.licences[0].count = 2;
  User gone = associate("gus", "acme", "level-1", "sales");
  gone.licences = {"user"};
  gone.retired = true;
  m.users.push_back(gone);
  User former = associate("fay", "acme", "level-1", "sales");
  former.licences = {"user"};
  former.former_employee = true;
  m.users.push_back(former);
  REQUIRE_FALSE(reports(m, "licence-over-count"));
  // a user whose login is off still holds the seat
  User off = associate("ola", "acme", "level-1", "sales");
  off.licences = {"user"};
  off.can_log_in = false;
  m.users.push_back(off);
  REQUIRE(reports(m, "licence-over-count"));
}

TEST_CASE("Licences: an unrestricted licence has no count", "[licences][validation]") {
  Model m = licence_model();
  for (int i = 0; i < 5; ++i) {
    User u = associate("v" + std::to_string(i), "acme", "level-1", "sales");
    u.licences = {"visible-for"};
    m.users.push_back(u);
  }
  REQUIRE(validate(m).empty());
}

TEST_CASE("Licences: a user licence's prerequisite must be held", "[licences][validation]") {
  Model m = licence_model();
  User w = associate("wes", "acme", "level-1", "sales");
  w.licences = {"web"};
  m.users.push_back(w);
  REQUIRE(reports(m, "missing-prerequisite", "users"));
  m.users.back().licences = {"web", "user"};
  REQUIRE(validate(m).empty());
}

TEST_CASE("Licences: a plan that holds the prerequisite satisfies it", "[licences][validation]") {
  Model m = licence_model();
  m.plans.push_back({"web-only", "Web only", {"web"}});
  User w = associate("wes", "acme", "level-1", "sales");
  w.plan = "web-only";
  m.users.push_back(w);
  REQUIRE(reports(m, "missing-prerequisite"));
  m.users.back().licences = {"user"};
  REQUIRE(validate(m).empty());
}

TEST_CASE("Licences: the system user is not limited by cal licences", "[licences][system]") {
  Model m = licence_model();
  m.users.push_back(system_user("integration"));
  const Snapshot s = build(m);
  REQUIRE(rights(s, "integration", Rec(s, "sale", "nol")) == "CRUD");
  REQUIRE(has(s, "integration", "acme-web-report"));
}

TEST_CASE_METHOD(Compiled<licence_model>, "Licences: explain reports the licence layer", "[licences][explain]") {
  const Explanation e = s.explain(s.find_user("nol"), Action::kUpdate, Rec(s, "sale", "nol"));
  const LayerEffect& fx = e.layers[static_cast<std::size_t>(Layer::kLicence)];
  REQUIRE(fx.applied);
  REQUIRE(fx.removed == (TableRight::kUpdate | TableRight::kInsert | TableRights(TableRight::kDelete)));
  REQUIRE(s.explain_reason(e) == "licence removed Update");
}
