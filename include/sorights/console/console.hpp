// -----------------------------------------------------------------------------
// File: console/console.hpp
// -----------------------------------------------------------------------------
// `sorights::console::Console`: the admin web console on a `Directory` — the
// Users screen (Associates, Other users, User groups, Our companies, User
// licences), Roles (the data-rights grid and the functional rights), Audit
// and Check — as server-rendered HTML pages. `sorights serve` runs it behind
// an HTTP server; a host can mount it in its own server by turning each of its
// requests into a `console::Request` and sending back the `Response`.
//
// Access: `issue_access_token()` makes a one-time token; the first request
// that carries it (`/?token=…`) gets a session cookie (HttpOnly,
// SameSite=Strict, a random 128-bit id) and the token is spent. Every change
// is a POST carrying the session's CSRF token. Edits accumulate in one
// `Transaction` per session (acting as `ConsoleOptions::actor`) until Save
// (after a confirmation page) commits them or Cancel rolls them back; a
// refused commit or a conflict keeps the staged edits. See docs/console.md
// and docs/design/0013-console.md.
//
// **Example** (a host mounting the console):
//
//     auto console = sorights::console::Console::create(directory, {.actor = "hanne"});
//     std::string token = (*console)->issue_access_token();  // hand it to the admin
//     // in the host's request handler:
//     sorights::console::Request req{.method = "GET", .path = "/users", .query = "tab=groups"};
//     req.headers.emplace_back("cookie", cookie_header);
//     sorights::console::Response res = (*console)->handle(req);
//
// Thread-safety: `handle` and `issue_access_token` may be called from any
// number of threads; requests are served one at a time (an admin console
// sees little traffic, and a session's transaction is used by one thread).
// `handle` never throws.
#ifndef SORIGHTS_CONSOLE_CONSOLE_HPP_
#define SORIGHTS_CONSOLE_CONSOLE_HPP_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sorights/config.hpp"
#include "sorights/directory.hpp"
#include "sorights/error.hpp"

SORIGHTS_BEGIN_NAMESPACE
namespace console {

/// One HTTP request, as the console sees it.
struct Request {
  std::string method{};  ///< "GET", "POST", ...
  std::string path{};    ///< the path, percent-decoding not yet applied, without the query
  std::string query{};   ///< the raw query string after `?`, without the `?`
  /// Header names in any case; the console reads `cookie` and `content-type`.
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body{};    ///< a form body (application/x-www-form-urlencoded)
};

/// One HTTP response.
struct Response {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  /// Extra headers (Set-Cookie, Location, security headers).
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body;
};

/// Options for `Console::create`.
struct ConsoleOptions {
  /// The actor of every change: a user id of the model, or empty for the
  /// built-in system actor. Checked at each Save like any transaction.
  std::string actor{};
  /// Request bodies larger than this are refused (413).
  std::size_t max_body_bytes = 256 * 1024;
  /// The page language (`lang` attribute); the texts are English for now.
  std::string language = "en";
  /// Shown in every page's heading (e.g. the store's file name).
  std::string title = "sorights";
  /// Sessions idle longer than this (seconds) are dropped with their staged
  /// edits.
  std::int64_t session_idle_seconds = 8 * 3600;
};

/// The admin console. Create with `create`.
class Console {
 public:
  /// A console on `directory`. `kInvalidArgument` for a null directory or a
  /// zero body limit.
  [[nodiscard]] static Result<std::unique_ptr<Console>> create(std::shared_ptr<Directory> directory,
                                                               ConsoleOptions options = {});
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;
  ~Console();

  /// A new one-time access token (32 hex digits, 128 random bits). Any
  /// number may be outstanding; each works once.
  [[nodiscard]] std::string issue_access_token();

  /// Serves one request. Never throws: an unexpected failure is a 500 page.
  [[nodiscard]] Response handle(const Request& request) noexcept;

  /// The options the console was made with.
  [[nodiscard]] const ConsoleOptions& options() const noexcept;

 private:
  struct Impl;
  explicit Console(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// `n` random bytes as lower-case hex, from the operating system's CSPRNG
/// (getrandom(2), else /dev/urandom). Throws `std::runtime_error` if neither
/// works (never returns predictable bytes).
[[nodiscard]] std::string random_hex(std::size_t n);

/// Compares two strings in time that depends only on their lengths.
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace console
SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_CONSOLE_CONSOLE_HPP_
