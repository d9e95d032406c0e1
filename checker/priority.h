/* priority: a machine in which tau and tick have priority over a set of
 * events, FDR's assertion option `:[tau priority]: A` (maximal progress in
 * tock-CSP: time, tock in A, cannot pass while something internal can
 * happen).
 *
 * Rule: in a state that can do tau or tick, the transitions on events of
 * A are removed; every other transition, and every state, is the inner
 * machine's. States are the inner machine's vectors, so counterexamples,
 * descriptions and pictures are unchanged. Successors are computed twice
 * (once to see whether tau or tick is enabled, once to filter), which
 * needs no memory per state.
 *
 * Ownership: the new machine owns `inner` (machine_free frees both);
 * `events` is copied.
 */
#ifndef LOCKSTEP_PRIORITY_H
#define LOCKSTEP_PRIORITY_H

#include "machine.h"

/* NULL when out of memory (inner is then still the caller's). events:
 * sorted, distinct ids. */
Machine *priority_machine(Machine *inner, const uint32_t *events,
                          size_t count);

/* The machine a priority machine wraps; any other machine itself. */
const Machine *priority_unwrap(const Machine *m);

#endif
