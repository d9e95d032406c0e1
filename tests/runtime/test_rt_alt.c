/* test_rt_alt.c — choice and poison: priority and fair alts, preconditions,
 * SKIP and timeout guards, output guards, poison of a blocked party, of an
 * alt, idempotence. Where a test needs partners already waiting it polls
 * lks_blocked_count (rt_wait_blocked), so outcomes are deterministic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_util.h"

typedef struct World {
    LksRuntime *rt;
    LksChannel *a, *b;
    int picks[64];
    int npicks;
    int status;
    int value;
    LksChannel *poisoned;
    char path[256];
} World;

static World *world_new(const char *tag)
{
    World *w = calloc(1, sizeof *w);
    w->rt = rt_traced(w->path, sizeof w->path, tag, NULL);
    assert_non_null(w->rt);
    lks_channel_declare(w->rt, "a", "{0..1000}", 0);
    lks_channel_declare(w->rt, "b", "{0..1000}", 0);
    w->a = lks_channel_new(w->rt, "a", 0, NULL);
    w->b = lks_channel_new(w->rt, "b", 0, NULL);
    return w;
}

static TraceLines world_end(World *w)
{
    int status;
    TraceLines t = rt_finish(w->rt, w->path, &status);
    assert_int_equal(status, LKS_OK);
    free(w);
    return t;
}

/* Sends 1, 2, 3... on its channel until poisoned. */
static int send_a_forever(LksProc *self, void *arg)
{
    World *w = arg;
    for (int v = 1;; v++)
        if (lks_send(self, w->a, &v) != LKS_OK)
            return 0;
}

static int send_b_forever(LksProc *self, void *arg)
{
    World *w = arg;
    for (int v = 1;; v++)
        if (lks_send(self, w->b, &v) != LKS_OK)
            return 0;
}

/* With both senders waiting, a priority alt always takes a, a fair one
 * alternates; a disabled guard is never taken. */
static int chooser(LksProc *self, void *arg)
{
    World *w = arg;
    int va, vb, fair = 0;
    LksGuard g[2] = {{LKS_GUARD_RECV, 1, w->a, &va, 0, NULL},
                     {LKS_GUARD_RECV, 1, w->b, &vb, 0, NULL}};
    for (int i = 0; i < 30; i++) {
        if (!rt_wait_blocked(w->rt, 2))
            return 1;
        if (i < 10) {
            w->picks[w->npicks++] = lks_alt_pri(self, g, 2);
        } else if (i < 20) {
            w->picks[w->npicks++] = lks_alt_fair(self, g, 2, &fair);
        } else {
            g[0].enabled = 0;
            w->picks[w->npicks++] = lks_alt_pri(self, g, 2);
        }
    }
    lks_poison(self, w->a);
    lks_poison(self, w->b);
    return 0;
}

static void priority_fairness_and_preconditions(void **state)
{
    (void)state;
    World *w = world_new("choose");
    LksProcSpec ps[3] = {{"A", send_a_forever, w, -1},
                         {"B", send_b_forever, w, -1},
                         {"CHOOSER", chooser, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 3), LKS_OK);
    assert_int_equal(w->npicks, 30);
    for (int i = 0; i < 10; i++)
        assert_int_equal(w->picks[i], 0);
    for (int i = 10; i < 20; i++)
        assert_int_equal(w->picks[i], (i - 10) % 2);
    for (int i = 20; i < 30; i++)
        assert_int_equal(w->picks[i], 1);
    TraceLines t = world_end(w);
    TraceLines e = rt_events(&t);
    /* 10 + 5 from a, 5 + 10 from b, each sender's values in order */
    int na = 0, nb = 0;
    for (int i = 0; i < e.count; i++) {
        char want[32];
        if (e.lines[i][0] == 'a')
            snprintf(want, sizeof want, "a.%d", ++na);
        else
            snprintf(want, sizeof want, "b.%d", ++nb);
        assert_string_equal(e.lines[i], want);
    }
    assert_int_equal(na, 15);
    assert_int_equal(nb, 15);
    assert_int_equal(rt_count_prefix(&t, "# poison "), 2);
    rt_free_lines(&e);
    rt_free_lines(&t);
}

/* Nothing ready: SKIP is taken; a timeout fires; a waiting partner beats
 * both. */
static int skip_and_timeout(LksProc *self, void *arg)
{
    World *w = arg;
    int v;
    LksGuard g[2] = {{LKS_GUARD_RECV, 1, w->a, &v, 0, NULL},
                     {LKS_GUARD_SKIP, 1, NULL, NULL, 0, NULL}};
    w->picks[w->npicks++] = lks_alt_pri(self, g, 2);          /* 1: skip */
    g[1].kind = LKS_GUARD_TIMEOUT;
    g[1].timeout_ms = 20;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    w->picks[w->npicks++] = lks_alt_pri(self, g, 2);          /* 1: timeout */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long waited_ms = (t1.tv_sec - t0.tv_sec) * 1000 +
                     (t1.tv_nsec - t0.tv_nsec) / 1000000;
    w->status = waited_ms >= 19; /* a timeout never fires early */
    g[1].timeout_ms = 0;
    w->picks[w->npicks++] = lks_alt_pri(self, g, 2);          /* 1: at once */
    /* now let a partner wait, then choose with a long timeout */
    int go = 0;
    if (lks_send(self, w->b, &go) != LKS_OK)
        return 1;
    if (!rt_wait_blocked(w->rt, 1))
        return 1;
    g[1].timeout_ms = 100000;
    w->picks[w->npicks++] = lks_alt_pri(self, g, 2);          /* 0: a */
    w->value = v;
    return 0;
}

static int send_a_on_cue(LksProc *self, void *arg)
{
    World *w = arg;
    int v = 7;
    if (lks_recv(self, w->b, &v) != LKS_OK)
        return 1;
    v = 7;
    return lks_send(self, w->a, &v);
}

static void skip_and_timeout_guards(void **state)
{
    (void)state;
    World *w = world_new("timeout");
    LksProcSpec ps[2] = {{"CHOOSER", skip_and_timeout, w, -1},
                         {"CUE", send_a_on_cue, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_OK);
    assert_int_equal(w->npicks, 4);
    assert_int_equal(w->picks[0], 1);
    assert_int_equal(w->picks[1], 1);
    assert_true(w->status);
    assert_int_equal(w->picks[2], 1);
    assert_int_equal(w->picks[3], 0);
    assert_int_equal(w->value, 7);
    TraceLines t = world_end(w);
    TraceLines e = rt_events(&t);
    assert_int_equal(e.count, 2);
    assert_string_equal(e.lines[0], "b.0");
    assert_string_equal(e.lines[1], "a.7");
    rt_free_lines(&e);
    rt_free_lines(&t);
}

/* A process alone with a timeout is not deadlocked. */
static int lonely_timeout(LksProc *self, void *arg)
{
    World *w = arg;
    int v;
    LksGuard g[2] = {{LKS_GUARD_RECV, 1, w->a, &v, 0, NULL},
                     {LKS_GUARD_TIMEOUT, 1, NULL, NULL, 30, NULL}};
    w->status = lks_alt_pri(self, g, 2);
    return 0;
}

static void waiting_with_a_timeout_is_not_deadlock(void **state)
{
    (void)state;
    World *w = world_new("lonely");
    LksProcSpec ps[1] = {{"ALONE", lonely_timeout, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 1), LKS_OK);
    assert_int_equal(w->status, 1);
    assert_null(lks_deadlock(w->rt));
    TraceLines t = world_end(w);
    rt_free_lines(&t);
}

/* Output guards: an alt offering to send on a and to receive on b. */
static int send_or_recv(LksProc *self, void *arg)
{
    World *w = arg;
    int out = 5, in = -1;
    LksGuard g[2] = {{LKS_GUARD_SEND, 1, w->a, &out, 0, NULL},
                     {LKS_GUARD_RECV, 1, w->b, &in, 0, NULL}};
    w->picks[w->npicks++] = lks_alt_pri(self, g, 2);
    w->picks[w->npicks++] = lks_alt_pri(self, g, 2);
    w->value = in;
    return 0;
}

static int take_a_then_give_b(LksProc *self, void *arg)
{
    World *w = arg;
    int v;
    if (lks_recv(self, w->a, &v) != LKS_OK || v != 5)
        return 1;
    /* a's sender is gone; the alt now blocks until b delivers */
    LksGuard g[1] = {{LKS_GUARD_SEND, 1, w->b, &v, 0, NULL}};
    v = 9;
    return lks_alt_pri(self, g, 1) != 0;
}

static void output_guards(void **state)
{
    (void)state;
    World *w = world_new("output");
    LksProcSpec ps[2] = {{"ALT", send_or_recv, w, -1},
                         {"PEER", take_a_then_give_b, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_OK);
    assert_int_equal(w->picks[0], 0);
    assert_int_equal(w->picks[1], 1);
    assert_int_equal(w->value, 9);
    TraceLines t = world_end(w);
    TraceLines e = rt_events(&t);
    assert_int_equal(e.count, 2);
    assert_string_equal(e.lines[0], "a.5");
    assert_string_equal(e.lines[1], "b.9");
    rt_free_lines(&e);
    rt_free_lines(&t);
}

/* Poison during an alt: the alt blocked on a and b wakes with LKS_EPOISON
 * naming b, and its offer on a is withdrawn. */
static int alt_until_poisoned(LksProc *self, void *arg)
{
    World *w = arg;
    int va, vb;
    LksGuard g[2] = {{LKS_GUARD_RECV, 1, w->a, &va, 0, NULL},
                     {LKS_GUARD_RECV, 1, w->b, &vb, 0, NULL}};
    w->status = lks_alt_pri(self, g, 2);
    w->poisoned = lks_poisoned_channel(self);
    /* later operations on b fail at once, a still works */
    w->picks[w->npicks++] = lks_recv(self, w->b, &vb);
    w->picks[w->npicks++] = lks_recv(self, w->a, &va);
    w->value = va;
    return 0;
}

static int poisoner(LksProc *self, void *arg)
{
    World *w = arg;
    if (!rt_wait_blocked(w->rt, 1))
        return 1;
    lks_poison(self, w->b);
    lks_poison(self, w->b); /* idempotent */
    /* The alt's offer on a must be gone: with nobody waiting, this send
     * waits until the poisoned process's lks_recv(a) takes it. */
    int v = 3;
    LksGuard g[2] = {{LKS_GUARD_SEND, 1, w->a, &v, 0, NULL},
                     {LKS_GUARD_TIMEOUT, 1, NULL, NULL, 100000, NULL}};
    return lks_alt_pri(self, g, 2) != 0;
}

static void poison_during_an_alt(void **state)
{
    (void)state;
    World *w = world_new("poison");
    LksChannel *b = w->b;
    LksProcSpec ps[2] = {{"ALT", alt_until_poisoned, w, -1},
                         {"POISONER", poisoner, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_OK);
    assert_int_equal(w->status, LKS_EPOISON);
    assert_ptr_equal(w->poisoned, b);
    assert_string_equal(lks_channel_name(w->poisoned), "b");
    assert_int_equal(w->picks[0], LKS_EPOISON);
    assert_int_equal(w->picks[1], LKS_OK);
    assert_int_equal(w->value, 3);
    TraceLines t = world_end(w);
    assert_int_equal(rt_count_prefix(&t, "# poison b by POISONER"), 1);
    TraceLines e = rt_events(&t);
    assert_int_equal(e.count, 1);
    assert_string_equal(e.lines[0], "a.3");
    rt_free_lines(&e);
    rt_free_lines(&t);
}

/* Poison wakes blocked senders and receivers alike. */
static int blocked_sender(LksProc *self, void *arg)
{
    World *w = arg;
    int v = 1;
    return lks_send(self, w->a, &v) == LKS_EPOISON ? 0 : 1;
}

static int blocked_receiver(LksProc *self, void *arg)
{
    World *w = arg;
    int v;
    return lks_recv(self, w->b, &v) == LKS_EPOISON ? 0 : 1;
}

static int poison_both(LksProc *self, void *arg)
{
    World *w = arg;
    if (!rt_wait_blocked(w->rt, 2))
        return 1;
    lks_poison(self, w->a);
    lks_poison(self, w->b);
    return 0;
}

static void poison_wakes_every_blocked_party(void **state)
{
    (void)state;
    World *w = world_new("poison2");
    LksProcSpec ps[3] = {{"S", blocked_sender, w, -1},
                         {"R", blocked_receiver, w, -1},
                         {"P", poison_both, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 3), LKS_OK);
    assert_null(lks_deadlock(w->rt));
    TraceLines t = world_end(w);
    assert_true(rt_has_line(&t, "# poison a by P"));
    assert_true(rt_has_line(&t, "# poison b by P"));
    rt_free_lines(&t);
}

static void bad_alts_are_refused(void **state)
{
    (void)state;
    World *w = world_new("badalt");
    assert_int_equal(lks_alt_pri(NULL, NULL, 0), LKS_EINVAL);
    assert_int_equal(lks_alt_fair(NULL, NULL, 1, NULL), LKS_EINVAL);
    TraceLines t = world_end(w);
    rt_free_lines(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(priority_fairness_and_preconditions),
        cmocka_unit_test(skip_and_timeout_guards),
        cmocka_unit_test(waiting_with_a_timeout_is_not_deadlock),
        cmocka_unit_test(output_guards),
        cmocka_unit_test(poison_during_an_alt),
        cmocka_unit_test(poison_wakes_every_blocked_party),
        cmocka_unit_test(bad_alts_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
