// `user list`, `role list`, `who-can`, `who-has` and `test` (see
// query_commands.hpp).
#include "query_commands.hpp"

#include <fstream>
#include <sstream>

#include "sorights/storage/model_file.hpp"
#include "sorights/policy_tests.hpp"
#include "sorights/queries.hpp"
#include "sorights/snapshot.hpp"

namespace sorights::cli {

namespace {

constexpr const char* kUserListHelp = R"(usage: sorights user list [--type TYPE|other] [--role R] [--group G] [--company C]
                          [--plan P] [--licence L] [--search TEXT] [--active|--inactive]

One matching user a line, sorted by id: id, type, role, primary group, company,
plan, and the reason when the user may not sign in. --role matches the effective
role (system and anonymous users' implied roles included); --group the primary
or another group; --search a case-insensitive part of the id or the name;
--type other is the "other users" tab (anonymous and system users). Filters
combine. An unknown id in a filter is exit 2.
)";

constexpr const char* kRoleListHelp = R"(usage: sorights role list [--all]

One role a line: id, type, N users (whose effective role it is, inactive ones
too), name. The system role is listed only with --all.
)";

constexpr const char* kWhoCanHelp = R"(usage: sorights [--db FILE] who-can ACTION OBJECT [record options]

The id of every user for whom `check USER ACTION OBJECT [record options]` would
allow, one a line, sorted by id. Exit 0, also when nobody may. Record options
as for `check` (sorights check --help).
)";

constexpr const char* kWhoHasHelp = R"(usage: sorights [--db FILE] who-has FUNCTIONAL_RIGHT

The id of every user for whom `has USER FUNCTIONAL_RIGHT` would allow, one a
line, sorted by id. An unknown right is exit 2.
)";

constexpr const char* kTestHelp = R"(usage: sorights test FILE [--db FILE]

Runs the policy tests of FILE: a model file's "tests" run against the model in
that file, a test file's ({"format": "sorights-tests/1", "tests": [...]})
against the store. Prints `FAIL name: expected ..., got ...` per failing test
and last `tests: N passed, M failed`. Exit 0 when all pass, 1 when any fails,
2 on any error (unknown id, bad file).
)";

std::string dash(std::string_view s) { return s.empty() ? std::string("-") : std::string(s); }

QueryIndex build_index(const DirectoryState& st) {
  auto index = QueryIndex::build(st.snapshot, st.model);
  if (!index) throw CliError(index.error().message);
  return std::move(*index);
}

int user_list(const QueryHooks& h, const std::vector<std::string>& tail) {
  Args a = parse_args(tail, {"--type", "--role", "--group", "--company", "--plan", "--licence", "--search"},
                      {"--active", "--inactive"});
  if (a.help) {
    *h.out << kUserListHelp;
    return 0;
  }
  if (a.positional.size() > 1) throw CliError("user list: unexpected argument " + quote_id(a.positional[1]));
  if (a.has("--active") && a.has("--inactive")) throw CliError("user list: --active and --inactive exclude each other");
  const auto state = h.open();
  const Snapshot& s = state->snapshot;
  const Model& m = state->model;
  const QueryIndex q = build_index(*state);
  UserFilter f;
  std::vector<std::string> unknown;
  if (auto t = a.get("--type")) {
    if (*t == "other") f.types = kOtherUsersMask;
    else if (auto ut = parse_user_type(*t)) f.types = user_type_mask(*ut);
    else throw CliError("--type: expected associate, resource, external, anonymous, system or other, not " + quote_id(*t));
  }
  // `--NOUN ID`: the id's index, or a note in `unknown`.
  const auto lookup = [&](std::string_view noun, auto unknown_index, auto& slot, auto find) {
    if (auto v = a.get("--" + std::string(noun))) {
      slot = find(*v);
      if (*slot == unknown_index) unknown.push_back(std::string(noun) + " " + quote_id(*v));
    }
  };
  lookup("role", kUnknownRole, f.role, [&](const std::string& id) { return s.find_role(id); });
  lookup("group", kUnknownGroup, f.group, [&](const std::string& id) { return s.find_group(id); });
  lookup("company", kUnknownCompany, f.company, [&](const std::string& id) { return s.find_company(id); });
  lookup("plan", kUnknownPlan, f.plan, [&](const std::string& id) { return q.find_plan(id); });
  lookup("licence", kUnknownLicence, f.licence, [&](const std::string& id) { return q.find_licence(id); });
  if (!unknown.empty()) {
    std::string text = "user list: unknown ";
    for (std::size_t i = 0; i < unknown.size(); ++i) text += (i ? ", " : "") + unknown[i];
    throw CliError(text);
  }
  if (a.has("--active")) f.active = true;
  if (a.has("--inactive")) f.active = false;
  const std::string search = a.get("--search").value_or("");
  f.search = search;
  UserSet set = q.make_set();
  q.match_users(f, set);
  for (UserIndex u : set) {
    const User& user = m.users[static_cast<std::uint32_t>(u)];
    const RoleIndex role = q.effective_role(u);
    const std::string state_text = inactive_reason(user);
    *h.out << user.id << "\t" << user_type_name(user.type) << "\t"
           << (role == kUnknownRole ? std::string("-") : std::string(s.role_id(role))) << "\t" << dash(user.group)
           << "\t" << dash(user.company) << "\t" << dash(user.plan) << "\t"
           << (role == kUnknownRole ? std::string("-") : std::string(role_display_name(m, s.role_id(role), h.lang)))
           << "\t" << (user.group.empty() ? std::string("-") : std::string(group_display_name(m, user.group, h.lang)))
           << "\t"
           << (user.company.empty() ? std::string("-") : std::string(our_company_display_name(m, user.company, h.lang)))
           << (state_text.empty() ? "" : "\t(" + state_text + ")") << "\n";
  }
  return 0;
}

int role_list(const QueryHooks& h, const std::vector<std::string>& tail) {
  Args a = parse_args(tail, {}, {"--all"});
  if (a.help) {
    *h.out << kRoleListHelp;
    return 0;
  }
  if (a.positional.size() > 1) throw CliError("role list: unexpected argument " + quote_id(a.positional[1]));
  const auto state = h.open();
  const Snapshot& s = state->snapshot;
  const QueryIndex q = build_index(*state);
  for (const Role& role : state->model.roles) {
    const RoleIndex r = s.find_role(role.id);
    if (q.role_hidden(r) && !a.has("--all")) continue;
    const std::size_t n = q.role_user_count(r);
    *h.out << role.id << "\t" << role_type_name(role.type) << "\t" << n << (n == 1 ? " user" : " users") << "\t"
           << display_name(role, h.lang, &role.names) << "\n";
  }
  return 0;
}

int who_can(const QueryHooks& h, const std::vector<std::string>& tail) {
  Args a = parse_args(tail, *h.record_values, *h.record_flags);
  if (a.help) {
    *h.out << kWhoCanHelp;
    return 0;
  }
  if (a.positional.size() != 2)
    throw CliError(a.positional.size() < 2 ? "who-can: missing ACTION OBJECT (see sorights who-can --help)"
                                           : "who-can: unexpected argument " + quote_id(a.positional[2]));
  auto act = parse_action(a.positional[0]);
  if (!act) throw CliError("unknown action " + quote_id(a.positional[0]) + " (read, create, update or delete)");
  const auto state = h.open();
  const Record r = h.record(state, a, a.positional[1]);
  const QueryIndex q = build_index(*state);
  UserSet set = q.make_set();
  q.who_can(*act, r, set);
  for (UserIndex u : set) *h.out << state->snapshot.user_id(u) << "\n";
  return 0;
}

// The one operand of a command that takes no options, or nothing after
// printing `help` for `-h`; a missing or extra operand is an error.
std::optional<std::string> one_operand(const QueryHooks& h, const std::vector<std::string>& tail, const char* help,
                                       std::string_view command, std::string_view operand) {
  Args a = parse_args(tail, {}, {});
  if (a.help) {
    *h.out << help;
    return std::nullopt;
  }
  const std::string c(command);
  if (a.positional.empty())
    throw CliError(c + ": missing " + std::string(operand) + " (see sorights " + c + " --help)");
  if (a.positional.size() > 1) throw CliError(c + ": unexpected argument " + quote_id(a.positional[1]));
  return std::move(a.positional[0]);
}

int who_has(const QueryHooks& h, const std::vector<std::string>& tail) {
  const auto id = one_operand(h, tail, kWhoHasHelp, "who-has", "FUNCTIONAL_RIGHT");
  if (!id) return 0;
  const auto state = h.open();
  const RightIndex right = state->snapshot.find_right(*id);
  if (right == kUnknownRight) throw CliError("unknown functional right " + quote_id(*id));
  const QueryIndex q = build_index(*state);
  UserSet set = q.make_set();
  q.users_holding(right, set);
  for (UserIndex u : set) *h.out << state->snapshot.user_id(u) << "\n";
  return 0;
}

[[noreturn]] void fail(const Error& e) {
  std::vector<std::string> details;
  for (const Diagnostic& d : e.diagnostics) details.push_back(d.to_string());
  throw CliError(e.message, std::move(details));
}

int run_tests(const QueryHooks& h, const std::vector<std::string>& tail) {
  const auto file = one_operand(h, tail, kTestHelp, "test", "FILE");
  if (!file) return 0;
  const std::string& path = *file;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CliError(path + ": cannot read the file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  auto tests = parse_policy_tests(text, path);
  if (!tests) fail(tests.error());
  std::shared_ptr<const DirectoryState> state;
  if (tests->model_file) {
    auto model = parse_model_file(text, Model::with_defaults(), ModelFileOptions{ImportMode::kMerge, path});
    if (!model) fail(model.error());
    auto snapshot = compile(*model);
    if (!snapshot) fail(snapshot.error());
    state = std::make_shared<const DirectoryState>(DirectoryState{std::move(*model), std::move(*snapshot), 0});
  } else {
    state = h.open();
  }
  auto report = run_policy_tests(state->snapshot, state->model, tests->tests);
  if (!report) {
    std::vector<std::string> details;
    for (const Diagnostic& d : report.error().diagnostics) details.push_back(d.to_string());
    throw CliError(path + ": " + report.error().message, std::move(details));
  }
  for (const PolicyFailure& f : report->failures) *h.out << "FAIL " << f.to_string() << "\n";
  *h.out << "tests: " << report->passed << " passed, " << report->failed() << " failed\n";
  return report->failures.empty() ? 0 : 1;
}

}  // namespace

std::optional<int> run_query_command(const std::string& command, const std::vector<std::string>& tail,
                                     const QueryHooks& hooks) {
  const bool list = !tail.empty() && tail[0] == "list";
  if (command == "user" && list) return user_list(hooks, tail);
  if (command == "role" && list) return role_list(hooks, tail);
  if (command == "who-can") return who_can(hooks, tail);
  if (command == "who-has") return who_has(hooks, tail);
  if (command == "test") return run_tests(hooks, tail);
  return std::nullopt;
}

}  // namespace sorights::cli
