// The console's English texts (see text.hpp).
#include "text.hpp"

#include <algorithm>
#include <array>
#include <utility>

SORIGHTS_BEGIN_NAMESPACE
namespace console::detail {
namespace {

using Entry = std::pair<std::string_view, std::string_view>;

// Sorted by key (checked once, below).
constexpr std::array kEnglish = std::to_array<Entry>({
    {"action", "Action"},
    {"actor", "Actor"},
    {"add", "Add"},
    {"add-company", "Add a company"},
    {"add-group", "Add a group"},
    {"add-role", "Add a role"},
    {"add-user", "Add a user"},
    {"after", "After"},
    {"all", "All"},
    {"applied", "Applied"},
    {"apply", "Apply (then Save)"},
    {"apply-cells", "Apply the grid"},
    {"audit", "Audit"},
    {"audit-caption", "The audit trail, newest first"},
    {"available", "Available"},
    {"available-rights", "Available"},
    {"blank-rights", "(start with blank rights)"},
    {"can-log-in", "Can log in"},
    {"cancel", "Cancel"},
    {"cancel-help", "Cancel drops every change since the last Save."},
    {"cancelled", "Cancelled; the pending changes were dropped."},
    {"cell", "Role cell"},
    {"cells-changed", "data-rights cells changed"},
    {"change", "Change"},
    {"changes", "Changes"},
    {"check", "Check"},
    {"check-caption", "How the decision was reached"},
    {"check-help", "Pick a user, an action, an object and the record's options to see the decision and its layers (on the saved model)."},
    {"check-run", "Check"},
    {"committed", "Committed"},
    {"companies-caption", "Our companies"},
    {"company", "Company"},
    {"completed", "Completed"},
    {"confirm-save", "Save these changes"},
    {"conflict-help", "Another administrator saved first. Your pending changes are kept: Save again to have them judged against the newer model, or Cancel."},
    {"copy", "Copy"},
    {"copy-from", "Copy rights from"},
    {"copy-role", "Copy this role"},
    {"data-rights", "Data rights"},
    {"data-rights-caption", "Data rights: objects by relation"},
    {"database-owner", "Database owner"},
    {"decision", "Decision"},
    {"default-group", "(the owner's primary group)"},
    {"delete", "Delete"},
    {"delete-role", "Delete this role"},
    {"description", "Description"},
    {"edit", "Edit"},
    {"edit-user", "Edit user"},
    {"error", "Error"},
    {"filter", "Filter"},
    {"former", "Mark as former employee"},
    {"functional-rights", "Functional rights"},
    {"group", "Group"},
    {"groups-caption", "User groups"},
    {"id", "Id"},
    {"in-use", "In use"},
    {"item", "Item"},
    {"kind", "Kind"},
    {"layer", "Layer"},
    {"licence", "Licence"},
    {"licences", "User licences"},
    {"licences-caption", "User licences: in use, available and by whom"},
    {"login-help", "Open the URL that `sorights serve` printed (it carries a one-time token), or restart it for a new one. A token works once; the session it opens lasts until the server stops."},
    {"login-title", "Sign in needed"},
    {"members", "Members"},
    {"message", "Message"},
    {"name", "Name"},
    {"new", "New record"},
    {"new-id", "New id"},
    {"no", "no"},
    {"no-changes", "There are no pending changes."},
    {"no-entries", "No entries."},
    {"no-users", "No users match."},
    {"none", "(none)"},
    {"nothing", "Nothing"},
    {"object", "Object"},
    {"options", "Record options"},
    {"other-groups", "Other groups"},
    {"outcome", "Outcome"},
    {"owner", "Owner"},
    {"pending", "pending changes"},
    {"pending-one", "pending change"},
    {"plan", "Plan"},
    {"primary-group", "Primary group"},
    {"published", "Published"},
    {"reason", "Reason"},
    {"refused", "Refused"},
    {"relation", "Relation"},
    {"removed", "Removed"},
    {"rename-role", "Name and description"},
    {"replacement", "Assign all users with this role to"},
    {"retire", "Retire"},
    {"retire-delete", "Deactivate, retire, delete"},
    {"review-save", "Review and Save"},
    {"right", "Right"},
    {"rights", "Rights"},
    {"role", "Role"},
    {"role-can", "This role can"},
    {"roles", "Roles"},
    {"roles-caption", "Roles and their users"},
    {"rule", "Rule"},
    {"save", "Save"},
    {"save-caption", "The changes Save will commit"},
    {"save-help", "Nothing takes effect until you confirm. Every change is checked at Save: model rules and your rights."},
    {"saved", "Saved"},
    {"search", "Search id or name"},
    {"show-retired", "Show retired users"},
    {"staged", "Staged"},
    {"state", "State"},
    {"tab-associates", "Associates"},
    {"tab-companies", "Our companies"},
    {"tab-groups", "User groups"},
    {"tab-licences", "User licences"},
    {"tab-other", "Other users"},
    {"time", "Time"},
    {"type", "Type"},
    {"unlimited", "unlimited"},
    {"user", "User"},
    {"users", "Users"},
    {"users-caption", "Users"},
    {"users-count", "Users"},
    {"version", "Version"},
    {"visibility", "Visible for"},
    {"who-can", "Who can do this"},
    {"who-can-more", "Only the first 200 are listed."},
    {"yes", "yes"},
});

constexpr bool sorted() {
  for (std::size_t i = 1; i < kEnglish.size(); ++i)
    if (!(kEnglish[i - 1].first < kEnglish[i].first)) return false;
  return true;
}
static_assert(sorted(), "keep kEnglish sorted by key");

}  // namespace

std::string_view text(std::string_view key, std::string_view /*language*/) noexcept {
  auto it = std::lower_bound(kEnglish.begin(), kEnglish.end(), key,
                             [](const Entry& e, std::string_view k) { return e.first < k; });
  return it != kEnglish.end() && it->first == key ? it->second : key;
}

}  // namespace console::detail
SORIGHTS_END_NAMESPACE
