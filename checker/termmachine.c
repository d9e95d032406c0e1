/* termmachine: states are terms. See termmachine.h. */
#include "termmachine.h"

#include "mem.h"

#include <string.h>

typedef struct TermMachine {
    Machine base;
    TermTable *terms;
    uint32_t start;
    uint32_t word_max[1];
} TermMachine;

/* Unfolds at most `*budget` static nodes: shared subterms can make the
 * static tree exponentially larger than the term (P(n) = P(n-1) ||| P(n-1)). */
static uint32_t canonical(TermTable *terms, uint32_t root, long *budget)
{
    if (--*budget < 0)
        return TERM_NONE;
    uint32_t body = term_unfold(terms, root);
    if (body == TERM_NONE)
        return TERM_NONE;
    const Term *p = term_get(terms, body);
    if (!term_is_static(p->kind))
        return term_alias_end(terms, root);
    uint32_t kids[2];
    for (uint32_t i = 0; i < p->nkids && i < 2; i++) {
        kids[i] = canonical(terms, p->kids[i], budget);
        if (kids[i] == TERM_NONE)
            return TERM_NONE;
    }
    return term_make(terms, p->kind, p->set_a, p->set_b, p->rel, kids,
                     p->nkids);
}

uint32_t termmachine_canonical(TermTable *terms, uint32_t root)
{
    long budget = 1000000;
    /* prioritise(P, As) on top is an operator over P's network
     * (compile.c): its state is P's, not the name of the whole */
    uint32_t body = term_unfold(terms, root);
    if (body != TERM_NONE && term_is_priority(term_get(terms, body)->kind)) {
        const Term *p = term_get(terms, body);
        uint32_t kid = termmachine_canonical(terms, p->kids[0]);
        return kid == TERM_NONE ? TERM_NONE
                                : term_make(terms, p->kind, p->set_a,
                                            p->set_b, p->rel, &kid, 1);
    }
    return canonical(terms, root, &budget);
}

static void tm_initial(const Machine *m, uint32_t *state)
{
    state[0] = ((const TermMachine *)m)->start;
}

typedef struct Relay {
    TermTable *terms;
    MachineEmit emit;
    void *ctx;
} Relay;

static void tm_relay(void *ctx, uint32_t event, uint32_t target)
{
    Relay *r = ctx;
    target = term_alias_end(r->terms, target);
    r->emit(r->ctx, event, &target);
}

static int tm_successors(const Machine *m, const uint32_t *state,
                         void *scratch, MachineEmit emit, void *ctx)
{
    (void)scratch;
    const TermMachine *tm = (const TermMachine *)m;
    Relay relay = {tm->terms, emit, ctx};
    if (term_transitions(tm->terms, state[0], tm_relay, &relay) != 0)
        return term_error_is_limit(tm->terms) ? MACHINE_LIMIT : MACHINE_ERROR;
    return MACHINE_OK;
}

static int tm_terminated(const Machine *m, const uint32_t *state)
{
    return state[0] == term_omega(((const TermMachine *)m)->terms);
}

static int tm_describe(const Machine *m, const uint32_t *state,
                       size_t component, char *buf, size_t len)
{
    if (component != 0)
        return -1;
    term_print(((const TermMachine *)m)->terms, state[0], buf, len);
    return 0;
}

static void tm_destroy(Machine *m) { mem_free(m); }

static const MachineOps termmachine_ops = {
    tm_initial, tm_successors, tm_terminated, tm_describe, tm_destroy, NULL,
};

Machine *termmachine_new(TermTable *terms, uint32_t start)
{
    TermMachine *tm = mem_calloc(1, sizeof *tm);
    if (!tm)
        return NULL;
    tm->terms = terms;
    tm->start = start;
    tm->word_max[0] = UINT32_MAX;
    tm->base = (Machine){&termmachine_ops, 1, tm->word_max, 1, 0,
                         term_events(terms)};
    return &tm->base;
}
