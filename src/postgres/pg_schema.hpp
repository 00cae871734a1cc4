// Internal: the PostgreSQL schema of sorights stores and the table of
// migrations that brings an older store up to date (docs/many-servers.md).
// It mirrors the SQLite schema (src/storage/sqlite_schema.hpp): the same
// tables and columns, plus a `position` column that keeps the model's order,
// rights stored as their bit values, and the audit log's `commit_id`.
// Not installed.
#ifndef SORIGHTS_SRC_POSTGRES_PG_SCHEMA_HPP_
#define SORIGHTS_SRC_POSTGRES_PG_SCHEMA_HPP_

#include <string>
#include <vector>

#include "schema_ddl.hpp"
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
  std::string sql;
};

// Version 1's tables come from model_io/schema_ddl.hpp (those of the entities
// from their field lists, members with `pg_since` 1); meta, the version and
// the indexes are written out here.
inline constexpr const char* kPgV1Head = R"sql(
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
)sql";
inline constexpr const char* kPgV1Tail = R"sql(CREATE INDEX users_role ON users (role);
CREATE INDEX users_group ON users (primary_group);
)sql";

inline std::string pg_v1_tables() {
  constexpr SqlDialect kPg = SqlDialect::kPostgres;
  std::string out = kPgV1Head;
  out += entity_ddl<OurCompany>(kPg, 1) + entity_ddl<Group>(kPg, 1) + entity_ddl<Licence>(kPg, 1);
  out += entity_ddl<Plan>(kPg, 1) + entity_ddl<FunctionalRightDef>(kPg, 1) + entity_ddl<DataObjectDef>(kPg, 1);
  out += entity_ddl<Role>(kPg, 1, role_matrix_ddl(kPg));
  out += rule_tables_ddl(kPg);
  out += entity_ddl<User>(kPg, 1);
  return out + audit_log_ddl(kPg) + kPgV1Tail;
}

inline const std::vector<PgMigration>& pg_migrations() {
  static const std::vector<PgMigration> steps = {
    {0, 1, "the tables of the model, meta and audit_log", pg_v1_tables()},
    {1, 2, "audit_log.commit_id (lost-COMMIT recovery) and audit indexes", R"sql(
ALTER TABLE audit_log ADD COLUMN commit_id text;
CREATE UNIQUE INDEX audit_log_commit_id ON audit_log (commit_id) WHERE commit_id IS NOT NULL;
CREATE INDEX audit_log_actor ON audit_log (actor);
CREATE INDEX audit_log_time ON audit_log (time);
)sql"},
    {2, 3, "functional_rights.restrictive (declared restrictive rights)", R"sql(
ALTER TABLE functional_rights ADD COLUMN restrictive boolean NOT NULL DEFAULT false;
)sql"},
    {3, 4, "names (display names per language) of roles, groups, our companies and declared rights", R"sql(
ALTER TABLE our_companies ADD COLUMN names text NOT NULL DEFAULT '';
ALTER TABLE groups ADD COLUMN names text NOT NULL DEFAULT '';
ALTER TABLE functional_rights ADD COLUMN names text NOT NULL DEFAULT '';
ALTER TABLE roles ADD COLUMN names text NOT NULL DEFAULT '';
)sql"},
  };
  return steps;
}

}  // namespace detail
SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_SRC_POSTGRES_PG_SCHEMA_HPP_
