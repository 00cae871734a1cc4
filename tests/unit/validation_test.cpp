// Validation (detail::Validator): every rule id is triggered, each names its
// item, and a bad model reports all its errors at once.
#include <algorithm>
#include <functional>
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

// Expects valid_model() with `change` made to it to break exactly `rule` (once), on `collection`/`item`/`field`.
void expect_only_after(const std::function<void(Model&)>& change, std::string_view rule, std::string_view collection,
                       std::string_view item, std::string_view field_name) {
  Model m = valid_model();
  change(m);
  expect_only(m, rule, collection, item, field_name);
}

}  // namespace

TEST_CASE("Validation: the base model is valid", "[validation]") {
  REQUIRE(validate(valid_model()).empty());
  REQUIRE(compile(valid_model()).has_value());
}

TEST_CASE("Validation: empty-id", "[validation]") {
  expect_only_after([](Model& m) { m.groups.push_back({"", "Nameless"}); }, "empty-id", "groups", "", "id");
}

TEST_CASE("Validation: duplicate-id in every collection", "[validation]") {
  expect_only_after([](Model& m) { m.groups.push_back({"sales", "Sales again"}); },
                    "duplicate-id", "groups", "sales", "id");
  expect_only_after([](Model& m) { m.our_companies.push_back({"beta", "Beta again", false}); },
                    "duplicate-id", "our_companies", "beta", "id");
  expect_only_after([](Model& m) { m.roles.push_back(blank_role("level-3")); },
                    "duplicate-id", "roles", "level-3", "id");
  expect_only_after([](Model& m) { m.users.push_back(associate("alice", "acme", "level-1", "sales")); },
                    "duplicate-id", "users", "alice", "id");
  expect_only_after([](Model& m) { m.plans.push_back({"plan", "Plan", {}}); }, "duplicate-id", "plans", "plan", "id");
  expect_only_after([](Model& m) { m.licences.push_back({"quote", "Quote", LicenceKind::kSite, 0, false, {}, {}}); },
                    "duplicate-id", "licences", "quote", "id");
}

TEST_CASE("Validation: duplicate-id for a declared built-in right or object", "[validation]") {
  expect_only_after([](Model& m) { m.functional_rights.push_back({"admin-all", "Mine", ""}); },
                    "duplicate-id", "functional_rights", "admin-all", "id");
  expect_only_after([](Model& m) { m.objects.push_back({"sale", "Sale", false, false, false}); },
                    "duplicate-id", "objects", "sale", "id");
}

TEST_CASE("Validation: two-database-owners", "[validation]") {
  expect_only_after([](Model& m) { m.our_companies[1].database_owner = true; },
                    "two-database-owners", "our_companies", "beta", "database_owner");
}

TEST_CASE("Validation: unknown-licence wherever a licence is named", "[validation]") {
  expect_only_after([](Model& m) { m.licences[1].requires_licences.push_back("nope"); },
                    "unknown-licence", "licences", "web", "requires");
  expect_only_after([](Model& m) { m.plans[0].licences.push_back("nope"); },
                    "unknown-licence", "plans", "plan", "licences");
  expect_only_after([](Model& m) { m.functional_rights[0].requires_licence = "nope"; },
                    "unknown-licence", "functional_rights", "host-right", "requires_licence");
  expect_only_after([](Model& m) { m.users[0].licences.push_back("nope"); },
                    "unknown-licence", "users", "alice", "licences");
}

TEST_CASE("Validation: licence-requires-itself", "[validation]") {
  expect_only_after([](Model& m) { m.licences[0].requires_licences.push_back("user"); },
                    "licence-requires-itself", "licences", "user", "requires");
}

TEST_CASE("Validation: unknown-object wherever an object is named", "[validation]") {
  expect_only_after([](Model& m) { m.licences[0].cal_for.push_back("nope"); },
                    "unknown-object", "licences", "user", "cal_for");
  expect_only_after([](Model& m) { cell(*m.find_role("level-1"), "nope", Relation::kOwn, "R"); },
                    "unknown-object", "roles", "level-1", "data_rights");
  expect_only_after(
      [](Model& m) { m.field_rights.push_back({"level-1", "nope", "f", Relation::kOwn, FieldRights{}, false, false}); },
      "unknown-object", "field_rights", "level-1/nope.f", "object");
  expect_only_after(
      [](Model& m) { m.overrides.push_back({OverrideLevel::kSystem, "", "nope", OverrideScope::kAll, "", "", 1}); },
      "unknown-object", "overrides", "system/nope", "object");
}

TEST_CASE("Validation: custom objects are known objects", "[validation]") {
  Model m = valid_model();
  cell(*m.find_role("level-1"), "ticket", Relation::kOwn, "CRUD");
  m.licences[0].cal_for.push_back("ticket");
  m.overrides.push_back({OverrideLevel::kSystem, "", "ticket", OverrideScope::kAll, "", "", 1});
  REQUIRE(validate(m).empty());
}

TEST_CASE("Validation: site-licence-cal", "[validation]") {
  expect_only_after([](Model& m) { m.licences[2].cal_for.push_back("sale"); },
                    "site-licence-cal", "licences", "quote", "cal_for");
}

TEST_CASE("Validation: site-licence-assigned in a plan or to a user", "[validation]") {
  expect_only_after([](Model& m) { m.plans[0].licences.push_back("quote"); },
                    "site-licence-assigned", "plans", "plan", "licences");
  expect_only_after([](Model& m) { m.users[0].licences.push_back("quote"); },
                    "site-licence-assigned", "users", "alice", "licences");
}

TEST_CASE("Validation: unknown-functional-right and duplicate-functional-right", "[validation]") {
  expect_only_after([](Model& m) { m.find_role("level-2")->functional_rights.push_back("nope"); },
                    "unknown-functional-right", "roles", "level-2", "functional_rights");
  expect_only_after(
      [](Model& m) { m.find_role("level-2")->functional_rights.push_back("see-other-companies-associates"); },
      "duplicate-functional-right", "roles", "level-2", "functional_rights");
}

TEST_CASE("Validation: invalid-rights in a role cell or an override", "[validation]") {
  expect_only_after(
      [](Model& m) { m.find_role("level-2")->data_rights["sale"][0] = TableRights(TableRight::kFiltering); },
      "invalid-rights", "roles", "level-2", "data_rights.sale");
  expect_only_after(
      [](Model& m) { m.overrides.push_back({OverrideLevel::kSystem, "", "sale", OverrideScope::kAll, "", "", 16}); },
      "invalid-rights", "overrides", "system/sale", "remove");
  expect_only_after(
      [](Model& m) {
        m.overrides.push_back({OverrideLevel::kSystem, "", "sale", OverrideScope::kAll, "", "amount", 4});
      },
      "invalid-rights", "overrides", "system/sale", "remove");
}

TEST_CASE("Validation: one-anonymous-role and anonymous-role-data-only", "[validation]") {
  expect_only_after([](Model& m) { m.roles.push_back(blank_role("anon-2", RoleType::kAnonymous)); },
                    "one-anonymous-role", "roles", "anon-2", "type");
  expect_only_after([](Model& m) { m.find_role("anonymous")->functional_rights.push_back("allow-bulk-edit"); },
                    "anonymous-role-data-only", "roles", "anonymous", "functional_rights");
}

TEST_CASE("Validation: one-system-role", "[validation]") {
  expect_only_after([](Model& m) { m.roles.push_back(blank_role("sys-2", RoleType::kSystem)); },
                    "one-system-role", "roles", "sys-2", "type");
}

TEST_CASE("Validation: role-type-fixed", "[validation]") {
  expect_only_after([](Model& m) { m.find_role("level-5")->type = RoleType::kExternal; },
                    "role-type-fixed", "roles", "level-5", "type");
}

TEST_CASE("Validation: system-role-edited", "[validation]") {
  expect_only_after([](Model& m) { m.find_role("system")->description = "changed"; },
                    "system-role-edited", "roles", "system", "");
}

TEST_CASE("Validation: predefined roles other than system may be edited", "[validation]") {
  Model m = valid_model();
  cell(*m.find_role("level-0"), "sale", Relation::kOwn, "R");
  m.find_role("external")->functional_rights.clear();
  cell(*m.find_role("anonymous"), "company", Relation::kOwn, "R");
  REQUIRE(validate(m).empty());
}

TEST_CASE("Validation: unknown-role in a field right or on a user", "[validation]") {
  expect_only_after(
      [](Model& m) {
        m.field_rights.push_back({"nope", "sale", "amount", Relation::kOwn, FieldRights{}, false, false});
      },
      "unknown-role", "field_rights", "nope/sale.amount", "role");
  expect_only_after([](Model& m) { m.users[0].role = "nope"; }, "unknown-role", "users", "alice", "role");
}

TEST_CASE("Validation: empty-field and duplicate-field-right", "[validation]") {
  expect_only_after(
      [](Model& m) { m.field_rights.push_back({"level-1", "sale", "", Relation::kOwn, FieldRights{}, false, false}); },
      "empty-field", "field_rights", "level-1/sale.", "field");
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
  expect_only_after(
      [](Model& m) { m.overrides.push_back({OverrideLevel::kGroup, "nope", "sale", OverrideScope::kAll, "", "", 1}); },
      "unknown-group", "overrides", "group:nope/sale", "level");
  expect_only_after(
      [](Model& m) { m.overrides.push_back({OverrideLevel::kUser, "nope", "sale", OverrideScope::kAll, "", "", 1}); },
      "unknown-user", "overrides", "user:nope/sale", "level");
}

TEST_CASE("Validation: missing-record", "[validation]") {
  expect_only_after(
      [](Model& m) { m.overrides.push_back({OverrideLevel::kSystem, "", "sale", OverrideScope::kRecord, "", "", 1}); },
      "missing-record", "overrides", "system/sale", "scope");
}

TEST_CASE("Validation: duplicate-person", "[validation]") {
  Model m = valid_model();
  m.users[0].person = "p-1";
  m.users[1].person = "p-1";
  expect_only(m, "duplicate-person", "users", "xena", "person");
}

TEST_CASE("Validation: unknown-plan", "[validation]") {
  expect_only_after([](Model& m) { m.users[0].plan = "nope"; }, "unknown-plan", "users", "alice", "plan");
}

TEST_CASE("Validation: missing-prerequisite", "[validation]") {
  expect_only_after([](Model& m) { m.users[0].licences = {"web"}; },
                    "missing-prerequisite", "users", "alice", "licences");
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
  expect_only_after([](Model& m) { m.users[0].role.clear(); }, "missing-role", "users", "alice", "role");
  expect_only_after([](Model& m) { m.users[1].role.clear(); }, "missing-role", "users", "xena", "role");
  {
    // an anonymous user falls back to the anonymous role; without one it is missing
    Model m = valid_model();
    m.roles.erase(m.roles.begin() + 10);
    REQUIRE(m.find_role("anonymous") == nullptr);
    expect_only(m, "missing-role", "users", "anon", "role");
  }
}

TEST_CASE("Validation: role-type for every user type", "[validation]") {
  expect_only_after([](Model& m) { m.users[0].role = "external"; }, "role-type", "users", "alice", "role");
  expect_only_after([](Model& m) { m.users[1].role = "level-1"; }, "role-type", "users", "xena", "role");
  expect_only_after([](Model& m) { m.users[2].role = "level-1"; }, "role-type", "users", "anon", "role");
  expect_only_after([](Model& m) { m.users[3].role = "level-0"; }, "role-type", "users", "integration", "role");
}

TEST_CASE("Validation: missing-company, company-not-ours and external-company-ours", "[validation]") {
  expect_only_after([](Model& m) { m.users[0].company.clear(); }, "missing-company", "users", "alice", "company");
  expect_only_after([](Model& m) { m.users[1].company.clear(); }, "missing-company", "users", "xena", "company");
  expect_only_after([](Model& m) { m.users[0].company = "cust-1"; }, "company-not-ours", "users", "alice", "company");
  expect_only_after([](Model& m) { m.users[1].company = "beta"; }, "external-company-ours", "users", "xena", "company");
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
  expect_only_after([](Model& m) { m.users[0].group.clear(); }, "missing-group", "users", "alice", "group");
  {
    Model m = valid_model();
    m.users[0].group = "salse";
    expect_only(m, "unknown-group", "users", "alice", "group");
    REQUIRE(validate(m)[0].to_string() == "users[\"alice\"].group: unknown group \"salse\"");
  }
  expect_only_after([](Model& m) { m.users[0].other_groups.push_back("nope"); },
                    "unknown-group", "users", "alice", "other_groups");
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
