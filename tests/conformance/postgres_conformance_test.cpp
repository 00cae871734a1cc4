// The storage contract (docs/storage-adapters.md) checked on PostgresStore,
// each store in a schema of its own on the throwaway cluster of the postgres
// suite.
#include <memory>
#include <string>
#include <string_view>

#include "conformance.hpp"
#include "postgres/pg_test_support.hpp"
#include "sorights/postgres_store.hpp"

using sorights::testing::ConformanceStore;

namespace {

struct Postgres {
  static std::shared_ptr<sorights::StorageAdapter> open(const std::string& schema) {
    auto store = sorights::PostgresStore::open(pgt::conninfo(), pgt::store_options(schema));
    if (!store) FAIL(store.error().to_string());
    return std::shared_ptr<sorights::StorageAdapter>(std::move(*store));
  }
  static ConformanceStore make() {
    const std::string schema = pgt::unique_schema("conform");
    return {open(schema), [schema] { return open(schema); }};
  }
  static std::string_view deviation(std::string_view) { return {}; }
};

}  // namespace

TEMPLATE_TEST_CASE("conformance: the adapter keeps the storage contract", "[postgres][conformance]", Postgres) {
  conformance::run_all_checks<TestType>();
}
