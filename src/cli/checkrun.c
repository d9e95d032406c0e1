/* checkrun: one assertion, from terms to verdict. See checkrun.h. */
#include "checkrun.h"

#include "limit.h"
#include "mem.h"
#include "priority.h"
#include "report.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static CheckModel check_model(SemModel m)
{
    static const CheckModel models[] = {
        [SEM_T] = CHECK_T, [SEM_F] = CHECK_F, [SEM_FD] = CHECK_FD,
        [SEM_V] = CHECK_V, [SEM_VD] = CHECK_VD, [SEM_R] = CHECK_R,
        [SEM_RD] = CHECK_RD,
    };
    return models[m];
}

static void run_error(RunResult *out, const char *fmt, const char *what)
{
    out->not_run = 1;
    out->check.verdict = VERDICT_ERROR;
    snprintf(out->check.message, sizeof out->check.message, fmt, what);
}

/* "the process could not be evaluated" (`where`: e.g. " after <a, b>"),
 * and why: the first error the evaluation reported (file:line:col:
 * message). 0, or -1 when there is none. */
static int evaluation_error(RunResult *out, const Diags *diags,
                            const char *where)
{
    for (size_t i = 0; i < diags->count; i++) {
        const Diag *d = &diags->items[i];
        if (d->kind != DIAG_ERROR && d->kind != DIAG_TYPE_ERROR)
            continue;
        out->check.verdict = VERDICT_ERROR;
        snprintf(out->check.message, sizeof out->check.message,
                 "the process could not be evaluated%.100s: %s:%d:%d: %s",
                 where, d->pos.file ? d->pos.file : "<input>", d->pos.line,
                 d->pos.col, d->message);
        return 0;
    }
    return -1;
}

/* A check the evaluator or the term semantics (unguarded recursion, a
 * chase that diverges) stopped while exploring: its error, and the trace
 * that reached the state it could not expand. */
static void expansion_error(RunResult *out, Model *model,
                            const ModelAssert *a, Diags *diags)
{
    char where[400] = "";
    size_t len = 0;
    uint32_t *trace = out->check.cex.events ? check_trace(&out->check.cex,
                                                          &len)
                                            : NULL;
    if (trace) {
        char text[380];
        report_trace(model_events(model), trace, len, text, sizeof text);
        snprintf(where, sizeof where, " after %s", text);
    }
    mem_free(trace);
    const char *why = term_last_error(model_terms(model));
    if (evaluation_error(out, diags, where) != 0 && why) {
        /* located at the assertion, as a compile error is */
        diags_error(diags, a->pos, "%s%s", why, where);
        snprintf(out->check.message, sizeof out->check.message, "%.180s%.70s",
                 why, where);
    }
}

/* Compiles `term`; on failure records why in out and diags. */
static Machine *run_compile(Model *model, uint32_t term,
                            const RunOptions *options, const ModelAssert *a,
                            RunResult *out, Diags *diags)
{
    /* a leaf explored as terms is bounded like the whole state space */
    CompileOptions copt = {options->semantics,
                           (size_t)options->explore.max_states,
                           options->leaf};
    Machine *m = NULL;
    char err[512];
    /* a process to compress is bounded as a leaf is: by --max-states */
    term_set_compress_limit(model_terms(model), copt.max_leaf_states);
    CompileStatus st = compile_machine(model_terms(model), term, &copt, &m,
                                       err, sizeof err);
    model_take_errors(model, diags);
    if (st == COMPILE_OK && a->has_tau_priority) {
        /* FDR's :[tau priority]: A, on every process of the assertion */
        uint32_t *two = mem_alloc((a->tau_count + 1) * sizeof *two);
        for (size_t i = 0; two && i < a->tau_count; i++)
            two[i] = 2; /* prioritise(P, <{}, A>) */
        Machine *p = two ? priority_machine(m, a->tau_events, two,
                                            a->tau_count)
                         : NULL;
        mem_free(two);
        if (!p) {
            machine_free(m);
            run_error(out, "%s", "out of memory while compiling");
            out->check.verdict = VERDICT_LIMIT;
        }
        return p;
    }
    if (st == COMPILE_OK)
        return m;
    if (st == COMPILE_NOMEM)
        run_error(out, "%s", "out of memory while compiling");
    else if (limit_reached())
        run_error(out, "%s", limit_text(limit_reached()));
    else if (st == COMPILE_EVAL_ERROR && evaluation_error(out, diags, err) == 0)
        out->not_run = 1;
    else if (err[0] && st != COMPILE_EVAL_ERROR) {
        diags_error(diags, a->pos, "%s", err);
        run_error(out, "%.200s", err);
    } else if (evaluation_error(out, diags, "") == 0) {
        out->not_run = 1;
    } else {
        run_error(out, "%s", "the process could not be evaluated");
    }
    if (st == COMPILE_LEAF_LIMIT || st == COMPILE_NOMEM ||
        model_limit_hit(model) || limit_reached())
        out->check.verdict = VERDICT_LIMIT;
    return NULL;
}

void checkrun_assert(Model *model, size_t index, const RunOptions *options,
                     RunResult *out, Diags *diags)
{
    memset(out, 0, sizeof *out);
    const ModelAssert *a = model_assert(model, index);
    double start = now_seconds();
    LimitKind limit = limit_reached();
    if (limit != LIMIT_NONE) { /* the run's limit ended an earlier check */
        run_error(out, "not run: %s", limit_text(limit));
        out->check.verdict = VERDICT_LIMIT;
        return;
    }
    if (a->unsupported) {
        diags_error(diags, a->pos, "not supported yet: %s", a->unsupported);
        run_error(out, "not supported yet: %s", a->unsupported);
        return;
    }
    if (a->broken) {
        run_error(out, "%s", "the assertion could not be evaluated");
        if (model_limit_hit(model))
            out->check.verdict = VERDICT_LIMIT;
        return;
    }
    /* Tau priority changes the semantics: ignoring it could change the
     * verdict, so the assertion is not run. Partial-order reduction only
     * changes how the state space is searched: ignoring it is safe. */
    if (a->partial_order)
        diags_add(diags, DIAG_NOTE, a->pos, ":[partial order reduce] is "
                  "ignored: the full state space is explored (same verdict)");
    term_clear_error(model_terms(model)); /* an earlier check's error */
    CheckRequest req = {.model = check_model(a->model),
                        .explore = options->explore};
    req.explore.distributed = 1; /* the check's own exploration: shared
                                    out when run by an MPI job */
    switch (a->kind) {
    case ASSERT_DEADLOCK_FREE: req.kind = CHECK_DEADLOCK; break;
    case ASSERT_DIVERGENCE_FREE: req.kind = CHECK_DIVERGENCE; break;
    case ASSERT_REFINES: req.kind = CHECK_REFINES; break;
    case ASSERT_DETERMINISTIC: req.kind = CHECK_DETERMINISM; break;
    case ASSERT_HAS_TRACE:
        req.kind = CHECK_HAS_TRACE;
        req.trace = a->trace;
        req.trace_len = a->trace_len;
        break;
    }
    out->owned[0] = run_compile(model, a->impl, options, a, out, diags);
    if (!out->owned[0])
        return;
    if (a->kind == ASSERT_REFINES) {
        out->owned[1] = run_compile(model, a->spec, options, a, out, diags);
        if (!out->owned[1])
            return;
    }
    out->machine = out->owned[0];
    req.impl = out->owned[0];
    req.spec = out->owned[1];
    check_run(&req, &out->check);
    model_take_errors(model, diags);
    if (out->check.verdict == VERDICT_ERROR &&
        out->check.status == EXPLORE_MACHINE_ERROR)
        expansion_error(out, model, a, diags);
    out->seconds = now_seconds() - start;
}

void checkrun_free(RunResult *r)
{
    check_result_free(&r->check);
    machine_free(r->owned[0]);
    machine_free(r->owned[1]);
    memset(r, 0, sizeof *r);
}

int checkrun_holds(const ModelAssert *a, const RunResult *r)
{
    int pass = r->check.verdict == VERDICT_PASS;
    return a->negated ? !pass : pass;
}
