// Fuzz target: snapshot files. Any bytes must decode to a model or give a
// clear error — the header is checked before deserializing, so no crash and no
// allocation larger than the input allows.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sorights/snapshot.hpp"
#include "sorights/storage/snapshot_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sorights;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Result<StoredModel> stored = decode_snapshot(bytes);
  if (!stored) {
    if (stored.error().message.empty()) __builtin_trap();
    return 0;
  }
  // A file that passes its checksum may still hold a model that breaks a
  // rule (a file written by hand); compiling reports that, it never crashes.
  (void)compile(stored->model);
  if (decode_snapshot(encode_snapshot(stored->model, stored->version))->model != stored->model)
    __builtin_trap();
  return 0;
}
