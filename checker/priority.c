/* priority: tau and tick before the events of a set. See priority.h. */
#include "priority.h"

#include "mem.h"

#include <string.h>

typedef struct Priority {
    Machine base;
    Machine *inner; /* owned */
    EventSet low; /* the events tau and tick have priority over */
} Priority;

typedef struct Urgent {
    int found; /* tau or tick enabled */
} Urgent;

static void see_urgent(void *ctx, uint32_t event, const uint32_t *target)
{
    (void)target;
    if (event == EVENT_TAU || event == EVENT_TICK)
        ((Urgent *)ctx)->found = 1;
}

typedef struct Filter {
    const EventSet *low;
    MachineEmit emit;
    void *ctx;
} Filter;

static void pass_high(void *ctx, uint32_t event, const uint32_t *target)
{
    Filter *f = ctx;
    if (!event_set_has(f->low, event))
        f->emit(f->ctx, event, target);
}

static void pr_initial(const Machine *m, uint32_t *state)
{
    machine_initial(((const Priority *)m)->inner, state);
}

static int pr_successors(const Machine *m, const uint32_t *state,
                         void *scratch, MachineEmit emit, void *ctx)
{
    const Priority *p = (const Priority *)m;
    Urgent u = {0};
    int rc = machine_successors(p->inner, state, scratch, see_urgent, &u);
    if (rc != MACHINE_OK || !u.found)
        return rc != MACHINE_OK
                   ? rc
                   : machine_successors(p->inner, state, scratch, emit, ctx);
    Filter f = {&p->low, emit, ctx};
    return machine_successors(p->inner, state, scratch, pass_high, &f);
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
    mem_free(p->low.ids);
    mem_free(p);
}

static const MachineOps priority_ops = {pr_initial, pr_successors,
                                        pr_terminated, pr_describe,
                                        pr_destroy};

Machine *priority_machine(Machine *inner, const uint32_t *events,
                          size_t count)
{
    Priority *p = mem_calloc(1, sizeof *p);
    uint32_t *ids = mem_alloc((count + 1) * sizeof *ids);
    if (!p || !ids) {
        mem_free(p);
        mem_free(ids);
        return NULL;
    }
    mem_copy(ids, events, count * sizeof *ids);
    p->base = *inner; /* width, word bounds, components, scratch, events */
    p->base.ops = &priority_ops;
    p->inner = inner;
    p->low = (EventSet){count, ids};
    return &p->base;
}

const Machine *priority_unwrap(const Machine *m)
{
    return m->ops == &priority_ops ? ((const Priority *)m)->inner : m;
}
