/* recsort: in-place MSD radix sort of word records. See recsort.h. */
#include "recsort.h"

#include <string.h> /* memset */

enum { SMALL = 32 }; /* fewer records: insertion sort */

static inline __attribute__((always_inline)) void
insertion(const RecKey *k, uint64_t *a, size_t n, size_t rw)
{
    uint64_t t[rw];
    for (size_t i = 1; i < n; i++) {
        size_t j = i;
        if (reckey_cmp(k, a + (j - 1) * rw, a + i * rw) <= 0)
            continue;
        words_copy(t, a + i * rw, rw);
        while (j > 0 && reckey_cmp(k, a + (j - 1) * rw, t) > 0) {
            words_copy(a + j * rw, a + (j - 1) * rw, rw);
            j--;
        }
        words_copy(a + j * rw, t, rw);
    }
}

/* The digit `d` (0: the key's most significant byte) of record r. */
static inline unsigned digit(const RecKey *k, const uint64_t *r, size_t d)
{
    return (unsigned)(r[k->off + d / 8] >> (56 - 8 * (d % 8))) & 0xff;
}

static void sort_from(const RecKey *k, uint64_t *a, size_t n, size_t d);

/* The sort of records of rw words; inlined for each small rw, so that a
 * record moves as a few registers rather than by a call to memcpy. */
static inline __attribute__((always_inline)) void
sort_rw(const RecKey *k, uint64_t *a, size_t n, size_t d, size_t rw)
{
    size_t digits = 8 * k->nk;
    size_t count[256];
    for (;; d++) { /* skip the digits every record shares */
        if (n < SMALL || d == digits) {
            if (d < digits)
                insertion(k, a, n, rw);
            return;
        }
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[digit(k, a + i * rw, d)]++;
        if (count[digit(k, a, d)] != n)
            break;
    }
    size_t head[256], end[256], at = 0;
    for (unsigned b = 0; b < 256; b++) {
        head[b] = at;
        at += count[b];
        end[b] = at;
    }
    uint64_t t[rw], u[rw];
    for (unsigned b = 0; b < 256; b++) {
        while (head[b] < end[b]) { /* place the record at head[b] */
            uint64_t *slot = a + head[b] * rw;
            unsigned c = digit(k, slot, d);
            if (c == b) {
                head[b]++;
                continue;
            }
            words_copy(t, slot, rw);
            while (c != b) { /* carry it to its bucket, taking the one there */
                uint64_t *dst = a + head[c]++ * rw;
                words_copy(u, dst, rw);
                words_copy(dst, t, rw);
                words_copy(t, u, rw);
                c = digit(k, t, d);
            }
            words_copy(slot, t, rw);
            head[b]++;
        }
    }
    for (unsigned b = 0; b < 256; b++)
        if (count[b] > 1)
            sort_from(k, a + (end[b] - count[b]) * rw, count[b], d + 1);
}

static void sort_from(const RecKey *k, uint64_t *a, size_t n, size_t d)
{
    switch (k->rw) {
    case 2: sort_rw(k, a, n, d, 2); break;
    case 3: sort_rw(k, a, n, d, 3); break;
    case 4: sort_rw(k, a, n, d, 4); break;
    default: sort_rw(k, a, n, d, k->rw); break;
    }
}

void recsort(const RecKey *k, uint64_t *a, size_t n)
{
    sort_from(k, a, n, 0);
}

enum { LSD_BITS = 11 };

/* One LSD pass: the records of `from` by their digit at `shift`, stably,
 * into `to`. */
static inline __attribute__((always_inline)) void
lsd_pass(const uint64_t *from, uint64_t *to, size_t n, size_t rw, size_t at,
         unsigned shift)
{
    size_t count[1 << LSD_BITS] = {0}, mask = (1 << LSD_BITS) - 1;
    for (size_t i = 0; i < n; i++)
        count[(from[i * rw + at] >> shift) & mask]++;
    size_t sum = 0;
    for (size_t b = 0; b <= mask; b++) {
        size_t c = count[b];
        count[b] = sum;
        sum += c;
    }
    for (size_t i = 0; i < n; i++) {
        const uint64_t *r = from + i * rw;
        uint64_t *dst = to + count[(r[at] >> shift) & mask]++ * rw;
        for (size_t w = 0; w < rw; w++)
            dst[w] = r[w];
    }
}

static inline __attribute__((always_inline)) void
lsd_rw(const RecKey *k, uint64_t *a, uint64_t *tmp, size_t n, size_t rw)
{
    uint64_t differ = 0, first = a[k->off];
    for (size_t i = 0; i < n; i++)
        differ |= a[i * rw + k->off] ^ first;
    unsigned bits = differ ? 64 - (unsigned)__builtin_clzll(differ) : 0;
    uint64_t *from = a, *to = tmp;
    for (unsigned shift = 0; shift < bits; shift += LSD_BITS) {
        lsd_pass(from, to, n, rw, k->off, shift);
        uint64_t *t = from;
        from = to;
        to = t;
    }
    if (from != a)
        for (size_t i = 0; i < n * rw; i++)
            a[i] = from[i];
}

void recsort_tmp(const RecKey *k, uint64_t *a, uint64_t *tmp, size_t n)
{
    if (k->nk != 1 || n < SMALL) {
        recsort(k, a, n);
        return;
    }
    switch (k->rw) {
    case 2: lsd_rw(k, a, tmp, n, 2); break;
    case 3: lsd_rw(k, a, tmp, n, 3); break;
    default: lsd_rw(k, a, tmp, n, k->rw); break;
    }
}
