// The `sorights` command line (docs/cli.md, which states its contract). The
// commands live in cli.cpp (sorights_cli_lib); this is only the entry point.
#include <iostream>
#include <string_view>
#include <vector>

#include "cli.hpp"
#include "files.hpp"

int main(int argc, char** argv) {
  sorights::cli::remove_temp_files_on_signals();
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  return sorights::cli::run(args, std::cout, std::cerr);
}
