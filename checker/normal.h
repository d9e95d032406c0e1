/* normal: the normal form of a specification machine, for refinement.
 *
 * Subset construction over tau-closures (as FDR's normalisation): a normal
 * node is a tau-closed set of Spec states; from each node, each visible
 * event (tick included) leads to exactly one node. Each node records
 * whether Spec can diverge there and its minimal acceptances: the initial
 * event sets of its stable states, keeping only the minimal ones under
 * inclusion. Node 0 is the closure of the initial state. Nodes that
 * carry the same marks and lead to equivalent nodes on every event are
 * then merged (normal_min.c), as FDR does, so the number of nodes does
 * not depend on how the specification is written.
 *
 * The normal form can be exponentially larger than Spec: max_nodes bounds
 * it (NORMAL_LIMIT). The Normal owns its arrays.
 */
#ifndef LOCKSTEP_NORMAL_H
#define LOCKSTEP_NORMAL_H

#include "explore.h"
#include "machine.h"

#include <stddef.h>
#include <stdint.h>

typedef struct Normal {
    uint32_t nodes;
    uint32_t *off, *event, *target; /* node -> sorted (event, node) */
    uint8_t *divergent;             /* node -> 1 when Spec may diverge */
    uint32_t *acc_node;             /* nodes + 1: node -> its acceptances */
    uint32_t *acc_off;              /* acceptance -> range in acc_event */
    uint32_t *acc_event;
    uint64_t spec_states;           /* states of Spec explored */
} Normal;

typedef enum NormalStatus {
    NORMAL_OK = 0,
    NORMAL_NOMEM,
    NORMAL_LIMIT,        /* more than max_nodes nodes, or Spec's own limit */
    NORMAL_ERROR,        /* Spec's machine failed */
    NORMAL_STOPPED       /* the run's limit or a signal (limit.h) */
} NormalStatus;

/* all: keep every distinct acceptance of a node, not only the minimal
 * ones (the revivals model needs them). */
NormalStatus normal_build(const Machine *spec, const ExploreOptions *options,
                          uint64_t max_nodes, int all, Normal *out);
/* normal_share.c: normal_build in an MPI job (dist.h), by rank 0 only,
 * the result sent to every rank; collective. normal_build for one
 * process. */
NormalStatus normal_build_shared(const Machine *spec,
                                 const ExploreOptions *options,
                                 uint64_t max_nodes, int all, Normal *out);
/* normal_min.c: merges equivalent nodes in place (normal_build does). */
NormalStatus normal_minimise(Normal *n);
/* The node after `event` from `node`, or UINT32_MAX when Spec cannot. */
uint32_t normal_after(const Normal *n, uint32_t node, uint32_t event);
void normal_free(Normal *n);

#endif
