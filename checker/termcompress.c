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

#include "compress.h"
#include "limit.h"
#include "mem.h"
#include "termmachine.h"

#include <stdio.h>
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
    pthread_mutex_destroy(&t->compress_lock);
}

void term_priority_scope(TermTable *t, int enter)
{
    t->priority_compile += enter ? 1 : -1;
}

/* Whether compressing `raw` by `kind` gives an LTS priority cannot use. */
static int compress_tainted(TermTable *t, int kind, const Lts *raw)
{
    if (kind != COMPRESS_SBISIM && kind != COMPRESS_EXPLICATE)
        return 1;
    for (uint32_t s = 0; s < raw->states; s++) {
        const Term *p = term_get(t, raw->term[s]);
        if (p->kind == TERM_EXPLICIT && term_explicit_get(t, p->ref)->tainted)
            return 1;
    }
    return 0;
}

void term_set_compress_limit(TermTable *t, size_t max_states)
{
    t->compress_max = max_states ? max_states : COMPRESS_DEFAULT_MAX;
}

uint32_t term_compress(TermTable *t, int kind, uint32_t kid)
{
    if (kid == TERM_NONE)
        return TERM_NONE;
    Term p = term_proto(TERM_COMPRESS);
    p.event = (uint32_t)kind;
    return term_intern(t, &p, &kid, 1);
}

uint32_t term_explicit(TermTable *t, uint32_t index, uint32_t state)
{
    if (state == term_explicit_get(t, index)->lts.omega)
        return term_omega(t);
    Term p = term_proto(TERM_EXPLICIT);
    p.ref = index;
    p.event = state;
    return term_intern(t, &p, NULL, 0);
}

/* Why exploring or compressing failed, in the table's error (the first
 * error wins, as for every term error). */
static void compress_failed(TermTable *t, uint32_t id, const char *why,
                            int is_limit)
{
    char fmt[300];
    snprintf(fmt, sizeof fmt, "%%s: %s", why);
    term_fail(t, fmt, id);
    if (is_limit)
        t->error_is_limit = 1;
}

/* Explores the argument of compression `id` and compresses it. Returns
 * the new explicit index, or UINT32_MAX (the table's error says why). */
static uint32_t compress_build(TermTable *t, uint32_t id)
{
    const Term *p = term_get(t, id);
    char why[200];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    Lts raw, out;
    /* from the same start as a check: P's static operators unfolded, so
     * that P and its body are one state */
    uint32_t root = termmachine_canonical(t, p->kids[0]);
    LtsStatus ls = lts_explore(t, root == TERM_NONE ? p->kids[0] : root,
                               t->compress_max, &raw);
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
    int tainted = compress_tainted(t, (int)p->event, &raw);
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
    if (index == UINT32_MAX && (cyclic || t->nbuilding == 64)) {
        compress_failed(t, id, cyclic ? "the process to compress contains "
                        "this compression itself (recursion through a "
                        "compression cannot be compressed)"
                                      : "compressions nested too deeply", 0);
    } else if (index == UINT32_MAX) {
        t->building[t->nbuilding++] = id;
        index = compress_build(t, id);
        t->nbuilding--;
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
