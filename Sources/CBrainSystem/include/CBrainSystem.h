#ifndef CBRAIN_SYSTEM_H
#define CBRAIN_SYSTEM_H

#include <stddef.h>

/// The platform's O_DIRECT open flag (hidden from Swift behind _GNU_SOURCE), or 0 where
/// there is none.
int cbrain_o_direct_flag(void);

/// Gives free heap memory back to the system (glibc's malloc_trim, which also releases
/// free pages in the middle of the heap), keeping `pad` bytes at the top. Returns whether
/// anything was released; 0 where the C library cannot.
int cbrain_release_free_heap(size_t pad);

/// Puts the calling thread in the idle scheduling class (SCHED_IDLE on Linux): it runs
/// only on CPU time no other thread wants. Returns 0, or an errno value where it cannot.
int cbrain_run_when_idle(void);

#endif
