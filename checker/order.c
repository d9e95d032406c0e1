/* order: a level's new states in canonical order, on a pool. See order.h.
 *
 * Part t of P owns the positions [used * t / P, used * (t + 1) / P) in
 * steps 1 and 2, and in step 3 the parents x (counted from lo) with
 * x * scale >> 40 == t: range t, where scale = P * 2^40 / span (rounded
 * down; a multiply, not a division per state: a division made the
 * sorting three times slower). cells[t * P + q] counts the states of part
 * t's positions whose parent is in range q; between steps 1 and 2 it
 * becomes where part t puts the first of them in `staged`. The ranges
 * follow one another in `staged` as they will in the result, so step 3
 * sorts each one in place of its own, without touching another's. */
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
    uint32_t *order, *parents, *sub; /* the result, by rank */
    uint64_t *staged;                /* discoveries, by range */
    uint32_t *staged_pos;            /* their positions */
    uint32_t *count_of;              /* per parent (step 3) */
    size_t order_cap, parents_cap, sub_cap, staged_cap, staged_pos_cap,
        count_cap;
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
    mem_free(o->sub);
    mem_free(o->staged);
    mem_free(o->staged_pos);
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

/* Between steps 1 and 2: where each part's states of each range go. */
static void place_cells(Order *o)
{
    unsigned P = o->parts;
    uint64_t at = 0;
    for (unsigned q = 0; q < P; q++) {
        o->start[q] = at;
        for (unsigned t = 0; t < P; t++) {
            uint64_t c = o->cells[(size_t)t * P + q];
            o->cells[(size_t)t * P + q] = at;
            at += c;
        }
    }
    o->start[P] = at;
}

/* Step 2: part t's states into their ranges (or, when the positions are
 * in order already, only their parents out). */
static void stage_task(void *arg, unsigned t)
{
    Order *o = arg;
    uint64_t row[MAX_PARTS], lo, hi;
    memcpy(row, o->cells + (size_t)t * o->parts, o->parts * sizeof *row);
    share_bounds(o, t, &lo, &hi);
    if (o->identity) {
        hi = lo + o->shares[t].found; /* holes only at the end */
        for (uint64_t p = lo; p < hi; p++)
            o->parents[p] = (uint32_t)(load(o, p) >> 32);
        return;
    }
    for (uint64_t p = lo; p < hi; p++) {
        uint64_t d = load(o, p);
        if (d == ORDER_NONE)
            continue;
        uint64_t i = row[range_of(o, d)]++;
        o->staged[i] = d;
        o->staged_pos[i] = (uint32_t)p;
    }
}

/* Step 3: range q by parent (a counting sort over its parents), then
 * within each parent by successor index. */
static void sort_task(void *arg, unsigned q)
{
    Order *o = arg;
    uint64_t from = o->start[q], to = o->start[q + 1];
    uint64_t x0 = range_first(o, q), x1 = range_first(o, q + 1);
    uint32_t *cnt = o->count_of;
    memset(cnt + x0, 0, (x1 - x0) * sizeof *cnt);
    for (uint64_t i = from; i < to; i++)
        cnt[(o->staged[i] >> 32) - o->lo]++;
    uint64_t at = from;
    for (uint64_t x = x0; x < x1; x++) { /* cnt[x]: first rank of parent x */
        uint32_t c = cnt[x];
        cnt[x] = (uint32_t)at;
        at += c;
    }
    for (uint64_t i = from; i < to; i++) {
        uint64_t d = o->staged[i];
        uint32_t r = cnt[(d >> 32) - o->lo]++;
        o->order[r] = o->staged_pos[i];
        o->parents[r] = (uint32_t)(d >> 32);
        o->sub[r] = (uint32_t)d;
    }
    for (uint64_t r = from + 1; r < to; r++) {
        uint32_t pos = o->order[r], k = o->sub[r], par = o->parents[r];
        uint64_t j = r;
        for (; j > from && o->parents[j - 1] == par && o->sub[j - 1] > k;
             j--) {
            o->order[j] = o->order[j - 1];
            o->sub[j] = o->sub[j - 1];
        }
        o->order[j] = pos;
        o->sub[j] = k;
    }
}

uint64_t order_capacity(const Order *o)
{
    size_t caps[] = {o->order_cap, o->parents_cap, o->sub_cap, o->staged_cap,
                     o->staged_pos_cap};
    size_t least = caps[0];
    for (size_t i = 1; i < sizeof caps / sizeof *caps; i++)
        if (caps[i] < least)
            least = caps[i];
    return least;
}

static int scratch(Order *o, uint64_t used, uint64_t span)
{
    void **const arrays[] = {(void **)&o->order, (void **)&o->parents,
                             (void **)&o->sub, (void **)&o->staged,
                             (void **)&o->staged_pos};
    size_t *const caps[] = {&o->order_cap, &o->parents_cap, &o->sub_cap,
                            &o->staged_cap, &o->staged_pos_cap};
    const size_t sizes[] = {sizeof *o->order, sizeof *o->parents,
                            sizeof *o->sub, sizeof *o->staged,
                            sizeof *o->staged_pos};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        if (mem_grow(arrays[i], caps[i], used ? used : 1, sizes[i]) != 0)
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
    if (!o->identity)
        place_cells(o);
    pool_run(pool, o->parts, stage_task, o);
    if (!o->identity)
        pool_run(pool, o->parts, sort_task, o);
    out->identity = o->identity;
    out->order = o->order;
    out->parents = o->parents;
    return 0;
}
