/* nodeset: a concurrent set of 64-bit values that names each value by a
 * dense 32-bit id, for the tree-compressed state store (store.c, --store
 * tree): a value is a word of a state's packed key (a leaf) or a pair of
 * ids (an inner node), so that states sharing parts share their nodes.
 *
 * Values by id in one growing array; an open-addressing index of 64-bit
 * slots (hash tag << 32 | id + 1). nodeset_put may run on many threads at
 * once, as may nodeset_find and nodeset_value; nodeset_grow runs alone.
 * An id, once given, names its value for good (ids are never reused, and
 * a value gets one id however many threads put it at once).
 *
 * The set refuses new values past 3/4 of its index (nodeset_put says
 * NODESET_FULL; nothing changed); nodeset_grow then doubles it. Nothing
 * here calls exit or aborts. */
#ifndef LOCKSTEP_NODESET_H
#define LOCKSTEP_NODESET_H

#include <stddef.h>
#include <stdint.h>

typedef struct NodeSet NodeSet;

enum { NODESET_FULL = UINT32_MAX, NODESET_NONE = UINT32_MAX - 1 };

/* An empty set; NULL when out of memory. */
NodeSet *nodeset_new(void);
void nodeset_free(NodeSet *n);

/* The id of v, which is added when absent; NODESET_FULL when v is absent
 * and the set holds all it may before it grows. Thread-safe. */
uint32_t nodeset_put(NodeSet *n, uint64_t v);
/* The id of v, or NODESET_NONE. Thread-safe. */
uint32_t nodeset_find(const NodeSet *n, uint64_t v);
/* The value named `id`. Thread-safe. */
uint64_t nodeset_value(const NodeSet *n, uint32_t id);

/* 1 when the set is past half of its index: grow it at the next pause. */
int nodeset_wants_grow(const NodeSet *n);
/* Bytes a doubling adds at its peak (the larger index and values). */
size_t nodeset_grow_bytes(const NodeSet *n);
/* Doubles the index (and the values' room). 0, or -1 when out of memory
 * (nothing changed). No other call may run. */
int nodeset_grow(NodeSet *n);
/* Values held, and the bytes the set takes. */
uint64_t nodeset_count(const NodeSet *n);
size_t nodeset_bytes(const NodeSet *n);

#endif
