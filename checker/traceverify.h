/* traceverify: is a recorded trace a trace of a machine? Streaming.
 *
 * The verifier keeps the set of machine states the model can be in after
 * the events read so far, closed under tau and under the events the trace
 * does not observe (which count as hidden): never one guessed state, so
 * nondeterministic models are handled exactly. Each event replaces the set
 * by its successors on that event, closed again. Memory depends on the size
 * of that set, never on the length of the trace.
 *
 * Ownership: the verifier borrows the machine; vectors it hands out live
 * until the next call.
 */
#ifndef LOCKSTEP_TRACEVERIFY_H
#define LOCKSTEP_TRACEVERIFY_H

#include "machine.h"

#include <stddef.h>
#include <stdint.h>

typedef struct TraceVerifier TraceVerifier;

/* 1 when `event` is not observed by the trace (it is then treated as a
 * hidden, silent step). Called once per event id. */
typedef int (*TraceHidden)(void *ud, uint32_t event);

/* max_states bounds the set (0: 1,000,000); NULL when out of memory. */
TraceVerifier *traceverify_new(const Machine *m, TraceHidden hidden, void *ud,
                               size_t max_states);
void traceverify_free(TraceVerifier *tv);

typedef enum TraceStatus {
    TRACE_OK = 0,      /* the event was possible */
    TRACE_REJECTED,    /* no state of the set can do it: the set is kept */
    TRACE_LIMIT,       /* the set grew beyond max_states */
    TRACE_FAILED       /* out of memory or the machine failed */
} TraceStatus;

/* Starts from the initial state (closed). */
TraceStatus traceverify_start(TraceVerifier *tv);
TraceStatus traceverify_step(TraceVerifier *tv, uint32_t event);

/* The current set. */
size_t traceverify_count(const TraceVerifier *tv);
const uint32_t *traceverify_state(const TraceVerifier *tv, size_t i);

/* The observed events some state of the set can do now, sorted; the array
 * is the caller's (mem_free). 0 or -1. */
int traceverify_offers(TraceVerifier *tv, uint32_t **events, size_t *count);

/* After a recorded deadlock: the index of a state of the set that is
 * stable and can do nothing at all (and has not terminated), or -1 when
 * the model cannot deadlock here. */
long traceverify_deadlock(TraceVerifier *tv);

#endif
