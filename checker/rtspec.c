/* rtspec: refusal-testing specification nodes, found as asked. See
 * rtspec.h. */
#include "rtspec.h"

#include "intern.h"
#include "mem.h"
#include "specgraph.h"

#include <string.h>

struct RtSpec {
    SpecGraph g;
    Intern *sets;      /* node -> its sorted Spec states (uint64_t) */
    IdVec members;
    uint8_t *div;      /* node -> 0 not yet known, 1 no, 2 may diverge */
    size_t div_cap;
    uint64_t max_nodes;
};

/* 1 when Spec state s is stable and can do nothing outside offers. */
static int refuses_outside(const SpecGraph *g, uint64_t s,
                           const uint32_t *offers, size_t count)
{
    EventSet offered = {count, (uint32_t *)offers};
    for (uint32_t k = g->off[s]; k < g->off[s + 1]; k++)
        if (g->event[k] == EVENT_TAU || !event_set_has(&offered, g->event[k]))
            return 0;
    return 1;
}

static const uint64_t *node_members(const RtSpec *rt, uint32_t node,
                                    size_t *count)
{
    size_t size;
    const uint64_t *set = intern_get(rt->sets, node, &size);
    *count = size / sizeof *set;
    return set;
}

/* Interns the closure of rt->members. */
static uint32_t rt_close(RtSpec *rt)
{
    if (specgraph_close(&rt->g, &rt->members) != 0)
        return RTSPEC_FAILED;
    uint32_t node = intern_add(rt->sets, rt->members.items,
                               rt->members.count * sizeof *rt->members.items);
    if (node == UINT32_MAX || node >= rt->max_nodes)
        return RTSPEC_FAILED;
    return node;
}

NormalStatus rtspec_new(const Machine *spec, const ExploreOptions *options,
                        uint64_t max_nodes, RtSpec **out)
{
    *out = NULL;
    RtSpec *rt = mem_calloc(1, sizeof *rt);
    if (!rt)
        return NORMAL_NOMEM;
    rt->max_nodes = max_nodes && max_nodes < RTSPEC_MAX_NODE ? max_nodes
                                                             : RTSPEC_MAX_NODE;
    NormalStatus st = specgraph_build(spec, options, &rt->g);
    if (st == NORMAL_OK) {
        rt->sets = intern_new();
        st = rt->sets && idvec_push(&rt->members, 0) == 0 &&
                     rt_close(rt) == 0
                 ? NORMAL_OK
                 : NORMAL_NOMEM;
    }
    if (st != NORMAL_OK) {
        rtspec_free(rt);
        return st;
    }
    *out = rt;
    return NORMAL_OK;
}

void rtspec_free(RtSpec *rt)
{
    if (!rt)
        return;
    specgraph_free(&rt->g);
    intern_free(rt->sets);
    idvec_free(&rt->members);
    mem_free(rt->div);
    mem_free(rt);
}

uint32_t rtspec_after(RtSpec *rt, uint32_t node, const uint32_t *offers,
                      size_t count, uint32_t event)
{
    size_t n;
    const uint64_t *set = node_members(rt, node, &n);
    rt->members.count = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t s = set[i];
        if (offers && !refuses_outside(&rt->g, s, offers, count))
            continue; /* s could not have refused what Impl refused */
        for (uint32_t k = rt->g.off[s]; k < rt->g.off[s + 1]; k++)
            if (rt->g.event[k] == event &&
                idvec_push(&rt->members, rt->g.target[k]) != 0)
                return RTSPEC_FAILED;
    }
    return rt->members.count ? rt_close(rt) : RTSPEC_NONE;
}

int rtspec_accepts(const RtSpec *rt, uint32_t node, const uint32_t *offers,
                   size_t count)
{
    size_t n;
    const uint64_t *set = node_members(rt, node, &n);
    for (size_t i = 0; i < n; i++)
        if (refuses_outside(&rt->g, set[i], offers, count))
            return 1;
    return 0;
}

int rtspec_divergent(const RtSpec *rt, uint32_t node)
{
    size_t n;
    const uint64_t *set = node_members(rt, node, &n);
    for (size_t i = 0; i < n; i++)
        if (rt->g.div[set[i]])
            return 1;
    return 0;
}

uint32_t rtspec_nodes(const RtSpec *rt) { return intern_count(rt->sets); }

uint64_t rtspec_spec_states(const RtSpec *rt) { return rt->g.states; }

/* The sorted, distinct initials of Spec state s into out; their count. */
static size_t initials(const SpecGraph *g, uint64_t s, uint32_t *out)
{
    size_t n = 0;
    for (uint32_t k = g->off[s]; k < g->off[s + 1]; k++)
        out[n++] = g->event[k];
    return event_set_normalise(out, n);
}

int rtspec_acceptances(const RtSpec *rt, uint32_t node, uint32_t **off,
                       uint32_t **events, size_t *count)
{
    size_t n, total = 0;
    const uint64_t *set = node_members(rt, node, &n);
    for (size_t i = 0; i < n; i++)
        total += rt->g.off[set[i] + 1] - rt->g.off[set[i]];
    *off = mem_alloc((n + 2) * sizeof **off);
    *events = mem_alloc((total + 1) * sizeof **events);
    uint32_t *init = mem_alloc((total + 1) * sizeof *init);
    *count = 0;
    if (!*off || !*events || !init) {
        mem_free(init);
        return -1;
    }
    (*off)[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (!specgraph_stable(&rt->g, set[i]))
            continue;
        size_t ni = initials(&rt->g, set[i], init);
        int redundant = 0; /* an acceptance kept already is inside it */
        for (size_t a = 0; a < *count && !redundant; a++)
            redundant = event_ids_subset(*events + (*off)[a],
                                         (*off)[a + 1] - (*off)[a], init, ni);
        if (redundant)
            continue;
        /* drop the kept ones it is inside of */
        size_t keep = 0, write = 0;
        for (size_t a = 0; a < *count; a++) {
            uint32_t lo = (*off)[a], len = (*off)[a + 1] - lo;
            if (event_ids_subset(init, ni, *events + lo, len))
                continue;
            memmove(*events + write, *events + lo, len * sizeof **events);
            (*off)[keep++] = (uint32_t)write;
            write += len;
        }
        mem_copy(*events + write, init, ni * sizeof *init);
        (*off)[keep] = (uint32_t)write;
        (*off)[keep + 1] = (uint32_t)(write + ni);
        *count = keep + 1;
    }
    mem_free(init);
    return 0;
}
