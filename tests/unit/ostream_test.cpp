// operator<< (sorights/ostream.hpp, included by sorights.hpp): the public value
// types print as their to_string() or model-file name.
#include <sstream>
#include <string>

#include "sorights/sorights.hpp"
#include "support/catch.hpp"
#include "support/streamed.hpp"
#include "unit/fixture.hpp"

using namespace fx;

TEST_CASE("operator<<: rights, enums, errors and explanations print as their text", "[ostream]") {
  const TableRights ru = TableRights::from_bits(3);
  CHECK(streamed(ru) == ru.to_string());
  CHECK(streamed(ru) == "Select|Update");
  CHECK(streamed(FieldRights{}) == FieldRights{}.to_string());
  CHECK(streamed(Action::kUpdate) == "update");
  CHECK(streamed(Relation::kPrimaryGroup) == relation_name(Relation::kPrimaryGroup));
  CHECK(streamed(UserType::kAssociate) == user_type_name(UserType::kAssociate));
  CHECK(streamed(RoleType::kEmployee) == "employee");
  CHECK(streamed(ErrorCode::kNotFound) == "not-found");
  CHECK(streamed(Outcome::kNoSuchUser) == "no-such-user");
  const Diagnostic d{.collection = "users", .item = "bob", .field = "role", .rule = "r", .message = "m"};
  CHECK(streamed(d) == d.to_string());
  Error e(ErrorCode::kFailedPrecondition, "broken");
  e.diagnostics.push_back(d);
  CHECK(streamed(e) == e.to_string());
}

TEST_CASE("operator<<: an explanation prints its decision, relation, cell and rights", "[ostream]") {
  Model m = base_model();
  m.users.push_back(associate("alice", "acme", "level-3", "sales"));
  m.users.push_back(associate("bob", "acme", "level-2", "support"));
  const Snapshot s = build(m);
  Record sale;
  sale.object = s.find_object("sale");
  sale.owner = s.find_user("bob");
  const Explanation x = s.explain(s.find_user("alice"), Action::kUpdate, sale);
  const std::string text = streamed(x);
  CHECK(text == std::string(x.allowed ? "allow" : "deny") + " update: relation " +
                    std::string(relation_name(x.relation)) + ", cell " + x.cell.to_string() + ", rights " +
                    x.rights.to_string());
  CHECK(streamed(s.explain(kUnknownUser, Action::kRead, sale)) == "deny read: no-such-user");
}
