/* normal_share: a specification's normal form built once in an MPI job
 * and given to every rank (normal.h).
 *
 * Every rank could build it alike (they run the same program), but each
 * would then hold Spec's exploration at once: on a machine shared by N
 * ranks, N times the memory of the largest phase but the search. Rank 0
 * builds it; the status and the arrays follow by broadcast. Events are
 * interned alike on every rank (the same model, loaded the same way), so
 * the arrays mean the same everywhere. */
#include "normal.h"

#include "dist.h"
#include "limit.h"
#include "mem.h"

/* Broadcasts n words at *a from rank 0, allocating them elsewhere. The
 * job ends when a rank cannot (dist.h: an allocation failure there). */
static void share_words(uint32_t **a, size_t n)
{
    if (dist_rank() != 0)
        *a = mem_alloc(n * sizeof **a + sizeof **a);
    dist_bcast_u32(*a, n, 0);
}

NormalStatus normal_build_shared(const Machine *spec,
                                 const ExploreOptions *options,
                                 uint64_t max_nodes, int all, Normal *out)
{
    if (dist_size() == 1)
        return normal_build(spec, options, max_nodes, all, out);
    NormalStatus st = NORMAL_OK;
    if (dist_rank() == 0)
        st = normal_build(spec, options, max_nodes, all, out);
    else
        *out = (Normal){0};
    /* the status (and the limit that stopped it, so that every rank
     * stops), the node count and the sizes of the arrays */
    uint32_t head[7] = {(uint32_t)st, out->nodes, 0, 0, 0, 0,
                        (uint32_t)limit_reached()};
    if (dist_rank() == 0 && st == NORMAL_OK) {
        head[2] = out->off[out->nodes];
        head[3] = out->acc_node[out->nodes];
        head[4] = out->acc_off[head[3]];
        head[5] = (uint32_t)(out->spec_states >> 32);
    }
    dist_bcast_u32(head, 7, 0);
    st = (NormalStatus)head[0];
    if (st == NORMAL_STOPPED && head[6] != LIMIT_NONE)
        limit_raise((LimitKind)head[6]);
    if (st != NORMAL_OK)
        return st;
    uint32_t low = (uint32_t)out->spec_states;
    dist_bcast_u32(&low, 1, 0);
    out->nodes = head[1];
    out->spec_states = (uint64_t)head[5] << 32 | low;
    share_words(&out->off, out->nodes + 1);
    share_words(&out->event, head[2]);
    share_words(&out->target, head[2]);
    share_words(&out->acc_node, out->nodes + 1);
    share_words(&out->acc_off, head[3] + 1);
    share_words(&out->acc_event, head[4]);
    /* a byte per node, sent in words */
    size_t words = (out->nodes + 3) / 4;
    uint32_t *div = mem_alloc(words * sizeof *div + sizeof *div);
    if (dist_rank() == 0)
        mem_copy(div, out->divergent, out->nodes);
    dist_bcast_u32(div, words, 0);
    if (dist_rank() != 0) {
        out->divergent = (uint8_t *)div;
        return NORMAL_OK;
    }
    mem_free(div);
    return NORMAL_OK;
}
