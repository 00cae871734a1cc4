// -----------------------------------------------------------------------------
// File: tests/postgres/pg_test_support.hpp
// -----------------------------------------------------------------------------
// Helpers shared by the PostgreSQL tests and their peer process: where the
// server is, raw SQL, a valid base model, and child processes.
//
// The server: `SORIGHTS_PG_CONNINFO` (a libpq conninfo) if set, else the file
// named by `SORIGHTS_PG_CONNINFO_FILE` (written by the CTest fixture
// `pg_cluster.sh start`). The cluster directory (for stop/start tests) is that
// file's directory.
#ifndef SORIGHTS_TESTS_POSTGRES_PG_TEST_SUPPORT_HPP_
#define SORIGHTS_TESTS_POSTGRES_PG_TEST_SUPPORT_HPP_

#include <fcntl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sorights/directory.hpp"
#include "sorights/model.hpp"
#include "sorights/postgres/postgres_store.hpp"

extern char** environ;

namespace pgt {

using namespace sorights;

inline std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

/// The conninfo of the test server; empty if none is configured.
inline std::string conninfo() {
  std::string c = env("SORIGHTS_PG_CONNINFO");
  if (!c.empty()) return c;
  std::string file = env("SORIGHTS_PG_CONNINFO_FILE");
  if (file.empty()) return {};
  return trim(read_file(file));
}

/// The fixture's cluster directory (empty when the server came from
/// SORIGHTS_PG_CONNINFO: then it cannot be restarted by the tests).
inline std::string cluster_dir() {
  if (!env("SORIGHTS_PG_CONNINFO").empty()) return {};
  std::string file = env("SORIGHTS_PG_CONNINFO_FILE");
  auto slash = file.rfind('/');
  return slash == std::string::npos ? std::string() : file.substr(0, slash);
}

/// A schema name no other test (or run) uses.
inline std::string unique_schema(const std::string& tag) {
  static int counter = 0;
  auto now = std::chrono::system_clock::now().time_since_epoch().count();
  return "t_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + "_" +
         std::to_string(now % 1000000);
}

/// Runs SQL on a connection of its own; returns the first value of the
/// first row (or empty), or nullopt on failure (message in `error`).
inline std::optional<std::string> sql(const std::string& statement, std::string* error = nullptr) {
  PGconn* c = PQconnectdb(conninfo().c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    if (error) *error = PQerrorMessage(c);
    PQfinish(c);
    return std::nullopt;
  }
  PGresult* r = PQexec(c, statement.c_str());
  std::optional<std::string> out;
  ExecStatusType st = PQresultStatus(r);
  if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
    out = (st == PGRES_TUPLES_OK && PQntuples(r) > 0) ? std::string(PQgetvalue(r, 0, 0)) : std::string();
  } else if (error) {
    *error = PQresultErrorMessage(r);
  }
  PQclear(r);
  PQfinish(c);
  return out;
}

/// Options for a store in `schema`, with its own channel and quick timings.
inline PostgresStoreOptions store_options(const std::string& schema) {
  PostgresStoreOptions o;
  o.schema = schema;
  o.channel = "ch_" + schema;
  o.listener.poll_interval = std::chrono::milliseconds(50);
  o.listener.ping_interval = std::chrono::milliseconds(300);
  o.listener.ping_timeout = std::chrono::milliseconds(1000);
  o.listener.reconnect_min = std::chrono::milliseconds(20);
  o.listener.reconnect_max = std::chrono::milliseconds(400);
  return o;
}

inline User associate(std::string id, std::string company = "acme", std::string role = "level-3",
                      std::string group = "sales") {
  User u;
  u.id = std::move(id);
  u.type = UserType::kAssociate;
  u.name = u.id;
  u.company = std::move(company);
  u.role = std::move(role);
  u.group = std::move(group);
  return u;
}

/// Adds the companies and groups the test users need, as the system actor.
inline Result<CommitInfo> seed(Directory& dir) {
  SORIGHTS_ASSIGN_OR_RETURN(Transaction tx, dir.begin());
  SORIGHTS_TRY(tx.put_our_company(OurCompany{"acme", "Acme", true}));
  SORIGHTS_TRY(tx.put_our_company(OurCompany{"beta", "Beta", false}));
  SORIGHTS_TRY(tx.put_group(Group{"sales", "Sales"}));
  SORIGHTS_TRY(tx.put_group(Group{"support", "Support"}));
  return tx.commit();
}

/// Commits one new user as the system actor, retrying on conflicts.
inline Result<CommitInfo> add_user(Directory& dir, const std::string& id, int attempts = 50) {
  Error last;
  for (int i = 0; i < attempts; ++i) {
    SORIGHTS_ASSIGN_OR_RETURN(Transaction tx, dir.begin());
    SORIGHTS_TRY(tx.put_user(associate(id)));
    Result<CommitInfo> r = tx.commit();
    if (r) return r;
    last = r.error();
    if (last.code != ErrorCode::kConflict) return last;
  }
  return last;
}

/// A child process with stdout and stderr going to a file.
struct Child {
  pid_t pid = -1;
  std::string out_path;

  Child() = default;
  Child(Child&& o) noexcept : pid(o.pid), out_path(std::move(o.out_path)) { o.out_path.clear(); }
  Child& operator=(Child&&) = delete;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (!out_path.empty()) ::unlink(out_path.c_str());
  }

  [[nodiscard]] std::string output() const { return read_file(out_path); }
  /// Waits until the output contains `needle`; false on timeout or exit.
  bool wait_output(const std::string& needle, std::chrono::milliseconds timeout) const {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (output().find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return output().find(needle) != std::string::npos;
  }
  /// Waits for the exit; returns the exit status, or -1 after `timeout`
  /// (the child is killed then).
  int wait(std::chrono::milliseconds timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (std::chrono::steady_clock::now() < end) {
      pid_t r = ::waitpid(pid, &status, WNOHANG);
      if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1;
  }
};

/// Starts `argv` with its output in a temporary file.
inline Child spawn(const std::vector<std::string>& argv) {
  static int n = 0;
  Child c;
  c.out_path = "/tmp/sorights_pg_child_" + std::to_string(::getpid()) + "_" + std::to_string(++n) + ".out";
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, c.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  if (posix_spawn(&c.pid, args[0], &fa, nullptr, args.data(), environ) != 0) c.pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  return c;
}

/// Runs the cluster script (`down` / `up`) on the fixture's cluster.
inline int cluster(const std::string& command) {
  std::string cmd = std::string("bash '") + SORIGHTS_PG_CLUSTER_SCRIPT + "' " + command + " '" + cluster_dir() + "'";
  return std::system(cmd.c_str());
}

/// Microseconds since the epoch (shared by every process on the machine).
inline std::int64_t wall_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace pgt

#endif  // SORIGHTS_TESTS_POSTGRES_PG_TEST_SUPPORT_HPP_
