/* nodeset: 64-bit values named by dense ids. See nodeset.h.
 *
 * A slot is 0 (empty), tag << 32 | BUSY (claimed: its id and value are
 * being written), or tag << 32 | (id + 1), the tag being the hash's high
 * half. A put claims an empty slot by compare-and-swap, then takes the
 * next id, writes the value and publishes the slot (release); a reader
 * meeting a claimed slot waits the few instructions until it is
 * published. So a value is in the index once, and no id is ever given
 * twice or wasted. Nothing is deleted: a probe that meets an empty slot
 * knows the value is absent. */
#include "nodeset.h"

#include "mem.h"

#include <stdatomic.h>

enum {
    MIN_LOG = 12,
    MAX_LOG = 32,   /* ids stay below NODESET_NONE */
    MARGIN = 1024   /* puts that may pass the limit check at once */
};
#define BUSY UINT64_C(0xffffffff)

struct NodeSet {
    uint64_t *values; /* by id; room for limit + MARGIN */
    _Atomic uint64_t *index;
    uint64_t size, limit; /* slots; ids before the set refuses new ones */
    _Atomic uint64_t count;
};

static uint64_t mix(uint64_t v)
{
    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdull;
    v ^= v >> 33;
    v *= 0xc4ceb9fe1a85ec53ull;
    return v ^ (v >> 33);
}

/* The index and values for 2^log slots, or -1 (nothing changed). */
static int allocate(NodeSet *n, unsigned log, _Atomic uint64_t **index,
                     uint64_t **values)
{
    uint64_t size = (uint64_t)1 << log, limit = size / 4 * 3;
    *index = mem_map(size * sizeof **index);
    if (!*index)
        return -1;
    *values = mem_realloc(n->values, (limit + MARGIN) * sizeof **values);
    if (!*values) {
        mem_unmap((void *)*index, size * sizeof **index);
        return -1;
    }
    return 0;
}

NodeSet *nodeset_new(void)
{
    NodeSet *n = mem_calloc(1, sizeof *n);
    if (!n)
        return NULL;
    if (allocate(n, MIN_LOG, &n->index, &n->values) != 0) {
        mem_free(n);
        return NULL;
    }
    n->size = (uint64_t)1 << MIN_LOG;
    n->limit = n->size / 4 * 3;
    return n;
}

void nodeset_free(NodeSet *n)
{
    if (!n)
        return;
    mem_unmap((void *)n->index, n->size * sizeof *n->index);
    mem_free(n->values);
    mem_free(n);
}

/* The slot at i once published (a claimed one is waited for). */
static uint64_t published(const NodeSet *n, uint64_t i)
{
    uint64_t s = atomic_load_explicit(&n->index[i], memory_order_acquire);
    while ((s & BUSY) == BUSY)
        s = atomic_load_explicit(&n->index[i], memory_order_acquire);
    return s;
}

uint32_t nodeset_put(NodeSet *n, uint64_t v)
{
    uint64_t h = mix(v), tag = h >> 32 << 32, mask = n->size - 1;
    for (uint64_t i = h & mask;; i = (i + 1) & mask) {
        uint64_t s = atomic_load_explicit(&n->index[i], memory_order_acquire);
        if (s == 0) {
            if (atomic_load_explicit(&n->count, memory_order_relaxed) >=
                n->limit)
                return NODESET_FULL;
            if (!atomic_compare_exchange_strong_explicit(
                    &n->index[i], &s, tag | BUSY, memory_order_acquire,
                    memory_order_acquire)) {
                i = (i - 1) & mask; /* taken meanwhile: look at it again */
                continue;
            }
            uint64_t id = atomic_fetch_add_explicit(&n->count, 1,
                                                    memory_order_relaxed);
            n->values[id] = v;
            atomic_store_explicit(&n->index[i], tag | (id + 1),
                                  memory_order_release);
            return (uint32_t)id;
        }
        if ((s & BUSY) == BUSY)
            s = published(n, i);
        if ((s & ~BUSY) == tag && n->values[(uint32_t)s - 1] == v)
            return (uint32_t)s - 1;
    }
}

uint32_t nodeset_find(const NodeSet *n, uint64_t v)
{
    uint64_t h = mix(v), tag = h >> 32 << 32, mask = n->size - 1;
    for (uint64_t i = h & mask;; i = (i + 1) & mask) {
        uint64_t s = published(n, i);
        if (s == 0)
            return NODESET_NONE;
        if ((s & ~BUSY) == tag && n->values[(uint32_t)s - 1] == v)
            return (uint32_t)s - 1;
    }
}

uint64_t nodeset_value(const NodeSet *n, uint32_t id)
{
    return n->values[id];
}

int nodeset_wants_grow(const NodeSet *n)
{
    return atomic_load(&n->count) > n->size / 2;
}

size_t nodeset_grow_bytes(const NodeSet *n)
{
    /* at the peak: the doubled index beside the old one, and the values
     * copied into their doubled room (realloc) */
    return 2 * n->size * sizeof *n->index +
           (2 * n->limit + MARGIN) * sizeof *n->values;
}

int nodeset_grow(NodeSet *n)
{
    unsigned log = MIN_LOG;
    while (((uint64_t)1 << log) <= n->size)
        log++;
    if (log > MAX_LOG)
        return -1;
    _Atomic uint64_t *index;
    uint64_t *values;
    if (allocate(n, log, &index, &values) != 0)
        return -1;
    uint64_t size = (uint64_t)1 << log, mask = size - 1;
    uint64_t count = atomic_load(&n->count);
    for (uint64_t id = 0; id < count; id++) {
        uint64_t h = mix(values[id]);
        uint64_t i = h & mask;
        while (atomic_load_explicit(&index[i], memory_order_relaxed))
            i = (i + 1) & mask;
        atomic_store_explicit(&index[i], h >> 32 << 32 | (id + 1),
                              memory_order_relaxed);
    }
    mem_unmap((void *)n->index, n->size * sizeof *n->index);
    n->index = index;
    n->values = values;
    n->size = size;
    n->limit = size / 4 * 3;
    return 0;
}

uint64_t nodeset_count(const NodeSet *n) { return atomic_load(&n->count); }

size_t nodeset_bytes(const NodeSet *n)
{
    return n->size * sizeof *n->index +
           (size_t)atomic_load(&n->count) * sizeof *n->values;
}
