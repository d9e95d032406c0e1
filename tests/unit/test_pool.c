/* Unit tests of the worker pool (checker/pool.h): every worker 0..n-1
 * runs each task exactly once and no other does, what the caller wrote
 * before pool_run is seen by the tasks and what they wrote is seen after
 * it, worker 0 is the caller's thread; with a pool that spins before
 * sleeping (no more workers than CPUs) and one that never spins (more
 * workers than CPUs), over many short tasks back to back, where a lost
 * wake-up would hang the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pool.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

enum { MAX_WORKERS = 64 };

typedef struct Job {
    unsigned round;                 /* written by the caller before a run */
    unsigned seen[MAX_WORKERS];     /* round as each worker saw it */
    unsigned runs[MAX_WORKERS];     /* how often each worker ran */
    pthread_t caller, thread0;
} Job;

static void record(void *arg, unsigned worker)
{
    Job *j = arg;
    j->seen[worker] = j->round;
    j->runs[worker]++;
    if (worker == 0)
        j->thread0 = pthread_self();
}

/* `rounds` runs on a pool of `threads`, the r-th on 1 + r % size workers:
 * after each, exactly those ran, once, and saw this round. */
static void run_rounds(unsigned threads, unsigned rounds)
{
    Pool *p = pool_new(threads);
    assert_non_null(p);
    unsigned size = pool_size(p);
    assert_true(size >= 1 && size <= threads);
    static Job j;
    memset(&j, 0, sizeof j);
    j.caller = pthread_self();
    for (unsigned r = 1; r <= rounds; r++) {
        unsigned n = 1 + r % size, before[MAX_WORKERS];
        for (unsigned w = 0; w < size; w++)
            before[w] = j.runs[w];
        j.round = r;
        pool_run(p, n, record, &j);
        for (unsigned w = 0; w < size; w++) {
            assert_int_equal(j.runs[w], before[w] + (w < n));
            if (w < n)
                assert_int_equal(j.seen[w], r);
            else
                assert_true(j.seen[w] < r);
        }
        assert_true(pthread_equal(j.thread0, j.caller));
    }
    pool_free(p);
}

static void test_single_worker_is_the_caller(void **state)
{
    (void)state;
    run_rounds(1, 10);
}

/* No more workers than CPUs: the pool spins before sleeping (on a
 * one-CPU machine this is the one-worker pool again). */
static void test_spinning_pool(void **state)
{
    (void)state;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = online < 1 ? 1 : online > 4 ? 4 : (unsigned)online;
    run_rounds(threads, 20000);
}

/* More workers than CPUs: the pool only sleeps. */
static void test_sleeping_pool(void **state)
{
    (void)state;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = online < 1 ? 2 : (unsigned)online + 2;
    run_rounds(threads > MAX_WORKERS ? MAX_WORKERS : threads, 2000);
}

/* A pool whose helpers never got a task is freed at once. */
static void test_free_idle_pool(void **state)
{
    (void)state;
    Pool *p = pool_new(3);
    assert_non_null(p);
    pool_free(p);
    pool_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_worker_is_the_caller),
        cmocka_unit_test(test_spinning_pool),
        cmocka_unit_test(test_sleeping_pool),
        cmocka_unit_test(test_free_idle_pool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
