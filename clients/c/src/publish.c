/* Publishing: the one place events enter the bounded buffer (a seq assigned, the frame
 * encoded, the I/O thread woken), for decoded events and for already-encoded ones. */
#include <string.h>

#include "internal.h"

/* Assigns the next seq, has pack() encode the frame for it, buffers the frame and wakes the
 * I/O thread; the one place events enter the buffer. */
typedef int (*pack_fn)(void *ctx, uint64_t seq, size_t max_frame, uint8_t **out, size_t *len);

static int enqueue(brain_client *c, pack_fn pack, void *ctx, uint64_t *seq_out)
{
    brain__frame f = {0, NULL, 0};
    int rc = BRAIN_OK, wake = 0;

    pthread_mutex_lock(&c->mu);
    if (c->failed) {
        rc = brain__fail(BRAIN_E_FAILED, c->fail_status, "%s", c->fail_msg);
    } else if (c->ring.count >= c->ring.cap) {
        rc = brain__fail(BRAIN_E_BUFFER_FULL, BRAIN_STATUS_OK,
                         "%zu events are waiting for the brain's acknowledgement "
                         "(max_unacked); wait with brain_wait_space() and publish again",
                         c->ring.count);
    } else {
        f.seq = c->next_seq;
        rc = pack(ctx, f.seq, c->max_frame, &f.data, &f.len);
    }
    if (rc == BRAIN_OK) {
        brain__ring_push(&c->ring, f);
        c->next_seq++;
        c->stats.published++;
        if (c->want_wake && c->fd >= 0) {
            c->want_wake = 0;
            wake = 1;
        }
        if (seq_out)
            *seq_out = f.seq;
    }
    pthread_mutex_unlock(&c->mu);
    if (wake)
        brain__wake(c);
    return rc;
}

static int pack_event(void *ctx, uint64_t seq, size_t max_frame, uint8_t **out, size_t *len)
{
    Brain__V1__AgentEvent *ev = ctx;
    Brain__V1__Request req = BRAIN__V1__REQUEST__INIT;
    req.call_id = 0;
    req.method_case = BRAIN__V1__REQUEST__METHOD_PUBLISH;
    req.publish = ev;
    ev->seq = seq;
    return brain__frame_pack(&req, max_frame, out, len);
}

int brain__publish(brain_client *c, Brain__V1__AgentEvent *ev, uint64_t *seq_out)
{
    return enqueue(c, pack_event, ev, seq_out);
}

/* An encoded AgentEvent (bytes without its seq field) becomes the frame
 * [length][Request.publish (field 12): the event's bytes, then seq (field 1)]: a
 * Request with call_id 0 whose AgentEvent carries the seq assigned here. */
typedef struct encoded {
    const uint8_t *data;
    size_t len;
} encoded;

static size_t put_varint(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

static int pack_encoded(void *ctx, uint64_t seq, size_t max_frame, uint8_t **out, size_t *len)
{
    const encoded *e = ctx;
    uint8_t seqf[11], lenf[10];
    seqf[0] = 0x08; /* AgentEvent.seq: field 1, varint */
    size_t seq_len = 1 + put_varint(seqf + 1, seq);
    size_t inner = e->len + seq_len;
    size_t inner_len = put_varint(lenf, inner);
    size_t body = 1 + inner_len + inner; /* 0x62: Request.publish, field 12, length-delimited */
    uint8_t *f;
    int rc = brain__frame_alloc(body, max_frame, &f);
    if (rc != BRAIN_OK)
        return rc;
    uint8_t *p = f + 4;
    *p++ = 0x62;
    memcpy(p, lenf, inner_len);
    p += inner_len;
    if (e->len)
        memcpy(p, e->data, e->len);
    p += e->len;
    memcpy(p, seqf, seq_len);
    *out = f;
    *len = 4 + body;
    return BRAIN_OK;
}

int brain_publish_encoded(brain_client *c, const void *event, size_t len, uint64_t *seq_out)
{
    if (!c || (!event && len))
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "client and event are required");
    encoded e = {event, len};
    return enqueue(c, pack_encoded, &e, seq_out);
}
