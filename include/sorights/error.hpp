// -----------------------------------------------------------------------------
// File: error.hpp
// -----------------------------------------------------------------------------
// The cold-path error model: `Error` (a code, a message and, for validation,
// every problem found) and `Result<T>`, a small subset of `std::expected<T,
// Error>` with the same member names. The library throws nothing; every
// fallible cold call returns a `Result`. Hot checks have no error channel at
// all: they are total and deny what they do not know.
#ifndef SORIGHTS_ERROR_HPP_
#define SORIGHTS_ERROR_HPP_

#include <cstdlib>
#include <new>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "sorights/config.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// What kind of failure an `Error` reports. Stable numbers: the C API and the
/// Python bindings expose them.
enum class ErrorCode : int {
  kOk = 0,
  kInvalidArgument = 1,    ///< bad input: a malformed value or file
  kNotFound = 2,           ///< an id that names nothing
  kAlreadyExists = 3,      ///< a duplicate id
  kFailedPrecondition = 4, ///< a rule of the model is violated
  kPermissionDenied = 5,   ///< the actor lacks the right for a change
  kConflict = 6,           ///< a concurrent change won
  kUnavailable = 7,        ///< storage could not be read or written
  kDataLoss = 8,           ///< stored data is corrupt or tampered with
  kInternal = 9,           ///< a bug, or a host callback that threw
};

/// Returns the stable lower-case name of `code`, e.g. `"invalid-argument"`.
[[nodiscard]] constexpr const char* error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kInvalidArgument: return "invalid-argument";
    case ErrorCode::kNotFound: return "not-found";
    case ErrorCode::kAlreadyExists: return "already-exists";
    case ErrorCode::kFailedPrecondition: return "failed-precondition";
    case ErrorCode::kPermissionDenied: return "permission-denied";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kDataLoss: return "data-loss";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

/// One problem found while validating: where it is and which rule it breaks.
///
/// `collection` and `item` name the entity (`"users"`, `"alice"`), `field`
/// the member (`"group"`, may be empty), `rule` a stable short id of the rule
/// (`"unknown-group"`), `message` the sentence for a person.
struct Diagnostic {
  std::string collection{};
  std::string item{};
  std::string field{};
  std::string rule{};
  std::string message{};

  /// Renders `users["alice"].group: unknown group "salse"`.
  [[nodiscard]] std::string to_string() const {
    std::string out = collection;
    if (!item.empty()) out += "[\"" + item + "\"]";
    if (!field.empty()) out += (out.empty() ? "" : ".") + field;
    if (!out.empty()) out += ": ";
    out += message;
    return out;
  }
};

/// A failure on the cold path. `message` is one line for a person; a
/// validation failure also lists every problem in `diagnostics`.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message{};
  std::vector<Diagnostic> diagnostics{};

  Error() = default;
  Error(ErrorCode c, std::string m) : code(c), message(std::move(m)) {}
  Error(ErrorCode c, std::string m, std::vector<Diagnostic> d)
      : code(c), message(std::move(m)), diagnostics(std::move(d)) {}

  /// The message followed by one line per diagnostic.
  [[nodiscard]] std::string to_string() const {
    std::string out = message;
    for (const Diagnostic& d : diagnostics) out += "\n  " + d.to_string();
    return out;
  }
};

/// Either a `T` or an `Error`. A subset of `std::expected<T, Error>` with the
/// same names, so it can become an alias once C++23 is the floor.
///
/// **Example**:
///
///     sorights::Result<sorights::Snapshot> s = sorights::compile(model);
///     if (!s) { std::cerr << s.error().to_string(); return 2; }
///     bool ok = s->can(s->find_user("alice"), Action::kRead, record);
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : has_(true) { new (&value_) T(std::move(value)); }  // NOLINT implicit
  Result(Error error) : has_(false) { new (&error_) Error(std::move(error)); }  // NOLINT
  Result(const Result& o) : has_(o.has_) {
    if (has_) new (&value_) T(o.value_); else new (&error_) Error(o.error_);
  }
  Result(Result&& o) noexcept(std::is_nothrow_move_constructible_v<T>) : has_(o.has_) {
    if (has_) new (&value_) T(std::move(o.value_)); else new (&error_) Error(std::move(o.error_));
  }
  Result& operator=(Result o) {
    destroy();
    has_ = o.has_;
    if (has_) new (&value_) T(std::move(o.value_)); else new (&error_) Error(std::move(o.error_));
    return *this;
  }
  ~Result() { destroy(); }

  [[nodiscard]] bool has_value() const noexcept { return has_; }
  explicit operator bool() const noexcept { return has_; }

  /// The value. Calling it on an error is a bug: the process aborts.
  [[nodiscard]] T& value() & { check(); return value_; }
  [[nodiscard]] const T& value() const& { check(); return value_; }
  [[nodiscard]] T&& value() && { check(); return std::move(value_); }
  [[nodiscard]] T& operator*() & { return value(); }
  [[nodiscard]] const T& operator*() const& { return value(); }
  [[nodiscard]] T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// The error. Calling it on a value is a bug: the process aborts.
  [[nodiscard]] const Error& error() const& { if (has_) std::abort(); return error_; }
  [[nodiscard]] Error&& error() && { if (has_) std::abort(); return std::move(error_); }

 private:
  void check() const { if (!has_) std::abort(); }
  void destroy() { if (has_) value_.~T(); else error_.~Error(); }
  bool has_;
  union { T value_; Error error_; };
};

/// `Result<void>`: success, or an `Error`.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), has_(false) {}  // NOLINT implicit
  [[nodiscard]] bool has_value() const noexcept { return has_; }
  explicit operator bool() const noexcept { return has_; }
  void value() const { if (!has_) std::abort(); }
  [[nodiscard]] const Error& error() const& { if (has_) std::abort(); return error_; }
  [[nodiscard]] Error&& error() && { if (has_) std::abort(); return std::move(error_); }

 private:
  Error error_;
  bool has_ = true;
};

SORIGHTS_END_NAMESPACE

#define SORIGHTS_CONCAT_INNER_(a, b) a##b
#define SORIGHTS_CONCAT_(a, b) SORIGHTS_CONCAT_INNER_(a, b)

/// Returns the error of `expr` (a `Result`) from the enclosing function.
#define SORIGHTS_TRY(expr) SORIGHTS_TRY_IMPL_(SORIGHTS_CONCAT_(sorights_try_, __COUNTER__), expr)
#define SORIGHTS_TRY_IMPL_(tmp, expr)                \
  do {                                               \
    auto&& tmp = (expr);                             \
    if (!tmp) return std::move(tmp).error();         \
  } while (false)

/// `SORIGHTS_ASSIGN_OR_RETURN(auto x, f());` declares `x` from the value of
/// `f()` or returns its error.
#define SORIGHTS_ASSIGN_OR_RETURN(lhs, expr) \
  SORIGHTS_ASSIGN_OR_RETURN_IMPL_(SORIGHTS_CONCAT_(sorights_aor_, __COUNTER__), lhs, expr)
#define SORIGHTS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)  \
  auto tmp = (expr);                                     \
  if (!tmp) return std::move(tmp).error();               \
  lhs = std::move(tmp).value()

#endif  // SORIGHTS_ERROR_HPP_
