#ifndef CBRAIN_MALLOC_TUNING_H
#define CBRAIN_MALLOC_TUNING_H

#include <stddef.h>

/// Whether the brain's malloc settings were applied at load time (see malloc_tuning.c);
/// 0 where the C library has no mallopt.
int cbrain_malloc_tuning_applied(void);

/// Starts a background thread that keeps the next `ahead_bytes` of the malloc heap's
/// free top populated (MADV_POPULATE_WRITE), so the thread that allocates does not take
/// the page faults of fresh memory. Returns 0 on success, else an errno value (ENOSYS
/// where the kernel or C library cannot do it; the brain then simply runs without it).
int cbrain_start_heap_prefaulter(size_t ahead_bytes);

#endif
