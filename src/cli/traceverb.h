/* traceverb: `lockstep trace MODEL PROCESS TRACE...`: checks that each
 * recorded trace is a trace of PROCESS (checker/traceverify.h), explains
 * the first deviation, and checks recorded deadlocks against the model. */
#ifndef LOCKSTEP_TRACEVERB_H
#define LOCKSTEP_TRACEVERB_H

#include "model.h"
#include "render.h"

#include <stdio.h>

typedef struct TraceOptions {
    const char **observe;   /* --observe: the observed channels */
    size_t nobserve;
    const char **hide;      /* --hide: channels hidden in any case */
    size_t nhide;
    int json;
    size_t max_states;      /* bound on the set of model states */
    unsigned threads;       /* files verified at once (0: 1) */
    const char *graph_dir;  /* draw recorded deadlocks here (or NULL) */
    RenderFormat graph_format;
} TraceOptions;

/* Verifies every file; returns the exit code (0 all accepted, 1 some
 * rejected, 2 bad input, 3 a limit). Reports go to out, diagnostics to
 * diags. */
int traceverb_run(Model *m, const char *process, const char **files,
                  size_t nfiles, const TraceOptions *options, FILE *out,
                  Diags *diags);

#endif
