// -----------------------------------------------------------------------------
// File: storage/model_file.hpp
// -----------------------------------------------------------------------------
// Model files: the JSON form people write a user model in by hand, review in a
// pull request and load into a store (docs/model-file.md).
//
// `parse_model_file` reads a model file and applies it onto a base model with
// the import semantics of docs/model-file.md:
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
#ifndef SORIGHTS_STORAGE_MODEL_FILE_HPP_
#define SORIGHTS_STORAGE_MODEL_FILE_HPP_

#include <cstddef>
#include <cstdint>
#include <iosfwd>
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

/// The default largest model file, in bytes (64 MiB): about 300,000 users.
inline constexpr std::uint64_t kDefaultMaxModelFileBytes = std::uint64_t{64} << 20;
/// The deepest JSON nesting a model file may have (the top-level object is
/// level 1; a valid model file needs 4).
inline constexpr std::size_t kMaxModelFileDepth = 64;

/// Options of `parse_model_file` and `read_model_file`.
struct ModelFileOptions {
  ImportMode mode = ImportMode::kMerge;
  /// Named in `Error::message` (e.g. `"demo.json"`); may be empty.
  std::string file_name{};
  /// Text longer than this is refused unread (a file by its size, a stream
  /// after `max_bytes + 1` bytes). Raise it for a larger model.
  std::uint64_t max_bytes = kDefaultMaxModelFileBytes;
};

/// Parses the model file `json` and applies it onto `base` (see the file
/// comment). Bounded input (docs/design/0008-bounded-input.md): text over
/// `options.max_bytes` is refused unparsed; a NUL byte or invalid UTF-8 is
/// an `encoding` error at its byte offset; nesting deeper than
/// `kMaxModelFileDepth` (`nesting`) and a key given twice in one object
/// (`duplicate-key`) stop the parse with the JSON path; every id must pass
/// `id_problem` and every name `name_problem` (`invalid-id`,
/// `invalid-name`). O(n log n) in the size of the file and of `base`. On failure the error's code is `kInvalidArgument` and
/// `diagnostics` lists every problem; each diagnostic's `to_string()` is
/// `PATH: MESSAGE`, PATH being the JSON path in the file (0-based indexes) or,
/// for an entity that comes from `base`, `users["id"]`. `rule` is a stable
/// short id (`unknown-key`, `wrong-type`, `invalid-rights`, `unknown-group`…).
[[nodiscard]] Result<Model> parse_model_file(std::string_view json, const Model& base,
                                             const ModelFileOptions& options = {});

/// Reads the model file at `path` as text, with bounds: `stat` refuses a
/// directory, FIFO, socket or device by its type before the file is opened
/// (so a FIFO cannot block), and a regular file larger than `max_bytes` by its
/// size; the read stops at the first NUL byte or invalid UTF-8 (the error
/// gives its byte offset) and never takes more than `max_bytes + 1` bytes.
/// Errors: `kUnavailable` for a missing or unreadable file, `kInvalidArgument`
/// for the rest (diagnostic rules `file-type`, `too-large`, `encoding`).
/// O(size); memory is the text.
[[nodiscard]] Result<std::string> read_model_text(const std::string& path,
                                                  std::uint64_t max_bytes = kDefaultMaxModelFileBytes);

/// Reads model-file text from `in` (e.g. standard input) with the same
/// bounds: stops at the first bad byte, and after `max_bytes + 1` bytes.
/// `name` is named in the error.
[[nodiscard]] Result<std::string> read_model_text(std::istream& in, const std::string& name,
                                                  std::uint64_t max_bytes = kDefaultMaxModelFileBytes);

/// Reads the file at `path` (`read_model_text`) and parses it as
/// `parse_model_file` does; an unreadable file is `kUnavailable`.
[[nodiscard]] Result<Model> read_model_file(const std::string& path, const Model& base,
                                            ImportMode mode = ImportMode::kMerge);
/// The same with every option; `options.file_name`, when empty, is `path`.
[[nodiscard]] Result<Model> read_model_file(const std::string& path, const Model& base,
                                            const ModelFileOptions& options);

/// The model as a model file (UTF-8 JSON, two-space indentation, any object
/// or array that fits in 140 columns on one line). Members at their defaults
/// are left out; so are predefined roles at their defaults, and a predefined
/// role that differs lists only the cells that differ. Never fails: text that
/// is not UTF-8 is written as U+FFFD.
[[nodiscard]] std::string export_model_file(const Model& model);

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_STORAGE_MODEL_FILE_HPP_
