/* diverge: which states of an explored graph can diverge, i.e. perform an
 * endless sequence of tau steps (they are on, or reach by taus, a cycle of
 * taus).
 *
 * The graph is given by state count and a callback listing the tau
 * successors of a state id; diverge_mark runs Tarjan's algorithm (iterative,
 * so deep graphs cannot overflow the C stack) over the tau edges only and
 * marks, in reverse topological order of the components, every state whose
 * component is a cycle or leads to a divergent one. Memory: 9 bytes per
 * state plus the DFS stack.
 */
#ifndef LOCKSTEP_DIVERGE_H
#define LOCKSTEP_DIVERGE_H

#include <stddef.h>
#include <stdint.h>

typedef struct IdVec {
    uint64_t *items;
    size_t count, cap;
} IdVec;

int idvec_push(IdVec *v, uint64_t id); /* 0, or -1 when out of memory */
void idvec_free(IdVec *v);

typedef struct DivGraph {
    uint64_t states;
    /* Appends the tau successors of `id` to out; 0, or -1 on failure. */
    int (*tau_succ)(void *ud, uint64_t id, IdVec *out);
    void *ud;
} DivGraph;

/* *divergent gets a byte per state (1: can diverge), owned by the caller
 * (mem_free). Returns 0, or -1 (out of memory, a callback failure, or the
 * run's limit reached: limit_reached() says which). */
int diverge_mark(const DivGraph *g, uint8_t **divergent);

/* diverge_mark, and also each state's strongly connected component under
 * tau (*comp, numbered 0 .. *count-1 in reverse topological order: a
 * component's tau successors outside it have smaller numbers). All three
 * arrays are the caller's (mem_free). 0, or -1. */
int diverge_components(const DivGraph *g, uint32_t **comp, uint32_t *count,
                       uint8_t **divergent);

/* Walks from `from` along next() until a state repeats (it is then on a
 * cycle): the states before the first repeated one into lead, the cycle
 * from it into loop (starting and ending at it). next gives the state
 * after cur, 0, or -1 to stop the walk (the walk's result then). */
typedef int (*DivNext)(void *ud, uint64_t cur, uint64_t *next);
int diverge_walk(uint64_t from, DivNext next, void *ud, IdVec *lead,
                 IdVec *loop);

/* From divergent state `from`: the tau path to the first state on a tau
 * cycle (`lead`, from `from` inclusive) and the cycle itself (`loop`,
 * starting and ending at that state), following the first divergent tau
 * successor (diverge_walk). Returns 0 or -1. */
int diverge_lasso(const DivGraph *g, const uint8_t *divergent, uint64_t from,
                  IdVec *lead, IdVec *loop);

#endif
