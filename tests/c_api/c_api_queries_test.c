/* Tests of the C API's queries (sorights_query_index, who_can, list_users, ...),
 * in C11. Usage: sorights_c_api_queries_test CASE. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_test.h"

/* acme; groups sales + support; alice (level-3, sales), bob (level-0,
 * support, other group sales), zed (level-3, sales, retired), sys (system). */
static sorights_model* make_model(void) {
  sorights_model* m = acme_model();
  sorights_user_desc u = {0};
  u.id = "alice"; u.name = "Alice Andersen"; u.company = "acme"; u.role = "level-3"; u.group = "sales";
  CHECK_OK(sorights_model_add_user(m, &u));
  const char* sales[] = {"sales"};
  u.id = "bob"; u.name = "Bob"; u.role = "level-0"; u.group = "support"; u.other_groups = sales;
  u.other_group_count = 1;
  CHECK_OK(sorights_model_add_user(m, &u));
  u.id = "zed"; u.name = NULL; u.role = "level-3"; u.group = "sales"; u.other_groups = NULL;
  u.other_group_count = 0; u.retired = 1;
  CHECK_OK(sorights_model_add_user(m, &u));
  sorights_user_desc sys = {0};
  sys.id = "sys"; sys.type = SORIGHTS_USER_SYSTEM;
  CHECK_OK(sorights_model_add_user(m, &sys));
  return m;
}

static int is(const sorights_snapshot* s, sorights_user_index u, const char* id) {
  char buf[64];
  sorights_user_id(s, u, buf, sizeof buf);
  return strcmp(buf, id) == 0;
}

static void test_who_can(void) {
  sorights_model* m = make_model();
  sorights_snapshot* s = compiled(m, 1);
  sorights_query_index* q = NULL;
  CHECK_OK(sorights_query_index_build(s, m, &q));
  sorights_model_free(m);  /* the index needs neither handle any more */
  sorights_record sale = sale_of(s, "alice");
  sorights_user_index out[8];
  const size_t n = sorights_who_can(q, SORIGHTS_ACTION_UPDATE, &sale, out, 8);
  /* Exactly the users sorights_can allows, in id order. */
  size_t want = 0;
  for (sorights_user_index u = 0; u < sorights_snapshot_user_count(s); ++u)
    want += (size_t)sorights_can(s, u, SORIGHTS_ACTION_UPDATE, &sale);
  CHECK(n == want);
  CHECK(n >= 2);
  CHECK(is(s, out[0], "alice"));
  CHECK(is(s, out[n - 1], "sys"));
  for (size_t i = 0; i < n; ++i) CHECK(sorights_can(s, out[i], SORIGHTS_ACTION_UPDATE, &sale) == 1);
  CHECK(sorights_who_can(q, SORIGHTS_ACTION_UPDATE, &sale, NULL, 0) == n); /* count only */
  CHECK(sorights_who_can(NULL, SORIGHTS_ACTION_UPDATE, &sale, out, 8) == 0);
  CHECK(sorights_who_can(q, SORIGHTS_ACTION_UPDATE, NULL, out, 8) == 0);
  sorights_snapshot_free(s);  /* the index keeps the snapshot alive */
  CHECK(sorights_users_holding(q, 0, NULL, 0) >= 1);      /* the system user holds everything */
  sorights_query_index_free(q);
  sorights_query_index_free(NULL);
}

static void test_users(void) {
  sorights_model* m = make_model();
  sorights_snapshot* s = compiled(m, 1);
  sorights_query_index* q = NULL;
  CHECK_OK(sorights_query_index_build(s, m, &q));
  sorights_user_index out[8];
  size_t total = 0;
  sorights_user_filter f = {0};
  CHECK_OK(sorights_list_users(q, &f, 0, out, 8, &total));
  CHECK(total == 4);
  CHECK(is(s, out[0], "alice") && is(s, out[1], "bob") && is(s, out[2], "sys") && is(s, out[3], "zed"));
  f.group = "sales";
  CHECK_OK(sorights_list_users(q, &f, 1, out, 1, &total)); /* page 2 of size 1 */
  CHECK(total == 3);
  CHECK(is(s, out[0], "bob"));
  f.group = NULL;
  f.role = "system";
  CHECK_OK(sorights_list_users(q, &f, 0, out, 8, &total));
  CHECK(total == 1 && is(s, out[0], "sys"));
  f.role = NULL;
  f.types = SORIGHTS_OTHER_USERS;
  CHECK_OK(sorights_list_users(q, &f, 0, out, 8, &total));
  CHECK(total == 1);
  f.types = 0;
  f.search = "ANDERSEN";
  f.active = SORIGHTS_ACTIVE_ONLY;
  CHECK_OK(sorights_list_users(q, &f, 0, out, 8, &total));
  CHECK(total == 1 && is(s, out[0], "alice"));
  f.search = NULL;
  f.active = SORIGHTS_INACTIVE_ONLY;
  CHECK_OK(sorights_list_users(q, &f, 0, out, 8, &total));
  CHECK(total == 1 && is(s, out[0], "zed"));
  f.active = 0;
  f.plan = "no-such-plan";
  CHECK(sorights_list_users(q, &f, 0, out, 8, &total) == SORIGHTS_E_NOT_FOUND);
  CHECK(strstr(sorights_last_error_message(), "no-such-plan") != NULL);
  CHECK(total == 0);
  CHECK(sorights_list_users(NULL, &f, 0, out, 8, &total) == SORIGHTS_E_INVALID_ARGUMENT);
  CHECK(sorights_group_members(q, sorights_find_group(s, "sales"), out, 8) == 3);
  CHECK(sorights_role_user_count(q, sorights_find_role(s, "level-3")) == 2);
  CHECK(sorights_role_user_count(q, sorights_find_role(s, "system")) == 1);
  CHECK(sorights_role_hidden(q, sorights_find_role(s, "system")) == 1);
  CHECK(sorights_role_hidden(q, sorights_find_role(s, "level-3")) == 0);
  const size_t holders = sorights_users_holding(q, sorights_find_right(s, "admin-all"), out, 8);
  CHECK(holders == 2 && is(s, out[0], "bob") && is(s, out[1], "sys")); /* level-0 administers */
  /* A model that is not the snapshot's. */
  sorights_model* other = NULL;
  CHECK_OK(sorights_model_new(&other));
  sorights_query_index* bad = NULL;
  CHECK(sorights_query_index_build(s, other, &bad) == SORIGHTS_E_INVALID_ARGUMENT);
  CHECK(bad == NULL);
  CHECK(sorights_query_index_build(NULL, NULL, &bad) == SORIGHTS_E_INVALID_ARGUMENT);
  sorights_model_free(other);
  sorights_query_index_free(q);
  sorights_snapshot_free(s);
  sorights_model_free(m);
}

static void test_filter_and_reports(void) {
  sorights_model* m = make_model();
  sorights_snapshot* s = compiled(m, 1);
  sorights_record records[70];
  for (size_t i = 0; i < 70; ++i) {
    sorights_record_init(&records[i]);
    records[i].owner = (sorights_user_index)(i % 5);  /* 4 is past the end: unknown */
    records[i].completed = (uint8_t)(i % 3 == 0);
  }
  const sorights_object_index sale = sorights_find_object(s, "sale");
  const sorights_user_index users[] = {sorights_find_user(s, "alice"), sorights_find_user(s, "bob"),
                                       sorights_find_user(s, "zed"), sorights_find_user(s, "sys")};
  uint64_t bits[2];
  for (size_t k = 0; k < 4; ++k) {
    const size_t allowed = sorights_filter(s, users[k], sale, SORIGHTS_ACTION_UPDATE, records, 70, bits, 2);
    size_t want = 0;
    for (size_t i = 0; i < 70; ++i) {
      sorights_record r = records[i];
      r.object = sale;
      const int may = sorights_can(s, users[k], SORIGHTS_ACTION_UPDATE, &r);
      want += (size_t)may;
      CHECK((int)((bits[i / 64] >> (i % 64)) & 1u) == may);
    }
    CHECK(allowed == want);
  }
  CHECK(sorights_filter(s, users[0], sale, SORIGHTS_ACTION_UPDATE, records, 70, bits, 1) == 0); /* too small */
  /* The batch form of sorights_can: records of several objects. */
  {
    sorights_record mixed[1100];
    uint64_t mixed_bits[18];
    const sorights_object_index objects[] = {sale, sorights_find_object(s, "company"), sorights_find_object(s, "person"),
                                             SORIGHTS_UNKNOWN_OBJECT};
    for (size_t i = 0; i < 1100; ++i) {
      mixed[i] = records[i % 70];
      mixed[i].object = objects[(i / 7) % 4];
    }
    for (size_t k = 0; k < 4; ++k)
      for (int action = SORIGHTS_ACTION_READ; action <= SORIGHTS_ACTION_DELETE; ++action) {
        const size_t allowed = sorights_can_batch(s, users[k], action, mixed, 1100, mixed_bits, 18);
        size_t want = 0;
        for (size_t i = 0; i < 1100; ++i) {
          const int may = sorights_can(s, users[k], action, &mixed[i]);
          want += (size_t)may;
          CHECK((int)((mixed_bits[i / 64] >> (i % 64)) & 1u) == may);
        }
        CHECK(allowed == want);
        CHECK((mixed_bits[17] >> (1100 % 64)) == 0);
      }
    CHECK(sorights_can_batch(s, users[0], SORIGHTS_ACTION_READ, mixed, 1100, mixed_bits, 17) == 0); /* too small */
    CHECK(mixed_bits[0] == 0);
    CHECK(sorights_can_batch(s, users[0], 9, mixed, 1100, mixed_bits, 18) == 0);
    CHECK(sorights_can_batch(NULL, users[0], SORIGHTS_ACTION_READ, mixed, 1100, mixed_bits, 18) == 0);
    CHECK(sorights_can_batch(s, users[0], SORIGHTS_ACTION_READ, NULL, 0, mixed_bits, 0) == 0);
    /* The batch form of sorights_rights, over the same records (more than one 512-record block). */
    uint8_t masks[1101];
    for (size_t k = 0; k < 4; ++k) {
      masks[1100] = 0xEE;
      const size_t with_rights = sorights_rights_batch(s, users[k], mixed, 1100, masks, 1101);
      size_t want = 0;
      for (size_t i = 0; i < 1100; ++i) {
        const uint8_t one = sorights_rights(s, users[k], &mixed[i]);
        want += (size_t)(one != 0);
        CHECK(masks[i] == one);
      }
      CHECK(with_rights == want);
      CHECK(masks[1100] == 0xEE); /* nothing written past `count` */
    }
    masks[0] = 0xFF;
    CHECK(sorights_rights_batch(s, users[0], mixed, 1100, masks, 1099) == 0); /* too small */
    CHECK(masks[0] == 0);
    CHECK(sorights_rights_batch(NULL, users[0], mixed, 1100, masks, 1101) == 0);
    CHECK(sorights_rights_batch(s, users[0], NULL, 0, masks, 0) == 0);
  }
  sorights_sql* sql = NULL;
  CHECK_OK(sorights_predicate_sql(s, users[0], sale, SORIGHTS_ACTION_UPDATE, INT64_MIN, 1, "r.", "o.", &sql));
  CHECK(strstr(sorights_sql_text(sql), "$1") != NULL);
  CHECK(strstr(sorights_sql_text(sql), "r.owner") != NULL);
  CHECK(sorights_sql_exact(sql) == 1);
  int saw_alice = 0;
  for (size_t i = 0; i < sorights_sql_param_count(sql); ++i)
    if (sorights_sql_param_is_text(sql, i) && strcmp(sorights_sql_param_text(sql, i), "alice") == 0) saw_alice = 1;
  CHECK(saw_alice);
  CHECK(sorights_sql_param_text(sql, 1000) == NULL);
  sorights_sql_free(sql);
  CHECK(sorights_predicate_sql(s, users[0], sale, 9, 0, 0, NULL, NULL, &sql) == SORIGHTS_E_INVALID_ARGUMENT);
  CHECK(sql == NULL);
  sorights_sql_free(NULL);
  char* html = NULL;
  CHECK_OK(sorights_render_html_report(m, "Demo", &html));
  CHECK(html != NULL && strstr(html, "Demo") != NULL);
  sorights_string_free(html);
  const char* tests =
      "{\"format\": \"sorights-tests/1\", \"tests\": ["
      "{\"name\": \"own\", \"user\": \"alice\", \"action\": \"update\", \"object\": \"sale\","
      " \"record\": {\"owner\": \"alice\"}, \"expect\": \"allow\"},"
      "{\"name\": \"wrong\", \"user\": \"alice\", \"has\": \"admin-all\", \"expect\": \"allow\"}]}";
  size_t passed = 0, failed = 0;
  char* report = NULL;
  const sorights_status st = sorights_run_policy_tests(s, m, tests, strlen(tests), &passed, &failed, &report);
  if (st != SORIGHTS_E_INTERNAL) { /* built with the storage library */
    CHECK(st == SORIGHTS_OK);
    CHECK(passed == 1 && failed == 1);
    CHECK(report != NULL && strcmp(report, "FAIL wrong: expected allow, got deny\n") == 0);
    sorights_string_free(report);
    CHECK(sorights_run_policy_tests(s, m, "{\"tests\": 1}", 12, &passed, &failed, NULL) ==
          SORIGHTS_E_INVALID_ARGUMENT);
  }
  sorights_snapshot_free(s);
  sorights_model_free(m);
}

static void test_licence_usage(void) {
  static const char kModel[] =
      "{\"our_companies\": [{\"id\": \"acme\", \"database_owner\": true}],"
      " \"groups\": [{\"id\": \"sales\"}],"
      " \"licences\": [{\"id\": \"user\", \"kind\": \"user\", \"count\": 3},"
      "                {\"id\": \"quote\", \"kind\": \"site\"}],"
      " \"users\": [{\"id\": \"alice\", \"company\": \"acme\", \"role\": \"level-3\", \"group\": \"sales\","
      "              \"licences\": [\"user\"]},"
      "             {\"id\": \"bob\", \"company\": \"acme\", \"role\": \"level-3\", \"group\": \"sales\"}]}";
  sorights_model* m = NULL;
  const sorights_status parsed = sorights_model_from_json(kModel, strlen(kModel), &m);
  if (parsed == SORIGHTS_E_INTERNAL) return; /* built without the storage library */
  CHECK(parsed == SORIGHTS_OK);
  sorights_licence_usage_row* rows = NULL;
  size_t count = 0;
  CHECK_OK(sorights_licence_usage(m, &rows, &count));
  CHECK(count == 2);
  if (count == 2) {
    CHECK(strcmp(rows[0].licence, "user") == 0);
    CHECK(!rows[0].site && rows[0].purchased == 3 && rows[0].in_use == 1 && rows[0].available == 2);
    CHECK(rows[0].user_count == 1 && strcmp(rows[0].users[0], "alice") == 0);
    CHECK(strcmp(rows[1].licence, "quote") == 0);
    CHECK(rows[1].site && rows[1].user_count == 2);
  }
  sorights_licence_usage_free(rows, count);
  CHECK(sorights_licence_usage(m, NULL, &count) == SORIGHTS_E_INVALID_ARGUMENT);
  CHECK(sorights_licence_usage(NULL, &rows, &count) == SORIGHTS_E_INVALID_ARGUMENT);
  CHECK(rows == NULL && count == 0);
  sorights_licence_usage_free(NULL, 0);
  sorights_model_free(m);
}

static const struct test_case kCases[] = {{"who_can", test_who_can}, {"users", test_users},
                                          {"filter_and_reports", test_filter_and_reports},
                                          {"licence_usage", test_licence_usage}};

int main(int argc, char** argv) { return run_cases(kCases, sizeof kCases / sizeof kCases[0], argc, argv); }
