/* Unit tests of the checks (checker/check.h) on hand-built terms, with a
 * tiny front end of thunks written in the test: no CSPM involved. Each
 * expectation is derived by hand in the comment above it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"
#include "compile.h"
#include "mem.h"
#include "term.h"

#include <stdio.h>
#include <string.h>

/* Process definitions of the test: ref -> a function building its body. */
typedef struct World World;
typedef uint32_t (*Body)(World *w);

struct World {
    EventTable *events;
    TermTable *terms;
    uint32_t a, b, c;
    Body bodies[8];
    const char *names[8];
};

static uint32_t resolve(void *ud, uint32_t ref)
{
    World *w = ud;
    return w->bodies[ref](w);
}

static void print(void *ud, uint32_t ref, char *buf, size_t len)
{
    World *w = ud;
    snprintf(buf, len, "%s", w->names[ref]);
}

static uint32_t call(World *w, uint32_t ref) { return term_thunk(w->terms, ref); }
static uint32_t pre(World *w, uint32_t e, uint32_t p)
{
    return term_prefix(w->terms, e, p);
}
static uint32_t set1(World *w, uint32_t e) { return term_set(w->terms, &e, 1); }
static uint32_t op2(World *w, TermKind k, uint32_t set, uint32_t p, uint32_t q)
{
    uint32_t kids[2] = {p, q};
    return term_make(w->terms, k, set, TERM_NONE, TERM_NONE, kids, 2);
}
static uint32_t hide(World *w, uint32_t set, uint32_t p)
{
    return term_make(w->terms, TERM_HIDE, set, TERM_NONE, TERM_NONE, &p, 1);
}

/* 0: P = a -> P          1: Q = (a -> Q) [] (c -> R)    2: R = c -> R
 * 3: S = a -> b -> S     4: T = a -> STOP |~| b -> STOP */
static uint32_t body_p(World *w) { return pre(w, w->a, call(w, 0)); }
static uint32_t body_q(World *w)
{
    uint32_t k[2] = {pre(w, w->a, call(w, 1)), pre(w, w->c, call(w, 2))};
    return term_choice(w->terms, TERM_EXT, k, 2);
}
static uint32_t body_r(World *w) { return pre(w, w->c, call(w, 2)); }
static uint32_t body_s(World *w)
{
    return pre(w, w->a, pre(w, w->b, call(w, 3)));
}
static uint32_t body_t(World *w)
{
    uint32_t k[2] = {pre(w, w->a, term_stop(w->terms)),
                     pre(w, w->b, term_stop(w->terms))};
    return term_choice(w->terms, TERM_INT, k, 2);
}

static int setup(void **state)
{
    World *w = mem_calloc(1, sizeof *w);
    w->events = event_table_new();
    TermHooks hooks = {w, resolve, print};
    w->terms = term_table_new(w->events, &hooks);
    w->a = event_intern(w->events, "a");
    w->b = event_intern(w->events, "b");
    w->c = event_intern(w->events, "c");
    Body bodies[] = {body_p, body_q, body_r, body_s, body_t};
    const char *names[] = {"P", "Q", "R", "S", "T"};
    memcpy(w->bodies, bodies, sizeof bodies);
    memcpy(w->names, names, sizeof names);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    World *w = *state;
    term_table_free(w->terms);
    event_table_free(w->events);
    mem_free(w);
    return 0;
}

/* Runs a check on terms with both semantics and both thread counts, and
 * requires identical outcomes; returns the network, 1-thread result. */
static void run(World *w, CheckKind kind, CheckModel model, uint32_t impl,
                uint32_t spec, CheckResult *out)
{
    CheckResult results[3];
    for (int k = 0; k < 3; k++) {
        CompileOptions copt = {k == 2 ? COMPILE_TERMS : COMPILE_NETWORK, 0,
                               LEAF_NONE};
        Machine *mi = NULL, *ms = NULL;
        char err[128];
        assert_int_equal(compile_machine(w->terms, impl, &copt, &mi, err,
                                         sizeof err), COMPILE_OK);
        if (spec != TERM_NONE)
            assert_int_equal(compile_machine(w->terms, spec, &copt, &ms, err,
                                             sizeof err), COMPILE_OK);
        CheckRequest req = {.kind = kind, .model = model, .impl = mi,
                            .spec = ms};
        req.explore.threads = k == 1 ? 2 : 1;
        req.explore.memory = 16u << 20;
        check_run(&req, &results[k]);
        machine_free(mi);
        machine_free(ms);
    }
    for (int k = 1; k < 3; k++) {
        assert_int_equal(results[k].verdict, results[0].verdict);
        assert_int_equal(results[k].fail, results[0].fail);
        assert_int_equal(results[k].stats.states, results[0].stats.states);
        assert_int_equal(results[k].stats.transitions,
                         results[0].stats.transitions);
        check_result_free(&results[k]);
    }
    *out = results[0];
}

static size_t trace_len(const CheckResult *r)
{
    size_t n = 0;
    uint32_t *t = check_trace(&r->cex, &n);
    mem_free(t);
    return n;
}

/* a -> STOP: deadlock after <a>; 2 states, 1 transition. */
static void test_deadlock(void **state)
{
    World *w = *state;
    CheckResult r;
    run(w, CHECK_DEADLOCK, CHECK_F, pre(w, w->a, term_stop(w->terms)),
        TERM_NONE, &r);
    assert_int_equal(r.verdict, VERDICT_FAIL);
    assert_int_equal(r.fail, FAIL_DEADLOCK);
    assert_int_equal(r.stats.states, 2);
    assert_int_equal(r.cex.steps, 1);
    assert_int_equal(r.cex.events[0], w->a);
    check_result_free(&r);
}

/* P \ {a}: one state with a tau loop: deadlock free in [F], not in [FD],
 * divergent at the empty trace. */
static void test_divergence_under_hiding(void **state)
{
    World *w = *state;
    uint32_t h = hide(w, set1(w, w->a), call(w, 0));
    CheckResult r;
    run(w, CHECK_DEADLOCK, CHECK_F, h, TERM_NONE, &r);
    assert_int_equal(r.verdict, VERDICT_PASS);
    assert_int_equal(r.stats.states, 1);
    assert_int_equal(r.stats.transitions, 1);
    check_result_free(&r);
    run(w, CHECK_DEADLOCK, CHECK_FD, h, TERM_NONE, &r);
    assert_int_equal(r.verdict, VERDICT_FAIL);
    assert_int_equal(r.fail, FAIL_DIVERGENCE);
    assert_int_equal(trace_len(&r), 0);
    assert_int_equal(r.cex.loop_steps - r.cex.loop_start, 1);
    check_result_free(&r);
    run(w, CHECK_DIVERGENCE, CHECK_FD, h, TERM_NONE, &r);
    assert_int_equal(r.fail, FAIL_DIVERGENCE);
    check_result_free(&r);
}

/* Q \ {c}: a loops; a hidden c leads to R \ {c}, which diverges. The
 * divergent state with the smallest BFS number is the initial one. */
static void test_divergence_deep(void **state)
{
    World *w = *state;
    uint32_t h = hide(w, set1(w, w->c), call(w, 1));
    CheckResult r;
    run(w, CHECK_DIVERGENCE, CHECK_FD, h, TERM_NONE, &r);
    assert_int_equal(r.verdict, VERDICT_FAIL);
    assert_int_equal(r.stats.states, 2);
    assert_int_equal(trace_len(&r), 0);
    /* lasso: Q\{c} -tau-> R\{c} -tau-> R\{c} */
    assert_int_equal(r.cex.loop_start, 1);
    assert_int_equal(r.cex.loop_steps, 2);
    check_result_free(&r);
    /* P [FD= Q\{c} fails by divergence; [F= passes (no stable state);
     * Q\{c} [FD= P passes: after a divergence of the spec, anything goes */
    run(w, CHECK_REFINES, CHECK_FD, h, call(w, 0), &r);
    assert_int_equal(r.fail, FAIL_DIVERGENCE);
    check_result_free(&r);
    run(w, CHECK_REFINES, CHECK_F, h, call(w, 0), &r);
    assert_int_equal(r.verdict, VERDICT_PASS);
    check_result_free(&r);
    run(w, CHECK_REFINES, CHECK_FD, call(w, 0), h, &r);
    assert_int_equal(r.verdict, VERDICT_PASS);
    check_result_free(&r);
}

/* S = a -> b -> S refines itself; P = a -> P fails S [T= P at <a, a>. */
static void test_trace_refinement(void **state)
{
    World *w = *state;
    CheckResult r;
    run(w, CHECK_REFINES, CHECK_T, call(w, 3), call(w, 3), &r);
    assert_int_equal(r.verdict, VERDICT_PASS);
    assert_int_equal(r.stats.states, 2);
    check_result_free(&r);
    run(w, CHECK_REFINES, CHECK_T, call(w, 0), call(w, 3), &r);
    assert_int_equal(r.verdict, VERDICT_FAIL);
    assert_int_equal(r.fail, FAIL_TRACE);
    assert_int_equal(trace_len(&r), 1);
    assert_int_equal(r.cex.culprit, w->a);
    check_result_free(&r);
}

/* T = a -> STOP |~| b -> STOP against a -> STOP [] b -> STOP: traces
 * equal, T may refuse b: an acceptance error at <>, spec accepts {a, b}. */
static void test_failures(void **state)
{
    World *w = *state;
    uint32_t k[2] = {pre(w, w->a, term_stop(w->terms)),
                     pre(w, w->b, term_stop(w->terms))};
    uint32_t ext = term_choice(w->terms, TERM_EXT, k, 2);
    CheckResult r;
    run(w, CHECK_REFINES, CHECK_T, call(w, 4), ext, &r);
    assert_int_equal(r.verdict, VERDICT_PASS);
    check_result_free(&r);
    run(w, CHECK_REFINES, CHECK_F, call(w, 4), ext, &r);
    assert_int_equal(r.fail, FAIL_ACCEPTANCE);
    assert_int_equal(trace_len(&r), 0);
    assert_int_equal(r.cex.accept_count, 1);
    assert_int_equal(r.cex.accept_off[1], 2);
    check_result_free(&r);
    run(w, CHECK_REFINES, CHECK_FD, ext, call(w, 4), &r);
    assert_int_equal(r.verdict, VERDICT_PASS);
    check_result_free(&r);
}

/* Normal forms are minimised: a -> a -> P normalises to the nodes
 * {a -> a -> P}, {a -> P}, {P}, each offering exactly a and leading to
 * the next: one node once merged. T = a -> STOP |~| b -> STOP keeps two:
 * {T, a -> STOP, b -> STOP} with acceptances {a} and {b}, and {STOP}. */
static void test_normal_form_minimised(void **state)
{
    World *w = *state;
    CheckResult r;
    uint32_t aap = pre(w, w->a, pre(w, w->a, call(w, 0)));
    run(w, CHECK_REFINES, CHECK_FD, call(w, 0), aap, &r);
    assert_int_equal(r.verdict, VERDICT_PASS);
    assert_int_equal(r.spec_nodes, 1);
    check_result_free(&r);
    run(w, CHECK_REFINES, CHECK_F, call(w, 4), call(w, 4), &r);
    assert_int_equal(r.verdict, VERDICT_PASS);
    assert_int_equal(r.spec_nodes, 2);
    check_result_free(&r);
}

/* Determinism: T is nondeterministic at <> (a may be refused); S is
 * deterministic; a -> STOP [] a -> b -> STOP is not, after <a>, on b. */
static void test_determinism(void **state)
{
    World *w = *state;
    CheckResult r;
    run(w, CHECK_DETERMINISM, CHECK_F, call(w, 4), TERM_NONE, &r);
    assert_int_equal(r.fail, FAIL_NONDETERMINISM);
    assert_int_equal(trace_len(&r), 0);
    check_result_free(&r);
    run(w, CHECK_DETERMINISM, CHECK_FD, call(w, 3), TERM_NONE, &r);
    assert_int_equal(r.verdict, VERDICT_PASS);
    check_result_free(&r);
    uint32_t k[2] = {pre(w, w->a, term_stop(w->terms)),
                     pre(w, w->a, pre(w, w->b, term_stop(w->terms)))};
    run(w, CHECK_DETERMINISM, CHECK_F,
        term_choice(w->terms, TERM_EXT, k, 2), TERM_NONE, &r);
    assert_int_equal(r.fail, FAIL_NONDETERMINISM);
    assert_int_equal(trace_len(&r), 1);
    assert_int_equal(r.cex.culprit, w->b);
    check_result_free(&r);
}

/* SKIP ||| SKIP: 5 states, terminates, deadlock free. */
static void test_tick_in_parallel(void **state)
{
    World *w = *state;
    uint32_t empty = term_set(w->terms, NULL, 0);
    CheckResult r;
    run(w, CHECK_DEADLOCK, CHECK_F,
        op2(w, TERM_PAR, empty, term_skip(w->terms), term_skip(w->terms)),
        TERM_NONE, &r);
    assert_int_equal(r.verdict, VERDICT_PASS);
    assert_int_equal(r.stats.states, 5);
    assert_int_equal(r.stats.transitions, 5);
    check_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_deadlock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_divergence_under_hiding, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_divergence_deep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trace_refinement, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_determinism, setup, teardown),
        cmocka_unit_test_setup_teardown(test_normal_form_minimised, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tick_in_parallel, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
