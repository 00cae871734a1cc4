// The C API's models: building one, model files.
#include <algorithm>

#include "c_api.hpp"
#include "sorights/names.hpp"

#if SORIGHTS_C_WITH_STORAGE
#  include "sorights/storage/model_file.hpp"
#endif

using namespace sorights::c_api;

namespace {
// Appends what `make()` builds to `model`'s `list`, once `id` and `name` are
// checked (named `arg` id and `arg` name); ALREADY_EXISTS, naming the `kind`,
// when an element has that id.
template <class T, class Make>
sorights_status add_entity(sorights_model* model, std::vector<T> so::Model::*list, const char* arg, const char* kind,
                           const char* id, const char* name, Make&& make) noexcept {
  if (model == nullptr) return null_arg("model");
  return guard([&]() -> sorights_status {
    SORIGHTS_C_TRY(id_arg(std::string(arg) + " id", id));
    SORIGHTS_C_TRY(name_arg(std::string(arg) + " name", name));
    std::vector<T>& v = model->model.*list;
    if (std::any_of(v.begin(), v.end(), [&](const T& e) { return e.id == id; }))
      return fail(SORIGHTS_E_ALREADY_EXISTS, std::string(kind) + " \"" + id + "\" already exists");
    v.push_back(make());
    return SORIGHTS_OK;
  });
}

// Runs `use(role)` under guard() on the role `role` of `model`, once `role`
// and the id `id` (named `what`) are checked; NOT_FOUND for an unknown role.
template <class Model, class Use>
sorights_status with_role(Model* model, const char* role, const char* what, const char* id, Use&& use) noexcept {
  if (model == nullptr) return null_arg("model");
  return guard([&]() -> sorights_status {
    SORIGHTS_C_TRY(id_arg("role", role));
    SORIGHTS_C_TRY(id_arg(what, id));
    auto* r = model->model.find_role(role);
    if (r == nullptr) return fail(SORIGHTS_E_NOT_FOUND, std::string("unknown role \"") + role + "\"");
    use(*r);
    return SORIGHTS_OK;
  });
}

#if SORIGHTS_C_WITH_STORAGE
// *out = a new handle holding the model `parsed`, or its error.
sorights_status new_model(so::Result<so::Model> parsed, sorights_model** out) {
  if (!parsed) return fail(parsed.error());
  *out = new sorights_model{std::move(parsed).value()};
  return SORIGHTS_OK;
}
#else
sorights_status no_model_files() noexcept {
  return fail(SORIGHTS_E_INTERNAL, "the C API was built without model-file support (sorights::storage)");
}
#endif
}  // namespace

extern "C" {

sorights_status sorights_model_new(sorights_model** out) {
  SORIGHTS_C_TRY(out_arg(out));
  return set_out(out, [&] { return new sorights_model{so::Model::with_defaults()}; });
}
sorights_status sorights_model_clone(const sorights_model* model, sorights_model** out) {
  SORIGHTS_C_TRY(out_arg(out, model, "model"));
  return set_out(out, [&] { return new sorights_model{model->model}; });
}
void sorights_model_free(sorights_model* model) { delete model; }

sorights_status sorights_model_add_company(sorights_model* model, const char* id, const char* name,
                                           int database_owner) {
  return add_entity(model, &so::Model::our_companies, "company", "our company", id, name,
                    [&] { return so::OurCompany{id, str(name), database_owner != 0}; });
}
sorights_status sorights_model_add_group(sorights_model* model, const char* id, const char* name) {
  return add_entity(model, &so::Model::groups, "group", "group", id, name, [&] { return so::Group{id, str(name)}; });
}
sorights_status sorights_model_add_functional_right(sorights_model* model, const char* id,
                                                    const char* name) {
  return add_entity(model, &so::Model::functional_rights, "right", "functional right", id, name,
                    [&] { return so::FunctionalRightDef{id, str(name), {}}; });
}
sorights_status sorights_model_set_functional_right_restrictive(sorights_model* model, const char* id,
                                                                int restrictive) {
  if (model == nullptr) return null_arg("model");
  if (id == nullptr) return null_arg("id");
  return guard([&]() -> sorights_status {
    for (so::FunctionalRightDef& r : model->model.functional_rights)
      if (r.id == id) {
        r.restrictive = restrictive != 0;
        return SORIGHTS_OK;
      }
    return fail(SORIGHTS_E_NOT_FOUND, std::string("functional right \"") + id + "\" is not declared");
  });
}
}  // extern "C"

namespace {
// Calls `use(entity)` with the entity `id` of `kind` ("roles", "groups",
// "our-companies", "functional-rights"); false when there is none.
template <class Model, class Use>
bool with_named_entity(Model& m, std::string_view kind, std::string_view id, Use&& use) {
  auto find = [&](auto& list) {
    for (auto& e : list)
      if (e.id == id) {
        use(e);
        return true;
      }
    return false;
  };
  if (kind == "roles") return find(m.roles);
  if (kind == "groups") return find(m.groups);
  if (kind == "our-companies") return find(m.our_companies);
  if (kind == "functional-rights") return find(m.functional_rights);
  return false;
}
bool named_kind(std::string_view kind) {
  return kind == "roles" || kind == "groups" || kind == "our-companies" || kind == "functional-rights";
}
}  // namespace

extern "C" {

sorights_status sorights_model_set_display_name(sorights_model* model, const char* kind, const char* id, int lang,
                                                const char* name) {
  if (model == nullptr) return null_arg("model");
  if (kind == nullptr) return null_arg("kind");
  if (id == nullptr) return null_arg("id");
  return guard([&]() -> sorights_status {
    if (!named_kind(kind))
      return fail(SORIGHTS_E_INVALID_ARGUMENT, std::string("kind \"") + kind +
                                                   "\" has no stored names (roles, groups, our-companies, "
                                                   "functional-rights)");
    if (lang < 0 || static_cast<std::size_t>(lang) >= so::kLanguageCount)
      return fail(SORIGHTS_E_INVALID_ARGUMENT, "lang " + std::to_string(lang) + " is not a language (0-3)");
    const std::string code(so::language_code(static_cast<so::Language>(lang)));
    const bool found = with_named_entity(model->model, kind, id, [&](auto& e) {
      if (name == nullptr || *name == '\0') e.names.erase(code);
      else e.names[code] = name;
    });
    if (!found) return fail(SORIGHTS_E_NOT_FOUND, std::string("unknown ") + kind + " id \"" + id + "\"");
    return SORIGHTS_OK;
  });
}

// The entities' strings are std::strings and the built-in tables string
// literals, so every view display_name returns is NUL-terminated.
const char* sorights_model_display_name(const sorights_model* model, const char* kind, const char* id, int lang) {
  if (model == nullptr || kind == nullptr || id == nullptr || lang < 0 ||
      static_cast<std::size_t>(lang) >= so::kLanguageCount)
    return nullptr;
  const auto l = static_cast<so::Language>(lang);
  const char* out = nullptr;
  with_named_entity(model->model, kind, id,
                    [&](const auto& e) { out = so::display_name(e, l, &e.names).data(); });
  return out;
}

sorights_status sorights_model_add_role(sorights_model* model, const char* id, const char* name,
                                        int role_type, const char* copy_of) {
  if (model == nullptr) return null_arg("model");
  if (role_type < 0 || role_type > static_cast<int>(so::RoleType::kSystem))
    return fail(SORIGHTS_E_INVALID_ARGUMENT, "role type " + std::to_string(role_type) + " is not a SORIGHTS_ROLE_*");
  return guard([&]() -> sorights_status {
    SORIGHTS_C_TRY(id_arg("role id", id));
    SORIGHTS_C_TRY(name_arg("role name", name));
    SORIGHTS_C_TRY(optional_id_arg("copy_of", copy_of));
    if (model->model.find_role(id) != nullptr)
      return fail(SORIGHTS_E_ALREADY_EXISTS, std::string("role \"") + id + "\" already exists");
    so::Role role;
    if (copy_of != nullptr && *copy_of != '\0') {
      const so::Role* from = model->model.find_role(copy_of);
      if (from == nullptr)
        return fail(SORIGHTS_E_NOT_FOUND, std::string("copy_of: unknown role \"") + copy_of + "\"");
      role.data_rights = from->data_rights;
      role.functional_rights = from->functional_rights;
    }
    role.id = id;
    role.name = str(name);
    role.type = static_cast<so::RoleType>(role_type);
    model->model.roles.push_back(std::move(role));
    return SORIGHTS_OK;
  });
}
sorights_status sorights_model_set_role_cell(sorights_model* model, const char* role, const char* object,
                                             int relation, uint8_t rights) {
  if (model == nullptr) return null_arg("model");
  SORIGHTS_C_TRY(relation_arg(relation));
  return with_role(model, role, "object", object, [&](so::Role& r) {
    r.set_cell(object, static_cast<so::Relation>(relation), so::TableRights::from_bits(rights));
  });
}
sorights_status sorights_model_get_role_cell(const sorights_model* model, const char* role,
                                             const char* object, int relation, uint8_t* out) {
  if (model == nullptr) return null_arg("model");
  if (out == nullptr) return null_arg("out");
  SORIGHTS_C_TRY(relation_arg(relation));
  return with_role(model, role, "object", object, [&](const so::Role& r) {
    *out = r.cell(object, static_cast<so::Relation>(relation)).bits();
  });
}
sorights_status sorights_model_grant_right(sorights_model* model, const char* role, const char* right) {
  return with_role(model, role, "right", right, [&](so::Role& r) {
    if (!r.has_right(right)) r.functional_rights.emplace_back(right);
  });
}
sorights_status sorights_model_revoke_right(sorights_model* model, const char* role, const char* right) {
  return with_role(model, role, "right", right,
                   [&](so::Role& r) { std::erase(r.functional_rights, std::string(right)); });
}
sorights_status sorights_model_add_user(sorights_model* model, const sorights_user_desc* user) {
  if (model == nullptr) return null_arg("model");
  return guard([&]() -> sorights_status {
    SORIGHTS_C_TRY(check_user_desc(user));
    if (model->model.find_user(user->id) != nullptr)
      return fail(SORIGHTS_E_ALREADY_EXISTS, std::string("user \"") + user->id + "\" already exists");
    model->model.users.push_back(to_user(*user));
    return SORIGHTS_OK;
  });
}
sorights_status sorights_model_remove_user(sorights_model* model, const char* id) {
  if (model == nullptr) return null_arg("model");
  return guard([&]() -> sorights_status {
    SORIGHTS_C_TRY(id_arg("user id", id));
    const auto n = erase_if(model->model.users, [&](const so::User& u) { return u.id == id; });
    if (n == 0) return fail(SORIGHTS_E_NOT_FOUND, std::string("unknown user \"") + id + "\"");
    return SORIGHTS_OK;
  });
}
size_t sorights_model_user_count(const sorights_model* model) {
  return model == nullptr ? 0 : model->model.users.size();
}
size_t sorights_model_role_count(const sorights_model* model) {
  return model == nullptr ? 0 : model->model.roles.size();
}

sorights_status sorights_model_from_json(const char* json, size_t length, sorights_model** out) {
  SORIGHTS_C_TRY(out_arg(out, json, "json"));
#if SORIGHTS_C_WITH_STORAGE
  return guard([&] {
    return new_model(so::parse_model_file(std::string_view(json, length), so::Model::with_defaults()), out);
  });
#else
  (void)length;
  return no_model_files();
#endif
}
sorights_status sorights_model_load_file(const char* path, sorights_model** out) {
  SORIGHTS_C_TRY(out_arg(out, path, "path"));
#if SORIGHTS_C_WITH_STORAGE
  return guard([&] { return new_model(so::read_model_file(path, so::Model::with_defaults()), out); });
#else
  return no_model_files();
#endif
}
sorights_status sorights_model_to_json(const sorights_model* model, char** out) {
  SORIGHTS_C_TRY(out_arg(out, model, "model"));
#if SORIGHTS_C_WITH_STORAGE
  return set_out(out, [&] { return dup_string(so::export_model_file(model->model)); });
#else
  return no_model_files();
#endif
}

}  // extern "C"
