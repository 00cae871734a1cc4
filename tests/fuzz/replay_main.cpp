// Replays fuzz inputs without libFuzzer: every file named on the command line,
// or every file in a named directory, goes through LLVMFuzzerTestOneInput once.
// The seed corpus and every input a fuzzer ever found run this way in the
// ordinary test suite (with any compiler), so a finding stays fixed.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

static int run_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return 1;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  return 0;
}

int main(int argc, char** argv) {
  int runs = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path p(argv[i]);
    if (std::filesystem::is_directory(p)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(p))
        if (entry.is_regular_file()) {
          if (run_file(entry.path()) != 0) return 1;
          ++runs;
        }
    } else {
      if (run_file(p) != 0) return 1;
      ++runs;
    }
  }
  std::printf("%d passed, 0 failed\n", runs);
  return runs > 0 ? 0 : 1;
}
