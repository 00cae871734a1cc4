// Links sorights::storage: parses a model file and checks one decision.
#include <cstdio>

#include <sorights/storage/model_file.hpp>
#include <sorights/sorights.hpp>

int main() {
  using namespace sorights;
  constexpr const char* kModel = R"({
    "format": "sorights-model/1",
    "our_companies": [{"id": "acme", "name": "Acme", "database_owner": true}],
    "groups": [{"id": "sales", "name": "Sales"}],
    "users": [{"id": "alice", "type": "associate", "company": "acme", "role": "level-3", "group": "sales"}]
  })";
  Result<Model> model = parse_model_file(kModel, Model::with_defaults());
  if (!model) {
    std::fprintf(stderr, "%s\n", model.error().to_string().c_str());
    return 1;
  }
  Result<Snapshot> snapshot = compile(*model);
  if (!snapshot) return 1;
  Record sale;
  sale.object = snapshot->find_object("sale");
  sale.owner = snapshot->find_user("alice");
  const bool ok = snapshot->can(snapshot->find_user("alice"), Action::kDelete, sale);
  std::printf("sorights::storage: model file parsed, alice may delete her sale: %s\n", ok ? "yes" : "no");
  return ok ? 0 : 1;
}
