// -----------------------------------------------------------------------------
// File: tests/unit/fixture.hpp
// -----------------------------------------------------------------------------
// Small helpers shared by the unit tests: user and role builders, a standard
// two-company model, compile-or-fail (and `Compiled<model>`, a fixture holding
// the compiled model), a record builder that takes string ids (an unknown id
// becomes the snapshot's kUnknown* sentinel, "" the kNo* sentinel), and table
// checks (`check_rights`) that name the row that fails.
#ifndef SORIGHTS_TESTS_UNIT_FIXTURE_HPP_
#define SORIGHTS_TESTS_UNIT_FIXTURE_HPP_

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sorights/model.hpp"
#include "sorights/ostream.hpp"
#include "sorights/record.hpp"
#include "sorights/detail/snapshot_access.hpp"
#include "sorights/snapshot.hpp"
#include "support/catch.hpp"

namespace fx {

using namespace sorights;

inline User associate(std::string id, std::string company, std::string role, std::string group,
                      std::vector<std::string> other_groups = {}) {
  return {.id = std::move(id), .type = UserType::kAssociate, .company = std::move(company), .role = std::move(role),
          .group = std::move(group), .other_groups = std::move(other_groups)};
}

inline User external(std::string id, std::string company, std::string role = "external",
                     std::vector<std::string> projects = {}) {
  return {.id = std::move(id), .type = UserType::kExternal, .company = std::move(company), .role = std::move(role),
          .projects = std::move(projects)};
}

inline User anonymous(std::string id, std::string role = "") {
  return {.id = std::move(id), .type = UserType::kAnonymous, .role = std::move(role)};
}

inline User system_user(std::string id) { return {.id = std::move(id), .type = UserType::kSystem}; }

inline User resource(std::string id, std::string company = "acme") {
  return {.id = std::move(id), .type = UserType::kResource, .company = std::move(company)};
}

/// A blank role of `type`: no cells, no functional rights.
inline Role blank_role(std::string id, RoleType type = RoleType::kEmployee) {
  Role r;
  r.id = std::move(id);
  r.name = r.id;
  r.type = type;
  return r;
}

/// Sets the cell (object, relation) from C/R/U/D letters.
inline void cell(Role& role, std::string_view object, Relation relation, std::string_view crud) {
  role.set_cell(object, relation, *TableRights::parse_crud(crud));
}

/// Sets every relation of every built-in object to `crud`.
inline void fill(Role& role, std::string_view crud) {
  for (std::string_view o : kBuiltinObjectNames)
    for (int rel = 0; rel < kRelationCount; ++rel) cell(role, o, static_cast<Relation>(rel), crud);
}

/// A probe role: each relation grants a distinct set on every built-in object, so rights() names the relation found
/// and every action tells some relations apart.
inline Role probe_role(std::string id, RoleType type) {
  Role r = blank_role(std::move(id), type);
  const std::pair<Relation, const char*> cells[] = {
      {Relation::kOwn, "CRUD"},          {Relation::kPrimaryGroup, "CRU"},
      {Relation::kOtherGroups, "CR"},    {Relation::kOtherAssociates, "R"},
      {Relation::kExternal, "U"},        {Relation::kAnonymous, "D"},
      {Relation::kMyCompany, "RU"},      {Relation::kSameProject, "RD"}};
  for (std::string_view o : kBuiltinObjectNames)
    for (const auto& [rel, crud] : cells) cell(r, o, rel, crud);
  return r;
}

/// The predefined roles, two of our companies ("acme" is the database owner,
/// "beta"), three groups ("sales", "support", "marketing") and no users.
inline Model base_model() {
  Model m = Model::with_defaults();
  m.our_companies.push_back({"acme", "Acme", true});
  m.our_companies.push_back({"beta", "Beta", false});
  m.groups.push_back({"sales", "Sales"});
  m.groups.push_back({"support", "Support"});
  m.groups.push_back({"marketing", "Marketing"});
  return m;
}

/// Compiles `m` at `version`, failing the test with every diagnostic if it is invalid.
inline Snapshot build(const Model& m, std::uint64_t version = 0) {
  Result<Snapshot> s = compile(m, version);
  if (!s) FAIL(s.error().to_string());
  return std::move(s).value();
}

/// A fixture (TEST_CASE_METHOD) for the tests that check a model as it is: `s` is `make()` compiled.
template <Model (*make)()>
struct Compiled {
  const Snapshot s = build(make());
};

/// True if validating `m` reports `rule` (optionally on `collection`).
inline bool reports(const Model& m, std::string_view rule, std::string_view collection = {}) {
  for (const Diagnostic& d : validate(m))
    if (d.rule == rule && (collection.empty() || d.collection == collection)) return true;
  return false;
}

/// A record builder over string ids. `label` spells what was set ("sale owner=bob completed"), for failure messages.
struct Rec {
  const Snapshot* s;
  Record r;
  RecordFacts facts;
  std::string label;

  Rec(const Snapshot& snap, std::string_view object, std::string_view owner = {}) : s(&snap), label(object) {
    r.object = snap.find_object(object);
    r.owner = owner.empty() ? kNoUser : snap.find_user(owner);
    if (!owner.empty()) note("owner", owner);
  }
  Rec& group(std::string_view g) {
    r.group = g.empty() ? kNoGroup : s->find_group(g);
    return note("group", g);
  }
  Rec& visible_for_group(std::string_view g) {
    r.visibility = Visibility::group(s->find_group(g));
    return note("visible-for-group", g);
  }
  Rec& visible_for_user(std::string_view u) {
    r.visibility = Visibility::associate(s->find_user(u));
    return note("visible-for-user", u);
  }
  Rec& project(std::string_view p) {
    r.project = s->find_project(p);
    return note("project", p);
  }
  Rec& company(std::string_view c) {
    r.company = s->find_company(c);
    return note("company", c);
  }
  Rec& id(std::string_view i) {
    r.id = record_key(i);
    return note("id", i);
  }
  Rec& published(Time from = kTimeMin, Time to = kTimeMax) {
    r.publish_from = from;
    r.publish_to = to;
    if (from != kTimeMin) note("from", std::to_string(from));
    if (to != kTimeMax) note("to", std::to_string(to));
    return set(&RecordFacts::published, "published");
  }
  Rec& at(Time t) {
    r.at = t;
    return note("at", std::to_string(t));
  }
  Rec& completed() { return set(&RecordFacts::completed, "completed"); }
  Rec& fresh() { return set(&RecordFacts::is_new, "new"); }
  Rec& user_person() { return set(&RecordFacts::user_person, "user-person"); }
  Rec& our_company() { return set(&RecordFacts::our_company, "our-company"); }
  Rec& database_owner() { return set(&RecordFacts::database_owner, "database-owner"); }
  operator const Record&() const { return r; }  // NOLINT: a builder converts implicitly

 private:
  Rec& note(std::string_view what, std::string_view value = {}) {
    label.append(" ").append(what);
    if (!value.empty()) label.append("=").append(value);
    return *this;
  }
  Rec& set(bool RecordFacts::*fact, std::string_view what) {
    facts.*fact = true;
    detail::copy_record_facts(facts, r);
    return note(what);
  }
};

/// The rights of user `user` on `record`, as C/R/U/D letters plus F for
/// Filtering and X for RestrictedUpdate (compact for REQUIREs).
inline std::string letters(TableRights t) {
  std::string out = t.to_crud();
  if (t.bits() & 16u) out += 'F';
  if (t.bits() & 32u) out += 'X';
  return out;
}

inline std::string rights(const Snapshot& s, std::string_view user, const Record& r) {
  return letters(s.rights(s.find_user(user), r));
}

/// One row of a table check: what `user` gets on `record`.
template <class Want>
struct Case {
  std::string_view user;
  Rec record;
  Want want;
};

/// Checks `answer(s, user, record) == want` for each row, naming the row that fails.
template <class Want, class Answer>
void check_rows(const Snapshot& s, std::initializer_list<Case<Want>> rows, Answer answer) {
  for (const auto& [user, record, want] : rows) {
    INFO(user << " on " << record.label);
    CHECK(answer(s, user, record) == want);
  }
}

/// Checks each row's rights (as letters()), naming the row that fails.
inline void check_rights(const Snapshot& s, std::initializer_list<Case<std::string_view>> rows) {
  check_rows(s, rows, rights);
}

inline std::string field(const Snapshot& s, std::string_view user, const Record& r,
                         std::string_view name) {
  return s.field_rights(s.find_user(user), r, s.find_field(name)).to_string();
}

inline bool has(const Snapshot& s, std::string_view user, std::string_view right) {
  return s.has(s.find_user(user), s.find_right(right));
}

// Users whose stored other groups are not `m`'s (sorted, each once, without
// the primary group; in the record exactly when at most four and no projects).
inline std::size_t stored_groups_mismatches(const Snapshot& s, const Model& m) {
  const auto users = detail::SnapshotAccess::users(s);
  std::size_t bad = 0;
  for (std::uint32_t ui = 0; ui < users.size(); ++ui) {
    const User& mu = m.users[ui];
    std::vector<std::uint32_t> want;
    for (const std::string& g : mu.other_groups)
      if (g != mu.group) want.push_back(static_cast<std::uint32_t>(s.find_group(g)));
    std::sort(want.begin(), want.end());
    want.erase(std::unique(want.begin(), want.end()), want.end());
    const detail::UserRec& rec = users[ui];
    const bool spill = want.size() > detail::kInlineGroups || !mu.projects.empty();
    if (!std::ranges::equal(rec.other_groups(detail::SnapshotAccess::group_pool(s)), want) || rec.spilled() != spill ||
        rec.groups_count() != want.size() || rec.projects_count() != mu.projects.size())
      if (bad++ == 0) UNSCOPED_INFO("user " << mu.id << " stores other groups unlike the model");
  }
  return bad;
}

}  // namespace fx

#endif  // SORIGHTS_TESTS_UNIT_FIXTURE_HPP_
