/* brain-example-agent: streams N runs of M steps to the brain as fast as it can and
 * exits 0 once every event is acknowledged. Reconnects and resends when the brain goes
 * away, so it can drive crash tests.
 *
 *   brain-example-agent --runs N --steps M [--socket PATH] [--payload-bytes B]
 *                       [--agent NAME] [--token T] [--reconnect-timeout SECONDS]
 *
 * Without --socket it uses the brain's default socket (brain_default_socket_path()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brain.h"

static void usage(FILE *to, int status)
{
    char here[BRAIN_MAX_SOCKET_PATH];
    if (brain_default_socket_path(here, sizeof here) != BRAIN_OK)
        snprintf(here, sizeof here, "unusable: %.60s", brain_last_error());
    fprintf(to,
            "usage: brain-example-agent --runs N --steps M [--socket PATH] [--payload-bytes B]\n"
            "                           [--agent NAME] [--token T] [--reconnect-timeout SECONDS]\n"
            "\n"
            "Streams N runs of M steps to the brain, completes each run and exits 0 printing\n"
            "\"acked X events\" once the brain acknowledged everything.\n"
            "\n"
            "  --socket PATH                the brain's Unix socket; default $BRAIN_SOCKET, else\n"
            "                               $XDG_RUNTIME_DIR/brain/brain.sock, else\n"
            "                               /tmp/brain-<uid>/brain.sock (here: %s)\n"
            "  --runs N, --steps M          how many runs, and steps per run (required)\n"
            "  --payload-bytes B            step input+output JSON, about B bytes (default 300)\n"
            "  --agent NAME                 the agent's name (default example-agent)\n"
            "  --token T                    the agent's token (default example-token-NAME: the brain\n"
            "                               keeps each token to one agent)\n"
            "  --reconnect-timeout SECONDS  how long to wait for the brain, at start and after\n"
            "                               losing it (default 60)\n"
            "  --help                       this text\n",
            here);
    exit(status);
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

/* Says once per outage that the agent is waiting, and when the wait is over. Runs on
 * the main thread during brain_connect, on the library's I/O thread afterwards. */
static int waiting;
static void on_connection(void *user, const brain_conn_info *info)
{
    (void)user;
    if (info->event == BRAIN_CONN_RETRYING && !waiting) {
        waiting = 1;
        if (info->timeout_ms >= 0)
            fprintf(stderr, "brain-example-agent: waiting for the brain at %s (up to %g s; "
                    "Ctrl-C to stop)...\n", info->socket_path, (double)info->timeout_ms / 1000);
        else
            fprintf(stderr, "brain-example-agent: waiting for the brain at %s (Ctrl-C to "
                    "stop)...\n", info->socket_path);
    } else if (info->event == BRAIN_CONN_CONNECTED && waiting) {
        waiting = 0;
        fprintf(stderr, "brain-example-agent: connected to the brain at %s after %.1f s\n",
                info->socket_path, (double)info->waited_ms / 1000);
    }
}

int main(int argc, char **argv)
{
    const char *sock = NULL, *agent = "example-agent", *token = NULL;
    long runs = -1, steps = -1, bytes = 300, reconnect_s = 60;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            usage(stdout, 0);
        if (!v) {
            fprintf(stderr, "brain-example-agent: %s needs a value\n", a);
            usage(stderr, 2);
        }
        if (!strcmp(a, "--socket")) sock = v;
        else if (!strcmp(a, "--runs")) runs = num(a, v, 0);
        else if (!strcmp(a, "--steps")) steps = num(a, v, 0);
        else if (!strcmp(a, "--payload-bytes")) bytes = num(a, v, 16);
        else if (!strcmp(a, "--agent")) agent = v;
        else if (!strcmp(a, "--token")) token = v;
        else if (!strcmp(a, "--reconnect-timeout")) reconnect_s = num(a, v, 1);
        else {
            fprintf(stderr, "brain-example-agent: unknown option %s\n", a);
            usage(stderr, 2);
        }
        i++;
    }
    if (runs < 0 || steps < 0) {
        fprintf(stderr, "brain-example-agent: --runs and --steps are required\n");
        usage(stderr, 2);
    }

    brain_options o;
    brain_options_init(&o);
    o.socket_path = sock; /* NULL: the default socket */
    o.agent_name = agent;
    /* The brain keeps each token to one agent, so the default is one per agent name. */
    char default_token[256];
    if (!token) {
        snprintf(default_token, sizeof default_token, "example-token-%s", agent);
        token = default_token;
    }
    o.token = token;
    o.framework_adapter = "example";
    o.reconnect_timeout_ms = reconnect_s * 1000;
    o.wait_for_brain = 1; /* the agent may start before the brain */
    o.on_connection = on_connection;

    brain_client *c = NULL;
    int rc = brain_connect(&o, &c);
    if (rc != BRAIN_OK) {
        fprintf(stderr, "brain-example-agent: %s: %s\n", brain_err_name(rc), brain_last_error());
        if (rc == BRAIN_E_CONNECT || rc == BRAIN_E_TIMEOUT || rc == BRAIN_E_IO)
            fprintf(stderr, "brain-example-agent: is the brain running? Start it with "
                    "`brain serve`, or pass --socket PATH\n");
        return 1;
    }

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
