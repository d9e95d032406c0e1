/* explore_disk_diverge: the tau-cycle search after a run on disk. See
 * explore_disk.h.
 *
 * The store on disk answers no lookup by vector and its states need not
 * fit in memory, so the search works on files as the exploration does:
 * 1. The index: every state's (key, id), sorted by key (an external sort
 *    of the keys file), one file.
 * 2. The edges: every state's tau successors as (target key, source
 *    id), sorted by key and joined with the index into (source, target)
 *    ids, sorted by source into one file (8 bytes an edge).
 * 3. Elimination (the argument of explore_dist_diverge.c): a state whose
 *    tau successors all cannot diverge cannot diverge either, starting
 *    from those with none. A bit a state in memory says which may still
 *    diverge. A round reads the edge file from its end, so its sources
 *    come in the opposite order from the round before; a source whose
 *    targets are all eliminated is eliminated at once (later sources of
 *    the round see it), the others' edges to targets not eliminated are
 *    written as the next round's file. A round that eliminates nothing
 *    ends it; what is left can diverge, as diverge_mark finds. Chains of
 *    elimination that run along the ids, either way, take a round or
 *    two; each turn of a zigzag costs a round more over what is left.
 *    Once what is left fits in memory, it ends there in one pass.
 * 4. The first divergent state is the smallest id left; the lasso follows
 *    the first divergent tau successor in the machine's order (looked up
 *    in the index by binary search), as diverge_lasso does: the answers
 *    are the store in memory's.
 * Memory: the explorer's buffers, idle now, for the sorts; a bit a state.
 * Disk: the index (the key and 4 bytes a state), the edges (8 bytes an
 * edge, twice while a round runs) and the sorts' runs on the way. The
 * tau successors are computed on the exploration's threads; the sorts,
 * the join and the rounds run on one. */
#include "explore_disk_impl.h"

#include "extsort.h"
#include "limit.h"
#include "pool.h"

#include <errno.h>

enum {
    POLL = 1 << 16,  /* records between looks at the run's limits */
    BLOCK = 1 << 15, /* edges read at once */
    SLICE = 1 << 14, /* states whose tau successors are gathered at once */
    CHUNK = 64       /* states a worker takes at once */
};

typedef struct DivDisk {
    ExploreDisk *d;
    const Machine *m;
    size_t ib;         /* bytes of an index record: key, then the id */
    Spill index;
    Spill edges;       /* source << 32 | target */
    uint64_t *alive;   /* a bit a state: may diverge */
    uint32_t *vec;
    void *scratch;
    /* step 4: the tau successors of one state, as they are emitted */
    uint64_t *keys;
    size_t nkeys, keys_cap;
    int failed;
    uint64_t steps;
} DivDisk;

static int bit(const uint64_t *b, uint64_t i)
{
    return (int)(b[i >> 6] >> (i & 63) & 1);
}

/* 1 when the run's limit is reached (looked at every POLL steps). */
static int stopped(DivDisk *v)
{
    return ++v->steps % POLL == 0 && limit_reached() != LIMIT_NONE;
}

/* A failure of a file (err from it), or of memory (not a disk's: the
 * caller reports it as memory). -1. */
static int failed(DivDisk *v, const char *doing, int err)
{
    if (err != ENOMEM)
        explore_disk_fail(v->d, doing, err);
    return -1;
}

static int sort_failed(DivDisk *v, const ExtSort *s)
{
    return failed(v, "writing to or reading from", s->err);
}

/* The explorer's buffers as a sort's: its successor arena (with a second
 * array) or the new states' buffer. */
static void sort_in(DivDisk *v, ExtSort *s, const RecKey *k, int arena)
{
    ExploreDisk *d = v->d;
    size_t rb = k->rw * sizeof(uint64_t);
    if (arena) {
        size_t cap = d->arena_bytes / 2 / rb;
        extsort_init(s, k, d->arena, d->arena + cap * k->rw, cap, d->opt.disk,
                     d->io);
    } else {
        extsort_init(s, k, d->fresh, NULL, d->fresh_bytes / rb, d->opt.disk,
                     d->io);
    }
}

/* ---------- 1. the index ---------- */

static void index_decode(const DivDisk *v, const uint8_t *p, uint64_t *key,
                         uint32_t *id)
{
    key_from_bytes(v->d, p, key);
    __builtin_memcpy(id, p + v->d->kb, 4);
}

/* Every state's (key, id), in id order, into s. */
static int index_gather(DivDisk *v, ExtSort *s)
{
    ExploreDisk *d = v->d;
    uint64_t rec[d->rw];
    spill_seek(&d->keys, 0);
    const uint8_t *p;
    for (uint64_t id = 0; (p = spill_next(&d->keys)) != NULL; id++) {
        key_from_bytes(d, p, rec);
        rec[d->kw] = id;
        if (stopped(v))
            return -1;
        if (extsort_put(s, rec) != 0)
            return sort_failed(v, s);
    }
    return explore_disk_spill_ok(d, &d->keys);
}

static int index_build(DivDisk *v)
{
    ExploreDisk *d = v->d;
    RecKey k = {d->rw, 0, d->kw};
    ExtSort s;
    sort_in(v, &s, &k, 1);
    int rc = index_gather(v, &s);
    if (rc == 0 && extsort_start(&s) != 0)
        rc = sort_failed(v, &s);
    if (rc == 0 && spill_create(&v->index, d->opt.disk, v->ib, d->io) != 0)
        rc = failed(v, "creating a file in", v->index.err);
    uint8_t bytes[v->ib + KEY_PAD];
    for (const uint64_t *r; rc == 0 && (r = extsort_next(&s)) != NULL;) {
        uint32_t id = (uint32_t)r[d->kw];
        key_to_bytes(d, r, bytes);
        __builtin_memcpy(bytes + d->kb, &id, 4);
        rc = stopped(v) ? -1 : spill_put(&v->index, bytes);
    }
    if (rc == 0 && s.err)
        rc = sort_failed(v, &s);
    if (rc == 0 && spill_flush(&v->index) != 0)
        rc = -1;
    if (v->index.err)
        failed(v, "writing to", v->index.err);
    extsort_free(&s);
    return rc;
}

/* The id of the state with this key (binary search in the index), or
 * UINT64_MAX (not there, or the disk failed: noted). */
static uint64_t index_find(DivDisk *v, const uint64_t *key)
{
    ExploreDisk *d = v->d;
    RecKey k = {d->kw, 0, d->kw};
    uint8_t bytes[v->ib + KEY_PAD];
    uint64_t lo = 0, hi = v->index.count, at[d->kw];
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        int err = 0;
        uint32_t id;
        if (spill_get(&v->index, mid, 1, bytes, &err) != 0) {
            failed(v, "reading from", err);
            return UINT64_MAX;
        }
        index_decode(v, bytes, at, &id);
        int c = reckey_cmp(&k, at, key);
        if (c == 0)
            return id;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return UINT64_MAX;
}

/* ---------- 2. the edges ---------- */

/* The states' tau successors are computed on the exploration's threads,
 * a slice of states at a time: each worker takes chunks of the slice and
 * keeps its records; the sort then takes them all (in any order: it
 * sorts by target key). */
typedef struct Gather {
    DivDisk *v;
    uint8_t *keys;          /* the slice's keys */
    uint64_t lo, hi;        /* its ids */
    _Atomic uint64_t next;  /* the next chunk's first id */
    struct GatherPart *parts;
} Gather;

typedef struct GatherPart {
    const ExploreDisk *d;
    uint32_t *vec;
    void *scratch;
    uint64_t *recs;         /* (target key, source) */
    size_t count, cap;      /* records */
    uint64_t src;
    int failed;
} GatherPart;

static void tau_put(void *ctx, uint32_t event, const uint32_t *target)
{
    GatherPart *p = ctx;
    const ExploreDisk *d = p->d;
    if (event != EVENT_TAU || p->failed)
        return;
    if (mem_grow((void **)&p->recs, &p->cap, (p->count + 1) * d->rw,
                 sizeof *p->recs) != 0) {
        p->failed = 1;
        return;
    }
    uint64_t *rec = p->recs + p->count++ * d->rw;
    keypack_pack(&d->kp, target, rec);
    rec[d->kw] = p->src;
}

static void gather_task(void *arg, unsigned worker)
{
    Gather *g = arg;
    GatherPart *p = &g->parts[worker];
    ExploreDisk *d = g->v->d;
    uint64_t key[d->kw];
    for (;;) {
        uint64_t at = atomic_fetch_add(&g->next, CHUNK);
        if (at >= g->hi || p->failed)
            return;
        uint64_t end = g->hi - at < CHUNK ? g->hi : at + CHUNK;
        for (uint64_t id = at; id < end && !p->failed; id++) {
            key_from_bytes(d, g->keys + (id - g->lo) * d->kb, key);
            keypack_unpack(&d->kp, key, p->vec);
            p->src = id;
            if (machine_tau_successors(g->v->m, p->vec, p->scratch, tau_put,
                                       p) != MACHINE_OK)
                p->failed = 1;
        }
    }
}

/* The workers' records of a slice into the sort. */
static int gather_take(DivDisk *v, Gather *g, unsigned n, ExtSort *s)
{
    for (unsigned w = 0; w < n; w++) {
        GatherPart *p = &g->parts[w];
        if (p->failed)
            return -1;
        for (size_t i = 0; i < p->count; i++) {
            if (stopped(v))
                return -1;
            if (extsort_put(s, p->recs + i * v->d->rw) != 0)
                return sort_failed(v, s);
        }
        p->count = 0;
    }
    return 0;
}

static int gather_slices(DivDisk *v, Gather *g, Pool *pool, ExtSort *s)
{
    ExploreDisk *d = v->d;
    unsigned n = pool_size(pool);
    int rc = 0;
    for (uint64_t lo = 0; rc == 0 && lo < d->count; lo += SLICE) {
        g->lo = lo;
        g->hi = d->count - lo < SLICE ? d->count : lo + SLICE;
        int err = 0;
        if (spill_get(&d->keys, lo, g->hi - lo, g->keys, &err) != 0)
            return failed(v, "reading from", err);
        atomic_store(&g->next, lo);
        pool_run(pool, n, gather_task, g);
        rc = gather_take(v, g, n, s);
    }
    return rc;
}

/* Every state's tau successors into s, by target key. */
static int edges_gather(DivDisk *v, ExtSort *s)
{
    ExploreDisk *d = v->d;
    Gather g = {.v = v};
    Pool *pool = pool_new(d->stats.threads ? d->stats.threads : 1);
    unsigned n = pool ? pool_size(pool) : 0;
    g.parts = pool ? mem_calloc(n, sizeof *g.parts) : NULL;
    g.keys = mem_alloc((size_t)SLICE * d->kb + KEY_PAD);
    int rc = g.parts && g.keys ? 0 : -1;
    for (unsigned w = 0; rc == 0 && w < n; w++) {
        g.parts[w].d = d;
        g.parts[w].vec = mem_alloc((v->m->width + 1) * sizeof(uint32_t));
        g.parts[w].scratch = mem_calloc(1, v->m->scratch_size + 16);
        rc = g.parts[w].vec && g.parts[w].scratch ? 0 : -1;
    }
    if (rc == 0 && spill_flush(&d->keys) != 0)
        rc = explore_disk_spill_ok(d, &d->keys);
    if (rc == 0)
        rc = gather_slices(v, &g, pool, s);
    for (unsigned w = 0; g.parts && w < n; w++) {
        mem_free(g.parts[w].vec);
        mem_free(g.parts[w].scratch);
        mem_free(g.parts[w].recs);
    }
    mem_free(g.parts);
    mem_free(g.keys);
    pool_free(pool);
    return rc;
}

/* The edges sorted by target key, joined with the index: source << 32 |
 * target id into `by_source` (a source's edges in the order of their
 * targets, which elimination does not mind). */
static int edges_join(DivDisk *v, ExtSort *by_key, ExtSort *by_source)
{
    ExploreDisk *d = v->d;
    RecKey k = {d->kw, 0, d->kw};
    uint64_t at[d->kw];
    uint32_t id = 0;
    const uint8_t *p = NULL;
    int rc = extsort_start(by_key) == 0 ? 0 : sort_failed(v, by_key);
    spill_seek(&v->index, 0);
    for (const uint64_t *r; rc == 0 && (r = extsort_next(by_key)) != NULL;) {
        int c = -1;
        while (p == NULL || (c = reckey_cmp(&k, at, r)) < 0) {
            if ((p = spill_next(&v->index)) == NULL)
                break;
            index_decode(v, p, at, &id);
        }
        if (p == NULL || c != 0) /* a tau target that was not explored */
            return v->index.err ? failed(v, "reading from", v->index.err)
                                : failed(v, "joining the tau edges with the "
                                            "states (a target not found) in",
                                         EIO);
        uint64_t edge = r[d->kw] << 32 | id;
        rc = stopped(v) ? -1 : extsort_put(by_source, &edge) == 0
                                   ? 0 : sort_failed(v, by_source);
    }
    if (rc == 0 && by_key->err)
        rc = sort_failed(v, by_key);
    return rc;
}

/* The edges by source into v->edges; their sources may diverge. */
static int edges_write(DivDisk *v, ExtSort *by_source)
{
    ExploreDisk *d = v->d;
    int rc = extsort_start(by_source) == 0 ? 0 : sort_failed(v, by_source);
    if (rc == 0 && spill_create(&v->edges, d->opt.disk, 8, d->io) != 0)
        rc = failed(v, "creating a file in", v->edges.err);
    for (const uint64_t *r; rc == 0 && (r = extsort_next(by_source)) != NULL;) {
        uint64_t src = r[0] >> 32;
        v->alive[src >> 6] |= UINT64_C(1) << (src & 63);
        rc = stopped(v) ? -1 : spill_put(&v->edges, r);
    }
    if (rc == 0 && by_source->err)
        rc = sort_failed(v, by_source);
    if (rc == 0 && spill_flush(&v->edges) != 0)
        rc = -1;
    if (v->edges.err)
        failed(v, "writing to", v->edges.err);
    return rc;
}

static int edges_build(DivDisk *v)
{
    ExploreDisk *d = v->d;
    RecKey by_key = {d->rw, 0, d->kw}, by_source = {1, 0, 1};
    ExtSort a, b;
    sort_in(v, &a, &by_key, 1);
    sort_in(v, &b, &by_source, 0);
    int rc = edges_gather(v, &a);
    if (rc == 0)
        rc = edges_join(v, &a, &b);
    extsort_free(&a);
    if (rc == 0)
        rc = edges_write(v, &b);
    extsort_free(&b);
    return rc;
}

/* ---------- 3. elimination ---------- */

typedef struct Group {
    uint64_t src;  /* UINT64_MAX: none yet */
    uint64_t kept; /* its edges to targets not eliminated */
} Group;

/* A source's edges are all read: it is eliminated when none is kept. */
static void group_end(DivDisk *v, const Group *g, uint64_t *eliminated)
{
    if (g->src != UINT64_MAX && g->kept == 0) {
        v->alive[g->src >> 6] &= ~(UINT64_C(1) << (g->src & 63));
        ++*eliminated;
    }
}

/* One round: v->edges read from its end into a new file. */
static int round_run(DivDisk *v, uint64_t *block, uint64_t *eliminated)
{
    ExploreDisk *d = v->d;
    Spill out;
    if (spill_create(&out, d->opt.disk, 8, d->io) != 0)
        return failed(v, "creating a file in", out.err);
    Group g = {UINT64_MAX, 0};
    int rc = 0;
    *eliminated = 0;
    for (uint64_t end = v->edges.count; rc == 0 && end > 0;) {
        uint64_t n = end < BLOCK ? end : BLOCK;
        int err = 0;
        end -= n;
        if (spill_get(&v->edges, end, n, block, &err) != 0) {
            rc = failed(v, "reading from", err);
            break;
        }
        for (uint64_t i = n; rc == 0 && i-- > 0;) {
            uint64_t src = block[i] >> 32, dst = (uint32_t)block[i];
            if (src != g.src) {
                group_end(v, &g, eliminated);
                g = (Group){src, 0};
            }
            if (bit(v->alive, dst)) {
                g.kept++;
                rc = spill_put(&out, &block[i]);
            }
        }
        if (rc == 0 && limit_reached() != LIMIT_NONE)
            rc = -1;
    }
    group_end(v, &g, eliminated);
    if (rc == 0 && spill_flush(&out) != 0)
        rc = -1;
    if (out.err)
        failed(v, "writing to", out.err);
    if (rc != 0) {
        spill_close(&out);
        return -1;
    }
    spill_close(&v->edges);
    v->edges = out;
    return 0;
}

/* ---------- 3b. the rest in memory ---------- */

/* When what is left of the edges fits in the explorer's buffers,
 * elimination ends there in one pass (Kahn's algorithm, backwards): each
 * source counts its targets not eliminated; a source whose count drops
 * to zero is eliminated, and its predecessors' counts go down. The
 * successor arena holds the edges twice (as read, and by target), the
 * new states' buffer the sources, their counts and the work stack. So
 * zigzags cost rounds only while the edges left do not fit. */
typedef struct Kahn {
    uint64_t *edges;     /* n, source << 32 | target, grouped by source */
    uint64_t *by_target; /* n, target << 32 | the source's index, sorted */
    uint32_t *src;       /* m sources, ascending */
    uint32_t *left;      /* their targets not eliminated */
    uint32_t *stack;     /* indexes of sources eliminated whose
                            predecessors are not looked at yet */
    uint64_t n, m, top;
} Kahn;

static int fits_in_memory(const DivDisk *v)
{
    uint64_t n = v->edges.count;
    return n <= v->d->arena_bytes / 16 && n <= v->d->fresh_bytes / 12;
}

/* The sources in ascending order (the file has them either way), the
 * edges by target with their sources' indexes, and each source's
 * targets not eliminated. */
static void kahn_build(DivDisk *v, Kahn *k)
{
    k->m = 0;
    for (uint64_t i = 0; i < k->n; i++)
        if (!k->m || k->src[k->m - 1] != (uint32_t)(k->edges[i] >> 32))
            k->src[k->m++] = (uint32_t)(k->edges[i] >> 32);
    int descending = k->m > 1 && k->src[0] > k->src[1];
    for (uint64_t i = 0; descending && i < k->m / 2; i++) {
        uint32_t t = k->src[i];
        k->src[i] = k->src[k->m - 1 - i];
        k->src[k->m - 1 - i] = t;
    }
    memset(k->left, 0, k->m * sizeof *k->left);
    for (uint64_t i = 0, g = 0; i < k->n; i++) {
        if (i && k->edges[i] >> 32 != k->edges[i - 1] >> 32)
            g++;
        uint64_t at = descending ? k->m - 1 - g : g;
        uint32_t target = (uint32_t)k->edges[i];
        k->by_target[i] = (uint64_t)target << 32 | at;
        k->left[at] += bit(v->alive, target);
    }
    RecKey key = {1, 0, 1};
    recsort(&key, k->by_target, k->n);
}

static void kahn_eliminate(DivDisk *v, Kahn *k, uint64_t at)
{
    uint32_t id = k->src[at];
    v->alive[id >> 6] &= ~(UINT64_C(1) << (id & 63));
    k->stack[k->top++] = (uint32_t)at;
}

/* The predecessors of source src[at]: their counts go down. */
static void kahn_predecessors(DivDisk *v, Kahn *k, uint64_t at)
{
    uint64_t lo = 0, hi = k->n, want = (uint64_t)k->src[at] << 32;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (k->by_target[mid] < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < k->n && k->by_target[lo] >> 32 == k->src[at]; lo++) {
        uint32_t p = (uint32_t)k->by_target[lo];
        if (bit(v->alive, k->src[p]) && --k->left[p] == 0)
            kahn_eliminate(v, k, p);
    }
}

static int eliminate_in_memory(DivDisk *v)
{
    ExploreDisk *d = v->d;
    Kahn k = {.n = v->edges.count};
    k.edges = d->arena;
    k.by_target = d->arena + k.n;
    k.src = (uint32_t *)d->fresh;
    k.left = k.src + k.n;
    k.stack = k.left + k.n;
    int err = 0;
    if (k.n && spill_get(&v->edges, 0, k.n, k.edges, &err) != 0)
        return failed(v, "reading from", err);
    kahn_build(v, &k);
    for (uint64_t at = 0; at < k.m; at++)
        if (k.left[at] == 0 && bit(v->alive, k.src[at]))
            kahn_eliminate(v, &k, at);
    while (k.top > 0) {
        if (stopped(v))
            return -1;
        kahn_predecessors(v, &k, k.stack[--k.top]);
    }
    return 0;
}

/* Rounds on disk until nothing more is eliminated, or what is left fits
 * in memory: at least one, as it is a sequential pass that often leaves
 * little (taus mostly lead to higher ids, and the first round reads the
 * sources from the highest id down). A source kept in a round may lose
 * its last target later in the round: its edges are then still written,
 * and the next round (or the pass in memory) eliminates it. */
static int eliminate(DivDisk *v)
{
    uint64_t *block = mem_alloc(BLOCK * sizeof *block);
    if (!block)
        return -1;
    int rc = 0;
    uint64_t eliminated = 0;
    do
        rc = round_run(v, block, &eliminated);
    while (rc == 0 && eliminated > 0 && !fits_in_memory(v));
    mem_free(block);
    return rc == 0 && eliminated > 0 ? eliminate_in_memory(v) : rc;
}

/* ---------- 4. the first divergent state and its lasso ---------- */

static void tau_keep(void *ctx, uint32_t event, const uint32_t *target)
{
    DivDisk *v = ctx;
    size_t kw = v->d->kw;
    if (event != EVENT_TAU || v->failed)
        return;
    if (mem_grow((void **)&v->keys, &v->keys_cap, (v->nkeys + 1) * kw,
                 sizeof *v->keys) != 0) {
        v->failed = 1;
        return;
    }
    keypack_pack(&v->d->kp, target, v->keys + v->nkeys++ * kw);
}

/* The first tau successor of cur that may diverge. */
static int first_divergent(void *ud, uint64_t cur, uint64_t *next)
{
    DivDisk *v = ud;
    v->nkeys = 0;
    v->failed = 0;
    explore_disk_state(v->d, cur, v->vec);
    if (machine_tau_successors(v->m, v->vec, v->scratch, tau_keep, v) !=
            MACHINE_OK || v->failed)
        return -1;
    for (size_t k = 0; k < v->nkeys; k++) {
        uint64_t id = index_find(v, v->keys + k * v->d->kw);
        if (id != UINT64_MAX && bit(v->alive, id)) {
            *next = id;
            return 0;
        }
    }
    return -1;
}

static uint64_t first_alive(const DivDisk *v)
{
    uint64_t states = v->d->count;
    for (uint64_t w = 0; w < (states + 63) / 64; w++)
        if (v->alive[w])
            return w * 64 + (uint64_t)__builtin_ctzll(v->alive[w]);
    return UINT64_MAX;
}

int explore_disk_diverge(ExploreDisk *d, const Machine *m, uint64_t *first,
                         IdVec *lead, IdVec *loop)
{
    DivDisk v = {.d = d, .m = m, .ib = d->kb + 4};
    v.index.fd = v.edges.fd = -1;
    v.alive = mem_calloc((d->count + 63) / 64 + 1, sizeof *v.alive);
    v.vec = mem_alloc((m->width + 1) * sizeof *v.vec);
    v.scratch = mem_calloc(1, m->scratch_size + 16);
    int rc = v.alive && v.vec && v.scratch ? 0 : -1;
    if (rc == 0)
        rc = index_build(&v);
    if (rc == 0)
        rc = edges_build(&v);
    if (rc == 0)
        rc = eliminate(&v);
    *first = rc == 0 ? first_alive(&v) : UINT64_MAX;
    if (rc == 0 && *first != UINT64_MAX)
        rc = diverge_walk(*first, first_divergent, &v, lead, loop);
    if (rc != 0 && !d->err && v.index.err)
        explore_disk_spill_ok(d, &v.index);
    spill_close(&v.index);
    spill_close(&v.edges);
    mem_free(v.alive);
    mem_free(v.vec);
    mem_free(v.scratch);
    mem_free(v.keys);
    return rc;
}
