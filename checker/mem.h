/* mem: the one door for memory, and arenas by lifetime.
 *
 * Every allocation of lockstep passes through mem_alloc / mem_realloc /
 * mem_free, so a test can count allocations and make the k-th one fail (as
 * Lua's ltests.c and SQLite's fault simulation do). Callers must treat NULL
 * as "out of memory" and report it as a status, never abort. A failure also
 * raises the run's memory limit (limit.h): whatever phase meets it, every
 * phase then unwinds as for --memory and the run ends with exit 3.
 *
 * An Arena hands out memory that lives until arena_free: one arena per loaded
 * model, one per worker for scratch. Arena memory is never freed piecemeal.
 *
 * Not thread-safe to *swap* the hook while other threads allocate; the
 * allocation functions themselves are thread-safe (they call libc).
 */
#ifndef LOCKSTEP_MEM_H
#define LOCKSTEP_MEM_H

#include <stddef.h>

/* Returns NULL on failure (or when the fault hook says so). n == 0 allowed. */
void *mem_alloc(size_t n);
/* Zeroed; checks count * size for overflow. */
void *mem_calloc(size_t count, size_t size);
/* Like realloc; on failure the old block is untouched and NULL returned. */
void *mem_realloc(void *p, size_t n);
void mem_free(void *p);
/* A NUL-terminated copy, or NULL. */
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t n);

/* Fault injection for tests: after `countdown` more successful allocations,
 * every later one fails (countdown < 0 disables). mem_allocations() counts
 * calls since the last mem_fail_after. */
void mem_fail_after(long countdown);
/* Calls `fatal` (which does not return) at the first allocation failure
 * instead of returning NULL: for a process whose failure the others could
 * not learn of in time (a rank of an MPI job, dist.h). NULL: return NULL
 * again. */
void mem_on_failure(void (*fatal)(void));
long mem_allocations(void);

/* Grow *items (of *cap elements of `size` bytes) to hold at least `need`.
 * Returns 0 on success, -1 when out of memory (nothing changed). */
int mem_grow(void **items, size_t *cap, size_t need, size_t size);

/* memcpy that accepts (NULL, 0): empty arrays are often NULL here, and C
 * leaves memcpy(dst, NULL, 0) undefined. */
static inline void mem_copy(void *dst, const void *src, size_t n)
{
    if (n)
        __builtin_memcpy(dst, src, n);
}

/* Large zeroed regions whose pages cost nothing until first touched (the
 * state store sizes one from --memory): mmap, never calloc, because the
 * sanitizers' calloc writes every page. Passes the fault hook. NULL when
 * out of memory; release with mem_unmap and the same size. */
void *mem_map(size_t n);
void mem_unmap(void *p, size_t n);
/* Makes the pages of [p, p + n) of a mem_map region present and writable
 * now, on the calling thread, instead of at their first writes. A hint:
 * nothing happens where the system cannot (Linux before 5.14). Pays
 * where pages are first written at random (a rehash): one write fault
 * per page rather than a read fault that maps the shared zero page and a
 * second one that replaces it; and a pool can take the faults in
 * parallel, each worker its own part. */
void mem_populate(void *p, size_t n);

typedef struct Arena Arena;
Arena *arena_new(void);
/* 16-byte aligned, zeroed; NULL when out of memory. */
void *arena_alloc(Arena *arena, size_t n);
char *arena_strdup(Arena *arena, const char *s);
char *arena_strndup(Arena *arena, const char *s, size_t n);
/* Bytes handed out so far (for statistics). */
size_t arena_used(const Arena *arena);
void arena_free(Arena *arena);

#endif
