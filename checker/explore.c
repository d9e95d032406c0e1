/* explore: level-synchronous parallel breadth-first search. See explore.h.
 *
 * Each BFS level [lo, hi) of canonical ids is expanded by the workers of a
 * pool (pool.h): each starts with a contiguous share of the level, works
 * through it in order and, once dry, steals the back half of the largest
 * share left (claim_chunk). A worker computes a
 * state's successors, packs them and inserts each into the concurrent store
 * (store.h) under a pending position taken from its own block of
 * positions. For every state new in this level it records the minimal
 * *discovery* (parent id << 32 | successor index) by compare-and-swap:
 * that is the first discovery a sequential BFS would make. When the level
 * is done, the new states are sorted by discovery (order.h, on the pool)
 * and committed in that order: ids, parent links and the violation chosen
 * are then the same for every thread count, as explore.h promises. With
 * one worker the pending positions are already in canonical order and the
 * commit only writes parent links.
 *
 * When the index must grow, or the store is full, a worker that cannot get
 * a block asks the others to pause; they stop at their next state, the
 * index is rehashed by the whole pool, and every worker resumes where it
 * was, in the middle of a state if need be.
 *
 * When a level holds a violation, the rest of that level is still expanded
 * (so counts do not depend on where in the level the violation sits), then
 * the run stops with the canonically first violation of the level.
 *
 * Under --max-states a level is expanded 2^16 parents at a time, in id
 * order; once the new states found reach the limit, the canonically first
 * of them are known (level_run), and the rest of the level is expanded
 * without storing: the states beyond the limit never take memory.
 *
 * The store keeps no events: a parent link's event is recomputed from the
 * parent's successors when a path is asked for (the first successor that
 * leads to the child, which is the canonical discovery). */
#include "explore.h"

#include "dist.h"
#include "explore_disk.h"
#include "explore_dist.h"
#include "limit.h"
#include "mem.h"
#include "order.h"
#include "pool.h"
#include "store.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum {
    CHUNK = 64,           /* ids a worker takes from its range at once */
    BLOCK = 256,          /* pending positions a worker takes at once */
    PARALLEL_MIN = 128,   /* smaller levels are expanded by one worker */
    COMMIT_PARALLEL_MIN = 4096, /* fewer positions: sorted, committed by one */
    SPARE = 32,           /* positions per spare (see reclaim) */
    GROW_MIN = 4096,      /* pending positions added at least by a growth */
    MAX_THREADS = 256
};

static const uint64_t NO_DISC = ORDER_NONE;

/* A state in the worker's pipeline and its successors. */
typedef struct Batch {
    uint64_t id;
    uint32_t *state;
    ExploreSucc *succ;
    uint32_t *vecs;
    uint64_t *keys, *hashes;
    uint8_t *met;     /* per successor: 1 if the worker met it earlier in
                         this run (see Recent) */
    uint32_t stamp;   /* the worker's run when the state was expanded
                         (after a steal, states of the run before are
                         still in the pipeline) */
    size_t count, cap, width, key_words;
    int failed;
} Batch;

/* Each worker keeps DEPTH states in flight: the newest has just been
 * expanded and its successors' index slots are being fetched while the
 * oldest one's successors are inserted: the cache misses of the store
 * overlap with successor computation. (Fetching the keys the slots name
 * one step later as well was measured: no faster.) */
enum { DEPTH = 3 };

/* Workers write their own fields all the time: each one's fields and
 * scratch sit on cache lines of their own (CACHE_LINE of padding), or
 * the two cores would trade those lines back and forth. */
enum { CACHE_LINE = 64 };

typedef struct Worker {
    char pad_front[CACHE_LINE];
    /* The ids of the level still to be expanded by this worker: first in
     * the low 32 bits, end in the high ones (ids are below 2^32, see
     * store.h). The owner takes from the front, a thief halves it from the
     * back; one word, so one compare-and-swap settles both. */
    _Atomic uint64_t range;
    char pad_range[CACHE_LINE];
    struct Explorer *ex;
    void *scratch;                 /* the machine's, padded */
    void *scratch_block;
    void *state_block;             /* the ring's states, padded */
    struct Recent *recent;         /* recent successors, or NULL */
    uint32_t stamp;                /* the run under way (see Recent) */
    Batch ring[DEPTH];
    unsigned head, inflight;       /* ring[head] is the oldest */
    size_t next_succ;              /* its successors already inserted */
    uint64_t chunk_pos, chunk_end; /* ids claimed, not yet expanded */
    uint64_t blk_pos, blk_end;     /* pending positions owned */
    uint64_t transitions;
    uint64_t violation;            /* first violating id seen, or MAX */
    int code;
    ExploreStatus status;
    char pad_back[CACHE_LINE];
} Worker;

struct Explorer {
    ExploreDist *dist;            /* a distributed run: everything is there */
    ExploreDisk *disk;            /* a run on disk: everything is there */
    const Machine *m;
    ExploreOptions opt;
    ExploreStats stats;
    Store *store;
    _Atomic uint64_t *disc;    /* per pending position: min discovery */
    size_t disc_bytes;
    Pool *pool;
    Worker *workers;
    unsigned threads;
    ExploreInspect inspect;
    void *ud;
    /* the level being expanded: ids [lo, hi) */
    uint64_t lo, hi;
    int count_only;               /* successors counted and inspected, not
                                     stored (past --max-states) */
    atomic_int lost;              /* a count-only successor is not stored */
    unsigned level;
    unsigned nworkers;            /* expanding this level */
    unsigned commit_parts;
    uint64_t pend_limit;          /* positions the store has room for */
    /* written often by all workers: each on a line of its own */
    _Alignas(CACHE_LINE) _Atomic uint64_t pend_next; /* positions handed out */
    char pad[CACHE_LINE];
    uint64_t *spare;              /* unused ends of blocks: lo, hi pairs */
    unsigned spare_count;
    atomic_uint spare_next;       /* first spare not taken */
    atomic_int pause, stop;
    _Atomic uint64_t first_violation;
    _Atomic uint64_t error_state; /* smallest id the machine failed on */
    atomic_int limit;       /* the LimitKind that stopped the run */
    Order *order;                 /* the commit's sorting */
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

Explorer *explore_new(const Machine *m, const ExploreOptions *options)
{
    Explorer *ex = mem_calloc(1, sizeof *ex);
    if (!ex)
        return NULL;
    ex->m = m;
    if (options)
        ex->opt = *options;
    if (ex->opt.distributed && dist_size() > 1) {
        ex->dist = explore_dist_new(m, &ex->opt);
        if (!ex->dist) {
            mem_free(ex);
            return NULL;
        }
        return ex;
    }
    if (ex->opt.disk) {
        ex->disk = explore_disk_new(m, &ex->opt);
        if (!ex->disk) {
            mem_free(ex);
            return NULL;
        }
        return ex;
    }
    /* The store is sized from what is left of the process's budget; the
     * discovery words (a slice's, mapped for the store's capacity) and
     * the rest of a slice's scratch are kept within it as the search
     * goes (within_budget). */
    size_t memory = ex->opt.memory ? ex->opt.memory : limit_default_budget();
    size_t left = limit_memory_left();
    if (left && left < memory)
        memory = left;
    ex->store = store_new_tree(m->width, m->word_max, memory, ex->opt.tree);
    if (ex->store) {
        ex->disc_bytes = (store_capacity(ex->store) + 1) * sizeof *ex->disc;
        ex->disc = mem_map(ex->disc_bytes);
    }
    if (!ex->store || !ex->disc) {
        explore_free(ex);
        return NULL;
    }
    ex->violation = UINT64_MAX;
    atomic_store(&ex->error_state, UINT64_MAX);
    return ex;
}

static void workers_free(Explorer *ex)
{
    for (unsigned t = 0; ex->workers && t < ex->threads; t++) {
        Worker *w = &ex->workers[t];
        mem_free(w->scratch_block);
        mem_free(w->state_block);
        mem_free(w->recent);
        for (unsigned i = 0; i < DEPTH; i++) {
            Batch *b = &w->ring[i];
            mem_free(b->succ);
            mem_free(b->vecs);
            mem_free(b->keys);
            mem_free(b->hashes);
            mem_free(b->met);
        }
    }
    mem_free(ex->workers);
    ex->workers = NULL;
    mem_free(ex->spare);
    ex->spare = NULL;
    pool_free(ex->pool);
    ex->pool = NULL;
    order_free(ex->order);
    ex->order = NULL;
}

void explore_free(Explorer *ex)
{
    if (!ex)
        return;
    explore_dist_free(ex->dist);
    explore_disk_free(ex->disk);
    workers_free(ex);
    store_free(ex->store);
    mem_unmap((void *)ex->disc, ex->disc_bytes);
    mem_free(ex);
}

const ExploreStats *explore_stats(const Explorer *ex)
{
    return ex->dist   ? explore_dist_stats(ex->dist)
           : ex->disk ? explore_disk_stats(ex->disk)
                      : &ex->stats;
}

const char *explore_error(const Explorer *ex)
{
    return ex->disk ? explore_disk_error(ex->disk) : "";
}

int explore_on_disk(const Explorer *ex)
{
    return ex->disk != NULL;
}

struct ExploreDist *explore_distributed(const Explorer *ex)
{
    return ex->dist;
}

struct ExploreDisk *explore_disk_of(const Explorer *ex)
{
    return ex->disk;
}

int explore_rank_stats(const Explorer *ex, ExploreRankStats **all,
                       unsigned *n)
{
    *all = NULL;
    *n = 0;
    if (!ex->dist)
        return 0;
    /* every rank takes part, whatever its allocation did */
    ExploreRankStats *got = mem_alloc(dist_size() * sizeof *got);
    ExploreRankStats spare[dist_size()];
    explore_dist_rank_stats(ex->dist, got ? got : spare);
    if (!got)
        return -1;
    *all = got;
    *n = (unsigned)dist_size();
    return 0;
}

uint64_t explore_error_state(const Explorer *ex)
{
    if (ex->dist)
        return explore_dist_error_state(ex->dist);
    if (ex->disk)
        return explore_disk_error_state(ex->disk);
    return atomic_load(&((Explorer *)ex)->error_state);
}

uint64_t explore_violation(const Explorer *ex, int *code)
{
    if (ex->dist)
        return explore_dist_violation(ex->dist, code);
    if (ex->disk)
        return explore_disk_violation(ex->disk, code);
    if (code)
        *code = ex->violation_code;
    return ex->violation;
}

void explore_state(const Explorer *ex, uint64_t id, uint32_t *vec)
{
    if (ex->dist)
        explore_dist_state(ex->dist, id, vec);
    else if (ex->disk)
        explore_disk_state(ex->disk, id, vec);
    else
        store_state(ex->store, id, vec);
}

uint64_t explore_first(const Explorer *ex, ExplorePred pred, void *ud)
{
    if (ex->dist)
        return explore_dist_first(ex->dist, pred, ud);
    if (ex->disk)
        return explore_disk_first(ex->disk, pred, ud);
    uint32_t vec[ex->m->width + 1];
    for (uint64_t id = 0; id < store_count(ex->store); id++) {
        store_state(ex->store, id, vec);
        if (pred(ud, vec))
            return id;
    }
    return UINT64_MAX;
}

/* A distributed run answers no lookup (explore_dist.h): its divergence
 * search is its own (explore_dist_diverge). Nor does a run on disk
 * (explore_disk_diverge). */
uint64_t explore_lookup(const Explorer *ex, const uint32_t *vec)
{
    return ex->store ? store_lookup(ex->store, vec) : UINT64_MAX;
}

void explore_lookup_many(const Explorer *ex, const uint32_t *vecs, size_t n,
                         uint64_t *ids)
{
    if (!ex->store)
        memset(ids, 0xff, n * sizeof *ids);
    else
        store_lookup_many(ex->store, vecs, n, ids);
}

/* ---------- parent links: the event is recomputed ---------- */

/* The parent of `id`, or UINT64_MAX for a root (in memory or on disk). */
static uint64_t parent_of(const Explorer *ex, uint64_t id)
{
    uint32_t p = ex->disk ? explore_disk_parent_of(ex->disk, id)
                          : store_parent(ex->store, id);
    return p == STORE_NO_PARENT ? UINT64_MAX : p;
}

typedef struct Finder {
    const uint32_t *child;
    size_t width;
    uint32_t event;
    int found;
} Finder;

static void finder_emit(void *ctx, uint32_t event, const uint32_t *target)
{
    Finder *f = ctx;
    if (!f->found && !memcmp(target, f->child, f->width * sizeof *target)) {
        f->found = 1;
        f->event = event;
    }
}

/* Buffers for link_event: two states and the machine's scratch. */
typedef struct LinkBuf {
    uint32_t *vec, *child;
    void *scratch;
} LinkBuf;

static int linkbuf_init(const Explorer *ex, LinkBuf *b)
{
    b->vec = mem_alloc((ex->m->width + 1) * sizeof *b->vec);
    b->child = mem_alloc((ex->m->width + 1) * sizeof *b->child);
    b->scratch = mem_calloc(1, ex->m->scratch_size + 16);
    return b->vec && b->child && b->scratch ? 0 : -1;
}

static void linkbuf_free(LinkBuf *b)
{
    mem_free(b->vec);
    mem_free(b->child);
    mem_free(b->scratch);
}

/* The event of the first transition from parent to child (the canonical
 * discovery). */
static int link_event(const Explorer *ex, uint64_t parent, uint64_t child,
                      LinkBuf *b, uint32_t *event)
{
    explore_state(ex, child, b->child);
    explore_state(ex, parent, b->vec);
    Finder f = {b->child, ex->m->width, EVENT_NONE, 0};
    if (machine_successors(ex->m, b->vec, b->scratch, finder_emit, &f) !=
            MACHINE_OK || !f.found)
        return -1;
    *event = f.event;
    return 0;
}

int explore_parent(const Explorer *ex, uint64_t id, uint64_t *parent,
                   uint32_t *event)
{
    if (ex->dist)
        return explore_dist_parent(ex->dist, id, parent, event);
    uint64_t p = parent_of(ex, id);
    if (p == UINT64_MAX)
        return -1;
    LinkBuf b = {0}; /* freed even when an allocation before it failed */
    int rc = linkbuf_init(ex, &b) == 0 && link_event(ex, p, id, &b, event) == 0
                 ? 0
                 : -1;
    linkbuf_free(&b);
    *parent = p;
    return rc;
}

int explore_path(const Explorer *ex, uint64_t id, uint32_t **events,
                 uint64_t **states, size_t *len)
{
    if (ex->dist)
        return explore_dist_path(ex->dist, id, events, states, len);
    size_t n = 0;
    for (uint64_t s = id; parent_of(ex, s) != UINT64_MAX; s = parent_of(ex, s))
        n++;
    LinkBuf b = {0}; /* freed even when an allocation before it failed */
    *events = mem_alloc((n + 1) * sizeof **events);
    *states = mem_alloc((n + 1) * sizeof **states);
    int rc = *events && *states && linkbuf_init(ex, &b) == 0 ? 0 : -1;
    uint64_t s = id;
    for (size_t i = n; i > 0 && rc == 0; i--) {
        uint64_t p = parent_of(ex, s);
        (*states)[i] = s;
        rc = link_event(ex, p, s, &b, &(*events)[i - 1]);
        s = p;
    }
    linkbuf_free(&b);
    if (rc != 0) {
        mem_free(*events);
        mem_free(*states);
        *events = NULL;
        *states = NULL;
        return -1;
    }
    (*states)[0] = s;
    *len = n;
    return 0;
}

ExploreStatus explore_limit_status(int kind)
{
    switch ((LimitKind)kind) {
    case LIMIT_MEMORY: return EXPLORE_LIMIT_MEMORY;
    case LIMIT_SIGNAL: return EXPLORE_INTERRUPTED;
    case LIMIT_TIME: case LIMIT_TOTAL_TIME: case LIMIT_NONE: break;
    }
    return EXPLORE_LIMIT_TIME;
}

const char *explore_status_text(ExploreStatus status)
{
    switch (status) {
    case EXPLORE_DONE: return "done";
    case EXPLORE_VIOLATION: return "violation found";
    case EXPLORE_LIMIT_STATES: return "state limit reached (--max-states)";
    case EXPLORE_LIMIT_MEMORY: return "memory limit reached (--memory)";
    case EXPLORE_LIMIT_TIME: /* the assertion's time, or the run's */
        return limit_text(limit_reached() == LIMIT_TOTAL_TIME
                              ? LIMIT_TOTAL_TIME : LIMIT_TIME);
    case EXPLORE_INTERRUPTED: return "interrupted (SIGINT or SIGTERM)";
    case EXPLORE_NOMEM: return "out of memory";
    case EXPLORE_MACHINE_ERROR: return "the model could not be expanded";
    case EXPLORE_DISK: return "the store on disk failed (--store disk)";
    }
    return "?";
}

/* ---------- a worker ---------- */

/* Reallocates n arrays to cap elements of sizes[i] bytes each. -1 when
 * out of memory: the arrays reallocated so far keep their larger size,
 * which is harmless, since the caller's capacity stays the old one. */
static int grow_all(void **const arrays[], const size_t sizes[], size_t n,
                    size_t cap)
{
    for (size_t i = 0; i < n; i++) {
        void *p = mem_realloc(*arrays[i], cap * sizes[i] + 4);
        if (!p)
            return -1;
        *arrays[i] = p;
    }
    return 0;
}

static void batch_add(void *ctx, uint32_t event, const uint32_t *target)
{
    Batch *b = ctx;
    if (b->count == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        void **const arrays[] = {(void **)&b->vecs, (void **)&b->keys,
                                 (void **)&b->hashes, (void **)&b->met,
                                 (void **)&b->succ};
        const size_t sizes[] = {b->width * sizeof *b->vecs,
                                b->key_words * sizeof *b->keys,
                                sizeof *b->hashes, sizeof *b->met,
                                sizeof *b->succ};
        if (grow_all(arrays, sizes, 5, cap) != 0) {
            b->failed = 1;
            return;
        }
        b->cap = cap;
    }
    mem_copy(b->vecs + b->count * b->width, target, b->width * sizeof *target);
    b->succ[b->count++].event = event;
}

static void progress(Explorer *ex, int final)
{
    if (!ex->opt.progress || !isatty(STDERR_FILENO))
        return;
    double t = now();
    if (!final && t - ex->last_progress < 0.1)
        return;
    ex->last_progress = t;
    double secs = t - ex->start;
    uint64_t states = store_count(ex->store) +
                      atomic_load_explicit(&ex->pend_next,
                                           memory_order_relaxed);
    fprintf(stderr, "\r%llu states, level %u, %.0f states/s, %.1f MB   %s",
            (unsigned long long)states, ex->level,
            secs > 0 ? states / secs : 0.0, store_bytes(ex->store) / 1e6,
            final ? "\r\033[K" : "");
}

/* The worker's recent successors: whether a successor is one it has met
 * earlier in this *run*, answered from a small direct-mapped table instead
 * of the index. A run is what a worker expands from the start of a level,
 * or from a steal, to its next steal: states in increasing id order, each
 * one's successors in emission order. So a successor met earlier in the
 * run is stored already and holds a discovery smaller than this one: a
 * hit needs nothing at all, neither the index probe and key compare nor
 * the discovery's compare-and-swap (all cache misses in a large store,
 * the last one often on a line the other core wrote). Neighbouring
 * states of a level share many successors (moves that commute lead to
 * the same state): measured on the benchmark models, about 40% of all
 * transitions hit a table of 8,192 entries (philosophers 12: 42%, buffers
 * 14: 40%, with one thread or two). Entries hold the whole key (keys
 * of at most two words; larger keys skip the table) and the run of the
 * state they were met from. */
enum { RECENT_BITS = 13 };

typedef struct Recent {
    uint64_t k0, k1;
    uint32_t stamp; /* the worker's run; 0: empty */
} Recent;

static Recent *recent_slot(const Worker *w, uint64_t h)
{
    return &w->recent[h >> (64 - RECENT_BITS)];
}

/* Starts a new run: the table's entries become stale. */
static void new_run(Worker *w)
{
    if (++w->stamp == 0) { /* wrapped: stale entries would look fresh */
        if (w->recent)
            memset(w->recent, 0, sizeof *w->recent << RECENT_BITS);
        w->stamp = 1;
    }
}

/* Looks each successor of b up among the recent ones; starts fetching the
 * index slots of the others. */
static void recent_probe(const Explorer *ex, const Worker *w, Batch *b)
{
    size_t kw = b->key_words;
    for (size_t k = 0; k < b->count; k++) {
        const uint64_t *key = b->keys + k * kw;
        const Recent *r = w->recent ? recent_slot(w, b->hashes[k]) : NULL;
        b->met[k] = r && r->stamp == b->stamp && r->k0 == key[0] &&
                    r->k1 == (kw == 2 ? key[1] : 0);
        if (!b->met[k])
            store_prefetch(ex->store, b->hashes[k]);
    }
}

/* Computes, packs and hashes the successors of state `id` into b, and
 * starts fetching the index slots of those not met recently. */
static ExploreStatus expand(Explorer *ex, Worker *w, Batch *b, uint64_t id)
{
    b->id = id;
    b->stamp = w->stamp;
    b->count = 0;
    b->failed = 0;
    store_state(ex->store, id, b->state);
    int rc = machine_successors(ex->m, b->state, w->scratch, batch_add, b);
    if (rc != MACHINE_OK) /* a compressed component over --max-states */
        return rc == MACHINE_LIMIT ? EXPLORE_LIMIT_STATES
                                   : EXPLORE_MACHINE_ERROR;
    if (b->failed)
        return EXPLORE_NOMEM;
    w->transitions += b->count;
    for (size_t k = 0; k < b->count; k++)
        b->succ[k].target = b->vecs + k * b->width;
    store_prepare(ex->store, b->state, b->vecs, b->count, b->keys,
                  b->hashes);
    recent_probe(ex, w, b);
    return EXPLORE_DONE;
}

/* Takes a block of pending positions: fresh ones, or when the store is
 * nearly full the unused ends of other workers' blocks (see make_room).
 * 0 when there is none. */
static int take_block(Explorer *ex, Worker *w)
{
    uint64_t at = atomic_load_explicit(&ex->pend_next, memory_order_relaxed);
    uint64_t n = 0;
    while (at < ex->pend_limit) {
        n = ex->pend_limit - at < BLOCK ? ex->pend_limit - at : BLOCK;
        if (atomic_compare_exchange_weak_explicit(
                &ex->pend_next, &at, at + n, memory_order_relaxed,
                memory_order_relaxed))
            break;
        n = 0;
    }
    if (n == 0) {
        unsigned i = atomic_fetch_add(&ex->spare_next, 1);
        if (i >= ex->spare_count)
            return 0;
        at = ex->spare[2 * i];
        n = ex->spare[2 * i + 1] - at;
    }
    for (uint64_t p = at; p < at + n; p++)
        atomic_store_explicit(&ex->disc[p], NO_DISC, memory_order_relaxed);
    w->blk_pos = at;
    w->blk_end = at + n;
    return 1;
}

static void disc_min(_Atomic uint64_t *d, uint64_t mine)
{
    uint64_t seen = atomic_load_explicit(d, memory_order_relaxed);
    while (mine < seen &&
           !atomic_compare_exchange_weak_explicit(d, &seen, mine,
                                                  memory_order_relaxed,
                                                  memory_order_relaxed))
        ;
}

/* Inserts the successors of b from w->next_succ on. Returns 0 when it had
 * to stop for want of pending positions or of room for a tree's nodes
 * (w->next_succ says where to go on). */
static int insert_successors(Explorer *ex, Worker *w, const Batch *b)
{
    Store *s = ex->store;
    uint64_t base = store_count(s);
    size_t kw = b->key_words;
    for (size_t k = w->next_succ; k < b->count; k++) {
        if (b->met[k])
            continue;
        uint64_t mine = b->id << 32 | k, id;
        if (w->blk_pos == w->blk_end && !take_block(ex, w)) {
            w->next_succ = k;
            atomic_store(&ex->pause, 1);
            return 0;
        }
        const uint64_t *key = b->keys + k * kw;
        /* The discovery is written before the insert publishes the
         * position (store_insert's release), so a new state needs no
         * compare-and-swap here: another worker that finds it sees
         * `mine` already. Unpublished, the position is still ours. */
        _Atomic uint64_t *d = &ex->disc[w->blk_pos];
        atomic_store_explicit(d, mine, memory_order_relaxed);
        int put = store_insert(s, key, b->hashes[k], base + w->blk_pos, &id);
        if (put < 0) { /* make_room grows the tree's nodes */
            atomic_store_explicit(d, NO_DISC, memory_order_relaxed);
            w->next_succ = k;
            atomic_store(&ex->pause, 1);
            return 0;
        }
        if (put) {
            w->blk_pos++;
        } else {
            atomic_store_explicit(d, NO_DISC, memory_order_relaxed);
            if (id >= base)
                disc_min(&ex->disc[id - base], mine);
        }
        if (w->recent)
            *recent_slot(w, b->hashes[k]) =
                (Recent){key[0], kw == 2 ? key[1] : 0, b->stamp};
    }
    w->next_succ = 0;
    return 1;
}

/* Past --max-states: notes whether a successor of b is not stored (so
 * the limit cut the state space; without it every state is stored). */
static void note_lost(Explorer *ex, const Batch *b)
{
    for (size_t k = 0; k < b->count && !atomic_load_explicit(
                                            &ex->lost, memory_order_relaxed);
         k++)
        if (store_find(ex->store, b->keys + k * b->key_words,
                       b->hashes[k]) == UINT64_MAX)
            atomic_store_explicit(&ex->lost, 1, memory_order_relaxed);
}

static void inspect_state(Explorer *ex, Worker *w, const Batch *b)
{
    uint64_t id = b->id;
    if (!ex->inspect || id > atomic_load_explicit(&ex->first_violation,
                                                  memory_order_relaxed))
        return; /* a canonically earlier violation is known */
    int code = ex->inspect(ex->ud, b->state, b->succ, b->count);
    if (code <= 0)
        return;
    if (id < w->violation) {
        w->violation = id;
        w->code = code;
    }
    uint64_t seen = atomic_load(&ex->first_violation);
    while (id < seen &&
           !atomic_compare_exchange_weak(&ex->first_violation, &seen, id))
        ;
}

static uint64_t range_pack(uint64_t first, uint64_t end)
{
    return end << 32 | first;
}

/* Takes up to CHUNK ids from the front of w's own range; 0 when empty. */
static int take_own(Worker *w)
{
    uint64_t r = atomic_load_explicit(&w->range, memory_order_relaxed);
    for (;;) {
        uint64_t first = (uint32_t)r, end = r >> 32;
        if (first >= end)
            return 0;
        uint64_t n = end - first < CHUNK ? end - first : CHUNK;
        if (atomic_compare_exchange_weak_explicit(
                &w->range, &r, range_pack(first + n, end),
                memory_order_relaxed, memory_order_relaxed)) {
            w->chunk_pos = first;
            w->chunk_end = first + n;
            return 1;
        }
    }
}

/* w's range is empty: takes the back half of the largest range of
 * another worker as its own. 0 when every range is empty. */
static int steal(Explorer *ex, Worker *w)
{
    for (;;) {
        Worker *victim = NULL;
        uint64_t r = 0, most = 0;
        for (unsigned t = 0; t < ex->nworkers; t++) {
            uint64_t v = atomic_load_explicit(&ex->workers[t].range,
                                              memory_order_relaxed);
            uint64_t left = (v >> 32) - (uint32_t)v;
            if ((v >> 32) > (uint32_t)v && left > most) {
                most = left;
                victim = &ex->workers[t];
                r = v;
            }
        }
        if (!victim)
            return 0;
        uint64_t first = (uint32_t)r, end = r >> 32;
        uint64_t mid = first + (end - first) / 2;
        if (atomic_compare_exchange_strong_explicit(
                &victim->range, &r, range_pack(first, mid),
                memory_order_relaxed, memory_order_relaxed)) {
            atomic_store_explicit(&w->range, range_pack(mid, end),
                                  memory_order_relaxed);
            return 1;
        }
    }
}

/* Claims the next chunk of ids; 0 when the level has none left. Each
 * worker starts the level with a contiguous share of it and works through
 * it in order; one that runs dry steals the back half of the largest
 * share left, then works through that in order. So each worker expands a
 * few long runs of neighbouring states: neighbours share many successors
 * (moves that commute lead to the same state), which its table of recent
 * successors then answers and whose index slots and keys stay in its own
 * cache, rather than being met by the other core, whose cache then has to
 * hand them over. */
static int claim_chunk(Explorer *ex, Worker *w, unsigned index)
{
    if (!take_own(w)) {
        if (!steal(ex, w))
            return 0;
        new_run(w);
        if (!take_own(w))
            return 0; /* a thief took it first */
    }
    LimitKind limit = limit_reached(); /* the run's limits (limit.h) */
    if (limit == LIMIT_NONE && ex->opt.timeout > 0 &&
        now() - ex->start > ex->opt.timeout)
        limit = LIMIT_TIME;
    if (limit != LIMIT_NONE) {
        atomic_store(&ex->limit, (int)limit);
        atomic_store(&ex->stop, 1);
    }
    if (index == 0)
        progress(ex, 0);
    return 1;
}

static int halted(Explorer *ex)
{
    return atomic_load_explicit(&ex->pause, memory_order_relaxed) ||
           atomic_load_explicit(&ex->stop, memory_order_relaxed);
}

/* Expands states until DEPTH are in flight or the level has no more. */
static int fill_pipeline(Explorer *ex, Worker *w, unsigned index)
{
    while (w->inflight < DEPTH && !halted(ex)) {
        if (w->chunk_pos == w->chunk_end && !claim_chunk(ex, w, index))
            return 0;
        Batch *b = &w->ring[(w->head + w->inflight) % DEPTH];
        uint64_t id = w->chunk_pos++;
        ExploreStatus st = expand(ex, w, b, id);
        if (st != EXPLORE_DONE) {
            uint64_t seen = atomic_load(&ex->error_state);
            while (st == EXPLORE_MACHINE_ERROR && id < seen &&
                   !atomic_compare_exchange_weak(&ex->error_state, &seen, id))
                ;
            w->status = st;
            atomic_store(&ex->stop, 1);
            return -1;
        }
        w->inflight++;
    }
    return 0;
}

/* A worker's share of the level; returns when the level has no more
 * states for it, or when asked to pause or stop (it then keeps its
 * pipeline and goes on from there on the next call). */
static void worker_task(void *arg, unsigned index)
{
    Explorer *ex = arg;
    Worker *w = &ex->workers[index];
    for (;;) {
        if (fill_pipeline(ex, w, index) != 0 || w->inflight == 0 ||
            halted(ex))
            return;
        Batch *b = &w->ring[w->head];
        if (ex->count_only)
            note_lost(ex, b);
        else if (!insert_successors(ex, w, b))
            return;
        inspect_state(ex, w, b);
        w->head = (w->head + 1) % DEPTH;
        w->inflight--;
    }
}

/* ---------- a level ---------- */

typedef struct GrowJob {
    Store *store;
    unsigned parts;
} GrowJob;

static void clear_task(void *arg, unsigned index)
{
    GrowJob *g = arg;
    store_grow_clear(g->store, index, g->parts);
}

static void grow_task(void *arg, unsigned index)
{
    GrowJob *g = arg;
    store_grow_part(g->store, index, g->parts);
}

/* No fresh position is left but a worker needs one: the unused ends of
 * the workers' blocks become spares (in pieces, so that every worker gets
 * some). Returns 0 when there were none: then every position handed out
 * holds a new state. */
static unsigned reclaim(Explorer *ex)
{
    ex->spare_count = 0;
    atomic_store(&ex->spare_next, 0);
    for (unsigned t = 0; t < ex->threads; t++) {
        Worker *w = &ex->workers[t];
        for (uint64_t at = w->blk_pos; at < w->blk_end; at += SPARE) {
            ex->spare[2 * ex->spare_count] = at;
            ex->spare[2 * ex->spare_count++ + 1] =
                at + SPARE < w->blk_end ? at + SPARE : w->blk_end;
        }
        w->blk_pos = w->blk_end = 0;
    }
    return ex->spare_count;
}

/* `want` cut down to what the process's memory budget (limit.h) can still
 * hold. Each pending state costs, as it is inserted, its key and index
 * link in the store, its discovery word and index slots (about 8 bytes at
 * the index's load); and at commit the ordering's scratch, 8 bytes (with
 * several threads also a copy of its key), for the states beyond what the
 * scratch of earlier levels already holds. The store's
 * capacity was sized from the budget when the check began, but the scratch
 * and what other phases left resident were not known then. */
static uint64_t within_budget(const Explorer *ex, uint64_t used,
                              uint64_t want)
{
    size_t left = limit_memory_left();
    if (!left)
        return want; /* no budget */
    uint64_t key = store_key_bytes(ex->store);
    uint64_t held = order_capacity(ex->order);
    uint64_t insert = key + sizeof(uint32_t) + sizeof *ex->disc + 8;
    uint64_t commit = 8 + (ex->threads > 1 ? key : 0);
    /* the most n pending with (n - used) insert + max(n - held, 0) commit
     * <= left, and never fewer than are pending already */
    uint64_t most = used + left / insert;
    if (most > held)
        most = (left + used * insert + held * commit) / (insert + commit);
    if (most < used)
        most = used;
    return want > most ? most : want;
}

/* 1 when the index's growth (store_grow_bytes) does not fit in what is
 * left of the budget: doubling the index touches all of its new half at
 * once, faster than the watchdog can see. */
static int grow_exceeds_budget(const Explorer *ex)
{
    size_t left = limit_memory_left();
    return left && store_grow_bytes(ex->store) > left;
}

/* Makes room for more pending states before (re)starting the workers;
 * `needed`: a worker is waiting for a position.
 *
 * The index grows, or the store is declared full, only once every
 * position handed out holds a new state (spares first): so both happen
 * at the same point for every thread count, and the store's size and the
 * level that overflows it do not depend on -j. (The process's budget,
 * within_budget, is measured in resident memory, which does: where it
 * ends a check first, the statistics of the limit may differ with -j.) */
static ExploreStatus make_room(Explorer *ex, int needed)
{
    Store *s = ex->store;
    StoreStatus tidy = store_tidy(s, limit_memory_left());
    if (tidy != STORE_OK)
        return tidy == STORE_NOMEM ? EXPLORE_NOMEM : EXPLORE_LIMIT_MEMORY;
    uint64_t used = atomic_load(&ex->pend_next);
    ex->pend_limit = within_budget(ex, used,
                                   store_room(s) > used ? store_room(s) : used);
    if (!needed || ex->pend_limit > used || reclaim(ex))
        return EXPLORE_DONE;
    uint64_t left = store_capacity(s) - store_count(s);
    uint64_t want = used + (used / 4 > GROW_MIN ? used / 4 : GROW_MIN);
    if (want > left)
        want = left;
    want = within_budget(ex, used, want);
    if (want <= used)
        return EXPLORE_LIMIT_MEMORY;
    StoreStatus st = store_reserve(s, used, want);
    if (st == STORE_NOMEM)
        return EXPLORE_NOMEM;
    if (st == STORE_FULL)
        return EXPLORE_LIMIT_MEMORY;
    if (st == STORE_GROW && grow_exceeds_budget(ex))
        return EXPLORE_LIMIT_MEMORY;
    if (st == STORE_GROW) {
        GrowJob g = {s, pool_size(ex->pool)};
        pool_run(ex->pool, g.parts, clear_task, &g);
        pool_run(ex->pool, g.parts, grow_task, &g);
        store_grow_end(s);
    }
    ex->pend_limit = within_budget(ex, used, store_room(s));
    return EXPLORE_DONE;
}

/* Expands ids [from, to) of the level (a slice) with the pool; on return
 * every worker is between states and the slice's new states are pending
 * in the store, from position 0 on. */
static ExploreStatus level_expand(Explorer *ex, uint64_t from, uint64_t to)
{
    unsigned nworkers = to - from >= PARALLEL_MIN ? ex->threads : 1;
    ex->nworkers = nworkers;
    atomic_store(&ex->pend_next, 0);
    ex->spare_count = 0;
    atomic_store(&ex->spare_next, 0);
    for (unsigned t = 0; t < ex->threads; t++) {
        Worker *w = &ex->workers[t];
        uint64_t span = to - from;
        atomic_store(&w->range,
                     t < nworkers ? range_pack(from + span * t / nworkers,
                                               from + span * (t + 1) /
                                                          nworkers)
                                  : 0);
        w->head = w->inflight = 0;
        w->next_succ = 0;
        w->chunk_pos = w->chunk_end = 0;
        w->blk_pos = w->blk_end = 0;
        new_run(w);
        w->status = EXPLORE_DONE;
    }
    for (int needed = 0;; needed = 1) {
        ExploreStatus st = make_room(ex, needed);
        if (st != EXPLORE_DONE)
            return st;
        atomic_store(&ex->pause, 0);
        pool_run(ex->pool, nworkers, worker_task, ex);
        for (unsigned t = 0; t < nworkers; t++)
            if (ex->workers[t].status != EXPLORE_DONE)
                return ex->workers[t].status;
        int limit = atomic_load(&ex->limit);
        if (limit != LIMIT_NONE)
            return explore_limit_status(limit);
        if (!atomic_load(&ex->pause))
            return EXPLORE_DONE;
    }
}

static void commit_task(void *arg, unsigned index)
{
    Explorer *ex = arg;
    store_commit_part(ex->store, index, ex->commit_parts);
}

/* Numbers the new states found by the parents [from, to) canonically;
 * applies --max-states. */
static ExploreStatus level_commit(Explorer *ex, uint64_t from, uint64_t to)
{
    Store *s = ex->store;
    uint64_t used = atomic_load(&ex->pend_next);
    unsigned parts = used >= COMMIT_PARALLEL_MIN ? ex->threads : 1;
    OrderResult r;
    if (order_level(ex->order, ex->pool, parts, ex->disc, used, from,
                    to - from, &r) != 0)
        return EXPLORE_NOMEM;
    uint64_t n = r.n;
    ExploreStatus st = EXPLORE_DONE;
    if (ex->opt.max_states && store_count(s) + n > ex->opt.max_states) {
        uint64_t keep = ex->opt.max_states - store_count(s);
        if (r.identity)
            for (uint64_t k = keep; k < n; k++)
                r.order[k] = (uint32_t)k;
        store_drop(s, r.order + keep, n - keep);
        n = keep;
        st = EXPLORE_LIMIT_STATES;
    }
    if (store_commit_begin(s, r.identity ? NULL : r.order, r.parents, n,
                           used))
        return EXPLORE_NOMEM;
    ex->commit_parts = parts;
    pool_run(ex->pool, ex->commit_parts, commit_task, ex);
    store_commit_end(s);
    return st;
}

/* Takes the workers' transitions and first violation. */
static uint64_t level_results(Explorer *ex)
{
    uint64_t transitions = 0;
    for (unsigned t = 0; t < ex->threads; t++) {
        Worker *w = &ex->workers[t];
        transitions += w->transitions;
        w->transitions = 0;
        if (w->violation < ex->violation) {
            ex->violation = w->violation;
            ex->violation_code = w->code;
        }
        w->violation = UINT64_MAX;
    }
    return transitions;
}

/* Parents expanded at a time: a slice. */
enum { SLICE = 1 << 18 };

/* A level's expansion, a slice of parents at a time in id order, each
 * slice's new states numbered before the next slice starts. A state's
 * first discovery is by its smallest parent, so once a slice is done its
 * new states' discoveries are final (later slices' parents are larger):
 * numbering them then gives the ids a whole level's numbering would. So
 * the level's scratch (discovery words, index links, the sort's arrays,
 * the commit's copy: 20-30 bytes a new state) holds one slice, never a
 * whole level. Under --max-states, once the store is full the rest of the
 * level is only counted and inspected, not stored: the counts, the
 * violation and the states kept are those of a whole level; and when a
 * successor met so is not stored, the limit cut the state space even if
 * no commit was cut (the store filled exactly at a slice's end). */
static ExploreStatus level_run(Explorer *ex, uint64_t *transitions)
{
    ExploreStatus full = EXPLORE_DONE; /* or the commit's state limit */
    ex->count_only = 0;
    atomic_store(&ex->lost, 0);
    atomic_store(&ex->first_violation, UINT64_MAX);
    for (uint64_t at = ex->lo; at < ex->hi;) {
        uint64_t to = ex->count_only || ex->hi - at < SLICE ? ex->hi
                                                            : at + SLICE;
        ExploreStatus st = level_expand(ex, at, to);
        *transitions += level_results(ex);
        if (st != EXPLORE_DONE) /* a machine's limit is no commit's */
            return st;
        st = ex->count_only ? EXPLORE_DONE : level_commit(ex, at, to);
        if (st == EXPLORE_LIMIT_STATES)
            full = st;
        else if (st != EXPLORE_DONE)
            return st;
        ex->count_only = ex->opt.max_states &&
                         store_count(ex->store) >= ex->opt.max_states;
        at = to;
    }
    ex->count_only = 0;
    return atomic_load(&ex->lost) ? EXPLORE_LIMIT_STATES : full;
}

static ExploreStatus explore_levels(Explorer *ex)
{
    ex->lo = 0;
    while (ex->lo < store_count(ex->store)) {
        ex->hi = store_count(ex->store);
        uint64_t transitions = 0;
        ExploreStatus st = level_run(ex, &transitions);
        if (st != EXPLORE_DONE && st != EXPLORE_LIMIT_STATES)
            return st;
        ex->stats.transitions += transitions;
        ex->level++;
        ex->stats.depth = ex->level;
        if (st != EXPLORE_DONE)
            return st;
        if (ex->violation != UINT64_MAX)
            return EXPLORE_VIOLATION;
        ex->lo = ex->hi;
    }
    return EXPLORE_DONE;
}

/* ---------- the run ---------- */

static unsigned thread_count(const ExploreOptions *opt)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned n = opt->threads ? opt->threads : online > 0 ? (unsigned)online : 1;
    return n > MAX_THREADS ? MAX_THREADS : n;
}

static int workers_init(Explorer *ex)
{
    ex->pool = pool_new(thread_count(&ex->opt));
    if (!ex->pool)
        return -1;
    ex->threads = pool_size(ex->pool);
    ex->order = order_new(ex->threads);
    ex->workers = mem_calloc(ex->threads, sizeof *ex->workers);
    ex->spare = mem_alloc(2 * ex->threads * (BLOCK / SPARE + 1) *
                          sizeof *ex->spare);
    if (!ex->workers || !ex->spare || !ex->order)
        return -1;
    for (unsigned t = 0; t < ex->threads; t++) {
        Worker *w = &ex->workers[t];
        w->ex = ex;
        w->violation = UINT64_MAX;
        w->scratch_block = mem_calloc(1, ex->m->scratch_size + 3 * CACHE_LINE);
        if (!w->scratch_block)
            return -1;
        w->scratch = (char *)w->scratch_block + CACHE_LINE;
        /* every state is unpacked into ring[i].state: one worker's must
         * not share a cache line with another's (they were allocated
         * side by side) */
        size_t stride = ((ex->m->width + 1) * sizeof(uint32_t) + CACHE_LINE -
                         1) / CACHE_LINE * CACHE_LINE;
        w->state_block = mem_alloc(DEPTH * stride + 2 * CACHE_LINE);
        if (!w->state_block)
            return -1;
        if (store_key_words(ex->store) <= 2) {
            w->recent = mem_calloc((size_t)1 << RECENT_BITS,
                                   sizeof *w->recent);
            if (!w->recent)
                return -1;
        }
        for (unsigned i = 0; i < DEPTH; i++) {
            Batch *b = &w->ring[i];
            b->width = ex->m->width;
            b->key_words = store_key_words(ex->store);
            b->state = (uint32_t *)(void *)((char *)w->state_block +
                                            CACHE_LINE + i * stride);
        }
    }
    return 0;
}

/* The initial state, id 0. */
static ExploreStatus insert_initial(Explorer *ex)
{
    Store *s = ex->store;
    size_t kw = store_key_words(s);
    uint32_t vec[ex->m->width + 1];
    uint64_t key[kw], found;
    machine_initial(ex->m, vec);
    store_pack(s, vec, key);
    StoreStatus st = store_reserve(s, 0, 1);
    if (st == STORE_FULL)
        return EXPLORE_LIMIT_MEMORY;
    if (st != STORE_OK)
        return EXPLORE_NOMEM; /* a fresh store never needs to grow */
    store_insert(s, key, store_hash(s, key), 0, &found);
    uint32_t none = STORE_NO_PARENT;
    return store_commit(s, NULL, &none, 1, 1) ? EXPLORE_NOMEM : EXPLORE_DONE;
}

static size_t peak_rss(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? (size_t)ru.ru_maxrss * 1024 : 0;
}

ExploreStatus explore_run(Explorer *ex, ExploreInspect inspect, void *ud)
{
    if (ex->dist)
        return explore_dist_run(ex->dist, inspect, ud);
    if (ex->disk)
        return explore_disk_run(ex->disk, inspect, ud);
    ex->start = ex->last_progress = now();
    ex->inspect = inspect;
    ex->ud = ud;
    ExploreStatus st = EXPLORE_NOMEM;
    if (workers_init(ex) == 0) {
        st = insert_initial(ex);
        if (st == EXPLORE_DONE)
            st = explore_levels(ex);
    }
    progress(ex, 1);
    ex->stats.threads = ex->threads;
    workers_free(ex);
    Store *s = ex->store;
    ex->stats.states = store_count(s);
    ex->stats.seconds = now() - ex->start;
    ex->stats.store_bytes = store_bytes(s);
    ex->stats.bytes_per_state =
        ex->stats.states ? (double)ex->stats.store_bytes / ex->stats.states
                         : 0;
    ex->stats.peak_rss = peak_rss();
    return st;
}
