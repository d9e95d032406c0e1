/* product: (normal node, Impl state) pairs as a machine. See product.h. */
#include "product.h"

#include "mem.h"

#include <string.h>

typedef struct Product {
    Machine base;
    const Machine *impl;
    const Normal *normal;
    int prune;
    uint32_t *word_max;
} Product;

typedef struct Relay {
    const Product *p;
    uint32_t node;
    uint32_t *vec;
    MachineEmit emit;
    void *ctx;
} Relay;

/* The scratch starts with the target vector, padded to 16 bytes so the
 * Impl's own scratch behind it stays aligned. */
static size_t product_vec_bytes(size_t width)
{
    return (width * sizeof(uint32_t) + 15) & ~(size_t)15;
}

uint32_t product_error_node(const Machine *m)
{
    return ((const Product *)m)->normal->nodes;
}

static void product_initial(const Machine *m, uint32_t *state)
{
    const Product *p = (const Product *)m;
    state[0] = 0;
    machine_initial(p->impl, state + 1);
}

/*  Impl -tau-> Impl'              ==>  (n, Impl) -tau-> (n, Impl')
 *  Impl -a-> Impl', n -a-> n'     ==>  (n, Impl) -a-> (n', Impl')
 *  Impl -a-> Impl', n has no a    ==>  (n, Impl) -a-> (ERROR, Impl') */
static void product_relay(void *ctx, uint32_t event, const uint32_t *target)
{
    Relay *r = ctx;
    uint32_t node = r->node;
    if (event != EVENT_TAU) {
        node = normal_after(r->p->normal, r->node, event);
        if (node == UINT32_MAX)
            node = r->p->normal->nodes;
    }
    r->vec[0] = node;
    mem_copy(r->vec + 1, target, r->p->impl->width * sizeof *target);
    r->emit(r->ctx, event, r->vec);
}

static int product_successors(const Machine *m, const uint32_t *state,
                              void *scratch, MachineEmit emit, void *ctx)
{
    const Product *p = (const Product *)m;
    uint32_t node = state[0];
    if (node >= p->normal->nodes || (p->prune && p->normal->divergent[node]))
        return MACHINE_OK;
    Relay r = {p, node, scratch, emit, ctx};
    void *impl_scratch = (char *)scratch + product_vec_bytes(m->width);
    return machine_successors(p->impl, state + 1, impl_scratch, product_relay,
                              &r);
}

static int product_terminated(const Machine *m, const uint32_t *state)
{
    const Product *p = (const Product *)m;
    return machine_terminated(p->impl, state + 1);
}

static int product_describe(const Machine *m, const uint32_t *state,
                            size_t component, char *buf, size_t len)
{
    const Product *p = (const Product *)m;
    if (!p->impl->ops->describe)
        return -1;
    return p->impl->ops->describe(p->impl, state + 1, component, buf, len);
}

static void product_destroy(Machine *m)
{
    Product *p = (Product *)m;
    mem_free(p->word_max);
    mem_free(p);
}

static const MachineOps product_ops = {
    product_initial, product_successors, product_terminated,
    product_describe, product_destroy,
};

Machine *product_new(const Machine *impl, const Normal *normal,
                     int prune_divergent)
{
    Product *p = mem_calloc(1, sizeof *p);
    uint32_t *word_max = mem_alloc((impl->width + 1) * sizeof *word_max);
    if (!p || !word_max) {
        mem_free(p);
        mem_free(word_max);
        return NULL;
    }
    word_max[0] = normal->nodes;
    mem_copy(word_max + 1, impl->word_max, impl->width * sizeof *word_max);
    p->impl = impl;
    p->normal = normal;
    p->prune = prune_divergent;
    p->word_max = word_max;
    size_t width = impl->width + 1;
    p->base = (Machine){&product_ops, width, word_max, impl->components,
                        product_vec_bytes(width) + impl->scratch_size,
                        impl->events};
    return &p->base;
}
