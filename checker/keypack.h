/* keypack: a state vector bit-packed into a key of 64-bit words, each
 * vector word in as many bits as its bound needs (machine.h's word_max),
 * low bits first; a field that does not fit in the rest of a key word
 * starts the next one, so a field is read with one shift and mask.
 *
 * Shared by the state store (store.c) and the distributed explorer
 * (explore_dist.c), which keeps and exchanges keys, not vectors. The
 * layout's arrays are the KeyPack's (keypack_free). */
#ifndef LOCKSTEP_KEYPACK_H
#define LOCKSTEP_KEYPACK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Keys are at most this many bits (the field positions are bytes). */
enum { KEYPACK_MAX_BITS = 251 * 64 };

typedef struct KeyPack {
    size_t width;             /* vector words */
    size_t key_words;         /* 64-bit words of a key */
    size_t key_bytes;         /* bytes of a key that carry bits */
    uint8_t *word_of, *shift; /* per vector word: key word and bit shift */
    uint32_t *mask;           /* per vector word: its value mask */
} KeyPack;

/* The layout for vectors of `width` words, word i at most word_max[i]
 * (word_max NULL: 32 bits each). 0; -1 out of memory; -2 wider than
 * KEYPACK_MAX_BITS. */
int keypack_init(KeyPack *k, size_t width, const uint32_t *word_max);
/* The same, for a tree of key words (store.h's tree compression): the
 * vector is cut where its bits are halved, again and again, until each
 * piece holds at most leaf_bits (<= 64) bits or is one word; each piece
 * starts a key word of its own. The words, and so the tree's leaves, then
 * split the state where its information does (its components, not 64-bit
 * boundaries). */
int keypack_init_leaves(KeyPack *k, size_t width, const uint32_t *word_max,
                        unsigned leaf_bits);
void keypack_free(KeyPack *k);

static inline void keypack_pack(const KeyPack *k, const uint32_t *vec,
                                uint64_t *key)
{
    if (k->key_words == 1) { /* the common case: one register */
        uint64_t acc = 0;
        for (size_t i = 0; i < k->width; i++)
            acc |= (uint64_t)vec[i] << k->shift[i];
        key[0] = acc;
        return;
    }
    memset(key, 0, k->key_words * sizeof *key);
    for (size_t i = 0; i < k->width; i++)
        key[k->word_of[i]] |= (uint64_t)vec[i] << k->shift[i];
}

static inline void keypack_unpack(const KeyPack *k, const uint64_t *key,
                                  uint32_t *vec)
{
    for (size_t i = 0; i < k->width; i++)
        vec[i] = (uint32_t)(key[k->word_of[i]] >> k->shift[i]) & k->mask[i];
}

#endif
