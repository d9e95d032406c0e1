/* order: a level's new states in canonical order, on a pool. See order.h.
 *
 * Part t of P owns the positions [used * t / P, used * (t + 1) / P) in
 * step 1, and in steps 2 and 3 the parents x (counted from lo) with
 * x * scale >> 40 == t: range t, where scale = P * 2^40 / span (rounded
 * down; a multiply, not a division per state: a division made the
 * sorting three times slower). Step 1 counts each part's states per
 * range (cells[t * P + q]); the ranges follow one another in the result
 * as they will be numbered (start[q]), so each part then sorts its range
 * in place of its own: it reads the whole discovery array twice (a
 * sequential read, cheap beside the scattered writes) and keeps only
 * what it places. Scratch: 8 bytes a pending state (order, and sub, which
 * becomes parents) and 4 a parent (count_of). */
#include "order.h"

#include "mem.h"

#include <string.h>

enum {
    MAX_PARTS = 256,
    SCALE_BITS = 40 /* x * scale < parts * 2^40 <= 2^48: no overflow */
};

/* What step 1 found about a part's positions. */
typedef struct Share {
    uint64_t found;       /* positions holding a state */
    uint64_t first, last; /* the first and last discovery among them */
    int sorted;           /* discoveries increasing, no hole between */
} Share;

struct Order {
    unsigned parts_max;
    uint64_t *cells; /* parts_max^2 */
    Share *shares;   /* parts_max */
    uint64_t *start; /* parts_max + 1: where range q begins in the result */
    uint32_t *order, *parents; /* the result, by rank; parents holds the
                                  successor indices while a range sorts */
    uint32_t *count_of;        /* per parent (steps 2 and 3) */
    size_t order_cap, parents_cap, count_cap;
    /* the level being sorted */
    const _Atomic uint64_t *disc;
    uint64_t used, lo, span, scale;
    unsigned parts;
    int identity;
};

Order *order_new(unsigned parts_max)
{
    Order *o = mem_calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->parts_max = parts_max < 1           ? 1
                   : parts_max > MAX_PARTS ? MAX_PARTS
                                           : parts_max;
    o->cells = mem_alloc((size_t)o->parts_max * o->parts_max *
                         sizeof *o->cells);
    o->shares = mem_alloc(o->parts_max * sizeof *o->shares);
    o->start = mem_alloc((o->parts_max + 1) * sizeof *o->start);
    if (!o->cells || !o->shares || !o->start) {
        order_free(o);
        return NULL;
    }
    return o;
}

void order_free(Order *o)
{
    if (!o)
        return;
    mem_free(o->cells);
    mem_free(o->shares);
    mem_free(o->start);
    mem_free(o->order);
    mem_free(o->parents);
    mem_free(o->count_of);
    mem_free(o);
}

static uint64_t load(const Order *o, uint64_t p)
{
    return atomic_load_explicit(&o->disc[p], memory_order_relaxed);
}

/* The parent range of discovery d: below parts, since x < span. */
static unsigned range_of(const Order *o, uint64_t d)
{
    return (unsigned)(((d >> 32) - o->lo) * o->scale >> SCALE_BITS);
}

/* The first parent (counted from lo) of range q: the least x with
 * x * scale >> SCALE_BITS >= q (span for q = parts). */
static uint64_t range_first(const Order *o, unsigned q)
{
    uint64_t x = (((uint64_t)q << SCALE_BITS) + o->scale - 1) / o->scale;
    return x < o->span ? x : o->span;
}

static void share_bounds(const Order *o, unsigned t, uint64_t *lo,
                         uint64_t *hi)
{
    *lo = o->used * t / o->parts;
    *hi = o->used * (t + 1) / o->parts;
}

/* Step 1: counts part t's states per range; is its share in order?
 * (Counted in a local row, then written out: the rows of two parts share
 * a cache line, which the two cores would otherwise trade per state.) */
static void count_task(void *arg, unsigned t)
{
    Order *o = arg;
    uint64_t row[MAX_PARTS] = {0}, lo, hi, prev = 0;
    Share sh = {0, 0, 0, 1};
    int hole = 0;
    share_bounds(o, t, &lo, &hi);
    for (uint64_t p = lo; p < hi; p++) {
        uint64_t d = load(o, p);
        if (d == ORDER_NONE) {
            hole = 1;
            continue;
        }
        if (hole || (sh.found && d < prev))
            sh.sorted = 0;
        if (!sh.found)
            sh.first = d;
        prev = d;
        sh.found++;
        row[range_of(o, d)]++;
    }
    sh.last = prev;
    o->shares[t] = sh;
    memcpy(o->cells + (size_t)t * o->parts, row, o->parts * sizeof *row);
}

/* Between steps 1 and 2: is every position in order already (all states
 * first, then only holes; discoveries increasing)? Returns the states. */
static uint64_t settle_identity(Order *o)
{
    uint64_t n = 0, last = 0;
    int closed = 0; /* a hole seen: no state may follow */
    o->identity = 1;
    for (unsigned t = 0; t < o->parts; t++) {
        const Share *sh = &o->shares[t];
        uint64_t lo, hi;
        share_bounds(o, t, &lo, &hi);
        if (!sh->sorted || (sh->found && (closed || (n && sh->first < last))))
            o->identity = 0;
        if (sh->found)
            last = sh->last;
        if (sh->found < hi - lo)
            closed = 1;
        n += sh->found;
    }
    return n;
}

/* Between steps 1 and 2: where each range begins in the result. */
static void place_ranges(Order *o)
{
    unsigned P = o->parts;
    uint64_t at = 0;
    for (unsigned q = 0; q < P; q++) {
        o->start[q] = at;
        for (unsigned t = 0; t < P; t++)
            at += o->cells[(size_t)t * P + q];
    }
    o->start[P] = at;
}

/* When the positions are in order already: part t's parents out. */
static void identity_task(void *arg, unsigned t)
{
    Order *o = arg;
    uint64_t lo, hi;
    share_bounds(o, t, &lo, &hi);
    hi = lo + o->shares[t].found; /* holes only at the end */
    for (uint64_t p = lo; p < hi; p++)
        o->parents[p] = (uint32_t)(load(o, p) >> 32);
}

/* Step 2 for range q (parents x0 .. x1 - 1 from lo): counts each
 * parent's children; cnt[x] becomes the rank of x's first child. */
static void count_parents(Order *o, uint64_t x0, uint64_t x1, uint64_t at)
{
    uint32_t *cnt = o->count_of;
    memset(cnt + x0, 0, (x1 - x0) * sizeof *cnt);
    for (uint64_t p = 0; p < o->used; p++) {
        uint64_t d = load(o, p);
        uint64_t x = (d >> 32) - o->lo; /* huge for ORDER_NONE */
        if (x >= x0 && x < x1)
            cnt[x]++;
    }
    for (uint64_t x = x0; x < x1; x++) {
        uint32_t c = cnt[x];
        cnt[x] = (uint32_t)at;
        at += c;
    }
}

/* Step 3 for range q: each position to its parent's ranks (in position
 * order), its successor index beside it; then each parent's few children
 * by successor index (insertion), and their parent written over the
 * indices. */
static void sort_task(void *arg, unsigned q)
{
    Order *o = arg;
    uint64_t x0 = range_first(o, q), x1 = range_first(o, q + 1);
    uint32_t *cnt = o->count_of, *sub = o->parents;
    count_parents(o, x0, x1, o->start[q]);
    for (uint64_t p = 0; p < o->used; p++) {
        uint64_t d = load(o, p);
        uint64_t x = (d >> 32) - o->lo;
        if (x < x0 || x >= x1)
            continue;
        uint32_t r = cnt[x]++;
        o->order[r] = (uint32_t)p;
        sub[r] = (uint32_t)d;
    }
    uint64_t from = o->start[q]; /* cnt[x]: now the end of x's ranks */
    for (uint64_t x = x0; x < x1; from = cnt[x], x++) {
        for (uint64_t r = from + 1; r < cnt[x]; r++) {
            uint32_t pos = o->order[r], k = sub[r];
            uint64_t j = r;
            for (; j > from && sub[j - 1] > k; j--) {
                o->order[j] = o->order[j - 1];
                sub[j] = sub[j - 1];
            }
            o->order[j] = pos;
            sub[j] = k;
        }
        for (uint64_t r = from; r < cnt[x]; r++)
            o->parents[r] = (uint32_t)(o->lo + x);
    }
}

uint64_t order_capacity(const Order *o)
{
    return o->order_cap < o->parents_cap ? o->order_cap : o->parents_cap;
}

static int scratch(Order *o, uint64_t used, uint64_t span)
{
    size_t n = used ? used : 1;
    if (mem_grow((void **)&o->order, &o->order_cap, n, sizeof *o->order) ||
        mem_grow((void **)&o->parents, &o->parents_cap, n,
                 sizeof *o->parents))
        return -1;
    return mem_grow((void **)&o->count_of, &o->count_cap, span ? span : 1,
                    sizeof *o->count_of);
}

int order_level(Order *o, Pool *pool, unsigned parts,
                const _Atomic uint64_t *disc, uint64_t used, uint64_t lo,
                uint64_t span, OrderResult *out)
{
    if (scratch(o, used, span) != 0)
        return -1;
    if (parts > o->parts_max)
        parts = o->parts_max;
    if (parts > pool_size(pool))
        parts = pool_size(pool);
    o->parts = parts ? parts : 1;
    o->disc = disc;
    o->used = used;
    o->lo = lo;
    o->span = span ? span : 1;
    o->scale = ((uint64_t)o->parts << SCALE_BITS) / o->span;
    pool_run(pool, o->parts, count_task, o);
    out->n = settle_identity(o);
    if (o->identity)
        pool_run(pool, o->parts, identity_task, o);
    else {
        place_ranges(o);
        pool_run(pool, o->parts, sort_task, o);
    }
    out->identity = o->identity;
    out->order = o->order;
    out->parents = o->parents;
    return 0;
}
