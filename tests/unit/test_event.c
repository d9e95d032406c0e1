/* Unit tests of checker/event.c (interning, sets) and checker/mem.c (the
 * allocation door, its fault injection, arenas). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "event.h"
#include "mem.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void test_tau_and_tick(void **state)
{
    (void)state;
    EventTable *t = event_table_new();
    assert_non_null(t);
    assert_int_equal(event_count(t), 2);
    assert_string_equal(event_name(t, EVENT_TAU), "τ");
    assert_string_equal(event_name(t, EVENT_TICK), "✓");
    assert_null(event_name(t, 2));
    /* a user's channels named tau and tick are events of their own: the
     * internal events cannot be forged by name */
    assert_int_equal(event_lookup(t, "tick"), EVENT_NONE);
    assert_int_equal(event_intern(t, "tau"), 2);
    assert_int_equal(event_intern(t, "tick"), 3);
    event_table_free(t);
}

static void test_interning(void **state)
{
    (void)state;
    EventTable *t = event_table_new();
    uint32_t a = event_intern(t, "c.1.true");
    uint32_t b = event_intern(t, "c.2.true");
    assert_int_equal(a, 2);
    assert_int_equal(b, 3);
    assert_int_equal(event_intern(t, "c.1.true"), a);
    assert_int_equal(event_lookup(t, "c.2.true"), b);
    assert_int_equal(event_lookup(t, "never"), EVENT_NONE);
    /* many names: the table grows and keeps every id */
    char name[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof name, "e.%d", i);
        assert_int_equal(event_intern(t, name), (uint32_t)(4 + i));
    }
    for (int i = 0; i < 5000; i += 97) {
        snprintf(name, sizeof name, "e.%d", i);
        assert_int_equal(event_lookup(t, name), (uint32_t)(4 + i));
        assert_string_equal(event_name(t, (uint32_t)(4 + i)), name);
    }
    event_table_free(t);
}

static void *intern_many(void *arg)
{
    EventTable *t = arg;
    char name[32];
    for (int i = 0; i < 2000; i++) {
        snprintf(name, sizeof name, "shared.%d", i);
        if (event_intern(t, name) == EVENT_NONE)
            return (void *)1;
    }
    return NULL;
}

/* Four threads intern the same 2,000 names: each gets one id. */
static void test_concurrent_interning(void **state)
{
    (void)state;
    EventTable *t = event_table_new();
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&threads[i], NULL, intern_many, t);
    for (int i = 0; i < 4; i++) {
        void *rc;
        pthread_join(threads[i], &rc);
        assert_null(rc);
    }
    assert_int_equal(event_count(t), 2 + 2000);
    event_table_free(t);
}

static void test_event_sets(void **state)
{
    (void)state;
    uint32_t ids[] = {7, 3, 9, 3, 7, 2};
    size_t n = event_set_normalise(ids, 6);
    assert_int_equal(n, 4);
    uint32_t want[] = {2, 3, 7, 9};
    assert_memory_equal(ids, want, sizeof want);
    EventSet s = {n, ids};
    assert_true(event_set_has(&s, 7));
    assert_false(event_set_has(&s, 8));
    assert_int_equal(event_set_normalise(ids, 0), 0);
}

/* The k-th allocation fails and every later one too; a table built under
 * fault injection fails cleanly (NULL) at every k. */
static void test_allocation_failure(void **state)
{
    (void)state;
    for (long k = 0; k < 12; k++) {
        mem_fail_after(k);
        EventTable *t = event_table_new();
        uint32_t id = t ? event_intern(t, "a") : EVENT_NONE;
        mem_fail_after(-1);
        if (t) {
            assert_true(id == 2 || id == EVENT_NONE);
            event_table_free(t);
        }
    }
    mem_fail_after(0);
    assert_null(mem_alloc(8));
    mem_fail_after(-1);
    void *p = mem_alloc(8);
    assert_non_null(p);
    mem_free(p);
}

static void test_arena(void **state)
{
    (void)state;
    Arena *a = arena_new();
    char *s = arena_strdup(a, "hello");
    assert_string_equal(s, "hello");
    void *big = arena_alloc(a, 200000); /* larger than a block */
    assert_non_null(big);
    assert_int_equal((uintptr_t)big % 16, 0);
    for (int i = 0; i < 10000; i++)
        assert_non_null(arena_alloc(a, 24));
    assert_true(arena_used(a) >= 200000 + 10000 * 32);
    assert_string_equal(s, "hello");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tau_and_tick),
        cmocka_unit_test(test_interning),
        cmocka_unit_test(test_concurrent_interning),
        cmocka_unit_test(test_event_sets),
        cmocka_unit_test(test_allocation_failure),
        cmocka_unit_test(test_arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
