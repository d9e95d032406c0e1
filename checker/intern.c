/* intern: hash-consing of byte strings. See intern.h.
 *
 * One mutex guards insertion (hash index + arena); readers of a published id
 * only follow two atomic pointers. Chunks hold 2^16 entries each; the chunk
 * directory is allocated whole (2^16 pointers) so it never moves. */
#include "intern.h"

#include "hash.h"
#include "mem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

enum { CHUNK_BITS = 16, CHUNK_SIZE = 1 << CHUNK_BITS, DIR_SIZE = 1 << 16 };

typedef struct Blob {
    uint64_t hash;
    uint32_t size;
    uint32_t pad;
    _Alignas(16) unsigned char data[];
} Blob;

struct Intern {
    pthread_mutex_t lock;
    Arena *arena;
    _Atomic(Blob **) *dir;  /* DIR_SIZE chunk pointers */
    atomic_uint count;
    uint32_t *index;        /* hash slot -> id + 1; 0 = empty */
    size_t index_size;      /* power of two */
    size_t bytes;
};

static uint64_t intern_hash(const void *blob, size_t size)
{
    uint64_t h = hash_bytes(HASH_SEED ^ size, blob, size);
    return h ^ (h >> 29);
}

Intern *intern_new(void)
{
    Intern *in = mem_calloc(1, sizeof *in);
    if (!in)
        return NULL;
    pthread_mutex_init(&in->lock, NULL);
    in->arena = arena_new();
    in->dir = mem_calloc(DIR_SIZE, sizeof *in->dir);
    in->index_size = 1024;
    in->index = mem_calloc(in->index_size, sizeof *in->index);
    if (!in->arena || !in->dir || !in->index) {
        intern_free(in);
        return NULL;
    }
    return in;
}

void intern_free(Intern *in)
{
    if (!in)
        return;
    /* only the chunks in use: reading all DIR_SIZE entries faulted in
     * half a megabyte per table (a ring of 1,000 normalised nodes spent
     * a fifth of its time here) */
    size_t used = ((size_t)atomic_load(&in->count) >> CHUNK_BITS) + 1;
    for (size_t i = 0; in->dir && i < used && i < DIR_SIZE; i++)
        mem_free(atomic_load(&in->dir[i]));
    mem_free(in->dir);
    mem_free(in->index);
    arena_free(in->arena);
    pthread_mutex_destroy(&in->lock);
    mem_free(in);
}

static Blob *intern_blob(const Intern *in, uint32_t id)
{
    Blob **chunk = atomic_load_explicit(&in->dir[id >> CHUNK_BITS],
                                        memory_order_acquire);
    return chunk[id & (CHUNK_SIZE - 1)];
}

static int intern_rehash(Intern *in)
{
    size_t size = in->index_size * 2;
    uint32_t *index = mem_calloc(size, sizeof *index);
    if (!index)
        return -1;
    uint32_t count = atomic_load(&in->count);
    for (uint32_t id = 0; id < count; id++) {
        size_t i = intern_blob(in, id)->hash & (size - 1);
        while (index[i])
            i = (i + 1) & (size - 1);
        index[i] = id + 1;
    }
    mem_free(in->index);
    in->index = index;
    in->index_size = size;
    return 0;
}

/* Appends a new blob; caller holds the lock. */
static uint32_t intern_append(Intern *in, const void *blob, size_t size,
                              uint64_t hash, size_t slot)
{
    uint32_t id = atomic_load(&in->count);
    if (id == UINT32_MAX)
        return UINT32_MAX;
    size_t c = id >> CHUNK_BITS;
    Blob **chunk = atomic_load(&in->dir[c]);
    if (!chunk) {
        chunk = mem_calloc(CHUNK_SIZE, sizeof *chunk);
        if (!chunk)
            return UINT32_MAX;
        atomic_store_explicit(&in->dir[c], chunk, memory_order_release);
    }
    Blob *b = arena_alloc(in->arena, sizeof(Blob) + size);
    if (!b)
        return UINT32_MAX;
    b->hash = hash;
    b->size = (uint32_t)size;
    mem_copy(b->data, blob, size);
    chunk[id & (CHUNK_SIZE - 1)] = b;
    in->index[slot] = id + 1;
    in->bytes += sizeof(Blob) + size;
    atomic_store_explicit(&in->count, id + 1, memory_order_release);
    return id;
}

uint32_t intern_add(Intern *in, const void *blob, size_t size)
{
    uint64_t hash = intern_hash(blob, size);
    pthread_mutex_lock(&in->lock);
    uint32_t id = UINT32_MAX;
    if ((atomic_load(&in->count) + 1) * 2 > in->index_size &&
        intern_rehash(in) != 0)
        goto out;
    size_t i = hash & (in->index_size - 1);
    for (;;) {
        uint32_t cand = in->index[i];
        if (!cand) {
            id = intern_append(in, blob, size, hash, i);
            break;
        }
        Blob *b = intern_blob(in, cand - 1);
        if (b->hash == hash && b->size == size &&
            memcmp(b->data, blob, size) == 0) {
            id = cand - 1;
            break;
        }
        i = (i + 1) & (in->index_size - 1);
    }
out:
    pthread_mutex_unlock(&in->lock);
    return id;
}

const void *intern_get(const Intern *in, uint32_t id, size_t *size)
{
    Blob *b = intern_blob(in, id);
    if (size)
        *size = b->size;
    return b->data;
}

uint32_t intern_count(const Intern *in)
{
    return atomic_load_explicit(&((Intern *)in)->count, memory_order_acquire);
}

size_t intern_bytes(const Intern *in) { return in->bytes; }
