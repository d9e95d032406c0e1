/* specgraph: a specification machine explored completely into explicit
 * rows by state id, with the states that may diverge marked, and the
 * tau-closure of a set of its states: what normalisation (normal.c) and
 * the refusal-testing specification (rtspec.c) are built on.
 *
 * State 0 is Spec's initial state; the transitions of state s are rows
 * off[s] .. off[s+1]-1 in the order Spec's machine gives them. The
 * SpecGraph owns its arrays; specgraph_free releases them.
 */
#ifndef LOCKSTEP_SPECGRAPH_H
#define LOCKSTEP_SPECGRAPH_H

#include "diverge.h"
#include "normal.h"

typedef struct SpecGraph {
    uint64_t states;
    uint32_t *off;
    uint32_t *event, *target;
    uint8_t *div;        /* state -> 1 when Spec may diverge there */
    uint32_t *mark;      /* specgraph_close's scratch */
    uint32_t generation;
    IdVec stack;
} SpecGraph;

/* NORMAL_OK, or why Spec could not be explored (normal.h's statuses). */
NormalStatus specgraph_build(const Machine *spec,
                             const ExploreOptions *options, SpecGraph *out);
/* Replaces `members` by its tau-closure, sorted and distinct. 0, or -1
 * when memory ran out. */
int specgraph_close(SpecGraph *g, IdVec *members);
/* 1 when state s has no tau. */
int specgraph_stable(const SpecGraph *g, uint64_t s);
void specgraph_free(SpecGraph *g);

#endif
