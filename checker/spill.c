/* spill: files of fixed-size records on disk. See spill.h. */
#define _GNU_SOURCE /* O_TMPFILE */
#include "spill.h"

#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A nameless file in dir: O_TMPFILE, or a unique name unlinked at once
 * (file systems without O_TMPFILE say EOPNOTSUPP or EISDIR). */
static int open_nameless(const char *dir)
{
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR &&
                    errno != EINVAL))
        return fd;
#endif
    size_t n = strlen(dir) + 32;
    char *path = mem_alloc(n);
    if (!path) {
        errno = ENOMEM;
        return -1;
    }
    snprintf(path, n, "%s/lockstep-XXXXXX", dir);
    int fd2 = mkstemp(path);
    if (fd2 >= 0)
        unlink(path);
    int saved = errno;
    mem_free(path);
    errno = saved;
    return fd2;
}

static int fail(Spill *s, int err)
{
    if (!s->err)
        s->err = err ? err : EIO;
    return -1;
}

int spill_create(Spill *s, const char *dir, size_t rec, size_t buffer)
{
    memset(s, 0, sizeof *s);
    s->rec = rec;
    s->cap = buffer / rec ? buffer / rec : 1;
    s->writing = 1;
    s->fd = open_nameless(dir);
    if (s->fd < 0)
        return fail(s, errno);
    s->buf = mem_alloc(s->cap * rec + 8); /* a key's 8 bytes may be read */
    if (!s->buf) {
        close(s->fd);
        s->fd = -1;
        return fail(s, ENOMEM);
    }
    return 0;
}

void spill_close(Spill *s)
{
    if (s->fd >= 0 && s->buf)
        close(s->fd);
    mem_free(s->buf);
    s->buf = NULL;
    s->fd = -1;
}

/* Writes n bytes at offset `at`, all of them. */
static int write_all(int fd, const uint8_t *p, size_t n, uint64_t at)
{
    while (n) {
        ssize_t w = pwrite(fd, p, n, (off_t)at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w == 0 ? ENOSPC : errno;
        p += w;
        n -= (size_t)w;
        at += (uint64_t)w;
    }
    return 0;
}

int spill_flush(Spill *s)
{
    if (s->err)
        return -1;
    if (!s->writing || !s->fill)
        return 0;
    int err = write_all(s->fd, s->buf, s->fill * s->rec,
                        (s->count - s->fill) * s->rec);
    s->fill = 0;
    return err ? fail(s, err) : 0;
}

int spill_put(Spill *s, const void *rec)
{
    if (s->err)
        return -1;
    if (!s->writing) { /* appending after reading: the buffer is free */
        s->writing = 1;
        s->fill = 0;
    }
    if (s->fill == s->cap && spill_flush(s) != 0)
        return -1;
    mem_copy(s->buf + s->fill++ * s->rec, rec, s->rec);
    s->count++;
    return 0;
}

int spill_seek(Spill *s, uint64_t index)
{
    if (spill_flush(s) != 0)
        return -1;
    s->writing = 0;
    s->fill = s->taken = 0;
    s->next = index;
    return 0;
}

/* Reads n bytes at offset `at`, all of them (a short file is an error). */
static int read_all(int fd, uint8_t *p, size_t n, uint64_t at)
{
    while (n) {
        ssize_t r = pread(fd, p, n, (off_t)at);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r == 0 ? EIO : errno;
        p += r;
        n -= (size_t)r;
        at += (uint64_t)r;
    }
    return 0;
}

const void *spill_next(Spill *s)
{
    if (s->err || s->writing)
        return NULL;
    if (s->taken == s->fill) {
        uint64_t left = s->count - s->next;
        size_t n = left < s->cap ? (size_t)left : s->cap;
        if (n == 0)
            return NULL;
        int err = read_all(s->fd, s->buf, n * s->rec, s->next * s->rec);
        if (err) {
            fail(s, err);
            return NULL;
        }
        s->next += n;
        s->fill = n;
        s->taken = 0;
    }
    return s->buf + s->taken++ * s->rec;
}

const void *spill_block(Spill *s, size_t *n)
{
    const uint8_t *first = spill_next(s);
    if (!first)
        return NULL;
    *n = s->fill - s->taken + 1;
    s->taken = s->fill;
    return first;
}

int spill_get(const Spill *s, uint64_t index, uint64_t n, void *out,
              int *err)
{
    if (index + n > s->count - (s->writing ? s->fill : 0)) {
        *err = EINVAL; /* not written out yet */
        return -1;
    }
    int e = read_all(s->fd, out, n * s->rec, index * s->rec);
    if (e)
        *err = e;
    return e ? -1 : 0;
}
