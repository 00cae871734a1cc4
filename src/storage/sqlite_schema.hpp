// Internal: the SQLite schema of sorights stores, and the migrations that
// bring an older store up to it (docs/sqlite-schema.md). Not installed.
#ifndef SORIGHTS_SRC_STORAGE_SQLITE_SCHEMA_HPP_
#define SORIGHTS_SRC_STORAGE_SQLITE_SCHEMA_HPP_

#include "sorights/config.hpp"

SORIGHTS_BEGIN_NAMESPACE
namespace detail {

// The current schema (version 2), created in one transaction. (The name is
// historical: new stores are created at the current version directly.)
inline constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE schema_version (
  version INTEGER NOT NULL
);
CREATE TABLE meta (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  version  INTEGER NOT NULL CHECK (version >= 0),
  created  INTEGER NOT NULL
);
CREATE TABLE our_companies (
  id              TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
  name            TEXT NOT NULL DEFAULT '',
  database_owner  INTEGER NOT NULL DEFAULT 0 CHECK (database_owner IN (0, 1))
);
CREATE TABLE groups (
  id    TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
  name  TEXT NOT NULL DEFAULT ''
);
CREATE TABLE licences (
  id            TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
  name          TEXT NOT NULL DEFAULT '',
  kind          TEXT NOT NULL CHECK (kind IN ('user', 'site')),
  count         INTEGER NOT NULL DEFAULT 0 CHECK (count BETWEEN 0 AND 4294967295),
  unrestricted  INTEGER NOT NULL DEFAULT 0 CHECK (unrestricted IN (0, 1))
);
CREATE TABLE licence_requires (
  licence   TEXT NOT NULL REFERENCES licences (id) ON DELETE CASCADE,
  position  INTEGER NOT NULL,
  required  TEXT NOT NULL REFERENCES licences (id) DEFERRABLE INITIALLY DEFERRED,
  PRIMARY KEY (licence, position)
);
CREATE TABLE licence_cal_for (
  licence   TEXT NOT NULL REFERENCES licences (id) ON DELETE CASCADE,
  position  INTEGER NOT NULL,
  object    TEXT NOT NULL,
  PRIMARY KEY (licence, position)
);
CREATE TABLE plans (
  id    TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
  name  TEXT NOT NULL DEFAULT ''
);
CREATE TABLE plan_licences (
  plan      TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
  position  INTEGER NOT NULL,
  licence   TEXT NOT NULL REFERENCES licences (id) DEFERRABLE INITIALLY DEFERRED,
  PRIMARY KEY (plan, position)
);
CREATE TABLE functional_rights (
  id                TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
  name              TEXT NOT NULL DEFAULT '',
  requires_licence  TEXT REFERENCES licences (id) DEFERRABLE INITIALLY DEFERRED,
  restrictive       INTEGER NOT NULL DEFAULT 0 CHECK (restrictive IN (0, 1))
);
CREATE TABLE objects (
  id                   TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
  name                 TEXT NOT NULL DEFAULT '',
  empty_owner_is_user  INTEGER NOT NULL DEFAULT 0 CHECK (empty_owner_is_user IN (0, 1)),
  visibility           INTEGER NOT NULL DEFAULT 0 CHECK (visibility IN (0, 1)),
  completed_locked     INTEGER NOT NULL DEFAULT 0 CHECK (completed_locked IN (0, 1))
);
CREATE TABLE roles (
  id           TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
  name         TEXT NOT NULL DEFAULT '',
  description  TEXT NOT NULL DEFAULT '',
  type         TEXT NOT NULL CHECK (type IN ('employee', 'external', 'anonymous', 'system'))
);
CREATE TABLE data_rights (
  role      TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  object    TEXT NOT NULL,
  relation  TEXT NOT NULL CHECK (relation IN ('own', 'primary_group', 'other_groups', 'other_associates',
                                              'external', 'anonymous', 'my_company', 'same_project')),
  crud      TEXT NOT NULL,
  PRIMARY KEY (role, object, relation)
);
CREATE TABLE role_rights (
  role              TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  position          INTEGER NOT NULL,
  functional_right  TEXT NOT NULL,
  PRIMARY KEY (role, position)
);
CREATE TABLE field_rights (
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
CREATE TABLE users (
  id               TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
  type             TEXT NOT NULL CHECK (type IN ('associate', 'resource', 'external', 'anonymous', 'system')),
  name             TEXT NOT NULL DEFAULT '',
  person           TEXT NOT NULL DEFAULT '',
  company          TEXT NOT NULL DEFAULT '',
  role             TEXT REFERENCES roles (id) DEFERRABLE INITIALLY DEFERRED,
  primary_group    TEXT REFERENCES groups (id) DEFERRABLE INITIALLY DEFERRED,
  plan             TEXT REFERENCES plans (id) DEFERRABLE INITIALLY DEFERRED,
  can_log_in       INTEGER NOT NULL DEFAULT 1 CHECK (can_log_in IN (0, 1)),
  former_employee  INTEGER NOT NULL DEFAULT 0 CHECK (former_employee IN (0, 1)),
  retired          INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1))
);
CREATE TABLE user_groups (
  user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  position  INTEGER NOT NULL,
  group_id  TEXT NOT NULL REFERENCES groups (id) DEFERRABLE INITIALLY DEFERRED,
  PRIMARY KEY (user_id, position)
);
CREATE TABLE user_licences (
  user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  position  INTEGER NOT NULL,
  licence   TEXT NOT NULL REFERENCES licences (id) DEFERRABLE INITIALLY DEFERRED,
  PRIMARY KEY (user_id, position)
);
CREATE TABLE user_projects (
  user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  position  INTEGER NOT NULL,
  project   TEXT NOT NULL,
  PRIMARY KEY (user_id, position)
);
CREATE TABLE audit_log (
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
INSERT INTO schema_version (version) VALUES (2);
)sql";

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
};

}  // namespace detail
SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_SRC_STORAGE_SQLITE_SCHEMA_HPP_
