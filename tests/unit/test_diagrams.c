/* Diagrams of real models, read back with cgraph (agread): the wait-for
 * diagram of three dining philosophers (6 components, the waiting cycle in
 * red), the loop of a divergence, the failing step of a refinement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "checkrun.h"
#include "compile.h"
#include "render.h"
#include "tracepath.h"

#include <cgraph.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/lockstep-diagrams-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
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

/* Runs assertion `index` of a model file into *r (model kept open). */
static Model *run(const char *file, size_t index, RunResult *r)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", LOCKSTEP_SOURCE_DIR, file);
    Diags diags;
    diags_init(&diags);
    Model *m = model_load(path, NULL, &diags);
    assert_non_null(m);
    assert_int_equal(diags_errors(&diags), 0);
    RunOptions opt = {.semantics = COMPILE_NETWORK};
    opt.explore.memory = 64u << 20;
    checkrun_assert(m, index, &opt, r, &diags);
    diags_free(&diags);
    assert_int_equal(r->check.verdict, VERDICT_FAIL);
    return m;
}

static void test_philosophers_waitfor(void **state)
{
    (void)state;
    RunResult r;
    Model *m = run("tests/golden/models/phils3.csp", 0, &r);
    const Cex *c = &r.check.cex;
    WaitGraph w;
    assert_int_equal(render_waitgraph_of(r.machine,
                                         c->states + c->steps * c->width, &w),
                     0);
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/phils.dot", dir);
    assert_int_equal(render_waitgraph(&w, "deadlock", path, RENDER_DOT, err,
                                      sizeof err), 0);
    render_waitgraph_free(&w);
    Agraph_t *g = read_dot(path);
    /* 3 philosophers, 3 forks, each by its name, and the legend */
    assert_int_equal(agnnodes(g), 7);
    assert_non_null(agnode(g, "legend", 0));
    assert_non_null(strstr(attr(agnode(g, "c0", 0), "label"), "[0] PHIL("));
    /* the cycle of waiting drawn as a ring */
    assert_string_equal(agget(g, "layout"), "circo");
    int edges = 0, red = 0;
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n))
        for (Agedge_t *e = agfstout(g, n); e; e = agnxtout(g, e)) {
            edges++;
            red += !strcmp(attr(e, "color"), "red");
        }
    /* each philosopher waits for the fork it wants, each fork for its
     * holder to put it down: a cycle of six edges, all red */
    assert_int_equal(edges, 6);
    assert_int_equal(red, 6);
    agclose(g);
    checkrun_free(&r);
    model_free(m);
}

/* The divergence of hiding_diverges.csp's third assertion: a tau loop
 * from the final state back to itself, drawn as a red cycle. */
static void test_divergence_loop(void **state)
{
    (void)state;
    RunResult r;
    Model *m = run("tests/golden/slice/hiding_diverges.csp", 2, &r);
    assert_int_equal(r.check.fail, FAIL_DIVERGENCE);
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/div.dot", dir);
    assert_int_equal(render_cex(r.machine, &r.check, "divergence", path,
                                RENDER_DOT, err, sizeof err), 0);
    Agraph_t *g = read_dot(path);
    int loops = 0;
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n))
        for (Agedge_t *e = agfstout(g, n); e; e = agnxtout(g, e))
            loops += aghead(e) == agtail(e) && !strcmp(attr(e, "color"), "red");
    assert_int_equal(loops, 1);
    agclose(g);
    checkrun_free(&r);
    model_free(m);
}

/* A trace refinement failure: the step the specification cannot do is a
 * red edge into a red error node. */
static void test_refinement_step(void **state)
{
    (void)state;
    RunResult r;
    Model *m = run("tests/golden/slice/trace_refinement.csp", 1, &r);
    assert_int_equal(r.check.fail, FAIL_TRACE);
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/ref.dot", dir);
    assert_int_equal(render_cex(r.machine, &r.check, "refinement", path,
                                RENDER_DOT, err, sizeof err), 0);
    Agraph_t *g = read_dot(path);
    Agnode_t *bad = agnode(g, "error", 0);
    assert_non_null(bad);
    Agedge_t *e = agfstin(g, bad);
    assert_non_null(e);
    assert_string_equal(attr(e, "color"), "red");
    assert_string_equal(attr(e, "label"), "a");
    agclose(g);
    checkrun_free(&r);
    model_free(m);
}

/* ---------- paths along recorded traces (tracepath) ---------- */

static const char PATHS[] =
    "channel a, b, c, d, h\n"
    "P = a -> (b -> STOP |~| c -> STOP)\n"
    "Q = h -> a -> Q\n";

typedef struct PathModel {
    Model *m;
    Machine *mach;
} PathModel;

static PathModel path_model(const char *process)
{
    Diags diags;
    diags_init(&diags);
    PathModel pm = {model_load_text("paths.csp", PATHS, NULL, &diags), NULL};
    assert_non_null(pm.m);
    uint32_t root = model_process(pm.m, process, &diags);
    assert_int_equal(diags_errors(&diags), 0);
    CompileOptions opt = {.mode = COMPILE_NETWORK};
    char err[256];
    assert_int_equal(compile_machine(model_terms(pm.m), root, &opt, &pm.mach,
                                     err, sizeof err), COMPILE_OK);
    diags_free(&diags);
    return pm;
}

static uint32_t ev(PathModel *pm, const char *name)
{
    uint32_t id = event_lookup(model_events(pm->m), name);
    assert_int_not_equal(id, EVENT_NONE);
    return id;
}

static int hide_h(void *ud, uint32_t event)
{
    return event == *(uint32_t *)ud;
}

/* Every step of a shortest path along the trace, taus included; a prefix
 * when the rest is impossible; on to a deadlock when asked; events the
 * trace does not observe taken silently. Derived by hand from PATHS. */
static void test_trace_paths(void **state)
{
    (void)state;
    PathModel pm = path_model("P");
    uint32_t a = ev(&pm, "a"), b = ev(&pm, "b"), c = ev(&pm, "c"),
             d = ev(&pm, "d");
    Cex x;
    uint32_t ac[] = {a, c};
    TracePathRequest rq = {pm.mach, NULL, NULL, ac, 2, 0, 0};
    assert_int_equal(tracepath_find(&rq, &x), 2);
    assert_int_equal(x.steps, 3); /* a, tau (the choice), c */
    assert_int_equal(x.events[0], a);
    assert_int_equal(x.events[1], EVENT_TAU);
    assert_int_equal(x.events[2], c);
    check_cex_free(&x);
    uint32_t ad[] = {a, d}; /* d is impossible: the path stops after a */
    rq.trace = ad;
    assert_int_equal(tracepath_find(&rq, &x), 1);
    assert_int_equal(x.steps, 1);
    check_cex_free(&x);
    uint32_t ab[] = {a, b}; /* after b, STOP: the deadlock is there */
    rq.trace = ab;
    rq.deadlock = 1;
    assert_int_equal(tracepath_find(&rq, &x), 2);
    assert_int_equal(x.steps, 3);
    assert_int_equal(x.events[2], b);
    check_cex_free(&x);
    machine_free(pm.mach);
    model_free(pm.m);

    pm = path_model("Q");
    uint32_t h = ev(&pm, "h"), aa[] = {ev(&pm, "a"), ev(&pm, "a")};
    TracePathRequest rq2 = {pm.mach, hide_h, &h, aa, 2, 0, 0};
    assert_int_equal(tracepath_find(&rq2, &x), 2);
    assert_int_equal(x.steps, 4); /* h, a, h, a */
    assert_int_equal(x.events[2], h);
    check_cex_free(&x);
    rq2.hidden = NULL; /* h observed: the trace cannot start with a */
    assert_int_equal(tracepath_find(&rq2, &x), 0);
    assert_int_equal(x.steps, 0);
    check_cex_free(&x);
    rq2.hidden = hide_h;
    rq2.max_pairs = 2; /* beyond the bound: no path */
    assert_int_equal(tracepath_find(&rq2, &x), -1);
    assert_null(x.states);
    machine_free(pm.mach);
    model_free(pm.m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_philosophers_waitfor),
        cmocka_unit_test(test_divergence_loop),
        cmocka_unit_test(test_refinement_step),
        cmocka_unit_test(test_trace_paths),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
