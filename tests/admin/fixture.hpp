// Shared fixture for the directory / transaction tests: a small model with one
// actor per administrative right, and helpers.
#ifndef SORIGHTS_TESTS_ADMIN_FIXTURE_HPP_
#define SORIGHTS_TESTS_ADMIN_FIXTURE_HPP_

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "sorights/directory.hpp"
#include "support/catch.hpp"

namespace admin_test {

using namespace sorights;

inline Role role_from(std::string_view base, std::string id, std::vector<std::string> rights) {
  Role r = *predefined_role(base);
  r.id = std::move(id);
  r.name = r.id;
  r.functional_rights = std::move(rights);
  return r;
}

inline User associate(std::string id, std::string role, std::string company = "acme",
                      std::string group = "sales") {
  User u;
  u.id = std::move(id);
  u.name = u.id;
  u.type = UserType::kAssociate;
  u.company = std::move(company);
  u.role = std::move(role);
  u.group = std::move(group);
  return u;
}

/// Actors: root (level-0: admin-all), ua (user-admin), la (list-admin),
/// ra (role-admin: admin-role + approve, which needs the quote-cal licence),
/// pa (pref-admin: admin-preferences), rep (level-3: no admin right),
/// old (level-0 but retired), off (level-0, login off), sys (a system user).
/// Plus plain users bob and carl.
inline Model base_model() {
  Model m = Model::with_defaults();
  m.our_companies = {{"acme", "Acme", true}, {"acme-se", "Acme Sverige", false}, {"empty-co", "Empty", false}};
  m.groups = {{"sales", "Sales"}, {"support", "Support"}};
  m.licences = {Licence{"user", "User", LicenceKind::kUser, 20, false, {}, {}},
                Licence{"web", "Web", LicenceKind::kUser, 20, false, {"user"}, {}},
                Licence{"quote-cal", "Quote", LicenceKind::kUser, 2, false, {}, {}}};
  m.plans = {Plan{"basic", "Basic", {"user"}}};
  m.functional_rights = {FunctionalRightDef{"approve", "Approve discounts", "quote-cal"}};
  m.roles.push_back(role_from("level-3", "role-admin",
                              {"admin-role", "approve", "see-other-companies-associates"}));
  m.roles.push_back(role_from("level-3", "pref-admin", {"admin-preferences", "see-other-companies-associates"}));
  m.users = {associate("root", "level-0"),   associate("ua", "user-admin"),
             associate("la", "list-admin"),  associate("ra", "role-admin"),
             associate("pa", "pref-admin"),  associate("rep", "level-3"),
             associate("old", "level-0"),    associate("off", "level-0"),
             associate("bob", "level-3"),    associate("carl", "level-4", "acme-se", "support")};
  m.find_user("old")->retired = true;
  m.find_user("off")->can_log_in = false;
  User sys;
  sys.id = "sys";
  sys.type = UserType::kSystem;
  sys.role = "system";
  m.users.push_back(sys);
  return m;
}

/// A clock the test moves by hand.
struct ManualClock {
  std::shared_ptr<std::atomic<Time>> now = std::make_shared<std::atomic<Time>>(1'000'000);
  std::function<Time()> fn() const {
    auto p = now;
    return [p] { return p->load(); };
  }
};

struct Fixture {
  std::shared_ptr<InMemoryStorage> storage = std::make_shared<InMemoryStorage>(StoredModel{base_model(), 1});
  ManualClock clock;
  std::shared_ptr<Directory> dir;

  Fixture() {
    DirectoryOptions o;
    o.clock = clock.fn();
    auto d = Directory::open(storage, o);
    REQUIRE(d);
    dir = *d;
  }

  Transaction begin(std::string_view actor) {
    auto tx = dir->begin(actor);
    if (!tx) FAIL(tx.error().to_string());
    return std::move(tx).value();
  }
};

/// True if `e` lists a diagnostic with `rule` (and `item`, when given).
inline bool has_rule(const Error& e, std::string_view rule, std::string_view item = {}) {
  return std::any_of(e.diagnostics.begin(), e.diagnostics.end(), [&](const Diagnostic& d) {
    return d.rule == rule && (item.empty() || d.item == item);
  });
}

/// Commits and requires a refusal with `code` naming `rule`.
#define REQUIRE_REFUSED(tx, code_, rule_)                                   \
  do {                                                                      \
    auto sorights_r_ = (tx).commit();                                       \
    REQUIRE_FALSE(sorights_r_);                                             \
    INFO(sorights_r_.error().to_string());                                  \
    CHECK(sorights_r_.error().code == (code_));                             \
    CHECK(::admin_test::has_rule(sorights_r_.error(), (rule_)));            \
  } while (false)

#define REQUIRE_COMMITS(tx)                                                 \
  do {                                                                      \
    auto sorights_r_ = (tx).commit();                                       \
    if (!sorights_r_) FAIL(sorights_r_.error().to_string());                \
  } while (false)

}  // namespace admin_test

#endif  // SORIGHTS_TESTS_ADMIN_FIXTURE_HPP_
