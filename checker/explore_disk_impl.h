/* explore_disk_impl: what explore_disk.c (the explorer: states by id,
 * paths, the expansion of a level) and explore_disk_level.c (a level's
 * end: merging runs, checking seen states, numbering) share. Internal to
 * the store on disk; see explore_disk.h. */
#ifndef LOCKSTEP_EXPLORE_DISK_IMPL_H
#define LOCKSTEP_EXPLORE_DISK_IMPL_H

#include "explore_disk.h"
#include "keypack.h"
#include "lineage.h"
#include "mem.h"
#include "pool.h"
#include "spill.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

/* Ids are below 2^32: a discovery holds the parent in its high half. */
#define EXPLORE_DISK_MAX_STATES ((uint64_t)UINT32_MAX)

/* A worker's recent successors (explore_disk.c, met_before). */
enum { RECENT_BITS = 13 };
typedef struct Recent {
    uint64_t k0, k1, used;
} Recent;

typedef struct DWorker {
    uint64_t *buf;          /* successor records */
    uint64_t *tmp;          /* as many: the sort's second array */
    size_t cap, fill;
    uint32_t *state, *vecs; /* the state expanded, its successors */
    ExploreSucc *succ;
    size_t count, scap, width;
    uint64_t *key;          /* scratch: one packed key */
    void *scratch;          /* the machine's */
    Recent *recent;         /* keys of at most two words: else NULL */
    uint64_t transitions;
    uint64_t violation;
    int code;
    int failed;             /* out of memory while gathering successors */
    ExploreStatus status;
} DWorker;

typedef struct Runs {
    Spill *items;
    size_t count, cap;
} Runs;

struct ExploreDisk {
    const Machine *m;
    ExploreOptions opt;
    ExploreStats stats;
    KeyPack kp;
    size_t kw, kb, rw;  /* key words, key bytes on disk, record words */
    size_t io;          /* bytes of a file's buffer */
    Spill keys;         /* every state's key, by id */
    Lineage *lineage;
    Runs seen;          /* sorted keys seen, oldest (largest) first */
    Runs cand;          /* this level's successor runs */
    Runs bydisc;        /* this level's new states' runs */
    pthread_mutex_t cand_lock;
    uint64_t *arena;    /* the workers' buffers */
    size_t arena_bytes;
    uint64_t *fresh;    /* the new states' buffer */
    size_t fresh_bytes, fresh_cap, fresh_fill;
    Pool *pool;
    DWorker *workers;
    unsigned threads;
    uint64_t count;     /* states numbered */
    uint8_t *parents;   /* a slice of the level's keys */
    uint64_t slice_lo, slice_hi;
    _Atomic uint64_t next_id;
    ExploreInspect inspect;
    void *ud;
    _Atomic uint64_t first_violation, error_state;
    atomic_int stop, limit;
    uint64_t violation;
    int violation_code;
    int err;            /* errno of the first disk failure */
    char what[160];     /* what failed */
    double start;
};

/* A key's kb bytes on disk are its words' first bytes (little endian).
 * Byte buffers of keys have 8 bytes of room after the last key (KEY_PAD),
 * so that a key of one word is moved as one word. */
enum { KEY_PAD = 8 };

static inline void key_to_bytes(const ExploreDisk *d, const uint64_t *key,
                                uint8_t *out)
{
    if (d->kw == 1)
        __builtin_memcpy(out, key, 8);
    else
        mem_copy(out, key, d->kb);
}

static inline void key_from_bytes(const ExploreDisk *d, const uint8_t *in,
                                  uint64_t *key)
{
    if (d->kw == 1) {
        uint64_t v;
        __builtin_memcpy(&v, in, 8);
        key[0] = d->kb == 8 ? v : v & ((UINT64_C(1) << 8 * d->kb) - 1);
        return;
    }
    memset(key, 0, d->kw * sizeof *key);
    mem_copy(key, in, d->kb);
}

/* Notes the first failure of the disk (or of memory for its runs):
 * doing what, with which errno. Returns -1. */
int explore_disk_fail(ExploreDisk *d, const char *doing, int err);
/* explore_disk_fail when the file failed; 0 or -1. */
int explore_disk_spill_ok(ExploreDisk *d, const Spill *s);
/* A new empty run of rec-byte records at the end of r; NULL on failure
 * (noted). */
Spill *explore_disk_runs_add(ExploreDisk *d, Runs *r, size_t rec);
/* Writes n records (rw words) as a new run of r. 0 or -1 (noted). */
int explore_disk_runs_write(ExploreDisk *d, Runs *r, const uint64_t *a,
                            size_t n);
void explore_disk_runs_clear(Runs *r);
/* 1 when a limit of the run (--timeout, --memory, a signal: limit.h) is
 * reached; then d->limit says which and d->stop stops the workers. */
int explore_disk_poll_limits(ExploreDisk *d);

/* A level's end (explore_disk_level.c): its successors, in the workers'
 * sorted buffers and the runs of d->cand, merged, checked against the
 * seen runs and the new states numbered. *cut: --max-states (or the
 * 2^32 ids) left some out. */
ExploreStatus explore_disk_level_end(ExploreDisk *d, int *cut);

#endif
