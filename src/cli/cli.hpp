// The `sorights` command line as a library (target sorights_cli_lib, not
// installed): main.cpp is a thin wrapper around run(), and the CLI fuzz
// target (tests/fuzz/fuzz_cli.cpp) calls it in-process.
#ifndef SORIGHTS_SRC_CLI_CLI_HPP_
#define SORIGHTS_SRC_CLI_CLI_HPP_

#include <ostream>
#include <span>
#include <string_view>

namespace sorights::cli {

// Runs one command line: `args` are the arguments after the program name.
// What the command prints goes to `out`; errors, warnings and the progress
// bar (only when `err` is std::cerr on a terminal) go to `err`. Returns the
// exit status (docs/cli.md): 0 success or allow, 1 deny, 2 any error, after
// printing `sorights: MESSAGE` on `err` (an exception the commands do not
// expect is reported as `sorights: internal error: ...`, exit 2). Relative
// file names are resolved against the current directory. Not reentrant: one
// call at a time per process.
int run(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

}  // namespace sorights::cli

#endif  // SORIGHTS_SRC_CLI_CLI_HPP_
