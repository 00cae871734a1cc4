// Field rights (decision 11): Read with Select, Write with Update (Insert for
// a new record), narrowed by field-right rules, the database owner's name and
// field overrides.
#include "support/catch.hpp"
#include "unit/fixture.hpp"

using namespace fx;

namespace {

FieldRightRule rule(std::string role, std::string object, std::string field, Relation rel, std::string_view rw,
                    bool mandatory = false, bool read_only = false) {
  return FieldRightRule{std::move(role), std::move(object), std::move(field), rel, *FieldRights::parse_rw(rw),
                        mandatory, read_only};
}

Model field_model() {
  Model m = base_model();
  Role rep = blank_role("rep");
  fill(rep, "R");
  cell(rep, "sale", Relation::kOwn, "CRUD");
  cell(rep, "sale", Relation::kPrimaryGroup, "CRU");
  cell(rep, "sale", Relation::kOtherGroups, "CR");
  cell(rep, "company", Relation::kOwn, "CRUD");
  cell(rep, "company", Relation::kOtherAssociates, "CRU");
  m.roles.push_back(rep);
  m.field_rights.push_back(rule("rep", "sale", "amount", Relation::kPrimaryGroup, "R"));
  m.field_rights.push_back(rule("rep", "sale", "amount", Relation::kOwn, "RW", true, false));
  m.field_rights.push_back(rule("rep", "sale", "secret", Relation::kPrimaryGroup, ""));
  m.field_rights.push_back(rule("rep", "sale", "note", Relation::kOtherAssociates, "RW", false, true));
  m.users.push_back(associate("alice", "acme", "rep", "sales"));
  m.users.push_back(associate("bob", "acme", "rep", "sales"));
  m.users.push_back(associate("carl", "acme", "rep", "support", {"sales"}));
  m.users.push_back(associate("dora", "acme", "level-1", "sales"));
  return m;
}

}  // namespace

TEST_CASE("Field rights: a field without a rule follows the table right", "[field-rights]") {
  const Snapshot s = build(field_model());
  REQUIRE(field(s, "alice", Rec(s, "sale", "alice"), "title") == "Read|Write");
  REQUIRE(field(s, "carl", Rec(s, "sale", "bob").group("marketing"), "title") == "Read");
  REQUIRE(field(s, "alice", Rec(s, "follow_up", "bob"), "title") == "Read");
}

TEST_CASE("Field rights: Write comes from Update on existing records and Insert on new ones", "[field-rights]") {
  Model m = field_model();
  Role* rep = m.find_role("rep");
  cell(*rep, "document", Relation::kOwn, "CR");   // insert, no update
  cell(*rep, "project", Relation::kOwn, "RU");    // update, no insert
  const Snapshot s = build(m);
  REQUIRE(field(s, "alice", Rec(s, "document", "alice"), "title") == "Read");
  REQUIRE(field(s, "alice", Rec(s, "document", "alice").fresh(), "title") == "Read|Write");
  REQUIRE(field(s, "alice", Rec(s, "project", "alice"), "title") == "Read|Write");
  REQUIRE(field(s, "alice", Rec(s, "project", "alice").fresh(), "title") == "Read");
}

TEST_CASE("Field rights: no Select means no Read", "[field-rights]") {
  Model m = field_model();
  cell(*m.find_role("rep"), "target", Relation::kOwn, "U");
  const Snapshot s = build(m);
  REQUIRE(field(s, "alice", Rec(s, "target", "alice"), "title") == "Write");
  REQUIRE(field(s, "alice", Rec(s, "dashboard", "bob").visible_for_user("bob"), "title") == "None");
}

TEST_CASE("Field rights: a rule for the record's relation narrows Read and Write", "[field-rights]") {
  const Snapshot s = build(field_model());
  // bob's sale is alice's primary group: CRU; the rule leaves R
  REQUIRE(field(s, "alice", Rec(s, "sale", "bob"), "amount") == "Read");
  REQUIRE(field(s, "alice", Rec(s, "sale", "bob"), "secret") == "None");
  // carl sees it through another group: no rule for other_groups
  REQUIRE(field(s, "carl", Rec(s, "sale", "bob"), "amount") == "Read");
  REQUIRE(field(s, "carl", Rec(s, "sale", "bob"), "secret") == "Read");
}

TEST_CASE("Field rights: a rule never grants beyond the table right", "[field-rights]") {
  const Snapshot s = build(field_model());
  // other associates: table R only; the rule allows RW
  REQUIRE(field(s, "carl", Rec(s, "sale", "dora").group("marketing"), "note") == "Read UIHintReadOnly");
}

TEST_CASE("Field rights: rules add UI hints", "[field-rights]") {
  const Snapshot s = build(field_model());
  const FieldRights f = s.field_rights(s.find_user("alice"), Rec(s, "sale", "alice"), s.find_field("amount"));
  REQUIRE(f.can_read());
  REQUIRE(f.can_write());
  REQUIRE(f.mandatory());
  REQUIRE_FALSE(f.ui_read_only());
  REQUIRE(f.to_string() == "Read|Write UIHintMandatory");
  REQUIRE(f.bits() == (1 | 2 | 64));
}

TEST_CASE("Field rights: rules belong to one role", "[field-rights]") {
  const Snapshot s = build(field_model());
  REQUIRE(field(s, "dora", Rec(s, "sale", "bob"), "secret") == "Read|Write");
}

TEST_CASE("Field rights: the database owner's name loses Write", "[field-rights][record-state]") {
  const Snapshot s = build(field_model());
  REQUIRE(field(s, "alice", Rec(s, "company", "alice").database_owner(), "name") == "Read");
  REQUIRE(field(s, "alice", Rec(s, "company", "alice").company("acme"), "name") == "Read");
  REQUIRE(field(s, "alice", Rec(s, "company", "alice").company("acme"), "phone") == "Read|Write");
  REQUIRE(field(s, "alice", Rec(s, "company", "alice").company("beta"), "name") == "Read|Write");
  REQUIRE(field(s, "dora", Rec(s, "person", "dora").database_owner(), "name") == "Read|Write");  // company only
}

TEST_CASE("Field rights: an unknown field follows the table right", "[field-rights][totality]") {
  const Snapshot s = build(field_model());
  const UserIndex alice = s.find_user("alice");
  REQUIRE(s.find_field("never-declared") == kUnknownField);
  REQUIRE(s.field_rights(alice, Rec(s, "sale", "alice"), kUnknownField).to_string() == "Read|Write");
  REQUIRE(s.field_rights(alice, Rec(s, "sale", "bob"), FieldIndex{777}).to_string() == "Read|Write");
}

TEST_CASE("Field rights: a hidden follow-up with Filtering gives no Read", "[field-rights][visibility]") {
  const Snapshot s = build(field_model());
  const Record r = Rec(s, "follow_up", "bob").visible_for_user("bob");
  REQUIRE(rights(s, "alice", r) == "F");
  REQUIRE(field(s, "alice", r, "title") == "None");
}
