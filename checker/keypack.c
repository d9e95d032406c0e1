/* keypack: the layout of packed keys. See keypack.h. */
#include "keypack.h"

#include "mem.h"

int keypack_init(KeyPack *k, size_t width, const uint32_t *word_max)
{
    *k = (KeyPack){.width = width};
    k->word_of = mem_alloc(width + 1);
    k->shift = mem_alloc(width + 1);
    k->mask = mem_alloc((width + 1) * sizeof *k->mask);
    if (!k->word_of || !k->shift || !k->mask)
        return -1;
    size_t word = 0, at = 0;
    for (size_t i = 0; i < width; i++) {
        uint32_t max = word_max ? word_max[i] : UINT32_MAX;
        unsigned b = 1;
        while (b < 32 && (max >> b) != 0)
            b++;
        if (at + b > 64) {
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

void keypack_free(KeyPack *k)
{
    mem_free(k->word_of);
    mem_free(k->shift);
    mem_free(k->mask);
    *k = (KeyPack){0};
}
