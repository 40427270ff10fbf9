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
 * ~15 % of the event loop's time under load went to those faults). Since steps are never
 * freed, new memory comes from the heap's top chunk, upwards; a helper thread asks the
 * kernel to populate the next few MiB of it ahead of use, on the other core. The madvise
 * call changes no byte of memory, so it is safe while the allocator works there.
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

/* Grow the heap 64 MiB at a time (address space; pages are touched only when used). */
#define CBRAIN_TOP_PAD (64 * 1024 * 1024)

static int applied;

__attribute__((constructor)) static void cbrain_apply_malloc_tuning(void) {
    applied = mallopt(M_ARENA_MAX, 1) == 1 && mallopt(M_TOP_PAD, CBRAIN_TOP_PAD) == 1;
}

int cbrain_malloc_tuning_applied(void) { return applied; }

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static size_t prefault_ahead;

static void *cbrain_prefault_loop(void *unused) {
    (void)unused;
    /* Background work: it must not take the CPU from the event loop it serves. */
    setpriority(PRIO_PROCESS, (id_t)gettid(), 19);
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t populated = 0; /* populated up to here (exclusive) */
    unsigned idle = 0;
    for (;;) {
        /* Quiet heaps are checked less often: 1 ms while it grows, up to 64 ms when idle. */
        struct timespec pause = {0, (long)(1000000L << (idle < 6 ? idle : 6))};
        nanosleep(&pause, NULL);
        uintptr_t end = (uintptr_t)sbrk(0);
        struct mallinfo2 info = mallinfo2();
        uintptr_t top = end - info.keepcost; /* start of the free top chunk */
        uintptr_t from = (top > populated ? top : populated) & ~(page - 1);
        uintptr_t to = top + prefault_ahead < end ? top + prefault_ahead : end;
        to &= ~(page - 1);
        if (from >= to) {
            idle += 1;
            continue;
        }
        idle = 0;
        if (madvise((void *)from, to - from, MADV_POPULATE_WRITE) != 0)
            return NULL; /* not supported here (Linux < 5.14): stop quietly */
        populated = to;
    }
    return NULL;
}

int cbrain_start_heap_prefaulter(size_t ahead_bytes) {
    if (!applied)
        return ENOSYS; /* without the single arena the loop does not allocate from this heap */
    prefault_ahead = ahead_bytes;
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
int cbrain_start_heap_prefaulter(size_t ahead_bytes) {
    (void)ahead_bytes;
    return ENOSYS;
}
#endif
