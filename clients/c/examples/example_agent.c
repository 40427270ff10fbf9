/* brain-example-agent: streams N runs of M steps to the brain as fast as it can and
 * exits 0 once every event is acknowledged. Reconnects and resends when the brain goes
 * away, so it can drive crash tests.
 *
 *   brain-example-agent --socket S --runs N --steps M [--payload-bytes B]
 *                       [--agent NAME] [--token T] [--reconnect-timeout SECONDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "brain.h"

static void usage(void)
{
    fprintf(stderr, "usage: brain-example-agent --socket PATH --runs N --steps M "
                    "[--payload-bytes B] [--agent NAME] [--token T] "
                    "[--reconnect-timeout SECONDS]\n");
    exit(2);
}

static long num(const char *flag, const char *v, long min)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || n < min) {
        fprintf(stderr, "brain-example-agent: %s needs an integer >= %ld, got '%s'\n", flag, min, v);
        exit(2);
    }
    return n;
}

/* A JSON object of about `bytes` bytes (buf holds bytes + 128). */
static void payload(char *buf, size_t bytes, const char *key, long run, long step)
{
    int n = snprintf(buf, 100, "{\"%s\":{\"run\":%ld,\"step\":%ld},\"pad\":\"", key, run, step);
    size_t i = (size_t)n;
    for (; i + 2 < bytes; i++)
        buf[i] = (char)('a' + i % 26);
    buf[i++] = '"';
    buf[i++] = '}';
    buf[i] = '\0';
}

/* Publishes with back-pressure: a full buffer means "wait for acks", never a drop. */
#define PUBLISH(call)                                                                  \
    for (;;) {                                                                         \
        int rc_ = (call);                                                              \
        if (rc_ == BRAIN_OK)                                                           \
            break;                                                                     \
        if (rc_ != BRAIN_E_BUFFER_FULL || (rc_ = brain_wait_space(c, -1)) != BRAIN_OK) \
            die(c, rc_);                                                               \
    }

static void die(brain_client *c, int rc)
{
    fprintf(stderr, "brain-example-agent: %s: %s\n", brain_err_name(rc), brain_last_error());
    brain_close(c);
    exit(1);
}

int main(int argc, char **argv)
{
    const char *sock = NULL, *agent = "example-agent", *token = "example-agent-token";
    long runs = -1, steps = -1, bytes = 300, reconnect_s = 60;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            usage();
        if (!strcmp(a, "--socket")) sock = v;
        else if (!strcmp(a, "--runs")) runs = num(a, v, 0);
        else if (!strcmp(a, "--steps")) steps = num(a, v, 0);
        else if (!strcmp(a, "--payload-bytes")) bytes = num(a, v, 16);
        else if (!strcmp(a, "--agent")) agent = v;
        else if (!strcmp(a, "--token")) token = v;
        else if (!strcmp(a, "--reconnect-timeout")) reconnect_s = num(a, v, 1);
        else usage();
        i++;
    }
    if (!sock || runs < 0 || steps < 0)
        usage();

    brain_options o;
    brain_options_init(&o);
    o.socket_path = sock;
    o.agent_name = agent;
    o.token = token;
    o.framework_adapter = "example";
    o.reconnect_timeout_ms = reconnect_s * 1000;

    /* The first connect also retries, so the agent may start before the brain. */
    brain_client *c = NULL;
    int rc;
    for (long waited = 0;; waited += 200) {
        rc = brain_connect(&o, &c);
        if (rc != BRAIN_E_CONNECT && rc != BRAIN_E_IO && rc != BRAIN_E_TIMEOUT)
            break;
        if (waited >= reconnect_s * 1000)
            break;
        struct timespec ts = {0, 200 * 1000000};
        nanosleep(&ts, NULL);
    }
    if (rc != BRAIN_OK)
        die(NULL, rc);

    char *in = malloc((size_t)bytes + 128), *out = malloc((size_t)bytes + 128);
    if (!in || !out)
        die(c, BRAIN_E_NOMEM);
    for (long r = 0; r < runs; r++) {
        char run_id[BRAIN_RUN_ID_LEN];
        brain_run_options ro = {.goal = "example run", .run_type = "example"};
        PUBLISH(brain_run_start(c, &ro, run_id, NULL));
        for (long s = 1; s <= steps; s++) {
            payload(in, (size_t)bytes / 2, "input", r, s);
            payload(out, (size_t)bytes - (size_t)bytes / 2, "output", r, s);
            brain_step st = {.run_id = run_id, .seq = (uint32_t)s, .name = "step",
                             .status = BRAIN_STEP_OK, .input_json = in,
                             .output_json = out, .duration_ms = 1};
            PUBLISH(brain_step_report(c, &st, NULL));
        }
        PUBLISH(brain_run_complete(c, run_id, "{\"ok\":true}", NULL));
    }
    free(in);
    free(out);

    if ((rc = brain_wait_acked(c, -1)) != BRAIN_OK)
        die(c, rc);
    brain_stats st;
    brain_get_stats(c, &st);
    brain_rejection rej;
    int bad = 0;
    while (brain_next_rejection(c, &rej)) {
        fprintf(stderr, "brain-example-agent: event %llu rejected: %s: %s\n",
                (unsigned long long)rej.seq, brain_status_name(rej.code), rej.message);
        bad++;
    }
    printf("acked %llu events", (unsigned long long)st.published);
    if (st.reconnects)
        printf(" (%llu reconnects, %llu resent)", (unsigned long long)st.reconnects,
               (unsigned long long)st.resent);
    printf("\n");
    brain_close(c);
    if (bad) {
        fprintf(stderr, "brain-example-agent: %d events were rejected\n", bad);
        return 1;
    }
    return 0;
}
