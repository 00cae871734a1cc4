// The licence report (sorights/report.hpp): licence usage and the HTML page.
#include "support.hpp"

namespace sorights::python {

void bind_report(py::module_& m) {
  py::class_<so::LicenceUsage>(m, "LicenceUsage", "Usage of one licence, like the Users screen's licences tab.")
      SORIGHTS_PY_READONLY(so::LicenceUsage, licence, kind, unlimited, purchased)
      .def_readonly("in_use", &so::LicenceUsage::in_use, "Holders, retired users and former employees excluded.")
      .def_readonly("users", &so::LicenceUsage::users, "The holders, in model order.")
      .def_property_readonly("available", &so::LicenceUsage::available, "Purchased minus in use; 0 when over.")
      .def("__repr__", [](const so::LicenceUsage& u) {
        return "<sorights.LicenceUsage " + u.licence + " in_use=" + std::to_string(u.in_use) + ">";
      });
  m.def("licence_usage", &so::licence_usage, "model"_a, "Per licence: holders, seats in use and available.");
  m.def("render_html_report", [](const so::Model& model, const std::string& title) { return so::render_html_report(model, title); }, "model"_a, "title"_a = "sorights model",
        "One self-contained HTML page of the model (roles, users, licence usage).");
}

}  // namespace sorights::python
