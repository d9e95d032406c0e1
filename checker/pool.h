/* pool: a fixed set of worker threads that run one task at a time on all
 * of them, the caller's thread being worker 0 (the explorer's BFS levels,
 * the store's rehash and renumbering).
 *
 * pool_run(p, n, task, arg) calls task(arg, w) for w = 0 .. n-1, w = 0 on
 * the calling thread, each other w on its own thread, and returns when all
 * have returned: everything a task wrote is then visible to the caller,
 * and everything the caller wrote before pool_run is visible to the tasks.
 * One pool_run at a time; tasks must not call pool_run.
 *
 * Ownership: the pool owns its threads; pool_free joins them.
 */
#ifndef LOCKSTEP_POOL_H
#define LOCKSTEP_POOL_H

typedef struct Pool Pool;
typedef void (*PoolTask)(void *arg, unsigned worker);

/* A pool of `threads` workers (at least 1; the caller is one of them).
 * Fewer when threads cannot be started; NULL when out of memory. */
Pool *pool_new(unsigned threads);
void pool_free(Pool *p);
/* Workers available (the caller included). */
unsigned pool_size(const Pool *p);
/* Runs task on workers 0 .. n-1 (n at most pool_size) and waits. */
void pool_run(Pool *p, unsigned n, PoolTask task, void *arg);

#endif
