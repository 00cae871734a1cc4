// The C API's reports: the HTML page, licence usage, policy tests.
#include <cstdlib>
#include <cstring>
#include <string>

#include "c_api.hpp"

#include "sorights/report.hpp"
#if SORIGHTS_C_WITH_STORAGE
#  include "sorights/policy_tests.hpp"
#endif

using namespace sorights::c_api;

extern "C" {

sorights_status sorights_render_html_report(const sorights_model* model, const char* title, char** out) {
  SORIGHTS_C_TRY(out_arg(out, model, "model"));
  return set_out(out, [&] {
    return dup_string(so::render_html_report(model->model, title == nullptr ? "sorights model" : title));
  });
}

sorights_status sorights_render_html_report_in(const sorights_model* model, const char* title, int lang,
                                              char** out) {
  SORIGHTS_C_TRY(out_arg(out, model, "model"));
  if (lang < 0 || lang > static_cast<int>(so::Language::kDa))
    return fail(SORIGHTS_E_INVALID_ARGUMENT, "lang " + std::to_string(lang) + " is not a language (0-3)");
  return set_out(out, [&] {
    return dup_string(so::render_html_report(model->model, title == nullptr ? "sorights model" : title,
                                             static_cast<so::Language>(lang)));
  });
}

sorights_status sorights_licence_usage(const sorights_model* model, sorights_licence_usage_row** rows,
                                       size_t* count) {
  if (rows == nullptr) return null_arg("rows");
  if (count == nullptr) return null_arg("count");
  *rows = nullptr;
  *count = 0;
  if (model == nullptr) return null_arg("model");
  return guard([&]() -> sorights_status {
    const std::vector<so::LicenceUsage> usage = so::licence_usage(model->model);
    if (usage.empty()) return SORIGHTS_OK;
    // Filled row by row; on a failed allocation what was made is freed.
    auto* out = static_cast<sorights_licence_usage_row*>(std::calloc(usage.size(), sizeof(sorights_licence_usage_row)));
    if (out == nullptr) throw std::bad_alloc();
    std::size_t made = 0;
    try {
      for (const so::LicenceUsage& u : usage) {
        sorights_licence_usage_row& row = out[made++];
        row.site = u.kind == so::LicenceKind::kSite ? 1 : 0;
        row.unlimited = u.unlimited ? 1 : 0;
        row.purchased = u.purchased;
        row.in_use = u.in_use;
        row.available = u.available();
        row.licence = dup_string(u.licence);
        if (!u.users.empty()) {
          row.users = static_cast<char**>(std::calloc(u.users.size(), sizeof(char*)));
          if (row.users == nullptr) throw std::bad_alloc();
          for (const std::string& id : u.users) row.users[row.user_count++] = dup_string(id);
        }
      }
    } catch (...) {
      sorights_licence_usage_free(out, made);
      throw;
    }
    *rows = out;
    *count = usage.size();
    return SORIGHTS_OK;
  });
}

void sorights_licence_usage_free(sorights_licence_usage_row* rows, size_t count) {
  if (rows == nullptr) return;
  for (std::size_t i = 0; i < count; ++i) {
    std::free(rows[i].licence);
    for (std::size_t k = 0; k < rows[i].user_count; ++k) std::free(rows[i].users[k]);
    std::free(rows[i].users);
  }
  std::free(rows);
}

sorights_status sorights_run_policy_tests(const sorights_snapshot* s, const sorights_model* model, const char* json,
                                          size_t length, size_t* passed, size_t* failed, char** report) {
  if (passed != nullptr) *passed = 0;
  if (failed != nullptr) *failed = 0;
  if (report != nullptr) *report = nullptr;
  if (s == nullptr) return null_arg("s");
  if (model == nullptr) return null_arg("model");
  if (json == nullptr) return null_arg("json");
#if SORIGHTS_C_WITH_STORAGE
  return guard([&]() -> sorights_status {
    so::Result<so::PolicyTestFile> file = so::parse_policy_tests(std::string_view(json, length));
    if (!file) return fail(file.error());
    so::Result<so::PolicyReport> r = so::run_policy_tests(*s->snapshot, model->model, file->tests);
    if (!r) return fail(r.error());
    if (passed != nullptr) *passed = r->passed;
    if (failed != nullptr) *failed = r->failed();
    if (report != nullptr) {
      std::string text;
      for (const so::PolicyFailure& f : r->failures) text += "FAIL " + f.to_string() + "\n";
      *report = dup_string(text);
    }
    return SORIGHTS_OK;
  });
#else
  (void)length;
  return fail(SORIGHTS_E_INTERNAL, "the C API was built without the storage library (policy test files)");
#endif
}


}  // extern "C"
