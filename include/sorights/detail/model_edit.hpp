// -----------------------------------------------------------------------------
// File: detail/model_edit.hpp
// -----------------------------------------------------------------------------
// `detail::ModelEdit`: how a model differs from the valid model it was made
// from when a commit can be judged and compiled incrementally
// (docs/design/0004-incremental-commit.md). No API promise.
#ifndef SORIGHTS_DETAIL_MODEL_EDIT_HPP_
#define SORIGHTS_DETAIL_MODEL_EDIT_HPP_

#include <cstddef>
#include <vector>

#include "sorights/config.hpp"
#include "sorights/model.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

// `next` equals a valid model `base` except for:
// - the users at `users` (positions in both), edited with their ids unchanged;
//   `users_before[k]` is base's value of `users[k]`;
// - `added_users` new users at the end of `next.users`;
// - the roles at `roles`, edited with their ids and types unchanged;
//   `roles_before[k]` is base's value of `roles[k]`;
// - the groups at `groups`, edited with their ids unchanged, and `added_groups`
//   new groups at the end of `next.groups`.
// Every other collection is equal. The pointers point into `base`.
struct ModelEdit {
  std::vector<std::size_t> users;
  std::vector<const User*> users_before;
  std::size_t added_users = 0;
  std::vector<std::size_t> roles;
  std::vector<const Role*> roles_before;
  std::vector<std::size_t> groups;
  std::size_t added_groups = 0;

  [[nodiscard]] bool users_only() const noexcept {
    return added_users == 0 && roles.empty() && groups.empty() && added_groups == 0;
  }
};

}  // namespace detail

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_DETAIL_MODEL_EDIT_HPP_
