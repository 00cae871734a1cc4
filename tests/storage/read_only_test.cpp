// Opening a store never harms a file (docs/rules.md §23,
// docs/design/0007-data-safety-files.md): `SqliteStoreOptions::read_only`
// reads without writing, and an open without `create` refuses an empty or
// foreign file before SQLite writes anything into it.
#include <filesystem>

#include "sorights/sqlite_store.hpp"
#include "sqlite_support.hpp"
#include "support.hpp"
#include "support/catch.hpp"

using namespace sorights;
using storage_test::change_set;
using storage_test::read_all;
using storage_test::sample_model;
using storage_test::TempDir;

namespace {

bool exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

// A store at version 1 holding the sample model, closed.
std::string make_store(const TempDir& dir) {
  const std::string path = dir.file("s.db");
  auto store = SqliteStore::open(path, {.create = true});
  REQUIRE(store);
  REQUIRE((*store)->apply(change_set(Model::with_defaults(), sample_model(), 0)));
  return path;
}

// Runs `use` on the store at `path` opened read-only; the file is unchanged
// afterwards, byte for byte.
template <class Use>
void use_read_only(const std::string& path, Use use) {
  const std::string before = read_all(path);
  {
    auto store = SqliteStore::open(path, {.read_only = true});
    REQUIRE(store);
    use(**store);
  }
  CHECK(read_all(path) == before);
}

}  // namespace

TEST_CASE("sqlite read-only: reads the model, the version and the audit trail", "[storage][sqlite][read_only]") {
  TempDir dir;
  use_read_only(make_store(dir), [](SqliteStore& store) {
    auto loaded = store.load();
    REQUIRE(loaded);
    CHECK(loaded->version == 1);
    CHECK(loaded->model == sample_model());
    auto audit = store.audit({});
    REQUIRE(audit);
    CHECK(audit->size() == 1);
  });
}

TEST_CASE("sqlite read-only: every write is refused, naming the store as read-only", "[storage][sqlite][read_only]") {
  TempDir dir;
  const std::string path = make_store(dir);
  use_read_only(path, [&](SqliteStore& store) {
    auto applied = store.apply(change_set(sample_model(), Model::with_defaults(), 1));
    REQUIRE_FALSE(applied);
    CHECK(applied.error().code == ErrorCode::kFailedPrecondition);
    CHECK_THAT(applied.error().message, Catch::Contains("read-only") && Catch::Contains(path));
    auto audited = store.append_audit(AuditEntry{1, 1700000100, "bob", true, "refused: test", {}});
    REQUIRE_FALSE(audited);
    CHECK_THAT(audited.error().message, Catch::Contains("read-only"));
  });
  auto store = SqliteStore::open(path);
  REQUIRE(store);
  CHECK(*(*store)->version() == 1);
}

TEST_CASE("sqlite read-only: cannot create, and a missing file stays missing", "[storage][sqlite][read_only]") {
  TempDir dir;
  const std::string path = dir.file("none.db");
  auto both = SqliteStore::open(path, {.create = true, .read_only = true});
  REQUIRE_FALSE(both);
  CHECK(both.error().code == ErrorCode::kInvalidArgument);
  auto missing = SqliteStore::open(path, {.read_only = true});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::kNotFound);
  CHECK_FALSE(exists(path));
  CHECK_FALSE(exists(path + "-wal"));
}

TEST_CASE("sqlite: opening an empty file without create leaves it empty", "[storage][sqlite][read_only]") {
  TempDir dir;
  const std::string path = dir.file("empty.db");
  storage_test::write_all(path, "");
  for (bool read_only : {false, true}) {
    auto store = SqliteStore::open(path, {.read_only = read_only});
    REQUIRE_FALSE(store);
    CHECK(store.error().code == ErrorCode::kNotFound);
    CHECK(std::filesystem::file_size(path) == 0);
  }
  // ... so it can still become a store.
  CHECK(SqliteStore::open(path, {.create = true}));
}

TEST_CASE("sqlite: opening a foreign SQLite database without create leaves it as it was",
          "[storage][sqlite][read_only]") {
  TempDir dir;
  const std::string path = dir.file("other.db");
  storage_test::execute_sql(path, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me')");
  const std::string before = read_all(path);
  for (bool read_only : {false, true}) {
    auto store = SqliteStore::open(path, {.read_only = read_only});
    REQUIRE_FALSE(store);
    CHECK(store.error().code == ErrorCode::kDataLoss);
    CHECK_THAT(store.error().message, Catch::Contains("not a sorights store"));
    // Unchanged byte for byte: in particular not switched to WAL.
    CHECK(read_all(path) == before);
    CHECK_FALSE(exists(path + "-wal"));
  }
}
