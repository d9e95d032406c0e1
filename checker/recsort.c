/* recsort: in-place MSD radix sort of word records. See recsort.h. */
#include "recsort.h"

#include <string.h> /* memset */

enum { SMALL = 32 }; /* fewer records: insertion sort */

static void insertion(const RecKey *k, uint64_t *a, size_t n)
{
    size_t rw = k->rw;
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

static void sort_from(const RecKey *k, uint64_t *a, size_t n, size_t d)
{
    size_t rw = k->rw, digits = 8 * k->nk;
    size_t count[256];
    for (;; d++) { /* skip the digits every record shares */
        if (n < SMALL || d == digits) {
            if (d < digits)
                insertion(k, a, n);
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

void recsort(const RecKey *k, uint64_t *a, size_t n)
{
    sort_from(k, a, n, 0);
}
