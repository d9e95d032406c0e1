/* dist: one check across the processes of an MPI job (mpirun -np N).
 *
 * Every process (rank) runs the same program on the same input: it loads
 * the model, compiles the machines and runs the checks itself, so every
 * value the checks compute outside the main exploration is the same on
 * every rank. Only that exploration is shared out (explore_dist.c): each
 * rank owns the states whose hash falls to it; the collective calls below
 * are made by every rank in the same order, because the code around them
 * takes the same path everywhere.
 *
 * Built without MPI (LOCKSTEP_MPI undefined), or run as one process, the
 * job has one rank and every collective is the identity.
 */
#ifndef LOCKSTEP_DIST_H
#define LOCKSTEP_DIST_H

#include <stddef.h>
#include <stdint.h>

/* Joins the MPI job when the process was started by an MPI launcher
 * (1), else stays alone (0); -1 when the job could not be joined.
 * Called once, first thing, by main. */
int dist_init(int *argc, char ***argv);
/* Leaves the job (every rank calls it once, last thing). */
void dist_finish(void);
/* Ends every rank of the job with `code`: a collective failed (a rank
 * died, the network broke), after which the ranks' shared path is lost.
 * The one exit outside main.c. */
void dist_abort(int code);
/* 1 when this build can join an MPI job. */
int dist_built(void);
/* The MPI library this build uses, one line ("Open MPI v4.1.4, ..."), or
 * NULL without MPI. Any time, also before dist_init. */
const char *dist_library(void);

int dist_rank(void);
int dist_size(void);
/* The ranks on this machine (sharing its memory), this one included. */
int dist_local_size(void);

/* Collectives over all ranks. */
uint64_t dist_min_u64(uint64_t v);
uint64_t dist_max_u64(uint64_t v);
uint64_t dist_sum_u64(uint64_t v);
/* Sum of v over the ranks below this one. */
uint64_t dist_exscan_u64(uint64_t v);
/* Every rank's n values, rank 0's first, into all (n * dist_size()). */
void dist_allgather_u64(const uint64_t *mine, size_t n, uint64_t *all);
/* Copies n words from rank `root` to every rank. */
void dist_bcast_u32(uint32_t *words, size_t n, int root);
/* All-to-all: rank r sends send[sdispl[d] .. + scount[d]) to each rank d
 * (counts in words); returns the words received, into *recv (mem_alloc,
 * the caller frees) with rcount/rdispl per source rank (arrays of
 * dist_size() entries, filled). -1 when out of memory. */
int dist_alltoall_u32(const uint32_t *send, const size_t *scount,
                      uint32_t **recv, size_t *rcount, size_t *rdispl,
                      size_t *total);

/* dist_alltoall_u32 in two halves, so that work can go on while the words
 * travel: the counts are exchanged at once and *recv allocated (the same
 * outputs as dist_alltoall_u32, *recv valid after dist_alltoall_end);
 * send must stay untouched until then. dist_alltoall_poll lets MPI move
 * the words along (it has no progress thread of its own); only the thread
 * that started the exchange may call these. NULL when out of memory. */
typedef struct DistAlltoall DistAlltoall;
DistAlltoall *dist_alltoall_start(const uint32_t *send, const size_t *scount,
                                  uint32_t **recv, size_t *rcount,
                                  size_t *rdispl, size_t *total);
void dist_alltoall_poll(DistAlltoall *a);
void dist_alltoall_end(DistAlltoall *a);

#endif
