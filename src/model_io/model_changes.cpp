// Internal: checking and applying change sets (model_changes.hpp).
#include "model_changes.hpp"

#include <algorithm>
#include <string>

#include "json_codec.hpp"
#include "quote.hpp"
#include "sorights/model_describe.hpp"

SORIGHTS_BEGIN_NAMESPACE
namespace detail {

namespace {


// True if every text of `v` passes `ok`: string members, list items and the
// objects of a role matrix.
template <class T>
bool all_text(const T& v, bool (*ok)(std::string_view)) {
  bool good = true;
  for_each_field<T>([&](const FieldInfo&, auto member) {
    const auto& m = v.*member;
    using M = std::decay_t<decltype(m)>;
    if constexpr (std::is_same_v<M, std::string>) {
      good = good && ok(m);
    } else if constexpr (std::is_same_v<M, std::vector<std::string>>) {
      for (const std::string& s : m) good = good && ok(s);
    } else if constexpr (std::is_same_v<M, std::map<std::string, RelationCells>>) {
      for (const auto& [key, row] : m) good = good && ok(key);
    } else if constexpr (std::is_same_v<M, NameMap>) {
      for (const auto& [key, name] : m) good = good && ok(key) && ok(name);
    }
  });
  return good;
}

// `Seq` is a std::vector or the users' ChunkedVector (detail::position_by_id).
template <class Seq>
bool upsert_in_place(Seq& items, const Change& c) {
  using T = typename Seq::value_type;
  const std::size_t at = detail::position_by_id(items, c.id);
  if (!c.after) {
    if (at < items.size()) items.erase(items.cbegin() + static_cast<std::ptrdiff_t>(at));
    return true;
  }
  const T* value = std::get_if<T>(&*c.after);
  if (value == nullptr || value->id != c.id) return false;
  if (at < items.size()) items[at] = *value;
  else items.push_back(*value);
  return true;
}

template <class T>
bool replace_in_place(std::vector<T>& items, const Change& c) {
  if (!c.after) {
    items.clear();
    return true;
  }
  const auto* value = std::get_if<std::vector<T>>(&*c.after);
  if (value == nullptr) return false;
  items = *value;
  return true;
}

}  // namespace

Result<void> check_change(const Change& c, bool (*storable)(std::string_view), std::string_view why) {
  const std::string kind(kEntityKindNames[static_cast<std::size_t>(c.kind)]);
  auto bad_text = [&](std::string_view what) {
    std::string m = kind + " " + in_quotes(c.id) + ": ";
    m.append(what).append(" holds ").append(why);
    return Error(ErrorCode::kInvalidArgument, std::move(m));
  };
  if (storable != nullptr && !storable(c.id)) return bad_text("the id");
  if (!c.after) return {};
  return with_entity_type(c.kind, [&]<class T>(std::type_identity<T>) -> Result<void> {
    constexpr bool kList = std::is_same_v<T, FieldRightRule> || std::is_same_v<T, Override>;
    using Value = std::conditional_t<kList, std::vector<T>, T>;
    const Value* v = std::get_if<Value>(&*c.after);
    if (v == nullptr)
      return Error(ErrorCode::kInvalidArgument, "change of " + kind + " " + in_quotes(c.id) + " carries a value of another kind");
    bool text_ok = true;
    if constexpr (kList) {
      if (storable != nullptr)
        for (const T& item : *v) text_ok = text_ok && all_text(item, storable);
    } else {
      if (v->id != c.id)
        return Error(ErrorCode::kInvalidArgument, "change of " + in_quotes(c.id) + " carries the id " + in_quotes(v->id));
      if (storable != nullptr) text_ok = all_text(*v, storable);
    }
    if (!text_ok) return bad_text("a value");
    return {};
  });
}

bool apply_in_place(Model& m, const std::vector<Change>& changes) {
  for (const Change& c : changes) {
    const bool ok = with_entity_type(c.kind, [&]<class T>(std::type_identity<T>) {
      if constexpr (std::is_same_v<T, FieldRightRule> || std::is_same_v<T, Override>)
        return replace_in_place(collection<T>(m), c);
      else
        return upsert_in_place(collection<T>(m), c);
    });
    if (!ok) return false;
  }
  return true;
}

}  // namespace detail
SORIGHTS_END_NAMESPACE
