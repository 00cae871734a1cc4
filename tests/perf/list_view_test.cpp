// The list view end to end (benchmarks/list_view.hpp, BM_ListViewSqlite): on
// a 2 000-row SQLite sale table, the predicate push-down, fetch-all +
// filter() and fetch-all + can() return the same ids, and those are the ids
// can() allows on the generated records (no SQL), for associates of several
// levels, users with record-scoped overrides, an external and an anonymous
// user, and the read, update and delete actions.
#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "support/catch.hpp"
#include "list_view.hpp"
#include "workload.hpp"

using namespace sorights;
using namespace sorights_bench;

namespace {

constexpr std::size_t kRows = 2000;

std::vector<std::int64_t> sorted(std::vector<std::int64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// The first user of `m` that `pred` accepts.
template <class Pred>
UserIndex first_user(const Model& m, const Snapshot& s, Pred pred) {
  for (const User& u : m.users)
    if (pred(u)) return s.find_user(u.id);
  return kUnknownUser;
}

struct Table {
  Model model = make_model({.users = 400, .seed = 5});
  Snapshot snapshot = compile_or_abort(model);
  std::vector<Record> stored;
  SqliteDb db;

  // `kRows` sales generated around `around` (own, group, visibility, …).
  explicit Table(std::string_view around) {
    const UserIndex u = snapshot.find_user(around);
    REQUIRE(u != kUnknownUser);
    stored = stored_records(make_records(snapshot, census(snapshot), u, kRows, 23, object_index(BuiltinObject::kSale)));
    REQUIRE(db.open_error().empty());
    const std::string err = create_sale_table(db, snapshot, stored);
    INFO(err);
    REQUIRE(err.empty());
  }
};

struct Answers {
  std::vector<std::int64_t> predicate, filter, can, reference;
};

Answers answers(const Table& t, UserIndex user, Action action) {
  Answers a;
  std::string sql;
  SaleColumns cols;
  std::vector<Record> records;
  std::vector<std::int64_t> row_ids;
  std::string err = ids_by_predicate(t.db, t.snapshot, user, action, kNow, a.predicate, &sql);
  INFO(err);
  REQUIRE(err.empty());
  err = ids_by_filter(t.db, t.snapshot, user, action, kNow, cols, a.filter);
  REQUIRE(err.empty());
  err = ids_by_can(t.db, t.snapshot, user, action, kNow, records, row_ids, a.can);
  REQUIRE(err.empty());
  a.predicate = sorted(a.predicate);
  a.filter = sorted(a.filter);
  a.can = sorted(a.can);
  a.reference = ids_by_reference(t.snapshot, user, action, t.stored);
  INFO("user " << t.snapshot.user_id(user) << " role " << t.snapshot.role_id(t.snapshot.user_role(user))
               << " action " << action_name(action) << "\nSQL: " << sql);
  CHECK(a.predicate == a.reference);
  CHECK(a.filter == a.reference);
  CHECK(a.can == a.reference);
  return a;
}

bool is_associate(const User& u, std::string_view role) {
  return u.type == UserType::kAssociate && u.role == role && !u.retired && u.can_log_in;
}

}  // namespace

TEST_CASE("list view: push-down, filter() and can() return the same ids on a SQLite table", "[list_view][sql][perf]") {
  // The table is generated around the benchmark's kind of user: a level-3
  // associate with other groups.
  const Model probe = make_model({.users = 400, .seed = 5});
  std::string level3;
  for (const User& u : probe.users)
    if (is_associate(u, "level-3") && u.other_groups.size() >= 2) {
      level3 = u.id;
      break;
    }
  REQUIRE(!level3.empty());
  const Table t(level3);
  const Snapshot& s = t.snapshot;

  SECTION("the level-3 associate reads a real part of the table") {
    const Answers a = answers(t, s.find_user(level3), Action::kRead);
    CHECK(!a.reference.empty());
    CHECK(a.reference.size() < kRows);
  }
  SECTION("associates of other levels, record overrides, external, anonymous and login-off users") {
    std::vector<UserIndex> users;
    for (std::string_view role : {"level-0", "level-1", "level-2", "level-5", "list-admin", "local"})
      users.push_back(first_user(t.model, s, [&](const User& u) { return is_associate(u, role); }));
    users.push_back(first_user(t.model, s, [](const User& u) { return u.type == UserType::kExternal; }));
    users.push_back(first_user(t.model, s, [](const User& u) { return u.type == UserType::kAnonymous; }));
    users.push_back(first_user(t.model, s, [](const User& u) { return u.retired; }));
    users.push_back(first_user(t.model, s, [](const User& u) { return !u.can_log_in; }));
    // Users with record-scoped overrides on sales (ids 1-7 of the table).
    for (const Override& o : t.model.overrides)
      if (o.scope == OverrideScope::kRecord && o.object == "sale") users.push_back(s.find_user(o.target));
    users.push_back(s.find_user("system"));
    std::set<std::size_t> sizes;
    for (UserIndex u : users) {
      REQUIRE(u != kUnknownUser);
      for (Action action : {Action::kRead, Action::kUpdate, Action::kDelete})
        sizes.insert(answers(t, u, action).reference.size());
    }
    // The answers are not all the same list (the comparison can tell them apart).
    CHECK(sizes.size() > 3);
  }
}

TEST_CASE("list view: a wrong answer is noticed", "[list_view][sql][perf]") {
  // The comparison the benchmark relies on fails when one way answers
  // another question: the push-down of "update" is not the list of "read".
  const Model probe = make_model({.users = 400, .seed = 5});
  std::string level2;
  for (const User& u : probe.users)
    if (is_associate(u, "level-2")) {
      level2 = u.id;
      break;
    }
  REQUIRE(!level2.empty());
  const Table t(level2);
  const UserIndex user = t.snapshot.find_user(level2);
  std::vector<std::int64_t> update_ids;
  REQUIRE(ids_by_predicate(t.db, t.snapshot, user, Action::kUpdate, kNow, update_ids).empty());
  const std::vector<std::int64_t> read = ids_by_reference(t.snapshot, user, Action::kRead, t.stored);
  CHECK(sorted(update_ids) != read);
  CHECK(sorted(update_ids) == ids_by_reference(t.snapshot, user, Action::kUpdate, t.stored));
}
