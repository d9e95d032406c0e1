/* normal: normalisation by subset construction. See normal.h.
 *
 * Spec is first explored completely into explicit rows (specgraph.h);
 * tau-closures, divergence marks and acceptances are then computed on
 * that graph.
 * Nodes are interned sorted id sets (intern.h), numbered in the order they
 * are found, so the construction is a BFS over node ids. */
#include "normal.h"

#include "intern.h"
#include "limit.h"
#include "mem.h"
#include "specgraph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct Builder {
    SpecGraph g;
    Intern *sets;
    IdVec members;
    Normal *n;
    size_t trans_cap, acc_cap, acc_event_cap, node_cap;
    uint64_t max_nodes;
    int all;                /* every acceptance, not only the minimal */
    size_t max_bytes;       /* memory bound of the construction */
    int progress;           /* a live line on stderr (a terminal) */
    double last_progress;
    NormalStatus status;
} Builder;

static double normal_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Normal forms can grow exponentially: the user sees it happen. */
static void normal_progress(Builder *b, uint32_t node, int final)
{
    if (!b->progress)
        return;
    double t = normal_now();
    if (!final && t - b->last_progress < 0.1)
        return;
    b->last_progress = t;
    fprintf(stderr, "\rnormalising the specification: %u of %u nodes, "
                    "%.1f MB   %s",
            node, intern_count(b->sets), intern_bytes(b->sets) / 1e6,
            final ? "\r\033[K" : "");
}

/* Interns the tau-closure of b->members (which it overwrites). */
static uint32_t builder_close(Builder *b)
{
    if (specgraph_close(&b->g, &b->members) != 0)
        return UINT32_MAX;
    if (limit_reached() != LIMIT_NONE) {
        b->status = NORMAL_STOPPED;
        return UINT32_MAX;
    }
    uint32_t node = intern_add(b->sets, b->members.items,
                               b->members.count * sizeof *b->members.items);
    if (node != UINT32_MAX &&
        (node >= b->max_nodes || intern_bytes(b->sets) > b->max_bytes)) {
        b->status = NORMAL_LIMIT;
        return UINT32_MAX;
    }
    return node;
}

typedef struct Move {
    uint32_t event, target;
} Move;

static int cmp_move(const void *a, const void *b)
{
    const Move *x = a, *y = b;
    if (x->event != y->event)
        return x->event < y->event ? -1 : 1;
    return (x->target > y->target) - (x->target < y->target);
}

static int builder_add_trans(Builder *b, uint32_t event, uint32_t node)
{
    Normal *n = b->n;
    size_t count = n->off[n->nodes + 1], old = b->trans_cap;
    if (mem_grow((void **)&n->event, &b->trans_cap, count + 1, sizeof *n->event))
        return -1;
    if (b->trans_cap != old) {
        uint32_t *t = mem_realloc(n->target, b->trans_cap * sizeof *t);
        if (!t)
            return -1;
        n->target = t;
    }
    n->event[count] = event;
    n->target[count] = node;
    n->off[n->nodes + 1]++;
    return 0;
}

/* Visible moves of all members, grouped by event: each group's closure is
 * the successor node on that event. */
static int builder_moves(Builder *b, const uint64_t *members, size_t count)
{
    Move *moves = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++)
        for (uint32_t k = b->g.off[members[i]]; k < b->g.off[members[i] + 1];
             k++) {
            if (b->g.event[k] == EVENT_TAU)
                continue;
            if (mem_grow((void **)&moves, &cap, n + 1, sizeof *moves)) {
                rc = -1;
                break;
            }
            moves[n++] = (Move){b->g.event[k], b->g.target[k]};
        }
    if (n)
        qsort(moves, n, sizeof *moves, cmp_move);
    for (size_t i = 0; i < n && rc == 0;) {
        size_t j = i;
        b->members.count = 0;
        for (; j < n && moves[j].event == moves[i].event; j++)
            if (idvec_push(&b->members, moves[j].target)) {
                rc = -1;
                break;
            }
        uint32_t node = rc == 0 ? builder_close(b) : UINT32_MAX;
        if (node == UINT32_MAX || builder_add_trans(b, moves[i].event, node))
            rc = -1;
        i = j;
    }
    mem_free(moves);
    return rc;
}

/* 1 when acceptance a (na events, sorted) is a subset of c (nc, sorted). */
/* Appends the acceptance of stable member s unless an existing one of this
 * node is a subset of it; drops existing ones that are supersets. */
static int builder_acceptance(Builder *b, uint64_t s)
{
    Normal *n = b->n;
    uint32_t init[b->g.off[s + 1] - b->g.off[s] + 1];
    size_t ni = 0;
    for (uint32_t k = b->g.off[s]; k < b->g.off[s + 1]; k++)
        init[ni++] = b->g.event[k];
    ni = event_set_normalise(init, ni);
    uint32_t first = n->acc_node[n->nodes], last = n->acc_node[n->nodes + 1];
    for (uint32_t a = first; a < last; a++) {
        uint32_t len = n->acc_off[a + 1] - n->acc_off[a];
        if (event_ids_subset(n->acc_event + n->acc_off[a], len, init, ni) &&
            (!b->all || len == ni)) /* all: only an equal one is redundant */
            return 0;
    }
    /* Remove supersets of the new acceptance (compact in place). */
    uint32_t keep = first, write = n->acc_off[first];
    for (uint32_t a = first; a < last; a++) {
        uint32_t lo = n->acc_off[a], len = n->acc_off[a + 1] - lo;
        if (!b->all && event_ids_subset(init, ni, n->acc_event + lo, len))
            continue;
        memmove(n->acc_event + write, n->acc_event + lo, len * sizeof(uint32_t));
        n->acc_off[keep] = write;
        write += len;
        n->acc_off[++keep] = write;
    }
    if (mem_grow((void **)&n->acc_event, &b->acc_event_cap, write + ni + 1,
                 sizeof *n->acc_event) ||
        mem_grow((void **)&n->acc_off, &b->acc_cap, keep + 2,
                 sizeof *n->acc_off))
        return -1;
    mem_copy(n->acc_event + write, init, ni * sizeof *init);
    n->acc_off[keep] = write;
    n->acc_off[keep + 1] = write + (uint32_t)ni;
    n->acc_node[n->nodes + 1] = keep + 1;
    return 0;
}

static int builder_node(Builder *b, uint32_t node)
{
    Normal *n = b->n;
    if (mem_grow((void **)&n->off, &b->node_cap, (size_t)node + 2,
                 sizeof *n->off))
        return -1;
    size_t cap = b->node_cap;
    uint8_t *div = mem_realloc(n->divergent, cap);
    uint32_t *acc = div ? mem_realloc(n->acc_node, (cap + 1) * sizeof *acc) : NULL;
    if (div)
        n->divergent = div;
    if (!acc)
        return -1;
    n->acc_node = acc;
    n->off[node + 1] = n->off[node];
    n->acc_node[node + 1] = n->acc_node[node];
    size_t size;
    const uint64_t *set = intern_get(b->sets, node, &size);
    size_t count = size / sizeof *set;
    /* The set lives in the intern table; copy, since closing may add. */
    uint64_t *members = mem_alloc((count + 1) * sizeof *members);
    if (!members)
        return -1;
    mem_copy(members, set, count * sizeof *members);
    n->divergent[node] = 0;
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        uint64_t s = members[i];
        n->divergent[node] |= b->g.div[s];
        if (specgraph_stable(&b->g, s))
            rc = builder_acceptance(b, s);
    }
    if (rc == 0)
        rc = builder_moves(b, members, count);
    mem_free(members);
    return rc;
}

static NormalStatus builder_run(Builder *b, const Machine *spec,
                                const ExploreOptions *options)
{
    NormalStatus st = specgraph_build(spec, options, &b->g);
    if (st != NORMAL_OK)
        return st;
    b->n->spec_states = b->g.states;
    b->sets = intern_new();
    b->n->acc_off = mem_calloc(1, sizeof *b->n->acc_off);
    b->acc_cap = 1;
    /* never NULL, so that offsets into it are defined even when every
     * acceptance so far is empty */
    b->n->acc_event = mem_calloc(1, sizeof *b->n->acc_event);
    b->acc_event_cap = 1;
    if (!b->sets || !b->n->acc_off || !b->n->acc_event)
        return NORMAL_NOMEM;
    b->members.count = 0;
    if (idvec_push(&b->members, 0) || builder_close(b) == UINT32_MAX)
        return b->status != NORMAL_OK ? b->status : NORMAL_NOMEM;
    b->n->nodes = 0;
    /* acc_node and off need their first entry before node 0 is built. */
    for (uint32_t node = 0; node < intern_count(b->sets); node++) {
        if (node == 0) {
            b->n->off = mem_calloc(2, sizeof *b->n->off);
            b->n->acc_node = mem_calloc(2, sizeof *b->n->acc_node);
            b->node_cap = 2;
            if (!b->n->off || !b->n->acc_node)
                return NORMAL_NOMEM;
        }
        b->n->nodes = node;
        normal_progress(b, node, 0);
        if (builder_node(b, node) != 0) {
            normal_progress(b, node, 1);
            return b->status != NORMAL_OK ? b->status : NORMAL_NOMEM;
        }
    }
    normal_progress(b, intern_count(b->sets), 1);
    b->n->nodes = intern_count(b->sets);
    return NORMAL_OK;
}

NormalStatus normal_build(const Machine *spec, const ExploreOptions *options,
                          uint64_t max_nodes, int all, Normal *out)
{
    memset(out, 0, sizeof *out);
    Builder b = {.n = out, .status = NORMAL_OK, .all = all};
    b.max_nodes = max_nodes ? max_nodes : UINT32_MAX - 1;
    b.max_bytes = options && options->memory ? options->memory / 2
                                             : (size_t)1 << 40;
    if (!(options && options->memory)) {
        long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
        if (pages > 0 && page > 0)
            b.max_bytes = (size_t)pages * (size_t)page / 4;
    }
    b.progress = options && options->progress && isatty(STDERR_FILENO);
    NormalStatus st = builder_run(&b, spec, options);
    specgraph_free(&b.g);
    intern_free(b.sets);
    idvec_free(&b.members);
    if (st == NORMAL_OK)
        st = normal_minimise(out);
    if (st != NORMAL_OK)
        normal_free(out);
    return st;
}

uint32_t normal_after(const Normal *n, uint32_t node, uint32_t event)
{
    uint32_t lo = n->off[node], hi = n->off[node + 1];
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (n->event[mid] == event)
            return n->target[mid];
        if (n->event[mid] < event)
            lo = mid + 1;
        else
            hi = mid;
    }
    return UINT32_MAX;
}

void normal_free(Normal *n)
{
    mem_free(n->off);
    mem_free(n->event);
    mem_free(n->target);
    mem_free(n->divergent);
    mem_free(n->acc_node);
    mem_free(n->acc_off);
    mem_free(n->acc_event);
    memset(n, 0, sizeof *n);
}
