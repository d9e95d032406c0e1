/* lineage: the parent links of a breadth-first numbering, about 2.3 bits a
 * state instead of a 32-bit id each.
 *
 * The explorer numbers states canonically: roots first, then each level in
 * the order of its discoveries, which is by parent first (explore.c). So
 * the parent ids, read in id order, never decrease, and the children of a
 * state have consecutive ids. Such a sequence is kept as its counts: for
 * each state x in id order, one 1 bit per child of x, then a 0 bit (the
 * unary code of x's child count). The j-th child overall (id roots + j) is
 * the j-th 1 bit; its parent is the number of 0 bits before it. A rank
 * sample (the 1 bits before each block of 512 bits) finds the block by a
 * binary search; a few popcounts finish.
 *
 * Appending is for one thread; lineage_parent may run on many threads at
 * once while nothing is appended. Bits and samples live in one lazy
 * mapping (mem_map): pages cost nothing until appended to. Nothing here
 * calls exit or aborts. */
#ifndef LOCKSTEP_LINEAGE_H
#define LOCKSTEP_LINEAGE_H

#include <stddef.h>
#include <stdint.h>

typedef struct Lineage Lineage;

/* The parent of a root. */
#define LINEAGE_ROOT UINT32_MAX

/* Room for `capacity` states (below 2^32). NULL when out of memory. */
Lineage *lineage_new(uint64_t capacity);
void lineage_free(Lineage *l);

/* Appends the next state: its parent, LINEAGE_ROOT for a root. Roots come
 * before every other state, and a state's parent is at least the previous
 * state's (both hold for a breadth-first numbering by discovery; the
 * caller guarantees them). */
void lineage_append(Lineage *l, uint32_t parent);
/* The parent of state `id` (< states appended), LINEAGE_ROOT for a root. */
uint32_t lineage_parent(const Lineage *l, uint64_t id);
/* Bytes the appended states take (bits and samples). */
size_t lineage_bytes(const Lineage *l);

#endif
