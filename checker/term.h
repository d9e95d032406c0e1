/* term: process terms, hash-consed, and their operational semantics.
 *
 * A term is what a CSPM process expression evaluates to, with the data
 * already computed: events are interned ids (event.h), sets of events are
 * interned EventSets, and recursion goes through THUNK terms. A thunk holds
 * an opaque `ref` that the front end gave out (for instance the call
 * PHIL(2)); the checker asks the front end, through TermHooks, for the term
 * a ref stands for only when it needs its transitions, and to print it.
 * That is how the checker stays free of CSPM (docs/design.md) while
 * processes are evaluated lazily.
 *
 * Terms are hash-consed: building the same term twice gives the same id, so
 * a term id is a state of the explored-term semantics. Ids are dense
 * uint32_t from 0. The table owns every term, set and relation; they live
 * until term_table_free. All functions may be called from several threads
 * (one mutex guards construction; reading a built term is lock-free). The
 * resolve hook, however, is called with the table's resolve lock held, so
 * the front end's evaluator runs on one thread at a time.
 *
 * term_transitions gives the transitions of a term by the firing rules of
 * Roscoe's operational semantics as FDR implements them (term.c writes each
 * rule above its code). Every tick leads to the terminated term OMEGA.
 *
 * A compressed process (sbisim(P), normal(P), ...) is a TERM_COMPRESS term;
 * its states are TERM_EXPLICIT terms, each a state of an explicit LTS the
 * table owns (termcompress.c), so every check and the network compiler see
 * it as an ordinary sequential process.
 */
#ifndef LOCKSTEP_TERM_H
#define LOCKSTEP_TERM_H

#include "event.h"

#include <stddef.h>
#include <stdint.h>

typedef enum TermKind {
    TERM_STOP,      /* STOP */
    TERM_SKIP,      /* SKIP */
    TERM_DIV,       /* DIV: an endless tau loop */
    TERM_OMEGA,     /* terminated (after tick); not writable in CSPM */
    TERM_PREFIX,    /* event -> kid[0] */
    TERM_EXT,       /* kid[0] [] kid[1] [] ... (n >= 1) */
    TERM_INT,       /* kid[0] |~| kid[1] |~| ... (n >= 1) */
    TERM_SEQ,       /* kid[0] ; kid[1] */
    TERM_PAR,       /* kid[0] [| set_a |] kid[1]; ||| has the empty set */
    TERM_APAR,      /* kid[0] [ set_a || set_b ] kid[1] */
    TERM_HIDE,      /* kid[0] \ set_a */
    TERM_RENAME,    /* kid[0] [[ rel ]] */
    TERM_INTERRUPT, /* kid[0] /\ kid[1] */
    TERM_SLIDE,     /* kid[0] [> kid[1] */
    TERM_EXCEPT,    /* kid[0] [| set_a |> kid[1] */
    TERM_LINK,      /* kid[0] [ rel ] kid[1]: linked parallel, a <-> b */
    TERM_SYNCEXT,   /* kid[0] [+ set_a +] kid[1] */
    TERM_SYNCINT,   /* kid[0] /+ set_a +\ kid[1] */
    TERM_RUN,       /* RUN(set_a) */
    TERM_CHAOS,     /* CHAOS(set_a) */
    TERM_THUNK,     /* the process the front end's `ref` stands for */
    TERM_COMPRESS,  /* kid[0] compressed; `event` is its CompressKind
                       (compress.h); moves as TERM_EXPLICIT's root */
    TERM_EXPLICIT,  /* state `event` of the table's compressed LTS `ref` */
    TERM_PRIORITISE, /* prioritise(kid[0], <A1, ..., An>): `rel` pairs each
                        event of A_i with its level i (priority.h) */
    TERM_PRIORITISE_PO, /* prioritisepo(kid[0], ...): `rel` pairs (a, b) of
                        the order's closure, a above b (priority.h) */
    TERM_LOOP,      /* loop(kid[0]) = kid[0] ; loop(kid[0]) */
    TERM_TIMED,     /* W = tock -> W [] kid[0], `event` the tock: a Timed
                       section's prefix, TSTOP and TSKIP wait for time */
    TERM_KIND_COUNT
} TermKind;

enum { TERM_NONE = UINT32_MAX };

typedef struct Term {
    TermKind kind;
    uint32_t event;        /* PREFIX: the event */
    uint32_t ref;          /* THUNK: the front end's reference */
    uint32_t set_a, set_b; /* interned event sets (TERM_NONE when unused) */
    uint32_t rel;          /* RENAME, LINK: interned relation */
    uint32_t nkids;
    uint32_t kids[];
} Term;

/* A relation on events: pairs (from[i], to[i]) sorted by (from, to).
 * Views returned by term_rel_get point into the table. */
typedef struct EventRel {
    size_t count;
    uint32_t *from, *to;
} EventRel;

typedef struct TermHooks {
    void *ud;
    /* The term `ref` stands for, or TERM_NONE after an error (which the
     * front end keeps, to report). May build new terms. */
    uint32_t (*resolve)(void *ud, uint32_t ref);
    /* Writes the CSPM text of `ref` (e.g. "PHIL(2)") into buf. */
    void (*print)(void *ud, uint32_t ref, char *buf, size_t len);
} TermHooks;

typedef struct TermTable TermTable;

/* NULL when out of memory. `events` must outlive the table. */
TermTable *term_table_new(EventTable *events, const TermHooks *hooks);
void term_table_free(TermTable *t);
EventTable *term_events(const TermTable *t);

/* Constructors return TERM_NONE only when out of memory. */
uint32_t term_stop(TermTable *t);
uint32_t term_skip(TermTable *t);
uint32_t term_div(TermTable *t);
uint32_t term_omega(TermTable *t);
uint32_t term_prefix(TermTable *t, uint32_t event, uint32_t next);
uint32_t term_thunk(TermTable *t, uint32_t ref);
/* The process W = tock -> W [] next: lets time pass while `next` has not
 * moved (FDR's timed prefix a -> P is W over a -> tock^et(a) -> P,
 * TSTOP is W over STOP, TSKIP is W over SKIP). */
uint32_t term_timed(TermTable *t, uint32_t tock, uint32_t next);
/* EXT or INT over kids[0..n-1], n >= 1 (one kid: that kid itself). */
uint32_t term_choice(TermTable *t, TermKind kind, const uint32_t *kids,
                     size_t n);
/* Any other kind: the fields that kind uses (TERM_NONE for the others). */
uint32_t term_make(TermTable *t, TermKind kind, uint32_t set_a,
                   uint32_t set_b, uint32_t rel, const uint32_t *kids,
                   size_t n);

/* Interns a set (ids need not be sorted; they are copied). */
uint32_t term_set(TermTable *t, const uint32_t *ids, size_t n);
EventSet term_set_get(const TermTable *t, uint32_t set);
/* Interns a relation (pairs need not be sorted; copied). */
uint32_t term_rel(TermTable *t, const uint32_t *from, const uint32_t *to,
                  size_t n);
EventRel term_rel_get(const TermTable *t, uint32_t rel);

const Term *term_get(const TermTable *t, uint32_t id);
uint32_t term_count(const TermTable *t);

/* Resolves a THUNK (repeatedly, through thunks of thunks) to the term it
 * stands for; other terms are returned unchanged. TERM_NONE on an
 * evaluation error or unguarded recursion (P = P). */
uint32_t term_unfold(TermTable *t, uint32_t id);

/* The state a term stands for: a thunk that resolves to another thunk
 * (Q = P, or a compression applied as the identity) is that thunk, so
 * that Q and P are one state, as in FDR; one that resolves to loop(P) is
 * the loop, which P ; loop(P) comes back to; any other term is itself. */
uint32_t term_alias_end(TermTable *t, uint32_t id);

/* 1 for prioritise and prioritisepo. */
int term_is_priority(TermKind kind);

/* Calls emit(ctx, event, target) for each transition of `id`. Returns 0, or
 * -1 when a thunk could not be resolved or memory ran out (the front end
 * holds the reason; term_error says which term failed). */
typedef void (*TermEmit)(void *ctx, uint32_t event, uint32_t target);
int term_transitions(TermTable *t, uint32_t id, TermEmit emit, void *ctx);

/* The first semantic error met (e.g. unguarded recursion), or NULL. */
const char *term_last_error(TermTable *t);
/* Records an error, as written, unless one is recorded already (machines
 * built over the terms report theirs so); is_limit as below. */
void term_fail_text(TermTable *t, const char *text, int is_limit);
/* 1 when that error is a limit reached rather than a mistake in the model
 * (a compressed process too large for max_states, the run's limit). */
int term_error_is_limit(TermTable *t);
/* Forgets that error: each check reports its own. */
void term_clear_error(TermTable *t);

/* Compressions (termcompress.c). term_compress builds the term kind(kid),
 * `kind` a CompressKind; its LTS is built the first time it is stepped:
 * kid is explored into an LTS (at most max_states states, set by
 * term_set_compress_limit, default 1,000,000) and compressed (compress.h).
 * Each compressed process is built once, on one thread at a time. */
uint32_t term_compress(TermTable *t, int kind, uint32_t kid);
void term_set_compress_limit(TermTable *t, size_t max_states);

/* Marks the compilation of a prioritise's process (enter 1, leave 0):
 * meanwhile a compression that priority cannot see through is an error,
 * as it is when stepped under a prioritise term. */
void term_priority_scope(TermTable *t, int enter);

typedef struct TermCompressStats {
    int kind;                              /* CompressKind */
    uint32_t states_before, transitions_before;
    uint32_t states_after, transitions_after;
    double seconds;
} TermCompressStats;

/* The compressions built so far, in the order they were built: 0 .. n-1;
 * the term each compressed (for its name) goes in *source. */
size_t term_compressions(TermTable *t);
TermCompressStats term_compression(TermTable *t, size_t i, uint32_t *source);

/* The CSPM text of a term (bounded by len; "..." when cut). */
void term_print(TermTable *t, uint32_t id, char *buf, size_t len);
/* The same with each set of more than four events by its channels:
 * {| picks, putsdown |}, or "picks.* (12 of 24)" for part of one. */
void term_print_brief(TermTable *t, uint32_t id, char *buf, size_t len);

/* 1 when the kind is a static operator of the network (docs/design.md):
 * PAR, APAR, HIDE, RENAME, LINK. */
int term_is_static(TermKind kind);

#endif
