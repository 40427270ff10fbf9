/* A fake brain speaking the wire protocol, for offline tests of the client. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "internal.h"

/* Sends the framed response, or with half = 1 only the first half of its bytes. */
static void send_some(int fd, Brain__V1__Response *r, int half)
{
    size_t n = brain__v1__response__get_packed_size(r);
    uint8_t *b = malloc(n + 4);
    b[0] = (uint8_t)(n >> 24);
    b[1] = (uint8_t)(n >> 16);
    b[2] = (uint8_t)(n >> 8);
    b[3] = (uint8_t)n;
    brain__v1__response__pack(r, b + 4);
    brain__write_all(fd, b, half ? (n + 4) / 2 : n + 4, brain__now_ms() + 2000);
    free(b);
}

static void send_response(int fd, Brain__V1__Response *r) { send_some(fd, r, 0); }

/* Handles one Request; returns 0 to keep the connection, -1 to close it. */
static int handle(fake_brain *f, int fd, const Brain__V1__Request *q, int *events)
{
    Brain__V1__Response r = BRAIN__V1__RESPONSE__INIT;
    Brain__V1__Status st = BRAIN__V1__STATUS__INIT;
    r.call_id = q->call_id;
    pthread_mutex_lock(&f->mu);
    if (q->method_case == BRAIN__V1__REQUEST__METHOD_HELLO) {
        f->hellos++;
        snprintf(f->last_agent, sizeof f->last_agent, "%s", q->hello->agent_name);
        if (f->refuse_code) {
            st.code = (Brain__V1__StatusCode)f->refuse_code;
            st.message = "fake brain refuses this hello";
            r.status = &st;
            pthread_mutex_unlock(&f->mu);
            send_response(fd, &r);
            return -1;
        }
        Brain__V1__Welcome w = BRAIN__V1__WELCOME__INIT;
        w.agent_id = "fake-agent-id";
        w.heartbeat_interval_ms = 100;
        w.heartbeat_timeout_ms = 1000;
        w.last_seq = f->last_seq;
        w.registered = f->hellos == 1;
        w.protocol_version = 1;
        w.project = "default";
        r.result_case = BRAIN__V1__RESPONSE__RESULT_WELCOME;
        r.welcome = &w;
        /* The hello race: the connection goes away while or right after the welcome is
         * sent (the brain killed again at once). */
        int half = 0, drop = 0;
        if (f->drop_in_welcome > 0) {
            f->drop_in_welcome--;
            half = drop = 1;
        } else if (f->drop_after_welcome > 0) {
            f->drop_after_welcome--;
            drop = 1;
        }
        pthread_mutex_unlock(&f->mu);
        send_some(fd, &r, half);
        return drop ? -1 : 0;
    }
    if (q->method_case == BRAIN__V1__REQUEST__METHOD_HEARTBEAT) {
        f->heartbeats++;
        pthread_mutex_unlock(&f->mu);
        Brain__V1__HeartbeatReply h = BRAIN__V1__HEARTBEAT_REPLY__INIT;
        r.result_case = BRAIN__V1__RESPONSE__RESULT_HEARTBEAT;
        r.heartbeat = &h;
        send_response(fd, &r);
        return 0;
    }
    if (q->method_case == BRAIN__V1__REQUEST__METHOD_PUBLISH) {
        uint64_t seq = q->publish->seq;
        if (f->n_seen < FAKE_MAX_SEEN) {
            f->cases[f->n_seen] = (int)q->publish->event_case;
            f->seen[f->n_seen++] = seq;
        }
        size_t packed = brain__v1__agent_event__get_packed_size(q->publish);
        if (packed <= sizeof f->last_event)
            f->last_event_len = brain__v1__agent_event__pack(q->publish, f->last_event);
        if (seq == f->last_seq + 1 && f->ack)
            f->last_seq = seq;
        int reject = f->reject_seq && seq == f->reject_seq;
        pthread_mutex_unlock(&f->mu);
        (*events)++;
        if (reject) {
            Brain__V1__EventRejected rej = BRAIN__V1__EVENT_REJECTED__INIT;
            rej.seq = seq;
            st.code = BRAIN__V1__STATUS_CODE__ALREADY_EXISTS;
            st.message = "fake conflict";
            r.status = &st;
            r.result_case = BRAIN__V1__RESPONSE__RESULT_REJECTED;
            r.rejected = &rej;
            send_response(fd, &r);
        }
        return 0;
    }
    pthread_mutex_unlock(&f->mu);
    st.code = BRAIN__V1__STATUS_CODE__UNIMPLEMENTED;
    st.message = "fake brain: unknown method";
    r.status = &st;
    send_response(fd, &r);
    return 0;
}

static void serve(fake_brain *f, int fd)
{
    brain__rxbuf rx = {0};
    for (;;) {
        pthread_mutex_lock(&f->mu);
        int quit = f->stop || f->kick;
        f->kick = 0;
        pthread_mutex_unlock(&f->mu);
        if (quit)
            break;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 20) <= 0)
            continue;
        brain__rx_reserve(&rx, 65536);
        ssize_t n = read(fd, rx.data + rx.len, rx.cap - rx.len);
        if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR)))
            break;
        if (n < 0)
            continue;
        rx.len += (size_t)n;
        const uint8_t *body;
        size_t len;
        int events = 0, close_it = 0;
        while (!close_it && brain__rx_next(&rx, 1u << 26, &body, &len) == 1) {
            Brain__V1__Request *q = brain__v1__request__unpack(NULL, len, body);
            if (!q)
                close_it = 1;
            else {
                close_it = handle(f, fd, q, &events) < 0;
                brain__v1__request__free_unpacked(q, NULL);
            }
        }
        brain__rx_compact(&rx);
        pthread_mutex_lock(&f->mu);
        int command = f->hellos > 0 && f->send_command > 0;
        Brain__V1__AgentCommand cmd = BRAIN__V1__AGENT_COMMAND__INIT;
        if (command) {
            f->send_command--;
            cmd.command_id = f->command_id;
            cmd.kind = (Brain__V1__CommandKind)f->command_kind;
            cmd.task_id = "t-1";
            cmd.task_name = "app.add";
            cmd.deadline = 123;
        }
        int ack = events && f->ack;
        Brain__V1__Ack a = BRAIN__V1__ACK__INIT;
        a.acked_seq = f->last_seq;
        pthread_mutex_unlock(&f->mu);
        if (command) {
            Brain__V1__Response r = BRAIN__V1__RESPONSE__INIT;
            r.result_case = BRAIN__V1__RESPONSE__RESULT_AGENT_COMMAND;
            r.agent_command = &cmd;
            send_response(fd, &r);
        }
        if (ack) {
            Brain__V1__Response r = BRAIN__V1__RESPONSE__INIT;
            r.result_case = BRAIN__V1__RESPONSE__RESULT_ACK;
            r.ack = &a;
            send_response(fd, &r);
        }
        if (close_it)
            break;
    }
    brain__rx_free(&rx);
    close(fd);
}

static void *fake_main(void *arg)
{
    fake_brain *f = arg;
    for (;;) {
        pthread_mutex_lock(&f->mu);
        int stop = f->stop;
        pthread_mutex_unlock(&f->mu);
        if (stop)
            break;
        struct pollfd p = {.fd = f->lfd, .events = POLLIN};
        if (poll(&p, 1, 20) <= 0)
            continue;
        int fd = accept(f->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        pthread_mutex_lock(&f->mu);
        f->connections++;
        pthread_mutex_unlock(&f->mu);
        serve(f, fd);
    }
    return NULL;
}

int fake_start(fake_brain *f, const char *dir)
{
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s/fake.sock", dir);
    unlink(f->path);
    pthread_mutex_init(&f->mu, NULL);
    f->ack = 1;
    f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", f->path);
    if (bind(f->lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(f->lfd, 8) < 0) {
        perror("fake brain bind");
        close(f->lfd);
        return -1;
    }
    return pthread_create(&f->thread, NULL, fake_main, f) == 0 ? 0 : -1;
}

void fake_stop(fake_brain *f)
{
    pthread_mutex_lock(&f->mu);
    f->stop = 1;
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL);
    close(f->lfd);
    unlink(f->path);
    pthread_mutex_destroy(&f->mu);
}

int fake_wait_seen(fake_brain *f, int n, int timeout_ms)
{
    int64_t end = brain__now_ms() + timeout_ms;
    for (;;) {
        pthread_mutex_lock(&f->mu);
        int seen = f->n_seen;
        pthread_mutex_unlock(&f->mu);
        if (seen >= n)
            return 1;
        if (brain__now_ms() > end)
            return 0;
        struct timespec ts = {0, 5 * 1000000};
        nanosleep(&ts, NULL);
    }
}
