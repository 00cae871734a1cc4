// Internal: thin RAII over libpq for the PostgreSQL adapter and listener.
// Not installed.
#ifndef SORIGHTS_SRC_POSTGRES_PG_HPP_
#define SORIGHTS_SRC_POSTGRES_PG_HPP_

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sorights/error.hpp"

SORIGHTS_BEGIN_NAMESPACE
namespace detail {

struct ResultDeleter {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using Res = std::unique_ptr<PGresult, ResultDeleter>;

struct ConnDeleter {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;

// "127.0.0.1:5432/dbname", from the conninfo (without connecting), for
// messages that name the server.
std::string describe_server(const std::string& conninfo);

// The text of `s` with trailing newlines removed.
std::string trim(std::string s);

// A statement's outcome: the result (on success) or what went wrong.
struct PgOutcome {
  Res res;
  bool ok = false;
  std::string sqlstate;  // empty when the connection itself failed
  std::string message;   // PostgreSQL's message, one line
  bool connection_lost = false;

  // A serialization failure or deadlock: the transaction may be retried.
  [[nodiscard]] bool retryable() const noexcept { return sqlstate == "40001" || sqlstate == "40P01"; }
};

// Positional text parameters ($1, $2, ...). Null entries are SQL NULL.
class Params {
 public:
  Params& add(std::string v) {
    values_.push_back(std::move(v));
    nulls_.push_back(false);
    return *this;
  }
  Params& add_null() {
    values_.emplace_back();
    nulls_.push_back(true);
    return *this;
  }
  Params& add(std::int64_t v) { return add(std::to_string(v)); }
  Params& add(std::uint64_t v) { return add(std::to_string(v)); }
  Params& add(int v) { return add(std::to_string(v)); }
  Params& add(bool v) { return add(std::string(v ? "t" : "f")); }
  Params& add(const char* v) { return add(std::string(v)); }
  [[nodiscard]] int size() const noexcept { return static_cast<int>(values_.size()); }
  // Pointers valid while this object lives and is not changed.
  [[nodiscard]] std::vector<const char*> pointers() const;

 private:
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
};

// Drops the server's notices and warnings (libpq prints them to stderr by
// default): errors reach the caller as `Error`s instead.
void quiet(PGconn* conn);

// Runs `sql` (several statements allowed when `params` is empty).
PgOutcome exec(PGconn* conn, const std::string& sql, const Params* params = nullptr);

// Builds a PostgreSQL array literal `{"a","b"}` from text values (each quoted
// and escaped), for `unnest($1::text[])`.
class ArrayLiteral {
 public:
  void add(std::string_view v);
  void add(std::int64_t v);
  void add(bool v) { add(std::string_view(v ? "t" : "f")); }
  [[nodiscard]] std::string str() const { return buf_ + "}"; }
  [[nodiscard]] std::size_t size() const noexcept { return n_; }

 private:
  std::string buf_ = "{";
  std::size_t n_ = 0;
};

// True if `s` can be stored in a PostgreSQL text value (no NUL byte).
[[nodiscard]] inline bool storable(std::string_view s) noexcept { return s.find('\0') == std::string_view::npos; }

// Quotes an identifier ("my schema" -> "\"my schema\"").
std::string quote_ident(std::string_view id);
// Quotes a literal ('it''s').
std::string quote_literal(std::string_view s);

// Reading columns of a text-format result.
inline std::string_view text(const PGresult* r, int row, int col) noexcept {
  return std::string_view(PQgetvalue(r, row, col), static_cast<std::size_t>(PQgetlength(r, row, col)));
}
inline bool is_null(const PGresult* r, int row, int col) noexcept { return PQgetisnull(r, row, col) != 0; }
std::optional<std::int64_t> to_int(std::string_view s) noexcept;
std::optional<bool> to_bool(std::string_view s) noexcept;

}  // namespace detail
SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_SRC_POSTGRES_PG_HPP_
