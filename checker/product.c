/* product: (normal node, Impl state) pairs as a machine. See product.h. */
#include "product.h"

#include "mem.h"
#include "wrapped.h"

#include <string.h>

typedef struct Product {
    Wrapped w;              /* first: the machine, Impl and the bounds */
    const Normal *normal;
    int prune;
} Product;

typedef struct Relay {
    const Product *p;
    uint32_t node;
    uint32_t *vec;
    MachineEmit emit;
    void *ctx;
} Relay;

uint32_t product_error_node(const Machine *m)
{
    return ((const Product *)m)->normal->nodes;
}

static void product_initial(const Machine *m, uint32_t *state)
{
    const Product *p = (const Product *)m;
    state[0] = 0;
    machine_initial(p->w.inner, state + 1);
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
    mem_copy(r->vec + 1, target, r->p->w.inner->width * sizeof *target);
    r->emit(r->ctx, event, r->vec);
}

static inline int product_walk(const Machine *m, const uint32_t *state,
                               void *scratch, MachineEmit emit, void *ctx,
                               int tau_only)
{
    const Product *p = (const Product *)m;
    uint32_t node = state[0];
    if (node >= p->normal->nodes || (p->prune && p->normal->divergent[node]))
        return MACHINE_OK;
    Relay r = {p, node, wrapped_vec(scratch), emit, ctx};
    void *inner = wrapped_inner_scratch(m, scratch);
    return tau_only ? machine_tau_successors(p->w.inner, state + 1, inner,
                                             product_relay, &r)
                    : machine_successors(p->w.inner, state + 1, inner,
                                         product_relay, &r);
}

static int product_successors(const Machine *m, const uint32_t *state,
                              void *scratch, MachineEmit emit, void *ctx)
{
    return product_walk(m, state, scratch, emit, ctx, 0);
}

/* Tau keeps the specification's node: no lookups, and the impl's own
 * tau-only walk where it has one. */
static int product_tau_successors(const Machine *m, const uint32_t *state,
                                  void *scratch, MachineEmit emit, void *ctx)
{
    return product_walk(m, state, scratch, emit, ctx, 1);
}

static void product_destroy(Machine *m)
{
    Product *p = (Product *)m;
    wrapped_release(&p->w);
    mem_free(p);
}

static const MachineOps product_ops = {
    product_initial, product_successors, wrapped_terminated,
    wrapped_describe, product_destroy, product_tau_successors,
};

Machine *product_new(const Machine *impl, const Normal *normal,
                     int prune_divergent)
{
    Product *p = mem_calloc(1, sizeof *p);
    if (!p || wrapped_init(&p->w, &product_ops, impl, normal->nodes) != 0) {
        mem_free(p);
        return NULL;
    }
    p->normal = normal;
    p->prune = prune_divergent;
    return &p->w.base;
}
