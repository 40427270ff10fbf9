#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h> /* defines __GLIBC__ on glibc */

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <errno.h>
#if defined(__linux__)
#include <sched.h>
#endif

#include "CBrainSystem.h"

int cbrain_o_direct_flag(void) {
#ifdef O_DIRECT
    return O_DIRECT;
#else
    return 0;
#endif
}

int cbrain_release_free_heap(size_t pad) {
#if defined(__GLIBC__)
    return malloc_trim(pad);
#else
    (void)pad;
    return 0;
#endif
}

int cbrain_run_when_idle(void) {
#if defined(__linux__) && defined(SCHED_IDLE)
    struct sched_param parameters = {0};
    return sched_setscheduler(0, SCHED_IDLE, &parameters) == 0 ? 0 : errno;
#else
    return ENOSYS;
#endif
}
