/* Unit tests of the divergence search on disk (explore_disk_diverge in
 * checker/explore_disk.h) on graphs written here: no taus, taus that only
 * go forward, a chain of taus that runs against the ids, a chain that
 * zigzags over them (a round of elimination each turn), self-loops, and
 * random graphs of a few thousand to twenty thousand states. The store on
 * disk runs in 64 KiB, so that its sorts go through many runs (and merge
 * them, past EXTSORT_FANIN), and must find what diverge_mark and
 * diverge_lasso find over the store in memory: the same first divergent
 * state, lead and loop. A limit reached during the search stops it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "files_in.h"
#include "diverge.h"
#include "explore.h"
#include "explore_disk.h"
#include "limit.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------- a graph as a machine ---------- */

enum { VISIBLE = 2 };

typedef struct Graph {
    Machine base;
    uint32_t nodes;
    uint32_t word_max[1];
    uint32_t *off; /* nodes + 1: the edges of v are [off[v], off[v + 1]) */
    uint32_t *to;
    uint32_t *event;
    size_t count, cap;
} Graph;

static void g_initial(const Machine *m, uint32_t *state)
{
    (void)m;
    state[0] = 0;
}

static int g_successors(const Machine *m, const uint32_t *state,
                        void *scratch, MachineEmit emit, void *ctx)
{
    const Graph *g = (const Graph *)m;
    (void)scratch;
    for (uint32_t e = g->off[state[0]]; e < g->off[state[0] + 1]; e++)
        emit(ctx, g->event[e], &g->to[e]);
    return MACHINE_OK;
}

static void g_destroy(Machine *m) { (void)m; }

static const MachineOps g_ops = {g_initial, g_successors, NULL, NULL,
                                 g_destroy, NULL};

/* Edges are added node by node, in increasing order of the source. */
static void graph_init(Graph *g, uint32_t nodes)
{
    memset(g, 0, sizeof *g);
    g->nodes = nodes;
    g->word_max[0] = nodes - 1;
    g->off = calloc(nodes + 1, sizeof *g->off);
    assert_non_null(g->off);
    g->base = (Machine){&g_ops, 1, g->word_max, 0, sizeof(uint32_t), NULL};
}

static void edge(Graph *g, uint32_t from, uint32_t to, uint32_t event)
{
    if (g->count == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 1024;
        g->to = realloc(g->to, g->cap * sizeof *g->to);
        g->event = realloc(g->event, g->cap * sizeof *g->event);
        assert_true(g->to && g->event);
    }
    g->to[g->count] = to;
    g->event[g->count++] = event;
    for (uint32_t v = from + 1; v <= g->nodes; v++)
        g->off[v] = (uint32_t)g->count;
}

/* Node 0 steps to every node, visibly and in order: the nodes' ids are
 * their numbers, and the graph is two levels deep (on disk each level
 * costs a few files; a line of thousands of levels takes seconds). */
static void hub(Graph *g)
{
    for (uint32_t v = 1; v < g->nodes; v++)
        edge(g, 0, v, VISIBLE);
}

static void graph_free(Graph *g)
{
    free(g->off);
    free(g->to);
    free(g->event);
}

/* ---------- the reference: diverge_mark over the store in memory ---------- */

typedef struct Answer {
    uint64_t first;
    IdVec lead, loop;
    uint64_t states;
} Answer;

typedef struct RefCtx {
    Explorer *ex;
    const Machine *m;
    IdVec *out;
} RefCtx;

static void ref_collect(void *ctx, uint32_t event, const uint32_t *target)
{
    RefCtx *r = ctx;
    if (event == EVENT_TAU)
        assert_int_equal(idvec_push(r->out, explore_lookup(r->ex, target)), 0);
}

static int ref_tau_succ(void *ud, uint64_t id, IdVec *out)
{
    RefCtx *r = ud;
    uint32_t vec[1];
    explore_state(r->ex, id, vec);
    r->out = out;
    return machine_tau_successors(r->m, vec, NULL,
                                  ref_collect, r);
}

static void answer_in_memory(const Graph *g, Answer *a)
{
    ExploreOptions opt = {0};
    opt.threads = 2;
    Explorer *ex = explore_new(&g->base, &opt);
    assert_non_null(ex);
    assert_int_equal(explore_run(ex, NULL, NULL), EXPLORE_DONE);
    RefCtx r = {ex, &g->base, NULL};
    DivGraph dg = {explore_stats(ex)->states, ref_tau_succ, &r};
    uint8_t *div = NULL;
    assert_int_equal(diverge_mark(&dg, &div), 0);
    memset(a, 0, sizeof *a);
    a->states = dg.states;
    a->first = UINT64_MAX;
    for (uint64_t id = 0; id < dg.states && a->first == UINT64_MAX; id++)
        if (div[id])
            a->first = id;
    if (a->first != UINT64_MAX)
        assert_int_equal(diverge_lasso(&dg, div, a->first, &a->lead, &a->loop),
                         0);
    mem_free(div);
    explore_free(ex);
}

/* ---------- on disk ---------- */

static char disk_dir[] = "/tmp/lockstep-diverge-XXXXXX";

static void answer_on_disk(const Graph *g, size_t memory, Answer *a)
{
    ExploreOptions opt = {0};
    opt.threads = 2;
    opt.disk = disk_dir;
    opt.memory = memory;
    Explorer *ex = explore_new(&g->base, &opt);
    assert_non_null(ex);
    assert_int_equal(explore_run(ex, NULL, NULL), EXPLORE_DONE);
    memset(a, 0, sizeof *a);
    a->states = explore_stats(ex)->states;
    assert_int_equal(explore_disk_diverge(explore_disk_of(ex), &g->base,
                                          &a->first, &a->lead, &a->loop),
                     0);
    explore_free(ex);
    assert_int_equal(files_in(disk_dir), 0);
}

static void answer_free(Answer *a)
{
    idvec_free(&a->lead);
    idvec_free(&a->loop);
}

static void assert_ids(const IdVec *a, const IdVec *b)
{
    assert_int_equal(a->count, b->count);
    if (a->count)
        assert_memory_equal(a->items, b->items, a->count * sizeof *a->items);
}

/* The answers in memory and on disk, which must agree; on disk in 64 KiB
 * (the sorts go through runs; elimination goes by rounds on disk until
 * fewer than about a thousand edges are left, then ends in memory) and in
 * 32 MiB (everything in memory). The first divergent state is returned
 * (UINT64_MAX: none), and the loop's length in *loop. */
static uint64_t both(const Graph *g, size_t *loop)
{
    Answer mem, disk;
    answer_in_memory(g, &mem);
    assert_int_equal(mem.states, g->nodes); /* every node is reached */
    for (int big = 0; big < 2; big++) {
        answer_on_disk(g, big ? 32u << 20 : 64u << 10, &disk);
        assert_int_equal(disk.states, mem.states);
        assert_int_equal(disk.first, mem.first);
        assert_ids(&disk.lead, &mem.lead);
        assert_ids(&disk.loop, &mem.loop);
        answer_free(&disk);
    }
    uint64_t first = mem.first;
    if (loop)
        *loop = mem.loop.count;
    answer_free(&mem);
    return first;
}

/* ---------- the tests ---------- */

/* A line of visible steps: nothing diverges. */
static void test_no_tau(void **state)
{
    (void)state;
    Graph g;
    graph_init(&g, 500);
    hub(&g);
    for (uint32_t v = 0; v + 1 < g.nodes; v++)
        edge(&g, v, v + 1, VISIBLE);
    assert_int_equal(both(&g, NULL), UINT64_MAX);
    graph_free(&g);
}

/* Taus to the next three nodes only: a DAG, nothing diverges. */
static void test_forward_taus(void **state)
{
    (void)state;
    Graph g;
    graph_init(&g, 3000);
    hub(&g);
    for (uint32_t v = 0; v + 1 < g.nodes; v++)
        for (uint32_t d = 1; d <= 3 && v + d < g.nodes; d++)
            edge(&g, v, v + d, d == 1 ? VISIBLE : EVENT_TAU);
    assert_int_equal(both(&g, NULL), UINT64_MAX);
    graph_free(&g);
}

/* v -> v + 1 visible, v -> v - 1 by a tau (a counter going down
 * silently): the taus run against the ids, to node 0, which has none.
 * Nothing diverges; with a tau self-loop on the last node, that node
 * alone diverges (the taus lead away from it): lead empty, loop of one. */
static void test_backward_chain(void **state)
{
    (void)state;
    for (int loop = 0; loop < 2; loop++) {
        Graph g;
        graph_init(&g, 4000);
        hub(&g);
        for (uint32_t v = 0; v < g.nodes; v++) {
            if (v + 1 < g.nodes)
                edge(&g, v, v + 1, VISIBLE);
            if (v > 0)
                edge(&g, v, v - 1, EVENT_TAU);
        }
        if (loop)
            edge(&g, g.nodes - 1, g.nodes - 1, EVENT_TAU);
        size_t len = 0;
        assert_int_equal(both(&g, &len), loop ? g.nodes - 1 : UINT64_MAX);
        assert_int_equal(len, loop ? 2 : 0);
        graph_free(&g);
    }
}

/* A chain of taus visits 1, n-1, 2, n-2, ... and ends at the middle
 * node, which has no tau: every turn of the chain goes against the
 * order of the round before, so in 64 KiB rounds on disk eliminate a
 * node or two each until the chain is short enough for memory. Nothing
 * diverges; closing the chain into a
 * cycle (the middle back to 1) makes every node of it diverge, the first
 * being node 1 (id 1). */
static void test_zigzag(void **state)
{
    (void)state;
    uint32_t n = 3001;
    for (int cycle = 0; cycle < 2; cycle++) {
        uint32_t *next = calloc(n, sizeof *next); /* 0: no tau */
        uint32_t lo = 2, hi = n - 1, at = 1;
        for (int up = 1; lo <= hi; up = !up) {
            uint32_t to = up ? hi-- : lo++;
            next[at] = to;
            at = to;
        }
        if (cycle)
            next[at] = 1;
        Graph g;
        graph_init(&g, n);
        hub(&g);
        for (uint32_t v = 0; v < n; v++) {
            if (v + 1 < n)
                edge(&g, v, v + 1, VISIBLE);
            if (next[v])
                edge(&g, v, next[v], EVENT_TAU);
        }
        size_t len = 0;
        assert_int_equal(both(&g, &len), cycle ? 1 : UINT64_MAX);
        if (cycle)
            assert_int_equal(len, n); /* nodes 1 .. n-1, then 1 again */
        graph_free(&g);
        free(next);
    }
}

/* Random graphs: a visible line reaches every node; each node has up to
 * three more edges, to a node near it or anywhere, a tau with
 * probability p. From sparse taus (a few short cycles, deep in the
 * graph) to dense ones; the largest sorts more records than EXTSORT_FANIN
 * runs hold in 64 KiB. */
static void random_graph(Graph *g, uint32_t nodes, unsigned seed, double p)
{
    srand(seed);
    graph_init(g, nodes);
    for (uint32_t v = 0; v < nodes; v++) {
        if (v + 1 < nodes)
            edge(g, v, v + 1, VISIBLE);
        int extra = rand() % 4;
        for (int e = 0; e < extra; e++) {
            int64_t to = rand() % 4 == 0 ? rand() % nodes
                                         : (int64_t)v + rand() % 21 - 10;
            if (to < 0 || to >= nodes)
                continue;
            edge(g, v, (uint32_t)to,
                 rand() < p * RAND_MAX ? EVENT_TAU : VISIBLE);
        }
    }
}

static void test_random(void **state)
{
    (void)state;
    static const double p[] = {0.001, 0.005, 0.1, 0.5};
    int diverged = 0, none = 0;
    for (unsigned seed = 1; seed <= 12; seed++) {
        Graph g;
        random_graph(&g, 3000, seed, p[seed % 4]);
        uint64_t first = both(&g, NULL);
        diverged += first != UINT64_MAX;
        none += first == UINT64_MAX;
        graph_free(&g);
    }
    assert_true(diverged > 0); /* both answers are exercised */
    assert_true(none > 0);
}

static void test_random_large(void **state)
{
    (void)state;
    Graph g;
    random_graph(&g, 20000, 99, 0.5);
    both(&g, NULL);
    graph_free(&g);
}

/* A limit of the run (here Ctrl-C, as the signal handler raises it)
 * reached once the exploration is over: the search stops (its rounds
 * look at the limit every block of edges), says so, and its files are
 * gone. */
static void test_limit_ends_search(void **state)
{
    (void)state;
    Graph g;
    random_graph(&g, 3000, 7, 0.5);
    ExploreOptions opt = {0};
    opt.threads = 2;
    opt.disk = disk_dir;
    opt.memory = 64u << 10;
    Explorer *ex = explore_new(&g.base, &opt);
    assert_non_null(ex);
    assert_int_equal(explore_run(ex, NULL, NULL), EXPLORE_DONE);
    Answer a = {0};
    limit_raise(LIMIT_SIGNAL);
    assert_int_equal(explore_disk_diverge(explore_disk_of(ex), &g.base,
                                          &a.first, &a.lead, &a.loop),
                     -1);
    assert_int_equal(limit_reached(), LIMIT_SIGNAL);
    assert_string_equal(explore_error(ex), ""); /* not a disk failure */
    limit_clear();
    explore_free(ex);
    assert_int_equal(files_in(disk_dir), 0);
    answer_free(&a);
    graph_free(&g);
}

int main(int argc, char **argv)
{
    if (argc > 1) /* one test by name */
        cmocka_set_test_filter(argv[1]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_tau),
        cmocka_unit_test(test_forward_taus),
        cmocka_unit_test(test_backward_chain),
        cmocka_unit_test(test_zigzag),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_random_large),
        cmocka_unit_test(test_limit_ends_search),
    };
    if (!mkdtemp(disk_dir))
        return 1;
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(disk_dir);
    return failed;
}
