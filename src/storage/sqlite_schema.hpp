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
// tables of the entities with ids and their lists come from the field lists
// (model_io/schema_ddl.hpp; docs/sqlite-schema.md shows them all), the
// others are written out here. Older versions reach it through kMigrations.
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
inline constexpr const char* kDataRightsDdl = R"sql(CREATE TABLE data_rights (
  role      TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  object    TEXT NOT NULL,
  relation  TEXT NOT NULL CHECK (relation IN ('own', 'primary_group', 'other_groups', 'other_associates',
                                              'external', 'anonymous', 'my_company', 'same_project')),
  crud      TEXT NOT NULL,
  PRIMARY KEY (role, object, relation)
);
)sql";
inline constexpr const char* kRuleTablesDdl = R"sql(CREATE TABLE field_rights (
  position      INTEGER PRIMARY KEY,
  role          TEXT NOT NULL REFERENCES roles (id) DEFERRABLE INITIALLY DEFERRED,
  object        TEXT NOT NULL,
  field         TEXT NOT NULL,
  relation      TEXT NOT NULL,
  rights        TEXT NOT NULL CHECK (rights IN ('', 'R', 'W', 'RW')),
  ui_mandatory  INTEGER NOT NULL DEFAULT 0 CHECK (ui_mandatory IN (0, 1)),
  ui_read_only  INTEGER NOT NULL DEFAULT 0 CHECK (ui_read_only IN (0, 1))
);
CREATE TABLE overrides (
  position  INTEGER PRIMARY KEY,
  level     TEXT NOT NULL CHECK (level IN ('system', 'group', 'user')),
  target    TEXT NOT NULL DEFAULT '',
  object    TEXT NOT NULL,
  scope     TEXT NOT NULL CHECK (scope IN ('all', 'new', 'existing', 'record')),
  record    TEXT NOT NULL DEFAULT '',
  field     TEXT NOT NULL DEFAULT '',
  remove    TEXT NOT NULL
);
)sql";
inline constexpr const char* kSchemaTail = R"sql(CREATE TABLE audit_log (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  version  INTEGER NOT NULL,
  time     INTEGER NOT NULL,
  actor    TEXT NOT NULL DEFAULT '',
  refused  INTEGER NOT NULL DEFAULT 0 CHECK (refused IN (0, 1)),
  reason   TEXT NOT NULL DEFAULT '',
  changes  TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX users_role ON users (role);
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
    out += entity_ddl<DataObjectDef>(kLite, kAt) + entity_ddl<Role>(kLite, kAt, kDataRightsDdl);
    out += kRuleTablesDdl;
    out += entity_ddl<User>(kLite, kAt);
    return out + kSchemaTail;
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
