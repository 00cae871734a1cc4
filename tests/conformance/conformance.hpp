// The Catch2 driver of the storage conformance checks
// (sorights/testing/storage_conformance.hpp): one section per check, for each
// adapter type of a TEMPLATE_TEST_CASE. An adapter type gives
//   static sorights::testing::ConformanceStore make();        a fresh store
//   static std::string_view deviation(std::string_view check); why it fails a
//                                                               check, or empty
// A known deviation still runs: it warns while the adapter fails the check and
// fails the test once the adapter passes it (so the mark gets removed).
#ifndef SORIGHTS_TESTS_CONFORMANCE_CONFORMANCE_HPP_
#define SORIGHTS_TESTS_CONFORMANCE_CONFORMANCE_HPP_

#include <string>
#include <string_view>

#include "sorights/testing/storage_conformance.hpp"
#include "support/catch.hpp"

namespace conformance {

template <class Adapter>
void run_all_checks() {
  for (const sorights::testing::ConformanceCheck& check : sorights::testing::storage_conformance_checks()) {
    DYNAMIC_SECTION(check.name) {
      INFO(check.promise);
      const sorights::testing::CheckOutcome outcome = sorights::testing::run_check(check, &Adapter::make);
      std::string found;
      for (const std::string& f : outcome.failures) found += "\n  " + f;
      const std::string_view deviation = Adapter::deviation(check.name);
      if (outcome.skipped) {
        WARN(std::string(check.name) + " skipped: " + outcome.skip_reason);
      } else if (!deviation.empty()) {
        if (outcome.passed()) FAIL(std::string(check.name) + " passes now: remove its known deviation");
        WARN(std::string("known deviation (") + std::string(deviation) + "):" + found);
      } else {
        INFO(found);
        CHECK(outcome.failures.empty());
      }
    }
  }
}

}  // namespace conformance

#endif  // SORIGHTS_TESTS_CONFORMANCE_CONFORMANCE_HPP_
