/* check_rt: refinement in the refusal-testing models, Spec [R= Impl and
 * Spec [RD= Impl, over (Spec node, Impl state) pairs. Spec's nodes are
 * found as Impl's acceptances ask for them (rtspec.h), so the exploration
 * runs on one thread. See check.h. */
#include "check_impl.h"

#include "mem.h"
#include "rtspec.h"
#include "succlist.h"
#include "wrapped.h"

#include <string.h>

enum { RT_ERROR = UINT32_MAX - 2 }; /* the node after what Spec cannot do */
enum { VIOLATION_TRACE = 1, VIOLATION_ACCEPTANCE };

typedef struct RtProduct {
    Wrapped w;      /* first: the machine, Impl and the bounds */
    RtSpec *rt;
    int prune;      /* [RD=: nothing below a node where Spec may diverge */
} RtProduct;

static void rt_initial(const Machine *m, uint32_t *state)
{
    state[0] = 0;
    machine_initial(((const RtProduct *)m)->w.inner, state + 1);
}

/*  Impl -tau-> Impl'                   ==>  (n, Impl) -tau-> (n, Impl')
 *  Impl -a-> Impl', Impl stable        ==>  (n, Impl) -a-> (n', Impl')
 *      with n' the node after a from the states of n that refuse all
 *      Impl does not offer (RT_ERROR when there is none)
 *  Impl -a-> Impl', Impl unstable      ==>  the same from every state */
static int rt_successors(const Machine *m, const uint32_t *state,
                         void *scratch, MachineEmit emit, void *ctx)
{
    const RtProduct *p = (const RtProduct *)m;
    uint32_t node = state[0];
    if (node == RT_ERROR || (p->prune && rtspec_divergent(p->rt, node)))
        return MACHINE_OK;
    /* Impl's successors, held until its stability is known */
    SuccList h = {.width = p->w.inner->width};
    int rc = succlist_fill(&h, p->w.inner, state + 1,
                           wrapped_inner_scratch(m, scratch), 0);
    uint32_t *offers = mem_alloc((h.count + 1) * sizeof *offers);
    if (rc == MACHINE_OK && !offers)
        rc = MACHINE_NOMEM;
    size_t n = 0;
    int stable = 1;
    for (size_t i = 0; rc == MACHINE_OK && i < h.count; i++) {
        stable &= h.event[i] != EVENT_TAU;
        if (h.event[i] != EVENT_TAU)
            offers[n++] = h.event[i];
    }
    n = rc == MACHINE_OK ? event_set_normalise(offers, n) : 0;
    uint32_t *vec = wrapped_vec(scratch);
    for (size_t i = 0; rc == MACHINE_OK && i < h.count; i++) {
        uint32_t next = node;
        if (h.event[i] != EVENT_TAU) {
            next = rtspec_after(p->rt, node, stable ? offers : NULL, n,
                                h.event[i]);
            if (next == RTSPEC_FAILED) {
                rc = MACHINE_LIMIT;
                break;
            }
            if (next == RTSPEC_NONE)
                next = RT_ERROR;
        }
        vec[0] = next;
        mem_copy(vec + 1, h.vec + i * h.width, h.width * sizeof *vec);
        emit(ctx, h.event[i], vec);
    }
    mem_free(offers);
    succlist_free(&h);
    return rc;
}

static void rt_destroy(Machine *m)
{
    RtProduct *p = (RtProduct *)m;
    wrapped_release(&p->w);
    mem_free(p);
}

static const MachineOps rt_ops = {
    rt_initial, rt_successors, wrapped_terminated, wrapped_describe,
    rt_destroy, NULL,
};

typedef struct RtCtx {
    RtSpec *rt;
    int strict;
} RtCtx;

/* Trace error: a successor reaches RT_ERROR. Acceptance error: a stable
 * Impl state refuses what no stable state of the node refuses (in [RD=,
 * unless Spec may diverge there). */
static int inspect_rt(void *ud, const uint32_t *state, const ExploreSucc *succ,
                      size_t count)
{
    const RtCtx *c = ud;
    uint32_t node = state[0];
    if (node == RT_ERROR)
        return 0;
    int stable = 1;
    for (size_t i = 0; i < count; i++) {
        if (succ[i].target[0] == RT_ERROR)
            return VIOLATION_TRACE;
        stable &= succ[i].event != EVENT_TAU;
    }
    if (!stable || (c->strict && rtspec_divergent(c->rt, node)))
        return 0;
    uint32_t offers[count + 1];
    for (size_t i = 0; i < count; i++)
        offers[i] = succ[i].event;
    size_t n = event_set_normalise(offers, count);
    return rtspec_accepts(c->rt, node, offers, n) ? 0 : VIOLATION_ACCEPTANCE;
}

/* The refusals Impl showed before each visible event of the path (and
 * the culprit, done from the last state): cex->before_*. */
static int record_refusals(Cex *cex, const Machine *impl)
{
    size_t visible = cex->culprit != EVENT_NONE;
    for (size_t i = 0; i < cex->steps; i++)
        visible += cex->events[i] != EVENT_TAU;
    cex->before_stable = mem_calloc(visible + 1, 1);
    cex->before_off = mem_calloc(visible + 1, sizeof *cex->before_off);
    if (!cex->before_stable || !cex->before_off)
        return -1;
    size_t k = 0, total = 0;
    for (size_t i = 0; i <= cex->steps && k < visible; i++) {
        if (i < cex->steps ? cex->events[i] == EVENT_TAU
                           : cex->culprit == EVENT_NONE)
            continue;
        uint32_t *offers = NULL;
        size_t n = 0;
        int tau = 0;
        if (check_offers_tau(impl, cex->states + i * cex->width, &offers, &n,
                             &tau) != 0)
            return -1;
        uint32_t *grown = mem_realloc(cex->before,
                                      (total + n + 1) * sizeof *grown);
        if (!grown) {
            mem_free(offers);
            return -1;
        }
        cex->before = grown;
        if (!tau) {
            mem_copy(cex->before + total, offers, n * sizeof *offers);
            total += n;
        }
        mem_free(offers);
        cex->before_stable[k] = !tau;
        cex->before_off[++k] = (uint32_t)total;
    }
    return 0;
}

/* 1 when Spec, ignoring every refusal, cannot follow the trace and then
 * the culprit: the failure is one of traces, not of refusal testing. */
static int plain_trace_error(RtSpec *rt, const Cex *cex)
{
    uint32_t node = 0;
    for (size_t i = 0; i <= cex->steps && node != RTSPEC_NONE; i++) {
        uint32_t a = i < cex->steps ? cex->events[i] : cex->culprit;
        if (a != EVENT_TAU)
            node = rtspec_after(rt, node, NULL, 0, a);
    }
    return node == RTSPEC_NONE;
}

static int rt_explain(const CheckRequest *req, CheckResult *r,
                      const Explorer *ex, const Machine *prod, RtSpec *rt,
                      int code)
{
    uint64_t id = explore_violation(ex, NULL);
    if (check_cex_path(&r->cex, ex, prod, id, 1) != 0)
        return -1;
    Cex *cex = &r->cex;
    uint32_t *vec = mem_alloc(prod->width * sizeof *vec);
    void *scratch = mem_calloc(1, prod->scratch_size + 1);
    int rc = vec && scratch ? 0 : -1;
    if (rc == 0) {
        explore_state(ex, id, vec);
        if (code == VIOLATION_TRACE) {
            rc = check_culprit(prod, vec, scratch, RT_ERROR, &cex->culprit);
            r->fail = plain_trace_error(rt, cex) ? FAIL_TRACE : FAIL_REFUSAL;
        } else {
            r->fail = FAIL_ACCEPTANCE;
            rc = rtspec_acceptances(rt, vec[0], &cex->accept_off,
                                    &cex->accept, &cex->accept_count);
        }
    }
    if (rc == 0)
        rc = record_refusals(cex, req->impl);
    if (rc == 0)
        rc = check_offers(req->impl, vec + 1, &cex->offers,
                          &cex->offer_count);
    mem_free(vec);
    mem_free(scratch);
    return rc;
}

static void rt_product(const CheckRequest *req, CheckResult *r, RtSpec *rt)
{
    int strict = req->model == CHECK_RD;
    RtProduct *p = mem_calloc(1, sizeof *p);
    if (p && wrapped_init(&p->w, &rt_ops, req->impl, RT_ERROR) != 0) {
        mem_free(p);
        p = NULL;
    }
    Machine *prod = p ? &p->w.base : NULL;
    if (p) {
        p->rt = rt;
        p->prune = strict;
    }
    ExploreOptions one = req->explore;
    one.threads = 1; /* Spec's nodes are made as the search goes */
    Explorer *ex = prod ? explore_new(prod, &one) : NULL;
    if (!ex) {
        check_no_explorer(r, prod);
        machine_free(prod);
        return;
    }
    RtCtx ctx = {rt, strict};
    ExploreStatus st = explore_run(ex, inspect_rt, &ctx);
    r->stats = *explore_stats(ex);
    r->spec_nodes = rtspec_nodes(rt);
    if (st == EXPLORE_VIOLATION) {
        int code = 0;
        explore_violation(ex, &code);
        r->verdict = VERDICT_FAIL;
        if (rt_explain(req, r, ex, prod, rt, code) != 0)
            check_set_error(r, EXPLORE_NOMEM, NULL);
    } else if (st != EXPLORE_DONE) {
        check_explore_error(r, st, ex, prod, 1);
    } else if (strict) {
        check_product_divergence(req, r, ex, prod);
    }
    check_rank_stats(r, ex);
    explore_free(ex);
    machine_free(prod);
}

void check_refusal_testing(const CheckRequest *req, CheckResult *r)
{
    RtSpec *rt = NULL;
    NormalStatus st = rtspec_new(req->spec, &req->explore,
                                 req->explore.max_states, &rt);
    if (st != NORMAL_OK) {
        check_set_error(r,
                        st == NORMAL_LIMIT   ? EXPLORE_LIMIT_STATES
                        : st == NORMAL_ERROR ? EXPLORE_MACHINE_ERROR
                                             : EXPLORE_NOMEM,
                        st == NORMAL_LIMIT ? "the specification exceeds the "
                                             "state limit"
                                           : NULL);
        return;
    }
    rt_product(req, r, rt);
    rtspec_free(rt);
}
