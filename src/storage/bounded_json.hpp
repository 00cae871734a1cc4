// Internal: reading JSON text from an untrusted source with bounds
// (docs/design/0008-bounded-input.md). Not installed.
//
// * `TextScanner` checks bytes as they are read: the first NUL byte or the
//   first byte of an invalid UTF-8 sequence stops the read, with its offset.
// * `parse_bounded_json` builds the document through nlohmann's SAX interface
//   and stops at the first problem: nesting deeper than a limit, a key given
//   twice in one object, or a syntax error. It throws nothing.
#ifndef SORIGHTS_SRC_STORAGE_BOUNDED_JSON_HPP_
#define SORIGHTS_SRC_STORAGE_BOUNDED_JSON_HPP_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "json_codec.hpp"

SORIGHTS_BEGIN_NAMESPACE
namespace detail {

// Strict UTF-8 (no overlong forms, no surrogates, at most U+10FFFF) without
// NUL bytes, checked incrementally over chunks. O(bytes), allocation-free.
class TextScanner {
 public:
  // Checks `chunk`, the bytes that follow what was fed before. False at the
  // first bad byte; `bad_offset()` and `problem()` then say where and what,
  // and later calls keep returning false.
  bool feed(std::string_view chunk) noexcept;
  // False if the text ends inside a multi-byte sequence.
  bool finish() noexcept;
  // The offset (from the first byte fed) of the NUL byte or of the first byte
  // of the invalid sequence.
  [[nodiscard]] std::uint64_t bad_offset() const noexcept { return bad_at_; }
  // "a NUL byte" or "invalid UTF-8"; empty while all is well.
  [[nodiscard]] std::string_view problem() const noexcept { return problem_; }
  // The diagnostic message: "invalid UTF-8 at byte 12 (a model file is UTF-8 text)".
  [[nodiscard]] std::string message() const;

 private:
  bool fail(std::uint64_t at, std::string_view what) noexcept {
    bad_at_ = at;
    problem_ = what;
    return false;
  }
  std::uint64_t offset_ = 0;     // bytes fed so far
  std::uint64_t seq_start_ = 0;  // offset of the lead byte of the open sequence
  int need_ = 0;                 // continuation bytes still expected
  unsigned char lo_ = 0x80, hi_ = 0xBF;  // the range of the next continuation byte
  std::uint64_t bad_at_ = 0;
  std::string_view problem_{};
};

// The first problem met while parsing.
struct JsonProblem {
  std::string path;  // the JSON path ("users[3]"), empty for the whole text
  std::string rule;  // "syntax", "nesting", "duplicate-key"
  std::string message;
};

// Takes the elements of chosen top-level arrays one by one while the parser
// reads them, so that a large file is never held as one tree.
class ElementSink {
 public:
  virtual ~ElementSink() = default;
  // Whether the elements of the top-level member `key` (an array) are handed
  // to `take` instead of being kept in the document.
  [[nodiscard]] virtual bool streams(std::string_view key) const = 0;
  // Element `index` of the top-level array `key`, complete.
  virtual void take(std::string_view key, std::size_t index, Json&& element) = 0;
};

// Parses `text` into `out` (an object's members in file order). Stops at the
// first problem: nesting deeper than `max_depth` (the top-level value is depth
// 1), a key given twice in one object, or invalid JSON. O(size) time; duplicate
// keys are found with a hash set once an object has more than a few members.
// With a `sink`, the arrays it streams stay empty in `out`: their elements
// went to the sink, in file order, each as soon as it was complete.
std::optional<JsonProblem> parse_bounded_json(std::string_view text, std::size_t max_depth, Json& out,
                                              ElementSink* sink = nullptr);

}  // namespace detail
SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_SRC_STORAGE_BOUNDED_JSON_HPP_
