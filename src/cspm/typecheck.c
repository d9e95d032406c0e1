/* typecheck: the driver: names, builtins, annotations, declarations, the
 * dependency analysis of top-level bindings. See typecheck.h. */
#include "typecheck_impl.h"

#include "builtins.h"
#include "hash.h"

#include "lex.h"
#include "limit.h"
#include "stack.h"
#include "parse.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---------- memory, errors ---------- */

void *tc_alloc(Checker *c, size_t n)
{
    void *m = arena_alloc(c->arena, n);
    if (!m)
        longjmp(*c->out_of_memory, 1);
    memset(m, 0, n);
    return m;
}

Type *tc_check(Checker *c, Type *t)
{
    if (!t)
        longjmp(*c->out_of_memory, 1);
    return t;
}

Type *tc_fresh(Checker *c) { return tc_check(c, types_var(&c->ts, 0)); }
Type *tc_set_of(Checker *c, Type *elem)
{
    return tc_check(c, types_make1(&c->ts, T_SET, elem));
}
Type *tc_seq_of(Checker *c, Type *elem)
{
    return tc_check(c, types_make1(&c->ts, T_SEQ, elem));
}

void tc_stack_guard(Checker *c, SrcPos at)
{
    LimitKind limit = limit_reached(); /* --timeout, --memory, a signal */
    if (limit != LIMIT_NONE) {
        tc_error(c, at, "%s", limit_text(limit));
        c->too_deep = 1;
        longjmp(*c->out_of_memory, 1);
    }
    if (!stack_low())
        return;
    tc_error(c, at, "expression nested too deeply to type-check");
    c->too_deep = 1;
    longjmp(*c->out_of_memory, 1);
}

void tc_error(Checker *c, SrcPos at, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    diags_add(c->diags, DIAG_TYPE_ERROR, at, "%s", buf);
    c->errors++;
}

static void class_error(Checker *c, Expr *e, const char *why)
{
    TypeNames names = {0};
    char t[256];
    types_print(c->ts.failed_type, &names, t, sizeof t);
    static const char *const meaning[] = {
        "its values cannot be compared", "its values are not ordered",
        "its values cannot be compared, as set operations need",
        "it is not a complete value", "it cannot be input",
        "it cannot be dotted"};
    unsigned k = 0;
    while ((1u << k) < c->ts.failed_class && k < 5)
        k++;
    tc_error(c, e->pos, "%s is not in the class %s (%s), in '%s' (%s)", t,
             types_class_name(c->ts.failed_class), meaning[k],
             tc_expr_text(c, e), why);
}

int tc_expect(Checker *c, Expr *e, Type *found, Type *expected,
              const char *why)
{
    int rc = types_unify(&c->ts, expected, found);
    if (!rc)
        return 0;
    if (rc == -2) {
        class_error(c, e, why);
        return -1;
    }
    TypeNames names = {0};
    char te[256], tf[256];
    types_print(expected, &names, te, sizeof te);
    types_print(found, &names, tf, sizeof tf);
    tc_error(c, e->pos, "expected %s, found %s in '%s' (%s)", te, tf,
             tc_expr_text(c, e), why);
    return -1;
}

int tc_require(Checker *c, Expr *e, Type *t, unsigned cls, const char *why)
{
    if (!types_require(&c->ts, t, cls))
        return 0;
    class_error(c, e, why);
    return -1;
}

/* ---------- expressions written back ---------- */

typedef struct Text {
    char *buf;
    size_t len, n;
} Text;

static void text_put(Text *t, const char *s)
{
    while (*s && t->n + 1 < t->len)
        t->buf[t->n++] = *s++;
    t->buf[t->n] = '\0';
}

static void text_expr(Text *t, const Expr *e, int depth);

static void text_list(Text *t, Expr *const *kids, size_t n, int depth)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            text_put(t, ", ");
        text_expr(t, kids[i], depth);
    }
}

static void text_expr(Text *t, const Expr *e, int depth)
{
    char num[32];
    if (depth > 6 || t->n > 70) {
        text_put(t, "...");
        return;
    }
    switch (e->kind) {
    case E_INT: snprintf(num, sizeof num, "%lld", e->ival); text_put(t, num);
        return;
    case E_BOOL: text_put(t, e->ival ? "true" : "false"); return;
    case E_CHAR: snprintf(num, sizeof num, "'%c'", (char)e->ival);
        text_put(t, num);
        return;
    case E_STRING: text_put(t, "\""); text_put(t, e->name); text_put(t, "\"");
        return;
    case E_NAME: text_put(t, e->name); return;
    case E_WILD: text_put(t, "_"); return;
    case E_CALL:
        text_expr(t, e->kids[0], depth + 1);
        text_put(t, "(");
        text_list(t, e->kids + 1, e->nkids - 1, depth + 1);
        text_put(t, ")");
        return;
    case E_DOT:
        text_expr(t, e->kids[0], depth + 1);
        text_put(t, ".");
        text_expr(t, e->kids[1], depth + 1);
        return;
    case E_BINOP:
        text_expr(t, e->kids[0], depth + 1);
        text_put(t, " ");
        text_put(t, lex_kind_name((TokKind)e->op));
        text_put(t, " ");
        text_expr(t, e->kids[1], depth + 1);
        return;
    case E_UNOP:
        text_put(t, lex_kind_name((TokKind)e->op));
        text_put(t, e->op == TOK_NOT ? " " : "");
        text_expr(t, e->kids[0], depth + 1);
        return;
    case E_TUPLE:
        text_put(t, "(");
        text_list(t, e->kids, e->nkids, depth + 1);
        text_put(t, ")");
        return;
    case E_SET: case E_SEQ:
        text_put(t, e->kind == E_SET ? "{" : "<");
        text_list(t, e->kids, e->nkids, depth + 1);
        text_put(t, e->kind == E_SET ? "}" : ">");
        return;
    case E_EVENTS:
        text_put(t, "{| ");
        text_list(t, e->kids, e->nkids, depth + 1);
        text_put(t, " |}");
        return;
    case E_PREFIX:
        text_expr(t, e->kids[0], depth + 1);
        text_put(t, e->nfields ? "... -> ..." : " -> ...");
        return;
    default:
        text_put(t, "...");
        return;
    }
}

const char *tc_expr_text(Checker *c, const Expr *e)
{
    char buf[96];
    Text t = {buf, sizeof buf, 0};
    buf[0] = '\0';
    text_expr(&t, e, 0);
    char *s = arena_strdup(c->arena, buf);
    if (!s)
        longjmp(*c->out_of_memory, 1);
    return s;
}

/* ---------- names ---------- */

Global *tc_global_exact(Checker *c, const char *name)
{
    for (Global *g = c->table[hash_string(name) & (c->table_size - 1)]; g;
         g = g->next)
        if (!strcmp(g->name, name))
            return g;
    return NULL;
}

Global *tc_global_add(Checker *c, const char *name, GlobalKind kind,
                      int node, SrcPos pos)
{
    Global *g = tc_alloc(c, sizeof *g);
    g->name = name;
    g->kind = kind;
    g->node = node;
    g->pos = pos;
    g->private_to = c->private_to;
    g->param_module = c->param_module;
    size_t slot = hash_string(name) & (c->table_size - 1);
    g->next = c->table[slot];
    c->table[slot] = g;
    return g;
}

/* ---------- annotations ---------- */

static unsigned class_bit(const char *name)
{
    static const char *const names[] = {"Eq", "Ord", "Set", "Complete",
                                        "Inputable", "Yieldable"};
    for (unsigned i = 0; i < 6; i++)
        if (!strcmp(names[i], name))
            return 1u << i;
    return 0;
}

typedef struct AnnotCtx {
    Decl *decl;
    int rigid;            /* the variables are rigid (checking the body) */
    TypeVarScope *vars;   /* the variables named so far */
} AnnotCtx;

static Type *annot_var(Checker *c, AnnotCtx *a, const char *name)
{
    for (TypeVarScope *s = a->vars; s; s = s->next)
        if (!strcmp(s->name, name))
            return s->type;
    for (TypeVarScope *s = c->tvars; s; s = s->next)
        if (!strcmp(s->name, name))
            return s->type; /* a variable of an enclosing annotation */
    unsigned classes = 0;
    for (size_t i = 0; i < a->decl->ncontext; i++)
        if (!strcmp(a->decl->context[i].var, name))
            classes |= class_bit(a->decl->context[i].cls);
    Type *t = tc_check(c, a->rigid ? types_rigid(&c->ts, name, classes)
                                   : types_var(&c->ts, classes));
    if (!a->rigid)
        t->level = TYPE_GENERIC;
    TypeVarScope *s = tc_alloc(c, sizeof *s);
    s->name = name;
    s->type = t;
    s->next = a->vars;
    a->vars = s;
    return t;
}

static Type *annot_name(Checker *c, AnnotCtx *a, TypeExpr *t)
{
    static const struct { const char *name; TypeKind kind; } basic[] = {
        {"Int", T_INT}, {"Bool", T_BOOL}, {"Char", T_CHAR}, {"Proc", T_PROC},
        {"Event", T_EVENT}};
    for (size_t i = 0; i < sizeof basic / sizeof *basic; i++)
        if (!strcmp(basic[i].name, t->name))
            return tc_check(c, types_basic(&c->ts, basic[i].kind));
    Global *g = tc_global(c, t->name);
    if (g && g->kind == G_TYPE) {
        if (g->data)
            return tc_check(c, types_data(&c->ts, g->data));
        return c->t_dyn; /* a nametype or subtype: its values' type */
    }
    if (strstr(t->name, "::")) { /* a variable is never qualified */
        tc_error(c, t->pos, "'%s' is not a type", t->name);
        return c->t_dyn;
    }
    return annot_var(c, a, t->name);
}

static Type *annot_type(Checker *c, AnnotCtx *a, TypeExpr *t)
{
    Type *kids[64];
    size_t n = t->nkids < 64 ? t->nkids : 64;
    if (t->kind == TY_NAME)
        return annot_name(c, a, t);
    if (t->kind == TY_EXTENDABLE) {
        /* a =>* b: dotted with values of the types a stands for, gives a
         * b. Not modelled: unknown, once checked to be well formed. */
        TypeExpr *k = t->kids[0];
        int var = k->kind == TY_NAME &&
                  types_resolve(annot_name(c, a, k))->kind == T_VAR;
        if (!var && !a->rigid) /* reported once, not for each use */
            tc_error(c, k->pos, "the left of =>* must be a type variable "
                     "(the types of the fields to come)%s", "");
        annot_type(c, a, t->kids[1]);
        return c->t_dyn;
    }
    for (size_t i = 0; i < n; i++)
        kids[i] = annot_type(c, a, t->kids[i]);
    switch (t->kind) {
    case TY_SET: return tc_set_of(c, kids[0]);
    case TY_SEQ: return tc_seq_of(c, kids[0]);
    case TY_TUPLE: return tc_check(c, types_make(&c->ts, T_TUPLE, kids, n));
    case TY_FUN: return tc_check(c, types_make(&c->ts, T_FUN, kids, n));
    case TY_DOTABLE:
        return tc_check(c, types_make(&c->ts, T_DOTABLE, kids, 2));
    case TY_DOT: return tc_check(c, types_dot(&c->ts, kids, n));
    case TY_MAP: return tc_check(c, types_make(&c->ts, T_MAP, kids, 2));
    default: return c->t_dyn;
    }
}

/* Each constraint of the context names a variable of the type (FDR:
 * `Set Event => Int` and `Set ab => (b) -> b` are errors), or one of an
 * enclosing annotation that has the class already. */
static void check_context(Checker *c, const AnnotCtx *a)
{
    for (size_t i = 0; i < a->decl->ncontext; i++) {
        const TypeConstraint *k = &a->decl->context[i];
        int found = 0;
        for (TypeVarScope *s = a->vars; s && !found; s = s->next)
            found = !strcmp(s->name, k->var);
        if (found)
            continue;
        TypeVarScope *outer = c->tvars;
        while (outer && strcmp(outer->name, k->var))
            outer = outer->next;
        unsigned bit = class_bit(k->cls), has = outer ? outer->type->classes
                                                      : 0;
        if (!outer)
            tc_error(c, k->pos, "the constraint '%s %s' names no type "
                     "variable of the annotation", k->cls, k->var);
        else if (!(has & bit) &&
                 !(bit == TC_SET && (has & (TC_EQ | TC_ORD))))
            tc_error(c, k->pos, "'%s %s': the variable %s of the enclosing "
                     "annotation is not constrained by %s there", k->cls,
                     k->var, k->var, k->cls);
    }
}

/* The type an annotation gives: generalised (for the users of the name),
 * or with rigid variables, put in scope, for checking the body. */
static Type *annotation(Checker *c, Decl *d, int rigid)
{
    AnnotCtx a = {d, rigid, NULL};
    Type *t = annot_type(c, &a, d->annot);
    if (!rigid) /* once per annotation */
        check_context(c, &a);
    if (rigid) { /* the body sees these variables */
        while (a.vars) {
            TypeVarScope *next = a.vars->next;
            a.vars->next = c->tvars;
            c->tvars = a.vars;
            a.vars = next;
        }
    }
    return t;
}

/* ---------- builtins ---------- */

/* Every builtin's type, read as FDR annotations "name :: type". */
static void add_builtins(Checker *c)
{
    size_t len = 1;
    for (int id = 0; id < builtin_count(); id++)
        if (builtin_type(id))
            len += strlen(builtin_name(id)) + strlen(builtin_type(id)) + 5;
    char *text = tc_alloc(c, len), *end = text;
    for (int id = 0; id < builtin_count(); id++)
        if (builtin_type(id))
            end += sprintf(end, "%s :: %s\n", builtin_name(id),
                           builtin_type(id));
    *end = '\0';
    Diags local;
    diags_init(&local);
    Module *m = parse_string("<builtins>", text, c->arena, &local);
    diags_free(&local);
    if (!m)
        longjmp(*c->out_of_memory, 1);
    for (size_t i = 0; i < m->ndecls; i++) {
        Decl *d = m->decls[i];
        if (d->kind != D_ANNOT)
            continue;
        Type *t = annotation(c, d, 0);
        for (size_t k = 0; k < d->nnames; k++)
            tc_global_add(c, d->names[k], G_BUILTIN, -1, d->pos)->type = t;
    }
}

/* ---------- declarations ---------- */

int tc_node_new(Checker *c, Graph *g, Decl *d)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 64;
        Node *nodes = tc_alloc(c, cap * sizeof *nodes);
        if (g->n)
            mem_copy(nodes, g->nodes, g->n * sizeof *nodes);
        g->nodes = nodes;
        g->cap = cap;
    }
    Node *n = &g->nodes[g->n];
    memset(n, 0, sizeof *n);
    n->decl = d;
    n->scope = c->prefix;
    n->index = -1;
    return (int)g->n++;
}

static void node_clause(Checker *c, Node *n, Decl *d)
{
    if (n->nclauses == n->cap) {
        size_t cap = n->cap ? 2 * n->cap : 4;
        Decl **cl = tc_alloc(c, cap * sizeof *cl);
        if (n->nclauses)
            mem_copy(cl, n->clauses, n->nclauses * sizeof *cl);
        n->clauses = cl;
        n->cap = cap;
    }
    n->clauses[n->nclauses++] = d;
}

void tc_duplicate(Checker *c, const char *name, SrcPos at, SrcPos first,
                  const char *why)
{
    char where[300] = "";
    if (first.file && at.file && strcmp(first.file, at.file))
        snprintf(where, sizeof where, "%s:", first.file);
    tc_error(c, at, "'%s' is already defined (at %s%d:%d)%s", name, where,
             first.line, first.col, why);
}

Global *tc_declare(Checker *c, const char *name, GlobalKind kind, int node,
                   SrcPos at)
{
    const char *q = tc_qualify(c, name);
    Global *old = tc_global_exact(c, q);
    if (old && old->kind != G_BUILTIN) {
        tc_duplicate(c, name, at, old->pos, "");
        return NULL;
    }
    const Decl *module = tc_module_named(c, q);
    if (module) { /* M and M::x would be ambiguous */
        tc_duplicate(c, name, at, module->pos, "");
        return NULL;
    }
    return tc_global_add(c, q, kind, node, at);
}

static void pattern_names(Checker *c, Graph *g, int node, Expr *p)
{
    if (p->kind == E_NAME) {
        Global *old = tc_global(c, p->name);
        if (old && (old->kind == G_CTOR || old->kind == G_CHANNEL))
            return;
        Global *v = tc_declare(c, p->name, G_DEF, node, p->pos);
        if (v)
            v->type = tc_fresh(c);
        return;
    }
    (void)g;
    for (size_t i = 0; i < p->nkids; i++)
        pattern_names(c, g, node, p->kids[i]);
}

static void declare_def(Checker *c, Graph *g, Decl *d)
{
    Global *old = tc_global_exact(c, tc_qualify(c, d->name));
    if (old && old->kind == G_DEF && old->node >= 0 &&
        g->nodes[old->node].def == old) {
        Node *n = &g->nodes[old->node];
        Decl *first = n->clauses[0];
        const Decl *prev = c->prev_decl;
        int together = prev && prev->kind == D_DEF && prev->name &&
                       !strcmp(prev->name, d->name) &&
                       !strcmp(prev->pos.file, d->pos.file);
        if (first->ngroups && first->ngroups == d->ngroups && together) {
            node_clause(c, n, d); /* another clause of the function */
            return;
        }
        if (first->ngroups && first->ngroups == d->ngroups) {
            tc_duplicate(c, d->name, d->pos, first->pos, ": the clauses "
                         "of a function are written together, in one file");
            return;
        }
    }
    Global *def = tc_declare(c, d->name, G_DEF, (int)g->n, d->pos);
    if (!def)
        return;
    def->clause = d->ngroups ? d : NULL;
    int k = tc_node_new(c, g, d);
    g->nodes[k].def = def;
    node_clause(c, &g->nodes[k], d);
}

/* Types and channels of one declaration list. */
static void declare_types(Checker *c, Graph *g, Decl *d)
{
    if (d->kind == D_DATATYPE) {
        int k = tc_node_new(c, g, d);
        Global *t = tc_declare(c, d->name, G_TYPE, k, d->pos);
        TypeData *data = tc_alloc(c, sizeof *data);
        data->name = t ? t->name : d->name;
        if (t)
            t->data = data;
        if (t)
            t->type = tc_set_of(c, tc_check(c, types_data(&c->ts, data)));
        for (size_t j = 0; j < d->nctors; j++) {
            Global *ct = tc_declare(c, d->ctors[j].name, G_CTOR, k,
                                    d->ctors[j].pos);
            if (ct) /* known once the declaration is checked */
                ct->type = tc_fresh(c);
        }
    } else if (d->kind == D_CHANNEL) {
        int k = tc_node_new(c, g, d);
        Type *t = tc_fresh(c);
        for (size_t j = 0; j < d->nnames; j++) {
            Global *ch = tc_declare(c, d->names[j], G_CHANNEL, k, d->pos);
            if (ch)
                ch->type = t;
        }
    } else if ((d->kind == D_SUBTYPE || d->kind == D_NAMETYPE) && d->name) {
        int k = tc_node_new(c, g, d);
        Global *t = tc_declare(c, d->name, G_TYPE, k, d->pos);
        if (t)
            t->type = tc_fresh(c);
    }
}

/* transparent f, external g: names of FDR's library; inside module M
 * they are M::f too (FDR: instance N = M(...) gives N::f). */
static void declare_library(Checker *c, Decl *d)
{
    for (size_t i = 0; i < d->nnames; i++) {
        Global *b = tc_global_exact(c, d->names[i]);
        if (!b || b->kind != G_BUILTIN) {
            tc_error(c, d->pos, "'%s' is not a function of FDR's library "
                     "(transparent and external name them)", d->names[i]);
            continue;
        }
        if (*c->prefix && !tc_global_exact(c, tc_qualify(c, d->names[i])))
            tc_global_add(c, tc_qualify(c, d->names[i]), G_BUILTIN, -1,
                          d->pos)->type = b->type;
    }
}

static void declare_defs(Checker *c, Graph *g, Decl *d)
{
    if (d->kind == D_DEF && d->name)
        declare_def(c, g, d);
    else if (d->kind == D_DEF && d->lhs)
        pattern_names(c, g, tc_node_new(c, g, d), d->lhs);
    else if (d->kind == D_LIBRARY)
        declare_library(c, d);
}

/* An annotation of a name already annotated, or of no name of its list
 * (FDR rejects both); `first` is the earlier annotation, or NULL. */
static int annot_misplaced(Checker *c, Decl *d, const char *name, int found,
                           const Decl *first)
{
    if (first && first != d)
        tc_error(c, d->pos, "'%s' is already annotated (at %d:%d)", name,
                 first->pos.line, first->pos.col);
    else if (!found)
        tc_error(c, d->pos, "an annotation of '%s', which is not defined "
                 "here", name);
    return !found || (first && first != d);
}

/* f :: T annotates the f of its own declaration list. */
static void declare_annots(Checker *c, Graph *g, Decl *d)
{
    (void)g;
    for (size_t j = 0; d->kind == D_ANNOT && j < d->nnames; j++) {
        Global *def = tc_global_exact(c, tc_qualify(c, d->names[j]));
        int found = def && def->kind != G_BUILTIN && def->kind != G_PARAM;
        if (!annot_misplaced(c, d, d->names[j], found, found ? def->annot
                                                             : NULL))
            def->annot = d;
    }
}

static void declare_instances(Checker *c, Graph *g, Decl *d)
{
    if (d->kind == D_INSTANCE)
        tc_declare_instance(c, g, d);
}

typedef void DeclarePass(Checker *c, Graph *g, Decl *d);

/* One pass over a declaration list and the modules in it, each module's
 * names qualified and the first nprivate of its declarations private. */
static void declare_pass(Checker *c, Graph *g, Decl **decls, size_t n,
                         size_t nprivate, DeclarePass *pass)
{
    const char *outer = c->private_to;
    for (size_t i = 0; i < n; i++) {
        c->private_to = i < nprivate ? c->prefix : outer;
        c->prev_decl = i ? decls[i - 1] : NULL;
        if (decls[i]->kind == D_MODULE && decls[i]->name) {
            TcScope saved = tc_module_enter(c, decls[i]);
            declare_pass(c, g, decls[i]->decls, decls[i]->ndecls,
                         decls[i]->nprivate, pass);
            tc_module_leave(c, saved);
        } else {
            pass(c, g, decls[i]);
        }
    }
    c->private_to = outer;
}

/* Names first (constructors and channels before pattern bindings, which
 * need to know them; every module's before the instances that copy
 * them), so that every use finds its declaration. */
static void declare_all(Checker *c, Graph *g, const Module *m)
{
    declare_pass(c, g, m->decls, m->ndecls, 0, declare_types);
    declare_pass(c, g, m->decls, m->ndecls, 0, declare_defs);
    declare_pass(c, g, m->decls, m->ndecls, 0, declare_annots);
    declare_pass(c, g, m->decls, m->ndecls, 0, declare_instances);
}

/* ---------- dependencies ---------- */

/* The names a node binds locally (parameters, generators, inputs, let
 * definitions): a use of such a name is not an edge to a global of the
 * same name, which would join them in one group and cost polymorphism.
 * Where a name is both, the edge is missed and the global is not yet
 * typed at the use: the use gets the unknown type, never a false error. */
typedef struct Binders {
    const char **names;
    size_t n, cap;
} Binders;

static void binder_add(Checker *c, Binders *b, const char *name)
{
    Global *g = tc_global(c, name);
    if (g && (g->kind == G_CTOR || g->kind == G_CHANNEL))
        return; /* a constant of the pattern */
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 16;
        const char **names = tc_alloc(c, cap * sizeof *names);
        if (b->n)
            mem_copy(names, b->names, b->n * sizeof *names);
        b->names = names;
        b->cap = cap;
    }
    b->names[b->n++] = name;
}

static void pattern_binders(Checker *c, Binders *b, Expr *p)
{
    if (!p)
        return;
    if (p->kind == E_NAME)
        binder_add(c, b, p->name);
    for (size_t i = 0; i < p->nkids; i++)
        pattern_binders(c, b, p->kids[i]);
}

static void decl_binders(Checker *c, Binders *b, Decl *d, int local);

static void expr_binders(Checker *c, Binders *b, Expr *e)
{
    if (!e)
        return;
    tc_stack_guard(c, e->pos);
    if (e->kind == E_LAMBDA)
        for (size_t i = 0; i + 1 < e->nkids; i++)
            pattern_binders(c, b, e->kids[i]);
    for (size_t i = 0; i < e->nkids; i++)
        expr_binders(c, b, e->kids[i]);
    for (size_t i = 0; i < e->nstmts; i++) {
        pattern_binders(c, b, e->stmts[i].pattern);
        expr_binders(c, b, e->stmts[i].expr);
    }
    for (size_t i = 0; i < e->nfields; i++)
        if (e->fields[i].kind == FIELD_IN || e->fields[i].kind == FIELD_NDIN)
            pattern_binders(c, b, e->fields[i].expr);
    for (size_t i = 0; i < e->ndecls; i++)
        decl_binders(c, b, e->decls[i], 1);
}

static void decl_binders(Checker *c, Binders *b, Decl *d, int local)
{
    if (local && d->name)
        binder_add(c, b, d->name);
    if (local)
        pattern_binders(c, b, d->lhs);
    for (size_t i = 0; i < d->ngroups; i++)
        for (size_t j = 0; j < d->nparams[i]; j++)
            pattern_binders(c, b, d->params[i][j]);
    expr_binders(c, b, d->body);
}

void tc_edge_node(Checker *c, Graph *g, int from, int to)
{
    Node *n = &g->nodes[from];
    for (size_t i = 0; i < n->nedges; i++)
        if (n->edges[i] == to)
            return;
    if (n->nedges == n->edges_cap) {
        size_t cap = n->edges_cap ? 2 * n->edges_cap : 8;
        int *e = tc_alloc(c, cap * sizeof *e);
        if (n->nedges)
            mem_copy(e, n->edges, n->nedges * sizeof *e);
        n->edges = e;
        n->edges_cap = cap;
    }
    n->edges[n->nedges++] = to;
}

static void edge(Checker *c, Graph *g, int from, const char *name,
                 const Binders *b)
{
    for (size_t i = 0; i < b->n; i++)
        if (!strcmp(b->names[i], name))
            return;
    Global *t = tc_global(c, name);
    if (t && t->node >= 0)
        tc_edge_node(c, g, from, t->node);
}

static void decl_edges(Checker *c, Graph *g, int from, Decl *d,
                       const Binders *b);

/* Every global name an expression mentions. */
static void expr_edges(Checker *c, Graph *g, int from, Expr *e,
                       const Binders *b)
{
    if (!e)
        return;
    if (e->kind == E_NAME)
        edge(c, g, from, e->name, b);
    for (size_t i = 0; i < e->nkids; i++)
        expr_edges(c, g, from, e->kids[i], b);
    for (size_t i = 0; i < e->nstmts; i++) {
        expr_edges(c, g, from, e->stmts[i].pattern, b);
        expr_edges(c, g, from, e->stmts[i].expr, b);
    }
    for (size_t i = 0; i < e->nfields; i++) {
        expr_edges(c, g, from, e->fields[i].expr, b);
        expr_edges(c, g, from, e->fields[i].restrict_to, b);
    }
    for (size_t i = 0; i < e->npairs; i++) {
        expr_edges(c, g, from, e->pairs[i].from, b);
        expr_edges(c, g, from, e->pairs[i].to, b);
    }
    for (size_t i = 0; i < e->ndecls; i++)
        decl_edges(c, g, from, e->decls[i], b);
}

static void decl_edges(Checker *c, Graph *g, int from, Decl *d,
                       const Binders *b)
{
    for (size_t i = 0; i < d->ngroups; i++)
        for (size_t j = 0; j < d->nparams[i]; j++)
            expr_edges(c, g, from, d->params[i][j], b);
    expr_edges(c, g, from, d->lhs, b);
    expr_edges(c, g, from, d->body, b);
    expr_edges(c, g, from, d->type, b);
    for (size_t i = 0; i < d->nctors; i++) {
        expr_edges(c, g, from, d->ctors[i].fields, b);
        if (d->kind == D_SUBTYPE)
            edge(c, g, from, d->ctors[i].name, b);
    }
}

static void node_edges(Checker *c, Graph *g, int k)
{
    Node *n = &g->nodes[k];
    Binders b = {0};
    c->prefix = n->scope; /* names are looked up where it is declared */
    if (n->instance)
        tc_instance_edges(c, g, k);
    if (n->def)
        for (size_t i = 0; i < n->nclauses; i++)
            decl_binders(c, &b, n->clauses[i], 0);
    else
        decl_binders(c, &b, n->decl, 0);
    if (n->def)
        for (size_t i = 0; i < n->nclauses; i++)
            decl_edges(c, g, k, n->clauses[i], &b);
    else
        decl_edges(c, g, k, n->decl, &b);
}

/* ---------- checking one group ---------- */

typedef struct BodyType {
    Decl *decl;
    Type *type;
    struct BodyType *next;
} BodyType;

static void note_body(Checker *c, Decl *d, Type *t)
{
    BodyType *b = tc_alloc(c, sizeof *b);
    *b = (BodyType){d, t, c->bodies};
    c->bodies = b;
}

/* Once every type is known: which definitions are processes (a clause
 * checked more than once, in module instances, must be one every time). */
static void mark_processes(Checker *c)
{
    for (BodyType *b = c->bodies; b; b = b->next) {
        int proc = types_resolve(b->type)->kind == T_PROC;
        if (b->decl->yields_process != -1)
            b->decl->yields_process = proc ? 1 : -1;
    }
}

/* (p1, p2)(q) = body: (t1, t2) -> (u) -> t. With an annotation (`want`),
 * the parameters take its types before the body is read, so that a
 * mistake is reported in the body, where it is. */
static Type *clause_type(Checker *c, Decl *d, Type *want, const char *why)
{
    Type **groups[16];
    size_t ng = d->ngroups < 16 ? d->ngroups : 16;
    Type *w = want ? types_resolve(want) : NULL;
    const Local *mark = c->scope;
    for (size_t i = 0; i < ng; i++) {
        size_t n = d->nparams[i] < 63 ? d->nparams[i] : 63;
        groups[i] = tc_alloc(c, (n + 1) * sizeof *groups[i]);
        for (size_t j = 0; j < n; j++)
            groups[i][j] = tc_pattern(c, d->params[i][j]);
        tc_distinct_binders(c, mark, "the parameters of one clause");
        if (!w || w->kind != T_FUN || w->nargs != n + 1) {
            w = NULL;
            continue;
        }
        for (size_t j = 0; j < n; j++) {
            tc_expect(c, d->params[i][j], groups[i][j], w->args[j], why);
            tc_dot_split(c, d->params[i][j], w->args[j], NULL);
        }
        w = types_resolve(w->args[n]);
    }
    Type *t = tc_expr(c, d->body);
    if (w && !tc_expect(c, d->body, t, w, why))
        t = w;
    note_body(c, d, t);
    for (size_t i = ng; i-- > 0;) {
        size_t n = d->nparams[i] < 63 ? d->nparams[i] : 63;
        groups[i][n] = t;
        t = tc_check(c, types_make(&c->ts, T_FUN, groups[i], n + 1));
    }
    return t;
}

/* The clauses of one definition against its type: the annotation's (with
 * rigid variables) or the variable its group gave it. */
static void check_clauses(Checker *c, const char *name, Decl **clauses,
                          size_t n, Type *self, Decl *annot)
{
    TypeVarScope *saved_tvars = c->tvars;
    Type *want = self;
    char why[200];
    if (annot) {
        want = annotation(c, annot, 1);
        snprintf(why, sizeof why, "the annotation of %s at %d:%d", name,
                 annot->pos.line, annot->pos.col);
    } else {
        snprintf(why, sizeof why, "the other clauses of %s", name);
    }
    for (size_t i = 0; i < n; i++) {
        Local *saved = c->scope;
        int errors = c->errors;
        Type *t = clause_type(c, clauses[i], annot ? want : NULL, why);
        Expr at = {.kind = E_NAME, .pos = clauses[i]->pos, .name = name};
        if (c->errors == errors) /* a wrong clause is reported once */
            tc_expect(c, &at, t, want, why);
        c->scope = saved;
    }
    c->tvars = saved_tvars;
}

/* The fields of a dotted type A.B.C: each part a set (or a tuple of
 * sets); a part whose values are dotted (a nametype N = A.B) gives a
 * field for each of its components, as in FDR. Returns the number. */
static size_t field_types(Checker *c, Expr *type, Type **out, size_t max,
                          int channel)
{
    size_t n = 0;
    while (type && n < max) {
        Expr *part = type->kind == E_DOT && type->nkids == 2 ? type->kids[0]
                                                             : type;
        Type *f = types_resolve(tc_field_type(c, part));
        if (channel)
            tc_require(c, part, f, TC_EQ | TC_COMPLETE,
                       "a field of a channel (events are compared)");
        else /* Y.{B} with B missing its field: no value of Y exists */
            tc_require(c, part, f, TC_COMPLETE, "a field of a constructor");
        if (f->kind == T_DOT)
            for (size_t i = 0; i < f->nargs && n < max; i++)
                out[n++] = f->args[i];
        else
            out[n++] = f;
        type = part == type ? NULL : type->kids[1];
    }
    return n;
}

/* F1=>F2=>...=>result, unified with the name's type. */
static void set_fields(Checker *c, Expr *type, Global *g, Type *result,
                       int channel)
{
    Type *fields[64];
    size_t n = field_types(c, type, fields, 64, channel);
    Type *t = result;
    while (n-- > 0)
        t = tc_check(c, types_make2(&c->ts, T_DOTABLE, fields[n], t));
    Expr at = {.kind = E_NAME, .pos = g->pos, .name = g->name};
    tc_expect(c, &at, t, g->type, "its declaration");
}

static void check_datatype(Checker *c, Decl *d)
{
    Global *g = tc_global(c, d->name);
    TypeData *data = g ? g->data : NULL;
    if (!data)
        return;
    size_t total = 0;
    Type *all[256];
    for (size_t i = 0; i < d->nctors; i++) {
        Global *ct = tc_global(c, d->ctors[i].name);
        if (!ct || ct->kind != G_CTOR)
            continue;
        set_fields(c, d->ctors[i].fields, ct,
                   tc_check(c, types_data(&c->ts, data)), 0);
        for (Type *t = types_resolve(ct->type); t->kind == T_DOTABLE;
             t = types_resolve(t->args[1]))
            if (total < 256)
                all[total++] = t->args[0];
    }
    if (data) {
        data->fields = tc_alloc(c, (total + 1) * sizeof *data->fields);
        mem_copy(data->fields, all, total * sizeof *all);
        data->nfields = total;
    }
}

/* subtype S = C1 | C2.F: constructors of one datatype, fields within. */
static void check_subtype(Checker *c, Decl *d)
{
    const char *parent = NULL;
    for (size_t i = 0; i < d->nctors; i++) {
        Global *ct = tc_global(c, d->ctors[i].name);
        if (!ct || ct->kind != G_CTOR) {
            tc_error(c, d->ctors[i].pos, "'%s' is not a constructor of a "
                     "datatype (in the subtype %s)", d->ctors[i].name,
                     d->name);
            return;
        }
        Type *t = ct->type;
        const char *data = types_resolve(t)->kind == T_DATA ? t->name : NULL;
        Type *f = types_resolve(t);
        while (f->kind == T_DOTABLE)
            f = types_resolve(f->args[1]);
        data = f->name;
        if (parent && data && strcmp(parent, data)) {
            tc_error(c, d->ctors[i].pos, "the subtype %s mixes constructors "
                     "of %s and of %s ('%s')", d->name, parent, data,
                     d->ctors[i].name);
            return;
        }
        parent = data;
        Expr *fields = d->ctors[i].fields;
        Type *want = types_resolve(t);
        while (fields && want->kind == T_DOTABLE) {
            Expr *part = fields->kind == E_DOT ? fields->kids[0] : fields;
            tc_expect(c, part, tc_field_type(c, part), want->args[0],
                      "a field of the constructor");
            want = types_resolve(want->args[1]);
            fields = fields->kind == E_DOT ? fields->kids[1] : NULL;
        }
        if (!parent)
            continue;
        Global *pg = tc_global(c, parent);
        Global *sg = tc_global(c, d->name);
        if (pg && sg && pg->data)
            tc_expect(c, fields ? fields : &(Expr){.kind = E_NAME,
                      .pos = d->pos, .name = d->name},
                      sg->type, tc_set_of(c, tc_check(c, types_data(&c->ts,
                      pg->data))), "the values of a subtype");
    }
}

static void check_nametype(Checker *c, Decl *d)
{
    Global *g = tc_global(c, d->name);
    if (!g || g->kind != G_TYPE || !d->type)
        return;
    Type *parts[64];
    size_t n = 0;
    Expr *e = d->type;
    while (e->kind == E_DOT && e->nkids == 2 && n < 63) {
        parts[n++] = tc_field_type(c, e->kids[0]);
        tc_require(c, e->kids[0], parts[n - 1], TC_COMPLETE,
                   "the values of a nametype");
        e = e->kids[1];
    }
    parts[n++] = tc_field_type(c, e);
    tc_require(c, e, parts[n - 1], TC_COMPLETE, "the values of a nametype");
    Type *t = tc_set_of(c, tc_check(c, types_dot(&c->ts, parts, n)));
    tc_expect(c, d->type, t, g->type, "a nametype");
}

static void check_node(Checker *c, Node *n)
{
    Decl *d = n->decl;
    c->prefix = n->scope;
    if (n->def) {
        check_clauses(c, n->def->name, n->clauses, n->nclauses,
                      n->def->type, n->def->annot);
        return;
    }
    switch (d->kind) {
    case D_CHANNEL:
        if (d->nnames) {
            Global *ch = tc_global(c, d->names[0]);
            if (ch && ch->kind == G_CHANNEL)
                set_fields(c, d->type, ch, c->t_event, 1);
        }
        break;
    case D_DATATYPE: check_datatype(c, d); break;
    case D_SUBTYPE: check_subtype(c, d); break;
    case D_NAMETYPE: check_nametype(c, d); break;
    case D_INSTANCE: tc_check_instance(c, n); break;
    case D_DEF: /* (a, b) = e: the pattern's variables are globals */
        if (!d->lhs)
            break;
        {
        Local *saved = c->scope;
        Type *p = tc_pattern(c, d->lhs);
        for (Local *l = c->scope; l != saved; l = l->next) {
            Global *g = tc_global(c, l->name);
            if (g && g->kind == G_DEF)
                tc_expect(c, d->lhs, l->type, g->type, "a pattern binding");
        }
        c->scope = saved;
        tc_expect(c, d->body, tc_expr(c, d->body), p, "a pattern binding");
        break;
    }
    default: break;
    }
}

/* A group of mutually recursive bindings: each name monomorphic inside
 * the group (or as annotated), generalised after it. */
/* An instance in a group of mutually dependent names that are all the
 * module's own: the module uses its instance (module M ... y = M1::y ...
 * instance M1 = M), which FDR rejects as a recursive instance. */
static int recursive_instance(Checker *c, Graph *g, int *members, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        Node *node = &g->nodes[members[i]];
        if (node->decl->kind != D_INSTANCE || !node->instance ||
            !node->instance->of)
            continue;
        const char *module = node->instance->of->prefix;
        int self = n > 1;
        for (size_t e = 0; e < node->nedges && !self; e++)
            self = node->edges[e] == members[i];
        for (size_t k = 0; k < n && self; k++)
            self = k == i || (g->nodes[members[k]].scope &&
                              !strncmp(g->nodes[members[k]].scope, module,
                                       strlen(module)));
        if (!self)
            continue;
        tc_error(c, node->decl->pos, "instance %s is used inside module %s "
                 "itself, which it instantiates (a recursive instance)",
                 node->decl->name, node->instance->of->decl->name);
        return 1;
    }
    return 0;
}

static void check_group(Checker *c, Graph *g, int *members, size_t n)
{
    if (recursive_instance(c, g, members, n))
        return;
    c->ts.level++;
    for (size_t i = 0; i < n; i++) {
        Global *def = g->nodes[members[i]].def;
        if (def)
            def->type = def->annot ? annotation(c, def->annot, 0)
                                   : tc_fresh(c);
    }
    for (size_t i = 0; i < n; i++)
        check_node(c, &g->nodes[members[i]]);
    c->ts.level--;
    for (size_t i = 0; i < n; i++) {
        Node *node = &g->nodes[members[i]];
        if (node->def && !node->def->annot)
            types_generalise(&c->ts, node->def->type);
        if ((node->decl->kind == D_DEF && node->decl->lhs) ||
            node->decl->kind == D_INSTANCE)
            for (size_t t = 0; t < c->table_size; t++)
                for (Global *v = c->table[t]; v; v = v->next)
                    if (v->node == members[i] && v->type)
                        types_generalise(&c->ts, v->type);
    }
}

/* Tarjan: groups come out dependencies first. */
static void strongconnect(Checker *c, Graph *g, int v)
{
    Node *n = &g->nodes[v];
    n->index = n->low = g->counter++;
    g->stack[g->sp++] = v;
    n->on_stack = 1;
    for (size_t i = 0; i < n->nedges; i++) {
        int w = n->edges[i];
        Node *m = &g->nodes[w];
        if (m->index < 0) {
            strongconnect(c, g, w);
            if (m->low < n->low)
                n->low = m->low;
        } else if (m->on_stack && m->index < n->low) {
            n->low = m->index;
        }
    }
    if (n->low != n->index)
        return;
    size_t start = g->sp;
    do
        g->nodes[g->stack[--start]].on_stack = 0;
    while (g->stack[start] != v);
    check_group(c, g, g->stack + start, g->sp - start);
    g->sp = start;
}

/* ---------- let ---------- */

/* Timed (et) { ... }: et : Event -> Int, and tock an event. */
static void check_timed(Checker *c, Decl *d)
{
    Type *et[2] = {c->t_event, c->t_int};
    if (d->body)
        tc_expect(c, d->body, tc_expr(c, d->body),
                  tc_check(c, types_make(&c->ts, T_FUN, et, 2)),
                  "the event-time function of a Timed section");
    Global *tock = tc_global(c, "tock");
    if (!tock || tock->kind != G_CHANNEL || !tock->type ||
        types_resolve(tock->type)->kind != T_EVENT)
        tc_error(c, d->pos, "a Timed section needs tock to be an event: a "
                 "channel without fields (tock is declared at %d:%d)",
                 tock ? tock->pos.line : 0, tock ? tock->pos.col : 0);
}


/* let: the definitions see each other; like FDR, a local definition is
 * polymorphic only when annotated. */
void tc_let(Checker *c, Decl **decls, size_t n)
{
    Local *outer = c->scope;
    for (size_t i = 0; i < n; i++) {
        Decl *d = decls[i];
        if (d->kind != D_DEF || !d->name)
            continue;
        Local *l = c->scope;
        while (l != outer && strcmp(l->name, d->name))
            l = l->next;
        if (l != outer) { /* another clause, or a second definition */
            const Decl *prev = decls[i - 1];
            if (!d->ngroups || d->ngroups != l->def->ngroups ||
                prev->kind != D_DEF || !prev->name ||
                strcmp(prev->name, d->name))
                tc_error(c, d->pos, "'%s' is already defined in this let "
                         "(at %d:%d)", d->name, l->def->pos.line,
                         l->def->pos.col);
            continue;
        }
        Local *def = tc_alloc(c, sizeof *def);
        def->name = d->name;
        def->def = d;
        def->type = tc_fresh(c);
        def->next = c->scope;
        c->scope = def;
    }
    Local *defs = c->scope;
    for (size_t i = 0; i < n; i++) {
        Decl *d = decls[i];
        if (d->kind == D_TIMED)
            check_timed(c, d);
        for (size_t j = 0; d->kind == D_ANNOT && j < d->nnames; j++) {
            Local *l = defs;
            while (l != outer && strcmp(l->name, d->names[j]))
                l = l->next;
            if (annot_misplaced(c, d, d->names[j], l != outer,
                                l != outer ? l->annot : NULL))
                continue;
            l->annot = d;
            l->type = annotation(c, d, 0);
        }
    }
    Type *pats[64];
    size_t npats = 0;
    for (size_t i = 0; i < n; i++)
        if (decls[i]->kind == D_DEF && !decls[i]->name && npats < 64)
            pats[npats++] = tc_pattern(c, decls[i]->lhs);
    npats = 0;
    for (size_t i = 0; i < n; i++) {
        Decl *d = decls[i];
        if (d->kind != D_DEF)
            continue;
        if (!d->name) {
            if (npats < 64) {
                Type *t = tc_expr(c, d->body);
                tc_expect(c, d->body, t, pats[npats++], "a pattern binding");
                tc_dot_split(c, d->lhs, t, NULL);
            }
            continue;
        }
        Local *l = defs;
        while (l != outer && strcmp(l->name, d->name))
            l = l->next;
        if (l == outer || l->def != d)
            continue; /* a later clause: checked with the first */
        Decl *clauses[256];
        size_t nc = 0;
        for (size_t k = i; k < n && nc < 256; k++)
            if (decls[k]->kind == D_DEF && decls[k]->name &&
                !strcmp(decls[k]->name, d->name))
                clauses[nc++] = decls[k];
        check_clauses(c, d->name, clauses, nc, l->type, l->annot);
    }
}

/* ---------- the module ---------- */

/* channel c : X or datatype D = d.X with X = {}: what the fields hold is
 * never known (FDR: ambiguous). */
static void fields_ambiguous(Checker *c, Global *g, SrcPos at)
{
    for (Type *t = types_resolve(g->type); t->kind == T_DOTABLE;
         t = types_resolve(t->args[1]))
        if (types_resolve(t->args[0])->kind == T_VAR &&
            !types_resolve(t->args[0])->rigid) {
            tc_error(c, at, "the type of the fields of %s %s is ambiguous "
                     "(a set whose elements have no known type)",
                     g->kind == G_CHANNEL ? "channel" : "constructor",
                     g->name);
            return;
        }
}

/* :[symmetric]: T names a datatype (FDR). */
static void symmetric_in(Checker *c, Expr *e)
{
    Global *g = e->kind == E_NAME ? tc_global(c, e->name) : NULL;
    if (!g || g->kind != G_TYPE || !g->data)
        tc_error(c, e->pos, "':[symmetric]' takes datatype names: '%s' is "
                 "not a datatype", tc_expr_text(c, e));
}

/* An annotation of a channel, a constructor or a type name (a set of its
 * values) states its type, and is checked against the declaration (FDR). */
static void check_annotated(Checker *c, Decl *d)
{
    for (size_t i = 0; i < d->nnames; i++) {
        Global *g = tc_global_exact(c, tc_qualify(c, d->names[i]));
        if (!g || (g->kind != G_CHANNEL && g->kind != G_CTOR &&
                   g->kind != G_TYPE))
            continue;
        if (g->kind == G_TYPE && !g->type)
            continue;
        Type *want = types_instantiate(&c->ts, annotation(c, d, 0));
        Expr at = {.kind = E_NAME, .pos = g->pos, .name = d->names[i]};
        char why[200];
        snprintf(why, sizeof why, "the annotation of %s at %d:%d",
                 d->names[i], d->pos.line, d->pos.col);
        tc_expect(c, &at, g->type, tc_check(c, want), why);
    }
}

static void check_decls_after(Checker *c, Decl **decls, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        Decl *d = decls[i];
        if (d->kind == D_MODULE && d->name) {
            TcScope saved = tc_module_enter(c, d);
            check_decls_after(c, d->decls, d->ndecls);
            tc_module_leave(c, saved);
        } else if (d->kind == D_ASSERT) {
            if (d->impl)
                tc_expect(c, d->impl, tc_expr(c, d->impl), c->t_proc,
                          "the process of an assertion");
            if (d->spec)
                tc_expect(c, d->spec, tc_expr(c, d->spec), c->t_proc,
                          "the specification of an assertion");
            for (size_t k = 0; k < d->nsymmetric; k++)
                symmetric_in(c, d->symmetric[k]);
            if (d->trace)
                tc_expect(c, d->trace, tc_expr(c, d->trace),
                          tc_seq_of(c, c->t_event), "a trace");
            if (d->priority)
                tc_expect(c, d->priority, tc_expr(c, d->priority),
                          tc_set_of(c, c->t_event),
                          "the events tau has priority over");
        } else if (d->kind == D_PRINT && d->body) {
            tc_expr(c, d->body);
        } else if (d->kind == D_TIMED) {
            check_timed(c, d);
        } else if (d->kind == D_ANNOT) {
            check_annotated(c, d);
        } else if (d->kind == D_CHANNEL && d->type && d->nnames &&
                   !c->param_module) { /* parameters: in each instance */
            Global *ch = tc_global(c, d->names[0]);
            if (ch && ch->kind == G_CHANNEL)
                fields_ambiguous(c, ch, d->type->pos);
        } else if (d->kind == D_DATATYPE && !c->param_module) {
            for (size_t k = 0; k < d->nctors; k++) {
                Global *ct = tc_global(c, d->ctors[k].name);
                if (ct && ct->kind == G_CTOR && d->ctors[k].fields)
                    fields_ambiguous(c, ct, d->ctors[k].fields->pos);
            }
        } else if (d->kind == D_INSTANCE) {
            TcModule *m = c->modules;
            while (m && m->decl != d)
                m = m->next;
            /* its own names: a nested module's wait for its instances */
            for (size_t k = 0; m && k < m->nmembers; k++)
                if (m->members[k] && (m->members[k]->kind == G_CHANNEL ||
                                      m->members[k]->kind == G_CTOR) &&
                    !strstr(m->members[k]->name + strlen(m->prefix), "::"))
                    fields_ambiguous(c, m->members[k], d->pos);
        }
    }
}

int typecheck_module(const Module *m, Diags *diags)
{
    jmp_buf oom;
    Checker c = {.diags = diags, .out_of_memory = &oom, .prefix = ""};
    c.arena = arena_new();
    if (!c.arena)
        return -1;
    c.ts.arena = c.arena;
    if (setjmp(oom)) {
        arena_free(c.arena);
        return c.too_deep ? c.errors : -1;
    }
    c.table_size = 1024;
    c.table = tc_alloc(&c, c.table_size * sizeof *c.table);
    c.t_int = tc_check(&c, types_basic(&c.ts, T_INT));
    c.t_bool = tc_check(&c, types_basic(&c.ts, T_BOOL));
    c.t_char = tc_check(&c, types_basic(&c.ts, T_CHAR));
    c.t_proc = tc_check(&c, types_basic(&c.ts, T_PROC));
    c.t_event = tc_check(&c, types_basic(&c.ts, T_EVENT));
    c.t_dyn = tc_check(&c, types_basic(&c.ts, T_DYN));
    add_builtins(&c);
    Graph g = {0};
    declare_all(&c, &g, m);
    for (size_t i = 0; i < g.n; i++)
        node_edges(&c, &g, (int)i);
    g.stack = tc_alloc(&c, (g.n + 1) * sizeof *g.stack);
    for (size_t i = 0; i < g.n; i++)
        if (g.nodes[i].index < 0)
            strongconnect(&c, &g, (int)i);
    c.prefix = "";
    check_decls_after(&c, m->decls, m->ndecls);
    int errors = c.errors;
    if (!errors)
        mark_processes(&c);
    arena_free(c.arena);
    return errors;
}
