/* chan.c — rendezvous, choice and poison, without a global lock.
 *
 * Every operation is an alt (lks_send and lks_recv are alts of one guard).
 * An alt locks the channels it offers on, in the one lock order, and looks
 * for a ready guard: a partner waiting on the other end of a channel,
 * SKIP, an expired timeout, a poisoned channel. A partner is taken by
 * compare-and-swap on its outcome (lks_chan_claim), because it may be
 * waiting on other channels whose locks this alt does not hold; then the
 * communication commits there and then: the data copied, the event
 * numbered and recorded, the partner given the index of its guard that
 * fired, so the event's number is taken while both sides are bound (the
 * trace's order agrees with every process's own order). Otherwise the alt
 * appends one node per enabled channel guard to the wait lists, unlocks,
 * spins briefly, and then sleeps on its own condition variable; the first
 * partner to come claims it. The nodes it left on other channels are
 * stale until it removes them itself: scanners skip nodes whose process
 * no longer waits. A replayed run (replay.c) stops the world for every
 * operation instead: it is for debugging, not speed.
 */
#include "internal.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LKS_STACK_NODES 8
#define LKS_SPIN 2000
#define LKS_YIELDS 64

static inline void lks_chan_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static void note_user(LksChannel *ch, LksDir dir, int id)
{
    for (int i = 0; i < ch->nusers[dir]; i++)
        if (ch->users[dir][i] == id)
            return;
    if (ch->nusers[dir] < LKS_USERS)
        ch->users[dir][ch->nusers[dir]++] = id;
    else
        ch->users_overflow[dir] = 1;
}

static int is_chan_guard(const LksGuard *g)
{
    return g->kind == LKS_GUARD_SEND || g->kind == LKS_GUARD_RECV;
}

static LksDir guard_dir(const LksGuard *g)
{
    return g->kind == LKS_GUARD_SEND ? LKS_DIR_SEND : LKS_DIR_RECV;
}

/* Room for the projected fields of n guards. */
static int reserve_projected(LksProc *self, int n)
{
    if (self->nprojected >= n)
        return LKS_OK;
    void *p = realloc(self->projected, sizeof *self->projected * (size_t)n);
    if (!p)
        return LKS_ENOMEM;
    self->projected = p;
    self->nprojected = n;
    return LKS_OK;
}

/* The data fields SEND guard i offers: its values, or its message's
 * projection (filled by validate). */
static const int *sent(const LksProc *p, const LksGuard *guards, int i)
{
    return guards[i].chan->decl->payload ? p->projected[i] : guards[i].values;
}

const int *lks_chan_sent(const LksNode *node)
{
    return sent(node->proc, node->proc->guards, node->guard);
}

/* A message channel's SEND guard i: its projection into projected[i]. */
static int project(LksProc *self, const LksGuard *g, int i)
{
    const LksDecl *d = g->chan->decl;
    int rc = d->project ? d->project(g->msg, self->projected[i],
                                     d->project_ud)
                        : 0;
    if (rc != 0)
        lks_runtime_set_error(self->rt, "send on %s: the projection refused "
                              "the message (returned %d)", g->chan->name, rc);
    return rc != 0 ? LKS_ERANGE : LKS_OK;
}

/* A SEND guard's fields, each in its type. */
static int check_range(LksRuntime *rt, const LksChannel *ch,
                       const int *values)
{
    for (int f = 0; f < ch->ndata; f++) {
        const LksField *type = &ch->decl->fields[ch->nfixed + f];
        if (values[f] < type->lo || values[f] > type->hi) {
            lks_runtime_set_error(rt, "send on %s: %s %d outside field %d's "
                                  "type", ch->name, ch->decl->payload
                                  ? "the message's projection gave" : "value",
                                  values[f], ch->nfixed + f + 1);
            return LKS_ERANGE;
        }
    }
    return LKS_OK;
}

/* Checks the enabled guards before anything happens (and projects the
 * messages sent). */
static int validate(LksProc *self, const LksGuard *guards, int n)
{
    LksRuntime *rt = self->rt;
    int rc = reserve_projected(self, n);
    for (int i = 0; i < n && rc == LKS_OK; i++) {
        const LksGuard *g = &guards[i];
        if (!g->enabled)
            continue;
        if ((int)g->kind < 0 || g->kind > LKS_GUARD_TIMEOUT) {
            lks_runtime_set_error(rt, "guard %d: unknown kind", i);
            return LKS_EINVAL;
        }
        if (!is_chan_guard(g))
            continue;
        LksChannel *ch = g->chan;
        int payload = ch && ch->decl->payload;
        if (!ch || ch->rt != rt ||
            (payload ? g->kind == LKS_GUARD_SEND && !g->msg
                     : ch->ndata > 0 && !g->values)) {
            lks_runtime_set_error(rt, "guard %d: no channel, values or "
                                  "message", i);
            return LKS_EINVAL;
        }
        if (g->kind != LKS_GUARD_SEND)
            continue;
        if (payload)
            rc = project(self, g, i);
        if (rc == LKS_OK)
            rc = check_range(rt, ch, sent(self, guards, i));
    }
    return rc;
}

static void node_unlink(LksNode *node)
{
    LksChannel *ch = node->chan;
    LksDir d = node->dir;
    if (node->prev)
        node->prev->next = node->next;
    else
        ch->waiting[d] = node->next;
    if (node->next)
        node->next->prev = node->prev;
    else
        ch->tail[d] = node->prev;
    node->linked = 0;
}

static void node_append(LksNode *node)
{
    LksChannel *ch = node->chan;
    LksDir d = node->dir;
    node->next = NULL;
    node->prev = ch->tail[d];
    if (ch->tail[d])
        ch->tail[d]->next = node;
    else
        ch->waiting[d] = node;
    ch->tail[d] = node;
    node->linked = 1;
}

/* ---- the world and the channels' lock order ------------------------------ */

void lks_chan_lock_channels(LksRuntime *rt)
{
    for (LksChannel *ch = rt->channels; ch; ch = ch->next)
        pthread_mutex_lock(&ch->lock);
}

void lks_chan_unlock_channels(LksRuntime *rt)
{
    for (LksChannel *ch = rt->channels; ch; ch = ch->next)
        pthread_mutex_unlock(&ch->lock);
}

void lks_chan_stop_world(LksRuntime *rt)
{
    pthread_mutex_lock(&rt->lock);
    lks_chan_lock_channels(rt);
}

void lks_chan_start_world(LksRuntime *rt)
{
    lks_chan_unlock_channels(rt);
    pthread_mutex_unlock(&rt->lock);
}

/* The distinct channels of the enabled channel guards into set, in the
 * lock order (higher id first); returns how many. */
static int channel_set(const LksGuard *guards, int n, LksChannel **set)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (!guards[i].enabled || !is_chan_guard(&guards[i]))
            continue;
        LksChannel *ch = guards[i].chan;
        int at = 0;
        while (at < k && set[at]->id > ch->id)
            at++;
        if (at < k && set[at] == ch)
            continue;
        memmove(set + at + 1, set + at, sizeof *set * (size_t)(k - at));
        set[at] = ch;
        k++;
    }
    return k;
}

/* ---- claiming a waiting process ------------------------------------------ */

int lks_chan_waiting(const LksProc *p)
{
    int o = __atomic_load_n(&p->outcome, __ATOMIC_ACQUIRE);
    return o == LKS_PENDING || o == LKS_ASLEEP;
}

int lks_chan_claim(LksProc *p, int *was)
{
    int o = __atomic_load_n(&p->outcome, __ATOMIC_ACQUIRE);
    while (o == LKS_PENDING || o == LKS_ASLEEP) {
        if (__atomic_compare_exchange_n(&p->outcome, &o, LKS_CLAIMED, 0,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            *was = o;
            /* an asleep untimed waiter was counted (or is about to be:
             * then the count dips below the truth for a moment, which
             * never reports a false deadlock) */
            if (o == LKS_ASLEEP && p->counted)
                __atomic_fetch_sub(&p->rt->blocked, 1, __ATOMIC_SEQ_CST);
            __atomic_store_n(&p->state, LKS_RUNNING, __ATOMIC_RELAXED);
            return 1;
        }
    }
    return 0;
}

void lks_chan_release(LksProc *p, int was, int outcome)
{
    if (was != LKS_ASLEEP) {
        /* it spins on outcome: after this store it may return at once */
        __atomic_store_n(&p->outcome, outcome, __ATOMIC_RELEASE);
        return;
    }
    /* it may sleep: store under its mutex, which it takes again before it
     * returns, so p outlives our signal */
    pthread_mutex_lock(&p->mu);
    __atomic_store_n(&p->outcome, outcome, __ATOMIC_RELEASE);
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->mu);
}

uint64_t lks_chan_events(LksRuntime *rt)
{
    uint64_t n = rt->events;
    for (const LksProc *p = rt->procs; p; p = p->next)
        n += __atomic_load_n(&p->events, __ATOMIC_RELAXED);
    return n;
}

/* ---- communication -------------------------------------------------------- */

/* The receiving guard `to` gets what the sending guard `from` sent: the
 * data fields `values` and, on a message channel, the message. */
static void deliver(const LksChannel *ch, LksGuard *to, const LksGuard *from,
                    const int *values)
{
    if (ch->ndata && to->values)
        memcpy(to->values, values, sizeof(int) * (size_t)ch->ndata);
    if (ch->decl->payload && to->msg)
        memcpy(to->msg, from->msg, ch->decl->payload);
}

/* The event of sender s and receiver r, both bound (claimed or the
 * caller), on node's channel: data copied, counted, numbered, recorded
 * in committer's buffer. */
static int communicate(LksProc *committer, LksChannel *ch, LksGuard *to,
                       const LksGuard *from, const int *values)
{
    LksRuntime *rt = committer->rt;
    deliver(ch, to, from, values);
    __atomic_fetch_add(&committer->events, 1, __ATOMIC_RELAXED);
    int status = lks_record_event(rt, committer, ch, values);
    lks_replay_done(rt, ch);
    return status;
}

/* self's guard i meets the claimed partner waiting at node. Channel lock
 * held. */
static void commit(LksProc *self, LksGuard *guards, int i, LksNode *node,
                   int was)
{
    LksGuard *g = &guards[i];
    LksProc *partner = node->proc;
    LksGuard *pg = &partner->guards[node->guard];
    int outcome = node->guard;
    node_unlink(node);
    if (g->kind == LKS_GUARD_SEND)
        communicate(self, g->chan, pg, g, sent(self, guards, i));
    else
        communicate(self, g->chan, g, pg, lks_chan_sent(node));
    lks_chan_release(partner, was, outcome);
}

/* Claims the first waiting node on the other end of g's channel that may
 * meet g now (under a replay: only the trace's next event passes); NULL
 * when none. Channel lock held. */
static LksNode *claim_partner(LksProc *self, const LksGuard *guards, int i,
                              int *was)
{
    const LksGuard *g = &guards[i];
    for (LksNode *node = g->chan->waiting[!guard_dir(g)]; node;
         node = node->next) {
        if (!lks_chan_waiting(node->proc))
            continue;  /* stale: its owner removes it */
        if (self->rt->replay &&
            !lks_replay_allows(self->rt, g->chan,
                               g->kind == LKS_GUARD_SEND
                                   ? sent(self, guards, i)
                                   : lks_chan_sent(node)))
            continue;
        if (lks_chan_claim(node->proc, was))
            return node;
    }
    return NULL;
}

/* Replay (world stopped): the trace moved on, so a pair that waits on
 * both ends of a channel for its turn may now meet: commit them, in turn,
 * until none can. */
static void replay_kick(LksRuntime *rt)
{
    for (int again = rt->replay != NULL; again;) {
        again = 0;
        for (LksChannel *ch = rt->channels; ch && !again; ch = ch->next)
            for (LksNode *s = ch->waiting[LKS_DIR_SEND]; s && !again;
                 s = s->next)
                for (LksNode *r = ch->waiting[LKS_DIR_RECV]; r && !again;
                     r = r->next) {
                    LksProc *sp = s->proc, *rp = r->proc;
                    int swas, rwas;
                    if (sp == rp || !lks_chan_waiting(sp) ||
                        !lks_chan_waiting(rp) ||
                        !lks_replay_allows(rt, ch, lks_chan_sent(s)) ||
                        !lks_chan_claim(sp, &swas))
                        continue;
                    if (!lks_chan_claim(rp, &rwas)) {
                        /* rp timed out just now: sp waits on */
                        if (swas == LKS_ASLEEP && sp->counted)
                            __atomic_fetch_add(&rt->blocked, 1,
                                               __ATOMIC_SEQ_CST);
                        __atomic_store_n(&sp->state, LKS_BLOCKED,
                                         __ATOMIC_RELAXED);
                        __atomic_store_n(&sp->outcome, swas,
                                         __ATOMIC_RELEASE);
                        continue;
                    }
                    int sgi = s->guard, rgi = r->guard;
                    node_unlink(s);
                    node_unlink(r);
                    communicate(sp, ch, &rp->guards[rgi], &sp->guards[sgi],
                                lks_chan_sent(s));
                    lks_chan_release(sp, swas, sgi);
                    lks_chan_release(rp, rwas, rgi);
                    again = 1;
                }
    }
}

/* One scan for a ready guard, from start round the array. Returns a guard
 * index, LKS_EPOISON, or LKS_PENDING when nothing is ready; *timeout gets
 * the index of the earliest timeout guard (or -1). The guards' channel
 * locks are held. */
static int scan(LksProc *self, LksGuard *guards, int n, int start,
                int *timeout)
{
    *timeout = -1;
    for (int k = 0; k < n; k++) {
        int i = (start + k) % n;
        LksGuard *g = &guards[i];
        if (!g->enabled)
            continue;
        if (g->kind == LKS_GUARD_SKIP)
            return i;
        if (g->kind == LKS_GUARD_TIMEOUT) {
            if (g->timeout_ms <= 0)
                return i;
            if (*timeout < 0 || g->timeout_ms < guards[*timeout].timeout_ms)
                *timeout = i;
            continue;
        }
        if (__atomic_load_n(&g->chan->poisoned, __ATOMIC_RELAXED)) {
            self->poisoned = g->chan;
            return LKS_EPOISON;
        }
        int was;
        LksNode *partner = claim_partner(self, guards, i, &was);
        if (partner) {
            commit(self, guards, i, partner, was);
            replay_kick(self->rt);
            return i;
        }
    }
    return LKS_PENDING;
}

/* Nothing was ready: offer every enabled channel guard (the channel locks
 * are held, so no partner sees a half-made offer). */
static void publish(LksProc *self, LksGuard *guards, int n, LksNode *nodes,
                    int timeout)
{
    self->guards = guards;
    self->nodes = nodes;
    self->nnodes = 0;
    /* atomic: the monitor may read them while a wait on no channel (a
     * timeout alone) begins */
    __atomic_store_n(&self->counted, timeout < 0, __ATOMIC_RELAXED);
    __atomic_store_n(&self->blocked_since_ns, lks_runtime_now_ns(),
                     __ATOMIC_RELAXED);
    __atomic_store_n(&self->state, LKS_BLOCKED, __ATOMIC_RELAXED);
    __atomic_store_n(&self->outcome, LKS_PENDING, __ATOMIC_RELEASE);
    for (int i = 0; i < n; i++) {
        if (!guards[i].enabled || !is_chan_guard(&guards[i]))
            continue;
        LksNode *node = &nodes[self->nnodes++];
        node->proc = self;
        node->guard = i;
        node->dir = guard_dir(&guards[i]);
        node->chan = guards[i].chan;
        node_append(node);
    }
}

/* Spins for the partner, briefly: a partner often comes within a
 * microsecond or two, and waiting without sleeping saves two context
 * switches per rendezvous. With a core free for the partner (fewer
 * other running processes than cores) that is a busy wait of LKS_SPIN
 * pauses;
 * with more, a busy wait mostly takes the time the partner needs, so it
 * yields the core instead, LKS_YIELDS times (256 processes in pairs on 2
 * cores: 0.2-0.4 M rendezvous/s spinning, 0.6-0.8 M yielding; pausing
 * 100 times before yielding halved that). Returns the
 * outcome, or LKS_PENDING when the partner did not come. */
static int spin_for_partner(LksProc *self)
{
    const LksRuntime *rt = self->rt;
    int others = __atomic_load_n(&rt->live, __ATOMIC_RELAXED) -
                 __atomic_load_n(&rt->blocked, __ATOMIC_RELAXED) - 1;
    int spare = others < rt->cores;
    for (int i = 0; i < (spare ? LKS_SPIN : LKS_YIELDS); i++) {
        int o = __atomic_load_n(&self->outcome, __ATOMIC_ACQUIRE);
        if (o != LKS_PENDING && o != LKS_CLAIMED)
            return o;
        if (spare)
            lks_chan_relax();
        else
            sched_yield();
    }
    return LKS_PENDING;
}

static struct timespec deadline_after(long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* Asleep: sleeps until a claimer stores the outcome or the timeout
 * guard's time is up (then it ends its own wait, unless a claimer came
 * first). */
static void sleep_until_released(LksProc *self, const LksGuard *guards,
                                 int timeout)
{
    struct timespec deadline;
    if (timeout >= 0)
        deadline = deadline_after(guards[timeout].timeout_ms);
    pthread_mutex_lock(&self->mu);
    for (;;) {
        int o = __atomic_load_n(&self->outcome, __ATOMIC_ACQUIRE);
        if (o != LKS_ASLEEP && o != LKS_CLAIMED)
            break;
        if (timeout < 0 || o == LKS_CLAIMED) {
            pthread_cond_wait(&self->cond, &self->mu);
            continue;
        }
        if (pthread_cond_timedwait(&self->cond, &self->mu, &deadline) ==
                ETIMEDOUT &&
            __atomic_compare_exchange_n(&self->outcome, &o, timeout, 0,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            __atomic_store_n(&self->state, LKS_RUNNING, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&self->mu);
}

/* Waits for the end of the published wait; returns its outcome. */
static int await(LksProc *self, const LksGuard *guards, int timeout)
{
    LksRuntime *rt = self->rt;
    int o = spin_for_partner(self);
    if (o != LKS_PENDING)
        return o;
    if (__atomic_compare_exchange_n(&self->outcome, &o, LKS_ASLEEP, 0,
                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        if (self->counted &&
            __atomic_add_fetch(&rt->blocked, 1, __ATOMIC_SEQ_CST) ==
                __atomic_load_n(&rt->live, __ATOMIC_SEQ_CST)) {
            lks_chan_stop_world(rt);
            lks_deadlock_check(rt);
            lks_chan_start_world(rt);
        }
        sleep_until_released(self, guards, timeout);
    } else {
        /* claimed while spinning: the claimer stores the outcome next */
        for (int k = 0; __atomic_load_n(&self->outcome, __ATOMIC_ACQUIRE) ==
                        LKS_CLAIMED; k++)
            if (k > 64)
                sched_yield();
            else
                lks_chan_relax();
    }
    return __atomic_load_n(&self->outcome, __ATOMIC_ACQUIRE);
}

/* Locks what the alt needs: its channels, or the world under a replay. */
static void alt_lock(LksRuntime *rt, LksChannel **set, int k)
{
    if (rt->replay)
        lks_chan_stop_world(rt);
    else
        for (int j = 0; j < k; j++)
            pthread_mutex_lock(&set[j]->lock);
}

static void alt_unlock(LksRuntime *rt, LksChannel **set, int k)
{
    if (rt->replay)
        lks_chan_start_world(rt);
    else
        for (int j = k - 1; j >= 0; j--)
            pthread_mutex_unlock(&set[j]->lock);
}

/* After the wait: takes self's nodes that no claimer removed out of their
 * lists (only self touches them now). */
static void withdraw(LksProc *self)
{
    for (int i = 0; i < self->nnodes; i++) {
        LksNode *node = &self->nodes[i];
        if (!node->linked)
            continue;
        alt_lock(self->rt, &node->chan, 1);
        if (node->linked)
            node_unlink(node);
        alt_unlock(self->rt, &node->chan, 1);
    }
    self->nnodes = 0;
}

/* Under the alt's locks: a ready guard's index, or the wait published
 * (LKS_PENDING), or an error. */
static int alt_locked(LksProc *self, LksGuard *guards, int n, int start,
                      LksNode *nodes, int *timeout)
{
    LksRuntime *rt = self->rt;
    int result = __atomic_load_n(&rt->ended, __ATOMIC_ACQUIRE);
    if (result != LKS_OK)
        return result;
    if (rt->replay && (result = lks_replay_start(rt)) != LKS_OK) {
        lks_deadlock_end(rt, result);
        return result;
    }
    /* offering an end, even without waiting on it, makes self one of its
     * users: the wait-for graph's partners */
    for (int i = 0; i < n; i++)
        if (guards[i].enabled && is_chan_guard(&guards[i]))
            note_user(guards[i].chan, guard_dir(&guards[i]), self->id);
    result = scan(self, guards, n, start, timeout);
    if (result == LKS_PENDING)
        publish(self, guards, n, nodes, *timeout);
    return result;
}

static void flush_if_full(LksRuntime *rt, LksProc *self)
{
    if (!lks_record_want_flush(rt, self))
        return;
    pthread_mutex_lock(&rt->lock);
    LksBatch batch = lks_record_collect(rt);
    pthread_mutex_unlock(&rt->lock);
    lks_record_write(rt, batch);
}

static int alt_run(LksProc *self, LksGuard *guards, int n, int start)
{
    if (!self || !guards || n <= 0)
        return LKS_EINVAL;
    LksRuntime *rt = self->rt;
    LksNode stack_nodes[LKS_STACK_NODES];
    LksChannel *stack_set[LKS_STACK_NODES];
    LksNode *nodes = stack_nodes;
    LksChannel **set = stack_set;
    if (n > LKS_STACK_NODES) {
        nodes = malloc(sizeof *nodes * (size_t)n);
        set = malloc(sizeof *set * (size_t)n);
        if (!nodes || !set) {
            free(nodes);
            free(set);
            return LKS_ENOMEM;
        }
    }
    int result = validate(self, guards, n);
    if (result == LKS_OK) {
        int k = channel_set(guards, n, set), timeout = -1;
        alt_lock(rt, set, k);
        result = alt_locked(self, guards, n, start, nodes, &timeout);
        alt_unlock(rt, set, k);
        if (result == LKS_PENDING) {
            result = await(self, guards, timeout);
            withdraw(self);
        }
    }
    flush_if_full(rt, self);
    if (nodes != stack_nodes) {
        free(nodes);
        free(set);
    }
    return result;
}

int lks_alt_pri(LksProc *self, LksGuard *guards, int n)
{
    return alt_run(self, guards, n, 0);
}

int lks_alt_fair(LksProc *self, LksGuard *guards, int n, int *state)
{
    if (!state)
        return LKS_EINVAL;
    int start = *state >= 0 && n > 0 ? *state % n : 0;
    int result = alt_run(self, guards, n, start);
    if (result >= 0)
        *state = (result + 1) % n;
    return result;
}

int lks_send(LksProc *self, LksChannel *ch, const int *values)
{
    LksGuard g = {LKS_GUARD_SEND, 1, ch, (int *)values, 0, NULL};
    int result = alt_run(self, &g, 1, 0);
    return result >= 0 ? LKS_OK : result;
}

int lks_recv(LksProc *self, LksChannel *ch, int *values)
{
    LksGuard g = {LKS_GUARD_RECV, 1, ch, values, 0, NULL};
    int result = alt_run(self, &g, 1, 0);
    return result >= 0 ? LKS_OK : result;
}

int lks_send_msg(LksProc *self, LksChannel *ch, const void *msg)
{
    LksGuard g = {LKS_GUARD_SEND, 1, ch, NULL, 0, (void *)msg};
    int result = alt_run(self, &g, 1, 0);
    return result >= 0 ? LKS_OK : result;
}

int lks_recv_msg(LksProc *self, LksChannel *ch, void *msg, int *fields)
{
    LksGuard g = {LKS_GUARD_RECV, 1, ch, fields, 0, msg};
    int result = alt_run(self, &g, 1, 0);
    return result >= 0 ? LKS_OK : result;
}

/* Wakes every process waiting on ch with LKS_EPOISON (ch's lock held). */
static void poison_locked(LksProc *self, LksChannel *ch)
{
    if (__atomic_load_n(&ch->poisoned, __ATOMIC_RELAXED))
        return;
    __atomic_store_n(&ch->poisoned, 1, __ATOMIC_RELAXED);
    lks_record_metaf(ch->rt, self, "poison %s by %s", ch->name,
                     self ? self->name : "main");
    for (int d = 0; d < 2; d++)
        for (LksNode *node = ch->waiting[d], *next; node; node = next) {
            next = node->next;
            LksProc *p = node->proc;
            int was;
            if (!lks_chan_claim(p, &was))
                continue;
            node_unlink(node);
            p->poisoned = ch;
            lks_chan_release(p, was, LKS_EPOISON);
        }
}

void lks_poison(LksProc *self, LksChannel *ch)
{
    LksRuntime *rt = ch->rt;
    alt_lock(rt, &ch, 1);
    poison_locked(self, ch);
    alt_unlock(rt, &ch, 1);
}

LksChannel *lks_poisoned_channel(const LksProc *self)
{
    return self->poisoned;
}
