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
    int drop_in_welcome;    /* > 0: the next hellos get half a welcome frame, then the
                               connection closes (counts down; used before the next) */
    int drop_after_welcome; /* > 0: the next hellos get a whole welcome, then the
                               connection closes at once, unread (counts down) */
    int stop;
    int send_command;       /* > 0: send `command` on the connection (counts down; each
                               after the next read) */
    char command_id[64];    /* the AgentCommand sent: this id, ... */
    int command_kind;       /* ... this CommandKind, task "t-1" */
    /* observations (read under mu) */
    int hellos, heartbeats, connections;
    uint64_t seen[FAKE_MAX_SEEN]; /* seqs received, in order, over all connections */
    int n_seen;
    char last_agent[64];
    int cases[FAKE_MAX_SEEN];    /* each seen event's AgentEvent.event_case */
    uint8_t last_event[1 << 16]; /* the latest AgentEvent, packed (for decoding checks) */
    size_t last_event_len;
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
/* Runs brain-example-agent with args (NULL-terminated) and BRAIN_SOCKET = sock_env in its
 * environment (NULL = unset); its stdout and stderr end up in out and err (truncated to
 * fit). Returns its exit status, or -1 when it did not exit normally. */
int run_example(const char *const *args, const char *sock_env, char *out, size_t outn,
                char *err, size_t errn);
/* The variables of the default socket rule, saved and put back around a test. */
typedef struct env_save {
    char *brain_socket, *xdg_runtime_dir;
} env_save;
void env_keep(env_save *e);
void env_restore(env_save *e);
void env_put(const char *name, const char *value); /* value NULL = unset */

/* Records on_connection events (user = a conn_log); can start a fake brain at `dir` on
 * the first BRAIN_CONN_RETRYING, so a brain appears while the client waits for one. */
#define CONN_LOG_MAX 64
typedef struct conn_log {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    brain_conn_event ev[CONN_LOG_MAX];
    int attempt[CONN_LOG_MAX];
    char msg[CONN_LOG_MAX][400];
    char path[CONN_LOG_MAX][BRAIN_MAX_SOCKET_PATH];
    int n;
    fake_brain *start_fake; /* not NULL: fake_start(start_fake, dir) on the first retry */
    const char *dir;
    int fake_started;       /* 1 = started, -1 = fake_start failed */
} conn_log;
void conn_log_init(conn_log *l);
void conn_log_destroy(conn_log *l);
void conn_log_fn(void *user, const brain_conn_info *info);
/* Waits until event ev was recorded at an index >= from (up to timeout_ms); returns
 * its index, or -1. */
int conn_log_wait(conn_log *l, brain_conn_event ev, int from, int timeout_ms);

/* test_real.c: the real brain */
void real_brain_setup(const char *dir);
const char *real_brain_bin(void);
const char *real_brain_log(void);
void brain_kill(int sig);
int test_task_event_wire(void);
int test_schedule_wire(void);
int test_commands_queue_and_callback(void);
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
int test_default_socket_real(void);
int test_run_status_lifecycle(void);
int test_readme_crawler(void);
int test_example_agent_default_socket(void);

#endif
