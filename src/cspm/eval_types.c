/* eval_types: datatypes, nametypes and subtypes. eval_bind.c declares
 * each (its name, and a datatype's constructors, with no fields yet);
 * each is computed when first used (eval_type_value, from eval_binding),
 * so they may be declared in any order and refer to each other: a
 * datatype that reaches itself, directly or through others, is recursive
 * and infinite (its values answer membership), and eval_type_fixup then
 * fills in the fields that named it. */
#include "eval_impl.h"

#include <string.h>

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
                Value *tuple = value_items(ev->arena, V_TUPLE,
                                           acc.items[a]->items,
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

/* Whether e names a datatype being computed: datatype A = A1.B with
 * datatype B = B1.A reaches A again while computing B, a mutual
 * recursion, whose fields are infinite like a datatype's own. */
static int mentions_busy(Eval *ev, const Expr *e)
{
    if (e->kind == E_NAME) {
        Binding *b = eval_lookup(ev, ev->bind_scope, e->name);
        if (b && b->state == B_BUSY && b->type_decl &&
            b->type_decl->kind == D_DATATYPE)
            return 1;
    }
    for (size_t i = 0; i < e->nkids; i++)
        if (mentions_busy(ev, e->kids[i]))
            return 1;
    return 0;
}

/* The components of a dotted type A.B.C, each evaluated to a set; a
 * component that mentions `self` (a recursive datatype) is infinite and
 * left NULL. */
static int type_fields_of(Eval *ev, Expr *type, const char *self,
                          Value ***fields, size_t *n);

int eval_type_fields(Eval *ev, Expr *type, Value ***fields, size_t *n)
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
        if (self && (mentions(parts[i], self) || mentions_busy(ev, parts[i]))) {
            (*fields)[i] = NULL; /* recursive: filled in by type_fixup */
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

/* The constructor named by ct, or NULL. */
static NameInfo *ctor_info(Eval *ev, const Ctor *ct)
{
    Binding *b = eval_lookup(ev, ev->bind_scope, ct->name);
    return b && b->state == B_DONE && b->value && b->value->kind == V_NAME
               ? (NameInfo *)b->value->ref : NULL;
}

void eval_type_fixup(Eval *ev, Decl *d)
{
    for (size_t i = 0; d->kind == D_DATATYPE && i < d->nctors; i++) {
        NameInfo *info = ctor_info(ev, &d->ctors[i]);
        Value **fields;
        size_t n;
        if (!info || !d->ctors[i].fields)
            continue;
        int missing = 0;
        for (size_t k = 0; k < info->arity; k++)
            missing |= !info->fields[k];
        if (missing && eval_type_fields(ev, d->ctors[i].fields, &fields,
                                        &n) == 0)
            info->fields = fields;
    }
}

static Value *datatype_compute(Eval *ev, Decl *d)
{
    NameInfo **infos = arena_alloc(ev->arena, (d->nctors + 1) * sizeof *infos);
    if (!infos)
        return NULL;
    for (size_t i = 0; i < d->nctors; i++)
        infos[i] = ctor_info(ev, &d->ctors[i]);
    int infinite = 0;
    Value *v = datatype_values(ev, d, infos, &infinite);
    for (size_t i = 0; v && i < d->nctors; i++)
        if (infos[i])
            infos[i]->type = v;
    return v;
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
    if (info && info->datatype) /* its fields, wherever it is declared */
        eval_binding(ev, info->datatype, ct->pos);
    if (!info || info->is_channel || !info->type) {
        eval_error(ev, ct->pos, "'%s' is not a constructor of a datatype "
                   "(in the subtype %s)", ct->name, subtype);
        return -1;
    }
    Value **given = NULL;
    size_t n = 0;
    if (ct->fields && eval_type_fields(ev, ct->fields, &given, &n) != 0)
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
static Value *subtype_compute(Eval *ev, Decl *d)
{
    Clause *cl = arena_alloc(ev->arena, (d->nctors + 1) * sizeof *cl);
    if (!cl)
        return NULL;
    int rc = 0, finite = 1;
    for (size_t i = 0; rc == 0 && i < d->nctors; i++) {
        rc = subtype_clause(ev, &d->ctors[i], d->name, &cl[i]);
        finite = finite && rc == 0 && clause_finite(&cl[i]);
    }
    VList out = {0};
    for (size_t i = 0; rc == 0 && finite && i < d->nctors; i++)
        rc = subtype_values(ev, cl[i].info, cl[i].ctor, cl[i].fields, 0,
                            cl[i].info->arity, d->ctors[i].pos, &out);
    return rc != 0 ? NULL
           : finite ? value_set(ev->arena, out.items, out.count)
                    : subtype_infinite(ev, d, cl);
}

/* nametype T = A.B: the set of every a.b. */
static Value *nametype_compute(Eval *ev, Decl *d)
{
    Value **fields;
    size_t n;
    if (eval_type_fields(ev, d->type, &fields, &n) != 0)
        return NULL;
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
    return v;
}

Value *eval_type_value(Eval *ev, Binding *b)
{
    const char *prefix = ev->bind_prefix;
    Env *scope = ev->bind_scope;
    ev->bind_prefix = b->prefix; /* where it was declared */
    ev->bind_scope = b->env;
    b->state = B_BUSY;
    Decl *d = b->type_decl;
    Value *v = d->kind == D_DATATYPE ? datatype_compute(ev, d)
               : d->kind == D_NAMETYPE ? nametype_compute(ev, d)
                                       : subtype_compute(ev, d);
    b->value = v;
    b->state = v ? B_DONE : B_FAILED;
    ev->bind_prefix = prefix;
    ev->bind_scope = scope;
    return v;
}
