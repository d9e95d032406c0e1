/* proc.c — processes: lks_par starts named process bodies on threads and
 * waits for them, keeping the counts that deadlock detection reads (live:
 * running or blocked; a parent waiting in lks_par is not live). A process
 * that ends is recorded with `# exit NAME CODE`; its unwritten records are
 * handed to rt->meta so they are not lost with it, and its counts to rt.
 * The process list changes under rt->lock; an exit stops the world, since
 * it may leave every remaining process blocked.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Hands p's buffer to rt->meta behind its head chunk (appends go on
 * there), and its counts to rt. */
static void adopt_buffer(LksRuntime *rt, LksProc *p)
{
    pthread_mutex_lock(&p->buf_lock);
    pthread_mutex_lock(&rt->meta_lock);
    rt->events += __atomic_load_n(&p->events, __ATOMIC_RELAXED);
    rt->recorded += p->recorded;
    LksChunk *chain = p->buffer;
    p->buffer = NULL;
    if (chain && !rt->meta) {
        rt->meta = chain;
    } else if (chain) {
        LksChunk *last = chain;
        while (last->next)
            last = last->next;
        last->next = rt->meta->next;
        rt->meta->next = chain;
    }
    pthread_mutex_unlock(&rt->meta_lock);
    pthread_mutex_unlock(&p->buf_lock);
}

/* Leaves the live set: world stopped. */
static void proc_finish(LksRuntime *rt, LksProc *p, int result)
{
    p->result = result;
    lks_record_metaf(rt, p, "exit %s %d", p->name, result);
    adopt_buffer(rt, p);
    if (p->prev)
        p->prev->next = p->next;
    else
        rt->procs = p->next;
    if (p->next)
        p->next->prev = p->prev;
    __atomic_store_n(&p->state, LKS_DONE, __ATOMIC_RELAXED);
    __atomic_sub_fetch(&rt->live, 1, __ATOMIC_SEQ_CST);
    lks_deadlock_check(rt);
}

static void *proc_main(void *arg)
{
    LksProc *p = arg;
    int result = p->body(p, p->arg);
    lks_chan_stop_world(p->rt);
    proc_finish(p->rt, p, result);
    lks_chan_start_world(p->rt);
    return NULL;
}

static void proc_destroy(LksProc *p)
{
    free(p->name);
    free(p->projected);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->mu);
    pthread_mutex_destroy(&p->buf_lock);
}

static int valid_specs(LksRuntime *rt, const LksProcSpec *specs, int n)
{
    for (int i = 0; i < n; i++) {
        const char *name = specs[i].name;
        if (!name || !*name || strpbrk(name, " \t\r\n") || !specs[i].body) {
            lks_runtime_set_error(rt, "process %d: needs a body and a name "
                                  "without spaces", i);
            return 0;
        }
    }
    return 1;
}

/* Makes the n processes live (lock held). */
static int enter(LksRuntime *rt, LksProc *procs, LksProcSpec *specs, int n)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    for (int i = 0; i < n; i++) {
        LksProc *p = &procs[i];
        p->rt = rt;
        p->name = strdup(specs[i].name);
        if (!p->name) {
            for (int k = 0; k < i; k++)
                proc_destroy(&procs[k]);
            pthread_condattr_destroy(&attr);
            return LKS_ENOMEM;
        }
        pthread_cond_init(&p->cond, &attr);
        pthread_mutex_init(&p->mu, NULL);
        pthread_mutex_init(&p->buf_lock, NULL);
        p->id = rt->next_id++;
        p->body = specs[i].body;
        p->arg = specs[i].arg;
        p->state = LKS_RUNNING;
    }
    pthread_condattr_destroy(&attr);
    for (int i = 0; i < n; i++) {
        LksProc *p = &procs[i];
        p->next = rt->procs;
        if (rt->procs)
            rt->procs->prev = p;
        rt->procs = p;
        __atomic_add_fetch(&rt->live, 1, __ATOMIC_SEQ_CST);
        lks_record_metaf(rt, NULL, "process %s", p->name);
    }
    return LKS_OK;
}

static void start_and_join(LksRuntime *rt, LksProc *procs, int n)
{
    int started[n];
    for (int i = 0; i < n; i++) {
        started[i] = pthread_create(&procs[i].thread, NULL, proc_main,
                                    &procs[i]) == 0;
        if (!started[i]) {
            lks_chan_stop_world(rt);
            proc_finish(rt, &procs[i], LKS_ENOMEM);
            lks_chan_start_world(rt);
        }
    }
    for (int i = 0; i < n; i++)
        if (started[i])
            pthread_join(procs[i].thread, NULL);
}

int lks_par(LksRuntime *rt, LksProc *parent, LksProcSpec *specs, int n)
{
    if (!rt || n < 0 || (n > 0 && !specs) || (parent && parent->rt != rt))
        return LKS_EINVAL;
    if (n == 0 || !valid_specs(rt, specs, n))
        return n == 0 ? LKS_OK : LKS_EINVAL;
    LksProc *procs = calloc((size_t)n, sizeof *procs);
    if (!procs)
        return LKS_ENOMEM;
    pthread_mutex_lock(&rt->lock);
    int ended = __atomic_load_n(&rt->ended, __ATOMIC_ACQUIRE);
    int status = ended ? ended : enter(rt, procs, specs, n);
    if (status == LKS_OK && parent) {
        __atomic_store_n(&parent->state, LKS_PARENT, __ATOMIC_RELAXED);
        __atomic_sub_fetch(&rt->live, 1, __ATOMIC_SEQ_CST);
    }
    pthread_mutex_unlock(&rt->lock);
    if (status != LKS_OK) {
        free(procs);
        return status;
    }
    start_and_join(rt, procs, n);
    pthread_mutex_lock(&rt->lock);
    if (parent) {
        __atomic_store_n(&parent->state, LKS_RUNNING, __ATOMIC_RELAXED);
        __atomic_add_fetch(&rt->live, 1, __ATOMIC_SEQ_CST);
    }
    ended = __atomic_load_n(&rt->ended, __ATOMIC_ACQUIRE);
    status = ended ? ended : LKS_OK;
    pthread_mutex_unlock(&rt->lock);
    for (int i = 0; i < n; i++) {
        specs[i].result = procs[i].result;
        if (status == LKS_OK && procs[i].result != 0)
            status = LKS_EPROC;
        proc_destroy(&procs[i]);
    }
    free(procs);
    if (!parent) {
        int flushed = lks_flush(rt);
        if (status == LKS_OK)
            status = flushed;
    }
    return status;
}

const char *lks_proc_name(const LksProc *self)
{
    return self->name;
}

LksRuntime *lks_proc_runtime(const LksProc *self)
{
    return self->rt;
}
