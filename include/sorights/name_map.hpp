// -----------------------------------------------------------------------------
// File: name_map.hpp
// -----------------------------------------------------------------------------
// `NameMap`: the per-language display names an entity of the model may carry
// (roles, groups, our companies, declared functional rights; the model file's
// `names`). Its own header because both `model.hpp` (which stores it) and
// `names.hpp` (which reads it, and includes `model.hpp`) need it.
#ifndef SORIGHTS_NAME_MAP_HPP_
#define SORIGHTS_NAME_MAP_HPP_

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "sorights/config.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// Per-language names of one entity, keyed by language code (`en`, `no`,
/// `nl`, `da`). Stored maps use only these four keys (`nb` is stored as
/// `no`); `display_name` also reads `nb` as `no`. An empty entry counts as
/// missing. The model file's `names` object.
using NameMap = std::map<std::string, std::string, std::less<>>;

/// The key a stored `NameMap` uses for language code `code`: `en`, `no`,
/// `nl` or `da` as they are, `nb` as `no`; empty for anything else (other
/// letter cases included: the stored keys are lower case).
[[nodiscard]] constexpr std::string_view name_map_key(std::string_view code) noexcept {
  if (code == "en" || code == "no" || code == "nl" || code == "da") return code;
  if (code == "nb") return "no";
  return {};
}

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_NAME_MAP_HPP_
