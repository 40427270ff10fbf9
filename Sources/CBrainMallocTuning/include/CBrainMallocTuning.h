#ifndef CBRAIN_MALLOC_TUNING_H
#define CBRAIN_MALLOC_TUNING_H

/// Whether the brain's malloc settings were applied at load time (see malloc_tuning.c);
/// 0 where the C library has no mallopt.
int cbrain_malloc_tuning_applied(void);

#endif
