/* report_html: the HTML report page. See report_html.h. */
#include "report_html.h"

#include "mem.h"
#include "render.h"
#include "render_msc.h"
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct HtmlReport {
    char *path, *model_file;
    FILE *rows, *sections;     /* open_memstream: the page's two parts */
    char *rows_buf, *sections_buf;
    size_t rows_len, sections_len;
    size_t count, passed, failed, other;
    int load_failed;
};

static void put_html(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out);
        }
    }
}

static void html_free(HtmlReport *h)
{
    if (h->rows)
        fclose(h->rows);
    if (h->sections)
        fclose(h->sections);
    free(h->rows_buf); /* open_memstream's, not ours */
    free(h->sections_buf);
    mem_free(h->path);
    mem_free(h->model_file);
    mem_free(h);
}

HtmlReport *report_html_new(const char *path, const char *model_file)
{
    HtmlReport *h = mem_calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->path = mem_strdup(path);
    h->model_file = mem_strdup(model_file);
    h->rows = open_memstream(&h->rows_buf, &h->rows_len);
    h->sections = open_memstream(&h->sections_buf, &h->sections_len);
    if (!h->path || !h->model_file || !h->rows || !h->sections) {
        html_free(h);
        return NULL;
    }
    return h;
}

static void row(HtmlReport *h, const ModelAssert *a, size_t index,
                const RunResult *r, const char *verdict)
{
    const ExploreStats *s = &r->check.stats;
    fprintf(h->rows, "<tr class=\"assert %s\" data-verdict=\"%s\">"
            "<td>%zu</td><td class=\"verdict\">%s</td><td>", verdict,
            verdict, index + 1, verdict);
    if (strcmp(verdict, "PASS"))
        fprintf(h->rows, "<a href=\"#a%zu\">", index + 1);
    put_html(h->rows, a->text);
    fprintf(h->rows, "%s</td><td>%d</td>", strcmp(verdict, "PASS") ? "</a>"
                                                                  : "",
            a->pos.line);
    if (r->not_run)
        fputs("<td></td><td></td><td></td></tr>\n", h->rows);
    else
        fprintf(h->rows, "<td>%llu</td><td>%llu</td><td>%.3f s</td></tr>\n",
                (unsigned long long)s->states,
                (unsigned long long)s->transitions, r->seconds);
}

/* The text report of the assertion, as the terminal shows it with
 * --stats. */
static void text_block(HtmlReport *h, Model *model, size_t index,
                       const RunResult *r, size_t *compressions)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return;
    ReportOptions opt = {REPORT_TEXT, 1};
    report_assert(f, model, index, r, &opt, compressions);
    fclose(f);
    fputs("<pre class=\"text\">", h->sections);
    put_html(h->sections, buf);
    fputs("</pre>\n", h->sections);
    free(buf);
}

static void charts(HtmlReport *h, const ModelAssert *a, const RunResult *r)
{
    fputs("<h3>Sequence chart</h3>\n<div class=\"chart\">\n", h->sections);
    if (render_msc(r->machine, &r->check, a->text, 0, h->sections) != 0)
        fputs("<p>(no chart: out of memory)</p>\n", h->sections);
    fputs("</div>\n", h->sections);
    const Cex *c = &r->check.cex;
    WaitGraph w;
    if (r->check.fail != FAIL_DEADLOCK ||
        render_waitgraph_of(r->machine, c->states + c->steps * c->width, &w))
        return;
    fputs("<h3>Who waits for whom</h3>\n<div class=\"chart\">\n",
          h->sections);
    if (render_waitgraph_inline(&w, a->text, h->sections) != 0)
        fputs("<p>(no diagram: Graphviz could not lay it out)</p>\n",
              h->sections);
    fputs("</div>\n", h->sections);
    render_waitgraph_free(&w);
}

static void components(HtmlReport *h, Model *model, const RunResult *r)
{
    size_t n = r->machine ? r->machine->components : 0;
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        char process[1024], *offers;
        if (report_component(model, r, i, process, sizeof process,
                             &offers) != 0)
            continue;
        if (!any++)
            fputs("<h3>Components at the end</h3>\n<table class=\"comps\">"
                  "<tr><th>#</th><th>Process</th><th>Offers</th></tr>\n",
                  h->sections);
        fprintf(h->sections, "<tr><td>%zu</td><td><code>", i);
        put_html(h->sections, process);
        fputs("</code></td><td><code>", h->sections);
        put_html(h->sections, offers ? offers : "?");
        fputs("</code></td></tr>\n", h->sections);
        mem_free(offers);
    }
    if (any)
        fputs("</table>\n", h->sections);
}

void report_html_assert(HtmlReport *h, Model *model, size_t index,
                        const RunResult *r, size_t *compressions)
{
    const ModelAssert *a = model_assert(model, index);
    const char *verdict = report_verdict(a, r);
    h->count++;
    if (!strcmp(verdict, "PASS"))
        h->passed++;
    else if (!strcmp(verdict, "FAIL"))
        h->failed++;
    else
        h->other++;
    row(h, a, index, r, verdict);
    if (!strcmp(verdict, "PASS")) {
        *compressions = term_compressions(model_terms(model));
        return;
    }
    fprintf(h->sections, "<section class=\"assertion %s\" id=\"a%zu\">\n"
            "<h2><span class=\"verdict\">%s</span> %zu. ", verdict,
            index + 1, verdict, index + 1);
    put_html(h->sections, a->text);
    fprintf(h->sections, " <small>line %d</small></h2>\n", a->pos.line);
    text_block(h, model, index, r, compressions);
    if (r->check.verdict == VERDICT_FAIL && r->check.cex.states) {
        charts(h, a, r);
        components(h, model, r);
    }
    fputs("</section>\n", h->sections);
}

int report_html_load_errors(const char *path, const char *model_file,
                            const Diags *d)
{
    HtmlReport *h = report_html_new(path, model_file);
    if (!h)
        return -1;
    h->load_failed = 1;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f) {
        diags_print(d, f);
        fclose(f);
        fputs("<section class=\"load-error\" id=\"load\">\n<h2><span "
              "class=\"verdict\">ERROR</span> the file did not load</h2>\n"
              "<pre class=\"text\">", h->sections);
        put_html(h->sections, buf);
        fputs("</pre>\n</section>\n", h->sections);
        free(buf);
    }
    return report_html_finish(h);
}

static const char STYLE[] =
    "body{font-family:system-ui,'DejaVu Sans',sans-serif;margin:24px;"
    "color:#222}\n"
    "h1{font-size:20px}h2{font-size:16px;margin-top:32px;border-top:1px "
    "solid #ddd;padding-top:16px}h3{font-size:14px;color:#444}\n"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;"
    "padding:4px 8px;text-align:left;vertical-align:top}\n"
    "th{background:#f3f3f3}td:nth-child(n+5){text-align:right}\n"
    ".comps td{text-align:left}\n"
    ".PASS .verdict{color:#176b17;font-weight:bold}\n"
    ".FAIL .verdict{color:#c00;font-weight:bold}\n"
    ".LIMIT .verdict,.ERROR .verdict,.load-error .verdict{color:#a60;"
    "font-weight:bold}\n"
    "pre.text{background:#f7f7f7;padding:8px;overflow:auto;"
    "max-height:24em;white-space:pre-wrap}\n"
    ".chart{overflow:auto;max-height:80vh;border:1px solid #ddd;"
    "background:#fff}\n"

    "code{font-family:'DejaVu Sans Mono',monospace}\n";

static void page(FILE *out, const HtmlReport *h)
{
    char when[64];
    time_t now = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset="
          "\"utf-8\">\n<title>lockstep: ", out);
    put_html(out, h->model_file);
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n"
            "<h1>lockstep: ", STYLE);
    put_html(out, h->model_file);
    if (h->load_failed)
        fprintf(out, "</h1>\n<p class=\"summary\">The file did not load: no "
                "assertion was checked. Tried %s by lockstep %s.</p>\n", when,
                LOCKSTEP_VERSION);
    else
        fprintf(out, "</h1>\n<p class=\"summary\">%zu assertion%s: %zu "
                "passed, %zu failed, %zu without a verdict (limit or error). "
                "Checked %s by lockstep %s.</p>\n", h->count,
                h->count == 1 ? "" : "s", h->passed, h->failed, h->other, when,
                LOCKSTEP_VERSION);
    if (!h->load_failed) {
        fputs("<table class=\"asserts\">\n<thead><tr><th>#</th><th>Verdict"
              "</th><th>Assertion</th><th>Line</th><th>States</th><th>"
              "Transitions</th><th>Time</th></tr></thead>\n<tbody>\n", out);
        fwrite(h->rows_buf, 1, h->rows_len, out);
        fputs("</tbody>\n</table>\n", out);
    }
    fwrite(h->sections_buf, 1, h->sections_len, out);
    fputs("</body>\n</html>\n", out);
}

int report_html_finish(HtmlReport *h)
{
    int rc = 0;
    fflush(h->rows);
    fflush(h->sections);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", h->path);
    FILE *out = fopen(tmp, "w");
    if (out)
        page(out, h);
    if (!out || fclose(out) != 0 || rename(tmp, h->path) != 0) {
        fprintf(stderr, "lockstep: --report: cannot write %s: %s\n", h->path,
                strerror(errno));
        remove(tmp);
        rc = -1;
    }
    html_free(h);
    return rc;
}
