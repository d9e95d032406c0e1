/* tracemachine: a machine restricted to one trace. A state is the number
 * of trace events performed so far followed by the machine's own state;
 * taus are kept, the next event of the trace is the only visible one
 * allowed, and nothing moves once the whole trace is done. Exploring it
 * answers "can P perform this trace?" exactly, whatever P's
 * nondeterminism: the explorer visits every P state reachable by the
 * prefix, tau-closed, never one guessed state. Used by `:[has trace]` and
 * by recorded-trace verification. Borrows `inner`; copies the trace. */
#ifndef LOCKSTEP_TRACEMACHINE_H
#define LOCKSTEP_TRACEMACHINE_H

#include "machine.h"

Machine *tracemachine_new(const Machine *inner, const uint32_t *trace,
                          size_t len);

#endif
