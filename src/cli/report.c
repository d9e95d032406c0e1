/* report: text and JSON renderings of a RunResult. See report.h. */
#include "report.h"

#include "compile.h"
#include "mem.h"
#include "render.h"

#include <string.h>

enum { MAX_COMPONENTS_SHOWN = 40 };

/* A growable string, for traces and sets of any length. */
typedef struct Str {
    char *buf;
    size_t len, cap;
} Str;

static void str_add(Str *s, const char *text)
{
    size_t n = strlen(text);
    if (mem_grow((void **)&s->buf, &s->cap, s->len + n + 1, 1) != 0)
        return;
    mem_copy(s->buf + s->len, text, n + 1);
    s->len += n;
}

static const char *str_get(const Str *s) { return s->buf ? s->buf : ""; }

static void str_events(Str *s, EventTable *ev, const uint32_t *ids, size_t n,
                       const char *open, const char *close)
{
    str_add(s, open);
    for (size_t i = 0; i < n; i++) {
        if (i)
            str_add(s, ", ");
        str_add(s, event_name(ev, ids[i]));
    }
    str_add(s, close);
}

void report_trace(EventTable *events, const uint32_t *trace, size_t len,
                  char *buf, size_t cap)
{
    Str s = {0};
    str_events(&s, events, trace, len, "<", ">");
    snprintf(buf, cap, "%s", str_get(&s));
    mem_free(s.buf);
}

/* The visible events a component's term offers, sorted, no repeats. */
typedef struct OfferSet {
    uint32_t *ids; /* mem_alloc'd */
    size_t n, cap;
    int failed;
} OfferSet;

static void offer_collect(void *ctx, uint32_t event, uint32_t target)
{
    (void)target;
    OfferSet *o = ctx;
    if (event == EVENT_TAU || o->failed)
        return;
    if (mem_grow((void **)&o->ids, &o->cap, o->n + 1, sizeof *o->ids) != 0)
        o->failed = 1;
    else
        o->ids[o->n++] = event;
}

/* 0, or -1 (the set is then empty). Free o->ids with mem_free. */
static int offers_of(TermTable *terms, uint32_t term, OfferSet *o)
{
    *o = (OfferSet){0};
    if (term_transitions(terms, term, offer_collect, o) != 0 || o->failed) {
        o->n = 0;
        return -1;
    }
    o->n = event_set_normalise(o->ids, o->n);
    return 0;
}

/* Text reports show this many offered events of a component, then how
 * many more: a component of a large model may offer thousands. */
enum { OFFERS_SHOWN = 12 };

static void component_offers(TermTable *terms, uint32_t term, Str *s)
{
    OfferSet o;
    if (offers_of(terms, term, &o) != 0) {
        str_add(s, "?");
    } else if (o.n <= OFFERS_SHOWN) {
        str_events(s, term_events(terms), o.ids, o.n, "{", "}");
    } else {
        char more[64];
        snprintf(more, sizeof more, ", ... (%zu more)}", o.n - OFFERS_SHOWN);
        str_events(s, term_events(terms), o.ids, OFFERS_SHOWN, "{", more);
    }
    mem_free(o.ids);
}

/* "s" unless there is one. */
static const char *plural(unsigned long long n) { return n == 1 ? "" : "s"; }

const char *report_verdict(const ModelAssert *a, const RunResult *r)
{
    switch (r->check.verdict) {
    case VERDICT_PASS: case VERDICT_FAIL:
        return checkrun_holds(a, r) ? "PASS" : "FAIL";
    case VERDICT_LIMIT: return "LIMIT";
    default: return "ERROR";
    }
}

/* [R=, [RD=: "before a: stable, offering only {a}; ..." for each visible
 * event (of trace[0..n-1]) Impl did from a stable state; empty when none. */
static void refusals_shown(Str *s, EventTable *ev, const Cex *c,
                           const uint32_t *trace, size_t n)
{
    for (size_t i = 0; c->before_stable && i < n; i++) {
        if (!c->before_stable[i])
            continue;
        str_add(s, s->buf && s->buf[0] ? "; before " : "before ");
        str_add(s, event_name(ev, trace[i]));
        str_add(s, " it was stable offering only ");
        str_events(s, ev, c->before + c->before_off[i],
                   c->before_off[i + 1] - c->before_off[i], "{", "}");
    }
}

/* What went wrong, in one sentence, followed by the trace. */
static void text_failure(FILE *out, EventTable *ev, const RunResult *r)
{
    const Cex *c = &r->check.cex;
    size_t len = 0;
    uint32_t *trace = check_trace(c, &len);
    Str t = {0}, o = {0};
    str_events(&t, ev, trace, len, "<", ">");
    str_events(&o, ev, c->offers, c->offer_count, "{", "}");
    switch (r->check.fail) {
    case FAIL_DEADLOCK:
        fprintf(out, "      deadlock after %s\n", str_get(&t));
        break;
    case FAIL_DIVERGENCE:
        fprintf(out, "      divergence after %s: a loop of %zu tau step%s\n",
                str_get(&t), c->loop_steps - c->loop_start,
                c->loop_steps - c->loop_start == 1 ? "" : "s");
        break;
    case FAIL_TRACE: {
        Str full = {0};
        if (trace) {
            trace[len] = c->culprit;
            str_events(&full, ev, trace, len + 1, "<", ">");
        }
        fprintf(out, "      trace error: %s: the specification cannot do %s "
                     "after %s\n",
                str_get(&full), event_name(ev, c->culprit), str_get(&t));
        mem_free(full.buf);
        break;
    }
    case FAIL_NO_TRACE:
        fprintf(out, "      not a trace: after %s the process cannot do %s "
                     "(it offers %s)\n",
                str_get(&t), event_name(ev, c->culprit), str_get(&o));
        break;
    case FAIL_NONDETERMINISM:
        fprintf(out, "      nondeterminism after %s: %s may be performed or "
                     "refused\n",
                str_get(&t), event_name(ev, c->culprit));
        break;
    case FAIL_REFUSAL: {
        Str why = {0};
        if (trace) {
            trace[len] = c->culprit;
            refusals_shown(&why, ev, c, trace, len + 1);
        }
        fprintf(out, "      refusal-testing error: after %s the "
                     "specification cannot do %s with the refusals the "
                     "implementation showed (%s: it refused all else)\n",
                str_get(&t), event_name(ev, c->culprit), str_get(&why));
        mem_free(why.buf);
        break;
    }
    case FAIL_REVIVAL:
        if (c->culprit == EVENT_NONE)
            fprintf(out, "      revival error after %s: the implementation "
                         "deadlocks (offers nothing); the specification "
                         "cannot deadlock there\n", str_get(&t));
        else
            fprintf(out, "      revival error after %s: the implementation "
                         "offers only %s and can then do %s; no stable state "
                         "of the specification refuses everything else and "
                         "accepts %s\n", str_get(&t), str_get(&o),
                    event_name(ev, c->culprit), event_name(ev, c->culprit));
        break;
    case FAIL_ACCEPTANCE: {
        Str acc = {0};
        for (size_t i = 0; i < c->accept_count; i++) {
            if (i)
                str_add(&acc, " or ");
            str_events(&acc, ev, c->accept + c->accept_off[i],
                       c->accept_off[i + 1] - c->accept_off[i], "{", "}");
        }
        fprintf(out, "      acceptance error after %s: the implementation "
                     "offers only %s, the specification must accept %s\n",
                str_get(&t), str_get(&o),
                c->accept_count ? str_get(&acc) : "something (it has no "
                                                  "stable state here)");
        mem_free(acc.buf);
        break;
    }
    default: break;
    }
    Str shown = {0}; /* [R=: the refusals on the way to the failure */
    if (trace && r->check.fail != FAIL_REFUSAL)
        refusals_shown(&shown, ev, c, trace, len);
    if (shown.buf && shown.buf[0])
        fprintf(out, "      refusals shown on the way: %s\n", str_get(&shown));
    mem_free(shown.buf);
    mem_free(trace);
    mem_free(t.buf);
    mem_free(o.buf);
}

int report_component(Model *model, const RunResult *r, size_t i,
                     char *process, size_t len, char **offers)
{
    const Cex *c = &r->check.cex;
    *offers = NULL;
    if (!c->states || !r->machine)
        return -1;
    uint32_t term = compile_component_term(
        r->machine, c->states + c->steps * c->width, i);
    if (term == TERM_NONE)
        return -1;
    Str o = {0};
    term_print(model_terms(model), term, process, len);
    component_offers(model_terms(model), term, &o);
    *offers = o.buf ? o.buf : mem_strdup("?");
    return 0;
}

/* Each component's process at the end of the trace and what it offers. */
static void text_components(FILE *out, Model *model, const RunResult *r)
{
    const Cex *c = &r->check.cex;
    const Machine *m = r->machine;
    if (!c->states || !m)
        return;
    const uint32_t *final = c->states + c->steps * c->width;
    size_t shown = m->components < MAX_COMPONENTS_SHOWN ? m->components
                                                        : MAX_COMPONENTS_SHOWN;
    for (size_t i = 0; i < shown; i++) {
        char text[160], *offers;
        if (report_component(model, r, i, text, sizeof text, &offers) != 0)
            continue;
        fprintf(out, "        [%zu] %-36s offers %s\n", i, text,
                offers ? offers : "?");
        mem_free(offers);
    }
    if (shown < m->components)
        fprintf(out, "        (%zu more components)\n",
                m->components - shown);
    if (r->check.fail != FAIL_DEADLOCK)
        return;
    WaitGraph w;
    if (render_waitgraph_of(m, final, &w) != 0)
        return;
    for (size_t e = 0; e < w.edges; e++)
        fprintf(out, "%s[%zu] waits for [%zu] on %s", e ? ", " : "      waits: ",
                w.from[e], w.to[e], w.event[e]);
    if (w.edges)
        fprintf(out, "\n");
    render_waitgraph_free(&w);
}

static void report_text(FILE *out, Model *model, const ModelAssert *a,
                        const RunResult *r, const ReportOptions *opt)
{
    const ExploreStats *s = &r->check.stats;
    fprintf(out, "%-5s %s  (%s:%d)\n", report_verdict(a, r), a->text,
            a->pos.file ? a->pos.file : "?", a->pos.line);
    if (r->check.verdict == VERDICT_FAIL) {
        text_failure(out, model_events(model), r);
        text_components(out, model, r);
    } else if (r->check.verdict != VERDICT_PASS) {
        fprintf(out, "      %s\n", r->check.message);
    }
    if (r->not_run)
        return;
    fprintf(out, "      %llu state%s, %llu transition%s, depth %u, %.3f s",
            (unsigned long long)s->states, plural(s->states),
            (unsigned long long)s->transitions, plural(s->transitions),
            s->depth, r->seconds);
    if (r->check.spec_nodes)
        fprintf(out, ", specification normal form %llu node%s",
                (unsigned long long)r->check.spec_nodes,
                plural(r->check.spec_nodes));
    fprintf(out, "\n");
    if (opt->stats)
        fprintf(out, "      %.0f states/s, %.1f bytes/state, %zu bytes "
                     "store, %u threads, %.1f MB peak memory\n",
                s->seconds > 0 ? s->states / s->seconds : 0.0,
                s->bytes_per_state, s->store_bytes, s->threads,
                s->peak_rss / 1e6);
    if (opt->stats && s->disk_bytes)
        fprintf(out, "      %.1f bytes/state on disk, %llu bytes\n",
                s->states ? (double)s->disk_bytes / s->states : 0.0,
                (unsigned long long)s->disk_bytes);
    for (unsigned i = 0; opt->stats && i < r->check.nranks; i++) {
        const ExploreRankStats *k = &r->check.ranks[i];
        fprintf(out, "      rank %u: %llu state%s, %.1f MB sent, %.1f MB "
                     "received, %.3f s in exchanges\n", i,
                (unsigned long long)k->states, plural(k->states),
                k->bytes_sent / 1e6, k->bytes_received / 1e6,
                k->wait_seconds);
    }
}

/* A distributed run's share per rank (none for one process). */
static void json_ranks(FILE *out, const CheckResult *c)
{
    if (!c->nranks)
        return;
    fputs(",\"ranks\":[", out);
    for (unsigned i = 0; i < c->nranks; i++)
        fprintf(out, "%s{\"rank\":%u,\"states\":%llu,\"bytes_sent\":%llu,"
                     "\"bytes_received\":%llu,\"exchange_seconds\":%.6f}",
                i ? "," : "", i, (unsigned long long)c->ranks[i].states,
                (unsigned long long)c->ranks[i].bytes_sent,
                (unsigned long long)c->ranks[i].bytes_received,
                c->ranks[i].wait_seconds);
    fputs("]", out);
}

/* With --stats: one line per compression from `first` on. */
static void text_compressions(FILE *out, Model *model, size_t first)
{
    TermTable *terms = model_terms(model);
    for (size_t i = first; i < term_compressions(terms); i++) {
        uint32_t source;
        TermCompressStats st = term_compression(terms, i, &source);
        char text[120];
        term_print(terms, source, text, sizeof text);
        fprintf(out, "      compressed %s: %u state%s, %u transition%s -> "
                "%u state%s, %u transition%s, %.3f s\n", text,
                st.states_before, plural(st.states_before),
                st.transitions_before, plural(st.transitions_before),
                st.states_after, plural(st.states_after),
                st.transitions_after, plural(st.transitions_after),
                st.seconds);
    }
}

/* ---------- JSON ---------- */

void report_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", out);
        else if (ch == '\t')
            fputs("\\t", out);
        else if (ch < 0x20)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

void report_json_events(FILE *out, EventTable *ev, const uint32_t *ids,
                        size_t n)
{
    fputc('[', out);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', out);
        report_json_string(out, event_name(ev, ids[i]));
    }
    fputc(']', out);
}

static void json_components(FILE *out, Model *model, const RunResult *r)
{
    const Cex *c = &r->check.cex;
    const Machine *m = r->machine;
    fputs("[", out);
    if (c->states && m) {
        const uint32_t *final = c->states + c->steps * c->width;
        for (size_t i = 0; i < m->components; i++) {
            uint32_t term = compile_component_term(m, final, i);
            char text[512];
            if (term == TERM_NONE)
                continue;
            term_print(model_terms(model), term, text, sizeof text);
            OfferSet o;
            offers_of(model_terms(model), term, &o);
            fprintf(out, "%s{\"process\":", i ? "," : "");
            report_json_string(out, text);
            fputs(",\"offers\":", out);
            report_json_events(out, model_events(model), o.ids, o.n);
            fputs("}", out);
            mem_free(o.ids);
        }
    }
    fputs("]", out);
}

static void json_waits(FILE *out, const RunResult *r)
{
    const Cex *c = &r->check.cex;
    WaitGraph w;
    if (r->check.fail != FAIL_DEADLOCK || !c->states || !r->machine ||
        render_waitgraph_of(r->machine, c->states + c->steps * c->width, &w))
        return;
    fputs(",\"waits\":[", out);
    for (size_t e = 0; e < w.edges; e++) {
        fprintf(out, "%s{\"from\":%zu,\"to\":%zu,\"event\":", e ? "," : "",
                w.from[e], w.to[e]);
        report_json_string(out, w.event[e]);
        fputs("}", out);
    }
    fputs("]", out);
    render_waitgraph_free(&w);
}

/* [R=, [RD=: the stable states of the path, as "refusals": [{"before":
 * event, "offers": [...]}, ...] (Impl refused all else there). */
static void json_refusals(FILE *out, EventTable *ev, const Cex *c,
                          const uint32_t *trace, size_t len)
{
    fputs(",\"refusals\":[", out);
    int first = 1;
    for (size_t i = 0; i <= len; i++) {
        uint32_t a = i < len ? trace[i] : c->culprit;
        if (a == EVENT_NONE || !c->before_stable[i])
            continue;
        fputs(first ? "{\"before\":" : ",{\"before\":", out);
        report_json_string(out, event_name(ev, a));
        fputs(",\"offers\":", out);
        report_json_events(out, ev, c->before + c->before_off[i],
                    c->before_off[i + 1] - c->before_off[i]);
        fputs("}", out);
        first = 0;
    }
    fputs("]", out);
}

static void json_failure(FILE *out, Model *model, const RunResult *r)
{
    EventTable *ev = model_events(model);
    const Cex *c = &r->check.cex;
    size_t len = 0;
    uint32_t *trace = check_trace(c, &len);
    fprintf(out, ",\"failure\":{\"kind\":\"%s\",\"trace\":",
            check_fail_text(r->check.fail));
    report_json_events(out, ev, trace, trace ? len : 0);
    if (r->check.fail == FAIL_TRACE || r->check.fail == FAIL_NONDETERMINISM ||
        r->check.fail == FAIL_NO_TRACE || r->check.fail == FAIL_REFUSAL ||
        (r->check.fail == FAIL_REVIVAL && c->culprit != EVENT_NONE)) {
        fputs(",\"event\":", out); /* revival: the event revived */
        report_json_string(out, event_name(ev, c->culprit));
    }
    if (r->check.fail == FAIL_ACCEPTANCE || r->check.fail == FAIL_REVIVAL) {
        fputs(",\"spec_accepts\":[", out);
        for (size_t i = 0; i < c->accept_count; i++) {
            if (i)
                fputc(',', out);
            report_json_events(out, ev, c->accept + c->accept_off[i],
                        c->accept_off[i + 1] - c->accept_off[i]);
        }
        fputs("]", out);
    }
    if (r->check.fail == FAIL_DIVERGENCE)
        fprintf(out, ",\"loop_length\":%zu", c->loop_steps - c->loop_start);
    if (c->before_stable && trace)
        json_refusals(out, ev, c, trace, len);
    mem_free(trace);
    fputs(",\"offers\":", out);
    report_json_events(out, ev, c->offers, c->offer_count);
    fputs(",\"components\":", out);
    json_components(out, model, r);
    json_waits(out, r);
    fputs("}", out);
}

void report_errors_json(FILE *out, const Diags *d)
{
    for (size_t i = 0; i < d->count; i++) {
        const Diag *g = &d->items[i];
        if (g->kind != DIAG_ERROR && g->kind != DIAG_TYPE_ERROR)
            continue;
        fprintf(out, "{\"schema_version\":1,\"verdict\":\"error\","
                     "\"kind\":\"%s\",\"message\":",
                g->kind == DIAG_TYPE_ERROR ? "type error" : "error");
        report_json_string(out, g->message);
        fputs(",\"file\":", out);
        report_json_string(out, g->pos.file ? g->pos.file : "");
        fprintf(out, ",\"line\":%d,\"column\":%d}\n", g->pos.line,
                g->pos.col);
    }
}

/* ,"compressions":[...] for the compressions from `first` on. */
static void json_compressions(FILE *out, Model *model, size_t first)
{
    TermTable *terms = model_terms(model);
    fputs(",\"compressions\":[", out);
    for (size_t i = first; i < term_compressions(terms); i++) {
        uint32_t source;
        TermCompressStats st = term_compression(terms, i, &source);
        char text[512];
        term_print(terms, source, text, sizeof text);
        fputs(i > first ? ",{\"process\":" : "{\"process\":", out);
        report_json_string(out, text);
        fprintf(out, ",\"states_before\":%u,\"transitions_before\":%u,"
                     "\"states_after\":%u,\"transitions_after\":%u,"
                     "\"seconds\":%.6f}",
                st.states_before, st.transitions_before, st.states_after,
                st.transitions_after, st.seconds);
    }
    fputs("]", out);
}

static void report_json(FILE *out, Model *model, size_t index,
                        const ModelAssert *a, const RunResult *r,
                        size_t compressions)
{
    static const char *const verdicts[] = {"pass", "fail", "limit", "error"};
    const ExploreStats *s = &r->check.stats;
    fprintf(out, "{\"schema_version\":1,\"index\":%zu,\"assertion\":", index + 1);
    report_json_string(out, a->text);
    fputs(",\"file\":", out);
    report_json_string(out, a->pos.file ? a->pos.file : "");
    fprintf(out, ",\"line\":%d,\"column\":%d,\"negated\":%s", a->pos.line,
            a->pos.col, a->negated ? "true" : "false");
    fprintf(out, ",\"verdict\":\"%s\",\"holds\":%s",
            verdicts[r->check.verdict],
            (r->check.verdict <= VERDICT_FAIL && checkrun_holds(a, r))
                ? "true" : "false");
    if (r->check.verdict == VERDICT_FAIL)
        json_failure(out, model, r);
    if (r->check.verdict >= VERDICT_LIMIT) {
        fputs(",\"message\":", out);
        report_json_string(out, r->check.message);
    }
    fprintf(out, ",\"statistics\":{\"states\":%llu,\"transitions\":%llu,"
                 "\"depth\":%u,\"seconds\":%.6f,\"store_bytes\":%zu,"
                 "\"bytes_per_state\":%.2f,\"states_per_second\":%.0f,"
                 "\"peak_rss_bytes\":%zu,\"threads\":%u,\"spec_nodes\":%llu",
            (unsigned long long)s->states, (unsigned long long)s->transitions,
            s->depth, r->seconds, s->store_bytes, s->bytes_per_state,
            s->seconds > 0 ? s->states / s->seconds : 0.0, s->peak_rss,
            s->threads, (unsigned long long)r->check.spec_nodes);
    json_compressions(out, model, compressions);
    json_ranks(out, &r->check);
    fputs("}}\n", out);
}

void report_assert(FILE *out, Model *model, size_t index, const RunResult *r,
                   const ReportOptions *options, size_t *compressions)
{
    const ModelAssert *a = model_assert(model, index);
    if (options->format == REPORT_JSON) {
        report_json(out, model, index, a, r, *compressions);
    } else {
        report_text(out, model, a, r, options);
        if (options->stats)
            text_compressions(out, model, *compressions);
    }
    *compressions = term_compressions(model_terms(model));
}
