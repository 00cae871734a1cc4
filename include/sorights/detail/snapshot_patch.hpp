// -----------------------------------------------------------------------------
// File: detail/snapshot_patch.hpp
// -----------------------------------------------------------------------------
// The incremental commit's snapshot patch: the previous snapshot's tables
// brought up to a model that differs from its own as a `detail::ModelEdit`
// says, with the builder's code (docs/design/0004-incremental-commit.md).
// Defined inline, so tests may include it in both build modes. No API
// promise.
#ifndef SORIGHTS_DETAIL_SNAPSHOT_PATCH_HPP_
#define SORIGHTS_DETAIL_SNAPSHOT_PATCH_HPP_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sorights/config.hpp"
#include "sorights/detail/model_edit.hpp"
#include "sorights/detail/snapshot_builder.hpp"
#include "sorights/model.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

// The edited roles' cells, and the rights, flags and fast-path rows of every
// profile that holds one of them. A profile stands for users of one role
// whose rights are equal, so a right granted to or revoked from the role
// changes them alike, unless the right needs a licence (some holders have
// it, some not) or gates publishing (an external holder's objects change):
// false then, and the caller compiles.
inline bool patch_roles(SnapshotBuilder& b, const ModelEdit& edit) {
  struct Delta {
    bool edited = false;
    std::vector<std::uint32_t> grant, revoke;
  };
  std::vector<Delta> delta(b.m.roles.size());
  auto gates_publish = [](std::uint32_t right) {
    for (std::size_t o = 0; o < kBuiltinObjectCount; ++o)
      if (publish_right(o) == right) return true;
    return false;
  };
  for (std::size_t k = 0; k < edit.roles.size(); ++k) {
    const std::size_t r = edit.roles[k];
    const Role& now = b.m.roles[r];
    const Role& was = *edit.roles_before[k];
    Delta& d = delta[r];
    d.edited = true;
    const std::size_t block = r * b.n_objects * kRelationCount;
    std::fill(b.s.role_cells_.begin() + static_cast<std::ptrdiff_t>(block),
              b.s.role_cells_.begin() + static_cast<std::ptrdiff_t>(block + b.n_objects * kRelationCount), 0);
    for (const auto& [object, cells] : now.data_rights) {
      const std::uint32_t oi = b.object_index.find(object);
      if (oi == FlatIndex::kMiss) return false;  // not a valid model
      for (int rel = 0; rel < kRelationCount; ++rel)
        b.s.role_cells_[block + oi * kRelationCount + static_cast<std::size_t>(rel)] =
            static_cast<std::uint8_t>(cells[static_cast<std::size_t>(rel)].bits() & TableRights::kCrudBits);
    }
    for (const std::string& f : now.functional_rights)
      if (!was.has_right(f)) d.grant.push_back(b.right_index.find(f));
    for (const std::string& f : was.functional_rights)
      if (!now.has_right(f)) d.revoke.push_back(b.right_index.find(f));
    for (const std::vector<std::uint32_t>* list : {&d.grant, &d.revoke})
      if (std::find(list->begin(), list->end(), FlatIndex::kMiss) != list->end()) return false;  // not a valid model
    for (const std::uint32_t ri : d.grant)
      if (b.right_licence[ri] != SnapshotBuilder::kNone || gates_publish(ri)) return false;
    for (const std::uint32_t ri : d.revoke)
      if (gates_publish(ri)) return false;
  }
  for (Profile& p : b.s.profiles_) {
    if (p.role >= delta.size() || !delta[p.role].edited) continue;
    const Delta& d = delta[p.role];
    std::uint64_t* w = b.s.right_words_.data() + p.rights_offset;
    if ((p.flags & kProfileActive) && !(p.flags & kProfileSystem)) {
      for (const std::uint32_t ri : d.grant) w[ri >> 6] |= 1ull << (ri & 63u);
      for (const std::uint32_t ri : d.revoke) w[ri >> 6] &= ~(1ull << (ri & 63u));
    }
    std::copy(w, w + b.words, b.bits.begin());
    p.flags = static_cast<std::uint8_t>((p.flags & ~SnapshotBuilder::kRightsFlags) | b.rights_flags());
    const ObjectInfo* info = b.s.object_info_.data() + p.objects_offset;
    b.infos.assign(info, info + b.n_objects);
    const RecordOverride* ro = b.s.record_overrides_.data() + p.record_ovr_begin;
    b.rec_ovr.assign(ro, ro + p.record_ovr_count);
    p.rows_offset = b.append_check_rows(p.role, p.flags);
  }
  return true;
}

// A copy of `base` (the tables compiled from a valid model B) updated to
// `next`, which differs from B as `edit` says, at `version`. Nothing when
// the edit changes what the patch does not re-derive: an edited user's
// customer company (company indexes follow first appearance) or projects,
// or a role's functional right that needs a licence or gates publishing
// (the holders' rights then depend on each holder); the caller compiles
// from scratch then. New users and groups take the next indexes, as
// compile() gives them; their new customer companies and projects too. The
// result answers every query as `compile(next, version)` does; only the
// table layout may differ (runs, rows and profiles left unused stay).
inline std::optional<SnapshotTables> patch_tables(const SnapshotTables& base, const Model& next,
                                                  const ModelEdit& edit, std::uint64_t version) {
  constexpr std::uint32_t kNone = SnapshotBuilder::kNone;
  const std::size_t old_users = base.users_.size();
  if (next.users.size() != old_users + edit.added_users ||
      next.groups.size() != base.group_names_.size() + edit.added_groups ||
      next.roles.size() != base.role_names_.size())
    return std::nullopt;
  for (std::size_t k = 0; k < edit.users.size(); ++k) {
    const std::size_t i = edit.users[k];
    if (i >= old_users) return std::nullopt;
    const User& u = next.users[i];
    const User& was = *edit.users_before[k];
    if (u.id != was.id || base.user_names_.name(static_cast<std::uint32_t>(i)) != u.id) return std::nullopt;
    if (u.projects != was.projects) return std::nullopt;
    if (u.company != was.company) {
      // Only moves between our companies keep the company table as it is.
      for (const std::string* c : {&u.company, &was.company})
        if (!c->empty() && base.company_names_.find(*c, static_cast<std::uint32_t>(kUnknownCompany)) >= base.our_company_count_)
          return std::nullopt;
    }
  }
  for (std::size_t k = 0; k < edit.roles.size(); ++k) {
    const std::size_t r = edit.roles[k];
    if (r >= next.roles.size() || next.roles[r].id != edit.roles_before[k]->id ||
        next.roles[r].type != edit.roles_before[k]->type ||
        base.role_names_.name(static_cast<std::uint32_t>(r)) != next.roles[r].id)
      return std::nullopt;
  }
  for (std::size_t g : edit.groups)
    if (g >= base.group_names_.size() || base.group_names_.name(static_cast<std::uint32_t>(g)) != next.groups[g].id)
      return std::nullopt;

  SnapshotTables out = base;
  out.version_ = version;
  // New names first: the builder's indexes below view the tables' pools.
  for (std::size_t g = base.group_names_.size(); g < next.groups.size(); ++g) out.group_names_.append(next.groups[g].id);
  for (std::size_t i = old_users; i < next.users.size(); ++i) {
    const User& u = next.users[i];
    if (!u.company.empty() && out.company_names_.find(u.company, kNone) == kNone) {
      if (out.company_names_.size() + 1 >= kMaxCompanies) return std::nullopt;
      out.company_names_.append(u.company);
    }
    for (const std::string& p : u.projects)
      if (out.project_names_.find(p, kNone) == kNone) out.project_names_.append(p);
    out.user_names_.append(u.id);
  }
  SnapshotBuilder b(next, out);
  b.index_catalogs();
  for (std::size_t i = 0; i < out.company_names_.size(); ++i)
    b.company_index.emplace(out.company_names_.name(static_cast<std::uint32_t>(i)), static_cast<std::uint32_t>(i));
  for (std::size_t i = 0; i < out.project_names_.size(); ++i)
    b.project_index.emplace(out.project_names_.name(static_cast<std::uint32_t>(i)), static_cast<std::uint32_t>(i));
  b.index_rows();
  if (!edit.roles.empty() && !patch_roles(b, edit)) return std::nullopt;
  b.index_profiles();
  for (std::size_t i : edit.users) {
    const UserRec old = out.users_[i];
    const UserRec rec = b.build_user(next.users[i], &old);
    out.users_[i] = rec;
    out.owners_[i] = make_owner_rec(rec);
    out.user_rights_[i] = out.profiles_[rec.profile].rights_offset;
  }
  if (edit.added_users != 0) {  // the exact size, not a doubled capacity, in the published snapshot
    out.users_.reserve(next.users.size());
    out.owners_.reserve(next.users.size());
    out.user_rights_.reserve(next.users.size());
  }
  for (std::size_t i = old_users; i < next.users.size(); ++i) {
    const UserRec rec = b.build_user(next.users[i], nullptr);
    out.users_.push_back(rec);
    out.owners_.push_back(make_owner_rec(rec));
    out.user_rights_.push_back(out.profiles_[rec.profile].rights_offset);
  }
  // Replaced profiles and rows stay unused until the next compile(): bound them.
  if (out.profiles_.size() > 2 * std::size_t{out.compiled_profiles_} + 64 ||
      out.check_rows_.size() > 2 * std::size_t{out.compiled_rows_} + 64 * b.n_objects)
    return std::nullopt;
  return out;
}

}  // namespace detail

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_DETAIL_SNAPSHOT_PATCH_HPP_
