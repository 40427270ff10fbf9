/*
 * The brain daemon's malloc policy, set before main() and before any thread exists,
 * and a heap pre-faulter.
 *
 * Why one arena: the state grows by a few hundred bytes per stored step, allocated on the
 * event loop thread. glibc gives every new thread its own arena, and a non-main arena
 * grows its heap one page at a time, with one mprotect() system call per page: ~33,000
 * calls for 400k steps (measured with strace -c), each taking the process's memory-map
 * lock. With a single arena the heap grows with brk() by M_TOP_PAD at a time instead (2
 * calls for the same load). This has to happen before threads allocate, hence a
 * constructor; the target is linked into the `brain` executable only.
 *
 * Why a pre-faulter: each first touch of a fresh page still faults (on the VMs measured,
 * ~15 % of the event loop's time under load went to those faults). Steps are never freed,
 * so new memory comes from the heap's top, upwards, and malloc extends the heap by
 * M_TOP_PAD at a time: a helper thread sees the break move and asks the kernel to populate
 * the new stretch at once, on the other core, while the loop starts using its first bytes.
 * The madvise call changes no byte of memory, so it is safe while the allocator works
 * there. (An earlier version located malloc's top chunk with mallinfo2(), which walks
 * every free chunk under the heap's lock: 10-15 % of the CPU with a large heap.)
 */
#define _GNU_SOURCE
#include "CBrainMallocTuning.h"

#include <errno.h>
#include <stdlib.h> /* defines __GLIBC__ on glibc */

#if defined(__GLIBC__)
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* Grow the heap 8 MiB at a time: few brk calls, and a bounded stretch for the
   pre-faulter to populate ahead of use (it is resident before it is used). */
#define CBRAIN_TOP_PAD (8 * 1024 * 1024)

/* Polls at 1 ms after the heap last grew before the pre-faulter backs off (~0.25 s). */
#define CBRAIN_PREFAULT_BUSY_POLLS 256

static int applied;

__attribute__((constructor)) static void cbrain_apply_malloc_tuning(void) {
    applied = mallopt(M_ARENA_MAX, 1) == 1 && mallopt(M_TOP_PAD, CBRAIN_TOP_PAD) == 1;
}

int cbrain_malloc_tuning_applied(void) { return applied; }

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static void *cbrain_prefault_loop(void *unused) {
    (void)unused;
    /* Background work: it must not take the CPU from the event loop it serves. */
    setpriority(PRIO_PROCESS, (id_t)gettid(), 19);
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    /* Populated up to here (exclusive). Below the break at start, memory is in use already. */
    uintptr_t populated = (uintptr_t)sbrk(0);
    unsigned idle = 0;
    for (;;) {
        /* Every 1 ms while the heap grows and for a quarter of a second after, then less
           often, up to every 64 ms when idle. Backing off at once (the first version) left
           it asleep for 16-32 ms when the next stretch came, which under task ingest was as
           long as the event loop took to use the whole stretch: the loop took the faults
           itself (26 % of its samples with 250k tasks). */
        unsigned backoff = idle < CBRAIN_PREFAULT_BUSY_POLLS ? 0 : idle - CBRAIN_PREFAULT_BUSY_POLLS;
        struct timespec pause = {0, (long)(1000000L << (backoff < 6 ? backoff : 6))};
        nanosleep(&pause, NULL);
        /* malloc moves the break only when its free top is used up, and then by M_TOP_PAD:
           the new stretch [old break, new break) is exactly where the next allocations go. */
        uintptr_t end = (uintptr_t)sbrk(0) & ~(page - 1);
        if (end < populated)
            populated = end; /* trimmed (malloc_trim): those pages went back to the system */
        if (end == populated) {
            if (idle < CBRAIN_PREFAULT_BUSY_POLLS + 6)
                idle += 1;
            continue;
        }
        idle = 0;
        if (madvise((void *)populated, end - populated, MADV_POPULATE_WRITE) != 0)
            return NULL; /* not supported here (Linux < 5.14): stop quietly */
        populated = end;
    }
    return NULL;
}

int cbrain_start_heap_prefaulter(void) {
    if (!applied)
        return ENOSYS; /* without the single arena the loop does not allocate from this heap */
    pthread_t thread;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    int result = pthread_create(&thread, &attributes, cbrain_prefault_loop, NULL);
    pthread_attr_destroy(&attributes);
    if (result == 0)
        pthread_setname_np(thread, "heap-prefault");
    return result;
}
#else
int cbrain_malloc_tuning_applied(void) { return 0; }
int cbrain_start_heap_prefaulter(void) {
    return ENOSYS;
}
#endif
