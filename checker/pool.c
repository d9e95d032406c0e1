/* pool: worker threads that run one task at a time. See pool.h.
 *
 * A generation counter under one mutex starts a task; the last worker to
 * finish signals the caller. Tasks here are long (a BFS level, a rehash),
 * so sleeping on condition variables costs nothing worth spinning for. */
#include "pool.h"

#include "mem.h"

#include <pthread.h>

typedef struct Helper {
    Pool *pool;
    unsigned index;
    pthread_t thread;
} Helper;

struct Pool {
    pthread_mutex_t lock;
    pthread_cond_t start, done;
    unsigned size;          /* workers, the caller included */
    unsigned long gen;      /* task generation */
    unsigned active;        /* workers of the current task */
    unsigned running;       /* helpers not yet finished with it */
    int quit;
    PoolTask task;
    void *arg;
    Helper *helpers;        /* size - 1 */
};

static void *helper_main(void *data)
{
    Helper *h = data;
    Pool *p = h->pool;
    unsigned long seen = 0;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (p->gen == seen && !p->quit)
            pthread_cond_wait(&p->start, &p->lock);
        if (p->quit)
            break;
        seen = p->gen;
        if (h->index >= p->active)
            continue;
        PoolTask task = p->task;
        void *arg = p->arg;
        pthread_mutex_unlock(&p->lock);
        task(arg, h->index);
        pthread_mutex_lock(&p->lock);
        if (--p->running == 0)
            pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

Pool *pool_new(unsigned threads)
{
    Pool *p = mem_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    if (threads < 1)
        threads = 1;
    p->helpers = mem_calloc(threads, sizeof *p->helpers);
    if (!p->helpers) {
        mem_free(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->start, NULL);
    pthread_cond_init(&p->done, NULL);
    p->size = 1;
    for (unsigned i = 1; i < threads; i++) {
        Helper *h = &p->helpers[i - 1];
        h->pool = p;
        h->index = i;
        if (pthread_create(&h->thread, NULL, helper_main, h) != 0)
            break;
        p->size++;
    }
    return p;
}

void pool_free(Pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->quit = 1;
    pthread_cond_broadcast(&p->start);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 1; i < p->size; i++)
        pthread_join(p->helpers[i - 1].thread, NULL);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->start);
    pthread_cond_destroy(&p->done);
    mem_free(p->helpers);
    mem_free(p);
}

unsigned pool_size(const Pool *p) { return p->size; }

void pool_run(Pool *p, unsigned n, PoolTask task, void *arg)
{
    if (n > p->size)
        n = p->size;
    if (n <= 1) {
        task(arg, 0);
        return;
    }
    pthread_mutex_lock(&p->lock);
    p->task = task;
    p->arg = arg;
    p->active = n;
    p->running = n - 1;
    p->gen++;
    pthread_cond_broadcast(&p->start);
    pthread_mutex_unlock(&p->lock);
    task(arg, 0);
    pthread_mutex_lock(&p->lock);
    while (p->running)
        pthread_cond_wait(&p->done, &p->lock);
    pthread_mutex_unlock(&p->lock);
}
