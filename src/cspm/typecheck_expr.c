/* typecheck_expr: the types of expressions, patterns and generators.
 * Each case states its rule; an expression that fails gets the unknown
 * type so that its users do not report it again. See typecheck.h. */
#include "typecheck_impl.h"

#include "builtins.h"
#include "lex.h"

#include <stdio.h>
#include <string.h>

static Local *bind_local(Checker *c, const Expr *e, Type *t)
{
    Local *l = tc_alloc(c, sizeof *l);
    l->name = e->name;
    l->at = e->pos;
    l->type = t;
    l->next = c->scope;
    c->scope = l;
    return l;
}

void tc_distinct_binders(Checker *c, const Local *mark, const char *what)
{
    for (const Local *l = c->scope; l != mark; l = l->next)
        for (const Local *k = l->next; k != mark; k = k->next)
            if (!strcmp(l->name, k->name)) {
                tc_error(c, l->at, "'%s' is bound twice in %s (first at "
                         "%d:%d)", l->name, what, k->at.line, k->at.col);
                return;
            }
}

int tc_is_constant(Checker *c, const char *name)
{
    for (Local *l = c->scope; l; l = l->next)
        if (!strcmp(l->name, name))
            return 0;
    Global *g = tc_global(c, name);
    return g && (g->kind == G_CTOR || g->kind == G_CHANNEL);
}

/* True and False, FDR 2's names of true and false: a warning, once. */
static void deprecated(Checker *c, const Expr *e)
{
    char msg[96];
    snprintf(msg, sizeof msg, "'%s' is deprecated: write '%s' (FDR warns "
             "too)", e->name, e->name[0] == 'T' ? "true" : "false");
    if (!diags_has(c->diags, DIAG_WARNING, e->pos, msg))
        diags_add(c->diags, DIAG_WARNING, e->pos, "%s", msg);
}

/* name: a local, a global (generalised: instantiated), a builtin; a name
 * not known here is left to the evaluator (unknown type). */
static Type *name_type(Checker *c, Expr *e)
{
    for (Local *l = c->scope; l; l = l->next)
        if (!strcmp(l->name, e->name))
            return tc_check(c, types_instantiate(&c->ts, l->type));
    Global *g = tc_global(c, e->name);
    if (g && g->kind == G_BUILTIN && !e->timed && builtin_timed_only(e->name))
        tc_error(c, e->pos, "%s is defined only inside a Timed section "
                 "(Timed(et) { ... })", e->name);
    if (g && g->kind == G_BUILTIN &&
        (!strcmp(e->name, "True") || !strcmp(e->name, "False")))
        deprecated(c, e);
    if (g && g->type)
        return tc_check(c, types_instantiate(&c->ts, g->type));
    if (!g && builtin_lookup(e->name) < 0)
        tc_name_unknown(c, e);
    return c->t_dyn; /* not typed here (not yet typed, or unknown) */
}

Type *tc_elements(Checker *c, Expr *e, Type *t, int seq)
{
    Type *r = types_resolve(t);
    if (r->kind == T_DYN)
        return c->t_dyn;
    if (r->kind == T_SET || r->kind == T_SEQ)
        return r->args[0];
    Type *elem = tc_fresh(c);
    if (tc_expect(c, e, t, seq ? tc_seq_of(c, elem) : tc_set_of(c, elem),
                  seq ? "a sequence to draw from" : "a set to draw from"))
        return c->t_dyn;
    return elem;
}

/* stmt -> pattern <- e | pattern : e | guard.  Generators bind in order. */
void tc_dot_split(Checker *c, Expr *pattern, Type *t, const Expr *use)
{
    Expr *head = pattern;
    while (head->kind == E_DOT)
        head = head->kids[0];
    TypeKind k = types_resolve(t)->kind;
    int variable = head->kind == E_WILD ||
                   (head->kind == E_NAME && !tc_is_constant(c, head->name));
    if (pattern->kind != E_DOT || !variable ||
        (k != T_EVENT && k != T_DATA && k != T_DOTABLE))
        return;
    char what[300];
    if (use) /* f(x.y) = ... applied to b.0 */
        snprintf(what, sizeof what, "'%s' (for the pattern '%s' at %d:%d)",
                 tc_expr_text(c, use), tc_expr_text(c, pattern),
                 pattern->pos.line, pattern->pos.col);
    else
        snprintf(what, sizeof what, "'%s'", tc_expr_text(c, pattern));
    SrcPos at = use ? use->pos : head->pos;
    if (k == T_DOTABLE) /* B, a constructor still missing fields */
        tc_error(c, at, "%s: a value still missing fields (a channel or "
                 "constructor on its own) cannot be split", what);
    else
        tc_error(c, at, "%s: %s cannot be split by a dotted pattern "
                 "starting with the variable '%s' (it must start with a "
                 "%s)", what, k == T_EVENT ? "an event" : "a datatype value",
                 tc_expr_text(c, head), k == T_EVENT ? "channel" :
                 "constructor");
}

void tc_stmts(Checker *c, Stmt *stmts, size_t n, int seq)
{
    const Local *mark = c->scope;
    for (size_t i = 0; i < n; i++) {
        Stmt *s = &stmts[i];
        Type *t = tc_expr(c, s->expr);
        if (!s->pattern) {
            tc_expect(c, s->expr, t, c->t_bool, "a guard");
            continue;
        }
        if (seq == TC_SEQ_ONLY && types_resolve(t)->kind == T_SET)
            tc_error(c, s->expr->pos, "expected a sequence, found a set in "
                     "'%s' (replicated ; and linked parallel run over "
                     "sequences)", tc_expr_text(c, s->expr));
        Type *elem = tc_elements(c, s->expr, t, seq);
        tc_expect(c, s->pattern, tc_pattern(c, s->pattern), elem,
                  "the pattern of a generator");
        tc_dot_split(c, s->pattern, elem, NULL);
    }
    tc_distinct_binders(c, mark, "the generators of one comprehension");
}

Type *tc_field_type(Checker *c, Expr *e)
{
    if (e->kind == E_TUPLE) {
        Type *items[64];
        size_t n = e->nkids < 64 ? e->nkids : 64;
        for (size_t i = 0; i < n; i++)
            items[i] = tc_field_type(c, e->kids[i]);
        return tc_check(c, types_make(&c->ts, T_TUPLE, items, n));
    }
    return tc_elements(c, e, tc_expr(c, e), 0);
}

/* ---------- patterns ---------- */

Type *tc_pattern(Checker *c, Expr *e)
{
    switch (e->kind) {
    case E_NAME:
        if (tc_is_constant(c, e->name))
            return name_type(c, e);
        return bind_local(c, e, tc_fresh(c))->type;
    case E_WILD: return tc_fresh(c);
    case E_DOT: return tc_dot(c, e, 1);
    case E_TUPLE: {
        Type *items[64];
        size_t n = e->nkids < 64 ? e->nkids : 64;
        for (size_t i = 0; i < n; i++)
            items[i] = tc_pattern(c, e->kids[i]);
        return tc_check(c, types_make(&c->ts, T_TUPLE, items, n));
    }
    case E_SEQ: case E_SET: {
        Type *elem = tc_fresh(c);
        for (size_t i = 0; i < e->nkids; i++)
            tc_expect(c, e->kids[i], tc_pattern(c, e->kids[i]), elem,
                      "an element of the pattern");
        if (e->kind == E_SET) /* matching compares the elements */
            tc_require(c, e, elem, TC_SET, "a set pattern");
        return e->kind == E_SEQ ? tc_seq_of(c, elem) : tc_set_of(c, elem);
    }
    case E_BINOP:
        if (e->op == TOK_CARET) { /* <x> ^ s */
            Type *t = tc_seq_of(c, tc_fresh(c));
            tc_expect(c, e->kids[0], tc_pattern(c, e->kids[0]), t,
                      "a sequence pattern");
            tc_expect(c, e->kids[1], tc_pattern(c, e->kids[1]), t,
                      "a sequence pattern");
            return t;
        }
        return tc_expr(c, e);
    case E_ALSO: {
        Type *t = tc_pattern(c, e->kids[0]);
        tc_expect(c, e->kids[1], tc_pattern(c, e->kids[1]), t,
                  "both sides of @@");
        return t;
    }
    default:
        return tc_expr(c, e); /* literals, -1 */
    }
}

/* ---------- expressions ---------- */

/* f(a1, ..., an): f : (t1, ..., tn) -> r and ai : ti. */
/* extensions(x) needs fields left to add: not a complete event or value
 * (FDR; productions(x) is x itself then). */
static void extensions_arg(Checker *c, Expr *arg, Type *t)
{
    TypeKind k = types_resolve(t)->kind;
    if (k == T_EVENT || k == T_DATA)
        tc_error(c, arg->pos, "extensions of '%s', which has no fields left "
                 "to add (productions gives it itself)",
                 tc_expr_text(c, arg));
}

/* productions(x): the complete values x extends to, of the type at the
 * end of x's fields (Event for a channel or an event); unknown while x's
 * type is. */
static Type *productions_type(Checker *c, Type *t)
{
    t = types_resolve(t);
    while (t->kind == T_DOTABLE)
        t = types_resolve(t->args[1]);
    return tc_set_of(c, t->kind == T_VAR || t->kind == T_DYN ? tc_fresh(c)
                                                             : t);
}

static Type *call_type(Checker *c, Expr *e)
{
    Expr *fn = e->kids[0];
    Type *f = types_resolve(tc_expr(c, fn));
    size_t n = e->nkids - 1;
    Type *args[64];
    if (n > 63)
        n = 63;
    for (size_t i = 0; i < n; i++)
        args[i] = tc_expr(c, e->kids[i + 1]);
    if (f->kind == T_DYN)
        return c->t_dyn;
    char where[160] = "";
    Global *g = fn->kind == E_NAME ? tc_global(c, fn->name) : NULL;
    if (g && g->kind == G_BUILTIN && n == 1) {
        if (!strcmp(g->name, "extensions"))
            extensions_arg(c, e->kids[1], args[0]);
        else if (!strcmp(g->name, "productions"))
            return productions_type(c, args[0]);
    }
    if (g && g->node >= 0)
        snprintf(where, sizeof where, ", declared at %d:%d", g->pos.line,
                 g->pos.col);
    if (g && g->kind == G_DEF && g->clause && g->clause->nparams[0] == n)
        for (size_t i = 0; i < n; i++) /* f(x.y) = ... applied to b.0 */
            tc_dot_split(c, g->clause->params[0][i], args[i], e->kids[i + 1]);
    if (f->kind == T_FUN) {
        if (f->nargs - 1 != n) {
            tc_error(c, e->pos, "%s takes %zu argument%s, given %zu%s",
                     tc_expr_text(c, fn), f->nargs - 1,
                     f->nargs == 2 ? "" : "s", n, where);
            return c->t_dyn;
        }
        for (size_t i = 0; i < n; i++) {
            char why[256];
            snprintf(why, sizeof why, "argument %zu of %s%s", i + 1,
                     tc_expr_text(c, fn), where);
            tc_expect(c, e->kids[i + 1], args[i], f->args[i], why);
        }
        return f->args[n];
    }
    args[n] = tc_fresh(c);
    Type *want = tc_check(c, types_make(&c->ts, T_FUN, args, n + 1));
    if (tc_expect(c, fn, f, want, "a function applied to arguments"))
        return c->t_dyn;
    return args[n];
}

static Type *binop_type(Checker *c, Expr *e)
{
    Type *a = tc_expr(c, e->kids[0]), *b = tc_expr(c, e->kids[1]);
    const char *op = lex_kind_name((TokKind)e->op);
    char why[64];
    switch (e->op) {
    case TOK_PLUS: case TOK_MINUS: case TOK_STAR: case TOK_SLASH:
    case TOK_PERCENT:
        snprintf(why, sizeof why, "an operand of %s", op);
        tc_expect(c, e->kids[0], a, c->t_int, why);
        tc_expect(c, e->kids[1], b, c->t_int, why);
        return c->t_int;
    case TOK_AND: case TOK_OR:
        snprintf(why, sizeof why, "an operand of %s", op);
        tc_expect(c, e->kids[0], a, c->t_bool, why);
        tc_expect(c, e->kids[1], b, c->t_bool, why);
        return c->t_bool;
    case TOK_CARET: {
        Type *t = tc_seq_of(c, tc_fresh(c));
        tc_expect(c, e->kids[0], a, t, "an operand of ^");
        tc_expect(c, e->kids[1], b, t, "an operand of ^");
        return t;
    }
    default: { /* == != < > <= >= */
        int eq = e->op == TOK_EQEQ || e->op == TOK_NE;
        snprintf(why, sizeof why, "the operands of %s", op);
        if (!tc_expect(c, e->kids[1], b, a, why))
            tc_require(c, e, a, eq ? TC_EQ : TC_ORD, why);
        return c->t_bool;
    }
    }
}

static Type *unop_type(Checker *c, Expr *e)
{
    Type *a = tc_expr(c, e->kids[0]);
    if (e->op == TOK_NOT) {
        tc_expect(c, e->kids[0], a, c->t_bool, "the operand of not");
        return c->t_bool;
    }
    if (e->op == TOK_HASH) {
        if (types_resolve(a)->kind != T_SET)
            tc_expect(c, e->kids[0], a, tc_seq_of(c, tc_fresh(c)),
                      "the operand of #");
        return c->t_int;
    }
    tc_expect(c, e->kids[0], a, c->t_int, "the operand of -");
    return c->t_int;
}

static void expect_proc(Checker *c, Expr *e, const char *why)
{
    tc_expect(c, e, tc_expr(c, e), c->t_proc, why);
}

static void expect_events(Checker *c, Expr *e, const char *why)
{
    tc_expect(c, e, tc_expr(c, e), tc_set_of(c, c->t_event), why);
}

/* a <- b in a renaming, a <-> b in a linked parallel: the same type, an
 * event or a channel. */
static void pairs_type(Checker *c, Expr *e, const char *why)
{
    for (size_t i = 0; i < e->npairs; i++) {
        Type *a = tc_expr(c, e->pairs[i].from);
        Type *b = tc_expr(c, e->pairs[i].to);
        if (tc_expect(c, e->pairs[i].to, b, a, why))
            continue;
        if (!tc_event_like(a)) {
            TypeNames names = {0};
            char ta[256];
            types_print(a, &names, ta, sizeof ta);
            tc_error(c, e->pairs[i].from->pos, "expected an event or a "
                     "channel, found %s in '%s' (%s)", ta,
                     tc_expr_text(c, e->pairs[i].from), why);
        }
    }
}

/* {| e1, ... |}: the events (or datatype values) that complete each of
 * e1, ...: a set of what they all give, Event for channels. */
static Type *events_type(Checker *c, Expr *e)
{
    Type *elem = tc_fresh(c);
    for (size_t i = 0; i < e->nkids; i++) {
        Type *t = tc_expr(c, e->kids[i]);
        Type *f = types_resolve(t);
        while (f->kind == T_DOTABLE)
            f = types_resolve(f->args[1]);
        if (types_unknown(f))
            continue;
        if (f->kind != T_EVENT && f->kind != T_DATA) {
            TypeNames names = {0};
            char tt[256];
            types_print(t, &names, tt, sizeof tt);
            tc_error(c, e->kids[i]->pos, "expected an event or a channel, "
                     "found %s in '%s' (inside {| |})", tt,
                     tc_expr_text(c, e->kids[i]));
            continue;
        }
        tc_expect(c, e->kids[i], f, elem, "the items of {| |}");
    }
    return tc_set_of(c, elem);
}

static Type *collection_type(Checker *c, Expr *e, int seq)
{
    Type *elem = tc_fresh(c);
    for (size_t i = 0; i < e->nkids; i++)
        tc_expect(c, e->kids[i], tc_expr(c, e->kids[i]), elem,
                  seq ? "an element of the sequence" : "an element of the set");
    return seq ? tc_seq_of(c, elem) : tc_set_of(c, elem);
}

static Type *range_type(Checker *c, Expr *e, int seq)
{
    for (size_t i = 0; i < e->nkids; i++)
        tc_expect(c, e->kids[i], tc_expr(c, e->kids[i]), c->t_int,
                  "a bound of a range");
    return seq ? tc_seq_of(c, c->t_int) : tc_set_of(c, c->t_int);
}

static Type *map_type(Checker *c, Expr *e);

/* What FDR's Timed sections forbid: linked parallel (no tock to share)
 * and $ (a nondeterministic input has no timed translation). */
static void timed_forbidden(Checker *c, Expr *e)
{
    if (!e->timed)
        return;
    if (e->kind == E_LINK || (e->kind == E_REPL && e->op == TOK_LINK))
        tc_error(c, e->pos, "a linked parallel is not allowed in a Timed "
                 "section (FDR forbids it)");
    for (size_t f = 0; e->kind == E_PREFIX && f < e->nfields; f++)
        if (e->fields[f].kind == FIELD_NDIN)
            tc_error(c, e->fields[f].pos, "a nondeterministic input ($) is "
                     "not allowed in a Timed section (FDR forbids it)");
}

/* Comprehensions, renamings and replicated operators bind names for
 * their body only. */
static Type *scoped(Checker *c, Expr *e)
{
    Local *saved = c->scope;
    timed_forbidden(c, e);
    Type *t = c->t_dyn;
    switch (e->kind) {
    case E_SET_COMP: case E_SEQ_COMP:
        tc_stmts(c, e->stmts, e->nstmts, e->kind == E_SEQ_COMP);
        if (e->op == TOK_DOTDOT) /* {m..n | ...}: the ranges' values */
            t = tc_expr(c, e->kids[0]);
        else
            t = collection_type(c, e, e->kind == E_SEQ_COMP);
        break;
    case E_EVENTS_COMP:
        tc_stmts(c, e->stmts, e->nstmts, 0);
        t = events_type(c, e);
        break;
    case E_LAMBDA: {
        Type *args[64];
        size_t n = e->nkids - 1 < 63 ? e->nkids - 1 : 63;
        for (size_t i = 0; i < n; i++)
            args[i] = tc_pattern(c, e->kids[i]);
        args[n] = tc_expr(c, e->kids[e->nkids - 1]);
        t = tc_check(c, types_make(&c->ts, T_FUN, args, n + 1));
        break;
    }
    case E_LET:
        tc_let(c, e->decls, e->ndecls);
        t = tc_expr(c, e->kids[0]);
        break;
    case E_LINK:
        expect_proc(c, e->kids[0], "an operand of linked parallel");
        expect_proc(c, e->kids[1], "an operand of linked parallel");
        tc_stmts(c, e->stmts, e->nstmts, 0);
        pairs_type(c, e, "a linked parallel");
        t = c->t_proc;
        break;
    case E_MAP:
        tc_stmts(c, e->stmts, e->nstmts, 0);
        t = map_type(c, e);
        break;
    case E_PREFIX:
        tc_prefix_event(c, e);
        expect_proc(c, e->kids[1], "the process after ->");
        t = c->t_proc;
        break;
    case E_RENAME:
        expect_proc(c, e->kids[0], "the process renamed");
        tc_stmts(c, e->stmts, e->nstmts, 0);
        pairs_type(c, e, "a renaming");
        t = c->t_proc;
        break;
    case E_REPL:
        /* ; and linked parallel run over sequences */
        tc_stmts(c, e->stmts, e->nstmts,
                 e->op == TOK_SEMI || e->op == TOK_LINK ? TC_SEQ_ONLY : 0);
        if (e->op == TOK_LINK) { /* the ties see x, and their own names */
            Local *outer = c->scope;
            tc_stmts(c, e->kids[1]->stmts, e->kids[1]->nstmts, 0);
            pairs_type(c, e->kids[1], "a linked parallel");
            c->scope = outer;
        } else if (e->nkids > 1) {
            expect_events(c, e->kids[1], "the synchronisation set");
        }
        expect_proc(c, e->kids[0], "the body of a replicated operator");
        t = c->t_proc;
        break;
    default:
        break;
    }
    c->scope = saved;
    return t;
}

static Type *proc_set_type(Checker *c, Expr *e)
{
    expect_proc(c, e->kids[0], "an operand of a process operator");
    expect_events(c, e->kids[1], "a set of events of a process operator");
    if (e->nkids > 2)
        expect_proc(c, e->kids[2], "an operand of a process operator");
    return c->t_proc;
}

static Type *map_type(Checker *c, Expr *e)
{
    Type *k = tc_fresh(c), *v = tc_fresh(c);
    for (size_t i = 0; i < e->npairs; i++) {
        tc_expect(c, e->pairs[i].from, tc_expr(c, e->pairs[i].from), k,
                  "a key of the map");
        tc_expect(c, e->pairs[i].to, tc_expr(c, e->pairs[i].to), v,
                  "a value of the map");
    }
    if (e->npairs)
        tc_require(c, e->pairs[0].from, k, TC_SET, "the keys of a map");
    return tc_check(c, types_make2(&c->ts, T_MAP, k, v));
}

Type *tc_expr(Checker *c, Expr *e)
{
    tc_stack_guard(c, e->pos);
    switch (e->kind) {
    case E_INT: return c->t_int;
    case E_BOOL: return c->t_bool;
    case E_CHAR: return c->t_char;
    case E_STRING: return tc_seq_of(c, c->t_char);
    case E_NAME: return name_type(c, e);
    case E_WILD: return tc_fresh(c);
    case E_CALL: return call_type(c, e);
    case E_BINOP: return binop_type(c, e);
    case E_UNOP: return unop_type(c, e);
    case E_IF: {
        tc_expect(c, e->kids[0], tc_expr(c, e->kids[0]), c->t_bool,
                  "the condition of if");
        Type *t = tc_expr(c, e->kids[1]);
        tc_expect(c, e->kids[2], tc_expr(c, e->kids[2]), t,
                  "the else branch, like the then branch");
        return t;
    }
    case E_TUPLE: {
        Type *items[64];
        size_t n = e->nkids < 64 ? e->nkids : 64;
        for (size_t i = 0; i < n; i++)
            items[i] = tc_expr(c, e->kids[i]);
        return tc_check(c, types_make(&c->ts, T_TUPLE, items, n));
    }
    case E_DOT: return tc_dot(c, e, 0);
    case E_SET: return collection_type(c, e, 0);
    case E_SEQ: return collection_type(c, e, 1);
    case E_SET_RANGE: return range_type(c, e, 0);
    case E_SEQ_RANGE: return range_type(c, e, 1);
    case E_EVENTS: return events_type(c, e);
    case E_SET_COMP: case E_SEQ_COMP: case E_EVENTS_COMP: case E_LAMBDA:
    case E_LET: case E_PREFIX: case E_RENAME: case E_REPL:
        return scoped(c, e);
    case E_ALSO: return tc_pattern(c, e);
    case E_GUARD:
        tc_expect(c, e->kids[0], tc_expr(c, e->kids[0]), c->t_bool,
                  "the guard of &");
        expect_proc(c, e->kids[1], "the process after &");
        return c->t_proc;
    case E_PROC_BINARY:
        expect_proc(c, e->kids[0], "an operand of a process operator");
        expect_proc(c, e->kids[1], "an operand of a process operator");
        return c->t_proc;
    case E_PROC_SET: return proc_set_type(c, e);
    case E_APAR:
        expect_proc(c, e->kids[0], "an operand of alphabetised parallel");
        expect_events(c, e->kids[1], "an alphabet");
        expect_events(c, e->kids[2], "an alphabet");
        expect_proc(c, e->kids[3], "an operand of alphabetised parallel");
        return c->t_proc;
    case E_LINK: case E_MAP: return scoped(c, e);
    default: return c->t_dyn;
    }
}
