// The queries (sorights/queries.hpp), the licence report (sorights/report.hpp)
// and policy tests (sorights/policy_tests.hpp) in Python: `sorights.QueryIndex`,
// `licence_usage`, `render_html_report` and `run_policy_tests`. Included
// by module.cpp inside its anonymous namespace (it uses the module's int
// casters, `PyRecord`/`resolve` and the error translation), so that the
// bindings of one concept stay in one file. Results are plain lists of ids
// in id order.
#ifndef SORIGHTS_BINDINGS_PYTHON_QUERIES_BINDINGS_HPP_
#define SORIGHTS_BINDINGS_PYTHON_QUERIES_BINDINGS_HPP_

// module.cpp includes sorights/sorights.hpp (queries.hpp) and, with storage,
// sorights/policy_tests.hpp at the top: this file is included inside a namespace.

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
};

[[noreturn]] inline void unknown_id(const std::string& what, const std::string& id) {
  raise(so::Error(so::ErrorCode::kNotFound, "unknown " + what + " \"" + id + "\""));
}

inline void bind_queries(py::module_& m) {
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
           [](PyQueryIndex& q, std::optional<std::string> type, std::optional<std::string> role,
              std::optional<std::string> group, std::optional<std::string> company, std::optional<std::string> plan,
              std::optional<std::string> licence, std::optional<std::string> search, std::optional<bool> active,
              std::size_t offset, std::optional<std::size_t> limit) {
             const so::Snapshot& s = *q.snapshot;
             so::UserFilter f;
             if (type) {
               if (*type == "other") f.types = so::kOtherUsersMask;
               else if (auto t = so::parse_user_type(*type)) f.types = so::user_type_mask(*t);
               else throw py::value_error("type must be a user type or 'other', not '" + *type + "'");
             }
             if (role && (f.role = s.find_role(*role)) == so::kUnknownRole) unknown_id("role", *role);
             if (group && (f.group = s.find_group(*group)) == so::kUnknownGroup) unknown_id("group", *group);
             if (company && (f.company = s.find_company(*company)) == so::kUnknownCompany)
               unknown_id("company", *company);
             if (plan && (f.plan = q.index.find_plan(*plan)) == so::kUnknownPlan) unknown_id("plan", *plan);
             if (licence && (f.licence = q.index.find_licence(*licence)) == so::kUnknownLicence)
               unknown_id("licence", *licence);
             f.active = active;
             if (search) f.search = *search;
             std::vector<std::string> out;
             std::size_t seen = 0;
             q.index.match_users(f, q.set);
             q.set.for_each([&](so::UserIndex u) {
               if (seen++ >= offset && (!limit || out.size() < *limit)) out.emplace_back(s.user_id(u));
             });
             return out;
           },
           py::kw_only(), "type"_a = py::none(), "role"_a = py::none(), "group"_a = py::none(),
           "company"_a = py::none(), "plan"_a = py::none(), "licence"_a = py::none(), "search"_a = py::none(),
           "active"_a = py::none(), "offset"_a = 0, "limit"_a = py::none(),
           "The users matching every filter given, by id. `type` is a user type or 'other' (anonymous and "
           "system users); `role` the effective role; `group` primary or other; `search` a case-insensitive "
           "part of the id or name; `active` may sign in. NotFoundError for an unknown id.")
      .def("group_members",
           [](PyQueryIndex& q, const std::string& group) {
             const so::GroupIndex g = q.snapshot->find_group(group);
             if (g == so::kUnknownGroup) unknown_id("group", group);
             q.index.group_members(g, q.set);
             return q.ids();
           },
           "group"_a, "Users whose primary or other group is `group` (inactive users too), by id.")
      .def("users_holding",
           [](PyQueryIndex& q, const std::string& right) {
             const so::RightIndex r = q.snapshot->find_right(right);
             if (r == so::kUnknownRight) unknown_id("functional right", right);
             q.index.users_holding(r, q.set);
             return q.ids();
           },
           "right"_a, "Every user for whom Snapshot.has(user, right) is True, by id.")
      .def("roles_granting",
           [](const PyQueryIndex& q, const std::string& right, bool include_hidden) {
             const so::RightIndex r = q.snapshot->find_right(right);
             if (r == so::kUnknownRight) unknown_id("functional right", right);
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
             const so::RoleIndex r = q.snapshot->find_role(role);
             if (r == so::kUnknownRole) unknown_id("role", role);
             return q.index.role_user_count(r);
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

  m.def(
      "filter",
      [](const SnapshotPtr& s, const std::string& user, so::Action action, const std::string& object,
         const std::vector<PyRecord>& records) {
        if (!s) throw py::value_error("snapshot is None");
        const std::size_t n = records.size();
        std::vector<so::Record> rows(n);
        for (std::size_t i = 0; i < n; ++i) {
          rows[i] = resolve(*s, records[i]);
          if (i != 0 && rows[i].at != rows[0].at)
            throw py::value_error("every record of one filter call must have the same `at`");
        }
        const so::RecordColumnsBuffer columns(rows);
        const so::RecordColumns cols = columns.view();
        std::vector<std::uint64_t> bits(so::filter_words(n));
        so::filter(*s, s->find_user(user), s->find_object(object), action, cols, bits);
        std::vector<bool> out(n);
        for (std::size_t i = 0; i < n; ++i) out[i] = ((bits[i >> 6] >> (i & 63u)) & 1u) != 0;
        return out;
      },
      "snapshot"_a, "user"_a, "action"_a, "object"_a, "records"_a,
      "The batch filter: for each record (its `object` is ignored; all share `object` and `at`), whether "
      "`user` may do `action`. Equal to Snapshot.can per record.");
  m.def(
      "predicate_sql",
      [](const SnapshotPtr& s, const std::string& user, const std::string& object, so::Action action,
         std::optional<so::Time> at, bool numbered, std::optional<std::string> record_prefix,
         std::optional<std::string> owner_prefix) {
        if (!s) throw py::value_error("snapshot is None");
        const so::Predicate p =
            so::predicate(*s, s->find_user(user), s->find_object(object), action, at.value_or(so::kTimeMin));
        so::ColumnMapping mapping;
        if (record_prefix || owner_prefix)
          mapping = so::ColumnMapping::with_prefix(record_prefix.value_or(""), owner_prefix.value_or(""));
        mapping.numbered_placeholders = numbered;
        so::SqlFragment sql = so::render_sql(p, mapping);
        return py::make_tuple(sql.text, sql.params, p.exact);
      },
      "snapshot"_a, "user"_a, "object"_a, "action"_a, "at"_a = py::none(), "numbered"_a = false,
      "record_prefix"_a = py::none(), "owner_prefix"_a = py::none(),
      "The WHERE fragment for the records of `object` that `user` may do `action` to: (sql, params, exact). "
      "`at`: seconds since 1970 (None: now). `numbered` gives $1, $2 placeholders (PostgreSQL), else ?; the "
      "prefixes qualify the record and "
      "owner-table columns (ColumnMapping.with_prefix).");

  py::class_<so::LicenceUsage>(m, "LicenceUsage", "Usage of one licence, like the Users screen's licences tab.")
      .def_readonly("licence", &so::LicenceUsage::licence)
      .def_readonly("kind", &so::LicenceUsage::kind)
      .def_readonly("unrestricted", &so::LicenceUsage::unrestricted)
      .def_readonly("purchased", &so::LicenceUsage::purchased)
      .def_readonly("in_use", &so::LicenceUsage::in_use, "Holders, retired users and former employees excluded.")
      .def_readonly("users", &so::LicenceUsage::users, "The holders, in model order.")
      .def_property_readonly("available", &so::LicenceUsage::available, "Purchased minus in use; 0 when over.")
      .def("__repr__", [](const so::LicenceUsage& u) {
        return "<sorights.LicenceUsage " + u.licence + " in_use=" + std::to_string(u.in_use) + ">";
      });
  m.def("licence_usage", &so::licence_usage, "model"_a, "Per licence: holders, seats in use and available.");
  m.def("render_html_report", [](const so::Model& model, const std::string& title) { return so::render_html_report(model, title); }, "model"_a, "title"_a = "sorights model",
        "One self-contained HTML page of the model (roles, users, licence usage).");

#if SORIGHTS_PY_WITH_STORAGE
  m.def(
      "run_policy_tests",
      [](const SnapshotPtr& s, const so::Model& model, const std::string& tests_json) {
        if (!s) throw py::value_error("snapshot is None");
        so::PolicyTestFile file = ok(so::parse_policy_tests(tests_json));
        so::PolicyReport report = ok(so::run_policy_tests(*s, model, file.tests));
        std::vector<std::tuple<std::string, std::string, std::string>> failures;
        for (const so::PolicyFailure& f : report.failures) failures.emplace_back(f.test, f.expected, f.actual);
        return std::make_pair(report.passed, failures);
      },
      "snapshot"_a, "model"_a, "tests_json"_a,
      "Runs the policy tests of a test file or model file (its text) against `snapshot` (compiled from "
      "`model`): (passed, [(name, expected, actual), ...]). ValidationError-like errors name bad tests.");
#endif
}

#endif  // SORIGHTS_BINDINGS_PYTHON_QUERIES_BINDINGS_HPP_
