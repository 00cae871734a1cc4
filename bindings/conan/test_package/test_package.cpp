// The Conan test_package consumer, and the C++ consumer of the packaging tests
// (tests/package/consumer/consumers.cmake): builds a model, compiles it and
// checks two decisions. Built against sorights::sorights and sorights::header_only.
#include <cstdio>

#include <sorights/sorights.hpp>

int main() {
  using namespace sorights;
  Model model = Model::with_defaults();
  model.our_companies.push_back({"acme", "Acme", true});
  model.groups.push_back({"sales", "Sales"});
  model.users.push_back({.id = "alice", .company = "acme", .role = "level-3", .group = "sales"});
  model.users.push_back({.id = "sam", .company = "acme", .role = "level-3", .group = "sales"});
  Result<Snapshot> snapshot = compile(model);
  if (!snapshot) {
    std::fprintf(stderr, "%s\n", snapshot.error().to_string().c_str());
    return 1;
  }
  Record sale;
  sale.object = snapshot->find_object("sale");
  sale.owner = snapshot->find_user("sam");
  const TableRights r = snapshot->rights(snapshot->find_user("alice"), sale);
  const bool ok = r == TableRights(TableRight::kSelect) &&
                  !snapshot->can(snapshot->find_user("nobody"), Action::kRead, sale);
#if defined(SORIGHTS_COMPILED_LIB)
  const char* mode = "compiled";
#else
  const char* mode = "header-only";
#endif
  std::printf("sorights %d (%s): alice on sam's sale: %s\n", SORIGHTS_VERSION, mode, r.to_string().c_str());
  return ok ? 0 : 1;
}
