// Records, snapshots (the checks) and explanations.
#include "support.hpp"

namespace sorights::python {
namespace {

struct PyLayerEffect {
  so::Layer layer;
  so::TableRights removed;
  so::TableRights added;
  so::TableRights after;
};

struct PyExplanation {
  so::Explanation e;
  std::string user;
  std::string object;
  std::optional<std::string> role;
  std::string text;
  std::string reason;
  std::vector<PyLayerEffect> layers() const {
    std::vector<PyLayerEffect> out;
    for (const so::LayerEffect& fx : e.layers)
      if (fx.applied) out.push_back({fx.layer, fx.removed, fx.added, fx.after});
    return out;
  }
};

PyExplanation explain(const so::Snapshot& s, const std::string& user, so::Action action,
                      const PyRecord& record) {
  PyExplanation out;
  out.e = s.explain(s.find_user(user), action, resolve(s, record));
  out.user = user;
  out.object = record.object;
  if (out.e.role != so::kUnknownRole) out.role = std::string(s.role_id(out.e.role));
  out.text = s.explain_text(out.e);
  out.reason = s.explain_reason(out.e);
  return out;
}

void bind_record(py::module_& m) {
  py::class_<PyRecord> record(m, "Record",
      "A host record, described by string ids: object, owner, group, visible_for "
      "('all', 'group:ID' or 'associate:ID'), project, company, id, publish window, "
      "state flags. Ids the snapshot does not know are allowed (an unknown object denies).");
  record SORIGHTS_PY_READWRITE(PyRecord, object, owner, group, visible_for, project, company, id)
      .def_property(
          "publish_from", [](const PyRecord& r) { return r.publish_from; },
          [](PyRecord& r, py::handle v) { r.publish_from = to_time(v); })
      .def_property(
          "publish_to", [](const PyRecord& r) { return r.publish_to; },
          [](PyRecord& r, py::handle v) { r.publish_to = to_time(v); })
      .def_property(
          "at", [](const PyRecord& r) { return r.at; }, [](PyRecord& r, py::handle v) { r.at = to_time(v); })
      SORIGHTS_PY_READWRITE(PyRecord, published, completed, is_new, user_person, our_company, database_owner);
  value_type<PyRecord>(record, "Record",
                       {"object", "owner", "group", "visible_for", "project", "company", "id", "publish_from",
                        "publish_to", "at", "published", "completed", "is_new", "user_person", "our_company",
                        "database_owner"});
}

void bind_explanation(py::module_& m) {
  py::class_<PyLayerEffect>(m, "LayerEffect", "What one narrowing layer did.")
      SORIGHTS_PY_READONLY(PyLayerEffect, layer, removed, added, after)
      .def("__repr__", [](const PyLayerEffect& fx) {
        return "<sorights.LayerEffect " + std::string(so::kLayerNames[static_cast<std::size_t>(fx.layer)]) +
               ": removed " + fx.removed.to_string() + ", after " + fx.after.to_string() + ">";
      });

  py::class_<PyExplanation>(m, "Explanation",
      "Why a check came out as it did; str() gives one fact per line.")
      .def_property_readonly("outcome", [](const PyExplanation& x) { return x.e.outcome; })
      .def_property_readonly("inactive_reason", [](const PyExplanation& x) { return x.e.inactive; })
      .def_property_readonly("action", [](const PyExplanation& x) { return x.e.action; })
      .def_property_readonly("user", [](const PyExplanation& x) { return x.user; })
      .def_property_readonly("object", [](const PyExplanation& x) { return x.object; })
      .def_property_readonly("relation", [](const PyExplanation& x) { return x.e.relation; })
      .def_property_readonly("role", [](const PyExplanation& x) { return x.role; })
      .def_property_readonly("cell", [](const PyExplanation& x) { return x.e.cell; })
      .def_property_readonly("layers", &PyExplanation::layers, "The layers that applied, in order.")
      .def_property_readonly("rights", [](const PyExplanation& x) { return x.e.rights; })
      .def_property_readonly("allowed", [](const PyExplanation& x) { return x.e.allowed; })
      .def_property_readonly("reason", [](const PyExplanation& x) { return x.reason; })
      .def_property_readonly("text", [](const PyExplanation& x) { return x.text; })
      .def("__str__", [](const PyExplanation& x) { return x.text; })
      .def("__repr__", [](const PyExplanation& x) {
        return std::string("<sorights.Explanation ") + (x.e.allowed ? "allow" : "deny") + ": " + x.reason + ">";
      });
}

void bind_snapshot_checks(py::module_& m) {
  auto snapshot = py::reinterpret_borrow<py::class_<so::Snapshot, SnapshotPtr>>(m.attr("Snapshot"));
  snapshot
      .def_property_readonly("version", &so::Snapshot::version)
      .def_property_readonly("user_count", &so::Snapshot::user_count)
      .def_property_readonly("role_count", &so::Snapshot::role_count)
      .def_property_readonly("profile_count", &so::Snapshot::profile_count)
      .def_property_readonly("memory_bytes", &so::Snapshot::memory_bytes)
      .def_property_readonly("users", [](const so::Snapshot& s) {
        return names(s.user_count(), [&](std::uint32_t i) { return s.user_id(so::UserIndex{i}); });
      }, "The user ids.")
      .def_property_readonly("roles", [](const so::Snapshot& s) {
        return names(s.role_count(), [&](std::uint32_t i) { return s.role_id(so::RoleIndex{i}); });
      }, "The role ids.")
      .def("rights",
           [](const so::Snapshot& s, const std::string& u, const PyRecord& r) {
             return s.rights(s.find_user(u), resolve(s, r));
           },
           "user"_a, "record"_a, "What `user` may do with `record`. Total: unknown ids give NONE.")
      .def("can",
           [](const so::Snapshot& s, const std::string& u, so::Action a, const PyRecord& r) {
             return s.can(s.find_user(u), a, resolve(s, r));
           },
           "user"_a, "action"_a, "record"_a, "True if `user` may do `action` ('read', ...) to `record`.")
      .def("has",
           [](const so::Snapshot& s, const std::string& u, const std::string& right) {
             return s.has(s.find_user(u), s.find_right(right));
           },
           "user"_a, "right"_a, "True if `user` holds functional right `right`.")
      .def("field_rights",
           [](const so::Snapshot& s, const std::string& u, const PyRecord& r, const std::string& field) {
             return s.field_rights(s.find_user(u), resolve(s, r), s.find_field(field));
           },
           "user"_a, "record"_a, "field"_a, "The field right `user` holds on `field` of `record`.")
      .def("explain", &explain, "user"_a, "action"_a, "record"_a,
           "The account of one check: relation, role cell, each narrowing layer.")
      .def("user_role", [](const so::Snapshot& s, const std::string& u) -> std::optional<std::string> {
        const so::RoleIndex r = s.user_role(s.find_user(u));
        if (r == so::kUnknownRole) return std::nullopt;
        return std::string(s.role_id(r));
      }, "user"_a, "The user's role id, or None.")
      .def("user_type", [](const so::Snapshot& s, const std::string& u) { return s.user_type(s.find_user(u)); },
           "user"_a)
      .def("role_cell",
           [](const so::Snapshot& s, const std::string& r, const std::string& o, so::Relation rel) {
             return s.role_cell(s.find_role(r), s.find_object(o), rel);
           },
           "role"_a, "object"_a, "relation"_a, "The compiled role cell; NONE when unknown.")
      .def("__contains__", [](const so::Snapshot& s, const std::string& u) {
        return s.find_user(u) != so::kUnknownUser;
      })
      .def("__repr__", [](const so::Snapshot& s) {
        return "<sorights.Snapshot version=" + std::to_string(s.version()) + " users=" +
               std::to_string(s.user_count()) + " roles=" + std::to_string(s.role_count()) + ">";
      });
}

}  // namespace

void bind_snapshot(py::module_& m) {
  bind_record(m);
  bind_explanation(m);
  bind_snapshot_checks(m);
}

}  // namespace sorights::python
