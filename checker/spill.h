/* spill: files of fixed-size records on disk, for the explorer's store on
 * disk (explore_disk.h): appended through a buffer, then read back in
 * order, or read at any record.
 *
 * A file has no name: it is made in the directory with O_TMPFILE (or made
 * under a unique name and unlinked at once where the file system cannot),
 * so it vanishes when closed, and a run that ends in any way, a crash
 * included, leaves nothing behind in the directory.
 *
 * Errors: an operation that fails keeps the errno (Spill.err) and every
 * later one fails at once; nothing here calls exit or aborts. One thread
 * per file at a time, except spill_get, which may run on many threads
 * while nothing is written.
 *
 * Ownership: the Spill owns its descriptor and buffer (spill_close). */
#ifndef LOCKSTEP_SPILL_H
#define LOCKSTEP_SPILL_H

#include <stddef.h>
#include <stdint.h>

typedef struct Spill {
    int fd;
    size_t rec;      /* bytes a record */
    uint64_t count;  /* records written */
    uint8_t *buf;    /* a buffer of whole records */
    size_t cap;      /* records the buffer holds */
    size_t fill;     /* records in it: to write, or read and not yet taken */
    size_t taken;    /* reading: records of the buffer already taken */
    uint64_t next;   /* reading: the record the buffer's end is at */
    int writing;
    int err;         /* the first failure's errno, or 0 */
} Spill;

/* A new empty file of `rec`-byte records in directory `dir`, with a
 * buffer of about `buffer` bytes. 0, or -1 with s->err set (s is then
 * closed already; spill_close on it is harmless). */
int spill_create(Spill *s, const char *dir, size_t rec, size_t buffer);
void spill_close(Spill *s);

/* Appends a record. 0, or -1 (s->err). */
int spill_put(Spill *s, const void *rec);
/* Writes out what the buffer holds. 0, or -1 (s->err). */
int spill_flush(Spill *s);

/* Starts reading in order at record `index` (flushing first). */
int spill_seek(Spill *s, uint64_t index);
/* The next record: a pointer into the buffer, valid until the next call
 * (8 bytes may be read from it, whatever the record's size); NULL at the
 * end or on an error (s->err). */
const void *spill_next(Spill *s);

/* The next records, as many as the buffer holds (at least 1): a pointer
 * into the buffer, valid until the next call, and their number in *n;
 * NULL at the end or on an error. For scans that go faster than a call
 * per record. */
const void *spill_block(Spill *s, size_t *n);

/* Reads records [index, index + n) into out, without the buffer (the
 * file must be flushed). 0, or -1 with *err set. Thread-safe. */
int spill_get(const Spill *s, uint64_t index, uint64_t n, void *out,
              int *err);

/* Bytes written. */
static inline uint64_t spill_bytes(const Spill *s)
{
    return s->count * s->rec;
}

#endif
