/* Unit tests of the explorer (checker/explore.h) on machines written here:
 * products of counters, a ring, a line ending in a deadlock, a fan of
 * thousands of successors, wide unbounded words. Every run is made with 1,
 * 2 and 4 threads and must give the same counts, ids, parents, violation
 * and path; ids are also compared with a plain sequential BFS written in
 * this file (the canonical order of explore.h). Counts are worked out in
 * the comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "files_in.h"
#include "explore.h"
#include "hash.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------- the machines ---------- */

typedef enum Kind { COUNTERS, RING, LINE, FAN, WIDE, WEAVE, BROOM } Kind;

typedef struct TestMachine {
    Machine base;
    Kind kind;
    uint32_t k, m;        /* COUNTERS: k counters 0 .. m-1; RING, LINE, FAN: m */
    uint32_t word_max[8];
} TestMachine;

static void tm_initial(const Machine *m, uint32_t *state)
{
    memset(state, 0, m->width * sizeof *state);
}

/* COUNTERS, WIDE: counter i steps up (event 2 + i) while below its top
 * (WIDE: steps of 100,000,000 in 32-bit words, top 4 steps).
 * RING: v -> v + 1 mod m (event 2). LINE: v -> v + 1 up to m, then
 * nothing (a deadlock at depth m). FAN: 0 -> i for i = 1 .. m (event
 * 2 + i % 3), then 0 -> 1 again by event 9; i -> i % m + 1 (event 7).
 * BROOM: 0 -> i for i = 1 .. m (event 2); the last two of them, i >= m - 1,
 * -> m + i (event 3); nothing else. */
static int tm_successors(const Machine *base, const uint32_t *state,
                         void *scratch, MachineEmit emit, void *ctx)
{
    const TestMachine *tm = (const TestMachine *)base;
    uint32_t *next = scratch;
    memcpy(next, state, base->width * sizeof *next);
    switch (tm->kind) {
    case COUNTERS:
    case WIDE: {
        uint32_t step = tm->kind == WIDE ? 100000000u : 1;
        for (uint32_t i = 0; i < tm->k; i++) {
            if (state[i] / step >= tm->m - 1)
                continue;
            next[i] = state[i] + step;
            emit(ctx, 2 + i, next);
            next[i] = state[i];
        }
        break;
    }
    case RING:
        next[0] = (state[0] + 1) % tm->m;
        emit(ctx, 2, next);
        break;
    case LINE:
        if (state[0] < tm->m) {
            next[0] = state[0] + 1;
            emit(ctx, 2, next);
        }
        break;
    case WEAVE: /* (level, v) -> (level + 1, 5 v + j mod m), j < 5 */
        if (state[0] >= tm->k)
            break;
        next[0] = state[0] + 1;
        for (uint32_t j = 0; j < 5; j++) {
            next[1] = (5 * state[1] + j) % tm->m;
            emit(ctx, 2 + j, next);
        }
        break;
    case BROOM:
        next[0] = state[0] == 0 ? 1 : state[0] + tm->m;
        for (; state[0] == 0 && next[0] <= tm->m; next[0]++)
            emit(ctx, 2, next);
        if (state[0] >= tm->m - 1 && state[0] <= tm->m)
            emit(ctx, 3, next);
        break;
    case FAN:
        if (state[0] == 0) {
            for (uint32_t i = 1; i <= tm->m; i++) {
                next[0] = i;
                emit(ctx, 2 + i % 3, next);
            }
            next[0] = 1;
            emit(ctx, 9, next);
        } else {
            next[0] = state[0] % tm->m + 1;
            emit(ctx, 7, next);
        }
        break;
    }
    return MACHINE_OK;
}

static void tm_destroy(Machine *m) { (void)m; }

static const MachineOps tm_ops = {tm_initial, tm_successors, NULL, NULL,
                                  tm_destroy, NULL};

static void machine(TestMachine *tm, Kind kind, uint32_t k, uint32_t m)
{
    memset(tm, 0, sizeof *tm);
    tm->kind = kind;
    tm->k = k;
    tm->m = m;
    size_t width = kind == COUNTERS || kind == WIDE ? k
                   : kind == WEAVE                 ? 2
                                                   : 1;
    for (size_t i = 0; i < width; i++)
        tm->word_max[i] = kind == COUNTERS ? m - 1
                          : kind == WIDE   ? UINT32_MAX
                                           : m;
    if (kind == WEAVE)
        tm->word_max[0] = k;
    tm->base = (Machine){&tm_ops, width, tm->word_max, 0,
                         width * sizeof(uint32_t), NULL};
}

/* ---------- inspections ---------- */

/* A deadlock: no transitions at all. */
static int inspect_deadlock(void *ud, const uint32_t *state,
                            const ExploreSucc *succ, size_t count)
{
    (void)ud, (void)state, (void)succ;
    return count == 0 ? 1 : 0;
}

/* Every state whose counters sum to *target violates, with code
 * 1 + (first counter mod 3). */
static int inspect_sum(void *ud, const uint32_t *state,
                       const ExploreSucc *succ, size_t count)
{
    (void)succ, (void)count;
    const uint32_t *target = ud;
    uint32_t sum = state[0] + state[1] + state[2] + state[3];
    return sum == *target ? 1 + (int)(state[0] % 3) : 0;
}

/* ---------- a plain sequential BFS: the canonical order ---------- */

typedef struct Ref {
    size_t width;
    uint32_t *vecs;       /* by id */
    uint64_t *parent;
    uint32_t *event;
    uint64_t count, cap;
    uint64_t *table;      /* id + 1 by hash, 0: empty */
    uint64_t table_size;
} Ref;

static uint64_t ref_hash(const uint32_t *v, size_t width)
{
    uint64_t h = HASH_SEED;
    for (size_t i = 0; i < width; i++)
        h = hash_mix(h, v[i]);
    return h;
}

static uint64_t *ref_slot(Ref *r, const uint32_t *v)
{
    uint64_t i = ref_hash(v, r->width) % r->table_size;
    while (r->table[i] &&
           memcmp(r->vecs + (r->table[i] - 1) * r->width, v,
                  r->width * sizeof *v))
        i = (i + 1) % r->table_size;
    return &r->table[i];
}

typedef struct RefCtx {
    Ref *ref;
    uint64_t from;
} RefCtx;

static void ref_emit(void *ctx, uint32_t event, const uint32_t *target)
{
    RefCtx *c = ctx;
    Ref *r = c->ref;
    uint64_t *slot = ref_slot(r, target);
    if (*slot)
        return;
    assert_true(r->count < r->cap);
    memcpy(r->vecs + r->count * r->width, target, r->width * sizeof *target);
    r->parent[r->count] = c->from;
    r->event[r->count] = event;
    *slot = ++r->count;
}

/* Every state reachable (at most cap of them), in canonical order. */
static void ref_bfs(const Machine *m, uint64_t cap, Ref *r)
{
    r->width = m->width;
    r->cap = cap;
    r->count = 0;
    r->vecs = mem_alloc(cap * m->width * sizeof *r->vecs);
    r->parent = mem_alloc(cap * sizeof *r->parent);
    r->event = mem_alloc(cap * sizeof *r->event);
    r->table_size = 2 * cap + 1;
    r->table = mem_calloc(r->table_size, sizeof *r->table);
    uint32_t *scratch = mem_calloc(m->width + 1, sizeof *scratch);
    uint32_t init[8];
    machine_initial(m, init);
    RefCtx ctx = {r, UINT64_MAX};
    ref_emit(&ctx, EVENT_NONE, init);
    for (uint64_t id = 0; id < r->count; id++) {
        ctx.from = id;
        machine_successors(m, r->vecs + id * m->width, scratch, ref_emit,
                           &ctx);
    }
    mem_free(scratch);
}

static void ref_free(Ref *r)
{
    mem_free(r->vecs);
    mem_free(r->parent);
    mem_free(r->event);
    mem_free(r->table);
}

/* ---------- running with 1, 2 and 4 threads ---------- */

typedef struct Outcome {
    ExploreStatus status;
    ExploreStats stats;
    uint64_t violation;
    int code;
    uint32_t *events;
    uint64_t *path;
    size_t len;
    uint32_t *vecs;       /* every state by id */
    uint64_t *parent;     /* every state's parent (UINT64_MAX: none) */
    uint32_t *event;
} Outcome;

static void run(const Machine *m, ExploreOptions opt, ExploreInspect inspect,
                void *ud, Outcome *o)
{
    memset(o, 0, sizeof *o);
    Explorer *ex = explore_new(m, &opt);
    assert_non_null(ex);
    o->status = explore_run(ex, inspect, ud);
    o->stats = *explore_stats(ex);
    o->violation = explore_violation(ex, &o->code);
    if (o->status == EXPLORE_VIOLATION)
        assert_int_equal(explore_path(ex, o->violation, &o->events, &o->path,
                                      &o->len), 0);
    uint64_t n = o->stats.states;
    o->vecs = mem_alloc((n + 1) * m->width * sizeof *o->vecs);
    o->parent = mem_alloc((n + 1) * sizeof *o->parent);
    o->event = mem_alloc((n + 1) * sizeof *o->event);
    for (uint64_t id = 0; id < n; id++) {
        uint32_t *vec = o->vecs + id * m->width;
        explore_state(ex, id, vec);
        if (!opt.disk) /* a store on disk answers no lookup */
            assert_int_equal(explore_lookup(ex, vec), id);
        if (explore_parent(ex, id, &o->parent[id], &o->event[id]) != 0) {
            assert_int_equal(id, 0);
            o->parent[id] = UINT64_MAX;
            o->event[id] = EVENT_NONE;
        }
    }
    explore_free(ex);
}

static void outcome_free(Outcome *o)
{
    mem_free(o->events);
    mem_free(o->path);
    mem_free(o->vecs);
    mem_free(o->parent);
    mem_free(o->event);
}

static void same(const Machine *m, const Outcome *a, const Outcome *b)
{
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->stats.states, b->stats.states);
    assert_int_equal(a->stats.transitions, b->stats.transitions);
    assert_int_equal(a->stats.depth, b->stats.depth);
    assert_int_equal(a->violation, b->violation);
    assert_int_equal(a->code, b->code);
    assert_int_equal(a->len, b->len);
    if (a->len) {
        assert_memory_equal(a->events, b->events, a->len * sizeof *a->events);
        assert_memory_equal(a->path, b->path,
                            (a->len + 1) * sizeof *a->path);
    }
    uint64_t n = a->stats.states;
    assert_memory_equal(a->vecs, b->vecs, n * m->width * sizeof *a->vecs);
    assert_memory_equal(a->parent, b->parent, n * sizeof *a->parent);
    assert_memory_equal(a->event, b->event, n * sizeof *a->event);
}

/* The directory of the store on disk's files (which have no names: it
 * must stay empty). */
static char disk_dir[] = "/tmp/lockstep-test-XXXXXX";

/* Runs with 1, 2 and 4 threads, and on disk (explore_disk.h) with 1 and
 * 2 threads in 64 KiB, so that the successors and the new states go
 * through many runs on disk (unless the memory limit is what is tested);
 * all must agree, and every id must be the reference BFS's. Returns the
 * 1-thread outcome. */
static void run_all(const Machine *m, ExploreOptions opt,
                    ExploreInspect inspect, void *ud, Outcome *out)
{
    static const unsigned threads[] = {1, 2, 4, 1, 2};
    Outcome o[5];
    int runs = 3;
    for (int i = 0; i < runs; i++) {
        opt.threads = threads[i];
        run(m, opt, inspect, ud, &o[i]);
        assert_int_equal(o[i].stats.threads, threads[i]);
        if (i == 2 && o[0].status != EXPLORE_LIMIT_MEMORY) {
            runs = 5;
            opt.disk = disk_dir;
            opt.memory = 64 << 10;
        }
    }
    for (int i = 1; i < runs; i++)
        same(m, &o[0], &o[i]);
    assert_int_equal(files_in(disk_dir), 0);
    Ref ref;
    uint64_t n = o[0].stats.states;
    ref_bfs(m, 70000, &ref);
    assert_true(ref.count >= n);
    assert_memory_equal(ref.vecs, o[0].vecs, n * m->width * sizeof *ref.vecs);
    for (uint64_t id = 1; id < n; id++) {
        assert_int_equal(ref.parent[id], o[0].parent[id]);
        assert_int_equal(ref.event[id], o[0].event[id]);
    }
    ref_free(&ref);
    for (int i = 1; i < runs; i++)
        outcome_free(&o[i]);
    *out = o[0];
}

static ExploreOptions options(void)
{
    ExploreOptions opt = {0};
    opt.memory = 32u << 20;
    return opt;
}

/* ---------- the tests ---------- */

/* 4 counters 0..11: 12^4 = 20,736 states; each counter steps up from 11
 * values in each of 12^3 settings of the others: 4 * 11 * 1,728 = 76,032
 * transitions; the sum goes 0 .. 44, so 45 levels. Middle levels hold
 * over a thousand states (expanded by all threads). Both stores: packed
 * keys, and tree-compressed (store.h) with leaves of at most 4 bits, so
 * each counter is a leaf, pairs of them inner nodes, the root the pair of
 * pairs; ids, parents and events as the reference BFS's (run_all). */
static void test_counters(void **state)
{
    (void)state;
    TestMachine tm;
    machine(&tm, COUNTERS, 4, 12);
    for (unsigned tree = 0; tree <= 4; tree += 4) {
        ExploreOptions opt = options();
        opt.tree = tree;
        Outcome o;
        run_all(&tm.base, opt, NULL, NULL, &o);
        assert_int_equal(o.status, EXPLORE_DONE);
        assert_int_equal(o.stats.states, 20736);
        assert_int_equal(o.stats.transitions, 76032);
        assert_int_equal(o.stats.depth, 45);
        /* per state 2 bytes of key (the tree: 8 of root), plus the index:
         * 32,768 slots of 4 bytes (20,736 > 3/4 of 16,384), plus the
         * parents: at most 2 bits a state (a 1 per child, a 0 per parent
         * closed) and a rank sample of 8 bytes per 512 bits, whole words;
         * the tree's nodes: 12 leaf values and at most 144 pairs (both
         * halves' pairs are alike, so shared), 156 values of 8 bytes in
         * 4,096 slots of 8 bytes */
        uint64_t bits = 2 * 20736;
        uint64_t lineage = (bits / 64 + 1 + bits / 512 + 1) * 8;
        uint64_t nodes = tree ? 4096 * 8 + 156 * 8 : 0;
        uint64_t key = tree ? 8 : 2;
        assert_in_range(o.stats.store_bytes - (20736 * key + 32768 * 4), 1,
                        lineage + nodes);
        outcome_free(&o);
    }
}

/* A ring of 1,000: 1,000 states and transitions, 1,000 levels. */
static void test_ring(void **state)
{
    (void)state;
    TestMachine tm;
    machine(&tm, RING, 1, 1000);
    Outcome o;
    run_all(&tm.base, options(), inspect_deadlock, NULL, &o);
    assert_int_equal(o.status, EXPLORE_DONE);
    assert_int_equal(o.stats.states, 1000);
    assert_int_equal(o.stats.transitions, 1000);
    assert_int_equal(o.stats.depth, 1000);
    assert_int_equal(o.parent[999], 998);
    outcome_free(&o);
}

/* A line 0 -> 1 -> ... -> 37 deadlocks at depth 37: found when level 37
 * is expanded (38 levels), after 37 steps of event 2. */
static void test_deadlock_depth(void **state)
{
    (void)state;
    TestMachine tm;
    machine(&tm, LINE, 1, 37);
    Outcome o;
    run_all(&tm.base, options(), inspect_deadlock, NULL, &o);
    assert_int_equal(o.status, EXPLORE_VIOLATION);
    assert_int_equal(o.violation, 37);
    assert_int_equal(o.code, 1);
    assert_int_equal(o.stats.depth, 38);
    assert_int_equal(o.stats.states, 38);
    assert_int_equal(o.stats.transitions, 37);
    assert_int_equal(o.len, 37);
    for (size_t i = 0; i < o.len; i++) {
        assert_int_equal(o.events[i], 2);
        assert_int_equal(o.path[i], i);
    }
    assert_int_equal(o.path[37], 37);
    outcome_free(&o);
}

/* 3 counters 0..7 deadlock only at (7, 7, 7), sum 21: the whole space,
 * 512 states, is stored; the shortest path has 7 steps of each event. */
static void test_deadlock_counters(void **state)
{
    (void)state;
    TestMachine tm;
    machine(&tm, COUNTERS, 3, 8);
    Outcome o;
    run_all(&tm.base, options(), inspect_deadlock, NULL, &o);
    assert_int_equal(o.status, EXPLORE_VIOLATION);
    assert_int_equal(o.stats.states, 512);
    assert_int_equal(o.stats.depth, 22);
    assert_int_equal(o.violation, 511);
    assert_int_equal(o.len, 21);
    unsigned per[5] = {0};
    for (size_t i = 0; i < o.len; i++)
        per[o.events[i]]++;
    assert_int_equal(per[2], 7);
    assert_int_equal(per[3], 7);
    assert_int_equal(per[4], 7);
    outcome_free(&o);
}

/* 4 counters 0..15; every state of sum 40 violates (1,631 of them, in one
 * level). The canonically first state of a level is the first successor
 * of the first state of the level before: (1,0,0,0), ..., (15,0,0,0),
 * then (15,1,0,0), ..., (15,15,0,0), (15,15,1,0), ..., so the violation
 * is (15,15,10,0), code 1 + 15 mod 3 = 1, reached by 15 steps of event 2,
 * 15 of event 3 and 10 of event 4. Level 40 is expanded completely: the
 * states of sum <= 41, 58,281 of them, are stored, and the transitions of
 * the states of sum <= 40, 216,820 (both counted by a short script). */
static void test_violations_in_one_level(void **state)
{
    (void)state;
    TestMachine tm;
    machine(&tm, COUNTERS, 4, 16);
    uint32_t target = 40;
    Outcome o;
    run_all(&tm.base, options(), inspect_sum, &target, &o);
    assert_int_equal(o.status, EXPLORE_VIOLATION);
    assert_int_equal(o.code, 1);
    uint32_t want[] = {15, 15, 10, 0};
    assert_memory_equal(o.vecs + o.violation * 4, want, sizeof want);
    assert_int_equal(o.len, 40);
    for (size_t i = 0; i < 40; i++)
        assert_int_equal(o.events[i], i < 15 ? 2 : i < 30 ? 3 : 4);
    assert_int_equal(o.stats.states, 58281);
    assert_int_equal(o.stats.transitions, 216820);
    assert_int_equal(o.stats.depth, 41);
    outcome_free(&o);
}

/* One state with 5,001 transitions to 5,000 states (more than the first
 * reservation of pending positions: the workers pause in the middle of
 * the state and the index grows), the last one a second transition to
 * state 1; then a ring over them. 5,001 states, 10,001 transitions, 2
 * levels. State 1 is reached first by event 2 + 1 mod 3 = 3, not 9. */
static void test_fan(void **state)
{
    (void)state;
    TestMachine tm;
    machine(&tm, FAN, 1, 5000);
    Outcome o;
    run_all(&tm.base, options(), NULL, NULL, &o);
    assert_int_equal(o.status, EXPLORE_DONE);
    assert_int_equal(o.stats.states, 5001);
    assert_int_equal(o.stats.transitions, 10001);
    assert_int_equal(o.stats.depth, 2);
    assert_int_equal(o.vecs[1], 1);
    assert_int_equal(o.event[1], 3);
    assert_int_equal(o.event[5000], 2 + 5000 % 3);
    outcome_free(&o);
}

/* WEAVE with 8 levels over Z_15625 (15,625 = 5^6): level L < 6 holds
 * (L, 0 .. 5^L - 1), 3,906 states in all; levels 6, 7 and 8 hold all of
 * Z_15625, each of 7 and 8 found 5 times from 5 parents: 50,781 states,
 * 5 * (3,906 + 2 * 15,625) = 175,780 transitions, 9 levels. Levels of
 * 15,625 new states, found by several workers, are renumbered in
 * parallel. */
static void test_weave(void **state)
{
    (void)state;
    TestMachine tm;
    machine(&tm, WEAVE, 8, 15625);
    Outcome o;
    run_all(&tm.base, options(), NULL, NULL, &o);
    assert_int_equal(o.status, EXPLORE_DONE);
    assert_int_equal(o.stats.states, 50781);
    assert_int_equal(o.stats.transitions, 175780);
    assert_int_equal(o.stats.depth, 9);
    outcome_free(&o);
}

/* Unbounded words: 3 counters of 32 bits (key of 12 bytes) stepping by
 * 10^8 through 0..4: 125 states, 3 * 4 * 25 = 300 transitions. */
static void test_wide_words(void **state)
{
    (void)state;
    TestMachine tm;
    machine(&tm, WIDE, 3, 5);
    Outcome o;
    run_all(&tm.base, options(), NULL, NULL, &o);
    assert_int_equal(o.stats.states, 125);
    assert_int_equal(o.stats.transitions, 300);
    assert_int_equal(o.vecs[3 * 124 + 2], 400000000u);
    outcome_free(&o);
}

/* --max-states 1,000 on the 20,736 counters: exactly the canonically
 * first 1,000 states are kept (the reference BFS's ids 0 .. 999). The
 * states of sum <= 9 are 715 (C(13,4)), sum 10 adds 286 (1,001): level 9,
 * which finds the states of sum 10, is cut; 10 levels were expanded. */
static void test_state_limit(void **state)
{
    (void)state;
    TestMachine tm;
    machine(&tm, COUNTERS, 4, 12);
    ExploreOptions opt = options();
    opt.max_states = 1000;
    Outcome o;
    run_all(&tm.base, opt, NULL, NULL, &o);
    assert_int_equal(o.status, EXPLORE_LIMIT_STATES);
    assert_int_equal(o.stats.states, 1000);
    assert_int_equal(o.stats.depth, 10);
    outcome_free(&o);
}

/* --max-states where the store fills exactly as a slice of a level ends
 * (explore.c expands a level 2^18 parents at a time): BROOM with m =
 * 2^18 + 6 has levels of 1, m and 2 states; the 2 are found by the last
 * parents of level 1, in its second slice. --max-states m + 1 keeps
 * levels 0 and 1; the second slice is expanded without storing, and its
 * 2 new states are lost: the run must end at the limit (it once said
 * done, a pass of every check on a state space cut short). Both levels
 * were expanded (depth 2, m + 2 transitions); uncut, level 2 too (depth
 * 3, no more transitions). */
static void test_state_limit_at_slice_end(void **state)
{
    (void)state;
    TestMachine tm;
    const uint32_t m = (1u << 18) + 6;
    machine(&tm, BROOM, 1, m);
    ExploreOptions opt = options();
    for (unsigned threads = 1; threads <= 2; threads++) {
        opt.threads = threads;
        for (int cut = 0; cut <= 1; cut++) {
            opt.max_states = cut ? m + 1 : 0;
            Explorer *ex = explore_new(&tm.base, &opt);
            assert_non_null(ex);
            ExploreStatus st = explore_run(ex, NULL, NULL);
            const ExploreStats *x = explore_stats(ex);
            assert_int_equal(st, cut ? EXPLORE_LIMIT_STATES : EXPLORE_DONE);
            assert_int_equal(x->states, cut ? m + 1 : m + 3);
            assert_int_equal(x->depth, cut ? 2 : 3);
            assert_int_equal(x->transitions, m + 2);
            explore_free(ex);
        }
    }
}

/* A budget of 100,000 bytes, states of 2 key bytes and 3 bits for the
 * parent links (19 bits; the discovery words and the rest of a slice's
 * scratch are not the store's): an index of 16,384 slots (65,536 bytes)
 * leaves 34,464 bytes, 14,504 states (34,464 / 19 * 8), capped at 3/4 of
 * the slots: 12,288 (12,288 slots would hold 9,216). The states of sum
 * <= 23 are 12,090; sum 24 adds 1,111 (13,201): level 23 overflows the
 * store. The run ends with the memory limit and the statistics of the
 * 23 levels before, for every thread count. */
static void test_memory_limit(void **state)
{
    (void)state;
    TestMachine tm;
    machine(&tm, COUNTERS, 4, 12);
    ExploreOptions opt = options();
    opt.memory = 100000;
    Outcome o;
    run_all(&tm.base, opt, NULL, NULL, &o);
    assert_int_equal(o.status, EXPLORE_LIMIT_MEMORY);
    assert_int_equal(o.stats.states, 12090);
    assert_int_equal(o.stats.depth, 23);
    outcome_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_ring),
        cmocka_unit_test(test_deadlock_depth),
        cmocka_unit_test(test_deadlock_counters),
        cmocka_unit_test(test_violations_in_one_level),
        cmocka_unit_test(test_fan),
        cmocka_unit_test(test_weave),
        cmocka_unit_test(test_wide_words),
        cmocka_unit_test(test_state_limit),
        cmocka_unit_test(test_state_limit_at_slice_end),
        cmocka_unit_test(test_memory_limit),
    };
    if (!mkdtemp(disk_dir))
        return 1;
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(disk_dir);
    return failed;
}
