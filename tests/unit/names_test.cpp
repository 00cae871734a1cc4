// Display names (sorights/names.hpp): every built-in in en, no, nl and da,
// languages parsed as documented, lookups total, entities named by the model.
#include <set>
#include <string>

#include "sorights/names.hpp"
#include "support/catch.hpp"

using namespace sorights;

namespace {
constexpr std::array<Language, 4> kAll = {Language::kEn, Language::kNo, Language::kNl, Language::kDa};
}

TEST_CASE("every catalog entry has a name in all four languages", "[names]") {
  for (std::size_t k = 0; k < kNameKindCount; ++k) {
    const auto kind = static_cast<NameKind>(k);
    std::set<std::string_view> ids;
    for (const BuiltinName& e : builtin_names(kind)) {
      INFO(name_kind_id(kind) << " " << e.id);
      CHECK(ids.insert(e.id).second);
      for (Language lang : kAll) {
        CHECK_FALSE(name_in(e, lang).empty());
        // Display names start with a capital letter.
        const unsigned char first = static_cast<unsigned char>(name_in(e, lang)[0]);
        CHECK((first < 'a' || first > 'z'));
      }
    }
  }
  CHECK(builtin_names(NameKind::kFunctionalRights).size() == kBuiltinRightCount);
  CHECK(builtin_names(NameKind::kObjects).size() == kBuiltinObjectNames.size());
  CHECK(builtin_names(NameKind::kRoles).size() == kPredefinedRoleIds.size());
}

TEST_CASE("the kinds have the command line's ids", "[names]") {
  CHECK(parse_name_kind("functional-rights") == NameKind::kFunctionalRights);
  CHECK(parse_name_kind("user-types") == NameKind::kUserTypes);
  CHECK_FALSE(parse_name_kind("Roles").has_value());
  for (std::size_t k = 0; k < kNameKindCount; ++k)
    CHECK(parse_name_kind(name_kind_id(static_cast<NameKind>(k))) == static_cast<NameKind>(k));
  std::vector<std::string_view> tabs;
  for (const BuiltinName& e : builtin_names(NameKind::kTabs)) tabs.push_back(e.id);
  CHECK(tabs == std::vector<std::string_view>{"associates", "other-users", "user-groups", "our-companies",
                                              "user-licences", "data-rights", "functional-rights"});
  std::vector<std::string_view> levels;
  for (const BuiltinName& e : builtin_names(NameKind::kLevels)) levels.push_back(e.id);
  CHECK(levels == std::vector<std::string_view>{"none", "read", "create", "update", "delete"});
  CHECK(builtin_names(NameKind::kUserTypes).back().id == "other");
}

TEST_CASE("languages parse case-insensitively and nb is Norwegian", "[names]") {
  CHECK(parse_language("en") == Language::kEn);
  CHECK(parse_language("no") == Language::kNo);
  CHECK(parse_language("nb") == Language::kNo);
  CHECK(parse_language("NB") == Language::kNo);
  CHECK(parse_language("Da") == Language::kDa);
  CHECK(parse_language("nl") == Language::kNl);
  CHECK_FALSE(parse_language("").has_value());
  CHECK_FALSE(parse_language("de").has_value());
  CHECK_FALSE(parse_language("da_DK").has_value());
  CHECK_FALSE(parse_language("nn").has_value());
  for (Language lang : kAll) CHECK(parse_language(language_code(lang)) == lang);
}

TEST_CASE("the reference pages' words are used verbatim", "[names]") {
  CHECK(display_name(NameKind::kRoles, "level-0", Language::kDa) == "Brugerniveau 0");
  CHECK(display_name(NameKind::kRoles, "list-admin", Language::kDa) == "Listeadministrator");
  CHECK(display_name(NameKind::kRoles, "system", Language::kDa) == "Systembruger");
  CHECK(display_name(Level::kRead, Language::kDa) == "Læs");
  CHECK(display_name(Level::kDelete, Language::kDa) == "Slet");
  CHECK(display_name(NameKind::kObjects, "selection", Language::kDa) == "Udvælgelse");
  CHECK(display_name(NameKind::kTabs, "our-companies", Language::kNo) == "Våre firmaer");
  CHECK(display_name(NameKind::kTabs, "other-users", Language::kNl) == "Andere gebruikers");
  CHECK(display_name(NameKind::kTabs, "associates", Language::kNl) == "Medewerkers");
  CHECK(display_name(UserType::kSystem, Language::kEn) == "System user");
  CHECK(display_name(UserType::kExternal, Language::kDa) == "Ekstern bruger");
  CHECK(display_name(Relation::kOwn, Language::kEn) == "My own");
  CHECK(builtin_right_display_name(builtin_right::kAllowBulkEdit, Language::kDa) == "Tillad masseopdatering");
}

TEST_CASE("lookups are total: an unknown id is returned as it is", "[names]") {
  CHECK(display_name(NameKind::kRoles, "sales-rep", Language::kDa) == "sales-rep");
  CHECK(display_name(NameKind::kObjects, "", Language::kNl).empty());
  CHECK(display_name(static_cast<Relation>(200), Language::kDa) == "unknown");
  CHECK(display_name(static_cast<Level>(9), Language::kDa).empty());
  CHECK(builtin_right_display_name(kBuiltinRightCount, Language::kNo).empty());
  CHECK(display_name(NameKind::kLevels, "read", static_cast<Language>(7)) == "Read");
  static_assert(display_name(NameKind::kLevels, "none", Language::kNo) == "Ingen");
  static_assert(noexcept(display_name(NameKind::kLevels, "none", Language::kNo)));
}

TEST_CASE("a predefined role shows its translation until the store renames it", "[names]") {
  Role level0 = *predefined_role("level-0");
  CHECK(display_name(level0, Language::kDa) == "Brugerniveau 0");
  CHECK(display_name(level0, Language::kEn) == "User level 0");
  level0.name = "Administrators";
  for (Language lang : kAll) CHECK(display_name(level0, lang) == "Administrators");
  const NameMap names{{"da", "Administratorer"}};
  CHECK(display_name(level0, Language::kDa, &names) == "Administratorer");
  CHECK(display_name(level0, Language::kNl, &names) == "Administrators");
}

TEST_CASE("custom entities fall back from names to name to id", "[names]") {
  Role sales{.id = "sales", .name = "Sales"};
  const NameMap names{{"nb", "Salg"}, {"nl", "Verkoop"}, {"da", ""}};
  CHECK(display_name(sales, Language::kNo, &names) == "Salg");
  CHECK(display_name(sales, Language::kNl, &names) == "Verkoop");
  CHECK(display_name(sales, Language::kDa, &names) == "Sales");
  CHECK(display_name(sales, Language::kEn, &names) == "Sales");
  Group g{.id = "north"};
  CHECK(display_name(g, Language::kDa) == "north");
  OurCompany c{.id = "acme", .name = "Acme AS"};
  CHECK(display_name(c, Language::kNo) == "Acme AS");
}

TEST_CASE("model lookups name built-in and declared rights and objects", "[names]") {
  Model m = Model::with_defaults();
  m.functional_rights.push_back(FunctionalRightDef{.id = "x-export", .name = "Export to ERP"});
  m.objects.push_back(DataObjectDef{.id = "ticket", .name = "Ticket"});
  CHECK(right_display_name(m, "admin-all", Language::kNl) == "Algemeen beheerder");
  CHECK(right_display_name(m, "x-export", Language::kDa) == "Export to ERP");
  CHECK(right_display_name(m, "nope", Language::kDa) == "nope");
  CHECK(object_display_name(m, "follow_up", Language::kNo) == "Oppfølging");
  CHECK(object_display_name(m, "ticket", Language::kNo) == "Ticket");
  CHECK(role_display_name(m, "level-5", Language::kNl) == "Gebruikersniveau 5");
  CHECK(role_display_name(m, "nobody", Language::kNl) == "nobody");
}

TEST_CASE("a cell's level is one of the nested sets, anything else is custom", "[names]") {
  using sorights::Level;
  using sorights::TableRights;
  CHECK(sorights::level_of(TableRights::from_bits(0)) == Level::kNone);
  CHECK(sorights::level_of(TableRights::from_bits(1)) == Level::kRead);
  CHECK(sorights::level_of(TableRights::from_bits(5)) == Level::kCreate);
  CHECK(sorights::level_of(TableRights::from_bits(7)) == Level::kUpdate);
  CHECK(sorights::level_of(TableRights::from_bits(15)) == Level::kDelete);
  for (std::uint32_t bits : {2u, 3u, 4u, 6u, 8u, 9u, 13u, 14u}) {
    CHECK_FALSE(sorights::level_of(TableRights::from_bits(bits)).has_value());
    CHECK(sorights::cell_level_id(TableRights::from_bits(bits)) == "custom");
  }
  CHECK(sorights::cell_level_id(TableRights::from_bits(0)) == "none");
  CHECK(sorights::cell_level_id(TableRights::from_bits(7)) == "update");
  CHECK(sorights::cell_level_id(TableRights::from_bits(15)) == "delete");
}
