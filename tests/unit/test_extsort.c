/* Unit tests of extsort (checker/extsort.h): records put in any order come
 * out sorted by their key, every one of them, with buffers from far
 * smaller than the data (thousands of runs, merged whenever
 * EXTSORT_FANIN of them are there, so the files open stay few) to larger
 * than it (no run at all); the runs' files have no names (the folder
 * stays empty); a folder that is not there is an error with its errno. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "files_in.h"
#include "extsort.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/lockstep-extsort-XXXXXX";

/* Descriptors open in this process. */
static int fds_open(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* n records of 3 words (key words 1 and 2, then a payload word 0 that
 * says which record it was) sorted with a buffer of cap records; the
 * output must be the keys in order, each record once. */
static void sort_records(size_t n, size_t cap, int with_tmp)
{
    RecKey k = {3, 1, 2};
    uint64_t *buf = malloc(cap * 3 * sizeof *buf);
    uint64_t *tmp = with_tmp ? malloc(cap * 3 * sizeof *tmp) : NULL;
    uint8_t *seen = calloc(n + 1, 1);
    assert_true(buf && seen && (tmp || !with_tmp));
    ExtSort s;
    extsort_init(&s, &k, buf, tmp, cap, dir, 4096);
    int fds = fds_open();
    srand((unsigned)(n + cap));
    for (size_t i = 0; i < n; i++) {
        /* few distinct high words: the second word decides often */
        uint64_t rec[3] = {i, (uint64_t)(rand() % 7), (uint64_t)rand()};
        assert_int_equal(extsort_put(&s, rec), 0);
        /* the runs stay below the fan-in: merged as they reach it */
        assert_true(s.nruns < EXTSORT_FANIN);
    }
    if (fds >= 0)
        assert_true(fds_open() - fds < EXTSORT_FANIN);
    assert_int_equal(s.count, n);
    assert_int_equal(extsort_start(&s), 0);
    uint64_t last[3] = {0, 0, 0};
    size_t got = 0;
    for (const uint64_t *r; (r = extsort_next(&s)) != NULL; got++) {
        if (got)
            assert_true(reckey_cmp(&k, last, r) <= 0);
        assert_true(r[0] < n);
        assert_int_equal(seen[r[0]], 0);
        seen[r[0]] = 1;
        memcpy(last, r, sizeof last);
    }
    assert_int_equal(s.err, 0);
    assert_int_equal(got, n);
    extsort_free(&s);
    assert_int_equal(files_in(dir), 0);
    free(buf);
    free(tmp);
    free(seen);
}

/* 100,000 records in buffers of 16: 6,250 runs, merged into one every 64
 * (about a hundred merges). */
static void test_many_runs(void **state)
{
    (void)state;
    sort_records(100000, 16, 0);
}

/* Buffers of 1,000, with and without the second array: 100 runs. */
static void test_some_runs(void **state)
{
    (void)state;
    sort_records(100000, 1000, 0);
    sort_records(100000, 1000, 1);
}

/* Everything in the buffer: no file at all; and nothing put. */
static void test_in_memory(void **state)
{
    (void)state;
    sort_records(5000, 8192, 1);
    sort_records(0, 8, 0);
}

/* A folder that is not there: the first run fails with its errno, and so
 * does everything after. */
static void test_missing_folder(void **state)
{
    (void)state;
    RecKey k = {1, 0, 1};
    uint64_t buf[4];
    ExtSort s;
    extsort_init(&s, &k, buf, NULL, 4, "/nonexistent/lockstep", 4096);
    int rc = 0;
    for (uint64_t i = 0; i < 5 && rc == 0; i++)
        rc = extsort_put(&s, &i);
    assert_int_equal(rc, -1);
    assert_int_equal(s.err, ENOENT);
    assert_int_equal(extsort_start(&s), -1);
    assert_null(extsort_next(&s));
    extsort_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_runs),
        cmocka_unit_test(test_some_runs),
        cmocka_unit_test(test_in_memory),
        cmocka_unit_test(test_missing_folder),
    };
    if (!mkdtemp(dir))
        return 1;
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(dir);
    return failed;
}
