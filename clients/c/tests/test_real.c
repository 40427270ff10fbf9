/* Tests against the real brain ($BRAIN_BIN): started once in the test's temp dir,
 * killed and restarted by the restart tests. Each returns SKIP without the binary. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "brain_process.h"
#include "harness.h"
#include "internal.h"

static brain_process brain = {.pid = -1};

void real_brain_setup(const char *dir) { brain_process_init(&brain, dir); }

const char *real_brain_bin(void) { return brain.bin; }
const char *real_brain_log(void) { return brain.log; }

static int brain_start(void) { return brain_process_start(&brain); }

void brain_kill(int sig) { brain_process_stop(&brain, sig); }

/* Lazily starts one brain for all tests; SKIP when there is no binary. */
static int need_brain(void)
{
    if (access(brain.bin, X_OK) != 0)
        return SKIP;
    if (brain.pid > 0)
        return PASS;
    return brain_start() == 0 ? PASS : FAIL;
}

/* A raw GetRun call (the library itself is agent-side only). */
static Brain__V1__RunDetail *get_run(const char *run_id, Brain__V1__Response **holder)
{
    int fd;
    *holder = NULL;
    if (brain__sock_connect(brain.sock, &fd))
        return NULL;
    Brain__V1__GetRunRequest g = BRAIN__V1__GET_RUN_REQUEST__INIT;
    g.run_id = (char *)run_id;
    Brain__V1__Request q = BRAIN__V1__REQUEST__INIT;
    q.call_id = 77;
    q.method_case = BRAIN__V1__REQUEST__METHOD_GET_RUN;
    q.get_run = &g;
    uint8_t *f;
    size_t n;
    brain__rxbuf rx = {0};
    int64_t deadline = brain__now_ms() + 5000;
    if (brain__frame_pack(&q, 1 << 20, &f, &n) == BRAIN_OK) {
        if (brain__write_all(fd, f, n, deadline) == BRAIN_OK)
            brain__read_response(fd, &rx, deadline, holder);
        free(f);
    }
    brain__rx_free(&rx);
    close(fd);
    if (!*holder)
        return NULL;
    if ((*holder)->result_case != BRAIN__V1__RESPONSE__RESULT_RUN) {
        fprintf(stderr, "    GetRun %s: status %d %s\n", run_id,
                (*holder)->status ? (int)(*holder)->status->code : 0,
                (*holder)->status ? (*holder)->status->message : "");
        return NULL;
    }
    return (*holder)->run;
}

/* 1 when the run is COMPLETED with `steps` steps stored. */
static int run_is_complete(const char *run_id, uint32_t steps)
{
    Brain__V1__Response *h;
    Brain__V1__RunDetail *d = get_run(run_id, &h);
    int ok = d && d->run && d->run->status == BRAIN__V1__RUN_STATUS__RUN_STATUS_COMPLETED &&
             d->run->step_count == steps && d->n_steps == steps;
    if (d && !ok)
        fprintf(stderr, "    run %s: status %d, step_count %u, %zu steps (want %u)\n", run_id,
                d->run ? (int)d->run->status : -1, d->run ? d->run->step_count : 0,
                d->n_steps, steps);
    if (h)
        brain__v1__response__free_unpacked(h, NULL);
    return ok;
}

static int no_rejections(brain_client *c)
{
    brain_rejection r;
    int n = 0;
    while (brain_next_rejection(c, &r)) {
        fprintf(stderr, "    unexpected rejection of seq %llu: %s: %s\n",
                (unsigned long long)r.seq, brain_status_name(r.code), r.message);
        n++;
    }
    return n == 0;
}

/* Publishes a run with `steps` steps and completes it, waiting for space if needed. */
static int stream_run(brain_client *c, char run_id[BRAIN_RUN_ID_LEN], uint32_t steps)
{
    int rc;
    while ((rc = brain_run_start(c, NULL, run_id, NULL)) == BRAIN_E_BUFFER_FULL)
        brain_wait_space(c, 10000);
    if (rc)
        return rc;
    for (uint32_t s = 1; s <= steps; s++) {
        char in[64];
        snprintf(in, sizeof in, "{\"step\":%u}", s);
        brain_step st = {.run_id = run_id, .seq = s, .name = "work", .input_json = in,
                         .output_json = "{\"ok\":true}", .duration_ms = 3};
        while ((rc = brain_step_report(c, &st, NULL)) == BRAIN_E_BUFFER_FULL)
            brain_wait_space(c, 10000);
        if (rc)
            return rc;
    }
    while ((rc = brain_run_complete(c, run_id, "{\"done\":1}", NULL)) == BRAIN_E_BUFFER_FULL)
        brain_wait_space(c, 10000);
    return rc;
}

int test_hello_welcome(void)
{
    int s = need_brain();
    if (s)
        return s;
    brain_options o;
    base_opts(&o, brain.sock, "c-hello");
    const char *engines[] = {"playwright"};
    o.engine_adapters = engines;
    o.n_engine_adapters = 1;
    o.capabilities_json = "{\"browser\":true}";
    brain_client *c;
    int rc = brain_connect(&o, &c);
    CHECK(rc == BRAIN_OK, "connect: %s", brain_err_name(rc));
    brain_welcome w;
    brain_get_welcome(c, &w);
    CHECK(w.agent_id[0] != '\0', "welcome has no agent id");
    CHECK(w.registered == 1, "first hello should register the agent");
    CHECK(w.last_seq == 0, "fresh agent last_seq %llu", (unsigned long long)w.last_seq);
    CHECK(w.heartbeat_interval_ms > 0, "no heartbeat interval");
    char run[BRAIN_RUN_ID_LEN];
    uint64_t seq;
    CHECK(brain_run_start(c, NULL, run, &seq) == BRAIN_OK && seq == 1, "first seq %llu", (unsigned long long)seq);
    CHECK(brain_wait_acked(c, 10000) == BRAIN_OK, "run start not acked");
    brain_close(c);
    /* A restarted agent continues its sequence after welcome.last_seq. */
    rc = brain_connect(&o, &c);
    CHECK(rc == BRAIN_OK, "reconnect: %s", brain_err_name(rc));
    brain_get_welcome(c, &w);
    CHECK(w.registered == 0 && w.last_seq == 1, "second welcome registered=%d last_seq=%llu",
          w.registered, (unsigned long long)w.last_seq);
    CHECK(brain_run_complete(c, run, NULL, &seq) == BRAIN_OK && seq == 2, "next seq %llu", (unsigned long long)seq);
    CHECK(brain_wait_acked(c, 10000) == BRAIN_OK, "complete not acked");
    CHECK(no_rejections(c), "rejections");
    brain_close(c);
    return PASS;
}

int test_wrong_token(void)
{
    int s = need_brain();
    if (s)
        return s;
    brain_options o;
    base_opts(&o, brain.sock, "c-token");
    brain_client *c;
    CHECK(brain_connect(&o, &c) == BRAIN_OK, "first connect");
    o.token = "a-different-token";
    brain_client *c2 = NULL;
    int rc = brain_connect(&o, &c2);
    brain_close(c);
    CHECK(rc == BRAIN_E_REFUSED && c2 == NULL, "got %s", brain_err_name(rc));
    CHECK(brain_last_status() == BRAIN_STATUS_UNAUTHENTICATED, "status %s",
          brain_status_name(brain_last_status()));
    CHECK(strstr(brain_last_error(), "UNAUTHENTICATED") != NULL, "message: %s", brain_last_error());
    return PASS;
}

int test_protocol_mismatch(void)
{
    int s = need_brain();
    if (s)
        return s;
    brain_options o;
    base_opts(&o, brain.sock, "c-version");
    o.protocol_version = 999;
    brain_client *c = NULL;
    int rc = brain_connect(&o, &c);
    CHECK(rc == BRAIN_E_REFUSED && c == NULL, "got %s", brain_err_name(rc));
    CHECK(brain_last_status() == BRAIN_STATUS_FAILED_PRECONDITION, "status %s",
          brain_status_name(brain_last_status()));
    return PASS;
}

int test_run_steps_complete(void)
{
    int s = need_brain();
    if (s)
        return s;
    brain_options o;
    base_opts(&o, brain.sock, "c-runs");
    brain_client *c;
    CHECK(brain_connect(&o, &c) == BRAIN_OK, "connect");
    char runs[5][BRAIN_RUN_ID_LEN];
    for (int i = 0; i < 5; i++)
        CHECK(stream_run(c, runs[i], 20) == BRAIN_OK, "stream run %d", i);
    char failed_run[BRAIN_RUN_ID_LEN];
    CHECK(brain_run_start(c, NULL, failed_run, NULL) == BRAIN_OK, "start");
    brain_step st = {.run_id = failed_run, .seq = 1, .name = "boom", .status = BRAIN_STEP_ERROR,
                     .error = "it broke"};
    CHECK(brain_step_report(c, &st, NULL) == BRAIN_OK, "error step");
    CHECK(brain_run_fail(c, failed_run, "RuntimeError", "it broke", 1, "{\"k\":1}", NULL) == BRAIN_OK, "fail");
    CHECK(brain_wait_acked(c, 15000) == BRAIN_OK, "not all acked");
    brain_stats stats;
    brain_get_stats(c, &stats);
    CHECK(stats.published == 5 * 22 + 3 && stats.unacked == 0, "published %llu unacked %llu",
          (unsigned long long)stats.published, (unsigned long long)stats.unacked);
    CHECK(no_rejections(c), "rejections");
    brain_close(c);
    for (int i = 0; i < 5; i++)
        CHECK(run_is_complete(runs[i], 20), "run %s incomplete in the brain", runs[i]);
    Brain__V1__Response *h;
    Brain__V1__RunDetail *d = get_run(failed_run, &h);
    int ok = d && d->run->status == BRAIN__V1__RUN_STATUS__RUN_STATUS_FAILED &&
             !strcmp(d->run->error_type, "RuntimeError") && d->run->failed_at_step == 1;
    if (h)
        brain__v1__response__free_unpacked(h, NULL);
    CHECK(ok, "the failed run is not FAILED/RuntimeError/1 in the brain");
    return PASS;
}

int test_duplicate_and_conflict(void)
{
    int s = need_brain();
    if (s)
        return s;
    brain_options o;
    base_opts(&o, brain.sock, "c-dups");
    brain_client *c;
    CHECK(brain_connect(&o, &c) == BRAIN_OK, "connect");
    char run[BRAIN_RUN_ID_LEN];
    CHECK(brain_run_start(c, NULL, run, NULL) == BRAIN_OK, "start");
    brain_step st = {.run_id = run, .seq = 1, .name = "a", .input_json = "{\"x\":1}",
                     .output_json = "{\"y\":2}", .duration_ms = 5, .started_at_ns = 1700000000000000000};
    CHECK(brain_step_report(c, &st, NULL) == BRAIN_OK, "step");
    CHECK(brain_step_report(c, &st, NULL) == BRAIN_OK, "identical resend");
    CHECK(brain_wait_acked(c, 10000) == BRAIN_OK, "not acked");
    sleep_ms(100);
    CHECK(no_rejections(c), "identical resend was rejected");
    st.output_json = "{\"y\":3}";
    uint64_t conflict;
    CHECK(brain_step_report(c, &st, &conflict) == BRAIN_OK, "conflicting resend");
    CHECK(brain_wait_acked(c, 10000) == BRAIN_OK, "conflict not acked (a rejection counts as handled)");
    brain_rejection r;
    int got = 0;
    for (int i = 0; i < 100 && !(got = brain_next_rejection(c, &r)); i++)
        sleep_ms(20);
    CHECK(got, "no rejection for the conflicting step");
    CHECK(r.seq == conflict && r.code == BRAIN_STATUS_ALREADY_EXISTS, "rejection seq %llu (want %llu) code %s: %s",
          (unsigned long long)r.seq, (unsigned long long)conflict, brain_status_name(r.code), r.message);
    CHECK(r.message[0] != '\0', "rejection without a message");
    CHECK(brain_run_complete(c, run, NULL, NULL) == BRAIN_OK, "complete");
    CHECK(brain_wait_acked(c, 10000) == BRAIN_OK, "complete not acked");
    CHECK(no_rejections(c), "later rejections");
    brain_close(c);
    CHECK(run_is_complete(run, 1), "run incomplete");
    return PASS;
}

int test_buffer_full_real(void)
{
    int s = need_brain();
    if (s)
        return s;
    brain_options o;
    base_opts(&o, brain.sock, "c-small-buffer");
    o.max_unacked = 4;
    brain_client *c;
    CHECK(brain_connect(&o, &c) == BRAIN_OK, "connect");
    char run[BRAIN_RUN_ID_LEN];
    CHECK(brain_run_start(c, NULL, run, NULL) == BRAIN_OK, "start");
    int full = 0, rc = BRAIN_OK;
    for (uint32_t i = 1; i <= 500 && rc == BRAIN_OK; i++) {
        brain_step st = {.run_id = run, .seq = i, .name = "s"};
        while ((rc = brain_step_report(c, &st, NULL)) == BRAIN_E_BUFFER_FULL) {
            full++;
            rc = brain_wait_space(c, 10000);
            if (rc)
                break;
        }
    }
    CHECK(rc == BRAIN_OK, "publish: %s", brain_err_name(rc));
    CHECK(full > 0, "500 publishes into a 4-event buffer never saw BRAIN_E_BUFFER_FULL");
    while ((rc = brain_run_complete(c, run, NULL, NULL)) == BRAIN_E_BUFFER_FULL && brain_wait_space(c, 10000) == BRAIN_OK) {
    }
    CHECK(rc == BRAIN_OK, "complete: %s", brain_err_name(rc));
    CHECK(brain_wait_acked(c, 15000) == BRAIN_OK, "not acked");
    CHECK(no_rejections(c), "rejections");
    brain_close(c);
    CHECK(run_is_complete(run, 500), "steps were lost");
    return PASS;
}

/* Set by the restart test: did the brain keep every event it had acknowledged? */
static int durability_checked, durability_lost;
static char durability_msg[300];

/* Streams 30 runs; kills the brain with `sig` after run 9 (runs 0-4 acked, 5-9 in
 * flight), publishes runs 10-19 while it is down, restarts it, publishes the rest. */
static int restart_with(int sig, const char *agent)
{
    int s = need_brain();
    if (s)
        return s;
    brain_options o;
    base_opts(&o, brain.sock, agent);
    o.reconnect_timeout_ms = 60000;
    brain_client *c;
    CHECK(brain_connect(&o, &c) == BRAIN_OK, "connect");
    enum { RUNS = 30, STEPS = 60 };
    static char runs[RUNS][BRAIN_RUN_ID_LEN];
    brain_stats at_kill;
    memset(&at_kill, 0, sizeof at_kill);
    for (int i = 0; i < RUNS; i++) {
        CHECK(stream_run(c, runs[i], STEPS) == BRAIN_OK, "stream run %d", i);
        if (i == 4) /* runs 0-4 acknowledged (durable per the contract), 5-9 in flight */
            CHECK(brain_wait_acked(c, 10000) == BRAIN_OK, "runs 0-4 not acked");
        if (i == 9) {
            brain_kill(sig); /* mid-stream: events are in flight and unacked */
            brain_get_stats(c, &at_kill);
        }
        if (i == 19)
            CHECK(brain_start() == 0, "restart the brain");
    }
    int rc = brain_wait_acked(c, 60000);
    brain_stats st;
    brain_get_stats(c, &st);
    brain_welcome w;
    brain_get_welcome(c, &w);
    brain_rejection r;
    int rejections = 0;
    while (brain_next_rejection(c, &r))
        if (rejections++ < 3)
            fprintf(stderr, "    rejection of seq %llu: %s: %s\n", (unsigned long long)r.seq,
                    brain_status_name(r.code), r.message);
    brain_close(c);
    CHECK(rc == BRAIN_OK, "after restart: %s; acked %llu of %llu", brain_err_name(rc),
          (unsigned long long)st.acked_seq, (unsigned long long)st.last_seq);
    CHECK(st.reconnects >= 1 && st.resent > 0, "reconnects %llu resent %llu",
          (unsigned long long)st.reconnects, (unsigned long long)st.resent);
    CHECK(st.unacked == 0 && st.acked_seq == st.last_seq && st.last_seq == RUNS * (STEPS + 2),
          "acked %llu last %llu", (unsigned long long)st.acked_seq, (unsigned long long)st.last_seq);
    if (sig == SIGKILL)
        durability_checked = 1;
    if (w.last_seq < at_kill.acked_seq) {
        CHECK(sig == SIGKILL, "the brain lost acknowledged events across a graceful restart: "
              "acked %llu, welcome.last_seq %llu", (unsigned long long)at_kill.acked_seq,
              (unsigned long long)w.last_seq);
        /* The brain forgot acknowledged events; what follows them can be refused. */
        durability_lost = 1;
        snprintf(durability_msg, sizeof durability_msg,
                 "the brain acknowledged seq <= %llu before SIGKILL, but after the restart its "
                 "welcome said last_seq %llu (registered=%d)",
                 (unsigned long long)at_kill.acked_seq, (unsigned long long)w.last_seq, w.registered);
        printf("    %s\n", durability_msg);
        return FAIL;
    }
    CHECK(rejections == 0, "%d rejections after the resend", rejections);
    for (int i = 0; i < RUNS; i++)
        CHECK(run_is_complete(runs[i], STEPS), "run %d lost events", i);
    return PASS;
}

int test_brain_restart(void) { return restart_with(SIGKILL, "c-restart-kill"); }
int test_brain_graceful_restart(void) { return restart_with(SIGTERM, "c-restart-term"); }

/* Server-side: acknowledged events must survive a SIGKILL (proto: acked = durable). */
int test_durability(void)
{
    if (!durability_checked)
        return SKIP;
    CHECK(!durability_lost, "SERVER: %s", durability_msg);
    return PASS;
}

/* Runs build/brain-example-agent; kills and restarts the brain while it streams. */
int test_example_agent(void)
{
    int s = need_brain();
    if (s)
        return s;
    char bin[600];
    snprintf(bin, sizeof bin, "%s/brain-example-agent", exe_dir);
    CHECK(access(bin, X_OK) == 0, "%s is not built", bin);
    pid_t pid = spawn_agent(brain.sock, "1000", "50", "c-example");
    sleep_ms(300);
    brain_kill(SIGKILL);
    sleep_ms(500);
    int restarted = brain_start() == 0;
    int ok = agent_ok(pid, "acked 52000 events");
    CHECK(restarted, "restart the brain");
    CHECK(ok, "example agent failed");
    return PASS;
}

/* brain_connect with socket_path NULL finds the brain through $BRAIN_SOCKET. */
static int default_socket_body(void)
{
    brain_options o;
    base_opts(&o, NULL, "c-default-socket");
    brain_client *c;
    int rc = brain_connect(&o, &c);
    CHECK(rc == BRAIN_OK, "connect with socket_path NULL, BRAIN_SOCKET=%s: %s", brain.sock,
          brain_err_name(rc));
    brain_welcome w;
    brain_get_welcome(c, &w);
    char run[BRAIN_RUN_ID_LEN];
    rc = brain_run_start(c, NULL, run, NULL);
    if (rc == BRAIN_OK)
        rc = brain_run_complete(c, run, NULL, NULL);
    if (rc == BRAIN_OK)
        rc = brain_wait_acked(c, 10000);
    int clean = no_rejections(c);
    brain_close(c);
    CHECK(w.registered == 1 && w.agent_id[0], "welcome: registered %d", w.registered);
    CHECK(rc == BRAIN_OK && clean, "publish: %s", brain_err_name(rc));
    CHECK(run_is_complete(run, 0), "the run is not in the brain");
    return PASS;
}

int test_default_socket_real(void)
{
    int s = need_brain();
    if (s)
        return s;
    env_save e;
    env_keep(&e);
    env_put("BRAIN_SOCKET", brain.sock);
    env_put("XDG_RUNTIME_DIR", "/nonexistent-runtime-dir"); /* must not be used */
    int r = default_socket_body();
    env_restore(&e);
    return r;
}

/* The run's status in the brain (GetRun), or -1. */
static int run_status_of(const char *run_id, uint32_t *steps)
{
    Brain__V1__Response *h;
    Brain__V1__RunDetail *d = get_run(run_id, &h);
    int st = d && d->run ? (int)d->run->status : -1;
    if (steps)
        *steps = d && d->run ? d->run->step_count : 0;
    if (h)
        brain__v1__response__free_unpacked(h, NULL);
    return st;
}

/* A run created QUEUED is moved to RUNNING and PERSISTING with brain_run_set_status, then
 * completed; GetRun shows each status once acked. Moving a finished run is rejected. */
int test_run_status_lifecycle(void)
{
    int s = need_brain();
    if (s)
        return s;
    brain_options o;
    base_opts(&o, brain.sock, "c-lifecycle");
    brain_client *c;
    CHECK(brain_connect(&o, &c) == BRAIN_OK, "connect");
    char run[BRAIN_RUN_ID_LEN];
    brain_run_options ro = {.goal = "queued first", .queued = 1};
    CHECK(brain_run_start(c, &ro, run, NULL) == BRAIN_OK, "start queued");
    CHECK(brain_wait_acked(c, 10000) == BRAIN_OK, "start not acked");
    int st = run_status_of(run, NULL);
    CHECK(st == BRAIN_RUN_QUEUED, "after start: status %d, want QUEUED", st);

    uint64_t seq = 0;
    CHECK(brain_run_set_status(c, run, BRAIN_RUN_RUNNING, &seq) == BRAIN_OK && seq == 2,
          "set RUNNING: seq %llu", (unsigned long long)seq);
    CHECK(brain_wait_acked(c, 10000) == BRAIN_OK, "RUNNING not acked");
    st = run_status_of(run, NULL);
    CHECK(st == BRAIN_RUN_RUNNING, "after set RUNNING: status %d", st);

    brain_step step = {.run_id = run, .seq = 1, .name = "work", .output_json = "{}"};
    CHECK(brain_step_report(c, &step, NULL) == BRAIN_OK, "step");
    CHECK(brain_run_set_status(c, run, BRAIN_RUN_PERSISTING, NULL) == BRAIN_OK, "set PERSISTING");
    CHECK(brain_wait_acked(c, 10000) == BRAIN_OK, "PERSISTING not acked");
    st = run_status_of(run, NULL);
    CHECK(st == BRAIN_RUN_PERSISTING, "after set PERSISTING: status %d", st);

    CHECK(brain_run_complete(c, run, "{\"saved\":1}", NULL) == BRAIN_OK, "complete");
    CHECK(brain_wait_acked(c, 10000) == BRAIN_OK, "complete not acked");
    CHECK(no_rejections(c), "rejections on the legal path");
    uint32_t steps = 0;
    st = run_status_of(run, &steps);
    CHECK(st == BRAIN_RUN_COMPLETED && steps == 1, "after complete: status %d, %u steps", st, steps);

    uint64_t late = 0;
    CHECK(brain_run_set_status(c, run, BRAIN_RUN_RUNNING, &late) == BRAIN_OK, "publish the illegal move");
    CHECK(brain_wait_acked(c, 10000) == BRAIN_OK, "a rejection counts as handled");
    brain_rejection r;
    int got = 0;
    for (int i = 0; i < 100 && !(got = brain_next_rejection(c, &r)); i++)
        sleep_ms(20);
    brain_close(c);
    CHECK(got && r.seq == late && r.code == BRAIN_STATUS_FAILED_PRECONDITION,
          "RUNNING after COMPLETED: rejection %d seq %llu code %s: %s", got,
          (unsigned long long)r.seq, brain_status_name(r.code), r.message);
    st = run_status_of(run, NULL);
    CHECK(st == BRAIN_RUN_COMPLETED, "the rejected move changed the run: status %d", st);
    return PASS;
}

/* examples/crawler.c (the README's program) is linked in with main renamed. */
int readme_crawler_main(void);

/* The README's program, run against the brain via BRAIN_SOCKET: agent crawler (token
 * s3cret) reports a completed run of one step. */
int test_readme_crawler(void)
{
    int s = need_brain();
    if (s)
        return s;
    char outp[128], line[256] = "", run[64] = "";
    snprintf(outp, sizeof outp, "%s/crawler.out", tmpdir);
    env_save e;
    env_keep(&e);
    env_put("BRAIN_SOCKET", brain.sock);
    fflush(stdout);
    int saved = dup(1), fd = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    close(fd);
    int rc = readme_crawler_main();
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    env_restore(&e);
    FILE *f = fopen(outp, "r");
    if (f) {
        if (!fgets(line, sizeof line, f))
            line[0] = '\0';
        fclose(f);
    }
    CHECK(rc == 0, "the README program exited %d; it printed: %s", rc, line);
    CHECK(sscanf(line, "run %63s completed", run) == 1 && strlen(run) == 36, "printed: %s", line);
    Brain__V1__Response *h;
    Brain__V1__RunDetail *d = get_run(run, &h);
    int ok = d && d->run && d->run->status == BRAIN__V1__RUN_STATUS__RUN_STATUS_COMPLETED &&
             d->n_steps == 1 && !strcmp(d->run->agent_name, "crawler") &&
             !strcmp(d->steps[0]->step_name, "get");
    if (h)
        brain__v1__response__free_unpacked(h, NULL);
    CHECK(ok, "run %s is not a completed one-step run of agent crawler", run);
    return PASS;
}

/* The example agent without --socket, BRAIN_SOCKET naming the brain. */
int test_example_agent_default_socket(void)
{
    int s = need_brain();
    if (s)
        return s;
    char out[4096], err[4096];
    const char *args[] = {"--runs", "3", "--steps", "4", "--agent", "c-example-default",
                          "--token", "t-c-example-default", NULL};
    int st = run_example(args, brain.sock, out, sizeof out, err, sizeof err);
    CHECK(st == 0 && !strncmp(out, "acked 18 events", 15), "exit %d, printed %s; stderr: %s", st,
          out, err);
    CHECK(!strstr(err, "waiting"), "it waited for a brain that was up: %s", err);
    return PASS;
}
