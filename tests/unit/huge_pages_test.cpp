// detail::advise_huge_pages, the hint the large buffers of an import or a big
// commit take: it marks the 2 MiB aligned part of a buffer and nothing around
// it, leaves small buffers alone, and is harmless anywhere.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sorights/detail/huge_pages.hpp"
#include "support/catch.hpp"

#if defined(__linux__)
#  include <sys/mman.h>
#endif

using sorights::detail::advise_huge_pages;
using sorights::detail::kHugePageBytes;

namespace {

#if defined(__linux__) && defined(MADV_HUGEPAGE)
constexpr std::uintptr_t kHuge = kHugePageBytes;

// The VmFlags of the mapping that holds `address` (from /proc/self/smaps);
// empty if no mapping holds it.
std::string vm_flags_at(std::uintptr_t address) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    const std::size_t dash = line.find('-');
    const std::size_t space = line.find(' ');
    if (dash != std::string::npos && space != std::string::npos && dash < space &&
        line.find_first_not_of("0123456789abcdef") == dash) {
      const std::uintptr_t lo = std::stoull(line.substr(0, dash), nullptr, 16);
      const std::uintptr_t hi = std::stoull(line.substr(dash + 1, space - dash - 1), nullptr, 16);
      inside = lo <= address && address < hi;
      continue;
    }
    if (inside && line.starts_with("VmFlags:")) return line;
  }
  return {};
}

bool marked_huge(std::uintptr_t address) {
  std::istringstream flags(vm_flags_at(address));
  std::string flag;
  while (flags >> flag)
    if (flag == "hg") return true;
  return false;
}

// Untouched address space: at least 10 huge pages from `base`, which is aligned.
struct Region {
  Region() {
    void* p = ::mmap(nullptr, 12 * kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    raw = reinterpret_cast<std::uintptr_t>(p);
    base = (raw + kHuge - 1) & ~(kHuge - 1);
  }
  ~Region() {
    if (raw != 0) ::munmap(reinterpret_cast<void*>(raw), 12 * kHuge);
  }
  std::uintptr_t raw = 0;
  std::uintptr_t base = 0;
};
#endif

}  // namespace

TEST_CASE("huge page advice marks the aligned middle of a large buffer and nothing around it", "[huge_pages]") {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled").fail()) return;  // no THP in this kernel
  Region r;
  REQUIRE(r.base != 0);
  // A buffer from 1 byte past an aligned boundary to 3 MiB past the next
  // but one: the 2 MiB page in between is the only whole one.
  const std::uintptr_t begin = r.base + 1;
  const std::uintptr_t end = r.base + 2 * kHuge + kHuge / 2;
  CHECK_FALSE(marked_huge(r.base + kHuge));
  advise_huge_pages(reinterpret_cast<const void*>(begin), end - begin);
  CHECK(marked_huge(r.base + kHuge));
  CHECK(marked_huge(r.base + 2 * kHuge - 1));
  CHECK_FALSE(marked_huge(r.base));              // the partial page before
  CHECK_FALSE(marked_huge(r.base + 2 * kHuge));  // the partial page after
#endif
}

TEST_CASE("huge page advice leaves a buffer under 2 MiB alone, even one that spans a boundary", "[huge_pages]") {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled").fail()) return;
  Region r;
  REQUIRE(r.base != 0);
  advise_huge_pages(reinterpret_cast<const void*>(r.base + kHuge / 2), kHuge + kHuge / 4);  // 2.5 MiB: no whole page
  advise_huge_pages(reinterpret_cast<const void*>(r.base + 3 * kHuge), kHuge - 1);        // aligned, one byte short
  for (std::uintptr_t at = r.base; at < r.base + 4 * kHuge; at += kHuge / 2) CHECK_FALSE(marked_huge(at));
#endif
}

TEST_CASE("huge page advice on a vector keeps its contents and accepts an empty one", "[huge_pages]") {
  std::vector<std::uint64_t> values(1 << 20);  // 8 MiB
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = i * 7;
  advise_huge_pages(values);
  bool same = true;
  for (std::size_t i = 0; i < values.size(); ++i) same = same && values[i] == i * 7;
  CHECK(same);
  std::vector<int> none;
  advise_huge_pages(none);
  advise_huge_pages(nullptr, 0);
  CHECK(none.empty());
}

TEST_CASE("the huge page allocator gives large blocks whole aligned pages and small ones plain memory",
          "[huge_pages]") {
  using sorights::detail::HugePageAllocator;
  HugePageAllocator<std::uint64_t> alloc;
  const std::size_t large = kHugePageBytes / 2 / sizeof(std::uint64_t);  // 1 MiB: rounded up to a page
  std::uint64_t* big = alloc.allocate(large);
  CHECK(reinterpret_cast<std::uintptr_t>(big) % kHugePageBytes == 0);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (!std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled").fail())
    CHECK(marked_huge(reinterpret_cast<std::uintptr_t>(big)));
#endif
  for (std::size_t i = 0; i < large; ++i) big[i] = i;
  CHECK(big[large - 1] == large - 1);
  alloc.deallocate(big, large);

  std::uint64_t* small = alloc.allocate(16);
  small[15] = 7;
  CHECK(small[15] == 7);
  alloc.deallocate(small, 16);

  // In a vector that grows through both kinds of block.
  std::vector<std::uint64_t, HugePageAllocator<std::uint64_t>> v;
  for (std::size_t i = 0; i < 3 * large; ++i) v.push_back(i * 3);
  bool same = true;
  for (std::size_t i = 0; i < v.size(); ++i) same = same && v[i] == i * 3;
  CHECK(same);
}
