/* test_rt_crash.c — the flush policy under a kill: a child process runs a
 * ping-pong forever with a 5 ms flush interval; once its trace shows a few
 * hundred events the parent kills it with SIGTERM. The trace must hold a
 * gap-free, duplicate-free prefix c.0, c.1, ..., c.k of what happened, end
 * with a complete line, and have no `# end` line (the run never closed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "rt_util.h"

static int ping(LksProc *self, void *arg)
{
    for (int i = 0;; i++)
        if (lks_send(self, arg, &i) != LKS_OK)
            return 1;
}

static int pong(LksProc *self, void *arg)
{
    for (int v;;)
        if (lks_recv(self, arg, &v) != LKS_OK)
            return 1;
}

static void child_runs_forever(const char *path)
{
    alarm(60); /* never outlive a broken parent */
    LksConfig cfg = lks_config_default();
    cfg.trace_path = path;
    cfg.flush_interval_ms = 5;
    LksRuntime *rt = lks_runtime_new(&cfg);
    if (!rt || lks_channel_declare(rt, "c", "{0..999999999}", 0) != LKS_OK)
        _exit(3);
    LksChannel *c = lks_channel_new(rt, "c", 0, NULL);
    LksProcSpec ps[2] = {{"PING", ping, c, 0}, {"PONG", pong, c, 0}};
    lks_par(rt, NULL, ps, 2);
    _exit(4);
}

static int count_events(const char *path)
{
    TraceLines t = rt_read_lines(path);
    TraceLines e = rt_events(&t);
    int n = e.count;
    rt_free_lines(&e);
    rt_free_lines(&t);
    return n;
}

static void killed_run_leaves_a_clean_prefix(void **state)
{
    (void)state;
    char path[256];
    rt_temp_path(path, sizeof path, "crash");
    unlink(path);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0)
        child_runs_forever(path);
    struct timespec pause = {0, 2000000};
    int events = 0;
    for (int i = 0; i < 5000 && events < 300; i++) {
        nanosleep(&pause, NULL);
        events = count_events(path);
    }
    kill(child, SIGTERM);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFSIGNALED(status));
    assert_true(events >= 300);

    /* the file ends with a whole line */
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, -1, SEEK_END);
    assert_int_equal(fgetc(f), '\n');
    fclose(f);

    TraceLines t = rt_read_lines(path);
    assert_string_equal(t.lines[0], "# lockstep trace 1");
    assert_int_equal(rt_count_prefix(&t, "# end"), 0);
    TraceLines e = rt_events(&t);
    assert_true(e.count >= events);
    for (int i = 0; i < e.count; i++) {
        char want[32];
        snprintf(want, sizeof want, "c.%d", i);
        assert_string_equal(e.lines[i], want);
    }
    rt_free_lines(&e);
    rt_free_lines(&t);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(killed_run_leaves_a_clean_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
