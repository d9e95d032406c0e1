/* Unit tests of checker/term.c (hash-consing, firing rules), lts.c and the
 * operator network of compile.c, on hand-built terms: no CSPM involved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "compile.h"
#include "lts.h"
#include "mem.h"
#include "term.h"

#include <string.h>

typedef struct Fixture {
    EventTable *events;
    TermTable *terms;
    uint32_t a, b, c;
} Fixture;

static int setup(void **state)
{
    Fixture *f = mem_calloc(1, sizeof *f);
    f->events = event_table_new();
    f->terms = term_table_new(f->events, NULL);
    f->a = event_intern(f->events, "a");
    f->b = event_intern(f->events, "b");
    f->c = event_intern(f->events, "c");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    term_table_free(f->terms);
    event_table_free(f->events);
    mem_free(f);
    return 0;
}

typedef struct Moves {
    uint32_t event[16], target[16];
    size_t n;
} Moves;

static void collect(void *ctx, uint32_t event, uint32_t target)
{
    Moves *m = ctx;
    assert_true(m->n < 16);
    m->event[m->n] = event;
    m->target[m->n++] = target;
}

static Moves moves_of(Fixture *f, uint32_t t)
{
    Moves m = {.n = 0};
    assert_int_equal(term_transitions(f->terms, t, collect, &m), 0);
    return m;
}

static uint32_t set_of(Fixture *f, const uint32_t *ids, size_t n)
{
    return term_set(f->terms, ids, n);
}

static uint32_t binary(Fixture *f, TermKind k, uint32_t set, uint32_t p,
                       uint32_t q)
{
    uint32_t kids[2] = {p, q};
    return term_make(f->terms, k, set, TERM_NONE, TERM_NONE, kids, 2);
}

static void test_hash_consing(void **state)
{
    Fixture *f = *state;
    uint32_t p1 = term_prefix(f->terms, f->a, term_stop(f->terms));
    uint32_t p2 = term_prefix(f->terms, f->a, term_stop(f->terms));
    uint32_t p3 = term_prefix(f->terms, f->b, term_stop(f->terms));
    assert_int_equal(p1, p2);
    assert_int_not_equal(p1, p3);
    uint32_t s1 = set_of(f, (uint32_t[]){f->b, f->a, f->a}, 3);
    uint32_t s2 = set_of(f, (uint32_t[]){f->a, f->b}, 2);
    assert_int_equal(s1, s2);
    assert_int_equal(term_set_get(f->terms, s1).count, 2);
}

/* SKIP -tick-> OMEGA; STOP has nothing; DIV -tau-> DIV. */
static void test_basic_processes(void **state)
{
    Fixture *f = *state;
    Moves m = moves_of(f, term_skip(f->terms));
    assert_int_equal(m.n, 1);
    assert_int_equal(m.event[0], EVENT_TICK);
    assert_int_equal(m.target[0], term_omega(f->terms));
    assert_int_equal(moves_of(f, term_stop(f->terms)).n, 0);
    m = moves_of(f, term_div(f->terms));
    assert_int_equal(m.n, 1);
    assert_int_equal(m.event[0], EVENT_TAU);
    assert_int_equal(m.target[0], term_div(f->terms));
}

/* (a -> STOP) [] (tau-ful b -> STOP |~| c -> STOP): the tau of the right
 * side keeps the choice open; a resolves it. */
static void test_external_choice_tau(void **state)
{
    Fixture *f = *state;
    TermTable *t = f->terms;
    uint32_t a = term_prefix(t, f->a, term_stop(t));
    uint32_t b = term_prefix(t, f->b, term_stop(t));
    uint32_t c = term_prefix(t, f->c, term_stop(t));
    uint32_t inner = term_choice(t, TERM_INT, (uint32_t[]){b, c}, 2);
    uint32_t ext = term_choice(t, TERM_EXT, (uint32_t[]){a, inner}, 2);
    Moves m = moves_of(f, ext);
    assert_int_equal(m.n, 3);
    assert_int_equal(m.event[0], f->a);
    assert_int_equal(m.target[0], term_stop(t));
    assert_int_equal(m.event[1], EVENT_TAU);
    assert_int_equal(m.target[1],
                     term_choice(t, TERM_EXT, (uint32_t[]){a, b}, 2));
    assert_int_equal(m.event[2], EVENT_TAU);
}

/* Hiding turns a into tau; tick passes through to OMEGA. */
static void test_hiding(void **state)
{
    Fixture *f = *state;
    TermTable *t = f->terms;
    uint32_t p = term_prefix(t, f->a, term_prefix(t, f->b, term_skip(t)));
    uint32_t h = term_make(t, TERM_HIDE, set_of(f, &f->a, 1), TERM_NONE, TERM_NONE,
                  &p, 1);
    Moves m = moves_of(f, h);
    assert_int_equal(m.n, 1);
    assert_int_equal(m.event[0], EVENT_TAU);
    Lts lts;
    assert_int_equal(lts_explore(t, h, 100, &lts), LTS_OK);
    assert_int_equal(lts.states, 4); /* h, b -> SKIP hidden, SKIP hidden, OMEGA */
    assert_int_equal(lts.transitions, 3);
    assert_int_not_equal(lts.omega, UINT32_MAX);
    lts_free(&lts);
}

/* Renaming is relational: a becomes both b and c. */
static void test_renaming(void **state)
{
    Fixture *f = *state;
    TermTable *t = f->terms;
    uint32_t p = term_prefix(t, f->a, term_stop(t));
    uint32_t rel = term_rel(t, (uint32_t[]){f->a, f->a},
                            (uint32_t[]){f->c, f->b}, 2);
    uint32_t r = term_make(t, TERM_RENAME, TERM_NONE, TERM_NONE, rel, &p, 1);
    Moves m = moves_of(f, r);
    assert_int_equal(m.n, 2);
    assert_int_equal(m.event[0], f->b); /* pairs are sorted */
    assert_int_equal(m.event[1], f->c);
}

/* The network's successor function, walked breadth-first by hand. */
typedef struct Walk {
    uint32_t seen[64][4];
    size_t n, transitions, width;
} Walk;

static void walk_emit(void *ctx, uint32_t event, const uint32_t *target)
{
    (void)event;
    Walk *w = ctx;
    w->transitions++;
    for (size_t i = 0; i < w->n; i++)
        if (!memcmp(w->seen[i], target, w->width * sizeof *target))
            return;
    assert_true(w->n < 64);
    memcpy(w->seen[w->n++], target, w->width * sizeof *target);
}

static void test_network_interleaving(void **state)
{
    Fixture *f = *state;
    TermTable *t = f->terms;
    /* Cycles need thunks (a front end); RUN and CHAOS loop on their own:
     * RUN({a}) ||| RUN({b}) ||| CHAOS({c}). */
    uint32_t ra = term_make(t, TERM_RUN, set_of(f, &f->a, 1), TERM_NONE,
                            TERM_NONE, NULL, 0);
    uint32_t rb = term_make(t, TERM_RUN, set_of(f, &f->b, 1), TERM_NONE,
                            TERM_NONE, NULL, 0);
    uint32_t ch = term_make(t, TERM_CHAOS, set_of(f, &f->c, 1), TERM_NONE,
                            TERM_NONE, NULL, 0);
    uint32_t empty = set_of(f, NULL, 0);
    uint32_t sys = binary(f, TERM_PAR, empty, binary(f, TERM_PAR, empty, ra, rb),
                          ch);
    Machine *m = NULL;
    char err[128];
    CompileOptions opt = {COMPILE_NETWORK, 0, LEAF_NONE};
    assert_int_equal(compile_machine(t, sys, &opt, &m, err, sizeof err),
                     COMPILE_OK);
    assert_int_equal(m->width, 3);
    Walk w = {.n = 1, .width = m->width};
    machine_initial(m, w.seen[0]);
    uint32_t scratch[8];
    for (size_t i = 0; i < w.n; i++)
        machine_successors(m, w.seen[i], scratch, walk_emit, &w);
    /* RUN states 1, RUN 1, CHAOS 2 (CHAOS, STOP): 2 states; from CHAOS:
     * a, b, c, tau; from STOP-side: a, b. */
    assert_int_equal(w.n, 2);
    assert_int_equal(w.transitions, 6);
    machine_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hash_consing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_basic_processes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_external_choice_tau, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_hiding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_renaming, setup, teardown),
        cmocka_unit_test_setup_teardown(test_network_interleaving, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
