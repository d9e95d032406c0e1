/* tracefile: line-by-line reading of trace files. See tracefile.h. */
#include "tracefile.h"

#include "mem.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_LINE = 1 << 20 };

int tracefile_open(TraceFile *t, const char *path, Diags *diags)
{
    memset(t, 0, sizeof *t);
    t->path = path;
    t->diags = diags;
    t->declared_events = -1;
    t->f = fopen(path, "rb");
    if (!t->f) {
        diags_error(diags, ((SrcPos){path, 0, 0}), "cannot read trace: %s",
                    strerror(errno));
        return -1;
    }
    return 0;
}

static void free_list(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mem_free(items[i]);
    mem_free(items);
}

void tracefile_close(TraceFile *t)
{
    if (t->f)
        fclose(t->f);
    mem_free(t->buf);
    free_list(t->channels, t->nchannels);
    free_list(t->blocked, t->nblocked);
    free_list(t->waits, t->nwaits);
    memset(t, 0, sizeof *t);
}

static TraceRecord bad(TraceFile *t, const char *what)
{
    diags_error(t->diags, ((SrcPos){t->path, (int)t->line, 1}), "%s", what);
    return TRACE_BAD;
}

static int push(char ***items, size_t *n, const char *text)
{
    char **grown = mem_realloc(*items, (*n + 1) * sizeof *grown);
    if (!grown)
        return -1;
    *items = grown;
    if (!(grown[*n] = mem_strdup(text)))
        return -1;
    (*n)++;
    return 0;
}

/* "# channel NAME : T" or "# channel NAME": the name. */
static TraceRecord meta_channel(TraceFile *t, const char *rest)
{
    char name[256];
    size_t n = 0;
    while (rest[n] && !isspace((unsigned char)rest[n]) && n < sizeof name - 1)
        n++;
    if (n == 0)
        return bad(t, "malformed '# channel' line: no channel name");
    memcpy(name, rest, n);
    name[n] = '\0';
    return push(&t->channels, &t->nchannels, name) ? bad(t, "out of memory")
                                                   : TRACE_META;
}

static TraceRecord meta(TraceFile *t, char *text)
{
    if (!strncmp(text, "lockstep trace ", 15)) {
        char *end;
        long v = strtol(text + 15, &end, 10);
        if (t->line != 1)
            return bad(t, "the version line must be the first line");
        if (*end || v != 1) {
            char msg[128];
            snprintf(msg, sizeof msg, "unknown trace format version '%.40s' "
                                      "(this lockstep reads version 1)",
                     text + 15);
            return bad(t, msg);
        }
        t->version = 1;
    } else if (!strncmp(text, "channel ", 8)) {
        return meta_channel(t, text + 8);
    } else if (!strcmp(text, "deadlock")) {
        t->deadlock = 1;
    } else if (!strcmp(text, "deadlock partial")) {
        t->deadlock = 2;
    } else if (!strncmp(text, "blocked ", 8)) {
        if (push(&t->blocked, &t->nblocked, text + 8))
            return bad(t, "out of memory");
    } else if (!strncmp(text, "waits ", 6)) {
        if (push(&t->waits, &t->nwaits, text + 6))
            return bad(t, "out of memory");
    } else if (!strncmp(text, "end ", 4)) {
        t->declared_events = strtol(text + 4, NULL, 10);
    }
    return TRACE_META; /* unknown keywords are ignored (the spec says so) */
}

/* An event is a name followed by dotted fields, without blanks. */
static int event_shape(const char *s)
{
    if (!isalpha((unsigned char)s[0]) && s[0] != '_')
        return 0;
    for (; *s; s++)
        if (isspace((unsigned char)*s) || (unsigned char)*s < 0x20 ||
            (unsigned char)*s >= 0x7f)
            return 0;
    return 1;
}

/* Reads one line into t->buf (with its '\n' if any); its length, 0 at the
 * end of the file, -1 when too long or out of memory. A line may hold NUL
 * bytes, which the caller rejects. */
static long read_line(TraceFile *t)
{
    size_t n = 0;
    int c;
    while ((c = getc_unlocked(t->f)) != EOF) {
        if (n > MAX_LINE ||
            (n + 2 > t->cap && mem_grow((void **)&t->buf, &t->cap, n + 2, 1)))
            return -1;
        t->buf[n++] = (char)c;
        if (c == '\n')
            break;
    }
    if (t->buf)
        t->buf[n] = '\0';
    return (long)n;
}

TraceRecord tracefile_next(TraceFile *t, const char **text)
{
    for (;;) {
        long n = read_line(t);
        t->line++;
        if (n < 0)
            return bad(t, "line too long for an event (or out of memory)");
        if (n == 0)
            return ferror(t->f) ? bad(t, "cannot read the trace") : TRACE_EOF;
        if (memchr(t->buf, '\0', (size_t)n))
            return bad(t, "binary data in the trace");
        if (t->buf[n - 1] != '\n')
            return bad(t, "truncated last line (no end of line): the run was "
                          "cut short while writing it");
        t->buf[--n] = '\0';
        if (n && t->buf[n - 1] == '\r')
            t->buf[--n] = '\0';
        if (n == 0)
            continue; /* blank lines carry nothing */
        if (t->buf[0] == '#') {
            char *rest = t->buf + 1;
            while (*rest == ' ')
                rest++;
            TraceRecord r = meta(t, rest);
            if (r == TRACE_META)
                *text = rest;
            return r;
        }
        if (!event_shape(t->buf)) {
            char msg[200];
            snprintf(msg, sizeof msg, "malformed event line '%.60s' (an event "
                     "is written name.field.field, without blanks)", t->buf);
            return bad(t, msg);
        }
        *text = t->buf;
        return TRACE_EVENT;
    }
}
