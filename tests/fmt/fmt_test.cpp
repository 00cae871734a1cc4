// fmt::formatter specializations (sorights/fmt.hpp): fmt::format gives the
// operator<< text, and the string format spec applies.
#include <cstdio>
#include <sstream>
#include <string>

#include "sorights/fmt.hpp"
#include "sorights/sorights.hpp"
#include "support/streamed.hpp"

namespace {

int failures = 0;

void expect(const std::string& got, const std::string& want, const char* what) {
  if (got != want) {
    std::printf("FAIL %s: got \"%s\", want \"%s\"\n", what, got.c_str(), want.c_str());
    ++failures;
  }
}

}  // namespace

int main() {
  using namespace sorights;
  const TableRights ru = TableRights::from_bits(3);
  expect(fmt::format("{}", ru), "Select|Update", "TableRights");
  expect(fmt::format("[{:>15}]", ru), "[  Select|Update]", "TableRights with a width");
  expect(fmt::format("{}", FieldRights{}), streamed(FieldRights{}), "FieldRights");
  expect(fmt::format("{} {}", Action::kDelete, Relation::kPrimaryGroup),
         streamed(Action::kDelete) + " " + streamed(Relation::kPrimaryGroup), "Action, Relation");
  expect(fmt::format("{}/{}", UserType::kAssociate, RoleType::kExternal),
         streamed(UserType::kAssociate) + "/" + streamed(RoleType::kExternal), "UserType, RoleType");
  expect(fmt::format("{}", ErrorCode::kConflict), "conflict", "ErrorCode");
  Error e(ErrorCode::kNotFound, "no such user");
  e.diagnostics.push_back(Diagnostic{.collection = "users", .item = "zed", .rule = "unknown"});
  expect(fmt::format("{}", e), e.to_string(), "Error");
  expect(fmt::format("{}", e.diagnostics[0]), e.diagnostics[0].to_string(), "Diagnostic");
  Explanation x;
  x.outcome = Outcome::kNoSuchUser;
  expect(fmt::format("{}", x), "deny read: no-such-user", "Explanation");
  expect(fmt::format("{}", Outcome::kSystemUser), "system-user", "Outcome");
  if (failures == 0) std::printf("fmt formatters: all match\n");
  return failures == 0 ? 0 : 1;
}
