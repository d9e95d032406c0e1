/* wrapped: the common frame of machines whose state is one word in front
 * of another machine's state: the refinement product (the normal node
 * first) and the trace machine (the position in the trace first).
 *
 * A wrapping machine embeds Wrapped as its first member; wrapped_init
 * fills in the width, the word bounds and the scratch layout (the target
 * vector, padded to 16 bytes, then the inner machine's scratch), and the
 * terminated/describe operations delegate to the inner machine.
 */
#ifndef LOCKSTEP_WRAPPED_H
#define LOCKSTEP_WRAPPED_H

#include "machine.h"

typedef struct Wrapped {
    Machine base;
    const Machine *inner;   /* borrowed */
    uint32_t *word_max;     /* owned */
} Wrapped;

/* 0, or -1 when out of memory. */
int wrapped_init(Wrapped *w, const MachineOps *ops, const Machine *inner,
                 uint32_t front_max);
void wrapped_release(Wrapped *w);

/* The target vector at the start of the scratch, and the inner machine's
 * scratch behind it. */
uint32_t *wrapped_vec(void *scratch);
void *wrapped_inner_scratch(const Machine *m, void *scratch);

int wrapped_terminated(const Machine *m, const uint32_t *state);
int wrapped_describe(const Machine *m, const uint32_t *state,
                     size_t component, char *buf, size_t len);

#endif
