/* Framing: a 4-byte big-endian length followed by one protobuf message. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int brain__frame_alloc(size_t body, size_t max_frame, uint8_t **out)
{
    if (body > max_frame || body > 0xffffffffu)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK,
                           "the event encodes to %zu bytes, more than the %zu-byte frame "
                           "limit (max_frame_bytes)", body, max_frame);
    uint8_t *f = malloc(4 + body);
    if (!f)
        return brain__fail(BRAIN_E_NOMEM, BRAIN_STATUS_OK, "out of memory");
    f[0] = (uint8_t)(body >> 24);
    f[1] = (uint8_t)(body >> 16);
    f[2] = (uint8_t)(body >> 8);
    f[3] = (uint8_t)body;
    *out = f;
    return BRAIN_OK;
}

int brain__frame_pack(const Brain__V1__Request *req, size_t max_frame, uint8_t **out,
                      size_t *len)
{
    size_t body = brain__v1__request__get_packed_size(req);
    int rc = brain__frame_alloc(body, max_frame, out);
    if (rc != BRAIN_OK)
        return rc;
    brain__v1__request__pack(req, *out + 4);
    *len = 4 + body;
    return BRAIN_OK;
}

int brain__rx_reserve(brain__rxbuf *rx, size_t n)
{
    if (rx->cap - rx->len >= n)
        return BRAIN_OK;
    brain__rx_compact(rx);
    if (rx->cap - rx->len >= n)
        return BRAIN_OK;
    size_t cap = rx->cap ? rx->cap : 65536;
    while (cap - rx->len < n)
        cap *= 2;
    uint8_t *d = realloc(rx->data, cap);
    if (!d)
        return brain__fail(BRAIN_E_NOMEM, BRAIN_STATUS_OK, "out of memory");
    rx->data = d;
    rx->cap = cap;
    return BRAIN_OK;
}

int brain__rx_next(brain__rxbuf *rx, size_t max, const uint8_t **body, size_t *len)
{
    size_t avail = rx->len - rx->off;
    if (avail < 4)
        return 0;
    const uint8_t *p = rx->data + rx->off;
    size_t n = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
    if (n > max)
        return brain__fail(BRAIN_E_PROTOCOL, BRAIN_STATUS_OK,
                           "the brain announced a %zu-byte frame (limit %zu)", n, max);
    if (avail - 4 < n)
        return 0;
    *body = p + 4;
    *len = n;
    rx->off += 4 + n;
    return 1;
}

void brain__rx_compact(brain__rxbuf *rx)
{
    if (rx->off == 0)
        return;
    memmove(rx->data, rx->data + rx->off, rx->len - rx->off);
    rx->len -= rx->off;
    rx->off = 0;
}

void brain__rx_clear(brain__rxbuf *rx) { rx->len = rx->off = 0; }

void brain__rx_free(brain__rxbuf *rx)
{
    free(rx->data);
    memset(rx, 0, sizeof *rx);
}

/* Strict UTF-8 (no overlongs, no surrogates, <= U+10FFFF); protobuf strings must be. */
int brain__utf8_valid(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        unsigned c = *s;
        int n;
        unsigned min;
        if (c < 0x80) { s++; continue; }
        else if ((c & 0xe0) == 0xc0) { n = 1; c &= 0x1f; min = 0x80; }
        else if ((c & 0xf0) == 0xe0) { n = 2; c &= 0x0f; min = 0x800; }
        else if ((c & 0xf8) == 0xf0) { n = 3; c &= 0x07; min = 0x10000; }
        else return 0;
        s++;
        for (int i = 0; i < n; i++, s++) {
            if ((*s & 0xc0) != 0x80)
                return 0;
            c = (c << 6) | (*s & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return 0;
    }
    return 1;
}
