/* The bounded ring of encoded events waiting for the brain's acknowledgement. */
#include <stdlib.h>

#include "internal.h"

int brain__ring_init(brain__ring *r, size_t cap)
{
    r->slots = calloc(cap, sizeof *r->slots);
    if (!r->slots)
        return brain__fail(BRAIN_E_NOMEM, BRAIN_STATUS_OK, "out of memory");
    r->cap = cap;
    r->head = r->count = 0;
    return BRAIN_OK;
}

void brain__ring_free(brain__ring *r)
{
    for (size_t i = 0; i < r->count; i++)
        free(brain__ring_at(r, i)->data);
    free(r->slots);
    r->slots = NULL;
    r->cap = r->count = r->head = 0;
}

brain__frame *brain__ring_at(brain__ring *r, size_t i)
{
    return &r->slots[(r->head + i) % r->cap];
}

void brain__ring_push(brain__ring *r, brain__frame f)
{
    r->slots[(r->head + r->count) % r->cap] = f;
    r->count++;
}

size_t brain__ring_pop_acked(brain__ring *r, uint64_t acked, size_t limit)
{
    size_t n = 0;
    while (n < limit && r->count > 0 && r->slots[r->head].seq <= acked) {
        free(r->slots[r->head].data);
        r->slots[r->head].data = NULL;
        r->head = (r->head + 1) % r->cap;
        r->count--;
        n++;
    }
    return n;
}
