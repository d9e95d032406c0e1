/* test_rt_random.c — randomised alts against the trace. Six processes each
 * make 300 alts over random send and receive guards on four channels (some
 * disabled by preconditions, some with SKIP or a short timeout), so both
 * sides of a rendezvous are often alts offering inputs and outputs at once.
 * Every value sent is unique (sender, step). Whatever happens (the run may
 * end in a deadlock once processes finish), the trace must agree with the
 * processes' own logs: each event sent once and received once, on the
 * channel it was sent on, and each process's communications appear in the
 * trace in the order it performed them. Fixed seeds: reproducible choices,
 * though the interleaving is the scheduler's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_util.h"

enum { PROCS = 6, STEPS = 300, CHANS = 4, GUARDS = 4 };

typedef struct Entry {
    int chan, value, sent;
} Entry;

typedef struct Actor {
    struct World *world;
    int id;
    unsigned seed;
    Entry log[STEPS];
    int nlog;
} Actor;

typedef struct World {
    LksRuntime *rt;
    LksChannel *c[CHANS];
    Actor actors[PROCS];
    char path[256];
} World;

static unsigned next_rand(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

static int actor(LksProc *self, void *arg)
{
    Actor *a = arg;
    int values[GUARDS];
    int chans[GUARDS];
    for (int step = 0; step < STEPS; step++) {
        LksGuard g[GUARDS + 1];
        for (int k = 0; k < GUARDS; k++) {
            chans[k] = (int)(next_rand(&a->seed) % CHANS);
            int send = next_rand(&a->seed) % 2;
            values[k] = a->id * STEPS + step;
            g[k] = (LksGuard){send ? LKS_GUARD_SEND : LKS_GUARD_RECV,
                              next_rand(&a->seed) % 4 != 0,
                              a->world->c[chans[k]], &values[k], 0, NULL};
        }
        int extra = (int)(next_rand(&a->seed) % 3);
        int n = GUARDS;
        if (extra == 0)
            g[n++] = (LksGuard){LKS_GUARD_SKIP, 1, NULL, NULL, 0, NULL};
        else if (extra == 1)
            g[n++] = (LksGuard){LKS_GUARD_TIMEOUT, 1, NULL, NULL, 1, NULL};
        int fair = step;
        int k = next_rand(&a->seed) % 2 ? lks_alt_pri(self, g, n)
                                        : lks_alt_fair(self, g, n, &fair);
        if (k == LKS_EDEADLOCK)
            return 0;
        if (k < 0)
            return 1;
        if (k < GUARDS)
            a->log[a->nlog++] = (Entry){chans[k], values[k],
                                        g[k].kind == LKS_GUARD_SEND};
    }
    return 0;
}

/* Where the event (chan, value) is in the trace, or -1. */
static int position(const int *ev_chan, const int *ev_value, int n, int chan,
                    int value)
{
    for (int i = 0; i < n; i++)
        if (ev_chan[i] == chan && ev_value[i] == value)
            return i;
    return -1;
}

static void run_seed(unsigned seed)
{
    World *w = calloc(1, sizeof *w);
    rt_temp_path(w->path, sizeof w->path, "random");
    LksConfig cfg = lks_config_default();
    cfg.trace_path = w->path;
    cfg.flush_events = 7;
    w->rt = lks_runtime_new(&cfg);
    char type[32];
    snprintf(type, sizeof type, "{0..%d}.{0..%d}", CHANS - 1,
             PROCS * STEPS - 1);
    assert_int_equal(lks_channel_declare(w->rt, "c", type, 0), LKS_OK);
    for (int k = 0; k < CHANS; k++)
        w->c[k] = lks_channel_new(w->rt, "c", 1, &k);
    LksProcSpec ps[PROCS];
    char names[PROCS][16];
    for (int p = 0; p < PROCS; p++) {
        w->actors[p] = (Actor){w, p, seed * 7919u + (unsigned)p, {{0}}, 0};
        snprintf(names[p], sizeof names[p], "ACTOR.%d", p);
        ps[p] = (LksProcSpec){names[p], actor, &w->actors[p], -1};
    }
    int rc = lks_par(w->rt, NULL, ps, PROCS);
    assert_true(rc == LKS_OK || rc == LKS_EDEADLOCK);
    assert_int_equal(lks_runtime_free(w->rt), LKS_OK);

    TraceLines t = rt_read_lines(w->path);
    unlink(w->path);
    TraceLines e = rt_events(&t);
    int *ev_chan = calloc((size_t)e.count + 1, sizeof *ev_chan);
    int *ev_value = calloc((size_t)e.count + 1, sizeof *ev_value);
    for (int i = 0; i < e.count; i++)
        assert_int_equal(sscanf(e.lines[i], "c.%d.%d", &ev_chan[i],
                                &ev_value[i]), 2);
    int sends = 0, recvs = 0;
    for (int p = 0; p < PROCS; p++) {
        int last = -1;
        for (int j = 0; j < w->actors[p].nlog; j++) {
            const Entry *en = &w->actors[p].log[j];
            int at = position(ev_chan, ev_value, e.count, en->chan, en->value);
            assert_true(at > last); /* present, and in program order */
            last = at;
            sends += en->sent;
            recvs += !en->sent;
        }
    }
    /* every event was logged by exactly one sender and one receiver; the
     * values are unique, so the counts settle it */
    assert_int_equal(sends, e.count);
    assert_int_equal(recvs, e.count);
    free(ev_chan);
    free(ev_value);
    rt_free_lines(&e);
    rt_free_lines(&t);
    free(w);
}

static void random_alts_agree_with_the_trace(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 6; seed++)
        run_seed(seed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_alts_agree_with_the_trace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
