/* eval_bind: top-level declarations into bindings: channels and datatype
 * constructors become names with field types, definitions are grouped by
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

/* A type written as a tuple of sets, ({0,1}, {2,3}): the set of tuples. */
static Value *tuple_type(Eval *ev, Value *t, SrcPos at)
{
    VList acc = {0};
    for (uint32_t k = 0; k < t->n; k++)
        if (t->items[k]->kind == V_ISET) { /* infinite: a membership test */
            Value *v = value_items(ev->arena, V_ISET, t->items, t->n);
            if (v)
                v->ival = IS_TUPLES;
            return v;
        }
    if (vlist_add(ev, &acc, value_items(ev->arena, V_TUPLE, NULL, 0)))
        return NULL;
    for (uint32_t k = 0; k < t->n; k++) {
        Value *set = t->items[k];
        if (set_finite(ev, set, at, "a tuple type") != 0)
            return NULL;
        VList next = {0};
        for (size_t a = 0; a < acc.count; a++)
            for (uint32_t i = 0; i < set->n; i++) {
                Value *tuple = value_items(ev->arena, V_TUPLE, acc.items[a]->items,
                                           acc.items[a]->n + 1);
                if (!tuple)
                    return NULL;
                tuple->items[acc.items[a]->n] = set->items[i];
                if (vlist_add(ev, &next, tuple))
                    return NULL;
            }
        acc = next;
    }
    return value_set(ev->arena, acc.items, acc.count);
}

static int mentions(const Expr *e, const char *name)
{
    if (e->kind == E_NAME && !strcmp(e->name, name))
        return 1;
    for (size_t i = 0; i < e->nkids; i++)
        if (mentions(e->kids[i], name))
            return 1;
    return 0;
}

/* The components of a dotted type A.B.C, each evaluated to a set; a
 * component that mentions `self` (a recursive datatype) is infinite and
 * left NULL. */
static int type_fields_of(Eval *ev, Expr *type, const char *self,
                          Value ***fields, size_t *n);

static int type_fields(Eval *ev, Expr *type, Value ***fields, size_t *n)
{
    return type_fields_of(ev, type, NULL, fields, n);
}

static int type_fields_of(Eval *ev, Expr *type, const char *self,
                          Value ***fields, size_t *n)
{
    Expr *parts[64];
    size_t count = 0;
    while (type->kind == E_DOT && count < 63) {
        parts[count++] = type->kids[0];
        type = type->kids[1];
    }
    parts[count++] = type;
    *fields = arena_alloc(ev->arena, (count + 1) * sizeof **fields);
    if (!*fields)
        return -1;
    for (size_t i = 0; i < count; i++) {
        if (self && mentions(parts[i], self)) {
            (*fields)[i] = NULL;
            continue;
        }
        Value *v = eval_expr(ev, parts[i], ev->bind_scope);
        if (v && v->kind == V_TUPLE)
            v = tuple_type(ev, v, parts[i]->pos);
        if (!v)
            return -1;
        if (!set_is_set(v)) {
            eval_error(ev, parts[i]->pos, "a type must be a set, found %s",
                       value_text(ev->arena, v));
            return -1;
        }
        (*fields)[i] = v;
    }
    *n = count;
    return 0;
}

/* The values of a datatype: each constructor with every combination of
 * its fields; when a field is infinite (Int, or the datatype itself), an
 * infinite set that tests membership (IS_DATA). */
static Value *datatype_values(Eval *ev, Decl *d, NameInfo **infos,
                              int *infinite)
{
    VList out = {0};
    for (size_t i = 0; i < d->nctors; i++) {
        NameInfo *info = infos[i];
        if (!info)
            return NULL;
        if (d->ctors[i].fields &&
            type_fields_of(ev, d->ctors[i].fields, d->name, &info->fields,
                           &info->arity))
            return NULL;
        for (size_t k = 0; k < info->arity; k++)
            *infinite |= !info->fields[k] || info->fields[k]->kind == V_ISET;
    }
    if (*infinite) {
        Value **names = arena_alloc(ev->arena, (d->nctors + 1) * sizeof *names);
        if (!names)
            return NULL;
        for (size_t i = 0; i < d->nctors; i++)
            names[i] = value_name(ev->arena, infos[i]);
        Value *v = value_items(ev->arena, V_ISET, names, d->nctors);
        if (v)
            v->ival = IS_DATA;
        return v;
    }
    for (size_t i = 0; i < d->nctors; i++) {
        /* productions treat constructors like channels */
        infos[i]->is_channel = 1;
        int rc = eval_productions(ev, value_name(ev->arena, infos[i]),
                                  d->ctors[i].pos, &out);
        infos[i]->is_channel = 0;
        if (rc != 0)
            return NULL;
    }
    return value_set(ev->arena, out.items, out.count);
}

/* The fields of a recursive datatype's constructors that mention the
 * datatype (Node.Seq(Tree)), evaluated once the datatype has its value. */
static void recursive_fields(Eval *ev, Decl *d, NameInfo **infos)
{
    for (size_t i = 0; i < d->nctors; i++) {
        Value **fields;
        size_t n;
        if (!infos[i] || !d->ctors[i].fields)
            continue;
        int missing = 0;
        for (size_t k = 0; k < infos[i]->arity; k++)
            missing |= !infos[i]->fields[k];
        if (missing && type_fields(ev, d->ctors[i].fields, &fields, &n) == 0)
            infos[i]->fields = fields;
    }
}

static void bind_datatype(Eval *ev, Decl *d)
{
    NameInfo **infos = arena_alloc(ev->arena, (d->nctors + 1) * sizeof *infos);
    if (!infos)
        return;
    for (size_t i = 0; i < d->nctors; i++)
        infos[i] = bind_name(ev, d->ctors[i].name, 0, d->ctors[i].pos);
    Binding *b = top_add(ev, d->name, d->pos);
    if (!b)
        return;
    b->state = B_BUSY;
    int infinite = 0;
    b->value = datatype_values(ev, d, infos, &infinite);
    b->state = b->value ? B_DONE : B_FAILED;
    for (size_t i = 0; b->value && i < d->nctors; i++)
        if (infos[i])
            infos[i]->type = b->value;
    if (infinite && b->value)
        recursive_fields(ev, d, infos);
}

/* The values of constructor `info` whose fields from the k-th on are
 * drawn from given[k..n) (the rest as the datatype has them). */
static int subtype_values(Eval *ev, NameInfo *info, Value *partial,
                          Value **given, size_t k, size_t n, SrcPos at,
                          VList *out)
{
    if (k == n) { /* productions treat constructors like channels */
        info->is_channel = 1;
        int rc = eval_productions(ev, partial, at, out);
        info->is_channel = 0;
        return rc;
    }
    for (uint32_t i = 0; i < given[k]->n; i++) {
        Value *x = given[k]->items[i];
        if (info->fields[k] && !value_member(info->fields[k], x)) {
            eval_error(ev, at, "%s is not a value of field %zu of %s",
                       value_text(ev->arena, x), k + 1, info->name);
            return -1;
        }
        Value *next = value_dot(ev->arena, partial, x);
        if (!next || subtype_values(ev, info, next, given, k + 1, n, at,
                                    out) != 0)
            return -1;
    }
    return 0;
}

/* One clause C.A of a subtype: its constructor and each field's set (the
 * subtype's, else the datatype's; NULL for a field of the datatype's own
 * type). 0, or -1 after an error. */
typedef struct Clause {
    Value *ctor;
    NameInfo *info;
    Value **fields;
} Clause;

static int subtype_clause(Eval *ev, Ctor *ct, const char *subtype,
                          Clause *out)
{
    Binding *b = eval_lookup(ev, ev->bind_scope, ct->name);
    out->ctor = b ? eval_binding(ev, b, ct->pos) : NULL;
    out->info = out->ctor && out->ctor->kind == V_NAME
                    ? (NameInfo *)out->ctor->ref : NULL;
    NameInfo *info = out->info;
    if (!info || info->is_channel || !info->type) {
        eval_error(ev, ct->pos, "'%s' is not a constructor of a datatype "
                   "(in the subtype %s)", ct->name, subtype);
        return -1;
    }
    Value **given = NULL;
    size_t n = 0;
    if (ct->fields && type_fields(ev, ct->fields, &given, &n) != 0)
        return -1;
    if (n > info->arity) {
        eval_error(ev, ct->pos, "%s has %zu field%s, the subtype %s gives "
                   "%zu", ct->name, info->arity, info->arity == 1 ? "" : "s",
                   subtype, n);
        return -1;
    }
    out->fields = arena_alloc(ev->arena, (info->arity + 1) * sizeof *given);
    if (!out->fields)
        return -1;
    for (size_t k = 0; k < info->arity; k++)
        out->fields[k] = k < n ? given[k] : info->fields[k];
    return 0;
}

static int clause_finite(const Clause *c)
{
    for (size_t k = 0; k < c->info->arity; k++)
        if (!c->fields[k] || c->fields[k]->kind == V_ISET)
            return 0;
    return 1;
}

/* A field each of whose values is one item of a dotted value (numbers,
 * booleans, characters, constructors without fields): what an infinite
 * subtype can test one item at a time. */
static int field_flat(const Value *f)
{
    if (!f)
        return 0;
    if (f->kind == V_ISET)
        return f->ival == IS_INTS || f->ival == IS_CHARS;
    for (uint32_t i = 0; i < f->n; i++)
        if (f->items[i]->kind == V_DOT)
            return 0;
    return 1;
}

/* subtype S = C.Int | D: a set that answers membership clause by clause
 * (IS_SUBTYPE: a tuple (C, field sets...) per clause). */
static Value *subtype_infinite(Eval *ev, Decl *d, Clause *cl)
{
    Value **tuples = arena_alloc(ev->arena, (d->nctors + 1) * sizeof *tuples);
    for (size_t i = 0; tuples && i < d->nctors; i++) {
        size_t arity = cl[i].info->arity;
        Value **items = arena_alloc(ev->arena, (arity + 2) * sizeof *items);
        if (!items)
            return NULL;
        items[0] = cl[i].ctor;
        for (size_t k = 0; k < arity; k++) {
            if (!field_flat(cl[i].fields[k])) {
                eval_error(ev, d->ctors[i].pos, "not supported yet: an "
                           "infinite subtype whose field %zu of %s holds "
                           "dotted values (in %s)", k + 1, d->ctors[i].name,
                           d->name);
                return NULL;
            }
            items[k + 1] = cl[i].fields[k];
        }
        tuples[i] = value_items(ev->arena, V_TUPLE, items, arity + 1);
    }
    Value *v = tuples ? value_items(ev->arena, V_ISET, tuples, d->nctors)
                      : NULL;
    if (v)
        v->ival = IS_SUBTYPE;
    return v;
}

/* subtype S = C1 | C2.A: S is the set of the values of the clauses; the
 * constructors stay those of their datatype. */
static void bind_subtype(Eval *ev, Decl *d)
{
    Binding *b = top_add(ev, d->name, d->pos);
    Clause *cl = arena_alloc(ev->arena, (d->nctors + 1) * sizeof *cl);
    if (!b || !cl)
        return;
    b->state = B_BUSY;
    int rc = 0, finite = 1;
    for (size_t i = 0; rc == 0 && i < d->nctors; i++) {
        rc = subtype_clause(ev, &d->ctors[i], d->name, &cl[i]);
        finite = finite && rc == 0 && clause_finite(&cl[i]);
    }
    VList out = {0};
    for (size_t i = 0; rc == 0 && finite && i < d->nctors; i++)
        rc = subtype_values(ev, cl[i].info, cl[i].ctor, cl[i].fields, 0,
                            cl[i].info->arity, d->ctors[i].pos, &out);
    b->value = rc != 0 ? NULL
               : finite ? value_set(ev->arena, out.items, out.count)
                        : subtype_infinite(ev, d, cl);
    b->state = b->value ? B_DONE : B_FAILED;
}

static void bind_channels(Eval *ev, Decl *d)
{
    Value **fields = NULL;
    size_t arity = 0;
    if (d->type && type_fields(ev, d->type, &fields, &arity) != 0)
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

/* nametype T = A.B: the set of every a.b. */
static void bind_nametype(Eval *ev, Decl *d)
{
    Binding *b = top_add(ev, d->name, d->pos);
    Value **fields;
    size_t n;
    if (!b || type_fields(ev, d->type, &fields, &n) != 0)
        return;
    Value *v = fields[0];
    for (size_t k = 0; k < n && n > 1; k++)
        if (set_finite(ev, fields[k], d->pos, "a dotted type") != 0)
            v = NULL;
    for (size_t k = 1; k < n && v; k++) { /* A.B: every a.b */
        VList out = {0};
        for (uint32_t x = 0; x < v->n; x++)
            for (uint32_t y = 0; y < fields[k]->n; y++)
                vlist_add(ev, &out, value_dot(ev->arena, v->items[x],
                                              fields[k]->items[y]));
        v = value_set(ev->arena, out.items, out.count);
    }
    b->value = v;
    b->state = v ? B_DONE : B_FAILED;
}

static void bind_decls(Eval *ev, Decl **decls, size_t n, size_t nprivate);

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
    /* Definitions first, so that types may use them wherever they are. */
    for (size_t i = 0; i < n; i++)
        if (PRIVACY(i), decls[i]->kind == D_DEF)
            bind_def(ev, decls[i]);
    for (size_t i = 0; i < n; i++) {
        PRIVACY(i);
        if (decls[i]->kind == D_MODULE)
            bind_module(ev, decls[i]);
        else if (decls[i]->kind == D_INSTANCE)
            bind_instance(ev, decls[i]);
    }
    /* Then types, then the channels that use them. */
    for (size_t i = 0; i < n; i++) {
        Decl *d = decls[i];
        PRIVACY(i);
        switch (d->kind) {
        case D_DATATYPE: bind_datatype(ev, d); break;
        case D_NAMETYPE: bind_nametype(ev, d); break;
        case D_SUBTYPE: bind_subtype(ev, d); break;
        default: break;
        }
    }
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
