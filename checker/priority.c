/* priority: tau and tick before the events of a set. See priority.h. */
#include "priority.h"

#include "mem.h"

#include <stdlib.h>
#include <string.h>

typedef struct Priority {
    Machine base;
    Machine *inner; /* owned */
    /* levels: events[i] has level levels[i]; order (prioritisepo):
     * events[i] is above levels[i], sorted by levels[i] */
    uint32_t *events, *levels;
    size_t count;
    int order;
} Priority;

uint32_t priority_level(const uint32_t *events, const uint32_t *levels,
                        size_t count, uint32_t event)
{
    if (event == EVENT_TAU || event == EVENT_TICK)
        return 1;
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (events[mid] == event)
            return levels[mid];
        if (events[mid] < event)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* The first pass: the smallest level among the enabled transitions. */
typedef struct Lowest {
    const Priority *p;
    uint32_t level;
} Lowest;

static void see_level(void *ctx, uint32_t event, const uint32_t *target)
{
    (void)target;
    Lowest *l = ctx;
    uint32_t level = priority_level(l->p->events, l->p->levels, l->p->count,
                                    event);
    if (level && level < l->level)
        l->level = level;
}

typedef struct Filter {
    const Priority *p;
    uint32_t lowest;
    MachineEmit emit;
    void *ctx;
} Filter;

static void pass_allowed(void *ctx, uint32_t event, const uint32_t *target)
{
    Filter *f = ctx;
    if (priority_allows(priority_level(f->p->events, f->p->levels,
                                       f->p->count, event),
                        f->lowest))
        f->emit(f->ctx, event, target);
}

/* prioritisepo: the events possible in the state, then the filter. */
/* The events possible in one state: on the stack, and on the heap only
 * for a state with more moves than that (no allocation per state). */
enum { ENABLED_LOCAL = 64 };
typedef struct Enabled {
    uint32_t *events;
    size_t count, cap;
    int failed;
    uint32_t local[ENABLED_LOCAL];
} Enabled;

static void see_enabled(void *ctx, uint32_t event, const uint32_t *target)
{
    (void)target;
    Enabled *e = ctx;
    if (e->count == e->cap) {
        uint32_t *grown = mem_alloc(2 * e->cap * sizeof *grown);
        if (!grown) {
            e->failed = 1;
            return;
        }
        mem_copy(grown, e->events, e->count * sizeof *grown);
        if (e->events != e->local)
            mem_free(e->events);
        e->events = grown;
        e->cap *= 2;
    }
    e->events[e->count++] = event;
}

typedef struct OrderFilter {
    const Priority *p;
    const Enabled *enabled;
    MachineEmit emit;
    void *ctx;
} OrderFilter;

static void pass_unblocked(void *ctx, uint32_t event, const uint32_t *target)
{
    OrderFilter *f = ctx;
    const Priority *p = f->p;
    size_t lo = 0, hi = p->count; /* the first pair below `event` */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->levels[mid] < event)
            lo = mid + 1;
        else
            hi = mid;
    }
    EventSet enabled = {f->enabled->count, f->enabled->events};
    for (size_t i = lo; i < p->count && p->levels[i] == event; i++)
        if (event_set_has(&enabled, p->events[i]))
            return;
    f->emit(f->ctx, event, target);
}

static int order_successors(const Priority *p, const uint32_t *state,
                            void *scratch, MachineEmit emit, void *ctx)
{
    Enabled e;
    e.events = e.local;
    e.count = 0;
    e.cap = ENABLED_LOCAL;
    e.failed = 0;
    int rc = machine_successors(p->inner, state, scratch, see_enabled, &e);
    if (rc == MACHINE_OK && e.failed)
        rc = MACHINE_NOMEM;
    if (rc == MACHINE_OK) {
        e.count = event_set_normalise(e.events, e.count);
        OrderFilter f = {p, &e, emit, ctx};
        rc = machine_successors(p->inner, state, scratch, pass_unblocked, &f);
    }
    if (e.events != e.local)
        mem_free(e.events);
    return rc;
}

static void pr_initial(const Machine *m, uint32_t *state)
{
    machine_initial(((const Priority *)m)->inner, state);
}

static int pr_successors(const Machine *m, const uint32_t *state,
                         void *scratch, MachineEmit emit, void *ctx)
{
    const Priority *p = (const Priority *)m;
    if (p->order)
        return order_successors(p, state, scratch, emit, ctx);
    Lowest l = {p, UINT32_MAX};
    int rc = machine_successors(p->inner, state, scratch, see_level, &l);
    if (rc != MACHINE_OK)
        return rc;
    Filter f = {p, l.level, emit, ctx};
    return machine_successors(p->inner, state, scratch, pass_allowed, &f);
}

static int pr_terminated(const Machine *m, const uint32_t *state)
{
    return machine_terminated(((const Priority *)m)->inner, state);
}

static int pr_describe(const Machine *m, const uint32_t *state,
                       size_t component, char *buf, size_t len)
{
    const Machine *in = ((const Priority *)m)->inner;
    return in->ops->describe ? in->ops->describe(in, state, component, buf,
                                                 len)
                             : -1;
}

static void pr_destroy(Machine *m)
{
    Priority *p = (Priority *)m;
    machine_free(p->inner);
    mem_free(p->events);
    mem_free(p->levels);
    mem_free(p);
}

static const MachineOps priority_ops = {pr_initial, pr_successors,
                                        pr_terminated, pr_describe,
                                        pr_destroy, NULL};

Machine *priority_machine(Machine *inner, const uint32_t *events,
                          const uint32_t *levels, size_t count)
{
    Priority *p = mem_calloc(1, sizeof *p);
    uint32_t *ev = mem_alloc((count + 1) * sizeof *ev);
    uint32_t *lv = mem_alloc((count + 1) * sizeof *lv);
    if (!p || !ev || !lv) {
        mem_free(p);
        mem_free(ev);
        mem_free(lv);
        return NULL;
    }
    mem_copy(ev, events, count * sizeof *ev);
    mem_copy(lv, levels, count * sizeof *lv);
    p->base = *inner; /* width, word bounds, components, scratch, events */
    p->base.ops = &priority_ops;
    p->inner = inner;
    p->events = ev;
    p->levels = lv;
    p->count = count;
    return &p->base;
}

static int cmp_pair(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b; /* (below, above) */
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

Machine *priority_order_machine(Machine *inner, const uint32_t *above,
                                const uint32_t *below, size_t count)
{
    uint32_t *pairs = mem_alloc((2 * count + 1) * sizeof *pairs);
    if (!pairs)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        pairs[2 * i] = below[i];
        pairs[2 * i + 1] = above[i];
    }
    qsort(pairs, count, 2 * sizeof *pairs, cmp_pair);
    uint32_t *a = mem_alloc((count + 1) * sizeof *a);
    uint32_t *b = mem_alloc((count + 1) * sizeof *b);
    for (size_t i = 0; a && b && i < count; i++) {
        b[i] = pairs[2 * i];
        a[i] = pairs[2 * i + 1];
    }
    mem_free(pairs);
    Machine *m = a && b ? priority_machine(inner, a, b, count) : NULL;
    mem_free(a);
    mem_free(b);
    if (m)
        ((Priority *)m)->order = 1;
    return m;
}

const Machine *priority_unwrap(const Machine *m)
{
    while (m->ops == &priority_ops)
        m = ((const Priority *)m)->inner;
    return m;
}
