/* term_impl: the term table's insides, shared by term.c (terms and their
 * semantics) and termcompress.c (compressed processes). Not for other
 * modules. */
#ifndef LOCKSTEP_TERM_IMPL_H
#define LOCKSTEP_TERM_IMPL_H

#include "term.h"

#include "intern.h"
#include "lts.h"

#include <pthread.h>
#include <string.h>

/* One compressed process: the LTS its compression gave, and the sizes
 * before and after (for --stats). */
typedef struct TermExplicit {
    uint32_t source; /* the TERM_COMPRESS term */
    Lts lts;
    TermCompressStats stats;
    /* 1 when the compression, or one inside its process, may change what
     * prioritise sees (anything but sbisim and explicate): FDR's
     * compressions other than strong bisimulation preserve the semantic
     * models, not the LTS's offers and taus that priority depends on */
    int tainted;
} TermExplicit;

typedef struct TermFailed {
    uint32_t source;
    int is_limit;
    char why[256];
} TermFailed;

enum { TERM_EXPLICIT_CHUNK = 256, TERM_EXPLICIT_CHUNKS = 4096 };

struct TermTable {
    EventTable *events;
    TermHooks hooks;
    Intern *terms, *sets, *rels;
    pthread_mutex_t resolve_lock;
    /* Memo of resolved thunks: thunk term id -> term id + 1 (0 = unknown),
     * grown under resolve_lock. */
    uint32_t *resolved;
    size_t resolved_cap;
    uint32_t omega, stop;
    char error[256]; /* first semantic error (unguarded recursion) */
    int error_is_limit; /* the error is a limit reached (exit 3) */
    /* Compressed processes (termcompress.c): built once each, under
     * compress_lock, which is recursive because compressing a process may
     * compress the processes inside it. */
    pthread_mutex_t compress_lock;
    /* chunks that never move, so that stepping reads them without the
     * lock while another thread adds a compression */
    TermExplicit *explicit[TERM_EXPLICIT_CHUNKS];
    size_t explicit_count;
    /* compressions being built now (nested: sbisim(diamond(P))), to refuse
     * a process that contains its own compression (P = sbisim(a -> P)) */
    uint32_t building[64];
    size_t nbuilding;
    /* compressions that failed, and why: not built again (a limit hit
     * compiling a large network would be hit again at every step) */
    TermFailed *failed;
    size_t nfailed, failed_cap;
    size_t compress_max;
    int priority_compile; /* > 0 while compiling the process of a
                             prioritise on top (compile.c) */
};

/* *p becomes a term of `kind` with every field unused (TERM_NONE), to
 * fill in. (Through a pointer: gcc notes an ABI change for a struct with
 * a flexible array member passed by value.) */
static inline void term_proto(Term *p, TermKind kind)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->event = p->ref = p->set_a = p->set_b = p->rel = TERM_NONE;
}
/* Interns *proto with kids[0 .. n); TERM_NONE when out of memory. */
uint32_t term_intern(TermTable *t, const Term *proto, const uint32_t *kids,
                     size_t n);

/* Records the first semantic error; `fmt` has one %s, the term's text. */
void term_fail(TermTable *t, const char *fmt, uint32_t id);

/* The root state of a TERM_COMPRESS term's compressed LTS (an EXPLICIT
 * term), compressing it on first use; TERM_NONE after an error. */
uint32_t term_compressed_root(TermTable *t, uint32_t id);
/* The state a chase term stands for: chase(the term its argument's first
 * taus lead to), term.c; TERM_NONE on failure (said). chase is lazy: it
 * builds no LTS. */
uint32_t term_chase_root(TermTable *t, uint32_t id);

/* Compressed LTS `index`. */
static inline TermExplicit *term_explicit_get(const TermTable *t,
                                              uint32_t index)
{
    return &t->explicit[index / TERM_EXPLICIT_CHUNK]
                       [index % TERM_EXPLICIT_CHUNK];
}

/* The term of state `state` of explicit LTS `index`. */
uint32_t term_explicit(TermTable *t, uint32_t index, uint32_t state);

void term_compress_init(TermTable *t);
void term_compress_free(TermTable *t);

#endif
