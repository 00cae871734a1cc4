// Internal: JSON encoding of model entities (see json_codec.hpp).
#include "json_codec.hpp"
#include "quote.hpp"

#include <algorithm>

#include "sorights/ids.hpp"
#include "sorights/model_describe.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE
namespace detail {

// Compact JSON text. Invalid UTF-8 (possible in a model built through the
// API) becomes U+FFFD instead of throwing.
std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

namespace {


const char* type_name(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::binary: return "binary data";
    case Json::value_t::discarded: return "nothing";
    default: return "a number";
  }
}

std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// Splits "users[3].group.x" into ("users[3]", "group.x"); "format" into
// ("", "format").
std::pair<std::string, std::string> split_path(const std::string& path) {
  const std::size_t bracket = path.find('[');
  const std::size_t dot = path.find('.');
  if (bracket == std::string::npos || (dot != std::string::npos && dot < bracket)) {
    return {"", path};
  }
  const std::size_t close = path.find(']', bracket);
  if (close == std::string::npos) return {"", path};
  std::string collection = path.substr(0, close + 1);
  std::string rest = close + 1 < path.size() && path[close + 1] == '.' ? path.substr(close + 2)
                                                                       : path.substr(close + 1);
  return {collection, rest};
}

}  // namespace

void Reader::fail(const std::string& path, std::string rule, std::string message) {
  auto [collection, field] = split_path(path);
  failed_.insert(path);
  errors.push_back(Diagnostic{std::move(collection), "", std::move(field), std::move(rule), std::move(message)});
}

bool Reader::failed(const std::string& path) const {
  // O(length × log n): the path itself, a path that contains it
  // ("users[1]" for "users[1].group"), or one inside it ("users[1].group[2]").
  if (failed_.contains(path)) return true;
  for (std::size_t i = 0; i < path.size(); ++i)
    if ((path[i] == '.' || path[i] == '[') && failed_.contains(path.substr(0, i))) return true;
  for (char sep : {'.', '['}) {
    const std::string inside = path + sep;
    auto it = failed_.lower_bound(inside);
    if (it != failed_.end() && it->starts_with(inside)) return true;
  }
  return false;
}

bool Reader::object(const Json& j, const std::string& path) {
  if (j.is_object()) return true;
  fail(path, "wrong-type", std::string("expected an object, found ") + type_name(j));
  return false;
}

void Reader::keys(const Json& j, const std::string& path, std::initializer_list<std::string_view> allowed) {
  keys(j, path, std::vector<std::string_view>(allowed));
}

void Reader::keys(const Json& j, const std::string& path, const std::vector<std::string_view>& allowed) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end())
      fail(join(path, escape_text(it.key(), 64)), "unknown-key", "unknown key " + quoted_text(it.key()));
  }
}

bool Reader::str(const Json& j, const char* key, const std::string& path, std::string& out) {
  const Json* it = member(j, key, path, &Json::is_string, "a string");
  if (!it) return false;
  out = it->get<std::string>();
  return true;
}

bool Reader::required_str(const Json& j, const char* key, const std::string& path, std::string& out) {
  if (!j.contains(key)) {
    fail(join(path, key), "missing-key", std::string("missing required key \"") + key + "\"");
    return false;
  }
  if (!str(j, key, path, out)) return false;
  if (out.empty()) {
    fail(join(path, key), "empty-id", std::string("\"") + key + "\" may not be empty");
    return false;
  }
  return true;
}

bool Reader::boolean(const Json& j, const char* key, const std::string& path, bool& out) {
  const Json* it = member(j, key, path, &Json::is_boolean, "true or false");
  if (!it) return false;
  out = it->get<bool>();
  return true;
}

bool Reader::uint32(const Json& j, const char* key, const std::string& path, std::uint32_t& out) {
  auto it = j.find(key);
  if (it == j.end()) return false;
  if (!it->is_number_unsigned() || it->get<std::uint64_t>() > 0xFFFFFFFFull) {
    // A signed zero ("-0") is read as the integer 0 and would print as "0":
    // name the sign, or the message contradicts itself.
    const bool negative_zero = it->is_number_integer() && it->get<std::int64_t>() == 0;
    fail(join(path, key), "wrong-type",
         std::string("expected a whole number from 0 to 4294967295, found ") +
             (negative_zero ? std::string("-0 (a number with a minus sign)")
                            : it->is_number() ? it->dump() : type_name(*it)));
    return false;
  }
  out = static_cast<std::uint32_t>(it->get<std::uint64_t>());
  return true;
}

const Json* Reader::member(const Json& j, const char* key, const std::string& path,
                           bool (Json::*is)() const noexcept, const char* what) {
  auto it = j.find(key);
  if (it == j.end()) return nullptr;
  if (!((*it).*is)()) {
    fail(join(path, key), "wrong-type", std::string("expected ") + what + ", found " + type_name(*it));
    return nullptr;
  }
  return &*it;
}

bool Reader::strings(const Json& j, const char* key, const std::string& path, std::vector<std::string>& out) {
  const Json* it = member(j, key, path, &Json::is_array, "an array of strings");
  if (!it) return false;
  const std::string p = join(path, key);
  out.clear();
  bool ok = true;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& e = (*it)[i];
    if (!e.is_string()) {
      fail(p + "[" + std::to_string(i) + "]", "wrong-type", std::string("expected a string, found ") + type_name(e));
      ok = false;
      continue;
    }
    out.push_back(e.get<std::string>());
  }
  return ok;
}

bool Reader::names(const Json& j, const char* key, const std::string& path, NameMap& out) {
  const Json* it = member(j, key, path, &Json::is_object, "an object of names by language");
  if (!it) return false;
  const std::string p = join(path, key);
  out.clear();
  bool ok = true;
  for (auto e = it->begin(); e != it->end(); ++e) {
    const std::string pe = join(p, escape_text(e.key(), 64));
    const std::string_view stored = name_map_key(e.key());
    if (stored.empty()) {
      fail(pe, "unknown-language", "unknown language " + quoted_text(e.key()) + " (en, no, nb, nl or da)");
      ok = false;
      continue;
    }
    if (!e->is_string()) {
      fail(pe, "wrong-type", std::string("expected a string, found ") + type_name(*e));
      ok = false;
      continue;
    }
    if (!out.emplace(std::string(stored), e->get<std::string>()).second) {
      // Only "nb" beside "no" gets here: the parser refuses a key twice.
      fail(pe, "duplicate-key", "duplicate key " + quoted_text(e.key()) + " (nb and no are the same language)");
      ok = false;
    }
  }
  return ok;
}

std::string names_to_text(const NameMap& names) {
  if (names.empty()) return {};
  Json j = Json::object();
  for (const auto& [key, value] : names) j[key] = value;
  return dump(j);
}

Result<NameMap> names_from_text(std::string_view text) {
  NameMap out;
  if (text.empty()) return out;
  const Json j = Json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error(ErrorCode::kDataLoss, "names is not a JSON object");
  for (auto e = j.begin(); e != j.end(); ++e) {
    if (e.key() == "nb" || name_map_key(e.key()).empty())
      return Error(ErrorCode::kDataLoss, "names has the key " + quoted_text(e.key()) + ", not a language (en, no, nl, da)");
    if (!e->is_string())
      return Error(ErrorCode::kDataLoss, "names[" + quoted_text(e.key()) + "] is " + type_name(*e) + ", not a string");
    if (!out.emplace(e.key(), e->get<std::string>()).second)
      return Error(ErrorCode::kDataLoss, "names has the key " + quoted_text(e.key()) + " twice");
  }
  return out;
}

// -- Readers -------------------------------------------------------------------

namespace {

// The JSON keys of `T`, for `Reader::keys`.
template <class T>
const std::vector<std::string_view>& json_keys() {
  static const std::vector<std::string_view> keys = [] {
    std::vector<std::string_view> out;
    for (const FieldInfo& f : EntityFields<T>::fields)
      if (std::find(out.begin(), out.end(), f.json) == out.end()) out.push_back(f.json);
    return out;
  }();
  return keys;
}

template <class E>
void read_enum(const Json& j, const char* key, const std::string& path, Reader& r, std::string_view noun,
               E& out) {
  std::string s;
  if (!r.str(j, key, path, s)) return;
  if (auto e = parse_enum_text<E>(s)) {
    out = *e;
    return;
  }
  const auto& names = enum_texts_listed<E>();
  std::string expected;
  for (std::size_t i = 0; i < names.size(); ++i)
    expected.append(i == 0 ? "" : i + 1 == names.size() ? " or " : ", ").append(names[i]);
  r.fail(join(path, key), "invalid-value", std::string(noun) + " " + key + " is " + expected + ", not " + quoted_text(s));
}

// An entity with an id, member by member from its field list.
template <class T>
T read_fields(const Json& j, const std::string& path, Reader& r) {
  T v;
  if (!r.object(j, path)) return v;
  r.keys(j, path, json_keys<T>());
  for_each_field<T>([&](const FieldInfo& f, auto member) {
    auto& m = v.*member;
    using M = std::decay_t<decltype(m)>;
    const char* key = f.json.data();  // a string literal
    if constexpr (std::is_same_v<M, std::string>) {
      if (f.kind == FieldKind::kId) r.required_str(j, key, path, m);
      else r.str(j, key, path, m);
    } else if constexpr (std::is_same_v<M, bool>) {
      r.boolean(j, key, path, m);
    } else if constexpr (std::is_same_v<M, std::uint32_t>) {
      r.uint32(j, key, path, m);
    } else if constexpr (std::is_enum_v<M>) {
      read_enum(j, key, path, r, EntityFields<T>::noun, m);
    } else if constexpr (std::is_same_v<M, NameMap>) {
      r.names(j, key, path, m);
    } else {
      static_assert(std::is_same_v<M, std::vector<std::string>>, "a member read_fields cannot read");
      r.strings(j, key, path, m);
    }
  });
  return v;
}

}  // namespace

OurCompany read_company(const Json& j, const std::string& path, Reader& r) { return read_fields<OurCompany>(j, path, r); }
Group read_group(const Json& j, const std::string& path, Reader& r) { return read_fields<Group>(j, path, r); }
Licence read_licence(const Json& j, const std::string& path, Reader& r) { return read_fields<Licence>(j, path, r); }
Plan read_plan(const Json& j, const std::string& path, Reader& r) { return read_fields<Plan>(j, path, r); }
FunctionalRightDef read_right(const Json& j, const std::string& path, Reader& r) {
  return read_fields<FunctionalRightDef>(j, path, r);
}
DataObjectDef read_object(const Json& j, const std::string& path, Reader& r) {
  return read_fields<DataObjectDef>(j, path, r);
}
User read_user(const Json& j, const std::string& path, Reader& r) { return read_fields<User>(j, path, r); }

RoleEntry read_role(const Json& j, const std::string& path, Reader& r, bool allow_copy_of) {
  RoleEntry e;
  if (!r.object(j, path)) return e;
  if (allow_copy_of)
    r.keys(j, path, {"id", "name", "description", "type", "copy_of", "data_rights", "functional_rights", "names"});
  else
    r.keys(j, path, {"id", "name", "description", "type", "data_rights", "functional_rights", "names"});
  r.required_str(j, "id", path, e.id);
  std::string s;
  if (r.str(j, "name", path, s)) e.name = s;
  if (r.str(j, "description", path, s)) e.description = s;
  if (allow_copy_of && r.str(j, "copy_of", path, s)) {
    if (s.empty()) r.fail(join(path, "copy_of"), "unknown-role", "copy_of may not be empty");
    else e.copy_of = s;
  }
  if (r.str(j, "type", path, s)) {
    if (auto t = parse_role_type(s)) e.type = *t;
    else
      r.fail(join(path, "type"), "invalid-value",
             "role type is employee, external, anonymous or system, not " + quoted_text(s));
  }
  if (auto it = j.find("data_rights"); it != j.end()) {
    const std::string p = join(path, "data_rights");
    if (!it->is_object()) {
      r.fail(p, "wrong-type", std::string("expected an object of data objects, found ") + type_name(*it));
    } else {
      for (auto obj = it->begin(); obj != it->end(); ++obj) {
        const std::string po = p + "." + escape_text(obj.key(), 64);
        auto& row = e.cells[obj.key()];
        if (!obj->is_object()) {
          r.fail(po, "wrong-type", std::string("expected an object of relations, found ") + type_name(*obj));
          continue;
        }
        for (auto rel = obj->begin(); rel != obj->end(); ++rel) {
          const std::string pr = po + "." + escape_text(rel.key(), 64);
          auto relation = parse_relation(rel.key());
          if (!relation) {
            r.fail(pr, "unknown-relation",
                   "unknown relation " + quoted_text(rel.key()) +
                       " (own, primary_group, other_groups, other_associates, external, anonymous, "
                       "my_company, same_project)");
            continue;
          }
          if (!rel->is_string()) {
            r.fail(pr, "wrong-type", std::string("expected a rights string such as \"CRUD\", found ") + type_name(*rel));
            continue;
          }
          const std::string letters = rel->get<std::string>();
          auto rights = TableRights::parse_crud(letters);
          if (!rights) {
            r.fail(pr, "invalid-rights",
                   "invalid rights " + quoted_text(letters) + " (any of the letters C, R, U, D, each at most once)");
            continue;
          }
          row[*relation] = *rights;
        }
      }
    }
  }
  std::vector<std::string> rights;
  if (j.contains("functional_rights")) {
    if (r.strings(j, "functional_rights", path, rights)) e.functional_rights = rights;
  }
  NameMap names;
  if (r.names(j, "names", path, names)) e.names = std::move(names);
  return e;
}

void apply_role_entry(const RoleEntry& e, Role& role) {
  role.id = e.id;
  if (e.name) role.name = *e.name;
  if (e.description) role.description = *e.description;
  if (e.type) role.type = *e.type;
  for (const auto& [object, cells] : e.cells) {
    RelationCells& row = role.data_rights[object];
    for (const auto& [rel, rights] : cells) row[static_cast<std::size_t>(rel)] = rights & TableRights::full();
  }
  if (e.functional_rights) role.functional_rights = *e.functional_rights;
  if (e.names) role.names = *e.names;
}

FieldRightRule read_field_right(const Json& j, const std::string& path, Reader& r) {
  FieldRightRule f;
  if (!r.object(j, path)) return f;
  r.keys(j, path, {"role", "object", "field", "relation", "rights", "ui"});
  r.required_str(j, "role", path, f.role);
  r.required_str(j, "object", path, f.object);
  r.required_str(j, "field", path, f.field);
  std::string s;
  if (!j.contains("relation")) {
    r.fail(join(path, "relation"), "missing-key", "missing required key \"relation\"");
  } else if (r.str(j, "relation", path, s)) {
    if (auto rel = parse_relation(s)) f.relation = *rel;
    else r.fail(join(path, "relation"), "unknown-relation", "unknown relation " + quoted_text(s));
  }
  if (!j.contains("rights")) {
    r.fail(join(path, "rights"), "missing-key", "missing required key \"rights\"");
  } else if (r.str(j, "rights", path, s)) {
    if (auto rights = FieldRights::parse_rw(s)) f.rights = *rights;
    else
      r.fail(join(path, "rights"), "invalid-rights",
             "invalid field rights " + quoted_text(s) + " (\"R\", \"W\", \"RW\" or \"\")");
  }
  std::vector<std::string> ui;
  if (r.strings(j, "ui", path, ui)) {
    for (std::size_t i = 0; i < ui.size(); ++i) {
      if (ui[i] == "mandatory") f.ui_mandatory = true;
      else if (ui[i] == "read-only") f.ui_read_only = true;
      else
        r.fail(join(path, "ui") + "[" + std::to_string(i) + "]", "invalid-value",
               "unknown UI hint " + quoted_text(ui[i]) + " (\"mandatory\" or \"read-only\")");
    }
  }
  return f;
}

namespace {
// True if `s` is `prefix` followed by a non-empty rest, which goes to `rest`.
bool after_prefix(std::string_view s, std::string_view prefix, std::string& rest) {
  if (!s.starts_with(prefix) || s.size() == prefix.size()) return false;
  rest = s.substr(prefix.size());
  return true;
}
}  // namespace

Override read_override(const Json& j, const std::string& path, Reader& r) {
  Override o;
  if (!r.object(j, path)) return o;
  r.keys(j, path, {"level", "object", "scope", "field", "remove"});
  std::string s;
  if (!j.contains("level")) {
    r.fail(join(path, "level"), "missing-key", "missing required key \"level\"");
  } else if (r.str(j, "level", path, s)) {
    if (s == "system") o.level = OverrideLevel::kSystem;
    else if (after_prefix(s, "group:", o.target)) o.level = OverrideLevel::kGroup;
    else if (after_prefix(s, "user:", o.target)) o.level = OverrideLevel::kUser;
    else
      r.fail(join(path, "level"), "invalid-value",
             "override level is \"system\", \"group:ID\" or \"user:ID\", not " + quoted_text(s));
  }
  r.required_str(j, "object", path, o.object);
  if (r.str(j, "scope", path, s)) {
    if (s == "all") o.scope = OverrideScope::kAll;
    else if (s == "new") o.scope = OverrideScope::kNew;
    else if (s == "existing") o.scope = OverrideScope::kExisting;
    else if (after_prefix(s, "record:", o.record)) o.scope = OverrideScope::kRecord;
    else
      r.fail(join(path, "scope"), "invalid-value",
             "override scope is \"all\", \"new\", \"existing\" or \"record:ID\", not " + quoted_text(s));
  }
  r.str(j, "field", path, o.field);
  if (!j.contains("remove")) {
    r.fail(join(path, "remove"), "missing-key", "missing required key \"remove\"");
  } else if (r.str(j, "remove", path, s)) {
    if (o.field.empty()) {
      if (auto t = TableRights::parse_crud(s)) o.remove = t->bits();
      else
        r.fail(join(path, "remove"), "invalid-rights",
               "invalid rights " + quoted_text(s) + " (a table override removes any of C, R, U, D)");
    } else {
      if (auto f = FieldRights::parse_rw(s)) o.remove = f->bits();
      else
        r.fail(join(path, "remove"), "invalid-rights",
               "invalid rights " + quoted_text(s) + " (a field override removes any of R, W)");
    }
  }
  return o;
}

// -- Writers -------------------------------------------------------------------

namespace {
Json string_array(const std::vector<std::string>& v) {
  Json a = Json::array();
  for (const std::string& s : v) a.push_back(s);
  return a;
}
}  // namespace

namespace {

Json write_row(const RelationCells& row) {
  Json r = Json::object();
  for (Relation rel : kRelationDisplayOrder) r[std::string(relation_name(rel))] = row[static_cast<std::size_t>(rel)].to_crud();
  return r;
}

// An entity with an id, member by member from its field list; members at
// their defaults are left out unless the list says otherwise.
template <class T>
Json write_fields(const T& v) {
  static const T defaults{};
  Json j = Json::object();
  for_each_field<T>([&](const FieldInfo& f, auto member) {
    const auto& m = v.*member;
    using M = std::decay_t<decltype(m)>;
    if (f.kind != FieldKind::kId && !f.json_always && m == defaults.*member) return;
    Json& out = j[std::string(f.json)];
    if constexpr (std::is_enum_v<M>) {
      out = std::string(enum_text(m));
    } else if constexpr (std::is_same_v<M, std::vector<std::string>>) {
      out = string_array(m);
    } else if constexpr (std::is_same_v<M, std::map<std::string, RelationCells>>) {
      out = Json::object();
      for (const auto& [object, row] : m) out[object] = write_row(row);
    } else if constexpr (std::is_same_v<M, NameMap>) {
      out = Json::object();
      for (const auto& [code, name] : m) out[code] = name;
    } else {
      out = m;
    }
  });
  return j;
}

}  // namespace

Json write_company(const OurCompany& c) { return write_fields(c); }
Json write_group(const Group& g) { return write_fields(g); }
Json write_licence(const Licence& l) { return write_fields(l); }
Json write_plan(const Plan& p) { return write_fields(p); }
Json write_right(const FunctionalRightDef& f) { return write_fields(f); }
Json write_object(const DataObjectDef& o) { return write_fields(o); }
Json write_role(const Role& role) { return write_fields(role); }
Json write_user(const User& u) { return write_fields(u); }

Json write_field_right(const FieldRightRule& f) {
  Json j = {{"role", f.role}, {"object", f.object}, {"field", f.field},
            {"relation", std::string(relation_name(f.relation))}, {"rights", f.rights.to_letters()}};
  if (f.ui_mandatory || f.ui_read_only) {
    Json ui = Json::array();
    if (f.ui_mandatory) ui.push_back("mandatory");
    if (f.ui_read_only) ui.push_back("read-only");
    j["ui"] = ui;
  }
  return j;
}

std::string override_level(const Override& o) {
  switch (o.level) {
    case OverrideLevel::kSystem: return "system";
    case OverrideLevel::kGroup: return "group:" + o.target;
    case OverrideLevel::kUser: return "user:" + o.target;
  }
  return "system";
}

std::string override_scope(const Override& o) {
  switch (o.scope) {
    case OverrideScope::kAll: return "all";
    case OverrideScope::kNew: return "new";
    case OverrideScope::kExisting: return "existing";
    case OverrideScope::kRecord: return "record:" + o.record;
  }
  return "all";
}

std::string override_remove(const Override& o) {
  return o.field.empty() ? TableRights::from_bits(o.remove).to_crud() : FieldRights::from_bits(o.remove).to_letters();
}

Json write_override(const Override& o) {
  Json j = {{"level", override_level(o)}, {"object", o.object}, {"scope", override_scope(o)}};
  if (!o.field.empty()) j["field"] = o.field;
  j["remove"] = override_remove(o);
  return j;
}

// -- Entities and change sets ----------------------------------------------------

Json write_entity(const Entity& e) {
  return std::visit(
      [](const auto& v) -> Json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, OurCompany>) return write_company(v);
        else if constexpr (std::is_same_v<T, Group>) return write_group(v);
        else if constexpr (std::is_same_v<T, Licence>) return write_licence(v);
        else if constexpr (std::is_same_v<T, Plan>) return write_plan(v);
        else if constexpr (std::is_same_v<T, FunctionalRightDef>) return write_right(v);
        else if constexpr (std::is_same_v<T, DataObjectDef>) return write_object(v);
        else if constexpr (std::is_same_v<T, Role>) return write_role(v);
        else if constexpr (std::is_same_v<T, User>) return write_user(v);
        else if constexpr (std::is_same_v<T, std::vector<FieldRightRule>>) {
          Json a = Json::array();
          for (const FieldRightRule& f : v) a.push_back(write_field_right(f));
          return a;
        } else {
          Json a = Json::array();
          for (const Override& o : v) a.push_back(write_override(o));
          return a;
        }
      },
      e);
}


namespace {
// A whole list (field rights, overrides), each item read by `read_item`.
template <class T>
std::vector<T> read_list(const Json& j, Reader& r, T (*read_item)(const Json&, const std::string&, Reader&)) {
  std::vector<T> v;
  if (!j.is_array()) {
    r.fail("", "wrong-type", "expected an array");
    return v;
  }
  for (std::size_t i = 0; i < j.size(); ++i) v.push_back(read_item(j[i], "[" + std::to_string(i) + "]", r));
  return v;
}
}  // namespace

Result<Entity> read_entity(EntityKind kind, const Json& j) {
  Reader r;
  Entity out;
  switch (kind) {
    case EntityKind::kOurCompany: out = read_company(j, "", r); break;
    case EntityKind::kGroup: out = read_group(j, "", r); break;
    case EntityKind::kLicence: out = read_licence(j, "", r); break;
    case EntityKind::kPlan: out = read_plan(j, "", r); break;
    case EntityKind::kFunctionalRight: out = read_right(j, "", r); break;
    case EntityKind::kObject: out = read_object(j, "", r); break;
    case EntityKind::kRole: {
      Role role;
      apply_role_entry(read_role(j, "", r, false), role);
      out = std::move(role);
      break;
    }
    case EntityKind::kUser: out = read_user(j, "", r); break;
    case EntityKind::kFieldRights: out = read_list(j, r, &read_field_right); break;
    case EntityKind::kOverrides: out = read_list(j, r, &read_override); break;
  }
  if (!r.errors.empty()) return Error(ErrorCode::kDataLoss, r.errors.front().to_string(), r.errors);
  return out;
}

std::string write_changes(const std::vector<Change>& changes) {
  Json a = Json::array();
  for (const Change& c : changes) {
    Json j = {{"kind", std::string(kEntityKindNames[static_cast<std::size_t>(c.kind)])}, {"id", c.id}};
    if (c.before) j["before"] = write_entity(*c.before);
    if (c.after) j["after"] = write_entity(*c.after);
    a.push_back(std::move(j));
  }
  return dump(a);
}

Result<std::vector<Change>> read_changes(std::string_view text) {
  Json a = Json::parse(text.begin(), text.end(), nullptr, false);
  if (a.is_discarded() || !a.is_array()) return Error(ErrorCode::kDataLoss, "the changes are not a JSON array");
  std::vector<Change> out;
  for (const Json& j : a) {
    if (!j.is_object() || !j.contains("kind") || !j["kind"].is_string() || !j.contains("id") || !j["id"].is_string())
      return Error(ErrorCode::kDataLoss, "a change lacks its kind or id");
    Change c;
    const std::string kind = j["kind"].get<std::string>();
    auto k = parse_enum<EntityKind>(kEntityKindNames, kind);
    if (!k) return Error(ErrorCode::kDataLoss, "unknown entity kind \"" + kind + "\"");
    c.kind = *k;
    c.id = j["id"].get<std::string>();
    if (auto it = j.find("before"); it != j.end()) {
      auto e = read_entity(c.kind, *it);
      if (!e) return std::move(e).error();
      c.before = std::move(*e);
    }
    if (auto it = j.find("after"); it != j.end()) {
      auto e = read_entity(c.kind, *it);
      if (!e) return std::move(e).error();
      c.after = std::move(*e);
    }
    out.push_back(std::move(c));
  }
  return out;
}

// -- Pretty printing ---------------------------------------------------------------

namespace {

std::string inline_form(const Json& j) {
  if (j.is_object()) {
    if (j.empty()) return "{}";
    std::string out = "{";
    bool first = true;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!first) out += ", ";
      first = false;
      out += dump(Json(it.key())) + ": " + inline_form(it.value());
    }
    return out + "}";
  }
  if (j.is_array()) {
    if (j.empty()) return "[]";
    std::string out = "[";
    bool first = true;
    for (const Json& e : j) {
      if (!first) out += ", ";
      first = false;
      out += inline_form(e);
    }
    return out + "]";
  }
  return dump(j);
}

void pretty_into(const Json& j, int indent, int used, int width, std::string& out) {
  const std::string flat = inline_form(j);
  if ((!j.is_object() && !j.is_array()) || used + static_cast<int>(flat.size()) <= width) {
    out += flat;
    return;
  }
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  if (j.is_object()) {
    out += "{\n";
    bool first = true;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!first) out += ",\n";
      first = false;
      const std::string key = dump(Json(it.key())) + ": ";
      out += pad + key;
      pretty_into(it.value(), indent + 2, indent + 2 + static_cast<int>(key.size()), width, out);
    }
    out += "\n" + std::string(static_cast<std::size_t>(indent), ' ') + "}";
  } else {
    out += "[\n";
    bool first = true;
    for (const Json& e : j) {
      if (!first) out += ",\n";
      first = false;
      out += pad;
      pretty_into(e, indent + 2, indent + 2, width, out);
    }
    out += "\n" + std::string(static_cast<std::size_t>(indent), ' ') + "]";
  }
}

}  // namespace

std::string pretty(const Json& j, int width) {
  std::string out;
  pretty_into(j, 0, 0, width, out);
  out += "\n";
  return out;
}

}  // namespace detail
SORIGHTS_END_NAMESPACE
