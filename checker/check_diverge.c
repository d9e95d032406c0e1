/* check_diverge: divergence over an explored state space, shared by the
 * divergence-freedom check, deadlock freedom in [FD] and [FD= refinement.
 * The tau edges are recomputed from the machine rather than stored: the
 * store keeps states only (explore.h), and tau edges are usually few. */
#include "check_impl.h"

#include "diverge.h"
#include "mem.h"

#include <string.h>

typedef struct TauCtx {
    const Explorer *ex;
    const Machine *m;
    uint32_t *vec;
    void *scratch;
    IdVec *out;
    int failed;
} TauCtx;

static void tau_collect(void *ctx, uint32_t event, const uint32_t *target)
{
    TauCtx *t = ctx;
    if (event != EVENT_TAU)
        return;
    uint64_t id = explore_lookup(t->ex, target);
    if (id == UINT64_MAX || idvec_push(t->out, id) != 0)
        t->failed = 1;
}

static int tau_succ(void *ud, uint64_t id, IdVec *out)
{
    TauCtx *t = ud;
    explore_state(t->ex, id, t->vec);
    t->out = out;
    t->failed = 0;
    if (machine_successors(t->m, t->vec, t->scratch, tau_collect, t) != 0)
        return -1;
    return t->failed ? -1 : 0;
}

/* The tau lasso (lead, then the cycle) as impl states for the
 * counterexample. */
static int loop_to_cex(TauCtx *t, const IdVec *loop, Cex *cex, size_t skip)
{
    size_t n = loop->count ? loop->count - 1 : 0;
    cex->loop_steps = n;
    cex->loop_events = mem_alloc((n + 1) * sizeof *cex->loop_events);
    cex->loop_states = mem_alloc((n + 1) * cex->width * sizeof(uint32_t) + 4);
    if (!cex->loop_events || !cex->loop_states)
        return -1;
    for (size_t i = 0; i <= n; i++) {
        explore_state(t->ex, loop->items[i], t->vec);
        mem_copy(cex->loop_states + i * cex->width, t->vec + skip,
               cex->width * sizeof(uint32_t));
        if (i < n)
            cex->loop_events[i] = EVENT_TAU;
    }
    return 0;
}

int check_divergence_after(const Explorer *ex, const Machine *m, Cex *cex,
                           size_t skip)
{
    TauCtx t = {ex, m, mem_alloc(m->width * sizeof(uint32_t) + 4),
                mem_calloc(1, m->scratch_size + 1), NULL, 0};
    uint8_t *div = NULL;
    IdVec lead = {0}, loop = {0};
    int rc = -1;
    DivGraph g = {explore_stats(ex)->states, tau_succ, &t};
    if (!t.vec || !t.scratch || diverge_mark(&g, &div) != 0)
        goto out;
    uint64_t first = UINT64_MAX;
    for (uint64_t id = 0; id < g.states && first == UINT64_MAX; id++)
        if (div[id])
            first = id;
    rc = 0;
    if (first == UINT64_MAX)
        goto out;
    /* The trace leads to the first divergent state; the lead of taus to
     * the cycle is added to the path, then the loop itself. */
    if (diverge_lasso(&g, div, first, &lead, &loop) != 0 ||
        check_cex_path(cex, ex, m, first, skip) != 0) {
        rc = -1;
        goto out;
    }
    cex->loop_start = lead.count;
    for (size_t i = 0; i < loop.count && rc == 0; i++)
        rc = idvec_push(&lead, loop.items[i]);
    rc = rc == 0 && loop_to_cex(&t, &lead, cex, skip) == 0 ? 1 : -1;
out:
    mem_free(div);
    mem_free(t.vec);
    mem_free(t.scratch);
    idvec_free(&lead);
    idvec_free(&loop);
    return rc;
}
