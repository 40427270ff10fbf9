#ifndef CBRAIN_MALLOC_TUNING_H
#define CBRAIN_MALLOC_TUNING_H

#include <stddef.h>

/// Whether the brain's malloc settings were applied at load time (see malloc_tuning.c);
/// 0 where the C library has no mallopt.
int cbrain_malloc_tuning_applied(void);

/// Starts a background thread that populates (MADV_POPULATE_WRITE) each stretch the malloc
/// heap grows by, so the thread that allocates does not take the page faults of fresh
/// memory. Returns 0 on success, else an errno value (ENOSYS where the C library cannot do
/// it; the brain then simply runs without it).
int cbrain_start_heap_prefaulter(void);

#endif
