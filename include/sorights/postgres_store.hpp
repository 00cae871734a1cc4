// Forwarding header of the old flat layout: postgres_store.hpp moved to
// sorights/postgres/postgres_store.hpp (with the sorights::postgres library). Include that
// instead; this file goes away in the next release (docs/hacking.md).
#include "sorights/postgres/postgres_store.hpp"  // IWYU pragma: export
