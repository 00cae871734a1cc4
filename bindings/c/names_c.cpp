// The C API's display names: sorights/names.hpp behind plain C.
#include <cstddef>
#include <optional>
#include <string_view>

#include "sorights/names.hpp"
#include "sorights/sorights.h"

namespace so = sorights;

namespace {

std::optional<so::NameKind> kind_of(const char* kind) {
  if (kind == nullptr) return std::nullopt;
  return so::parse_name_kind(kind);
}

}  // namespace

extern "C" {

int sorights_parse_language(const char* code) {
  if (code == nullptr) return -1;
  const auto lang = so::parse_language(code);
  return lang ? static_cast<int>(*lang) : -1;
}

size_t sorights_builtin_name_count(const char* kind) {
  const auto k = kind_of(kind);
  return k ? so::builtin_names(*k).size() : 0;
}

// The tables hold string literals, so every view's data is NUL-terminated.
const char* sorights_builtin_name_id(const char* kind, size_t i) {
  const auto k = kind_of(kind);
  if (!k || i >= so::builtin_names(*k).size()) return nullptr;
  return so::builtin_names(*k)[i].id.data();
}

const char* sorights_builtin_display_name(const char* kind, const char* id, int lang) {
  const auto k = kind_of(kind);
  if (!k || id == nullptr || lang < 0 || static_cast<std::size_t>(lang) >= so::kLanguageCount) return nullptr;
  const so::BuiltinName* e = so::find_builtin_name(*k, id);
  return e == nullptr ? nullptr : so::name_in(*e, static_cast<so::Language>(lang)).data();
}

}  // extern "C"
