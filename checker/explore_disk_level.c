/* explore_disk_level: a level's end in the store on disk (thread 0
 * alone; see explore_disk.c for the expansion that precedes it):
 *   1. the buffers and runs are merged by key, each key once with its
 *      smallest discovery: the level's first discovery of each state;
 *   2. each key is checked against the seen runs (all of them are read
 *      in order along with the merge); a key not seen is new: it goes to
 *      a new seen run (in key order) and to the new states' buffer;
 *   3. the new states, sorted by discovery (runs again when they do not
 *      fit), are appended to the keys file and the lineage in that order:
 *      ids count, count + 1, ..., as a sequential BFS numbers them;
 *   4. the seen runs are merged while the newest is at least half the
 *      size of the one before, so they stay few (about log2 of the
 *      levels) and each level reads each seen key once.
 */
#include "explore_disk_impl.h"

#include "extsort.h"
#include "limit.h"

#include <errno.h>

/* The loops of a level's end look at the run's limits every POLL keys,
 * so that --timeout, --memory and Ctrl-C end a long merge too. */
enum { POLL = 1 << 16 };

static int stopped(ExploreDisk *d, uint64_t *steps)
{
    return ++*steps % POLL == 0 && explore_disk_poll_limits(d);
}

/* Cursors over the seen runs, each at its smallest key not below the
 * keys checked so far: a block of the run's buffer, [p, end). */
typedef struct Seen {
    Spill *run;
    const uint8_t *p, *end; /* p NULL: the run has ended */
} Seen;

/* The cursor's head, refilling its block; NULL at the run's end. */
static inline const uint8_t *seen_head(const ExploreDisk *d, Seen *s)
{
    if (s->p == s->end && s->p) {
        size_t n = 0;
        s->p = spill_block(s->run, &n);
        s->end = s->p ? s->p + n * d->kb : NULL;
    }
    return s->p;
}

static void seen_start(const ExploreDisk *d, Seen *s, Spill *run)
{
    *s = (Seen){run, (const uint8_t *)"", (const uint8_t *)""};
    s->end = s->p; /* an empty block: the first seen_head reads */
    spill_seek(run, 0);
    seen_head(d, s);
}

/* 1 when key is in a seen run. Keys are asked in increasing order, so
 * each run is read once a level; with keys of one word the scan is a
 * load and a compare a key. */
static int seen_has(const ExploreDisk *d, Seen *s, size_t n,
                    const uint64_t *key)
{
    int found = 0;
    size_t kb = d->kb;
    if (d->kw == 1) {
        uint64_t want = key[0];
        uint64_t mask = kb == 8 ? UINT64_MAX : (UINT64_C(1) << 8 * kb) - 1;
        for (size_t i = 0; i < n; i++)
            for (const uint8_t *p; (p = seen_head(d, &s[i])) != NULL;) {
                uint64_t v;
                __builtin_memcpy(&v, p, 8);
                v &= mask;
                if (v >= want) {
                    found |= v == want;
                    break;
                }
                s[i].p += kb;
            }
        return found;
    }
    RecKey k = {d->kw, 0, d->kw};
    uint64_t head[d->kw];
    for (size_t i = 0; i < n; i++)
        for (const uint8_t *p; (p = seen_head(d, &s[i])) != NULL;) {
            key_from_bytes(d, p, head);
            int c = reckey_cmp(&k, head, key);
            if (c >= 0) {
                found |= c == 0;
                break;
            }
            s[i].p += kb;
        }
    return found;
}

/* Takes a new state (key, discovery) into the new states' buffer, which
 * is sorted by discovery and written out as a run when full. */
static int fresh_put(ExploreDisk *d, const uint64_t *rec)
{
    if (d->fresh_fill == d->fresh_cap) {
        RecKey k = {d->rw, d->kw, 1};
        recsort(&k, d->fresh, d->fresh_fill);
        if (explore_disk_runs_write(d, &d->bydisc, d->fresh, d->fresh_fill) != 0)
            return -1;
        d->fresh_fill = 0;
    }
    words_copy(d->fresh + d->fresh_fill++ * d->rw, rec, d->rw);
    return 0;
}

/* Steps 1 and 2: the level's successors merged by key, each once with its
 * smallest discovery; those not seen before go to the new seen run `out`
 * and the new states' buffer. */
static int merge_candidates(ExploreDisk *d, size_t nseen, Spill *out)
{
    size_t rw = d->rw, kw = d->kw;
    size_t nsrc = d->threads + d->cand.count;
    SortedSrc *src = mem_alloc(nsrc * sizeof *src);
    Seen *seen = mem_alloc((nseen + 1) * sizeof *seen);
    if (!src || !seen) {
        mem_free(src), mem_free(seen);
        return explore_disk_fail(d, "memory for merging runs in", ENOMEM);
    }
    for (unsigned t = 0; t < d->threads; t++)
        sorted_src_mem(&src[t], d->workers[t].buf, d->workers[t].fill, rw);
    for (size_t i = 0; i < d->cand.count; i++)
        sorted_src_file(&src[d->threads + i], &d->cand.items[i], rw);
    for (size_t i = 0; i < nseen; i++)
        seen_start(d, &seen[i], &d->seen.items[i]);
    RecKey k = {rw, 0, kw};
    uint64_t rec[rw];
    uint8_t bytes[d->kb + KEY_PAD];
    int rc = 0;
    uint64_t steps = 0;
    for (int i; rc == 0 && (i = sorted_src_min(src, nsrc, &k)) >= 0;) {
        if (stopped(d, &steps)) {
            rc = -1;
            break;
        }
        words_copy(rec, src[i].cur, rw);
        for (size_t j = (size_t)i; j < nsrc; j++) /* the key's other heads */
            if (src[j].cur && reckey_cmp(&k, src[j].cur, rec) == 0) {
                if (src[j].cur[kw] < rec[kw])
                    rec[kw] = src[j].cur[kw];
                sorted_src_next(&src[j], rw);
            }
        if (seen_has(d, seen, nseen, rec))
            continue;
        key_to_bytes(d, rec, bytes);
        rc = spill_put(out, bytes) == 0 ? fresh_put(d, rec) : -1;
    }
    for (size_t i = 0; rc == 0 && i < d->cand.count; i++)
        rc = explore_disk_spill_ok(d, &d->cand.items[i]);
    for (size_t i = 0; rc == 0 && i < nseen; i++)
        rc = explore_disk_spill_ok(d, &d->seen.items[i]);
    rc = rc == 0 && spill_flush(out) == 0 ? 0 : -1;
    if (rc != 0 && !d->err)
        explore_disk_spill_ok(d, out);
    mem_free(src), mem_free(seen);
    return rc;
}

/* Step 3: the new states numbered in discovery order. *cut: some were
 * left out by --max-states. */
static int number_fresh(ExploreDisk *d, int *cut)
{
    size_t rw = d->rw, kw = d->kw;
    RecKey k = {rw, kw, 1};
    /* the workers' buffers are free now: the sort's second array */
    recsort_tmp(&k, d->fresh, d->arena, d->fresh_fill);
    size_t nsrc = d->bydisc.count + 1;
    SortedSrc *src = mem_alloc(nsrc * sizeof *src);
    if (!src)
        return explore_disk_fail(d, "memory for merging runs in", ENOMEM);
    sorted_src_mem(&src[0], d->fresh, d->fresh_fill, rw);
    for (size_t i = 0; i < d->bydisc.count; i++)
        sorted_src_file(&src[i + 1], &d->bydisc.items[i], rw);
    uint64_t most = d->opt.max_states && d->opt.max_states < EXPLORE_DISK_MAX_STATES
                        ? d->opt.max_states : EXPLORE_DISK_MAX_STATES;
    uint8_t bytes[d->kb + KEY_PAD];
    int rc = 0;
    *cut = 0;
    uint64_t steps = 0;
    for (int i; rc == 0 && (i = sorted_src_min(src, nsrc, &k)) >= 0;) {
        if (stopped(d, &steps)) {
            rc = -1;
            break;
        }
        if (d->count >= most) {
            *cut = 1;
            break;
        }
        key_to_bytes(d, src[i].cur, bytes);
        lineage_append(d->lineage, (uint32_t)(src[i].cur[kw] >> 32));
        rc = spill_put(&d->keys, bytes);
        d->count++;
        sorted_src_next(&src[i], rw);
    }
    for (size_t i = 0; rc == 0 && i < d->bydisc.count; i++)
        rc = explore_disk_spill_ok(d, &d->bydisc.items[i]);
    if (rc == 0 && spill_flush(&d->keys) != 0)
        rc = -1;
    if (rc != 0 && !d->err)
        explore_disk_spill_ok(d, &d->keys);
    mem_free(src);
    d->fresh_fill = 0;
    explore_disk_runs_clear(&d->bydisc);
    return rc;
}

/* Merges the two newest seen runs into one. */
static int seen_merge_two(ExploreDisk *d)
{
    Runs *r = &d->seen;
    Spill merged;
    if (spill_create(&merged, d->opt.disk, d->kb, d->io) != 0)
        return explore_disk_fail(d, "creating a file in", merged.err);
    Seen s[2];
    for (int i = 0; i < 2; i++)
        seen_start(d, &s[i], &r->items[r->count - 2 + i]);
    RecKey k = {d->kw, 0, d->kw};
    uint64_t a[d->kw], b[d->kw];
    const uint8_t *p0 = seen_head(d, &s[0]), *p1 = seen_head(d, &s[1]);
    uint64_t steps = 0;
    int halted = 0;
    while ((p0 || p1) && !(halted = stopped(d, &steps))) {
        int i = !p0;
        if (p0 && p1) {
            key_from_bytes(d, p0, a);
            key_from_bytes(d, p1, b);
            i = reckey_cmp(&k, b, a) < 0;
        }
        spill_put(&merged, i ? p1 : p0);
        s[i].p += d->kb;
        if (i)
            p1 = seen_head(d, &s[1]);
        else
            p0 = seen_head(d, &s[0]);
    }
    int rc = !halted && explore_disk_spill_ok(d, s[0].run) == 0 &&
                     explore_disk_spill_ok(d, s[1].run) == 0 &&
                     spill_flush(&merged) == 0
                 ? 0
                 : -1;
    if (rc != 0 && !d->err)
        explore_disk_spill_ok(d, &merged);
    spill_close(&r->items[r->count - 1]);
    spill_close(&r->items[r->count - 2]);
    r->items[r->count - 2] = merged;
    r->count--;
    return rc;
}

/* Step 4: few seen runs, each at least twice the size of the next. */
static int seen_compact(ExploreDisk *d)
{
    Runs *r = &d->seen;
    while (r->count >= 2 &&
           2 * r->items[r->count - 1].count >= r->items[r->count - 2].count)
        if (seen_merge_two(d) != 0)
            return -1;
    return 0;
}


ExploreStatus explore_disk_level_end(ExploreDisk *d, int *cut)
{
    Spill *out = explore_disk_runs_add(d, &d->seen, d->kb);
    if (!out)
        return EXPLORE_DISK;
    int rc = merge_candidates(d, d->seen.count - 1, out);
    if (out->count == 0) /* no new state: no run */
        spill_close(&d->seen.items[--d->seen.count]);
    explore_disk_runs_clear(&d->cand);
    for (unsigned t = 0; t < d->threads; t++)
        d->workers[t].fill = 0;
    if (rc == 0)
        rc = number_fresh(d, cut);
    if (rc == 0 && !*cut)
        rc = seen_compact(d);
    int limit = atomic_load(&d->limit);
    if (rc != 0 && limit != LIMIT_NONE && !d->err)
        return explore_limit_status(limit);
    return rc == 0 ? EXPLORE_DONE : d->err == ENOMEM ? EXPLORE_NOMEM
                                                     : EXPLORE_DISK;
}

