/* explore_disk: breadth-first exploration with the states on disk. See
 * explore_disk.h.
 *
 * A level [lo, hi) of ids is read from the keys file a slice at a time;
 * the pool's workers expand its states (a shared counter hands out chunks
 * of ids) and put each successor, as a record (packed key words, then
 * the discovery parent << 32 | successor index), in a buffer of their
 * own. A full buffer is sorted by key and its duplicates dropped (the
 * smallest discovery kept); when that leaves it more than half full it
 * is written out as a run. A level's end is explore_disk_level.c's.
 * --max-states keeps the first new states by discovery, and ends the run
 * at the limit when any were left out (as explore.c does). */
#include "explore_disk_impl.h"

#include "hash.h"
#include "limit.h"
#include "recsort.h"

#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum {
    SLICE = 1 << 16,     /* parents read from disk at a time */
    CHUNK = 64,          /* ids a worker takes at once */
    IO_BUFFER = 1 << 20, /* bytes of a file's buffer, at most */
    MIN_RECORDS = 64     /* a worker's buffer holds at least this many */
};


static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---------- disk failures ---------- */

/* Notes the first failure: doing what, with which errno. Returns -1. */
int explore_disk_fail(ExploreDisk *d, const char *doing, int err)
{
    if (!d->err) {
        d->err = err ? err : EIO;
        snprintf(d->what, sizeof d->what, "%s %.80s: %s", doing,
                 d->opt.disk, strerror(d->err));
    }
    return -1;
}

int explore_disk_spill_ok(ExploreDisk *d, const Spill *s)
{
    return s->err ? explore_disk_fail(d, "writing to or reading from", s->err) : 0;
}

const char *explore_disk_error(const ExploreDisk *d)
{
    return d->what;
}

/* ---------- runs ---------- */

/* A new empty run of rec-byte records, at the end of r; NULL on failure
 * (noted). */
Spill *explore_disk_runs_add(ExploreDisk *d, Runs *r, size_t rec)
{
    if (mem_grow((void **)&r->items, &r->cap, r->count + 1,
                 sizeof *r->items) != 0) {
        explore_disk_fail(d, "memory for a run in", ENOMEM);
        return NULL;
    }
    Spill *s = &r->items[r->count];
    if (spill_create(s, d->opt.disk, rec, d->io) != 0) {
        explore_disk_fail(d, "creating a file in", s->err);
        return NULL;
    }
    r->count++;
    return s;
}

void explore_disk_runs_clear(Runs *r)
{
    for (size_t i = 0; i < r->count; i++)
        spill_close(&r->items[i]);
    r->count = 0;
}

static void runs_free(Runs *r)
{
    explore_disk_runs_clear(r);
    mem_free(r->items);
    r->items = NULL;
    r->cap = 0;
}

/* Writes n records (rw words) as a new run of r. */
int explore_disk_runs_write(ExploreDisk *d, Runs *r, const uint64_t *a, size_t n)
{
    Spill *s = explore_disk_runs_add(d, r, d->rw * sizeof *a);
    for (size_t i = 0; s && i < n; i++)
        spill_put(s, a + i * d->rw);
    return s && spill_flush(s) == 0 ? 0 : s ? explore_disk_spill_ok(d, s) : -1;
}

/* ---------- the explorer ---------- */

ExploreDisk *explore_disk_new(const Machine *m, const ExploreOptions *opt)
{
    ExploreDisk *d = mem_calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->m = m;
    d->opt = *opt;
    d->keys.fd = -1;
    if (keypack_init(&d->kp, m->width, m->word_max) != 0) {
        mem_free(d);
        return NULL;
    }
    d->kw = d->kp.key_words;
    d->kb = d->kp.key_bytes;
    d->rw = d->kw + 1;
    size_t memory = opt->memory ? opt->memory : limit_default_budget();
    size_t left = limit_memory_left();
    if (left && left < memory)
        memory = left;
    /* a quarter each for the successors and the new states; the rest
     * for the lineage (0.3 bytes a state), the files' buffers and what
     * the process holds besides */
    d->io = memory / 512 < IO_BUFFER ? memory / 512 : IO_BUFFER;
    if (d->io < 4096)
        d->io = 4096;
    size_t least = MIN_RECORDS * d->rw * sizeof(uint64_t) * 8;
    d->arena_bytes = memory / 4 < least ? least : memory / 4;
    d->fresh_bytes = memory / 4 < least ? least : memory / 4;
    d->fresh_cap = d->fresh_bytes / (d->rw * sizeof(uint64_t));
    d->arena = mem_map(d->arena_bytes);
    d->fresh = mem_map(d->fresh_bytes);
    d->lineage = lineage_new(EXPLORE_DISK_MAX_STATES);
    d->violation = UINT64_MAX;
    atomic_store(&d->error_state, UINT64_MAX);
    pthread_mutex_init(&d->cand_lock, NULL);
    if (!d->arena || !d->fresh || !d->lineage) {
        explore_disk_free(d);
        return NULL;
    }
    return d;
}

static void workers_free(ExploreDisk *d)
{
    for (unsigned t = 0; d->workers && t < d->threads; t++) {
        DWorker *w = &d->workers[t];
        mem_free(w->state);
        mem_free(w->vecs);
        mem_free(w->succ);
        mem_free(w->key);
        mem_free(w->scratch);
        mem_free(w->recent);
    }
    mem_free(d->workers);
    d->workers = NULL;
    pool_free(d->pool);
    d->pool = NULL;
    mem_free(d->parents);
    d->parents = NULL;
}

void explore_disk_free(ExploreDisk *d)
{
    if (!d)
        return;
    workers_free(d);
    runs_free(&d->seen);
    runs_free(&d->cand);
    runs_free(&d->bydisc);
    spill_close(&d->keys);
    lineage_free(d->lineage);
    mem_unmap(d->arena, d->arena_bytes);
    mem_unmap(d->fresh, d->fresh_bytes);
    pthread_mutex_destroy(&d->cand_lock);
    keypack_free(&d->kp);
    mem_free(d);
}

const ExploreStats *explore_disk_stats(const ExploreDisk *d)
{
    return &d->stats;
}

uint64_t explore_disk_violation(const ExploreDisk *d, int *code)
{
    if (code)
        *code = d->violation_code;
    return d->violation;
}

uint64_t explore_disk_error_state(const ExploreDisk *d)
{
    return atomic_load(&((ExploreDisk *)d)->error_state);
}

/* ---------- states by id ---------- */

static int read_key(const ExploreDisk *d, uint64_t id, uint64_t *key)
{
    uint8_t bytes[d->kb + KEY_PAD];
    int err = 0;
    if (spill_get(&d->keys, id, 1, bytes, &err) != 0) {
        explore_disk_fail((ExploreDisk *)d, "reading from", err);
        memset(key, 0, d->kw * sizeof *key);
        return -1;
    }
    key_from_bytes(d, bytes, key);
    return 0;
}

void explore_disk_state(const ExploreDisk *d, uint64_t id, uint32_t *vec)
{
    uint64_t key[d->kw];
    read_key(d, id, key);
    keypack_unpack(&d->kp, key, vec);
}

uint64_t explore_disk_first(const ExploreDisk *d, ExplorePred pred, void *ud)
{
    Spill *keys = (Spill *)&d->keys; /* reading moves only its buffer */
    uint32_t vec[d->m->width + 1];
    uint64_t key[d->kw];
    spill_seek(keys, 0);
    const uint8_t *p;
    for (uint64_t id = 0; (p = spill_next(keys)) != NULL; id++) {
        key_from_bytes(d, p, key);
        keypack_unpack(&d->kp, key, vec);
        if (pred(ud, vec))
            return id;
    }
    explore_disk_spill_ok((ExploreDisk *)d, keys);
    return UINT64_MAX;
}

uint32_t explore_disk_parent_of(const ExploreDisk *d, uint64_t id)
{
    return lineage_parent(d->lineage, id);
}

/* ---------- a worker's successors ---------- */

static void succ_add(void *ctx, uint32_t event, const uint32_t *target)
{
    DWorker *w = ctx;
    if (w->failed)
        return;
    if (w->count == w->scap) {
        size_t cap = w->scap ? 2 * w->scap : 64;
        uint32_t *vecs = mem_realloc(w->vecs, cap * w->width * sizeof *vecs);
        if (vecs)
            w->vecs = vecs;
        ExploreSucc *succ = mem_realloc(w->succ, cap * sizeof *succ);
        if (succ)
            w->succ = succ;
        if (!vecs || !succ) {
            w->failed = 1;
            return;
        }
        w->scap = cap;
    }
    mem_copy(w->vecs + w->count * w->width, target,
             w->width * sizeof *target);
    w->succ[w->count++].event = event;
}

/* Sorts a worker's buffer by key and drops the duplicates, keeping each
 * key's smallest discovery. */
static void buffer_sort(const ExploreDisk *d, DWorker *w)
{
    size_t rw = d->rw, kw = d->kw, n = 0;
    RecKey k = {rw, 0, kw};
    recsort_tmp(&k, w->buf, w->tmp, w->fill);
    for (size_t i = 0; i < w->fill; i++) {
        uint64_t *r = w->buf + i * rw;
        uint64_t *last = w->buf + (n - 1) * rw;
        if (n && reckey_cmp(&k, last, r) == 0) {
            if (r[kw] < last[kw])
                last[kw] = r[kw];
        } else {
            if (n != i)
                words_copy(w->buf + n * rw, r, rw);
            n++;
        }
    }
    w->fill = n;
}

/* A full buffer: sorted and deduplicated, and written out as a run when
 * that leaves it more than half full. */
static int buffer_full(ExploreDisk *d, DWorker *w)
{
    buffer_sort(d, w);
    if (w->fill <= w->cap / 2)
        return 0;
    pthread_mutex_lock(&d->cand_lock);
    int rc = explore_disk_runs_write(d, &d->cand, w->buf, w->fill);
    pthread_mutex_unlock(&d->cand_lock);
    w->fill = 0;
    return rc;
}

static void note_min(_Atomic uint64_t *at, uint64_t id)
{
    uint64_t seen = atomic_load(at);
    while (id < seen && !atomic_compare_exchange_weak(at, &seen, id))
        ;
}

/* 1 when the worker met this key (of at most two words) before, and
 * notes it. Then it needs no record: a worker's ids only increase (in a
 * level and from one to the next), so the record made when it was first
 * met holds a smaller discovery, or that record's level is over and the
 * state is seen. As explore.c's table of recent successors, this answers
 * many successors (moves that commute lead to the same state) before
 * they cost a record, its sort and its merge. */
static int met_before(const ExploreDisk *d, DWorker *w, const uint64_t *key)
{
    if (!w->recent)
        return 0;
    uint64_t k1 = d->kw == 2 ? key[1] : 0;
    uint64_t h = hash_mix(hash_mix(HASH_SEED, key[0]), k1);
    Recent *r = &w->recent[h >> (64 - RECENT_BITS)];
    if (r->used && r->k0 == key[0] && r->k1 == k1)
        return 1;
    *r = (Recent){key[0], k1, 1};
    return 0;
}

/* Expands state `id` (its key at p): inspects it, and puts its
 * successors in the worker's buffer. */
static ExploreStatus expand(ExploreDisk *d, DWorker *w, uint64_t id,
                            const uint8_t *p)
{
    key_from_bytes(d, p, w->key);
    keypack_unpack(&d->kp, w->key, w->state);
    w->count = 0;
    w->failed = 0;
    int rc = machine_successors(d->m, w->state, w->scratch, succ_add, w);
    if (rc != MACHINE_OK)
        return rc == MACHINE_LIMIT ? EXPLORE_LIMIT_STATES
                                   : EXPLORE_MACHINE_ERROR;
    if (w->failed)
        return EXPLORE_NOMEM;
    w->transitions += w->count;
    for (size_t k = 0; k < w->count; k++)
        w->succ[k].target = w->vecs + k * w->width;
    if (d->inspect && id <= atomic_load(&d->first_violation)) {
        int code = d->inspect(d->ud, w->state, w->succ, w->count);
        if (code > 0 && id < w->violation) {
            w->violation = id;
            w->code = code;
            note_min(&d->first_violation, id);
        }
    }
    for (size_t k = 0; k < w->count; k++) {
        if (w->fill == w->cap && buffer_full(d, w) != 0)
            return EXPLORE_DISK;
        uint64_t *r = w->buf + w->fill * d->rw;
        keypack_pack(&d->kp, w->vecs + k * w->width, r);
        if (met_before(d, w, r))
            continue;
        r[d->kw] = id << 32 | k;
        w->fill++;
    }
    return EXPLORE_DONE;
}

int explore_disk_poll_limits(ExploreDisk *d)
{
    LimitKind limit = limit_reached();
    if (limit == LIMIT_NONE && d->opt.timeout > 0 &&
        now() - d->start > d->opt.timeout)
        limit = LIMIT_TIME;
    if (limit != LIMIT_NONE) {
        atomic_store(&d->limit, (int)limit);
        atomic_store(&d->stop, 1);
    }
    return limit != LIMIT_NONE;
}

static void worker_task(void *arg, unsigned index)
{
    ExploreDisk *d = arg;
    DWorker *w = &d->workers[index];
    while (!atomic_load_explicit(&d->stop, memory_order_relaxed) &&
           !explore_disk_poll_limits(d)) {
        uint64_t at = atomic_fetch_add(&d->next_id, CHUNK);
        if (at >= d->slice_hi)
            return;
        uint64_t end = at + CHUNK < d->slice_hi ? at + CHUNK : d->slice_hi;
        for (uint64_t id = at; id < end; id++) {
            ExploreStatus st = expand(
                d, w, id, d->parents + (id - d->slice_lo) * d->kb);
            if (st == EXPLORE_DONE)
                continue;
            if (st == EXPLORE_MACHINE_ERROR)
                note_min(&d->error_state, id);
            w->status = st;
            atomic_store(&d->stop, 1);
            return;
        }
    }
}

static void sort_task(void *arg, unsigned index)
{
    ExploreDisk *d = arg;
    buffer_sort(d, &d->workers[index]);
}

/* Expands the level [lo, hi): its successors end in the workers' sorted
 * buffers and the level's runs. */
static ExploreStatus level_expand(ExploreDisk *d, uint64_t lo, uint64_t hi)
{
    for (uint64_t at = lo; at < hi; at += SLICE) {
        d->slice_lo = at;
        d->slice_hi = hi - at < SLICE ? hi : at + SLICE;
        int err = 0;
        if (spill_get(&d->keys, at, d->slice_hi - at, d->parents, &err) != 0)
            return explore_disk_fail(d, "reading from", err), EXPLORE_DISK;
        atomic_store(&d->next_id, at);
        unsigned n = d->slice_hi - at >= 2 * CHUNK ? d->threads : 1;
        pool_run(d->pool, n, worker_task, d);
        for (unsigned t = 0; t < d->threads; t++)
            if (d->workers[t].status != EXPLORE_DONE)
                return d->workers[t].status;
        if (d->err)
            return EXPLORE_DISK;
        int limit = atomic_load(&d->limit);
        if (limit != LIMIT_NONE)
            return explore_limit_status(limit);
    }
    pool_run(d->pool, d->threads, sort_task, d);
    return EXPLORE_DONE;
}

/* ---------- the run ---------- */

static int workers_init(ExploreDisk *d)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned want = d->opt.threads ? d->opt.threads
                    : online > 0   ? (unsigned)online : 1;
    d->pool = pool_new(want > 256 ? 256 : want);
    if (!d->pool)
        return -1;
    d->threads = pool_size(d->pool);
    d->workers = mem_calloc(d->threads, sizeof *d->workers);
    d->parents = mem_alloc((size_t)SLICE * d->kb + KEY_PAD);
    if (!d->workers || !d->parents)
        return -1;
    /* each worker's share of the arena: its buffer, then the sort's */
    size_t per = d->arena_bytes / d->threads / (d->rw * sizeof(uint64_t)) / 2;
    for (unsigned t = 0; t < d->threads; t++) {
        DWorker *w = &d->workers[t];
        w->buf = d->arena + 2 * t * per * d->rw;
        w->tmp = w->buf + per * d->rw;
        w->cap = per;
        w->width = d->m->width;
        w->violation = UINT64_MAX;
        w->state = mem_alloc((w->width + 1) * sizeof *w->state);
        w->key = mem_alloc(d->kw * sizeof *w->key);
        w->scratch = mem_calloc(1, d->m->scratch_size + 16);
        if (d->kw <= 2)
            w->recent = mem_calloc((size_t)1 << RECENT_BITS,
                                   sizeof *w->recent);
        if (!w->state || !w->key || !w->scratch ||
            (d->kw <= 2 && !w->recent))
            return -1;
    }
    return 0;
}

/* The initial state, id 0, alone in the first seen run. */
static ExploreStatus insert_initial(ExploreDisk *d)
{
    if (spill_create(&d->keys, d->opt.disk, d->kb, d->io) != 0)
        return explore_disk_fail(d, "creating a file in", d->keys.err), EXPLORE_DISK;
    uint32_t vec[d->m->width + 1];
    uint64_t key[d->kw];
    uint8_t bytes[d->kb + KEY_PAD];
    machine_initial(d->m, vec);
    keypack_pack(&d->kp, vec, key);
    key_to_bytes(d, key, bytes);
    Spill *seen = explore_disk_runs_add(d, &d->seen, d->kb);
    if (!seen || spill_put(seen, bytes) != 0 || spill_flush(seen) != 0 ||
        spill_put(&d->keys, bytes) != 0 || spill_flush(&d->keys) != 0)
        return (seen ? explore_disk_spill_ok(d, seen) : 0), explore_disk_spill_ok(d, &d->keys),
               EXPLORE_DISK;
    lineage_append(d->lineage, LINEAGE_ROOT);
    d->count = 1;
    return EXPLORE_DONE;
}

/* Takes the workers' transitions and first violation. */
static void level_results(ExploreDisk *d)
{
    for (unsigned t = 0; t < d->threads; t++) {
        DWorker *w = &d->workers[t];
        d->stats.transitions += w->transitions;
        w->transitions = 0;
        if (w->violation < d->violation) {
            d->violation = w->violation;
            d->violation_code = w->code;
        }
    }
}

static ExploreStatus explore_levels(ExploreDisk *d)
{
    for (uint64_t lo = 0; lo < d->count;) {
        uint64_t hi = d->count;
        ExploreStatus st = level_expand(d, lo, hi);
        level_results(d);
        if (st != EXPLORE_DONE)
            return st;
        int cut = 0;
        st = explore_disk_level_end(d, &cut);
        if (st != EXPLORE_DONE)
            return st;
        d->stats.depth++;
        if (cut) /* --max-states, or ids would reach 2^32 */
            return d->opt.max_states && d->count >= d->opt.max_states
                       ? EXPLORE_LIMIT_STATES
                       : EXPLORE_LIMIT_MEMORY;
        if (d->violation != UINT64_MAX)
            return EXPLORE_VIOLATION;
        lo = hi;
    }
    return EXPLORE_DONE;
}

static size_t peak_rss(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? (size_t)ru.ru_maxrss * 1024 : 0;
}

ExploreStatus explore_disk_run(ExploreDisk *d, ExploreInspect inspect,
                               void *ud)
{
    d->start = now();
    d->inspect = inspect;
    d->ud = ud;
    atomic_store(&d->first_violation, UINT64_MAX);
    ExploreStatus st = EXPLORE_NOMEM;
    if (workers_init(d) == 0) {
        st = insert_initial(d);
        if (st == EXPLORE_DONE)
            st = explore_levels(d);
    }
    d->stats.threads = d->threads;
    workers_free(d);
    explore_disk_runs_clear(&d->cand);
    explore_disk_runs_clear(&d->bydisc);
    d->stats.states = d->count;
    d->stats.seconds = now() - d->start;
    d->stats.store_bytes = lineage_bytes(d->lineage);
    d->stats.bytes_per_state =
        d->count ? (double)d->stats.store_bytes / d->count : 0;
    uint64_t disk = spill_bytes(&d->keys);
    for (size_t i = 0; i < d->seen.count; i++)
        disk += spill_bytes(&d->seen.items[i]);
    d->stats.disk_bytes = disk;
    d->stats.peak_rss = peak_rss();
    return st;
}
