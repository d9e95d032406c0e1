/* pool: worker threads that run one task at a time. See pool.h.
 *
 * A generation counter under one mutex starts a task; the last worker to
 * finish signals the caller. Before sleeping on its condition variable a
 * waiting thread (a helper waiting for a task, the caller waiting for the
 * helpers) first spins for up to SPIN_NS: a BFS level's tasks are
 * separated by short serial steps (the level's ordering and commit), and
 * a thread that sleeps through one is woken by the kernel, on a virtual
 * machine by an interrupt sent to a halted virtual CPU: measured on the
 * 2-core benchmark machine, 8-37 ms of a 0.9 s run were spent waking
 * helpers, and ~900 context switches. Spinning only pays when every
 * worker has a CPU of its own: with more workers than CPUs online the
 * pool never spins. */
#include "pool.h"

#include "mem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

enum { SPIN_NS = 2000000 }; /* 2 ms: longer than a level's serial steps */

typedef struct Helper {
    Pool *pool;
    unsigned index;
    pthread_t thread;
} Helper;

struct Pool {
    pthread_mutex_t lock;
    pthread_cond_t start, done;
    unsigned size;              /* workers, the caller included */
    int spin;                   /* spin before sleeping (see above) */
    _Atomic unsigned long gen;  /* task generation; written under lock */
    atomic_uint running;        /* helpers not yet finished with it */
    atomic_int quit;
    unsigned active;            /* workers of the current task */
    PoolTask task;
    void *arg;
    Helper *helpers;            /* size - 1 */
};

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Spins (when the pool spins) until gen differs from `seen` or quit is
 * set, at most SPIN_NS. The caller then checks again under the lock. */
static void spin_for_task(Pool *p, unsigned long seen)
{
    if (!p->spin)
        return;
    double until = seconds() + SPIN_NS * 1e-9;
    do {
        for (int i = 0; i < 64; i++) {
            if (atomic_load_explicit(&p->gen, memory_order_relaxed) != seen ||
                atomic_load_explicit(&p->quit, memory_order_relaxed))
                return;
            cpu_relax();
        }
    } while (seconds() < until);
}

/* Spins (when the pool spins) until every helper has finished, at most
 * SPIN_NS. */
static void spin_for_helpers(Pool *p)
{
    if (!p->spin)
        return;
    double until = seconds() + SPIN_NS * 1e-9;
    do {
        for (int i = 0; i < 64; i++) {
            if (atomic_load_explicit(&p->running, memory_order_acquire) == 0)
                return;
            cpu_relax();
        }
    } while (seconds() < until);
}

static void *helper_main(void *data)
{
    Helper *h = data;
    Pool *p = h->pool;
    unsigned long seen = 0;
    for (;;) {
        spin_for_task(p, seen);
        pthread_mutex_lock(&p->lock);
        while (atomic_load(&p->gen) == seen && !atomic_load(&p->quit))
            pthread_cond_wait(&p->start, &p->lock);
        if (atomic_load(&p->quit))
            break;
        seen = atomic_load(&p->gen);
        if (h->index >= p->active) {
            pthread_mutex_unlock(&p->lock);
            continue;
        }
        PoolTask task = p->task;
        void *arg = p->arg;
        pthread_mutex_unlock(&p->lock);
        task(arg, h->index);
        /* under the lock: the caller checks `running` under it before
         * it sleeps, so the signal cannot fall between */
        pthread_mutex_lock(&p->lock);
        if (atomic_fetch_sub(&p->running, 1) == 1)
            pthread_cond_signal(&p->done);
        pthread_mutex_unlock(&p->lock);
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
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    p->spin = online > 0 && threads <= (unsigned long)online;
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
    atomic_store(&p->quit, 1);
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
    atomic_store(&p->running, n - 1);
    atomic_fetch_add(&p->gen, 1);
    pthread_cond_broadcast(&p->start);
    pthread_mutex_unlock(&p->lock);
    task(arg, 0);
    spin_for_helpers(p);
    pthread_mutex_lock(&p->lock);
    while (atomic_load(&p->running))
        pthread_cond_wait(&p->done, &p->lock);
    pthread_mutex_unlock(&p->lock);
}
