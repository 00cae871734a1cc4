// -----------------------------------------------------------------------------
// File: detail/snapshot_builder.hpp
// -----------------------------------------------------------------------------
// The table builder (`detail::SnapshotBuilder`, a friend of `Snapshot`)
// behind compile() and the directory's incremental commit. No API promise.
// Everything here but `build`, `patch` and `patch_users` (snapshot-inl.hpp, where
// `Snapshot` is complete) is defined in its class (implicitly inline), so
// tests may include it in both build modes. docs/design/0004-incremental-commit.md;
// the patch itself is in detail/snapshot_patch.hpp.
#ifndef SORIGHTS_DETAIL_SNAPSHOT_BUILDER_HPP_
#define SORIGHTS_DETAIL_SNAPSHOT_BUILDER_HPP_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sorights/config.hpp"
#include "sorights/detail/flat_index.hpp"
#include "sorights/detail/model_edit.hpp"
#include "sorights/detail/snapshot_layout.hpp"
#include "sorights/detail/validator.hpp"
#include "sorights/error.hpp"
#include "sorights/functional_right.hpp"
#include "sorights/ids.hpp"
#include "sorights/model.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE

class Snapshot;

namespace detail {

inline std::uint8_t builtin_traits(std::size_t object) {
  switch (static_cast<BuiltinObject>(object)) {
    case BuiltinObject::kCompany: return kTraitEmptyOwnerIsUser | kTraitCompany;
    case BuiltinObject::kPerson: return kTraitEmptyOwnerIsUser | kTraitPerson;
    case BuiltinObject::kProject: return kTraitEmptyOwnerIsUser;
    case BuiltinObject::kRelation: return kTraitEmptyOwnerIsUser;
    case BuiltinObject::kFollowUp: return kTraitVisibility | kTraitVisibilityFiltering;
    case BuiltinObject::kDocument: return kTraitVisibility;
    case BuiltinObject::kSale: return kTraitVisibility | kTraitCompletedLocked;
    case BuiltinObject::kSelection: return kTraitVisibility | kTraitSelection;
    case BuiltinObject::kDashboard: return kTraitVisibility;
    default: return 0;
  }
}

// The publish right that gates each object for external users.
inline std::size_t publish_right(std::size_t object) {
  switch (static_cast<BuiltinObject>(object)) {
    case BuiltinObject::kProject: return builtin_right::kExtPublishProject;
    case BuiltinObject::kFollowUp: return builtin_right::kExtPublishAppointment;
    case BuiltinObject::kDocument: return builtin_right::kExtPublishDocument;
    case BuiltinObject::kSale: return builtin_right::kExtPublishSale;
    default: return static_cast<std::size_t>(-1);
  }
}

template <class T>
void append_bytes(std::string& key, const T& value) {
  key.append(reinterpret_cast<const char*>(&value), sizeof(T));
}


// Builds a snapshot's tables: `compile` runs it over a whole model; the
// directory's incremental commit runs it over a few edited users of a copy of
// the previous snapshot (`patch`). Both paths derive a user's row and
// profile with the same code (`build_user`), so they cannot drift apart.
struct SnapshotBuilder {
  using SvIndex = FlatIndex;
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;

  SnapshotBuilder(const Model& model, SnapshotTables& tables) : m(model), s(tables) {}

  // Compiles a valid model (compile() validated it). Defined in
  // snapshot-inl.hpp over `compile_tables`.
  SORIGHTS_API static Result<Snapshot> build(const Model& model, std::uint64_t version);

  // detail::patch_tables (detail/snapshot_patch.hpp) on `base`'s tables
  // (snapshot-inl.hpp).
  SORIGHTS_API static std::optional<Snapshot> patch(const Snapshot& base, const Model& next, const ModelEdit& edit,
                                                    std::uint64_t version);
  // patch() for users edited in place.
  SORIGHTS_API static std::optional<Snapshot> patch_users(const Snapshot& base, const Model& next,
                                                          const std::vector<std::size_t>& positions,
                                                          const std::vector<const User*>& before,
                                                          std::uint64_t version);

  static Result<SnapshotTables> compile_tables(const Model& model, std::uint64_t version) {
    SnapshotTables out;
    SnapshotBuilder b(model, out);
    SORIGHTS_TRY(b.build_tables(version));
    b.index_catalogs();
    b.build_users();
    return out;
  }

  // -- The tables that depend on the catalogs (everything but users) ---------

  Result<void> build_tables(std::uint64_t version) {
    s.version_ = version;
    for (std::size_t i = 0; i < kBuiltinObjectNames.size(); ++i) {
      s.object_names_.add(kBuiltinObjectNames[i]);
      s.object_traits_.push_back(builtin_traits(i));
    }
    for (const DataObjectDef& o : m.objects) {
      s.object_names_.add(o.id);
      s.object_traits_.push_back(static_cast<std::uint8_t>(
          (o.empty_owner_is_user ? kTraitEmptyOwnerIsUser : 0) | (o.has_visibility ? kTraitVisibility : 0) |
          (o.completed_is_locked ? kTraitCompletedLocked : 0)));
    }
    if (s.object_names_.size() >= static_cast<std::size_t>(kUnknownObject))
      return Error(ErrorCode::kInvalidArgument, "too many data objects");
    s.object_names_.seal();
    s.object_count_ = static_cast<std::uint32_t>(s.object_names_.size());
    n_objects = s.object_count_;

    for (std::size_t i = 0; i < kBuiltinRightCount; ++i) s.right_names_.add(builtin_right_id(i));
    for (const FunctionalRightDef& r : m.functional_rights) s.right_names_.add(r.id);
    s.right_names_.seal();
    s.right_count_ = static_cast<std::uint32_t>(s.right_names_.size());
    s.right_words_per_profile_ = (s.right_count_ + 63) / 64;

    // Companies: ours first, then every other company a user names.
    for (const OurCompany& c : m.our_companies) {
      if (c.database_owner) s.database_owner_ = static_cast<std::uint32_t>(s.company_names_.size());
      s.company_names_.add(c.id);
    }
    s.our_company_count_ = static_cast<std::uint32_t>(s.company_names_.size());
    for (std::uint32_t i = 0; i < m.our_companies.size(); ++i) company_index.emplace(m.our_companies[i].id, i);
    user_company.reserve(m.users.size());
    for (const User& u : m.users) {
      if (u.company.empty()) {
        user_company.push_back(static_cast<std::uint32_t>(kNoCompany));
        continue;
      }
      const auto [ci, fresh] = company_index.emplace(u.company, static_cast<std::uint32_t>(s.company_names_.size()));
      user_company.push_back(ci);
      if (fresh) s.company_names_.add(u.company);
      }
    if (s.company_names_.size() >= kMaxCompanies)
      return Error(ErrorCode::kInvalidArgument, "too many companies (a snapshot holds at most " +
                                                    std::to_string(kMaxCompanies - 1) + ")");
    s.company_names_.seal();

    for (const Group& g : m.groups) s.group_names_.add(g.id);
    s.group_names_.seal();

    SvIndex objects;
    for (std::uint32_t i = 0; i < n_objects; ++i) objects.emplace(s.object_names_.name(i), i);
    s.role_cells_.assign(m.roles.size() * n_objects * kRelationCount, 0);
    for (const Role& r : m.roles) {
      const std::uint32_t ri = s.role_names_.add(r.id);
      for (const auto& [object, cells] : r.data_rights) {
        const std::uint32_t oi = objects.at(object);
        for (int rel = 0; rel < kRelationCount; ++rel)
          s.role_cells_[(ri * n_objects + oi) * kRelationCount + static_cast<std::size_t>(rel)] =
              static_cast<std::uint8_t>(cells[static_cast<std::size_t>(rel)].bits() & TableRights::kCrudBits);
      }
    }
    s.role_names_.seal();
    for (const User& u : m.users)
      for (const std::string& p : u.projects) {
        if (project_index.emplace(p, static_cast<std::uint32_t>(s.project_names_.size())).second)
          s.project_names_.add(p);
      }
    s.project_names_.seal();
    SvIndex fields;
    fields.emplace("name", s.field_names_.add("name"));
    for (const FieldRightRule& f : m.field_rights)
      if (!fields.contains(f.field)) fields.emplace(f.field, s.field_names_.add(f.field));
    for (const Override& o : m.overrides)
      if (!o.field.empty() && !fields.contains(o.field)) fields.emplace(o.field, s.field_names_.add(o.field));
    s.field_names_.seal();
    s.name_field_ = fields.at("name");

    SvIndex roles;
    for (std::uint32_t i = 0; i < m.roles.size(); ++i) roles.emplace(m.roles[i].id, i);
    for (const FieldRightRule& f : m.field_rights) {
      const auto rule_bits = static_cast<std::uint8_t>(f.rights.access().bits() | (f.ui_mandatory ? 64u : 0u) |
                                                       (f.ui_read_only ? 128u : 0u));
      s.field_rules_.push_back(FieldRule{roles.at(f.role), static_cast<std::uint16_t>(objects.at(f.object)),
                                         fields.at(f.field), static_cast<std::uint8_t>(f.relation), rule_bits});
    }
    std::sort(s.field_rules_.begin(), s.field_rules_.end(), [](const FieldRule& a, const FieldRule& b) {
      return std::tie(a.role, a.object, a.field, a.relation) < std::tie(b.role, b.object, b.field, b.relation);
    });
    return {};
  }

  // -- Lookups by id over the catalogs, from the snapshot's name tables -------

  void index_catalogs() {
    n_objects = s.object_count_;
    words = s.right_words_per_profile_;
    auto fill = [](SvIndex& map, const NameTable& t) {
      map.reserve(t.size());
      for (std::uint32_t i = 0; i < t.size(); ++i) map.emplace(t.name(i), i);
    };
    fill(group_index, s.group_names_);
    fill(object_index, s.object_names_);
    fill(right_index, s.right_names_);
    fill(field_index, s.field_names_);
    for (std::uint32_t i = 0; i < m.roles.size(); ++i) role_index.emplace(m.roles[i].id, i);
    system_role = role_index.contains("system") ? role_index.at("system") : 0;
    for (std::uint32_t i = 0; i < m.roles.size(); ++i)
      if (m.roles[i].type == RoleType::kAnonymous) anonymous_role = i;

    // Licences by index; the site licences are held by everyone.
    for (std::uint32_t i = 0; i < m.licences.size(); ++i) licence_index.emplace(m.licences[i].id, i);
    site.assign(m.licences.size(), 0);
    for (std::uint32_t i = 0; i < m.licences.size(); ++i)
      if (m.licences[i].kind == LicenceKind::kSite) site[i] = 1;
    held.assign(m.licences.size(), 0);
    for (std::uint32_t i = 0; i < m.plans.size(); ++i) {
      plan_index.emplace(m.plans[i].id, i);
      std::vector<std::uint32_t> ls;
      for (const std::string& l : m.plans[i].licences)
        if (const std::uint32_t li = licence_index.find(l); li != FlatIndex::kMiss) ls.push_back(li);
      plan_licences.push_back(std::move(ls));
    }
    right_licence.assign(s.right_count_, kNone);
    for (std::size_t i = 0; i < m.functional_rights.size(); ++i)
      if (const std::string& l = m.functional_rights[i].requires_licence; !l.empty())
        if (const std::uint32_t li = licence_index.find(l); li != FlatIndex::kMiss)
          right_licence[kBuiltinRightCount + i] = li;
    // Restrictive rights (docs/rules.md §16): the system user holds all but these.
    right_restrictive.assign(s.right_count_, 0);
    for (std::size_t i = 0; i < kBuiltinRightCount; ++i) right_restrictive[i] = builtin_right_restrictive(i) ? 1 : 0;
    for (std::size_t i = 0; i < m.functional_rights.size(); ++i)
      right_restrictive[kBuiltinRightCount + i] = m.functional_rights[i].restrictive ? 1 : 0;
    for (std::uint32_t i = 0; i < m.licences.size(); ++i) {
      const Licence& l = m.licences[i];
      if (l.kind != LicenceKind::kUser || l.cal_for.empty()) continue;
      std::vector<std::uint32_t> objs;
      for (const std::string& o : l.cal_for) objs.push_back(object_index.at(o));
      cal.emplace_back(i, std::move(objs));
    }
    role_rights.resize(m.roles.size());
    for (std::size_t r = 0; r < m.roles.size(); ++r)
      for (const std::string& f : m.roles[r].functional_rights) role_rights[r].push_back(right_index.at(f));

    // Overrides indexed by level target.
    for (const Override& o : m.overrides) {
      if (o.level == OverrideLevel::kSystem) system_ovr.push_back(&o);
      else if (o.level == OverrideLevel::kGroup) group_ovr[o.target].push_back(&o);
      else user_ovr[o.target].push_back(&o);
    }
    group_ovr_at.assign(group_ovr.empty() ? 0 : s.group_names_.size(), {});
    for (const auto& [target, list] : group_ovr)
      if (const std::uint32_t g = group_index.find(target); g != FlatIndex::kMiss) group_ovr_at[g] = list;
    // What the system-level overrides alone resolve to: the profile of every
    // user without group or user overrides starts from it.
    sys_infos.assign(n_objects, ObjectInfo{0, 0, 0, 0});
    resolve(system_ovr, sys_infos, sys_rec, sys_fld);
    bits.assign(words, 0);
    infos.assign(n_objects, ObjectInfo{0, 0, 0, 0});
  }

  // -- Users -------------------------------------------------------------------

  void build_users() {
    std::size_t name_chars = 0;
    for (const User& u : m.users) name_chars += u.id.size();
    s.user_names_.reserve(m.users.size(), name_chars);
    s.users_.reserve(m.users.size());
    for (std::size_t i = 0; i < m.users.size(); ++i) {
      if (i + 8 < m.users.size()) {  // the group probes of a user 8 ahead: their misses overlap
        const User& ahead = m.users[i + 8];
        group_index.prefetch(ahead.group);
        if (!ahead.other_groups.empty()) group_index.prefetch(ahead.other_groups.front());
      }
      s.users_.push_back(build_user(m.users[i], nullptr, user_company[i]));
      s.user_names_.add(m.users[i].id);
    }
    s.user_names_.seal();
    shrink_to_fit(s.users_);
    s.owners_.reserve(s.users_.size());
    for (const UserRec& rec : s.users_) s.owners_.push_back(make_owner_rec(rec));
    s.user_rights_.reserve(s.users_.size());
    for (const UserRec& rec : s.users_) s.user_rights_.push_back(s.profiles_[rec.profile].rights_offset);
    shrink_to_fit(s.group_pool_);
    shrink_to_fit(s.project_pool_);
    shrink_to_fit(s.profiles_);
    shrink_to_fit(s.object_info_);
    shrink_to_fit(s.right_words_);
    shrink_to_fit(s.check_rows_);
    shrink_to_fit(s.record_overrides_);
    shrink_to_fit(s.field_overrides_);
    shrink_to_fit(s.object_traits_);
    s.compiled_profiles_ = static_cast<std::uint32_t>(s.profiles_.size());
    s.compiled_rows_ = static_cast<std::uint32_t>(s.check_rows_.size());
  }

  // Writes `run` into the pool: over the old run when it fits (patching),
  // else at the end. Returns the run's start. Empty runs all start at 0.
  static std::uint32_t place_run(std::vector<std::uint32_t>& pool, const std::vector<std::uint32_t>& run,
                                 const std::uint32_t* old_begin, std::uint32_t old_count) {
    if (run.empty()) return 0;
    if (old_begin != nullptr && run.size() <= old_count) {
      std::copy(run.begin(), run.end(), pool.begin() + *old_begin);
      return *old_begin;
    }
    const auto begin = static_cast<std::uint32_t>(pool.size());
    pool.insert(pool.end(), run.begin(), run.end());
    return begin;
  }

  // Sorts `run` and drops repeated entries.
  static void sort_unique(std::vector<std::uint32_t>& run) {
    if (run.size() > 1) {
      std::sort(run.begin(), run.end());
      run.erase(std::unique(run.begin(), run.end()), run.end());
    }
  }

  // A user's row and profile. `company`: the user's company index when the
  // caller knows it, else kNone. `old`: the row being replaced (its runs are
  // reused when they fit).
  UserRec build_user(const User& u, const UserRec* old, std::uint32_t company = kNone) {
    UserRec rec = user_row(u, old, company);
    const std::uint32_t role = user_role(u);
    hold_licences(u);
    const std::uint8_t flags = profile_rights(u, rec, role);
    profile_objects(u, rec);
    rec.profile = intern_profile(role, flags);
    return rec;
  }

  // The row's facts and its runs of other groups and projects.
  UserRec user_row(const User& u, const UserRec* old, std::uint32_t company) {
    UserRec rec{};
    rec.type = static_cast<std::uint8_t>(u.type);
    rec.primary_group = u.group.empty() ? static_cast<std::uint32_t>(kNoGroup) : group_index.at(u.group);
    rec.company = company != kNone ? company
                  : u.company.empty() ? static_cast<std::uint32_t>(kNoCompany)
                                      : company_index.at(u.company);
    rec.in_our_companies = u.type == UserType::kAssociate && rec.company < s.our_company_count_;
    rec.inactive = static_cast<std::uint8_t>(
        u.retired ? InactiveReason::kRetired
        : u.former_employee ? InactiveReason::kFormerEmployee
        : u.type == UserType::kResource ? InactiveReason::kResource
        : !u.can_log_in ? InactiveReason::kLoginOff
                        : InactiveReason::kNone);
    other.clear();
    for (const std::string& g : u.other_groups) {
      const std::uint32_t gi = group_index.at(g);
      if (gi != rec.primary_group) other.push_back(gi);
    }
    sort_unique(other);
    projects.clear();
    for (const std::string& p : u.projects) projects.push_back(project_index.at(p));
    sort_unique(projects);
    // Indexes are 32-bit and the runs hold each index once: the counts fit.
    if (other.size() <= kInlineGroups && projects.empty()) {
      rec.groups_inline = static_cast<std::uint8_t>(other.size());
      std::copy(other.begin(), other.end(), rec.slots);
      return rec;
    }
    rec.groups_inline = kGroupsSpilled;
    const bool reuse = old != nullptr && old->spilled();
    rec.slots[0] = place_run(s.group_pool_, other, reuse ? &old->slots[0] : nullptr, reuse ? old->slots[1] : 0);
    rec.slots[1] = static_cast<std::uint32_t>(other.size());
    rec.slots[2] = place_run(s.project_pool_, projects, reuse ? &old->slots[2] : nullptr, reuse ? old->slots[3] : 0);
    rec.slots[3] = static_cast<std::uint32_t>(projects.size());
    return rec;
  }

  // The user's role: named, else the anonymous role for an anonymous user,
  // else the system role.
  std::uint32_t user_role(const User& u) const {
    std::uint32_t role = system_role;
    if (!u.role.empty()) {
      if (const std::uint32_t r = role_index.find(u.role); r != FlatIndex::kMiss) role = r;
    } else if (u.type == UserType::kAnonymous && anonymous_role != kNone) {
      role = anonymous_role;
    }
    return role;
  }

  // `held`: the licences the user holds (site licences, their own, their plan's).
  void hold_licences(const User& u) {
    std::copy(site.begin(), site.end(), held.begin());
    for (const std::string& l : u.licences)
      if (const std::uint32_t li = licence_index.find(l); li != FlatIndex::kMiss) held[li] = 1;
    if (!u.plan.empty())
      if (const std::uint32_t pi = plan_index.find(u.plan); pi != FlatIndex::kMiss)
        for (std::uint32_t l : plan_licences[pi]) held[l] = 1;
  }

  bool holds(std::size_t right) const { return (bits[right >> 6] >> (right & 63u)) & 1u; }

  // `bits`: the functional rights of the profile; returns its flags.
  std::uint8_t profile_rights(const User& u, const UserRec& rec, std::uint32_t role) {
    const bool active = rec.inactive == static_cast<std::uint8_t>(InactiveReason::kNone);
    const bool system = u.type == UserType::kSystem;
    std::fill(bits.begin(), bits.end(), 0);
    std::uint8_t flags = 0;
    if (u.type != UserType::kExternal && u.type != UserType::kAnonymous) flags |= kProfileEmployeeRelations;
    if (active) {
      flags |= kProfileActive;
      if (system) {
        flags |= kProfileSystem;
        for (std::uint32_t i = 0; i < s.right_count_; ++i)
          if (!right_restrictive[i]) bits[i >> 6] |= 1ull << (i & 63u);
      } else if (!m.roles.empty()) {
        for (const std::uint32_t ri : role_rights[role]) {
          if (right_licence[ri] != kNone && !held[right_licence[ri]]) continue;
          bits[ri >> 6] |= 1ull << (ri & 63u);
        }
      }
    }
    return static_cast<std::uint8_t>(flags | rights_flags());
  }

  // The profile flags that follow from `bits` alone.
  static constexpr std::uint8_t kRightsFlags =
      kProfileSeeOtherCompanies | kProfileExtMyCompany | kProfileExtSameProject | kProfileSelectionAdmin;
  std::uint8_t rights_flags() const {
    std::uint8_t flags = 0;
    if (holds(builtin_right::kSeeOtherCompanies)) flags |= kProfileSeeOtherCompanies;
    if (holds(builtin_right::kExtMyCompany)) flags |= kProfileExtMyCompany;
    if (holds(builtin_right::kExtSameProject)) flags |= kProfileExtSameProject;
    if (holds(builtin_right::kAdminAll) || holds(builtin_right::kAdminUsers)) flags |= kProfileSelectionAdmin;
    return flags;
  }

  // `infos`, `rec_ovr`, `fld_ovr`: the per-object flags and the overrides of
  // the profile. Per (object, scope, record, field) the most specific level wins.
  void profile_objects(const User& u, const UserRec& rec) {
    applicable.clear();
    if (!group_ovr.empty()) {
      // The user's groups, each once: the primary one and `other` (sorted,
      // without the primary group).
      auto add_group = [&](std::uint32_t g) {
        if (g < group_ovr_at.size())
          applicable.insert(applicable.end(), group_ovr_at[g].begin(), group_ovr_at[g].end());
      };
      add_group(rec.primary_group);
      for (std::uint32_t g : other) add_group(g);
    }
    if (!user_ovr.empty())
      if (auto it = user_ovr.find(u.id); it != user_ovr.end())
        applicable.insert(applicable.end(), it->second.begin(), it->second.end());
    if (applicable.empty()) {
      infos = sys_infos;
      rec_ovr = sys_rec;
      fld_ovr = sys_fld;
    } else {
      applicable.insert(applicable.begin(), system_ovr.begin(), system_ovr.end());
      std::fill(infos.begin(), infos.end(), ObjectInfo{0, 0, 0, 0});
      resolve(applicable, infos, rec_ovr, fld_ovr);
    }
    for (const auto& [lic, objs] : cal)
      if (!held[lic])
        for (std::uint32_t o : objs) infos[o].flags |= kObjCalLimited;
    if (u.type == UserType::kExternal)
      for (std::size_t o = 0; o < kBuiltinObjectCount; ++o)
        if (std::size_t pr = publish_right(o); pr != static_cast<std::size_t>(-1) && holds(pr))
          infos[o].flags |= kObjNeedPublish;

  }

  // The index of the profile made of `role`, `flags` and the scratch tables,
  // appended to the snapshot when new.
  std::uint32_t intern_profile(std::uint32_t role, std::uint8_t flags) {
    make_key(key, role, flags, bits.data(), infos.data(), rec_ovr.data(), rec_ovr.size(), fld_ovr.data(),
             fld_ovr.size());
    auto it = profile_index.find(key);
    if (it == profile_index.end()) {
      Profile p{};
      p.role = role;
      p.flags = flags;
      p.rights_offset = static_cast<std::uint32_t>(s.right_words_.size());
      s.right_words_.insert(s.right_words_.end(), bits.begin(), bits.end());
      p.objects_offset = static_cast<std::uint32_t>(s.object_info_.size());
      s.object_info_.insert(s.object_info_.end(), infos.begin(), infos.end());
      p.rows_offset = append_check_rows(role, flags);
      p.record_ovr_begin = static_cast<std::uint32_t>(s.record_overrides_.size());
      p.record_ovr_count = static_cast<std::uint32_t>(rec_ovr.size());
      s.record_overrides_.insert(s.record_overrides_.end(), rec_ovr.begin(), rec_ovr.end());
      p.field_ovr_begin = static_cast<std::uint32_t>(s.field_overrides_.size());
      p.field_ovr_count = static_cast<std::uint32_t>(fld_ovr.size());
      s.field_overrides_.insert(s.field_overrides_.end(), fld_ovr.begin(), fld_ovr.end());
      it = profile_index.emplace(key, static_cast<std::uint32_t>(s.profiles_.size())).first;
      s.profiles_.push_back(p);
    }
    return it->second;
  }

  // The fast path's rows of the profile being created from `infos` and
  // `rec_ovr` (see CheckRow), one per object; the offset of an equal block
  // already in the snapshot, else of the block appended.
  std::uint32_t append_check_rows(std::uint32_t role, std::uint8_t flags) {
    constexpr std::uint8_t kU = 2, kD = 8;
    rows.clear();
    for (std::size_t o = 0; o < n_objects; ++o) {
      const ObjectInfo& info = infos[o];
      const std::uint8_t traits = s.object_traits_[o];
      CheckRow row{};
      const std::uint8_t cap = (info.flags & kObjCalLimited) ? 1 : 0xFF;
      const std::size_t at = (static_cast<std::size_t>(role) * n_objects + o) * kRelationCount;
      if (at + kRelationCount <= s.role_cells_.size())  // no roles at all: nothing to read
        for (std::size_t rel = 0; rel < kRelationCount; ++rel)
          row.cells[rel] = static_cast<std::uint8_t>(s.role_cells_[at + rel] & cap);
      if (traits & kTraitEmptyOwnerIsUser) row.flags |= kRowEmptyOwnerIsUser;
      if (traits & kTraitVisibility) row.flags |= kRowVisibility;
      if (traits & kTraitVisibilityFiltering) row.flags |= kRowVisibilityFiltering;
      if (traits & kTraitCompany) row.flags |= kRowCompany;
      if (info.flags & kObjNeedPublish) row.flags |= kRowNeedPublish;
      for (const RecordOverride& r : rec_ovr)
        if (r.object == o) row.flags |= kRowRecordOverrides;
      row.remove_new = static_cast<std::uint8_t>(info.remove_new & TableRights::kCrudBits);
      row.remove_existing = static_cast<std::uint8_t>(info.remove_existing & TableRights::kCrudBits);
      row.lock_completed = (traits & kTraitCompletedLocked) ? kU | kD : 0;
      row.lock_person = (traits & kTraitPerson) ? kD : 0;
      row.lock_selection = ((traits & kTraitSelection) && !(flags & kProfileSelectionAdmin)) ? kU | kD : 0;
      rows.push_back(row);
    }
    const auto offset = static_cast<std::uint32_t>(s.check_rows_.size());
    const auto [it, added] = row_index.emplace(row_key(rows.data()), offset);
    if (added) s.check_rows_.insert(s.check_rows_.end(), rows.begin(), rows.end());
    return it->second;
  }

  std::string row_key(const CheckRow* block) const {
    return std::string(reinterpret_cast<const char*>(block), n_objects * sizeof(CheckRow));
  }

  // The identity of a profile's content (two users with equal keys share it).
  void make_key(std::string& k, std::uint32_t role, std::uint8_t flags, const std::uint64_t* w,
                const ObjectInfo* inf, const RecordOverride* ro, std::size_t nro, const FieldOverride* fo,
                std::size_t nfo) const {
    k.clear();
    append_bytes(k, role);
    append_bytes(k, flags);
    k.append(reinterpret_cast<const char*>(w), words * sizeof(std::uint64_t));
    k.append(reinterpret_cast<const char*>(inf), n_objects * sizeof(ObjectInfo));
    for (std::size_t i = 0; i < nro; ++i) {
      append_bytes(k, ro[i].object);
      append_bytes(k, ro[i].key);
      append_bytes(k, ro[i].remove);
    }
    k += '|';
    for (std::size_t i = 0; i < nfo; ++i) {
      append_bytes(k, fo[i].object);
      append_bytes(k, fo[i].field);
      append_bytes(k, fo[i].scope);
      append_bytes(k, fo[i].key);
      append_bytes(k, fo[i].remove);
    }
  }

  // The row blocks already in the snapshot, used or not (patching): a block
  // is `n_objects` rows, appended whole.
  void index_rows() {
    if (n_objects == 0) return;
    for (std::size_t at = 0; at + n_objects <= s.check_rows_.size(); at += n_objects)
      row_index.emplace(row_key(s.check_rows_.data() + at), static_cast<std::uint32_t>(at));
  }

  // The keys of the profiles already in the snapshot (patching).
  void index_profiles() {
    std::string k;
    for (std::uint32_t p = 0; p < s.profiles_.size(); ++p) {
      const Profile& pr = s.profiles_[p];
      make_key(k, pr.role, pr.flags, s.right_words_.data() + pr.rights_offset,
               s.object_info_.data() + pr.objects_offset, s.record_overrides_.data() + pr.record_ovr_begin,
               pr.record_ovr_count, s.field_overrides_.data() + pr.field_ovr_begin, pr.field_ovr_count);
      profile_index.emplace(k, p);
    }
  }

  // Resolves `ovr` (in level order) into removals on `inf`, record and field
  // overrides: per (object, scope, record, field) the most specific level
  // present wins; removals of one level add up.
  void resolve(const std::vector<const Override*>& ovr, std::vector<ObjectInfo>& inf,
               std::vector<RecordOverride>& ro, std::vector<FieldOverride>& fo) const {
    ro.clear();
    fo.clear();
    using OvrKey = std::tuple<std::string_view, int, std::string_view, std::string_view>;
    std::map<OvrKey, std::pair<int, std::uint8_t>> resolved;  // level, removal
    for (const Override* o : ovr) {
      // Both arms are views: a `std::string` arm would make the key view a
      // temporary that dies at the end of this statement.
      OvrKey k{o->object, static_cast<int>(o->scope),
               o->scope == OverrideScope::kRecord ? std::string_view(o->record) : std::string_view(), o->field};
      const int level = static_cast<int>(o->level);
      auto it = resolved.find(k);
      if (it == resolved.end() || it->second.first < level) resolved[k] = {level, o->remove};
      else if (it->second.first == level) it->second.second |= o->remove;
    }
    for (const auto& [k, v] : resolved) {
      const auto& [object, scope, record, field] = k;
      const std::uint32_t oi = object_index.at(object);
      const std::uint8_t remove = v.second;
      const auto sc = static_cast<OverrideScope>(scope);
      if (field.empty()) {
        if (sc == OverrideScope::kAll || sc == OverrideScope::kNew) inf[oi].remove_new |= remove;
        if (sc == OverrideScope::kAll || sc == OverrideScope::kExisting) inf[oi].remove_existing |= remove;
        if (sc == OverrideScope::kRecord && remove != 0)
          ro.push_back(RecordOverride{static_cast<std::uint16_t>(oi), record_key(record), remove});
      } else if (remove != 0) {
        fo.push_back(FieldOverride{static_cast<std::uint16_t>(oi), field_index.at(field),
                                   static_cast<std::uint8_t>(scope),
                                   sc == OverrideScope::kRecord ? record_key(record) : 0, remove});
      }
    }
    std::sort(ro.begin(), ro.end(), [](const RecordOverride& a, const RecordOverride& b) {
      return a.object != b.object ? a.object < b.object : a.key < b.key;
    });
    // Two record ids that map to one key: merge their removals.
    std::vector<RecordOverride> merged;
    for (const RecordOverride& r : ro) {
      if (!merged.empty() && merged.back().object == r.object && merged.back().key == r.key)
        merged.back().remove |= r.remove;
      else
        merged.push_back(r);
    }
    ro.swap(merged);
  }

  const Model& m;
  SnapshotTables& s;

  std::size_t n_objects = 0;
  std::uint32_t words = 0;
  SvIndex company_index, group_index, project_index, object_index, right_index, field_index, role_index,
      licence_index, plan_index;
  std::uint32_t system_role = 0;
  std::uint32_t anonymous_role = kNone;
  std::vector<std::uint32_t> user_company;                   // compile: per user
  std::vector<std::uint8_t> site, held;                      // per licence
  std::vector<std::vector<std::uint32_t>> plan_licences;     // per plan
  std::vector<std::uint32_t> right_licence;                  // per right: licence or kNone
  std::vector<std::uint8_t> right_restrictive;               // per right: 1 if restrictive
  std::vector<std::pair<std::uint32_t, std::vector<std::uint32_t>>> cal;  // licence, its objects
  std::vector<std::vector<std::uint32_t>> role_rights;       // per role: right indexes
  std::vector<const Override*> system_ovr;
  std::unordered_map<std::string_view, std::vector<const Override*>> group_ovr, user_ovr;
  std::vector<std::vector<const Override*>> group_ovr_at;  // group_ovr by group index
  std::vector<ObjectInfo> sys_infos;
  std::vector<RecordOverride> sys_rec;
  std::vector<FieldOverride> sys_fld;
  std::unordered_map<std::string, std::uint32_t> profile_index;
  std::unordered_map<std::string, std::uint32_t> row_index;  // a row block's bytes → its offset
  std::vector<CheckRow> rows;
  // Per-user scratch, reused.
  std::string key;
  std::vector<std::uint64_t> bits;
  std::vector<ObjectInfo> infos;
  std::vector<RecordOverride> rec_ovr;
  std::vector<FieldOverride> fld_ovr;
  std::vector<std::uint32_t> other, projects;
  std::vector<const Override*> applicable;
};

}  // namespace detail

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_DETAIL_SNAPSHOT_BUILDER_HPP_
