/* checkrun: runs one assertion of a loaded model: compiles its processes
 * into machines (checker/compile.h) and hands them to the check
 * (checker/check.h). Shared by `lockstep check` and the golden-test driver,
 * so both run exactly the same path. */
#ifndef LOCKSTEP_CHECKRUN_H
#define LOCKSTEP_CHECKRUN_H

#include "check.h"
#include "compile.h"
#include "model.h"

typedef struct RunOptions {
    ExploreOptions explore;
    CompileMode semantics;   /* network (default) or explored terms */
    LeafCompression leaf;    /* --leaf-compression (default none) */
} RunOptions;

typedef struct RunResult {
    CheckResult check;
    const Machine *machine;  /* the implementation (for describing states) */
    Machine *owned[2];       /* impl, spec: freed by checkrun_free */
    /* Set when the assertion could not run (evaluation error, unsupported
     * assertion): verdict is VERDICT_ERROR and this says why. */
    int not_run;
    double seconds;          /* wall time of the whole assertion */
} RunResult;

/* Runs assertion `index`. Diagnostics (evaluation errors met while
 * compiling) are added to `diags`. Free with checkrun_free. */
void checkrun_assert(Model *model, size_t index, const RunOptions *options,
                     RunResult *out, Diags *diags);
void checkrun_free(RunResult *r);

/* 1 when the assertion holds, taking `assert not` into account; only
 * meaningful for VERDICT_PASS / VERDICT_FAIL. */
int checkrun_holds(const ModelAssert *a, const RunResult *r);

#endif
