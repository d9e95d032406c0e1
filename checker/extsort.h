/* extsort: sorting more records than memory holds, for the store on disk
 * (explore_disk_level.c merges its runs with the streams here;
 * explore_disk_diverge.c sorts states and tau edges with ExtSort).
 *
 * A SortedSrc is a sorted stream of records (rw words each): an array in
 * memory or a run on disk (spill.h), read from its head. An ExtSort takes
 * records in any order into a buffer the caller lends; a full buffer is
 * sorted (recsort.h) and written as a run; reading merges the runs and
 * the last buffer by the key, in order. Runs are merged into one whenever
 * there are EXTSORT_FANIN of them, so the files open stay few whatever
 * the buffer's size (a small buffer costs passes over the data, not
 * descriptors). Records of equal keys come out in no set order.
 *
 * Errors: a file that fails keeps its errno; extsort_put and
 * extsort_start return -1 and ExtSort.err says why (ENOMEM for memory),
 * extsort_next returns NULL and ExtSort.err is set. Nothing here exits.
 *
 * Ownership: the ExtSort owns its runs (extsort_free closes them); the
 * buffers stay the caller's. One thread at a time. */
#ifndef LOCKSTEP_EXTSORT_H
#define LOCKSTEP_EXTSORT_H

#include "recsort.h"
#include "spill.h"

#include <stddef.h>
#include <stdint.h>

/* ---------- sorted streams ---------- */

typedef struct SortedSrc {
    const uint64_t *cur; /* the head, or NULL at the end */
    const uint64_t *p, *end;
    Spill *f;
} SortedSrc;

/* n records of rw words at a; a run on disk from its first record. */
void sorted_src_mem(SortedSrc *s, const uint64_t *a, size_t n, size_t rw);
void sorted_src_file(SortedSrc *s, Spill *f, size_t rw);
/* Moves s to its next record. */
void sorted_src_next(SortedSrc *s, size_t rw);
/* The source whose head is smallest by k, or -1 when all have ended. */
int sorted_src_min(const SortedSrc *s, size_t n, const RecKey *k);

/* ---------- external sort ---------- */

enum { EXTSORT_FANIN = 64 };

typedef struct ExtSort {
    RecKey k;
    const char *dir;  /* where runs go */
    size_t io;        /* bytes of a run's buffer */
    uint64_t *buf;    /* the caller's: cap records */
    uint64_t *tmp;    /* the caller's, cap records, or NULL */
    size_t cap, fill;
    Spill *runs;
    size_t nruns, runs_cap;
    SortedSrc *src;   /* reading: the runs, then the buffer */
    size_t nsrc;
    int last;         /* the source of the record given last, or -1 */
    uint64_t count;   /* records put */
    int err;
} ExtSort;

/* An empty sort of records by k (k->rw words each) into buf (cap
 * records, at least 2), sorted with tmp as the second array when given;
 * runs in directory dir with io-byte buffers. Never fails. */
void extsort_init(ExtSort *s, const RecKey *k, uint64_t *buf, uint64_t *tmp,
                  size_t cap, const char *dir, size_t io);
/* Takes a record. 0, or -1 (s->err). */
int extsort_put(ExtSort *s, const uint64_t *rec);
/* Ends the putting and starts the reading. 0, or -1 (s->err). */
int extsort_start(ExtSort *s);
/* The next record in key order (valid until the next call), or NULL at
 * the end or on an error (then s->err is set). */
const uint64_t *extsort_next(ExtSort *s);
void extsort_free(ExtSort *s);

#endif
