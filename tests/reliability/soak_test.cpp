// Soak test (label `slow`, not in the default run): a large model — 1M users,
// 10k groups, 500 roles by default — checked continuously from every core
// while admin commits run, for a bounded time. Reports checks/s, commit
// latency percentiles and peak memory, and fails if any check ever observed a
// torn state.
//
// Torn-state detector: every commit moves two marker users to a new role
// together and sets that role's sale/own cell, in one transaction. In any
// whole snapshot both markers hold the same role, so their rights on their own
// sales are equal; a reader that ever sees them differ has seen half a commit.
//
// Sizes and duration come from the environment: SORIGHTS_SOAK_USERS,
// SORIGHTS_SOAK_GROUPS, SORIGHTS_SOAK_ROLES, SORIGHTS_SOAK_SECONDS.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "sorights/directory.hpp"
#include "sorights/sorights.hpp"

namespace {

using namespace sorights;

long env_or(const char* name, long fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::strtol(v, nullptr, 10) : fallback;
}

Model build_model(long users, long groups, long roles) {
  Model m = Model::with_defaults();
  m.our_companies.push_back({"acme", "Acme", true});
  m.our_companies.push_back({"acme-se", "Acme Sverige", false});
  for (long g = 0; g < groups; ++g) m.groups.push_back({"g" + std::to_string(g), "Group " + std::to_string(g)});
  std::mt19937_64 rng(42);
  for (long r = 0; r < roles; ++r) {
    Role role = *predefined_role(r % 2 == 0 ? "level-2" : "level-3");
    role.id = "role-" + std::to_string(r);
    role.name = "Role " + std::to_string(r);
    for (std::string_view object : kBuiltinObjectNames)
      role.set_cell(object, Relation::kOtherAssociates, TableRights::from_bits(rng() & 15u));
    m.roles.push_back(std::move(role));
  }
  m.users.reserve(static_cast<std::size_t>(users) + 2);
  for (long u = 0; u < users; ++u) {
    User user;
    user.id = "u" + std::to_string(u);
    user.company = u % 10 == 0 ? "acme-se" : "acme";
    user.role = "role-" + std::to_string(static_cast<long>(rng() % static_cast<unsigned long>(roles)));
    user.group = "g" + std::to_string(static_cast<long>(rng() % static_cast<unsigned long>(groups)));
    user.other_groups.push_back("g" + std::to_string(static_cast<long>(rng() % static_cast<unsigned long>(groups))));
    m.users.push_back(std::move(user));
  }
  for (const char* id : {"marker-a", "marker-b"}) {
    User user;
    user.id = id;
    user.company = "acme";
    user.role = "role-0";
    user.group = "g0";
    m.users.push_back(std::move(user));
  }
  return m;
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

int main() {
  const long users = env_or("SORIGHTS_SOAK_USERS", 1000000);
  const long groups = env_or("SORIGHTS_SOAK_GROUPS", 10000);
  const long roles = env_or("SORIGHTS_SOAK_ROLES", 500);
  const long seconds = env_or("SORIGHTS_SOAK_SECONDS", 60);
  std::printf("soak: %ld users, %ld groups, %ld roles, %ld s\n", users, groups, roles, seconds);

  auto t0 = std::chrono::steady_clock::now();
  auto storage = std::make_shared<InMemoryStorage>(StoredModel{build_model(users, groups, roles), 0});
  Result<std::shared_ptr<Directory>> opened = Directory::open(storage);
  if (!opened) {
    std::fprintf(stderr, "open failed: %s\n", opened.error().to_string().c_str());
    return 1;
  }
  std::shared_ptr<Directory> dir = *opened;
  std::printf("soak: built and published in %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());

  std::atomic<bool> stop{false};
  std::atomic<long> torn{0};
  std::atomic<long> backwards{0};
  const unsigned readers = std::max(1u, std::thread::hardware_concurrency());
  std::vector<long> checks(readers, 0);
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < readers; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(t + 1);
      std::uint64_t last_version = 0;
      long n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        std::shared_ptr<const Snapshot> s = dir->snapshot();
        if (s->version() < last_version) backwards.fetch_add(1);
        last_version = s->version();
        const UserIndex a = s->find_user("marker-a");
        const UserIndex b = s->find_user("marker-b");
        Record own_a;
        own_a.object = s->find_object("sale");
        own_a.owner = a;
        Record own_b = own_a;
        own_b.owner = b;
        if (s->rights(a, own_a) != s->rights(b, own_b) || s->user_role(a) != s->user_role(b)) torn.fetch_add(1);
        Record r;
        r.object = ObjectIndex{static_cast<std::uint16_t>(rng() % kBuiltinObjectCount)};
        unsigned acc = 0;
        for (int i = 0; i < 4096; ++i) {
          r.owner = UserIndex{static_cast<std::uint32_t>(rng() % s->user_count())};
          acc += s->rights(UserIndex{static_cast<std::uint32_t>(rng() % s->user_count())}, r).bits();
        }
        n += 4096 + (acc == 0xFFFFFFFFu ? 1 : 0);
      }
      checks[t] = n;
    });
  }

  std::vector<double> latencies_ms;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  long round = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    ++round;
    const std::string role = "role-" + std::to_string(round % roles);
    auto c0 = std::chrono::steady_clock::now();
    Result<Transaction> tx = dir->begin();
    if (!tx) { std::fprintf(stderr, "begin failed: %s\n", tx.error().to_string().c_str()); return 1; }
    const TableRights cell = round % 2 ? TableRights::full() : TableRights(TableRight::kSelect);
    if (!tx->set_data_right(role, "sale", Relation::kOwn, cell) || !tx->set_user_role("marker-a", role) ||
        !tx->set_user_role("marker-b", role)) {
      std::fprintf(stderr, "staging failed\n");
      return 1;
    }
    Result<CommitInfo> done = tx->commit();
    if (!done) { std::fprintf(stderr, "commit failed: %s\n", done.error().to_string().c_str()); return 1; }
    latencies_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - c0).count());
  }
  stop = true;
  for (std::thread& t : threads) t.join();

  long total = 0;
  for (long n : checks) total += n;
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    return latencies_ms.empty() ? 0.0 : latencies_ms[static_cast<std::size_t>(p * static_cast<double>(latencies_ms.size() - 1))];
  };
  std::printf("soak: %.1f M checks/s on %u threads; %zu commits; commit latency p50 %.1f ms, p90 %.1f ms, "
              "p99 %.1f ms, max %.1f ms; peak RSS %.0f MiB\n",
              static_cast<double>(total) / static_cast<double>(seconds) / 1e6, readers, latencies_ms.size(),
              pct(0.5), pct(0.9), pct(0.99), pct(1.0), static_cast<double>(peak_rss_kib()) / 1024.0);
  if (torn.load() != 0 || backwards.load() != 0) {
    std::printf("soak: FAILED: %ld torn observations, %ld version regressions\n", torn.load(), backwards.load());
    std::puts("0 passed, 1 failed");
    return 1;
  }
  std::puts("1 passed, 0 failed");
  return 0;
}
