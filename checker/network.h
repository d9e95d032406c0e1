/* network: the compiled machine of an operator network (see compile.h).
 *
 * compile.c builds the pieces: components (leaf LTSs and termination
 * flags, each with labels renumbered locally) and synchronisation rules. A
 * rule says "these components, each doing this local label, together give
 * this event"; hiding, renaming, every parallel operator and distributed
 * termination are all expressed as rules, as in FDR's supercombinators.
 * network.c turns them into a Machine whose successor function walks the
 * enabled transitions of each component and fires the rules that start
 * there, allocating nothing. chase(P) over a network P is part of the
 * network: P's taus are forced rules, taken before anything else, so the
 * states of P are only those the system around it reaches (FDR's chase is
 * lazy the same way; a spy's knowledge explored alone explodes).
 */
#ifndef LOCKSTEP_NETWORK_H
#define LOCKSTEP_NETWORK_H

#include "lts.h"
#include "machine.h"
#include "term.h"

/* Pseudo labels of termination, never events of a trace. */
enum { LABEL_TERM = UINT32_MAX - 1, LABEL_FIRE = UINT32_MAX - 2 };

typedef struct NetPart {
    uint32_t comp;
    uint32_t label; /* a global event id or a LABEL_* pseudo label */
} NetPart;

typedef struct NetRule {
    uint32_t event; /* the event of the composite transition */
    uint32_t count; /* participants */
    NetPart *parts; /* count entries; parts[0] is the lowest component */
    int forced;     /* a tau of a chased subnetwork (chase(P), P a
                       network): never offered; every state reached is
                       first chased along the first forced tau enabled,
                       in rule order, until none is */
} NetRule;

typedef struct NetComp {
    Lts lts;        /* owned; a flag has a two-state LTS with no terms */
    int is_leaf;
    uint32_t root;  /* leaf: the term it was explored from */
} NetComp;

/* Takes ownership of comps and rules (their arrays and LTSs). `terminate`
 * lists the conditions under which the whole network has terminated (none:
 * it never terminates). Returns NULL when out of memory. */
Machine *network_new(TermTable *terms, NetComp *comps, size_t comp_count,
                     NetRule *rules, size_t rule_count, NetPart *terminate,
                     size_t terminate_count);

/* Who waits for whom in `state`: for every rule that some of its leaves
 * offer and others do not, calls fn(from, to, event) once for each leaf
 * `from` offering its part (its own label `event`) and each leaf `to` that
 * does not. Leaves are numbered as for network_leaf_term. Each distinct
 * (from, to, event) is reported once. Returns 0 or -1 (out of memory). */
typedef void (*NetWaitFn)(void *ctx, size_t from, size_t to, uint32_t event);
int network_waits(const Machine *m, const uint32_t *state, NetWaitFn fn,
                  void *ctx);

/* The leaves that take part in a step on `event` from `from`: the first
 * rule for `event` that can fire there and, when `to` is given, leads to
 * `to` (each participant to its word in `to`, every other component
 * staying put). Calls fn(ctx, leaf, label) for each participating leaf in
 * order, `label` being the leaf's own event, before hiding or renaming
 * (EVENT_TICK for termination). Returns the number of leaves reported, 0
 * when no rule fits. For pictures: it walks every rule. */
typedef void (*NetPartFn)(void *ctx, size_t leaf, uint32_t label);
size_t network_step_parts(const Machine *m, const uint32_t *from,
                          uint32_t event, const uint32_t *to, NetPartFn fn,
                          void *ctx);

/* Leaf `leaf`'s state (in network_leaf_lts) within `state`. */
uint32_t network_leaf_state(const Machine *m, const uint32_t *state,
                            size_t leaf);

/* 1 when leaf `leaf` can do nothing at all in `state` (it refuses
 * everything, e.g. STOP or terminated). */
int network_leaf_idle(const Machine *m, const uint32_t *state, size_t leaf);

/* The term of leaf `component` (counting leaves only) in `state`. */
uint32_t network_leaf_term(const Machine *m, const uint32_t *state,
                           size_t component);
int network_is(const Machine *m);
/* 1 when the initial state's forced taus (a chased network's) go round a
 * cycle: compile_machine reports it. */
int network_chase_cycle(const Machine *m);
/* The LTS of leaf `component` (counting leaves only). */
const Lts *network_leaf_lts(const Machine *m, size_t component);

#endif
