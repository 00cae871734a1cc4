// -----------------------------------------------------------------------------
// File: tests/reference/random_model.hpp
// -----------------------------------------------------------------------------
// The random valid-model and record generator shared by the unit differential
// test (tests/unit/differential_test.cpp) and the evaluator fuzz target
// (tests/fuzz/fuzz_evaluator.cpp), generic over the source of choices: the
// unit test draws from std::mt19937_64 (`SeededGen`), the fuzz target from the
// fuzzer's bytes (`ByteGen`).
#ifndef SORIGHTS_TESTS_REFERENCE_RANDOM_MODEL_HPP_
#define SORIGHTS_TESTS_REFERENCE_RANDOM_MODEL_HPP_

#include <cstddef>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "reference/naive_evaluator.hpp"
#include "sorights/model.hpp"
#include "sorights/snapshot.hpp"

namespace sorights_random {

using namespace sorights;

constexpr Time kT0 = 1'700'000'000;  // the fixed evaluation time most records use
constexpr Time kDay = 86400;

const std::vector<std::string> kFields = {"name", "amount", "note", "never-declared"};
const std::vector<std::string> kCustomers = {"cust-0", "cust-1", "cust-2"};
const std::vector<std::string> kProjects = {"p-0", "p-1", "p-2"};
const std::vector<std::string> kRecordIds = {"1", "2", "17", "ord-9"};
// Rights whose presence changes the evaluation, and a few that do not.
const std::vector<std::string> kEmployeeRights = {"admin-all", "admin-users", "admin-lists",
                                                  "see-other-companies-associates", "allow-bulk-edit",
                                                  "ext-need-publish-to-see-sale", "ext-use-my-company-rights"};
const std::vector<std::string> kExternalRights = {
    "ext-use-my-company-rights",           "ext-use-same-project-rights",      "ext-need-publish-to-see-project",
    "ext-need-publish-to-see-appointment", "ext-need-publish-to-see-document", "ext-need-publish-to-see-sale",
    "see-other-companies-associates",      "admin-users"};

// The choices the generator makes, from a source's `below(n)` (0 <= v < n).
template <class Source>
class Choices {
 public:
  bool chance(int percent) { return self().below(100) < percent; }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(self().below(static_cast<int>(v.size())))];
  }
  template <class T>
  std::vector<T> subset(const std::vector<T>& v, int percent) {
    std::vector<T> out;
    for (const T& x : v)
      if (chance(percent)) out.push_back(x);
    return out;
  }
  TableRights crud() { return TableRights::from_bits(static_cast<std::uint32_t>(self().below(16))); }

 private:
  Source& self() { return static_cast<Source&>(*this); }
};

// Choices from a seeded std::mt19937_64 (the unit tests).
class SeededGen : public Choices<SeededGen> {
 public:
  explicit SeededGen(std::uint64_t seed) : rng_(seed) {}
  int below(int n) { return static_cast<int>(rng_() % static_cast<std::uint64_t>(n)); }

 private:
  std::mt19937_64 rng_;
};

// Choices drawn from the fuzzer's bytes, one byte (two for n > 256) per
// choice; once the bytes run out, from a generator seeded with them, so a
// short input still builds a whole model and every byte steers a choice.
class ByteGen : public Choices<ByteGen> {
 public:
  ByteGen(const std::uint8_t* data, std::size_t size) : data_(data), size_(size), rng_(seed(data, size)) {}
  int below(int n) {
    if (n <= 1) return 0;
    std::uint32_t v;
    if (pos_ < size_) {
      v = data_[pos_++];
      if (n > 256 && pos_ < size_) v = v << 8 | data_[pos_++];
    } else {
      v = static_cast<std::uint32_t>(rng_());
    }
    return static_cast<int>(v % static_cast<std::uint32_t>(n));
  }
  // The bytes not consumed yet.
  [[nodiscard]] std::size_t left() const { return size_ - pos_; }

 private:
  static std::uint64_t seed(const std::uint8_t* data, std::size_t size) {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (std::size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
    return h;
  }
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  std::mt19937_64 rng_;
};

struct World {
  Model model;
  std::vector<std::string> objects;         // built-in + custom
  std::vector<std::string> employee_roles;  // ids
  std::vector<std::string> external_roles;
  std::vector<std::string> rights;          // functional rights to probe with has()
};

template <class Gen>
void random_cells(Gen& g, Role& r, const std::vector<std::string>& objects, int empty_percent) {
  for (const std::string& o : objects)
    for (int rel = 0; rel < kRelationCount; ++rel)
      r.set_cell(o, static_cast<Relation>(rel), g.chance(empty_percent) ? TableRights{} : g.crud());
}

template <class Gen>
World random_world(Gen& g) {
  World w;
  Model& m = w.model;
  m = Model::with_defaults();
  for (std::string_view o : kBuiltinObjectNames) w.objects.emplace_back(o);

  // Our companies: 1-3, maybe one database owner.
  const int n_companies = 1 + g.below(3);
  const int owner = g.below(n_companies + 1);  // == n_companies: none
  std::vector<std::string> ours;
  for (int i = 0; i < n_companies; ++i) {
    ours.push_back("oc-" + std::to_string(i));
    m.our_companies.push_back({ours.back(), "Our " + std::to_string(i), i == owner});
  }
  // Groups.
  // Sometimes many groups, so users get more than 16 other groups (the
  // evaluator searches those differently).
  const bool many_groups = g.chance(15);
  std::vector<std::string> groups;
  for (int i = 0, n = many_groups ? 24 : 2 + g.below(4); i < n; ++i) {
    groups.push_back("g-" + std::to_string(i));
    m.groups.push_back({groups.back(), "Group " + std::to_string(i)});
  }
  // Custom objects.
  for (int i = 0, n = g.below(3); i < n; ++i) {
    m.objects.push_back({"co-" + std::to_string(i), "Custom", g.chance(50), g.chance(50), g.chance(50)});
    w.objects.push_back(m.objects.back().id);
  }
  // Licences: user licences (prerequisites only on earlier ones), site licences.
  std::vector<std::string> user_lic, site_lic;
  for (int i = 0, n = 2; i < n; ++i) {
    Licence l;
    l.id = "ls-" + std::to_string(i);
    l.kind = LicenceKind::kSite;
    m.licences.push_back(l);
    site_lic.push_back(l.id);
  }
  for (int i = 0, n = 1 + g.below(4); i < n; ++i) {
    Licence l;
    l.id = "lu-" + std::to_string(i);
    l.kind = LicenceKind::kUser;
    l.unrestricted = g.chance(30);
    l.count = 1000;
    if (!user_lic.empty() && g.chance(40)) l.requires_licences.push_back(g.pick(user_lic));
    if (g.chance(20)) l.requires_licences.push_back(g.pick(site_lic));
    if (g.chance(50)) l.cal_for = g.subset(w.objects, 15);
    m.licences.push_back(l);
    user_lic.push_back(l.id);
  }
  // Plans.
  std::vector<std::string> plans;
  for (int i = 0, n = g.below(3); i < n; ++i) {
    m.plans.push_back({"plan-" + std::to_string(i), "Plan", g.subset(user_lic, 50)});
    plans.push_back(m.plans.back().id);
  }
  // Host-defined functional rights.
  std::vector<std::string> all_lic = user_lic;
  all_lic.insert(all_lic.end(), site_lic.begin(), site_lic.end());
  std::vector<std::string> host_rights;
  for (int i = 0, n = g.below(4); i < n; ++i) {
    m.functional_rights.push_back({"hr-" + std::to_string(i), "Host right", g.chance(60) ? g.pick(all_lic) : ""});
    m.functional_rights.back().restrictive = i % 2 == 1;  // hr-1, hr-3 (no draw: keeps the seeds' streams)
    host_rights.push_back(m.functional_rights.back().id);
  }
  // Roles: perturb some predefined ones, add custom employee and external roles.
  for (Role& r : m.roles) {
    if (r.id == "system") continue;
    if (r.type == RoleType::kEmployee) w.employee_roles.push_back(r.id);
    if (r.type == RoleType::kExternal) w.external_roles.push_back(r.id);
    if (g.chance(15)) random_cells(g, r, w.objects, 40);
    if (r.type == RoleType::kAnonymous && g.chance(60)) random_cells(g, r, w.objects, 50);
  }
  std::vector<std::string> employee_pool = kEmployeeRights;
  employee_pool.insert(employee_pool.end(), host_rights.begin(), host_rights.end());
  std::vector<std::string> external_pool = kExternalRights;
  external_pool.insert(external_pool.end(), host_rights.begin(), host_rights.end());
  // 1 to `most` custom roles of `type`, `prefix`0, `prefix`1, ..., each with `percent` of `pool`'s rights.
  auto add_custom_roles = [&](const std::string& prefix, RoleType type, int most, const std::vector<std::string>& pool,
                              int percent, std::vector<std::string>& ids) {
    for (int i = 0, n = 1 + g.below(most); i < n; ++i) {
      Role r;
      r.id = prefix + std::to_string(i);
      r.type = type;
      random_cells(g, r, w.objects, 25);
      r.functional_rights = g.subset(pool, percent);
      m.roles.push_back(r);
      ids.push_back(r.id);
    }
  };
  add_custom_roles("r-", RoleType::kEmployee, 4, employee_pool, 35, w.employee_roles);
  add_custom_roles("x-", RoleType::kExternal, 3, external_pool, 50, w.external_roles);
  std::vector<std::string> all_roles = w.employee_roles;
  all_roles.insert(all_roles.end(), w.external_roles.begin(), w.external_roles.end());
  all_roles.push_back("anonymous");
  // Field rules: unique (role, object, field, relation).
  std::set<std::tuple<std::string, std::string, std::string, int>> seen;
  for (int i = 0, n = g.below(12); i < n; ++i) {
    FieldRightRule f;
    f.role = g.pick(all_roles);
    f.object = g.chance(50) ? g.pick(std::vector<std::string>{"company", "sale", "person"}) : g.pick(w.objects);
    f.field = g.pick(std::vector<std::string>{"name", "amount", "note"});
    f.relation = static_cast<Relation>(g.below(kRelationCount));
    f.rights = FieldRights::from_bits(static_cast<std::uint32_t>(g.below(4)));
    f.ui_mandatory = g.chance(30);
    f.ui_read_only = g.chance(30);
    if (seen.emplace(f.role, f.object, f.field, static_cast<int>(f.relation)).second) m.field_rights.push_back(f);
  }
  // Users of every type and state.
  const int n_users = 6 + g.below(14);
  for (int i = 0; i < n_users; ++i) {
    User u;
    u.id = "u-" + std::to_string(i);
    const int t = g.below(100);
    u.type = t < 50 ? UserType::kAssociate
             : t < 70 ? UserType::kExternal
             : t < 78 ? UserType::kAnonymous
             : t < 85 ? UserType::kSystem
                      : UserType::kResource;
    switch (u.type) {
      case UserType::kAssociate:
        u.company = g.pick(ours);
        u.role = g.pick(w.employee_roles);
        u.group = g.pick(groups);
        u.other_groups = g.subset(groups, many_groups && g.chance(50) ? 85 : 30);
        break;
      case UserType::kExternal:
        u.company = g.pick(kCustomers);
        u.role = g.pick(w.external_roles);
        u.projects = g.subset(kProjects, 40);
        break;
      case UserType::kAnonymous:
        u.role = g.chance(50) ? "anonymous" : "";
        break;
      case UserType::kSystem:
        u.role = g.chance(50) ? "system" : "";
        break;
      case UserType::kResource:
        u.company = g.chance(70) ? g.pick(ours) : "";
        if (g.chance(40)) u.group = g.pick(groups);
        break;
    }
    if (u.type != UserType::kSystem && u.type != UserType::kAnonymous) {
      u.licences = g.subset(user_lic, 40);
      if (!plans.empty() && g.chance(40)) u.plan = g.pick(plans);
    }
    u.retired = g.chance(5);
    u.former_employee = g.chance(5);
    u.can_log_in = !g.chance(7);
    // Close the prerequisites over direct and plan licences.
    for (bool changed = true; changed;) {
      changed = false;
      std::set<std::string> held(u.licences.begin(), u.licences.end());
      for (const Plan& p : m.plans)
        if (p.id == u.plan) held.insert(p.licences.begin(), p.licences.end());
      for (const std::string& l : std::vector<std::string>(held.begin(), held.end()))
        for (const Licence& lic : m.licences)
          if (lic.id == l)
            for (const std::string& req : lic.requires_licences)
              if (!held.contains(req) && req.starts_with("lu-")) {
                u.licences.push_back(req);
                held.insert(req);
                changed = true;
              }
    }
    m.users.push_back(u);
  }
  // Overrides at every level and scope.
  for (int i = 0, n = g.below(10); i < n; ++i) {
    Override o;
    o.level = static_cast<OverrideLevel>(g.below(3));
    if (o.level == OverrideLevel::kGroup) o.target = g.pick(groups);
    if (o.level == OverrideLevel::kUser) o.target = m.users[static_cast<std::size_t>(g.below(n_users))].id;
    o.object = g.chance(60) ? g.pick(std::vector<std::string>{"sale", "company", "follow_up", "selection"})
                            : g.pick(w.objects);
    o.scope = static_cast<OverrideScope>(g.below(4));
    if (o.scope == OverrideScope::kRecord) o.record = g.pick(kRecordIds);
    if (g.chance(30)) {
      o.field = g.pick(std::vector<std::string>{"name", "amount", "note"});
      o.remove = static_cast<std::uint8_t>(g.below(4));
    } else {
      o.remove = static_cast<std::uint8_t>(g.below(16));
    }
    m.overrides.push_back(o);
  }
  w.rights = {"admin-all", "admin-users", "see-other-companies-associates", "ext-use-my-company-rights",
              "allow-bulk-edit", "hide-company", "ext-need-publish-to-see-project", "no-such-right"};
  w.rights.insert(w.rights.end(), host_rights.begin(), host_rights.end());
  return w;
}

template <class Gen>
naive::Record random_record(Gen& g, const World& w) {
  const Model& m = w.model;
  naive::Record r;
  r.object = g.chance(4) ? "no-such-object" : g.pick(w.objects);
  const int o = g.below(100);
  r.owner = o < 20 ? "" : o < 30 ? "ghost" : m.users[static_cast<std::size_t>(g.below(static_cast<int>(m.users.size())))].id;
  const int gr = g.below(100);
  r.group = gr < 50 ? "" : gr < 60 ? "no-such-group" : m.groups[static_cast<std::size_t>(g.below(static_cast<int>(m.groups.size())))].id;
  const int v = g.below(100);
  if (v < 50) {
    r.visible_for = "all";
  } else if (v < 75) {
    r.visible_for = "associate";
    r.visible_id = g.chance(10) ? "ghost" : m.users[static_cast<std::size_t>(g.below(static_cast<int>(m.users.size())))].id;
  } else {
    r.visible_for = "group";
    r.visible_id = g.chance(10) ? (g.chance(50) ? "" : "no-such-group")
                                : m.groups[static_cast<std::size_t>(g.below(static_cast<int>(m.groups.size())))].id;
  }
  const int p = g.below(100);
  r.project = p < 40 ? "" : p < 50 ? "p-unknown" : g.pick(kProjects);
  const int c = g.below(100);
  r.company = c < 40 ? ""
              : c < 50 ? "c-unknown"
              : c < 75 ? g.pick(kCustomers)
                       : m.our_companies[static_cast<std::size_t>(g.below(static_cast<int>(m.our_companies.size())))].id;
  r.id = g.chance(50) ? "" : g.pick(kRecordIds);
  r.published = g.chance(50);
  if (g.chance(25)) {
    r.at = naive::kOpenStart;  // now: windows far from any plausible now
    const int k = g.below(3);
    if (k == 0) { r.publish_from = 0; r.publish_to = 1'000'000'000; }                   // ended in 2001
    if (k == 1) { r.publish_from = 4'000'000'000; r.publish_to = naive::kOpenEnd; }     // starts in 2096
    if (k == 2) { r.publish_from = 1'000'000'000; r.publish_to = 4'000'000'000; }       // open now
  } else {
    r.at = kT0;
    const int k = g.below(6);
    if (k == 1) r.publish_from = kT0 - g.below(2) * kDay;
    if (k == 2) r.publish_to = kT0 + (g.below(3) - 1) * kDay;
    if (k == 3) { r.publish_from = kT0; r.publish_to = kT0; }
    if (k == 4) { r.publish_from = kT0 + 1; }
    if (k == 5) { r.publish_from = kT0 - kDay; r.publish_to = kT0 - 1; }
  }
  r.completed = g.chance(25);
  r.is_new = g.chance(25);
  r.user_person = g.chance(20);
  r.our_company = g.chance(15);
  r.database_owner = g.chance(10);
  return r;
}

inline Record to_record(const Snapshot& s, const naive::Record& n) {
  Record r;
  r.object = s.find_object(n.object);
  r.owner = n.owner.empty() ? kNoUser : s.find_user(n.owner);
  r.group = n.group.empty() ? kNoGroup : s.find_group(n.group);
  if (n.visible_for == "associate")
    r.visibility = Visibility::associate(n.visible_id.empty() ? kNoUser : s.find_user(n.visible_id));
  if (n.visible_for == "group")
    r.visibility = Visibility::group(n.visible_id.empty() ? kNoGroup : s.find_group(n.visible_id));
  r.project = n.project.empty() ? kNoProject : s.find_project(n.project);
  r.company = n.company.empty() ? kNoCompany : s.find_company(n.company);
  r.id = n.id.empty() ? 0 : record_key(n.id);
  r.publish_from = n.publish_from;
  r.publish_to = n.publish_to;
  r.at = n.at;
  sorights::detail::copy_record_facts(n, r);
  return r;
}


}  // namespace sorights_random

#endif  // SORIGHTS_TESTS_REFERENCE_RANDOM_MODEL_HPP_
