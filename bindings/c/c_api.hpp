// Internal to the C API: the handles behind the opaque C types and what the
// *_c.cpp files share (the thread's last error, the exception guard, argument
// checks, conversions). Every entry point is `noexcept` and catches
// everything: no C++ exception or type crosses the boundary. The C API is
// built with exceptions on, so that an allocation failure inside std::string
// becomes SORIGHTS_E_INTERNAL instead of a crash.
#ifndef SORIGHTS_BINDINGS_C_C_API_HPP_
#define SORIGHTS_BINDINGS_C_C_API_HPP_

#include <cstddef>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "sorights/directory.hpp"
#include "sorights/error.hpp"
#include "sorights/model.hpp"
#include "sorights/snapshot.hpp"
#include "sorights/sorights.h"

namespace so = sorights;

struct sorights_model {
  so::Model model;
};
struct sorights_snapshot {
  std::shared_ptr<const so::Snapshot> snapshot;
};
// A transaction holds its Directory (a shared_ptr inside so::Transaction), so
// it never dangles; but once the directory *handle* is freed, the host has
// said it is done with that directory, and a commit would land in storage the
// host no longer reaches (for in-memory storage, nowhere). `alive` expires
// with the handle; a transaction begun on it checks it before every edit and
// the commit (docs/design/0010-binding-lifetimes.md).
struct sorights_directory {
  std::shared_ptr<so::Directory> directory;
  std::shared_ptr<const char> alive = std::make_shared<const char>('\0');
};
struct sorights_transaction {
  so::Transaction tx;
  std::weak_ptr<const char> directory_alive;
};

namespace sorights::c_api {

// Records `code`, `message` and `diagnostics` as the thread's last error; returns `code`.
sorights_status fail(sorights_status code, std::string message,
                     std::vector<so::Diagnostic> diagnostics = {}) noexcept;
sorights_status fail(const so::Error& e) noexcept;

// Runs `f` (returning a status); anything thrown becomes SORIGHTS_E_INTERNAL.
template <class F>
sorights_status guard(F&& f) noexcept {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return fail(SORIGHTS_E_INTERNAL, "out of memory");
  } catch (const std::exception& e) {
    return fail(SORIGHTS_E_INTERNAL, e.what());
  } catch (...) {
    return fail(SORIGHTS_E_INTERNAL, "unknown C++ exception");
  }
}

sorights_status null_arg(const char* what) noexcept;
std::string str(const char* s);

// -- Argument checks (ids.hpp): each names the argument ---------------------------

#define SORIGHTS_C_TRY(expr)                                 \
  do {                                                       \
    if (const sorights_status st_ = (expr); st_ != SORIGHTS_OK) return st_; \
  } while (0)

sorights_status fail_check(const so::Result<void>& r);
// The start of a function that returns a new object through `out`: a NULL
// `out` is refused, `*out` is cleared; with `from`, a NULL `from` is refused
// naming it `what`.
template <class T>
sorights_status out_arg(T** out) noexcept {
  if (out == nullptr) return null_arg("out");
  *out = nullptr;
  return SORIGHTS_OK;
}
template <class T>
sorights_status out_arg(T** out, const void* from, const char* what) noexcept {
  SORIGHTS_C_TRY(out_arg(out));
  return from == nullptr ? null_arg(what) : SORIGHTS_OK;
}
// Sets *out to what `make()` returns (a new handle or string), under guard().
template <class T, class Make>
sorights_status set_out(T** out, Make&& make) noexcept {
  return guard([&]() -> sorights_status {
    *out = make();
    return SORIGHTS_OK;
  });
}
// A required id: NULL, empty or malformed is SORIGHTS_E_INVALID_ARGUMENT.
sorights_status id_arg(const std::string& what, const char* id);
// An id where NULL or "" means none (a user's plan, the system actor, ...).
sorights_status optional_id_arg(const std::string& what, const char* id);
// A display name; NULL means "".
sorights_status name_arg(const std::string& what, const char* name);
// `count` ids at `ids` (NULL only when count is 0); each is named what[i].
sorights_status id_array_arg(const std::string& what, const char* const* ids, std::size_t count);
// Every id and name of a user descriptor. Run inside guard() (it allocates).
sorights_status check_user_desc(const sorights_user_desc* d);
// A SORIGHTS_REL_* value, else SORIGHTS_E_INVALID_ARGUMENT.
sorights_status relation_arg(int relation) noexcept;
bool valid_action(int a) noexcept;

// -- Conversions ------------------------------------------------------------------

std::vector<std::string> strs(const char* const* items, std::size_t n);
so::User to_user(const sorights_user_desc& d);
so::Record to_record(const sorights_record* r) noexcept;
so::Action to_action(int a) noexcept;
// A copy the host frees with sorights_string_free.
char* dup_string(const std::string& s);
// Copies `s` into buf[0..size) (truncated, NUL-terminated); returns its full length.
std::size_t copy_out(std::string_view s, char* buf, std::size_t size) noexcept;

}  // namespace sorights::c_api

#endif  // SORIGHTS_BINDINGS_C_C_API_HPP_
