/* specgraph: Spec as explicit rows. See specgraph.h. */
#include "specgraph.h"

#include "mem.h"

#include <stdlib.h>
#include <string.h>

typedef struct Collect {
    SpecGraph *g;
    size_t count, event_cap, target_cap; /* each array its own capacity:
                                            one may grow and the other not */
    const Explorer *ex;
    int failed;
} Collect;

static void graph_collect(void *ctx, uint32_t event, const uint32_t *target)
{
    Collect *c = ctx;
    if (c->failed)
        return;
    uint64_t id = explore_lookup(c->ex, target);
    if (id == UINT64_MAX ||
        mem_grow((void **)&c->g->event, &c->event_cap, c->count + 1,
                 sizeof *c->g->event) ||
        mem_grow((void **)&c->g->target, &c->target_cap, c->count + 1,
                 sizeof *c->g->target)) {
        c->failed = 1;
        return;
    }
    c->g->event[c->count] = event;
    c->g->target[c->count++] = (uint32_t)id;
}

/* The rows of every explored state; 0, or -1 (*machine_failed says
 * whether Spec's machine failed rather than memory). */
static int graph_rows(SpecGraph *g, const Machine *spec, const Explorer *ex,
                      int *machine_failed)
{
    Collect c = {g, 0, 0, 0, ex, 0};
    g->states = explore_stats(ex)->states;
    g->off = mem_alloc((g->states + 1) * sizeof *g->off);
    uint32_t *vec = mem_alloc((spec->width + 1) * sizeof *vec);
    void *scratch = mem_calloc(1, spec->scratch_size + 1);
    int rc = g->off && vec && scratch ? 0 : -1;
    for (uint64_t id = 0; id < g->states && rc == 0; id++) {
        g->off[id] = (uint32_t)c.count;
        explore_state(ex, id, vec);
        if (machine_successors(spec, vec, scratch, graph_collect, &c) != 0 ||
            c.failed)
            rc = -1;
    }
    if (rc == 0)
        g->off[g->states] = (uint32_t)c.count;
    *machine_failed = rc != 0 && c.failed;
    mem_free(vec);
    mem_free(scratch);
    return rc;
}

static int graph_tau(void *ud, uint64_t id, IdVec *out)
{
    const SpecGraph *g = ud;
    for (uint32_t k = g->off[id]; k < g->off[id + 1]; k++)
        if (g->event[k] == EVENT_TAU && idvec_push(out, g->target[k]) != 0)
            return -1;
    return 0;
}

NormalStatus specgraph_build(const Machine *spec,
                             const ExploreOptions *options, SpecGraph *out)
{
    memset(out, 0, sizeof *out);
    /* every rank of a distributed check builds the specification itself,
     * in memory (its rows are found by lookups, which a store on disk
     * does not answer) */
    ExploreOptions local = *options;
    local.distributed = 0;
    local.disk = NULL;
    Explorer *ex = explore_new(spec, &local);
    if (!ex)
        return NORMAL_NOMEM;
    ExploreStatus st = explore_run(ex, NULL, NULL);
    if (st != EXPLORE_DONE) {
        explore_free(ex);
        return st == EXPLORE_NOMEM ? NORMAL_NOMEM
               : st == EXPLORE_MACHINE_ERROR ? NORMAL_ERROR : NORMAL_LIMIT;
    }
    int machine_failed = 0;
    int rc = graph_rows(out, spec, ex, &machine_failed);
    explore_free(ex);
    if (rc != 0)
        return machine_failed ? NORMAL_ERROR : NORMAL_NOMEM;
    DivGraph dg = {out->states, graph_tau, out};
    out->mark = mem_calloc(out->states + 1, sizeof *out->mark);
    if (!out->mark || diverge_mark(&dg, &out->div) != 0)
        return NORMAL_NOMEM;
    return NORMAL_OK;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int specgraph_close(SpecGraph *g, IdVec *members)
{
    g->generation++;
    g->stack.count = 0;
    for (size_t i = 0; i < members->count; i++)
        if (g->mark[members->items[i]] != g->generation) {
            g->mark[members->items[i]] = g->generation;
            if (idvec_push(&g->stack, members->items[i]))
                return -1;
        }
    members->count = 0;
    while (g->stack.count) {
        uint64_t s = g->stack.items[--g->stack.count];
        if (idvec_push(members, s))
            return -1;
        for (uint32_t k = g->off[s]; k < g->off[s + 1]; k++) {
            uint32_t t = g->target[k];
            if (g->event[k] == EVENT_TAU && g->mark[t] != g->generation) {
                g->mark[t] = g->generation;
                if (idvec_push(&g->stack, t))
                    return -1;
            }
        }
    }
    qsort(members->items, members->count, sizeof *members->items, cmp_u64);
    return 0;
}

int specgraph_stable(const SpecGraph *g, uint64_t s)
{
    for (uint32_t k = g->off[s]; k < g->off[s + 1]; k++)
        if (g->event[k] == EVENT_TAU)
            return 0;
    return 1;
}

void specgraph_free(SpecGraph *g)
{
    mem_free(g->off);
    mem_free(g->event);
    mem_free(g->target);
    mem_free(g->div);
    mem_free(g->mark);
    idvec_free(&g->stack);
    memset(g, 0, sizeof *g);
}
