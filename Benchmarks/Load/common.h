/* Shared helpers for the bench drivers: clocks, framing, buffers, percentiles. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

uint64_t now_ns(void);            /* CLOCK_MONOTONIC */
int64_t wall_ns(void);            /* CLOCK_REALTIME, Unix ns */
double cpu_seconds(void);         /* user + system CPU of this process (getrusage) */

void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Blocking helpers (EINTR-safe). Return 0 on success, -1 on error/EOF. */
int write_all(int fd, const void *buf, size_t len);
int read_full(int fd, void *buf, size_t len);

void put_be32(uint8_t *p, uint32_t v);
uint32_t get_be32(const uint8_t *p);

/* A growable byte buffer with a read offset (used for both rx and tx). */
typedef struct {
    uint8_t *data;
    size_t len, off, cap;
} buf_t;

void buf_reserve(buf_t *b, size_t extra); /* room for `extra` more bytes after len */
void buf_compact(buf_t *b);
void buf_free(buf_t *b);
/* Next complete length-prefixed frame in b, or 0 when incomplete. */
int buf_next_frame(buf_t *b, const uint8_t **body, size_t *len);

/* Connect to / listen on a Unix stream socket path. */
int unix_connect(const char *path);
int unix_listen(const char *path);

/* xorshift64* */
uint64_t rng_next(uint64_t *s);
/* A UUIDv4-shaped string (36 chars + NUL) from the generator. */
void uuid_from_rng(uint64_t *s, char out[37]);

int cmp_u64(const void *a, const void *b);
/* Percentile (0..100) of a sorted array. */
uint64_t pct_sorted(const uint64_t *v, size_t n, double p);

/* Parse an unsigned integer option or die. */
uint64_t parse_u64(const char *opt, const char *s);

#endif
