/* eval_set: union, intersection, difference, subset and emptiness over
 * finite sets (V_SET) and infinite ones (V_ISET, value.h).
 *
 * Sets of integers are computed exactly as unions of intervals, so
 * diff({1..}, {1}) is {2..} and equal to it; an interval result that is
 * finite is listed as an ordinary set. Other infinite sets (Proc, Seq(X),
 * infinite datatypes) stay symbolic: union/inter/diff nodes that answer
 * membership; a finite operand is filtered by membership instead, so
 * inter({1, 2}, Proc) is finite again. Whatever needs the elements of an
 * infinite set (card, a generator, Set, an input over it) reports "cannot
 * enumerate the infinite set ..." at the expression that needed them. */
#include "eval_impl.h"

#include <string.h>

enum { RANGE_LIMIT = 10000000 };

int set_finite(Eval *ev, Value *v, SrcPos at, const char *what)
{
    if (v->kind == V_SET)
        return 0;
    if (v->kind == V_ISET)
        eval_error(ev, at, "%s: cannot enumerate the infinite set %s", what,
                   value_text(ev->arena, v));
    else
        eval_error(ev, at, "%s: expected a set, found %s", what,
                   value_text(ev->arena, v));
    return -1;
}

int set_is_set(const Value *v) { return v->kind == V_SET || v->kind == V_ISET; }

Value *set_ints(Eval *ev, long long lo, long long hi, SrcPos at)
{
    long long b[2] = {lo, hi};
    int too_big;
    Value *v = value_int_intervals(ev->arena, b, 2, RANGE_LIMIT, &too_big);
    if (too_big)
        eval_error(ev, at, "the range {%lld..%lld} is too large to list", lo,
                   hi);
    return v;
}

static Value *from_bounds(Eval *ev, const long long *b, size_t n, SrcPos at)
{
    int too_big;
    Value *v = value_int_intervals(ev->arena, b, n, RANGE_LIMIT, &too_big);
    if (too_big)
        eval_error(ev, at, "a set of over %d integers is too large to list",
                   RANGE_LIMIT);
    return v;
}

/* The gaps between canonical intervals: the complement in Int. */
static size_t complement(const long long *b, size_t n, long long *out)
{
    size_t k = 0;
    long long start = ISET_NEG_INF;
    for (size_t i = 0; i < n; i += 2) {
        if (b[i] != ISET_NEG_INF && b[i] > start) {
            out[k++] = start;
            out[k++] = b[i] - 1;
        }
        if (b[i + 1] == ISET_POS_INF)
            return k;
        start = b[i + 1] + 1;
    }
    out[k++] = start;
    out[k++] = ISET_POS_INF;
    return k;
}

/* Pairwise intersections of two interval lists. */
static size_t intersect(const long long *x, size_t nx, const long long *y,
                        size_t ny, long long *out)
{
    size_t k = 0;
    for (size_t i = 0; i < nx; i += 2)
        for (size_t j = 0; j < ny; j += 2) {
            long long lo = x[i] > y[j] ? x[i] : y[j];
            long long hi = x[i + 1] < y[j + 1] ? x[i + 1] : y[j + 1];
            if (lo <= hi) {
                out[k++] = lo;
                out[k++] = hi;
            }
        }
    return k;
}

/* union, inter or diff (op: 0, 1, 2) of two sets of integers, or NULL
 * with *not_ints when one holds something else. */
static Value *int_op(Eval *ev, int op, Value *a, Value *b, SrcPos at,
                     int *not_ints)
{
    long long *x, *y;
    size_t nx, ny;
    *not_ints = value_int_bounds(ev->arena, a, &x, &nx) != 0 ||
                value_int_bounds(ev->arena, b, &y, &ny) != 0;
    if (*not_ints)
        return NULL;
    if (op == 0) {
        long long *all = arena_alloc(ev->arena, (nx + ny + 1) * sizeof *all);
        if (!all)
            return NULL;
        mem_copy(all, x, nx * sizeof *x);
        mem_copy(all + nx, y, ny * sizeof *y);
        return from_bounds(ev, all, nx + ny, at);
    }
    if (op == 2) { /* a minus b: a with the complement of b */
        long long *c = arena_alloc(ev->arena, (ny + 3) * sizeof *c);
        if (!c)
            return NULL;
        ny = complement(y, ny, c);
        y = c;
    }
    long long *out = arena_alloc(ev->arena,
                                 (nx / 2 * ny / 2 * 2 + 1) * sizeof *out);
    return out ? from_bounds(ev, out, intersect(x, nx, y, ny, out), at)
               : NULL;
}

static Value *filter(Eval *ev, Value *finite, Value *by, int keep_members)
{
    VList out = {0};
    for (uint32_t i = 0; i < finite->n; i++)
        if (value_member(by, finite->items[i]) == keep_members &&
            vlist_add(ev, &out, finite->items[i]))
            return NULL;
    return value_items(ev->arena, V_SET, out.items, out.count); /* sorted */
}

static Value *symbolic(Eval *ev, ISetKind kind, Value *a, Value *b)
{
    Value *pair[2] = {a, b};
    if (kind != IS_DIFF && value_cmp(a, b) > 0) { /* one form per set */
        pair[0] = b;
        pair[1] = a;
    }
    Value *v = value_items(ev->arena, V_ISET, pair, 2);
    if (v)
        v->ival = kind;
    return v;
}

static Value *merge(Eval *ev, Value *a, Value *b)
{
    Value **items = arena_alloc(ev->arena, (a->n + b->n + 1) * sizeof *items);
    if (!items)
        return NULL;
    mem_copy(items, a->items, a->n * sizeof *items);
    mem_copy(items + a->n, b->items, b->n * sizeof *items);
    return value_set(ev->arena, items, a->n + b->n);
}

Value *set_union(Eval *ev, Value *a, Value *b, SrcPos at)
{
    if (a->kind == V_SET && b->kind == V_SET)
        return merge(ev, a, b);
    if (a->kind == V_SET && a->n == 0)
        return b;
    if (b->kind == V_SET && b->n == 0)
        return a;
    int not_ints;
    Value *v = int_op(ev, 0, a, b, at, &not_ints);
    return not_ints ? symbolic(ev, IS_UNION, a, b) : v;
}

Value *set_inter(Eval *ev, Value *a, Value *b, SrcPos at)
{
    if (a->kind == V_SET)
        return filter(ev, a, b, 1);
    if (b->kind == V_SET)
        return filter(ev, b, a, 1);
    int not_ints;
    Value *v = int_op(ev, 1, a, b, at, &not_ints);
    return not_ints ? symbolic(ev, IS_INTER, a, b) : v;
}

Value *set_diff(Eval *ev, Value *a, Value *b, SrcPos at)
{
    if (a->kind == V_SET)
        return filter(ev, a, b, 0);
    if (b->kind == V_SET && b->n == 0)
        return a;
    int not_ints;
    Value *v = int_op(ev, 2, a, b, at, &not_ints);
    return not_ints ? symbolic(ev, IS_DIFF, a, b) : v;
}

int set_empty(Eval *ev, Value *v, SrcPos at)
{
    if (v->kind == V_SET)
        return v->n == 0;
    switch ((ISetKind)v->ival) {
    case IS_INTS: case IS_PROC: case IS_CHARS: case IS_SEQS: case IS_DATA:
    case IS_TUPLES: case IS_SUBTYPE:
        return 0;
    case IS_UNION:
        return set_empty(ev, v->items[0], at) == 1 &&
               set_empty(ev, v->items[1], at) == 1;
    default: break;
    }
    eval_error(ev, at, "cannot decide whether the infinite set %s is empty",
               value_text(ev->arena, v));
    return -1;
}

int set_subset(Eval *ev, Value *a, Value *b, SrcPos at)
{
    if (a->kind == V_SET) {
        for (uint32_t i = 0; i < a->n; i++)
            if (!value_member(b, a->items[i]))
                return 0;
        return 1;
    }
    if (value_equal(a, b))
        return 1;
    long long *x;
    size_t nx;
    if (value_int_bounds(ev->arena, a, &x, &nx) == 0) {
        if (b->kind == V_SET) /* an infinite set in a finite one */
            return 0;
        int not_ints;
        Value *rest = int_op(ev, 2, a, b, at, &not_ints);
        if (!not_ints)
            return rest ? rest->kind == V_SET && rest->n == 0 : -1;
    }
    eval_error(ev, at, "cannot compare the infinite sets %s and %s",
               value_text(ev->arena, a), value_text(ev->arena, b));
    return -1;
}
