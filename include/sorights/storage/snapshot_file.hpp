// -----------------------------------------------------------------------------
// File: storage/snapshot_file.hpp
// -----------------------------------------------------------------------------
// Snapshot files: a model and its version in one binary file, for a fast cold
// start and for backups. The payload is a Boost.Serialization binary archive
// of the model; loading it returns the model, which the caller compiles
// (`compile(model, version)`).
//
// Layout (little-endian; docs/storage-adapters.md):
//
//     offset  size  field
//          0     8  magic "SORIGHTS"
//          8     4  format version (3; 1 and 2 are still read)
//         12     4  reserved (0)
//         16     8  model version
//         24     8  payload length in bytes
//         32     8  checksum of the payload: FNV-1a 64 over its 64-bit
//                   little-endian words, the last one zero-padded, then over
//                   its length (format 1: FNV-1a 64 over its bytes)
//         40     …  payload
//
// Format 2's (and 3's) payload is columnar: a string table (the count, the total
// length, one 32-bit end offset per string, then the bytes), then for each
// collection of the model in `Model` order its item count and one bulk array
// per field: a string field is one 32-bit string index per item, a flag or
// enumerator one byte per item, a list of strings one 32-bit count per item,
// the total and the indexes, and a role's data rights the same per row plus
// eight cell bytes. Format 1's payload is the model written field by field.
//
// The header is checked before anything is deserialized: a file that is
// truncated, has bytes appended, is corrupted, is of another format version
// or is not a snapshot file at all gives a clear `kDataLoss` error (an
// unreadable one `kUnavailable`), never a crash. No count is believed before
// the bytes it stands for are in the payload, so nothing is allocated for data
// the file does not hold, and the text that format 2's shared strings expand
// to is bounded (64 times the payload plus 16 MiB; a model beyond that is
// written in format 1). Every string index, enumerator, flag and bit set is
// checked before the model is built, and a bad one is named (`users[17].role
// refers to string 90210, the string table holds 812`).
//
// **Example**:
//
//     SORIGHTS_TRY(sorights::save_snapshot_file("model.snap", model, 42));
//     auto stored = sorights::load_snapshot_file("model.snap");
//     if (stored) auto snapshot = sorights::compile(stored->model, stored->version);
#ifndef SORIGHTS_STORAGE_SNAPSHOT_FILE_HPP_
#define SORIGHTS_STORAGE_SNAPSHOT_FILE_HPP_

#include <cstdint>
#include <string>
#include <string_view>

#include "sorights/config.hpp"
#include "sorights/error.hpp"
#include "sorights/model.hpp"
#include "sorights/storage.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// The format version this build writes. It reads this one, 3, 2 and 1.
/// Format 3 is format 2 plus the `restrictive` flag of declared functional
/// rights (one byte per right after `requires_licence`); format 4 adds the
/// `names` of our companies, groups, declared rights and roles (two lists
/// per entity, the keys and the values, after its last member). Older
/// formats read `names` empty.
inline constexpr std::uint32_t kSnapshotFileFormat = 4;
/// The size of the fixed header in bytes.
inline constexpr std::size_t kSnapshotFileHeaderSize = 40;

/// Writes `model` at `version` to `path`, atomically: the data goes to
/// `path.tmp` first and is renamed over `path` once complete.
[[nodiscard]] Result<void> save_snapshot_file(const std::string& path, const Model& model,
                                              std::uint64_t version);

/// Reads a snapshot file written by `save_snapshot_file`.
[[nodiscard]] Result<StoredModel> load_snapshot_file(const std::string& path);

/// The snapshot file's bytes in memory (what `save_snapshot_file` writes).
[[nodiscard]] std::string encode_snapshot(const Model& model, std::uint64_t version);

/// Decodes bytes produced by `encode_snapshot`, with every check of
/// `load_snapshot_file`.
[[nodiscard]] Result<StoredModel> decode_snapshot(std::string_view bytes);

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_STORAGE_SNAPSHOT_FILE_HPP_
