/* priority: FDR's prioritise(P, <A1, ..., An>) and prioritisepo (a
 * partial order, below) as a machine around P's,
 * and with it the assertion option `:[tau priority]: A`, which is
 * prioritise(P, <{}, A>) (maximal progress in tock-CSP: time, tock in A,
 * cannot pass while something internal can happen).
 *
 * Rule: an event of A_i has level i; tau and tick have level 1 (as the
 * events of A1); an event in no A_i has no level. A transition on an
 * event of level j happens only when no transition of a smaller level is
 * possible in the same state; an event without a level is never blocked
 * and blocks nothing. Every state is the inner machine's. States are the inner machine's vectors, so counterexamples,
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
 * sorted, distinct ids; levels[i] (>= 1) the level of events[i]. */
Machine *priority_machine(Machine *inner, const uint32_t *events,
                          const uint32_t *levels, size_t count);

/* FDR's prioritisepo: a transition on b happens only when no event a
 * with (above[i], below[i]) = (a, b) for some i is possible (the pairs:
 * the transitive closure of the order, tau and tick above the events
 * that are not maximal). Same ownership as priority_machine. */
Machine *priority_order_machine(Machine *inner, const uint32_t *above,
                                const uint32_t *below, size_t count);

/* The level of `event` (0: none), by the rule above. */
uint32_t priority_level(const uint32_t *events, const uint32_t *levels,
                        size_t count, uint32_t event);

/* Whether a transition on an event of level `level` may happen where the
 * smallest level possible is `lowest` (UINT32_MAX: none). */
static inline int priority_allows(uint32_t level, uint32_t lowest)
{
    return level == 0 || level <= lowest;
}

/* The machine a priority machine wraps; any other machine itself. */
const Machine *priority_unwrap(const Machine *m);

#endif
