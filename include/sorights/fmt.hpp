// -----------------------------------------------------------------------------
// File: fmt.hpp
// -----------------------------------------------------------------------------
// `fmt::formatter` specializations for sorights' public value types, the same
// text as their `operator<<` (ostream.hpp): `fmt::print("{}\n", rights)`,
// `fmt::format("{:>20}", action)` (the standard string format spec applies).
//
// Optional and header-only: include it only where {fmt} is available (it
// includes <fmt/format.h>; sorights itself never does). Link fmt::fmt (CMake:
// find_package(fmt)) or use fmt's header-only mode.
//
// **Example**:
//
//     #include "sorights/fmt.hpp"
//     fmt::print("{} may {} bob's sale: {}\n", "alice", sorights::Action::kUpdate,
//                snapshot.rights(alice, sale));
#ifndef SORIGHTS_FMT_HPP_
#define SORIGHTS_FMT_HPP_

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "sorights/ostream.hpp"

/// Formats `TYPE` as the string view or string `EXPR` of `value`.
#define SORIGHTS_FMT_FORMATTER_(TYPE, EXPR)                                         \
  template <>                                                                     \
  struct fmt::formatter<TYPE> : fmt::formatter<std::string_view> {                \
    template <class FormatContext>                                                \
    auto format(const TYPE& value, FormatContext& ctx) const -> decltype(ctx.out()) { \
      const auto text = EXPR;                                                     \
      return fmt::formatter<std::string_view>::format(std::string_view(text), ctx); \
    }                                                                             \
  };

SORIGHTS_FMT_FORMATTER_(sorights::TableRights, value.to_string())
SORIGHTS_FMT_FORMATTER_(sorights::FieldRights, value.to_string())
SORIGHTS_FMT_FORMATTER_(sorights::Action, sorights::action_name(value))
SORIGHTS_FMT_FORMATTER_(sorights::Relation, sorights::relation_name(value))
SORIGHTS_FMT_FORMATTER_(sorights::UserType, sorights::user_type_name(value))
SORIGHTS_FMT_FORMATTER_(sorights::RoleType, sorights::role_type_name(value))
SORIGHTS_FMT_FORMATTER_(sorights::ErrorCode, std::string_view(sorights::error_code_name(value)))
SORIGHTS_FMT_FORMATTER_(sorights::Outcome, sorights::outcome_name(value))
SORIGHTS_FMT_FORMATTER_(sorights::Diagnostic, value.to_string())
SORIGHTS_FMT_FORMATTER_(sorights::Error, value.to_string())
SORIGHTS_FMT_FORMATTER_(sorights::Explanation, sorights::explanation_summary(value))

#undef SORIGHTS_FMT_FORMATTER_

#endif  // SORIGHTS_FMT_HPP_
