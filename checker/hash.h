/* hash: the project's one hash, FNV-1a (64 bits), for every table of
 * names, events, values and interned blobs. Header-only: it is a few
 * instructions, inlined at each use. */
#ifndef LOCKSTEP_HASH_H
#define LOCKSTEP_HASH_H

#include <stddef.h>
#include <stdint.h>

enum { HASH_PRIME = 1099511628211u };
#define HASH_SEED 1469598103934665603ull

/* h with x mixed in (a byte, or a whole word such as another hash). */
static inline uint64_t hash_mix(uint64_t h, uint64_t x)
{
    return (h ^ x) * (uint64_t)HASH_PRIME;
}

static inline uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = hash_mix(h, b[i]);
    return h;
}

static inline uint64_t hash_string(const char *s)
{
    uint64_t h = HASH_SEED;
    while (*s)
        h = hash_mix(h, (unsigned char)*s++);
    return h;
}

#endif
