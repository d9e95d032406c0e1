/* extsort: sorted streams and an external merge sort. See extsort.h. */
#include "extsort.h"

#include "mem.h"

#include <errno.h>

/* ---------- sorted streams ---------- */

void sorted_src_next(SortedSrc *s, size_t rw)
{
    if (s->f) {
        s->cur = spill_next(s->f);
    } else if (s->p < s->end) {
        s->cur = s->p;
        s->p += rw;
    } else {
        s->cur = NULL;
    }
}

void sorted_src_mem(SortedSrc *s, const uint64_t *a, size_t n, size_t rw)
{
    *s = (SortedSrc){NULL, a, a + n * rw, NULL};
    sorted_src_next(s, rw);
}

void sorted_src_file(SortedSrc *s, Spill *f, size_t rw)
{
    *s = (SortedSrc){NULL, NULL, NULL, f};
    spill_seek(f, 0);
    sorted_src_next(s, rw);
}

int sorted_src_min(const SortedSrc *s, size_t n, const RecKey *k)
{
    int best = -1;
    for (size_t i = 0; i < n; i++)
        if (s[i].cur && (best < 0 || reckey_cmp(k, s[i].cur, s[best].cur) < 0))
            best = (int)i;
    return best;
}

/* ---------- external sort ---------- */

void extsort_init(ExtSort *s, const RecKey *k, uint64_t *buf, uint64_t *tmp,
                  size_t cap, const char *dir, size_t io)
{
    *s = (ExtSort){.k = *k, .dir = dir, .io = io, .buf = buf, .tmp = tmp,
                   .cap = cap};
}

static int fail(ExtSort *s, int err)
{
    if (!s->err)
        s->err = err ? err : EIO;
    return -1;
}

static int spill_failed(ExtSort *s, const Spill *f)
{
    return f->err ? fail(s, f->err) : 0;
}

static Spill *run_add(ExtSort *s)
{
    if (mem_grow((void **)&s->runs, &s->runs_cap, s->nruns + 1,
                 sizeof *s->runs) != 0) {
        fail(s, ENOMEM);
        return NULL;
    }
    Spill *f = &s->runs[s->nruns];
    if (spill_create(f, s->dir, s->k.rw * sizeof(uint64_t), s->io) != 0) {
        fail(s, f->err);
        return NULL;
    }
    s->nruns++;
    return f;
}

static void buffer_sort(ExtSort *s)
{
    if (s->tmp)
        recsort_tmp(&s->k, s->buf, s->tmp, s->fill);
    else
        recsort(&s->k, s->buf, s->fill);
}

/* Opens the runs (and the buffer's fill records when with_buffer) as
 * sources. */
static int sources_open(ExtSort *s, int with_buffer)
{
    mem_free(s->src);
    s->nsrc = s->nruns + (with_buffer ? 1 : 0);
    s->src = mem_alloc((s->nsrc + 1) * sizeof *s->src);
    if (!s->src)
        return fail(s, ENOMEM);
    for (size_t i = 0; i < s->nruns; i++)
        sorted_src_file(&s->src[i], &s->runs[i], s->k.rw);
    if (with_buffer)
        sorted_src_mem(&s->src[s->nruns], s->buf, s->fill, s->k.rw);
    return 0;
}

/* EXTSORT_FANIN runs: merged into one. */
static int runs_merge(ExtSort *s)
{
    Spill merged;
    if (spill_create(&merged, s->dir, s->k.rw * sizeof(uint64_t), s->io) != 0)
        return fail(s, merged.err);
    int rc = sources_open(s, 0);
    for (int i; rc == 0 && (i = sorted_src_min(s->src, s->nsrc, &s->k)) >= 0;) {
        rc = spill_put(&merged, s->src[i].cur);
        sorted_src_next(&s->src[i], s->k.rw);
    }
    for (size_t i = 0; i < s->nruns; i++) {
        if (rc == 0)
            rc = spill_failed(s, &s->runs[i]);
        spill_close(&s->runs[i]);
    }
    if (rc == 0 && spill_flush(&merged) != 0)
        rc = -1;
    if (rc != 0) {
        spill_failed(s, &merged);
        spill_close(&merged);
        s->nruns = 0;
        return -1;
    }
    s->runs[0] = merged;
    s->nruns = 1;
    return 0;
}

int extsort_put(ExtSort *s, const uint64_t *rec)
{
    if (s->err)
        return -1;
    if (s->fill == s->cap) {
        buffer_sort(s);
        Spill *f = run_add(s);
        for (size_t i = 0; f && i < s->fill; i++)
            spill_put(f, s->buf + i * s->k.rw);
        if (!f || spill_flush(f) != 0)
            return f ? spill_failed(s, f) : -1;
        s->fill = 0;
        if (s->nruns == EXTSORT_FANIN && runs_merge(s) != 0)
            return -1;
    }
    words_copy(s->buf + s->fill++ * s->k.rw, rec, s->k.rw);
    s->count++;
    return 0;
}

int extsort_start(ExtSort *s)
{
    if (s->err)
        return -1;
    buffer_sort(s);
    s->last = -1;
    return sources_open(s, 1);
}

const uint64_t *extsort_next(ExtSort *s)
{
    if (s->err || !s->src)
        return NULL;
    if (s->last >= 0) /* the record given last time is taken now */
        sorted_src_next(&s->src[s->last], s->k.rw);
    s->last = sorted_src_min(s->src, s->nsrc, &s->k);
    if (s->last >= 0)
        return s->src[s->last].cur;
    for (size_t r = 0; r < s->nruns; r++)
        spill_failed(s, &s->runs[r]);
    return NULL;
}

void extsort_free(ExtSort *s)
{
    for (size_t i = 0; i < s->nruns; i++)
        spill_close(&s->runs[i]);
    mem_free(s->runs);
    mem_free(s->src);
    s->runs = NULL;
    s->src = NULL;
    s->nruns = s->nsrc = 0;
}
