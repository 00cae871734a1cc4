// The twelve predefined roles at sorights' defaults (docs/rules.md §13):
// each role's matrix and functional rights. These are sorights' reading of
// the reference's prose, not SuperOffice's values.
#include <set>

#include "support/catch.hpp"
#include "unit/fixture.hpp"

using namespace fx;

namespace {

// The expected row for every built-in object: own, primary group, other
// groups, other associates, external, anonymous, my company, same project.
struct Matrix {
  const char* own;
  const char* primary;
  const char* other_groups;
  const char* other;
  const char* external;
  const char* anonymous;
  const char* my_company;
  const char* same_project;
};

void check_matrix(const Role& r, const Matrix& m, bool own_follow_up_and_sale_full) {
  for (std::string_view o : kBuiltinObjectNames) {
    INFO(r.id << " " << o);
    const bool full_own = own_follow_up_and_sale_full && (o == "follow_up" || o == "sale");
    REQUIRE(r.cell(o, Relation::kOwn).to_crud() == (full_own ? "CRUD" : m.own));
    REQUIRE(r.cell(o, Relation::kPrimaryGroup).to_crud() == m.primary);
    REQUIRE(r.cell(o, Relation::kOtherGroups).to_crud() == m.other_groups);
    REQUIRE(r.cell(o, Relation::kOtherAssociates).to_crud() == m.other);
    REQUIRE(r.cell(o, Relation::kExternal).to_crud() == m.external);
    REQUIRE(r.cell(o, Relation::kAnonymous).to_crud() == m.anonymous);
    REQUIRE(r.cell(o, Relation::kMyCompany).to_crud() == m.my_company);
    REQUIRE(r.cell(o, Relation::kSameProject).to_crud() == m.same_project);
  }
}

std::set<std::string> rights_of(const Role& r) {
  return {r.functional_rights.begin(), r.functional_rights.end()};
}

const std::string kSeeOther = "see-other-companies-associates";

}  // namespace

TEST_CASE("Predefined roles: with_defaults holds the twelve roles in display order", "[predefined]") {
  const Model m = Model::with_defaults();
  REQUIRE(m.roles.size() == 12);
  for (std::size_t i = 0; i < 12; ++i) {
    REQUIRE(m.roles[i].id == kPredefinedRoleIds[i]);
    REQUIRE(is_predefined_role(m.roles[i].id));
    REQUIRE(*predefined_role(m.roles[i].id) == m.roles[i]);
    REQUIRE_FALSE(m.roles[i].name.empty());
    REQUIRE_FALSE(m.roles[i].description.empty());
  }
  REQUIRE_FALSE(predefined_role("level-6"));
  REQUIRE_FALSE(is_predefined_role("Level-0"));
  REQUIRE(validate(m).empty());
}

TEST_CASE("Predefined roles: role types", "[predefined]") {
  for (std::string_view id : {"level-0", "level-1", "level-2", "level-3", "level-4", "level-5", "list-admin",
                              "user-admin", "local"})
    REQUIRE(predefined_role(id)->type == RoleType::kEmployee);
  REQUIRE(predefined_role("external")->type == RoleType::kExternal);
  REQUIRE(predefined_role("anonymous")->type == RoleType::kAnonymous);
  REQUIRE(predefined_role("system")->type == RoleType::kSystem);
}

TEST_CASE("Predefined roles: level-0 is full and holds every admin and bulk right", "[predefined]") {
  const Role r = *predefined_role("level-0");
  check_matrix(r, {"CRUD", "CRUD", "CRUD", "CRUD", "CRUD", "CRUD", "", ""}, true);
  std::set<std::string> want;
  for (std::size_t i = 0; i < kBuiltinRightCount; ++i) {
    const std::string id(builtin_right_id(i));
    if (id.starts_with("admin-") || id.starts_with("allow-bulk-")) want.insert(id);
  }
  want.insert(kSeeOther);
  REQUIRE(want.contains("admin-all"));
  REQUIRE(want.contains("allow-bulk-edit"));
  REQUIRE(want.size() == 17 + 9 + 1);
  REQUIRE(rights_of(r) == want);
  REQUIRE(r.functional_rights.size() == want.size());
}

TEST_CASE("Predefined roles: each role's matrix and functional rights", "[predefined]") {
  struct Row {
    const char* what;
    const char* role;
    Matrix matrix;
    bool own_follow_up_and_sale_full;
    std::set<std::string> rights;
  };
  const Row rows[] = {
      {"level-1 is full with allow-bulk-edit", "level-1",
       {"CRUD", "CRUD", "CRUD", "CRUD", "CRUD", "CRUD", "", ""}, true, {"allow-bulk-edit", kSeeOther}},
      {"level-2 is full in the own group and reads beyond", "level-2",
       {"CRUD", "CRUD", "R", "R", "R", "R", "", ""}, true, {kSeeOther}},
      {"level-3 is full on own data and reads the group and beyond", "level-3",
       {"CRUD", "R", "R", "R", "R", "R", "", ""}, true, {kSeeOther}},
      {"level-4 is full on own data, reads the group, nothing beyond", "level-4",
       {"CRUD", "R", "", "", "", "", "", ""}, true, {kSeeOther}},
      {"level-5 reads most and creates own follow-ups", "level-5",
       {"R", "R", "R", "R", "R", "R", "", ""}, true, {kSeeOther}},
      {"list administrator is full with admin-lists", "list-admin",
       {"CRUD", "CRUD", "CRUD", "CRUD", "CRUD", "CRUD", "", ""}, true, {"admin-lists", kSeeOther}},
      {"local user is full on own and group data and lacks see-other-companies", "local",
       {"CRUD", "CRUD", "CRUD", "R", "R", "R", "", ""}, true, {}},
      {"external is own, my company and same project, published only", "external",
       {"CRUD", "", "", "", "", "", "R", "R"}, false,
       {"ext-use-my-company-rights", "ext-use-same-project-rights", "ext-need-publish-to-see-project",
        "ext-need-publish-to-see-appointment", "ext-need-publish-to-see-document", "ext-need-publish-to-see-sale"}},
      {"anonymous holds nothing until given", "anonymous", {"", "", "", "", "", "", "", ""}, false, {}},
      {"system is full on every cell", "system",
       {"CRUD", "CRUD", "CRUD", "CRUD", "CRUD", "CRUD", "CRUD", "CRUD"}, false, {}},
  };
  for (const Row& row : rows) {
    INFO(row.what);
    const Role r = *predefined_role(row.role);
    check_matrix(r, row.matrix, row.own_follow_up_and_sale_full);
    REQUIRE(rights_of(r) == row.rights);
  }
  // level-5 creates its own follow-ups
  REQUIRE(predefined_role("level-5")->cell("follow_up", Relation::kOwn).contains_all(TableRight::kInsert));
}

TEST_CASE("Predefined roles: user administrator is full with admin-users and the grants of the roles it assigns",
          "[predefined]") {
  const Role r = *predefined_role("user-admin");
  check_matrix(r, {"CRUD", "CRUD", "CRUD", "CRUD", "CRUD", "CRUD", "", ""}, true);
  REQUIRE(rights_of(r) == std::set<std::string>{"admin-users", "allow-bulk-edit", "ext-use-my-company-rights",
                                                "ext-use-same-project-rights", kSeeOther});
  // Every non-admin, non-restrictive right of levels 1-5, Local user and
  // External user, so that it may assign them; nothing of an admin role.
  const Model m = Model::with_defaults();
  for (const char* assignable : {"level-1", "level-2", "level-3", "level-4", "level-5", "local", "external"}) {
    const Role from = *predefined_role(assignable);
    for (const std::string& right : from.functional_rights)
      if (!is_restrictive_right(m, right)) CHECK(r.has_right(right));
  }
  for (const std::string& right : r.functional_rights) {
    CHECK_FALSE(is_restrictive_right(m, right));
    CHECK((right == "admin-users" || !right.starts_with("admin-")));
  }
}

TEST_CASE("Predefined roles: every employee role but local holds see-other-companies-associates", "[predefined]") {
  for (std::string_view id : kPredefinedRoleIds) {
    const Role r = *predefined_role(id);
    INFO(id);
    REQUIRE(r.has_right(kSeeOther) == (r.type == RoleType::kEmployee && id != "local"));
  }
}

TEST_CASE("Predefined roles: the defaults evaluate as documented", "[predefined]") {
  Model m = base_model();
  const char* const roles[] = {"level-0", "level-1", "level-2", "level-3", "level-4", "level-5",
                               "list-admin", "user-admin", "local"};
  for (const char* role : roles) m.users.push_back(associate(std::string("u-") + role, "acme", role, "sales"));
  m.users.push_back(associate("peer", "acme", "level-1", "sales"));
  m.users.push_back(associate("far", "acme", "level-1", "marketing"));
  m.users.push_back(associate("beta", "beta", "level-1", "marketing"));
  const Snapshot s = build(m);
  struct Row { const char* role; const char* own; const char* group; const char* beyond; const char* other_co; };
  const Row rows[] = {{"level-0", "CRUD", "CRUD", "CRUD", "CRUD"}, {"level-1", "CRUD", "CRUD", "CRUD", "CRUD"},
                      {"level-2", "CRUD", "CRUD", "R", "R"},       {"level-3", "CRUD", "R", "R", "R"},
                      {"level-4", "CRUD", "R", "", ""},            {"level-5", "R", "R", "R", "R"},
                      {"list-admin", "CRUD", "CRUD", "CRUD", "CRUD"}, {"user-admin", "CRUD", "CRUD", "CRUD", "CRUD"},
                      {"local", "CRUD", "CRUD", "R", ""}};
  for (const Row& row : rows) {
    const std::string u = std::string("u-") + row.role;
    INFO(u);
    REQUIRE(rights(s, u, Rec(s, "project", u)) == row.own);
    REQUIRE(rights(s, u, Rec(s, "project", "peer")) == row.group);
    REQUIRE(rights(s, u, Rec(s, "project", "far")) == row.beyond);
    REQUIRE(rights(s, u, Rec(s, "project", "beta")) == row.other_co);
    REQUIRE(rights(s, u, Rec(s, "follow_up", u)) == "CRUD");
    REQUIRE(rights(s, u, Rec(s, "sale", u)) == "CRUD");
  }
  REQUIRE(has(s, "u-level-0", "admin-all"));
  REQUIRE(has(s, "u-level-1", "allow-bulk-edit"));
  REQUIRE_FALSE(has(s, "u-level-2", "allow-bulk-edit"));
  REQUIRE(has(s, "u-list-admin", "admin-lists"));
  REQUIRE(has(s, "u-user-admin", "admin-users"));
  REQUIRE_FALSE(has(s, "u-local", kSeeOther));
}
