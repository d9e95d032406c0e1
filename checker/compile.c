/* compile: from a term to a machine. See compile.h.
 *
 * The network path walks the static top of the term (unfolding thunks that
 * stand for static operators), explores each leaf into an LTS, and derives
 * the synchronisation rules bottom-up, one function per operator, each with
 * the firing rule it mirrors from term.c. The rules must give exactly the
 * transitions of term_transitions, state for state: the differential test
 * holds us to it. */
#include "compile.h"

#include "compress.h"
#include "lts.h"
#include "mem.h"
#include "limit.h"
#include "network.h"
#include "priority.h"
#include "stack.h"
#include "termmachine.h"

#include <stdio.h>
#include <string.h>

typedef struct Rules {
    NetRule *items;
    size_t count, cap;
} Rules;

/* A subtree's rules and how to tell it has terminated (no parts: never). */
typedef struct Sub {
    Rules rules;
    NetPart *term;
    size_t term_count;
    int can_terminate;
} Sub;

typedef struct Compiler {
    TermTable *terms;
    size_t max_leaf;
    LeafCompression leaf;
    NetComp *comps;
    size_t comp_count, comp_cap;
    CompileStatus status;
    char *err;
    size_t err_len;
} Compiler;

static void rules_free(Rules *r)
{
    for (size_t i = 0; i < r->count; i++)
        mem_free(r->items[i].parts);
    mem_free(r->items);
    memset(r, 0, sizeof *r);
}

static void sub_free(Sub *s)
{
    rules_free(&s->rules);
    mem_free(s->term);
    memset(s, 0, sizeof *s);
}

/* Appends a rule made of parts a[0..na) ++ b[0..nb), sorted by component. */
static int rules_add(Compiler *c, Rules *r, uint32_t event, const NetPart *a,
                     size_t na, const NetPart *b, size_t nb)
{
    if (mem_grow((void **)&r->items, &r->cap, r->count + 1, sizeof *r->items))
        goto nomem;
    NetPart *parts = mem_alloc((na + nb) * sizeof *parts);
    if (!parts)
        goto nomem;
    size_t i = 0, j = 0, k = 0;
    while (i < na || j < nb)
        parts[k++] = (j >= nb || (i < na && a[i].comp < b[j].comp)) ? a[i++]
                                                                    : b[j++];
    r->items[r->count++] = (NetRule){event, (uint32_t)(na + nb), parts, 0};
    return 0;
nomem:
    c->status = COMPILE_NOMEM;
    return -1;
}

static int rules_copy(Compiler *c, Rules *r, const NetRule *src,
                      uint32_t event)
{
    if (rules_add(c, r, event, src->parts, src->count, NULL, 0) != 0)
        return -1;
    r->items[r->count - 1].forced = src->forced;
    return 0;
}

static void compile_fail(Compiler *c, CompileStatus status, uint32_t term,
                         const char *what)
{
    char text[200];
    term_print(c->terms, term, text, sizeof text);
    c->status = status;
    snprintf(c->err, c->err_len, "%s %s", text, what);
}

/* A network's static top is a tree of operators over leaves; shared
 * subterms (P(n-1) twice) make it exponential in the term's size, so the
 * number of components is bounded. */
enum { MAX_COMPONENTS = 100000 };

static uint32_t compiler_comp(Compiler *c, const Lts *lts, int is_leaf,
                              uint32_t root)
{
    if (c->comp_count >= MAX_COMPONENTS) {
        c->status = COMPILE_LEAF_LIMIT;
        snprintf(c->err, c->err_len, "the process is a network of more than "
                 "%d parallel components (a recursion through a parallel "
                 "operator doubling at each step?)", MAX_COMPONENTS);
        return UINT32_MAX;
    }
    if (mem_grow((void **)&c->comps, &c->comp_cap, c->comp_count + 1,
                 sizeof *c->comps)) {
        c->status = COMPILE_NOMEM;
        return UINT32_MAX;
    }
    c->comps[c->comp_count] = (NetComp){*lts, is_leaf, root};
    return (uint32_t)c->comp_count++;
}


/* Adds a pseudo self-loop LABEL_TERM on the leaf's OMEGA state, so that
 * "this leaf has terminated" is a label a rule can ask for. */
static int leaf_mark_omega(Lts *lts)
{
    if (lts->omega == UINT32_MAX)
        return 0;
    uint32_t n = lts->transitions;
    uint32_t *ev = mem_realloc(lts->event, (n + 1) * sizeof *ev);
    if (!ev)
        return -1;
    lts->event = ev;
    uint32_t *tg = mem_realloc(lts->target, (n + 1) * sizeof *tg);
    if (!tg)
        return -1;
    lts->target = tg;
    /* OMEGA has no transitions of its own: its row is empty, so the new
     * transition goes at the end of that row and later rows shift. */
    uint32_t at = lts->offset[lts->omega + 1];
    memmove(ev + at + 1, ev + at, (n - at) * sizeof *ev);
    memmove(tg + at + 1, tg + at, (n - at) * sizeof *tg);
    ev[at] = LABEL_TERM;
    tg[at] = lts->omega;
    for (uint32_t s = lts->omega + 1; s <= lts->states; s++)
        lts->offset[s]++;
    lts->transitions++;
    return 0;
}

/* Replaces the leaf's LTS by its sbisim or wbisim quotient. */
static int leaf_compress(Compiler *c, uint32_t term, Lts *lts)
{
    Lts out;
    CompressStatus st = compress_lts(c->leaf == LEAF_SBISIM ? COMPRESS_SBISIM
                                                             : COMPRESS_WBISIM,
                                     lts, c->max_leaf, &out);
    lts_free(lts);
    if (st == COMPRESS_OK) {
        *lts = out;
        return 0;
    }
    if (st == COMPRESS_NOMEM)
        c->status = COMPILE_NOMEM;
    else
        compile_fail(c, COMPILE_LEAF_LIMIT, term, st == COMPRESS_LIMIT
                     ? "is too large to compress as a leaf"
                     : "could not be compressed: the run's limit was "
                       "reached");
    return -1;
}

/* A leaf whose term could not be evaluated: where, for the message (the
 * front end holds the error itself): " in P(0), after its events <a.0>". */
static void leaf_eval_error(Compiler *c, uint32_t term, const Lts *lts)
{
    char name[200];
    term_print(c->terms, term, name, sizeof name);
    size_t n = (size_t)snprintf(c->err, c->err_len, " in %s, after its "
                                "events <", name);
    for (size_t i = 0; i < lts->fail_len && n < c->err_len; i++)
        n += (size_t)snprintf(c->err + n, c->err_len - n, "%s%s",
                              i ? ", " : "",
                              event_name(term_events(c->terms),
                                         lts->fail_trace[i]));
    if (n < c->err_len)
        snprintf(c->err + n, c->err_len - n, ">");
    c->status = COMPILE_EVAL_ERROR;
}

/*  A leaf fires its own transitions alone: one rule per label. */
static int compile_leaf(Compiler *c, uint32_t term, Sub *out)
{
    Lts lts;
    LtsStatus st = lts_explore(c->terms, term, c->max_leaf, &lts);
    if (st != LTS_OK) {
        if (st == LTS_NOMEM)
            c->status = COMPILE_NOMEM;
        else if (st == LTS_STOPPED) {
            c->status = COMPILE_LEAF_LIMIT;
            snprintf(c->err, c->err_len, "%s", limit_text(limit_reached()));
        } else if (st == LTS_LIMIT)
            compile_fail(c, COMPILE_LEAF_LIMIT, term,
                         "has too many states for one sequential component "
                         "(is there recursion through a parallel operator?)");
        else if (!term_last_error(c->terms)) /* the front end says why */
            leaf_eval_error(c, term, &lts);
        else {
            /* a compressed process too large, or the run's limit met
             * while compressing it: a limit, not a mistake in the model */
            c->status = term_error_is_limit(c->terms) ? COMPILE_LEAF_LIMIT
                                                      : COMPILE_ERROR;
            snprintf(c->err, c->err_len, "%s", term_last_error(c->terms));
        }
        lts_free(&lts);
        return -1;
    }
    if (c->leaf != LEAF_NONE && leaf_compress(c, term, &lts) != 0)
        return -1;
    if (leaf_mark_omega(&lts) != 0) {
        lts_free(&lts);
        c->status = COMPILE_NOMEM;
        return -1;
    }
    uint32_t comp = compiler_comp(c, &lts, 1, term);
    if (comp == UINT32_MAX) {
        lts_free(&lts);
        return -1;
    }
    const Lts *l = &c->comps[comp].lts;
    uint32_t *labels = mem_alloc((l->transitions + 1) * sizeof *labels);
    if (!labels)
        return c->status = COMPILE_NOMEM, -1;
    mem_copy(labels, l->event, l->transitions * sizeof *labels);
    size_t n = event_set_normalise(labels, l->transitions);
    for (size_t i = 0; i < n; i++) {
        NetPart part = {comp, labels[i]};
        if (labels[i] != LABEL_TERM &&
            rules_add(c, &out->rules, labels[i], &part, 1, NULL, 0) != 0)
            break;
    }
    mem_free(labels);
    if (l->omega != UINT32_MAX) {
        out->term = mem_alloc(sizeof *out->term);
        if (!out->term)
            return c->status = COMPILE_NOMEM, -1;
        out->term[0] = (NetPart){comp, LABEL_TERM};
        out->term_count = 1;
        out->can_terminate = 1;
    }
    return c->status == COMPILE_OK ? 0 : -1;
}

static int compile_node(Compiler *c, uint32_t term, Sub *out);

/* Distributed termination of a parallel node (term.c: OMEGA || OMEGA
 * -tick-> OMEGA): a flag component 0 -FIRE-> 1 with a TERM loop on 1; the
 * node terminates when both sides have, and is terminated once fired. */
static int compile_termination(Compiler *c, Sub *l, Sub *r, Sub *out)
{
    if (!l->can_terminate || !r->can_terminate)
        return 0;
    Lts flag = {0};
    flag.states = 2;
    flag.transitions = 2;
    flag.omega = 1;
    flag.offset = mem_alloc(3 * sizeof *flag.offset);
    flag.event = mem_alloc(2 * sizeof *flag.event);
    flag.target = mem_alloc(2 * sizeof *flag.target);
    if (!flag.offset || !flag.event || !flag.target) {
        lts_free(&flag);
        return c->status = COMPILE_NOMEM, -1;
    }
    mem_copy(flag.offset, (uint32_t[]){0, 1, 2}, 3 * sizeof *flag.offset);
    mem_copy(flag.event, (uint32_t[]){LABEL_FIRE, LABEL_TERM}, 2 * sizeof(uint32_t));
    mem_copy(flag.target, (uint32_t[]){1, 1}, 2 * sizeof(uint32_t));
    uint32_t comp = compiler_comp(c, &flag, 0, TERM_NONE);
    if (comp == UINT32_MAX) {
        lts_free(&flag);
        return -1;
    }
    size_t n = l->term_count + r->term_count;
    NetPart *parts = mem_alloc((n + 1) * sizeof *parts);
    out->term = mem_alloc(sizeof *out->term);
    if (!parts || !out->term) {
        mem_free(parts);
        return c->status = COMPILE_NOMEM, -1;
    }
    mem_copy(parts, l->term, l->term_count * sizeof *parts);
    mem_copy(parts + l->term_count, r->term, r->term_count * sizeof *parts);
    parts[n] = (NetPart){comp, LABEL_FIRE};
    int rc = rules_add(c, &out->rules, EVENT_TICK, parts, n + 1, NULL, 0);
    mem_free(parts);
    out->term[0] = (NetPart){comp, LABEL_TERM};
    out->term_count = 1;
    out->can_terminate = 1;
    return rc;
}

/* What one side of a parallel node may do alone with visible event a. */
typedef enum Alone { ALONE_FREE, ALONE_SYNC, ALONE_BLOCKED } Alone;

static Alone par_alone(Compiler *c, const Term *p, int side, uint32_t a)
{
    if (p->kind == TERM_LINK) {
        EventRel rel = term_rel_get(c->terms, p->rel);
        const uint32_t *col = side == 0 ? rel.from : rel.to;
        for (size_t i = 0; i < rel.count; i++)
            if (col[i] == a)
                return ALONE_SYNC;
        return ALONE_FREE;
    }
    EventSet sync = term_set_get(c->terms, p->set_a);
    if (p->kind == TERM_PAR)
        return event_set_has(&sync, a) ? ALONE_SYNC : ALONE_FREE;
    EventSet mine = term_set_get(c->terms, side == 0 ? p->set_a : p->set_b);
    EventSet other = term_set_get(c->terms, side == 0 ? p->set_b : p->set_a);
    if (!event_set_has(&mine, a))
        return ALONE_BLOCKED;
    return event_set_has(&other, a) ? ALONE_SYNC : ALONE_FREE;
}

/*  P -tau-> P'  ==>  P || Q -tau-> P' || Q
 *  P -tick-> P' ==>  P || Q -tau-> OMEGA || Q   (the leaf goes to OMEGA)
 *  P -a-> P', a free for P  ==>  P || Q -a-> P' || Q */
static int par_free_rules(Compiler *c, const Term *p, int side, const Sub *s,
                          Rules *out)
{
    for (size_t i = 0; i < s->rules.count; i++) {
        const NetRule *r = &s->rules.items[i];
        uint32_t a = r->event;
        if (a == EVENT_TICK)
            a = EVENT_TAU;
        else if (a != EVENT_TAU && par_alone(c, p, side, a) != ALONE_FREE)
            continue;
        if (rules_copy(c, out, r, a) != 0)
            return -1;
    }
    return 0;
}

/*  P -a-> P', Q -b-> Q', a and b synchronised  ==>  P || Q -e-> P' || Q'
 * where b = a and e = a for [| A |] and [A || B], and (a, b) is a link
 * with e = tau for [a <-> b]. */
static int par_sync_rules(Compiler *c, const Term *p, const Sub *l,
                          const Sub *r, Rules *out)
{
    EventRel link = {0};
    if (p->kind == TERM_LINK)
        link = term_rel_get(c->terms, p->rel);
    for (size_t i = 0; i < l->rules.count; i++) {
        const NetRule *x = &l->rules.items[i];
        if (x->event == EVENT_TAU || x->event == EVENT_TICK ||
            par_alone(c, p, 0, x->event) != ALONE_SYNC)
            continue;
        for (size_t j = 0; j < r->rules.count; j++) {
            const NetRule *y = &r->rules.items[j];
            int match = 0;
            if (p->kind != TERM_LINK)
                match = y->event == x->event;
            else
                for (size_t k = 0; k < link.count && !match; k++)
                    match = link.from[k] == x->event && link.to[k] == y->event;
            if (match &&
                rules_add(c, out, p->kind == TERM_LINK ? EVENT_TAU : x->event,
                          x->parts, x->count, y->parts, y->count) != 0)
                return -1;
        }
    }
    return 0;
}

static int compile_parallel(Compiler *c, const Term *p, Sub *out)
{
    Sub l = {0}, r = {0};
    int rc = -1;
    if (compile_node(c, p->kids[0], &l) == 0 &&
        compile_node(c, p->kids[1], &r) == 0 &&
        par_free_rules(c, p, 0, &l, &out->rules) == 0 &&
        par_free_rules(c, p, 1, &r, &out->rules) == 0 &&
        par_sync_rules(c, p, &l, &r, &out->rules) == 0)
        rc = compile_termination(c, &l, &r, out);
    sub_free(&l);
    sub_free(&r);
    return rc;
}

/*  P -a-> P', a in A  ==>  P \ A -tau-> P' \ A   (others unchanged)
 *  P -a-> P', a R b   ==>  P[[R]] -b-> P'[[R]]   (a outside dom R unchanged) */
static int compile_unary(Compiler *c, const Term *p, Sub *out)
{
    Sub kid = {0};
    if (compile_node(c, p->kids[0], &kid) != 0) {
        sub_free(&kid);
        return -1;
    }
    EventSet hidden = {0};
    EventRel rel = {0};
    if (p->kind == TERM_HIDE)
        hidden = term_set_get(c->terms, p->set_a);
    else
        rel = term_rel_get(c->terms, p->rel);
    int rc = 0;
    for (size_t i = 0; i < kid.rules.count && rc == 0; i++) {
        const NetRule *r = &kid.rules.items[i];
        uint32_t a = r->event;
        int renamed = 0;
        if (p->kind == TERM_HIDE && event_set_has(&hidden, a))
            a = EVENT_TAU;
        for (size_t k = 0; k < rel.count && rc == 0 && a > EVENT_TICK; k++)
            if (rel.from[k] == a) {
                rc = rules_copy(c, &out->rules, r, rel.to[k]);
                renamed = 1;
            }
        if (!renamed && rc == 0)
            rc = rules_copy(c, &out->rules, r, a);
    }
    /* Termination passes through hiding and renaming. */
    out->term = kid.term;
    out->term_count = kid.term_count;
    out->can_terminate = kid.can_terminate;
    kid.term = NULL;
    sub_free(&kid);
    return rc;
}

/*  chase(P), P a network: P's taus are forced (network.h), everything
 *  else passes through. The term semantics walks the same first taus
 *  (term.c, step_chase); which tau is first may differ between the two
 *  where P's taus are not confluent, where chase does not preserve the
 *  semantics anyway (FDR's caveat). */
static int compile_chase(Compiler *c, const Term *p, Sub *out)
{
    if (compile_node(c, p->kids[0], out) != 0)
        return -1;
    for (size_t i = 0; i < out->rules.count; i++)
        if (out->rules.items[i].event == EVENT_TAU)
            out->rules.items[i].forced = 1;
    return 0;
}

/* 1 when term is chase(P) with P a static operator (a network). */
static int chase_of_network(TermTable *terms, const Term *p)
{
    if (p->kind != TERM_COMPRESS || p->event != COMPRESS_CHASE)
        return 0;
    uint32_t kid = term_unfold(terms, p->kids[0]);
    return kid != TERM_NONE && term_is_static(term_get(terms, kid)->kind);
}

/* A static operator becomes a node; anything else is a leaf, explored from
 * the term as written (a thunk keeps its name, e.g. PHIL(2)). */
static int compile_node(Compiler *c, uint32_t term, Sub *out)
{
    if (stack_low()) {
        c->status = COMPILE_LEAF_LIMIT;
        snprintf(c->err, c->err_len, "the process nests parallel, hiding or "
                 "renaming operators too deeply to compile");
        return -1;
    }
    uint32_t body = term_unfold(c->terms, term);
    if (body == TERM_NONE) {
        const char *why = term_last_error(c->terms);
        c->status = COMPILE_ERROR;
        snprintf(c->err, c->err_len, "%s", why ? why : "");
        return -1;
    }
    const Term *p = term_get(c->terms, body);
    switch (p->kind) {
    case TERM_PAR: case TERM_APAR: case TERM_LINK:
        return compile_parallel(c, p, out);
    case TERM_HIDE: case TERM_RENAME:
        return compile_unary(c, p, out);
    default:
        return chase_of_network(c->terms, p) ? compile_chase(c, p, out)
                                      : compile_leaf(c, term, out);
    }
}

/* The number of leaves of the static tree under `term`, saturating at
 * MAX_COMPONENTS + 1, with a memo by term id: shared subterms make the tree
 * exponentially larger than the term, and this counts it without building
 * it. 0 in memo: not known yet. A tree deeper than MAX_COMPONENTS is cut
 * there (*too_deep set): a recursion through a static operator that never
 * ends, P(n) = a -> STOP ||| P(n+1), would otherwise unfold for ever. */
static uint64_t static_leaves(TermTable *terms, uint32_t term, uint64_t *memo,
                              uint32_t memo_size, uint32_t depth,
                              int *too_deep)
{
    if (depth > MAX_COMPONENTS || stack_low()) {
        *too_deep = 1;
        return MAX_COMPONENTS + 1;
    }
    uint32_t body = term_unfold(terms, term);
    if (body == TERM_NONE)
        return 1; /* the error surfaces when the leaf is compiled */
    if (body < memo_size && memo[body])
        return memo[body];
    const Term *p = term_get(terms, body);
    uint64_t n = 1;
    if (term_is_static(p->kind) || chase_of_network(terms, p)) {
        n = 0;
        for (uint32_t i = 0; i < p->nkids && n <= MAX_COMPONENTS; i++)
            n += static_leaves(terms, p->kids[i], memo, memo_size, depth + 1,
                               too_deep);
        if (n > MAX_COMPONENTS)
            n = MAX_COMPONENTS + 1;
    }
    if (body < memo_size)
        memo[body] = n;
    return n;
}

static CompileStatus compile_network(TermTable *terms, uint32_t root,
                                     const CompileOptions *opt, Machine **out,
                                     char *err, size_t err_len)
{
    uint32_t memo_size = term_count(terms);
    uint64_t *memo = mem_calloc(memo_size + 1, sizeof *memo);
    if (!memo)
        return COMPILE_NOMEM;
    int too_deep = 0;
    uint64_t leaves = static_leaves(terms, root, memo, memo_size, 0,
                                    &too_deep);
    mem_free(memo);
    if (too_deep) {
        snprintf(err, err_len, "the process nests parallel, hiding or "
                 "renaming operators too deep (%d levels): an endless "
                 "recursion through one, as P(n) = a -> STOP ||| P(n+1), is "
                 "an infinite network, not supported", MAX_COMPONENTS);
        return COMPILE_LEAF_LIMIT;
    }
    if (leaves > MAX_COMPONENTS) {
        snprintf(err, err_len, "the process is a network of more than %d "
                 "parallel components (a recursion through a parallel "
                 "operator doubling at each step?)", MAX_COMPONENTS);
        return COMPILE_LEAF_LIMIT;
    }
    Compiler c = {.terms = terms, .status = COMPILE_OK, .err = err,
                  .err_len = err_len};
    c.max_leaf = opt && opt->max_leaf_states ? opt->max_leaf_states : 1000000;
    c.leaf = opt ? opt->leaf : LEAF_NONE;
    Sub top = {0};
    if (compile_node(&c, root, &top) != 0) {
        sub_free(&top);
        for (size_t i = 0; i < c.comp_count; i++)
            lts_free(&c.comps[i].lts);
        mem_free(c.comps);
        return c.status;
    }
    *out = network_new(terms, c.comps, c.comp_count, top.rules.items,
                       top.rules.count, top.term, top.term_count);
    if (*out && network_chase_cycle(*out)) {
        snprintf(err, err_len, "chase: the forced taus of the initial state "
                 "go round a cycle, or past 2^20 in a row (chase of a "
                 "process that diverges)");
        machine_free(*out);
        *out = NULL;
        return COMPILE_ERROR;
    }
    return *out ? COMPILE_OK : COMPILE_NOMEM;
}

CompileStatus compile_machine(TermTable *terms, uint32_t root,
                              const CompileOptions *options, Machine **out,
                              char *err, size_t err_len)
{
    if (err_len)
        err[0] = '\0';
    *out = NULL;
    if (options && options->mode == COMPILE_TERMS) {
        uint32_t start = termmachine_canonical(terms, root);
        if (start == TERM_NONE) {
            const char *why = term_last_error(terms);
            if (why) {
                snprintf(err, err_len, "%s", why);
                return COMPILE_ERROR;
            }
            snprintf(err, err_len, "the process's parallel structure has "
                     "more than 1,000,000 operators (a recursion through a "
                     "parallel operator doubling at each step?)");
            return COMPILE_LEAF_LIMIT;
        }
        *out = termmachine_new(terms, start);
        return *out ? COMPILE_OK : COMPILE_NOMEM;
    }
    /* prioritise(P, As), prioritisepo on top: P's network, filtered by a
     * machine */
    uint32_t body = term_unfold(terms, root);
    if (body != TERM_NONE && term_is_priority(term_get(terms, body)->kind)) {
        const Term *p = term_get(terms, body);
        term_priority_scope(terms, 1);
        CompileStatus st = compile_machine(terms, p->kids[0], options, out,
                                           err, err_len);
        term_priority_scope(terms, 0);
        if (st != COMPILE_OK)
            return st;
        EventRel rel = term_rel_get(terms, p->rel);
        Machine *m = p->kind == TERM_PRIORITISE_PO
                         ? priority_order_machine(*out, rel.from, rel.to,
                                                  rel.count)
                         : priority_machine(*out, rel.from, rel.to, rel.count);
        if (!m) {
            machine_free(*out);
            *out = NULL;
            return COMPILE_NOMEM;
        }
        *out = m;
        return COMPILE_OK;
    }
    return compile_network(terms, root, options, out, err, err_len);
}

uint32_t compile_component_term(const Machine *m, const uint32_t *state,
                                size_t component)
{
    m = priority_unwrap(m); /* :[tau priority]: the same states */
    if (network_is(m))
        return network_leaf_term(m, state, component);
    return component == 0 ? state[0] : TERM_NONE;
}
