/* explore_dist_impl: what the files of the distributed explorer share
 * (explore_dist.c, the exploration; explore_dist_diverge.c, the tau-cycle
 * search after it). Not for other modules: they use explore_dist.h.
 *
 * Ownership: every array here is the ExploreDist's, freed by
 * explore_dist_free. A state is kept by the one rank its hash falls to
 * (explore_dist_owner), at a local index below 2^32 that never changes. */
#ifndef LOCKSTEP_EXPLORE_DIST_IMPL_H
#define LOCKSTEP_EXPLORE_DIST_IMPL_H

#include "explore_dist.h"

#include <stddef.h>
#include <stdint.h>

#define PENDING UINT64_MAX       /* gid of a state new in this level */
#define DROPPED (UINT64_MAX - 1) /* new, but beyond --max-states */

struct ExploreDist {
    const Machine *m;
    ExploreOptions opt;
    ExploreStats stats;
    ExploreRankStats mine; /* this rank's share, for --stats */
    size_t w;
    int rank, size;
    /* local states */
    uint32_t *vecs;
    uint64_t *gid, *parent, *disc, *hash;
    size_t n, cap;
    uint32_t *index; /* local index + 1, by hash; 0 empty */
    size_t index_size;
    uint64_t *byid;  /* committed local indices, in id order */
    size_t nbyid, byid_cap;
    uint64_t violation, error_state;
    int violation_code;
    void *scratch;
    /* one state's successors while it is expanded */
    uint32_t *succ_vecs, *succ_events;
    size_t succ_count, succ_cap;
    int succ_failed;
};

/* Words per destination rank: a growable buffer. */
typedef struct Out {
    uint32_t *words;
    size_t count, cap;
} Out;

int explore_dist_out_put(Out *o, const uint32_t *words, size_t n);

/* The rank that keeps vec. */
int explore_dist_owner(const ExploreDist *d, const uint32_t *vec);
/* The local index of vec on this rank, or SIZE_MAX. */
size_t explore_dist_find(const ExploreDist *d, const uint32_t *vec);
/* The local index of committed state `id`, or SIZE_MAX (not here). */
size_t explore_dist_local(const ExploreDist *d, uint64_t id);

/* A machine callback (ctx: the ExploreDist) that appends each successor
 * to succ_vecs/succ_events; succ_failed when out of memory. */
void explore_dist_collect(void *ctx, uint32_t event, const uint32_t *target);

/* Concatenates the per-destination buffers (out may be NULL: nothing to
 * send, as a rank that failed does) and exchanges them, all ranks
 * together; frees the buffers' words. *recv (mem_alloc, the caller's)
 * gets what each source rank sent, rcount/rdispl per source (dist_size()
 * entries each). -1 when out of memory here; the caller agrees on failure
 * with the others. Counts bytes and waiting time in d->mine. */
int explore_dist_exchange(ExploreDist *d, Out *out, uint32_t **recv,
                          size_t *rcount, size_t *rdispl, size_t *total);

#endif
