/* explore: breadth-first exploration of a machine's state space, with N
 * threads expanding each level, a store of bit-packed states and parent
 * links. (The store itself is filled by one thread, in canonical order.)
 *
 * The explorer knows nothing of checks: a check passes an `inspect`
 * callback, which sees each reachable state once together with all of its
 * transitions and says whether the state violates the property. The
 * explorer finishes the first BFS level that holds a violation, then stops
 * and keeps the one that comes first in canonical order, so the
 * counterexample is a shortest one and the counts do not depend on where in
 * the level it lies.
 *
 * Determinism (docs/design.md): state and transition counts, the depth, the
 * violation chosen, its state id and its path are identical for every thread
 * count. State ids are assigned in canonical BFS order: the order in which a
 * sequential BFS that expands states in id order and visits each state's
 * transitions in emission order would first discover them. The initial
 * state is id 0. The parent of a state is its canonically first discoverer.
 *
 * Limits end a run cleanly with a status and the statistics reached.
 */
#ifndef LOCKSTEP_EXPLORE_H
#define LOCKSTEP_EXPLORE_H

#include "machine.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ExploreOptions {
    unsigned threads;    /* 0: every online core */
    uint64_t max_states; /* 0: no limit */
    size_t memory;       /* bytes for the store; 0: half of physical memory */
    double timeout;      /* seconds; 0: none */
    int progress;        /* 1: live progress line on stderr if it is a tty */
    unsigned tree;       /* 0: packed keys; else the tree-compressed store
                            with leaves of at most this many bits (store.h:
                            64, --store tree; tests use fewer) */
    const char *disk;    /* a directory: the states on disk there
                            (explore_disk.h, --store disk:DIR); NULL: in
                            memory */
    size_t round_words;  /* an MPI job's words a rank sends per round of a
                            level (explore_dist.c); 0: its default */
    int distributed;     /* 1: shared out over the ranks of an MPI job when
                            it has several (explore_dist.h); only a check's
                            main exploration asks, never the explorations
                            of its parts (specifications, compressions) */
} ExploreOptions;

typedef struct ExploreStats {
    uint64_t states;       /* states stored */
    uint64_t transitions;  /* transitions generated from expanded states */
    unsigned depth;        /* BFS levels completed */
    double seconds;
    size_t store_bytes;    /* bytes used by the store (incl. parent links) */
    double bytes_per_state;
    size_t peak_rss;       /* bytes, as the OS reports; 0 when unknown */
    unsigned threads;
    uint64_t disk_bytes;   /* the store on disk's files at the end */
} ExploreStats;

/* One rank's share of a distributed run (explore_dist.h), for --stats. */
typedef struct ExploreRankStats {
    uint64_t states;         /* states it keeps */
    uint64_t bytes_sent;     /* to other ranks, in exchanges */
    uint64_t bytes_received; /* from other ranks */
    double wait_seconds;     /* in exchanges: the transfer, and waiting for
                                the slowest rank */
} ExploreRankStats;

typedef enum ExploreStatus {
    EXPLORE_DONE = 0,        /* whole state space visited, no violation */
    EXPLORE_VIOLATION,       /* inspect reported a violation */
    EXPLORE_LIMIT_STATES,    /* --max-states reached */
    EXPLORE_LIMIT_MEMORY,    /* the store is full */
    EXPLORE_LIMIT_TIME,      /* --timeout reached */
    EXPLORE_INTERRUPTED,     /* SIGINT or SIGTERM (limit.h) */
    EXPLORE_NOMEM,           /* an allocation failed */
    EXPLORE_MACHINE_ERROR,   /* the machine's successor function failed */
    EXPLORE_DISK             /* the store on disk failed (explore_error) */
} ExploreStatus;

typedef struct ExploreSucc {
    uint32_t event;
    const uint32_t *target; /* valid only during the inspect call */
} ExploreSucc;

/* Returns 0 when `state` is fine, or a positive violation code (meaning is
 * the check's). Called once per stored state, from any worker thread,
 * possibly concurrently: it must be thread-safe. `count` transitions, in
 * emission order. */
typedef int (*ExploreInspect)(void *ud, const uint32_t *state,
                              const ExploreSucc *succ, size_t count);

typedef struct Explorer Explorer;

/* NULL when out of memory. The machine must outlive the explorer. */
Explorer *explore_new(const Machine *m, const ExploreOptions *options);
void explore_free(Explorer *ex);

/* Explores from the initial state. `inspect` may be NULL (count only). */
ExploreStatus explore_run(Explorer *ex, ExploreInspect inspect, void *ud);

const ExploreStats *explore_stats(const Explorer *ex);

/* After EXPLORE_MACHINE_ERROR: a state the machine could not expand (the
 * smallest id of those met), or UINT64_MAX. */
uint64_t explore_error_state(const Explorer *ex);
/* After EXPLORE_VIOLATION: the violating state and its code. */
uint64_t explore_violation(const Explorer *ex, int *code);

/* Copies state `id` into vec[0 .. width-1]. */
void explore_state(const Explorer *ex, uint64_t id, uint32_t *vec);
/* The smallest id whose state satisfies `pred`, or UINT64_MAX. */
typedef int (*ExplorePred)(void *ud, const uint32_t *state);
uint64_t explore_first(const Explorer *ex, ExplorePred pred, void *ud);
/* The id of a stored state, or UINT64_MAX when it is not stored. */
uint64_t explore_lookup(const Explorer *ex, const uint32_t *vec);
/* explore_lookup of n states (width words each) at vecs, into ids; much
 * faster than one at a time in a large store. Thread-safe after a run. */
void explore_lookup_many(const Explorer *ex, const uint32_t *vecs, size_t n,
                         uint64_t *ids);
/* Parent link: the event and the parent id by which `id` was first reached;
 * returns 0, or -1 for the initial state (or when out of memory: the event
 * is recomputed from the parent's successors, which needs scratch). */
int explore_parent(const Explorer *ex, uint64_t id, uint64_t *parent,
                   uint32_t *event);
/* The path from the initial state to `id`: *len events, events[i] leading
 * from states[i] to states[i+1]; states has *len + 1 entries. Arrays are
 * allocated with mem_alloc, owned by the caller. Returns 0 or -1 (nomem). */
int explore_path(const Explorer *ex, uint64_t id, uint32_t **events,
                 uint64_t **states, size_t *len);

/* After EXPLORE_DISK: what failed, with the directory and the system's
 * reason; "" otherwise. */
const char *explore_error(const Explorer *ex);
/* 1 when the states are on disk (ExploreOptions.disk): then no lookup by
 * vector is answered (explore_lookup gives UINT64_MAX). */
int explore_on_disk(const Explorer *ex);

/* A distributed run's explorer (explore_dist.h), or NULL. */
struct ExploreDist *explore_distributed(const Explorer *ex);
/* A run on disk's explorer (explore_disk.h), or NULL. */
struct ExploreDisk *explore_disk_of(const Explorer *ex);
/* Every rank's share of a distributed run, rank 0 first: *n entries into
 * *all (mem_alloc, the caller's); *n = 0 and *all = NULL for a run of one
 * process. Collective. 0, or -1 when out of memory. */
int explore_rank_stats(const Explorer *ex, ExploreRankStats **all,
                       unsigned *n);

/* Human name of a status for messages ("state limit reached", ...). */
const char *explore_status_text(ExploreStatus status);
/* The status a check ends with when the run's limit `kind` (limit.h, a
 * LimitKind other than LIMIT_NONE) stopped it. */
ExploreStatus explore_limit_status(int kind);

#endif
