/* golden_driver: runs a golden model and compares each assertion's result
 * with the expectation written in the file (as wren's and clox's tests
 * carry theirs).
 *
 * The k-th line of the form
 *     -- expect: pass|fail [KIND [<trace>]] [states=N] [transitions=M]
 *                [spec-nodes=K]
 * applies to the k-th assertion; spec-nodes is the size of a refinement
 * specification's (minimised) normal form. pass/fail is whether the assertion holds
 * (after `assert not`); KIND (deadlock, divergence, trace, acceptance) and
 * the trace (CSPM syntax, taus omitted; for a trace error ending with the
 * event the specification cannot do) describe the counterexample.
 *
 * Every assertion runs five ways: compiled network with 1 thread and with
 * 2 threads, the same with 2 threads and the tree-compressed store
 * (--store tree, with leaves of at most 4 bits rather than 64, so that
 * small states are trees too) and with the store on disk (--store disk,
 * except where the divergence search after the run is needed, which it
 * does not have: that run must say so), and explored terms with 1
 * thread. All must give the
 * same verdict, kind and counts, and the network runs the same
 * counterexample, step for step and state for state: the determinism and
 * differential guarantees of docs/design.md. Where the
 * network takes compressed leaves' acceptance jumps together and the
 * terms one at a time, `terms-states=N terms-transitions=M` give the
 * terms' counts instead.
 *
 * usage: golden_driver FILE.csp ...   exit 0 when every expectation holds.
 */
#include "checkrun.h"
#include "mem.h"
#include "model.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct Expect {
    int line;
    int holds;
    char kind[32];
    char trace[4096];
    long long states, transitions, spec_nodes; /* -1: not given */
    long long terms_states, terms_transitions; /* -1: as the network's */
} Expect;

typedef struct Outcome {
    int ran, holds;
    Verdict verdict;
    FailKind fail;
    char trace[4096];
    unsigned long long states, transitions, spec_nodes;
    uint64_t path; /* a digest of the counterexample's events and states */
    char message[256];
} Outcome;

/* FNV-1a over n words. */
static uint64_t digest(uint64_t h, const uint32_t *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= w[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* Parses the text after "-- expect:"; 0 or -1. */
static int parse_expect(const char *text, int line, Expect *e)
{
    char buf[8192];
    snprintf(buf, sizeof buf, "%s", text);
    memset(e, 0, sizeof *e);
    e->line = line;
    e->states = e->transitions = e->spec_nodes = -1;
    e->terms_states = e->terms_transitions = -1;
    char *kv;
    if ((kv = strstr(buf, "spec-nodes=")) != NULL) {
        e->spec_nodes = strtoll(kv + 11, NULL, 10);
        *kv = '\0';
    }
    /* before states= and transitions=, which they contain */
    if ((kv = strstr(buf, "terms-transitions=")) != NULL) {
        e->terms_transitions = strtoll(kv + 18, NULL, 10);
        *kv = '\0';
    }
    if ((kv = strstr(buf, "terms-states=")) != NULL) {
        e->terms_states = strtoll(kv + 13, NULL, 10);
        *kv = '\0';
    }
    if ((kv = strstr(buf, "transitions=")) != NULL) {
        e->transitions = strtoll(kv + 12, NULL, 10);
        *kv = '\0';
    }
    if ((kv = strstr(buf, "states=")) != NULL) {
        e->states = strtoll(kv + 7, NULL, 10);
        *kv = '\0';
    }
    char *lt = strchr(buf, '<'), *gt = strrchr(buf, '>');
    if (lt && gt > lt) {
        snprintf(e->trace, sizeof e->trace, "%.*s", (int)(gt - lt + 1), lt);
        *lt = '\0';
    }
    char word[32] = "", kind[32] = "";
    if (sscanf(buf, "%31s %31s", word, kind) < 1)
        return -1;
    if (strcmp(word, "pass") && strcmp(word, "fail"))
        return -1;
    e->holds = !strcmp(word, "pass");
    snprintf(e->kind, sizeof e->kind, "%s", kind);
    return 0;
}

static size_t read_expects(const char *path, Expect **out)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[8192];
    size_t n = 0, cap = 0;
    int lineno = 0;
    *out = NULL;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *at = strstr(line, "-- expect:");
        if (!at)
            continue;
        line[strcspn(line, "\n")] = '\0';
        if (mem_grow((void **)out, &cap, n + 1, sizeof **out))
            break;
        if (parse_expect(at + 10, lineno, &(*out)[n]) != 0)
            fprintf(stderr, "%s:%d: malformed expectation\n", path, lineno);
        else
            n++;
    }
    fclose(f);
    return n;
}

/* The directory of the store on disk's runs (its files have no names). */
static char disk_dir[] = "/tmp/lockstep-golden-XXXXXX";

static void run_one(Model *m, size_t i, CompileMode sem, unsigned threads,
                    unsigned tree, int disk, Outcome *o)
{
    RunOptions opt = {.semantics = sem};
    opt.explore.threads = threads;
    opt.explore.tree = tree;
    opt.explore.disk = disk ? disk_dir : NULL;
    opt.explore.memory = 64u << 20;
    Diags diags;
    diags_init(&diags);
    RunResult r;
    checkrun_assert(m, i, &opt, &r, &diags);
    memset(o, 0, sizeof *o);
    o->verdict = r.check.verdict;
    o->fail = r.check.fail;
    o->ran = r.check.verdict <= VERDICT_FAIL;
    o->holds = o->ran && checkrun_holds(model_assert(m, i), &r);
    o->states = r.check.stats.states;
    o->transitions = r.check.stats.transitions;
    o->spec_nodes = r.check.spec_nodes;
    snprintf(o->message, sizeof o->message, "%s", r.check.message);
    if (diags.count)
        snprintf(o->message, sizeof o->message, "%s", diags.items[0].message);
    if (r.check.verdict == VERDICT_FAIL) {
        const Cex *c = &r.check.cex;
        o->path = digest(digest(0xcbf29ce484222325ull + c->steps, c->events,
                                c->steps),
                         c->states, c->states ? (c->steps + 1) * c->width : 0);
        size_t len = 0;
        uint32_t *trace = check_trace(&r.check.cex, &len);
        if (trace && (r.check.fail == FAIL_TRACE ||
                      r.check.fail == FAIL_REFUSAL))
            trace[len++] = r.check.cex.culprit;
        if (trace)
            report_trace(model_events(m), trace, len, o->trace,
                         sizeof o->trace);
        mem_free(trace);
    }
    checkrun_free(&r);
    diags_free(&diags);
}

static const char *kind_name(const Outcome *o)
{
    return o->verdict == VERDICT_FAIL ? check_fail_text(o->fail) : "";
}

/* Compares one assertion against its expectation; returns failures. */
static int check_assert(const char *path, Model *m, size_t i, const Expect *e)
{
    Outcome net1, net2, tree, disk, terms;
    run_one(m, i, COMPILE_NETWORK, 1, 0, 0, &net1);
    run_one(m, i, COMPILE_NETWORK, 2, 0, 0, &net2);
    run_one(m, i, COMPILE_NETWORK, 2, 4, 0, &tree); /* leaves of <= 4 bits */
    run_one(m, i, COMPILE_NETWORK, 2, 0, 1, &disk);
    run_one(m, i, COMPILE_TERMS, 1, 0, 0, &terms);
    const char *text = model_assert(m, i)->text;
    int bad = 0;
#define FAILED(...)                                                          \
    do {                                                                     \
        fprintf(stderr, "%s:%d: %s: ", path, e->line, text);                 \
        fprintf(stderr, __VA_ARGS__);                                        \
        fputc('\n', stderr);                                                 \
        bad++;                                                               \
    } while (0)
    if (!net1.ran)
        FAILED("did not run: %s", net1.message);
    else if (net1.holds != e->holds)
        FAILED("expected %s, got %s", e->holds ? "pass" : "fail",
               net1.holds ? "pass" : "fail");
    if (net1.ran && e->kind[0] && strcmp(e->kind, kind_name(&net1)))
        FAILED("expected a %s, got %s", e->kind, kind_name(&net1));
    if (net1.ran && e->trace[0] && strcmp(e->trace, net1.trace))
        FAILED("expected trace %s, got %s", e->trace, net1.trace);
    if (e->states >= 0 && net1.states != (unsigned long long)e->states)
        FAILED("expected %lld states, got %llu", e->states, net1.states);
    if (e->transitions >= 0 &&
        net1.transitions != (unsigned long long)e->transitions)
        FAILED("expected %lld transitions, got %llu", e->transitions,
               net1.transitions);
    if (e->spec_nodes >= 0 &&
        net1.spec_nodes != (unsigned long long)e->spec_nodes)
        FAILED("expected a normal form of %lld nodes, got %llu",
               e->spec_nodes, net1.spec_nodes);
    const Outcome *others[4] = {&net2, &tree, &disk, &terms};
    const char *names[4] = {"2 threads", "the tree store", "the disk store",
                            "explored terms"};
    for (int k = 0; k < 4; k++) {
        const Outcome *o = others[k];
        unsigned long long states = net1.states, trans = net1.transitions;
        if (k == 3 && e->terms_states >= 0)
            states = (unsigned long long)e->terms_states;
        if (k == 3 && e->terms_transitions >= 0)
            trans = (unsigned long long)e->terms_transitions;
        if (o->ran != net1.ran || o->holds != net1.holds ||
            o->fail != net1.fail || o->states != states ||
            o->transitions != trans)
            FAILED("%s differs: %s %s %llu states %llu transitions "
                   "(network, 1 thread: %s %s %llu / %llu)",
                   names[k], o->holds ? "pass" : "fail", kind_name(o),
                   o->states, o->transitions, net1.holds ? "pass" : "fail",
                   kind_name(&net1), net1.states, net1.transitions);
    }
    for (int k = 0; k < 3; k++)
        if (strcmp(others[k]->trace, net1.trace) ||
            others[k]->path != net1.path)
            FAILED("%s gave counterexample %s, 1 thread %s (%s path)",
                   names[k], others[k]->trace, net1.trace,
                   others[k]->path != net1.path ? "another" : "the same");
#undef FAILED
    return bad;
}

static int run_file(const char *path)
{
    Expect *expects = NULL;
    size_t n = read_expects(path, &expects);
    Diags diags;
    diags_init(&diags);
    ModelOptions mopt = {0, 0, 0};
    Model *m = model_load(path, &mopt, &diags);
    int bad = 0;
    if (!m || diags_errors(&diags)) {
        diags_print(&diags, stderr);
        fprintf(stderr, "%s: does not load\n", path);
        bad = 1;
    } else if (model_assert_count(m) != n) {
        fprintf(stderr, "%s: %zu assertions but %zu expectations\n", path,
                model_assert_count(m), n);
        bad = 1;
    } else {
        for (size_t i = 0; i < n; i++)
            bad += check_assert(path, m, i, &expects[i]);
    }
    if (!bad)
        printf("%s: %zu assertions as expected\n", path, n);
    model_free(m);
    diags_free(&diags);
    mem_free(expects);
    return bad;
}

int main(int argc, char **argv)
{
    int bad = 0;
    if (!mkdtemp(disk_dir)) {
        perror("golden_driver: a directory for the disk store");
        return 1;
    }
    for (int i = 1; i < argc; i++)
        bad += run_file(argv[i]);
    if (rmdir(disk_dir) != 0) { /* not empty: a file of a run was left */
        perror(disk_dir);
        bad++;
    }
    return bad ? 1 : 0;
}
