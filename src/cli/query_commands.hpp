// The `sorights` commands that ask questions of the model (docs/cli.md):
// `user list` and `role list` with their filters, `who-can`, `who-has` and
// `test`. cli.cpp opens the store and reads record options; these commands
// answer through the library's queries (sorights/queries.hpp) and policy
// tests (sorights/policy_tests.hpp). Not installed.
#ifndef SORIGHTS_SRC_CLI_QUERY_COMMANDS_HPP_
#define SORIGHTS_SRC_CLI_QUERY_COMMANDS_HPP_

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli_support.hpp"
#include "sorights/directory.hpp"
#include "sorights/record.hpp"

#include "sorights/names.hpp"

namespace sorights::cli {

// What the query commands need from the rest of the command line.
struct QueryHooks {
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  // The store's current model and snapshot (throws CliError when it cannot be opened).
  std::function<std::shared_ptr<const DirectoryState>()> open;
  // A record from the record options (throws CliError naming an unknown id).
  std::function<Record(const std::shared_ptr<const DirectoryState>&, const Args&, std::string_view object)> record;
  // The record options: those with a value, and flags.
  const std::set<std::string, std::less<>>* record_values = nullptr;
  const std::set<std::string, std::less<>>* record_flags = nullptr;
  // The language of display names (--lang).
  Language lang = Language::kEn;
};

// Runs `command` when it is one of the query commands (`user list`, `role
// list`, `who-can`, `who-has`, `test`) and returns its exit status; nothing
// for any other command. Throws CliError on errors (exit 2).
std::optional<int> run_query_command(const std::string& command, const std::vector<std::string>& tail,
                                     const QueryHooks& hooks);

}  // namespace sorights::cli

#endif  // SORIGHTS_SRC_CLI_QUERY_COMMANDS_HPP_
