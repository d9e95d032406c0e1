/* compress_normal: the compressions built on tau-closures, normal and
 * diamond. See compress.h.
 *
 * Both describe a node by what FDR's generalised LTS would mark on it: the
 * visible transitions of its tau-closure, whether it may diverge, and the
 * minimal acceptances of the closure's stable states. As a plain LTS a
 * node is stable when it cannot diverge and has exactly one minimal
 * acceptance, the set of all its events (nothing to mark). Otherwise it
 * offers its events (unstable: they count for traces, not refusals),
 * takes a tau self-loop if it may diverge, and one tau per minimal
 * acceptance to a stable state offering exactly that: normal makes that
 * state a copy of the node restricted to the acceptance; diamond uses the
 * stable state of the closure the acceptance came from, itself a node. */
#include "compress_impl.h"

#include "intern.h"
#include "limit.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

/* Minimal acceptances of the stable members of a closure: each a sorted
 * event set sets[off[i] .. off[i+1]) and the member `from[i]` it is the
 * initials of. */
typedef struct Accs {
    uint32_t *sets, *off, *from, count;
    size_t sets_cap, off_cap, from_cap;
    uint32_t *cand, *cand_off, *order; /* candidates before minimising */
    uint32_t *cand_state;              /* the stable member of each */
    size_t cand_cap, cand_off_cap, order_cap, cand_state_cap;
} Accs;

static void accs_free(Accs *a)
{
    void *all[] = {a->sets,  a->off,   a->from,      a->cand,
                   a->cand_off, a->order, a->cand_state};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        mem_free(all[i]);
}

static const uint32_t *cand_lens; /* for sorting candidates by size */
static int by_len(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    uint32_t lx = cand_lens[x + 1] - cand_lens[x];
    uint32_t ly = cand_lens[y + 1] - cand_lens[y];
    return lx != ly ? (lx < ly ? -1 : 1) : (x < y ? -1 : x > y);
}

static int accs_push(Accs *a, const uint32_t *set, uint32_t n, uint32_t from)
{
    uint32_t at = a->count ? a->off[a->count] : 0;
    if (mem_grow((void **)&a->sets, &a->sets_cap, at + n + 1,
                 sizeof *a->sets) ||
        mem_grow((void **)&a->off, &a->off_cap, a->count + 2,
                 sizeof *a->off) ||
        mem_grow((void **)&a->from, &a->from_cap, a->count + 1,
                 sizeof *a->from))
        return -1;
    mem_copy(a->sets + at, set, n * sizeof *set);
    a->off[a->count] = at;
    a->off[a->count + 1] = at + n;
    a->from[a->count++] = from;
    return 0;
}

/* Candidates in order of size: one is minimal when no kept set (no larger
 * than it) is a subset of it. Threads never compress at once (the term
 * table serialises compressions), so cand_lens may be a static. */
static int accs_of(Accs *a, const Lts *in, const uint32_t *members, size_t n)
{
    size_t len = 0, count = 0;
    a->count = 0;
    for (size_t i = 0; i < n; i++) {
        if (compress_unstable(in, members[i]))
            continue;
        if (mem_grow((void **)&a->cand_off, &a->cand_off_cap, count + 2,
                     sizeof *a->cand_off) ||
            mem_grow((void **)&a->order, &a->order_cap, count + 1,
                     sizeof *a->order) ||
            mem_grow((void **)&a->cand_state, &a->cand_state_cap, count + 1,
                     sizeof *a->cand_state))
            return -1;
        a->cand_off[count] = (uint32_t)len;
        if (compress_initials(in, members[i], &a->cand, &len, &a->cand_cap))
            return -1;
        a->cand_state[count] = members[i];
        a->order[count] = (uint32_t)count;
        a->cand_off[++count] = (uint32_t)len;
    }
    cand_lens = a->cand_off;
    if (count > 1)
        qsort(a->order, count, sizeof *a->order, by_len);
    for (size_t i = 0; i < count; i++) {
        uint32_t c = a->order[i], cl = a->cand_off[c + 1] - a->cand_off[c];
        const uint32_t *cs = a->cand + a->cand_off[c];
        int minimal = 1;
        for (uint32_t k = 0; k < a->count && minimal; k++)
            minimal = !event_ids_subset(a->sets + a->off[k],
                                        a->off[k + 1] - a->off[k], cs, cl);
        if (minimal && accs_push(a, cs, cl, a->cand_state[c]) != 0)
            return -1;
    }
    return 0;
}

/* 1 when the node needs no marks: no divergence, and its one minimal
 * acceptance is all of its (sorted, distinct) events. */
static int plain_stable(const Accs *a, int div, const uint32_t *events,
                        size_t n)
{
    /* memcmp may not be given NULL, even for 0 bytes */
    return !div && a->count == 1 && a->off[1] == n &&
           (n == 0 || !memcmp(a->sets, events, n * sizeof *events));
}

/* ---------- normal ---------- */

/* Nodes: the normal form's nodes, each a tau-closed set of input states
 * (interned, intern.h) or a copy standing for a stable state (no set). */
typedef struct Nodes {
    Intern *sets;            /* set id -> sorted members */
    uint32_t *node_of_set;   /* set id -> node */
    size_t node_of_set_cap;
    uint32_t *set;           /* node -> set id (UINT32_MAX: a copy) */
    uint32_t *rep;           /* node -> a member (copies: their state) */
    size_t set_cap, rep_cap;
    uint32_t count;
} Nodes;

/* A new node: set id `set` (UINT32_MAX: a copy standing for state rep). */
static uint32_t nodes_add(Nodes *ns, uint32_t set, uint32_t rep)
{
    if (mem_grow((void **)&ns->set, &ns->set_cap, ns->count + 1,
                 sizeof *ns->set) ||
        mem_grow((void **)&ns->rep, &ns->rep_cap, ns->count + 1,
                 sizeof *ns->rep))
        return UINT32_MAX;
    ns->set[ns->count] = set;
    ns->rep[ns->count] = rep;
    return ns->count++;
}

/* The node of closed set s[0 .. n), added if new; UINT32_MAX on failure. */
static uint32_t nodes_find(Nodes *ns, const uint32_t *s, size_t n)
{
    uint32_t known = intern_count(ns->sets);
    uint32_t id = intern_add(ns->sets, s, n * sizeof *s);
    if (id == UINT32_MAX)
        return UINT32_MAX;
    if (id < known)
        return ns->node_of_set[id];
    uint32_t node = nodes_add(ns, id, s[0]);
    if (node == UINT32_MAX ||
        mem_grow((void **)&ns->node_of_set, &ns->node_of_set_cap,
                 (size_t)id + 1, sizeof *ns->node_of_set))
        return UINT32_MAX;
    ns->node_of_set[id] = node;
    return node;
}

/* The members of node `node` (a set, not a copy), *n of them. */
static const uint32_t *nodes_members(const Nodes *ns, uint32_t node,
                                     size_t *n)
{
    size_t size;
    const uint32_t *m = intern_get(ns->sets, ns->set[node], &size);
    *n = size / sizeof *m;
    return m;
}

static void nodes_free(Nodes *ns)
{
    intern_free(ns->sets);
    mem_free(ns->node_of_set);
    mem_free(ns->set);
    mem_free(ns->rep);
}

typedef struct Norm {
    const Lts *in;
    Nodes ns;
    Closure cl;
    Accs acc;
    CEdges edges;
    const uint8_t *div;
    uint64_t *moves;         /* event << 32 | target of the node's members */
    size_t moves_cap;
    uint32_t *seeds, *events, *after;
    size_t seeds_cap, events_cap, after_cap;
} Norm;

/* The node's visible moves, sorted: event << 32 | target. */
static int norm_moves(Norm *w, uint32_t node, size_t *count)
{
    const Lts *in = w->in;
    size_t n = 0;
    size_t members;
    const uint32_t *set = nodes_members(&w->ns, node, &members);
    for (size_t i = 0; i < members; i++) {
        uint32_t u = set[i];
        for (uint32_t k = in->offset[u]; k < in->offset[u + 1]; k++) {
            if (in->event[k] == EVENT_TAU)
                continue;
            if (mem_grow((void **)&w->moves, &w->moves_cap, n + 1,
                         sizeof *w->moves))
                return -1;
            w->moves[n++] = (uint64_t)in->event[k] << 32 | in->target[k];
        }
    }
    compress_sort_u64(w->moves, n);
    *count = n;
    return 0;
}

/* The distinct events of moves[0 .. n) into w->events. */
static int moves_events(uint32_t **events, size_t *cap, const uint64_t *moves,
                        size_t n, size_t *count)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t e = (uint32_t)(moves[i] >> 32);
        if (k && (*events)[k - 1] == e)
            continue;
        if (mem_grow((void **)events, cap, k + 1, sizeof **events))
            return -1;
        (*events)[k++] = e;
    }
    *count = k;
    return 0;
}

/* Expands one node: its transitions, then its marks as tau transitions. */
static CompressStatus norm_expand(Norm *w, uint32_t node)
{
    size_t nm, ne;
    if (norm_moves(w, node, &nm) != 0 ||
        moves_events(&w->events, &w->events_cap, w->moves, nm, &ne) != 0 ||
        mem_grow((void **)&w->after, &w->after_cap, ne + 1, sizeof *w->after))
        return COMPRESS_NOMEM;
    int div = 0;
    size_t members;
    const uint32_t *set = nodes_members(&w->ns, node, &members);
    for (size_t i = 0; i < members; i++)
        div |= w->div[set[i]];
    if (accs_of(&w->acc, w->in, set, members) != 0)
        return COMPRESS_NOMEM;
    for (size_t i = 0, x = 0; i < nm; x++) { /* one event per run */
        size_t j = i, n = 0;
        for (; j < nm && w->moves[j] >> 32 == w->moves[i] >> 32; j++) {
            if (mem_grow((void **)&w->seeds, &w->seeds_cap, n + 1,
                         sizeof *w->seeds))
                return COMPRESS_NOMEM;
            w->seeds[n++] = (uint32_t)w->moves[j];
        }
        if (closure_of(&w->cl, w->in, w->seeds, n) != 0 ||
            (w->after[x] = nodes_find(&w->ns, w->cl.items, w->cl.count)) ==
                UINT32_MAX ||
            cedges_add(&w->edges, node, w->events[x], w->after[x]) != 0)
            return COMPRESS_NOMEM;
        i = j;
    }
    if (plain_stable(&w->acc, div, w->events, ne))
        return COMPRESS_OK;
    if (div && cedges_add(&w->edges, node, EVENT_TAU, node) != 0)
        return COMPRESS_NOMEM;
    for (uint32_t k = 0; k < w->acc.count; k++) {
        uint32_t copy = nodes_add(&w->ns, UINT32_MAX, w->acc.from[k]);
        if (copy == UINT32_MAX ||
            cedges_add(&w->edges, node, EVENT_TAU, copy) != 0)
            return COMPRESS_NOMEM;
        size_t x = 0; /* acceptance and events are sorted: merge */
        for (uint32_t i = w->acc.off[k]; i < w->acc.off[k + 1]; i++) {
            while (w->events[x] != w->acc.sets[i])
                x++;
            if (cedges_add(&w->edges, copy, w->events[x], w->after[x]) != 0)
                return COMPRESS_NOMEM;
        }
    }
    return COMPRESS_OK;
}

/* 1 when no state has a tau or two transitions on one event: then every
 * normal-form node is one state, stable and plain, and normal is sbisim. */
static int tau_free_deterministic(const Lts *in)
{
    for (uint32_t s = 0; s < in->states; s++)
        for (uint32_t k = in->offset[s]; k < in->offset[s + 1]; k++)
            if (in->event[k] == EVENT_TAU ||
                (k > in->offset[s] && in->event[k] == in->event[k - 1]))
                return 0;
    return 1;
}

CompressStatus compress_normal(const Lts *in, size_t max_states, Lts *out)
{
    /* the subset construction would intern a set per state for nothing
     * (a ring's 524,288-state stage: 5.9 s) */
    if (tau_free_deterministic(in))
        return compress_bisim(COMPRESS_SBISIM, in, max_states, out);
    Norm w = {.in = in};
    uint8_t *div = NULL;
    CompressStatus st = COMPRESS_NOMEM;
    uint32_t root = 0;
    if (!(w.ns.sets = intern_new()) || compress_divergent(in, &div) != 0 ||
        closure_init(&w.cl, in->states) != 0 ||
        closure_of(&w.cl, in, &root, 1) != 0 ||
        nodes_find(&w.ns, w.cl.items, w.cl.count) == UINT32_MAX)
        goto done;
    w.div = div;
    st = COMPRESS_OK;
    for (uint32_t node = 0; node < w.ns.count && st == COMPRESS_OK; node++) {
        if (w.ns.count > max_states)
            st = COMPRESS_LIMIT;
        else if (limit_reached() != LIMIT_NONE)
            st = COMPRESS_STOPPED;
        else if (w.ns.set[node] != UINT32_MAX)
            st = norm_expand(&w, node);
    }
    uint32_t omega = UINT32_MAX;
    if (in->omega != UINT32_MAX && st == COMPRESS_OK) { /* {omega}, if met */
        uint32_t known = intern_count(w.ns.sets);
        uint32_t id = intern_add(w.ns.sets, &in->omega, sizeof in->omega);
        omega = id < known ? w.ns.node_of_set[id] : UINT32_MAX;
    }
    Lts raw;
    if (st == COMPRESS_OK)
        st = compress_finish(in, w.ns.count, w.ns.rep, 0, omega, &w.edges,
                             max_states, &raw);
    if (st == COMPRESS_OK) { /* as FDR: the normal form, then its sbisim */
        st = compress_lts(COMPRESS_SBISIM, &raw, max_states, out);
        lts_free(&raw);
    }
done:
    mem_free(div);
    nodes_free(&w.ns);
    closure_free(&w.cl);
    accs_free(&w.acc);
    cedges_free(&w.edges);
    mem_free(w.moves);
    mem_free(w.seeds);
    mem_free(w.events);
    mem_free(w.after);
    return st;
}

/* ---------- diamond ---------- */

/* The distinct (event, target) pairs of one node, found by hashing: a
 * closure of many members repeats most of its moves (a dense layer of a
 * buffered network: 28 million moves for 4.8 million distinct), and
 * sorting them all cost most of the time. Slots belong to the current
 * generation only, so clearing is one increment. */
typedef struct PairSet {
    uint64_t *key;
    uint32_t *gen;
    size_t cap, count;   /* cap: a power of two, or 0 */
    uint32_t cur;
} PairSet;

static size_t pair_slot(uint64_t k, size_t cap)
{
    return (size_t)((k * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

static void pairset_clear(PairSet *p)
{
    if (++p->cur == 0) { /* wrapped: old generations could collide */
        if (p->gen)
            memset(p->gen, 0, p->cap * sizeof *p->gen);
        p->cur = 1;
    }
    p->count = 0;
}

/* Doubles the table, keeping this generation's keys. */
static int pairset_grow(PairSet *p)
{
    size_t cap = p->cap ? 2 * p->cap : 1024;
    uint64_t *key = mem_alloc(cap * sizeof *key);
    uint32_t *gen = mem_calloc(cap, sizeof *gen);
    if (!key || !gen) {
        mem_free(key);
        mem_free(gen);
        return -1;
    }
    for (size_t i = 0; i < p->cap; i++) {
        if (p->gen[i] != p->cur)
            continue;
        size_t k = pair_slot(p->key[i], cap);
        while (gen[k] == p->cur)
            k = (k + 1) & (cap - 1);
        key[k] = p->key[i];
        gen[k] = p->cur;
    }
    mem_free(p->key);
    mem_free(p->gen);
    p->key = key;
    p->gen = gen;
    p->cap = cap;
    return 0;
}

/* 1 when k is new (added), 0 when seen in this generation, -1 NOMEM. */
static int pairset_add(PairSet *p, uint64_t k)
{
    if (2 * (p->count + 1) > p->cap && pairset_grow(p) != 0)
        return -1;
    size_t i = pair_slot(k, p->cap);
    for (; p->gen[i] == p->cur; i = (i + 1) & (p->cap - 1))
        if (p->key[i] == k)
            return 0;
    p->key[i] = k;
    p->gen[i] = p->cur;
    p->count++;
    return 1;
}

static void pairset_free(PairSet *p)
{
    mem_free(p->key);
    mem_free(p->gen);
}

/* A minimal acceptance of node `node`: its events, the stable state
 * `from` it is the initials of, and node's visible edges (edges
 * [first, first + count) of Diamond.edges). */
typedef struct AccNeed {
    uint32_t node, from, at, len;
    size_t first, count;
} AccNeed;

/* The generation in which a state was one of the targets in hand, was
 * reached by a search, was dropped. */
typedef struct Mark {
    uint32_t member, visit, dropped;
} Mark;

typedef struct Diamond {
    const Lts *in;
    uint8_t *is_node;
    uint32_t *queue, count;
    Closure cl;
    Accs acc;
    CEdges edges;
    PairSet seen;        /* this node's (event, target) pairs */
    uint64_t *pairs;     /* the same, in a sortable array */
    size_t pairs_cap;
    uint32_t *targets;   /* one event's targets */
    size_t targets_cap;
    AccNeed *need;       /* the acceptances unstable nodes mark */
    size_t need_count, need_cap;
    uint32_t *need_events; /* their events, need[i].at .. + len */
    size_t need_events_len, need_events_cap;
    uint32_t *rep, nodes; /* per node its input state; states, then copies */
    size_t rep_cap;
    uint32_t *events;
    size_t events_cap;
    /* diamond_minimal's marks per state, by generation, and the tau
     * transitions alone (its searches read nothing else) */
    Mark *mark;
    uint32_t gen, *tau_off, *tau_dst;
    size_t budget;       /* states diamond_minimal may still visit */
    uint32_t *stack;
    size_t stack_cap;
} Diamond;

static void diamond_enqueue(Diamond *d, uint32_t s)
{
    if (!d->is_node[s]) {
        d->is_node[s] = 1;
        d->queue[d->count++] = s;
    }
}

/* Keeps of one event's distinct targets t[0 .. n) only those no other
 * target reaches by taus, compacting t and returning how many remain.
 * What a target reaches by taus it may become without a sign, so its
 * behaviours include those of every state it reaches: dropping these
 * changes no failure or divergence after the event (the diamonds the
 * compression is named for: P -tau-> P' -a-> Q' and P -a-> Q -tau-> Q'
 * leave only Q). Targets are searched in order with one visited mark, so
 * a later search only marks earlier targets it reaches; the last of any
 * chain survives and a tau cycle among targets keeps its first. */
static int diamond_minimal(Diamond *d, uint32_t *t, size_t *n)
{
    /* Searching is bounded by d->budget: in a graph of large
     * tau-closures (random ones: one giant component) every search
     * would cross it. Stopping early only keeps more targets; what was
     * marked stays right. */
    size_t budget = d->budget;
    if (++d->gen == 0) {
        memset(d->mark, 0, ((size_t)d->in->states + 1) * sizeof *d->mark);
        d->gen = 1;
    }
    uint32_t g = d->gen;
    Mark *m = d->mark;
    for (size_t i = 0; i < *n; i++)
        m[t[i]].member = g;
    for (size_t i = 0; i < *n && budget; i++) {
        if (m[t[i]].visit == g)
            continue;
        m[t[i]].visit = g;
        size_t top = 0;
        if (mem_grow((void **)&d->stack, &d->stack_cap, 1, sizeof *d->stack))
            return -1;
        d->stack[top++] = t[i];
        while (top && budget) {
            uint32_t u = d->stack[--top];
            budget--;
            for (uint32_t k = d->tau_off[u]; k < d->tau_off[u + 1]; k++) {
                uint32_t v = d->tau_dst[k];
                if (m[v].member == g && v != t[i])
                    m[v].dropped = g;
                if (m[v].visit == g)
                    continue;
                m[v].visit = g;
                if (mem_grow((void **)&d->stack, &d->stack_cap, top + 1,
                             sizeof *d->stack))
                    return -1;
                d->stack[top++] = v;
            }
        }
    }
    d->budget = budget;
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++)
        if (m[t[i]].dropped != g)
            t[kept++] = t[i];
    *n = kept;
    return 0;
}

/* The distinct (event, target) pairs of s's tau-closure, sorted. Sets
 * diamond_minimal's budget for this node: 32 times the moves read here
 * (the bully network's nodes need about that to drop all they can). */
static int diamond_pairs(Diamond *d, size_t *np)
{
    const Lts *in = d->in;
    size_t np_ = 0;
    pairset_clear(&d->seen);
    for (size_t i = 0; i < d->cl.count; i++) {
        uint32_t u = d->cl.items[i];
        for (uint32_t k = in->offset[u]; k < in->offset[u + 1]; k++) {
            if (in->event[k] == EVENT_TAU)
                continue;
            uint64_t key = (uint64_t)in->event[k] << 32 | in->target[k];
            int fresh = pairset_add(&d->seen, key);
            if (fresh < 0 || (fresh && mem_grow((void **)&d->pairs,
                                                &d->pairs_cap, np_ + 1,
                                                sizeof *d->pairs)))
                return -1;
            if (fresh)
                d->pairs[np_++] = key;
        }
    }
    compress_sort_u64(d->pairs, np_);
    *np = np_;
    d->budget = 256;
    for (size_t i = 0; i < d->cl.count; i++) {
        uint32_t u = d->cl.items[i];
        d->budget += 32 * (size_t)(in->offset[u + 1] - in->offset[u]);
    }
    return 0;
}

/* Records node s's k-th minimal acceptance; s's visible edges are
 * d->edges [first, first + count). */
static int diamond_need(Diamond *d, uint32_t s, uint32_t k, size_t first,
                        size_t count)
{
    const uint32_t *a = d->acc.sets + d->acc.off[k];
    uint32_t na = d->acc.off[k + 1] - d->acc.off[k];
    if (mem_grow((void **)&d->need, &d->need_cap, d->need_count + 1,
                 sizeof *d->need) ||
        mem_grow((void **)&d->need_events, &d->need_events_cap,
                 d->need_events_len + na, sizeof *d->need_events))
        return -1;
    mem_copy(d->need_events + d->need_events_len, a, na * sizeof *a);
    d->need[d->need_count++] = (AccNeed){
        s, d->acc.from[k], (uint32_t)d->need_events_len, na, first, count};
    d->need_events_len += na;
    return 0;
}

/* Once the nodes are known: each acceptance's tau leads to the stable
 * state it came from when that is a node anyway, else to a new stable
 * copy of the node offering exactly the acceptance's events, to the
 * node's targets. (Always taking the state would keep it and all it
 * reaches, much of it what diamond_minimal dropped.) */
static int diamond_accept(Diamond *d)
{
    for (size_t i = 0; i < d->need_count; i++) {
        AccNeed n = d->need[i];
        if (d->is_node[n.from]) {
            if (cedges_add(&d->edges, n.node, EVENT_TAU, n.from) != 0)
                return -1;
            continue;
        }
        uint32_t c = d->nodes;
        if (mem_grow((void **)&d->rep, &d->rep_cap, (size_t)c + 1,
                     sizeof *d->rep) ||
            cedges_add(&d->edges, n.node, EVENT_TAU, c) != 0)
            return -1;
        d->rep[d->nodes++] = n.from;
        const uint32_t *a = d->need_events + n.at;
        uint32_t k = 0;
        for (size_t j = n.first; j < n.first + n.count && k < n.len; j++) {
            uint32_t ev = d->edges.ev[j], dst = d->edges.dst[j];
            while (k < n.len && a[k] < ev)
                k++;
            if (k < n.len && a[k] == ev &&
                cedges_add(&d->edges, c, ev, dst) != 0)
                return -1;
        }
    }
    return 0;
}

static CompressStatus diamond_expand(Diamond *d, uint32_t s, int div)
{
    const Lts *in = d->in;
    size_t np, ne = 0, first = d->edges.count;
    if (closure_of(&d->cl, in, &s, 1) != 0 || diamond_pairs(d, &np) != 0)
        return COMPRESS_NOMEM;
    for (size_t i = 0, j; i < np; i = j) {
        uint32_t ev = (uint32_t)(d->pairs[i] >> 32);
        for (j = i; j < np && (uint32_t)(d->pairs[j] >> 32) == ev; j++)
            ;
        if (mem_grow((void **)&d->targets, &d->targets_cap, j - i,
                     sizeof *d->targets))
            return COMPRESS_NOMEM;
        uint32_t *t = d->targets;
        size_t n = 0;
        for (size_t k = i; k < j; k++)
            t[n++] = (uint32_t)d->pairs[k];
        if ((n > 1 && diamond_minimal(d, t, &n) != 0) ||
            mem_grow((void **)&d->events, &d->events_cap, ne + 1,
                     sizeof *d->events))
            return COMPRESS_NOMEM;
        d->events[ne++] = ev;
        for (size_t k = 0; k < n; k++) {
            if (cedges_add(&d->edges, s, ev, t[k]) != 0)
                return COMPRESS_NOMEM;
            diamond_enqueue(d, t[k]);
        }
    }
    if (!compress_unstable(in, s))
        return COMPRESS_OK;
    if (accs_of(&d->acc, in, d->cl.items, d->cl.count) != 0)
        return COMPRESS_NOMEM;
    if (plain_stable(&d->acc, div, d->events, ne))
        return COMPRESS_OK;
    size_t visible = d->edges.count - first;
    if (div && cedges_add(&d->edges, s, EVENT_TAU, s) != 0)
        return COMPRESS_NOMEM;
    for (uint32_t k = 0; k < d->acc.count; k++)
        if (diamond_need(d, s, k, first, visible) != 0)
            return COMPRESS_NOMEM;
    return COMPRESS_OK;
}

/* The input's tau transitions as rows of their own (rows begin with
 * their taus). */
static int diamond_taus(Diamond *d)
{
    const Lts *in = d->in;
    size_t taus = 0;
    d->tau_off = mem_alloc(((size_t)in->states + 1) * sizeof *d->tau_off);
    if (!d->tau_off)
        return -1;
    for (uint32_t s = 0; s < in->states; s++) {
        d->tau_off[s] = (uint32_t)taus;
        for (uint32_t k = in->offset[s];
             k < in->offset[s + 1] && in->event[k] == EVENT_TAU; k++)
            taus++;
    }
    d->tau_off[in->states] = (uint32_t)taus;
    d->tau_dst = mem_alloc((taus + 1) * sizeof *d->tau_dst);
    if (!d->tau_dst)
        return -1;
    for (uint32_t s = 0; s < in->states; s++)
        mem_copy(d->tau_dst + d->tau_off[s], in->target + in->offset[s],
                 (d->tau_off[s + 1] - d->tau_off[s]) * sizeof *d->tau_dst);
    return 0;
}

CompressStatus compress_diamond(const Lts *in, size_t max_states, Lts *out)
{
    Diamond d = {.in = in};
    uint8_t *div = NULL;
    size_t cells = (size_t)in->states + 1;
    d.rep = mem_alloc(cells * sizeof *d.rep);
    d.rep_cap = cells;
    d.nodes = in->states;
    d.is_node = mem_calloc(cells, 1);
    d.mark = mem_calloc(cells, sizeof *d.mark);
    d.queue = mem_alloc(((size_t)in->states + 1) * sizeof *d.queue);
    CompressStatus st = COMPRESS_NOMEM;
    if (!d.rep || !d.is_node || !d.queue || !d.mark ||
        diamond_taus(&d) != 0 || compress_divergent(in, &div) != 0 ||
        closure_init(&d.cl, in->states) != 0)
        goto done;
    for (uint32_t s = 0; s < in->states; s++)
        d.rep[s] = s;
    diamond_enqueue(&d, 0);
    st = COMPRESS_OK;
    for (uint32_t q = 0; q < d.count && st == COMPRESS_OK; q++)
        st = limit_reached() != LIMIT_NONE
                 ? COMPRESS_STOPPED
                 : diamond_expand(&d, d.queue[q], div[d.queue[q]]);
    if (st == COMPRESS_OK && diamond_accept(&d) != 0)
        st = COMPRESS_NOMEM;
    if (st == COMPRESS_OK)
        st = compress_finish(in, d.nodes, d.rep, 0, in->omega, &d.edges,
                             max_states, out);
done:
    mem_free(div);
    mem_free(d.is_node);
    mem_free(d.queue);
    closure_free(&d.cl);
    accs_free(&d.acc);
    cedges_free(&d.edges);
    pairset_free(&d.seen);
    void *owned[] = {d.events, d.pairs, d.targets, d.need, d.need_events,
                     d.rep, d.mark, d.tau_off, d.tau_dst, d.stack};
    for (size_t i = 0; i < sizeof owned / sizeof *owned; i++)
        mem_free(owned[i]);
    return st;
}
