// The Python names API (sorights/names.hpp) and the report's `lang`:
// `Language`, `parse_language`, `display_name`, `builtin_names`, and
// `render_html_report(model, title, lang)`. Called from module.cpp.
#include "support.hpp"  // first: the checked integer casters (ODR)

#include <string>
#include <utility>
#include <vector>

#include "bind.hpp"
#include "sorights/names.hpp"
#include "sorights/report.hpp"

namespace sorights::python {
namespace {

so::NameKind kind_of(const std::string& kind) {
  const auto k = so::parse_name_kind(kind);
  if (!k)
    throw py::value_error("unknown kind \"" + kind +
                          "\" (roles, functional-rights, objects, relations, user-types, levels, tabs)");
  return *k;
}

so::Language language_of(const py::object& lang) {
  if (py::isinstance<so::Language>(lang)) return lang.cast<so::Language>();
  const std::string code = lang.cast<std::string>();
  const auto parsed = so::parse_language(code);
  if (!parsed) throw py::value_error("unknown language \"" + code + "\" (en, no, nb, nl, da)");
  return *parsed;
}

}  // namespace


void bind_names(py::module_& m) {
  py::enum_<so::Language>(m, "Language", "A language of the display names (nb is NO).")
      .value("EN", so::Language::kEn)
      .value("NO", so::Language::kNo)
      .value("NL", so::Language::kNl)
      .value("DA", so::Language::kDa);
  m.def(
      "parse_language", [](const std::string& code) { return so::parse_language(code); }, "code"_a,
      "en, no, nb, nl or da (any case) as a Language; None for anything else.");
  m.def(
      "display_name",
      [](const std::string& kind, const std::string& id, const py::object& lang) {
        return std::string(so::display_name(kind_of(kind), id, language_of(lang)));
      },
      "kind"_a, "id"_a, "lang"_a = "en",
      "The display name of built-in `id` of `kind` in `lang` (a Language or a code); an unknown id as it is.");
  m.def(
      "builtin_names",
      [](const std::string& kind, const py::object& lang) {
        std::vector<std::pair<std::string, std::string>> out;
        const so::Language l = language_of(lang);
        for (const so::BuiltinName& e : so::builtin_names(kind_of(kind)))
          out.emplace_back(std::string(e.id), std::string(so::name_in(e, l)));
        return out;
      },
      "kind"_a, "lang"_a = "en", "Every built-in of `kind` as (id, name) pairs, in display order.");
  m.def(
      "role_display_name",
      [](const so::Model& model, const std::string& id, const py::object& lang) {
        return std::string(so::role_display_name(model, id, language_of(lang)));
      },
      "model"_a, "id"_a, "lang"_a = "en", "The display name of role `id` of `model` in `lang`.");
  m.def(
      "render_html_report",
      [](const so::Model& model, const std::string& title, const py::object& lang) {
        return so::render_html_report(model, title, language_of(lang));
      },
      "model"_a, "title"_a = "sorights model", py::kw_only(), "lang"_a,
      "The HTML report in `lang` (a Language or a code).");
}

}  // namespace sorights::python
