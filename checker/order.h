/* order: puts the new states of a BFS level in canonical order, on a pool
 * (the explorer's commit, explore.c).
 *
 * While a level is expanded, each new state gets a pending position p and
 * its minimal discovery disc[p] = parent id << 32 | successor index (the
 * first discovery a sequential BFS would make). The canonical order of the
 * new states is by discovery: by parent, then by successor index.
 * order_level sorts the positions that hold a state by their discovery, in
 * `parts` pieces at once:
 *   1. each part counts its share of the positions per parent range (one
 *      range per part), and checks whether its share is in order already;
 *   2. each part counts the children of each parent of its range;
 *   3. each part places the positions of its range's children (a counting
 *      sort by parent), then sorts each parent's few children by
 *      successor index (insertion).
 * With one worker the positions are handed out in discovery order: step 1
 * finds that (`identity`) and the rest is skipped. Scratch: 8 bytes a
 * state of the level and 4 a parent.
 *
 * Ownership: the Order owns its scratch, which grows with the levels and
 * is kept between them; the arrays of an OrderResult are the Order's and
 * stay valid until the next order_level or order_free. order never takes
 * a lock: the pool's runs are its barriers. */
#ifndef LOCKSTEP_ORDER_H
#define LOCKSTEP_ORDER_H

#include "pool.h"

#include <stdatomic.h>
#include <stdint.h>

/* disc[p] of a position that holds no state. */
#define ORDER_NONE UINT64_MAX

typedef struct Order Order;

typedef struct OrderResult {
    uint64_t n;        /* positions that hold a state */
    int identity;      /* position r holds the r-th state (order unset) */
    uint32_t *order;   /* order[r]: the position of the r-th state */
    uint32_t *parents; /* parents[r]: its parent's id */
} OrderResult;

/* Scratch for up to `parts_max` parts; NULL when out of memory. */
Order *order_new(unsigned parts_max);
void order_free(Order *o);
/* Pending states the scratch of earlier levels already holds (it is kept
 * from level to level): a level of up to this many allocates nothing. */
uint64_t order_capacity(const Order *o);

/* Sorts positions p < used with disc[p] != ORDER_NONE by disc[p], on
 * `parts` workers of `pool` (at most parts_max and pool_size). Every
 * parent lies in [lo, lo + span). Returns -1 when out of memory (then
 * *out is unset). */
int order_level(Order *o, Pool *pool, unsigned parts,
                const _Atomic uint64_t *disc, uint64_t used, uint64_t lo,
                uint64_t span, OrderResult *out);

#endif
