/* Unit tests of the concurrent state store (checker/store.h): packing,
 * insertion and duplicates, growth of the index with pending states in
 * it, renumbering, dropping, a full store, and inserts from 4 threads at
 * once. Expectations are worked out in the comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mem.h"
#include "store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Reserves room for `want` pending states, growing the index on one
 * thread if the store asks for it. */
static StoreStatus reserve(Store *s, uint64_t used, uint64_t want)
{
    StoreStatus st = store_reserve(s, used, want);
    if (st == STORE_GROW) {
        store_grow_clear(s, 0, 2); /* two parts, one after the other */
        store_grow_clear(s, 1, 2);
        store_grow_part(s, 0, 2);
        store_grow_part(s, 1, 2);
        store_grow_end(s);
        st = STORE_OK;
    }
    return st;
}

static uint64_t insert_vec(Store *s, const uint32_t *vec, uint64_t id,
                           int *fresh)
{
    uint64_t key[8], found = UINT64_MAX;
    store_pack(s, vec, key);
    *fresh = store_insert(s, key, store_hash(s, key), id, &found);
    return *fresh ? id : found;
}

/* Bounds 1, 3, 7 and 0 need 1, 2, 3 and 1 bits: 7 bits, one byte. An
 * unbounded word needs 32 bits. Three words of 30 bits do not share a
 * 64-bit word (60 + 30 > 64): 64 + 30 bits, 12 bytes. */
static void test_pack_sizes(void **state)
{
    (void)state;
    uint32_t small[] = {1, 3, 7, 0};
    Store *s = store_new(4, small, 1 << 20);
    assert_non_null(s);
    assert_int_equal(store_key_bytes(s), 1);
    assert_int_equal(store_key_words(s), 1);
    uint32_t vec[] = {1, 2, 5, 0}, back[4];
    int fresh;
    assert_int_equal(reserve(s, 0, 1), STORE_OK);
    insert_vec(s, vec, 0, &fresh);
    assert_true(fresh);
    uint32_t parent = STORE_NO_PARENT;
    assert_int_equal(store_commit(s, NULL, &parent, 1, 1), 0);
    store_state(s, 0, back);
    assert_memory_equal(back, vec, sizeof vec);
    store_free(s);

    s = store_new(3, NULL, 1 << 20);
    assert_int_equal(store_key_bytes(s), 12);
    store_free(s);
    uint32_t wide[] = {(1u << 30) - 1, (1u << 30) - 1, (1u << 30) - 1};
    s = store_new(3, wide, 1 << 20);
    assert_int_equal(store_key_bytes(s), 12);
    assert_int_equal(store_key_words(s), 2);
    uint32_t big[] = {(1u << 30) - 1, 12345, (1u << 30) - 2}, out[3];
    assert_int_equal(reserve(s, 0, 1), STORE_OK);
    insert_vec(s, big, 0, &fresh);
    assert_int_equal(store_commit(s, NULL, &parent, 1, 1), 0);
    store_state(s, 0, out);
    assert_memory_equal(out, big, sizeof big);
    assert_int_equal(store_lookup(s, big), 0);
    big[1]++;
    assert_int_equal(store_lookup(s, big), UINT64_MAX);
    store_free(s);
}

/* Packing successors from their state (store_prepare with a base) gives
 * the keys and hashes of packing each from scratch: vectors of 3, 6 and
 * 70 words (70: more than one block of 64 words, and a tail of 2 beyond
 * the groups of 4), keys of one word and of several, successors that
 * differ from the base in no word, one, or many. */
static void test_prepare_from_base(void **state)
{
    (void)state;
    enum { SUCCS = 50, MAXW = 70 };
    const size_t widths[] = {3, 6, 70};
    srand(12);
    for (size_t c = 0; c < 3; c++) {
        size_t w = widths[c];
        uint32_t word_max[MAXW], base[MAXW], vecs[SUCCS * MAXW];
        for (size_t i = 0; i < w; i++) /* 1 to 31 bits each */
            word_max[i] = (uint32_t)((1u << (1 + rand() % 31)) - 1);
        Store *s = store_new(w, word_max, 1 << 20);
        assert_non_null(s);
        size_t kw = store_key_words(s);
        for (size_t i = 0; i < w; i++)
            base[i] = (uint32_t)rand() & word_max[i];
        for (size_t k = 0; k < SUCCS; k++) {
            uint32_t *v = vecs + k * w;
            memcpy(v, base, w * sizeof *v);
            size_t changes = k % 5 == 4 ? w : k % 5; /* none .. all */
            for (size_t n = 0; n < changes; n++) {
                size_t i = (size_t)rand() % w;
                v[i] = (uint32_t)rand() & word_max[i];
            }
        }
        uint64_t keys[SUCCS * 40], from[SUCCS * 40];
        uint64_t hashes[SUCCS], from_hashes[SUCCS];
        store_prepare(s, NULL, vecs, SUCCS, keys, hashes);
        store_prepare(s, base, vecs, SUCCS, from, from_hashes);
        assert_memory_equal(from, keys, SUCCS * kw * sizeof *keys);
        assert_memory_equal(from_hashes, hashes, sizeof hashes);
        store_free(s);
    }
}

/* One level by hand: 3 new states and a duplicate; the commit puts
 * pending positions 2, 0, 1 at ids 1, 2, 3. */
static void test_insert_commit(void **state)
{
    (void)state;
    uint32_t max[] = {100, 100};
    Store *s = store_new(2, max, 1 << 20);
    uint32_t root[] = {0, 0}, a[] = {1, 0}, b[] = {0, 1}, c[] = {1, 1};
    int fresh;
    uint32_t none = STORE_NO_PARENT;
    assert_int_equal(reserve(s, 0, 1), STORE_OK);
    insert_vec(s, root, 0, &fresh);
    assert_int_equal(store_commit(s, NULL, &none, 1, 1), 0);
    assert_int_equal(store_count(s), 1);

    assert_int_equal(reserve(s, 0, 4), STORE_OK);
    assert_int_equal(insert_vec(s, a, 1, &fresh), 1);
    assert_true(fresh);
    assert_int_equal(insert_vec(s, b, 2, &fresh), 2);
    assert_int_equal(insert_vec(s, a, 3, &fresh), 1); /* a duplicate */
    assert_false(fresh);
    assert_int_equal(insert_vec(s, root, 3, &fresh), 0); /* committed */
    assert_false(fresh);
    assert_int_equal(insert_vec(s, c, 3, &fresh), 3);
    assert_int_equal(store_lookup(s, a), UINT64_MAX); /* still pending */

    uint32_t order[] = {2, 0, 1}, parents[] = {0, 0, 0};
    assert_int_equal(store_commit(s, order, parents, 3, 3), 0);
    assert_int_equal(store_count(s), 4);
    assert_int_equal(store_lookup(s, c), 1);
    assert_int_equal(store_lookup(s, a), 2);
    assert_int_equal(store_lookup(s, b), 3);
    assert_int_equal(store_lookup(s, root), 0);
    uint32_t back[2];
    store_state(s, 1, back);
    assert_memory_equal(back, c, sizeof c);
    assert_int_equal(store_parent(s, 0), STORE_NO_PARENT);
    assert_int_equal(store_parent(s, 3), 0);
    /* bytes: 4 states of 2 bytes key; parents: the lineage's 3 bits (one
     * word) and its one rank sample (8 bytes); 1,024 slots */
    assert_int_equal(store_key_bytes(s), 2);
    assert_int_equal(store_bytes(s), 4 * 2 + 8 + 8 + 1024 * 4);
    store_free(s);
}

/* 5,000 states, inserted while the index grows from 1,024 slots: pending
 * states survive each growth (their slots move), and the commit in
 * reverse order gives state i the id 5,000 - i. */
static void test_growth_with_pending(void **state)
{
    (void)state;
    uint32_t max[] = {UINT32_MAX};
    Store *s = store_new(1, max, 64 << 20);
    uint32_t root[] = {UINT32_MAX}, none = STORE_NO_PARENT;
    int fresh;
    assert_int_equal(reserve(s, 0, 1), STORE_OK);
    insert_vec(s, root, 0, &fresh);
    store_commit(s, NULL, &none, 1, 1);
    enum { N = 5000 };
    uint64_t used = 0;
    for (uint32_t i = 0; i < N; i++) {
        if (used == store_room(s))
            assert_int_equal(reserve(s, used, used + 100), STORE_OK);
        uint32_t v[] = {i};
        assert_int_equal(insert_vec(s, v, 1 + used, &fresh), 1 + used);
        used++;
    }
    for (uint32_t i = 0; i < N; i++) { /* all there, all duplicates */
        uint32_t v[] = {i};
        assert_int_equal(insert_vec(s, v, 1 + used, &fresh), 1 + i);
        assert_false(fresh);
    }
    uint32_t *order = mem_alloc(N * sizeof *order);
    uint32_t *parents = mem_alloc(N * sizeof *parents);
    for (uint32_t r = 0; r < N; r++) {
        order[r] = N - 1 - r;
        parents[r] = 0;
    }
    assert_int_equal(store_commit(s, order, parents, N, used), 0);
    for (uint32_t i = 0; i < N; i++) {
        uint32_t v[] = {i}, back[1];
        assert_int_equal(store_lookup(s, v), N - i);
        store_state(s, N - i, back);
        assert_int_equal(back[0], i);
    }
    assert_true(store_bytes(s) >= (N + 1) * 8u);
    mem_free(order);
    mem_free(parents);
    store_free(s);
}

/* Dropping a pending state takes it out: it is not found afterwards, and
 * inserting it again makes it new again. */
static void test_drop(void **state)
{
    (void)state;
    uint32_t max[] = {255};
    Store *s = store_new(1, max, 1 << 20);
    uint32_t v0[] = {0}, v1[] = {1}, v2[] = {2}, none = STORE_NO_PARENT;
    int fresh;
    reserve(s, 0, 1);
    insert_vec(s, v0, 0, &fresh);
    store_commit(s, NULL, &none, 1, 1);
    reserve(s, 0, 2);
    insert_vec(s, v1, 1, &fresh);
    insert_vec(s, v2, 2, &fresh);
    uint32_t dropped[] = {1}, parents[] = {0};
    store_drop(s, dropped, 1); /* position 1: v2 */
    assert_int_equal(store_commit(s, NULL, parents, 1, 2), 0);
    assert_int_equal(store_lookup(s, v1), 1);
    assert_int_equal(store_lookup(s, v2), UINT64_MAX);
    reserve(s, 0, 1);
    assert_int_equal(insert_vec(s, v2, 2, &fresh), 2);
    assert_true(fresh);
    store_free(s);
}

/* A budget of 20,000 bytes, states of 2 key bytes + 3 bits for the
 * parent links (19 bits; states counted by the byte of bits: / 19 * 8).
 * The index may end at 1,024, 1,536, 2,048, 3,072, 4,096 ... slots of 4
 * bytes. With 1,024 slots (4,096 bytes) 15,904 bytes hold 6,696 states,
 * capped at 3/4 of the slots: 768; with 1,536: 5,832, capped at 1,152;
 * with 2,048: 4,968, capped at 1,536; with 3,072 (12,288 bytes): 3,240,
 * capped at 2,304; with 4,096 (16,384 bytes): 1,520. 6,144 slots take
 * more than the budget. The best: 2,304. */
static void test_full(void **state)
{
    (void)state;
    uint32_t max[] = {255, 255};
    Store *s = store_new(2, max, 20000);
    assert_int_equal(store_key_bytes(s), 2);
    assert_int_equal(store_capacity(s), 2304); /* 1,024 -> 2,048 -> 3,072 */
    assert_int_equal(reserve(s, 0, 2304), STORE_OK);
    assert_int_equal(store_reserve(s, 0, 2305), STORE_FULL);
    store_free(s);
    s = store_new(2, max, 100); /* not even one state */
    assert_non_null(s);
    assert_int_equal(store_capacity(s), 0);
    assert_int_equal(store_reserve(s, 0, 1), STORE_FULL);
    store_free(s);
}

/* Four threads insert the same 20,000 keys, each in its own order and
 * under its own pending positions: every key is new exactly once, the
 * others see it as a duplicate with the winner's id. */
enum { KEYS = 20000, THREADS = 4 };

typedef struct Racer {
    Store *store;
    unsigned index;
    uint64_t won;
    uint64_t *ids; /* per key: the id this thread was given */
} Racer;

static void *race(void *arg)
{
    Racer *r = arg;
    uint64_t next = 1 + (uint64_t)r->index * KEYS; /* own positions */
    for (uint32_t k = 0; k < KEYS; k++) {
        uint32_t key = r->index % 2 ? KEYS - 1 - k : (k * 7919u) % KEYS;
        uint32_t v[] = {key, key % 3};
        int fresh;
        r->ids[key] = insert_vec(r->store, v, next, &fresh);
        if (fresh) {
            next++;
            r->won++;
        }
    }
    return NULL;
}

static void test_concurrent_inserts(void **state)
{
    (void)state;
    uint32_t max[] = {KEYS, 2};
    Store *s = store_new(2, max, 64 << 20);
    uint32_t root[] = {KEYS, 0}, none = STORE_NO_PARENT;
    int fresh;
    reserve(s, 0, 1);
    insert_vec(s, root, 0, &fresh);
    store_commit(s, NULL, &none, 1, 1);
    assert_int_equal(reserve(s, 0, THREADS * KEYS), STORE_OK);
    Racer racers[THREADS];
    pthread_t threads[THREADS];
    for (unsigned t = 0; t < THREADS; t++) {
        racers[t] = (Racer){s, t, 0, mem_alloc(KEYS * sizeof(uint64_t))};
        assert_int_equal(pthread_create(&threads[t], NULL, race, &racers[t]),
                         0);
    }
    uint64_t won = 0;
    for (unsigned t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        won += racers[t].won;
    }
    assert_int_equal(won, KEYS);
    for (uint32_t k = 0; k < KEYS; k++)
        for (unsigned t = 1; t < THREADS; t++)
            assert_int_equal(racers[t].ids[k], racers[0].ids[k]);
    /* commit in key order: key k gets id 1 + k */
    uint32_t *order = mem_alloc(KEYS * sizeof *order);
    uint32_t *parents = mem_calloc(KEYS, sizeof *parents);
    for (uint32_t k = 0; k < KEYS; k++)
        order[k] = (uint32_t)(racers[0].ids[k] - 1);
    assert_int_equal(store_commit(s, order, parents, KEYS, THREADS * KEYS),
                     0);
    for (uint32_t k = 0; k < KEYS; k++) {
        uint32_t v[] = {k, k % 3};
        assert_int_equal(store_lookup(s, v), 1 + k);
    }
    for (unsigned t = 0; t < THREADS; t++)
        mem_free(racers[t].ids);
    mem_free(order);
    mem_free(parents);
    store_free(s);
}

/* An allocation failure is reported as NULL, never a crash. */
static void test_nomem(void **state)
{
    (void)state;
    uint32_t max[] = {3};
    for (long k = 0; k < 6; k++) {
        mem_fail_after(k);
        Store *s = store_new(1, max, 1 << 20);
        mem_fail_after(-1);
        store_free(s);
    }
    mem_fail_after(0);
    assert_null(store_new(1, max, 1 << 20));
    mem_fail_after(-1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pack_sizes),
        cmocka_unit_test(test_prepare_from_base),
        cmocka_unit_test(test_insert_commit),
        cmocka_unit_test(test_growth_with_pending),
        cmocka_unit_test(test_drop),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_concurrent_inserts),
        cmocka_unit_test(test_nomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
