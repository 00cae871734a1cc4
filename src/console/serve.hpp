// `sorights serve`: the console behind cpp-httplib (internal; httplib stays
// out of every public header). The CLI calls `serve` with an open directory.
#ifndef SORIGHTS_SRC_CONSOLE_SERVE_HPP_
#define SORIGHTS_SRC_CONSOLE_SERVE_HPP_

#include <memory>
#include <ostream>
#include <string>

#include "sorights/console/console.hpp"

SORIGHTS_BEGIN_NAMESPACE
namespace console {

struct ServeOptions {
  std::string bind = "127.0.0.1";
  int port = 8080;  ///< 0: any free port (the printed URL names it)
};

// Serves `console` until SIGINT or SIGTERM. Prints
// `http://ADDR:PORT/?token=TOKEN` (and nothing else) on `out` once listening;
// errors go to `err`. Returns the exit status: 0 after a signal, 2 when the
// address cannot be bound or the server is not built in.
int serve(Console& console, const ServeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace console
SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_SRC_CONSOLE_SERVE_HPP_
