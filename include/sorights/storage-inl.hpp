// -----------------------------------------------------------------------------
// File: storage-inl.hpp
// -----------------------------------------------------------------------------
// Out-of-line definitions for storage.hpp.
#ifndef SORIGHTS_STORAGE_INL_HPP_
#define SORIGHTS_STORAGE_INL_HPP_

#include <algorithm>

#include "sorights/storage.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

template <class T>
Result<void> upsert_or_erase(std::vector<T>& items, const Change& c) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& t) { return t.id == c.id; });
  if (!c.after) {
    if (it != items.end()) items.erase(it);
    return {};
  }
  const T* value = std::get_if<T>(&*c.after);
  if (value == nullptr)
    return Error(ErrorCode::kInvalidArgument,
                 "change of " + std::string(kEntityKindNames[static_cast<std::size_t>(c.kind)]) + " \"" +
                     c.id + "\" carries a value of another kind");
  if (value->id != c.id)
    return Error(ErrorCode::kInvalidArgument, "change of \"" + c.id + "\" carries the id \"" + value->id + "\"");
  if (it != items.end()) *it = *value;
  else items.push_back(*value);
  return {};
}

template <class T>
Result<void> replace_list(std::vector<T>& items, const Change& c) {
  if (!c.after) {
    items.clear();
    return {};
  }
  const auto* value = std::get_if<std::vector<T>>(&*c.after);
  if (value == nullptr)
    return Error(ErrorCode::kInvalidArgument, "list change carries a value of another kind");
  items = *value;
  return {};
}

inline bool touches_user(const Change& c, std::string_view user) {
  return c.kind == EntityKind::kUser && c.id == user;
}

inline bool touches_role(const Change& c, std::string_view role) {
  if (c.kind == EntityKind::kRole) return c.id == role;
  if (c.kind != EntityKind::kUser) return false;
  auto role_of = [](const std::optional<Entity>& e) -> std::string_view {
    if (!e) return {};
    const User* u = std::get_if<User>(&*e);
    return u ? std::string_view(u->role) : std::string_view();
  };
  return role_of(c.before) == role || role_of(c.after) == role;
}

}  // namespace detail

SORIGHTS_INLINE Result<void> apply_changes(Model& model, const std::vector<Change>& changes) {
  Model next = model;
  for (const Change& c : changes) {
    Result<void> r;
    switch (c.kind) {
      case EntityKind::kOurCompany: r = detail::upsert_or_erase(next.our_companies, c); break;
      case EntityKind::kGroup: r = detail::upsert_or_erase(next.groups, c); break;
      case EntityKind::kLicence: r = detail::upsert_or_erase(next.licences, c); break;
      case EntityKind::kPlan: r = detail::upsert_or_erase(next.plans, c); break;
      case EntityKind::kFunctionalRight: r = detail::upsert_or_erase(next.functional_rights, c); break;
      case EntityKind::kObject: r = detail::upsert_or_erase(next.objects, c); break;
      case EntityKind::kRole: r = detail::upsert_or_erase(next.roles, c); break;
      case EntityKind::kUser: r = detail::upsert_or_erase(next.users, c); break;
      case EntityKind::kFieldRights: r = detail::replace_list(next.field_rights, c); break;
      case EntityKind::kOverrides: r = detail::replace_list(next.overrides, c); break;
    }
    if (!r) return r;
  }
  model = std::move(next);
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
