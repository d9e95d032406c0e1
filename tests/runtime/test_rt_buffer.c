/* test_rt_buffer.c — lks_buffer, the buffered channel: a producer gets
 * `capacity` messages ahead of a consumer that has not started reading,
 * values come out in order, poison drains the buffer before passing on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_util.h"

enum { MESSAGES = 10, CAPACITY = 3 };

typedef struct World {
    LksRuntime *rt;
    LksChannel *a, *b;
    int got[MESSAGES + 1];
    int ngot;
    char path[256];
} World;

static int producer(LksProc *self, void *arg)
{
    World *w = arg;
    for (int i = 0; i < MESSAGES; i++) {
        int v[2] = {i, 100 + i};
        if (lks_send(self, w->a, v) != LKS_OK)
            return 1;
    }
    lks_poison(self, w->a);
    return 0;
}

static int consumer(LksProc *self, void *arg)
{
    World *w = arg;
    /* the producer fills the buffer and blocks on its 4th message; the
     * buffer blocks offering its head: two processes blocked */
    if (!rt_wait_blocked(w->rt, 2))
        return 1;
    for (;;) {
        int v[2];
        int rc = lks_recv(self, w->b, v);
        if (rc == LKS_EPOISON)
            return 0;
        if (rc != LKS_OK || v[1] != 100 + v[0] || w->ngot == MESSAGES)
            return 2;
        w->got[w->ngot++] = v[0];
    }
}

static void buffer_decouples_and_keeps_order(void **state)
{
    (void)state;
    World w;
    memset(&w, 0, sizeof w);
    rt_temp_path(w.path, sizeof w.path, "buffer");
    LksConfig cfg = lks_config_default();
    cfg.trace_path = w.path;
    w.rt = lks_runtime_new(&cfg);
    lks_channel_declare(w.rt, "a", "{0..99}.{0..199}", 0);
    lks_channel_declare(w.rt, "b", "{0..99}.{0..199}", 0);
    w.a = lks_channel_new(w.rt, "a", 0, NULL);
    w.b = lks_channel_new(w.rt, "b", 0, NULL);
    LksBufferSpec spec = {w.a, w.b, CAPACITY};
    LksProcSpec ps[3] = {{"PRODUCER", producer, &w, -1},
                         {"BUFF", lks_buffer, &spec, -1},
                         {"CONSUMER", consumer, &w, -1}};
    assert_int_equal(lks_par(w.rt, NULL, ps, 3), LKS_OK);
    assert_int_equal(w.ngot, MESSAGES);
    for (int i = 0; i < MESSAGES; i++)
        assert_int_equal(w.got[i], i);
    assert_int_equal(lks_runtime_free(w.rt), LKS_OK);
    TraceLines t = rt_read_lines(w.path);
    unlink(w.path);
    TraceLines e = rt_events(&t);
    assert_int_equal(e.count, 2 * MESSAGES);
    /* three messages went in before any came out */
    assert_string_equal(e.lines[0], "a.0.100");
    assert_string_equal(e.lines[1], "a.1.101");
    assert_string_equal(e.lines[2], "a.2.102");
    assert_string_equal(e.lines[3], "b.0.100");
    /* in the whole trace, b.i never precedes a.i, and never more than
     * CAPACITY are inside */
    int in = 0, out = 0;
    for (int i = 0; i < e.count; i++) {
        char want[32];
        if (e.lines[i][0] == 'a') {
            snprintf(want, sizeof want, "a.%d.%d", in, 100 + in);
            in++;
        } else {
            snprintf(want, sizeof want, "b.%d.%d", out, 100 + out);
            out++;
        }
        assert_string_equal(e.lines[i], want);
        assert_true(out <= in && in - out <= CAPACITY);
    }
    assert_true(rt_has_line(&t, "# poison a by PRODUCER"));
    assert_true(rt_has_line(&t, "# poison b by BUFF"));
    rt_free_lines(&e);
    rt_free_lines(&t);
}

static int bad_buffer(LksProc *self, void *arg)
{
    (void)arg;
    LksBufferSpec none = {NULL, NULL, 0};
    return lks_buffer(self, &none) == LKS_EINVAL ? 0 : 1;
}

static void bad_buffer_spec_is_refused(void **state)
{
    (void)state;
    LksRuntime *rt = lks_runtime_new(NULL);
    LksProcSpec ps[1] = {{"B", bad_buffer, NULL, -1}};
    assert_int_equal(lks_par(rt, NULL, ps, 1), LKS_OK);
    assert_int_equal(lks_runtime_free(rt), LKS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buffer_decouples_and_keeps_order),
        cmocka_unit_test(bad_buffer_spec_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
