#include "common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

int write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int read_full(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len) {
        ssize_t n = read(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void buf_compact(buf_t *b)
{
    if (b->off == 0)
        return;
    memmove(b->data, b->data + b->off, b->len - b->off);
    b->len -= b->off;
    b->off = 0;
}

void buf_reserve(buf_t *b, size_t extra)
{
    if (b->cap - b->len >= extra)
        return;
    if (b->off && b->cap - (b->len - b->off) >= extra) {
        buf_compact(b);
        return;
    }
    size_t cap = b->cap ? b->cap : 65536;
    while (cap - (b->len - b->off) < extra)
        cap *= 2;
    buf_compact(b);
    uint8_t *d = realloc(b->data, cap);
    if (!d)
        die("out of memory");
    b->data = d;
    b->cap = cap;
}

void buf_free(buf_t *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

int buf_next_frame(buf_t *b, const uint8_t **body, size_t *len)
{
    size_t avail = b->len - b->off;
    if (avail < 4)
        return 0;
    uint32_t n = get_be32(b->data + b->off);
    if (avail - 4 < n)
        return 0;
    *body = b->data + b->off + 4;
    *len = n;
    b->off += 4 + (size_t)n;
    return 1;
}

static void fill_addr(struct sockaddr_un *a, const char *path)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a->sun_path)
        die("socket path too long: %s", path);
    strcpy(a->sun_path, path);
}

int unix_connect(const char *path)
{
    struct sockaddr_un a;
    fill_addr(&a, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket: %s", strerror(errno));
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
        die("connect %s: %s", path, strerror(errno));
    return fd;
}

int unix_listen(const char *path)
{
    struct sockaddr_un a;
    fill_addr(&a, path);
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket: %s", strerror(errno));
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
        die("bind %s: %s", path, strerror(errno));
    if (listen(fd, 64) < 0)
        die("listen: %s", strerror(errno));
    return fd;
}

uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

void uuid_from_rng(uint64_t *s, char out[37])
{
    uint8_t b[16];
    uint64_t a = rng_next(s), c = rng_next(s);
    memcpy(b, &a, 8);
    memcpy(b + 8, &c, 8);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

uint64_t pct_sorted(const uint64_t *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    /* nearest rank */
    size_t k = (size_t)((p / 100.0) * (double)n + 0.999999);
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    return v[k - 1];
}

uint64_t parse_u64(const char *opt, const char *s)
{
    if (!s)
        die("%s needs a value", opt);
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        die("%s: not a whole number: %s", opt, s);
    return (uint64_t)v;
}
