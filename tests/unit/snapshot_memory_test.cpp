// A compiled snapshot keeps no spare capacity: `memory_bytes()` (what the
// benchmarks report as bytes_per_user) is what the tables need. Built into both
// unit-test binaries, so it covers the compiled library, which is built without
// exceptions: there libstdc++'s `shrink_to_fit` does nothing, and compile() once
// left ~17 bytes a user of spare capacity behind in the 1k-user benchmark model.
#include <string>

#include "fixture.hpp"

namespace {
// "g" + std::to_string(n) trips g++ 12's -Wrestrict false positive at -O3
// (GCC bug 105329); appending does not.
inline std::string id(const char* prefix, long n) {
  std::string s = prefix;
  s += std::to_string(n);
  return s;
}
}  // namespace

TEST_CASE("a compiled snapshot holds no spare capacity", "[snapshot][memory]") {
  using namespace sorights;
  Model m = Model::with_defaults();
  m.our_companies = {{"acme", "Acme", true}, {"beta", "Beta", false}};
  for (int g = 0; g < 30; ++g) m.groups.push_back({id("g", g), "Group"});
  m.overrides.push_back({.level = OverrideLevel::kGroup, .target = "g3", .object = "sale",
                         .scope = OverrideScope::kExisting, .remove = 2});
  const char* roles[] = {"level-0", "level-2", "level-3", "level-5", "list-admin", "user-admin"};
  for (int i = 0; i < 3000; ++i) {
    User u = fx::associate(id("user-", i), i % 4 == 0 ? "beta" : "acme", roles[i % 6],
                           id("g", i % 30));
    for (int k = 0; k < i % 5; ++k) u.other_groups.push_back(id("g", (i + 7 * k + 1) % 30));
    if (i % 50 == 0)
      m.overrides.push_back({.level = OverrideLevel::kUser, .target = u.id, .object = "sale",
                             .scope = OverrideScope::kRecord, .record = std::to_string(i), .remove = 1});
    m.users.push_back(std::move(u));
  }
  auto s = compile(m);
  INFO((s ? std::string() : s.error().to_string()));
  REQUIRE(s.has_value());
  const Snapshot exact = *s;  // a copy allocates exactly what each table holds
  CHECK(s->memory_bytes() == exact.memory_bytes());
}
