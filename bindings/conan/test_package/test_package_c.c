/* The Conan test_package C consumer, and the C11 consumer of the packaging
 * tests (tests/package/consumer/consumers.cmake). */
#include <stdio.h>

#include <sorights/sorights.h>

int main(void) {
  sorights_model* m = NULL;
  sorights_snapshot* s = NULL;
  if (sorights_model_new(&m) != SORIGHTS_OK) return 1;
  sorights_model_add_company(m, "acme", "Acme", 1);
  sorights_model_add_group(m, "sales", "Sales");
  sorights_user_desc alice = {0};
  alice.id = "alice"; alice.company = "acme"; alice.role = "level-3"; alice.group = "sales";
  sorights_model_add_user(m, &alice);
  if (sorights_compile(m, 0, &s) != SORIGHTS_OK) {
    fprintf(stderr, "%s\n", sorights_last_error_message());
    return 1;
  }
  sorights_record sale;
  sorights_record_init(&sale);
  sale.object = sorights_find_object(s, "sale");
  sale.owner = sorights_find_user(s, "alice");
  const int may = sorights_can(s, sorights_find_user(s, "alice"), SORIGHTS_ACTION_DELETE, &sale);
  printf("C API %d: alice may delete her sale: %s\n", sorights_version(), may ? "yes" : "no");
  sorights_snapshot_free(s);
  sorights_model_free(m);
  return may ? 0 : 1;
}
