/* explore_dist_diverge: the tau-cycle search after a distributed run.
 * See explore_dist.h.
 *
 * Tarjan's algorithm (diverge.c) is a depth-first search and does not
 * share out. Elimination does: a state whose tau successors all cannot
 * diverge cannot diverge either, starting from the states with no tau
 * successor at all. In a finite graph what is never eliminated has an
 * endless tau path, i.e. reaches a tau cycle: the very set diverge_mark
 * marks. So the answers, and the lasso below, are one process's.
 *
 * 1. Edges: each rank computes the tau successors of its states, in
 *    batches, and sends each target to its owner with the source's local
 *    index; the owner files the edge backwards (target -> source rank and
 *    index), the source counts its successors (with multiplicity).
 * 2. Elimination: a rank removes its states with no successor left and
 *    decrements their predecessors' counts: at once for its own, by one
 *    exchange per round for the others'. Rounds end when no rank has work;
 *    there are as many as the longest chain of eliminations crosses ranks.
 * 3. The first divergent state is a global minimum; the lasso follows, as
 *    diverge_lasso does, the first tau successor (in emission order) that
 *    is divergent: the owner broadcasts a state's tau targets, their
 *    owners say which are divergent. */
#include "explore_dist_impl.h"

#include "dist.h"
#include "limit.h"
#include "mem.h"

#include <string.h>

enum { BATCH = 4096 }; /* states whose tau edges are exchanged at once */

typedef struct Edge {
    uint64_t src;    /* source rank << 32 | source local index */
    uint32_t target; /* local index */
} Edge;

typedef struct Elim {
    ExploreDist *d;
    uint32_t *left;     /* per local state: tau successors not eliminated */
    uint64_t *pred_off; /* n + 1: predecessors of k are pred[off[k]..] */
    uint64_t *pred;     /* source rank << 32 | source local index */
    Edge *edges;        /* while filing: as they come */
    size_t nedges, edges_cap;
    /* while computing one state's tau targets */
    Out *out;
    uint32_t from;
    int failed;
} Elim;

/* Agrees on failure: a rank out of memory, or any rank's limit (raised
 * here too, so every rank reports the same reason). 1 when the search
 * must stop. */
static int agreed_stop(int failed)
{
    uint64_t kind = dist_max_u64(limit_reached());
    if (kind != LIMIT_NONE)
        limit_raise((LimitKind)kind);
    return dist_max_u64(failed) || kind != LIMIT_NONE;
}

static void send_tau(void *ctx, uint32_t event, const uint32_t *target)
{
    Elim *e = ctx;
    if (event != EVENT_TAU || e->failed)
        return;
    uint32_t rec[e->d->kw + 1];
    rec[0] = e->from;
    explore_dist_pack(e->d, target, rec + 1);
    Out *o = &e->out[explore_dist_owner(e->d, rec + 1)];
    e->failed = explore_dist_out_put(o, rec, 1 + e->d->kw) != 0;
    e->left[e->from]++;
}

/* One batch's received edges, filed by target. */
static int file_edges(Elim *e, const uint32_t *recv, const size_t *rcount,
                      const size_t *rdispl)
{
    ExploreDist *d = e->d;
    size_t rec = 1 + d->kw;
    for (int s = 0; s < d->size; s++)
        for (size_t at = rdispl[s]; at < rdispl[s] + rcount[s]; at += rec) {
            size_t k = explore_dist_find(d, recv + at + 1);
            if (k == SIZE_MAX || /* not stored: never after a whole run */
                mem_grow((void **)&e->edges, &e->edges_cap, e->nedges + 1,
                         sizeof *e->edges))
                return -1;
            e->edges[e->nedges++] = (Edge){(uint64_t)s << 32 | recv[at],
                                           (uint32_t)k};
        }
    return 0;
}

/* Step 1, ending with the predecessors in pred_off/pred. */
static int build_edges(Elim *e)
{
    ExploreDist *d = e->d;
    uint64_t rounds = dist_max_u64((d->nbyid + BATCH - 1) / BATCH);
    uint32_t state[d->w + 1];
    size_t rcount[2 * d->size];
    int failed = 0;
    for (uint64_t r = 0; r < rounds; r++) {
        e->out = mem_calloc(d->size, sizeof *e->out);
        failed |= e->out == NULL;
        for (size_t i = r * BATCH; !failed && i < d->nbyid &&
                                   i < (r + 1) * BATCH; i++) {
            e->from = (uint32_t)d->byid[i];
            explore_dist_unpack(d, d->keys + e->from * d->kw, state);
            failed = machine_tau_successors(d->m, state,
                                            d->work[0].scratch, send_tau,
                                            e) != MACHINE_OK ||
                     e->failed;
        }
        uint32_t *recv = NULL;
        size_t total;
        if (explore_dist_exchange(d, failed ? NULL : e->out, 1, &recv, rcount,
                                  rcount + d->size, &total) != 0)
            failed = 1;
        for (int k = 0; e->out && k < d->size; k++)
            mem_free(e->out[k].words);
        mem_free(e->out);
        e->out = NULL;
        if (!failed)
            failed = file_edges(e, recv, rcount, rcount + d->size) != 0;
        mem_free(recv);
        if (agreed_stop(failed))
            return -1;
    }
    /* counting sort of the edges by target */
    e->pred_off = mem_calloc(d->n + 1, sizeof *e->pred_off);
    e->pred = mem_alloc(e->nedges * sizeof *e->pred + sizeof *e->pred);
    if (!e->pred_off || !e->pred)
        return -1;
    for (size_t i = 0; i < e->nedges; i++)
        e->pred_off[e->edges[i].target + 1]++;
    for (size_t k = 0; k < d->n; k++)
        e->pred_off[k + 1] += e->pred_off[k];
    for (size_t i = 0; i < e->nedges; i++)
        e->pred[e->pred_off[e->edges[i].target]++] = e->edges[i].src;
    for (size_t k = d->n; k > 0; k--) /* back to the starts */
        e->pred_off[k] = e->pred_off[k - 1];
    e->pred_off[0] = 0;
    mem_free(e->edges);
    e->edges = NULL;
    return 0;
}

/* Eliminates what `queue` holds and what that frees locally; the remote
 * predecessors' decrements go to out. */
static int drain(Elim *e, IdVec *queue, Out *out)
{
    while (queue->count) {
        uint64_t k = queue->items[--queue->count];
        for (uint64_t i = e->pred_off[k]; i < e->pred_off[k + 1]; i++) {
            int r = (int)(e->pred[i] >> 32);
            uint32_t p = (uint32_t)e->pred[i];
            if (r != e->d->rank) {
                if (explore_dist_out_put(&out[r], &p, 1) != 0)
                    return -1;
            } else if (--e->left[p] == 0 && idvec_push(queue, p) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

/* Step 2: afterwards left[k] > 0 exactly when state k can diverge. */
static int eliminate(Elim *e)
{
    ExploreDist *d = e->d;
    IdVec queue = {0};
    size_t rcount[2 * d->size];
    int failed = 0;
    for (size_t i = 0; i < d->nbyid && !failed; i++)
        if (e->left[d->byid[i]] == 0)
            failed = idvec_push(&queue, d->byid[i]) != 0;
    for (;;) {
        Out *out = mem_calloc(d->size, sizeof *out);
        failed |= out == NULL || drain(e, &queue, out) != 0;
        uint32_t *recv = NULL;
        size_t total = 0;
        if (explore_dist_exchange(d, failed ? NULL : out, 1, &recv, rcount,
                                  rcount + d->size, &total) != 0)
            failed = 1;
        for (int r = 0; out && r < d->size; r++)
            mem_free(out[r].words);
        mem_free(out);
        for (size_t i = 0; !failed && i < total; i++)
            if (--e->left[recv[i]] == 0)
                failed = idvec_push(&queue, recv[i]) != 0;
        mem_free(recv);
        if (agreed_stop(failed)) {
            idvec_free(&queue);
            return -1;
        }
        if (dist_max_u64(queue.count) == 0)
            break;
    }
    idvec_free(&queue);
    return 0;
}

/* The tau targets of state `id`, broadcast by its owner: *count packed
 * keys at *keys (mem_alloc, the caller's). -1 when out of memory (on every
 * rank: the job ends, see dist.h). */
static int tau_targets(Elim *e, uint64_t id, uint32_t **keys,
                       uint32_t *count)
{
    ExploreDist *d = e->d;
    size_t k = explore_dist_local(d, id);
    uint32_t root = (uint32_t)dist_max_u64(k != SIZE_MAX ? d->rank + 1 : 0);
    if (root == 0)
        return -1; /* no such state, on every rank */
    DistWorker *w = &d->work[0];
    uint32_t n = 0;
    if (k != SIZE_MAX) {
        uint32_t state[d->w + 1];
        explore_dist_unpack(d, d->keys + k * d->kw, state);
        n = succlist_fill(&w->succ, d->m, state, w->scratch, 1) == MACHINE_OK
                ? (uint32_t)w->succ.count
                : UINT32_MAX;
    }
    dist_bcast_u32(&n, 1, (int)root - 1);
    if (n == UINT32_MAX)
        return -1;
    *count = n;
    *keys = mem_alloc((size_t)n * d->kw * sizeof **keys + 4);
    if (!*keys)
        dist_abort(3); /* the others are in the broadcast already */
    for (uint32_t i = 0; k != SIZE_MAX && i < n; i++)
        explore_dist_pack(d, w->succ.vec + (size_t)i * d->w,
                          *keys + (size_t)i * d->kw);
    dist_bcast_u32(*keys, (size_t)n * d->kw, (int)root - 1);
    return 0;
}

/* The first divergent tau successor of `id`, as an id (diverge_lasso's
 * choice, over the ranks). */
static int next_divergent(void *ud, uint64_t id, uint64_t *next)
{
    Elim *e = ud;
    ExploreDist *d = e->d;
    uint32_t *keys, n;
    if (tau_targets(e, id, &keys, &n) != 0)
        return -1;
    uint64_t mine = UINT64_MAX; /* position << 32 | id */
    for (uint32_t i = 0; i < n && mine == UINT64_MAX; i++) {
        size_t k = explore_dist_find(d, keys + (size_t)i * d->kw);
        if (k != SIZE_MAX && e->left[k] > 0)
            mine = (uint64_t)i << 32 | d->gid[k];
    }
    mem_free(keys);
    uint64_t first = dist_min_u64(mine);
    if (first == UINT64_MAX)
        return -1; /* not divergent after all: cannot happen */
    *next = first & UINT32_MAX;
    return 0;
}

int explore_dist_diverge(ExploreDist *d, uint64_t *first, IdVec *lead,
                         IdVec *loop)
{
    Elim e = {.d = d, .left = mem_calloc(d->n + 1, sizeof *e.left)};
    int rc = agreed_stop(e.left == NULL) ? -1 : build_edges(&e);
    if (dist_max_u64(rc != 0) == 0)
        rc = eliminate(&e);
    *first = UINT64_MAX;
    if (rc == 0) {
        uint64_t mine = UINT64_MAX;
        for (size_t i = 0; i < d->nbyid && mine == UINT64_MAX; i++)
            if (e.left[d->byid[i]] > 0)
                mine = d->gid[d->byid[i]]; /* byid is in id order */
        *first = dist_min_u64(mine);
        if (*first != UINT64_MAX)
            rc = diverge_walk(*first, next_divergent, &e, lead, loop);
    }
    mem_free(e.left);
    mem_free(e.pred_off);
    mem_free(e.pred);
    mem_free(e.edges);
    return rc;
}
