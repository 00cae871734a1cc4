// -----------------------------------------------------------------------------
// File: storage/sqlite_store.hpp
// -----------------------------------------------------------------------------
// `sorights::SqliteStore`: the embedded default `StorageAdapter`, one SQLite
// file with a documented schema (docs/sqlite-schema.md).
//
//   * Every `apply()` is one SQLite transaction (`BEGIN IMMEDIATE`): it checks
//     the stored version against `base_version` (`kConflict` otherwise), writes
//     only the rows of the entities that change, bumps the version and appends
//     the audit entry. A process killed at any moment leaves the store at the
//     old or the new version, never between (WAL journal,
//     `synchronous=FULL`).
//   * Opening a store of an older schema migrates it, step by step, in one
//     transaction; a store of a newer schema is refused (`kUnavailable`).
//   * Errors name what failed: `kUnavailable` when the file cannot be opened,
//     read or written (or is locked), `kDataLoss` when it is not a sorights
//     store or a row breaks the schema (the table and row are named).
//   * Tamper evidence (optional): with `SqliteStoreOptions::integrity_key`,
//     every model row carries an HMAC-SHA-256 and the store a seal bound to
//     its version; `load()` refuses a store whose rows were edited, added or
//     deleted behind sorights' back (`kDataLoss`, naming the table and row),
//     and `apply()` keeps the seal in the same transaction
//     (docs/design/0003-integrity.md). The audit trail is a chain of MACs
//     whose head the seal holds, and a signed store refuses to open without
//     its key (docs/design/0009-tamper-evidence.md).
//   * With or without a key, a store whose schema holds an object sorights
//     did not create (a trigger, a view, another table or index) is refused
//     (`kDataLoss`, naming the object).
//
// Not thread-safe: one connection, used by one directory at a time (the
// `StorageAdapter` contract). Several processes may open the same file; their
// commits are serialized by SQLite and checked by version.
//
// **Example**:
//
//     auto store = sorights::SqliteStore::open("sorights.db", {.create = true});
//     if (!store) { std::cerr << store.error().message; return 2; }
//     auto stored = (*store)->load();
#ifndef SORIGHTS_STORAGE_SQLITE_STORE_HPP_
#define SORIGHTS_STORAGE_SQLITE_STORE_HPP_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "sorights/config.hpp"
#include "sorights/error.hpp"
#include "sorights/storage.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// Options of `SqliteStore::open`.
struct SqliteStoreOptions {
  /// Create the file (and a store at version 0 holding the predefined roles)
  /// when it does not exist. Without it a missing file is `kNotFound`.
  bool create = false;
  /// Open for reading only (`SQLITE_OPEN_READONLY`): nothing in the file is
  /// ever written and no store is created (`create` must be false). When the
  /// file's directory is not writable (and no `-wal` file holds commits) the
  /// file is opened `immutable`, so SQLite needs no `-wal`/`-shm` files
  /// beside it. A write (`apply`, `append_audit`, `seal`) is
  /// `kFailedPrecondition`, naming the store as read-only; an older schema,
  /// which would need migrating, is `kFailedPrecondition` too.
  ///
  /// Without it, a store the process may not write is refused at `open`
  /// (`kFailedPrecondition`, "read-only") instead of failing at the first
  /// write, and an empty or foreign file is refused before SQLite touches it.
  bool read_only = false;
  /// Milliseconds to wait for another process's lock before `kUnavailable`.
  int busy_timeout_ms = 5000;
  /// When positive, `subscribe()` watches the file for commits made by other
  /// connections (other processes, other stores) every this many
  /// milliseconds, on a thread of its own, and announces the new version.
  /// 0 (the default): `subscribe()` does nothing, and a directory sees outside
  /// changes at `refresh()` or as a conflict at commit.
  int watch_interval_ms = 0;
  /// The host's secret key for the keyed integrity check (tamper evidence),
  /// as raw bytes, at least 16 of them (32 random bytes recommended). Empty
  /// (the default): no MAC is checked, and an unsealed store behaves as
  /// without the feature; a sealed ("signed") store is refused at `open()`
  /// (`kFailedPrecondition`). The schema check (no trigger, view or other
  /// object sorights did not create) runs with or without a key.
  ///
  /// With a key: a store created with it is sealed from the start;
  /// `load()` (and `audit()`, `verify()`) checks every row of the model
  /// against its MAC, every audit entry against the audit chain, and the
  /// whole store against its seal, and refuses a store that was changed
  /// behind sorights' back (`kDataLoss`, naming the table and row, or the
  /// audit row's seq), sealed with another key, or never sealed
  /// (`kFailedPrecondition`; see `seal()`); `apply()` and `append_audit()`
  /// check the seal and extend it in their own transaction. Without a key, a
  /// sealed ("signed") store is refused at `open()` (`kFailedPrecondition`).
  /// The store keeps the key only inside its OpenSSL context and wipes the
  /// copy of its options.
  std::string integrity_key{};
  /// Test hook: called inside `apply()`'s transaction after the rows of
  /// change number `i` are written (before the commit). Crash tests use it to
  /// kill the process mid-transaction. Leave empty in production.
  std::function<void(std::size_t i)> on_change_written{};
};

/// The schema version this build writes (docs/sqlite-schema.md).
inline constexpr int kSqliteSchemaVersion = 3;

/// A `StorageAdapter` over one SQLite file.
class SqliteStore final : public StorageAdapter {
 public:
  /// Opens (and, with `options.create`, creates) the store at `path`,
  /// migrating an older schema.
  [[nodiscard]] static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                                 SqliteStoreOptions options = {});
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  [[nodiscard]] Result<StoredModel> load() override;
  [[nodiscard]] Result<void> apply(const ChangeSet& changes) override;
  [[nodiscard]] Result<std::uint64_t> version() override;
  [[nodiscard]] Result<void> append_audit(const AuditEntry& entry) override;
  [[nodiscard]] Result<std::vector<AuditEntry>> audit(const AuditQuery& query) override;
  /// With `SqliteStoreOptions::watch_interval_ms` set, calls `on_change(v)`
  /// from a watcher thread whenever the stored version changes to `v`
  /// (including by this store's own commits; a directory ignores those).
  /// The watcher stops when the store is destroyed.
  void subscribe(std::function<void(std::uint64_t)> on_change) override;

  /// Seals the store's current content with `SqliteStoreOptions::integrity_key`
  /// at its current version, replacing any seal it holds, in one transaction.
  /// This trusts what is stored: call it once, to adopt a store that was made
  /// without a key (or to change keys, after a `load()` with the old key has
  /// passed), never as an automatic answer to a failed check.
  /// `kFailedPrecondition` without a key, or when the store holds a trigger.
  [[nodiscard]] Result<void> seal();

  /// Checks the whole store on demand, in one read transaction: the schema
  /// objects; with a key every row MAC, the table digests, the audit chain
  /// and the seal; then that every model row and every audit entry decodes.
  /// The first bad item is named (table and row key, audit row seq, or
  /// schema object); the codes are `load()`'s.
  [[nodiscard]] Result<void> verify();

  /// The schema version of the open file (after migration: the current one).
  [[nodiscard]] int schema_version() const noexcept;
  /// The path the store was opened with.
  [[nodiscard]] const std::string& path() const noexcept;

 private:
  struct Impl;
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_STORAGE_SQLITE_STORE_HPP_
