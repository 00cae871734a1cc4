// -----------------------------------------------------------------------------
// File: model_file.hpp
// -----------------------------------------------------------------------------
// Model files: the JSON form people write a user model in by hand, review in a
// pull request and load into a store (FORMAT.md, docs/model-file.md).
//
// `parse_model_file` reads a model file and applies it onto a base model with
// the import semantics of FORMAT.md:
//
//   * a role entry edits the role: each `data_rights` cell it names replaces
//     the cell, the others stay; a `functional_rights` list replaces the list;
//     `copy_of` starts the role from another role's cells and rights; a
//     predefined role id edits that role;
//   * every other entity (company, group, licence, plan, functional right,
//     custom object, user, field right, override) is replaced whole;
//   * `ImportMode::kReplace` makes the result equal to the file: entities
//     missing from it are removed and predefined roles missing from it return
//     to their defaults (the base is then ignored).
//
// Every problem is reported at once, each with the JSON path and the rule it
// breaks (`users[3].group: unknown group "salse"`), whether it is a syntax
// error, an unknown key, a wrong type, a bad rights letter or a rule of the
// model (`validate()`); nothing is returned unless the whole file is valid.
//
// `export_model_file` writes a model back as a model file;
// `parse_model_file(export_model_file(m), any, kReplace)` equals `m`.
//
// **Example**:
//
//     auto model = sorights::parse_model_file(text, stored, {.file_name = "model.json"});
//     if (!model) {
//       for (const auto& d : model.error().diagnostics)
//         std::cerr << "model.json: " << d.to_string() << "\n";
//     }
//
// Cold path; needs the `sorights::storage` library (JSON support lives in
// src/, so this header pulls in no third-party headers).
#ifndef SORIGHTS_MODEL_FILE_HPP_
#define SORIGHTS_MODEL_FILE_HPP_

#include <cstdint>
#include <string>
#include <string_view>

#include "sorights/config.hpp"
#include "sorights/error.hpp"
#include "sorights/model.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// The `format` member every model file carries.
inline constexpr std::string_view kModelFileFormat = "sorights-model/1";

/// How a model file combines with the model it is imported into.
enum class ImportMode : std::uint8_t {
  kMerge = 0,    ///< create or replace each entity the file names; keep the rest
  kReplace = 1,  ///< the result equals the file (`sorights import --replace`)
};

/// Options of `parse_model_file`.
struct ModelFileOptions {
  ImportMode mode = ImportMode::kMerge;
  /// Named in `Error::message` (e.g. `"demo.json"`); may be empty.
  std::string file_name{};
};

/// Parses the model file `json` and applies it onto `base` (see the file
/// comment). On failure the error's code is `kInvalidArgument` and
/// `diagnostics` lists every problem; each diagnostic's `to_string()` is
/// `PATH: MESSAGE`, PATH being the JSON path in the file (0-based indexes) or,
/// for an entity that comes from `base`, `users["id"]`. `rule` is a stable
/// short id (`unknown-key`, `wrong-type`, `invalid-rights`, `unknown-group`…).
[[nodiscard]] Result<Model> parse_model_file(std::string_view json, const Model& base,
                                             const ModelFileOptions& options = {});

/// Reads the file at `path` and parses it as `parse_model_file` does; an
/// unreadable file is `kUnavailable`.
[[nodiscard]] Result<Model> read_model_file(const std::string& path, const Model& base,
                                            ImportMode mode = ImportMode::kMerge);

/// The model as a model file (UTF-8 JSON, two-space indentation, any object
/// or array that fits in 140 columns on one line). Members at their defaults
/// are left out; so are predefined roles at their defaults, and a predefined
/// role that differs lists only the cells that differ. Never fails: text that
/// is not UTF-8 is written as U+FFFD.
[[nodiscard]] std::string export_model_file(const Model& model);

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_MODEL_FILE_HPP_
