/* store: the concurrent state store of the explorer. It keeps every state
 * once, bit-packed, numbers the states, and keeps one parent link each.
 *
 * One mapping, sized from the memory budget, holds the packed keys by id,
 * the pending states' index links, and the hash index, an open-addressing
 * table of 32-bit slots (part tag of the hash, part id) that doubles in
 * place as it fills (its last step, to what the budget holds, may be by
 * half); the parent links are the lineage of the numbering
 * (lineage.h, about 2.3 bits a state), since a level's parents never
 * decrease. Pages cost nothing until touched (mem_map), so a small model
 * uses little memory however large the budget.
 *
 * States are packed: each word of the vector in as many bits as its bound
 * (Machine.word_max) needs, words never straddling a 64-bit boundary; a
 * stored state takes store_key_bytes bytes.
 *
 * Tree compression (a store made with `tree`, for keys of two words or
 * more): the key's words are the leaves of a binary tree whose inner
 * nodes are pairs of ids, each node named once in a shared NodeSet
 * (nodeset.h); a state stores its root's pair, 8 bytes, however wide its
 * key. States of a network differ in few components, so they share most
 * nodes (LTSmin's tree compression, on 64-bit words of the packed key).
 * Ids, hashes, the order of everything and so every count and
 * counterexample are the same as with plain keys.
 *
 * Ids. The states [0, count) are committed: their ids are final. While a
 * BFS level is expanded, new states are inserted under *pending* ids
 * count + p, where the caller hands out each pending position p to exactly
 * one thread at a time. store_insert is lock-free (compare-and-swap on the
 * slot) and may run on many threads at once; everything else runs on one
 * thread, or as the *_part functions on a pool, while no insert runs. At the
 * end of the level the caller puts the pending states in their canonical
 * order with store_commit, which renumbers them count, count + 1, ...
 *
 * Usage, one level:
 *     store_reserve(s, used, want)  (STORE_GROW: store_grow_clear on
 *                                    every worker, then store_grow_part on
 *                                    every worker, then store_grow_end)
 *     store_insert(...) from any threads, ids count + p for p < want
 *     store_commit(s, order, parents, n, used)
 *
 * Limits: at most store_capacity states (from the budget, and below 2^32);
 * reserving beyond it says STORE_FULL. Nothing here calls exit or aborts.
 */
#ifndef LOCKSTEP_STORE_H
#define LOCKSTEP_STORE_H

#include "keypack.h"

#include <stddef.h>
#include <stdint.h>

typedef struct Store Store;

typedef enum StoreStatus {
    STORE_OK = 0,
    STORE_GROW,   /* the index must grow first: run store_grow_* */
    STORE_FULL,   /* the budget holds no more states */
    STORE_NOMEM
} StoreStatus;

/* No parent: the initial state. */
enum { STORE_NO_PARENT = UINT32_MAX };

/* A store for vectors of `width` words, word i at most word_max[i]
 * (UINT32_MAX or word_max NULL: 32 bits), in at most `memory` bytes.
 * NULL when out of memory. */
Store *store_new(size_t width, const uint32_t *word_max, size_t memory);
/* 0 when states of `width` words bounded by word_max pack into more than
 * STORE_MAX_BITS bits, which no store holds (store_new returns NULL). */
enum { STORE_MAX_BITS = KEYPACK_MAX_BITS };
int store_fits(size_t width, const uint32_t *word_max);
/* The same, and `tree` (0: none): tree-compressed, with leaves of at most
 * `tree` bits (64 makes the fewest nodes; tests ask for fewer, so that
 * small states get trees too), when the leaves are two or more
 * (store_is_tree says whether they are). */
Store *store_new_tree(size_t width, const uint32_t *word_max, size_t memory,
                      unsigned tree);
int store_is_tree(const Store *s);
void store_free(Store *s);

/* 64-bit words of a packed key buffer (store_pack's output). */
size_t store_key_words(const Store *s);
/* Bytes one state takes in the store (key, or tree root, only). */
size_t store_key_bytes(const Store *s);
/* States the budget holds. */
uint64_t store_capacity(const Store *s);
/* Committed states. */
uint64_t store_count(const Store *s);
/* Bytes in use: keys, parent links and the current index. */
size_t store_bytes(const Store *s);
/* After store_reserve said STORE_GROW: the bytes the larger index adds. */
size_t store_grow_bytes(const Store *s);

void store_pack(const Store *s, const uint32_t *vec, uint64_t *key);
uint64_t store_hash(const Store *s, const uint64_t *key);
/* For n vectors of `width` words at vecs: their packed keys (n times
 * store_key_words words) and hashes. `base` (or NULL): a vector that
 * each of vecs differs from in a few words (the state whose successors
 * they are): packing then only touches the words that differ. */
void store_prepare(const Store *s, const uint32_t *base, const uint32_t *vecs,
                   size_t n, uint64_t *keys, uint64_t *hashes);
/* Starts fetching the index slot of hash h for writing, so that the
 * cache misses of inserts to come overlap. */
void store_prefetch(const Store *s, uint64_t h);

/* Makes room for `want` pending states (positions 0 .. want-1), of which
 * the first `used` may already be inserted. STORE_OK, STORE_GROW (then
 * call store_grow_clear(s, i, n) for every i < n, concurrently if wanted,
 * then likewise store_grow_part, then store_grow_end), STORE_FULL or
 * STORE_NOMEM. One thread, no insert running. */
StoreStatus store_reserve(Store *s, uint64_t used, uint64_t want);
/* The first step of a grow: empties part `part` of `parts` of the index
 * at its new size (the old slots are zeroed; the new pages are faulted in
 * now, mem_populate, so that the rehash writes to present pages). Every
 * part must be done before the first store_grow_part starts. */
void store_grow_clear(Store *s, unsigned part, unsigned parts);
void store_grow_part(Store *s, unsigned part, unsigned parts);
void store_grow_end(Store *s);
/* Pending states the index takes before it must grow. */
uint64_t store_room(const Store *s);
/* Between runs of inserts (one thread): grows the tree's node set when it
 * is past half full, if `left` bytes (0: no budget) hold the growth.
 * STORE_OK, STORE_FULL (the budget does not hold it) or STORE_NOMEM. */
StoreStatus store_tidy(Store *s, size_t left);

/* Inserts `key` (hash h) under pending id `id` (count <= id < count +
 * want, owned by the caller). Returns 1 when the key was new: it now has
 * id `id`. Returns 0 when it was there already, with its id (committed or
 * pending) in *found; position `id` is then still free. Returns -1 (only
 * a tree store) when its node set is full: nothing was inserted, and
 * store_tidy must run first. Thread-safe. */
int store_insert(Store *s, const uint64_t *key, uint64_t h, uint64_t id,
                 uint64_t *found);

/* Ends a level: pending position order[r] becomes id count + r with parent
 * parents[r], for r < n (order NULL: position r itself, the cheap case).
 * Parents never decrease: roots (STORE_NO_PARENT) only in the first
 * commit, then each parent at least the one before it, across commits
 * too (a breadth-first numbering by discovery). `used`: positions handed
 * out. Pending states not in `order` must have
 * been dropped with store_drop first. Returns 0, or -1 when out of memory
 * (nothing changed). */
int store_commit(Store *s, const uint32_t *order, const uint32_t *parents,
                 uint64_t n, uint64_t used);
/* store_commit in parts, for a pool: store_commit_begin (one thread;
 * -1 when out of memory, nothing changed), store_commit_part(s, i, n) for
 * every i < n (concurrently if wanted), then store_commit_end. The arrays
 * must live until the end. */
int store_commit_begin(Store *s, const uint32_t *order,
                       const uint32_t *parents, uint64_t n, uint64_t used);
void store_commit_part(Store *s, unsigned part, unsigned parts);
void store_commit_end(Store *s);
/* Removes pending states (positions pos[0 .. n-1]) from the index. */
void store_drop(Store *s, const uint32_t *pos, uint64_t n);

/* Committed state `id`, unpacked into vec[0 .. width-1]. */
void store_state(const Store *s, uint64_t id, uint32_t *vec);
/* The committed id of vec, or UINT64_MAX. */
uint64_t store_lookup(const Store *s, const uint32_t *vec);
/* The same for packed key `key` with hash h (store_prepare's). */
uint64_t store_find(const Store *s, const uint64_t *key, uint64_t h);
/* store_lookup of n vectors of `width` words at vecs, into ids: the index
 * slots of a chunk of them are fetched at once, so their cache misses
 * overlap. */
void store_lookup_many(const Store *s, const uint32_t *vecs, size_t n,
                       uint64_t *ids);
/* The parent id of committed state `id`, STORE_NO_PARENT for a root. */
uint32_t store_parent(const Store *s, uint64_t id);

#endif
