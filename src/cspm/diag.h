/* diag: diagnostics about the user's input.
 *
 * Errors in a model or a trace file are data, not crashes (clox, SQLite): a
 * phase appends messages to a Diags list and carries on where it can; later
 * phases do not run once diags_errors() > 0. main.c prints them as
 *   file:line:col: error: message
 * and exits 2. Nothing here prints by itself except diags_print.
 */
#ifndef LOCKSTEP_DIAG_H
#define LOCKSTEP_DIAG_H

#include <stdio.h>

typedef struct SrcPos {
    const char *file; /* not owned: lives in the model's arena */
    int line, col;    /* 1-based; 0 when unknown */
} SrcPos;

/* A type error is an error (it counts in diags_errors) printed as
 * "type error". */
typedef enum DiagKind {
    DIAG_ERROR, DIAG_WARNING, DIAG_NOTE, DIAG_TYPE_ERROR
} DiagKind;

typedef struct Diag {
    DiagKind kind;
    SrcPos pos;
    char *message; /* owned */
} Diag;

typedef struct Diags {
    Diag *items;
    size_t count, cap;
    size_t errors;
    size_t max_errors; /* stop collecting after this many errors; 0: 50 */
} Diags;

void diags_init(Diags *d);
void diags_free(Diags *d);
/* printf-style; a message that cannot be stored (out of memory) still
 * counts as an error. */
void diags_add(Diags *d, DiagKind kind, SrcPos pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define diags_error(d, pos, ...) diags_add((d), DIAG_ERROR, (pos), __VA_ARGS__)
size_t diags_errors(const Diags *d);
/* 1 when d holds this very diagnostic (diags_add keeps one of each). */
int diags_has(const Diags *d, DiagKind kind, SrcPos pos, const char *message);
/* Drops the diagnostics after the first `count` (a parser that backtracks
 * forgets what its abandoned attempt reported). */
void diags_truncate(Diags *d, size_t count);
/* Prints every diagnostic as file:line:col: kind: message. */
void diags_print(const Diags *d, FILE *out);
/* Prints those of d not in `said`, and adds them to it: a run of several
 * checks says each thing once. */
void diags_print_new(const Diags *d, Diags *said, FILE *out);

#endif
