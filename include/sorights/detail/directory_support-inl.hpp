// -----------------------------------------------------------------------------
// File: detail/directory_support-inl.hpp
// -----------------------------------------------------------------------------
// Internals of the directory (directory-inl.hpp): quoting and naming for
// diagnostics, calls into host code and adapters, entity lookups, the actor
// of a commit and the effective administrators. No API promise. Part of
// directory-inl.hpp, which includes it after directory.hpp.
#ifndef SORIGHTS_DETAIL_DIRECTORY_SUPPORT_INL_HPP_
#define SORIGHTS_DETAIL_DIRECTORY_SUPPORT_INL_HPP_

#include <algorithm>
#include <chrono>
#include <exception>
#include <map>
#include <set>
#include <type_traits>
#include <utility>
#include <variant>

#include "sorights/ids.hpp"
#include "sorights/detail/flat_index.hpp"
#include "sorights/detail/huge_pages.hpp"
#include "sorights/detail/snapshot_builder.hpp"  // detail::Validator, detail::SnapshotBuilder

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

inline std::string_view kind_name(EntityKind k) {
  return kEntityKindNames[static_cast<std::size_t>(k)];
}

// The collection name a diagnostic uses for an entity kind (model-file names).
inline std::string_view kind_collection(EntityKind k) {
  switch (k) {
    case EntityKind::kOurCompany: return "our_companies";
    case EntityKind::kGroup: return "groups";
    case EntityKind::kLicence: return "licences";
    case EntityKind::kPlan: return "plans";
    case EntityKind::kFunctionalRight: return "functional_rights";
    case EntityKind::kObject: return "objects";
    case EntityKind::kRole: return "roles";
    case EntityKind::kUser: return "users";
    case EntityKind::kFieldRights: return "field_rights";
    case EntityKind::kOverrides: return "overrides";
  }
  return "entities";
}

// Calls host code (a storage adapter, a callback): an exception it throws
// becomes kInternal with its message, whatever the build mode of the host
// (the compiled library is built with exceptions for this reason). Nothing
// the library holds is left changed: callers call host code before they
// change state, or undo on error.
template <class F>
auto call_host(std::string_view who, F&& f) -> decltype(f()) {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
  try {
    return f();
  } catch (const std::exception& e) {
    return Error(ErrorCode::kInternal, std::string(who) + " threw an exception: " + e.what());
  } catch (...) {
    return Error(ErrorCode::kInternal, std::string(who) + " threw an exception");
  }
#else
  (void)who;
  return f();
#endif
}

template <class F>
auto call_adapter(F&& f) -> decltype(f()) {
  return call_host("the storage adapter", std::forward<F>(f));
}

template <class T>
const T* get_value(const SharedEntity& e) {
  return e ? std::get_if<T>(&*e) : nullptr;
}

// The values of one change list, made in chunks the values share (aliasing
// pointers): copying the list then touches one reference count per chunk, a
// line already in cache, instead of one per entity spread over the heap, and
// an import's million values cost a few hundred allocations, not a million.
// A value kept alone keeps its chunk (at most kMaxChunk values) alive. The
// large chunks are one huge page each: at a million values, a few hundred
// page faults instead of eighty thousand.
class EntityArena {
 public:
  template <class T>
  SharedEntity share(const T& value) {
    if (chunk_ == nullptr || chunk_->size() == chunk_->capacity()) grow();
    chunk_->emplace_back(std::in_place_type<T>, value);
    return SharedEntity(std::shared_ptr<const Entity>(chunk_, &chunk_->back()));
  }

 private:
  using Chunk = std::vector<Entity, HugePageAllocator<Entity>>;
  static constexpr std::size_t kFirstChunk = 2;  // a one-entity edit (before, after) wastes no slot
  static constexpr std::size_t kMaxChunk = kHugePageBytes / sizeof(Entity);
  void grow() {
    const std::size_t n = chunk_ == nullptr ? kFirstChunk : std::min(2 * chunk_->capacity(), kMaxChunk);
    chunk_ = std::make_shared<Chunk>();
    chunk_->reserve(n);  // never grown past: the values' addresses hold
  }
  std::shared_ptr<Chunk> chunk_;
};

// The changes turning `from` into `to` for one kind. Entities at the same
// position with the same id (the common case: edits in place, additions at
// the end) are compared directly; the rest are matched by id. `from` holds
// unique ids (it is a compiled model); duplicate ids in `to` are reported to
// `dups` when given.
template <class Seq>
void diff_entities(std::vector<Change>& out, EntityArena& values, std::vector<Diagnostic>* dups, EntityKind kind,
                   const Seq& from, const Seq& to) {
  using T = typename Seq::value_type;
  const std::size_t lim = std::min(from.size(), to.size());
  std::size_t k = 0;
  for (; k < lim && from[k].id == to[k].id; ++k)
    if (!(from[k] == to[k])) out.push_back(Change{kind, to[k].id, values.share(from[k]), values.share(to[k])});
  if (k == from.size() && k == to.size()) return;
  FlatIndex old;  // from[k, ...) by id
  old.reserve(from.size() - k);
  for (std::size_t i = k; i < from.size(); ++i) old.emplace(from[i].id, static_cast<std::uint32_t>(i));
  FlatIndex seen;  // the ids of to[k, ...) met so far
  seen.reserve(to.size() - k);
  FlatIndex prefix;  // ids of to[0, k), built on demand
  bool prefix_built = false;
  for (std::size_t i = k; i < to.size(); ++i) {
    const T& e = to[i];
    if (i + 8 < to.size()) {  // probes 8 entities ahead: their cache misses overlap
      seen.prefetch(to[i + 8].id);
      old.prefetch(to[i + 8].id);
    }
    if (!seen.emplace(e.id, 0).second) {
      if (dups) dups->push_back(Diagnostic{std::string(kind_collection(kind)), e.id, "id", "duplicate-id",
                                           "duplicate id " + quote_id(e.id)});
      continue;
    }
    if (const std::uint32_t at = old.find(e.id); at != FlatIndex::kMiss) {
      if (!(from[at] == e)) out.push_back(Change{kind, e.id, values.share(from[at]), values.share(e)});
      continue;
    }
    if (dups && k != 0) {
      if (!prefix_built) {
        prefix.reserve(k);
        for (std::size_t j = 0; j < k; ++j) prefix.emplace(to[j].id, 0);
        prefix_built = true;
      }
      if (prefix.contains(e.id)) {
        dups->push_back(Diagnostic{std::string(kind_collection(kind)), e.id, "id", "duplicate-id",
                                   "duplicate id " + quote_id(e.id)});
        continue;
      }
    }
    out.push_back(Change{kind, e.id, std::nullopt, values.share(e)});
  }
  for (std::size_t i = k; i < from.size(); ++i)
    if (!seen.contains(from[i].id)) out.push_back(Change{kind, from[i].id, values.share(from[i]), std::nullopt});
}

template <class T>
void diff_whole(std::vector<Change>& out, EntityArena& values, EntityKind kind, const std::vector<T>& from,
                const std::vector<T>& to) {
  if (from != to) out.push_back(Change{kind, {}, values.share(from), values.share(to)});
}

inline bool user_inactive(const User& u) {
  return u.retired || u.former_employee || !u.can_log_in || u.type == UserType::kResource;
}

inline std::string inactive_reason(const User& u) {
  if (u.retired) return "retired";
  if (u.former_employee) return "a former employee";
  if (u.type == UserType::kResource) return "a resource";
  return "not allowed to log in";
}

inline bool right_exists(const Model& m, std::string_view id) {
  if (find_builtin_right(id)) return true;
  return std::any_of(m.functional_rights.begin(), m.functional_rights.end(),
                     [&](const FunctionalRightDef& r) { return r.id == id; });
}

inline bool object_exists(const Model& m, std::string_view id) {
  if (is_builtin_object(id)) return true;
  return std::any_of(m.objects.begin(), m.objects.end(),
                     [&](const DataObjectDef& o) { return o.id == id; });
}

// `Seq` is a std::vector or the users' ChunkedVector (position_by_id).
template <class Seq, class T = typename Seq::value_type>
Result<void> put_entity(Seq& items, T value, std::string_view what) {
  if (value.id.empty()) return Error(ErrorCode::kInvalidArgument, std::string(what) + " id may not be empty");
  const std::size_t at = position_by_id(items, value.id);
  if (at < items.size()) items[at] = std::move(value);
  else items.push_back(std::move(value));
  return {};
}

template <class Seq>
Result<void> remove_entity(Seq& items, std::string_view id, std::string_view what) {
  const std::size_t at = position_by_id(items, id);
  if (at == items.size()) return Error(ErrorCode::kNotFound, "unknown " + std::string(what) + " " + quote_id(id));
  items.erase(items.cbegin() + static_cast<std::ptrdiff_t>(at));
  return {};
}

inline Error not_found(std::string_view what, std::string_view id) {
  return Error(ErrorCode::kNotFound, "unknown " + std::string(what) + " " + quote_id(id));
}

// The position of user or group `id` in `state`'s model, found through its
// snapshot (user or group index i is model.users[i] or model.groups[i]:
// DirectoryState's invariant), or kNotIndexed. O(log n).
inline constexpr std::size_t kNotIndexed = static_cast<std::size_t>(-1);
inline std::size_t user_position(const DirectoryState& state, std::string_view id) {
  const auto at = static_cast<std::size_t>(state.snapshot.find_user(id));
  return at < state.model.users.size() && state.model.users[at].id == id ? at : kNotIndexed;
}
inline std::size_t group_position(const DirectoryState& state, std::string_view id) {
  const auto at = static_cast<std::size_t>(state.snapshot.find_group(id));
  return at < state.model.groups.size() && state.model.groups[at].id == id ? at : kNotIndexed;
}

// What an actor may do, judged on the base snapshot.
struct ActorView {
  bool system = false;  // the built-in system actor or an active system user
  const User* user = nullptr;
  UserIndex index = kUnknownUser;
  const Snapshot* snapshot = nullptr;

  [[nodiscard]] bool has(std::string_view right) const {
    if (system) return true;
    return snapshot->has(index, snapshot->find_right(right));
  }
  [[nodiscard]] bool admin_all() const { return has("admin-all"); }
  [[nodiscard]] std::string_view role() const {
    return user ? std::string_view(user->role) : std::string_view();
  }
};

// Resolves the actor against `state`; an error for an unknown or inactive one.
inline Result<ActorView> resolve_actor(const DirectoryState& state, const std::string& actor) {
  ActorView v;
  v.snapshot = &state.snapshot;
  if (actor.empty()) {
    v.system = true;
    return v;
  }
  const std::size_t at = user_position(state, actor);
  v.user = at != kNotIndexed ? &state.model.users[at] : state.model.find_user(actor);
  if (v.user == nullptr)
    return Error(ErrorCode::kNotFound, "unknown actor " + quote_id(actor),
                 {Diagnostic{"users", escape_text(actor, 200), "", "unknown-actor",
                             "the actor " + quote_id(actor) + " is not a user of the model"}});
  if (user_inactive(*v.user))
    return Error(ErrorCode::kPermissionDenied, "the actor " + quote_id(actor) + " is inactive",
                 {Diagnostic{"users", escape_text(actor, 200), "", "inactive-actor",
                             "the actor " + quote_id(actor) + " is " + inactive_reason(*v.user) +
                                 " and may change nothing"}});
  v.index = state.snapshot.find_user(actor);
  v.system = v.user->type == UserType::kSystem;
  return v;
}

// compile() for a model read back from a store or made from one by a change
// set: every rule but the texts of ids and names, which a store written by an
// older version may break (they are escaped wherever printed). The texts of
// what a commit changes are judged by CommitChecker.
inline Result<Snapshot> compile_stored(const Model& model, std::uint64_t version) {
  std::vector<Diagnostic> problems = Validator(model, false).run();
  if (!problems.empty()) {
    std::string message = "the model breaks " + std::to_string(problems.size()) +
                          (problems.size() == 1 ? " rule: " : " rules; first: ") + problems.front().to_string();
    return Error(ErrorCode::kFailedPrecondition, std::move(message), std::move(problems));
  }
  return SnapshotBuilder::build(model, version);
}

// An *effective administrator*: an active associate whose role holds
// admin-all (docs/design/0006-administration-chain.md).
inline bool effective_admin(const User& u, const std::vector<std::string_view>& admin_roles) {
  if (u.type != UserType::kAssociate || user_inactive(u)) return false;
  return std::find(admin_roles.begin(), admin_roles.end(), std::string_view(u.role)) != admin_roles.end();
}

inline std::vector<std::string_view> admin_role_ids(const Model& m) {
  std::vector<std::string_view> out;
  for (const Role& r : m.roles)
    if (r.has_right("admin-all")) out.push_back(r.id);
  return out;
}

inline bool has_effective_admin(const Model& m) {
  const std::vector<std::string_view> roles = admin_role_ids(m);
  if (roles.empty()) return false;
  return std::any_of(m.users.begin(), m.users.end(), [&](const User& u) { return effective_admin(u, roles); });
}

}  // namespace detail

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_DETAIL_DIRECTORY_SUPPORT_INL_HPP_
