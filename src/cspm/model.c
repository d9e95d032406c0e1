/* model: loading a CSPM file: parse, bind, and turn assertions into terms.
 * See model.h. */
#include "model.h"

#include "typecheck.h"

#include "eval.h"
#include "parse.h"

#include <string.h>

struct Model {
    Arena *arena;
    EventTable *events;
    TermTable *terms;
    Eval *ev;
    Module *module;
    ModelAssert *asserts;
    size_t nasserts;
    Diags pending;  /* the evaluator's diagnostics, handed out on request */
};

static void diags_move(Diags *from, Diags *to)
{
    for (size_t i = 0; i < from->count; i++)
        diags_add(to, from->items[i].kind, from->items[i].pos, "%s",
                  from->items[i].message);
    diags_free(from);
    diags_init(from);
}

void model_take_errors(Model *m, Diags *diags)
{
    diags_move(&m->pending, diags);
}

static SemModel sem_of(int model, AssertForm form)
{
    if (model == 0) return SEM_T;
    if (model == 1) return SEM_F;
    if (model == 2) return SEM_FD;
    if (model == 3) return SEM_V;
    if (model == 4) return SEM_VD;
    if (model == 5) return SEM_R;
    if (model == 6) return SEM_RD;
    /* FDR's defaults: traces for has trace, else failures-divergences */
    return form == AF_HAS_TRACE ? SEM_T : SEM_FD;
}

/* The event ids of a sequence (a trace: as written) or of a set (sorted),
 * evaluated from e; NULL with an error naming `what` otherwise. */
static uint32_t *events_of(Model *m, Expr *e, ValueKind kind,
                           const char *what, size_t *len)
{
    Value *v = eval_expr(m->ev, e, NULL);
    if (!v)
        return NULL;
    if (v->kind != kind) {
        eval_error(m->ev, e->pos, "%s, found %s", what,
                   value_text(m->arena, v));
        return NULL;
    }
    uint32_t *ids = arena_alloc(m->arena, (v->n + 1) * sizeof *ids);
    for (uint32_t i = 0; ids && i < v->n; i++)
        if ((ids[i] = eval_event_id(m->ev, v->items[i], e->pos)) == EVENT_NONE)
            return NULL;
    *len = !ids ? 0 : kind == V_SET ? event_set_normalise(ids, v->n) : v->n;
    return ids;
}

static void make_assert(Model *m, Decl *d, ModelAssert *a)
{
    static const AssertKind kinds[] = {
        [AF_DEADLOCK] = ASSERT_DEADLOCK_FREE,
        [AF_DIVERGENCE] = ASSERT_DIVERGENCE_FREE,
        [AF_DETERMINISM] = ASSERT_DETERMINISTIC,
        [AF_HAS_TRACE] = ASSERT_HAS_TRACE,
        [AF_REFINE] = ASSERT_REFINES,
        [AF_SYMMETRIC] = ASSERT_DEADLOCK_FREE, /* never run: unsupported */
    };
    a->pos = d->pos;
    a->text = (char *)d->text;
    a->kind = kinds[d->form];
    a->model = sem_of(d->model, d->form);
    a->negated = d->negated;
    a->has_tau_priority = d->tau_priority;
    a->partial_order = d->partial_order;
    a->spec = TERM_NONE;
    if (d->form == AF_SYMMETRIC) { /* typed, but no check of it yet */
        a->unsupported = "the ':[symmetric]' property (FDR's symmetry check)";
        a->impl = TERM_NONE;
        a->broken = 1; /* for every user that does not look at unsupported */
        return;
    }
    a->impl = eval_proc(m->ev, d->impl, NULL);
    if (a->impl != TERM_NONE && d->form == AF_REFINE)
        a->spec = eval_proc(m->ev, d->spec, NULL);
    if (a->impl != TERM_NONE && d->form == AF_HAS_TRACE)
        a->trace = events_of(m, d->trace, V_SEQ,
                             "a trace must be a sequence of events",
                             &a->trace_len);
    if (a->impl != TERM_NONE && d->priority)
        a->tau_events = events_of(m, d->priority, V_SET,
                                  "tau priority needs a set of events",
                                  &a->tau_count);
    a->broken = (d->priority && !a->tau_events) || a->impl == TERM_NONE ||
                (d->form == AF_REFINE && a->spec == TERM_NONE) ||
                (d->form == AF_HAS_TRACE && !a->trace);
}

static int model_init(Model *m, const ModelOptions *options)
{
    EvalLimits limits = {options ? options->max_depth : 0,
                         options ? options->max_steps : 0};
    m->events = event_table_new();
    m->ev = m->events ? eval_new(m->arena, &m->pending, m->events, &limits)
                      : NULL;
    if (!m->ev)
        return -1;
    TermHooks hooks = eval_hooks(m->ev);
    m->terms = term_table_new(m->events, &hooks);
    if (!m->terms)
        return -1;
    eval_set_terms(m->ev, m->terms);
    return 0;
}

static Model *model_build(Model *m, const ModelOptions *options,
                          Diags *diags);

Model *model_load(const char *path, const ModelOptions *options,
                  Diags *diags)
{
    Model *m = mem_calloc(1, sizeof *m);
    if (!m || !(m->arena = arena_new())) {
        mem_free(m);
        return NULL;
    }
    diags_init(&m->pending);
    m->module = parse_file(path, m->arena, diags);
    return model_build(m, options, diags);
}

Model *model_load_text(const char *name, const char *text,
                       const ModelOptions *options, Diags *diags)
{
    Model *m = mem_calloc(1, sizeof *m);
    if (!m || !(m->arena = arena_new())) {
        mem_free(m);
        return NULL;
    }
    diags_init(&m->pending);
    m->module = parse_string(name, text, m->arena, diags);
    return model_build(m, options, diags);
}

/* Binds a parsed module and evaluates its assertions. */
static Model *model_build(Model *m, const ModelOptions *options,
                          Diags *diags)
{
    if (!m->module || model_init(m, options) != 0) {
        model_free(m);
        return NULL;
    }
    if (diags_errors(diags))
        return m; /* parse errors: nothing is evaluated */
    /* FDR type-checks the whole file first: a mistake in a rarely used
     * function is reported now, not an hour into a check. */
    if (!(options && options->skip_typecheck)) {
        int rc = typecheck_module(m->module, diags);
        if (rc < 0) {
            model_free(m);
            return NULL;
        }
        if (rc > 0)
            return m; /* type errors: nothing is evaluated */
    }
    eval_bind_module(m->ev, m->module);
    size_t n = 0;
    for (size_t i = 0; i < m->module->ndecls; i++)
        n += m->module->decls[i]->kind == D_ASSERT;
    m->asserts = arena_alloc(m->arena, (n + 1) * sizeof *m->asserts);
    if (!m->asserts) {
        model_free(m);
        return NULL;
    }
    if (!diags_errors(&m->pending))
        for (size_t i = 0; i < m->module->ndecls; i++)
            if (m->module->decls[i]->kind == D_ASSERT)
                make_assert(m, m->module->decls[i], &m->asserts[m->nasserts++]);
    model_take_errors(m, diags);
    return m;
}

void model_free(Model *m)
{
    if (!m)
        return;
    term_table_free(m->terms);
    eval_free(m->ev);
    event_table_free(m->events);
    diags_free(&m->pending);
    arena_free(m->arena);
    mem_free(m);
}

EventTable *model_events(Model *m) { return m->events; }
TermTable *model_terms(Model *m) { return m->terms; }
size_t model_assert_count(const Model *m) { return m->nasserts; }
const ModelAssert *model_assert(const Model *m, size_t i)
{
    return &m->asserts[i];
}

uint32_t model_process(Model *m, const char *text, Diags *diags)
{
    Expr *e = parse_expression("<process>", text, m->arena, diags);
    uint32_t t = e ? eval_proc(m->ev, e, NULL) : TERM_NONE;
    model_take_errors(m, diags);
    return t;
}

static void print_value(Model *m, Value *v, FILE *out)
{
    if (v->kind == V_PROC) {
        char text[4096];
        term_print(m->terms, (uint32_t)v->ival, text, sizeof text);
        fprintf(out, "%s\n", text);
        return;
    }
    const char *text = value_text(m->arena, v);
    fprintf(out, "%s\n", text ? text : "?");
}

int model_eval_print(Model *m, const char *text, FILE *out, Diags *diags)
{
    Expr *e = parse_expression("<expression>", text, m->arena, diags);
    Value *v = e ? eval_expr(m->ev, e, NULL) : NULL;
    /* a process is a thunk until looked at (calls are lazy): read it
     * through to its first operator, so that its errors show here */
    if (v && v->kind == V_PROC &&
        term_unfold(m->terms, (uint32_t)v->ival) == TERM_NONE) {
        if (!diags_errors(&m->pending) && term_last_error(m->terms))
            diags_add(&m->pending, DIAG_ERROR, e->pos, "%s",
                      term_last_error(m->terms));
        v = NULL;
    }
    model_take_errors(m, diags);
    if (!v)
        return -1;
    print_value(m, v, out);
    return 0;
}

int model_print_statements(Model *m, FILE *out, Diags *diags)
{
    int rc = 0;
    for (size_t i = 0; i < m->module->ndecls; i++) {
        Decl *d = m->module->decls[i];
        if (d->kind != D_PRINT)
            continue;
        Value *v = eval_expr(m->ev, d->body, NULL);
        if (v)
            print_value(m, v, out);
        else
            rc = -1;
    }
    model_take_errors(m, diags);
    return rc;
}

int model_has_channel(Model *m, const char *name)
{
    return eval_is_channel(m->ev, name);
}

uint32_t model_event(Model *m, const char *text, SrcPos at, Diags *diags)
{
    uint32_t id = event_lookup(m->events, text);
    if (id != EVENT_NONE && id > EVENT_TICK)
        return id;
    char name[256];
    size_t n = strcspn(text, ".");
    snprintf(name, sizeof name, "%.*s", (int)(n < 255 ? n : 255), text);
    if (!model_has_channel(m, name)) {
        diags_error(diags, at, "unknown channel '%s' (the model declares no "
                               "such channel)", name);
        return EVENT_NONE;
    }
    /* An event of a known channel that was never interned: evaluate it,
     * which checks every field against the channel's type. */
    Diags local;
    diags_init(&local);
    Expr *e = parse_expression("<trace>", text, m->arena, &local);
    Value *v = e ? eval_expr(m->ev, e, NULL) : NULL;
    id = v ? eval_event_id(m->ev, v, at) : EVENT_NONE;
    model_take_errors(m, &local);
    if (id == EVENT_NONE) {
        const char *why = local.count ? local.items[local.count - 1].message
                                      : "not an event of the model";
        diags_error(diags, at, "'%s': %s", text, why);
    }
    diags_free(&local);
    return id;
}

int model_limit_hit(const Model *m) { return m->ev && eval_limit_hit(m->ev); }
