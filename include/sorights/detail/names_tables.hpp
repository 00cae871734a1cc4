// -----------------------------------------------------------------------------
// File: detail/names_tables.hpp
// -----------------------------------------------------------------------------
// The display names of every built-in, in English, Norwegian Bokmål, Dutch and
// Danish (columns in `Language` order: en, no, nl, da). Compile-time tables,
// no API promise: use sorights/names.hpp. docs/languages.md says which words
// come verbatim from the reference pages and which are sorights' own.
#ifndef SORIGHTS_DETAIL_NAMES_TABLES_HPP_
#define SORIGHTS_DETAIL_NAMES_TABLES_HPP_

#include <array>
#include <cstddef>
#include <string_view>

#include "sorights/config.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// One built-in: its id and its display name per language (en, no, nl, da).
struct BuiltinName {
  std::string_view id{};
  std::array<std::string_view, 4> names{};
};

namespace detail {

inline constexpr std::array<BuiltinName, 12> kRoleNames = {{
    {"level-0", {"User level 0", "Brukernivå 0", "Gebruikersniveau 0", "Brugerniveau 0"}},
    {"level-1", {"User level 1", "Brukernivå 1", "Gebruikersniveau 1", "Brugerniveau 1"}},
    {"level-2", {"User level 2", "Brukernivå 2", "Gebruikersniveau 2", "Brugerniveau 2"}},
    {"level-3", {"User level 3", "Brukernivå 3", "Gebruikersniveau 3", "Brugerniveau 3"}},
    {"level-4", {"User level 4", "Brukernivå 4", "Gebruikersniveau 4", "Brugerniveau 4"}},
    {"level-5", {"User level 5", "Brukernivå 5", "Gebruikersniveau 5", "Brugerniveau 5"}},
    {"list-admin", {"List administrator", "Listeadministrator", "Lijstbeheerder", "Listeadministrator"}},
    {"user-admin", {"User administrator", "Brukeradministrator", "Gebruikersbeheerder", "Brugeradministrator"}},
    {"local", {"Local user", "Lokal bruker", "Lokale gebruiker", "Lokal bruger"}},
    {"external", {"External user", "Ekstern bruker", "Externe gebruiker", "Ekstern bruger"}},
    {"anonymous", {"Anonymous user", "Anonym bruker", "Anonieme gebruiker", "Anonym bruger"}},
    {"system", {"System user", "Systembruker", "Systeemgebruiker", "Systembruger"}},
}};

// In kBuiltinRights order, then ext-use-same-project-rights (names.hpp checks).
inline constexpr std::array<BuiltinName, 69> kRightNames = {{
    {"admin-all", {"General Administrator", "Generell administrator", "Algemeen beheerder", "Generel administrator"}},
    {"admin-lists", {"List Administrator", "Listeadministrator", "Lijstbeheerder", "Listeadministrator"}},
    {"admin-users", {"User Administrator", "Brukeradministrator", "Gebruikersbeheerder", "Brugeradministrator"}},
    {"admin-role", {"Role Administrator", "Rolleadministrator", "Rollenbeheerder", "Rolleadministrator"}},
    {"admin-udef", {"Field Administrator", "Feltadministrator", "Veldenbeheerder", "Feltadministrator"}},
    {"admin-import", {"Import Administrator", "Importadministrator", "Importbeheerder", "Importadministrator"}},
    {"admin-preferences",
     {"Preferences Administrator", "Innstillingsadministrator", "Voorkeurenbeheerder", "Præferenceadministrator"}},
    {"admin-workflow", {"Workflow administrator", "Arbeidsflytadministrator", "Workflowbeheerder", "Workflowadministrator"}},
    {"admin-quote", {"Quote administrator", "Tilbudsadministrator", "Offertebeheerder", "Tilbudsadministrator"}},
    {"admin-dashboard",
     {"Dashboard administrator", "Dashbordadministrator", "Dashboardbeheerder", "Dashboardadministrator"}},
    {"admin-script", {"Script Administrator", "Skriptadministrator", "Scriptbeheerder", "Scriptadministrator"}},
    {"admin-replication",
     {"Replication administrator", "Replikeringsadministrator", "Replicatiebeheerder", "Replikeringsadministrator"}},
    {"admin-saint-regeneration",
     {"Status Monitor Administrator (counters)", "Statusmonitoradministrator (tellere)",
      "Statusmonitorbeheerder (tellers)", "Statusmonitoradministrator (tællere)"}},
    {"admin-saint-definition",
     {"Status Monitor Administrator (statuses)", "Statusmonitoradministrator (statuser)",
      "Statusmonitorbeheerder (statussen)", "Statusmonitoradministrator (statusser)"}},
    {"admin-audience", {"Audience Administrator", "Audience-administrator", "Audience-beheerder", "Audience-administrator"}},
    {"admin-products", {"Products administrator", "Produktadministrator", "Productbeheerder", "Produktadministrator"}},
    {"admin-webhooks", {"Webhooks administrator", "Webhook-administrator", "Webhookbeheerder", "Webhook-administrator"}},
    {"allow-bulk-edit", {"Allow bulk update", "Tillat masseoppdatering", "Bulkbewerking toestaan", "Tillad masseopdatering"}},
    {"allow-bulk-mailmerge",
     {"Can run Mail Merge", "Kan kjøre fletting", "Kan afdruk samenvoegen uitvoeren", "Kan udføre brevfletning"}},
    {"allow-bulk-export",
     {"Can export data to file", "Kan eksportere data til fil", "Kan gegevens naar bestand exporteren",
      "Kan eksportere data til fil"}},
    {"allow-bulk-generate-activities",
     {"Can create tasks for a selection", "Kan opprette oppgaver for et utvalg", "Kan taken voor een selectie aanmaken",
      "Kan oprette opgaver for en udvælgelse"}},
    {"allow-bulk-copy-members",
     {"Can copy a selection", "Kan kopiere et utvalg", "Kan een selectie kopiëren", "Kan kopiere en udvælgelse"}},
    {"allow-bulk-delete",
     {"Can delete selection members", "Kan slette utvalgsmedlemmer", "Kan selectieleden verwijderen",
      "Kan slette udvælgelsesmedlemmer"}},
    {"allow-bulk-interests",
     {"Can modify interests for selection members", "Kan endre interesser for utvalgsmedlemmer",
      "Kan interesses van selectieleden wijzigen", "Kan ændre interesser for udvælgelsesmedlemmer"}},
    {"allow-bulk-email",
     {"Can send email to selection members", "Kan sende e-post til utvalgsmedlemmer",
      "Kan e-mail naar selectieleden sturen", "Kan sende e-mail til udvælgelsesmedlemmer"}},
    {"allow-bulk-user-applications",
     {"Can run custom tasks on selections", "Kan kjøre egendefinerte oppgaver på utvalg",
      "Kan aangepaste taken op selecties uitvoeren", "Kan køre brugerdefinerede opgaver på udvælgelser"}},
    {"allow-manage-entities",
     {"Can manage (move and merge) entities", "Kan administrere (flytte og slå sammen) enheter",
      "Kan entiteiten beheren (verplaatsen en samenvoegen)", "Kan administrere (flytte og flette) enheder"}},
    {"allow-readonly-override",
     {"Can override read-only fields", "Kan overstyre skrivebeskyttede felt", "Kan alleen-lezen velden overschrijven",
      "Kan tilsidesætte skrivebeskyttede felter"}},
    {"see-other-companies-associates",
     {"Can see users belonging to other companies", "Kan se brukere som tilhører andre firmaer",
      "Kan gebruikers van andere bedrijven zien", "Kan se brugere, der tilhører andre virksomheder"}},
    {"allow-dictionarySDK",
     {"Can create and delete tables in the database", "Kan opprette og slette tabeller i databasen",
      "Kan tabellen in de database maken en verwijderen", "Kan oprette og slette tabeller i databasen"}},
    {"quote-can-approve", {"Can approve quotes", "Kan godkjenne tilbud", "Kan offertes goedkeuren", "Kan godkende tilbud"}},
    {"mailing-consent-override",
     {"Can override consent in mailings", "Kan overstyre samtykke i utsendelser", "Kan toestemming in mailings negeren",
      "Kan tilsidesætte samtykke i mailinger"}},
    {"can-manage-person-consent",
     {"Can update consent for contact", "Kan oppdatere samtykke for kontakt",
      "Kan toestemming voor contactpersoon bijwerken", "Kan opdatere samtykke for kontakt"}},
    {"define-new-tags", {"Create new tags directly", "Opprett nye tagger direkte", "Nieuwe tags direct aanmaken",
                         "Opret nye tags direkte"}},
    {"allow-send-email", {"Can send e-mail", "Kan sende e-post", "Kan e-mail verzenden", "Kan sende e-mail"}},
    {"hide-company", {"Hide Company screen", "Skjul Firma-skjermen", "Scherm Bedrijf verbergen", "Skjul skærmen Virksomhed"}},
    {"hide-sale", {"Hide Sale screen", "Skjul Salg-skjermen", "Scherm Verkoop verbergen", "Skjul skærmen Salg"}},
    {"hide-project", {"Hide Project screen", "Skjul Prosjekt-skjermen", "Scherm Project verbergen", "Skjul skærmen Projekt"}},
    {"hide-selection",
     {"Hide Selection screen", "Skjul Utvalg-skjermen", "Scherm Selectie verbergen", "Skjul skærmen Udvælgelse"}},
    {"hide-inbox", {"Hide Inbox screen", "Skjul Innboks-skjermen", "Scherm Postvak IN verbergen", "Skjul skærmen Indbakke"}},
    {"hide-reporter",
     {"Hide Reports screen", "Skjul Rapporter-skjermen", "Scherm Rapporten verbergen", "Skjul skærmen Rapporter"}},
    {"cs-listown", {"List requests in own categories", "List opp saker i egne kategorier",
                    "Verzoeken in eigen categorieën weergeven", "Vis sager i egne kategorier"}},
    {"cs-readown", {"Read requests in own categories", "Les saker i egne kategorier",
                    "Verzoeken in eigen categorieën lezen", "Læs sager i egne kategorier"}},
    {"cs-editown", {"Edit requests in own categories", "Rediger saker i egne kategorier",
                    "Verzoeken in eigen categorieën bewerken", "Rediger sager i egne kategorier"}},
    {"cs-listothers", {"List all requests", "List opp alle saker", "Alle verzoeken weergeven", "Vis alle sager"}},
    {"cs-readothers", {"Read all requests", "Les alle saker", "Alle verzoeken lezen", "Læs alle sager"}},
    {"cs-editothers", {"Edit all requests", "Rediger alle saker", "Alle verzoeken bewerken", "Rediger alle sager"}},
    {"cs-document", {"Knowledge Base", "Kunnskapsbase", "Kennisbank", "Vidensbase"}},
    {"cs-editfaq", {"Edit FAQ entries", "Rediger FAQ-oppføringer", "FAQ-items bewerken", "Rediger FAQ-poster"}},
    {"cs-faqadmin", {"Administrate FAQ", "Administrer FAQ", "FAQ beheren", "Administrer FAQ"}},
    {"cs-listextratablecontent", {"List tables", "List opp tabeller", "Tabellen weergeven", "Vis tabeller"}},
    {"cs-editextratablecontent", {"Edit tables", "Rediger tabeller", "Tabellen bewerken", "Rediger tabeller"}},
    {"cs-categories",
     {"Category administration", "Kategoriadministrasjon", "Categoriebeheer", "Kategoriadministration"}},
    {"cs-system", {"Service administration", "Service-administrasjon", "Servicebeheer", "Serviceadministration"}},
    {"cs-statistics", {"View statistics", "Vis statistikk", "Statistieken bekijken", "Vis statistik"}},
    {"cs-readselections", {"View selections", "Vis utvalg", "Selecties bekijken", "Vis udvælgelser"}},
    {"cs-editselections", {"Create selections", "Opprett utvalg", "Selecties aanmaken", "Opret udvælgelser"}},
    {"cs-changepref",
     {"Change own properties", "Endre egne egenskaper", "Eigen eigenschappen wijzigen", "Skift egne egenskaber"}},
    {"cs-changeprofile", {"Change own profile", "Endre egen profil", "Eigen profiel wijzigen", "Skift egen profil"}},
    {"cs-posttofacebook", {"Facebook", "Facebook", "Facebook", "Facebook"}},
    {"syncadmin-all",
     {"SuperOffice Intellisync Server Maintenance", "Vedlikehold av SuperOffice Intellisync Server",
      "Onderhoud SuperOffice Intellisync Server", "Vedligeholdelse af SuperOffice Intellisync Server"}},
    {"syncadmin-user",
     {"Edit own synchronization settings", "Rediger egne synkroniseringsinnstillinger",
      "Eigen synchronisatie-instellingen bewerken", "Rediger egne synkroniseringsindstillinger"}},
    {"ext-need-publish-to-see-project",
     {"Show only published projects", "Vis bare publiserte prosjekter", "Alleen gepubliceerde projecten tonen",
      "Vis kun offentliggjorte projekter"}},
    {"ext-need-publish-to-see-appointment",
     {"Show only published follow-ups", "Vis bare publiserte oppfølginger", "Alleen gepubliceerde vervolgacties tonen",
      "Vis kun offentliggjorte opfølgninger"}},
    {"ext-need-publish-to-see-document",
     {"Show only published documents", "Vis bare publiserte dokumenter", "Alleen gepubliceerde documenten tonen",
      "Vis kun offentliggjorte dokumenter"}},
    {"ext-need-publish-to-see-sale",
     {"Show only published sales", "Vis bare publiserte salg", "Alleen gepubliceerde verkopen tonen",
      "Vis kun offentliggjorte salg"}},
    {"ext-see-event-projects",
     {"Show projects marked as events", "Vis prosjekter merket som arrangementer",
      "Projecten tonen die als evenement zijn gemarkeerd", "Vis projekter markeret som arrangementer"}},
    {"ext-use-my-company-rights",
     {"Use data rights for My company", "Bruk datarettigheter for Mitt firma",
      "Gegevensrechten voor Mijn bedrijf gebruiken", "Brug datarettigheder for Min virksomhed"}},
    {"ext-use-same-project-rights",
     {"Use data rights for Same project", "Bruk datarettigheter for Samme prosjekt",
      "Gegevensrechten voor Zelfde project gebruiken", "Brug datarettigheder for Samme projekt"}},
}};

// In kBuiltinObjectNames order.
inline constexpr std::array<BuiltinName, 12> kObjectNames = {{
    {"company", {"Company", "Firma", "Bedrijf", "Virksomhed"}},
    {"person", {"Contact", "Kontakt", "Contactpersoon", "Kontakt"}},
    {"project", {"Project", "Prosjekt", "Project", "Projekt"}},
    {"project_member", {"Project members", "Prosjektmedlemmer", "Projectleden", "Projektmedlemmer"}},
    {"selection", {"Selection", "Utvalg", "Selectie", "Udvælgelse"}},
    {"sale", {"Sale", "Salg", "Verkoop", "Salg"}},
    {"stakeholder", {"Stakeholder", "Interessent", "Belanghebbende", "Interessent"}},
    {"follow_up", {"Follow-up", "Oppfølging", "Vervolgactie", "Opfølgning"}},
    {"document", {"Document", "Dokument", "Document", "Dokument"}},
    {"relation", {"Relation", "Relasjon", "Relatie", "Relation"}},
    {"dashboard", {"Dashboards", "Dashbord", "Dashboards", "Dashboards"}},
    {"target", {"Targets", "Mål", "Doelen", "Mål"}},
}};

// In Relation enumerator order (kRelationNames).
inline constexpr std::array<BuiltinName, 8> kRelationDisplayNames = {{
    {"own", {"My own", "Mine egne", "Mijn eigen", "Mine egne"}},
    {"primary_group", {"Primary group", "Primærgruppe", "Primaire groep", "Primær gruppe"}},
    {"other_associates", {"Other associates", "Andre medarbeidere", "Andere medewerkers", "Andre medarbejdere"}},
    {"other_groups", {"Other groups", "Andre grupper", "Andere groepen", "Andre grupper"}},
    {"external", {"External user", "Ekstern bruker", "Externe gebruiker", "Ekstern bruger"}},
    {"anonymous", {"Anonymous", "Anonym", "Anoniem", "Anonym"}},
    {"my_company", {"My company", "Mitt firma", "Mijn bedrijf", "Min virksomhed"}},
    {"same_project", {"Same project", "Samme prosjekt", "Zelfde project", "Samme projekt"}},
}};

// In UserType enumerator order (kUserTypeNames), then "other".
inline constexpr std::array<BuiltinName, 6> kUserTypeDisplayNames = {{
    {"associate", {"Associate", "Medarbeider", "Medewerker", "Medarbejder"}},
    {"resource", {"Resource", "Ressurs", "Resource", "Ressource"}},
    {"external", {"External user", "Ekstern bruker", "Externe gebruiker", "Ekstern bruger"}},
    {"anonymous", {"Anonymous user", "Anonym bruker", "Anonieme gebruiker", "Anonym bruger"}},
    {"system", {"System user", "Systembruker", "Systeemgebruiker", "Systembruger"}},
    {"other", {"Other users", "Andre brukere", "Andere gebruikers", "Andre brugere"}},
}};

// In Level order.
inline constexpr std::array<BuiltinName, 5> kLevelNames = {{
    {"none", {"None", "Ingen", "Geen", "Ingen"}},
    {"read", {"Read", "Les", "Lezen", "Læs"}},
    {"create", {"Create", "Opprett", "Aanmaken", "Opret"}},
    {"update", {"Update", "Oppdater", "Bijwerken", "Opdater"}},
    {"delete", {"Delete", "Slett", "Verwijderen", "Slet"}},
}};

inline constexpr std::array<BuiltinName, 7> kTabNames = {{
    {"associates", {"Associates", "Medarbeidere", "Medewerkers", "Medarbejdere"}},
    {"other-users", {"Other users", "Andre brukere", "Andere gebruikers", "Andre brugere"}},
    {"user-groups", {"User groups", "Brukergrupper", "Gebruikersgroepen", "Brugergrupper"}},
    {"our-companies", {"Our companies", "Våre firmaer", "Onze bedrijven", "Vores virksomheder"}},
    {"user-licences", {"User licences", "Brukerlisenser", "Gebruikerslicenties", "Brugerlicenser"}},
    {"data-rights", {"Data rights", "Datarettigheter", "Gegevensrechten", "Datarettigheder"}},
    {"functional-rights", {"Functional rights", "Funksjonsrettigheter", "Functionele rechten", "Funktionelle rettigheder"}},
}};

// True if every entry of `table` has a non-empty name in every language.
template <std::size_t N>
constexpr bool all_named(const std::array<BuiltinName, N>& table) noexcept {
  for (const BuiltinName& e : table) {
    if (e.id.empty()) return false;
    for (std::string_view n : e.names)
      if (n.empty()) return false;
  }
  return true;
}

}  // namespace detail

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_DETAIL_NAMES_TABLES_HPP_
