/* The client's lifecycle: options and their validation, the socket path, the hello,
 * brain_connect (first connection, then the I/O thread) and brain_close. */
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
