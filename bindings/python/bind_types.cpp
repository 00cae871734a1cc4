// The module's version, the enums and the rights types (TableRights, FieldRights).
#include "support.hpp"

namespace sorights::python {
namespace {

template <class E>
void enum_from_str(py::enum_<E>& e, std::optional<E> (*parse)(std::string_view), const char* what) {
  e.def(py::init([parse, what](const std::string& s) {
          if (auto v = parse(s)) return *v;
          throw py::value_error(std::string("not a ") + what + ": '" + s + "'");
        }),
        "Parses the model-file name, e.g. 'primary_group'.");
  py::implicitly_convertible<py::str, E>();
}

std::optional<so::Action> parse_action_sv(std::string_view s) { return so::parse_action(s); }
std::optional<so::Relation> parse_relation_sv(std::string_view s) { return so::parse_relation(s); }
std::optional<so::UserType> parse_user_type_sv(std::string_view s) { return so::parse_user_type(s); }
std::optional<so::RoleType> parse_role_type_sv(std::string_view s) { return so::parse_role_type(s); }

so::TableRights parse_table_rights(const std::string& s) {
  if (auto crud = so::TableRights::parse_crud(s)) return *crud;
  static const std::pair<const char*, std::uint8_t> kNames[] = {
      {"Select", 1}, {"Update", 2}, {"Insert", 4}, {"Delete", 8}, {"Filtering", 16},
      {"RestrictedUpdate", 32}, {"None", 0}};
  std::uint32_t bits = 0;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find('|', start);
    if (end == std::string::npos) end = s.size();
    const std::string part = s.substr(start, end - start);
    bool found = false;
    for (const auto& [n, b] : kNames)
      if (part == n) {
        bits |= b;
        found = true;
      }
    if (!found)
      throw py::value_error("not table rights: '" + s +
                            "' (use C/R/U/D letters or Select|Update|Insert|Delete|Filtering|RestrictedUpdate)");
    start = end + 1;
  }
  return so::TableRights::from_bits(bits);
}

so::FieldRights parse_field_rights(const std::string& s) {
  if (auto rw = so::FieldRights::parse_rw(s)) return *rw;
  if (s == "Read|Write") return so::FieldRights::from_bits(3);
  if (s == "Read") return so::FieldRights::from_bits(1);
  if (s == "Write") return so::FieldRights::from_bits(2);
  if (s == "None") return {};
  throw py::value_error("not field rights: '" + s + "' (use R/W letters or Read|Write)");
}

void bind_enums(py::module_& m) {
  py::enum_<so::ErrorCode>(m, "ErrorCode", "The code of an error; the numbers are stable.")
      .value("OK", so::ErrorCode::kOk)
      .value("INVALID_ARGUMENT", so::ErrorCode::kInvalidArgument)
      .value("NOT_FOUND", so::ErrorCode::kNotFound)
      .value("ALREADY_EXISTS", so::ErrorCode::kAlreadyExists)
      .value("FAILED_PRECONDITION", so::ErrorCode::kFailedPrecondition)
      .value("PERMISSION_DENIED", so::ErrorCode::kPermissionDenied)
      .value("CONFLICT", so::ErrorCode::kConflict)
      .value("UNAVAILABLE", so::ErrorCode::kUnavailable)
      .value("DATA_LOSS", so::ErrorCode::kDataLoss)
      .value("INTERNAL", so::ErrorCode::kInternal);

  py::enum_<so::UserType> user_type(m, "UserType", "The kind of a user.");
  user_type.value("ASSOCIATE", so::UserType::kAssociate)
      .value("RESOURCE", so::UserType::kResource)
      .value("EXTERNAL", so::UserType::kExternal)
      .value("ANONYMOUS", so::UserType::kAnonymous)
      .value("SYSTEM", so::UserType::kSystem);
  enum_from_str(user_type, &parse_user_type_sv, "user type");

  py::enum_<so::RoleType> role_type(m, "RoleType", "The type of a role.");
  role_type.value("EMPLOYEE", so::RoleType::kEmployee)
      .value("EXTERNAL", so::RoleType::kExternal)
      .value("ANONYMOUS", so::RoleType::kAnonymous)
      .value("SYSTEM", so::RoleType::kSystem);
  enum_from_str(role_type, &parse_role_type_sv, "role type");

  py::enum_<so::Relation> relation(m, "Relation", "How a record relates to the user who asks.");
  relation.value("OWN", so::Relation::kOwn)
      .value("PRIMARY_GROUP", so::Relation::kPrimaryGroup)
      .value("OTHER_ASSOCIATES", so::Relation::kOtherAssociates)
      .value("OTHER_GROUPS", so::Relation::kOtherGroups)
      .value("EXTERNAL", so::Relation::kExternal)
      .value("ANONYMOUS", so::Relation::kAnonymous)
      .value("MY_COMPANY", so::Relation::kMyCompany)
      .value("SAME_PROJECT", so::Relation::kSameProject);
  enum_from_str(relation, &parse_relation_sv, "relation");

  py::enum_<so::Action> action(m, "Action", "What a user asks to do with a record.");
  action.value("READ", so::Action::kRead)
      .value("CREATE", so::Action::kCreate)
      .value("UPDATE", so::Action::kUpdate)
      .value("DELETE", so::Action::kDelete);
  enum_from_str(action, &parse_action_sv, "action");

  py::enum_<so::LicenceKind>(m, "LicenceKind")
      .value("SITE", so::LicenceKind::kSite)
      .value("USER", so::LicenceKind::kUser);
  py::enum_<so::OverrideLevel>(m, "OverrideLevel")
      .value("SYSTEM", so::OverrideLevel::kSystem)
      .value("GROUP", so::OverrideLevel::kGroup)
      .value("USER", so::OverrideLevel::kUser);
  py::enum_<so::OverrideScope>(m, "OverrideScope")
      .value("ALL", so::OverrideScope::kAll)
      .value("NEW", so::OverrideScope::kNew)
      .value("EXISTING", so::OverrideScope::kExisting)
      .value("RECORD", so::OverrideScope::kRecord);
  py::enum_<so::Outcome>(m, "Outcome", "How an evaluation went before (or instead of) the matrix.")
      .value("EVALUATED", so::Outcome::kEvaluated)
      .value("NO_SUCH_USER", so::Outcome::kNoSuchUser)
      .value("NO_SUCH_OBJECT", so::Outcome::kNoSuchObject)
      .value("INACTIVE_USER", so::Outcome::kInactiveUser)
      .value("SYSTEM_USER", so::Outcome::kSystemUser);
  py::enum_<so::Layer>(m, "Layer", "The narrowing layers, in the order they apply.")
      .value("LICENCE", so::Layer::kLicence)
      .value("OTHER_COMPANY", so::Layer::kOtherCompany)
      .value("VISIBILITY", so::Layer::kVisibility)
      .value("PUBLISHING", so::Layer::kPublishing)
      .value("OVERRIDE", so::Layer::kOverride)
      .value("RECORD_STATE", so::Layer::kRecordState);
  py::enum_<so::InactiveReason>(m, "InactiveReason")
      .value("NONE", so::InactiveReason::kNone)
      .value("RETIRED", so::InactiveReason::kRetired)
      .value("FORMER_EMPLOYEE", so::InactiveReason::kFormerEmployee)
      .value("LOGIN_OFF", so::InactiveReason::kLoginOff)
      .value("RESOURCE", so::InactiveReason::kResource);
  py::enum_<so::EntityKind>(m, "EntityKind")
      .value("OUR_COMPANY", so::EntityKind::kOurCompany)
      .value("GROUP", so::EntityKind::kGroup)
      .value("LICENCE", so::EntityKind::kLicence)
      .value("PLAN", so::EntityKind::kPlan)
      .value("FUNCTIONAL_RIGHT", so::EntityKind::kFunctionalRight)
      .value("OBJECT", so::EntityKind::kObject)
      .value("ROLE", so::EntityKind::kRole)
      .value("USER", so::EntityKind::kUser)
      .value("FIELD_RIGHTS", so::EntityKind::kFieldRights)
      .value("OVERRIDES", so::EntityKind::kOverrides);
}

void bind_rights(py::module_& m) {
  py::class_<so::TableRights> table_rights(m, "TableRights",
      "A set of table rights (Select 1, Update 2, Insert 4, Delete 8, Filtering 16, "
      "RestrictedUpdate 32). Built from an int, C/R/U/D letters ('CRUD', 'R', '') or "
      "flag names ('Select|Update'); wherever a TableRights is expected, such a str or "
      "int is accepted too.");
  // bits() is detail::FlagSet's: bound through a lambda of the set's own type.
  const auto table_bits = [](so::TableRights r) { return r.bits(); };
  table_rights.def(py::init<>())
      .def(py::init([](std::uint32_t bits) {
             if (bits > 63) throw py::value_error("table-right bits are 0..63");
             return so::TableRights::from_bits(bits);
           }),
           "bits"_a)
      .def(py::init(&parse_table_rights), "text"_a)
      .def_property_readonly("bits", table_bits)
      .def_property_readonly("crud", &so::TableRights::to_crud, "The C/R/U/D letters, e.g. 'CRU'.")
      .def("allows", &so::TableRights::allows, "action"_a, "True if the set holds the right `action` needs.")
      .def("contains_all", &so::TableRights::contains_all, "wanted"_a)
      .def("contains_any", &so::TableRights::contains_any, "wanted"_a)
      .def("__contains__", &so::TableRights::contains_all)
      .def("__bool__", [](so::TableRights r) { return !r.empty(); })
      .def("__int__", table_bits)
      .def("__index__", table_bits)
      .def("__str__", &so::TableRights::to_string)
      .def("__repr__", [](so::TableRights r) { return "sorights.TableRights('" + r.to_string() + "')"; })
      .def("__hash__", table_bits)
      .def("__eq__", [](so::TableRights a, so::TableRights b) { return a == b; }, py::is_operator())
      .def("__ne__", [](so::TableRights a, so::TableRights b) { return a != b; }, py::is_operator())
      .def("__or__", [](so::TableRights a, so::TableRights b) { return a | b; }, py::is_operator())
      .def("__ror__", [](so::TableRights a, so::TableRights b) { return a | b; }, py::is_operator())
      .def("__and__", [](so::TableRights a, so::TableRights b) { return a & b; }, py::is_operator())
      .def("__rand__", [](so::TableRights a, so::TableRights b) { return a & b; }, py::is_operator())
      .def("__sub__", [](so::TableRights a, so::TableRights b) { return a - b; }, py::is_operator())
      .def(py::pickle([](so::TableRights r) { return r.bits(); },
                      [](std::uint8_t bits) { return so::TableRights::from_bits(bits); }));
  table_rights.attr("NONE") = so::TableRights::none();
  table_rights.attr("SELECT") = so::TableRights(so::TableRight::kSelect);
  table_rights.attr("UPDATE") = so::TableRights(so::TableRight::kUpdate);
  table_rights.attr("INSERT") = so::TableRights(so::TableRight::kInsert);
  table_rights.attr("DELETE") = so::TableRights(so::TableRight::kDelete);
  table_rights.attr("FILTERING") = so::TableRights(so::TableRight::kFiltering);
  table_rights.attr("RESTRICTED_UPDATE") = so::TableRights(so::TableRight::kRestrictedUpdate);
  table_rights.attr("FULL") = so::TableRights::full();
  py::implicitly_convertible<py::str, so::TableRights>();
  py::implicitly_convertible<py::int_, so::TableRights>();

  py::class_<so::FieldRights> field_rights(m, "FieldRights",
      "A field right: Read 1, Write 2, plus the UI hints Mandatory 64 and ReadOnly 128. "
      "Built from an int, 'RW' letters or 'Read|Write'.");
  const auto field_bits = [](so::FieldRights r) { return r.bits(); };
  field_rights.def(py::init<>())
      .def(py::init([](std::uint32_t bits) { return so::FieldRights::from_bits(bits); }), "bits"_a)
      .def(py::init(&parse_field_rights), "text"_a)
      .def_property_readonly("bits", field_bits)
      .def_property_readonly("can_read", &so::FieldRights::can_read)
      .def_property_readonly("can_write", &so::FieldRights::can_write)
      .def_property_readonly("mandatory", &so::FieldRights::mandatory)
      .def_property_readonly("ui_read_only", &so::FieldRights::ui_read_only)
      .def_property_readonly("letters", &so::FieldRights::to_letters)
      .def("__bool__", [](so::FieldRights r) { return r.bits() != 0; })
      .def("__int__", field_bits)
      .def("__str__", &so::FieldRights::to_string)
      .def("__repr__", [](so::FieldRights r) { return "sorights.FieldRights('" + r.to_string() + "')"; })
      .def("__hash__", field_bits)
      .def("__eq__", [](so::FieldRights a, so::FieldRights b) { return a == b; }, py::is_operator())
      .def("__ne__", [](so::FieldRights a, so::FieldRights b) { return a != b; }, py::is_operator());
  field_rights.attr("NONE") = so::FieldRights{};
  field_rights.attr("READ") = so::FieldRights(so::FieldRight::kRead);
  field_rights.attr("WRITE") = so::FieldRights(so::FieldRight::kWrite);
  field_rights.attr("READ_WRITE") = so::FieldRights::from_bits(3);
  py::implicitly_convertible<py::str, so::FieldRights>();
  py::implicitly_convertible<py::int_, so::FieldRights>();
}

}  // namespace

void bind_types(py::module_& m) {
  m.doc() = "sorights: authorization and user model for business applications (C++ core).";
  m.attr("__version__") = std::to_string(SORIGHTS_VERSION_MAJOR) + "." +
                          std::to_string(SORIGHTS_VERSION_MINOR) + "." +
                          std::to_string(SORIGHTS_VERSION_PATCH);
  bind_enums(m);
  bind_rights(m);
}

}  // namespace sorights::python
