/* traceverb: recorded traces against a model. See traceverb.h. */
#include "traceverb.h"

#include "compile.h"
#include "mem.h"
#include "report.h"
#include "tracefile.h"
#include "traceverify.h"

#include <string.h>

enum { CONTEXT = 5 }; /* accepted events shown before a deviation */

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
    uint32_t *offers;
    size_t noffers;
    size_t states;
    const uint32_t *state; /* one state of the set, for the components */
} Outcome;

static void remember(Outcome *o, uint32_t id)
{
    if (o->ncontext == CONTEXT)
        memmove(o->context, o->context + 1, (CONTEXT - 1) * sizeof *o->context);
    else
        o->ncontext++;
    o->context[o->ncontext - 1] = id;
}

/* Reads and steps through one file. Returns an exit code for it. */
static int verify_file(Model *m, TraceVerifier *tv, TraceFile *tf,
                       Outcome *o, Diags *diags)
{
    if (traceverify_start(tv) != TRACE_OK)
        return 3;
    const char *text;
    TraceRecord r;
    while ((r = tracefile_next(tf, &text)) != TRACE_EOF) {
        if (r == TRACE_BAD)
            return 2;
        if (r == TRACE_META)
            continue;
        SrcPos at = {tf->path, (int)tf->line, 1};
        uint32_t id = model_event(m, text, at, diags);
        if (id == EVENT_NONE)
            return 2;
        TraceStatus st = traceverify_step(tv, id);
        if (st == TRACE_REJECTED) {
            o->rejected = 1;
            o->line = tf->line;
            snprintf(o->event, sizeof o->event, "%s", text);
            break;
        }
        if (st != TRACE_OK)
            return st == TRACE_LIMIT ? 3 : 2;
        o->events++;
        remember(o, id);
    }
    if (traceverify_offers(tv, &o->offers, &o->noffers) != 0)
        return 2;
    o->states = traceverify_count(tv);
    o->state = o->states ? traceverify_state(tv, 0) : NULL;
    if (!o->rejected && tf->deadlock) {
        long k = traceverify_deadlock(tv);
        o->deadlock = k >= 0 ? 1 : -1;
        if (k >= 0)
            o->state = traceverify_state(tv, (size_t)k);
    }
    return 0;
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

static void report_text(FILE *out, Model *m, const Machine *mach,
                        const TraceFile *tf, const Outcome *o)
{
    EventTable *ev = model_events(m);
    if (!o->rejected) {
        fprintf(out, "ACCEPTED  %s: %ld events", tf->path, o->events);
        if (tf->deadlock)
            fprintf(out, ", ending in a recorded %sdeadlock",
                    tf->deadlock == 2 ? "partial " : "");
        fprintf(out, "\n");
    } else {
        fprintf(out, "REJECTED  %s:%ld: event %ld '%s' is not possible after "
                     "%ld accepted event%s (",
                tf->path, o->line, o->events + 1, o->event, o->events,
                o->events == 1 ? "" : "s");
        text_events(out, ev, o->context, o->ncontext,
                    o->events > (long)o->ncontext ? "<..., " : "<", ">)\n");
        fprintf(out, "      the model would accept ");
        text_events(out, ev, o->offers, o->noffers, "{", "}\n");
        fprintf(out, "      one of the %zu model state%s there:\n", o->states,
                o->states == 1 ? "" : "s");
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

static void json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', out);
        if ((unsigned char)*s < 0x20)
            fprintf(out, "\\u%04x", *s);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}

static void json_events(FILE *out, EventTable *ev, const uint32_t *ids,
                        size_t n)
{
    fputc('[', out);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', out);
        json_str(out, event_name(ev, ids[i]));
    }
    fputc(']', out);
}

static void report_json(FILE *out, Model *m, const TraceFile *tf,
                        const Outcome *o)
{
    EventTable *ev = model_events(m);
    fprintf(out, "{\"schema_version\":1,\"trace\":");
    json_str(out, tf->path);
    fprintf(out, ",\"verdict\":\"%s\",\"accepted_events\":%ld",
            o->rejected ? "rejected" : "accepted", o->events);
    if (o->rejected) {
        fprintf(out, ",\"rejected\":{\"index\":%ld,\"line\":%ld,\"event\":",
                o->events + 1, o->line);
        json_str(out, o->event);
        fputs("}", out);
    }
    fputs(",\"offers\":", out);
    json_events(out, ev, o->offers, o->noffers);
    fprintf(out, ",\"model_states\":%zu,\"deadlock\":%s}\n", o->states,
            o->deadlock > 0 ? "\"predicted\""
            : o->deadlock < 0 ? "\"not_predicted\"" : "null");
}

int traceverb_run(Model *m, const char *process, const char **files,
                  size_t nfiles, const TraceOptions *opt, FILE *out,
                  Diags *diags)
{
    uint32_t term = model_process(m, process, diags);
    if (term == TERM_NONE)
        return 2;
    Machine *mach = NULL;
    char err[512];
    CompileOptions copt = {COMPILE_NETWORK, 0};
    CompileStatus cs = compile_machine(model_terms(m), term, &copt, &mach,
                                       err, sizeof err);
    model_take_errors(m, diags);
    if (cs != COMPILE_OK) {
        diags_error(diags, ((SrcPos){process, 0, 0}), "%s",
                    err[0] ? err : "the process cannot be compiled");
        return cs == COMPILE_LEAF_LIMIT ? 3 : 2;
    }
    int code = 0;
    for (size_t i = 0; i < nfiles; i++) {
        TraceFile tf;
        Outcome o = {0};
        Observer obs = {m, opt, &tf};
        TraceVerifier *tv = traceverify_new(mach, is_hidden, &obs,
                                            opt->max_states);
        int rc = !tv ? 2 : tracefile_open(&tf, files[i], diags) ? 2
                                         : verify_file(m, tv, &tf, &o, diags);
        if (rc == 0) {
            if (opt->json)
                report_json(out, m, &tf, &o);
            else
                report_text(out, m, mach, &tf, &o);
            if (o.rejected || o.deadlock < 0)
                rc = 1;
        }
        if (tv)
            tracefile_close(&tf);
        mem_free(o.offers);
        traceverify_free(tv);
        if (rc > code)
            code = rc;
    }
    machine_free(mach);
    return code;
}
