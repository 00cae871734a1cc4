// -----------------------------------------------------------------------------
// File: directory.hpp
// -----------------------------------------------------------------------------
// `sorights::Directory` owns the published user model — the current `Model`,
// its compiled `Snapshot` and their version — and the `StorageAdapter` that
// keeps it. `sorights::Transaction` is the mutable side: an actor stages edits,
// `commit()` checks every rule at once, writes the change set through the
// adapter atomically, records it in the audit trail and publishes a new
// snapshot with one atomic pointer swap; `rollback()` drops the staged edits
// (the Users screen's Save / Cancel).
//
// Readers never lock: `snapshot()` hands out a `shared_ptr` to an immutable
// state; a reader that holds it keeps one consistent view, however many
// commits happen meanwhile. Each publish carries a strictly greater version.
//
// Authorization (docs/rules.md §11, §12) is judged at commit on what
// actually changes, entity by entity: an entity identical to the stored one is
// no change and needs no right. Refused commits are recorded in the audit
// trail too. The rules, the conflict policy and the audit trail are described
// in docs/transactions.md.
//
// **Example**:
//
//     auto dir = sorights::Directory::open(std::make_shared<sorights::InMemoryStorage>());
//     if (!dir) return fail(dir.error());
//     auto tx = (*dir)->begin("alice");          // alice acts; she needs admin-users
//     if (!tx) return fail(tx.error());
//     SORIGHTS_TRY(tx->set_user_role("bob", "level-3"));
//     SORIGHTS_TRY(tx->set_user_groups("bob", "sales", {"support"}));
//     auto done = tx->commit();                  // every rule checked here
//     if (!done) return fail(done.error());      // e.g. permission-denied, names rule + item
//     auto snap = (*dir)->snapshot();            // version done->version
//
// Thread-safety: `Directory` is thread-safe (readers lock-free, commits
// serialized by a commit mutex). A `Transaction` is used by one thread at a
// time; different transactions may be used and committed from different
// threads concurrently.
#ifndef SORIGHTS_DIRECTORY_HPP_
#define SORIGHTS_DIRECTORY_HPP_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "sorights/config.hpp"
#include "sorights/error.hpp"
#include "sorights/model.hpp"
#include "sorights/rights.hpp"
#include "sorights/snapshot.hpp"
#include "sorights/storage.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE

class Directory;
class Transaction;

/// What happens to a moved user's existing activities and sales
/// (`Transaction::move_user`). sorights does not own the host's records: the
/// choice is handed back in `CommitInfo::moves` for the host to carry out.
enum class MoveRecords : std::uint8_t {
  kLeave = 0,     ///< leave every record with the source company
  kMoveAll = 1,   ///< move every record to the target company
  kMoveFrom = 2,  ///< move the records dated on or after `UserMove::from`
};

/// One user moved between our companies, with the records choice.
struct UserMove {
  std::string user{};
  std::string from_company{};
  std::string to_company{};
  MoveRecords records = MoveRecords::kLeave;
  Time from = 0;  ///< with `kMoveFrom`: the first date (seconds since the epoch) moved
  friend bool operator==(const UserMove&, const UserMove&) = default;
};

/// The result of a successful `Transaction::commit()`.
struct CommitInfo {
  /// The version published (and stored). When the transaction changed
  /// nothing, the current version: an empty commit writes, records and
  /// publishes nothing.
  std::uint64_t version = 0;
  Time time = 0;
  /// What was committed, entity by entity, with before and after.
  std::vector<Change> changes{};
  /// Users moved between our companies, for the host to move their records.
  std::vector<UserMove> moves{};
};

/// Options for `Directory::open`.
struct DirectoryOptions {
  /// The commit clock (seconds since the epoch). Empty: the system clock.
  std::function<Time()> clock{};
};

namespace detail {

// A shared_ptr that one writer at a time republishes and any number of
// readers copy without locks (left-right with two slots). A reader announces
// itself on the slot it found current, re-checks that the slot is still
// current, copies the shared_ptr and leaves; the writer fills the other slot
// only once no reader is on it, then flips `current_`. Readers never block;
// a reader retries only when a publish lands between its two loads. The
// writer waits at most for readers that are copying one shared_ptr.
//
// Used instead of std::atomic<std::shared_ptr>: libstdc++ 12 implements that
// with a lock bit whose unlock in load() is relaxed, a data race ThreadSanitizer
// reports (the concurrency test runs under TSan).
//
// INVARIANT: `slots_[current_]` is never written; `slots_[1 - current_]` is
// written only by `store` after `readers_[1 - current_]` was seen at 0.
template <class T>
class PublishedPtr {
 public:
  /// The current value. Lock-free; safe from any thread.
  [[nodiscard]] std::shared_ptr<const T> load() const noexcept {
    for (;;) {
      const unsigned i = current_.load(std::memory_order_seq_cst);
      readers_[i].n.fetch_add(1, std::memory_order_seq_cst);
      if (current_.load(std::memory_order_seq_cst) == i) {
        std::shared_ptr<const T> p = slots_[i];
        readers_[i].n.fetch_sub(1, std::memory_order_seq_cst);
        return p;
      }
      readers_[i].n.fetch_sub(1, std::memory_order_seq_cst);
    }
  }
  /// Takes the value published before the current one out of its slot (the
  /// slot is left empty until the next `store`), so that it dies as soon as
  /// nobody else holds it. Writer only, under the same serialization as
  /// `store`.
  [[nodiscard]] std::shared_ptr<const T> take_previous() noexcept {
    const unsigned prev = 1u - current_.load(std::memory_order_relaxed);
    while (readers_[prev].n.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
    return std::exchange(slots_[prev], nullptr);
  }
  /// Publishes `p`. Callers serialize stores (the directory's commit mutex).
  void store(std::shared_ptr<const T> p) noexcept {
    const unsigned next = 1u - current_.load(std::memory_order_relaxed);
    while (readers_[next].n.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
    std::shared_ptr<const T> old = std::exchange(slots_[next], std::move(p));
    current_.store(next, std::memory_order_seq_cst);
    // `old` (two publishes ago) is released here, outside the readers' way.
  }

 private:
  struct alignas(64) Counter {
    std::atomic<std::uint32_t> n{0};
  };
  std::atomic<unsigned> current_{0};
  mutable Counter readers_[2];
  std::shared_ptr<const T> slots_[2];
};

}  // namespace detail

/// One published state of a directory: a model, its compiled snapshot and
/// their version. Immutable once published.
// INVARIANT: `snapshot` answers every query as `compile(model, version)` does,
// and user index i is `model.users[i]` (a commit that edits users in place
// patches the previous snapshot instead of compiling: see
// docs/design/0004-incremental-commit.md).
struct DirectoryState {
  Model model;
  Snapshot snapshot;
  std::uint64_t version = 0;
};

namespace detail {
// Where a published state goes when its last holder lets go of it (the
// deleter of every state a directory publishes): kept as the spare, its
// snapshot freed, so that the next in-place commit can bring its model up to
// date instead of copying the whole model. The deleter runs in the thread that
// dropped the last reference, after everything that thread did with the state,
// and hands it over under `mu`: the commit that takes it then owns it alone.
struct StateRecycler {
  std::mutex mu;
  std::unique_ptr<DirectoryState> spare;
};
}  // namespace detail

/// A set of staged edits made by one actor against one published state.
/// Nothing is visible to anyone else until `commit()`.
///
/// Edits return an immediate error only for structural problems: an id that
/// names nothing (`kNotFound`), an id that already exists where a new one is
/// wanted (`kAlreadyExists`), a malformed argument (`kInvalidArgument`). Every
/// rule of the model and every authorization rule is checked at `commit()`,
/// which reports all violations at once.
///
/// A failed edit leaves the staged model unchanged. A failed `commit()`
/// (refused, conflict, adapter error) keeps the staged edits: fix and commit
/// again, or `rollback()`. After a successful `commit()` and after
/// `rollback()` the transaction starts over from the directory's current state
/// with nothing staged, so it may be reused.
///
/// Move-only. Keeps its directory alive.
class Transaction {
 public:
  Transaction(Transaction&&) noexcept = default;
  Transaction& operator=(Transaction&&) noexcept = default;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() = default;

  // -- Users -----------------------------------------------------------------

  /// Adds a new user; `kAlreadyExists` if the id is taken.
  [[nodiscard]] SORIGHTS_API Result<void> add_user(User user);
  /// Adds `user`, or replaces the user with its id whole.
  [[nodiscard]] SORIGHTS_API Result<void> put_user(User user);
  /// Edits user `id` in place. `edit` must not change the id (`kInvalidArgument`).
  [[nodiscard]] SORIGHTS_API Result<void> edit_user(std::string_view id,
                                                    const std::function<void(User&)>& edit);
  /// Assigns `role` (which must exist in the staged model) to `user`.
  [[nodiscard]] SORIGHTS_API Result<void> set_user_role(std::string_view user, std::string_view role);
  /// Sets the primary group and the other groups (each must exist).
  [[nodiscard]] SORIGHTS_API Result<void> set_user_groups(std::string_view user, std::string primary,
                                                          std::vector<std::string> others);
  /// Sets the user plan; empty for none.
  [[nodiscard]] SORIGHTS_API Result<void> set_user_plan(std::string_view user, std::string plan);
  /// Sets the user licences assigned directly (besides the plan's).
  [[nodiscard]] SORIGHTS_API Result<void> set_user_licences(std::string_view user,
                                                            std::vector<std::string> licences);
  /// Turns the user's login on or off.
  [[nodiscard]] SORIGHTS_API Result<void> set_can_log_in(std::string_view user, bool can_log_in);
  /// Moves `user` to another of our companies (which must exist). `records`
  /// (and `from` with `kMoveFrom`) is reported in `CommitInfo::moves`.
  [[nodiscard]] SORIGHTS_API Result<void> move_user(std::string_view user, std::string_view company,
                                                    MoveRecords records = MoveRecords::kLeave,
                                                    Time from = 0);
  /// Marks the user a former employee: the plan is removed and login turned
  /// off; the user keeps its records (the reference model (docs/rules.md, "Reference")).
  [[nodiscard]] SORIGHTS_API Result<void> mark_former_employee(std::string_view user);
  /// Retires the user (`associate.deleted = 1`): no rights, login off, plan
  /// and licences freed. The user stays in the model and keeps its records.
  [[nodiscard]] SORIGHTS_API Result<void> retire_user(std::string_view user);
  /// Removes the user from the model. Records outlive users (they classify as
  /// "other associates"); overrides at the user's level must go too, or the
  /// commit fails naming them.
  [[nodiscard]] SORIGHTS_API Result<void> delete_user(std::string_view user);

  // -- Roles -----------------------------------------------------------------

  /// Creates a role; `kAlreadyExists` if the id is taken.
  [[nodiscard]] SORIGHTS_API Result<void> create_role(Role role);
  /// Creates role `id` named `name` with the type, cells and functional
  /// rights of role `from` ("Copy rights from").
  [[nodiscard]] SORIGHTS_API Result<void> copy_role(std::string_view from, std::string id,
                                                    std::string name);
  /// Changes a role's name and description.
  [[nodiscard]] SORIGHTS_API Result<void> rename_role(std::string_view id, std::string name,
                                                      std::string description);
  /// Creates `role`, or replaces the role with its id whole.
  [[nodiscard]] SORIGHTS_API Result<void> put_role(Role role);
  /// Deletes role `id`, first assigning its users `replacement` (which must
  /// exist, differ from `id`, and have the same type). Deletes are soft: see
  /// `Directory::deleted_roles`.
  [[nodiscard]] SORIGHTS_API Result<void> delete_role(std::string_view id,
                                                      std::string_view replacement);
  /// Sets one data-rights cell (only C/R/U/D are kept). The object must be
  /// built-in or registered (`kNotFound`).
  [[nodiscard]] SORIGHTS_API Result<void> set_data_right(std::string_view role, std::string_view object,
                                                         Relation relation, TableRights rights);
  /// Replaces the role's functional rights whole.
  [[nodiscard]] SORIGHTS_API Result<void> set_functional_rights(std::string_view role,
                                                                std::vector<std::string> rights);
  /// Adds one functional right to a role (no-op if held).
  [[nodiscard]] SORIGHTS_API Result<void> grant_right(std::string_view role, std::string_view right);
  /// Removes one functional right from a role (no-op if not held).
  [[nodiscard]] SORIGHTS_API Result<void> revoke_right(std::string_view role, std::string_view right);

  // -- Lists -----------------------------------------------------------------
  // `put_*` adds the entity or replaces the one with its id whole; `remove_*`
  // removes it (`kNotFound` if absent).

  [[nodiscard]] SORIGHTS_API Result<void> put_our_company(OurCompany company);
  [[nodiscard]] SORIGHTS_API Result<void> remove_our_company(std::string_view id);
  [[nodiscard]] SORIGHTS_API Result<void> put_group(Group group);
  [[nodiscard]] SORIGHTS_API Result<void> remove_group(std::string_view id);
  [[nodiscard]] SORIGHTS_API Result<void> put_licence(Licence licence);
  [[nodiscard]] SORIGHTS_API Result<void> remove_licence(std::string_view id);
  [[nodiscard]] SORIGHTS_API Result<void> put_plan(Plan plan);
  [[nodiscard]] SORIGHTS_API Result<void> remove_plan(std::string_view id);
  /// Declares (or replaces) a host functional right. Built-in ids are refused
  /// at commit by the model rules.
  [[nodiscard]] SORIGHTS_API Result<void> put_functional_right(FunctionalRightDef right);
  [[nodiscard]] SORIGHTS_API Result<void> remove_functional_right(std::string_view id);
  /// Registers (or replaces) a custom data object.
  [[nodiscard]] SORIGHTS_API Result<void> put_object(DataObjectDef object);
  [[nodiscard]] SORIGHTS_API Result<void> remove_object(std::string_view id);
  /// Replaces the field-right rules whole.
  [[nodiscard]] SORIGHTS_API Result<void> set_field_rights(std::vector<FieldRightRule> rules);
  /// Replaces the overrides whole.
  [[nodiscard]] SORIGHTS_API Result<void> set_overrides(std::vector<Override> overrides);

  // -- The whole model --------------------------------------------------------

  /// Stages `model` as the whole new model (model-file import, `import
  /// --replace`). The commit diffs it against the base entity by entity, so
  /// only what differs is authorized, recorded and written. Any record moves
  /// staged earlier are dropped.
  [[nodiscard]] SORIGHTS_API Result<void> stage_model(Model model);

  // -- Inspection -------------------------------------------------------------

  /// The staged model: the base with every edit so far. (Edits of users,
  /// roles and groups are kept apart until something needs the whole model;
  /// the first call after such edits copies the base model.)
  [[nodiscard]] SORIGHTS_API const Model& staged() const;
  /// The model the edits were made against (the published state at `begin`).
  [[nodiscard]] const Model& base() const noexcept { return base_->model; }
  /// The version of `base()`.
  [[nodiscard]] std::uint64_t base_version() const noexcept { return base_->version; }
  /// The actor: a user id, or empty for the built-in system actor.
  [[nodiscard]] const std::string& actor() const noexcept { return actor_; }
  /// Compiles the staged model (model rules only, not authorization) into a
  /// snapshot visible only to the caller, at version `base_version() + 1`.
  [[nodiscard]] SORIGHTS_API Result<Snapshot> preview() const;
  /// The staged changes, entity by entity, against the base: what `commit()`
  /// would write. Entities identical to the base are not listed.
  [[nodiscard]] SORIGHTS_API std::vector<Change> changes() const;
  /// True if `changes()` is not empty.
  [[nodiscard]] SORIGHTS_API bool has_changes() const;

  // -- Save / Cancel ----------------------------------------------------------

  /// Checks every rule, writes the change set through the adapter, records it
  /// in the audit trail and publishes one new snapshot; or changes nothing and
  /// returns the error (a refusal is recorded in the audit trail as well).
  ///
  /// Errors: `kPermissionDenied` (an authorization rule; the diagnostics name
  /// the rule and item), `kFailedPrecondition` (a model rule; every violation
  /// listed), `kConflict` (another commit changed an entity this transaction
  /// touches since `begin`; or the store moved under the directory), an
  /// adapter's own error. Serialized with every other commit of the directory.
  [[nodiscard]] SORIGHTS_API Result<CommitInfo> commit();
  /// Drops every staged edit and starts over from the directory's current
  /// published state.
  SORIGHTS_API void rollback();

 private:
  friend class Directory;
  Transaction(std::shared_ptr<Directory> dir, std::shared_ptr<const DirectoryState> base,
              std::string actor);
  void rebase();
  Model& stage();  // the staged model, copied from the base on first edit
  // The staged user `id` for an edit in place, or null. Without a staged
  // model the user is copied into `user_edits_` (no model copy).
  User* edit_target(std::string_view id);
  // The staged roles and groups, for edits: the staged model's, else copies
  // of the base's (small collections; no model copy).
  std::vector<Role>& staged_roles();
  std::vector<Group>& staged_groups();
  Role* staged_role(std::string_view id);
  // The staged role or group `id`, or null.
  [[nodiscard]] const Role* find_role(std::string_view id) const;
  [[nodiscard]] const Group* find_group(std::string_view id) const;
  // Whether a user `id` is staged.
  [[nodiscard]] bool has_user(std::string_view id) const;
  // Whether edits are kept apart from a staged model.
  [[nodiscard]] bool overlay() const noexcept {
    return !user_edits_.empty() || !user_adds_.empty() || roles_ || groups_;
  }
  // The model edits are checked against for everything but users, roles and
  // groups: the staged one, or the base (the overlay changes nothing else).
  [[nodiscard]] const Model& view() const noexcept { return staged_ ? *staged_ : base_->model; }
  // The staged changes; duplicate ids go to `dups` (only a staged model can
  // hold them).
  [[nodiscard]] std::vector<Change> staged_changes(std::vector<Diagnostic>* dups) const;

  struct UserEdit {
    std::size_t position;  // in base_->model.users
    User user;
  };

  std::shared_ptr<Directory> dir_;
  std::shared_ptr<const DirectoryState> base_;
  std::string actor_;
  // Either an overlay on the base (edits of existing users in place, new
  // users, and the roles and groups when edited: the commits an
  // administrator makes most, O(edited entities)), or a whole staged model
  // (any other edit). INVARIANT: when `staged_` holds a model the overlay is
  // empty.
  mutable std::vector<UserEdit> user_edits_;
  mutable std::vector<User> user_adds_;  // new users, in the order added
  mutable std::optional<std::vector<Role>> roles_;
  mutable std::optional<std::vector<Group>> groups_;
  mutable std::optional<Model> staged_;  // empty: nothing staged (the base as is)
  std::vector<UserMove> moves_;
};

/// The published user model and the storage behind it. Create with `open`.
class Directory : public std::enable_shared_from_this<Directory> {
 public:
  /// Loads the model from `storage`, compiles it and publishes it at the
  /// stored version. Fails with the adapter's error, or `kFailedPrecondition`
  /// if the stored model breaks a rule (the diagnostics list them).
  [[nodiscard]] SORIGHTS_API static Result<std::shared_ptr<Directory>> open(
      std::shared_ptr<StorageAdapter> storage, DirectoryOptions options = {});

  Directory(const Directory&) = delete;
  Directory& operator=(const Directory&) = delete;
  ~Directory() = default;

  /// The current snapshot. Lock-free; the snapshot stays whole and unchanged
  /// for as long as the caller holds it.
  [[nodiscard]] std::shared_ptr<const Snapshot> snapshot() const noexcept {
    std::shared_ptr<const DirectoryState> s = state_.load();
    return std::shared_ptr<const Snapshot>(s, &s->snapshot);
  }
  /// The model of the current snapshot. Lock-free. (Two calls may see two
  /// different publishes; use `state()` for a matching pair.)
  [[nodiscard]] std::shared_ptr<const Model> model() const noexcept {
    std::shared_ptr<const DirectoryState> s = state_.load();
    return std::shared_ptr<const Model>(s, &s->model);
  }
  /// The current model, snapshot and version together, from one publish.
  [[nodiscard]] std::shared_ptr<const DirectoryState> state() const noexcept {
    return state_.load();
  }
  /// The current version. Strictly increasing per publish.
  [[nodiscard]] std::uint64_t version() const noexcept {
    return state_.load()->version;
  }

  /// Opens a transaction acting as `actor`, a user id of the current model;
  /// empty for the built-in system actor (may do everything). Refused with
  /// `kNotFound` for an unknown actor and `kPermissionDenied` for an inactive
  /// one (retired, former employee, login off, resource); both refusals are
  /// recorded in the audit trail. Picks up outside changes first when the
  /// adapter announced some.
  [[nodiscard]] SORIGHTS_API Result<Transaction> begin(std::string_view actor = {});

  /// The audit trail through the adapter, oldest first.
  [[nodiscard]] SORIGHTS_API Result<std::vector<AuditEntry>> audit(const AuditQuery& query = {}) const;

  /// Roles deleted (soft) and not re-created since, each as it was when
  /// deleted, read back from the audit trail.
  [[nodiscard]] SORIGHTS_API Result<std::vector<Role>> deleted_roles() const;

  /// Reloads from storage (changes made by someone else) and publishes the
  /// stored state if its version differs. `kDataLoss` if the stored version
  /// went backwards; the adapter's error if it fails (nothing changes).
  [[nodiscard]] SORIGHTS_API Result<void> refresh();

  /// The adapter.
  [[nodiscard]] const std::shared_ptr<StorageAdapter>& storage() const noexcept { return storage_; }

 private:
  friend class Transaction;
  struct PrivateTag {};

 public:
  // Public for make_shared only; use `open`.
  Directory(PrivateTag, std::shared_ptr<StorageAdapter> storage, DirectoryOptions options);

 private:
  // How often a commit is judged again after the store moved under it. Each
  // repetition follows another writer's commit, so the store makes progress;
  // the bound only stops a store that keeps moving for ever.
  static constexpr int kMaxCommitAttempts = 1000;
  [[nodiscard]] Result<Time> now() const;
  [[nodiscard]] Result<void> refresh_locked();
  // A state to publish, recycled by `recycler_` when its last holder drops it.
  [[nodiscard]] std::shared_ptr<DirectoryState> wrap_state(std::unique_ptr<DirectoryState> state) const;
  [[nodiscard]] Result<CommitInfo> commit(Transaction& tx);
  // One attempt; `rebased` is set when the store had moved on and the
  // directory picked up its state, so that the attempt may be repeated.
  // Directory::commit in steps (directory-inl.hpp): judge and publish one
  // attempt; the state the next model is built in (recycled when the last
  // commit was an in-place users edit too); the write, picking up the stored
  // state when another writer won (`rebased`).
  [[nodiscard]] Result<CommitInfo> commit_locked(Transaction& tx, bool& rebased);
  [[nodiscard]] std::unique_ptr<DirectoryState> next_state_for(const DirectoryState& cur, bool in_place);
  [[nodiscard]] Result<void> write_through(const ChangeSet& set, std::uint64_t published, bool& rebased);
  void record_refusal(std::uint64_t version, Time time, const std::string& actor, const Error& why,
                      std::vector<Change> changes);

  std::shared_ptr<StorageAdapter> storage_;
  DirectoryOptions options_;
  detail::PublishedPtr<DirectoryState> state_;
  mutable std::mutex commit_mu_;  // serializes commits, refreshes and every adapter call
  std::shared_ptr<std::atomic<std::uint64_t>> announced_;  // version announced by subscribe
  // When the current state was made from the one before it in place (the
  // roles and groups at these positions edited, new groups appended, users
  // edited or added), its version (else 0): the commit after it can then bring
  // the previous state's model up to date in O(edited entities + users / 256)
  // and reuse it, instead of copying the whole model.
  std::uint64_t last_in_place_version_ = 0;
  std::vector<std::size_t> last_roles_, last_groups_;
  std::shared_ptr<detail::StateRecycler> recycler_ = std::make_shared<detail::StateRecycler>();
};

/// The changes that turn `from` into `to`, entity by entity (kind order, then
/// id order as in `to`, removals last). Identical entities are not listed.
[[nodiscard]] SORIGHTS_API std::vector<Change> diff_models(const Model& from, const Model& to);

SORIGHTS_END_NAMESPACE

#ifdef SORIGHTS_HEADER_ONLY
#  include "sorights/directory-inl.hpp"
#endif

#endif  // SORIGHTS_DIRECTORY_HPP_
