/* check: deadlock and divergence checks, the dispatch of check_run, and the
 * counterexample helpers every check shares. Refinement lives in
 * check_refine.c. See check.h. */
#include "check.h"

#include "check_impl.h"

#include "dist.h"
#include "diverge.h"
#include "limit.h"
#include "mem.h"
#include "store.h"
#include "tracemachine.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

int check_model_strict(CheckModel m)
{
    return m == CHECK_FD || m == CHECK_VD || m == CHECK_RD;
}

const char *check_fail_text(FailKind fail)
{
    static const char *const text[] = {"none", "deadlock", "divergence",
                                       "trace", "acceptance",
                                       "nondeterminism", "no_trace",
                                       "revival", "refusal"};
    return fail <= FAIL_REFUSAL ? text[fail] : "?";
}

void check_cex_free(Cex *c)
{
    mem_free(c->events);
    mem_free(c->states);
    mem_free(c->spec_nodes);
    mem_free(c->offers);
    mem_free(c->accept_off);
    mem_free(c->accept);
    mem_free(c->loop_events);
    mem_free(c->loop_states);
    mem_free(c->before_stable);
    mem_free(c->before_off);
    mem_free(c->before);
    memset(c, 0, sizeof *c);
}

void check_result_free(CheckResult *r)
{
    check_cex_free(&r->cex);
    mem_free(r->ranks);
    r->ranks = NULL;
    r->nranks = 0;
}

void check_rank_stats(CheckResult *r, const Explorer *ex)
{
    mem_free(r->ranks);
    (void)explore_rank_stats(ex, &r->ranks, &r->nranks); /* or none */
}

uint32_t *check_trace(const Cex *cex, size_t *len)
{
    uint32_t *trace = mem_alloc((cex->steps + 1) * sizeof *trace);
    if (!trace)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < cex->steps; i++)
        if (cex->events[i] != EVENT_TAU)
            trace[n++] = cex->events[i];
    *len = n;
    return trace;
}

/* ---------- shared helpers (check_impl.h) ---------- */

void check_set_error(CheckResult *r, ExploreStatus status, const char *what)
{
    r->status = status;
    r->verdict = status == EXPLORE_LIMIT_STATES ||
                         status == EXPLORE_LIMIT_MEMORY ||
                         status == EXPLORE_LIMIT_TIME ||
                         status == EXPLORE_INTERRUPTED ||
                         status == EXPLORE_NOMEM /* memory, as --memory */ ||
                         status == EXPLORE_DISK  /* a resource, as memory */
                     ? VERDICT_LIMIT
                     : VERDICT_ERROR;
    snprintf(r->message, sizeof r->message, "%s",
             what ? what : explore_status_text(status));
}

void check_no_explorer(CheckResult *r, const Machine *m)
{
    if (m && !store_fits(m->width, m->word_max)) {
        char what[200];
        snprintf(what, sizeof what, "a state of this process (%zu "
                 "components) needs more than %d bits: too wide to store",
                 m->width, STORE_MAX_BITS);
        check_set_error(r, EXPLORE_LIMIT_MEMORY, what);
        return;
    }
    check_set_error(r, EXPLORE_NOMEM, NULL);
}

/* Copies the path to `id` into the counterexample, keeping `skip` leading
 * words of each state out (the product's node word). */
int check_cex_path(Cex *cex, const Explorer *ex, const Machine *m,
                   uint64_t id, size_t skip)
{
    uint64_t *ids = NULL;
    uint32_t *events = NULL;
    size_t len = 0;
    if (explore_path(ex, id, &events, &ids, &len) != 0)
        return -1;
    cex->width = m->width - skip;
    cex->steps = len;
    cex->events = events;
    cex->states = mem_alloc((len + 1) * cex->width * sizeof *cex->states +
                            sizeof *cex->states);
    uint32_t *vec = mem_alloc(m->width * sizeof *vec + sizeof *vec);
    if (skip)
        cex->spec_nodes = mem_alloc((len + 1) * sizeof *cex->spec_nodes);
    int rc = cex->states && vec && (!skip || cex->spec_nodes) ? 0 : -1;
    for (size_t i = 0; i <= len && rc == 0; i++) {
        explore_state(ex, ids[i], vec);
        mem_copy(cex->states + i * cex->width, vec + skip,
               cex->width * sizeof *vec);
        if (skip)
            cex->spec_nodes[i] = vec[0];
    }
    mem_free(vec);
    mem_free(ids);
    return rc;
}

typedef struct Offers {
    uint32_t *events;
    size_t count, cap;
    int failed, tau;
} Offers;

static void offers_collect(void *ctx, uint32_t event, const uint32_t *target)
{
    (void)target;
    Offers *o = ctx;
    if (event == EVENT_TAU) {
        o->tau = 1;
        return;
    }
    if (mem_grow((void **)&o->events, &o->cap, o->count + 1, sizeof *o->events))
        o->failed = 1;
    else
        o->events[o->count++] = event;
}

int check_offers_tau(const Machine *m, const uint32_t *state,
                     uint32_t **events, size_t *count, int *tau)
{
    Offers o = {0};
    void *scratch = mem_calloc(1, m->scratch_size + 1);
    if (!scratch || machine_successors(m, state, scratch, offers_collect, &o) ||
        o.failed) {
        mem_free(scratch);
        mem_free(o.events);
        return -1;
    }
    mem_free(scratch);
    *count = event_set_normalise(o.events, o.count);
    *events = o.events;
    if (tau)
        *tau = o.tau;
    return 0;
}

/* The visible events `m` offers in `state`, sorted and distinct. */
int check_offers(const Machine *m, const uint32_t *state, uint32_t **events,
                 size_t *count)
{
    return check_offers_tau(m, state, events, count, NULL);
}

typedef struct Culprit {
    uint32_t error_node, event;
} Culprit;

static void find_culprit(void *ctx, uint32_t event, const uint32_t *target)
{
    Culprit *c = ctx;
    if (target[0] == c->error_node && c->event == EVENT_NONE)
        c->event = event;
}

int check_culprit(const Machine *prod, const uint32_t *state, void *scratch,
                  uint32_t error_node, uint32_t *event)
{
    Culprit c = {error_node, EVENT_NONE};
    int rc = machine_successors(prod, state, scratch, find_culprit, &c);
    *event = c.event;
    return rc;
}

void check_explore_error(CheckResult *r, ExploreStatus st,
                         const Explorer *ex, const Machine *m, size_t skip)
{
    check_set_error(r, st, NULL);
    const ExploreStats *x = explore_stats(ex);
    if (st == EXPLORE_LIMIT_MEMORY && x->states && !explore_on_disk(ex))
        /* what more would take */
        snprintf(r->message, sizeof r->message,
                 "%s with %llu states kept, %.1f bytes each in the store: "
                 "each further million states needs about %.0f MB more",
                 explore_status_text(st), (unsigned long long)x->states,
                 x->bytes_per_state, x->bytes_per_state);
    else if (st == EXPLORE_LIMIT_MEMORY && explore_on_disk(ex))
        snprintf(r->message, sizeof r->message,
                 "%s with %llu states on disk: the store on disk keeps half "
                 "of --memory for its buffers and %.1f bytes a state in "
                 "memory, besides what the process holds (%.0f MB at the "
                 "peak); give it more",
                 explore_status_text(st), (unsigned long long)x->states,
                 x->bytes_per_state, x->peak_rss / 1e6);
    if (st == EXPLORE_DISK)
        snprintf(r->message, sizeof r->message, "the store on disk failed: %s",
                 explore_error(ex));
    uint64_t id = st == EXPLORE_MACHINE_ERROR ? explore_error_state(ex)
                                              : UINT64_MAX;
    if (id != UINT64_MAX && check_cex_path(&r->cex, ex, m, id, skip) != 0) {
        check_cex_free(&r->cex); /* the error alone, without its path */
        r->cex.culprit = EVENT_NONE;
    }
}

/* check_divergence_after failed: the run's limit, out of memory, or the
 * store on disk. */
static void divergence_error(CheckResult *r, const Explorer *ex)
{
    LimitKind k = limit_reached();
    ExploreStatus st = k != LIMIT_NONE ? explore_limit_status(k)
                       : *explore_error(ex) ? EXPLORE_DISK
                                            : EXPLORE_NOMEM;
    check_set_error(r, st, NULL);
    if (st == EXPLORE_DISK)
        snprintf(r->message, sizeof r->message,
                 "the store on disk failed in the divergence search: %s",
                 explore_error(ex));
}

void check_product_divergence(const CheckRequest *req, CheckResult *r,
                              const Explorer *ex, const Machine *prod)
{
    int found = check_divergence_after(ex, prod, &r->cex, 1);
    if (found < 0) {
        divergence_error(r, ex);
    } else if (found) {
        r->verdict = VERDICT_FAIL;
        r->fail = FAIL_DIVERGENCE;
        const Cex *c = &r->cex;
        if (check_offers(req->impl, c->states + c->steps * c->width,
                         &r->cex.offers, &r->cex.offer_count) != 0)
            check_set_error(r, EXPLORE_NOMEM, NULL);
    }
}

/* ---------- deadlock and divergence freedom ---------- */

typedef struct DeadlockCtx {
    const Machine *m;
} DeadlockCtx;

/* A deadlock: a state with no transitions at all (so stable) that is not
 * the terminated state after tick. */
static int inspect_deadlock(void *ud, const uint32_t *state,
                            const ExploreSucc *succ, size_t count)
{
    (void)succ;
    const DeadlockCtx *d = ud;
    return count == 0 && !machine_terminated(d->m, state) ? 1 : 0;
}

/* Wraps a check's inspect to notice whether any tau exists at all: a
 * state space without taus cannot diverge, and the tau-cycle search (which
 * recomputes successors) is skipped. */
typedef struct TauWatch {
    ExploreInspect inner;
    void *ud;
    atomic_int saw_tau;
} TauWatch;

static int inspect_watch(void *ud, const uint32_t *state,
                         const ExploreSucc *succ, size_t count)
{
    TauWatch *w = ud;
    if (!atomic_load_explicit(&w->saw_tau, memory_order_relaxed))
        for (size_t i = 0; i < count; i++)
            if (succ[i].event == EVENT_TAU) {
                atomic_store(&w->saw_tau, 1);
                break;
            }
    return w->inner ? w->inner(w->ud, state, succ, count) : 0;
}

/* Whether any state had a tau: on any rank, when distributed (every rank
 * must then search, or none). */
static int saw_tau(const Explorer *ex, TauWatch *w)
{
    int saw = atomic_load(&w->saw_tau);
    return explore_distributed(ex) ? (int)dist_max_u64((uint64_t)saw) : saw;
}

/* Explores m, with `inspect` if given; on a clean finish and when asked,
 * looks for divergence. */
static void check_explore(const CheckRequest *req, CheckResult *r,
                          ExploreInspect inspect, void *ud, FailKind fail,
                          int then_divergence)
{
    Explorer *ex = explore_new(req->impl, &req->explore);
    if (!ex) {
        check_no_explorer(r, req->impl);
        return;
    }
    TauWatch watch = {inspect, ud, 0};
    ExploreStatus st = explore_run(ex, inspect_watch, &watch);
    r->stats = *explore_stats(ex);
    if (st == EXPLORE_VIOLATION) {
        r->verdict = VERDICT_FAIL;
        r->fail = fail;
        if (check_cex_path(&r->cex, ex, req->impl,
                           explore_violation(ex, NULL), 0) != 0)
            check_set_error(r, EXPLORE_NOMEM, NULL);
    } else if (st != EXPLORE_DONE) {
        check_explore_error(r, st, ex, req->impl, 0);
    } else if (then_divergence && saw_tau(ex, &watch)) {
        int found = check_divergence_after(ex, req->impl, &r->cex, 0);
        if (found < 0)
            divergence_error(r, ex);
        else if (found) {
            r->verdict = VERDICT_FAIL;
            r->fail = FAIL_DIVERGENCE;
        }
    }
    check_rank_stats(r, ex);
    explore_free(ex);
}

/* Fills in what the final state offers, for the report. */
static void check_final_offers(const Machine *m, CheckResult *r)
{
    Cex *c = &r->cex;
    if (r->verdict != VERDICT_FAIL || !c->states)
        return;
    if (check_offers(m, c->states + c->steps * c->width, &c->offers,
                     &c->offer_count) != 0)
        check_set_error(r, EXPLORE_NOMEM, NULL);
}

/* ---------- has trace ---------- */

typedef struct TraceCtx {
    uint32_t len;
    _Atomic uint32_t longest;
} TraceCtx;

static int inspect_trace(void *ud, const uint32_t *state,
                         const ExploreSucc *succ, size_t count)
{
    (void)succ, (void)count;
    TraceCtx *t = ud;
    uint32_t seen = atomic_load(&t->longest);
    while (state[0] > seen &&
           !atomic_compare_exchange_weak(&t->longest, &seen, state[0]))
        ;
    return state[0] == t->len ? 1 : 0;
}

static int at_position(void *ud, const uint32_t *state)
{
    return state[0] == *(const uint32_t *)ud;
}

/* Not a trace: the counterexample is the path to the first state (in BFS
 * order) that performed the longest prefix, and the event it lacks. */
static void trace_explain(const CheckRequest *req, CheckResult *r,
                          const Explorer *ex, const Machine *m, uint32_t pos)
{
    uint32_t *vec = mem_alloc(m->width * sizeof *vec);
    uint64_t id = explore_first(ex, at_position, &pos);
    if (!vec || id == UINT64_MAX) /* the state inspected is there */
        goto nomem;
    explore_state(ex, id, vec);
    r->cex.culprit = req->trace[pos];
    if (check_cex_path(&r->cex, ex, m, id, 1) != 0 ||
        check_offers(req->impl, vec + 1, &r->cex.offers, &r->cex.offer_count))
        goto nomem;
    mem_free(vec);
    return;
nomem:
    mem_free(vec);
    check_set_error(r, EXPLORE_NOMEM, NULL);
}

static void check_has_trace(const CheckRequest *req, CheckResult *r)
{
    Machine *m = tracemachine_new(req->impl, req->trace, req->trace_len);
    Explorer *ex = m ? explore_new(m, &req->explore) : NULL;
    if (!ex) {
        check_no_explorer(r, m);
        machine_free(m);
        return;
    }
    TraceCtx ctx = {(uint32_t)req->trace_len, 0};
    ExploreStatus st = explore_run(ex, inspect_trace, &ctx);
    r->stats = *explore_stats(ex);
    if (req->explore.distributed) /* each rank saw its own states */
        atomic_store(&ctx.longest,
                     (uint32_t)dist_max_u64(atomic_load(&ctx.longest)));
    if (st == EXPLORE_VIOLATION) {
        r->verdict = VERDICT_PASS; /* found: the trace is P's */
    } else if (st != EXPLORE_DONE) {
        check_explore_error(r, st, ex, m, 1);
    } else {
        Cex witness = {0};
        int diverges = check_model_strict(req->model)
                           ? check_divergence_after(ex, m, &witness, 1) : 0;
        check_cex_free(&witness);
        if (diverges < 0)
            divergence_error(r, ex);
        else if (diverges == 0) {
            r->verdict = VERDICT_FAIL;
            r->fail = FAIL_NO_TRACE;
            trace_explain(req, r, ex, m, atomic_load(&ctx.longest));
        }
    }
    check_rank_stats(r, ex);
    explore_free(ex);
    machine_free(m);
}

/* What an MPI job cannot check: refusal testing makes Spec's nodes as the
 * search goes (check_rt.c), so their numbers, which are in the product's
 * states, would differ between ranks. */
static int distributable(const CheckRequest *req)
{
    return !(req->kind == CHECK_REFINES &&
             (req->model == CHECK_R || req->model == CHECK_RD));
}

void check_run(const CheckRequest *req, CheckResult *r)
{
    memset(r, 0, sizeof *r);
    r->verdict = VERDICT_PASS;
    r->cex.culprit = EVENT_NONE;
    if (req->explore.distributed && dist_size() > 1 && !distributable(req)) {
        check_set_error(r, EXPLORE_DONE, /* an error verdict, no limit */
                        "refusal testing ([R= and [RD=) is not distributed "
                        "over MPI: run this check as one process");
        return;
    }
    switch (req->kind) {
    case CHECK_DEADLOCK: {
        DeadlockCtx d = {req->impl};
        check_explore(req, r, inspect_deadlock, &d, FAIL_DEADLOCK,
                      check_model_strict(req->model));
        check_final_offers(req->impl, r);
        break;
    }
    case CHECK_DIVERGENCE:
        check_explore(req, r, NULL, NULL, FAIL_NONE, 1);
        check_final_offers(req->impl, r);
        break;
    case CHECK_REFINES: case CHECK_DETERMINISM:
        if (req->kind == CHECK_REFINES &&
            (req->model == CHECK_R || req->model == CHECK_RD))
            check_refusal_testing(req, r);
        else
            check_refines(req, r);
        break;
    case CHECK_HAS_TRACE:
        check_has_trace(req, r);
        break;
    }
}
