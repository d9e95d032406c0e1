/* lineage: parent links as unary child counts. See lineage.h.
 *
 * bits[]: bit i of the sequence is bit i % 64 of word i / 64. A 0 bit is
 * appended by moving `nbits` on (the mapping is zeroed), so a long run of
 * childless states costs no writes but its samples. rank[b] is the number
 * of 1 bits before bit 512 b; it is written when the sequence first
 * reaches that bit, for every b below `blocks`. The sequence holds at most
 * 2 capacity bits: one 1 per non-root state, one 0 per state closed. */
#include "lineage.h"

#include "mem.h"

enum { BLOCK_BITS = 512, BLOCK_WORDS = BLOCK_BITS / 64 };

struct Lineage {
    uint64_t *bits, *rank;
    size_t map_bytes;
    uint64_t nbits;  /* bits appended */
    uint64_t ones;   /* 1 bits appended: non-root states */
    uint64_t roots;  /* roots appended */
    uint64_t closed; /* 0 bits appended: states whose children are all in */
    uint64_t blocks; /* rank samples written */
};

Lineage *lineage_new(uint64_t capacity)
{
    Lineage *l = mem_calloc(1, sizeof *l);
    if (!l)
        return NULL;
    uint64_t words = (2 * capacity + 64) / 64 + 1;
    uint64_t samples = words / BLOCK_WORDS + 2;
    l->map_bytes = (words + samples) * sizeof(uint64_t);
    l->bits = mem_map(l->map_bytes);
    if (!l->bits) {
        mem_free(l);
        return NULL;
    }
    l->rank = l->bits + words;
    return l;
}

void lineage_free(Lineage *l)
{
    if (!l)
        return;
    mem_unmap(l->bits, l->map_bytes);
    mem_free(l);
}

/* Moves the sequence on to `to` bits, the new ones 0 except where the
 * caller sets them after: first the samples of the blocks it enters. */
static void advance(Lineage *l, uint64_t to)
{
    for (; l->blocks * BLOCK_BITS < to; l->blocks++)
        l->rank[l->blocks] = l->ones;
    l->nbits = to;
}

void lineage_append(Lineage *l, uint32_t parent)
{
    if (parent == LINEAGE_ROOT) {
        l->roots++;
        return;
    }
    if (parent > l->closed) { /* close the states up to the parent */
        advance(l, l->nbits + (parent - l->closed));
        l->closed = parent;
    }
    uint64_t at = l->nbits;
    advance(l, at + 1);
    l->bits[at / 64] |= UINT64_C(1) << (at % 64);
    l->ones++;
}

/* The position of the k-th 1 bit (from 0) of word w on. */
static uint64_t select_from(const Lineage *l, uint64_t w, uint64_t k)
{
    for (;; w++) {
        uint64_t word = l->bits[w];
        uint64_t c = (uint64_t)__builtin_popcountll(word);
        if (k < c) {
            for (; k; k--)
                word &= word - 1;
            return w * 64 + (uint64_t)__builtin_ctzll(word);
        }
        k -= c;
    }
}

uint32_t lineage_parent(const Lineage *l, uint64_t id)
{
    if (id < l->roots)
        return LINEAGE_ROOT;
    uint64_t j = id - l->roots;
    /* the last block whose sample is <= j holds the j-th 1 bit */
    uint64_t lo = 0, hi = l->blocks; /* rank[lo] <= j (rank[0] is 0) */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (l->rank[mid] <= j)
            lo = mid;
        else
            hi = mid;
    }
    uint64_t at = select_from(l, lo * BLOCK_WORDS, j - l->rank[lo]);
    return (uint32_t)(at - j); /* the 0 bits before it */
}

size_t lineage_bytes(const Lineage *l)
{
    return (size_t)((l->nbits + 63) / 64 + l->blocks) * sizeof(uint64_t);
}
