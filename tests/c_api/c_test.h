/* What the C API's tests share: CHECK, CHECK_OK and the case runner.
 * A test file defines its cases and ends with
 *   int main(int argc, char** argv) { return run_cases(kCases, sizeof kCases / sizeof kCases[0], argc, argv); }
 * which runs the case named by argv[1] (every case without one). */
#ifndef SORIGHTS_TESTS_C_API_C_TEST_H_
#define SORIGHTS_TESTS_C_API_C_TEST_H_

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

struct test_case {
  const char* name;
  void (*run)(void);
};

/* 0 when every check passed, 1 when one failed, 2 for an unknown case. */
static int run_cases(const struct test_case* cases, size_t n, int argc, char** argv) {
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
