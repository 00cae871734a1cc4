// -----------------------------------------------------------------------------
// File: benchmarks/workload.hpp
// -----------------------------------------------------------------------------
// Deterministic synthetic models and record streams shared by the benchmark
// suite (sorights_bench) and the perf tests (tests/perf). Not installed.
#ifndef SORIGHTS_BENCH_WORKLOAD_HPP_
#define SORIGHTS_BENCH_WORKLOAD_HPP_

#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "sorights/filter.hpp"
#include "sorights/model.hpp"
#include "sorights/snapshot.hpp"

namespace sorights_bench {

using namespace sorights;

/// The evaluation time every generated record uses.
inline constexpr Time kNow = 1'750'000'000;

struct ModelShape {
  std::size_t users = 1000;
  std::uint64_t seed = 42;
  bool custom_roles = false;  ///< add random custom roles and use them
};

inline std::string uid(std::size_t i) { return "u" + std::to_string(i); }

/// A model with `users` users: associates of every employee role in
/// ~users/500 groups (at least 8) of three of our companies, 5% external
/// users of 1000 customer companies in 500 projects, resources, retired
/// users, one anonymous and one system user, a cal licence, overrides.
inline Model make_model(const ModelShape& shape) {
  std::mt19937_64 rng(shape.seed);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  Model m = Model::with_defaults();
  m.our_companies = {{"acme", "Acme", true}, {"beta", "Beta", false}, {"gamma", "Gamma", false}};
  const std::size_t n_groups = std::max<std::size_t>(8, shape.users / 500);
  for (std::size_t g = 0; g < n_groups; ++g) m.groups.push_back({"g" + std::to_string(g), "Group"});
  Licence cal{.id = "sale-cal", .name = "Sale", .kind = LicenceKind::kUser, .unrestricted = true,
              .cal_for = {"sale"}};
  m.licences.push_back(cal);
  std::vector<std::string> employee_roles = {"level-0", "level-1", "level-2", "level-3", "level-4",
                                             "level-5", "list-admin", "user-admin", "local"};
  if (shape.custom_roles) {
    for (int r = 0; r < 6; ++r) {
      Role role;
      role.id = "custom-" + std::to_string(r);
      role.type = RoleType::kEmployee;
      for (std::string_view o : kBuiltinObjectNames)
        for (int rel = 0; rel < kRelationCount; ++rel)
          role.set_cell(o, static_cast<Relation>(rel), TableRights::from_bits(static_cast<std::uint32_t>(rng() & 15u)));
      if (rng() & 1u) role.functional_rights.emplace_back("see-other-companies-associates");
      if (rng() & 1u) role.functional_rights.emplace_back("admin-users");
      m.roles.push_back(role);
      employee_roles.push_back(role.id);
    }
    Role ext;
    ext.id = "custom-external";
    ext.type = RoleType::kExternal;
    for (std::string_view o : kBuiltinObjectNames)
      for (int rel = 0; rel < kRelationCount; ++rel)
        ext.set_cell(o, static_cast<Relation>(rel), TableRights::from_bits(static_cast<std::uint32_t>(rng() & 15u)));
    ext.functional_rights = {"ext-use-my-company-rights", "ext-need-publish-to-see-sale",
                             "ext-need-publish-to-see-document"};
    m.roles.push_back(ext);
    Role* anon = m.find_role("anonymous");
    for (std::string_view o : kBuiltinObjectNames)
      for (int rel = 0; rel < kRelationCount; ++rel)
        anon->set_cell(o, static_cast<Relation>(rel), TableRights::from_bits(static_cast<std::uint32_t>(rng() & 15u)));
  }
  m.users.reserve(shape.users);
  // Designated initializers are evaluated in order: the random draws stay in
  // field order.
  for (std::size_t i = 0; i < shape.users; ++i) {
    const std::size_t kind = pick(100);
    User u;
    if (i == 0 || kind < 85) {
      u = {.id = uid(i),
           .company = m.our_companies[pick(10) < 8 ? 0 : 1 + pick(2)].id,
           .role = employee_roles[pick(employee_roles.size())],
           .group = m.groups[pick(n_groups)].id,
           .retired = kind == 84};
      for (std::size_t k = pick(4); k > 0; --k) u.other_groups.push_back(m.groups[pick(n_groups)].id);
      if (pick(10) < 8) u.licences.push_back("sale-cal");
    } else if (kind < 93) {
      u = {.id = uid(i),
           .type = UserType::kExternal,
           .company = "cust" + std::to_string(pick(1000)),
           .role = shape.custom_roles && pick(2) ? "custom-external" : "external"};
      for (std::size_t k = pick(4); k > 0; --k) u.projects.push_back("p" + std::to_string(pick(500)));
    } else if (kind >= 98) {
      u = {.id = uid(i),
           .company = "acme",
           .role = employee_roles[pick(employee_roles.size())],
           .group = m.groups[pick(n_groups)].id,
           .can_log_in = pick(2) == 0};
    } else {
      u = {.id = uid(i), .type = kind < 96 ? UserType::kResource : UserType::kAnonymous,
           .role = kind < 96 ? "" : "anonymous"};
    }
    m.users.push_back(std::move(u));
  }
  m.users.push_back(User{.id = "system", .type = UserType::kSystem, .role = "system"});
  // Overrides: a system-wide one, a group one, user ones with record scope.
  m.overrides.push_back({.level = OverrideLevel::kSystem, .object = "dashboard", .remove = 8});
  m.overrides.push_back({.level = OverrideLevel::kGroup, .target = "g1", .object = "document",
                         .scope = OverrideScope::kExisting, .remove = 2});
  m.overrides.push_back({.level = OverrideLevel::kGroup, .target = "g2", .object = "sale",
                         .scope = OverrideScope::kNew, .remove = 4});
  for (std::size_t i = 0; i < std::min<std::size_t>(shape.users, 40); i += 3)
    m.overrides.push_back({.level = OverrideLevel::kUser, .target = uid(i), .object = "sale",
                           .scope = OverrideScope::kRecord, .record = std::to_string(1 + i % 7),
                           .remove = static_cast<std::uint8_t>(1 + i % 15)});
  return m;
}

/// Facts about a snapshot the generators use (who is in which group).
struct Census {
  std::vector<std::vector<std::uint32_t>> group_members;  // by primary group
  std::size_t groups = 0, companies = 0, projects = 0;
};

inline Census census(const Snapshot& s) {
  Census c;
  c.groups = s.group_count();
  c.group_members.resize(c.groups);
  for (std::uint32_t u = 0; u < s.user_count(); ++u) {
    const auto g = static_cast<std::uint32_t>(s.user_primary_group(UserIndex{u}));
    if (g < c.groups) c.group_members[g].push_back(u);
  }
  c.companies = detail::SnapshotAccess::company_count(s);
  c.projects = 500;
  return c;
}

/// `n` records of random objects, biased towards `user` so that every
/// relation, visibility kind, publish state and record flag occurs.
inline std::vector<Record> make_records(const Snapshot& s, const Census& c, UserIndex user, std::size_t n,
                                        std::uint64_t seed, ObjectIndex only_object = kUnknownObject) {
  std::mt19937_64 rng(seed);
  auto pick = [&](std::size_t k) { return static_cast<std::uint32_t>(rng() % k); };
  auto one_in = [&](std::size_t k) { return pick(k) == 0; };
  const auto ui = static_cast<std::uint32_t>(user);
  const auto users = detail::SnapshotAccess::users(s);
  const auto pool = detail::SnapshotAccess::group_pool(s);
  const std::uint32_t primary = static_cast<std::uint32_t>(s.user_primary_group(user));
  auto my_group = [&]() -> std::uint32_t {
    if (ui < users.size() && users[ui].groups_count() && pick(2))
      return users[ui].other_groups(pool)[pick(users[ui].groups_count())];
    return primary;
  };
  const auto n_users = static_cast<std::uint32_t>(s.user_count());
  std::vector<Record> out(n);
  for (Record& r : out) {
    r.object = only_object != kUnknownObject ? only_object
                                             : ObjectIndex{static_cast<std::uint16_t>(pick(kBuiltinObjectCount))};
    const std::uint32_t o = pick(100);
    if (o < 15) r.owner = user;
    else if (o < 25) r.owner = kNoUser;
    else if (o < 27) r.owner = UserIndex{n_users + pick(5)};  // unknown
    else if (o < 45 && primary < c.groups && !c.group_members[primary].empty())
      r.owner = UserIndex{c.group_members[primary][pick(c.group_members[primary].size())]};
    else r.owner = UserIndex{pick(n_users)};
    const std::uint32_t g = pick(100);
    r.group = g < 40 ? kNoGroup : g < 70 ? GroupIndex{my_group()} : GroupIndex{pick(static_cast<std::uint32_t>(c.groups))};
    const std::uint32_t v = pick(100);
    if (v < 20) r.visibility = Visibility::associate(pick(2) ? user : UserIndex{pick(n_users)});
    else if (v < 40) r.visibility = Visibility::group(pick(2) ? GroupIndex{my_group()} : GroupIndex{pick(static_cast<std::uint32_t>(c.groups))});
    else if (v < 42) r.visibility = Visibility::group(kNoGroup);
    const std::uint32_t co = pick(100);
    if (co < 30) r.company = CompanyIndex{pick(static_cast<std::uint32_t>(c.companies))};
    else if (co < 40) r.company = CompanyIndex{pick(3)};
    if (pick(2)) r.project = ProjectIndex{pick(static_cast<std::uint32_t>(std::max<std::size_t>(1, s.user_count() / 20)))};
    if (pick(4) == 0) r.id = 1 + pick(10);
    if (pick(3) == 0) {
      r.publish_from = kNow - 1000 + static_cast<Time>(pick(2000));
      r.publish_to = r.publish_from + static_cast<Time>(pick(2000));
    }
    r.at = kNow;
    r.published = !one_in(2);
    r.completed = one_in(3);
    r.is_new = one_in(20);
    r.user_person = one_in(10);
    r.our_company = one_in(20);
    r.database_owner = one_in(50);
  }
  return out;
}

/// Owning columns for `RecordColumns`.
struct Columns {
  std::vector<std::uint32_t> owner, group, visibility_id, project, company;
  std::vector<std::uint8_t> flags;
  std::vector<std::uint64_t> id;
  std::vector<Time> publish_from, publish_to;
  Time at = kNow;

  explicit Columns(const std::vector<Record>& records) {
    for (const Record& r : records) {
      owner.push_back(static_cast<std::uint32_t>(r.owner));
      group.push_back(static_cast<std::uint32_t>(r.group));
      visibility_id.push_back(r.visibility.id);
      project.push_back(static_cast<std::uint32_t>(r.project));
      company.push_back(static_cast<std::uint32_t>(r.company));
      id.push_back(r.id);
      publish_from.push_back(r.publish_from);
      publish_to.push_back(r.publish_to);
      flags.push_back(record_flags(r));
    }
  }
  /// All columns.
  [[nodiscard]] RecordColumns view() const {
    return RecordColumns{.size = owner.size(), .owner = owner, .group = group, .flags = flags,
                         .visibility_id = visibility_id, .project = project, .company = company,
                         .id = id, .publish_from = publish_from, .publish_to = publish_to, .at = at};
  }
};

/// The workload models are valid: compiles `m`, or aborts.
inline Snapshot compile_or_abort(const Model& m) {
  Result<Snapshot> s = compile(m);
  if (!s) std::abort();
  return std::move(s).value();
}

/// One `T` per model size, made by `make(t, users)` on first use and kept for
/// the process. Thread-safe (benchmarks run on several threads).
template <class T, class Make>
T& per_model_size(std::size_t users, Make make) {
  static std::mutex mu;
  static std::map<std::size_t, std::unique_ptr<T>> cache;
  std::lock_guard<std::mutex> lock(mu);
  std::unique_ptr<T>& slot = cache[users];
  if (!slot) {
    slot = std::make_unique<T>();
    make(*slot, users);
  }
  return *slot;
}

}  // namespace sorights_bench

#endif  // SORIGHTS_BENCH_WORKLOAD_HPP_
