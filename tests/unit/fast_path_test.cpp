// `Snapshot::rights` answers the common case (an active associate, no
// publishing, no record-scoped override for the record) from one CheckRow and
// a SIMD test of the other groups the user's record holds inline (up to four);
// everything else goes through `evaluate`. These tests hold the fast path to
// the traced evaluation (`explain`, which runs `evaluate` step by step) on
// random models, across the group-membership paths (0-4 groups inline, 5-16
// and more in the pool), on the groups each record stores, and on snapshots
// patched by an incremental commit.
#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "fixture.hpp"
#include "reference/random_facts.hpp"
#include "reference/random_model.hpp"
#include "sorights/detail/snapshot_access.hpp"
#include "sorights/detail/snapshot_builder.hpp"

namespace {

using namespace sorights;

// "g" + std::to_string(n) trips g++ 12's -Wrestrict false positive at -O3
// (GCC bug 105329); appending does not.
inline std::string id(const char* prefix, long n) {
  std::string s = prefix;
  s += std::to_string(n);
  return s;
}

// Every user against `records`: rights() must equal explain().rights and
// can() explain().allowed. Returns the number of disagreements (INFO names the first).
std::size_t disagreements(const Snapshot& s, const std::vector<Record>& records) {
  std::size_t bad = 0;
  for (std::uint32_t ui = 0; ui < s.user_count(); ++ui)
    for (std::size_t i = 0; i < records.size(); ++i) {
      const Record& r = records[i];
      const UserIndex u{ui};
      const Explanation e = s.explain(u, Action::kUpdate, r);
      if (s.rights(u, r) != e.rights || s.can(u, Action::kUpdate, r) != e.allowed) {
        if (bad++ == 0)
          UNSCOPED_INFO("user " << s.user_id(u) << " record " << i << ": rights() "
                                << s.rights(u, r).to_string() << ", explain() " << e.rights.to_string() << "\n"
                                << s.explain_text(e));
      }
    }
  return bad;
}

// Group and visibility ids that stress the membership test: every group, no
// group, sentinels, the value unused inline slots hold (0 is also a real
// group), and ids past the end.
std::vector<std::uint32_t> probe_groups(const Snapshot& s) {
  std::vector<std::uint32_t> ids;
  for (std::uint32_t g = 0; g < s.group_count(); ++g) ids.push_back(g);
  for (GroupIndex g : {kNoGroup, kUnknownGroup}) ids.push_back(static_cast<std::uint32_t>(g));
  ids.push_back(static_cast<std::uint32_t>(s.group_count()));
  ids.push_back(0x7FFFFFFFu);
  return ids;
}

// Records of every object for owners drawn from the model, with every group
// and visibility id of `probe_groups` and the record-state flags.
std::vector<Record> grid(const Snapshot& s, std::mt19937_64& rng, std::size_t n) {
  const std::vector<std::uint32_t> ids = probe_groups(s);
  auto pick = [&](std::size_t k) { return static_cast<std::uint32_t>(rng() % k); };
  std::vector<Record> out(n);
  for (Record& r : out) {
    r.object = ObjectIndex{static_cast<std::uint16_t>(pick(s.object_count() + 1))};
    const std::uint32_t o = pick(10);
    r.owner = o == 0 ? kNoUser : o == 1 ? kUnknownUser : UserIndex{pick(static_cast<std::uint32_t>(s.user_count()))};
    r.group = GroupIndex{ids[pick(ids.size())]};
    const std::uint32_t v = pick(3);
    r.visibility = v == 0 ? Visibility::all()
                   : v == 1 ? Visibility::group(GroupIndex{ids[pick(ids.size())]})
                            : Visibility::associate(UserIndex{pick(static_cast<std::uint32_t>(s.user_count()) + 2)});
    r.company = CompanyIndex{pick(6)};
    r.id = pick(4);
    sorights_random::random_facts(rng, {.published = 2, .completed = 3, .is_new = 5, .user_person = 5,
                                        .our_company = 8, .database_owner = 12}, r);
  }
  return out;
}

// Associates with 0..40 other groups out of 48, so that the membership test
// takes each of its paths; the same people as external users and inactive
// ones, to cross the way to the slow path.
Model many_groups_model() {
  Model m = Model::with_defaults();
  m.our_companies = {{"acme", "Acme", true}, {"beta", "Beta", false}};
  for (int g = 0; g < 48; ++g) m.groups.push_back({id("g", g), "Group"});
  m.licences.push_back(Licence{.id = "sale-cal", .name = "Sale", .kind = LicenceKind::kUser, .unrestricted = true,
                               .cal_for = {"sale"}});
  m.overrides.push_back({.level = OverrideLevel::kGroup, .target = "g3", .object = "sale",
                         .scope = OverrideScope::kExisting, .remove = 2});
  m.overrides.push_back({.level = OverrideLevel::kUser, .target = "u7", .object = "document",
                         .scope = OverrideScope::kRecord, .record = "2", .remove = 1});
  const std::vector<std::string> roles = {"level-0", "level-2", "level-3", "level-5", "user-admin"};
  std::mt19937_64 rng(5);
  for (int k = 0; k <= 40; ++k) {
    User u = fx::associate(id("u", k), k % 3 == 0 ? "beta" : "acme", roles[static_cast<std::size_t>(k) % roles.size()],
                           id("g", 47 - k % 5));
    for (int g = 0; g < k; ++g) u.other_groups.push_back(id("g", (g * 7 + k) % 47));
    if (k % 2 == 0) u.licences.push_back("sale-cal");
    m.users.push_back(u);
  }
  m.users.push_back(User{.id = "ext", .type = UserType::kExternal, .company = "customer", .role = "external"});
  User off = fx::associate("off", "acme", "level-3", "g1", {"g2"});
  off.can_log_in = false;
  m.users.push_back(off);
  m.users.push_back(User{.id = "system", .type = UserType::kSystem, .role = "system"});
  return m;
}

}  // namespace

TEST_CASE("rights() equals the traced evaluation on random models", "[fast-path]") {
  std::size_t checked = 0;
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    sorights_random::SeededGen g(seed);
    const sorights_random::World w = sorights_random::random_world(g);
    auto s = compile(w.model);
    REQUIRE(s.has_value());
    std::vector<Record> records;
    for (int i = 0; i < 300; ++i) records.push_back(sorights_random::to_record(*s, sorights_random::random_record(g, w)));
    INFO("seed " << seed);
    CHECK(disagreements(*s, records) == 0);
    checked += s->user_count() * records.size();
  }
  CHECK(checked > 40000);
}

TEST_CASE("group membership is exact for 0 to 40 other groups", "[fast-path]") {
  const Model m = many_groups_model();
  const Snapshot snapshot = fx::build(m);
  const Snapshot* s = &snapshot;
  std::mt19937_64 rng(11);
  CHECK(disagreements(*s, grid(*s, rng, 3000)) == 0);

  // The relation itself, for the record group of each probe id.
  const ObjectIndex sale = object_index(BuiltinObject::kSale);
  const UserIndex owner = s->find_user("off");  // an associate in g1; an empty record group means g1
  for (std::uint32_t k = 0; k <= 40; ++k) {
    const UserIndex u = s->find_user(id("u", k));
    const User& mu = m.users[k];
    for (std::uint32_t id : probe_groups(*s)) {
      Record r{.object = sale, .owner = owner, .group = GroupIndex{id}, .visibility = Visibility::all()};
      const std::string_view name = id == static_cast<std::uint32_t>(kNoGroup) ? std::string_view("g1")
                                    : id < s->group_count()                    ? s->group_id(GroupIndex{id})
                                                                               : std::string_view();
      const bool primary = !name.empty() && name == mu.group;
      bool other = false;
      for (const std::string& g : mu.other_groups) other |= !name.empty() && g == name && !primary;
      const Relation want = primary ? Relation::kPrimaryGroup : other ? Relation::kOtherGroups : Relation::kOtherAssociates;
      INFO("user u" << k << " record group " << id);
      CHECK(s->explain(u, Action::kRead, r).relation == want);
      CHECK(s->rights(u, r) == s->explain(u, Action::kRead, r).rights);
    }
  }
}

TEST_CASE("every user's other groups are stored, in the record or in the pool, as the model names them",
          "[fast-path]") {
  const Model m = many_groups_model();
  const Snapshot snapshot = fx::build(m);
  CHECK(fx::stored_groups_mismatches(snapshot, m) == 0);
}

TEST_CASE("patched snapshots keep the fast path exact and every user's groups stored", "[fast-path]") {
  Model m = many_groups_model();
  const Snapshot base = fx::build(m);
  // Users gaining groups get new runs at the end of the pool; users losing
  // them reuse theirs; a new profile appears (a role no one had).
  Model next = m;
  std::vector<std::size_t> positions = {0, 2, 5, 40};
  std::vector<const User*> before;
  for (std::size_t i : positions) before.push_back(&m.users[i]);
  next.users[0].other_groups = {"g1", "g2", "g3"};
  next.users[2].other_groups = {"g0", "g9", "g10", "g11", "g12", "g13"};
  next.users[5].other_groups = {"g0"};
  next.users[40].role = "list-admin";
  auto patched = detail::SnapshotBuilder::patch_users(base, next, positions, before, 2);
  REQUIRE(patched.has_value());
  const Snapshot fresh_snapshot = fx::build(next, 2);
  const Snapshot* fresh = &fresh_snapshot;
  std::mt19937_64 rng(13);
  const std::vector<Record> records = grid(*fresh, rng, 2000);
  CHECK(disagreements(*patched, records) == 0);
  for (std::uint32_t ui = 0; ui < fresh->user_count(); ++ui)
    for (const Record& r : records) {
      const UserIndex u{ui};
      if (patched->rights(u, r) != fresh->rights(u, r)) {
        FAIL_CHECK("user " << fresh->user_id(u) << ": patched " << patched->rights(u, r).to_string() << ", compiled "
                           << fresh->rights(u, r).to_string());
        break;
      }
    }
  CHECK(fx::stored_groups_mismatches(*patched, next) == 0);
}
