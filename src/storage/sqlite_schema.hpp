// Internal: the SQLite schema of sorights stores, and the migrations that
// bring an older store up to it (docs/sqlite-schema.md). Not installed.
#ifndef SORIGHTS_SRC_STORAGE_SQLITE_SCHEMA_HPP_
#define SORIGHTS_SRC_STORAGE_SQLITE_SCHEMA_HPP_

#include <string>

#include "schema_ddl.hpp"
#include "sorights/config.hpp"
#include "sorights/storage/sqlite_store.hpp"

SORIGHTS_BEGIN_NAMESPACE
namespace detail {

// The current schema (kSqliteSchemaVersion), created in one transaction: the
// tables come from model_io/schema_ddl.hpp (those of the entities from their
// field lists; docs/sqlite-schema.md shows them all), meta, the version and
// the indexes are written out here. Older versions reach it through
// kMigrations.
inline constexpr const char* kSchemaHead = R"sql(
CREATE TABLE schema_version (
  version INTEGER NOT NULL
);
CREATE TABLE meta (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  version  INTEGER NOT NULL CHECK (version >= 0),
  created  INTEGER NOT NULL
);
)sql";
inline constexpr const char* kSchemaTail = R"sql(CREATE INDEX users_role ON users (role);
CREATE INDEX users_group ON users (primary_group);
CREATE INDEX audit_log_actor ON audit_log (actor);
INSERT INTO schema_version (version) VALUES (3);
)sql";

inline const std::string& current_schema() {
  static const std::string ddl = [] {
    constexpr SqlDialect kLite = SqlDialect::kSqlite;
    constexpr int kAt = kSqliteSchemaVersion;
    std::string out = kSchemaHead;
    out += entity_ddl<OurCompany>(kLite, kAt) + entity_ddl<Group>(kLite, kAt) + entity_ddl<Licence>(kLite, kAt);
    out += entity_ddl<Plan>(kLite, kAt) + entity_ddl<FunctionalRightDef>(kLite, kAt);
    out += entity_ddl<DataObjectDef>(kLite, kAt) + entity_ddl<Role>(kLite, kAt, role_matrix_ddl(kLite));
    out += rule_tables_ddl(kLite);
    out += entity_ddl<User>(kLite, kAt);
    return out + audit_log_ddl(kLite) + kSchemaTail;
  }();
  return ddl;
}

// One step of the migration chain: run `sql` on a store of schema version
// `from` to reach version `from + 1`. The steps run in order, all in one
// transaction, and each ends by updating schema_version.
struct Migration {
  int from;
  const char* sql;
};

// Version 0 was the prototype schema (tests/storage/fixtures/schema_v0.sql):
// users had no `person` and no `former_employee`, and the audit log kept only
// committed changes (no `refused` / `reason`).
inline constexpr Migration kMigrations[] = {
    {0, R"sql(
ALTER TABLE users ADD COLUMN person TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN former_employee INTEGER NOT NULL DEFAULT 0 CHECK (former_employee IN (0, 1));
ALTER TABLE audit_log ADD COLUMN refused INTEGER NOT NULL DEFAULT 0 CHECK (refused IN (0, 1));
ALTER TABLE audit_log ADD COLUMN reason TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS audit_log_actor ON audit_log (actor);
UPDATE schema_version SET version = 1;
)sql"},
    // 1 → 2: declared functional rights may be restrictive (docs/rules.md
    // §16). Existing rights are not; the integrity seal encodes the column
    // only when it is not 0, so sealed rows keep their MACs.
    {1, R"sql(
ALTER TABLE functional_rights ADD COLUMN restrictive INTEGER NOT NULL DEFAULT 0 CHECK (restrictive IN (0, 1));
UPDATE schema_version SET version = 2;
)sql"},
    // 2 → 3: roles, groups, our companies and declared functional rights
    // carry display names per language (`names`, compact JSON; '' for none).
    // The seal encodes the column only when it is not '', so sealed rows keep
    // their MACs.
    {2, R"sql(
ALTER TABLE our_companies ADD COLUMN names TEXT NOT NULL DEFAULT '';
ALTER TABLE groups ADD COLUMN names TEXT NOT NULL DEFAULT '';
ALTER TABLE functional_rights ADD COLUMN names TEXT NOT NULL DEFAULT '';
ALTER TABLE roles ADD COLUMN names TEXT NOT NULL DEFAULT '';
UPDATE schema_version SET version = 3;
)sql"},
};

}  // namespace detail
SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_SRC_STORAGE_SQLITE_SCHEMA_HPP_
