/*
 * brain.h - C client library for the Brain daemon (agent side).
 *
 * An agent connects to the brain over a Unix domain socket, says hello, and then
 * publishes events: runs starting, steps, runs completing or failing. Every event gets
 * the next agent sequence number and is kept in a bounded in-memory buffer until the
 * brain acknowledges it (acks are cumulative). When the connection drops, a background
 * I/O thread reconnects with backoff and resends every event the brain does not hold.
 *
 * Threading model
 *   brain_connect() starts one background I/O thread per client. It writes buffered
 *   events (many frames per write), reads acks and rejections, sends heartbeats at the
 *   interval the brain's welcome asks for, and reconnects. There is no poll function to
 *   call. All functions taking a brain_client may be called from any thread, except
 *   brain_close(), which must be the last call on a client. The callbacks
 *   (on_rejection, on_connection) run on the I/O thread; on_connection's events of the
 *   first connection run on brain_connect's thread.
 *
 * Errors
 *   Functions return BRAIN_OK (0) or a negative brain_err. brain_last_error() returns a
 *   sentence describing the calling thread's most recent failure; when the brain itself
 *   refused something, brain_last_status() holds its status code (BRAIN_STATUS_*).
 *
 * Strings passed in are copied; NULL means "" (unset). JSON arguments are JSON text.
 * All strings must be valid UTF-8 (checked, BRAIN_E_INVALID otherwise).
 */
#ifndef BRAIN_H
#define BRAIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && defined(BRAIN_BUILDING_LIBRARY)
#define BRAIN_API __attribute__((visibility("default")))
#else
#define BRAIN_API
#endif

/* The protocol version this library speaks. */
#define BRAIN_PROTOCOL_VERSION 1
/* Unix socket paths must be shorter than this (sun_path limit on macOS/BSD; the brain
 * enforces the same limit). */
#define BRAIN_MAX_SOCKET_PATH 104
/* Length of a run id string including the terminating NUL ("xxxxxxxx-xxxx-...") */
#define BRAIN_RUN_ID_LEN 37

/* Library error codes (return values). */
typedef enum brain_err {
    BRAIN_OK = 0,
    BRAIN_E_INVALID = -1,       /* bad argument (NULL, bad UTF-8, event too large) */
    BRAIN_E_PATH_TOO_LONG = -2, /* socket path >= BRAIN_MAX_SOCKET_PATH bytes */
    BRAIN_E_CONNECT = -3,       /* could not connect to the socket */
    BRAIN_E_IO = -4,            /* read/write failed or the brain hung up */
    BRAIN_E_PROTOCOL = -5,      /* the brain sent something that does not decode */
    BRAIN_E_REFUSED = -6,       /* the brain refused: see brain_last_status() */
    BRAIN_E_BUFFER_FULL = -7,   /* max_unacked events are waiting for acks */
    BRAIN_E_TIMEOUT = -8,       /* the wait timed out */
    BRAIN_E_FAILED = -9,        /* the client gave up (reconnect timed out or the brain
                                   refused the hello on reconnect); see brain_last_error */
    BRAIN_E_NOMEM = -10         /* out of memory */
} brain_err;

/* The brain's status codes (gRPC canonical codes, same numbers as brain.proto). */
typedef enum brain_status {
    BRAIN_STATUS_OK = 0,
    BRAIN_STATUS_CANCELLED = 1,
    BRAIN_STATUS_UNKNOWN = 2,
    BRAIN_STATUS_INVALID_ARGUMENT = 3,
    BRAIN_STATUS_DEADLINE_EXCEEDED = 4,
    BRAIN_STATUS_NOT_FOUND = 5,
    BRAIN_STATUS_ALREADY_EXISTS = 6,
    BRAIN_STATUS_PERMISSION_DENIED = 7,
    BRAIN_STATUS_RESOURCE_EXHAUSTED = 8,
    BRAIN_STATUS_FAILED_PRECONDITION = 9,
    BRAIN_STATUS_ABORTED = 10,
    BRAIN_STATUS_OUT_OF_RANGE = 11,
    BRAIN_STATUS_UNIMPLEMENTED = 12,
    BRAIN_STATUS_INTERNAL = 13,
    BRAIN_STATUS_UNAVAILABLE = 14,
    BRAIN_STATUS_DATA_LOSS = 15,
    BRAIN_STATUS_UNAUTHENTICATED = 16
} brain_status;

typedef enum brain_step_status {
    BRAIN_STEP_OK = 1,
    BRAIN_STEP_SKIP = 2,
    BRAIN_STEP_ERROR = 3
} brain_step_status;

/* A run's status (same numbers as RunStatus in brain.proto). The lifecycle is
 * QUEUED -> RUNNING -> PERSISTING -> COMPLETED (PERSISTING optional); FAILED and
 * ABANDONED from any unfinished status. */
typedef enum brain_run_status {
    BRAIN_RUN_QUEUED = 1,
    BRAIN_RUN_RUNNING = 2,
    BRAIN_RUN_PERSISTING = 3,
    BRAIN_RUN_COMPLETED = 4,
    BRAIN_RUN_FAILED = 5,
    BRAIN_RUN_ABANDONED = 6
} brain_run_status;

/* An event the brain refused (or, with seq 0, an error not tied to one event). */
typedef struct brain_rejection {
    uint64_t seq;          /* the agent seq of the refused event; 0 = connection error */
    brain_status code;     /* why, e.g. BRAIN_STATUS_ALREADY_EXISTS */
    char message[512];     /* the brain's message, truncated to fit */
} brain_rejection;

/* Called on the I/O thread for each rejection; must not call brain_close(). */
typedef void (*brain_rejection_fn)(void *user, const brain_rejection *rejection);

/* What happened to the connection, for brain_options.on_connection. */
typedef enum brain_conn_event {
    BRAIN_CONN_CONNECTED = 1, /* the hello was answered with a welcome (first time or again) */
    BRAIN_CONN_LOST = 2,      /* the connection dropped; reconnecting starts at once */
    BRAIN_CONN_RETRYING = 3,  /* an attempt failed (message says why); another follows
                                 after a backoff of 50 ms doubling to 2 s */
    BRAIN_CONN_GAVE_UP = 4    /* no more attempts: the time ran out or the brain refused
                                 the hello for good (message says why) */
} brain_conn_event;

typedef struct brain_conn_info {
    brain_conn_event event;
    const char *socket_path; /* the socket the client connects to */
    const char *message;     /* why (LOST, RETRYING, GAVE_UP); "" for CONNECTED */
    int attempt;             /* RETRYING, GAVE_UP: the attempt that failed; CONNECTED: the
                                one that worked (1 = the first of this outage, or of
                                brain_connect); 0 for LOST */
    int64_t waited_ms;       /* since the outage began (or brain_connect was called); 0
                                for LOST */
    int64_t timeout_ms;      /* the limit on waiting: reconnect_timeout_ms (< 0 = none) */
} brain_conn_info;

/* Called on the I/O thread (and, for the first connection, on brain_connect's thread)
 * when the connection changes; info is valid during the call only. Must not call
 * brain_close(). */
typedef void (*brain_connection_fn)(void *user, const brain_conn_info *info);

struct brain_command;
/* Called on the I/O thread for each command from the brain; cmd is valid during the call
 * only. It may publish (brain_command_result) but must not call brain_close() or wait. */
typedef void (*brain_command_fn)(void *user, const struct brain_command *cmd);

typedef struct brain_options {
    const char *socket_path;           /* NULL/"" = brain_default_socket_path();
                                          < BRAIN_MAX_SOCKET_PATH bytes */
    const char *agent_name;            /* required */
    const char *project;               /* NULL/"" = the default project */
    const char *token;                 /* the agent's token (registered on first use) */
    const char *framework_adapter;     /* e.g. "langgraph"; NULL = none */
    const char *const *engine_adapters;    /* array of n_engine_adapters strings */
    size_t n_engine_adapters;
    const char *const *scheduler_adapters; /* array of n_scheduler_adapters strings */
    size_t n_scheduler_adapters;
    const char *capabilities_json;     /* JSON object text or NULL */
    const char *metadata_json;         /* JSON object text or NULL */
    uint32_t heartbeat_interval_ms;    /* 0 = the interval from the brain's welcome */
    size_t max_unacked;                /* buffer bound in events; 0 = 65536 */
    int64_t reconnect_timeout_ms;      /* give up after this long disconnected;
                                          0 = 60000 (60 s), < 0 = never give up */
    uint32_t connect_timeout_ms;       /* per attempt, for connect+hello+welcome;
                                          0 = 10000 */
    uint32_t max_frame_bytes;          /* largest event frame; 0 = 4 MiB (the brain's
                                          default --max-frame-bytes) */
    uint32_t protocol_version;         /* 0 = BRAIN_PROTOCOL_VERSION; for tests only */
    brain_rejection_fn on_rejection;   /* optional; when NULL rejections are queued
                                          for brain_next_rejection() */
    void *user;                        /* passed to on_rejection and on_connection */
    brain_connection_fn on_connection; /* optional: connection changes, e.g. to tell the
                                          user the agent is waiting for the brain */
    int wait_for_brain;                /* 1 = brain_connect retries the first connection
                                          like a reconnect (backoff, reporting
                                          BRAIN_CONN_RETRYING) for up to
                                          reconnect_timeout_ms (< 0: until it is
                                          there) while the brain is not there yet;
                                          0 = one attempt */
    brain_command_fn on_command;       /* optional: commands from the brain, called on
                                          the I/O thread (see brain_command); when NULL
                                          they are queued for brain_next_command() */
} brain_options;

/* Fills *opts with defaults (all zero/NULL). */
BRAIN_API void brain_options_init(brain_options *opts);

/*
 * The socket the brain listens on by default (the same rule as `brain serve` and
 * `brainctl`): $BRAIN_SOCKET if set and non-empty, else $XDG_RUNTIME_DIR/brain/brain.sock
 * if XDG_RUNTIME_DIR is set and non-empty, else /tmp/brain-<uid>/brain.sock. brain_connect
 * uses it when options.socket_path is NULL or "". Writes the path to buf (len bytes;
 * BRAIN_MAX_SOCKET_PATH is always enough for a usable path) and returns BRAIN_OK;
 * BRAIN_E_PATH_TOO_LONG when the path is >= BRAIN_MAX_SOCKET_PATH bytes (buf then holds
 * as much of it as fits); BRAIN_E_INVALID when buf is NULL or too small.
 */
BRAIN_API int brain_default_socket_path(char *buf, size_t len);

typedef struct brain_client brain_client;

/*
 * Connects (to brain_default_socket_path() when opts->socket_path is NULL or ""), sends
 * hello and waits for the welcome (connect_timeout_ms). With opts->wait_for_brain it
 * retries while the brain is not reachable, for up to reconnect_timeout_ms. On success
 * *out is a connected client whose next event seq is welcome.last_seq + 1, so a
 * restarted agent continues its sequence. On failure *out is NULL and the return is
 * e.g. BRAIN_E_PATH_TOO_LONG, BRAIN_E_CONNECT, or BRAIN_E_REFUSED with
 * brain_last_status() = BRAIN_STATUS_UNAUTHENTICATED (wrong token) or
 * BRAIN_STATUS_FAILED_PRECONDITION (unsupported protocol version).
 */
BRAIN_API int brain_connect(const brain_options *opts, brain_client **out);

/* Stops the I/O thread, closes the socket and frees everything. Events not yet
 * acknowledged are dropped: call brain_wait_acked() first. NULL is ignored. */
BRAIN_API void brain_close(brain_client *c);

/* What the brain said in its (latest) welcome. */
typedef struct brain_welcome {
    char agent_id[64];
    char project[128];
    uint32_t heartbeat_interval_ms;
    uint32_t heartbeat_timeout_ms;
    uint64_t last_seq;
    int registered;               /* 1 when the first hello registered the agent */
    uint32_t protocol_version;
} brain_welcome;

BRAIN_API void brain_get_welcome(brain_client *c, brain_welcome *out);

/* ------------------------------------------------------------------ events
 * Every publish function assigns the next agent seq (stored in *seq_out when not NULL),
 * encodes the event, buffers it and returns without waiting: the I/O thread sends it.
 * Publishing works while the client is reconnecting (events wait in the buffer).
 * Returns BRAIN_E_BUFFER_FULL when max_unacked events are unacknowledged (nothing is
 * dropped: wait with brain_wait_space() and publish again), BRAIN_E_FAILED after the
 * client gave up, BRAIN_E_INVALID for bad arguments. */

typedef struct brain_run_options {
    const char *run_id;        /* NULL = generate a UUIDv4 here (recommended) */
    const char *goal;
    const char *target_url;    /* absolute URL or NULL */
    const char *initiated_by;
    const char *run_type;      /* at most 50 characters */
    const char *workflow_json;
    const char *input_json;
    const char *metadata_json;
    const char *parent_run_id;
    uint64_t timeout_ms;       /* 0 = none */
    int queued;                /* 1 = start QUEUED, 0 = start RUNNING (default) */
} brain_run_options;

/* Publishes RunCreated. run_id_out (BRAIN_RUN_ID_LEN bytes, may be NULL) receives the
 * run id. opts may be NULL. The id is generated client side, so a resent event is
 * idempotent. */
BRAIN_API int brain_run_start(brain_client *c, const brain_run_options *opts,
                              char run_id_out[BRAIN_RUN_ID_LEN], uint64_t *seq_out);

typedef struct brain_step {
    const char *run_id;        /* required */
    uint32_t seq;              /* 1-based, unique within the run */
    const char *name;          /* at most 50 characters */
    brain_step_status status;  /* 0 is taken as BRAIN_STEP_OK */
    const char *input_json;
    const char *output_json;
    const char *error;         /* for BRAIN_STEP_ERROR */
    uint64_t duration_ms;
    int64_t started_at_ns;     /* Unix ns, 0 = unset */
} brain_step;

/* Publishes StepReported. Resending identical content for the same run and step seq is
 * harmless; different content is rejected by the brain with ALREADY_EXISTS. */
BRAIN_API int brain_step_report(brain_client *c, const brain_step *step, uint64_t *seq_out);

/* Publishes RunStatusChanged(COMPLETED) with an optional result (JSON text). */
BRAIN_API int brain_run_complete(brain_client *c, const char *run_id,
                                 const char *result_json, uint64_t *seq_out);

/* Publishes RunStatusChanged(FAILED). failed_at_step 0 = unknown. */
BRAIN_API int brain_run_fail(brain_client *c, const char *run_id, const char *error_type,
                             const char *error_message, uint32_t failed_at_step,
                             const char *error_context_json, uint64_t *seq_out);

/* Publishes RunStatusChanged(status) for the statuses without their own call:
 * BRAIN_RUN_RUNNING (a run started with brain_run_options.queued begins) or
 * BRAIN_RUN_PERSISTING (the run is saving its results). Other statuses return
 * BRAIN_E_INVALID: use brain_run_complete / brain_run_fail. A transition the run's
 * current status does not allow (e.g. RUNNING twice, or after COMPLETED) is rejected by
 * the brain with FAILED_PRECONDITION, like any refused event (brain_next_rejection). */
BRAIN_API int brain_run_set_status(brain_client *c, const char *run_id,
                                   brain_run_status status, uint64_t *seq_out);

/* Publishes an AgentEvent encoded by the caller (protobuf bytes of brain.v1.AgentEvent
 * without its seq field; e.g. a binding's own encoder), like every publish function
 * (seq, buffer, resend): the library appends the seq it assigns. The bytes are not
 * checked here; the brain refuses what it cannot decode or apply (a rejection, as for
 * any event). BRAIN_E_INVALID when the frame would exceed max_frame_bytes. */
BRAIN_API int brain_publish_encoded(brain_client *c, const void *event, size_t len,
                                    uint64_t *seq_out);

/* ------------------------------------------------------------------ tasks
 * Task workers (Celery-style) report each task's life as task events. The brain merges
 * them by the rules in proto/README.md ("Task events: merge rules") and redacts args,
 * kwargs, the exception message, the traceback and the payload itself before it keeps
 * anything, so a secret never reaches its disk. */

typedef enum brain_task_event_kind {
    BRAIN_TASK_SENT = 1,
    BRAIN_TASK_STARTED = 2,
    BRAIN_TASK_SUCCEEDED = 3,
    BRAIN_TASK_FAILED = 4,
    BRAIN_TASK_RETRY = 5,
    BRAIN_TASK_CANCELLED = 6,
    BRAIN_TASK_EXPIRED = 7
} brain_task_event_kind;

typedef struct brain_task_event {
    const char *task_id;       /* required */
    const char *engine;        /* NULL/"" = "celery" */
    brain_task_event_kind kind;
    int64_t ts_ns;             /* the agent's clock, Unix ns; 0 = now */
    uint32_t attempt;          /* 1 for the first run under this id (0 is taken as 1) */
    const char *name;
    const char *queue;
    const char *group_id;
    const char *retried_as;    /* RETRY: the new task's id, if known */
    const char *args_json;     /* JSON array text or NULL */
    const char *kwargs_json;   /* JSON object text or NULL */
    const char *exc_type;      /* FAILED / RETRY */
    const char *exc_message;
    const char *traceback;
    const char *payload_json;  /* anything else, JSON object text or NULL */
} brain_task_event;

/* Publishes TaskEventReported, like every publish function (seq, buffer, resend). */
BRAIN_API int brain_task_event_report(brain_client *c, const brain_task_event *ev,
                                      uint64_t *seq_out);

/* ------------------------------------------------------------------ schedules
 * A scheduler adapter reports its schedules; the brain computes next_run_at itself (in
 * the project's time zone, Debian cron's DST rules) and lists them (brainctl schedules). */

typedef enum brain_schedule_type {
    BRAIN_SCHEDULE_CRON = 1,        /* expression: 5 cron fields or @daily, ... */
    BRAIN_SCHEDULE_INTERVAL = 2,    /* expression: seconds, e.g. "30" or "2.5" */
    BRAIN_SCHEDULE_DATE = 3,        /* expression: one RFC 3339 instant */
    BRAIN_SCHEDULE_UNSUPPORTED = 4  /* listed, no next run (e.g. Celery's solar) */
} brain_schedule_type;

typedef enum brain_cron_dialect {
    BRAIN_CRON_VIXIE = 0,  /* day-of-month OR day-of-week (AND when one starts with *) */
    BRAIN_CRON_CELERY = 1  /* AND, as Celery beat's crontab */
} brain_cron_dialect;

typedef struct brain_schedule {
    const char *scheduler;     /* required, e.g. "cron" or "celery-beat" */
    const char *name;          /* required, unique within the scheduler */
    const char *task;
    brain_schedule_type type;
    const char *expression;
    brain_cron_dialect dialect;
    const char *args_json;
    const char *kwargs_json;
    int enabled;
    const char *metadata_json;
    int64_t last_run_at_ns;    /* 0 = never (as far as the scheduler knows) */
} brain_schedule;

/* Publishes one schedule (added or changed). */
BRAIN_API int brain_schedule_upsert(brain_client *c, const brain_schedule *s, uint64_t *seq_out);
/* Publishes the removal of one schedule. */
BRAIN_API int brain_schedule_delete(brain_client *c, const char *scheduler, const char *name,
                                    uint64_t *seq_out);
/* Publishes that a schedule fired at at_ns (0 = now), sending task_id (NULL = unknown). */
BRAIN_API int brain_schedule_fired(brain_client *c, const char *scheduler, const char *name,
                                   int64_t at_ns, const char *task_id, uint64_t *seq_out);
/* Publishes every schedule of one scheduler. With complete = 1 the brain removes the
 * scheduler's schedules that are not listed; complete = 0 only adds and changes. Every
 * item's scheduler must be NULL or equal to `scheduler`. */
BRAIN_API int brain_schedule_listing(brain_client *c, const char *scheduler,
                                     const brain_schedule *items, size_t n, int complete,
                                     uint64_t *seq_out);

/* ------------------------------------------------------------------ commands
 * The brain can ask an agent to act (brainctl task retry / task cancel / schedule
 * enable). The library answers each command's receipt itself (a command_received event)
 * and hands it to options.on_command, or queues it for brain_next_command(). The agent
 * then reports the outcome with brain_command_result(). A command delivered again (after
 * a reconnect) is acknowledged again but handed over once. */

typedef enum brain_command_kind {
    BRAIN_COMMAND_RETRY_TASK = 1,
    BRAIN_COMMAND_CANCEL_TASK = 2,
    BRAIN_COMMAND_ENABLE_SCHEDULE = 3,
    BRAIN_COMMAND_DISABLE_SCHEDULE = 4
} brain_command_kind;

typedef struct brain_command {
    char command_id[64];
    brain_command_kind kind;
    char task_id[256];         /* RETRY_TASK / CANCEL_TASK */
    char engine[64];
    char task_name[512];
    char scheduler[128];       /* ENABLE_SCHEDULE / DISABLE_SCHEDULE */
    char schedule_name[256];
    int64_t deadline_ns;       /* after this the brain no longer waits for a result */
} brain_command;

/* Publishes the outcome of a command: ok = 1 succeeded, 0 failed (message says why).
 * new_task_id: RETRY_TASK's new task (NULL = none). Only the first result counts. */
BRAIN_API int brain_command_result(brain_client *c, const char *command_id, int ok,
                                   const char *message, const char *new_task_id,
                                   uint64_t *seq_out);

/* Pops the oldest queued command into *out: 1 if there was one, 0 if none. Only used
 * when options.on_command is NULL; at most 4096 wait (more are answered as failed). */
BRAIN_API int brain_next_command(brain_client *c, brain_command *out);

/* ------------------------------------------------------------------ waiting
 * timeout_ms < 0 waits forever (until acked, or until the client gives up). */

/* Waits until every event published so far is acknowledged (a rejected event counts
 * as acknowledged; see brain_next_rejection). BRAIN_OK, BRAIN_E_TIMEOUT or
 * BRAIN_E_FAILED. */
BRAIN_API int brain_wait_acked(brain_client *c, int64_t timeout_ms);

/* Waits until the buffer has room for at least one more event. */
BRAIN_API int brain_wait_space(brain_client *c, int64_t timeout_ms);

/* Pops the oldest queued rejection into *out: 1 if there was one, 0 if none. Only used
 * when options.on_rejection is NULL. At most 65536 are kept; the rest are counted in
 * brain_stats.rejections_dropped. */
BRAIN_API int brain_next_rejection(brain_client *c, brain_rejection *out);

typedef struct brain_stats {
    uint64_t last_seq;           /* the last seq assigned (0 = none) */
    uint64_t acked_seq;          /* every seq <= this is acknowledged */
    uint64_t unacked;            /* events in the buffer */
    uint64_t published;          /* events published through this client */
    uint64_t rejections;         /* rejections received */
    uint64_t rejections_dropped; /* rejections not queued (queue full) */
    uint64_t reconnects;         /* successful reconnects */
    uint64_t resent;             /* events (re)sent on a new connection after a reconnect */
    int connected;               /* 1 when a connection is up right now */
    int failed;                  /* 1 when the client gave up */
} brain_stats;

BRAIN_API void brain_get_stats(brain_client *c, brain_stats *out);

/* ------------------------------------------------------------------ errors */

/* The calling thread's last error as a sentence (never NULL; "" when none). */
BRAIN_API const char *brain_last_error(void);
/* The brain's status code behind the calling thread's last BRAIN_E_REFUSED / FAILED. */
BRAIN_API brain_status brain_last_status(void);
/* Static names: "BRAIN_E_BUFFER_FULL", "UNAUTHENTICATED", ... */
BRAIN_API const char *brain_err_name(int err);
BRAIN_API const char *brain_status_name(brain_status code);

#ifdef __cplusplus
}
#endif
#endif /* BRAIN_H */
