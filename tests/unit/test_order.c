/* Unit tests of the level sort (checker/order.h): hand-made levels whose
 * canonical order is worked out in the comments (in order already, with
 * holes at the end and in the middle, children of one parent out of
 * order, parents out of order), then random levels sorted in 1 to 4
 * parts against a plain sort. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "order.h"
#include "pool.h"

#include <stdlib.h>

#define NONE ORDER_NONE
#define D(parent, k) ((uint64_t)(parent) << 32 | (k))

static Pool *pool;

static int setup(void **state)
{
    (void)state;
    pool = pool_new(4);
    return pool ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    pool_free(pool);
    return 0;
}

/* Sorts disc[0 .. used) of a level of parents [lo, lo + span). */
static OrderResult sort_level(Order *o, unsigned parts, const uint64_t *d,
                              uint64_t used, uint64_t lo, uint64_t span)
{
    static _Atomic uint64_t disc[4096];
    for (uint64_t p = 0; p < used; p++)
        atomic_store(&disc[p], d[p]);
    OrderResult r;
    assert_int_equal(order_level(o, pool, parts, disc, used, lo, span, &r),
                     0);
    return r;
}

/* One worker's positions: discoveries increasing, holes only at the end
 * (a block's unused end): position r is the r-th state. */
static void test_identity(void **state)
{
    (void)state;
    const uint64_t d[] = {D(10, 0), D(10, 2), D(11, 0), D(13, 1), NONE, NONE};
    Order *o = order_new(4);
    for (unsigned parts = 1; parts <= 4; parts++) {
        OrderResult r = sort_level(o, parts, d, 6, 10, 4);
        assert_int_equal(r.n, 4);
        assert_true(r.identity);
        const uint32_t parents[] = {10, 10, 11, 13};
        for (unsigned i = 0; i < 4; i++)
            assert_int_equal(r.parents[i], parents[i]);
    }
    order_free(o);
}

/* A hole before a state: position 2 holds the 2nd state (rank 1), so not
 * the identity: order = 0, 2, 3. */
static void test_hole_in_middle(void **state)
{
    (void)state;
    const uint64_t d[] = {D(5, 0), NONE, D(5, 1), D(6, 0)};
    Order *o = order_new(4);
    for (unsigned parts = 1; parts <= 4; parts++) {
        OrderResult r = sort_level(o, parts, d, 4, 5, 2);
        assert_int_equal(r.n, 3);
        assert_false(r.identity);
        const uint32_t order[] = {0, 2, 3}, parents[] = {5, 5, 6};
        for (unsigned i = 0; i < 3; i++) {
            assert_int_equal(r.order[i], order[i]);
            assert_int_equal(r.parents[i], parents[i]);
        }
    }
    order_free(o);
}

/* Two workers' blocks interleaved: worker A (parents 0, 1) took positions
 * 0, 1 and 4; worker B (parents 2, 3) positions 2, 3. Position 5 is a
 * state B met first but A discovered earlier (parent 1, child 3).
 * By discovery: (0,0) p0, (0,4) p1, (1,1) p4, (1,3) p5, (2,0) p3,
 * (3,2) p2. */
static void test_two_workers(void **state)
{
    (void)state;
    const uint64_t d[] = {D(0, 0), D(0, 4), D(3, 2),
                          D(2, 0), D(1, 1), D(1, 3)};
    Order *o = order_new(4);
    for (unsigned parts = 1; parts <= 4; parts++) {
        OrderResult r = sort_level(o, parts, d, 6, 0, 4);
        assert_int_equal(r.n, 6);
        assert_false(r.identity);
        const uint32_t order[] = {0, 1, 4, 5, 3, 2};
        const uint32_t parents[] = {0, 0, 1, 1, 2, 3};
        for (unsigned i = 0; i < 6; i++) {
            assert_int_equal(r.order[i], order[i]);
            assert_int_equal(r.parents[i], parents[i]);
        }
    }
    order_free(o);
}

/* One parent, children met out of order: by successor index. */
static void test_children_of_one_parent(void **state)
{
    (void)state;
    const uint64_t d[] = {D(7, 5), D(7, 1), D(7, 3), D(7, 0)};
    Order *o = order_new(2);
    for (unsigned parts = 1; parts <= 2; parts++) {
        OrderResult r = sort_level(o, parts, d, 4, 7, 1);
        assert_int_equal(r.n, 4);
        const uint32_t order[] = {3, 1, 2, 0};
        for (unsigned i = 0; i < 4; i++)
            assert_int_equal(r.order[i], order[i]);
    }
    order_free(o);
}

/* An empty level, and one of holes only. */
static void test_empty(void **state)
{
    (void)state;
    const uint64_t d[] = {NONE, NONE, NONE};
    Order *o = order_new(4);
    OrderResult r = sort_level(o, 3, d, 0, 0, 1);
    assert_int_equal(r.n, 0);
    r = sort_level(o, 3, d, 3, 0, 1);
    assert_int_equal(r.n, 0);
    order_free(o);
}

static int by_value(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Random levels: distinct discoveries over a span of parents, shuffled,
 * with holes; every part count gives the plain sort's order. */
static void test_random_levels(void **state)
{
    (void)state;
    enum { USED = 4000 };
    static uint64_t d[USED], sorted[USED][2];
    Order *o = order_new(4);
    srand(6);
    for (int round = 0; round < 20; round++) {
        uint64_t lo = 1000 + (uint64_t)rand() % 1000;
        uint64_t span = 1 + (uint64_t)rand() % 900, n = 0;
        for (uint64_t p = 0; p < USED; p++) /* parent x, child p: distinct */
            d[p] = rand() % 8 == 0 ? NONE
                                   : D(lo + (uint64_t)rand() % span, p);
        for (uint64_t p = USED - 1; p > 0; p--) {
            uint64_t q = (uint64_t)rand() % (p + 1), t = d[p];
            d[p] = d[q];
            d[q] = t;
        }
        for (uint64_t p = 0; p < USED; p++)
            if (d[p] != NONE) {
                sorted[n][0] = d[p];
                sorted[n++][1] = p;
            }
        qsort(sorted, n, sizeof sorted[0], by_value);
        for (unsigned parts = 1; parts <= 4; parts++) {
            OrderResult r = sort_level(o, parts, d, USED, lo, span);
            assert_int_equal(r.n, n);
            assert_false(r.identity);
            for (uint64_t i = 0; i < n; i++) {
                assert_int_equal(r.order[i], sorted[i][1]);
                assert_int_equal(r.parents[i], sorted[i][0] >> 32);
            }
        }
    }
    order_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity),
        cmocka_unit_test(test_hole_in_middle),
        cmocka_unit_test(test_two_workers),
        cmocka_unit_test(test_children_of_one_parent),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_random_levels),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
