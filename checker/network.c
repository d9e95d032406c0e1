/* network: successors of an operator network, by firing rules over
 * component LTSs. See network.h.
 *
 * At construction every component's labels are renumbered densely (in the
 * order of their global ids, so rows stay sorted) and each rule is filed
 * under its first participant and that participant's label. A successor
 * call then visits each component's enabled transitions once; for each it
 * fires the rules filed there, enumerating the matching transitions of the
 * other participants depth-first in a scratch vector. */
#include "network.h"

#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A transition of a component that starts rules: where the component
 * goes, and the rules filed under its label (into Comp.rule_index). */
typedef struct Start {
    uint32_t target, rule_lo, rule_hi;
} Start;

typedef struct Comp {
    uint32_t states;
    const uint32_t *offset, *target;
    uint32_t *local;       /* per transition: local label */
    uint32_t label_count;
    uint32_t *labels;      /* local -> global label, ascending */
    uint32_t *first;       /* label_count + 1: rules starting here */
    uint32_t *rule_index;
    uint32_t *start_off;   /* states + 1: per state, into starts */
    Start *starts;         /* the state's transitions that start rules */
} Comp;

typedef struct Rule {
    uint32_t event, count;
    uint32_t *comp, *local;
} Rule;

typedef struct Network {
    Machine base;
    TermTable *terms;
    NetComp *src;          /* owned: LTSs and roots */
    Comp *comps;
    size_t comp_count;
    Rule *rules;
    size_t rule_count;
    uint32_t *leaf_comp;   /* leaf number -> component */
    NetPart *terminate;
    size_t terminate_count;
    uint32_t *word_max;
} Network;

static const MachineOps network_ops;

int network_is(const Machine *m) { return m->ops == &network_ops; }

/* The local number of global label g in c, or UINT32_MAX. */
static uint32_t comp_local(const Comp *c, uint32_t g)
{
    size_t lo = 0, hi = c->label_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->labels[mid] == g)
            return (uint32_t)mid;
        if (c->labels[mid] < g)
            lo = mid + 1;
        else
            hi = mid;
    }
    return UINT32_MAX;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int comp_init(Comp *c, const Lts *lts)
{
    c->states = lts->states;
    c->offset = lts->offset;
    c->target = lts->target;
    size_t n = lts->transitions;
    c->labels = mem_alloc((n + 1) * sizeof *c->labels);
    c->local = mem_alloc((n + 1) * sizeof *c->local);
    if (!c->labels || !c->local)
        return -1;
    mem_copy(c->labels, lts->event, n * sizeof *c->labels);
    qsort(c->labels, n, sizeof *c->labels, cmp_u32);
    c->label_count = (uint32_t)event_set_normalise(c->labels, n);
    for (size_t k = 0; k < n; k++)
        c->local[k] = comp_local(c, lts->event[k]);
    return 0;
}

/* Per state, the transitions under whose label some rule is filed, in
 * transition order: the successor loop then skips the others (a fork's
 * transitions, filed under the philosopher, cost nothing). */
static int comp_starts(Comp *c)
{
    uint32_t n = c->offset[c->states];
    c->start_off = mem_alloc((c->states + 1) * sizeof *c->start_off);
    c->starts = mem_alloc((n + 1) * sizeof *c->starts);
    if (!c->start_off || !c->starts)
        return -1;
    uint32_t count = 0;
    for (uint32_t s = 0; s < c->states; s++) {
        c->start_off[s] = count;
        for (uint32_t k = c->offset[s]; k < c->offset[s + 1]; k++) {
            uint32_t l = c->local[k];
            if (c->first[l] < c->first[l + 1])
                c->starts[count++] =
                    (Start){c->target[k], c->first[l], c->first[l + 1]};
        }
    }
    c->start_off[c->states] = count;
    return 0;
}

/* Files every rule under its first participant (a counting sort). */
static int network_index(Network *net)
{
    for (size_t i = 0; i < net->comp_count; i++) {
        Comp *c = &net->comps[i];
        c->first = mem_calloc(c->label_count + 2, sizeof *c->first);
        if (!c->first)
            return -1;
    }
    for (size_t r = 0; r < net->rule_count; r++) {
        Rule *rule = &net->rules[r];
        net->comps[rule->comp[0]].first[rule->local[0] + 2]++;
    }
    for (size_t i = 0; i < net->comp_count; i++) {
        Comp *c = &net->comps[i];
        for (uint32_t l = 0; l < c->label_count; l++)
            c->first[l + 2] += c->first[l + 1];
        c->rule_index = mem_alloc((c->first[c->label_count + 1] + 1) *
                                  sizeof *c->rule_index);
        if (!c->rule_index)
            return -1;
    }
    for (size_t r = 0; r < net->rule_count; r++) {
        Rule *rule = &net->rules[r];
        Comp *c = &net->comps[rule->comp[0]];
        c->rule_index[c->first[rule->local[0] + 1]++] = (uint32_t)r;
    }
    for (size_t i = 0; i < net->comp_count; i++)
        if (comp_starts(&net->comps[i]) != 0)
            return -1;
    return 0;
}

/* Converts a rule to local labels; a rule naming a label some component
 * never offers can never fire and is dropped (returns 0). */
static int rule_init(Network *net, Rule *rule, const NetRule *src, int *ok)
{
    rule->event = src->event;
    rule->count = src->count;
    rule->comp = mem_alloc(src->count * sizeof *rule->comp);
    rule->local = mem_alloc(src->count * sizeof *rule->local);
    if (!rule->comp || !rule->local) {
        *ok = 0;
        return 0;
    }
    for (uint32_t i = 0; i < src->count; i++) {
        rule->comp[i] = src->parts[i].comp;
        rule->local[i] = comp_local(&net->comps[src->parts[i].comp],
                                    src->parts[i].label);
        if (rule->local[i] == UINT32_MAX)
            return 0;
    }
    return 1;
}

static void network_destroy(Machine *m);

static int network_build(Network *net, const NetRule *rules, size_t count)
{
    for (size_t i = 0; i < net->comp_count; i++)
        if (comp_init(&net->comps[i], &net->src[i].lts) != 0)
            return -1;
    net->rules = mem_calloc(count + 1, sizeof *net->rules);
    if (!net->rules)
        return -1;
    for (size_t r = 0; r < count; r++) {
        int ok = 1;
        Rule *rule = &net->rules[net->rule_count];
        if (rule_init(net, rule, &rules[r], &ok))
            net->rule_count++;
        else {
            mem_free(rule->comp);
            mem_free(rule->local);
            memset(rule, 0, sizeof *rule);
        }
        if (!ok)
            return -1;
    }
    return network_index(net);
}

Machine *network_new(TermTable *terms, NetComp *comps, size_t comp_count,
                     NetRule *rules, size_t rule_count, NetPart *terminate,
                     size_t terminate_count)
{
    Network *net = mem_calloc(1, sizeof *net);
    int ok = net != NULL;
    if (ok) {
        net->terms = terms;
        net->src = comps;
        net->comp_count = comp_count;
        net->terminate = terminate;
        net->terminate_count = terminate_count;
        net->comps = mem_calloc(comp_count + 1, sizeof *net->comps);
        net->word_max = mem_calloc(comp_count + 1, sizeof *net->word_max);
        net->leaf_comp = mem_calloc(comp_count + 1, sizeof *net->leaf_comp);
        ok = net->comps && net->word_max && net->leaf_comp &&
             network_build(net, rules, rule_count) == 0;
    }
    for (size_t r = 0; r < rule_count; r++)
        mem_free(rules[r].parts);
    mem_free(rules);
    if (!ok) {
        if (net)
            network_destroy(&net->base);
        else {
            for (size_t i = 0; i < comp_count; i++)
                lts_free(&comps[i].lts);
            mem_free(comps);
            mem_free(terminate);
        }
        return NULL;
    }
    size_t leaves = 0;
    for (size_t i = 0; i < comp_count; i++) {
        net->word_max[i] = comps[i].lts.states - 1;
        if (comps[i].is_leaf)
            net->leaf_comp[leaves++] = (uint32_t)i;
    }
    net->base = (Machine){&network_ops, comp_count, net->word_max, leaves,
                          comp_count * sizeof(uint32_t), term_events(terms)};
    return &net->base;
}

static void network_destroy(Machine *m)
{
    Network *net = (Network *)m;
    for (size_t i = 0; i < net->comp_count; i++) {
        if (net->comps) {
            mem_free(net->comps[i].local);
            mem_free(net->comps[i].labels);
            mem_free(net->comps[i].first);
            mem_free(net->comps[i].rule_index);
            mem_free(net->comps[i].start_off);
            mem_free(net->comps[i].starts);
        }
        lts_free(&net->src[i].lts);
    }
    for (size_t r = 0; r < net->rule_count; r++) {
        mem_free(net->rules[r].comp);
        mem_free(net->rules[r].local);
    }
    mem_free(net->rules);
    mem_free(net->comps);
    mem_free(net->src);
    mem_free(net->terminate);
    mem_free(net->word_max);
    mem_free(net->leaf_comp);
    mem_free(net);
}

static void network_initial(const Machine *m, uint32_t *state)
{
    memset(state, 0, m->width * sizeof *state);
}

typedef struct Firing {
    const Network *net;
    const uint32_t *state;
    uint32_t *vec;
    MachineEmit emit;
    void *ctx;
} Firing;

/* Participants i.. of `rule`: each moves along a transition labelled with
 * its local label, in every combination (relational synchronisation). */
static void fire_rest(Firing *f, const Rule *rule, uint32_t i)
{
    if (i == rule->count) {
        f->emit(f->ctx, rule->event, f->vec);
        return;
    }
    uint32_t c = rule->comp[i];
    const Comp *comp = &f->net->comps[c];
    uint32_t s = f->state[c], want = rule->local[i];
    for (uint32_t k = comp->offset[s]; k < comp->offset[s + 1]; k++) {
        if (comp->local[k] < want)
            continue;
        if (comp->local[k] > want)
            break;
        f->vec[c] = comp->target[k];
        fire_rest(f, rule, i + 1);
    }
    f->vec[c] = s;
}

/* A rule of two participants, the second one's part: fire_rest(f, rule,
 * 1) without the recursion, for the common case of a synchronisation of
 * two components. */
static void fire_second(Firing *f, const Rule *rule)
{
    uint32_t c = rule->comp[1];
    const Comp *comp = &f->net->comps[c];
    uint32_t s = f->state[c], want = rule->local[1];
    for (uint32_t k = comp->offset[s]; k < comp->offset[s + 1]; k++) {
        uint32_t l = comp->local[k];
        if (l < want)
            continue;
        if (l > want)
            break;
        f->vec[c] = comp->target[k];
        f->emit(f->ctx, rule->event, f->vec);
    }
    f->vec[c] = s;
}

/* Components in order, each one's transitions in order, the rules filed
 * under each in order: the emission order depends only on the state. */
static int network_successors(const Machine *m, const uint32_t *state,
                              void *scratch, MachineEmit emit, void *ctx)
{
    const Network *net = (const Network *)m;
    Firing f = {net, state, scratch, emit, ctx};
    mem_copy(f.vec, state, m->width * sizeof *state);
    for (size_t c = 0; c < net->comp_count; c++) {
        const Comp *comp = &net->comps[c];
        uint32_t s = state[c];
        for (uint32_t j = comp->start_off[s]; j < comp->start_off[s + 1];
             j++) {
            const Start *start = &comp->starts[j];
            f.vec[c] = start->target;
            for (uint32_t r = start->rule_lo; r < start->rule_hi; r++) {
                const Rule *rule = &net->rules[comp->rule_index[r]];
                if (rule->count == 1)
                    emit(ctx, rule->event, f.vec);
                else if (rule->count == 2)
                    fire_second(&f, rule);
                else
                    fire_rest(&f, rule, 1);
            }
            f.vec[c] = s;
        }
    }
    return MACHINE_OK;
}

/* Terminated when every termination condition holds: each named component
 * offers its pseudo label in its current state. */
static int network_terminated(const Machine *m, const uint32_t *state)
{
    const Network *net = (const Network *)m;
    if (net->terminate_count == 0)
        return 0;
    for (size_t i = 0; i < net->terminate_count; i++) {
        const NetPart *p = &net->terminate[i];
        const Comp *comp = &net->comps[p->comp];
        uint32_t want = comp_local(comp, p->label), s = state[p->comp];
        int found = 0;
        for (uint32_t k = comp->offset[s]; k < comp->offset[s + 1]; k++)
            found |= comp->local[k] == want;
        if (!found)
            return 0;
    }
    return 1;
}

uint32_t network_leaf_term(const Machine *m, const uint32_t *state,
                           size_t component)
{
    const Network *net = (const Network *)m;
    if (component >= net->base.components)
        return TERM_NONE;
    uint32_t c = net->leaf_comp[component];
    return net->src[c].lts.term[state[c]];
}

static int network_describe(const Machine *m, const uint32_t *state,
                            size_t component, char *buf, size_t len)
{
    uint32_t term = network_leaf_term(m, state, component);
    if (term == TERM_NONE)
        return -1;
    term_print(((const Network *)m)->terms, term, buf, len);
    return 0;
}

static const MachineOps network_ops = {
    network_initial, network_successors, network_terminated,
    network_describe, network_destroy,
};

/* 1 when component c offers local label l in state s. */
static int comp_offers(const Comp *comp, uint32_t s, uint32_t l)
{
    for (uint32_t k = comp->offset[s]; k < comp->offset[s + 1]; k++)
        if (comp->local[k] == l)
            return 1;
    return 0;
}

typedef struct WaitEdge {
    uint32_t from, to, event;
} WaitEdge;

int network_waits(const Machine *m, const uint32_t *state, NetWaitFn fn,
                  void *ctx)
{
    const Network *net = (const Network *)m;
    uint32_t *leaf_of = mem_alloc((net->comp_count + 1) * sizeof *leaf_of);
    WaitEdge *edges = NULL;
    size_t count = 0, cap = 0;
    if (!leaf_of)
        return -1;
    memset(leaf_of, 0xff, (net->comp_count + 1) * sizeof *leaf_of);
    for (size_t i = 0; i < net->base.components; i++)
        leaf_of[net->leaf_comp[i]] = (uint32_t)i;
    int rc = 0;
    for (size_t r = 0; r < net->rule_count && rc == 0; r++) {
        const Rule *rule = &net->rules[r];
        for (uint32_t i = 0; i < rule->count && rc == 0; i++) {
            uint32_t ci = rule->comp[i];
            if (leaf_of[ci] == UINT32_MAX ||
                !comp_offers(&net->comps[ci], state[ci], rule->local[i]))
                continue;
            for (uint32_t j = 0; j < rule->count && rc == 0; j++) {
                uint32_t cj = rule->comp[j];
                if (j == i || leaf_of[cj] == UINT32_MAX ||
                    comp_offers(&net->comps[cj], state[cj], rule->local[j]))
                    continue;
                uint32_t label = net->comps[ci].labels[rule->local[i]];
                WaitEdge e = {leaf_of[ci], leaf_of[cj],
                              label == LABEL_TERM ? EVENT_TICK : label};
                int seen = 0;
                for (size_t k = 0; k < count && !seen; k++)
                    seen = !memcmp(&edges[k], &e, sizeof e);
                if (seen)
                    continue;
                if (mem_grow((void **)&edges, &cap, count + 1, sizeof *edges))
                    rc = -1;
                else
                    edges[count++] = e;
            }
        }
    }
    for (size_t k = 0; k < count && rc == 0; k++)
        fn(ctx, edges[k].from, edges[k].to, edges[k].event);
    mem_free(edges);
    mem_free(leaf_of);
    return rc;
}

int network_leaf_idle(const Machine *m, const uint32_t *state, size_t leaf)
{
    const Network *net = (const Network *)m;
    uint32_t c = net->leaf_comp[leaf];
    const Comp *comp = &net->comps[c];
    for (uint32_t k = comp->offset[state[c]]; k < comp->offset[state[c] + 1];
         k++)
        if (comp->labels[comp->local[k]] != LABEL_TERM)
            return 0;
    return 1;
}
