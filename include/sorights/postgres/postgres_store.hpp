// -----------------------------------------------------------------------------
// File: postgres/postgres_store.hpp
// -----------------------------------------------------------------------------
// sorights on many application servers: one PostgreSQL database shared by the
// directories of every server (docs/many-servers.md).
//
//   * `PostgresStore` is the `StorageAdapter`: relational tables per entity
//     kind and their link tables, an audit log, a `schema_version` table and a
//     `meta` row holding the model version, all in one PostgreSQL schema
//     (`sorights` by default). Opening migrates an older schema step by step
//     in one transaction. Every `apply()` is one SERIALIZABLE transaction,
//     retried a bounded number of times on a serialization failure; it fails
//     with `kConflict` when the stored version is not the change set's base
//     version, and it sends `NOTIFY sorights_changes, '<version>'` inside the
//     transaction, so the notification goes out exactly when the commit does.
//   * `PostgresListener` holds its own connection, `LISTEN`s on the channel
//     and calls back with each announced version from a background thread. A
//     dropped connection (terminated backend, server restart, dead network) is
//     detected, re-established with backoff, and the stored version is read
//     again right after `LISTEN`, so a change made while it was away is never
//     missed.
//   * `PostgresStore` is a `ChangeFeed` (sorights/follower.hpp): the core's
//     `DirectoryFollower` and `snapshot_at_least` wait for its notifications.
//     `attach_listener(directory)` keeps a `Directory` on a `PostgresStore`
//     current: every announced version is republished (`Directory::refresh()`)
//     within milliseconds, from a thread of its own.
//   * Freshness tokens (sorights/follower.hpp): the version in `CommitInfo` is
//     the token; `snapshot_at_least` returns a snapshot at that version or
//     later, waiting for the notification if need be.
//
// Consistency model, in short: each directory serves the newest snapshot it
// has, which may lag the database by the propagation delay (milliseconds, or
// the reconnection time after a failure). Snapshots are always whole commits,
// in version order, never a mix. A reader that needs to see a given commit asks
// with its token (like Zanzibar's zookies); without one it gets "recent".
//
// Thread-safety: `PostgresStore` serializes its calls with a mutex (one
// connection); `PostgresListener` and `PostgresFollower` are thread-safe.
// This header does not include libpq.
//
// **Example**:
//
//     auto store = sorights::PostgresStore::open("host=db1 dbname=app user=sorights");
//     if (!store) { std::cerr << store.error().message; return 2; }
//     auto dir = sorights::Directory::open(std::move(*store));
//     auto follower = sorights::attach_listener(**dir);   // republish others' commits
//     ...
//     auto done = tx->commit();                   // on server A: token = done->version
//     auto snap = (*follower)->snapshot_at_least(token, std::chrono::seconds(2));  // on server B
#ifndef SORIGHTS_POSTGRES_POSTGRES_STORE_HPP_
#define SORIGHTS_POSTGRES_POSTGRES_STORE_HPP_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sorights/config.hpp"
#include "sorights/directory.hpp"
#include "sorights/error.hpp"
#include "sorights/follower.hpp"
#include "sorights/snapshot.hpp"
#include "sorights/storage.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// The schema version this build writes (docs/many-servers.md lists the
/// migrations).
inline constexpr int kPostgresSchemaVersion = 4;

/// The default notification channel.
inline constexpr const char* kPostgresDefaultChannel = "sorights_changes";

/// Timing of a `PostgresListener`. The defaults suit a LAN.
struct PostgresListenerOptions {
  /// The channel to `LISTEN` on; must match the store's.
  std::string channel = kPostgresDefaultChannel;
  /// The PostgreSQL schema of the store (its `meta` row is read after each
  /// (re)connection to catch up). Empty: do not read it.
  std::string schema = "sorights";
  /// Longest wait in `poll()`: how quickly `stop()` and the ping clock react.
  std::chrono::milliseconds poll_interval{100};
  /// Idle time after which the connection is checked with a query.
  std::chrono::milliseconds ping_interval{1000};
  /// A ping (or a connection attempt) unanswered for this long means the
  /// connection is dead.
  std::chrono::milliseconds ping_timeout{2000};
  /// Reconnection backoff: first delay, doubled per failure up to the maximum.
  std::chrono::milliseconds reconnect_min{20};
  std::chrono::milliseconds reconnect_max{1000};
};

/// Options of `PostgresStore::open`.
struct PostgresStoreOptions {
  /// The PostgreSQL schema (namespace) that holds the tables; created when
  /// missing. Several independent stores may share a database under different
  /// schemas (give them different `channel`s too).
  std::string schema = "sorights";
  /// The channel `apply()` notifies on.
  std::string channel = kPostgresDefaultChannel;
  /// Create the tables (and a store at version 0 holding the predefined
  /// roles) when the schema has none. Without it an empty schema is
  /// `kNotFound`.
  bool create = true;
  /// How many times `apply()` retries after a serialization failure or a
  /// lost connection before giving up with `kUnavailable`.
  int max_retries = 8;
  /// `subscribe()` starts a `PostgresListener` (a second connection) that
  /// reports other processes' commits. Off: `subscribe()` only records the
  /// callback and nothing calls it.
  bool listen = true;
  /// Timing of that listener (its `channel` and `schema` are taken from
  /// this struct's).
  PostgresListenerOptions listener{};
  /// `load()` keeps the model it returned; the next `load()` reads only the
  /// audit log's change sets since that version and applies them
  /// (`apply_changes`), instead of reading every table. It falls back to a
  /// full read whenever the log is not one gap-free run of commits (rows
  /// written by hand, a restored backup). Costs one extra copy of the model
  /// in memory. Off: every `load()` reads every table.
  bool incremental_load = true;
  /// Test hook: called inside `apply()`'s transaction just before `COMMIT` is
  /// sent, with the server process id of the store's connection (the tests
  /// terminate it to lose the COMMIT). Leave empty in production.
  std::function<void(int backend_pid)> before_commit{};
  /// Test hook: migrate no further than this schema version. A store left
  /// below `kPostgresSchemaVersion` can be loaded but not written. Leave it.
  int migrate_to = kPostgresSchemaVersion;
};

class PostgresListener;

/// A `StorageAdapter` over one PostgreSQL database.
///
/// Errors: `kUnavailable` when the server cannot be reached or a statement
/// fails (the message names the server, the operation and PostgreSQL's
/// message); `kDataLoss` when a stored row breaks the schema (table and row
/// named) or the schema is newer than this build; `kConflict` as the contract
/// says. A lost connection is re-established on the next call.
class PostgresStore final : public StorageAdapter, public ChangeFeed {
 public:
  /// Connects with the libpq `conninfo` ("host=... port=... dbname=... user=..."
  /// or a `postgresql://` URI; empty: libpq's environment defaults) and
  /// creates or migrates the schema.
  [[nodiscard]] static Result<std::unique_ptr<PostgresStore>> open(const std::string& conninfo,
                                                                   PostgresStoreOptions options = {});
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  [[nodiscard]] Result<StoredModel> load() override;
  [[nodiscard]] Result<void> apply(const ChangeSet& changes) override;
  [[nodiscard]] Result<std::uint64_t> version() override;
  [[nodiscard]] Result<void> append_audit(const AuditEntry& entry) override;
  [[nodiscard]] Result<std::vector<AuditEntry>> audit(const AuditQuery& query) override;
  /// Records `on_change` (replacing an earlier one) and, with
  /// `options.listen`, starts the listener. `on_change(version)` is called
  /// from the listener thread for every announced version, and once after
  /// each (re)connection with the stored version.
  void subscribe(std::function<void(std::uint64_t)> on_change) override;

  /// Adds one more observer of announced versions (as `subscribe`, but
  /// several may coexist) and starts the listener if it is not running.
  /// Returns an id for `unwatch`. Thread-safe.
  std::uint64_t watch(std::function<void(std::uint64_t)> on_change) override;
  /// Removes an observer. When it returns, the observer is not running and
  /// will not be called again. Thread-safe.
  void unwatch(std::uint64_t id) override;

  /// The running listener, or null (started by `subscribe` or `watch`).
  [[nodiscard]] PostgresListener* listener() noexcept;
  /// The schema version of the store (after migration: the current one).
  [[nodiscard]] int schema_version() const noexcept;
  /// The connection string given to `open`.
  [[nodiscard]] const std::string& conninfo() const noexcept;
  /// The options given to `open`.
  [[nodiscard]] const PostgresStoreOptions& options() const noexcept;
  /// How many `load()` calls were answered from the audit log
  /// (`incremental_load`) rather than by reading every table.
  [[nodiscard]] std::uint64_t incremental_loads() const noexcept;
  /// How many `apply()` attempts were retried (serialization failures and
  /// lost connections) since `open`.
  [[nodiscard]] std::uint64_t retries() const noexcept;

 private:
  struct Impl;
  explicit PostgresStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// `LISTEN`s on a channel from a background thread of its own, with its own
/// connection. Thread-safe; stops (and joins) in the destructor.
class PostgresListener {
 public:
  /// Starts listening. `on_change(version)` is called from the listener thread
  /// for every notification (the payload is the version) and, after each
  /// successful (re)connection, with the stored version read right after
  /// `LISTEN` (when `options.schema` is set). It must not block for long.
  /// Never fails on a server that is down: it keeps retrying with backoff.
  [[nodiscard]] static Result<std::unique_ptr<PostgresListener>> start(
      const std::string& conninfo, PostgresListenerOptions options,
      std::function<void(std::uint64_t)> on_change);
  ~PostgresListener();
  PostgresListener(const PostgresListener&) = delete;
  PostgresListener& operator=(const PostgresListener&) = delete;

  /// Stops the thread and closes the connection. Idempotent; after it
  /// returns `on_change` is not called again.
  void stop();
  /// True while the connection is up and `LISTEN` is in effect.
  [[nodiscard]] bool connected() const noexcept;
  /// The server process id of the listening connection; 0 when disconnected.
  [[nodiscard]] int backend_pid() const noexcept;
  /// How many times the connection was re-established after a loss.
  [[nodiscard]] std::uint64_t reconnects() const noexcept;
  /// The highest version seen (notification or catch-up read).
  [[nodiscard]] std::uint64_t last_version() const noexcept;
  /// Waits until `connected()` or `timeout`; returns `connected()`.
  bool wait_connected(std::chrono::milliseconds timeout) const;
  /// The last connection error (empty if none since the last connection).
  [[nodiscard]] std::string last_error() const;

 private:
  struct Impl;
  explicit PostgresListener(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

/// The follower `attach_listener` makes: a `DirectoryFollower` fed by the
/// store's notifications, which also shows the store's listener.
class PostgresFollower final : public DirectoryFollower {
 public:
  /// The store's listener (for its state and backend pid).
  [[nodiscard]] PostgresListener* listener() const noexcept;

 private:
  friend Result<std::unique_ptr<PostgresFollower>> attach_listener(Directory&, FollowerOptions);
  PostgresFollower(Directory& directory, PostgresStore* store, FollowerOptions options);
  PostgresStore* store_;
};

/// Attaches a follower to `directory`, whose storage must be a
/// `PostgresStore` (`kInvalidArgument` otherwise): the same as
/// `DirectoryFollower::start` with the store as the feed. The follower keeps
/// the directory alive while it runs. `snapshot_at_least(directory, ...)`
/// (sorights/follower.hpp) waits for the store's notifications too.
[[nodiscard]] Result<std::unique_ptr<PostgresFollower>> attach_listener(Directory& directory,
                                                                        FollowerOptions options = {});

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_POSTGRES_POSTGRES_STORE_HPP_
