// The exhaustive escalation table (issue #7): every actor role × every admin
// edit of the Transaction API × every target, each commit checked against an
// oracle written from docs/rules.md §11–§12 and docs/transactions.md — a
// table of rights per role and the rules, not a call into the library.
//
// Where docs/rules.md is silent the oracle follows decision record 0002:
//   * "no one changes their own role assignment" binds admin-all holders too,
//     and system actors bypass it with every other authorization rule;
//   * system actors (the built-in one and active system users) bypass
//     authorization, never the model rules;
//   * deleting a role with users is a user change too: it needs admin-users,
//     and the replacement is judged as an assignment (escalation, own role);
//   * deleting the role one holds is refused for everyone (`own-role-delete`);
//   * the administration chain (decision record 0006): without admin-all no
//     one changes a user who outranks them (a system user, or a role holding
//     admin-all or a grant the actor lacks: target-outranks-actor), adds a
//     letter to a data-rights cell that their own role's cell lacks
//     (data-rights-escalation), lifts a restriction they are under
//     (privilege-escalation); no one retires, deletes, marks former, switches
//     off the login of or changes the type of themselves (self-lockout); no
//     commit takes away the last effective administrator (last-admin);
//   * restrictive rights (hide-..., ext-need-publish-to-see-...) are never
//     grants: assigning them is no escalation;
//   * re-stating what is stored is no change: it commits nothing and needs no
//     right, whoever the actor;
//   * a system user holds every right (§2, §11), so making a user one (a new
//     user, or an edit of the type) is an assignment of every right: only
//     admin-all may, and never to oneself.
// Inactive actors are refused at `begin()` (`inactive-actor`).
#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "fixture.hpp"

namespace {

using namespace sorights;

const std::string kSeeOther = "see-other-companies-associates";

// -- The oracle's facts: roles, their rights, and who holds them --------------

struct RoleFacts {
  std::string id;
  RoleType type;
  std::set<std::string> rights;
  std::string replacement;  ///< the same-type role `delete_role` moves its users to; empty: none
};

std::set<std::string> level_0_rights() {
  std::set<std::string> r = {kSeeOther};
  for (const char* a : {"all", "lists", "users", "role", "udef", "import", "preferences", "workflow", "quote",
                        "dashboard", "script", "replication", "saint-regeneration", "saint-definition",
                        "audience", "products", "webhooks"})
    r.insert(std::string("admin-") + a);
  for (const char* b : {"edit", "mailmerge", "export", "generate-activities", "copy-members", "delete",
                        "interests", "email", "user-applications"})
    r.insert(std::string("allow-bulk-") + b);
  return r;
}

/// docs/rules.md §13 and docs/predefined-roles.md, plus the test's custom roles.
const std::vector<RoleFacts>& role_table() {
  static const std::vector<RoleFacts> t = {
      {"level-0", RoleType::kEmployee, level_0_rights(), "level-1"},
      {"level-1", RoleType::kEmployee, {"allow-bulk-edit", kSeeOther}, "level-0"},
      {"level-2", RoleType::kEmployee, {kSeeOther}, "level-5"},
      {"level-3", RoleType::kEmployee, {kSeeOther}, "level-5"},
      {"level-4", RoleType::kEmployee, {kSeeOther}, "level-5"},
      {"level-5", RoleType::kEmployee, {kSeeOther}, "level-4"},
      {"list-admin", RoleType::kEmployee, {"admin-lists", kSeeOther}, "user-admin"},
      {"user-admin", RoleType::kEmployee,
       {"admin-users", "allow-bulk-edit", "ext-use-my-company-rights", "ext-use-same-project-rights", kSeeOther},
       "list-admin"},
      {"local", RoleType::kEmployee, {}, "level-5"},
      {"external", RoleType::kExternal,
       {"ext-use-my-company-rights", "ext-use-same-project-rights", "ext-need-publish-to-see-project",
        "ext-need-publish-to-see-appointment", "ext-need-publish-to-see-document", "ext-need-publish-to-see-sale"},
       ""},
      {"anonymous", RoleType::kAnonymous, {}, ""},
      {"system", RoleType::kSystem, {}, ""},
      {"role-admin", RoleType::kEmployee, {"admin-role", kSeeOther}, "pref-admin"},
      {"pref-admin", RoleType::kEmployee, {"admin-preferences", kSeeOther}, "role-admin"},
      {"super-admin", RoleType::kEmployee,
       {"admin-users", "admin-role", "admin-lists", "admin-preferences", "allow-bulk-edit", kSeeOther}, "level-0"},
      {"spare", RoleType::kEmployee, {kSeeOther}, "level-5"},
  };
  return t;
}

/// A role's data-rights matrix as the oracle knows it (docs/predefined-roles.md):
/// the letters per relation (indexed by `Relation`) for every object, and the
/// own cell of sales and follow-ups, which every employee role has at CRUD.
struct Cells {
  std::array<std::string, kRelationCount> any;
  std::string own_sale;
};

Cells employee(const char* own, const char* primary, const char* other_groups, const char* beyond) {
  Cells c;
  c.any[static_cast<std::size_t>(Relation::kOwn)] = own;
  c.any[static_cast<std::size_t>(Relation::kPrimaryGroup)] = primary;
  c.any[static_cast<std::size_t>(Relation::kOtherGroups)] = other_groups;
  for (Relation r : {Relation::kOtherAssociates, Relation::kExternal, Relation::kAnonymous})
    c.any[static_cast<std::size_t>(r)] = beyond;
  c.own_sale = "CRUD";
  return c;
}

Cells cells_of(std::string_view role) {
  if (role == "level-0" || role == "level-1" || role == "list-admin" || role == "user-admin")
    return employee("CRUD", "CRUD", "CRUD", "CRUD");
  if (role == "level-2") return employee("CRUD", "CRUD", "R", "R");
  if (role == "level-4") return employee("CRUD", "R", "", "");
  if (role == "level-5") return employee("R", "R", "R", "R");
  if (role == "local") return employee("CRUD", "CRUD", "CRUD", "R");
  if (role == "external") {
    Cells c;
    c.any[static_cast<std::size_t>(Relation::kOwn)] = "CRUD";
    c.any[static_cast<std::size_t>(Relation::kMyCompany)] = "R";
    c.any[static_cast<std::size_t>(Relation::kSameProject)] = "R";
    c.own_sale = "CRUD";
    return c;
  }
  if (role == "anonymous") return {};
  if (role == "system") {
    Cells c;
    c.any.fill("CRUD");
    c.own_sale = "CRUD";
    return c;
  }
  return employee("CRUD", "R", "R", "R");  // level-3 and the custom roles, copies of it
}

bool letters_within(const std::string& part, const std::string& whole) {
  return std::all_of(part.begin(), part.end(), [&](char l) { return whole.find(l) != std::string::npos; });
}

/// Every letter of `target`'s matrix is in `actor`'s, cell by cell.
bool matrix_within(const Cells& target, const Cells& actor) {
  for (std::size_t r = 0; r < target.any.size(); ++r)
    if (!letters_within(target.any[r], actor.any[r])) return false;
  const std::string& actor_own_sale = actor.own_sale.empty() ? actor.any[0] : actor.own_sale;
  const std::string& target_own_sale = target.own_sale.empty() ? target.any[0] : target.own_sale;
  return letters_within(target_own_sale, actor_own_sale);
}

bool restrictive(const std::string& right) {
  return right.starts_with("hide-") || right.starts_with("ext-need-publish-to-see-");
}

const RoleFacts& role_facts(std::string_view id) {
  for (const RoleFacts& r : role_table())
    if (r.id == id) return r;
  FAIL("no role " << id << " in the oracle's table");
  return role_table().front();
}

/// One actor row of the table: a user holding `role` (or the built-in system actor).
struct ActorDef {
  std::string name;  ///< the row label
  std::string id;    ///< the acting user; empty: the built-in system actor
  std::string role;  ///< the role the actor holds; empty for the built-in actor
  UserType type = UserType::kAssociate;
  bool retired = false;
};

const std::vector<ActorDef>& actors() {
  static const std::vector<ActorDef> a = [] {
    std::vector<ActorDef> v;
    for (const char* r : {"level-0", "level-1", "level-2", "level-3", "level-4", "level-5", "list-admin", "user-admin",
                          "local", "role-admin", "pref-admin", "super-admin"})
      v.push_back({r, std::string("a-") + r, r});
    v.push_back({"external", "a-external", "external", UserType::kExternal});
    v.push_back({"anonymous", "a-anonymous", "anonymous", UserType::kAnonymous});
    v.push_back({"system user", "a-system", "system", UserType::kSystem});
    v.push_back({"built-in system actor", "", ""});
    v.push_back({"retired level-0", "a-retired", "level-0", UserType::kAssociate, true});
    return v;
  }();
  return a;
}

/// A user of the fixture as the oracle knows it.
struct UserFacts {
  std::string id;
  std::string role;
  UserType type = UserType::kAssociate;
  bool retired = false;
};

/// Every actor (a-*) with a peer of the same role (p-*), a level-5 user, a
/// level-0 user and a system user.
const std::vector<UserFacts>& users() {
  static const std::vector<UserFacts> u = [] {
    std::vector<UserFacts> v;
    for (const ActorDef& a : actors()) {
      if (a.id.empty()) continue;
      v.push_back({a.id, a.role, a.type, a.retired});
      if (!a.retired) v.push_back({"p-" + a.id.substr(2), a.role, a.type, false});
    }
    v.push_back({"low", "level-5"});
    v.push_back({"boss", "level-0"});
    v.push_back({"sys", "system", UserType::kSystem});
    return v;
  }();
  return u;
}

const UserFacts& user_facts(std::string_view id) {
  for (const UserFacts& u : users())
    if (u.id == id) return u;
  FAIL("no user " << id << " in the fixture");
  return users().front();
}

Model table_model() {
  Model m = Model::with_defaults();
  m.our_companies = {{"acme", "Acme", true}, {"acme-se", "Acme Sverige", false}, {"empty-co", "Empty", false}};
  m.groups = {{"sales", "Sales"}, {"support", "Support"}, {"spare-group", "Spare"}};
  m.licences = {Licence{"user", "User", LicenceKind::kUser, 200, false, {}, {}},
                Licence{"spare-lic", "Spare", LicenceKind::kUser, 5, false, {}, {}}};
  m.plans = {Plan{"basic", "Basic", {"user"}}, Plan{"spare-plan", "Spare", {"user"}}};
  m.functional_rights = {FunctionalRightDef{"acme-old", "Old", ""}};
  m.objects = {DataObjectDef{"ticket", "Ticket", false, false, false}};
  for (const char* id : {"role-admin", "pref-admin", "super-admin", "spare"}) {
    const RoleFacts& f = role_facts(id);
    Role r = *predefined_role("level-3");
    r.id = f.id;
    r.name = f.id;
    r.functional_rights.assign(f.rights.begin(), f.rights.end());
    m.roles.push_back(std::move(r));
  }
  for (const UserFacts& f : users()) {
    User u;
    u.id = f.id;
    u.name = f.id;
    u.type = f.type;
    u.role = f.role;
    u.retired = f.retired;
    if (f.type == UserType::kAssociate) {
      u.company = "acme";
      u.group = "sales";
    } else if (f.type == UserType::kExternal) {
      u.company = "customer-co";
    }
    m.users.push_back(std::move(u));
  }
  return m;
}

// -- The cases --------------------------------------------------------------

enum class Edit {
  // A user (target: a user).
  kRenameUser, kSetGroups, kSetPlan, kSetLicences, kLoginOff, kMoveUser, kFormerEmployee, kRetireUser,
  kDeleteUser, kMakeSystemUser, kMakeSystemUserNoRole, kAssignRole,
  // A new user (argument: its role), a new system user.
  kAddUser, kAddSystemUser,
  // A role (target: a role).
  kRenameRole, kSetDataRight, kGrantRight, kRevokeRight, kRestateRights, kDeleteRole, kCopyRole,
  // A new role.
  kCreateRole,
  // Lists, declared rights, field rights, overrides (no target).
  kPutGroup, kRemoveGroup, kPutOurCompany, kRemoveOurCompany, kRenameDatabaseOwner, kRemoveDatabaseOwner,
  kPutLicence, kRemoveLicence, kPutPlan, kRemovePlan, kPutFunctionalRight, kRemoveFunctionalRight, kPutObject,
  kRemoveObject, kSetFieldRights, kSetOverrides,
};

constexpr Edit kUserEdits[] = {Edit::kRenameUser,     Edit::kSetGroups,       Edit::kSetPlan,
                               Edit::kSetLicences,    Edit::kLoginOff,        Edit::kMoveUser,
                               Edit::kFormerEmployee, Edit::kRetireUser,      Edit::kDeleteUser,
                               Edit::kMakeSystemUser, Edit::kMakeSystemUserNoRole};
constexpr Edit kRoleEdits[] = {Edit::kRenameRole,  Edit::kSetDataRight,   Edit::kGrantRight, Edit::kRevokeRight,
                               Edit::kRestateRights, Edit::kDeleteRole, Edit::kCopyRole};
constexpr Edit kListEdits[] = {
    Edit::kPutGroup,           Edit::kRemoveGroup,   Edit::kPutOurCompany,         Edit::kRemoveOurCompany,
    Edit::kRenameDatabaseOwner, Edit::kRemoveDatabaseOwner, Edit::kPutLicence,    Edit::kRemoveLicence,
    Edit::kPutPlan,            Edit::kRemovePlan,    Edit::kPutFunctionalRight,    Edit::kRemoveFunctionalRight,
    Edit::kPutObject,          Edit::kRemoveObject,  Edit::kSetFieldRights,        Edit::kSetOverrides};

const char* edit_name(Edit e) {
  switch (e) {
    case Edit::kRenameUser: return "edit_user (name)";
    case Edit::kSetGroups: return "set_user_groups";
    case Edit::kSetPlan: return "set_user_plan";
    case Edit::kSetLicences: return "set_user_licences";
    case Edit::kLoginOff: return "set_can_log_in(false)";
    case Edit::kMoveUser: return "move_user";
    case Edit::kFormerEmployee: return "mark_former_employee";
    case Edit::kRetireUser: return "retire_user";
    case Edit::kDeleteUser: return "delete_user";
    case Edit::kMakeSystemUser: return "edit_user (type system, role system)";
    case Edit::kMakeSystemUserNoRole: return "edit_user (type system, no role)";
    case Edit::kAssignRole: return "set_user_role";
    case Edit::kAddUser: return "add_user";
    case Edit::kAddSystemUser: return "add_user (type system)";
    case Edit::kRenameRole: return "rename_role";
    case Edit::kSetDataRight: return "set_data_right";
    case Edit::kGrantRight: return "grant_right";
    case Edit::kRevokeRight: return "revoke_right";
    case Edit::kRestateRights: return "set_functional_rights (as stored)";
    case Edit::kDeleteRole: return "delete_role";
    case Edit::kCopyRole: return "copy_role";
    case Edit::kCreateRole: return "create_role (blank)";
    case Edit::kPutGroup: return "put_group";
    case Edit::kRemoveGroup: return "remove_group";
    case Edit::kPutOurCompany: return "put_our_company";
    case Edit::kRemoveOurCompany: return "remove_our_company";
    case Edit::kRenameDatabaseOwner: return "put_our_company (rename the database owner)";
    case Edit::kRemoveDatabaseOwner: return "remove_our_company (the database owner)";
    case Edit::kPutLicence: return "put_licence";
    case Edit::kRemoveLicence: return "remove_licence";
    case Edit::kPutPlan: return "put_plan";
    case Edit::kRemovePlan: return "remove_plan";
    case Edit::kPutFunctionalRight: return "put_functional_right";
    case Edit::kRemoveFunctionalRight: return "remove_functional_right";
    case Edit::kPutObject: return "put_object";
    case Edit::kRemoveObject: return "remove_object";
    case Edit::kSetFieldRights: return "set_field_rights";
    case Edit::kSetOverrides: return "set_overrides";
  }
  return "?";
}

struct Case {
  const ActorDef* actor = nullptr;
  Edit edit = Edit::kRenameUser;
  std::string target_label;  ///< "self", "peer", "level-5 user", "own role", ...
  std::string target;        ///< the user or role id
  std::string arg;           ///< the role assigned, or the right granted

  std::string describe() const {
    std::ostringstream s;
    s << "actor " << actor->name << " (" << (actor->id.empty() ? "\"\"" : actor->id) << ") x " << edit_name(edit);
    if (!target_label.empty()) s << " x target " << target_label << " (" << target << ")";
    if (!arg.empty()) s << " with " << arg;
    return s.str();
  }
};

/// The user targets: self, a peer of the same role, a weaker (level-5) user,
/// an admin-all (level-0) user, a system user. The built-in actor has no self
/// or peer.
std::vector<std::pair<std::string, std::string>> user_targets(const ActorDef& a) {
  std::vector<std::pair<std::string, std::string>> t;
  if (!a.id.empty()) {
    t.emplace_back("self", a.id);
    t.emplace_back("peer", a.retired ? "p-level-0" : "p-" + a.id.substr(2));
  }
  t.emplace_back("level-5 user", "low");
  t.emplace_back("level-0 user", "boss");
  t.emplace_back("system user", "sys");
  return t;
}

/// The role targets: the actor's own, a weaker one, the most powerful one, an
/// unassigned custom one, the system role.
std::vector<std::pair<std::string, std::string>> role_targets(const ActorDef& a) {
  std::vector<std::pair<std::string, std::string>> t;
  if (!a.role.empty()) t.emplace_back("own role", a.role);
  t.emplace_back("weaker role", "level-5");
  t.emplace_back("admin-all role", "level-0");
  t.emplace_back("unassigned role", "spare");
  t.emplace_back("system role", "system");
  return t;
}

/// The roles assigned to a user: weaker, the actor's own, admin-all,
/// admin-users, the system role.
std::vector<std::string> assigned_roles(const ActorDef& a) {
  std::vector<std::string> r = {"level-5"};
  if (!a.role.empty()) r.push_back(a.role);
  r.push_back("level-0");
  r.push_back("user-admin");
  r.push_back("system");
  return r;
}

const std::vector<std::string> kGranted = {kSeeOther, "allow-bulk-edit", "admin-users", "admin-all"};

std::vector<Case> user_cases() {
  std::vector<Case> out;
  for (const ActorDef& a : actors())
    for (Edit e : kUserEdits)
      for (const auto& [label, id] : user_targets(a)) out.push_back({&a, e, label, id, ""});
  return out;
}

std::vector<Case> assign_cases() {
  std::vector<Case> out;
  for (const ActorDef& a : actors())
    for (const auto& [label, id] : user_targets(a))
      for (const std::string& role : assigned_roles(a)) out.push_back({&a, Edit::kAssignRole, label, id, role});
  for (const ActorDef& a : actors())
    for (const std::string& role : assigned_roles(a)) out.push_back({&a, Edit::kAddUser, "new user", "newbie", role});
  for (const ActorDef& a : actors()) out.push_back({&a, Edit::kAddSystemUser, "new system user", "newbie", ""});
  return out;
}

std::vector<Case> role_cases() {
  std::vector<Case> out;
  for (const ActorDef& a : actors()) {
    for (Edit e : kRoleEdits)
      for (const auto& [label, id] : role_targets(a)) {
        if (e == Edit::kGrantRight) {
          for (const std::string& right : kGranted) out.push_back({&a, e, label, id, right});
        } else {
          out.push_back({&a, e, label, id, e == Edit::kRevokeRight ? kSeeOther : ""});
        }
      }
    out.push_back({&a, Edit::kCreateRole, "", "blank", ""});
  }
  return out;
}

std::vector<Case> list_cases() {
  std::vector<Case> out;
  for (const ActorDef& a : actors())
    for (Edit e : kListEdits) out.push_back({&a, e, "", "", ""});
  return out;
}

// -- The oracle -------------------------------------------------------------

struct Expected {
  enum class Kind { kCommits, kNoChange, kRefused, kEditFails, kBeginFails };
  Kind kind = Kind::kCommits;
  ErrorCode code = ErrorCode::kOk;
  std::set<std::string> rules;

  std::string describe() const {
    std::ostringstream s;
    switch (kind) {
      case Kind::kCommits: return "commits";
      case Kind::kNoChange: return "commits nothing (no change)";
      case Kind::kRefused: s << "refused"; break;
      case Kind::kEditFails: s << "the edit fails"; break;
      case Kind::kBeginFails: s << "begin() fails"; break;
    }
    s << " with " << error_code_name(code) << " [";
    for (const std::string& r : rules) s << " " << r;
    s << " ]";
    return s.str();
  }
};

/// What a change set is judged on, as the oracle sees it.
class Judge {
 public:
  explicit Judge(const ActorDef& a) : a_(a) {
    system_ = a.id.empty() || a.type == UserType::kSystem;
    if (!a.role.empty()) held_ = role_facts(a.role).rights;
    if (!a.role.empty()) actor_cells_ = cells_of(a.role);
    admin_all_ = held_.contains("admin-all");
  }

  /// An entity of a kind that needs `right` (or admin-all) changes.
  void needs(const std::string& right) {
    if (!system_ && !admin_all_ && !held_.contains(right)) denied_.insert("needs-" + right);
  }
  /// A user gets `role` (new, or a different role than before).
  void assigns(const UserFacts* before, const std::string& user_id, const std::string& role) {
    assigns_rights(before, user_id, role_facts(role).rights);
    if (before == nullptr || system_ || admin_all_) return;
    const std::set<std::string>& now = role_facts(role).rights;
    for (const std::string& r : role_facts(before->role).rights)
      if (restrictive(r) && !now.contains(r) && held_.contains(r)) denied_.insert("privilege-escalation");
  }
  /// An existing user changes in any way.
  void touches(const UserFacts& before) {
    if (system_ || admin_all_) return;
    if (before.type == UserType::kSystem) {
      denied_.insert("target-outranks-actor");
      return;
    }
    const std::set<std::string>& theirs = role_facts(before.role).rights;
    if (theirs.contains("admin-all") || lacks_any(theirs)) denied_.insert("target-outranks-actor");
  }
  /// The actor retires, deletes, marks former, switches off or retypes themselves.
  void locks_out(const UserFacts& target) {
    if (!a_.id.empty() && target.id == a_.id) denied_.insert("self-lockout");
  }
  /// A role gains data rights: `adds_cells` tells whether every letter added
  /// is in the actor's own role's cells.
  void adds_cells(bool within_actor) {
    if (!system_ && !admin_all_ && !within_actor) denied_.insert("data-rights-escalation");
  }
  [[nodiscard]] const Cells& actor_cells() const { return actor_cells_; }
  /// A user becomes a system user: it holds every right (§2, §11).
  void makes_system_user(const UserFacts* before, const std::string& user_id) {
    assigns_rights(before, user_id, {"admin-all"});
  }
  /// An existing role is edited, gaining `added`.
  void edits_role(const std::string& role, const std::set<std::string>& added) {
    needs("admin-role");
    if (system_) return;
    if (role == a_.role && !admin_all_) denied_.insert("own-role-edit");
    if (lacks_any(added)) denied_.insert("privilege-escalation");
  }
  void creates_role(const std::set<std::string>& rights) {
    needs("admin-role");
    if (!system_ && lacks_any(rights)) denied_.insert("privilege-escalation");
  }
  void deletes_role(const std::string& role) {
    needs("admin-role");
    if (!a_.id.empty() && role == a_.role) denied_.insert("own-role-delete");
  }
  void breaks(const std::string& rule) { broken_.insert(rule); }
  void changed() { changed_ = true; }

  [[nodiscard]] Expected result() const {
    Expected e;
    if (denied_.empty() && broken_.empty()) {
      e.kind = changed_ ? Expected::Kind::kCommits : Expected::Kind::kNoChange;
      return e;
    }
    e.kind = Expected::Kind::kRefused;
    e.code = denied_.empty() ? ErrorCode::kFailedPrecondition : ErrorCode::kPermissionDenied;
    e.rules = denied_;
    e.rules.insert(broken_.begin(), broken_.end());
    return e;
  }

 private:
  void assigns_rights(const UserFacts* before, const std::string& user_id, const std::set<std::string>& rights) {
    needs("admin-users");
    if (system_) return;
    if (before != nullptr && user_id == a_.id) denied_.insert("own-role-assignment");
    if (lacks_any(rights)) denied_.insert("privilege-escalation");
  }
  bool lacks_any(const std::set<std::string>& rights) const {
    if (system_ || admin_all_) return false;
    return std::any_of(rights.begin(), rights.end(),
                       [&](const std::string& r) { return !restrictive(r) && !held_.contains(r); });
  }

  const ActorDef& a_;
  bool system_ = false;
  bool admin_all_ = false;
  std::set<std::string> held_;
  Cells actor_cells_;
  std::set<std::string> denied_;
  std::set<std::string> broken_;
  bool changed_ = false;
};

RoleType needed_role_type(UserType t) {
  switch (t) {
    case UserType::kExternal: return RoleType::kExternal;
    case UserType::kAnonymous: return RoleType::kAnonymous;
    case UserType::kSystem: return RoleType::kSystem;
    default: return RoleType::kEmployee;
  }
}

bool groupless(UserType t) {
  return t == UserType::kExternal || t == UserType::kAnonymous || t == UserType::kSystem;
}

Expected oracle(const Case& c) {
  const ActorDef& a = *c.actor;
  if (a.retired) return {Expected::Kind::kBeginFails, ErrorCode::kPermissionDenied, {"inactive-actor"}};
  Judge j(a);
  switch (c.edit) {
    case Edit::kRenameUser: case Edit::kSetPlan: case Edit::kSetLicences:
      j.needs("admin-users");
      j.changed();
      j.touches(user_facts(c.target));
      break;
    case Edit::kLoginOff: case Edit::kFormerEmployee: case Edit::kRetireUser: case Edit::kDeleteUser:
      j.needs("admin-users");
      j.changed();
      j.touches(user_facts(c.target));
      j.locks_out(user_facts(c.target));
      break;
    case Edit::kSetGroups: {
      j.needs("admin-users");
      j.changed();
      j.touches(user_facts(c.target));
      if (groupless(user_facts(c.target).type)) j.breaks("no-groups");  // §10
      break;
    }
    case Edit::kMoveUser: {
      j.needs("admin-users");
      j.changed();
      j.touches(user_facts(c.target));
      if (user_facts(c.target).type == UserType::kExternal) j.breaks("external-company-ours");  // §10
      break;
    }
    case Edit::kMakeSystemUser: case Edit::kMakeSystemUserNoRole: {
      const UserFacts& u = user_facts(c.target);
      if (u.type == UserType::kSystem) {
        // Already a system user: the role stays the system role, stated or implied.
        if (c.edit == Edit::kMakeSystemUser) break;  // no change
        j.changed();
        j.needs("admin-users");
        j.touches(u);
        break;
      }
      j.changed();
      j.touches(u);
      j.locks_out(u);
      j.makes_system_user(&u, u.id);
      break;
    }
    case Edit::kAssignRole: {
      const UserFacts& u = user_facts(c.target);
      if (u.role == c.arg) break;  // no change
      j.changed();
      j.touches(u);
      j.assigns(&u, u.id, c.arg);
      if (role_facts(c.arg).type != needed_role_type(u.type)) j.breaks("role-type");  // §10
      break;
    }
    case Edit::kAddUser:
      j.changed();
      j.assigns(nullptr, c.target, c.arg);
      if (role_facts(c.arg).type != RoleType::kEmployee) j.breaks("role-type");
      break;
    case Edit::kAddSystemUser:
      j.changed();
      j.makes_system_user(nullptr, c.target);
      break;
    case Edit::kRenameRole:
      j.changed();
      j.edits_role(c.target, {});
      if (c.target == "system") j.breaks("system-role-edited");  // §12
      break;
    case Edit::kSetDataRight: {
      // The sale/anonymous cell becomes C: C is added where the cell lacks it.
      const std::size_t anon = static_cast<std::size_t>(Relation::kAnonymous);
      const bool adds_c = cells_of(c.target).any[anon].find('C') == std::string::npos;
      j.changed();
      j.edits_role(c.target, {});
      if (adds_c) j.adds_cells(j.actor_cells().any[anon].find('C') != std::string::npos);
      if (c.target == "system") j.breaks("system-role-edited");  // §12
      break;
    }
    case Edit::kGrantRight: {
      const RoleFacts& r = role_facts(c.target);
      if (r.rights.contains(c.arg)) break;  // held: no change
      j.changed();
      j.edits_role(c.target, {c.arg});
      if (c.target == "system") j.breaks("system-role-edited");
      if (r.type == RoleType::kAnonymous) j.breaks("anonymous-role-data-only");  // §12
      break;
    }
    case Edit::kRevokeRight: {
      if (!role_facts(c.target).rights.contains(c.arg)) break;  // not held: no change
      j.changed();
      j.edits_role(c.target, {});  // removing is never a grant
      if (c.target == "system") j.breaks("system-role-edited");
      break;
    }
    case Edit::kRestateRights:
      break;  // re-stating what is stored: no change
    case Edit::kDeleteRole: {
      const RoleFacts& r = role_facts(c.target);
      if (r.replacement.empty()) return {Expected::Kind::kEditFails, ErrorCode::kInvalidArgument, {}};
      j.changed();
      j.deletes_role(r.id);
      if (r.id == "level-0") {
        j.breaks("level-0-not-deleted");  // §12 (the reference model (docs/rules.md, "Reference"))
        j.breaks("last-admin");           // its users, the only administrators, move to level-1
      }
      for (const UserFacts& u : users())
        if (u.role == r.id) {
          j.touches(u);
          j.assigns(&u, u.id, r.replacement);
        }
      break;
    }
    case Edit::kCopyRole: {
      const RoleFacts& r = role_facts(c.target);
      j.changed();
      j.creates_role(r.rights);
      j.adds_cells(matrix_within(cells_of(r.id), j.actor_cells()));
      if (r.type == RoleType::kAnonymous) j.breaks("one-anonymous-role");  // §12
      if (r.type == RoleType::kSystem) j.breaks("one-system-role");
      break;
    }
    case Edit::kCreateRole:
      j.changed();
      j.creates_role({});
      break;
    case Edit::kPutGroup: case Edit::kRemoveGroup: case Edit::kPutOurCompany: case Edit::kRemoveOurCompany:
    case Edit::kPutLicence: case Edit::kRemoveLicence: case Edit::kPutPlan: case Edit::kRemovePlan:
    case Edit::kPutObject: case Edit::kRemoveObject:
      j.changed();
      j.needs("admin-lists");
      break;
    case Edit::kRenameDatabaseOwner:
      j.changed();
      j.needs("admin-lists");
      j.breaks("database-owner-name-read-only");  // part 2 §1.7
      break;
    case Edit::kRemoveDatabaseOwner:
      j.changed();
      j.needs("admin-lists");
      j.breaks("database-owner-not-deleted");
      j.breaks("company-has-users");
      j.breaks("company-not-ours");  // §10: its associates would belong to no company of ours
      break;
    case Edit::kPutFunctionalRight: case Edit::kRemoveFunctionalRight: case Edit::kSetFieldRights:
      j.changed();
      j.needs("admin-role");
      break;
    case Edit::kSetOverrides:
      j.changed();
      j.needs("admin-preferences");
      break;
  }
  return j.result();
}

// -- Running a case ---------------------------------------------------------

Result<void> stage(Transaction& tx, const Case& c) {
  switch (c.edit) {
    case Edit::kRenameUser: return tx.edit_user(c.target, [](User& u) { u.name = "Renamed"; });
    case Edit::kSetGroups: return tx.set_user_groups(c.target, "support", {"sales"});
    case Edit::kSetPlan: return tx.set_user_plan(c.target, "basic");
    case Edit::kSetLicences: return tx.set_user_licences(c.target, {"user"});
    case Edit::kLoginOff: return tx.set_can_log_in(c.target, false);
    case Edit::kMoveUser: return tx.move_user(c.target, "acme-se");
    case Edit::kFormerEmployee: return tx.mark_former_employee(c.target);
    case Edit::kRetireUser: return tx.retire_user(c.target);
    case Edit::kDeleteUser: return tx.delete_user(c.target);
    case Edit::kMakeSystemUser: case Edit::kMakeSystemUserNoRole: {
      const bool with_role = c.edit == Edit::kMakeSystemUser;
      return tx.edit_user(c.target, [&](User& u) {
        u.type = UserType::kSystem;
        u.role = with_role ? "system" : "";
        u.group.clear();
        u.other_groups.clear();
      });
    }
    case Edit::kAssignRole: return tx.set_user_role(c.target, c.arg);
    case Edit::kAddUser: {
      User u = admin_test::associate(c.target, c.arg);
      return tx.add_user(std::move(u));
    }
    case Edit::kAddSystemUser: {
      User u;
      u.id = c.target;
      u.type = UserType::kSystem;
      u.role = "system";
      return tx.add_user(std::move(u));
    }
    case Edit::kRenameRole: return tx.rename_role(c.target, "Renamed", "renamed by the table");
    case Edit::kSetDataRight: return tx.set_data_right(c.target, "sale", Relation::kAnonymous, TableRight::kInsert);
    case Edit::kGrantRight: return tx.grant_right(c.target, c.arg);
    case Edit::kRevokeRight: return tx.revoke_right(c.target, c.arg);
    case Edit::kRestateRights: {
      const Role* r = tx.staged().find_role(c.target);
      if (r == nullptr) return Error(ErrorCode::kNotFound, c.target);
      return tx.set_functional_rights(c.target, r->functional_rights);
    }
    case Edit::kDeleteRole: {
      const std::string& repl = role_facts(c.target).replacement;
      return tx.delete_role(c.target, repl.empty() ? std::string_view("system") : std::string_view(repl));
    }
    case Edit::kCopyRole: return tx.copy_role(c.target, "copied", "Copied");
    case Edit::kCreateRole: {
      Role r;
      r.id = c.target;
      r.name = "Blank";
      return tx.create_role(std::move(r));
    }
    case Edit::kPutGroup: return tx.put_group({"new-group", "New"});
    case Edit::kRemoveGroup: return tx.remove_group("spare-group");
    case Edit::kPutOurCompany: return tx.put_our_company({"acme-dk", "Acme Danmark", false});
    case Edit::kRemoveOurCompany: return tx.remove_our_company("empty-co");
    case Edit::kRenameDatabaseOwner: return tx.put_our_company({"acme", "Acme Renamed", true});
    case Edit::kRemoveDatabaseOwner: return tx.remove_our_company("acme");
    case Edit::kPutLicence: return tx.put_licence(Licence{"new-lic", "New", LicenceKind::kUser, 3, false, {}, {}});
    case Edit::kRemoveLicence: return tx.remove_licence("spare-lic");
    case Edit::kPutPlan: return tx.put_plan(Plan{"new-plan", "New", {"user"}});
    case Edit::kRemovePlan: return tx.remove_plan("spare-plan");
    case Edit::kPutFunctionalRight: return tx.put_functional_right({"acme-new", "New", ""});
    case Edit::kRemoveFunctionalRight: return tx.remove_functional_right("acme-old");
    case Edit::kPutObject: return tx.put_object({"invoice", "Invoice", false, false, false});
    case Edit::kRemoveObject: return tx.remove_object("ticket");
    case Edit::kSetFieldRights:
      return tx.set_field_rights({FieldRightRule{"spare", "sale", "amount", Relation::kOwn, FieldRights{}}});
    case Edit::kSetOverrides:
      return tx.set_overrides({Override{OverrideLevel::kSystem, "", "sale", OverrideScope::kExisting, "", "", 8}});
  }
  return Error(ErrorCode::kInternal, "unknown edit");
}

std::set<std::string> rules_of(const Error& e) {
  std::set<std::string> out;
  for (const Diagnostic& d : e.diagnostics) out.insert(d.rule);
  return out;
}

std::string show(const std::set<std::string>& rules) {
  std::string s = "[";
  for (const std::string& r : rules) s += " " + r;
  return s + " ]";
}

/// Runs one case on a fresh directory and checks it against the oracle. A
/// mismatch is reported with the combination and the run goes on.
void run(const Case& c) {
  const Expected want = oracle(c);
  INFO(c.describe() << "\n  expected: " << want.describe());
  auto storage = std::make_shared<InMemoryStorage>(StoredModel{table_model(), 1});
  auto dir = Directory::open(storage);
  REQUIRE(dir);
  auto tx = (*dir)->begin(c.actor->id);
  if (want.kind == Expected::Kind::kBeginFails) {
    if (tx) {
      FAIL_CHECK("begin() succeeded");
      return;
    }
    CHECK(tx.error().code == want.code);
    CHECK(rules_of(tx.error()) == want.rules);
    return;
  }
  if (!tx) {
    FAIL_CHECK("begin() failed: " << tx.error().to_string());
    return;
  }
  Result<void> staged = stage(*tx, c);
  if (want.kind == Expected::Kind::kEditFails) {
    if (staged) {
      FAIL_CHECK("the edit succeeded");
      return;
    }
    CHECK(staged.error().code == want.code);
    return;
  }
  if (!staged) {
    FAIL_CHECK("the edit failed: " << staged.error().to_string());
    return;
  }
  auto done = tx->commit();
  if (want.kind != Expected::Kind::kRefused) {
    if (!done) {
      FAIL_CHECK("refused: " << done.error().to_string() << "\n  rules " << show(rules_of(done.error())));
      return;
    }
    CHECK(done->changes.empty() == (want.kind == Expected::Kind::kNoChange));
    CHECK((*dir)->version() == (want.kind == Expected::Kind::kNoChange ? 1u : 2u));
    return;
  }
  if (done) {
    FAIL_CHECK("committed " << done->changes.size() << " change(s)");
    return;
  }
  INFO("got: " << done.error().to_string() << "\n  rules " << show(rules_of(done.error())));
  CHECK(done.error().code == want.code);
  CHECK(rules_of(done.error()) == want.rules);
  CHECK((*dir)->version() == 1);
  CHECK(*(*dir)->model() == table_model());
  auto trail = storage->audit({});
  REQUIRE(trail);
  REQUIRE_FALSE(trail->empty());
  CHECK(trail->back().refused);
  CHECK(trail->back().actor == c.actor->id);
}

std::size_t count_of(const std::vector<Case>& cases, Expected::Kind kind) {
  return static_cast<std::size_t>(
      std::count_if(cases.begin(), cases.end(), [&](const Case& c) { return oracle(c).kind == kind; }));
}

void run_all(const std::vector<Case>& cases) {
  for (const Case& c : cases) run(c);
  // The table is not one-sided: every family has commits and refusals.
  CHECK(count_of(cases, Expected::Kind::kCommits) > 0);
  CHECK(count_of(cases, Expected::Kind::kRefused) > 0);
}

}  // namespace

TEST_CASE("escalation table: the oracle's roles are the fixture's", "[admin][escalation]") {
  const Model m = table_model();
  for (const RoleFacts& f : role_table()) {
    INFO("role " << f.id);
    const Role* r = m.find_role(f.id);
    REQUIRE(r != nullptr);
    CHECK(r->type == f.type);
    CHECK(std::set<std::string>(r->functional_rights.begin(), r->functional_rights.end()) == f.rights);
  }
  CHECK(m.roles.size() == role_table().size());
  REQUIRE(compile(m));
}

TEST_CASE("escalation table: every combination is generated", "[admin][escalation]") {
  const std::size_t n = actors().size();  // one of them, the built-in actor, has no self, peer or own role
  CHECK(user_cases().size() == std::size(kUserEdits) * ((n - 1) * 5 + 3));
  CHECK(assign_cases().size() == ((n - 1) * 5 * 5 + 3 * 4) + ((n - 1) * 5 + 4) + n);
  CHECK(role_cases().size() == ((n - 1) * 5 + 4) * (std::size(kRoleEdits) - 1 + kGranted.size()) + n);
  CHECK(list_cases().size() == n * std::size(kListEdits));
}

TEST_CASE("escalation table: actor x user edit x target", "[admin][escalation]") { run_all(user_cases()); }

TEST_CASE("escalation table: actor x role assignment x target user and role", "[admin][escalation]") {
  run_all(assign_cases());
}

TEST_CASE("escalation table: actor x role edit x target role", "[admin][escalation]") { run_all(role_cases()); }

TEST_CASE("escalation table: actor x list, declared right, field right and override edit", "[admin][escalation]") {
  run_all(list_cases());
}

TEST_CASE("escalation table: every rule of the administration chain decides some combination", "[admin][escalation]") {
  std::set<std::string> seen;
  for (const auto& family : {user_cases(), assign_cases(), role_cases(), list_cases()})
    for (const Case& c : family)
      for (const std::string& rule : oracle(c).rules) seen.insert(rule);
  for (const char* rule : {"target-outranks-actor", "data-rights-escalation", "self-lockout", "last-admin",
                           "privilege-escalation", "own-role-assignment", "own-role-edit", "own-role-delete"})
    CHECK(seen.contains(rule));
}
