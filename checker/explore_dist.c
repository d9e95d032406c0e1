/* explore_dist: breadth-first exploration over the ranks of an MPI job.
 * See explore_dist.h.
 *
 * A level, on every rank:
 *   1. expand the states of the level this rank owns, a round of them at
 *      a time (on the rank's -j threads, each with its own buffers per
 *      destination), each successor sent to its owner (hash of its packed
 *      key) with its discovery, parent id << 32 | successor index;
 *   2. an all-to-all exchange per round, travelling while the next round
 *      is expanded; each owner keeps the smallest discovery of each state
 *      new to it (its first discovery in a sequential BFS);
 *   3. numbering: every new state's discovery goes to the rank that keeps
 *      its parent's slice of the level (slices of equal width in parent
 *      id); each keeper sorts its slice, the slices' sizes are summed
 *      below each rank (exscan), and the ids, level base + slice base +
 *      position, go back to the owners. The canonical order is by
 *      parent, then successor index, and slices are in parent order, so
 *      these are explore.h's ids.
 * The level's first violation and machine error are global minima, so
 * every rank stops at the same point with the same answer.
 *
 * States are kept and sent as packed keys (keypack.h, the single-process
 * store's layout, in 32-bit words), in a local open-addressing table
 * whose slots carry a tag of each key's hash. */
#include "explore_dist_impl.h"

#include "dist.h"
#include "hash.h"
#include "limit.h"
#include "mem.h"
#include "pool.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A word at a time (a byte at a time was a third of the run), then
 * MurmurHash3's finaliser: a multiplicative hash's low bits depend only
 * on the inputs' low bits, and small component states would collide in
 * a table indexed by them. */
static uint64_t key_hash(const ExploreDist *d, const uint32_t *key)
{
    uint64_t h = HASH_SEED;
    for (size_t i = 0; i < d->kw; i++)
        h = (h ^ key[i]) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 33);
}

int explore_dist_owner(const ExploreDist *d, const uint32_t *key)
{
    return (int)((key_hash(d, key) >> 32) % (uint64_t)d->size);
}

/* Keys travel as 32-bit words: the packed 64-bit words' bytes, as far as
 * they carry bits (keypack.h: key_bytes; all of them on big-endian). */
void explore_dist_pack(const ExploreDist *d, const uint32_t *vec,
                       uint32_t *key)
{
    uint64_t words[d->kp.key_words];
    keypack_pack(&d->kp, vec, words);
    mem_copy(key, words, d->kw * sizeof *key);
}

void explore_dist_unpack(const ExploreDist *d, const uint32_t *key,
                         uint32_t *vec)
{
    uint64_t words[d->kp.key_words];
    words[d->kp.key_words - 1] = 0;
    mem_copy(words, key, d->kw * sizeof *key);
    keypack_unpack(&d->kp, words, vec);
}

ExploreDist *explore_dist_new(const Machine *m, const ExploreOptions *opt)
{
    ExploreDist *d = mem_calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->m = m;
    d->opt = *opt;
    d->w = m->width;
    if (keypack_init(&d->kp, m->width, m->word_max) != 0) {
        explore_dist_free(d); /* too wide: as store_fits says */
        return NULL;
    }
    d->kw = (d->kp.key_bytes + 3) / 4;
    d->rank = dist_rank();
    d->size = dist_size();
    d->index_size = 1024;
    d->index = mem_calloc(d->index_size, sizeof *d->index);
    d->violation = d->error_state = UINT64_MAX;
    /* -j threads per rank; by default the machine's cores are shared by
     * the ranks on it */
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned cores = online > 0 ? (unsigned)online : 1;
    unsigned want = opt->threads ? opt->threads
                                 : cores / (unsigned)dist_local_size();
    d->pool = want > 1 ? pool_new(want) : NULL;
    d->threads = d->pool ? pool_size(d->pool) : 1;
    d->work = mem_calloc(d->threads, sizeof *d->work);
    d->outs = mem_calloc((size_t)d->threads * d->size, sizeof *d->outs);
    int ok = d->index && d->work && d->outs;
    for (unsigned t = 0; ok && t < d->threads; t++) {
        d->work[t].succ.width = d->w;
        d->work[t].error_state = UINT64_MAX;
        d->work[t].out = d->outs + (size_t)t * d->size;
        d->work[t].scratch = mem_calloc(1, m->scratch_size + 16);
        ok = d->work[t].scratch != NULL;
    }
    if (!ok) {
        explore_dist_free(d);
        return NULL;
    }
    return d;
}

void explore_dist_free(ExploreDist *d)
{
    if (!d)
        return;
    keypack_free(&d->kp);
    mem_free(d->keys);
    mem_free(d->gid);
    mem_free(d->disc);
    mem_free(d->index);
    mem_free(d->byid);
    for (unsigned t = 0; d->work && t < d->threads; t++) {
        mem_free(d->work[t].scratch);
        succlist_free(&d->work[t].succ);
    }
    for (size_t i = 0; d->outs && i < (size_t)d->threads * d->size; i++)
        mem_free(d->outs[i].words);
    mem_free(d->outs);
    mem_free(d->work);
    pool_free(d->pool);
    mem_free(d);
}

/* ---------- the local table ---------- */

/* A slot: the hash's high half (a tag: most keys that differ are told
 * apart without touching them) over local index + 1; 0 empty. */
static uint64_t slot_of(uint64_t h, size_t k)
{
    return (h >> 32) << 32 | (uint64_t)(k + 1);
}

static int index_grow(ExploreDist *d)
{
    size_t size = d->index_size * 2;
    uint64_t *index = mem_calloc(size, sizeof *index);
    if (!index)
        return -1;
    for (size_t k = 0; k < d->n; k++) { /* hashes again: none are kept */
        uint64_t h = key_hash(d, d->keys + k * d->kw);
        size_t i = h & (size - 1);
        while (index[i])
            i = (i + 1) & (size - 1);
        index[i] = slot_of(h, k);
    }
    mem_free(d->index);
    d->index = index;
    d->index_size = size;
    return 0;
}

/* The slot of key's hash h in the index: key's, or the empty one where
 * it would go. */
static size_t probe(const ExploreDist *d, const uint32_t *key, uint64_t h)
{
    size_t mask = d->index_size - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint64_t v = d->index[i];
        if (!v || ((v >> 32) == (h >> 32) &&
                   !memcmp(d->keys + ((v & UINT32_MAX) - 1) * d->kw, key,
                           d->kw * sizeof *key)))
            return i;
    }
}

size_t explore_dist_find(const ExploreDist *d, const uint32_t *key)
{
    uint64_t v = d->index[probe(d, key, key_hash(d, key))];
    return v ? (v & UINT32_MAX) - 1 : SIZE_MAX;
}

/* Room for one more local state; -1 when out of memory. */
static int local_reserve(ExploreDist *d)
{
    if (d->n < d->cap)
        return 0;
    size_t cap = d->cap ? 2 * d->cap : 1024;
    if (cap > UINT32_MAX - 1)
        return -1;
    uint32_t *vs = mem_realloc(d->keys, cap * d->kw * sizeof *vs);
    if (vs)
        d->keys = vs;
    uint32_t *g = vs ? mem_realloc(d->gid, cap * sizeof *g) : NULL;
    if (g)
        d->gid = g;
    uint64_t *q = g ? mem_realloc(d->disc, cap * sizeof *q) : NULL;
    if (!q)
        return -1;
    d->disc = q;
    d->cap = cap;
    return 0;
}

/* The local index of key's state (hash h), adding it (as PENDING with
 * discovery `disc`) when new; *added says which. SIZE_MAX when out of memory. */
static size_t local_find_add(ExploreDist *d, const uint32_t *key,
                             uint64_t h, uint64_t disc, int *added)
{
    *added = 0;
    if ((d->n + 1) * 4 > d->index_size * 3 && index_grow(d) != 0)
        return SIZE_MAX;
    size_t i = probe(d, key, h);
    if (d->index[i])
        return (d->index[i] & UINT32_MAX) - 1;
    if (local_reserve(d) != 0)
        return SIZE_MAX;
    size_t k = d->n++;
    mem_copy(d->keys + k * d->kw, key, d->kw * sizeof *key);
    d->gid[k] = PENDING;
    d->disc[k] = disc;
    d->index[i] = slot_of(h, k);
    *added = 1;
    return k;
}

size_t explore_dist_local(const ExploreDist *d, uint64_t id)
{
    size_t lo = 0, hi = d->nbyid;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        uint64_t g = d->gid[d->byid[mid]];
        if (g == id)
            return d->byid[mid];
        if (g < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return SIZE_MAX;
}

/* ---------- one level ---------- */

int explore_dist_out_put(Out *o, const uint32_t *words, size_t n)
{
    if (mem_grow((void **)&o->words, &o->cap, o->count + n, sizeof *o->words))
        return -1;
    mem_copy(o->words + o->count, words, n * sizeof *words);
    o->count += n;
    return 0;
}

/* Every rank takes part, also one that ran out of memory (it sends
 * nothing), or the others would wait for it for ever. */
int explore_dist_flight_start(ExploreDist *d, Flight *f, Out *out,
                              unsigned parts)
{
    size_t all = 0, scount[d->size];
    for (int r = 0; r < d->size; r++) {
        scount[r] = 0;
        for (unsigned p = 0; out && p < parts; p++)
            scount[r] += out[p * d->size + r].count;
        all += scount[r];
    }
    *f = (Flight){.send = mem_alloc(all * sizeof *f->send + 4),
                  .rcount = mem_alloc(2 * d->size * sizeof *f->rcount)};
    int rc = f->send && f->rcount ? 0 : -1;
    for (size_t r = 0, at = 0; out && r < (size_t)d->size; r++)
        for (unsigned p = 0; p < parts; p++) {
            Out *o = &out[p * d->size + r];
            if (f->send)
                mem_copy(f->send + at, o->words, o->count * sizeof *f->send);
            at += o->count;
            mem_free(o->words);
            *o = (Out){0};
        }
    if (rc != 0)
        memset(scount, 0, sizeof scount);
    size_t spare[2 * d->size];
    f->rdispl = (f->rcount ? f->rcount : spare) + d->size;
    double begin = now();
    f->req = dist_alltoall_start(f->send, scount, &f->recv,
                                 f->rcount ? f->rcount : spare, f->rdispl,
                                 &f->total);
    d->mine.wait_seconds += now() - begin;
    if (!f->req || rc != 0)
        rc = -1;
    /* what crosses to other ranks (a rank's words to itself stay home) */
    d->mine.bytes_sent += (all - scount[d->rank]) * sizeof *f->send;
    if (f->rcount)
        d->mine.bytes_received +=
            (f->total - f->rcount[d->rank]) * sizeof *f->send;
    return rc;
}

void explore_dist_flight_end(ExploreDist *d, Flight *f)
{
    double begin = now();
    dist_alltoall_end(f->req);
    d->mine.wait_seconds += now() - begin;
    f->req = NULL;
    mem_free(f->send);
    f->send = NULL;
}

void explore_dist_flight_free(Flight *f)
{
    mem_free(f->send);
    mem_free(f->recv);
    mem_free(f->rcount);
    *f = (Flight){0};
}

int explore_dist_exchange(ExploreDist *d, Out *out, unsigned parts,
                          uint32_t **recv, size_t *rcount, size_t *rdispl,
                          size_t *total)
{
    Flight f;
    int rc = explore_dist_flight_start(d, &f, out, parts);
    explore_dist_flight_end(d, &f);
    *recv = f.recv;
    *total = f.total;
    if (f.rcount) {
        mem_copy(rcount, f.rcount, d->size * sizeof *rcount);
        mem_copy(rdispl, f.rdispl, d->size * sizeof *rdispl);
    }
    f.recv = NULL;
    explore_dist_flight_free(&f);
    return rc;
}

/* Expands state i of the level on worker k: inspects it, puts its
 * successors in k's buffers for their owners. -1 when out of memory. */
static int expand_one(const ExploreDist *d, DistWorker *k, size_t i,
                      ExploreInspect inspect, void *ud)
{
    uint64_t g = d->gid[i];
    uint32_t state[d->w + 1], key[d->kw + 2];
    explore_dist_unpack(d, d->keys + i * d->kw, state);
    int rc = succlist_fill(&k->succ, d->m, state, k->scratch, 0);
    if (rc == MACHINE_NOMEM)
        return -1;
    if (rc != MACHINE_OK) {
        if (g < k->error_state)
            k->error_state = g;
        return 0;
    }
    const SuccList *l = &k->succ;
    k->transitions += l->count;
    if (inspect && g < k->viol) {
        ExploreSucc succ[l->count + 1];
        for (size_t j = 0; j < l->count; j++)
            succ[j] = (ExploreSucc){l->event[j], l->vec + j * d->w};
        int c = inspect(ud, state, succ, l->count);
        if (c > 0) {
            k->viol = g;
            k->code = c;
        }
    }
    for (size_t j = 0; j < l->count; j++) {
        key[0] = (uint32_t)g; /* the discovery, then the key */
        key[1] = (uint32_t)j;
        explore_dist_pack(d, l->vec + j * d->w, key + 2);
        Out *o = &k->out[explore_dist_owner(d, key + 2)];
        if (explore_dist_out_put(o, key, 2 + d->kw) != 0)
            return -1;
    }
    return 0;
}

/* A level's states on the rank's threads, CHUNK at a time. */
enum { CHUNK = 64 };

typedef struct Level {
    const ExploreDist *d;
    size_t to;
    atomic_size_t next; /* byid positions */
    ExploreInspect inspect;
    void *ud;
    struct DistAlltoall *flying; /* the exchange under way, or NULL */
} Level;

static void expand_task(void *arg, unsigned t)
{
    Level *l = arg;
    DistWorker *k = &l->d->work[t];
    while (!k->failed) {
        if (t == 0) /* the MPI thread: the last round's words move on */
            dist_alltoall_poll(l->flying);
        size_t at = atomic_fetch_add(&l->next, CHUNK);
        if (at >= l->to)
            break;
        size_t end = l->to - at < CHUNK ? l->to : at + CHUNK;
        for (size_t i = at; i < end && !k->failed; i++)
            k->failed = expand_one(l->d, k, l->d->byid[i], l->inspect,
                                   l->ud) != 0;
    }
}

/* Expands byid[from .. to): afterwards work[0 .. *used - 1] hold the
 * successors per destination, the first violation, the first machine
 * error and the transitions counted. -1 when out of memory. */
static int expand_level(ExploreDist *d, size_t from, size_t to,
                        ExploreInspect inspect, void *ud,
                        struct DistAlltoall *flying, unsigned *used)
{
    unsigned n = to - from >= (size_t)CHUNK * 4 ? d->threads : 1;
    for (unsigned t = 0; t < n; t++) {
        DistWorker *k = &d->work[t];
        k->viol = UINT64_MAX;
        k->code = 0;
        k->failed = 0;
    }
    Level l = {d, to, from, inspect, ud, flying};
    if (n > 1)
        pool_run(d->pool, n, expand_task, &l);
    else
        expand_task(&l, 0);
    *used = n;
    for (unsigned t = 0; t < n; t++)
        if (d->work[t].failed)
            return -1;
    return 0;
}

/* Takes the successors this rank owns; the new ones onto *fresh. The
 * table is far bigger than the caches: each record's slot is fetched
 * AHEAD records before it is probed. */
enum { AHEAD = 16 };

static int absorb(ExploreDist *d, const uint32_t *recv, size_t total,
                  size_t **fresh, size_t *nfresh, size_t *cap)
{
    size_t rec = 2 + d->kw, n = total / rec;
    uint64_t hash[AHEAD];
    for (size_t j = 0; j < n + AHEAD; j++) {
        if (j >= AHEAD) { /* record j - AHEAD, whose slot was fetched */
            const uint32_t *r = recv + (j - AHEAD) * rec;
            uint64_t disc = (uint64_t)r[0] << 32 | r[1];
            int added;
            size_t k = local_find_add(d, r + 2, hash[j % AHEAD], disc,
                                      &added);
            if (k == SIZE_MAX)
                return -1;
            if (added) {
                if (mem_grow((void **)fresh, cap, *nfresh + 1,
                             sizeof **fresh))
                    return -1;
                (*fresh)[(*nfresh)++] = k;
            } else if (d->gid[k] == PENDING && disc < d->disc[k]) {
                d->disc[k] = disc;
            }
        }
        if (j < n) {
            uint64_t h = key_hash(d, recv + j * rec + 2);
            __builtin_prefetch(&d->index[h & (d->index_size - 1)]);
            hash[j % AHEAD] = h;
        }
    }
    return 0;
}

typedef struct Keyed {
    uint64_t disc;
    uint32_t src, local;
} Keyed;

static int keyed_cmp(const void *a, const void *b)
{
    uint64_t x = ((const Keyed *)a)->disc, y = ((const Keyed *)b)->disc;
    return (x > y) - (x < y);
}

/* Step 3: ids for the new states (fresh), from `next` on, fresh then
 * reordered by id; returns the number of new states in the whole job, or
 * UINT64_MAX when out of memory. */
static uint64_t number(ExploreDist *d, size_t *fresh, size_t nfresh,
                       uint64_t lo, uint64_t hi, uint64_t next)
{
    Out *out = mem_calloc(d->size, sizeof *out);
    size_t rcount[2 * d->size], *rdispl = rcount + d->size;
    uint32_t *recv = NULL, *back = NULL;
    Keyed *keys = NULL;
    size_t total = 0, nkeys = 0;
    int rc = out ? 0 : -1;
    uint64_t span = hi - lo;
    for (size_t i = 0; i < nfresh && rc == 0; i++) {
        size_t k = fresh[i];
        uint64_t parent = d->disc[k] >> 32;
        int slice = (int)((parent - lo) * (uint64_t)d->size / span);
        uint32_t rec[3] = {(uint32_t)(d->disc[k] >> 32),
                           (uint32_t)d->disc[k], (uint32_t)k};
        rc = explore_dist_out_put(&out[slice], rec, 3);
    }
    if (explore_dist_exchange(d, rc == 0 ? out : NULL, 1, &recv, rcount,
                              rdispl, &total) != 0)
        rc = -1;
    nkeys = rc == 0 ? total / 3 : 0;
    keys = mem_alloc(nkeys * sizeof *keys + sizeof *keys);
    if (!keys)
        rc = -1;
    for (int s = 0; rc == 0 && s < d->size; s++)
        for (size_t at = rdispl[s]; at < rdispl[s] + rcount[s]; at += 3)
            keys[at / 3] = (Keyed){(uint64_t)recv[at] << 32 | recv[at + 1],
                                   (uint32_t)s, recv[at + 2]};
    if (rc == 0)
        qsort(keys, nkeys, sizeof *keys, keyed_cmp);
    /* every rank takes part in the scans, whatever happened here */
    uint64_t base = dist_exscan_u64(nkeys);
    uint64_t all = dist_sum_u64(nkeys);
    uint64_t failed = dist_max_u64(rc != 0);
    for (size_t i = 0; !failed && i < nkeys; i++) {
        uint64_t id = next + base + i;
        uint32_t rec[3] = {keys[i].local, (uint32_t)(id >> 32),
                           (uint32_t)id};
        if (explore_dist_out_put(&out[keys[i].src], rec, 3) != 0)
            failed = 1;
    }
    if (explore_dist_exchange(d, failed ? NULL : out, 1, &back, rcount, rdispl,
                              &total) != 0)
        failed = 1;
    failed = dist_max_u64(failed);
    /* Keepers send their ids in increasing order and their slices are in
     * rank order, so the ids arrive sorted: fresh takes that order. */
    for (size_t at = 0, i = 0; !failed && at + 3 <= total; at += 3) {
        size_t k = back[at];
        d->gid[k] = back[at + 2]; /* below ID_END: back[at + 1] is 0 */
        fresh[i++] = k;
    }
    for (int r = 0; out && r < d->size; r++)
        mem_free(out[r].words);
    mem_free(out);
    mem_free(recv);
    mem_free(back);
    mem_free(keys);
    return failed ? UINT64_MAX : all;
}

/* Appends the level's new states below `limit` to byid (fresh is in id
 * order); the others are dropped (--max-states). */
static int commit_level(ExploreDist *d, const size_t *fresh, size_t nfresh,
                        uint64_t limit)
{
    if (mem_grow((void **)&d->byid, &d->byid_cap, d->nbyid + nfresh + 1,
                 sizeof *d->byid))
        return -1;
    for (size_t i = 0; i < nfresh; i++) {
        size_t k = fresh[i];
        if (d->gid[k] >= limit)
            d->gid[k] = DROPPED;
        else
            d->byid[d->nbyid++] = k;
    }
    return 0;
}

/* The first and last byid positions of ids [lo, hi). */
static void level_range(const ExploreDist *d, uint64_t lo, uint64_t hi,
                        size_t *from, size_t *to)
{
    size_t a = 0, b = d->nbyid;
    while (a < b) {
        size_t mid = (a + b) / 2;
        if (d->gid[d->byid[mid]] < lo)
            a = mid + 1;
        else
            b = mid;
    }
    *from = a;
    while (a < d->nbyid && d->gid[d->byid[a]] < hi)
        a++;
    *to = a;
}

/* ---------- the run ---------- */

static ExploreStatus insert_initial(ExploreDist *d)
{
    uint32_t vec[d->w + 1], key[d->kw + 1];
    machine_initial(d->m, vec);
    explore_dist_pack(d, vec, key);
    int failed = 0;
    if (explore_dist_owner(d, key) == d->rank) {
        int added;
        size_t k = local_find_add(d, key, key_hash(d, key), 0, &added);
        failed = k == SIZE_MAX ||
                 mem_grow((void **)&d->byid, &d->byid_cap, 1,
                          sizeof *d->byid);
        if (!failed) {
            d->gid[k] = 0;
            d->byid[d->nbyid++] = k;
        }
    }
    return dist_max_u64(failed) ? EXPLORE_NOMEM : EXPLORE_DONE;
}

/* The job's limit at a level's end: the first rank's reason. */
static ExploreStatus level_limit(const ExploreDist *d, double start)
{
    int kind = limit_reached();
    ExploreStatus mine = EXPLORE_DONE;
    if (kind != LIMIT_NONE)
        mine = explore_limit_status(kind);
    else if (d->opt.timeout > 0 && now() - start > d->opt.timeout)
        mine = EXPLORE_LIMIT_TIME;
    return (ExploreStatus)dist_max_u64(mine);
}

/* Words a rank sends in one round of a level (8 MiB): rounds bound the
 * memory a level's successors take, let the run's limits stop a level,
 * and let one round's words travel while the next is expanded. Measured
 * on buffers 14 at 2 ranks on one machine, 2^16 to 2^28 words (one round
 * a level): the same time within this VM's noise (2.3-3.1 s), as the
 * exchanges are 3-8% of the run here; so the size is chosen for memory. */
enum { ROUND_WORDS = 1 << 21 };

/* The states of a round: from the successors a state had so far.
 * ExploreOptions.round_words replaces ROUND_WORDS (a tuning knob for
 * other networks; tests make rounds tiny with it). */
static size_t round_states(const ExploreDist *d)
{
    double budget = d->opt.round_words ? (double)d->opt.round_words
                                       : ROUND_WORDS;
    double succ = d->expanded ? (double)d->transitions / d->expanded : 8.0;
    double words = (succ > 1 ? succ : 1) * (2 + d->kw);
    size_t n = (size_t)(budget / words);
    return n > 1 ? n : 1;
}

/* Takes what a round's worker buffers say about violations, errors and
 * transitions. */
static void round_results(ExploreDist *d, unsigned used, uint64_t *viol,
                          int *code)
{
    for (unsigned t = 0; t < used; t++) {
        DistWorker *k = &d->work[t];
        if (k->viol < *viol) {
            *viol = k->viol;
            *code = k->code;
        }
        if (k->error_state < d->error_state)
            d->error_state = k->error_state;
        d->transitions += k->transitions;
        k->transitions = 0;
    }
}

/* Steps 1 and 2 of a level (byid[from .. to) here) in rounds, every rank
 * doing as many; the new states into *fresh. DONE, NOMEM, or the job's
 * limit. */
static ExploreStatus expand_rounds(ExploreDist *d, size_t from, size_t to,
                                   ExploreInspect inspect, void *ud,
                                   uint64_t *viol, int *code, size_t **fresh,
                                   size_t *nfresh, double start)
{
    size_t per = round_states(d);
    uint64_t rounds = dist_max_u64((to - from + per - 1) / per);
    Flight flying = {0};
    size_t cap = 0;
    int failed = 0;
    ExploreStatus st = EXPLORE_DONE;
    for (uint64_t r = 0; r <= rounds; r++) {
        unsigned used = 1;
        size_t a = from + r * per, b = a + per < to ? a + per : to;
        if (r < rounds && !failed && a < b) {
            failed = expand_level(d, a, b, inspect, ud, flying.req,
                                  &used) != 0;
            d->expanded += b - a;
            round_results(d, used, viol, code);
        }
        if (r > 0) { /* the last round's words are in */
            explore_dist_flight_end(d, &flying);
            if (!failed)
                failed = absorb(d, flying.recv, flying.total, fresh,
                                nfresh, &cap) != 0;
            explore_dist_flight_free(&flying);
        }
        if (r < rounds &&
            explore_dist_flight_start(d, &flying,
                                      failed || a >= b ? NULL : d->outs,
                                      used) != 0)
            failed = 1;
        if (r < rounds && st == EXPLORE_DONE)
            st = level_limit(d, start);
        if (st != EXPLORE_DONE) /* the last exchange ends first */
            rounds = r + 1 < rounds ? r + 1 : rounds;
    }
    if (dist_max_u64(failed))
        return EXPLORE_NOMEM;
    return st;
}

/* The machine failed on state error_state, on its owner's rank: every
 * rank expands it once more, so that what the machine records of its
 * failure (a term semantics' error message) is on every rank, and rank 0
 * can say it. */
static ExploreStatus machine_error_again(ExploreDist *d)
{
    uint32_t vec[d->w + 1];
    explore_dist_state(d, d->error_state, vec);
    (void)succlist_fill(&d->work[0].succ, d->m, vec, d->work[0].scratch, 0);
    return EXPLORE_MACHINE_ERROR;
}

static ExploreStatus levels(ExploreDist *d, ExploreInspect inspect, void *ud,
                            double start)
{
    uint64_t lo = 0, hi = 1;
    while (lo < hi) {
        size_t from, to;
        level_range(d, lo, hi, &from, &to);
        uint64_t viol = UINT64_MAX;
        int code = 0;
        size_t *fresh = NULL, nfresh = 0;
        uint64_t before = d->transitions;
        ExploreStatus st = expand_rounds(d, from, to, inspect, ud, &viol,
                                         &code, &fresh, &nfresh, start);
        if (st == EXPLORE_DONE &&
            (d->error_state = dist_min_u64(d->error_state)) != UINT64_MAX) {
            /* as one process: the level neither counted nor kept */
            d->transitions = before;
            st = machine_error_again(d);
        }
        if (st != EXPLORE_DONE) {
            mem_free(fresh);
            return st;
        }
        uint64_t added = number(d, fresh, nfresh, lo, hi, hi);
        uint64_t limit = UINT64_MAX;
        if (added != UINT64_MAX && hi + added > ID_END) {
            /* ids are below 2^32 - 2 (a discovery is parent id << 32 |
             * successor index, and gid keeps two values for itself): the
             * single-process store's limit, but for two states */
            limit = ID_END;
            added = ID_END - hi;
            st = EXPLORE_LIMIT_MEMORY;
        }
        if (added != UINT64_MAX && d->opt.max_states &&
            hi + added > d->opt.max_states && d->opt.max_states < limit) {
            limit = d->opt.max_states;
            added = d->opt.max_states - hi;
            st = EXPLORE_LIMIT_STATES;
        }
        if (added == UINT64_MAX ||
            dist_max_u64(commit_level(d, fresh, nfresh, limit) != 0)) {
            mem_free(fresh);
            return EXPLORE_NOMEM;
        }
        mem_free(fresh);
        d->stats.depth++;
        d->stats.states = hi + added;
        uint64_t v = dist_min_u64(viol);
        d->violation_code = (int)dist_max_u64(viol == v && v != UINT64_MAX
                                                  ? (uint64_t)code : 0);
        if (st != EXPLORE_DONE)
            return st;
        if (v != UINT64_MAX) {
            d->violation = v;
            return EXPLORE_VIOLATION;
        }
        if ((st = level_limit(d, start)) != EXPLORE_DONE)
            return st;
        lo = hi;
        hi += added;
    }
    return EXPLORE_DONE;
}

ExploreStatus explore_dist_run(ExploreDist *d, ExploreInspect inspect,
                               void *ud)
{
    double start = now();
    d->stats.states = 1;
    ExploreStatus st = insert_initial(d);
    if (st == EXPLORE_DONE)
        st = levels(d, inspect, ud, start);
    d->stats.transitions = dist_sum_u64(d->transitions);
    d->stats.seconds = now() - start;
    d->stats.threads = d->threads;
    d->stats.store_bytes = dist_sum_u64(
        d->n * (d->kw * sizeof *d->keys + sizeof *d->gid + sizeof *d->disc) +
        d->nbyid * sizeof *d->byid +
        d->index_size * sizeof *d->index);
    d->stats.bytes_per_state =
        d->stats.states ? (double)d->stats.store_bytes / d->stats.states : 0;
    struct rusage ru;
    d->stats.peak_rss = dist_max_u64(
        getrusage(RUSAGE_SELF, &ru) == 0 ? (uint64_t)ru.ru_maxrss * 1024 : 0);
    return st;
}

const ExploreStats *explore_dist_stats(const ExploreDist *d)
{
    return &d->stats;
}

uint64_t explore_dist_violation(const ExploreDist *d, int *code)
{
    if (code)
        *code = d->violation_code;
    return d->violation;
}

uint64_t explore_dist_error_state(const ExploreDist *d)
{
    return d->error_state;
}

void explore_dist_rank_stats(const ExploreDist *d, ExploreRankStats *all)
{
    enum { FIELDS = 4 };
    uint64_t mine[FIELDS] = {d->nbyid, d->mine.bytes_sent,
                             d->mine.bytes_received,
                             (uint64_t)(d->mine.wait_seconds * 1e9)};
    uint64_t got[FIELDS * d->size];
    dist_allgather_u64(mine, FIELDS, got);
    for (int r = 0; r < d->size; r++)
        all[r] = (ExploreRankStats){got[FIELDS * r], got[FIELDS * r + 1],
                                    got[FIELDS * r + 2],
                                    got[FIELDS * r + 3] / 1e9};
}

/* ---------- states and paths, collectively ---------- */

void explore_dist_state(const ExploreDist *d, uint64_t id, uint32_t *vec)
{
    size_t k = explore_dist_local(d, id);
    uint64_t root = dist_max_u64(k != SIZE_MAX ? (uint64_t)d->rank + 1 : 0);
    if (root == 0) { /* no such state */
        memset(vec, 0, d->w * sizeof *vec);
        return;
    }
    if (k != SIZE_MAX)
        explore_dist_unpack(d, d->keys + k * d->kw, vec);
    dist_bcast_u32(vec, d->w, (int)root - 1);
}

uint64_t explore_dist_first(const ExploreDist *d, ExplorePred pred,
                            void *ud)
{
    uint64_t mine = UINT64_MAX;
    uint32_t vec[d->w + 1];
    for (size_t i = 0; i < d->nbyid && mine == UINT64_MAX; i++) {
        explore_dist_unpack(d, d->keys + d->byid[i] * d->kw, vec);
        if (pred(ud, vec))
            mine = d->gid[d->byid[i]];
    }
    return dist_min_u64(mine);
}

/* The id of id's parent (UINT64_MAX for the initial state). */
static uint64_t parent_of(const ExploreDist *d, uint64_t id)
{
    size_t k = explore_dist_local(d, id);
    return dist_min_u64(k != SIZE_MAX && id != 0 ? d->disc[k] >> 32
                                                 : UINT64_MAX);
}

/* The event of the first successor of `from` that is `to` (every rank
 * computes the same). */
static int event_between(ExploreDist *d, const uint32_t *from,
                         const uint32_t *to, uint32_t *event)
{
    SuccList *l = &d->work[0].succ;
    if (succlist_fill(l, d->m, from, d->work[0].scratch, 0) != MACHINE_OK)
        return -1;
    for (size_t i = 0; i < l->count; i++)
        if (!memcmp(l->vec + i * d->w, to, d->w * sizeof *to)) {
            *event = l->event[i];
            return 0;
        }
    return -1;
}

int explore_dist_parent(const ExploreDist *d, uint64_t id, uint64_t *parent,
                        uint32_t *event)
{
    uint64_t p = parent_of(d, id);
    if (p == UINT64_MAX)
        return -1;
    uint32_t a[d->w + 1], b[d->w + 1];
    explore_dist_state(d, p, a);
    explore_dist_state(d, id, b);
    *parent = p;
    return event_between((ExploreDist *)d, a, b, event);
}

int explore_dist_path(const ExploreDist *d, uint64_t id, uint32_t **events,
                      uint64_t **states, size_t *len)
{
    size_t n = 0, cap = 0;
    uint64_t *ids = NULL;
    for (uint64_t at = id; at != UINT64_MAX; at = parent_of(d, at)) {
        if (mem_grow((void **)&ids, &cap, n + 1, sizeof *ids)) {
            mem_free(ids);
            return -1;
        }
        ids[n++] = at;
    }
    for (size_t i = 0; i < n / 2; i++) {
        uint64_t t = ids[i];
        ids[i] = ids[n - 1 - i];
        ids[n - 1 - i] = t;
    }
    uint32_t *ev = mem_alloc(n * sizeof *ev + sizeof *ev);
    uint32_t a[d->w + 1], b[d->w + 1];
    int rc = ev ? 0 : -1;
    if (n)
        explore_dist_state(d, ids[0], a);
    for (size_t i = 0; i + 1 < n; i++) {
        explore_dist_state(d, ids[i + 1], b);
        if (rc == 0 && event_between((ExploreDist *)d, a, b, &ev[i]) != 0)
            rc = -1;
        mem_copy(a, b, d->w * sizeof *a);
    }
    if (rc != 0) {
        mem_free(ev);
        mem_free(ids);
        return -1;
    }
    *events = ev;
    *states = ids;
    *len = n ? n - 1 : 0;
    return 0;
}
