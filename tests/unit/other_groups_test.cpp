// A user's other groups decide the "other groups" relation and group
// visibility. The snapshot keeps up to four of them in the user's own record
// (detail::UserRec, tested with one SIMD compare) and more, or those of a
// user with projects, in the group pool. These tests hold both places to the
// reference evaluator and to explicit expectations for users with 0, 1,
// exactly four (the inline count) and more other groups, compiled and patched
// by an incremental commit across the inline limit in both directions.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fixture.hpp"
#include "reference/naive_evaluator.hpp"
#include "reference/random_model.hpp"
#include "sorights/detail/snapshot_access.hpp"
#include "sorights/detail/snapshot_builder.hpp"
#include "sorights/filter.hpp"

namespace {

using namespace sorights;

constexpr int kGroups = 24;

std::string group_id(int g) {
  std::string s = "g";
  s += std::to_string(g);
  return s;
}

std::vector<std::string> groups(std::initializer_list<int> ids) {
  std::vector<std::string> out;
  for (int g : ids) out.push_back(group_id(g));
  return out;
}

std::vector<std::string> group_range(int first, int last) {
  std::vector<std::string> out;
  for (int g = first; g <= last; ++g) out.push_back(group_id(g));
  return out;
}

// The groups the records name: g0-g23, and "sales", index 0, the value unused
// inline slots hold.
std::vector<std::string> record_groups() {
  std::vector<std::string> out = group_range(0, kGroups - 1);
  out.emplace_back("sales");
  return out;
}

// Askers with 0, 1, 4 (with a repeat and their primary group named, which
// count once and not at all), 5, 11 and 20 other groups, an associate with
// projects and two other groups (stored in the pool), an external user with
// projects (no groups), and an owner per group.
Model groups_model() {
  Model m = fx::base_model();
  for (int g = 0; g < kGroups; ++g) m.groups.push_back({group_id(g), "Group"});
  m.roles.push_back(fx::probe_role("probe", RoleType::kEmployee));
  m.roles.push_back(fx::probe_role("ext-probe", RoleType::kExternal));
  m.users.push_back(fx::associate("none", "acme", "probe", "g0"));
  m.users.push_back(fx::associate("one", "acme", "probe", "g0", groups({5})));
  m.users.push_back(fx::associate("four", "acme", "probe", "g0", groups({7, 1, 0, 3, 5, 3})));
  m.users.push_back(fx::associate("five", "acme", "probe", "g0", group_range(1, 5)));
  m.users.push_back(fx::associate("eleven", "acme", "probe", "g0", group_range(1, 11)));
  m.users.push_back(fx::associate("twenty", "acme", "probe", "g0", group_range(2, 21)));
  User projects = fx::associate("projects", "acme", "probe", "g0", groups({4, 9}));
  projects.projects = {"p1", "p2"};
  m.users.push_back(projects);
  m.users.push_back(fx::external("ext", "customer", "ext-probe", {"p1", "p3"}));
  for (const std::string& g : record_groups()) m.users.push_back(fx::associate("owner-" + g, "acme", "level-3", g));
  return m;
}

constexpr const char* kAskers[] = {"none", "one", "four", "five", "eleven", "twenty", "projects", "ext"};

// Per group g of record_groups(): a document owned by g's owner; one owned by someone else with
// the group field g; one visible for group g only; and the same with the
// group field and the visibility on other objects.
std::vector<naive::Record> records() {
  std::vector<naive::Record> out;
  for (const std::string& g : record_groups())
    for (const char* object : {"document", "sale", "follow_up", "company"}) {
      naive::Record owned;
      owned.object = object;
      owned.owner = "owner-" + g;
      out.push_back(owned);
      naive::Record grouped = owned;
      grouped.owner = "owner-g23";
      grouped.group = g;
      out.push_back(grouped);
      naive::Record visible = owned;
      visible.owner = "owner-g22";
      visible.visible_for = "group";
      visible.visible_id = g;
      out.push_back(visible);
    }
  return out;
}

const User& user(const Model& m, std::string_view id) {
  return *std::find_if(m.users.begin(), m.users.end(), [&](const User& u) { return u.id == id; });
}

bool member_of(const Model& m, const std::string& asker, const std::string& g) {
  const User& u = user(m, asker);
  return u.group == g || std::find(u.other_groups.begin(), u.other_groups.end(), g) != u.other_groups.end();
}

// The relation `asker` must have to another associate's record of group `g`.
Relation relation_to_group(const Model& m, const std::string& asker, const std::string& g) {
  const User& u = user(m, asker);
  if (u.type == UserType::kExternal) return Relation::kOtherAssociates;
  if (u.group == g) return Relation::kPrimaryGroup;
  return member_of(m, asker, g) ? Relation::kOtherGroups : Relation::kOtherAssociates;
}

// Every asker on every record: rights() and can_batch() as the reference
// evaluator, the relation as `relation_to_group`. Returns the disagreements.
std::size_t disagreements(const Snapshot& s, const Model& m) {
  const naive::Evaluator ref(m);
  const std::vector<naive::Record> named = records();
  std::vector<Record> recs;
  for (const naive::Record& n : named) recs.push_back(sorights_random::to_record(s, n));
  std::size_t bad = 0;
  for (const char* id : kAskers) {
    const std::string asker = id;
    const UserIndex u = s.find_user(asker);
    std::vector<std::uint64_t> bits(filter_words(recs.size()));
    (void)can_batch(s, u, Action::kUpdate, recs, bits);
    for (std::size_t i = 0; i < recs.size(); ++i) {
      const naive::Record& n = named[i];
      const Explanation e = s.explain(u, Action::kUpdate, recs[i]);
      const bool group_record = n.visible_for == "all";
      const std::string g = !n.group.empty() ? n.group : n.owner.substr(6);
      const bool relation_ok = !group_record || e.relation == relation_to_group(m, asker, g);
      // A document hidden from the asker gives nothing; every relation gives it something.
      const bool visible_ok = group_record || n.object != "document" ||
                              (e.rights.bits() != 0) == member_of(m, asker, n.visible_id);
      const bool batch = ((bits[i / 64] >> (i % 64)) & 1u) != 0;
      if (s.rights(u, recs[i]).bits() != ref.rights(asker, n) || batch != e.allowed || !relation_ok || !visible_ok) {
        if (bad++ == 0)
          UNSCOPED_INFO(asker << " on " << n.object << " owner " << n.owner << " group " << n.group << " visible for "
                              << n.visible_for << " " << n.visible_id << ": rights() "
                              << s.rights(u, recs[i]).to_string() << ", reference " << int{ref.rights(asker, n)}
                              << ", batch " << batch << ", relation "
                              << kRelationNames[static_cast<std::size_t>(e.relation)]);
      }
    }
  }
  return bad;
}

// `next` patched onto `base` for the users at `positions` (edited from `was`)
// answers and stores as `next` compiled.
Snapshot patch_and_check(const Snapshot& base, const Model& was, const Model& next,
                         const std::vector<std::size_t>& positions, std::uint64_t version) {
  std::vector<const User*> before;
  for (std::size_t i : positions) before.push_back(&was.users[i]);
  std::optional<Snapshot> patched = detail::SnapshotBuilder::patch_users(base, next, positions, before, version);
  REQUIRE(patched.has_value());
  const Snapshot fresh = fx::build(next, version);
  CHECK(fx::stored_groups_mismatches(*patched, next) == 0);
  CHECK(disagreements(*patched, next) == 0);
  for (const char* asker : kAskers)
    for (const naive::Record& n : records()) {
      const Record r = sorights_random::to_record(fresh, n);
      INFO(asker << " on " << n.object << " owner " << n.owner << " group " << n.group << " visible " << n.visible_id);
      REQUIRE(patched->rights(patched->find_user(asker), r) == fresh.rights(fresh.find_user(asker), r));
    }
  return std::move(*patched);
}

std::size_t at(const Model& m, std::string_view id) {
  const auto it = std::find_if(m.users.begin(), m.users.end(), [&](const User& u) { return u.id == id; });
  REQUIRE(it != m.users.end());
  return it.index();
}

}  // namespace

TEST_CASE("users with 0, 1, 4 and more other groups are in exactly those groups", "[other-groups]") {
  const Model m = groups_model();
  const Snapshot s = fx::build(m, 1);
  CHECK(fx::stored_groups_mismatches(s, m) == 0);
  CHECK(disagreements(s, m) == 0);
  const auto users = detail::SnapshotAccess::users(s);
  CHECK(reinterpret_cast<std::uintptr_t>(users.data()) % alignof(detail::UserRec) == 0);  // no record straddles a line
  auto spilled = [&](std::string_view id) { return users[static_cast<std::uint32_t>(s.find_user(id))].spilled(); };
  CHECK_FALSE(spilled("one"));
  CHECK_FALSE(spilled("four"));
  CHECK(spilled("five"));
  CHECK(spilled("projects"));
  CHECK(spilled("ext"));
}

TEST_CASE("patching a user's other groups across the inline limit answers as compile()", "[other-groups]") {
  const Model m0 = groups_model();
  const Snapshot s0 = fx::build(m0, 1);
  // 0 → 1 and 1 → 4 stay in the record; 4 → 5 moves to the pool; 5 → 4 moves
  // back; 11 → 6 reuses its run; the associate with projects grows from two
  // to nine (a new run) while its projects stay.
  Model m1 = m0;
  m1.users[at(m1, "none")].other_groups = groups({9});
  m1.users[at(m1, "one")].other_groups = groups({2, 4, 6, 8});
  m1.users[at(m1, "four")].other_groups = groups({1, 3, 5, 7, 9});
  m1.users[at(m1, "five")].other_groups = groups({10, 12, 14, 16});
  m1.users[at(m1, "eleven")].other_groups = group_range(12, 17);
  m1.users[at(m1, "projects")].other_groups = group_range(4, 12);
  const std::vector<std::size_t> edited = {at(m1, "none"), at(m1, "one"), at(m1, "four"), at(m1, "five"),
                                           at(m1, "eleven"), at(m1, "projects")};
  const Snapshot s1 = patch_and_check(s0, m0, m1, edited, 2);
  // Again on the patched snapshot: the pool users shrink to 0 and to 1 (back
  // into the record) and grow past their runs; the record users grow to 20.
  Model m2 = m1;
  m2.users[at(m2, "none")].other_groups = group_range(1, 20);
  m2.users[at(m2, "four")].other_groups = {};
  m2.users[at(m2, "eleven")].other_groups = groups({23});
  m2.users[at(m2, "twenty")].other_groups = group_range(1, 23);
  m2.users[at(m2, "projects")].other_groups = {};
  const std::vector<std::size_t> edited2 = {at(m2, "none"), at(m2, "four"), at(m2, "eleven"), at(m2, "twenty"),
                                            at(m2, "projects")};
  (void)patch_and_check(s1, m1, m2, edited2, 3);
}
