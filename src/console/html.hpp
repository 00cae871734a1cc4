// Small helpers of the console: HTML escaping, form and query decoding,
// cookies. Internal (not installed); every function is total on hostile
// input: malformed input is reported, never undefined behaviour.
#ifndef SORIGHTS_SRC_CONSOLE_HTML_HPP_
#define SORIGHTS_SRC_CONSOLE_HTML_HPP_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sorights/config.hpp"

SORIGHTS_BEGIN_NAMESPACE
namespace console::detail {

// `s` with & < > " ' escaped: safe in element content and quoted attributes.
[[nodiscard]] std::string escape_html(std::string_view s);

// `s` percent-encoded for a query string (unreserved characters kept).
[[nodiscard]] std::string url_encode(std::string_view s);

// Name/value pairs of an application/x-www-form-urlencoded string (a query
// or a form body), in order, duplicates kept. Nothing for malformed input
// (a bad %-escape).
using Fields = std::vector<std::pair<std::string, std::string>>;
[[nodiscard]] std::optional<Fields> parse_urlencoded(std::string_view s);

// The first value of `name`, or null.
[[nodiscard]] const std::string* field(const Fields& fields, std::string_view name) noexcept;
// Every value of `name`.
[[nodiscard]] std::vector<std::string> fields(const Fields& fields, std::string_view name);

// The value of cookie `name` in a Cookie header, or empty.
[[nodiscard]] std::string cookie_value(std::string_view header, std::string_view name);

// True if `a` and `b` are equal ignoring ASCII case.
[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace console::detail
SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_SRC_CONSOLE_HTML_HPP_
