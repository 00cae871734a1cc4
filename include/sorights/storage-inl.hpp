// -----------------------------------------------------------------------------
// File: storage-inl.hpp
// -----------------------------------------------------------------------------
// Out-of-line definitions for storage.hpp.
#ifndef SORIGHTS_STORAGE_INL_HPP_
#define SORIGHTS_STORAGE_INL_HPP_

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "sorights/storage.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

template <class T>
const T* change_value(const Change& c) {
  return c.after ? std::get_if<T>(&*c.after) : nullptr;
}

// A change's value must be of its kind and, for entities, carry its id.
template <class T>
Result<void> check_change(const Change& c) {
  if (!c.after) return {};
  const T* value = std::get_if<T>(&*c.after);
  if (value == nullptr)
    return Error(ErrorCode::kInvalidArgument,
                 "change of " + std::string(kEntityKindNames[static_cast<std::size_t>(c.kind)]) + " \"" +
                     c.id + "\" carries a value of another kind");
  if constexpr (requires { value->id; })
    if (value->id != c.id)
      return Error(ErrorCode::kInvalidArgument, "change of \"" + c.id + "\" carries the id \"" + value->id + "\"");
  return {};
}

// Applies the changes of one entity kind in O(n + c), with the result of
// applying them one by one: a change with `after` replaces a present entity in
// place and appends an absent one; a change without `after` removes it (so an
// entity removed and added again within one change set ends up last).
// `Seq` is a std::vector or the users' ChunkedVector: reads go through `ro`,
// so that only the elements written copy a shared chunk.
template <class Seq>
void apply_kind(Seq& items, EntityKind kind, const std::vector<Change>& changes) {
  using T = typename Seq::value_type;
  const Seq& ro = items;
  // A few changes (a commit from the Users screen): apply them one by one,
  // each a linear search — no index over the whole collection.
  std::size_t mine = 0;
  for (const Change& c : changes) mine += c.kind == kind;
  if (mine == 0) return;
  if (mine <= 8) {
    for (const Change& c : changes) {
      if (c.kind != kind) continue;
      const std::size_t at = position_by_id(items, c.id);
      if (const T* value = change_value<T>(c)) {
        if (at < items.size()) items[at] = *value;
        else items.push_back(*value);
      } else if (at < items.size()) {
        items.erase(items.cbegin() + static_cast<std::ptrdiff_t>(at));
      }
    }
    return;
  }
  struct Fate {
    bool present;
    bool appended;
    std::size_t order;
    const T* value;
  };
  std::unordered_map<std::string_view, Fate> fate;
  fate.reserve(mine);
  std::unordered_map<std::string_view, std::size_t> index;
  index.reserve(items.size());
  for (std::size_t i = 0; i < ro.size(); ++i) index.emplace(ro[i].id, i);
  std::size_t appends = 0;
  for (const Change& c : changes) {
    if (c.kind != kind) continue;
    Fate& f = fate.try_emplace(c.id, Fate{index.contains(c.id), false, 0, nullptr}).first->second;
    const T* value = change_value<T>(c);
    if (value == nullptr) {
      f.present = false;
    } else if (!f.present) {
      f = Fate{true, true, appends++, value};
    } else {
      f.value = value;
    }
  }
  // Each append has its own place in `appended`; an entity appended, removed
  // and appended again keeps only its last place.
  std::vector<const Fate*> appended(appends, nullptr);
  std::size_t out = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto it = fate.find(ro[i].id);
    if (it == fate.end()) {
      if (out != i) items[out] = std::move(items[i]);
      ++out;
    } else if (it->second.present && !it->second.appended) {
      items[out++] = *it->second.value;
    }
  }
  items.resize(out);
  for (const auto& [id, f] : fate)
    if (f.present && f.appended) appended[f.order] = &f;
  items.reserve(out + appends);
  for (const Fate* f : appended)
    if (f != nullptr) items.push_back(*f->value);
}

template <class T>
void apply_list(std::vector<T>& items, EntityKind kind, const std::vector<Change>& changes) {
  for (const Change& c : changes)
    if (c.kind == kind) {
      const auto* value = change_value<std::vector<T>>(c);
      items = value ? *value : std::vector<T>{};
    }
}

inline bool touches_user(const Change& c, std::string_view user) {
  return c.kind == EntityKind::kUser && c.id == user;
}

inline bool touches_role(const Change& c, std::string_view role) {
  if (c.kind == EntityKind::kRole) return c.id == role;
  if (c.kind != EntityKind::kUser) return false;
  auto role_of = [](const SharedEntity& e) -> std::string_view {
    if (!e) return {};
    const User* u = std::get_if<User>(&*e);
    return u ? std::string_view(u->role) : std::string_view();
  };
  return role_of(c.before) == role || role_of(c.after) == role;
}

}  // namespace detail

SORIGHTS_INLINE Result<void> detail::check_changes(const std::vector<Change>& changes) {
  for (const Change& c : changes) {
    Result<void> r;
    switch (c.kind) {
      case EntityKind::kOurCompany: r = detail::check_change<OurCompany>(c); break;
      case EntityKind::kGroup: r = detail::check_change<Group>(c); break;
      case EntityKind::kLicence: r = detail::check_change<Licence>(c); break;
      case EntityKind::kPlan: r = detail::check_change<Plan>(c); break;
      case EntityKind::kFunctionalRight: r = detail::check_change<FunctionalRightDef>(c); break;
      case EntityKind::kObject: r = detail::check_change<DataObjectDef>(c); break;
      case EntityKind::kRole: r = detail::check_change<Role>(c); break;
      case EntityKind::kUser: r = detail::check_change<User>(c); break;
      case EntityKind::kFieldRights: r = detail::check_change<std::vector<FieldRightRule>>(c); break;
      case EntityKind::kOverrides: r = detail::check_change<std::vector<Override>>(c); break;
    }
    if (!r) return r;
  }
  return {};
}

SORIGHTS_INLINE Result<void> apply_changes(Model& model, const std::vector<Change>& changes) {
  // Check every change first, so that applying cannot fail half-way.
  SORIGHTS_TRY(detail::check_changes(changes));
  detail::apply_kind(model.our_companies, EntityKind::kOurCompany, changes);
  detail::apply_kind(model.groups, EntityKind::kGroup, changes);
  detail::apply_kind(model.licences, EntityKind::kLicence, changes);
  detail::apply_kind(model.plans, EntityKind::kPlan, changes);
  detail::apply_kind(model.functional_rights, EntityKind::kFunctionalRight, changes);
  detail::apply_kind(model.objects, EntityKind::kObject, changes);
  detail::apply_kind(model.roles, EntityKind::kRole, changes);
  detail::apply_kind(model.users, EntityKind::kUser, changes);
  detail::apply_list(model.field_rights, EntityKind::kFieldRights, changes);
  detail::apply_list(model.overrides, EntityKind::kOverrides, changes);
  return {};
}

SORIGHTS_INLINE bool audit_matches(const AuditEntry& e, const AuditQuery& q) {
  if (e.time < q.from || e.time > q.to) return false;
  if (e.refused && !q.include_refused) return false;
  if (!q.user.empty() && e.actor != q.user &&
      std::none_of(e.changes.begin(), e.changes.end(),
                   [&](const Change& c) { return detail::touches_user(c, q.user); }))
    return false;
  if (!q.role.empty() && std::none_of(e.changes.begin(), e.changes.end(), [&](const Change& c) {
        return detail::touches_role(c, q.role);
      }))
    return false;
  return true;
}

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_STORAGE_INL_HPP_
