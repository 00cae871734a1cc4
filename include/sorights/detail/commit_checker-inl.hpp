// -----------------------------------------------------------------------------
// File: detail/commit_checker-inl.hpp
// -----------------------------------------------------------------------------
// Internals of Directory::commit (directory-inl.hpp): the CommitChecker that
// judges a change set against the authorization and administration rules,
// and the commit's steps that need no directory state (conflicts, in-place
// user edits, the judgement, the company moves). No API promise. Part of
// directory-inl.hpp, which includes it after directory.hpp.
#ifndef SORIGHTS_DETAIL_COMMIT_CHECKER_INL_HPP_
#define SORIGHTS_DETAIL_COMMIT_CHECKER_INL_HPP_

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sorights/detail/directory_support-inl.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

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
  std::string who() const { return "the actor " + quote_id(actor_id_); }
  void bad_text(const Change& c, std::string_view field, std::string_view rule, std::string_view what,
                std::string_view value, std::string_view problem) {
    breaks(c, std::string(field), std::string(rule),
           "invalid " + std::string(what) + " " + quote_id(value) + ": it " + std::string(problem));
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
    for (std::size_t i = 0; i < v.size() && i < limit; ++i) out += (out.empty() ? "" : ", ") + quote_id(v[i]);
    if (v.size() > limit) out += " and " + std::to_string(v.size() - limit) + " more";
    return out;
  }

  // The user `before` outranks the actor: a system user, or a user whose
  // current role holds admin-all or a (non-restrictive) right the actor lacks.
  void check_target(const Change& c, const User& before) {
    if (unlimited() || admin_all()) return;
    if (before.type == UserType::kSystem) {
      deny(c, "", "target-outranks-actor",
           who() + " cannot change " + quote_id(c.id) + ": a system user holds every grant (only admin-all may)");
      return;
    }
    const Role* role = prev_.find_role(before.role);
    if (role == nullptr) return;
    std::vector<std::string> missing = lacking(prev_, role->functional_rights);
    if (role->has_right("admin-all") && missing.empty()) missing.push_back("admin-all");
    if (!missing.empty())
      deny(c, "", "target-outranks-actor",
           who() + " cannot change " + quote_id(c.id) + ": their role " + quote_id(role->id) + " holds " + join(missing) +
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
             who() + " cannot make " + quote_id(c.id) +
                 " a system user: a system user holds every grant (only admin-all may)");
      return;
    }
    const Role* role = next_.find_role(after->role);
    if (role == nullptr) return;  // compile() reports the unknown role
    std::vector<std::string> missing = lacking(next_, role->functional_rights);
    if (!missing.empty())
      deny(c, "role", "privilege-escalation",
           who() + " cannot assign role " + quote_id(role->id) + ": it holds " + join(missing) +
               ", which the actor lacks" +
               (role->has_right("admin-all") ? " (only admin-all may assign a role holding admin-all)" : ""));
    if (before != nullptr)
      if (const Role* old_role = prev_.find_role(before->role)) {
        std::vector<std::string> freed = lifted(old_role->functional_rights, role);
        if (!freed.empty())
          deny(c, "role", "privilege-escalation",
               who() + " cannot lift " + join(freed) + " from " + quote_id(c.id) + ": the actor is under " +
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
             "the type of role " + quote_id(c.id) + " is " + std::string(role_type_name(before->type)) +
                 " and cannot change");
    if (unlimited()) return;
    if (before != nullptr && c.id == actor_.role() && !admin_all())
      deny(c, "", "own-role-edit", "editing the role one holds (" + quote_id(c.id) + ") needs admin-all");
    std::vector<std::string> added;
    for (const std::string& r : after->functional_rights)
      if (before == nullptr || !before->has_right(r)) added.push_back(r);
    std::vector<std::string> missing = lacking(next_, added);
    if (!missing.empty())
      deny(c, "functional_rights", "privilege-escalation",
           who() + " cannot add " + join(missing) + " to role " + quote_id(c.id) +
               ": the actor lacks " + (missing.size() == 1 ? "it" : "them"));
    if (before != nullptr) {
      std::vector<std::string> freed = lifted(before->functional_rights, after);
      if (!freed.empty())
        deny(c, "functional_rights", "privilege-escalation",
             who() + " cannot remove " + join(freed) + " from role " + quote_id(c.id) + ": the actor is under " +
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
             who() + " cannot add " + beyond.to_crud() + " to role " + quote_id(c.id) + "'s " + object + "/" +
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
           who() + " cannot add " + beyond.to_letters() + " to role " + quote_id(f.role) + "'s field right on " +
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
                                      who() + " cannot make " + quote_id(u.id) + " hold " + quote_id(r) +
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
      deny(c, "", "own-role-delete", "no one deletes the role they hold (" + quote_id(c.id) + ")");
    const bool another_of_type = std::any_of(next_.roles.begin(), next_.roles.end(), [&](const Role& r) {
      return r.type == before.type;
    });
    if (!another_of_type)
      breaks(c, "", "last-role",
             "role " + quote_id(c.id) + " is the last " + std::string(role_type_name(before.type)) +
                 " role and cannot be deleted");
    std::size_t users = 0;
    for (const User& u : next_.users)
      if (u.role == c.id) ++users;
    if (users != 0)
      breaks(c, "", "delete-needs-replacement",
             "role " + quote_id(c.id) + " still has " + std::to_string(users) +
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
               "our company " + quote_id(c.id) + " still has " + std::to_string(users) + " user(s)");
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

// A change set the directory can apply to the current model in place and
// compile incrementally: `edit` (positions in the current model, old values
// pointing into it) and the new values, in the order of `edit`'s lists.
struct InPlaceCommit {
  ModelEdit edit;
  std::vector<const User*> users_after, added_users;
  std::vector<const Role*> roles_after;
  std::vector<const Group*> groups_after, added_groups;
};

// Commit step 1: the entities this change set touches that other commits
// changed since its `begin` (O(n) in the model); kConflict naming them.
inline Result<void> check_conflicts(const Model& base, std::uint64_t base_version, const Model& current,
                                    const std::vector<Change>& changes) {
  std::set<std::pair<EntityKind, std::string_view>> theirs;
  const std::vector<Change> since = diff_models(base, current);
  for (const Change& c : since) theirs.emplace(c.kind, c.id);
  std::vector<Diagnostic> conflicts;
  for (const Change& c : changes) {
    if (theirs.contains({c.kind, c.id}))
      conflicts.push_back(Diagnostic{std::string(kind_collection(c.kind)), escape_text(c.id, 200), "", "conflict",
                                     std::string(kind_name(c.kind)) + (c.id.empty() ? "" : " " + quote_id(c.id)) +
                                         " was changed by another commit since version " +
                                         std::to_string(base_version)});
  }
  if (conflicts.empty()) return {};
  std::string msg = "conflict: " + conflicts.front().message;
  if (conflicts.size() > 1) msg += " (and " + std::to_string(conflicts.size() - 1) + " more)";
  return Error(ErrorCode::kConflict, std::move(msg), std::move(conflicts));
}

// One change of an entity the snapshot indexes (a user or group) at `at` in
// the current model (kNotIndexed: not there): an edit in place of a known one,
// or an addition of a new one; false for anything else.
template <class T>
bool place_change(const Change& c, std::size_t at, std::vector<std::size_t>& edited, std::vector<const T*>& afters,
                  std::vector<const T*>& added) {
  const T* after = get_value<T>(c.after);
  if (after == nullptr || after->id != c.id || c.id.empty()) return false;
  if (c.before && at != kNotIndexed) {
    edited.push_back(at);
    afters.push_back(after);
  } else if (!c.before && at == kNotIndexed) {
    added.push_back(after);
  } else {
    return false;
  }
  return true;
}

// Whether every change edits an existing user, role (its type unchanged) or
// group, or adds a user or group: the commits an administrator makes most.
// Fills `out` with positions in `cur`'s model (new entities go at the end).
inline bool classify_in_place(const DirectoryState& cur, const std::vector<Change>& changes, InPlaceCommit& out) {
  const Model& m = cur.model;
  for (const Change& c : changes) {
    switch (c.kind) {
      case EntityKind::kUser: {
        const std::size_t at = user_position(cur, c.id);
        if (!place_change(c, at, out.edit.users, out.users_after, out.added_users)) return false;
        if (c.before) out.edit.users_before.push_back(&m.users[at]);
        break;
      }
      case EntityKind::kRole: {
        const Role* after = get_value<Role>(c.after);
        const Role* before = find_by_id(m.roles, c.id);
        if (after == nullptr || !c.before || before == nullptr || after->id != c.id || before->type != after->type)
          return false;
        out.edit.roles.push_back(static_cast<std::size_t>(before - m.roles.data()));
        out.edit.roles_before.push_back(before);
        out.roles_after.push_back(after);
        break;
      }
      case EntityKind::kGroup:
        if (!place_change(c, group_position(cur, c.id), out.edit.groups, out.groups_after, out.added_groups))
          return false;
        break;
      default: return false;
    }
  }
  // Ids are unique in a diff; checked anyway, as a patch would index both.
  auto unique_ids = [](auto list) {
    std::sort(list.begin(), list.end(), [](const auto* a, const auto* b) { return a->id < b->id; });
    return std::adjacent_find(list.begin(), list.end(), [](const auto* a, const auto* b) { return a->id == b->id; }) ==
           list.end();
  };
  if (!unique_ids(out.added_users) || !unique_ids(out.added_groups)) return false;
  out.edit.added_users = out.added_users.size();
  out.edit.added_groups = out.added_groups.size();
  return true;
}

// `next` (a copy of the current model) made into the model `in_place`
// describes.
inline void apply_in_place(Model& next, const InPlaceCommit& in_place) {
  const ModelEdit& e = in_place.edit;
  for (std::size_t k = 0; k < e.users.size(); ++k) next.users[e.users[k]] = *in_place.users_after[k];
  for (const User* u : in_place.added_users) next.users.push_back(*u);
  for (std::size_t k = 0; k < e.roles.size(); ++k) next.roles[e.roles[k]] = *in_place.roles_after[k];
  for (std::size_t k = 0; k < e.groups.size(); ++k) next.groups[e.groups[k]] = *in_place.groups_after[k];
  for (const Group* g : in_place.added_groups) next.groups.push_back(*g);
}

// The message of a refusal for the rules in `all` (naming the first one's
// rule when `name_rule`).
inline std::string breaks_message(std::string_view verb, const std::vector<Diagnostic>& all, bool name_rule) {
  std::string msg(verb);
  msg += " ";
  msg += std::to_string(all.size());
  msg += all.size() == 1 ? " rule: " : " rules; first: ";
  if (name_rule && !all.front().rule.empty()) msg += "[" + all.front().rule + "] ";
  msg += all.front().to_string();
  return msg;
}

// Commit step 2: the actor, then every rule at once; the next snapshot, or
// the refusal listing every denied right and broken rule.
inline Result<Snapshot> judge_commit(const DirectoryState& cur, const Model& next, const std::string& actor_id,
                                     const std::vector<Change>& changes, const ModelEdit* edit,
                                     std::uint64_t version) {
  SORIGHTS_ASSIGN_OR_RETURN(ActorView actor, resolve_actor(cur, actor_id));
  CommitChecker checker(cur.model, next, actor, actor_id);
  checker.run(changes);
  std::optional<Snapshot> patched;
  if (edit != nullptr && Validator(next, false).edit_valid(*edit))
    patched = SnapshotBuilder::patch(cur.snapshot, next, *edit, version);
  Result<Snapshot> snapshot = patched ? Result<Snapshot>(std::move(*patched))
                                      : compile_stored(next, version);  // the model rules, the tables
  if (snapshot) checker.check_gained_rights(changes, cur.snapshot, *snapshot);
  if (checker.denied.empty() && checker.broken.empty() && snapshot) return snapshot;
  const bool denied = !checker.denied.empty();
  std::vector<Diagnostic> all = std::move(checker.denied);
  all.insert(all.end(), checker.broken.begin(), checker.broken.end());
  if (!snapshot) {
    const Error& e = snapshot.error();
    if (e.diagnostics.empty()) all.push_back(Diagnostic{"", "", "", "", e.message});
    all.insert(all.end(), e.diagnostics.begin(), e.diagnostics.end());
  }
  std::string msg = breaks_message(denied ? "refused" : "the change breaks", all, true);
  return Error(denied ? ErrorCode::kPermissionDenied : ErrorCode::kFailedPrecondition, std::move(msg),
               std::move(all));
}

// The company moves among `requested` that the commit carried out.
inline std::vector<UserMove> carried_moves(const std::vector<UserMove>& requested, const Model& before,
                                           const Model& after) {
  std::vector<UserMove> moves;
  for (UserMove m : requested) {
    const User* was = before.find_user(m.user);
    const User* now_user = after.find_user(m.user);
    if (was == nullptr || now_user == nullptr || was->company == now_user->company) continue;
    m.from_company = was->company;
    m.to_company = now_user->company;
    moves.push_back(std::move(m));
  }
  return moves;
}

}  // namespace detail

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_DETAIL_COMMIT_CHECKER_INL_HPP_
