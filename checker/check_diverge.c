/* check_diverge: divergence over an explored state space, shared by the
 * divergence-freedom check, deadlock freedom in [FD] and [FD= refinement.
 *
 * The store keeps states only (explore.h), so the tau edges are computed
 * again from the machine after the exploration. Tarjan's algorithm is
 * sequential, but computing each state's successors and looking their
 * targets up in the store is most of its work and independent per state:
 * that part runs first, on as many threads as the exploration had, into
 * arrays of tau edges (4 bytes per state and per tau edge). When those do
 * not fit (no memory, or 2^32 tau edges and more), the edges are computed
 * per state during the search instead, on one thread. An MPI job's
 * exploration is searched over its ranks (explore_dist_diverge.c), a run
 * on disk on files (explore_disk_diverge.c); the counterexample is then
 * made the same way. */
#include "check_impl.h"

#include "diverge.h"
#include "explore_disk.h"
#include "explore_dist.h"
#include "limit.h"
#include "mem.h"
#include "pool.h"

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
    if (machine_tau_successors(t->m, t->vec, t->scratch, tau_collect, t) !=
        0)
        return -1;
    return t->failed ? -1 : 0;
}

static void tau_ctx_free(TauCtx *t)
{
    mem_free(t->vec);
    mem_free(t->scratch);
}

static int tau_ctx_init(TauCtx *t, const Explorer *ex, const Machine *m)
{
    *t = (TauCtx){ex, m, mem_alloc(m->width * sizeof(uint32_t) + 4),
                  mem_calloc(1, m->scratch_size + 1), NULL, 0};
    return t->vec && t->scratch ? 0 : -1;
}

/* ---------- the tau edges as arrays ---------- */

typedef struct TauGraph {
    uint32_t *off; /* states + 1: the edges of id are to[off[id] ..
                      off[id + 1] - 1] */
    uint32_t *to;
} TauGraph;

/* One thread's share: ids [lo, hi), their edges in order. States are
 * taken in groups: the tau targets of a group are looked up together. */
enum { TAU_GROUP = 32 };

typedef struct TauPart {
    TauCtx ctx;
    uint32_t *targets;      /* the group's tau targets, width words each */
    size_t count, targets_cap;
    uint64_t *ids;          /* their ids */
    size_t ids_cap;
    uint32_t *edges;        /* the part's edges, in order */
    size_t nedges, edges_cap;
    uint64_t lo, hi;
    int failed;
} TauPart;

typedef struct TauBuild {
    TauGraph *g;
    TauPart *parts;
} TauBuild;

static void tau_gather(void *ctx, uint32_t event, const uint32_t *target)
{
    TauPart *p = ctx;
    size_t width = p->ctx.m->width;
    if (event != EVENT_TAU || p->failed)
        return;
    if (mem_grow((void **)&p->targets, &p->targets_cap,
                 (p->count + 1) * width, sizeof *p->targets)) {
        p->failed = 1;
        return;
    }
    mem_copy(p->targets + p->count++ * width, target,
             width * sizeof *target);
}

/* The group's targets to ids, appended to the part's edges. */
static void tau_resolve(TauPart *p)
{
    if (mem_grow((void **)&p->ids, &p->ids_cap, p->count + 1,
                 sizeof *p->ids) ||
        mem_grow((void **)&p->edges, &p->edges_cap, p->nedges + p->count + 1,
                 sizeof *p->edges)) {
        p->failed = 1;
        return;
    }
    explore_lookup_many(p->ctx.ex, p->targets, p->count, p->ids);
    for (size_t k = 0; k < p->count; k++) {
        p->failed |= p->ids[k] == UINT64_MAX;
        p->edges[p->nedges++] = (uint32_t)p->ids[k];
    }
}

static void tau_build_part(void *arg, unsigned worker)
{
    TauBuild *b = arg;
    TauPart *p = &b->parts[worker];
    TauCtx *t = &p->ctx;
    for (uint64_t at = p->lo; at < p->hi && !p->failed; at += TAU_GROUP) {
        if (limit_reached() != LIMIT_NONE) {
            p->failed = 1;
            break;
        }
        uint64_t end = p->hi - at < TAU_GROUP ? p->hi : at + TAU_GROUP;
        p->count = 0;
        for (uint64_t id = at; id < end && !p->failed; id++) {
            size_t before = p->count;
            explore_state(t->ex, id, t->vec);
            if (machine_tau_successors(t->m, t->vec, t->scratch, tau_gather,
                                       p) !=
                MACHINE_OK)
                p->failed = 1;
            b->g->off[id + 1] = (uint32_t)(p->count - before);
        }
        if (!p->failed)
            tau_resolve(p);
    }
}

/* Counts to offsets, then the parts' edges into place; -1 when they are
 * 2^32 or more, or out of memory. */
static int tau_build_join(TauGraph *g, TauPart *parts, unsigned n,
                          uint64_t states)
{
    uint64_t total = 0;
    g->off[0] = 0;
    for (uint64_t id = 0; id < states; id++) {
        total += g->off[id + 1];
        if (total > UINT32_MAX)
            return -1;
        g->off[id + 1] = (uint32_t)total;
    }
    g->to = mem_alloc(total * sizeof *g->to + 4);
    if (!g->to)
        return -1;
    for (unsigned w = 0; w < n; w++)
        mem_copy(g->to + g->off[parts[w].lo], parts[w].edges,
                 parts[w].nedges * sizeof *g->to);
    return 0;
}

static void tau_graph_free(TauGraph *g)
{
    mem_free(g->off);
    mem_free(g->to);
    memset(g, 0, sizeof *g);
}

/* Builds g on `threads` threads; -1 (g empty) when it cannot. */
static int tau_graph_build(TauGraph *g, const Explorer *ex, const Machine *m,
                           unsigned threads)
{
    uint64_t states = explore_stats(ex)->states;
    memset(g, 0, sizeof *g);
    if (states >= UINT32_MAX)
        return -1;
    Pool *pool = pool_new(threads ? threads : 1);
    unsigned n = pool ? pool_size(pool) : 0;
    TauPart *parts = pool ? mem_calloc(n, sizeof *parts) : NULL;
    g->off = parts ? mem_alloc((states + 1) * sizeof *g->off) : NULL;
    int ok = g->off != NULL;
    for (unsigned w = 0; ok && w < n; w++) {
        parts[w].lo = states * w / n;
        parts[w].hi = states * (w + 1) / n;
        ok = tau_ctx_init(&parts[w].ctx, ex, m) == 0;
    }
    if (ok) {
        TauBuild b = {g, parts};
        pool_run(pool, n, tau_build_part, &b);
        for (unsigned w = 0; w < n; w++)
            ok = ok && !parts[w].failed;
        ok = ok && tau_build_join(g, parts, n, states) == 0;
    }
    for (unsigned w = 0; parts && w < n; w++) {
        tau_ctx_free(&parts[w].ctx);
        mem_free(parts[w].targets);
        mem_free(parts[w].ids);
        mem_free(parts[w].edges);
    }
    mem_free(parts);
    pool_free(pool);
    if (!ok)
        tau_graph_free(g);
    return ok ? 0 : -1;
}

static int tau_succ_arrays(void *ud, uint64_t id, IdVec *out)
{
    const TauGraph *g = ud;
    for (uint32_t k = g->off[id]; k < g->off[id + 1]; k++)
        if (idvec_push(out, g->to[k]) != 0)
            return -1;
    return 0;
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

/* The first divergent state and its lasso, over one process's store. */
static int diverge_local(const Explorer *ex, const Machine *m, TauCtx *t,
                         uint64_t *first, IdVec *lead, IdVec *loop)
{
    TauGraph arrays;
    uint8_t *div = NULL;
    DivGraph g = {explore_stats(ex)->states, tau_succ, t};
    if (tau_graph_build(&arrays, ex, m, explore_stats(ex)->threads) == 0)
        g = (DivGraph){g.states, tau_succ_arrays, &arrays};
    int rc = -1;
    if (limit_reached() == LIMIT_NONE && diverge_mark(&g, &div) == 0) {
        *first = UINT64_MAX;
        for (uint64_t id = 0; id < g.states && *first == UINT64_MAX; id++)
            if (div[id])
                *first = id;
        rc = *first == UINT64_MAX ? 0
                                  : diverge_lasso(&g, div, *first, lead, loop);
    }
    mem_free(div);
    tau_graph_free(&arrays);
    return rc;
}

int check_divergence_after(const Explorer *ex, const Machine *m, Cex *cex,
                           size_t skip)
{
    TauCtx t = {0};
    IdVec lead = {0}, loop = {0};
    uint64_t first = UINT64_MAX;
    struct ExploreDist *dist = explore_distributed(ex);
    struct ExploreDisk *disk = explore_disk_of(ex);
    int rc = tau_ctx_init(&t, ex, m);
    if (dist) /* every rank searches, whatever its allocation did */
        rc = explore_dist_diverge(dist, &first, &lead, &loop) != 0 ? -1 : rc;
    else if (disk && rc == 0)
        rc = explore_disk_diverge(disk, m, &first, &lead, &loop);
    else if (rc == 0)
        rc = diverge_local(ex, m, &t, &first, &lead, &loop);
    if (rc != 0 || first == UINT64_MAX)
        goto out;
    /* The trace leads to the first divergent state; the lead of taus to
     * the cycle is added to the path, then the loop itself. */
    if (check_cex_path(cex, ex, m, first, skip) != 0) {
        rc = -1;
        goto out;
    }
    cex->loop_start = lead.count;
    for (size_t i = 0; i < loop.count && rc == 0; i++)
        rc = idvec_push(&lead, loop.items[i]);
    rc = rc == 0 && loop_to_cex(&t, &lead, cex, skip) == 0 ? 1 : -1;
out:
    tau_ctx_free(&t);
    idvec_free(&lead);
    idvec_free(&loop);
    return rc;
}
