/* buffer.c — lks_buffer: a FIFO buffer process between two channels, the
 * runtime's buffered channel (CSP's BUFF(s) over in and out). It is an
 * ordinary process built on the public API: an alt whose preconditions say
 * "not full" and "not empty". Between message channels it holds the
 * messages themselves (of the channels' common size).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct Ring {
    int *slots;          /* capacity items of width ints each */
    unsigned char *msgs; /* message channels: capacity messages */
    size_t msg_size;
    int width, capacity, head, count;
} Ring;

static int *ring_at(Ring *r, int k)
{
    return r->slots + (size_t)((r->head + k) % r->capacity) * (size_t)r->width;
}

/* Item k's message, or NULL for channels of plain values. */
static void *msg_at(Ring *r, int k)
{
    return r->msgs ? r->msgs + (size_t)((r->head + k) % r->capacity) *
                                   r->msg_size
                   : NULL;
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
             ring_at(r, r->count), 0, msg_at(r, r->count)},
            {LKS_GUARD_SEND, r->count > 0, spec->out, ring_at(r, 0), 0,
             msg_at(r, 0)}};
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
        spec->in->ndata != spec->out->ndata ||
        spec->in->decl->payload != spec->out->decl->payload)
        return LKS_EINVAL;
    Ring r = {NULL, NULL, spec->in->decl->payload,
              spec->in->ndata > 0 ? spec->in->ndata : 1, spec->capacity, 0,
              0};
    r.slots = calloc((size_t)r.capacity * (size_t)r.width, sizeof *r.slots);
    if (r.msg_size)
        r.msgs = calloc((size_t)r.capacity, r.msg_size);
    int rc = r.slots && (r.msgs || !r.msg_size)
                 ? buffer_loop(self, spec, &r)
                 : LKS_ENOMEM;
    free(r.slots);
    free(r.msgs);
    return rc;
}
