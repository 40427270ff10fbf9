/* brain-load: the logical agent workload (runs of steps) against the brain or Redis.
 *
 * Each connection is one agent (brain: hello as <prefix>N) driven by its own thread. For
 * each of its runs it publishes RunCreated, S steps and a completion, pipelined: frames
 * are written in batches of --batch, at most --window events are unacknowledged, and the
 * brain's cumulative acks (Redis: the replies, counted) open the window again. The clock
 * runs from the first send to the last ack, over all connections.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "wire.h"

enum target { T_BRAIN, T_REDIS };

static struct {
    enum target target;
    const char *socket;
    unsigned connections;
    uint64_t runs, steps, payload, seed, window, batch, timeout_s;
    const char *prefix, *token;
    bool json, seed_set;
} opt = {
    .target = T_BRAIN,
    .connections = 4,
    .runs = 400,
    .steps = 250,
    .payload = 300,
    .window = 16384,
    .batch = 128,
    .timeout_s = 60,
    .prefix = "load",
    .token = "t",
};

#define STEP_NAME "step"
#define POOL_BYTES 65536

typedef struct conn {
    unsigned id;
    pthread_t thread;
    int fd;
    char agent[64];
    uint64_t rng;
    uint64_t runs;     /* runs of this connection */
    uint64_t n_events; /* runs * (steps + 2) */
    uint64_t base_seq; /* welcome.last_seq */
    uint64_t next;     /* events encoded so far */
    uint64_t acked;    /* events acknowledged so far */
    uint64_t *lat;     /* send time, then ack latency, per event */
    uint32_t *cmd_end; /* redis: commands issued up to and including event i */
    uint64_t cmds, replies;
    char run_id[37];
    char *pool; /* random filler */
    char *json; /* scratch for a step's output JSON */
    size_t json_len;
    buf_t tx, rx;
    uint64_t bytes_out, bytes_in;
    uint64_t first_send, last_ack, last_progress, max_gap;
    uint64_t errors, rejected, writes;
    char first_error[256];
} conn;

static pthread_barrier_t start_barrier;

static void usage(void)
{
    fprintf(stderr,
            "usage: brain-load --target brain|redis --socket PATH [--connections C] [--runs R]\n"
            "                  [--steps S] [--payload-bytes B] [--seed N] [--window W]\n"
            "                  [--batch F] [--agent-prefix P] [--token T] [--timeout SEC] [--json]\n"
            "  --runs is the total over all connections; each run is RunCreated + S steps +\n"
            "  completion. Defaults: C=4 R=400 S=250 B=300 W=16384 F=128 timeout=60.\n"
            "  Each connection's agent presents the token T-AGENT (default T: t).\n");
    exit(2);
}

/* ------------------------------------------------------------------ payload */

/* The step's output JSON, sized so run id (36) + step name + JSON is about B bytes. */
static size_t json_size(void)
{
    long n = (long)opt.payload - 36 - (long)strlen(STEP_NAME);
    return n < 16 ? 16 : (size_t)n;
}

static const char *make_json(conn *c, uint64_t step)
{
    size_t n = c->json_len, fill = n - 8; /* {"d":"...."} */
    size_t off = (size_t)((step * 7919u) % (POOL_BYTES - fill));
    memcpy(c->json, "{\"d\":\"", 6);
    memcpy(c->json + 6, c->pool + off, fill);
    memcpy(c->json + 6 + fill, "\"}", 3);
    return c->json;
}

/* ------------------------------------------------------------------ RESP */

static size_t fmt_u64(char *out, uint64_t v)
{
    char t[24];
    size_t n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = t[n - 1 - i];
    return n;
}

static void resp_begin(buf_t *b, int argc)
{
    buf_reserve(b, 32);
    b->data[b->len++] = '*';
    b->len += fmt_u64((char *)b->data + b->len, (uint64_t)argc);
    b->data[b->len++] = '\r';
    b->data[b->len++] = '\n';
}

static void resp_arg(buf_t *b, const char *s, size_t n)
{
    buf_reserve(b, n + 32);
    b->data[b->len++] = '$';
    b->len += fmt_u64((char *)b->data + b->len, n);
    b->data[b->len++] = '\r';
    b->data[b->len++] = '\n';
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len++] = '\r';
    b->data[b->len++] = '\n';
}

static void resp_str(buf_t *b, const char *s) { resp_arg(b, s, strlen(s)); }

static void resp_u64(buf_t *b, uint64_t v)
{
    char t[24];
    resp_arg(b, t, fmt_u64(t, v));
}

/* Parses one reply at p[0..n); returns its length, 0 if incomplete. *err set on '-'. */
static size_t resp_reply(const uint8_t *p, size_t n, bool *err)
{
    const uint8_t *nl = memchr(p, '\n', n);
    if (!nl)
        return 0;
    size_t line = (size_t)(nl - p) + 1;
    switch (p[0]) {
    case '+':
    case ':':
        return line;
    case '-':
        *err = true;
        return line;
    case '$': {
        long len = strtol((const char *)p + 1, NULL, 10);
        if (len < 0)
            return line;
        size_t total = line + (size_t)len + 2;
        return n >= total ? total : 0;
    }
    case '*': {
        long cnt = strtol((const char *)p + 1, NULL, 10);
        size_t off = line;
        for (long i = 0; i < cnt; i++) {
            size_t k = resp_reply(p + off, n - off, err);
            if (!k)
                return 0;
            off += k;
        }
        return off;
    }
    default:
        die("redis: unexpected reply byte 0x%02x", p[0]);
    }
}

/* ------------------------------------------------------------------ events */

/* Encodes event i (0-based within this connection) into c->tx. */
static void encode_event(conn *c, uint64_t i)
{
    uint64_t per_run = opt.steps + 2, k = i % per_run;
    int64_t at = wall_ns();
    if (k == 0)
        uuid_from_rng(&c->rng, c->run_id);
    if (opt.target == T_BRAIN) {
        uint64_t seq = c->base_seq + i + 1;
        if (k == 0)
            c->bytes_out += wire_publish_run_created(&c->tx, seq, c->run_id, "bench", at);
        else if (k <= opt.steps)
            c->bytes_out += wire_publish_step(&c->tx, seq, c->run_id, (uint32_t)k, STEP_NAME,
                                              make_json(c, i), at);
        else
            c->bytes_out += wire_publish_completed(&c->tx, seq, c->run_id, at);
        return;
    }
    size_t before = c->tx.len;
    char key[64], ts[24];
    ts[fmt_u64(ts, (uint64_t)at)] = 0;
    if (k == 0) {
        snprintf(key, sizeof key, "runmeta:%s", c->run_id);
        resp_begin(&c->tx, 10);
        resp_str(&c->tx, "HSET");
        resp_str(&c->tx, key);
        resp_str(&c->tx, "goal");
        resp_str(&c->tx, "bench");
        resp_str(&c->tx, "agent");
        resp_str(&c->tx, c->agent);
        resp_str(&c->tx, "status");
        resp_str(&c->tx, "running");
        resp_str(&c->tx, "created_at");
        resp_str(&c->tx, ts);
        c->cmds += 1;
    } else if (k <= opt.steps) {
        snprintf(key, sizeof key, "run:%s", c->run_id);
        /* payload: B bytes (the step JSON padded / cut to B) */
        const char *js = make_json(c, i);
        size_t jl = strlen(js);
        buf_reserve(&c->tx, opt.payload + 256);
        resp_begin(&c->tx, 7);
        resp_str(&c->tx, "XADD");
        resp_str(&c->tx, key);
        resp_str(&c->tx, "*");
        resp_str(&c->tx, "step");
        resp_u64(&c->tx, k);
        resp_str(&c->tx, "payload");
        if (jl < opt.payload) /* JSON padded with spaces to B bytes (c->json has room) */
            memset(c->json + jl, ' ', opt.payload - jl);
        resp_arg(&c->tx, js, opt.payload);
        snprintf(key, sizeof key, "runmeta:%s", c->run_id);
        resp_begin(&c->tx, 4);
        resp_str(&c->tx, "HINCRBY");
        resp_str(&c->tx, key);
        resp_str(&c->tx, "step_count");
        resp_str(&c->tx, "1");
        resp_begin(&c->tx, 4);
        resp_str(&c->tx, "HSET");
        resp_str(&c->tx, key);
        resp_str(&c->tx, "updated_at");
        resp_str(&c->tx, ts);
        c->cmds += 3;
    } else {
        snprintf(key, sizeof key, "runmeta:%s", c->run_id);
        resp_begin(&c->tx, 6);
        resp_str(&c->tx, "HSET");
        resp_str(&c->tx, key);
        resp_str(&c->tx, "status");
        resp_str(&c->tx, "completed");
        resp_str(&c->tx, "updated_at");
        resp_str(&c->tx, ts);
        c->cmds += 1;
    }
    c->cmd_end[i] = (uint32_t)c->cmds;
    c->bytes_out += c->tx.len - before;
}

static void acked_up_to(conn *c, uint64_t n_acked)
{
    if (n_acked <= c->acked)
        return;
    uint64_t t = now_ns();
    for (uint64_t i = c->acked; i < n_acked; i++)
        c->lat[i] = t - c->lat[i];
    c->acked = n_acked;
    uint64_t gap = t - c->last_progress;
    if (gap > c->max_gap)
        c->max_gap = gap;
    c->last_progress = t;
    c->last_ack = t;
}

static void note_error(conn *c, const char *fmt, const char *a, const char *b)
{
    if (c->errors++ == 0)
        snprintf(c->first_error, sizeof c->first_error, fmt, a, b);
}

static void handle_input(conn *c)
{
    if (opt.target == T_BRAIN) {
        const uint8_t *body;
        size_t len;
        uint64_t best = 0;
        while (buf_next_frame(&c->rx, &body, &len)) {
            Brain__V1__Response *r = brain__v1__response__unpack(NULL, len, body);
            if (!r)
                die("%s: undecodable %zu-byte frame from the brain", c->agent, len);
            if (r->result_case == BRAIN__V1__RESPONSE__RESULT_REJECTED) {
                c->rejected++;
                note_error(c, "rejected: %s: %s", status_name(r->status ? r->status->code : 0),
                           r->status ? r->status->message : "");
            } else if (r->status && r->status->code != 0) {
                note_error(c, "%s: %s", status_name(r->status->code), r->status->message);
                if (r->status->code == 14 || r->status->code == 8 || r->status->code == 3)
                    die("%s: the brain refused: %s: %s", c->agent, status_name(r->status->code),
                        r->status->message);
            } else if (r->result_case == BRAIN__V1__RESPONSE__RESULT_ACK) {
                uint64_t a = r->ack->acked_seq;
                if (a > best)
                    best = a;
            }
            brain__v1__response__free_unpacked(r, NULL);
        }
        if (best > c->base_seq) {
            uint64_t n = best - c->base_seq;
            acked_up_to(c, n > c->n_events ? c->n_events : n);
        }
    } else {
        for (;;) {
            size_t avail = c->rx.len - c->rx.off;
            if (!avail)
                break;
            bool err = false;
            size_t k = resp_reply(c->rx.data + c->rx.off, avail, &err);
            if (!k)
                break;
            if (err) {
                char line[200];
                size_t m = k < sizeof line - 1 ? k : sizeof line - 1;
                memcpy(line, c->rx.data + c->rx.off, m);
                line[m] = 0;
                note_error(c, "redis error: %s%s", line, "");
            }
            c->rx.off += k;
            c->replies++;
        }
        uint64_t n = c->acked;
        while (n < c->next && c->cmd_end[n] <= c->replies)
            n++;
        acked_up_to(c, n);
    }
    buf_compact(&c->rx);
}

static void *conn_main(void *arg)
{
    conn *c = arg;
    if (opt.target == T_BRAIN) {
        /* The brain keeps each token to one agent: every connection's agent gets its own. */
        char token[256];
        snprintf(token, sizeof token, "%s-%s", opt.token, c->agent);
        c->base_seq = wire_hello(c->fd, c->agent, token);
    }
    int fl = fcntl(c->fd, F_GETFL);
    fcntl(c->fd, F_SETFL, fl | O_NONBLOCK);
    pthread_barrier_wait(&start_barrier);

    c->first_send = c->last_progress = now_ns();
    while (c->acked < c->n_events) {
        /* refill: one batch when the tx buffer has drained */
        if (c->tx.len == c->tx.off && c->next < c->n_events &&
            c->next - c->acked < opt.window) {
            c->tx.len = c->tx.off = 0;
            uint64_t room = opt.window - (c->next - c->acked);
            uint64_t n = opt.batch < room ? opt.batch : room;
            if (n > c->n_events - c->next)
                n = c->n_events - c->next;
            uint64_t t = now_ns();
            for (uint64_t i = 0; i < n; i++) {
                encode_event(c, c->next);
                c->lat[c->next] = t;
                c->next++;
            }
        }
        bool pending = c->tx.len > c->tx.off;
        if (pending) { /* optimistic write; poll only when the socket is full */
            ssize_t w = write(c->fd, c->tx.data + c->tx.off, c->tx.len - c->tx.off);
            if (w > 0) {
                c->tx.off += (size_t)w;
                c->writes++;
            } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
                die("%s: write: %s", c->agent, strerror(errno));
            }
            pending = c->tx.len > c->tx.off;
        }
        bool can_fill = !pending && c->next < c->n_events && c->next - c->acked < opt.window;
        struct pollfd p = {.fd = c->fd, .events = POLLIN | (pending ? POLLOUT : 0)};
        int pr = poll(&p, 1, can_fill ? 0 : 1000);
        if (pr < 0 && errno != EINTR)
            die("poll: %s", strerror(errno));
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            for (;;) {
                buf_reserve(&c->rx, 65536);
                ssize_t r = read(c->fd, c->rx.data + c->rx.len, c->rx.cap - c->rx.len);
                if (r > 0) {
                    c->rx.len += (size_t)r;
                    c->bytes_in += (size_t)r;
                    continue;
                }
                if (r == 0)
                    die("%s: the %s closed the connection after %llu of %llu events acked%s%s",
                        c->agent, opt.target == T_BRAIN ? "brain" : "redis",
                        (unsigned long long)c->acked, (unsigned long long)c->n_events,
                        c->errors ? "; first error: " : "", c->first_error);
                if (errno == EAGAIN || errno == EINTR)
                    break;
                die("%s: read: %s", c->agent, strerror(errno));
            }
            handle_input(c);
        }
        if (now_ns() - c->last_progress > opt.timeout_s * 1000000000ull)
            die("%s: no ack for %llu s: %llu sent, %llu acked (stalled)", c->agent,
                (unsigned long long)opt.timeout_s, (unsigned long long)c->next,
                (unsigned long long)c->acked);
    }
    return NULL;
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--target")) {
            if (!v)
                usage();
            if (!strcmp(v, "brain"))
                opt.target = T_BRAIN;
            else if (!strcmp(v, "redis"))
                opt.target = T_REDIS;
            else
                usage();
            i++;
        } else if (!strcmp(a, "--socket") && v) {
            opt.socket = v;
            i++;
        } else if (!strcmp(a, "--connections")) {
            opt.connections = (unsigned)parse_u64(a, v);
            i++;
        } else if (!strcmp(a, "--runs")) {
            opt.runs = parse_u64(a, v);
            i++;
        } else if (!strcmp(a, "--steps")) {
            opt.steps = parse_u64(a, v);
            i++;
        } else if (!strcmp(a, "--payload-bytes")) {
            opt.payload = parse_u64(a, v);
            i++;
        } else if (!strcmp(a, "--seed")) {
            opt.seed = parse_u64(a, v);
            opt.seed_set = true;
            i++;
        } else if (!strcmp(a, "--window")) {
            opt.window = parse_u64(a, v);
            i++;
        } else if (!strcmp(a, "--batch")) {
            opt.batch = parse_u64(a, v);
            i++;
        } else if (!strcmp(a, "--timeout")) {
            opt.timeout_s = parse_u64(a, v);
            i++;
        } else if (!strcmp(a, "--agent-prefix") && v) {
            opt.prefix = v;
            i++;
        } else if (!strcmp(a, "--token") && v) {
            opt.token = v;
            i++;
        } else if (!strcmp(a, "--json")) {
            opt.json = true;
        } else {
            usage();
        }
    }
    if (!opt.socket || !opt.connections || !opt.runs || !opt.window || !opt.batch)
        usage();
    if (opt.steps > 0xffffffffu || opt.payload > 1 << 20)
        die("--steps or --payload-bytes out of range");
    if (opt.runs < opt.connections)
        opt.connections = (unsigned)opt.runs;
    if (!opt.seed_set)
        opt.seed = (uint64_t)wall_ns() ^ ((uint64_t)getpid() << 32);

    conn *cs = calloc(opt.connections, sizeof *cs);
    pthread_barrier_init(&start_barrier, NULL, opt.connections + 1);
    uint64_t total_events = 0;
    for (unsigned i = 0; i < opt.connections; i++) {
        conn *c = &cs[i];
        c->id = i;
        snprintf(c->agent, sizeof c->agent, "%s%u", opt.prefix, i);
        c->rng = (opt.seed + 1) * 0x9E3779B97F4A7C15ULL ^ (uint64_t)(i + 1) * 0xD1B54A32D192ED03ULL;
        if (!c->rng)
            c->rng = 1;
        c->runs = opt.runs / opt.connections + (i < opt.runs % opt.connections);
        c->n_events = c->runs * (opt.steps + 2);
        total_events += c->n_events;
        c->lat = calloc(c->n_events, sizeof *c->lat);
        if (opt.target == T_REDIS)
            c->cmd_end = calloc(c->n_events, sizeof *c->cmd_end);
        c->pool = malloc(POOL_BYTES);
        for (size_t k = 0; k < POOL_BYTES; k++)
            c->pool[k] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                [rng_next(&c->rng) % 62];
        c->json_len = json_size();
        c->json = malloc((c->json_len > opt.payload ? c->json_len : opt.payload) + 1);
        c->fd = unix_connect(opt.socket);
    }
    double cpu0 = cpu_seconds();
    for (unsigned i = 0; i < opt.connections; i++)
        if (pthread_create(&cs[i].thread, NULL, conn_main, &cs[i]))
            die("pthread_create failed");
    pthread_barrier_wait(&start_barrier);
    for (unsigned i = 0; i < opt.connections; i++)
        pthread_join(cs[i].thread, NULL);
    double cpu = cpu_seconds() - cpu0;

    uint64_t t0 = UINT64_MAX, t1 = 0, bytes = 0, errors = 0, rejected = 0, max_gap = 0,
             writes = 0, cmds = 0;
    const char *first_error = NULL;
    uint64_t *all = malloc(total_events * sizeof *all), na = 0;
    for (unsigned i = 0; i < opt.connections; i++) {
        conn *c = &cs[i];
        if (c->first_send < t0)
            t0 = c->first_send;
        if (c->last_ack > t1)
            t1 = c->last_ack;
        bytes += c->bytes_out;
        errors += c->errors;
        rejected += c->rejected;
        writes += c->writes;
        cmds += c->cmds;
        if (c->max_gap > max_gap)
            max_gap = c->max_gap;
        if (c->errors && !first_error)
            first_error = c->first_error;
        memcpy(all + na, c->lat, c->n_events * sizeof *all);
        na += c->n_events;
    }
    qsort(all, na, sizeof *all, cmp_u64);
    double secs = (double)(t1 - t0) / 1e9;
    uint64_t steps = opt.runs * opt.steps;
    double sps = (double)steps / secs, eps = (double)total_events / secs,
           bps = (double)bytes / secs;
    const char *tname = opt.target == T_BRAIN ? "brain" : "redis";
    if (opt.json) {
        printf("{\"target\":\"%s\",\"connections\":%u,\"runs\":%llu,\"steps\":%llu,"
               "\"events\":%llu,\"payload_bytes\":%llu,\"seconds\":%.6f,\"steps_per_s\":%.1f,"
               "\"events_per_s\":%.1f,\"bytes_per_s\":%.1f,\"bytes_sent\":%llu,"
               "\"redis_commands\":%llu,\"window\":%llu,\"batch\":%llu,"
               "\"ack_latency_us\":{\"p50\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f},"
               "\"max_ack_gap_ms\":%.3f,\"driver_cpu_s\":%.3f,\"driver_cpu_pct\":%.1f,"
               "\"errors\":%llu,\"rejected\":%llu,\"first_error\":\"",
               tname, opt.connections, (unsigned long long)opt.runs, (unsigned long long)steps,
               (unsigned long long)total_events, (unsigned long long)opt.payload, secs, sps, eps,
               bps, (unsigned long long)bytes, (unsigned long long)cmds,
               (unsigned long long)opt.window, (unsigned long long)opt.batch,
               pct_sorted(all, na, 50) / 1e3, pct_sorted(all, na, 99) / 1e3,
               pct_sorted(all, na, 99.9) / 1e3, (na ? all[na - 1] : 0) / 1e3, max_gap / 1e6, cpu,
               100.0 * cpu / secs, (unsigned long long)errors, (unsigned long long)rejected);
        for (const char *e = first_error ? first_error : ""; *e; e++) {
            if (*e == '"' || *e == '\\')
                putchar('\\');
            if ((unsigned char)*e >= 0x20)
                putchar(*e);
        }
        printf("\"}\n");
    } else {
        printf("target %s: %u connections, %llu runs x %llu steps (%llu events, ~%llu B/step)\n",
               tname, opt.connections, (unsigned long long)opt.runs,
               (unsigned long long)opt.steps, (unsigned long long)total_events,
               (unsigned long long)opt.payload);
        if (opt.target == T_REDIS)
            printf("  redis commands   %llu\n", (unsigned long long)cmds);
        printf("  wall             %.3f s (first send to last %s)\n", secs,
               opt.target == T_BRAIN ? "ack" : "reply");
        printf("  steps/s          %.0f\n", sps);
        printf("  events/s         %.0f\n", eps);
        printf("  MB/s sent        %.1f (%llu bytes, %llu writes)\n", bps / 1e6,
               (unsigned long long)bytes, (unsigned long long)writes);
        printf("  ack latency us   p50 %.0f  p99 %.0f  p99.9 %.0f  max %.0f (window %llu, batch "
               "%llu)\n",
               pct_sorted(all, na, 50) / 1e3, pct_sorted(all, na, 99) / 1e3,
               pct_sorted(all, na, 99.9) / 1e3, (na ? all[na - 1] : 0) / 1e3,
               (unsigned long long)opt.window, (unsigned long long)opt.batch);
        printf("  max ack gap      %.1f ms\n", max_gap / 1e6);
        printf("  driver CPU       %.3f s (%.0f%% of one core over the wall time)\n", cpu,
               100.0 * cpu / secs);
        printf("  errors           %llu (rejected %llu)%s%s\n", (unsigned long long)errors,
               (unsigned long long)rejected, first_error ? "; first: " : "",
               first_error ? first_error : "");
    }
    for (unsigned i = 0; i < opt.connections; i++) {
        close(cs[i].fd);
        free(cs[i].lat);
        free(cs[i].cmd_end);
        free(cs[i].pool);
        free(cs[i].json);
        buf_free(&cs[i].tx);
        buf_free(&cs[i].rx);
    }
    free(cs);
    free(all);
    return errors ? 3 : 0;
}
