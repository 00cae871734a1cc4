// Helpers shared by the storage tests.
#ifndef SORIGHTS_TESTS_STORAGE_SUPPORT_HPP_
#define SORIGHTS_TESTS_STORAGE_SUPPORT_HPP_

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "sorights/directory.hpp"
#include "sorights/model.hpp"
#include "sorights/storage.hpp"

namespace storage_test {

// Where a TempDir goes: the system temp dir, or tmpfs (/dev/shm) when there
// is one, for tests about rollback rather than durability (no fsync cost).
enum class TempPlace { kTemp, kTmpfsIfAny };

// A fresh directory, removed at scope exit.
class TempDir {
 public:
  explicit TempDir(TempPlace place = TempPlace::kTemp) {
    std::error_code ec;
    const std::filesystem::path shm = "/dev/shm";
    const std::filesystem::path base = place == TempPlace::kTmpfsIfAny && std::filesystem::is_directory(shm, ec)
                                           ? shm
                                           : std::filesystem::temp_directory_path();
    std::random_device rd;
    path_ = base / ("sorights-storage-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_all(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// A small, valid model touching every kind of entity.
inline sorights::Model sample_model() {
  using namespace sorights;
  Model m = Model::with_defaults();
  m.our_companies = {{"acme", "Acme AS", true}, {"acme-se", "Acme AB", false}};
  m.groups = {{"sales", "Sales"}, {"support", "Support"}};
  Licence user{"user", "CRM user", LicenceKind::kUser, 10, false, {}, {}};
  Licence web{"web", "Web", LicenceKind::kUser, 10, false, {"user"}, {}};
  Licence cal{"sale-cal", "Sales", LicenceKind::kUser, 5, false, {"user"}, {"sale"}};
  Licence site{"quote", "Quotes", LicenceKind::kSite, 0, false, {}, {}};
  m.licences = {user, web, cal, site};
  m.plans = {{"premium", "Premium", {"user", "web", "sale-cal"}}};
  m.functional_rights = {{"acme-approve", "Approve", "quote"}};
  m.objects = {{"contract", "Contract", false, true, true}};
  Role rep = *m.find_role("level-3");
  rep.id = "rep";
  rep.name = "Sales rep";
  rep.description = "";
  rep.set_cell("sale", Relation::kPrimaryGroup, TableRight::kSelect | TableRight::kUpdate);
  rep.set_cell("contract", Relation::kOwn, TableRights::full());
  rep.functional_rights.push_back("acme-approve");
  m.roles.push_back(rep);
  Role partner = *m.find_role("external");
  partner.id = "partner";
  partner.name = "Partner";
  m.roles.push_back(partner);
  m.find_role("level-5")->set_cell("document", Relation::kOwn, TableRights::full());
  m.field_rights = {{"rep", "sale", "amount", Relation::kOtherGroups, FieldRights(FieldRight::kRead), false, true}};
  m.overrides = {{OverrideLevel::kSystem, "", "sale", OverrideScope::kExisting, "", "", 8},
                 {OverrideLevel::kGroup, "support", "company", OverrideScope::kAll, "", "name", 2},
                 {OverrideLevel::kUser, "alice", "contract", OverrideScope::kRecord, "C-1", "", 0}};
  User alice;
  alice.id = "alice";
  alice.name = "Alice";
  alice.company = "acme";
  alice.role = "rep";
  alice.group = "sales";
  alice.other_groups = {"support"};
  alice.plan = "premium";
  User bob = alice;
  bob.id = "bob";
  bob.name = "Bob";
  bob.plan = "";
  bob.licences = {"user"};
  bob.other_groups = {};
  bob.person = "p-bob";
  bob.former_employee = true;
  User carl;
  carl.id = "carl";
  carl.type = UserType::kExternal;
  carl.company = "customer-1";
  carl.role = "partner";
  carl.projects = {"p-1", "p-2"};
  carl.can_log_in = false;
  User anon;
  anon.id = "web";
  anon.type = UserType::kAnonymous;
  anon.role = "anonymous";
  User sys;
  sys.id = "integration";
  sys.type = UserType::kSystem;
  User room;
  room.id = "room";
  room.type = UserType::kResource;
  room.company = "acme";
  room.retired = true;
  m.users = {alice, bob, carl, anon, sys, room};
  return m;
}

}  // namespace storage_test

#endif  // SORIGHTS_TESTS_STORAGE_SUPPORT_HPP_
