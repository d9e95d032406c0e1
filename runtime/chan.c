/* chan.c — rendezvous, choice and poison.
 *
 * Every operation is an alt (lks_send and lks_recv are alts of one guard).
 * Under rt->lock an alt looks for a ready guard: a partner already waiting
 * on the other end of a channel, SKIP, an expired timeout, a poisoned
 * channel. If it finds a partner it commits the communication there and
 * then — copies the data, numbers and records the event, wakes the partner
 * with the index of the partner's guard that fired — so the event's number
 * is taken at the moment both sides are bound. Otherwise it enqueues one
 * node per enabled channel guard and sleeps on its condition variable; the
 * first partner to come commits with it. Invariant: a channel never has
 * senders and receivers waiting at the same time, except under a replay
 * (replay.c), where a pair waits for its event's turn.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LKS_STACK_NODES 8
#define LKS_SPIN 2000

static inline void lks_chan_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

void lks_chan_note_user(LksChannel *ch, LksDir dir, int id)
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
        /* offering an end, even without waiting on it, makes self one of
         * its users: the wait-for graph's partners */
        lks_chan_note_user(ch, guard_dir(g), self->id);
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
}

/* Ends p's wait with outcome (a guard index or an error). Lock held. */
void lks_proc_wake(LksProc *p, int outcome)
{
    for (int i = 0; i < p->nnodes; i++)
        node_unlink(&p->nodes[i]);
    p->nnodes = 0;
    if (p->counted) {
        p->rt->blocked--;
        p->counted = 0;
    }
    p->state = LKS_RUNNING;
    /* release: a spinning waiter reads its received values after this */
    __atomic_store_n(&p->outcome, outcome, __ATOMIC_RELEASE);
    if (p->sleeping)
        pthread_cond_signal(&p->cond);
}

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

/* self's guard i meets the waiting partner node: the communication. */
static int commit(LksProc *self, LksGuard *guards, int i, LksNode *node)
{
    LksRuntime *rt = self->rt;
    LksGuard *g = &guards[i];
    LksChannel *ch = g->chan;
    LksProc *partner = node->proc;
    LksGuard *pg = &partner->guards[node->guard];
    const int *values;
    if (g->kind == LKS_GUARD_SEND) {
        values = sent(self, guards, i);
        deliver(ch, pg, g, values);
    } else {
        values = lks_chan_sent(node);
        deliver(ch, g, pg, values);
    }
    rt->events++;
    int status = lks_record_event(rt, self, ch, values);
    lks_replay_done(rt, ch);
    lks_proc_wake(partner, node->guard);
    return status;
}

/* The first waiting node on the other end of g's channel that may meet g
 * now: the first, unless a replay lets only the trace's next event pass. */
static LksNode *partner_for(LksProc *self, const LksGuard *guards, int i)
{
    const LksGuard *g = &guards[i];
    LksNode *node = g->chan->waiting[!guard_dir(g)];
    for (; node && self->rt->replay; node = node->next) {
        const int *values = g->kind == LKS_GUARD_SEND ? sent(self, guards, i)
                                                      : lks_chan_sent(node);
        if (lks_replay_allows(self->rt, g->chan, values))
            break;
    }
    return node;
}

/* Replay: the trace moved on, so a pair that waits on both ends of a
 * channel for its turn may now meet: commit them, in turn, until none
 * can. (Without a replay both ends never wait at once.) */
static void replay_kick(LksRuntime *rt)
{
    for (int again = rt->replay != NULL; again;) {
        again = 0;
        for (LksChannel *ch = rt->channels; ch && !again; ch = ch->next)
            for (LksNode *s = ch->waiting[LKS_DIR_SEND]; s && !again;
                 s = s->next)
                for (LksNode *r = ch->waiting[LKS_DIR_RECV]; r && !again;
                     r = r->next) {
                    const int *values = lks_chan_sent(s);
                    if (r->proc == s->proc ||
                        !lks_replay_allows(rt, ch, values))
                        continue;
                    deliver(ch, &r->proc->guards[r->guard],
                            &s->proc->guards[s->guard], values);
                    rt->events++;
                    lks_record_event(rt, s->proc, ch, values);
                    lks_replay_done(rt, ch);
                    LksProc *sp = s->proc, *rp = r->proc;
                    int sgi = s->guard, rgi = r->guard;
                    lks_proc_wake(sp, sgi);
                    lks_proc_wake(rp, rgi);
                    again = 1;
                }
    }
}

/* One scan for a ready guard, from start round the array. Returns a guard
 * index, LKS_EPOISON, or LKS_PENDING when nothing is ready; *timeout gets
 * the index of the earliest timeout guard (or -1). */
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
        if (g->chan->poisoned) {
            self->poisoned = g->chan;
            return LKS_EPOISON;
        }
        LksNode *partner = partner_for(self, guards, i);
        if (partner) {
            commit(self, guards, i, partner);
            replay_kick(self->rt);
            return i;
        }
    }
    return LKS_PENDING;
}

static int pending(LksProc *self)
{
    return __atomic_load_n(&self->outcome, __ATOMIC_ACQUIRE) == LKS_PENDING;
}

/* How long to spin: LKS_SPIN while a core is free for the partner to run
 * on (this process, blocked, spins on one), less in proportion as running
 * processes outnumber the cores, where a spinning waiter mostly takes the
 * time its partner needs (256 processes in pairs on 2 cores spent most of
 * their time spinning). Lock held. */
static int spin_budget(const LksRuntime *rt)
{
    int running = rt->live - rt->blocked;
    return running < rt->cores ? LKS_SPIN
                               : (int)((long)LKS_SPIN * rt->cores /
                                       (running + 1));
}

/* A partner often comes within a microsecond or two: wait for it briefly
 * without the lock and without sleeping, which saves two context switches
 * per rendezvous when there are cores to spare. Lock held on entry. Returns
 * 1 with the lock released when the partner came (it has done everything
 * under the lock already, and published the outcome with release order),
 * else 0 with the lock held again. */
static int spin_for_partner(LksProc *self)
{
    int spins = spin_budget(self->rt);
    pthread_mutex_unlock(&self->rt->lock);
    for (int i = 0; i < spins; i++) {
        if (!pending(self))
            return 1;
        lks_chan_relax();
    }
    pthread_mutex_lock(&self->rt->lock);
    return 0;
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

/* Nothing was ready: offer every enabled channel guard and sleep until a
 * partner, poison, deadlock or the timeout ends the wait. Lock held on
 * entry; on return *locked says whether it still is. */
static int wait_for_partner(LksProc *self, LksGuard *guards, int n,
                            LksNode *nodes, int timeout, int *locked)
{
    LksRuntime *rt = self->rt;
    struct timespec deadline;
    if (timeout >= 0)
        deadline = deadline_after(guards[timeout].timeout_ms);
    self->guards = guards;
    self->nodes = nodes;
    self->nnodes = 0;
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
    __atomic_store_n(&self->outcome, LKS_PENDING, __ATOMIC_RELAXED);
    self->state = LKS_BLOCKED;
    self->blocked_since_ns = lks_runtime_now_ns();
    if (timeout < 0) {
        self->counted = 1;
        rt->blocked++;
        lks_deadlock_check(rt);
    }
    if (!rt->ended && spin_for_partner(self)) {
        *locked = 0;
        return __atomic_load_n(&self->outcome, __ATOMIC_ACQUIRE);
    }
    while (pending(self)) {
        self->sleeping = 1;
        int rc = 0;
        if (timeout < 0)
            pthread_cond_wait(&self->cond, &rt->lock);
        else
            rc = pthread_cond_timedwait(&self->cond, &rt->lock, &deadline);
        self->sleeping = 0;
        if (rc == ETIMEDOUT && pending(self))
            lks_proc_wake(self, timeout);
    }
    return self->outcome;
}

static int alt_run(LksProc *self, LksGuard *guards, int n, int start)
{
    if (!self || !guards || n <= 0)
        return LKS_EINVAL;
    LksRuntime *rt = self->rt;
    LksNode stack_nodes[LKS_STACK_NODES];
    LksNode *nodes = stack_nodes;
    if (n > LKS_STACK_NODES && !(nodes = malloc(sizeof *nodes * (size_t)n)))
        return LKS_ENOMEM;
    pthread_mutex_lock(&rt->lock);
    int result = rt->ended ? rt->ended : validate(self, guards, n);
    if (result == LKS_OK && (result = lks_replay_start(rt)) != LKS_OK)
        lks_deadlock_end(rt, result);
    int timeout = -1, locked = 1;
    if (result == LKS_OK) {
        result = scan(self, guards, n, start, &timeout);
        if (result == LKS_PENDING)
            result = wait_for_partner(self, guards, n, nodes, timeout,
                                      &locked);
    }
    if (!locked) {
        /* a partner committed with us: it recorded, we have nothing to do */
    } else if (lks_record_want_flush(rt, self)) {
        LksBatch batch = lks_record_collect(rt);
        pthread_mutex_unlock(&rt->lock);
        lks_record_write(rt, batch);
    } else {
        pthread_mutex_unlock(&rt->lock);
    }
    if (nodes != stack_nodes)
        free(nodes);
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

void lks_poison(LksProc *self, LksChannel *ch)
{
    LksRuntime *rt = ch->rt;
    pthread_mutex_lock(&rt->lock);
    if (!ch->poisoned) {
        ch->poisoned = 1;
        lks_record_metaf(rt, self, "poison %s by %s", ch->name,
                         self ? self->name : "main");
        for (int d = 0; d < 2; d++)
            while (ch->waiting[d]) {
                LksProc *p = ch->waiting[d]->proc;
                p->poisoned = ch;
                lks_proc_wake(p, LKS_EPOISON);
            }
    }
    pthread_mutex_unlock(&rt->lock);
}

LksChannel *lks_poisoned_channel(const LksProc *self)
{
    return self->poisoned;
}
