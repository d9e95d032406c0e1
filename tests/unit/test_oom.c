/* Allocation failure: every golden model is loaded and all its assertions
 * checked with the k-th allocation failing, for k one by one over the
 * first 40 allocations and at 30 points spread over the rest. Each run
 * must end with, for every assertion, either the verdict of the fault-free
 * run or a clean error or limit: never another verdict (a wrong answer), a
 * crash, or (under ASan in CI) a leak or a bad access. A failed allocation
 * raises the run's memory limit (mem.h), so the assertions after it are
 * limits, "not run". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "checkrun.h"
#include "limit.h"
#include "mem.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

enum { MAX_ASSERTS = 64, FIRST_EACH = 40, SAMPLES = 30 };

/* One full run of `path`; verdicts[i] for each assertion; returns the
 * number of allocations it made. */
static long run_once(const char *path, long fail_at, Verdict *verdicts,
                     size_t *count)
{
    mem_fail_after(fail_at);
    Diags diags;
    diags_init(&diags);
    Model *m = model_load(path, NULL, &diags);
    *count = 0;
    if (m && !diags_errors(&diags)) {
        for (size_t i = 0; i < model_assert_count(m) && i < MAX_ASSERTS;
             i++) {
            RunOptions opt = {.semantics = COMPILE_NETWORK};
            opt.explore.memory = 16u << 20;
            opt.explore.threads = 1;
            RunResult r;
            checkrun_assert(m, i, &opt, &r, &diags);
            verdicts[(*count)++] = r.check.verdict;
            checkrun_free(&r);
        }
    }
    long used = mem_allocations();
    mem_fail_after(-1);
    limit_clear(); /* a failure raised the run's memory limit (mem.h) */
    model_free(m);
    diags_free(&diags);
    return used;
}

static void check_model(const char *path)
{
    Verdict want[MAX_ASSERTS], got[MAX_ASSERTS];
    size_t n, k_n;
    long total = run_once(path, -1, want, &n);
    assert_true(total > 10);
    long step = total > FIRST_EACH ? (total - FIRST_EACH) / SAMPLES + 1 : 1;
    for (long k = 0; k < total; k += k < FIRST_EACH ? 1 : step) {
        run_once(path, k, got, &k_n);
        for (size_t i = 0; i < k_n && i < n; i++)
            if (got[i] != want[i] && got[i] != VERDICT_ERROR &&
                got[i] != VERDICT_LIMIT)
                fail_msg("%s: assertion %zu with allocation %ld failing: "
                         "verdict %d, without faults %d", path, i + 1, k,
                         (int)got[i], (int)want[i]);
    }
}

static void test_every_golden_model(void **state)
{
    (void)state;
    static const char *const dirs[] = {"models", "checks", "operators",
                                       "slice"};
    int models = 0;
    for (size_t d = 0; d < sizeof dirs / sizeof *dirs; d++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/tests/golden/%s", LOCKSTEP_SOURCE_DIR,
                 dirs[d]);
        DIR *h = opendir(dir);
        assert_non_null(h);
        struct dirent *e;
        while ((e = readdir(h)) != NULL) {
            size_t len = strlen(e->d_name);
            if (len < 5 || strcmp(e->d_name + len - 4, ".csp"))
                continue;
            char path[2048];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            check_model(path);
            models++;
        }
        closedir(h);
    }
    assert_true(models >= 40);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_golden_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
