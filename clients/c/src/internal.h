/* Internal declarations shared by the library's source files. Nothing here is
 * exported from libbrain.so (built with -fvisibility=hidden); names start with
 * brain__ so the static library does not pollute the caller's namespace either. */
#ifndef BRAIN_INTERNAL_H
#define BRAIN_INTERNAL_H

#include <pthread.h>
#include <stdint.h>
#include <stddef.h>

#include "brain.h"
#include "brain.pb-c.h"

#define BRAIN__MAX_RESPONSE_BYTES (64u << 20) /* largest frame accepted from the brain */

/* protobuf-c wants char *; we never write through these. */
#define S(x) ((char *)((x) ? (x) : ""))

/* ---- error.c: thread-local last error */
int brain__fail(int err, brain_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- time.c */
int64_t brain__now_ms(void);      /* CLOCK_MONOTONIC */
int64_t brain__wall_ns(void);     /* CLOCK_REALTIME, Unix ns */
int brain__uuid4(char out[BRAIN_RUN_ID_LEN]);

/* ---- frame.c: framing and the receive buffer */
/* A frame of a `body`-byte message: its 4-byte length written, the body's room after it
 * (malloc'd, the caller's); BRAIN_E_INVALID past max_frame, BRAIN_E_NOMEM. */
int brain__frame_alloc(size_t body, size_t max_frame, uint8_t **out);
int brain__frame_pack(const Brain__V1__Request *req, size_t max_frame, uint8_t **out,
                      size_t *len);
typedef struct brain__rxbuf {
    uint8_t *data;
    size_t len;   /* bytes held, from data[0] */
    size_t off;   /* bytes already consumed */
    size_t cap;
} brain__rxbuf;
int brain__rx_reserve(brain__rxbuf *rx, size_t n);
/* 1 = a whole frame's body is at *body, its size in *len (consumed), 0 = need more bytes,
 * BRAIN_E_PROTOCOL = the announced length exceeds max. */
int brain__rx_next(brain__rxbuf *rx, size_t max, const uint8_t **body, size_t *len);
void brain__rx_compact(brain__rxbuf *rx);
void brain__rx_clear(brain__rxbuf *rx);
void brain__rx_free(brain__rxbuf *rx);
int brain__utf8_valid(const char *s);

/* ---- buffer.c: the bounded buffer of encoded, unacknowledged events */
typedef struct brain__frame {
    uint64_t seq;
    uint8_t *data; /* whole frame: length prefix + Request */
    size_t len;
} brain__frame;
typedef struct brain__ring {
    brain__frame *slots;
    size_t cap, head, count;
} brain__ring;
int brain__ring_init(brain__ring *r, size_t cap);
void brain__ring_free(brain__ring *r);
brain__frame *brain__ring_at(brain__ring *r, size_t i);
void brain__ring_push(brain__ring *r, brain__frame f); /* caller checked count < cap */
/* Frees the leading frames with seq <= acked, at most limit of them; returns how many. */
size_t brain__ring_pop_acked(brain__ring *r, uint64_t acked, size_t limit);

/* ---- io.c: sockets with deadlines */
int brain__sock_connect(const char *path, int *fd_out);
int brain__write_all(int fd, const uint8_t *p, size_t n, int64_t deadline_ms);
int brain__read_response(int fd, brain__rxbuf *rx, int64_t deadline_ms,
                         Brain__V1__Response **out);
/* hello -> welcome on a new connection; on success *fd_out is non-blocking. */
int brain__handshake(const char *path, const uint8_t *hello, size_t hello_len,
                     uint32_t timeout_ms, brain__rxbuf *rx, int *fd_out, brain_welcome *w);

/* ---- the client (connect.c, publish.c, runs.c, delivery.c) and its I/O thread (iothread.c) */
struct brain_client {
    /* Fixed after brain_connect. */
    char *socket_path;
    uint8_t *hello;
    size_t hello_len;
    uint32_t hb_override_ms, connect_timeout_ms, max_frame;
    int64_t reconnect_timeout_ms;
    brain_rejection_fn on_rejection;
    brain_connection_fn on_connection;
    brain_command_fn on_command;
    void *user;
    pthread_t thread;
    int thread_started;
    int wake[2];

    /* Guarded by mu. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int fd;
    int stop, failed, want_wake;
    char fail_msg[512];
    brain_status fail_status;
    uint64_t next_seq, acked_seq;
    brain__ring ring;
    size_t unsent;   /* ring index of the first frame not fully written */
    size_t sent_off; /* bytes of that frame already written */
    brain_welcome welcome;
    brain_rejection *rej;
    size_t rej_head, rej_count, rej_cap;
    brain_command *cmds; /* queued for brain_next_command (on_command NULL) */
    size_t cmd_head, cmd_count, cmd_cap;
    brain_stats stats;

    /* I/O thread only. */
    brain__rxbuf rx;
    uint8_t ctl[64]; /* a pending heartbeat frame */
    size_t ctl_len, ctl_off;
    int64_t last_tx_ms, last_rx_ms;
    uint64_t hb_call_id;
    /* Ids of the latest commands handed over, so a command delivered again after a
     * reconnect is acknowledged again but not handed over twice. */
    char seen_cmds[64][64];
    size_t seen_next;
};

void *brain__io_main(void *arg);
/* Wakes the I/O thread through the wake pipe (connect.c). */
void brain__wake(brain_client *c);
/* Connection attempts (hello, then welcome) on c->socket_path. retry = 0: one attempt.
 * retry = 1: with backoff until one succeeds, reconnect_timeout_ms runs out, the brain
 * refuses the hello for good, or the client stops (BRAIN_E_FAILED, the only case that
 * returns it); each failed attempt that is retried is reported as BRAIN_CONN_RETRYING.
 * The caller reports the outcome (CONNECTED or GAVE_UP) once its state says so. `what`
 * names the action in the give-up message ("connect", "reconnect"). On success *fd_out
 * is the connection and *w its welcome; *attempts and *waited_ms are what it took (or
 * what was tried, after retrying failed). Called without mu held. */
int brain__connect_attempts(brain_client *c, int retry, const char *what, int *fd_out,
                            brain_welcome *w, int *attempts, int64_t *waited_ms);
/* Calls on_connection, if any; called without mu held. */
void brain__notify(brain_client *c, brain_conn_event ev, const char *message, int attempt,
                   int64_t waited_ms);
/* Publishes one agent event (publish.c): assigns the seq, encodes, buffers. */
int brain__publish(brain_client *c, Brain__V1__AgentEvent *ev, uint64_t *seq_out);
/* BRAIN_OK when s is NULL or valid UTF-8 (connect.c). */
int brain__check_str(const char *s, const char *field);
/* commands.c: a command frame from the brain (I/O thread, mu not held). */
void brain__handle_command(brain_client *c, const Brain__V1__AgentCommand *cmd);
/* Records a rejection (queue or callback; delivery.c); called without mu held. */
void brain__deliver_rejection(brain_client *c, const brain_rejection *r);

#endif
