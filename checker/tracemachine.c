/* tracemachine: (position in the trace, state) pairs. See tracemachine.h. */
#include "tracemachine.h"

#include "mem.h"

#include <string.h>

typedef struct TraceMachine {
    Machine base;
    const Machine *inner;
    uint32_t *trace;
    size_t len;
    uint32_t *word_max;
} TraceMachine;

typedef struct Relay {
    const TraceMachine *tm;
    uint32_t pos;
    uint32_t *vec;
    MachineEmit emit;
    void *ctx;
} Relay;

static void tm_initial(const Machine *m, uint32_t *state)
{
    state[0] = 0;
    machine_initial(((const TraceMachine *)m)->inner, state + 1);
}

/*  P -tau-> P'                  ==>  (k, P) -tau-> (k, P')
 *  P -a-> P', a = trace[k]      ==>  (k, P) -a-> (k+1, P') */
static void tm_relay(void *ctx, uint32_t event, const uint32_t *target)
{
    Relay *r = ctx;
    uint32_t pos = r->pos;
    if (event != EVENT_TAU) {
        if (event != r->tm->trace[pos])
            return;
        pos++;
    }
    r->vec[0] = pos;
    mem_copy(r->vec + 1, target, r->tm->inner->width * sizeof *target);
    r->emit(r->ctx, event, r->vec);
}

static size_t tm_vec_bytes(size_t width)
{
    return (width * sizeof(uint32_t) + 15) & ~(size_t)15;
}

static int tm_successors(const Machine *m, const uint32_t *state,
                         void *scratch, MachineEmit emit, void *ctx)
{
    const TraceMachine *tm = (const TraceMachine *)m;
    if (state[0] >= tm->len)
        return MACHINE_OK;
    Relay r = {tm, state[0], scratch, emit, ctx};
    return machine_successors(tm->inner, state + 1,
                              (char *)scratch + tm_vec_bytes(m->width),
                              tm_relay, &r);
}

static int tm_terminated(const Machine *m, const uint32_t *state)
{
    return machine_terminated(((const TraceMachine *)m)->inner, state + 1);
}

static int tm_describe(const Machine *m, const uint32_t *state,
                       size_t component, char *buf, size_t len)
{
    const Machine *inner = ((const TraceMachine *)m)->inner;
    if (!inner->ops->describe)
        return -1;
    return inner->ops->describe(inner, state + 1, component, buf, len);
}

static void tm_destroy(Machine *m)
{
    TraceMachine *tm = (TraceMachine *)m;
    mem_free(tm->trace);
    mem_free(tm->word_max);
    mem_free(tm);
}

static const MachineOps tracemachine_ops = {
    tm_initial, tm_successors, tm_terminated, tm_describe, tm_destroy,
};

Machine *tracemachine_new(const Machine *inner, const uint32_t *trace,
                          size_t len)
{
    TraceMachine *tm = mem_calloc(1, sizeof *tm);
    uint32_t *copy = mem_alloc((len + 1) * sizeof *copy);
    uint32_t *word_max = mem_alloc((inner->width + 1) * sizeof *word_max);
    if (!tm || !copy || !word_max || len >= UINT32_MAX) {
        mem_free(tm);
        mem_free(copy);
        mem_free(word_max);
        return NULL;
    }
    mem_copy(copy, trace, len * sizeof *copy);
    word_max[0] = (uint32_t)len;
    mem_copy(word_max + 1, inner->word_max, inner->width * sizeof *word_max);
    tm->inner = inner;
    tm->trace = copy;
    tm->len = len;
    tm->word_max = word_max;
    size_t width = inner->width + 1;
    tm->base = (Machine){&tracemachine_ops, width, word_max, inner->components,
                         tm_vec_bytes(width) + inner->scratch_size,
                         inner->events};
    return &tm->base;
}
