/* rt_util.h — helpers shared by the runtime tests: a runtime recording to
 * a temporary trace and its lines read back at the end, waiting until
 * processes are blocked.
 * Header-only (static inline) so each test stays one executable.
 */
#ifndef RT_UTIL_H
#define RT_UTIL_H

#include "lockstep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct TraceLines {
    int count;
    char **lines;
} TraceLines;

/* A fresh path under the build's temporary directory. */
static inline void rt_temp_path(char *out, size_t size, const char *tag)
{
    const char *dir = getenv("TMPDIR");
    snprintf(out, size, "%s/lks_%s_%ld.trace", dir ? dir : "/tmp", tag,
             (long)getpid());
}

static inline TraceLines rt_read_lines(const char *path);

/* A runtime recording into a fresh temporary trace (its path into path):
 * cfg's other settings, or the defaults when cfg is NULL. NULL when it
 * cannot be made. */
static inline LksRuntime *rt_traced(char *path, size_t size, const char *tag,
                                    const LksConfig *cfg)
{
    LksConfig c = cfg ? *cfg : lks_config_default();
    rt_temp_path(path, size, tag);
    c.trace_path = path;
    return lks_runtime_new(&c);
}

/* Frees rt (its result into *status) and returns the trace's lines; the
 * file is removed. */
static inline TraceLines rt_finish(LksRuntime *rt, const char *path,
                                   int *status)
{
    *status = lks_runtime_free(rt);
    TraceLines t = rt_read_lines(path);
    unlink(path);
    return t;
}

static inline TraceLines rt_read_lines(const char *path)
{
    TraceLines t = {0, NULL};
    FILE *f = fopen(path, "r");
    if (!f)
        return t;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int room = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        if (len > 0 && line[len - 1] == '\n')
            line[len - 1] = '\0';
        if (t.count == room) {
            room = room ? room * 2 : 64;
            t.lines = realloc(t.lines, sizeof *t.lines * (size_t)room);
        }
        t.lines[t.count++] = strdup(line);
    }
    free(line);
    fclose(f);
    return t;
}

static inline void rt_free_lines(TraceLines *t)
{
    for (int i = 0; i < t->count; i++)
        free(t->lines[i]);
    free(t->lines);
    t->lines = NULL;
    t->count = 0;
}

/* The event lines only (those not starting with '#'), as a new list. */
static inline TraceLines rt_events(const TraceLines *t)
{
    TraceLines e = {0, calloc((size_t)t->count + 1, sizeof(char *))};
    for (int i = 0; i < t->count; i++)
        if (t->lines[i][0] != '#')
            e.lines[e.count++] = strdup(t->lines[i]);
    return e;
}

static inline int rt_has_line(const TraceLines *t, const char *line)
{
    for (int i = 0; i < t->count; i++)
        if (strcmp(t->lines[i], line) == 0)
            return 1;
    return 0;
}

static inline int rt_count_prefix(const TraceLines *t, const char *prefix)
{
    int n = 0;
    for (int i = 0; i < t->count; i++)
        n += strncmp(t->lines[i], prefix, strlen(prefix)) == 0;
    return n;
}

/* Polls until exactly n processes are blocked; 0 after ~10 s (a failure,
 * never a speed assertion). */
static inline int rt_wait_blocked(const LksRuntime *rt, int n)
{
    struct timespec pause = {0, 1000000};
    for (int i = 0; i < 10000; i++) {
        if (lks_blocked_count(rt) == n)
            return 1;
        nanosleep(&pause, NULL);
    }
    return 0;
}

#endif
