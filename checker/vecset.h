/* vecset: a set of fixed-width state vectors in insertion order (an
 * open-addressing hash table of indices over one growing array), for the
 * searches that are not the explorer's: the trace verifier's sets of
 * states and the path search along a trace. Vector i is
 * vecs[i * width .. (i + 1) * width - 1]; the array moves as it grows, so
 * a caller copies a vector before adding to the set it came from.
 */
#ifndef LOCKSTEP_VECSET_H
#define LOCKSTEP_VECSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct VecSet {
    uint32_t *vecs;       /* count * width words, insertion order */
    size_t count, cap;
    uint32_t *slots;      /* index + 1, 0 = empty */
    size_t nslots;
} VecSet;

/* Adds vec (width words): 1 when new (its index is count - 1), 0 when
 * present, -1 when out of memory (the set unchanged). Zero-initialise a
 * VecSet before its first use. */
int vecset_add(VecSet *s, const uint32_t *vec, size_t width);
/* Empties the set, keeping its memory. */
void vecset_clear(VecSet *s);
void vecset_free(VecSet *s);

#endif
