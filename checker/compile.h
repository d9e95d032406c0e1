/* compile: turns a process term into a machine (machine.h).
 *
 * Two ways, which must agree on every count and verdict (the differential
 * test runs both):
 *   COMPILE_NETWORK  the static top of the term (parallel, alphabetised and
 *                    linked parallel, hiding, renaming) becomes an operator
 *                    network over leaves; each leaf (a maximal non-static
 *                    subterm, e.g. PHIL(2)) is explored once into an explicit
 *                    LTS. A state is the vector of leaf states plus one
 *                    termination flag per parallel node that can terminate.
 *                    Successors come from precomputed synchronisation rules,
 *                    without allocation. This is the fast path.
 *   COMPILE_TERMS    a state is one hash-consed term, successors come from
 *                    term_transitions: the explored-term semantics, correct
 *                    for everything, slower, and the fallback for processes
 *                    whose structure changes at run time.
 * The term table must outlive the machine. A leaf whose state space exceeds
 * max_leaf_states is reported as an error naming it (recursion through a
 * parallel operator makes a leaf infinite).
 */
#ifndef LOCKSTEP_COMPILE_H
#define LOCKSTEP_COMPILE_H

#include "machine.h"
#include "term.h"

typedef enum CompileMode { COMPILE_NETWORK, COMPILE_TERMS } CompileMode;

/* What each leaf's LTS is compressed by before the network uses it
 * (FDR's compiler.leaf_compression; FDR's default is sbisim, ours none so
 * that counts stay those of the process as written). Both keep every
 * verdict; a leaf state stands for the states it merged (its first). */
typedef enum LeafCompression {
    LEAF_NONE = 0, LEAF_SBISIM, LEAF_WBISIM
} LeafCompression;

typedef struct CompileOptions {
    CompileMode mode;
    size_t max_leaf_states; /* 0: 1,000,000 */
    LeafCompression leaf;   /* network mode only */
} CompileOptions;

typedef enum CompileStatus {
    COMPILE_OK = 0,
    COMPILE_NOMEM,
    COMPILE_ERROR,       /* a thunk failed to evaluate, unguarded recursion */
    COMPILE_LEAF_LIMIT,  /* a leaf is too large (message names it) */
    COMPILE_EVAL_ERROR   /* the front end holds the error; err says where:
                            " in P(0), after its events <a.0>" */
} CompileStatus;

/* Builds the machine of `root` into *out. On failure, writes a message to
 * err (which may be empty when the front end holds the reason, or say
 * where, with COMPILE_EVAL_ERROR). */
CompileStatus compile_machine(TermTable *terms, uint32_t root,
                              const CompileOptions *options, Machine **out,
                              char *err, size_t err_len);

/* The term of component `component` in `state` of a machine built by
 * compile_machine (for reports and diagrams); TERM_NONE if unknown. */
uint32_t compile_component_term(const Machine *m, const uint32_t *state,
                                size_t component);

#endif
