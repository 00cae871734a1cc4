// sorights_pg_peer: one "application server" for the multi-process tests and
// the propagation benchmark. Every mode opens its own PostgresStore and
// Directory on the given schema.
//
//   sorights_pg_peer observe CONNINFO SCHEMA TARGET TIMEOUT_MS
//       prints "ready V", waits (follower) until the directory reaches TARGET,
//       prints "reached V AT_US" (wall clock, microseconds) and
//       "seen v1 v2 ..." (every version the listener announced); exit 0,
//       or 3 on timeout.
//   sorights_pg_peer commit CONNINFO SCHEMA PREFIX COUNT
//       commits COUNT new users PREFIX-0.. one per commit, retrying conflicts;
//       prints "committed V" per commit; exit 0.
//   sorights_pg_peer commit-once CONNINFO SCHEMA PREFIX COUNT
//       the same, but each change set is committed once: the caller never
//       retries, so only the directory's own rebase can save it; exit 2 at
//       the first failure.
//   sorights_pg_peer follow CONNINFO SCHEMA TARGET TIMEOUT_MS
//       prints "ready V", then "at V AT_US" for each version it republishes,
//       until it reaches TARGET (exit 0) or times out (exit 3); for the
//       propagation benchmark.
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <string>

#include "pg_test_support.hpp"

using namespace sorights;

namespace {

int usage() {
  std::fprintf(stderr, "usage: sorights_pg_peer observe|commit|commit-once|follow CONNINFO SCHEMA ...\n");
  return 2;
}

std::shared_ptr<Directory> open_dir(const std::string& conninfo, const std::string& schema) {
  PostgresStoreOptions o = pgt::store_options(schema);
  auto store = PostgresStore::open(conninfo, o);
  if (!store) {
    std::fprintf(stderr, "open store: %s\n", store.error().message.c_str());
    std::exit(2);
  }
  auto dir = Directory::open(std::shared_ptr<StorageAdapter>(std::move(*store)));
  if (!dir) {
    std::fprintf(stderr, "open directory: %s\n", dir.error().message.c_str());
    std::exit(2);
  }
  return *dir;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return usage();
  const std::string mode = argv[1], conninfo = argv[2], schema = argv[3];
  if (mode == "observe" && argc == 6) {
    const std::uint64_t target = std::strtoull(argv[4], nullptr, 10);
    const long timeout = std::strtol(argv[5], nullptr, 10);
    auto dir = open_dir(conninfo, schema);
    auto* store = dynamic_cast<PostgresStore*>(dir->storage().get());
    std::mutex mu;
    std::set<std::uint64_t> seen;
    std::uint64_t wid = store->watch([&](std::uint64_t v) {
      std::lock_guard<std::mutex> lock(mu);
      seen.insert(v);
    });
    auto follower = attach_listener(*dir);
    if (!follower) {
      std::fprintf(stderr, "attach: %s\n", follower.error().message.c_str());
      return 2;
    }
    (*follower)->listener()->wait_connected(std::chrono::seconds(5));
    std::printf("ready %llu\n", static_cast<unsigned long long>(dir->version()));
    std::fflush(stdout);
    auto snap = (*follower)->snapshot_at_least(target, std::chrono::milliseconds(timeout));
    const std::int64_t at = pgt::wall_us();
    if (!snap) {
      std::printf("timeout %s\n", snap.error().message.c_str());
      std::fflush(stdout);
      return 3;
    }
    std::printf("reached %llu %lld\n", static_cast<unsigned long long>((*snap)->version()),
                static_cast<long long>(at));
    // Notifications of the last commits may trail the republish slightly.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    store->unwatch(wid);
    std::lock_guard<std::mutex> lock(mu);
    std::printf("seen");
    for (std::uint64_t v : seen) std::printf(" %llu", static_cast<unsigned long long>(v));
    std::printf("\n");
    std::fflush(stdout);
    return 0;
  }
  if ((mode == "commit" || mode == "commit-once") && argc == 6) {
    const std::string prefix = argv[4];
    const int count = std::atoi(argv[5]);
    PostgresStoreOptions o = pgt::store_options(schema);
    o.listen = false;  // a pure writer: conflicts make it refresh
    auto store = PostgresStore::open(conninfo, o);
    if (!store) {
      std::fprintf(stderr, "open store: %s\n", store.error().message.c_str());
      return 2;
    }
    auto dir = Directory::open(std::shared_ptr<StorageAdapter>(std::move(*store)));
    if (!dir) {
      std::printf("error opening the directory: %s\n", dir.error().to_string().c_str());
      return 2;
    }
    for (int i = 0; i < count; ++i) {
      auto done = pgt::add_user(**dir, prefix + "-" + std::to_string(i), mode == "commit" ? 200 : 1);
      if (!done) {
        std::printf("error %s\n", done.error().message.c_str());
        return 2;
      }
      std::printf("committed %llu\n", static_cast<unsigned long long>(done->version));
      std::fflush(stdout);
    }
    return 0;
  }
  if (mode == "follow" && argc == 6) {
    const std::uint64_t target = std::strtoull(argv[4], nullptr, 10);
    const long timeout = std::strtol(argv[5], nullptr, 10);
    auto dir = open_dir(conninfo, schema);
    auto follower = attach_listener(*dir);
    if (!follower) return 2;
    (*follower)->listener()->wait_connected(std::chrono::seconds(5));
    std::printf("ready %llu\n", static_cast<unsigned long long>(dir->version()));
    std::fflush(stdout);
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout);
    std::uint64_t last = dir->version();
    while (last < target && std::chrono::steady_clock::now() < end) {
      if ((*follower)->wait_for(last + 1, std::chrono::milliseconds(100))) {
        last = dir->version();
        std::printf("at %llu %lld\n", static_cast<unsigned long long>(last), static_cast<long long>(pgt::wall_us()));
        std::fflush(stdout);
      }
    }
    return last >= target ? 0 : 3;
  }
  return usage();
}
