/* rtspec: the specification side of a refinement in the refusal-testing
 * models ([R=, [RD=), built as the check asks for it.
 *
 * An observation of refusal testing is a trace with a refusal (or none)
 * before every event: <X0, a1, X1, a2, ...>, each Xi refused by a stable
 * state. A node is a tau-closed set of Spec states, as a normal node
 * (normal.h); node 0 is the closure of Spec's initial state. When Impl,
 * stable and offering exactly A, does a, it showed the refusal of all
 * that A lacks; Spec matches that only from its stable states whose
 * initials lie inside A, so the next node is the closure of their
 * a-successors. After an unstable Impl state no refusal was seen and
 * every a-successor counts. (A larger refusal only removes states, so
 * Impl's largest one at each stable state is the one to check.)
 *
 * The nodes reachable this way depend on Impl's acceptances, so they are
 * found during the check rather than before it; the RtSpec is therefore
 * not thread-safe and the check runs on one thread.
 */
#ifndef LOCKSTEP_RTSPEC_H
#define LOCKSTEP_RTSPEC_H

#include "normal.h"

typedef struct RtSpec RtSpec;

enum {
    RTSPEC_NONE = UINT32_MAX,         /* Spec cannot do the event */
    RTSPEC_FAILED = UINT32_MAX - 1,   /* memory, or more than max_nodes */
    RTSPEC_MAX_NODE = UINT32_MAX - 3  /* node ids stay below this */
};

/* NORMAL_OK and *out, or why Spec could not be explored. */
NormalStatus rtspec_new(const Machine *spec, const ExploreOptions *options,
                        uint64_t max_nodes, RtSpec **out);
void rtspec_free(RtSpec *rt);

/* The node after `event`, Impl offering the sorted, distinct
 * offers[0..count-1] in a stable state, or with offers NULL when Impl
 * was not stable; RTSPEC_NONE or RTSPEC_FAILED. */
uint32_t rtspec_after(RtSpec *rt, uint32_t node, const uint32_t *offers,
                      size_t count, uint32_t event);
/* 1 when some stable Spec state of the node offers nothing outside the
 * sorted, distinct offers (Spec can refuse what Impl refuses). */
int rtspec_accepts(const RtSpec *rt, uint32_t node, const uint32_t *offers,
                   size_t count);
int rtspec_divergent(const RtSpec *rt, uint32_t node);
uint32_t rtspec_nodes(const RtSpec *rt);
uint64_t rtspec_spec_states(const RtSpec *rt);
/* The distinct minimal initial sets of the node's stable states, as the
 * Cex's acceptance lists (mem_alloc'd, the caller frees). 0 or -1. */
int rtspec_acceptances(const RtSpec *rt, uint32_t node, uint32_t **off,
                       uint32_t **events, size_t *count);

#endif
