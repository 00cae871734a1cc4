// Internal to the Python module: one binder per concept, each in its
// bind_<concept>.cpp, called in this order by PYBIND11_MODULE (module.cpp).
// The order matters where a signature or default argument names a type that
// an earlier binder registers (Model.compile returns a Snapshot, ...).
#ifndef SORIGHTS_BINDINGS_PYTHON_BIND_HPP_
#define SORIGHTS_BINDINGS_PYTHON_BIND_HPP_

#include <pybind11/pybind11.h>

namespace sorights::python {

void bind_types(pybind11::module_& m);      // __version__, the enums, TableRights, FieldRights
void bind_errors(pybind11::module_& m);     // Error and its subclass per code, Diagnostic
void bind_model(pybind11::module_& m);      // the entities, the live lists, Model, compile
void bind_snapshot(pybind11::module_& m);   // Record, Explanation, the checks on a Snapshot
void bind_storage(pybind11::module_& m);    // change sets, adapters, SQLite store, files, policy tests
void bind_directory(pybind11::module_& m);  // Directory, Transaction
void bind_queries(pybind11::module_& m);    // QueryIndex
void bind_filter(pybind11::module_& m);     // filter, predicate_sql
void bind_report(pybind11::module_& m);     // licence usage, the HTML report
void bind_names(pybind11::module_& m);      // bind_names.cpp: called after bind_report once it exists

}  // namespace sorights::python

#endif  // SORIGHTS_BINDINGS_PYTHON_BIND_HPP_
