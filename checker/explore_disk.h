/* explore_disk: the breadth-first exploration of explore.h with its
 * states on disk (--store disk:DIR), for state spaces beyond memory.
 * explore.c hands a run to it when ExploreOptions.disk names a directory;
 * callers keep using explore.h.
 *
 * Promise: the same state ids, parent links, counts, depth, violation and
 * paths as the store in memory (explore.h's canonical BFS order), for any
 * thread count. External-memory BFS with delayed duplicate detection
 * (Stern and Dill's Murphi on disk; Korf's sorted runs): a level's
 * successors are gathered in memory with their discoveries, sorted by key
 * and written as runs when memory is full; at the level's end the runs
 * are merged, each key once with its smallest discovery, and checked
 * against the states seen before, kept as a few sorted runs on disk
 * (merged as they grow, so a level reads each seen key once); the new
 * states, sorted by discovery, get the next ids. Keys by id are one file
 * (a level is read in order, a path's states one by one); parent links
 * are a lineage in memory (lineage.h, 2.3 bits a state).
 *
 * Memory: the budget (ExploreOptions.memory) holds the successor buffers
 * (1/4), the new states' buffer (1/4), the lineage and the files'
 * buffers (1/512 of it each, at most 1 MiB). Disk: the keys by
 * id and the seen runs, the packed key's bytes each, twice over; a
 * level's runs besides, while it is merged.
 *
 * Files have no names (spill.h): nothing is left in DIR however the run
 * ends. A disk that fails (full, DIR unwritable or removed) ends the run
 * with EXPLORE_DISK and explore_disk_error says what failed. No lookup by
 * vector is answered (explore_lookup gives UINT64_MAX): the divergence
 * search after a run is this store's own (explore_disk_diverge.c), on
 * files.
 */
#ifndef LOCKSTEP_EXPLORE_DISK_H
#define LOCKSTEP_EXPLORE_DISK_H

#include "diverge.h"
#include "explore.h"

typedef struct ExploreDisk ExploreDisk;

ExploreDisk *explore_disk_new(const Machine *m, const ExploreOptions *opt);
void explore_disk_free(ExploreDisk *d);
ExploreStatus explore_disk_run(ExploreDisk *d, ExploreInspect inspect,
                               void *ud);
const ExploreStats *explore_disk_stats(const ExploreDisk *d);
uint64_t explore_disk_violation(const ExploreDisk *d, int *code);
uint64_t explore_disk_error_state(const ExploreDisk *d);
/* What failed on disk, for EXPLORE_DISK ("writing to DIR: No space left
 * on device"); "" when nothing did. */
const char *explore_disk_error(const ExploreDisk *d);
void explore_disk_state(const ExploreDisk *d, uint64_t id, uint32_t *vec);
uint64_t explore_disk_first(const ExploreDisk *d, ExplorePred pred,
                            void *ud);
/* The parent of state `id`, UINT32_MAX for the initial state (explore.c
 * recomputes the events of paths from the states). */
uint32_t explore_disk_parent_of(const ExploreDisk *d, uint64_t id);

/* After a run that explored everything: the first state (by id) that can
 * diverge under m's taus (m is the machine explored), UINT64_MAX when
 * none can, and its lasso as diverge_lasso gives it: the same answers as
 * diverge_mark over the store in memory. 0; or -1: the disk failed
 * (explore_disk_error says how), out of memory, or the run's limit
 * (limit_reached). */
int explore_disk_diverge(ExploreDisk *d, const Machine *m, uint64_t *first,
                         IdVec *lead, IdVec *loop);

#endif
