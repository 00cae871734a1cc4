// Policy tests (policy_tests.hpp): test files and model files' `tests`, every
// parse error at its JSON path, failures naming the test, unknown ids as
// errors, and the demo model's own tests (examples/demo-tests.json).
#include <string>
#include <vector>

#include "sorights/model_file.hpp"
#include "sorights/policy_tests.hpp"
#include "sorights/snapshot.hpp"
#include "support/catch.hpp"

using namespace sorights;

namespace {

std::vector<std::string> problems(const Error& e) {
  std::vector<std::string> out;
  for (const Diagnostic& d : e.diagnostics) out.push_back(d.to_string());
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  for (const std::string& x : v)
    if (x == s) return true;
  UNSCOPED_INFO("problems:");
  for (const std::string& x : v) UNSCOPED_INFO("  " << x);
  return false;
}

// Every one of `wanted` is among the problems `e` reports.
void check_reported(const Error& e, std::initializer_list<const char*> wanted) {
  const std::vector<std::string> p = problems(e);
  for (const char* w : wanted) {
    INFO(w);
    CHECK(contains(p, w));
  }
}

const char* kModel = R"({
  "format": "sorights-model/1",
  "our_companies": [{"id": "acme", "name": "Acme", "database_owner": true}],
  "groups": [{"id": "sales"}, {"id": "ops"}],
  "users": [{"id": "alice", "company": "acme", "role": "level-3", "group": "sales"},
            {"id": "bob", "company": "acme", "role": "level-0", "group": "ops"},
            {"id": "sys", "type": "system"}],
  "tests": [
    {"name": "own sale", "user": "alice", "action": "update", "object": "sale", "record": {"owner": "alice"},
     "expect": "allow"},
    {"name": "wrong on purpose", "user": "alice", "has": "admin-all", "expect": "allow"},
    {"name": "rights", "user": "alice", "object": "sale", "record": {"owner": "alice", "completed": true},
     "expect_rights": "Select|Insert"},
    {"name": "admin", "user": "alice", "has": "admin-all", "expect": "deny"},
    {"name": "who", "who_can": "update", "object": "sale", "record": {"owner": "alice"},
     "expect_users": ["sys", "bob", "alice"]},
    {"name": "who, wrong", "who_can": "update", "object": "sale", "record": {"owner": "alice"},
     "expect_users": ["alice"]}
  ]
})";

}  // namespace

TEST_CASE("policy tests: a model file's tests run against its model, failures name the test", "[storage][policy-tests]") {
  auto model = parse_model_file(kModel, Model::with_defaults());
  REQUIRE(model.has_value());  // the model-file parser accepts a `tests` member
  auto file = parse_policy_tests(kModel, "m.json");
  REQUIRE(file.has_value());
  CHECK(file->model_file);
  REQUIRE(file->tests.size() == 6);
  CHECK(file->tests[2].kind == PolicyTestKind::kRights);
  CHECK(file->tests[1].kind == PolicyTestKind::kHas);
  CHECK(file->tests[4].kind == PolicyTestKind::kWhoCan);
  const Snapshot s = std::move(compile(*model)).value();
  auto report = run_policy_tests(s, *model, file->tests);
  REQUIRE(report.has_value());
  CHECK(report->passed == 4);
  REQUIRE(report->failed() == 2);
  CHECK(report->failures[0].to_string() == "wrong on purpose: expected allow, got deny");
  CHECK(report->failures[1].to_string() == "who, wrong: expected [alice], got [alice, bob, sys]");
}

TEST_CASE("policy tests: an unknown id is an error naming the test, not a failure", "[storage][policy-tests]") {
  auto model = parse_model_file(kModel, Model::with_defaults());
  REQUIRE(model.has_value());
  const Snapshot s = std::move(compile(*model)).value();
  auto file = parse_policy_tests(R"({"format": "sorights-tests/1", "tests": [
    {"name": "t1", "user": "ghost", "action": "read", "object": "sale", "expect": "allow"},
    {"name": "t2", "user": "alice", "action": "read", "object": "widget", "record": {"owner": "nobody"}, "expect": "allow"},
    {"name": "t3", "user": "alice", "has": "no-such-right", "expect": "deny"},
    {"name": "t4", "who_can": "read", "object": "sale", "record": {"visible_for": "group:nogroup"}, "expect_users": ["zed"]}
  ]})");
  REQUIRE(file.has_value());
  CHECK_FALSE(file->model_file);
  auto report = run_policy_tests(s, *model, file->tests);
  REQUIRE_FALSE(report.has_value());
  check_reported(report.error(), {
                     "tests[\"t1\"].user: unknown user \"ghost\"",
                     "tests[\"t2\"].object: unknown data object \"widget\"",
                     "tests[\"t2\"].record.owner: unknown user \"nobody\"",
                     "tests[\"t3\"].has: unknown functional right \"no-such-right\"",
                     "tests[\"t4\"].record.visible_for: unknown group \"nogroup\"",
                     "tests[\"t4\"].expect_users: unknown user \"zed\""});
}

TEST_CASE("policy tests: every problem of a test file is reported with its JSON path", "[storage][policy-tests]") {
  auto file = parse_policy_tests(R"({"format": "sorights-tests/1", "extra": 1, "tests": [
    {"name": "a", "user": "alice", "action": "fly", "object": "sale", "expect": "maybe"},
    {"name": "b", "user": "alice", "object": "sale", "expect_rights": "Select|Everything"},
    {"user": "alice", "has": "admin-all", "expect": "allow", "colour": "red"},
    {"name": "a", "who_can": "read", "object": "sale", "record": {"owner": 3, "at": "yesterday"}},
    7
  ]})");
  REQUIRE_FALSE(file.has_value());
  check_reported(file.error(), {
                     "extra: unknown key \"extra\"",
                     "tests[0].action: unknown action \"fly\" (read, create, update or delete)",
                     "tests[0].expect: expected \"allow\" or \"deny\", not \"maybe\"",
                     "tests[1].expect_rights: expected flag names joined by | such as Select|Update, or None, not "
                          "\"Select|Everything\"",
                     "tests[2].name: missing required key \"name\"",
                     "tests[2].colour: unknown key \"colour\"",
                     "tests[3].expect_users: missing required key \"expect_users\"",
                     "tests[3].record.owner: expected a string, found a number",
                     "tests[3].record.at: expected an ISO date such as 2026-03-01, a date-time such as "
                          "2026-03-01T12:30:00Z or seconds since 1970",
                     "tests[3].name: a test named \"a\" comes before (tests[0])",
                     "tests[4]: expected an object, found a number"});
  CHECK_FALSE(parse_policy_tests("{\"format\": \"other\", \"tests\": []}").has_value());
  CHECK_FALSE(parse_policy_tests("[1, 2").has_value());
  CHECK_FALSE(parse_policy_tests("{\"format\": \"sorights-tests/1\"}").has_value());
}

TEST_CASE("policy tests: dates in records are ISO dates, date-times or seconds", "[storage][policy-tests]") {
  auto file = parse_policy_tests(R"({"format": "sorights-tests/1", "tests": [
    {"name": "t", "user": "u", "action": "read", "object": "sale", "expect": "allow",
     "record": {"publish_from": "2026-03-01", "publish_to": "2026-03-01", "at": "2026-03-01T12:30:00+01:00"}},
    {"name": "u", "user": "u", "action": "read", "object": "sale", "expect": "allow", "record": {"at": 1700000000}}
  ]})");
  REQUIRE(file.has_value());
  const PolicyRecord& r = file->tests[0].record;
  CHECK(r.publish_from == 1772323200);
  CHECK(r.publish_to == 1772323200 + 86399);
  CHECK(r.at == 1772323200 + 11 * 3600 + 30 * 60);
  CHECK(r.published);  // a window implies published
  CHECK(file->tests[1].record.at == 1700000000);
}

TEST_CASE("policy tests: the demo model passes its own tests", "[storage][policy-tests]") {
  auto model = read_model_file(SORIGHTS_DEMO_MODEL, Model::with_defaults());
  REQUIRE(model.has_value());
  std::string tests_path = SORIGHTS_DEMO_MODEL;
  tests_path.replace(tests_path.rfind("demo-model.json"), 15, "demo-tests.json");
  auto file = read_policy_tests(tests_path);
  REQUIRE(file.has_value());
  const Snapshot s = std::move(compile(*model)).value();
  auto report = run_policy_tests(s, *model, file->tests);
  REQUIRE(report.has_value());
  for (const PolicyFailure& f : report->failures) UNSCOPED_INFO("FAIL " << f.to_string());
  CHECK(report->failed() == 0);
  CHECK(report->passed >= 15);
}

TEST_CASE("policy tests: test files are bounded input like model files: duplicate keys, nesting, bad bytes",
          "[storage][policy-tests]") {
  auto dup = parse_policy_tests(R"({"format": "sorights-tests/1", "tests": [
      {"name": "t", "user": "alice", "user": "bob", "has": "admin-all", "expect": "deny"}]})",
                                "t.json");
  REQUIRE_FALSE(dup);
  REQUIRE(dup.error().diagnostics.size() == 1);
  CHECK(dup.error().diagnostics[0].rule == "duplicate-key");
  CHECK(dup.error().diagnostics[0].to_string().find("tests[0]") != std::string::npos);
  std::string deep = R"({"format": "sorights-tests/1", "tests": )";
  for (int i = 0; i < 70; ++i) deep += '[';
  auto nested = parse_policy_tests(deep, "deep.json");
  REQUIRE_FALSE(nested);
  CHECK(nested.error().diagnostics.at(0).rule == "nesting");
  auto bad = parse_policy_tests("{\"format\": \"sorights-tests/1\", \"tests\": [], \"x\": \"\xff\"}", "bad.json");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().diagnostics.at(0).rule == "encoding");
}
