/* tracepath: one concrete run of a machine along a recorded trace, for
 * pictures of recorded runs (the sequence chart of a rejected trace or of
 * a recorded deadlock).
 *
 * traceverify keeps sets of states and forgets how it got there; a
 * picture needs one path, every step of it (taus and the events the trace
 * does not observe included). This searches breadth-first over pairs
 * (state, position in the trace) with a parent link each, so it costs
 * memory per pair and is meant for traces of hundreds or thousands of
 * events, not for the streaming verification of long ones.
 *
 * Ownership: the machine is borrowed; the path is the caller's
 * (check_cex_free).
 */
#ifndef LOCKSTEP_TRACEPATH_H
#define LOCKSTEP_TRACEPATH_H

#include "check.h"
#include "traceverify.h"

typedef struct TracePathRequest {
    const Machine *m;
    TraceHidden hidden;    /* events the trace does not observe; may be NULL */
    void *ud;
    const uint32_t *trace;
    size_t len;
    int deadlock;          /* 1: after the whole trace, end in a deadlock */
    size_t max_pairs;      /* bound on the pairs explored (0: 1,000,000) */
} TracePathRequest;

/* Fills out's steps, events, states and width with a shortest path that
 * performs the longest prefix of the trace the machine can (the whole
 * trace, then on to a deadlocked state when asked and one is reachable
 * without further observed events). Returns the length of that prefix,
 * or -1 when out of memory, the machine failed, max_pairs was exceeded
 * or the run's limits were reached (limit.h) (out is then empty). */
long tracepath_find(const TracePathRequest *rq, Cex *out);

#endif
