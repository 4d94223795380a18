#pragma once
// Transparent huge pages for large arrays read at random places (the world's VM slots: 56 MB at
// 10^6 VMs, where a random access with 4 KB pages also misses the TLB most of the time).
//
// advise_huge_pages asks the kernel (Linux, transparent huge pages in `madvise` or `always`
// mode) to back the 2 MB-aligned part of [p, p + bytes) with 2 MB pages as it is touched. A
// hint only: elsewhere, for arrays under 2 MB, or if the kernel declines, nothing changes. Call
// it on memory the program owns (e.g. a vector's data() and capacity()), before touching it.
#include <cstddef>
#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace spotsim {

inline void advise_huge_pages(const void* p, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kPage = uintptr_t{2} << 20;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kPage - 1) & ~(kPage - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kPage - 1);
  if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

}  // namespace spotsim
