// Internal to the Python module: what every binder file shares. The int
// casters and the opaque model lists must be seen by every translation unit
// of the module (they change how pybind11 converts those types), so every
// bind_*.cpp includes this header first.
#ifndef SORIGHTS_BINDINGS_PYTHON_SUPPORT_HPP_
#define SORIGHTS_BINDINGS_PYTHON_SUPPORT_HPP_

#include <pybind11/functional.h>
#include <pybind11/operators.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl_bind.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/preprocessor/seq/for_each.hpp>
#include <boost/preprocessor/stringize.hpp>
#include <boost/preprocessor/tuple/elem.hpp>
#include <boost/preprocessor/variadic/to_seq.hpp>

#include "sorights/ids.hpp"
#include "sorights/model_describe.hpp"
#include "sorights/sorights.hpp"

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

PYBIND11_MAKE_OPAQUE(std::vector<so::OurCompany>)
PYBIND11_MAKE_OPAQUE(std::vector<so::Group>)
PYBIND11_MAKE_OPAQUE(std::vector<so::Licence>)
PYBIND11_MAKE_OPAQUE(std::vector<so::Plan>)
PYBIND11_MAKE_OPAQUE(std::vector<so::FunctionalRightDef>)
PYBIND11_MAKE_OPAQUE(std::vector<so::DataObjectDef>)
PYBIND11_MAKE_OPAQUE(std::vector<so::Role>)
PYBIND11_MAKE_OPAQUE(std::vector<so::FieldRightRule>)
PYBIND11_MAKE_OPAQUE(std::vector<so::Override>)

// `.def_readonly("f", &T::f)` for each field f named:
//   py::class_<so::Change>(m, "Change") SORIGHTS_PY_READONLY(so::Change, kind, id, before, after);
// SORIGHTS_PY_READWRITE the same with `.def_readwrite`.
#define SORIGHTS_PY_READONLY(T, ...) SORIGHTS_PY_FIELDS(def_readonly, T, __VA_ARGS__)
#define SORIGHTS_PY_READWRITE(T, ...) SORIGHTS_PY_FIELDS(def_readwrite, T, __VA_ARGS__)
#define SORIGHTS_PY_FIELDS(def, T, ...) \
  BOOST_PP_SEQ_FOR_EACH(SORIGHTS_PY_FIELD, (def, T), BOOST_PP_VARIADIC_TO_SEQ(__VA_ARGS__))
#define SORIGHTS_PY_FIELD(r, def_T, f) \
  .BOOST_PP_TUPLE_ELEM(2, 0, def_T)(BOOST_PP_STRINGIZE(f), &BOOST_PP_TUPLE_ELEM(2, 1, def_T)::f)

namespace sorights::python {

using namespace pybind11::literals;

// -- Errors ----------------------------------------------------------------------

// Thrown by the bindings for a failed `Result`; translated to a Python
// exception of the code's class.
struct PyError {
  so::Error error;
};

std::map<int, py::object>& error_classes();

[[noreturn]] inline void raise(so::Error e) { throw PyError{std::move(e)}; }

inline void ok(so::Result<void> r) {
  if (!r) raise(std::move(r).error());
}
template <class T>
T ok(so::Result<T> r) {
  if (!r) raise(std::move(r).error());
  return std::move(r).value();
}

// The adapter a Directory holds for a StorageAdapter object; one derived in
// Python stays alive as long as the directory holds it (bind_storage.cpp).
std::shared_ptr<so::StorageAdapter> hold_adapter(const py::object& obj);

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
std::vector<std::string> id_args(std::vector<std::string> ids, const char* what);
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
void reject_nul(py::handle value, const std::string& what);

// Wraps the setter of each field of a value type: a NUL in text is a
// ValueError, an int out of the field's range an OverflowError, each naming
// `Type.field`.
void guard_fields(py::handle cls, const char* type, const std::vector<const char*>& fields);

// -- Model list items ------------------------------------------------------------------
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
// The list classes themselves are bound in bind_model.cpp.

[[noreturn]] void raise_reference_error(const std::string& message);

// The key an item follows its element by: the id, or for the id-less rules the
// fields that identify one.
template <class T>
std::string item_key(const T& v) {
  return v.id;
}
std::string item_key(const so::FieldRightRule& r);
std::string item_key(const so::Override& o);

// The C++ type of a Model's list of `T`: `std::vector<T>`, but the users are
// held in a ChunkedVector (chunked_vector.hpp).
template <class T>
using ListOf = std::conditional_t<std::is_same_v<T, so::User>, so::ChunkedVector<so::User>, std::vector<T>>;

template <class T>
struct Item {
  py::object list;       // the Python list object (holds the model alive)
  std::size_t hint = 0;  // where the element was last seen
  std::string key;

  static Item make(py::object list, std::size_t index) {
    const ListOf<T>& v = list.cast<const ListOf<T>&>();
    return Item{std::move(list), index, item_key(v[index])};
  }

  // The element now, or ReferenceError. Valid until the list next changes:
  // use it without running Python code in between.
  T& resolve() {
    ListOf<T>& v = list.cast<ListOf<T>&>();
    const ListOf<T>& ro = v;  // found through a const view: only the element returned leaves a shared chunk
    if (hint < ro.size() && item_key(ro[hint]) == key) return v[hint];
    for (std::size_t i = 0; i < ro.size(); ++i)
      if (item_key(ro[i]) == key) {
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

// -- Value-type constructors with keyword (and positional) arguments -------------

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

// A model entity as a value type whose fields come from its one field list
// (sorights/model_describe.hpp): every described member is a read-write
// attribute and a field of the keyword constructor, repr and ==, except the
// members in `by_hand` (bound by the caller, before or after, with a
// docstring or a conversion of their own) and the members in `hidden` (not
// fields of the value type either: a role's data_rights). A member added to
// the field list appears in Python by itself.
template <class T, class Class>
void entity_type(Class& cls, const char* name, std::initializer_list<std::string_view> by_hand = {},
                 std::initializer_list<std::string_view> hidden = {}) {
  auto in = [](std::initializer_list<std::string_view> list, std::string_view member) {
    return std::find(list.begin(), list.end(), member) != list.end();
  };
  std::vector<const char*> fields;
  boost::mp11::mp_for_each<so::detail::described_members<T>>([&](auto d) {
    if (in(hidden, d.name)) return;
    fields.push_back(d.name);
    if (!in(by_hand, d.name)) cls.def_readwrite(d.name, d.pointer);
  });
  value_type<T>(cls, name, std::move(fields));
}

// A model entity whose Python fields are exactly its field list: the class
// `name` with docstring `doc`, bound by entity_type.
template <class T>
py::class_<T> entity_class(py::module_& m, const char* name, const char* doc) {
  py::class_<T> cls(m, name, doc);
  entity_type<T>(cls, name);
  return cls;
}

// -- Records: host records described by string ids -----------------------------------

// The Python `Record`: ids are strings, resolved against the snapshot at each
// check. An id the snapshot does not know is treated as C++ treats an unknown
// index (an unknown owner is "other associates"; an unknown object denies).
struct PyRecord : so::RecordFacts {
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
  bool operator==(const PyRecord&) const = default;
};

// The record as `s` sees it: each id resolved to its index (unknown ids as C++ treats them).
inline so::Record resolve(const so::Snapshot& s, const PyRecord& r) {
  so::Record out;
  out.object = s.find_object(r.object);
  if (r.owner) out.owner = s.find_user(*r.owner);
  if (r.group) out.group = s.find_group(*r.group);
  const auto v = so::parse_visibility_text(r.visible_for.empty() ? std::string_view("all") : r.visible_for);
  if (!v) throw py::value_error("visible_for must be 'all', 'group:ID' or 'associate:ID', not '" + r.visible_for + "'");
  if (v->kind == so::VisibilityKind::kGroup) out.visibility = so::Visibility::group(s.find_group(v->id));
  if (v->kind == so::VisibilityKind::kAssociate) out.visibility = so::Visibility::associate(s.find_user(v->id));
  if (r.project) out.project = s.find_project(*r.project);
  if (r.company) out.company = s.find_company(*r.company);
  if (r.id) out.id = so::record_key(*r.id);
  if (r.publish_from) out.publish_from = *r.publish_from;
  if (r.publish_to) out.publish_to = *r.publish_to;
  if (r.at) out.at = *r.at;
  so::detail::copy_record_facts(r, out);
  return out;
}

// Times: an int (seconds since 1970) or a datetime (naive = UTC).
std::optional<so::Time> to_time(py::handle value);

using SnapshotPtr = std::shared_ptr<so::Snapshot>;

inline SnapshotPtr share(so::Snapshot s) { return std::make_shared<so::Snapshot>(std::move(s)); }

// The ids of indexes 0..n-1, as `f` names them.
std::vector<std::string> names(std::size_t n, const std::function<std::string_view(std::uint32_t)>& f);

}  // namespace sorights::python

#endif  // SORIGHTS_BINDINGS_PYTHON_SUPPORT_HPP_
