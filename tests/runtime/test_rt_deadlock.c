/* test_rt_deadlock.c — run-time deadlock capture: every live process
 * blocked (the run ends, the trace and lks_deadlock() say what each one
 * offered and whom it waits for), STOP, a process left alone after its
 * partner ended, and a partial deadlock found by the wait-for monitor while
 * another process keeps running.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_util.h"

typedef struct World {
    LksRuntime *rt;
    LksChannel *a, *b, *c;
    int status[4];
    char path[256];
} World;

static World *world_new(const char *tag, int partial_ms)
{
    World *w = calloc(1, sizeof *w);
    LksConfig cfg = lks_config_default();
    cfg.partial_deadlock_ms = partial_ms;
    w->rt = rt_traced(w->path, sizeof w->path, tag, &cfg);
    assert_non_null(w->rt);
    lks_channel_declare(w->rt, "a", "{0..9}", 0);
    lks_channel_declare(w->rt, "b", "{0..9}", 0);
    lks_channel_declare(w->rt, "c", "{0..9}.{0..9}", 0);
    w->a = lks_channel_new(w->rt, "a", 0, NULL);
    w->b = lks_channel_new(w->rt, "b", 0, NULL);
    w->c = lks_channel_new(w->rt, "c", 1, (int[]){4});
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

static const LksBlocked *find_blocked(const LksDeadlock *d, const char *name)
{
    for (int i = 0; i < d->nblocked; i++)
        if (strcmp(d->blocked[i].process, name) == 0)
            return &d->blocked[i];
    return NULL;
}

/* P: a!1 then a!2.  Q: a?x then b?y.  After a.1, P offers a.2 and Q waits
 * on b: nobody can move. P waits for Q (Q used a's receiving end). */
static int p_body(LksProc *self, void *arg)
{
    World *w = arg;
    int v = 1;
    if (lks_send(self, w->a, &v) != LKS_OK)
        return 1;
    v = 2;
    w->status[0] = lks_send(self, w->a, &v);
    /* the run has ended: every later operation says so at once */
    w->status[2] = lks_recv(self, w->b, &v);
    return w->status[0];
}

static int q_body(LksProc *self, void *arg)
{
    World *w = arg;
    int v;
    if (lks_recv(self, w->a, &v) != LKS_OK)
        return 1;
    w->status[1] = lks_recv(self, w->b, &v);
    return w->status[1];
}

static void full_deadlock_is_captured(void **state)
{
    (void)state;
    World *w = world_new("dead", 0);
    LksProcSpec ps[2] = {{"P", p_body, w, -1}, {"Q", q_body, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_EDEADLOCK);
    assert_int_equal(w->status[0], LKS_EDEADLOCK);
    assert_int_equal(w->status[1], LKS_EDEADLOCK);
    assert_int_equal(w->status[2], LKS_EDEADLOCK);
    assert_int_equal(ps[0].result, LKS_EDEADLOCK);

    const LksDeadlock *d = lks_deadlock(w->rt);
    assert_non_null(d);
    assert_int_equal(d->partial, 0);
    assert_int_equal(d->after_events, 1);
    assert_int_equal(d->nblocked, 2);
    const LksBlocked *p = find_blocked(d, "P");
    const LksBlocked *q = find_blocked(d, "Q");
    assert_non_null(p);
    assert_non_null(q);
    assert_int_equal(p->noffers, 1);
    assert_string_equal(p->offers[0].channel, "a");
    assert_int_equal(p->offers[0].dir, LKS_DIR_SEND);
    assert_int_equal(p->offers[0].nvalues, 1);
    assert_int_equal(p->offers[0].values[0], 2);
    assert_string_equal(p->offers[0].event, "a.2");
    assert_int_equal(q->noffers, 1);
    assert_int_equal(q->offers[0].dir, LKS_DIR_RECV);
    assert_int_equal(q->offers[0].nvalues, 0);
    assert_string_equal(q->offers[0].event, "b");
    assert_int_equal(p->nwaits_for, 1);
    assert_ptr_equal(&d->blocked[p->waits_for[0]], q);
    assert_int_equal(p->waits_via[0], 0);
    /* nobody ever sent on b, so only a blocked process could: P */
    assert_int_equal(q->nwaits_for, 1);
    assert_ptr_equal(&d->blocked[q->waits_for[0]], p);
    assert_int_equal(q->waits_via[0], 0);

    /* a new run on an ended runtime is refused */
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_EDEADLOCK);

    TraceLines t = world_end(w);
    TraceLines e = rt_events(&t);
    assert_int_equal(e.count, 1);
    assert_string_equal(e.lines[0], "a.1");
    int at = -1;
    for (int i = 0; i < t.count; i++)
        if (strcmp(t.lines[i], "# deadlock") == 0)
            at = i;
    assert_true(at > 0);
    assert_true(rt_has_line(&t, "# blocked P offers {| a.2 |}"));
    assert_true(rt_has_line(&t, "# blocked Q offers {| b |}"));
    assert_true(rt_has_line(&t, "# waits P for Q on a.2"));
    assert_true(rt_has_line(&t, "# waits Q for P on b"));
    /* the record comes after the last event and before the exits */
    assert_string_equal(t.lines[at - 1], "a.1");
    assert_true(rt_has_line(&t, "# exit P -2"));
    rt_free_lines(&e);
    rt_free_lines(&t);
}

/* Named partners complete the wait-for graph: Q, waiting on b, waits for
 * P, which is expected to send on b though it never has. */
static void expected_partners_give_edges(void **state)
{
    (void)state;
    World *w = world_new("expect", 0);
    assert_int_equal(lks_channel_expect(w->b, LKS_DIR_SEND, "P"), LKS_OK);
    assert_int_equal(lks_channel_expect(w->b, LKS_DIR_RECV, "Q"), LKS_OK);
    assert_int_equal(lks_channel_expect(NULL, LKS_DIR_RECV, "Q"), LKS_EINVAL);
    LksProcSpec ps[2] = {{"P", p_body, w, -1}, {"Q", q_body, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_EDEADLOCK);
    const LksDeadlock *d = lks_deadlock(w->rt);
    const LksBlocked *p = find_blocked(d, "P");
    const LksBlocked *q = find_blocked(d, "Q");
    assert_int_equal(p->nwaits_for, 1);
    assert_ptr_equal(&d->blocked[p->waits_for[0]], q);
    assert_int_equal(q->nwaits_for, 1);
    assert_ptr_equal(&d->blocked[q->waits_for[0]], p);
    TraceLines t = world_end(w);
    assert_true(rt_has_line(&t, "# waits Q for P on b"));
    rt_free_lines(&t);
}

/* STOP (an alt with no enabled guard) with a receiver on c.4 beside it. */
static int stop_body(LksProc *self, void *arg)
{
    World *w = arg;
    LksGuard g[1] = {{LKS_GUARD_RECV, 0, w->a, NULL, 0, NULL}};
    return lks_alt_pri(self, g, 1);
}

static int alt_body(LksProc *self, void *arg)
{
    World *w = arg;
    int x, y, z = 3;
    LksGuard g[3] = {{LKS_GUARD_RECV, 1, w->c, &x, 0, NULL},
                     {LKS_GUARD_SEND, 1, w->b, &z, 0, NULL},
                     {LKS_GUARD_RECV, 0, w->a, &y, 0, NULL}};
    return lks_alt_pri(self, g, 3);
}

static void stop_and_alt_offers(void **state)
{
    (void)state;
    World *w = world_new("stop", 0);
    LksProcSpec ps[2] = {{"STOPPER", stop_body, w, -1},
                         {"CHOICE", alt_body, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_EDEADLOCK);
    const LksDeadlock *d = lks_deadlock(w->rt);
    assert_non_null(d);
    assert_int_equal(d->after_events, 0);
    const LksBlocked *s = find_blocked(d, "STOPPER");
    const LksBlocked *c = find_blocked(d, "CHOICE");
    assert_int_equal(s->noffers, 0);
    assert_int_equal(c->noffers, 2); /* the disabled guard is no offer */
    assert_string_equal(c->offers[0].event, "c.4");
    assert_string_equal(c->offers[1].event, "b.3");
    TraceLines t = world_end(w);
    assert_true(rt_has_line(&t, "# blocked STOPPER offers {}"));
    assert_true(rt_has_line(&t, "# blocked CHOICE offers {| c.4, b.3 |}"));
    rt_free_lines(&t);
}

/* The partner ends: the one left waiting is deadlocked. */
static int quitter(LksProc *self, void *arg)
{
    (void)self;
    (void)arg;
    return 0;
}

static int waiter(LksProc *self, void *arg)
{
    World *w = arg;
    int v;
    return lks_recv(self, w->a, &v);
}

static void last_runner_ending_is_deadlock(void **state)
{
    (void)state;
    World *w = world_new("alone", 0);
    LksProcSpec ps[2] = {{"WAITER", waiter, w, -1},
                         {"QUITTER", quitter, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_EDEADLOCK);
    assert_int_equal(ps[1].result, 0);
    const LksDeadlock *d = lks_deadlock(w->rt);
    assert_int_equal(d->nblocked, 1);
    assert_string_equal(d->blocked[0].process, "WAITER");
    TraceLines t = world_end(w);
    assert_true(rt_has_line(&t, "# blocked WAITER offers {| a |}"));
    rt_free_lines(&t);
}

/* Partial: X and Y wait on each other (each used the other end of the
 * channel the other waits on) while Z keeps running on timeouts. */
static int x_body(LksProc *self, void *arg)
{
    World *w = arg;
    int v = 0;
    if (lks_send(self, w->b, &v) != LKS_OK ||
        lks_recv(self, w->a, &v) != LKS_OK)
        return 1;
    return lks_recv(self, w->a, &v);
}

static int y_body(LksProc *self, void *arg)
{
    World *w = arg;
    int v = 0;
    if (lks_recv(self, w->b, &v) != LKS_OK ||
        lks_send(self, w->a, &v) != LKS_OK)
        return 1;
    return lks_recv(self, w->b, &v);
}

static int z_body(LksProc *self, void *arg)
{
    World *w = arg;
    LksGuard g[1] = {{LKS_GUARD_TIMEOUT, 1, NULL, NULL, 5, NULL}};
    for (int i = 0; i < 2000; i++) {
        int r = lks_alt_pri(self, g, 1);
        if (r != 0) {
            w->status[3] = r;
            return 0;
        }
    }
    return 1; /* ~10 s without the monitor noticing: fail */
}

static void partial_deadlock_is_found(void **state)
{
    (void)state;
    World *w = world_new("partial", 40);
    LksProcSpec ps[3] = {{"X", x_body, w, -1},
                         {"Y", y_body, w, -1},
                         {"Z", z_body, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 3), LKS_EDEADLOCK);
    assert_int_equal(ps[0].result, LKS_EDEADLOCK);
    assert_int_equal(ps[1].result, LKS_EDEADLOCK);
    assert_int_equal(ps[2].result, 0);
    assert_int_equal(w->status[3], LKS_EDEADLOCK);
    const LksDeadlock *d = lks_deadlock(w->rt);
    assert_non_null(d);
    assert_int_equal(d->partial, 1);
    assert_int_equal(d->nblocked, 2);
    const LksBlocked *x = find_blocked(d, "X");
    const LksBlocked *y = find_blocked(d, "Y");
    assert_non_null(x);
    assert_non_null(y);
    assert_int_equal(x->nwaits_for, 1);
    assert_ptr_equal(&d->blocked[x->waits_for[0]], y);
    assert_int_equal(y->nwaits_for, 1);
    assert_ptr_equal(&d->blocked[y->waits_for[0]], x);
    TraceLines t = world_end(w);
    assert_true(rt_has_line(&t, "# deadlock partial"));
    assert_true(rt_has_line(&t, "# waits X for Y on a"));
    assert_true(rt_has_line(&t, "# waits Y for X on b"));
    rt_free_lines(&t);
}

/* A running process that may still use the channel keeps a lone waiter
 * from being called deadlocked. */
static int late_sender(LksProc *self, void *arg)
{
    World *w = arg;
    LksGuard g[1] = {{LKS_GUARD_TIMEOUT, 1, NULL, NULL, 150, NULL}};
    if (lks_alt_pri(self, g, 1) != 0)
        return 1;
    int v = 5;
    return lks_send(self, w->a, &v);
}

static void no_partial_alarm_for_unused_channels(void **state)
{
    (void)state;
    World *w = world_new("nopartial", 20);
    LksProcSpec ps[2] = {{"WAITER", waiter, w, -1},
                         {"LATE", late_sender, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_OK);
    assert_null(lks_deadlock(w->rt));
    TraceLines t = world_end(w);
    assert_true(rt_has_line(&t, "a.5"));
    rt_free_lines(&t);
}

/* A parent waiting in lks_par is not live: its two children blocked on
 * each other's silence, with the parent's sibling blocked too, is a
 * deadlock of the whole run. */
static int kid_a(LksProc *self, void *arg)
{
    World *w = arg;
    int v;
    return lks_recv(self, w->a, &v);
}

static int kid_b(LksProc *self, void *arg)
{
    World *w = arg;
    int v;
    return lks_recv(self, w->b, &v);
}

static int parent_body(LksProc *self, void *arg)
{
    World *w = arg;
    LksProcSpec kids[2] = {{"KID.A", kid_a, w, -1}, {"KID.B", kid_b, w, -1}};
    w->status[0] = lks_par(lks_proc_runtime(self), self, kids, 2);
    return 0;
}

static int sibling_body(LksProc *self, void *arg)
{
    World *w = arg;
    int v;
    return lks_recv(self, w->c, &v);
}

static void nested_par_deadlock(void **state)
{
    (void)state;
    World *w = world_new("nesteddead", 0);
    LksProcSpec ps[2] = {{"PARENT", parent_body, w, -1},
                         {"SIBLING", sibling_body, w, -1}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_EDEADLOCK);
    assert_int_equal(w->status[0], LKS_EDEADLOCK);
    const LksDeadlock *d = lks_deadlock(w->rt);
    assert_int_equal(d->nblocked, 3);
    assert_non_null(find_blocked(d, "KID.A"));
    assert_non_null(find_blocked(d, "KID.B"));
    assert_non_null(find_blocked(d, "SIBLING"));
    assert_null(find_blocked(d, "PARENT"));
    TraceLines t = world_end(w);
    assert_true(rt_has_line(&t, "# blocked SIBLING offers {| c.4 |}"));
    rt_free_lines(&t);
}

/* The case that once drew one arrow, labelled data.1, and no cycle: a
 * producer that waits for an extra ack.1 and a consumer that waits for a
 * done.1 nobody ever sent, no lks_channel_expect. Both edges, each on the
 * channel its process waits on, and the cycle between them. */
typedef struct Pc {
    LksRuntime *rt;
    LksChannel *data, *ack, *done;
    char path[256];
} Pc;

static int producer_body(LksProc *self, void *arg)
{
    Pc *pc = arg;
    for (int i = 0; i < 3; i++)
        if (lks_send(self, pc->data, &i) != LKS_OK ||
            lks_recv(self, pc->ack, NULL) != LKS_OK)
            return 1;
    return lks_recv(self, pc->ack, NULL) == LKS_EDEADLOCK ? 0 : 1;
}

static int consumer_body(LksProc *self, void *arg)
{
    Pc *pc = arg;
    int v;
    for (int i = 0; i < 3; i++)
        if (lks_recv(self, pc->data, &v) != LKS_OK || v != i ||
            lks_send(self, pc->ack, NULL) != LKS_OK)
            return 1;
    return lks_recv(self, pc->done, NULL) == LKS_EDEADLOCK ? 0 : 1;
}

static void unhinted_cycle_is_complete(void **state)
{
    (void)state;
    Pc pc;
    pc.rt = rt_traced(pc.path, sizeof pc.path, "unhinted", NULL);
    assert_non_null(pc.rt);
    lks_channel_declare(pc.rt, "data", "{1..2}.{0..9}", 0);
    lks_channel_declare(pc.rt, "ack", "{1..2}", 0);
    lks_channel_declare(pc.rt, "done", "{1..2}", 0);
    pc.data = lks_channel_new(pc.rt, "data", 1, (int[]){1});
    pc.ack = lks_channel_new(pc.rt, "ack", 1, (int[]){1});
    pc.done = lks_channel_new(pc.rt, "done", 1, (int[]){1});
    LksProcSpec ps[2] = {{"PRODUCER", producer_body, &pc, -1},
                         {"CONSUMER", consumer_body, &pc, -1}};
    assert_int_equal(lks_par(pc.rt, NULL, ps, 2), LKS_EDEADLOCK);
    assert_int_equal(ps[0].result, 0);
    assert_int_equal(ps[1].result, 0);
    const LksDeadlock *d = lks_deadlock(pc.rt);
    assert_non_null(d);
    const LksBlocked *p = find_blocked(d, "PRODUCER");
    const LksBlocked *c = find_blocked(d, "CONSUMER");
    assert_non_null(p);
    assert_non_null(c);
    assert_int_equal(p->nwaits_for, 1);
    assert_ptr_equal(&d->blocked[p->waits_for[0]], c);
    assert_string_equal(p->offers[p->waits_via[0]].event, "ack.1");
    assert_int_equal(c->nwaits_for, 1);
    assert_ptr_equal(&d->blocked[c->waits_for[0]], p);
    assert_string_equal(c->offers[c->waits_via[0]].event, "done.1");
    int status;
    TraceLines t = rt_finish(pc.rt, pc.path, &status);
    assert_int_equal(status, LKS_OK);
    assert_true(rt_has_line(&t, "# waits PRODUCER for CONSUMER on ack.1"));
    assert_true(rt_has_line(&t, "# waits CONSUMER for PRODUCER on done.1"));
    rt_free_lines(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_deadlock_is_captured),
        cmocka_unit_test(unhinted_cycle_is_complete),
        cmocka_unit_test(expected_partners_give_edges),
        cmocka_unit_test(stop_and_alt_offers),
        cmocka_unit_test(last_runner_ending_is_deadlock),
        cmocka_unit_test(nested_par_deadlock),
        cmocka_unit_test(partial_deadlock_is_found),
        cmocka_unit_test(no_partial_alarm_for_unused_channels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
