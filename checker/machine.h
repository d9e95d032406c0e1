/* machine: the next-state interface. Every check, the explorer, the trace
 * verifier and the renderer see models only through it (as LTSmin's
 * algorithms see only pins.h).
 *
 * A machine has an initial state and a successor function over fixed-width
 * state vectors of `width` 32-bit words. Events are interned integers
 * (event.h: 0 = tau, 1 = tick). A machine is immutable once built, so
 * `successors` may be called from many threads at once, each with its own
 * scratch block of `scratch_size` bytes (zeroed once by the caller before
 * first use, then left to the machine between calls).
 *
 * Worked example: a machine for a -> b -> STOP would have width 1, initial
 * state {0}, and successors {0} --a--> {1}, {1} --b--> {2}, {2} none.
 *
 * Ownership: the machine owns everything it points to; machine_free
 * releases it. The event table belongs to the loaded model, not the machine.
 */
#ifndef LOCKSTEP_MACHINE_H
#define LOCKSTEP_MACHINE_H

#include "event.h"

#include <stddef.h>
#include <stdint.h>

typedef struct Machine Machine;

/* Called once per transition. `target` is valid only during the call. */
typedef void (*MachineEmit)(void *ctx, uint32_t event, const uint32_t *target);

/* Status of a successor call. */
enum { MACHINE_OK = 0, MACHINE_NOMEM = -1, MACHINE_LIMIT = -2, MACHINE_ERROR = -3 };

typedef struct MachineOps {
    /* Writes the initial state into state[0 .. width-1]. */
    void (*initial)(const Machine *m, uint32_t *state);
    /* Calls emit once per outgoing transition of `state`, in an order that
     * depends only on `state` (so exploration is deterministic). Returns a
     * MACHINE_* status; on error the emitted transitions are incomplete. */
    int (*successors)(const Machine *m, const uint32_t *state, void *scratch,
                      MachineEmit emit, void *ctx);
    /* 1 when `state` is the terminated state reached by tick (such a state
     * has no successors and is not a deadlock). */
    int (*terminated)(const Machine *m, const uint32_t *state);
    /* Writes into buf (NUL-terminated, at most len bytes) a description of
     * component `component` (0 .. components-1) in `state`: its current
     * process as CSPM text where possible. Returns 0, or -1 if unknown. */
    int (*describe)(const Machine *m, const uint32_t *state, size_t component,
                    char *buf, size_t len);
    /* Releases the machine's own memory. */
    void (*destroy)(Machine *m);
    /* Optional, for the divergence searches: like `successors`, but may
     * leave out every transition that is not tau (in the same order
     * otherwise), which spares a network the rules that give visible
     * events and a product its specification's moves. NULL: `successors`
     * serves. */
    int (*tau_successors)(const Machine *m, const uint32_t *state,
                          void *scratch, MachineEmit emit, void *ctx);
} MachineOps;

struct Machine {
    const MachineOps *ops;
    size_t width;             /* words per state vector */
    /* Per word, the largest value it will hold, for bit packing; a word with
     * no known bound says UINT32_MAX. Owned by the machine. */
    const uint32_t *word_max;
    size_t components;        /* components that `describe` knows */
    size_t scratch_size;      /* bytes of per-thread scratch */
    EventTable *events;       /* names of events; not owned */
};

static inline void machine_initial(const Machine *m, uint32_t *state)
{
    m->ops->initial(m, state);
}

static inline int machine_successors(const Machine *m, const uint32_t *state,
                                     void *scratch, MachineEmit emit, void *ctx)
{
    return m->ops->successors(m, state, scratch, emit, ctx);
}

/* At least the tau transitions of `state` (the caller ignores others). */
static inline int machine_tau_successors(const Machine *m,
                                         const uint32_t *state, void *scratch,
                                         MachineEmit emit, void *ctx)
{
    return m->ops->tau_successors
               ? m->ops->tau_successors(m, state, scratch, emit, ctx)
               : m->ops->successors(m, state, scratch, emit, ctx);
}

static inline int machine_terminated(const Machine *m, const uint32_t *state)
{
    return m->ops->terminated ? m->ops->terminated(m, state) : 0;
}

static inline void machine_free(Machine *m)
{
    if (m)
        m->ops->destroy(m);
}

#endif
