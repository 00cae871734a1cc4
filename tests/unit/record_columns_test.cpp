// RecordColumns takes columns of the strong index types (IndexColumn): the
// same rows given as UserIndex/GroupIndex/CompanyIndex/ProjectIndex columns
// and as their raw uint32_t values (sorights 0.1's column type, still
// accepted) filter identically, on every kernel, and agree with can().
#include <array>
#include <span>
#include <vector>

#include "sorights/filter.hpp"
#include "support/catch.hpp"
#include "unit/fixture.hpp"

using namespace fx;

namespace {

Model columns_model() {
  Model m = base_model();
  m.users.push_back(associate("alice", "acme", "level-3", "sales"));
  m.users.push_back(associate("bob", "acme", "level-2", "support"));
  m.users.push_back(associate("carol", "acme", "level-1", "support", {"marketing"}));
  return m;
}

}  // namespace

TEST_CASE("RecordColumns: strong index columns filter like raw ones and like can()", "[filter]") {
  const Snapshot s = build(columns_model());
  const UserIndex users[] = {s.find_user("alice"), s.find_user("bob"), s.find_user("carol"), kNoUser};
  const GroupIndex groups[] = {kNoGroup, s.find_group("sales"), s.find_group("support")};
  std::vector<UserIndex> owner;
  std::vector<GroupIndex> group;
  std::vector<std::uint32_t> owner_raw, group_raw, visibility_id;
  std::vector<std::uint8_t> flags;
  for (std::size_t i = 0; i < 100; ++i) {  // more than one vector step, and a tail
    owner.push_back(users[i % 4]);
    group.push_back(groups[(i / 4) % 3]);
    owner_raw.push_back(static_cast<std::uint32_t>(owner.back()));
    group_raw.push_back(static_cast<std::uint32_t>(group.back()));
    const bool hidden = i % 5 == 0;
    flags.push_back(static_cast<std::uint8_t>(hidden ? VisibilityKind::kAssociate : VisibilityKind::kAll));
    visibility_id.push_back(static_cast<std::uint32_t>(users[(i / 5) % 3]));
  }
  const RecordColumns strong{.size = owner.size(), .owner = owner, .group = group, .flags = flags,
                             .visibility_id = visibility_id};
  const RecordColumns raw{.size = owner.size(), .owner = owner_raw, .group = group_raw, .flags = flags,
                          .visibility_id = visibility_id};
  const ObjectIndex sale = s.find_object("sale");
  for (const UserIndex u : {s.find_user("alice"), s.find_user("bob"), s.find_user("carol")}) {
    for (const FilterPath path : {FilterPath::kScalar, FilterPath::kAvx2, FilterPath::kAvx512, FilterPath::kAuto}) {
      std::vector<std::uint64_t> a(filter_words(owner.size())), b(a.size());
      const FilterResult ra = filter(s, u, sale, Action::kRead, strong, a, path);
      const FilterResult rb = filter(s, u, sale, Action::kRead, raw, b, path);
      REQUIRE(ra.ok);
      REQUIRE(rb.ok);
      CHECK(ra.path == rb.path);
      CHECK(a == b);
      for (std::size_t i = 0; i < owner.size(); ++i)
        CHECK(((a[i / 64] >> (i % 64)) & 1u) == (s.can(u, Action::kRead, strong.record(i, sale)) ? 1u : 0u));
    }
  }
}

TEST_CASE("IndexColumn: views vectors, arrays and spans of the index type or of uint32_t", "[filter]") {
  const std::vector<UserIndex> v = {UserIndex{3}, UserIndex{7}};
  const std::array<GroupIndex, 3> arr = {GroupIndex{1}, GroupIndex{2}, GroupIndex{5}};
  const std::uint32_t raw[] = {9, 8};
  const IndexColumn<UserIndex> from_vector = v;
  const IndexColumn<GroupIndex> from_array = arr;
  const IndexColumn<CompanyIndex> from_raw = std::span<const std::uint32_t>(raw);
  const IndexColumn<ProjectIndex> empty;
  CHECK(from_vector.size() == 2);
  CHECK(from_vector[1] == 7u);
  CHECK(from_vector.at(0) == UserIndex{3});
  CHECK(from_array.at(2) == GroupIndex{5});
  CHECK(from_raw.at(0) == CompanyIndex{9});
  CHECK(empty.empty());
  const RecordColumns c{.size = 2, .owner = v, .company = from_raw};
  CHECK(c.valid());
  CHECK(c.record(1, ObjectIndex{0}).owner == UserIndex{7});
  CHECK(c.record(1, ObjectIndex{0}).company == CompanyIndex{8});
}

TEST_CASE("record_flags: a visibility kind out of range is a group, as can() reads it, on every kernel",
          "[filter]") {
  const Snapshot s = build(columns_model());
  const UserIndex alice = s.find_user("alice");
  std::vector<Record> records;
  for (std::uint32_t k = 0; k < 256; ++k) {
    Record r;
    r.object = s.find_object("sale");
    r.owner = s.find_user("bob");  // another user's record: visibility applies
    r.visibility.kind = static_cast<VisibilityKind>(k);
    r.visibility.id = static_cast<std::uint32_t>(k % 3 == 0 ? s.find_group("sales") : s.find_group("support"));
    records.push_back(r);
    CHECK((record_flags(r) & ~kRecordVisibilityKindMask) == 0);  // no state bit from the kind
  }
  const RecordColumnsBuffer columns(records);
  for (FilterPath path : {FilterPath::kScalar, FilterPath::kAvx2, FilterPath::kAvx512}) {
    if (!filter_path_available(path)) continue;
    std::vector<std::uint64_t> bits(filter_words(records.size()));
    REQUIRE(filter(s, alice, s.find_object("sale"), Action::kRead, columns.view(), bits, path).ok);
    for (std::size_t i = 0; i < records.size(); ++i) {
      INFO("kind " << i << " path " << static_cast<int>(path));
      CHECK(((bits[i / 64] >> (i % 64)) & 1u) == s.can(alice, Action::kRead, records[i]));
    }
  }
}
