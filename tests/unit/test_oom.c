/* Allocation failure: parsing, evaluating and checking a small model (its
 * divergence checks have taus to follow) with the k-th allocation failing,
 * for every k until the run needs no more.
 * Each run must end cleanly (an error or a verdict, never a crash), and
 * under AddressSanitizer nothing may leak. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "checkrun.h"
#include "mem.h"

#include <stdio.h>

static const char *model_path(void)
{
    return LOCKSTEP_SOURCE_DIR "/tests/golden/models/phils3.csp";
}

/* One full run; returns the number of allocations it made. */
static long run_once(long fail_at, int *completed)
{
    mem_fail_after(fail_at);
    Diags diags;
    diags_init(&diags);
    Model *m = model_load(model_path(), NULL, &diags);
    *completed = 0;
    if (m && !diags_errors(&diags)) {
        for (size_t i = 0; i < model_assert_count(m); i++) {
            RunOptions opt = {.semantics = COMPILE_NETWORK};
            opt.explore.memory = 16u << 20;
            RunResult r;
            checkrun_assert(m, i, &opt, &r, &diags);
            *completed += r.check.verdict <= VERDICT_FAIL;
            checkrun_free(&r);
        }
    }
    long used = mem_allocations();
    mem_fail_after(-1);
    model_free(m);
    diags_free(&diags);
    return used;
}

static void test_every_allocation_fails_cleanly(void **state)
{
    (void)state;
    int completed;
    long total = run_once(-1, &completed);
    assert_int_equal(completed, 4); /* every assertion ran without faults */
    assert_true(total > 100);
    /* every k up to the total: the first 400 one by one, then sampled */
    for (long k = 0; k < total; k += k < 400 ? 1 : 37)
        run_once(k, &completed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
