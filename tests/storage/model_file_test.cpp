// Model files: import semantics, every error with its JSON path, export.
#include <random>

#include "sorights/storage/model_file.hpp"
#include "sorights/snapshot.hpp"
#include "support.hpp"
#include "support/catch.hpp"

using namespace sorights;
using storage_test::sample_model;

namespace {

std::vector<std::string> problems(const Result<Model>& r) {
  std::vector<std::string> out;
  if (r) return out;
  for (const Diagnostic& d : r.error().diagnostics) out.push_back(d.to_string());
  return out;
}

bool has_problem(const Result<Model>& r, const std::string& text) {
  for (const std::string& p : problems(r))
    if (p == text) return true;
  UNSCOPED_INFO("problems:");
  for (const std::string& p : problems(r)) UNSCOPED_INFO("  " << p);
  return false;
}

const char* kBase = R"({
  "format": "sorights-model/1",
  "our_companies": [{"id": "acme", "name": "Acme", "database_owner": true}],
  "groups": [{"id": "sales", "name": "Sales"}, {"id": "support"}],
  "users": [{"id": "alice", "company": "acme", "role": "level-3", "group": "sales"}]
})";

}  // namespace

TEST_CASE("model file: the docs/model-file.md example parses", "[storage][model-file]") {
  const char* text = R"({
  "format": "sorights-model/1",
  "our_companies": [
    {"id": "acme-no", "name": "Acme Norge AS", "database_owner": true},
    {"id": "acme-se", "name": "Acme Sverige AB"}
  ],
  "groups": [{"id": "sales", "name": "Sales"}, {"id": "support", "name": "Support"}],
  "licences": [
    {"id": "user", "kind": "user", "count": 25},
    {"id": "web", "kind": "user", "count": 25, "requires": ["user"]},
    {"id": "visible-for", "kind": "user", "unrestricted": true},
    {"id": "quote", "kind": "site"}
  ],
  "plans": [{"id": "sales-premium", "licences": ["user", "web", "visible-for"]}],
  "functional_rights": [{"id": "acme-approve-discount", "name": "Approve discounts", "requires_licence": "quote"}],
  "roles": [
    {"id": "sales-rep", "name": "Sales rep", "type": "employee", "copy_of": "level-3",
     "data_rights": {"sale": {"own": "CRUD", "primary_group": "R", "other_groups": "R", "other_associates": ""}},
     "functional_rights": ["allow-bulk-export"]}
  ],
  "field_rights": [
    {"role": "sales-rep", "object": "sale", "field": "amount", "relation": "other_groups", "rights": "R"}
  ],
  "overrides": [
    {"level": "system", "object": "sale", "scope": "existing", "remove": "D"},
    {"level": "group:support", "object": "company", "scope": "all", "field": "name", "remove": "W"},
    {"level": "user:alice", "object": "sale", "scope": "existing", "remove": ""}
  ],
  "users": [
    {"id": "alice", "type": "associate", "company": "acme-no", "role": "sales-rep", "group": "sales",
     "other_groups": ["support"], "plan": "sales-premium", "can_log_in": true},
    {"id": "carl", "type": "external", "company": "customer-1", "role": "external", "projects": ["p-42"]},
    {"id": "web-anon", "type": "anonymous", "role": "anonymous"},
    {"id": "integration", "type": "system"}
  ]
})";
  auto m = parse_model_file(text, Model::with_defaults());
  INFO((m ? std::string() : m.error().to_string()));
  REQUIRE(m);
  const Role* rep = m->find_role("sales-rep");
  REQUIRE(rep != nullptr);
  // copy_of: level-3's cells, the named ones replaced.
  CHECK(rep->cell("sale", Relation::kOtherAssociates) == TableRights{});
  CHECK(rep->cell("company", Relation::kOtherAssociates) == TableRights(TableRight::kSelect));
  CHECK(rep->functional_rights == std::vector<std::string>{"allow-bulk-export"});
  CHECK(m->overrides.size() == 3);
  CHECK(m->overrides[1].remove == 2);
  CHECK(compile(*m));
}

TEST_CASE("model file: merge edits roles cell by cell and replaces other entities", "[storage][model-file]") {
  auto base = parse_model_file(kBase, Model::with_defaults());
  REQUIRE(base);
  Model stored = *base;
  stored.find_role("level-3")->functional_rights.push_back("allow-bulk-export");
  auto m = parse_model_file(R"({
    "roles": [{"id": "level-3", "data_rights": {"sale": {"other_associates": ""}}}],
    "users": [{"id": "alice", "company": "acme", "role": "level-4", "group": "support"}],
    "groups": [{"id": "sales", "name": "Sales team"}]
  })", stored);
  REQUIRE(m);
  const Role* l3 = m->find_role("level-3");
  CHECK(l3->cell("sale", Relation::kOtherAssociates) == TableRights{});
  CHECK(l3->cell("sale", Relation::kPrimaryGroup) == TableRights(TableRight::kSelect));
  CHECK(l3->has_right("allow-bulk-export"));  // no functional_rights list: kept
  CHECK(m->find_user("alice")->role == "level-4");
  CHECK(m->find_user("alice")->other_groups.empty());
  CHECK(m->groups.size() == 2);  // support kept
  CHECK(m->groups[0].name == "Sales team");
}

TEST_CASE("model file: replace makes the model equal to the file", "[storage][model-file]") {
  Model stored = sample_model();
  auto m = parse_model_file(kBase, stored, {.mode = ImportMode::kReplace});
  REQUIRE(m);
  CHECK(m->find_role("rep") == nullptr);          // custom role missing: removed
  CHECK(*m->find_role("level-5") == *predefined_role("level-5"));  // predefined: back to defaults
  CHECK(m->users.size() == 1);
  CHECK(m->licences.empty());
}

TEST_CASE("model file: every problem is reported with its JSON path", "[storage][model-file]") {
  auto r = parse_model_file(R"({
    "format": "sorights-model/1",
    "colour": "blue",
    "our_companies": [{"id": "acme"}],
    "groups": [{"id": "sales"}, {"id": "sales"}],
    "licences": [{"id": "web", "kind": "user", "count": -1, "requires": ["usr"]}],
    "roles": [{"id": "r", "copy_of": "nope"},
              {"id": "s", "data_rights": {"sale": {"own": "CRX", "ownn": "R"}, "salez": {"own": "R"}}, "functional_rights": ["nope"]},
              {"id": "level-3", "type": "external"}],
    "field_rights": [{"role": "s", "object": "sale", "field": "amount", "relation": "own", "rights": "X", "ui": ["loud"]}],
    "overrides": [{"level": "team:x", "object": "sale", "scope": "sometimes", "remove": "Q"}],
    "users": [
      {"id": "a", "company": "acme", "role": "level-3", "group": "sales"},
      {"id": "b", "company": "acme", "role": "level-3", "group": "sales"},
      {"id": "c", "company": "acme", "role": "level-3", "group": "sales"},
      {"id": "d", "company": "acme", "role": "level-3", "group": "salse", "other_groups": ["sales", "x"]},
      {"id": "e", "type": "wizard", "can_log_in": "yes", "shoe": 1},
      7
    ]
  })", Model::with_defaults(), {.file_name = "m.json"});
  REQUIRE(!r);
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
  CHECK(r.error().message.starts_with("m.json: invalid model file"));
  CHECK(has_problem(r, "colour: unknown key \"colour\""));
  CHECK(has_problem(r, "groups[1].id: duplicate entry \"sales\" (also groups[0])"));
  CHECK(has_problem(r, "licences[0].count: expected a whole number from 0 to 4294967295, found -1"));
  CHECK(has_problem(r, "licences[0].requires[0]: unknown licence \"usr\""));
  CHECK(has_problem(r, "roles[0].copy_of: unknown role \"nope\""));
  CHECK(has_problem(r, "roles[1].data_rights.sale.own: invalid rights \"CRX\" (any of the letters C, R, U, D, each at most once)"));
  CHECK(has_problem(r, "roles[1].data_rights.salez: unknown data object \"salez\""));
  CHECK(has_problem(r, "roles[1].functional_rights[0]: unknown functional right \"nope\""));
  CHECK(has_problem(r, "roles[2].type: the type of role \"level-3\" is fixed at creation (employee)"));
  CHECK(has_problem(r, "field_rights[0].rights: invalid field rights \"X\" (\"R\", \"W\", \"RW\" or \"\")"));
  CHECK(has_problem(r, "field_rights[0].ui[0]: unknown UI hint \"loud\" (\"mandatory\" or \"read-only\")"));
  CHECK(has_problem(r, "overrides[0].level: override level is \"system\", \"group:ID\" or \"user:ID\", not \"team:x\""));
  CHECK(has_problem(r, "users[3].group: unknown group \"salse\""));
  CHECK(has_problem(r, "users[3].other_groups[1]: unknown group \"x\""));
  CHECK(has_problem(r, "users[4].type: user type is associate, resource, external, anonymous or system, not \"wizard\""));
  CHECK(has_problem(r, "users[4].can_log_in: expected true or false, found a string"));
  CHECK(has_problem(r, "users[4].shoe: unknown key \"shoe\""));
  CHECK(has_problem(r, "users[5]: expected an object, found a number"));
  // No noise: user e's wrong type hides the rules about its (unknown) type.
  for (const std::string& p : problems(r)) CHECK(!p.starts_with("users[4].role"));
}

TEST_CASE("model file: syntax errors and wrong shapes", "[storage][model-file]") {
  auto r = parse_model_file("{\"users\": [", Model::with_defaults(), {.file_name = "x.json"});
  REQUIRE(!r);
  REQUIRE(r.error().diagnostics.size() == 1);
  CHECK(r.error().diagnostics[0].message.find("line 1") != std::string::npos);
  CHECK(!parse_model_file("[]", Model::with_defaults()));
  CHECK(has_problem(parse_model_file(R"({"users": {}})", Model::with_defaults()), "users: expected an array"));
  CHECK(has_problem(parse_model_file(R"({"format": "sorights-model/9"})", Model::with_defaults()),
                    "format: unsupported format \"sorights-model/9\" (this build reads \"sorights-model/1\")"));
  // Base entities keep their names in diagnostics.
  Model base = *parse_model_file(kBase, Model::with_defaults());
  CHECK(has_problem(parse_model_file(R"({"licences": [{"id": "web", "kind": "user", "count": 0}],
     "users": [{"id": "bob", "company": "acme", "role": "level-3", "group": "sales", "licences": ["web"]}]})", base),
                    "licences[0].count: licence \"web\" is assigned to 1 users but only 0 are purchased"));
}

TEST_CASE("model file: export round-trips", "[storage][model-file]") {
  const Model m = sample_model();
  const std::string text = export_model_file(m);
  auto replaced = parse_model_file(text, Model{}, {.mode = ImportMode::kReplace});
  INFO(text);
  REQUIRE(replaced);
  CHECK(*replaced == m);
  auto merged = parse_model_file(text, m);
  REQUIRE(merged);
  CHECK(*merged == m);
  auto into_defaults = parse_model_file(text, Model::with_defaults());
  REQUIRE(into_defaults);
  CHECK(*into_defaults == m);
  CHECK(export_model_file(Model::with_defaults()) == "{\"format\": \"sorights-model/1\"}\n");
}

TEST_CASE("model file: mutated files never crash, and what parses round-trips", "[storage][model-file]") {
  const std::string original = storage_test::read_all(SORIGHTS_DEMO_MODEL);
  REQUIRE(!original.empty());
  std::mt19937 rng(4242);
  const std::string alphabet = "{}[]\":,0123456789-. CRUDWtrue falsenull\\\xff";
  int parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = original;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      const std::size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0: text[at] = alphabet[rng() % alphabet.size()]; break;
        case 1: text.erase(at, 1 + rng() % 8); break;
        default: text.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
      }
      if (text.empty()) text = "{}";
    }
    const ImportMode mode = i % 2 ? ImportMode::kMerge : ImportMode::kReplace;
    auto m = parse_model_file(text, storage_test::sample_model(), {.mode = mode});
    if (!m) {
      CHECK(!m.error().diagnostics.empty());
      continue;
    }
    ++parsed;
    REQUIRE(compile(*m));
    auto again = parse_model_file(export_model_file(*m), Model{}, {.mode = ImportMode::kReplace});
    REQUIRE(again);
    CHECK(*again == *m);
  }
  CHECK(parsed > 0);
}

// docs/rules.md §16 (issue 13): "restrictive" on a declared right.
TEST_CASE("model file: a declared right's restrictive flag round-trips and is omitted when false",
          "[storage][model-file]") {
  const char* text = R"({
  "format": "sorights-model/1",
  "functional_rights": [{"id": "hide-planner", "name": "Hide planner", "restrictive": true},
                        {"id": "export", "restrictive": false}, {"id": "print"}]
})";
  auto m = parse_model_file(text, Model::with_defaults());
  REQUIRE(m);
  REQUIRE(m->functional_rights.size() == 3);
  CHECK(m->functional_rights[0].restrictive);
  CHECK_FALSE(m->functional_rights[1].restrictive);
  CHECK_FALSE(m->functional_rights[2].restrictive);
  CHECK(is_restrictive_right(*m, "hide-planner"));
  CHECK_FALSE(is_restrictive_right(*m, "export"));
  const std::string out = export_model_file(*m);
  INFO(out);
  CHECK(out.find("\"restrictive\": true") != std::string::npos);
  CHECK(out.find("\"restrictive\"") == out.rfind("\"restrictive\""));  // once: false is not written
  auto back = parse_model_file(out, Model{}, {.mode = ImportMode::kReplace});
  REQUIRE(back);
  CHECK(*back == *m);
  // Not a boolean: an error naming the path.
  CHECK(has_problem(parse_model_file(R"({"functional_rights": [{"id": "x", "restrictive": "yes"}]})",
                                     Model::with_defaults()),
                    "functional_rights[0].restrictive: expected true or false, found a string"));
}
