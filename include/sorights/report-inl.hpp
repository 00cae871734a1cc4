// -----------------------------------------------------------------------------
// File: report-inl.hpp
// -----------------------------------------------------------------------------
// Out-of-line definitions for report.hpp.
#ifndef SORIGHTS_REPORT_INL_HPP_
#define SORIGHTS_REPORT_INL_HPP_

#include <map>
#include <set>
#include <string_view>

#include "sorights/report.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

SORIGHTS_INLINE std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// The admin level a cell shows as: none, read, create, update, delete, or
// custom for a set that is not one of the nested levels.
inline std::string_view cell_level(TableRights cell) {
  switch (cell.bits()) {
    case 0: return "none";
    case 1: return "read";
    case 5: return "create";
    case 7: return "update";
    case 15: return "delete";
    default: return "custom";
  }
}

SORIGHTS_INLINE std::vector<Relation> grid_relations(RoleType type) {
  switch (type) {
    case RoleType::kEmployee:
      return {Relation::kOwn, Relation::kPrimaryGroup, Relation::kOtherGroups, Relation::kOtherAssociates,
              Relation::kExternal, Relation::kAnonymous};
    case RoleType::kExternal:
      return {Relation::kOwn, Relation::kMyCompany, Relation::kSameProject, Relation::kOtherAssociates,
              Relation::kExternal, Relation::kAnonymous};
    case RoleType::kAnonymous:
      return {Relation::kOwn, Relation::kOtherAssociates, Relation::kExternal, Relation::kAnonymous};
    case RoleType::kSystem: break;
  }
  return {kRelationDisplayOrder.begin(), kRelationDisplayOrder.end()};
}

inline std::set<std::string, std::less<>> held_licences(const Model& model, const User& u) {
  std::set<std::string, std::less<>> held(u.licences.begin(), u.licences.end());
  if (const Plan* plan = model.find_plan(u.plan)) held.insert(plan->licences.begin(), plan->licences.end());
  return held;
}

inline std::string user_state(const User& u) {
  if (u.retired) return "retired";
  if (u.former_employee) return "former employee";
  if (u.type == UserType::kResource) return "resource";
  if (!u.can_log_in) return "login off";
  return "active";
}

}  // namespace detail

SORIGHTS_INLINE std::vector<LicenceUsage> licence_usage(const Model& model) {
  std::vector<LicenceUsage> out;
  for (const Licence& l : model.licences) {
    LicenceUsage usage;
    usage.licence = l.id;
    usage.kind = l.kind;
    usage.unrestricted = l.unrestricted;
    usage.purchased = l.count;
    for (const User& u : model.users) {
      if (u.retired || u.former_employee) continue;
      const bool holds = l.kind == LicenceKind::kSite ? u.type != UserType::kResource
                                                      : detail::held_licences(model, u).contains(l.id);
      if (holds) {
        ++usage.in_use;
        usage.users.push_back(u.id);
      }
    }
    out.push_back(std::move(usage));
  }
  return out;
}

SORIGHTS_INLINE std::string render_html_report(const Model& model, const std::string& title) {
  using detail::html_escape;
  std::string h;
  h.reserve(64 * 1024);
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + html_escape(title) +
       "</title>\n<style>\n"
       "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}\n"
       "h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}\n"
       "h3{font-size:15px;margin:20px 0 6px}\n"
       "table{border-collapse:collapse;margin:6px 0 16px}\n"
       "th,td{border:1px solid #bbb;padding:3px 8px;text-align:left}\n"
       "th{background:#f2f2f2}\n"
       "td.cell{text-align:center;font-family:monospace;min-width:46px}\n"
       ".lvl-none{background:#eeeeee;color:#999}.lvl-read{background:#cfe3ff}\n"
       ".lvl-create{background:#c3f0cf}.lvl-update{background:#ffe8a3}\n"
       ".lvl-delete{background:#ffb8ab}.lvl-custom{background:#e2ccff}\n"
       ".legend span{display:inline-block;padding:2px 8px;margin-right:6px;border:1px solid #bbb}\n"
       ".over{color:#b00;font-weight:bold}.muted{color:#888}\n"
       "</style></head><body>\n";
  h += "<h1>" + html_escape(title) + "</h1>\n";
  h += "<p>" + std::to_string(model.users.size()) + " users, " + std::to_string(model.roles.size()) +
       " roles, " + std::to_string(model.groups.size()) + " groups, " +
       std::to_string(model.our_companies.size()) + " of our companies.</p>\n";

  // Data rights.
  std::vector<std::string> objects(kBuiltinObjectNames.begin(), kBuiltinObjectNames.end());
  for (const DataObjectDef& o : model.objects) objects.push_back(o.id);
  h += "<h2 id=\"data-rights\">Data rights</h2>\n<p class=\"legend\">"
       "<span class=\"lvl-none\">none</span><span class=\"lvl-read\">R read</span>"
       "<span class=\"lvl-create\">CR create</span><span class=\"lvl-update\">CRU update</span>"
       "<span class=\"lvl-delete\">CRUD delete</span><span class=\"lvl-custom\">other set</span></p>\n";
  for (const Role& r : model.roles) {
    h += "<h3 id=\"role-" + html_escape(r.id) + "\">" + html_escape(r.name.empty() ? r.id : r.name) +
         " <span class=\"muted\">(" + html_escape(r.id) + ", " + std::string(role_type_name(r.type)) +
         ")</span></h3>\n";
    const std::vector<Relation> rels = detail::grid_relations(r.type);
    h += "<table class=\"grid\" data-role=\"" + html_escape(r.id) + "\"><tr><th>Data object</th>";
    for (Relation rel : rels) h += "<th>" + std::string(relation_name(rel)) + "</th>";
    h += "</tr>\n";
    for (const std::string& o : objects) {
      h += "<tr><th>" + html_escape(o) + "</th>";
      for (Relation rel : rels) {
        const TableRights cell = r.cell(o, rel);
        const std::string crud = cell.to_crud();
        h += "<td class=\"cell lvl-" + std::string(detail::cell_level(cell)) + "\" data-role=\"" +
             html_escape(r.id) + "\" data-object=\"" + html_escape(o) + "\" data-relation=\"" +
             std::string(relation_name(rel)) + "\">" + (crud.empty() ? "&ndash;" : crud) + "</td>";
      }
      h += "</tr>\n";
    }
    h += "</table>\n";
  }

  // Functional rights.
  h += "<h2 id=\"functional-rights\">Functional rights</h2>\n<table><tr><th>Role</th><th>Rights</th></tr>\n";
  for (const Role& r : model.roles) {
    h += "<tr data-role=\"" + html_escape(r.id) + "\"><th>" + html_escape(r.id) + "</th><td>";
    if (r.functional_rights.empty()) h += "<span class=\"muted\">none</span>";
    for (std::size_t i = 0; i < r.functional_rights.size(); ++i)
      h += (i ? ", " : "") + std::string("<code>") + html_escape(r.functional_rights[i]) + "</code>";
    h += "</td></tr>\n";
  }
  h += "</table>\n";

  // Users.
  h += "<h2 id=\"users\">Users</h2>\n<table><tr><th>User</th><th>Type</th><th>Company</th><th>Role</th>"
       "<th>Primary group</th><th>Other groups</th><th>Plan</th><th>State</th></tr>\n";
  for (const User& u : model.users) {
    std::string others;
    for (std::size_t i = 0; i < u.other_groups.size(); ++i) others += (i ? ", " : "") + u.other_groups[i];
    h += "<tr data-user=\"" + html_escape(u.id) + "\"><td>" + html_escape(u.id) + "</td><td>" +
         std::string(user_type_name(u.type)) + "</td><td>" + html_escape(u.company) + "</td><td>" +
         html_escape(u.role) + "</td><td>" + html_escape(u.group) + "</td><td>" + html_escape(others) +
         "</td><td>" + html_escape(u.plan) + "</td><td>" + detail::user_state(u) + "</td></tr>\n";
  }
  h += "</table>\n";
  auto grouped = [&](const char* id, const char* heading, auto key_of) {
    std::map<std::string, std::vector<std::string>> by;
    for (const User& u : model.users)
      for (const std::string& k : key_of(u)) by[k].push_back(u.id);
    h += std::string("<h3 id=\"") + id + "\">" + heading + "</h3>\n<table><tr><th>" + heading +
         "</th><th>Users</th><th>Count</th></tr>\n";
    for (const auto& [k, users] : by) {
      std::string list;
      for (std::size_t i = 0; i < users.size(); ++i) list += (i ? ", " : "") + users[i];
      h += "<tr><th>" + html_escape(k.empty() ? "(none)" : k) + "</th><td>" + html_escape(list) + "</td><td>" +
           std::to_string(users.size()) + "</td></tr>\n";
    }
    h += "</table>\n";
  };
  grouped("users-by-role", "By role", [](const User& u) { return std::vector<std::string>{u.role}; });
  grouped("users-by-group", "By group", [](const User& u) {
    std::vector<std::string> g;
    if (!u.group.empty()) g.push_back(u.group);
    g.insert(g.end(), u.other_groups.begin(), u.other_groups.end());
    if (g.empty()) g.emplace_back();
    return g;
  });
  grouped("users-by-company", "By company", [](const User& u) { return std::vector<std::string>{u.company}; });

  // Licences.
  h += "<h2 id=\"licences\">Licences</h2>\n<table><tr><th>Licence</th><th>Kind</th><th>In use</th>"
       "<th>Available</th><th>Users</th></tr>\n";
  for (const LicenceUsage& l : licence_usage(model)) {
    std::string available;
    if (l.kind == LicenceKind::kSite) available = "site";
    else if (l.unrestricted) available = "unrestricted";
    else available = std::to_string(l.available()) + " of " + std::to_string(l.purchased);
    const bool over = l.kind == LicenceKind::kUser && !l.unrestricted && l.in_use > l.purchased;
    std::string users;
    for (std::size_t i = 0; i < l.users.size(); ++i) users += (i ? ", " : "") + l.users[i];
    h += "<tr data-licence=\"" + html_escape(l.licence) + "\"><th>" + html_escape(l.licence) + "</th><td>" +
         (l.kind == LicenceKind::kSite ? "site" : "user") + "</td><td class=\"in-use" +
         (over ? " over" : "") + "\">" + std::to_string(l.in_use) + "</td><td class=\"available\">" +
         available + "</td><td>" + html_escape(users) + "</td></tr>\n";
  }
  h += "</table>\n</body></html>\n";
  return h;
}

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_REPORT_INL_HPP_
