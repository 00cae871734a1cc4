// -----------------------------------------------------------------------------
// File: policy_tests.hpp
// -----------------------------------------------------------------------------
// Policy tests (like `opa test`): named expectations about a model, kept next
// to it, run against a snapshot. Each test is one of
//
//   * check:    user, action, object, record → `expect` allow | deny;
//   * rights:   user, object, record → `expect_rights` ("Select|Update",
//               the form `sorights rights` prints);
//   * has:      user, functional right → `expect` allow | deny;
//   * who_can:  action, object, record → `expect_users` (any order).
//
// They stand in a model file under `"tests"` or in a test file of their own,
// `{"format": "sorights-tests/1", "tests": [...]}` (docs/model-file.md).
// `parse_policy_tests` reads either (needs the `sorights::storage` library);
// `run_policy_tests` runs them (header-only, cold, allocates): every failure
// names the test, what was expected and what came back; an id the model does
// not know is an error naming the test, not a failure.
//
// **Example**:
//
//     auto file = sorights::read_policy_tests("demo-tests.json");
//     auto report = sorights::run_policy_tests(*snapshot, model, file->tests);
//     for (const auto& f : report->failures) std::cout << "FAIL " << f.to_string() << "\n";
#ifndef SORIGHTS_POLICY_TESTS_HPP_
#define SORIGHTS_POLICY_TESTS_HPP_

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sorights/config.hpp"
#include "sorights/error.hpp"
#include "sorights/model.hpp"
#include "sorights/queries.hpp"
#include "sorights/record.hpp"
#include "sorights/rights.hpp"
#include "sorights/snapshot.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// The `format` member of a test file.
inline constexpr std::string_view kTestFileFormat = "sorights-tests/1";

/// A record in string ids, as a test writes it (the record options of the
/// command line). Empty strings mean "none". The flags are its
/// `RecordFacts` base.
struct PolicyRecord : RecordFacts {
  std::string owner{};
  std::string group{};
  /// `all`, `group:GROUP` or `associate:USER`; empty is `all`.
  std::string visible_for{};
  std::string project{};
  std::string company{};
  std::string record_id{};
  Time publish_from = kTimeMin;
  Time publish_to = kTimeMax;
  Time at = kTimeMin;
};

enum class PolicyTestKind : std::uint8_t { kCheck = 0, kRights = 1, kHas = 2, kWhoCan = 3 };

/// One policy test.
struct PolicyTest {
  std::string name{};
  PolicyTestKind kind = PolicyTestKind::kCheck;
  std::string user{};    ///< check, rights, has
  Action action = Action::kRead;  ///< check, who_can
  std::string object{};  ///< check, rights, who_can
  std::string right{};   ///< has
  PolicyRecord record{};
  bool expect_allow = false;         ///< check, has
  TableRights expect_rights{};       ///< rights
  std::vector<std::string> expect_users{};  ///< who_can
};

/// A failing test: `name: expected E, got A`.
struct PolicyFailure {
  std::string test;
  std::string expected;
  std::string actual;
  [[nodiscard]] std::string to_string() const { return test + ": expected " + expected + ", got " + actual; }
};

/// The outcome of a run.
struct PolicyReport {
  std::size_t passed = 0;
  std::vector<PolicyFailure> failures;
  [[nodiscard]] std::size_t failed() const noexcept { return failures.size(); }
};

/// The tests of a file, and whether the file is a model file.
struct PolicyTestFile {
  bool model_file = false;
  std::vector<PolicyTest> tests;
};

/// Reads the tests of a test file or of a model file's `tests` member. Every
/// problem is reported at once with its JSON path (`tests[2].expect: ...`),
/// as model files report theirs. Needs `sorights::storage`.
[[nodiscard]] SORIGHTS_API Result<PolicyTestFile> parse_policy_tests(std::string_view json,
                                                                    std::string_view file_name = {});
/// Reads the file at `path` and parses it; an unreadable file is `kUnavailable`.
[[nodiscard]] SORIGHTS_API Result<PolicyTestFile> read_policy_tests(const std::string& path);

namespace detail {

inline std::string join_ids(std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  std::string out = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + ids[i];
  return out + "]";
}

// Runs policy tests one at a time, collecting every unknown id as a problem.
class PolicyTestRunner {
 public:
  PolicyTestRunner(const Snapshot& snapshot, const Model& model) : snapshot_(snapshot), model_(model) {}

  // The expected and the actual outcome of `t` as text; an error only when
  // the who-can index cannot be built.
  Result<std::pair<std::string, std::string>> run(const PolicyTest& t) {
    switch (t.kind) {
      case PolicyTestKind::kCheck: {
        const UserIndex u = user_of(t);
        return std::pair{allow(t.expect_allow), allow(snapshot_.can(u, t.action, record_of(t)))};
      }
      case PolicyTestKind::kRights: {
        const UserIndex u = user_of(t);
        return std::pair{t.expect_rights.to_string(), snapshot_.rights(u, record_of(t)).to_string()};
      }
      case PolicyTestKind::kHas: {
        const UserIndex u = user_of(t);
        const RightIndex right = snapshot_.find_right(t.right);
        if (right == kUnknownRight) unknown(t, "has", "functional right", t.right);
        return std::pair{allow(t.expect_allow), allow(snapshot_.has(u, right))};
      }
      case PolicyTestKind::kWhoCan: return who_can(t);
    }
    return std::pair{std::string(), std::string()};
  }

  std::vector<Diagnostic>& problems() noexcept { return problems_; }

 private:
  static std::string allow(bool a) { return a ? "allow" : "deny"; }

  void unknown(const PolicyTest& t, std::string field, const std::string& what, const std::string& id) {
    problems_.push_back(
        Diagnostic{"tests", t.name, std::move(field), "unknown-id", "unknown " + what + " \"" + id + "\""});
  }

  UserIndex user_of(const PolicyTest& t) {
    const UserIndex u = snapshot_.find_user(t.user);
    if (u == kUnknownUser) unknown(t, "user", "user", t.user);
    return u;
  }

  Record record_of(const PolicyTest& t) {
    const PolicyRecord& p = t.record;
    Record r;
    r.object = snapshot_.find_object(t.object);
    if (r.object == kUnknownObject) unknown(t, "object", "data object", t.object);
    if (!p.owner.empty()) {
      r.owner = snapshot_.find_user(p.owner);
      if (r.owner == kUnknownUser) unknown(t, "record.owner", "user", p.owner);
    }
    if (!p.group.empty()) {
      r.group = snapshot_.find_group(p.group);
      if (r.group == kUnknownGroup) unknown(t, "record.group", "group", p.group);
    }
    r.visibility = visibility_of(t);
    if (!p.project.empty()) r.project = snapshot_.find_project(p.project);
    if (!p.company.empty()) r.company = snapshot_.find_company(p.company);
    if (!p.record_id.empty()) r.id = record_key(p.record_id);
    detail::copy_record_facts(p, r);
    r.publish_from = p.publish_from;
    r.publish_to = p.publish_to;
    r.at = p.at;
    return r;
  }

  Visibility visibility_of(const PolicyTest& t) {
    const auto vis = parse_visibility_text(t.record.visible_for);
    if (vis && vis->kind == VisibilityKind::kGroup) {
      const GroupIndex g = snapshot_.find_group(vis->id);
      if (g == kUnknownGroup) unknown(t, "record.visible_for", "group", std::string(vis->id));
      return Visibility::group(g);
    }
    if (vis && vis->kind == VisibilityKind::kAssociate) {
      const UserIndex u = snapshot_.find_user(vis->id);
      if (u == kUnknownUser) unknown(t, "record.visible_for", "user", std::string(vis->id));
      return Visibility::associate(u);
    }
    return Visibility{};
  }

  Result<std::pair<std::string, std::string>> who_can(const PolicyTest& t) {
    const Record r = record_of(t);
    for (const std::string& id : t.expect_users)
      if (snapshot_.find_user(id) == kUnknownUser) unknown(t, "expect_users", "user", id);
    if (!index_) {
      auto built = QueryIndex::build(snapshot_, model_);
      if (!built) return std::move(built).error();
      index_.emplace(std::move(*built));
      set_ = index_->make_set();
    }
    index_->who_can(t.action, r, set_);
    std::vector<std::string> got;
    for (UserIndex u : set_) got.emplace_back(snapshot_.user_id(u));
    return std::pair{join_ids(t.expect_users), join_ids(std::move(got))};
  }

  const Snapshot& snapshot_;
  const Model& model_;
  std::vector<Diagnostic> problems_;
  std::optional<QueryIndex> index_;  // built by the first who-can test
  UserSet set_;
};

}  // namespace detail

/// Runs `tests` against `snapshot` (compiled from `model`). Error
/// `kInvalidArgument` listing every test that names an unknown user, object,
/// functional right, group or record user (companies and projects may be
/// anything, as records name any). Cold; allocates; thread-safe.
[[nodiscard]] inline Result<PolicyReport> run_policy_tests(const Snapshot& snapshot, const Model& model,
                                                          std::span<const PolicyTest> tests) {
  detail::PolicyTestRunner runner(snapshot, model);
  std::vector<Diagnostic>& problems = runner.problems();
  PolicyReport report;
  for (const PolicyTest& t : tests) {
    const std::size_t before = problems.size();
    auto outcome = runner.run(t);
    if (!outcome) return std::move(outcome).error();
    if (problems.size() != before) continue;
    auto& [expected, actual] = *outcome;
    if (expected == actual) ++report.passed;
    else report.failures.push_back(PolicyFailure{t.name, std::move(expected), std::move(actual)});
  }
  if (!problems.empty()) {
    std::string message = "the tests name " + std::to_string(problems.size()) +
                          (problems.size() == 1 ? " unknown id: " : " unknown ids; first: ") +
                          problems.front().to_string();
    return Error(ErrorCode::kInvalidArgument, std::move(message), std::move(problems));
  }
  return report;
}

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_POLICY_TESTS_HPP_
