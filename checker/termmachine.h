/* termmachine: the explored-term semantics as a machine (see compile.h).
 * A state is one word, a term id; successors are term_transitions. Slower
 * than a network, but correct for any term, including processes whose
 * parallel structure changes as they run. */
#ifndef LOCKSTEP_TERMMACHINE_H
#define LOCKSTEP_TERMMACHINE_H

#include "machine.h"
#include "term.h"

/* `root` with the thunks at static positions unfolded (the same shape the
 * network compiler sees), so both semantics start from the same state;
 * TERM_NONE on an evaluation error. */
uint32_t termmachine_canonical(TermTable *terms, uint32_t root);
/* NULL when out of memory. */
Machine *termmachine_new(TermTable *terms, uint32_t start);

#endif
