// -----------------------------------------------------------------------------
// File: detail/snapshot_access.hpp
// -----------------------------------------------------------------------------
// `detail::SnapshotAccess`: read-only access to a compiled `Snapshot`'s tables
// for the batch evaluator (filter.hpp) and the predicate builder
// (predicate.hpp). No API promise: the tables change with the snapshot.
//
// This is the one definition of the friend struct that snapshot.hpp declares;
// any other part that needs the tables should add accessors here rather than
// define the struct a second time (that would break the one-definition rule).
#ifndef SORIGHTS_DETAIL_SNAPSHOT_ACCESS_HPP_
#define SORIGHTS_DETAIL_SNAPSHOT_ACCESS_HPP_

#include <cstdint>
#include <span>

#include "sorights/snapshot.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

struct SnapshotAccess {
  static std::span<const UserRec> users(const Snapshot& s) noexcept { return s.t_.users_; }
  static std::span<const OwnerRec> owners(const Snapshot& s) noexcept { return s.t_.owners_; }
  static std::span<const Profile> profiles(const Snapshot& s) noexcept { return s.t_.profiles_; }
  static std::span<const std::uint8_t> role_cells(const Snapshot& s) noexcept { return s.t_.role_cells_; }
  static std::span<const ObjectInfo> object_info(const Snapshot& s) noexcept { return s.t_.object_info_; }
  static std::span<const CheckRow> check_rows(const Snapshot& s) noexcept { return s.t_.check_rows_; }
  static std::span<const std::uint8_t> object_traits(const Snapshot& s) noexcept {
    return s.t_.object_traits_;
  }
  static std::span<const std::uint32_t> group_pool(const Snapshot& s) noexcept { return s.t_.group_pool_; }
  static std::span<const std::uint32_t> project_pool(const Snapshot& s) noexcept {
    return s.t_.project_pool_;
  }
  static std::span<const RecordOverride> record_overrides(const Snapshot& s) noexcept {
    return s.t_.record_overrides_;
  }
  static std::uint32_t object_count(const Snapshot& s) noexcept { return s.t_.object_count_; }
  static std::uint32_t our_company_count(const Snapshot& s) noexcept { return s.t_.our_company_count_; }
  static std::uint32_t database_owner(const Snapshot& s) noexcept { return s.t_.database_owner_; }
  static std::string_view project_id(const Snapshot& s, std::uint32_t p) noexcept {
    return s.t_.project_names_.name(p);
  }
  static std::size_t company_count(const Snapshot& s) noexcept { return s.t_.company_names_.size(); }
};

}  // namespace detail

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_DETAIL_SNAPSHOT_ACCESS_HPP_
