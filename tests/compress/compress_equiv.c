/* compress_equiv: every semantics-preserving compression C gives, for
 * every process P checked by an assertion of the given models, a process
 * C(P) equivalent to P in each model C preserves: refinement both ways in
 * traces, stable failures and failures-divergences (compress.h says which
 * compression preserves which; every one here preserves all three).
 *
 * P's whose LTS has more than MAX_STATES states are skipped (counted), as
 * are checks that reach a limit; a file that fails to load is skipped.
 * Prints, per compression, the states kept over all P (sum after / sum
 * before), the figure the measure asks for.
 *
 * usage: compress_equiv FILE.csp ...   exit 0 when every equivalence holds
 */
#include "check.h"
#include "compile.h"
#include "compress.h"
#include "diag.h"
#include "limit.h"
#include "mem.h"
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_STATES = 5000, MAX_TERMS = 64 };

static const CompressKind kinds[] = {
    COMPRESS_EXPLICATE, COMPRESS_SBISIM, COMPRESS_WBISIM,
    COMPRESS_NORMAL, COMPRESS_DIAMOND, COMPRESS_TAU_LOOP,
};
enum { NKINDS = sizeof kinds / sizeof *kinds };

static unsigned long long before[NKINDS], after[NKINDS];
static int failures, checks, skipped;

static Machine *compile(TermTable *terms, uint32_t t)
{
    CompileOptions o = {COMPILE_NETWORK, MAX_STATES, LEAF_NONE};
    Machine *m = NULL;
    char err[256];
    return compile_machine(terms, t, &o, &m, err, sizeof err) == COMPILE_OK
               ? m
               : NULL;
}

/* Spec [X= Impl: 1 holds, 0 fails, -1 no verdict. */
static int refines(const Machine *spec, const Machine *impl, CheckModel model)
{
    CheckRequest req = {.kind = CHECK_REFINES, .model = model, .impl = impl,
                        .spec = spec,
                        .explore = {.threads = 1, .max_states = 2000000}};
    CheckResult r;
    check_run(&req, &r);
    int v = r.verdict == VERDICT_PASS ? 1 : r.verdict == VERDICT_FAIL ? 0 : -1;
    check_result_free(&r);
    return v;
}

static void equivalent(TermTable *terms, const char *file, uint32_t p,
                       size_t ki)
{
    uint32_t q = term_compress(terms, (int)kinds[ki], p);
    Machine *mp = compile(terms, p), *mq = compile(terms, q);
    size_t n = term_compressions(terms);
    if (!mp || !mq || !n) {
        skipped++;
        machine_free(mp);
        machine_free(mq);
        return;
    }
    uint32_t source;
    for (size_t i = 0; i < n; i++) { /* this compression's sizes */
        TermCompressStats st = term_compression(terms, i, &source);
        if (source == q) {
            before[ki] += st.states_before;
            after[ki] += st.states_after;
        }
    }
    static const char *mname[] = {"T", "F", "FD"};
    for (int model = CHECK_T; model <= CHECK_FD; model++)
        for (int dir = 0; dir < 2; dir++) {
            int v = dir ? refines(mq, mp, (CheckModel)model)
                        : refines(mp, mq, (CheckModel)model);
            checks++;
            if (v == 0) {
                char text[200];
                term_print(terms, p, text, sizeof text);
                fprintf(stderr, "%s: %s(%s) is not %s-equivalent to it "
                        "(%s fails)\n", file, compress_name(kinds[ki]), text,
                        mname[model], dir ? "C(P) [= P" : "P [= C(P)");
                failures++;
            } else if (v < 0)
                skipped++;
        }
    machine_free(mp);
    machine_free(mq);
}

static void run_file(const char *file)
{
    Diags diags;
    diags_init(&diags);
    Model *m = model_load(file, NULL, &diags);
    if (!m || diags_errors(&diags)) {
        skipped++;
        model_free(m);
        diags_free(&diags);
        return;
    }
    TermTable *terms = model_terms(m);
    term_set_compress_limit(terms, MAX_STATES);
    uint32_t seen[MAX_TERMS];
    size_t nseen = 0;
    for (size_t i = 0; i < model_assert_count(m) && nseen < MAX_TERMS; i++) {
        const ModelAssert *a = model_assert(m, i);
        uint32_t both[2] = {a->impl, a->spec};
        for (int k = 0; k < 2 && !a->broken; k++) {
            size_t j = 0;
            while (j < nseen && seen[j] != both[k])
                j++;
            if (both[k] != TERM_NONE && j == nseen && nseen < MAX_TERMS)
                seen[nseen++] = both[k];
        }
    }
    for (size_t j = 0; j < nseen; j++)
        for (size_t ki = 0; ki < NKINDS; ki++)
            equivalent(terms, file, seen[j], ki);
    model_free(m);
    diags_free(&diags);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        run_file(argv[i]);
    for (size_t ki = 0; ki < NKINDS; ki++)
        printf("%-16s keeps %6.1f%% of the states (%llu of %llu)\n",
               compress_name(kinds[ki]),
               before[ki] ? 100.0 * (double)after[ki] / (double)before[ki] : 0,
               after[ki], before[ki]);
    printf("%d checks, %d failed, %d skipped (too large or no verdict)\n",
           checks, failures, skipped);
    return failures ? 1 : 0;
}
