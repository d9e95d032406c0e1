/* tracepath: a path along a recorded trace. See tracepath.h.
 *
 * Pairs are (1 + width)-word vectors (the position first) in a vecset,
 * with the parent and the event that led to each alongside, in the order
 * found: breadth-first, so the first pair found at a position is reached
 * by a shortest path. */
#include "tracepath.h"

#include "limit.h"
#include "mem.h"
#include "vecset.h"

#include <string.h>

typedef struct Search {
    const TracePathRequest *rq;
    size_t words;          /* 1 + width */
    VecSet pairs;
    uint32_t *parent, *event; /* per pair */
    size_t cap;
    uint32_t *next;        /* scratch: the successor being added */
    uint32_t *cur;         /* the state being expanded, copied: the set's
                              array moves as it grows */
    uint32_t from;         /* the pair being expanded */
    int moved;             /* it has a successor, followed or not */
    int failed;            /* out of memory or over the bound */
} Search;

static const uint32_t *pair(const Search *s, size_t i)
{
    return s->pairs.vecs + i * s->words;
}

/* Adds s->next unless known. */
static void add_pair(Search *s, uint32_t parent, uint32_t event)
{
    size_t max = s->rq->max_pairs ? s->rq->max_pairs : 1000000;
    size_t i = s->pairs.count;
    if (i >= max || mem_grow((void **)&s->parent, &s->cap, i + 1,
                             sizeof *s->parent) != 0) {
        s->failed = 1;
        return;
    }
    uint32_t *e = mem_realloc(s->event, s->cap * sizeof *e);
    if (!e) {
        s->failed = 1;
        return;
    }
    s->event = e;
    int added = vecset_add(&s->pairs, s->next, s->words);
    if (added < 0)
        s->failed = 1;
    if (added != 1)
        return;
    s->parent[i] = parent;
    s->event[i] = event;
}

/* A successor of s->from: silent (tau, unobserved) at the same position,
 * the trace's next event one further on, anything else not followed. */
static void on_succ(void *ctx, uint32_t event, const uint32_t *target)
{
    Search *s = ctx;
    const TracePathRequest *rq = s->rq;
    s->moved = 1;
    uint32_t pos = pair(s, s->from)[0];
    if (event == EVENT_TAU || (event != EVENT_TICK && rq->hidden &&
                               rq->hidden(rq->ud, event)))
        s->next[0] = pos;
    else if (pos < rq->len && rq->trace[pos] == event)
        s->next[0] = pos + 1;
    else
        return;
    mem_copy(s->next + 1, target, (s->words - 1) * sizeof *target);
    add_pair(s, s->from, event);
}

static int path_out(const Search *s, uint32_t end, Cex *out)
{
    size_t steps = 0, width = s->words - 1;
    for (uint32_t i = end; i != 0; i = s->parent[i])
        steps++;
    out->steps = steps;
    out->width = width;
    out->events = mem_alloc((steps + 1) * sizeof *out->events);
    out->states = mem_alloc((steps + 1) * width * sizeof *out->states);
    if (!out->events || !out->states)
        return -1;
    size_t k = steps;
    for (uint32_t i = end;; i = s->parent[i]) {
        mem_copy(out->states + k * width, pair(s, i) + 1,
                 width * sizeof *out->states);
        if (i == 0)
            break;
        out->events[--k] = s->event[i];
    }
    return 0;
}

long tracepath_find(const TracePathRequest *rq, Cex *out)
{
    memset(out, 0, sizeof *out);
    const Machine *m = rq->m;
    Search s = {.rq = rq, .words = m->width + 1};
    s.next = mem_alloc(s.words * sizeof *s.next);
    s.cur = mem_alloc(s.words * sizeof *s.cur);
    void *scratch = mem_calloc(m->scratch_size + 1, 1);
    if (!s.next || !s.cur || !scratch) {
        s.failed = 1;
    } else {
        s.next[0] = 0;
        machine_initial(m, s.next + 1);
        add_pair(&s, 0, EVENT_NONE);
    }
    uint32_t best = 0, end = UINT32_MAX;
    for (size_t i = 0; i < s.pairs.count && !s.failed && end == UINT32_MAX;
         i++) {
        if ((i & 1023) == 0 && limit_reached() != LIMIT_NONE) {
            s.failed = 1; /* --timeout, --memory, Ctrl-C */
            break;
        }
        s.from = (uint32_t)i;
        uint32_t pos = pair(&s, i)[0];
        if (pos > pair(&s, best)[0])
            best = (uint32_t)i;
        s.moved = 0;
        mem_copy(s.cur, pair(&s, i) + 1, m->width * sizeof *s.cur);
        if (machine_successors(m, s.cur, scratch, on_succ, &s) != MACHINE_OK)
            s.failed = 1;
        else if (rq->deadlock && pos == rq->len && !s.moved &&
                 !machine_terminated(m, s.cur))
            end = (uint32_t)i; /* a deadlock after the whole trace */
    }
    if (end == UINT32_MAX)
        end = best;
    long reached = s.failed ? -1 : (long)pair(&s, end)[0];
    if (reached >= 0 && path_out(&s, end, out) != 0) {
        check_cex_free(out);
        reached = -1;
    }
    vecset_free(&s.pairs);
    mem_free(s.parent);
    mem_free(s.event);
    mem_free(s.next);
    mem_free(s.cur);
    mem_free(scratch);
    return reached;
}
