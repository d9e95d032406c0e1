/* tracepath: a path along a recorded trace. See tracepath.h.
 *
 * Pairs are stored in one array of (1 + width)-word vectors (the position
 * first), with the parent and the event that led to each, in the order
 * found: breadth-first, so the first pair found at a position is reached
 * by a shortest path. An open-addressing table of pair numbers finds
 * duplicates. */
#include "tracepath.h"

#include "hash.h"
#include "mem.h"

#include <string.h>

typedef struct Search {
    const TracePathRequest *rq;
    size_t words;          /* 1 + width */
    uint32_t *vec;         /* pairs, `words` each */
    uint32_t *parent, *event;
    size_t count, cap;
    uint32_t *table;       /* pair + 1, 0 empty */
    size_t slots;
    uint32_t *next;        /* scratch: the successor being added */
    uint32_t *cur;         /* the state being expanded, copied: vec moves
                              as it grows */
    uint32_t from;         /* the pair being expanded */
    int moved;             /* it has a successor, followed or not */
    int failed;            /* out of memory or over the bound */
} Search;

static uint64_t pair_hash(const uint32_t *v, size_t words)
{
    return hash_bytes(HASH_SEED, v, words * sizeof *v);
}

static int grow_table(Search *s)
{
    size_t slots = s->slots ? 2 * s->slots : 1024;
    uint32_t *t = mem_calloc(slots, sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i < s->count; i++) {
        size_t k = pair_hash(s->vec + i * s->words, s->words) & (slots - 1);
        while (t[k])
            k = (k + 1) & (slots - 1);
        t[k] = (uint32_t)i + 1;
    }
    mem_free(s->table);
    s->table = t;
    s->slots = slots;
    return 0;
}

/* Adds s->next unless known. */
static void add_pair(Search *s, uint32_t parent, uint32_t event)
{
    if (2 * (s->count + 1) > s->slots && grow_table(s) != 0) {
        s->failed = 1;
        return;
    }
    size_t k = pair_hash(s->next, s->words) & (s->slots - 1);
    for (; s->table[k]; k = (k + 1) & (s->slots - 1))
        if (!memcmp(s->vec + (s->table[k] - 1) * s->words, s->next,
                    s->words * sizeof *s->next))
            return;
    size_t max = s->rq->max_pairs ? s->rq->max_pairs : 1000000;
    if (s->count >= max ||
        mem_grow((void **)&s->vec, &s->cap, s->count + 1,
                 s->words * sizeof *s->vec) != 0) {
        s->failed = 1;
        return;
    }
    size_t cap = s->cap; /* parent and event grow alongside */
    uint32_t *p = mem_realloc(s->parent, cap * sizeof *p);
    if (p)
        s->parent = p;
    uint32_t *e = p ? mem_realloc(s->event, cap * sizeof *e) : NULL;
    if (!e) {
        s->failed = 1;
        return;
    }
    s->event = e;
    mem_copy(s->vec + s->count * s->words, s->next,
             s->words * sizeof *s->next);
    s->parent[s->count] = parent;
    s->event[s->count] = event;
    s->table[k] = (uint32_t)++s->count;
}

/* A successor of s->from: silent (tau, unobserved) at the same position,
 * the trace's next event one further on, anything else not followed. */
static void on_succ(void *ctx, uint32_t event, const uint32_t *target)
{
    Search *s = ctx;
    const TracePathRequest *rq = s->rq;
    s->moved = 1;
    uint32_t pos = s->vec[s->from * s->words];
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
        mem_copy(out->states + k * width, s->vec + (size_t)i * s->words + 1,
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
    for (size_t i = 0; i < s.count && !s.failed && end == UINT32_MAX; i++) {
        s.from = (uint32_t)i;
        uint32_t pos = s.vec[i * s.words];
        if (pos > s.vec[(size_t)best * s.words])
            best = (uint32_t)i;
        s.moved = 0;
        mem_copy(s.cur, s.vec + i * s.words + 1, m->width * sizeof *s.cur);
        if (machine_successors(m, s.cur, scratch, on_succ, &s) != MACHINE_OK)
            s.failed = 1;
        else if (rq->deadlock && pos == rq->len && !s.moved &&
                 !machine_terminated(m, s.cur))
            end = (uint32_t)i; /* a deadlock after the whole trace */
    }
    if (end == UINT32_MAX)
        end = best;
    long reached = s.failed ? -1 : (long)s.vec[(size_t)end * s.words];
    if (reached >= 0 && path_out(&s, end, out) != 0) {
        check_cex_free(out);
        reached = -1;
    }
    mem_free(s.vec);
    mem_free(s.parent);
    mem_free(s.event);
    mem_free(s.table);
    mem_free(s.next);
    mem_free(s.cur);
    mem_free(scratch);
    return reached;
}
