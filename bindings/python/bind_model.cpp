// The model: its entities (value types with their fields), the live lists
// of a Model, the Model itself, and the module functions on models.
#include "model_list.hpp"

namespace sorights::python {
namespace {

// The entities a role's rules name: companies, groups, licences, plans,
// functional rights and data objects.
void bind_catalogue_entities(py::module_& m) {
  py::class_<so::OurCompany> our_company(m, "OurCompany", "A company among our companies.");
  our_company.def_readwrite("id", &so::OurCompany::id)
      .def_readwrite("name", &so::OurCompany::name)
      .def_readwrite("database_owner", &so::OurCompany::database_owner)
      .def_readwrite("names", &so::OurCompany::names);
  value_type<so::OurCompany>(our_company, "OurCompany", {"id", "name", "database_owner", "names"});

  py::class_<so::Group> group(m, "Group", "A user group.");
  group.def_readwrite("id", &so::Group::id)
      .def_readwrite("name", &so::Group::name)
      .def_readwrite("names", &so::Group::names);
  value_type<so::Group>(group, "Group", {"id", "name", "names"});

  py::class_<so::Licence> licence(m, "Licence", "A site or user licence.");
  licence.def_readwrite("id", &so::Licence::id)
      .def_readwrite("name", &so::Licence::name)
      .def_readwrite("kind", &so::Licence::kind)
      .def_readwrite("count", &so::Licence::count)
      .def_readwrite("unrestricted", &so::Licence::unrestricted)
      .def_readwrite("requires_licences", &so::Licence::requires_licences)
      .def_readwrite("cal_for", &so::Licence::cal_for);
  value_type<so::Licence>(licence, "Licence",
                          {"id", "name", "kind", "count", "unrestricted", "requires_licences", "cal_for"});

  py::class_<so::Plan> plan(m, "Plan", "A user plan: user licences assigned together.");
  plan.def_readwrite("id", &so::Plan::id)
      .def_readwrite("name", &so::Plan::name)
      .def_readwrite("licences", &so::Plan::licences);
  value_type<so::Plan>(plan, "Plan", {"id", "name", "licences"});

  py::class_<so::FunctionalRightDef> right_def(m, "FunctionalRightDef",
                                               "A functional right declared by the host.");
  right_def.def_readwrite("id", &so::FunctionalRightDef::id)
      .def_readwrite("name", &so::FunctionalRightDef::name)
      .def_readwrite("requires_licence", &so::FunctionalRightDef::requires_licence)
      .def_readwrite("restrictive", &so::FunctionalRightDef::restrictive)
      .def_readwrite("names", &so::FunctionalRightDef::names);
  value_type<so::FunctionalRightDef>(right_def, "FunctionalRightDef",
                                     {"id", "name", "requires_licence", "restrictive", "names"});

  py::class_<so::DataObjectDef> object_def(m, "DataObjectDef", "A custom data object.");
  object_def.def_readwrite("id", &so::DataObjectDef::id)
      .def_readwrite("name", &so::DataObjectDef::name)
      .def_readwrite("empty_owner_is_user", &so::DataObjectDef::empty_owner_is_user)
      .def_readwrite("has_visibility", &so::DataObjectDef::has_visibility)
      .def_readwrite("completed_is_locked", &so::DataObjectDef::completed_is_locked);
  value_type<so::DataObjectDef>(object_def, "DataObjectDef",
                                {"id", "name", "empty_owner_is_user", "has_visibility", "completed_is_locked"});
}

// Roles, their field rules and overrides, and users.
void bind_role_and_user_entities(py::module_& m) {
  py::class_<so::Role> role(m, "Role",
      "A role: a type, a data-rights matrix (object x relation -> TableRights) and "
      "functional rights.");
  role.def_readwrite("id", &so::Role::id)
      .def_readwrite("name", &so::Role::name)
      .def_readwrite("description", &so::Role::description)
      .def_readwrite("type", &so::Role::type)
      .def_readwrite("functional_rights", &so::Role::functional_rights)
      .def_readwrite("names", &so::Role::names)
      .def_property(
          "data_rights",
          [](const so::Role& r) {
            py::dict out;
            for (const auto& [object, cells] : r.data_rights) {
              py::dict row;
              for (int i = 0; i < so::kRelationCount; ++i)
                row[py::cast(static_cast<so::Relation>(i))] = cells[static_cast<std::size_t>(i)];
              out[py::str(object)] = row;
            }
            return out;
          },
          [](so::Role& r, const py::dict& rows) {
            std::map<std::string, so::RelationCells> next;
            for (auto [object, row] : rows) {
              so::RelationCells& cells = next[py::str(object)];
              for (auto [rel, rights] : row.cast<py::dict>())
                cells[static_cast<std::size_t>(rel.cast<so::Relation>())] =
                    rights.cast<so::TableRights>() & so::TableRights::full();
            }
            r.data_rights = std::move(next);
          },
          "The matrix as {object: {Relation: TableRights}} (a copy; assign to replace it).")
      .def("cell", &so::Role::cell, "object"_a, "relation"_a,
           "The cell for (object, relation); TableRights.NONE if the row is absent.")
      .def("set_cell", &so::Role::set_cell, "object"_a, "relation"_a, "rights"_a,
           "Sets one cell (only C/R/U/D are kept), e.g. role.set_cell('sale', 'own', 'CRUD').")
      .def("has_right", &so::Role::has_right, "right"_a);
  value_type<so::Role>(role, "Role", {"id", "name", "description", "type", "functional_rights", "names"});
  guard_fields(role, "Role", {"data_rights"});

  py::class_<so::FieldRightRule> field_rule(m, "FieldRightRule",
                                            "The most a role gets on one field of an object, per relation.");
  field_rule.def_readwrite("role", &so::FieldRightRule::role)
      .def_readwrite("object", &so::FieldRightRule::object)
      .def_readwrite("field", &so::FieldRightRule::field)
      .def_readwrite("relation", &so::FieldRightRule::relation)
      .def_readwrite("rights", &so::FieldRightRule::rights)
      .def_readwrite("ui_mandatory", &so::FieldRightRule::ui_mandatory)
      .def_readwrite("ui_read_only", &so::FieldRightRule::ui_read_only);
  value_type<so::FieldRightRule>(field_rule, "FieldRightRule",
                                 {"role", "object", "field", "relation", "rights", "ui_mandatory", "ui_read_only"});

  py::class_<so::Override> override_(m, "Override", "A rights override: removes rights at some level.");
  override_.def_readwrite("level", &so::Override::level)
      .def_readwrite("target", &so::Override::target)
      .def_readwrite("object", &so::Override::object)
      .def_readwrite("scope", &so::Override::scope)
      .def_readwrite("record", &so::Override::record)
      .def_readwrite("field", &so::Override::field)
      .def_readwrite("remove", &so::Override::remove,
                     "Bits to remove: TableRights bits at table level, R 1 / W 2 at field level.");
  value_type<so::Override>(override_, "Override", {"level", "target", "object", "scope", "record", "field", "remove"});

  py::class_<so::User> user(m, "User", "A user of any type.");
  user.def_readwrite("id", &so::User::id)
      .def_readwrite("type", &so::User::type)
      .def_readwrite("name", &so::User::name)
      .def_readwrite("person", &so::User::person)
      .def_readwrite("company", &so::User::company)
      .def_readwrite("role", &so::User::role)
      .def_readwrite("group", &so::User::group)
      .def_readwrite("other_groups", &so::User::other_groups)
      .def_readwrite("plan", &so::User::plan)
      .def_readwrite("licences", &so::User::licences)
      .def_readwrite("projects", &so::User::projects)
      .def_readwrite("can_log_in", &so::User::can_log_in)
      .def_readwrite("former_employee", &so::User::former_employee)
      .def_readwrite("retired", &so::User::retired);
  value_type<so::User>(user, "User",
                       {"id", "type", "name", "person", "company", "role", "group", "other_groups", "plan",
                        "licences", "projects", "can_log_in", "former_employee", "retired"});
}

void bind_model_lists(py::module_& m) {
  bind_model_list<so::OurCompany>(m, m.attr("OurCompany"), "OurCompanyList", "_OurCompanyItem");
  bind_model_list<so::Group>(m, m.attr("Group"), "GroupList", "_GroupItem");
  bind_model_list<so::Licence>(m, m.attr("Licence"), "LicenceList", "_LicenceItem");
  bind_model_list<so::Plan>(m, m.attr("Plan"), "PlanList", "_PlanItem");
  bind_model_list<so::FunctionalRightDef>(m, m.attr("FunctionalRightDef"), "FunctionalRightDefList",
                                          "_FunctionalRightDefItem");
  bind_model_list<so::DataObjectDef>(m, m.attr("DataObjectDef"), "DataObjectDefList", "_DataObjectDefItem");
  bind_model_list<so::Role>(m, m.attr("Role"), "RoleList", "_RoleItem");
  bind_model_list<so::FieldRightRule>(m, m.attr("FieldRightRule"), "FieldRightRuleList",
                                      "_FieldRightRuleItem");
  bind_model_list<so::Override>(m, m.attr("Override"), "OverrideList", "_OverrideItem");
  bind_model_list<so::User>(m, m.attr("User"), "UserList", "_UserItem");
}

void bind_model_class(py::module_& m) {
  // Declared here so that Model.compile's signature names it; bind_snapshot adds its methods.
  py::class_<so::Snapshot, SnapshotPtr>(m, "Snapshot");

  py::class_<so::Model> model(m, "Model",
      "The whole user model. Model.with_defaults() holds the twelve predefined roles; "
      "the lists (users, roles, ...) are edited in place: model.users.append(User(...)).");
  model.def_readwrite("our_companies", &so::Model::our_companies)
      .def_readwrite("groups", &so::Model::groups)
      .def_readwrite("licences", &so::Model::licences)
      .def_readwrite("plans", &so::Model::plans)
      .def_readwrite("functional_rights", &so::Model::functional_rights)
      .def_readwrite("objects", &so::Model::objects)
      .def_readwrite("roles", &so::Model::roles)
      .def_readwrite("field_rights", &so::Model::field_rights)
      .def_readwrite("overrides", &so::Model::overrides)
      .def_readwrite("users", &so::Model::users)
      .def_static("with_defaults", &so::Model::with_defaults,
                  "A model holding the twelve predefined roles and nothing else.")
      .def("find_role", [](py::object self, std::string_view id) { return find_item<so::Role>(self, "roles", id); },
           "id"_a, "The role (an item of model.roles), or None.")
      .def("find_user", [](py::object self, std::string_view id) { return find_item<so::User>(self, "users", id); },
           "id"_a, "The user (an item of model.users), or None.")
      .def("find_group", [](py::object self, std::string_view id) { return find_item<so::Group>(self, "groups", id); },
           "id"_a)
      .def("find_our_company",
           [](py::object self, std::string_view id) { return find_item<so::OurCompany>(self, "our_companies", id); },
           "id"_a)
      .def("find_licence",
           [](py::object self, std::string_view id) { return find_item<so::Licence>(self, "licences", id); }, "id"_a)
      .def("find_plan", [](py::object self, std::string_view id) { return find_item<so::Plan>(self, "plans", id); },
           "id"_a)
      .def("validate", &so::validate, "Every rule the model breaks (empty when valid).")
      .def("compile",
           [](const so::Model& mdl, std::uint64_t version) { return share(ok(so::compile(mdl, version))); },
           "version"_a = 0, "Validates and compiles; raises ValidationError listing every problem.")
      .def("__repr__", [](const so::Model& mdl) {
        return "<sorights.Model " + std::to_string(mdl.users.size()) + " users, " +
               std::to_string(mdl.roles.size()) + " roles, " + std::to_string(mdl.groups.size()) +
               " groups, " + std::to_string(mdl.our_companies.size()) + " companies>";
      });
  value_type<so::Model>(model, "Model", {}, /*repr=*/false);
}

void bind_model_functions(py::module_& m) {
  m.def("compile", [](const so::Model& mdl, std::uint64_t version) { return share(ok(so::compile(mdl, version))); },
        "model"_a, "version"_a = 0,
        "Validates and compiles `model` into a Snapshot; raises ValidationError listing every problem.");
  m.def("validate", &so::validate, "model"_a, "Every rule `model` breaks (empty when valid).");
  m.def("predefined_role", &so::predefined_role, "id"_a, "The predefined role `id` at its defaults, or None.");
  m.attr("PREDEFINED_ROLE_IDS") = py::cast([] {
    std::vector<std::string> out;
    for (std::string_view id : so::kPredefinedRoleIds) out.emplace_back(id);
    return out;
  }());
  m.attr("BUILTIN_OBJECTS") = py::cast([] {
    std::vector<std::string> out;
    for (std::string_view id : so::kBuiltinObjectNames) out.emplace_back(id);
    return out;
  }());
  m.attr("BUILTIN_RIGHTS") = py::cast([] {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < so::kBuiltinRightCount; ++i) out.emplace_back(so::builtin_right_id(i));
    return out;
  }());
  m.def("record_key", [](const std::string& id) { return so::record_key(id); }, "id"_a,
        "The stable 64-bit key of a host record id (record-scoped overrides).");
}

}  // namespace

void bind_model(py::module_& m) {
  bind_catalogue_entities(m);
  bind_role_and_user_entities(m);
  bind_model_lists(m);
  bind_model_class(m);
  bind_model_functions(m);
}

}  // namespace sorights::python
