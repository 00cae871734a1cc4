// -----------------------------------------------------------------------------
// File: detail/huge_pages.hpp
// -----------------------------------------------------------------------------
// `detail::advise_huge_pages`: asks the kernel to back a large buffer that is
// about to be filled with transparent huge pages; `detail::HugePageAllocator`
// makes such buffers whole huge pages. No API promise.
#ifndef SORIGHTS_DETAIL_HUGE_PAGES_HPP_
#define SORIGHTS_DETAIL_HUGE_PAGES_HPP_

#include <cstddef>
#include <new>

#include "sorights/config.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

// For the buffers a large commit or import fills once, front to back (a
// change list, its values, the id tables): at a million entities they are
// hundreds of megabytes of fresh memory, and with 4 KiB pages each page costs
// a fault on first touch and every random probe a TLB miss. Advises the 2 MiB
// aligned part of [p, p + bytes) as MADV_HUGEPAGE, which matters where the
// system's THP mode is "madvise" (Debian's default). Only for memory the
// caller fills whole (a huge page is resident in full once touched); a hint,
// so a failure or another platform changes nothing but speed. Cost: one
// system call, and none for buffers under 2 MiB.
// (Defined in huge_pages-inl.hpp: with the compiled library, a host that
// includes sorights does not get <sys/mman.h>'s macros.)
SORIGHTS_API void advise_huge_pages(const void* p, std::size_t bytes) noexcept;

// The reserved storage of a vector (or any contiguous container), whole.
template <class V>
void advise_huge_pages(const V& v) noexcept {
  advise_huge_pages(v.data(), v.capacity() * sizeof(typename V::value_type));
}

// Blocks of half a huge page or more are whole huge pages (the size rounded
// up, the start aligned) and advised; smaller blocks are plain `new`. For
// buffers sized once and filled whole: a huge page is resident in full as
// soon as any byte of it is touched.
template <class T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() noexcept = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>& /*other*/) noexcept {}  // NOLINT(google-explicit-constructor)

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (!huge(bytes)) return static_cast<T*>(::operator new(bytes));
    void* p = ::operator new(rounded(bytes), std::align_val_t{kHugePageBytes});
    advise_huge_pages(p, rounded(bytes));
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    const std::size_t bytes = n * sizeof(T);
    if (!huge(bytes)) return ::operator delete(p);
    ::operator delete(p, std::align_val_t{kHugePageBytes});
  }
  friend bool operator==(const HugePageAllocator&, const HugePageAllocator&) noexcept { return true; }

 private:
  static constexpr bool huge(std::size_t bytes) noexcept { return bytes >= kHugePageBytes / 2; }
  static constexpr std::size_t rounded(std::size_t bytes) noexcept {
    return (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  }
};

}  // namespace detail

SORIGHTS_END_NAMESPACE

#ifdef SORIGHTS_HEADER_ONLY
#  include "sorights/detail/huge_pages-inl.hpp"
#endif

#endif  // SORIGHTS_DETAIL_HUGE_PAGES_HPP_
