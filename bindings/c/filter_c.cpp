// The C API's batch filter and its SQL form (sorights/filter.hpp, sorights/predicate.hpp).
#include <algorithm>
#include <array>
#include <cstring>
#include <span>

#include "c_api.hpp"
#include "sorights/filter.hpp"
#include "sorights/predicate.hpp"

using namespace sorights::c_api;

extern "C" {

size_t sorights_filter(const sorights_snapshot* s, sorights_user_index user, sorights_object_index object, int action,
                       const sorights_record* records, size_t count, uint64_t* out_bits, size_t words) {
  if (s == nullptr || out_bits == nullptr || (records == nullptr && count != 0)) return 0;
  if (words < so::filter_words(count)) {
    std::memset(out_bits, 0, words * sizeof(uint64_t));
    return 0;
  }
  try {
    std::vector<so::Record> rows(count);
    for (std::size_t i = 0; i < count; ++i) rows[i] = to_record(&records[i]);
    const so::RecordColumnsBuffer columns(rows);
    const so::RecordColumns cols = columns.view();
    return so::filter(*s->snapshot, so::UserIndex{user}, so::ObjectIndex{object}, to_action(action), cols,
                      std::span<std::uint64_t>(out_bits, words))
        .allowed;
  } catch (...) {
    fail(SORIGHTS_E_INTERNAL, "out of memory");
    std::memset(out_bits, 0, words * sizeof(uint64_t));
    return 0;
  }
}

size_t sorights_can_batch(const sorights_snapshot* s, sorights_user_index user, int action,
                          const sorights_record* records, size_t count, uint64_t* out_bits, size_t words) {
  if (out_bits == nullptr) return 0;
  if (s == nullptr || (records == nullptr && count != 0) || !valid_action(action) ||
      words < so::filter_words(count)) {
    std::memset(out_bits, 0, words * sizeof(uint64_t));
    return 0;
  }
  // The C records converted a block at a time on the stack; blocks are whole
  // words of the bitset.
  constexpr std::size_t kChunk = 512;
  std::array<so::Record, kChunk> rows;
  std::size_t allowed = 0;
  for (std::size_t base = 0; base < count; base += kChunk) {
    const std::size_t n = std::min(kChunk, count - base);
    for (std::size_t i = 0; i < n; ++i) rows[i] = to_record(&records[base + i]);
    allowed += so::can_batch(*s->snapshot, so::UserIndex{user}, to_action(action), std::span(rows.data(), n),
                             std::span<std::uint64_t>(out_bits + base / 64, so::filter_words(n)))
                   .allowed;
  }
  return allowed;
}

size_t sorights_rights_batch(const sorights_snapshot* s, sorights_user_index user, const sorights_record* records,
                             size_t count, uint8_t* out, size_t capacity) {
  if (out == nullptr) return 0;
  if (s == nullptr || (records == nullptr && count != 0) || capacity < count) {
    std::memset(out, 0, capacity);
    return 0;
  }
  constexpr std::size_t kChunk = 512;
  std::array<so::Record, kChunk> rows;
  std::array<so::TableRights, kChunk> rights;
  std::size_t allowed = 0;
  for (std::size_t base = 0; base < count; base += kChunk) {
    const std::size_t n = std::min(kChunk, count - base);
    for (std::size_t i = 0; i < n; ++i) rows[i] = to_record(&records[base + i]);
    allowed += so::rights_batch(*s->snapshot, so::UserIndex{user}, std::span(rows.data(), n), std::span(rights.data(), n))
                   .allowed;
    for (std::size_t i = 0; i < n; ++i) out[base + i] = rights[i].bits();
  }
  return allowed;
}

}  // extern "C"

struct sorights_sql {
  so::SqlFragment fragment;
  bool exact = true;
};

extern "C" {

sorights_status sorights_predicate_sql(const sorights_snapshot* s, sorights_user_index user,
                                       sorights_object_index object, int action, int64_t at, int numbered,
                                       const char* record_prefix, const char* owner_prefix, sorights_sql** out) {
  SORIGHTS_C_TRY(out_arg(out, s, "s"));
  if (!valid_action(action)) return fail(SORIGHTS_E_INVALID_ARGUMENT, "action " + std::to_string(action) + " is no action");
  return guard([&]() -> sorights_status {
    const so::Predicate p = so::predicate(*s->snapshot, so::UserIndex{user}, so::ObjectIndex{object},
                                          to_action(action), at);
    so::ColumnMapping mapping;
    if (record_prefix != nullptr || owner_prefix != nullptr)
      mapping = so::ColumnMapping::with_prefix(str(record_prefix), str(owner_prefix));
    mapping.numbered_placeholders = numbered != 0;
    auto sql = std::make_unique<sorights_sql>();
    sql->fragment = so::render_sql(p, mapping);
    sql->exact = p.exact;
    *out = sql.release();
    return SORIGHTS_OK;
  });
}
void sorights_sql_free(sorights_sql* sql) { delete sql; }
const char* sorights_sql_text(const sorights_sql* sql) { return sql == nullptr ? "" : sql->fragment.text.c_str(); }
int sorights_sql_exact(const sorights_sql* sql) { return sql != nullptr && sql->exact ? 1 : 0; }
size_t sorights_sql_param_count(const sorights_sql* sql) { return sql == nullptr ? 0 : sql->fragment.params.size(); }
int sorights_sql_param_is_text(const sorights_sql* sql, size_t i) {
  return sql != nullptr && i < sql->fragment.params.size() &&
                 std::holds_alternative<std::string>(sql->fragment.params[i])
             ? 1
             : 0;
}
int64_t sorights_sql_param_int(const sorights_sql* sql, size_t i) {
  if (sql == nullptr || i >= sql->fragment.params.size()) return 0;
  const auto* v = std::get_if<std::int64_t>(&sql->fragment.params[i]);
  return v == nullptr ? 0 : *v;
}
const char* sorights_sql_param_text(const sorights_sql* sql, size_t i) {
  if (sql == nullptr || i >= sql->fragment.params.size()) return nullptr;
  const auto* v = std::get_if<std::string>(&sql->fragment.params[i]);
  return v == nullptr ? nullptr : v->c_str();
}

}  // extern "C"
