/* render: cgraph graphs of counterexamples and deadlocks. See render.h. */
#define _GNU_SOURCE /* memmem */
#include "render.h"

#include "priority.h"

#include "compile.h"
#include "lts.h"
#include "mem.h"
#include "network.h"

#include <errno.h>
#include <gvc.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

enum { LABEL_MAX = 2048, DESCRIBE_MAX = 8 };
/* Above this many nodes an LTS is laid out by neato: dot needs over a
 * minute for 400 states and 1,400 labelled moves, neato about a second. */
enum { LTS_DOT_MAX = 80 };
/* Characters per line of a wait-for node's label. */
enum { WRAP_WIDTH = 28 };

const char *render_extension(RenderFormat format)
{
    return format == RENDER_SVG ? "svg" : format == RENDER_PNG ? "png" : "dot";
}

/* ---------- wait-for graphs ---------- */

int render_waitgraph_node(WaitGraph *g, const char *label, int idle)
{
    size_t n = g->nodes;
    char **labels = mem_realloc(g->label, (n + 1) * sizeof *labels);
    if (!labels)
        return -1;
    g->label = labels;
    int *idles = mem_realloc(g->idle, (n + 1) * sizeof *idles);
    if (!idles)
        return -1;
    g->idle = idles;
    if (!(g->label[n] = mem_strdup(label)))
        return -1;
    g->idle[n] = idle;
    g->nodes++;
    return 0;
}

int render_waitgraph_edge(WaitGraph *g, size_t from, size_t to,
                          const char *event)
{
    size_t n = g->edges, cap = g->edges_cap;
    if (n == cap) {
        cap = cap ? 2 * cap : 16;
        size_t *f = mem_realloc(g->from, cap * sizeof *f);
        if (f)
            g->from = f;
        size_t *t = f ? mem_realloc(g->to, cap * sizeof *t) : NULL;
        if (t)
            g->to = t;
        char **e = t ? mem_realloc(g->event, cap * sizeof *e) : NULL;
        if (!e)
            return -1;
        g->event = e;
        g->edges_cap = cap;
    }
    if (!(g->event[n] = mem_strdup(event)))
        return -1;
    g->from[n] = from;
    g->to[n] = to;
    g->edges++;
    return 0;
}

void render_waitgraph_free(WaitGraph *g)
{
    for (size_t i = 0; i < g->nodes; i++)
        mem_free(g->label[i]);
    for (size_t i = 0; i < g->edges; i++)
        mem_free(g->event[i]);
    mem_free(g->label);
    mem_free(g->idle);
    mem_free(g->from);
    mem_free(g->to);
    mem_free(g->event);
    memset(g, 0, sizeof *g);
}

typedef struct WaitCtx {
    WaitGraph *g;
    EventTable *events;
    int failed;
} WaitCtx;

static void wait_edge(void *ctx, size_t from, size_t to, uint32_t event)
{
    WaitCtx *w = ctx;
    const char *name = event_name(w->events, event);
    if (render_waitgraph_edge(w->g, from, to, name ? name : "?") != 0)
        w->failed = 1;
}

/* Breaks text into lines of about `width` characters at spaces, in
 * place: a long process term makes a wide node, and a ring of wide nodes
 * a picture too large to read. */
static void wrap(char *text, size_t width)
{
    size_t col = 0;
    char *space = NULL;
    for (char *p = text; *p; p++, col++) {
        if (*p == '\n') {
            col = 0, space = NULL;
            continue;
        }
        if (*p == ' ')
            space = p;
        if (col >= width && space) {
            *space = '\n';
            col = (size_t)(p - space);
            space = NULL;
        }
    }
}

int render_waitgraph_of(const Machine *m, const uint32_t *state,
                        WaitGraph *out)
{
    memset(out, 0, sizeof *out);
    m = priority_unwrap(m); /* :[tau priority]: the same states */
    if (!network_is(m))
        return -1;
    /* each component by its name (its process at the start), then where
     * it is now */
    char name[LABEL_MAX / 2], now[LABEL_MAX / 2], text[LABEL_MAX];
    uint32_t *start = mem_alloc((m->width + 1) * sizeof *start);
    if (!start)
        return -1;
    machine_initial(m, start);
    for (size_t i = 0; i < m->components; i++) {
        if (m->ops->describe(m, start, i, name, sizeof name) != 0)
            snprintf(name, sizeof name, "component %zu", i);
        if (m->ops->describe(m, state, i, now, sizeof now) != 0)
            now[0] = '\0';
        snprintf(text, sizeof text, "[%zu] %.900s%s%.900s", i, name,
                 strcmp(name, now) ? "\nnow: " : "",
                 strcmp(name, now) ? now : "");
        wrap(text, WRAP_WIDTH);
        if (render_waitgraph_node(out, text,
                                  network_leaf_idle(m, state, i)) != 0) {
            mem_free(start);
            goto fail;
        }
    }
    mem_free(start);
    WaitCtx ctx = {out, m->events, 0};
    if (network_waits(m, state, wait_edge, &ctx) != 0 || ctx.failed)
        goto fail;
    return 0;
fail:
    render_waitgraph_free(out);
    return -1;
}

/* reach[i * n + j]: j is reachable from i by one or more edges. */
static unsigned char *reachability(const WaitGraph *g)
{
    size_t n = g->nodes;
    unsigned char *reach = mem_calloc(n * n + 1, 1);
    size_t *stack = mem_alloc((n + 1) * sizeof *stack);
    if (!reach || !stack) {
        mem_free(reach);
        mem_free(stack);
        return NULL;
    }
    for (size_t s = 0; s < n; s++) {
        size_t top = 0;
        stack[top++] = s;
        while (top) {
            size_t u = stack[--top];
            for (size_t e = 0; e < g->edges; e++)
                if (g->from[e] == u && !reach[s * n + g->to[e]]) {
                    reach[s * n + g->to[e]] = 1;
                    stack[top++] = g->to[e];
                }
        }
    }
    mem_free(stack);
    return reach;
}

unsigned char *render_waitgraph_cyclic(const WaitGraph *g)
{
    unsigned char *reach = reachability(g);
    unsigned char *cyclic = reach ? mem_calloc(g->nodes + 1, 1) : NULL;
    for (size_t e = 0; cyclic && e < g->edges; e++)
        if (reach[g->to[e] * g->nodes + g->from[e]])
            cyclic[g->from[e]] = cyclic[g->to[e]] = 1;
    mem_free(reach);
    return cyclic;
}

/* ---------- cgraph output ---------- */

static void set(void *obj, const char *attr, const char *value)
{
    agsafeset(obj, (char *)attr, (char *)value, "");
}

/* Labels are DOT escString: cgraph quotes double quotes itself, but a
 * backslash starts an escape (\n, \l), so the user's backslashes are
 * doubled and our line breaks become \n. */
static void set_label(void *obj, const char *attr, const char *text)
{
    size_t n = strlen(text);
    char *buf = mem_alloc(2 * n + 1);
    if (!buf)
        return;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '\\')
            buf[k++] = '\\', buf[k++] = '\\';
        else if (text[i] == '\n')
            buf[k++] = '\\', buf[k++] = 'n';
        else
            buf[k++] = text[i];
    }
    buf[k] = '\0';
    set(obj, attr, buf);
    mem_free(buf);
}

static Agnode_t *node(Agraph_t *g, const char *name)
{
    return agnode(g, (char *)name, 1);
}

static Agedge_t *edge(Agraph_t *g, Agnode_t *t, Agnode_t *h, size_t k)
{
    char name[32];
    snprintf(name, sizeof name, "e%zu", k);
    return agedge(g, t, h, name, 1);
}

/* Graphviz is not thread-safe (trace files are checked, and drawn, by
 * several threads), and its pango plugin keeps a pointer to the last font
 * name, which lives in the context that laid the graph out: freeing a
 * context per picture leaves that pointer dangling for the next one. So
 * every picture is drawn under one lock, with one context for the whole
 * process (never freed: it is still reachable, not a leak). */
static pthread_mutex_t gv_lock = PTHREAD_MUTEX_INITIALIZER;
static GVC_t *gv_context;

/* Lays g out (with the engine it asks for, else dot) and renders it in
 * `format` to path, or when path is NULL into *data (gvFreeRenderData).
 * Called with gv_lock held. */
static int layout_render(Agraph_t *g, const char *format, const char *path,
                         char **data, unsigned *len)
{
    if (!gv_context)
        gv_context = gvContext();
    int rc = -1;
    const char *engine = agget(g, "layout");
    if (gv_context &&
        gvLayout(gv_context, g, engine && *engine ? engine : "dot") == 0) {
        rc = path ? gvRenderFilename(gv_context, g, format, path)
                  : gvRenderData(gv_context, g, format, data, len);
        gvFreeLayout(gv_context, g);
    }
    return rc;
}

/* Writes g to path: DOT with agwrite, SVG/PNG through gvc's layout. */
static int write_graph(Agraph_t *g, const char *path, RenderFormat format,
                       char *err, size_t err_len)
{
    if (format == RENDER_DOT) {
        FILE *f = fopen(path, "w");
        if (!f) {
            snprintf(err, err_len, "cannot write %s: %s", path,
                     strerror(errno));
            return -1;
        }
        int rc = agwrite(g, f);
        if (fclose(f) != 0 || rc != 0) {
            snprintf(err, err_len, "cannot write %s", path);
            return -1;
        }
        return 0;
    }
    FILE *probe = fopen(path, "w");
    if (!probe) {
        snprintf(err, err_len, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    fclose(probe);
    int rc = layout_render(g, render_extension(format), path, NULL, NULL);
    if (rc != 0)
        snprintf(err, err_len, "Graphviz could not lay out or render %s",
                 path);
    return rc == 0 ? 0 : -1;
}

static Agraph_t *graph_open(const char *title)
{
    Agraph_t *g = agopen("lockstep", Agdirected, NULL);
    if (!g)
        return NULL;
    set_label(g, "label", title);
    set(g, "labelloc", "t");
    set(g, "fontname", "Helvetica");
    /* one font family for everything drawn */
    agattr(g, AGNODE, "fontname", "Helvetica");
    agattr(g, AGEDGE, "fontname", "Helvetica");
    return g;
}

/* A legend: a table whose rows are `rows` (HTML-like label rows). */
static void legend(Agraph_t *g, const char *rows)
{
    char html[2048];
    snprintf(html, sizeof html, "<TABLE BORDER=\"0\" CELLBORDER=\"1\" "
             "CELLSPACING=\"0\" CELLPADDING=\"3\">%s</TABLE>", rows);
    Agnode_t *n = node(g, "legend");
    set(n, "shape", "plaintext");
    char *label = agstrdup_html(g, html);
    agsafeset(n, "label", label, "");
    agstrfree(g, label);
}

static void waitgraph_legend(Agraph_t *g)
{
    legend(g, "<TR><TD>A &#8594; B</TD><TD ALIGN=\"LEFT\">A waits for B: A "
           "offers the event, B does not</TD></TR>"
           "<TR><TD><FONT COLOR=\"red\">&#8594;</FONT></TD><TD "
           "ALIGN=\"LEFT\">on a cycle of waiting (the deadlock)</TD></TR>"
           "<TR><TD BGCOLOR=\"lightgrey\">box</TD><TD ALIGN=\"LEFT\">a "
           "component that offers nothing</TD></TR>");
}

/* The diagram as a cgraph graph; NULL when out of memory. */
static Agraph_t *waitgraph_build(const WaitGraph *w, const char *title)
{
    unsigned char *reach = reachability(w);
    Agraph_t *g = reach ? graph_open(title) : NULL;
    Agnode_t **nodes = g ? mem_calloc(w->nodes + 1, sizeof *nodes) : NULL;
    if (!nodes) {
        if (g)
            agclose(g);
        mem_free(reach);
        return NULL;
    }
    for (size_t i = 0; i < w->nodes; i++) {
        char name[32];
        snprintf(name, sizeof name, "c%zu", i);
        nodes[i] = node(g, name);
        set_label(nodes[i], "label", w->label[i]);
        set(nodes[i], "shape", w->idle[i] ? "box" : "ellipse");
        if (w->idle[i]) {
            set(nodes[i], "style", "filled");
            set(nodes[i], "fillcolor", "lightgrey");
        }
    }
    int cycle = 0;
    for (size_t e = 0; e < w->edges; e++) {
        Agedge_t *ed = edge(g, nodes[w->from[e]], nodes[w->to[e]], e);
        char label[LABEL_MAX];
        snprintf(label, sizeof label, "waits on %s", w->event[e]);
        set_label(ed, "label", label);
        /* on a cycle of waiting: the target reaches the source back */
        if (reach[w->to[e] * w->nodes + w->from[e]]) {
            set(ed, "color", "red");
            set(ed, "fontcolor", "red");
            set(ed, "penwidth", "2");
            cycle = 1;
        }
    }
    if (cycle) { /* a cycle of waiting drawn as the ring it is, spaced
                    so that a label between two neighbours clears them */
        set(g, "layout", "circo");
        set(g, "mindist", "2");
    }
    waitgraph_legend(g);
    mem_free(nodes);
    mem_free(reach);
    return g;
}

static int draw_waitgraph(const WaitGraph *w, const char *title,
                          const char *path, RenderFormat format, char *err,
                          size_t err_len)
{
    Agraph_t *g = waitgraph_build(w, title);
    if (!g) {
        snprintf(err, err_len, "out of memory drawing %s", path);
        return -1;
    }
    int rc = write_graph(g, path, format, err, err_len);
    agclose(g);
    return rc;
}

int render_waitgraph(const WaitGraph *w, const char *title, const char *path,
                     RenderFormat format, char *err, size_t err_len)
{
    pthread_mutex_lock(&gv_lock);
    int rc = draw_waitgraph(w, title, path, format, err, err_len);
    pthread_mutex_unlock(&gv_lock);
    return rc;
}

/* Writes Graphviz's <svg ...> with its size in px instead of pt (the
 * viewBox unchanged): in a page, 1 pt = 1.33 px would make the diagram a
 * third larger than its text needs. */
static void write_inline(const char *svg, size_t len, FILE *out)
{
    const char *tag_end = memchr(svg, '>', len);
    size_t head = tag_end ? (size_t)(tag_end - svg) : 0;
    for (size_t i = 0; i < head; i++) {
        if (i + 3 < head && svg[i] == 'p' && svg[i + 1] == 't' &&
            svg[i + 2] == '"' && i > 0 && svg[i - 1] >= '0' &&
            svg[i - 1] <= '9') {
            fputs("px\"", out);
            i += 2;
        } else {
            fputc(svg[i], out);
        }
    }
    fwrite(svg + head, 1, len - head, out);
}

static int draw_waitgraph_inline(const WaitGraph *w, const char *title,
                                 FILE *out)
{
    Agraph_t *g = waitgraph_build(w, title);
    char *svg = NULL;
    unsigned len = 0;
    int rc = g ? layout_render(g, "svg", NULL, &svg, &len) : -1;
    if (rc == 0) { /* from <svg on: no XML prolog or DOCTYPE inside HTML */
        const char *start = memmem(svg, len, "<svg", 4);
        if (start)
            write_inline(start, len - (size_t)(start - svg), out);
        rc = start ? 0 : -1;
        gvFreeRenderData(svg);
    }
    if (g)
        agclose(g);
    return rc;
}

int render_waitgraph_inline(const WaitGraph *w, const char *title, FILE *out)
{
    pthread_mutex_lock(&gv_lock);
    int rc = draw_waitgraph_inline(w, title, out);
    pthread_mutex_unlock(&gv_lock);
    return rc;
}

/* ---------- counterexample paths ---------- */

/* A state's label: its components' processes, one per line. */
static void state_label(const Machine *m, const uint32_t *state, size_t index,
                        char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "%zu", index);
    size_t shown = m->components < DESCRIBE_MAX ? m->components : DESCRIBE_MAX;
    char text[256];
    for (size_t i = 0; i < shown && used + 2 < len; i++) {
        if (!m->ops->describe || m->ops->describe(m, state, i, text,
                                                  sizeof text) != 0)
            break;
        used += (size_t)snprintf(buf + used, len - used, "\n%s", text);
    }
    if (shown < m->components && used + 2 < len)
        snprintf(buf + used, len - used, "\n(+%zu more)",
                 m->components - shown);
}

static const char *name_of(const Machine *m, uint32_t event)
{
    const char *name = event_name(m->events, event);
    return name ? name : "?";
}

static void mark_red(void *obj)
{
    set(obj, "color", "red");
    set(obj, "fontcolor", "red");
    set(obj, "penwidth", "2");
}

/* [R=: "refused all but {a, b}" for a stable state an event was done
 * from (the k-th visible one), appended to buf. */
static void refusal_note(const Machine *m, const Cex *c, size_t k, char *buf,
                         size_t len)
{
    size_t used = strlen(buf);
    if (!c->before_stable || !c->before_stable[k] || used + 2 >= len)
        return;
    used += snprintf(buf + used, len - used, "\nrefused all but {");
    for (uint32_t j = c->before_off[k]; j < c->before_off[k + 1] && used < len;
         j++)
        used += snprintf(buf + used, len - used, "%s%s",
                         j > c->before_off[k] ? ", " : "",
                         name_of(m, c->before[j]));
    if (used + 1 < len)
        snprintf(buf + used, len - used, "}");
}

static void first_label(void *ctx, size_t leaf, uint32_t label)
{
    (void)leaf;
    uint32_t *first = ctx;
    if (*first == EVENT_NONE)
        *first = label;
}

/* A step's label: its event, and for a tau that a network's hiding made,
 * the event hidden ("τ hides e"). */
static void step_label(const Machine *m, const uint32_t *from,
                       uint32_t event, const uint32_t *to, char *buf,
                       size_t len)
{
    const Machine *net = priority_unwrap(m);
    uint32_t own = EVENT_NONE;
    if (event == EVENT_TAU && network_is(net))
        network_step_parts(net, from, event, to, first_label, &own);
    if (own != EVENT_NONE && own != EVENT_TAU)
        snprintf(buf, len, "τ hides %s", name_of(m, own));
    else
        snprintf(buf, len, "%s", name_of(m, event));
}

/* Nodes s0..sN along the path; returns the array (N + 1 nodes). */
static Agnode_t **path_nodes(Agraph_t *g, const Machine *m, const Cex *c)
{
    Agnode_t **nodes = mem_calloc(c->steps + 2, sizeof *nodes);
    char name[32], label[LABEL_MAX];
    size_t visible = 0;
    for (size_t i = 0; nodes && i <= c->steps; i++) {
        snprintf(name, sizeof name, "s%zu", i);
        nodes[i] = node(g, name);
        state_label(m, c->states + i * c->width, i, label, sizeof label);
        set_label(nodes[i], "label", label);
        set(nodes[i], "shape", "box");
        if (c->spec_nodes) { /* the specification's side, beside it */
            char spec[256];
            snprintf(spec, sizeof spec, "specification in state %u of "
                     "its normal form", c->spec_nodes[i]);
            if (i < c->steps ? c->events[i] != EVENT_TAU
                             : c->culprit != EVENT_NONE)
                refusal_note(m, c, visible++, spec, sizeof spec);
            set_label(nodes[i], "xlabel", spec);
        }
        if (i == 0)
            set(nodes[i], "style", "bold");
        if (i > 0) {
            Agedge_t *e = edge(g, nodes[i - 1], nodes[i], i);
            step_label(m, c->states + (i - 1) * c->width, c->events[i - 1],
                       c->states + i * c->width, label, sizeof label);
            set_label(e, "label", label);
            if (c->events[i - 1] == EVENT_TAU)
                set(e, "style", "dashed");
        }
    }
    return nodes;
}

/* The tau lasso of a divergence: lead and cycle after the final state,
 * the cycle in red. */
static void draw_lasso(Agraph_t *g, const Machine *m, const Cex *c,
                       Agnode_t *final)
{
    Agnode_t *prev = final, *loop_start = final;
    char name[32], label[LABEL_MAX];
    for (size_t i = 1; i <= c->loop_steps; i++) {
        Agnode_t *n;
        if (i == c->loop_steps) {
            n = loop_start;
        } else {
            snprintf(name, sizeof name, "d%zu", i);
            n = node(g, name);
            state_label(m, c->loop_states + i * c->width, c->steps + i,
                        label, sizeof label);
            set_label(n, "label", label);
            set(n, "shape", "box");
        }
        if (i == c->loop_start)
            loop_start = n;
        Agedge_t *e = edge(g, prev, n, 1000000 + i);
        step_label(m, c->loop_states + (i - 1) * c->width,
                   c->loop_events[i - 1], c->loop_states + i * c->width,
                   label, sizeof label);
        set_label(e, "label", label);
        set(e, "style", "dashed");
        if (i > c->loop_start)
            mark_red(e);
        prev = n;
    }
    if (c->loop_start == 0)
        mark_red(final);
}

/* The failing step, drawn in red. */
static void draw_failure(Agraph_t *g, const Machine *m, const CheckResult *r,
                         Agnode_t *final)
{
    const Cex *c = &r->cex;
    char label[256];
    switch (r->fail) {
    case FAIL_DEADLOCK:
        mark_red(final);
        set_label(final, "xlabel", "deadlock");
        break;
    case FAIL_DIVERGENCE:
        draw_lasso(g, m, c, final);
        break;
    case FAIL_ACCEPTANCE:
        mark_red(final);
        set_label(final, "xlabel", "refuses what the specification must accept");
        break;
    case FAIL_REVIVAL:
        if (c->culprit == EVENT_NONE) { /* a deadlock Spec does not have */
            mark_red(final);
            set_label(final, "xlabel", "deadlocks where the specification "
                                       "cannot");
            break;
        }
        /* the event revived, as an edge to an error node */
        __attribute__((fallthrough));
    default: {
        Agnode_t *bad = node(g, "error");
        const char *what = r->fail == FAIL_TRACE ? "the specification cannot "
                                                   "do this"
                           : r->fail == FAIL_NONDETERMINISM
                               ? "may be done or refused"
                           : r->fail == FAIL_REVIVAL
                               ? "the specification cannot refuse all else "
                                 "and then do this"
                           : r->fail == FAIL_REFUSAL
                               ? "the specification cannot do this after "
                                 "the refusals shown on the way"
                               : "impossible here";
        set_label(bad, "label", what);
        set(bad, "shape", "octagon");
        mark_red(bad);
        Agedge_t *e = edge(g, final, bad, 999999);
        snprintf(label, sizeof label, "%s", name_of(m, c->culprit));
        set_label(e, "label", label);
        mark_red(e);
    }
    }
}

static int draw_cex(const Machine *m, const CheckResult *r,
                    const char *title, const char *path, RenderFormat format,
                    char *err, size_t err_len)
{
    if (r->verdict != VERDICT_FAIL || !r->cex.states) {
        snprintf(err, err_len, "no counterexample to draw");
        return -1;
    }
    Agraph_t *g = graph_open(title);
    Agnode_t **nodes = g ? path_nodes(g, m, &r->cex) : NULL;
    if (!nodes) {
        if (g)
            agclose(g);
        snprintf(err, err_len, "out of memory drawing %s", path);
        return -1;
    }
    draw_failure(g, m, r, nodes[r->cex.steps]);
    int rc = write_graph(g, path, format, err, err_len);
    mem_free(nodes);
    agclose(g);
    return rc;
}

int render_cex(const Machine *m, const CheckResult *r, const char *title,
               const char *path, RenderFormat format, char *err,
               size_t err_len)
{
    pthread_mutex_lock(&gv_lock);
    int rc = draw_cex(m, r, title, path, format, err, err_len);
    pthread_mutex_unlock(&gv_lock);
    return rc;
}

/* The marks of the states of an LTS picture, and their meaning. */
static void lts_legend(Agraph_t *g)
{
    legend(g, "<TR><TD><B>0</B></TD><TD ALIGN=\"LEFT\">the initial state"
           "</TD></TR>"
           "<TR><TD BGCOLOR=\"#f4a6a6\">n</TD><TD ALIGN=\"LEFT\">deadlock: "
           "no move</TD></TR>"
           "<TR><TD BGCOLOR=\"#b7e4b7\">n</TD><TD ALIGN=\"LEFT\">terminated "
           "(after &#10003;)</TD></TR>"
           "<TR><TD BGCOLOR=\"#ffd27f\">n</TD><TD ALIGN=\"LEFT\">may diverge "
           "(taus for ever)</TD></TR>"
           "<TR><TD>- - &gt;</TD><TD ALIGN=\"LEFT\">a tau move</TD></TR>");
}

/* State s: its number, marked as deadlocked, terminated or divergent. */
static void lts_state(Agnode_t *n, const Lts *lts, uint32_t s,
                      const unsigned char *div)
{
    char name[32];
    snprintf(name, sizeof name, "%u", s);
    set(n, "label", name);
    set(n, "shape", "circle");
    const char *fill = s == lts->omega ? "#b7e4b7"
                       : div && div[s] ? "#ffd27f"
                       : lts->offset[s] == lts->offset[s + 1] ? "#f4a6a6"
                                                             : NULL;
    if (fill) {
        set(n, "style", s == 0 ? "filled,bold" : "filled");
        set(n, "fillcolor", fill);
    } else if (s == 0) {
        set(n, "style", "bold");
    }
}

static void lts_edge(Agraph_t *g, Agnode_t *from, Agnode_t *to, size_t k,
                     const char *label, int tau)
{
    Agedge_t *e = edge(g, from, to, k);
    set_label(e, "label", label);
    if (tau)
        set(e, "style", "dashed");
}

/* Each strongly connected component one node, with its size; an edge
 * between two names a few of the events that lead from one to the other. */
static void lts_summary(Agraph_t *g, const Lts *lts, TermTable *terms,
                        const uint32_t *comp, uint32_t ncomp,
                        Agnode_t **nodes)
{
    uint32_t *size = mem_calloc(ncomp + 1, sizeof *size);
    for (uint32_t s = 0; size && s < lts->states; s++)
        size[comp[s]]++;
    for (uint32_t c = 0; c < ncomp; c++) {
        char name[32], label[64];
        snprintf(name, sizeof name, "c%u", c);
        nodes[c] = node(g, name);
        snprintf(label, sizeof label, "%u state%s", size ? size[c] : 0,
                 size && size[c] == 1 ? "" : "s");
        set(nodes[c], "label", label);
        set(nodes[c], "shape", "box");
        if (c == comp[0])
            set(nodes[c], "style", "bold");
    }
    mem_free(size);
    EventTable *ev = term_events(terms);
    for (uint32_t s = 0; s < lts->states; s++)
        for (uint32_t k = lts->offset[s]; k < lts->offset[s + 1]; k++) {
            uint32_t a = comp[s], b = comp[lts->target[k]];
            if (a == b)
                continue; /* within one component */
            char name[48], label[LABEL_MAX];
            snprintf(name, sizeof name, "e%u_%u", a, b);
            Agedge_t *e = agedge(g, nodes[a], nodes[b], name, 0);
            const char *had = e ? agget(e, "label") : NULL;
            const char *event = event_name(ev, lts->event[k]);
            if (!e) /* one edge per pair, naming three events at most */
                e = agedge(g, nodes[a], nodes[b], name, 1);
            size_t commas = 0;
            for (const char *c = had; c && *c; c++)
                commas += *c == ',';
            if (had && *had && (strstr(had, "...") || commas >= 2))
                snprintf(label, sizeof label, "%s%s", had,
                         strstr(had, "...") ? "" : ", ...");
            else if (had && *had)
                snprintf(label, sizeof label, "%s, %s", had, event);
            else
                snprintf(label, sizeof label, "%s", event);
            if (e)
                set_label(e, "label", label);
        }
}

static int draw_lts(const Lts *lts, TermTable *terms, const char *title,
                    uint32_t budget, const char *path, RenderFormat format,
                    char *err, size_t err_len)
{
    uint32_t ncomp = 0, *comp = NULL;
    int summary = lts->states > budget;
    if (summary && (!(comp = lts_components(lts, &ncomp)) || ncomp > budget)) {
        snprintf(err, err_len, comp ? "%s has %u states in %u strongly "
                 "connected components, more than can be drawn usefully "
                 "(--max-draw %u)" : "out of memory drawing %s", title,
                 lts->states, ncomp, budget);
        mem_free(comp);
        return -1;
    }
    Agraph_t *g = graph_open(title);
    size_t count = summary ? ncomp : lts->states;
    Agnode_t **nodes = g ? mem_calloc(count + 1, sizeof *nodes) : NULL;
    unsigned char *div = summary ? NULL : lts_divergent(lts);
    if (!nodes || (!summary && !div)) {
        if (g)
            agclose(g);
        mem_free(nodes);
        mem_free(comp);
        snprintf(err, err_len, "out of memory drawing %s", path);
        return -1;
    }
    if (count > LTS_DOT_MAX) { /* dot's layout takes minutes there */
        set(g, "layout", "neato");
        set(g, "overlap", "prism");
    }
    if (summary) {
        lts_summary(g, lts, terms, comp, ncomp, nodes);
    } else {
        EventTable *ev = term_events(terms);
        for (uint32_t s = 0; s < lts->states; s++) {
            char name[32];
            snprintf(name, sizeof name, "s%u", s);
            lts_state(nodes[s] = node(g, name), lts, s, div);
        }
        for (uint32_t s = 0; s < lts->states; s++)
            for (uint32_t k = lts->offset[s]; k < lts->offset[s + 1]; k++)
                lts_edge(g, nodes[s], nodes[lts->target[k]], k,
                         event_name(ev, lts->event[k]),
                         lts->event[k] == EVENT_TAU);
        lts_legend(g);
    }
    int rc = write_graph(g, path, format, err, err_len);
    mem_free(nodes);
    mem_free(comp);
    mem_free(div);
    agclose(g);
    return rc;
}

int render_lts(const Lts *lts, TermTable *terms, const char *title,
               uint32_t budget, const char *path, RenderFormat format,
               char *err, size_t err_len)
{
    pthread_mutex_lock(&gv_lock);
    int rc = draw_lts(lts, terms, title, budget, path, format, err, err_len);
    pthread_mutex_unlock(&gv_lock);
    return rc;
}
