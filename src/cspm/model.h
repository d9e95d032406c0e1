/* model: a loaded CSPM file, evaluated to what the checks need.
 *
 * model_load parses the file (with its includes), evaluates the top-level
 * declarations lazily, and turns every `assert` into a ModelAssert whose
 * processes are term ids in the model's TermTable (checker/term.h). Process
 * calls become THUNK terms; the model's TermHooks evaluate them on demand, so
 * errors can also surface during a check: model_diags collects them with
 * their source positions.
 *
 * Ownership: the Model owns its arena (AST, values), event table and term
 * table; everything handed out lives until model_free.
 */
#ifndef LOCKSTEP_MODEL_H
#define LOCKSTEP_MODEL_H

#include "diag.h"
#include "event.h"
#include "term.h"

#include <stddef.h>
#include <stdint.h>

typedef enum AssertKind {
    ASSERT_DEADLOCK_FREE,   /* P :[deadlock free [F]] / [FD] */
    ASSERT_DIVERGENCE_FREE, /* P :[divergence free], :[livelock free] */
    ASSERT_DETERMINISTIC,   /* P :[deterministic [F]] / [FD] */
    ASSERT_HAS_TRACE,       /* P :[has trace [T]]: <...> */
    ASSERT_REFINES          /* Spec [T= Impl, [F=, [FD= */
} AssertKind;

typedef enum SemModel {
    SEM_T, SEM_F, SEM_FD, SEM_V, SEM_VD, SEM_R, SEM_RD
} SemModel;

typedef struct ModelAssert {
    SrcPos pos;          /* of the `assert` keyword */
    char *text;          /* the assertion as written, whitespace collapsed */
    AssertKind kind;
    SemModel model;      /* [T] [F] [FD]; the default for each kind as FDR */
    int negated;         /* assert not ... */
    uint32_t impl;       /* the process checked (right of [X= ) */
    uint32_t spec;       /* ASSERT_REFINES: the specification; else TERM_NONE */
    uint32_t *trace;     /* ASSERT_HAS_TRACE: the events */
    size_t trace_len;
    /* :[tau priority]: A (tau and tick have priority over the events of A,
     * sorted ids tau_events[0 .. tau_count)), and :[partial order reduce]
     * (ignored: the full state space is explored, the same verdict). */
    int has_tau_priority, partial_order;
    uint32_t *tau_events;
    size_t tau_count;
    /* When the assertion could not be evaluated (an error in the file): 1,
     * and the reason is in the diagnostics. */
    int broken;
    /* What of the assertion lockstep cannot check yet (":[symmetric]"),
     * or NULL; the others of the file still run. */
    const char *unsupported;
} ModelAssert;

typedef struct Model Model;

typedef struct ModelOptions {
    /* Evaluation limits: recursion depth and steps (0: defaults). */
    size_t max_depth;
    uint64_t max_steps;
    /* 1: do not type-check before evaluating (typecheck.h). */
    int skip_typecheck;
} ModelOptions;

/* Loads `path`. Returns NULL only when out of memory; otherwise check
 * diags_errors(diags) before using the model (parse and evaluation errors
 * are there, with positions). */
Model *model_load(const char *path, const ModelOptions *options,
                  Diags *diags);
/* The same from text in memory (`name` is used in positions). */
Model *model_load_text(const char *name, const char *text,
                       const ModelOptions *options, Diags *diags);
void model_free(Model *m);

EventTable *model_events(Model *m);
TermTable *model_terms(Model *m);
size_t model_assert_count(const Model *m);
const ModelAssert *model_assert(const Model *m, size_t i);

/* Evaluates a process expression (e.g. "SYSTEM" or "P(3)") in the scope of
 * the file to a term; TERM_NONE with diagnostics on error. */
uint32_t model_process(Model *m, const char *expr, Diags *diags);

/* Evaluates any expression and writes its value in CSPM syntax (as FDR
 * prints it: sets sorted) to out. Returns 0, or -1 with diagnostics. */
int model_eval_print(Model *m, const char *expr, FILE *out, Diags *diags);
/* Evaluates every `print e` statement of the file, one line each. */
int model_print_statements(Model *m, FILE *out, Diags *diags);

/* The event written as `text` (a line of a trace file, e.g. "c.1.true"):
 * its id, or EVENT_NONE with a diagnostic at `at` when it is not an event
 * of the model (an unknown channel, a value outside the channel's type). */
uint32_t model_event(Model *m, const char *text, SrcPos at, Diags *diags);
/* 1 when the model declares a channel called `name`. */
int model_has_channel(Model *m, const char *name);

/* 1 when evaluation stopped at its depth or step limit (not a mistake in
 * the model, a resource bound: exit code 3). */
int model_limit_hit(const Model *m);

/* Errors raised while a check resolved thunks (moved into `diags`). */
void model_take_errors(Model *m, Diags *diags);

#endif
