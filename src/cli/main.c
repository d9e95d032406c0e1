/* main: the lockstep command line. Parses arguments, loads the model, runs
 * the verbs, and maps results to exit codes; the only file that calls
 * exit(). Verbs:
 *   check FILE    every assertion of FILE (or one, --assert)
 *   eval FILE [EXPR]   the value of EXPR, or every `print` of FILE
 *   lts FILE PROCESS   states and transitions of PROCESS (--dot: the LTS)
 */
#include "checkrun.h"
#include "compile.h"
#include "dist.h"
#include "explore.h"
#include "limit.h"
#include "lts.h"
#include "mem.h"
#include "model.h"
#include "parse.h"
#include "render.h"
#include "render_msc.h"
#include "report.h"
#include "report_html.h"
#include "stack.h"
#include "termmachine.h"
#include "traceverb.h"
#include "typecheck.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXIT_HOLDS = 0, EXIT_FAILS = 1, EXIT_USAGE = 2, EXIT_LIMIT = 3 };

typedef struct Cli {
    const char *verb;
    const char *file;
    const char *args[256];
    int nargs;
    RunOptions run;
    ReportOptions report;
    const char *assert_sel;
    const char *graph_dir;
    const char *report_path; /* check --report FILE.html */
    RenderFormat graph_format;
    const char *observe[64], *hide[64];
    size_t nobserve, nhide;
    unsigned long max_draw;
    ModelOptions model;
    int limit_hit;        /* loading stopped at an evaluation limit */
    double timeout;       /* seconds for loading and for each assertion */
    double total_timeout; /* seconds for the whole run */
    int quiet, dot;
    int (*run_verb)(struct Cli *);
} Cli;

static const char *const usage_text =
    "usage: lockstep <verb> [options] FILE ...\n"
    "\n"
    "verbs:\n"
    "  check FILE          check every assertion of a CSPM file\n"
    "  eval FILE [EXPR]    print the value of EXPR (or every `print` of FILE)\n"
    "  lts FILE PROCESS    count the states and transitions of PROCESS\n"
    "  trace FILE PROCESS TRACE...\n"
    "                      check recorded traces against PROCESS\n"
    "  typecheck FILE      only type-check FILE (check, eval and trace\n"
    "                      type-check first too)\n"
    "\n"
    "each verb's options: lockstep VERB --help\n"
    "exit codes: 0 every assertion holds, 1 some assertion fails,\n"
    "            2 bad input or usage, 3 a resource limit was hit\n";

static const char *const check_help =
    "usage: lockstep check [options] FILE\n"
    "\n"
    "  -j, --threads N     worker threads (default: every online core)\n"
    "  --assert N|TEXT     run only assertion N (from 1) or the one whose\n"
    "                      text is TEXT\n"
    "  --format text|json  output format (json: one object per assertion)\n"
    "  --max-states N      stop a check after N states (exit 3)\n"
    "  --memory SIZE       peak memory of the whole run, e.g. 2G (default:\n"
    "                      half of physical memory; exit 3 when reached)\n"
    "  --store ram|tree|disk:DIR\n"
    "                      states as packed keys (default), or tree-\n"
    "                      compressed: 8 bytes a state for wide states,\n"
    "                      slower; or on disk in DIR, beyond memory (no\n"
    "                      divergence search); same counts and\n"
    "                      counterexamples\n"
    "  --timeout SECONDS   time for each assertion (and for loading): one\n"
    "                      that runs out is LIMIT, the next ones still run\n"
    "  --total-timeout SECONDS\n"
    "                      time for the whole run (exit 3)\n"
    "  --semantics network|terms\n"
    "                      compiled operator network (default) or explored\n"
    "                      terms (slower; for cross-checking)\n"
    "  --leaf-compression none|sbisim|wbisim\n"
    "                      compress each leaf before exploring (default\n"
    "                      none; FDR's default is sbisim)\n"
    "  --eval-depth N      nested evaluations allowed (default 1000000)\n"
    "  --eval-steps N      evaluation steps allowed (default 500M)\n"
    "  --no-typecheck      evaluate without type-checking the file first\n"
    "  --stats             print states/s, bytes/state, threads, peak memory\n"
    "  --graph DIR         draw each failed assertion's counterexample (and\n"
    "                      a deadlock's wait-for diagram) into DIR\n"
    "  --graph-format svg|dot|png   (default: svg, plus the .dot beside it;\n"
    "                      the sequence chart NAME-N-sequence.svg is always\n"
    "                      SVG)\n"
    "  --report FILE       also write one self-contained HTML page: every\n"
    "                      assertion's verdict and statistics, and for each\n"
    "                      failure its sequence chart, wait-for diagram and\n"
    "                      components\n"
    "  --quiet             no progress line\n";

/* What every verb that loads a file accepts. */
#define LOAD_OPTIONS                                                        \
    "  --no-typecheck      evaluate without type-checking the file first\n" \
    "  --eval-depth N      nested evaluations allowed (default 1000000)\n"  \
    "  --eval-steps N      evaluation steps allowed (default 500M)\n"       \
    "  --memory SIZE       peak memory of the whole run, e.g. 2G (exit 3)\n" \
    "  --timeout SECONDS   stop the run after this long (exit 3)\n"        \
    "  --total-timeout SECONDS   the same\n"

static const char *const eval_help =
    "usage: lockstep eval [options] FILE [EXPR]\n"
    "\n"
    "Prints the value of the CSPM expression EXPR, evaluated in FILE, or\n"
    "of every `print` of FILE when there is no EXPR.\n"
    "\n" LOAD_OPTIONS;

static const char *const lts_help =
    "usage: lockstep lts [options] FILE PROCESS\n"
    "\n"
    "Counts the states and transitions of PROCESS, a process expression of\n"
    "FILE (e.g. 'sbisim(P)'), explored as terms (up to 2,000,000 states).\n"
    "\n"
    "  --dot               print the LTS in Graphviz's dot language\n"
    "  --graph DIR         draw the LTS into DIR (numbered states, listed\n"
    "                      in PROCESS.states.txt beside the picture)\n"
    "  --graph-format svg|dot|png   (default: svg, plus the .dot beside it)\n"
    "  --max-draw N        above N states (default 1000), draw the strongly\n"
    "                      connected components instead (exit 3 if even\n"
    "                      those are more than N)\n"
    LOAD_OPTIONS;

static const char *const trace_help =
    "usage: lockstep trace [options] FILE PROCESS TRACE...\n"
    "\n"
    "Checks each TRACE file (one event per line, as the runtime records)\n"
    "against PROCESS: an event PROCESS cannot do there, or a recorded\n"
    "deadlock PROCESS cannot reach, rejects the trace (exit 1).\n"
    "\n"
    "  --observe C1,C2     the channels the traces record (default: those\n"
    "                      their headers declare); the rest are hidden\n"
    "  --hide C1,C2        channels the traces do not record\n"
    "  --format text|json  output format (json: one object per trace file)\n"
    "  --graph DIR         draw each recorded deadlock's wait-for diagram\n"
    "                      (or the model's components at a rejected event)\n"
    "                      and, for traces up to 2,000 events, the model's\n"
    "                      run along the trace as a sequence chart\n"
    "  --graph-format svg|dot|png   (default: svg, plus the .dot beside it)\n"
    "  -j, --threads N     trace files checked in parallel\n"
    "  --max-states N      at most N states of PROCESS a trace can be in at\n"
    "                      once (default 1,000,000; exit 3 above)\n"
    LOAD_OPTIONS;

static const char *const typecheck_help =
    "usage: lockstep typecheck [options] FILE\n"
    "\n"
    "Only type-checks FILE, as FDR's `refines --typecheck`: silent and exit\n"
    "0 when it is well typed, its type errors and exit 2 otherwise.\n";

/* The --help text of a verb. */
static const char *verb_help(const char *verb)
{
    return !strcmp(verb, "check")  ? check_help
           : !strcmp(verb, "eval") ? eval_help
           : !strcmp(verb, "lts")  ? lts_help
           : !strcmp(verb, "trace") ? trace_help
           : !strcmp(verb, "typecheck") ? typecheck_help
                                        : usage_text;
}

static int usage_error(const char *fmt, const char *what)
{
    fprintf(stderr, "lockstep: ");
    fprintf(stderr, fmt, what);
    fprintf(stderr, "\n(lockstep --help for usage)\n");
    return EXIT_USAGE;
}

/* Parses a count with an optional K/M/G suffix; -1 when malformed. */
static int parse_size(const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0)
        return -1;
    double scale = 1;
    if (*end == 'k' || *end == 'K') scale = 1e3, end++;
    else if (*end == 'm' || *end == 'M') scale = 1024.0 * 1024, end++;
    else if (*end == 'g' || *end == 'G') scale = 1024.0 * 1024 * 1024, end++;
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end)
        return -1;
    *out = (unsigned long long)(v * scale);
    return 0;
}

/* One option with a value; returns 1 when consumed, 0 when not an option
 * of ours, -1 on a bad value (message printed). */
static int parse_valued(Cli *cli, const char *opt, const char *val)
{
    unsigned long long n;
    if (!strcmp(opt, "-j") || !strcmp(opt, "--threads")) {
        if (parse_size(val, &n) || n > 1024)
            return usage_error("bad thread count '%s'", val), -1;
        cli->run.explore.threads = (unsigned)n;
    } else if (!strcmp(opt, "--max-states")) {
        if (parse_size(val, &n) || n == 0)
            return usage_error("bad state count '%s'", val), -1;
        cli->run.explore.max_states = n;
    } else if (!strcmp(opt, "--memory")) {
        if (parse_size(val, &n) || n < 1024 * 1024)
            return usage_error("bad memory size '%s' (at least 1M)", val), -1;
        cli->run.explore.memory = (size_t)n;
    } else if (!strcmp(opt, "--timeout") || !strcmp(opt, "--total-timeout")) {
        char *end;
        double t = strtod(val, &end);
        if (*end || t <= 0)
            return usage_error("bad timeout '%s'", val), -1;
        *(!strcmp(opt, "--timeout") ? &cli->timeout : &cli->total_timeout) = t;
    } else if (!strcmp(opt, "--format")) {
        if (strcmp(val, "text") && strcmp(val, "json"))
            return usage_error("unknown format '%s' (text or json)", val), -1;
        cli->report.format = strcmp(val, "json") ? REPORT_TEXT : REPORT_JSON;
    } else if (!strcmp(opt, "--semantics")) {
        if (strcmp(val, "network") && strcmp(val, "terms"))
            return usage_error("unknown semantics '%s'", val), -1;
        cli->run.semantics = strcmp(val, "terms") ? COMPILE_NETWORK
                                                  : COMPILE_TERMS;
        /* the term semantics numbers states (term ids) as it meets them:
         * each rank of a job would number them differently */
        if (cli->run.semantics == COMPILE_TERMS && dist_size() > 1 &&
            !strcmp(cli->verb, "check"))
            return usage_error("--semantics %s is not distributed over MPI "
                               "(its states are numbered as each process "
                               "meets them): run it as one process", val),
                   -1;
    } else if (!strcmp(opt, "--store")) {
        int disk = !strncmp(val, "disk:", 5);
        if (disk && !val[5])
            return usage_error("--store %s: name a directory for the "
                               "states, e.g. --store disk:/var/tmp", val),
                   -1;
        if (!disk && strcmp(val, "ram") && strcmp(val, "tree"))
            return usage_error("unknown store '%s' (ram, tree or disk:DIR)",
                               val), -1;
        cli->run.explore.tree = strcmp(val, "tree") ? 0 : 64;
        cli->run.explore.disk = disk ? val + 5 : NULL;
        /* an MPI job's ranks keep their states in memory */
        if (disk && dist_size() > 1 && !strcmp(cli->verb, "check"))
            return usage_error("--store %s is not distributed over MPI "
                               "(each rank keeps its states in memory): run "
                               "it as one process", val), -1;
        /* an MPI job's ranks keep packed keys (explore_dist.c) */
        if (cli->run.explore.tree && dist_size() > 1 &&
            !strcmp(cli->verb, "check"))
            return usage_error("--store %s is not distributed over MPI "
                               "(each rank keeps packed keys): run it as "
                               "one process", val), -1;
    } else if (!strcmp(opt, "--leaf-compression")) {
        if (strcmp(val, "none") && strcmp(val, "sbisim") &&
            strcmp(val, "wbisim"))
            return usage_error("unknown leaf compression '%s' (none, sbisim "
                               "or wbisim)", val), -1;
        cli->run.leaf = !strcmp(val, "sbisim")   ? LEAF_SBISIM
                        : !strcmp(val, "wbisim") ? LEAF_WBISIM
                                                 : LEAF_NONE;
    } else if (!strcmp(opt, "--assert")) {
        cli->assert_sel = val;
    } else if (!strcmp(opt, "--observe") || !strcmp(opt, "--hide")) {
        int hide = !strcmp(opt, "--hide");
        /* argv strings are the program's to modify: split in place */
        char *list = (char *)val, *save = NULL;
        for (char *name = strtok_r(list, ",", &save); name;
             name = strtok_r(NULL, ",", &save)) {
            size_t *count = hide ? &cli->nhide : &cli->nobserve;
            if (*count == 64)
                return usage_error("too many channels in %s", opt), -1;
            (hide ? cli->hide : cli->observe)[(*count)++] = name;
        }
    } else if (!strcmp(opt, "--graph")) {
        cli->graph_dir = val;
    } else if (!strcmp(opt, "--report")) {
        if (strcmp(cli->verb, "check"))
            return usage_error("%s is an option of check", opt), -1;
        cli->report_path = val;
    } else if (!strcmp(opt, "--eval-depth") || !strcmp(opt, "--eval-steps")) {
        if (parse_size(val, &n) || n == 0)
            return usage_error("bad limit '%s'", val), -1;
        if (opt[7] == 'd')
            cli->model.max_depth = (size_t)n;
        else
            cli->model.max_steps = n;
    } else if (!strcmp(opt, "--max-draw")) {
        if (parse_size(val, &n) || n == 0)
            return usage_error("bad state count '%s'", val), -1;
        cli->max_draw = (unsigned long)n;
    } else if (!strcmp(opt, "--graph-format")) {
        if (!strcmp(val, "svg")) cli->graph_format = RENDER_SVG;
        else if (!strcmp(val, "dot")) cli->graph_format = RENDER_DOT;
        else if (!strcmp(val, "png")) cli->graph_format = RENDER_PNG;
        else return usage_error("unknown graph format '%s' (svg, dot, png)",
                                val), -1;
    } else {
        return 0;
    }
    return 1;
}

static int is_valued(const char *opt)
{
    static const char *const names[] = {"-j", "--threads", "--max-states",
                                        "--memory", "--timeout",
                                        "--total-timeout", "--format",
                                        "--semantics", "--assert", "--graph",
                                        "--store",
                                        "--report",
                                        "--leaf-compression",
                                        "--graph-format", "--observe",
                                        "--hide", "--max-draw",
                                        "--eval-depth", "--eval-steps", NULL};
    for (int i = 0; names[i]; i++)
        if (!strcmp(opt, names[i]))
            return 1;
    return 0;
}

/* Returns -1 to continue, or an exit code (help printed, or an error). */
static int parse_args(Cli *cli, int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(verb_help(cli->verb), stdout);
            return EXIT_HOLDS;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            cli->quiet = 1;
        } else if (!strcmp(a, "--stats")) {
            cli->report.stats = 1;
        } else if (!strcmp(a, "--no-typecheck")) {
            cli->model.skip_typecheck = 1;
        } else if (!strcmp(a, "--dot")) {
            cli->dot = 1;
        } else if (a[0] == '-' && a[1] == 'j' && a[2]) { /* -j4 */
            if (parse_valued(cli, "-j", a + 2) < 0)
                return EXIT_USAGE;
        } else if (is_valued(a)) {
            if (i + 1 >= argc)
                return usage_error("option %s needs a value", a);
            if (parse_valued(cli, a, argv[++i]) < 0)
                return EXIT_USAGE;
        } else if (a[0] == '-' && a[1] == '-' && strchr(a, '=')) {
            char opt[64];
            size_t n = (size_t)(strchr(a, '=') - a);
            snprintf(opt, sizeof opt, "%.*s", (int)n, a);
            int rc = is_valued(opt) ? parse_valued(cli, opt, a + n + 1) : 0;
            if (rc == 0)
                return usage_error("unknown option '%s'", a);
            if (rc < 0)
                return EXIT_USAGE;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option '%s'", a);
        } else if (!cli->file) {
            cli->file = a;
        } else if (cli->nargs < 256) {
            cli->args[cli->nargs++] = a;
        } else {
            return usage_error("too many arguments ('%s')", a);
        }
    }
    if (!cli->file)
        return usage_error("%s needs a FILE", cli->verb);
    return -1;
}

/* Loads the model; prints diagnostics. NULL when it cannot be used. */
static Model *load(Cli *cli, Diags *diags)
{
    limit_phase("loading the model");
    Model *m = model_load(cli->file, &cli->model, diags);
    if (!m) { /* out of memory: a resource limit like --memory (exit 3) */
        fprintf(stderr, "lockstep: out of memory loading %s\n", cli->file);
        cli->limit_hit = 1;
        return NULL;
    }
    if (diags_errors(diags)) {
        diags_print(diags, stderr);
        if (cli->report.format == REPORT_JSON) /* every outcome in JSON */
            report_errors_json(stdout, diags);
        if (cli->report_path) /* while the model owns the file names */
            report_html_load_errors(cli->report_path, cli->file, diags);
        cli->limit_hit = model_limit_hit(m) || limit_reached() != LIMIT_NONE;
        model_free(m);
        return NULL;
    }
    diags_print(diags, stderr); /* notes and warnings */
    diags_free(diags);
    diags_init(diags);
    return m;
}

/* Which assertions to run: all, or the one --assert names. */
static int select_asserts(const Cli *cli, Model *m, size_t *first,
                          size_t *last)
{
    size_t n = model_assert_count(m);
    *first = 0;
    *last = n;
    if (!cli->assert_sel)
        return 0;
    char *end;
    unsigned long k = strtoul(cli->assert_sel, &end, 10);
    if (!*end && k >= 1 && k <= n) {
        *first = k - 1;
        *last = k;
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (!strcmp(model_assert(m, i)->text, cli->assert_sel)) {
            *first = i;
            *last = i + 1;
            return 0;
        }
    return usage_error("no assertion '%s' in this file (give its number, "
                       "from 1, or its text)", cli->assert_sel);
}

/* The stem of FILE ("models/phils.csp" -> "phils"), for graph names. */
static void model_stem(const char *file, char *buf, size_t len)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    snprintf(buf, len, "%s", base);
    char *dot = strrchr(buf, '.');
    if (dot && dot != buf)
        *dot = '\0';
}

/* Writes one picture in the chosen format, plus its DOT when the format
 * is not DOT itself. Returns 0 or -1 (message printed). */
static int draw_one(const Cli *cli, const char *name, const char *title,
                    const Machine *m, const CheckResult *r, const WaitGraph *w)
{
    RenderFormat formats[2] = {RENDER_DOT, cli->graph_format};
    int n = cli->graph_format == RENDER_DOT ? 1 : 2;
    for (int i = 0; i < n; i++) {
        char path[4096], err[512];
        snprintf(path, sizeof path, "%s/%s.%s", cli->graph_dir, name,
                 render_extension(formats[i]));
        int rc = w ? render_waitgraph(w, title, path, formats[i], err,
                                      sizeof err)
                   : render_cex(m, r, title, path, formats[i], err,
                                sizeof err);
        if (rc != 0) {
            fprintf(stderr, "lockstep: %s\n", err);
            return -1;
        }
    }
    return 0;
}

/* The sequence chart, always SVG (written by hand, not laid out). */
static int draw_sequence(const Cli *cli, const char *stem, size_t index,
                         const char *title, const RunResult *r)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-%zu-sequence.svg", cli->graph_dir,
             stem, index + 1);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "lockstep: cannot write %s: %s\n", path,
                strerror(errno));
        return -1;
    }
    int rc = render_msc(r->machine, &r->check, title, 1, f);
    if (fclose(f) != 0 || rc != 0) {
        fprintf(stderr, "lockstep: cannot write %s\n", path);
        return -1;
    }
    return 0;
}

/* The pictures of one failed assertion: its counterexample, and for a
 * deadlock of a compiled network the wait-for diagram. */
static int draw(const Cli *cli, Model *m, size_t index, const RunResult *r)
{
    if (!cli->graph_dir || r->check.verdict != VERDICT_FAIL)
        return 0;
    char stem[256], name[512];
    model_stem(cli->file, stem, sizeof stem);
    const char *kind = check_fail_text(r->check.fail);
    snprintf(name, sizeof name, "%s-%zu-%s", stem, index + 1, kind);
    const char *title = model_assert(m, index)->text;
    if (draw_one(cli, name, title, r->machine, &r->check, NULL) != 0 ||
        draw_sequence(cli, stem, index, title, r) != 0)
        return -1;
    const Cex *c = &r->check.cex;
    WaitGraph w;
    if (r->check.fail != FAIL_DEADLOCK ||
        render_waitgraph_of(r->machine, c->states + c->steps * c->width, &w))
        return 0;
    snprintf(name, sizeof name, "%s-%zu-waitfor", stem, index + 1);
    int rc = draw_one(cli, name, title, NULL, NULL, &w);
    render_waitgraph_free(&w);
    return rc;
}

/* The folder of --graph: made when missing (its parent must exist). */
static int check_graph_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0 && mkdir(dir, 0777) != 0) {
        fprintf(stderr, "lockstep: --graph: cannot make the folder '%s': "
                "%s\n", dir, strerror(errno));
        return EXIT_USAGE;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return usage_error("--graph: '%s' is not a directory", dir);
    if (access(dir, W_OK) != 0)
        return usage_error("--graph: cannot write into '%s'", dir);
    return 0;
}

static int verb_check(Cli *cli)
{
    if (cli->graph_dir && check_graph_dir(cli->graph_dir) != 0)
        return EXIT_USAGE;
    Diags diags;
    diags_init(&diags);
    Model *m = load(cli, &diags);
    if (!m)
        return diags_free(&diags), cli->limit_hit ? EXIT_LIMIT : EXIT_USAGE;
    size_t first, last;
    int code = select_asserts(cli, m, &first, &last);
    if (code) {
        model_free(m);
        return code;
    }
    if (last == first && cli->report.format == REPORT_TEXT)
        printf("%s: no assertions\n", cli->file);
    cli->run.explore.progress = !cli->quiet;
    int fails = 0, limits = 0, errors = 0;
    size_t compressions = 0, html_compressions = 0;
    HtmlReport *html = NULL;
    if (cli->report_path &&
        !(html = report_html_new(cli->report_path, cli->file))) {
        model_free(m);
        return fputs("lockstep: out of memory\n", stderr), EXIT_LIMIT;
    }
    Diags said; /* each evaluation error once, however many checks meet it */
    diags_init(&said);
    for (size_t i = first; i < last; i++) {
        RunResult r;
        limit_lap(cli->timeout); /* each assertion its own time */
        limit_phase("checking an assertion");
        checkrun_assert(m, i, &cli->run, &r, &diags);
        diags_print_new(&diags, &said, stderr);
        diags_free(&diags);
        diags_init(&diags);
        report_assert(stdout, m, i, &r, &cli->report, &compressions);
        fflush(stdout);
        limit_phase("drawing a counterexample");
        if (draw(cli, m, i, &r) != 0)
            errors++;
        if (html)
            report_html_assert(html, m, i, &r, &html_compressions);
        if (r.check.verdict == VERDICT_LIMIT)
            limits++;
        else if (r.check.verdict == VERDICT_ERROR)
            errors++;
        else if (!checkrun_holds(model_assert(m, i), &r))
            fails++;
        checkrun_free(&r);
    }
    limit_phase("writing the report");
    if (html && report_html_finish(html) != 0)
        errors++;
    model_free(m);
    diags_free(&diags);
    diags_free(&said);
    if (errors)
        return EXIT_USAGE;
    if (limits)
        return EXIT_LIMIT;
    return fails ? EXIT_FAILS : EXIT_HOLDS;
}

static int verb_eval(Cli *cli)
{
    Diags diags;
    diags_init(&diags);
    Model *m = load(cli, &diags);
    if (!m)
        return diags_free(&diags), cli->limit_hit ? EXIT_LIMIT : EXIT_USAGE;
    limit_phase("evaluating");
    int rc = cli->nargs ? model_eval_print(m, cli->args[0], stdout, &diags)
                        : model_print_statements(m, stdout, &diags);
    int limited = model_limit_hit(m) || limit_reached() != LIMIT_NONE;
    diags_print(&diags, stderr);
    diags_free(&diags);
    model_free(m);
    return rc == 0 ? EXIT_HOLDS : limited ? EXIT_LIMIT : EXIT_USAGE;
}

/* typecheck FILE: parse and type-check, evaluate nothing (FDR's
 * `refines --typecheck`). 0 when the file is well typed, else 2. */
static int verb_typecheck(Cli *cli)
{
    Diags diags;
    diags_init(&diags);
    Arena *arena = arena_new();
    if (!arena)
        return fputs("lockstep: out of memory\n", stderr), EXIT_LIMIT;
    Module *mod = parse_file(cli->file, arena, &diags);
    int rc = !mod ? -1 : diags_errors(&diags) ? 0
                                                : typecheck_module(mod, &diags);
    if (rc < 0)
        fprintf(stderr, "lockstep: out of memory type-checking %s\n",
                cli->file);
    diags_print(&diags, stderr);
    int bad = rc != 0 || diags_errors(&diags);
    diags_free(&diags);
    arena_free(arena);
    return rc < 0 ? EXIT_LIMIT : bad ? EXIT_USAGE : EXIT_HOLDS;
}

static void lts_dot(TermTable *terms, const Lts *lts)
{
    EventTable *ev = term_events(terms);
    printf("digraph lts {\n  node [shape=circle];\n");
    for (uint32_t s = 0; s < lts->states; s++) {
        char text[200];
        term_print(terms, lts->term[s], text, sizeof text);
        printf("  s%u [label=\"", s);
        for (const char *p = text; *p; p++)
            printf(*p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
        printf("\"%s];\n", s == 0 ? ", style=bold" : "");
        for (uint32_t k = lts->offset[s]; k < lts->offset[s + 1]; k++)
            printf("  s%u -> s%u [label=\"%s\"];\n", s, lts->target[k],
                   event_name(ev, lts->event[k]));
    }
    printf("}\n");
}

/* NAME.states.txt beside the picture: each state's number and term,
 * sets of many events by their channels. */
static int write_states(const char *path, TermTable *terms, const Lts *lts)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    char text[4096];
    for (uint32_t s = 0; s < lts->states; s++) {
        term_print_brief(terms, lts->term[s], text, sizeof text);
        fprintf(f, "%u: %s\n", s, text);
    }
    return fclose(f);
}

/* lts --graph: the LTS as a picture with its states listed beside it, or
 * its strongly connected components above --max-draw states. */
static int draw_lts(const Cli *cli, Model *m, const Lts *lts)
{
    unsigned long limit = cli->max_draw ? cli->max_draw : 1000;
    char name[256], path[4096], err[512];
    snprintf(name, sizeof name, "%s", cli->args[0]);
    for (char *c = name; *c; c++) /* a safe file name: PHIL(0) is PHIL_0 */
        if (!(*c == '-' || *c == '_' || (*c >= '0' && *c <= '9') ||
              ((*c | 32) >= 'a' && (*c | 32) <= 'z')))
            *c = '_';
    RenderFormat formats[2] = {RENDER_DOT, cli->graph_format};
    for (int i = 0; i < (cli->graph_format == RENDER_DOT ? 1 : 2); i++) {
        snprintf(path, sizeof path, "%s/%s.%s", cli->graph_dir, name,
                 render_extension(formats[i]));
        if (render_lts(lts, model_terms(m), cli->args[0], (uint32_t)limit,
                       path, formats[i], err, sizeof err) != 0) {
            fprintf(stderr, "lockstep: %s\n", err);
            return lts->states > limit ? EXIT_LIMIT : EXIT_USAGE;
        }
    }
    snprintf(path, sizeof path, "%s/%s.states.txt", cli->graph_dir, name);
    if (write_states(path, model_terms(m), lts) != 0) {
        fprintf(stderr, "lockstep: cannot write %s: %s\n", path,
                strerror(errno));
        return EXIT_USAGE;
    }
    if (lts->states > limit)
        printf("drew the strongly connected components of %s's %u states "
               "(more than --max-draw %lu); the states are listed in %s\n",
               cli->args[0], lts->states, limit, path);
    else
        printf("drew %s's %u state%s; their terms are listed in %s\n",
               cli->args[0], lts->states, lts->states == 1 ? "" : "s", path);
    return EXIT_HOLDS;
}

static int verb_lts(Cli *cli)
{
    if (cli->graph_dir && check_graph_dir(cli->graph_dir) != 0)
        return EXIT_USAGE;
    if (cli->nargs != 1)
        return usage_error("%s", "lts needs FILE and PROCESS");
    Diags diags;
    diags_init(&diags);
    Model *m = load(cli, &diags);
    if (!m)
        return diags_free(&diags), cli->limit_hit ? EXIT_LIMIT : EXIT_USAGE;
    uint32_t term = model_process(m, cli->args[0], &diags);
    /* the same start as the checks: the static operators unfolded, so that
     * SYSTEM and its body are one state */
    if (term != TERM_NONE)
        term = termmachine_canonical(model_terms(m), term);
    int code = EXIT_HOLDS;
    Lts lts;
    if (term == TERM_NONE) {
        code = EXIT_USAGE;
    } else if (lts_explore(model_terms(m), term, 2000000, &lts) != LTS_OK) {
        const char *why = term_last_error(model_terms(m));
        model_take_errors(m, &diags);
        fprintf(stderr, "lockstep: cannot explore %s%s%s\n", cli->args[0],
                why ? ": " : " (over 2,000,000 states?)", why ? why : "");
        lts_free(&lts); /* the path to the state that failed, if any */
        code = EXIT_LIMIT;
    } else {
        if (cli->dot)
            lts_dot(model_terms(m), &lts);
        else
            printf("%s: %u states, %u transitions\n", cli->args[0],
                   lts.states, lts.transitions);
        if (cli->graph_dir)
            code = draw_lts(cli, m, &lts);
        lts_free(&lts);
    }
    diags_print(&diags, stderr);
    diags_free(&diags);
    model_free(m);
    return code;
}

static int verb_trace(Cli *cli)
{
    if (cli->nargs < 2)
        return usage_error("%s", "trace needs FILE, PROCESS and at least one "
                                 "TRACE file");
    Diags diags;
    diags_init(&diags);
    Model *m = load(cli, &diags);
    if (!m)
        return diags_free(&diags), cli->limit_hit ? EXIT_LIMIT : EXIT_USAGE;
    TraceOptions opt = {cli->observe, cli->nobserve, cli->hide, cli->nhide,
                        cli->report.format == REPORT_JSON,
                        cli->run.explore.max_states,
                        cli->run.explore.threads, cli->graph_dir,
                        cli->graph_format};
    if (cli->graph_dir && check_graph_dir(cli->graph_dir) != 0) {
        model_free(m);
        return EXIT_USAGE;
    }
    limit_phase("verifying the traces");
    int rc = traceverb_run(m, cli->args[0], cli->args + 1,
                           (size_t)cli->nargs - 1, &opt, stdout, &diags);
    diags_print(&diags, stderr);
    diags_free(&diags);
    model_free(m);
    return rc;
}

/* --memory bounds the whole process (by default half of physical memory):
 * the watchdog of limit.h enforces it in every phase. */
/* --memory bounds the whole job: an MPI job's ranks share it equally;
 * the default, half of a machine's memory, is shared by the ranks on
 * that machine. */
static size_t process_budget(const Cli *cli)
{
    return cli->run.explore.memory
               ? cli->run.explore.memory / (size_t)dist_size()
               : limit_default_budget() / (size_t)dist_local_size();
}

/* The verb, on a thread with room for the recursion of long chains. */
static int run_verb(void *cli)
{
    return ((Cli *)cli)->run_verb(cli);
}

/* Started by mpirun with several processes? A build without MPI would
 * check the whole model in each and print the same verdicts N times, so
 * it says so instead; a build with MPI joins the job (dist.h). Open MPI
 * and PMIx/Slurm launchers set these. */
static int launched_in_parallel(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE",
                                       "PMIX_SIZE", NULL};
    for (int i = 0; vars[i]; i++) {
        const char *v = getenv(vars[i]);
        if (v && atoi(v) > 1)
            return atoi(v);
    }
    return 0;
}

static int run_main(int argc, char **argv)
{
    if (argc < 2)
        return fputs(usage_text, stderr), EXIT_USAGE;
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help"))
        return fputs(usage_text, stdout), EXIT_HOLDS;
    if (!strcmp(argv[1], "--version")) {
        const char *mpi = dist_library();
        printf("lockstep " LOCKSTEP_VERSION " (%s%s)\n",
               mpi ? "MPI: " : "without MPI", mpi ? mpi : "");
        return EXIT_HOLDS;
    }
    Cli cli = {.verb = argv[1], .graph_format = RENDER_SVG};
    int (*verb)(Cli *) = NULL;
    if (!strcmp(argv[1], "check"))
        verb = verb_check;
    else if (!strcmp(argv[1], "eval"))
        verb = verb_eval;
    else if (!strcmp(argv[1], "lts"))
        verb = verb_lts;
    else if (!strcmp(argv[1], "trace"))
        verb = verb_trace;
    else if (!strcmp(argv[1], "typecheck"))
        verb = verb_typecheck;
    else
        return usage_error("unknown verb '%s'", argv[1]);
    int rc = parse_args(&cli, argc, argv);
    if (rc >= 0)
        return rc;
    /* an MPI job's round of exchanges, in words a rank (a tuning knob) */
    const char *round = getenv("LOCKSTEP_MPI_ROUND_WORDS");
    unsigned long long words = 0;
    if (round && (parse_size(round, &words) || words == 0))
        return usage_error("bad LOCKSTEP_MPI_ROUND_WORDS '%s' (a positive "
                           "count of words)", round);
    cli.run.explore.round_words = (size_t)words;
    if (dist_rank() != 0) /* rank 0 writes the pictures and the report */
        cli.graph_dir = cli.report_path = NULL;
    if (access(cli.file, R_OK) != 0)
        return fprintf(stderr, "%s: error: cannot read file: %s\n", cli.file,
                       strerror(errno)),
               EXIT_USAGE;
    cli.run_verb = verb;
    limit_start(cli.total_timeout, process_budget(&cli));
    limit_lap(cli.timeout); /* loading, and all of any verb but check */
    return stack_run(STACK_BIG, run_verb, &cli);
}

/* Every rank of an MPI job runs the same command; rank 0 speaks for the
 * job (the others' output goes nowhere) and all end with the same exit
 * code, as every collective gave them the same answers. */
int main(int argc, char **argv)
{
    int ranks = launched_in_parallel();
    if (ranks && !dist_built())
        return fprintf(stderr, "lockstep: started as %d MPI processes, but "
                       "this build has no MPI support: run one process "
                       "(-j N for threads), or build with Open MPI "
                       "(libopenmpi-dev) installed\n", ranks),
               EXIT_USAGE;
    if (ranks && dist_init(&argc, &argv) < 0)
        return fprintf(stderr, "lockstep: could not join the MPI job\n"),
               EXIT_LIMIT;
    if (dist_rank() != 0 && (!freopen("/dev/null", "w", stdout) ||
                             !freopen("/dev/null", "w", stderr)))
        dist_abort(EXIT_LIMIT);
    int rc = run_main(argc, argv);
    dist_finish();
    return rc;
}
