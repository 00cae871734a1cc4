// The storage contract (docs/storage-adapters.md) checked on the adapters
// sorights ships in process: InMemoryStorage and SqliteStore, unsigned and
// signed (with an integrity key every commit and refusal keeps the seal, so a
// second adapter with the key still loads the store).
#include <memory>
#include <string>
#include <string_view>

#include "conformance.hpp"
#include "sorights/storage/sqlite_store.hpp"
#include "sorights/storage.hpp"
#include "storage/support.hpp"

using sorights::testing::ConformanceStore;

namespace {

struct InMemory {
  static ConformanceStore make() { return {std::make_shared<sorights::InMemoryStorage>(), {}}; }
  static std::string_view deviation(std::string_view) { return {}; }
};

template <bool kSigned>
struct Sqlite {
  static std::shared_ptr<sorights::StorageAdapter> open(const std::string& path, bool create) {
    sorights::SqliteStoreOptions options;
    options.create = create;
    if (kSigned) options.integrity_key = "conformance-test-key-0123456789";
    auto store = sorights::SqliteStore::open(path, std::move(options));
    if (!store) FAIL(store.error().to_string());
    return std::shared_ptr<sorights::StorageAdapter>(std::move(*store));
  }
  static ConformanceStore make() {
    static storage_test::TempDir dir(storage_test::TempPlace::kTmpfsIfAny);
    static int n = 0;
    const std::string path = dir.file("store-" + std::to_string(++n) + ".db");
    return {open(path, true), [path] { return open(path, false); }};
  }
  static std::string_view deviation(std::string_view) { return {}; }
};

}  // namespace

TEMPLATE_TEST_CASE("conformance: the adapter keeps the storage contract", "[storage][conformance]", InMemory,
                   Sqlite<false>, Sqlite<true>) {
  conformance::run_all_checks<TestType>();
}
