/* mem: the allocation door and arenas. See mem.h. */
#include "mem.h"

#include "limit.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The fault-injection countdown is global state for tests only, atomic so
 * that a multi-threaded check under fault injection stays well defined
 * (limit.h's flag is the checker's other global state). */
static atomic_long fail_countdown = -1;
static atomic_long allocation_count = 0;

static int mem_should_fail(void)
{
    atomic_fetch_add(&allocation_count, 1);
    long left = atomic_load(&fail_countdown);
    while (left >= 0) {
        if (left == 0)
            return 1;
        if (atomic_compare_exchange_weak(&fail_countdown, &left, left - 1))
            return 0;
    }
    return 0;
}

void mem_fail_after(long countdown)
{
    atomic_store(&fail_countdown, countdown);
    atomic_store(&allocation_count, 0);
}

long mem_allocations(void) { return atomic_load(&allocation_count); }

/* Every failure, injected or real: the run's memory limit is reached, so
 * every phase unwinds as for --memory (one strategy for the whole
 * program) and the caller still gets its NULL. */
static void (*fatal_hook)(void);

void mem_on_failure(void (*fatal)(void)) { fatal_hook = fatal; }

static void *mem_out(void)
{
    limit_raise(LIMIT_MEMORY);
    if (fatal_hook)
        fatal_hook();
    return NULL;
}

static void *mem_checked(void *p) { return p ? p : mem_out(); }

void *mem_alloc(size_t n)
{
    if (mem_should_fail())
        return mem_out();
    return mem_checked(malloc(n ? n : 1));
}

void *mem_calloc(size_t count, size_t size)
{
    if ((size && count > SIZE_MAX / size) || mem_should_fail())
        return mem_out();
    return mem_checked(calloc(count ? count : 1, size ? size : 1));
}

void *mem_realloc(void *p, size_t n)
{
    if (mem_should_fail())
        return mem_out();
    return mem_checked(realloc(p, n ? n : 1));
}

void mem_free(void *p) { free(p); }

enum { MEM_MAP_HUGE = 32 << 20 };

void *mem_map(size_t n)
{
    if (mem_should_fail())
        return mem_out();
    void *p = mmap(NULL, n ? n : 1, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return mem_out();
#ifdef MADV_HUGEPAGE
    /* Random access over a big region: with 4 KB pages nearly every access
     * misses the TLB too. A hint; untouched memory still costs nothing. */
    if (n >= MEM_MAP_HUGE)
        madvise(p, n, MADV_HUGEPAGE);
#endif
    return p;
}

void mem_unmap(void *p, size_t n)
{
    if (p)
        munmap(p, n ? n : 1);
}

void mem_populate(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = (uintptr_t)p & ~(uintptr_t)(page - 1);
    if (n)
        (void)madvise((void *)lo, (uintptr_t)p + n - lo, MADV_POPULATE_WRITE);
#else
    (void)p;
    (void)n;
#endif
}

char *mem_strndup(const char *s, size_t n)
{
    char *copy = mem_alloc(n + 1);
    if (copy) {
        mem_copy(copy, s, n);
        copy[n] = '\0';
    }
    return copy;
}

char *mem_strdup(const char *s) { return mem_strndup(s, strlen(s)); }

int mem_grow(void **items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t next = *cap ? *cap : 8;
    while (next < need) {
        if (next > SIZE_MAX / 2 / size)
            return -1;
        next *= 2;
    }
    void *grown = mem_realloc(*items, next * size);
    if (!grown)
        return -1;
    *items = grown;
    *cap = next;
    return 0;
}

/* ---- arenas: a chain of blocks, bump allocation ---- */

typedef struct Block {
    struct Block *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} Block;

struct Arena {
    Block *head;
    size_t total;
};

enum { ARENA_BLOCK = 64 * 1024 };

Arena *arena_new(void) { return mem_calloc(1, sizeof(Arena)); }

void *arena_alloc(Arena *arena, size_t n)
{
    if (n > SIZE_MAX / 2)
        return mem_out();
    n = (n + 15) & ~(size_t)15;
    Block *b = arena->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = mem_alloc(sizeof(Block) + size);
        if (!b)
            return NULL;
        b->size = size;
        b->used = 0;
        /* Keep the fuller block at the head only if the new one is a
         * one-off big block; otherwise the new block becomes the head. */
        if (arena->head && n > ARENA_BLOCK) {
            b->next = arena->head->next;
            arena->head->next = b;
        } else {
            b->next = arena->head;
            arena->head = b;
        }
    }
    void *p = b->data + b->used;
    b->used += n;
    arena->total += n;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(Arena *arena, const char *s, size_t n)
{
    char *copy = arena_alloc(arena, n + 1);
    if (copy) {
        mem_copy(copy, s, n);
        copy[n] = '\0';
    }
    return copy;
}

char *arena_strdup(Arena *arena, const char *s)
{
    return arena_strndup(arena, s, strlen(s));
}

size_t arena_used(const Arena *arena) { return arena->total; }

void arena_free(Arena *arena)
{
    if (!arena)
        return;
    Block *b = arena->head;
    while (b) {
        Block *next = b->next;
        mem_free(b);
        b = next;
    }
    mem_free(arena);
}
