// -----------------------------------------------------------------------------
// File: directory-inl.hpp
// -----------------------------------------------------------------------------
// Out-of-line definitions for directory.hpp: the staged edits, the diff, the
// commit (conflict check, authorization, model rules, write, publish) and the
// audit of refusals. docs/transactions.md describes the behaviour.
#ifndef SORIGHTS_DIRECTORY_INL_HPP_
#define SORIGHTS_DIRECTORY_INL_HPP_

#include <algorithm>
#include <chrono>
#include <exception>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <type_traits>
#include <utility>
#include <variant>

#include "sorights/directory.hpp"
#include "sorights/ids.hpp"
#include "sorights/detail/commit_checker-inl.hpp"  // detail::CommitChecker and the commit steps
#include "sorights/detail/directory_support-inl.hpp"
#include "sorights/detail/transaction_overlay-inl.hpp"
#include "sorights/detail/snapshot_builder.hpp"  // detail::Validator, detail::SnapshotBuilder

SORIGHTS_BEGIN_NAMESPACE

// -----------------------------------------------------------------------------
// diff_models
// -----------------------------------------------------------------------------

SORIGHTS_INLINE std::vector<Change> diff_models(const Model& from, const Model& to) {
  return detail::diff_checked(from, to, nullptr);
}

// -----------------------------------------------------------------------------
// Transaction: staged edits (the overlay itself: detail/transaction_overlay-inl.hpp)
// -----------------------------------------------------------------------------

SORIGHTS_INLINE Result<void> Transaction::add_user(User user) {
  if (user.id.empty()) return Error(ErrorCode::kInvalidArgument, "a user id may not be empty");
  if (has_user(user.id)) return Error(ErrorCode::kAlreadyExists, "user " + detail::quote_id(user.id) + " already exists");
  if (staged_) staged_->users.push_back(std::move(user));
  else user_adds_.push_back(std::move(user));
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::put_user(User user) {
  if (!staged_ && !user.id.empty()) {
    if (User* u = edit_target(user.id)) {  // an existing user, replaced in place
      *u = std::move(user);
      return {};
    }
    return add_user(std::move(user));
  }
  return detail::put_entity(stage().users, std::move(user), "a user");
}

SORIGHTS_INLINE Result<void> Transaction::edit_user(std::string_view id,
                                                    const std::function<void(User&)>& edit) {
  User* u = edit_target(id);
  if (u == nullptr) return detail::not_found("user", id);
  User copy = *u;
  SORIGHTS_TRY(detail::call_host("the edit_user callback", [&]() -> Result<void> {
    edit(copy);
    return {};
  }));
  if (copy.id != u->id)
    return Error(ErrorCode::kInvalidArgument, "edit_user may not change the id of user " + detail::quote_id(id));
  *u = std::move(copy);
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::set_user_role(std::string_view user, std::string_view role) {
  User* u = edit_target(user);
  if (u == nullptr) return detail::not_found("user", user);
  if (find_role(role) == nullptr) return detail::not_found("role", role);
  u->role = std::string(role);
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::set_user_groups(std::string_view user, std::string primary,
                                                          std::vector<std::string> others) {
  User* u = edit_target(user);
  if (u == nullptr) return detail::not_found("user", user);
  if (!primary.empty() && find_group(primary) == nullptr) return detail::not_found("group", primary);
  for (const std::string& g : others)
    if (find_group(g) == nullptr) return detail::not_found("group", g);
  u->group = std::move(primary);
  u->other_groups = std::move(others);
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::set_user_plan(std::string_view user, std::string plan) {
  User* u = edit_target(user);
  if (u == nullptr) return detail::not_found("user", user);
  if (!plan.empty() && view().find_plan(plan) == nullptr) return detail::not_found("plan", plan);
  u->plan = std::move(plan);
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::set_user_licences(std::string_view user,
                                                            std::vector<std::string> licences) {
  User* u = edit_target(user);
  if (u == nullptr) return detail::not_found("user", user);
  for (const std::string& l : licences)
    if (view().find_licence(l) == nullptr) return detail::not_found("licence", l);
  u->licences = std::move(licences);
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::set_can_log_in(std::string_view user, bool can_log_in) {
  User* u = edit_target(user);
  if (u == nullptr) return detail::not_found("user", user);
  u->can_log_in = can_log_in;
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::move_user(std::string_view user, std::string_view company,
                                                    MoveRecords records, Time from) {
  User* u = edit_target(user);
  if (u == nullptr) return detail::not_found("user", user);
  if (view().find_our_company(company) == nullptr) return detail::not_found("our company", company);
  u->company = std::string(company);
  std::erase_if(moves_, [&](const UserMove& m) { return m.user == user; });
  moves_.push_back(UserMove{std::string(user), {}, std::string(company), records,
                            records == MoveRecords::kMoveFrom ? from : 0});
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::mark_former_employee(std::string_view user) {
  User* u = edit_target(user);
  if (u == nullptr) return detail::not_found("user", user);
  u->former_employee = true;
  u->plan.clear();
  u->can_log_in = false;
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::retire_user(std::string_view user) {
  User* u = edit_target(user);
  if (u == nullptr) return detail::not_found("user", user);
  u->retired = true;
  u->can_log_in = false;
  u->plan.clear();
  u->licences.clear();
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::delete_user(std::string_view user) {
  SORIGHTS_TRY(detail::remove_entity(stage().users, user, "user"));
  std::erase_if(moves_, [&](const UserMove& m) { return m.user == user; });
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::create_role(Role role) {
  if (role.id.empty()) return Error(ErrorCode::kInvalidArgument, "a role id may not be empty");
  if (find_role(role.id) != nullptr)
    return Error(ErrorCode::kAlreadyExists, "role " + detail::quote_id(role.id) + " already exists");
  staged_roles().push_back(std::move(role));
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::copy_role(std::string_view from, std::string id, std::string name) {
  const Role* src = find_role(from);
  if (src == nullptr) return detail::not_found("role", from);
  Role r;
  r.id = std::move(id);
  r.name = std::move(name);
  r.type = src->type;
  r.data_rights = src->data_rights;
  r.functional_rights = src->functional_rights;
  return create_role(std::move(r));
}

SORIGHTS_INLINE Result<void> Transaction::rename_role(std::string_view id, std::string name,
                                                      std::string description) {
  Role* r = staged_role(id);
  if (r == nullptr) return detail::not_found("role", id);
  r->name = std::move(name);
  r->description = std::move(description);
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::put_role(Role role) {
  return detail::put_entity(staged_roles(), std::move(role), "a role");
}

SORIGHTS_INLINE Result<void> Transaction::delete_role(std::string_view id, std::string_view replacement) {
  const Role* r = stage().find_role(id);
  if (r == nullptr) return detail::not_found("role", id);
  if (id == replacement)
    return Error(ErrorCode::kInvalidArgument, "role " + detail::quote_id(id) + " cannot replace itself");
  const Role* repl = stage().find_role(replacement);
  if (repl == nullptr) return detail::not_found("role", replacement);
  if (repl->type != r->type)
    return Error(ErrorCode::kInvalidArgument,
                 "replacement role " + detail::quote_id(replacement) + " is of type " +
                     std::string(role_type_name(repl->type)) + ", role " + detail::quote_id(id) + " of type " +
                     std::string(role_type_name(r->type)));
  Model& m = stage();
  for (std::size_t i = 0; i < m.users.size(); ++i)  // reads shared users without copying them
    if (std::as_const(m.users)[i].role == id) m.users[i].role = std::string(replacement);
  std::erase_if(stage().field_rights, [&](const FieldRightRule& f) { return f.role == id; });
  return detail::remove_entity(stage().roles, id, "role");
}

SORIGHTS_INLINE Result<void> Transaction::set_data_right(std::string_view role, std::string_view object,
                                                         Relation relation, TableRights rights) {
  Role* r = staged_role(role);
  if (r == nullptr) return detail::not_found("role", role);
  if (!detail::object_exists(view(), object)) return detail::not_found("data object", object);
  if (static_cast<int>(relation) >= kRelationCount)
    return Error(ErrorCode::kInvalidArgument, "invalid relation");
  r->set_cell(object, relation, rights);
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::set_functional_rights(std::string_view role,
                                                                std::vector<std::string> rights) {
  Role* r = staged_role(role);
  if (r == nullptr) return detail::not_found("role", role);
  for (const std::string& f : rights)
    if (!detail::right_exists(view(), f)) return detail::not_found("functional right", f);
  r->functional_rights = std::move(rights);
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::grant_right(std::string_view role, std::string_view right) {
  Role* r = staged_role(role);
  if (r == nullptr) return detail::not_found("role", role);
  if (!detail::right_exists(view(), right)) return detail::not_found("functional right", right);
  if (!r->has_right(right)) r->functional_rights.emplace_back(right);
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::revoke_right(std::string_view role, std::string_view right) {
  Role* r = staged_role(role);
  if (r == nullptr) return detail::not_found("role", role);
  std::erase_if(r->functional_rights, [&](const std::string& f) { return f == right; });
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::put_our_company(OurCompany company) {
  return detail::put_entity(stage().our_companies, std::move(company), "an our-company");
}
SORIGHTS_INLINE Result<void> Transaction::remove_our_company(std::string_view id) {
  return detail::remove_entity(stage().our_companies, id, "our company");
}
SORIGHTS_INLINE Result<void> Transaction::put_group(Group group) {
  return detail::put_entity(staged_groups(), std::move(group), "a group");
}
SORIGHTS_INLINE Result<void> Transaction::remove_group(std::string_view id) {
  return detail::remove_entity(stage().groups, id, "group");
}
SORIGHTS_INLINE Result<void> Transaction::put_licence(Licence licence) {
  return detail::put_entity(stage().licences, std::move(licence), "a licence");
}
SORIGHTS_INLINE Result<void> Transaction::remove_licence(std::string_view id) {
  return detail::remove_entity(stage().licences, id, "licence");
}
SORIGHTS_INLINE Result<void> Transaction::put_plan(Plan plan) {
  return detail::put_entity(stage().plans, std::move(plan), "a plan");
}
SORIGHTS_INLINE Result<void> Transaction::remove_plan(std::string_view id) {
  return detail::remove_entity(stage().plans, id, "plan");
}
SORIGHTS_INLINE Result<void> Transaction::put_functional_right(FunctionalRightDef right) {
  return detail::put_entity(stage().functional_rights, std::move(right), "a functional right");
}
SORIGHTS_INLINE Result<void> Transaction::remove_functional_right(std::string_view id) {
  return detail::remove_entity(stage().functional_rights, id, "declared functional right");
}
SORIGHTS_INLINE Result<void> Transaction::put_object(DataObjectDef object) {
  return detail::put_entity(stage().objects, std::move(object), "a data object");
}
SORIGHTS_INLINE Result<void> Transaction::remove_object(std::string_view id) {
  return detail::remove_entity(stage().objects, id, "custom data object");
}
SORIGHTS_INLINE Result<void> Transaction::set_field_rights(std::vector<FieldRightRule> rules) {
  stage().field_rights = std::move(rules);
  return {};
}
SORIGHTS_INLINE Result<void> Transaction::set_overrides(std::vector<Override> overrides) {
  stage().overrides = std::move(overrides);
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::stage_model(Model model) {
  user_edits_.clear();
  user_adds_.clear();
  roles_.reset();
  groups_.reset();
  staged_ = std::move(model);
  moves_.clear();
  return {};
}

SORIGHTS_INLINE Result<Snapshot> Transaction::preview() const {
  return detail::compile_stored(staged(), base_->version + 1);
}

SORIGHTS_INLINE std::vector<Change> Transaction::changes() const { return staged_changes(nullptr); }

SORIGHTS_INLINE bool Transaction::has_changes() const { return !changes().empty(); }

SORIGHTS_INLINE Result<CommitInfo> Transaction::commit() { return dir_->commit(*this); }

SORIGHTS_INLINE void Transaction::rollback() { rebase(); }

// -----------------------------------------------------------------------------
// Directory
// -----------------------------------------------------------------------------

SORIGHTS_INLINE Directory::Directory(PrivateTag, std::shared_ptr<StorageAdapter> storage,
                                     DirectoryOptions options)
    : storage_(std::move(storage)),
      options_(std::move(options)),
      announced_(std::make_shared<std::atomic<std::uint64_t>>(0)) {}

SORIGHTS_INLINE Result<std::shared_ptr<Directory>> Directory::open(std::shared_ptr<StorageAdapter> storage,
                                                                   DirectoryOptions options) {
  if (!storage) return Error(ErrorCode::kInvalidArgument, "Directory::open needs a storage adapter");
  auto dir = std::make_shared<Directory>(PrivateTag{}, std::move(storage), std::move(options));
  // Compiles `stored` and publishes it; returns the published model. The
  // store lends its model when it can (no copy; InMemoryStorage).
  auto publish = [&](StoredModel& stored) -> Result<std::shared_ptr<const Model>> {
    SORIGHTS_ASSIGN_OR_RETURN(Snapshot snapshot, detail::compile_stored(stored.model, stored.version));
    std::shared_ptr<DirectoryState> state = dir->wrap_state(std::make_unique<DirectoryState>(
        DirectoryState{std::move(stored.model), std::move(snapshot), stored.version}));
    dir->announced_->store(state->version);
    std::shared_ptr<const Model> model(state, &state->model);
    dir->state_.store(std::move(state));
    return model;
  };
  SORIGHTS_TRY(detail::call_adapter([&] { return dir->storage_->lend(publish); }));
  std::weak_ptr<std::atomic<std::uint64_t>> announced = dir->announced_;
  SORIGHTS_TRY(detail::call_adapter([&]() -> Result<void> {
    dir->storage_->subscribe([announced](std::uint64_t v) {
      if (auto a = announced.lock()) {
        std::uint64_t cur = a->load();
        while (v > cur && !a->compare_exchange_weak(cur, v)) {
        }
      }
    });
    return {};
  }));
  return dir;
}

SORIGHTS_INLINE Result<Time> Directory::now() const {
  if (options_.clock) return detail::call_host("the directory clock", [&]() -> Result<Time> { return options_.clock(); });
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

SORIGHTS_INLINE Result<void> Directory::refresh_locked() {
  SORIGHTS_ASSIGN_OR_RETURN(StoredModel stored, detail::call_adapter([&] { return storage_->load(); }));
  std::shared_ptr<const DirectoryState> cur = state_.load();
  if (stored.version == cur->version) return {};
  if (stored.version < cur->version)
    return Error(ErrorCode::kDataLoss, "the stored version " + std::to_string(stored.version) +
                                           " is behind the published version " +
                                           std::to_string(cur->version));
  SORIGHTS_ASSIGN_OR_RETURN(Snapshot snapshot, detail::compile_stored(stored.model, stored.version));
  state_.store(wrap_state(std::make_unique<DirectoryState>(
      DirectoryState{std::move(stored.model), std::move(snapshot), stored.version})));
  last_in_place_version_ = 0;
  return {};
}

SORIGHTS_INLINE std::shared_ptr<DirectoryState> Directory::wrap_state(std::unique_ptr<DirectoryState> state) const {
  std::weak_ptr<detail::StateRecycler> recycler = recycler_;
  return std::shared_ptr<DirectoryState>(state.release(), [recycler](DirectoryState* p) {
    std::unique_ptr<DirectoryState> own(p);
    if (std::shared_ptr<detail::StateRecycler> r = recycler.lock()) {
      own->snapshot = Snapshot();  // only the model is reused
      std::lock_guard<std::mutex> lock(r->mu);
      own.swap(r->spare);
    }
    // `own` (the older spare, or this state) is freed here, outside the lock.
  });
}

SORIGHTS_INLINE Result<void> Directory::refresh() {
  std::lock_guard<std::mutex> lock(commit_mu_);
  return refresh_locked();
}

SORIGHTS_INLINE void Directory::record_refusal(std::uint64_t version, Time time, const std::string& actor,
                                               const Error& why, std::vector<Change> changes) {
  AuditEntry e;
  e.version = version;
  e.time = time;
  e.actor = actor;
  e.refused = true;
  e.reason = detail::one_line(why);
  e.changes = std::move(changes);
  // Best effort: a refusal that cannot be recorded still refuses.
  Result<void> r = detail::call_adapter([&] { return storage_->append_audit(e); });
  (void)r;
}

SORIGHTS_INLINE Result<Transaction> Directory::begin(std::string_view actor) {
  std::shared_ptr<const DirectoryState> cur;
  {
    std::lock_guard<std::mutex> lock(commit_mu_);
    if (announced_->load() > state_.load()->version) SORIGHTS_TRY(refresh_locked());
    cur = state_.load();
    std::string id(actor);
    Result<detail::ActorView> who = detail::resolve_actor(*cur, id);
    if (!who) {
      SORIGHTS_ASSIGN_OR_RETURN(Time time, now());
      record_refusal(cur->version, time, id, who.error(), {});
      return who.error();
    }
  }
  return Transaction(shared_from_this(), std::move(cur), std::string(actor));
}

SORIGHTS_INLINE Result<std::vector<AuditEntry>> Directory::audit(const AuditQuery& query) const {
  std::lock_guard<std::mutex> lock(commit_mu_);
  return detail::call_adapter([&] { return storage_->audit(query); });
}

SORIGHTS_INLINE Result<std::vector<Role>> Directory::deleted_roles() const {
  AuditQuery q;
  q.include_refused = false;
  SORIGHTS_ASSIGN_OR_RETURN(std::vector<AuditEntry> trail, audit(q));
  std::map<std::string, Role> deleted;
  for (const AuditEntry& e : trail) {
    if (e.refused) continue;
    for (const Change& c : e.changes) {
      if (c.kind != EntityKind::kRole) continue;
      if (c.after) deleted.erase(c.id);
      else if (const Role* r = detail::get_value<Role>(c.before)) deleted[c.id] = *r;
    }
  }
  std::vector<Role> out;
  out.reserve(deleted.size());
  for (auto& [id, role] : deleted) out.push_back(std::move(role));
  return out;
}

SORIGHTS_INLINE Result<CommitInfo> Directory::commit(Transaction& tx) {
  std::lock_guard<std::mutex> lock(commit_mu_);
  // A change set the store refuses because another writer committed first
  // is judged again on the stored state: it commits when nothing it touches
  // changed meanwhile (docs/design/0002-transactions.md, "concurrent
  // administrators"). Every retry follows someone else's commit.
  for (int attempt = 1;; ++attempt) {
    bool rebased = false;
    Result<CommitInfo> done = commit_locked(tx, rebased);
    if (!rebased || attempt == kMaxCommitAttempts) return done;
    // A writer that keeps losing the race backs off a little (up to 2 ms), so
    // that a slow process among fast ones gets its turn.
    if (attempt > 4)
      std::this_thread::sleep_for(std::chrono::microseconds(50 * std::min(attempt - 4, 40)));
  }
}

SORIGHTS_INLINE Result<CommitInfo> Directory::commit_locked(Transaction& tx, bool& rebased) {
  if (announced_->load() > state_.load()->version) SORIGHTS_TRY(refresh_locked());
  const std::shared_ptr<const DirectoryState> cur = state_.load();
  SORIGHTS_ASSIGN_OR_RETURN(const Time time, now());
  std::vector<Diagnostic> dups;
  std::vector<Change> changes = tx.staged_changes(&dups);
  if (changes.empty() && dups.empty()) {
    tx.rebase();
    return CommitInfo{cur->version, time, {}, {}};
  }
  auto refuse = [&](Error error) -> Result<CommitInfo> {
    record_refusal(cur->version, time, tx.actor_, error, changes);
    return error;
  };

  // 1. Conflicts. The changes apply to the current state only if every
  //    entity they touch is still as it was at `begin`; they are then applied
  //    to the current model (the same model the adapter will store) and
  //    judged afresh against the current state. A diff keyed by id cannot
  //    carry duplicate ids: those are refused first.
  if (!dups.empty()) {
    std::string msg = detail::breaks_message("the change breaks", dups, false);
    return refuse(Error(ErrorCode::kFailedPrecondition, std::move(msg), std::move(dups)));
  }
  if (cur->version != tx.base_->version) {
    Result<void> clear = detail::check_conflicts(tx.base_->model, tx.base_->version, cur->model, changes);
    if (!clear) return refuse(std::move(clear).error());
  }
  // The commits an administrator makes most (users edited or added, roles
  // edited, groups added or renamed) take the incremental path: the next
  // model is the current one with those entities replaced or appended, made
  // by bringing the state before the current one up to date when nothing
  // else holds it (O(edited entities)) instead of copying the whole model;
  // the rules are checked on what changed and the snapshot is the current one
  // patched. Anything else, or anything the incremental check cannot judge
  // alone, goes through compile(). docs/design/0004-incremental-commit.md.
  // A staged whole model (an import) that the changes would rebuild as it is
  // becomes the next model itself: moved, and moved back unless it commits.
  detail::InPlaceCommit edit;
  const bool in_place = detail::classify_in_place(*cur, changes, edit);
  const bool as_staged = !in_place && tx.staged_ && cur->version == tx.base_->version &&
                         detail::applies_as_is(cur->model, *tx.staged_);
  std::unique_ptr<DirectoryState> next_state =
      as_staged ? std::make_unique<DirectoryState>() : next_state_for(*cur, in_place);
  Model& next_model = next_state->model;
  detail::StagedLoan loan{as_staged ? &tx.staged_ : nullptr, &next_model};
  if (as_staged) {
    next_model = std::move(*tx.staged_);
  } else if (in_place) {
    detail::apply_in_place(next_model, edit);
  } else if (Result<void> applied = apply_changes(next_model, changes); !applied) {
    return std::move(applied).error();
  }

  // 2. The actor, then every rule at once.
  const std::uint64_t version = cur->version + 1;
  Result<Snapshot> snapshot =
      detail::judge_commit(*cur, next_model, tx.actor_, changes, in_place ? &edit.edit : nullptr, version);
  if (!snapshot) return refuse(std::move(snapshot).error());

  // 3. Write through the adapter, then publish; or nothing.
  // The change list goes to the adapter and comes back: no copy of it.
  ChangeSet set{cur->version, version, time, tx.actor_, std::move(changes)};
  SORIGHTS_TRY(write_through(set, cur->version, rebased));
  changes = std::move(set.changes);
  std::vector<UserMove> moves = detail::carried_moves(tx.moves_, cur->model, next_model);
  loan.staged = nullptr;
  next_state->snapshot = std::move(*snapshot);
  next_state->version = version;
  std::shared_ptr<DirectoryState> published = wrap_state(std::move(next_state));
  std::shared_ptr<const Model> published_model(published, &published->model);
  state_.store(std::move(published));
  (void)detail::call_adapter([&]() -> Result<void> {
    storage_->adopt(std::move(published_model), version);
    return {};
  });
  if (in_place) {
    last_in_place_version_ = version;
    last_roles_ = std::move(edit.edit.roles);
    last_groups_ = std::move(edit.edit.groups);
  } else {
    last_in_place_version_ = 0;
  }
  tx.rebase();
  return CommitInfo{version, time, std::move(changes), std::move(moves)};
}

SORIGHTS_INLINE std::unique_ptr<DirectoryState> Directory::next_state_for(const DirectoryState& cur, bool in_place) {
  std::unique_ptr<DirectoryState> next_state;
  if (in_place && last_in_place_version_ != 0 && last_in_place_version_ == cur.version) {
    // Let go of the state before the current one: unless a reader or a
    // transaction still holds it, it lands in the recycler right here.
    (void)state_.take_previous();
    {
      std::lock_guard<std::mutex> spare_lock(recycler_->mu);
      next_state = std::move(recycler_->spare);
    }
    if (next_state && next_state->version + 1 == cur.version &&
        next_state->model.users.size() <= cur.model.users.size() &&
        next_state->model.groups.size() <= cur.model.groups.size()) {
      // The last commit edited these entities and appended the rest. The
      // users are taken as the current state's chunks (shared, not copied:
      // docs/design/0017-shared-users.md).
      Model& m = next_state->model;
      m.users = cur.model.users;
      for (std::size_t at : last_roles_) m.roles[at] = cur.model.roles[at];
      for (std::size_t at : last_groups_) m.groups[at] = cur.model.groups[at];
      m.groups.insert(m.groups.end(), cur.model.groups.begin() + static_cast<std::ptrdiff_t>(m.groups.size()),
                      cur.model.groups.end());
    } else {
      next_state.reset();
    }
  }
  if (!next_state) {
    next_state = std::make_unique<DirectoryState>();
    next_state->model = cur.model;
  }
  return next_state;
}

SORIGHTS_INLINE Result<void> Directory::write_through(const ChangeSet& set, std::uint64_t published,
                                                      bool& rebased) {
  Result<void> written = detail::call_adapter([&] { return storage_->apply(set); });
  if (written || written.error().code != ErrorCode::kConflict) return written;
  // The store moved under the directory: pick up the stored state so a
  // retried transaction starts from it. If that fails (unreadable, a broken
  // model, a version behind the published one), a retry cannot succeed: that
  // is the error to report.
  Result<void> refreshed = refresh_locked();
  if (!refreshed) {
    Error e = std::move(refreshed).error();
    e.message = written.error().message + "; reloading the store failed: " + e.message;
    return e;
  }
  rebased = state_.load()->version != published;
  return written;
}

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_DIRECTORY_INL_HPP_
