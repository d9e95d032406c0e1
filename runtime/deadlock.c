/* deadlock.c — run-time deadlock capture, full and partial.
 *
 * Full: when every live process is blocked without a timeout, nothing can
 * ever happen again. Partial: a set S of processes, each blocked longer
 * than cfg.partial_deadlock_ms, such that every process that could release
 * a member (has used or offered the other end of a channel the member
 * offers on, or is named there by lks_channel_expect) is itself in S: a
 * knot of the wait-for graph. A member waiting
 * on a channel whose other end nobody has touched yet could be released by
 * any running process, so it leaves S while anyone runs (no alarm on
 * channels nobody has used; see lockstep.h for the remaining heuristic).
 *
 * Either way the run ends: the record is built as data (LksDeadlock), written
 * to the trace as `#` lines, and every blocked process wakes with
 * LKS_EDEADLOCK. Everything here runs with the world stopped (rt->lock and
 * every channel lock held), so no wait can begin or end meanwhile.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Internal twins of the public structs, with owned memory. */
typedef struct {
    LksOffer offer;
    char *channel, *event;
    int *values;
} Offer;

void lks_deadlock_free(LksDeadlock *d)
{
    if (!d)
        return;
    for (int b = 0; b < d->nblocked; b++) {
        const LksBlocked *blk = &d->blocked[b];
        for (int o = 0; o < blk->noffers; o++) {
            free((char *)blk->offers[o].channel);
            free((char *)blk->offers[o].event);
            free((int *)blk->offers[o].values);
        }
        free((LksOffer *)blk->offers);
        free((int *)blk->waits_for);
        free((int *)blk->waits_via);
        free((char *)blk->process);
    }
    free((LksBlocked *)d->blocked);
    free(d);
}

static LksProc *find_marked(LksRuntime *rt, int id)
{
    for (LksProc *p = rt->procs; p; p = p->next)
        if (p->id == id)
            return p->mark ? p : NULL;
    return NULL;
}

/* Fills one offer from a waiting node; 0 if out of memory. */
static int fill_offer(LksOffer *offer, const LksNode *node)
{
    const LksChannel *ch = node->chan;
    offer->dir = node->dir;
    offer->channel = strdup(ch->name);
    char *event = malloc(ch->max_text + 1);
    offer->event = event;
    if (!offer->channel || !event)
        return 0;
    memcpy(event, ch->name, ch->name_len + 1);
    if (node->dir == LKS_DIR_SEND && ch->ndata > 0) {
        int *values = malloc(sizeof *values * (size_t)ch->ndata);
        if (!values)
            return 0;
        memcpy(values, lks_chan_sent(node), sizeof *values * (size_t)ch->ndata);
        offer->values = values;
        offer->nvalues = ch->ndata;
        size_t len = ch->name_len + lks_record_format_fields(
            event + ch->name_len, ch->decl, ch->nfixed, ch->ndata, values);
        event[len] = '\0';
    }
    return 1;
}

/* Adds the edge to q (through p's offer number offer) unless q is p or
 * already there. */
static void add_edge(int *edges, int *via, int *count, const LksProc *p,
                     const LksProc *q, int offer)
{
    if (!q || q == p)
        return;
    for (int e = 0; e < *count; e++)
        if (edges[e] == q->mark - 1)
            return;
    via[*count] = offer;
    edges[(*count)++] = q->mark - 1;
}

static LksProc *find_marked_name(LksRuntime *rt, const char *name)
{
    for (LksProc *p = rt->procs; p; p = p->next)
        if (p->mark && strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

/* P's wait-for edges: the marked processes that used, offered or are
 * expected at the other end of a channel P offers on (indices are
 * mark - 1). In a full deadlock an end that nobody is known to use (or
 * used by more than the runtime remembers) can only be taken by one of
 * the blocked processes, all marked: P waits for each of them there. */
static int fill_waits(LksRuntime *rt, LksBlocked *blk, const LksProc *p,
                      int nmarked, int partial)
{
    int *edges = calloc((size_t)nmarked + 1, sizeof *edges);
    int *via = calloc((size_t)nmarked + 1, sizeof *via);
    blk->waits_for = edges;
    blk->waits_via = via;
    if (!edges || !via)
        return 0;
    int count = 0;
    for (int i = 0; i < p->nnodes; i++) {
        const LksChannel *ch = p->nodes[i].chan;
        int other = !p->nodes[i].dir;
        for (int u = 0; u < ch->nusers[other]; u++)
            add_edge(edges, via, &count, p,
                     find_marked(rt, ch->users[other][u]), i);
        for (int x = 0; x < ch->nexpected[other]; x++)
            add_edge(edges, via, &count, p,
                     find_marked_name(rt, ch->expected[other][x]), i);
        int unknown = (ch->nusers[other] == 0 && ch->nexpected[other] == 0) ||
                      ch->users_overflow[other];
        for (const LksProc *q = rt->procs; unknown && !partial && q;
             q = q->next)
            if (q->mark)
                add_edge(edges, via, &count, p, q, i);
    }
    blk->nwaits_for = count;
    return 1;
}

/* Builds the record of the marked processes (mark = 1 + index). */
static LksDeadlock *build(LksRuntime *rt, int partial, int nmarked)
{
    LksDeadlock *d = calloc(1, sizeof *d);
    LksBlocked *blocked = calloc((size_t)nmarked + 1, sizeof *blocked);
    if (!d || !blocked) {
        free(d);
        free(blocked);
        return NULL;
    }
    d->partial = partial;
    d->after_events = lks_chan_events(rt);
    d->blocked = blocked;
    d->nblocked = nmarked;
    int ok = 1;
    for (LksProc *p = rt->procs; p; p = p->next) {
        if (!p->mark)
            continue;
        LksBlocked *blk = &blocked[p->mark - 1];
        blk->process = strdup(p->name);
        LksOffer *offers = calloc((size_t)p->nnodes + 1, sizeof *offers);
        blk->offers = offers;
        ok &= blk->process && offers;
        for (int i = 0; ok && i < p->nnodes; i++) {
            blk->noffers = i + 1;
            ok &= fill_offer(&offers[i], &p->nodes[i]);
        }
        ok = ok && fill_waits(rt, blk, p, nmarked, partial);
    }
    if (!ok) {
        lks_deadlock_free(d);
        return NULL;
    }
    return d;
}

/* The record as `#` lines of the trace. */
static void record_lines(LksRuntime *rt, const LksDeadlock *d)
{
    lks_record_metaf(rt, NULL, d->partial ? "deadlock partial" : "deadlock");
    for (int b = 0; b < d->nblocked; b++) {
        const LksBlocked *blk = &d->blocked[b];
        size_t cap = 32;
        for (int o = 0; o < blk->noffers; o++)
            cap += strlen(blk->offers[o].event) + 2;
        char *set = malloc(cap);
        if (!set) {
            lks_record_meta(rt, NULL, NULL);
            return;
        }
        strcpy(set, blk->noffers ? "{| " : "{}");
        for (int o = 0; o < blk->noffers; o++) {
            strcat(set, blk->offers[o].event);
            strcat(set, o + 1 < blk->noffers ? ", " : " |}");
        }
        lks_record_metaf(rt, NULL, "blocked %s offers %s", blk->process, set);
        free(set);
    }
    for (int b = 0; b < d->nblocked; b++) {
        const LksBlocked *blk = &d->blocked[b];
        for (int e = 0; e < blk->nwaits_for; e++)
            lks_record_metaf(rt, NULL, "waits %s for %s on %s", blk->process,
                             d->blocked[blk->waits_for[e]].process,
                             blk->offers[blk->waits_via[e]].event);
    }
}

/* Ends the run with a deadlock of the marked processes. */
static void end_run(LksRuntime *rt, int partial, int nmarked)
{
    LksDeadlock *d = build(rt, partial, nmarked);
    if (d) {
        lks_deadlock_free(rt->deadlock);
        rt->deadlock = d;
        record_lines(rt, d);
    } else {
        lks_record_metaf(rt, NULL, "deadlock%s (out of memory for the record)",
                         partial ? " partial" : "");
    }
    for (LksProc *p = rt->procs; p; p = p->next)
        p->mark = 0;
    lks_deadlock_end(rt, LKS_EDEADLOCK);
}

void lks_deadlock_end(LksRuntime *rt, int code)
{
    __atomic_store_n(&rt->ended, code, __ATOMIC_RELEASE);
    for (LksProc *p = rt->procs; p; p = p->next) {
        int was;
        if (lks_chan_claim(p, &was))
            lks_chan_release(p, was, code);
    }
}

void lks_deadlock_check(LksRuntime *rt)
{
    /* with the world stopped the count is exact or (a waiter between
     * falling asleep and counting itself) low: equality is a deadlock */
    int live = __atomic_load_n(&rt->live, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&rt->ended, __ATOMIC_ACQUIRE) || live <= 0 ||
        __atomic_load_n(&rt->blocked, __ATOMIC_SEQ_CST) != live)
        return;
    if (lks_replay_stuck(rt)) { /* not a deadlock: the trace led here */
        lks_deadlock_end(rt, LKS_EREPLAY);
        return;
    }
    int n = 0;
    for (LksProc *p = rt->procs; p; p = p->next)
        p->mark = lks_chan_waiting(p) &&
                  __atomic_load_n(&p->counted, __ATOMIC_RELAXED) ? ++n : 0;
    end_run(rt, 0, n);
}

/* Is a live process outside the marked set (not waiting in lks_par) named
 * by id or by name? */
static int outside_helper(LksRuntime *rt, int id, const char *name)
{
    for (LksProc *q = rt->procs; q; q = q->next)
        if ((name ? strcmp(q->name, name) == 0 : q->id == id) && !q->mark &&
            __atomic_load_n(&q->state, __ATOMIC_RELAXED) != LKS_PARENT)
            return 1;
    return 0;
}

/* Can a process outside the marked set release p? */
static int releasable(LksRuntime *rt, const LksProc *p, int anyone_running)
{
    for (int i = 0; i < p->nnodes; i++) {
        const LksChannel *ch = p->nodes[i].chan;
        int other = !p->nodes[i].dir;
        if ((ch->nusers[other] == 0 && ch->nexpected[other] == 0) ||
            ch->users_overflow[other]) {
            if (anyone_running)
                return 1;
            continue;
        }
        for (int u = 0; u < ch->nusers[other]; u++)
            if (outside_helper(rt, ch->users[other][u], NULL))
                return 1;
        for (int x = 0; x < ch->nexpected[other]; x++)
            if (outside_helper(rt, -1, ch->expected[other][x]))
                return 1;
    }
    return 0;
}

void lks_deadlock_check_partial(LksRuntime *rt, uint64_t now_ns)
{
    /* under replay, processes wait for their turn: no partial search */
    if (__atomic_load_n(&rt->ended, __ATOMIC_ACQUIRE) ||
        rt->cfg.partial_deadlock_ms <= 0 || rt->replay)
        return;
    uint64_t limit = (uint64_t)rt->cfg.partial_deadlock_ms * 1000000u;
    int inside = 0, outside = 0;
    for (LksProc *p = rt->procs; p; p = p->next) {
        p->mark = lks_chan_waiting(p) &&
                  __atomic_load_n(&p->counted, __ATOMIC_RELAXED) &&
                  now_ns - __atomic_load_n(&p->blocked_since_ns,
                                           __ATOMIC_RELAXED) >= limit;
        inside += p->mark;
        outside += !p->mark &&
                   __atomic_load_n(&p->state, __ATOMIC_RELAXED) != LKS_PARENT;
    }
    for (int changed = 1; changed && inside > 0;) {
        changed = 0;
        for (LksProc *p = rt->procs; p; p = p->next)
            if (p->mark && releasable(rt, p, outside > 0)) {
                p->mark = 0;
                inside--;
                outside++;
                changed = 1;
            }
    }
    int n = 0;
    for (LksProc *p = rt->procs; p; p = p->next)
        p->mark = p->mark ? ++n : 0;
    if (n > 0)
        end_run(rt, outside > 0, n);
}
