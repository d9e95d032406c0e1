/* eval_lazy: infinite sequences, computed as far as they are looked at.
 *
 * <m..> is a counting stream; a sequence comprehension whose first
 * generator draws from an infinite sequence is a stream whose elements are
 * produced one source element at a time (<x | x <- <0..>, x % 2 == 1>);
 * s ^ t with s finite and t infinite is a stream that starts with s. Every
 * stream is infinite (finite sequences are always computed whole), so
 * null is false, s ^ t is s when s is infinite, and # or a generator over
 * one is an error ("cannot enumerate the infinite sequence"). head, tail
 * and the patterns <>, <x, ...> and <x>^xs force what they need. A tail
 * shares its stream, at a later offset (Value.ival), so forcing is done
 * once. */
#include "eval_impl.h"

/* Where a non-counting stream gets its elements. */
typedef struct Producer {
    Value *source;   /* the infinite sequence drawn from */
    size_t index;    /* its next element (absolute, in source's stream) */
    Expr *comp;      /* the comprehension, or NULL: copy the source */
    Env *env;
} Producer;

/* Source elements tried for one element before giving up: a filter that
 * rejects everything would otherwise loop until the step limit. */
enum { LAZY_SEARCH_LIMIT = 1000000 };

static Value *stream_value(Eval *ev, SeqStream *st, size_t offset)
{
    Value *v = value_items(ev->arena, V_LSEQ, NULL, 0);
    if (v) {
        v->ref = st;
        v->ival = (long long)offset;
    }
    return v;
}

Value *lazy_from(Eval *ev, long long m)
{
    SeqStream *st = arena_alloc(ev->arena, sizeof *st);
    if (!st)
        return NULL;
    *st = (SeqStream){.counting = 1, .from = m};
    return stream_value(ev, st, 0);
}

static Value *stream_with(Eval *ev, Value **prefix, size_t n,
                          Producer proto)
{
    SeqStream *st = arena_alloc(ev->arena, sizeof *st);
    Producer *pr = arena_alloc(ev->arena, sizeof *pr);
    if (!st || !pr)
        return NULL;
    *pr = proto;
    *st = (SeqStream){.producer = pr};
    if (n) {
        st->forced = arena_alloc(ev->arena, n * sizeof *st->forced);
        if (!st->forced)
            return NULL;
        mem_copy(st->forced, prefix, n * sizeof *prefix);
        st->count = st->cap = n;
    }
    return stream_value(ev, st, 0);
}

Value *lazy_comp(Eval *ev, Expr *comp, Env *env, Value *source)
{
    return stream_with(ev, NULL, 0,
                       (Producer){source, (size_t)source->ival, comp, env});
}

Value *lazy_append(Eval *ev, Value *prefix, Value *rest)
{
    return stream_with(ev, prefix->items, prefix->n,
                       (Producer){rest, (size_t)rest->ival, NULL, NULL});
}

static int stream_push(Eval *ev, SeqStream *st, Value *v)
{
    if (st->count == st->cap) {
        size_t cap = st->cap ? 2 * st->cap : 16;
        Value **items = arena_alloc(ev->arena, cap * sizeof *items);
        if (!items)
            return -1;
        if (st->count)
            mem_copy(items, st->forced, st->count * sizeof *items);
        st->forced = items;
        st->cap = cap;
    }
    st->forced[st->count++] = v;
    return 0;
}

/* One more step of a producer: appends zero or more elements. */
static int produce(Eval *ev, SeqStream *st, SrcPos at)
{
    Producer *pr = st->producer;
    Value *src = lazy_tail(ev, pr->source, pr->index - (size_t)pr->source->ival);
    Value **item = src ? lazy_take(ev, src, 1, at) : NULL;
    if (!item)
        return -1;
    pr->index++;
    if (!pr->comp)
        return stream_push(ev, st, item[0]);
    Env *env = pr->env;
    Stmt *first = &pr->comp->stmts[0];
    int errors = ev->errors;
    if (!eval_match(ev, first->pattern, item[0], &env))
        return ev->errors == errors ? 0 : -1;
    VList out = {0};
    if (eval_comp_elements(ev, pr->comp, 1, env, &out) != 0)
        return -1;
    for (size_t i = 0; i < out.count; i++)
        if (stream_push(ev, st, out.items[i]))
            return -1;
    return 0;
}

Value **lazy_take(Eval *ev, Value *v, size_t k, SrcPos at)
{
    SeqStream *st = (SeqStream *)v->ref;
    size_t need = (size_t)v->ival + k;
    if (st->counting) {
        for (long long i = (long long)st->count; (size_t)i < need; i++)
            if (stream_push(ev, st, value_int(ev->arena, st->from + i)))
                return NULL;
        return st->forced + v->ival;
    }
    size_t tried = 0;
    while (st->count < need) {
        size_t before = st->count;
        if (eval_enter(ev, at) != 0)
            return NULL;
        int rc = produce(ev, st, at);
        eval_leave(ev);
        if (rc != 0)
            return NULL;
        tried = st->count == before ? tried + 1 : 0;
        if (tried > LAZY_SEARCH_LIMIT) {
            eval_error(ev, at, "no further element of this infinite "
                               "sequence among the next %d candidates",
                       LAZY_SEARCH_LIMIT);
            return NULL;
        }
    }
    return st->forced + v->ival;
}

Value *lazy_tail(Eval *ev, Value *v, size_t k)
{
    return k == 0 ? v : stream_value(ev, (SeqStream *)v->ref,
                                     (size_t)v->ival + k);
}

void lazy_enumerate_error(Eval *ev, Value *v, SrcPos at, const char *what)
{
    eval_error(ev, at, "%s: cannot enumerate the infinite %s %s", what,
               v->kind == V_LSEQ ? "sequence" : "set",
               value_text(ev->arena, v));
}
