// The model: its entities (value types with their fields), the live lists
// of a Model, the Model itself, and the module functions on models.
#include "model_list.hpp"

namespace sorights::python {
namespace {

// The entities a role's rules name: companies, groups, licences, plans,
// functional rights and data objects.
void bind_catalogue_entities(py::module_& m) {
  entity_class<so::OurCompany>(m, "OurCompany", "A company among our companies.");
  entity_class<so::Group>(m, "Group", "A user group.");
  entity_class<so::Licence>(m, "Licence", "A site or user licence.");
  entity_class<so::Plan>(m, "Plan", "A user plan: user licences assigned together.");
  entity_class<so::FunctionalRightDef>(m, "FunctionalRightDef", "A functional right declared by the host.");
  entity_class<so::DataObjectDef>(m, "DataObjectDef", "A custom data object.");
}

// Roles, their field rules and overrides, and users.
void bind_role_and_user_entities(py::module_& m) {
  py::class_<so::Role> role(m, "Role",
      "A role: a type, a data-rights matrix (object x relation -> TableRights) and "
      "functional rights.");
  entity_type<so::Role>(role, "Role", {}, {"data_rights"});
  role.def_property(
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
  guard_fields(role, "Role", {"data_rights"});

  entity_class<so::FieldRightRule>(m, "FieldRightRule", "The most a role gets on one field of an object, per relation.");

  py::class_<so::Override> override_(m, "Override", "A rights override: removes rights at some level.");
  override_.def_readwrite("remove", &so::Override::remove,
                          "Bits to remove: TableRights bits at table level, R 1 / W 2 at field level.");
  entity_type<so::Override>(override_, "Override", {"remove"});

  entity_class<so::User>(m, "User", "A user of any type.");
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
