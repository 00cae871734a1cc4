// Fuzz target: model files (JSON). Any input must give a model or an error
// naming the problem — never a crash, a hang or a huge allocation. A model
// that parses must compile, export, and parse back to itself.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sorights/storage/model_file.hpp"
#include "sorights/snapshot.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sorights;
  static const Model base = Model::with_defaults();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (ImportMode mode : {ImportMode::kMerge, ImportMode::kReplace}) {
    Result<Model> model = parse_model_file(text, base, {.mode = mode, .file_name = "fuzz.json"});
    if (!model) {
      if (model.error().message.empty()) __builtin_trap();
      continue;
    }
    if (!compile(*model)) __builtin_trap();  // parse validated the whole model
    Result<Model> again = parse_model_file(export_model_file(*model), base, {.mode = ImportMode::kReplace});
    if (!again || !(*again == *model)) __builtin_trap();  // export round-trips
  }
  return 0;
}
