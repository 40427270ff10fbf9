/* Shared by the test program and its fake brain. */
#ifndef BRAIN_TEST_HARNESS_H
#define BRAIN_TEST_HARNESS_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "brain.h"

/* The brain the tests start when $BRAIN_BIN is not set (the Makefile passes the repo's). */
#ifndef DEFAULT_BRAIN_BIN
#define DEFAULT_BRAIN_BIN "../../.build/debug/brain"
#endif

/* Tests return PASS, FAIL or SKIP. */
enum { PASS = 0, FAIL = 1, SKIP = 2 };

#define CHECK(cond, ...)                                                             \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "    check failed at %s:%d: %s\n    ", __FILE__, __LINE__, \
                    #cond);                                                          \
            fprintf(stderr, __VA_ARGS__);                                            \
            fprintf(stderr, "\n    (brain_last_error: %s)\n", brain_last_error());    \
            return FAIL;                                                             \
        }                                                                            \
    } while (0)

/* A minimal in-process brain (one connection at a time) for tests that need precise
 * control: refusing hellos, never acking, forgetting events, dropping connections. */
#define FAKE_MAX_SEEN 4096
typedef struct fake_brain {
    char path[108];
    int lfd;
    pthread_t thread;
    pthread_mutex_t mu;
    /* behaviour (set under mu) */
    uint64_t last_seq;      /* what the brain holds; welcome.last_seq */
    int ack;                /* 1 = ack after every read with events */
    int refuse_code;        /* != 0: refuse hellos with this status */
    uint64_t reject_seq;    /* != 0: reject this event seq with ALREADY_EXISTS */
    int kick;               /* 1 = drop the current connection now */
    int stop;
    /* observations (read under mu) */
    int hellos, heartbeats, connections;
    uint64_t seen[FAKE_MAX_SEEN]; /* seqs received, in order, over all connections */
    int n_seen;
    char last_agent[64];
} fake_brain;

int fake_start(fake_brain *f, const char *dir);
void fake_stop(fake_brain *f);
/* Waits until at least n events were seen in total (up to timeout_ms); 1 = yes. */
int fake_wait_seen(fake_brain *f, int n, int timeout_ms);

/* test_brain.c: shared helpers */
extern char tmpdir[64];  /* the run's temp dir */
extern char exe_dir[512]; /* where test_brain (and brain-example-agent) live */
void sleep_ms(long ms);
void base_opts(brain_options *o, const char *sock, const char *agent);
pid_t spawn_agent(const char *sock, const char *runs, const char *steps, const char *agent);
int agent_ok(pid_t pid, const char *want);

/* test_real.c: the real brain */
void real_brain_setup(const char *dir);
const char *real_brain_bin(void);
const char *real_brain_log(void);
void brain_kill(int sig);
int test_hello_welcome(void);
int test_wrong_token(void);
int test_protocol_mismatch(void);
int test_run_steps_complete(void);
int test_duplicate_and_conflict(void);
int test_buffer_full_real(void);
int test_brain_graceful_restart(void);
int test_brain_restart(void);
int test_example_agent(void);
int test_durability(void);

#endif
