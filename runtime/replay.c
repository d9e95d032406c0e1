/* replay.c — a program made to follow a counterexample.
 *
 * With LOCKSTEP_REPLAY=cex.json in the environment (the output of
 * `lockstep check --format json`: the trace of the first failed assertion
 * in the file), a communication on a recorded channel may commit only
 * when its event is the next one of that trace; others wait for their
 * turn (the channel code keeps both sides waiting and, whenever the trace
 * moves on, commits the waiting pair whose event is next: chan.c). When
 * the trace is done the program runs freely, so a deadlock the model
 * predicts then happens for real and is recorded as any deadlock is. When
 * every process is blocked before the trace is done, the program cannot
 * follow it: the run ends (LKS_EREPLAY) with a line on stderr and in the
 * trace naming the event and what the processes offered instead.
 * Untraced channels are not in the trace and never wait for a turn.
 * Everything here but loading runs with the world stopped: a replayed run
 * stops it for every channel operation (chan.c).
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct LksReplay {
    char *path;
    char **events;
    size_t n, pos;
    int checked;          /* the events were matched to the declarations */
    char *event;          /* scratch: one event's text */
    size_t event_cap;
};

/* A JSON string at *s (after its opening quote), unescaped into a new
 * string; *s moves past the closing quote. NULL when malformed. */
static char *json_string(const char **s)
{
    const char *p = *s;
    size_t cap = strlen(p) + 1, k = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (; *p && *p != '"'; p++) {
        if (*p != '\\') {
            out[k++] = *p;
            continue;
        }
        p++;
        switch (*p) {
        case 'n': out[k++] = '\n'; break;
        case 't': out[k++] = '\t'; break;
        case '"': case '\\': case '/': out[k++] = *p; break;
        default: free(out); return NULL; /* events have no other escapes */
        }
    }
    if (*p != '"') {
        free(out);
        return NULL;
    }
    out[k] = '\0';
    *s = p + 1;
    return out;
}

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    return p;
}

/* The strings of the array after "trace": in the first "failure" of
 * text. 0, or -1 with rt's error set. */
static int parse(LksRuntime *rt, LksReplay *r, const char *text)
{
    const char *f = strstr(text, "\"failure\"");
    const char *t = f ? strstr(f, "\"trace\"") : NULL;
    const char *p = t ? strchr(t, '[') : NULL;
    if (!p) {
        lks_runtime_set_error(rt, "replay: %s holds no counterexample (no "
                              "\"failure\" with a \"trace\": the output of "
                              "lockstep check --format json)", r->path);
        return -1;
    }
    for (p = skip_space(p + 1); *p != ']'; p = skip_space(p)) {
        char *event = *p == '"' ? (p++, json_string(&p)) : NULL;
        char **events = event ? realloc(r->events, (r->n + 1) *
                                                       sizeof *events)
                              : NULL;
        if (!events) {
            free(event);
            lks_runtime_set_error(rt, "replay: %s: a malformed trace at "
                                  "byte %ld", r->path, (long)(p - text));
            return -1;
        }
        r->events = events;
        r->events[r->n++] = event;
        p = skip_space(p);
        if (*p == ',')
            p++;
    }
    return 0;
}

int lks_replay_load(LksRuntime *rt, const char *path)
{
    LksReplay *r = calloc(1, sizeof *r);
    FILE *f = fopen(path, "r");
    char *text = NULL;
    size_t len = 0;
    if (r && f) {
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        rewind(f);
        text = size >= 0 ? malloc((size_t)size + 1) : NULL;
        len = text ? fread(text, 1, (size_t)size, f) : 0;
        if (text)
            text[len] = '\0';
    }
    if (!r || !f || !text || !(r->path = strdup(path))) {
        lks_runtime_set_error(rt, "replay: cannot read %s: %s", path,
                              f ? "out of memory" : strerror(errno));
        if (f)
            fclose(f);
        free(text);
        lks_replay_free(r);
        return -1;
    }
    fclose(f);
    int rc = parse(rt, r, text);
    free(text);
    if (rc != 0) {
        lks_replay_free(r);
        return -1;
    }
    rt->replay = r;
    return 0;
}

void lks_replay_free(LksReplay *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->events[i]);
    free(r->events);
    free(r->event);
    free(r->path);
    free(r);
}

/* The first time: every event names a recorded channel of the program.
 * 0, or -1 with rt's error set. */
static int check_events(LksRuntime *rt, LksReplay *r)
{
    r->checked = 1;
    for (size_t i = 0; i < r->n; i++) {
        const char *e = r->events[i];
        size_t n = strcspn(e, ".");
        LksDecl *d = rt->decls;
        while (d && (strlen(d->name) != n || strncmp(d->name, e, n)))
            d = d->next;
        if (!d || !d->traced) {
            lks_runtime_set_error(rt, "replay: event %zu '%s' of %s is on "
                                  "channel '%.*s', which this program %s",
                                  i + 1, e, r->path, (int)n, e,
                                  d ? "does not record (LKS_UNTRACED)"
                                    : "does not declare: is it the "
                                      "counterexample of another model?");
            return -1;
        }
    }
    return 0;
}

int lks_replay_start(LksRuntime *rt)
{
    LksReplay *r = rt->replay;
    if (!r || r->checked)
        return LKS_OK;
    if (check_events(rt, r) == 0)
        return LKS_OK;
    fprintf(stderr, "lockstep %s\n", lks_runtime_error(rt));
    lks_record_metaf(rt, NULL, "%s", lks_runtime_error(rt));
    return LKS_EREPLAY;
}

/* The text of ch.values into the scratch buffer. */
static const char *event_text(LksReplay *r, const LksChannel *ch,
                              const int *values)
{
    if (r->event_cap < ch->max_text + 1) {
        char *e = realloc(r->event, ch->max_text + 1);
        if (!e)
            return NULL;
        r->event = e;
        r->event_cap = ch->max_text + 1;
    }
    memcpy(r->event, ch->name, ch->name_len);
    size_t len = ch->name_len +
                 lks_record_format_fields(r->event + ch->name_len, ch->decl,
                                          ch->nfixed, ch->ndata, values);
    r->event[len] = '\0';
    return r->event;
}

int lks_replay_allows(LksRuntime *rt, const LksChannel *ch,
                      const int *values)
{
    LksReplay *r = rt->replay;
    if (!r || r->pos == r->n || !ch->decl->traced)
        return 1;
    const char *e = event_text(r, ch, values);
    return e && strcmp(e, r->events[r->pos]) == 0;
}

void lks_replay_done(LksRuntime *rt, const LksChannel *ch)
{
    LksReplay *r = rt->replay;
    if (!r || r->pos == r->n || !ch->decl->traced)
        return;
    if (++r->pos == r->n)
        fprintf(stderr, "lockstep replay: the program followed the %zu "
                "event%s of %s; it now runs freely\n", r->n,
                r->n == 1 ? "" : "s", r->path);
}

/* What the blocked processes offer, as "P offers {| a, b |}; ...". */
static char *offers_text(LksRuntime *rt)
{
    size_t cap = 64, len = 0;
    for (LksProc *p = rt->procs; p; p = p->next)
        for (int i = 0; lks_chan_waiting(p) && i < p->nnodes; i++)
            cap += p->nodes[i].chan->max_text + strlen(p->name) + 24;
    char *text = malloc(cap);
    if (!text)
        return NULL;
    text[0] = '\0';
    for (LksProc *p = rt->procs; p; p = p->next) {
        if (!lks_chan_waiting(p))
            continue;
        len += (size_t)snprintf(text + len, cap - len, "%s%s offers %s",
                                len ? "; " : "", p->name,
                                p->nnodes ? "{| " : "{}");
        for (int i = 0; i < p->nnodes; i++) {
            const LksNode *node = &p->nodes[i];
            const char *e = node->dir == LKS_DIR_SEND
                                ? event_text(rt->replay, node->chan,
                                             lks_chan_sent(node))
                                : node->chan->name;
            len += (size_t)snprintf(text + len, cap - len, "%s%s",
                                    i ? ", " : "", e ? e : "?");
        }
        if (p->nnodes)
            len += (size_t)snprintf(text + len, cap - len, " |}");
    }
    return text;
}

int lks_replay_stuck(LksRuntime *rt)
{
    LksReplay *r = rt->replay;
    if (!r || r->pos == r->n)
        return 0;
    char *offers = offers_text(rt);
    const char *e = r->events[r->pos];
    size_t len = strlen(e) + strlen(r->path) + (offers ? strlen(offers) : 20)
                 + 96;
    char *msg = malloc(len);
    if (msg)
        snprintf(msg, len, "replay: the program cannot do event %zu '%s' of "
                 "%s: %s", r->pos + 1, e, r->path,
                 offers ? offers : "(out of memory)");
    fprintf(stderr, "lockstep %s\n", msg ? msg : "replay: stuck");
    lks_runtime_set_error(rt, "%s", msg ? msg : "replay: stuck");
    lks_record_meta(rt, NULL, msg); /* takes msg */
    free(offers);
    return 1;
}
