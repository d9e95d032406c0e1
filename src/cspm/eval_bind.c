/* eval_bind: top-level declarations into bindings: channels and datatype
 * constructors become names (their types computed on first use, in
 * eval_types.c), definitions are grouped by
 * name into lazy bindings. Creation and teardown of the evaluator live
 * here too. See eval.h. */
#include "eval_impl.h"
#include "hash.h"

#include <string.h>

Eval *eval_new(Arena *arena, Diags *diags, EventTable *events,
               const EvalLimits *limits)
{
    Eval *ev = mem_calloc(1, sizeof *ev);
    if (!ev)
        return NULL;
    ev->arena = arena;
    ev->diags = diags;
    ev->events = events;
    ev->tock = EVENT_NONE;
    if (limits)
        ev->limits = *limits;
    ev->table_size = 1024;
    ev->table = mem_calloc(ev->table_size, sizeof *ev->table);
    if (!ev->table) {
        mem_free(ev);
        return NULL;
    }
    return ev;
}

void eval_free(Eval *ev)
{
    if (!ev)
        return;
    mem_free(ev->table);
    mem_free(ev->calls);
    mem_free(ev->call_index);
    mem_free(ev->event_values);
    mem_free(ev->modules);
    mem_free(ev);
}

void eval_set_terms(Eval *ev, TermTable *terms) { ev->terms = terms; }

/* A declaration's name as bound: inside module M, M::name. */
static const char *qualify(Eval *ev, const char *name)
{
    if (!ev->bind_prefix)
        return name;
    size_t len = strlen(ev->bind_prefix) + strlen(name) + 1;
    char *q = arena_alloc(ev->arena, len);
    if (q)
        snprintf(q, len, "%s%s", ev->bind_prefix, name);
    return q ? q : name;
}

static Binding *top_find(Eval *ev, const char *name)
{
    name = qualify(ev, name);
    for (Binding *b = ev->table[hash_string(name) & (ev->table_size - 1)]; b;
         b = b->next)
        if (!strcmp(b->name, name))
            return b;
    return NULL;
}

static Binding *top_add(Eval *ev, const char *name, SrcPos pos)
{
    Binding *old = top_find(ev, name);
    name = qualify(ev, name);
    if (old) {
        eval_error(ev, pos, "'%s' is already defined (at %d:%d)", name,
                   old->pos.line, old->pos.col);
        return NULL;
    }
    Binding *b = arena_alloc(ev->arena, sizeof *b);
    if (!b)
        return NULL;
    b->name = name;
    b->pos = pos;
    b->private_to = ev->bind_private;
    b->env = ev->bind_scope;
    size_t slot = hash_string(name) & (ev->table_size - 1);
    b->next = ev->table[slot];
    ev->table[slot] = b;
    return b;
}

static NameInfo *name_new(Eval *ev, const char *name, int channel)
{
    NameInfo *info = arena_alloc(ev->arena, sizeof *info);
    if (info) {
        info->name = name;
        info->is_channel = channel;
        info->order = ev->name_order++;
    }
    return info;
}

/* A name (channel or constructor) as a binding whose value is itself. */
static NameInfo *bind_name(Eval *ev, const char *name, int channel,
                           SrcPos pos)
{
    Binding *b = top_add(ev, name, pos);
    NameInfo *info = b ? name_new(ev, b->name, channel) : NULL;
    if (!info)
        return NULL;
    b->value = value_name(ev->arena, info);
    b->state = b->value ? B_DONE : B_FAILED;
    return info;
}

/* Adds a clause to the binding of its name (clauses of one function may
 * be written apart, FDR allows it). */
/* (a, b) = e at top level: each variable of the pattern is a lazy
 * binding that evaluates e, matches it and takes its own part. Names that
 * are channels or constructors are constants of the pattern, not
 * variables. */
static void bind_pattern_vars(Eval *ev, Decl *d, Expr *p)
{
    if (p->kind == E_NAME) {
        Binding *old = eval_lookup(ev, ev->bind_scope, p->name);
        if (old && old->state == B_DONE && old->value &&
            old->value->kind == V_NAME)
            return;
        Binding *b = top_add(ev, p->name, p->pos);
        Decl **clauses = b ? arena_alloc(ev->arena, sizeof *clauses) : NULL;
        if (!clauses)
            return;
        clauses[0] = d;
        b->clauses = clauses;
        b->nclauses = 1;
        b->state = B_TODO;
        return;
    }
    for (size_t i = 0; i < p->nkids; i++)
        bind_pattern_vars(ev, d, p->kids[i]);
}

static void bind_def(Eval *ev, Decl *d)
{
    if (!d->name)
        return; /* pattern bindings come after the names (see below) */
    Binding *b = top_find(ev, d->name);
    if (b && (!b->nclauses || b->clauses[0]->ngroups == 0 ||
              d->ngroups == 0 || b->clauses[0]->ngroups != d->ngroups)) {
        eval_error(ev, d->pos, "'%s' is already defined (at %d:%d)", d->name,
                   b->pos.line, b->pos.col);
        return;
    }
    if (!b && !(b = top_add(ev, d->name, d->pos)))
        return;
    Decl **clauses = arena_alloc(ev->arena, (b->nclauses + 1) * sizeof *clauses);
    if (!clauses)
        return;
    if (b->nclauses)
        mem_copy(clauses, b->clauses, b->nclauses * sizeof *clauses);
    clauses[b->nclauses++] = d;
    b->clauses = clauses;
    b->state = B_TODO;
}

static void bind_channels(Eval *ev, Decl *d)
{
    Value **fields = NULL;
    size_t arity = 0;
    if (d->type && eval_type_fields(ev, d->type, &fields, &arity) != 0)
        return;
    for (size_t k = 0; k < arity; k++)
        if (fields[k]->kind == V_ISET && fields[k]->ival == IS_PROC) {
            eval_error(ev, d->pos, "a channel cannot carry processes "
                                   "(field %zu is Proc)", k + 1);
            return;
        }
    size_t events = 1;
    for (size_t k = 0; k < arity; k++)
        events *= fields[k]->kind == V_ISET ? 1000000
                  : fields[k]->n          ? fields[k]->n : 1;
    for (size_t i = 0; i < d->nnames; i++) {
        NameInfo *info = bind_name(ev, d->names[i], 1, d->pos);
        if (!info)
            continue;
        info->fields = fields;
        info->arity = arity;
        /* Interning a channel's events now, in declaration and value
         * order, makes event ids follow that order, and with them the
         * order of transitions and so which shortest counterexample is
         * shown (c.0 before c.1). Huge channels are left to be interned
         * on use. */
        VList all = {0};
        if (events > 65536 ||
            eval_productions(ev, value_name(ev->arena, info), d->pos, &all))
            continue;
        for (size_t k = 0; k < all.count; k++)
            eval_event_id(ev, all.items[k], d->pos);
    }
}

static void bind_decls(Eval *ev, Decl **decls, size_t n, size_t nprivate);

static int is_type(const Decl *d)
{
    return (d->kind == D_DATATYPE || d->kind == D_NAMETYPE ||
            d->kind == D_SUBTYPE) && d->name;
}

/* A type's name (and a datatype's constructors, fields to come), to be
 * computed on first use (eval_types.c). */
static void declare_type(Eval *ev, Decl *d)
{
    NameInfo **infos = NULL;
    if (d->kind == D_DATATYPE &&
        !(infos = arena_alloc(ev->arena, (d->nctors + 1) * sizeof *infos)))
        return;
    for (size_t i = 0; d->kind == D_DATATYPE && i < d->nctors; i++)
        infos[i] = bind_name(ev, d->ctors[i].name, 0, d->ctors[i].pos);
    Binding *b = top_add(ev, d->name, d->pos);
    if (!b)
        return;
    b->type_decl = d;
    b->prefix = ev->bind_prefix;
    for (size_t i = 0; d->kind == D_DATATYPE && i < d->nctors; i++)
        if (infos[i])
            infos[i]->datatype = b;
}

/* transparent f inside module M: M::f is FDR's f. */
static void bind_library(Eval *ev, Decl *d)
{
    for (size_t i = 0; i < d->nnames; i++) {
        int id = builtin_lookup(d->names[i]);
        Binding *b = id < 0 || top_find(ev, d->names[i])
                         ? NULL : top_add(ev, d->names[i], d->pos);
        if (!b)
            continue;
        b->value = builtin_value(ev, id, d->pos, 0);
        b->state = b->value ? B_DONE : B_FAILED;
    }
}

/* Binds module m's declarations as `as`::name, in a scope whose parent is
 * `outer` (where m was declared, with an instance's parameters). */
static void bind_module_as(Eval *ev, Decl *m, const char *as, Env *outer)
{
    const char *prefix = ev->bind_prefix;
    Env *scope_env = ev->bind_scope;
    const char *priv = ev->bind_private;
    Env *scope = arena_alloc(ev->arena, sizeof *scope);
    const char *q = qualify(ev, as);
    size_t len = strlen(q) + 3;
    char *inner = arena_alloc(ev->arena, len);
    if (!scope || !inner)
        return;
    snprintf(inner, len, "%s::", q);
    scope->parent = outer;
    scope->scope = inner;
    ev->bind_prefix = inner;
    ev->bind_scope = scope;
    bind_decls(ev, m->decls, m->ndecls, m->nprivate);
    ev->bind_prefix = prefix;
    ev->bind_scope = scope_env;
    ev->bind_private = priv;
}

static struct ModuleDef *module_find(Eval *ev, const char *name)
{
    const char *q = qualify(ev, name);
    for (size_t i = ev->nmodules; i > 0; i--)
        if (!strcmp(ev->modules[i - 1].name, q) ||
            !strcmp(ev->modules[i - 1].name, name))
            return &ev->modules[i - 1];
    return NULL;
}

/* module M ... endmodule: bound at once; module M(X) only through its
 * instances. */
static void bind_module(Eval *ev, Decl *d)
{
    if (mem_grow((void **)&ev->modules, &ev->modules_cap, ev->nmodules + 1,
                 sizeof *ev->modules))
        return;
    ev->modules[ev->nmodules++] =
        (struct ModuleDef){qualify(ev, d->name), d, ev->bind_scope};
    if (d->nnames == 0)
        bind_module_as(ev, d, d->name, ev->bind_scope);
}

/* instance N = M(args): M's declarations as N::name, with each parameter
 * a lazy binding of its argument (evaluated where the instance is). */
static void bind_instance(Eval *ev, Decl *d)
{
    Expr *e = d->body;
    Expr **args = e->kind == E_CALL ? e->kids + 1 : NULL;
    size_t nargs = e->kind == E_CALL ? e->nkids - 1 : 0;
    Expr *callee = e->kind == E_CALL ? e->kids[0] : e;
    struct ModuleDef *m = callee->kind == E_NAME
                              ? module_find(ev, callee->name) : NULL;
    if (!m) {
        eval_error(ev, callee->pos, "%s is not a module",
                   callee->kind == E_NAME ? callee->name : "this");
        return;
    }
    if (nargs != m->decl->nnames) {
        eval_error(ev, e->pos, "module %s has %zu parameter%s, given %zu",
                   m->name, m->decl->nnames,
                   m->decl->nnames == 1 ? "" : "s", nargs);
        return;
    }
    Env *params = m->scope;
    for (size_t i = 0; i < nargs; i++) {
        Decl *arg = arena_alloc(ev->arena, sizeof *arg);
        Decl **clauses = arena_alloc(ev->arena, sizeof *clauses);
        params = arg && clauses ? eval_bind(ev, params, m->decl->names[i],
                                            NULL) : NULL;
        if (!params)
            return;
        arg->kind = D_DEF;
        arg->pos = args[i]->pos;
        arg->name = m->decl->names[i];
        arg->body = args[i];
        clauses[0] = arg;
        params->binding->clauses = clauses;
        params->binding->nclauses = 1;
        params->binding->state = B_TODO;
        params->binding->env = ev->bind_scope;
        params->binding->pos = args[i]->pos;
    }
    bind_module_as(ev, m->decl, d->name, params);
}

/* The declarations of the file or of one module (the first nprivate of
 * them private to it). */
static void bind_decls(Eval *ev, Decl **decls, size_t n, size_t nprivate)
{
    const char *outer = ev->bind_private;
#define PRIVACY(i) (ev->bind_private = (i) < nprivate ? ev->bind_prefix : outer)
    /* Definitions and the names of types first, so that anything may use
     * them wherever they are (a type is computed on first use). */
    for (size_t i = 0; i < n; i++)
        if (PRIVACY(i), decls[i]->kind == D_DEF)
            bind_def(ev, decls[i]);
    for (size_t i = 0; i < n; i++)
        if (PRIVACY(i), is_type(decls[i]))
            declare_type(ev, decls[i]);
    for (size_t i = 0; i < n; i++) {
        PRIVACY(i);
        if (decls[i]->kind == D_MODULE)
            bind_module(ev, decls[i]);
        else if (decls[i]->kind == D_INSTANCE)
            bind_instance(ev, decls[i]);
    }
    /* Then every type, then the recursive ones' fields, then channels. */
    for (size_t i = 0; i < n; i++) {
        Binding *b = is_type(decls[i]) ? top_find(ev, decls[i]->name) : NULL;
        if (b && b->type_decl == decls[i])
            eval_binding(ev, b, decls[i]->pos);
    }
    for (size_t i = 0; i < n; i++)
        if (decls[i]->kind == D_DATATYPE)
            eval_type_fixup(ev, decls[i]);
    for (size_t i = 0; i < n; i++)
        if (PRIVACY(i), decls[i]->kind == D_CHANNEL)
            bind_channels(ev, decls[i]);
    for (size_t i = 0; i < n; i++)
        if (PRIVACY(i), decls[i]->kind == D_DEF && !decls[i]->name)
            bind_pattern_vars(ev, decls[i], decls[i]->lhs);
    for (size_t i = 0; i < n && ev->bind_prefix; i++)
        if (PRIVACY(i), decls[i]->kind == D_LIBRARY)
            bind_library(ev, decls[i]);
#undef PRIVACY
    ev->bind_private = outer;
}

void eval_bind_module(Eval *ev, const Module *m)
{
    bind_decls(ev, m->decls, m->ndecls, 0);
}


int eval_is_channel(Eval *ev, const char *name)
{
    Binding *b = top_find(ev, name);
    return b && b->state == B_DONE && b->value && b->value->kind == V_NAME &&
           ((const NameInfo *)b->value->ref)->is_channel;
}
