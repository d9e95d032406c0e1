/* network: successors of an operator network, by firing rules over
 * component LTSs. See network.h.
 *
 * At construction every component's labels are renumbered densely (in the
 * order of their global ids, so rows stay sorted by label) and each rule's
 * participants are put in firing order: first its *lead*, the participant
 * whose label is enabled in the smallest share of its component's states,
 * then the others likewise (a rule of two keeps its order, see
 * rule_order). The rule is filed under the lead's label. A
 * successor call visits each component's enabled transitions once; for
 * each it fires the rules filed there: it tests the other participants in
 * firing order, on a bit per (state, label) where the component's rows are
 * long enough to pay for them, else by binary search (a regulator of a
 * mobile network offers hundreds of events in every state), so that a
 * rule that cannot fire fails after one test; then it finds their
 * transitions and enumerates the combinations depth-first in a scratch
 * vector. */
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
    /* per state, a bit per local label it enables (label_words words), so
     * that a rule that cannot fire fails on one bit; NULL where rows are
     * short (see comp_enabled_init) */
    uint64_t *enabled;
    uint32_t label_words;
    /* per state, its acceptance jumps (see comp_jumps_init): their
     * targets jump_target[jump_off[s] .. jump_off[s + 1]); NULL when the
     * component has none or may not take them together */
    uint32_t *jump_off, *jump_target;
} Comp;

typedef struct Rule {
    uint32_t event, count;
    uint32_t *comp, *local;
    /* the participants again (comp and local label), the one least often
     * enabled first: fire[0] is the rule's lead, under whose label it is
     * filed; the others are looked up in this order */
    uint32_t *fire_comp, *fire_local;
    int forced;            /* a chased network's tau (network.h) */
} Rule;

typedef struct Network {
    Machine base;
    TermTable *terms;
    NetComp *src;          /* owned: LTSs and roots */
    Comp *comps;
    size_t comp_count;
    Rule *rules;
    size_t rule_count;
    uint32_t max_count;    /* participants of the largest rule */
    uint32_t *leaf_comp;   /* leaf number -> component */
    NetPart *terminate;
    size_t terminate_count;
    uint32_t *word_max;
    int has_jumps;         /* some component has jumps */
    /* chase: the forced rules in rule order, and per component the forced
     * rules it takes part in (forced_rule[forced_off[c] ..
     * forced_off[c + 1]), indices into `forced`) */
    uint32_t *forced, forced_count;
    uint32_t *forced_off, *forced_rule;
    uint32_t *init;        /* the initial state, chased */
    int init_failed;       /* its forced taus go round a cycle */
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

/* The first transition of comp's state s labelled `want` or above (its
 * transitions are sorted by label). A short row is scanned (callgrind,
 * buffers: a binary search costs 7% more instructions in all), a long
 * one searched. */
enum { ROW_SCAN = 8 };

static inline uint32_t row_lower(const Comp *comp, uint32_t s, uint32_t want)
{
    uint32_t a = comp->offset[s], b = comp->offset[s + 1];
    if (b - a <= ROW_SCAN) {
        while (a < b && comp->local[a] < want)
            a++;
        return a;
    }
    while (a < b) {
        uint32_t mid = a + (b - a) / 2;
        if (comp->local[mid] < want)
            a = mid + 1;
        else
            b = mid;
    }
    return a;
}

/* The transitions [*lo, *hi) of comp's state s labelled `want`; 0 when
 * there are none. */
static inline int row_find(const Comp *comp, uint32_t s, uint32_t want,
                           uint32_t *lo, uint32_t *hi)
{
    uint32_t a = row_lower(comp, s, want), b = a, end = comp->offset[s + 1];
    while (b < end && comp->local[b] == want)
        b++;
    *lo = a;
    *hi = b;
    return b > a;
}

/* 1 when c's transition k (a tau from s) is an acceptance jump: to a
 * stable state t != s whose every transition s also has (same label, same
 * target). Compressions (normal, diamond) mark a node's minimal
 * acceptances so: one tau to a stable copy restricted to each. */
static int comp_is_jump(const Comp *c, uint32_t s, uint32_t k)
{
    uint32_t t = c->target[k];
    if (t == s)
        return 0;
    for (uint32_t j = c->offset[t]; j < c->offset[t + 1]; j++) {
        if (c->labels[c->local[j]] == EVENT_TAU)
            return 0;
        uint32_t lo, hi;
        if (!row_find(c, s, c->local[j], &lo, &hi))
            return 0;
        while (lo < hi && c->target[lo] != c->target[j])
            lo++;
        if (lo == hi)
            return 0;
    }
    return 1;
}

/* Per component, the rules its tau takes part in: the number of rules
 * where it fires alone as the network's tau, or UINT32_MAX when some rule
 * joins it with others or renames it. One pass over the rules. */
static uint32_t *tau_rules(const Network *net)
{
    uint32_t *alone = mem_calloc(net->comp_count + 1, sizeof *alone);
    if (!alone)
        return NULL;
    for (size_t r = 0; r < net->rule_count; r++) {
        const Rule *rule = &net->rules[r];
        for (uint32_t i = 0; i < rule->count; i++) {
            uint32_t ci = rule->comp[i];
            const Comp *c = &net->comps[ci];
            if (rule->forced) { /* chased taus are never taken together */
                alone[ci] = UINT32_MAX;
                continue;
            }
            if (c->labels[rule->local[i]] != EVENT_TAU ||
                alone[ci] == UINT32_MAX)
                continue;
            alone[ci] = rule->count == 1 && rule->event == EVENT_TAU
                            ? alone[ci] + 1
                            : UINT32_MAX;
        }
    }
    return alone;
}

/* A component's acceptance jumps are taken all at once with every other
 * component's (fire_jumps), and never one by one. Why nothing changes:
 * a jump's target offers only moves its source has (same label, same
 * target), so any path that moves a component after its jump can move it
 * from the source instead; any stable state reachable by taus is then
 * reached by the other taus first and the jumps of exactly the
 * components still at a jump's source last, all together; traces and
 * tau cycles map over the same way. A state where some components have
 * jumped and others not is unstable and offers nothing new, and a network
 * of k compressed leaves no longer visits up to 2^k of them per state.
 * Under priority too: tau has the top level, so blocking happens only in
 * stable states, which are the same. Only where the component's tau is
 * fired alone, as the network's tau, by exactly one rule (`alone`, from
 * tau_rules), not inside a synchronisation of flags. */
static int comp_jumps_init(Network *net, uint32_t ci, uint32_t alone)
{
    Comp *c = &net->comps[ci];
    uint32_t tau = comp_local(c, EVENT_TAU);
    if (tau == UINT32_MAX || alone != 1)
        return 0;
    uint32_t n = c->offset[c->states], count = 0;
    c->jump_off = mem_alloc(((size_t)c->states + 1) * sizeof *c->jump_off);
    c->jump_target = mem_alloc(((size_t)n + 1) * sizeof *c->jump_target);
    if (!c->jump_off || !c->jump_target)
        return -1;
    for (uint32_t s = 0; s < c->states; s++) {
        c->jump_off[s] = count;
        for (uint32_t k = c->offset[s]; k < c->offset[s + 1]; k++)
            if (c->local[k] == tau && comp_is_jump(c, s, k))
                c->jump_target[count++] = c->target[k];
    }
    c->jump_off[c->states] = count;
    if (count == 0) {
        mem_free(c->jump_off);
        mem_free(c->jump_target);
        c->jump_off = c->jump_target = NULL;
    }
    return 0;
}

/* 1 when transition k of c's state s is one of its jumps. */
static int comp_jump_at(const Comp *c, uint32_t s, uint32_t k)
{
    if (!c->jump_off || c->labels[c->local[k]] != EVENT_TAU)
        return 0;
    for (uint32_t j = c->jump_off[s]; j < c->jump_off[s + 1]; j++)
        if (c->jump_target[j] == c->target[k])
            return 1;
    return 0;
}

/* Per state, the transitions under whose label some rule is filed, in
 * transition order, jumps left out: the successor loop then skips the
 * others (a fork's transitions, filed under the philosopher, cost
 * nothing). */
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
            if (c->first[l] < c->first[l + 1] && !comp_jump_at(c, s, k))
                c->starts[count++] =
                    (Start){c->target[k], c->first[l], c->first[l + 1]};
        }
    }
    c->start_off[c->states] = count;
    return 0;
}

/* The enabled bits pay where rows are long: a binary search over a short
 * row is as quick as a bit. They are built when they take at most
 * ENABLED_PER_TRANSITION words per transition, so they never outgrow the
 * LTS itself by much: a regulator offering 200 events in every state
 * takes 4 words a state (1/50 of a word a transition); a long sequence of
 * distinct events would take more words than it has transitions, and gets
 * none. */
enum { ENABLED_PER_TRANSITION = 4 };

static int comp_enabled_init(Comp *c)
{
    c->label_words = (c->label_count + 63) / 64;
    if ((uint64_t)c->states * c->label_words >
        (uint64_t)ENABLED_PER_TRANSITION * c->offset[c->states])
        return 0;
    c->enabled = mem_calloc((size_t)c->states * c->label_words + 1,
                            sizeof *c->enabled);
    if (!c->enabled)
        return -1;
    for (uint32_t s = 0; s < c->states; s++)
        for (uint32_t k = c->offset[s]; k < c->offset[s + 1]; k++)
            c->enabled[(size_t)s * c->label_words + c->local[k] / 64] |=
                UINT64_C(1) << (c->local[k] % 64);
    return 0;
}

/* Files every rule under its lead's label (a counting sort). */
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
        if (!rule->forced) /* taken by chase_vec only */
            net->comps[rule->fire_comp[0]].first[rule->fire_local[0] + 2]++;
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
        Comp *c = &net->comps[rule->fire_comp[0]];
        if (!rule->forced)
            c->rule_index[c->first[rule->fire_local[0] + 1]++] = (uint32_t)r;
    }
    uint32_t *alone = tau_rules(net);
    int rc = alone ? 0 : -1;
    for (size_t i = 0; i < net->comp_count && rc == 0; i++) {
        if (comp_jumps_init(net, (uint32_t)i, alone[i]) != 0 ||
            comp_starts(&net->comps[i]) != 0 ||
            comp_enabled_init(&net->comps[i]) != 0)
            rc = -1;
        net->has_jumps |= net->comps[i].jump_off != NULL;
    }
    mem_free(alone);
    return rc;
}

/* Per local label of c: transitions with that label (how often it is
 * enabled, for rule_fire_order). NULL when out of memory. */
static uint32_t *comp_label_counts(const Comp *c)
{
    uint32_t *n = mem_calloc(c->label_count + 1, sizeof *n);
    if (n)
        for (uint32_t k = 0; k < c->offset[c->states]; k++)
            n[c->local[k]]++;
    return n;
}

/* Puts the rule's participants in firing order: the one whose label is
 * enabled in the smallest share of its component's states first, ties in
 * participant order (an insertion sort: rules have a handful). A rule of
 * two keeps its order: trying it costs one scan of a row either way, and
 * the models made of such rules (the benchmark's among them) keep the
 * successor order, hence the ids and counterexamples, they had. */
static void rule_order(Rule *rule, uint32_t *const *counts, const Comp *comps)
{
    for (uint32_t i = 0; i < rule->count; i++) {
        rule->fire_comp[i] = rule->comp[i];
        rule->fire_local[i] = rule->local[i];
    }
    for (uint32_t i = 1; i < rule->count && rule->count > 2; i++) {
        uint32_t c = rule->comp[i], l = rule->local[i], j = i;
        uint64_t mine = counts[c][l];
        /* enabled share a/x above b/y: a * y > b * x */
        for (; j > 0; j--) {
            uint32_t d = rule->fire_comp[j - 1];
            uint64_t other = counts[d][rule->fire_local[j - 1]];
            if (other * comps[c].states <= mine * comps[d].states)
                break;
            rule->fire_comp[j] = d;
            rule->fire_local[j] = rule->fire_local[j - 1];
        }
        rule->fire_comp[j] = c;
        rule->fire_local[j] = l;
    }
}

/* Every rule's firing order. A successor call then tries a rule only
 * where its lead is enabled: on a mobile network (FDR's phone example),
 * filing rules under their first participant tried 520 rules a state, 3
 * of which fired. */
static int rule_fire_order(Network *net)
{
    uint32_t **counts = mem_calloc(net->comp_count + 1, sizeof *counts);
    int rc = counts ? 0 : -1;
    for (size_t i = 0; i < net->comp_count && rc == 0; i++)
        if (!(counts[i] = comp_label_counts(&net->comps[i])))
            rc = -1;
    for (size_t r = 0; r < net->rule_count && rc == 0; r++) {
        Rule *rule = &net->rules[r];
        if (rule->count > net->max_count)
            net->max_count = rule->count;
        rule->fire_comp = mem_alloc(rule->count * sizeof *rule->fire_comp);
        rule->fire_local = mem_alloc(rule->count * sizeof *rule->fire_local);
        if (!rule->fire_comp || !rule->fire_local)
            rc = -1;
        else
            rule_order(rule, counts, net->comps);
    }
    for (size_t i = 0; counts && i < net->comp_count; i++)
        mem_free(counts[i]);
    mem_free(counts);
    return rc;
}

/* Converts a rule to local labels; a rule naming a label some component
 * never offers can never fire and is dropped (returns 0). */
static int rule_init(Network *net, Rule *rule, const NetRule *src, int *ok)
{
    rule->event = src->event;
    rule->count = src->count;
    rule->forced = src->forced;
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

/* ---------- chase: forced taus ---------- */

/* 1 when component c offers local label l in state s (its enabled bit,
 * or a binary search of its row). */
static int comp_offers(const Comp *c, uint32_t s, uint32_t l)
{
    if (c->enabled)
        return c->enabled[(size_t)s * c->label_words + l / 64] >> (l % 64) & 1;
    uint32_t k = row_lower(c, s, l);
    return k < c->offset[s + 1] && c->local[k] == l;
}

static int forced_enabled(const Network *net, const Rule *rule,
                          const uint32_t *vec)
{
    for (uint32_t i = 0; i < rule->count; i++) {
        uint32_t c = rule->fire_comp[i];
        if (!comp_offers(&net->comps[c], vec[c], rule->fire_local[i]))
            return 0;
    }
    return 1;
}

/* Takes forced rule f in vec: each participant its first transition on
 * its label. */
static void forced_take(const Network *net, const Rule *rule, uint32_t *vec)
{
    for (uint32_t i = 0; i < rule->count; i++) {
        uint32_t c = rule->comp[i];
        const Comp *comp = &net->comps[c];
        vec[c] = comp->target[row_lower(comp, vec[c], rule->local[i])];
    }
}

/* The first forced rule enabled in vec, or UINT32_MAX. */
static uint32_t forced_first(const Network *net, const uint32_t *vec)
{
    for (uint32_t f = 0; f < net->forced_count; f++)
        if (forced_enabled(net, &net->rules[net->forced[f]], vec))
            return f;
    return UINT32_MAX;
}

/* At most this many forced taus per walk, as in the term semantics
 * (term.c, CHASE_MAX_WALK): a walk is one step of the search, and the
 * run's limits are polled between steps. */
enum { CHASE_MAX_WALK = 1 << 20 };

/* Follows vec's first forced taus until none is enabled; -1 when they go
 * round a cycle (Brent's: `saved` is compared with each step and moved
 * on at powers of two, so a cycle is met within twice its reach) or run
 * past CHASE_MAX_WALK. */
static int chase_vec(const Network *net, uint32_t *vec, uint32_t *saved)
{
    size_t bytes = net->comp_count * sizeof *vec;
    uint64_t power = 1, steps = 0, walked = 0;
    mem_copy(saved, vec, bytes);
    for (uint32_t f; (f = forced_first(net, vec)) != UINT32_MAX;) {
        forced_take(net, &net->rules[net->forced[f]], vec);
        if (memcmp(saved, vec, bytes) == 0 || ++walked > CHASE_MAX_WALK)
            return -1;
        if (++steps == power) {
            mem_copy(saved, vec, bytes);
            power *= 2;
            steps = 0;
        }
    }
    return 0;
}

/* 1 when target may enable a forced rule: some component that moved
 * from `state` (chased, so none was enabled there) takes part in one. */
static int forced_touched(const Network *net, const uint32_t *state,
                          const uint32_t *target)
{
    for (size_t c = 0; c < net->comp_count; c++)
        if (target[c] != state[c])
            for (uint32_t k = net->forced_off[c]; k < net->forced_off[c + 1];
                 k++)
                if (forced_enabled(net,
                                   &net->rules[net->forced[net->forced_rule[k]]],
                                   target))
                    return 1;
    return 0;
}

/* The initial state: every component's root, chased. */
static int network_init_state(Network *net)
{
    size_t n = net->comp_count + 1;
    net->init = mem_calloc(n, sizeof *net->init);
    uint32_t *saved = mem_alloc(n * sizeof *saved);
    int rc = net->init && saved ? 0 : -1;
    if (rc == 0 && net->forced_count)
        net->init_failed = chase_vec(net, net->init, saved) != 0;
    mem_free(saved);
    return rc;
}

int network_chase_cycle(const Machine *m)
{
    return network_is(m) && ((const Network *)m)->init_failed;
}

/* The forced rules in rule order, and each component's share of them. */
static int forced_index(Network *net)
{
    net->forced = mem_alloc((net->rule_count + 1) * sizeof *net->forced);
    net->forced_off = mem_calloc(net->comp_count + 2,
                                 sizeof *net->forced_off);
    if (!net->forced || !net->forced_off)
        return -1;
    size_t parts = 0;
    for (size_t r = 0; r < net->rule_count; r++)
        if (net->rules[r].forced) {
            net->forced[net->forced_count++] = (uint32_t)r;
            parts += net->rules[r].count;
            for (uint32_t i = 0; i < net->rules[r].count; i++)
                net->forced_off[net->rules[r].comp[i] + 2]++;
        }
    for (size_t c = 0; c < net->comp_count; c++)
        net->forced_off[c + 2] += net->forced_off[c + 1];
    net->forced_rule = mem_alloc((parts + 1) * sizeof *net->forced_rule);
    if (!net->forced_rule)
        return -1;
    for (uint32_t f = 0; f < net->forced_count; f++) {
        const Rule *rule = &net->rules[net->forced[f]];
        for (uint32_t i = 0; i < rule->count; i++)
            net->forced_rule[net->forced_off[rule->comp[i] + 1]++] = f;
    }
    return 0;
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
    return rule_fire_order(net) != 0 || network_index(net) != 0 ||
                   forced_index(net) != 0
               ? -1
               : 0;
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
    /* scratch: the vector, the ranges found for a rule, then two vectors
     * for chasing */
    size_t scratch =
        (3 * comp_count + 2 * (size_t)net->max_count) * sizeof(uint32_t);
    net->base = (Machine){&network_ops, comp_count, net->word_max, leaves,
                          scratch, term_events(terms)};
    if (network_init_state(net) != 0) {
        network_destroy(&net->base);
        return NULL;
    }
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
            mem_free(net->comps[i].jump_off);
            mem_free(net->comps[i].jump_target);
            mem_free(net->comps[i].starts);
            mem_free(net->comps[i].enabled);
        }
        lts_free(&net->src[i].lts);
    }
    for (size_t r = 0; r < net->rule_count; r++) {
        mem_free(net->rules[r].comp);
        mem_free(net->rules[r].local);
        mem_free(net->rules[r].fire_comp);
        mem_free(net->rules[r].fire_local);
    }
    mem_free(net->rules);
    mem_free(net->comps);
    mem_free(net->src);
    mem_free(net->terminate);
    mem_free(net->word_max);
    mem_free(net->leaf_comp);
    mem_free(net->forced);
    mem_free(net->forced_off);
    mem_free(net->forced_rule);
    mem_free(net->init);
    mem_free(net);
}

static void network_initial(const Machine *m, uint32_t *state)
{
    mem_copy(state, ((const Network *)m)->init, m->width * sizeof *state);
}

typedef struct Firing {
    const Network *net;
    const uint32_t *state;
    uint32_t *vec;
    uint32_t *lo, *hi; /* per participant: its matching transitions */
    MachineEmit emit;
    void *ctx;
} Firing;


/* Participants i.. of `rule` in firing order (the lead has moved), their
 * transitions found: each moves along one of them, in every combination
 * (relational synchronisation). */
static void fire_combos(Firing *f, const Rule *rule, uint32_t i)
{
    if (i == rule->count) {
        f->emit(f->ctx, rule->event, f->vec);
        return;
    }
    uint32_t c = rule->fire_comp[i];
    const uint32_t *target = f->net->comps[c].target;
    for (uint32_t k = f->lo[i]; k < f->hi[i]; k++) {
        f->vec[c] = target[k];
        fire_combos(f, rule, i + 1);
    }
    f->vec[c] = f->state[c];
}

/* A rule of three or more participants, the lead moved: tests the others
 * in firing order, stopping at the first that cannot take part (on its
 * enabled bit where it has them), then finds their transitions. */
static void fire_rest(Firing *f, const Rule *rule)
{
    for (uint32_t i = 1; i < rule->count; i++) {
        uint32_t c = rule->fire_comp[i], l = rule->fire_local[i];
        const Comp *comp = &f->net->comps[c];
        f->lo[i] = UINT32_MAX; /* not looked up yet */
        if (comp->enabled) {
            uint64_t word = comp->enabled[(size_t)f->state[c] *
                                              comp->label_words + l / 64];
            if (!(word >> (l % 64) & 1))
                return;
        } else if (!row_find(comp, f->state[c], l, &f->lo[i], &f->hi[i]))
            return;
    }
    for (uint32_t i = 1; i < rule->count; i++) {
        uint32_t c = rule->fire_comp[i];
        if (f->lo[i] == UINT32_MAX)
            row_find(&f->net->comps[c], f->state[c], rule->fire_local[i],
                     &f->lo[i], &f->hi[i]);
    }
    fire_combos(f, rule, 1);
}

/* A rule of two participants, the other one's part. */
static void fire_second(Firing *f, const Rule *rule)
{
    uint32_t c = rule->fire_comp[1], want = rule->fire_local[1];
    const Comp *comp = &f->net->comps[c];
    uint32_t s = f->state[c], k = comp->offset[s], end = comp->offset[s + 1];
    if (end - k > ROW_SCAN)
        k = row_lower(comp, s, want);
    for (; k < end; k++) {
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

/* Every component from c on that can jump takes one of its jumps, in
 * every combination, as one tau (comp_jumps_init says why); `any`: some
 * component before c jumped. */
static void fire_jumps(Firing *f, size_t c, int any)
{
    const Network *net = f->net;
    for (; c < net->comp_count; c++) {
        const Comp *comp = &net->comps[c];
        uint32_t s = f->state[c];
        if (!comp->jump_off || comp->jump_off[s] == comp->jump_off[s + 1])
            continue;
        for (uint32_t j = comp->jump_off[s]; j < comp->jump_off[s + 1]; j++) {
            f->vec[c] = comp->jump_target[j];
            fire_jumps(f, c + 1, 1);
        }
        f->vec[c] = s;
        return;
    }
    if (any)
        f->emit(f->ctx, EVENT_TAU, f->vec);
}

/* Components in order, each one's transitions in order, the rules filed
 * under each in order, then the jumps: the emission order depends only on
 * the state. tau_only: only the rules that give tau; inlined into both
 * callers, so the full walk does not pay for the test. */
/* The emission of a network with forced rules: each target is chased
 * first (network.h), so only chased states are ever reached. */
typedef struct Chasing {
    const Network *net;
    const uint32_t *state;
    uint32_t *vec, *saved;
    MachineEmit emit;
    void *ctx;
    int cycle;
} Chasing;

static void chase_emit(void *ctx, uint32_t event, const uint32_t *target)
{
    Chasing *ch = ctx;
    if (ch->cycle || !forced_touched(ch->net, ch->state, target)) {
        if (!ch->cycle)
            ch->emit(ch->ctx, event, target);
        return;
    }
    mem_copy(ch->vec, target, ch->net->comp_count * sizeof *target);
    if (chase_vec(ch->net, ch->vec, ch->saved) != 0)
        ch->cycle = 1;
    else
        ch->emit(ch->ctx, event, ch->vec);
}

static inline __attribute__((always_inline)) int
network_walk(const Machine *m, const uint32_t *state, void *scratch,
             MachineEmit emit, void *ctx, int tau_only)
{
    const Network *net = (const Network *)m;
    uint32_t *vec = scratch;
    uint32_t *chase_space = vec + m->width + 2 * (size_t)net->max_count;
    Chasing ch = {net, state, chase_space, chase_space + m->width, emit, ctx,
                  0};
    if (net->forced_count) {
        emit = chase_emit;
        ctx = &ch;
    }
    Firing f = {net, state, vec, vec + m->width,
                vec + m->width + net->max_count, emit, ctx};
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
                if (tau_only && rule->event != EVENT_TAU)
                    continue;
                if (rule->count == 1)
                    emit(ctx, rule->event, f.vec);
                else if (rule->count == 2)
                    fire_second(&f, rule);
                else
                    fire_rest(&f, rule);
            }
            f.vec[c] = s;
        }
    }
    if (net->has_jumps)
        fire_jumps(&f, 0, 0);
    if (ch.cycle) {
        term_fail_text(net->terms, "chase: the forced taus of a chased "
                       "network go round a cycle, or past 2^20 in a row "
                       "(chase of a process that diverges)", 0);
        return MACHINE_ERROR;
    }
    return MACHINE_OK;
}

static int network_successors(const Machine *m, const uint32_t *state,
                              void *scratch, MachineEmit emit, void *ctx)
{
    return network_walk(m, state, scratch, emit, ctx, 0);
}

static int network_tau_successors(const Machine *m, const uint32_t *state,
                                  void *scratch, MachineEmit emit, void *ctx)
{
    return network_walk(m, state, scratch, emit, ctx, 1);
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
        if (!comp_offers(comp, state[p->comp], comp_local(comp, p->label)))
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

const Lts *network_leaf_lts(const Machine *m, size_t component)
{
    const Network *net = (const Network *)m;
    return &net->src[net->leaf_comp[component]].lts;
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
    network_describe, network_destroy, network_tau_successors,
};

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
        if (rule->forced) /* never offered: taken before anything else */
            continue;
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

/* 1 when c can move from s to t on local label l (t == NULL: at all). */
static int comp_moves(const Comp *c, uint32_t s, uint32_t l, const uint32_t *t)
{
    for (uint32_t k = c->offset[s]; k < c->offset[s + 1]; k++)
        if (c->local[k] == l && (!t || c->target[k] == *t))
            return 1;
    return 0;
}

/* 1 when `rule` can take `from` to `to` (NULL: anywhere). */
static int rule_fits(const Network *net, const Rule *rule,
                     const uint32_t *from, const uint32_t *to)
{
    if (rule->forced)
        return 0;
    for (uint32_t i = 0; i < rule->count; i++) {
        uint32_t c = rule->comp[i];
        if (!comp_moves(&net->comps[c], from[c], rule->local[i],
                        to ? &to[c] : NULL))
            return 0;
    }
    for (size_t c = 0; to && c < net->comp_count; c++) {
        int part = 0;
        for (uint32_t i = 0; i < rule->count && !part; i++)
            part = rule->comp[i] == c;
        if (!part && from[c] != to[c])
            return 0;
    }
    return 1;
}

size_t network_step_parts(const Machine *m, const uint32_t *from,
                          uint32_t event, const uint32_t *to, NetPartFn fn,
                          void *ctx)
{
    const Network *net = (const Network *)m;
    for (size_t r = 0; r < net->rule_count; r++) {
        const Rule *rule = &net->rules[r];
        if (rule->event != event || !rule_fits(net, rule, from, to))
            continue;
        size_t reported = 0;
        for (size_t leaf = 0; leaf < m->components; leaf++)
            for (uint32_t i = 0; i < rule->count; i++) {
                if (rule->comp[i] != net->leaf_comp[leaf])
                    continue;
                uint32_t label =
                    net->comps[rule->comp[i]].labels[rule->local[i]];
                fn(ctx, leaf, label >= LABEL_FIRE ? EVENT_TICK : label);
                reported++;
            }
        if (reported)
            return reported;
    }
    /* the jumps of several components at once (fire_jumps) */
    size_t reported = 0;
    for (size_t leaf = 0; to && event == EVENT_TAU && leaf < m->components;
         leaf++) {
        uint32_t c = net->leaf_comp[leaf];
        if (from[c] != to[c]) {
            fn(ctx, leaf, EVENT_TAU);
            reported++;
        }
    }
    return reported;
}

uint32_t network_leaf_state(const Machine *m, const uint32_t *state,
                            size_t leaf)
{
    return state[((const Network *)m)->leaf_comp[leaf]];
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
