/* Tests for libbrain: main(), shared helpers and the offline tests (framing, arguments,
 * a fake in-process brain). test_real.c holds the tests that start the real brain
 * ($BRAIN_BIN, default the repository's .build/debug/brain) in a temp dir; they are skipped
 * (reported, not counted) when that binary does not exist. A brain that forgets
 * acknowledged events on SIGKILL fails the durability test. Ends with "N passed, M failed"; exits nonzero on
 * any failure. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "internal.h"

char tmpdir[64];
char exe_dir[512];

void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

void base_opts(brain_options *o, const char *sock, const char *agent)
{
    brain_options_init(o);
    o->socket_path = sock;
    o->agent_name = agent;
    /* One token per agent: the brain keeps each token to one agent (seed 002). */
    o->token = agent ? agent : "secret-token";
    o->connect_timeout_ms = 5000;
}

void env_keep(env_save *e)
{
    const char *a = getenv("BRAIN_SOCKET"), *b = getenv("XDG_RUNTIME_DIR");
    e->brain_socket = a ? strdup(a) : NULL;
    e->xdg_runtime_dir = b ? strdup(b) : NULL;
}

void env_put(const char *name, const char *value)
{
    if (value)
        setenv(name, value, 1);
    else
        unsetenv(name);
}

void env_restore(env_save *e)
{
    env_put("BRAIN_SOCKET", e->brain_socket);
    env_put("XDG_RUNTIME_DIR", e->xdg_runtime_dir);
    free(e->brain_socket);
    free(e->xdg_runtime_dir);
}

void conn_log_init(conn_log *l)
{
    memset(l, 0, sizeof *l);
    pthread_mutex_init(&l->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&l->cv, &ca);
    pthread_condattr_destroy(&ca);
}

void conn_log_destroy(conn_log *l)
{
    pthread_cond_destroy(&l->cv);
    pthread_mutex_destroy(&l->mu);
}

void conn_log_fn(void *user, const brain_conn_info *info)
{
    conn_log *l = user;
    pthread_mutex_lock(&l->mu);
    if (l->n < CONN_LOG_MAX) {
        l->ev[l->n] = info->event;
        l->attempt[l->n] = info->attempt;
        snprintf(l->msg[l->n], sizeof l->msg[0], "%s", info->message);
        snprintf(l->path[l->n], sizeof l->path[0], "%s", info->socket_path);
        l->n++;
    }
    if (info->event == BRAIN_CONN_RETRYING && l->start_fake && !l->fake_started)
        l->fake_started = fake_start(l->start_fake, l->dir) == 0 ? 1 : -1;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

int conn_log_wait(conn_log *l, brain_conn_event ev, int from, int timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    int found = -1;
    pthread_mutex_lock(&l->mu);
    for (;;) {
        for (int i = from; i < l->n && found < 0; i++)
            if (l->ev[i] == ev)
                found = i;
        if (found >= 0 || pthread_cond_timedwait(&l->cv, &l->mu, &ts) == ETIMEDOUT)
            break;
    }
    for (int i = from; i < l->n && found < 0; i++)
        if (l->ev[i] == ev)
            found = i;
    pthread_mutex_unlock(&l->mu);
    return found;
}

static const char *conn_event_name(brain_conn_event ev)
{
    switch (ev) {
    case BRAIN_CONN_CONNECTED: return "CONNECTED";
    case BRAIN_CONN_LOST: return "LOST";
    case BRAIN_CONN_RETRYING: return "RETRYING";
    case BRAIN_CONN_GAVE_UP: return "GAVE_UP";
    default: return "?";
    }
}

/* "CONNECTED LOST ..." for messages. */
static const char *conn_log_str(conn_log *l, char *buf, size_t n)
{
    buf[0] = '\0';
    pthread_mutex_lock(&l->mu);
    for (int i = 0; i < l->n; i++)
        snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", i ? " " : "", conn_event_name(l->ev[i]));
    pthread_mutex_unlock(&l->mu);
    return buf;
}

/* ================================================================= offline */

static int test_path_too_long(void)
{
    char path[200];
    memset(path, 'x', sizeof path);
    path[0] = '/';
    path[104] = '\0'; /* 104 bytes: one too many */
    brain_options o;
    base_opts(&o, path, "agent");
    brain_client *c = (brain_client *)1;
    int rc = brain_connect(&o, &c);
    CHECK(rc == BRAIN_E_PATH_TOO_LONG && c == NULL, "got %s", brain_err_name(rc));
    CHECK(strstr(brain_last_error(), "104") != NULL, "message: %s", brain_last_error());
    path[103] = '\0'; /* 103 bytes is allowed: fails later, at connect */
    rc = brain_connect(&o, &c);
    CHECK(rc == BRAIN_E_CONNECT, "103-byte path: %s", brain_err_name(rc));
    return PASS;
}

static int test_bad_arguments(void)
{
    brain_client *c;
    brain_options o;
    base_opts(&o, "/nonexistent/brain.sock", NULL);
    CHECK(brain_connect(&o, &c) == BRAIN_E_INVALID, "missing agent name accepted");
    base_opts(&o, "/nonexistent/brain.sock", "bad\xff-name");
    CHECK(brain_connect(&o, &c) == BRAIN_E_INVALID, "invalid UTF-8 accepted");
    base_opts(&o, "/nonexistent/brain.sock", "agent");
    CHECK(brain_connect(&o, &c) == BRAIN_E_CONNECT, "missing socket");
    CHECK(strstr(brain_last_error(), "/nonexistent/brain.sock"), "message: %s", brain_last_error());
    CHECK(brain_run_set_status(NULL, "r", BRAIN_RUN_RUNNING, NULL) == BRAIN_E_INVALID, "NULL client");
    CHECK(brain_run_set_status(NULL, "r", BRAIN_RUN_COMPLETED, NULL) == BRAIN_E_INVALID &&
          strstr(brain_last_error(), "brain_run_complete"), "COMPLETED: %s", brain_last_error());
    CHECK(brain__utf8_valid("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"), "valid UTF-8 refused");
    CHECK(!brain__utf8_valid("\xc0\xaf") && !brain__utf8_valid("\xed\xa0\x80") &&
          !brain__utf8_valid("\xe2\x82"), "overlong/surrogate/truncated accepted");
    return PASS;
}

/* brain_default_socket_path: $BRAIN_SOCKET, else $XDG_RUNTIME_DIR/brain/brain.sock, else
 * /tmp/brain-<uid>/brain.sock (set-but-empty counts as unset); brain_connect uses it for
 * a NULL or empty socket_path. */
static int default_socket_checks(void)
{
    char buf[BRAIN_MAX_SOCKET_PATH], want[BRAIN_MAX_SOCKET_PATH + 64], longdir[200];
    int rc;
    env_put("BRAIN_SOCKET", "/srv/brain/b.sock");
    env_put("XDG_RUNTIME_DIR", "/run/user/4242");
    rc = brain_default_socket_path(buf, sizeof buf);
    CHECK(rc == BRAIN_OK && !strcmp(buf, "/srv/brain/b.sock"), "BRAIN_SOCKET set: %s %s", brain_err_name(rc), buf);
    env_put("BRAIN_SOCKET", "");
    rc = brain_default_socket_path(buf, sizeof buf);
    CHECK(rc == BRAIN_OK && !strcmp(buf, "/run/user/4242/brain/brain.sock"), "BRAIN_SOCKET empty: %s", buf);
    env_put("BRAIN_SOCKET", NULL);
    rc = brain_default_socket_path(buf, sizeof buf);
    CHECK(rc == BRAIN_OK && !strcmp(buf, "/run/user/4242/brain/brain.sock"), "BRAIN_SOCKET unset: %s", buf);
    snprintf(want, sizeof want, "/tmp/brain-%lu/brain.sock", (unsigned long)getuid());
    env_put("XDG_RUNTIME_DIR", "");
    rc = brain_default_socket_path(buf, sizeof buf);
    CHECK(rc == BRAIN_OK && !strcmp(buf, want), "XDG_RUNTIME_DIR empty: %s, want %s", buf, want);
    env_put("XDG_RUNTIME_DIR", NULL);
    rc = brain_default_socket_path(buf, sizeof buf);
    CHECK(rc == BRAIN_OK && !strcmp(buf, want), "nothing set: %s, want %s", buf, want);

    /* 103 bytes is a usable path, 104 is not (like the brain's limit). */
    memset(longdir, 'd', sizeof longdir);
    longdir[0] = '/';
    longdir[103] = '\0';
    env_put("BRAIN_SOCKET", longdir);
    CHECK(brain_default_socket_path(buf, sizeof buf) == BRAIN_OK && strlen(buf) == 103, "103 bytes");
    longdir[103] = 'd';
    longdir[104] = '\0';
    env_put("BRAIN_SOCKET", longdir);
    rc = brain_default_socket_path(buf, sizeof buf);
    CHECK(rc == BRAIN_E_PATH_TOO_LONG && strstr(brain_last_error(), "$BRAIN_SOCKET") &&
          strstr(brain_last_error(), "104"), "104 bytes: %s", brain_err_name(rc));
    env_put("BRAIN_SOCKET", NULL);
    longdir[100] = '\0'; /* + "/brain/brain.sock" */
    env_put("XDG_RUNTIME_DIR", longdir);
    rc = brain_default_socket_path(buf, sizeof buf);
    CHECK(rc == BRAIN_E_PATH_TOO_LONG && strstr(brain_last_error(), "XDG_RUNTIME_DIR"),
          "long XDG_RUNTIME_DIR: %s", brain_err_name(rc));
    brain_options o;
    brain_client *c = NULL;
    base_opts(&o, NULL, "agent");
    rc = brain_connect(&o, &c);
    CHECK(rc == BRAIN_E_PATH_TOO_LONG && !c, "connect with a too long default: %s", brain_err_name(rc));
    char small[8];
    env_put("BRAIN_SOCKET", "/srv/brain/b.sock");
    CHECK(brain_default_socket_path(small, sizeof small) == BRAIN_E_INVALID, "8-byte buffer");
    CHECK(brain_default_socket_path(NULL, 64) == BRAIN_E_INVALID, "NULL buffer");

    /* brain_connect with socket_path NULL or "": the default socket, named in the error. */
    env_put("BRAIN_SOCKET", NULL);
    snprintf(longdir, sizeof longdir, "%s/xdg", tmpdir);
    env_put("XDG_RUNTIME_DIR", longdir);
    snprintf(want, sizeof want, "cannot connect to the brain at %s/xdg/brain/brain.sock", tmpdir);
    for (int empty = 0; empty < 2; empty++) {
        base_opts(&o, empty ? "" : NULL, "agent");
        rc = brain_connect(&o, &c);
        CHECK(rc == BRAIN_E_CONNECT && !c, "connect to a missing default socket: %s", brain_err_name(rc));
        CHECK(strstr(brain_last_error(), want) && strstr(brain_last_error(), "the default socket"),
              "message: %s", brain_last_error());
    }
    /* ... and with BRAIN_SOCKET naming a (fake) brain, it connects there. */
    fake_brain f;
    CHECK(fake_start(&f, tmpdir) == 0, "fake brain");
    env_put("BRAIN_SOCKET", f.path);
    base_opts(&o, NULL, "default-socket-agent");
    rc = brain_connect(&o, &c);
    if (rc == BRAIN_OK) {
        rc = brain_run_start(c, NULL, NULL, NULL);
        if (rc == BRAIN_OK)
            rc = brain_wait_acked(c, 5000);
        brain_close(c);
    }
    fake_stop(&f);
    CHECK(rc == BRAIN_OK, "socket_path NULL + BRAIN_SOCKET: %s", brain_err_name(rc));
    CHECK(f.hellos == 1 && !strcmp(f.last_agent, "default-socket-agent"), "the fake saw %d hellos", f.hellos);
    return PASS;
}

static int test_default_socket_path(void)
{
    env_save e;
    env_keep(&e);
    int r = default_socket_checks();
    env_restore(&e);
    return r;
}

static int test_encode_round_trip(void)
{
    Brain__V1__StepReported st = BRAIN__V1__STEP_REPORTED__INIT;
    st.run_id = "run-1";
    st.seq = 7;
    st.step_name = "click";
    st.status = BRAIN__V1__STEP_STATUS__STEP_STATUS_SKIP;
    st.input_json = "{\"a\":1}";
    st.duration_ms = 12;
    Brain__V1__AgentEvent ev = BRAIN__V1__AGENT_EVENT__INIT;
    ev.seq = 99;
    ev.event_case = BRAIN__V1__AGENT_EVENT__EVENT_STEP;
    ev.step = &st;
    Brain__V1__Request q = BRAIN__V1__REQUEST__INIT;
    q.method_case = BRAIN__V1__REQUEST__METHOD_PUBLISH;
    q.publish = &ev;
    uint8_t *f;
    size_t n;
    CHECK(brain__frame_pack(&q, 1 << 20, &f, &n) == BRAIN_OK, "pack");
    CHECK(n > 4 && ((size_t)f[0] << 24 | (size_t)f[1] << 16 | (size_t)f[2] << 8 | f[3]) == n - 4,
          "length prefix");
    uint8_t *f2 = NULL;
    size_t n2;
    int small = brain__frame_pack(&q, 8, &f2, &n2);
    if (small != BRAIN_E_INVALID)
        free(f2);
    CHECK(small == BRAIN_E_INVALID, "a frame over max_frame_bytes was packed");
    /* Two frames fed one byte at a time come out whole, in order. */
    brain__rxbuf rx = {0};
    int frames = 0;
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < n; i++) {
            brain__rx_reserve(&rx, 1);
            rx.data[rx.len++] = f[i];
            const uint8_t *body;
            size_t len;
            while (brain__rx_next(&rx, 1 << 20, &body, &len) == 1) {
                Brain__V1__Request *back = brain__v1__request__unpack(NULL, len, body);
                int ok = back && back->method_case == BRAIN__V1__REQUEST__METHOD_PUBLISH &&
                         back->publish->seq == 99 && back->publish->step->seq == 7 &&
                         !strcmp(back->publish->step->step_name, "click") &&
                         !strcmp(back->publish->step->output_json, "") &&
                         back->publish->step->duration_ms == 12;
                if (back)
                    brain__v1__request__free_unpacked(back, NULL);
                if (!ok) {
                    free(f);
                    brain__rx_free(&rx);
                }
                CHECK(ok, "decoded event differs");
                frames++;
            }
            brain__rx_compact(&rx);
        }
    free(f);
    brain__rx_free(&rx);
    CHECK(frames == 2, "%d frames decoded", frames);
    /* An oversized announced length is refused. */
    uint8_t huge[4] = {0x7f, 0xff, 0xff, 0xff};
    brain__rxbuf r2 = {0};
    brain__rx_reserve(&r2, 4);
    memcpy(r2.data, huge, 4);
    r2.len = 4;
    const uint8_t *b;
    size_t l;
    int rc = brain__rx_next(&r2, 1 << 20, &b, &l);
    brain__rx_free(&r2);
    CHECK(rc == BRAIN_E_PROTOCOL, "oversized frame accepted");
    return PASS;
}

static int test_fake_welcome_and_seq(void)
{
    fake_brain f;
    CHECK(fake_start(&f, tmpdir) == 0, "fake brain");
    f.last_seq = 41;
    brain_options o;
    base_opts(&o, f.path, "fake-agent");
    brain_client *c;
    int rc = brain_connect(&o, &c);
    if (rc) {
        fake_stop(&f);
        CHECK(0, "connect: %s", brain_err_name(rc));
    }
    uint64_t seq = 0;
    char run[BRAIN_RUN_ID_LEN];
    rc = brain_run_start(c, NULL, run, &seq);
    int acked = brain_wait_acked(c, 5000);
    sleep_ms(350); /* the fake asks for heartbeats every 100 ms */
    brain_close(c);
    fake_stop(&f);
    CHECK(rc == BRAIN_OK && seq == 42, "first seq %llu, want welcome.last_seq + 1 = 42", (unsigned long long)seq);
    CHECK(strlen(run) == 36 && run[14] == '4' && strchr("89ab", run[19]), "not a UUIDv4: %s", run);
    CHECK(acked == BRAIN_OK, "not acked");
    CHECK(f.heartbeats >= 2, "%d heartbeats in 350 ms at a 100 ms interval", f.heartbeats);
    CHECK(!strcmp(f.last_agent, "fake-agent"), "hello agent name %s", f.last_agent);
    return PASS;
}

static int test_fake_refused(void)
{
    fake_brain f;
    CHECK(fake_start(&f, tmpdir) == 0, "fake brain");
    f.refuse_code = BRAIN_STATUS_UNAUTHENTICATED;
    brain_options o;
    base_opts(&o, f.path, "fake-agent");
    brain_client *c = NULL;
    int rc = brain_connect(&o, &c);
    fake_stop(&f);
    CHECK(rc == BRAIN_E_REFUSED && !c, "got %s", brain_err_name(rc));
    CHECK(brain_last_status() == BRAIN_STATUS_UNAUTHENTICATED, "status %s", brain_status_name(brain_last_status()));
    CHECK(strstr(brain_last_error(), "fake brain refuses this hello"), "message: %s", brain_last_error());
    return PASS;
}

/* A brain that never acks: the bounded buffer fills and publishing says so. */
static int test_buffer_full(void)
{
    fake_brain f;
    CHECK(fake_start(&f, tmpdir) == 0, "fake brain");
    f.ack = 0;
    brain_options o;
    base_opts(&o, f.path, "fake-agent");
    o.max_unacked = 8;
    brain_client *c;
    CHECK(brain_connect(&o, &c) == BRAIN_OK, "connect");
    char run[BRAIN_RUN_ID_LEN];
    int rc = brain_run_start(c, NULL, run, NULL), accepted = rc == BRAIN_OK;
    for (uint32_t i = 1; i <= 7 && rc == BRAIN_OK; i++) {
        brain_step st = {.run_id = run, .seq = i, .name = "s"};
        rc = brain_step_report(c, &st, NULL);
        accepted += rc == BRAIN_OK;
    }
    brain_step st9 = {.run_id = run, .seq = 8, .name = "s"};
    int full = brain_step_report(c, &st9, NULL);
    char msg[512];
    snprintf(msg, sizeof msg, "%s", brain_last_error());
    int space = brain_wait_space(c, 200), acked = brain_wait_acked(c, 200);
    brain_stats s;
    brain_get_stats(c, &s);
    /* Now let the brain catch up: it acks, the buffer drains. */
    pthread_mutex_lock(&f.mu);
    f.ack = 1;
    f.kick = 1; /* reconnect so everything is resent and acked */
    pthread_mutex_unlock(&f.mu);
    int later = brain_wait_acked(c, 5000), again = brain_step_report(c, &st9, NULL);
    int final = brain_wait_acked(c, 5000);
    brain_close(c);
    fake_stop(&f);
    CHECK(accepted == 8, "%d accepted", accepted);
    CHECK(full == BRAIN_E_BUFFER_FULL, "9th publish: %s", brain_err_name(full));
    CHECK(strstr(msg, "8 events are waiting"), "message: %s", msg);
    CHECK(space == BRAIN_E_TIMEOUT && acked == BRAIN_E_TIMEOUT, "waits: %s %s",
          brain_err_name(space), brain_err_name(acked));
    CHECK(s.unacked == 8 && s.last_seq == 8 && s.acked_seq == 0, "stats unacked %llu last %llu",
          (unsigned long long)s.unacked, (unsigned long long)s.last_seq);
    CHECK(later == BRAIN_OK && again == BRAIN_OK && final == BRAIN_OK, "after acks: %s %s %s",
          brain_err_name(later), brain_err_name(again), brain_err_name(final));
    return PASS;
}

/* The brain loses the connection having kept seqs 1..4: exactly 5..10 are resent. */
static int test_fake_resend(void)
{
    fake_brain f;
    CHECK(fake_start(&f, tmpdir) == 0, "fake brain");
    f.ack = 0;
    brain_options o;
    base_opts(&o, f.path, "fake-agent");
    brain_client *c;
    CHECK(brain_connect(&o, &c) == BRAIN_OK, "connect");
    char run[BRAIN_RUN_ID_LEN];
    brain_run_start(c, NULL, run, NULL);
    for (uint32_t i = 1; i <= 9; i++) {
        brain_step st = {.run_id = run, .seq = i, .name = "s"};
        brain_step_report(c, &st, NULL);
    }
    int seen = fake_wait_seen(&f, 10, 5000);
    pthread_mutex_lock(&f.mu);
    f.last_seq = 4;
    f.ack = 1;
    f.kick = 1;
    pthread_mutex_unlock(&f.mu);
    int rc = brain_wait_acked(c, 5000);
    brain_stats s;
    brain_get_stats(c, &s);
    brain_close(c);
    fake_stop(&f);
    CHECK(seen, "the fake saw %d events", f.n_seen);
    CHECK(rc == BRAIN_OK, "not acked after reconnect");
    CHECK(f.n_seen == 16, "%d events seen, want 10 + 6 resent", f.n_seen);
    for (int i = 0; i < 6; i++)
        CHECK(f.seen[10 + i] == (uint64_t)(5 + i), "resend %d has seq %llu", i, (unsigned long long)f.seen[10 + i]);
    CHECK(s.reconnects == 1 && s.resent == 6, "reconnects %llu resent %llu",
          (unsigned long long)s.reconnects, (unsigned long long)s.resent);
    return PASS;
}

/* The hello race: reconnects whose connection drops in the middle of the welcome, and
 * right after it (before the client sent anything on it). The client must keep
 * reconnecting (the Swift client once stopped, taking such a connection for a live one),
 * resend exactly what the brain lacks once a connection holds, and lose nothing. */
static int test_fake_hello_race(void)
{
    fake_brain f;
    CHECK(fake_start(&f, tmpdir) == 0, "fake brain");
    f.ack = 0; /* keep nothing yet */
    conn_log l;
    conn_log_init(&l);
    brain_options o;
    base_opts(&o, f.path, "race-agent");
    o.on_connection = conn_log_fn;
    o.user = &l;
    o.reconnect_timeout_ms = 10000;
    brain_client *c;
    int rc = brain_connect(&o, &c);
    if (rc) {
        fake_stop(&f);
        conn_log_destroy(&l);
        CHECK(0, "connect: %s", brain_err_name(rc));
    }
    char run[BRAIN_RUN_ID_LEN];
    brain_run_start(c, NULL, run, NULL);
    for (uint32_t i = 1; i <= 9; i++) {
        brain_step st = {.run_id = run, .seq = i, .name = "s"};
        brain_step_report(c, &st, NULL);
    }
    brain_run_complete(c, run, NULL, NULL); /* seqs 1..11, none acked */
    int seen = fake_wait_seen(&f, 11, 5000);
    pthread_mutex_lock(&f.mu);
    f.last_seq = 3;           /* the brain kept 1..3 */
    f.ack = 1;
    f.drop_in_welcome = 1;    /* reconnect 1: half a welcome, then gone */
    f.drop_after_welcome = 2; /* reconnects 2 and 3: a whole welcome, then gone */
    f.kick = 1;
    pthread_mutex_unlock(&f.mu);
    rc = brain_wait_acked(c, 15000); /* bounded: a stuck client fails here, not hangs */
    brain_stats s;
    brain_get_stats(c, &s);
    brain_close(c);
    fake_stop(&f);
    char events[400];
    conn_log_str(&l, events, sizeof events);
    conn_log_destroy(&l);
    CHECK(seen, "the fake saw %d events", f.n_seen);
    CHECK(rc == BRAIN_OK, "not everything acked after the dropped welcomes: %s; events: %s",
          brain_err_name(rc), events);
    CHECK(f.connections == 5 && f.hellos == 5, "%d connections, %d hellos (want 5: the first, "
          "3 dropped reconnects, the one that holds)", f.connections, f.hellos);
    CHECK(!strcmp(events, "CONNECTED LOST RETRYING CONNECTED LOST CONNECTED LOST CONNECTED"),
          "connection events: %s", events);
    CHECK(f.n_seen == 11 + 8, "%d events seen, want 11 + 8 resent once", f.n_seen);
    for (int i = 0; i < 8; i++)
        CHECK(f.seen[11 + i] == (uint64_t)(4 + i), "resend %d has seq %llu", i,
              (unsigned long long)f.seen[11 + i]);
    CHECK(f.last_seq == 11 && s.acked_seq == 11 && s.unacked == 0, "brain holds %llu, acked %llu",
          (unsigned long long)f.last_seq, (unsigned long long)s.acked_seq);
    CHECK(s.reconnects == 3, "reconnects %llu (2 dropped right after the welcome + 1)",
          (unsigned long long)s.reconnects);
    return PASS;
}

/* wait_for_brain: the first connection is retried until a brain appears (here: the fake
 * starts listening when the client reports its first failed attempt); on_connection
 * reports every step; running out of reconnect time makes the client fail. */
static int test_wait_for_brain(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/fake.sock", tmpdir); /* where fake_start listens */
    unlink(path);
    brain_options o;
    brain_client *c = NULL;
    conn_log l;
    conn_log_init(&l);
    base_opts(&o, path, "late-agent");
    o.on_connection = conn_log_fn;
    o.user = &l;
    int rc = brain_connect(&o, &c); /* without wait_for_brain: one attempt, no events */
    CHECK(rc == BRAIN_E_CONNECT && l.n == 0, "without wait_for_brain: %s, %d events",
          brain_err_name(rc), l.n);
    o.wait_for_brain = 1; /* and no brain comes: retries, then gives up */
    o.reconnect_timeout_ms = 150;
    rc = brain_connect(&o, &c);
    char want[512];
    snprintf(want, sizeof want, "could not connect to the brain at %s within 150 ms: cannot "
             "connect to the brain at %s", path, path);
    CHECK(rc == BRAIN_E_CONNECT && !c && strstr(brain_last_error(), want),
          "waiting in vain: %s: %s", brain_err_name(rc), brain_last_error());
    CHECK(l.n >= 2 && l.ev[0] == BRAIN_CONN_RETRYING && l.ev[l.n - 1] == BRAIN_CONN_GAVE_UP &&
          l.ev[l.n - 2] == BRAIN_CONN_RETRYING && strstr(l.msg[l.n - 1], want),
          "waiting in vain: %d events, the last %s", l.n, l.n ? conn_event_name(l.ev[l.n - 1]) : "-");
    l.n = 0;

    fake_brain f;
    l.start_fake = &f;
    l.dir = tmpdir;
    o.wait_for_brain = 1;
    o.reconnect_timeout_ms = 400;
    rc = brain_connect(&o, &c);
    if (rc) {
        if (l.fake_started == 1)
            fake_stop(&f);
        conn_log_destroy(&l);
        CHECK(0, "connect while the brain appears: %s", brain_err_name(rc));
    }
    pthread_mutex_lock(&l.mu);
    int first_retry_ok = l.n == 2 && l.ev[0] == BRAIN_CONN_RETRYING && l.attempt[0] == 1 &&
                         strstr(l.msg[0], "cannot connect to the brain at") &&
                         !strcmp(l.path[0], path) && l.ev[1] == BRAIN_CONN_CONNECTED &&
                         l.attempt[1] == 2;
    pthread_mutex_unlock(&l.mu);
    pthread_mutex_lock(&f.mu);
    f.kick = 1;
    pthread_mutex_unlock(&f.mu);
    int lost = conn_log_wait(&l, BRAIN_CONN_LOST, 2, 5000);
    int back = conn_log_wait(&l, BRAIN_CONN_CONNECTED, 2, 5000);
    fake_stop(&f); /* gone for good: the client retries for 400 ms, then gives up */
    int gave_up = conn_log_wait(&l, BRAIN_CONN_GAVE_UP, back > 0 ? back : 2, 5000);
    int retried = conn_log_wait(&l, BRAIN_CONN_RETRYING, back > 0 ? back : 2, 0);
    char gave_msg[400] = "";
    if (gave_up > 0)
        snprintf(gave_msg, sizeof gave_msg, "%s", l.msg[gave_up]);
    brain_stats s;
    brain_get_stats(c, &s);
    int after = brain_run_start(c, NULL, NULL, NULL);
    char after_msg[512];
    snprintf(after_msg, sizeof after_msg, "%s", brain_last_error());
    brain_close(c);
    char events[600];
    conn_log_str(&l, events, sizeof events);
    conn_log_destroy(&l);
    CHECK(first_retry_ok, "first connection's events: %s", events);
    CHECK(lost > 0 && back > lost, "a kick is reported as LOST then CONNECTED: %s", events);
    CHECK(retried > back && gave_up > retried, "after the brain went away: %s", events);
    CHECK(strstr(gave_msg, "could not reconnect to the brain at") && strstr(gave_msg, "within 400 ms"),
          "GAVE_UP message: %s", gave_msg);
    CHECK(s.failed == 1 && after == BRAIN_E_FAILED && strstr(after_msg, "within 400 ms"),
          "after giving up: failed=%d, publish %s: %s", s.failed, brain_err_name(after), after_msg);
    return PASS;
}

static int rejections_seen;
static void on_rejection(void *user, const brain_rejection *r)
{
    (void)user;
    if (r->seq == 3 && r->code == BRAIN_STATUS_ALREADY_EXISTS && !strcmp(r->message, "fake conflict"))
        __atomic_add_fetch(&rejections_seen, 1, __ATOMIC_SEQ_CST);
}

static int test_fake_rejection(void)
{
    for (int use_callback = 0; use_callback < 2; use_callback++) {
        fake_brain f;
        CHECK(fake_start(&f, tmpdir) == 0, "fake brain");
        f.reject_seq = 3;
        brain_options o;
        base_opts(&o, f.path, "fake-agent");
        if (use_callback)
            o.on_rejection = on_rejection;
        brain_client *c;
        CHECK(brain_connect(&o, &c) == BRAIN_OK, "connect");
        for (int i = 0; i < 4; i++)
            brain_run_start(c, NULL, NULL, NULL);
        int rc = brain_wait_acked(c, 5000);
        brain_rejection r;
        memset(&r, 0, sizeof r);
        int got = 0;
        for (int i = 0; i < 100 && !use_callback && !(got = brain_next_rejection(c, &r)); i++)
            sleep_ms(10);
        int more = brain_next_rejection(c, &r) && !use_callback;
        brain_close(c);
        fake_stop(&f);
        CHECK(rc == BRAIN_OK, "not acked");
        if (use_callback) {
            CHECK(rejections_seen == 1, "callback saw %d", rejections_seen);
        } else {
            CHECK(got && r.seq == 3 && r.code == BRAIN_STATUS_ALREADY_EXISTS, "rejection seq %llu code %d",
                  (unsigned long long)r.seq, r.code);
            CHECK(!more, "more than one rejection");
        }
    }
    return PASS;
}

/* Runs build/brain-example-agent (N runs x M steps) on `sock`, writing stdout to
 * tmpdir/agent.out; returns the pid. */
pid_t spawn_agent(const char *sock, const char *runs, const char *steps, const char *agent)
{
    char bin[600], out[128];
    snprintf(bin, sizeof bin, "%s/brain-example-agent", exe_dir);
    snprintf(out, sizeof out, "%s/agent.out", tmpdir);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        strcat(out, ".err");
        fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 2);
        execl(bin, bin, "--socket", sock, "--runs", runs, "--steps", steps, "--agent", agent,
              "--token", "t", "--reconnect-timeout", "30", (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Waits for the agent; 1 when it exited 0 and printed `want` first. */
int agent_ok(pid_t pid, const char *want)
{
    int status;
    char out[128], line[256] = "";
    waitpid(pid, &status, 0);
    snprintf(out, sizeof out, "%s/agent.out", tmpdir);
    FILE *f = fopen(out, "r");
    if (f) {
        if (!fgets(line, sizeof line, f))
            line[0] = '\0';
        fclose(f);
    }
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && !strncmp(line, want, strlen(want));
    if (!ok)
        fprintf(stderr, "    example agent: status %d, printed: %s\n", status, line);
    return ok;
}

static void read_file(const char *path, char *buf, size_t n)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    size_t got = fread(buf, 1, n - 1, f);
    buf[got] = '\0';
    fclose(f);
}

int run_example(const char *const *args, const char *sock_env, char *out, size_t outn,
                char *err, size_t errn)
{
    char bin[600], outp[128], errp[128];
    const char *argv[32];
    int argc = 0;
    snprintf(bin, sizeof bin, "%s/brain-example-agent", exe_dir);
    snprintf(outp, sizeof outp, "%s/example.out", tmpdir);
    snprintf(errp, sizeof errp, "%s/example.err", tmpdir);
    argv[argc++] = bin;
    for (int i = 0; args[i] && argc < 31; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        env_put("BRAIN_SOCKET", sock_env);
        int fd = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        fd = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 2);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    read_file(outp, out, outn);
    read_file(errp, err, errn);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* --help: usage on stdout, exit 0; a bad option: a message and usage on stderr, exit 2. */
static int test_example_agent_usage(void)
{
    char out[4096], err[4096];
    const char *help[] = {"--help", NULL};
    int st = run_example(help, NULL, out, sizeof out, err, sizeof err);
    CHECK(st == 0, "--help exit status %d; stderr: %s", st, err);
    CHECK(!strncmp(out, "usage: brain-example-agent", 26) && strstr(out, "--socket PATH") &&
          strstr(out, "$BRAIN_SOCKET") && strstr(out, "XDG_RUNTIME_DIR") && strstr(out, "--token"),
          "--help printed: %s", out);
    CHECK(err[0] == '\0', "--help wrote to stderr: %s", err);
    const char *bad[] = {"--runs", "1", "--steps", "1", "--bogus", "x", NULL};
    st = run_example(bad, NULL, out, sizeof out, err, sizeof err);
    CHECK(st == 2 && out[0] == '\0', "unknown option: exit %d, stdout %s", st, out);
    CHECK(strstr(err, "unknown option --bogus") && strstr(err, "usage: brain-example-agent"),
          "unknown option: stderr %s", err);
    const char *missing[] = {"--steps", "1", NULL};
    st = run_example(missing, NULL, out, sizeof out, err, sizeof err);
    CHECK(st == 2 && strstr(err, "--runs and --steps are required"), "no --runs: exit %d: %s", st, err);
    return PASS;
}

/* No --socket and no brain at $BRAIN_SOCKET: the agent says once that it waits (where,
 * how long), then fails with the reason after --reconnect-timeout. */
static int test_example_agent_waits(void)
{
    char sock[128], out[4096], err[4096], want[512];
    snprintf(sock, sizeof sock, "%s/nobody-here.sock", tmpdir);
    const char *args[] = {"--runs", "1", "--steps", "1", "--reconnect-timeout", "1", NULL};
    int64_t t0 = brain__now_ms();
    int st = run_example(args, sock, out, sizeof out, err, sizeof err);
    int64_t took = brain__now_ms() - t0;
    CHECK(st == 1, "exit status %d (want 1); stderr: %s", st, err);
    snprintf(want, sizeof want, "brain-example-agent: waiting for the brain at %s (up to 1 s; "
             "Ctrl-C to stop)...\n", sock);
    char *first = strstr(err, want);
    CHECK(first && err == first, "stderr does not start with the waiting line: %s", err);
    CHECK(!strstr(first + strlen(want), "waiting for the brain"), "the waiting line is repeated: %s", err);
    snprintf(want, sizeof want, "could not connect to the brain at %s within 1000 ms: "
             "cannot connect to the brain at %s: No such file or directory", sock, sock);
    CHECK(strstr(err, want) && strstr(err, "brain serve"), "stderr lacks the reason: %s", err);
    CHECK(took >= 1000 && took < 10000, "gave up after %lld ms (want about 1 s)", (long long)took);
    CHECK(out[0] == '\0', "stdout: %s", out);
    return PASS;
}

static int test_fake_example_agent(void)
{
    char bin[600];
    snprintf(bin, sizeof bin, "%s/brain-example-agent", exe_dir);
    CHECK(access(bin, X_OK) == 0, "%s is not built", bin);
    fake_brain f;
    CHECK(fake_start(&f, tmpdir) == 0, "fake brain");
    f.ack = 0; /* hold the agent mid-stream: nothing is acked (or kept) yet */
    pid_t pid = spawn_agent(f.path, "40", "50", "fake-example");
    int seen = fake_wait_seen(&f, 500, 10000);
    pthread_mutex_lock(&f.mu);
    f.ack = 1;
    f.kick = 1; /* drop the connection: the agent must reconnect and resend everything */
    pthread_mutex_unlock(&f.mu);
    int ok = agent_ok(pid, "acked 2080 events");
    int conns = f.connections;
    uint64_t last = f.last_seq;
    fake_stop(&f);
    CHECK(seen, "the agent sent fewer than 500 events");
    CHECK(ok, "example agent failed");
    CHECK(conns == 2 && last == 2080, "%d connections, the fake holds %llu events", conns,
          (unsigned long long)last);
    return PASS;
}

/* ================================================================= main */

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    strcpy(tmpdir, "/tmp/brain-c-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    char self[512];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    snprintf(exe_dir, sizeof exe_dir, "%s", dirname(self));
    real_brain_setup(tmpdir);

    static const struct { const char *name; int (*fn)(void); } tests[] = {
        {"socket path too long", test_path_too_long},
        {"bad arguments", test_bad_arguments},
        {"default socket path (BRAIN_SOCKET, XDG_RUNTIME_DIR, /tmp/brain-<uid>)", test_default_socket_path},
        {"encode round trip", test_encode_round_trip},
        {"welcome and seq continuation (fake brain)", test_fake_welcome_and_seq},
        {"refused hello (fake brain)", test_fake_refused},
        {"buffer full (never-acking fake brain)", test_buffer_full},
        {"resend after last_seq (fake brain)", test_fake_resend},
        {"rejections, queue and callback (fake brain)", test_fake_rejection},
        {"reconnects dropped during and right after the welcome (fake brain)", test_fake_hello_race},
        {"wait_for_brain and on_connection events (fake brain)", test_wait_for_brain},
        {"example agent across a dropped connection (fake brain)", test_fake_example_agent},
        {"example agent --help and bad options", test_example_agent_usage},
        {"example agent waits for a missing brain, then fails clearly", test_example_agent_waits},
        {"task events on the wire (fake brain)", test_task_event_wire},
        {"schedule listing, fired and delete on the wire (fake brain)", test_schedule_wire},
        {"commands: acknowledged per delivery, handed over once (fake brain)", test_commands_queue_and_callback},
        {"hello/welcome", test_hello_welcome},
        {"connect with socket_path NULL and BRAIN_SOCKET", test_default_socket_real},
        {"wrong token", test_wrong_token},
        {"protocol version mismatch", test_protocol_mismatch},
        {"run + steps + complete acked", test_run_steps_complete},
        {"queued run -> running -> persisting -> completed", test_run_status_lifecycle},
        {"README program examples/crawler.c as agent crawler", test_readme_crawler},
        {"duplicate and conflicting step resends", test_duplicate_and_conflict},
        {"buffer full (real brain)", test_buffer_full_real},
        {"reconnect + resend after a graceful brain restart (SIGTERM)", test_brain_graceful_restart},
        {"reconnect + resend after brain SIGKILL + restart", test_brain_restart},
        {"example agent across a brain restart", test_example_agent},
        {"example agent finds the brain through BRAIN_SOCKET", test_example_agent_default_socket},
        {"acknowledged events survive a brain SIGKILL (server)", test_durability},
    };
    int passed = 0, failed = 0, skipped = 0;
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        int64_t t0 = brain__now_ms();
        int r = tests[i].fn();
        const char *tag = r == PASS ? "PASS" : r == SKIP ? "SKIP" : "FAIL";
        printf("%s  %s (%lld ms)\n", tag, tests[i].name, (long long)(brain__now_ms() - t0));
        fflush(stdout);
        passed += r == PASS;
        failed += r == FAIL;
        skipped += r == SKIP;
    }
    brain_kill(SIGTERM);
    if (skipped)
        printf("%d skipped: no brain binary at %s (set BRAIN_BIN)\n", skipped, real_brain_bin());
    if (failed && access(real_brain_log(), R_OK) == 0)
        printf("brain log kept in %s\n", real_brain_log());
    else
        nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
