// Exception neutrality of the compiled library (this binary links
// sorights::sorights, not the header-only build): host code that throws — a
// storage adapter, the directory clock, an edit_user callback — becomes
// kInternal with the exception's message, every lock is released, and the
// directory and the store are as they were.
#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "fixture.hpp"

namespace {

using namespace sorights;
using admin_test::associate;
using admin_test::base_model;

enum class Throw { kNothing, kLoad, kApply, kVersion, kAppendAudit, kAudit, kSubscribe, kLend };

// An in-memory store whose chosen entry point throws.
class ThrowingStorage : public StorageAdapter {
 public:
  explicit ThrowingStorage(StoredModel initial) : inner_(std::move(initial)) {}
  Throw at = Throw::kNothing;

  Result<StoredModel> load() override {
    if (at == Throw::kLoad) throw std::runtime_error("host load failed");
    return inner_.load();
  }
  Result<void> apply(const ChangeSet& changes) override {
    if (at == Throw::kApply) throw std::runtime_error("host apply failed");
    return inner_.apply(changes);
  }
  Result<std::uint64_t> version() override {
    if (at == Throw::kVersion) throw std::runtime_error("host version failed");
    return inner_.version();
  }
  Result<void> append_audit(const AuditEntry& entry) override {
    if (at == Throw::kAppendAudit) throw std::runtime_error("host append_audit failed");
    return inner_.append_audit(entry);
  }
  Result<std::vector<AuditEntry>> audit(const AuditQuery& query) override {
    if (at == Throw::kAudit) throw 42;  // not even a std::exception
    return inner_.audit(query);
  }
  void subscribe(std::function<void(std::uint64_t)> on_change) override {
    if (at == Throw::kSubscribe) throw std::runtime_error("host subscribe failed");
    inner_.subscribe(std::move(on_change));
  }
  Result<void> lend(const Publish& publish) override {
    if (at == Throw::kLend) throw std::runtime_error("host lend failed");
    return StorageAdapter::lend(publish);  // load(), then publish
  }

 private:
  InMemoryStorage inner_;
};

// The lock is free: another thread can commit (a held commit mutex would
// hang here, and ctest's timeout would report it).
void commits_from_another_thread(const std::shared_ptr<Directory>& dir, const std::string& user) {
  std::atomic<bool> ok{false};
  std::thread t([&] {
    auto tx = dir->begin("root");
    if (!tx || !tx->edit_user(user, [](User& u) { u.name = "Renamed"; })) return;
    ok = static_cast<bool>(tx->commit());
  });
  t.join();
  CHECK(ok);
}

}  // namespace

TEST_CASE("exception neutrality: a throwing adapter apply is kInternal with its message, nothing changed",
          "[admin][exceptions]") {
  auto storage = std::make_shared<ThrowingStorage>(StoredModel{base_model(), 1});
  auto dir = Directory::open(storage).value();
  auto tx = dir->begin("root").value();
  REQUIRE(tx.set_user_role("bob", "level-2"));
  storage->at = Throw::kApply;
  auto done = tx.commit();
  REQUIRE_FALSE(done);
  CHECK(done.error().code == ErrorCode::kInternal);
  CHECK(done.error().message.find("host apply failed") != std::string::npos);
  CHECK(dir->version() == 1);
  CHECK(dir->model()->find_user("bob")->role == "level-3");
  storage->at = Throw::kNothing;
  CHECK(storage->load()->version == 1);
  REQUIRE(tx.commit());  // the staged edit was kept: the retry commits
  CHECK(dir->model()->find_user("bob")->role == "level-2");
  commits_from_another_thread(dir, "carl");
}

TEST_CASE("exception neutrality: throwing audit calls and subscribe are errors, not escapes",
          "[admin][exceptions]") {
  auto storage = std::make_shared<ThrowingStorage>(StoredModel{base_model(), 1});
  auto dir = Directory::open(storage).value();
  storage->at = Throw::kAudit;
  auto trail = dir->audit();
  REQUIRE_FALSE(trail);
  CHECK(trail.error().code == ErrorCode::kInternal);
  CHECK_FALSE(dir->deleted_roles());
  // A refusal whose audit append throws is still a refusal.
  storage->at = Throw::kAppendAudit;
  auto tx = dir->begin("rep").value();
  REQUIRE(tx.set_user_role("bob", "level-0"));
  auto refused = tx.commit();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::kPermissionDenied);
  CHECK(dir->version() == 1);
  storage->at = Throw::kNothing;
  commits_from_another_thread(dir, "carl");

  auto other = std::make_shared<ThrowingStorage>(StoredModel{base_model(), 1});
  other->at = Throw::kSubscribe;
  auto opened = Directory::open(other);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().message.find("host subscribe failed") != std::string::npos);
  other->at = Throw::kLend;
  opened = Directory::open(other);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code == ErrorCode::kInternal);
}

TEST_CASE("exception neutrality: a throwing reload after a conflict leaves the published state",
          "[admin][exceptions]") {
  auto storage = std::make_shared<ThrowingStorage>(StoredModel{base_model(), 1});
  auto d1 = Directory::open(storage).value();
  auto d2 = Directory::open(storage).value();
  auto t1 = d1->begin("root").value();
  REQUIRE(t1.set_user_role("bob", "level-2"));
  REQUIRE(t1.commit());
  auto t2 = d2->begin("root").value();
  REQUIRE(t2.set_user_role("carl", "level-2"));
  storage->at = Throw::kLoad;  // d2's rebase reload throws
  auto done = t2.commit();
  REQUIRE_FALSE(done);
  CHECK(done.error().code == ErrorCode::kInternal);
  CHECK(d2->version() == 1);
  storage->at = Throw::kNothing;
  REQUIRE(t2.commit());  // rebased now
  CHECK(d2->version() == 3);
  CHECK(d2->model()->find_user("bob")->role == "level-2");
}

TEST_CASE("exception neutrality: a throwing clock or edit callback is kInternal, the staged edits intact",
          "[admin][exceptions]") {
  auto storage = std::make_shared<InMemoryStorage>(StoredModel{base_model(), 1});
  bool fail_clock = false;
  DirectoryOptions options;
  options.clock = [&]() -> Time {
    if (fail_clock) throw std::runtime_error("clock broke");
    return 1'700'000'000;
  };
  auto dir = Directory::open(storage, options).value();
  auto tx = dir->begin("root").value();
  auto edited = tx.edit_user("bob", [](User& u) {
    u.name = "half";
    throw std::runtime_error("callback gave up");
  });
  REQUIRE_FALSE(edited);
  CHECK(edited.error().code == ErrorCode::kInternal);
  CHECK(edited.error().message.find("callback gave up") != std::string::npos);
  CHECK_FALSE(tx.has_changes());
  REQUIRE(tx.set_user_role("bob", "level-2"));
  fail_clock = true;
  auto done = tx.commit();
  REQUIRE_FALSE(done);
  CHECK(done.error().message.find("clock broke") != std::string::npos);
  CHECK(dir->version() == 1);
  fail_clock = false;
  REQUIRE(tx.commit());
  CHECK(dir->model()->find_user("bob")->role == "level-2");
}
