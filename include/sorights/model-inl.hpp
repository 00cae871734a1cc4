// -----------------------------------------------------------------------------
// File: model-inl.hpp
// -----------------------------------------------------------------------------
// Out-of-line definitions for model.hpp: the predefined roles at sorights'
// defaults and the model's lookups. Included by model.hpp in header-only
// builds and compiled once into the library otherwise.
#ifndef SORIGHTS_MODEL_INL_HPP_
#define SORIGHTS_MODEL_INL_HPP_

#include "sorights/functional_right.hpp"
#include "sorights/model.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

// The relations an employee role's grid shows.
inline constexpr std::array<Relation, 6> kEmployeeRelations = {
    Relation::kOwn,      Relation::kPrimaryGroup, Relation::kOtherGroups,
    Relation::kOtherAssociates, Relation::kExternal,     Relation::kAnonymous};

// Fills every built-in object's row: own, primary group, other groups, and
// "beyond" (other associates, external, anonymous).
inline void fill_employee(Role& role, std::string_view own, std::string_view primary,
                          std::string_view other_groups, std::string_view beyond) {
  for (std::string_view object : kBuiltinObjectNames) {
    role.set_cell(object, Relation::kOwn, *TableRights::parse_crud(own));
    role.set_cell(object, Relation::kPrimaryGroup, *TableRights::parse_crud(primary));
    role.set_cell(object, Relation::kOtherGroups, *TableRights::parse_crud(other_groups));
    for (Relation r : {Relation::kOtherAssociates, Relation::kExternal, Relation::kAnonymous})
      role.set_cell(object, r, *TableRights::parse_crud(beyond));
  }
  // Own follow-ups and sales are always editable (docs/rules.md §7): every
  // predefined employee role grants CRUD on them.
  role.set_cell("follow_up", Relation::kOwn, TableRights::full());
  role.set_cell("sale", Relation::kOwn, TableRights::full());
}

inline Role make_role(std::string_view id, std::string_view name, RoleType type,
                      std::string_view description) {
  Role role;
  role.id = std::string(id);
  role.name = std::string(name);
  role.type = type;
  role.description = std::string(description);
  return role;
}

}  // namespace detail

SORIGHTS_INLINE std::optional<Role> predefined_role(std::string_view id) {
  using detail::fill_employee;
  using detail::make_role;
  const std::string see_other(builtin_right_id(builtin_right::kSeeOtherCompanies));
  Role r;
  if (id == "level-0") {
    r = make_role(id, "User level 0", RoleType::kEmployee,
                  "Administrator: full access to all data and to Settings and maintenance.");
    fill_employee(r, "CRUD", "CRUD", "CRUD", "CRUD");
    for (std::size_t i = 0; i < kBuiltinRightCount; ++i) {
      std::string_view right = builtin_right_id(i);
      if (right.starts_with("admin-") || right.starts_with("allow-bulk-"))
        r.functional_rights.emplace_back(right);
    }
    r.functional_rights.push_back(see_other);
  } else if (id == "level-1") {
    r = make_role(id, "User level 1", RoleType::kEmployee,
                  "Superuser: full access to data, no system maintenance.");
    fill_employee(r, "CRUD", "CRUD", "CRUD", "CRUD");
    r.functional_rights = {"allow-bulk-edit", see_other};
  } else if (id == "level-2") {
    r = make_role(id, "User level 2", RoleType::kEmployee,
                  "Full access inside the own user group, read access beyond it.");
    fill_employee(r, "CRUD", "CRUD", "R", "R");
    r.functional_rights = {see_other};
  } else if (id == "level-3") {
    r = make_role(id, "User level 3", RoleType::kEmployee,
                  "Full access to own data, read access to the group and beyond.");
    fill_employee(r, "CRUD", "R", "R", "R");
    r.functional_rights = {see_other};
  } else if (id == "level-4") {
    r = make_role(id, "User level 4", RoleType::kEmployee,
                  "Full access to own data, read access to the primary group, none beyond.");
    fill_employee(r, "CRUD", "R", "", "");
    r.functional_rights = {see_other};
  } else if (id == "level-5") {
    r = make_role(id, "User level 5", RoleType::kEmployee,
                  "Read access to most data; may create follow-ups.");
    fill_employee(r, "R", "R", "R", "R");
    r.functional_rights = {see_other};
  } else if (id == "list-admin") {
    r = make_role(id, "List administrator", RoleType::kEmployee,
                  "Full data access; may edit lists in Settings and maintenance.");
    fill_employee(r, "CRUD", "CRUD", "CRUD", "CRUD");
    r.functional_rights = {"admin-lists", see_other};
  } else if (id == "user-admin") {
    r = make_role(id, "User administrator", RoleType::kEmployee,
                  "Full data access; may create and edit users in Settings and maintenance.");
    fill_employee(r, "CRUD", "CRUD", "CRUD", "CRUD");
    // admin-users plus every grant the roles a user administrator hands out
    // hold by default, so that it may assign them and nothing holding an
    // admin right (docs/predefined-roles.md).
    r.functional_rights = {"admin-users"};
    for (std::string_view assignable : {"level-1", "level-2", "level-3", "level-4", "level-5", "local", "external"}) {
      Role from = *predefined_role(assignable);
      for (std::string& right : from.functional_rights) {
        const std::optional<std::size_t> i = find_builtin_right(right);
        if (right.starts_with("admin-") || (i && builtin_right_restrictive(*i)) || r.has_right(right)) continue;
        r.functional_rights.push_back(std::move(right));
      }
    }
  } else if (id == "local") {
    r = make_role(id, "Local user", RoleType::kEmployee,
                  "Full access to own and group data; no access to data of users of other "
                  "companies.");
    fill_employee(r, "CRUD", "CRUD", "CRUD", "R");
  } else if (id == "external") {
    r = make_role(id, "External user", RoleType::kExternal,
                  "Partner or customer contact: own data, own company and projects, published "
                  "data only.");
    for (std::string_view object : kBuiltinObjectNames) {
      r.set_cell(object, Relation::kOwn, TableRights::full());
      r.set_cell(object, Relation::kMyCompany, TableRight::kSelect);
      r.set_cell(object, Relation::kSameProject, TableRight::kSelect);
    }
    r.functional_rights = {"ext-use-my-company-rights",
                           "ext-use-same-project-rights",
                           "ext-need-publish-to-see-project",
                           "ext-need-publish-to-see-appointment",
                           "ext-need-publish-to-see-document",
                           "ext-need-publish-to-see-sale"};
  } else if (id == "anonymous") {
    r = make_role(id, "Anonymous user", RoleType::kAnonymous,
                  "The single anonymous role: no rights until given.");
  } else if (id == "system") {
    r = make_role(id, "System user", RoleType::kSystem,
                  "Integrations: overrides all security; hidden and never edited.");
    for (std::string_view object : kBuiltinObjectNames)
      for (int rel = 0; rel < kRelationCount; ++rel)
        r.set_cell(object, static_cast<Relation>(rel), TableRights::full());
  } else {
    return std::nullopt;
  }
  return r;
}

SORIGHTS_INLINE Model Model::with_defaults() {
  Model m;
  for (std::string_view id : kPredefinedRoleIds) m.roles.push_back(*predefined_role(id));
  return m;
}

SORIGHTS_INLINE Role* Model::find_role(std::string_view id) { return detail::find_by_id(roles, id); }
SORIGHTS_INLINE const Role* Model::find_role(std::string_view id) const {
  return detail::find_by_id(roles, id);
}
SORIGHTS_INLINE User* Model::find_user(std::string_view id) {
  const std::size_t at = detail::position_by_id(users, id);  // only the user found leaves a shared chunk
  return at < users.size() ? &users[at] : nullptr;
}
SORIGHTS_INLINE const User* Model::find_user(std::string_view id) const {
  return detail::find_by_id(users, id);
}
SORIGHTS_INLINE const Group* Model::find_group(std::string_view id) const {
  return detail::find_by_id(groups, id);
}
SORIGHTS_INLINE const OurCompany* Model::find_our_company(std::string_view id) const {
  return detail::find_by_id(our_companies, id);
}
SORIGHTS_INLINE const Licence* Model::find_licence(std::string_view id) const {
  return detail::find_by_id(licences, id);
}
SORIGHTS_INLINE const Plan* Model::find_plan(std::string_view id) const {
  return detail::find_by_id(plans, id);
}

SORIGHTS_INLINE bool is_restrictive_right(const Model& model, std::string_view id) {
  if (const std::optional<std::size_t> i = find_builtin_right(id)) return builtin_right_restrictive(*i);
  const FunctionalRightDef* def = detail::find_by_id(model.functional_rights, id);
  return def != nullptr && def->restrictive;
}

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_MODEL_INL_HPP_
