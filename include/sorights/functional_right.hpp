// -----------------------------------------------------------------------------
// File: functional_right.hpp
// -----------------------------------------------------------------------------
// The built-in catalog of functional rights: every internal id of the
// reference model (the reference model (docs/rules.md, "Reference")), in a fixed order. A compiled snapshot
// numbers these first (index = position here) and host-defined rights after
// them. Rights whose internal id the reference does not document are not
// listed; a host declares them if it needs them.
#ifndef SORIGHTS_FUNCTIONAL_RIGHT_HPP_
#define SORIGHTS_FUNCTIONAL_RIGHT_HPP_

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "sorights/config.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// A built-in functional right: its stable internal id and its UI name.
struct BuiltinRight {
  std::string_view id{};
  std::string_view name{};
};

/// The built-in catalog. The position of a right is its `RightIndex` in every
/// snapshot.
inline constexpr std::array<BuiltinRight, 68> kBuiltinRights = {{
    {"admin-all", "General Administrator"},
    {"admin-lists", "List Administrator"},
    {"admin-users", "User Administrator"},
    {"admin-role", "Role Administrator"},
    {"admin-udef", "Field Administrator"},
    {"admin-import", "Import Administrator"},
    {"admin-preferences", "Preferences Administrator"},
    {"admin-workflow", "Workflow administrator"},
    {"admin-quote", "Quote administrator"},
    {"admin-dashboard", "Dashboard administrator"},
    {"admin-script", "Script Administrator"},
    {"admin-replication", "Replication administrator"},
    {"admin-saint-regeneration", "Status Monitor Administrator (counters)"},
    {"admin-saint-definition", "Status Monitor Administrator (statuses)"},
    {"admin-audience", "Audience Administrator"},
    {"admin-products", "Products administrator"},
    {"admin-webhooks", "Webhooks administrator"},
    {"allow-bulk-edit", "Allow bulk update"},
    {"allow-bulk-mailmerge", "Can run Mail Merge"},
    {"allow-bulk-export", "Can export data to file"},
    {"allow-bulk-generate-activities", "Can create tasks for a selection"},
    {"allow-bulk-copy-members", "Can copy a selection"},
    {"allow-bulk-delete", "Can delete selection members"},
    {"allow-bulk-interests", "Can modify interests for selection members"},
    {"allow-bulk-email", "Can send email to selection members"},
    {"allow-bulk-user-applications", "Can run custom tasks on selections"},
    {"allow-manage-entities", "Can manage (move and merge) entities"},
    {"allow-readonly-override", "Can override read-only fields"},
    {"see-other-companies-associates", "Can see users belonging to other companies"},
    {"allow-dictionarySDK", "Can create and delete tables in the database"},
    {"quote-can-approve", "Can approve quotes"},
    {"mailing-consent-override", "Can override consent in mailings"},
    {"can-manage-person-consent", "Can update consent for contact"},
    {"define-new-tags", "Create new tags directly"},
    {"allow-send-email", "Can send e-mail"},
    {"hide-company", "Hide Company screen"},
    {"hide-sale", "Hide Sale screen"},
    {"hide-project", "Hide Project screen"},
    {"hide-selection", "Hide Selection screen"},
    {"hide-inbox", "Hide Inbox screen"},
    {"hide-reporter", "Hide Reports screen"},
    {"cs-listown", "List requests in own categories"},
    {"cs-readown", "Read requests in own categories"},
    {"cs-editown", "Edit requests in own categories"},
    {"cs-listothers", "List all requests"},
    {"cs-readothers", "Read all requests"},
    {"cs-editothers", "Edit all requests"},
    {"cs-document", "Knowledge Base"},
    {"cs-editfaq", "Edit FAQ entries"},
    {"cs-faqadmin", "Administrate FAQ"},
    {"cs-listextratablecontent", "List tables"},
    {"cs-editextratablecontent", "Edit tables"},
    {"cs-categories", "Category administration"},
    {"cs-system", "Service administration"},
    {"cs-statistics", "View statistics"},
    {"cs-readselections", "View selections"},
    {"cs-editselections", "Create selections"},
    {"cs-changepref", "Change own properties"},
    {"cs-changeprofile", "Change own profile"},
    {"cs-posttofacebook", "Facebook"},
    {"syncadmin-all", "SuperOffice Intellisync Server Maintenance"},
    {"syncadmin-user", "Edit own synchronization settings"},
    {"ext-need-publish-to-see-project", "Show only published projects"},
    {"ext-need-publish-to-see-appointment", "Show only published follow-ups"},
    {"ext-need-publish-to-see-document", "Show only published documents"},
    {"ext-need-publish-to-see-sale", "Show only published sales"},
    {"ext-see-event-projects", "Show projects marked as events"},
    {"ext-use-my-company-rights", "Use data rights for My company"},
}};

/// `ext-use-same-project-rights` follows the catalog above; kept apart so the
/// table stays in the reference's order.
inline constexpr BuiltinRight kSameProjectRight = {"ext-use-same-project-rights",
                                                   "Use data rights for Same project"};
/// The number of built-in rights, `ext-use-same-project-rights` included.
inline constexpr std::size_t kBuiltinRightCount = kBuiltinRights.size() + 1;

/// The internal id of built-in right number `i`, or empty past the end.
[[nodiscard]] constexpr std::string_view builtin_right_id(std::size_t i) noexcept {
  if (i < kBuiltinRights.size()) return kBuiltinRights[i].id;
  if (i == kBuiltinRights.size()) return kSameProjectRight.id;
  return {};
}
/// The UI name of built-in right number `i`, or empty past the end.
[[nodiscard]] constexpr std::string_view builtin_right_name(std::size_t i) noexcept {
  if (i < kBuiltinRights.size()) return kBuiltinRights[i].name;
  if (i == kBuiltinRights.size()) return kSameProjectRight.name;
  return {};
}
/// True if built-in right number `i` is *restrictive*: holding it takes
/// something away (the `hide-…` screens and `ext-need-publish-to-see-…`).
/// The system user holds no restrictive right, and assigning one is never an
/// escalation (docs/design/0006-administration-chain.md).
[[nodiscard]] constexpr bool builtin_right_restrictive(std::size_t i) noexcept {
  const std::string_view id = builtin_right_id(i);
  return id.starts_with("hide-") || id.starts_with("ext-need-publish-to-see-");
}
/// The position of a built-in right id, or nothing.
[[nodiscard]] constexpr std::optional<std::size_t> find_builtin_right(std::string_view id) noexcept {
  for (std::size_t i = 0; i < kBuiltinRightCount; ++i)
    if (builtin_right_id(i) == id) return i;
  return std::nullopt;
}

namespace detail {
inline void not_a_builtin_right() noexcept {}
// The position of built-in right `id`. For an id the catalog does not hold
// it calls a function that is not constexpr: a compile error.
consteval std::size_t builtin_position(std::string_view id) {
  const std::optional<std::size_t> i = find_builtin_right(id);
  if (!i) not_a_builtin_right();
  return i.value_or(0);
}
}  // namespace detail

/// Named positions in the catalog (`builtin_right_id`) that the evaluator
/// itself consults, found by id at compile time.
namespace builtin_right {
inline constexpr std::size_t kAdminAll = detail::builtin_position("admin-all");
inline constexpr std::size_t kAdminLists = detail::builtin_position("admin-lists");
inline constexpr std::size_t kAdminUsers = detail::builtin_position("admin-users");
inline constexpr std::size_t kAdminRole = detail::builtin_position("admin-role");
inline constexpr std::size_t kAdminPreferences = detail::builtin_position("admin-preferences");
inline constexpr std::size_t kAllowBulkEdit = detail::builtin_position("allow-bulk-edit");
inline constexpr std::size_t kSeeOtherCompanies = detail::builtin_position("see-other-companies-associates");
inline constexpr std::size_t kExtPublishProject = detail::builtin_position("ext-need-publish-to-see-project");
inline constexpr std::size_t kExtPublishAppointment = detail::builtin_position("ext-need-publish-to-see-appointment");
inline constexpr std::size_t kExtPublishDocument = detail::builtin_position("ext-need-publish-to-see-document");
inline constexpr std::size_t kExtPublishSale = detail::builtin_position("ext-need-publish-to-see-sale");
inline constexpr std::size_t kExtMyCompany = detail::builtin_position("ext-use-my-company-rights");
inline constexpr std::size_t kExtSameProject = detail::builtin_position("ext-use-same-project-rights");
}  // namespace builtin_right

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_FUNCTIONAL_RIGHT_HPP_
