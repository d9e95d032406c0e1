/* eval_pattern: matching values against CSPM patterns: variables, _,
 * literals, tuples, dotted values (the last part of a dot pattern takes
 * the rest of the fields), sequences, <x>^xs and xs^<x>, {x}, p @@ q, and
 * names of channels and constructors, which match themselves. */
#include "eval_impl.h"

#include "lex.h"

#include <string.h>

/* A name in a pattern is a constant when it names a channel or a
 * constructor; otherwise it binds a variable. */
static Binding *constant(Eval *ev, Env *env, const char *name)
{
    Binding *b = eval_lookup(ev, env, name);
    return b && b->state == B_DONE && b->value && b->value->kind == V_NAME
               ? b : NULL;
}

enum { WIDTH_PARTS = 64 };

/* The parts of a dotted pattern, a.b.c, left to right. */
static size_t dot_parts(const Expr *p, const Expr **out, size_t n)
{
    if (p->kind != E_DOT)
        return n < WIDTH_PARTS ? (out[n] = p, n + 1) : n;
    return dot_parts(p->kids[1], out, dot_parts(p->kids[0], out, n));
}

/* Where the value starting at part i ends: a constructor takes its own
 * fields with it (X.x is one value when X has one field). */
static size_t value_end(Eval *ev, Env *env, const Expr **parts, size_t n,
                        size_t i)
{
    Binding *b = parts[i]->kind == E_NAME ? constant(ev, env, parts[i]->name)
                                          : NULL;
    const NameInfo *ctor = b ? b->value->ref : NULL;
    size_t end = i + 1;
    if (ctor && !ctor->is_channel)
        for (size_t k = 0; k < ctor->arity && end < n; k++)
            end = value_end(ev, env, parts, n, end);
    return end;
}

size_t eval_pattern_width(Eval *ev, Env *env, const Expr *p)
{
    const Expr *parts[WIDTH_PARTS];
    size_t n = dot_parts(p, parts, 0), width = 0;
    for (size_t i = 0; i < n; i = value_end(ev, env, parts, n, i))
        width++;
    return width;
}

/* A pattern that matches the value of body whatever it is: _, a
 * variable, or a tuple of such against a tuple written out. */
static int irrefutable(Eval *ev, Env *env, const Expr *p, const Expr *body)
{
    if (p->kind == E_WILD)
        return 1;
    if (p->kind == E_NAME)
        return !constant(ev, env, p->name);
    if (p->kind != E_TUPLE || body->kind != E_TUPLE ||
        p->nkids != body->nkids)
        return 0;
    for (size_t i = 0; i < p->nkids; i++)
        if (!irrefutable(ev, env, p->kids[i], body->kids[i]))
            return 0;
    return 1;
}

static int binds(const Expr *p, const char *name)
{
    if (p->kind == E_NAME)
        return !strcmp(p->name, name);
    for (size_t i = 0; i < p->nkids; i++)
        if (binds(p->kids[i], name))
            return 1;
    return 0;
}

void eval_pattern_narrow(Eval *ev, Env *env, Expr **pat, Expr **body,
                         const char *name)
{
    while ((*pat)->kind == E_TUPLE && (*body)->kind == E_TUPLE &&
           (*pat)->nkids == (*body)->nkids) {
        size_t own = (*pat)->nkids;
        for (size_t i = 0; i < (*pat)->nkids; i++) {
            if (binds((*pat)->kids[i], name))
                own = i;
            else if (!irrefutable(ev, env, (*pat)->kids[i],
                                  (*body)->kids[i]))
                return; /* another part may fail to match: match it all */
        }
        if (own == (*pat)->nkids)
            return;
        *pat = (*pat)->kids[own];
        *body = (*body)->kids[own];
    }
}

static int match_items(Eval *ev, Expr **pats, size_t n, Value **items,
                       Env **env)
{
    for (size_t i = 0; i < n; i++)
        if (!eval_match(ev, pats[i], items[i], env))
            return 0;
    return 1;
}

/* How many fields a parenthesised dotted pattern inside a dotted pattern
 * takes: as many as it has parts (the widest side of an @@). */
static size_t dotted_width(const Expr *p)
{
    if (p->kind == E_ALSO) {
        size_t a = dotted_width(p->kids[0]), b = dotted_width(p->kids[1]);
        return a > b ? a : b;
    }
    if (p->kind != E_DOT)
        return 1;
    return dotted_width(p->kids[0]) + dotted_width(p->kids[1]);
}

/* x.y.z against a dotted value, as FDR matches: the value is taken in
 * its structure (constructors grouped with their fields, eval_structure);
 * each part but the last takes one field, and a part that matches only
 * the constructor of a field (D against D.0) splits that field, its own
 * fields coming next. The last part takes what remains. So B.x.y.z
 * against B.(D.0).1.(D.2) gives x = D.0, y = 1, z = D.2, and B.D.x
 * gives x = 0.1.D.2. */
static int match_dot(Eval *ev, Expr *p, Value *v, Env **env)
{
    Expr *parts[64];
    size_t n = 0;
    Expr *cur = p;
    while (cur->kind == E_DOT && n < 63) {
        parts[n++] = cur->kids[0];
        cur = cur->kids[1];
    }
    parts[n++] = cur;
    Value *s = eval_structure(ev, v);
    if (!s)
        return 0;
    size_t m = s->kind == V_DOT ? s->n : 1;
    Value **fields = arena_alloc(ev->arena, (m + 1) * sizeof *fields);
    if (!fields)
        return 0;
    if (s->kind == V_DOT)
        mem_copy(fields, s->items, m * sizeof *fields);
    else
        fields[0] = s;
    size_t at = 0; /* fields[at..m) are left */
    for (size_t i = 0; i + 1 < n; i++) {
        if (at == m)
            return 0;
        Value *f = fields[at];
        Env *tried = *env;
        if (eval_match(ev, parts[i], f, &tried)) {
            *env = tried;
            at++;
            continue;
        }
        /* ((x.y) @@ (a.b.c)).d against 0.1.2.3: the first part takes as
         * many fields as it has parts */
        size_t w = dotted_width(parts[i]);
        Value *group = w > 1 && at + w <= m
                           ? value_items(ev->arena, V_DOT, fields + at, w)
                           : NULL;
        tried = *env;
        if (group && eval_match(ev, parts[i], group, &tried)) {
            *env = tried;
            at += w;
            continue;
        }
        tried = *env;
        if (f->kind != V_DOT || !eval_match(ev, parts[i], f->items[0], &tried))
            return 0;
        *env = tried; /* the field's own fields come next, structured */
        Value *rest = eval_structure_items(ev, f->items, f->n);
        if (!rest)
            return 0;
        size_t k = rest->n - 1; /* fields[at] becomes rest->items[1..] */
        Value **grown = arena_alloc(ev->arena, (m - at + k + 1) * sizeof *grown);
        if (!grown)
            return 0;
        mem_copy(grown, rest->items + 1, k * sizeof *grown);
        mem_copy(grown + k, fields + at + 1, (m - at - 1) * sizeof *grown);
        fields = grown;
        m = m - at - 1 + k;
        at = 0;
    }
    if (at == m)
        return 0;
    Value *last = fields[at];
    for (size_t k = at + 1; k < m && last; k++)
        last = value_dot(ev->arena, last, fields[k]);
    return last && eval_match(ev, parts[n - 1], last, env);
}

/* <a, b>^rest and front^<a, b>: the fixed side must be a sequence
 * pattern. */
static int match_concat(Eval *ev, Expr *p, Value *v, Env **env)
{
    Expr *l = p->kids[0], *r = p->kids[1];
    if (v->kind == V_LSEQ) { /* infinite: only <a, b>^rest can match */
        if (l->kind != E_SEQ)
            return 0;
        Value **front = lazy_take(ev, v, l->nkids, p->pos);
        Value *rest = front ? lazy_tail(ev, v, l->nkids) : NULL;
        return rest && match_items(ev, l->kids, l->nkids, front, env) &&
               eval_match(ev, r, rest, env);
    }
    if (l->kind == E_SEQ && l->nkids <= v->n) {
        Value *rest = value_items(ev->arena, V_SEQ, v->items + l->nkids,
                                  v->n - l->nkids);
        return rest && match_items(ev, l->kids, l->nkids, v->items, env) &&
               eval_match(ev, r, rest, env);
    }
    if (r->kind == E_SEQ && r->nkids <= v->n) {
        size_t front = v->n - r->nkids;
        Value *head = value_items(ev->arena, V_SEQ, v->items, front);
        return head && match_items(ev, r->kids, r->nkids, v->items + front,
                                   env) &&
               eval_match(ev, l, head, env);
    }
    if (l->kind != E_SEQ && r->kind != E_SEQ)
        eval_error(ev, p->pos, "a '^' pattern needs a sequence of fixed "
                               "length on one side");
    return 0;
}

int eval_match(Eval *ev, Expr *p, Value *v, Env **env)
{
    switch (p->kind) {
    case E_WILD: return 1;
    case E_NAME: {
        Binding *c = constant(ev, *env, p->name);
        if (c)
            return value_equal(c->value, v);
        *env = eval_bind(ev, *env, p->name, v);
        return *env != NULL;
    }
    case E_INT: return v->kind == V_INT && v->ival == p->ival;
    case E_BOOL: return v->kind == V_BOOL && v->ival == p->ival;
    case E_CHAR: return v->kind == V_CHAR && v->ival == p->ival;
    case E_STRING: {
        Value *s = eval_expr(ev, p, NULL);
        return s && value_equal(s, v);
    }
    case E_TUPLE:
        return v->kind == V_TUPLE && v->n == p->nkids &&
               match_items(ev, p->kids, p->nkids, v->items, env);
    case E_SEQ:
        return v->kind == V_SEQ && v->n == p->nkids &&
               match_items(ev, p->kids, p->nkids, v->items, env);
    case E_SET:
        return v->kind == V_SET && v->n == p->nkids && p->nkids <= 1 &&
               match_items(ev, p->kids, p->nkids, v->items, env);
    case E_DOT: return match_dot(ev, p, v, env);
    case E_ALSO:
        return eval_match(ev, p->kids[0], v, env) &&
               eval_match(ev, p->kids[1], v, env);
    case E_BINOP:
        if (p->op == TOK_CARET && (v->kind == V_SEQ || v->kind == V_LSEQ))
            return match_concat(ev, p, v, env);
        if (p->op == TOK_CARET)
            return 0;
        break;
    case E_UNOP:
        if (p->op == TOK_MINUS && p->kids[0]->kind == E_INT)
            return v->kind == V_INT && v->ival == -p->kids[0]->ival;
        break;
    default: break;
    }
    eval_error(ev, p->pos, "this expression cannot be used as a pattern");
    return 0;
}
