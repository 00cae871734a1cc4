// Forwarding header of the old flat layout: snapshot_file.hpp moved to
// sorights/storage/snapshot_file.hpp (with the sorights::storage library). Include that
// instead; this file goes away in the next release (docs/hacking.md).
#include "sorights/storage/snapshot_file.hpp"  // IWYU pragma: export
