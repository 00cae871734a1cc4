// Validation (detail::Validator): every rule id is triggered, each names its
// item, and a bad model reports all its errors at once.
#include <algorithm>
#include <set>

#include "support/catch.hpp"
#include "unit/fixture.hpp"

using namespace fx;

namespace {

Model valid_model() {
  Model m = base_model();
  m.licences.push_back({"user", "User", LicenceKind::kUser, 5, false, {}, {}});
  m.licences.push_back({"web", "Web", LicenceKind::kUser, 5, false, {"user"}, {}});
  m.licences.push_back({"quote", "Quote", LicenceKind::kSite, 0, false, {}, {}});
  m.plans.push_back({"plan", "Plan", {"user", "web"}});
  m.functional_rights.push_back({"host-right", "Host right", "quote"});
  m.objects.push_back({"ticket", "Request", false, true, true});
  m.users.push_back(associate("alice", "acme", "level-1", "sales", {"support"}));
  m.users.push_back(external("xena", "cust-1"));
  m.users.push_back(anonymous("anon"));
  m.users.push_back(system_user("integration"));
  m.users.push_back(resource("room"));
  return m;
}

// The rule ids of `m`'s diagnostics.
std::multiset<std::string> rules(const Model& m) {
  std::multiset<std::string> out;
  for (const Diagnostic& d : validate(m)) out.insert(d.rule);
  return out;
}

// Expects `m` to break exactly `rule` (once), on `collection`/`item`/`field`.
void expect_only(const Model& m, std::string_view rule, std::string_view collection, std::string_view item,
                 std::string_view field_name) {
  const std::vector<Diagnostic> d = validate(m);
  INFO(Error(ErrorCode::kFailedPrecondition, "diagnostics", d).to_string());
  REQUIRE(d.size() == 1);
  REQUIRE(d[0].rule == rule);
  REQUIRE(d[0].collection == collection);
  REQUIRE(d[0].item == item);
  REQUIRE(d[0].field == field_name);
  REQUIRE_FALSE(d[0].message.empty());
  const Result<Snapshot> s = compile(m);
  REQUIRE_FALSE(s.has_value());
  REQUIRE(s.error().code == ErrorCode::kFailedPrecondition);
  REQUIRE(s.error().diagnostics.size() == 1);
}

}  // namespace

TEST_CASE("Validation: the base model is valid", "[validation]") {
  REQUIRE(validate(valid_model()).empty());
  REQUIRE(compile(valid_model()).has_value());
}

TEST_CASE("Validation: empty-id", "[validation]") {
  Model m = valid_model();
  m.groups.push_back({"", "Nameless"});
  expect_only(m, "empty-id", "groups", "", "id");
}

TEST_CASE("Validation: duplicate-id in every collection", "[validation]") {
  {
    Model m = valid_model();
    m.groups.push_back({"sales", "Sales again"});
    expect_only(m, "duplicate-id", "groups", "sales", "id");
  }
  {
    Model m = valid_model();
    m.our_companies.push_back({"beta", "Beta again", false});
    expect_only(m, "duplicate-id", "our_companies", "beta", "id");
  }
  {
    Model m = valid_model();
    m.roles.push_back(blank_role("level-3"));
    expect_only(m, "duplicate-id", "roles", "level-3", "id");
  }
  {
    Model m = valid_model();
    m.users.push_back(associate("alice", "acme", "level-1", "sales"));
    expect_only(m, "duplicate-id", "users", "alice", "id");
  }
  {
    Model m = valid_model();
    m.plans.push_back({"plan", "Plan", {}});
    expect_only(m, "duplicate-id", "plans", "plan", "id");
  }
  {
    Model m = valid_model();
    m.licences.push_back({"quote", "Quote", LicenceKind::kSite, 0, false, {}, {}});
    expect_only(m, "duplicate-id", "licences", "quote", "id");
  }
}

TEST_CASE("Validation: duplicate-id for a declared built-in right or object", "[validation]") {
  {
    Model m = valid_model();
    m.functional_rights.push_back({"admin-all", "Mine", ""});
    expect_only(m, "duplicate-id", "functional_rights", "admin-all", "id");
  }
  {
    Model m = valid_model();
    m.objects.push_back({"sale", "Sale", false, false, false});
    expect_only(m, "duplicate-id", "objects", "sale", "id");
  }
}

TEST_CASE("Validation: two-database-owners", "[validation]") {
  Model m = valid_model();
  m.our_companies[1].database_owner = true;
  expect_only(m, "two-database-owners", "our_companies", "beta", "database_owner");
}

TEST_CASE("Validation: unknown-licence wherever a licence is named", "[validation]") {
  {
    Model m = valid_model();
    m.licences[1].requires_licences.push_back("nope");
    expect_only(m, "unknown-licence", "licences", "web", "requires");
  }
  {
    Model m = valid_model();
    m.plans[0].licences.push_back("nope");
    expect_only(m, "unknown-licence", "plans", "plan", "licences");
  }
  {
    Model m = valid_model();
    m.functional_rights[0].requires_licence = "nope";
    expect_only(m, "unknown-licence", "functional_rights", "host-right", "requires_licence");
  }
  {
    Model m = valid_model();
    m.users[0].licences.push_back("nope");
    expect_only(m, "unknown-licence", "users", "alice", "licences");
  }
}

TEST_CASE("Validation: licence-requires-itself", "[validation]") {
  Model m = valid_model();
  m.licences[0].requires_licences.push_back("user");
  expect_only(m, "licence-requires-itself", "licences", "user", "requires");
}

TEST_CASE("Validation: unknown-object wherever an object is named", "[validation]") {
  {
    Model m = valid_model();
    m.licences[0].cal_for.push_back("nope");
    expect_only(m, "unknown-object", "licences", "user", "cal_for");
  }
  {
    Model m = valid_model();
    cell(*m.find_role("level-1"), "nope", Relation::kOwn, "R");
    expect_only(m, "unknown-object", "roles", "level-1", "data_rights");
  }
  {
    Model m = valid_model();
    m.field_rights.push_back({"level-1", "nope", "f", Relation::kOwn, FieldRights{}, false, false});
    expect_only(m, "unknown-object", "field_rights", "level-1/nope.f", "object");
  }
  {
    Model m = valid_model();
    m.overrides.push_back({OverrideLevel::kSystem, "", "nope", OverrideScope::kAll, "", "", 1});
    expect_only(m, "unknown-object", "overrides", "system/nope", "object");
  }
}

TEST_CASE("Validation: custom objects are known objects", "[validation]") {
  Model m = valid_model();
  cell(*m.find_role("level-1"), "ticket", Relation::kOwn, "CRUD");
  m.licences[0].cal_for.push_back("ticket");
  m.overrides.push_back({OverrideLevel::kSystem, "", "ticket", OverrideScope::kAll, "", "", 1});
  REQUIRE(validate(m).empty());
}

TEST_CASE("Validation: site-licence-cal", "[validation]") {
  Model m = valid_model();
  m.licences[2].cal_for.push_back("sale");
  expect_only(m, "site-licence-cal", "licences", "quote", "cal_for");
}

TEST_CASE("Validation: site-licence-assigned in a plan or to a user", "[validation]") {
  {
    Model m = valid_model();
    m.plans[0].licences.push_back("quote");
    expect_only(m, "site-licence-assigned", "plans", "plan", "licences");
  }
  {
    Model m = valid_model();
    m.users[0].licences.push_back("quote");
    expect_only(m, "site-licence-assigned", "users", "alice", "licences");
  }
}

TEST_CASE("Validation: unknown-functional-right and duplicate-functional-right", "[validation]") {
  {
    Model m = valid_model();
    m.find_role("level-2")->functional_rights.push_back("nope");
    expect_only(m, "unknown-functional-right", "roles", "level-2", "functional_rights");
  }
  {
    Model m = valid_model();
    m.find_role("level-2")->functional_rights.push_back("see-other-companies-associates");
    expect_only(m, "duplicate-functional-right", "roles", "level-2", "functional_rights");
  }
}

TEST_CASE("Validation: invalid-rights in a role cell or an override", "[validation]") {
  {
    Model m = valid_model();
    m.find_role("level-2")->data_rights["sale"][0] = TableRights(TableRight::kFiltering);
    expect_only(m, "invalid-rights", "roles", "level-2", "data_rights.sale");
  }
  {
    Model m = valid_model();
    m.overrides.push_back({OverrideLevel::kSystem, "", "sale", OverrideScope::kAll, "", "", 16});
    expect_only(m, "invalid-rights", "overrides", "system/sale", "remove");
  }
  {
    Model m = valid_model();
    m.overrides.push_back({OverrideLevel::kSystem, "", "sale", OverrideScope::kAll, "", "amount", 4});
    expect_only(m, "invalid-rights", "overrides", "system/sale", "remove");
  }
}

TEST_CASE("Validation: one-anonymous-role and anonymous-role-data-only", "[validation]") {
  {
    Model m = valid_model();
    m.roles.push_back(blank_role("anon-2", RoleType::kAnonymous));
    expect_only(m, "one-anonymous-role", "roles", "anon-2", "type");
  }
  {
    Model m = valid_model();
    m.find_role("anonymous")->functional_rights.push_back("allow-bulk-edit");
    expect_only(m, "anonymous-role-data-only", "roles", "anonymous", "functional_rights");
  }
}

TEST_CASE("Validation: one-system-role", "[validation]") {
  Model m = valid_model();
  m.roles.push_back(blank_role("sys-2", RoleType::kSystem));
  expect_only(m, "one-system-role", "roles", "sys-2", "type");
}

TEST_CASE("Validation: role-type-fixed", "[validation]") {
  Model m = valid_model();
  m.find_role("level-5")->type = RoleType::kExternal;
  expect_only(m, "role-type-fixed", "roles", "level-5", "type");
}

TEST_CASE("Validation: system-role-edited", "[validation]") {
  Model m = valid_model();
  m.find_role("system")->description = "changed";
  expect_only(m, "system-role-edited", "roles", "system", "");
}

TEST_CASE("Validation: predefined roles other than system may be edited", "[validation]") {
  Model m = valid_model();
  cell(*m.find_role("level-0"), "sale", Relation::kOwn, "R");
  m.find_role("external")->functional_rights.clear();
  cell(*m.find_role("anonymous"), "company", Relation::kOwn, "R");
  REQUIRE(validate(m).empty());
}

TEST_CASE("Validation: unknown-role in a field right or on a user", "[validation]") {
  {
    Model m = valid_model();
    m.field_rights.push_back({"nope", "sale", "amount", Relation::kOwn, FieldRights{}, false, false});
    expect_only(m, "unknown-role", "field_rights", "nope/sale.amount", "role");
  }
  {
    Model m = valid_model();
    m.users[0].role = "nope";
    expect_only(m, "unknown-role", "users", "alice", "role");
  }
}

TEST_CASE("Validation: empty-field and duplicate-field-right", "[validation]") {
  {
    Model m = valid_model();
    m.field_rights.push_back({"level-1", "sale", "", Relation::kOwn, FieldRights{}, false, false});
    expect_only(m, "empty-field", "field_rights", "level-1/sale.", "field");
  }
  {
    Model m = valid_model();
    m.field_rights.push_back({"level-1", "sale", "amount", Relation::kOwn, FieldRights{}, false, false});
    m.field_rights.push_back({"level-1", "sale", "amount", Relation::kOwn, FieldRight::kRead, false, false});
    expect_only(m, "duplicate-field-right", "field_rights", "level-1/sale.amount", "relation");
    m.field_rights.back().relation = Relation::kPrimaryGroup;  // another relation is fine
    REQUIRE(validate(m).empty());
  }
}

TEST_CASE("Validation: unknown-group and unknown-user in overrides", "[validation]") {
  {
    Model m = valid_model();
    m.overrides.push_back({OverrideLevel::kGroup, "nope", "sale", OverrideScope::kAll, "", "", 1});
    expect_only(m, "unknown-group", "overrides", "group:nope/sale", "level");
  }
  {
    Model m = valid_model();
    m.overrides.push_back({OverrideLevel::kUser, "nope", "sale", OverrideScope::kAll, "", "", 1});
    expect_only(m, "unknown-user", "overrides", "user:nope/sale", "level");
  }
}

TEST_CASE("Validation: missing-record", "[validation]") {
  Model m = valid_model();
  m.overrides.push_back({OverrideLevel::kSystem, "", "sale", OverrideScope::kRecord, "", "", 1});
  expect_only(m, "missing-record", "overrides", "system/sale", "scope");
}

TEST_CASE("Validation: duplicate-person", "[validation]") {
  Model m = valid_model();
  m.users[0].person = "p-1";
  m.users[1].person = "p-1";
  expect_only(m, "duplicate-person", "users", "xena", "person");
}

TEST_CASE("Validation: unknown-plan", "[validation]") {
  Model m = valid_model();
  m.users[0].plan = "nope";
  expect_only(m, "unknown-plan", "users", "alice", "plan");
}

TEST_CASE("Validation: missing-prerequisite", "[validation]") {
  Model m = valid_model();
  m.users[0].licences = {"web"};
  expect_only(m, "missing-prerequisite", "users", "alice", "licences");
}

TEST_CASE("Validation: licence-over-count", "[validation]") {
  Model m = valid_model();
  m.licences[0].count = 1;
  m.users[0].licences = {"user"};
  REQUIRE(validate(m).empty());
  m.users[1].licences = {"user"};
  expect_only(m, "licence-over-count", "licences", "user", "count");
}

TEST_CASE("Validation: missing-role", "[validation]") {
  {
    Model m = valid_model();
    m.users[0].role.clear();
    expect_only(m, "missing-role", "users", "alice", "role");
  }
  {
    Model m = valid_model();
    m.users[1].role.clear();
    expect_only(m, "missing-role", "users", "xena", "role");
  }
  {
    // an anonymous user falls back to the anonymous role; without one it is missing
    Model m = valid_model();
    m.roles.erase(m.roles.begin() + 10);
    REQUIRE(m.find_role("anonymous") == nullptr);
    expect_only(m, "missing-role", "users", "anon", "role");
  }
}

TEST_CASE("Validation: role-type for every user type", "[validation]") {
  {
    Model m = valid_model();
    m.users[0].role = "external";
    expect_only(m, "role-type", "users", "alice", "role");
  }
  {
    Model m = valid_model();
    m.users[1].role = "level-1";
    expect_only(m, "role-type", "users", "xena", "role");
  }
  {
    Model m = valid_model();
    m.users[2].role = "level-1";
    expect_only(m, "role-type", "users", "anon", "role");
  }
  {
    Model m = valid_model();
    m.users[3].role = "level-0";
    expect_only(m, "role-type", "users", "integration", "role");
  }
}

TEST_CASE("Validation: missing-company, company-not-ours and external-company-ours", "[validation]") {
  {
    Model m = valid_model();
    m.users[0].company.clear();
    expect_only(m, "missing-company", "users", "alice", "company");
  }
  {
    Model m = valid_model();
    m.users[1].company.clear();
    expect_only(m, "missing-company", "users", "xena", "company");
  }
  {
    Model m = valid_model();
    m.users[0].company = "cust-1";
    expect_only(m, "company-not-ours", "users", "alice", "company");
  }
  {
    Model m = valid_model();
    m.users[1].company = "beta";
    expect_only(m, "external-company-ours", "users", "xena", "company");
  }
}

TEST_CASE("Validation: no-groups for external, anonymous and system users", "[validation]") {
  for (std::size_t i : {1u, 2u, 3u}) {
    Model m = valid_model();
    m.users[i].group = "sales";
    INFO(m.users[i].id);
    expect_only(m, "no-groups", "users", m.users[i].id, "group");
    m.users[i].group.clear();
    m.users[i].other_groups = {"sales"};
    expect_only(m, "no-groups", "users", m.users[i].id, "group");
  }
}

TEST_CASE("Validation: missing-group and unknown-group on users", "[validation]") {
  {
    Model m = valid_model();
    m.users[0].group.clear();
    expect_only(m, "missing-group", "users", "alice", "group");
  }
  {
    Model m = valid_model();
    m.users[0].group = "salse";
    expect_only(m, "unknown-group", "users", "alice", "group");
    REQUIRE(validate(m)[0].to_string() == "users[\"alice\"].group: unknown group \"salse\"");
  }
  {
    Model m = valid_model();
    m.users[0].other_groups.push_back("nope");
    expect_only(m, "unknown-group", "users", "alice", "other_groups");
  }
}

TEST_CASE("Validation: every rule id of the validator is covered by this file", "[validation]") {
  // The rules triggered above; if the validator gains a rule, add a test and list it here.
  const std::set<std::string> covered = {
      "empty-id", "duplicate-id", "two-database-owners", "unknown-licence", "licence-requires-itself",
      "unknown-object", "site-licence-cal", "site-licence-assigned", "unknown-functional-right",
      "duplicate-functional-right", "invalid-rights", "one-anonymous-role", "anonymous-role-data-only",
      "one-system-role", "role-type-fixed", "system-role-edited", "unknown-role", "empty-field",
      "duplicate-field-right", "unknown-group", "unknown-user", "missing-record", "duplicate-person",
      "unknown-plan", "missing-prerequisite", "licence-over-count", "missing-role", "role-type",
      "missing-company", "company-not-ours", "external-company-ours", "no-groups", "missing-group"};
  REQUIRE(covered.size() == 33);
}

TEST_CASE("Validation: a bad model reports all its errors, not just the first", "[validation]") {
  Model m = valid_model();
  m.groups.push_back({"sales", "dup"});                                // duplicate-id
  m.our_companies[1].database_owner = true;                           // two-database-owners
  m.licences[0].requires_licences.push_back("user");                  // licence-requires-itself
  m.plans[0].licences.push_back("quote");                             // site-licence-assigned
  m.find_role("level-2")->functional_rights.push_back("nope");        // unknown-functional-right
  m.find_role("system")->name = "Edited";                             // system-role-edited
  m.field_rights.push_back({"nope", "sale", "", Relation::kOwn, FieldRights{}, false, false});  // unknown-role, empty-field
  m.overrides.push_back({OverrideLevel::kUser, "ghost", "nope", OverrideScope::kRecord, "", "", 64});  // 4 rules
  m.users[0].group = "salse";                                         // unknown-group
  m.users[1].company = "acme";                                        // external-company-ours
  m.users[2].role = "level-1";                                        // role-type
  const std::multiset<std::string> got = rules(m);
  const std::multiset<std::string> want = {
      "duplicate-id",      "two-database-owners", "licence-requires-itself", "site-licence-assigned",
      "unknown-functional-right", "system-role-edited", "unknown-role", "empty-field",
      "unknown-user",      "unknown-object",      "missing-record",          "invalid-rights",
      "unknown-group",     "external-company-ours", "role-type"};
  REQUIRE(got == want);
  const Result<Snapshot> s = compile(m);
  REQUIRE_FALSE(s.has_value());
  REQUIRE(s.error().diagnostics.size() == want.size());
  REQUIRE(s.error().message.find("the model breaks 15 rules") == 0);
  const std::string text = s.error().to_string();
  REQUIRE(std::count(text.begin(), text.end(), '\n') == 15);
}
