// The console's user-visible texts, all in one place so that a later
// languages feature can translate them: `text("key")` is the English text
// for `key` (the key itself when unknown, so a missing text shows, never
// crashes). Ids, flag names and rule names stay untranslated.
#ifndef SORIGHTS_SRC_CONSOLE_TEXT_HPP_
#define SORIGHTS_SRC_CONSOLE_TEXT_HPP_

#include <string_view>

#include "sorights/config.hpp"

SORIGHTS_BEGIN_NAMESPACE
namespace console::detail {

// The text for `key` in `language` (only "en" exists for now; any other
// language falls back to English).
[[nodiscard]] std::string_view text(std::string_view key, std::string_view language = "en") noexcept;

}  // namespace console::detail
SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_SRC_CONSOLE_TEXT_HPP_
