/* Unit tests of checker/render.c: the DOT is read back with cgraph
 * (agread) and its structure asserted; SVG output must be an svg document;
 * an unwritable path gives a message, not a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"
#include "compile.h"
#include "mem.h"
#include "render.h"
#include "term.h"

#include <cgraph.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct Fixture {
    EventTable *events;
    TermTable *terms;
    Machine *m;
    CheckResult result;
    char dir[64];
} Fixture;

/* P = a -> b -> STOP and Q = b -> a -> STOP synchronised on {a, b}: each
 * waits for the other at once. The deadlock check fails at <>. */
static int setup(void **state)
{
    Fixture *f = mem_calloc(1, sizeof *f);
    f->events = event_table_new();
    f->terms = term_table_new(f->events, NULL);
    TermTable *t = f->terms;
    uint32_t a = event_intern(f->events, "a\"quoted\\"),
             b = event_intern(f->events, "b");
    uint32_t p = term_prefix(t, a, term_prefix(t, b, term_stop(t)));
    uint32_t q = term_prefix(t, b, term_prefix(t, a, term_stop(t)));
    uint32_t kids[2] = {p, q}, ab[2] = {a, b};
    uint32_t sys = term_make(t, TERM_PAR, term_set(t, ab, 2), TERM_NONE,
                             TERM_NONE, kids, 2);
    CompileOptions opt = {COMPILE_NETWORK, 0, LEAF_NONE};
    char err[128];
    assert_int_equal(compile_machine(t, sys, &opt, &f->m, err, sizeof err),
                     COMPILE_OK);
    CheckRequest req = {.kind = CHECK_DEADLOCK, .model = CHECK_F, .impl = f->m};
    req.explore.memory = 16u << 20;
    check_run(&req, &f->result);
    assert_int_equal(f->result.fail, FAIL_DEADLOCK);
    snprintf(f->dir, sizeof f->dir, "/tmp/lockstep-render-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    check_result_free(&f->result);
    machine_free(f->m);
    term_table_free(f->terms);
    event_table_free(f->events);
    mem_free(f);
    return 0;
}

static Agraph_t *read_dot(const char *path)
{
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    Agraph_t *g = agread(in, NULL);
    fclose(in);
    assert_non_null(g);
    return g;
}

static const char *attr(void *obj, const char *name)
{
    const char *v = agget(obj, (char *)name);
    return v ? v : "";
}

static void test_waitfor_cycle_in_red(void **state)
{
    Fixture *f = *state;
    const Cex *c = &f->result.cex;
    WaitGraph w;
    assert_int_equal(render_waitgraph_of(f->m, c->states + c->steps * c->width,
                                         &w), 0);
    assert_int_equal(w.nodes, 2);
    assert_int_equal(w.edges, 2);
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/wait.dot", f->dir);
    assert_int_equal(render_waitgraph(&w, "deadlock", path, RENDER_DOT, err,
                                      sizeof err), 0);
    render_waitgraph_free(&w);
    Agraph_t *g = read_dot(path);
    assert_int_equal(agnnodes(g), 3); /* two components, the legend */
    assert_int_equal(agnedges(g), 2);
    int red = 0, quoted = 0;
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n))
        for (Agedge_t *e = agfstout(g, n); e; e = agnxtout(g, e)) {
            red += !strcmp(attr(e, "color"), "red");
            /* read back as DOT escString: the backslash stays doubled */
            quoted += !strcmp(attr(e, "label"), "waits on a\"quoted\\\\");
        }
    assert_int_equal(red, 2);
    assert_int_equal(quoted, 1);
    agclose(g);
}

static void test_cex_svg_and_errors(void **state)
{
    Fixture *f = *state;
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/cex.svg", f->dir);
    assert_int_equal(render_cex(f->m, &f->result, "deadlock", path,
                                RENDER_SVG, err, sizeof err), 0);
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    char text[4096];
    size_t n = fread(text, 1, sizeof text - 1, in);
    text[n] = '\0';
    fclose(in);
    assert_non_null(strstr(text, "<svg"));
    assert_int_equal(render_cex(f->m, &f->result, "x",
                                "/nonexistent-dir/x.svg", RENDER_SVG, err,
                                sizeof err), -1);
    assert_non_null(strstr(err, "cannot write /nonexistent-dir/x.svg"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_waitfor_cycle_in_red, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cex_svg_and_errors, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
