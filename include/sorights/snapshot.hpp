// -----------------------------------------------------------------------------
// File: snapshot.hpp
// -----------------------------------------------------------------------------
// `sorights::Snapshot` is a compiled, immutable user model and the evaluator
// that answers "may this user do this to this record?".
//
// `compile(model)` checks every rule of the model and reports *all* violations
// at once; on success the snapshot holds dense indexes, one packed byte per
// (role, object, relation) cell, and a functional-right bitset per distinct
// rights profile. After that:
//
//   * `rights`, `can`, `has` are `noexcept`, total (anything unknown is a deny),
//     allocation-free and inline in every build mode: a check classifies the
//     record's relation to the user with a few integer compares, reads one
//     byte of the role matrix, then narrows it (licence, other company,
//     visibility, publishing, overrides, record state);
//   * `field_rights` and `explain` run the full evaluation and add the field
//     layer or the account of each step (still allocation-free). `rights`
//     answers the common case from one precomputed row instead: two
//     implementations of one decision, held equal by the differential tests
//     (docs/design/0005-check-fast-path.md), not by construction;
//   * `find_*` map string ids to indexes (binary search; cold).
//
// A `Snapshot` is immutable: any number of threads may query one at once.
//
// **Example**:
//
//     sorights::Model model = sorights::Model::with_defaults();
//     model.groups.push_back({"sales", "Sales"});
//     model.our_companies.push_back({"acme", "Acme", true});
//     model.users.push_back({.id = "alice", .company = "acme", .role = "level-3",
//                            .group = "sales"});
//     auto snapshot = sorights::compile(model);
//     if (!snapshot) { /* snapshot.error().to_string() lists every problem */ }
//     sorights::Record sale{.object = snapshot->find_object("sale"),
//                           .owner = snapshot->find_user("alice")};
//     bool ok = snapshot->can(snapshot->find_user("alice"), sorights::Action::kUpdate, sale);
#ifndef SORIGHTS_SNAPSHOT_HPP_
#define SORIGHTS_SNAPSHOT_HPP_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sorights/config.hpp"
#include "sorights/detail/evaluator.hpp"
#include "sorights/detail/snapshot_layout.hpp"
#include "sorights/error.hpp"
#include "sorights/explain.hpp"
#include "sorights/functional_right.hpp"
#include "sorights/model.hpp"
#include "sorights/record.hpp"
#include "sorights/rights.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE

class Snapshot;

/// Checks every rule of `model` and compiles it. On failure the error lists
/// every violated rule (`Error::diagnostics`), each naming the item and rule.
/// `version` is stored in the snapshot (`Snapshot::version()`).
[[nodiscard]] SORIGHTS_API Result<Snapshot> compile(const Model& model, std::uint64_t version = 0);

/// Checks every rule of `model` without compiling; the diagnostics are those
/// `compile` would report. Empty means valid.
[[nodiscard]] SORIGHTS_API std::vector<Diagnostic> validate(const Model& model);
namespace detail {
// Grants the batch evaluators, the predicate builder and snapshot files access
// to the compiled tables (detail/snapshot_access.hpp).
struct SnapshotAccess;
// Builds and patches the tables (detail/snapshot_builder.hpp: compile,
// incremental commits).
struct SnapshotBuilder;
}  // namespace detail

class Snapshot {
 public:
  Snapshot() = default;

  // -- Hot checks: noexcept, total, allocation-free, thread-safe -------------

  /// What `user` may do with `record`, as table-right flags.
  /// Total: an unknown user or object gives `None`. O(1) for a user with at
  /// most 16 other groups; with more, a binary search over them (O(log g));
  /// a record id with record-scoped overrides adds one over those (O(log k)).
  /// Never allocates.
  [[nodiscard]] TableRights rights(UserIndex user, const Record& record) const noexcept;

  /// True if `user` may do `action` to `record` (read → Select, create →
  /// Insert, update → Update, delete → Delete). Total; never allocates.
  [[nodiscard]] bool can(UserIndex user, Action action, const Record& record) const noexcept {
    return rights(user, record).allows(action);
  }

  /// True if `user` holds functional right `right`: the role grants it, the
  /// user is active, and any licence the right requires is held. The system
  /// user holds every right except the restrictive ones (`hide-…`,
  /// `ext-need-publish-to-see-…`, declared rights marked `restrictive`): it
  /// bypasses restrictions, so a host that hides a screen when `has` is true
  /// never hides it for the system user. Total: unknown user or right → false.
  /// O(1).
  [[nodiscard]] bool has(UserIndex user, RightIndex right) const noexcept {
    const auto u = static_cast<std::uint32_t>(user);
    const auto r = static_cast<std::uint32_t>(right);
    if (SORIGHTS_UNLIKELY(u >= t_.user_rights_.size() || r >= t_.right_count_)) return false;
    return (t_.right_words_[t_.user_rights_[u] + (r >> 6)] >> (r & 63u)) & 1u;
  }

  /// The field right `user` holds on `field` of `record`: read with Select,
  /// write with Update (Insert for a new record), narrowed by field-right
  /// rules, field overrides and the database owner's read-only name. Total:
  /// an unknown field follows the table right. Never allocates.
  [[nodiscard]] SORIGHTS_API FieldRights field_rights(UserIndex user, const Record& record,
                                                      FieldIndex field) const noexcept;

  /// The decision of `rights`/`can`, with the relation found, the role cell
  /// and each narrowing layer's effect. The full evaluation, not `rights`'
  /// fast path; the differential tests hold the two equal. Never allocates.
  [[nodiscard]] SORIGHTS_API Explanation explain(UserIndex user, Action action,
                                                 const Record& record) const noexcept;

  /// `explain` rendered as text, one fact per line (allocates).
  [[nodiscard]] SORIGHTS_API std::string explain_text(const Explanation& e) const;

  /// A one-line reason for the decision in `e`, e.g. `role "level-3" cell
  /// sale/own grants Update` or `visibility removed Select` (allocates).
  [[nodiscard]] SORIGHTS_API std::string explain_reason(const Explanation& e) const;

  // -- Lookups (cold): string id → index; a miss gives the kUnknown* sentinel

  [[nodiscard]] UserIndex find_user(std::string_view id) const noexcept {
    return UserIndex{t_.user_names_.find(id, static_cast<std::uint32_t>(kUnknownUser))};
  }
  [[nodiscard]] GroupIndex find_group(std::string_view id) const noexcept {
    return GroupIndex{t_.group_names_.find(id, static_cast<std::uint32_t>(kUnknownGroup))};
  }
  [[nodiscard]] RoleIndex find_role(std::string_view id) const noexcept {
    return RoleIndex{t_.role_names_.find(id, static_cast<std::uint32_t>(kUnknownRole))};
  }
  [[nodiscard]] ObjectIndex find_object(std::string_view id) const noexcept {
    return ObjectIndex{static_cast<std::uint16_t>(
        t_.object_names_.find(id, static_cast<std::uint16_t>(kUnknownObject)))};
  }
  [[nodiscard]] RightIndex find_right(std::string_view id) const noexcept {
    return RightIndex{t_.right_names_.find(id, static_cast<std::uint32_t>(kUnknownRight))};
  }
  [[nodiscard]] CompanyIndex find_company(std::string_view id) const noexcept {
    return CompanyIndex{t_.company_names_.find(id, static_cast<std::uint32_t>(kUnknownCompany))};
  }
  [[nodiscard]] ProjectIndex find_project(std::string_view id) const noexcept {
    return ProjectIndex{t_.project_names_.find(id, static_cast<std::uint32_t>(kUnknownProject))};
  }
  [[nodiscard]] FieldIndex find_field(std::string_view id) const noexcept {
    return FieldIndex{t_.field_names_.find(id, static_cast<std::uint32_t>(kUnknownField))};
  }

  // -- Names and facts (cold) -------------------------------------------------

  [[nodiscard]] std::string_view user_id(UserIndex u) const noexcept {
    return t_.user_names_.name(static_cast<std::uint32_t>(u));
  }
  [[nodiscard]] std::string_view group_id(GroupIndex g) const noexcept {
    return t_.group_names_.name(static_cast<std::uint32_t>(g));
  }
  [[nodiscard]] std::string_view role_id(RoleIndex r) const noexcept {
    return t_.role_names_.name(static_cast<std::uint32_t>(r));
  }
  [[nodiscard]] std::string_view object_id(ObjectIndex o) const noexcept {
    return t_.object_names_.name(static_cast<std::uint16_t>(o));
  }
  [[nodiscard]] std::string_view right_id(RightIndex r) const noexcept {
    return t_.right_names_.name(static_cast<std::uint32_t>(r));
  }
  [[nodiscard]] std::string_view company_id(CompanyIndex c) const noexcept {
    return t_.company_names_.name(static_cast<std::uint32_t>(c));
  }
  [[nodiscard]] std::string_view field_id(FieldIndex f) const noexcept {
    return t_.field_names_.name(static_cast<std::uint32_t>(f));
  }

  [[nodiscard]] std::size_t user_count() const noexcept { return t_.users_.size(); }
  [[nodiscard]] std::size_t group_count() const noexcept { return t_.group_names_.size(); }
  [[nodiscard]] std::size_t role_count() const noexcept { return t_.role_names_.size(); }
  [[nodiscard]] std::size_t object_count() const noexcept { return t_.object_count_; }
  [[nodiscard]] std::size_t right_count() const noexcept { return t_.right_count_; }
  /// Distinct rights profiles (role × licences × overrides × state).
  [[nodiscard]] std::size_t profile_count() const noexcept { return t_.profiles_.size(); }

  /// The user's role, or `kUnknownRole`.
  [[nodiscard]] RoleIndex user_role(UserIndex u) const noexcept {
    const auto i = static_cast<std::uint32_t>(u);
    return i < t_.users_.size() ? RoleIndex{t_.profiles_[t_.users_[i].profile].role} : kUnknownRole;
  }
  /// The user's primary group, or `kNoGroup`.
  [[nodiscard]] GroupIndex user_primary_group(UserIndex u) const noexcept {
    const auto i = static_cast<std::uint32_t>(u);
    return i < t_.users_.size() ? GroupIndex{t_.users_[i].primary_group} : kNoGroup;
  }
  /// The user's type; `kResource` for an unknown user (holds nothing).
  [[nodiscard]] UserType user_type(UserIndex u) const noexcept {
    const auto i = static_cast<std::uint32_t>(u);
    return i < t_.users_.size() ? static_cast<UserType>(t_.users_[i].type) : UserType::kResource;
  }
  /// The raw role cell for (role, object, relation); `None` when any of the
  /// three is unknown.
  [[nodiscard]] TableRights role_cell(RoleIndex role, ObjectIndex object,
                                      Relation relation) const noexcept {
    const auto r = static_cast<std::uint32_t>(role);
    const auto o = static_cast<std::uint32_t>(object);
    if (r >= t_.role_names_.size() || o >= t_.object_count_ ||
        static_cast<std::uint8_t>(relation) >= kRelationCount)
      return {};
    return TableRights::from_bits(
        t_.role_cells_[(static_cast<std::size_t>(r) * t_.object_count_ + o) * kRelationCount +
                    static_cast<std::size_t>(relation)]);
  }

  /// The version given to `compile` (the directory's published version).
  [[nodiscard]] std::uint64_t version() const noexcept { return t_.version_; }
  /// Heap bytes held by the compiled tables.
  [[nodiscard]] SORIGHTS_API std::size_t memory_bytes() const noexcept;

  /// The evaluation every check runs; `Trace` records the steps (explain) or
  /// compiles away (the hot path). Exposed for the batch evaluators.
  template <class Trace>
  [[nodiscard]] detail::Evaluation evaluate(UserIndex user, const Record& record,
                                            Trace& trace) const noexcept;

 private:
  friend SORIGHTS_API Result<Snapshot> compile(const Model& model, std::uint64_t version);
  friend struct detail::SnapshotAccess;

  explicit Snapshot(detail::SnapshotTables tables) noexcept : t_(std::move(tables)) {}

  detail::SnapshotTables t_;

  friend struct detail::SnapshotBuilder;
};

// -----------------------------------------------------------------------------
// The hot checks (inline in every build mode): detail/evaluator.hpp
// -----------------------------------------------------------------------------

template <class Trace>
SORIGHTS_ALWAYS_INLINE detail::Evaluation Snapshot::evaluate(UserIndex user, const Record& record,
                                                             Trace& trace) const noexcept {
  return detail::evaluate(t_, user, record, trace);
}

SORIGHTS_ALWAYS_INLINE TableRights Snapshot::rights(UserIndex user, const Record& record) const noexcept {
  return detail::fast_rights(t_, user, record);
}

SORIGHTS_END_NAMESPACE

#ifdef SORIGHTS_HEADER_ONLY
#  include "sorights/snapshot-inl.hpp"
#endif

#endif  // SORIGHTS_SNAPSHOT_HPP_
