/* normal_min: the smallest normal form, by merging equivalent nodes.
 * See normal.h.
 *
 * A normal form is deterministic, so its nodes are equivalent when they
 * carry the same marks (divergence, the set of acceptances) and every
 * event leads to equivalent nodes: DFA minimisation, which is the
 * coarsest strong bisimulation within the partition by marks. Nodes are
 * first numbered by their marks (equal marks found by hashing, then
 * compared word for word, so equal means equal, never a hash collision);
 * compress_refine (the sbisim refinement) does the rest. FDR minimises
 * its normal forms too (bisimulation over the normalised graph), which is
 * why its node counts do not depend on how the specification is written.
 */
#include "normal.h"

#include "compress.h"
#include "hash.h"
#include "mem.h"

#include <string.h>

/* Per node a blob of words (pool[off[v] .. off[v + 1])), and the table
 * that numbers equal blobs. */
typedef struct Blobs {
    uint32_t *pool, *off, *slot;
    size_t pool_len, pool_cap, off_cap, slot_cap;
} Blobs;

static int blobs_put(Blobs *b, uint32_t word)
{
    if (mem_grow((void **)&b->pool, &b->pool_cap, b->pool_len + 1,
                 sizeof *b->pool))
        return -1;
    b->pool[b->pool_len++] = word;
    return 0;
}

/* ids[v]: the number of v's blob among the distinct ones, in order of
 * first appearance; *count: how many there are. */
static int blobs_number(Blobs *b, uint32_t nodes, uint32_t *ids,
                        uint32_t *count)
{
    size_t slots = 16;
    while (slots < 2 * (size_t)nodes)
        slots *= 2;
    if (mem_grow((void **)&b->slot, &b->slot_cap, slots, sizeof *b->slot))
        return -1;
    memset(b->slot, 0xff, slots * sizeof *b->slot);
    *count = 0;
    for (uint32_t v = 0; v < nodes; v++) {
        const uint32_t *blob = b->pool + b->off[v];
        size_t len = b->off[v + 1] - b->off[v];
        size_t k = hash_bytes(HASH_SEED, blob, len * sizeof *blob) &
                   (slots - 1);
        for (;; k = (k + 1) & (slots - 1)) {
            uint32_t u = b->slot[k];
            if (u == UINT32_MAX) {
                b->slot[k] = v;
                ids[v] = (*count)++;
                break;
            }
            if (b->off[u + 1] - b->off[u] == len &&
                !memcmp(b->pool + b->off[u], blob, len * sizeof *blob)) {
                ids[v] = ids[u];
                break;
            }
        }
    }
    return 0;
}

/* Starts node v's blob. */
static int blobs_open(Blobs *b, uint32_t v)
{
    if (mem_grow((void **)&b->off, &b->off_cap, (size_t)v + 2,
                 sizeof *b->off))
        return -1;
    if (v == 0)
        b->pool_len = 0;
    b->off[v] = (uint32_t)b->pool_len;
    return 0;
}

static void blobs_close(Blobs *b, uint32_t v)
{
    b->off[v + 1] = (uint32_t)b->pool_len;
}

/* 1 when acceptance a sorts before c (by size, then events). */
static int acc_before(const Normal *n, uint32_t a, uint32_t c)
{
    uint32_t la = n->acc_off[a + 1] - n->acc_off[a];
    uint32_t lc = n->acc_off[c + 1] - n->acc_off[c];
    if (la != lc)
        return la < lc;
    return memcmp(n->acc_event + n->acc_off[a], n->acc_event + n->acc_off[c],
                  la * sizeof *n->acc_event) < 0;
}

/* Node v's marks: divergence, then its acceptances in a canonical order
 * (the order they were found in says nothing). */
static int mark_blob(Blobs *b, const Normal *n, uint32_t v,
                     uint32_t **order, size_t *order_cap)
{
    uint32_t first = n->acc_node[v], count = n->acc_node[v + 1] - first;
    if (mem_grow((void **)order, order_cap, (size_t)count + 1,
                 sizeof **order) ||
        blobs_open(b, v) != 0 || blobs_put(b, n->divergent[v]) != 0 ||
        blobs_put(b, count) != 0)
        return -1;
    uint32_t *o = *order;
    for (uint32_t i = 0; i < count; i++) { /* insertion sort: a handful */
        uint32_t j = i;
        for (; j > 0 && acc_before(n, first + i, o[j - 1]); j--)
            o[j] = o[j - 1];
        o[j] = first + i;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint32_t lo = n->acc_off[o[i]], hi = n->acc_off[o[i] + 1];
        if (blobs_put(b, hi - lo) != 0)
            return -1;
        for (uint32_t e = lo; e < hi; e++)
            if (blobs_put(b, n->acc_event[e]) != 0)
                return -1;
    }
    blobs_close(b, v);
    return 0;
}

static int mark_classes(const Normal *n, Blobs *b, uint32_t *cls,
                        uint32_t *count)
{
    uint32_t *order = NULL;
    size_t order_cap = 0;
    int rc = 0;
    for (uint32_t v = 0; v < n->nodes && rc == 0; v++)
        rc = mark_blob(b, n, v, &order, &order_cap);
    mem_free(order);
    return rc == 0 ? blobs_number(b, n->nodes, cls, count) : -1;
}

/* The quotient: classes numbered breadth-first from node 0's (so node 0
 * stays the root), each class taking its first node's marks. */
static int quotient(Normal *n, const uint32_t *cls, uint32_t classes)
{
    Normal q = {0};
    uint32_t *rep = mem_alloc(((size_t)classes + 1) * sizeof *rep);
    uint32_t *id = mem_alloc(((size_t)classes + 1) * sizeof *id);
    uint32_t *order = mem_alloc(((size_t)classes + 1) * sizeof *order);
    q.off = mem_calloc((size_t)classes + 1, sizeof *q.off);
    q.divergent = mem_calloc((size_t)classes + 1, 1);
    q.acc_node = mem_calloc((size_t)classes + 1, sizeof *q.acc_node);
    q.event = mem_alloc(((size_t)n->off[n->nodes] + 1) * sizeof *q.event);
    q.target = mem_alloc(((size_t)n->off[n->nodes] + 1) * sizeof *q.target);
    q.acc_off = mem_alloc(((size_t)n->acc_node[n->nodes] + 1) *
                          sizeof *q.acc_off);
    q.acc_event = mem_alloc(((size_t)n->acc_off[n->acc_node[n->nodes]] + 1) *
                            sizeof *q.acc_event);
    int rc = -1;
    if (!rep || !id || !order || !q.off || !q.divergent || !q.acc_node ||
        !q.event || !q.target || !q.acc_off || !q.acc_event)
        goto done;
    memset(id, 0xff, (size_t)classes * sizeof *id);
    for (uint32_t v = n->nodes; v-- > 0;)
        rep[cls[v]] = v; /* ends as the first node of each class */
    uint32_t count = 0, edges = 0, accs = 0, events = 0;
    id[cls[0]] = count;
    order[count++] = cls[0];
    for (uint32_t i = 0; i < count; i++) {
        uint32_t v = rep[order[i]];
        q.off[i] = edges;
        for (uint32_t k = n->off[v]; k < n->off[v + 1]; k++) {
            uint32_t c = cls[n->target[k]];
            if (id[c] == UINT32_MAX) {
                id[c] = count;
                order[count++] = c;
            }
            q.event[edges] = n->event[k];
            q.target[edges++] = id[c];
        }
        q.divergent[i] = n->divergent[v];
        q.acc_node[i] = accs;
        for (uint32_t a = n->acc_node[v]; a < n->acc_node[v + 1]; a++) {
            q.acc_off[accs++] = events;
            for (uint32_t e = n->acc_off[a]; e < n->acc_off[a + 1]; e++)
                q.acc_event[events++] = n->acc_event[e];
        }
    }
    q.off[count] = edges;
    q.acc_node[count] = accs;
    q.acc_off[accs] = events;
    q.nodes = count;
    q.spec_states = n->spec_states;
    normal_free(n);
    *n = q;
    memset(&q, 0, sizeof q);
    rc = 0;
done:
    normal_free(&q);
    mem_free(rep);
    mem_free(id);
    mem_free(order);
    return rc;
}

NormalStatus normal_minimise(Normal *n)
{
    uint32_t *cls = mem_alloc(((size_t)n->nodes + 1) * sizeof *cls);
    Blobs b = {0};
    uint32_t count = 0;
    NormalStatus st = NORMAL_NOMEM;
    if (cls && mark_classes(n, &b, cls, &count) == 0) {
        CompressStatus cs = compress_refine(n->nodes, n->off, n->event,
                                            n->target, cls, &count);
        st = cs == COMPRESS_STOPPED ? NORMAL_STOPPED
             : cs != COMPRESS_OK    ? NORMAL_NOMEM
             : count == n->nodes || quotient(n, cls, count) == 0
                 ? NORMAL_OK
                 : NORMAL_NOMEM;
    }
    mem_free(cls);
    mem_free(b.pool);
    mem_free(b.off);
    mem_free(b.slot);
    return st;
}
