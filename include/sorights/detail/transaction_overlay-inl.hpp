// -----------------------------------------------------------------------------
// File: detail/transaction_overlay-inl.hpp
// -----------------------------------------------------------------------------
// Part of directory-inl.hpp: where a Transaction keeps its edits. The edits an
// administrator makes most (users edited or added, roles edited, groups added
// or renamed) stay beside the base without a copy of the model; anything else
// stages a whole model. docs/design/0004-incremental-commit.md. No API
// promise. Part of directory-inl.hpp, which includes it after directory.hpp.
#ifndef SORIGHTS_DETAIL_TRANSACTION_OVERLAY_INL_HPP_
#define SORIGHTS_DETAIL_TRANSACTION_OVERLAY_INL_HPP_

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "sorights/detail/directory_support-inl.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

// diff_models, with duplicate ids in `to` reported to `dups` when given.
inline std::vector<Change> diff_checked(const Model& from, const Model& to, std::vector<Diagnostic>* dups) {
  std::vector<Change> out;
  // At least one change per entity beyond the size of `from`: a whole model
  // staged on an empty one makes its change list in one allocation.
  auto grown = [](const auto& a, const auto& b) { return b.size() > a.size() ? b.size() - a.size() : 0; };
  out.reserve(grown(from.our_companies, to.our_companies) + grown(from.groups, to.groups) +
              grown(from.licences, to.licences) + grown(from.plans, to.plans) +
              grown(from.functional_rights, to.functional_rights) + grown(from.objects, to.objects) +
              grown(from.roles, to.roles) + grown(from.users, to.users));
  advise_huge_pages(out);
  EntityArena values;
  diff_entities(out, values, dups, EntityKind::kOurCompany, from.our_companies, to.our_companies);
  diff_entities(out, values, dups, EntityKind::kGroup, from.groups, to.groups);
  diff_entities(out, values, dups, EntityKind::kLicence, from.licences, to.licences);
  diff_entities(out, values, dups, EntityKind::kPlan, from.plans, to.plans);
  diff_entities(out, values, dups, EntityKind::kFunctionalRight, from.functional_rights, to.functional_rights);
  diff_entities(out, values, dups, EntityKind::kObject, from.objects, to.objects);
  diff_entities(out, values, dups, EntityKind::kRole, from.roles, to.roles);
  diff_entities(out, values, dups, EntityKind::kUser, from.users, to.users);
  diff_whole(out, values, EntityKind::kFieldRights, from.field_rights, to.field_rights);
  diff_whole(out, values, EntityKind::kOverrides, from.overrides, to.overrides);
  return out;
}

template <class Seq>
bool extends_ids(const Seq& from, const Seq& to) {
  if (to.size() < from.size()) return false;
  for (std::size_t i = 0; i < from.size(); ++i)
    if (from[i].id != to[i].id) return false;
  return true;
}

// Whether apply_changes(from, diff_checked(from, to)) gives `to` itself when
// `to` holds no duplicate id: each collection of `to` starts with the ids of
// `from`'s in their order (kept or replaced in place, nothing removed), and
// the rest are appended in their order.
inline bool applies_as_is(const Model& from, const Model& to) {
  return extends_ids(from.our_companies, to.our_companies) && extends_ids(from.groups, to.groups) &&
         extends_ids(from.licences, to.licences) && extends_ids(from.plans, to.plans) &&
         extends_ids(from.functional_rights, to.functional_rights) && extends_ids(from.objects, to.objects) &&
         extends_ids(from.roles, to.roles) && extends_ids(from.users, to.users);
}

// A transaction's staged model lent to a commit as its next model: it goes
// back to the transaction unless the commit clears `staged`.
struct StagedLoan {
  std::optional<Model>* staged;
  Model* next;
  StagedLoan(std::optional<Model>* lent, Model* to) : staged(lent), next(to) {}
  StagedLoan(const StagedLoan&) = delete;
  StagedLoan& operator=(const StagedLoan&) = delete;
  ~StagedLoan() {
    if (staged != nullptr) **staged = std::move(*next);
  }
};

}  // namespace detail

SORIGHTS_INLINE Transaction::Transaction(std::shared_ptr<Directory> dir,
                                         std::shared_ptr<const DirectoryState> base, std::string actor)
    : dir_(std::move(dir)), base_(std::move(base)), actor_(std::move(actor)) {}

SORIGHTS_INLINE void Transaction::rebase() {
  base_ = dir_->state();
  staged_.reset();
  user_edits_.clear();
  user_adds_.clear();
  roles_.reset();
  groups_.reset();
  moves_.clear();
}

SORIGHTS_INLINE Model& Transaction::stage() {
  if (!staged_) {
    Model m = base_->model;
    for (UserEdit& e : user_edits_) m.users[e.position] = std::move(e.user);
    for (User& u : user_adds_) m.users.push_back(std::move(u));
    if (roles_) m.roles = std::move(*roles_);
    if (groups_) m.groups = std::move(*groups_);
    staged_ = std::move(m);
    user_edits_.clear();
    user_adds_.clear();
    roles_.reset();
    groups_.reset();
  }
  return *staged_;
}

SORIGHTS_INLINE const Model& Transaction::staged() const {
  if (overlay()) return const_cast<Transaction*>(this)->stage();
  return view();
}

SORIGHTS_INLINE std::vector<Role>& Transaction::staged_roles() {
  if (staged_) return staged_->roles;
  if (!roles_) roles_ = base_->model.roles;
  return *roles_;
}

SORIGHTS_INLINE std::vector<Group>& Transaction::staged_groups() {
  if (staged_) return staged_->groups;
  if (!groups_) groups_ = base_->model.groups;
  return *groups_;
}

SORIGHTS_INLINE Role* Transaction::staged_role(std::string_view id) {
  return detail::find_by_id(staged_roles(), id);
}

SORIGHTS_INLINE const Role* Transaction::find_role(std::string_view id) const {
  if (!staged_ && roles_) return detail::find_by_id(std::as_const(*roles_), id);
  return view().find_role(id);
}

SORIGHTS_INLINE const Group* Transaction::find_group(std::string_view id) const {
  if (staged_) return staged_->find_group(id);
  if (groups_) return detail::find_by_id(std::as_const(*groups_), id);
  const std::size_t at = detail::group_position(*base_, id);
  return at != detail::kNotIndexed ? &base_->model.groups[at] : nullptr;
}

SORIGHTS_INLINE bool Transaction::has_user(std::string_view id) const {
  if (staged_) return staged_->find_user(id) != nullptr;
  return detail::find_by_id(user_adds_, id) != nullptr || detail::user_position(*base_, id) != detail::kNotIndexed;
}

SORIGHTS_INLINE User* Transaction::edit_target(std::string_view id) {
  if (staged_) return staged_->find_user(id);
  for (UserEdit& e : user_edits_)
    if (e.user.id == id) return &e.user;
  if (User* added = detail::find_by_id(user_adds_, id)) return added;
  const std::size_t at = detail::user_position(*base_, id);  // the snapshot indexes every user of its model
  if (at == detail::kNotIndexed) return nullptr;
  user_edits_.push_back(UserEdit{at, base_->model.users[at]});
  return &user_edits_.back().user;
}

SORIGHTS_INLINE std::vector<Change> Transaction::staged_changes(std::vector<Diagnostic>* dups) const {
  if (staged_) return detail::diff_checked(base_->model, *staged_, dups);
  // The overlay: the changes diff_models would list, in its order (groups,
  // roles, users; users edited in model order, then the new ones).
  std::vector<Change> out;
  detail::EntityArena values;
  if (groups_) detail::diff_entities(out, values, dups, EntityKind::kGroup, base_->model.groups, *groups_);
  if (roles_) detail::diff_entities(out, values, dups, EntityKind::kRole, base_->model.roles, *roles_);
  std::vector<const UserEdit*> edits;
  edits.reserve(user_edits_.size());
  for (const UserEdit& e : user_edits_) edits.push_back(&e);
  std::sort(edits.begin(), edits.end(),
            [](const UserEdit* a, const UserEdit* b) { return a->position < b->position; });
  for (const UserEdit* e : edits) {
    const User& was = base_->model.users[e->position];
    if (!(was == e->user)) out.push_back(Change{EntityKind::kUser, was.id, values.share(was), values.share(e->user)});
  }
  for (const User& u : user_adds_) out.push_back(Change{EntityKind::kUser, u.id, std::nullopt, values.share(u)});
  return out;
}

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_DETAIL_TRANSACTION_OVERLAY_INL_HPP_
