// The `sorights._core` extension: pybind11 bindings of the C++ library. The
// public Python API is the `sorights` package (sorights/__init__.py), which
// re-exports everything here. Names follow PEP 8, which is also the C++
// naming: classes PascalCase, functions snake_case; enum members UPPER_CASE.
//
// Errors: every `Result` error becomes a `sorights.Error` subclass chosen by
// its code (NotFoundError, ValidationError, ...), carrying `code`, `message`
// and `diagnostics`. Checks never raise: unknown ids deny, as in C++.
//
// Each concept is bound by its own bind_<concept>.cpp (bind.hpp lists them);
// what they share (the int casters, errors, argument checks, value types,
// records) is in support.hpp.
#include "bind.hpp"
#include "support.hpp"

PYBIND11_MODULE(_core, m) {
  using namespace sorights::python;
  bind_types(m);
  bind_errors(m);
  bind_model(m);
  bind_snapshot(m);
  bind_storage(m);
  bind_directory(m);
  bind_queries(m);
  bind_filter(m);
  bind_report(m);
  bind_names(m);
}
