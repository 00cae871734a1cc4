// Builds the whole public core with -fno-exceptions and runs a few checks: the
// library must need no exception support.
#include <cstdio>

#include "sorights/sorights.hpp"

int main() {
  using namespace sorights;
  Model model = Model::with_defaults();
  model.our_companies.push_back({"acme", "Acme", true});
  model.groups.push_back({"sales", "Sales"});
  User alice;
  alice.id = "alice";
  alice.company = "acme";
  alice.role = "level-3";
  alice.group = "sales";
  model.users.push_back(alice);
  Result<Snapshot> snapshot = compile(model);
  if (!snapshot) {
    std::fprintf(stderr, "%s\n", snapshot.error().to_string().c_str());
    return 1;
  }
  Record sale;
  sale.object = snapshot->find_object("sale");
  sale.owner = snapshot->find_user("alice");
  const bool own = snapshot->can(snapshot->find_user("alice"), Action::kDelete, sale);
  const bool unknown = snapshot->can(snapshot->find_user("nobody"), Action::kRead, sale);
  Model bad = model;
  bad.users[0].group = "salse";
  const bool rejected = !compile(bad).has_value();
  if (!own || unknown || !rejected) {
    std::fprintf(stderr, "no-exceptions build gave wrong answers\n");
    return 1;
  }
  std::puts("1 passed, 0 failed");
  return 0;
}
