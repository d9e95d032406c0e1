/* rt_bench.c — the cost of recording: a traced rendezvous against an
 * untraced one, and the recording path alone. Two processes pass N integers over one channel (a sender
 * and a receiver, every message one rendezvous); the same run is timed with
 * recording to a file and without, alternately, R times. Prints ns/event of
 * each (the best run, the least disturbed by other load), the difference of
 * the bests and the median of the R paired differences. A rendezvous is
 * dominated by the hand-over between two threads, which on a shared machine
 * varies by more than recording costs; so the bench also times the
 * recording path alone, in one thread, through the runtime's internal
 * functions: number an event into a process buffer, and flush full buffers
 * (sort, format, write(2)) exactly as a run does.
 * Not run by ctest: speed is measured here, never asserted.
 *   rt_bench [N [R [TRACE_PATH]]]   (defaults 200000, 7, /tmp/...)
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct Pipe {
    LksChannel *c;
    int n;
} Pipe;

static int produce(LksProc *self, void *arg)
{
    Pipe *p = arg;
    for (int i = 0; i < p->n; i++)
        if (lks_send(self, p->c, &i) != LKS_OK)
            return 1;
    return 0;
}

static int consume(LksProc *self, void *arg)
{
    Pipe *p = arg;
    int v;
    for (int i = 0; i < p->n; i++)
        if (lks_recv(self, p->c, &v) != LKS_OK || v != i)
            return 1;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ns per event of one run, or a negative number on failure. */
static double run(int n, const char *trace)
{
    LksConfig cfg = lks_config_default();
    cfg.trace_path = trace;
    LksRuntime *rt = lks_runtime_new(&cfg);
    if (!rt || lks_channel_declare(rt, "c", "{0..999999999}", 0) != LKS_OK)
        return -1;
    Pipe p = {lks_channel_new(rt, "c", 0, NULL), n};
    LksProcSpec ps[2] = {{"PRODUCER", produce, &p, 0},
                         {"CONSUMER", consume, &p, 0}};
    double t0 = now_s();
    int rc = lks_par(rt, NULL, ps, 2);
    rc = lks_runtime_free(rt) != LKS_OK ? LKS_EIO : rc;
    double t1 = now_s();
    return rc == LKS_OK ? (t1 - t0) * 1e9 / n : -1;
}

/* ns per event of the recording path alone (see the head comment). */
static double record_only(int n, const char *trace)
{
    LksConfig cfg = lks_config_default();
    cfg.trace_path = trace;
    cfg.flush_interval_ms = 0;
    LksRuntime *rt = lks_runtime_new(&cfg);
    if (!rt || lks_channel_declare(rt, "c", "{0..999999999}", 0) != LKS_OK)
        return -1;
    LksChannel *c = lks_channel_new(rt, "c", 0, NULL);
    LksProc proc;
    memset(&proc, 0, sizeof proc);
    proc.rt = rt;
    proc.name = "BENCH";
    rt->procs = &proc;
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        pthread_mutex_lock(&rt->lock);
        lks_record_event(rt, &proc, c, &i);
        if (lks_record_want_flush(rt, &proc)) {
            LksBatch batch = lks_record_collect(rt);
            pthread_mutex_unlock(&rt->lock);
            lks_record_write(rt, batch);
        } else {
            pthread_mutex_unlock(&rt->lock);
        }
    }
    pthread_mutex_lock(&rt->lock);
    LksBatch batch = lks_record_collect(rt);
    rt->procs = NULL;
    pthread_mutex_unlock(&rt->lock);
    lks_record_write(rt, batch);
    double t1 = now_s();
    /* the same loop without recording: the lock alone */
    for (int i = 0; i < n; i++) {
        pthread_mutex_lock(&rt->lock);
        rt->events++;
        pthread_mutex_unlock(&rt->lock);
    }
    double t2 = now_s();
    if (lks_runtime_free(rt) != LKS_OK)
        return -1;
    return ((t1 - t0) - (t2 - t1)) * 1e9 / n;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 200000;
    int reps = argc > 2 ? atoi(argv[2]) : 7;
    char path[256];
    if (argc > 3)
        snprintf(path, sizeof path, "%s", argv[3]);
    else
        snprintf(path, sizeof path, "/tmp/lks_bench_%ld.trace",
                 (long)getpid());
    double best_plain = 1e18, best_traced = 1e18;
    double *diff = calloc((size_t)reps + 1, sizeof *diff);
    for (int r = 0; r < reps; r++) {
        double plain = run(n, NULL), traced = run(n, path);
        if (plain < 0 || traced < 0 || !diff) {
            fprintf(stderr, "rt_bench: a run failed\n");
            return 1;
        }
        best_plain = plain < best_plain ? plain : best_plain;
        best_traced = traced < best_traced ? traced : best_traced;
        diff[r] = traced - plain;
    }
    qsort(diff, (size_t)reps, sizeof *diff, compare);
    if (argc <= 3)
        unlink(path);
    double alone = 1e18;
    for (int r = 0; r < reps; r++) {
        double x = record_only(n * 5, path);
        if (x < 0) {
            fprintf(stderr, "rt_bench: the recording run failed\n");
            return 1;
        }
        alone = x < alone ? x : alone;
    }
    printf("rendezvous, %d events, best of %d runs:\n", n, reps);
    printf("  untraced  %8.1f ns/event\n", best_plain);
    printf("  traced    %8.1f ns/event\n", best_traced);
    printf("  recording %8.1f ns/event extra (bests), median of paired "
           "differences %.1f\n", best_traced - best_plain, diff[reps / 2]);
    printf("recording path alone (numbering, buffer, sort, format, write): "
           "%.1f ns/event\n", alone);
    free(diff);
    return 0;
}
