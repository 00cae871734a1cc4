// Internal: the PostgreSQL schema of sorights stores and the table of
// migrations that brings an older store up to date (docs/many-servers.md).
// It mirrors the SQLite schema (src/storage/sqlite_schema.hpp): the same
// tables and columns, plus a `position` column that keeps the model's order,
// rights stored as their bit values, and the audit log's `commit_id`.
// Not installed.
#ifndef SORIGHTS_SRC_POSTGRES_PG_SCHEMA_HPP_
#define SORIGHTS_SRC_POSTGRES_PG_SCHEMA_HPP_

#include "sorights/config.hpp"

SORIGHTS_BEGIN_NAMESPACE
namespace detail {

// One step: on a store at schema version `from`, run `sql` to reach `to`.
// The runner applies every step from the stored version up in one
// transaction and records each in `schema_version`.
struct PgMigration {
  int from;
  int to;
  const char* description;
  const char* sql;
};

inline constexpr PgMigration kPgMigrations[] = {
    {0, 1, "the tables of the model, meta and audit_log", R"sql(
CREATE TABLE schema_version (
  version     integer PRIMARY KEY,
  applied_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE meta (
  id       smallint PRIMARY KEY CHECK (id = 1),
  version  bigint NOT NULL CHECK (version >= 0),
  created  timestamptz NOT NULL DEFAULT now(),
  updated  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO meta (id, version) VALUES (1, 0);
CREATE TABLE our_companies (
  id              text PRIMARY KEY CHECK (id <> ''),
  position        bigint NOT NULL,
  name            text NOT NULL DEFAULT '',
  database_owner  boolean NOT NULL DEFAULT false
);
CREATE TABLE groups (
  id        text PRIMARY KEY CHECK (id <> ''),
  position  bigint NOT NULL,
  name      text NOT NULL DEFAULT ''
);
CREATE TABLE licences (
  id            text PRIMARY KEY CHECK (id <> ''),
  position      bigint NOT NULL,
  name          text NOT NULL DEFAULT '',
  kind          text NOT NULL CHECK (kind IN ('user', 'site')),
  count         bigint NOT NULL DEFAULT 0 CHECK (count BETWEEN 0 AND 4294967295),
  unrestricted  boolean NOT NULL DEFAULT false
);
CREATE TABLE licence_requires (
  licence   text NOT NULL REFERENCES licences (id) ON DELETE CASCADE,
  position  integer NOT NULL,
  required  text NOT NULL,
  PRIMARY KEY (licence, position)
);
CREATE TABLE licence_cal_for (
  licence   text NOT NULL REFERENCES licences (id) ON DELETE CASCADE,
  position  integer NOT NULL,
  object    text NOT NULL,
  PRIMARY KEY (licence, position)
);
CREATE TABLE plans (
  id        text PRIMARY KEY CHECK (id <> ''),
  position  bigint NOT NULL,
  name      text NOT NULL DEFAULT ''
);
CREATE TABLE plan_licences (
  plan      text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
  position  integer NOT NULL,
  licence   text NOT NULL,
  PRIMARY KEY (plan, position)
);
CREATE TABLE functional_rights (
  id                text PRIMARY KEY CHECK (id <> ''),
  position          bigint NOT NULL,
  name              text NOT NULL DEFAULT '',
  requires_licence  text NOT NULL DEFAULT ''
);
CREATE TABLE objects (
  id                   text PRIMARY KEY CHECK (id <> ''),
  position             bigint NOT NULL,
  name                 text NOT NULL DEFAULT '',
  empty_owner_is_user  boolean NOT NULL DEFAULT false,
  visibility           boolean NOT NULL DEFAULT false,
  completed_locked     boolean NOT NULL DEFAULT false
);
CREATE TABLE roles (
  id           text PRIMARY KEY CHECK (id <> ''),
  position     bigint NOT NULL,
  name         text NOT NULL DEFAULT '',
  description  text NOT NULL DEFAULT '',
  type         text NOT NULL CHECK (type IN ('employee', 'external', 'anonymous', 'system'))
);
CREATE TABLE data_rights (
  role      text NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  object    text NOT NULL,
  relation  text NOT NULL CHECK (relation IN ('own', 'primary_group', 'other_groups', 'other_associates',
                                              'external', 'anonymous', 'my_company', 'same_project')),
  rights    smallint NOT NULL CHECK (rights BETWEEN 0 AND 255),
  PRIMARY KEY (role, object, relation)
);
CREATE TABLE role_rights (
  role              text NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  position          integer NOT NULL,
  functional_right  text NOT NULL,
  PRIMARY KEY (role, position)
);
CREATE TABLE field_rights (
  position      integer PRIMARY KEY,
  role          text NOT NULL,
  object        text NOT NULL,
  field         text NOT NULL,
  relation      text NOT NULL,
  rights        smallint NOT NULL CHECK (rights BETWEEN 0 AND 255),
  ui_mandatory  boolean NOT NULL DEFAULT false,
  ui_read_only  boolean NOT NULL DEFAULT false
);
CREATE TABLE overrides (
  position  integer PRIMARY KEY,
  level     text NOT NULL CHECK (level IN ('system', 'group', 'user')),
  target    text NOT NULL DEFAULT '',
  object    text NOT NULL,
  scope     text NOT NULL CHECK (scope IN ('all', 'new', 'existing', 'record')),
  record    text NOT NULL DEFAULT '',
  field     text NOT NULL DEFAULT '',
  remove    smallint NOT NULL CHECK (remove BETWEEN 0 AND 255)
);
CREATE TABLE users (
  id               text PRIMARY KEY CHECK (id <> ''),
  position         bigint NOT NULL,
  type             text NOT NULL CHECK (type IN ('associate', 'resource', 'external', 'anonymous', 'system')),
  name             text NOT NULL DEFAULT '',
  person           text NOT NULL DEFAULT '',
  company          text NOT NULL DEFAULT '',
  role             text NOT NULL DEFAULT '',
  primary_group    text NOT NULL DEFAULT '',
  plan             text NOT NULL DEFAULT '',
  can_log_in       boolean NOT NULL DEFAULT true,
  former_employee  boolean NOT NULL DEFAULT false,
  retired          boolean NOT NULL DEFAULT false
);
CREATE TABLE user_groups (
  user_id   text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  position  integer NOT NULL,
  group_id  text NOT NULL,
  PRIMARY KEY (user_id, position)
);
CREATE TABLE user_licences (
  user_id   text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  position  integer NOT NULL,
  licence   text NOT NULL,
  PRIMARY KEY (user_id, position)
);
CREATE TABLE user_projects (
  user_id   text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  position  integer NOT NULL,
  project   text NOT NULL,
  PRIMARY KEY (user_id, position)
);
CREATE TABLE audit_log (
  seq      bigserial PRIMARY KEY,
  version  bigint NOT NULL,
  time     bigint NOT NULL,
  actor    text NOT NULL DEFAULT '',
  refused  boolean NOT NULL DEFAULT false,
  reason   text NOT NULL DEFAULT '',
  changes  text NOT NULL DEFAULT '[]'
);
CREATE INDEX users_role ON users (role);
CREATE INDEX users_group ON users (primary_group);
)sql"},
    {1, 2, "audit_log.commit_id (lost-COMMIT recovery) and audit indexes", R"sql(
ALTER TABLE audit_log ADD COLUMN commit_id text;
CREATE UNIQUE INDEX audit_log_commit_id ON audit_log (commit_id) WHERE commit_id IS NOT NULL;
CREATE INDEX audit_log_actor ON audit_log (actor);
CREATE INDEX audit_log_time ON audit_log (time);
)sql"},
    {2, 3, "functional_rights.restrictive (declared restrictive rights)", R"sql(
ALTER TABLE functional_rights ADD COLUMN restrictive boolean NOT NULL DEFAULT false;
)sql"},
};

}  // namespace detail
SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_SRC_POSTGRES_PG_SCHEMA_HPP_
