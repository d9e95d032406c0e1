/* term: hash-consed process terms and their operational semantics.
 *
 * Construction interns a Term blob (intern.h). term_transitions computes the
 * transitions of a term from those of its kids, by the firing rules of
 * Roscoe's operational semantics (The Theory and Practice of Concurrency,
 * ch. 7; Understanding Concurrent Systems, ch. 9) as FDR implements them:
 * each rule is written above the code that fires it, in the form
 *     premise  ==>  conclusion.
 * Every tick leads to OMEGA. This file does not compile anything: compile.c
 * turns the static top of a term into an operator network, and uses these
 * rules only for the sequential leaves. It does not print traces either. */
#include "term.h"

#include "term_impl.h"

#include "compress.h"
#include "lts.h"
#include "mem.h"
#include "priority.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Unguarded recursion (P = P [] a -> P) would recurse forever: deeper than
 * this, term_transitions gives up with an error. */
enum { TERM_MAX_DEPTH = 2000, TERM_MAX_UNFOLD = 10000 };


/* ---------- construction ---------- */

uint32_t term_intern(TermTable *t, const Term *proto,
                            const uint32_t *kids, size_t n)
{
    size_t size = sizeof(Term) + n * sizeof(uint32_t);
    uint32_t buf[64];
    Term *blob = size <= sizeof buf ? (Term *)buf : mem_alloc(size);
    if (!blob)
        return TERM_NONE;
    memset(blob, 0, sizeof(Term));
    *blob = *proto;
    blob->nkids = (uint32_t)n;
    if (n)
        mem_copy(blob->kids, kids, n * sizeof *kids);
    uint32_t id = intern_add(t->terms, blob, size);
    if ((void *)blob != (void *)buf)
        mem_free(blob);
    return id;
}

TermTable *term_table_new(EventTable *events, const TermHooks *hooks)
{
    TermTable *t = mem_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->events = events;
    if (hooks)
        t->hooks = *hooks;
    pthread_mutex_init(&t->resolve_lock, NULL);
    term_compress_init(t);
    t->terms = intern_new();
    t->sets = intern_new();
    t->rels = intern_new();
    if (!t->terms || !t->sets || !t->rels) {
        term_table_free(t);
        return NULL;
    }
    Term omega, stop;
    term_proto(&omega, TERM_OMEGA);
    term_proto(&stop, TERM_STOP);
    t->omega = term_intern(t, &omega, NULL, 0);
    t->stop = term_intern(t, &stop, NULL, 0);
    if (t->omega == TERM_NONE || t->stop == TERM_NONE) {
        term_table_free(t);
        return NULL;
    }
    return t;
}

void term_table_free(TermTable *t)
{
    if (!t)
        return;
    intern_free(t->terms);
    intern_free(t->sets);
    intern_free(t->rels);
    mem_free(t->resolved);
    term_compress_free(t);
    pthread_mutex_destroy(&t->resolve_lock);
    mem_free(t);
}

EventTable *term_events(const TermTable *t) { return t->events; }

static uint32_t term_leaf(TermTable *t, TermKind kind)
{
    Term p;
    term_proto(&p, kind);
    return term_intern(t, &p, NULL, 0);
}

uint32_t term_stop(TermTable *t) { return t->stop; }
uint32_t term_skip(TermTable *t) { return term_leaf(t, TERM_SKIP); }
uint32_t term_div(TermTable *t) { return term_leaf(t, TERM_DIV); }
uint32_t term_omega(TermTable *t) { return t->omega; }

/* A term of one kid and an event: PREFIX, TIMED. */
static uint32_t term_evented(TermTable *t, TermKind kind, uint32_t event,
                             uint32_t next)
{
    if (next == TERM_NONE || event == EVENT_NONE)
        return TERM_NONE;
    Term p;
    term_proto(&p, kind);
    p.event = event;
    return term_intern(t, &p, &next, 1);
}

uint32_t term_prefix(TermTable *t, uint32_t event, uint32_t next)
{
    return term_evented(t, TERM_PREFIX, event, next);
}

uint32_t term_timed(TermTable *t, uint32_t tock, uint32_t next)
{
    return term_evented(t, TERM_TIMED, tock, next);
}

uint32_t term_thunk(TermTable *t, uint32_t ref)
{
    Term p;
    term_proto(&p, TERM_THUNK);
    p.ref = ref;
    return term_intern(t, &p, NULL, 0);
}

uint32_t term_choice(TermTable *t, TermKind kind, const uint32_t *kids,
                     size_t n)
{
    if (n == 1)
        return kids[0];
    return term_make(t, kind, TERM_NONE, TERM_NONE, TERM_NONE, kids, n);
}

uint32_t term_make(TermTable *t, TermKind kind, uint32_t set_a,
                   uint32_t set_b, uint32_t rel, const uint32_t *kids,
                   size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (kids[i] == TERM_NONE)
            return TERM_NONE;
    Term p;
    term_proto(&p, kind);
    p.set_a = set_a;
    p.set_b = set_b;
    p.rel = rel;
    return term_intern(t, &p, kids, n);
}

uint32_t term_set(TermTable *t, const uint32_t *ids, size_t n)
{
    uint32_t *copy = mem_alloc((n + 1) * sizeof *copy);
    if (!copy)
        return TERM_NONE;
    mem_copy(copy + 1, ids, n * sizeof *ids);
    copy[0] = (uint32_t)event_set_normalise(copy + 1, n);
    uint32_t id = intern_add(t->sets, copy, (copy[0] + 1) * sizeof *copy);
    mem_free(copy);
    return id;
}

/* A set blob is {count, ids...}: the view points into it. */
EventSet term_set_get(const TermTable *t, uint32_t set)
{
    const uint32_t *blob = intern_get(t->sets, set, NULL);
    return (EventSet){blob[0], (uint32_t *)(blob + 1)};
}

static int term_pair_cmp(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

uint32_t term_rel(TermTable *t, const uint32_t *from, const uint32_t *to,
                  size_t n)
{
    uint32_t *pairs = mem_alloc((2 * n + 1) * sizeof *pairs);
    if (!pairs)
        return TERM_NONE;
    for (size_t i = 0; i < n; i++) {
        pairs[1 + 2 * i] = from[i];
        pairs[2 + 2 * i] = to[i];
    }
    qsort(pairs + 1, n, 2 * sizeof *pairs, term_pair_cmp);
    size_t out = 0;
    for (size_t i = 0; i < n; i++)
        if (out == 0 || term_pair_cmp(pairs + 1 + 2 * i,
                                      pairs + 1 + 2 * (out - 1)) != 0) {
            pairs[1 + 2 * out] = pairs[1 + 2 * i];
            pairs[2 + 2 * out] = pairs[2 + 2 * i];
            out++;
        }
    /* Lay out as {n, from[0..n-1], to[0..n-1]} so a view needs no copy. */
    uint32_t *blob = mem_alloc((2 * out + 1) * sizeof *blob);
    if (!blob) {
        mem_free(pairs);
        return TERM_NONE;
    }
    blob[0] = (uint32_t)out;
    for (size_t i = 0; i < out; i++) {
        blob[1 + i] = pairs[1 + 2 * i];
        blob[1 + out + i] = pairs[2 + 2 * i];
    }
    uint32_t id = intern_add(t->rels, blob, (2 * out + 1) * sizeof *blob);
    mem_free(blob);
    mem_free(pairs);
    return id;
}

EventRel term_rel_get(const TermTable *t, uint32_t rel)
{
    const uint32_t *blob = intern_get(t->rels, rel, NULL);
    uint32_t n = blob[0];
    return (EventRel){n, (uint32_t *)(blob + 1), (uint32_t *)(blob + 1 + n)};
}

const Term *term_get(const TermTable *t, uint32_t id)
{
    return intern_get(t->terms, id, NULL);
}

uint32_t term_count(const TermTable *t) { return intern_count(t->terms); }

int term_is_priority(TermKind kind)
{
    return kind == TERM_PRIORITISE || kind == TERM_PRIORITISE_PO;
}

int term_is_static(TermKind kind)
{
    return kind == TERM_PAR || kind == TERM_APAR || kind == TERM_HIDE ||
           kind == TERM_RENAME || kind == TERM_LINK;
}

/* ---------- resolving thunks ---------- */

void term_fail_text(TermTable *t, const char *text, int is_limit)
{
    pthread_mutex_lock(&t->resolve_lock);
    if (!t->error[0]) {
        snprintf(t->error, sizeof t->error, "%s", text);
        t->error_is_limit = is_limit;
    }
    pthread_mutex_unlock(&t->resolve_lock);
}

void term_fail(TermTable *t, const char *fmt, uint32_t id)
{
    char text[160];
    term_print(t, id, text, sizeof text);
    pthread_mutex_lock(&t->resolve_lock);
    if (!t->error[0])
        snprintf(t->error, sizeof t->error, fmt, text);
    pthread_mutex_unlock(&t->resolve_lock);
}

const char *term_last_error(TermTable *t)
{
    return t->error[0] ? t->error : NULL;
}

int term_error_is_limit(TermTable *t) { return t->error[0] && t->error_is_limit; }

void term_clear_error(TermTable *t)
{
    pthread_mutex_lock(&t->resolve_lock);
    t->error[0] = '\0';
    t->error_is_limit = 0;
    pthread_mutex_unlock(&t->resolve_lock);
}

/* Makes resolved[id] addressable, new slots zeroed. */
static int term_memo_reserve(TermTable *t, uint32_t id)
{
    size_t old = t->resolved_cap;
    if (mem_grow((void **)&t->resolved, &t->resolved_cap, (size_t)id + 1,
                 sizeof *t->resolved) != 0)
        return -1;
    memset(t->resolved + old, 0, (t->resolved_cap - old) * sizeof *t->resolved);
    return 0;
}

/* One step of resolution, memoised; the hook runs under resolve_lock so the
 * front end's evaluator is never entered by two threads at once. */
static uint32_t term_resolve_once(TermTable *t, uint32_t id)
{
    pthread_mutex_lock(&t->resolve_lock);
    uint32_t result = TERM_NONE;
    if (id < t->resolved_cap && t->resolved[id]) {
        result = t->resolved[id] - 1;
    } else if (t->hooks.resolve) {
        result = t->hooks.resolve(t->hooks.ud, term_get(t, id)->ref);
        if (result != TERM_NONE && term_memo_reserve(t, id) == 0)
            t->resolved[id] = result + 1;
    }
    pthread_mutex_unlock(&t->resolve_lock);
    return result;
}

uint32_t term_alias_end(TermTable *t, uint32_t id)
{
    for (int hops = 0; hops < TERM_MAX_UNFOLD && id != TERM_NONE; hops++) {
        if (term_get(t, id)->kind == TERM_COMPRESS) {
            /* sbisim(P) is the root state of its LTS, not a state before
             * it; chase(P) is chase(what P's first taus lead to) */
            uint32_t root = term_get(t, id)->event == COMPRESS_CHASE
                                ? term_chase_root(t, id)
                                : term_compressed_root(t, id);
            return root == TERM_NONE ? id : root;
        }
        if (term_get(t, id)->kind != TERM_THUNK)
            return id;
        uint32_t next = term_resolve_once(t, id);
        /* L = loop(P) is the loop's state: P ; loop(P) comes back to it */
        if (next != TERM_NONE && term_get(t, next)->kind == TERM_LOOP)
            return next;
        if (next == TERM_NONE || (term_get(t, next)->kind != TERM_THUNK &&
                                  term_get(t, next)->kind != TERM_COMPRESS))
            return id;
        id = next;
    }
    return id;
}

uint32_t term_unfold(TermTable *t, uint32_t id)
{
    for (int hops = 0; id != TERM_NONE; hops++) {
        if (term_get(t, id)->kind != TERM_THUNK)
            return id;
        if (hops == TERM_MAX_UNFOLD) {
            term_fail(t, "unguarded recursion: %s never reaches an operator",
                      id);
            return TERM_NONE;
        }
        id = term_resolve_once(t, id);
    }
    return TERM_NONE;
}

/* ---------- operational semantics ---------- */

/* Transitions of a kid, collected so that binary rules can combine them. */
typedef struct Moves {
    uint32_t *event, *target;
    size_t count, cap;
    int failed;
} Moves;

static void moves_push(void *ctx, uint32_t event, uint32_t target)
{
    Moves *m = ctx;
    if (target == TERM_NONE) {
        m->failed = 1;
        return;
    }
    if (m->count == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 16;
        uint32_t *e = mem_realloc(m->event, cap * sizeof *e);
        if (e)
            m->event = e;
        uint32_t *t = e ? mem_realloc(m->target, cap * sizeof *t) : NULL;
        if (!e || !t) {
            m->failed = 1;
            return;
        }
        m->target = t;
        m->cap = cap;
    }
    m->event[m->count] = event;
    m->target[m->count++] = target;
}

static void moves_free(Moves *m)
{
    mem_free(m->event);
    mem_free(m->target);
}

typedef struct Step {
    TermTable *t;
    TermEmit emit;
    void *ctx;
    int depth;
    int failed;
    int priority; /* stepping the process of a prioritise */
    /* Stepping thunk `thunk` through its body: a move back to `body` is a
     * move back to the thunk's state `self` (found when first needed),
     * one state as in FDR (P = a -> P [] ..., and every tock of a Timed
     * section's P = ... that waits); `body2` too (loop(P) is
     * P ; loop(P), also when a thunk stands for it). */
    uint32_t thunk, self, body, body2;
} Step;

static int term_step(Step *s, uint32_t id);

/* Collects the transitions of kid `id` into m; 0 or -1. */
static int term_collect(Step *s, uint32_t id, Moves *m)
{
    Step inner = {s->t, moves_push, m, s->depth + 1, 0, s->priority,
                  TERM_NONE, TERM_NONE, TERM_NONE, TERM_NONE};
    if (term_step(&inner, id) != 0 || m->failed) {
        s->failed = 1;
        return -1;
    }
    return 0;
}

static void step_emit(Step *s, uint32_t event, uint32_t target)
{
    if (target == TERM_NONE) {
        s->failed = 1;
        return;
    }
    if (target == s->body || target == s->body2) {
        if (s->self == TERM_NONE)
            s->self = term_alias_end(s->t, s->thunk);
        target = s->self;
    }
    s->emit(s->ctx, event, target);
}

/* Rebuilds term `p` with kid i replaced by `kid`. */
static uint32_t term_with_kid(TermTable *t, const Term *p, size_t i,
                              uint32_t kid)
{
    uint32_t kids[p->nkids];
    mem_copy(kids, p->kids, p->nkids * sizeof *kids);
    kids[i] = kid;
    return term_make(t, p->kind, p->set_a, p->set_b, p->rel, kids, p->nkids);
}

static uint32_t term_with_kids(TermTable *t, const Term *p, uint32_t k0,
                               uint32_t k1)
{
    uint32_t kids[2] = {k0, k1};
    return term_make(t, p->kind, p->set_a, p->set_b, p->rel, kids, 2);
}

/*  P -a-> P' (a != tau)  ==>  P [] Q -a-> P'
 *  P -tau-> P'           ==>  P [] Q -tau-> P' [] Q      (and for each kid) */
static void step_ext(Step *s, const Term *p)
{
    for (uint32_t i = 0; i < p->nkids && !s->failed; i++) {
        Moves m = {0};
        if (term_collect(s, p->kids[i], &m) == 0)
            for (size_t k = 0; k < m.count; k++)
                step_emit(s, m.event[k],
                          m.event[k] == EVENT_TAU
                              ? term_with_kid(s->t, p, i, m.target[k])
                              : m.target[k]);
        moves_free(&m);
    }
}

/* W = tock -> W [] P, by the rules of [] with W's own branch:
 *  W -tock-> W
 *  P -tau-> P'            ==>  W -tau-> (tock -> W) [] P'
 *  P -a-> P' (a != tau)   ==>  W -a-> P'   (OMEGA after tick) */
static void step_timed(Step *s, uint32_t id, const Term *p)
{
    Moves m = {0};
    step_emit(s, p->event, id);
    if (term_collect(s, p->kids[0], &m) == 0)
        for (size_t k = 0; k < m.count; k++) {
            uint32_t next = m.target[k];
            if (m.event[k] == EVENT_TAU) {
                uint32_t kids[2] = {term_prefix(s->t, p->event, id), next};
                next = term_make(s->t, TERM_EXT, TERM_NONE, TERM_NONE,
                                 TERM_NONE, kids, 2);
            }
            step_emit(s, m.event[k],
                      m.event[k] == EVENT_TICK ? s->t->omega : next);
        }
    moves_free(&m);
}

/*  P |~| Q -tau-> P,  P |~| Q -tau-> Q */
static void step_int(Step *s, const Term *p)
{
    for (uint32_t i = 0; i < p->nkids; i++)
        step_emit(s, EVENT_TAU, p->kids[i]);
}

/*  P -a-> P' (a != tick)  ==>  P ; Q -a-> P' ; Q
 *  P -tick-> P'           ==>  P ; Q -tau-> Q */
static void step_seq(Step *s, const Term *p)
{
    Moves m = {0};
    if (term_collect(s, p->kids[0], &m) == 0)
        for (size_t k = 0; k < m.count; k++)
            step_emit(s, m.event[k] == EVENT_TICK ? EVENT_TAU : m.event[k],
                      m.event[k] == EVENT_TICK
                          ? p->kids[1]
                          : term_with_kid(s->t, p, 0, m.target[k]));
    moves_free(&m);
}

/* Whether kid `side` (0 left, 1 right) may do visible `a` at all, and
 * whether it must synchronise on it, for the parallel operators. */
static int par_allowed(TermTable *t, const Term *p, int side, uint32_t a)
{
    if (p->kind != TERM_APAR)
        return 1;
    EventSet alpha = term_set_get(t, side == 0 ? p->set_a : p->set_b);
    return event_set_has(&alpha, a);
}

static int par_synced(TermTable *t, const Term *p, uint32_t a)
{
    if (p->kind == TERM_PAR) {
        EventSet sync = term_set_get(t, p->set_a);
        return event_set_has(&sync, a);
    }
    EventSet left = term_set_get(t, p->set_a), right = term_set_get(t, p->set_b);
    return event_set_has(&left, a) && event_set_has(&right, a);
}

/* Independent moves of one side of a parallel operator (PAR, APAR, LINK):
 *  P -tau-> P'                  ==>  P || Q -tau-> P' || Q
 *  P -tick-> P'                 ==>  P || Q -tau-> OMEGA || Q
 *  P -a-> P', a free for P      ==>  P || Q -a-> P' || Q      (same for Q) */
static void step_par_free(Step *s, const Term *p, int side, const Moves *m,
                          int (*free_for)(TermTable *, const Term *, int,
                                          uint32_t))
{
    for (size_t k = 0; k < m->count && !s->failed; k++) {
        uint32_t a = m->event[k], next = m->target[k];
        if (a == EVENT_TICK) {
            a = EVENT_TAU;
            next = s->t->omega;
        } else if (a != EVENT_TAU && !free_for(s->t, p, side, a)) {
            continue;
        }
        step_emit(s, a, side == 0 ? term_with_kids(s->t, p, next, p->kids[1])
                                  : term_with_kids(s->t, p, p->kids[0], next));
    }
}

static int par_free(TermTable *t, const Term *p, int side, uint32_t a)
{
    return par_allowed(t, p, side, a) && !par_synced(t, p, a);
}

/*  OMEGA || OMEGA -tick-> OMEGA   (distributed termination) */
static void step_par_done(Step *s, const Term *p)
{
    if (p->kids[0] == s->t->omega && p->kids[1] == s->t->omega)
        step_emit(s, EVENT_TICK, s->t->omega);
}

/*  P -a-> P', Q -a-> Q', a in the synchronised set  ==>  P || Q -a-> P' || Q'
 * (for P [| A |] Q: a in A; for P [A || B] Q: a in A and B) */
static void step_par(Step *s, const Term *p)
{
    Moves l = {0}, r = {0};
    if (term_collect(s, p->kids[0], &l) == 0 &&
        term_collect(s, p->kids[1], &r) == 0) {
        step_par_free(s, p, 0, &l, par_free);
        step_par_free(s, p, 1, &r, par_free);
        for (size_t i = 0; i < l.count && !s->failed; i++) {
            uint32_t a = l.event[i];
            if (a == EVENT_TAU || a == EVENT_TICK || !par_synced(s->t, p, a))
                continue;
            for (size_t j = 0; j < r.count; j++)
                if (r.event[j] == a)
                    step_emit(s, a, term_with_kids(s->t, p, l.target[i],
                                                   r.target[j]));
        }
        step_par_done(s, p);
    }
    moves_free(&l);
    moves_free(&r);
}

/* In P [a <-> b] Q, P's events in the domain and Q's in the range of the
 * link are only done together. */
static int link_free(TermTable *t, const Term *p, int side, uint32_t a)
{
    EventRel rel = term_rel_get(t, p->rel);
    const uint32_t *col = side == 0 ? rel.from : rel.to;
    for (size_t i = 0; i < rel.count; i++)
        if (col[i] == a)
            return 0;
    return 1;
}

/*  P -a-> P', Q -b-> Q', (a, b) linked  ==>  P [a <-> b] Q -tau-> P' [..] Q' */
static void step_link(Step *s, const Term *p)
{
    Moves l = {0}, r = {0};
    if (term_collect(s, p->kids[0], &l) == 0 &&
        term_collect(s, p->kids[1], &r) == 0) {
        step_par_free(s, p, 0, &l, link_free);
        step_par_free(s, p, 1, &r, link_free);
        EventRel rel = term_rel_get(s->t, p->rel);
        for (size_t i = 0; i < l.count && !s->failed; i++)
            for (size_t k = 0; k < rel.count; k++) {
                if (rel.from[k] != l.event[i])
                    continue;
                for (size_t j = 0; j < r.count; j++)
                    if (r.event[j] == rel.to[k])
                        step_emit(s, EVENT_TAU,
                                  term_with_kids(s->t, p, l.target[i],
                                                 r.target[j]));
            }
        step_par_done(s, p);
    }
    moves_free(&l);
    moves_free(&r);
}

/*  P -a-> P', a in A   ==>  P \ A -tau-> P' \ A
 *  P -a-> P', a not in A, a != tick  ==>  P \ A -a-> P' \ A
 *  P -tick-> P'        ==>  P \ A -tick-> OMEGA */
/* P \ A with P's successor `kid` in place of P. (Q \ B) \ A = Q \ (A u B),
 * so when `kid` is itself a hiding (IMPL = (a -> IMPL) \ {a}) the result is
 * one hiding: the term does not grow by a layer at every step. */
static uint32_t hide_of(TermTable *t, const Term *p, uint32_t kid)
{
    uint32_t body = term_get(t, kid)->kind == TERM_THUNK ? term_unfold(t, kid)
                                                          : kid;
    if (body == TERM_NONE)
        return TERM_NONE;
    const Term *inner = term_get(t, body);
    if (inner->kind != TERM_HIDE)
        return term_with_kid(t, p, 0, kid);
    EventSet a = term_set_get(t, p->set_a), b = term_set_get(t, inner->set_a);
    uint32_t *ids = mem_alloc((a.count + b.count + 1) * sizeof *ids);
    if (!ids)
        return TERM_NONE;
    mem_copy(ids, a.ids, a.count * sizeof *ids);
    mem_copy(ids + a.count, b.ids, b.count * sizeof *ids);
    uint32_t set = term_set(t, ids, a.count + b.count);
    mem_free(ids);
    if (set == TERM_NONE)
        return TERM_NONE;
    uint32_t kids[1] = {inner->kids[0]};
    return term_make(t, TERM_HIDE, set, p->set_b, p->rel, kids, 1);
}

static void step_hide(Step *s, const Term *p)
{
    Moves m = {0};
    EventSet hidden = term_set_get(s->t, p->set_a);
    if (term_collect(s, p->kids[0], &m) == 0)
        for (size_t k = 0; k < m.count; k++) {
            uint32_t a = m.event[k];
            if (a == EVENT_TICK) {
                step_emit(s, a, s->t->omega);
                continue;
            }
            if (event_set_has(&hidden, a))
                a = EVENT_TAU;
            step_emit(s, a, hide_of(s->t, p, m.target[k]));
        }
    moves_free(&m);
}

/* chase(P), lazily: P takes its first tau whenever it has one (FDR's
 * forced tau), and only what P reaches so is ever stepped, so a chased
 * process of a huge state space costs what the system around it visits
 * (a spy's knowledge, chased through its inferences, is explored as the
 * protocol feeds it, not in isolation). The state chase(Q) holds the
 * stable term the walk stops at; every target is chased as it is made,
 * so a chase state never holds a term the walk would leave. Forced taus
 * that go round a cycle (chase of a divergent process) are an error, as
 * in a chased network (network.c). */
enum { CHASE_MAX_WALK = 1 << 20 };

/* Walks p's first taus; returns the term the walk stops at, its moves in
 * *m (owned by the caller), or TERM_NONE (s->failed) on failure. */
static uint32_t chase_walk(Step *s, uint32_t p, Moves *m)
{
    uint32_t *seen = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        *m = (Moves){0};
        if (term_collect(s, p, m) != 0)
            break;
        size_t k = 0;
        while (k < m->count && m->event[k] != EVENT_TAU)
            k++;
        if (k == m->count) { /* stable */
            mem_free(seen);
            return p;
        }
        size_t i = 0;
        while (i < len && seen[i] != p)
            i++;
        if (i < len) {
            term_fail(s->t, "chase: the forced taus of %s go round a cycle "
                      "(chase of a process that diverges)", p);
            s->failed = 1;
            break;
        }
        if (len == CHASE_MAX_WALK ||
            mem_grow((void **)&seen, &cap, len + 1, sizeof *seen)) {
            term_fail(s->t, "chase: more than 2^20 forced taus from %s",
                      p);
            s->failed = 1;
            break;
        }
        seen[len++] = p;
        p = m->target[k];
        moves_free(m);
    }
    moves_free(m);
    *m = (Moves){0};
    mem_free(seen);
    return TERM_NONE;
}

/* The chase state of term p: chase(the term its walk stops at). A chase
 * term is one already (it has no taus): a process that recurs through
 * its chase, P = chase(a -> P |~| b -> STOP), comes back to it. */
static uint32_t chase_of(Step *s, uint32_t p)
{
    if (p == s->t->omega)
        return p;
    uint32_t body = term_unfold(s->t, p);
    if (body != TERM_NONE && term_get(s->t, body)->kind == TERM_COMPRESS &&
        term_get(s->t, body)->event == COMPRESS_CHASE)
        return term_alias_end(s->t, p);
    Moves m;
    uint32_t q = chase_walk(s, p, &m);
    moves_free(&m);
    return q == TERM_NONE ? TERM_NONE : term_compress(s->t, COMPRESS_CHASE,
                                                      q);
}

static void step_chase(Step *s, const Term *p)
{
    Moves m;
    if (chase_walk(s, p->kids[0], &m) == TERM_NONE)
        return;
    for (size_t k = 0; k < m.count && !s->failed; k++)
        step_emit(s, m.event[k], m.event[k] == EVENT_TICK
                                     ? s->t->omega
                                     : chase_of(s, m.target[k]));
    moves_free(&m);
}

uint32_t term_chase_root(TermTable *t, uint32_t id)
{
    Step s = {t, moves_push, NULL, 0, 0, 0,
              TERM_NONE, TERM_NONE, TERM_NONE, TERM_NONE};
    Moves m;
    uint32_t q = chase_walk(&s, term_get(t, id)->kids[0], &m);
    moves_free(&m);
    return q == TERM_NONE ? TERM_NONE : term_compress(t, COMPRESS_CHASE, q);
}

/* The smallest priority level among the moves (UINT32_MAX: none). */
static uint32_t lowest_level(const EventRel *rel, const Moves *m)
{
    uint32_t lowest = UINT32_MAX;
    for (size_t k = 0; k < m->count; k++) {
        uint32_t level = priority_level(rel->from, rel->to, rel->count,
                                        m->event[k]);
        if (level && level < lowest)
            lowest = level;
    }
    return lowest;
}

/* prioritisepo: 0 when some move's event is above a in the order. */
static int order_allows(const EventRel *rel, const Moves *m, uint32_t a)
{
    for (size_t i = 0; i < rel->count; i++)
        if (rel->to[i] == a)
            for (size_t k = 0; k < m->count; k++)
                if (m->event[k] == rel->from[i])
                    return 0;
    return 1;
}

/* prioritise(P, As):
 *  P -a-> P', and no P -b-> with level(b) < level(a)  ==>
 *      prioritise(P, As) -a-> prioritise(P', As)   (P' = OMEGA after tick)
 *  (tau and tick have level 1; an event in no set has none: never
 *  blocked, never blocking; priority.h)
 * prioritisepo(P, X, R, M):
 *  P -a-> P', and no P -b-> with b above a in the order  ==>
 *      prioritisepo(P, ...) -a-> prioritisepo(P', ...) */
static void step_prioritised(Step *s, const Term *p)
{
    Moves m = {0};
    EventRel rel = term_rel_get(s->t, p->rel);
    int outer = s->priority;
    s->priority = 1;
    int rc = term_collect(s, p->kids[0], &m);
    s->priority = outer;
    int levels = p->kind == TERM_PRIORITISE;
    uint32_t lowest = rc == 0 && levels ? lowest_level(&rel, &m) : 0;
    for (size_t k = 0; rc == 0 && k < m.count; k++) {
        uint32_t a = m.event[k];
        if (levels ? !priority_allows(priority_level(rel.from, rel.to,
                                                     rel.count, a),
                                      lowest)
                   : !order_allows(&rel, &m, a))
            continue;
        step_emit(s, a, a == EVENT_TICK ? s->t->omega
                                        : term_with_kid(s->t, p, 0,
                                                        m.target[k]));
    }
    moves_free(&m);
}

/*  P -a-> P', a R b          ==>  P[[R]] -b-> P'[[R]]
 *  P -a-> P', a not in dom R ==>  P[[R]] -a-> P'[[R]]   (tau, tick unchanged;
 *  tick leads to OMEGA) */
static void step_rename(Step *s, const Term *p)
{
    Moves m = {0};
    EventRel rel = term_rel_get(s->t, p->rel);
    if (term_collect(s, p->kids[0], &m) == 0)
        for (size_t k = 0; k < m.count; k++) {
            uint32_t a = m.event[k];
            if (a == EVENT_TICK) {
                step_emit(s, a, s->t->omega);
                continue;
            }
            uint32_t next = term_with_kid(s->t, p, 0, m.target[k]);
            int renamed = 0;
            for (size_t i = 0; i < rel.count && a != EVENT_TAU; i++)
                if (rel.from[i] == a) {
                    step_emit(s, rel.to[i], next);
                    renamed = 1;
                }
            if (!renamed)
                step_emit(s, a, next);
        }
    moves_free(&m);
}

/*  P -a-> P' (a != tick)  ==>  P /\ Q -a-> P' /\ Q
 *  P -tick-> P'           ==>  P /\ Q -tick-> OMEGA
 *  Q -tau-> Q'            ==>  P /\ Q -tau-> P /\ Q'
 *  Q -a-> Q' (a != tau)   ==>  P /\ Q -a-> Q' */
static void step_interrupt(Step *s, const Term *p)
{
    Moves l = {0}, r = {0};
    if (term_collect(s, p->kids[0], &l) == 0 &&
        term_collect(s, p->kids[1], &r) == 0) {
        for (size_t k = 0; k < l.count; k++)
            step_emit(s, l.event[k],
                      l.event[k] == EVENT_TICK
                          ? s->t->omega
                          : term_with_kid(s->t, p, 0, l.target[k]));
        for (size_t k = 0; k < r.count; k++)
            step_emit(s, r.event[k],
                      r.event[k] == EVENT_TAU
                          ? term_with_kid(s->t, p, 1, r.target[k])
                          : r.target[k]);
    }
    moves_free(&l);
    moves_free(&r);
}

/*  P -tau-> P'           ==>  P [> Q -tau-> P' [> Q
 *  P -a-> P' (a != tau)  ==>  P [> Q -a-> P'
 *                             P [> Q -tau-> Q */
static void step_slide(Step *s, const Term *p)
{
    Moves m = {0};
    if (term_collect(s, p->kids[0], &m) == 0) {
        for (size_t k = 0; k < m.count; k++)
            step_emit(s, m.event[k],
                      m.event[k] == EVENT_TAU
                          ? term_with_kid(s->t, p, 0, m.target[k])
                          : m.target[k]);
        step_emit(s, EVENT_TAU, p->kids[1]);
    }
    moves_free(&m);
}

/*  P -a-> P', a in A        ==>  P [| A |> Q -a-> Q
 *  P -a-> P', a not in A    ==>  P [| A |> Q -a-> P' [| A |> Q   (incl. tau)
 *  P -tick-> P'             ==>  P [| A |> Q -tick-> OMEGA */
static void step_except(Step *s, const Term *p)
{
    Moves m = {0};
    EventSet caught = term_set_get(s->t, p->set_a);
    if (term_collect(s, p->kids[0], &m) == 0)
        for (size_t k = 0; k < m.count; k++) {
            uint32_t a = m.event[k];
            if (a == EVENT_TICK)
                step_emit(s, a, s->t->omega);
            else if (a != EVENT_TAU && event_set_has(&caught, a))
                step_emit(s, a, p->kids[1]);
            else
                step_emit(s, a, term_with_kid(s->t, p, 0, m.target[k]));
        }
    moves_free(&m);
}

/* Synchronising external choice P [+ A +] Q: the events of A are done by
 * both sides together and keep the choice open; any other visible event
 * resolves it:
 *  P -tau-> P'                    ==>  P [+A+] Q -tau-> P' [+A+] Q
 *  P -a-> P', a not in A, a!=tau  ==>  P [+A+] Q -a-> P'
 *  P -a-> P', Q -a-> Q', a in A   ==>  P [+A+] Q -a-> P' [+A+] Q'
 * Synchronising interrupt P /+ A +\ Q: P runs, Q may take over by an event
 * outside A, events of A are shared:
 *  P -a-> P', a not in A          ==>  P /+A+\ Q -a-> P' /+A+\ Q
 *  P -tick-> P'                   ==>  P /+A+\ Q -tick-> OMEGA
 *  Q -tau-> Q'                    ==>  P /+A+\ Q -tau-> P /+A+\ Q'
 *  Q -a-> Q', a not in A, a!=tau  ==>  P /+A+\ Q -a-> Q'
 *  P -a-> P', Q -a-> Q', a in A   ==>  P /+A+\ Q -a-> P' /+A+\ Q' */
static void step_sync_choice(Step *s, const Term *p)
{
    Moves l = {0}, r = {0};
    EventSet shared = term_set_get(s->t, p->set_a);
    int interrupt = p->kind == TERM_SYNCINT;
    if (term_collect(s, p->kids[0], &l) == 0 &&
        term_collect(s, p->kids[1], &r) == 0) {
        for (int side = 0; side < 2; side++) {
            const Moves *m = side ? &r : &l;
            for (size_t k = 0; k < m->count; k++) {
                uint32_t a = m->event[k];
                if (a != EVENT_TAU && a != EVENT_TICK &&
                    event_set_has(&shared, a))
                    continue;
                int stays = a == EVENT_TAU || (interrupt && side == 0);
                if (a == EVENT_TICK)
                    step_emit(s, a, s->t->omega);
                else
                    step_emit(s, a, stays ? term_with_kid(s->t, p, side,
                                                          m->target[k])
                                          : m->target[k]);
            }
        }
        for (size_t i = 0; i < l.count; i++) {
            uint32_t a = l.event[i];
            if (a == EVENT_TAU || a == EVENT_TICK ||
                !event_set_has(&shared, a))
                continue;
            for (size_t j = 0; j < r.count; j++)
                if (r.event[j] == a)
                    step_emit(s, a, term_with_kids(s->t, p, l.target[i],
                                                   r.target[j]));
        }
    }
    moves_free(&l);
    moves_free(&r);
}

/*  RUN(A) -a-> RUN(A) for a in A
 *  CHAOS(A) -a-> CHAOS(A) for a in A,  CHAOS(A) -tau-> STOP */
static void step_run(Step *s, uint32_t id, const Term *p)
{
    EventSet set = term_set_get(s->t, p->set_a);
    if (p->kind == TERM_CHAOS)
        step_emit(s, EVENT_TAU, s->t->stop);
    for (size_t i = 0; i < set.count; i++)
        if (set.ids[i] != EVENT_TAU && set.ids[i] != EVENT_TICK)
            step_emit(s, set.ids[i], id);
}

/* A state of a compressed LTS moves as the LTS says. */
static void step_explicit(Step *s, const Term *p)
{
    const Lts *lts = &term_explicit_get(s->t, p->ref)->lts;
    for (uint32_t k = lts->offset[p->event]; k < lts->offset[p->event + 1];
         k++)
        step_emit(s, lts->event[k], term_explicit(s->t, p->ref, lts->target[k]));
}

static int term_step(Step *s, uint32_t id)
{
    if (s->depth > TERM_MAX_DEPTH) {
        term_fail(s->t, "unguarded recursion (or a term nested too deeply) "
                        "in %s", id);
        return -1;
    }
    const Term *p = term_get(s->t, id);
    switch (p->kind) {
    case TERM_STOP: case TERM_OMEGA: break;
    /*  SKIP -tick-> OMEGA */
    case TERM_SKIP: step_emit(s, EVENT_TICK, s->t->omega); break;
    /*  DIV -tau-> DIV */
    case TERM_DIV: step_emit(s, EVENT_TAU, id); break;
    /*  a -> P -a-> P */
    case TERM_PREFIX: step_emit(s, p->event, p->kids[0]); break;
    case TERM_EXT: step_ext(s, p); break;
    case TERM_INT: step_int(s, p); break;
    case TERM_SEQ: step_seq(s, p); break;
    case TERM_PAR: case TERM_APAR: step_par(s, p); break;
    case TERM_LINK: step_link(s, p); break;
    case TERM_HIDE: step_hide(s, p); break;
    case TERM_RENAME: step_rename(s, p); break;
    case TERM_INTERRUPT: step_interrupt(s, p); break;
    case TERM_SLIDE: step_slide(s, p); break;
    case TERM_EXCEPT: step_except(s, p); break;
    case TERM_SYNCEXT: case TERM_SYNCINT: step_sync_choice(s, p); break;
    case TERM_RUN: case TERM_CHAOS: step_run(s, id, p); break;
    /* A compressed process moves as the root of its LTS; a chased one
     * lazily, by itself. */
    case TERM_COMPRESS: {
        if (p->event == COMPRESS_CHASE) {
            step_chase(s, p);
            break;
        }
        uint32_t root = term_compressed_root(s->t, id);
        return root == TERM_NONE ? -1 : term_step(s, root);
    }
    case TERM_EXPLICIT:
        if ((s->priority || s->t->priority_compile) &&
            term_explicit_get(s->t, p->ref)->tainted) {
            term_fail(s->t, "%s: prioritise cannot look through this "
                      "compression (only sbisim and explicate keep the taus "
                      "and offers that priority depends on)",
                      term_explicit_get(s->t, p->ref)->source);
            return -1;
        }
        step_explicit(s, p);
        break;
    case TERM_PRIORITISE: case TERM_PRIORITISE_PO:
        step_prioritised(s, p);
        break;
    case TERM_TIMED: step_timed(s, id, p); break;
    /* loop(P) moves as P ; loop(P), and that term is loop(P)'s state */
    case TERM_LOOP: {
        uint32_t kids[2] = {p->kids[0], id};
        uint32_t body = term_make(s->t, TERM_SEQ, TERM_NONE, TERM_NONE,
                                  TERM_NONE, kids, 2);
        if (body == TERM_NONE)
            return -1;
        if (s->body != id)
            s->thunk = s->self = id, s->body = body;
        else
            s->body2 = body;
        return term_step(s, body);
    }
    /* A thunk moves as the process it stands for. */
    case TERM_THUNK: {
        uint32_t body = term_unfold(s->t, id);
        if (body == TERM_NONE)
            return -1;
        s->thunk = id;
        s->body = body;
        return term_step(s, body);
    }
    default: return -1;
    }
    return s->failed ? -1 : 0;
}

int term_transitions(TermTable *t, uint32_t id, TermEmit emit, void *ctx)
{
    Step s = {t, emit, ctx, 0, 0, 0, TERM_NONE, TERM_NONE, TERM_NONE,
              TERM_NONE};
    return term_step(&s, id);
}

/* ---------- printing ---------- */

typedef struct Out {
    char *buf;
    size_t len, used;
    int brief;   /* sets of many events by their channels */
} Out;

static void out_str(Out *o, const char *s)
{
    while (*s && o->used + 1 < o->len)
        o->buf[o->used++] = *s++;
    if (*s && o->len >= 4) /* cut: mark it */
        mem_copy(o->buf + o->len - 4, "...", 3), o->used = o->len - 1;
    o->buf[o->used] = '\0';
}

/* The length of the channel part of an event's name: "picks" of
 * "picks.0.1". */
static size_t channel_len(const char *name)
{
    const char *dot = strchr(name, '.');
    return dot ? (size_t)(dot - name) : strlen(name);
}

static int same_channel(const char *x, size_t n, const char *y)
{
    return channel_len(y) == n && !strncmp(x, y, n);
}

/* How many interned events belong to the channel named by the first
 * `n` characters of `name`. */
static size_t channel_events(TermTable *t, const char *name, size_t n)
{
    size_t count = 0;
    for (uint32_t e = 0; e < event_count(t->events); e++) {
        const char *x = event_name(t->events, e);
        count += x && same_channel(name, n, x);
    }
    return count;
}

/* A set of many events by its channels: {| picks, putsdown |} for whole
 * channels, then "c.* (k of n)" for a part of one; never listed in full.
 * (Only for pictures: quadratic in the set's size.) */
static void print_set_brief(TermTable *t, Out *o, const EventSet *s)
{
    int whole = 0, part = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < s->count; i++) {
            const char *x = event_name(t->events, s->ids[i]);
            size_t n = channel_len(x), k = 0, seen = 0;
            for (size_t j = 0; j < s->count; j++)
                if (same_channel(x, n, event_name(t->events, s->ids[j]))) {
                    seen += j < i;
                    k++;
                }
            if (seen)
                continue; /* the channel was printed at its first event */
            size_t all = channel_events(t, x, n);
            char text[300];
            if (pass == 0 && k == all) {
                snprintf(text, sizeof text, "%.*s", (int)n, x);
                out_str(o, whole++ ? ", " : "{| ");
                out_str(o, text);
            } else if (pass == 1 && k != all) {
                snprintf(text, sizeof text, "%.*s.* (%zu of %zu)", (int)n,
                         x, k, all);
                out_str(o, part++ ? ", " : whole ? " |} + {" : "{");
                out_str(o, text);
            }
        }
    out_str(o, part ? "}" : " |}");
}

static void print_set(TermTable *t, Out *o, uint32_t set)
{
    EventSet s = term_set_get(t, set);
    if (o->brief && s.count > 4) {
        print_set_brief(t, o, &s);
        return;
    }
    out_str(o, "{");
    for (size_t i = 0; i < s.count; i++) {
        if (i)
            out_str(o, ", ");
        out_str(o, event_name(t->events, s.ids[i]));
    }
    out_str(o, "}");
}

static void print_term(TermTable *t, Out *o, uint32_t id, int nested);

static void print_kid(TermTable *t, Out *o, uint32_t id)
{
    print_term(t, o, id, 1);
}

static void print_binary(TermTable *t, Out *o, const Term *p, const char *op)
{
    print_kid(t, o, p->kids[0]);
    out_str(o, op);
    print_kid(t, o, p->kids[1]);
}

static void print_set_op(TermTable *t, Out *o, const Term *p, const char *l,
                         const char *r)
{
    print_kid(t, o, p->kids[0]);
    out_str(o, l);
    print_set(t, o, p->set_a);
    out_str(o, r);
    print_kid(t, o, p->kids[1]);
}

static void print_rel(TermTable *t, Out *o, uint32_t rel, const char *arrow)
{
    EventRel r = term_rel_get(t, rel);
    for (size_t i = 0; i < r.count; i++) {
        if (i)
            out_str(o, ", ");
        out_str(o, event_name(t->events, r.from[i]));
        out_str(o, arrow);
        out_str(o, event_name(t->events, r.to[i]));
    }
}

static void print_compound(TermTable *t, Out *o, const Term *p)
{
    switch (p->kind) {
    case TERM_PRIORITISE: {
        EventRel rel = term_rel_get(t, p->rel);
        uint32_t top = 0;
        for (size_t i = 0; i < rel.count; i++)
            top = rel.to[i] > top ? rel.to[i] : top;
        out_str(o, "prioritise(");
        print_term(t, o, p->kids[0], 0);
        out_str(o, ", <");
        for (uint32_t level = 1; level <= top; level++) {
            out_str(o, level > 1 ? ", {" : "{");
            int first = 1;
            for (size_t i = 0; i < rel.count; i++)
                if (rel.to[i] == level) {
                    out_str(o, first ? "" : ", ");
                    out_str(o, event_name(t->events, rel.from[i]));
                    first = 0;
                }
            out_str(o, "}");
        }
        out_str(o, ">)");
        break;
    }
    case TERM_LOOP:
        out_str(o, "loop(");
        print_term(t, o, p->kids[0], 0);
        out_str(o, ")");
        break;
    case TERM_PRIORITISE_PO: /* the order's closure, a > b each */
        out_str(o, "prioritisepo(");
        print_term(t, o, p->kids[0], 0);
        out_str(o, ", {");
        print_rel(t, o, p->rel, " > ");
        out_str(o, "})");
        break;
    case TERM_COMPRESS:
        out_str(o, compress_name((CompressKind)p->event));
        out_str(o, "(");
        print_term(t, o, p->kids[0], 0);
        out_str(o, ")");
        break;
    case TERM_PREFIX:
        out_str(o, event_name(t->events, p->event));
        out_str(o, " -> ");
        /* a -> b -> P needs no parentheses: -> is right associative */
        print_term(t, o, p->kids[0],
                   term_get(t, p->kids[0])->kind != TERM_PREFIX);
        break;
    case TERM_EXT: case TERM_INT:
        for (uint32_t i = 0; i < p->nkids; i++) {
            if (i)
                out_str(o, p->kind == TERM_EXT ? " [] " : " |~| ");
            print_kid(t, o, p->kids[i]);
        }
        break;
    case TERM_SEQ: print_binary(t, o, p, " ; "); break;
    case TERM_INTERRUPT: print_binary(t, o, p, " /\\ "); break;
    case TERM_SLIDE: print_binary(t, o, p, " [> "); break;
    case TERM_PAR:
        if (term_set_get(t, p->set_a).count == 0)
            print_binary(t, o, p, " ||| ");
        else
            print_set_op(t, o, p, " [| ", " |] ");
        break;
    case TERM_APAR:
        print_kid(t, o, p->kids[0]);
        out_str(o, " [");
        print_set(t, o, p->set_a);
        out_str(o, " || ");
        print_set(t, o, p->set_b);
        out_str(o, "] ");
        print_kid(t, o, p->kids[1]);
        break;
    case TERM_EXCEPT: print_set_op(t, o, p, " [| ", " |> "); break;
    case TERM_SYNCEXT: print_set_op(t, o, p, " [+ ", " +] "); break;
    case TERM_SYNCINT: print_set_op(t, o, p, " /+ ", " +\\ "); break;
    case TERM_HIDE:
        print_kid(t, o, p->kids[0]);
        out_str(o, " \\ ");
        print_set(t, o, p->set_a);
        break;
    case TERM_RENAME:
        print_kid(t, o, p->kids[0]);
        out_str(o, "[[");
        print_rel(t, o, p->rel, " <- ");
        out_str(o, "]]");
        break;
    case TERM_LINK:
        print_kid(t, o, p->kids[0]);
        out_str(o, " [");
        print_rel(t, o, p->rel, " <-> ");
        out_str(o, "] ");
        print_kid(t, o, p->kids[1]);
        break;
    default: break;
    }
}

static void print_term(TermTable *t, Out *o, uint32_t id, int nested)
{
    const Term *p = term_get(t, id);
    char ref[256];
    switch (p->kind) {
    case TERM_STOP: out_str(o, "STOP"); return;
    case TERM_SKIP: out_str(o, "SKIP"); return;
    case TERM_DIV: out_str(o, "DIV"); return;
    case TERM_OMEGA: out_str(o, "(terminated)"); return; /* after ✓ */
    case TERM_TIMED: { /* TSTOP, TSKIP, else the prefix that waits */
        TermKind k = term_get(t, p->kids[0])->kind;
        if (k == TERM_STOP || k == TERM_SKIP) {
            out_str(o, k == TERM_STOP ? "TSTOP" : "TSKIP");
            return;
        }
        out_str(o, "timed(");
        print_term(t, o, p->kids[0], 0);
        out_str(o, ")");
        return;
    }
    case TERM_RUN: case TERM_CHAOS:
        out_str(o, p->kind == TERM_RUN ? "RUN(" : "CHAOS(");
        print_set(t, o, p->set_a);
        out_str(o, ")");
        return;
    case TERM_EXPLICIT: { /* the uncompressed state it stands for */
        const TermExplicit *e = term_explicit_get(t, p->ref);
        if (e->lts.term[p->event] != TERM_NONE) {
            print_term(t, o, e->lts.term[p->event], nested);
            return;
        }
        /* a state of a network: named by the compression and a number */
        print_term(t, o, e->source, nested);
        snprintf(ref, sizeof ref, "#%u", p->event);
        out_str(o, ref);
        return;
    }
    case TERM_THUNK:
        if (t->hooks.print) {
            pthread_mutex_lock(&t->resolve_lock);
            t->hooks.print(t->hooks.ud, p->ref, ref, sizeof ref);
            pthread_mutex_unlock(&t->resolve_lock);
        } else {
            snprintf(ref, sizeof ref, "P#%u", p->ref);
        }
        out_str(o, ref);
        return;
    default:
        if (nested)
            out_str(o, "(");
        print_compound(t, o, p);
        if (nested)
            out_str(o, ")");
    }
}

void term_print(TermTable *t, uint32_t id, char *buf, size_t len)
{
    if (len == 0)
        return;
    Out o = {buf, len, 0, 0};
    buf[0] = '\0';
    print_term(t, &o, id, 0);
}

void term_print_brief(TermTable *t, uint32_t id, char *buf, size_t len)
{
    if (len == 0)
        return;
    Out o = {buf, len, 0, 1};
    buf[0] = '\0';
    print_term(t, &o, id, 0);
}
