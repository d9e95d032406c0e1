/* diag: collected diagnostics. See diag.h. */
#include "diag.h"

#include "mem.h"

#include <stdarg.h>
#include <stdio.h>

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
    if (mem_grow((void **)&d->items, &d->cap, d->count + 1, sizeof *d->items))
        return;
    char *message = mem_strdup(buf);
    if (!message)
        return;
    d->items[d->count++] = (Diag){kind, pos, message};
}

size_t diags_errors(const Diags *d) { return d->errors; }

void diags_print(const Diags *d, FILE *out)
{
    static const char *const kinds[] = {"error", "warning", "note",
                                        "type error"};
    for (size_t i = 0; i < d->count; i++) {
        const Diag *g = &d->items[i];
        const char *file = g->pos.file ? g->pos.file : "<input>";
        if (g->pos.line > 0)
            fprintf(out, "%s:%d:%d: %s: %s\n", file, g->pos.line, g->pos.col,
                    kinds[g->kind], g->message);
        else
            fprintf(out, "%s: %s: %s\n", file, kinds[g->kind], g->message);
    }
    size_t limit = d->max_errors ? d->max_errors : 50;
    if (d->errors > limit)
        fprintf(out, "(%zu more errors not shown)\n", d->errors - limit);
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
