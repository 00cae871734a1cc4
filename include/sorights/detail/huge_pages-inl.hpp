// -----------------------------------------------------------------------------
// File: detail/huge_pages-inl.hpp
// -----------------------------------------------------------------------------
// Out-of-line definition for detail/huge_pages.hpp: the one place that
// includes <sys/mman.h>. No API promise.
#ifndef SORIGHTS_DETAIL_HUGE_PAGES_INL_HPP_
#define SORIGHTS_DETAIL_HUGE_PAGES_INL_HPP_

#include <cstdint>

#if defined(__linux__)
#  include <sys/mman.h>
#endif

#include "sorights/detail/huge_pages.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

SORIGHTS_INLINE void advise_huge_pages([[maybe_unused]] const void* p, [[maybe_unused]] std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t kHuge = kHugePageBytes;
  if (bytes < kHuge) return;
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t begin = (at + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t end = (at + bytes) & ~(kHuge - 1);
  if (end > begin) (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#endif
}

}  // namespace detail

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_DETAIL_HUGE_PAGES_INL_HPP_
