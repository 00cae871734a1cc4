// -----------------------------------------------------------------------------
// File: tests/reference/random_facts.hpp
// -----------------------------------------------------------------------------
// The six facts of a random host `Record` (published, completed, ...), each
// drawn with odds of its own, for the generators of index-level records in
// tests/unit/fast_path_test.cpp and tests/perf/can_batch_test.cpp.
#ifndef SORIGHTS_TESTS_REFERENCE_RANDOM_FACTS_HPP_
#define SORIGHTS_TESTS_REFERENCE_RANDOM_FACTS_HPP_

#include <cstdint>

#include "sorights/record.hpp"

namespace sorights_random {

/// A fact is set with odds of one in n.
struct FactOdds {
  std::uint32_t published, completed, is_new, user_person, our_company, database_owner;
};

/// Sets the six facts of `r` from `rng` (a std::mt19937_64), drawn in `RecordFacts` order.
template <class Rng>
void random_facts(Rng& rng, const FactOdds& one_in, sorights::Record& r) {
  auto draw = [&rng](std::uint32_t n) { return rng() % n == 0; };
  const sorights::RecordFacts facts{.published = draw(one_in.published), .completed = draw(one_in.completed),
                                    .is_new = draw(one_in.is_new), .user_person = draw(one_in.user_person),
                                    .our_company = draw(one_in.our_company),
                                    .database_owner = draw(one_in.database_owner)};
  sorights::detail::copy_record_facts(facts, r);
}

}  // namespace sorights_random

#endif  // SORIGHTS_TESTS_REFERENCE_RANDOM_FACTS_HPP_
