/* pipeline_rt.c — a pipeline of one-place buffers on the lockstep runtime,
 * next to its model models/pipeline_rt.csp (SYSTEM).
 *
 *   pipeline_rt [--buffered] TRACE [MESSAGES]     (default 1000 messages)
 *
 * A producer sends 0, 1, ..., K-1, 0, 1, ... on c.0; N cells each copy c.i
 * to c.(i+1) (a buffered channel is a process, as in CSP); a consumer takes
 * them from c.N and checks they come out in order. When the producer is
 * done it poisons c.0; each cell passes the poison on downstream, so the
 * whole pipeline ends after delivering every message. With --buffered the
 * N cells are one buffered channel instead, lks_buffer of capacity N from
 * c.0 to c.N (the model's BUFFERED).
 * Exit status: 0 every message arrived in order, 1 otherwise, 2 an error.
 */
#include "lockstep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N = 4, K = 10 };

typedef struct Pipeline {
    LksChannel *c[N + 1];
    int messages, received, in_order;
} Pipeline;

typedef struct Cell {
    Pipeline *pipe;
    int id;
} Cell;

/* PRODUCER(v) = c.0!v -> PRODUCER((v + 1) % K) */
static int producer(LksProc *self, void *arg)
{
    Pipeline *p = arg;
    for (int m = 0; m < p->messages; m++) {
        int v = m % K;
        int rc = lks_send(self, p->c[0], &v);
        if (rc != LKS_OK)
            return rc;
    }
    lks_poison(self, p->c[0]);
    return 0;
}

/* CELL(i) = c.i?x -> c.(i+1)!x -> CELL(i) */
static int cell(LksProc *self, void *arg)
{
    Cell *cl = arg;
    LksChannel *in = cl->pipe->c[cl->id], *out = cl->pipe->c[cl->id + 1];
    for (;;) {
        int x;
        int rc = lks_recv(self, in, &x);
        if (rc == LKS_OK)
            rc = lks_send(self, out, &x);
        if (rc == LKS_EPOISON) {
            lks_poison(self, out);
            return 0;
        }
        if (rc != LKS_OK)
            return rc;
    }
}

/* CONSUMER = c.N?x -> CONSUMER */
static int consumer(LksProc *self, void *arg)
{
    Pipeline *p = arg;
    p->in_order = 1;
    for (;;) {
        int x;
        int rc = lks_recv(self, p->c[N], &x);
        if (rc == LKS_EPOISON)
            return 0;
        if (rc != LKS_OK)
            return rc;
        p->in_order &= x == p->received % K;
        p->received++;
    }
}

int main(int argc, char **argv)
{
    int buffered = argc > 1 && strcmp(argv[1], "--buffered") == 0;
    argv += buffered;
    argc -= buffered;
    if (argc < 2) {
        fprintf(stderr, "usage: pipeline_rt [--buffered] TRACE [MESSAGES]\n");
        return 2;
    }
    Pipeline p;
    memset(&p, 0, sizeof p);
    p.messages = argc > 2 ? atoi(argv[2]) : 1000;
    LksConfig cfg = lks_config_default();
    cfg.trace_path = argv[1];
    LksRuntime *rt = lks_runtime_new(&cfg);
    char type[32];
    snprintf(type, sizeof type, "{0..%d}.{0..%d}", N, K - 1);
    if (!rt || lks_channel_declare(rt, "c", type, 0) != LKS_OK) {
        fprintf(stderr, "pipeline_rt: cannot start\n");
        return 2;
    }
    for (int i = 0; i <= N; i++)
        p.c[i] = lks_channel_new(rt, "c", 1, &i);
    Cell cells[N];
    LksProcSpec ps[N + 2];
    char names[N][16];
    LksBufferSpec buffer = {p.c[0], p.c[N], N};
    int n = 0;
    ps[n++] = (LksProcSpec){"PRODUCER", producer, &p, 0};
    for (int i = 0; i < N && !buffered; i++) {
        cells[i] = (Cell){&p, i};
        snprintf(names[i], sizeof names[i], "CELL.%d", i);
        ps[n++] = (LksProcSpec){names[i], cell, &cells[i], 0};
    }
    if (buffered)
        ps[n++] = (LksProcSpec){"BUFFER", lks_buffer, &buffer, 0};
    ps[n++] = (LksProcSpec){"CONSUMER", consumer, &p, 0};
    int rc = lks_par(rt, NULL, ps, n);
    printf("%s: %d of %d messages arrived%s, %llu events\n", lks_strerror(rc),
           p.received, p.messages, p.in_order ? " in order" : " OUT OF ORDER",
           (unsigned long long)lks_event_count(rt));
    if (lks_runtime_free(rt) != LKS_OK || rc != LKS_OK)
        return 2;
    return p.received == p.messages && p.in_order ? 0 : 1;
}
