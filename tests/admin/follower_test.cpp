// The core's followers (sorights/follower.hpp): a directory kept current by a
// ChangeFeed on any adapter, and freshness tokens, without a database.
#include <chrono>
#include <memory>

#include "fixture.hpp"
#include "sorights/follower.hpp"

using namespace admin_test;
using namespace std::chrono_literals;

namespace {

/// One in-memory store seen by several directories (as processes share a
/// database); announces nothing, like a plain file store.
class SharedStorage final : public StorageAdapter {
 public:
  explicit SharedStorage(std::shared_ptr<InMemoryStorage> inner) : inner_(std::move(inner)) {}
  Result<StoredModel> load() override { return inner_->load(); }
  Result<void> apply(const ChangeSet& c) override { return inner_->apply(c); }
  Result<std::uint64_t> version() override { return inner_->version(); }
  Result<void> append_audit(const AuditEntry& e) override { return inner_->append_audit(e); }
  Result<std::vector<AuditEntry>> audit(const AuditQuery& q) override { return inner_->audit(q); }

 private:
  std::shared_ptr<InMemoryStorage> inner_;
};

struct TwoServers {
  std::shared_ptr<InMemoryStorage> store = std::make_shared<InMemoryStorage>(StoredModel{base_model(), 1});
  std::shared_ptr<Directory> a = Directory::open(std::make_shared<SharedStorage>(store)).value();
  std::shared_ptr<Directory> b = Directory::open(std::make_shared<SharedStorage>(store)).value();

  std::uint64_t commit_on_a() {
    auto tx = a->begin("ua");
    REQUIRE(tx);
    REQUIRE(tx->set_user_groups("bob", "support", {}));
    auto done = tx->commit();
    REQUIRE(done);
    return done->version;
  }
};

}  // namespace

TEST_CASE("follower: a version poller feeds a follower on an adapter that announces nothing",
          "[admin][follower]") {
  TwoServers s;
  auto feed = VersionPoller::start(s.b->storage(), 5ms);
  auto follower = DirectoryFollower::start(*s.b, feed);
  REQUIRE(follower);
  const std::uint64_t token = s.commit_on_a();
  auto snap = (*follower)->snapshot_at_least(token, 5s);
  REQUIRE(snap);
  CHECK((*snap)->version() >= token);
  CHECK(s.b->model()->find_user("bob")->group == "support");
  CHECK((*follower)->announced() >= token);
  CHECK((*follower)->republished() >= 1);
  CHECK(&(*follower)->feed() == feed.get());
}

TEST_CASE("follower: a token never reached times out naming it", "[admin][follower]") {
  TwoServers s;
  auto follower = DirectoryFollower::start(*s.b, VersionPoller::start(s.b->storage(), 5ms));
  REQUIRE(follower);
  auto late = (*follower)->snapshot_at_least(99, 50ms);
  REQUIRE_FALSE(late);
  CHECK(late.error().code == ErrorCode::kUnavailable);
  CHECK(late.error().message.find("no snapshot at version 99") != std::string::npos);
  CHECK_FALSE((*follower)->wait_for(99, 10ms));
}

TEST_CASE("follower: snapshot_at_least refreshes a directory without a feed", "[admin][follower]") {
  TwoServers s;
  const std::uint64_t token = s.commit_on_a();
  auto snap = snapshot_at_least(*s.b, token, 1s);
  REQUIRE(snap);
  CHECK((*snap)->version() == token);
  auto late = snapshot_at_least(*s.b, token + 10, 20ms);
  REQUIRE_FALSE(late);
  CHECK(late.error().code == ErrorCode::kUnavailable);
}

TEST_CASE("follower: a follower needs a feed", "[admin][follower]") {
  TwoServers s;
  auto none = DirectoryFollower::start(*s.b, nullptr);
  REQUIRE_FALSE(none);
  CHECK(none.error().code == ErrorCode::kInvalidArgument);
}
