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
#include "sorights/detail/snapshot_builder.hpp"  // detail::Validator, detail::SnapshotBuilder

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

inline std::string dq(std::string_view s) { return "\"" + escape_text(s, 200) + "\""; }

inline std::string_view kind_name(EntityKind k) {
  return kEntityKindNames[static_cast<std::size_t>(k)];
}

// The collection name a diagnostic uses for an entity kind (model-file names).
inline std::string_view kind_collection(EntityKind k) {
  switch (k) {
    case EntityKind::kOurCompany: return "our_companies";
    case EntityKind::kGroup: return "groups";
    case EntityKind::kLicence: return "licences";
    case EntityKind::kPlan: return "plans";
    case EntityKind::kFunctionalRight: return "functional_rights";
    case EntityKind::kObject: return "objects";
    case EntityKind::kRole: return "roles";
    case EntityKind::kUser: return "users";
    case EntityKind::kFieldRights: return "field_rights";
    case EntityKind::kOverrides: return "overrides";
  }
  return "entities";
}

// Calls host code (a storage adapter, a callback): an exception it throws
// becomes kInternal with its message, whatever the build mode of the host
// (the compiled library is built with exceptions for this reason). Nothing
// the library holds is left changed: callers call host code before they
// change state, or undo on error.
template <class F>
auto call_host(std::string_view who, F&& f) -> decltype(f()) {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
  try {
    return f();
  } catch (const std::exception& e) {
    return Error(ErrorCode::kInternal, std::string(who) + " threw an exception: " + e.what());
  } catch (...) {
    return Error(ErrorCode::kInternal, std::string(who) + " threw an exception");
  }
#else
  (void)who;
  return f();
#endif
}

template <class F>
auto call_adapter(F&& f) -> decltype(f()) {
  return call_host("the storage adapter", std::forward<F>(f));
}

template <class T>
const T* get_value(const std::optional<Entity>& e) {
  return e ? std::get_if<T>(&*e) : nullptr;
}

// The changes turning `from` into `to` for one kind. Entities at the same
// position with the same id (the common case: edits in place, additions at
// the end) are compared directly; the rest are matched by id. `from` holds
// unique ids (it is a compiled model); duplicate ids in `to` are reported to
// `dups` when given.
template <class T>
void diff_entities(std::vector<Change>& out, std::vector<Diagnostic>* dups, EntityKind kind,
                   const std::vector<T>& from, const std::vector<T>& to) {
  const std::size_t lim = std::min(from.size(), to.size());
  std::size_t k = 0;
  for (; k < lim && from[k].id == to[k].id; ++k)
    if (!(from[k] == to[k])) out.push_back(Change{kind, to[k].id, Entity(from[k]), Entity(to[k])});
  if (k == from.size() && k == to.size()) return;
  std::unordered_map<std::string_view, const T*> old;
  old.reserve(from.size() - k);
  for (std::size_t i = k; i < from.size(); ++i) old.emplace(from[i].id, &from[i]);
  std::unordered_set<std::string_view> seen;
  seen.reserve(to.size() - k);
  std::unordered_set<std::string_view> prefix;  // ids of to[0, k), built on demand
  bool prefix_built = false;
  for (std::size_t i = k; i < to.size(); ++i) {
    const T& e = to[i];
    if (!seen.insert(e.id).second) {
      if (dups) dups->push_back(Diagnostic{std::string(kind_collection(kind)), e.id, "id", "duplicate-id",
                                           "duplicate id " + dq(e.id)});
      continue;
    }
    auto it = old.find(e.id);
    if (it != old.end()) {
      if (!(*it->second == e)) out.push_back(Change{kind, e.id, Entity(*it->second), Entity(e)});
      continue;
    }
    if (dups && k != 0) {
      if (!prefix_built) {
        prefix.reserve(k);
        for (std::size_t j = 0; j < k; ++j) prefix.insert(to[j].id);
        prefix_built = true;
      }
      if (prefix.contains(e.id)) {
        dups->push_back(Diagnostic{std::string(kind_collection(kind)), e.id, "id", "duplicate-id",
                                   "duplicate id " + dq(e.id)});
        continue;
      }
    }
    out.push_back(Change{kind, e.id, std::nullopt, Entity(e)});
  }
  for (std::size_t i = k; i < from.size(); ++i)
    if (!seen.contains(from[i].id)) out.push_back(Change{kind, from[i].id, Entity(from[i]), std::nullopt});
}

template <class T>
void diff_whole(std::vector<Change>& out, EntityKind kind, const std::vector<T>& from,
                const std::vector<T>& to) {
  if (from != to) out.push_back(Change{kind, {}, Entity(from), Entity(to)});
}

inline bool user_inactive(const User& u) {
  return u.retired || u.former_employee || !u.can_log_in || u.type == UserType::kResource;
}

inline std::string inactive_reason(const User& u) {
  if (u.retired) return "retired";
  if (u.former_employee) return "a former employee";
  if (u.type == UserType::kResource) return "a resource";
  return "not allowed to log in";
}

inline bool right_exists(const Model& m, std::string_view id) {
  if (find_builtin_right(id)) return true;
  return std::any_of(m.functional_rights.begin(), m.functional_rights.end(),
                     [&](const FunctionalRightDef& r) { return r.id == id; });
}

inline bool object_exists(const Model& m, std::string_view id) {
  if (is_builtin_object(id)) return true;
  return std::any_of(m.objects.begin(), m.objects.end(),
                     [&](const DataObjectDef& o) { return o.id == id; });
}

template <class T>
Result<void> put_entity(std::vector<T>& items, T value, std::string_view what) {
  if (value.id.empty()) return Error(ErrorCode::kInvalidArgument, std::string(what) + " id may not be empty");
  auto it = std::find_if(items.begin(), items.end(), [&](const T& t) { return t.id == value.id; });
  if (it != items.end()) *it = std::move(value);
  else items.push_back(std::move(value));
  return {};
}

template <class T>
Result<void> remove_entity(std::vector<T>& items, std::string_view id, std::string_view what) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& t) { return t.id == id; });
  if (it == items.end()) return Error(ErrorCode::kNotFound, "unknown " + std::string(what) + " " + dq(id));
  items.erase(it);
  return {};
}

inline Error not_found(std::string_view what, std::string_view id) {
  return Error(ErrorCode::kNotFound, "unknown " + std::string(what) + " " + dq(id));
}

// What an actor may do, judged on the base snapshot.
struct ActorView {
  bool system = false;  // the built-in system actor or an active system user
  const User* user = nullptr;
  UserIndex index = kUnknownUser;
  const Snapshot* snapshot = nullptr;

  [[nodiscard]] bool has(std::string_view right) const {
    if (system) return true;
    return snapshot->has(index, snapshot->find_right(right));
  }
  [[nodiscard]] bool admin_all() const { return has("admin-all"); }
  [[nodiscard]] std::string_view role() const {
    return user ? std::string_view(user->role) : std::string_view();
  }
};

// Resolves the actor against `state`; an error for an unknown or inactive one.
inline Result<ActorView> resolve_actor(const DirectoryState& state, const std::string& actor) {
  ActorView v;
  v.snapshot = &state.snapshot;
  if (actor.empty()) {
    v.system = true;
    return v;
  }
  // User index i is model.users[i] (DirectoryState's invariant): O(log n).
  const auto at = static_cast<std::size_t>(state.snapshot.find_user(actor));
  v.user = at < state.model.users.size() && state.model.users[at].id == actor ? &state.model.users[at]
                                                                            : state.model.find_user(actor);
  if (v.user == nullptr)
    return Error(ErrorCode::kNotFound, "unknown actor " + dq(actor),
                 {Diagnostic{"users", escape_text(actor, 200), "", "unknown-actor",
                             "the actor " + dq(actor) + " is not a user of the model"}});
  if (user_inactive(*v.user))
    return Error(ErrorCode::kPermissionDenied, "the actor " + dq(actor) + " is inactive",
                 {Diagnostic{"users", escape_text(actor, 200), "", "inactive-actor",
                             "the actor " + dq(actor) + " is " + inactive_reason(*v.user) +
                                 " and may change nothing"}});
  v.index = state.snapshot.find_user(actor);
  v.system = v.user->type == UserType::kSystem;
  return v;
}

// compile() for a model read back from a store or made from one by a change
// set: every rule but the texts of ids and names, which a store written by an
// older version may break (they are escaped wherever printed). The texts of
// what a commit changes are judged by CommitChecker.
inline Result<Snapshot> compile_stored(const Model& model, std::uint64_t version) {
  std::vector<Diagnostic> problems = Validator(model, false).run();
  if (!problems.empty()) {
    std::string message = "the model breaks " + std::to_string(problems.size()) +
                          (problems.size() == 1 ? " rule: " : " rules; first: ") + problems.front().to_string();
    return Error(ErrorCode::kFailedPrecondition, std::move(message), std::move(problems));
  }
  return SnapshotBuilder::build(model, version);
}

// An *effective administrator*: an active associate whose role holds
// admin-all (docs/design/0006-administration-chain.md).
inline bool effective_admin(const User& u, const std::vector<std::string_view>& admin_roles) {
  if (u.type != UserType::kAssociate || user_inactive(u)) return false;
  return std::find(admin_roles.begin(), admin_roles.end(), std::string_view(u.role)) != admin_roles.end();
}

inline std::vector<std::string_view> admin_role_ids(const Model& m) {
  std::vector<std::string_view> out;
  for (const Role& r : m.roles)
    if (r.has_right("admin-all")) out.push_back(r.id);
  return out;
}

inline bool has_effective_admin(const Model& m) {
  const std::vector<std::string_view> roles = admin_role_ids(m);
  if (roles.empty()) return false;
  return std::any_of(m.users.begin(), m.users.end(), [&](const User& u) { return effective_admin(u, roles); });
}

// Checks the authorization rules (into `denied`) and the role and company
// rules that depend on the change rather than on the final model (into
// `broken`): docs/design/0002-transactions.md and
// docs/design/0006-administration-chain.md. `prev` is the model the changes
// apply to, `next` the model they make. The final model's own rules are
// compile()'s.
class CommitChecker {
 public:
  CommitChecker(const Model& prev, const Model& next, const ActorView& actor, const std::string& actor_id)
      : prev_(prev), next_(next), actor_(actor), actor_id_(actor_id) {
    if (actor_.user != nullptr) actor_role_ = prev_.find_role(actor_.user->role);
  }

  void run(const std::vector<Change>& changes) {
    bool users_or_roles = false;
    for (const Change& c : changes) {
      need_right(c);
      check_texts(c);
      switch (c.kind) {
        case EntityKind::kUser:
          check_user(c);
          users_or_roles = true;
          break;
        case EntityKind::kRole:
          check_role(c);
          users_or_roles = true;
          break;
        case EntityKind::kFieldRights: check_field_rights(c); break;
        case EntityKind::kOurCompany: check_our_company(c); break;
        default: break;
      }
    }
    if (users_or_roles) check_last_admin(changes);
  }

  std::vector<Diagnostic> denied;
  std::vector<Diagnostic> broken;

 private:
  void deny(const Change& c, std::string field, std::string rule, std::string message) {
    denied.push_back(Diagnostic{std::string(kind_collection(c.kind)), escape_text(c.id, 200), std::move(field),
                                std::move(rule), std::move(message)});
  }
  void breaks(const Change& c, std::string field, std::string rule, std::string message) {
    broken.push_back(Diagnostic{std::string(kind_collection(c.kind)), escape_text(c.id, 200), std::move(field),
                                std::move(rule), std::move(message)});
  }
  std::string who() const { return "the actor " + dq(actor_id_); }
  void bad_text(const Change& c, std::string_view field, std::string_view rule, std::string_view what,
                std::string_view value, std::string_view problem) {
    breaks(c, std::string(field), std::string(rule),
           "invalid " + std::string(what) + " " + dq(value) + ": it " + std::string(problem));
  }
  void id_text(const Change& c, std::string_view field, std::string_view value) {
    if (std::string_view p = id_problem(value); !p.empty()) bad_text(c, field, "invalid-id", "id", value, p);
  }
  void name_text(const Change& c, std::string_view field, std::string_view value) {
    if (std::string_view p = name_problem(value); !p.empty()) bad_text(c, field, "invalid-name", "name", value, p);
  }

  // Ids and names of what the change adds or edits (ids.hpp).
  void check_texts(const Change& c) {
    if (!c.after) return;
    std::visit(
        [&](const auto& e) {
          using T = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<T, std::vector<FieldRightRule>>) {
            for (const FieldRightRule& f : e)
              if (!f.field.empty()) id_text(c, "field", f.field);
          } else if constexpr (std::is_same_v<T, std::vector<Override>>) {
            for (const Override& o : e) {
              if (o.scope == OverrideScope::kRecord && !o.record.empty()) id_text(c, "record", o.record);
              if (!o.field.empty()) id_text(c, "field", o.field);
            }
          } else {
            if (!e.id.empty()) id_text(c, "id", e.id);
            name_text(c, "name", e.name);
            if constexpr (std::is_same_v<T, User>) {
              if (!e.person.empty()) id_text(c, "person", e.person);
              if (e.type == UserType::kExternal && !e.company.empty()) id_text(c, "company", e.company);
              for (const std::string& p : e.projects) id_text(c, "projects", p);
            }
          }
        },
        *c.after);
  }

  // The built-in system actor or an active system user: may do all.
  bool unlimited() const { return actor_.system; }
  bool admin_all() const { return actor_.admin_all(); }

  void need_right(const Change& c) {
    std::string_view right;
    std::string_view what;
    switch (c.kind) {
      case EntityKind::kUser: right = "admin-users"; what = "users"; break;
      case EntityKind::kRole: right = "admin-role"; what = "roles"; break;
      case EntityKind::kFieldRights: right = "admin-role"; what = "field rights"; break;
      case EntityKind::kFunctionalRight: right = "admin-role"; what = "declared functional rights"; break;
      case EntityKind::kOurCompany: right = "admin-lists"; what = "our companies"; break;
      case EntityKind::kGroup: right = "admin-lists"; what = "user groups"; break;
      case EntityKind::kLicence: right = "admin-lists"; what = "licences"; break;
      case EntityKind::kPlan: right = "admin-lists"; what = "user plans"; break;
      case EntityKind::kObject: right = "admin-lists"; what = "custom data objects"; break;
      case EntityKind::kOverrides: right = "admin-preferences"; what = "overrides"; break;
    }
    if (admin_all() || actor_.has(right)) return;
    deny(c, "", "needs-" + std::string(right),
         who() + " needs admin-all or " + std::string(right) + " to change " + std::string(what));
  }

  // The grants among `rights` that the actor lacks. Restrictive rights take
  // something away: holding one is never a grant.
  std::vector<std::string> lacking(const Model& m, const std::vector<std::string>& rights) const {
    std::vector<std::string> out;
    if (admin_all()) return out;
    for (const std::string& r : rights)
      if (!is_restrictive_right(m, r) && !actor_.has(r)) out.push_back(r);
    return out;
  }

  // Restrictions the actor is under that `from` holds and `to` does not:
  // taking them away is a grant beyond the actor's own (admin-all aside).
  std::vector<std::string> lifted(const std::vector<std::string>& from, const Role* to) const {
    std::vector<std::string> out;
    if (admin_all() || actor_role_ == nullptr) return out;
    for (const std::string& r : from)
      if (is_restrictive_right(prev_, r) && (to == nullptr || !to->has_right(r)) && actor_role_->has_right(r))
        out.push_back(r);
    return out;
  }

  // At most `limit` ids, then how many more.
  static std::string join(const std::vector<std::string>& v, std::size_t limit = 4) {
    std::string out;
    for (std::size_t i = 0; i < v.size() && i < limit; ++i) out += (out.empty() ? "" : ", ") + dq(v[i]);
    if (v.size() > limit) out += " and " + std::to_string(v.size() - limit) + " more";
    return out;
  }

  // The user `before` outranks the actor: a system user, or a user whose
  // current role holds admin-all or a (non-restrictive) right the actor lacks.
  void check_target(const Change& c, const User& before) {
    if (unlimited() || admin_all()) return;
    if (before.type == UserType::kSystem) {
      deny(c, "", "target-outranks-actor",
           who() + " cannot change " + dq(c.id) + ": a system user holds every grant (only admin-all may)");
      return;
    }
    const Role* role = prev_.find_role(before.role);
    if (role == nullptr) return;
    std::vector<std::string> missing = lacking(prev_, role->functional_rights);
    if (role->has_right("admin-all") && missing.empty()) missing.push_back("admin-all");
    if (!missing.empty())
      deny(c, "", "target-outranks-actor",
           who() + " cannot change " + dq(c.id) + ": their role " + dq(role->id) + " holds " + join(missing) +
               ", which the actor lacks");
  }

  void check_self_lockout(const Change& c, const User& before, const User* after) {
    if (actor_id_.empty() || c.id != actor_id_) return;
    std::string what;
    if (after == nullptr) what = "delete themselves";
    else if (after->retired && !before.retired) what = "retire themselves";
    else if (after->former_employee && !before.former_employee) what = "mark themselves a former employee";
    else if (!after->can_log_in && before.can_log_in) what = "switch off their own login";
    else if (after->type != before.type) what = "change their own user type";
    if (!what.empty()) deny(c, "", "self-lockout", "no one may " + what);
  }

  void check_user(const Change& c) {
    const User* before = get_value<User>(c.before);
    const User* after = get_value<User>(c.after);
    if (before != nullptr) {
      check_target(c, *before);
      check_self_lockout(c, *before, after);
    }
    if (after == nullptr) return;
    // A system user holds every grant whatever its role lists: making one
    // assigns every grant.
    const bool becomes_system =
        after->type == UserType::kSystem && (before == nullptr || before->type != UserType::kSystem);
    const bool role_changes = before == nullptr || before->role != after->role || becomes_system;
    if (!role_changes || (after->role.empty() && !becomes_system)) return;
    if (unlimited()) return;
    if (before != nullptr && c.id == actor_id_)
      deny(c, "role", "own-role-assignment", "no one changes their own role assignment");
    if (becomes_system) {
      if (!admin_all())
        deny(c, "type", "privilege-escalation",
             who() + " cannot make " + dq(c.id) +
                 " a system user: a system user holds every grant (only admin-all may)");
      return;
    }
    const Role* role = next_.find_role(after->role);
    if (role == nullptr) return;  // compile() reports the unknown role
    std::vector<std::string> missing = lacking(next_, role->functional_rights);
    if (!missing.empty())
      deny(c, "role", "privilege-escalation",
           who() + " cannot assign role " + dq(role->id) + ": it holds " + join(missing) +
               ", which the actor lacks" +
               (role->has_right("admin-all") ? " (only admin-all may assign a role holding admin-all)" : ""));
    if (before != nullptr)
      if (const Role* old_role = prev_.find_role(before->role)) {
        std::vector<std::string> freed = lifted(old_role->functional_rights, role);
        if (!freed.empty())
          deny(c, "role", "privilege-escalation",
               who() + " cannot lift " + join(freed) + " from " + dq(c.id) + ": the actor is under " +
                   (freed.size() == 1 ? "that restriction" : "those restrictions") + " too");
      }
  }

  void check_role(const Change& c) {
    const Role* before = get_value<Role>(c.before);
    const Role* after = get_value<Role>(c.after);
    if (before != nullptr && after == nullptr) {
      check_role_delete(c, *before);
      return;
    }
    if (after == nullptr) return;
    if (before != nullptr && before->type != after->type && !is_predefined_role(c.id))
      breaks(c, "type", "role-type-fixed",
             "the type of role " + dq(c.id) + " is " + std::string(role_type_name(before->type)) +
                 " and cannot change");
    if (unlimited()) return;
    if (before != nullptr && c.id == actor_.role() && !admin_all())
      deny(c, "", "own-role-edit", "editing the role one holds (" + dq(c.id) + ") needs admin-all");
    std::vector<std::string> added;
    for (const std::string& r : after->functional_rights)
      if (before == nullptr || !before->has_right(r)) added.push_back(r);
    std::vector<std::string> missing = lacking(next_, added);
    if (!missing.empty())
      deny(c, "functional_rights", "privilege-escalation",
           who() + " cannot add " + join(missing) + " to role " + dq(c.id) +
               ": the actor lacks " + (missing.size() == 1 ? "it" : "them"));
    if (before != nullptr) {
      std::vector<std::string> freed = lifted(before->functional_rights, after);
      if (!freed.empty())
        deny(c, "functional_rights", "privilege-escalation",
             who() + " cannot remove " + join(freed) + " from role " + dq(c.id) + ": the actor is under " +
                 (freed.size() == 1 ? "that restriction" : "those restrictions") + " too");
    }
    check_cells(c, before, *after);
  }

  // data-rights-escalation, table cells: every letter added to a cell must
  // be in the actor's own role's cell (object, relation).
  void check_cells(const Change& c, const Role* before, const Role& after) {
    if (admin_all()) return;
    for (const auto& [object, cells] : after.data_rights) {
      for (int rel = 0; rel < kRelationCount; ++rel) {
        const auto relation = static_cast<Relation>(rel);
        const TableRights was = before != nullptr ? before->cell(object, relation) : TableRights{};
        const TableRights added = (cells[static_cast<std::size_t>(rel)] - was) & TableRights::full();
        if (added.empty()) continue;
        const TableRights own = actor_role_ != nullptr ? actor_role_->cell(object, relation) : TableRights{};
        const TableRights beyond = added - own;
        if (beyond.empty()) continue;
        deny(c, "data_rights." + object + "." + std::string(relation_name(relation)), "data-rights-escalation",
             who() + " cannot add " + beyond.to_crud() + " to role " + dq(c.id) + "'s " + object + "/" +
                 std::string(relation_name(relation)) + " cell: the actor's own role has " +
                 (own.empty() ? std::string("none") : own.to_crud()) + " there");
      }
    }
  }

  // The actor's own field right for (object, field, relation): its field
  // rule, or without one what its table cell gives.
  FieldRights own_field(std::string_view object, std::string_view field, Relation relation) const {
    if (actor_role_ == nullptr) return {};
    for (const FieldRightRule& f : prev_.field_rights)
      if (f.role == actor_role_->id && f.object == object && f.field == field && f.relation == relation)
        return f.rights.access();
    const TableRights cell = actor_role_->cell(object, relation);
    std::uint32_t bits = 0;
    if (cell.contains_any(TableRight::kSelect)) bits |= 1u;
    if (cell.contains_any(TableRight::kUpdate | TableRight::kInsert)) bits |= 2u;
    return FieldRights::from_bits(bits);
  }

  // data-rights-escalation, field cells: R or W added to a field-rights cell
  // must be in the actor's own field right there.
  void check_field_rights(const Change& c) {
    if (unlimited() || admin_all()) return;
    const auto* before = get_value<std::vector<FieldRightRule>>(c.before);
    const auto* after = get_value<std::vector<FieldRightRule>>(c.after);
    if (after == nullptr) return;
    for (const FieldRightRule& f : *after) {
      FieldRights was;
      if (before != nullptr)
        for (const FieldRightRule& b : *before)
          if (b.role == f.role && b.object == f.object && b.field == f.field && b.relation == f.relation)
            was = b.rights.access();
      const FieldRights added = f.rights.access() - was;
      if (added.access().bits() == 0) continue;
      const FieldRights own = own_field(f.object, f.field, f.relation);
      const FieldRights beyond = added.access() - own;
      if (beyond.access().bits() == 0) continue;
      deny(c, f.role + "/" + f.object + "." + f.field, "data-rights-escalation",
           who() + " cannot add " + beyond.to_letters() + " to role " + dq(f.role) + "'s field right on " +
               f.object + "." + f.field + " (" + std::string(relation_name(f.relation)) +
               "): the actor's own role has " + (own.access().bits() == 0 ? std::string("none") : own.to_letters()) +
               " there");
    }
  }


 public:
  // Licences, plans and declared rights decide who holds a right that needs
  // a licence: such a change may not make any user newly hold a grant the
  // actor lacks (privilege-escalation). Judged on the compiled snapshots,
  // before (`was`) and after (`now`). Changes of users and roles are judged
  // by the rules above.
  void check_gained_rights(const std::vector<Change>& changes, const Snapshot& was, const Snapshot& now) {
    if (unlimited() || admin_all()) return;
    const bool may_matter = std::any_of(changes.begin(), changes.end(), [](const Change& c) {
      return c.kind == EntityKind::kLicence || c.kind == EntityKind::kPlan || c.kind == EntityKind::kFunctionalRight;
    });
    if (!may_matter) return;
    // The rights the actor lacks, each resolved once in both snapshots.
    struct Grant {
      std::string_view id;
      RightIndex now, was;
    };
    std::vector<Grant> grants;
    auto lacks = [&](std::string_view id) {
      if (!actor_.has(id)) grants.push_back(Grant{id, now.find_right(id), was.find_right(id)});
    };
    for (std::size_t i = 0; i < kBuiltinRightCount; ++i)
      if (!builtin_right_restrictive(i)) lacks(builtin_right_id(i));
    for (const FunctionalRightDef& r : next_.functional_rights)
      if (!r.restrictive) lacks(r.id);
    std::size_t reported = 0;
    for (const User& u : next_.users) {
      if (u.type == UserType::kSystem) continue;  // holds every grant by type, declared ones too
      const UserIndex after = now.find_user(u.id);
      const UserIndex before = was.find_user(u.id);
      for (const Grant& g : grants) {
        if (!now.has(after, g.now) || (before != kUnknownUser && was.has(before, g.was))) continue;
        const std::string_view r = g.id;
        if (++reported <= 8)
          denied.push_back(Diagnostic{"users", escape_text(u.id, 200), "", "privilege-escalation",
                                      who() + " cannot make " + dq(u.id) + " hold " + dq(r) +
                                          " (through a licence or plan change): the actor lacks it"});
      }
    }
  }

 private:
  // last-admin: a store with an effective administrator keeps one.
  void check_last_admin(const std::vector<Change>& changes) {
    // Only users and roles decide who is an effective administrator. A
    // change of users only, none of whom was one, cannot remove the last.
    bool may_matter = false;
    const std::vector<std::string_view> admin_roles = admin_role_ids(prev_);
    for (const Change& c : changes) {
      if (c.kind == EntityKind::kRole) may_matter = true;
      if (const User* u = get_value<User>(c.before); c.kind == EntityKind::kUser && u != nullptr)
        if (effective_admin(*u, admin_roles)) may_matter = true;
      if (may_matter) break;
    }
    if (!may_matter || has_effective_admin(next_) || !has_effective_admin(prev_)) return;
    broken.push_back(Diagnostic{"users", "", "", "last-admin",
                                "the change would leave no effective administrator (an active associate "
                                "whose role holds admin-all)"});
  }

  void check_role_delete(const Change& c, const Role& before) {
    if (before.type == RoleType::kAnonymous || c.id == "anonymous")
      breaks(c, "", "anonymous-role-not-deleted", "the anonymous role is never deleted");
    if (before.type == RoleType::kSystem || c.id == "system")
      breaks(c, "", "system-role-not-deleted", "the system role is never deleted");
    if (c.id == "level-0")
      breaks(c, "", "level-0-not-deleted", "User level 0 is never deleted");
    if (!actor_id_.empty() && c.id == actor_.role())
      deny(c, "", "own-role-delete", "no one deletes the role they hold (" + dq(c.id) + ")");
    const bool another_of_type = std::any_of(next_.roles.begin(), next_.roles.end(), [&](const Role& r) {
      return r.type == before.type;
    });
    if (!another_of_type)
      breaks(c, "", "last-role",
             "role " + dq(c.id) + " is the last " + std::string(role_type_name(before.type)) +
                 " role and cannot be deleted");
    std::size_t users = 0;
    for (const User& u : next_.users)
      if (u.role == c.id) ++users;
    if (users != 0)
      breaks(c, "", "delete-needs-replacement",
             "role " + dq(c.id) + " still has " + std::to_string(users) +
                 " user(s); delete it with a replacement role");
  }

  void check_our_company(const Change& c) {
    const OurCompany* before = get_value<OurCompany>(c.before);
    const OurCompany* after = get_value<OurCompany>(c.after);
    if (before == nullptr) return;
    if (after == nullptr) {
      if (before->database_owner)
        breaks(c, "", "database-owner-not-deleted", "the database-owner company is never deleted");
      std::size_t users = 0;
      for (const User& u : next_.users)
        if (u.company == c.id) ++users;
      if (users != 0)
        breaks(c, "", "company-has-users",
               "our company " + dq(c.id) + " still has " + std::to_string(users) + " user(s)");
      return;
    }
    if (before->database_owner && after->database_owner && before->name != after->name)
      breaks(c, "name", "database-owner-name-read-only", "the database owner's name is read-only");
  }

  const Model& prev_;
  const Model& next_;
  const ActorView& actor_;
  const std::string& actor_id_;
  const Role* actor_role_ = nullptr;  // the actor's role in `prev_`
};

// The refusal reason for the audit trail: every diagnostic once (the
// message only summarizes them), or the message when there are none.
inline std::string one_line(const Error& e) {
  if (e.diagnostics.empty()) return e.message;
  std::string out;
  for (const Diagnostic& d : e.diagnostics) {
    if (!out.empty()) out += "; ";
    out += d.rule.empty() ? d.to_string() : "[" + d.rule + "] " + d.to_string();
  }
  return out;
}

}  // namespace detail

// -----------------------------------------------------------------------------
// diff_models
// -----------------------------------------------------------------------------

namespace detail {

inline std::vector<Change> diff_checked(const Model& from, const Model& to, std::vector<Diagnostic>* dups) {
  std::vector<Change> out;
  diff_entities(out, dups, EntityKind::kOurCompany, from.our_companies, to.our_companies);
  diff_entities(out, dups, EntityKind::kGroup, from.groups, to.groups);
  diff_entities(out, dups, EntityKind::kLicence, from.licences, to.licences);
  diff_entities(out, dups, EntityKind::kPlan, from.plans, to.plans);
  diff_entities(out, dups, EntityKind::kFunctionalRight, from.functional_rights, to.functional_rights);
  diff_entities(out, dups, EntityKind::kObject, from.objects, to.objects);
  diff_entities(out, dups, EntityKind::kRole, from.roles, to.roles);
  diff_entities(out, dups, EntityKind::kUser, from.users, to.users);
  diff_whole(out, EntityKind::kFieldRights, from.field_rights, to.field_rights);
  diff_whole(out, EntityKind::kOverrides, from.overrides, to.overrides);
  return out;
}

}  // namespace detail

SORIGHTS_INLINE std::vector<Change> diff_models(const Model& from, const Model& to) {
  return detail::diff_checked(from, to, nullptr);
}

// -----------------------------------------------------------------------------
// Transaction: staged edits
// -----------------------------------------------------------------------------

SORIGHTS_INLINE Transaction::Transaction(std::shared_ptr<Directory> dir,
                                         std::shared_ptr<const DirectoryState> base, std::string actor)
    : dir_(std::move(dir)), base_(std::move(base)), actor_(std::move(actor)) {}

SORIGHTS_INLINE void Transaction::rebase() {
  base_ = dir_->state();
  staged_.reset();
  user_edits_.clear();
  moves_.clear();
}

SORIGHTS_INLINE Model& Transaction::stage() {
  if (!staged_) {
    staged_ = base_->model;
    for (UserEdit& e : user_edits_) staged_->users[e.position] = std::move(e.user);
    user_edits_.clear();
  }
  return *staged_;
}

SORIGHTS_INLINE const Model& Transaction::staged() const {
  if (!user_edits_.empty()) return const_cast<Transaction*>(this)->stage();
  return view();
}

SORIGHTS_INLINE User* Transaction::edit_target(std::string_view id) {
  if (staged_) return staged_->find_user(id);
  for (UserEdit& e : user_edits_)
    if (e.user.id == id) return &e.user;
  const std::vector<User>& users = base_->model.users;
  auto at = static_cast<std::size_t>(base_->snapshot.find_user(id));
  if (at >= users.size() || users[at].id != id) {
    // Not indexed by the snapshot (cannot happen for a published state): look.
    auto it = std::find_if(users.begin(), users.end(), [&](const User& u) { return u.id == id; });
    if (it == users.end()) return nullptr;
    at = static_cast<std::size_t>(it - users.begin());
  }
  user_edits_.push_back(UserEdit{at, users[at]});
  return &user_edits_.back().user;
}

SORIGHTS_INLINE std::vector<Change> Transaction::staged_changes(std::vector<Diagnostic>* dups) const {
  if (staged_) return detail::diff_checked(base_->model, *staged_, dups);
  // Edits in place: the changes diff_models would list, in model order.
  std::vector<const UserEdit*> edits;
  edits.reserve(user_edits_.size());
  for (const UserEdit& e : user_edits_) edits.push_back(&e);
  std::sort(edits.begin(), edits.end(),
            [](const UserEdit* a, const UserEdit* b) { return a->position < b->position; });
  std::vector<Change> out;
  for (const UserEdit* e : edits) {
    const User& was = base_->model.users[e->position];
    if (!(was == e->user)) out.push_back(Change{EntityKind::kUser, was.id, Entity(was), Entity(e->user)});
  }
  return out;
}

SORIGHTS_INLINE Result<void> Transaction::add_user(User user) {
  if (user.id.empty()) return Error(ErrorCode::kInvalidArgument, "a user id may not be empty");
  if (stage().find_user(user.id) != nullptr)
    return Error(ErrorCode::kAlreadyExists, "user " + detail::dq(user.id) + " already exists");
  stage().users.push_back(std::move(user));
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::put_user(User user) {
  if (!staged_ && !user.id.empty())
    if (User* u = edit_target(user.id)) {  // an existing user, replaced in place
      *u = std::move(user);
      return {};
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
    return Error(ErrorCode::kInvalidArgument, "edit_user may not change the id of user " + detail::dq(id));
  *u = std::move(copy);
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::set_user_role(std::string_view user, std::string_view role) {
  User* u = edit_target(user);
  if (u == nullptr) return detail::not_found("user", user);
  if (view().find_role(role) == nullptr) return detail::not_found("role", role);
  u->role = std::string(role);
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::set_user_groups(std::string_view user, std::string primary,
                                                          std::vector<std::string> others) {
  User* u = edit_target(user);
  if (u == nullptr) return detail::not_found("user", user);
  if (!primary.empty() && view().find_group(primary) == nullptr) return detail::not_found("group", primary);
  for (const std::string& g : others)
    if (view().find_group(g) == nullptr) return detail::not_found("group", g);
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
  if (stage().find_role(role.id) != nullptr)
    return Error(ErrorCode::kAlreadyExists, "role " + detail::dq(role.id) + " already exists");
  stage().roles.push_back(std::move(role));
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::copy_role(std::string_view from, std::string id, std::string name) {
  const Role* src = stage().find_role(from);
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
  Role* r = stage().find_role(id);
  if (r == nullptr) return detail::not_found("role", id);
  r->name = std::move(name);
  r->description = std::move(description);
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::put_role(Role role) {
  return detail::put_entity(stage().roles, std::move(role), "a role");
}

SORIGHTS_INLINE Result<void> Transaction::delete_role(std::string_view id, std::string_view replacement) {
  const Role* r = stage().find_role(id);
  if (r == nullptr) return detail::not_found("role", id);
  if (id == replacement)
    return Error(ErrorCode::kInvalidArgument, "role " + detail::dq(id) + " cannot replace itself");
  const Role* repl = stage().find_role(replacement);
  if (repl == nullptr) return detail::not_found("role", replacement);
  if (repl->type != r->type)
    return Error(ErrorCode::kInvalidArgument,
                 "replacement role " + detail::dq(replacement) + " is of type " +
                     std::string(role_type_name(repl->type)) + ", role " + detail::dq(id) + " of type " +
                     std::string(role_type_name(r->type)));
  for (User& u : stage().users)
    if (u.role == id) u.role = std::string(replacement);
  std::erase_if(stage().field_rights, [&](const FieldRightRule& f) { return f.role == id; });
  return detail::remove_entity(stage().roles, id, "role");
}

SORIGHTS_INLINE Result<void> Transaction::set_data_right(std::string_view role, std::string_view object,
                                                         Relation relation, TableRights rights) {
  Role* r = stage().find_role(role);
  if (r == nullptr) return detail::not_found("role", role);
  if (!detail::object_exists(stage(), object)) return detail::not_found("data object", object);
  if (static_cast<int>(relation) >= kRelationCount)
    return Error(ErrorCode::kInvalidArgument, "invalid relation");
  r->set_cell(object, relation, rights);
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::set_functional_rights(std::string_view role,
                                                                std::vector<std::string> rights) {
  Role* r = stage().find_role(role);
  if (r == nullptr) return detail::not_found("role", role);
  for (const std::string& f : rights)
    if (!detail::right_exists(stage(), f)) return detail::not_found("functional right", f);
  r->functional_rights = std::move(rights);
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::grant_right(std::string_view role, std::string_view right) {
  Role* r = stage().find_role(role);
  if (r == nullptr) return detail::not_found("role", role);
  if (!detail::right_exists(stage(), right)) return detail::not_found("functional right", right);
  if (!r->has_right(right)) r->functional_rights.emplace_back(right);
  return {};
}

SORIGHTS_INLINE Result<void> Transaction::revoke_right(std::string_view role, std::string_view right) {
  Role* r = stage().find_role(role);
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
  return detail::put_entity(stage().groups, std::move(group), "a group");
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
  if (announced_->load() > state_.load()->version) {
    Result<void> refreshed = refresh_locked();
    if (!refreshed) return refreshed.error();
  }
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
    std::string msg = "the change breaks " + std::to_string(dups.size()) +
                      (dups.size() == 1 ? " rule: " : " rules; first: ") + dups.front().to_string();
    return refuse(Error(ErrorCode::kFailedPrecondition, std::move(msg), std::move(dups)));
  }
  if (cur->version != tx.base_->version) {
    // What other commits changed since `begin`, entity by entity (O(n)).
    std::set<std::pair<EntityKind, std::string_view>> theirs;
    const std::vector<Change> since = diff_models(tx.base_->model, cur->model);
    for (const Change& c : since) theirs.emplace(c.kind, c.id);
    std::vector<Diagnostic> conflicts;
    for (const Change& c : changes) {
      if (theirs.contains({c.kind, c.id}))
        conflicts.push_back(Diagnostic{std::string(detail::kind_collection(c.kind)), escape_text(c.id, 200), "", "conflict",
                                       std::string(detail::kind_name(c.kind)) +
                                           (c.id.empty() ? "" : " " + detail::dq(c.id)) +
                                           " was changed by another commit since version " +
                                           std::to_string(tx.base_->version)});
    }
    if (!conflicts.empty()) {
      std::string msg = "conflict: " + conflicts.front().message;
      if (conflicts.size() > 1) msg += " (and " + std::to_string(conflicts.size() - 1) + " more)";
      return refuse(Error(ErrorCode::kConflict, std::move(msg), std::move(conflicts)));
    }
  }
  // Users edited in place (the Users screen's Save) take the incremental
  // path: the next model is the current one with those users replaced, made
  // by bringing the state before the current one up to date when nothing
  // else holds it (O(edited users)) instead of copying the whole model; the
  // rules are checked on the edited users and the snapshot is the current
  // one with their rows re-derived. Anything else, or anything the
  // incremental check cannot judge alone, goes through compile().
  // docs/design/0004-incremental-commit.md.
  std::vector<std::size_t> positions;
  std::vector<const User*> befores;
  bool in_place = true;
  for (const Change& c : changes) {
    const User* after = detail::get_value<User>(c.after);
    if (c.kind != EntityKind::kUser || !c.before || after == nullptr) {
      in_place = false;
      break;
    }
    const auto at = static_cast<std::size_t>(cur->snapshot.find_user(c.id));
    if (at >= cur->model.users.size() || cur->model.users[at].id != c.id || after->id != c.id) {
      in_place = false;
      break;
    }
    positions.push_back(at);
    befores.push_back(&cur->model.users[at]);
  }
  std::unique_ptr<DirectoryState> next_state;
  if (in_place && last_in_place_version_ != 0 && last_in_place_version_ == cur->version) {
    // Let go of the state before the current one: unless a reader or a
    // transaction still holds it, it lands in the recycler right here.
    (void)state_.take_previous();
    {
      std::lock_guard<std::mutex> spare_lock(recycler_->mu);
      next_state = std::move(recycler_->spare);
    }
    if (next_state && next_state->version + 1 == cur->version) {
      for (std::size_t at : last_positions_) next_state->model.users[at] = cur->model.users[at];
    } else {
      next_state.reset();
    }
  }
  if (!next_state) {
    next_state = std::make_unique<DirectoryState>();
    next_state->model = cur->model;
  }
  Model& next_model = next_state->model;
  if (in_place) {
    for (std::size_t k = 0; k < positions.size(); ++k)
      next_model.users[positions[k]] = std::get<User>(*changes[k].after);
  } else if (Result<void> applied = apply_changes(next_model, changes); !applied) {
    return std::move(applied).error();
  }
  const Model* next = &next_model;

  // 2. The actor, then every rule at once.
  Result<detail::ActorView> actor = detail::resolve_actor(*cur, tx.actor_);
  if (!actor) return refuse(actor.error());
  detail::CommitChecker checker(cur->model, *next, *actor, tx.actor_);
  checker.run(changes);
  const std::uint64_t version = cur->version + 1;
  std::optional<Snapshot> patched;
  if (in_place && detail::Validator(*next, false).users_edit_valid(positions, befores))
    patched = detail::SnapshotBuilder::patch_users(cur->snapshot, *next, positions, befores, version);
  const bool incremental = patched.has_value();
  Result<Snapshot> snapshot = incremental ? Result<Snapshot>(std::move(*patched))
                                          : detail::compile_stored(*next, version);  // the model rules, the tables
  if (snapshot) checker.check_gained_rights(changes, cur->snapshot, *snapshot);
  if (!checker.denied.empty() || !checker.broken.empty() || !snapshot) {
    const bool denied = !checker.denied.empty();
    std::vector<Diagnostic> all = std::move(checker.denied);
    all.insert(all.end(), checker.broken.begin(), checker.broken.end());
    if (!snapshot) {
      const Error& e = snapshot.error();
      if (e.diagnostics.empty()) all.push_back(Diagnostic{"", "", "", "", e.message});
      all.insert(all.end(), e.diagnostics.begin(), e.diagnostics.end());
    }
    std::string msg = std::string(denied ? "refused" : "the change breaks") + " " +
                      std::to_string(all.size()) + (all.size() == 1 ? " rule: " : " rules; first: ") +
                      (all.front().rule.empty() ? "" : "[" + all.front().rule + "] ") + all.front().to_string();
    return refuse(Error(denied ? ErrorCode::kPermissionDenied : ErrorCode::kFailedPrecondition,
                        std::move(msg), std::move(all)));
  }

  // 3. Write through the adapter, then publish; or nothing.
  ChangeSet set{cur->version, version, time, tx.actor_, changes};
  Result<void> written = detail::call_adapter([&] { return storage_->apply(set); });
  if (!written) {
    if (written.error().code == ErrorCode::kConflict) {
      // The store moved under the directory: pick up the stored state so a
      // retried transaction starts from it. If that fails (unreadable, a
      // broken model, a version behind the published one), a retry cannot
      // succeed: that is the error to report.
      Result<void> refreshed = refresh_locked();
      if (!refreshed) {
        Error e = std::move(refreshed).error();
        e.message = written.error().message + "; reloading the store failed: " + e.message;
        return e;
      }
      rebased = state_.load()->version != cur->version;
    }
    return written.error();
  }
  std::vector<UserMove> moves;
  for (UserMove m : tx.moves_) {
    const User* was = cur->model.find_user(m.user);
    const User* now_user = next->find_user(m.user);
    if (was == nullptr || now_user == nullptr || was->company == now_user->company) continue;
    m.from_company = was->company;
    m.to_company = now_user->company;
    moves.push_back(std::move(m));
  }
  next_state->snapshot = std::move(*snapshot);
  next_state->version = version;
  state_.store(wrap_state(std::move(next_state)));
  if (in_place) {
    last_in_place_version_ = version;
    last_positions_ = std::move(positions);
  } else {
    last_in_place_version_ = 0;
  }
  tx.rebase();
  return CommitInfo{version, time, std::move(changes), std::move(moves)};
}

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_DIRECTORY_INL_HPP_
