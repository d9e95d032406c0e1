/* rt_scale.c — rendezvous per second as processes are added: P processes
 * in P/2 sender-receiver pairs, each pair on its own channel, each sender
 * passing M integers. Every rendezvous is one event; with a trace path the
 * run is recorded. Prints one line: processes, traced, events, seconds,
 * rendezvous/s. run_scale.sh runs it beside Go's unbuffered channels
 * (scale.go, the same shape) in one session. Not run by ctest.
 *   rt_scale P M [TRACE_PATH]
 */
#include "lockstep.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct Pair {
    LksChannel *c;
    int m;
} Pair;

static int sender(LksProc *self, void *arg)
{
    Pair *p = arg;
    for (int i = 0; i < p->m; i++)
        if (lks_send(self, p->c, &i) != LKS_OK)
            return 1;
    return 0;
}

static int receiver(LksProc *self, void *arg)
{
    Pair *p = arg;
    int v;
    for (int i = 0; i < p->m; i++)
        if (lks_recv(self, p->c, &v) != LKS_OK || v != i)
            return 1;
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3 || atoi(argv[1]) < 2 || atoi(argv[1]) % 2 || atoi(argv[2]) < 1) {
        fprintf(stderr, "usage: rt_scale P M [TRACE]   (P even, >= 2)\n");
        return 2;
    }
    int procs = atoi(argv[1]), m = atoi(argv[2]), pairs = procs / 2;
    LksConfig cfg = lks_config_default();
    cfg.trace_path = argc > 3 ? argv[3] : NULL;
    LksRuntime *rt = lks_runtime_new(&cfg);
    Pair *pair = calloc((size_t)pairs, sizeof *pair);
    LksProcSpec *ps = calloc((size_t)procs, sizeof *ps);
    char (*names)[16] = calloc((size_t)procs, sizeof *names);
    if (!rt || !pair || !ps || !names ||
        lks_channel_declare(rt, "c", "{0..1023}.{0..9999999}", 0) != LKS_OK)
        return 2;
    for (int i = 0; i < pairs; i++) {
        int fixed = i;
        pair[i] = (Pair){lks_channel_new(rt, "c", 1, &fixed), m};
        snprintf(names[2 * i], 16, "S.%d", i);
        snprintf(names[2 * i + 1], 16, "R.%d", i);
        ps[2 * i] = (LksProcSpec){names[2 * i], sender, &pair[i], 0};
        ps[2 * i + 1] = (LksProcSpec){names[2 * i + 1], receiver, &pair[i], 0};
    }
    double t0 = now();
    int rc = lks_par(rt, NULL, ps, procs);
    double t = now() - t0;
    unsigned long long events = lks_event_count(rt);
    if (lks_runtime_free(rt) != LKS_OK || rc != LKS_OK)
        return 1;
    printf("lockstep %d %s %llu %.3f %.0f\n", procs,
           cfg.trace_path ? "traced" : "untraced", events, t, events / t);
    free(pair);
    free(ps);
    free(names);
    return 0;
}
