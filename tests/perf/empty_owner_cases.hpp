// -----------------------------------------------------------------------------
// File: tests/perf/empty_owner_cases.hpp
// -----------------------------------------------------------------------------
// A small model and an exhaustive record set for the empty-owner rule of
// docs/rules.md §15 (issue 13): employees take an empty owner on company,
// person, project and relation as themselves; external and anonymous users
// never do, and for external users the my-company (by the record's company)
// and same-project tests still decide. The filter kernels and the SQL
// predicate are checked against can() on these records, so every branch of
// the rule (empty, known, unknown owner × company × project × publishing) is
// met by each implementation, not only by chance in a random workload.
#ifndef SORIGHTS_TESTS_PERF_EMPTY_OWNER_CASES_HPP_
#define SORIGHTS_TESTS_PERF_EMPTY_OWNER_CASES_HPP_

#include <algorithm>
#include <string_view>
#include <vector>

#include "unit/fixture.hpp"

namespace empty_owner_cases {

using namespace sorights;

inline Model model() {
  Model m = fx::base_model();
  m.roles.push_back(fx::probe_role("probe", RoleType::kEmployee));
  Role ext = fx::probe_role("ext-probe", RoleType::kExternal);
  ext.functional_rights = {"ext-use-my-company-rights", "ext-use-same-project-rights"};
  m.roles.push_back(ext);
  Role ext_pub = fx::probe_role("ext-publish", RoleType::kExternal);
  ext_pub.functional_rights = {"ext-use-my-company-rights", "ext-use-same-project-rights",
                               "ext-need-publish-to-see-project"};
  m.roles.push_back(ext_pub);
  m.roles.push_back(fx::probe_role("ext-plain", RoleType::kExternal));
  Role anon = fx::probe_role("anon-probe", RoleType::kAnonymous);
  m.roles.erase(std::find_if(m.roles.begin(), m.roles.end(), [](const Role& r) { return r.id == "anonymous"; }));
  anon.id = "anonymous";
  m.roles.push_back(anon);
  m.users.push_back(fx::associate("alice", "acme", "probe", "sales", {"support"}));
  m.users.push_back(fx::associate("bob", "acme", "probe", "sales"));
  m.users.push_back(fx::external("xena", "cust-1", "ext-probe", {"p-1"}));
  m.users.push_back(fx::external("xavier", "cust-1", "ext-publish", {"p-1"}));
  m.users.push_back(fx::external("yuri", "cust-2", "ext-probe"));
  m.users.push_back(fx::external("plain", "cust-1", "ext-plain", {"p-1"}));
  m.users.push_back(fx::anonymous("anon"));
  return m;
}

// The users whose answers are checked.
inline constexpr std::string_view kUsers[] = {"alice", "xena", "xavier", "yuri", "plain", "anon"};

// Every combination of owner (empty, own, same-company external, other external,
// associate, anonymous, unknown), company, project, group, visibility and
// publishing, for every built-in object.
inline std::vector<Record> records(const Snapshot& s) {
  std::vector<Record> out;
  const UserIndex owners[] = {kNoUser,           s.find_user("xena"), s.find_user("xavier"),
                              s.find_user("yuri"), s.find_user("bob"),  s.find_user("anon"),
                              UserIndex{static_cast<std::uint32_t>(s.user_count()) + 3}};
  const CompanyIndex companies[] = {kNoCompany, s.find_company("cust-1"), s.find_company("cust-2"),
                                    s.find_company("acme")};
  const ProjectIndex projects[] = {kNoProject, s.find_project("p-1")};
  for (int o = 0; o < kBuiltinObjectCount; ++o)
    for (UserIndex owner : owners)
      for (CompanyIndex company : companies)
        for (ProjectIndex project : projects)
          for (int variant = 0; variant < 4; ++variant) {
            Record r;
            r.object = ObjectIndex{static_cast<std::uint16_t>(o)};
            r.owner = owner;
            r.company = company;
            r.project = project;
            r.group = (variant & 1) ? s.find_group("sales") : kNoGroup;
            r.published = (variant & 2) != 0;
            out.push_back(r);
          }
  return out;
}

}  // namespace empty_owner_cases

#endif  // SORIGHTS_TESTS_PERF_EMPTY_OWNER_CASES_HPP_
