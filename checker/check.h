/* check: the assertions of FDR over machines, with shortest counterexamples.
 *
 * A check takes machines (never CSPM) and exploration options, and returns
 * a verdict: pass, or fail with a counterexample, or a limit or error
 * status with the statistics reached. Verdicts are results, not errors.
 *
 *   deadlock free [F]   no reachable stable state without transitions that
 *                       is not terminated (after tick);
 *   deadlock free [FD]  the same, and no reachable divergence;
 *   divergence free     no reachable state that can do taus forever;
 *   Spec [X= Impl       refinement in traces (T), stable failures (F) and
 *                       failures-divergences (FD): Spec is normalised
 *                       (normal.h), then (normal node, Impl state) pairs are
 *                       explored breadth-first (product.h);
 *   deterministic [F]   FDR's algorithm: normalise P itself and explore
 *                       (node, P state); P is nondeterministic when a stable
 *                       state refuses an event its node can do after the
 *                       same trace; [FD] also fails on a divergence;
 *   has trace           the trace is one of P's: explores P restricted to
 *                       the trace (tracemachine.h); in [FD] a divergence
 *                       on the way makes every extension a trace.
 *
 * Counterexamples are shortest for deadlocks and for trace and acceptance
 * errors of refinement (BFS); for divergences the trace leads to the
 * divergent state with the smallest BFS number.
 */
#ifndef LOCKSTEP_CHECK_H
#define LOCKSTEP_CHECK_H

#include "explore.h"
#include "machine.h"

#include <stddef.h>
#include <stdint.h>

typedef enum CheckKind {
    CHECK_DEADLOCK,
    CHECK_DIVERGENCE,
    CHECK_REFINES,
    CHECK_DETERMINISM,
    CHECK_HAS_TRACE
} CheckKind;

/* V, VD: the stable revivals model (Reed, Roscoe and Sinclair), and its
 * divergence-strict form: a stable Impl state offering exactly I after s
 * revives (s, X, a) for every X outside I and a in I; Spec must have each
 * such revival (some stable Spec state after s offers a and nothing
 * outside I), and a deadlock (I empty) only where Spec has one. */
/* R, RD: the refusal-testing model and its divergence-strict form: a
 * refusal (or none) before every event of a trace; Spec must have each
 * such observation of Impl (rtspec.h).
 * Deadlock freedom, determinism and has trace see the same in F, V and
 * R (a stable state refusing everything, an event both possible and
 * refused after a trace, the traces), and in FD, VD and RD: they are
 * checked as in F, or FD for the divergence-strict models. */
typedef enum CheckModel {
    CHECK_T, CHECK_F, CHECK_FD, CHECK_V, CHECK_VD, CHECK_R, CHECK_RD
} CheckModel;

/* 1 for FD, VD, RD: after a divergence anything is allowed, and a
 * divergence is a failure. */
int check_model_strict(CheckModel m);

typedef enum Verdict {
    VERDICT_PASS,
    VERDICT_FAIL,
    VERDICT_LIMIT,   /* a resource bound ended the check: no verdict */
    VERDICT_ERROR    /* out of memory or a machine error: no verdict */
} Verdict;

typedef enum FailKind {
    FAIL_NONE,
    FAIL_DEADLOCK,    /* a stable state that refuses everything */
    FAIL_DIVERGENCE,  /* a state that can perform taus forever */
    FAIL_TRACE,       /* Impl does an event Spec cannot */
    FAIL_ACCEPTANCE,  /* Impl refuses what Spec must accept */
    FAIL_NONDETERMINISM, /* after the trace, `culprit` may be done or refused */
    FAIL_NO_TRACE,    /* has trace: after the trace, `culprit` is impossible */
    FAIL_REVIVAL,     /* [V=: Impl refuses all it does not offer and then
                         accepts `culprit` (EVENT_NONE: deadlocks), which
                         Spec cannot */
    FAIL_REFUSAL      /* [R=: Spec has the trace and `culprit` after it, but
                         not with the refusals Impl showed on the way
                         (before_*) */
} FailKind;

typedef struct CheckRequest {
    CheckKind kind;
    CheckModel model;
    const Machine *impl;
    const Machine *spec;   /* CHECK_REFINES only */
    const uint32_t *trace; /* CHECK_HAS_TRACE: the trace asked about */
    size_t trace_len;
    ExploreOptions explore;
} CheckRequest;

typedef struct Cex {
    /* The path from the initial state, every step (taus included):
     * events[i] leads from states[i] to states[i+1]; states are the
     * implementation's state vectors, width words each. */
    size_t steps;
    uint32_t *events;
    uint32_t *states;      /* (steps + 1) * width words */
    size_t width;
    /* Refinement and determinism: the specification's normal node at each
     * state of the path (steps + 1 entries); NULL otherwise. */
    uint32_t *spec_nodes;
    /* FAIL_TRACE: the event Impl performs that Spec cannot;
     * FAIL_NONDETERMINISM: the event that may be done or refused;
     * FAIL_NO_TRACE: the next event of the trace, which P cannot do after
     * the longest prefix it can perform (the counterexample's trace). */
    uint32_t culprit;
    /* Events Impl offers at the final state (tau excluded). */
    uint32_t *offers;
    size_t offer_count;
    /* FAIL_ACCEPTANCE: Spec's minimal acceptances after the trace, each a
     * list of events (acceptance i is accept[accept_off[i] ..
     * accept_off[i+1]-1]). */
    size_t accept_count;
    uint32_t *accept_off, *accept;
    /* FAIL_DIVERGENCE: the tau lasso from the final state: loop_steps tau
     * steps through loop_steps + 1 states (width words each), starting at
     * the final state; the last state equals loop_states[loop_start], so
     * steps loop_start .. loop_steps-1 form the cycle. */
    size_t loop_steps, loop_start;
    uint32_t *loop_events, *loop_states;
    /* [R=, [RD= (FAIL_REFUSAL, FAIL_TRACE, FAIL_ACCEPTANCE): for visible
     * event i of the trace (the culprit last, when there is one), 1 in
     * before_stable[i] when Impl did it from a stable state, which then
     * offered before[before_off[i] .. before_off[i+1]-1] and refused all
     * else; NULL for the other models. */
    uint8_t *before_stable;
    uint32_t *before_off, *before;
} Cex;

typedef struct CheckResult {
    Verdict verdict;
    FailKind fail;
    ExploreStatus status;  /* why a VERDICT_LIMIT / VERDICT_ERROR */
    ExploreStats stats;    /* of the main exploration */
    uint64_t spec_nodes;   /* refinement: normal form size */
    ExploreRankStats *ranks; /* an MPI job's main exploration, per rank
                                (nranks entries; NULL for one process) */
    unsigned nranks;
    Cex cex;
    char message[256];     /* for VERDICT_ERROR: what went wrong */
} CheckResult;

/* Runs the check; always fills *result (free with check_result_free). */
void check_run(const CheckRequest *request, CheckResult *result);
void check_result_free(CheckResult *result);
void check_cex_free(Cex *cex);

/* The visible trace of a counterexample (taus dropped; a final tick kept),
 * into a mem_alloc'd array; *len entries. NULL when out of memory. */
uint32_t *check_trace(const Cex *cex, size_t *len);

const char *check_fail_text(FailKind fail);

#endif
