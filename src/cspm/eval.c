/* eval: environments, bindings, application and the data expressions of
 * CSPM. Processes are in eval_proc.c, patterns in eval_pattern.c, the
 * builtin functions in builtins.c. See eval.h. */
#include "eval_impl.h"

#include "hash.h"
#include "lex.h"
#include "limit.h"
#include "stack.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---------- errors and limits ---------- */

void eval_error(Eval *ev, SrcPos at, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t used = strlen(msg);
    /* the innermost calls first, at most three */
    size_t top = ev->chain_len < CHAIN_MAX ? ev->chain_len : CHAIN_MAX;
    for (size_t i = top, k = 0; i > 0 && k < 3; i--, k++)
        used += (size_t)snprintf(msg + used, used < sizeof msg ? sizeof msg - used : 0,
                                 "%s %s (called at %d:%d)", k ? "," : "; in",
                                 ev->chain[i - 1].name, ev->chain[i - 1].pos.line,
                                 ev->chain[i - 1].pos.col);
    ev->errors++;
    diags_error(ev->diags, at, "%s", msg);
}

int eval_failed(const Eval *ev) { return ev->errors; }

int eval_limit_hit(const Eval *ev) { return ev->limit_hit; }

int eval_enter(Eval *ev, SrcPos at)
{
    size_t max_depth = ev->limits.max_depth ? ev->limits.max_depth
                                            : EVAL_DEFAULT_DEPTH;
    uint64_t max_steps = ev->limits.max_steps ? ev->limits.max_steps
                                              : 500000000ull;
    LimitKind limit = limit_reached(); /* --timeout, --memory, a signal */
    if (limit != LIMIT_NONE) {
        ev->limit_hit = 1;
        eval_error(ev, at, "%s", limit_text(limit));
        return -1;
    }
    if (++ev->steps > max_steps) {
        ev->limit_hit = 1;
        eval_error(ev, at, "evaluation step limit (%llu) reached",
                   (unsigned long long)max_steps);
        return -1;
    }
    if (++ev->depth > max_depth || stack_low()) {
        ev->limit_hit = 1;
        eval_error(ev, at, "evaluation too deep (%zu nested calls%s): "
                           "unbounded recursion, or an expression nested "
                           "too deeply?", ev->depth - 1,
                   ev->depth > max_depth ? ", the --eval-depth limit"
                                         : ": no stack left");
        ev->depth--;
        return -1;
    }
    return 0;
}

void eval_leave(Eval *ev) { ev->depth--; }

static void chain_push(Eval *ev, const char *name, SrcPos at)
{
    if (ev->chain_len < CHAIN_MAX) {
        ev->chain[ev->chain_len].name = name;
        ev->chain[ev->chain_len].pos = at;
    }
    ev->chain_len++;
}

static void chain_pop(Eval *ev) { ev->chain_len--; }

/* ---------- bindings ---------- */

static Binding *table_find(Eval *ev, const char *name)
{
    for (Binding *b = ev->table[hash_string(name) & (ev->table_size - 1)]; b;
         b = b->next)
        if (!strcmp(b->name, name))
            return b;
    return NULL;
}

/* `name` declared in the module of `scope` (private ones too: the scope
 * is inside their module). */
static Binding *scope_find(Eval *ev, const char *scope, const char *name)
{
    char buf[256];
    size_t need = strlen(scope) + strlen(name) + 1;
    char *full = need <= sizeof buf ? buf : arena_alloc(ev->arena, need);
    if (!full)
        return NULL;
    snprintf(full, need, "%s%s", scope, name);
    Binding *b = table_find(ev, full);
    if (b && b->private_to &&
        strncmp(scope, b->private_to, strlen(b->private_to)) != 0)
        return NULL;
    return b;
}

Binding *eval_lookup(Eval *ev, Env *env, const char *name)
{
    for (; env; env = env->parent) {
        if (env->scope) {
            Binding *b = scope_find(ev, env->scope, name);
            if (b)
                return b;
        } else if (!strcmp(env->binding->name, name)) {
            return env->binding;
        }
    }
    Binding *b = table_find(ev, name);
    return b && !b->private_to ? b : NULL;
}

Env *eval_bind(Eval *ev, Env *env, const char *name, Value *v)
{
    Binding *b = arena_alloc(ev->arena, sizeof *b);
    Env *e = arena_alloc(ev->arena, sizeof *e);
    if (!b || !e)
        return NULL;
    b->name = name;
    b->value = v;
    b->state = B_DONE;
    e->parent = env;
    e->binding = b;
    return e;
}

Value *eval_closure(Eval *ev, Closure proto)
{
    Closure *c = arena_alloc(ev->arena, sizeof *c);
    Value *v = arena_alloc(ev->arena, sizeof *v);
    if (!c || !v)
        return NULL;
    *c = proto;
    v->kind = V_FUNC;
    v->ref = c;
    return v;
}

/* The value of a binding: a function for clauses with parameters, else
 * its body, evaluated once. A process definition is represented by its
 * thunk, so it is the same state wherever it is used. */
Value *eval_binding(Eval *ev, Binding *b, SrcPos at)
{
    switch (b->state) {
    case B_DONE: return b->value;
    case B_FAILED: /* said once where it failed; here, where it is used */
        eval_error(ev, at, "%s", b->why_failed ? b->why_failed
                                               : "this uses a definition whose "
                                                 "evaluation failed");
        return NULL;
    case B_BUSY:
        eval_error(ev, at, "'%s' is defined in terms of itself", b->name);
        return NULL;
    case B_TODO: break;
    }
    if (b->type_decl)
        return eval_type_value(ev, b);
    Decl *d = b->clauses[0];
    if (d->ngroups > 0) {
        b->value = eval_closure(ev, (Closure){.kind = CL_DEF, .def = b});
        b->state = b->value ? B_DONE : B_FAILED;
        return b->value;
    }
    if (d->yields_process == 1 && !d->lhs) { /* lazy, as in FDR */
        uint32_t t = eval_thunk(ev, b, NULL, 0);
        b->value = t == TERM_NONE ? NULL : value_proc(ev->arena, t);
        b->state = b->value ? B_DONE : B_FAILED;
        return b->value;
    }
    b->state = B_BUSY;
    Expr *pat = d->lhs, *body = d->body;
    const char *var = b->name; /* the pattern's name for it: M::y is y */
    for (const char *q = strstr(var, "::"); q; q = strstr(var, "::"))
        var = q + 2;
    if (pat)
        eval_pattern_narrow(ev, b->env, &pat, &body, var);
    chain_push(ev, b->name, at);
    Value *v = eval_expr(ev, body, b->env);
    chain_pop(ev);
    if (v && pat) { /* a variable of a pattern binding: its part */
        Env *env = NULL;
        Binding *own = NULL;
        if (eval_match(ev, pat, v, &env))
            for (Env *e = env; e && !own; e = e->parent)
                if (!strcmp(e->binding->name, var))
                    own = e->binding;
        if (!own)
            eval_error(ev, d->pos, "the value does not match the pattern "
                                   "of this binding");
        v = own ? own->value : NULL;
    }
    if (v && v->kind == V_PROC && !pat) { /* a pattern's part is a term */
        uint32_t t = eval_thunk(ev, b, NULL, 0);
        v = t == TERM_NONE ? NULL : value_proc(ev->arena, t);
    }
    b->value = v;
    b->state = v ? B_DONE : B_FAILED;
    return v;
}

/* ---------- application ---------- */

/* Applies a function defined by clauses to all its arguments: the first
 * clause whose patterns all match. */
static Value *apply_clauses(Eval *ev, Binding *b, Value **args, size_t n,
                            SrcPos at)
{
    int errors = ev->errors;
    for (size_t c = 0; c < b->nclauses; c++) {
        Decl *d = b->clauses[c];
        Env *env = b->env;
        size_t k = 0;
        int ok = 1;
        for (size_t g = 0; g < d->ngroups && ok; g++)
            for (size_t i = 0; i < d->nparams[g] && ok; i++, k++)
                ok = k < n && eval_match(ev, d->params[g][i], args[k], &env);
        if (ev->errors != errors)
            return NULL;
        if (!ok || k != n)
            continue;
        if (eval_enter(ev, at) != 0)
            return NULL;
        chain_push(ev, b->name, at);
        Value *v = eval_expr(ev, d->body, env);
        chain_pop(ev);
        eval_leave(ev);
        return v;
    }
    eval_error(ev, at, "no clause of '%s' matches these arguments", b->name);
    return NULL;
}

static Value *apply_lambda(Eval *ev, Closure *c, Value **args, size_t n,
                           SrcPos at)
{
    Expr *l = c->lambda;
    size_t params = l->nkids - 1;
    if (n != params) {
        eval_error(ev, at, "the function expects %zu argument%s, got %zu",
                   params, params == 1 ? "" : "s", n);
        return NULL;
    }
    Env *env = c->env;
    int errors = ev->errors;
    for (size_t i = 0; i < n; i++)
        if (!eval_match(ev, l->kids[i], args[i], &env)) {
            if (ev->errors == errors)
                eval_error(ev, at, "the argument does not match the "
                                   "lambda's pattern");
            return NULL;
        }
    if (eval_enter(ev, at) != 0)
        return NULL;
    Value *v = eval_expr(ev, l->kids[params], env);
    eval_leave(ev);
    return v;
}

/* Adds one parenthesised group of arguments to a function defined by
 * clauses; applies it when every group is there. */
static Value *apply_def(Eval *ev, Closure *c, Value **args, size_t n,
                        SrcPos at)
{
    Decl *d = c->def->clauses[0];
    size_t want = d->nparams[c->groups];
    /* FDR-2 style: f(h, p) applied to one pair takes its components */
    if (n == 1 && want > 1 && args[0]->kind == V_TUPLE && args[0]->n == want) {
        args = args[0]->items;
        n = want;
    }
    if (n != want) {
        eval_error(ev, at, "'%s' expects %zu argument%s, got %zu",
                   c->def->name, want, want == 1 ? "" : "s", n);
        return NULL;
    }
    Value **all = arena_alloc(ev->arena, (c->nargs + n + 1) * sizeof *all);
    if (!all)
        return NULL;
    mem_copy(all, c->args, c->nargs * sizeof *all);
    mem_copy(all + c->nargs, args, n * sizeof *all);
    if (c->groups + 1 < d->ngroups) {
        Closure next = *c;
        next.args = all;
        next.nargs = c->nargs + n;
        next.groups++;
        return eval_closure(ev, next);
    }
    if (d->yields_process == 1) { /* lazy, as in FDR: the body is read
                                     when the checker needs it */
        uint32_t t = eval_thunk(ev, c->def, all, c->nargs + n);
        return t == TERM_NONE ? NULL : value_proc(ev->arena, t);
    }
    Value *v = apply_clauses(ev, c->def, all, c->nargs + n, at);
    if (v && v->kind == V_PROC) { /* the same call is the same state */
        uint32_t t = eval_thunk(ev, c->def, all, c->nargs + n);
        v = t == TERM_NONE ? NULL : value_proc(ev->arena, t);
    }
    return v;
}

Value *eval_apply(Eval *ev, Value *fn, Value **args, size_t n, SrcPos at)
{
    if (fn->kind != V_FUNC) {
        eval_error(ev, at, "%s is not a function",
                   value_text(ev->arena, fn));
        return NULL;
    }
    Closure *c = (Closure *)fn->ref;
    switch (c->kind) {
    case CL_BUILTIN: {
        if (!c->nargs)
            return builtin_apply(ev, c->builtin, args, n, at);
        /* a builtin's function result holds its first arguments */
        Value **all = arena_alloc(ev->arena, (c->nargs + n + 1) * sizeof *all);
        if (!all)
            return NULL;
        mem_copy(all, c->args, c->nargs * sizeof *all);
        mem_copy(all + c->nargs, args, n * sizeof *all);
        return builtin_apply(ev, c->builtin, all, c->nargs + n, at);
    }
    case CL_LAMBDA: return apply_lambda(ev, c, args, n, at);
    case CL_DEF: return apply_def(ev, c, args, n, at);
    }
    return NULL;
}

/* ---------- lists, elements, comprehensions ---------- */

int vlist_add(Eval *ev, VList *l, Value *v)
{
    if (!v)
        return -1;
    if (l->count == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        Value **items = arena_alloc(ev->arena, cap * sizeof *items);
        if (!items)
            return -1;
        if (l->count)
            mem_copy(items, l->items, l->count * sizeof *items);
        l->items = items;
        l->cap = cap;
    }
    l->items[l->count++] = v;
    return 0;
}

int eval_elements(Eval *ev, Value *v, SrcPos at, Value ***items, size_t *n)
{
    if (v->kind == V_ISET || v->kind == V_LSEQ) {
        lazy_enumerate_error(ev, v, at, "a generator");
        return -1;
    }
    if (v->kind != V_SET && v->kind != V_SEQ) {
        eval_error(ev, at, "expected a set or a sequence, found %s",
                   value_text(ev->arena, v));
        return -1;
    }
    *items = v->items;
    *n = v->n;
    return 0;
}

static int stmts_from(Eval *ev, Stmt *stmts, size_t n, size_t i, Env *env,
                      StmtFn each, void *ctx);

/* Statement i, whose expression has the value v, then the rest. */
static int stmts_with(Eval *ev, Stmt *stmts, size_t n, size_t i, Env *env,
                      StmtFn each, void *ctx, Value *v)
{
    Stmt *s = &stmts[i];
    if (!s->pattern) {
        if (v->kind != V_BOOL) {
            eval_error(ev, s->expr->pos, "a condition must be a boolean, "
                                         "found %s", value_text(ev->arena, v));
            return -1;
        }
        return v->ival ? stmts_from(ev, stmts, n, i + 1, env, each, ctx) : 0;
    }
    Value **items;
    size_t count;
    int errors = ev->errors;
    if (eval_elements(ev, v, s->expr->pos, &items, &count) != 0)
        return -1;
    for (size_t k = 0; k < count; k++) {
        Env *inner = env;
        if (eval_match(ev, s->pattern, items[k], &inner) &&
            stmts_from(ev, stmts, n, i + 1, inner, each, ctx) != 0)
            return -1;
        if (ev->errors != errors)
            return -1;
    }
    return 0;
}

static int stmts_from(Eval *ev, Stmt *stmts, size_t n, size_t i, Env *env,
                      StmtFn each, void *ctx)
{
    if (i == n)
        return each(ev, env, ctx);
    Value *v = eval_expr(ev, stmts[i].expr, env);
    return v ? stmts_with(ev, stmts, n, i, env, each, ctx, v) : -1;
}

int eval_stmts(Eval *ev, Stmt *stmts, size_t n, Env *env, StmtFn each,
               void *ctx)
{
    return stmts_from(ev, stmts, n, 0, env, each, ctx);
}

/* ---------- expressions ---------- */

static Value *expect_kind(Eval *ev, Value *v, ValueKind kind, SrcPos at,
                          const char *what)
{
    if (v && v->kind != kind) {
        eval_error(ev, at, "expected %s, found %s", what,
                   value_text(ev->arena, v));
        return NULL;
    }
    return v;
}

static Value *eval_int(Eval *ev, Expr *e, Env *env)
{
    return expect_kind(ev, eval_expr(ev, e, env), V_INT, e->pos, "an integer");
}

static Value *arith(Eval *ev, Expr *e, long long a, long long b)
{
    long long r = 0;
    switch (e->op) {
    case TOK_PLUS: r = a + b; break;
    case TOK_MINUS: r = a - b; break;
    case TOK_STAR: r = a * b; break;
    case TOK_SLASH: case TOK_PERCENT:
        if (b == 0) {
            eval_error(ev, e->pos, "%s by zero",
                       e->op == TOK_SLASH ? "division" : "modulo");
            return NULL;
        }
        /* Floored, as Haskell's div and mod, which libcspm's evaluator
         * (FDR's front end) uses: (-20)/3 == -7, (-20)%3 == 1, so that
         * (i-1)%N is N-1 for i = 0, as FDR's own dining philosophers
         * scripts need for their fork numbers. */
        if (e->op == TOK_SLASH) {
            r = a / b;
            if (a % b != 0 && (a < 0) != (b < 0))
                r--;
        } else {
            r = a % b;
            if (r != 0 && (r < 0) != (b < 0))
                r += b;
        }
        break;
    }
    if (r > 2147483647LL || r < -2147483648LL) {
        eval_error(ev, e->pos, "integer overflow (%lld)", r);
        return NULL;
    }
    return value_int(ev->arena, r);
}

/* Sequences are ordered by prefix: <1> < <1, 2>, but not <1> < <2>. */
static int seq_prefix_order(int op, Value *a, Value *b)
{
    if (op == TOK_GT || op == TOK_GE) {
        Value *t = a;
        a = b;
        b = t;
    }
    if (a->n > b->n || ((op == TOK_LT || op == TOK_GT) && a->n == b->n))
        return 0;
    for (uint32_t i = 0; i < a->n; i++)
        if (!value_equal(a->items[i], b->items[i]))
            return 0;
    return 1;
}

static Value *eval_binop(Eval *ev, Expr *e, Env *env)
{
    if (e->op == TOK_AND || e->op == TOK_OR) {
        Value *a = expect_kind(ev, eval_expr(ev, e->kids[0], env), V_BOOL,
                               e->kids[0]->pos, "a boolean");
        if (!a || a->ival == (e->op == TOK_OR))
            return a;
        return expect_kind(ev, eval_expr(ev, e->kids[1], env), V_BOOL,
                           e->kids[1]->pos, "a boolean");
    }
    Value *a = eval_expr(ev, e->kids[0], env);
    Value *b = a ? eval_expr(ev, e->kids[1], env) : NULL;
    if (!b)
        return NULL;
    switch (e->op) {
    case TOK_EQEQ: return value_bool(ev->arena, value_equal(a, b));
    case TOK_NE: return value_bool(ev->arena, !value_equal(a, b));
    case TOK_LT: case TOK_GT: case TOK_LE: case TOK_GE: {
        if (set_is_set(a) && set_is_set(b)) { /* subset order */
            int sub_ab = set_subset(ev, a, b, e->pos);
            int sub_ba = sub_ab < 0 ? -1 : set_subset(ev, b, a, e->pos);
            if (sub_ba < 0)
                return NULL;
            int r = e->op == TOK_LE   ? sub_ab
                    : e->op == TOK_GE ? sub_ba
                    : e->op == TOK_LT ? sub_ab && !sub_ba
                                      : sub_ba && !sub_ab;
            return value_bool(ev->arena, r);
        }
        if (a->kind == V_SEQ && b->kind == V_SEQ) /* prefix order */
            return value_bool(ev->arena, seq_prefix_order(e->op, a, b));
        int c = value_cmp(a, b);
        int r = e->op == TOK_LT ? c < 0 : e->op == TOK_GT ? c > 0
                : e->op == TOK_LE ? c <= 0 : c >= 0;
        return value_bool(ev->arena, r);
    }
    case TOK_CARET: {
        if (a->kind == V_LSEQ && (b->kind == V_SEQ || b->kind == V_LSEQ))
            return a; /* an infinite sequence has no end to append to */
        if (a->kind == V_SEQ && b->kind == V_LSEQ)
            return lazy_append(ev, a, b);
        if (!expect_kind(ev, a, V_SEQ, e->kids[0]->pos, "a sequence") ||
            !expect_kind(ev, b, V_SEQ, e->kids[1]->pos, "a sequence"))
            return NULL;
        return value_concat(ev->arena, a, b);
    }
    default:
        if (!expect_kind(ev, a, V_INT, e->kids[0]->pos, "an integer") ||
            !expect_kind(ev, b, V_INT, e->kids[1]->pos, "an integer"))
            return NULL;
        return arith(ev, e, a->ival, b->ival);
    }
}

static Value *eval_unop(Eval *ev, Expr *e, Env *env)
{
    Value *a = eval_expr(ev, e->kids[0], env);
    if (!a)
        return NULL;
    if (e->op == TOK_NOT) {
        a = expect_kind(ev, a, V_BOOL, e->kids[0]->pos, "a boolean");
        return a ? value_bool(ev->arena, !a->ival) : NULL;
    }
    if (e->op == TOK_HASH) {
        if (a->kind == V_LSEQ || a->kind == V_ISET) {
            lazy_enumerate_error(ev, a, e->pos, "#");
            return NULL;
        }
        if (a->kind != V_SEQ && a->kind != V_SET)
            return expect_kind(ev, a, V_SEQ, e->kids[0]->pos, "a sequence");
        return value_int(ev->arena, a->n);
    }
    a = expect_kind(ev, a, V_INT, e->kids[0]->pos, "an integer");
    if (a && a->ival == -2147483648LL) { /* Int is 32 bits, as in FDR */
        eval_error(ev, e->pos, "integer overflow (%lld)", -a->ival);
        return NULL;
    }
    return a ? value_int(ev->arena, -a->ival) : NULL;
}

static Value *eval_list(Eval *ev, Expr *e, Env *env, ValueKind kind)
{
    Value **items = arena_alloc(ev->arena, (e->nkids + 1) * sizeof *items);
    if (!items)
        return NULL;
    for (size_t i = 0; i < e->nkids; i++)
        if (!(items[i] = eval_expr(ev, e->kids[i], env)))
            return NULL;
    return kind == V_SET ? value_set(ev->arena, items, e->nkids)
                         : value_items(ev->arena, kind, items, e->nkids);
}

static Value *eval_range(Eval *ev, Expr *e, Env *env, ValueKind kind)
{
    Value *lo = eval_int(ev, e->kids[0], env);
    if (lo && e->nkids < 2) /* {m..}, <m..> */
        return kind == V_SET ? set_ints(ev, lo->ival, ISET_POS_INF, e->pos)
                             : lazy_from(ev, lo->ival);
    Value *hi = lo ? eval_int(ev, e->kids[1], env) : NULL;
    if (!hi)
        return NULL;
    if (kind == V_SET)
        return set_ints(ev, lo->ival, hi->ival, e->pos);
    long long n = hi->ival >= lo->ival ? hi->ival - lo->ival + 1 : 0;
    if (n > 10000000) {
        eval_error(ev, e->pos, "range of %lld values is too large", n);
        return NULL;
    }
    Value **items = arena_alloc(ev->arena, ((size_t)n + 1) * sizeof *items);
    if (!items)
        return NULL;
    for (long long i = 0; i < n; i++)
        if (!(items[i] = value_int(ev->arena, lo->ival + i)))
            return NULL;
    return value_items(ev->arena, kind, items, (size_t)n); /* sorted */
}

typedef struct Collect {
    Expr *e;      /* every kid is an element: {| a, b | x <- S |} */
    VList out;
    int events;   /* {| |}: productions of each element */
    Value *infinite; /* {m.. | ...}: the union of the infinite ranges */
} Collect;

/* {m..n | x <- S}: a comprehension of ranges gives their elements. */
static int collect_range(Eval *ev, Collect *c, Expr *range, Env *env)
{
    Value *v = eval_expr(ev, range, env);
    if (!v)
        return -1;
    if (v->kind == V_ISET) {
        c->infinite = c->infinite ? set_union(ev, c->infinite, v, range->pos)
                                  : v;
        return c->infinite ? 0 : -1;
    }
    if (v->kind == V_LSEQ) {
        lazy_enumerate_error(ev, v, range->pos, "a comprehension of ranges");
        return -1;
    }
    for (uint32_t i = 0; i < v->n; i++)
        if (vlist_add(ev, &c->out, v->items[i]))
            return -1;
    return 0;
}

static int collect_one(Eval *ev, Env *env, void *ctx)
{
    Collect *c = ctx;
    if (c->e->op == TOK_DOTDOT)
        return collect_range(ev, c, c->e->kids[0], env);
    for (size_t i = 0; i < c->e->nkids; i++) {
        Expr *elem = c->e->kids[i];
        Value *v = eval_expr(ev, elem, env);
        if (!v)
            return -1;
        if (c->events ? eval_productions(ev, v, elem->pos, &c->out)
                      : vlist_add(ev, &c->out, v))
            return -1;
    }
    return 0;
}

int eval_comp_elements(Eval *ev, Expr *comp, size_t first, Env *env,
                       VList *out)
{
    Collect c = {comp, *out, 0, NULL};
    int rc = stmts_from(ev, comp->stmts, comp->nstmts, first, env,
                        collect_one, &c);
    *out = c.out;
    if (rc == 0 && c.infinite) {
        lazy_enumerate_error(ev, c.infinite, comp->pos, "a sequence");
        return -1;
    }
    return rc;
}

/* A sequence comprehension whose first generator draws from an infinite
 * sequence is itself infinite, and lazy (eval_lazy.c). */
static Value *eval_comp(Eval *ev, Expr *e, Env *env, ValueKind kind,
                        int events)
{
    Collect c = {e, {0}, events, NULL};
    int rc;
    if (kind == V_SEQ && e->nstmts > 0 && e->stmts[0].pattern) {
        Value *src = eval_expr(ev, e->stmts[0].expr, env);
        if (!src)
            return NULL;
        if (src->kind == V_LSEQ)
            return lazy_comp(ev, e, env, src);
        rc = stmts_with(ev, e->stmts, e->nstmts, 0, env, collect_one, &c, src);
    } else {
        rc = eval_stmts(ev, e->stmts, e->nstmts, env, collect_one, &c);
    }
    if (rc != 0)
        return NULL;
    if (kind != V_SET) {
        if (c.infinite) {
            lazy_enumerate_error(ev, c.infinite, e->pos, "a sequence");
            return NULL;
        }
        return value_items(ev->arena, kind, c.out.items, c.out.count);
    }
    Value *v = value_set(ev->arena, c.out.items, c.out.count);
    return v && c.infinite ? set_union(ev, v, c.infinite, e->pos) : v;
}

static Value *eval_events(Eval *ev, Expr *e, Env *env)
{
    VList out = {0};
    for (size_t i = 0; i < e->nkids; i++) {
        Value *v = eval_expr(ev, e->kids[i], env);
        if (!v || eval_productions(ev, v, e->kids[i]->pos, &out) != 0)
            return NULL;
    }
    return value_set(ev->arena, out.items, out.count);
}

static size_t count_names(const Expr *p)
{
    size_t n = p->kind == E_NAME;
    for (size_t i = 0; i < p->nkids; i++)
        n += count_names(p->kids[i]);
    return n;
}

/* The variables of a let's pattern binding, each bound lazily to its part
 * of the value (eval_binding matches the pattern), added to *env (which
 * may be NULL, the top level). 0, or -1 when out of memory. */
static int eval_let_pattern(Eval *ev, Decl *d, Expr *p, Env **env,
                            Binding **made, size_t *count)
{
    if (p->kind == E_NAME) {
        Binding *old = eval_lookup(ev, *env, p->name);
        if (old && old->state == B_DONE && old->value &&
            old->value->kind == V_NAME)
            return 0; /* a channel or constructor: a constant */
        Decl **clauses = arena_alloc(ev->arena, sizeof *clauses);
        Env *inner = clauses ? eval_bind(ev, *env, p->name, NULL) : NULL;
        if (!inner)
            return -1;
        clauses[0] = d;
        inner->binding->clauses = clauses;
        inner->binding->nclauses = 1;
        inner->binding->state = B_TODO;
        inner->binding->pos = p->pos;
        made[(*count)++] = inner->binding;
        *env = inner;
        return 0;
    }
    for (size_t i = 0; i < p->nkids; i++)
        if (eval_let_pattern(ev, d, p->kids[i], env, made, count) != 0)
            return -1;
    return 0;
}

/* let: the local definitions see each other (and themselves). Clauses of
 * one function may be spread over several declarations. */
int eval_let_env(Eval *ev, Decl **decls, size_t n, Env *env, Env **out)
{
    Env *inner = env;
    size_t slots = n + 1; /* one binding per name, several per pattern */
    for (size_t i = 0; i < n; i++)
        if (decls[i]->kind == D_DEF && !decls[i]->name)
            slots += count_names(decls[i]->lhs);
    Binding **made = arena_alloc(ev->arena, slots * sizeof *made);
    if (!made)
        return -1;
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        Decl *d = decls[i];
        if (d->kind != D_DEF)
            continue;
        if (!d->name) { /* (a, b) = e: each variable a lazy binding */
            if (eval_let_pattern(ev, d, d->lhs, &inner, made, &count) != 0)
                return -1;
            continue;
        }
        Binding *b = NULL;
        for (size_t k = 0; k < count && !b; k++)
            if (!strcmp(made[k]->name, d->name))
                b = made[k];
        if (!b) {
            inner = eval_bind(ev, inner, d->name, NULL);
            if (!inner)
                return -1;
            b = inner->binding;
            b->state = B_TODO;
            b->pos = d->pos;
            made[count++] = b;
        }
        Decl **clauses = arena_alloc(ev->arena,
                                     (b->nclauses + 1) * sizeof *clauses);
        if (!clauses)
            return -1;
        if (b->nclauses)
            mem_copy(clauses, b->clauses, b->nclauses * sizeof *clauses);
        clauses[b->nclauses++] = d;
        b->clauses = clauses;
    }
    for (size_t k = 0; k < count; k++)
        made[k]->env = inner;
    *out = inner;
    return 0;
}

static Value *eval_name(Eval *ev, Expr *e, Env *env)
{
    Binding *b = eval_lookup(ev, env, e->name);
    if (b)
        return eval_binding(ev, b, e->pos);
    int id = builtin_lookup(e->name);
    if (id >= 0)
        return builtin_value(ev, id, e->pos, e->timed != NULL);
    Binding *hidden = table_find(ev, e->name);
    if (hidden && hidden->private_to)
        eval_error(ev, e->pos, "'%s' is private to module %.*s", e->name,
                   (int)strlen(hidden->private_to) - 2, hidden->private_to);
    else
        eval_error(ev, e->pos, "unknown name '%s'", e->name);
    return NULL;
}

static Value *eval_call(Eval *ev, Expr *e, Env *env)
{
    Value *fn = eval_expr(ev, e->kids[0], env);
    if (!fn)
        return NULL;
    size_t n = e->nkids - 1;
    Value **args = arena_alloc(ev->arena, (n + 1) * sizeof *args);
    if (!args)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(args[i] = eval_expr(ev, e->kids[i + 1], env)))
            return NULL;
    return eval_apply(ev, fn, args, n, e->pos);
}

static Value *eval_data(Eval *ev, Expr *e, Env *env)
{
    switch (e->kind) {
    case E_INT: return value_int(ev->arena, e->ival);
    case E_BOOL: return value_bool(ev->arena, (int)e->ival);
    case E_CHAR: return value_char(ev->arena, (int)e->ival);
    case E_STRING: {
        size_t n = strlen(e->name);
        Value **items = arena_alloc(ev->arena, (n + 1) * sizeof *items);
        if (!items)
            return NULL;
        for (size_t i = 0; i < n; i++)
            items[i] = value_char(ev->arena, (unsigned char)e->name[i]);
        return value_items(ev->arena, V_SEQ, items, n);
    }
    case E_NAME: return eval_name(ev, e, env);
    case E_CALL: return eval_call(ev, e, env);
    case E_BINOP: return eval_binop(ev, e, env);
    case E_UNOP: return eval_unop(ev, e, env);
    case E_IF: {
        Value *c = expect_kind(ev, eval_expr(ev, e->kids[0], env), V_BOOL,
                               e->kids[0]->pos, "a boolean condition");
        return c ? eval_expr(ev, e->kids[c->ival ? 1 : 2], env) : NULL;
    }
    case E_LET: {
        Env *inner;
        return eval_let_env(ev, e->decls, e->ndecls, env, &inner) == 0
                   ? eval_expr(ev, e->kids[0], inner)
                   : NULL;
    }
    case E_LAMBDA:
        return eval_closure(ev, (Closure){.kind = CL_LAMBDA, .lambda = e,
                                          .env = env});
    case E_TUPLE: return eval_list(ev, e, env, V_TUPLE);
    case E_DOT: {
        Value *a = eval_expr(ev, e->kids[0], env);
        Value *b = a ? eval_expr(ev, e->kids[1], env) : NULL;
        Value *v = b ? value_dot(ev->arena, a, b) : NULL;
        return v && eval_dot_check(ev, v, e->pos) == 0 ? v : NULL;
    }
    case E_SET: return eval_list(ev, e, env, V_SET);
    case E_SEQ: return eval_list(ev, e, env, V_SEQ);
    case E_SET_RANGE: return eval_range(ev, e, env, V_SET);
    case E_SEQ_RANGE: return eval_range(ev, e, env, V_SEQ);
    case E_SET_COMP: return eval_comp(ev, e, env, V_SET, 0);
    case E_SEQ_COMP: return eval_comp(ev, e, env, V_SEQ, 0);
    case E_EVENTS: return eval_events(ev, e, env);
    case E_EVENTS_COMP: return eval_comp(ev, e, env, V_SET, 1);
    case E_MAP: {
        Value **kv = arena_alloc(ev->arena, (2 * e->npairs + 1) * sizeof *kv);
        if (!kv)
            return NULL;
        for (size_t i = 0; i < e->npairs; i++)
            if (!(kv[2 * i] = eval_expr(ev, e->pairs[i].from, env)) ||
                !(kv[2 * i + 1] = eval_expr(ev, e->pairs[i].to, env)))
                return NULL;
        return value_map(ev->arena, kv, e->npairs);
    }
    case E_WILD: case E_ALSO:
        eval_error(ev, e->pos, "a pattern is not a value here");
        return NULL;
    default: break;
    }
    /* every other kind is a process */
    uint32_t t = eval_proc(ev, e, env);
    return t == TERM_NONE ? NULL : value_proc(ev->arena, t);
}

Value *eval_expr(Eval *ev, Expr *e, Env *env)
{
    if (eval_enter(ev, e->pos) != 0)
        return NULL;
    Value *v = eval_data(ev, e, env);
    eval_leave(ev);
    return v;
}
