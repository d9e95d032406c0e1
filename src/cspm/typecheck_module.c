/* typecheck_module: modules and instances for the type checker.
 *
 * As in the evaluator (eval_bind.c), a name x declared in module M is the
 * global "M::x", so that a module's declarations join the one dependency
 * graph of the file and are inferred and generalised like top-level ones.
 * Inside M a name is looked up as M::x first, then outwards; a private
 * name is visible only inside its module.
 *
 * module M(X): the parameter X is a global of M whose type variable is
 * made at the top level, so that generalising M's definitions leaves it
 * alone: its uses in M constrain it. instance N = M(a): N's node depends
 * on every node of M; when it is checked, the parameters' remaining
 * variables and the generic variables of M's names are instantiated
 * together (one substitution), the arguments are checked against the
 * parameters, and N::x takes the instance of M::x. Two instances are
 * independent: each has its own copy of the parameters' types.
 *
 * What it does not do: a datatype declared in a module with parameters
 * is one datatype for all its instances (the evaluator makes one per
 * instance), so mixing two instances' values is not reported here.
 */
#include "typecheck_impl.h"

#include <stdio.h>
#include <ctype.h>
#include <string.h>

static char *concat(Checker *c, const char *a, size_t alen, const char *b,
                    const char *suffix)
{
    size_t len = alen + strlen(b) + strlen(suffix) + 1;
    char *s = tc_alloc(c, len);
    snprintf(s, len, "%.*s%s%s", (int)alen, a, b, suffix);
    return s;
}

const char *tc_qualify(Checker *c, const char *name)
{
    if (!c->prefix || !*c->prefix)
        return name;
    return concat(c, c->prefix, strlen(c->prefix), name, "");
}

static int inside(const char *prefix, const char *module)
{
    return !strncmp(prefix, module, strlen(module));
}

static int visible(Checker *c, const Global *g)
{
    if (g->private_to && !inside(c->prefix, g->private_to))
        return 0;
    return !g->param_module || inside(c->prefix, g->param_module);
}

/* The length of the prefix enclosing the first `len` characters of
 * "A::B::" (6 -> 3 -> 0). */
static size_t outer_len(const char *prefix, size_t len)
{
    len -= 2;
    while (len > 0 && !(len >= 2 && prefix[len - 1] == ':' &&
                        prefix[len - 2] == ':'))
        len--;
    return len;
}

/* The innermost p::name (p: c->prefix, then each enclosing prefix, then
 * none), visible or, with `any`, not. */
static Global *lookup(Checker *c, const char *name, int any)
{
    const char *p = c->prefix ? c->prefix : "";
    size_t len = strlen(p);
    char buf[256];
    for (;;) {
        const char *q = name;
        if (len) {
            if (len + strlen(name) < sizeof buf) {
                snprintf(buf, sizeof buf, "%.*s%s", (int)len, p, name);
                q = buf;
            } else {
                q = concat(c, p, len, name, "");
            }
        }
        Global *g = tc_global_exact(c, q);
        if (g && (any || visible(c, g)))
            return g;
        if (c->modules && tc_module_named(c, q))
            return NULL; /* a module here hides the names further out */
        if (!len)
            return NULL;
        len = outer_len(p, len);
    }
}

Global *tc_global(Checker *c, const char *name)
{
    return lookup(c, name, 0);
}

/* The module or instance `name` denotes where c->prefix is (a private
 * one only from inside what it is private to). */
static TcModule *find_module(Checker *c, const char *name, int instances)
{
    const char *p = c->prefix;
    size_t len = strlen(p);
    for (;;) {
        const char *q = concat(c, p, len, name, "::");
        for (TcModule *m = c->modules; m; m = m->next)
            if (!strcmp(m->prefix, q) &&
                (instances || m->decl->kind == D_MODULE) &&
                (!m->private_to || inside(c->prefix, m->private_to)))
                return m;
        if (!len)
            return NULL;
        len = outer_len(p, len);
    }
}

static TcModule *module_with_prefix(Checker *c, const char *prefix)
{
    for (TcModule *m = c->modules; m; m = m->next)
        if (!strcmp(m->prefix, prefix))
            return m;
    return NULL;
}

const Decl *tc_module_named(Checker *c, const char *qualified)
{
    size_t len = strlen(qualified);
    for (TcModule *m = c->modules; m; m = m->next)
        if (!strncmp(m->prefix, qualified, len) &&
            !strcmp(m->prefix + len, "::"))
            return m->decl;
    return NULL;
}

/* A new module or instance `d`, to be known as `prefix`: no other module,
 * instance or name may have its name (FDR). */
static void module_unique(Checker *c, Decl *d, const char *prefix)
{
    TcModule *other = module_with_prefix(c, prefix);
    Global *g = tc_global_exact(c, concat(c, prefix, strlen(prefix) - 2, "",
                                          ""));
    if (other)
        tc_duplicate(c, d->name, d->pos, other->decl->pos, "");
    else if (g && g->kind != G_BUILTIN)
        tc_duplicate(c, d->name, d->pos, g->pos, "");
}

TcScope tc_module_enter(Checker *c, Decl *d)
{
    TcScope saved = {c->prefix, c->private_to, c->param_module};
    const char *prefix = concat(c, c->prefix, strlen(c->prefix), d->name,
                                "::");
    TcModule *m = c->modules;
    while (m && !(m->decl == d && !strcmp(m->prefix, prefix)))
        m = m->next;
    c->prefix = prefix;
    if (d->nnames)
        c->param_module = prefix;
    if (m)
        return saved;
    module_unique(c, d, prefix);
    m = tc_alloc(c, sizeof *m);
    m->prefix = prefix;
    m->decl = d;
    m->private_to = saved.private_to;
    m->next = c->modules;
    c->modules = m;
    /* the parameters: private to M, typed at the top level (see above) */
    m->params = tc_alloc(c, (d->nnames + 1) * sizeof *m->params);
    c->private_to = prefix;
    int level = c->ts.level;
    c->ts.level = 0;
    for (size_t i = 0; i < d->nnames; i++) {
        Global *p = tc_declare(c, d->names[i], G_PARAM, -1, d->pos);
        if (p)
            p->type = tc_fresh(c);
        m->params[m->nparams++] = p;
    }
    c->ts.level = level;
    c->private_to = saved.private_to;
    return saved;
}

void tc_module_leave(Checker *c, TcScope saved)
{
    c->prefix = saved.prefix;
    c->private_to = saved.private_to;
    c->param_module = saved.param_module;
}

/* ---------- instances ---------- */

/* s, a module M's prefix or a name inside it, as in instance N. */
static const char *rename_prefix(Checker *c, const char *s, TcModule *m,
                                 TcModule *inst)
{
    size_t len = strlen(m->prefix);
    return concat(c, inst->prefix, strlen(inst->prefix), s + len, "");
}

static void copy_member(Checker *c, TcModule *inst, TcModule *m, Global *g,
                        int node, SrcPos at, size_t i)
{
    const char *name = rename_prefix(c, g->name, m, inst);
    Global *old = tc_global_exact(c, name);
    if (old) {
        tc_duplicate(c, name, at, old->pos, "");
        return;
    }
    Global *n = tc_global_add(c, name, g->kind, node, at);
    /* private to M (or inside it): to N; else as the instance is */
    if (g->private_to && inside(g->private_to, m->prefix))
        n->private_to = rename_prefix(c, g->private_to, m, inst);
    /* of a module with parameters inside M: of its copy in N */
    if (g->param_module && inside(g->param_module, m->prefix) &&
        strcmp(g->param_module, m->prefix))
        n->param_module = rename_prefix(c, g->param_module, m, inst);
    n->data = g->data;
    inst->members_of[i] = g;
    inst->members[i] = n;
}

/* The modules declared inside M, as modules of instance N too, so that
 * `instance X2 = N::O(0)` finds N::O (FDR): same declaration and
 * parameters, whose types are instantiated with the members' when X2 is
 * checked (instantiate_module). */
static void copy_nested_modules(Checker *c, TcModule *m, TcModule *inst)
{
    size_t len = strlen(m->prefix);
    /* copies go in front of the list: the walk does not meet them */
    for (TcModule *n = c->modules; n; n = n->next) {
        if (n == inst || n->decl->kind != D_MODULE ||
            strncmp(n->prefix, m->prefix, len) || !n->prefix[len])
            continue;
        TcModule *copy = tc_alloc(c, sizeof *copy);
        *copy = *n;
        copy->prefix = rename_prefix(c, n->prefix, m, inst);
        if (n->private_to && inside(n->private_to, m->prefix))
            copy->private_to = rename_prefix(c, n->private_to, m, inst);
        copy->next = c->modules;
        c->modules = copy;
    }
}

typedef struct TcUse {
    TcModule *module;
    struct TcUse *next;
} TcUse;

/* Does `from` instantiate `to`, directly or through the modules it
 * instantiates? (`depth` bounds the walk: the graph is small, acyclic so
 * far, but not a tree.) */
static int instantiates(TcModule *from, TcModule *to, int depth)
{
    if (from == to)
        return 1;
    for (TcUse *u = from->uses; u && depth > 0; u = u->next)
        if (instantiates(u->module, to, depth - 1))
            return 1;
    return 0;
}

/* An instance of m inside module(s) declared where we are: each of them
 * now instantiates m, which must not instantiate any of them back (FDR:
 * module M1 with instance of M2 inside, M2 with one of M1). */
static void note_use(Checker *c, Decl *d, TcModule *m)
{
    size_t here = strlen(c->prefix);
    for (TcModule *e = c->modules; e; e = e->next) {
        size_t len = strlen(e->prefix);
        if (e->decl->kind != D_MODULE || len > here ||
            strncmp(e->prefix, c->prefix, len))
            continue; /* not a module we are inside */
        if (instantiates(m, e, 64)) {
            tc_error(c, d->pos, "instance %s of module %s inside module "
                     "%s, which %s instantiates: a recursive instance",
                     d->name, m->decl->name, e->decl->name, m->decl->name);
            return;
        }
        TcUse *u = tc_alloc(c, sizeof *u);
        *u = (TcUse){m, e->uses};
        e->uses = u;
    }
}

/* A module with parameters that m is nested in, seen from outside it:
 * its parameters have no values there (FDR rejects M::N(0) for M(x)). */
static const TcModule *param_enclosing(Checker *c, const TcModule *m)
{
    for (const TcModule *e = c->modules; e; e = e->next)
        if (e != m && e->decl->kind == D_MODULE && e->decl->nnames &&
            inside(m->prefix, e->prefix) && !inside(c->prefix, e->prefix))
            return e;
    return NULL;
}

/* instance N = M(args): N::x for each x of M (nested modules too). */
void tc_declare_instance(Checker *c, Graph *g, Decl *d)
{
    if (!d->name || !d->body)
        return;
    Expr *e = d->body;
    Expr *callee = e->kind == E_CALL ? e->kids[0] : e;
    int k = tc_node_new(c, g, d);
    TcModule *inst = tc_alloc(c, sizeof *inst);
    inst->prefix = concat(c, c->prefix, strlen(c->prefix), d->name, "::");
    module_unique(c, d, inst->prefix);
    inst->decl = d;
    inst->next = c->modules;
    c->modules = inst;
    TcModule *m = callee->kind == E_NAME ? find_module(c, callee->name, 0)
                                         : NULL;
    if (!m) {
        tc_error(c, callee->pos, "'%s' is not a module",
                 tc_expr_text(c, callee));
        return;
    }
    const TcModule *outer = param_enclosing(c, m);
    if (outer) {
        tc_error(c, callee->pos, "module %s is inside module %s, which has "
                 "parameters: it is reached through an instance of %s",
                 tc_expr_text(c, callee), outer->decl->name,
                 outer->decl->name);
        return;
    }
    note_use(c, d, m);
    size_t nargs = e->kind == E_CALL ? e->nkids - 1 : 0;
    if (nargs != m->nparams) {
        tc_error(c, callee->pos, "module %s has %zu parameter%s, given %zu",
                 m->decl->name, m->nparams, m->nparams == 1 ? "" : "s",
                 nargs);
        return;
    }
    size_t len = strlen(m->prefix), n = 0;
    for (int pass = 0; pass < 2; pass++) { /* count, then copy */
        if (pass) {
            inst->members = tc_alloc(c, (n + 1) * sizeof *inst->members);
            inst->members_of = tc_alloc(c, (n + 1) * sizeof *inst->members);
            inst->nmembers = n;
            n = 0;
        }
        for (size_t s = 0; s < c->table_size; s++)
            for (Global *v = c->table[s]; v; v = v->next)
                if (v->kind != G_PARAM && !strncmp(v->name, m->prefix, len)) {
                    if (pass && n < inst->nmembers)
                        inst->members_of[n] = v;
                    n++;
                }
    }
    /* copied apart from the walk: the copies join the same table */
    for (size_t i = 0; i < inst->nmembers; i++)
        copy_member(c, inst, m, inst->members_of[i], k, d->pos, i);
    inst->of = m;
    g->nodes[k].instance = inst;
    copy_nested_modules(c, m, inst);
}

void tc_instance_edges(Checker *c, Graph *g, int k)
{
    TcModule *inst = g->nodes[k].instance;
    for (size_t i = 0; i < inst->nmembers; i++)
        if (inst->members_of[i]->node >= 0)
            tc_edge_node(c, g, k, inst->members_of[i]->node);
}

typedef struct Marked {
    Type **vars;
    int *levels;
    size_t n, cap;
} Marked;

/* The free variables of a parameter's type become generic for one
 * instantiation (levels restored after). */
static void mark_free(Checker *c, Marked *mk, Type *t)
{
    t = types_resolve(t);
    if (t->kind == T_VAR) {
        if (t->level == TYPE_GENERIC || t->rigid)
            return;
        if (mk->n == mk->cap) {
            size_t cap = mk->cap ? 2 * mk->cap : 16;
            Type **vars = tc_alloc(c, cap * sizeof *vars);
            int *levels = tc_alloc(c, cap * sizeof *levels);
            if (mk->n) {
                mem_copy(vars, mk->vars, mk->n * sizeof *vars);
                mem_copy(levels, mk->levels, mk->n * sizeof *levels);
            }
            mk->vars = vars;
            mk->levels = levels;
            mk->cap = cap;
        }
        mk->vars[mk->n] = t;
        mk->levels[mk->n++] = t->level;
        t->level = TYPE_GENERIC;
        return;
    }
    for (size_t i = 0; i < t->nargs; i++)
        mark_free(c, mk, t->args[i]);
}

/* The parameters' and the names' types of M, instantiated together:
 * a chain of pairs (p1, (p2, ... (x1, (x2, ... DYN)))). */
static Type *instantiate_module(Checker *c, TcModule *inst)
{
    TcModule *m = inst->of;
    Type *chain = c->t_dyn;
    for (size_t i = inst->nmembers; i-- > 0;) {
        Type *t = inst->members_of[i]->type;
        chain = tc_check(c, types_make2(&c->ts, T_TUPLE, t ? t : c->t_dyn,
                                        chain));
    }
    Marked mk = {0};
    for (size_t i = m->nparams; i-- > 0;) {
        Type *t = m->params[i] ? m->params[i]->type : c->t_dyn;
        chain = tc_check(c, types_make2(&c->ts, T_TUPLE, t, chain));
    }
    for (size_t i = 0; i < m->nparams; i++)
        if (m->params[i])
            mark_free(c, &mk, m->params[i]->type);
    Type *t = types_instantiate(&c->ts, chain);
    for (size_t i = 0; i < mk.n; i++)
        mk.vars[i]->level = mk.levels[i];
    return tc_check(c, t);
}

/* Each datatype of M is a type of N's own (FDR: M1::Z.0 and M2::Z.0 of
 * two instances cannot be compared): a copy of it, put in place of the
 * original in every type of N's names. */
static void own_datatypes(Checker *c, TcModule *inst)
{
    TypeData *from[64], *to[64];
    size_t n = 0;
    for (size_t i = 0; i < inst->nmembers && n < 64; i++) {
        Global *g = inst->members[i], *of = inst->members_of[i];
        if (!g || g->kind != G_TYPE || !of->data)
            continue; /* of: its source, with the source instance's own */
        TypeData *copy = tc_alloc(c, sizeof *copy);
        *copy = *of->data;
        copy->name = g->name;
        from[n] = of->data;
        to[n++] = copy;
        g->data = copy;
    }
    for (size_t k = 0; k < n; k++) { /* fields naming the datatypes too */
        Type **fields = tc_alloc(c, (to[k]->nfields + 1) * sizeof *fields);
        for (size_t f = 0; f < to[k]->nfields; f++)
            fields[f] = tc_check(c, types_replace_data(&c->ts,
                                 to[k]->fields[f], from, to, n));
        to[k]->fields = fields;
    }
    for (size_t i = 0; n && i < inst->nmembers; i++)
        if (inst->members[i] && inst->members[i]->type)
            inst->members[i]->type = tc_check(c, types_replace_data(
                &c->ts, inst->members[i]->type, from, to, n));
}

/* instance N = M(a1, ...): ai against the i-th parameter of M; N::x : the
 * instance of M::x's type. */
void tc_check_instance(Checker *c, Node *n)
{
    TcModule *inst = n->instance, *m = inst ? inst->of : NULL;
    if (!m)
        return;
    Expr *e = inst->decl->body;
    Type *chain = types_resolve(instantiate_module(c, inst));
    for (size_t i = 0; i < m->nparams; i++) {
        Expr *arg = e->kids[i + 1];
        char why[200];
        snprintf(why, sizeof why, "parameter %s of module %s, declared at "
                 "%d:%d", m->decl->names[i], m->decl->name,
                 m->decl->pos.line, m->decl->pos.col);
        tc_expect(c, arg, tc_expr(c, arg), chain->args[0], why);
        chain = types_resolve(chain->args[1]);
    }
    for (size_t i = 0; i < inst->nmembers; i++) {
        if (inst->members[i])
            inst->members[i]->type = chain->args[0];
        chain = types_resolve(chain->args[1]);
    }
    own_datatypes(c, inst);
}

/* ---------- names not found ---------- */

/* The edit distance of a and b (insertions, deletions, substitutions
 * and swaps of neighbours: pikc is pick misspelt), case aside (stop is
 * STOP), or limit + 1 once it exceeds limit. Names are short: rows of at
 * most 64 cells. */
static size_t edit_distance(const char *a, const char *b, size_t limit)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63 || (la > lb ? la - lb : lb - la) > limit)
        return limit + 1;
    size_t rows[3][64], *two = rows[0], *one = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        one[j] = j;
    for (size_t i = 1; i <= la; i++) {
        int ai = tolower((unsigned char)a[i - 1]);
        size_t best = cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            int bj = tolower((unsigned char)b[j - 1]);
            size_t d = one[j - 1] + (ai != bj);
            d = one[j] + 1 < d ? one[j] + 1 : d;
            d = cur[j - 1] + 1 < d ? cur[j - 1] + 1 : d;
            if (i > 1 && j > 1 && ai == tolower((unsigned char)b[j - 2]) &&
                bj == tolower((unsigned char)a[i - 2]) && two[j - 2] + 1 < d)
                d = two[j - 2] + 1;
            cur[j] = d;
            best = d < best ? d : best;
        }
        if (best > limit)
            return limit + 1;
        size_t *t = two;
        two = one, one = cur, cur = t;
    }
    return one[lb];
}

/* The visible name closest to `name` (2 edits at most, 1 for names of up
 * to 3 characters; the first in alphabetical order among equals), or
 * NULL: a "did you mean" for a misspelt name. */
static const char *closest_name(Checker *c, const char *name)
{
    size_t limit = strlen(name) <= 3 ? 1 : 2, best = limit + 1;
    const char *pick = NULL;
    for (Local *l = c->scope; l; l = l->next) {
        size_t d = edit_distance(name, l->name, limit);
        if (d < best || (d == best && pick && strcmp(l->name, pick) < 0))
            best = d, pick = l->name;
    }
    for (size_t t = 0; t < c->table_size; t++)
        for (Global *g = c->table[t]; g; g = g->next) {
            if (!visible(c, g) || g->param_module)
                continue;
            size_t d = edit_distance(name, g->name, limit);
            if (d < best || (d == best && pick && strcmp(g->name, pick) < 0))
                best = d, pick = g->name;
        }
    return pick;
}

void tc_name_unknown(Checker *c, Expr *e)
{
    Global *hidden = lookup(c, e->name, 1);
    if (hidden && hidden->private_to && !inside(c->prefix,
                                                hidden->private_to)) {
        tc_error(c, e->pos, "'%s' is private to module %.*s", e->name,
                 (int)strlen(hidden->private_to) - 2, hidden->private_to);
        return;
    }
    if (hidden) {
        tc_error(c, e->pos, "'%s' is declared in module %.*s, which has "
                 "parameters: use it through an instance", e->name,
                 (int)strlen(hidden->param_module) - 2, hidden->param_module);
        return;
    }
    if (find_module(c, e->name, 1)) {
        tc_error(c, e->pos, "'%s' is a module, not a value", e->name);
        return;
    }
    const char *last = NULL;
    for (const char *s = strstr(e->name, "::"); s; s = strstr(s + 2, "::"))
        last = s;
    if (last) { /* M::x: silent when M is an instance already reported */
        char *q = concat(c, e->name, (size_t)(last - e->name), "", "");
        TcModule *m = find_module(c, q, 1);
        if (m && m->decl->kind == D_INSTANCE && !m->of)
            return;
    }
    const char *near = closest_name(c, e->name);
    if (near)
        tc_error(c, e->pos, "'%s' is not defined (did you mean '%s'?)",
                 e->name, near);
    else
        tc_error(c, e->pos, "'%s' is not defined", e->name);
}
