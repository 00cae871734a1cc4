// -----------------------------------------------------------------------------
// File: record_columns.hpp
// -----------------------------------------------------------------------------
// `sorights::RecordColumns`: many records of one data object as columns, one
// span per `Record` field, the input of the batch filter (filter.hpp) and of
// the bindings' batch calls; `record_flags` packs a record's state bits;
// `RecordColumnsBuffer` makes owned columns from an array of records.
// A view: `RecordColumns` owns nothing and is as thread-safe as its spans.
#ifndef SORIGHTS_RECORD_COLUMNS_HPP_
#define SORIGHTS_RECORD_COLUMNS_HPP_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "sorights/config.hpp"
#include "sorights/index_column.hpp"
#include "sorights/record.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// Bits of `RecordColumns::flags`, one byte per record.
enum RecordFlag : std::uint8_t {
  kRecordVisibilityKindMask = 3,  ///< bits 0-1: the record's `VisibilityKind`
  kRecordPublished = 4,
  kRecordCompleted = 8,
  kRecordIsNew = 16,
  kRecordUserPerson = 32,
  kRecordOurCompany = 64,
  kRecordDatabaseOwner = 128,
};

/// A column view of many records of one data object: the fields of `Record`,
/// one span per field. An empty span means "the default for every record"
/// (`Record`'s defaults); a non-empty span must hold at least `size` entries.
/// Only the columns a (user, object, action) needs are read: `owner`, `group`,
/// `flags` and `visibility_id` in the common case, `company` and `project` for
/// external users and company deletes, the publish window for external users
/// whose role needs publishing, `id` when the user has record-scoped overrides.
struct RecordColumns {
  std::size_t size = 0;
  IndexColumn<UserIndex> owner{};                  ///< empty: `kNoUser`
  IndexColumn<GroupIndex> group{};                 ///< empty: `kNoGroup`
  std::span<const std::uint8_t> flags{};           ///< `RecordFlag` bits; empty: 0
  /// The raw `UserIndex` or `GroupIndex` value, per the kind in `flags`
  /// (an index here; a text id in SQL, see predicate.hpp); empty: 0.
  std::span<const std::uint32_t> visibility_id{};
  IndexColumn<ProjectIndex> project{};             ///< empty: `kNoProject`
  IndexColumn<CompanyIndex> company{};             ///< empty: `kNoCompany`
  std::span<const std::uint64_t> id{};             ///< `record_key()` values; empty: 0
  std::span<const Time> publish_from{};            ///< empty: `kTimeMin`
  std::span<const Time> publish_to{};              ///< empty: `kTimeMax`
  /// The evaluation time for the whole batch; `kTimeMin` = now, read once.
  Time at = kTimeMin;

  /// Record `i` as a `Record` of `object` (the reference `filter` agrees with).
  [[nodiscard]] Record record(std::size_t i, ObjectIndex object) const noexcept {
    Record r;
    r.object = object;
    if (!owner.empty()) r.owner = UserIndex{owner[i]};
    if (!group.empty()) r.group = GroupIndex{group[i]};
    const std::uint8_t f = flags.empty() ? std::uint8_t{0} : flags[i];
    r.visibility.kind = static_cast<VisibilityKind>(f & kRecordVisibilityKindMask);
    if (!visibility_id.empty()) r.visibility.id = visibility_id[i];
    if (!project.empty()) r.project = ProjectIndex{project[i]};
    if (!company.empty()) r.company = CompanyIndex{company[i]};
    if (!id.empty()) r.id = id[i];
    if (!publish_from.empty()) r.publish_from = publish_from[i];
    if (!publish_to.empty()) r.publish_to = publish_to[i];
    r.at = at;
    r.published = (f & kRecordPublished) != 0;
    r.completed = (f & kRecordCompleted) != 0;
    r.is_new = (f & kRecordIsNew) != 0;
    r.user_person = (f & kRecordUserPerson) != 0;
    r.our_company = (f & kRecordOurCompany) != 0;
    r.database_owner = (f & kRecordDatabaseOwner) != 0;
    return r;
  }

  /// True if every non-empty span holds at least `size` entries.
  [[nodiscard]] constexpr bool valid() const noexcept {
    auto ok = [this](std::size_t n) { return n == 0 || n >= size; };
    return ok(owner.size()) && ok(group.size()) && ok(flags.size()) && ok(visibility_id.size()) &&
           ok(project.size()) && ok(company.size()) && ok(id.size()) && ok(publish_from.size()) &&
           ok(publish_to.size());
  }
};

/// The flags byte of `r`'s column: its visibility kind and state bits (the
/// inverse of what `RecordColumns::record` reads). A visibility kind out of
/// range is written as a group, which is how the evaluator reads it, never
/// into the state bits. Total, allocation-free.
[[nodiscard]] constexpr std::uint8_t record_flags(const Record& r) noexcept {
  const auto kind = static_cast<std::uint8_t>(r.visibility.kind);
  return static_cast<std::uint8_t>(
      (kind <= static_cast<std::uint8_t>(VisibilityKind::kAssociate) ? kind
                                                                     : static_cast<std::uint8_t>(VisibilityKind::kGroup)) |
      (r.published ? kRecordPublished : 0) | (r.completed ? kRecordCompleted : 0) | (r.is_new ? kRecordIsNew : 0) |
      (r.user_person ? kRecordUserPerson : 0) | (r.our_company ? kRecordOurCompany : 0) |
      (r.database_owner ? kRecordDatabaseOwner : 0));
}

/// Owned columns made from an array of `Record`s, for a host (or a binding)
/// that holds its rows as records rather than columns. The evaluation time
/// is the first record's (`filter` takes one `at` per call). Allocates once
/// per column; `view()` is valid while this object lives and is not moved.
class RecordColumnsBuffer {
 public:
  explicit RecordColumnsBuffer(std::span<const Record> records)
      : owner_(records.size()), group_(records.size()), visibility_id_(records.size()),
        project_(records.size()), company_(records.size()), flags_(records.size()), id_(records.size()),
        publish_from_(records.size()), publish_to_(records.size()) {
    for (std::size_t i = 0; i < records.size(); ++i) {
      const Record& r = records[i];
      owner_[i] = static_cast<std::uint32_t>(r.owner);
      group_[i] = static_cast<std::uint32_t>(r.group);
      visibility_id_[i] = r.visibility.id;
      project_[i] = static_cast<std::uint32_t>(r.project);
      company_[i] = static_cast<std::uint32_t>(r.company);
      flags_[i] = record_flags(r);
      id_[i] = r.id;
      publish_from_[i] = r.publish_from;
      publish_to_[i] = r.publish_to;
    }
    if (!records.empty()) at_ = records.front().at;
  }
  /// The columns, borrowing this buffer.
  [[nodiscard]] RecordColumns view() const noexcept {
    return RecordColumns{.size = owner_.size(), .owner = owner_, .group = group_, .flags = flags_,
                         .visibility_id = visibility_id_, .project = project_, .company = company_, .id = id_,
                         .publish_from = publish_from_, .publish_to = publish_to_, .at = at_};
  }

 private:
  std::vector<std::uint32_t> owner_, group_, visibility_id_, project_, company_;
  std::vector<std::uint8_t> flags_;
  std::vector<std::uint64_t> id_;
  std::vector<Time> publish_from_, publish_to_;
  Time at_ = kTimeMin;
};

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_RECORD_COLUMNS_HPP_
