// Policy tests in JSON (include/sorights/policy_tests.hpp): a test file
// `{"format": "sorights-tests/1", "tests": [...]}` or the `tests` member of a
// model file. Every problem is reported at once, each at its JSON path, with
// the Reader of json_codec.hpp (the conventions of model files).
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "bounded_json.hpp"
#include "json_codec.hpp"
#include "sorights/storage/model_file.hpp"
#include "sorights/policy_tests.hpp"

SORIGHTS_BEGIN_NAMESPACE
namespace {

using detail::Json;
using detail::Reader;

std::string at(const std::string& path, std::string_view key) { return path + "." + std::string(key); }

bool read_int(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// An ISO date (`2026-03-01`, its first second or with `end_of_day` its last)
// or date-time (`2026-03-01T12:30[:15]`, `Z` or `+01:00`; UTC without).
std::optional<Time> parse_iso(std::string_view s, bool end_of_day) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (s.size() < 10 || !read_int(s, 0, 4, y) || s[4] != '-' || !read_int(s, 5, 2, mo) || s[7] != '-' ||
      !read_int(s, 8, 2, d))
    return std::nullopt;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || (mo == 2 && d == 29 && !leap)) return std::nullopt;
  const std::int64_t day = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  if (s.size() == 10) return day * 86400 + (end_of_day ? 86399 : 0);
  if (s.size() < 16 || s[10] != 'T' || !read_int(s, 11, 2, h) || s[13] != ':' || !read_int(s, 14, 2, mi))
    return std::nullopt;
  std::size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!read_int(s, 17, 2, sec)) return std::nullopt;
    pos = 19;
  }
  if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::int64_t offset = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
    } else if ((s[pos] == '+' || s[pos] == '-') && s.size() == pos + 6 && s[pos + 3] == ':') {
      int oh = 0, om = 0;
      if (!read_int(s, pos + 1, 2, oh) || !read_int(s, pos + 4, 2, om) || oh > 23 || om > 59) return std::nullopt;
      offset = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
    } else {
      return std::nullopt;
    }
  }
  return day * 86400 + h * 3600 + mi * 60 + sec - offset;
}

// A time member: an ISO date or date-time string, or whole seconds since 1970.
void read_time(const Json& j, const char* key, const std::string& path, Reader& r, Time& out, bool end_of_day) {
  auto it = j.find(key);
  if (it == j.end()) return;
  if (it->is_number_integer()) {
    out = it->get<std::int64_t>();
    return;
  }
  if (it->is_string())
    if (auto t = parse_iso(it->get<std::string>(), end_of_day)) {
      out = *t;
      return;
    }
  r.fail(at(path, key), "invalid-time",
         "expected an ISO date such as 2026-03-01, a date-time such as 2026-03-01T12:30:00Z or seconds since 1970");
}

PolicyRecord read_record(const Json& j, const std::string& path, Reader& r) {
  PolicyRecord rec;
  if (!r.object(j, path)) return rec;
  r.keys(j, path,
         {"owner", "group", "visible_for", "published", "publish_from", "publish_to", "completed", "project",
          "company", "at", "new", "record_id", "user_person", "our_company", "database_owner"});
  r.str(j, "owner", path, rec.owner);
  r.str(j, "group", path, rec.group);
  if (r.str(j, "visible_for", path, rec.visible_for) && !parse_visibility_text(rec.visible_for))
    r.fail(at(path, "visible_for"), "invalid-visibility", "expected all, group:GROUP or associate:USER");
  r.str(j, "project", path, rec.project);
  r.str(j, "company", path, rec.company);
  r.str(j, "record_id", path, rec.record_id);
  r.boolean(j, "published", path, rec.published);
  r.boolean(j, "completed", path, rec.completed);
  r.boolean(j, "new", path, rec.is_new);
  r.boolean(j, "user_person", path, rec.user_person);
  r.boolean(j, "our_company", path, rec.our_company);
  r.boolean(j, "database_owner", path, rec.database_owner);
  read_time(j, "publish_from", path, r, rec.publish_from, false);
  read_time(j, "publish_to", path, r, rec.publish_to, true);
  read_time(j, "at", path, r, rec.at, false);
  // A window implies published, as on the command line.
  if (rec.publish_from != kTimeMin || rec.publish_to != kTimeMax) rec.published = true;
  return rec;
}

// `Select|Update` (the `rights` output form), `None`, or flag names in any order.
std::optional<TableRights> parse_rights(std::string_view s) {
  static constexpr std::string_view kNames[6] = {"Select", "Update", "Insert", "Delete", "Filtering",
                                                 "RestrictedUpdate"};
  if (s == "None") return TableRights{};
  std::uint32_t bits = 0;
  while (!s.empty()) {
    const std::size_t bar = s.find('|');
    const std::string_view name = s.substr(0, bar);
    bool found = false;
    for (unsigned i = 0; i < 6; ++i)
      if (kNames[i] == name) {
        bits |= 1u << i;
        found = true;
      }
    if (!found) return std::nullopt;
    if (bar == std::string_view::npos) break;
    s.remove_prefix(bar + 1);
    if (s.empty()) return std::nullopt;
  }
  return TableRights::from_bits(bits);
}

void read_expect(const Json& j, const std::string& path, Reader& r, PolicyTest& t) {
  std::string expect;
  if (!r.required_str(j, "expect", path, expect)) return;
  if (expect == "allow" || expect == "deny") t.expect_allow = expect == "allow";
  else r.fail(at(path, "expect"), "invalid-expect", "expected \"allow\" or \"deny\", not \"" + expect + "\"");
}

void read_action(const Json& j, const char* key, const std::string& path, Reader& r, PolicyTest& t) {
  std::string action;
  if (!r.required_str(j, key, path, action)) return;
  if (auto a = parse_action(action)) t.action = *a;
  else r.fail(at(path, key), "unknown-action", "unknown action \"" + action + "\" (read, create, update or delete)");
}

PolicyTest read_test(const Json& j, const std::string& path, Reader& r) {
  PolicyTest t;
  if (!r.object(j, path)) return t;
  r.required_str(j, "name", path, t.name);
  if (j.contains("who_can")) {
    t.kind = PolicyTestKind::kWhoCan;
    r.keys(j, path, {"name", "who_can", "object", "record", "expect_users"});
    read_action(j, "who_can", path, r, t);
    r.required_str(j, "object", path, t.object);
    if (!j.contains("expect_users")) r.fail(at(path, "expect_users"), "missing-key", "missing required key \"expect_users\"");
    else r.strings(j, "expect_users", path, t.expect_users);
  } else if (j.contains("has")) {
    t.kind = PolicyTestKind::kHas;
    r.keys(j, path, {"name", "user", "has", "expect"});
    r.required_str(j, "user", path, t.user);
    r.required_str(j, "has", path, t.right);
    read_expect(j, path, r, t);
  } else if (j.contains("expect_rights")) {
    t.kind = PolicyTestKind::kRights;
    r.keys(j, path, {"name", "user", "object", "record", "expect_rights"});
    r.required_str(j, "user", path, t.user);
    r.required_str(j, "object", path, t.object);
    std::string rights;
    if (r.str(j, "expect_rights", path, rights)) {
      if (auto parsed = parse_rights(rights)) t.expect_rights = *parsed;
      else
        r.fail(at(path, "expect_rights"), "invalid-rights",
               "expected flag names joined by | such as Select|Update, or None, not \"" + rights + "\"");
    }
  } else {
    t.kind = PolicyTestKind::kCheck;
    r.keys(j, path, {"name", "user", "action", "object", "record", "expect"});
    r.required_str(j, "user", path, t.user);
    read_action(j, "action", path, r, t);
    r.required_str(j, "object", path, t.object);
    read_expect(j, path, r, t);
  }
  if (auto it = j.find("record"); it != j.end()) t.record = read_record(*it, at(path, "record"), r);
  return t;
}

}  // namespace

Result<PolicyTestFile> parse_policy_tests(std::string_view text, std::string_view file_name) {
  const std::string prefix = file_name.empty() ? std::string("test file") : std::string(file_name);
  // The same bounded reader as model files (docs/design/0008-bounded-input.md):
  // size, UTF-8, nesting and duplicate keys, each named with its JSON path.
  auto problem_of = [&](std::string path, std::string rule, std::string message) -> Error {
    return Error(ErrorCode::kInvalidArgument, prefix + ": invalid test file: 1 problem",
                 {Diagnostic{std::move(path), "", "", std::move(rule), std::move(message)}});
  };
  if (text.size() > kDefaultMaxModelFileBytes)
    return problem_of("", "too-large",
                      "the file is " + std::to_string(text.size()) + " bytes, over the limit of " +
                          std::to_string(kDefaultMaxModelFileBytes));
  detail::TextScanner scan;
  if (!scan.feed(text) || !scan.finish()) return problem_of("", "encoding", scan.message());
  Json root;
  if (auto problem = detail::parse_bounded_json(text, kMaxModelFileDepth, root))
    return problem_of(problem->path, problem->rule, problem->message);
  Reader r;
  PolicyTestFile out;
  if (!root.is_object()) {
    r.fail("", "wrong-type", "a test file is a JSON object");
    return Error(ErrorCode::kInvalidArgument, prefix + ": a test file is a JSON object", std::move(r.errors));
  }
  std::string format;
  r.str(root, "format", "", format);
  out.model_file = format == kModelFileFormat;
  if (!out.model_file) {
    if (format != kTestFileFormat)
      r.fail("format", "unsupported-format",
             "expected \"" + std::string(kTestFileFormat) + "\" (a test file) or \"" +
                 std::string(kModelFileFormat) + "\" (a model file with tests)");
    r.keys(root, "", {"format", "tests"});
  }
  if (auto it = root.find("tests"); it != root.end()) {
    if (!it->is_array()) {
      r.fail("tests", "wrong-type", "expected an array of tests");
    } else {
      for (std::size_t i = 0; i < it->size(); ++i)
        out.tests.push_back(read_test((*it)[i], "tests[" + std::to_string(i) + "]", r));
      for (std::size_t i = 0; i < out.tests.size(); ++i)
        for (std::size_t k = 0; k < i; ++k)
          if (!out.tests[i].name.empty() && out.tests[i].name == out.tests[k].name) {
            r.fail("tests[" + std::to_string(i) + "].name", "duplicate-name",
                   "a test named \"" + out.tests[i].name + "\" comes before (tests[" + std::to_string(k) + "])");
            break;
          }
    }
  } else if (!out.model_file) {
    r.fail("tests", "missing-key", "missing required key \"tests\"");
  }
  if (!r.errors.empty()) {
    std::string message = prefix + ": invalid test file: " + std::to_string(r.errors.size()) +
                          (r.errors.size() == 1 ? " problem" : " problems");
    return Error(ErrorCode::kInvalidArgument, std::move(message), std::move(r.errors));
  }
  return out;
}

Result<PolicyTestFile> read_policy_tests(const std::string& path) {
  SORIGHTS_ASSIGN_OR_RETURN(std::string text, read_model_text(path));  // size, type, UTF-8 before parsing
  return parse_policy_tests(text, path);
}

SORIGHTS_END_NAMESPACE
