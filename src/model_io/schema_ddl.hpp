// Internal: the CREATE TABLE text of each entity's table and its list tables,
// generated from the field list (sorights/model_describe.hpp) for SQLite and
// PostgreSQL, and of the role matrix, the two rule lists (field rights,
// overrides) and the audit log. Meta, the schema version and the indexes are
// written out in each schema. Not installed.
#ifndef SORIGHTS_SRC_MODEL_IO_SCHEMA_DDL_HPP_
#define SORIGHTS_SRC_MODEL_IO_SCHEMA_DDL_HPP_

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sorights/model_describe.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE
namespace detail {

enum class SqlDialect : std::uint8_t { kSqlite, kPostgres };

using ColumnDdl = std::pair<std::string, std::string>;  // name, type and constraints

// One CREATE TABLE statement, columns aligned.
inline std::string create_table(std::string_view table, const std::vector<ColumnDdl>& cols, std::string_view tail = {}) {
  std::size_t width = 0;
  for (const auto& [name, rest] : cols) width = std::max(width, name.size());
  std::string out = "CREATE TABLE ";
  out.append(table).append(" (\n");
  for (std::size_t i = 0; i < cols.size(); ++i) {
    out.append("  ").append(cols[i].first).append(width + 2 - cols[i].first.size(), ' ').append(cols[i].second);
    out.append(i + 1 < cols.size() || !tail.empty() ? ",\n" : "\n");
  }
  if (!tail.empty()) out.append("  ").append(tail).append("\n");
  return out.append(");\n");
}

// A 0/1 flag: INTEGER with a CHECK in SQLite, boolean in PostgreSQL.
inline std::string flag_ddl(SqlDialect d, std::string_view column, bool flag_default) {
  if (d == SqlDialect::kPostgres) return flag_default ? "boolean NOT NULL DEFAULT true" : "boolean NOT NULL DEFAULT false";
  return std::string(flag_default ? "INTEGER NOT NULL DEFAULT 1" : "INTEGER NOT NULL DEFAULT 0") + " CHECK (" +
         std::string(column) + " IN (0, 1))";
}

// Text that must be one of `names`.
template <class Names>
std::string enum_ddl(SqlDialect d, std::string_view column, const Names& names) {
  std::string in;
  for (const auto& n : names) in.append(in.empty() ? "'" : ", '").append(n).append("'");
  return std::string(d == SqlDialect::kSqlite ? "TEXT" : "text") + " NOT NULL CHECK (" + std::string(column) + " IN (" +
         in + "))";
}

// The column of a scalar member: `flag_default` is the member's default
// when it is a flag.
inline std::string column_ddl(SqlDialect d, const FieldInfo& f, bool flag_default,
                              const std::vector<std::string>& enum_names) {
  const bool lite = d == SqlDialect::kSqlite;
  const std::string c(f.column);
  switch (f.kind) {
    case FieldKind::kId: return lite ? "TEXT PRIMARY KEY NOT NULL CHECK (id <> '')" : "text PRIMARY KEY CHECK (id <> '')";
    case FieldKind::kReference:
      if (lite) return "TEXT REFERENCES " + std::string(f.refers) + " (id) DEFERRABLE INITIALLY DEFERRED";
      return "text NOT NULL DEFAULT ''";
    case FieldKind::kFlag: return flag_ddl(d, c, flag_default);
    case FieldKind::kCount:
      return std::string(lite ? "INTEGER" : "bigint") + " NOT NULL DEFAULT 0 CHECK (" + c + " BETWEEN 0 AND 4294967295)";
    case FieldKind::kEnum: return enum_ddl(d, c, enum_names);
    default: return lite ? "TEXT NOT NULL DEFAULT ''" : "text NOT NULL DEFAULT ''";
  }
}

// A list member's child table: owner, position, value.
inline std::string list_table_ddl(SqlDialect d, std::string_view owner_table, std::string_view owner, const FieldInfo& f) {
  const bool lite = d == SqlDialect::kSqlite;
  std::string value = lite ? "TEXT NOT NULL" : "text NOT NULL";
  if (lite && !f.refers.empty()) value += " REFERENCES " + std::string(f.refers) + " (id) DEFERRABLE INITIALLY DEFERRED";
  const std::string o(owner);
  return create_table(f.column,
                      {{o, std::string(lite ? "TEXT" : "text") + " NOT NULL REFERENCES " + std::string(owner_table) +
                               " (id) ON DELETE CASCADE"},
                       {"position", lite ? "INTEGER NOT NULL" : "integer NOT NULL"},
                       {std::string(f.value_column), value}},
                      "PRIMARY KEY (" + o + ", position)");
}

// The tables of entity `T` at schema `version` of dialect `d`: its own table
// (PostgreSQL adds `position`, which keeps the model's order) and one per
// list, leaving out members a later version added. `custom` is the DDL of
// the table a custom member (the role matrix) keeps, put in its place.
template <class T>
std::string entity_ddl(SqlDialect d, int version, std::string_view custom = {}) {
  using F = EntityFields<T>;
  static const T defaults{};
  std::vector<ColumnDdl> cols;
  std::string lists;
  for_each_field<T>([&](const FieldInfo& f, auto member) {
    if ((d == SqlDialect::kSqlite ? f.sqlite_since : f.pg_since) > version) return;
    using M = std::decay_t<decltype(defaults.*member)>;
    if (f.kind == FieldKind::kList) {
      lists += list_table_ddl(d, F::table, F::owner, f);
    } else if (f.kind == FieldKind::kCustom) {
      lists += custom;
    } else {
      bool flag_default = false;
      std::vector<std::string> names;
      if constexpr (std::is_same_v<M, bool>) flag_default = defaults.*member;
      if constexpr (std::is_enum_v<M>) names = enum_texts_listed<M>();
      cols.emplace_back(std::string(f.column), column_ddl(d, f, flag_default, names));
      if (f.kind == FieldKind::kId && d == SqlDialect::kPostgres) cols.emplace_back("position", "bigint NOT NULL");
    }
  });
  return create_table(F::table, cols) + lists;
}

// The two rule lists, field rights and overrides: no ids, one row per rule
// in the model's order (`position`). SQLite keeps rights as their letters
// ("RW", "CRUD"), PostgreSQL as their bit values.
inline std::string rule_tables_ddl(SqlDialect d) {
  const bool lite = d == SqlDialect::kSqlite;
  const std::string text = lite ? "TEXT NOT NULL" : "text NOT NULL";
  const std::string optional_text = text + " DEFAULT ''";
  const std::string position = lite ? "INTEGER PRIMARY KEY" : "integer PRIMARY KEY";
  const auto bits = [&](const char* column, const char* letters) -> std::string {
    if (lite) return letters == nullptr ? text : text + " CHECK (" + column + " IN (" + letters + "))";
    return std::string("smallint NOT NULL CHECK (") + column + " BETWEEN 0 AND 255)";
  };
  return create_table("field_rights",
                      {{"position", position},
                       {"role", lite ? text + " REFERENCES roles (id) DEFERRABLE INITIALLY DEFERRED" : text},
                       {"object", text},
                       {"field", text},
                       {"relation", text},
                       {"rights", bits("rights", "'', 'R', 'W', 'RW'")},
                       {"ui_mandatory", flag_ddl(d, "ui_mandatory", false)},
                       {"ui_read_only", flag_ddl(d, "ui_read_only", false)}}) +
         create_table("overrides", {{"position", position},
                                    {"level", enum_ddl(d, "level", enum_texts_listed<OverrideLevel>())},
                                    {"target", optional_text},
                                    {"object", text},
                                    {"scope", enum_ddl(d, "scope", enum_texts_listed<OverrideScope>())},
                                    {"record", optional_text},
                                    {"field", optional_text},
                                    {"remove", bits("remove", nullptr)}});
}

// The role matrix: one row per (role, object, relation) cell, the relation
// by its name (kRelationNames). SQLite keeps the rights as letters ("CRUD"),
// PostgreSQL as their bit values.
inline std::string role_matrix_ddl(SqlDialect d) {
  const bool lite = d == SqlDialect::kSqlite;
  const std::string text = lite ? "TEXT NOT NULL" : "text NOT NULL";
  return create_table("data_rights",
                      {{"role", text + " REFERENCES roles (id) ON DELETE CASCADE"},
                       {"object", text},
                       {"relation", enum_ddl(d, "relation", kRelationNames)},
                       lite ? ColumnDdl{"crud", text}
                            : ColumnDdl{"rights", "smallint NOT NULL CHECK (rights BETWEEN 0 AND 255)"}},
                      "PRIMARY KEY (role, object, relation)");
}

// The audit log: one row per commit or refused change set, its changes as
// JSON. PostgreSQL adds `commit_id` in a later version.
inline std::string audit_log_ddl(SqlDialect d) {
  const bool lite = d == SqlDialect::kSqlite;
  const std::string number = lite ? "INTEGER NOT NULL" : "bigint NOT NULL";
  const std::string text = lite ? "TEXT NOT NULL DEFAULT " : "text NOT NULL DEFAULT ";
  return create_table("audit_log", {{"seq", lite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "bigserial PRIMARY KEY"},
                                    {"version", number},
                                    {"time", number},
                                    {"actor", text + "''"},
                                    {"refused", flag_ddl(d, "refused", false)},
                                    {"reason", text + "''"},
                                    {"changes", text + "'[]'"}});
}

}  // namespace detail
SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_SRC_MODEL_IO_SCHEMA_DDL_HPP_
