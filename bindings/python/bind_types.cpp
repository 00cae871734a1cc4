// The module's version, the enums and the rights types (TableRights, FieldRights).
#include <array>
#include <cctype>
#include <string>

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

// Binds the enumerators 0 .. count - 1 of `E` under their stored names
// upper-cased, '-' as '_' ("primary_group", "no-such-user" → PRIMARY_GROUP,
// NO_SUCH_USER): the Python names follow the C++ name tables.
template <class E, class NameOf>
py::enum_<E>& named_values(py::enum_<E>& e, std::size_t count, NameOf name_of) {
  for (std::size_t i = 0; i < count; ++i) {
    const E v = static_cast<E>(i);
    std::string name(name_of(v));
    for (char& c : name) c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    e.value(name.c_str(), v);
  }
  return e;
}

template <class E, std::size_t N>
py::enum_<E>& named_values(py::enum_<E>& e, const std::array<std::string_view, N>& names) {
  return named_values(e, N, [&](E v) { return names[static_cast<std::size_t>(v)]; });
}

template <class E>
py::enum_<E>& described_values(py::enum_<E>& e) {
  return named_values(e, so::enum_texts<E>().size(), [](E v) { return so::enum_text(v); });
}

void bind_enums(py::module_& m) {
  py::enum_<so::ErrorCode> error_code(m, "ErrorCode", "The code of an error; the numbers are stable.");
  named_values(error_code, static_cast<std::size_t>(so::ErrorCode::kInternal) + 1, &so::error_code_name);

  py::enum_<so::UserType> user_type(m, "UserType", "The kind of a user.");
  enum_from_str(named_values(user_type, so::kUserTypeNames), &parse_user_type_sv, "user type");
  py::enum_<so::RoleType> role_type(m, "RoleType", "The type of a role.");
  enum_from_str(named_values(role_type, so::kRoleTypeNames), &parse_role_type_sv, "role type");
  py::enum_<so::Relation> relation(m, "Relation", "How a record relates to the user who asks.");
  enum_from_str(named_values(relation, so::kRelationNames), &parse_relation_sv, "relation");
  py::enum_<so::Action> action(m, "Action", "What a user asks to do with a record.");
  named_values(action, static_cast<std::size_t>(so::Action::kDelete) + 1, &so::action_name);
  enum_from_str(action, &parse_action_sv, "action");

  py::enum_<so::LicenceKind> licence_kind(m, "LicenceKind");
  described_values(licence_kind);
  py::enum_<so::OverrideLevel> override_level(m, "OverrideLevel");
  described_values(override_level);
  py::enum_<so::OverrideScope> override_scope(m, "OverrideScope");
  described_values(override_scope);
  py::enum_<so::Outcome> outcome(m, "Outcome", "How an evaluation went before (or instead of) the matrix.");
  named_values(outcome, static_cast<std::size_t>(so::Outcome::kSystemUser) + 1, &so::outcome_name);
  py::enum_<so::Layer> layer(m, "Layer", "The narrowing layers, in the order they apply.");
  named_values(layer, so::kLayerNames);
  py::enum_<so::InactiveReason>(m, "InactiveReason")
      .value("NONE", so::InactiveReason::kNone)
      .value("RETIRED", so::InactiveReason::kRetired)
      .value("FORMER_EMPLOYEE", so::InactiveReason::kFormerEmployee)
      .value("LOGIN_OFF", so::InactiveReason::kLoginOff)
      .value("RESOURCE", so::InactiveReason::kResource);
  py::enum_<so::EntityKind> entity_kind(m, "EntityKind");
  named_values(entity_kind, so::kEntityKindNames);
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
