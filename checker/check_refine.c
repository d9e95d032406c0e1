/* check_refine: Spec [T= / [F= / [FD= Impl over the product of Spec's normal
 * form and Impl (normal.h, product.h), and determinism, which is the same
 * product with P's own normal form. See check.h. */
#include "check_impl.h"

#include "limit.h"
#include "mem.h"
#include "normal.h"
#include "product.h"

#include <string.h>

enum {
    VIOLATION_TRACE = 1, VIOLATION_ACCEPTANCE, VIOLATION_NONDET,
    VIOLATION_REVIVAL
};

typedef struct RefineCtx {
    const Normal *normal;
    CheckModel model;
} RefineCtx;

/* 1 when some minimal acceptance of `node` is contained in the sorted,
 * distinct `offers`. */
static int accepted(const Normal *n, uint32_t node, const uint32_t *offers,
                    size_t count)
{
    for (uint32_t a = n->acc_node[node]; a < n->acc_node[node + 1]; a++) {
        size_t j = 0, ok = 1;
        for (uint32_t k = n->acc_off[a]; k < n->acc_off[a + 1] && ok; k++) {
            while (j < count && offers[j] < n->acc_event[k])
                j++;
            ok = j < count && offers[j] == n->acc_event[k];
        }
        if (ok)
            return 1;
    }
    return 0;
}

/* Revivals: the first event of the sorted, distinct `offers` that no
 * acceptance of `node` inside `offers` holds (Spec has no revival (s,
 * everything else, a) for it), or EVENT_NONE when there is none; with no
 * offers (a deadlock), EVENT_TICK stands for "Spec cannot deadlock here"
 * unless an acceptance is empty. Needs the node's every acceptance. */
static uint32_t not_revived(const Normal *n, uint32_t node,
                            const uint32_t *offers, size_t count)
{
    uint8_t covered[count + 1];
    memset(covered, 0, count + 1);
    int empty = 0;
    for (uint32_t a = n->acc_node[node]; a < n->acc_node[node + 1]; a++) {
        const uint32_t *acc = n->acc_event + n->acc_off[a];
        uint32_t len = n->acc_off[a + 1] - n->acc_off[a];
        if (!event_ids_subset(acc, len, offers, count))
            continue;
        empty |= len == 0;
        for (uint32_t k = 0, j = 0; k < len; k++) { /* mark acc in offers */
            while (offers[j] != acc[k])
                j++;
            covered[j] = 1;
        }
    }
    if (count == 0)
        return empty ? EVENT_NONE : EVENT_TICK;
    for (size_t j = 0; j < count; j++)
        if (!covered[j])
            return offers[j];
    return EVENT_NONE;
}

/* Trace error: a successor reaches the error node. Acceptance error ([F],
 * [FD]): a stable Impl state offers less than every minimal acceptance of
 * the node (in [FD], unless Spec may diverge there). */
static int inspect_refine(void *ud, const uint32_t *state,
                          const ExploreSucc *succ, size_t count)
{
    const RefineCtx *c = ud;
    uint32_t node = state[0];
    if (node >= c->normal->nodes)
        return 0; /* the error state itself: its parent is the violation */
    int stable = 1;
    for (size_t i = 0; i < count; i++) {
        if (succ[i].target[0] == c->normal->nodes)
            return VIOLATION_TRACE;
        stable &= succ[i].event != EVENT_TAU;
    }
    if (c->model == CHECK_T || !stable)
        return 0;
    if (check_model_strict(c->model) && c->normal->divergent[node])
        return 0;
    uint32_t offers[count + 1];
    for (size_t i = 0; i < count; i++)
        offers[i] = succ[i].event;
    size_t n = event_set_normalise(offers, count);
    if (c->model == CHECK_V || c->model == CHECK_VD)
        return not_revived(c->normal, node, offers, n) == EVENT_NONE
                   ? 0
                   : VIOLATION_REVIVAL;
    return accepted(c->normal, node, offers, n) ? 0 : VIOLATION_ACCEPTANCE;
}

/* The first event `node` can do that the sorted `offers` lack, or
 * EVENT_NONE. */
static uint32_t refused(const Normal *n, uint32_t node, const uint32_t *offers,
                        size_t count)
{
    size_t j = 0;
    for (uint32_t k = n->off[node]; k < n->off[node + 1]; k++) {
        while (j < count && offers[j] < n->event[k])
            j++;
        if (j == count || offers[j] != n->event[k])
            return n->event[k];
    }
    return EVENT_NONE;
}

/* Determinism (FDR): a stable state must offer every event its normal
 * node can do, else that event can be both performed and refused after
 * the same trace. */
static int inspect_determinism(void *ud, const uint32_t *state,
                               const ExploreSucc *succ, size_t count)
{
    const RefineCtx *c = ud;
    uint32_t node = state[0];
    if (node >= c->normal->nodes)
        return 0;
    uint32_t offers[count + 1];
    for (size_t i = 0; i < count; i++) {
        if (succ[i].event == EVENT_TAU)
            return 0;
        offers[i] = succ[i].event;
    }
    size_t n = event_set_normalise(offers, count);
    return refused(c->normal, node, offers, n) == EVENT_NONE ? 0
                                                            : VIOLATION_NONDET;
}

/* Spec's minimal acceptances at `node`, copied into the counterexample. */
static int copy_acceptances(Cex *cex, const Normal *n, uint32_t node)
{
    uint32_t first = n->acc_node[node], last = n->acc_node[node + 1];
    uint32_t lo = n->acc_off[first], hi = n->acc_off[last];
    cex->accept_count = last - first;
    cex->accept_off = mem_alloc((last - first + 1) * sizeof(uint32_t));
    cex->accept = mem_alloc((hi - lo + 1) * sizeof(uint32_t));
    if (!cex->accept_off || !cex->accept)
        return -1;
    for (uint32_t a = first; a <= last; a++)
        cex->accept_off[a - first] = n->acc_off[a] - lo;
    if (hi > lo) /* acc_event is NULL when every acceptance is empty */
        mem_copy(cex->accept, n->acc_event + lo, (hi - lo) * sizeof(uint32_t));
    return 0;
}

static int refine_explain(const CheckRequest *req, CheckResult *r,
                          const Explorer *ex, const Machine *prod,
                          const Normal *normal, int code)
{
    uint64_t id = explore_violation(ex, NULL);
    if (check_cex_path(&r->cex, ex, prod, id, 1) != 0)
        return -1;
    uint32_t *vec = mem_alloc(prod->width * sizeof *vec);
    void *scratch = mem_calloc(1, prod->scratch_size + 1);
    int rc = vec && scratch ? 0 : -1;
    if (rc == 0) {
        explore_state(ex, id, vec);
        if (code == VIOLATION_TRACE) {
            rc = check_culprit(prod, vec, scratch, normal->nodes,
                               &r->cex.culprit);
        } else if (code == VIOLATION_REVIVAL) {
            uint32_t *offers = NULL;
            size_t count = 0;
            rc = check_offers(req->impl, vec + 1, &offers, &count);
            if (rc == 0) {
                uint32_t e = not_revived(normal, vec[0], offers, count);
                r->cex.culprit = count ? e : EVENT_NONE;
                rc = copy_acceptances(&r->cex, normal, vec[0]);
            }
            mem_free(offers);
        } else if (code == VIOLATION_NONDET) {
            uint32_t *offers = NULL;
            size_t count = 0;
            rc = check_offers(req->impl, vec + 1, &offers, &count);
            if (rc == 0)
                r->cex.culprit = refused(normal, vec[0], offers, count);
            mem_free(offers);
        } else {
            rc = copy_acceptances(&r->cex, normal, vec[0]);
        }
    }
    if (rc == 0)
        rc = check_offers(req->impl, vec + 1, &r->cex.offers,
                          &r->cex.offer_count);
    mem_free(vec);
    mem_free(scratch);
    return rc;
}

static void refine_product(const CheckRequest *req, CheckResult *r,
                           const Normal *normal)
{
    Machine *prod = product_new(req->impl, normal,
                                req->kind == CHECK_REFINES &&
                                    check_model_strict(req->model));
    Explorer *ex = prod ? explore_new(prod, &req->explore) : NULL;
    if (!ex) {
        check_no_explorer(r, prod);
        machine_free(prod);
        return;
    }
    RefineCtx ctx = {normal, req->model};
    ExploreStatus st = explore_run(
        ex, req->kind == CHECK_DETERMINISM ? inspect_determinism : inspect_refine,
        &ctx);
    r->stats = *explore_stats(ex);
    if (st == EXPLORE_VIOLATION) {
        int code = 0;
        explore_violation(ex, &code);
        r->verdict = VERDICT_FAIL;
        r->fail = code == VIOLATION_TRACE     ? FAIL_TRACE
                  : code == VIOLATION_NONDET  ? FAIL_NONDETERMINISM
                  : code == VIOLATION_REVIVAL ? FAIL_REVIVAL
                                              : FAIL_ACCEPTANCE;
        if (refine_explain(req, r, ex, prod, normal, code) != 0)
            check_set_error(r, EXPLORE_NOMEM, NULL);
    } else if (st != EXPLORE_DONE) {
        check_explore_error(r, st, ex, prod, 1);
    } else if (check_model_strict(req->model)) {
        check_product_divergence(req, r, ex, prod);
    }
    check_rank_stats(r, ex);
    explore_free(ex);
    machine_free(prod);
}

void check_refines(const CheckRequest *req, CheckResult *r)
{
    Normal normal;
    const Machine *spec = req->kind == CHECK_DETERMINISM ? req->impl : req->spec;
    int all = req->kind == CHECK_REFINES &&
              (req->model == CHECK_V || req->model == CHECK_VD);
    /* an MPI job's ranks share one build of it */
    NormalStatus st =
        req->explore.distributed
            ? normal_build_shared(spec, &req->explore,
                                  req->explore.max_states, all, &normal)
            : normal_build(spec, &req->explore, req->explore.max_states, all,
                           &normal);
    if (st != NORMAL_OK) {
        check_set_error(r,
                        st == NORMAL_LIMIT     ? EXPLORE_LIMIT_STATES
                        : st == NORMAL_STOPPED ? explore_limit_status(
                                                     limit_reached())
                        : st == NORMAL_ERROR   ? EXPLORE_MACHINE_ERROR
                                               : EXPLORE_NOMEM,
                        st == NORMAL_LIMIT
                            ? "the specification's normal form exceeds the "
                              "state limit"
                            : NULL);
        return;
    }
    r->spec_nodes = normal.nodes;
    refine_product(req, r, &normal);
    normal_free(&normal);
}
