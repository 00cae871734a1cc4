// Internal: libpq helpers (pg.hpp).
#include "pg.hpp"

#include <charconv>

SORIGHTS_BEGIN_NAMESPACE
namespace detail {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s;
}

std::string describe_server(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (err != nullptr) PQfreemem(err);
  std::string host, hostaddr, port, db;
  if (opts != nullptr) {
    for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
      if (o->val == nullptr) continue;
      std::string_view k = o->keyword;
      if (k == "host") host = o->val;
      else if (k == "hostaddr") hostaddr = o->val;
      else if (k == "port") port = o->val;
      else if (k == "dbname") db = o->val;
    }
    PQconninfoFree(opts);
  }
  if (host.empty()) host = hostaddr;
  if (host.empty()) host = "localhost";
  if (port.empty()) port = "5432";
  std::string out = "postgres " + host + ":" + port;
  if (!db.empty()) out += "/" + db;
  return out;
}

void quiet(PGconn* conn) {
  if (conn != nullptr) PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
}

std::vector<const char*> Params::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (std::size_t i = 0; i < values_.size(); ++i) out.push_back(nulls_[i] ? nullptr : values_[i].c_str());
  return out;
}

PgOutcome exec(PGconn* conn, const std::string& sql, const Params* params) {
  PgOutcome out;
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    out.connection_lost = true;
    out.message = conn ? trim(PQerrorMessage(conn)) : "not connected";
    if (out.message.empty()) out.message = "the connection is closed";
    return out;
  }
  PGresult* r = nullptr;
  if (params == nullptr) {
    r = PQexec(conn, sql.c_str());
  } else {
    std::vector<const char*> p = params->pointers();
    r = PQexecParams(conn, sql.c_str(), params->size(), nullptr, p.data(), nullptr, nullptr, 0);
  }
  out.res.reset(r);
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
    out.ok = true;
    return out;
  }
  if (r != nullptr) {
    const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (state != nullptr) out.sqlstate = state;
    const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    out.message = primary ? std::string(primary) : trim(PQresultErrorMessage(r));
  }
  if (out.message.empty()) out.message = trim(PQerrorMessage(conn));
  // Class 08 (connection exception), 57P01..57P03 (admin shutdown, crash
  // shutdown, cannot connect now), or a dead socket.
  if (PQstatus(conn) != CONNECTION_OK || out.sqlstate.rfind("08", 0) == 0 || out.sqlstate == "57P01" ||
      out.sqlstate == "57P02" || out.sqlstate == "57P03" || (r == nullptr))
    out.connection_lost = true;
  return out;
}

void ArrayLiteral::add(std::string_view v) {
  if (n_ > 0) buf_ += ',';
  buf_ += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') buf_ += '\\';
    buf_ += c;
  }
  buf_ += '"';
  ++n_;
}

void ArrayLiteral::add(std::int64_t v) {
  if (n_ > 0) buf_ += ',';
  buf_ += std::to_string(v);
  ++n_;
}

namespace {
// `s` between two `q`s, each `q` inside doubled (SQL's one escape for both
// identifiers and literals).
std::string enclose_doubling(std::string_view s, char q) {
  std::string out(1, q);
  for (char c : s) {
    if (c == q) out += q;
    out += c;
  }
  return out += q;
}
}  // namespace

std::string quote_ident(std::string_view id) { return enclose_doubling(id, '"'); }

std::string quote_literal(std::string_view s) { return enclose_doubling(s, '\''); }

std::optional<std::int64_t> to_int(std::string_view s) noexcept {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<bool> to_bool(std::string_view s) noexcept {
  if (s == "t") return true;
  if (s == "f") return false;
  return std::nullopt;
}

}  // namespace detail
SORIGHTS_END_NAMESPACE
