/* compress: the entry point, the result builder, and the compressions that
 * need no partition or closure: explicate, tau_loop_factor. See
 * compress.h. */
#include "compress_impl.h"

#include "diverge.h"
#include "limit.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

static const char *const names[COMPRESS_KIND_COUNT] = {
    "explicate", "sbisim", "wbisim", "normal", "diamond", "tau_loop_factor",
    "chase",
};

const char *compress_name(CompressKind kind) { return names[kind]; }

/* ---------- shared plumbing ---------- */

int cedges_add(CEdges *e, uint32_t src, uint32_t ev, uint32_t dst)
{
    if (e->count == e->cap) {
        size_t cap = e->cap ? 2 * e->cap : 256;
        uint32_t *a = mem_realloc(e->src, cap * sizeof *a);
        if (!a)
            return -1;
        e->src = a;
        if (!(a = mem_realloc(e->ev, cap * sizeof *a)))
            return -1;
        e->ev = a;
        if (!(a = mem_realloc(e->dst, cap * sizeof *a)))
            return -1;
        e->dst = a;
        e->cap = cap;
    }
    e->src[e->count] = src;
    e->ev[e->count] = ev;
    e->dst[e->count++] = dst;
    return 0;
}

void cedges_free(CEdges *e)
{
    mem_free(e->src);
    mem_free(e->ev);
    mem_free(e->dst);
    memset(e, 0, sizeof *e);
}

static void insertion_u64(uint64_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t x = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > x; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

static void sift_u64(uint64_t *a, size_t root, size_t n)
{
    for (size_t child; (child = 2 * root + 1) < n; root = child) {
        if (child + 1 < n && a[child + 1] > a[child])
            child++;
        if (a[root] >= a[child])
            return;
        uint64_t t = a[root];
        a[root] = a[child];
        a[child] = t;
    }
}

/* Introsort: quicksort on a median of three, insertion below 16 items,
 * heapsort where the recursion grows too deep (never quadratic). */
static void intro_u64(uint64_t *a, size_t n, int depth)
{
    while (n > 16) {
        if (depth-- == 0) {
            for (size_t i = n / 2; i-- > 0;)
                sift_u64(a, i, n);
            for (size_t i = n; i-- > 1;) {
                uint64_t t = a[0];
                a[0] = a[i];
                a[i] = t;
                sift_u64(a, 0, i);
            }
            return;
        }
        uint64_t x = a[0], y = a[n / 2], z = a[n - 1];
        uint64_t pivot = x < y ? (y < z ? y : x < z ? z : x)
                               : (x < z ? x : y < z ? z : y);
        size_t i = 0, j = n - 1;
        for (;;) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i >= j)
                break;
            uint64_t t = a[i];
            a[i++] = a[j];
            a[j--] = t;
        }
        intro_u64(a, j + 1, depth); /* the smaller side first would bound
                                       the stack; depth bounds it anyway */
        a += j + 1;
        n -= j + 1;
    }
    insertion_u64(a, n);
}

void compress_sort_u64(uint64_t *a, size_t n)
{
    int depth = 0;
    for (size_t m = n; m > 1; m >>= 1)
        depth += 2;
    intro_u64(a, n, depth);
}

/* Rows of (event << 32 | target), sorted and without duplicates. */
typedef struct Rows {
    uint32_t *off; /* nodes + 1 */
    uint64_t *item;
} Rows;

static int rows_build(uint32_t nodes, const CEdges *e, Rows *r)
{
    r->off = mem_calloc((size_t)nodes + 1, sizeof *r->off);
    r->item = mem_alloc((e->count + 1) * sizeof *r->item);
    uint32_t *fill = mem_calloc((size_t)nodes + 1, sizeof *fill);
    if (!r->off || !r->item || !fill) {
        mem_free(fill);
        return -1;
    }
    for (size_t i = 0; i < e->count; i++)
        r->off[e->src[i] + 1]++;
    for (uint32_t n = 0; n < nodes; n++)
        r->off[n + 1] += r->off[n];
    for (size_t i = 0; i < e->count; i++) {
        uint32_t s = e->src[i];
        r->item[r->off[s] + fill[s]++] = (uint64_t)e->ev[i] << 32 | e->dst[i];
    }
    mem_free(fill);
    /* sort and dedupe each row in place, then close the gaps */
    uint32_t out = 0;
    for (uint32_t n = 0; n < nodes; n++) {
        uint32_t lo = r->off[n], hi = r->off[n + 1];
        compress_sort_u64(r->item + lo, hi - lo);
        r->off[n] = out;
        for (uint32_t k = lo; k < hi; k++)
            if (k == lo || r->item[k] != r->item[k - 1])
                r->item[out++] = r->item[k];
    }
    r->off[nodes] = out;
    return 0;
}

static void rows_free(Rows *r)
{
    mem_free(r->off);
    mem_free(r->item);
}

CompressStatus compress_finish(const Lts *in, uint32_t nodes,
                               const uint32_t *rep, uint32_t root,
                               uint32_t omega, const CEdges *edges,
                               size_t max_states, Lts *out)
{
    memset(out, 0, sizeof *out);
    out->omega = UINT32_MAX;
    Rows r = {0};
    uint32_t *id = mem_alloc(((size_t)nodes + 1) * sizeof *id);
    uint32_t *order = mem_alloc(((size_t)nodes + 1) * sizeof *order);
    CompressStatus st = COMPRESS_NOMEM;
    if (!id || !order || rows_build(nodes, edges, &r) != 0)
        goto done;
    memset(id, 0xff, (size_t)nodes * sizeof *id);
    uint32_t count = 0;
    id[root] = count;
    order[count++] = root;
    for (uint32_t q = 0; q < count; q++)
        for (uint32_t k = r.off[order[q]]; k < r.off[order[q] + 1]; k++) {
            uint32_t t = (uint32_t)r.item[k];
            if (id[t] == UINT32_MAX) {
                id[t] = count;
                order[count++] = t;
            }
        }
    if (count > max_states) {
        st = COMPRESS_LIMIT;
        goto done;
    }
    size_t trans = 0;
    for (uint32_t q = 0; q < count; q++)
        trans += r.off[order[q] + 1] - r.off[order[q]];
    out->term = mem_alloc(((size_t)count + 1) * sizeof *out->term);
    out->offset = mem_alloc(((size_t)count + 1) * sizeof *out->offset);
    out->event = mem_alloc((trans + 1) * sizeof *out->event);
    out->target = mem_alloc((trans + 1) * sizeof *out->target);
    if (!out->term || !out->offset || !out->event || !out->target) {
        lts_free(out);
        goto done;
    }
    out->states = count;
    for (uint32_t q = 0; q < count; q++) {
        uint32_t n = order[q];
        out->term[q] = in->term[rep[n]];
        out->offset[q] = out->transitions;
        for (uint32_t k = r.off[n]; k < r.off[n + 1]; k++) {
            out->event[out->transitions] = (uint32_t)(r.item[k] >> 32);
            out->target[out->transitions++] = id[(uint32_t)r.item[k]];
        }
    }
    out->offset[count] = out->transitions;
    if (omega != UINT32_MAX && id[omega] != UINT32_MAX)
        out->omega = id[omega];
    st = COMPRESS_OK;
done:
    mem_free(id);
    mem_free(order);
    rows_free(&r);
    return st;
}

int compress_unstable(const Lts *in, uint32_t s)
{
    /* rows are sorted by event and tau is event 0 */
    return in->offset[s] < in->offset[s + 1] &&
           in->event[in->offset[s]] == EVENT_TAU;
}

int compress_initials(const Lts *in, uint32_t s, uint32_t **set, size_t *n,
                      size_t *cap)
{
    size_t start = *n;
    for (uint32_t k = in->offset[s]; k < in->offset[s + 1]; k++) {
        uint32_t e = in->event[k];
        if (*n > start && (*set)[*n - 1] == e)
            continue; /* sorted rows: duplicates are adjacent */
        if (mem_grow((void **)set, cap, *n + 1, sizeof **set))
            return -1;
        (*set)[(*n)++] = e;
    }
    return 0;
}

static int lts_tau_succ(void *ud, uint64_t id, IdVec *out)
{
    const Lts *in = ud;
    for (uint32_t k = in->offset[id]; k < in->offset[id + 1]; k++)
        if (in->event[k] == EVENT_TAU && idvec_push(out, in->target[k]))
            return -1;
    return 0;
}

int compress_divergent(const Lts *in, uint8_t **div)
{
    DivGraph g = {in->states, lts_tau_succ, (void *)in};
    return diverge_mark(&g, div);
}

int closure_init(Closure *c, uint32_t states)
{
    memset(c, 0, sizeof *c);
    c->stamp = mem_calloc((size_t)states + 1, sizeof *c->stamp);
    return c->stamp ? 0 : -1;
}

static int closure_push(Closure *c, uint32_t s)
{
    if (c->stamp[s] == c->gen)
        return 0;
    c->stamp[s] = c->gen;
    if (mem_grow((void **)&c->items, &c->cap, c->count + 1, sizeof *c->items))
        return -1;
    c->items[c->count++] = s;
    return 0;
}

int compress_u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The items found so far double as the DFS stack: each is expanded once. */
int closure_of(Closure *c, const Lts *in, const uint32_t *seeds, size_t n)
{
    if (++c->gen == 0) { /* wrapped: old stamps could collide */
        memset(c->stamp, 0, (size_t)in->states * sizeof *c->stamp);
        c->gen = 1;
    }
    c->count = 0;
    for (size_t i = 0; i < n; i++)
        if (closure_push(c, seeds[i]) != 0)
            return -1;
    for (size_t i = 0; i < c->count; i++) {
        uint32_t s = c->items[i];
        for (uint32_t k = in->offset[s];
             k < in->offset[s + 1] && in->event[k] == EVENT_TAU; k++)
            if (closure_push(c, in->target[k]) != 0)
                return -1;
    }
    qsort(c->items, c->count, sizeof *c->items, compress_u32_cmp);
    return 0;
}

void closure_free(Closure *c)
{
    mem_free(c->stamp);
    mem_free(c->items);
    memset(c, 0, sizeof *c);
}

/* ---------- explicate, tau_loop_factor ---------- */

/* Every node is the input state `map` sends it to; an edge u -e-> v of the
 * input becomes map(u) -e-> map(v), for the states u with keep[u] (all
 * when keep is NULL). */
static CompressStatus compress_mapped(const Lts *in, const uint32_t *map,
                                      const uint8_t *keep, size_t max_states,
                                      Lts *out)
{
    CEdges e = {0};
    CompressStatus st = COMPRESS_NOMEM;
    uint32_t *rep = mem_alloc(((size_t)in->states + 1) * sizeof *rep);
    if (!rep)
        return st;
    for (uint32_t s = 0; s < in->states; s++)
        rep[s] = s;
    for (uint32_t s = 0; s < in->states; s++) {
        if (keep && !keep[s])
            continue;
        for (uint32_t k = in->offset[s]; k < in->offset[s + 1]; k++)
            if (cedges_add(&e, map[s], in->event[k], map[in->target[k]]))
                goto done;
    }
    uint32_t omega = in->omega == UINT32_MAX ? UINT32_MAX : map[in->omega];
    st = compress_finish(in, in->states, rep, map[0], omega, &e, max_states,
                         out);
done:
    mem_free(rep);
    cedges_free(&e);
    return st;
}

/* Each tau-SCC is named by its first (least) member. */
static CompressStatus compress_tau_loop(const Lts *in, size_t max_states,
                                        Lts *out)
{
    DivGraph g = {in->states, lts_tau_succ, (void *)in};
    uint32_t *comp = NULL, ncomp = 0, *first = NULL;
    uint8_t *div = NULL;
    CompressStatus st = COMPRESS_NOMEM;
    if (diverge_components(&g, &comp, &ncomp, &div) != 0)
        goto done;
    first = mem_alloc(((size_t)ncomp + 1) * sizeof *first);
    if (!first)
        goto done;
    memset(first, 0xff, (size_t)ncomp * sizeof *first);
    for (uint32_t s = 0; s < in->states; s++) {
        if (first[comp[s]] == UINT32_MAX)
            first[comp[s]] = s;
        comp[s] = first[comp[s]];
    }
    st = compress_mapped(in, comp, NULL, max_states, out);
done:
    mem_free(comp);
    mem_free(div);
    mem_free(first);
    return st;
}

CompressStatus compress_lts(CompressKind kind, const Lts *in,
                            size_t max_states, Lts *out)
{
    if (limit_reached() != LIMIT_NONE)
        return COMPRESS_STOPPED;
    CompressStatus st;
    switch (kind) {
    case COMPRESS_SBISIM: case COMPRESS_WBISIM:
        st = compress_bisim(kind, in, max_states, out);
        break;
    case COMPRESS_NORMAL: st = compress_normal(in, max_states, out); break;
    case COMPRESS_DIAMOND: st = compress_diamond(in, max_states, out); break;
    case COMPRESS_TAU_LOOP: st = compress_tau_loop(in, max_states, out); break;
    case COMPRESS_CHASE: return COMPRESS_LIMIT; /* lazy: compress.h */
    default: {
        uint32_t *id = mem_alloc(((size_t)in->states + 1) * sizeof *id);
        if (!id)
            return COMPRESS_NOMEM;
        for (uint32_t s = 0; s < in->states; s++)
            id[s] = s;
        st = compress_mapped(in, id, NULL, max_states, out);
        mem_free(id);
    }
    }
    if (st == COMPRESS_NOMEM && limit_reached() != LIMIT_NONE)
        st = COMPRESS_STOPPED;
    return st;
}
