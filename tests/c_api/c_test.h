/* What the C API's tests share: CHECK, CHECK_OK and the case runner.
 * A test file defines its cases and ends with
 *   int main(int argc, char** argv) { return run_cases(kCases, sizeof kCases / sizeof kCases[0], argc, argv); }
 * which runs the case named by argv[1] (every case without one). */
#ifndef SORIGHTS_TESTS_C_API_C_TEST_H_
#define SORIGHTS_TESTS_C_API_C_TEST_H_

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sorights/sorights.h"

static int g_failures = 0;
#define CHECK(cond)                                                      \
  do {                                                                   \
    if (!(cond)) {                                                       \
      fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      ++g_failures;                                                      \
    }                                                                    \
  } while (0)
#define CHECK_OK(expr)                                                   \
  do {                                                                   \
    sorights_status st_ = (expr);                                        \
    if (st_ != SORIGHTS_OK) {                                            \
      fprintf(stderr, "%s:%d: %s gave %s: %s\n", __FILE__, __LINE__, #expr, \
              sorights_status_name(st_), sorights_last_error_message()); \
      ++g_failures;                                                      \
    }                                                                    \
  } while (0)

/* `model` compiled at `version`; NULL, with a failed check, when it does not compile. */
static inline sorights_snapshot* compiled(const sorights_model* model, uint64_t version) {
  sorights_snapshot* s = NULL;
  CHECK_OK(sorights_compile(model, version, &s));
  return s;
}

/* A `sale` record of `s` owned by `owner`. */
static inline sorights_record sale_of(const sorights_snapshot* s, const char* owner) {
  sorights_record sale;
  sorights_record_init(&sale);
  sale.object = sorights_find_object(s, "sale");
  sale.owner = sorights_find_user(s, owner);
  return sale;
}

/* A new model: the predefined roles, our company acme (the database owner)
 * and the groups sales and support. */
static inline sorights_model* acme_model(void) {
  sorights_model* m = NULL;
  CHECK_OK(sorights_model_new(&m));
  CHECK_OK(sorights_model_add_company(m, "acme", "Acme", 1));
  CHECK_OK(sorights_model_add_group(m, "sales", "Sales"));
  CHECK_OK(sorights_model_add_group(m, "support", "Support"));
  return m;
}

struct test_case {
  const char* name;
  void (*run)(void);
};

/* 0 when every check passed, 1 when one failed, 2 for an unknown case. */
static inline int run_cases(const struct test_case* cases, size_t n, int argc, char** argv) {
  int ran = 0;
  for (size_t i = 0; i < n; ++i) {
    if (argc > 1 && strcmp(argv[1], cases[i].name) != 0) continue;
    cases[i].run();
    ++ran;
  }
  if (ran == 0) {
    fprintf(stderr, "unknown case %s\n", argc > 1 ? argv[1] : "");
    return 2;
  }
  if (g_failures != 0) {
    fprintf(stderr, "%d check(s) failed\n", g_failures);
    return 1;
  }
  printf("ok (%d case(s))\n", ran);
  return 0;
}

#endif /* SORIGHTS_TESTS_C_API_C_TEST_H_ */
