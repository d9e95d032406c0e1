/* Unit tests of checker/compress*.c.
 *
 * sbisim and wbisim are compared with brute force on random LTSs: the
 * greatest (strong, or divergence-respecting weak) bisimulation computed
 * by naive fixpoint iteration over all pairs of the disjoint union of the
 * input and the quotient. The quotient's root must be bisimilar to the
 * input's, its states pairwise distinct (it is minimal), and it must have
 * as many states as the input's reachable states have classes.
 *
 * normal and diamond (and the others) are tested on random CSPM processes:
 * each compression of each must be equivalent to the process in traces,
 * failures and failures-divergences (refinement both ways), and normal's
 * result must be deterministic apart from its marks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"
#include "compile.h"
#include "compress.h"
#include "compress_impl.h"
#include "diag.h"
#include "mem.h"
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- random LTSs ---------- */

static uint32_t rng_state = 12345;
static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (rng_state >> 8) % n;
}

/* n states; the last is the terminated state when `tick` (reached by tick
 * only); events tau, a (2), b (3); rows sorted by event. */
static void random_lts(Lts *l, uint32_t n, int tick)
{
    memset(l, 0, sizeof *l);
    l->states = n;
    l->omega = tick ? n - 1 : UINT32_MAX;
    l->term = calloc(n, sizeof *l->term);
    l->offset = calloc(n + 1, sizeof *l->offset);
    l->event = calloc(8 * n, sizeof *l->event);
    l->target = calloc(8 * n, sizeof *l->target);
    uint32_t live = tick ? n - 1 : n;
    for (uint32_t s = 0; s < n; s++) {
        l->term[s] = s;
        l->offset[s] = l->transitions;
        if (s == l->omega)
            continue;
        uint32_t k = rnd(4);
        uint32_t ev[8] = {0}, tg[8] = {0}; /* k + 1 <= 5 are used */
        for (uint32_t i = 0; i < k; i++) {
            ev[i] = (uint32_t[]){0, 2, 3, 0, 2}[rnd(5)];
            tg[i] = rnd(live);
        }
        if (tick && rnd(4) == 0) {
            ev[k] = 1;
            tg[k++] = n - 1;
        }
        for (uint32_t i = 1; i < k; i++) /* insertion sort by event */
            for (uint32_t j = i; j > 0 && ev[j - 1] > ev[j]; j--) {
                uint32_t e = ev[j], t = tg[j];
                ev[j] = ev[j - 1], tg[j] = tg[j - 1];
                ev[j - 1] = e, tg[j - 1] = t;
            }
        for (uint32_t i = 0; i < k; i++) {
            l->event[l->transitions] = ev[i];
            l->target[l->transitions++] = tg[i];
        }
    }
    l->offset[n] = l->transitions;
}

static void free_random(Lts *l)
{
    free(l->term);
    free(l->offset);
    free(l->event);
    free(l->target);
}

/* ---------- brute force ---------- */

typedef struct Union { /* disjoint union of two LTSs, as adjacency */
    uint32_t n, split;
    uint8_t *omega, *cyc;
    uint8_t *step; /* step[(s * n + t) * 4 + e]: s -e-> t (e < 4) */
} Union;

static void union_add(Union *u, const Lts *l, uint32_t base)
{
    for (uint32_t s = 0; s < l->states; s++) {
        u->omega[base + s] = s == l->omega;
        for (uint32_t k = l->offset[s]; k < l->offset[s + 1]; k++)
            u->step[((base + s) * u->n + base + l->target[k]) * 4 +
                    l->event[k]] = 1;
    }
}

static Union make_union(const Lts *a, const Lts *b)
{
    Union u = {a->states + b->states, a->states, NULL, NULL, NULL};
    u.omega = calloc(u.n, 1);
    u.cyc = calloc(u.n, 1);
    u.step = calloc((size_t)u.n * u.n * 4, 1);
    union_add(&u, a, 0);
    union_add(&u, b, a->states);
    return u;
}

/* Weak steps: tau* (reflexive), then tau* e tau* for visible e; states
 * that may diverge (reach a tau cycle by taus) marked in cyc. */
static void saturate(Union *u)
{
    uint32_t n = u->n;
    uint8_t *tau = calloc((size_t)n * n, 1);
    for (uint32_t s = 0; s < n; s++) {
        tau[s * n + s] = 1;
        for (uint32_t t = 0; t < n; t++)
            tau[s * n + t] |= u->step[(s * n + t) * 4];
    }
    for (uint32_t k = 0; k < n; k++) /* Warshall */
        for (uint32_t s = 0; s < n; s++)
            if (tau[s * n + k])
                for (uint32_t t = 0; t < n; t++)
                    tau[s * n + t] |= tau[k * n + t];
    for (uint32_t s = 0; s < n; s++)
        for (uint32_t t = 0; t < n; t++) /* on a cycle: s ->+ t ->* s */
            if (t != s && tau[s * n + t] && tau[t * n + s])
                u->cyc[s] = 1;
    for (uint32_t s = 0; s < n; s++)
        u->cyc[s] |= u->step[(s * n + s) * 4];
    for (uint32_t s = 0; s < n; s++) /* may diverge: reaches a cycle */
        for (uint32_t t = 0; t < n; t++)
            if (tau[s * n + t] && (u->cyc[t] & 1))
                u->cyc[s] |= 2;
    for (uint32_t s = 0; s < n; s++)
        u->cyc[s] = u->cyc[s] != 0;
    uint8_t *w = calloc((size_t)n * n * 4, 1);
    for (uint32_t s = 0; s < n; s++)
        for (uint32_t t = 0; t < n; t++) {
            w[(s * n + t) * 4] = tau[s * n + t];
            for (uint32_t e = 1; e < 4; e++)
                for (uint32_t x = 0; x < n && !w[(s * n + t) * 4 + e]; x++)
                    for (uint32_t y = 0; y < n; y++)
                        if (tau[s * n + x] && u->step[(x * n + y) * 4 + e] &&
                            tau[y * n + t]) {
                            w[(s * n + t) * 4 + e] = 1;
                            break;
                        }
        }
    free(u->step);
    u->step = w;
    free(tau);
}

/* The greatest bisimulation of u's steps, as an n x n matrix. */
static uint8_t *bisim(const Union *u)
{
    uint32_t n = u->n;
    uint8_t *r = malloc((size_t)n * n);
    for (uint32_t s = 0; s < n; s++)
        for (uint32_t t = 0; t < n; t++)
            r[s * n + t] = u->omega[s] == u->omega[t] && u->cyc[s] == u->cyc[t];
    for (int changed = 1; changed;) {
        changed = 0;
        for (uint32_t s = 0; s < n; s++)
            for (uint32_t t = 0; t < n; t++) {
                if (!r[s * n + t])
                    continue;
                int ok = 1;
                for (int dir = 0; dir < 2 && ok; dir++) {
                    uint32_t x = dir ? t : s, y = dir ? s : t;
                    for (uint32_t x2 = 0; x2 < n && ok; x2++)
                        for (uint32_t e = 0; e < 4 && ok; e++) {
                            if (!u->step[(x * n + x2) * 4 + e])
                                continue;
                            int found = 0;
                            for (uint32_t y2 = 0; y2 < n && !found; y2++)
                                found = u->step[(y * n + y2) * 4 + e] &&
                                        r[x2 * n + y2];
                            ok = found;
                        }
                }
                if (!ok) {
                    r[s * n + t] = r[t * n + s] = 0;
                    changed = 1;
                }
            }
    }
    return r;
}

static void reachable(const Lts *l, uint8_t *seen)
{
    uint32_t *q = malloc(l->states * sizeof *q), n = 0;
    memset(seen, 0, l->states);
    seen[0] = 1;
    q[n++] = 0;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t k = l->offset[q[i]]; k < l->offset[q[i] + 1]; k++)
            if (!seen[l->target[k]]) {
                seen[l->target[k]] = 1;
                q[n++] = l->target[k];
            }
    free(q);
}

static void check_quotient(CompressKind kind, int weak)
{
    for (int round = 0; round < 400; round++) {
        Lts in, out;
        random_lts(&in, 2 + rnd(9), rnd(2));
        assert_int_equal(compress_lts(kind, &in, 1000, &out), COMPRESS_OK);
        Union u = make_union(&in, &out);
        if (weak)
            saturate(&u);
        uint8_t *r = bisim(&u);
        uint32_t n = u.n, b = u.split;
        assert_true(r[0 * n + b]); /* the roots are bisimilar */
        for (uint32_t s = 0; s < out.states; s++)
            for (uint32_t t = s + 1; t < out.states; t++)
                assert_false(r[(b + s) * n + b + t]); /* minimal */
        uint8_t *seen = malloc(in.states);
        reachable(&in, seen);
        uint32_t classes = 0;
        for (uint32_t s = 0; s < in.states; s++) {
            int first = seen[s];
            for (uint32_t t = 0; t < s && first; t++)
                first = !(seen[t] && r[t * n + s]);
            classes += (uint32_t)first;
        }
        assert_int_equal(classes, out.states);
        free(seen);
        free(r);
        free(u.omega);
        free(u.cyc);
        free(u.step);
        free_random(&in);
        lts_free(&out);
    }
}

static void test_sbisim_brute_force(void **state)
{
    (void)state;
    check_quotient(COMPRESS_SBISIM, 0);
}

static void test_wbisim_brute_force(void **state)
{
    (void)state;
    check_quotient(COMPRESS_WBISIM, 1);
}

/* ---------- random processes, checked by refinement ---------- */

/* A random process definition of `n` states over a, b, c (c hidden, so
 * tau cycles and divergence occur), with |~|, [], ;, SKIP and STOP, its
 * first two states run in sequence, interleaved or in parallel on a:
 * interleaving hidden c with the other side's moves makes the diamonds
 * that diamond elimination removes (shape 1 and 2). */
static void random_process(char *buf, size_t len, int n, int shape)
{
    size_t at = (size_t)snprintf(buf, len, "channel a, b, c\n");
    for (int s = 0; s < n; s++) {
        at += (size_t)snprintf(buf + at, len - at, "P%d = ", s);
        int k = 1 + (int)rnd(3);
        for (int i = 0; i < k; i++) {
            const char *op = i == 0 ? "" : rnd(3) ? " [] " : " |~| ";
            int what = (int)rnd(10);
            int t = (int)rnd((uint32_t)n);
            if (what == 0)
                at += (size_t)snprintf(buf + at, len - at, "%sSKIP", op);
            else if (what == 1)
                at += (size_t)snprintf(buf + at, len - at, "%sSTOP", op);
            else
                at += (size_t)snprintf(buf + at, len - at, "%s%s -> P%d", op,
                                       (const char *[]){"a", "b", "c"}[rnd(3)],
                                       t);
        }
        at += (size_t)snprintf(buf + at, len - at, "\n");
    }
    static const char *const top[] = {";", "|||", "[| {a} |]"};
    snprintf(buf + at, len - at, "SYS = (P0 %s P1) \\ {c}\n", top[shape]);
}

static Machine *compile(TermTable *terms, uint32_t t)
{
    CompileOptions o = {COMPILE_NETWORK, 0, LEAF_NONE};
    Machine *m = NULL;
    char err[256];
    assert_int_equal(compile_machine(terms, t, &o, &m, err, sizeof err),
                     COMPILE_OK);
    return m;
}

static int refines(const Machine *spec, const Machine *impl, CheckModel model)
{
    CheckRequest req = {.kind = CHECK_REFINES, .model = model, .impl = impl,
                        .spec = spec, .explore = {.threads = 1}};
    CheckResult r;
    check_run(&req, &r);
    assert_true(r.verdict == VERDICT_PASS || r.verdict == VERDICT_FAIL);
    int holds = r.verdict == VERDICT_PASS;
    check_result_free(&r);
    return holds;
}

/* A random model, loaded without errors. */
static Model *load_random(const char *text, Diags *diags)
{
    diags_init(diags);
    Model *m = model_load_text("random.csp", text, NULL, diags);
    assert_non_null(m);
    assert_int_equal(diags_errors(diags), 0);
    return m;
}

/* p and q refine each other in traces, failures and failures-divergences;
 * else fails naming them and the model. */
static void assert_equivalent(const Machine *p, const Machine *q,
                              const char *what, const char *text)
{
    for (int model = CHECK_T; model <= CHECK_FD; model++)
        if (!refines(p, q, (CheckModel)model) ||
            !refines(q, p, (CheckModel)model))
            fail_msg("%s changes the %d-semantics of\n%s", what, model, text);
}

static void test_random_processes_equivalent(void **state)
{
    (void)state;
    static const CompressKind kinds[] = {
        COMPRESS_EXPLICATE, COMPRESS_SBISIM, COMPRESS_WBISIM,
        COMPRESS_NORMAL, COMPRESS_DIAMOND, COMPRESS_TAU_LOOP};
    char text[4096];
    for (int round = 0; round < 90; round++) {
        random_process(text, sizeof text, 2 + (int)rnd(6), round % 3);
        Diags diags;
        Model *m = load_random(text, &diags);
        TermTable *terms = model_terms(m);
        uint32_t p = model_process(m, "SYS", &diags);
        assert_int_not_equal(p, TERM_NONE);
        Machine *mp = compile(terms, p);
        size_t nk = sizeof kinds / sizeof *kinds;
        for (size_t k = 0; k <= nk; k++) {
            /* k == nk: sbisim(diamond(P)), as FDR's scripts compress */
            uint32_t q = k < nk ? term_compress(terms, (int)kinds[k], p)
                                : term_compress(terms, COMPRESS_SBISIM,
                                                term_compress(terms,
                                                              COMPRESS_DIAMOND,
                                                              p));
            Machine *mq = compile(terms, q);
            assert_equivalent(mp, mq,
                              k < nk ? compress_name(kinds[k])
                                     : "sbisim(diamond)",
                              text);
            machine_free(mq);
        }
        machine_free(mp);
        model_free(m);
        diags_free(&diags);
    }
}

/* Compressed leaves inside a network: a network takes the acceptance
 * jumps of its leaves together (network.c), which must change nothing.
 * Each round composes two random leaves with hidden events (so they have
 * acceptances to mark) under |||, [| {a} |] or [| {a, b} |], plain and
 * with both leaves compressed by normal, diamond and sbisim(diamond),
 * also with b hidden over the whole, and compares them in T, F and FD. */
static void test_random_networks_equivalent(void **state)
{
    (void)state;
    static const char *const ops[] = {"|||", "[| {a} |]", "[| {a, b} |]"};
    static const char *const cs[] = {"normal", "diamond", "sbd"};
    char text[8192];
    for (int round = 0; round < 30; round++) {
        random_process(text, sizeof text, 2 + (int)rnd(6), 0);
        size_t at = strlen(text);
        const char *op = ops[round % 3];
        at += (size_t)snprintf(text + at, sizeof text - at,
                               "sbd(P) = sbisim(diamond(P))\n"
                               "L0 = P0 \\ {c}\nL1 = P1 \\ {c}\n"
                               "NP = L0 %s L1\nHP = NP \\ {b}\n", op);
        for (int k = 0; k < 3; k++)
            at += (size_t)snprintf(text + at, sizeof text - at,
                                   "N%d = %s(L0) %s %s(L1)\n"
                                   "H%d = N%d \\ {b}\n",
                                   k, cs[k], op, cs[k], k, k);
        Diags diags;
        Model *m = load_random(text, &diags);
        TermTable *terms = model_terms(m);
        for (int hidden = 0; hidden < 2; hidden++) {
            char name[8];
            uint32_t p = model_process(m, hidden ? "HP" : "NP", &diags);
            assert_int_not_equal(p, TERM_NONE);
            Machine *mp = compile(terms, p);
            for (int k = 0; k < 3; k++) {
                snprintf(name, sizeof name, "%c%d", hidden ? 'H' : 'N', k);
                uint32_t q = model_process(m, name, &diags);
                assert_int_not_equal(q, TERM_NONE);
                Machine *mq = compile(terms, q);
                assert_equivalent(mp, mq, name, text);
                machine_free(mq);
            }
            machine_free(mp);
        }
        model_free(m);
        diags_free(&diags);
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The compressions' own sort against qsort: every length up to 600, keys
 * from few distinct values (long runs of equals, the signatures' case) to
 * all distinct, ascending and descending input (the quicksort's bad
 * cases, which the depth limit turns into heapsort). */
static void test_sort_u64(void **state)
{
    (void)state;
    uint64_t a[600], b[600];
    uint64_t seed = 12345;
    for (size_t n = 0; n <= 600; n += n < 40 ? 1 : 37) {
        for (int kind = 0; kind < 4; kind++) {
            for (size_t i = 0; i < n; i++) {
                seed = seed * 6364136223846793005ull + 1442695040888963407ull;
                uint64_t r = seed >> 11;
                a[i] = kind == 0 ? r % 3 : kind == 1 ? r
                       : kind == 2 ? i : (uint64_t)(n - i) << 40;
            }
            memcpy(b, a, n * sizeof *a);
            compress_sort_u64(a, n);
            if (n) {
                qsort(b, n, sizeof *b, cmp_u64);
                assert_memory_equal(a, b, n * sizeof *a);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sort_u64),
        cmocka_unit_test(test_sbisim_brute_force),
        cmocka_unit_test(test_wbisim_brute_force),
        cmocka_unit_test(test_random_processes_equivalent),
        cmocka_unit_test(test_random_networks_equivalent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
