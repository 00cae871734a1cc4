// Helpers for the SQLite store tests: a new store, change sets between two
// models, and raw SQL run on a store's file behind the store's back.
#ifndef SORIGHTS_TESTS_STORAGE_SQLITE_SUPPORT_HPP_
#define SORIGHTS_TESTS_STORAGE_SQLITE_SUPPORT_HPP_

#include <sqlite3.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>

#include "sorights/directory.hpp"
#include "sorights/storage.hpp"
#include "sorights/storage/sqlite_store.hpp"
#include "support.hpp"
#include "support/catch.hpp"

namespace storage_test {

/// A new, empty SQLite store at `path` (created); fails the test if it cannot be made.
inline std::unique_ptr<sorights::SqliteStore> open_new_store(const std::string& path) {
  auto s = sorights::SqliteStore::open(path, {.create = true});
  REQUIRE(s);
  return std::move(*s);
}

/// The change set that takes `from` (stored at version `base`) to `to`.
inline sorights::ChangeSet change_set(const sorights::Model& from, const sorights::Model& to, std::uint64_t base) {
  sorights::ChangeSet cs;
  cs.base_version = base;
  cs.version = base + 1;
  cs.time = 1700000000 + static_cast<sorights::Time>(base);
  cs.changes = sorights::diff_models(from, to);
  return cs;
}

/// Runs `sql` on the file with a connection of its own and returns how many
/// rows the last statement changed; fails the test if SQLite refuses it.
inline int execute_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* msg = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg);
  INFO(sql << ": " << (msg ? msg : ""));
  sqlite3_free(msg);
  const int changed = sqlite3_changes(db);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
  return changed;
}

/// Runs the frozen schema fixtures `names` (tests/storage/fixtures), in order, into a new file at `path`, opens it,
/// which migrates it, and requires the store at the current schema version.
inline std::unique_ptr<sorights::SqliteStore> open_migrated_fixture(const std::string& path,
                                                                    std::initializer_list<std::string> names) {
  for (const std::string& name : names) execute_sql(path, read_all(std::string(SORIGHTS_STORAGE_FIXTURES "/") + name));
  auto s = sorights::SqliteStore::open(path);
  REQUIRE(s);
  CHECK((*s)->schema_version() == sorights::kSqliteSchemaVersion);
  return std::move(*s);
}

}  // namespace storage_test

#endif  // SORIGHTS_TESTS_STORAGE_SQLITE_SUPPORT_HPP_
