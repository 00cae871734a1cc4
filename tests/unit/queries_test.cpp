// The admin's questions (queries.hpp): who_can against the naive loop of
// can() and the naive reference evaluator on random models; every user query
// against a filter over the model written plainly here; and the behaviours
// issue #15 names (implied roles counted, the hidden system role, paging).
#include <algorithm>
#include <cstdint>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fixture.hpp"
#include "reference/naive_evaluator.hpp"
#include "reference/random_model.hpp"
#include "sorights/queries.hpp"
#include "support/catch.hpp"

namespace {

using namespace sorights;
using sorights_random::SeededGen;

std::vector<std::string> ids(const Snapshot& s, const UserSet& set) {
  std::vector<std::string> out;
  for (UserIndex u : set) out.emplace_back(s.user_id(u));
  return out;
}

// The effective role of a model user, written from docs/rules.md: the named role,
// else the system role for a system user and the anonymous-type role for an
// anonymous user.
std::string effective_role(const Model& m, const User& u) {
  if (!u.role.empty()) return u.role;
  if (u.type == UserType::kSystem) return "system";
  if (u.type == UserType::kAnonymous)
    for (const Role& r : m.roles)
      if (r.type == RoleType::kAnonymous) return r.id;
  return "";
}

bool active(const User& u) {
  return !u.retired && !u.former_employee && u.can_log_in && u.type != UserType::kResource;
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

bool holds(const Model& m, const User& u, const std::string& licence) {
  for (const Licence& l : m.licences)
    if (l.id == licence && l.kind == LicenceKind::kSite) return true;
  for (const std::string& l : u.licences)
    if (l == licence) return true;
  for (const Plan& p : m.plans)
    if (p.id == u.plan)
      for (const std::string& l : p.licences)
        if (l == licence) return true;
  return false;
}

struct PlainFilter {
  std::uint8_t types = 0x1F;
  std::string role, group, company, plan, licence, search;
  int active = -1;  // -1 any, 0 inactive, 1 active
};

std::vector<std::string> plain_users(const Model& m, const PlainFilter& f) {
  std::vector<std::string> out;
  for (const User& u : m.users) {
    if (!(f.types & (1u << static_cast<unsigned>(u.type)))) continue;
    if (!f.role.empty() && effective_role(m, u) != f.role) continue;
    if (!f.group.empty() && u.group != f.group &&
        std::find(u.other_groups.begin(), u.other_groups.end(), f.group) == u.other_groups.end())
      continue;
    if (!f.company.empty() && u.company != f.company) continue;
    if (!f.plan.empty() && u.plan != f.plan) continue;
    if (!f.licence.empty() && !holds(m, u, f.licence)) continue;
    if (f.active >= 0 && active(u) != (f.active == 1)) continue;
    if (!f.search.empty() && lower(u.id).find(lower(f.search)) == std::string::npos &&
        lower(u.name).find(lower(f.search)) == std::string::npos)
      continue;
    out.push_back(u.id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

UserFilter to_filter(const Snapshot& s, const QueryIndex& q, const PlainFilter& p) {
  UserFilter f;
  f.types = p.types;
  if (!p.role.empty()) f.role = s.find_role(p.role);
  if (!p.group.empty()) f.group = s.find_group(p.group);
  if (!p.company.empty()) f.company = s.find_company(p.company);
  if (!p.plan.empty()) f.plan = q.find_plan(p.plan);
  if (!p.licence.empty()) f.licence = q.find_licence(p.licence);
  if (p.active >= 0) f.active = p.active == 1;
  f.search = p.search;
  return f;
}

}  // namespace

TEST_CASE("who_can equals the naive loop of can() and the reference evaluator on random models", "[queries][differential]") {
  long records = 0, mismatches = 0, allowed = 0;
  std::string first;
  for (std::uint64_t seed : {101u, 102u, 103u, 104u, 105u, 106u}) {
    SeededGen g(seed);
    for (int mi = 0; mi < 40; ++mi) {
      const sorights_random::World w = sorights_random::random_world(g);
      const Model& m = w.model;
      const Snapshot s = std::move(compile(m)).value();
      const naive::Evaluator ref(m);
      const QueryIndex q = std::move(QueryIndex::build(s, m)).value();
      UserSet set = q.make_set();
      for (int ri = 0; ri < 60; ++ri) {
        const naive::Record nr = sorights_random::random_record(g, w);
        const Record rec = sorights_random::to_record(s, nr);
        for (Action a : {Action::kRead, Action::kCreate, Action::kUpdate, Action::kDelete}) {
          ++records;
          const std::size_t n = q.who_can(a, rec, set);
          std::vector<std::string> want_loop, want_ref;
          for (std::uint32_t u = 0; u < s.user_count(); ++u)
            if (s.can(UserIndex{u}, a, rec)) want_loop.emplace_back(s.user_id(UserIndex{u}));
          for (const User& u : m.users)
            if (ref.rights(u.id, nr) & TableRights::action_bit(a)) want_ref.push_back(u.id);
          std::sort(want_loop.begin(), want_loop.end());
          std::sort(want_ref.begin(), want_ref.end());
          const std::vector<std::string> got = ids(s, set);
          allowed += static_cast<long>(got.size());
          if (got != want_loop || got != want_ref || n != got.size()) {
            if (++mismatches == 1) {
              std::ostringstream out;
              out << "seed " << seed << " model " << mi << " action " << action_name(a) << " object " << nr.object
                  << " owner " << nr.owner << " group " << nr.group << " vis " << nr.visible_for << ":"
                  << nr.visible_id << " id " << nr.id << "\n got:";
              for (const auto& x : got) out << ' ' << x;
              out << "\n want:";
              for (const auto& x : want_loop) out << ' ' << x;
              first = out.str();
            }
          }
        }
      }
    }
  }
  INFO(first);
  CHECK(mismatches == 0);
  CHECK(records >= 50000);
  CHECK(allowed >= 10000);
}

TEST_CASE("user queries equal a plain filter over the model on random models", "[queries][differential]") {
  long queries = 0, mismatches = 0, nonempty = 0;
  std::string first;
  for (std::uint64_t seed : {201u, 202u, 203u}) {
    SeededGen g(seed);
    for (int mi = 0; mi < 40; ++mi) {
      sorights_random::World w = sorights_random::random_world(g);
      Model& m = w.model;
      for (User& u : m.users) u.name = g.chance(50) ? "Name of " + u.id : "";
      const Snapshot s = std::move(compile(m)).value();
      const QueryIndex q = std::move(QueryIndex::build(s, m)).value();
      UserSet set = q.make_set();
      for (int k = 0; k < 80; ++k) {
        PlainFilter p;
        if (g.chance(30)) p.types = static_cast<std::uint8_t>(g.below(32));
        if (g.chance(10)) p.types = kOtherUsersMask;
        if (g.chance(40)) p.role = m.roles[static_cast<std::size_t>(g.below(static_cast<int>(m.roles.size())))].id;
        if (g.chance(30) && !m.groups.empty())
          p.group = m.groups[static_cast<std::size_t>(g.below(static_cast<int>(m.groups.size())))].id;
        if (g.chance(20)) p.company = m.users[static_cast<std::size_t>(g.below(static_cast<int>(m.users.size())))].company;
        if (g.chance(20) && !m.plans.empty()) p.plan = m.plans[static_cast<std::size_t>(g.below(static_cast<int>(m.plans.size())))].id;
        if (g.chance(20) && !m.licences.empty())
          p.licence = m.licences[static_cast<std::size_t>(g.below(static_cast<int>(m.licences.size())))].id;
        if (g.chance(40)) p.active = g.below(2);
        if (g.chance(40)) {
          const User& u = m.users[static_cast<std::size_t>(g.below(static_cast<int>(m.users.size())))];
          std::string text = g.chance(50) && !u.name.empty() ? u.name : u.id;
          const auto from = static_cast<std::size_t>(g.below(static_cast<int>(text.size())));
          text = text.substr(from, 1 + static_cast<std::size_t>(g.below(4)));
          for (char& c : text)
            if (g.chance(50) && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
          p.search = text;
        }
        const std::vector<std::string> want = plain_users(m, p);
        const UserFilter f = to_filter(s, q, p);
        ++queries;
        nonempty += !want.empty();
        const std::size_t n = q.match_users(f, set);
        std::vector<UserIndex> page(3);
        const std::size_t offset = static_cast<std::size_t>(g.below(4));
        const std::size_t total = q.list_users(f, offset, page);
        std::vector<std::string> paged;
        for (std::size_t i = 0; i < page.size() && offset + i < total; ++i) paged.emplace_back(s.user_id(page[i]));
        std::vector<std::string> want_page;
        for (std::size_t i = offset; i < want.size() && i < offset + 3; ++i) want_page.push_back(want[i]);
        if (ids(s, set) != want || n != want.size() || total != want.size() || paged != want_page) {
          if (++mismatches == 1)
            first = "seed " + std::to_string(seed) + " model " + std::to_string(mi) + " role=" + p.role +
                    " group=" + p.group + " company=" + p.company + " plan=" + p.plan + " licence=" + p.licence +
                    " search=" + p.search + " types=" + std::to_string(p.types) + " active=" + std::to_string(p.active);
        }
      }
      // Group members, role counts, holders of rights.
      for (const Group& gr : m.groups) {
        PlainFilter p;
        p.group = gr.id;
        q.group_members(s.find_group(gr.id), set);
        if (ids(s, set) != plain_users(m, p) && ++mismatches == 1) first = "group_members " + gr.id;
      }
      for (const Role& r : m.roles) {
        PlainFilter p;
        p.role = r.id;
        if (q.role_user_count(s.find_role(r.id)) != plain_users(m, p).size() && ++mismatches == 1)
          first = "role_user_count " + r.id;
        CHECK(q.role_hidden(s.find_role(r.id)) == (r.type == RoleType::kSystem));
      }
      const naive::Evaluator ref(m);
      for (const std::string& right : w.rights) {
        q.users_holding(s.find_right(right), set);
        std::vector<std::string> want;
        for (const User& u : m.users)
          if (ref.has(u.id, right)) want.push_back(u.id);
        std::sort(want.begin(), want.end());
        if (ids(s, set) != want && ++mismatches == 1) first = "users_holding " + right;
        std::vector<RoleIndex> roles(m.roles.size());
        roles.resize(q.roles_granting(s.find_right(right), roles, true));
        std::set<std::string> got_roles, want_roles;
        for (RoleIndex r : roles) got_roles.insert(std::string(s.role_id(r)));
        for (const Role& r : m.roles)
          if (r.has_right(right) && s.find_right(right) != kUnknownRight) want_roles.insert(r.id);
        if (got_roles != want_roles && ++mismatches == 1) first = "roles_granting " + right;
      }
    }
  }
  INFO(first);
  CHECK(mismatches == 0);
  CHECK(queries >= 5000);
  CHECK(nonempty >= 1000);
}

TEST_CASE("role queries count implied roles and hide the system role", "[queries]") {
  Model m = Model::with_defaults();
  m.our_companies.push_back({"acme", "Acme", true});
  m.groups.push_back({"sales", "Sales"});
  m.users.push_back(fx::associate("alice", "acme", "level-3", "sales"));
  m.users.push_back(fx::system_user("sys-1"));
  m.users.push_back(fx::system_user("sys-2"));
  m.users.push_back(fx::anonymous("web"));
  User room;
  room.id = "room";
  room.type = UserType::kResource;
  room.company = "acme";
  m.users.push_back(room);  // names no role: counted for none
  User retired = fx::associate("bob", "acme", "level-3", "sales");
  retired.retired = true;
  m.users.push_back(retired);
  const Snapshot s = std::move(compile(m)).value();
  const QueryIndex q = std::move(QueryIndex::build(s, m)).value();
  CHECK(q.role_user_count(s.find_role("system")) == 2);
  CHECK(q.role_user_count(s.find_role("anonymous")) == 1);
  CHECK(q.role_user_count(s.find_role("level-3")) == 2);  // inactive users too
  CHECK(q.role_hidden(s.find_role("system")));
  CHECK_FALSE(q.role_hidden(s.find_role("level-3")));

  UserSet set = q.make_set();
  UserFilter f;
  f.role = s.find_role("system");
  CHECK(q.match_users(f, set) == 2);
  CHECK(ids(s, set) == std::vector<std::string>{"sys-1", "sys-2"});
  f = {};
  f.types = kOtherUsersMask;
  q.match_users(f, set);
  CHECK(ids(s, set) == std::vector<std::string>{"sys-1", "sys-2", "web"});
  f = {};
  f.active = false;
  q.match_users(f, set);
  CHECK(ids(s, set) == std::vector<std::string>{"bob", "room"});
  f = {};
  f.search = "SYS";
  std::vector<UserIndex> page(1);
  CHECK(q.list_users(f, 1, page) == 2);
  CHECK(s.user_id(page[0]) == "sys-2");
  f.role = kUnknownRole;
  CHECK(q.match_users(f, set) == 0);
}

TEST_CASE("who_can lists the owner, the system users and group members in id order", "[queries]") {
  Model m = Model::with_defaults();
  m.our_companies.push_back({"acme", "Acme", true});
  m.groups.push_back({"sales", "Sales"});
  m.groups.push_back({"ops", "Ops"});
  m.users.push_back(fx::associate("zed", "acme", "level-0", "sales"));
  m.users.push_back(fx::associate("amy", "acme", "level-0", "ops"));
  m.users.push_back(fx::associate("bo", "acme", "level-5", "ops"));
  m.users.push_back(fx::system_user("sys"));
  const Snapshot s = std::move(compile(m)).value();
  const QueryIndex q = std::move(QueryIndex::build(s, m)).value();
  UserSet set = q.make_set();
  Record sale;
  sale.object = s.find_object("sale");
  sale.owner = s.find_user("zed");
  q.who_can(Action::kUpdate, sale, set);
  std::vector<std::string> want;
  for (std::uint32_t u = 0; u < s.user_count(); ++u)
    if (s.can(UserIndex{u}, Action::kUpdate, sale)) want.emplace_back(s.user_id(UserIndex{u}));
  std::sort(want.begin(), want.end());
  CHECK(ids(s, set) == want);
  CHECK(set.contains(s.find_user("zed")));
  CHECK(set.contains(s.find_user("sys")));
  CHECK_FALSE(set.contains(kUnknownUser));
  // An unknown object or action: nobody.
  CHECK(q.who_can(Action::kUpdate, Record{}, set) == 0);
  CHECK(q.who_can(static_cast<Action>(9), sale, set) == 0);
}

TEST_CASE("QueryIndex::build refuses a model whose users are not the snapshot's", "[queries]") {
  Model m = Model::with_defaults();
  m.our_companies.push_back({"acme", "Acme", true});
  m.groups.push_back({"sales", "Sales"});
  m.users.push_back(fx::associate("alice", "acme", "level-3", "sales"));
  const Snapshot s = std::move(compile(m)).value();
  Model other = m;
  other.users[0].id = "bob";
  CHECK_FALSE(QueryIndex::build(s, other).has_value());
  CHECK(QueryIndex::build(s).has_value());
}
