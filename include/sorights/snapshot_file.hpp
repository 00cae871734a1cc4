// -----------------------------------------------------------------------------
// File: snapshot_file.hpp
// -----------------------------------------------------------------------------
// Snapshot files: a model and its version in one binary file, for a fast cold
// start and for backups. The payload is the `Model` written with
// Boost.Serialization's binary archive; loading it returns the model, which
// the caller compiles (`compile(model, version)`).
//
// Layout (little-endian; docs/storage-adapters.md):
//
//     offset  size  field
//          0     8  magic "SORIGHTS"
//          8     4  format version (1)
//         12     4  reserved (0)
//         16     8  model version
//         24     8  payload length in bytes
//         32     8  FNV-1a 64 checksum of the payload
//         40     …  payload
//
// The header is checked before anything is deserialized: a file that is
// truncated, has bytes appended, is corrupted, is of another format version
// or is not a snapshot file at all gives a clear `kDataLoss` error (an
// unreadable one `kUnavailable`), never a crash, and no allocation larger than
// the file itself.
//
// **Example**:
//
//     SORIGHTS_TRY(sorights::save_snapshot_file("model.snap", model, 42));
//     auto stored = sorights::load_snapshot_file("model.snap");
//     if (stored) auto snapshot = sorights::compile(stored->model, stored->version);
#ifndef SORIGHTS_SNAPSHOT_FILE_HPP_
#define SORIGHTS_SNAPSHOT_FILE_HPP_

#include <cstdint>
#include <string>
#include <string_view>

#include "sorights/config.hpp"
#include "sorights/error.hpp"
#include "sorights/model.hpp"
#include "sorights/storage.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// The format version this build writes and reads.
inline constexpr std::uint32_t kSnapshotFileFormat = 1;
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

#endif  // SORIGHTS_SNAPSHOT_FILE_HPP_
