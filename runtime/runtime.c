/* runtime.c — a runtime's life: configuration, creation and teardown, the
 * channel declarations (parsing the CSPM field types) and channel objects,
 * errors. Communication is in chan.c, processes in proc.c, recording in
 * record.c, deadlocks in deadlock.c, the monitor thread in monitor.c.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

LksConfig lks_config_default(void)
{
    LksConfig cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.flush_events = 4096;
    cfg.flush_interval_ms = 100;
    return cfg;
}

uint64_t lks_runtime_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void lks_runtime_set_error(LksRuntime *rt, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&rt->error_lock);
    vsnprintf(rt->error, sizeof rt->error, fmt, ap);
    pthread_mutex_unlock(&rt->error_lock);
    va_end(ap);
}

const char *lks_runtime_error(const LksRuntime *rt)
{
    return rt->error;
}

const char *lks_strerror(int code)
{
    switch (code) {
    case LKS_OK: return "ok";
    case LKS_EPOISON: return "channel poisoned";
    case LKS_EDEADLOCK: return "deadlock: the run was ended";
    case LKS_EREPLAY:
        return "replay: the program cannot follow the counterexample";
    case LKS_ENOMEM: return "out of memory";
    case LKS_EINVAL: return "invalid argument";
    case LKS_ERANGE: return "value outside the channel field's type";
    case LKS_EIO: return "trace file write failed";
    case LKS_ESTATE: return "operation not allowed now";
    case LKS_EPROC: return "a process failed";
    default: return code >= 0 ? "ok" : "unknown error";
    }
}

static int write_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return LKS_EIO;
        text += n;
        len -= (size_t)n;
    }
    return LKS_OK;
}

static int open_trace(LksRuntime *rt, const char *path)
{
    rt->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (rt->fd < 0)
        return -1;
    char line[64];
    int len = snprintf(line, sizeof line, "# lockstep trace %d\n",
                       LKS_TRACE_FORMAT);
    if (write_all(rt->fd, line, (size_t)len) != LKS_OK) {
        int saved = errno;
        close(rt->fd);
        errno = saved;
        return -1;
    }
    return 0;
}

static void destroy_locks(LksRuntime *rt)
{
    pthread_mutex_destroy(&rt->lock);
    pthread_mutex_destroy(&rt->error_lock);
    pthread_mutex_destroy(&rt->meta_lock);
    pthread_mutex_destroy(&rt->pool_lock);
    pthread_mutex_destroy(&rt->write_lock);
    pthread_cond_destroy(&rt->write_turn);
    pthread_cond_destroy(&rt->monitor_wake);
}

LksRuntime *lks_runtime_new(const LksConfig *cfg)
{
    LksRuntime *rt = calloc(1, sizeof *rt);
    if (!rt)
        return NULL;
    rt->cfg = cfg ? *cfg : lks_config_default();
    if (rt->cfg.flush_events < 1)
        rt->cfg.flush_events = 1;
    rt->fd = -1;
    rt->start_ns = lks_runtime_now_ns();
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    rt->cores = cores > 0 ? (int)cores : 1;
    pthread_mutex_init(&rt->lock, NULL);
    pthread_mutex_init(&rt->error_lock, NULL);
    pthread_mutex_init(&rt->meta_lock, NULL);
    pthread_mutex_init(&rt->pool_lock, NULL);
    pthread_mutex_init(&rt->write_lock, NULL);
    pthread_cond_init(&rt->write_turn, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&rt->monitor_wake, &attr);
    pthread_condattr_destroy(&attr);
    if (rt->cfg.trace_path && open_trace(rt, rt->cfg.trace_path) != 0) {
        int saved = errno;
        destroy_locks(rt);
        free(rt);
        errno = saved;
        return NULL;
    }
    const char *replay = getenv("LOCKSTEP_REPLAY");
    if (replay && *replay && lks_replay_load(rt, replay) != 0) {
        fprintf(stderr, "lockstep %s\n", rt->error);
        lks_runtime_free(rt);
        errno = EINVAL;
        return NULL;
    }
    lks_monitor_start(rt);
    return rt;
}

static void free_decl(LksDecl *d)
{
    for (int i = 0; i < d->nfields; i++) {
        for (int s = 0; s < d->fields[i].nsymbols; s++)
            free(d->fields[i].symbols[s]);
        free(d->fields[i].symbols);
    }
    free(d->name);
    free(d->type);
    free(d);
}

int lks_runtime_free(LksRuntime *rt)
{
    if (!rt)
        return LKS_OK;
    lks_monitor_stop(rt);
    int status = LKS_OK;
    if (rt->fd >= 0) {
        pthread_mutex_lock(&rt->lock);
        lks_record_metaf(rt, NULL, "end %llu events",
                         (unsigned long long)rt->recorded);
        LksBatch batch = lks_record_collect(rt);
        pthread_mutex_unlock(&rt->lock);
        lks_record_write(rt, batch);
        status = rt->trace_status;
        if (close(rt->fd) != 0)
            status = LKS_EIO;
    }
    lks_record_release(rt->meta);
    lks_record_release(rt->pool);
    while (rt->channels) {
        LksChannel *next = rt->channels->next;
        for (int d = 0; d < 2; d++) {
            for (int i = 0; i < rt->channels->nexpected[d]; i++)
                free(rt->channels->expected[d][i]);
            free(rt->channels->expected[d]);
        }
        pthread_mutex_destroy(&rt->channels->lock);
        free(rt->channels->name);
        free(rt->channels);
        rt->channels = next;
    }
    while (rt->decls) {
        LksDecl *next = rt->decls->next;
        free_decl(rt->decls);
        rt->decls = next;
    }
    lks_deadlock_free(rt->deadlock);
    lks_replay_free(rt->replay);
    destroy_locks(rt);
    free(rt);
    return status;
}

uint64_t lks_event_count(const LksRuntime *rt)
{
    LksRuntime *mut = (LksRuntime *)rt;  /* the lock is not part of the value */
    pthread_mutex_lock(&mut->lock);
    uint64_t n = lks_chan_events(mut);
    pthread_mutex_unlock(&mut->lock);
    return n;
}

int lks_blocked_count(const LksRuntime *rt)
{
    LksRuntime *mut = (LksRuntime *)rt;
    int n = 0;
    lks_chan_stop_world(mut);
    for (const LksProc *p = rt->procs; p; p = p->next)
        n += lks_chan_waiting(p);
    lks_chan_start_world(mut);
    return n;
}

int lks_flush(LksRuntime *rt)
{
    if (rt->fd < 0)
        return LKS_OK;
    pthread_mutex_lock(&rt->lock);
    LksBatch batch = lks_record_collect(rt);
    pthread_mutex_unlock(&rt->lock);
    lks_record_write(rt, batch);
    pthread_mutex_lock(&rt->write_lock);
    int status = rt->trace_status;
    pthread_mutex_unlock(&rt->write_lock);
    return status;
}

/* ---- declarations ---------------------------------------------------------
 * type    -> "" | field { "." field }
 * field   -> "{" int ".." int "}" | "{" ident { "," ident } "}"        */

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static int is_ident_char(char c, int first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (!first && ((c >= '0' && c <= '9') || c == '\''));
}

static const char *parse_range(const char *s, LksField *f)
{
    char *end;
    long lo = strtol(s, &end, 10);
    if (end == s || end[0] != '.' || end[1] != '.')
        return NULL;
    s = skip_space(end + 2);
    long hi = strtol(s, &end, 10);
    if (end == s || lo > hi || lo < -1000000000L || hi > 1000000000L)
        return NULL;
    f->lo = (int)lo;
    f->hi = (int)hi;
    return skip_space(end);
}

static const char *parse_symbols(const char *s, LksField *f)
{
    for (;;) {
        const char *start = s;
        if (!is_ident_char(*s, 1))
            return NULL;
        while (is_ident_char(*s, 0))
            s++;
        char **grown = realloc(f->symbols,
                               sizeof *grown * (size_t)(f->nsymbols + 1));
        if (!grown)
            return NULL;
        f->symbols = grown;
        f->symbols[f->nsymbols] = strndup(start, (size_t)(s - start));
        if (!f->symbols[f->nsymbols])
            return NULL;
        f->nsymbols++;
        s = skip_space(s);
        if (*s != ',')
            break;
        s = skip_space(s + 1);
    }
    f->lo = 0;
    f->hi = f->nsymbols - 1;
    return s;
}

static int parse_type(LksDecl *d, const char *s)
{
    s = skip_space(s);
    if (*s == '\0')
        return 0;
    for (;;) {
        if (d->nfields == LKS_MAX_FIELDS || *s != '{')
            return -1;
        LksField *f = &d->fields[d->nfields++];
        s = skip_space(s + 1);
        if ((*s >= '0' && *s <= '9') || *s == '-')
            s = parse_range(s, f);
        else
            s = parse_symbols(s, f);
        if (!s || *s != '}')
            return -1;
        s = skip_space(s + 1);
        if (*s == '\0')
            return 0;
        if (*s != '.')
            return -1;
        s = skip_space(s + 1);
    }
}

static LksDecl *find_decl(LksRuntime *rt, const char *name)
{
    for (LksDecl *d = rt->decls; d; d = d->next)
        if (strcmp(d->name, name) == 0)
            return d;
    return NULL;
}

static int valid_name(const char *name)
{
    if (!is_ident_char(name[0], 1))
        return 0;
    for (const char *c = name; *c; c++)
        if (!is_ident_char(*c, 0))
            return 0;
    return 1;
}

static int declare_locked(LksRuntime *rt, const char *name, const char *type,
                          int flags)
{
    if (lks_chan_events(rt) > 0) {
        lks_runtime_set_error(rt, "channel %s declared after the first event",
                              name);
        return LKS_ESTATE;
    }
    if (!valid_name(name) || find_decl(rt, name)) {
        lks_runtime_set_error(rt, "channel name '%s' is not a new identifier",
                              name);
        return LKS_EINVAL;
    }
    LksDecl *d = calloc(1, sizeof *d);
    if (!d)
        return LKS_ENOMEM;
    d->name = strdup(name);
    d->type = strdup(type);
    d->traced = !(flags & LKS_UNTRACED);
    if (!d->name || !d->type) {
        free_decl(d);
        return LKS_ENOMEM;
    }
    if (parse_type(d, type) != 0) {
        free_decl(d);
        lks_runtime_set_error(rt, "channel %s: bad type '%s' (want e.g. "
                              "{0..4}.{a, b})", name, type);
        return LKS_EINVAL;
    }
    if (d->traced && d->nfields > 0)
        lks_record_metaf(rt, NULL, "channel %s : %s", name, skip_space(type));
    else if (d->traced)
        lks_record_metaf(rt, NULL, "channel %s", name);
    d->next = rt->decls;
    rt->decls = d;
    return LKS_OK;
}

int lks_channel_declare(LksRuntime *rt, const char *name, const char *type,
                        int flags)
{
    if (!rt || !name || !type)
        return LKS_EINVAL;
    pthread_mutex_lock(&rt->lock);
    int status = declare_locked(rt, name, type, flags);
    pthread_mutex_unlock(&rt->lock);
    return status;
}

int lks_symbol(LksRuntime *rt, const char *name, int field,
               const char *symbol)
{
    if (!rt || !name || !symbol)
        return LKS_EINVAL;
    pthread_mutex_lock(&rt->lock);
    int value = LKS_EINVAL;
    const LksDecl *d = find_decl(rt, name);
    if (d && field >= 0 && field < d->nfields)
        for (int s = 0; s < d->fields[field].nsymbols; s++)
            if (strcmp(d->fields[field].symbols[s], symbol) == 0)
                value = s;
    if (value < 0)
        lks_runtime_set_error(rt, "channel %s field %d has no symbol '%s'",
                              name, field + 1, symbol);
    pthread_mutex_unlock(&rt->lock);
    return value;
}

/* The longest text one field can print as. */
static size_t field_width(const LksField *f)
{
    size_t width = 11;
    for (int s = 0; s < f->nsymbols; s++)
        if (strlen(f->symbols[s]) > width)
            width = strlen(f->symbols[s]);
    return width;
}

int lks_channel_payload(LksRuntime *rt, const char *name, size_t size,
                        LksProject project, void *ud)
{
    if (!rt || !name)
        return LKS_EINVAL;
    pthread_mutex_lock(&rt->lock);
    LksDecl *d = find_decl(rt, name);
    int rc = LKS_OK;
    if (lks_chan_events(rt) > 0) {
        lks_runtime_set_error(rt, "payload of %s set after the first event",
                              name);
        rc = LKS_ESTATE;
    } else if (!d || size == 0) {
        lks_runtime_set_error(rt, "payload of %s: %s", name,
                              d ? "a message has at least one byte"
                                : "no such channel declared");
        rc = LKS_EINVAL;
    } else if (!project && d->nfields > 0) {
        lks_runtime_set_error(rt, "payload of %s: its fields need a "
                              "projection from the message", name);
        rc = LKS_EINVAL;
    } else {
        d->payload = size;
        d->project = project;
        d->project_ud = ud;
    }
    pthread_mutex_unlock(&rt->lock);
    return rc;
}

static LksChannel *channel_make(LksRuntime *rt, LksDecl *d, int nfixed,
                                const int *fixed)
{
    LksChannel *ch = calloc(1, sizeof *ch);
    if (!ch)
        return NULL;
    ch->rt = rt;
    ch->decl = d;
    ch->nfixed = nfixed;
    ch->ndata = d->nfields - nfixed;
    if (nfixed > 0)
        memcpy(ch->fixed, fixed, sizeof *fixed * (size_t)nfixed);
    size_t cap = strlen(d->name) + 1;
    for (int i = 0; i < d->nfields; i++)
        cap += 1 + field_width(&d->fields[i]);
    ch->name = malloc(cap);
    if (!ch->name) {
        free(ch);
        return NULL;
    }
    ch->max_text = cap - 1;
    size_t len = strlen(d->name);
    memcpy(ch->name, d->name, len);
    len += lks_record_format_fields(ch->name + len, d, 0, nfixed, fixed);
    ch->name[len] = '\0';
    ch->name_len = len;
    return ch;
}

LksChannel *lks_channel_new(LksRuntime *rt, const char *name, int nfixed,
                            const int *fixed)
{
    if (!rt || !name)
        return NULL;
    pthread_mutex_lock(&rt->lock);
    LksChannel *ch = NULL;
    LksDecl *d = find_decl(rt, name);
    if (!d) {
        lks_runtime_set_error(rt, "channel %s is not declared", name);
    } else if (nfixed < 0 || nfixed > d->nfields || (nfixed > 0 && !fixed)) {
        lks_runtime_set_error(rt, "channel %s has %d fields, %d fixed",
                              name, d->nfields, nfixed);
    } else {
        int ok = 1;
        for (int i = 0; i < nfixed; i++)
            if (fixed[i] < d->fields[i].lo || fixed[i] > d->fields[i].hi) {
                lks_runtime_set_error(rt, "channel %s: field %d value %d "
                                      "outside its type", name, i + 1,
                                      fixed[i]);
                ok = 0;
            }
        ch = ok ? channel_make(rt, d, nfixed, fixed) : NULL;
        if (ch) {
            /* the newest has the highest id: the list is in lock order */
            ch->id = rt->nchannels++;
            pthread_mutex_init(&ch->lock, NULL);
            ch->next = rt->channels;
            rt->channels = ch;
        } else if (ok) {
            lks_runtime_set_error(rt, "out of memory");
        }
    }
    pthread_mutex_unlock(&rt->lock);
    return ch;
}

int lks_channel_expect(LksChannel *ch, LksDir dir, const char *process)
{
    if (!ch || !process || (dir != LKS_DIR_SEND && dir != LKS_DIR_RECV))
        return LKS_EINVAL;
    pthread_mutex_lock(&ch->lock);
    int status = LKS_ENOMEM;
    char **grown = realloc(ch->expected[dir],
                           sizeof *grown * (size_t)(ch->nexpected[dir] + 1));
    if (grown) {
        ch->expected[dir] = grown;
        grown[ch->nexpected[dir]] = strdup(process);
        if (grown[ch->nexpected[dir]]) {
            ch->nexpected[dir]++;
            status = LKS_OK;
        }
    }
    pthread_mutex_unlock(&ch->lock);
    return status;
}

const char *lks_channel_name(const LksChannel *ch)
{
    return ch->name;
}

int lks_channel_arity(const LksChannel *ch)
{
    return ch->ndata;
}

const LksDeadlock *lks_deadlock(const LksRuntime *rt)
{
    return rt->deadlock;
}
