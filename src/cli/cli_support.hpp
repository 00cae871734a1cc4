// Internal helpers of the `sorights` command line: argument parsing, dates,
// record options. Not installed.
#ifndef SORIGHTS_SRC_CLI_CLI_SUPPORT_HPP_
#define SORIGHTS_SRC_CLI_CLI_SUPPORT_HPP_

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sorights/ids.hpp"
#include "sorights/model.hpp"
#include "sorights/types.hpp"

namespace sorights::cli {

// Any error the command line reports: printed on stderr, exit status 2.
struct CliError : std::runtime_error {
  explicit CliError(const std::string& message, std::vector<std::string> more = {})
      : std::runtime_error(message), details(std::move(more)) {}
  std::vector<std::string> details;  // further lines (one per problem)
};

// The arguments of one command after the global options are taken out:
// positionals in order, and options by name (flags map to "").
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string, std::less<>> options;
  bool help = false;

  [[nodiscard]] bool has(std::string_view name) const { return options.find(name) != options.end(); }
  [[nodiscard]] std::optional<std::string> get(std::string_view name) const {
    auto it = options.find(name);
    if (it == options.end()) return std::nullopt;
    return it->second;
  }
};

// Parses `argv` of a command: options in `with_value` take a value (`--x V`
// or `--x=V`), options in `flags` take none; anything else starting with `-`
// is an error. `-h`/`--help` sets `help`.
Args parse_args(const std::vector<std::string>& argv, const std::set<std::string, std::less<>>& with_value,
                const std::set<std::string, std::less<>>& flags);

// ISO 8601 date (`2026-03-01`) or date-time (`2026-03-01T12:30`,
// `2026-03-01T12:30:15`, with `Z` or `+01:00`; without an offset UTC). A
// date alone is its first second, or with `end_of_day` its last.
Time parse_time(std::string_view text, std::string_view option, bool end_of_day);
// `2026-03-01T12:30:15Z`.
std::string format_time(Time t);

// Splits `a,b,c` (empty → none).
std::vector<std::string> split_list(std::string_view text);

// An id in a message: `"x"`, escaped.
using sorights::detail::quote_id;

// Why a user holds no rights ("retired", "a former employee", "a resource",
// "not allowed to log in"), or empty for an active user.
std::string inactive_reason(const User& u);

}  // namespace sorights::cli

#endif  // SORIGHTS_SRC_CLI_CLI_SUPPORT_HPP_
