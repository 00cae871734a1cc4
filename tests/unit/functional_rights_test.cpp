// Functional rights: the built-in catalog, host-declared rights, has().
#include <set>
#include <string>

#include "support/catch.hpp"
#include "unit/fixture.hpp"

using namespace fx;

namespace {

// The ids of the functional rights `user` holds.
std::set<std::string> held(const Snapshot& s, std::string_view user) {
  std::set<std::string> out;
  for (std::uint32_t i = 0; i < s.right_count(); ++i)
    if (s.has(s.find_user(user), RightIndex{i})) out.emplace(s.right_id(RightIndex{i}));
  return out;
}

}  // namespace

TEST_CASE("Functional rights: the evaluator's named positions are found by id", "[functional-rights]") {
  // builtin_right::k... are found by id at compile time; an unknown id does
  // not compile. A few spot checks of the positions themselves:
  STATIC_REQUIRE(builtin_right::kAdminAll == 0);
  STATIC_REQUIRE(builtin_right::kExtSameProject == kBuiltinRightCount - 1);
  STATIC_REQUIRE(builtin_right_id(builtin_right::kSeeOtherCompanies) == "see-other-companies-associates");
  STATIC_REQUIRE(builtin_right_id(kBuiltinRightCount).empty());
}

TEST_CASE("Functional rights: catalog ids are unique and found", "[functional-rights]") {
  for (std::size_t i = 0; i < kBuiltinRightCount; ++i) {
    INFO(builtin_right_id(i));
    REQUIRE(find_builtin_right(builtin_right_id(i)) == i);
    REQUIRE_FALSE(builtin_right_name(i).empty());
  }
  REQUIRE_FALSE(find_builtin_right("no-such-right"));
}

TEST_CASE("Functional rights: a snapshot numbers built-in rights first, declared ones after", "[functional-rights]") {
  Model m = base_model();
  m.functional_rights.push_back({"host-a", "A", ""});
  m.functional_rights.push_back({"host-b", "B", ""});
  const Snapshot s = build(m);
  REQUIRE(s.right_count() == kBuiltinRightCount + 2);
  for (std::size_t i = 0; i < kBuiltinRightCount; ++i)
    REQUIRE(s.find_right(builtin_right_id(i)) == RightIndex{static_cast<std::uint32_t>(i)});
  REQUIRE(s.find_right("host-a") == RightIndex{static_cast<std::uint32_t>(kBuiltinRightCount)});
  REQUIRE(s.right_id(RightIndex{static_cast<std::uint32_t>(kBuiltinRightCount + 1)}) == "host-b");
}

TEST_CASE("Functional rights: a user holds exactly the rights of the role", "[functional-rights]") {
  Model m = base_model();
  m.functional_rights.push_back({"host-a", "A", ""});
  Role r = blank_role("custom");
  r.functional_rights = {"allow-bulk-export", "host-a"};
  m.roles.push_back(r);
  m.users.push_back(associate("alice", "acme", "custom", "sales"));
  const Snapshot s = build(m);
  // none of the predefined roles' rights, such as allow-bulk-edit or see-other-companies-associates
  REQUIRE(held(s, "alice") == std::set<std::string>{"allow-bulk-export", "host-a"});
}

TEST_CASE("Functional rights: users of one role with different licences differ", "[functional-rights][licences]") {
  Model m = base_model();
  m.licences.push_back({"quote-cal", "Quote", LicenceKind::kUser, 5, false, {}, {}});
  m.functional_rights.push_back({"quote-approve", "Approve", "quote-cal"});
  m.find_role("level-3")->functional_rights.push_back("quote-approve");
  User a = associate("alice", "acme", "level-3", "sales");
  a.licences = {"quote-cal"};
  m.users.push_back(a);
  m.users.push_back(associate("bob", "acme", "level-3", "sales"));
  const Snapshot s = build(m);
  REQUIRE(has(s, "alice", "quote-approve"));
  REQUIRE_FALSE(has(s, "bob", "quote-approve"));
  REQUIRE(has(s, "bob", "see-other-companies-associates"));
}

TEST_CASE("Functional rights: has() is total", "[functional-rights][totality]") {
  Model m = base_model();
  m.users.push_back(associate("alice", "acme", "level-0", "sales"));
  const Snapshot s = build(m);
  const UserIndex alice = s.find_user("alice");
  REQUIRE(s.has(alice, s.find_right("admin-all")));
  REQUIRE_FALSE(s.has(alice, kUnknownRight));
  REQUIRE_FALSE(s.has(alice, RightIndex{static_cast<std::uint32_t>(s.right_count())}));
  REQUIRE_FALSE(s.has(alice, RightIndex{0xFFFFFFFFu}));
  REQUIRE_FALSE(s.has(kUnknownUser, s.find_right("admin-all")));
  REQUIRE_FALSE(s.has(kNoUser, s.find_right("admin-all")));
  REQUIRE_FALSE(Snapshot{}.has(UserIndex{0}, RightIndex{0}));
}
