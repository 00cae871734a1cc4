// Internal: bounded JSON reading (see bounded_json.hpp).
#include "bounded_json.hpp"

#include <memory>
#include <unordered_set>
#include <utility>
#include <vector>

#include "sorights/ids.hpp"

SORIGHTS_BEGIN_NAMESPACE
namespace detail {

// -- TextScanner -------------------------------------------------------------------

bool TextScanner::feed(std::string_view chunk) noexcept {
  if (!problem_.empty()) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(chunk.data());
  const std::size_t n = chunk.size();
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char b = p[i];
    if (need_ > 0) {
      if (b < lo_ || b > hi_) return fail(seq_start_, "invalid UTF-8");
      lo_ = 0x80;
      hi_ = 0xBF;
      --need_;
      continue;
    }
    if (b < 0x80) {
      if (b == 0) return fail(offset_ + i, "a NUL byte");
      continue;
    }
    seq_start_ = offset_ + i;
    // The lead byte fixes the length and the range of the second byte
    // (Unicode 15, table 3-7: no overlong forms, no surrogates, <= U+10FFFF).
    if (b >= 0xC2 && b <= 0xDF) {
      need_ = 1;
    } else if (b == 0xE0) {
      need_ = 2, lo_ = 0xA0;
    } else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
      need_ = 2;
    } else if (b == 0xED) {
      need_ = 2, hi_ = 0x9F;
    } else if (b == 0xF0) {
      need_ = 3, lo_ = 0x90;
    } else if (b >= 0xF1 && b <= 0xF3) {
      need_ = 3;
    } else if (b == 0xF4) {
      need_ = 3, hi_ = 0x8F;
    } else {
      return fail(seq_start_, "invalid UTF-8");
    }
  }
  offset_ += n;
  return true;
}

bool TextScanner::finish() noexcept {
  if (!problem_.empty()) return false;
  if (need_ > 0) return fail(seq_start_, "invalid UTF-8");
  return true;
}

std::string TextScanner::message() const {
  return std::string(problem_) + " at byte " + std::to_string(bad_at_) + " (a model file is UTF-8 text)";
}

// -- The SAX builder -------------------------------------------------------------

namespace {

// Below this many members an object's keys are compared one by one; above it
// they go into a hash set, so an object with a million keys stays linear.
constexpr std::size_t kLinearKeys = 16;

class Builder {
 public:
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;

  Builder(Json& out, std::size_t max_depth, ElementSink* sink) : out_(out), max_depth_(max_depth), sink_(sink) {}

  std::optional<JsonProblem> problem;

  bool null() { return value(Json(nullptr)); }
  bool boolean(bool v) { return value(Json(v)); }
  bool number_integer(number_integer_t v) { return value(Json(v)); }
  bool number_unsigned(number_unsigned_t v) { return value(Json(v)); }
  bool number_float(number_float_t v, const string_t& /*text*/) { return value(Json(v)); }
  bool string(string_t& v) { return value(Json(std::move(v))); }
  bool binary(binary_t& v) { return value(Json(std::move(v))); }
  bool start_object(std::size_t /*elements*/) { return open(Json::value_t::object); }
  bool start_array(std::size_t /*elements*/) { return open(Json::value_t::array); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(string_t& k) {
    Frame& f = frames_.back();
    const auto& members = f.value->get_ref<const Json::object_t&>();
    bool duplicate = false;
    if (!f.keys && members.size() < kLinearKeys) {
      for (const auto& m : members)
        if (m.first == k) {
          duplicate = true;
          break;
        }
    } else {
      if (!f.keys) {
        f.keys = std::make_unique<std::unordered_set<std::string>>();
        for (const auto& m : members) f.keys->insert(m.first);
      }
      duplicate = !f.keys->insert(k).second;
    }
    if (duplicate) {
      problem = JsonProblem{path(frames_.size() - 1), "duplicate-key", "duplicate key \"" + escape_text(k, 64) + "\""};
      return false;
    }
    key_ = std::move(k);
    return true;
  }

  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/, const Json::exception& e) {
    std::string what = e.what();
    if (auto pos = what.find("] "); what.starts_with("[json.exception") && pos != std::string::npos)
      what = what.substr(pos + 2);
    problem = JsonProblem{"", "syntax", "not valid JSON: " + what};
    return false;
  }

 private:
  struct Frame {
    Json* value;
    std::unique_ptr<std::unordered_set<std::string>> keys;
    std::size_t elements = 0;  // of an array, counting those handed to the sink
    bool streams = false;      // a top-level array whose elements go to the sink
  };

  bool value(Json&& v) {
    put(std::move(v));
    hand_over();
    return true;
  }

  // Hands the value just completed to the sink if it is an element of a
  // streamed array.
  void hand_over() {
    if (frames_.empty() || !frames_.back().streams) return;
    auto& elements = frames_.back().value->get_ref<Json::array_t&>();
    Json element = std::move(elements.back());
    elements.pop_back();
    const auto& members = frames_.front().value->get_ref<const Json::object_t&>();
    sink_->take(members.back().first, frames_.back().elements - 1, std::move(element));
  }

  // Adds `v` where the parser is: the document, the next array element or
  // the member named by the last key. Never fails (returns the new value).
  Json* put(Json&& v) {
    if (frames_.empty()) {
      out_ = std::move(v);
      return &out_;
    }
    Json& top = *frames_.back().value;
    if (top.is_array()) {
      ++frames_.back().elements;
      auto& elements = top.get_ref<Json::array_t&>();
      elements.push_back(std::move(v));
      return &elements.back();
    }
    // Straight into the member vector: ordered_map's own insert searches the
    // keys linearly, and `key()` has already ruled out a duplicate.
    auto& members = static_cast<Json::object_t::Container&>(top.get_ref<Json::object_t&>());
    members.emplace_back(std::move(key_), std::move(v));
    return &members.back().second;
  }

  bool open(Json::value_t type) {
    const bool streams = sink_ != nullptr && type == Json::value_t::array && frames_.size() == 1 &&
                         frames_.front().value->is_object() && sink_->streams(key_);
    Json* v = put(Json(type));
    frames_.push_back(Frame{v, nullptr, 0, streams});
    if (frames_.size() > max_depth_) {
      problem = JsonProblem{path(frames_.size() - 1), "nesting",
                            "nested deeper than " + std::to_string(max_depth_) + " levels"};
      return false;
    }
    return true;
  }

  bool close() {
    frames_.pop_back();
    hand_over();
    return true;
  }

  // The JSON path of the value held by frame `n` (the last member or element
  // of each frame below it): "users[3].data_rights".
  std::string path(std::size_t n) const {
    std::string out;
    for (std::size_t k = 0; k < n; ++k) {
      const Json& c = *frames_[k].value;
      if (c.is_array()) {
        out += "[" + std::to_string(frames_[k].elements - 1) + "]";
      } else {
        if (!out.empty()) out += ".";
        out += escape_text(c.get_ref<const Json::object_t&>().back().first, 64);
      }
    }
    return out;
  }

  Json& out_;
  std::size_t max_depth_;
  ElementSink* sink_;
  std::vector<Frame> frames_;
  std::string key_;
};

}  // namespace

std::optional<JsonProblem> parse_bounded_json(std::string_view text, std::size_t max_depth, Json& out,
                                              ElementSink* sink) {
  Builder builder(out, max_depth, sink);
  if (Json::sax_parse(text.begin(), text.end(), &builder)) return std::nullopt;
  if (builder.problem) return std::move(builder.problem);
  return JsonProblem{"", "syntax", "not valid JSON"};
}

}  // namespace detail
SORIGHTS_END_NAMESPACE
