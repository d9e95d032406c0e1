/* buffer.c — lks_buffer: a FIFO buffer process between two channels, the
 * runtime's buffered channel (CSP's BUFF(s) over in and out). It is an
 * ordinary process built on the public API: an alt whose preconditions say
 * "not full" and "not empty".
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct Ring {
    int *slots;          /* capacity items of width ints each */
    int width, capacity, head, count;
} Ring;

static int *ring_at(Ring *r, int k)
{
    return r->slots + (size_t)((r->head + k) % r->capacity) * (size_t)r->width;
}

/* Delivers and takes values until poison or an error ends the buffer. */
static int buffer_loop(LksProc *self, const LksBufferSpec *spec, Ring *r)
{
    int in_open = 1, fair = 0;
    for (;;) {
        if (!in_open && r->count == 0) {
            lks_poison(self, spec->out);
            return 0;
        }
        LksGuard g[2] = {
            {LKS_GUARD_RECV, in_open && r->count < r->capacity, spec->in,
             ring_at(r, r->count), 0, NULL},
            {LKS_GUARD_SEND, r->count > 0, spec->out, ring_at(r, 0), 0, NULL}};
        int k = lks_alt_fair(self, g, 2, &fair);
        if (k == 0) {
            r->count++;
        } else if (k == 1) {
            r->head = (r->head + 1) % r->capacity;
            r->count--;
        } else if (k == LKS_EPOISON && lks_poisoned_channel(self) == spec->in) {
            in_open = 0;
        } else if (k == LKS_EPOISON) {
            lks_poison(self, spec->in);
            return 0;
        } else {
            return k;
        }
    }
}

int lks_buffer(LksProc *self, void *arg)
{
    const LksBufferSpec *spec = arg;
    if (!self || !spec || !spec->in || !spec->out || spec->capacity < 1 ||
        spec->in->ndata != spec->out->ndata)
        return LKS_EINVAL;
    Ring r = {NULL, spec->in->ndata > 0 ? spec->in->ndata : 1,
              spec->capacity, 0, 0};
    r.slots = calloc((size_t)r.capacity * (size_t)r.width, sizeof *r.slots);
    if (!r.slots)
        return LKS_ENOMEM;
    int rc = buffer_loop(self, spec, &r);
    free(r.slots);
    return rc;
}
