// The batch filter and its SQL form (sorights/filter.hpp, sorights/predicate.hpp).
#include "support.hpp"

namespace sorights::python {

namespace {

// Bits 0..n-1 of a filter bitset as Python booleans.
std::vector<bool> bit_list(const std::vector<std::uint64_t>& bits, std::size_t n) {
  std::vector<bool> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = ((bits[i >> 6] >> (i & 63u)) & 1u) != 0;
  return out;
}

}  // namespace

void bind_filter(py::module_& m) {
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
        return bit_list(bits, n);
      },
      "snapshot"_a, "user"_a, "action"_a, "object"_a, "records"_a,
      "The batch filter: for each record (its `object` is ignored; all share `object` and `at`), whether "
      "`user` may do `action`. Equal to Snapshot.can per record.");
  m.def(
      "can_batch",
      [](const SnapshotPtr& s, const std::string& user, so::Action action, const std::vector<PyRecord>& records) {
        if (!s) throw py::value_error("snapshot is None");
        const std::size_t n = records.size();
        std::vector<so::Record> rows(n);
        for (std::size_t i = 0; i < n; ++i) rows[i] = resolve(*s, records[i]);
        std::vector<std::uint64_t> bits(so::filter_words(n));
        so::can_batch(*s, s->find_user(user), action, rows, bits);
        return bit_list(bits, n);
      },
      "snapshot"_a, "user"_a, "action"_a, "records"_a,
      "For each record (of any object and `at`), whether `user` may do `action`: Snapshot.can per record, "
      "decided in one batch (sorights::can_batch).");
  m.def(
      "rights_batch",
      [](const SnapshotPtr& s, const std::string& user, const std::vector<PyRecord>& records) {
        if (!s) throw py::value_error("snapshot is None");
        const std::size_t n = records.size();
        std::vector<so::Record> rows(n);
        for (std::size_t i = 0; i < n; ++i) rows[i] = resolve(*s, records[i]);
        std::vector<so::TableRights> out(n);
        so::rights_batch(*s, s->find_user(user), rows, out);
        return out;
      },
      "snapshot"_a, "user"_a, "records"_a,
      "For each record (of any object and `at`), the rights `user` has: Snapshot.rights per record, "
      "decided in one batch (sorights::rights_batch).");
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
}

}  // namespace sorights::python
