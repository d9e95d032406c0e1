/* lts: the explicit labelled transition system of a term, explored once.
 *
 * Used for the leaves of an operator network (compile.c) and for
 * `lockstep lts`. State 0 is the root. Transitions of each state are sorted
 * by event (stable, so the order is deterministic), in compressed rows:
 * state s has transitions offset[s] .. offset[s+1]-1. The Lts owns its
 * arrays; lts_free releases them.
 */
#ifndef LOCKSTEP_LTS_H
#define LOCKSTEP_LTS_H

#include "term.h"

#include <stddef.h>
#include <stdint.h>

typedef struct Lts {
    uint32_t states, transitions;
    uint32_t *term;    /* state -> its term */
    uint32_t *offset;  /* states + 1 entries */
    uint32_t *event;   /* per transition */
    uint32_t *target;  /* per transition */
    uint32_t omega;    /* the state of OMEGA, or UINT32_MAX if unreachable */
    /* After LTS_ERROR (the rest freed): the events of a shortest path from
     * the root to the state that could not be expanded, owned here. */
    uint32_t *fail_trace;
    size_t fail_len;
} Lts;

typedef enum LtsStatus {
    LTS_OK = 0, LTS_NOMEM, LTS_ERROR, LTS_LIMIT,
    LTS_STOPPED /* the run's time or memory limit, or a signal (limit.h) */
} LtsStatus;

/* Explores `root` breadth-first. Stops with LTS_LIMIT beyond max_states
 * and LTS_ERROR when a term cannot be expanded (term_last_error or the
 * front end says why). */
LtsStatus lts_explore(TermTable *terms, uint32_t root, size_t max_states,
                      Lts *out);
void lts_free(Lts *lts);

/* lts_scc.c. Per state, 1 when it may diverge (taus for ever from it);
 * NULL when out of memory. The caller frees. */
unsigned char *lts_divergent(const Lts *lts);
/* Per state, its strongly connected component (0 .. *count - 1, each
 * component after those it leads to); NULL when out of memory. The
 * caller frees. */
uint32_t *lts_components(const Lts *lts, uint32_t *count);

#endif
