/* compress: FDR's compressions of an explicit LTS (lts.h).
 *
 * Each function takes the LTS of a process and gives an LTS of a process
 * equivalent to it in every model that compression preserves, usually
 * with fewer states. The result is an ordinary LTS: where FDR's result is
 * a generalised LTS whose nodes carry minimal acceptances and a divergence
 * mark (normal, diamond), a node that is not simply stable gets a tau
 * self-loop when it may diverge and one tau transition per minimal
 * acceptance to a stable state offering exactly that acceptance. So every
 * check and every operator sees plain transitions, and is exact on the
 * compressed process (README, "Compression").
 *
 *   explicate        the LTS itself (tabulated once; preserves everything)
 *   sbisim           strong bisimulation quotient (preserves everything)
 *   wbisim, dbisim   weak bisimulation quotient that respects divergence:
 *                    tau-cycles are collapsed first and a state that may
 *                    diverge is never merged with one that cannot; it
 *                    preserves traces, failures and failures-divergences.
 *                    (FDR's wbisim may merge more in the traces and
 *                    failures models; ours is its divergence-respecting
 *                    refinement, dbisim, so the verdicts are the same.)
 *   normal           the normal form: subset construction over tau-closures,
 *                    then sbisim of the result (as FDR); preserves traces,
 *                    failures, failures-divergences
 *   diamond          diamond elimination: a node for the root and every
 *                    state a visible event leads to, offering every visible
 *                    transition of its tau-closure, except to a target
 *                    another target of the same event reaches by taus (its
 *                    behaviours are included); a minimal acceptance leads
 *                    to its stable state when that is a node, else to a
 *                    stable copy of the node offering exactly it; preserves
 *                    traces, failures, failures-divergences
 *   tau_loop_factor  each strongly connected tau component becomes one
 *                    state with a tau self-loop (preserves everything)
 *   chase            not here: forced tau (a state with taus becomes the
 *                    state its first taus lead to) is lazy, as FDR's: the
 *                    term semantics (term.c) and networks (network.c)
 *                    chase each state as it is reached, so a chased
 *                    process is never explored alone. Not
 *                    semantics-preserving in general (FDR's caveat: only
 *                    when P's taus are confluent and never disable events).
 *                    compress_lts refuses it (COMPRESS_LIMIT).
 *
 * The result's state 0 is the root; states are numbered breadth-first and
 * rows are sorted, so the result depends only on the input. out->term[s]
 * is the term of a state of `in` that s stands for (its first member),
 * which is how reports print a compressed component's state.
 */
#ifndef LOCKSTEP_COMPRESS_H
#define LOCKSTEP_COMPRESS_H

#include "lts.h"

#include <stddef.h>
#include <stdint.h>

typedef enum CompressKind {
    COMPRESS_EXPLICATE,
    COMPRESS_SBISIM,
    COMPRESS_WBISIM,
    COMPRESS_NORMAL,
    COMPRESS_DIAMOND,
    COMPRESS_TAU_LOOP,
    COMPRESS_CHASE,
    COMPRESS_KIND_COUNT
} CompressKind;

typedef enum CompressStatus {
    COMPRESS_OK = 0,
    COMPRESS_NOMEM,
    COMPRESS_LIMIT,   /* the result (or wbisim's weak transitions) would
                         exceed max_states states (transitions) */
    COMPRESS_STOPPED  /* the run's limit or a signal (limit.h) */
} CompressStatus;

/* The CSPM name of a compression ("sbisim"). */
const char *compress_name(CompressKind kind);

/* Compresses `in` into *out (which the caller frees with lts_free). */
CompressStatus compress_lts(CompressKind kind, const Lts *in,
                            size_t max_states, Lts *out);

/* The coarsest strong bisimulation of the graph of n nodes (node v's
 * edges: ev[k], dst[k] for k in off[v] .. off[v + 1] - 1) within the
 * partition block[] (ids 0 .. *blocks - 1, each used): refines block[]
 * in place, *blocks its new count. Incremental partition refinement
 * (compress_bisim.c), O(m log n) whatever the graph's shape. */
CompressStatus compress_refine(uint32_t n, const uint32_t *off,
                               const uint32_t *ev, const uint32_t *dst,
                               uint32_t *block, uint32_t *blocks);

#endif
