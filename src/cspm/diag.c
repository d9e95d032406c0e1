/* diag: collected diagnostics. See diag.h. */
#include "diag.h"

#include "mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void diags_init(Diags *d)
{
    *d = (Diags){0};
}

void diags_free(Diags *d)
{
    for (size_t i = 0; i < d->count; i++)
        mem_free(d->items[i].message);
    mem_free(d->items);
    *d = (Diags){0};
}

int diags_has(const Diags *d, DiagKind kind, SrcPos pos, const char *message)
{
    for (size_t i = 0; i < d->count; i++) {
        const Diag *g = &d->items[i];
        if (g->kind == kind && g->pos.line == pos.line &&
            g->pos.col == pos.col && !strcmp(g->message, message) &&
            (g->pos.file == pos.file ||
             (g->pos.file && pos.file && !strcmp(g->pos.file, pos.file))))
            return 1;
    }
    return 0;
}

void diags_add(Diags *d, DiagKind kind, SrcPos pos, const char *fmt, ...)
{
    int error = kind == DIAG_ERROR || kind == DIAG_TYPE_ERROR;
    if (error)
        d->errors++;
    size_t limit = d->max_errors ? d->max_errors : 50;
    if (error && d->errors > limit)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (diags_has(d, kind, pos, buf))
        return; /* said once: the same evaluation failing again */
    if (mem_grow((void **)&d->items, &d->cap, d->count + 1, sizeof *d->items))
        return;
    char *message = mem_strdup(buf);
    if (!message)
        return;
    d->items[d->count++] = (Diag){kind, pos, message};
}

size_t diags_errors(const Diags *d) { return d->errors; }

static void diag_print(const Diag *g, FILE *out)
{
    static const char *const kinds[] = {"error", "warning", "note",
                                        "type error"};
    const char *file = g->pos.file ? g->pos.file : "<input>";
    if (g->pos.line > 0)
        fprintf(out, "%s:%d:%d: %s: %s\n", file, g->pos.line, g->pos.col,
                kinds[g->kind], g->message);
    else
        fprintf(out, "%s: %s: %s\n", file, kinds[g->kind], g->message);
}

void diags_print(const Diags *d, FILE *out)
{
    for (size_t i = 0; i < d->count; i++)
        diag_print(&d->items[i], out);
    size_t limit = d->max_errors ? d->max_errors : 50;
    if (d->errors > limit)
        fprintf(out, "(%zu more errors not shown)\n", d->errors - limit);
}

void diags_print_new(const Diags *d, Diags *said, FILE *out)
{
    for (size_t i = 0; i < d->count; i++) {
        const Diag *g = &d->items[i];
        if (diags_has(said, g->kind, g->pos, g->message))
            continue;
        diag_print(g, out);
        diags_add(said, g->kind, g->pos, "%s", g->message);
    }
}

void diags_truncate(Diags *d, size_t count)
{
    while (d->count > count) {
        Diag *last = &d->items[--d->count];
        if (last->kind == DIAG_ERROR)
            d->errors--;
        mem_free(last->message);
    }
}
