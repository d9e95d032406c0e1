/* render_msc: counterexamples as sequence charts. See render_msc.h.
 *
 * Two passes: the chart is first gathered (lifelines, rows with their
 * participants, each lifeline's end), then laid out on a grid whose
 * column width comes from the longest lifeline name, and written. */
#include "render_msc.h"

#include "mem.h"
#include "network.h"
#include "priority.h"
#include "render.h"

#include <string.h>

/* Geometry, in pixels. The font is monospace at 12 px: a character is
 * 0.6 em wide, so widths are computed, not guessed. */
enum {
    ROW = 26, GUTTER = 64, TOP = 56, HEAD = 28, LANE_MIN = 130,
    LANE_MAX = 240, FOOT_LINES = 4, OFFER_LINES = 3, WAIT_LINES = 3,
    LINE = 15, FOOT_H = (FOOT_LINES + OFFER_LINES + WAIT_LINES) * LINE + 16
};
/* A longer counterexample is charted from its last this many steps: a
 * chart of 10^5 rows is megabytes no one reads. */
enum { ROWS_MAX = 1000 };
#define CHAR_W 7.2

static const char LEGEND1[] =
    "● the components that take part in an event, joined by a line;  "
    "- - a hidden event (τ);  red: where it fails";
static const char LEGEND2[] =
    "Boxes at the foot: each component's process at the end and the events "
    "it offers on its own account (hover for the whole text).";

typedef struct MscRow {
    uint32_t event;   /* the network's event (τ when hidden) */
    uint32_t label;   /* the first participant's own event */
    size_t first, count; /* its lanes: parts[first .. first+count-1] */
    int red;
    const char *note; /* said in the gutter's stead (NULL: the step) */
} MscRow;

typedef struct Msc {
    const Machine *m;     /* unwrapped: the network, if it is one */
    EventTable *events;
    uint32_t *scratch;
    size_t lanes;
    char **name;          /* per lane */
    char **end;           /* per lane: its process at the end */
    char **offers;        /* per lane: "offers {a, b}" */
    char **waits;         /* per lane: "waits for B on e", or NULL */
    unsigned char *red;   /* per lane: part of what fails */
    MscRow *rows;
    size_t nrows, rows_cap;
    size_t *parts;
    size_t nparts, parts_cap;
    char note[512];       /* what fails, in words */
    size_t first_step;    /* steps left out before the first row */
    int failed;           /* out of memory */
} Msc;

static const char *ev_name(const Msc *c, uint32_t e)
{
    const char *n = event_name(c->events, e);
    return n ? n : "?";
}

/* ---------- gathering ---------- */

static void add_part(void *ctx, size_t leaf, uint32_t label)
{
    Msc *c = ctx;
    if (mem_grow((void **)&c->parts, &c->parts_cap, c->nparts + 1,
                 sizeof *c->parts) != 0) {
        c->failed = 1;
        return;
    }
    if (c->nparts == c->rows[c->nrows].first)
        c->rows[c->nrows].label = label;
    c->parts[c->nparts++] = leaf;
}

/* A row for `event` from `from` (to `to`; NULL: the step that could be
 * taken). A machine that is not a network has one lane, in every row. */
static MscRow *add_row(Msc *c, const uint32_t *from, uint32_t event,
                       const uint32_t *to, int red)
{
    if (mem_grow((void **)&c->rows, &c->rows_cap, c->nrows + 1,
                 sizeof *c->rows) != 0) {
        c->failed = 1;
        return NULL;
    }
    MscRow *row = &c->rows[c->nrows];
    *row = (MscRow){event, event, c->nparts, 0, red, NULL};
    if (network_is(c->m))
        network_step_parts(c->m, from, event, to, add_part, c);
    else
        add_part(c, 0, event);
    row->count = c->nparts - row->first;
    c->nrows++;
    return row;
}

static char *describe(const Msc *c, const uint32_t *state, size_t lane)
{
    char buf[1024];
    if (!c->m->ops->describe ||
        c->m->ops->describe(c->m, state, lane, buf, sizeof buf) != 0)
        snprintf(buf, sizeof buf, "component %zu", lane);
    return mem_strdup(buf);
}

/* The events lane `lane` could do on its own account in `state` (a
 * leaf's transitions; the whole machine's when it is not a network). */
typedef struct Offered {
    uint32_t *ids;
    size_t n, cap;
} Offered;

static void offered_add(Offered *o, uint32_t e)
{
    for (size_t i = 0; i < o->n; i++)
        if (o->ids[i] == e)
            return;
    if (mem_grow((void **)&o->ids, &o->cap, o->n + 1, sizeof *o->ids) == 0)
        o->ids[o->n++] = e;
}

static void offered_emit(void *ctx, uint32_t event, const uint32_t *target)
{
    (void)target;
    offered_add(ctx, event);
}

static char *offers_text(Msc *c, const uint32_t *state, size_t lane)
{
    Offered o = {0};
    if (network_is(c->m)) {
        const Lts *lts = network_leaf_lts(c->m, lane);
        uint32_t s = network_leaf_state(c->m, state, lane);
        for (uint32_t k = lts->offset[s]; k < lts->offset[s + 1]; k++)
            offered_add(&o, lts->event[k]);
    } else if (machine_successors(c->m, state, c->scratch, offered_emit,
                                  &o) != MACHINE_OK) {
        o.n = 0;
    }
    size_t cap = 64 + o.n * 48, used = 0;
    char *text = mem_alloc(cap);
    if (text) {
        used = (size_t)snprintf(text, cap, o.n ? "offers {" : "offers nothing");
        for (size_t i = 0; i < o.n && used < cap; i++)
            used += (size_t)snprintf(text + used, cap - used, "%s%.40s",
                                     i ? ", " : "", ev_name(c, o.ids[i]));
        if (o.n && used < cap)
            snprintf(text + used, cap - used, "}");
    }
    mem_free(o.ids);
    return text;
}

static int gather_lanes(Msc *c, const uint32_t *final)
{
    c->lanes = network_is(c->m) ? c->m->components : 1;
    c->name = mem_calloc(c->lanes + 1, sizeof *c->name);
    c->end = mem_calloc(c->lanes + 1, sizeof *c->end);
    c->offers = mem_calloc(c->lanes + 1, sizeof *c->offers);
    c->waits = mem_calloc(c->lanes + 1, sizeof *c->waits);
    c->red = mem_calloc(c->lanes + 1, 1);
    uint32_t *start = mem_alloc((c->m->width + 1) * sizeof *start);
    c->scratch = mem_calloc(c->m->scratch_size + 1, 1);
    if (!c->name || !c->end || !c->offers || !c->waits || !c->red || !start ||
        !c->scratch) {
        mem_free(start);
        return -1;
    }
    machine_initial(c->m, start);
    for (size_t i = 0; i < c->lanes; i++) {
        c->name[i] = describe(c, start, i);
        c->end[i] = describe(c, final, i);
        c->offers[i] = offers_text(c, final, i);
        if (!c->name[i] || !c->end[i] || !c->offers[i]) {
            mem_free(start);
            return -1;
        }
    }
    mem_free(start);
    return 0;
}

/* "waits for B on e" for edge e of w, added to its source's text. */
static int add_wait(Msc *c, const WaitGraph *w, size_t e)
{
    size_t from = w->from[e];
    const char *had = c->waits[from] ? c->waits[from] : "";
    size_t len = strlen(had) + strlen(c->name[w->to[e]]) +
                 strlen(w->event[e]) + 32;
    char *text = mem_alloc(len);
    if (!text)
        return -1;
    snprintf(text, len, "%s%swaits for %s on %s", had, *had ? "; " : "",
             c->name[w->to[e]], w->event[e]);
    mem_free(c->waits[from]);
    c->waits[from] = text;
    return 0;
}

/* Deadlock: who waits for whom, in red the lanes on a cycle of waiting
 * (all of them when there is none: then each is stuck on its own). */
static int mark_waiting(Msc *c, const uint32_t *final)
{
    WaitGraph w;
    if (render_waitgraph_of(c->m, final, &w) != 0)
        return 0; /* not a network: nothing to say */
    unsigned char *cyclic = render_waitgraph_cyclic(&w);
    int rc = cyclic ? 0 : -1, any = 0;
    for (size_t i = 0; cyclic && i < w.nodes && i < c->lanes; i++)
        any |= c->red[i] = cyclic[i];
    for (size_t e = 0; rc == 0 && e < w.edges; e++)
        if (w.from[e] < c->lanes && w.to[e] < c->lanes)
            rc = add_wait(c, &w, e);
    if (!any)
        memset(c->red, 1, c->lanes);
    mem_free(cyclic);
    render_waitgraph_free(&w);
    return rc;
}

/* The divergence's τ lasso, the cycle in red. */
static void gather_loop(Msc *c, const Cex *x)
{
    for (size_t i = 0; i < x->loop_steps; i++) {
        int cycle = i >= x->loop_start;
        MscRow *row = add_row(c, x->loop_states + i * x->width,
                              x->loop_events[i],
                              x->loop_states + (i + 1) * x->width, cycle);
        if (!row)
            return;
        if (i == x->loop_start)
            row->note = "loop";
        for (size_t k = 0; cycle && k < row->count; k++)
            c->red[c->parts[row->first + k]] = 1;
    }
}

static void set_note(Msc *c, const CheckResult *r)
{
    const char *e = ev_name(c, r->cex.culprit);
    switch (r->fail) {
    case FAIL_DEADLOCK:
        snprintf(c->note, sizeof c->note, "Deadlock: no event is possible. "
                 "In red, the components that wait for each other.");
        break;
    case FAIL_DIVERGENCE:
        snprintf(c->note, sizeof c->note, "Divergence: the red τ steps "
                 "repeat for ever.");
        break;
    case FAIL_TRACE:
        snprintf(c->note, sizeof c->note, "The specification cannot do %.200s "
                 "here.", e);
        break;
    case FAIL_ACCEPTANCE:
        snprintf(c->note, sizeof c->note, "It can refuse what the "
                 "specification must accept: at the end it offers only what "
                 "the red components offer.");
        break;
    case FAIL_NONDETERMINISM:
        snprintf(c->note, sizeof c->note, "%.200s may be done or refused "
                 "here.", e);
        break;
    case FAIL_NO_TRACE:
        snprintf(c->note, sizeof c->note, "%.200s, the next event of the "
                 "trace, is impossible here.", e);
        break;
    case FAIL_REVIVAL:
        snprintf(c->note, sizeof c->note, r->cex.culprit == EVENT_NONE
                 ? "It deadlocks where the specification cannot."
                 : "The specification cannot refuse all else and then do "
                   "%.200s.", e);
        break;
    default:
        snprintf(c->note, sizeof c->note, "The specification cannot do "
                 "%.200s after the refusals on the way.", e);
    }
}

static int gather(Msc *c, const CheckResult *r)
{
    const Cex *x = &r->cex;
    const uint32_t *final = x->states + x->steps * x->width;
    if (gather_lanes(c, final) != 0)
        return -1;
    c->first_step = x->steps > ROWS_MAX ? x->steps - ROWS_MAX : 0;
    for (size_t i = c->first_step; i < x->steps && !c->failed; i++)
        add_row(c, x->states + i * x->width, x->events[i],
                x->states + (i + 1) * x->width, 0);
    set_note(c, r);
    if (c->first_step) {
        size_t len = strlen(c->note);
        snprintf(c->note + len, sizeof c->note - len, " (Its first %zu "
                 "steps are left out.)", c->first_step);
    }
    if (r->fail == FAIL_DEADLOCK && mark_waiting(c, final) != 0)
        return -1;
    else if (r->fail == FAIL_DIVERGENCE)
        gather_loop(c, x);
    else if (r->fail == FAIL_ACCEPTANCE || x->culprit == EVENT_NONE)
        memset(c->red, 1, c->lanes);
    else if (add_row(c, final, x->culprit, NULL, 1))
        c->rows[c->nrows - 1].note = "✗";
    return c->failed ? -1 : 0;
}

static void msc_free(Msc *c)
{
    for (size_t i = 0; i < c->lanes; i++) {
        if (c->name)
            mem_free(c->name[i]);
        if (c->end)
            mem_free(c->end[i]);
        if (c->offers)
            mem_free(c->offers[i]);
        if (c->waits)
            mem_free(c->waits[i]);
    }
    mem_free(c->name);
    mem_free(c->end);
    mem_free(c->offers);
    mem_free(c->waits);
    mem_free(c->red);
    mem_free(c->rows);
    mem_free(c->parts);
    mem_free(c->scratch);
}

/* ---------- writing ---------- */

/* Characters (code points) of UTF-8 text. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* Writes up to `max` characters of s, escaped for XML, ending in "…"
 * when cut. */
static void put_text(FILE *out, const char *s, size_t max)
{
    size_t n = 0, i = 0, total = chars(s);
    for (; s[i]; i++) {
        int lead = ((unsigned char)s[i] & 0xc0) != 0x80;
        if (lead && ++n > (total > max ? max - 1 : max))
            break;
        switch (s[i]) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\n': fputc(' ', out); break;
        default: fputc(s[i], out);
        }
    }
    if (s[i])
        fputs("…", out);
}

static void put_all(FILE *out, const char *s) { put_text(out, s, SIZE_MAX); }

/* Text at (x, y), cut to `max` characters, with the whole as tooltip
 * when cut. */
static void text_at(FILE *out, double x, double y, const char *cls,
                    const char *s, size_t max)
{
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" class=\"%s\">", x, y, cls);
    if (chars(s) > max) {
        fputs("<title>", out);
        put_all(out, s);
        fputs("</title>", out);
    }
    put_text(out, s, max);
    fputs("</text>\n", out);
}

/* Lines of at most `width` characters from s, at most `lines` of them,
 * the last cut with "…"; returns how many were written. */
static int text_lines(FILE *out, double x, double y, const char *cls,
                      const char *s, size_t width, int lines)
{
    int k = 0;
    while (*s && k < lines) {
        size_t n = chars(s);
        if (k == lines - 1 || n <= width) {
            text_at(out, x, y + k * LINE, cls, s, width);
            return k + 1;
        }
        /* break at the last ", " or " " within the width */
        size_t bytes = 0, seen = 0, cut = 0;
        for (; s[bytes] && seen < width; bytes++) {
            seen += ((unsigned char)s[bytes] & 0xc0) != 0x80;
            if (s[bytes] == ' ')
                cut = bytes + 1;
        }
        if (cut == 0)
            cut = bytes;
        char *line = mem_strndup(s, cut);
        if (!line)
            return k;
        text_at(out, x, y + k * LINE, cls, line, width);
        mem_free(line);
        s += cut;
        k++;
    }
    return k;
}

typedef struct Layout {
    double lane_w, width, height;
    double rows_top, foot_top;
    size_t lane_chars;   /* characters across a lane, less a margin */
} Layout;

static double lane_x(const Layout *l, size_t lane)
{
    return GUTTER + l->lane_w * (lane + 0.5);
}

/* The widest text of a row, in characters, so the page holds it. */
static size_t row_label(const Msc *c, const MscRow *row, char *buf,
                        size_t len)
{
    const char *e = ev_name(c, row->event), *own = ev_name(c, row->label);
    if (row->event == EVENT_TAU && row->label != EVENT_TAU)
        snprintf(buf, len, "τ hides %s", own);
    else if (row->event != row->label)
        snprintf(buf, len, "%s (as %s)", e, own);
    else
        snprintf(buf, len, "%s", e);
    return chars(buf);
}

static void layout(const Msc *c, const char *title, Layout *l)
{
    size_t longest = 0;
    for (size_t i = 0; i < c->lanes; i++) {
        size_t n = chars(c->name[i]);
        longest = n > longest ? n : longest;
    }
    l->lane_w = longest * CHAR_W + 24;
    l->lane_w = l->lane_w < LANE_MIN ? LANE_MIN
                : l->lane_w > LANE_MAX ? LANE_MAX : l->lane_w;
    l->lane_chars = (size_t)((l->lane_w - 14) / CHAR_W);
    l->rows_top = TOP + HEAD + 12;
    l->foot_top = l->rows_top + (double)c->nrows * ROW + 16;
    l->height = l->foot_top + FOOT_H + 24 + 3 * LINE;
    double right = GUTTER + l->lane_w * (double)c->lanes + 16;
    char buf[512];
    for (size_t r = 0; r < c->nrows; r++) { /* a label may run past */
        const MscRow *row = &c->rows[r];
        size_t lane = row->count ? c->parts[row->first] : 0;
        double end = lane_x(l, lane) + 8 + row_label(c, row, buf,
                                                     sizeof buf) * CHAR_W;
        right = end + 16 > right ? end + 16 : right;
    }
    const char *texts[] = {title, c->note, LEGEND1, LEGEND2};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        double need = 32 + (double)chars(texts[i]) * CHAR_W;
        right = need > right ? need : right;
    }
    l->width = right;
}

static void write_style(FILE *out)
{
    /* every rule scoped to .msc: inline in a page, a chart's style must
     * not restyle the page's other pictures */
    fputs("<style>\n"
          ".msc text{font-family:'DejaVu Sans Mono',monospace;"
          "font-size:12px;fill:#222}\n"
          ".msc text.title{font-size:13px;font-weight:bold}\n"
          ".msc text.step{fill:#888;text-anchor:end}\n"
          ".msc text.name{font-weight:bold;text-anchor:middle}\n"
          ".msc text.ev{paint-order:stroke;stroke:#fff;stroke-width:3px}\n"
          ".msc text.red,.msc text.ev.red{fill:#c00}\n"
          ".msc text.tau{fill:#666}\n"
          ".msc .life{stroke:#aaa;stroke-width:1}\n"
          ".msc .msg{stroke:#222;stroke-width:1.5}\n"
          ".msc .msg.tau{stroke:#777;stroke-dasharray:5,3}\n"
          ".msc .msg.red{stroke:#c00;stroke-width:2.5}\n"
          ".msc .dot{fill:#222}.msc .dot.red{fill:#c00}"
          ".msc .dot.tau{fill:#777}\n"
          ".msc .head{fill:#eef3fb;stroke:#4a6fa5}\n"
          ".msc .foot{fill:#fafafa;stroke:#999}.msc .foot.red{fill:#fdeaea;"
          "stroke:#c00;stroke-width:2}\n"
          "</style>\n", out);
}

static void write_lanes(FILE *out, const Msc *c, const Layout *l)
{
    for (size_t i = 0; i < c->lanes; i++) {
        double x = lane_x(l, i);
        fprintf(out, "<g class=\"lane\" data-name=\"");
        put_all(out, c->name[i]);
        fprintf(out, "\">\n<line class=\"life\" x1=\"%.1f\" y1=\"%d\" "
                "x2=\"%.1f\" y2=\"%.1f\"/>\n", x, TOP + HEAD, x, l->foot_top);
        fprintf(out, "<rect class=\"head\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
                "height=\"%d\" rx=\"4\"/>\n", x - l->lane_w / 2 + 4, TOP,
                l->lane_w - 8, HEAD);
        text_at(out, x, TOP + 18, "name", c->name[i], l->lane_chars);
        fputs("</g>\n", out);
    }
}

static void write_row(FILE *out, const Msc *c, const Layout *l, size_t r)
{
    const MscRow *row = &c->rows[r];
    double y = l->rows_top + (double)r * ROW + ROW - 8;
    const char *cls = row->red ? "red" : row->event == EVENT_TAU ? "tau" : "";
    char label[512], step[32];
    row_label(c, row, label, sizeof label);
    snprintf(step, sizeof step, "%zu", c->first_step + r + 1);
    fprintf(out, "<g class=\"row%s%s\" data-event=\"", *cls ? " " : "", cls);
    put_all(out, label);
    fputs("\">\n", out);
    text_at(out, GUTTER - 10, y + 4, row->red ? "step red" : "step",
            row->note ? row->note : step, 8);
    if (row->count == 0) { /* impossible: said beside the gutter */
        char cls2[16];
        snprintf(cls2, sizeof cls2, "ev %s", cls);
        text_at(out, GUTTER + 4, y + 4, cls2, label, SIZE_MAX);
        fputs("</g>\n", out);
        return;
    }
    double lo = 1e18, hi = -1e18;
    for (size_t k = 0; k < row->count; k++) {
        double x = lane_x(l, c->parts[row->first + k]);
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
    }
    if (hi > lo)
        fprintf(out, "<line class=\"msg %s\" x1=\"%.1f\" y1=\"%.1f\" "
                "x2=\"%.1f\" y2=\"%.1f\"/>\n", cls, lo, y, hi, y);
    for (size_t k = 0; k < row->count; k++)
        fprintf(out, "<circle class=\"dot %s\" cx=\"%.1f\" cy=\"%.1f\" "
                "r=\"4\"/>\n", cls, lane_x(l, c->parts[row->first + k]), y);
    char cls2[16];
    snprintf(cls2, sizeof cls2, "ev %s", cls);
    text_at(out, lo + 8, y - 5, cls2, label, SIZE_MAX);
    fputs("</g>\n", out);
}

static void write_foot(FILE *out, const Msc *c, const Layout *l)
{
    for (size_t i = 0; i < c->lanes; i++) {
        double x = lane_x(l, i) - l->lane_w / 2 + 4;
        const char *cls = c->red[i] ? "red" : "";
        fprintf(out, "<g class=\"end%s\">\n<rect class=\"foot %s\" "
                "x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" "
                "rx=\"3\"><title>", c->red[i] ? " red" : "", cls, x,
                l->foot_top, l->lane_w - 8, FOOT_H);
        put_all(out, c->end[i]);
        fputs("\n", out);
        put_all(out, c->offers[i]);
        if (c->waits[i]) {
            fputs("\n", out);
            put_all(out, c->waits[i]);
        }
        fputs("</title></rect>\n", out);
        double y = l->foot_top + 16;
        y += (text_lines(out, x + 5, y, cls, c->end[i], l->lane_chars,
                         FOOT_LINES) + 0.3) * LINE;
        y += (text_lines(out, x + 5, y, c->red[i] ? "red" : "tau",
                         c->offers[i], l->lane_chars, OFFER_LINES) + 0.3) *
             LINE;
        if (c->waits[i])
            text_lines(out, x + 5, y, cls, c->waits[i], l->lane_chars,
                       WAIT_LINES);
        fputs("</g>\n", out);
    }
}

static void write_chart(FILE *out, const Msc *c, const char *title,
                        const Layout *l, int prolog)
{
    if (prolog)
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"msc\" "
            "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n",
            l->width, l->height, l->width, l->height);
    fputs("<title>", out);
    put_all(out, title);
    fputs("</title>\n", out);
    write_style(out);
    fprintf(out, "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n");
    text_at(out, 16, 22, "title", title, SIZE_MAX);
    text_at(out, 16, 42, "red", c->note, SIZE_MAX);
    write_lanes(out, c, l);
    for (size_t r = 0; r < c->nrows; r++)
        write_row(out, c, l, r);
    write_foot(out, c, l);
    double y = l->foot_top + FOOT_H + 24;
    text_at(out, 16, y, "tau", LEGEND1, SIZE_MAX);
    text_at(out, 16, y + LINE, "tau", LEGEND2, SIZE_MAX);
    fputs("</svg>\n", out);
}

int render_msc(const Machine *m, const CheckResult *r, const char *title,
               int prolog, FILE *out)
{
    if (r->verdict != VERDICT_FAIL || !r->cex.states)
        return -1;
    Msc c = {.m = priority_unwrap(m), .events = m->events};
    int rc = gather(&c, r);
    if (rc == 0) {
        Layout l;
        layout(&c, title, &l);
        write_chart(out, &c, title, &l, prolog);
    }
    msc_free(&c);
    return rc;
}
