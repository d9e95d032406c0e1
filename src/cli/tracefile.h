/* tracefile: reading the trace files the runtime writes (format version 1,
 * specified in runtime/README.md), one record at a time, in one pass: the
 * memory used does not depend on the length of the file.
 *
 * A plain file of event lines with no header at all is a valid trace (every
 * event observed). Bad files give diagnostics at file:line: an unknown
 * format version, a malformed line (spaces, binary data, an empty event), a
 * line too long, a truncated last line.
 */
#ifndef LOCKSTEP_TRACEFILE_H
#define LOCKSTEP_TRACEFILE_H

#include "diag.h"

#include <stddef.h>
#include <stdio.h>

typedef enum TraceRecord {
    TRACE_EVENT,     /* an event line: text */
    TRACE_META,      /* a metadata line: text after "# " (kept for reports) */
    TRACE_EOF,
    TRACE_BAD        /* a diagnostic was added; stop reading */
} TraceRecord;

typedef struct TraceFile {
    FILE *f;
    const char *path;
    long line;
    char *buf;
    size_t cap;
    /* what the header said */
    int version;                /* 0 when the file has no version line */
    char **channels;            /* "# channel NAME ..." names */
    size_t nchannels;
    int deadlock;               /* "# deadlock" (1) or "# deadlock partial" (2) */
    char **blocked;             /* the "# blocked ..." lines, as written */
    size_t nblocked;
    char **waits;               /* the "# waits A for B" lines, as written */
    size_t nwaits;
    long declared_events;       /* "# end N events", or -1 */
    Diags *diags;
} TraceFile;

/* 0, or -1 with a diagnostic (cannot open). */
int tracefile_open(TraceFile *t, const char *path, Diags *diags);
void tracefile_close(TraceFile *t);
/* The next record; for EVENT and META, *text is valid until the next call.
 * The header lines update the fields above as they are read. */
TraceRecord tracefile_next(TraceFile *t, const char **text);

#endif
