// Overrides (docs/rules.md §8): remove only; system, group and user level,
// the most specific level present per (object, scope, record, field) wins.
#include "support/catch.hpp"
#include "unit/fixture.hpp"

using namespace fx;

namespace {

constexpr std::uint8_t kC = 4, kR = 1, kU = 2, kD = 8, kFieldR = 1, kFieldW = 2;

Override ovr(OverrideLevel level, std::string target, std::string object, OverrideScope scope,
             std::uint8_t remove, std::string field = {}, std::string record = {}) {
  Override o;
  o.level = level;
  o.target = std::move(target);
  o.object = std::move(object);
  o.scope = scope;
  o.remove = remove;
  o.field = std::move(field);
  o.record = std::move(record);
  return o;
}

Model override_model() {
  Model m = base_model();
  m.users.push_back(associate("alice", "acme", "level-1", "sales", {"marketing"}));
  m.users.push_back(associate("bob", "acme", "level-1", "sales"));
  m.users.push_back(associate("carl", "acme", "level-1", "support"));
  return m;
}

// override_model() with `overrides` added, compiled.
Snapshot build_with(const std::vector<Override>& overrides) {
  Model m = override_model();
  m.overrides.insert(m.overrides.end(), overrides.begin(), overrides.end());
  return build(m);
}

}  // namespace

TEST_CASE("Overrides: a system override removes rights from everyone", "[overrides]") {
  const Snapshot s = build_with({ovr(OverrideLevel::kSystem, "", "sale", OverrideScope::kAll, kD)});
  REQUIRE(rights(s, "alice", Rec(s, "sale", "bob")) == "CRU");
  REQUIRE(rights(s, "carl", Rec(s, "sale", "carl")) == "CRU");
  REQUIRE(rights(s, "carl", Rec(s, "follow_up", "carl")) == "CRUD");
}

TEST_CASE("Overrides: a group override applies to primary and other members", "[overrides]") {
  const Snapshot s = build_with({ovr(OverrideLevel::kGroup, "marketing", "sale", OverrideScope::kAll, kU)});
  REQUIRE(rights(s, "alice", Rec(s, "sale", "bob")) == "CRD");  // marketing is alice's other group
  REQUIRE(rights(s, "bob", Rec(s, "sale", "bob")) == "CRUD");
}

TEST_CASE("Overrides: a user override applies to that user only", "[overrides]") {
  const Snapshot s = build_with({ovr(OverrideLevel::kUser, "bob", "sale", OverrideScope::kAll, kC | kD)});
  REQUIRE(rights(s, "bob", Rec(s, "sale", "bob")) == "RU");
  REQUIRE(rights(s, "alice", Rec(s, "sale", "bob")) == "CRUD");
}

TEST_CASE("Overrides: an empty removal at user level restores what the system level took", "[overrides]") {
  const Snapshot s = build_with({ovr(OverrideLevel::kSystem, "", "sale", OverrideScope::kExisting, kD | kU),
                                 ovr(OverrideLevel::kUser, "alice", "sale", OverrideScope::kExisting, 0)});
  REQUIRE(rights(s, "alice", Rec(s, "sale", "bob")) == "CRUD");
  REQUIRE(rights(s, "bob", Rec(s, "sale", "bob")) == "CR");
}

TEST_CASE("Overrides: the group level replaces the system level, the user level replaces both", "[overrides]") {
  const Snapshot s = build_with({ovr(OverrideLevel::kSystem, "", "sale", OverrideScope::kAll, kD),
                                 ovr(OverrideLevel::kGroup, "sales", "sale", OverrideScope::kAll, kU),
                                 ovr(OverrideLevel::kUser, "bob", "sale", OverrideScope::kAll, kC)});
  REQUIRE(rights(s, "carl", Rec(s, "sale", "carl")) == "CRU");   // system: -D
  REQUIRE(rights(s, "alice", Rec(s, "sale", "alice")) == "CRD"); // group: -U (not -D)
  REQUIRE(rights(s, "bob", Rec(s, "sale", "bob")) == "RUD");     // user: -C
}

TEST_CASE("Overrides: several entries at the winning level are combined", "[overrides]") {
  const Snapshot s = build_with({ovr(OverrideLevel::kSystem, "", "sale", OverrideScope::kAll, kR),
                                 ovr(OverrideLevel::kGroup, "sales", "sale", OverrideScope::kAll, kU),
                                 ovr(OverrideLevel::kGroup, "marketing", "sale", OverrideScope::kAll, kD)});
  REQUIRE(rights(s, "alice", Rec(s, "sale", "alice")) == "CR");  // both groups: -U -D
  REQUIRE(rights(s, "bob", Rec(s, "sale", "bob")) == "CRD");
}

TEST_CASE("Overrides: scopes new, existing and all", "[overrides]") {
  const Snapshot s = build_with({ovr(OverrideLevel::kSystem, "", "sale", OverrideScope::kNew, kC),
                                 ovr(OverrideLevel::kSystem, "", "follow_up", OverrideScope::kExisting, kU),
                                 ovr(OverrideLevel::kSystem, "", "document", OverrideScope::kAll, kD)});
  REQUIRE(rights(s, "bob", Rec(s, "sale", "bob").fresh()) == "RUD");
  REQUIRE(rights(s, "bob", Rec(s, "sale", "bob")) == "CRUD");
  REQUIRE(rights(s, "bob", Rec(s, "follow_up", "bob").fresh()) == "CRUD");
  REQUIRE(rights(s, "bob", Rec(s, "follow_up", "bob")) == "CRD");
  REQUIRE(rights(s, "bob", Rec(s, "document", "bob").fresh()) == "CRU");
  REQUIRE(rights(s, "bob", Rec(s, "document", "bob")) == "CRU");
}

TEST_CASE("Overrides: levels are resolved per scope, not across scopes", "[overrides]") {
  const Snapshot s = build_with({ovr(OverrideLevel::kSystem, "", "sale", OverrideScope::kAll, kD),
                                 ovr(OverrideLevel::kUser, "bob", "sale", OverrideScope::kExisting, 0)});
  // the user-level entry is for "existing"; the system "all" entry still applies
  REQUIRE(rights(s, "bob", Rec(s, "sale", "bob")) == "CRU");
}

TEST_CASE("Overrides: a record-scoped override applies to that record id only", "[overrides]") {
  const Snapshot s = build_with({ovr(OverrideLevel::kSystem, "", "sale", OverrideScope::kRecord, kU, "", "42"),
                                 ovr(OverrideLevel::kSystem, "", "sale", OverrideScope::kRecord, kD, "", "ord-7")});
  REQUIRE(rights(s, "bob", Rec(s, "sale", "bob").id("42")) == "CRD");
  REQUIRE(rights(s, "bob", Rec(s, "sale", "bob").id("43")) == "CRUD");
  REQUIRE(rights(s, "bob", Rec(s, "sale", "bob").id("ord-7")) == "CRU");
  REQUIRE(rights(s, "bob", Rec(s, "sale", "bob")) == "CRUD");  // no id
  REQUIRE(rights(s, "bob", Rec(s, "follow_up", "bob").id("42")) == "CRUD");
}

TEST_CASE("Overrides: a user-level empty removal restores one record", "[overrides]") {
  const Snapshot s = build_with({ovr(OverrideLevel::kGroup, "sales", "sale", OverrideScope::kRecord, kU | kD, "", "42"),
                                 ovr(OverrideLevel::kUser, "bob", "sale", OverrideScope::kRecord, 0, "", "42")});
  REQUIRE(rights(s, "bob", Rec(s, "sale", "bob").id("42")) == "CRUD");
  REQUIRE(rights(s, "alice", Rec(s, "sale", "bob").id("42")) == "CR");
}

TEST_CASE("Overrides: field overrides remove Read or Write of one field", "[overrides][field-rights]") {
  const Snapshot s = build_with({ovr(OverrideLevel::kGroup, "support", "company", OverrideScope::kAll, kFieldW, "name"),
                                 ovr(OverrideLevel::kSystem, "", "sale", OverrideScope::kExisting, kFieldR, "amount"),
                                 ovr(OverrideLevel::kUser, "alice", "sale", OverrideScope::kExisting, 0, "amount")});
  REQUIRE(field(s, "carl", Rec(s, "company", "carl"), "name") == "Read");
  REQUIRE(field(s, "bob", Rec(s, "company", "bob"), "name") == "Read|Write");
  REQUIRE(field(s, "bob", Rec(s, "sale", "bob"), "amount") == "Write");
  REQUIRE(field(s, "bob", Rec(s, "sale", "bob").fresh(), "amount") == "Read|Write");
  REQUIRE(field(s, "alice", Rec(s, "sale", "bob"), "amount") == "Read|Write");
  // the table right is untouched by a field override
  REQUIRE(rights(s, "carl", Rec(s, "company", "carl")) == "CRUD");
}

TEST_CASE("Overrides: field overrides scoped to a record", "[overrides][field-rights]") {
  const Snapshot s =
      build_with({ovr(OverrideLevel::kSystem, "", "sale", OverrideScope::kRecord, kFieldW, "amount", "9")});
  REQUIRE(field(s, "bob", Rec(s, "sale", "bob").id("9"), "amount") == "Read");
  REQUIRE(field(s, "bob", Rec(s, "sale", "bob").id("10"), "amount") == "Read|Write");
  REQUIRE(field(s, "bob", Rec(s, "sale", "bob"), "amount") == "Read|Write");
}

TEST_CASE("Overrides: table and field overrides of one object are separate keys", "[overrides]") {
  const Snapshot s = build_with({ovr(OverrideLevel::kSystem, "", "sale", OverrideScope::kAll, kD),
                                 ovr(OverrideLevel::kUser, "bob", "sale", OverrideScope::kAll, 0, "amount")});
  REQUIRE(rights(s, "bob", Rec(s, "sale", "bob")) == "CRU");
}

TEST_CASE("Overrides: the system user is never narrowed", "[overrides][system]") {
  Model m = override_model();
  m.users.push_back(system_user("integration"));
  m.overrides.push_back(ovr(OverrideLevel::kSystem, "", "sale", OverrideScope::kAll, kC | kR | kU | kD));
  m.overrides.push_back(ovr(OverrideLevel::kUser, "integration", "sale", OverrideScope::kAll, kR, "amount"));
  const Snapshot s = build(m);
  REQUIRE(rights(s, "integration", Rec(s, "sale", "bob")) == "CRUD");
  REQUIRE(field(s, "integration", Rec(s, "sale", "bob"), "amount") == "Read|Write");
  REQUIRE(rights(s, "bob", Rec(s, "sale", "bob")).empty());
}

TEST_CASE("Overrides: record ids of record-scoped overrides survive compilation", "[overrides][regression]") {
  // Regression: compile() kept the record id of a record-scoped override as a
  // view of a temporary string, so the key it stored was garbage and the
  // override never applied. Long ids (no small-string buffer) and short ones.
  Model m = override_model();
  const std::string long_id = "order-2024-000000000000000000042";
  m.overrides.push_back(ovr(OverrideLevel::kSystem, "", "sale", OverrideScope::kRecord, kU, "", long_id));
  m.overrides.push_back(ovr(OverrideLevel::kUser, "bob", "sale", OverrideScope::kRecord, kC, "", "7"));
  m.overrides.push_back(ovr(OverrideLevel::kUser, "bob", "sale", OverrideScope::kRecord, kFieldW, "amount", long_id));
  const Snapshot s = build(m);
  REQUIRE(rights(s, "bob", Rec(s, "sale", "bob").id(long_id)) == "CRD");
  REQUIRE(rights(s, "bob", Rec(s, "sale", "bob").id("7")) == "RUD");
  REQUIRE(rights(s, "alice", Rec(s, "sale", "bob").id("7")) == "CRUD");
  REQUIRE(field(s, "bob", Rec(s, "sale", "bob").id(long_id), "amount") == "Read");
}
