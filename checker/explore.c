/* explore: breadth-first exploration, one level at a time. See explore.h.
 *
 * States are numbered in the order a single thread expanding them in id
 * order would find them: the canonical order of explore.h. Large levels
 * are expanded by several threads (see "the parallel expansion" below),
 * which still insert in that order.
 * States are bit-packed (each word in as many bits as Machine.word_max
 * needs) into keys of a few 64-bit words, kept in one array by id, with an
 * open-addressing index of ids; the parent link and event of each state
 * sit in two arrays.
 * When a level holds a violation, the rest of that level is still expanded
 * (so counts do not depend on where in the level the violation sits), then
 * the run stops with the canonically first violation of the level. */
#include "explore.h"

#include "mem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { PREFETCH = 16 }; /* successors packed and prefetched together */

struct Explorer {
    const Machine *m;
    ExploreOptions opt;
    ExploreStats stats;
    size_t width;
    size_t key_words;         /* 64-bit words per packed state */
    uint8_t *bits;            /* per state word: its width in bits */
    uint64_t *keys;           /* states * key_words */
    uint64_t *key;            /* scratch: the key being looked up */
    uint64_t *pkeys;          /* scratch: PREFETCH keys being inserted */
    uint32_t *vec;            /* scratch: the state being expanded */
    uint64_t *parent;
    uint32_t *event;
    uint64_t count, cap;
    uint64_t *index;          /* slots: key words, then id + 1 (0: empty) */
    uint64_t index_size;      /* slots, a power of two */
    uint64_t max_states;      /* from max_states and memory */
    uint64_t violation;
    int violation_code;
    double start, last_progress;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Word-wise multiply-rotate, then the MurmurHash3 finaliser: every input
 * bit reaches every output bit, so probe chains stay short even though
 * state words are small numbers. */
static uint64_t hash_vec(const uint32_t *v, size_t width)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ width;
    for (size_t i = 0; i < width; i++) {
        h = (h ^ v[i]) * 0x9e3779b97f4a7c15ull;
        h = (h << 27) | (h >> 37);
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

/* The index holds each state's packed key inline, followed by its id + 1
 * (0: an empty slot): one cache line answers a lookup, without a second
 * access to the keys array. Slots are key_words + 1 words. */
static uint64_t *slot_at(const Explorer *ex, uint64_t i);

static size_t bytes_per_state(size_t key_words)
{
    /* key + parent + event + index slots (key + id) at <= 75% load */
    return key_words * sizeof(uint64_t) + sizeof(uint64_t) +
           sizeof(uint32_t) + (key_words + 1) * sizeof(uint64_t) * 4 / 3;
}

static uint64_t *slot_at(const Explorer *ex, uint64_t i)
{
    return ex->index + i * (ex->key_words + 1);
}

static uint64_t hash_key(const uint64_t *key, size_t n)
{
    return hash_vec((const uint32_t *)key, 2 * n);
}

static void pack(const Explorer *ex, const uint32_t *vec, uint64_t *key)
{
    memset(key, 0, ex->key_words * sizeof *key);
    size_t at = 0;
    for (size_t i = 0; i < ex->width; i++) {
        uint64_t v = vec[i];
        key[at / 64] |= v << (at % 64);
        if (at % 64 + ex->bits[i] > 64)
            key[at / 64 + 1] |= v >> (64 - at % 64);
        at += ex->bits[i];
    }
}

static void unpack(const Explorer *ex, const uint64_t *key, uint32_t *vec)
{
    size_t at = 0;
    for (size_t i = 0; i < ex->width; i++) {
        unsigned b = ex->bits[i];
        uint64_t v = key[at / 64] >> (at % 64);
        if (at % 64 + b > 64)
            v |= key[at / 64 + 1] << (64 - at % 64);
        vec[i] = (uint32_t)(b == 64 ? v : v & ((UINT64_C(1) << b) - 1));
        at += b;
    }
}

/* Bits per word from the machine's bounds; 32 when unbounded. */
static int layout(Explorer *ex)
{
    ex->bits = mem_alloc(ex->width + 1);
    if (!ex->bits)
        return -1;
    size_t total = 0;
    for (size_t i = 0; i < ex->width; i++) {
        uint32_t max = ex->m->word_max ? ex->m->word_max[i] : UINT32_MAX;
        unsigned b = 1;
        while (b < 32 && (max >> b) != 0)
            b++;
        ex->bits[i] = (uint8_t)b;
        total += b;
    }
    ex->key_words = total ? (total + 63) / 64 : 1;
    ex->key = mem_calloc(ex->key_words, sizeof *ex->key);
    ex->pkeys = mem_calloc(ex->key_words * PREFETCH, sizeof *ex->pkeys);
    ex->vec = mem_calloc(ex->width + 1, sizeof *ex->vec);
    return ex->key && ex->pkeys && ex->vec ? 0 : -1;
}

Explorer *explore_new(const Machine *m, const ExploreOptions *options)
{
    Explorer *ex = mem_calloc(1, sizeof *ex);
    if (!ex)
        return NULL;
    ex->m = m;
    if (options)
        ex->opt = *options;
    ex->width = m->width;
    if (layout(ex) != 0) {
        explore_free(ex);
        return NULL;
    }
    size_t memory = ex->opt.memory;
    if (!memory) {
        long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
        memory = pages > 0 && page > 0 ? (size_t)pages * (size_t)page / 2
                                       : (size_t)1 << 30;
    }
    ex->max_states = memory / bytes_per_state(ex->key_words);
    if (ex->opt.max_states && ex->opt.max_states < ex->max_states)
        ex->max_states = ex->opt.max_states;
    ex->index_size = 1024;
    ex->index = mem_calloc(ex->index_size * (ex->key_words + 1),
                           sizeof *ex->index);
    if (!ex->index) {
        explore_free(ex);
        return NULL;
    }
    ex->violation = UINT64_MAX;
    return ex;
}

void explore_free(Explorer *ex)
{
    if (!ex)
        return;
    mem_free(ex->keys);
    mem_free(ex->bits);
    mem_free(ex->key);
    mem_free(ex->pkeys);
    mem_free(ex->vec);
    mem_free(ex->parent);
    mem_free(ex->event);
    mem_free(ex->index);
    mem_free(ex);
}

const ExploreStats *explore_stats(const Explorer *ex) { return &ex->stats; }

uint64_t explore_violation(const Explorer *ex, int *code)
{
    if (code)
        *code = ex->violation_code;
    return ex->violation;
}

void explore_state(const Explorer *ex, uint64_t id, uint32_t *vec)
{
    unpack(ex, ex->keys + id * ex->key_words, vec);
}

/* The slot of `key` in the index (hash h): where it is, or the empty slot
 * where it would go. */
static uint64_t *find_slot(const Explorer *ex, const uint64_t *key,
                           uint64_t h)
{
    size_t kw = ex->key_words;
    uint64_t mask = ex->index_size - 1, i = h & mask;
    for (;; i = (i + 1) & mask) {
        uint64_t *slot = slot_at(ex, i);
        if (!slot[kw])
            return slot;
        size_t k = 0;
        while (k < kw && slot[k] == key[k])
            k++;
        if (k == kw)
            return slot;
    }
}

uint64_t explore_lookup(const Explorer *ex, const uint32_t *vec)
{
    uint64_t key[ex->key_words];
    pack(ex, vec, key);
    uint64_t id1 = find_slot(ex, key, hash_key(key, ex->key_words))[ex->key_words];
    return id1 ? id1 - 1 : UINT64_MAX;
}

int explore_parent(const Explorer *ex, uint64_t id, uint64_t *parent,
                   uint32_t *event)
{
    if (id == 0)
        return -1;
    *parent = ex->parent[id];
    *event = ex->event[id];
    return 0;
}

int explore_path(const Explorer *ex, uint64_t id, uint32_t **events,
                 uint64_t **states, size_t *len)
{
    size_t n = 0;
    for (uint64_t s = id; s != 0; s = ex->parent[s])
        n++;
    *events = mem_alloc((n + 1) * sizeof **events);
    *states = mem_alloc((n + 1) * sizeof **states);
    if (!*events || !*states) {
        mem_free(*events);
        mem_free(*states);
        return -1;
    }
    *len = n;
    uint64_t s = id;
    for (size_t i = n; i > 0; i--) {
        (*states)[i] = s;
        (*events)[i - 1] = ex->event[s];
        s = ex->parent[s];
    }
    (*states)[0] = 0;
    return 0;
}

const char *explore_status_text(ExploreStatus status)
{
    switch (status) {
    case EXPLORE_DONE: return "done";
    case EXPLORE_VIOLATION: return "violation found";
    case EXPLORE_LIMIT_STATES: return "state limit reached (--max-states)";
    case EXPLORE_LIMIT_MEMORY: return "memory limit reached: the state store "
                                      "is full (--memory)";
    case EXPLORE_LIMIT_TIME: return "time limit reached (--timeout)";
    case EXPLORE_NOMEM: return "out of memory";
    case EXPLORE_MACHINE_ERROR: return "the model could not be expanded";
    }
    return "?";
}

static int index_grow(Explorer *ex)
{
    size_t kw = ex->key_words;
    uint64_t *old = ex->index, old_size = ex->index_size;
    ex->index_size *= 2;
    ex->index = mem_calloc(ex->index_size * (kw + 1), sizeof *ex->index);
    if (!ex->index) {
        ex->index = old;
        ex->index_size = old_size;
        return -1;
    }
    for (uint64_t id = 0; id < ex->count; id++) {
        const uint64_t *key = ex->keys + id * kw;
        uint64_t *slot = find_slot(ex, key, hash_key(key, kw));
        mem_copy(slot, key, kw * sizeof *key);
        slot[kw] = id + 1;
    }
    mem_free(old);
    return 0;
}

static int store_reserve(Explorer *ex)
{
    if (ex->count < ex->cap)
        return 0;
    uint64_t cap = ex->cap ? ex->cap * 2 : 1024;
    if (cap > ex->max_states)
        cap = ex->max_states;
    uint64_t *v = mem_realloc(ex->keys, cap * ex->key_words * sizeof *v + 8);
    if (v)
        ex->keys = v;
    uint64_t *p = v ? mem_realloc(ex->parent, cap * sizeof *p) : NULL;
    if (p)
        ex->parent = p;
    uint32_t *e = p ? mem_realloc(ex->event, cap * sizeof *e) : NULL;
    if (!e)
        return -1;
    ex->event = e;
    ex->cap = cap;
    return 0;
}

static ExploreStatus store_insert_key(Explorer *ex, const uint64_t *key,
                                      uint64_t parent, uint32_t event);

/* Inserts vec if new. Returns EXPLORE_DONE, or a limit / nomem status. */
static ExploreStatus store_insert(Explorer *ex, const uint32_t *vec,
                                  uint64_t parent, uint32_t event)
{
    pack(ex, vec, ex->key);
    return store_insert_key(ex, ex->key, parent, event);
}

static ExploreStatus store_insert_hashed(Explorer *ex, const uint64_t *key,
                                         uint64_t h, uint64_t parent,
                                         uint32_t event);

/* Inserts a packed key if new (the key may be ex->key itself). */
static ExploreStatus store_insert_key(Explorer *ex, const uint64_t *key,
                                      uint64_t parent, uint32_t event)
{
    return store_insert_hashed(ex, key, hash_key(key, ex->key_words), parent,
                               event);
}

/* The same with the key's hash already known. */
static ExploreStatus store_insert_hashed(Explorer *ex, const uint64_t *key,
                                         uint64_t h, uint64_t parent,
                                         uint32_t event)
{
    size_t kw = ex->key_words;
    uint64_t *slot = find_slot(ex, key, h);
    if (slot[kw])
        return EXPLORE_DONE;
    if (ex->count >= ex->max_states)
        return ex->opt.max_states && ex->count >= ex->opt.max_states
                   ? EXPLORE_LIMIT_STATES
                   : EXPLORE_LIMIT_MEMORY;
    if (store_reserve(ex) != 0)
        return EXPLORE_NOMEM;
    uint64_t id = ex->count++;
    mem_copy(ex->keys + id * kw, key, kw * sizeof *key);
    ex->parent[id] = parent;
    ex->event[id] = event;
    mem_copy(slot, key, kw * sizeof *key);
    slot[kw] = id + 1;
    if (ex->count * 4 > ex->index_size * 3 && index_grow(ex) != 0)
        return EXPLORE_NOMEM;
    return EXPLORE_DONE;
}

/* Successors of the state being expanded, kept for the inspect call. */
typedef struct Batch {
    ExploreSucc *succ;
    uint32_t *vecs;
    size_t count, cap, width;
    int failed;
} Batch;

static void batch_add(void *ctx, uint32_t event, const uint32_t *target)
{
    Batch *b = ctx;
    if (b->count == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        uint32_t *v = mem_realloc(b->vecs, cap * b->width * sizeof *v + 4);
        if (v)
            b->vecs = v;
        ExploreSucc *s = v ? mem_realloc(b->succ, cap * sizeof *s) : NULL;
        if (!s) {
            b->failed = 1;
            return;
        }
        b->succ = s;
        b->cap = cap;
    }
    mem_copy(b->vecs + b->count * b->width, target, b->width * sizeof *target);
    b->succ[b->count++].event = event;
}

static void progress(Explorer *ex, unsigned level, int final)
{
    if (!ex->opt.progress || !isatty(STDERR_FILENO))
        return;
    double t = now();
    if (!final && t - ex->last_progress < 0.1)
        return;
    ex->last_progress = t;
    double secs = t - ex->start;
    fprintf(stderr, "\r%llu states, level %u, %.0f states/s, %.1f MB   %s",
            (unsigned long long)ex->count, level,
            secs > 0 ? ex->count / secs : 0.0,
            ex->count * (double)bytes_per_state(ex->key_words) / 1e6,
            final ? "\r\033[K" : "");
}

/* Expands state `id`: stores its successors, then inspects it. */
static ExploreStatus expand(Explorer *ex, uint64_t id, Batch *b, void *scratch,
                            ExploreInspect inspect, void *ud)
{
    b->count = 0;
    b->failed = 0;
    uint32_t *vec = ex->vec;
    unpack(ex, ex->keys + id * ex->key_words, vec);
    if (machine_successors(ex->m, vec, scratch, batch_add, b) != MACHINE_OK)
        return EXPLORE_MACHINE_ERROR;
    if (b->failed)
        return EXPLORE_NOMEM;
    ex->stats.transitions += b->count;
    /* Pack and hash a group of successors and prefetch their index slots
     * before probing: the probes' cache misses then overlap. */
    size_t kw = ex->key_words;
    for (size_t base = 0; base < b->count; base += PREFETCH) {
        size_t n = b->count - base < PREFETCH ? b->count - base : PREFETCH;
        uint64_t hashes[PREFETCH];
        for (size_t k = 0; k < n; k++) {
            uint64_t *key = ex->pkeys + k * kw;
            pack(ex, b->vecs + (base + k) * ex->width, key);
            hashes[k] = hash_key(key, kw);
            __builtin_prefetch(slot_at(ex, hashes[k] & (ex->index_size - 1)));
        }
        for (size_t k = 0; k < n; k++) {
            ExploreStatus st = store_insert_hashed(
                ex, ex->pkeys + k * kw, hashes[k], id, b->succ[base + k].event);
            if (st != EXPLORE_DONE)
                return st;
            b->succ[base + k].target = b->vecs + (base + k) * ex->width;
        }
    }
    if (inspect && ex->violation == UINT64_MAX) {
        int code = inspect(ud, vec, b->succ, b->count);
        if (code > 0) {
            ex->violation = id;
            ex->violation_code = code;
        }
    }
    return EXPLORE_DONE;
}


/* ---------- the parallel expansion of a level ----------
 *
 * A level is cut into chunks of consecutive ids. Worker threads expand
 * chunks (successors, the inspect call, and a read-only probe of the
 * store, which finds most successors already there) into per-chunk
 * records; then this thread inserts the records that were not found, chunk
 * by chunk in id order, successor by successor. The order of insertion is
 * the sequential one, so ids, parents and the violation chosen are the same
 * for every thread count. The store is not written while workers read it. */

enum { CHUNK = 256, CHUNKS_PER_ROUND = 64, PARALLEL_MIN = 512 };

typedef struct Chunk {
    uint64_t first, end;     /* ids expanded */
    uint64_t *keys;          /* per record: key_words words */
    uint64_t *parent;        /* per record */
    uint32_t *event;         /* per record */
    size_t count, cap;
    uint64_t transitions;
    uint64_t violation;      /* first violating id of the chunk, or MAX */
    int code;
    ExploreStatus status;
} Chunk;

typedef struct Worker {
    Explorer *ex;
    Chunk *chunks;
    size_t nchunks;
    atomic_size_t *next;
    ExploreInspect inspect;
    void *ud;
    void *scratch;
    Batch batch;
    uint32_t *vec;
    uint64_t *key;
} Worker;

/* Records a successor that was not in the store when the round began. */
static int chunk_add(Chunk *c, size_t kw, const uint64_t *key, uint64_t parent,
                     uint32_t event)
{
    if (c->count == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 1024;
        uint64_t *k = mem_realloc(c->keys, cap * kw * sizeof *k);
        if (k)
            c->keys = k;
        uint64_t *p = k ? mem_realloc(c->parent, cap * sizeof *p) : NULL;
        if (p)
            c->parent = p;
        uint32_t *e = p ? mem_realloc(c->event, cap * sizeof *e) : NULL;
        if (!e)
            return -1;
        c->event = e;
        c->cap = cap;
    }
    mem_copy(c->keys + c->count * kw, key, kw * sizeof *key);
    c->parent[c->count] = parent;
    c->event[c->count++] = event;
    return 0;
}

static void chunk_expand(Worker *w, Chunk *c)
{
    Explorer *ex = w->ex;
    size_t kw = ex->key_words;
    Batch *b = &w->batch;
    c->count = 0;
    c->transitions = 0;
    c->violation = UINT64_MAX;
    c->status = EXPLORE_DONE;
    for (uint64_t id = c->first; id < c->end; id++) {
        unpack(ex, ex->keys + id * kw, w->vec);
        b->count = 0;
        b->failed = 0;
        if (machine_successors(ex->m, w->vec, w->scratch, batch_add, b) !=
            MACHINE_OK) {
            c->status = EXPLORE_MACHINE_ERROR;
            return;
        }
        if (b->failed) {
            c->status = EXPLORE_NOMEM;
            return;
        }
        c->transitions += b->count;
        for (size_t k = 0; k < b->count; k++) {
            const uint32_t *target = b->vecs + k * ex->width;
            b->succ[k].target = target;
            pack(ex, target, w->key);
            int found = find_slot(ex, w->key, hash_key(w->key, kw))[kw] != 0;
            if (!found && chunk_add(c, kw, w->key, id, b->succ[k].event)) {
                c->status = EXPLORE_NOMEM;
                return;
            }
        }
        if (w->inspect && c->violation == UINT64_MAX) {
            int code = w->inspect(w->ud, w->vec, b->succ, b->count);
            if (code > 0) {
                c->violation = id;
                c->code = code;
            }
        }
    }
}

static void *worker_main(void *arg)
{
    Worker *w = arg;
    for (;;) {
        size_t i = atomic_fetch_add(w->next, 1);
        if (i >= w->nchunks)
            return NULL;
        chunk_expand(w, &w->chunks[i]);
    }
}

/* Inserts the records of the chunks in order; notes the first violation. */
static ExploreStatus round_merge(Explorer *ex, Chunk *chunks, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        Chunk *c = &chunks[i];
        if (c->status != EXPLORE_DONE)
            return c->status;
        ex->stats.transitions += c->transitions;
        size_t kw = ex->key_words;
        for (size_t base = 0; base < c->count; base += PREFETCH) {
            size_t group = c->count - base < PREFETCH ? c->count - base
                                                      : PREFETCH;
            uint64_t hashes[PREFETCH];
            for (size_t k = 0; k < group; k++) { /* overlap the misses */
                hashes[k] = hash_key(c->keys + (base + k) * kw, kw);
                __builtin_prefetch(
                    slot_at(ex, hashes[k] & (ex->index_size - 1)));
            }
            for (size_t k = 0; k < group; k++) {
                size_t r = base + k;
                ExploreStatus st = store_insert_hashed(
                    ex, c->keys + r * kw, hashes[k], c->parent[r], c->event[r]);
                if (st != EXPLORE_DONE)
                    return st;
            }
        }
        if (c->violation != UINT64_MAX && ex->violation == UINT64_MAX) {
            ex->violation = c->violation;
            ex->violation_code = c->code;
        }
    }
    return EXPLORE_DONE;
}

/* Expands ids [first, end) with `nworkers` threads, round by round. */
static ExploreStatus level_parallel(Explorer *ex, Worker *workers,
                                    unsigned nworkers, uint64_t first,
                                    uint64_t end, Chunk *chunks)
{
    while (first < end) {
        size_t n = 0;
        for (; n < CHUNKS_PER_ROUND && first < end; n++) {
            chunks[n].first = first;
            first = first + CHUNK < end ? first + CHUNK : end;
            chunks[n].end = first;
        }
        atomic_size_t next = 0;
        pthread_t threads[nworkers];
        unsigned started = 0;
        for (unsigned t = 0; t < nworkers; t++) {
            workers[t].chunks = chunks;
            workers[t].nchunks = n;
            workers[t].next = &next;
        }
        for (unsigned t = 1; t < nworkers; t++)
            if (pthread_create(&threads[started], NULL, worker_main,
                               &workers[t]) == 0)
                started++;
        worker_main(&workers[0]);
        for (unsigned t = 0; t < started; t++)
            pthread_join(threads[t], NULL);
        ExploreStatus st = round_merge(ex, chunks, n);
        if (st != EXPLORE_DONE)
            return st;
        if (ex->opt.timeout > 0 && now() - ex->start > ex->opt.timeout)
            return EXPLORE_LIMIT_TIME;
        progress(ex, ex->stats.depth, 0);
    }
    return EXPLORE_DONE;
}

static ExploreStatus explore_levels(Explorer *ex, Batch *b, void *scratch,
                                    ExploreInspect inspect, void *ud,
                                    Worker *workers, unsigned nworkers,
                                    Chunk *chunks)
{
    uint64_t next = 0;
    unsigned level = 0;
    while (next < ex->count) {
        uint64_t level_end = ex->count;
        if (nworkers > 1 && level_end - next >= PARALLEL_MIN) {
            ExploreStatus st = level_parallel(ex, workers, nworkers, next,
                                              level_end, chunks);
            if (st != EXPLORE_DONE)
                return st;
            next = level_end;
        }
        for (; next < level_end; next++) {
            ExploreStatus st = expand(ex, next, b, scratch, inspect, ud);
            if (st != EXPLORE_DONE)
                return st;
            if ((next & 1023) == 0) {
                if (ex->opt.timeout > 0 && now() - ex->start > ex->opt.timeout)
                    return EXPLORE_LIMIT_TIME;
                progress(ex, level, 0);
            }
        }
        level++;
        ex->stats.depth = level;
        if (ex->violation != UINT64_MAX)
            return EXPLORE_VIOLATION;
    }
    return EXPLORE_DONE;
}

/* One thread unless asked: with the store filled by one thread, a second
 * thread does not pay yet (measured: README, Performance). */
static unsigned thread_count(const ExploreOptions *opt)
{
    unsigned n = opt->threads ? opt->threads : 1;
    return n > 64 ? 64 : n;
}

static int workers_init(Explorer *ex, Worker *w, unsigned n,
                        ExploreInspect inspect, void *ud)
{
    for (unsigned t = 0; t < n; t++) {
        w[t] = (Worker){.ex = ex, .inspect = inspect, .ud = ud};
        w[t].batch.width = ex->width;
        w[t].scratch = mem_calloc(1, ex->m->scratch_size + 16);
        w[t].vec = mem_alloc(ex->width * sizeof *w[t].vec + 4);
        w[t].key = mem_alloc(ex->key_words * sizeof *w[t].key);
        if (!w[t].scratch || !w[t].vec || !w[t].key)
            return -1;
    }
    return 0;
}

static void workers_free(Worker *w, unsigned n, Chunk *chunks)
{
    for (unsigned t = 0; t < n; t++) {
        mem_free(w[t].scratch);
        mem_free(w[t].vec);
        mem_free(w[t].key);
        mem_free(w[t].batch.succ);
        mem_free(w[t].batch.vecs);
    }
    for (size_t i = 0; chunks && i < CHUNKS_PER_ROUND; i++) {
        mem_free(chunks[i].keys);
        mem_free(chunks[i].parent);
        mem_free(chunks[i].event);
    }
    mem_free(chunks);
    mem_free(w);
}

ExploreStatus explore_run(Explorer *ex, ExploreInspect inspect, void *ud)
{
    ex->start = ex->last_progress = now();
    unsigned nworkers = thread_count(&ex->opt);
    Batch b = {.width = ex->width};
    void *scratch = mem_calloc(1, ex->m->scratch_size + 16);
    uint32_t *init = mem_alloc(ex->width * sizeof *init + 4);
    Worker *workers = mem_calloc(nworkers, sizeof *workers);
    Chunk *chunks = mem_calloc(CHUNKS_PER_ROUND, sizeof *chunks);
    ExploreStatus st = EXPLORE_NOMEM;
    if (scratch && init && workers && chunks &&
        workers_init(ex, workers, nworkers, inspect, ud) == 0) {
        machine_initial(ex->m, init);
        st = store_insert(ex, init, 0, EVENT_NONE);
        if (st == EXPLORE_DONE)
            st = explore_levels(ex, &b, scratch, inspect, ud, workers,
                                nworkers, chunks);
    }
    if (workers)
        workers_free(workers, nworkers, chunks);
    else
        mem_free(chunks);
    progress(ex, ex->stats.depth, 1);
    mem_free(scratch);
    mem_free(init);
    mem_free(b.succ);
    mem_free(b.vecs);
    ex->stats.states = ex->count;
    ex->stats.seconds = now() - ex->start;
    ex->stats.threads = nworkers;
    ex->stats.store_bytes = ex->cap * (ex->key_words * sizeof(uint64_t) +
                                       sizeof(uint64_t) + sizeof(uint32_t)) +
                            ex->index_size * (ex->key_words + 1) *
                                sizeof(uint64_t);
    ex->stats.bytes_per_state =
        ex->count ? (double)ex->stats.store_bytes / ex->count : 0;
    return st;
}
