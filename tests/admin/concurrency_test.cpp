// Lock-free readers against concurrent writers. Every commit preserves a
// marker invariant across users: the marker users m0..m9 share one primary
// group and one role. Readers hold a snapshot and check that it is whole.
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "fixture.hpp"

using namespace admin_test;

namespace {

constexpr int kMarkers = 10;
const char* const kGroups[] = {"sales", "support", "g2", "g3"};
const char* const kRoles[] = {"level-3", "level-4"};

std::string marker(int i) {
  std::string s("m");
  s.append(std::to_string(i));
  return s;
}

Model marker_model() {
  Model m = base_model();
  m.groups.push_back({"g2", "G2"});
  m.groups.push_back({"g3", "G3"});
  for (int i = 0; i < kMarkers; ++i) m.users.push_back(associate(marker(i), "level-3"));
  return m;
}

}  // namespace

TEST_CASE("concurrency: 8 readers see whole snapshots while 2 writers commit",
          "[admin][concurrency][transaction]") {
  auto storage = std::make_shared<InMemoryStorage>(StoredModel{marker_model(), 1});
  auto dir = Directory::open(storage).value();

  std::atomic<bool> stop{false};
  std::atomic<long> checks{0};
  std::atomic<int> broken{0};
  std::atomic<int> commits{0};
  std::atomic<int> conflicts{0};
  std::atomic<int> other_errors{0};

  auto reader = [&] {
    std::uint64_t last = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      std::shared_ptr<const DirectoryState> st = dir->state();
      std::shared_ptr<const Snapshot> s = dir->snapshot();
      if (s->version() < last) ++broken;  // versions never go back
      last = s->version();
      if (st->snapshot.version() != st->version) ++broken;
      // The snapshot is whole: every marker has the same group and role.
      const GroupIndex g = s->user_primary_group(s->find_user("m0"));
      const RoleIndex r = s->user_role(s->find_user("m0"));
      for (int i = 1; i < kMarkers; ++i) {
        const UserIndex u = s->find_user(marker(i));
        if (s->user_primary_group(u) != g || s->user_role(u) != r) ++broken;
      }
      // ...and so is the model of the same state.
      const User* m0 = st->model.find_user("m0");
      for (int i = 1; i < kMarkers; ++i) {
        const User* mi = st->model.find_user(marker(i));
        if (mi == nullptr || mi->group != m0->group || mi->role != m0->role) ++broken;
      }
      // A hot check on the held snapshot.
      (void)s->has(s->find_user("root"), s->find_right("admin-all"));
      ++checks;
    }
  };

  auto writer = [&](int id) {
    const char* actor = id == 0 ? "ua" : "root";
    auto tx = dir->begin(actor);
    if (!tx) {
      ++other_errors;
      return;
    }
    for (int n = 0; !stop.load(std::memory_order_relaxed); ++n) {
      const bool markers = id == 0 || n % 2 == 0;  // writer 1 also makes disjoint commits
      if (markers) {
        const char* group = kGroups[(n + id) % 4];
        const char* role = kRoles[(n / 3 + id) % 2];
        for (int i = 0; i < kMarkers; ++i) {
          const std::string m = marker(i);
          if (!tx->set_user_groups(m, group, {}) || !tx->set_user_role(m, role)) ++other_errors;
        }
      } else {
        if (!tx->edit_user("carl", [&](User& u) { u.name.assign("carl ").append(std::to_string(n)); })) ++other_errors;
      }
      auto done = tx->commit();
      if (done) {
        if (!done->changes.empty()) ++commits;
      } else if (done.error().code == ErrorCode::kConflict) {
        ++conflicts;
        tx->rollback();
      } else {
        ++other_errors;
        tx->rollback();
      }
    }
  };

  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) threads.emplace_back(reader);
  for (int i = 0; i < 2; ++i) threads.emplace_back(writer, i);
  // About 2 s; longer only under a slow build (TSan) until 20 commits happened.
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  while (commits.load() < 20 && std::chrono::steady_clock::now() - start < std::chrono::seconds(30))
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  stop = true;
  for (std::thread& t : threads) t.join();

  INFO("commits " << commits << ", conflicts " << conflicts << ", reader checks " << checks);
  CHECK(broken == 0);
  CHECK(other_errors == 0);
  CHECK(commits >= 20);
  CHECK(checks > 100);
  // Every commit published exactly one version and one audit entry.
  CHECK(dir->version() == 1 + static_cast<std::uint64_t>(commits.load()));
  CHECK(storage->version().value() == dir->version());
  AuditQuery committed;
  committed.include_refused = false;
  CHECK(dir->audit(committed)->size() == static_cast<std::size_t>(commits.load()));
  CHECK(dir->audit()->size() == static_cast<std::size_t>(commits.load() + conflicts.load()));
  const Model& m = *dir->model();
  for (int i = 1; i < kMarkers; ++i) {
    CHECK(m.find_user(marker(i))->group == m.find_user("m0")->group);
    CHECK(m.find_user(marker(i))->role == m.find_user("m0")->role);
  }
}
