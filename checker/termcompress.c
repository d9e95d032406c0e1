/* termcompress: compressed processes inside the term table. See term.h.
 *
 * sbisim(P) is the term TERM_COMPRESS(P). The first time it is stepped
 * (or aliased: it is the same state as its LTS's root), P is explored into
 * an explicit LTS (lts.h), compressed (compress.h), and the result kept in
 * the table for good; its states are TERM_EXPLICIT(index, state) terms, so
 * the network compiler takes a compressed process as a leaf like any
 * other, and the explored-term semantics steps it from the table.
 *
 * Building happens under compress_lock, a recursive mutex: exploring P may
 * meet a compression inside P (sbisim(diamond(Q))), on the same thread.
 * No thread holds the resolve lock while waiting for this one (the front
 * end's resolve hook never steps terms), so the two cannot deadlock. */
#include "term_impl.h"

#include "compile.h"
#include "compress.h"
#include "explore.h"
#include "network.h"
#include "limit.h"
#include "mem.h"
#include "termmachine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { COMPRESS_DEFAULT_MAX = 1000000 };

void term_compress_init(TermTable *t)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&t->compress_lock, &attr);
    pthread_mutexattr_destroy(&attr);
    t->compress_max = COMPRESS_DEFAULT_MAX;
}

void term_compress_free(TermTable *t)
{
    for (size_t i = 0; i < t->explicit_count; i++)
        lts_free(&term_explicit_get(t, (uint32_t)i)->lts);
    for (size_t c = 0; c < TERM_EXPLICIT_CHUNKS; c++)
        mem_free(t->explicit[c]);
    mem_free(t->failed);
    pthread_mutex_destroy(&t->compress_lock);
}

void term_priority_scope(TermTable *t, int enter)
{
    t->priority_compile += enter ? 1 : -1;
}

/* Whether an LTS has a state inside a compression priority cannot use. */
static int lts_tainted(TermTable *t, const Lts *lts)
{
    for (uint32_t s = 0; s < lts->states; s++) {
        if (lts->term[s] == TERM_NONE)
            continue;
        const Term *p = term_get(t, lts->term[s]);
        if (p->kind == TERM_EXPLICIT && term_explicit_get(t, p->ref)->tainted)
            return 1;
    }
    return 0;
}

/* ---------- a network to compress: explored as a compiled machine ---------- */

typedef struct Rows {
    const Explorer *ex;
    uint64_t *pairs; /* event << 32 | target id, of the state expanded */
    size_t count, cap;
    int failed;
} Rows;

static void rows_collect(void *ctx, uint32_t event, const uint32_t *target)
{
    Rows *r = ctx;
    uint64_t id = explore_lookup(r->ex, target);
    if (id == UINT64_MAX ||
        mem_grow((void **)&r->pairs, &r->cap, r->count + 1, sizeof *r->pairs)) {
        r->failed = 1;
        return;
    }
    r->pairs[r->count++] = (uint64_t)event << 32 | id;
}

static int pair_order(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The explicit LTS of machine m, explored (state ids in BFS order, the
 * initial state 0); states have no terms but the root. */
static LtsStatus machine_lts(const Machine *m, uint32_t root, size_t max,
                             Lts *out)
{
    memset(out, 0, sizeof *out);
    out->omega = UINT32_MAX;
    ExploreOptions eo = {.threads = 1, .max_states = max};
    Explorer *ex = explore_new(m, &eo);
    if (!ex)
        return LTS_NOMEM;
    ExploreStatus st = explore_run(ex, NULL, NULL);
    if (st != EXPLORE_DONE) {
        explore_free(ex);
        return st == EXPLORE_LIMIT_STATES ? LTS_LIMIT
               : st == EXPLORE_NOMEM || st == EXPLORE_MACHINE_ERROR
                   ? (st == EXPLORE_NOMEM ? LTS_NOMEM : LTS_ERROR)
                   : LTS_STOPPED;
    }
    uint64_t n = explore_stats(ex)->states;
    Rows r = {ex, NULL, 0, 0, 0};
    uint32_t *vec = mem_alloc((m->width + 1) * sizeof *vec);
    void *scratch = mem_calloc(1, m->scratch_size + 1);
    size_t cap = 0;
    out->term = mem_alloc((n + 1) * sizeof *out->term);
    out->offset = mem_alloc((n + 2) * sizeof *out->offset);
    LtsStatus ls = vec && scratch && out->term && out->offset ? LTS_OK
                                                              : LTS_NOMEM;
    for (uint64_t id = 0; id < n && ls == LTS_OK; id++) {
        explore_state(ex, id, vec);
        out->term[id] = id ? TERM_NONE : root;
        out->offset[id] = out->transitions;
        if (machine_terminated(m, vec) && out->omega == UINT32_MAX)
            out->omega = (uint32_t)id;
        r.count = 0;
        if (machine_successors(m, vec, scratch, rows_collect, &r) != 0 ||
            r.failed) {
            ls = r.failed ? LTS_NOMEM : LTS_ERROR;
            break;
        }
        if (r.count > 1)
            qsort(r.pairs, r.count, sizeof *r.pairs, pair_order);
        size_t need = out->transitions + r.count + 1, old = cap;
        if (mem_grow((void **)&out->event, &cap, need, sizeof *out->event)) {
            ls = LTS_NOMEM;
            break;
        }
        if (cap != old && !(out->target = mem_realloc(out->target,
                                                     cap * sizeof *out->target))) {
            ls = LTS_NOMEM;
            break;
        }
        for (size_t k = 0; k < r.count; k++) {
            out->event[out->transitions] = (uint32_t)(r.pairs[k] >> 32);
            out->target[out->transitions++] = (uint32_t)r.pairs[k];
        }
    }
    if (ls == LTS_OK) {
        out->states = (uint32_t)n;
        out->offset[n] = out->transitions;
    } else {
        lts_free(out);
    }
    mem_free(r.pairs);
    mem_free(vec);
    mem_free(scratch);
    explore_free(ex);
    return ls;
}

/* P's LTS: a network (a parallel operator in its static top) compiled
 * and explored as a machine, which is much faster than its terms;
 * anything else explored as terms. *tainted: a leaf holds a compression priority
 * cannot use. */
/* 1 when the static top of `id` (within `budget` operators) has a
 * parallel operator: only then is compiling a network worth its cost; a
 * hiding or renaming of one sequential process is explored faster as
 * terms. */
static int has_parallel(TermTable *t, uint32_t id, int *budget)
{
    uint32_t body = term_unfold(t, id);
    if (body == TERM_NONE || --*budget < 0)
        return 0;
    const Term *p = term_get(t, body);
    if (!term_is_static(p->kind))
        return 0;
    if (p->kind == TERM_PAR || p->kind == TERM_APAR || p->kind == TERM_LINK)
        return 1;
    for (uint32_t i = 0; i < p->nkids; i++)
        if (has_parallel(t, p->kids[i], budget))
            return 1;
    return 0;
}

static LtsStatus argument_lts(TermTable *t, uint32_t root, Lts *out,
                              int *tainted)
{
    int budget = 64;
    if (!has_parallel(t, root, &budget)) {
        LtsStatus ls = lts_explore(t, root, t->compress_max, out);
        *tainted = ls == LTS_OK && lts_tainted(t, out);
        return ls;
    }
    CompileOptions o = {COMPILE_NETWORK, t->compress_max, LEAF_NONE};
    Machine *m = NULL;
    char err[200];
    CompileStatus cs = compile_machine(t, root, &o, &m, err, sizeof err);
    if (cs != COMPILE_OK) {
        if (err[0] && !term_last_error(t) && cs != COMPILE_EVAL_ERROR) {
            /* err as the table's error (the front end holds an evaluation
             * error itself) */
            char fmt[300];
            for (char *c = err; *c; c++)
                *c = *c == '%' ? ' ' : *c;
            snprintf(fmt, sizeof fmt, "%%s: %s", err);
            term_fail(t, fmt, root);
            t->error_is_limit = cs == COMPILE_LEAF_LIMIT;
        }
        return cs == COMPILE_NOMEM ? LTS_NOMEM
               : cs == COMPILE_LEAF_LIMIT ? LTS_LIMIT : LTS_ERROR;
    }
    *tainted = 0;
    for (size_t i = 0; i < m->components && !*tainted; i++)
        *tainted = lts_tainted(t, network_leaf_lts(m, i));
    LtsStatus ls = machine_lts(m, root, t->compress_max, out);
    machine_free(m);
    return ls;
}

void term_set_compress_limit(TermTable *t, size_t max_states)
{
    t->compress_max = max_states ? max_states : COMPRESS_DEFAULT_MAX;
}

uint32_t term_compress(TermTable *t, int kind, uint32_t kid)
{
    if (kid == TERM_NONE)
        return TERM_NONE;
    Term p;
    term_proto(&p, TERM_COMPRESS);
    p.event = (uint32_t)kind;
    return term_intern(t, &p, &kid, 1);
}

uint32_t term_explicit(TermTable *t, uint32_t index, uint32_t state)
{
    if (state == term_explicit_get(t, index)->lts.omega)
        return term_omega(t);
    Term p;
    term_proto(&p, TERM_EXPLICIT);
    p.ref = index;
    p.event = state;
    return term_intern(t, &p, NULL, 0);
}

/* Why exploring or compressing failed, in the table's error (the first
 * error wins, as for every term error). */
static void compress_failed(TermTable *t, uint32_t id, const char *why,
                            int is_limit)
{
    char text[400];
    term_print(t, id, text, 160);
    size_t n = strlen(text);
    snprintf(text + n, sizeof text - n, ": %s", why);
    term_fail_text(t, text, is_limit);
}

/* Remembers that compression `id` failed, with the table's error. */
static void remember_failure(TermTable *t, uint32_t id)
{
    if (mem_grow((void **)&t->failed, &t->failed_cap, t->nfailed + 1,
                 sizeof *t->failed))
        return; /* not remembered: it would only be tried again */
    TermFailed *f = &t->failed[t->nfailed++];
    const char *why = term_last_error(t);
    f->source = id;
    f->is_limit = term_error_is_limit(t);
    snprintf(f->why, sizeof f->why, "%s",
             why ? why : "the process to compress could not be explored");
}

/* Explores the argument of compression `id` and compresses it. Returns
 * the new explicit index, or UINT32_MAX (the table's error says why). */
static uint32_t compress_build(TermTable *t, uint32_t id)
{
    const Term *p = term_get(t, id);
    char why[200];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    Lts raw = {0}, out;
    /* from the same start as a check: P's static operators unfolded, so
     * that P and its body are one state */
    uint32_t root = termmachine_canonical(t, p->kids[0]);
    int tainted = 0;
    LtsStatus ls = argument_lts(t, root == TERM_NONE ? p->kids[0] : root,
                                &raw, &tainted);
    if (ls != LTS_OK) {
        if (ls == LTS_LIMIT)
            snprintf(why, sizeof why, "the process to compress has more "
                     "than %zu states (--max-states)", t->compress_max);
        else
            snprintf(why, sizeof why, "%s", ls == LTS_ERROR
                     ? "the process to compress cannot be explored"
                     : limit_text(limit_reached() ? limit_reached()
                                                  : LIMIT_MEMORY));
        if (ls != LTS_ERROR || !term_last_error(t))
            compress_failed(t, id, why, ls != LTS_ERROR);
        lts_free(&raw); /* what lts_explore left: the failing path */
        return UINT32_MAX;
    }
    CompressStatus cs = compress_lts((CompressKind)p->event, &raw,
                                     t->compress_max, &out);
    if (cs != COMPRESS_OK) {
        snprintf(why, sizeof why, "%s", cs == COMPRESS_LIMIT
                 ? "the compressed process would be too large (--max-states)"
                 : limit_text(limit_reached() ? limit_reached()
                                              : LIMIT_MEMORY));
        compress_failed(t, id, why, 1);
        lts_free(&raw);
        return UINT32_MAX;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    TermCompressStats st = {(int)p->event, raw.states, raw.transitions,
                            out.states, out.transitions,
                            (double)(t1.tv_sec - t0.tv_sec) +
                                (double)(t1.tv_nsec - t0.tv_nsec) / 1e9};
    tainted |= p->event != COMPRESS_SBISIM && p->event != COMPRESS_EXPLICATE;
    lts_free(&raw);
    size_t chunk = t->explicit_count / TERM_EXPLICIT_CHUNK;
    if (chunk == TERM_EXPLICIT_CHUNKS ||
        (!t->explicit[chunk] &&
         !(t->explicit[chunk] = mem_alloc(TERM_EXPLICIT_CHUNK *
                                          sizeof *t->explicit[chunk])))) {
        lts_free(&out);
        compress_failed(t, id, limit_text(LIMIT_MEMORY), 1);
        return UINT32_MAX;
    }
    *term_explicit_get(t, (uint32_t)t->explicit_count) =
        (TermExplicit){id, out, st, tainted};
    return (uint32_t)t->explicit_count++;
}

uint32_t term_compressed_root(TermTable *t, uint32_t id)
{
    pthread_mutex_lock(&t->compress_lock);
    uint32_t index = UINT32_MAX;
    for (size_t i = 0; i < t->explicit_count && index == UINT32_MAX; i++)
        if (term_explicit_get(t, (uint32_t)i)->source == id)
            index = (uint32_t)i;
    int cyclic = 0;
    for (size_t i = 0; i < t->nbuilding; i++)
        cyclic |= t->building[i] == id;
    for (size_t i = 0; i < t->nfailed && index == UINT32_MAX; i++)
        if (t->failed[i].source == id) { /* failed before: say so again */
            term_fail_text(t, t->failed[i].why, t->failed[i].is_limit);
            pthread_mutex_unlock(&t->compress_lock);
            return TERM_NONE;
        }
    if (index == UINT32_MAX && (cyclic || t->nbuilding == 64)) {
        compress_failed(t, id, cyclic ? "the process to compress contains "
                        "this compression itself (recursion through a "
                        "compression cannot be compressed)"
                                      : "compressions nested too deeply", 0);
    } else if (index == UINT32_MAX) {
        t->building[t->nbuilding++] = id;
        index = compress_build(t, id);
        t->nbuilding--;
        if (index == UINT32_MAX)
            remember_failure(t, id);
    }
    pthread_mutex_unlock(&t->compress_lock);
    return index == UINT32_MAX ? TERM_NONE : term_explicit(t, index, 0);
}

size_t term_compressions(TermTable *t)
{
    pthread_mutex_lock(&t->compress_lock);
    size_t n = t->explicit_count;
    pthread_mutex_unlock(&t->compress_lock);
    return n;
}

TermCompressStats term_compression(TermTable *t, size_t i, uint32_t *source)
{
    pthread_mutex_lock(&t->compress_lock);
    const TermExplicit *e = term_explicit_get(t, (uint32_t)i);
    TermCompressStats st = e->stats;
    if (source)
        *source = e->source;
    pthread_mutex_unlock(&t->compress_lock);
    return st;
}
