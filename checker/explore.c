/* explore: breadth-first exploration, one level at a time. See explore.h.
 *
 * This version expands states on one thread, in id order, which is the
 * canonical order of explore.h by construction; the multi-threaded store
 * and level expansion (issue 6) replace its insides behind the same API.
 * States are kept as full vectors in one array, with an open-addressing
 * index of ids; the parent link and event of each state sit in two arrays.
 * When a level holds a violation, the rest of that level is still expanded
 * (so counts do not depend on where in the level the violation sits), then
 * the run stops with the canonically first violation of the level. */
#include "explore.h"

#include "mem.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct Explorer {
    const Machine *m;
    ExploreOptions opt;
    ExploreStats stats;
    size_t width;
    uint32_t *vectors;        /* states * width words */
    uint64_t *parent;
    uint32_t *event;
    uint64_t count, cap;
    uint64_t *index;          /* slot -> id + 1, 0 = empty */
    uint64_t index_size;      /* power of two */
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

static uint64_t hash_vec(const uint32_t *v, size_t width)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < width; i++) {
        h ^= v[i];
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    return h;
}

static size_t bytes_per_state(size_t width)
{
    /* vector + parent + event + two index slots at <= 50% load */
    return width * sizeof(uint32_t) + sizeof(uint64_t) + sizeof(uint32_t) +
           2 * sizeof(uint64_t);
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
    size_t memory = ex->opt.memory;
    if (!memory) {
        long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
        memory = pages > 0 && page > 0 ? (size_t)pages * (size_t)page / 2
                                       : (size_t)1 << 30;
    }
    ex->max_states = memory / bytes_per_state(ex->width);
    if (ex->opt.max_states && ex->opt.max_states < ex->max_states)
        ex->max_states = ex->opt.max_states;
    ex->index_size = 1024;
    ex->index = mem_calloc(ex->index_size, sizeof *ex->index);
    if (!ex->index) {
        mem_free(ex);
        return NULL;
    }
    ex->violation = UINT64_MAX;
    return ex;
}

void explore_free(Explorer *ex)
{
    if (!ex)
        return;
    mem_free(ex->vectors);
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
    mem_copy(vec, ex->vectors + id * ex->width, ex->width * sizeof *vec);
}

uint64_t explore_lookup(const Explorer *ex, const uint32_t *vec)
{
    uint64_t i = hash_vec(vec, ex->width) & (ex->index_size - 1);
    while (ex->index[i]) {
        uint64_t id = ex->index[i] - 1;
        if (!memcmp(ex->vectors + id * ex->width, vec,
                    ex->width * sizeof *vec))
            return id;
        i = (i + 1) & (ex->index_size - 1);
    }
    return UINT64_MAX;
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
    uint64_t size = ex->index_size * 2;
    uint64_t *index = mem_calloc(size, sizeof *index);
    if (!index)
        return -1;
    for (uint64_t id = 0; id < ex->count; id++) {
        uint64_t i = hash_vec(ex->vectors + id * ex->width, ex->width) &
                     (size - 1);
        while (index[i])
            i = (i + 1) & (size - 1);
        index[i] = id + 1;
    }
    mem_free(ex->index);
    ex->index = index;
    ex->index_size = size;
    return 0;
}

static int store_reserve(Explorer *ex)
{
    if (ex->count < ex->cap)
        return 0;
    uint64_t cap = ex->cap ? ex->cap * 2 : 1024;
    if (cap > ex->max_states)
        cap = ex->max_states;
    uint32_t *v = mem_realloc(ex->vectors, cap * ex->width * sizeof *v + 4);
    if (v)
        ex->vectors = v;
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

/* Inserts vec if new. Returns EXPLORE_DONE, or a limit / nomem status. */
static ExploreStatus store_insert(Explorer *ex, const uint32_t *vec,
                                  uint64_t parent, uint32_t event)
{
    uint64_t h = hash_vec(vec, ex->width);
    uint64_t i = h & (ex->index_size - 1);
    while (ex->index[i]) {
        uint64_t id = ex->index[i] - 1;
        if (!memcmp(ex->vectors + id * ex->width, vec,
                    ex->width * sizeof *vec))
            return EXPLORE_DONE;
        i = (i + 1) & (ex->index_size - 1);
    }
    if (ex->count >= ex->max_states)
        return ex->opt.max_states && ex->count >= ex->opt.max_states
                   ? EXPLORE_LIMIT_STATES
                   : EXPLORE_LIMIT_MEMORY;
    if (store_reserve(ex) != 0)
        return EXPLORE_NOMEM;
    uint64_t id = ex->count++;
    mem_copy(ex->vectors + id * ex->width, vec, ex->width * sizeof *vec);
    ex->parent[id] = parent;
    ex->event[id] = event;
    ex->index[i] = id + 1;
    if (ex->count * 2 > ex->index_size && index_grow(ex) != 0)
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
            ex->count * (double)bytes_per_state(ex->width) / 1e6,
            final ? "\r\033[K" : "");
}

/* Expands state `id`: stores its successors, then inspects it. */
static ExploreStatus expand(Explorer *ex, uint64_t id, Batch *b, void *scratch,
                            ExploreInspect inspect, void *ud)
{
    b->count = 0;
    b->failed = 0;
    const uint32_t *vec = ex->vectors + id * ex->width;
    if (machine_successors(ex->m, vec, scratch, batch_add, b) != MACHINE_OK)
        return EXPLORE_MACHINE_ERROR;
    if (b->failed)
        return EXPLORE_NOMEM;
    ex->stats.transitions += b->count;
    for (size_t k = 0; k < b->count; k++) {
        ExploreStatus st = store_insert(ex, b->vecs + k * ex->width, id,
                                        b->succ[k].event);
        if (st != EXPLORE_DONE)
            return st;
        b->succ[k].target = b->vecs + k * ex->width;
    }
    vec = ex->vectors + id * ex->width; /* the store may have moved */
    if (inspect && ex->violation == UINT64_MAX) {
        int code = inspect(ud, vec, b->succ, b->count);
        if (code > 0) {
            ex->violation = id;
            ex->violation_code = code;
        }
    }
    return EXPLORE_DONE;
}

static ExploreStatus explore_levels(Explorer *ex, Batch *b, void *scratch,
                                    ExploreInspect inspect, void *ud)
{
    uint64_t next = 0;
    unsigned level = 0;
    while (next < ex->count) {
        uint64_t level_end = ex->count;
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

ExploreStatus explore_run(Explorer *ex, ExploreInspect inspect, void *ud)
{
    ex->start = ex->last_progress = now();
    Batch b = {.width = ex->width};
    void *scratch = mem_calloc(1, ex->m->scratch_size + 16);
    uint32_t *init = mem_alloc(ex->width * sizeof *init + 4);
    ExploreStatus st = EXPLORE_NOMEM;
    if (scratch && init) {
        machine_initial(ex->m, init);
        st = store_insert(ex, init, 0, EVENT_NONE);
        if (st == EXPLORE_DONE)
            st = explore_levels(ex, &b, scratch, inspect, ud);
    }
    progress(ex, ex->stats.depth, 1);
    mem_free(scratch);
    mem_free(init);
    mem_free(b.succ);
    mem_free(b.vecs);
    ex->stats.states = ex->count;
    ex->stats.seconds = now() - ex->start;
    ex->stats.threads = 1;
    ex->stats.store_bytes = ex->cap * (ex->width * sizeof(uint32_t) +
                                       sizeof(uint64_t) + sizeof(uint32_t)) +
                            ex->index_size * sizeof(uint64_t);
    ex->stats.bytes_per_state =
        ex->count ? (double)ex->stats.store_bytes / ex->count : 0;
    return st;
}
