/* record.c — trace recording: per-process buffers, batches, the file.
 *
 * Every record (an event or a `#` line) takes the next number of the global
 * sequence (an atomic counter) while holding its buffer's lock: a process's
 * own buf_lock, or rt->meta_lock for records made outside any process. The
 * committer of an event numbers it while both parties are bound (chan.c),
 * so the order agrees with causality. A flush holds every buffer's lock at
 * once, so every number below rt->seq is in some buffer: the batch holds
 * exactly the records numbered [lo, hi), no gaps, nothing left behind. The
 * batch is then sorted by direct placement (record seq - lo) and written
 * with write(2) outside the lock; tickets keep batches in order when two
 * flushes overlap. What write(2) accepted survives a crash or a signal that
 * kills the program: the flush policy is in runtime/README.md.
 *
 * Does not: compress, rotate files, or write binary.
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static LksChunk *chunk_new(int capacity)
{
    LksChunk *c = malloc(sizeof *c + sizeof(LksRecord) * (size_t)capacity);
    if (!c)
        return NULL;
    c->count = 0;
    c->capacity = capacity;
    c->next = NULL;
    return c;
}

/* Keeps full-size chunks for reuse: a run that records a lot would
 * otherwise map and unmap a large buffer per flush (page faults, and TLB
 * shootdowns that interrupt the other threads). */
#define LKS_POOL_MAX 64

static void recycle(LksRuntime *rt, LksChunk *chunk)
{
    pthread_mutex_lock(&rt->pool_lock);
    while (chunk) {
        LksChunk *next = chunk->next;
        for (int i = 0; i < chunk->count; i++)
            if (chunk->records[i].kind == LKS_REC_META)
                free(chunk->records[i].text);
        if (chunk->capacity == rt->cfg.flush_events &&
            rt->npool < LKS_POOL_MAX) {
            chunk->count = 0;
            chunk->next = rt->pool;
            rt->pool = chunk;
            rt->npool++;
        } else {
            free(chunk);
        }
        chunk = next;
    }
    pthread_mutex_unlock(&rt->pool_lock);
}

void lks_record_release(LksChunk *chunk)
{
    while (chunk) {
        LksChunk *next = chunk->next;
        for (int i = 0; i < chunk->count; i++)
            if (chunk->records[i].kind == LKS_REC_META)
                free(chunk->records[i].text);
        free(chunk);
        chunk = next;
    }
}

/* The size of p's next chunk: small for processes that commit rarely,
 * doubling up to flush_events for those that commit often, so a program of
 * many quiet processes does not hold flush_events records for each. */
static int next_capacity(const LksRuntime *rt, LksProc *p)
{
    if (!p)
        return 64;
    int cap = p->chunk_capacity ? 2 * p->chunk_capacity : 64;
    if (cap > rt->cfg.flush_events)
        cap = rt->cfg.flush_events;
    p->chunk_capacity = cap;
    return cap;
}

/* A chunk of the capacity, from the pool when it has one. */
static LksChunk *chunk_get(LksRuntime *rt, int capacity)
{
    LksChunk *c = NULL;
    if (capacity == rt->cfg.flush_events) {
        pthread_mutex_lock(&rt->pool_lock);
        if ((c = rt->pool) != NULL) {
            rt->pool = c->next;
            rt->npool--;
            c->next = NULL;
        }
        pthread_mutex_unlock(&rt->pool_lock);
    }
    return c ? c : chunk_new(capacity);
}

/* The lock of p's buffer (or of rt->meta). */
static pthread_mutex_t *buffer_lock(LksRuntime *rt, LksProc *p)
{
    return p ? &p->buf_lock : &rt->meta_lock;
}

/* The next free record of p's buffer (or rt->meta), numbered; its lock is
 * held. */
static LksRecord *record_slot(LksRuntime *rt, LksProc *p)
{
    LksChunk **head = p ? &p->buffer : &rt->meta;
    if (!*head || (*head)->count == (*head)->capacity) {
        LksChunk *c = chunk_get(rt, next_capacity(rt, p));
        if (!c) {
            pthread_mutex_lock(&rt->write_lock);
            rt->trace_status = LKS_ENOMEM;
            pthread_mutex_unlock(&rt->write_lock);
            return NULL;
        }
        c->next = *head;
        *head = c;
    }
    if (p)
        __atomic_store_n(&p->buffered, p->buffered + 1, __ATOMIC_RELAXED);
    LksRecord *r = &(*head)->records[(*head)->count++];
    r->seq = __atomic_fetch_add(&rt->seq, 1, __ATOMIC_RELAXED);
    r->time_ns = rt->cfg.timestamps ? lks_runtime_now_ns() - rt->start_ns : 0;
    return r;
}

int lks_record_event(LksRuntime *rt, LksProc *p, const LksChannel *ch,
                     const int *values)
{
    if (rt->fd < 0 || !ch->decl->traced)
        return LKS_OK;
    pthread_mutex_lock(&p->buf_lock);
    LksRecord *r = record_slot(rt, p);
    if (r) {
        p->recorded++;
        r->kind = LKS_REC_EVENT;
        r->chan = ch;
        r->text = NULL;
        if (ch->ndata > 0)
            memcpy(r->values, values, sizeof *values * (size_t)ch->ndata);
    }
    pthread_mutex_unlock(&p->buf_lock);
    return r ? LKS_OK : LKS_ENOMEM;
}

int lks_record_meta(LksRuntime *rt, LksProc *p, char *text)
{
    if (!text) {
        pthread_mutex_lock(&rt->write_lock);
        rt->trace_status = LKS_ENOMEM;
        pthread_mutex_unlock(&rt->write_lock);
        return LKS_ENOMEM;
    }
    if (rt->fd < 0) {
        free(text);
        return LKS_OK;
    }
    pthread_mutex_lock(buffer_lock(rt, p));
    LksRecord *r = record_slot(rt, p);
    if (r) {
        r->kind = LKS_REC_META;
        r->chan = NULL;
        r->text = text;
    }
    pthread_mutex_unlock(buffer_lock(rt, p));
    if (!r)
        free(text);
    return r ? LKS_OK : LKS_ENOMEM;
}

int lks_record_metaf(LksRuntime *rt, LksProc *p, const char *fmt, ...)
{
    if (rt->fd < 0)
        return LKS_OK;
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    char *text = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (text)
        vsnprintf(text, (size_t)len + 1, fmt, again);
    va_end(again);
    va_end(ap);
    return lks_record_meta(rt, p, text);
}

int lks_record_want_flush(const LksRuntime *rt, const LksProc *p)
{
    return rt->fd >= 0 &&
           __atomic_load_n(&p->buffered, __ATOMIC_RELAXED) >=
               rt->cfg.flush_events;
}

static void append_chain(LksChunk **all, LksChunk *chain)
{
    while (chain) {
        LksChunk *next = chain->next;
        chain->next = *all;
        *all = chain;
        chain = next;
    }
}

LksBatch lks_record_collect(LksRuntime *rt)
{
    LksBatch batch = {NULL, rt->collected_seq, 0, 0};
    if (rt->fd < 0)
        return batch;
    for (LksProc *p = rt->procs; p; p = p->next)
        pthread_mutex_lock(&p->buf_lock);
    pthread_mutex_lock(&rt->meta_lock);
    /* no record is being numbered now: all below hi are in the buffers */
    batch.hi = __atomic_load_n(&rt->seq, __ATOMIC_RELAXED);
    for (LksProc *p = rt->procs; p; p = p->next) {
        append_chain(&batch.chunks, p->buffer);
        p->buffer = NULL;
        __atomic_store_n(&p->buffered, 0, __ATOMIC_RELAXED);
    }
    append_chain(&batch.chunks, rt->meta);
    rt->meta = NULL;
    pthread_mutex_unlock(&rt->meta_lock);
    for (LksProc *p = rt->procs; p; p = p->next)
        pthread_mutex_unlock(&p->buf_lock);
    rt->collected_seq = batch.hi;
    batch.ticket = rt->tickets++;
    return batch;
}

static size_t format_int(char *out, int v)
{
    char digits[12];
    size_t n = 0, len = 0;
    unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        out[len++] = '-';
    while (n)
        out[len++] = digits[--n];
    return len;
}

size_t lks_record_format_fields(char *out, const LksDecl *d, int first, int n,
                                const int *values)
{
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        const LksField *f = &d->fields[first + i];
        out[len++] = '.';
        if (f->nsymbols > 0) {
            size_t sl = strlen(f->symbols[values[i]]);
            memcpy(out + len, f->symbols[values[i]], sl);
            len += sl;
        } else {
            len += format_int(out + len, values[i]);
        }
    }
    return len;
}

/* Appends one record as text to out (which has room). */
static size_t format_record(char *out, const LksRecord *r, int timestamps)
{
    size_t len = 0;
    if (r->kind == LKS_REC_META) {
        size_t tl = strlen(r->text);
        out[0] = '#';
        out[1] = ' ';
        memcpy(out + 2, r->text, tl);
        out[2 + tl] = '\n';
        return tl + 3;
    }
    if (timestamps) {
        len += (size_t)sprintf(out, "# at %llu\n",
                               (unsigned long long)r->time_ns);
    }
    const LksChannel *ch = r->chan;
    memcpy(out + len, ch->name, ch->name_len);
    len += ch->name_len;
    len += lks_record_format_fields(out + len, ch->decl, ch->nfixed,
                                    ch->ndata, r->values);
    out[len++] = '\n';
    return len;
}

static size_t record_room(const LksRecord *r)
{
    if (r->kind == LKS_REC_META)
        return strlen(r->text) + 3;
    return r->chan->max_text + 32;
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

/* Formats the sorted records and writes them; returns a status. */
static int write_sorted(int fd, LksRecord **sorted, uint64_t count,
                        int timestamps)
{
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    if (!text)
        return LKS_ENOMEM;
    int status = LKS_OK;
    for (uint64_t i = 0; i < count && status == LKS_OK; i++) {
        if (!sorted[i])
            continue;  /* a record lost to out-of-memory; status says so */
        size_t room = record_room(sorted[i]);
        if (len + room > cap) {
            status = write_all(fd, text, len);
            len = 0;
            if (room > cap) {
                char *bigger = realloc(text, room);
                if (!bigger) {
                    status = LKS_ENOMEM;
                    break;
                }
                text = bigger;
                cap = room;
            }
        }
        len += format_record(text + len, sorted[i], timestamps);
    }
    if (status == LKS_OK && len > 0)
        status = write_all(fd, text, len);
    free(text);
    return status;
}

void lks_record_write(LksRuntime *rt, LksBatch batch)
{
    if (rt->fd < 0)
        return;
    uint64_t count = batch.hi - batch.lo;
    LksRecord **sorted = count ? calloc(count, sizeof *sorted) : NULL;
    if (sorted) {
        for (LksChunk *c = batch.chunks; c; c = c->next)
            for (int i = 0; i < c->count; i++)
                sorted[c->records[i].seq - batch.lo] = &c->records[i];
    }
    pthread_mutex_lock(&rt->write_lock);
    while (rt->written_tickets != batch.ticket)
        pthread_cond_wait(&rt->write_turn, &rt->write_lock);
    int status = LKS_OK;
    if (count && !sorted)
        status = LKS_ENOMEM;
    else if (count)
        status = write_sorted(rt->fd, sorted, count, rt->cfg.timestamps);
    if (status != LKS_OK && rt->trace_status == LKS_OK)
        rt->trace_status = status;
    rt->written_tickets++;
    pthread_cond_broadcast(&rt->write_turn);
    pthread_mutex_unlock(&rt->write_lock);
    free(sorted);
    recycle(rt, batch.chunks);
}
