// Model files: parsing with import semantics, validation with JSON paths, and
// export (see include/sorights/storage/model_file.hpp and docs/model-file.md).
#include "sorights/storage/model_file.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <istream>
#include <map>
#include <optional>
#include <span>
#include <tuple>
#include <type_traits>
#include <unordered_map>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounded_json.hpp"
#include "json_codec.hpp"
#include "quote.hpp"
#include "sorights/ids.hpp"
#include "sorights/detail/flat_index.hpp"
#include "sorights/snapshot.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace {

using detail::Json;
using detail::Reader;
using detail::RoleEntry;

std::string at(std::string_view collection, std::size_t i) {
  return std::string(collection) + "[" + std::to_string(i) + "]";
}

std::string field_right_key(const FieldRightRule& f) { return f.role + "/" + f.object + "." + f.field; }
std::string override_key(const Override& o) {
  std::string item = o.level == OverrideLevel::kSystem ? "system"
                     : (o.level == OverrideLevel::kGroup ? "group:" : "user:") + o.target;
  return item + "/" + o.object;
}
auto field_right_identity(const FieldRightRule& f) {
  return std::make_tuple(f.role, f.object, f.field, static_cast<int>(f.relation));
}
auto override_identity(const Override& o) {
  return std::make_tuple(static_cast<int>(o.level), o.target, o.object, static_cast<int>(o.scope),
                         o.scope == OverrideScope::kRecord ? o.record : std::string(), o.field);
}

// The parsed entries of one collection, in file order.
template <class T>
struct Entries {
  std::vector<std::size_t> at;  // each value's index in its collection array
  std::vector<T> values;
  [[nodiscard]] std::size_t size() const { return values.size(); }
  [[nodiscard]] bool empty() const { return values.empty(); }
};

// id → the file index of its first entry. The ids are owned (a deque: they
// never move, so the flat index can view them) and nothing is allocated per
// id beyond its own text.
class IdIndex {
 public:
  // The index held for `id`, and whether `i` was recorded now.
  std::pair<std::size_t, bool> emplace(std::string_view id, std::size_t i) {
    ids_.emplace_back(id);  // one probe: the copy is dropped again when `id` is held
    const auto [held, fresh] = index_.emplace(ids_.back(), static_cast<std::uint32_t>(i));
    if (!fresh) ids_.pop_back();
    return {held, fresh};
  }
  void reserve(std::size_t n) { index_.reserve(n); }
  void prefetch(std::string_view id) const noexcept { index_.prefetch(id); }
  [[nodiscard]] std::optional<std::size_t> find(std::string_view id) const {
    const std::uint32_t held = index_.find(id);
    if (held == detail::FlatIndex::kMiss) return std::nullopt;
    return held;
  }

 private:
  std::deque<std::string> ids_;
  detail::FlatIndex index_;
};

// The parsed file, before it is applied.
struct Parsed {
  Entries<OurCompany> companies;
  Entries<Group> groups;
  Entries<Licence> licences;
  Entries<Plan> plans;
  Entries<FunctionalRightDef> rights;
  Entries<DataObjectDef> objects;
  Entries<RoleEntry> roles;
  Entries<FieldRightRule> field_rights;
  Entries<Override> overrides;
  Entries<User> users;
  // collection → (id → first index in the file)
  std::map<std::string, IdIndex, std::less<>> index;
};

// What a string member of an entry holds, for the id and name rules (§19).
enum class Text : std::uint8_t {
  kId,        // one id; empty means "not given" (a required id that is empty is `empty-id`)
  kName,      // a display name
  kIds,       // an array of ids
  kIdKeys,    // an object whose keys are ids (a role's data_rights)
  kLevel,     // an override level: "group:ID" or "user:ID"
  kScope,     // an override scope: "record:ID"
};
struct TextRule {
  std::string_view key;
  Text kind;
};
constexpr std::size_t kMaxTextRules = 10;  // the most a collection names (users)

// Records `invalid-id` at `where()` when `id` breaks the id rules; the path
// is only made for a problem.
template <class Where>
void check_id_at(Where&& where, std::string_view id, Reader& r) {
  if (std::string_view problem = id_problem(id); !problem.empty())
    r.fail(where(), "invalid-id", "invalid id " + detail::quoted_text(id) + ": it " + std::string(problem));
}

// Checks every id and name `rules` name in the entry `j` at `path`, in the
// rules' order. False if the entry's own id (`rules[0]`, when it is "id") is
// invalid. One walk over the entry's members finds them all.
bool check_texts(const Json& j, const std::string& path, std::span<const TextRule> rules, Reader& r) {
  if (!j.is_object()) return true;
  std::array<const Json*, kMaxTextRules> member{};
  const std::size_t n = std::min(rules.size(), kMaxTextRules);
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string_view key = it.key();
    for (std::size_t k = 0; k < n; ++k)
      if (rules[k].key == key) {
        member[k] = &it.value();
        break;
      }
  }
  bool own_id_ok = true;
  for (std::size_t k = 0; k < n; ++k) {
    const Json* v = member[k];
    if (v == nullptr) continue;
    const TextRule& rule = rules[k];
    auto where = [&] { return path + "." + std::string(rule.key); };
    const std::size_t before = r.errors.size();
    switch (rule.kind) {
      case Text::kId:
        if (v->is_string() && !v->get_ref<const std::string&>().empty())
          check_id_at(where, v->get_ref<const std::string&>(), r);
        break;
      case Text::kName:
        if (v->is_string()) {
          const std::string& name = v->get_ref<const std::string&>();
          if (std::string_view problem = name_problem(name); !problem.empty())
            r.fail(where(), "invalid-name", "invalid name " + detail::quoted_text(name) + ": it " + std::string(problem));
        }
        break;
      case Text::kIds:
        if (v->is_array())
          for (std::size_t i = 0; i < v->size(); ++i)
            if ((*v)[i].is_string())
              check_id_at([&] { return where() + "[" + std::to_string(i) + "]"; },
                          (*v)[i].get_ref<const std::string&>(), r);
        break;
      case Text::kIdKeys:
        if (v->is_object())
          for (auto m = v->begin(); m != v->end(); ++m)
            check_id_at([&] { return where() + "." + escape_text(m.key(), 64); }, m.key(), r);
        break;
      case Text::kLevel:
      case Text::kScope:
        if (v->is_string()) {
          const std::string& text = v->get_ref<const std::string&>();
          for (std::string_view prefix : {"group:", "user:", "record:"})
            if (text.size() > prefix.size() && text.starts_with(prefix) &&
                (rule.kind == Text::kScope) == (prefix == "record:"))
              check_id_at(where, std::string_view(text).substr(prefix.size()), r);
        }
        break;
    }
    if (rule.kind == Text::kId && rule.key == "id" && r.errors.size() > before) own_id_ok = false;
  }
  return own_id_ok;
}

// One collection of the file: how its entries are read, identified and checked.
template <class T, class ReadFn, class IdFn>
struct Collection {
  const char* name;
  Entries<T>& out;
  IdIndex& ids;
  ReadFn read;
  IdFn id_of;
  std::vector<TextRule> texts;

  void take(std::size_t i, const Json& j, Reader& r) const {
    const std::string path = at(name, i);
    const std::size_t before = r.errors.size();
    T value = read(j, path, r);
    if (!j.is_object()) return;
    // An entry whose own id breaks the id rules is not applied: it could
    // only add noise to the model's rules.
    if (!check_texts(j, path, texts, r)) return;
    const auto id = id_of(value);
    if (id.empty() && r.errors.size() > before) {
      // No usable id: the entry cannot be applied, its problems are reported.
      return;
    }
    out.at.push_back(i);
    out.values.push_back(std::move(value));
  }

  // After the parse: the first entry of each id is kept, a later one is a
  // `duplicate-id` (the problems are put in file order at the end). One pass
  // over a table sized for the whole collection, probing a few entries ahead,
  // instead of one growing table probed as the entries come.
  void dedupe(Reader& r) const {
    constexpr std::size_t kAhead = 8;
    const std::size_t n = out.size();
    ids.reserve(n);
    std::size_t kept = 0;
    for (std::size_t k = 0; k < n; ++k) {
      if constexpr (std::is_same_v<decltype(id_of(out.values[k])), std::string_view>)
        if (k + kAhead < n) ids.prefetch(id_of(out.values[k + kAhead]));
      const auto id = id_of(out.values[k]);
      if (const auto [first, fresh] = ids.emplace(id, out.at[k]); !fresh) {
        r.fail(at(name, out.at[k]) + (std::is_same_v<T, FieldRightRule> || std::is_same_v<T, Override> ? "" : ".id"),
               "duplicate-id", "duplicate entry " + detail::quoted_text(id) + " (also " + at(name, first) + ")");
        continue;
      }
      if (kept != k) {
        out.values[kept] = std::move(out.values[k]);
        out.at[kept] = out.at[k];
      }
      ++kept;
    }
    out.values.erase(out.values.begin() + static_cast<std::ptrdiff_t>(kept), out.values.end());
    out.at.resize(kept);
  }
};
template <class T, class ReadFn, class IdFn>
Collection<T, ReadFn, IdFn> collection(const char* name, Entries<T>& out, IdIndex& ids, ReadFn read, IdFn id_of,
                                       std::initializer_list<TextRule> texts) {
  assert(texts.size() <= kMaxTextRules);
  return {name, out, ids, read, id_of, texts};
}

// The file's collections, in the order they are read from a whole document.
auto collections(Parsed& p) {
  auto by_id = [](const auto& v) { return std::string_view(v.id); };
  using enum Text;
  return std::make_tuple(
      collection("our_companies", p.companies, p.index["our_companies"], detail::read_company, by_id,
                 {{"id", kId}, {"name", kName}}),
      collection("groups", p.groups, p.index["groups"], detail::read_group, by_id, {{"id", kId}, {"name", kName}}),
      collection("licences", p.licences, p.index["licences"], detail::read_licence, by_id,
                 {{"id", kId}, {"name", kName}, {"requires", kIds}, {"cal_for", kIds}}),
      collection("plans", p.plans, p.index["plans"], detail::read_plan, by_id,
                 {{"id", kId}, {"name", kName}, {"licences", kIds}}),
      collection("functional_rights", p.rights, p.index["functional_rights"], detail::read_right, by_id,
                 {{"id", kId}, {"name", kName}, {"requires_licence", kId}}),
      collection("objects", p.objects, p.index["objects"], detail::read_object, by_id,
                 {{"id", kId}, {"name", kName}}),
      collection(
          "roles", p.roles, p.index["roles"],
          [](const Json& j, const std::string& path, Reader& rd) { return detail::read_role(j, path, rd, true); },
          by_id,
          {{"id", kId}, {"name", kName}, {"copy_of", kId}, {"data_rights", kIdKeys}, {"functional_rights", kIds}}),
      // Field rights and overrides have no id; their identity is their key.
      // Two entries with one identity are reported as `duplicate-id`.
      collection(
          "field_rights", p.field_rights, p.index["field_rights#"], detail::read_field_right,
          [](const FieldRightRule& f) {
            return f.role + "/" + f.object + "." + f.field + "@" + std::string(relation_name(f.relation));
          },
          {{"role", kId}, {"object", kId}, {"field", kId}}),
      collection(
          "overrides", p.overrides, p.index["overrides#"], detail::read_override,
          [](const Override& o) {
            return detail::override_level(o) + "/" + o.object + "/" + detail::override_scope(o) + "/" + o.field;
          },
          {{"level", kLevel}, {"object", kId}, {"scope", kScope}, {"field", kId}}),
      collection("users", p.users, p.index["users"], detail::read_user, by_id,
                 {{"id", kId},
                  {"name", kName},
                  {"person", kId},
                  {"company", kId},
                  {"role", kId},
                  {"group", kId},
                  {"other_groups", kIds},
                  {"plan", kId},
                  {"licences", kIds},
                  {"projects", kIds}}));
}

// Reads the file's collections entry by entry while the parser reads the
// text: each entry is a small tree, read and let go, so a large file is never
// held as one document.
class FileReader final : public detail::ElementSink {
 public:
  FileReader(Parsed& p, Reader& r) : p_(p), r_(r), collections_(collections(p)) {}

  [[nodiscard]] bool streams(std::string_view key) const override {
    return std::apply([&](const auto&... c) { return ((key == c.name) || ...); }, collections_);
  }

  void take(std::string_view key, std::size_t index, Json&& element) override {
    std::apply([&](const auto&... c) { (void)((key == c.name && (c.take(index, element, r_), true)) || ...); },
               collections_);
  }

  // After the parse: the duplicate ids of each collection, the collections
  // given as something else than an array (the streamed ones are left empty
  // in `root`), and the rule-list indexes.
  void finish(const Json& root) {
    std::apply([&](const auto&... c) { (c.dedupe(r_), ...); }, collections_);
    std::apply([&](const auto&... c) { (check_array(root, c.name), ...); }, collections_);
    for (std::size_t k = 0; k < p_.field_rights.size(); ++k)
      p_.index["field_rights"].emplace(field_right_key(p_.field_rights.values[k]), p_.field_rights.at[k]);
    for (std::size_t k = 0; k < p_.overrides.size(); ++k)
      p_.index["overrides"].emplace(override_key(p_.overrides.values[k]), p_.overrides.at[k]);
  }

 private:
  void check_array(const Json& root, const char* name) {
    auto it = root.find(name);
    if (it != root.end() && !it->is_array()) r_.fail(name, "wrong-type", "expected an array");
  }

  Parsed& p_;
  Reader& r_;
  decltype(collections(std::declval<Parsed&>())) collections_;
};

// Applies `entries` onto `items`: an entry replaces the first item with its
// key, or is appended (in file order). The smaller side is indexed (`Map`), so
// importing into an empty model builds no index at all: O(n + m) expected for
// a hash map, O((n + m) log min(n, m)) for a tree; into an empty collection
// the entries move as one. Keys may point into the values, so nothing moves
// until every lookup is done.
template <class T, class Map, class Seq, class Key>
void merge_into(Seq& items, Entries<T>& entries, Key key) {
  if (entries.empty()) return;
  if (items.empty()) {
    if constexpr (std::is_same_v<Seq, std::vector<T>>) {
      items = std::move(entries.values);
    } else {  // the users' ChunkedVector
      items.reserve(entries.size());
      for (T& value : entries.values) items.push_back(std::move(value));
    }
    return;
  }
  const Seq& ro = items;
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::vector<std::size_t> target(entries.size(), kNone);  // the item each entry replaces
  {
    Map index;
    if (items.size() <= entries.size()) {
      for (std::size_t i = ro.size(); i-- > 0;) index[key(ro[i])] = i;  // the first item wins
      for (std::size_t k = 0; k < entries.size(); ++k)
        if (auto it = index.find(key(entries.values[k])); it != index.end()) target[k] = it->second;
    } else {
      for (std::size_t k = 0; k < entries.size(); ++k) index.emplace(key(entries.values[k]), k);
      for (std::size_t i = 0; i < ro.size(); ++i) {
        auto it = index.find(key(ro[i]));
        if (it != index.end() && target[it->second] == kNone) target[it->second] = i;
      }
    }
  }
  items.reserve(items.size() + entries.size());
  for (std::size_t k = 0; k < entries.size(); ++k) {
    if (target[k] != kNone) items[target[k]] = std::move(entries.values[k]);
    else items.push_back(std::move(entries.values[k]));
  }
}

template <class Seq, class T>
void merge_by_id(Seq& items, Entries<T>& entries) {
  merge_into<T, std::unordered_map<std::string_view, std::size_t>>(
      items, entries, [](const T& t) { return std::string_view(t.id); });
}

// Role entries are applied in passes, as if the file were read again and
// again: each pass takes, in file order, every entry whose `copy_of` source is
// not still waiting (another entry of the file not applied yet). Entries that
// wait for ever form or follow a `copy_of` cycle. The pass of each entry is
// found in one walk of the copy_of chains, and the roles are looked up in a
// hash index, so this is O(n log n) for n roles.
void apply_roles(const Entries<RoleEntry>& entries, Model& m, bool merge, Reader& r) {
  const std::size_t n = entries.size();
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::unordered_map<std::string_view, std::size_t> in_file;
  for (std::size_t k = 0; k < n; ++k) in_file.emplace(entries.values[k].id, k);
  std::vector<std::size_t> source(n, kNone);  // the entry this one copies, if in the file
  for (std::size_t k = 0; k < n; ++k) {
    const RoleEntry& re = entries.values[k];
    if (!re.copy_of || *re.copy_of == re.id) continue;
    if (auto it = in_file.find(*re.copy_of); it != in_file.end()) source[k] = it->second;
  }
  // pass[k]: 0 unknown, kNone never (a cycle), else the pass (from 1).
  std::vector<std::size_t> pass(n, 0);
  std::vector<std::uint8_t> on_path(n, 0);
  std::vector<std::size_t> path;
  for (std::size_t k = 0; k < n; ++k) {
    if (pass[k] != 0) continue;
    std::size_t cur = k;
    while (pass[cur] == 0 && !on_path[cur]) {
      on_path[cur] = 1;
      path.push_back(cur);
      if (source[cur] == kNone) break;
      cur = source[cur];
    }
    std::size_t next_pass = kNone;  // the pass of `cur`'s source as resolved so far
    if (on_path[cur] && source[cur] != kNone && pass[cur] == 0) next_pass = kNone;  // a cycle
    else if (pass[cur] != 0) next_pass = pass[cur];
    // Unwind: the deepest entry first.
    while (!path.empty()) {
      const std::size_t e = path.back();
      path.pop_back();
      on_path[e] = 0;
      if (source[e] == kNone) pass[e] = 1;
      else if (next_pass == kNone) pass[e] = kNone;
      else pass[e] = next_pass + (source[e] > e ? 1 : 0);
      next_pass = pass[e];
    }
  }
  std::vector<std::size_t> order;
  order.reserve(n);
  for (std::size_t k = 0; k < n; ++k)
    if (pass[k] != kNone) order.push_back(k);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return pass[a] < pass[b]; });

  std::unordered_map<std::string, std::size_t> role_at;
  role_at.reserve(m.roles.size() + n);
  for (std::size_t i = 0; i < m.roles.size(); ++i) role_at.emplace(m.roles[i].id, i);
  auto find_role = [&](const std::string& id) -> Role* {
    auto it = role_at.find(id);
    return it == role_at.end() ? nullptr : &m.roles[it->second];
  };
  for (std::size_t k : order) {
    const RoleEntry& re = entries.values[k];
    const std::string path_k = at("roles", entries.at[k]);
    Role* existing = find_role(re.id);
    Role next;
    if (re.copy_of) {
      const Role* source_role = find_role(*re.copy_of);
      if (source_role == nullptr) {
        r.fail(path_k + ".copy_of", "unknown-role", "unknown role " + detail::quoted_text(*re.copy_of));
        continue;
      }
      next = *source_role;
      next.name.clear();
      next.description.clear();
      next.names.clear();  // a copy is named anew, in every language
      if (!re.type) next.type = source_role->type;
    } else if (existing != nullptr) {
      next = *existing;
    }
    const RoleType before_type = existing != nullptr ? existing->type : next.type;
    detail::apply_role_entry(re, next);
    if (existing != nullptr && merge && next.type != before_type && !r.failed(path_k + ".type")) {
      r.fail(path_k + (re.type ? ".type" : ".copy_of"), "role-type-fixed",
             "the type of role " + detail::quoted_text(re.id) + " is fixed at creation (" +
                 std::string(role_type_name(before_type)) + ")");
      continue;
    }
    if (existing != nullptr) {
      *existing = std::move(next);
    } else {
      role_at.emplace(re.id, m.roles.size());
      m.roles.push_back(std::move(next));
    }
  }
  for (std::size_t k = 0; k < n; ++k) {
    if (pass[k] != kNone) continue;
    r.fail(at("roles", entries.at[k]) + ".copy_of", "copy-of-cycle",
           "copy_of " + detail::quoted_text(*entries.values[k].copy_of) + " forms a cycle");
  }
}

// The JSON path of a validation diagnostic, if its entity comes from the file.
std::optional<Diagnostic> locate(const Diagnostic& d, const Parsed& p, const Json& root, const Reader& r) {
  auto coll = p.index.find(d.collection);
  if (coll == p.index.end()) return d;
  const std::optional<std::size_t> idx = coll->second.find(d.item);
  if (!idx) return d;  // from the base model: users["bob"]
  const std::string path = at(d.collection, *idx);
  // A wrong type or a broken entry makes every later rule about it noise.
  if (r.failed(path + ".type") || (d.field.empty() && r.failed(path))) return std::nullopt;
  std::string field = d.field;
  // Point at the list element or the object member the message names.
  auto list = root.find(d.collection);
  if (list == root.end() || !list->is_array() || *idx >= list->size()) return d;
  const Json& entry = (*list)[*idx];
  if (!field.empty() && field.find('.') == std::string::npos && entry.is_object() && entry.contains(field)) {
    const std::size_t q1 = d.message.find('"');
    const std::size_t q2 = q1 == std::string::npos ? q1 : d.message.find('"', q1 + 1);
    if (q2 != std::string::npos) {
      const std::string value = d.message.substr(q1 + 1, q2 - q1 - 1);
      const Json& member = entry[field];
      if (member.is_array()) {
        for (std::size_t i = 0; i < member.size(); ++i)
          if (member[i].is_string() && member[i].get<std::string>() == value) {
            field += "[" + std::to_string(i) + "]";
            break;
          }
      } else if (member.is_object() && member.contains(value)) {
        field += "." + value;
      }
    }
  }
  if (r.failed(path + "." + field)) return std::nullopt;
  return Diagnostic{path, "", field, d.rule, d.message};
}

// File order: the top-level key's position in the file, then the index.
// `positions` maps each top-level key to its position.
std::pair<std::size_t, std::size_t> file_order(const Diagnostic& d,
                                               const std::unordered_map<std::string_view, std::size_t>& positions) {
  std::string top = d.collection.empty() ? d.field : d.collection;
  std::size_t index = 0;
  if (auto b = top.find('['); b != std::string::npos) {
    index = std::strtoull(top.c_str() + b + 1, nullptr, 10);
    top = top.substr(0, b);
  }
  top = top.substr(0, top.find('.'));
  if (auto it = positions.find(top); it != positions.end()) return {it->second, index};
  return {d.collection.empty() && d.field.empty() ? 0 : positions.size(), index};
}

Error one_problem(const std::string& prefix, const std::string& path, std::string rule, std::string message) {
  Reader r;
  r.fail(path, std::move(rule), std::move(message));
  Diagnostic& d = r.errors.front();
  // "x[0][1]" is no collection entry ("x[0]") and a field ("[1]"): keep it whole.
  if (d.field.starts_with("[")) d.collection.clear(), d.field = path;
  return Error(ErrorCode::kInvalidArgument, prefix + ": invalid model file: 1 problem", std::move(r.errors));
}

std::string too_large(std::uint64_t size, std::uint64_t max_bytes, bool at_least) {
  return std::string("the model file is ") + (at_least ? "more than " : "") + std::to_string(size) +
         " bytes, over the limit of " + std::to_string(max_bytes) +
         " bytes (raise it with ModelFileOptions::max_bytes, or `sorights --max-model-bytes N`)";
}

std::string name_of(const std::string& file_name) { return file_name.empty() ? std::string("model file") : file_name; }

}  // namespace

Result<Model> parse_model_file(std::string_view text, const Model& base, const ModelFileOptions& options) {
  const std::string prefix = name_of(options.file_name);
  if (text.size() > options.max_bytes)
    return one_problem(prefix, "", "too-large", too_large(text.size(), options.max_bytes, false));
  detail::TextScanner scan;
  if (!scan.feed(text) || !scan.finish()) return one_problem(prefix, "", "encoding", scan.message());
  Json root;
  Parsed p;
  Reader r;
  FileReader entries(p, r);
  if (auto problem = detail::parse_bounded_json(text, kMaxModelFileDepth, root, &entries))
    return one_problem(prefix, problem->path, problem->rule, problem->message);
  if (!root.is_object()) {
    const char* found = root.is_array() ? "an array" : root.is_string() ? "a string" : root.is_boolean() ? "a boolean"
                        : root.is_null() ? "null" : "a number";
    return one_problem(prefix, "", "wrong-type", std::string("a model file is a JSON object, found ") + found);
  }
  r.keys(root, "",
         {"format", "our_companies", "groups", "licences", "plans", "functional_rights", "objects", "roles",
          "field_rights", "overrides", "users", "tests"});  // tests: policy_tests_file.cpp
  std::string format;
  if (r.str(root, "format", "", format) && format != kModelFileFormat)
    r.fail("format", "unsupported-format",
           "unsupported format " + detail::quoted_text(format) + " (this build reads " + detail::quoted_text(kModelFileFormat) + ")");

  entries.finish(root);
  const bool merge = options.mode == ImportMode::kMerge;
  Model m = merge ? base : Model::with_defaults();
  merge_by_id(m.our_companies, p.companies);
  merge_by_id(m.groups, p.groups);
  merge_by_id(m.licences, p.licences);
  merge_by_id(m.plans, p.plans);
  merge_by_id(m.functional_rights, p.rights);
  merge_by_id(m.objects, p.objects);
  apply_roles(p.roles, m, merge, r);
  merge_into<FieldRightRule, std::map<decltype(field_right_identity(FieldRightRule{})), std::size_t>>(
      m.field_rights, p.field_rights, [](const FieldRightRule& f) { return field_right_identity(f); });
  merge_into<Override, std::map<decltype(override_identity(Override{})), std::size_t>>(
      m.overrides, p.overrides, [](const Override& o) { return override_identity(o); });
  merge_by_id(m.users, p.users);

  std::vector<Diagnostic> problems = std::move(r.errors);
  std::vector<Diagnostic> broken = validate(m);
  if (!broken.empty()) {
    // The entries were read as the text was parsed; pointing into them takes
    // the whole document, read again (it parsed once, so it parses again).
    Json whole;
    detail::parse_bounded_json(text, kMaxModelFileDepth, whole);
    for (const Diagnostic& d : broken)
      if (auto located = locate(d, p, whole, r)) problems.push_back(std::move(*located));
  }
  if (!problems.empty()) {
    std::unordered_map<std::string_view, std::size_t> positions;
    std::size_t pos = 0;
    for (auto it = root.begin(); it != root.end(); ++it, ++pos) positions.emplace(it.key(), pos);
    std::vector<std::pair<std::pair<std::size_t, std::size_t>, std::size_t>> order;
    order.reserve(problems.size());
    for (std::size_t i = 0; i < problems.size(); ++i) order.emplace_back(file_order(problems[i], positions), i);
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Diagnostic> sorted;
    sorted.reserve(problems.size());
    for (const auto& o : order) sorted.push_back(std::move(problems[o.second]));
    std::string message = prefix + ": invalid model file: " + std::to_string(sorted.size()) +
                          (sorted.size() == 1 ? " problem" : " problems");
    return Error(ErrorCode::kInvalidArgument, std::move(message), std::move(sorted));
  }
  return m;
}

namespace {

// What `st` is, when it is not a regular file: "a directory", "a FIFO", ...
const char* special_type(const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return "a directory";
  if (S_ISFIFO(st.st_mode)) return "a FIFO";
  if (S_ISSOCK(st.st_mode)) return "a socket";
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) return "a device";
  if (!S_ISREG(st.st_mode)) return "not a regular file";
  return nullptr;
}

Result<std::string> refuse_type(const std::string& path, const char* type) {
  return Error(ErrorCode::kInvalidArgument,
               path + ": cannot read the model file: it is " + std::string(type) + ", not a regular file");
}

Result<std::string> unreadable(const std::string& path, int err) {
  return Error(ErrorCode::kUnavailable, path + ": cannot read the model file: " + std::strerror(err));
}

constexpr std::size_t kChunk = 64 * 1024;

// How many more bytes a read may take: up to one past the limit, which says
// the input is over it (no overflow for a limit of UINT64_MAX).
std::uint64_t room_for(const std::string& text, std::uint64_t max_bytes) {
  const std::uint64_t left = max_bytes - text.size();
  return left == UINT64_MAX ? left : left + 1;
}

// Appends `chunk` to `text` after checking it; the error names the bad byte
// or the limit.
Result<void> take(std::string& text, std::string_view chunk, detail::TextScanner& scan,
                  std::uint64_t max_bytes, const std::string& name) {
  if (!scan.feed(chunk)) return one_problem(name, "", "encoding", scan.message());
  if (text.size() + chunk.size() > max_bytes)
    return one_problem(name, "", "too-large", too_large(max_bytes, max_bytes, true));
  text.append(chunk);
  return {};
}

}  // namespace

Result<std::string> read_model_text(const std::string& path, std::uint64_t max_bytes) {
  // The type and size come from stat(), before anything opens the file: an
  // open() of a FIFO would block until a writer comes.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return unreadable(path, errno);
  if (const char* type = special_type(st)) return refuse_type(path, type);
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
    return one_problem(path, "", "too-large", too_large(static_cast<std::uint64_t>(st.st_size), max_bytes, false));
  // O_NONBLOCK: should the path have become a FIFO since stat(), open() does
  // not wait; fstat() below then refuses it.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return unreadable(path, errno);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::fstat(fd, &st) != 0) return unreadable(path, errno);
  if (const char* type = special_type(st)) return refuse_type(path, type);
  std::string text;
  text.reserve(static_cast<std::size_t>(st.st_size));
  detail::TextScanner scan;
  std::string chunk(kChunk, '\0');
  for (;;) {
    // Never more than max_bytes + 1 bytes: one more than the limit says the
    // file grew past it.
    const std::uint64_t room = room_for(text, max_bytes);
    const ssize_t got = ::read(fd, chunk.data(), static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, room)));
    if (got < 0) {
      if (errno == EINTR) continue;
      return unreadable(path, errno);
    }
    if (got == 0) break;
    if (auto ok = take(text, std::string_view(chunk.data(), static_cast<std::size_t>(got)), scan, max_bytes, path);
        !ok)
      return std::move(ok).error();
  }
  if (!scan.finish()) return one_problem(path, "", "encoding", scan.message());
  return text;
}

Result<std::string> read_model_text(std::istream& in, const std::string& name, std::uint64_t max_bytes) {
  std::string text;
  detail::TextScanner scan;
  std::string chunk(kChunk, '\0');
  while (in) {
    const std::uint64_t room = room_for(text, max_bytes);
    in.read(chunk.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(kChunk, room)));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got == 0) break;
    if (auto ok = take(text, std::string_view(chunk.data(), got), scan, max_bytes, name); !ok)
      return std::move(ok).error();
  }
  if (in.bad()) return Error(ErrorCode::kUnavailable, name + ": cannot read the model file");
  if (!scan.finish()) return one_problem(name, "", "encoding", scan.message());
  return text;
}

Result<Model> read_model_file(const std::string& path, const Model& base, const ModelFileOptions& options) {
  auto text = read_model_text(path, options.max_bytes);
  if (!text) return std::move(text).error();
  ModelFileOptions named = options;
  if (named.file_name.empty()) named.file_name = path;
  return parse_model_file(*text, base, named);
}

Result<Model> read_model_file(const std::string& path, const Model& base, ImportMode mode) {
  return read_model_file(path, base, ModelFileOptions{mode, path});
}

std::string export_model_file(const Model& m) {
  using namespace detail;
  Json root = {{"format", std::string(kModelFileFormat)}};
  auto list = [&](const char* name, const auto& items, auto write) {
    if (items.empty()) return;
    Json a = Json::array();
    for (const auto& item : items) a.push_back(write(item));
    root[name] = std::move(a);
  };
  list("our_companies", m.our_companies, write_company);
  list("groups", m.groups, write_group);
  list("licences", m.licences, write_licence);
  list("plans", m.plans, write_plan);
  list("functional_rights", m.functional_rights, write_right);
  list("objects", m.objects, write_object);
  // Role rows list only the cells that matter: for a custom role (which
  // starts blank) the non-empty ones, for a predefined role (which starts
  // from its defaults) the ones that differ from the defaults.
  auto row_json = [](const RelationCells& row, const RelationCells* def) {
    Json r = Json::object();
    for (Relation rel : kRelationDisplayOrder) {
      const auto i = static_cast<std::size_t>(rel);
      if (def != nullptr ? row[i] != (*def)[i] : !row[i].empty()) r[std::string(relation_name(rel))] = row[i].to_crud();
    }
    return r;
  };
  Json roles = Json::array();
  for (const Role& role : m.roles) {
    std::optional<Role> def = predefined_role(role.id);
    if (def && role == *def) continue;
    Json j = {{"id", role.id}};
    if (!def || role.name != def->name) j["name"] = role.name;
    if (!def ? !role.description.empty() : role.description != def->description) j["description"] = role.description;
    if (!def || role.type != def->type) j["type"] = std::string(role_type_name(role.type));
    Json rows = Json::object();
    for (const auto& [object, row] : role.data_rights) {
      const RelationCells* base_row = nullptr;
      if (def) {
        auto it = def->data_rights.find(object);
        if (it != def->data_rights.end()) {
          if (it->second == row) continue;
          base_row = &it->second;
        }
      }
      rows[object] = row_json(row, base_row);
    }
    if (!def || !rows.empty()) j["data_rights"] = rows;
    if (!def || role.functional_rights != def->functional_rights) {
      Json rights = Json::array();
      for (const std::string& f : role.functional_rights) rights.push_back(f);
      j["functional_rights"] = rights;
    }
    if (!role.names.empty()) {
      Json names = Json::object();
      for (const auto& [code, name] : role.names) names[code] = name;
      j["names"] = std::move(names);
    }
    roles.push_back(std::move(j));
  }
  if (!roles.empty()) root["roles"] = std::move(roles);
  list("field_rights", m.field_rights, write_field_right);
  list("overrides", m.overrides, write_override);
  list("users", m.users, write_user);
  return pretty(root, 140);
}

SORIGHTS_END_NAMESPACE
