// The directory and its transactions.
#include "support.hpp"

namespace sorights::python {
namespace {

void bind_commit_types(py::module_& m) {
  py::enum_<so::MoveRecords>(m, "MoveRecords")
      .value("LEAVE", so::MoveRecords::kLeave)
      .value("MOVE_ALL", so::MoveRecords::kMoveAll)
      .value("MOVE_FROM", so::MoveRecords::kMoveFrom);
  py::class_<so::UserMove>(m, "UserMove")
      SORIGHTS_PY_READONLY(so::UserMove, user, from_company, to_company, records)
      .def_readonly("from_time", &so::UserMove::from);
  py::class_<so::CommitInfo>(m, "CommitInfo", "What a commit published.")
      SORIGHTS_PY_READONLY(so::CommitInfo, version, time, changes, moves)
      .def("__repr__", [](const so::CommitInfo& c) {
        return "<sorights.CommitInfo version=" + std::to_string(c.version) + ", " +
               std::to_string(c.changes.size()) + " change(s)>";
      });

}

void bind_transaction(py::module_& m) {
  using Tx = so::Transaction;
  py::class_<Tx> tx(m, "Transaction",
      "Staged edits by one actor. commit() validates, authorizes, writes and publishes them, "
      "all or nothing; rollback() drops them. As a context manager it commits on success and "
      "rolls back when the block raises.");
  tx.def_property_readonly("actor", &Tx::actor)
      .def_property_readonly("base_version", &Tx::base_version)
      .def_property_readonly("staged", &Tx::staged, py::return_value_policy::copy, "A copy of the staged model.")
      .def_property_readonly("has_changes", &Tx::has_changes)
      .def("changes", &Tx::changes, "The changes staged so far.")
      .def("preview", [](const Tx& t) { return share(ok(t.preview())); },
           "Compiles the staged model without committing.")
      .def("commit", [](Tx& t) { return ok(t.commit()); },
           "Validates, authorizes, writes and publishes; raises on failure (nothing changes).")
      .def("rollback", &Tx::rollback, "Drops every staged change.")
      .def("__enter__", [](Tx& t) -> Tx& { return t; }, py::return_value_policy::reference)
      .def("__exit__", [](Tx& t, py::handle type, py::handle, py::handle) {
        if (type.is_none()) {
          if (t.has_changes()) ok(t.commit());
        } else {
          t.rollback();
        }
        return false;
      })
      .def("__repr__", [](const Tx& t) {
        return "<sorights.Transaction actor='" + t.actor() + "' base_version=" +
               std::to_string(t.base_version()) + ">";
      });
}

void bind_transaction_user_edits(py::module_& m) {
  using Tx = so::Transaction;
  auto tx = py::reinterpret_borrow<py::class_<Tx>>(m.attr("Transaction"));
  tx.def("add_user", [](Tx& t, so::User u) { ok(t.add_user(entity_arg(std::move(u), "user"))); }, "user"_a);
  tx.def("put_user", [](Tx& t, so::User u) { ok(t.put_user(entity_arg(std::move(u), "user"))); }, "user"_a);
  tx.def("edit_user",
         [](Tx& t, const std::string& id, const py::function& edit) {
           // The callback runs on a copy, outside the library (which is built
           // without exceptions): a raising callback stages nothing.
           const so::User* current = t.staged().find_user(id_arg(id, "user id"));
           if (current == nullptr) raise(so::Error(so::ErrorCode::kNotFound, "unknown user \"" + id + "\""));
           py::object edited = py::cast(so::User(*current));  // Python owns it: the callback may keep it
           edit(edited);
           ok(t.edit_user(id, [&edited](so::User& u) { u = edited.cast<const so::User&>(); }));
         },
         "id"_a, "edit"_a, "Calls edit(user) on a copy of the staged user and stages the result.");
  tx.def("set_user_role", [](Tx& t, const std::string& u, const std::string& r) { ok(t.set_user_role(id_arg(u, "user id"), id_arg(r, "role id"))); },
         "user"_a, "role"_a);
  tx.def("set_user_groups",
         [](Tx& t, const std::string& u, std::string primary, std::vector<std::string> others) {
           ok(t.set_user_groups(id_arg(u, "user id"), optional_id_arg(std::move(primary), "group id"),
                                 id_args(std::move(others), "group id")));
         },
         "user"_a, "primary"_a, "others"_a = std::vector<std::string>{});
  tx.def("set_user_plan", [](Tx& t, const std::string& u, std::string p) { ok(t.set_user_plan(id_arg(u, "user id"), optional_id_arg(std::move(p), "plan id"))); },
         "user"_a, "plan"_a);
  tx.def("set_user_licences",
         [](Tx& t, const std::string& u, std::vector<std::string> l) { ok(t.set_user_licences(id_arg(u, "user id"), id_args(std::move(l), "licence id"))); },
         "user"_a, "licences"_a);
  tx.def("set_can_log_in", [](Tx& t, const std::string& u, bool b) { ok(t.set_can_log_in(id_arg(u, "user id"), b)); }, "user"_a,
         "can_log_in"_a);
  tx.def("move_user",
         [](Tx& t, const std::string& u, const std::string& c, so::MoveRecords r, so::Time from) {
           ok(t.move_user(id_arg(u, "user id"), id_arg(c, "company id"), r, from));
         },
         "user"_a, "company"_a, "records"_a = so::MoveRecords::kLeave, "from_time"_a = 0);
  tx.def("mark_former_employee", [](Tx& t, const std::string& u) { ok(t.mark_former_employee(id_arg(u, "user id"))); }, "user"_a);
  tx.def("retire_user", [](Tx& t, const std::string& u) { ok(t.retire_user(id_arg(u, "user id"))); }, "user"_a);
  tx.def("delete_user", [](Tx& t, const std::string& u) { ok(t.delete_user(id_arg(u, "user id"))); }, "user"_a);
}

void bind_transaction_model_edits(py::module_& m) {
  using Tx = so::Transaction;
  auto tx = py::reinterpret_borrow<py::class_<Tx>>(m.attr("Transaction"));
  tx.def("create_role", [](Tx& t, so::Role r) { ok(t.create_role(entity_arg(std::move(r), "role"))); }, "role"_a);
  tx.def("copy_role",
         [](Tx& t, const std::string& from, std::string id, std::string name) {
           ok(t.copy_role(id_arg(from, "role id"), id_arg(std::move(id), "role id"), name_arg(std::move(name), "role name")));
         },
         "from_role"_a, "id"_a, "name"_a = "");
  tx.def("rename_role",
         [](Tx& t, const std::string& id, std::string name, std::string description) {
           ok(t.rename_role(id_arg(id, "role id"), name_arg(std::move(name), "role name"),
                             no_nul_arg(std::move(description), "description")));
         },
         "id"_a, "name"_a, "description"_a = "");
  tx.def("put_role", [](Tx& t, so::Role r) { ok(t.put_role(entity_arg(std::move(r), "role"))); }, "role"_a);
  tx.def("delete_role", [](Tx& t, const std::string& id, const std::string& repl) { ok(t.delete_role(id_arg(id, "role id"), optional_id_arg(repl, "replacement role id"))); },
         "id"_a, "replacement"_a);
  tx.def("set_data_right",
         [](Tx& t, const std::string& r, const std::string& o, so::Relation rel, so::TableRights rights) {
           ok(t.set_data_right(id_arg(r, "role id"), id_arg(o, "object id"), rel, rights));
         },
         "role"_a, "object"_a, "relation"_a, "rights"_a);
  tx.def("set_functional_rights",
         [](Tx& t, const std::string& r, std::vector<std::string> rights) {
           ok(t.set_functional_rights(id_arg(r, "role id"), id_args(std::move(rights), "right id")));
         },
         "role"_a, "rights"_a);
  tx.def("grant_right", [](Tx& t, const std::string& r, const std::string& f) { ok(t.grant_right(id_arg(r, "role id"), id_arg(f, "right id"))); },
         "role"_a, "right"_a);
  tx.def("revoke_right", [](Tx& t, const std::string& r, const std::string& f) { ok(t.revoke_right(id_arg(r, "role id"), id_arg(f, "right id"))); },
         "role"_a, "right"_a);
  tx.def("put_our_company", [](Tx& t, so::OurCompany c) { ok(t.put_our_company(entity_arg(std::move(c), "company"))); }, "company"_a);
  tx.def("remove_our_company", [](Tx& t, const std::string& id) { ok(t.remove_our_company(id_arg(id, "company id"))); }, "id"_a);
  tx.def("put_group", [](Tx& t, so::Group g) { ok(t.put_group(entity_arg(std::move(g), "group"))); }, "group"_a);
  tx.def("remove_group", [](Tx& t, const std::string& id) { ok(t.remove_group(id_arg(id, "group id"))); }, "id"_a);
  tx.def("put_licence", [](Tx& t, so::Licence l) { ok(t.put_licence(entity_arg(std::move(l), "licence"))); }, "licence"_a);
  tx.def("remove_licence", [](Tx& t, const std::string& id) { ok(t.remove_licence(id_arg(id, "licence id"))); }, "id"_a);
  tx.def("put_plan", [](Tx& t, so::Plan p) { ok(t.put_plan(entity_arg(std::move(p), "plan"))); }, "plan"_a);
  tx.def("remove_plan", [](Tx& t, const std::string& id) { ok(t.remove_plan(id_arg(id, "plan id"))); }, "id"_a);
  tx.def("put_functional_right", [](Tx& t, so::FunctionalRightDef r) { ok(t.put_functional_right(entity_arg(std::move(r), "functional right"))); },
         "right"_a);
  tx.def("remove_functional_right", [](Tx& t, const std::string& id) { ok(t.remove_functional_right(id_arg(id, "right id"))); },
         "id"_a);
  tx.def("put_object", [](Tx& t, so::DataObjectDef o) { ok(t.put_object(entity_arg(std::move(o), "object"))); }, "object"_a);
  tx.def("remove_object", [](Tx& t, const std::string& id) { ok(t.remove_object(id_arg(id, "object id"))); }, "id"_a);
  tx.def("set_field_rights", [](Tx& t, std::vector<so::FieldRightRule> r) { ok(t.set_field_rights(std::move(r))); },
         "rules"_a);
  tx.def("set_overrides", [](Tx& t, std::vector<so::Override> o) { ok(t.set_overrides(std::move(o))); },
         "overrides"_a);
  tx.def("stage_model", [](Tx& t, so::Model mdl) { ok(t.stage_model(std::move(mdl))); }, "model"_a,
         "Replaces the whole staged model (e.g. one read from a model file).");
}

void bind_directory_class(py::module_& m) {
  py::class_<so::Directory, std::shared_ptr<so::Directory>>(m, "Directory",
      "The mutable, audited side: publishes a new Snapshot at each commit. Thread-safe.")
      .def_static("open",
                  [](const py::object& storage) {
                    std::shared_ptr<so::StorageAdapter> s =
                        storage.is_none() ? std::make_shared<so::InMemoryStorage>() : hold_adapter(storage);
                    if (!s) s = std::make_shared<so::InMemoryStorage>();
                    py::gil_scoped_release release;
                    return ok(so::Directory::open(std::move(s)));
                  },
                  "storage"_a = py::none(), "Opens over `storage` (default: a new InMemoryStorage).")
      .def_static("in_memory",
                  [](const std::optional<so::Model>& mdl) {
                    auto s = mdl ? std::make_shared<so::InMemoryStorage>(so::StoredModel{*mdl, 0})
                                 : std::make_shared<so::InMemoryStorage>();
                    return ok(so::Directory::open(std::move(s)));
                  },
                  "model"_a = py::none(), "A directory over in-memory storage holding `model` at version 0.")
      .def_property_readonly("snapshot",
                             [](const so::Directory& d) { return std::const_pointer_cast<so::Snapshot>(d.snapshot()); },
                             "The current snapshot (later commits do not change it).")
      .def_property_readonly("model", [](const so::Directory& d) { return so::Model(*d.model()); },
                             "A copy of the current model.")
      .def_property_readonly("version", &so::Directory::version)
      .def_property_readonly("storage", &so::Directory::storage)
      .def("begin", [](so::Directory& d, const std::string& actor) { return ok(d.begin(optional_id_arg(actor, "actor"))); },
           "actor"_a = "", "Starts a transaction acting as `actor` ('' = the built-in system actor).")
      .def("transaction", [](so::Directory& d, const std::string& actor) { return ok(d.begin(optional_id_arg(actor, "actor"))); },
           "actor"_a = "", "Same as begin(); reads well in `with directory.transaction('admin') as tx:`.")
      .def("audit",
           [](const so::Directory& d, const std::string& u, const std::string& r, bool include_refused) {
             so::AuditQuery q;
             q.user = no_nul_arg(u, "user");
             q.role = no_nul_arg(r, "role");
             q.include_refused = include_refused;
             return ok(d.audit(q));
           },
           "user"_a = "", "role"_a = "", "include_refused"_a = true, "The audit trail, oldest first.")
      .def("deleted_roles", [](const so::Directory& d) { return ok(d.deleted_roles()); })
      .def("refresh", [](so::Directory& d) { ok(d.refresh()); }, "Reloads if someone else committed.")
      .def("__repr__", [](const so::Directory& d) {
        return "<sorights.Directory version=" + std::to_string(d.version()) + ">";
      });
}

}  // namespace

void bind_directory(py::module_& m) {
  bind_commit_types(m);
  bind_transaction(m);
  bind_transaction_user_edits(m);
  bind_transaction_model_edits(m);
  bind_directory_class(m);
}

}  // namespace sorights::python
