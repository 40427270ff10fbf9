#define _GNU_SOURCE
#include <fcntl.h>

#include "CBrainDirectIO.h"

int cbrain_o_direct_flag(void) {
#ifdef O_DIRECT
    return O_DIRECT;
#else
    return 0;
#endif
}
