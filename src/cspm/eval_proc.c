/* eval_proc: process expressions to terms (checker/term.h), events,
 * productions ({| c |}) and the thunks that keep recursion lazy. See
 * eval.h for the idea; each operator's term is built here, its
 * semantics lives in checker/term.c. */
#include "eval_impl.h"

#include "hash.h"
#include "lex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- thunks ---------- */

static uint64_t call_hash(Binding *def, Value **args, size_t n)
{
    uint64_t h = (uint64_t)(uintptr_t)def * 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < n; i++)
        h = hash_mix(h, value_hash(args[i]));
    return h;
}

static int call_grow(Eval *ev)
{
    size_t slots = ev->call_slots ? 2 * ev->call_slots : 1024;
    uint32_t *index = mem_calloc(slots, sizeof *index);
    if (!index)
        return -1;
    for (size_t r = 0; r < ev->ncalls; r++) {
        size_t i = ev->calls[r]->hash & (slots - 1);
        while (index[i])
            i = (i + 1) & (slots - 1);
        index[i] = (uint32_t)r + 1;
    }
    mem_free(ev->call_index);
    ev->call_index = index;
    ev->call_slots = slots;
    return 0;
}

uint32_t eval_thunk(Eval *ev, Binding *def, Value **args, size_t n)
{
    if ((ev->ncalls + 1) * 2 > ev->call_slots && call_grow(ev) != 0)
        return TERM_NONE;
    uint64_t h = call_hash(def, args, n);
    size_t i = h & (ev->call_slots - 1);
    for (; ev->call_index[i]; i = (i + 1) & (ev->call_slots - 1)) {
        Call *c = ev->calls[ev->call_index[i] - 1];
        if (c->hash != h || c->def != def || c->nargs != n)
            continue;
        size_t k = 0;
        while (k < n && value_equal(c->args[k], args[k]))
            k++;
        if (k == n)
            return term_thunk(ev->terms, ev->call_index[i] - 1);
    }
    if (mem_grow((void **)&ev->calls, &ev->calls_cap, ev->ncalls + 1,
                 sizeof *ev->calls))
        return TERM_NONE;
    Call *c = arena_alloc(ev->arena, sizeof *c);
    Value **copy = arena_alloc(ev->arena, (n + 1) * sizeof *copy);
    if (!c || !copy)
        return TERM_NONE;
    if (n)
        mem_copy(copy, args, n * sizeof *copy);
    *c = (Call){def, copy, n, h};
    ev->calls[ev->ncalls] = c;
    ev->call_index[i] = (uint32_t)++ev->ncalls;
    return term_thunk(ev->terms, (uint32_t)(ev->ncalls - 1));
}

/* The body of a call in process context: the first clause that matches. */
uint32_t eval_resolve(void *ud, uint32_t ref)
{
    Eval *ev = ud;
    Call *c = ev->calls[ref];
    Binding *b = c->def;
    int errors = ev->errors;
    for (size_t k = 0; k < b->nclauses; k++) {
        Decl *d = b->clauses[k];
        Env *env = b->env;
        size_t a = 0;
        int ok = 1;
        for (size_t g = 0; g < d->ngroups && ok; g++)
            for (size_t i = 0; i < d->nparams[g] && ok; i++, a++)
                ok = a < c->nargs && eval_match(ev, d->params[g][i],
                                                c->args[a], &env);
        if (ev->errors != errors)
            return TERM_NONE;
        if (ok && a == c->nargs)
            return eval_proc(ev, d->body, env);
    }
    eval_error(ev, b->pos, "no clause of '%s' matches these arguments",
               b->name);
    return TERM_NONE;
}

static void eval_print_ref(void *ud, uint32_t ref, char *buf, size_t len)
{
    Eval *ev = ud;
    Call *c = ev->calls[ref];
    StrBuf s = {0};
    strbuf_add(&s, c->def->name);
    if (c->nargs) {
        strbuf_add(&s, "(");
        for (size_t i = 0; i < c->nargs; i++) {
            if (i)
                strbuf_add(&s, ", ");
            value_print(&s, c->args[i]);
        }
        strbuf_add(&s, ")");
    }
    snprintf(buf, len, "%s", s.buf ? s.buf : "?");
    mem_free(s.buf);
}

TermHooks eval_hooks(Eval *ev)
{
    return (TermHooks){ev, eval_resolve, eval_print_ref};
}

/* ---------- events ---------- */

static const NameInfo *channel_of(const Value *v)
{
    const Value *head = v->kind == V_DOT ? v->items[0] : v;
    if (head->kind != V_NAME || !((const NameInfo *)head->ref)->is_channel)
        return NULL;
    return head->ref;
}

static Value *take_typed(Eval *ev, const Value *type, Value **items,
                         size_t n, size_t *i);

/* One field from items[*i] when its type is not known: a constructor
 * takes its own fields along. */
static Value *take_field(Eval *ev, Value **items, size_t n, size_t *i)
{
    Value *item = items[(*i)++];
    const NameInfo *ctor = item->kind == V_NAME ? item->ref : NULL;
    if (!ctor || ctor->is_channel || ctor->arity == 0)
        return item;
    for (size_t k = 0; k < ctor->arity && *i < n && item; k++)
        item = value_dot(ev->arena, item,
                         take_typed(ev, ctor->fields[k], items, n, i));
    return item;
}

/* One field of type `type` from items[*i]: the fewest items whose dot is
 * a value of the type (newton.0 for a field of type Host.Port, Pickup.1
 * for one of a datatype), else as take_field. */
static Value *take_typed(Eval *ev, const Value *type, Value **items,
                         size_t n, size_t *i)
{
    Value *acc = NULL;
    for (size_t k = *i; type && k < n; k++) {
        acc = acc ? value_dot(ev->arena, acc, items[k]) : items[k];
        if (!acc)
            return NULL;
        if (value_member(type, acc)) {
            *i = k + 1;
            return acc;
        }
    }
    return take_field(ev, items, n, i);
}

Value *eval_structure(Eval *ev, Value *v)
{
    if (v->kind != V_DOT)
        return v;
    Value *flat = v;
    for (uint32_t i = 0; i < v->n && flat == v; i++)
        if (v->items[i]->kind == V_DOT) { /* nested: flatten first */
            flat = value_items(ev->arena, V_DOT, v->items, 1);
            for (uint32_t k = 1; flat && k < v->n; k++)
                flat = value_dot(ev->arena, flat, v->items[k]);
        }
    if (!flat)
        return NULL;
    return eval_structure_items(ev, flat->items, flat->n);
}

Value *eval_structure_items(Eval *ev, Value **items, size_t n)
{
    Value **out = arena_alloc(ev->arena, (n + 1) * sizeof *out);
    if (!out)
        return NULL;
    size_t count = 0, i = 1;
    out[count++] = items[0];
    const NameInfo *head = items[0]->kind == V_NAME ? items[0]->ref : NULL;
    while (i < n) {
        const Value *type = head && count - 1 < head->arity
                                ? head->fields[count - 1] : NULL;
        if (!(out[count++] = take_typed(ev, type, items, n, &i)))
            return NULL;
    }
    return value_items(ev->arena, V_DOT, out, count);
}

uint32_t eval_event_id(Eval *ev, const Value *v, SrcPos at)
{
    const NameInfo *ch = channel_of(v);
    if (ch && !(v = eval_structure(ev, (Value *)v)))
        return EVENT_NONE;
    size_t fields = v->kind == V_DOT ? v->n - 1 : 0;
    if (!ch || fields != ch->arity) {
        eval_error(ev, at, "%s is not an event%s",
                   value_text(ev->arena, v),
                   ch ? " (a channel with missing or extra fields)" : "");
        return EVENT_NONE;
    }
    for (size_t i = 0; i < fields; i++)
        if (ch->fields[i] && !value_member(ch->fields[i], v->items[i + 1])) {
            eval_error(ev, at, "%s is outside the type of channel %s "
                               "(field %zu is %s)",
                       value_text(ev->arena, v->items[i + 1]), ch->name,
                       i + 1, value_text(ev->arena, ch->fields[i]));
            return EVENT_NONE;
        }
    const char *name = value_text(ev->arena, v);
    uint32_t id = name ? event_intern(ev->events, name) : EVENT_NONE;
    if (id == EVENT_NONE)
        return EVENT_NONE;
    if (id >= ev->event_cap) {
        size_t cap = ev->event_cap ? ev->event_cap : 64;
        while (cap <= id)
            cap *= 2;
        Value **grown = mem_realloc(ev->event_values, cap * sizeof *grown);
        if (!grown)
            return EVENT_NONE;
        memset(grown + ev->event_cap, 0,
               (cap - ev->event_cap) * sizeof *grown);
        ev->event_values = grown;
        ev->event_cap = cap;
    }
    ev->event_values[id] = (Value *)v;
    return id;
}

/* Appends to out every completion of `prefix` (a channel with its first
 * `have` fields given) over the channel's remaining field types. */
static int complete(Eval *ev, const NameInfo *ch, Value **fields, size_t have,
                    SrcPos at, VList *out)
{
    if (have == ch->arity) { /* flat, as every dotted value is */
        Value *v = value_name(ev->arena, ch);
        for (size_t k = 0; k < have && v; k++)
            v = value_dot(ev->arena, v, fields[k]);
        return vlist_add(ev, out, v);
    }
    const Value *type = ch->fields[have];
    if (!type || type->kind == V_ISET) {
        eval_error(ev, at, "the events of channel %s cannot be listed: its "
                           "field %zu has an infinite type", ch->name,
                   have + 1);
        return -1;
    }
    for (uint32_t i = 0; i < type->n; i++) {
        fields[have] = type->items[i];
        if (complete(ev, ch, fields, have + 1, at, out) != 0)
            return -1;
    }
    return 0;
}

/* The channel or constructor a (dotted) value starts with, or NULL. */
static const NameInfo *name_of(const Value *v)
{
    const Value *head = v->kind == V_DOT ? v->items[0] : v;
    return head->kind == V_NAME ? head->ref : NULL;
}

static size_t flat_len(const Value *v) { return v->kind == V_DOT ? v->n : 1; }

static Value *flat_at(const Value *v, size_t i)
{
    return v->kind == V_DOT ? v->items[i] : (Value *)v;
}

/* The completions of a partial value whose given fields do not line up
 * with the channel's fields (c.X where X needs a field of its own): every
 * completion of the channel whose flat form starts with v's. */
static int productions_by_prefix(Eval *ev, const NameInfo *ch, Value *v,
                                 SrcPos at, VList *out)
{
    VList all = {0};
    Value **fields = arena_alloc(ev->arena, (ch->arity + 1) * sizeof *fields);
    if (!fields || complete(ev, ch, fields, 0, at, &all) != 0)
        return -1;
    size_t n = flat_len(v);
    for (size_t i = 0; i < all.count; i++) {
        Value *e = all.items[i];
        size_t k = 0;
        while (k < n && k < flat_len(e) &&
               value_equal(flat_at(e, k), flat_at(v, k)))
            k++;
        if (k == n && vlist_add(ev, out, e))
            return -1;
    }
    return 0;
}

int eval_productions(Eval *ev, Value *v, SrcPos at, VList *out)
{
    const NameInfo *ch = name_of(v); /* {| c |}, and {| Ctor |} too */
    Value *s = ch ? eval_structure(ev, v) : NULL;
    size_t have = s && s->kind == V_DOT ? s->n - 1 : 0;
    if (!ch || !s) {
        eval_error(ev, at, "%s is not a channel or the start of an event",
                   value_text(ev->arena, v));
        return -1;
    }
    if (have > ch->arity) /* rx.c.0 where rx's one field is an event */
        return productions_by_prefix(ev, ch, v, at, out);
    for (size_t i = 0; i < have; i++)
        if (ch->fields[i] && !value_member(ch->fields[i], s->items[i + 1]))
            return productions_by_prefix(ev, ch, v, at, out);
    Value **fields = arena_alloc(ev->arena, (ch->arity + 1) * sizeof *fields);
    if (!fields)
        return -1;
    if (have)
        mem_copy(fields, s->items + 1, have * sizeof *fields);
    return complete(ev, ch, fields, have, at, out);
}

uint32_t eval_event_set(Eval *ev, Expr *e, Env *env)
{
    Value *v = eval_expr(ev, e, env);
    if (!v)
        return TERM_NONE;
    if (set_finite(ev, v, e->pos, "a set of events") != 0)
        return TERM_NONE;
    uint32_t *ids = mem_alloc((v->n + 1) * sizeof *ids);
    if (!ids)
        return TERM_NONE;
    for (uint32_t i = 0; i < v->n; i++)
        if ((ids[i] = eval_event_id(ev, v->items[i], e->pos)) == EVENT_NONE) {
            mem_free(ids);
            return TERM_NONE;
        }
    uint32_t set = term_set(ev->terms, ids, v->n);
    mem_free(ids);
    return set;
}

/* ---------- prefixes ---------- */

typedef struct Prefix {
    Expr *e;
    const NameInfo *ch;
    Value **fields;      /* the event's fields so far */
    size_t have;
} Prefix;

static uint32_t prefix_from(Eval *ev, Prefix *p, size_t f, Env *env);

typedef struct Input {
    Prefix *p;
    size_t f, width;
    Value *allowed;
    Env *env;
    uint32_t *kids;
    size_t n, cap;
    int errors;
} Input;

/* Chooses a value for each of the `width` fields from field k on; at the
 * end matches the combination (x, or x.y for two fields) and goes on with
 * the next field of the prefix. */
static int input_rec(Eval *ev, Input *in, size_t k, Value *combo)
{
    Prefix *p = in->p;
    Field *fd = &p->e->fields[in->f];
    if (k == in->width) {
        Env *inner = in->env;
        if (in->allowed && !value_member(in->allowed, combo))
            return 0;
        if (!eval_match(ev, fd->expr, combo, &inner))
            return ev->errors != in->errors ? -1 : 0;
        if (mem_grow((void **)&in->kids, &in->cap, in->n + 1, sizeof *in->kids))
            return -1;
        p->have += in->width;
        in->kids[in->n] = prefix_from(ev, p, in->f + 1, inner);
        p->have -= in->width;
        return in->kids[in->n++] == TERM_NONE ? -1 : 0;
    }
    const Value *type = p->ch->fields[p->have + k];
    if (!type || type->kind == V_ISET) {
        eval_error(ev, fd->pos, "input over an infinite type (field %zu of "
                                "channel %s)", p->have + k + 1, p->ch->name);
        return -1;
    }
    for (uint32_t i = 0; i < type->n; i++) {
        p->fields[p->have + k] = type->items[i];
        Value *next = combo ? value_dot(ev->arena, combo, type->items[i])
                            : type->items[i];
        if (!next || input_rec(ev, in, k + 1, next) != 0)
            return -1;
    }
    return 0;
}

static int flat_prefix(const Value *part, const Value *whole)
{
    size_t n = part->kind == V_DOT ? part->n : 1;
    if ((whole->kind == V_DOT ? whole->n : 1) <= n)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (!value_equal(part->kind == V_DOT ? part->items[k] : part,
                         whole->items[k]))
            return 0;
    return 1;
}

/* Whether the last field given, `part`, may still be completed into a
 * value of `type` (X.A for a field of type {A.0.1, A.1.0}). */
static int completes_into(const Value *type, const Value *part)
{
    if (type->kind != V_SET)
        return 1; /* infinite: membership is all we can tell */
    for (uint32_t i = 0; i < type->n; i++)
        if (flat_prefix(part, type->items[i]))
            return 1;
    return 0;
}

int eval_dot_check(Eval *ev, Value *v, SrcPos at)
{
    const Value *head = v->kind == V_DOT ? v->items[0] : v;
    const NameInfo *name = head->kind == V_NAME ? head->ref : NULL;
    if (!name || !name->arity || v->kind != V_DOT || v->n - 1 < name->arity)
        return 0; /* not a name with all its fields: nothing to check */
    Value *s = eval_structure(ev, v);
    if (!s)
        return -1;
    if (s->n - 1 != name->arity)
        return 0; /* extra items: not a value of this name */
    for (size_t i = 0; i < name->arity; i++) {
        const Value *type = name->fields[i], *field = s->items[i + 1];
        if (!type || value_member(type, field) ||
            (i + 1 == name->arity && completes_into(type, field)))
            continue;
        eval_error(ev, at, "%s is outside the type of %s %s (field %zu is "
                           "%s)",
                   value_text(ev->arena, field),
                   name->is_channel ? "channel" : "constructor", name->name,
                   i + 1, value_text(ev->arena, type));
        return -1;
    }
    return 0;
}

/* mc.c.Pickup?x: the last field given is a constructor still missing its
 * own fields; the input ranges over what completes it within the
 * field's type (x takes 0, 1, ... for Pickup.0, Pickup.1, ...). */
static uint32_t prefix_complete_input(Eval *ev, Prefix *p, size_t f,
                                      Env *env, Value *allowed)
{
    Field *fd = &p->e->fields[f];
    Value *part = p->fields[p->have - 1];
    const Value *type = p->ch->fields[p->have - 1];
    size_t skip = part->kind == V_DOT ? part->n : 1;
    uint32_t *kids = NULL;
    size_t n = 0, cap = 0;
    int errors = ev->errors;
    for (uint32_t i = 0; i < type->n; i++) {
        Value *whole = type->items[i];
        if (!flat_prefix(part, whole))
            continue;
        Value *rest = whole->n - skip == 1
                          ? whole->items[skip]
                          : value_items(ev->arena, V_DOT, whole->items + skip,
                                        whole->n - skip);
        Env *inner = env;
        if (!rest || (allowed && !value_member(allowed, rest)))
            continue;
        if (!eval_match(ev, fd->expr, rest, &inner)) {
            if (ev->errors != errors)
                break;
            continue;
        }
        if (mem_grow((void **)&kids, &cap, n + 1, sizeof *kids))
            break;
        p->fields[p->have - 1] = whole;
        kids[n] = prefix_from(ev, p, f + 1, inner);
        p->fields[p->have - 1] = part;
        if (kids[n++] == TERM_NONE)
            break;
    }
    uint32_t t = TERM_NONE;
    if (ev->errors == errors)
        t = n == 0 ? term_stop(ev->terms)
                   : term_choice(ev->terms, fd->kind == FIELD_IN ? TERM_EXT
                                                                 : TERM_INT,
                                 kids, n);
    mem_free(kids);
    return t;
}

/* ?x, $x: one branch per value of the field(s), combined by [] or |~|. */
static uint32_t prefix_input(Eval *ev, Prefix *p, size_t f, Env *env)
{
    Field *fd = &p->e->fields[f];
    if (p->have > 0 && p->ch->fields[p->have - 1] &&
        p->ch->fields[p->have - 1]->kind == V_SET &&
        !value_member(p->ch->fields[p->have - 1], p->fields[p->have - 1])) {
        Value *allowed = fd->restrict_to
                             ? eval_expr(ev, fd->restrict_to, env) : NULL;
        if (fd->restrict_to && (!allowed || !set_is_set(allowed)))
            return TERM_NONE;
        return prefix_complete_input(ev, p, f, env, allowed);
    }
    size_t left = p->ch->arity - p->have;
    size_t width = eval_pattern_width(ev, env, fd->expr);
    if (left == 0) {
        eval_error(ev, fd->pos, "channel %s has no field left to input",
                   p->ch->name);
        return TERM_NONE;
    }
    if (width > left)
        width = 1; /* k?A.x: one field whose values are dotted (A.0) */
    if (f + 1 == p->e->nfields && width < left)
        width = left; /* the last input takes the remaining fields */
    Input in = {p, f, width, NULL, env, NULL, 0, 0, ev->errors};
    if (fd->restrict_to) {
        in.allowed = eval_expr(ev, fd->restrict_to, env);
        if (!in.allowed || !set_is_set(in.allowed)) {
            if (in.allowed)
                eval_error(ev, fd->restrict_to->pos, "expected a set, found "
                           "%s", value_text(ev->arena, in.allowed));
            return TERM_NONE;
        }
    }
    uint32_t t = TERM_NONE;
    int rc = input_rec(ev, &in, 0, NULL);
    if (rc == 0 && in.n == 0 && fd->kind == FIELD_NDIN)
        eval_error(ev, fd->pos, "a nondeterministic input ($) with no value "
                   "to choose: an internal choice over nothing (FDR rejects "
                   "it too)");
    else if (rc == 0)
        t = in.n == 0 ? term_stop(ev->terms)
                      : term_choice(ev->terms, fd->kind == FIELD_IN ? TERM_EXT
                                                                    : TERM_INT,
                                    in.kids, in.n);
    mem_free(in.kids);
    return t;
}

/* Fields f.. of a prefix, then the event and the continuation. */
static uint32_t prefix_from(Eval *ev, Prefix *p, size_t f, Env *env)
{
    if (f == p->e->nfields) {
        Value **items = arena_alloc(ev->arena, (p->have + 2) * sizeof *items);
        if (!items)
            return TERM_NONE;
        items[0] = value_name(ev->arena, p->ch);
        mem_copy(items + 1, p->fields, p->have * sizeof *items);
        Value *event = !items[0] || !p->have
                           ? items[0]
                           : value_items(ev->arena, V_DOT, items, p->have + 1);
        if (!event)
            return TERM_NONE; /* out of memory */
        uint32_t id = eval_event_id(ev, event, p->e->kids[0]->pos);
        if (id == EVENT_NONE)
            return TERM_NONE;
        uint32_t next = eval_proc(ev, p->e->kids[1], env);
        if (p->e->timed)
            next = timed_after(ev, p->e, event, next);
        return term_prefix(ev->terms, id, next);
    }
    Field *fd = &p->e->fields[f];
    if (fd->kind != FIELD_OUT)
        return prefix_input(ev, p, f, env);
    Value *v = eval_expr(ev, fd->expr, env);
    if (!v)
        return TERM_NONE;
    /* the fields so far and v, structured again: a dotted value fills one
     * field when the field's type holds it whole (k!A.0 with k : T), else
     * one field per part (d!0.1), and it may complete a constructor given
     * before (mc.c.Pickup!0.Plus) */
    Value *flat = value_name(ev->arena, p->ch);
    for (size_t k = 0; k < p->have && flat; k++)
        flat = value_dot(ev->arena, flat, p->fields[k]);
    Value *s = flat ? value_dot(ev->arena, flat, v) : NULL;
    s = s ? eval_structure(ev, s) : NULL;
    Value **saved = arena_alloc(ev->arena, (p->ch->arity + 1) * sizeof *saved);
    if (!s || !saved)
        return TERM_NONE;
    size_t fields = s->kind == V_DOT ? s->n - 1 : 0;
    if (fields > p->ch->arity) {
        eval_error(ev, fd->pos, "too many fields for channel %s",
                   p->ch->name);
        return TERM_NONE;
    }
    size_t have = p->have;
    mem_copy(saved, p->fields, have * sizeof *saved);
    mem_copy(p->fields, s->items + 1, fields * sizeof *saved);
    p->have = fields;
    uint32_t t = prefix_from(ev, p, f + 1, env);
    mem_copy(p->fields, saved, have * sizeof *saved);
    p->have = have;
    return t;
}

static uint32_t eval_prefix(Eval *ev, Expr *e, Env *env)
{
    Value *head = eval_expr(ev, e->kids[0], env);
    if (!head)
        return TERM_NONE;
    const NameInfo *ch = channel_of(head);
    if (!ch) {
        eval_error(ev, e->kids[0]->pos, "%s is not an event or a channel",
                   value_text(ev->arena, head));
        return TERM_NONE;
    }
    head = eval_structure(ev, head); /* mcp.0.Pickup.1: two fields */
    Prefix p = {e, ch, arena_alloc(ev->arena, (ch->arity + 1) * sizeof(Value *)),
                0};
    if (!head || !p.fields)
        return TERM_NONE;
    size_t given = head->kind == V_DOT ? head->n - 1 : 0;
    if (given > ch->arity) {
        eval_error(ev, e->kids[0]->pos, "too many fields for channel %s",
                   ch->name);
        return TERM_NONE;
    }
    for (size_t i = 0; i < given; i++)
        p.fields[p.have++] = head->items[i + 1];
    uint32_t t = prefix_from(ev, &p, 0, env);
    return e->timed ? timed_wait(ev, t, e->pos) : t; /* $: a type error */
}

/* ---------- operators ---------- */

static uint32_t make2(Eval *ev, TermKind kind, uint32_t set_a, uint32_t set_b,
                      uint32_t rel, uint32_t p, uint32_t q)
{
    if (p == TERM_NONE || q == TERM_NONE)
        return TERM_NONE;
    uint32_t kids[2] = {p, q};
    return term_make(ev->terms, kind, set_a, set_b, rel, kids, 2);
}

static uint32_t make1(Eval *ev, TermKind kind, uint32_t set, uint32_t rel,
                      uint32_t p)
{
    if (p == TERM_NONE)
        return TERM_NONE;
    return term_make(ev->terms, kind, set, TERM_NONE, rel, &p, 1);
}

static uint32_t binary(Eval *ev, Expr *e, Env *env)
{
    uint32_t p = eval_proc(ev, e->kids[0], env);
    uint32_t q = p == TERM_NONE ? TERM_NONE : eval_proc(ev, e->kids[1], env);
    if (q == TERM_NONE)
        return TERM_NONE;
    uint32_t kids[2] = {p, q};
    if (e->timed && (e->op == TOK_EXTCHOICE || e->op == TOK_INTERRUPT ||
                     e->op == TOK_INTERLEAVE)) {
        TermKind kind = e->op == TOK_EXTCHOICE  ? TERM_SYNCEXT
                        : e->op == TOK_INTERRUPT ? TERM_SYNCINT
                                                 : TERM_PAR;
        return make2(ev, kind, timed_only_tock(ev, e->pos), TERM_NONE,
                     TERM_NONE, p, q);
    }
    switch (e->op) {
    case TOK_EXTCHOICE: return term_choice(ev->terms, TERM_EXT, kids, 2);
    case TOK_INTCHOICE: return term_choice(ev->terms, TERM_INT, kids, 2);
    case TOK_SEMI: return make2(ev, TERM_SEQ, TERM_NONE, TERM_NONE, TERM_NONE, p, q);
    case TOK_INTERRUPT: return make2(ev, TERM_INTERRUPT, TERM_NONE, TERM_NONE, TERM_NONE, p, q);
    case TOK_SLIDE: return make2(ev, TERM_SLIDE, TERM_NONE, TERM_NONE, TERM_NONE, p, q);
    case TOK_INTERLEAVE:
        return make2(ev, TERM_PAR, term_set(ev->terms, NULL, 0), TERM_NONE,
                     TERM_NONE, p, q);
    }
    eval_error(ev, e->pos, "unknown process operator");
    return TERM_NONE;
}

/* Every event of every channel (Events), as an id set. */
static uint32_t all_events(Eval *ev, SrcPos at)
{
    VList out = {0};
    for (size_t i = 0; i < ev->table_size; i++)
        for (Binding *b = ev->table[i]; b; b = b->next)
            if (b->state == B_DONE && b->value && b->value->kind == V_NAME &&
                ((const NameInfo *)b->value->ref)->is_channel &&
                eval_productions(ev, b->value, at, &out) != 0)
                return TERM_NONE;
    uint32_t *ids = mem_alloc((out.count + 1) * sizeof *ids);
    if (!ids)
        return TERM_NONE;
    for (size_t i = 0; i < out.count; i++)
        if ((ids[i] = eval_event_id(ev, out.items[i], at)) == EVENT_NONE) {
            mem_free(ids);
            return TERM_NONE;
        }
    uint32_t set = term_set(ev->terms, ids, out.count);
    mem_free(ids);
    return set;
}

/* P |\ A: P with every event outside A hidden. */
static uint32_t project(Eval *ev, Expr *e, uint32_t p, uint32_t keep)
{
    uint32_t all = all_events(ev, e->pos);
    if (all == TERM_NONE)
        return TERM_NONE;
    EventSet every = term_set_get(ev->terms, all);
    EventSet kept = term_set_get(ev->terms, keep);
    uint32_t *ids = mem_alloc((every.count + 1) * sizeof *ids);
    size_t n = 0;
    for (size_t i = 0; ids && i < every.count; i++)
        if (!event_set_has(&kept, every.ids[i]))
            ids[n++] = every.ids[i];
    uint32_t hide = ids ? term_set(ev->terms, ids, n) : TERM_NONE;
    mem_free(ids);
    return hide == TERM_NONE ? TERM_NONE : make1(ev, TERM_HIDE, hide, TERM_NONE, p);
}

static uint32_t with_set(Eval *ev, Expr *e, Env *env)
{
    uint32_t p = eval_proc(ev, e->kids[0], env);
    uint32_t set = p == TERM_NONE ? TERM_NONE
                                  : eval_event_set(ev, e->kids[1], env);
    if (set == TERM_NONE)
        return TERM_NONE;
    if (e->op == TOK_BACKSLASH)
        return make1(ev, TERM_HIDE, set, TERM_NONE, p);
    if (e->op == TOK_PROJECT)
        return project(ev, e, p, set);
    uint32_t q = eval_proc(ev, e->kids[2], env);
    if (e->timed && e->op != TOK_REXCEPT)
        set = timed_set(ev, set, e->pos);
    TermKind kind = e->op == TOK_LSYNC      ? TERM_PAR
                    : e->op == TOK_REXCEPT  ? TERM_EXCEPT
                    : e->op == TOK_LSYNCEXT ? TERM_SYNCEXT
                                            : TERM_SYNCINT;
    return make2(ev, kind, set, TERM_NONE, TERM_NONE, p, q);
}

static uint32_t apar(Eval *ev, Expr *e, Env *env)
{
    uint32_t p = eval_proc(ev, e->kids[0], env);
    uint32_t a = p == TERM_NONE ? TERM_NONE : eval_event_set(ev, e->kids[1], env);
    uint32_t b = a == TERM_NONE ? TERM_NONE : eval_event_set(ev, e->kids[2], env);
    uint32_t q = b == TERM_NONE ? TERM_NONE : eval_proc(ev, e->kids[3], env);
    if (e->timed && q != TERM_NONE) {
        a = timed_set(ev, a, e->pos);
        b = timed_set(ev, b, e->pos);
    }
    return make2(ev, TERM_APAR, a, b, TERM_NONE, p, q);
}

/* ---------- renaming and linking ---------- */

typedef struct Rel {
    Expr *e;
    uint32_t *from, *to;
    size_t count, cap;
} Rel;

static int rel_add(Eval *ev, Rel *r, uint32_t a, uint32_t b)
{
    (void)ev;
    size_t old = r->cap;
    if (mem_grow((void **)&r->from, &r->cap, r->count + 1, sizeof *r->from))
        return -1;
    if (r->cap != old) {
        uint32_t *to = mem_realloc(r->to, r->cap * sizeof *to);
        if (!to)
            return -1;
        r->to = to;
    }
    r->from[r->count] = a;
    r->to[r->count++] = b;
    return 0;
}

/* One pair a <- b: every event extending a is renamed to the event that
 * extends b by the same fields (so c <- d renames c.v to d.v). */
static int rel_pair(Eval *ev, Rel *r, Pair *pair, Env *env)
{
    Value *a = eval_expr(ev, pair->from, env);
    Value *b = a ? eval_expr(ev, pair->to, env) : NULL;
    if (!b)
        return -1;
    VList froms = {0};
    if (eval_productions(ev, a, pair->from->pos, &froms) != 0)
        return -1;
    size_t skip = a->kind == V_DOT ? a->n : 1;
    for (size_t i = 0; i < froms.count; i++) {
        Value *f = froms.items[i], *t = b;
        size_t n = f->kind == V_DOT ? f->n : 1;
        for (size_t k = skip; k < n; k++)
            if (!(t = value_dot(ev->arena, t, f->items[k])))
                return -1;
        uint32_t x = eval_event_id(ev, f, pair->from->pos);
        uint32_t y = x == EVENT_NONE ? EVENT_NONE
                                     : eval_event_id(ev, t, pair->to->pos);
        if (y == EVENT_NONE || rel_add(ev, r, x, y) != 0)
            return -1;
    }
    return 0;
}

static int rel_each(Eval *ev, Env *env, void *ctx)
{
    Rel *r = ctx;
    for (size_t i = 0; i < r->e->npairs; i++)
        if (rel_pair(ev, r, &r->e->pairs[i], env) != 0)
            return -1;
    return 0;
}

/* A link ties each event to one partner on each side (FDR rejects
 * [c.true <-> d.true, c.true <-> d.false]). 0, or -1 after the error. */
static int link_unambiguous(Eval *ev, const Rel *r, SrcPos at)
{
    uint64_t *keys = mem_alloc((r->count + 1) * sizeof *keys);
    int rc = keys ? 0 : -1;
    for (int side = 0; rc == 0 && side < 2; side++) {
        const uint32_t *a = side ? r->to : r->from, *b = side ? r->from : r->to;
        for (size_t i = 0; i < r->count; i++)
            keys[i] = (uint64_t)a[i] << 32 | b[i];
        qsort(keys, r->count, sizeof *keys, eval_u64_order);
        for (size_t i = 1; rc == 0 && i < r->count; i++)
            if (keys[i] >> 32 == keys[i - 1] >> 32 && keys[i] != keys[i - 1]) {
                eval_error(ev, at, "this linked parallel ties %s to two "
                           "events, %s and %s (FDR rejects it)",
                           event_name(ev->events, (uint32_t)(keys[i] >> 32)),
                           event_name(ev->events, (uint32_t)keys[i - 1]),
                           event_name(ev->events, (uint32_t)keys[i]));
                rc = -1;
            }
    }
    mem_free(keys);
    return rc;
}

/* The relation of e's pairs, over e's own generators (a renaming's or a
 * link's comprehension, `link` then). */
static uint32_t relation(Eval *ev, Expr *e, Env *env, int link)
{
    Rel r = {e, NULL, NULL, 0, 0};
    int rc = e->nstmts ? eval_stmts(ev, e->stmts, e->nstmts, env, rel_each, &r)
                       : rel_each(ev, env, &r);
    if (rc == 0 && link)
        rc = link_unambiguous(ev, &r, e->pos);
    uint32_t rel = rc == 0 ? term_rel(ev->terms, r.from, r.to, r.count)
                           : TERM_NONE;
    mem_free(r.from);
    mem_free(r.to);
    return rel;
}

/* ---------- replicated operators ---------- */

typedef struct Repl {
    Expr *e;
    uint32_t *procs, *sets;
    size_t count, cap;
} Repl;

static int repl_each(Eval *ev, Env *env, void *ctx)
{
    Repl *r = ctx;
    size_t old = r->cap;
    if (mem_grow((void **)&r->procs, &r->cap, r->count + 1, sizeof *r->procs))
        return -1;
    if (r->cap != old) {
        uint32_t *sets = mem_realloc(r->sets, r->cap * sizeof *sets);
        if (!sets)
            return -1;
        r->sets = sets;
    }
    uint32_t set = TERM_NONE;
    if (r->e->op == TOK_PARALLEL &&
        (set = eval_event_set(ev, r->e->kids[1], env)) == TERM_NONE)
        return -1;
    /* [ties | stmts] x : <s> @ P: the ties for each x (FDR), linking
     * P(x) to the instances after it */
    if (r->e->op == TOK_LINK &&
        (set = relation(ev, r->e->kids[1], env, 1)) == TERM_NONE)
        return -1;
    if (r->e->op == TOK_PARALLEL && r->e->timed &&
        (set = timed_set(ev, set, r->e->pos)) == TERM_NONE)
        return -1;
    uint32_t p = eval_proc(ev, r->e->kids[0], env);
    if (p == TERM_NONE)
        return -1;
    r->procs[r->count] = p;
    r->sets[r->count++] = set;
    return 0;
}

/* The union of the alphabets of processes i.. (for || x:S @ [A] P). */
static uint32_t alphabet_from(Eval *ev, const Repl *r, size_t i)
{
    size_t total = 0;
    for (size_t k = i; k < r->count; k++)
        total += term_set_get(ev->terms, r->sets[k]).count;
    uint32_t *ids = mem_alloc((total + 1) * sizeof *ids);
    if (!ids)
        return TERM_NONE;
    size_t n = 0;
    for (size_t k = i; k < r->count; k++) {
        EventSet s = term_set_get(ev->terms, r->sets[k]);
        mem_copy(ids + n, s.ids, s.count * sizeof *ids);
        n += s.count;
    }
    uint32_t set = term_set(ev->terms, ids, n);
    mem_free(ids);
    return set;
}

/* Folds the instances from the right: P1 op (P2 op (... Pn)). */
static uint32_t repl_fold(Eval *ev, Expr *e, Repl *r, uint32_t set)
{
    uint32_t acc = r->procs[r->count - 1];
    for (size_t i = r->count - 1; i-- > 0 && acc != TERM_NONE;) {
        uint32_t p = r->procs[i];
        switch (e->op) {
        case TOK_EXTCHOICE: /* timed: [+ {tock} +] */
            acc = make2(ev, TERM_SYNCEXT, set, TERM_NONE, TERM_NONE, p, acc);
            break;
        case TOK_INTERLEAVE:
            acc = make2(ev, TERM_PAR, e->timed ? set
                                               : term_set(ev->terms, NULL, 0),
                        TERM_NONE, TERM_NONE, p, acc);
            break;
        case TOK_LSYNC:
            acc = make2(ev, TERM_PAR, set, TERM_NONE, TERM_NONE, p, acc);
            break;
        case TOK_LSYNCEXT:
            acc = make2(ev, TERM_SYNCEXT, set, TERM_NONE, TERM_NONE, p, acc);
            break;
        case TOK_SEMI:
            acc = make2(ev, TERM_SEQ, TERM_NONE, TERM_NONE, TERM_NONE, p, acc);
            break;
        case TOK_PARALLEL:
            acc = make2(ev, TERM_APAR, r->sets[i], alphabet_from(ev, r, i + 1),
                        TERM_NONE, p, acc);
            break;
        case TOK_LINK: /* sets[i] holds instance i's ties */
            acc = make2(ev, TERM_LINK, TERM_NONE, TERM_NONE, r->sets[i], p,
                        acc);
            break;
        }
    }
    return acc;
}

/* The set a timed replicated operator shares, in *set: tock joins
 * [| A |] and [+ A +]; [] and ||| share {tock}. 0, or -1 after an
 * error. */
static int timed_repl_set(Eval *ev, Expr *e, uint32_t *set)
{
    switch (e->op) {
    case TOK_LSYNC: case TOK_LSYNCEXT:
        *set = timed_set(ev, *set, e->pos);
        return *set == TERM_NONE ? -1 : 0;
    case TOK_EXTCHOICE: case TOK_INTERLEAVE:
        *set = timed_only_tock(ev, e->pos);
        return *set == TERM_NONE ? -1 : 0;
    default: return 0; /* linked parallel: a type error */
    }
}

static uint32_t replicated(Eval *ev, Expr *e, Env *env)
{
    uint32_t set = TERM_NONE;
    if ((e->op == TOK_LSYNC || e->op == TOK_LSYNCEXT) &&
        (set = eval_event_set(ev, e->kids[1], env)) == TERM_NONE)
        return TERM_NONE;
    if (e->timed && timed_repl_set(ev, e, &set) != 0)
        return TERM_NONE;
    Repl r = {e, NULL, NULL, 0, 0};
    uint32_t t = TERM_NONE;
    if (eval_stmts(ev, e->stmts, e->nstmts, env, repl_each, &r) != 0)
        goto out;
    if (r.count == 0) {
        if (e->op == TOK_INTCHOICE)
            eval_error(ev, e->pos, "|~| over an empty set (FDR rejects it "
                                   "too)");
        else if (e->op == TOK_LINK) /* no unit to give */
            eval_error(ev, e->pos, "linked parallel over an empty sequence "
                                   "(FDR rejects it too)");
        else if (e->timed)
            t = e->op == TOK_SEMI ? timed_skip(ev, e->pos)
                                  : timed_stop(ev, e->pos);
        else
            t = e->op == TOK_EXTCHOICE ? term_stop(ev->terms)
                                       : term_skip(ev->terms);
        goto out;
    }
    if (e->op == TOK_INTCHOICE || (e->op == TOK_EXTCHOICE && !e->timed))
        t = term_choice(ev->terms, e->op == TOK_EXTCHOICE ? TERM_EXT : TERM_INT,
                        r.procs, r.count);
    else
        t = repl_fold(ev, e, &r, set);
out:
    mem_free(r.procs);
    mem_free(r.sets);
    return t;
}

/* ---------- process expressions ---------- */

static uint32_t as_process(Eval *ev, Value *v, SrcPos at)
{
    if (!v)
        return TERM_NONE;
    if (v->kind != V_PROC) {
        eval_error(ev, at, "expected a process, found %s",
                   value_text(ev->arena, v));
        return TERM_NONE;
    }
    return (uint32_t)v->ival;
}

/* A name in process position: a process definition becomes its thunk. */
static uint32_t proc_name(Eval *ev, Expr *e, Env *env)
{
    Binding *b = eval_lookup(ev, env, e->name);
    if (b && b->nclauses && b->clauses[0]->ngroups == 0 &&
        !b->clauses[0]->lhs) /* a part of a pattern binding is its term */
        return eval_thunk(ev, b, NULL, 0);
    if (!b) {
        int id = builtin_lookup(e->name);
        if (id >= 0)
            return as_process(ev, builtin_value(ev, id, e->pos,
                                                e->timed != NULL), e->pos);
        eval_error(ev, e->pos, "unknown name '%s'", e->name);
        return TERM_NONE;
    }
    return as_process(ev, eval_binding(ev, b, e->pos), e->pos);
}

/* A call in process position: a complete call of a function defined by
 * clauses becomes a thunk (evaluated when the checker needs it). */
static uint32_t proc_call(Eval *ev, Expr *e, Env *env)
{
    Value *fn = eval_expr(ev, e->kids[0], env);
    if (!fn)
        return TERM_NONE;
    size_t n = e->nkids - 1;
    Value **args = arena_alloc(ev->arena, (n + 1) * sizeof *args);
    if (!args)
        return TERM_NONE;
    for (size_t i = 0; i < n; i++)
        if (!(args[i] = eval_expr(ev, e->kids[i + 1], env)))
            return TERM_NONE;
    const Closure *c = fn->kind == V_FUNC ? fn->ref : NULL;
    if (c && c->kind == CL_BUILTIN && builtin_is_process(c->builtin))
        return builtin_proc(ev, c->builtin, args, n, e->pos);
    if (c && c->kind == CL_DEF) {
        Decl *d = c->def->clauses[0];
        if (c->groups + 1 == d->ngroups && d->nparams[c->groups] == n) {
            Value **all = arena_alloc(ev->arena,
                                      (c->nargs + n + 1) * sizeof *all);
            if (!all)
                return TERM_NONE;
            mem_copy(all, c->args, c->nargs * sizeof *all);
            mem_copy(all + c->nargs, args, n * sizeof *all);
            return eval_thunk(ev, c->def, all, c->nargs + n);
        }
    }
    return as_process(ev, eval_apply(ev, fn, args, n, e->pos), e->pos);
}

static uint32_t proc_dispatch(Eval *ev, Expr *e, Env *env)
{
    switch (e->kind) {
    case E_NAME: return proc_name(ev, e, env);
    case E_CALL: return proc_call(ev, e, env);
    case E_IF: {
        Value *c = eval_expr(ev, e->kids[0], env);
        if (!c || c->kind != V_BOOL) {
            if (c)
                eval_error(ev, e->kids[0]->pos, "expected a boolean "
                           "condition, found %s", value_text(ev->arena, c));
            return TERM_NONE;
        }
        return eval_proc(ev, e->kids[c->ival ? 1 : 2], env);
    }
    case E_LET: {
        Env *inner;
        return eval_let_env(ev, e->decls, e->ndecls, env, &inner) == 0
                   ? eval_proc(ev, e->kids[0], inner)
                   : TERM_NONE;
    }
    case E_PREFIX: return eval_prefix(ev, e, env);
    case E_GUARD: {
        Value *c = eval_expr(ev, e->kids[0], env);
        if (!c || c->kind != V_BOOL) {
            if (c)
                eval_error(ev, e->kids[0]->pos, "a guard must be a boolean, "
                           "found %s", value_text(ev->arena, c));
            return TERM_NONE;
        }
        if (c->ival)
            return eval_proc(ev, e->kids[1], env);
        return e->timed ? timed_stop(ev, e->pos) : term_stop(ev->terms);
    }
    case E_PROC_BINARY: return binary(ev, e, env);
    case E_PROC_SET: return with_set(ev, e, env);
    case E_APAR: return apar(ev, e, env);
    case E_RENAME: {
        uint32_t p = eval_proc(ev, e->kids[0], env);
        uint32_t rel = p == TERM_NONE ? TERM_NONE : relation(ev, e, env, 0);
        return rel == TERM_NONE ? TERM_NONE
                                : make1(ev, TERM_RENAME, TERM_NONE, rel, p);
    }
    case E_LINK: {
        uint32_t p = eval_proc(ev, e->kids[0], env);
        uint32_t rel = p == TERM_NONE ? TERM_NONE : relation(ev, e, env, 1);
        uint32_t q = rel == TERM_NONE ? TERM_NONE
                                      : eval_proc(ev, e->kids[1], env);
        return make2(ev, TERM_LINK, TERM_NONE, TERM_NONE, rel, p, q);
    }
    case E_REPL: return replicated(ev, e, env);
    default: return as_process(ev, eval_expr(ev, e, env), e->pos);
    }
}

uint32_t eval_proc(Eval *ev, Expr *e, Env *env)
{
    if (eval_enter(ev, e->pos) != 0)
        return TERM_NONE;
    uint32_t t = proc_dispatch(ev, e, env);
    eval_leave(ev);
    return t;
}
