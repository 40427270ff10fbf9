/* pingpong: one-at-a-time request/response latency over a Unix stream socket.
 *
 * Bare mode (default): a server process (forked; --thread: a thread) answers each Q-byte frame with an R-byte frame;
 * nothing is encoded or decoded. Brain mode (--brain SOCK): the same loop sends a
 * protobuf Request{call_id, get_run{run_id}} and reads + unpacks the Response. With no
 * --run-id, a run with --setup-steps steps is first published as agent "pingpong".
 * Client-only mode (--connect SOCK): the bare loop against a server someone else runs,
 * e.g. `brain-bench echo-server` (NIO with no work: the floor under the brain's figure);
 * the server must answer each frame with a --response-bytes frame.
 * Every mode times the same thing: write the request frame, read the whole reply frame.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "wire.h"

static uint64_t iters = 20000, warmup = 2000, qbytes = 50, rbytes = 2000, setup_steps = 5,
                payload = 300;
static const char *brain, *run_id_opt, *path, *connect_to;
static bool json, use_thread;

static void *bare_server(void *arg)
{
    int fd = *(int *)arg;
    uint8_t *resp = malloc(4 + rbytes);
    put_be32(resp, (uint32_t)rbytes);
    memset(resp + 4, 'r', rbytes);
    buf_t in = {0};
    for (;;) {
        uint8_t hdr[4];
        if (read_full(fd, hdr, 4) < 0)
            break;
        uint32_t n = get_be32(hdr);
        in.len = in.off = 0;
        buf_reserve(&in, n ? n : 1);
        if (n && read_full(fd, in.data, n) < 0)
            break;
        if (write_all(fd, resp, 4 + rbytes) < 0)
            break;
    }
    free(resp);
    buf_free(&in);
    return NULL;
}

/* Publishes a run with setup_steps steps as agent "pingpong"; waits for the ack. */
static void setup_run(char run_id[37])
{
    int fd = unix_connect(brain);
    uint64_t base = wire_hello(fd, "pingpong", "t");
    uint64_t rng = (uint64_t)wall_ns() | 1;
    uuid_from_rng(&rng, run_id);
    buf_t tx = {0}, rx = {0};
    size_t jl = payload > 40 + 16 ? payload - 40 : 16;
    char *js = malloc(jl + 1);
    memcpy(js, "{\"d\":\"", 6);
    memset(js + 6, 'x', jl - 8);
    memcpy(js + jl - 2, "\"}", 3);
    uint64_t seq = base;
    wire_publish_run_created(&tx, ++seq, run_id, "pingpong", wall_ns());
    for (uint64_t k = 1; k <= setup_steps; k++)
        wire_publish_step(&tx, ++seq, run_id, (uint32_t)k, "step", js, wall_ns());
    if (write_all(fd, tx.data, tx.len) < 0)
        die("setup: write failed");
    for (;;) {
        Brain__V1__Response *r = wire_read_response(fd, &rx, NULL);
        if (!r)
            die("setup: the brain closed the connection");
        if (r->status && r->status->code)
            die("setup: %s: %s", status_name(r->status->code), r->status->message);
        bool done = r->result_case == BRAIN__V1__RESPONSE__RESULT_ACK && r->ack->acked_seq >= seq;
        brain__v1__response__free_unpacked(r, NULL);
        if (done)
            break;
    }
    free(js);
    buf_free(&tx);
    buf_free(&rx);
    close(fd);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--iterations"))
            iters = parse_u64(a, v), i++;
        else if (!strcmp(a, "--warmup"))
            warmup = parse_u64(a, v), i++;
        else if (!strcmp(a, "--request-bytes"))
            qbytes = parse_u64(a, v), i++;
        else if (!strcmp(a, "--response-bytes"))
            rbytes = parse_u64(a, v), i++;
        else if (!strcmp(a, "--brain") && v)
            brain = v, i++;
        else if (!strcmp(a, "--run-id") && v)
            run_id_opt = v, i++;
        else if (!strcmp(a, "--setup-steps"))
            setup_steps = parse_u64(a, v), i++;
        else if (!strcmp(a, "--payload-bytes"))
            payload = parse_u64(a, v), i++;
        else if (!strcmp(a, "--path") && v)
            path = v, i++;
        else if (!strcmp(a, "--connect") && v)
            connect_to = v, i++;
        else if (!strcmp(a, "--json"))
            json = true;
        else if (!strcmp(a, "--thread"))
            use_thread = true;
        else {
            fprintf(stderr,
                    "usage: pingpong [--iterations N (20000)] [--warmup W (2000)] [--json]\n"
                    "  bare socket: [--request-bytes Q (50)] [--response-bytes R (2000)] [--path SOCK]\n"
                    "               [--thread: server as a thread of this process, not a child]\n"
                    "  bare client: --connect SOCK [--request-bytes Q] [--response-bytes R] (a server already\n"
                    "               listening there answers each frame with an R-byte frame)\n"
                    "  brain GetRun: --brain SOCK [--run-id ID | --setup-steps K (5) "
                    "--payload-bytes B (300)]\n");
            return 2;
        }
    }
    if (!iters || qbytes > (1u << 24) || rbytes > (1u << 24))
        die("bad options");

    int fd, sfd = -1, lfd = -1;
    pid_t child = -1;
    pthread_t st;
    char run_id[37] = "";
    if (brain) {
        if (run_id_opt) {
            snprintf(run_id, sizeof run_id, "%s", run_id_opt);
        } else {
            setup_run(run_id);
        }
        fd = unix_connect(brain);
    } else if (connect_to) {
        fd = unix_connect(connect_to);
    } else {
        if (path) {
            lfd = unix_listen(path);
            fd = unix_connect(path);
            sfd = accept(lfd, NULL, NULL);
        } else {
            int sv[2];
            if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
                die("socketpair failed");
            fd = sv[0];
            sfd = sv[1];
        }
        if (use_thread) {
            pthread_create(&st, NULL, bare_server, &sfd);
        } else {
            child = fork();
            if (child < 0)
                die("fork failed");
            if (child == 0) {
                close(fd);
                bare_server(&sfd);
                _exit(0);
            }
            close(sfd);
            sfd = -1;
        }
    }

    uint8_t *bare_req = malloc(4 + qbytes);
    put_be32(bare_req, (uint32_t)qbytes);
    memset(bare_req + 4, 'q', qbytes);
    buf_t tx = {0}, rx = {0};
    uint64_t *lat = malloc(iters * sizeof *lat);
    size_t req_len = qbytes, resp_len = rbytes;
    uint32_t steps_seen = 0;
    double cpu0 = cpu_seconds();
    uint64_t wall0 = now_ns();
    for (uint64_t i = 0; i < warmup + iters; i++) {
        uint64_t t = now_ns();
        if (brain) {
            Brain__V1__GetRunRequest g = BRAIN__V1__GET_RUN_REQUEST__INIT;
            g.run_id = run_id;
            Brain__V1__Request req = BRAIN__V1__REQUEST__INIT;
            req.call_id = i + 1;
            req.method_case = BRAIN__V1__REQUEST__METHOD_GET_RUN;
            req.get_run = &g;
            tx.len = tx.off = 0;
            req_len = wire_append_request(&tx, &req) - 4;
            if (write_all(fd, tx.data, tx.len) < 0)
                die("write to the brain failed");
            Brain__V1__Response *r = wire_read_response(fd, &rx, &resp_len);
            if (!r)
                die("the brain closed the connection");
            if (r->call_id != i + 1)
                die("reply for call %llu, expected %llu", (unsigned long long)r->call_id,
                    (unsigned long long)(i + 1));
            if (r->status && r->status->code)
                die("GetRun %s: %s: %s", run_id, status_name(r->status->code),
                    r->status->message);
            if (r->result_case != BRAIN__V1__RESPONSE__RESULT_RUN)
                die("GetRun: unexpected reply case %d", r->result_case);
            steps_seen = (uint32_t)r->run->n_steps;
            brain__v1__response__free_unpacked(r, NULL);
        } else {
            if (write_all(fd, bare_req, 4 + qbytes) < 0)
                die("write failed");
            uint8_t hdr[4];
            if (read_full(fd, hdr, 4) < 0)
                die("read failed");
            uint32_t n = get_be32(hdr);
            if (n != rbytes)
                die("the server answered a %u-byte frame, expected %llu (--response-bytes)", n,
                    (unsigned long long)rbytes);
            rx.len = rx.off = 0;
            buf_reserve(&rx, n ? n : 1);
            if (n && read_full(fd, rx.data, n) < 0)
                die("read failed");
        }
        uint64_t d = now_ns() - t;
        if (i >= warmup)
            lat[i - warmup] = d;
    }
    double wall = (double)(now_ns() - wall0) / 1e9, cpu = cpu_seconds() - cpu0;
    close(fd);
    if (!brain && !connect_to) {
        if (use_thread) {
            pthread_join(st, NULL);
            close(sfd);
        } else {
            waitpid(child, NULL, 0);
        }
        if (lfd >= 0) {
            close(lfd);
            unlink(path);
        }
    }
    qsort(lat, iters, sizeof *lat, cmp_u64);
    double sum = 0;
    for (uint64_t i = 0; i < iters; i++)
        sum += (double)lat[i];
    double p50 = pct_sorted(lat, iters, 50) / 1e3, p99 = pct_sorted(lat, iters, 99) / 1e3,
           p999 = pct_sorted(lat, iters, 99.9) / 1e3, mx = lat[iters - 1] / 1e3,
           mn = lat[0] / 1e3, mean = sum / (double)iters / 1e3;
    const char *mode = brain ? "brain-getrun" : connect_to ? "connect" : use_thread ? "bare-thread" : "bare";
    if (json) {
        printf("{\"mode\":\"%s\",\"iterations\":%llu,\"request_bytes\":%zu,\"response_bytes\":%zu,"
               "\"run_id\":\"%s\",\"steps_in_run\":%u,\"p50_us\":%.2f,\"p99_us\":%.2f,\"p999_us\":%.2f,"
               "\"max_us\":%.2f,\"min_us\":%.2f,\"mean_us\":%.2f,\"calls_per_s\":%.0f,"
               "\"client_cpu_s\":%.3f}\n",
               mode, (unsigned long long)iters, req_len, resp_len, run_id, steps_seen, p50, p99, p999, mx,
               mn, mean, (double)(warmup + iters) / wall, cpu);
    } else {
        printf("pingpong %s: %llu calls after %llu warmup, request %zu B, response %zu B",
               mode, (unsigned long long)iters, (unsigned long long)warmup, req_len, resp_len);
        if (brain)
            printf(" (run %s, %u steps)", run_id, steps_seen);
        printf("\n  latency us  min %.1f  p50 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  mean %.1f\n"
               "  calls/s     %.0f (one at a time)\n  CPU         %.3f s (this process%s)\n",
               mn, p50, p99, p999, mx, mean, (double)(warmup + iters) / wall, cpu,
               brain || !use_thread ? "" : ", client + server thread");
    }
    free(lat);
    free(bare_req);
    buf_free(&tx);
    buf_free(&rx);
    return 0;
}
