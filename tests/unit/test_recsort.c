/* Unit tests of recsort (checker/recsort.h): records of 2 to 5 words
 * sorted by one word or several, in place and with a second array; each
 * result must be in key order and a permutation of its input (neither
 * sort is stable, so ties may come in any order). Keys are drawn narrow
 * (so that most high digits are shared and skipped), wide, and with
 * many ties. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "recsort.h"

#include <stdlib.h>
#include <string.h>

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static RecKey key_of_qsort;

static int by_key(const void *a, const void *b)
{
    return reckey_cmp(&key_of_qsort, a, b);
}

/* n records of rw words: the key words with `bits` random bits, the
 * others the record's index (so records are unique). */
static uint64_t *records(size_t n, const RecKey *k, unsigned bits)
{
    uint64_t *a = malloc(n * k->rw * sizeof *a + 8);
    for (size_t i = 0; i < n; i++)
        for (size_t w = 0; w < k->rw; w++)
            a[i * k->rw + w] =
                w >= k->off && w < k->off + k->nk
                    ? (bits == 64 ? next() : next() & ((1ull << bits) - 1))
                    : i;
    return a;
}

/* Sorts n records by k with recsort and with recsort_tmp: each result
 * must be in key order and hold the records it was given (both, sorted
 * by whole records, equal the input sorted so). */
static void check(size_t n, RecKey k, unsigned bits)
{
    size_t bytes = n * k.rw * sizeof(uint64_t);
    uint64_t *in = records(n, &k, bits);
    uint64_t *out[2] = {malloc(bytes + 8), malloc(bytes + 8)};
    uint64_t *tmp = malloc(bytes + 8);
    memcpy(out[0], in, bytes);
    memcpy(out[1], in, bytes);
    recsort(&k, out[0], n);
    recsort_tmp(&k, out[1], tmp, n);
    key_of_qsort = (RecKey){k.rw, 0, k.rw}; /* whole records */
    qsort(in, n, k.rw * sizeof *in, by_key);
    for (int v = 0; v < 2; v++) {
        for (size_t i = 1; i < n; i++)
            assert_true(reckey_cmp(&k, out[v] + (i - 1) * k.rw,
                                   out[v] + i * k.rw) <= 0);
        qsort(out[v], n, k.rw * sizeof *in, by_key);
        assert_memory_equal(out[v], in, bytes);
        free(out[v]);
    }
    free(in);
    free(tmp);
}

/* Records of a key word and a discovery, as the store on disk sorts
 * successors: narrow keys (38 bits, most digits shared), full words,
 * and 4-bit keys (most records tie). Sizes below and above the
 * insertion sort's 32. */
static void test_one_word_keys(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 31, 32, 33, 1000, 100000};
    static const unsigned bits[] = {38, 64, 4};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        for (size_t j = 0; j < 3; j++)
            check(sizes[i], (RecKey){2, 0, 1}, bits[j]);
}

/* The new states, sorted by their discovery: the second word. */
static void test_key_after_the_record_start(void **state)
{
    (void)state;
    check(50000, (RecKey){2, 1, 1}, 40);
    check(50000, (RecKey){3, 2, 1}, 64);
}

/* Keys of several words (wide states): the first word most significant;
 * recsort_tmp falls back to recsort. */
static void test_keys_of_several_words(void **state)
{
    (void)state;
    check(20000, (RecKey){4, 0, 3}, 64);
    check(20000, (RecKey){4, 0, 3}, 3); /* ties in each word */
    check(20000, (RecKey){5, 0, 4}, 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_word_keys),
        cmocka_unit_test(test_key_after_the_record_start),
        cmocka_unit_test(test_keys_of_several_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
