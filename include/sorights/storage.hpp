// -----------------------------------------------------------------------------
// File: storage.hpp
// -----------------------------------------------------------------------------
// `sorights::StorageAdapter`: where a `Directory` keeps the user model. Hosts
// implement it over their own database; sorights ships an in-memory adapter
// (here) and SQLite (sorights/storage/sqlite_store.hpp, the embedded default).
//
// The contract, in short (docs/storage-adapters.md has a worked example):
//   * `load()` returns the whole model and its version;
//   * `apply(changes)` writes one committed change set atomically — all of it
//     or nothing — and fails with `ErrorCode::kConflict` if the stored version
//     is not `changes.base_version` (someone else committed first);
//   * `version()` reports the stored version;
//   * `append_audit` / `audit` keep the audit trail (refused commits too);
//   * `subscribe` optionally notifies of changes made by someone else;
//   * `lend` (optional) lets `Directory::open` take the model without a copy.
// A failing adapter never leaves the directory half-updated: the directory
// keeps publishing the old snapshot and the error reaches the caller.
//
// Adapters are called by one directory at a time under its commit lock; they
// need not be thread-safe unless shared between directories. They must not
// throw; a throwing adapter is caught at the call site (when exceptions are
// enabled) and reported as `ErrorCode::kInternal`.
#ifndef SORIGHTS_STORAGE_HPP_
#define SORIGHTS_STORAGE_HPP_

#include <concepts>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "sorights/config.hpp"
#include "sorights/detail/huge_pages.hpp"
#include "sorights/error.hpp"
#include "sorights/model.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// The kinds of entity a change touches. Field rights and overrides have no
/// ids of their own: a change replaces the whole list (`id` is empty).
enum class EntityKind : std::uint8_t {
  kOurCompany = 0,
  kGroup = 1,
  kLicence = 2,
  kPlan = 3,
  kFunctionalRight = 4,
  kObject = 5,
  kRole = 6,
  kUser = 7,
  kFieldRights = 8,
  kOverrides = 9,
};
inline constexpr std::array<std::string_view, 10> kEntityKindNames = {
    "our_company", "group", "licence", "plan",        "functional_right",
    "object",      "role",  "user",    "field_rights", "overrides"};

/// Each kind in words, for people ("functional right"), as the command line
/// and the console name it.
inline constexpr std::array<std::string_view, 10> kEntityKindWords = {
    "company", "group", "licence", "plan",         "functional right",
    "object",  "role",  "user",    "field rights", "overrides"};

/// The kind in words (`kEntityKindWords`); "entity" for a value outside the
/// enumeration. Total, no allocation.
[[nodiscard]] constexpr std::string_view entity_kind_word(EntityKind k) noexcept {
  const auto i = static_cast<std::size_t>(k);
  return i < kEntityKindWords.size() ? kEntityKindWords[i] : std::string_view("entity");
}

/// One entity's value, whatever its kind.
using Entity = std::variant<OurCompany, Group, Licence, Plan, FunctionalRightDef, DataObjectDef, Role,
                            User, std::vector<FieldRightRule>, std::vector<Override>>;

/// An entity value of a `Change`, or none: immutable and shared, so that the
/// copies of a change list (the commit's result, the audit trail, the change
/// set an adapter is handed) share one value per entity instead of copying
/// it. Reads like `std::optional<Entity>`: test it, dereference it. Making
/// one from a value copies (or moves) the value once; copying one costs a
/// reference count. Thread-safe as `std::shared_ptr<const Entity>` is.
class SharedEntity {
 public:
  SharedEntity() noexcept = default;
  SharedEntity(std::nullopt_t) noexcept {}  // NOLINT(google-explicit-constructor): reads as optional's
  /// Any value an `Entity` can be made from (a `User`, a `Group`, an `Entity`).
  template <class T>
    requires(!std::same_as<std::remove_cvref_t<T>, SharedEntity> &&
             !std::same_as<std::remove_cvref_t<T>, std::nullopt_t> && std::constructible_from<Entity, T &&>)
  SharedEntity(T&& value)  // NOLINT(google-explicit-constructor)
      : value_(std::make_shared<const Entity>(std::forward<T>(value))) {}
  /// Shares a value someone already owns; null makes none. With an aliasing
  /// pointer, many values can share one allocation and one reference count
  /// (the values of a commit's change list do).
  explicit SharedEntity(std::shared_ptr<const Entity> value) noexcept : value_(std::move(value)) {}

  [[nodiscard]] bool has_value() const noexcept { return value_ != nullptr; }
  explicit operator bool() const noexcept { return value_ != nullptr; }
  /// The value; only when `has_value()`.
  [[nodiscard]] const Entity& operator*() const noexcept { return *value_; }
  [[nodiscard]] const Entity* operator->() const noexcept { return value_.get(); }
  void reset() noexcept { value_.reset(); }

  /// Equal values (both none, the same shared value, or equal entities).
  friend bool operator==(const SharedEntity& a, const SharedEntity& b) {
    return a.value_ == b.value_ || (a.value_ && b.value_ && *a.value_ == *b.value_);
  }

 private:
  std::shared_ptr<const Entity> value_;
};

/// One changed entity: absent `before` = added, absent `after` = removed.
/// Copying a change shares its values (`SharedEntity`).
struct Change {
  EntityKind kind = EntityKind::kUser;
  std::string id{};
  SharedEntity before{};
  SharedEntity after{};
  friend bool operator==(const Change&, const Change&) = default;
};

/// Everything one commit changes.
struct ChangeSet {
  std::uint64_t base_version = 0;  ///< the version the changes were made against
  std::uint64_t version = 0;       ///< the version they produce (base + 1)
  Time time = 0;                   ///< commit time, seconds since the epoch
  std::string actor{};               ///< user id; empty = the built-in system actor
  std::vector<Change> changes{};
};

/// One line of the audit trail: a committed change set, or a refused one.
struct AuditEntry {
  std::uint64_t version = 0;  ///< the version produced; for a refusal, the version it was tried on
  Time time = 0;
  std::string actor{};
  bool refused = false;
  std::string reason{};       ///< why it was refused (rule and item)
  std::vector<Change> changes{};
};

/// Filters for `StorageAdapter::audit`. Empty members match everything.
struct AuditQuery {
  std::string user{};   ///< entries whose actor is this user, or that change this user
  std::string role{};   ///< entries that change this role, or assign it
  Time from = kTimeMin;
  Time to = kTimeMax;
  bool include_refused = true;
};

/// A stored model and its version.
struct StoredModel {
  Model model{};
  std::uint64_t version = 0;
};

/// Where a directory keeps the model. See the file comment for the contract.
class StorageAdapter {
 public:
  virtual ~StorageAdapter() = default;

  /// Loads the whole model. A store that was never written returns
  /// `Model::with_defaults()` at version 0.
  [[nodiscard]] virtual Result<StoredModel> load() = 0;
  /// Writes one change set atomically, or nothing. Fails with `kConflict` when
  /// the stored version is not `changes.base_version`. On success the stored
  /// version is `changes.version` and the audit trail holds the entry.
  [[nodiscard]] virtual Result<void> apply(const ChangeSet& changes) = 0;
  /// The stored version.
  [[nodiscard]] virtual Result<std::uint64_t> version() = 0;
  /// Records a refused commit in the audit trail.
  [[nodiscard]] virtual Result<void> append_audit(const AuditEntry& entry) = 0;
  /// The audit trail, oldest first.
  [[nodiscard]] virtual Result<std::vector<AuditEntry>> audit(const AuditQuery& query) = 0;
  /// Calls `on_change(version)` when someone else commits. Optional: the
  /// default never calls it.
  virtual void subscribe(std::function<void(std::uint64_t)> on_change) { (void)on_change; }

  /// What `publish` returns: the published model, immutable while anyone shares it.
  using Publish = std::function<Result<std::shared_ptr<const Model>>(StoredModel&)>;
  /// `Directory::open`'s load: hands the stored model to `publish`, which
  /// compiles and publishes it. The default calls `load()` (a copy); a store
  /// that holds the model in memory may lend it instead and read the
  /// published model until its next `apply` (InMemoryStorage does).
  [[nodiscard]] virtual Result<void> lend(const Publish& publish) {
    Result<StoredModel> stored = load();
    if (!stored) return std::move(stored).error();
    Result<std::shared_ptr<const Model>> published = publish(*stored);
    if (!published) return std::move(published).error();
    return {};
  }
  /// After the `Directory` published the commit `apply` wrote at `version`:
  /// `model` is the published model at that version (immutable while anyone
  /// shares it). A store that keeps its model in memory may hold this one
  /// instead of a copy of its own (InMemoryStorage does). The default does
  /// nothing. An exception is caught by the directory and ignored.
  virtual void adopt(std::shared_ptr<const Model> model, std::uint64_t version) {
    (void)model;
    (void)version;
  }
};

namespace detail {
// Checks that every change is well formed (kind and entity agree), as
// `apply_changes` does before it changes anything. Needs no model.
[[nodiscard]] SORIGHTS_API Result<void> check_changes(const std::vector<Change>& changes);
}  // namespace detail

/// Applies `changes` to `model` in place: every `after` replaces (or adds)
/// the entity, every change without `after` removes it. Fails, changing
/// nothing, when a change names an entity of the wrong kind.
[[nodiscard]] SORIGHTS_API Result<void> apply_changes(Model& model, const std::vector<Change>& changes);

/// True if `entry` matches `query` (actor, touched user or role, time).
[[nodiscard]] SORIGHTS_API bool audit_matches(const AuditEntry& entry, const AuditQuery& query);

/// Options of an `InMemoryStorage`.
struct InMemoryStorageOptions {
  /// The most audit entries the store keeps; when a new entry would pass the
  /// bound, the oldest is dropped (0: no bound, every entry is kept). An entry
  /// holds its whole change set (an import of a million users holds every
  /// user once more), so a long-lived store should bound its trail, or use an
  /// adapter that persists it (`SqliteStore`, `PostgresStore`).
  std::size_t max_audit_entries = 0;
};

/// A store in memory: for tests, and for hosts with persistence of their own.
/// Thread-safe. Its audit trail is in memory too: unbounded unless
/// `InMemoryStorageOptions::max_audit_entries` bounds it.
class InMemoryStorage final : public StorageAdapter {
 public:
  InMemoryStorage() : stored_{Model::with_defaults(), 0} {}
  explicit InMemoryStorage(StoredModel initial, InMemoryStorageOptions options = {})
      : stored_(std::move(initial)), options_(options) {}

  [[nodiscard]] Result<StoredModel> load() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (shared_) return StoredModel{shared_model(), stored_.version};
    return stored_;
  }
  [[nodiscard]] Result<void> apply(const ChangeSet& changes) override {
    std::shared_ptr<const Model> released;  // let go of after the lock
    std::lock_guard<std::mutex> lock(mu_);
    if (changes.base_version != stored_.version)
      return Error(ErrorCode::kConflict, "stored version is " + std::to_string(stored_.version) +
                                             ", the change set was made against " +
                                             std::to_string(changes.base_version));
    // On the shared model, a change set is only recorded (its audit entry
    // holds it): the directory publishes base + changes and hands that model
    // over (`adopt`), so no copy of the model is made. Otherwise the store
    // makes its own copy.
    if (shared_ && pending_ == nullptr) {
      if (Result<void> ok = detail::check_changes(changes.changes); !ok) return ok;
      stored_.version = changes.version;
      record(AuditEntry{changes.version, changes.time, changes.actor, false, {}, copy_of(changes.changes)});
      pending_ = &audit_.back().changes;
      return {};
    }
    if (shared_) {
      stored_.model = shared_model();
      drop_pending();
      released = std::move(shared_);
    }
    Result<void> applied = apply_changes(stored_.model, changes.changes);  // all or nothing
    if (!applied) return applied;
    stored_.version = changes.version;
    record(AuditEntry{changes.version, changes.time, changes.actor, false, {}, copy_of(changes.changes)});
    return {};
  }
  [[nodiscard]] Result<std::uint64_t> version() override {
    std::lock_guard<std::mutex> lock(mu_);
    return stored_.version;
  }
  [[nodiscard]] Result<void> append_audit(const AuditEntry& entry) override {
    std::lock_guard<std::mutex> lock(mu_);
    record(entry);
    return {};
  }
  [[nodiscard]] Result<std::vector<AuditEntry>> audit(const AuditQuery& query) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<AuditEntry> out;
    for (const AuditEntry& e : audit_)
      if (audit_matches(e, query)) out.push_back(e);
    return out;
  }

  void adopt(std::shared_ptr<const Model> model, std::uint64_t version) override {
    std::shared_ptr<const Model> released;  // both let go of after the lock
    Model dropped;
    std::lock_guard<std::mutex> lock(mu_);
    if (model == nullptr || version != stored_.version) return;  // not the stored version
    if (shared_ && pending_ != nullptr) {
      released = std::exchange(shared_, std::move(model));
      drop_pending();
    } else if (!shared_) {
      dropped = std::exchange(stored_.model, Model{});
      shared_ = std::move(model);
    }
  }

 private:
  // A copy of the model at the stored version while it is shared: the shared
  // model with the recorded changes applied (checked when they were recorded).
  Model shared_model() const {
    Model m = *shared_;
    if (pending_ != nullptr) (void)apply_changes(m, *pending_);
    return m;
  }

  // The audit entry's copy of a change list (a large one on huge pages).
  static std::vector<Change> copy_of(const std::vector<Change>& changes) {
    std::vector<Change> out;
    out.reserve(changes.size());
    detail::advise_huge_pages(out);
    out.assign(changes.begin(), changes.end());
    return out;
  }

  void drop_pending() {
    pending_ = nullptr;
    evicted_ = {};
  }

  void record(AuditEntry entry) {
    audit_.push_back(std::move(entry));
    if (options_.max_audit_entries == 0 || audit_.size() <= options_.max_audit_entries) return;
    if (pending_ == &audit_.front().changes) {  // the pending changes outlive their audit entry
      evicted_ = std::move(audit_.front().changes);
      pending_ = &evicted_;
    }
    audit_.pop_front();
  }

  /// Lends the stored model without copying it: `publish` compiles and
  /// publishes it and returns the published model, which the store then reads
  /// instead of a copy of its own until the next `apply`; if `publish` fails
  /// or throws, the store keeps its model. Under the lock, so no other call
  /// sees the store without its model.
  [[nodiscard]] Result<void> lend(const Publish& publish) override {
    std::shared_ptr<const Model> released;  // let go of after the lock
    std::lock_guard<std::mutex> lock(mu_);
    StoredModel lent;
    lent.version = stored_.version;
    // Shared already (a second directory): a copy, with the changes recorded
    // since the last hand-over, which are part of the stored version.
    if (shared_) lent.model = shared_model();
    else lent.model = std::move(stored_.model);
    // `publish` is host code: whether it fails or throws, the model goes back.
    struct GiveBack {
      InMemoryStorage& store;
      StoredModel& lent;
      bool armed = true;
      ~GiveBack() {
        if (armed && !store.shared_) store.stored_.model = std::move(lent.model);
      }
    } give_back{*this, lent};
    Result<std::shared_ptr<const Model>> published = publish(lent);
    if (!published) return std::move(published).error();
    give_back.armed = false;
    stored_.model = Model{};
    released = std::exchange(shared_, std::move(published).value());
    drop_pending();  // the published model has them
    return {};
  }

  std::mutex mu_;
  StoredModel stored_;  // the model is in `shared_` instead when that is set
  std::shared_ptr<const Model> shared_;
  // With `shared_`: changes applied to it by the last `apply`, until the
  // directory hands over the published model (`adopt`). They are those of
  // the last audit entry, or in `evicted_` once the trail has dropped it.
  const std::vector<Change>* pending_ = nullptr;
  std::vector<Change> evicted_;
  InMemoryStorageOptions options_;
  std::deque<AuditEntry> audit_;
};

SORIGHTS_END_NAMESPACE

#ifdef SORIGHTS_HEADER_ONLY
#  include "sorights/storage-inl.hpp"
#endif

#endif  // SORIGHTS_STORAGE_HPP_
