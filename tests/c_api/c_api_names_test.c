/* The C API's display names (sorights_parse_language, sorights_builtin_*,
 * sorights_model_set_display_name, sorights_model_display_name) and the
 * report in a language (sorights_render_html_report_in). */
#include <stdio.h>
#include <string.h>

#include "c_test.h"

static int same(const char* a, const char* b) { return a != NULL && b != NULL && strcmp(a, b) == 0; }

int main(void) {
  const char* kinds[] = {"roles", "functional-rights", "objects", "relations", "user-types", "levels", "tabs"};
  size_t k;
  CHECK(sorights_parse_language("en") == 0);
  CHECK(sorights_parse_language("NB") == 1);
  CHECK(sorights_parse_language("nl") == 2);
  CHECK(sorights_parse_language("da") == 3);
  CHECK(sorights_parse_language("de") == -1);
  CHECK(sorights_parse_language(NULL) == -1);
  CHECK(same(sorights_builtin_display_name("roles", "level-0", 3), "Brugerniveau 0"));
  CHECK(same(sorights_builtin_display_name("tabs", "our-companies", 1), "Våre firmaer"));
  CHECK(same(sorights_builtin_display_name("levels", "read", 0), "Read"));
  CHECK(sorights_builtin_display_name("roles", "nobody", 0) == NULL);
  CHECK(sorights_builtin_display_name("colours", "red", 0) == NULL);
  CHECK(sorights_builtin_display_name("roles", "level-0", 4) == NULL);
  CHECK(sorights_builtin_name_count("levels") == 5);
  CHECK(sorights_builtin_name_count(NULL) == 0);
  CHECK(same(sorights_builtin_name_id("user-types", 5), "other"));
  CHECK(sorights_builtin_name_id("levels", 5) == NULL);
  /* Every built-in has a name in every language. */
  for (k = 0; k < sizeof kinds / sizeof kinds[0]; ++k) {
    size_t i, n = sorights_builtin_name_count(kinds[k]);
    int lang;
    CHECK(n > 0);
    for (i = 0; i < n; ++i)
      for (lang = 0; lang < 4; ++lang) {
        const char* name = sorights_builtin_display_name(kinds[k], sorights_builtin_name_id(kinds[k], i), lang);
        CHECK(name != NULL && name[0] != '\0');
      }
  }
  /* The report in a language. */
  {
    sorights_model* m = NULL;
    char* html = NULL;
    CHECK(sorights_model_new(&m) == SORIGHTS_OK);
    CHECK(sorights_render_html_report_in(m, "t", 3, &html) == SORIGHTS_OK);
    CHECK(html != NULL && strstr(html, "lang=\"da\"") != NULL && strstr(html, "Brugerniveau 0") != NULL);
    sorights_string_free(html);
    html = NULL;
    CHECK(sorights_render_html_report_in(m, NULL, 0, &html) == SORIGHTS_OK);
    CHECK(html != NULL && strstr(html, "lang=\"en\"") != NULL && strstr(html, "User level 0") != NULL);
    sorights_string_free(html);
    html = (char*)"untouched";
    CHECK(sorights_render_html_report_in(m, "t", 4, &html) == SORIGHTS_E_INVALID_ARGUMENT && html == NULL);
    CHECK(strstr(sorights_last_error_message(), "lang 4") != NULL);
    CHECK(sorights_render_html_report_in(m, "t", -1, &html) == SORIGHTS_E_INVALID_ARGUMENT);
    CHECK(sorights_render_html_report_in(NULL, "t", 0, &html) == SORIGHTS_E_INVALID_ARGUMENT);
    sorights_model_free(m);
  }
  /* Stored names of a model's entities. */
  {
    sorights_model* m = NULL;
    CHECK(sorights_model_new(&m) == SORIGHTS_OK);
    CHECK(sorights_model_add_group(m, "sales", "Sales") == SORIGHTS_OK);
    CHECK(sorights_model_set_display_name(m, "groups", "sales", 3, "Salg") == SORIGHTS_OK);
    CHECK(same(sorights_model_display_name(m, "groups", "sales", 3), "Salg"));
    CHECK(same(sorights_model_display_name(m, "groups", "sales", 2), "Sales"));
    /* A predefined role: its stored Danish name wins over the translation. */
    CHECK(same(sorights_model_display_name(m, "roles", "level-1", 3), "Brugerniveau 1"));
    CHECK(sorights_model_set_display_name(m, "roles", "level-1", 3, "Sælger") == SORIGHTS_OK);
    CHECK(same(sorights_model_display_name(m, "roles", "level-1", 3), "Sælger"));
    CHECK(sorights_model_set_display_name(m, "roles", "level-1", 3, NULL) == SORIGHTS_OK);
    CHECK(same(sorights_model_display_name(m, "roles", "level-1", 3), "Brugerniveau 1"));
    CHECK(sorights_model_set_display_name(m, "groups", "nobody", 0, "X") == SORIGHTS_E_NOT_FOUND);
    CHECK(sorights_model_set_display_name(m, "objects", "sale", 0, "X") == SORIGHTS_E_INVALID_ARGUMENT);
    CHECK(sorights_model_set_display_name(m, "groups", "sales", 4, "X") == SORIGHTS_E_INVALID_ARGUMENT);
    CHECK(sorights_model_display_name(m, "groups", "nobody", 0) == NULL);
    sorights_model_free(m);
  }
  if (g_failures == 0) puts("ok");
  return g_failures == 0 ? 0 : 1;
}
