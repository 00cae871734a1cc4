// The README's quick start: build a model, compile it, ask questions.
#include <iostream>

#include "sorights/sorights.hpp"

int main() {
  using namespace sorights;
  Model model = Model::with_defaults();  // the twelve predefined roles
  model.our_companies.push_back({"acme", "Acme Ltd", true});
  model.groups.push_back({"sales", "Sales"});
  model.groups.push_back({"support", "Support"});
  model.users.push_back({.id = "alice", .company = "acme", .role = "level-3", .group = "sales"});
  model.users.push_back({.id = "bob", .company = "acme", .role = "level-2", .group = "support"});

  Result<Snapshot> snapshot = compile(model);
  if (!snapshot) {
    std::cerr << snapshot.error().to_string() << "\n";
    return 2;
  }
  const UserIndex alice = snapshot->find_user("alice");
  Record sale;
  sale.object = snapshot->find_object("sale");
  sale.owner = snapshot->find_user("bob");  // the group defaults to bob's primary group

  std::cout << "alice on bob's sale: " << snapshot->rights(alice, sale).to_string() << "\n";
  std::cout << "may alice update it? " << (snapshot->can(alice, Action::kUpdate, sale) ? "yes" : "no")
            << "\n";
  std::cout << snapshot->explain_text(snapshot->explain(alice, Action::kUpdate, sale));
  return 0;
}
