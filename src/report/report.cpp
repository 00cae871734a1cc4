// The HTML model report (sorights/report.hpp): compiled once into
// sorights::report, in the language the caller chooses.
#include "sorights/report.hpp"

#include <array>
#include <map>
#include <set>
#include <string_view>

#include "sorights/names.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

std::string html_escape(std::string_view s) {
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

std::vector<Relation> grid_relations(RoleType type) {
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

}  // namespace detail

namespace {

std::set<std::string, std::less<>> held_licences(const Model& model, const User& u) {
  std::set<std::string, std::less<>> held(u.licences.begin(), u.licences.end());
  if (const Plan* plan = model.find_plan(u.plan)) held.insert(plan->licences.begin(), plan->licences.end());
  return held;
}

}  // namespace

std::vector<LicenceUsage> licence_usage(const Model& model) {
  std::vector<LicenceUsage> out;
  for (const Licence& l : model.licences) {
    LicenceUsage usage;
    usage.licence = l.id;
    usage.kind = l.kind;
    usage.unlimited = !l.capped();
    usage.purchased = l.count;
    for (const User& u : model.users) {
      if (u.retired || u.former_employee) continue;
      const bool holds = l.kind == LicenceKind::kSite ? u.type != UserType::kResource
                                                      : held_licences(model, u).contains(l.id);
      if (holds) {
        ++usage.in_use;
        usage.users.push_back(u.id);
      }
    }
    out.push_back(std::move(usage));
  }
  return out;
}

namespace {

// The report's own words (sorights' translations; docs/languages.md). The
// tabs, levels, objects, relations and user types come from names.hpp.
struct ReportWords {
  std::string_view users, roles, groups, of_our_companies;
  std::string_view data_object, other_set, role, rights, users_heading;
  std::string_view user, type, company, primary_group, other_groups, plan, state;
  std::string_view by_role, by_group, by_company, count, none;
  std::string_view licences, licence, kind, in_use, available, site, user_kind, unlimited, of;
  std::string_view retired, former_employee, resource, login_off, active;
};

inline constexpr std::array<ReportWords, kLanguageCount> kReportWords = {{
    {"users", "roles", "groups", "of our companies",
     "Data object", "other set", "Role", "Rights", "Users",
     "User", "Type", "Company", "Primary group", "Other groups", "Plan", "State",
     "By role", "By group", "By company", "Count", "(none)",
     "Licences", "Licence", "Kind", "In use", "Available", "site", "user", "unlimited", "of",
     "retired", "former employee", "resource", "login off", "active"},
    {"brukere", "roller", "grupper", "av våre firmaer",
     "Dataobjekt", "annet sett", "Rolle", "Rettigheter", "Brukere",
     "Bruker", "Type", "Firma", "Primærgruppe", "Andre grupper", "Brukerplan", "Status",
     "Etter rolle", "Etter gruppe", "Etter firma", "Antall", "(ingen)",
     "Lisenser", "Lisens", "Type", "I bruk", "Tilgjengelig", "system", "bruker", "ubegrenset", "av",
     "avsluttet", "tidligere ansatt", "ressurs", "innlogging av", "aktiv"},
    {"gebruikers", "rollen", "groepen", "van onze bedrijven",
     "Gegevensobject", "andere combinatie", "Rol", "Rechten", "Gebruikers",
     "Gebruiker", "Type", "Bedrijf", "Primaire groep", "Andere groepen", "Gebruikersplan", "Status",
     "Per rol", "Per groep", "Per bedrijf", "Aantal", "(geen)",
     "Licenties", "Licentie", "Soort", "In gebruik", "Beschikbaar", "systeem", "gebruiker", "onbeperkt", "van",
     "beëindigd", "voormalig medewerker", "resource", "aanmelden uit", "actief"},
    {"brugere", "roller", "grupper", "af vores virksomheder",
     "Dataobjekt", "andet sæt", "Rolle", "Rettigheder", "Brugere",
     "Bruger", "Type", "Virksomhed", "Primær gruppe", "Andre grupper", "Brugerplan", "Status",
     "Efter rolle", "Efter gruppe", "Efter virksomhed", "Antal", "(ingen)",
     "Licenser", "Licens", "Type", "I brug", "Tilgængelig", "system", "bruger", "ubegrænset", "af",
     "afsluttet", "tidligere medarbejder", "ressource", "login slået fra", "aktiv"},
}};

inline const ReportWords& report_words(Language lang) {
  const auto i = static_cast<std::size_t>(lang);
  return kReportWords[i < kLanguageCount ? i : 0];
}

std::string_view user_state(const User& u, const ReportWords& w) {
  if (u.retired) return w.retired;
  if (u.former_employee) return w.former_employee;
  if (u.type == UserType::kResource) return w.resource;
  if (!u.can_log_in) return w.login_off;
  return w.active;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += items[i];
  }
  return out;
}

std::string page_head(const std::string& title, Language lang) {
  std::string h = "<!DOCTYPE html>\n<html lang=\"";
  h += language_code(lang);
  h += "\"><head><meta charset=\"utf-8\"><title>";
  h += detail::html_escape(title);
  h += "</title>\n<style>\n"
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
       "</style></head><body>\n<h1>";
  h += detail::html_escape(title);
  h += "</h1>\n";
  return h;
}

void data_rights_section(std::string& h, const Model& model, Language lang, const ReportWords& w) {
  std::vector<std::string> objects(kBuiltinObjectNames.begin(), kBuiltinObjectNames.end());
  for (const DataObjectDef& o : model.objects) objects.push_back(o.id);
  h += "<h2 id=\"data-rights\">";
  h += display_name(NameKind::kTabs, "data-rights", lang);
  h += "</h2>\n<p class=\"legend\">";
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kLegend = {
      {{"none", ""}, {"read", "R "}, {"create", "CR "}, {"update", "CRU "}, {"delete", "CRUD "}}};
  for (std::size_t i = 0; i < kLegend.size(); ++i) {
    h += "<span class=\"lvl-";
    h += kLegend[i].first;
    h += "\">";
    h += kLegend[i].second;
    h += display_name(static_cast<Level>(i), lang);
    h += "</span>";
  }
  h += "<span class=\"lvl-custom\">";
  h += w.other_set;
  h += "</span></p>\n";
  for (const Role& r : model.roles) {
    const std::string id = detail::html_escape(r.id);
    h += "<h3 id=\"role-" + id + "\">";
    h += detail::html_escape(display_name(r, lang, &r.names));
    h += " <span class=\"muted\">(" + id + ", ";
    h += role_type_name(r.type);
    h += ")</span></h3>\n";
    const std::vector<Relation> rels = detail::grid_relations(r.type);
    h += "<table class=\"grid\" data-role=\"" + id + "\"><tr><th>";
    h += w.data_object;
    h += "</th>";
    for (Relation rel : rels) {
      h += "<th>";
      h += detail::html_escape(display_name(rel, lang));
      h += "</th>";
    }
    h += "</tr>\n";
    for (const std::string& o : objects) {
      h += "<tr><th>";
      h += detail::html_escape(object_display_name(model, o, lang));
      h += "</th>";
      for (Relation rel : rels) {
        const TableRights cell = r.cell(o, rel);
        const std::string crud = cell.to_crud();
        h += "<td class=\"cell lvl-";
        h += cell_level_id(cell);
        h += "\" data-role=\"" + id + "\" data-object=\"" + detail::html_escape(o) + "\" data-relation=\"";
        h += relation_name(rel);
        h += "\">";
        h += crud.empty() ? std::string("&ndash;") : crud;
        h += "</td>";
      }
      h += "</tr>\n";
    }
    h += "</table>\n";
  }
}

void functional_rights_section(std::string& h, const Model& model, Language lang, const ReportWords& w) {
  h += "<h2 id=\"functional-rights\">";
  h += display_name(NameKind::kTabs, "functional-rights", lang);
  h += "</h2>\n<table><tr><th>";
  h += w.role;
  h += "</th><th>";
  h += w.rights;
  h += "</th></tr>\n";
  for (const Role& r : model.roles) {
    h += "<tr data-role=\"" + detail::html_escape(r.id) + "\"><th>" + detail::html_escape(display_name(r, lang, &r.names)) + "</th><td>";
    if (r.functional_rights.empty()) {
      h += "<span class=\"muted\">";
      h += display_name(Level::kNone, lang);
      h += "</span>";
    }
    for (std::size_t i = 0; i < r.functional_rights.size(); ++i) {
      if (i) h += ", ";
      h += detail::html_escape(right_display_name(model, r.functional_rights[i], lang));
      h += " <code>" + detail::html_escape(r.functional_rights[i]) + "</code>";
    }
    h += "</td></tr>\n";
  }
  h += "</table>\n";
}

template <class KeyOf>
void grouped_users(std::string& h, const Model& model, const char* id, std::string_view heading,
                   const ReportWords& w, KeyOf key_of) {
  std::map<std::string, std::vector<std::string>> by;
  for (const User& u : model.users)
    for (const std::string& k : key_of(u)) by[k].push_back(u.id);
  h += std::string("<h3 id=\"") + id + "\">";
  h += heading;
  h += "</h3>\n<table><tr><th>";
  h += heading;
  h += "</th><th>";
  h += w.users_heading;
  h += "</th><th>";
  h += w.count;
  h += "</th></tr>\n";
  for (const auto& [k, users] : by) {
    h += "<tr><th>" + detail::html_escape(k.empty() ? std::string(w.none) : k) + "</th><td>" + detail::html_escape(joined(users)) +
         "</td><td>" + std::to_string(users.size()) + "</td></tr>\n";
  }
  h += "</table>\n";
}

void users_section(std::string& h, const Model& model, Language lang, const ReportWords& w) {
  h += "<h2 id=\"users\">";
  h += w.users_heading;
  h += "</h2>\n<table><tr>";
  for (std::string_view col : {w.user, w.type, w.company, w.role, w.primary_group, w.other_groups, w.plan, w.state}) {
    h += "<th>";
    h += col;
    h += "</th>";
  }
  h += "</tr>\n";
  for (const User& u : model.users) {
    h += "<tr data-user=\"" + detail::html_escape(u.id) + "\"><td>" + detail::html_escape(u.id) + "</td><td>";
    h += detail::html_escape(display_name(u.type, lang));
    h += "</td><td>" + detail::html_escape(u.company.empty() ? std::string_view() : our_company_display_name(model, u.company, lang)) +
         "</td><td>";
    h += detail::html_escape(role_display_name(model, u.role, lang));
    h += "</td><td>" + detail::html_escape(u.group.empty() ? std::string_view() : group_display_name(model, u.group, lang)) +
         "</td><td>" + detail::html_escape(joined(u.other_groups)) + "</td><td>" + detail::html_escape(u.plan) + "</td><td>";
    h += user_state(u, w);
    h += "</td></tr>\n";
  }
  h += "</table>\n";
  grouped_users(h, model, "users-by-role", w.by_role, w, [](const User& u) { return std::vector<std::string>{u.role}; });
  grouped_users(h, model, "users-by-group", w.by_group, w, [](const User& u) {
    std::vector<std::string> g;
    if (!u.group.empty()) g.push_back(u.group);
    g.insert(g.end(), u.other_groups.begin(), u.other_groups.end());
    if (g.empty()) g.emplace_back();
    return g;
  });
  grouped_users(h, model, "users-by-company", w.by_company, w,
                [](const User& u) { return std::vector<std::string>{u.company}; });
}

void licences_section(std::string& h, const Model& model, const ReportWords& w) {
  h += "<h2 id=\"licences\">";
  h += w.licences;
  h += "</h2>\n<table><tr>";
  for (std::string_view col : {w.licence, w.kind, w.in_use, w.available, w.users_heading}) {
    h += "<th>";
    h += col;
    h += "</th>";
  }
  h += "</tr>\n";
  for (const LicenceUsage& l : licence_usage(model)) {
    std::string available;
    if (l.kind == LicenceKind::kSite) {
      available = w.site;
    } else if (l.unlimited) {
      available = w.unlimited;
    } else {
      available = std::to_string(l.available());
      available += ' ';
      available += w.of;
      available += ' ';
      available += std::to_string(l.purchased);
    }
    const bool over = !l.unlimited && l.in_use > l.purchased;
    h += "<tr data-licence=\"" + detail::html_escape(l.licence) + "\"><th>" + detail::html_escape(l.licence) + "</th><td>";
    h += l.kind == LicenceKind::kSite ? w.site : w.user_kind;
    h += "</td><td class=\"in-use";
    h += over ? " over" : "";
    h += "\">" + std::to_string(l.in_use) + "</td><td class=\"available\">" + available + "</td><td>" +
         detail::html_escape(joined(l.users)) + "</td></tr>\n";
  }
  h += "</table>\n";
}

}  // namespace

std::string render_html_report(const Model& model, const std::string& title, Language lang) {
  const ReportWords& w = report_words(lang);
  std::string h = page_head(title, lang);
  h.reserve(64 * 1024);
  h += "<p>" + std::to_string(model.users.size()) + " ";
  h += w.users;
  h += ", " + std::to_string(model.roles.size()) + " ";
  h += w.roles;
  h += ", " + std::to_string(model.groups.size()) + " ";
  h += w.groups;
  h += ", " + std::to_string(model.our_companies.size()) + " ";
  h += w.of_our_companies;
  h += ".</p>\n";
  data_rights_section(h, model, lang, w);
  functional_rights_section(h, model, lang, w);
  users_section(h, model, lang, w);
  licences_section(h, model, w);
  h += "</body></html>\n";
  return h;
}

SORIGHTS_END_NAMESPACE
