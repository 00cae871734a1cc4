// -----------------------------------------------------------------------------
// File: ids.hpp
// -----------------------------------------------------------------------------
// What an id and a name may hold (docs/design/0006-administration-chain.md,
// "ids and names"), checked at every entrance: model files, the command line,
// transactions, the C API and the Python bindings. An id is 1–200 bytes of
// valid UTF-8 with no control character (U+0000–U+001F, U+007F–U+009F), no
// leading or trailing Unicode White_Space, and not starting with `(` (the
// audit trail writes the built-in system actor as `(system)`). A name is at
// most 500 bytes of valid UTF-8 with no control character.
//
// Output that prints stored text uses `escape_text` for anything that did not
// pass these checks (stores written by older versions): it can never forge a
// line or a terminal escape.
//
// Every function here is total, `noexcept` where it does not build a string,
// and allocation-free unless it returns one.
#ifndef SORIGHTS_IDS_HPP_
#define SORIGHTS_IDS_HPP_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sorights/config.hpp"
#include "sorights/error.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// The longest id, in bytes.
inline constexpr std::size_t kMaxIdBytes = 200;
/// The longest name, in bytes.
inline constexpr std::size_t kMaxNameBytes = 500;

namespace detail {

// Decodes one UTF-8 code point at `s[i]` (strict: no overlongs, no
// surrogates, at most U+10FFFF). Returns the code point and advances `i`, or
// returns -1 and leaves `i` unchanged.
constexpr std::int32_t decode_utf8(std::string_view s, std::size_t& i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  std::size_t n = 0;
  std::uint32_t cp = 0;
  std::uint32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    n = 1, cp = b0 & 0x1Fu, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 2, cp = b0 & 0x0Fu, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 3, cp = b0 & 0x07u, min = 0x10000;
  } else {
    return -1;
  }
  if (s.size() - i <= n) return -1;
  for (std::size_t k = 1; k <= n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  i += n + 1;
  return static_cast<std::int32_t>(cp);
}

constexpr bool is_control(std::int32_t cp) noexcept {
  return cp <= 0x1F || (cp >= 0x7F && cp <= 0x9F);
}

// Unicode White_Space (PropList.txt).
constexpr bool is_white_space(std::int32_t cp) noexcept {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

}  // namespace detail

/// Why `id` is not a valid id, as a phrase ("is empty", "is not valid
/// UTF-8", ...); empty when it is valid. O(size), noexcept.
[[nodiscard]] constexpr std::string_view id_problem(std::string_view id) noexcept {
  if (id.empty()) return "is empty";
  if (id.size() > kMaxIdBytes) return "is longer than 200 bytes";
  if (id.front() == '(') return "starts with \"(\" (reserved for built-in actors such as (system))";
  std::int32_t first = -1;
  std::int32_t last = -1;
  for (std::size_t i = 0; i < id.size();) {
    const std::int32_t cp = detail::decode_utf8(id, i);
    if (cp < 0) return "is not valid UTF-8";
    if (detail::is_control(cp)) return "holds a control character";
    if (first < 0) first = cp;
    last = cp;
  }
  if (detail::is_white_space(first) || detail::is_white_space(last))
    return "starts or ends with white space";
  return {};
}

/// Why `name` is not a valid display name; empty when it is valid. A name
/// may be empty. O(size), noexcept.
[[nodiscard]] constexpr std::string_view name_problem(std::string_view name) noexcept {
  if (name.size() > kMaxNameBytes) return "is longer than 500 bytes";
  for (std::size_t i = 0; i < name.size();) {
    const std::int32_t cp = detail::decode_utf8(name, i);
    if (cp < 0) return "is not valid UTF-8";
    if (detail::is_control(cp)) return "holds a control character";
  }
  return {};
}

/// True if `text` is valid UTF-8 without control characters (any length):
/// safe to print on one line as it is.
[[nodiscard]] constexpr bool is_printable_text(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size();) {
    const std::int32_t cp = detail::decode_utf8(text, i);
    if (cp < 0 || detail::is_control(cp)) return false;
  }
  return true;
}

/// True if `id` is a valid id.
[[nodiscard]] constexpr bool is_valid_id(std::string_view id) noexcept { return id_problem(id).empty(); }
/// True if `name` is a valid name.
[[nodiscard]] constexpr bool is_valid_name(std::string_view name) noexcept {
  return name_problem(name).empty();
}

/// `text` made safe to print on one line of a terminal: a control character
/// becomes `\n`, `\t`, `\r` or `\xNN` (for U+0080–U+009F the UTF-8 bytes), a
/// backslash `\\`, an invalid UTF-8 byte `\xNN`; valid text without a
/// backslash comes back unchanged. At most `max_bytes` input bytes are shown,
/// then `...`.
[[nodiscard]] inline std::string escape_text(std::string_view text, std::size_t max_bytes = 256) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() < max_bytes ? text.size() : max_bytes);
  auto hex = [&](unsigned char b) {
    out += "\\x";
    out += kHex[b >> 4];
    out += kHex[b & 15];
  };
  std::size_t i = 0;
  while (i < text.size()) {
    if (i >= max_bytes) {
      out += "...";
      break;
    }
    const std::size_t at = i;
    const std::int32_t cp = detail::decode_utf8(text, i);
    if (cp < 0) {
      hex(static_cast<unsigned char>(text[at]));
      i = at + 1;
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\\') {
      out += "\\\\";
    } else if (detail::is_control(cp)) {
      for (std::size_t k = at; k < i; ++k) hex(static_cast<unsigned char>(text[k]));
    } else {
      out.append(text.substr(at, i - at));
    }
  }
  return out;
}

namespace detail {
/// An id or name in a message: escaped (`escape_text`, at most 200 bytes)
/// between double quotes, so that no stored text can forge a line of output.
/// (Built by appending: `"\"" + std::string + "\""` trips GCC 12's
/// -Wrestrict false positive.)
[[nodiscard]] inline std::string quote_id(std::string_view s) {
  std::string out = "\"";
  out += escape_text(s, 200);
  out += '"';
  return out;
}
}  // namespace detail

/// `kInvalidArgument` naming `what` (e.g. `"user id"`) and the escaped `id`
/// when `id` is not a valid id; success otherwise.
[[nodiscard]] inline Result<void> check_id(std::string_view what, std::string_view id) {
  const std::string_view problem = id_problem(id);
  if (problem.empty()) return {};
  return Error(ErrorCode::kInvalidArgument,
               "invalid " + std::string(what) + " \"" + escape_text(id, 64) + "\": it " + std::string(problem));
}

/// `kInvalidArgument` naming `what` and the escaped `name` when `name` is not
/// a valid name; success otherwise.
[[nodiscard]] inline Result<void> check_name(std::string_view what, std::string_view name) {
  const std::string_view problem = name_problem(name);
  if (problem.empty()) return {};
  return Error(ErrorCode::kInvalidArgument,
               "invalid " + std::string(what) + " \"" + escape_text(name, 64) + "\": it " + std::string(problem));
}

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_IDS_HPP_
