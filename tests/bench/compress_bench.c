/* compress_bench: how fast each compression runs on large explicit LTSs
 * (issue 27: 10^5 states and 10^6 transitions in under a second). Not a
 * test: it measures. Two families, both with n states and 10 transitions
 * each over events tau, a, b, c (tau one in ten):
 *   random     targets uniformly random (little to merge: the worst case
 *              for signatures, which all differ)
 *   redundant  K copies of one random LTS of n/K states, each transition
 *              going to the same state of a random copy (every copy of a
 *              state is bisimilar: sbisim keeps n/K)
 * usage: compress_bench [N [K [NAMES]]]  (default 100000 100, every
 *        compression; NAMES e.g. sbisim,diamond: normal and wbisim are
 *        slow on these tau-rich random graphs, whose tau-closures hold
 *        thousands of states)
 */
#include "compress.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

enum { DEG = 10 };

static void build(Lts *l, uint32_t n, uint32_t copies)
{
    uint32_t base = n / copies;
    memset(l, 0, sizeof *l);
    l->states = base * copies;
    l->omega = UINT32_MAX;
    l->term = calloc(l->states, sizeof *l->term);
    l->offset = calloc(l->states + 1, sizeof *l->offset);
    l->event = malloc((size_t)l->states * DEG * sizeof *l->event);
    l->target = malloc((size_t)l->states * DEG * sizeof *l->target);
    uint32_t (*proto)[2] = malloc((size_t)base * DEG * sizeof *proto);
    for (uint32_t i = 0; i < base * DEG; i++) { /* sorted by event below */
        proto[i][0] = rnd(10) == 0 ? 0 : 2 + rnd(3);
        proto[i][1] = rnd(base);
    }
    for (uint32_t s = 0; s < l->states; s++) {
        l->offset[s] = l->transitions;
        uint32_t p = s % base;
        for (uint32_t e = 0; e < 5; e++)
            for (uint32_t k = 0; k < DEG; k++)
                if (proto[p * DEG + k][0] == e) {
                    l->event[l->transitions] = e;
                    l->target[l->transitions++] =
                        proto[p * DEG + k][1] + base * rnd(copies);
                }
    }
    l->offset[l->states] = l->transitions;
    free(proto);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    uint32_t n = argc > 1 ? (uint32_t)atoi(argv[1]) : 100000;
    uint32_t k = argc > 2 ? (uint32_t)atoi(argv[2]) : 100;
    const char *family[] = {"random", "redundant"};
    printf("%-10s %-16s %10s %11s %10s %11s %8s\n", "family", "compression",
           "states", "transitions", "after", "after-trans", "seconds");
    for (int f = 0; f < 2; f++) {
        Lts in;
        build(&in, n, f ? k : 1);
        for (int kind = 0; kind < COMPRESS_KIND_COUNT; kind++) {
            if (argc > 3 && !strstr(argv[3], compress_name((CompressKind)kind)))
                continue;
            Lts out;
            double t0 = now();
            CompressStatus st = compress_lts((CompressKind)kind, &in, n * 4, &out);
            double t1 = now();
            if (st != COMPRESS_OK) {
                printf("%-10s %-16s %10u %11u %22s %8.2f\n", family[f],
                       compress_name((CompressKind)kind), in.states,
                       in.transitions, st == COMPRESS_LIMIT ? "too large"
                                                            : "failed", t1 - t0);
                continue;
            }
            printf("%-10s %-16s %10u %11u %10u %11u %8.2f\n", family[f],
                   compress_name((CompressKind)kind), in.states,
                   in.transitions, out.states, out.transitions, t1 - t0);
            lts_free(&out);
        }
        free(in.term), free(in.offset), free(in.event), free(in.target);
    }
    return 0;
}
