// Other companies (docs/rules.md §6): without see-other-companies-associates
// a user gets no rights on records owned by users of another of our companies.
#include "support/catch.hpp"
#include "unit/fixture.hpp"

using namespace fx;

namespace {

Model other_company_model() {
  Model m = base_model();
  m.users.push_back(associate("lou", "acme", "local", "sales"));       // lacks the right
  m.users.push_back(associate("ann", "acme", "level-1", "sales"));     // holds it
  m.users.push_back(associate("ben", "acme", "level-1", "support"));   // same company as lou
  m.users.push_back(associate("bea", "beta", "level-1", "sales"));     // another of our companies
  m.users.push_back(external("xena", "cust-1", "external"));
  m.users.push_back(anonymous("anon"));
  m.users.push_back(resource("beta-room", "beta"));
  return m;
}

}  // namespace

TEST_CASE_METHOD(Compiled<other_company_model>,
                 "Other company: a user without the right gets nothing on another company's associate's records",
                 "[other-company]") {
  for (std::string_view o : kBuiltinObjectNames) {
    INFO(o);
    REQUIRE(rights(s, "lou", Rec(s, o, "bea")).empty());
  }
  // even with the user's own primary group stored on the record
  REQUIRE(rights(s, "lou", Rec(s, "sale", "bea").group("sales")).empty());
}

TEST_CASE_METHOD(Compiled<other_company_model>, "Other company: the same company is unaffected", "[other-company]") {
  check_rights(s, {{"lou", Rec(s, "sale", "ben"), "R"},  // local: beyond own group R
                   {"lou", Rec(s, "sale", "ben").group("sales"), "CRUD"}});
}

TEST_CASE_METHOD(Compiled<other_company_model>,
                 "Other company: holding see-other-companies-associates keeps the role rights",
                 "[other-company]") {
  check_rights(s, {{"ann", Rec(s, "sale", "bea"), "CRUD"},
                   {"bea", Rec(s, "sale", "lou"), "CRUD"}});
}

TEST_CASE_METHOD(Compiled<other_company_model>, "Other company: records with an empty or unknown owner are unaffected",
                 "[other-company]") {
  check_rights(s, {{"lou", Rec(s, "sale"), "R"},
                   {"lou", Rec(s, "sale", "gone"), "R"},
                   {"lou", Rec(s, "company"), "CRUD"}});  // empty owner = lou: own
}

TEST_CASE_METHOD(Compiled<other_company_model>, "Other company: only associates count as owners of another company",
                 "[other-company]") {
  // a resource of beta is not an associate: its records classify normally
  check_rights(s, {{"lou", Rec(s, "follow_up", "beta-room"), "R"},
                   {"lou", Rec(s, "sale", "xena"), "R"}});
}

TEST_CASE("Other company: external and anonymous subjects are never affected", "[other-company]") {
  Model m = other_company_model();
  Role ext = blank_role("ext-open", RoleType::kExternal);
  fill(ext, "R");
  m.roles.push_back(ext);
  m.find_role("anonymous")->set_cell("sale", Relation::kOtherAssociates, TableRight::kSelect);
  m.users.push_back(external("yuri", "cust-2", "ext-open"));
  const Snapshot s = build(m);
  check_rights(s, {{"yuri", Rec(s, "sale", "bea"), "R"},
                   {"anon", Rec(s, "sale", "bea"), "R"}});
}

TEST_CASE("Other company: removing the right from a role hides the other company", "[other-company]") {
  Model m = other_company_model();
  Role* l1 = m.find_role("level-1");
  std::erase(l1->functional_rights, "see-other-companies-associates");
  const Snapshot s = build(m);
  check_rights(s, {{"ann", Rec(s, "sale", "bea"), ""},
                   {"bea", Rec(s, "sale", "ann"), ""},
                   {"ann", Rec(s, "sale", "ben"), "CRUD"}});
}

TEST_CASE_METHOD(Compiled<other_company_model>, "Other company: explain names the layer", "[other-company][explain]") {
  const Explanation e = s.explain(s.find_user("lou"), Action::kRead, Rec(s, "sale", "bea"));
  REQUIRE(e.layers[static_cast<std::size_t>(Layer::kOtherCompany)].applied);
  REQUIRE(e.layers[static_cast<std::size_t>(Layer::kOtherCompany)].removed == TableRights::full());
  REQUIRE(s.explain_reason(e) == "other-company removed Select");
}
