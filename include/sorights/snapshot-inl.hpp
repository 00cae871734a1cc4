// -----------------------------------------------------------------------------
// File: snapshot-inl.hpp
// -----------------------------------------------------------------------------
// Out-of-line definitions for snapshot.hpp: model validation, compilation,
// field rights and explanations. Included by snapshot.hpp in header-only
// builds and compiled once into the library otherwise.
#ifndef SORIGHTS_SNAPSHOT_INL_HPP_
#define SORIGHTS_SNAPSHOT_INL_HPP_

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "sorights/detail/snapshot_builder.hpp"
#include "sorights/detail/snapshot_patch.hpp"
#include "sorights/detail/validator.hpp"
#include "sorights/snapshot.hpp"

SORIGHTS_BEGIN_NAMESPACE

SORIGHTS_INLINE std::vector<Diagnostic> validate(const Model& model) {
  return detail::Validator(model).run();
}

SORIGHTS_INLINE Result<Snapshot> compile(const Model& model, std::uint64_t version) {
  std::vector<Diagnostic> problems = validate(model);
  if (!problems.empty()) {
    std::string message = "the model breaks " + std::to_string(problems.size()) +
                          (problems.size() == 1 ? " rule: " : " rules; first: ") +
                          problems.front().to_string();
    return Error(ErrorCode::kFailedPrecondition, std::move(message), std::move(problems));
  }
  return detail::SnapshotBuilder::build(model, version);
}

SORIGHTS_INLINE FieldRights Snapshot::field_rights(UserIndex user, const Record& record,
                                                   FieldIndex field) const noexcept {
  using namespace detail;
  NoTrace trace;
  const Evaluation ev = detail::evaluate(t_, user, record, trace);
  if (ev.system) return FieldRight::kRead | FieldRights(FieldRight::kWrite);
  if (!ev.evaluated) return {};
  const TableRights t = ev.rights;
  std::uint8_t bits = 0;
  if (t.contains_all(TableRight::kSelect)) bits |= 1u;
  if (t.contains_all(record.is_new ? TableRight::kInsert : TableRight::kUpdate)) bits |= 2u;
  const auto ui = static_cast<std::uint32_t>(user);
  const Profile& p = t_.profiles_[t_.users_[ui].profile];
  const auto obj = static_cast<std::uint16_t>(record.object);
  const auto fi = static_cast<std::uint32_t>(field);
  const FieldRule probe{p.role, obj, fi, static_cast<std::uint8_t>(ev.relation), 0};
  auto it = std::lower_bound(t_.field_rules_.begin(), t_.field_rules_.end(), probe,
                             [](const FieldRule& a, const FieldRule& b) {
                               return std::tie(a.role, a.object, a.field, a.relation) <
                                      std::tie(b.role, b.object, b.field, b.relation);
                             });
  if (it != t_.field_rules_.end() && it->role == probe.role && it->object == obj && it->field == fi &&
      it->relation == probe.relation)
    bits = static_cast<std::uint8_t>((bits & it->rights & 3u) | (it->rights & 0xC0u));
  if (fi == t_.name_field_ && (t_.object_traits_[obj] & kTraitCompany) && is_database_owner(t_, record))
    bits = static_cast<std::uint8_t>(bits & ~2u);
  for (std::uint32_t i = 0; i < p.field_ovr_count; ++i) {
    const FieldOverride& f = t_.field_overrides_[p.field_ovr_begin + i];
    if (f.object != obj || f.field != fi) continue;
    const auto scope = static_cast<OverrideScope>(f.scope);
    const bool hit = scope == OverrideScope::kAll || (scope == OverrideScope::kNew && record.is_new) ||
                     (scope == OverrideScope::kExisting && !record.is_new) ||
                     (scope == OverrideScope::kRecord && record.id != 0 && record.id == f.key);
    if (hit) bits = static_cast<std::uint8_t>(bits & ~(f.remove & 3u));
  }
  return FieldRights::from_bits(bits);
}

SORIGHTS_INLINE Explanation Snapshot::explain(UserIndex user, Action action,
                                              const Record& record) const noexcept {
  Explanation e;
  e.action = action;
  e.user = user;
  e.object = record.object;
  for (int i = 0; i < kLayerCount; ++i) e.layers[static_cast<std::size_t>(i)].layer = static_cast<Layer>(i);
  detail::ExplainTrace trace{&e};
  const detail::Evaluation ev = detail::evaluate(t_, user, record, trace);
  e.rights = ev.rights;
  e.allowed = ev.rights.allows(action);
  TableRights current = e.cell;
  for (LayerEffect& fx : e.layers) {
    if (fx.applied) current = fx.after;
    else fx.after = current;
  }
  return e;
}

namespace detail {
inline std::string_view inactive_text(InactiveReason r) {
  switch (r) {
    case InactiveReason::kRetired: return "retired";
    case InactiveReason::kFormerEmployee: return "a former employee";
    case InactiveReason::kLoginOff: return "not allowed to log in";
    case InactiveReason::kResource: return "a resource";
    case InactiveReason::kNone: break;
  }
  return "inactive";
}
inline std::string needed_right(Action a) {
  return TableRights::from_bits(TableRights::action_bit(a)).to_string();
}
}  // namespace detail

SORIGHTS_INLINE std::string Snapshot::explain_reason(const Explanation& e) const {
  using detail::quote_id;
  const std::string need = detail::needed_right(e.action);
  switch (e.outcome) {
    case Outcome::kNoSuchUser: return "unknown user";
    case Outcome::kNoSuchObject: return "unknown data object";
    case Outcome::kInactiveUser:
      return "user " + quote_id(user_id(e.user)) + " is " + std::string(detail::inactive_text(e.inactive)) +
             " and holds no rights";
    case Outcome::kSystemUser: return "the system user bypasses every check";
    case Outcome::kEvaluated: break;
  }
  const std::string cell = "role " + quote_id(role_id(e.role)) + " cell " + std::string(object_id(e.object)) +
                           "/" + std::string(relation_name(e.relation));
  const std::uint8_t bit = TableRights::action_bit(e.action);
  if (e.allowed) return cell + " grants " + need;
  if (!(e.cell.bits() & bit))
    return cell + " (" + (e.cell.empty() ? std::string("none") : e.cell.to_crud()) + ") lacks " + need;
  for (const LayerEffect& fx : e.layers)
    if (fx.applied && (fx.removed.bits() & bit))
      return std::string(kLayerNames[static_cast<std::size_t>(fx.layer)]) + " removed " + need;
  return "no right to " + std::string(action_name(e.action));
}

SORIGHTS_INLINE std::string Snapshot::explain_text(const Explanation& e) const {
  using detail::quote_id;
  std::string out;
  out += "user: " + (e.outcome == Outcome::kNoSuchUser ? std::string("(unknown)") : quote_id(user_id(e.user))) + "\n";
  switch (e.outcome) {
    case Outcome::kNoSuchUser:
    case Outcome::kNoSuchObject:
    case Outcome::kInactiveUser:
    case Outcome::kSystemUser:
      out += "outcome: " + explain_reason(e) + "\n";
      break;
    case Outcome::kEvaluated: {
      out += "relation: " + std::string(relation_name(e.relation)) + "\n";
      out += "role cell: role " + quote_id(role_id(e.role)) + " " + std::string(object_id(e.object)) + "/" +
             std::string(relation_name(e.relation)) + " = \"" + e.cell.to_crud() + "\" grants " +
             e.cell.to_string() + "\n";
      for (const LayerEffect& fx : e.layers) {
        out += "layer " + std::string(kLayerNames[static_cast<std::size_t>(fx.layer)]) + ": ";
        if (!fx.applied || (fx.removed.empty() && fx.added.empty())) {
          out += "removed nothing";
        } else {
          out += "removed " + (fx.removed.empty() ? std::string("nothing") : fx.removed.to_string());
          if (!fx.added.empty()) out += ", added " + fx.added.to_string();
        }
        out += "\n";
      }
      break;
    }
  }
  out += "rights: " + e.rights.to_string() + "\n";
  out += std::string("decision: ") + (e.allowed ? "allow" : "deny") + " " +
         std::string(action_name(e.action)) + " (" + explain_reason(e) + ")\n";
  return out;
}

SORIGHTS_INLINE std::size_t Snapshot::memory_bytes() const noexcept { return t_.memory_bytes(); }

namespace detail {

SORIGHTS_INLINE Result<Snapshot> SnapshotBuilder::build(const Model& model, std::uint64_t version) {
  SORIGHTS_ASSIGN_OR_RETURN(SnapshotTables tables, compile_tables(model, version));
  return Snapshot(std::move(tables));
}

SORIGHTS_INLINE std::optional<Snapshot> SnapshotBuilder::patch(const Snapshot& base, const Model& next,
                                                               const ModelEdit& edit, std::uint64_t version) {
  std::optional<SnapshotTables> tables = detail::patch_tables(base.t_, next, edit, version);
  if (!tables) return std::nullopt;
  return Snapshot(std::move(*tables));
}

SORIGHTS_INLINE std::optional<Snapshot> SnapshotBuilder::patch_users(const Snapshot& base, const Model& next,
                                                                     const std::vector<std::size_t>& positions,
                                                                     const std::vector<const User*>& before,
                                                                     std::uint64_t version) {
  ModelEdit edit;
  edit.users = positions;
  edit.users_before = before;
  return patch(base, next, edit, version);
}

}  // namespace detail

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_SNAPSHOT_INL_HPP_
