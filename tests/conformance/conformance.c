/* conformance: lockstep against the shared corpus of CSPM files written by
 * others (../shared/conformance, see its MANIFEST): reads expected.tsv and
 * checks every line it can: (parse), (typecheck) by the type checker alone
 * (a should-fail file must give a type error, not a parse error),
 * (evaluate) and (desugar) errors, `eval testX == true`, and the verdicts of
 * `#N: assert` lines. Prints a pass rate per category and each failure.
 *
 * Disputed lines: tests/conformance/disputed.tsv (file, line, what we
 * give instead, why) lists expectations we believe wrong, each with its
 * evidence (a golden test derived by hand). Such a line is run against our
 * expectation: when it holds, the line is reported as DISPUTED, apart from
 * passes and failures; when it does not, it fails as usual.
 *
 * usage: conformance SHARED_DIR [BASELINE [DISPUTED]]
 * Skips (exit 77) when SHARED_DIR/conformance is absent. With BASELINE (a
 * file of "category minimum" lines) it fails when a category passes fewer
 * lines than its minimum: progress is recorded there, regressions fail.
 * Each check stops after 20 s, or LOCKSTEP_CONFORMANCE_TIMEOUT seconds when
 * that is set (the sanitizer builds set it: they run several times slower,
 * and a check cut short counts as a failed line). */
#include "checkrun.h"
#include "mem.h"
#include "parse.h"
#include "typecheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { SKIP = 77, MAX_CAT = 8 };

typedef struct Category {
    const char *name;
    int pass, total;
} Category;

static Category cats[MAX_CAT] = {
    {"parse", 0, 0}, {"typecheck", 0, 0}, {"evaluate", 0, 0},
    {"desugar", 0, 0}, {"eval-test", 0, 0}, {"assertion", 0, 0},
};

static Category *category(const char *name)
{
    for (int i = 0; i < MAX_CAT && cats[i].name; i++)
        if (!strcmp(cats[i].name, name))
            return &cats[i];
    return NULL;
}

/* The model of the file last loaded, reused for its following lines. */
static char loaded_path[4096];
static Model *loaded;
static int loaded_errors;
static char loaded_first_error[512];

static Model *load(const char *path)
{
    if (!strcmp(path, loaded_path))
        return loaded;
    model_free(loaded);
    Diags diags;
    diags_init(&diags);
    ModelOptions opt = {2000, 50000000, 0};
    loaded = model_load(path, &opt, &diags);
    loaded_errors = (int)diags_errors(&diags);
    snprintf(loaded_first_error, sizeof loaded_first_error, "%s",
             diags.count ? diags.items[0].message : "");
    for (size_t i = 0; i < diags.count; i++)
        if (diags.items[i].kind == DIAG_ERROR) {
            snprintf(loaded_first_error, sizeof loaded_first_error, "%d:%d: %s",
                     diags.items[i].pos.line, diags.items[i].pos.col,
                     diags.items[i].message);
            break;
        }
    diags_free(&diags);
    snprintf(loaded_path, sizeof loaded_path, "%s", path);
    return loaded;
}

static int parses(const char *path, char *why, size_t len)
{
    Arena *arena = arena_new();
    Diags diags;
    diags_init(&diags);
    parse_file(path, arena, &diags);
    int ok = diags_errors(&diags) == 0;
    if (!ok && diags.count)
        snprintf(why, len, "%d:%d: %s", diags.items[0].pos.line,
                 diags.items[0].pos.col, diags.items[0].message);
    diags_free(&diags);
    arena_free(arena);
    return ok;
}

/* (typecheck): parse, then type-check. 1 when well typed; 0 with a type
 * error; -1 when the file does not even parse (or a crash-free failure
 * of another kind), which never counts as a type error. */
static int typechecks(const char *path, char *why, size_t len)
{
    Arena *arena = arena_new();
    Diags diags;
    diags_init(&diags);
    Module *m = parse_file(path, arena, &diags);
    int rc = -1;
    if (m && !diags_errors(&diags)) {
        int errors = typecheck_module(m, &diags);
        rc = errors == 0 ? 1 : errors > 0 ? 0 : -1;
    }
    if (diags.count)
        snprintf(why, len, "%d:%d: %s", diags.items[0].pos.line,
                 diags.items[0].pos.col, diags.items[0].message);
    else
        snprintf(why, len, "no error");
    diags_free(&diags);
    arena_free(arena);
    return rc;
}

/* `eval testX == true`: the binding evaluates to true. */
static int eval_true(const char *path, const char *name, char *why, size_t len)
{
    Model *m = load(path);
    if (!m || loaded_errors) {
        snprintf(why, len, "does not load: %s", loaded_first_error);
        return 0;
    }
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    Diags diags;
    diags_init(&diags);
    int rc = model_eval_print(m, name, out, &diags);
    fclose(out);
    int ok = rc == 0 && text && !strcmp(text, "true\n");
    if (!ok)
        snprintf(why, len, "%s", rc == 0 && text ? text
                                 : diags.count ? diags.items[0].message : "?");
    free(text);
    diags_free(&diags);
    return ok;
}

/* Evaluates every top-level binding whose name starts with "test" (found
 * at the start of a line); *errors counts those that fail or are false. */
static int eval_tests(const char *path, Model *m, int *errors)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[4096];
    *errors = 0;
    int count = 0;
    while (fgets(line, sizeof line, f)) {
        size_t n = 0;
        if (strncmp(line, "test", 4))
            continue;
        while (line[n] && (line[n] == '_' || (line[n] >= '0' && line[n] <= '9') ||
                           (line[n] >= 'a' && line[n] <= 'z') ||
                           (line[n] >= 'A' && line[n] <= 'Z')))
            n++;
        const char *rest = line + n;
        while (*rest == ' ')
            rest++;
        if (*rest != '=' || rest[1] == '=')
            continue;
        line[n] = '\0';
        char why[256];
        count++;
        (void)m;
        if (!eval_true(path, line, why, sizeof why))
            (*errors)++;
    }
    fclose(f);
    return count;
}

/* Seconds allowed per check: 20 unless LOCKSTEP_CONFORMANCE_TIMEOUT says
 * otherwise (a positive number). */
static double check_timeout(void)
{
    const char *env = getenv("LOCKSTEP_CONFORMANCE_TIMEOUT");
    char *end;
    double seconds = env ? strtod(env, &end) : 0;
    return env && end != env && *end == '\0' && seconds > 0 ? seconds : 20;
}

/* The N-th assertion's verdict against pass/fail. */
static int assertion(const char *path, int n, const char *expected, char *why,
                     size_t len)
{
    Model *m = load(path);
    if (!m || loaded_errors) {
        snprintf(why, len, "does not load: %s", loaded_first_error);
        return 0;
    }
    if (n < 1 || (size_t)n > model_assert_count(m)) {
        snprintf(why, len, "the file has %zu assertions",
                 model_assert_count(m));
        return 0;
    }
    RunOptions opt = {.semantics = COMPILE_NETWORK};
    opt.explore.max_states = 2000000;
    opt.explore.timeout = check_timeout();
    opt.explore.memory = 512u << 20;
    Diags diags;
    diags_init(&diags);
    RunResult r;
    checkrun_assert(m, (size_t)n - 1, &opt, &r, &diags);
    int ok = 0;
    if (r.check.verdict > VERDICT_FAIL)
        snprintf(why, len, "no verdict: %s", diags.count
                                                  ? diags.items[0].message
                                                  : r.check.message);
    else {
        int holds = checkrun_holds(model_assert(m, (size_t)n - 1), &r);
        ok = holds == !strcmp(expected, "pass");
        if (!ok)
            snprintf(why, len, "expected %s, got %s", expected,
                     holds ? "pass" : "fail");
    }
    checkrun_free(&r);
    diags_free(&diags);
    return ok;
}

/* One line of expected.tsv: its category and whether it passed. */
static int run_line(const char *dir, char *file, char *what, char *expected,
                    Category **cat, char *why, size_t len)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    why[0] = '\0';
    if (!strcmp(what, "(parse)")) {
        *cat = category("parse");
        int ok = parses(path, why, len);
        return !strcmp(expected, "pass") ? ok : !ok;
    }
    if (!strcmp(what, "(typecheck)")) {
        *cat = category("typecheck");
        int rc = typechecks(path, why, len);
        return !strcmp(expected, "pass") ? rc == 1 : rc == 0;
    }
    if (!strcmp(what, "(desugar)") || !strcmp(what, "(evaluate)")) {
        *cat = category(what[1] == 'd' ? "desugar" : "evaluate");
        Model *m = load(path);
        int failed = !m || loaded_errors;
        if (!failed && !strcmp(what, "(evaluate)")) {
            int errors = 0;
            eval_tests(path, m, &errors);
            failed = errors > 0;
        }
        snprintf(why, len, "%s", failed ? loaded_first_error : "no error");
        return !strcmp(expected, "pass") ? !failed : failed;
    }
    if (!strncmp(what, "eval ", 5)) {
        *cat = category("eval-test");
        char name[256];
        if (sscanf(what + 5, "%255s", name) != 1)
            return 0;
        return eval_true(path, name, why, len);
    }
    if (what[0] == '#') {
        *cat = category("assertion");
        return assertion(path, atoi(what + 1), expected, why, len);
    }
    *cat = NULL;
    return 0;
}

/* The disputed lines: "file\twhat\tour expectation\treason" each. */
enum { MAX_DISPUTED = 32 };
static struct Disputed {
    char file[512], what[512], ours[32], reason[1024];
} disputed[MAX_DISPUTED];
static int disputed_count, disputed_seen;

static void read_disputed(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    while (f && disputed_count < MAX_DISPUTED && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *file = strtok(line, "\t"), *what = strtok(NULL, "\t"),
             *ours = strtok(NULL, "\t"), *reason = strtok(NULL, "\t");
        if (!file || file[0] == '#' || !what || !ours || !reason)
            continue;
        struct Disputed *d = &disputed[disputed_count++];
        snprintf(d->file, sizeof d->file, "%s", file);
        snprintf(d->what, sizeof d->what, "%s", what);
        snprintf(d->ours, sizeof d->ours, "%s", ours);
        snprintf(d->reason, sizeof d->reason, "%s", reason);
    }
    if (f)
        fclose(f);
}

static const struct Disputed *find_disputed(const char *file, const char *what)
{
    for (int i = 0; i < disputed_count; i++)
        if (!strcmp(disputed[i].file, file) && !strcmp(disputed[i].what, what))
            return &disputed[i];
    return NULL;
}

static int check_baseline(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot read the baseline %s\n", path);
        return 1;
    }
    char name[64];
    int min, bad = 0;
    while (fscanf(f, "%63s %d", name, &min) == 2) {
        Category *c = category(name);
        if (c && c->pass < min) {
            printf("REGRESSION: %s passes %d lines, the baseline says %d\n",
                   name, c->pass, min);
            bad = 1;
        }
    }
    fclose(f);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return fprintf(stderr, "usage: conformance SHARED_DIR [BASELINE "
                               "[DISPUTED]]\n"), 2;
    if (argc > 3)
        read_disputed(argv[3]);
    char dir[4096], tsv[4200];
    snprintf(dir, sizeof dir, "%s/conformance", argv[1]);
    snprintf(tsv, sizeof tsv, "%s/expected.tsv", dir);
    struct stat st;
    if (stat(tsv, &st) != 0) {
        printf("skipping: %s not found (the shared conformance corpus is "
               "not on this machine)\n", tsv);
        return SKIP;
    }
    FILE *f = fopen(tsv, "r");
    char line[8192];
    while (f && fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        line[strcspn(line, "\n")] = '\0';
        char *file = strtok(line, "\t"), *what = strtok(NULL, "\t"),
             *expected = strtok(NULL, "\t");
        if (!file || !what || !expected)
            continue;
        Category *cat = NULL;
        char why[600];
        const struct Disputed *d = find_disputed(file, what);
        char ours[32];
        snprintf(ours, sizeof ours, "%s", d ? d->ours : "");
        if (d && run_line(dir, file, what, ours, &cat, why, sizeof why) &&
            cat) {
            printf("DISPUTED [%s] %s %s (expected %s, we give %s): %s\n",
                   cat->name, file, what, expected, d->ours, d->reason);
            disputed_seen++;
            cat->total++;
            continue;
        }
        int ok = run_line(dir, file, what, expected, &cat, why, sizeof why);
        if (!cat)
            continue;
        cat->total++;
        cat->pass += ok;
        if (!ok)
            printf("FAIL [%s] %s %s (expected %s): %s\n", cat->name, file, what,
                   expected, why);
    }
    if (f)
        fclose(f);
    model_free(loaded);
    if (disputed_seen)
        printf("\n%d line(s) disputed (tests/conformance/disputed.tsv): "
               "counted in the totals, not as passes\n", disputed_seen);
    printf("\n%-10s %6s %6s\n", "category", "pass", "total");
    for (int i = 0; i < MAX_CAT && cats[i].name; i++)
        printf("%-10s %6d %6d  %5.1f%%\n", cats[i].name, cats[i].pass,
               cats[i].total,
               cats[i].total ? 100.0 * cats[i].pass / cats[i].total : 100.0);
    return argc > 2 ? check_baseline(argv[2]) : 0;
}
