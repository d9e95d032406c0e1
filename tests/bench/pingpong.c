/* pingpong: the round trip of one cache line between two threads, in ns
 * (the median of 9 runs of 20,000 round trips). The benchmark prints it
 * beside the -j2 / -j1 ratios: on a virtual machine whose host moves the
 * virtual CPUs, it changes from one second to the next (measured here:
 * 55-490 ns), and with it what two threads that share a store can gain.
 * Built by run_bench.sh with cc -O2 -pthread; not part of lockstep. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { TRIPS = 20000, RUNS = 9 };

static _Atomic int ball; /* 1: the other thread's turn, 0: main's */

static void *other(void *arg)
{
    (void)arg;
    for (int i = 0; i < TRIPS * RUNS; i++) {
        while (atomic_load_explicit(&ball, memory_order_acquire) != 1)
            ;
        atomic_store_explicit(&ball, 0, memory_order_release);
    }
    return NULL;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(void)
{
    pthread_t t;
    double ns[RUNS];
    if (pthread_create(&t, NULL, other, NULL) != 0)
        return 1;
    for (int r = 0; r < RUNS; r++) {
        double start = now();
        for (int i = 0; i < TRIPS; i++) {
            atomic_store_explicit(&ball, 1, memory_order_release);
            while (atomic_load_explicit(&ball, memory_order_acquire) != 0)
                ;
        }
        ns[r] = (now() - start) / TRIPS;
    }
    pthread_join(t, NULL);
    qsort(ns, RUNS, sizeof *ns, by_value);
    printf("%.0f\n", ns[RUNS / 2]);
    return 0;
}
