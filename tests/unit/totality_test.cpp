// Totality (docs/rules.md §14): unknown users, objects, rights, fields and
// sentinel indexes deny; nothing crashes.
#include <limits>

#include "support/catch.hpp"
#include "unit/fixture.hpp"

using namespace fx;

namespace {

Snapshot totality_snapshot() {
  Model m = base_model();
  m.users.push_back(associate("alice", "acme", "level-0", "sales"));
  m.users.push_back(system_user("integration"));
  return build(m);
}

const UserIndex kBadUsers[] = {kNoUser, kUnknownUser, UserIndex{2}, UserIndex{1000},
                               UserIndex{std::numeric_limits<std::uint32_t>::max() - 2}};

}  // namespace

TEST_CASE("Totality: unknown users hold nothing", "[totality]") {
  const Snapshot s = totality_snapshot();
  REQUIRE(s.find_user("nobody") == kUnknownUser);
  for (UserIndex u : kBadUsers) {
    const Record r = Rec(s, "company");
    REQUIRE(s.rights(u, r).empty());
    for (Action a : {Action::kRead, Action::kCreate, Action::kUpdate, Action::kDelete}) REQUIRE_FALSE(s.can(u, a, r));
    REQUIRE_FALSE(s.has(u, s.find_right("admin-all")));
    REQUIRE(s.field_rights(u, r, s.find_field("name")).bits() == 0);
    REQUIRE(s.explain(u, Action::kRead, r).outcome == Outcome::kNoSuchUser);
    REQUIRE(s.user_role(u) == kUnknownRole);
    REQUIRE(s.user_type(u) == UserType::kResource);
    REQUIRE(s.user_primary_group(u) == kNoGroup);
    REQUIRE(s.user_id(u).empty());
  }
}

TEST_CASE("Totality: unknown objects deny, even for the system user", "[totality]") {
  const Snapshot s = totality_snapshot();
  REQUIRE(s.find_object("no-such-object") == kUnknownObject);
  for (ObjectIndex o : {kUnknownObject, ObjectIndex{12}, ObjectIndex{500}}) {
    Record r;
    r.object = o;
    for (const char* u : {"alice", "integration"}) {
      REQUIRE(s.rights(s.find_user(u), r).empty());
      REQUIRE(s.field_rights(s.find_user(u), r, s.find_field("name")).bits() == 0);
      REQUIRE(s.explain(s.find_user(u), Action::kRead, r).outcome == Outcome::kNoSuchObject);
    }
  }
  REQUIRE(s.object_id(kUnknownObject).empty());
}

TEST_CASE("Totality: a default Record denies", "[totality]") {
  const Snapshot s = totality_snapshot();
  REQUIRE(s.rights(s.find_user("alice"), Record{}).empty());
}

TEST_CASE("Totality: unknown rights are not held", "[totality]") {
  const Snapshot s = totality_snapshot();
  REQUIRE(s.find_right("no-such-right") == kUnknownRight);
  for (RightIndex r : {kUnknownRight, RightIndex{static_cast<std::uint32_t>(s.right_count())}, RightIndex{0xFFFFFFFFu}}) {
    REQUIRE_FALSE(s.has(s.find_user("alice"), r));
    REQUIRE_FALSE(s.has(s.find_user("integration"), r));
  }
  REQUIRE(s.right_id(kUnknownRight).empty());
}

TEST_CASE("Totality: unknown fields follow the table right", "[totality]") {
  const Snapshot s = totality_snapshot();
  REQUIRE(s.field_rights(s.find_user("alice"), Rec(s, "sale", "alice"), kUnknownField).to_string() == "Read|Write");
  REQUIRE(s.field_id(kUnknownField).empty());
}

TEST_CASE("Totality: unknown record owners, groups, companies and projects", "[totality]") {
  const Snapshot s = totality_snapshot();
  const UserIndex alice = s.find_user("alice");
  Record r = Rec(s, "sale");
  for (std::uint32_t v : {0xFFFFFFFFu, 0xFFFFFFFEu, 77u}) {
    r.owner = UserIndex{v};
    r.group = GroupIndex{v};
    r.company = CompanyIndex{v};
    r.project = ProjectIndex{v};
    r.visibility = Visibility{VisibilityKind::kGroup, v};
    REQUIRE(s.rights(alice, r).empty());  // hidden by visibility: no crash
    r.visibility = Visibility{VisibilityKind::kAssociate, v};
    REQUIRE(s.rights(alice, r).empty());
    r.visibility = Visibility{};
    REQUIRE(s.rights(alice, r) == TableRights::full());  // level-0: other associates CRUD
  }
}

TEST_CASE("Totality: out-of-range enum values deny", "[totality]") {
  const Snapshot s = totality_snapshot();
  const UserIndex alice = s.find_user("alice");
  Record r = Rec(s, "sale", "alice");
  r.visibility.kind = static_cast<VisibilityKind>(9);
  // An out-of-range visibility kind is read as a group's: alice owns the
  // sale, so visibility does not apply and her rights stand, on the fast path
  // and in the full evaluation alike.
  const Record ok = Rec(s, "sale", "alice");
  detail::NoTrace trace;
  REQUIRE(s.rights(alice, r) == s.rights(alice, ok));
  REQUIRE(s.evaluate(alice, r, trace).rights == s.rights(alice, ok));
  REQUIRE_FALSE(s.can(alice, static_cast<Action>(4), ok));
  REQUIRE_FALSE(s.can(alice, static_cast<Action>(255), ok));
  REQUIRE_FALSE(TableRights::full().allows(static_cast<Action>(7)));
  REQUIRE(s.role_cell(s.find_role("level-0"), s.find_object("sale"), static_cast<Relation>(8)).empty());
  REQUIRE(s.role_cell(s.find_role("level-0"), s.find_object("sale"), static_cast<Relation>(255)).empty());
  REQUIRE(s.role_cell(kUnknownRole, s.find_object("sale"), Relation::kOwn).empty());
  REQUIRE(s.role_cell(s.find_role("level-0"), kUnknownObject, Relation::kOwn).empty());
  REQUIRE(s.role_cell(s.find_role("level-0"), s.find_object("sale"), Relation::kOwn) == TableRights::full());
}

TEST_CASE("Totality: an empty snapshot denies everything", "[totality]") {
  const Snapshot s;
  Record r;
  r.object = object_index(BuiltinObject::kSale);
  REQUIRE(s.rights(UserIndex{0}, r).empty());
  REQUIRE_FALSE(s.has(UserIndex{0}, RightIndex{0}));
  REQUIRE(s.field_rights(UserIndex{0}, r, FieldIndex{0}).bits() == 0);
  REQUIRE(s.explain(UserIndex{0}, Action::kRead, r).outcome == Outcome::kNoSuchUser);
  REQUIRE(s.find_user("alice") == kUnknownUser);
  REQUIRE(s.find_object("sale") == kUnknownObject);
  REQUIRE(s.role_cell(RoleIndex{0}, ObjectIndex{0}, Relation::kOwn).empty());
}

TEST_CASE("Totality: an empty model compiles and denies", "[totality]") {
  const Snapshot s = build(Model{});
  Record r;
  r.object = s.find_object("company");
  REQUIRE(r.object == object_index(BuiltinObject::kCompany));
  REQUIRE(s.rights(UserIndex{0}, r).empty());
}

TEST_CASE("Totality: checks never allocate-fail or throw (noexcept)", "[totality]") {
  const Snapshot s = totality_snapshot();
  STATIC_REQUIRE(noexcept(s.rights(UserIndex{0}, Record{})));
  STATIC_REQUIRE(noexcept(s.can(UserIndex{0}, Action::kRead, Record{})));
  STATIC_REQUIRE(noexcept(s.has(UserIndex{0}, RightIndex{0})));
  STATIC_REQUIRE(noexcept(s.field_rights(UserIndex{0}, Record{}, FieldIndex{0})));
  STATIC_REQUIRE(noexcept(s.explain(UserIndex{0}, Action::kRead, Record{})));
}
