/* compress_impl: what the compression files share (not for other modules).
 *
 * compress.c       the entry point, the result builder, explicate,
 *                  tau_loop_factor and chase
 * compress_bisim.c partition refinement: sbisim and wbisim
 * compress_normal.c tau-closures: normal and diamond
 *
 * A compression describes its result as nodes (each standing for a state
 * `rep` of the input) and edges between nodes; compress_finish sorts the
 * edges into rows, drops duplicates and nodes the root cannot reach, and
 * numbers the rest breadth-first.
 */
#ifndef LOCKSTEP_COMPRESS_IMPL_H
#define LOCKSTEP_COMPRESS_IMPL_H

#include "compress.h"

typedef struct CEdges {
    uint32_t *src, *ev, *dst;
    size_t count, cap;
} CEdges;

int cedges_add(CEdges *e, uint32_t src, uint32_t ev, uint32_t dst);
void cedges_free(CEdges *e);

/* Builds *out from `nodes` nodes; rep[n] is the input state node n stands
 * for; omega is the terminated node (UINT32_MAX: none). Frees nothing. */
CompressStatus compress_finish(const Lts *in, uint32_t nodes,
                               const uint32_t *rep, uint32_t root,
                               uint32_t omega, const CEdges *edges,
                               size_t max_states, Lts *out);

/* Per state of `in`: 1 when it may diverge (reaches a tau cycle by taus). */
int compress_divergent(const Lts *in, uint8_t **div);

/* The tau-closure of a set of states, by depth-first search with a
 * generation stamp per state (so no clearing between closures). */
typedef struct Closure {
    uint32_t *stamp, gen;
    uint32_t *items; /* the closure, sorted after closure_of */
    size_t count, cap;
} Closure;

int closure_init(Closure *c, uint32_t states);
int closure_of(Closure *c, const Lts *in, const uint32_t *seeds, size_t n);
void closure_free(Closure *c);

/* A qsort comparator. */
int compress_u32_cmp(const void *a, const void *b);
/* Sorts a[0 .. n) ascending, in place: an inline introsort, several times
 * qsort's speed on the short rows and signatures compression sorts by the
 * million (no call through a comparator per comparison). */
void compress_sort_u64(uint64_t *a, size_t n);

/* 1 when state s of `in` has a tau transition. */
int compress_unstable(const Lts *in, uint32_t s);

/* Appends to *set the sorted visible events of stable state s. */
int compress_initials(const Lts *in, uint32_t s, uint32_t **set, size_t *n,
                      size_t *cap);

CompressStatus compress_bisim(CompressKind kind, const Lts *in,
                              size_t max_states, Lts *out);
CompressStatus compress_normal(const Lts *in, size_t max_states, Lts *out);
CompressStatus compress_diamond(const Lts *in, size_t max_states, Lts *out);

#endif
