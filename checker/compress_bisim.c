/* compress_bisim: strong and weak bisimulation quotients by partition
 * refinement. See compress.h.
 *
 * Signature refinement, made incremental so that it is fast: a block is
 * re-examined only at the states that point into a block that changed.
 * The partition is kept as in Paige and Tarjan's refinable partitions: the
 * members of a block are a range of `elems`, so splitting off a group
 * costs the size of the group. In each round the states whose block id
 * changed last round ("moved") touch their predecessors; the touched
 * members of a block get a signature, the sorted set of (event, block of
 * target) pairs, computed against one partition for the whole block. The
 * untouched members all still share one signature (the block was stable
 * and none of their successors moved), so one of them stands for the rest.
 * Members are grouped by signature; the largest group keeps the block's id
 * and the others become new blocks, so a state moves at most log2(n)
 * times. Splits separate only states with different signatures under a
 * partition coarser than bisimilarity, hence never bisimilar states; the
 * rounds end when nothing moves, when every block is stable: the result is
 * the coarsest bisimulation.
 *
 * Weak bisimulation runs the same refinement on the weak transitions
 * (s =a=> t: taus, a, taus; s =tau=> t: taus only, s itself included) of
 * the process with its tau-cycles collapsed (tau_loop_factor), with the
 * states that may diverge (an endless tau path) apart from the others from
 * the start. In the quotient a tau inside a block is dropped (inert), and
 * a block that may diverge gets a tau self-loop. */
#include "compress_impl.h"

#include "diverge.h"
#include "limit.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

/* A graph in compressed rows; ev/dst per transition. */
typedef struct Graph {
    uint32_t n;
    const uint32_t *off, *ev, *dst;
} Graph;

typedef struct Refine {
    const Graph *g;
    uint32_t *block, *elems, *pos, *bstart, *bend, blocks;
    uint32_t *pred_off, *pred;
    uint8_t *touched;
    uint32_t *moved, nmoved, *next_moved, nnext;
    uint32_t *work;        /* touched states of this round */
    uint64_t *sig;         /* signatures of one block's touched members */
    size_t sig_cap;
    uint32_t *sig_off;     /* per touched member: range in sig */
    uint64_t *key;         /* per touched member: hash << 32 | index */
    uint32_t *grp, *lead, *gsize; /* per touched member; per group */
    uint32_t *gfirst, *byg; /* members ordered by group: counting sort */
    uint64_t *order;       /* the round's work sorted: block << 32 | state */
} Refine;

static uint64_t mix(uint64_t h, uint64_t x)
{
    h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}


/* The sorted, duplicate-free signature of s, appended to r->sig at *len. */
static int signature(Refine *r, uint32_t s, size_t *len, uint64_t *hash)
{
    const Graph *g = r->g;
    size_t start = *len, deg = g->off[s + 1] - g->off[s];
    if (mem_grow((void **)&r->sig, &r->sig_cap, start + deg + 1,
                 sizeof *r->sig))
        return -1;
    for (uint32_t k = g->off[s]; k < g->off[s + 1]; k++)
        r->sig[(*len)++] = (uint64_t)g->ev[k] << 32 | r->block[g->dst[k]];
    compress_sort_u64(r->sig + start, *len - start);
    size_t out = start;
    uint64_t h = 0;
    for (size_t k = start; k < *len; k++)
        if (k == start || r->sig[k] != r->sig[k - 1]) {
            r->sig[out++] = r->sig[k];
            h = mix(h, r->sig[k]);
        }
    *len = out;
    *hash = h;
    return 0;
}

static int sig_equal(const Refine *r, uint32_t a, uint32_t b)
{
    uint32_t la = r->sig_off[a + 1] - r->sig_off[a];
    return la == r->sig_off[b + 1] - r->sig_off[b] &&
           (la == 0 || !memcmp(r->sig + r->sig_off[a], r->sig + r->sig_off[b],
                               la * sizeof *r->sig));
}

/* Moves state s to the end of its block's range and shrinks the range:
 * the caller gives the freed tail to a new block. */
static void detach(Refine *r, uint32_t s)
{
    uint32_t b = r->block[s], last = --r->bend[b], other = r->elems[last];
    uint32_t at = r->pos[s];
    r->elems[at] = other;
    r->pos[other] = at;
    r->elems[last] = s;
    r->pos[s] = last;
}


/* Signatures of the touched members w[0 .. nt) of block b into sig_off /
 * key, and (has_rest) the untouched members' shared one as index nt. */
static int block_signatures(Refine *r, uint32_t b, const uint32_t *w,
                            uint32_t nt, int has_rest)
{
    size_t len = 0;
    uint64_t h;
    for (uint32_t i = 0; i < nt; i++) {
        r->sig_off[i] = (uint32_t)len;
        if (signature(r, w[i], &len, &h) != 0)
            return -1;
        r->key[i] = h << 32 | i;
    }
    r->sig_off[nt] = (uint32_t)len;
    if (has_rest) {
        uint32_t k = r->bstart[b];
        while (r->touched[r->elems[k]])
            k++;
        if (signature(r, r->elems[k], &len, &h) != 0)
            return -1;
    }
    r->sig_off[nt + 1] = (uint32_t)len;
    return 0;
}

/* Groups the touched members by signature: grp[i], lead[g] (a member),
 * gsize[g]. Equal hashes are adjacent after sorting; within a run of equal
 * hashes each member is compared with the run's leaders. */
static uint32_t group_members(Refine *r, uint32_t nt)
{
    compress_sort_u64(r->key, nt);
    uint32_t groups = 0;
    for (uint32_t i = 0; i < nt;) {
        uint32_t j = i, first = groups;
        for (; j < nt && r->key[j] >> 32 == r->key[i] >> 32; j++) {
            uint32_t m = (uint32_t)r->key[j], g = first;
            while (g < groups && !sig_equal(r, r->lead[g], m))
                g++;
            if (g == groups) {
                r->lead[groups] = m;
                r->gsize[groups++] = 0;
            }
            r->grp[m] = g;
            r->gsize[g]++;
        }
        i = j;
    }
    return groups;
}

/* Re-examines block b at its touched members w[0 .. nt); splits it. */
static int refine_block(Refine *r, uint32_t b, const uint32_t *w, uint32_t nt)
{
    uint32_t size = r->bend[b] - r->bstart[b];
    int has_rest = nt < size;
    if (size == 1 || block_signatures(r, b, w, nt, has_rest) != 0)
        return size == 1 ? 0 : -1;
    uint32_t groups = group_members(r, nt), keep = UINT32_MAX;
    if (has_rest) { /* the untouched keep b, with the touched equal to them */
        for (uint32_t g = 0; g < groups && keep == UINT32_MAX; g++)
            if (sig_equal(r, r->lead[g], nt))
                keep = g;
        if (keep == UINT32_MAX)
            keep = groups; /* no touched member joins them */
    } else {
        keep = 0;
        for (uint32_t g = 1; g < groups; g++)
            if (r->gsize[g] > r->gsize[keep])
                keep = g;
    }
    /* members by group (counting sort), so each group is found at once */
    for (uint32_t g = 0, at = 0; g < groups; g++) {
        r->gfirst[g] = at;
        at += r->gsize[g];
    }
    for (uint32_t i = 0; i < nt; i++)
        r->byg[r->gfirst[r->grp[i]]++] = i;
    for (uint32_t g = 0, at = 0; g < groups; g++) {
        uint32_t end = at + r->gsize[g];
        if (g != keep) {
            uint32_t nb = r->blocks++;
            for (uint32_t k = at; k < end; k++) {
                detach(r, w[r->byg[k]]);
                r->next_moved[r->nnext++] = w[r->byg[k]];
            }
            r->bstart[nb] = r->bend[b];
            r->bend[nb] = r->bend[b] + r->gsize[g];
            for (uint32_t k = r->bstart[nb]; k < r->bend[nb]; k++)
                r->block[r->elems[k]] = nb;
        }
        at = end;
    }
    return 0;
}

/* One round: the predecessors of last round's moved states, by block. */
static int refine_round(Refine *r, int first)
{
    uint32_t nw = 0;
    if (first)
        for (uint32_t s = 0; s < r->g->n; s++)
            r->order[nw++] = (uint64_t)r->block[s] << 32 | s;
    else
        for (uint32_t i = 0; i < r->nmoved; i++) {
            uint32_t s = r->moved[i];
            for (uint32_t k = r->pred_off[s]; k < r->pred_off[s + 1]; k++) {
                uint32_t p = r->pred[k];
                if (!r->touched[p]) {
                    r->touched[p] = 1;
                    r->order[nw++] = (uint64_t)r->block[p] << 32 | p;
                }
            }
        }
    for (uint32_t i = 0; i < nw; i++)
        r->touched[(uint32_t)r->order[i]] = 1;
    compress_sort_u64(r->order, nw);
    r->nnext = 0;
    int rc = 0;
    for (uint32_t i = 0; i < nw && rc == 0;) {
        uint32_t j = i, b = (uint32_t)(r->order[i] >> 32);
        for (; j < nw && (uint32_t)(r->order[j] >> 32) == b; j++)
            r->work[j - i] = (uint32_t)r->order[j];
        rc = refine_block(r, b, r->work, j - i);
        for (uint32_t k = i; k < j; k++)
            r->touched[(uint32_t)r->order[k]] = 0;
        i = j;
    }
    uint32_t *t = r->moved;
    r->moved = r->next_moved;
    r->next_moved = t;
    r->nmoved = r->nnext;
    return rc;
}

static int refine_alloc(Refine *r, const Graph *g)
{
    size_t n = (size_t)g->n + 2, m = (size_t)g->off[g->n] + 1;
    r->g = g;
    r->elems = mem_alloc(n * sizeof *r->elems);
    r->pos = mem_alloc(n * sizeof *r->pos);
    r->bstart = mem_alloc(n * sizeof *r->bstart);
    r->bend = mem_alloc(n * sizeof *r->bend);
    r->pred_off = mem_calloc(n, sizeof *r->pred_off);
    r->pred = mem_alloc(m * sizeof *r->pred);
    r->touched = mem_calloc(n, 1);
    r->moved = mem_alloc(n * sizeof *r->moved);
    r->next_moved = mem_alloc(n * sizeof *r->next_moved);
    r->work = mem_alloc(n * sizeof *r->work);
    r->sig_off = mem_alloc(n * sizeof *r->sig_off);
    r->key = mem_alloc(n * sizeof *r->key);
    r->grp = mem_alloc(n * sizeof *r->grp);
    r->lead = mem_alloc(n * sizeof *r->lead);
    r->gsize = mem_alloc(n * sizeof *r->gsize);
    r->order = mem_alloc(n * sizeof *r->order);
    r->gfirst = mem_alloc(n * sizeof *r->gfirst);
    r->byg = mem_alloc(n * sizeof *r->byg);
    return r->elems && r->pos && r->bstart && r->bend && r->pred_off &&
                   r->pred && r->touched && r->moved && r->next_moved &&
                   r->work && r->sig_off && r->key && r->grp && r->lead &&
                   r->gsize && r->order && r->gfirst && r->byg
               ? 0
               : -1;
}

static void refine_free(Refine *r)
{
    void *all[] = {r->elems, r->pos, r->bstart, r->bend, r->pred_off,
                   r->pred, r->touched, r->moved, r->next_moved, r->work,
                   r->sig_off, r->key, r->grp, r->lead, r->gsize, r->order,
                   r->gfirst, r->byg, r->sig};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        mem_free(all[i]);
}

/* Refines the initial partition block[] (ids 0 .. *blocks-1, every id
 * used) to the coarsest bisimulation of g contained in it. */
static CompressStatus refine(const Graph *g, uint32_t *block,
                             uint32_t *blocks)
{
    Refine r = {0};
    CompressStatus st = COMPRESS_NOMEM;
    if (refine_alloc(&r, g) != 0)
        goto done;
    r.block = block;
    r.blocks = *blocks;
    /* ranges by counting sort on the initial ids */
    memset(r.bend, 0, (size_t)r.blocks * sizeof *r.bend);
    for (uint32_t s = 0; s < g->n; s++)
        r.bend[block[s]]++;
    for (uint32_t b = 0, at = 0; b < r.blocks; b++) {
        r.bstart[b] = at;
        at += r.bend[b];
        r.bend[b] = r.bstart[b];
    }
    for (uint32_t s = 0; s < g->n; s++) {
        r.pos[s] = r.bend[block[s]]++;
        r.elems[r.pos[s]] = s;
    }
    for (uint32_t k = 0; k < g->off[g->n]; k++)
        r.pred_off[g->dst[k] + 1]++;
    for (uint32_t s = 0; s < g->n; s++)
        r.pred_off[s + 1] += r.pred_off[s];
    uint32_t *fill = r.work; /* reuse as a cursor per state */
    memcpy(fill, r.pred_off, (size_t)g->n * sizeof *fill);
    for (uint32_t s = 0; s < g->n; s++)
        for (uint32_t k = g->off[s]; k < g->off[s + 1]; k++)
            r.pred[fill[g->dst[k]]++] = s;
    int rc = refine_round(&r, 1);
    while (rc == 0 && r.nmoved) {
        if (limit_reached() != LIMIT_NONE) {
            st = COMPRESS_STOPPED;
            goto done;
        }
        rc = refine_round(&r, 0);
    }
    if (rc == 0) {
        *blocks = r.blocks;
        st = COMPRESS_OK;
    }
done:
    refine_free(&r);
    return st;
}

CompressStatus compress_refine(uint32_t n, const uint32_t *off,
                               const uint32_t *ev, const uint32_t *dst,
                               uint32_t *block, uint32_t *blocks)
{
    Graph g = {n, off, ev, dst};
    return refine(&g, block, blocks);
}

/* The quotient: node = block, named by its first member; every edge of
 * the graph `in` maps to blocks. With `inert` (weak bisimulation) a tau
 * inside one block is dropped, and a block whose states may diverge
 * (div) gets a tau self-loop instead. */
static CompressStatus quotient(const Lts *in, const uint32_t *block,
                               uint32_t blocks, int inert,
                               const uint8_t *div, size_t max_states,
                               Lts *out)
{
    CEdges e = {0};
    CompressStatus st = COMPRESS_NOMEM;
    uint32_t *rep = mem_alloc(((size_t)blocks + 1) * sizeof *rep);
    if (!rep)
        return st;
    memset(rep, 0xff, (size_t)blocks * sizeof *rep);
    for (uint32_t s = 0; s < in->states; s++) {
        if (rep[block[s]] == UINT32_MAX) {
            rep[block[s]] = s;
            /* a block of states that may diverge keeps that as a loop */
            if (inert && div[s] &&
                cedges_add(&e, block[s], EVENT_TAU, block[s]) != 0)
                goto done;
        }
        for (uint32_t k = in->offset[s]; k < in->offset[s + 1]; k++) {
            uint32_t ev = in->event[k], to = block[in->target[k]];
            if (inert && ev == EVENT_TAU && to == block[s])
                continue; /* inert, or the loop added above */
            if (cedges_add(&e, block[s], ev, to) != 0)
                goto done;
        }
    }
    uint32_t omega = in->omega == UINT32_MAX ? UINT32_MAX : block[in->omega];
    st = compress_finish(in, blocks, rep, block[0], omega, &e, max_states,
                         out);
done:
    mem_free(rep);
    cedges_free(&e);
    return st;
}

/* Initial partition: the terminated state alone; the rest by `cls`
 * (NULL: one class; else 0 or 1). */
static uint32_t initial_blocks(const Lts *in, const uint8_t *cls,
                               uint32_t *block)
{
    uint32_t ids[2] = {UINT32_MAX, UINT32_MAX}, blocks = 0;
    for (uint32_t s = 0; s < in->states; s++) {
        if (s == in->omega) {
            block[s] = blocks++;
            continue;
        }
        uint32_t c = cls ? cls[s] : 0;
        if (ids[c] == UINT32_MAX)
            ids[c] = blocks++;
        block[s] = ids[c];
    }
    return blocks;
}

static CompressStatus sbisim(const Lts *in, size_t max_states, Lts *out)
{
    Graph g = {in->states, in->offset, in->event, in->target};
    uint32_t *block = mem_alloc(((size_t)in->states + 1) * sizeof *block);
    if (!block)
        return COMPRESS_NOMEM;
    uint32_t blocks = initial_blocks(in, NULL, block);
    CompressStatus st = refine(&g, block, &blocks);
    if (st == COMPRESS_OK)
        st = quotient(in, block, blocks, 0, NULL, max_states, out);
    mem_free(block);
    return st;
}

/* The weak transitions of c (tau-cycles collapsed: a DAG under tau but
 * for self-loops): s =tau=> t for t in closure(s), s =a=> t for t in the
 * closure of an a-successor of a member of closure(s). */
static CompressStatus saturate(const Lts *c, size_t max_trans, Graph *g,
                               uint32_t **off, CEdges *e)
{
    Closure cl = {0}, after = {0};
    uint32_t *row = NULL;
    size_t row_cap = 0;
    CompressStatus st = COMPRESS_NOMEM;
    *off = mem_alloc(((size_t)c->states + 1) * sizeof **off);
    if (!*off || closure_init(&cl, c->states) || closure_init(&after, c->states))
        goto done;
    for (uint32_t s = 0; s < c->states; s++) {
        (*off)[s] = (uint32_t)e->count;
        if (closure_of(&cl, c, &s, 1) != 0)
            goto done;
        for (size_t i = 0; i < cl.count; i++)
            if (cedges_add(e, s, EVENT_TAU, cl.items[i]) != 0)
                goto done;
        for (size_t i = 0; i < cl.count; i++) {
            uint32_t u = cl.items[i];
            for (uint32_t k = c->offset[u]; k < c->offset[u + 1]; k++) {
                if (c->event[k] == EVENT_TAU)
                    continue;
                if (mem_grow((void **)&row, &row_cap, 1, sizeof *row))
                    goto done;
                row[0] = c->target[k];
                if (closure_of(&after, c, row, 1) != 0)
                    goto done;
                for (size_t j = 0; j < after.count; j++)
                    if (cedges_add(e, s, c->event[k], after.items[j]) != 0)
                        goto done;
            }
        }
        if (e->count > max_trans) {
            st = COMPRESS_LIMIT;
            goto done;
        }
        if (limit_reached() != LIMIT_NONE) {
            st = COMPRESS_STOPPED;
            goto done;
        }
    }
    (*off)[c->states] = (uint32_t)e->count;
    *g = (Graph){c->states, *off, e->ev, e->dst};
    st = COMPRESS_OK;
done:
    closure_free(&cl);
    closure_free(&after);
    mem_free(row);
    return st;
}

/* Weak transitions per state are bounded by this many in all. */
enum { WBISIM_MAX_TRANSITIONS = 50000000 };

static CompressStatus wbisim(const Lts *in, size_t max_states, Lts *out)
{
    Lts c;
    CompressStatus st = compress_lts(COMPRESS_TAU_LOOP, in, in->states, &c);
    if (st != COMPRESS_OK)
        return st;
    Graph g;
    uint32_t *off = NULL, *block = NULL, blocks;
    uint8_t *div = NULL;
    CEdges e = {0};
    st = COMPRESS_NOMEM;
    block = mem_alloc(((size_t)c.states + 1) * sizeof *block);
    if (!block || compress_divergent(&c, &div) != 0)
        goto done;
    st = saturate(&c, WBISIM_MAX_TRANSITIONS, &g, &off, &e);
    if (st != COMPRESS_OK)
        goto done;
    blocks = initial_blocks(&c, div, block);
    st = refine(&g, block, &blocks);
    if (st == COMPRESS_OK)
        st = quotient(&c, block, blocks, 1, div, max_states, out);
done:
    mem_free(div);
    mem_free(block);
    mem_free(off);
    cedges_free(&e);
    lts_free(&c);
    return st;
}

CompressStatus compress_bisim(CompressKind kind, const Lts *in,
                              size_t max_states, Lts *out)
{
    return kind == COMPRESS_SBISIM ? sbisim(in, max_states, out)
                                   : wbisim(in, max_states, out);
}
