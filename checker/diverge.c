/* diverge: tau-cycle analysis by Tarjan's SCC algorithm. See diverge.h. */
#include "diverge.h"

#include "limit.h"
#include "mem.h"

#include <string.h>

int idvec_push(IdVec *v, uint64_t id)
{
    if (mem_grow((void **)&v->items, &v->cap, v->count + 1, sizeof *v->items))
        return -1;
    v->items[v->count++] = id;
    return 0;
}

void idvec_free(IdVec *v)
{
    mem_free(v->items);
    memset(v, 0, sizeof *v);
}

enum { UNSEEN = UINT32_MAX };

typedef struct Frame {
    uint64_t id;
    size_t succ_begin, succ_end, next; /* into Tarjan.succ */
} Frame;

typedef struct Tarjan {
    const DivGraph *g;
    uint32_t *index, *low; /* UNSEEN until visited; low = UNSEEN: done */
    uint8_t *div;
    uint32_t *comp;        /* optional: state -> its component */
    uint32_t comps;        /* components closed so far */
    uint32_t counter;
    IdVec scc;             /* Tarjan's stack of open states */
    IdVec succ;            /* successor lists of the frames, stacked */
    Frame *frames;
    size_t depth, frames_cap;
    uint32_t steps;        /* since the run's limits were last polled */
} Tarjan;

static int tarjan_open(Tarjan *t, uint64_t id)
{
    if (mem_grow((void **)&t->frames, &t->frames_cap, t->depth + 1,
                 sizeof *t->frames) || idvec_push(&t->scc, id))
        return -1;
    t->index[id] = t->low[id] = t->counter++;
    size_t begin = t->succ.count;
    if (t->g->tau_succ(t->g->ud, id, &t->succ) != 0)
        return -1;
    t->frames[t->depth++] = (Frame){id, begin, t->succ.count, begin};
    return 0;
}

/* Pops the component rooted at `root`; it diverges if it is a cycle (more
 * than one state, or a tau self-loop) or a tau successor diverges. */
static void tarjan_close(Tarjan *t, const Frame *f)
{
    size_t start = t->scc.count;
    while (t->scc.items[--start] != f->id)
        ;
    int diverges = t->scc.count - start > 1;
    for (size_t k = f->succ_begin; k < f->succ_end && !diverges; k++)
        diverges = f->id == t->succ.items[k];
    for (size_t i = start; i < t->scc.count; i++) {
        t->low[t->scc.items[i]] = UNSEEN; /* closed */
        t->div[t->scc.items[i]] = (uint8_t)diverges;
        if (t->comp)
            t->comp[t->scc.items[i]] = t->comps;
    }
    t->comps++;
    t->scc.count = start;
}

static int tarjan_run(Tarjan *t, uint64_t root)
{
    if (tarjan_open(t, root) != 0)
        return -1;
    while (t->depth) {
        /* a graph of millions of states: the run's limits are polled */
        if (++t->steps == 1u << 16) {
            t->steps = 0;
            if (limit_reached() != LIMIT_NONE)
                return -1;
        }
        Frame *f = &t->frames[t->depth - 1];
        if (f->next < f->succ_end) {
            uint64_t s = t->succ.items[f->next++];
            if (t->index[s] == UNSEEN) {
                if (tarjan_open(t, s) != 0)
                    return -1;
            } else if (t->low[s] != UNSEEN) { /* open: on the stack */
                if (t->index[s] < t->low[f->id])
                    t->low[f->id] = t->index[s];
            } else if (t->div[s]) {
                t->div[f->id] = 2; /* reaches a closed divergent state */
            }
            continue;
        }
        Frame done = *f;
        t->depth--;
        int reaches = t->div[done.id] == 2;
        if (t->low[done.id] == t->index[done.id]) {
            tarjan_close(t, &done);
            if (reaches)
                t->div[done.id] = 1;
        }
        if (t->depth) {
            Frame *parent = &t->frames[t->depth - 1];
            if (t->low[done.id] != UNSEEN && t->low[done.id] < t->low[parent->id])
                t->low[parent->id] = t->low[done.id];
            if (t->div[done.id] == 1 || reaches)
                t->div[parent->id] = t->div[parent->id] == 1 ? 1 : 2;
        }
        t->succ.count = done.succ_begin;
    }
    return 0;
}

static int tarjan_all(Tarjan *t, const DivGraph *g)
{
    size_t n = g->states ? g->states : 1;
    t->g = g;
    t->index = mem_alloc(n * sizeof *t->index);
    t->low = mem_alloc(n * sizeof *t->low);
    t->div = mem_calloc(n, 1);
    int rc = -1;
    if (t->index && t->low && t->div) {
        memset(t->index, 0xff, n * sizeof *t->index);
        memset(t->low, 0xff, n * sizeof *t->low);
        rc = 0;
        for (uint64_t id = 0; id < g->states && rc == 0; id++)
            if (t->index[id] == UNSEEN)
                rc = tarjan_run(t, id);
    }
    mem_free(t->index);
    mem_free(t->low);
    mem_free(t->frames);
    idvec_free(&t->scc);
    idvec_free(&t->succ);
    if (rc != 0) {
        mem_free(t->div);
        t->div = NULL;
    }
    return rc;
}

int diverge_mark(const DivGraph *g, uint8_t **divergent)
{
    Tarjan t = {0};
    if (tarjan_all(&t, g) != 0)
        return -1;
    *divergent = t.div;
    return 0;
}

int diverge_components(const DivGraph *g, uint32_t **comp, uint32_t *count,
                       uint8_t **divergent)
{
    Tarjan t = {.comp = mem_alloc((g->states ? g->states : 1) *
                                  sizeof *t.comp)};
    if (!t.comp || tarjan_all(&t, g) != 0) {
        mem_free(t.comp);
        return -1;
    }
    *comp = t.comp;
    *count = t.comps;
    *divergent = t.div;
    return 0;
}

int diverge_walk(uint64_t from, DivNext next, void *ud, IdVec *lead,
                 IdVec *loop)
{
    IdVec walk = {0};
    uint64_t cur = from;
    int rc = -1;
    for (;;) {
        for (size_t i = 0; i < walk.count; i++)
            if (walk.items[i] == cur) {
                rc = 0;
                for (size_t k = 0; k < i && rc == 0; k++)
                    rc = idvec_push(lead, walk.items[k]);
                for (size_t k = i; k < walk.count && rc == 0; k++)
                    rc = idvec_push(loop, walk.items[k]);
                if (rc == 0)
                    rc = idvec_push(loop, cur);
                idvec_free(&walk);
                return rc;
            }
        if (idvec_push(&walk, cur) != 0 || next(ud, cur, &cur) != 0)
            break;
    }
    idvec_free(&walk);
    return -1;
}

typedef struct LassoCtx {
    const DivGraph *g;
    const uint8_t *divergent;
    IdVec succ;
} LassoCtx;

/* The first divergent tau successor: every divergent state has one. */
static int first_divergent(void *ud, uint64_t cur, uint64_t *next)
{
    LassoCtx *c = ud;
    c->succ.count = 0;
    if (c->g->tau_succ(c->g->ud, cur, &c->succ) != 0)
        return -1;
    for (size_t k = 0; k < c->succ.count; k++)
        if (c->divergent[c->succ.items[k]]) {
            *next = c->succ.items[k];
            return 0;
        }
    return -1; /* not divergent after all: a caller's mistake */
}

int diverge_lasso(const DivGraph *g, const uint8_t *divergent, uint64_t from,
                  IdVec *lead, IdVec *loop)
{
    LassoCtx c = {g, divergent, {0}};
    int rc = diverge_walk(from, first_divergent, &c, lead, loop);
    idvec_free(&c.succ);
    return rc;
}
