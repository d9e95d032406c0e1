/* explore_dist: the breadth-first exploration of explore.h shared out over
 * the ranks of an MPI job (dist.h). explore.c hands a run to it when the
 * options ask (ExploreOptions.distributed) and the job has more than one
 * rank; callers keep using explore.h.
 *
 * Promise: the same state ids, parent links, counts, depth, violation and
 * paths as one process (explore.h's canonical BFS order), for any number
 * of ranks and threads. Each rank stores the states whose hash falls to
 * it; a level's successors go to their owners in all-to-all exchanges, a
 * round of them at a time; the new states are numbered canonically by sorting their discoveries (parent id, then
 * successor index) in slices of the parent range, one slice per rank, and
 * the ids go back to the owners. Every function is collective: all ranks
 * call it, in the same order, with the same arguments.
 *
 * The tau-cycle search after a run is distributed too
 * (explore_dist_diverge.c); a state is never looked up by its vector from
 * outside (explore_lookup answers UINT64_MAX). The run's limits are
 * polled, and agreed on, between rounds.
 */
#ifndef LOCKSTEP_EXPLORE_DIST_H
#define LOCKSTEP_EXPLORE_DIST_H

#include "diverge.h"
#include "explore.h"

typedef struct ExploreDist ExploreDist;

ExploreDist *explore_dist_new(const Machine *m, const ExploreOptions *opt);
void explore_dist_free(ExploreDist *d);
ExploreStatus explore_dist_run(ExploreDist *d, ExploreInspect inspect,
                               void *ud);
const ExploreStats *explore_dist_stats(const ExploreDist *d);
uint64_t explore_dist_violation(const ExploreDist *d, int *code);
uint64_t explore_dist_error_state(const ExploreDist *d);
void explore_dist_state(const ExploreDist *d, uint64_t id, uint32_t *vec);
uint64_t explore_dist_first(const ExploreDist *d, ExplorePred pred,
                            void *ud);
int explore_dist_parent(const ExploreDist *d, uint64_t id, uint64_t *parent,
                        uint32_t *event);
int explore_dist_path(const ExploreDist *d, uint64_t id, uint32_t **events,
                      uint64_t **states, size_t *len);

/* The tau-cycle search of a whole run: *first, the smallest id of a state
 * that can diverge (UINT64_MAX: none), and from it the tau lasso, as
 * diverge_lasso gives it over the same graph in one process (lead from
 * *first, then the loop, which starts and ends at one state). 0, or -1:
 * out of memory, or a limit (then raised on every rank). */
int explore_dist_diverge(ExploreDist *d, uint64_t *first, IdVec *lead,
                         IdVec *loop);
/* Every rank's share (ExploreRankStats), rank 0 first, into all[0 ..
 * dist_size() - 1]. */
void explore_dist_rank_stats(const ExploreDist *d, ExploreRankStats *all);

#endif
