/* Unit tests of the parent links kept as unary child counts
 * (checker/lineage.h): a small numbering worked out bit by bit in the
 * comments, childless stretches longer than a rank block, several roots,
 * and long random breadth-first numberings against a plain array. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lineage.h"

#include <stdlib.h>

/* Root 0; 0 has children 1, 2; 1 has none; 2 has 3; 3 has 4, 5, 6.
 * Bits (state by state: its children's 1s, then a 0): 0: 110, 1: 0,
 * 2: 10, then 3's children 111 (3 not closed yet): 110 0 10 111, 9 bits,
 * one 1 per non-root state. */
static void test_by_hand(void **state)
{
    (void)state;
    Lineage *l = lineage_new(16);
    assert_non_null(l);
    uint32_t parents[] = {LINEAGE_ROOT, 0, 0, 2, 3, 3, 3};
    for (size_t i = 0; i < 7; i++)
        lineage_append(l, parents[i]);
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(lineage_parent(l, i), parents[i]);
    /* one word of bits and one rank sample */
    assert_int_equal(lineage_bytes(l), 16);
    lineage_free(l);
}

/* Three roots, then a child of root 2 only: roots 0 and 1 close
 * childless (two 0 bits before the first 1). */
static void test_roots(void **state)
{
    (void)state;
    Lineage *l = lineage_new(8);
    for (int i = 0; i < 3; i++)
        lineage_append(l, LINEAGE_ROOT);
    lineage_append(l, 2);
    lineage_append(l, 2);
    for (uint64_t id = 0; id < 3; id++)
        assert_int_equal(lineage_parent(l, id), LINEAGE_ROOT);
    assert_int_equal(lineage_parent(l, 3), 2);
    assert_int_equal(lineage_parent(l, 4), 2);
    lineage_free(l);
}

/* Root 0 has 6,000 children (ids 1 .. 6000); 1 .. 5000 have none; then
 * 5001 on has one child each (ids 6001 on). Between the 6,000th 1 bit and
 * the next lie 5,001 0 bits: about 10 rank blocks of 0s alone, whose
 * samples repeat one count; the binary search must land in the last. */
static void test_childless_stretch(void **state)
{
    (void)state;
    enum { N = 20000 };
    Lineage *l = lineage_new(N);
    static uint32_t parent[N];
    parent[0] = LINEAGE_ROOT;
    lineage_append(l, LINEAGE_ROOT);
    for (uint32_t id = 1; id < N; id++) {
        parent[id] = id <= 6000 ? 0 : 5001 + (id - 6001);
        lineage_append(l, parent[id]);
    }
    for (uint32_t id = 0; id < N; id++)
        assert_int_equal(lineage_parent(l, id), parent[id]);
    lineage_free(l);
}

/* Random breadth-first numberings: each state of a level gets 0 to 7
 * children (0 with probability 1/2), up to a million states; every
 * parent read back, and the bytes within 2.3 bits a state. */
static void test_random(void **state)
{
    (void)state;
    enum { N = 1000000 };
    uint32_t *parent = malloc(N * sizeof *parent);
    assert_non_null(parent);
    for (unsigned seed = 1; seed <= 3; seed++) {
        srand(seed);
        Lineage *l = lineage_new(N);
        uint64_t n = 1;
        parent[0] = LINEAGE_ROOT;
        lineage_append(l, LINEAGE_ROOT);
        for (uint64_t x = 0; x < n && n < N; x++) {
            int kids = rand() % 2 ? rand() % 8 : 0;
            if (x + 1 == n && n < 2)
                kids = 1; /* the first state always has a child */
            for (int k = 0; k < kids && n < N; k++) {
                parent[n] = (uint32_t)x;
                lineage_append(l, (uint32_t)x);
                n++;
            }
        }
        for (uint64_t id = 0; id < n; id++)
            assert_int_equal(lineage_parent(l, id), parent[id]);
        assert_true(lineage_bytes(l) * 8 <= n * 23 / 10 + 128);
        lineage_free(l);
    }
    free(parent);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_by_hand),
        cmocka_unit_test(test_roots),
        cmocka_unit_test(test_childless_stretch),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
