// sorights.Error and its subclass per error code, Diagnostic, and the
// translation of a failed Result (PyError) into them.
#include "support.hpp"

namespace sorights::python {

void bind_errors(py::module_& m) {
  PyObject* base = PyErr_NewExceptionWithDoc(
      "sorights.Error",
      "A failed sorights operation. Attributes: code (ErrorCode), message (str), "
      "diagnostics (list[Diagnostic]).",
      PyExc_Exception, nullptr);
  py::object error = py::reinterpret_steal<py::object>(base);
  m.attr("Error") = error;
  struct Sub {
    so::ErrorCode code;
    const char* name;
    PyObject* also;
  };
  const Sub subs[] = {
      {so::ErrorCode::kInvalidArgument, "InvalidArgumentError", PyExc_ValueError},
      {so::ErrorCode::kNotFound, "NotFoundError", PyExc_LookupError},
      {so::ErrorCode::kAlreadyExists, "AlreadyExistsError", nullptr},
      {so::ErrorCode::kFailedPrecondition, "ValidationError", nullptr},
      {so::ErrorCode::kPermissionDenied, "PermissionDeniedError", PyExc_PermissionError},
      {so::ErrorCode::kConflict, "ConflictError", nullptr},
      {so::ErrorCode::kUnavailable, "UnavailableError", PyExc_OSError},
      {so::ErrorCode::kDataLoss, "DataLossError", nullptr},
      {so::ErrorCode::kInternal, "InternalError", nullptr},
  };
  error_classes()[static_cast<int>(so::ErrorCode::kOk)] = error;
  for (const Sub& s : subs) {
    py::tuple bases = s.also != nullptr
                          ? py::make_tuple(error, py::reinterpret_borrow<py::object>(s.also))
                          : py::make_tuple(error);
    const std::string qualified = std::string("sorights.") + s.name;
    py::object cls = py::reinterpret_steal<py::object>(
        PyErr_NewException(qualified.c_str(), bases.ptr(), nullptr));
    m.attr(s.name) = cls;
    error_classes()[static_cast<int>(s.code)] = cls;
  }
  m.attr("FailedPreconditionError") = m.attr("ValidationError");

  py::class_<so::Diagnostic>(m, "Diagnostic", "One problem found while validating.")
      SORIGHTS_PY_READONLY(so::Diagnostic, collection, item, field, rule, message)
      .def("__str__", &so::Diagnostic::to_string)
      .def("__repr__", [](const so::Diagnostic& d) {
        return "<sorights.Diagnostic " + d.rule + ": " + d.to_string() + ">";
      });

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const PyError& e) {
      auto& classes = error_classes();
      auto it = classes.find(static_cast<int>(e.error.code));
      py::object cls = it != classes.end() ? it->second : classes[0];
      py::object exc = cls(e.error.to_string());
      exc.attr("code") = py::cast(e.error.code);
      exc.attr("message") = py::str(e.error.message);
      exc.attr("diagnostics") = py::cast(e.error.diagnostics);
      PyErr_SetObject(cls.ptr(), exc.ptr());
    }
  });
}

}  // namespace sorights::python
