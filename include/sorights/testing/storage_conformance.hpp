// -----------------------------------------------------------------------------
// File: testing/storage_conformance.hpp
// -----------------------------------------------------------------------------
// `sorights::testing`: the `StorageAdapter` contract of
// docs/storage-adapters.md as executable checks, for a host to run against its
// own adapter (and for sorights to run against the adapters it ships).
//
// The checks are framework-neutral: each one builds fresh stores through a
// factory the host writes, exercises one promise of the contract and returns
// what it found wrong. Wrap them in any test framework: a Catch2 typed test,
// one test per check, is shown in docs/storage-adapters.md.
//
//     sorights::testing::ConformanceFactory factory = [] {
//       auto store = std::make_shared<MyStore>(fresh_database());
//       return sorights::testing::ConformanceStore{store, {}};
//     };
//     for (const auto& check : sorights::testing::storage_conformance_checks()) {
//       auto outcome = sorights::testing::run_check(check, factory);
//       // outcome.skipped, outcome.failures
//     }
//
// Test code: it allocates freely and, when exceptions are enabled, turns an
// exception thrown by the adapter into a failure (adapters must not throw).
#ifndef SORIGHTS_TESTING_STORAGE_CONFORMANCE_HPP_
#define SORIGHTS_TESTING_STORAGE_CONFORMANCE_HPP_

#include <array>
#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sorights/config.hpp"
#include "sorights/directory.hpp"
#include "sorights/error.hpp"
#include "sorights/model.hpp"
#include "sorights/storage.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace testing {

/// One fresh store under test.
struct ConformanceStore {
  /// A store that was never written.
  std::shared_ptr<StorageAdapter> adapter{};
  /// Optional: another adapter on the same storage (a second connection, as
  /// another process would open it). Enables the checks of persistence and of
  /// commits racing between two adapters; they are skipped without it.
  std::function<std::shared_ptr<StorageAdapter>()> reopen{};
};

/// Makes a fresh, empty store on every call (a new file, schema, database...).
using ConformanceFactory = std::function<ConformanceStore()>;

/// What a check found: nothing (passed), failures, or that it could not run.
struct CheckOutcome {
  bool skipped = false;
  std::string skip_reason{};
  std::vector<std::string> failures{};
  [[nodiscard]] bool passed() const noexcept { return !skipped && failures.empty(); }
};

/// One promise of the contract. `name` is stable: use it to mark a known
/// deviation of an adapter.
struct ConformanceCheck {
  std::string_view name;
  std::string_view promise;  ///< the contract's words, for the report
  void (*run)(const ConformanceFactory& factory, CheckOutcome& outcome);
};

namespace detail {

inline void expect(CheckOutcome& out, bool condition, std::string what) {
  if (!condition) out.failures.push_back(std::move(what));
}

// Reports a failed call; true if it succeeded.
template <class T>
bool succeeded(CheckOutcome& out, const Result<T>& r, std::string_view call) {
  if (r) return true;
  std::string what(call);
  what += " failed: ";
  what += r.error().to_string();
  out.failures.push_back(std::move(what));
  return false;
}

template <class T>
void expect_error(CheckOutcome& out, const Result<T>& r, ErrorCode code, std::string_view call) {
  std::string what(call);
  if (r) {
    what += " succeeded, expected ";
    what += error_code_name(code);
    out.failures.push_back(std::move(what));
  } else if (r.error().code != code) {
    what += " failed with ";
    what += r.error().to_string();
    what += ", expected ";
    what += error_code_name(code);
    out.failures.push_back(std::move(what));
  }
}

inline ConformanceStore make_store(const ConformanceFactory& factory, CheckOutcome& out) {
  ConformanceStore store = factory();
  if (!store.adapter) out.failures.push_back("the factory returned no adapter");
  return store;
}

inline User member(std::string id, std::string role = "level-3", std::string group = "sales") {
  User u;
  u.id = std::move(id);
  u.type = UserType::kAssociate;
  u.name = u.id;
  u.company = "acme";
  u.role = std::move(role);
  u.group = std::move(group);
  return u;
}

}  // namespace detail

/// A model that uses every entity kind and every field, with text that needs
/// quoting in most storage formats: the model the checks commit first.
[[nodiscard]] inline Model model_with_every_field() {
  using detail::member;
  Model m = Model::with_defaults();
  m.our_companies = {{"acme", "Acme", true}, {"beta", "Beta \"quoted\" {braces}, commas", false}};
  m.groups = {{"sales", "Sales"}, {"support", "Support\\back"}};
  m.licences = {{"user", "User", LicenceKind::kUser, 10, false, {}, {}},
                {"web", "Web", LicenceKind::kUser, 0, true, {"user"}, {}},
                {"marketing", "Marketing", LicenceKind::kSite, 0, false, {}, {"selection", "target"}}};
  m.plans = {{"standard", "Standard", {"user", "web"}}};
  m.functional_rights = {{"export", "Export", "user"}, {"print", "Print", ""}};
  FunctionalRightDef hide{"acme-hide-planner", "Hide planner", ""};
  hide.restrictive = true;
  m.functional_rights.push_back(hide);
  m.objects = {{"ticket", "Ticket", true, true, true}};
  Role r;
  r.id = "custom";
  r.name = "Custom";
  r.description = "l\xC3\xADnea\nzwei";
  r.type = RoleType::kEmployee;
  r.set_cell("company", Relation::kOwn, TableRights::full());
  r.set_cell("ticket", Relation::kPrimaryGroup, TableRight::kSelect);
  r.data_rights["sale"];  // a row of empty cells
  r.functional_rights = {"export", "print"};
  m.roles.push_back(r);
  FieldRightRule f;
  f.role = "custom";
  f.object = "company";
  f.field = "company.name";
  f.relation = Relation::kOtherGroups;
  f.rights = FieldRight::kRead;
  f.ui_mandatory = true;
  m.field_rights = {f};
  Override o;
  o.level = OverrideLevel::kUser;
  o.target = "bob";
  o.object = "sale";
  o.scope = OverrideScope::kRecord;
  o.record = "42";
  o.remove = 8;
  m.overrides = {o};
  User bob = member("bob", "custom");
  bob.other_groups = {"support"};
  bob.plan = "standard";
  bob.licences = {"user"};
  bob.person = "p-bob";
  const User eve{.id = "eve",
                 .type = UserType::kExternal,
                 .company = "customer-1",
                 .role = "external",
                 .projects = {"p1", "p2"},
                 .can_log_in = false};
  User old = member("old", "level-1", "support");
  old.company = "beta";
  old.retired = true;
  old.former_employee = true;
  m.users = {bob, eve, old};
  return m;
}

namespace detail {

inline Model full_model() { return model_with_every_field(); }

inline ChangeSet change_set(const Model& from, const Model& to, std::uint64_t base, std::string actor = {}) {
  return ChangeSet{base, base + 1, 1700000000 + static_cast<Time>(base), std::move(actor), diff_models(from, to)};
}

// Applies `cs` and checks that the store then loads `expected` at cs.version.
inline void commit(CheckOutcome& out, StorageAdapter& store, const ChangeSet& cs, const Model& expected) {
  if (!succeeded(out, store.apply(cs), "apply(version " + std::to_string(cs.version) + ")")) return;
  Result<StoredModel> loaded = store.load();
  if (!succeeded(out, loaded, "load()")) return;
  expect(out, loaded->version == cs.version,
         "load() after apply reports version " + std::to_string(loaded->version) + ", expected " +
             std::to_string(cs.version));
  expect(out, loaded->model == expected,
         "load() after apply(version " + std::to_string(cs.version) + ") differs from the model committed");
}

// A fresh store holding full_model() at version 1, committed by "admin".
inline ConformanceStore committed_store(const ConformanceFactory& factory, CheckOutcome& out) {
  ConformanceStore s = make_store(factory, out);
  if (s.adapter) commit(out, *s.adapter, change_set(Model::with_defaults(), full_model(), 0, "admin"), full_model());
  return s;
}

// The store's state must not have moved: same model, version and audit trail.
struct State {
  StoredModel stored;
  std::size_t audit_entries = 0;
};

inline State state_of(CheckOutcome& out, StorageAdapter& store) {
  State s;
  Result<StoredModel> loaded = store.load();
  if (succeeded(out, loaded, "load()")) s.stored = std::move(*loaded);
  Result<std::vector<AuditEntry>> trail = store.audit(AuditQuery{});
  if (succeeded(out, trail, "audit()")) s.audit_entries = trail->size();
  return s;
}

inline void expect_unchanged(CheckOutcome& out, StorageAdapter& store, const State& before, std::string_view after) {
  State now = state_of(out, store);
  std::string prefix = "after ";
  prefix += after;
  expect(out, now.stored.version == before.stored.version, prefix + ", the version moved");
  expect(out, now.stored.model == before.stored.model, prefix + ", the model changed");
  expect(out, now.audit_entries == before.audit_entries, prefix + ", the audit trail changed");
  Result<std::uint64_t> v = store.version();
  if (succeeded(out, v, "version()")) expect(out, *v == before.stored.version, prefix + ", version() moved");
}

// --- the checks ----------------------------------------------------------------

inline void fresh_store(const ConformanceFactory& factory, CheckOutcome& out) {
  ConformanceStore s = make_store(factory, out);
  if (!s.adapter) return;
  Result<StoredModel> loaded = s.adapter->load();
  if (succeeded(out, loaded, "load()")) {
    expect(out, loaded->version == 0, "a fresh store loads at version " + std::to_string(loaded->version));
    expect(out, loaded->model == Model::with_defaults(), "a fresh store does not load Model::with_defaults()");
  }
  Result<std::uint64_t> v = s.adapter->version();
  if (succeeded(out, v, "version()")) expect(out, *v == 0, "a fresh store's version() is " + std::to_string(*v));
  Result<std::vector<AuditEntry>> trail = s.adapter->audit(AuditQuery{});
  if (succeeded(out, trail, "audit()")) expect(out, trail->empty(), "a fresh store has an audit trail");
}

inline void round_trip(const ConformanceFactory& factory, CheckOutcome& out) {
  ConformanceStore s = make_store(factory, out);
  if (!s.adapter) return;
  const Model model = full_model();
  commit(out, *s.adapter, change_set(Model::with_defaults(), model, 0), model);
  Result<std::uint64_t> v = s.adapter->version();
  if (succeeded(out, v, "version()")) expect(out, *v == 1, "version() after one commit is " + std::to_string(*v));
}

inline void incremental(const ConformanceFactory& factory, CheckOutcome& out) {
  ConformanceStore s = committed_store(factory, out);
  if (!s.adapter) return;
  const Model first = full_model();
  // Edits in place, a removal, an addition, whole lists replaced and emptied.
  Model next = first;
  next.users[0].name = "Bob B.";
  next.users[0].other_groups.clear();
  next.users.erase(next.users.begin() + 1);
  next.users.push_back(member("zed"));
  next.roles.back().data_rights.erase("sale");
  next.roles.back().functional_rights = {"print"};
  next.licences[1].requires_licences.clear();
  next.field_rights.clear();
  next.overrides.push_back(next.overrides.front());
  next.overrides.back().level = OverrideLevel::kSystem;
  next.overrides.back().target.clear();
  ChangeSet cs = change_set(first, next, 1);
  Model expected = first;
  if (!succeeded(out, apply_changes(expected, cs.changes), "apply_changes")) return;
  commit(out, *s.adapter, cs, expected);
  // Removed and added again within one change set, and removed for good
  // (an entity nothing refers to: a store may keep its references whole).
  ChangeSet again{2, 3, 1700000100, {}, {}};
  again.changes.push_back(Change{EntityKind::kUser, "bob", Entity{next.users[0]}, std::nullopt});
  again.changes.push_back(Change{EntityKind::kUser, "bob", std::nullopt, Entity{next.users[0]}});
  again.changes.push_back(Change{EntityKind::kLicence, "marketing", Entity{next.licences[2]}, std::nullopt});
  if (!succeeded(out, apply_changes(expected, again.changes), "apply_changes")) return;
  commit(out, *s.adapter, again, expected);
}

inline void stale_base_conflicts(const ConformanceFactory& factory, CheckOutcome& out) {
  ConformanceStore s = committed_store(factory, out);
  if (!s.adapter) return;
  const Model first = full_model();
  Model next = first;
  next.users.push_back(member("late"));
  const State before = state_of(out, *s.adapter);
  expect_error(out, s.adapter->apply(change_set(Model::with_defaults(), next, 0)), ErrorCode::kConflict,
               "apply(base 0) on a store at version 1");
  expect_unchanged(out, *s.adapter, before, "a stale change set");
  expect_error(out, s.adapter->apply(change_set(first, next, 5)), ErrorCode::kConflict,
               "apply(base 5) on a store at version 1");
  expect_unchanged(out, *s.adapter, before, "a change set from the future");
}

inline void invalid_change_writes_nothing(const ConformanceFactory& factory, CheckOutcome& out) {
  ConformanceStore s = committed_store(factory, out);
  if (!s.adapter) return;
  const Model first = full_model();
  const State before = state_of(out, *s.adapter);
  // A valid change first: it must not be written either.
  ChangeSet wrong_kind{1, 2, 1700000200, {}, {}};
  wrong_kind.changes.push_back(Change{EntityKind::kUser, "new", std::nullopt, Entity{member("new")}});
  wrong_kind.changes.push_back(Change{EntityKind::kUser, "grp", std::nullopt, Entity{Group{"grp", "G"}}});
  expect_error(out, s.adapter->apply(wrong_kind), ErrorCode::kInvalidArgument,
               "apply() of a change whose value is of another kind");
  expect_unchanged(out, *s.adapter, before, "a change of the wrong kind");
  ChangeSet wrong_id{1, 2, 1700000200, {}, {}};
  wrong_id.changes.push_back(Change{EntityKind::kGroup, "new", std::nullopt, Entity{Group{"new", "New"}}});
  wrong_id.changes.push_back(Change{EntityKind::kUser, "someone", std::nullopt, Entity{member("else")}});
  expect_error(out, s.adapter->apply(wrong_id), ErrorCode::kInvalidArgument,
               "apply() of a change whose value carries another id");
  expect_unchanged(out, *s.adapter, before, "a change with another id");
  // The store still takes the next valid change set.
  Model next = first;
  next.users.push_back(member("new"));
  commit(out, *s.adapter, change_set(first, next, 1), next);
}

// Each query returns the entries of `trail` that audit_matches selects, in order.
inline void expect_filtered(CheckOutcome& out, StorageAdapter& store, const std::vector<AuditEntry>& trail,
                            std::initializer_list<AuditQuery> queries) {
  auto key = [](const AuditEntry& e) { return e.version * 2 + (e.refused ? 1 : 0); };
  for (const AuditQuery& q : queries) {
    Result<std::vector<AuditEntry>> got = store.audit(q);
    if (!succeeded(out, got, "audit(query)")) continue;
    std::vector<std::uint64_t> got_keys, want_keys;
    for (const AuditEntry& e : *got) got_keys.push_back(key(e));
    for (const AuditEntry& e : trail)
      if (audit_matches(e, q)) want_keys.push_back(key(e));
    expect(out, got_keys == want_keys,
           "audit(user \"" + q.user + "\", role \"" + q.role + "\", from " + std::to_string(q.from) +
               ") does not return the entries audit_matches selects, oldest first");
  }
}

inline void audit_keeps_commits_and_refusals(const ConformanceFactory& factory, CheckOutcome& out) {
  ConformanceStore s = committed_store(factory, out);
  if (!s.adapter) return;
  const Model first = full_model();
  const ChangeSet cs1 = change_set(Model::with_defaults(), first, 0, "admin");
  Model second = first;
  second.users[2].role = "level-2";
  ChangeSet cs2 = change_set(first, second, 1, "bob");
  commit(out, *s.adapter, cs2, second);
  Model tried = second;
  tried.users.push_back(member("mallory", "administrator"));
  AuditEntry refusal{2, 1700000500, "bob", true, "rule 6: bob may not grant administrator", diff_models(second, tried)};
  if (!succeeded(out, s.adapter->append_audit(refusal), "append_audit()")) return;
  Result<std::uint64_t> v = s.adapter->version();
  if (succeeded(out, v, "version()")) expect(out, *v == 2, "append_audit() moved the version");

  Result<std::vector<AuditEntry>> all = s.adapter->audit(AuditQuery{});
  if (!succeeded(out, all, "audit()")) return;
  const std::vector<AuditEntry> want = {AuditEntry{1, cs1.time, "admin", false, {}, cs1.changes},
                                        AuditEntry{2, cs2.time, "bob", false, {}, cs2.changes}, refusal};
  expect(out, all->size() == want.size(),
         "audit() holds " + std::to_string(all->size()) + " entries, expected 3 (two commits, one refusal)");
  for (std::size_t i = 0; i < std::min(all->size(), want.size()); ++i) {
    const AuditEntry& got = (*all)[i];
    const std::string at = "audit entry " + std::to_string(i) + ": ";
    expect(out, got.version == want[i].version, at + "version " + std::to_string(got.version));
    expect(out, got.time == want[i].time, at + "time " + std::to_string(got.time));
    expect(out, got.actor == want[i].actor, at + "actor \"" + got.actor + "\"");
    expect(out, got.refused == want[i].refused, at + "refused flag");
    expect(out, got.reason == want[i].reason, at + "reason \"" + got.reason + "\"");
    expect(out, got.changes == want[i].changes, at + "changes differ from those committed (or tried)");
  }
  // The filters are audit_matches'.
  expect_filtered(out, *s.adapter, want,
                  {AuditQuery{"old", {}, kTimeMin, kTimeMax, true}, AuditQuery{"bob", {}, kTimeMin, kTimeMax, true},
                   AuditQuery{{}, "administrator", kTimeMin, kTimeMax, true},
                   AuditQuery{{}, {}, cs2.time, kTimeMax, false}, AuditQuery{{}, {}, kTimeMin, cs1.time, true}});
}

inline void lend_hands_over_the_model(const ConformanceFactory& factory, CheckOutcome& out) {
  ConformanceStore s = committed_store(factory, out);
  if (!s.adapter) return;
  const Model first = full_model();
  // A failing publish leaves the store holding its model.
  bool called = false;
  Result<void> failed = s.adapter->lend([&](StoredModel& lent) -> Result<std::shared_ptr<const Model>> {
    called = true;
    expect(out, lent.version == 1 && lent.model == first, "lend() hands publish another model than load()");
    return Error(ErrorCode::kInvalidArgument, "publish refused");
  });
  expect(out, called, "lend() did not call publish");
  expect(out, !failed && failed.error().code == ErrorCode::kInvalidArgument,
         "lend() does not pass publish's error on");
  Result<StoredModel> loaded = s.adapter->load();
  if (succeeded(out, loaded, "load() after a failed publish"))
    expect(out, loaded->model == first && loaded->version == 1, "a failed publish cost the store its model");
  // A successful one: the store reads the published model until its next apply.
  Result<void> lent = s.adapter->lend([&](StoredModel& m) -> Result<std::shared_ptr<const Model>> {
    return std::make_shared<const Model>(std::move(m.model));
  });
  succeeded(out, lent, "lend()");
  loaded = s.adapter->load();
  if (succeeded(out, loaded, "load() after lend()"))
    expect(out, loaded->model == first && loaded->version == 1, "load() after lend() differs");
  Model next = first;
  next.users.push_back(member("after-lend"));
  commit(out, *s.adapter, change_set(first, next, 1), next);
}

inline void lend_is_exception_neutral(const ConformanceFactory& factory, CheckOutcome& out) {
#if defined(__cpp_exceptions)
  ConformanceStore s = committed_store(factory, out);
  if (!s.adapter) return;
  const Model first = full_model();
  struct Thrown {};
  bool propagated = false;
  try {
    (void)s.adapter->lend([](StoredModel&) -> Result<std::shared_ptr<const Model>> { throw Thrown{}; });
  } catch (const Thrown&) {
    propagated = true;
  }
  expect(out, propagated, "an exception thrown by publish does not leave lend()");
  Result<StoredModel> loaded = s.adapter->load();
  if (succeeded(out, loaded, "load() after publish threw"))
    expect(out, loaded->model == first && loaded->version == 1, "a publish that threw cost the store its model");
#else
  out.skipped = true;
  out.skip_reason = "built without exceptions";
  (void)factory;
#endif
}

inline void directory_runs_on_it(const ConformanceFactory& factory, CheckOutcome& out) {
  ConformanceStore s = make_store(factory, out);
  if (!s.adapter) return;
  Result<std::shared_ptr<Directory>> dir = Directory::open(s.adapter);
  if (!succeeded(out, dir, "Directory::open")) return;
  Result<Transaction> tx = (*dir)->begin();
  if (!succeeded(out, tx, "Directory::begin")) return;
  succeeded(out, tx->put_our_company(OurCompany{"acme", "Acme", true}), "put_our_company");
  succeeded(out, tx->put_group(Group{"sales", "Sales"}), "put_group");
  succeeded(out, tx->put_user(member("ann")), "put_user");
  if (!succeeded(out, tx->commit(), "commit")) return;
  Result<StoredModel> loaded = s.adapter->load();
  if (!succeeded(out, loaded, "load()")) return;
  expect(out, loaded->version == 1, "a directory's first commit stored version " + std::to_string(loaded->version));
  expect(out, loaded->model.users.size() == 1 && loaded->model.users[0].id == "ann",
         "a directory's commit is not what the store loads");
}

inline std::shared_ptr<StorageAdapter> reopened(ConformanceStore& s, CheckOutcome& out) {
  if (!s.reopen) {
    out.skipped = true;
    out.skip_reason = "the factory gives no second adapter on the same storage (ConformanceStore::reopen)";
    return nullptr;
  }
  std::shared_ptr<StorageAdapter> other = s.reopen();
  if (!other) out.failures.push_back("reopen() returned no adapter");
  return other;
}

inline void another_adapter_reads_the_commit(const ConformanceFactory& factory, CheckOutcome& out) {
  ConformanceStore s = committed_store(factory, out);
  if (!s.adapter) return;
  const Model first = full_model();
  AuditEntry refusal{1, 1700000900, "bob", true, "refused", {}};
  succeeded(out, s.adapter->append_audit(refusal), "append_audit()");
  std::shared_ptr<StorageAdapter> other = reopened(s, out);
  if (!other) return;
  Result<StoredModel> loaded = other->load();
  if (succeeded(out, loaded, "load() through a second adapter"))
    expect(out, loaded->version == 1 && loaded->model == first, "a second adapter does not load the commit");
  Result<std::vector<AuditEntry>> trail = other->audit(AuditQuery{});
  if (succeeded(out, trail, "audit() through a second adapter"))
    expect(out, trail->size() == 2, "a second adapter does not read the audit trail");
}

inline void racing_commits_conflict(const ConformanceFactory& factory, CheckOutcome& out) {
  ConformanceStore s = make_store(factory, out);
  if (!s.adapter) return;
  std::shared_ptr<StorageAdapter> other = reopened(s, out);
  if (!other) return;
  Model mine = full_model();
  Model theirs = Model::with_defaults();
  theirs.groups = {{"rivals", "Rivals"}};
  commit(out, *s.adapter, change_set(Model::with_defaults(), mine, 0), mine);
  const State before = state_of(out, *s.adapter);
  expect_error(out, other->apply(change_set(Model::with_defaults(), theirs, 0)), ErrorCode::kConflict,
               "apply(base 0) through a second adapter after the first committed version 1");
  expect_unchanged(out, *s.adapter, before, "the losing commit");
}

}  // namespace detail

/// Every check of the contract, in the order of docs/storage-adapters.md.
[[nodiscard]] inline std::span<const ConformanceCheck> storage_conformance_checks() {
  static constexpr std::array<ConformanceCheck, 11> kChecks = {{
      {"fresh_store", "a store that was never written loads Model::with_defaults() at version 0",
       &detail::fresh_store},
      {"round_trip", "apply then load returns the model committed, every entity kind and field, at its version",
       &detail::round_trip},
      {"incremental", "edits, removals, re-adds and whole lists land as apply_changes would apply them",
       &detail::incremental},
      {"stale_base_conflicts", "a base version other than the stored one is kConflict and changes nothing",
       &detail::stale_base_conflicts},
      {"invalid_change_writes_nothing",
       "a change of another kind or with another id is kInvalidArgument and nothing of the set is written",
       &detail::invalid_change_writes_nothing},
      {"audit", "commits and refusals are kept with their changes, oldest first, filtered as audit_matches",
       &detail::audit_keeps_commits_and_refusals},
      {"lend", "lend hands publish the stored model; if publish fails the store still holds its model",
       &detail::lend_hands_over_the_model},
      {"lend_exception_neutral", "an exception from publish leaves lend and the store keeps its model",
       &detail::lend_is_exception_neutral},
      {"directory", "a Directory opens on the store and commits through it", &detail::directory_runs_on_it},
      {"second_adapter_reads", "a second adapter on the same storage loads the commit and the audit trail",
       &detail::another_adapter_reads_the_commit},
      {"racing_commits_conflict", "of two adapters committing on the same base, the second gets kConflict",
       &detail::racing_commits_conflict},
  }};
  return kChecks;
}

/// Runs one check on stores from `factory`. An exception the adapter throws is
/// a failure (adapters must not throw), except where the check throws on
/// purpose.
[[nodiscard]] inline CheckOutcome run_check(const ConformanceCheck& check, const ConformanceFactory& factory) {
  CheckOutcome out;
#if defined(__cpp_exceptions)
  try {
    check.run(factory, out);
  } catch (const std::exception& e) {
    out.failures.push_back(std::string("the adapter threw: ") + e.what());
  } catch (...) {
    out.failures.push_back("the adapter threw");
  }
#else
  check.run(factory, out);
#endif
  return out;
}

}  // namespace testing

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_TESTING_STORAGE_CONFORMANCE_HPP_
