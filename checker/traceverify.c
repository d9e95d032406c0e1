/* traceverify: the set of states after a trace, stepped event by event.
 * See traceverify.h. Sets are vecsets (insertion-ordered), so the
 * closure is a simple worklist. */
#include "traceverify.h"

#include "mem.h"
#include "vecset.h"

#include <string.h>

struct TraceVerifier {
    const Machine *m;
    size_t width, max_states;
    TraceHidden hidden;
    void *ud;
    uint8_t *kind;        /* event id -> 0 unknown, 1 observed, 2 hidden */
    size_t kinds;
    VecSet sets[2];
    int cur;
    void *scratch;
    uint32_t *vec;        /* the state being expanded (sets may move) */
    /* the successor callback's context */
    VecSet *target;
    uint32_t want;        /* the event stepped on, or EVENT_NONE: closure */
    int failed;
};

TraceVerifier *traceverify_new(const Machine *m, TraceHidden hidden, void *ud,
                               size_t max_states)
{
    TraceVerifier *tv = mem_calloc(1, sizeof *tv);
    if (!tv)
        return NULL;
    tv->m = m;
    tv->width = m->width;
    tv->hidden = hidden;
    tv->ud = ud;
    tv->max_states = max_states ? max_states : 1000000;
    tv->scratch = mem_calloc(1, m->scratch_size + 16);
    tv->vec = mem_alloc(m->width * sizeof *tv->vec + 4);
    if (!tv->scratch || !tv->vec) {
        mem_free(tv->scratch);
        mem_free(tv->vec);
        mem_free(tv);
        return NULL;
    }
    return tv;
}

void traceverify_free(TraceVerifier *tv)
{
    if (!tv)
        return;
    vecset_free(&tv->sets[0]);
    vecset_free(&tv->sets[1]);
    mem_free(tv->kind);
    mem_free(tv->scratch);
    mem_free(tv->vec);
    mem_free(tv);
}

/* 1 when the event is silent for the trace: tau, or hidden. */
static int silent(TraceVerifier *tv, uint32_t event)
{
    if (event == EVENT_TAU)
        return 1;
    if (event == EVENT_TICK || !tv->hidden)
        return 0;
    if (event >= tv->kinds) {
        size_t n = tv->kinds ? tv->kinds : 256;
        while (n <= event)
            n *= 2;
        uint8_t *k = mem_realloc(tv->kind, n);
        if (!k) {
            tv->failed = 1;
            return 0;
        }
        memset(k + tv->kinds, 0, n - tv->kinds);
        tv->kind = k;
        tv->kinds = n;
    }
    if (!tv->kind[event])
        tv->kind[event] = tv->hidden(tv->ud, event) ? 2 : 1;
    return tv->kind[event] == 2;
}

static void collect(void *ctx, uint32_t event, const uint32_t *target)
{
    TraceVerifier *tv = ctx;
    int take = tv->want == EVENT_NONE ? silent(tv, event) : event == tv->want;
    if (take && vecset_add(tv->target, target, tv->width) < 0)
        tv->failed = 1;
}

/* Closes set s under silent steps, in place (a worklist over its array). */
static TraceStatus close_set(TraceVerifier *tv, VecSet *s)
{
    tv->target = s;
    tv->want = EVENT_NONE;
    for (size_t i = 0; i < s->count; i++) {
        if (s->count > tv->max_states)
            return TRACE_LIMIT;
        /* the set grows while its states are expanded: copy first */
        mem_copy(tv->vec, s->vecs + i * tv->width, tv->width * sizeof *tv->vec);
        if (machine_successors(tv->m, tv->vec, tv->scratch, collect, tv) !=
                MACHINE_OK ||
            tv->failed)
            return TRACE_FAILED;
    }
    return TRACE_OK;
}

TraceStatus traceverify_start(TraceVerifier *tv)
{
    VecSet *s = &tv->sets[tv->cur];
    vecset_clear(s);
    uint32_t *init = mem_alloc(tv->width * sizeof *init + 4);
    if (!init)
        return TRACE_FAILED;
    machine_initial(tv->m, init);
    int rc = vecset_add(s, init, tv->width);
    mem_free(init);
    return rc < 0 ? TRACE_FAILED : close_set(tv, s);
}

TraceStatus traceverify_step(TraceVerifier *tv, uint32_t event)
{
    VecSet *cur = &tv->sets[tv->cur], *next = &tv->sets[!tv->cur];
    vecset_clear(next);
    tv->target = next;
    tv->want = event;
    for (size_t i = 0; i < cur->count; i++)
        if (machine_successors(tv->m, cur->vecs + i * tv->width, tv->scratch,
                               collect, tv) != MACHINE_OK || tv->failed)
            return TRACE_FAILED;
    if (next->count == 0)
        return TRACE_REJECTED;
    TraceStatus st = close_set(tv, next);
    if (st == TRACE_OK)
        tv->cur = !tv->cur;
    return st;
}

size_t traceverify_count(const TraceVerifier *tv)
{
    return tv->sets[tv->cur].count;
}

const uint32_t *traceverify_state(const TraceVerifier *tv, size_t i)
{
    return tv->sets[tv->cur].vecs + i * tv->width;
}

typedef struct Offers {
    TraceVerifier *tv;
    uint32_t *events;
    size_t count, cap;
    int failed, any;
} Offers;

static void offer(void *ctx, uint32_t event, const uint32_t *target)
{
    (void)target;
    Offers *o = ctx;
    o->any = 1;
    if (silent(o->tv, event))
        return;
    if (mem_grow((void **)&o->events, &o->cap, o->count + 1, sizeof *o->events))
        o->failed = 1;
    else
        o->events[o->count++] = event;
}

int traceverify_offers(TraceVerifier *tv, uint32_t **events, size_t *count)
{
    Offers o = {tv, NULL, 0, 0, 0, 0};
    const VecSet *s = &tv->sets[tv->cur];
    for (size_t i = 0; i < s->count && !o.failed; i++)
        if (machine_successors(tv->m, s->vecs + i * tv->width, tv->scratch,
                               offer, &o) != MACHINE_OK)
            o.failed = 1;
    if (o.failed) {
        mem_free(o.events);
        return -1;
    }
    *count = event_set_normalise(o.events, o.count);
    *events = o.events;
    return 0;
}

long traceverify_deadlock(TraceVerifier *tv)
{
    const VecSet *s = &tv->sets[tv->cur];
    for (size_t i = 0; i < s->count; i++) {
        const uint32_t *vec = s->vecs + i * tv->width;
        Offers o = {tv, NULL, 0, 0, 0, 0};
        machine_successors(tv->m, vec, tv->scratch, offer, &o);
        mem_free(o.events);
        if (!o.any && !machine_terminated(tv->m, vec))
            return (long)i;
    }
    return -1;
}
