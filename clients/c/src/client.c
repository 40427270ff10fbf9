/* The public API: connect/close, publishing events, waiting, stats, rejections. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define DEFAULT_MAX_UNACKED 65536
#define DEFAULT_RECONNECT_MS 60000
#define DEFAULT_CONNECT_MS 10000
#define DEFAULT_MAX_FRAME (4u << 20)
#define MAX_QUEUED_REJECTIONS 65536

void brain_options_init(brain_options *opts) { memset(opts, 0, sizeof *opts); }

int brain__check_str(const char *s, const char *field)
{
    if (s && !brain__utf8_valid(s))
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "%s is not valid UTF-8", field);
    return BRAIN_OK;
}

static int check_list(const char *const *v, size_t n, const char *field)
{
    if (n && !v)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "%s is NULL", field);
    for (size_t i = 0; i < n; i++)
        if (!v[i] || !brain__utf8_valid(v[i]))
            return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK,
                               "%s[%zu] is NULL or not valid UTF-8", field, i);
    return BRAIN_OK;
}

int brain_default_socket_path(char *buf, size_t len)
{
    if (!buf || len == 0)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "buf is NULL or empty");
    const char *sock = getenv("BRAIN_SOCKET"), *xdg = getenv("XDG_RUNTIME_DIR"), *from;
    int n;
    if (sock && *sock) {
        from = "$BRAIN_SOCKET";
        n = snprintf(buf, len, "%s", sock);
    } else if (xdg && *xdg) {
        from = "$XDG_RUNTIME_DIR/brain/brain.sock";
        n = snprintf(buf, len, "%s/brain/brain.sock", xdg);
    } else {
        from = "/tmp/brain-<uid>/brain.sock";
        n = snprintf(buf, len, "/tmp/brain-%lu/brain.sock", (unsigned long)getuid());
    }
    if (n < 0)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "cannot format the socket path");
    if (n >= BRAIN_MAX_SOCKET_PATH)
        return brain__fail(BRAIN_E_PATH_TOO_LONG, BRAIN_STATUS_OK,
                           "the default socket path (%s) is %d bytes; Unix socket paths must "
                           "be shorter than %d bytes: %s%s", from, n, BRAIN_MAX_SOCKET_PATH, buf,
                           (size_t)n >= len ? "..." : "");
    if ((size_t)n >= len)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK,
                           "the default socket path is %d bytes; a %zu-byte buffer cannot hold "
                           "it (use BRAIN_MAX_SOCKET_PATH)", n, len);
    return BRAIN_OK;
}

static int check_path(const char *path)
{
    size_t n = strlen(path);
    if (n >= BRAIN_MAX_SOCKET_PATH)
        return brain__fail(BRAIN_E_PATH_TOO_LONG, BRAIN_STATUS_OK,
                           "socket path is %zu bytes; Unix socket paths must be shorter "
                           "than %d bytes: %s", n, BRAIN_MAX_SOCKET_PATH, path);
    return BRAIN_OK;
}

static int validate(const brain_options *o)
{
    if (!o)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "options are NULL");
    if (!o->agent_name || !*o->agent_name)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "agent_name is required");
    int rc;
    if ((rc = brain__check_str(o->agent_name, "agent_name")) || (rc = brain__check_str(o->project, "project")) ||
        (rc = brain__check_str(o->token, "token")) ||
        (rc = brain__check_str(o->framework_adapter, "framework_adapter")) ||
        (rc = brain__check_str(o->capabilities_json, "capabilities_json")) ||
        (rc = brain__check_str(o->metadata_json, "metadata_json")) ||
        (rc = check_list(o->engine_adapters, o->n_engine_adapters, "engine_adapters")) ||
        (rc = check_list(o->scheduler_adapters, o->n_scheduler_adapters, "scheduler_adapters")))
        return rc;
    return BRAIN_OK;
}

static int pack_hello(brain_client *c, const brain_options *o)
{
    Brain__V1__HelloRequest h = BRAIN__V1__HELLO_REQUEST__INIT;
    h.agent_name = S(o->agent_name);
    h.project = S(o->project);
    h.token = S(o->token);
    h.protocol_version = o->protocol_version ? o->protocol_version : BRAIN_PROTOCOL_VERSION;
    h.framework_adapter = S(o->framework_adapter);
    h.n_engine_adapters = o->n_engine_adapters;
    h.engine_adapters = (char **)o->engine_adapters;
    h.n_scheduler_adapters = o->n_scheduler_adapters;
    h.scheduler_adapters = (char **)o->scheduler_adapters;
    h.capabilities_json = S(o->capabilities_json);
    h.metadata_json = S(o->metadata_json);
    Brain__V1__Request req = BRAIN__V1__REQUEST__INIT;
    req.call_id = 1;
    req.method_case = BRAIN__V1__REQUEST__METHOD_HELLO;
    req.hello = &h;
    return brain__frame_pack(&req, BRAIN__MAX_RESPONSE_BYTES, &c->hello, &c->hello_len);
}

static void destroy(brain_client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    if (c->wake[0] >= 0)
        close(c->wake[0]);
    if (c->wake[1] >= 0)
        close(c->wake[1]);
    brain__ring_free(&c->ring);
    brain__rx_free(&c->rx);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    free(c->rej);
    free(c->cmds);
    free(c->hello);
    free(c->socket_path);
    free(c);
}

int brain_connect(const brain_options *o, brain_client **out)
{
    if (!out)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "out is NULL");
    *out = NULL;
    int rc = validate(o);
    if (rc)
        return rc;
    char path[BRAIN_MAX_SOCKET_PATH];
    int defaulted = !o->socket_path || !*o->socket_path;
    if (defaulted)
        rc = brain_default_socket_path(path, sizeof path);
    else if ((rc = check_path(o->socket_path)) == BRAIN_OK)
        snprintf(path, sizeof path, "%s", o->socket_path);
    if (rc)
        return rc;
    brain_client *c = calloc(1, sizeof *c);
    if (!c)
        return brain__fail(BRAIN_E_NOMEM, BRAIN_STATUS_OK, "out of memory");
    c->fd = c->wake[0] = c->wake[1] = -1;
    pthread_mutex_init(&c->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->cv, &ca);
    pthread_condattr_destroy(&ca);
    c->socket_path = strdup(path);
    c->hb_override_ms = o->heartbeat_interval_ms;
    c->connect_timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms : DEFAULT_CONNECT_MS;
    c->max_frame = o->max_frame_bytes ? o->max_frame_bytes : DEFAULT_MAX_FRAME;
    c->reconnect_timeout_ms = o->reconnect_timeout_ms ? o->reconnect_timeout_ms
                                                      : DEFAULT_RECONNECT_MS;
    c->on_rejection = o->on_rejection;
    c->on_connection = o->on_connection;
    c->on_command = o->on_command;
    c->user = o->user;
    c->hb_call_id = 1;
    if (!c->socket_path) {
        rc = brain__fail(BRAIN_E_NOMEM, BRAIN_STATUS_OK, "out of memory");
        goto fail;
    }
    if ((rc = pack_hello(c, o)) ||
        (rc = brain__ring_init(&c->ring, o->max_unacked ? o->max_unacked : DEFAULT_MAX_UNACKED)))
        goto fail;
    if (pipe2(c->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
        rc = brain__fail(BRAIN_E_IO, BRAIN_STATUS_OK, "pipe2(): %s", strerror(errno));
        goto fail;
    }
    int attempts = 1;
    int64_t waited = 0;
    rc = brain__connect_attempts(c, o->wait_for_brain != 0, "connect", &c->fd, &c->welcome,
                                 &attempts, &waited);
    if (rc && o->wait_for_brain) {
        char why[512];
        brain_status st = brain_last_status();
        snprintf(why, sizeof why, "%s", brain_last_error());
        brain__notify(c, BRAIN_CONN_GAVE_UP, why, attempts, waited);
        brain__fail(rc, st, "%s", why); /* in case the callback called into the library */
    }
    if (rc) {
        if (defaulted && rc == BRAIN_E_CONNECT) {
            /* Say where the path came from: the caller did not name it. */
            const char *env = getenv("BRAIN_SOCKET");
            char why[400];
            snprintf(why, sizeof why, "%s", brain_last_error());
            rc = brain__fail(rc, BRAIN_STATUS_OK, "%s (%s)", why,
                             env && *env ? "the socket from $BRAIN_SOCKET"
                                         : "the default socket; set BRAIN_SOCKET or "
                                           "brain_options.socket_path to use another");
        }
        goto fail;
    }
    brain__notify(c, BRAIN_CONN_CONNECTED, "", attempts, waited);
    c->next_seq = c->welcome.last_seq + 1;
    c->acked_seq = c->welcome.last_seq;
    c->stats.connected = 1;
    c->last_tx_ms = c->last_rx_ms = brain__now_ms();
    if (pthread_create(&c->thread, NULL, brain__io_main, c) != 0) {
        rc = brain__fail(BRAIN_E_NOMEM, BRAIN_STATUS_OK, "cannot start the I/O thread");
        goto fail;
    }
    c->thread_started = 1;
    *out = c;
    return BRAIN_OK;
fail:
    destroy(c);
    return rc;
}

void brain_close(brain_client *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->stop = 1;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    brain__wake(c);
    if (c->thread_started)
        pthread_join(c->thread, NULL);
    destroy(c);
}

void brain__wake(brain_client *c)
{
    ssize_t r = write(c->wake[1], "w", 1);
    (void)r; /* a full pipe already wakes the thread */
}

void brain_get_welcome(brain_client *c, brain_welcome *out)
{
    pthread_mutex_lock(&c->mu);
    *out = c->welcome;
    pthread_mutex_unlock(&c->mu);
}

/* ------------------------------------------------------------------ publishing */

/* Assigns the next seq, has pack() encode the frame for it, buffers the frame and wakes the
 * I/O thread; the one place events enter the buffer. */
typedef int (*pack_fn)(void *ctx, uint64_t seq, size_t max_frame, uint8_t **out, size_t *len);

static int enqueue(brain_client *c, pack_fn pack, void *ctx, uint64_t *seq_out)
{
    brain__frame f = {0, NULL, 0};
    int rc = BRAIN_OK, wake = 0;

    pthread_mutex_lock(&c->mu);
    if (c->failed) {
        rc = brain__fail(BRAIN_E_FAILED, c->fail_status, "%s", c->fail_msg);
    } else if (c->ring.count >= c->ring.cap) {
        rc = brain__fail(BRAIN_E_BUFFER_FULL, BRAIN_STATUS_OK,
                         "%zu events are waiting for the brain's acknowledgement "
                         "(max_unacked); wait with brain_wait_space() and publish again",
                         c->ring.count);
    } else {
        f.seq = c->next_seq;
        rc = pack(ctx, f.seq, c->max_frame, &f.data, &f.len);
    }
    if (rc == BRAIN_OK) {
        brain__ring_push(&c->ring, f);
        c->next_seq++;
        c->stats.published++;
        if (c->want_wake && c->fd >= 0) {
            c->want_wake = 0;
            wake = 1;
        }
        if (seq_out)
            *seq_out = f.seq;
    }
    pthread_mutex_unlock(&c->mu);
    if (wake)
        brain__wake(c);
    return rc;
}

static int pack_event(void *ctx, uint64_t seq, size_t max_frame, uint8_t **out, size_t *len)
{
    Brain__V1__AgentEvent *ev = ctx;
    Brain__V1__Request req = BRAIN__V1__REQUEST__INIT;
    req.call_id = 0;
    req.method_case = BRAIN__V1__REQUEST__METHOD_PUBLISH;
    req.publish = ev;
    ev->seq = seq;
    return brain__frame_pack(&req, max_frame, out, len);
}

int brain__publish(brain_client *c, Brain__V1__AgentEvent *ev, uint64_t *seq_out)
{
    return enqueue(c, pack_event, ev, seq_out);
}

/* An encoded AgentEvent (bytes without its seq field) becomes the frame
 * [length][Request.publish (field 12): the event's bytes, then seq (field 1)]: a
 * Request with call_id 0 whose AgentEvent carries the seq assigned here. */
typedef struct encoded {
    const uint8_t *data;
    size_t len;
} encoded;

static size_t put_varint(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

static int pack_encoded(void *ctx, uint64_t seq, size_t max_frame, uint8_t **out, size_t *len)
{
    const encoded *e = ctx;
    uint8_t seqf[11], lenf[10];
    seqf[0] = 0x08; /* AgentEvent.seq: field 1, varint */
    size_t seq_len = 1 + put_varint(seqf + 1, seq);
    size_t inner = e->len + seq_len;
    size_t inner_len = put_varint(lenf, inner);
    size_t body = 1 + inner_len + inner; /* 0x62: Request.publish, field 12, length-delimited */
    if (body > max_frame || body > 0xffffffffu)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK,
                           "the event encodes to %zu bytes, more than the %zu-byte frame "
                           "limit (max_frame_bytes)", body, max_frame);
    uint8_t *f = malloc(4 + body);
    if (!f)
        return brain__fail(BRAIN_E_NOMEM, BRAIN_STATUS_OK, "out of memory");
    f[0] = (uint8_t)(body >> 24);
    f[1] = (uint8_t)(body >> 16);
    f[2] = (uint8_t)(body >> 8);
    f[3] = (uint8_t)body;
    uint8_t *p = f + 4;
    *p++ = 0x62;
    memcpy(p, lenf, inner_len);
    p += inner_len;
    if (e->len)
        memcpy(p, e->data, e->len);
    p += e->len;
    memcpy(p, seqf, seq_len);
    *out = f;
    *len = 4 + body;
    return BRAIN_OK;
}

int brain_publish_encoded(brain_client *c, const void *event, size_t len, uint64_t *seq_out)
{
    if (!c || (!event && len))
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "client and event are required");
    encoded e = {event, len};
    return enqueue(c, pack_encoded, &e, seq_out);
}

int brain_run_start(brain_client *c, const brain_run_options *o,
                    char run_id_out[BRAIN_RUN_ID_LEN], uint64_t *seq_out)
{
    static const brain_run_options none;
    if (!c)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "client is NULL");
    if (!o)
        o = &none;
    char id[BRAIN_RUN_ID_LEN];
    int rc;
    if (o->run_id) {
        if (strlen(o->run_id) >= BRAIN_RUN_ID_LEN || !*o->run_id)
            return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK,
                               "run_id must be 1 to %d characters (a UUID)", BRAIN_RUN_ID_LEN - 1);
        strcpy(id, o->run_id);
    } else if ((rc = brain__uuid4(id))) {
        return rc;
    }
    if ((rc = brain__check_str(id, "run_id")) || (rc = brain__check_str(o->goal, "goal")) ||
        (rc = brain__check_str(o->target_url, "target_url")) ||
        (rc = brain__check_str(o->initiated_by, "initiated_by")) ||
        (rc = brain__check_str(o->run_type, "run_type")) ||
        (rc = brain__check_str(o->workflow_json, "workflow_json")) ||
        (rc = brain__check_str(o->input_json, "input_json")) ||
        (rc = brain__check_str(o->metadata_json, "metadata_json")) ||
        (rc = brain__check_str(o->parent_run_id, "parent_run_id")))
        return rc;
    Brain__V1__RunCreated rcv = BRAIN__V1__RUN_CREATED__INIT;
    rcv.run_id = id;
    rcv.goal = S(o->goal);
    rcv.target_url = S(o->target_url);
    rcv.initiated_by = S(o->initiated_by);
    rcv.run_type = S(o->run_type);
    rcv.workflow_json = S(o->workflow_json);
    rcv.input_json = S(o->input_json);
    rcv.metadata_json = S(o->metadata_json);
    rcv.parent_run_id = S(o->parent_run_id);
    rcv.timeout_ms = o->timeout_ms;
    rcv.initial_status = o->queued ? BRAIN__V1__RUN_STATUS__RUN_STATUS_QUEUED
                                   : BRAIN__V1__RUN_STATUS__RUN_STATUS_RUNNING;
    rcv.created_at = brain__wall_ns();
    Brain__V1__AgentEvent ev = BRAIN__V1__AGENT_EVENT__INIT;
    ev.event_case = BRAIN__V1__AGENT_EVENT__EVENT_RUN_CREATED;
    ev.run_created = &rcv;
    rc = brain__publish(c, &ev, seq_out);
    if (rc == BRAIN_OK && run_id_out)
        memcpy(run_id_out, id, strlen(id) + 1);
    return rc;
}

int brain_step_report(brain_client *c, const brain_step *s, uint64_t *seq_out)
{
    if (!c || !s || !s->run_id || !*s->run_id)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "client, step and run_id are required");
    if (s->status < 0 || s->status > BRAIN_STEP_ERROR)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "bad step status %d", (int)s->status);
    int rc;
    if ((rc = brain__check_str(s->run_id, "run_id")) || (rc = brain__check_str(s->name, "step name")) ||
        (rc = brain__check_str(s->input_json, "input_json")) ||
        (rc = brain__check_str(s->output_json, "output_json")) || (rc = brain__check_str(s->error, "error")))
        return rc;
    Brain__V1__StepReported st = BRAIN__V1__STEP_REPORTED__INIT;
    st.run_id = S(s->run_id);
    st.seq = s->seq;
    st.step_name = S(s->name);
    st.status = s->status ? (Brain__V1__StepStatus)s->status : BRAIN__V1__STEP_STATUS__STEP_STATUS_OK;
    st.input_json = S(s->input_json);
    st.output_json = S(s->output_json);
    st.error = S(s->error);
    st.duration_ms = s->duration_ms;
    st.started_at = s->started_at_ns;
    Brain__V1__AgentEvent ev = BRAIN__V1__AGENT_EVENT__INIT;
    ev.event_case = BRAIN__V1__AGENT_EVENT__EVENT_STEP;
    ev.step = &st;
    return brain__publish(c, &ev, seq_out);
}

static int run_status(brain_client *c, Brain__V1__RunStatusChanged *rs, uint64_t *seq_out)
{
    int rc;
    if (!c || !rs->run_id || !*rs->run_id)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "client and run_id are required");
    if ((rc = brain__check_str(rs->run_id, "run_id")) || (rc = brain__check_str(rs->result_json, "result_json")) ||
        (rc = brain__check_str(rs->error_type, "error_type")) ||
        (rc = brain__check_str(rs->error_message, "error_message")) ||
        (rc = brain__check_str(rs->error_context_json, "error_context_json")))
        return rc;
    rs->at = brain__wall_ns();
    Brain__V1__AgentEvent ev = BRAIN__V1__AGENT_EVENT__INIT;
    ev.event_case = BRAIN__V1__AGENT_EVENT__EVENT_RUN_STATUS;
    ev.run_status = rs;
    return brain__publish(c, &ev, seq_out);
}

int brain_run_complete(brain_client *c, const char *run_id, const char *result_json,
                       uint64_t *seq_out)
{
    Brain__V1__RunStatusChanged rs = BRAIN__V1__RUN_STATUS_CHANGED__INIT;
    rs.run_id = (char *)run_id;
    rs.status = BRAIN__V1__RUN_STATUS__RUN_STATUS_COMPLETED;
    rs.result_json = S(result_json);
    return run_status(c, &rs, seq_out);
}

int brain_run_fail(brain_client *c, const char *run_id, const char *error_type,
                   const char *error_message, uint32_t failed_at_step,
                   const char *error_context_json, uint64_t *seq_out)
{
    Brain__V1__RunStatusChanged rs = BRAIN__V1__RUN_STATUS_CHANGED__INIT;
    rs.run_id = (char *)run_id;
    rs.status = BRAIN__V1__RUN_STATUS__RUN_STATUS_FAILED;
    rs.error_type = S(error_type);
    rs.error_message = S(error_message);
    rs.failed_at_step = failed_at_step;
    rs.error_context_json = S(error_context_json);
    return run_status(c, &rs, seq_out);
}

_Static_assert((int)BRAIN_RUN_QUEUED == (int)BRAIN__V1__RUN_STATUS__RUN_STATUS_QUEUED &&
                   (int)BRAIN_RUN_RUNNING == (int)BRAIN__V1__RUN_STATUS__RUN_STATUS_RUNNING &&
                   (int)BRAIN_RUN_PERSISTING == (int)BRAIN__V1__RUN_STATUS__RUN_STATUS_PERSISTING &&
                   (int)BRAIN_RUN_COMPLETED == (int)BRAIN__V1__RUN_STATUS__RUN_STATUS_COMPLETED &&
                   (int)BRAIN_RUN_FAILED == (int)BRAIN__V1__RUN_STATUS__RUN_STATUS_FAILED &&
                   (int)BRAIN_RUN_ABANDONED == (int)BRAIN__V1__RUN_STATUS__RUN_STATUS_ABANDONED,
               "brain_run_status must match RunStatus in brain.proto");

int brain_run_set_status(brain_client *c, const char *run_id, brain_run_status status,
                         uint64_t *seq_out)
{
    if (status != BRAIN_RUN_RUNNING && status != BRAIN_RUN_PERSISTING)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK,
                           "brain_run_set_status takes BRAIN_RUN_RUNNING or BRAIN_RUN_PERSISTING, "
                           "not %d (use brain_run_complete or brain_run_fail to finish a run)",
                           (int)status);
    Brain__V1__RunStatusChanged rs = BRAIN__V1__RUN_STATUS_CHANGED__INIT;
    rs.run_id = (char *)run_id;
    rs.status = (Brain__V1__RunStatus)status;
    return run_status(c, &rs, seq_out);
}

/* ------------------------------------------------------------------ waiting */

/* Waits on cv until done(c) or the deadline; called and returns with mu held. */
static int wait_until(brain_client *c, int (*done)(brain_client *), int64_t timeout_ms,
                      const char *what)
{
    int64_t deadline = timeout_ms < 0 ? -1 : brain__now_ms() + timeout_ms;
    while (!done(c)) {
        if (c->failed)
            return brain__fail(BRAIN_E_FAILED, c->fail_status, "%s", c->fail_msg);
        if (c->stop)
            return brain__fail(BRAIN_E_FAILED, BRAIN_STATUS_OK, "the client is closing");
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t step = 1000;
        if (deadline >= 0) {
            int64_t left = deadline - brain__now_ms();
            if (left <= 0)
                return brain__fail(BRAIN_E_TIMEOUT, BRAIN_STATUS_OK,
                                   "timed out after %lld ms waiting %s", (long long)timeout_ms, what);
            if (left < step)
                step = left;
        }
        ts.tv_sec += step / 1000;
        ts.tv_nsec += (step % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&c->cv, &c->mu, &ts);
    }
    return BRAIN_OK;
}

static int all_acked(brain_client *c) { return c->acked_seq + 1 >= c->next_seq; }
static int has_space(brain_client *c) { return c->ring.count < c->ring.cap; }

int brain_wait_acked(brain_client *c, int64_t timeout_ms)
{
    if (!c)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "client is NULL");
    pthread_mutex_lock(&c->mu);
    int rc = wait_until(c, all_acked, timeout_ms, "for every event to be acknowledged");
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int brain_wait_space(brain_client *c, int64_t timeout_ms)
{
    if (!c)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "client is NULL");
    pthread_mutex_lock(&c->mu);
    int rc = wait_until(c, has_space, timeout_ms, "for room in the event buffer");
    pthread_mutex_unlock(&c->mu);
    return rc;
}

/* ------------------------------------------------------------------ stats, rejections */

void brain_get_stats(brain_client *c, brain_stats *out)
{
    pthread_mutex_lock(&c->mu);
    *out = c->stats;
    out->last_seq = c->next_seq - 1;
    out->acked_seq = c->acked_seq;
    out->unacked = c->ring.count;
    out->connected = c->fd >= 0;
    out->failed = c->failed;
    pthread_mutex_unlock(&c->mu);
}

void brain__deliver_rejection(brain_client *c, const brain_rejection *r)
{
    pthread_mutex_lock(&c->mu);
    c->stats.rejections++;
    if (!c->on_rejection) {
        if (c->rej_count == c->rej_cap && c->rej_cap < MAX_QUEUED_REJECTIONS) {
            size_t cap = c->rej_cap ? c->rej_cap * 2 : 16;
            brain_rejection *n = malloc(cap * sizeof *n);
            if (n) {
                for (size_t i = 0; i < c->rej_count; i++)
                    n[i] = c->rej[(c->rej_head + i) % c->rej_cap];
                free(c->rej);
                c->rej = n;
                c->rej_cap = cap;
                c->rej_head = 0;
            }
        }
        if (c->rej_count < c->rej_cap) {
            c->rej[(c->rej_head + c->rej_count) % c->rej_cap] = *r;
            c->rej_count++;
        } else {
            c->stats.rejections_dropped++;
        }
    }
    pthread_mutex_unlock(&c->mu);
    if (c->on_rejection)
        c->on_rejection(c->user, r);
}

int brain_next_rejection(brain_client *c, brain_rejection *out)
{
    int got = 0;
    pthread_mutex_lock(&c->mu);
    if (c->rej_count > 0) {
        *out = c->rej[c->rej_head];
        c->rej_head = (c->rej_head + 1) % c->rej_cap;
        c->rej_count--;
        got = 1;
    }
    pthread_mutex_unlock(&c->mu);
    return got;
}
