/* check_impl: what the check files share; not a public interface. */
#ifndef LOCKSTEP_CHECK_IMPL_H
#define LOCKSTEP_CHECK_IMPL_H

#include "check.h"
#include "explore.h"

void check_set_error(CheckResult *r, ExploreStatus status, const char *what);
/* For an explore_new of `m` that returned NULL: the state too wide to
 * store (a limit, said so), else out of memory. */
void check_no_explorer(CheckResult *r, const Machine *m);
/* The per-rank statistics of a distributed exploration into r (nothing
 * for one process): last thing before ex is freed, so they count the
 * divergence search too. Collective. */
void check_rank_stats(CheckResult *r, const Explorer *ex);
int check_cex_path(Cex *cex, const Explorer *ex, const Machine *m,
                   uint64_t id, size_t skip);
int check_offers(const Machine *m, const uint32_t *state, uint32_t **events,
                 size_t *count);
/* check_offers, and *tau = 1 when the state can also do tau. */
int check_offers_tau(const Machine *m, const uint32_t *state,
                     uint32_t **events, size_t *count, int *tau);
/* After a complete exploration of m by ex: finds the reachable divergent
 * state with the smallest id. Returns 1 and fills the counterexample (path
 * to it, the tau loop) when there is one, 0 when there is none, -1 when out
 * of memory or stopped by the run's limit (limit_reached() says which).
 * `skip` as for check_cex_path. */
int check_divergence_after(const Explorer *ex, const Machine *m, Cex *cex,
                           size_t skip);
/* An exploration that ended with `st` (not DONE, not VIOLATION): the
 * error, and after a machine error the path to the state that failed
 * (r->cex; `skip` as for check_cex_path). */
void check_explore_error(CheckResult *r, ExploreStatus st,
                         const Explorer *ex, const Machine *m, size_t skip);
/* The first event by which refinement product `prod` goes from `state`
 * to its error node (the first word `error_node`), in *event (EVENT_NONE
 * when none); 0 or a MACHINE_* error. */
int check_culprit(const Machine *prod, const uint32_t *state, void *scratch,
                  uint32_t error_node, uint32_t *event);
/* After a complete exploration of a refinement product (Spec's node in
 * front of Impl's state) in a divergence-strict model: a reachable Impl
 * divergence fails the check (nothing was explored below a node where
 * Spec may diverge). */
void check_product_divergence(const CheckRequest *req, CheckResult *r,
                              const Explorer *ex, const Machine *prod);
void check_refines(const CheckRequest *req, CheckResult *r);
void check_refusal_testing(const CheckRequest *req, CheckResult *r);

#endif
