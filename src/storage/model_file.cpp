// Model files: parsing with import semantics, validation with JSON paths, and
// export (see include/sorights/model_file.hpp and docs/model-file.md).
#include "sorights/model_file.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <tuple>

#include "json_codec.hpp"
#include "sorights/snapshot.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace {

using storage_detail::Json;
using storage_detail::Reader;
using storage_detail::RoleEntry;

std::string qt(std::string_view s) { return "\"" + std::string(s) + "\""; }
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

template <class T>
void upsert(std::vector<T>& items, T value) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& t) { return t.id == value.id; });
  if (it != items.end()) *it = std::move(value);
  else items.push_back(std::move(value));
}

// One parsed entry of an id-keyed collection.
template <class T>
struct Entry {
  std::size_t index;
  T value;
};

// The parsed file, before it is applied.
struct Parsed {
  std::vector<Entry<OurCompany>> companies;
  std::vector<Entry<Group>> groups;
  std::vector<Entry<Licence>> licences;
  std::vector<Entry<Plan>> plans;
  std::vector<Entry<FunctionalRightDef>> rights;
  std::vector<Entry<DataObjectDef>> objects;
  std::vector<Entry<RoleEntry>> roles;
  std::vector<Entry<FieldRightRule>> field_rights;
  std::vector<Entry<Override>> overrides;
  std::vector<Entry<User>> users;
  // collection → (id → first index in the file)
  std::map<std::string, std::map<std::string, std::size_t>, std::less<>> index;
};

template <class T, class ReadFn>
void read_collection(const Json& root, const char* name, Reader& r, std::vector<Entry<T>>& out,
                     std::map<std::string, std::size_t>& ids, ReadFn read,
                     std::function<std::string(const T&)> id_of) {
  auto it = root.find(name);
  if (it == root.end()) return;
  if (!it->is_array()) {
    r.fail(name, "wrong-type", "expected an array");
    return;
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    const std::string path = at(name, i);
    const std::size_t before = r.errors.size();
    T value = read((*it)[i], path, r);
    if (!(*it)[i].is_object()) continue;
    const std::string id = id_of(value);
    if (id.empty() && r.errors.size() > before) {
      // No usable id: the entry cannot be applied, its problems are reported.
      continue;
    }
    auto [pos, fresh] = ids.emplace(id, i);
    if (!fresh && id_of != nullptr) {
      r.fail(path + (std::is_same_v<T, FieldRightRule> || std::is_same_v<T, Override> ? "" : ".id"),
             "duplicate-id", "duplicate entry " + qt(id) + " (also " + at(name, pos->second) + ")");
      continue;
    }
    out.push_back(Entry<T>{i, std::move(value)});
  }
}

Parsed read_file(const Json& root, Reader& r) {
  Parsed p;
  auto by_id = [](const auto& v) { return v.id; };
  read_collection<OurCompany>(root, "our_companies", r, p.companies, p.index["our_companies"],
                              storage_detail::read_company, by_id);
  read_collection<Group>(root, "groups", r, p.groups, p.index["groups"], storage_detail::read_group, by_id);
  read_collection<Licence>(root, "licences", r, p.licences, p.index["licences"], storage_detail::read_licence, by_id);
  read_collection<Plan>(root, "plans", r, p.plans, p.index["plans"], storage_detail::read_plan, by_id);
  read_collection<FunctionalRightDef>(root, "functional_rights", r, p.rights, p.index["functional_rights"],
                                      storage_detail::read_right, by_id);
  read_collection<DataObjectDef>(root, "objects", r, p.objects, p.index["objects"], storage_detail::read_object,
                                 by_id);
  read_collection<RoleEntry>(
      root, "roles", r, p.roles, p.index["roles"],
      [](const Json& j, const std::string& path, Reader& rd) { return storage_detail::read_role(j, path, rd, true); },
      by_id);
  // Field rights and overrides have no id; their identity is their key. Two
  // entries with one identity are reported by the model's own rules (field
  // rights) or merged (overrides), so only the diagnostic index is kept here.
  read_collection<FieldRightRule>(
      root, "field_rights", r, p.field_rights, p.index["field_rights#"], storage_detail::read_field_right,
      [](const FieldRightRule& f) {
        return f.role + "/" + f.object + "." + f.field + "@" + std::string(relation_name(f.relation));
      });
  read_collection<Override>(root, "overrides", r, p.overrides, p.index["overrides#"], storage_detail::read_override,
                            [](const Override& o) {
                              return storage_detail::override_level(o) + "/" + o.object + "/" +
                                     storage_detail::override_scope(o) + "/" + o.field;
                            });
  read_collection<User>(root, "users", r, p.users, p.index["users"], storage_detail::read_user, by_id);
  for (const auto& e : p.field_rights) p.index["field_rights"].emplace(field_right_key(e.value), e.index);
  for (const auto& e : p.overrides) p.index["overrides"].emplace(override_key(e.value), e.index);
  return p;
}

void apply_roles(const std::vector<Entry<RoleEntry>>& entries, Model& m, bool merge, Reader& r) {
  std::vector<const Entry<RoleEntry>*> pending;
  for (const auto& e : entries) pending.push_back(&e);
  auto is_pending = [&](std::string_view id) {
    return std::any_of(pending.begin(), pending.end(), [&](const auto* e) { return e->value.id == id; });
  };
  bool progress = true;
  while (!pending.empty() && progress) {
    progress = false;
    for (std::size_t k = 0; k < pending.size();) {
      const Entry<RoleEntry>& e = *pending[k];
      const RoleEntry& re = e.value;
      if (re.copy_of && (*re.copy_of != re.id && is_pending(*re.copy_of))) {
        ++k;
        continue;
      }
      pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(k));
      progress = true;
      const std::string path = at("roles", e.index);
      Role* existing = m.find_role(re.id);
      Role next;
      if (re.copy_of) {
        const Role* source = m.find_role(*re.copy_of);
        if (source == nullptr) {
          r.fail(path + ".copy_of", "unknown-role", "unknown role " + qt(*re.copy_of));
          continue;
        }
        next = *source;
        next.name.clear();
        next.description.clear();
        if (!re.type) next.type = source->type;
      } else if (existing != nullptr) {
        next = *existing;
      }
      const RoleType before_type = existing != nullptr ? existing->type : next.type;
      storage_detail::apply_role_entry(re, next);
      if (existing != nullptr && merge && next.type != before_type && !r.failed(path + ".type")) {
        r.fail(path + (re.type ? ".type" : ".copy_of"), "role-type-fixed",
               "the type of role " + qt(re.id) + " is fixed at creation (" +
                   std::string(role_type_name(before_type)) + ")");
        continue;
      }
      if (existing != nullptr) *existing = std::move(next);
      else m.roles.push_back(std::move(next));
    }
  }
  for (const auto* e : pending)
    r.fail(at("roles", e->index) + ".copy_of", "copy-of-cycle",
           "copy_of " + qt(*e->value.copy_of) + " forms a cycle");
}

// The JSON path of a validation diagnostic, if its entity comes from the file.
std::optional<Diagnostic> locate(const Diagnostic& d, const Parsed& p, const Json& root, const Reader& r) {
  auto coll = p.index.find(d.collection);
  if (coll == p.index.end()) return d;
  auto idx = coll->second.find(d.item);
  if (idx == coll->second.end()) return d;  // from the base model: users["bob"]
  const std::string path = at(d.collection, idx->second);
  // A wrong type or a broken entry makes every later rule about it noise.
  if (r.failed(path + ".type") || (d.field.empty() && r.failed(path))) return std::nullopt;
  std::string field = d.field;
  // Point at the list element or the object member the message names.
  auto list = root.find(d.collection);
  if (list == root.end() || !list->is_array() || idx->second >= list->size()) return d;
  const Json& entry = (*list)[idx->second];
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
std::pair<std::size_t, std::size_t> file_order(const Diagnostic& d, const Json& root) {
  std::string top = d.collection.empty() ? d.field : d.collection;
  std::size_t index = 0;
  if (auto b = top.find('['); b != std::string::npos) {
    index = std::strtoull(top.c_str() + b + 1, nullptr, 10);
    top = top.substr(0, b);
  }
  top = top.substr(0, top.find('.'));
  std::size_t pos = 0;
  for (auto it = root.begin(); it != root.end(); ++it, ++pos)
    if (it.key() == top) return {pos, index};
  return {d.collection.empty() && d.field.empty() ? 0 : pos, index};
}

}  // namespace

Result<Model> parse_model_file(std::string_view text, const Model& base, const ModelFileOptions& options) {
  const std::string prefix = options.file_name.empty() ? std::string("model file") : options.file_name;
  Json root;
  try {
    root = Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for a number like 1E999
    std::string what = e.what();
    if (auto pos = what.find("] "); what.starts_with("[json.exception") && pos != std::string::npos)
      what = what.substr(pos + 2);
    return Error(ErrorCode::kInvalidArgument, prefix + ": invalid model file: 1 problem",
                 {Diagnostic{"", "", "", "syntax", "not valid JSON: " + what}});
  }
  Reader r;
  if (!root.is_object()) {
    r.fail("", "wrong-type", "a model file is a JSON object");
    return Error(ErrorCode::kInvalidArgument, prefix + ": a model file is a JSON object", std::move(r.errors));
  }
  r.keys(root, "",
         {"format", "our_companies", "groups", "licences", "plans", "functional_rights", "objects", "roles",
          "field_rights", "overrides", "users", "tests"});  // tests: policy_tests_file.cpp
  std::string format;
  if (r.str(root, "format", "", format) && format != kModelFileFormat)
    r.fail("format", "unsupported-format",
           "unsupported format " + qt(format) + " (this build reads " + qt(kModelFileFormat) + ")");

  Parsed p = read_file(root, r);
  const bool merge = options.mode == ImportMode::kMerge;
  Model m = merge ? base : Model::with_defaults();
  for (auto& e : p.companies) upsert(m.our_companies, e.value);
  for (auto& e : p.groups) upsert(m.groups, e.value);
  for (auto& e : p.licences) upsert(m.licences, e.value);
  for (auto& e : p.plans) upsert(m.plans, e.value);
  for (auto& e : p.rights) upsert(m.functional_rights, e.value);
  for (auto& e : p.objects) upsert(m.objects, e.value);
  apply_roles(p.roles, m, merge, r);
  for (auto& e : p.field_rights) {
    auto it = std::find_if(m.field_rights.begin(), m.field_rights.end(), [&](const FieldRightRule& f) {
      return field_right_identity(f) == field_right_identity(e.value);
    });
    if (it != m.field_rights.end()) *it = e.value;
    else m.field_rights.push_back(e.value);
  }
  for (auto& e : p.overrides) {
    auto it = std::find_if(m.overrides.begin(), m.overrides.end(),
                           [&](const Override& o) { return override_identity(o) == override_identity(e.value); });
    if (it != m.overrides.end()) *it = e.value;
    else m.overrides.push_back(e.value);
  }
  for (auto& e : p.users) upsert(m.users, e.value);

  std::vector<Diagnostic> problems = std::move(r.errors);
  for (const Diagnostic& d : validate(m))
    if (auto located = locate(d, p, root, r)) problems.push_back(std::move(*located));
  std::stable_sort(problems.begin(), problems.end(), [&](const Diagnostic& a, const Diagnostic& b) {
    return file_order(a, root) < file_order(b, root);
  });
  if (!problems.empty()) {
    std::string message = prefix + ": invalid model file: " + std::to_string(problems.size()) +
                          (problems.size() == 1 ? " problem" : " problems");
    return Error(ErrorCode::kInvalidArgument, std::move(message), std::move(problems));
  }
  return m;
}

Result<Model> read_model_file(const std::string& path, const Model& base, ImportMode mode) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kUnavailable, path + ": cannot read the model file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Error(ErrorCode::kUnavailable, path + ": cannot read the model file");
  return parse_model_file(buffer.str(), base, ModelFileOptions{mode, path});
}

std::string export_model_file(const Model& m) {
  using namespace storage_detail;
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
    roles.push_back(std::move(j));
  }
  if (!roles.empty()) root["roles"] = std::move(roles);
  list("field_rights", m.field_rights, write_field_right);
  list("overrides", m.overrides, write_override);
  list("users", m.users, write_user);
  return pretty(root, 140);
}

SORIGHTS_END_NAMESPACE
