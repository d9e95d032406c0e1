/* normal_min: the smallest normal form, by merging equivalent nodes.
 * See normal.h.
 *
 * A normal form is deterministic, so its nodes are equivalent when they
 * carry the same marks (divergence, the set of acceptances) and every
 * event leads to equivalent nodes: DFA minimisation. Classes are refined
 * by signatures (Moore's algorithm): a node's signature is its class and,
 * per event in order, its target's class; signatures are numbered by an
 * intern table, so equal means equal, never a hash collision. Rounds stop
 * when no class splits. FDR minimises its normal forms the same way
 * (bisimulation over the normalised graph), which is why its node counts
 * do not depend on how the specification is written.
 */
#include "normal.h"

#include "intern.h"
#include "limit.h"
#include "mem.h"

#include <string.h>

/* Canonical marks of each node: [divergent, acceptance ids sorted], the
 * acceptances themselves numbered by their event lists. */
static int mark_classes(const Normal *n, uint32_t *cls, uint32_t *count)
{
    Intern *accs = intern_new(), *marks = intern_new();
    uint32_t *blob = NULL;
    size_t cap = 0;
    int rc = accs && marks ? 0 : -1;
    for (uint32_t v = 0; v < n->nodes && rc == 0; v++) {
        uint32_t first = n->acc_node[v], last = n->acc_node[v + 1];
        if (mem_grow((void **)&blob, &cap, (size_t)(last - first) + 1,
                     sizeof *blob)) {
            rc = -1;
            break;
        }
        blob[0] = n->divergent[v];
        for (uint32_t a = first; a < last && rc == 0; a++) {
            uint32_t lo = n->acc_off[a], len = n->acc_off[a + 1] - lo;
            /* an empty acceptance is a valid blob of size 0 */
            blob[1 + a - first] = intern_add(accs, n->acc_event + lo,
                                             len * sizeof *n->acc_event);
            rc = blob[1 + a - first] == UINT32_MAX ? -1 : 0;
        }
        /* sorted, so the order the acceptances were found in is lost */
        for (uint32_t i = 2; i <= last - first; i++)
            for (uint32_t j = i; j > 1 && blob[j - 1] > blob[j]; j--) {
                uint32_t t = blob[j];
                blob[j] = blob[j - 1];
                blob[j - 1] = t;
            }
        cls[v] = intern_add(marks, blob,
                            (size_t)(last - first + 1) * sizeof *blob);
        rc = rc == 0 && cls[v] != UINT32_MAX ? 0 : -1;
    }
    if (rc == 0)
        *count = intern_count(marks);
    mem_free(blob);
    intern_free(accs);
    intern_free(marks);
    return rc;
}

/* One round: each node's new class from its signature. */
static int refine_round(const Normal *n, const uint32_t *cls, uint32_t *next,
                        uint32_t *count)
{
    Intern *sigs = intern_new();
    uint32_t *sig = NULL;
    size_t cap = 0;
    int rc = sigs ? 0 : -1;
    for (uint32_t v = 0; v < n->nodes && rc == 0; v++) {
        uint32_t lo = n->off[v], hi = n->off[v + 1], len = 1;
        if (mem_grow((void **)&sig, &cap, 1 + 2 * (size_t)(hi - lo),
                     sizeof *sig)) {
            rc = -1;
            break;
        }
        sig[0] = cls[v];
        for (uint32_t k = lo; k < hi; k++) {
            sig[len++] = n->event[k];
            sig[len++] = cls[n->target[k]];
        }
        next[v] = intern_add(sigs, sig, len * sizeof *sig);
        rc = next[v] == UINT32_MAX ? -1 : 0;
    }
    if (rc == 0)
        *count = intern_count(sigs);
    mem_free(sig);
    intern_free(sigs);
    return rc;
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
    memset(rep, 0xff, (size_t)classes * sizeof *rep);
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
    uint32_t *next = mem_alloc(((size_t)n->nodes + 1) * sizeof *next);
    uint32_t count = 0, refined = 0;
    NormalStatus st = NORMAL_NOMEM;
    if (!cls || !next || mark_classes(n, cls, &count) != 0)
        goto done;
    for (;;) {
        if (limit_reached() != LIMIT_NONE) {
            st = NORMAL_STOPPED;
            goto done;
        }
        if (refine_round(n, cls, next, &refined) != 0)
            goto done;
        uint32_t *t = cls;
        cls = next;
        next = t;
        if (refined == count)
            break;
        count = refined;
    }
    st = count == n->nodes || quotient(n, cls, count) == 0 ? NORMAL_OK
                                                            : NORMAL_NOMEM;
done:
    mem_free(cls);
    mem_free(next);
    return st;
}
