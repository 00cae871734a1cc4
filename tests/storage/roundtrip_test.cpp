// Model file → SQLite → snapshot file → model file: nothing changes.
#include "sorights/directory.hpp"
#include "sorights/storage/model_file.hpp"
#include "sorights/storage/snapshot_file.hpp"
#include "sorights/storage/sqlite_store.hpp"
#include "sqlite_support.hpp"
#include "support.hpp"
#include "support/catch.hpp"

using namespace sorights;
using storage_test::TempDir;

TEST_CASE("round trip: model file -> SQLite -> snapshot file -> model file", "[storage][roundtrip]") {
  TempDir dir;
  const std::string original = storage_test::read_all(SORIGHTS_DEMO_MODEL);
  REQUIRE(!original.empty());
  auto model = parse_model_file(original, Model::with_defaults(), {.file_name = "demo-model.json"});
  INFO((model ? std::string() : model.error().to_string()));
  REQUIRE(model);
  const std::string first = export_model_file(*model);

  std::shared_ptr<SqliteStore> store = storage_test::open_new_store(dir.file("rt.db"));
  auto d = Directory::open(store);
  REQUIRE(d);
  auto tx = (*d)->begin();
  REQUIRE(tx);
  REQUIRE(tx->stage_model(*model));
  REQUIRE(tx->commit());
  auto stored = store->load();
  REQUIRE(stored);
  CHECK(stored->model == *model);

  REQUIRE(save_snapshot_file(dir.file("rt.snap"), stored->model, stored->version));
  auto loaded = load_snapshot_file(dir.file("rt.snap"));
  REQUIRE(loaded);
  CHECK(loaded->version == stored->version);
  CHECK(loaded->model == *model);
  CHECK(export_model_file(loaded->model) == first);
  auto again = parse_model_file(export_model_file(loaded->model), Model{}, {.mode = ImportMode::kReplace});
  REQUIRE(again);
  CHECK(*again == *model);
}
