// -----------------------------------------------------------------------------
// File: ostream.hpp
// -----------------------------------------------------------------------------
// `operator<<` for sorights' public value types, so they print as their
// `to_string()` / name without a call: `std::cout << rights`, `std::cerr <<
// result.error()`, gtest/Catch2 messages. Included by sorights.hpp; include it
// directly if you include the single headers. fmt users: sorights/fmt.hpp.
//
//   TableRights, FieldRights  "Select|Update", "Read|Write" (to_string())
//   Action, Relation          "update", "primary_group" (the model-file names)
//   UserType, RoleType        "associate", "employee"
//   ErrorCode                 "not-found"
//   Diagnostic, Error         to_string()
//   Outcome                   "evaluated", "no-such-user", ...
//   Explanation               "allow update: relation primary_group, cell
//                             Select|Update, rights Select|Update" — the
//                             short form; Snapshot::explain_text() names the
//                             user, object and each layer
//
// **Example**:
//
//     std::cout << snapshot.rights(alice, sale) << "\n";    // Select|Update
//     if (!r) std::cerr << r.error() << "\n";
#ifndef SORIGHTS_OSTREAM_HPP_
#define SORIGHTS_OSTREAM_HPP_

#include <ostream>
#include <string_view>

#include "sorights/config.hpp"
#include "sorights/error.hpp"
#include "sorights/explain.hpp"
#include "sorights/rights.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// The name of an explanation's outcome: "evaluated", "no-such-user", ...
[[nodiscard]] constexpr std::string_view outcome_name(Outcome o) noexcept {
  switch (o) {
    case Outcome::kEvaluated: return "evaluated";
    case Outcome::kNoSuchUser: return "no-such-user";
    case Outcome::kNoSuchObject: return "no-such-object";
    case Outcome::kInactiveUser: return "inactive-user";
    case Outcome::kSystemUser: return "system-user";
  }
  return "unknown";
}

/// The short form of an explanation (no snapshot needed): the decision, the
/// action, then the relation, role cell and final rights when evaluated, or
/// the outcome that decided it.
[[nodiscard]] inline std::string explanation_summary(const Explanation& e) {
  std::string out = e.allowed ? "allow " : "deny ";
  out += action_name(e.action);
  if (e.outcome == Outcome::kEvaluated) {
    out += ": relation ";
    out += relation_name(e.relation);
    out += ", cell " + e.cell.to_string() + ", rights " + e.rights.to_string();
  } else {
    out += ": ";
    out += outcome_name(e.outcome);
  }
  return out;
}

inline std::ostream& operator<<(std::ostream& os, const TableRights& r) { return os << r.to_string(); }
inline std::ostream& operator<<(std::ostream& os, const FieldRights& r) { return os << r.to_string(); }
inline std::ostream& operator<<(std::ostream& os, Action a) { return os << action_name(a); }
inline std::ostream& operator<<(std::ostream& os, Relation r) { return os << relation_name(r); }
inline std::ostream& operator<<(std::ostream& os, UserType t) { return os << user_type_name(t); }
inline std::ostream& operator<<(std::ostream& os, RoleType t) { return os << role_type_name(t); }
inline std::ostream& operator<<(std::ostream& os, ErrorCode c) { return os << error_code_name(c); }
inline std::ostream& operator<<(std::ostream& os, Outcome o) { return os << outcome_name(o); }
inline std::ostream& operator<<(std::ostream& os, const Diagnostic& d) { return os << d.to_string(); }
inline std::ostream& operator<<(std::ostream& os, const Error& e) { return os << e.to_string(); }
inline std::ostream& operator<<(std::ostream& os, const Explanation& e) { return os << explanation_summary(e); }

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_OSTREAM_HPP_
