// The `sorights._core` extension: pybind11 bindings of the C++ library. The
// public Python API is the `sorights` package (sorights/__init__.py), which
// re-exports everything here. Names follow PEP 8, which is also the C++
// naming: classes PascalCase, functions snake_case; enum members UPPER_CASE.
//
// Errors: every `Result` error becomes a `sorights.Error` subclass chosen by
// its code (NotFoundError, ValidationError, ...), carrying `code`, `message`
// and `diagnostics`. Checks never raise: unknown ids deny, as in C++.
#include <pybind11/functional.h>
#include <pybind11/operators.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl_bind.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sorights/ids.hpp"
#include "sorights/sorights.hpp"
#if SORIGHTS_PY_WITH_DIRECTORY
#  include "sorights/directory.hpp"
#endif
#if SORIGHTS_PY_WITH_STORAGE
#  include "sorights/model_file.hpp"
#  include "sorights/policy_tests.hpp"
#  include "sorights/snapshot_file.hpp"
#  include "sorights/sqlite_store.hpp"
#endif

// Python ints for C++ integer parameters and fields: out of range is an
// OverflowError naming the C++ range (pybind11's own caster reports a
// TypeError or, through py::cast, a bare RuntimeError). These specializations
// replace pybind11's arithmetic caster for the integer types in this module.
namespace pybind11::detail {
template <class T>
struct checked_int_caster {
  PYBIND11_TYPE_CASTER(T, const_name("int"));

  bool load(handle src, bool /*convert*/) {
    if (!src || PyFloat_Check(src.ptr())) return false;
    object number;
    PyObject* p = src.ptr();
    if (!PyLong_Check(p)) {
      if (!PyIndex_Check(p)) return false;
      number = reinterpret_steal<object>(PyNumber_Index(p));
      if (!number) {
        PyErr_Clear();
        return false;
      }
      p = number.ptr();
    }
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(p, &overflow);
    if (v == -1 && PyErr_Occurred() != nullptr) {
      PyErr_Clear();
      return false;
    }
    if constexpr (std::is_signed_v<T>) {
      if (overflow == 0 && v >= std::numeric_limits<T>::min() && v <= std::numeric_limits<T>::max()) {
        value = static_cast<T>(v);
        return true;
      }
    } else if (overflow == 0 && v >= 0) {
      if (static_cast<unsigned long long>(v) <= std::numeric_limits<T>::max()) {
        value = static_cast<T>(v);
        return true;
      }
    } else if (overflow > 0) {
      const unsigned long long u = PyLong_AsUnsignedLongLong(p);
      if (!(u == static_cast<unsigned long long>(-1) && PyErr_Occurred() != nullptr) &&
          u <= std::numeric_limits<T>::max()) {
        value = static_cast<T>(u);
        return true;
      }
      PyErr_Clear();
    }
    const std::string shown = std::string(str(handle(p))).substr(0, 40);
    const std::string message = "int " + shown + (shown.size() == 40 ? "..." : "") + " is out of range " +
                                std::to_string(std::numeric_limits<T>::min()) + ".." +
                                std::to_string(std::numeric_limits<T>::max());
    PyErr_SetString(PyExc_OverflowError, message.c_str());
    throw error_already_set();
  }

  static handle cast(T src, return_value_policy /*policy*/, handle /*parent*/) {
    if constexpr (std::is_signed_v<T>) return PyLong_FromLongLong(src);
    else return PyLong_FromUnsignedLongLong(src);
  }
};
template <> class type_caster<unsigned char> : public checked_int_caster<unsigned char> {};
template <> class type_caster<unsigned short> : public checked_int_caster<unsigned short> {};
template <> class type_caster<unsigned int> : public checked_int_caster<unsigned int> {};
template <> class type_caster<unsigned long> : public checked_int_caster<unsigned long> {};
template <> class type_caster<unsigned long long> : public checked_int_caster<unsigned long long> {};
template <> class type_caster<signed char> : public checked_int_caster<signed char> {};
template <> class type_caster<short> : public checked_int_caster<short> {};
template <> class type_caster<int> : public checked_int_caster<int> {};
template <> class type_caster<long> : public checked_int_caster<long> {};
template <> class type_caster<long long> : public checked_int_caster<long long> {};
}  // namespace pybind11::detail

namespace py = pybind11;
namespace so = sorights;
void bind_names(py::module_& m);  // bind_names.cpp
using namespace pybind11::literals;

PYBIND11_MAKE_OPAQUE(std::vector<so::OurCompany>)
PYBIND11_MAKE_OPAQUE(std::vector<so::Group>)
PYBIND11_MAKE_OPAQUE(std::vector<so::Licence>)
PYBIND11_MAKE_OPAQUE(std::vector<so::Plan>)
PYBIND11_MAKE_OPAQUE(std::vector<so::FunctionalRightDef>)
PYBIND11_MAKE_OPAQUE(std::vector<so::DataObjectDef>)
PYBIND11_MAKE_OPAQUE(std::vector<so::Role>)
PYBIND11_MAKE_OPAQUE(std::vector<so::FieldRightRule>)
PYBIND11_MAKE_OPAQUE(std::vector<so::Override>)
PYBIND11_MAKE_OPAQUE(std::vector<so::User>)

namespace {

// -- Errors ----------------------------------------------------------------------

// Thrown by the bindings for a failed `Result`; translated to a Python
// exception of the code's class.
struct PyError {
  so::Error error;
};

std::map<int, py::object>& error_classes() {
  static auto* classes = new std::map<int, py::object>();  // leaked: lives as long as the interpreter
  return *classes;
}

[[noreturn]] void raise(so::Error e) { throw PyError{std::move(e)}; }

void ok(so::Result<void> r) {
  if (!r) raise(std::move(r).error());
}
template <class T>
T ok(so::Result<T> r) {
  if (!r) raise(std::move(r).error());
  return std::move(r).value();
}


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

// -- Arguments: ids, names, paths -------------------------------------------------------

// A string that becomes a C string (a path) or is matched as text must not
// hold a NUL: "a\0b.db" would open "a". ValueError naming `what`.
template <class S>
S&& no_nul_arg(S&& s, const char* what) {
  if (std::string_view(s).find('\0') != std::string_view::npos)
    throw py::value_error(std::string(what) + " holds a NUL character");
  return std::forward<S>(s);
}

// An id passed into the library: checked as the model rules say (ids.hpp);
// InvalidArgumentError (a ValueError) naming `what` otherwise.
template <class S>
S&& id_arg(S&& s, const char* what) {
  ok(so::check_id(what, s));
  return std::forward<S>(s);
}
// The same, where "" means none (a user's plan, the system actor, ...).
template <class S>
S&& optional_id_arg(S&& s, const char* what) {
  if (!std::string_view(s).empty()) ok(so::check_id(what, s));
  return std::forward<S>(s);
}
std::vector<std::string> id_args(std::vector<std::string> ids, const char* what) {
  for (const std::string& id : ids) ok(so::check_id(what, id));
  return ids;
}
template <class S>
S&& name_arg(S&& s, const char* what) {
  ok(so::check_name(what, s));
  return std::forward<S>(s);
}
// An entity put by a transaction: its id and name.
template <class T>
T entity_arg(T value, const char* what) {
  ok(so::check_id(std::string(what) + " id", value.id));
  ok(so::check_name(std::string(what) + " name", value.name));
  return value;
}

// Rejects a NUL in a str, or in the str items or keys of a list, tuple or dict.
void reject_nul(py::handle value, const std::string& what) {
  auto check = [&](py::handle v) {
    if (py::isinstance<py::str>(v) && std::string_view(v.cast<std::string>()).find('\0') != std::string_view::npos)
      throw py::value_error(what + " holds a NUL character");
  };
  check(value);
  if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    for (py::handle item : value) check(item);
  } else if (py::isinstance<py::dict>(value)) {
    for (auto [k, v] : value.cast<py::dict>()) check(k);
  }
}

// Wraps the setter of each field of a value type: a NUL in text is a
// ValueError, an int out of the field's range an OverflowError, each naming
// `Type.field`.
void guard_fields(py::handle cls, const char* type, const std::vector<const char*>& fields) {
  py::object property = py::module_::import("builtins").attr("property");
  for (const char* field : fields) {
    py::object prop = cls.attr(field);
    py::object fset = prop.attr("fset");
    if (fset.is_none()) continue;
    const std::string label = std::string(type) + "." + field;
    py::cpp_function setter([fset, label](py::object self, py::object value) {
      reject_nul(value, label);
      try {
        fset(self, value);
      } catch (py::error_already_set& e) {
        if (!e.matches(PyExc_OverflowError)) throw;
        const std::string message = label + ": " + std::string(py::str(e.value()));
        PyErr_SetString(PyExc_OverflowError, message.c_str());
        throw py::error_already_set();
      }
    });
    py::setattr(cls, field, property(prop.attr("fget"), setter, py::none(), prop.attr("__doc__")));
  }
}

// -- Value-type constructors with keyword (and positional) arguments -------------

template <class T>
struct Item;  // an element of a Model's list (below)

// Binds `__init__(*args, **kwargs)`: positional arguments fill `fields` in
// order, keyword arguments set the attribute of that name. Unknown names raise
// TypeError.
template <class T, class Class>
void kw_init(Class& cls, std::vector<const char*> fields) {
  cls.def(py::init([fields](const py::args& args, const py::kwargs& kwargs) {
            if (args.size() > fields.size())
              throw py::type_error("too many positional arguments (at most " +
                                   std::to_string(fields.size()) + ")");
            if (args.size() == 1 && kwargs.empty() && py::isinstance<Item<T>>(args[0]))
              return args[0].attr("__copy__")().cast<T>();  // T(item): a plain copy
            py::object self = py::cast(T{});
            auto set = [&](const std::string& name, py::handle value) {
              if (!py::hasattr(self, name.c_str()))
                throw py::type_error("unexpected keyword argument '" + name + "'");
              self.attr(name.c_str()) = value;
            };
            for (std::size_t i = 0; i < args.size(); ++i) set(fields[i], args[i]);
            for (auto item : kwargs) set(py::str(item.first), item.second);
            return self.cast<T>();
          }),
          "Keyword (or positional) arguments set the fields of the same name.");
}

// `TypeName(field=value, ...)` for the fields that differ from the default.
template <class T>
std::string kw_repr(const T& value, const char* type, std::vector<const char*> fields) {
  py::object self = py::cast(value);
  py::object blank = py::cast(T{});
  std::string out = std::string("sorights.") + type + "(";
  bool first = true;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    py::object v = self.attr(fields[i]);
    if (i > 0 && v.equal(blank.attr(fields[i]))) continue;  // the id is always shown
    if (!first) out += ", ";
    first = false;
    out += std::string(fields[i]) + "=" + std::string(py::repr(v));
  }
  return out + ")";
}

template <class T, class Class>
void value_type(Class& cls, const char* name, std::vector<const char*> fields, bool repr = true) {
  guard_fields(cls, name, fields);
  kw_init<T>(cls, fields);
  if (repr) cls.def("__repr__", [name, fields](const T& v) { return kw_repr(v, name, fields); });
  cls.def(py::self == py::self);
  cls.def(py::self != py::self);
  cls.def("__copy__", [](const T& v) { return T(v); });
  cls.def("__deepcopy__", [](const T& v, py::dict) { return T(v); }, "memo"_a);
  cls.def("copy", [](const T& v) { return T(v); }, "A deep copy.");
  cls.attr("__hash__") = py::none();
}

// -- Model lists and their items ---------------------------------------------------
//
// A Model's lists (`model.users`, ...) are live views of the C++ vectors. An
// item taken from one (`model.users[0]`, `model.find_user(id)`, iteration) is
// an `Item<T>`: it holds the list object (which keeps the model alive) and the
// element's key, and finds the element again on every use, so it never points
// into a vector buffer that may since have been reallocated. Reads work on a
// copy; writes (attributes and methods) run on a copy that is then stored
// back into the element found again afterwards (the assignment may run Python
// code that changes the list). When no element has the key any more, using
// the item raises ReferenceError. See docs/design/0010-binding-lifetimes.md.

[[noreturn]] void raise_reference_error(const std::string& message) {
  PyErr_SetString(PyExc_ReferenceError, message.c_str());
  throw py::error_already_set();
}

// The key an item follows its element by: the id, or for the id-less rules the
// fields that identify one.
template <class T>
std::string item_key(const T& v) {
  return v.id;
}
std::string item_key(const so::FieldRightRule& r) {
  return r.role + '\0' + r.object + '\0' + r.field + '\0' + std::to_string(static_cast<int>(r.relation));
}
std::string item_key(const so::Override& o) {
  return std::to_string(static_cast<int>(o.level)) + '\0' + o.target + '\0' + o.object + '\0' +
         std::to_string(static_cast<int>(o.scope)) + '\0' + o.record + '\0' + o.field;
}

template <class T>
struct Item {
  py::object list;       // the Python list object (holds the model alive)
  std::size_t hint = 0;  // where the element was last seen
  std::string key;

  static Item make(py::object list, std::size_t index) {
    const std::vector<T>& v = list.cast<const std::vector<T>&>();
    return Item{std::move(list), index, item_key(v[index])};
  }

  // The element now, or ReferenceError. Valid until the list next changes:
  // use it without running Python code in between.
  T& resolve() {
    std::vector<T>& v = list.cast<std::vector<T>&>();
    if (hint < v.size() && item_key(v[hint]) == key) return v[hint];
    for (std::size_t i = 0; i < v.size(); ++i)
      if (item_key(v[i]) == key) {
        hint = i;
        return v[i];
      }
    raise_reference_error("this " + std::string(py::str(py::type::of<T>().attr("__name__"))) + " item (" +
                          so::escape_text(key.substr(0, key.find('\0')), 64) +
                          ") is no longer in its list: it was removed, or its key changed through another reference");
  }

  // Stores `value` into the element (found again) and follows its new key.
  void store(const T& value) {
    T& target = resolve();
    target = value;
    key = item_key(value);
  }
};

template <class T>
bool is_item(py::handle h) {
  return py::isinstance<Item<T>>(h);
}

template <class T>
py::object item_getattr(py::object self, const std::string& name) {
  Item<T>& it = self.cast<Item<T>&>();
  py::object owned = py::cast(T(it.resolve()));  // a Python-owned copy
  py::object value = owned.attr(name.c_str());
  if (!PyCallable_Check(value.ptr())) return value;  // references into `owned` keep it alive
  // A method: run it on a fresh copy when called, and store back what it changed.
  return py::cpp_function([self, name](const py::args& args, const py::kwargs& kwargs) {
    Item<T>& item = self.cast<Item<T>&>();
    const T before = item.resolve();
    py::object copy = py::cast(before);
    py::object result = copy.attr(name.c_str())(*args, **kwargs);
    const T& after = copy.cast<const T&>();
    if (!(after == before)) item.store(after);
    return result;
  });
}

template <class T>
void item_setattr(Item<T>& it, const std::string& name, py::handle value) {
  py::object copy = py::cast(T(it.resolve()));
  if (!py::hasattr(py::type::of<T>(), name.c_str()))
    throw py::attribute_error("'" + std::string(py::str(py::type::of<T>().attr("__name__"))) +
                              "' object has no attribute '" + name + "'");
  copy.attr(name.c_str()) = value;  // may run Python code: the element is found again below
  it.store(copy.cast<const T&>());
}

std::size_t list_index(std::ptrdiff_t i, std::size_t size) {
  const auto n = static_cast<std::ptrdiff_t>(size);
  if (i < 0) i += n;
  if (i < 0 || i >= n) throw py::index_error("list index out of range");
  return static_cast<std::size_t>(i);
}

// Binds `std::vector<T>` as the live list class `list_name` and `Item<T>` as
// `item_name`. The item passes isinstance(x, T) and converts to T wherever a T
// is expected (a copy of the element).
template <class T>
void bind_model_list(py::module_& m, py::class_<T>& value_cls, const char* list_name, const char* item_name) {
  using Vec = std::vector<T>;
  const std::string type_name = py::str(value_cls.attr("__name__"));
  py::class_<Item<T>> item(m, item_name,
      ("An element of a Model's " + type_name + " list, found again by its key on each use; "
       "ReferenceError once it is gone. Behaves as a " + type_name + "; copy.copy() gives a plain one.").c_str());
  item.def("__getattr__", &item_getattr<T>)
      .def("__setattr__", &item_setattr<T>)
      .def("__repr__", [](Item<T>& it) { return py::repr(py::cast(T(it.resolve()))); })
      .def("__eq__", [](Item<T>& it, const T& other) { return it.resolve() == other; }, py::is_operator())
      .def("__ne__", [](Item<T>& it, const T& other) { return !(it.resolve() == other); }, py::is_operator())
      .def("__copy__", [](Item<T>& it) { return T(it.resolve()); })
      .def("__deepcopy__", [](Item<T>& it, const py::dict&) { return T(it.resolve()); }, "memo"_a)
      .def("__dir__", [value_cls](const Item<T>&) { return py::module_::import("builtins").attr("dir")(value_cls); });
  item.attr("__hash__") = py::none();
  // isinstance(item, T) holds: isinstance() falls back to `__class__`. Put in
  // the type's dict directly (setattr on a type would assign the type's class).
  py::object cls_of = py::module_::import("builtins").attr("property")(
      py::cpp_function([value_cls](py::handle) { return value_cls; }));
  PyObject* dict = reinterpret_cast<PyTypeObject*>(item.ptr())->tp_dict;
  if (PyDict_SetItemString(dict, "__class__", cls_of.ptr()) != 0) throw py::error_already_set();
  PyType_Modified(reinterpret_cast<PyTypeObject*>(item.ptr()));
  py::implicitly_convertible<Item<T>, T>();

  py::class_<Vec> cls(m, list_name,
      ("The live list of a Model's " + type_name + "s: edits change the model. Items are " + item_name +
       " objects that find their element again on each use.").c_str());
  auto convert = [](const py::iterable& items) {
    Vec out;  // converted first: the conversion may run Python code
    for (py::handle h : items) out.push_back(h.cast<T>());
    return out;
  };
  cls.def(py::init<>())
      .def(py::init(convert), "items"_a)
      .def("__len__", [](const Vec& v) { return v.size(); })
      .def("__bool__", [](const Vec& v) { return !v.empty(); })
      .def("__getitem__",
           [](py::object self, std::ptrdiff_t i) {
             const std::size_t at = list_index(i, self.cast<const Vec&>().size());
             return Item<T>::make(std::move(self), at);
           })
      .def("__getitem__",
           [](const Vec& v, const py::slice& s) {
             std::size_t start = 0, stop = 0, step = 0, n = 0;
             if (!s.compute(v.size(), &start, &stop, &step, &n)) throw py::error_already_set();
             Vec out;
             out.reserve(n);
             for (std::size_t k = 0; k < n; ++k, start += step) out.push_back(v[start]);
             return out;
           })
      .def("__setitem__",
           [](Vec& v, std::ptrdiff_t i, const T& value) { v[list_index(i, v.size())] = value; })
      .def("__delitem__",
           [](Vec& v, std::ptrdiff_t i) { v.erase(v.begin() + static_cast<std::ptrdiff_t>(list_index(i, v.size()))); })
      .def("__delitem__",
           [](Vec& v, const py::slice& s) {
             std::size_t start = 0, stop = 0, step = 0, n = 0;
             if (!s.compute(v.size(), &start, &stop, &step, &n)) throw py::error_already_set();
             std::vector<bool> drop(v.size(), false);
             for (std::size_t k = 0; k < n; ++k, start += step) drop[start] = true;
             Vec kept;
             for (std::size_t k = 0; k < v.size(); ++k)
               if (!drop[k]) kept.push_back(std::move(v[k]));
             v = std::move(kept);
           })
      .def("__iter__",
           [](py::object self) {
             const std::size_t n = self.cast<const Vec&>().size();
             py::list items;
             for (std::size_t i = 0; i < n; ++i) items.append(Item<T>::make(self, i));
             return py::iter(items);
           })
      .def("__contains__",
           [](const Vec& v, const T& x) { return std::find(v.begin(), v.end(), x) != v.end(); })
      .def("__eq__", [](const Vec& a, const Vec& b) { return a == b; }, py::is_operator())
      .def("__ne__", [](const Vec& a, const Vec& b) { return a != b; }, py::is_operator())
      .def("__repr__",
           [list_name](py::object self) {
             std::string out = std::string(list_name) + "[";
             const std::size_t n = self.cast<const Vec&>().size();
             for (std::size_t i = 0; i < n; ++i) {
               if (i > 0) out += ", ";
               out += py::repr(py::cast(T(self.cast<const Vec&>()[i])));
             }
             return out + "]";
           })
      .def("append", [](Vec& v, const T& x) { v.push_back(x); }, "x"_a, "Adds a copy of `x` at the end.")
      .def("extend",
           [convert](Vec& v, const py::iterable& items) {
             Vec add = convert(items);
             v.insert(v.end(), std::make_move_iterator(add.begin()), std::make_move_iterator(add.end()));
           },
           "items"_a)
      .def("insert",
           [](Vec& v, std::ptrdiff_t i, const T& x) {
             const auto n = static_cast<std::ptrdiff_t>(v.size());
             if (i < 0) i = i + n < 0 ? 0 : i + n;
             if (i > n) i = n;
             v.insert(v.begin() + i, x);
           },
           "i"_a, "x"_a)
      .def("pop",
           [](Vec& v, std::ptrdiff_t i) {
             if (v.empty()) throw py::index_error("pop from empty list");
             const std::size_t at = list_index(i, v.size());
             T out = std::move(v[at]);
             v.erase(v.begin() + static_cast<std::ptrdiff_t>(at));
             return out;
           },
           "i"_a = -1, "Removes and returns (a plain copy of) the element at `i`.")
      .def("remove",
           [](Vec& v, const T& x) {
             auto at = std::find(v.begin(), v.end(), x);
             if (at == v.end()) throw py::value_error("x not in list");
             v.erase(at);
           },
           "x"_a)
      .def("clear", [](Vec& v) { v.clear(); })
      .def("index",
           [](const Vec& v, const T& x) {
             auto at = std::find(v.begin(), v.end(), x);
             if (at == v.end()) throw py::value_error("x not in list");
             return static_cast<std::size_t>(at - v.begin());
           },
           "x"_a)
      .def("count", [](const Vec& v, const T& x) { return std::count(v.begin(), v.end(), x); }, "x"_a);
  cls.attr("__hash__") = py::none();
  py::implicitly_convertible<py::list, Vec>();
  py::implicitly_convertible<py::tuple, Vec>();
}

// `model.find_*(id)`: the item of the first element with that id, or None.
template <class T>
py::object find_item(py::object model, const char* list_attr, std::string_view id) {
  py::object list = model.attr(list_attr);
  const std::vector<T>& v = list.cast<const std::vector<T>&>();
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i].id == id) return py::cast(Item<T>::make(std::move(list), i));
  return py::none();
}

// -- Rights ------------------------------------------------------------------------

so::TableRights parse_table_rights(const std::string& s) {
  if (auto crud = so::TableRights::parse_crud(s)) return *crud;
  static const std::pair<const char*, std::uint8_t> kNames[] = {
      {"Select", 1}, {"Update", 2}, {"Insert", 4}, {"Delete", 8}, {"Filtering", 16},
      {"RestrictedUpdate", 32}, {"None", 0}};
  std::uint32_t bits = 0;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find('|', start);
    if (end == std::string::npos) end = s.size();
    const std::string part = s.substr(start, end - start);
    bool found = false;
    for (const auto& [n, b] : kNames)
      if (part == n) {
        bits |= b;
        found = true;
      }
    if (!found)
      throw py::value_error("not table rights: '" + s +
                            "' (use C/R/U/D letters or Select|Update|Insert|Delete|Filtering|RestrictedUpdate)");
    start = end + 1;
  }
  return so::TableRights::from_bits(bits);
}

so::FieldRights parse_field_rights(const std::string& s) {
  if (auto rw = so::FieldRights::parse_rw(s)) return *rw;
  if (s == "Read|Write") return so::FieldRights::from_bits(3);
  if (s == "Read") return so::FieldRights::from_bits(1);
  if (s == "Write") return so::FieldRights::from_bits(2);
  if (s == "None") return {};
  throw py::value_error("not field rights: '" + s + "' (use R/W letters or Read|Write)");
}

// -- Records: host records described by string ids -----------------------------------

// The Python `Record`: ids are strings, resolved against the snapshot at each
// check. An id the snapshot does not know is treated as C++ treats an unknown
// index (an unknown owner is "other associates"; an unknown object denies).
struct PyRecord {
  std::string object;
  std::optional<std::string> owner;
  std::optional<std::string> group;
  std::string visible_for = "all";  // "all", "group:ID" or "associate:ID"
  std::optional<std::string> project;
  std::optional<std::string> company;
  std::optional<std::string> id;
  std::optional<so::Time> publish_from;
  std::optional<so::Time> publish_to;
  std::optional<so::Time> at;
  bool published = false;
  bool completed = false;
  bool is_new = false;
  bool user_person = false;
  bool our_company = false;
  bool database_owner = false;
  bool operator==(const PyRecord&) const = default;
};

so::Record resolve(const so::Snapshot& s, const PyRecord& r) {
  so::Record out;
  out.object = s.find_object(r.object);
  if (r.owner) out.owner = s.find_user(*r.owner);
  if (r.group) out.group = s.find_group(*r.group);
  const std::string& v = r.visible_for;
  if (v.rfind("group:", 0) == 0) {
    out.visibility = so::Visibility::group(s.find_group(std::string_view(v).substr(6)));
  } else if (v.rfind("associate:", 0) == 0) {
    out.visibility = so::Visibility::associate(s.find_user(std::string_view(v).substr(10)));
  } else if (v != "all" && !v.empty()) {
    throw py::value_error("visible_for must be 'all', 'group:ID' or 'associate:ID', not '" + v + "'");
  }
  if (r.project) out.project = s.find_project(*r.project);
  if (r.company) out.company = s.find_company(*r.company);
  if (r.id) out.id = so::record_key(*r.id);
  if (r.publish_from) out.publish_from = *r.publish_from;
  if (r.publish_to) out.publish_to = *r.publish_to;
  if (r.at) out.at = *r.at;
  out.published = r.published;
  out.completed = r.completed;
  out.is_new = r.is_new;
  out.user_person = r.user_person;
  out.our_company = r.our_company;
  out.database_owner = r.database_owner;
  return out;
}

// Times: an int (seconds since 1970) or a datetime (naive = UTC).
std::optional<so::Time> to_time(py::handle value) {
  if (value.is_none()) return std::nullopt;
  if (py::isinstance<py::int_>(value)) return value.cast<so::Time>();
  py::module_ dt = py::module_::import("datetime");
  if (py::isinstance(value, dt.attr("datetime"))) {
    py::object v = py::reinterpret_borrow<py::object>(value);
    if (v.attr("tzinfo").is_none()) v = v.attr("replace")("tzinfo"_a = dt.attr("timezone").attr("utc"));
    return static_cast<so::Time>(v.attr("timestamp")().cast<double>());
  }
  if (py::isinstance(value, dt.attr("date"))) {
    py::object v = dt.attr("datetime")(value.attr("year"), value.attr("month"), value.attr("day"),
                                       "tzinfo"_a = dt.attr("timezone").attr("utc"));
    return static_cast<so::Time>(v.attr("timestamp")().cast<double>());
  }
  throw py::type_error("a time is an int (seconds since 1970), a datetime or a date");
}

// -- Explanations ---------------------------------------------------------------------

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

using SnapshotPtr = std::shared_ptr<so::Snapshot>;

SnapshotPtr share(so::Snapshot s) { return std::make_shared<so::Snapshot>(std::move(s)); }

std::vector<std::string> names(std::size_t n, const std::function<std::string_view(std::uint32_t)>& f) {
  std::vector<std::string> out;
  out.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) out.emplace_back(f(i));
  return out;
}

template <class E>
void enum_from_str(py::enum_<E>& e, std::optional<E> (*parse)(std::string_view), const char* what) {
  e.def(py::init([parse, what](const std::string& s) {
          if (auto v = parse(s)) return *v;
          throw py::value_error(std::string("not a ") + what + ": '" + s + "'");
        }),
        "Parses the model-file name, e.g. 'primary_group'.");
  py::implicitly_convertible<py::str, E>();
}

std::optional<so::Action> parse_action_sv(std::string_view s) { return so::parse_action(s); }
std::optional<so::Relation> parse_relation_sv(std::string_view s) { return so::parse_relation(s); }
std::optional<so::UserType> parse_user_type_sv(std::string_view s) { return so::parse_user_type(s); }
std::optional<so::RoleType> parse_role_type_sv(std::string_view s) { return so::parse_role_type(s); }

#include "queries_bindings.hpp"  // QueryIndex, run_policy_tests

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "sorights: authorization and user model for business applications (C++ core).";
  m.attr("__version__") = std::to_string(SORIGHTS_VERSION_MAJOR) + "." +
                          std::to_string(SORIGHTS_VERSION_MINOR) + "." +
                          std::to_string(SORIGHTS_VERSION_PATCH);

  // -- Enums ---------------------------------------------------------------------------
  py::enum_<so::ErrorCode>(m, "ErrorCode", "The code of an error; the numbers are stable.")
      .value("OK", so::ErrorCode::kOk)
      .value("INVALID_ARGUMENT", so::ErrorCode::kInvalidArgument)
      .value("NOT_FOUND", so::ErrorCode::kNotFound)
      .value("ALREADY_EXISTS", so::ErrorCode::kAlreadyExists)
      .value("FAILED_PRECONDITION", so::ErrorCode::kFailedPrecondition)
      .value("PERMISSION_DENIED", so::ErrorCode::kPermissionDenied)
      .value("CONFLICT", so::ErrorCode::kConflict)
      .value("UNAVAILABLE", so::ErrorCode::kUnavailable)
      .value("DATA_LOSS", so::ErrorCode::kDataLoss)
      .value("INTERNAL", so::ErrorCode::kInternal);

  py::enum_<so::UserType> user_type(m, "UserType", "The kind of a user.");
  user_type.value("ASSOCIATE", so::UserType::kAssociate)
      .value("RESOURCE", so::UserType::kResource)
      .value("EXTERNAL", so::UserType::kExternal)
      .value("ANONYMOUS", so::UserType::kAnonymous)
      .value("SYSTEM", so::UserType::kSystem);
  enum_from_str(user_type, &parse_user_type_sv, "user type");

  py::enum_<so::RoleType> role_type(m, "RoleType", "The type of a role.");
  role_type.value("EMPLOYEE", so::RoleType::kEmployee)
      .value("EXTERNAL", so::RoleType::kExternal)
      .value("ANONYMOUS", so::RoleType::kAnonymous)
      .value("SYSTEM", so::RoleType::kSystem);
  enum_from_str(role_type, &parse_role_type_sv, "role type");

  py::enum_<so::Relation> relation(m, "Relation", "How a record relates to the user who asks.");
  relation.value("OWN", so::Relation::kOwn)
      .value("PRIMARY_GROUP", so::Relation::kPrimaryGroup)
      .value("OTHER_ASSOCIATES", so::Relation::kOtherAssociates)
      .value("OTHER_GROUPS", so::Relation::kOtherGroups)
      .value("EXTERNAL", so::Relation::kExternal)
      .value("ANONYMOUS", so::Relation::kAnonymous)
      .value("MY_COMPANY", so::Relation::kMyCompany)
      .value("SAME_PROJECT", so::Relation::kSameProject);
  enum_from_str(relation, &parse_relation_sv, "relation");

  py::enum_<so::Action> action(m, "Action", "What a user asks to do with a record.");
  action.value("READ", so::Action::kRead)
      .value("CREATE", so::Action::kCreate)
      .value("UPDATE", so::Action::kUpdate)
      .value("DELETE", so::Action::kDelete);
  enum_from_str(action, &parse_action_sv, "action");

  py::enum_<so::LicenceKind>(m, "LicenceKind")
      .value("SITE", so::LicenceKind::kSite)
      .value("USER", so::LicenceKind::kUser);
  py::enum_<so::OverrideLevel>(m, "OverrideLevel")
      .value("SYSTEM", so::OverrideLevel::kSystem)
      .value("GROUP", so::OverrideLevel::kGroup)
      .value("USER", so::OverrideLevel::kUser);
  py::enum_<so::OverrideScope>(m, "OverrideScope")
      .value("ALL", so::OverrideScope::kAll)
      .value("NEW", so::OverrideScope::kNew)
      .value("EXISTING", so::OverrideScope::kExisting)
      .value("RECORD", so::OverrideScope::kRecord);
  py::enum_<so::Outcome>(m, "Outcome", "How an evaluation went before (or instead of) the matrix.")
      .value("EVALUATED", so::Outcome::kEvaluated)
      .value("NO_SUCH_USER", so::Outcome::kNoSuchUser)
      .value("NO_SUCH_OBJECT", so::Outcome::kNoSuchObject)
      .value("INACTIVE_USER", so::Outcome::kInactiveUser)
      .value("SYSTEM_USER", so::Outcome::kSystemUser);
  py::enum_<so::Layer>(m, "Layer", "The narrowing layers, in the order they apply.")
      .value("LICENCE", so::Layer::kLicence)
      .value("OTHER_COMPANY", so::Layer::kOtherCompany)
      .value("VISIBILITY", so::Layer::kVisibility)
      .value("PUBLISHING", so::Layer::kPublishing)
      .value("OVERRIDE", so::Layer::kOverride)
      .value("RECORD_STATE", so::Layer::kRecordState);
  py::enum_<so::InactiveReason>(m, "InactiveReason")
      .value("NONE", so::InactiveReason::kNone)
      .value("RETIRED", so::InactiveReason::kRetired)
      .value("FORMER_EMPLOYEE", so::InactiveReason::kFormerEmployee)
      .value("LOGIN_OFF", so::InactiveReason::kLoginOff)
      .value("RESOURCE", so::InactiveReason::kResource);
  py::enum_<so::EntityKind>(m, "EntityKind")
      .value("OUR_COMPANY", so::EntityKind::kOurCompany)
      .value("GROUP", so::EntityKind::kGroup)
      .value("LICENCE", so::EntityKind::kLicence)
      .value("PLAN", so::EntityKind::kPlan)
      .value("FUNCTIONAL_RIGHT", so::EntityKind::kFunctionalRight)
      .value("OBJECT", so::EntityKind::kObject)
      .value("ROLE", so::EntityKind::kRole)
      .value("USER", so::EntityKind::kUser)
      .value("FIELD_RIGHTS", so::EntityKind::kFieldRights)
      .value("OVERRIDES", so::EntityKind::kOverrides);

  // -- Exceptions: Error and one subclass per code ------------------------------------
  {
    PyObject* base = PyErr_NewExceptionWithDoc(
        "sorights.Error",
        "A failed sorights operation. Attributes: code (ErrorCode), message (str), "
        "diagnostics (list[Diagnostic]).",
        PyExc_Exception, nullptr);
    py::object error = py::reinterpret_steal<py::object>(base);
    m.attr("Error") = error;
    struct Sub {
      so::ErrorCode code;
      const char* name;
      PyObject* also;
    };
    const Sub subs[] = {
        {so::ErrorCode::kInvalidArgument, "InvalidArgumentError", PyExc_ValueError},
        {so::ErrorCode::kNotFound, "NotFoundError", PyExc_LookupError},
        {so::ErrorCode::kAlreadyExists, "AlreadyExistsError", nullptr},
        {so::ErrorCode::kFailedPrecondition, "ValidationError", nullptr},
        {so::ErrorCode::kPermissionDenied, "PermissionDeniedError", PyExc_PermissionError},
        {so::ErrorCode::kConflict, "ConflictError", nullptr},
        {so::ErrorCode::kUnavailable, "UnavailableError", PyExc_OSError},
        {so::ErrorCode::kDataLoss, "DataLossError", nullptr},
        {so::ErrorCode::kInternal, "InternalError", nullptr},
    };
    error_classes()[static_cast<int>(so::ErrorCode::kOk)] = error;
    for (const Sub& s : subs) {
      py::tuple bases = s.also != nullptr
                            ? py::make_tuple(error, py::reinterpret_borrow<py::object>(s.also))
                            : py::make_tuple(error);
      const std::string qualified = std::string("sorights.") + s.name;
      py::object cls = py::reinterpret_steal<py::object>(
          PyErr_NewException(qualified.c_str(), bases.ptr(), nullptr));
      m.attr(s.name) = cls;
      error_classes()[static_cast<int>(s.code)] = cls;
    }
    m.attr("FailedPreconditionError") = m.attr("ValidationError");
  }

  py::class_<so::Diagnostic>(m, "Diagnostic", "One problem found while validating.")
      .def_readonly("collection", &so::Diagnostic::collection)
      .def_readonly("item", &so::Diagnostic::item)
      .def_readonly("field", &so::Diagnostic::field)
      .def_readonly("rule", &so::Diagnostic::rule)
      .def_readonly("message", &so::Diagnostic::message)
      .def("__str__", &so::Diagnostic::to_string)
      .def("__repr__", [](const so::Diagnostic& d) {
        return "<sorights.Diagnostic " + d.rule + ": " + d.to_string() + ">";
      });

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const PyError& e) {
      auto& classes = error_classes();
      auto it = classes.find(static_cast<int>(e.error.code));
      py::object cls = it != classes.end() ? it->second : classes[0];
      py::object exc = cls(e.error.to_string());
      exc.attr("code") = py::cast(e.error.code);
      exc.attr("message") = py::str(e.error.message);
      exc.attr("diagnostics") = py::cast(e.error.diagnostics);
      PyErr_SetObject(cls.ptr(), exc.ptr());
    }
  });

  // -- Rights ----------------------------------------------------------------------------
  py::class_<so::TableRights> table_rights(m, "TableRights",
      "A set of table rights (Select 1, Update 2, Insert 4, Delete 8, Filtering 16, "
      "RestrictedUpdate 32). Built from an int, C/R/U/D letters ('CRUD', 'R', '') or "
      "flag names ('Select|Update'); wherever a TableRights is expected, such a str or "
      "int is accepted too.");
  table_rights.def(py::init<>())
      .def(py::init([](std::uint32_t bits) {
             if (bits > 63) throw py::value_error("table-right bits are 0..63");
             return so::TableRights::from_bits(bits);
           }),
           "bits"_a)
      .def(py::init(&parse_table_rights), "text"_a)
      .def_property_readonly("bits", &so::TableRights::bits)
      .def_property_readonly("crud", &so::TableRights::to_crud, "The C/R/U/D letters, e.g. 'CRU'.")
      .def("allows", &so::TableRights::allows, "action"_a, "True if the set holds the right `action` needs.")
      .def("contains_all", &so::TableRights::contains_all, "wanted"_a)
      .def("contains_any", &so::TableRights::contains_any, "wanted"_a)
      .def("__contains__", &so::TableRights::contains_all)
      .def("__bool__", [](so::TableRights r) { return !r.empty(); })
      .def("__int__", &so::TableRights::bits)
      .def("__index__", &so::TableRights::bits)
      .def("__str__", &so::TableRights::to_string)
      .def("__repr__", [](so::TableRights r) { return "sorights.TableRights('" + r.to_string() + "')"; })
      .def("__hash__", &so::TableRights::bits)
      .def("__eq__", [](so::TableRights a, so::TableRights b) { return a == b; }, py::is_operator())
      .def("__ne__", [](so::TableRights a, so::TableRights b) { return a != b; }, py::is_operator())
      .def("__or__", [](so::TableRights a, so::TableRights b) { return a | b; }, py::is_operator())
      .def("__ror__", [](so::TableRights a, so::TableRights b) { return a | b; }, py::is_operator())
      .def("__and__", [](so::TableRights a, so::TableRights b) { return a & b; }, py::is_operator())
      .def("__rand__", [](so::TableRights a, so::TableRights b) { return a & b; }, py::is_operator())
      .def("__sub__", [](so::TableRights a, so::TableRights b) { return a - b; }, py::is_operator())
      .def(py::pickle([](so::TableRights r) { return r.bits(); },
                      [](std::uint8_t bits) { return so::TableRights::from_bits(bits); }));
  table_rights.attr("NONE") = so::TableRights::none();
  table_rights.attr("SELECT") = so::TableRights(so::TableRight::kSelect);
  table_rights.attr("UPDATE") = so::TableRights(so::TableRight::kUpdate);
  table_rights.attr("INSERT") = so::TableRights(so::TableRight::kInsert);
  table_rights.attr("DELETE") = so::TableRights(so::TableRight::kDelete);
  table_rights.attr("FILTERING") = so::TableRights(so::TableRight::kFiltering);
  table_rights.attr("RESTRICTED_UPDATE") = so::TableRights(so::TableRight::kRestrictedUpdate);
  table_rights.attr("FULL") = so::TableRights::full();
  py::implicitly_convertible<py::str, so::TableRights>();
  py::implicitly_convertible<py::int_, so::TableRights>();

  py::class_<so::FieldRights> field_rights(m, "FieldRights",
      "A field right: Read 1, Write 2, plus the UI hints Mandatory 64 and ReadOnly 128. "
      "Built from an int, 'RW' letters or 'Read|Write'.");
  field_rights.def(py::init<>())
      .def(py::init([](std::uint32_t bits) { return so::FieldRights::from_bits(bits); }), "bits"_a)
      .def(py::init(&parse_field_rights), "text"_a)
      .def_property_readonly("bits", &so::FieldRights::bits)
      .def_property_readonly("can_read", &so::FieldRights::can_read)
      .def_property_readonly("can_write", &so::FieldRights::can_write)
      .def_property_readonly("mandatory", &so::FieldRights::mandatory)
      .def_property_readonly("ui_read_only", &so::FieldRights::ui_read_only)
      .def_property_readonly("letters", &so::FieldRights::to_letters)
      .def("__bool__", [](so::FieldRights r) { return r.bits() != 0; })
      .def("__int__", &so::FieldRights::bits)
      .def("__str__", &so::FieldRights::to_string)
      .def("__repr__", [](so::FieldRights r) { return "sorights.FieldRights('" + r.to_string() + "')"; })
      .def("__hash__", &so::FieldRights::bits)
      .def("__eq__", [](so::FieldRights a, so::FieldRights b) { return a == b; }, py::is_operator())
      .def("__ne__", [](so::FieldRights a, so::FieldRights b) { return a != b; }, py::is_operator());
  field_rights.attr("NONE") = so::FieldRights{};
  field_rights.attr("READ") = so::FieldRights(so::FieldRight::kRead);
  field_rights.attr("WRITE") = so::FieldRights(so::FieldRight::kWrite);
  field_rights.attr("READ_WRITE") = so::FieldRights::from_bits(3);
  py::implicitly_convertible<py::str, so::FieldRights>();
  py::implicitly_convertible<py::int_, so::FieldRights>();

  // -- Model value types -------------------------------------------------------------------
  py::class_<so::OurCompany> our_company(m, "OurCompany", "A company among our companies.");
  our_company.def_readwrite("id", &so::OurCompany::id)
      .def_readwrite("name", &so::OurCompany::name)
      .def_readwrite("database_owner", &so::OurCompany::database_owner);
  value_type<so::OurCompany>(our_company, "OurCompany", {"id", "name", "database_owner"});

  py::class_<so::Group> group(m, "Group", "A user group.");
  group.def_readwrite("id", &so::Group::id).def_readwrite("name", &so::Group::name);
  value_type<so::Group>(group, "Group", {"id", "name"});

  py::class_<so::Licence> licence(m, "Licence", "A site or user licence.");
  licence.def_readwrite("id", &so::Licence::id)
      .def_readwrite("name", &so::Licence::name)
      .def_readwrite("kind", &so::Licence::kind)
      .def_readwrite("count", &so::Licence::count)
      .def_readwrite("unrestricted", &so::Licence::unrestricted)
      .def_readwrite("requires_licences", &so::Licence::requires_licences)
      .def_readwrite("cal_for", &so::Licence::cal_for);
  value_type<so::Licence>(licence, "Licence",
                          {"id", "name", "kind", "count", "unrestricted", "requires_licences", "cal_for"});

  py::class_<so::Plan> plan(m, "Plan", "A user plan: user licences assigned together.");
  plan.def_readwrite("id", &so::Plan::id)
      .def_readwrite("name", &so::Plan::name)
      .def_readwrite("licences", &so::Plan::licences);
  value_type<so::Plan>(plan, "Plan", {"id", "name", "licences"});

  py::class_<so::FunctionalRightDef> right_def(m, "FunctionalRightDef",
                                               "A functional right declared by the host.");
  right_def.def_readwrite("id", &so::FunctionalRightDef::id)
      .def_readwrite("name", &so::FunctionalRightDef::name)
      .def_readwrite("requires_licence", &so::FunctionalRightDef::requires_licence)
      .def_readwrite("restrictive", &so::FunctionalRightDef::restrictive);
  value_type<so::FunctionalRightDef>(right_def, "FunctionalRightDef", {"id", "name", "requires_licence", "restrictive"});

  py::class_<so::DataObjectDef> object_def(m, "DataObjectDef", "A custom data object.");
  object_def.def_readwrite("id", &so::DataObjectDef::id)
      .def_readwrite("name", &so::DataObjectDef::name)
      .def_readwrite("empty_owner_is_user", &so::DataObjectDef::empty_owner_is_user)
      .def_readwrite("has_visibility", &so::DataObjectDef::has_visibility)
      .def_readwrite("completed_is_locked", &so::DataObjectDef::completed_is_locked);
  value_type<so::DataObjectDef>(object_def, "DataObjectDef",
                                {"id", "name", "empty_owner_is_user", "has_visibility", "completed_is_locked"});

  py::class_<so::Role> role(m, "Role",
      "A role: a type, a data-rights matrix (object x relation -> TableRights) and "
      "functional rights.");
  role.def_readwrite("id", &so::Role::id)
      .def_readwrite("name", &so::Role::name)
      .def_readwrite("description", &so::Role::description)
      .def_readwrite("type", &so::Role::type)
      .def_readwrite("functional_rights", &so::Role::functional_rights)
      .def_property(
          "data_rights",
          [](const so::Role& r) {
            py::dict out;
            for (const auto& [object, cells] : r.data_rights) {
              py::dict row;
              for (int i = 0; i < so::kRelationCount; ++i)
                row[py::cast(static_cast<so::Relation>(i))] = cells[static_cast<std::size_t>(i)];
              out[py::str(object)] = row;
            }
            return out;
          },
          [](so::Role& r, const py::dict& rows) {
            std::map<std::string, so::RelationCells> next;
            for (auto [object, row] : rows) {
              so::RelationCells& cells = next[py::str(object)];
              for (auto [rel, rights] : row.cast<py::dict>())
                cells[static_cast<std::size_t>(rel.cast<so::Relation>())] =
                    rights.cast<so::TableRights>() & so::TableRights::full();
            }
            r.data_rights = std::move(next);
          },
          "The matrix as {object: {Relation: TableRights}} (a copy; assign to replace it).")
      .def("cell", &so::Role::cell, "object"_a, "relation"_a,
           "The cell for (object, relation); TableRights.NONE if the row is absent.")
      .def("set_cell", &so::Role::set_cell, "object"_a, "relation"_a, "rights"_a,
           "Sets one cell (only C/R/U/D are kept), e.g. role.set_cell('sale', 'own', 'CRUD').")
      .def("has_right", &so::Role::has_right, "right"_a);
  value_type<so::Role>(role, "Role", {"id", "name", "description", "type", "functional_rights"});
  guard_fields(role, "Role", {"data_rights"});

  py::class_<so::FieldRightRule> field_rule(m, "FieldRightRule",
                                            "The most a role gets on one field of an object, per relation.");
  field_rule.def_readwrite("role", &so::FieldRightRule::role)
      .def_readwrite("object", &so::FieldRightRule::object)
      .def_readwrite("field", &so::FieldRightRule::field)
      .def_readwrite("relation", &so::FieldRightRule::relation)
      .def_readwrite("rights", &so::FieldRightRule::rights)
      .def_readwrite("ui_mandatory", &so::FieldRightRule::ui_mandatory)
      .def_readwrite("ui_read_only", &so::FieldRightRule::ui_read_only);
  value_type<so::FieldRightRule>(field_rule, "FieldRightRule",
                                 {"role", "object", "field", "relation", "rights", "ui_mandatory", "ui_read_only"});

  py::class_<so::Override> override_(m, "Override", "A rights override: removes rights at some level.");
  override_.def_readwrite("level", &so::Override::level)
      .def_readwrite("target", &so::Override::target)
      .def_readwrite("object", &so::Override::object)
      .def_readwrite("scope", &so::Override::scope)
      .def_readwrite("record", &so::Override::record)
      .def_readwrite("field", &so::Override::field)
      .def_readwrite("remove", &so::Override::remove,
                     "Bits to remove: TableRights bits at table level, R 1 / W 2 at field level.");
  value_type<so::Override>(override_, "Override", {"level", "target", "object", "scope", "record", "field", "remove"});

  py::class_<so::User> user(m, "User", "A user of any type.");
  user.def_readwrite("id", &so::User::id)
      .def_readwrite("type", &so::User::type)
      .def_readwrite("name", &so::User::name)
      .def_readwrite("person", &so::User::person)
      .def_readwrite("company", &so::User::company)
      .def_readwrite("role", &so::User::role)
      .def_readwrite("group", &so::User::group)
      .def_readwrite("other_groups", &so::User::other_groups)
      .def_readwrite("plan", &so::User::plan)
      .def_readwrite("licences", &so::User::licences)
      .def_readwrite("projects", &so::User::projects)
      .def_readwrite("can_log_in", &so::User::can_log_in)
      .def_readwrite("former_employee", &so::User::former_employee)
      .def_readwrite("retired", &so::User::retired);
  value_type<so::User>(user, "User",
                       {"id", "type", "name", "person", "company", "role", "group", "other_groups", "plan",
                        "licences", "projects", "can_log_in", "former_employee", "retired"});

  bind_model_list<so::OurCompany>(m, our_company, "OurCompanyList", "_OurCompanyItem");
  bind_model_list<so::Group>(m, group, "GroupList", "_GroupItem");
  bind_model_list<so::Licence>(m, licence, "LicenceList", "_LicenceItem");
  bind_model_list<so::Plan>(m, plan, "PlanList", "_PlanItem");
  bind_model_list<so::FunctionalRightDef>(m, right_def, "FunctionalRightDefList", "_FunctionalRightDefItem");
  bind_model_list<so::DataObjectDef>(m, object_def, "DataObjectDefList", "_DataObjectDefItem");
  bind_model_list<so::Role>(m, role, "RoleList", "_RoleItem");
  bind_model_list<so::FieldRightRule>(m, field_rule, "FieldRightRuleList", "_FieldRightRuleItem");
  bind_model_list<so::Override>(m, override_, "OverrideList", "_OverrideItem");
  bind_model_list<so::User>(m, user, "UserList", "_UserItem");

  py::class_<so::Snapshot, SnapshotPtr> snapshot(m, "Snapshot");

  py::class_<so::Model> model(m, "Model",
      "The whole user model. Model.with_defaults() holds the twelve predefined roles; "
      "the lists (users, roles, ...) are edited in place: model.users.append(User(...)).");
  model.def_readwrite("our_companies", &so::Model::our_companies)
      .def_readwrite("groups", &so::Model::groups)
      .def_readwrite("licences", &so::Model::licences)
      .def_readwrite("plans", &so::Model::plans)
      .def_readwrite("functional_rights", &so::Model::functional_rights)
      .def_readwrite("objects", &so::Model::objects)
      .def_readwrite("roles", &so::Model::roles)
      .def_readwrite("field_rights", &so::Model::field_rights)
      .def_readwrite("overrides", &so::Model::overrides)
      .def_readwrite("users", &so::Model::users)
      .def_static("with_defaults", &so::Model::with_defaults,
                  "A model holding the twelve predefined roles and nothing else.")
      .def("find_role", [](py::object self, std::string_view id) { return find_item<so::Role>(self, "roles", id); },
           "id"_a, "The role (an item of model.roles), or None.")
      .def("find_user", [](py::object self, std::string_view id) { return find_item<so::User>(self, "users", id); },
           "id"_a, "The user (an item of model.users), or None.")
      .def("find_group", [](py::object self, std::string_view id) { return find_item<so::Group>(self, "groups", id); },
           "id"_a)
      .def("find_our_company",
           [](py::object self, std::string_view id) { return find_item<so::OurCompany>(self, "our_companies", id); },
           "id"_a)
      .def("find_licence",
           [](py::object self, std::string_view id) { return find_item<so::Licence>(self, "licences", id); }, "id"_a)
      .def("find_plan", [](py::object self, std::string_view id) { return find_item<so::Plan>(self, "plans", id); },
           "id"_a)
      .def("validate", &so::validate, "Every rule the model breaks (empty when valid).")
      .def("compile",
           [](const so::Model& mdl, std::uint64_t version) { return share(ok(so::compile(mdl, version))); },
           "version"_a = 0, "Validates and compiles; raises ValidationError listing every problem.")
      .def("__repr__", [](const so::Model& mdl) {
        return "<sorights.Model " + std::to_string(mdl.users.size()) + " users, " +
               std::to_string(mdl.roles.size()) + " roles, " + std::to_string(mdl.groups.size()) +
               " groups, " + std::to_string(mdl.our_companies.size()) + " companies>";
      });
  value_type<so::Model>(model, "Model", {}, /*repr=*/false);

  m.def("compile", [](const so::Model& mdl, std::uint64_t version) { return share(ok(so::compile(mdl, version))); },
        "model"_a, "version"_a = 0,
        "Validates and compiles `model` into a Snapshot; raises ValidationError listing every problem.");
  m.def("validate", &so::validate, "model"_a, "Every rule `model` breaks (empty when valid).");
  m.def("predefined_role", &so::predefined_role, "id"_a, "The predefined role `id` at its defaults, or None.");
  m.attr("PREDEFINED_ROLE_IDS") = py::cast([] {
    std::vector<std::string> out;
    for (std::string_view id : so::kPredefinedRoleIds) out.emplace_back(id);
    return out;
  }());
  m.attr("BUILTIN_OBJECTS") = py::cast([] {
    std::vector<std::string> out;
    for (std::string_view id : so::kBuiltinObjectNames) out.emplace_back(id);
    return out;
  }());
  m.attr("BUILTIN_RIGHTS") = py::cast([] {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < so::kBuiltinRightCount; ++i) out.emplace_back(so::builtin_right_id(i));
    return out;
  }());
  m.def("record_key", [](const std::string& id) { return so::record_key(id); }, "id"_a,
        "The stable 64-bit key of a host record id (record-scoped overrides).");

  // -- Records, snapshots, explanations ------------------------------------------------------
  py::class_<PyRecord> record(m, "Record",
      "A host record, described by string ids: object, owner, group, visible_for "
      "('all', 'group:ID' or 'associate:ID'), project, company, id, publish window, "
      "state flags. Ids the snapshot does not know are allowed (an unknown object denies).");
  record.def_readwrite("object", &PyRecord::object)
      .def_readwrite("owner", &PyRecord::owner)
      .def_readwrite("group", &PyRecord::group)
      .def_readwrite("visible_for", &PyRecord::visible_for)
      .def_readwrite("project", &PyRecord::project)
      .def_readwrite("company", &PyRecord::company)
      .def_readwrite("id", &PyRecord::id)
      .def_property(
          "publish_from", [](const PyRecord& r) { return r.publish_from; },
          [](PyRecord& r, py::handle v) { r.publish_from = to_time(v); })
      .def_property(
          "publish_to", [](const PyRecord& r) { return r.publish_to; },
          [](PyRecord& r, py::handle v) { r.publish_to = to_time(v); })
      .def_property(
          "at", [](const PyRecord& r) { return r.at; }, [](PyRecord& r, py::handle v) { r.at = to_time(v); })
      .def_readwrite("published", &PyRecord::published)
      .def_readwrite("completed", &PyRecord::completed)
      .def_readwrite("is_new", &PyRecord::is_new)
      .def_readwrite("user_person", &PyRecord::user_person)
      .def_readwrite("our_company", &PyRecord::our_company)
      .def_readwrite("database_owner", &PyRecord::database_owner);
  value_type<PyRecord>(record, "Record",
                       {"object", "owner", "group", "visible_for", "project", "company", "id", "publish_from",
                        "publish_to", "at", "published", "completed", "is_new", "user_person", "our_company",
                        "database_owner"});

  py::class_<PyLayerEffect>(m, "LayerEffect", "What one narrowing layer did.")
      .def_readonly("layer", &PyLayerEffect::layer)
      .def_readonly("removed", &PyLayerEffect::removed)
      .def_readonly("added", &PyLayerEffect::added)
      .def_readonly("after", &PyLayerEffect::after)
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

  // -- Storage, directory, transactions -------------------------------------------------------
  py::class_<so::Change>(m, "Change", "One changed entity: before None = added, after None = removed.")
      .def_readonly("kind", &so::Change::kind)
      .def_readonly("id", &so::Change::id)
      .def_readonly("before", &so::Change::before)
      .def_readonly("after", &so::Change::after)
      .def("__repr__", [](const so::Change& c) {
        const char* what = !c.before ? "added" : !c.after ? "removed" : "changed";
        return "<sorights.Change " + std::string(so::kEntityKindNames[static_cast<std::size_t>(c.kind)]) + " '" +
               c.id + "' " + what + ">";
      });
  py::class_<so::AuditEntry>(m, "AuditEntry", "One committed (or refused) change set.")
      .def_readonly("version", &so::AuditEntry::version)
      .def_readonly("time", &so::AuditEntry::time)
      .def_readonly("actor", &so::AuditEntry::actor)
      .def_readonly("refused", &so::AuditEntry::refused)
      .def_readonly("reason", &so::AuditEntry::reason)
      .def_readonly("changes", &so::AuditEntry::changes)
      .def("__repr__", [](const so::AuditEntry& e) {
        return "<sorights.AuditEntry v" + std::to_string(e.version) + " by '" + e.actor + "'" +
               (e.refused ? " refused: " + e.reason : ", " + std::to_string(e.changes.size()) + " change(s)") + ">";
      });

  py::class_<so::ChangeSet>(m, "ChangeSet", "What one commit writes: StorageAdapter.apply's argument.")
      .def_readonly("base_version", &so::ChangeSet::base_version)
      .def_readonly("version", &so::ChangeSet::version)
      .def_readonly("time", &so::ChangeSet::time)
      .def_readonly("actor", &so::ChangeSet::actor)
      .def_readonly("changes", &so::ChangeSet::changes)
      .def("audit_entry",
           [](const so::ChangeSet& c) { return so::AuditEntry{c.version, c.time, c.actor, false, {}, c.changes}; },
           "The audit-trail entry of this change set, committed.")
      .def("__repr__", [](const so::ChangeSet& c) {
        return "<sorights.ChangeSet v" + std::to_string(c.base_version) + "->v" + std::to_string(c.version) +
               " by '" + c.actor + "', " + std::to_string(c.changes.size()) + " change(s)>";
      });
  py::class_<so::AuditQuery>(m, "AuditQuery", "StorageAdapter.audit's filter; empty members match everything.")
      .def_readonly("user", &so::AuditQuery::user)
      .def_readonly("role", &so::AuditQuery::role)
      .def_readonly("include_refused", &so::AuditQuery::include_refused)
      .def("matches", [](const so::AuditQuery& q, const so::AuditEntry& e) { return so::audit_matches(e, q); },
           "entry"_a, "True if `entry` is one this query asks for.");
  m.def("apply_changes", [](so::Model& mdl, const std::vector<so::Change>& changes) { ok(so::apply_changes(mdl, changes)); },
        "model"_a, "changes"_a,
        "Applies a change set's changes to `model` in place, all or nothing (for storage adapters).");

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
      .def(py::init([](const std::optional<so::Model>& mdl, std::uint64_t version) {
             if (!mdl) return std::make_shared<so::InMemoryStorage>();
             return std::make_shared<so::InMemoryStorage>(so::StoredModel{*mdl, version});
           }),
           "model"_a = py::none(), "version"_a = 0,
           "Holds `model` (default: the predefined roles) at `version`.")
      .def("__repr__", [](so::InMemoryStorage& s) {
        auto v = s.version();
        return "<sorights.InMemoryStorage version=" + std::to_string(v ? *v : 0) + ">";
      });

#if SORIGHTS_PY_WITH_STORAGE
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
  m.attr("HAS_STORAGE") = true;
#else
  m.attr("HAS_STORAGE") = false;
#endif

#if SORIGHTS_PY_WITH_DIRECTORY
  py::enum_<so::MoveRecords>(m, "MoveRecords")
      .value("LEAVE", so::MoveRecords::kLeave)
      .value("MOVE_ALL", so::MoveRecords::kMoveAll)
      .value("MOVE_FROM", so::MoveRecords::kMoveFrom);
  py::class_<so::UserMove>(m, "UserMove")
      .def_readonly("user", &so::UserMove::user)
      .def_readonly("from_company", &so::UserMove::from_company)
      .def_readonly("to_company", &so::UserMove::to_company)
      .def_readonly("records", &so::UserMove::records)
      .def_readonly("from_time", &so::UserMove::from);
  py::class_<so::CommitInfo>(m, "CommitInfo", "What a commit published.")
      .def_readonly("version", &so::CommitInfo::version)
      .def_readonly("time", &so::CommitInfo::time)
      .def_readonly("changes", &so::CommitInfo::changes)
      .def_readonly("moves", &so::CommitInfo::moves)
      .def("__repr__", [](const so::CommitInfo& c) {
        return "<sorights.CommitInfo version=" + std::to_string(c.version) + ", " +
               std::to_string(c.changes.size()) + " change(s)>";
      });

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
  m.attr("HAS_DIRECTORY") = true;
#else
  m.attr("HAS_DIRECTORY") = false;
#endif
  bind_queries(m);
  bind_names(m);
}
