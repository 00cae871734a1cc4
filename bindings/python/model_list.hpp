// The live list classes of a Model (`model.users`, ...) and their items
// (support.hpp says how an item follows its element). Internal to bind_model.cpp.
#ifndef SORIGHTS_BINDINGS_PYTHON_MODEL_LIST_HPP_
#define SORIGHTS_BINDINGS_PYTHON_MODEL_LIST_HPP_

#include <algorithm>

#include "support.hpp"

namespace sorights::python {

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

inline std::size_t list_index(std::ptrdiff_t i, std::size_t size) {
  const auto n = static_cast<std::ptrdiff_t>(size);
  if (i < 0) i += n;
  if (i < 0 || i >= n) throw py::index_error("list index out of range");
  return static_cast<std::size_t>(i);
}

// The elements of `items`, converted first (the conversion may run Python code).
template <class T>
ListOf<T> list_from(const py::iterable& items) {
  ListOf<T> out;
  for (py::handle h : items) out.push_back(h.cast<T>());
  return out;
}

// Binds `Item<T>` as `item_name`. The item passes isinstance(x, T) and
// converts to T wherever a T is expected (a copy of the element).
template <class T>
void bind_list_item(py::module_& m, const py::object& value_cls, const std::string& type_name, const char* item_name) {
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
}

// The list's reading side: construction, indexing, slicing, deletion, iteration, comparison.
template <class T>
void bind_list_access(py::class_<ListOf<T>>& cls, const char* list_name) {
  using Vec = ListOf<T>;
  cls.def(py::init<>())
      .def(py::init(&list_from<T>), "items"_a)
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
           [](Vec& v, std::ptrdiff_t i) { v.erase(v.cbegin() + static_cast<std::ptrdiff_t>(list_index(i, v.size()))); })
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
           });
}

// The list's editing methods, as on a Python list.
template <class T>
void bind_list_edits(py::class_<ListOf<T>>& cls) {
  using Vec = ListOf<T>;
  cls.def("append", [](Vec& v, const T& x) { v.push_back(x); }, "x"_a, "Adds a copy of `x` at the end.")
      .def("extend",
           [](Vec& v, const py::iterable& items) {
             Vec add = list_from<T>(items);
             v.insert(v.cend(), std::make_move_iterator(add.begin()), std::make_move_iterator(add.end()));
           },
           "items"_a)
      .def("insert",
           [](Vec& v, std::ptrdiff_t i, const T& x) {
             const auto n = static_cast<std::ptrdiff_t>(v.size());
             if (i < 0) i = i + n < 0 ? 0 : i + n;
             if (i > n) i = n;
             v.insert(v.cbegin() + i, x);
           },
           "i"_a, "x"_a)
      .def("pop",
           [](Vec& v, std::ptrdiff_t i) {
             if (v.empty()) throw py::index_error("pop from empty list");
             const std::size_t at = list_index(i, v.size());
             T out = std::move(v[at]);
             v.erase(v.cbegin() + static_cast<std::ptrdiff_t>(at));
             return out;
           },
           "i"_a = -1, "Removes and returns (a plain copy of) the element at `i`.")
      .def("remove",
           [](Vec& v, const T& x) {
             const Vec& ro = v;
             auto at = std::find(ro.begin(), ro.end(), x);
             if (at == ro.end()) throw py::value_error("x not in list");
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
}

// Binds `ListOf<T>` as the live list class `list_name` and `Item<T>` as
// `item_name` (bind_list_item).
template <class T>
void bind_model_list(py::module_& m, const py::object& value_cls, const char* list_name, const char* item_name) {
  using Vec = ListOf<T>;
  const std::string type_name = py::str(value_cls.attr("__name__"));
  bind_list_item<T>(m, value_cls, type_name, item_name);
  py::class_<Vec> cls(m, list_name,
      ("The live list of a Model's " + type_name + "s: edits change the model. Items are " + item_name +
       " objects that find their element again on each use.").c_str());
  bind_list_access<T>(cls, list_name);
  bind_list_edits<T>(cls);
  cls.attr("__hash__") = py::none();
  py::implicitly_convertible<py::list, Vec>();
  py::implicitly_convertible<py::tuple, Vec>();
}

// `model.find_*(id)`: the item of the first element with that id, or None.
template <class T>
py::object find_item(py::object model, const char* list_attr, std::string_view id) {
  py::object list = model.attr(list_attr);
  const ListOf<T>& v = list.cast<const ListOf<T>&>();
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i].id == id) return py::cast(Item<T>::make(std::move(list), i));
  return py::none();
}

}  // namespace sorights::python

#endif  // SORIGHTS_BINDINGS_PYTHON_MODEL_LIST_HPP_

