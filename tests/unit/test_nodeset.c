/* Unit tests of the set of 64-bit values named by dense ids
 * (checker/nodeset.h): ids in order of first put, a full set refusing
 * new values until it grows, and four threads putting overlapping values
 * at once: every value gets one id, the ids are exactly 0 .. n-1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "nodeset.h"

#include <pthread.h>
#include <stdlib.h>

/* Values 0, 10, 20: ids 0, 1, 2 in that order; a second put and a find
 * give the same ids; an absent value is NONE. */
static void test_ids(void **state)
{
    (void)state;
    NodeSet *n = nodeset_new();
    assert_non_null(n);
    for (uint64_t v = 0; v < 3; v++)
        assert_int_equal(nodeset_put(n, 10 * v), v);
    for (uint64_t v = 0; v < 3; v++) {
        assert_int_equal(nodeset_put(n, 10 * v), v);
        assert_int_equal(nodeset_find(n, 10 * v), v);
        assert_int_equal(nodeset_value(n, (uint32_t)v), 10 * v);
    }
    assert_int_equal(nodeset_find(n, 5), NODESET_NONE);
    assert_int_equal(nodeset_count(n), 3);
    nodeset_free(n);
}

/* A new set has 4,096 slots and takes 3,072 values: the next new one is
 * refused (FULL, nothing added) while old ones are still found; after a
 * growth it is taken, and every id still names its value. */
static void test_full_then_grow(void **state)
{
    (void)state;
    NodeSet *n = nodeset_new();
    uint64_t v = 0;
    while (nodeset_put(n, v * 0x9e3779b97f4a7c15ull) != NODESET_FULL)
        v++;
    assert_int_equal(v, 3072);
    assert_int_equal(nodeset_count(n), 3072);
    assert_int_equal(nodeset_put(n, 7 * 0x9e3779b97f4a7c15ull), 7);
    assert_true(nodeset_wants_grow(n));
    assert_int_equal(nodeset_grow(n), 0);
    assert_false(nodeset_wants_grow(n));
    assert_int_equal(nodeset_put(n, v * 0x9e3779b97f4a7c15ull), 3072);
    for (uint64_t k = 0; k <= v; k++) {
        assert_int_equal(nodeset_find(n, k * 0x9e3779b97f4a7c15ull), k);
        assert_int_equal(nodeset_value(n, (uint32_t)k),
                         k * 0x9e3779b97f4a7c15ull);
    }
    nodeset_free(n);
}

/* Four threads put values 0 .. 39,999, each its own order (thread t
 * starting at t * 10,000, wrapping), growing the set between rounds when
 * it is full, as the explorer does between runs of inserts. */
enum { THREADS = 4, VALUES = 40000 };

typedef struct Job {
    NodeSet *n;
    unsigned t;
    uint64_t next;             /* values put so far, in this thread's order */
    uint32_t ids[VALUES];      /* by value */
} Job;

static void *put_task(void *arg)
{
    Job *j = arg;
    for (; j->next < VALUES; j->next++) {
        uint64_t v = (j->t * (VALUES / THREADS) + j->next) % VALUES;
        uint32_t id = nodeset_put(j->n, v);
        if (id == NODESET_FULL)
            return NULL; /* the round ends: grow, then go on */
        j->ids[v] = id;
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    NodeSet *n = nodeset_new();
    static Job jobs[THREADS];
    for (unsigned t = 0; t < THREADS; t++)
        jobs[t] = (Job){.n = n, .t = t};
    for (int round = 0; round < 100; round++) {
        pthread_t th[THREADS];
        for (unsigned t = 0; t < THREADS; t++)
            assert_int_equal(pthread_create(&th[t], NULL, put_task, &jobs[t]),
                             0);
        for (unsigned t = 0; t < THREADS; t++)
            pthread_join(th[t], NULL);
        if (nodeset_wants_grow(n))
            assert_int_equal(nodeset_grow(n), 0);
    }
    assert_int_equal(nodeset_count(n), VALUES);
    char *seen = calloc(VALUES, 1);
    for (uint64_t v = 0; v < VALUES; v++) {
        uint32_t id = jobs[0].ids[v];
        for (unsigned t = 1; t < THREADS; t++)
            assert_int_equal(jobs[t].ids[v], id);
        assert_true(id < VALUES);
        assert_false(seen[id]);
        seen[id] = 1;
        assert_int_equal(nodeset_value(n, id), v);
    }
    free(seen);
    nodeset_free(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_full_then_grow),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
