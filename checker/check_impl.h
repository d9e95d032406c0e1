/* check_impl: what the check files share; not a public interface. */
#ifndef LOCKSTEP_CHECK_IMPL_H
#define LOCKSTEP_CHECK_IMPL_H

#include "check.h"
#include "explore.h"

void check_set_error(CheckResult *r, ExploreStatus status, const char *what);
/* For an explore_new of `m` that returned NULL: the state too wide to
 * store (a limit, said so), else out of memory. */
void check_no_explorer(CheckResult *r, const Machine *m);
int check_cex_path(Cex *cex, const Explorer *ex, const Machine *m,
                   uint64_t id, size_t skip);
int check_offers(const Machine *m, const uint32_t *state, uint32_t **events,
                 size_t *count);
/* After a complete exploration of m by ex: finds the reachable divergent
 * state with the smallest id. Returns 1 and fills the counterexample (path
 * to it, the tau loop) when there is one, 0 when there is none, -1 when out
 * of memory. `skip` as for check_cex_path. */
int check_divergence_after(const Explorer *ex, const Machine *m, Cex *cex,
                           size_t skip);
void check_refines(const CheckRequest *req, CheckResult *r);

#endif
