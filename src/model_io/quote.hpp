// Internal: quoting for messages, one helper per kind of text, shared by the
// stores, model files and the JSON codec. (SQL quoting of PostgreSQL
// identifiers and literals is pg.hpp's.) Not installed.
#ifndef SORIGHTS_SRC_MODEL_IO_QUOTE_HPP_
#define SORIGHTS_SRC_MODEL_IO_QUOTE_HPP_

#include <string>
#include <string_view>

#include "sorights/ids.hpp"

SORIGHTS_BEGIN_NAMESPACE
namespace detail {

// A store's own text (an id, a column value), quoted as it is.
inline std::string in_quotes(std::string_view s) {
  std::string out = "\"";
  out.append(s).append("\"");
  return out;
}

// Text from an untrusted file, quoted for a message: escaped, cut after 64 bytes.
inline std::string quoted_text(std::string_view s) { return detail::in_quotes(escape_text(s, 64)); }

}  // namespace detail
SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_SRC_MODEL_IO_QUOTE_HPP_
