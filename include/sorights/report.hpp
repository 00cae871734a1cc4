// -----------------------------------------------------------------------------
// File: report.hpp
// -----------------------------------------------------------------------------
// `render_html_report(model)`: one self-contained HTML page (no scripts, no
// external files) that shows a user model the way an administrator reads it:
// each role's data-rights grid (data objects × relations, coloured by level),
// the functional rights per role, the users by role, group and company, and
// licence usage (in use / available), like the Users screen's licences tab.
// The page's `lang` attribute, headings, tabs, legend and the built-ins' names
// are in the language asked for (sorights/names.hpp); ids stay as they are.
//
// Compiled code: link `sorights::report` (it links `sorights::sorights`, so
// a header-only program cannot use it). Cold path: allocates, O(size of the
// model). Thread-safe on a const model.
#ifndef SORIGHTS_REPORT_HPP_
#define SORIGHTS_REPORT_HPP_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sorights/config.hpp"
#include "sorights/model.hpp"
#include "sorights/names.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// Usage of one licence: how many users hold it and how many are left.
struct LicenceUsage {
  std::string licence{};
  LicenceKind kind = LicenceKind::kUser;
  bool unlimited = false;              ///< no cap on holders (`!Licence::capped()`)
  std::uint32_t purchased = 0;         ///< meaningful when not `unlimited`
  std::uint32_t in_use = 0;            ///< holders, retired users and former employees excluded
  std::vector<std::string> users{};    ///< the holders, in model order
  /// Purchased minus in use; 0 when over-assigned.
  [[nodiscard]] std::uint32_t available() const noexcept {
    return in_use >= purchased ? 0 : purchased - in_use;
  }
};

/// Licence usage for every licence of `model`, in model order. A user holds
/// a licence assigned directly or through the user's plan; site licences are
/// held by every active user.
[[nodiscard]] SORIGHTS_API std::vector<LicenceUsage> licence_usage(const Model& model);

/// Renders the whole model as one self-contained HTML page in `lang`. `title`
/// goes in the page heading as it is.
[[nodiscard]] SORIGHTS_API std::string render_html_report(const Model& model,
                                                          const std::string& title = "sorights model",
                                                          Language lang = Language::kEn);

namespace detail {
// Shared by the report and the admin console (src/console); in sorights::report.
// `s` with &, <, >, " and ' written as HTML entities.
[[nodiscard]] SORIGHTS_API std::string html_escape(std::string_view s);
// The relations an admin grid shows for a role of `type`, in display order.
[[nodiscard]] SORIGHTS_API std::vector<Relation> grid_relations(RoleType type);
}  // namespace detail

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_REPORT_HPP_
