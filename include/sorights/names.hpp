// -----------------------------------------------------------------------------
// File: names.hpp
// -----------------------------------------------------------------------------
// Display names in English, Norwegian Bokmål, Dutch and Danish.
//
// Every built-in has an id (what the model file, the command line and the
// APIs use) and a display name per language (what an administrator reads):
// the predefined roles, the functional-right catalog, the data objects, the
// ownership relations, the user types (and the "other users" tab), the rights
// levels and the screen tabs. The tables are compile-time arrays
// (sorights/detail/names_tables.hpp): nothing to load, find or ship at run
// time, and every lookup is `noexcept`, allocation-free and total.
//
//   display_name(Relation::kOwn, Language::kDa)           // "Mine egne"
//   display_name(NameKind::kRoles, "level-0", *parse_language("da"))
//                                                          // "Brugerniveau 0"
//   display_name(role, Language::kNl)                      // the role's name
//
// Entities of a model (roles, groups, our companies, declared functional
// rights, custom data objects) are named by the model: each of the first four
// stores its own per-language names (`names`, a `NameMap`), which win in their
// language when passed (`display_name(role, lang, &role.names)`; the
// model-level helpers below pass them); else a predefined role keeps its
// built-in translations until the store renames it, and the others show
// their `name`.
//
// Which words come verbatim from the reference pages and which are sorights'
// own translations: docs/languages.md.
#ifndef SORIGHTS_NAMES_HPP_
#define SORIGHTS_NAMES_HPP_

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sorights/config.hpp"
#include "sorights/detail/names_tables.hpp"
#include "sorights/functional_right.hpp"
#include "sorights/model.hpp"
#include "sorights/name_map.hpp"
#include "sorights/rights.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// A language of the display names. The enumerator is the column of the
/// tables; `kNo` is Norwegian Bokmål (codes `no` and `nb`).
enum class Language : std::uint8_t { kEn = 0, kNo = 1, kNl = 2, kDa = 3 };
inline constexpr std::size_t kLanguageCount = 4;
/// The canonical code of each language, in enumerator order.
inline constexpr std::array<std::string_view, kLanguageCount> kLanguageCodes = {"en", "no", "nl", "da"};

/// The canonical code of `lang` (`nb` is never returned: it is `no`).
[[nodiscard]] constexpr std::string_view language_code(Language lang) noexcept {
  const auto i = static_cast<std::size_t>(lang);
  return i < kLanguageCount ? kLanguageCodes[i] : kLanguageCodes[0];
}

/// Parses `en`, `no`, `nb` (= `no`), `nl` or `da`, ASCII case-insensitively
/// (`DA` and `Nb` are accepted; a locale such as `da_DK.UTF-8` is not: only
/// the bare code). Nothing for anything else, the empty string included.
[[nodiscard]] constexpr std::optional<Language> parse_language(std::string_view code) noexcept {
  if (code.size() != 2) return std::nullopt;
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  const char a = lower(code[0]);
  const char b = lower(code[1]);
  if (a == 'e' && b == 'n') return Language::kEn;
  if ((a == 'n' && b == 'o') || (a == 'n' && b == 'b')) return Language::kNo;
  if (a == 'n' && b == 'l') return Language::kNl;
  if (a == 'd' && b == 'a') return Language::kDa;
  return std::nullopt;
}

/// The kinds of built-in names; `kNameKindIds` are their command-line ids.
enum class NameKind : std::uint8_t {
  kRoles = 0, kFunctionalRights = 1, kObjects = 2, kRelations = 3, kUserTypes = 4, kLevels = 5, kTabs = 6,
};
inline constexpr std::size_t kNameKindCount = static_cast<std::size_t>(NameKind::kTabs) + 1;
inline constexpr std::array<std::string_view, kNameKindCount> kNameKindIds = {
    "roles", "functional-rights", "objects", "relations", "user-types", "levels", "tabs"};

/// The id of `kind` (`roles`, `functional-rights`, ...).
[[nodiscard]] constexpr std::string_view name_kind_id(NameKind kind) noexcept {
  const auto i = static_cast<std::size_t>(kind);
  return i < kNameKindCount ? kNameKindIds[i] : std::string_view{};
}
/// The kind whose id is exactly `id`; nothing otherwise.
[[nodiscard]] constexpr std::optional<NameKind> parse_name_kind(std::string_view id) noexcept {
  for (std::size_t i = 0; i < kNameKindCount; ++i)
    if (kNameKindIds[i] == id) return static_cast<NameKind>(i);
  return std::nullopt;
}

/// The rights levels of the data-rights grid, as an administrator sets them
/// (each grants the ones before it).
enum class Level : std::uint8_t { kNone = 0, kRead = 1, kCreate = 2, kUpdate = 3, kDelete = 4 };

/// The level a data-rights cell is at: None (no right), Read (Select),
/// Create (Select|Insert), Update (Select|Insert|Update), Delete (all four);
/// nullopt for any other set, which the grid shows as a custom cell.
[[nodiscard]] constexpr std::optional<Level> level_of(TableRights cell) noexcept {
  switch (cell.bits()) {
    case 0: return Level::kNone;
    case 1: return Level::kRead;
    case 5: return Level::kCreate;
    case 7: return Level::kUpdate;
    case 15: return Level::kDelete;
    default: return std::nullopt;
  }
}

/// Every built-in of `kind` with its names, in display order: the roles in
/// `kPredefinedRoleIds` order, the rights in catalog order (`RightIndex`),
/// objects in `kBuiltinObjectNames` order, relations and user types in
/// enumerator order (user types then `other`), levels from `none` to
/// `delete`, tabs as the Users and Roles screens show them. Static storage.
[[nodiscard]] constexpr std::span<const BuiltinName> builtin_names(NameKind kind) noexcept {
  switch (kind) {
    case NameKind::kRoles: return detail::kRoleNames;
    case NameKind::kFunctionalRights: return detail::kRightNames;
    case NameKind::kObjects: return detail::kObjectNames;
    case NameKind::kRelations: return detail::kRelationDisplayNames;
    case NameKind::kUserTypes: return detail::kUserTypeDisplayNames;
    case NameKind::kLevels: return detail::kLevelNames;
    case NameKind::kTabs: return detail::kTabNames;
  }
  return {};
}

/// The name of `entry` in `lang` (English for a value outside the enum).
[[nodiscard]] constexpr std::string_view name_in(const BuiltinName& entry, Language lang) noexcept {
  const auto i = static_cast<std::size_t>(lang);
  return entry.names[i < kLanguageCount ? i : 0];
}

/// The built-in `id` of `kind`, or nullptr. O(size of the kind's table).
[[nodiscard]] constexpr const BuiltinName* find_builtin_name(NameKind kind, std::string_view id) noexcept {
  for (const BuiltinName& e : builtin_names(kind))
    if (e.id == id) return &e;
  return nullptr;
}

/// The display name of built-in `id` of `kind` in `lang`. Total: an id that
/// is not a built-in of that kind is returned as it is (so a caller can print
/// the result whatever the id). Static storage, or `id` itself.
[[nodiscard]] constexpr std::string_view display_name(NameKind kind, std::string_view id, Language lang) noexcept {
  const BuiltinName* e = find_builtin_name(kind, id);
  return e != nullptr ? name_in(*e, lang) : id;
}
[[nodiscard]] constexpr std::string_view display_name(Relation r, Language lang) noexcept {
  const auto i = static_cast<std::size_t>(r);
  return i < detail::kRelationDisplayNames.size() ? name_in(detail::kRelationDisplayNames[i], lang)
                                                  : relation_name(r);
}
[[nodiscard]] constexpr std::string_view display_name(UserType t, Language lang) noexcept {
  const auto i = static_cast<std::size_t>(t);
  return i < kUserTypeNames.size() ? name_in(detail::kUserTypeDisplayNames[i], lang) : user_type_name(t);
}
[[nodiscard]] constexpr std::string_view display_name(Level level, Language lang) noexcept {
  const auto i = static_cast<std::size_t>(level);
  return i < detail::kLevelNames.size() ? name_in(detail::kLevelNames[i], lang) : std::string_view{};
}
/// The id of the level `cell` is at (`level_of`: "none" to "delete", as
/// `names levels` lists them), or "custom".
[[nodiscard]] constexpr std::string_view cell_level_id(TableRights cell) noexcept {
  const std::optional<Level> level = level_of(cell);
  return level ? detail::kLevelNames[static_cast<std::size_t>(*level)].id : std::string_view("custom");
}
/// The name of built-in right number `i` (a `RightIndex` below
/// `kBuiltinRightCount`); empty past the end.
[[nodiscard]] constexpr std::string_view builtin_right_display_name(std::size_t i, Language lang) noexcept {
  return i < detail::kRightNames.size() ? name_in(detail::kRightNames[i], lang) : std::string_view{};
}

namespace detail {
// The entry of `names` for `lang`, or empty. Never allocates.
[[nodiscard]] inline std::string_view lookup_name(const NameMap* names, Language lang) noexcept {
  if (names == nullptr) return {};
  const std::string_view code = language_code(lang);
  if (auto it = names->find(code); it != names->end() && !it->second.empty()) return it->second;
  if (lang == Language::kNo)
    if (auto it = names->find(std::string_view("nb")); it != names->end() && !it->second.empty()) return it->second;
  return {};
}
[[nodiscard]] inline std::string_view named_or(const NameMap* names, Language lang, const std::string& name,
                                               const std::string& id) noexcept {
  if (std::string_view n = lookup_name(names, lang); !n.empty()) return n;
  return name.empty() ? std::string_view(id) : std::string_view(name);
}
}  // namespace detail

/// The display name of `role` in `lang`: its `names` entry for `lang` when
/// `names` (the role's stored per-language names; nullptr when it has none)
/// has one; else, for a predefined role whose name is still the built-in
/// English one (or empty), the built-in translation; else its `name` (a
/// renamed predefined role shows the stored name in every language); else
/// its id. The view points into `role`, `names` or static storage.
[[nodiscard]] inline std::string_view display_name(const Role& role, Language lang,
                                                   const NameMap* names = nullptr) noexcept {
  if (std::string_view n = detail::lookup_name(names, lang); !n.empty()) return n;
  if (const BuiltinName* e = find_builtin_name(NameKind::kRoles, role.id))
    if (role.name.empty() || role.name == name_in(*e, Language::kEn)) return name_in(*e, lang);
  return role.name.empty() ? std::string_view(role.id) : std::string_view(role.name);
}
/// The display name of a group, one of our companies, a declared functional
/// right or a custom data object: its `names` entry for `lang`, else its
/// `name`, else its id. Points into the entity or `names`.
template <class Entity>
  requires std::same_as<Entity, Group> || std::same_as<Entity, OurCompany> ||
           std::same_as<Entity, FunctionalRightDef> || std::same_as<Entity, DataObjectDef>
[[nodiscard]] std::string_view display_name(const Entity& e, Language lang, const NameMap* names = nullptr) noexcept {
  return detail::named_or(names, lang, e.name, e.id);
}

/// The display name of functional right `id` in `model`: the catalog's
/// translation for a built-in right (built-in names cannot be overridden),
/// the declared right's display name (its stored `names`, else its name) for
/// a declared one, else `id` itself.
/// O(declared rights).
[[nodiscard]] inline std::string_view right_display_name(const Model& model, std::string_view id,
                                                         Language lang) noexcept {
  if (const BuiltinName* e = find_builtin_name(NameKind::kFunctionalRights, id)) return name_in(*e, lang);
  for (const FunctionalRightDef& r : model.functional_rights)
    if (r.id == id) return display_name(r, lang, &r.names);
  return id;
}
/// The display name of data object `id` in `model`: the built-in
/// translation, the custom object's name, else `id`. O(custom objects).
[[nodiscard]] inline std::string_view object_display_name(const Model& model, std::string_view id,
                                                          Language lang) noexcept {
  if (const BuiltinName* e = find_builtin_name(NameKind::kObjects, id)) return name_in(*e, lang);
  for (const DataObjectDef& o : model.objects)
    if (o.id == id) return display_name(o, lang);
  return id;
}
/// The display name of role `id` in `model` (see `display_name(const Role&)`,
/// with the role's stored `names`), the built-in translation of a predefined
/// role the model lacks, else `id`.
[[nodiscard]] inline std::string_view role_display_name(const Model& model, std::string_view id,
                                                        Language lang) noexcept {
  for (const Role& r : model.roles)
    if (r.id == id) return display_name(r, lang, &r.names);
  return display_name(NameKind::kRoles, id, lang);
}
/// The display name of group `id` in `model` (its stored `names`, else its
/// name, else its id); `id` itself for an unknown group. O(groups).
[[nodiscard]] inline std::string_view group_display_name(const Model& model, std::string_view id,
                                                         Language lang) noexcept {
  for (const Group& g : model.groups)
    if (g.id == id) return display_name(g, lang, &g.names);
  return id;
}
/// The display name of our company `id` in `model`, as for groups; `id`
/// itself for a company that is not one of ours. O(our companies).
[[nodiscard]] inline std::string_view our_company_display_name(const Model& model, std::string_view id,
                                                               Language lang) noexcept {
  for (const OurCompany& c : model.our_companies)
    if (c.id == id) return display_name(c, lang, &c.names);
  return id;
}

// The tables are complete and line up with the catalogs they name.
static_assert(detail::all_named(detail::kRoleNames) && detail::all_named(detail::kRightNames) &&
              detail::all_named(detail::kObjectNames) && detail::all_named(detail::kRelationDisplayNames) &&
              detail::all_named(detail::kUserTypeDisplayNames) && detail::all_named(detail::kLevelNames) &&
              detail::all_named(detail::kTabNames));
static_assert(detail::kRightNames.size() == kBuiltinRightCount);
static_assert(detail::kObjectNames.size() == kBuiltinObjectNames.size());
static_assert(detail::kRelationDisplayNames.size() == kRelationNames.size());
static_assert(detail::kUserTypeDisplayNames.size() == kUserTypeNames.size() + 1);
static_assert(detail::kRoleNames.size() == kPredefinedRoleIds.size());
namespace detail {
constexpr bool names_line_up() noexcept {
  for (std::size_t i = 0; i < kBuiltinRightCount; ++i)
    if (kRightNames[i].id != builtin_right_id(i) || kRightNames[i].names[0] != builtin_right_name(i)) return false;
  for (std::size_t i = 0; i < kObjectNames.size(); ++i)
    if (kObjectNames[i].id != kBuiltinObjectNames[i]) return false;
  for (std::size_t i = 0; i < kRelationNames.size(); ++i)
    if (kRelationDisplayNames[i].id != kRelationNames[i]) return false;
  for (std::size_t i = 0; i < kUserTypeNames.size(); ++i)
    if (kUserTypeDisplayNames[i].id != kUserTypeNames[i]) return false;
  for (std::size_t i = 0; i < kPredefinedRoleIds.size(); ++i)
    if (kRoleNames[i].id != kPredefinedRoleIds[i]) return false;
  return true;
}
}  // namespace detail
static_assert(detail::names_line_up(), "a names table is out of step with the catalog it names");

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_NAMES_HPP_
