/* The background I/O thread: writes buffered events in batches, reads acks and
 * rejections, sends heartbeats and reconnects (then resends) when the brain goes away. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define MAX_IOV 256
#define MAX_WRITE (1u << 20)
/* Coalescing: while frames written on this connection wait for their ack, new frames
 * wait too, for at most MAX_HOLD_US, and only while fewer than MAX_HELD wait: the ack (or
 * the end of the hold) wakes the I/O thread, which then writes all of them at once. A
 * producer faster than the brain's round trip gets large writes and few wake-ups; an
 * event published when nothing is in flight goes out at once. */
#define MAX_HELD 512
#define MAX_HOLD_US 1000
#define MAX_BACKOFF_MS 2000
#define MIN_DEAD_MS 15000

/* I/O-thread-only state not worth a field in the shared header. */
typedef struct io_state {
    int64_t awaiting_since; /* first send not yet followed by any reply; 0 = none */
    int64_t held_since_us;  /* frames have been held (coalescing) since; 0 = none */
    int hb_replies_seen;    /* the brain answers heartbeats on this connection */
} io_state;

static void give_up(brain_client *c, brain_status st, const char *msg)
{
    pthread_mutex_lock(&c->mu);
    c->failed = 1;
    c->fail_status = st;
    snprintf(c->fail_msg, sizeof c->fail_msg, "%s", msg);
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void disconnect(brain_client *c)
{
    pthread_mutex_lock(&c->mu);
    close(c->fd);
    c->fd = -1;
    c->unsent = 0;
    c->sent_off = 0;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    c->ctl_len = c->ctl_off = 0;
    brain__rx_clear(&c->rx);
}

/* ------------------------------------------------------------------ reading */

static void handle_ack(brain_client *c, uint64_t acked)
{
    pthread_mutex_lock(&c->mu);
    if (acked >= c->next_seq)
        acked = c->next_seq - 1; /* never believe acks for events not yet published */
    if (acked > c->acked_seq)
        c->acked_seq = acked;
    /* Only frames fully written on this connection can leave the buffer. */
    size_t n = brain__ring_pop_acked(&c->ring, c->acked_seq, c->unsent);
    c->unsent -= n;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void handle_response(brain_client *c, io_state *io, const Brain__V1__Response *r)
{
    int bad = r->status && r->status->code != BRAIN__V1__STATUS_CODE__OK;
    if (r->result_case == BRAIN__V1__RESPONSE__RESULT_ACK && !bad) {
        handle_ack(c, r->ack->acked_seq);
    } else if (r->result_case == BRAIN__V1__RESPONSE__RESULT_REJECTED || bad) {
        brain_rejection rej;
        memset(&rej, 0, sizeof rej);
        rej.seq = r->result_case == BRAIN__V1__RESPONSE__RESULT_REJECTED ? r->rejected->seq : 0;
        rej.code = r->status ? (brain_status)r->status->code : BRAIN_STATUS_UNKNOWN;
        snprintf(rej.message, sizeof rej.message, "%s",
                 r->status && r->status->message ? r->status->message : "");
        brain__deliver_rejection(c, &rej);
    } else if (r->result_case == BRAIN__V1__RESPONSE__RESULT_HEARTBEAT) {
        io->hb_replies_seen = 1;
    } else if (r->result_case == BRAIN__V1__RESPONSE__RESULT_AGENT_COMMAND && r->agent_command) {
        brain__handle_command(c, r->agent_command);
    }
}

/* Reads what is available and handles every whole frame; -1 = connection lost. */
static int read_in(brain_client *c, io_state *io)
{
    for (int rounds = 0; rounds < 16; rounds++) {
        if (brain__rx_reserve(&c->rx, 65536))
            return -1;
        ssize_t n = read(c->fd, c->rx.data + c->rx.len, c->rx.cap - c->rx.len);
        if (n == 0) {
            brain__fail(BRAIN_E_IO, BRAIN_STATUS_OK, "the brain closed the connection");
            return -1;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            brain__fail(BRAIN_E_IO, BRAIN_STATUS_OK, "read: %s", strerror(errno));
            return -1;
        }
        c->rx.len += (size_t)n;
        c->last_rx_ms = brain__now_ms();
        io->awaiting_since = 0;
        const uint8_t *body;
        size_t len;
        int r;
        while ((r = brain__rx_next(&c->rx, BRAIN__MAX_RESPONSE_BYTES, &body, &len)) == 1) {
            Brain__V1__Response *resp = brain__v1__response__unpack(NULL, len, body);
            if (!resp) {
                brain__fail(BRAIN_E_PROTOCOL, BRAIN_STATUS_OK, "undecodable Response");
                return -1;
            }
            handle_response(c, io, resp);
            brain__v1__response__free_unpacked(resp, NULL);
        }
        if (r < 0)
            return -1;
        brain__rx_compact(&c->rx);
    }
    return 0;
}

/* ------------------------------------------------------------------ writing */

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Microseconds new frames may still be held for the ack of those in flight (see
 * MAX_HELD), 0 = write them now; mu held. Starts the hold when frames first wait. */
static int64_t hold_left(const brain_client *c, io_state *io, int64_t now_us)
{
    size_t waiting = c->ring.count - c->unsent;
    if (c->unsent == 0 || c->sent_off != 0 || waiting == 0 || waiting >= MAX_HELD) {
        io->held_since_us = 0;
        return 0;
    }
    if (!io->held_since_us)
        io->held_since_us = now_us;
    int64_t left = MAX_HOLD_US - (now_us - io->held_since_us);
    if (left <= 0) {
        io->held_since_us = 0;
        return 0;
    }
    return left;
}

/* Writes the pending heartbeat and as many buffered frames as the socket takes, many
 * frames per sendmsg(). -1 = connection lost. */
static int flush_out(brain_client *c, io_state *io)
{
    for (;;) {
        struct iovec iov[MAX_IOV];
        int niov = 0, events = 0;
        size_t total = 0;
        if (c->ctl_len > c->ctl_off) {
            iov[niov].iov_base = c->ctl + c->ctl_off;
            iov[niov++].iov_len = c->ctl_len - c->ctl_off;
            total += c->ctl_len - c->ctl_off;
        }
        pthread_mutex_lock(&c->mu);
        size_t end = hold_left(c, io, mono_us()) ? c->unsent : c->ring.count;
        for (size_t i = c->unsent; i < end && niov < MAX_IOV && total < MAX_WRITE; i++) {
            brain__frame *f = brain__ring_at(&c->ring, i);
            size_t off = i == c->unsent ? c->sent_off : 0;
            iov[niov].iov_base = f->data + off;
            iov[niov++].iov_len = f->len - off;
            total += f->len - off;
            events = 1;
        }
        pthread_mutex_unlock(&c->mu);
        if (niov == 0)
            return 0;
        struct msghdr msg;
        memset(&msg, 0, sizeof msg);
        msg.msg_iov = iov;
        msg.msg_iovlen = (size_t)niov;
        ssize_t n = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            brain__fail(BRAIN_E_IO, BRAIN_STATUS_OK, "write: %s", strerror(errno));
            return -1;
        }
        c->last_tx_ms = brain__now_ms();
        if ((events || io->hb_replies_seen) && !io->awaiting_since)
            io->awaiting_since = c->last_tx_ms;
        size_t left = (size_t)n;
        size_t k = c->ctl_len - c->ctl_off;
        if (k > left)
            k = left;
        c->ctl_off += k;
        left -= k;
        if (c->ctl_off == c->ctl_len)
            c->ctl_len = c->ctl_off = 0;
        pthread_mutex_lock(&c->mu);
        while (left > 0) {
            brain__frame *f = brain__ring_at(&c->ring, c->unsent);
            size_t rem = f->len - c->sent_off;
            if (left >= rem) {
                left -= rem;
                c->unsent++;
                c->sent_off = 0;
            } else {
                c->sent_off += left;
                left = 0;
            }
        }
        pthread_mutex_unlock(&c->mu);
        if ((size_t)n < total)
            return 0; /* the socket is full; poll for POLLOUT */
    }
}

static void queue_heartbeat(brain_client *c)
{
    Brain__V1__HeartbeatRequest hb = BRAIN__V1__HEARTBEAT_REQUEST__INIT;
    hb.sent_at = brain__wall_ns();
    Brain__V1__Request req = BRAIN__V1__REQUEST__INIT;
    req.call_id = ++c->hb_call_id;
    req.method_case = BRAIN__V1__REQUEST__METHOD_HEARTBEAT;
    req.heartbeat = &hb;
    size_t n = brain__v1__request__get_packed_size(&req);
    if (n + 4 > sizeof c->ctl)
        return;
    c->ctl[0] = 0;
    c->ctl[1] = 0;
    c->ctl[2] = (uint8_t)(n >> 8);
    c->ctl[3] = (uint8_t)n;
    brain__v1__request__pack(&req, c->ctl + 4);
    c->ctl_len = n + 4;
    c->ctl_off = 0;
}

/* ------------------------------------------------------------------ reconnecting */

/* Sleeps up to ms unless the client is stopping; 0 = stopping. */
static int nap(brain_client *c, int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&c->mu);
    if (!c->stop)
        pthread_cond_timedwait(&c->cv, &c->mu, &ts);
    int go = !c->stop;
    pthread_mutex_unlock(&c->mu);
    return go;
}

static void install(brain_client *c, io_state *io, int fd, const brain_welcome *w)
{
    pthread_mutex_lock(&c->mu);
    c->fd = fd;
    if (w->last_seq >= c->next_seq)
        c->next_seq = w->last_seq + 1;
    if (w->last_seq > c->acked_seq)
        c->acked_seq = w->last_seq;
    brain__ring_pop_acked(&c->ring, c->acked_seq, c->ring.count);
    c->stats.resent += c->ring.count; /* everything still buffered goes out again */
    c->stats.reconnects++;
    c->unsent = 0;
    c->sent_off = 0;
    c->welcome = *w;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    c->last_tx_ms = c->last_rx_ms = brain__now_ms();
    io->awaiting_since = 0;
    io->hb_replies_seen = 0;
}

static int permanent(brain_status st)
{
    return st == BRAIN_STATUS_UNAUTHENTICATED || st == BRAIN_STATUS_FAILED_PRECONDITION ||
           st == BRAIN_STATUS_PERMISSION_DENIED || st == BRAIN_STATUS_INVALID_ARGUMENT;
}

void brain__notify(brain_client *c, brain_conn_event ev, const char *message, int attempt,
                   int64_t waited_ms)
{
    if (!c->on_connection)
        return;
    brain_conn_info info;
    memset(&info, 0, sizeof info);
    info.event = ev;
    info.socket_path = c->socket_path;
    info.message = message ? message : "";
    info.attempt = attempt;
    info.waited_ms = waited_ms;
    info.timeout_ms = c->reconnect_timeout_ms;
    c->on_connection(c->user, &info);
}

int brain__connect_attempts(brain_client *c, int retry, const char *what, int *fd_out,
                            brain_welcome *w, int *attempts, int64_t *waited_ms)
{
    int64_t start = brain__now_ms(), backoff = 50;
    for (int attempt = 1;; attempt++) {
        int rc = brain__handshake(c->socket_path, c->hello, c->hello_len,
                                  c->connect_timeout_ms, &c->rx, fd_out, w);
        int64_t waited = brain__now_ms() - start;
        if (rc == BRAIN_OK) {
            *attempts = attempt;
            *waited_ms = waited;
            return BRAIN_OK;
        }
        if (!retry)
            return rc;
        brain_status st = brain_last_status();
        char why[400], msg[512];
        snprintf(why, sizeof why, "%s", brain_last_error());
        *attempts = attempt;
        *waited_ms = waited;
        if (rc == BRAIN_E_REFUSED && permanent(st))
            return brain__fail(rc, st, "%s", why);
        if (c->reconnect_timeout_ms >= 0 && waited >= c->reconnect_timeout_ms) {
            snprintf(msg, sizeof msg, "could not %s to the brain at %s within %lld ms: %s", what,
                     c->socket_path, (long long)c->reconnect_timeout_ms, why);
            return brain__fail(rc, st, "%s", msg);
        }
        brain__notify(c, BRAIN_CONN_RETRYING, why, attempt, waited);
        int64_t sleep = backoff;
        if (c->reconnect_timeout_ms >= 0 && sleep > c->reconnect_timeout_ms - waited)
            sleep = c->reconnect_timeout_ms - waited;
        if (sleep > 0 && !nap(c, sleep))
            return brain__fail(BRAIN_E_FAILED, BRAIN_STATUS_OK, "the client is closing");
        backoff = backoff * 2 > MAX_BACKOFF_MS ? MAX_BACKOFF_MS : backoff * 2;
    }
}

/* Reconnects with exponential backoff; 1 = connected, 0 = gave up or stopping. A
 * connection that closes right after its welcome (even before install) is no problem:
 * the loop sees EOF or EPIPE on it like on any other and comes back here. */
static int reconnect(brain_client *c, io_state *io)
{
    int fd = -1, attempts = 0;
    int64_t waited = 0;
    brain_welcome w;
    int rc = brain__connect_attempts(c, 1, "reconnect", &fd, &w, &attempts, &waited);
    if (rc != BRAIN_OK) {
        char why[512];
        snprintf(why, sizeof why, "%s", brain_last_error());
        give_up(c, brain_last_status(), why);
        if (rc != BRAIN_E_FAILED) /* not closing: the client has failed; say so */
            brain__notify(c, BRAIN_CONN_GAVE_UP, why, attempts, waited);
        return 0;
    }
    install(c, io, fd, &w);
    brain__notify(c, BRAIN_CONN_CONNECTED, "", attempts, waited);
    return 1;
}

/* ------------------------------------------------------------------ the loop */

void *brain__io_main(void *arg)
{
    brain_client *c = arg;
    io_state io = {0, 0, 0};
    pthread_mutex_lock(&c->mu);
    while (!c->stop) {
        if (c->fd < 0) {
            pthread_mutex_unlock(&c->mu);
            int ok = reconnect(c, &io);
            pthread_mutex_lock(&c->mu);
            if (!ok)
                break;
            continue;
        }
        int64_t hold_us = hold_left(c, &io, mono_us());
        int pending = (c->unsent < c->ring.count && !hold_us) || c->ctl_len > 0;
        /* Idle, or only waiting for an ack: the next publish wakes the thread (and starts
         * a hold). Holding: the ack or the poll timeout below ends it. */
        c->want_wake = !pending && !hold_us;
        uint32_t hb = c->hb_override_ms ? c->hb_override_ms : c->welcome.heartbeat_interval_ms;
        int64_t dead_ms = 2 * (int64_t)c->welcome.heartbeat_timeout_ms;
        pthread_mutex_unlock(&c->mu);
        if (hb == 0)
            hb = 5000;
        if (dead_ms < MIN_DEAD_MS)
            dead_ms = MIN_DEAD_MS;

        int64_t now = brain__now_ms();
        int64_t timeout = pending ? 1000 : c->last_tx_ms + hb - now;
        if (timeout > 1000)
            timeout = 1000;
        if (hold_us && timeout > (hold_us + 999) / 1000)
            timeout = (hold_us + 999) / 1000;
        if (timeout < 0)
            timeout = 0;
        struct pollfd p[2] = {
            {.fd = c->fd, .events = (short)(POLLIN | (pending ? POLLOUT : 0))},
            {.fd = c->wake[0], .events = POLLIN},
        };
        if (poll(p, 2, (int)timeout) < 0 && errno != EINTR)
            brain__fail(BRAIN_E_IO, BRAIN_STATUS_OK, "poll: %s", strerror(errno));
        if (p[1].revents & POLLIN) {
            char drain[256];
            while (read(c->wake[0], drain, sizeof drain) > 0) {
            }
        }
        int lost = 0;
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
            lost = read_in(c, &io) < 0;
        if (!lost)
            lost = flush_out(c, &io) < 0;
        now = brain__now_ms();
        if (!lost && c->ctl_len == 0 && now - c->last_tx_ms >= hb) {
            pthread_mutex_lock(&c->mu);
            int idle = c->unsent >= c->ring.count;
            pthread_mutex_unlock(&c->mu);
            if (idle) {
                queue_heartbeat(c);
                lost = flush_out(c, &io) < 0;
            }
        }
        if (!lost && io.awaiting_since && now - io.awaiting_since > dead_ms) {
            /* the brain stopped answering: treat it as gone */
            lost = 1;
            brain__fail(BRAIN_E_IO, BRAIN_STATUS_OK, "the brain did not answer for %lld ms",
                        (long long)(now - io.awaiting_since));
        }
        if (lost) {
            char why[512];
            snprintf(why, sizeof why, "%s", brain_last_error());
            disconnect(c);
            brain__notify(c, BRAIN_CONN_LOST, why, 0, 0);
        }
        pthread_mutex_lock(&c->mu);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}
