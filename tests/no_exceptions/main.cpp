// Builds the whole public core with -fno-exceptions and runs it end to end:
// a directory over in-memory storage takes a commit, refuses a bad one with
// an error, and its snapshot decides. The library must need no exception
// support.
#include <cstdio>
#include <memory>
#include <string>

#include "sorights/sorights.hpp"

namespace {

int failed = 0;
int passed = 0;

void expect(bool ok, const char* what) {
  if (ok) {
    ++passed;
    return;
  }
  ++failed;
  std::fprintf(stderr, "FAILED: %s\n", what);
}

sorights::User associate(const char* id, const char* group) {
  sorights::User u;
  u.id = id;
  u.company = "acme";
  u.role = "level-3";
  u.group = group;
  return u;
}

}  // namespace

int main() {
  using namespace sorights;
  auto dir = Directory::open(std::make_shared<InMemoryStorage>());
  if (!dir) {
    std::fprintf(stderr, "%s\n", dir.error().to_string().c_str());
    return 1;
  }
  {
    auto tx = (*dir)->begin();
    expect(tx && tx->put_our_company({"acme", "Acme", true}) && tx->put_group({"sales", "Sales"}) &&
               tx->put_user(associate("alice", "sales")) && tx->commit(),
           "a valid change set commits");
  }
  {
    auto tx = (*dir)->begin();
    const bool staged = tx && tx->put_user(associate("bob", "salse"));
    auto refused = staged ? tx->commit() : Result<CommitInfo>(Error(ErrorCode::kInternal, "not staged"));
    expect(staged && !refused && refused.error().message.find("salse") != std::string::npos,
           "a user in an unknown group is refused, the error naming the group");
  }
  const std::shared_ptr<const Snapshot> s = (*dir)->snapshot();
  const UserIndex alice = s->find_user("alice");
  Record sale;
  sale.object = s->find_object("sale");
  sale.owner = alice;
  expect(s->user_count() == 1, "the refused user is not in the snapshot");
  expect(s->can(alice, Action::kDelete, sale), "alice may delete her own sale");
  expect(!s->can(s->find_user("nobody"), Action::kRead, sale), "an unknown user is denied");
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
