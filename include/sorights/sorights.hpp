// -----------------------------------------------------------------------------
// File: sorights.hpp
// -----------------------------------------------------------------------------
// The umbrella header: every public sorights header, nothing else (no
// third-party or detail headers beyond what those include).
#ifndef SORIGHTS_SORIGHTS_HPP_
#define SORIGHTS_SORIGHTS_HPP_

#include "sorights/config.hpp"
#include "sorights/directory.hpp"
#include "sorights/error.hpp"
#include "sorights/explain.hpp"
#include "sorights/filter.hpp"
#include "sorights/follower.hpp"
#include "sorights/functional_right.hpp"
#include "sorights/ids.hpp"
#include "sorights/model.hpp"
#include "sorights/ostream.hpp"
#include "sorights/predicate.hpp"
#include "sorights/queries.hpp"
#include "sorights/record.hpp"
#include "sorights/report.hpp"
#include "sorights/rights.hpp"
#include "sorights/snapshot.hpp"
#include "sorights/storage.hpp"
#include "sorights/types.hpp"

#endif  // SORIGHTS_SORIGHTS_HPP_
