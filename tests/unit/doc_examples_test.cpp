// The examples in the public headers' banners and `///` docs, copied
// verbatim (apart from the scaffolding around them): if an example stops
// compiling or stops being true, this file says so.
#include "support/catch.hpp"

#include <cassert>

#include "sorights/record.hpp"
#include "sorights/rights.hpp"
#include "sorights/snapshot.hpp"

using namespace sorights;

TEST_CASE("Doc example: TableRights (rights.hpp) compiles and holds", "[docs]") {
  constexpr TableRights ru = TableRight::kSelect | TableRight::kUpdate;
  static_assert(ru.contains_all(TableRight::kSelect));
  assert(ru.to_string() == "Select|Update");   // a string: not constexpr
  REQUIRE(ru.to_string() == "Select|Update");
}

TEST_CASE("Doc example: compile and can (snapshot.hpp) grants the owner Update", "[docs]") {
  sorights::Model model = sorights::Model::with_defaults();
  model.groups.push_back({"sales", "Sales"});
  model.our_companies.push_back({"acme", "Acme", true});
  model.users.push_back({.id = "alice", .company = "acme", .role = "level-3",
                         .group = "sales"});
  auto snapshot = sorights::compile(model);
  if (!snapshot) { /* snapshot.error().to_string() lists every problem */ }
  REQUIRE(snapshot);
  sorights::Record sale{.object = snapshot->find_object("sale"),
                        .owner = snapshot->find_user("alice")};
  bool ok = snapshot->can(snapshot->find_user("alice"), sorights::Action::kUpdate, sale);
  REQUIRE(ok);
}

TEST_CASE("Doc example: a Record (record.hpp) names its object, owner and visibility", "[docs]") {
  sorights::Model model = sorights::Model::with_defaults();
  model.groups.push_back({"sales", "Sales"});
  model.our_companies.push_back({"acme", "Acme", true});
  model.users.push_back({.id = "bob", .company = "acme", .role = "level-3", .group = "sales"});
  auto compiled = sorights::compile(model);
  REQUIRE(compiled);
  const Snapshot& snapshot = *compiled;
  sorights::Record sale;
  sale.object = snapshot.find_object("sale");
  sale.owner = snapshot.find_user("bob");          // group: bob's primary group
  sale.visibility = sorights::Visibility::group(snapshot.find_group("sales"));
  sale.completed = true;
  REQUIRE(snapshot.can(snapshot.find_user("bob"), Action::kRead, sale));
  REQUIRE_FALSE(snapshot.can(snapshot.find_user("bob"), Action::kUpdate, sale));  // completed: locked
}
