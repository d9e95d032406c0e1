/* vecset: sets of state vectors. See vecset.h. */
#include "vecset.h"

#include "mem.h"

#include <string.h>

static uint64_t hash_vec(const uint32_t *v, size_t width)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < width; i++)
        h = (h ^ v[i]) * 0xff51afd7ed558ccdull;
    return h ^ (h >> 29);
}

void vecset_clear(VecSet *s)
{
    s->count = 0;
    if (s->slots)
        memset(s->slots, 0, s->nslots * sizeof *s->slots);
}

void vecset_free(VecSet *s)
{
    mem_free(s->vecs);
    mem_free(s->slots);
}

static int rehash(VecSet *s, size_t width)
{
    size_t n = s->nslots ? 2 * s->nslots : 64;
    uint32_t *slots = mem_calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < s->count; i++) {
        size_t k = hash_vec(s->vecs + i * width, width) & (n - 1);
        while (slots[k])
            k = (k + 1) & (n - 1);
        slots[k] = (uint32_t)i + 1;
    }
    mem_free(s->slots);
    s->slots = slots;
    s->nslots = n;
    return 0;
}

/* Adds vec; 1 if new, 0 if present, -1 on failure. */
int vecset_add(VecSet *s, const uint32_t *vec, size_t width)
{
    if ((s->count + 1) * 2 > s->nslots && rehash(s, width) != 0)
        return -1;
    size_t k = hash_vec(vec, width) & (s->nslots - 1);
    while (s->slots[k]) {
        if (!memcmp(s->vecs + (s->slots[k] - 1) * width, vec,
                    width * sizeof *vec))
            return 0;
        k = (k + 1) & (s->nslots - 1);
    }
    if (s->count == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        uint32_t *v = mem_realloc(s->vecs, cap * width * sizeof *v + 4);
        if (!v)
            return -1;
        s->vecs = v;
        s->cap = cap;
    }
    mem_copy(s->vecs + s->count * width, vec, width * sizeof *vec);
    s->slots[k] = (uint32_t)++s->count;
    return 1;
}
