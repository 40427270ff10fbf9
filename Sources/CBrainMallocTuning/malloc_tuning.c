/*
 * The brain daemon's malloc policy, set before main() and before any thread exists.
 *
 * Why: the state grows by a few hundred bytes per stored step, allocated on the event
 * loop thread. glibc gives every new thread its own arena, and a non-main arena grows its
 * heap one page at a time, with one mprotect() system call per page: ~33,000 calls for
 * 400k steps (measured with strace -c), each taking the process's memory-map lock. With a
 * single arena the heap grows with brk() by M_TOP_PAD at a time instead (2 calls for the
 * same load). This has to happen before threads allocate, hence a constructor; the target
 * is linked into the `brain` executable only.
 */
#include "CBrainMallocTuning.h"

#include <stdlib.h> /* defines __GLIBC__ on glibc */

#if defined(__GLIBC__)
#include <malloc.h>

/* Grow the heap 64 MiB at a time (address space; pages are touched only when used). */
#define CBRAIN_TOP_PAD (64 * 1024 * 1024)

static int applied;

__attribute__((constructor)) static void cbrain_apply_malloc_tuning(void) {
    applied = mallopt(M_ARENA_MAX, 1) == 1 && mallopt(M_TOP_PAD, CBRAIN_TOP_PAD) == 1;
}

int cbrain_malloc_tuning_applied(void) { return applied; }
#else
int cbrain_malloc_tuning_applied(void) { return 0; }
#endif
