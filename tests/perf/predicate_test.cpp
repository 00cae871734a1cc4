// Query push-down: the SQL fragment rendered from predicate() returns, on a
// real SQLite table of 100k random records, exactly the rows that
// Snapshot::can() allows record by record, for every predefined role and for
// random custom roles.
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "support/catch.hpp"
#include "empty_owner_cases.hpp"
#include "workload.hpp"

#include "sorights/predicate.hpp"

using namespace sorights;
using namespace sorights_bench;

namespace {

struct Db {
  sqlite3* db = nullptr;
  Db() { REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK); }
  ~Db() { sqlite3_close(db); }
  void exec(const std::string& sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    INFO(sql << ": " << (err ? err : ""));
    sqlite3_free(err);
    REQUIRE(rc == SQLITE_OK);
  }
  sqlite3_stmt* prepare(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    INFO(sql);
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
    return st;
  }
};

void bind_text(sqlite3_stmt* st, int i, std::string_view v) {
  if (v.empty()) sqlite3_bind_null(st, i);
  else sqlite3_bind_text(st, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

std::string user_text(const Snapshot& s, std::uint32_t u) {
  if (u == static_cast<std::uint32_t>(kNoUser)) return {};
  if (u >= s.user_count()) return "ghost" + std::to_string(u);
  return std::string(s.user_id(UserIndex{u}));
}

// Loads the snapshot's users (the owner side) and `records` into `db`.
void load(Db& d, const Snapshot& s, const std::vector<Record>& records) {
  d.exec("CREATE TABLE so_users(id TEXT PRIMARY KEY, type INT, grp TEXT, company TEXT, in_our_companies INT) WITHOUT ROWID");
  d.exec("CREATE TABLE records(rowno INTEGER, object INT, id INT, owner TEXT, grp TEXT, visibility_kind INT,"
         " visibility_id TEXT, published INT, publish_from INT, publish_to INT, completed INT, user_person INT,"
         " our_company INT, database_owner INT, company TEXT, project TEXT, PRIMARY KEY (object, rowno)) WITHOUT ROWID");
  d.exec("BEGIN");
  sqlite3_stmt* st = d.prepare("INSERT INTO so_users VALUES (?, ?, ?, ?, ?)");
  for (std::uint32_t u = 0; u < s.user_count(); ++u) {
    const OwnerFacts f = owner_facts(s, UserIndex{u});
    bind_text(st, 1, s.user_id(UserIndex{u}));
    sqlite3_bind_int(st, 2, f.type);
    bind_text(st, 3, f.group);
    bind_text(st, 4, f.company);
    sqlite3_bind_int(st, 5, f.in_our_companies);
    REQUIRE(sqlite3_step(st) == SQLITE_DONE);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  st = d.prepare("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (std::size_t i = 0; i < records.size(); ++i) {
    const Record& r = records[i];
    sqlite3_bind_int64(st, 1, static_cast<std::int64_t>(i));
    sqlite3_bind_int(st, 2, static_cast<int>(r.object));
    sqlite3_bind_int64(st, 3, static_cast<std::int64_t>(r.id));
    bind_text(st, 4, user_text(s, static_cast<std::uint32_t>(r.owner)));
    bind_text(st, 5, r.group == kNoGroup ? std::string_view{} : s.group_id(r.group));
    sqlite3_bind_int(st, 6, static_cast<int>(r.visibility.kind));
    if (r.visibility.kind == VisibilityKind::kAssociate) bind_text(st, 7, user_text(s, r.visibility.id));
    else if (r.visibility.kind == VisibilityKind::kGroup && r.visibility.id != static_cast<std::uint32_t>(kNoGroup))
      bind_text(st, 7, s.group_id(GroupIndex{r.visibility.id}));
    else sqlite3_bind_null(st, 7);
    sqlite3_bind_int(st, 8, r.published);
    if (r.publish_from == kTimeMin) sqlite3_bind_null(st, 9); else sqlite3_bind_int64(st, 9, r.publish_from);
    if (r.publish_to == kTimeMax) sqlite3_bind_null(st, 10); else sqlite3_bind_int64(st, 10, r.publish_to);
    sqlite3_bind_int(st, 11, r.completed);
    sqlite3_bind_int(st, 12, r.user_person);
    sqlite3_bind_int(st, 13, r.our_company);
    sqlite3_bind_int(st, 14, r.database_owner);
    bind_text(st, 15, r.company == kNoCompany ? std::string_view{} : s.company_id(r.company));
    bind_text(st, 16, r.project == kNoProject ? std::string_view{}
                                              : detail::SnapshotAccess::project_id(s, static_cast<std::uint32_t>(r.project)));
    REQUIRE(sqlite3_step(st) == SQLITE_DONE);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  d.exec("COMMIT");
}

// Checks every object and action for `user`: one scan per object computes
// the four actions' fragments as columns.
void check_user(Db& d, const Snapshot& s, const std::vector<Record>& records, UserIndex user) {
  const ColumnMapping map = ColumnMapping::with_prefix("r.", "o.");
  constexpr Action kActions[4] = {Action::kRead, Action::kCreate, Action::kUpdate, Action::kDelete};
  for (std::uint16_t o = 0; o < kBuiltinObjectCount; ++o) {
    std::string sql = "SELECT r.rowno";
    std::vector<PredicateValue> params;
    std::string texts;
    for (Action a : kActions) {
      const Predicate p = predicate(s, user, ObjectIndex{o}, a, kNow);
      REQUIRE(p.exact);
      const SqlFragment where = render_sql(p, map);
      sql += ", (" + where.text + ")";
      params.insert(params.end(), where.params.begin(), where.params.end());
      texts += std::string(action_name(a)) + ": " + where.text + "\n";
    }
    sql += " FROM records r LEFT JOIN so_users o ON o.id = r.owner WHERE r.object = " + std::to_string(o);
    sqlite3_stmt* st = d.prepare(sql);
    for (std::size_t k = 0; k < params.size(); ++k) {
      const int idx = static_cast<int>(k) + 1;
      if (const auto* n = std::get_if<std::int64_t>(&params[k])) sqlite3_bind_int64(st, idx, *n);
      else bind_text(st, idx, std::get<std::string>(params[k]));
    }
    std::vector<std::int64_t> got[4], want[4];
    while (sqlite3_step(st) == SQLITE_ROW)
      for (int a = 0; a < 4; ++a)
        if (sqlite3_column_int(st, a + 1)) got[a].push_back(sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (records[i].object != ObjectIndex{o}) continue;
      const TableRights r = s.rights(user, records[i]);
      for (int a = 0; a < 4; ++a)
        if (r.allows(kActions[a])) want[a].push_back(static_cast<std::int64_t>(i));
    }
    for (int a = 0; a < 4; ++a) {
      std::sort(got[a].begin(), got[a].end());
      INFO("user " << s.user_id(user) << " role " << s.role_id(s.user_role(user)) << " object "
                   << s.object_id(ObjectIndex{o}) << " action " << action_name(kActions[a]) << "\nSQL:\n" << texts);
      REQUIRE(got[a] == want[a]);
    }
  }
}

void run(const Model& m, std::size_t per_user_records, std::size_t users_to_check) {
  const auto s = compile(m);
  REQUIRE(s.has_value());
  const Census c = census(*s);
  // One user per role (every type and state), then a few more.
  std::vector<UserIndex> users;
  std::set<std::string> roles_seen;
  for (std::uint32_t u = 0; u < s->user_count(); ++u) {
    const std::string key = std::string(s->role_id(s->user_role(UserIndex{u}))) + "/" +
                            std::to_string(static_cast<int>(s->user_type(UserIndex{u})));
    if (roles_seen.insert(key).second) users.push_back(UserIndex{u});
  }
  for (std::uint32_t u = 1; users.size() < users_to_check && u < s->user_count(); u += 37) users.push_back(UserIndex{u});
  std::vector<Record> records;
  const std::size_t chunk = per_user_records / users.size() + 1;
  for (std::size_t k = 0; records.size() < per_user_records; ++k) {
    std::vector<Record> part = make_records(*s, c, users[k % users.size()], chunk, 1000 + k);
    for (Record& r : part) r.is_new = false;  // stored records
    records.insert(records.end(), part.begin(), part.end());
  }
  records.resize(per_user_records);
  Db d;
  load(d, *s, records);
  for (UserIndex u : users) check_user(d, *s, records, u);
}

}  // namespace

TEST_CASE("predicate: SQL push-down equals can() on 100k SQLite rows, predefined roles", "[predicate][sql][perf]") {
  run(make_model({.users = 600, .seed = 11}), 100000, 16);
}

TEST_CASE("predicate: SQL push-down equals can() on 100k SQLite rows, random custom roles", "[predicate][sql][perf]") {
  run(make_model({.users = 600, .seed = 12, .custom_roles = true}), 100000, 16);
}

TEST_CASE("predicate: constants and rendering", "[predicate][perf]") {
  const auto s = compile(make_model({.users = 50}));
  REQUIRE(s.has_value());
  REQUIRE(predicate(*s, kUnknownUser, ObjectIndex{5}, Action::kRead).is(PredicateOp::kFalse));
  REQUIRE(predicate(*s, s->find_user("system"), ObjectIndex{5}, Action::kDelete).is(PredicateOp::kTrue));
  REQUIRE(render_sql(predicate(*s, kUnknownUser, ObjectIndex{5}, Action::kRead), ColumnMapping{}).text == "1 = 0");
  ColumnMapping pg;
  pg.numbered_placeholders = true;
  const SqlFragment f = render_sql(predicate(*s, UserIndex{0}, ObjectIndex{5}, Action::kRead, kNow), pg);
  REQUIRE(!f.params.empty());
  REQUIRE(f.text.find("$" + std::to_string(f.params.size())) != std::string::npos);
  REQUIRE(f.text.find('?') == std::string::npos);
}

// The relation test (a CASE over the owner's row) is left out when every
// relation it can yield holds the action: a level-0 associate (full rights)
// updates sales of any owner; a level-2 one, whose update cells differ by
// relation, keeps the test.
TEST_CASE("predicate: the relation test is left out when it cannot decide", "[predicate][perf]") {
  Model m = make_model({.users = 200, .seed = 5});
  const auto s = compile(m);
  REQUIRE(s.has_value());
  const ObjectIndex sale = s->find_object("sale");
  auto sql_of = [&](const char* role, Action action) {
    for (std::uint32_t u = 0; u < s->user_count(); ++u) {
      const User& user = m.users[u];
      if (user.role == role && user.type == UserType::kAssociate && !user.retired && user.can_log_in)
        return render_sql(predicate(*s, UserIndex{u}, sale, action, kNow), ColumnMapping{}).text;
    }
    FAIL("no active associate with role " << role);
    return std::string();
  };
  CHECK(sql_of("level-0", Action::kUpdate).find("CASE") == std::string::npos);
  CHECK(sql_of("level-2", Action::kUpdate).find("CASE") != std::string::npos);
}

// docs/rules.md §15 (issue 13): the SQL relation follows the empty-owner
// rule by user type (an empty owner is NULL in SQL, an unknown one a value
// without a user row), on every combination of the facts.
TEST_CASE("predicate: SQL push-down follows the empty-owner rule by user type", "[predicate][sql][perf]") {
  const Snapshot s = fx::build(empty_owner_cases::model());
  std::vector<Record> records = empty_owner_cases::records(s);
  Db d;
  load(d, s, records);
  for (std::string_view u : empty_owner_cases::kUsers) check_user(d, s, records, s.find_user(u));
  // The external user's rule is rendered: an empty owner is not "unknown".
  const Predicate p = predicate(s, s.find_user("xena"), s.find_object("company"), Action::kUpdate, kNow);
  REQUIRE(p.relation.empty_owner_tested);
  REQUIRE_FALSE(p.relation.empty_owner_is_user);
  REQUIRE(render_sql(p, ColumnMapping{}).text.find("owner IS NOT NULL") != std::string::npos);
  const Predicate e = predicate(s, s.find_user("alice"), s.find_object("company"), Action::kUpdate, kNow);
  REQUIRE(e.relation.empty_owner_is_user);
  REQUIRE_FALSE(e.relation.empty_owner_tested);
}
