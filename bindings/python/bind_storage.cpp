// Storage: change sets and the audit trail, the StorageAdapter interface
// (also implemented in Python), InMemoryStorage and, with the storage
// library, SqliteStore, model files, snapshot files and policy tests.
#include "support.hpp"

#if SORIGHTS_PY_WITH_STORAGE
#  include "sorights/storage/model_file.hpp"
#  include "sorights/policy_tests.hpp"
#  include "sorights/storage/snapshot_file.hpp"
#  include "sorights/storage/sqlite_store.hpp"
#endif

namespace sorights::python {
namespace {

// -- Storage adapters written in Python --------------------------------------------
//
// `PyStorageAdapter` lets a Python class derive from sorights.StorageAdapter.
// Each virtual calls the Python method of the same role with the GIL held
// (the directory may call it from a thread that released it). Whatever the
// Python method raises becomes a sorights error and is returned, never thrown
// through the directory: a sorights.Error subclass keeps its code (an adapter
// reports a conflict with sorights.ConflictError), anything else is
// kInternal with "ExceptionType: message". A failed call changes nothing in
// the directory, which stays usable.
//
// Python method      C++ virtual        returns
//   load()             load()             (Model, version)
//   apply(change_set)  apply()            None
//   stored_version()   version()          int  (`version` is the read-only property)
//   append_audit(e)    append_audit()     None
//   audit(query)       audit()            iterable of AuditEntry
class PyStorageAdapter : public so::StorageAdapter {
 public:
  [[nodiscard]] so::Result<so::StoredModel> load() override {
    return call<so::StoredModel>("load", [](const py::object& r) {
      auto t = r.cast<py::tuple>();
      if (t.size() != 2) throw py::type_error("load() must return (model, version)");
      return so::StoredModel{t[0].cast<so::Model>(), t[1].cast<std::uint64_t>()};
    });
  }
  [[nodiscard]] so::Result<void> apply(const so::ChangeSet& changes) override {
    return call_void("apply", py::cast(changes));
  }
  [[nodiscard]] so::Result<std::uint64_t> version() override {
    return call<std::uint64_t>("stored_version", [](const py::object& r) { return r.cast<std::uint64_t>(); });
  }
  [[nodiscard]] so::Result<void> append_audit(const so::AuditEntry& entry) override {
    return call_void("append_audit", py::cast(entry));
  }
  [[nodiscard]] so::Result<std::vector<so::AuditEntry>> audit(const so::AuditQuery& query) override {
    return call<std::vector<so::AuditEntry>>("audit", [](const py::object& r) {
      std::vector<so::AuditEntry> out;
      for (py::handle e : py::iter(r)) out.push_back(e.cast<so::AuditEntry>());
      return out;
    }, py::cast(query));
  }

 private:
  // The error a Python exception stands for.
  static so::Error from_python(const char* method, py::error_already_set& e) {
    so::ErrorCode code = so::ErrorCode::kInternal;
    for (const auto& [number, cls] : error_classes())
      if (number != 0 && e.matches(cls)) code = static_cast<so::ErrorCode>(number);
    std::string text = py::str(e.value());
    if (code == so::ErrorCode::kInternal && !e.matches(error_classes()[static_cast<int>(so::ErrorCode::kInternal)]))
      text = std::string(py::str(e.type().attr("__name__"))) + ": " + text;
    return so::Error(code, std::string("storage adapter ") + method + "(): " + text);
  }
  template <class T, class Convert, class... Args>
  so::Result<T> call(const char* method, Convert convert, Args&&... args) {
    py::gil_scoped_acquire gil;
    try {
      py::function fn = py::get_override(static_cast<const so::StorageAdapter*>(this), method);
      if (!fn) return so::Error(so::ErrorCode::kInternal, std::string("storage adapter: ") + method +
                                                              "() is not implemented by the Python class");
      return convert(fn(std::forward<Args>(args)...));
    } catch (py::error_already_set& e) {
      return from_python(method, e);
    } catch (const std::exception& e) {  // py::cast_error, py::type_error, ...
      return so::Error(so::ErrorCode::kInternal, std::string("storage adapter ") + method + "(): " + e.what());
    }
  }
  so::Result<void> call_void(const char* method, py::object arg) {
    so::Result<bool> r = call<bool>(method, [](const py::object&) { return true; }, std::move(arg));
    if (!r) return std::move(r).error();
    return {};
  }
};

// A change's value as Python sees it: a copy of the entity, or None.
std::optional<so::Entity> entity_or_none(const so::SharedEntity& e) {
  if (!e) return std::nullopt;
  return *e;
}

void bind_change_types(py::module_& m) {
  py::class_<so::Change>(m, "Change", "One changed entity: before None = added, after None = removed.")
      SORIGHTS_PY_READONLY(so::Change, kind, id)
      .def_property_readonly("before", [](const so::Change& c) { return entity_or_none(c.before); })
      .def_property_readonly("after", [](const so::Change& c) { return entity_or_none(c.after); })
      .def("__repr__", [](const so::Change& c) {
        const char* what = !c.before ? "added" : !c.after ? "removed" : "changed";
        return "<sorights.Change " + std::string(so::kEntityKindNames[static_cast<std::size_t>(c.kind)]) + " '" +
               c.id + "' " + what + ">";
      });
  py::class_<so::AuditEntry>(m, "AuditEntry", "One committed (or refused) change set.")
      SORIGHTS_PY_READONLY(so::AuditEntry, version, time, actor, refused, reason, changes)
      .def("__repr__", [](const so::AuditEntry& e) {
        return "<sorights.AuditEntry v" + std::to_string(e.version) + " by '" + e.actor + "'" +
               (e.refused ? " refused: " + e.reason : ", " + std::to_string(e.changes.size()) + " change(s)") + ">";
      });

  py::class_<so::ChangeSet>(m, "ChangeSet", "What one commit writes: StorageAdapter.apply's argument.")
      SORIGHTS_PY_READONLY(so::ChangeSet, base_version, version, time, actor, changes)
      .def("audit_entry",
           [](const so::ChangeSet& c) { return so::AuditEntry{c.version, c.time, c.actor, false, {}, c.changes}; },
           "The audit-trail entry of this change set, committed.")
      .def("__repr__", [](const so::ChangeSet& c) {
        return "<sorights.ChangeSet v" + std::to_string(c.base_version) + "->v" + std::to_string(c.version) +
               " by '" + c.actor + "', " + std::to_string(c.changes.size()) + " change(s)>";
      });
  py::class_<so::AuditQuery>(m, "AuditQuery", "StorageAdapter.audit's filter; empty members match everything.")
      SORIGHTS_PY_READONLY(so::AuditQuery, user, role, include_refused)
      .def("matches", [](const so::AuditQuery& q, const so::AuditEntry& e) { return so::audit_matches(e, q); },
           "entry"_a, "True if `entry` is one this query asks for.");
  m.def("apply_changes", [](so::Model& mdl, const std::vector<so::Change>& changes) { ok(so::apply_changes(mdl, changes)); },
        "model"_a, "changes"_a,
        "Applies a change set's changes to `model` in place, all or nothing (for storage adapters).");
}

void bind_adapters(py::module_& m) {
  py::class_<so::StorageAdapter, PyStorageAdapter, std::shared_ptr<so::StorageAdapter>>(m, "StorageAdapter",
      "Where a Directory keeps the model (InMemoryStorage, SqliteStore). Subclass it in Python to "
      "keep the model elsewhere: implement load(), apply(change_set), stored_version(), "
      "append_audit(entry) and audit(query) (see docs/python.md).")
      .def(py::init<>())
      .def_property_readonly("version", [](so::StorageAdapter& s) { return ok(s.version()); })
      .def("load", [](so::StorageAdapter& s) {
        so::StoredModel stored = ok(s.load());
        return py::make_tuple(stored.model, stored.version);
      }, "(model, version) as stored.")
      .def("audit",
           [](so::StorageAdapter& s, const std::string& u, const std::string& r, bool include_refused) {
             so::AuditQuery q;
             q.user = no_nul_arg(u, "user");
             q.role = no_nul_arg(r, "role");
             q.include_refused = include_refused;
             return ok(s.audit(q));
           },
           "user"_a = "", "role"_a = "", "include_refused"_a = true);
  py::class_<so::InMemoryStorage, so::StorageAdapter, std::shared_ptr<so::InMemoryStorage>>(
      m, "InMemoryStorage", "A store in memory (tests; hosts with persistence of their own).")
      .def(py::init([](const std::optional<so::Model>& mdl, std::uint64_t version, std::size_t max_audit_entries) {
             return std::make_shared<so::InMemoryStorage>(
                 so::StoredModel{mdl ? *mdl : so::Model::with_defaults(), version},
                 so::InMemoryStorageOptions{.max_audit_entries = max_audit_entries});
           }),
           "model"_a = py::none(), "version"_a = 0, "max_audit_entries"_a = 0,
           "Holds `model` (default: the predefined roles) at `version`; keeps the newest "
           "`max_audit_entries` audit entries (0: all).")
      .def("__repr__", [](so::InMemoryStorage& s) {
        auto v = s.version();
        return "<sorights.InMemoryStorage version=" + std::to_string(v ? *v : 0) + ">";
      });

}

#if SORIGHTS_PY_WITH_STORAGE
void bind_files(py::module_& m) {
  py::class_<so::SqliteStore, so::StorageAdapter, std::shared_ptr<so::SqliteStore>>(
      m, "SqliteStore", "The SQLite store (the embedded default).")
      .def_static("open",
                  [](const std::string& path, bool create) {
                    so::SqliteStoreOptions options;
                    options.create = create;
                    return std::shared_ptr<so::SqliteStore>(ok(so::SqliteStore::open(no_nul_arg(path, "path"), options)));
                  },
                  "path"_a, "create"_a = true, "Opens (with create=True: creates if missing) a store file.")
      .def_property_readonly("path", &so::SqliteStore::path)
      .def_property_readonly("schema_version", &so::SqliteStore::schema_version)
      .def("__repr__", [](so::SqliteStore& s) { return "<sorights.SqliteStore '" + s.path() + "'>"; });

  py::enum_<so::ImportMode>(m, "ImportMode")
      .value("MERGE", so::ImportMode::kMerge)
      .value("REPLACE", so::ImportMode::kReplace);
  m.def("parse_model_file",
        [](const std::string& json, const std::optional<so::Model>& base, so::ImportMode mode,
           const std::string& file_name) {
          so::ModelFileOptions options;
          options.mode = mode;
          options.file_name = no_nul_arg(file_name, "file_name");
          return ok(so::parse_model_file(json, base ? *base : so::Model::with_defaults(), options));
        },
        "json"_a, "base"_a = py::none(), "mode"_a = so::ImportMode::kMerge, "file_name"_a = "",
        "Parses a model file (docs/model-file.md) applied to `base` (default: the predefined roles).");
  m.def("read_model_file",
        [](const std::string& path, const std::optional<so::Model>& base, so::ImportMode mode) {
          return ok(so::read_model_file(no_nul_arg(path, "path"), base ? *base : so::Model::with_defaults(), mode));
        },
        "path"_a, "base"_a = py::none(), "mode"_a = so::ImportMode::kMerge, "Reads a model file.");
  m.def("export_model_file", &so::export_model_file, "model"_a, "The model as a model file (JSON text).");
  m.def("save_snapshot_file",
        [](const std::string& path, const so::Model& mdl, std::uint64_t version) {
          ok(so::save_snapshot_file(no_nul_arg(path, "path"), mdl, version));
        },
        "path"_a, "model"_a, "version"_a = 0, "Writes a snapshot file (fast cold start, backups).");
  m.def("load_snapshot_file",
        [](const std::string& path) {
          so::StoredModel stored = ok(so::load_snapshot_file(no_nul_arg(path, "path")));
          return py::make_tuple(stored.model, stored.version);
        },
        "path"_a, "(model, version) from a snapshot file; checked before use.");
}

void bind_policy_tests(py::module_& m) {
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
}
#endif

}  // namespace

// The adapter a Directory holds. A Python-derived adapter also keeps its
// Python object alive (its methods live there) for as long as the directory
// holds it; the reference is dropped with the GIL held.
std::shared_ptr<so::StorageAdapter> hold_adapter(const py::object& obj) {
  auto adapter = obj.cast<std::shared_ptr<so::StorageAdapter>>();
  if (dynamic_cast<PyStorageAdapter*>(adapter.get()) == nullptr) return adapter;
  auto* keep = new py::object(obj);
  return std::shared_ptr<so::StorageAdapter>(adapter.get(), [adapter, keep](so::StorageAdapter*) mutable {
    if (Py_IsInitialized() == 0) return;  // interpreter gone: nothing to release safely
    py::gil_scoped_acquire gil;
    delete keep;
    adapter.reset();
  });
}

void bind_storage(py::module_& m) {
  bind_change_types(m);
  bind_adapters(m);
#if SORIGHTS_PY_WITH_STORAGE
  bind_files(m);
  bind_policy_tests(m);
  m.attr("HAS_STORAGE") = true;
#else
  m.attr("HAS_STORAGE") = false;
#endif
}

}  // namespace sorights::python
