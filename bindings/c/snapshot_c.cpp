// The C API's snapshots: compiling a model, the checks, explanations.
#include <cstdlib>
#include <cstring>

#include "c_api.hpp"

#include "sorights/explain.hpp"

using namespace sorights::c_api;

extern "C" {

sorights_status sorights_compile(const sorights_model* model, uint64_t version, sorights_snapshot** out) {
  SORIGHTS_C_TRY(out_arg(out, model, "model"));
  return guard([&]() -> sorights_status {
    so::Result<so::Snapshot> s = so::compile(model->model, version);
    if (!s) return fail(s.error());
    *out = new sorights_snapshot{std::make_shared<const so::Snapshot>(std::move(s).value())};
    return SORIGHTS_OK;
  });
}
void sorights_snapshot_free(sorights_snapshot* snapshot) { delete snapshot; }
uint64_t sorights_snapshot_version(const sorights_snapshot* s) { return s ? s->snapshot->version() : 0; }
size_t sorights_snapshot_user_count(const sorights_snapshot* s) { return s ? s->snapshot->user_count() : 0; }

#define SORIGHTS_C_FIND(fn, method, type, miss)                         \
  type fn(const sorights_snapshot* s, const char* id) {                 \
    if (s == nullptr || id == nullptr) return miss;                     \
    return static_cast<type>(s->snapshot->method(id));                  \
  }
SORIGHTS_C_FIND(sorights_find_user, find_user, sorights_user_index, SORIGHTS_UNKNOWN_USER)
SORIGHTS_C_FIND(sorights_find_group, find_group, sorights_group_index, SORIGHTS_UNKNOWN_GROUP)
SORIGHTS_C_FIND(sorights_find_role, find_role, sorights_role_index, SORIGHTS_UNKNOWN_ROLE)
SORIGHTS_C_FIND(sorights_find_object, find_object, sorights_object_index, SORIGHTS_UNKNOWN_OBJECT)
SORIGHTS_C_FIND(sorights_find_right, find_right, sorights_right_index, SORIGHTS_UNKNOWN_RIGHT)
SORIGHTS_C_FIND(sorights_find_company, find_company, sorights_company_index, SORIGHTS_UNKNOWN_COMPANY)
SORIGHTS_C_FIND(sorights_find_project, find_project, sorights_project_index, SORIGHTS_UNKNOWN_PROJECT)
SORIGHTS_C_FIND(sorights_find_field, find_field, sorights_field_index, SORIGHTS_UNKNOWN_FIELD)
#undef SORIGHTS_C_FIND

size_t sorights_user_id(const sorights_snapshot* s, sorights_user_index user, char* buf, size_t size) {
  if (s == nullptr) return copy_out({}, buf, size);
  return copy_out(s->snapshot->user_id(so::UserIndex{user}), buf, size);
}
sorights_role_index sorights_user_role(const sorights_snapshot* s, sorights_user_index user) {
  if (s == nullptr) return SORIGHTS_UNKNOWN_ROLE;
  return static_cast<sorights_role_index>(s->snapshot->user_role(so::UserIndex{user}));
}

uint8_t sorights_rights(const sorights_snapshot* s, sorights_user_index user, const sorights_record* record) {
  if (s == nullptr || record == nullptr) return 0;
  return s->snapshot->rights(so::UserIndex{user}, to_record(record)).bits();
}
int sorights_can(const sorights_snapshot* s, sorights_user_index user, int action, const sorights_record* record) {
  if (s == nullptr || record == nullptr || !valid_action(action)) return 0;
  return s->snapshot->can(so::UserIndex{user}, to_action(action), to_record(record)) ? 1 : 0;
}
int sorights_has(const sorights_snapshot* s, sorights_user_index user, sorights_right_index right) {
  if (s == nullptr) return 0;
  return s->snapshot->has(so::UserIndex{user}, so::RightIndex{right}) ? 1 : 0;
}
uint8_t sorights_field_rights(const sorights_snapshot* s, sorights_user_index user,
                              const sorights_record* record, sorights_field_index field) {
  if (s == nullptr || record == nullptr) return 0;
  return s->snapshot->field_rights(so::UserIndex{user}, to_record(record), so::FieldIndex{field}).bits();
}

void sorights_explain(const sorights_snapshot* s, sorights_user_index user, int action,
                      const sorights_record* record, sorights_explanation* out) {
  if (out == nullptr) return;
  std::memset(out, 0, sizeof *out);
  out->outcome = SORIGHTS_OUTCOME_NO_SUCH_USER;
  out->user = user;
  out->action = action;
  out->object = record ? record->object : SORIGHTS_UNKNOWN_OBJECT;
  out->role = SORIGHTS_UNKNOWN_ROLE;
  for (int i = 0; i < SORIGHTS_LAYER_COUNT; ++i) out->layers[i].layer = i;
  if (s == nullptr || record == nullptr || !valid_action(action)) return;
  const so::Explanation e = s->snapshot->explain(so::UserIndex{user}, to_action(action), to_record(record));
  out->outcome = static_cast<int32_t>(e.outcome);
  out->inactive_reason = static_cast<int32_t>(e.inactive);
  out->object = static_cast<sorights_object_index>(e.object);
  out->relation = static_cast<int32_t>(e.relation);
  out->role = static_cast<sorights_role_index>(e.role);
  out->cell = e.cell.bits();
  out->rights = e.rights.bits();
  out->allowed = e.allowed ? 1 : 0;
  for (int i = 0; i < SORIGHTS_LAYER_COUNT; ++i) {
    const so::LayerEffect& fx = e.layers[static_cast<std::size_t>(i)];
    out->layers[i].layer = i;
    out->layers[i].applied = fx.applied ? 1 : 0;
    out->layers[i].removed = fx.removed.bits();
    out->layers[i].added = fx.added.bits();
    out->layers[i].after = fx.after.bits();
  }
}
sorights_status sorights_explain_text(const sorights_snapshot* s, sorights_user_index user, int action,
                                      const sorights_record* record, int reason_only, char** out) {
  SORIGHTS_C_TRY(out_arg(out, s, "snapshot"));
  if (record == nullptr) return null_arg("record");
  if (!valid_action(action))
    return fail(SORIGHTS_E_INVALID_ARGUMENT, "action " + std::to_string(action) + " is not a SORIGHTS_ACTION_*");
  return guard([&]() -> sorights_status {
    const so::Explanation e = s->snapshot->explain(so::UserIndex{user}, to_action(action), to_record(record));
    *out = dup_string(reason_only ? s->snapshot->explain_reason(e) : s->snapshot->explain_text(e));
    return SORIGHTS_OK;
  });
}
size_t sorights_rights_to_string(uint8_t rights, char* buf, size_t size) {
  try {
    return copy_out(so::TableRights::from_bits(rights).to_string(), buf, size);
  } catch (...) {
    return copy_out({}, buf, size);
  }
}

}  // extern "C"
