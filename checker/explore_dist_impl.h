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
#include "keypack.h"
#include "succlist.h"

#include <stddef.h>
#include <stdint.h>

#define PENDING UINT32_MAX       /* gid of a state new in this level */
#define DROPPED (UINT32_MAX - 1) /* new, but beyond --max-states */
#define ID_END DROPPED           /* ids are below it */

/* Words per destination rank: a growable buffer. */
typedef struct Out {
    uint32_t *words;
    size_t count, cap;
} Out;

/* One thread's tools and its share of a level (worker 0: the caller's
 * thread, also for what is done one state at a time). */
typedef struct DistWorker {
    void *scratch;
    SuccList succ;            /* one state's successors (succlist_fill) */
    /* a level's expansion */
    Out *out;                 /* a buffer per destination rank */
    uint64_t transitions, viol, error_state;
    int code, failed;
} DistWorker;

struct ExploreDist {
    const Machine *m;
    ExploreOptions opt;
    ExploreStats stats;
    ExploreRankStats mine; /* this rank's share, for --stats */
    size_t w;           /* words of a state vector */
    KeyPack kp;         /* states are kept and sent packed: */
    size_t kw;          /* 32-bit words of a packed key */
    int rank, size;
    /* local states */
    uint32_t *keys;     /* kw words each */
    uint32_t *gid;   /* its id, or PENDING, DROPPED */
    uint64_t *disc;  /* its first discovery, parent id << 32 | successor
                        index: once committed, the parent link */
    size_t n, cap;
    uint64_t *index; /* hash tag << 32 | local index + 1; 0 empty */
    size_t index_size;
    uint32_t *byid;  /* committed local indices, in id order */
    size_t nbyid, byid_cap;
    uint64_t violation, error_state;
    int violation_code;
    uint64_t expanded, transitions; /* by this rank so far */
    struct Pool *pool;  /* NULL: one thread */
    DistWorker *work;   /* threads of them */
    Out *outs;          /* threads * size: worker t's are outs + t * size */
    unsigned threads;
};

int explore_dist_out_put(Out *o, const uint32_t *words, size_t n);

/* A vector's packed key (kw words), and back. */
void explore_dist_pack(const ExploreDist *d, const uint32_t *vec,
                       uint32_t *key);
void explore_dist_unpack(const ExploreDist *d, const uint32_t *key,
                         uint32_t *vec);
/* The rank that keeps the state with this key. */
int explore_dist_owner(const ExploreDist *d, const uint32_t *key);
/* The local index of the state with this key, or SIZE_MAX. */
size_t explore_dist_find(const ExploreDist *d, const uint32_t *key);
/* The local index of committed state `id`, or SIZE_MAX (not here). */
size_t explore_dist_local(const ExploreDist *d, uint64_t id);


/* An exchange under way (dist_alltoall_start): the words sent, kept
 * until it ends, and what comes back (recv valid after the end). */
typedef struct Flight {
    struct DistAlltoall *req;
    uint32_t *send, *recv;
    size_t *rcount, *rdispl; /* per source rank: rdispl = rcount + size */
    size_t total;
} Flight;

/* Starts exchanging the per-destination buffers as explore_dist_exchange
 * does (and frees their words); -1 when out of memory here. The caller
 * ends it (explore_dist_flight_end, while or after it does other work),
 * then frees it (explore_dist_flight_free: also recv). */
int explore_dist_flight_start(ExploreDist *d, Flight *f, Out *out,
                              unsigned parts);
void explore_dist_flight_end(ExploreDist *d, Flight *f);
void explore_dist_flight_free(Flight *f);

/* Concatenates the per-destination buffers, `parts` sets of them one
 * after another (out[p * size + r]: part p's words for rank r), and
 * exchanges them, all ranks together; frees the buffers' words (out may
 * be NULL: nothing to send, as a rank that failed does). *recv (mem_alloc, the caller's)
 * gets what each source rank sent, rcount/rdispl per source (dist_size()
 * entries each). -1 when out of memory here; the caller agrees on failure
 * with the others. Counts bytes and waiting time in d->mine. */
int explore_dist_exchange(ExploreDist *d, Out *out, unsigned parts,
                          uint32_t **recv, size_t *rcount, size_t *rdispl,
                          size_t *total);

#endif
