/* A real brain process for the C test programs (test_brain and conformance): started in a
 * directory of the test's, killed and restarted on the same socket and data. */
#ifndef BRAIN_TEST_PROCESS_H
#define BRAIN_TEST_PROCESS_H

#include <sys/types.h>

typedef struct brain_process {
    const char *bin;                         /* $BRAIN_BIN, else the repository's debug build */
    char sock[128], data[128], log[128];
    const char *extra[8];                    /* more `brain serve` arguments, NULL-terminated */
    pid_t pid;
} brain_process;

/* Paths under `dir` (which must exist); creates the data directory. */
void brain_process_init(brain_process *b, const char *dir);
/* Starts `brain serve` and waits (up to 30 s) until its socket accepts; 0 or -1. */
int brain_process_start(brain_process *b);
/* Sends `sig` and waits for the process to end. */
void brain_process_stop(brain_process *b, int sig);
/* Whether something accepts connections on the Unix socket at `path`. */
int brain_process_can_connect(const char *path);

#endif
