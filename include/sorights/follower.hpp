// -----------------------------------------------------------------------------
// File: follower.hpp
// -----------------------------------------------------------------------------
// Keeping a `Directory` current with other processes' commits, and reading
// one's own writes across servers, for any storage adapter.
//
//   * `ChangeFeed` is the small interface an adapter implements to announce
//     stored versions as it learns of them: `PostgresStore` does (its
//     `LISTEN` connection, sorights/postgres/postgres_store.hpp); an adapter
//     that announces nothing is fed by a `VersionPoller`, which asks its
//     `version()` at a fixed interval (a SQLite file shared by processes, a
//     host's own store).
//   * `DirectoryFollower` republishes (`Directory::refresh()`) every version
//     its feed announces, from a thread of its own, and answers
//     `snapshot_at_least`.
//   * Freshness tokens: the version in `CommitInfo` is the token. A server
//     that must read its own (or another server's) write passes it to
//     `snapshot_at_least`, which returns a snapshot at that version or later,
//     waiting for the announcement if need be, or times out (`kUnavailable`).
//
// Each directory serves the newest snapshot it has, which may lag the store by
// the propagation delay; snapshots are whole commits in version order. A
// reader that needs a given commit asks with its token; without one it gets
// "recent".
//
// Thread-safety: `DirectoryFollower` and `VersionPoller` are thread-safe; a
// `ChangeFeed` must be. Each follower and poller owns one thread. None of
// this needs a third-party library.
//
// **Example** (any adapter):
//
//     auto feed = sorights::VersionPoller::start(dir->storage(), std::chrono::milliseconds(20));
//     auto follower = sorights::DirectoryFollower::start(*dir, *feed);
//     auto snap = (*follower)->snapshot_at_least(token, std::chrono::seconds(2));
#ifndef SORIGHTS_FOLLOWER_HPP_
#define SORIGHTS_FOLLOWER_HPP_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "sorights/config.hpp"
#include "sorights/directory.hpp"
#include "sorights/error.hpp"
#include "sorights/snapshot.hpp"
#include "sorights/storage.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// Announces stored versions to any number of observers. Implemented by an
/// adapter that learns of commits (PostgreSQL notifications) or by
/// `VersionPoller`. Implementations are thread-safe.
class ChangeFeed {
 public:
  using Observer = std::function<void(std::uint64_t version)>;
  virtual ~ChangeFeed() = default;
  /// Adds an observer, called (from any thread, never concurrently with
  /// itself) with each version announced from now on; it must not block for
  /// long. Returns an id for `unwatch`.
  virtual std::uint64_t watch(Observer on_change) = 0;
  /// Removes an observer. When it returns, the observer is not running and
  /// will not be called again.
  virtual void unwatch(std::uint64_t id) = 0;
};

/// A `ChangeFeed` for an adapter that announces nothing: a thread asks
/// `storage->version()` every `interval` and announces each new version.
/// Costs one `version()` call per interval while anyone watches.
class VersionPoller final : public ChangeFeed {
 public:
  /// Starts polling. `interval` <= 0 means 10 ms.
  [[nodiscard]] static std::shared_ptr<VersionPoller> start(std::shared_ptr<StorageAdapter> storage,
                                                            std::chrono::milliseconds interval);
  ~VersionPoller() override;
  VersionPoller(const VersionPoller&) = delete;
  VersionPoller& operator=(const VersionPoller&) = delete;

  std::uint64_t watch(Observer on_change) override;
  void unwatch(std::uint64_t id) override;
  /// Stops the thread. Idempotent.
  void stop();

 private:
  struct Impl;
  explicit VersionPoller(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

/// Options of a `DirectoryFollower`.
struct FollowerOptions {
  /// First delay before retrying a failed `refresh()`, doubled up to
  /// `retry_max`.
  std::chrono::milliseconds retry_min{10};
  std::chrono::milliseconds retry_max{1000};
  /// Safety net: how often, with no announcement at all, the follower
  /// compares the stored version anyway. Zero: never.
  std::chrono::milliseconds check_interval{std::chrono::seconds(5)};
};

/// Keeps one `Directory` republishing the versions a `ChangeFeed` announces.
/// Thread-safe; stops in the destructor. Keeps the directory and the feed
/// alive while it runs.
class DirectoryFollower {
 public:
  /// Follows `feed` on `directory` from a thread of its own.
  [[nodiscard]] static Result<std::unique_ptr<DirectoryFollower>> start(Directory& directory,
                                                                        std::shared_ptr<ChangeFeed> feed,
                                                                        FollowerOptions options = {});
  virtual ~DirectoryFollower();
  DirectoryFollower(const DirectoryFollower&) = delete;
  DirectoryFollower& operator=(const DirectoryFollower&) = delete;

  /// Returns a snapshot whose version is at least `token` (a
  /// `CommitInfo::version` from any server). Returns at once when the
  /// directory already has it; otherwise waits for the announcement and the
  /// republish (a condition variable, no polling), and asks the store itself
  /// as a fallback. `kUnavailable` after `timeout`, naming the token and the
  /// version reached.
  [[nodiscard]] Result<std::shared_ptr<const Snapshot>> snapshot_at_least(std::uint64_t token,
                                                                          std::chrono::milliseconds timeout);
  /// Waits until the directory's version is at least `version`; returns
  /// whether it got there before `timeout`.
  bool wait_for(std::uint64_t version, std::chrono::milliseconds timeout);
  /// The highest version announced so far.
  [[nodiscard]] std::uint64_t announced() const noexcept;
  /// How many successful `refresh()` calls published something new.
  [[nodiscard]] std::uint64_t republished() const noexcept;
  /// The last refresh error, if the last refresh failed; empty otherwise.
  [[nodiscard]] std::string last_error() const;
  /// The feed followed.
  [[nodiscard]] ChangeFeed& feed() const noexcept;
  /// Stops following. Idempotent.
  void stop();

 protected:
  /// What `start` does, for an adapter's own follower type
  /// (`PostgresFollower`).
  DirectoryFollower(Directory& directory, std::shared_ptr<ChangeFeed> feed, FollowerOptions options);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

/// Returns a snapshot of `directory` at version `token` or later, for any
/// adapter. When the storage is a `ChangeFeed` it waits for its
/// announcements (a condition variable); otherwise it calls `refresh()` with a
/// growing pause (1 ms to 50 ms). `kUnavailable` after `timeout`.
[[nodiscard]] Result<std::shared_ptr<const Snapshot>> snapshot_at_least(Directory& directory, std::uint64_t token,
                                                                        std::chrono::milliseconds timeout);

SORIGHTS_END_NAMESPACE

#ifdef SORIGHTS_HEADER_ONLY
#  include "sorights/follower-inl.hpp"
#endif

#endif  // SORIGHTS_FOLLOWER_HPP_
