// -----------------------------------------------------------------------------
// File: explain.hpp
// -----------------------------------------------------------------------------
// `sorights::Explanation`: why a check came out as it did — the relation
// found, the role cell that granted, and every narrowing layer with what it
// removed. The structure is fixed-size and built without allocating; only its
// text rendering (`Snapshot::explain_text`) allocates.
#ifndef SORIGHTS_EXPLAIN_HPP_
#define SORIGHTS_EXPLAIN_HPP_

#include <array>
#include <cstdint>
#include <string_view>

#include "sorights/config.hpp"
#include "sorights/rights.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// How the evaluation went before (or instead of) the role matrix.
enum class Outcome : std::uint8_t {
  kEvaluated = 0,     ///< the matrix and the narrowing layers decided
  kNoSuchUser = 1,    ///< the user index is not in the snapshot: deny
  kNoSuchObject = 2,  ///< the data object is not in the snapshot: deny
  kInactiveUser = 3,  ///< retired, former employee, login off, or a resource: deny
  kSystemUser = 4,    ///< the system user: everything, no narrowing
};

/// The narrowing layers, in the order they apply after the role matrix.
enum class Layer : std::uint8_t {
  kLicence = 0,       ///< a missing feature licence ("-cal") leaves at most Select
  kOtherCompany = 1,  ///< records owned by users of another of our companies
  kVisibility = 2,    ///< "Visible for" on the record
  kPublishing = 3,    ///< external users see only published records
  kOverride = 4,      ///< rights overrides (preferences)
  kRecordState = 5,   ///< completed, user person, our company, others' selection
};
inline constexpr int kLayerCount = 6;
inline constexpr std::array<std::string_view, kLayerCount> kLayerNames = {
    "licence", "other-company", "visibility", "publishing", "override", "record-state"};

/// Why a user was inactive.
enum class InactiveReason : std::uint8_t {
  kNone = 0, kRetired = 1, kFormerEmployee = 2, kLoginOff = 3, kResource = 4,
};

/// One narrowing layer's effect.
struct LayerEffect {
  Layer layer = Layer::kLicence;
  bool applied = false;     ///< the layer had something to say for this record
  TableRights removed{};      ///< bits it took away
  TableRights added{};        ///< Filtering given instead of a hidden follow-up; RestrictedUpdate
  TableRights after{};        ///< the mask after this layer
};

/// The full account of one check. Fixed size; no allocation.
struct Explanation {
  Outcome outcome = Outcome::kNoSuchUser;
  InactiveReason inactive = InactiveReason::kNone;
  Action action = Action::kRead;
  UserIndex user = kUnknownUser;
  ObjectIndex object = kUnknownObject;
  Relation relation = Relation::kOtherAssociates;
  RoleIndex role = kUnknownRole;
  /// The role cell for (object, relation), before any layer.
  TableRights cell{};
  std::array<LayerEffect, kLayerCount> layers{};
  /// The final mask; equals `Snapshot::rights()` for the same inputs.
  TableRights rights{};
  /// Whether `action` is allowed; equals `Snapshot::can()`.
  bool allowed = false;
};

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_EXPLAIN_HPP_
