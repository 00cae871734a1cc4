// The shared helpers of the Python module (support.hpp).
#include "support.hpp"

namespace sorights::python {

std::map<int, py::object>& error_classes() {
  static auto* classes = new std::map<int, py::object>();  // leaked: lives as long as the interpreter
  return *classes;
}

std::vector<std::string> id_args(std::vector<std::string> ids, const char* what) {
  for (const std::string& id : ids) ok(so::check_id(what, id));
  return ids;
}

void reject_nul(py::handle value, const std::string& what) {
  auto check = [&](py::handle v) {
    if (py::isinstance<py::str>(v) && std::string_view(v.cast<std::string>()).find('\0') != std::string_view::npos)
      throw py::value_error(what + " holds a NUL character");
  };
  check(value);
  if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    for (py::handle item : value) check(item);
  } else if (py::isinstance<py::dict>(value)) {
    for (auto [k, v] : value.cast<py::dict>()) check(k);
  }
}

void guard_fields(py::handle cls, const char* type, const std::vector<const char*>& fields) {
  py::object property = py::module_::import("builtins").attr("property");
  for (const char* field : fields) {
    py::object prop = cls.attr(field);
    py::object fset = prop.attr("fset");
    if (fset.is_none()) continue;
    const std::string label = std::string(type) + "." + field;
    py::cpp_function setter([fset, label](py::object self, py::object value) {
      reject_nul(value, label);
      try {
        fset(self, value);
      } catch (py::error_already_set& e) {
        if (!e.matches(PyExc_OverflowError)) throw;
        const std::string message = label + ": " + std::string(py::str(e.value()));
        PyErr_SetString(PyExc_OverflowError, message.c_str());
        throw py::error_already_set();
      }
    });
    py::setattr(cls, field, property(prop.attr("fget"), setter, py::none(), prop.attr("__doc__")));
  }
}

[[noreturn]] void raise_reference_error(const std::string& message) {
  PyErr_SetString(PyExc_ReferenceError, message.c_str());
  throw py::error_already_set();
}

std::string item_key(const so::FieldRightRule& r) {
  return r.role + '\0' + r.object + '\0' + r.field + '\0' + std::to_string(static_cast<int>(r.relation));
}
std::string item_key(const so::Override& o) {
  return std::to_string(static_cast<int>(o.level)) + '\0' + o.target + '\0' + o.object + '\0' +
         std::to_string(static_cast<int>(o.scope)) + '\0' + o.record + '\0' + o.field;
}

// Times: an int (seconds since 1970) or a datetime (naive = UTC).
std::optional<so::Time> to_time(py::handle value) {
  if (value.is_none()) return std::nullopt;
  if (py::isinstance<py::int_>(value)) return value.cast<so::Time>();
  py::module_ dt = py::module_::import("datetime");
  if (py::isinstance(value, dt.attr("datetime"))) {
    py::object v = py::reinterpret_borrow<py::object>(value);
    if (v.attr("tzinfo").is_none()) v = v.attr("replace")("tzinfo"_a = dt.attr("timezone").attr("utc"));
    return static_cast<so::Time>(v.attr("timestamp")().cast<double>());
  }
  if (py::isinstance(value, dt.attr("date"))) {
    py::object v = dt.attr("datetime")(value.attr("year"), value.attr("month"), value.attr("day"),
                                       "tzinfo"_a = dt.attr("timezone").attr("utc"));
    return static_cast<so::Time>(v.attr("timestamp")().cast<double>());
  }
  throw py::type_error("a time is an int (seconds since 1970), a datetime or a date");
}

std::vector<std::string> names(std::size_t n, const std::function<std::string_view(std::uint32_t)>& f) {
  std::vector<std::string> out;
  out.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) out.emplace_back(f(i));
  return out;
}

}  // namespace sorights::python
