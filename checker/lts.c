/* lts: breadth-first exploration of one term into an explicit LTS.
 * A hash map from term id to local state; rows are appended in BFS order,
 * so the arrays grow but never need a second pass. See lts.h. */
#include "lts.h"

#include "limit.h"

#include "mem.h"

#include <stdlib.h>
#include <string.h>

typedef struct Builder {
    TermTable *terms;
    Lts *lts;
    size_t state_cap, trans_cap;
    uint32_t *slots;    /* term id -> local state + 1 */
    size_t slot_count;  /* power of two */
    size_t max_states;
    /* transitions of the state being expanded */
    uint32_t *row_event, *row_target;
    size_t row_count, row_cap;
    int status;
} Builder;

static size_t term_slot(uint32_t term, size_t size)
{
    return ((uint64_t)term * 0x9e3779b97f4a7c15ull >> 17) & (size - 1);
}

static int builder_rehash(Builder *b)
{
    size_t size = b->slot_count ? b->slot_count * 2 : 1024;
    uint32_t *slots = mem_calloc(size, sizeof *slots);
    if (!slots)
        return -1;
    for (uint32_t s = 0; s < b->lts->states; s++) {
        size_t i = term_slot(b->lts->term[s], size);
        while (slots[i])
            i = (i + 1) & (size - 1);
        slots[i] = s + 1;
    }
    mem_free(b->slots);
    b->slots = slots;
    b->slot_count = size;
    return 0;
}

/* The local state of `term`, added if new; UINT32_MAX on failure. */
static uint32_t builder_state(Builder *b, uint32_t term)
{
    Lts *lts = b->lts;
    term = term_alias_end(b->terms, term);
    if ((lts->states + 1) * 2 > b->slot_count && builder_rehash(b) != 0)
        return UINT32_MAX;
    size_t i = term_slot(term, b->slot_count);
    while (b->slots[i]) {
        if (lts->term[b->slots[i] - 1] == term)
            return b->slots[i] - 1;
        i = (i + 1) & (b->slot_count - 1);
    }
    if (lts->states >= b->max_states) {
        b->status = LTS_LIMIT;
        return UINT32_MAX;
    }
    if (mem_grow((void **)&lts->term, &b->state_cap, lts->states + 1,
                 sizeof *lts->term) != 0)
        return UINT32_MAX;
    lts->term[lts->states] = term;
    b->slots[i] = lts->states + 1;
    if (term == term_omega(b->terms))
        lts->omega = lts->states;
    return lts->states++;
}

static void builder_collect(void *ctx, uint32_t event, uint32_t target)
{
    Builder *b = ctx;
    if (b->row_count == b->row_cap) {
        size_t cap = b->row_cap ? 2 * b->row_cap : 16;
        uint32_t *e = mem_realloc(b->row_event, cap * sizeof *e);
        if (e)
            b->row_event = e;
        uint32_t *t = e ? mem_realloc(b->row_target, cap * sizeof *t) : NULL;
        if (!t) {
            b->status = LTS_NOMEM;
            return;
        }
        b->row_target = t;
        b->row_cap = cap;
    }
    b->row_event[b->row_count] = event;
    b->row_target[b->row_count++] = target;
}

/* Insertion sort of the row by event: rows are short, and it is stable. */
static void builder_sort_row(Builder *b)
{
    for (size_t i = 1; i < b->row_count; i++) {
        uint32_t e = b->row_event[i], t = b->row_target[i];
        size_t j = i;
        for (; j > 0 && b->row_event[j - 1] > e; j--) {
            b->row_event[j] = b->row_event[j - 1];
            b->row_target[j] = b->row_target[j - 1];
        }
        b->row_event[j] = e;
        b->row_target[j] = t;
    }
}

static int builder_expand(Builder *b, uint32_t s)
{
    Lts *lts = b->lts;
    b->row_count = 0;
    if (term_transitions(b->terms, lts->term[s], builder_collect, b) != 0) {
        if (b->status == LTS_OK)
            b->status = LTS_ERROR;
        return -1;
    }
    if (b->status != LTS_OK)
        return -1;
    builder_sort_row(b);
    size_t need = lts->transitions + b->row_count, old_cap = b->trans_cap;
    if (mem_grow((void **)&lts->event, &b->trans_cap, need, sizeof *lts->event))
        return b->status = LTS_NOMEM, -1;
    if (b->trans_cap != old_cap) {
        uint32_t *targets =
            mem_realloc(lts->target, b->trans_cap * sizeof *targets);
        if (!targets)
            return b->status = LTS_NOMEM, -1;
        lts->target = targets;
    }
    for (size_t k = 0; k < b->row_count; k++) {
        uint32_t t = builder_state(b, b->row_target[k]);
        if (t == UINT32_MAX) {
            if (b->status == LTS_OK)
                b->status = LTS_NOMEM;
            return -1;
        }
        lts->event[lts->transitions] = b->row_event[k];
        lts->target[lts->transitions++] = t;
    }
    return 0;
}

/* The events of a shortest path from the root to state `to`, which the
 * breadth-first order has not expanded yet (every state before it has
 * its row). NULL when out of memory; *len its length. */
static uint32_t *path_to(const Lts *lts, uint32_t to, size_t *len)
{
    uint32_t *via = mem_alloc((size_t)to * 2 * sizeof *via + sizeof *via);
    uint32_t *queue = mem_alloc(((size_t)to + 1) * sizeof *queue);
    uint32_t *trace = NULL;
    *len = 0;
    if (!via || !queue)
        goto out;
    for (uint32_t s = 0; s < to; s++) /* via[2s]: parent + 1, event */
        via[2 * s] = 0;
    size_t head = 0, tail = 0;
    int found = to == 0;
    queue[tail++] = 0;
    while (head < tail && !found) {
        uint32_t s = queue[head++];
        for (uint32_t k = lts->offset[s]; k < lts->offset[s + 1] && !found;
             k++) {
            uint32_t t = lts->target[k];
            if (t == to) {
                found = 1, *len = 1;
                for (uint32_t u = s; u != 0; u = via[2 * u] - 1)
                    (*len)++;
                trace = mem_alloc((*len + 1) * sizeof *trace);
                if (!trace)
                    break;
                size_t i = *len;
                trace[--i] = lts->event[k];
                for (uint32_t u = s; u != 0; u = via[2 * u] - 1)
                    trace[--i] = via[2 * u + 1];
            } else if (t != 0 && t < to && !via[2 * t]) {
                via[2 * t] = s + 1;
                via[2 * t + 1] = lts->event[k];
                queue[tail++] = t;
            }
        }
    }
out:
    mem_free(via);
    mem_free(queue);
    return trace;
}

LtsStatus lts_explore(TermTable *terms, uint32_t root, size_t max_states,
                      Lts *out)
{
    memset(out, 0, sizeof *out);
    out->omega = UINT32_MAX;
    Builder b = {.terms = terms, .lts = out, .max_states = max_states};
    b.status = LTS_OK;
    size_t offset_cap = 0;
    if (builder_state(&b, root) == UINT32_MAX && b.status == LTS_OK)
        b.status = LTS_NOMEM;
    uint32_t s = 0;
    for (; b.status == LTS_OK && s < out->states; s++) {
        if (mem_grow((void **)&out->offset, &offset_cap, (size_t)s + 2,
                     sizeof *out->offset) != 0) {
            b.status = LTS_NOMEM;
            break;
        }
        out->offset[s] = out->transitions;
        if (limit_reached() != LIMIT_NONE) {
            b.status = LTS_STOPPED;
            break;
        }
        if (builder_expand(&b, s) != 0 && b.status == LTS_ERROR)
            break; /* s stays the state that failed */
        out->offset[s + 1] = out->transitions;
    }
    mem_free(b.slots);
    mem_free(b.row_event);
    mem_free(b.row_target);
    size_t len = 0;
    uint32_t *trace = b.status == LTS_ERROR ? path_to(out, s, &len) : NULL;
    if (b.status != LTS_OK)
        lts_free(out);
    out->fail_trace = trace;
    out->fail_len = trace ? len : 0;
    return (LtsStatus)b.status;
}

void lts_free(Lts *lts)
{
    mem_free(lts->fail_trace);
    mem_free(lts->term);
    mem_free(lts->offset);
    mem_free(lts->event);
    mem_free(lts->target);
    memset(lts, 0, sizeof *lts);
    lts->omega = UINT32_MAX;
}
