/* What becomes of published events: waiting for acks or buffer room, the counters, and
 * rejections (queued for brain_next_rejection or handed to on_rejection). */
#include <stdlib.h>
#include <time.h>

#include "internal.h"

#define MAX_QUEUED_REJECTIONS 65536

/* Waits on cv until done(c) or the deadline; called and returns with mu held. */
static int wait_until(brain_client *c, int (*done)(brain_client *), int64_t timeout_ms,
                      const char *what)
{
    int64_t deadline = timeout_ms < 0 ? -1 : brain__now_ms() + timeout_ms;
    while (!done(c)) {
        if (c->failed)
            return brain__fail(BRAIN_E_FAILED, c->fail_status, "%s", c->fail_msg);
        if (c->stop)
            return brain__fail(BRAIN_E_FAILED, BRAIN_STATUS_OK, "the client is closing");
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t step = 1000;
        if (deadline >= 0) {
            int64_t left = deadline - brain__now_ms();
            if (left <= 0)
                return brain__fail(BRAIN_E_TIMEOUT, BRAIN_STATUS_OK,
                                   "timed out after %lld ms waiting %s", (long long)timeout_ms, what);
            if (left < step)
                step = left;
        }
        ts.tv_sec += step / 1000;
        ts.tv_nsec += (step % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&c->cv, &c->mu, &ts);
    }
    return BRAIN_OK;
}

static int all_acked(brain_client *c) { return c->acked_seq + 1 >= c->next_seq; }
static int has_space(brain_client *c) { return c->ring.count < c->ring.cap; }

int brain_wait_acked(brain_client *c, int64_t timeout_ms)
{
    if (!c)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "client is NULL");
    pthread_mutex_lock(&c->mu);
    int rc = wait_until(c, all_acked, timeout_ms, "for every event to be acknowledged");
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int brain_wait_space(brain_client *c, int64_t timeout_ms)
{
    if (!c)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "client is NULL");
    pthread_mutex_lock(&c->mu);
    int rc = wait_until(c, has_space, timeout_ms, "for room in the event buffer");
    pthread_mutex_unlock(&c->mu);
    return rc;
}

/* ------------------------------------------------------------------ stats, rejections */

void brain_get_stats(brain_client *c, brain_stats *out)
{
    pthread_mutex_lock(&c->mu);
    *out = c->stats;
    out->last_seq = c->next_seq - 1;
    out->acked_seq = c->acked_seq;
    out->unacked = c->ring.count;
    out->connected = c->fd >= 0;
    out->failed = c->failed;
    pthread_mutex_unlock(&c->mu);
}

void brain__deliver_rejection(brain_client *c, const brain_rejection *r)
{
    pthread_mutex_lock(&c->mu);
    c->stats.rejections++;
    if (!c->on_rejection) {
        if (c->rej_count == c->rej_cap && c->rej_cap < MAX_QUEUED_REJECTIONS) {
            size_t cap = c->rej_cap ? c->rej_cap * 2 : 16;
            brain_rejection *n = malloc(cap * sizeof *n);
            if (n) {
                for (size_t i = 0; i < c->rej_count; i++)
                    n[i] = c->rej[(c->rej_head + i) % c->rej_cap];
                free(c->rej);
                c->rej = n;
                c->rej_cap = cap;
                c->rej_head = 0;
            }
        }
        if (c->rej_count < c->rej_cap) {
            c->rej[(c->rej_head + c->rej_count) % c->rej_cap] = *r;
            c->rej_count++;
        } else {
            c->stats.rejections_dropped++;
        }
    }
    pthread_mutex_unlock(&c->mu);
    if (c->on_rejection)
        c->on_rejection(c->user, r);
}

int brain_next_rejection(brain_client *c, brain_rejection *out)
{
    int got = 0;
    pthread_mutex_lock(&c->mu);
    if (c->rej_count > 0) {
        *out = c->rej[c->rej_head];
        c->rej_head = (c->rej_head + 1) % c->rej_cap;
        c->rej_count--;
        got = 1;
    }
    pthread_mutex_unlock(&c->mu);
    return got;
}
