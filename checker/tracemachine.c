/* tracemachine: (position in the trace, state) pairs. See tracemachine.h. */
#include "tracemachine.h"

#include "mem.h"
#include "wrapped.h"

#include <string.h>

typedef struct TraceMachine {
    Wrapped w;              /* first: the machine, P and the bounds */
    uint32_t *trace;
    size_t len;
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
    machine_initial(((const TraceMachine *)m)->w.inner, state + 1);
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
    mem_copy(r->vec + 1, target, r->tm->w.inner->width * sizeof *target);
    r->emit(r->ctx, event, r->vec);
}

static int tm_successors(const Machine *m, const uint32_t *state,
                         void *scratch, MachineEmit emit, void *ctx)
{
    const TraceMachine *tm = (const TraceMachine *)m;
    if (state[0] >= tm->len)
        return MACHINE_OK;
    Relay r = {tm, state[0], wrapped_vec(scratch), emit, ctx};
    return machine_successors(tm->w.inner, state + 1,
                              wrapped_inner_scratch(m, scratch), tm_relay, &r);
}

static void tm_destroy(Machine *m)
{
    TraceMachine *tm = (TraceMachine *)m;
    mem_free(tm->trace);
    wrapped_release(&tm->w);
    mem_free(tm);
}

static const MachineOps tracemachine_ops = {
    tm_initial, tm_successors, wrapped_terminated, wrapped_describe,
    tm_destroy, NULL,
};

Machine *tracemachine_new(const Machine *inner, const uint32_t *trace,
                          size_t len)
{
    TraceMachine *tm = mem_calloc(1, sizeof *tm);
    uint32_t *copy = mem_alloc((len + 1) * sizeof *copy);
    if (!tm || !copy || len >= UINT32_MAX ||
        wrapped_init(&tm->w, &tracemachine_ops, inner, (uint32_t)len) != 0) {
        mem_free(tm);
        mem_free(copy);
        return NULL;
    }
    mem_copy(copy, trace, len * sizeof *copy);
    tm->trace = copy;
    tm->len = len;
    return &tm->w.base;
}
