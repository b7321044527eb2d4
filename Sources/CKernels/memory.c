// Memory advice for large matrices; see hg_kernels.h.

#include "hg_kernels.h"

#include <stdint.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

int hg_advise_huge_pages(void *address, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t first = ((uintptr_t)address + huge - 1) & ~(huge - 1);
    uintptr_t end = ((uintptr_t)address + bytes) & ~(huge - 1);
    if (end <= first) return 0;
    return madvise((void *)first, end - first, MADV_HUGEPAGE) == 0 ? 1 : 0;
#else
    (void)address;
    (void)bytes;
    return 0;
#endif
}
