// Crash safety: a process killed with SIGKILL in the middle of a commit
// leaves the store at the old or the new version, never between, and it loads.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include "sorights/directory.hpp"
#include "sorights/snapshot.hpp"
#include "sorights/sqlite_store.hpp"
#include "support.hpp"
#include "support/catch.hpp"

using namespace sorights;
using storage_test::TempDir;

namespace {

// Version v holds users u<v>-0 .. u<v>-(n-1) for every v' <= v, all in group g.
Model model_at(std::uint64_t v, int n) {
  Model m = Model::with_defaults();
  if (v == 0) return m;
  m.our_companies = {{"acme", "Acme", true}};
  m.groups = {{"g", "G"}};
  for (std::uint64_t k = 1; k <= v; ++k)
    for (int i = 0; i < n; ++i) {
      User u;
      u.id = "u" + std::to_string(k) + "-" + std::to_string(i);
      u.company = "acme";
      u.role = "level-3";
      u.group = "g";
      m.users.push_back(u);
    }
  return m;
}

ChangeSet step(std::uint64_t base, int n) {
  ChangeSet cs;
  cs.base_version = base;
  cs.version = base + 1;
  cs.time = 1700000000;
  cs.changes = diff_models(base == 0 ? Model::with_defaults() : model_at(base, n), model_at(base + 1, n));
  return cs;
}

// The store loads, and its model is exactly the one of its version.
std::uint64_t check_consistent(const std::string& path, int n) {
  auto s = SqliteStore::open(path);
  REQUIRE(s);
  auto loaded = (*s)->load();
  REQUIRE(loaded);
  REQUIRE(loaded->model == model_at(loaded->version, n));
  REQUIRE(compile(loaded->model));
  auto audit = (*s)->audit({});
  REQUIRE(audit);
  CHECK(audit->size() == loaded->version);
  return loaded->version;
}

// A new store at `path` holding version 1 (n users), closed.
void create_at_version_1(const std::string& path, int n) {
  auto s = SqliteStore::open(path, {.create = true});
  REQUIRE(s);
  REQUIRE((*s)->apply(step(0, n)));
}

}  // namespace

TEST_CASE("crash: SIGKILL in the middle of a large commit", "[storage][sqlite][crash]") {
  TempDir dir;
  const std::string path = dir.file("crash.db");
  const int n = 2000;
  create_at_version_1(path, n);
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(fds[0]);
    SqliteStoreOptions options;
    options.on_change_written = [&](std::size_t i) {
      if (i == static_cast<std::size_t>(n / 2)) {
        const char c = 'x';
        (void)!::write(fds[1], &c, 1);
        for (;;) ::pause();  // wait to be killed mid-transaction
      }
    };
    auto s = SqliteStore::open(path, std::move(options));
    if (!s) ::_exit(3);
    (void)(*s)->apply(step(1, n));
    ::_exit(4);  // not reached: killed first
  }
  ::close(fds[1]);
  char c = 0;
  REQUIRE(::read(fds[0], &c, 1) == 1);
  ::close(fds[0]);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  CHECK(check_consistent(path, n) == 1);
  // And the store takes the commit afterwards.
  auto s = SqliteStore::open(path);
  REQUIRE(s);
  REQUIRE((*s)->apply(step(1, n)));
  s->reset();
  CHECK(check_consistent(path, n) == 2);
}

TEST_CASE("crash: SIGKILL at random moments of a stream of commits", "[storage][sqlite][crash]") {
  TempDir dir;
  const std::string path = dir.file("random.db");
  const int n = 100;
  create_at_version_1(path, n);
  std::mt19937 rng(12345);
  std::uint64_t last = 1;
  // At least 10 rounds, and more until some commits went through (slow
  // sanitizer builds need longer before the first one).
  for (int round = 0; round < 10 || (last == 1 && round < 40); ++round) {
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      auto s = SqliteStore::open(path);
      if (!s) ::_exit(3);
      for (;;) {
        auto v = (*s)->version();
        if (!v || !(*s)->apply(step(*v, n))) ::_exit(5);
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(2000, 60000 + 5000 * round)(rng)));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(WIFSIGNALED(status));
    const std::uint64_t now = check_consistent(path, n);
    CHECK(now >= last);
    last = now;
  }
  CHECK(last > 1);
}
