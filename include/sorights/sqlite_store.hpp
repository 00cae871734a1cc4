// Forwarding header of the old flat layout: sqlite_store.hpp moved to
// sorights/storage/sqlite_store.hpp (with the sorights::storage library). Include that
// instead; this file goes away in the next release (docs/hacking.md).
#include "sorights/storage/sqlite_store.hpp"  // IWYU pragma: export
