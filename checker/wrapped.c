/* wrapped: one front word and an inner machine's state. See wrapped.h. */
#include "wrapped.h"

#include "mem.h"

static size_t vec_bytes(size_t width)
{
    return (width * sizeof(uint32_t) + 15) & ~(size_t)15;
}

int wrapped_init(Wrapped *w, const MachineOps *ops, const Machine *inner,
                 uint32_t front_max)
{
    size_t width = inner->width + 1;
    w->word_max = mem_alloc(width * sizeof *w->word_max);
    if (!w->word_max)
        return -1;
    w->word_max[0] = front_max;
    mem_copy(w->word_max + 1, inner->word_max,
             inner->width * sizeof *w->word_max);
    w->inner = inner;
    w->base = (Machine){ops, width, w->word_max, inner->components,
                        vec_bytes(width) + inner->scratch_size, inner->events};
    return 0;
}

void wrapped_release(Wrapped *w) { mem_free(w->word_max); }

uint32_t *wrapped_vec(void *scratch) { return scratch; }

void *wrapped_inner_scratch(const Machine *m, void *scratch)
{
    return (char *)scratch + vec_bytes(m->width);
}

int wrapped_terminated(const Machine *m, const uint32_t *state)
{
    return machine_terminated(((const Wrapped *)m)->inner, state + 1);
}

int wrapped_describe(const Machine *m, const uint32_t *state,
                     size_t component, char *buf, size_t len)
{
    const Machine *inner = ((const Wrapped *)m)->inner;
    if (!inner->ops->describe)
        return -1;
    return inner->ops->describe(inner, state + 1, component, buf, len);
}
