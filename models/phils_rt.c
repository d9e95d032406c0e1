/* phils_rt.c — the dining philosophers on the lockstep runtime, next to
 * their model models/phils_rt.csp.
 *
 *   phils_rt TRACE [ROUNDS]          every philosopher takes the left fork,
 *                                    then the right: deadlocks (TABLE)
 *   phils_rt --butler TRACE [ROUNDS] a butler seats at most N-1 of them:
 *                                    never deadlocks (POLITE)
 *   phils_rt --free TRACE [ROUNDS]   no barrier: deadlocks once in a while;
 *                                    with LOCKSTEP_REPLAY=cex.json (TABLE's
 *                                    counterexample) on every run
 *
 * Each philosopher i and fork f is a process; every pick-up and put-down is
 * a rendezvous of one philosopher and one fork: the events picks.i.f and
 * putsdown.i.f of the model. In the naive version the philosophers meet at
 * a pthread barrier (not a channel, invisible in the trace) after taking
 * their left forks in the first round, so the deadlock the model predicts
 * happens on every run instead of once in a while. When every philosopher
 * has eaten ROUNDS times (default 3), the last one poisons the forks' and
 * butler's channels so they end too.
 *
 * Exit status: 0 the run completed, 1 it deadlocked (the trace ends with the
 * runtime's deadlock record), 2 an error.
 *   lockstep trace models/phils_rt.csp TABLE phils.trace
 */
#include "lockstep.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N = 5 };

typedef struct Table {
    LksChannel *picks[N][N], *putsdown[N][N]; /* [philosopher][fork] */
    LksChannel *sits, *rises;
    int butler, rounds;
    int free;           /* no barrier: whether they deadlock is timing */
    pthread_barrier_t all_hold_left;
    atomic_int eating_left;
} Table;

typedef struct Seat {
    Table *table;
    int id;
} Seat;

static int right(int i) { return (i + 1) % N; }
static int owner(int f) { return (f + N - 1) % N; }

static void poison_all(LksProc *self, Table *t)
{
    for (int f = 0; f < N; f++) {
        lks_poison(self, t->picks[f][f]);
        lks_poison(self, t->picks[owner(f)][f]);
        lks_poison(self, t->putsdown[f][f]);
        lks_poison(self, t->putsdown[owner(f)][f]);
    }
    if (t->butler) {
        lks_poison(self, t->sits);
        lks_poison(self, t->rises);
    }
}

/* PHIL(i) = picks.i.i -> picks.i.right(i) -> putsdown.i.right(i)
 *           -> putsdown.i.i -> PHIL(i)      (SEATED: sits.i ... rises.i) */
static int philosopher(LksProc *self, void *arg)
{
    Seat *seat = arg;
    Table *t = seat->table;
    int i = seat->id, r = right(i), rc = LKS_OK;
    for (int round = 0; round < t->rounds && rc == LKS_OK; round++) {
        if (t->butler)
            rc = lks_send(self, t->sits, &i);
        if (rc == LKS_OK)
            rc = lks_send(self, t->picks[i][i], NULL);
        if (rc == LKS_OK && !t->butler && !t->free && round == 0)
            pthread_barrier_wait(&t->all_hold_left);
        if (rc == LKS_OK)
            rc = lks_send(self, t->picks[i][r], NULL);
        if (rc == LKS_OK)
            rc = lks_send(self, t->putsdown[i][r], NULL);
        if (rc == LKS_OK)
            rc = lks_send(self, t->putsdown[i][i], NULL);
        if (rc == LKS_OK && t->butler)
            rc = lks_send(self, t->rises, &i);
    }
    if (rc == LKS_OK && atomic_fetch_sub(&t->eating_left, 1) == 1)
        poison_all(self, t);
    return rc;
}

/* FORK(f) = picks.f.f -> putsdown.f.f -> FORK(f)
 *        [] picks.owner(f).f -> putsdown.owner(f).f -> FORK(f) */
static int fork_process(LksProc *self, void *arg)
{
    Seat *seat = arg;
    Table *t = seat->table;
    int f = seat->id, o = owner(f), fair = 0;
    for (;;) {
        LksGuard g[2] = {{LKS_GUARD_RECV, 1, t->picks[f][f], NULL, 0, NULL},
                         {LKS_GUARD_RECV, 1, t->picks[o][f], NULL, 0, NULL}};
        int k = lks_alt_fair(self, g, 2, &fair);
        if (k < 0)
            return k == LKS_EPOISON ? 0 : k;
        int holder = k == 0 ? f : o;
        int rc = lks_recv(self, t->putsdown[holder][f], NULL);
        if (rc != LKS_OK)
            return rc == LKS_EPOISON ? 0 : rc;
    }
}

/* BUTLER(n) = n < N-1 & sits?i -> BUTLER(n+1) [] n > 0 & rises?i -> BUTLER(n-1) */
static int butler(LksProc *self, void *arg)
{
    Table *t = arg;
    int n = 0, who;
    for (;;) {
        LksGuard g[2] = {{LKS_GUARD_RECV, n < N - 1, t->sits, &who, 0, NULL},
                         {LKS_GUARD_RECV, n > 0, t->rises, &who, 0, NULL}};
        int k = lks_alt_pri(self, g, 2);
        if (k < 0)
            return k == LKS_EPOISON ? 0 : k;
        n += k == 0 ? 1 : -1;
    }
}

static int expect(LksChannel *ch, int phil, int fork)
{
    char name[16];
    snprintf(name, sizeof name, "PHIL.%d", phil);
    if (lks_channel_expect(ch, LKS_DIR_SEND, name) != LKS_OK)
        return 0;
    snprintf(name, sizeof name, "FORK.%d", fork);
    return lks_channel_expect(ch, LKS_DIR_RECV, name) == LKS_OK;
}

static int make_channels(LksRuntime *rt, Table *t)
{
    char type[32];
    snprintf(type, sizeof type, "{0..%d}.{0..%d}", N - 1, N - 1);
    if (lks_channel_declare(rt, "picks", type, 0) != LKS_OK ||
        lks_channel_declare(rt, "putsdown", type, 0) != LKS_OK)
        return 0;
    for (int i = 0; i < N; i++) {
        int forks[2] = {i, right(i)};
        for (int k = 0; k < 2; k++) {
            int ids[2] = {i, forks[k]};
            t->picks[i][forks[k]] = lks_channel_new(rt, "picks", 2, ids);
            t->putsdown[i][forks[k]] = lks_channel_new(rt, "putsdown", 2, ids);
            if (!t->picks[i][forks[k]] || !t->putsdown[i][forks[k]])
                return 0;
            /* who sits at each end: for the deadlock's wait-for graph */
            if (!expect(t->picks[i][forks[k]], i, forks[k]) ||
                !expect(t->putsdown[i][forks[k]], i, forks[k]))
                return 0;
        }
    }
    if (!t->butler)
        return 1;
    snprintf(type, sizeof type, "{0..%d}", N - 1);
    if (lks_channel_declare(rt, "sits", type, 0) != LKS_OK ||
        lks_channel_declare(rt, "rises", type, 0) != LKS_OK)
        return 0;
    t->sits = lks_channel_new(rt, "sits", 0, NULL);
    t->rises = lks_channel_new(rt, "rises", 0, NULL);
    return t->sits && t->rises;
}

static int run(LksRuntime *rt, Table *t)
{
    Seat seats[2 * N];
    LksProcSpec ps[2 * N + 1];
    char names[2 * N][16];
    for (int i = 0; i < N; i++) {
        seats[i] = (Seat){t, i};
        seats[N + i] = (Seat){t, i};
        snprintf(names[i], sizeof names[i], "PHIL.%d", i);
        snprintf(names[N + i], sizeof names[N + i], "FORK.%d", i);
        ps[i] = (LksProcSpec){names[i], philosopher, &seats[i], 0};
        ps[N + i] = (LksProcSpec){names[N + i], fork_process, &seats[N + i], 0};
    }
    ps[2 * N] = (LksProcSpec){"BUTLER", butler, t, 0};
    return lks_par(rt, NULL, ps, t->butler ? 2 * N + 1 : 2 * N);
}

static void print_deadlock(const LksDeadlock *d)
{
    printf("deadlock: %d processes blocked after %llu events\n", d->nblocked,
           (unsigned long long)d->after_events);
    for (int b = 0; b < d->nblocked; b++) {
        printf("  %s offers", d->blocked[b].process);
        for (int o = 0; o < d->blocked[b].noffers; o++)
            printf(" %s%s", d->blocked[b].offers[o].event,
                   d->blocked[b].offers[o].dir == LKS_DIR_SEND ? "!" : "?");
        printf("\n");
    }
}

int main(int argc, char **argv)
{
    Table t;
    memset(&t, 0, sizeof t);
    int arg = 1;
    if (arg < argc && strcmp(argv[arg], "--butler") == 0) {
        t.butler = 1;
        arg++;
    } else if (arg < argc && strcmp(argv[arg], "--free") == 0) {
        t.free = 1;
        arg++;
    }
    if (arg >= argc) {
        fprintf(stderr, "usage: phils_rt [--butler|--free] TRACE [ROUNDS]\n");
        return 2;
    }
    const char *trace = argv[arg++];
    t.rounds = arg < argc ? atoi(argv[arg]) : 3;
    atomic_init(&t.eating_left, N);
    pthread_barrier_init(&t.all_hold_left, NULL, N);
    LksConfig cfg = lks_config_default();
    cfg.trace_path = trace;
    LksRuntime *rt = lks_runtime_new(&cfg);
    if (!rt || !make_channels(rt, &t)) {
        fprintf(stderr, "phils_rt: %s\n", rt ? lks_runtime_error(rt)
                                             : "cannot open the trace");
        return 2;
    }
    int rc = run(rt, &t);
    if (rc == LKS_EDEADLOCK)
        print_deadlock(lks_deadlock(rt));
    else
        printf("%s: %llu events\n", lks_strerror(rc),
               (unsigned long long)lks_event_count(rt));
    int closed = lks_runtime_free(rt);
    pthread_barrier_destroy(&t.all_hold_left);
    if (closed != LKS_OK)
        return 2;
    return rc == LKS_OK ? 0 : rc == LKS_EDEADLOCK ? 1 : 2;
}
