/* test_rt_channels.c — declarations, channels, send/receive, processes and
 * the trace file they produce (format version 1, runtime/README.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_util.h"

typedef struct World {
    LksRuntime *rt;
    LksChannel *c, *d;
    int count;
    int got[LKS_MAX_FIELDS];
    int status;
    char path[256];
} World;

static int send_42(LksProc *self, void *arg)
{
    World *w = arg;
    int v = 42;
    return lks_send(self, w->c, &v);
}

static int recv_one(LksProc *self, void *arg)
{
    World *w = arg;
    return lks_recv(self, w->c, w->got);
}

static World *world_new(const char *tag, const LksConfig *cfg)
{
    World *w = calloc(1, sizeof *w);
    w->rt = rt_traced(w->path, sizeof w->path, tag, cfg);
    assert_non_null(w->rt);
    return w;
}

/* Frees the runtime and returns the whole trace. */
static TraceLines world_end(World *w)
{
    int status;
    TraceLines t = rt_finish(w->rt, w->path, &status);
    assert_int_equal(status, LKS_OK);
    free(w);
    return t;
}

static void one_event_makes_a_trace(void **state)
{
    (void)state;
    World *w = world_new("one", NULL);
    assert_int_equal(lks_channel_declare(w->rt, "c", "{0..99}", 0), LKS_OK);
    w->c = lks_channel_new(w->rt, "c", 0, NULL);
    assert_non_null(w->c);
    assert_string_equal(lks_channel_name(w->c), "c");
    assert_int_equal(lks_channel_arity(w->c), 1);
    LksProcSpec ps[2] = {{"SENDER", send_42, w, -1},
                         {"RECEIVER", recv_one, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_OK);
    assert_int_equal(ps[0].result, 0);
    assert_int_equal(ps[1].result, 0);
    assert_int_equal(w->got[0], 42);
    assert_int_equal(lks_event_count(w->rt), 1);
    assert_null(lks_deadlock(w->rt));
    TraceLines t = world_end(w);
    /* header, declaration, two processes, the event, two exits, end */
    assert_int_equal(t.count, 8);
    assert_string_equal(t.lines[0], "# lockstep trace 1");
    assert_string_equal(t.lines[1], "# channel c : {0..99}");
    assert_string_equal(t.lines[2], "# process SENDER");
    assert_string_equal(t.lines[3], "# process RECEIVER");
    assert_string_equal(t.lines[4], "c.42");
    assert_true(rt_has_line(&t, "# exit SENDER 0"));
    assert_true(rt_has_line(&t, "# exit RECEIVER 0"));
    assert_string_equal(t.lines[7], "# end 1 events");
    rt_free_lines(&t);
}

static int send_msg(LksProc *self, void *arg)
{
    World *w = arg;
    int v[2] = {2, 200};
    return lks_send(self, w->c, v);
}

static void fixed_and_symbolic_fields(void **state)
{
    (void)state;
    World *w = world_new("sym", NULL);
    assert_int_equal(lks_channel_declare(w->rt, "msg",
                                         "{req, ack}.{0..3}.{0..255}", 0),
                     LKS_OK);
    assert_int_equal(lks_channel_declare(w->rt, "tick", "", 0), LKS_OK);
    assert_int_equal(lks_symbol(w->rt, "msg", 0, "req"), 0);
    assert_int_equal(lks_symbol(w->rt, "msg", 0, "ack"), 1);
    assert_int_equal(lks_symbol(w->rt, "msg", 0, "nack"), LKS_EINVAL);
    assert_int_equal(lks_symbol(w->rt, "msg", 1, "ack"), LKS_EINVAL);
    assert_int_equal(lks_symbol(w->rt, "nosuch", 0, "ack"), LKS_EINVAL);
    int ack = lks_symbol(w->rt, "msg", 0, "ack");
    w->c = lks_channel_new(w->rt, "msg", 1, &ack);
    assert_string_equal(lks_channel_name(w->c), "msg.ack");
    assert_int_equal(lks_channel_arity(w->c), 2);
    LksChannel *tick = lks_channel_new(w->rt, "tick", 0, NULL);
    assert_int_equal(lks_channel_arity(tick), 0);
    LksProcSpec ps[2] = {{"S", send_msg, w, -1}, {"R", recv_one, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_OK);
    assert_int_equal(w->got[0], 2);
    assert_int_equal(w->got[1], 200);
    TraceLines t = world_end(w);
    assert_true(rt_has_line(&t, "# channel msg : {req, ack}.{0..3}.{0..255}"));
    assert_true(rt_has_line(&t, "# channel tick"));
    TraceLines e = rt_events(&t);
    assert_int_equal(e.count, 1);
    assert_string_equal(e.lines[0], "msg.ack.2.200");
    rt_free_lines(&e);
    rt_free_lines(&t);
}

static void bad_declarations_are_refused(void **state)
{
    (void)state;
    LksRuntime *rt = lks_runtime_new(NULL);
    assert_non_null(rt);
    assert_int_equal(lks_channel_declare(rt, "a", "{0..}", 0), LKS_EINVAL);
    assert_non_null(strstr(lks_runtime_error(rt), "bad type"));
    assert_int_equal(lks_channel_declare(rt, "a", "{1..0}", 0), LKS_EINVAL);
    assert_int_equal(lks_channel_declare(rt, "a", "{0..1}.", 0), LKS_EINVAL);
    assert_int_equal(lks_channel_declare(rt, "a", "0..1", 0), LKS_EINVAL);
    assert_int_equal(lks_channel_declare(rt, "2a", "", 0), LKS_EINVAL);
    assert_int_equal(lks_channel_declare(rt, "a", "{x,y}", 0), LKS_OK);
    assert_int_equal(lks_channel_declare(rt, "a", "", 0), LKS_EINVAL);
    assert_null(lks_channel_new(rt, "nosuch", 0, NULL));
    assert_non_null(strstr(lks_runtime_error(rt), "not declared"));
    assert_null(lks_channel_new(rt, "a", 1, (int[]){2}));
    assert_null(lks_channel_new(rt, "a", 2, (int[]){0, 0}));
    assert_non_null(lks_channel_new(rt, "a", 1, (int[]){1}));
    assert_int_equal(lks_runtime_free(rt), LKS_OK);
}

static int send_300(LksProc *self, void *arg)
{
    World *w = arg;
    int v = 300;
    w->status = lks_send(self, w->c, &v);
    return 0;
}

static void send_out_of_range_is_refused(void **state)
{
    (void)state;
    World *w = world_new("range", NULL);
    lks_channel_declare(w->rt, "c", "{0..255}", 0);
    w->c = lks_channel_new(w->rt, "c", 0, NULL);
    LksProcSpec ps[1] = {{"S", send_300, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 1), LKS_OK);
    assert_int_equal(w->status, LKS_ERANGE);
    assert_non_null(strstr(lks_runtime_error(w->rt), "value 300"));
    TraceLines t = world_end(w);
    TraceLines e = rt_events(&t);
    assert_int_equal(e.count, 0);
    rt_free_lines(&e);
    rt_free_lines(&t);
}

static int send_both(LksProc *self, void *arg)
{
    World *w = arg;
    int v = 1;
    if (lks_send(self, w->d, &v) != LKS_OK)
        return 1;
    v = 2;
    return lks_send(self, w->c, &v);
}

static int recv_both(LksProc *self, void *arg)
{
    World *w = arg;
    int v;
    if (lks_recv(self, w->d, &v) != LKS_OK || v != 1)
        return 1;
    return lks_recv(self, w->c, &v) != LKS_OK || v != 2;
}

static void untraced_channels_are_hidden(void **state)
{
    (void)state;
    World *w = world_new("hidden", NULL);
    lks_channel_declare(w->rt, "c", "{0..3}", 0);
    lks_channel_declare(w->rt, "h", "{0..3}", LKS_UNTRACED);
    w->c = lks_channel_new(w->rt, "c", 0, NULL);
    w->d = lks_channel_new(w->rt, "h", 0, NULL);
    LksProcSpec ps[2] = {{"S", send_both, w, -1}, {"R", recv_both, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_OK);
    assert_int_equal(lks_event_count(w->rt), 2);
    TraceLines t = world_end(w);
    assert_int_equal(rt_count_prefix(&t, "# channel"), 1);
    TraceLines e = rt_events(&t);
    assert_int_equal(e.count, 1);
    assert_string_equal(e.lines[0], "c.2");
    assert_string_equal(t.lines[t.count - 1], "# end 1 events");
    rt_free_lines(&e);
    rt_free_lines(&t);
}

enum { MANY = 2000 };

static int send_many(LksProc *self, void *arg)
{
    World *w = arg;
    for (int i = 0; i < MANY; i++)
        if (lks_send(self, w->c, &i) != LKS_OK)
            return 1;
    return 0;
}

static int recv_many(LksProc *self, void *arg)
{
    World *w = arg;
    for (int i = 0; i < MANY; i++) {
        int v;
        if (lks_recv(self, w->c, &v) != LKS_OK || v != i)
            return 1;
    }
    return 0;
}

/* Tiny buffers force a flush every few events; the file must still hold
 * every event exactly once, in order. */
static void small_buffers_keep_order(void **state)
{
    (void)state;
    LksConfig cfg = lks_config_default();
    cfg.flush_events = 3;
    cfg.flush_interval_ms = 1;
    World *w = world_new("order", &cfg);
    lks_channel_declare(w->rt, "c", "{0..9999}", 0);
    w->c = lks_channel_new(w->rt, "c", 0, NULL);
    LksProcSpec ps[2] = {{"S", send_many, w, -1}, {"R", recv_many, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_OK);
    TraceLines t = world_end(w);
    TraceLines e = rt_events(&t);
    assert_int_equal(e.count, MANY);
    for (int i = 0; i < MANY; i++) {
        char want[32];
        snprintf(want, sizeof want, "c.%d", i);
        assert_string_equal(e.lines[i], want);
    }
    rt_free_lines(&e);
    rt_free_lines(&t);
}

static int send_then_flush(LksProc *self, void *arg)
{
    World *w = arg;
    for (int i = 0; i < 10; i++)
        if (lks_send(self, w->c, &i) != LKS_OK)
            return 1;
    if (lks_flush(lks_proc_runtime(self)) != LKS_OK)
        return 2;
    /* Everything committed so far is now readable, as after a crash. */
    TraceLines t = rt_read_lines(w->path);
    TraceLines e = rt_events(&t);
    w->count = e.count;
    rt_free_lines(&e);
    rt_free_lines(&t);
    return 0;
}

static int recv_ten(LksProc *self, void *arg)
{
    World *w = arg;
    int v;
    for (int i = 0; i < 10; i++)
        if (lks_recv(self, w->c, &v) != LKS_OK)
            return 1;
    return 0;
}

static void flushed_events_are_readable_during_the_run(void **state)
{
    (void)state;
    LksConfig cfg = lks_config_default();
    cfg.flush_interval_ms = 0;
    World *w = world_new("flush", &cfg);
    lks_channel_declare(w->rt, "c", "{0..9}", 0);
    w->c = lks_channel_new(w->rt, "c", 0, NULL);
    LksProcSpec ps[2] = {{"S", send_then_flush, w, -1},
                         {"R", recv_ten, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_OK);
    assert_int_equal(w->count, 10);
    TraceLines t = world_end(w);
    rt_free_lines(&t);
}

static void timestamps_precede_events(void **state)
{
    (void)state;
    LksConfig cfg = lks_config_default();
    cfg.timestamps = 1;
    World *w = world_new("time", &cfg);
    lks_channel_declare(w->rt, "c", "{0..99}", 0);
    w->c = lks_channel_new(w->rt, "c", 0, NULL);
    LksProcSpec ps[2] = {{"S", send_42, w, -1}, {"R", recv_one, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_OK);
    TraceLines t = world_end(w);
    int at = -1;
    for (int i = 0; i < t.count; i++)
        if (strcmp(t.lines[i], "c.42") == 0)
            at = i;
    assert_true(at > 0);
    assert_int_equal(strncmp(t.lines[at - 1], "# at ", 5), 0);
    rt_free_lines(&t);
}

static int fail_3(LksProc *self, void *arg)
{
    (void)self;
    (void)arg;
    return 3;
}

static void failing_process_is_recorded(void **state)
{
    (void)state;
    World *w = world_new("fail", NULL);
    LksProcSpec ps[2] = {{"OK", fail_3, w, -1}, {"BAD", fail_3, w, -1}};
    ps[0].body = (LksBody)NULL;
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_EINVAL);
    ps[0].body = fail_3;
    ps[0].name = "has space";
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_EINVAL);
    ps[0].name = "OK";
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_EPROC);
    assert_int_equal(ps[1].result, 3);
    TraceLines t = world_end(w);
    assert_true(rt_has_line(&t, "# exit BAD 3"));
    rt_free_lines(&t);
}

/* A line longer than the 64 KiB write buffer (a process name of 100,000
 * characters) is written whole, in its place, and the file ends cleanly. */
static void line_longer_than_the_buffer(void **state)
{
    (void)state;
    World *w = world_new("longline", NULL);
    lks_channel_declare(w->rt, "c", "{0..99}", 0);
    w->c = lks_channel_new(w->rt, "c", 0, NULL);
    enum { LEN = 100000 };
    char *name = malloc(LEN + 1), *line = malloc(LEN + 16);
    assert_non_null(name);
    assert_non_null(line);
    memset(name, 'x', LEN);
    name[0] = 'S';
    name[LEN] = '\0';
    LksProcSpec ps[2] = {{name, send_42, w, -1}, {"R", recv_one, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_OK);
    TraceLines t = world_end(w);
    snprintf(line, LEN + 16, "# process %s", name);
    assert_true(rt_has_line(&t, line));
    snprintf(line, LEN + 16, "# exit %s 0", name);
    assert_true(rt_has_line(&t, line));
    assert_true(rt_has_line(&t, "c.42"));
    assert_string_equal(t.lines[t.count - 1], "# end 1 events");
    free(name);
    free(line);
    rt_free_lines(&t);
}

static int nested_parent(LksProc *self, void *arg)
{
    World *w = arg;
    if (strcmp(lks_proc_name(self), "PARENT") != 0)
        return 1;
    LksProcSpec kids[2] = {{"KID.S", send_42, w, -1},
                           {"KID.R", recv_one, w, -1}};
    return lks_par(lks_proc_runtime(self), self, kids, 2);
}

static void nested_par_runs_children(void **state)
{
    (void)state;
    World *w = world_new("nested", NULL);
    lks_channel_declare(w->rt, "c", "{0..99}", 0);
    w->c = lks_channel_new(w->rt, "c", 0, NULL);
    LksProcSpec ps[1] = {{"PARENT", nested_parent, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 1), LKS_OK);
    assert_int_equal(w->got[0], 42);
    TraceLines t = world_end(w);
    assert_true(rt_has_line(&t, "# process KID.S"));
    assert_true(rt_has_line(&t, "# exit PARENT 0"));
    assert_true(rt_has_line(&t, "c.42"));
    rt_free_lines(&t);
}

static void untraced_runtime_writes_nothing(void **state)
{
    (void)state;
    LksRuntime *rt = lks_runtime_new(NULL);
    World w;
    memset(&w, 0, sizeof w);
    w.rt = rt;
    lks_channel_declare(rt, "c", "{0..99}", 0);
    w.c = lks_channel_new(rt, "c", 0, NULL);
    LksProcSpec ps[2] = {{"S", send_42, &w, -1}, {"R", recv_one, &w, -1}};
    assert_int_equal(lks_par(rt, NULL, ps, 2), LKS_OK);
    assert_int_equal(w.got[0], 42);
    assert_int_equal(lks_event_count(rt), 1);
    assert_int_equal(lks_runtime_free(rt), LKS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_event_makes_a_trace),
        cmocka_unit_test(fixed_and_symbolic_fields),
        cmocka_unit_test(bad_declarations_are_refused),
        cmocka_unit_test(send_out_of_range_is_refused),
        cmocka_unit_test(untraced_channels_are_hidden),
        cmocka_unit_test(small_buffers_keep_order),
        cmocka_unit_test(flushed_events_are_readable_during_the_run),
        cmocka_unit_test(timestamps_precede_events),
        cmocka_unit_test(failing_process_is_recorded),
        cmocka_unit_test(nested_par_runs_children),
        cmocka_unit_test(line_longer_than_the_buffer),
        cmocka_unit_test(untraced_runtime_writes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
