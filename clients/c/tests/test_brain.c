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
    o->token = "secret-token";
    o->connect_timeout_ms = 5000;
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
    CHECK(brain__utf8_valid("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"), "valid UTF-8 refused");
    CHECK(!brain__utf8_valid("\xc0\xaf") && !brain__utf8_valid("\xed\xa0\x80") &&
          !brain__utf8_valid("\xe2\x82"), "overlong/surrogate/truncated accepted");
    return PASS;
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
        {"encode round trip", test_encode_round_trip},
        {"welcome and seq continuation (fake brain)", test_fake_welcome_and_seq},
        {"refused hello (fake brain)", test_fake_refused},
        {"buffer full (never-acking fake brain)", test_buffer_full},
        {"resend after last_seq (fake brain)", test_fake_resend},
        {"rejections, queue and callback (fake brain)", test_fake_rejection},
        {"example agent across a dropped connection (fake brain)", test_fake_example_agent},
        {"hello/welcome", test_hello_welcome},
        {"wrong token", test_wrong_token},
        {"protocol version mismatch", test_protocol_mismatch},
        {"run + steps + complete acked", test_run_steps_complete},
        {"duplicate and conflicting step resends", test_duplicate_and_conflict},
        {"buffer full (real brain)", test_buffer_full_real},
        {"reconnect + resend after a graceful brain restart (SIGTERM)", test_brain_graceful_restart},
        {"reconnect + resend after brain SIGKILL + restart", test_brain_restart},
        {"example agent across a brain restart", test_example_agent},
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
