/* traceverb: recorded traces against a model. See traceverb.h. */
#include "traceverb.h"

#include "compile.h"
#include "hash.h"
#include "limit.h"
#include "mem.h"
#include "render_msc.h"
#include "report.h"
#include "tracefile.h"
#include "tracepath.h"
#include "traceverify.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { CONTEXT = 5 }; /* accepted events shown before a deviation */
/* Traces up to this long get a sequence chart with --graph (finding a
 * path along the trace costs memory per event). */
enum { CHART_EVENTS = 2000 };

typedef struct Observer {
    Model *m;
    const TraceOptions *opt;
    const TraceFile *file;
} Observer;

static int listed(const char *name, const char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], name))
            return 1;
    return 0;
}

/* Hidden: named by --hide; else not named by --observe when given; else
 * not declared by the trace's header when it declares channels. */
static int is_hidden(void *ud, uint32_t event)
{
    const Observer *o = ud;
    const char *text = event_name(model_events(o->m), event);
    char name[256];
    size_t n = strcspn(text, ".");
    snprintf(name, sizeof name, "%.*s", (int)(n < 255 ? n : 255), text);
    if (listed(name, o->opt->hide, o->opt->nhide))
        return 1;
    if (o->opt->nobserve)
        return !listed(name, o->opt->observe, o->opt->nobserve);
    if (o->file->nchannels)
        return !listed(name, (const char **)o->file->channels,
                       o->file->nchannels);
    return 0;
}

typedef struct Outcome {
    long events;           /* accepted */
    int rejected;
    long line;             /* of the rejected event */
    char event[256];
    uint32_t context[CONTEXT];
    size_t ncontext;
    int deadlock;          /* 0 none recorded, 1 predicted, -1 not */
    int complete;          /* 0: a header but no "# end", or a wrong count */
    uint32_t *offers;
    size_t noffers;
    size_t states;
    const uint32_t *state; /* one state of the set, for the components */
    /* The accepted events and the rejected one, for the sequence chart:
     * kept while there are at most CHART_EVENTS (a longer run is drawn
     * as its wait-for diagram only). */
    uint32_t *ids;
    size_t nids, ids_cap;
    int ids_full;
} Outcome;

/* For the chart: the ids of a short trace. */
static void keep_id(Outcome *o, uint32_t id)
{
    if (o->ids_full)
        return;
    if (o->nids == CHART_EVENTS ||
        mem_grow((void **)&o->ids, &o->ids_cap, o->nids + 1,
                 sizeof *o->ids) != 0) {
        o->ids_full = 1;
        return;
    }
    o->ids[o->nids++] = id;
}

static void remember(Outcome *o, uint32_t id)
{
    if (o->ncontext == CONTEXT)
        memmove(o->context, o->context + 1, (CONTEXT - 1) * sizeof *o->context);
    else
        o->ncontext++;
    o->context[o->ncontext - 1] = id;
}

/* A per-file cache from event text to id: the event table's lock would
 * otherwise be taken for every line, by every thread. Direct-mapped and
 * lossy (a clash just asks the table again). */
enum { CACHE_SLOTS = 4096, CACHE_TEXT = 48 };

typedef struct Reader {
    Model *m;
    pthread_mutex_t *model_lock; /* the evaluator is single-threaded */
    Diags *diags;
    char text[CACHE_SLOTS][CACHE_TEXT];
    uint32_t id[CACHE_SLOTS];
} Reader;

static size_t cache_slot(const char *text)
{
    uint64_t h = hash_string(text);
    return (size_t)(h ^ (h >> 32)) & (CACHE_SLOTS - 1);
}

/* The id of an event line: the cache, the event table, and for an event
 * never seen the evaluator (which also checks the channel and its types). */
static uint32_t event_of(Reader *r, const char *text, SrcPos at)
{
    size_t slot = cache_slot(text);
    if (!strcmp(r->text[slot], text))
        return r->id[slot];
    uint32_t id = event_lookup(model_events(r->m), text);
    if (id == EVENT_NONE || id <= EVENT_TICK) {
        pthread_mutex_lock(r->model_lock);
        id = model_event(r->m, text, at, r->diags);
        pthread_mutex_unlock(r->model_lock);
    }
    if (id != EVENT_NONE && strlen(text) < CACHE_TEXT) {
        strcpy(r->text[slot], text);
        r->id[slot] = id;
    }
    return id;
}

/* What the set of model states says at the end (or at the deviation). */
static int conclude(TraceVerifier *tv, const TraceFile *tf, Outcome *o)
{
    if (traceverify_offers(tv, &o->offers, &o->noffers) != 0)
        return 2;
    o->states = traceverify_count(tv);
    o->state = o->states ? traceverify_state(tv, 0) : NULL;
    /* A file with a version line that lacks its "# end N events" was cut
     * short (the program was killed): what is there is still checked. A
     * headerless file is plain events and has no end line to miss. At a
     * rejected event the reading stopped, short of the end line: nothing
     * is known, and a complete file must not be called cut short. */
    o->complete = tf->version == 0 || o->rejected ||
                  (tf->declared_events >= 0 &&
                   tf->declared_events == o->events);
    if (!o->rejected && tf->deadlock) {
        long k = traceverify_deadlock(tv);
        o->deadlock = k >= 0 ? 1 : -1;
        if (k >= 0)
            o->state = traceverify_state(tv, (size_t)k);
    }
    return 0;
}

/* Reads and steps through one file. Returns an exit code for it. */
static int verify_file(Reader *r, TraceVerifier *tv, TraceFile *tf,
                       Outcome *o)
{
    if (traceverify_start(tv) != TRACE_OK)
        return 3;
    const char *text;
    TraceRecord rec;
    while ((rec = tracefile_next(tf, &text)) != TRACE_EOF) {
        if (rec == TRACE_BAD)
            return 2;
        if (rec == TRACE_META)
            continue;
        LimitKind limit = limit_reached(); /* --timeout, --memory, a signal */
        if (limit != LIMIT_NONE) {
            diags_error(r->diags, ((SrcPos){tf->path, (int)tf->line, 1}),
                        "%s", limit_text(limit));
            return 3;
        }
        uint32_t id = event_of(r, text, (SrcPos){tf->path, (int)tf->line, 1});
        if (id == EVENT_NONE)
            return 2;
        TraceStatus st = traceverify_step(tv, id);
        if (st == TRACE_REJECTED) {
            o->rejected = 1;
            keep_id(o, id);
            o->line = tf->line;
            snprintf(o->event, sizeof o->event, "%s", text);
            break;
        }
        if (st != TRACE_OK)
            return st == TRACE_LIMIT ? 3 : 2;
        o->events++;
        remember(o, id);
        keep_id(o, id);
    }
    return conclude(tv, tf, o);
}

/* The deadlock the runtime recorded, as a wait-for diagram: one node per
 * blocked process with what it offered, the recorded wait-for edges. */
static int recorded_waitgraph(const TraceFile *tf, WaitGraph *w)
{
    memset(w, 0, sizeof *w);
    for (size_t i = 0; i < tf->nblocked; i++) {
        const char *line = tf->blocked[i];
        const char *offers = strstr(line, " offers ");
        char label[512];
        snprintf(label, sizeof label, "%.*s\noffers %s",
                 (int)(offers ? offers - line : (long)strlen(line)), line,
                 offers ? offers + 8 : "?");
        if (render_waitgraph_node(w, label, offers && !strcmp(offers + 8, "{}")))
            return -1;
    }
    for (size_t i = 0; i < tf->nwaits; i++) {
        char a[256], b[256], on[256] = "waits for";
        /* "A for B on EVENT" (format 1; "on EVENT" may be absent) */
        if (sscanf(tf->waits[i], "%255s for %255s on %255s", a, b, on) < 2)
            continue;
        size_t from = SIZE_MAX, to = SIZE_MAX;
        for (size_t k = 0; k < w->nodes; k++) {
            size_t n = strcspn(w->label[k], "\n");
            if (strlen(a) == n && !strncmp(w->label[k], a, n)) from = k;
            if (strlen(b) == n && !strncmp(w->label[k], b, n)) to = k;
        }
        if (from != SIZE_MAX && to != SIZE_MAX &&
            render_waitgraph_edge(w, from, to, on))
            return -1;
    }
    return 0;
}

/* Writes w as DIR/<trace>-<what>.dot and in the chosen format. */
static int draw(const TraceOptions *opt, const TraceFile *tf,
                const WaitGraph *w, const char *what, const char *title,
                Diags *diags)
{
    const char *base = strrchr(tf->path, '/');
    base = base ? base + 1 : tf->path;
    RenderFormat formats[2] = {RENDER_DOT, opt->graph_format};
    for (int i = 0; i < (opt->graph_format == RENDER_DOT ? 1 : 2); i++) {
        char path[4096], err[512];
        snprintf(path, sizeof path, "%s/%s-%s.%s", opt->graph_dir, base, what,
                 render_extension(formats[i]));
        if (render_waitgraph(w, title, path, formats[i], err, sizeof err)) {
            diags_error(diags, ((SrcPos){tf->path, 0, 0}), "%s", err);
            return 2;
        }
    }
    return 0;
}

/* The model's run along the trace as a sequence chart, into
 * DIR/<trace>-<what>-sequence.svg: up to the rejected event (drawn as
 * impossible), or on to the deadlock the model predicts. */
static int draw_chart(const TraceOptions *opt, const Machine *mach,
                      Observer *obs, const TraceFile *tf, const Outcome *o,
                      const char *what, const char *title, Diags *diags)
{
    SrcPos at = {tf->path, 0, 0};
    if (o->ids_full) { /* the diagram says what matters */
        diags_add(diags, DIAG_NOTE, at, "no sequence chart: the trace has "
                  "more than %d events", CHART_EVENTS);
        return 0;
    }
    CheckResult r = {.verdict = VERDICT_FAIL};
    size_t accepted = o->rejected ? o->nids - 1 : o->nids;
    TracePathRequest rq = {mach, is_hidden, obs, o->ids, accepted,
                           !o->rejected, opt->max_states};
    long reached = tracepath_find(&rq, &r.cex);
    if (reached != (long)accepted) {
        check_result_free(&r);
        diags_add(diags, DIAG_NOTE, at, "no sequence chart: the search for "
                  "the model's run along the trace %s",
                  limit_reached() != LIMIT_NONE
                      ? "was stopped by a limit of the run"
                      : "ran out of memory or of --max-states");
        return 0;
    }
    r.fail = o->rejected ? FAIL_NO_TRACE : FAIL_DEADLOCK;
    r.cex.culprit = o->rejected ? o->ids[accepted] : EVENT_NONE;
    const char *base = strrchr(tf->path, '/');
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-%s-sequence.svg", opt->graph_dir,
             base ? base + 1 : tf->path, what);
    FILE *f = fopen(path, "w");
    int rc = f ? render_msc(mach, &r, title, 1, f) : -1;
    if (!f || fclose(f) != 0 || rc != 0) {
        diags_error(diags, at, "cannot write %s", path);
        rc = 2;
    }
    check_result_free(&r);
    return rc;
}

/* --graph: a recorded deadlock as the runtime saw it (and the model's
 * run to the deadlock it predicts); a rejected event with the model's
 * components where the trace left them, and the run up to it. */
static int draw_outcome(const TraceOptions *opt, const Machine *mach,
                        Observer *obs, const TraceFile *tf, const Outcome *o,
                        Diags *diags)
{
    WaitGraph w;
    int rc = 0;
    if (o->rejected && o->state) {
        char title[400];
        snprintf(title, sizeof title, "%.200s: event %ld '%.100s' is not "
                 "possible here", tf->path, o->events + 1, o->event);
        if (render_waitgraph_of(mach, o->state, &w) == 0) {
            rc = draw(opt, tf, &w, "rejected", title, diags);
            render_waitgraph_free(&w);
        }
        if (rc == 0)
            rc = draw_chart(opt, mach, obs, tf, o, "rejected", title, diags);
    }
    if (!o->rejected && tf->deadlock) {
        if (recorded_waitgraph(tf, &w) == 0)
            rc = draw(opt, tf, &w, "deadlock",
                      "deadlock recorded by the runtime", diags);
        render_waitgraph_free(&w);
        char title[400];
        snprintf(title, sizeof title, "%.300s: the model's run to the "
                 "recorded deadlock", tf->path);
        if (rc == 0 && o->deadlock > 0)
            rc = draw_chart(opt, mach, obs, tf, o, "deadlock", title, diags);
        /* the model knows every partner, where the runtime knows only
         * those it has seen use a channel (or was told of) */
        if (rc == 0 && o->deadlock > 0 &&
            render_waitgraph_of(mach, o->state, &w) == 0) {
            snprintf(title, sizeof title, "%.300s: who waits for whom in "
                     "the model at the recorded deadlock", tf->path);
            rc = draw(opt, tf, &w, "deadlock-model", title, diags);
            render_waitgraph_free(&w);
        }
    }
    return rc;
}

static void text_events(FILE *out, EventTable *ev, const uint32_t *ids,
                        size_t n, const char *open, const char *close)
{
    fputs(open, out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%s", i ? ", " : "", event_name(ev, ids[i]));
    fputs(close, out);
}

static void text_components(FILE *out, const Machine *mach,
                            const uint32_t *state)
{
    char text[256];
    for (size_t i = 0; state && i < mach->components && i < 40; i++)
        if (mach->ops->describe &&
            mach->ops->describe(mach, state, i, text, sizeof text) == 0)
            fprintf(out, "        [%zu] %s\n", i, text);
}

/* A recorded deadlock the model cannot reach is a rejection, as much as an
 * impossible event: the run did something the model forbids. */
static int is_rejection(const Outcome *o)
{
    return o->rejected || o->deadlock < 0;
}

static void text_incomplete(FILE *out, const TraceFile *tf, const Outcome *o)
{
    if (o->complete)
        return;
    if (tf->declared_events < 0)
        fprintf(out, "      incomplete: no '# end' line (the program was "
                     "killed or crashed?); the %ld event%s present were "
                     "checked\n", o->events, o->events == 1 ? "" : "s");
    else
        fprintf(out, "      incomplete: '# end %ld events' but the file holds "
                     "%ld\n", tf->declared_events, o->events);
}

static void report_text(FILE *out, Model *m, const Machine *mach,
                        const TraceFile *tf, const Outcome *o)
{
    EventTable *ev = model_events(m);
    if (!o->rejected) {
        fprintf(out, "%s  %s: %ld events", is_rejection(o) ? "REJECTED"
                                                           : "ACCEPTED",
                tf->path, o->events);
        if (tf->deadlock)
            fprintf(out, ", ending in a recorded %sdeadlock%s",
                    tf->deadlock == 2 ? "partial " : "",
                    o->deadlock < 0 ? " the model does not predict" : "");
        fprintf(out, "\n");
        text_incomplete(out, tf, o);
    } else {
        fprintf(out, "REJECTED  %s:%ld: event %ld '%s' is not possible after "
                     "%ld accepted event%s (",
                tf->path, o->line, o->events + 1, o->event, o->events,
                o->events == 1 ? "" : "s");
        text_events(out, ev, o->context, o->ncontext,
                    o->events > (long)o->ncontext ? "<..., " : "<", ">)\n");
        text_incomplete(out, tf, o);
        fprintf(out, "      the model would accept ");
        text_events(out, ev, o->offers, o->noffers, "{", "}\n");
        if (o->states == 1)
            fprintf(out, "      the model's state there:\n");
        else
            fprintf(out, "      one of the %zu model states there:\n",
                    o->states);
        text_components(out, mach, o->state);
        return;
    }
    if (o->deadlock > 0) {
        fprintf(out, "      deadlock predicted by the model: after this trace "
                     "it can reach a state that refuses everything:\n");
        text_components(out, mach, o->state);
    } else if (o->deadlock < 0) {
        fprintf(out, "      deadlock NOT predicted: after this trace the model "
                     "can always do something of ");
        text_events(out, ev, o->offers, o->noffers, "{", "}\n");
    }
    for (size_t i = 0; i < tf->nblocked; i++)
        fprintf(out, "      recorded: %s\n", tf->blocked[i]);
}


static void report_json(FILE *out, Model *m, const TraceFile *tf,
                        const Outcome *o)
{
    EventTable *ev = model_events(m);
    fprintf(out, "{\"schema_version\":1,\"trace\":");
    report_json_string(out, tf->path);
    fprintf(out, ",\"verdict\":\"%s\",\"accepted_events\":%ld",
            is_rejection(o) ? "rejected" : "accepted", o->events);
    if (o->rejected) {
        fprintf(out, ",\"rejected\":{\"index\":%ld,\"line\":%ld,\"event\":",
                o->events + 1, o->line);
        report_json_string(out, o->event);
        fputs("}", out);
    }
    fprintf(out, ",\"complete\":%s", o->complete ? "true" : "false");
    if (tf->declared_events >= 0)
        fprintf(out, ",\"declared_events\":%ld", tf->declared_events);
    fputs(",\"offers\":", out);
    report_json_events(out, ev, o->offers, o->noffers);
    fprintf(out, ",\"model_states\":%zu,\"deadlock\":%s}\n", o->states,
            o->deadlock > 0 ? "\"predicted\""
            : o->deadlock < 0 ? "\"not_predicted\"" : "null");
}

/* One trace file's verification, run by any worker thread. */
typedef struct Job {
    const char *path;
    char *report;        /* open_memstream buffer: the report text */
    size_t report_len;
    Diags diags;
    int rc;
} Job;

typedef struct Pool {
    Model *m;
    const Machine *mach;
    const TraceOptions *opt;
    Job *jobs;
    size_t njobs;
    atomic_size_t next;
    pthread_mutex_t model_lock; /* the evaluator is single-threaded */
} Pool;

static void run_job(Pool *pool, Job *job)
{
    TraceFile tf;
    Outcome o = {0};
    Observer obs = {pool->m, pool->opt, &tf};
    FILE *out = open_memstream(&job->report, &job->report_len);
    TraceVerifier *tv = traceverify_new(pool->mach, is_hidden, &obs,
                                        pool->opt->max_states);
    Reader *reader = mem_calloc(1, sizeof *reader);
    if (!tv || !out || !reader) {
        job->rc = 2;
    } else if (tracefile_open(&tf, job->path, &job->diags) != 0) {
        job->rc = 2;
    } else {
        reader->m = pool->m;
        reader->model_lock = &pool->model_lock;
        reader->diags = &job->diags;
        job->rc = verify_file(reader, tv, &tf, &o);
        if (job->rc == 0) {
            if (pool->opt->json)
                report_json(out, pool->m, &tf, &o);
            else
                report_text(out, pool->m, pool->mach, &tf, &o);
            if (is_rejection(&o))
                job->rc = 1;
            if (pool->opt->graph_dir &&
                draw_outcome(pool->opt, pool->mach, &obs, &tf, &o,
                             &job->diags))
                job->rc = 2;
        }
        tracefile_close(&tf);
    }
    if (out)
        fclose(out);
    mem_free(reader);
    mem_free(o.offers);
    mem_free(o.ids);
    traceverify_free(tv);
}

static void *worker(void *arg)
{
    Pool *pool = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&pool->next, 1);
        if (i >= pool->njobs)
            return NULL;
        run_job(pool, &pool->jobs[i]);
    }
}

static Machine *compile_process(Model *m, const char *process, Diags *diags,
                                int *code)
{
    uint32_t term = model_process(m, process, diags);
    *code = 2;
    if (term == TERM_NONE)
        return NULL;
    Machine *mach = NULL;
    char err[512];
    CompileOptions copt = {COMPILE_NETWORK, 0, LEAF_NONE};
    CompileStatus cs = compile_machine(model_terms(m), term, &copt, &mach,
                                       err, sizeof err);
    model_take_errors(m, diags);
    if (cs != COMPILE_OK) {
        diags_error(diags, ((SrcPos){process, 0, 0}), "%s",
                    err[0] ? err : "the process cannot be compiled");
        *code = cs == COMPILE_LEAF_LIMIT ? 3 : 2;
        return NULL;
    }
    *code = 0;
    return mach;
}

int traceverb_run(Model *m, const char *process, const char **files,
                  size_t nfiles, const TraceOptions *opt, FILE *out,
                  Diags *diags)
{
    int code;
    Machine *mach = compile_process(m, process, diags, &code);
    if (!mach)
        return code;
    Pool pool = {m, mach, opt, mem_calloc(nfiles + 1, sizeof(Job)), nfiles, 0,
                 PTHREAD_MUTEX_INITIALIZER};
    if (!pool.jobs) {
        machine_free(mach);
        return 2;
    }
    for (size_t i = 0; i < nfiles; i++) {
        pool.jobs[i].path = files[i];
        diags_init(&pool.jobs[i].diags);
    }
    size_t nthreads = opt->threads ? opt->threads : 1;
    if (nthreads > nfiles)
        nthreads = nfiles;
    pthread_t threads[64];
    size_t started = 0;
    for (; started + 1 < nthreads && started < 64; started++)
        if (pthread_create(&threads[started], NULL, worker, &pool) != 0)
            break;
    worker(&pool); /* this thread works too */
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    /* reports and diagnostics in the order of the files */
    for (size_t i = 0; i < nfiles; i++) {
        Job *job = &pool.jobs[i];
        if (job->report)
            fwrite(job->report, 1, job->report_len, out);
        free(job->report); /* from open_memstream */
        for (size_t k = 0; k < job->diags.count; k++)
            diags_add(diags, job->diags.items[k].kind, job->diags.items[k].pos,
                      "%s", job->diags.items[k].message);
        diags_free(&job->diags);
        if (job->rc > code)
            code = job->rc;
    }
    mem_free(pool.jobs);
    machine_free(mach);
    return code;
}
