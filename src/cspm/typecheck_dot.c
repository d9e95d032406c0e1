/* typecheck_dot: FDR's typing of dotted values and of prefixes.
 *
 * A dotted expression c.B.0.true is read left to right as FDR builds the
 * value: a channel or constructor (a type x => y) takes the next part as
 * its field; when the field expected is a datatype T and the next part is
 * a constructor of T still missing fields (B : {0..1}=>T), that
 * constructor takes the parts after it first (the longest match). Parts
 * that no constructor takes make a plain dotted value (0.true : Int.Bool).
 *
 * Where the reading depends on a part whose type is not known (a variable
 * of a pattern or a parameter: it may stand for one field or for several),
 * the whole dot gets the unknown type instead of a guess: FDR's own rules
 * there (Yieldable, a =>* b) are subtle, and accepting is preferred to a
 * false error. One case is settled: a variable that is the last part when
 * exactly one field of type A remains has type A.
 */
#include "typecheck_impl.h"

#include <string.h>

enum { CHAIN_MAX = 64 };

/* The state of a dotted value being read. */
typedef struct Chain {
    Type *stack[CHAIN_MAX]; /* constructors waiting for fields (x => y) */
    size_t sp;
    Type *values[CHAIN_MAX]; /* complete values read at the outer level */
    size_t nvalues;
    int unknown;            /* gave up: the type is not known */
    int failed;             /* an error was reported */
    int complete;           /* the value must be complete (an event) */
    Expr *head;             /* the first part (for messages) */
} Chain;

static int is_dotable(Type *t) { return types_resolve(t)->kind == T_DOTABLE; }

/* What a constructor gives once it has all its fields. */
static Type *final_type(Type *t)
{
    t = types_resolve(t);
    while (t->kind == T_DOTABLE)
        t = types_resolve(t->args[1]);
    return t;
}

/* 1 when something of type `made` is what a field of type `want`
 * expects, without binding anything. */
static int same_head(Type *made, Type *want)
{
    made = types_resolve(made);
    want = types_resolve(want);
    if (made->kind != want->kind)
        return 0;
    if (made->kind == T_DATA)
        return !strcmp(made->name, want->name);
    if (made->kind == T_VAR)
        return made == want;
    return made->kind == T_EVENT;
}

/* Pops the constructors that are complete, feeding each to the one below
 * it. */
static void settle(Checker *c, Chain *ch, Expr *at)
{
    while (ch->sp && !is_dotable(ch->stack[ch->sp - 1])) {
        Type *v = ch->stack[--ch->sp];
        if (!ch->sp) {
            if (ch->nvalues < CHAIN_MAX)
                ch->values[ch->nvalues++] = v;
            continue;
        }
        Type *below = types_resolve(ch->stack[ch->sp - 1]);
        if (tc_expect(c, at, v, below->args[0], "a field of a dotted value")) {
            ch->failed = 1;
            return;
        }
        ch->stack[ch->sp - 1] = below->args[1];
    }
}

/* The fields still missing across the pending constructors, in order
 * (n of them), and what the outermost one gives once they are there. */
static Type *missing_fields(Chain *ch, Type **fields, size_t *n, size_t max)
{
    Type *last = NULL;
    *n = 0;
    for (size_t k = ch->sp; k-- > 0;) {
        Type *t = types_resolve(ch->stack[k]);
        if (k + 1 < ch->sp) /* its next field is the level above */
            t = types_resolve(t->args[1]);
        while (t->kind == T_DOTABLE && *n < max) {
            fields[(*n)++] = t->args[0];
            t = types_resolve(t->args[1]);
        }
        last = t;
    }
    return last;
}

/* A variable as a part (FDR, as libcspm reads it): one field when more
 * parts follow; when it is the last part, the one field left, or in a
 * complete value (an event of a prefix) every field left. Otherwise the
 * dot is not known. Returns 1 when the variable was consumed. */
static int feed_var(Checker *c, Chain *ch, Type *t, Expr *at, int last)
{
    Type *top = types_resolve(ch->stack[ch->sp - 1]);
    Type *want = types_resolve(top->args[0]);
    int one_left = ch->sp == 1 && !is_dotable(top->args[1]);
    if (t == want || (!last && !types_unknown(want)) || (last && one_left))
        return 0; /* taken as the next field, below */
    if (last && ch->complete) {
        Type *fields[CHAIN_MAX];
        size_t n;
        Type *final = missing_fields(ch, fields, &n, CHAIN_MAX);
        Type *rest = tc_check(c, types_dot(&c->ts, fields, n));
        if (tc_expect(c, at, t, rest, "the fields left of a dotted value"))
            ch->failed = 1;
        ch->sp = 0;
        if (ch->nvalues < CHAIN_MAX)
            ch->values[ch->nvalues++] = final;
        return 1;
    }
    ch->unknown = 1;
    return 1;
}

/* Feeds one part of type t (not itself a dot). `last`: no part follows. */
static void feed_one(Checker *c, Chain *ch, Type *t, Expr *at, int last)
{
    t = types_resolve(t);
    if (ch->unknown || ch->failed)
        return;
    if (t->kind == T_DYN) {
        ch->unknown = 1;
        return;
    }
    if (!ch->sp) {
        if (t->kind == T_VAR && !t->rigid)
            ch->unknown = 1;
        else if (t->kind == T_DOTABLE)
            ch->stack[ch->sp++] = t;
        else if (ch->nvalues < CHAIN_MAX)
            ch->values[ch->nvalues++] = t;
        else
            ch->unknown = 1;
        return;
    }
    Type *top = types_resolve(ch->stack[ch->sp - 1]);
    Type *want = types_resolve(top->args[0]);
    if (t->kind == T_VAR && !t->rigid) {
        if (feed_var(c, ch, t, at, last))
            return;
    } else if (want->kind == T_VAR && !want->rigid) {
        ch->unknown = 1; /* the field's type is not known yet */
        return;
    } else if (t->kind == T_DOTABLE && want->kind != T_DOTABLE &&
               same_head(final_type(t), want)) {
        if (ch->sp < CHAIN_MAX)
            ch->stack[ch->sp++] = t; /* a constructor taking its fields */
        else
            ch->unknown = 1;
        return;
    }
    if (tc_expect(c, at, t, want, "a field of a dotted value")) {
        ch->failed = 1;
        return;
    }
    ch->stack[ch->sp - 1] = top->args[1];
    settle(c, ch, at);
}

/* Feeds a part; a dotted value's components one by one. */
static void feed(Checker *c, Chain *ch, Type *t, Expr *at, int last)
{
    t = types_resolve(t);
    if (t->kind != T_DOT) {
        feed_one(c, ch, t, at, last);
        return;
    }
    for (size_t i = 0; i < t->nargs; i++)
        feed_one(c, ch, t->args[i], at, last && i + 1 == t->nargs);
}

/* The type of what was read: a value, a plain dotted value, or a
 * constructor still missing fields (their types in order, then what the
 * outermost one gives). */
static Type *result(Checker *c, Chain *ch)
{
    if (ch->unknown || ch->failed)
        return c->t_dyn;
    if (!ch->sp)
        return tc_check(c, types_dot(&c->ts, ch->values, ch->nvalues));
    if (ch->nvalues)
        return c->t_dyn;
    Type *fields[CHAIN_MAX];
    size_t n;
    Type *last = missing_fields(ch, fields, &n, CHAIN_MAX);
    Type *out = last;
    while (n-- > 0)
        out = tc_check(c, types_make2(&c->ts, T_DOTABLE, fields[n], out));
    return out;
}

/* The parts of a right-nested dot a.(b.(c)). */
static size_t dot_parts(Expr *e, Expr **parts, size_t max)
{
    size_t n = 0;
    while (e->kind == E_DOT && e->nkids == 2 && n + 1 < max) {
        parts[n++] = e->kids[0];
        e = e->kids[1];
    }
    parts[n++] = e;
    return n;
}

Type *tc_dot(Checker *c, Expr *e, int pattern)
{
    Expr *parts[CHAIN_MAX];
    size_t n = dot_parts(e, parts, CHAIN_MAX);
    Chain ch = {.head = parts[0]};
    /* every part is typed (and a pattern's variables bound) even when the
     * reading gives up */
    for (size_t i = 0; i < n; i++) {
        Type *t = pattern ? tc_pattern(c, parts[i]) : tc_expr(c, parts[i]);
        feed(c, &ch, t, parts[i], i + 1 == n);
    }
    return result(c, &ch);
}

int tc_event_like(Type *t)
{
    Type *f = final_type(t);
    return f->kind == T_EVENT || types_unknown(f);
}

/* The type an input ?x with no set takes: the next field, or, for the
 * last input, every field left (FDR: c?x on a channel A.B binds x to a
 * value of A.B). NULL when not known. */
static Type *input_type(Checker *c, Chain *ch, int last)
{
    if (ch->unknown || ch->failed || !ch->sp)
        return NULL;
    Type *top = types_resolve(ch->stack[ch->sp - 1]);
    if (!last)
        return top->args[0];
    Type *fields[CHAIN_MAX];
    size_t n;
    missing_fields(ch, fields, &n, CHAIN_MAX);
    return tc_check(c, types_dot(&c->ts, fields, n));
}

/* One field ?p, $p (with or without :S), or !e. */
static void prefix_field(Checker *c, Chain *ch, Field *f, int last)
{
    if (f->kind == FIELD_OUT || f->kind == FIELD_DOT) {
        feed(c, ch, tc_expr(c, f->expr), f->expr, last);
        return;
    }
    Type *t;
    if (f->restrict_to) {
        Type *set = tc_expr(c, f->restrict_to);
        t = tc_elements(c, f->restrict_to, set, 0);
        if (tc_require(c, f->restrict_to, t, TC_INPUTABLE,
                       "the values an input field takes"))
            t = c->t_dyn;
        tc_expect(c, f->expr, tc_pattern(c, f->expr), t, "an input field");
    } else if (!ch->unknown && !ch->failed && !ch->sp) {
        char head[128];
        snprintf(head, sizeof head, "%s", tc_expr_text(c, ch->head));
        tc_error(c, f->pos, "the event %s%s has no field left for this "
                 "input (its type is complete)", head, "");
        ch->failed = 1;
        tc_pattern(c, f->expr);
        return;
    } else {
        t = input_type(c, ch, last);
        Type *p = tc_pattern(c, f->expr);
        if (!t) {
            ch->unknown = 1;
            return;
        }
        tc_expect(c, f->expr, p, t, "an input field");
    }
    feed(c, ch, t, f->expr, last);
}

void tc_prefix_event(Checker *c, Expr *e)
{
    Expr *parts[CHAIN_MAX];
    size_t n = dot_parts(e->kids[0], parts, CHAIN_MAX);
    Chain ch = {.head = e->kids[0], .complete = 1};
    for (size_t i = 0; i < n; i++)
        feed(c, &ch, tc_expr(c, parts[i]), parts[i],
             i + 1 == n && !e->nfields);
    const Local *mark = c->scope;
    for (size_t i = 0; i < e->nfields; i++)
        prefix_field(c, &ch, &e->fields[i], i + 1 == e->nfields);
    tc_distinct_binders(c, mark, "the inputs of one prefix");
    Type *t = result(c, &ch);
    if (ch.failed || types_unknown(t))
        return;
    tc_expect(c, e->kids[0], t, c->t_event, "the event of a prefix");
}
