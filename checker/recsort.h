/* recsort: sorting records of 64-bit words by some of their words, for
 * the store on disk (explore_disk.c): candidate states by key, new states
 * by discovery.
 *
 * A record is `rw` words; the sort key is words [off, off + nk) compared
 * as unsigned integers in that order (the first word most significant).
 * In place (an MSD radix sort of 8-bit digits, American flag style:
 * digits that every record shares are skipped), so it needs no second
 * array; not stable. recsort_tmp is faster with one. Nothing here
 * allocates. */
#ifndef LOCKSTEP_RECSORT_H
#define LOCKSTEP_RECSORT_H

#include <stddef.h>
#include <stdint.h>

typedef struct RecKey {
    size_t rw;  /* words a record */
    size_t off; /* first word of the sort key */
    size_t nk;  /* words of the sort key */
} RecKey;

/* <0, 0, >0 as record a's key is below, equal to, above b's. */
static inline int reckey_cmp(const RecKey *k, const uint64_t *a,
                             const uint64_t *b)
{
    for (size_t i = k->off; i < k->off + k->nk; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* Copies n words (records are short: a loop beats a call to memcpy). */
static inline void words_copy(uint64_t *dst, const uint64_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i];
}

/* Sorts n records at a by k. */
void recsort(const RecKey *k, uint64_t *a, size_t n);
/* The same, faster where the sort key is one word, with a second array
 * of n records (tmp; its contents are lost): a least-significant-digit
 * radix sort of 11-bit digits over the bits the keys do not all share,
 * a few sequential passes instead of the in-place sort's swaps (which
 * miss the cache on large arrays). Falls back to recsort for wider keys. */
void recsort_tmp(const RecKey *k, uint64_t *a, uint64_t *tmp, size_t n);

#endif
