// The admin's queries about one snapshot (sorights/queries.hpp): `sorights.QueryIndex`.
// Results are plain lists of ids in id order.
#include <algorithm>

#include "support.hpp"

namespace sorights::python {
namespace {

// `index`, or NotFoundError naming the `what` `id` when it is `unknown`.
template <class Index>
Index known(Index index, Index unknown, const char* what, const std::string& id) {
  if (index == unknown) raise(so::Error(so::ErrorCode::kNotFound, "unknown " + std::string(what) + " \"" + id + "\""));
  return index;
}

// A QueryIndex with the snapshot it refers to (kept alive) and one scratch
// set (the Python object is used under the GIL, one call at a time).
struct PyQueryIndex {
  SnapshotPtr snapshot;
  so::QueryIndex index;
  so::UserSet set;

  std::vector<std::string> ids() const {
    std::vector<std::string> out;
    set.for_each([&](so::UserIndex u) { out.emplace_back(snapshot->user_id(u)); });
    return out;
  }
  // The index of each kind of id; NotFoundError for one the snapshot does not know.
  so::RoleIndex role(const std::string& id) const {
    return known(snapshot->find_role(id), so::kUnknownRole, "role", id);
  }
  so::GroupIndex group(const std::string& id) const {
    return known(snapshot->find_group(id), so::kUnknownGroup, "group", id);
  }
  so::RightIndex right(const std::string& id) const {
    return known(snapshot->find_right(id), so::kUnknownRight, "functional right", id);
  }
};

// QueryIndex.users: the users matching every filter given.
std::vector<std::string> query_users(PyQueryIndex& q, std::optional<std::string> type, std::optional<std::string> role,
                                     std::optional<std::string> group, std::optional<std::string> company,
                                     std::optional<std::string> plan, std::optional<std::string> licence,
                                     std::optional<std::string> search, std::optional<bool> active,
                                     std::size_t offset, std::optional<std::size_t> limit) {
  const so::Snapshot& s = *q.snapshot;
  so::UserFilter f;
  if (type) {
    if (*type == "other") f.types = so::kOtherUsersMask;
    else if (auto t = so::parse_user_type(*type)) f.types = so::user_type_mask(*t);
    else throw py::value_error("type must be a user type or 'other', not '" + *type + "'");
  }
  if (role) f.role = q.role(*role);
  if (group) f.group = q.group(*group);
  if (company) f.company = known(s.find_company(*company), so::kUnknownCompany, "company", *company);
  if (plan) f.plan = known(q.index.find_plan(*plan), so::kUnknownPlan, "plan", *plan);
  if (licence) f.licence = known(q.index.find_licence(*licence), so::kUnknownLicence, "licence", *licence);
  f.active = active;
  if (search) f.search = *search;
  std::vector<std::string> out;
  std::size_t seen = 0;
  q.index.match_users(f, q.set);
  q.set.for_each([&](so::UserIndex u) {
    if (seen++ >= offset && (!limit || out.size() < *limit)) out.emplace_back(s.user_id(u));
  });
  return out;
}

}  // namespace

void bind_queries(py::module_& m) {
  py::class_<PyQueryIndex>(m, "QueryIndex",
                           "The admin's questions about one snapshot: users by filter, group members, role "
                           "counts, holders of a right, and who may act on a record. Build one per snapshot.")
      .def(py::init([](SnapshotPtr s, const so::Model* model) {
             if (!s) throw py::value_error("snapshot is None");
             so::QueryIndex q = ok(so::QueryIndex::build(*s, model));
             so::UserSet set = q.make_set();
             return PyQueryIndex{std::move(s), std::move(q), std::move(set)};
           }),
           "snapshot"_a, "model"_a = nullptr,
           "`model` is the model the snapshot was compiled from (names, plans, licences, role types); "
           "without it those filters match nobody.")
      .def("who_can",
           [](PyQueryIndex& q, so::Action a, const PyRecord& r) {
             q.index.who_can(a, resolve(*q.snapshot, r), q.set);
             return q.ids();
           },
           "action"_a, "record"_a, "Every user for whom Snapshot.can(user, action, record) is True, by id.")
      .def("users",
           &query_users,
           py::kw_only(), "type"_a = py::none(), "role"_a = py::none(), "group"_a = py::none(),
           "company"_a = py::none(), "plan"_a = py::none(), "licence"_a = py::none(), "search"_a = py::none(),
           "active"_a = py::none(), "offset"_a = 0, "limit"_a = py::none(),
           "The users matching every filter given, by id. `type` is a user type or 'other' (anonymous and "
           "system users); `role` the effective role; `group` primary or other; `search` a case-insensitive "
           "part of the id or name; `active` may sign in. NotFoundError for an unknown id.")
      .def("group_members",
           [](PyQueryIndex& q, const std::string& group) {
             q.index.group_members(q.group(group), q.set);
             return q.ids();
           },
           "group"_a, "Users whose primary or other group is `group` (inactive users too), by id.")
      .def("users_holding",
           [](PyQueryIndex& q, const std::string& right) {
             q.index.users_holding(q.right(right), q.set);
             return q.ids();
           },
           "right"_a, "Every user for whom Snapshot.has(user, right) is True, by id.")
      .def("roles_granting",
           [](const PyQueryIndex& q, const std::string& right, bool include_hidden) {
             const so::RightIndex r = q.right(right);
             std::vector<so::RoleIndex> roles(q.snapshot->role_count());
             roles.resize(std::min(roles.size(), q.index.roles_granting(r, roles, include_hidden)));
             std::vector<std::string> out;
             for (so::RoleIndex role : roles) out.emplace_back(q.snapshot->role_id(role));
             std::sort(out.begin(), out.end());
             return out;
           },
           "right"_a, "include_hidden"_a = false, "The roles whose functional rights list `right`, by id.")
      .def("role_user_count",
           [](const PyQueryIndex& q, const std::string& role) {
             return q.index.role_user_count(q.role(role));
           },
           "role"_a, "Users whose effective role is `role` (implied roles and inactive users included).")
      .def("role_hidden",
           [](const PyQueryIndex& q, const std::string& role) {
             return q.index.role_hidden(q.snapshot->find_role(role));
           },
           "role"_a, "True for roles listings hide unless asked (type system).")
      .def("effective_role",
           [](const PyQueryIndex& q, const std::string& user) -> std::optional<std::string> {
             const so::RoleIndex r = q.index.effective_role(q.snapshot->find_user(user));
             if (r == so::kUnknownRole) return std::nullopt;
             return std::string(q.snapshot->role_id(r));
           },
           "user"_a, "The role the user names, else the implied one; None for a resource naming none.")
      .def("__repr__", [](const PyQueryIndex& q) {
        return "<sorights.QueryIndex users=" + std::to_string(q.snapshot->user_count()) + ">";
      });
}

}  // namespace sorights::python
