/* keypack: the layout of packed keys. See keypack.h. */
#include "keypack.h"

#include "mem.h"

static unsigned bits_of(const uint32_t *word_max, size_t i)
{
    uint32_t max = word_max ? word_max[i] : UINT32_MAX;
    unsigned b = 1;
    while (b < 32 && (max >> b) != 0)
        b++;
    return b;
}

/* Marks in lead[] the first word of each leaf of words [lo, hi): a range
 * of at most leaf_bits bits (or of one word) is a leaf; a wider one is cut
 * where its bits are halved. */
static void mark_leaves(const uint32_t *word_max, size_t lo, size_t hi,
                        unsigned leaf_bits, uint8_t *lead)
{
    size_t total = 0;
    for (size_t i = lo; i < hi; i++)
        total += bits_of(word_max, i);
    if (total <= leaf_bits || hi - lo == 1) {
        lead[lo] = 1;
        return;
    }
    size_t mid = lo + 1, sum = bits_of(word_max, lo);
    while (mid + 1 < hi && 2 * (sum + bits_of(word_max, mid)) <= total)
        sum += bits_of(word_max, mid++);
    mark_leaves(word_max, lo, mid, leaf_bits, lead);
    mark_leaves(word_max, mid, hi, leaf_bits, lead);
}

/* The layout; lead (or NULL): the vector words that must start a key
 * word. */
static int layout(KeyPack *k, size_t width, const uint32_t *word_max,
                  const uint8_t *lead)
{
    *k = (KeyPack){.width = width};
    k->word_of = mem_alloc(width + 1);
    k->shift = mem_alloc(width + 1);
    k->mask = mem_alloc((width + 1) * sizeof *k->mask);
    if (!k->word_of || !k->shift || !k->mask)
        return -1;
    size_t word = 0, at = 0;
    for (size_t i = 0; i < width; i++) {
        unsigned b = bits_of(word_max, i);
        if (at + b > 64 || (lead && lead[i] && i > 0)) {
            word++;
            at = 0;
        }
        k->word_of[i] = (uint8_t)word;
        k->shift[i] = (uint8_t)at;
        k->mask[i] = b == 32 ? UINT32_MAX : (UINT32_C(1) << b) - 1;
        at += b;
    }
    if (word >= KEYPACK_MAX_BITS / 64)
        return -2; /* too wide for the byte-sized word_of */
    k->key_words = word + 1;
    size_t bits = word * 64 + at;
    k->key_bytes = bits ? (bits + 7) / 8 : 1;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    k->key_bytes = k->key_words * 8; /* keys are the words' first bytes */
#endif
    return 0;
}

int keypack_init(KeyPack *k, size_t width, const uint32_t *word_max)
{
    return layout(k, width, word_max, NULL);
}

int keypack_init_leaves(KeyPack *k, size_t width, const uint32_t *word_max,
                        unsigned leaf_bits)
{
    uint8_t *lead = mem_calloc(width + 1, 1);
    if (!lead) {
        *k = (KeyPack){0};
        return -1;
    }
    if (width)
        mark_leaves(word_max, 0, width, leaf_bits > 64 ? 64 : leaf_bits,
                    lead);
    int rc = layout(k, width, word_max, lead);
    mem_free(lead);
    return rc;
}

void keypack_free(KeyPack *k)
{
    mem_free(k->word_of);
    mem_free(k->shift);
    mem_free(k->mask);
    *k = (KeyPack){0};
}
