/* succlist: a state's successors, held. See succlist.h. */
#include "succlist.h"

#include "mem.h"

void succlist_push(void *ctx, uint32_t event, const uint32_t *target)
{
    SuccList *l = ctx;
    if (l->failed)
        return;
    if (l->count == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        uint32_t *e = mem_realloc(l->event, cap * sizeof *e);
        if (e)
            l->event = e;
        uint32_t *v = e ? mem_realloc(l->vec, cap * l->width * sizeof *v + 4)
                        : NULL;
        if (!v) {
            l->failed = 1;
            return;
        }
        l->vec = v;
        l->cap = cap;
    }
    l->event[l->count] = event;
    mem_copy(l->vec + l->count * l->width, target, l->width * sizeof *target);
    l->count++;
}

int succlist_fill(SuccList *l, const Machine *m, const uint32_t *state,
                  void *scratch, int taus_only)
{
    l->count = 0;
    l->failed = 0;
    int rc = taus_only
                 ? machine_tau_successors(m, state, scratch, succlist_push, l)
                 : machine_successors(m, state, scratch, succlist_push, l);
    return rc != MACHINE_OK ? rc : l->failed ? MACHINE_NOMEM : MACHINE_OK;
}

void succlist_free(SuccList *l)
{
    mem_free(l->event);
    mem_free(l->vec);
    *l = (SuccList){.width = l->width};
}
