/* lts_scc: what a picture of an explicit LTS marks and summarises: the
 * states that may diverge, and the strongly connected components. See
 * lts.h. */
#include "lts.h"

#include "event.h"
#include "mem.h"

unsigned char *lts_divergent(const Lts *lts)
{
    /* Peel off, over tau moves only, the states whose every tau leads to
     * a peeled state: what is left can take taus for ever. */
    size_t n = lts->states;
    uint32_t *out = mem_calloc(n + 1, sizeof *out);
    uint32_t *rstart = mem_calloc(n + 2, sizeof *rstart);
    uint32_t *rfrom = mem_alloc((lts->transitions + 1) * sizeof *rfrom);
    uint32_t *queue = mem_alloc((n + 1) * sizeof *queue);
    unsigned char *div = mem_calloc(n + 1, 1);
    if (!out || !rstart || !rfrom || !queue || !div) {
        mem_free(div);
        div = NULL;
        goto done;
    }
    for (uint32_t s = 0; s < n; s++)
        for (uint32_t k = lts->offset[s]; k < lts->offset[s + 1]; k++)
            if (lts->event[k] == EVENT_TAU)
                out[s]++, rstart[lts->target[k] + 1]++;
    for (size_t s = 0; s < n; s++)
        rstart[s + 1] += rstart[s];
    for (uint32_t s = 0; s < n; s++) /* rfrom: the tau predecessors */
        for (uint32_t k = lts->offset[s]; k < lts->offset[s + 1]; k++)
            if (lts->event[k] == EVENT_TAU)
                rfrom[rstart[lts->target[k]]++] = s;
    for (size_t s = n; s > 0; s--) /* back to each state's first */
        rstart[s] = rstart[s - 1];
    rstart[0] = 0;
    size_t head = 0, tail = 0;
    for (uint32_t s = 0; s < n; s++)
        if (!out[s])
            queue[tail++] = s;
    while (head < tail) {
        uint32_t s = queue[head++];
        for (uint32_t i = rstart[s]; i < rstart[s + 1]; i++)
            if (--out[rfrom[i]] == 0)
                queue[tail++] = rfrom[i];
    }
    for (uint32_t s = 0; s < n; s++)
        div[s] = out[s] > 0;
done:
    mem_free(out);
    mem_free(rstart);
    mem_free(rfrom);
    mem_free(queue);
    return div;
}

uint32_t *lts_components(const Lts *lts, uint32_t *count)
{
    /* Tarjan's algorithm without recursion: `next` is how far each state
     * on the call stack has got through its transitions. */
    size_t n = lts->states;
    uint32_t *index = mem_alloc((n + 1) * sizeof *index);
    uint32_t *low = mem_alloc((n + 1) * sizeof *low);
    uint32_t *next = mem_alloc((n + 1) * sizeof *next);
    uint32_t *call = mem_alloc((n + 1) * sizeof *call);
    uint32_t *stack = mem_alloc((n + 1) * sizeof *stack);
    uint32_t *comp = mem_alloc((n + 1) * sizeof *comp);
    unsigned char *on = mem_calloc(n + 1, 1);
    *count = 0;
    if (!index || !low || !next || !call || !stack || !comp || !on) {
        mem_free(comp);
        comp = NULL;
        goto done;
    }
    for (size_t s = 0; s < n; s++)
        index[s] = UINT32_MAX;
    uint32_t counter = 0, sp = 0;
    for (uint32_t root = 0; root < n; root++) {
        if (index[root] != UINT32_MAX)
            continue;
        size_t depth = 0;
        call[depth++] = root;
        index[root] = low[root] = counter++;
        next[root] = lts->offset[root];
        stack[sp++] = root, on[root] = 1;
        while (depth) {
            uint32_t v = call[depth - 1];
            if (next[v] < lts->offset[v + 1]) {
                uint32_t w = lts->target[next[v]++];
                if (index[w] == UINT32_MAX) {
                    index[w] = low[w] = counter++;
                    next[w] = lts->offset[w];
                    stack[sp++] = w, on[w] = 1;
                    call[depth++] = w;
                } else if (on[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            if (low[v] == index[v]) { /* v roots a component */
                uint32_t w;
                do {
                    w = stack[--sp];
                    on[w] = 0;
                    comp[w] = *count;
                } while (w != v);
                (*count)++;
            }
            if (--depth && low[v] < low[call[depth - 1]])
                low[call[depth - 1]] = low[v];
        }
    }
done:
    mem_free(index);
    mem_free(low);
    mem_free(next);
    mem_free(call);
    mem_free(stack);
    mem_free(on);
    return comp;
}
