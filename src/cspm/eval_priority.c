/* eval_priority: the priority builtins, prioritise(P, <A1, ..., An>),
 * prioritisepo(P, X, R, M) and a Timed section's timed_priority(P), as
 * FDR defines them: each builds a term whose relation says who goes first
 * (checker/priority.h has the firing rules). */
#include "eval_impl.h"

#include "limit.h"

#include <stdlib.h>
#include <string.h>

enum { ORDER_MAX_EVENTS = 4096 }; /* the closure: n * n bits, n^3/64 steps */

int eval_u64_order(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int u32_order(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The process `kid` under priority: a term of `kind` with relation
 * (from[i], to[i]). */
static Value *prioritised(Eval *ev, TermKind kind, uint32_t kid,
                          const uint32_t *from, const uint32_t *to, size_t n)
{
    uint32_t rel = term_rel(ev->terms, from, to, n);
    uint32_t t = rel == TERM_NONE ? TERM_NONE
                                  : term_make(ev->terms, kind, TERM_NONE,
                                              TERM_NONE, rel, &kid, 1);
    return t == TERM_NONE ? NULL : value_proc(ev->arena, t);
}

/* prioritise(P, <A1, ..., An>): each event of A_i gets level i (the first
 * set that holds it), as the pairs of a relation. */
Value *priority_apply(Eval *ev, const char *name, Value **args, SrcPos at)
{
    if (!builtin_want(ev, args[0], V_PROC, name, "a process", at))
        return NULL;
    if (args[1]->kind != V_SEQ || args[1]->n == 0) { /* FDR rejects <> */
        eval_error(ev, at, "%s needs a non-empty finite sequence of sets of "
                   "events, found %s", name, value_text(ev->arena, args[1]));
        return NULL;
    }
    size_t total = 0;
    for (uint32_t i = 0; i < args[1]->n; i++) {
        if (!builtin_want(ev, args[1]->items[i], V_SET, name,
                          "a sequence of sets of events", at))
            return NULL;
        total += args[1]->items[i]->n;
    }
    uint64_t *pairs = mem_alloc((total + 1) * sizeof *pairs);
    uint32_t *from = mem_alloc((total + 1) * sizeof *from);
    uint32_t *to = mem_alloc((total + 1) * sizeof *to);
    size_t n = 0, kept = 0;
    int ok = pairs && from && to;
    for (uint32_t i = 0; ok && i < args[1]->n; i++)
        for (uint32_t k = 0; ok && k < args[1]->items[i]->n; k++) {
            uint32_t e = eval_event_id(ev, args[1]->items[i]->items[k], at);
            ok = e != EVENT_NONE;
            pairs[n++] = (uint64_t)e << 32 | (i + 1);
        }
    if (ok && n > 1)
        qsort(pairs, n, sizeof *pairs, eval_u64_order);
    for (size_t i = 0; ok && i < n; i++) /* an event keeps its first set */
        if (i == 0 || pairs[i] >> 32 != pairs[i - 1] >> 32) {
            from[kept] = (uint32_t)(pairs[i] >> 32);
            to[kept++] = (uint32_t)pairs[i];
        }
    Value *v = ok ? prioritised(ev, TERM_PRIORITISE, (uint32_t)args[0]->ival,
                                from, to, kept)
                  : NULL;
    mem_free(pairs);
    mem_free(from);
    mem_free(to);
    return v;
}

/* timed_priority(P) = prioritise(P, <{}, {tock}>): tau before tock. */
Value *priority_timed(Eval *ev, const char *name, Value *p, SrcPos at)
{
    uint32_t tock = timed_tock(ev, at), level = 2;
    if (tock == EVENT_NONE || !builtin_want(ev, p, V_PROC, name, "a process",
                                            at))
        return NULL;
    return prioritised(ev, TERM_PRIORITISE, (uint32_t)p->ival, &tock, &level,
                       1);
}

/* prioritisepo's order as a graph: node 0 is tau, 1 tick, 2.. the events
 * of X (ids sorted); row i is a bitset of `words` words, bit j set when i
 * is above j (so that the closure costs n^3 / 64). */
typedef struct Order {
    size_t n, words;
    uint32_t *ids;
    uint64_t *above;
} Order;

static int above(const Order *o, size_t i, size_t j)
{
    return (int)(o->above[i * o->words + j / 64] >> (j % 64) & 1);
}

static void set_above(Order *o, size_t i, size_t j)
{
    o->above[i * o->words + j / 64] |= (uint64_t)1 << (j % 64);
}

static size_t order_node(const Order *o, uint32_t id)
{
    if (id == EVENT_TAU)
        return 0;
    if (id == EVENT_TICK)
        return 1;
    uint32_t *hit = bsearch(&id, o->ids + 2, o->n - 2, sizeof id,
                            u32_order);
    return hit ? (size_t)(hit - o->ids) : SIZE_MAX;
}

/* The event ids of a set of events, sorted; NULL after an error. */
static uint32_t *set_ids(Eval *ev, Value *set, SrcPos at, size_t *n)
{
    uint32_t *ids = mem_alloc((set->n + 1) * sizeof *ids);
    for (uint32_t i = 0; ids && i < set->n; i++)
        if ((ids[i] = eval_event_id(ev, set->items[i], at)) == EVENT_NONE) {
            mem_free(ids);
            return NULL;
        }
    *n = ids ? event_set_normalise(ids, set->n) : 0;
    return ids;
}

/* The edges of R and tau, tick above every non-maximal event; -1 after
 * an error (an event of R or M outside X). */
static int order_edges(Eval *ev, Order *o, Value *r, const uint32_t *max,
                       size_t nmax, SrcPos at)
{
    for (uint32_t i = 0; i < r->n; i++) {
        Value *pair = r->items[i];
        if (pair->kind != V_TUPLE || pair->n != 2) {
            eval_error(ev, at, "prioritisepo: the order must be a set of "
                       "pairs of events, found %s",
                       value_text(ev->arena, pair));
            return -1;
        }
        size_t k[2];
        for (int side = 0; side < 2; side++) {
            uint32_t id = eval_event_id(ev, pair->items[side], at);
            k[side] = id == EVENT_NONE ? SIZE_MAX : order_node(o, id);
            if (id != EVENT_NONE && k[side] == SIZE_MAX)
                eval_error(ev, at, "prioritisepo: %s is in the order but "
                           "not in the set of prioritised events",
                           value_text(ev->arena, pair->items[side]));
            if (k[side] == SIZE_MAX)
                return -1;
        }
        set_above(o, k[0], k[1]);
    }
    for (size_t j = 2; j < o->n; j++)
        if (!bsearch(&o->ids[j], max, nmax, sizeof *max,
                     u32_order))
            set_above(o, 0, j), set_above(o, 1, j);
    return 0;
}

/* Warshall's transitive closure; the error at a cycle or at a maximal
 * event with something above it. 0 or -1. */
static int order_close(Eval *ev, Order *o, const uint32_t *max, size_t nmax,
                       SrcPos at)
{
    size_t n = o->n, w = o->words;
    for (size_t k = 0; k < n; k++) {
        if (limit_reached() != LIMIT_NONE) {
            eval_error(ev, at, "prioritisepo: %s", limit_text(limit_reached()));
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            if (above(o, i, k))
                for (size_t x = 0; x < w; x++)
                    o->above[i * w + x] |= o->above[k * w + x];
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = event_name(ev->events, o->ids[i]);
        if (above(o, i, i)) {
            eval_error(ev, at, "prioritisepo: the order is cyclic (%s is "
                       "above itself)", name);
            return -1;
        }
    }
    for (size_t m = 0; m < nmax; m++)
        for (size_t i = 0; i < n; i++)
            if (above(o, i, order_node(o, max[m]))) {
                eval_error(ev, at, "prioritisepo: %s is maximal, but %s is "
                           "above it", event_name(ev->events, max[m]),
                           event_name(ev->events, o->ids[i]));
                return -1;
            }
    return 0;
}

/* P under the closed order: the pairs (a, b), a above b. */
static Value *order_process(Eval *ev, const Order *o, uint32_t kid)
{
    size_t count = 0, n = o->n;
    for (size_t i = 0; i < n * o->words; i++)
        count += (size_t)__builtin_popcountll(o->above[i]);
    uint32_t *from = mem_alloc((count + 1) * sizeof *from);
    uint32_t *to = mem_alloc((count + 1) * sizeof *to);
    Value *v = NULL;
    if (from && to) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                if (above(o, i, j)) {
                    from[k] = o->ids[i];
                    to[k++] = o->ids[j];
                }
        v = prioritised(ev, TERM_PRIORITISE_PO, kid, from, to, count);
    }
    mem_free(from);
    mem_free(to);
    return v;
}

/* prioritisepo(P, X, R, M): the events of X are ordered by R ((a, b): a
 * goes before b) and tau and tick go before every event of X not in M
 * (the maximal ones); R and M must lie in X, the closure be acyclic and
 * nothing be above a maximal event (FDR's conditions). */
Value *priority_order_apply(Eval *ev, const char *name, Value **args,
                            SrcPos at)
{
    if (!builtin_want(ev, args[0], V_PROC, name, "a process", at) ||
        !builtin_want(ev, args[1], V_SET, name, "a set of events", at) ||
        !builtin_want(ev, args[2], V_SET, name, "a set of pairs", at) ||
        !builtin_want(ev, args[3], V_SET, name, "a set of events", at))
        return NULL;
    size_t nx = 0, nmax = 0;
    uint32_t *x = set_ids(ev, args[1], at, &nx);
    uint32_t *max = x ? set_ids(ev, args[3], at, &nmax) : NULL;
    if (!max) {
        mem_free(x);
        return NULL;
    }
    Order o = {nx + 2, (nx + 2 + 63) / 64,
               mem_alloc((nx + 3) * sizeof *o.ids), NULL};
    Value *v = NULL;
    if (nx > ORDER_MAX_EVENTS)
        eval_error(ev, at, "prioritisepo over %zu events (at most %d)", nx,
                   ORDER_MAX_EVENTS);
    else if (o.ids &&
             (o.above = mem_calloc(o.n * o.words, sizeof *o.above))) {
        o.ids[0] = EVENT_TAU;
        o.ids[1] = EVENT_TICK;
        mem_copy(o.ids + 2, x, nx * sizeof *x);
        size_t missing = SIZE_MAX;
        for (size_t m = 0; m < nmax && missing == SIZE_MAX; m++)
            if (order_node(&o, max[m]) < 2 ||
                order_node(&o, max[m]) == SIZE_MAX)
                missing = m;
        if (missing != SIZE_MAX)
            eval_error(ev, at, "prioritisepo: %s is maximal but not in the "
                       "set of prioritised events",
                       event_name(ev->events, max[missing]));
        else if (order_edges(ev, &o, args[2], max, nmax, at) == 0 &&
                 order_close(ev, &o, max, nmax, at) == 0)
            v = order_process(ev, &o, (uint32_t)args[0]->ival);
    }
    mem_free(o.ids);
    mem_free(o.above);
    mem_free(x);
    mem_free(max);
    return v;
}
