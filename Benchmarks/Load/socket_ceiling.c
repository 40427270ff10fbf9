/* socket-ceiling: the raw ceiling of length-prefixed frames over a Unix stream socket.
 *
 * A writer thread sends --frames frames of --frame-bytes bytes (plus the 4-byte length),
 * --batch frames per write(); a reader thread reads into a 256 KiB buffer and walks the
 * length prefixes, counting frames. No encoding, no decoding, no acks: this is what the
 * kernel can move, the upper bound for any protocol over such a socket. --pairs runs
 * several writer/reader pairs at once (like brain-load's connections).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

static uint64_t frames = 5000000, frame_bytes = 300, batch = 128;
static const char *path;
static bool json;

typedef struct {
    int wfd, rfd;
    pthread_t wt, rt;
    uint64_t got, t_end;
} pair_t;

static pthread_barrier_t go;

static void *writer(void *arg)
{
    pair_t *p = arg;
    size_t fsz = 4 + frame_bytes;
    uint8_t *buf = malloc(fsz * batch);
    for (uint64_t i = 0; i < batch; i++) {
        put_be32(buf + i * fsz, (uint32_t)frame_bytes);
        memset(buf + i * fsz + 4, 'a' + (int)(i % 26), frame_bytes);
    }
    pthread_barrier_wait(&go);
    for (uint64_t sent = 0; sent < frames;) {
        uint64_t n = frames - sent < batch ? frames - sent : batch;
        if (write_all(p->wfd, buf, n * fsz) < 0)
            die("write failed");
        sent += n;
    }
    free(buf);
    return NULL;
}

static void *reader(void *arg)
{
    pair_t *p = arg;
    buf_t b = {0};
    pthread_barrier_wait(&go);
    while (p->got < frames) {
        buf_reserve(&b, 262144);
        ssize_t r = read(p->rfd, b.data + b.len, b.cap - b.len);
        if (r <= 0)
            die("read failed / EOF after %llu frames", (unsigned long long)p->got);
        b.len += (size_t)r;
        const uint8_t *body;
        size_t len;
        uint64_t sum = 0;
        while (buf_next_frame(&b, &body, &len)) {
            sum += body[0]; /* touch the frame */
            p->got++;
        }
        (void)sum;
        buf_compact(&b);
    }
    p->t_end = now_ns();
    buf_free(&b);
    return NULL;
}

int main(int argc, char **argv)
{
    unsigned pairs = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--frames"))
            frames = parse_u64(a, v), i++;
        else if (!strcmp(a, "--frame-bytes"))
            frame_bytes = parse_u64(a, v), i++;
        else if (!strcmp(a, "--batch"))
            batch = parse_u64(a, v), i++;
        else if (!strcmp(a, "--pairs"))
            pairs = (unsigned)parse_u64(a, v), i++;
        else if (!strcmp(a, "--path") && v)
            path = v, i++;
        else if (!strcmp(a, "--json"))
            json = true;
        else {
            fprintf(stderr, "usage: socket-ceiling [--frames N (5000000)] [--frame-bytes B (300)]\n"
                            "                      [--batch F (128)] [--pairs P (1)] [--path SOCK] "
                            "[--json]\n"
                            "  default: a socketpair; --path: listen on SOCK and connect to it\n");
            return 2;
        }
    }
    if (!frames || !batch || !pairs || frame_bytes > (1u << 24))
        die("bad options");
    pair_t *ps = calloc(pairs, sizeof *ps);
    int lfd = path ? unix_listen(path) : -1;
    for (unsigned i = 0; i < pairs; i++) {
        if (path) {
            ps[i].wfd = unix_connect(path);
            ps[i].rfd = accept(lfd, NULL, NULL);
            if (ps[i].rfd < 0)
                die("accept failed");
        } else {
            int sv[2];
            if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
                die("socketpair failed");
            ps[i].wfd = sv[0];
            ps[i].rfd = sv[1];
        }
    }
    pthread_barrier_init(&go, NULL, 2 * pairs + 1);
    for (unsigned i = 0; i < pairs; i++) {
        pthread_create(&ps[i].wt, NULL, writer, &ps[i]);
        pthread_create(&ps[i].rt, NULL, reader, &ps[i]);
    }
    double cpu0 = cpu_seconds();
    pthread_barrier_wait(&go);
    uint64_t t0 = now_ns(), t1 = 0;
    for (unsigned i = 0; i < pairs; i++) {
        pthread_join(ps[i].wt, NULL);
        pthread_join(ps[i].rt, NULL);
        if (ps[i].t_end > t1)
            t1 = ps[i].t_end;
        close(ps[i].wfd);
        close(ps[i].rfd);
    }
    double cpu = cpu_seconds() - cpu0;
    if (path) {
        close(lfd);
        unlink(path);
    }
    double secs = (double)(t1 - t0) / 1e9;
    uint64_t total = frames * pairs;
    double fps = (double)total / secs, bps = (double)total * (double)(frame_bytes + 4) / secs;
    if (json)
        printf("{\"pairs\":%u,\"frames\":%llu,\"frame_bytes\":%llu,\"batch\":%llu,\"seconds\":%.6f,"
               "\"frames_per_s\":%.1f,\"bytes_per_s\":%.1f,\"cpu_s\":%.3f}\n",
               pairs, (unsigned long long)total, (unsigned long long)frame_bytes,
               (unsigned long long)batch, secs, fps, bps, cpu);
    else
        printf("socket ceiling (%s, %u pair%s): %llu frames of %llu+4 bytes, %llu per write\n"
               "  wall        %.3f s\n  frames/s    %.0f\n  MB/s        %.1f\n  CPU         "
               "%.3f s\n",
               path ? "unix socket path" : "socketpair", pairs, pairs == 1 ? "" : "s",
               (unsigned long long)total, (unsigned long long)frame_bytes,
               (unsigned long long)batch, secs, fps, bps / 1e6, cpu);
    free(ps);
    return 0;
}
