/* Unit tests of spill (checker/spill.h): records written through a
 * buffer smaller than the file come back in order, by blocks, and by
 * index; appending after reading goes on at the end; the files have no
 * names (the folder stays empty); a folder that is not there is an
 * error with its errno, as is reading records not written out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "files_in.h"
#include "spill.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/lockstep-spill-XXXXXX";

/* Records of 12 bytes: (i, 3 i + 1, 7 i); a buffer of 4096 bytes holds
 * 341 of them, so 10,000 take many buffers. */
static void put_records(Spill *s, uint32_t from, uint32_t to)
{
    for (uint32_t i = from; i < to; i++) {
        uint32_t r[3] = {i, 3 * i + 1, 7 * i};
        assert_int_equal(spill_put(s, r), 0);
    }
}

static void test_written_then_read(void **state)
{
    (void)state;
    Spill s;
    assert_int_equal(spill_create(&s, dir, 12, 4096), 0);
    put_records(&s, 0, 10000);
    assert_int_equal(spill_flush(&s), 0);
    assert_int_equal(spill_bytes(&s), 120000);
    assert_int_equal(files_in(dir), 0); /* nameless */
    /* in order from record 5,000 */
    assert_int_equal(spill_seek(&s, 5000), 0);
    for (uint32_t i = 5000; i < 10000; i++) {
        const uint32_t *r = spill_next(&s);
        assert_non_null(r);
        assert_int_equal(r[0], i);
        assert_int_equal(r[1], 3 * i + 1);
        assert_int_equal(r[2], 7 * i);
    }
    assert_null(spill_next(&s));
    /* by blocks from the start: every record once, in order */
    assert_int_equal(spill_seek(&s, 0), 0);
    uint32_t want = 0;
    size_t n;
    for (const uint8_t *p; (p = spill_block(&s, &n)) != NULL;) {
        assert_true(n >= 1 && n <= 341);
        for (size_t k = 0; k < n; k++, want++) {
            uint32_t r[3];
            memcpy(r, p + 12 * k, sizeof r);
            assert_int_equal(r[0], want);
        }
    }
    assert_int_equal(want, 10000);
    /* by index, any records */
    uint32_t got[3 * 4];
    int err = 0;
    assert_int_equal(spill_get(&s, 9996, 4, got, &err), 0);
    assert_int_equal(got[0], 9996);
    assert_int_equal(got[11], 7 * 9999);
    assert_int_equal(spill_get(&s, 9998, 4, got, &err), -1);
    assert_int_equal(err, EINVAL); /* past the end */
    /* appending after reading goes on at the end */
    put_records(&s, 10000, 10010);
    assert_int_equal(spill_get(&s, 10000, 1, got, &err), -1); /* buffered */
    assert_int_equal(spill_flush(&s), 0);
    assert_int_equal(spill_get(&s, 10005, 1, got, &err), 0);
    assert_int_equal(got[0], 10005);
    assert_int_equal(s.err, 0);
    spill_close(&s);
    assert_int_equal(files_in(dir), 0);
}

static void test_folder_not_there(void **state)
{
    (void)state;
    Spill s;
    char path[64];
    snprintf(path, sizeof path, "%s/none", dir);
    assert_int_equal(spill_create(&s, path, 8, 4096), -1);
    assert_int_equal(s.err, ENOENT);
    spill_close(&s); /* harmless */
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_written_then_read),
        cmocka_unit_test(test_folder_not_there),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(dir);
    return failed;
}
