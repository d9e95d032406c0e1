/* types: representation, unification, classes, printing. See types.h. */
#include "types.h"

#include <stdio.h>
#include <string.h>

static Type *new_type(Types *ts, TypeKind kind)
{
    Type *t = arena_alloc(ts->arena, sizeof *t);
    if (t)
        *t = (Type){.kind = kind};
    return t;
}

Type *types_var(Types *ts, unsigned classes)
{
    Type *t = new_type(ts, T_VAR);
    if (t) {
        t->classes = classes;
        t->level = ts->level;
        t->id = ts->next_id++;
    }
    return t;
}

Type *types_rigid(Types *ts, const char *name, unsigned classes)
{
    Type *t = types_var(ts, classes);
    if (t) {
        t->rigid = 1;
        t->name = name;
    }
    return t;
}

Type *types_basic(Types *ts, TypeKind kind) { return new_type(ts, kind); }

Type *types_data(Types *ts, TypeData *data)
{
    Type *t = new_type(ts, T_DATA);
    if (t) {
        t->data = data;
        t->name = data->name;
    }
    return t;
}

Type *types_make(Types *ts, TypeKind kind, Type **args, size_t n)
{
    Type *t = new_type(ts, kind);
    if (!t)
        return NULL;
    t->args = arena_alloc(ts->arena, (n + 1) * sizeof *t->args);
    if (!t->args)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(t->args[i] = args[i]))
            return NULL;
    t->nargs = n;
    return t;
}

Type *types_make1(Types *ts, TypeKind kind, Type *a)
{
    return types_make(ts, kind, &a, 1);
}

Type *types_make2(Types *ts, TypeKind kind, Type *a, Type *b)
{
    Type *args[2] = {a, b};
    return types_make(ts, kind, args, 2);
}

Type *types_dot(Types *ts, Type **parts, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        Type *p = types_resolve(parts[i]);
        count += p->kind == T_DOT ? p->nargs : 1;
    }
    Type **flat = arena_alloc(ts->arena, (count + 1) * sizeof *flat);
    if (!flat)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        Type *p = types_resolve(parts[i]);
        if (p->kind == T_DOT)
            for (size_t j = 0; j < p->nargs; j++)
                flat[k++] = p->args[j];
        else
            flat[k++] = p;
    }
    return count == 1 ? flat[0] : types_make(ts, T_DOT, flat, count);
}

Type *types_resolve(Type *t)
{
    while (t->kind == T_VAR && t->link)
        t = t->link;
    return t;
}

int types_unknown(Type *t)
{
    t = types_resolve(t);
    return t->kind == T_DYN || (t->kind == T_VAR && !t->rigid);
}

/* ---------- classes ---------- */

static int holds(Types *ts, Type *t, unsigned cls);

static int holds_all(Types *ts, Type **args, size_t n, unsigned cls)
{
    for (size_t i = 0; i < n; i++)
        if (!holds(ts, args[i], cls))
            return 0;
    return 1;
}

/* A datatype is in a class when every field of every constructor is (a
 * recursive occurrence is assumed to be: the greatest fixed point). */
static int data_holds(Types *ts, TypeData *d, unsigned cls)
{
    if (!d || d->visiting)
        return 1;
    d->visiting = 1;
    int ok = holds_all(ts, d->fields, d->nfields, cls & (TC_EQ | TC_ORD |
                                                           TC_SET));
    d->visiting = 0;
    return ok;
}

/* One class at a time, so that a failure names it. */
static int holds1(Types *ts, Type *t, unsigned cls)
{
    switch (t->kind) {
    case T_DYN: case T_INT: case T_CHAR: case T_BOOL:
        return 1;
    case T_VAR:
        if (!t->rigid) {
            t->classes |= cls;
            return 1;
        }
        /* a variable of an annotation has only the classes written (FDR
         * infers Complete, Inputable and Yieldable itself) */
        return !(cls & (TC_EQ | TC_ORD | TC_SET)) || (t->classes & cls) ||
               (cls == TC_SET && (t->classes & (TC_EQ | TC_ORD)));
    case T_EVENT:
        return 1;
    case T_PROC: /* a set of processes can be written ({STOP, SKIP}) and
                    drawn from, but not compared, so not taken apart by
                    member, card, union, ... (FDR's Set class) */
        return !(cls & (TC_EQ | TC_ORD | TC_SET));
    case T_FUN:
        return cls == TC_COMPLETE || cls == TC_YIELDABLE;
    case T_DATA:
        return data_holds(ts, t->data, cls);
    case T_SET: case T_SEQ:
        if (cls & (TC_EQ | TC_ORD))
            return holds(ts, t->args[0], TC_EQ);
        return cls == TC_SET ? holds(ts, t->args[0], TC_SET) : 1;
    case T_TUPLE: case T_DOT:
        return cls == TC_YIELDABLE || holds_all(ts, t->args, t->nargs, cls);
    case T_DOTABLE:
        if (cls & (TC_COMPLETE | TC_INPUTABLE))
            return 0;
        if (cls & (TC_EQ | TC_SET))
            return holds_all(ts, t->args, t->nargs, cls);
        return cls != TC_ORD;
    case T_MAP: /* maps are ordered as sets of pairs */
        if (cls & (TC_EQ | TC_SET | TC_ORD))
            return holds_all(ts, t->args, t->nargs, cls & TC_ORD ? TC_EQ : cls);
        return 1;
    }
    return 1;
}

static int holds(Types *ts, Type *t, unsigned cls)
{
    t = types_resolve(t);
    for (unsigned bit = 1; bit <= TC_YIELDABLE; bit <<= 1)
        if ((cls & bit) && !holds1(ts, t, bit)) {
            if (!ts->failed_class) {
                ts->failed_class = bit;
                ts->failed_type = t;
            }
            return 0;
        }
    return 1;
}

int types_require(Types *ts, Type *t, unsigned cls)
{
    ts->failed_class = 0;
    return holds(ts, t, cls) ? 0 : -2;
}

/* ---------- unification ---------- */

/* 1 when v occurs in t; lowers the levels of t's variables to v's (so
 * that what v is bound to is generalised no further out than v). */
static int occurs(Type *v, Type *t)
{
    t = types_resolve(t);
    if (t == v)
        return 1;
    if (t->kind == T_VAR) {
        if (t->level > v->level && t->level != TYPE_GENERIC)
            t->level = v->level;
        return 0;
    }
    if (t->ground) /* the check is linear in the type: without this, a
                      sequence nested n deep cost n^2 */
        return 0;
    int ground = 1;
    for (size_t i = 0; i < t->nargs; i++) {
        if (occurs(v, t->args[i]))
            return 1;
        ground = ground && types_resolve(t->args[i])->ground;
    }
    t->ground = ground;
    return 0;
}

static int bind(Types *ts, Type *v, Type *t)
{
    if (occurs(v, t))
        return -1;
    if (t->kind == T_VAR && !t->rigid) {
        t->classes |= v->classes;
        v->link = t;
        return 0;
    }
    if (v->classes && !holds(ts, t, v->classes))
        return -2;
    v->link = t;
    return 0;
}

static int unify(Types *ts, Type *a, Type *b)
{
    a = types_resolve(a);
    b = types_resolve(b);
    if (a == b || a->kind == T_DYN || b->kind == T_DYN)
        return 0;
    if (a->kind == T_VAR && !a->rigid)
        return bind(ts, a, b);
    if (b->kind == T_VAR && !b->rigid)
        return bind(ts, b, a);
    if (a->kind != b->kind || a->kind == T_VAR)
        return -1;
    if (a->kind == T_DATA)
        return strcmp(a->name, b->name) ? -1 : 0;
    if (a->nargs != b->nargs)
        return -1;
    for (size_t i = 0; i < a->nargs; i++) {
        int rc = unify(ts, a->args[i], b->args[i]);
        if (rc)
            return rc;
    }
    return 0;
}

int types_unify(Types *ts, Type *a, Type *b)
{
    ts->failed_class = 0;
    ts->failed_type = NULL;
    return unify(ts, a, b);
}

/* ---------- generalisation ---------- */

void types_generalise(Types *ts, Type *t)
{
    t = types_resolve(t);
    if (t->kind == T_VAR) {
        if (t->level > ts->level)
            t->level = TYPE_GENERIC;
        return;
    }
    for (size_t i = 0; i < t->nargs; i++)
        types_generalise(ts, t->args[i]);
}

typedef struct Subst {
    Type *from[64], *to[64];
    size_t n;
} Subst;

static Type *inst(Types *ts, Type *t, Subst *s)
{
    t = types_resolve(t);
    if (t->kind == T_VAR) {
        if (t->level != TYPE_GENERIC)
            return t;
        for (size_t i = 0; i < s->n; i++)
            if (s->from[i] == t)
                return s->to[i];
        Type *v = types_var(ts, t->classes);
        if (s->n < 64) {
            s->from[s->n] = t;
            s->to[s->n++] = v;
        }
        return v;
    }
    if (!t->nargs)
        return t;
    Type *args[64];
    size_t n = t->nargs < 64 ? t->nargs : 64;
    int changed = 0;
    for (size_t i = 0; i < n; i++) {
        args[i] = inst(ts, t->args[i], s);
        if (!args[i])
            return NULL;
        changed |= args[i] != t->args[i];
    }
    return changed ? types_make(ts, t->kind, args, n) : t;
}

Type *types_replace_data(Types *ts, Type *t, TypeData **from,
                         TypeData **to, size_t n)
{
    t = types_resolve(t);
    if (t->kind == T_DATA) {
        for (size_t i = 0; i < n; i++)
            if (t->data == from[i])
                return types_data(ts, to[i]);
        return t;
    }
    Type *args[64];
    size_t k = t->nargs < 64 ? t->nargs : 64;
    int changed = 0;
    for (size_t i = 0; i < k; i++) {
        args[i] = types_replace_data(ts, t->args[i], from, to, n);
        if (!args[i])
            return NULL;
        changed |= args[i] != t->args[i];
    }
    return changed ? types_make(ts, t->kind, args, k) : t;
}

Type *types_instantiate(Types *ts, Type *t)
{
    Subst s;
    s.n = 0;
    return inst(ts, t, &s);
}

/* ---------- printing ---------- */

const char *types_class_name(unsigned cls)
{
    switch (cls) {
    case TC_EQ: return "Eq";
    case TC_ORD: return "Ord";
    case TC_SET: return "Set";
    case TC_COMPLETE: return "Complete";
    case TC_INPUTABLE: return "Inputable";
    default: return "Yieldable";
    }
}

typedef struct Out {
    char *buf;
    size_t len, n;
} Out;

static void put(Out *o, const char *s)
{
    size_t k = strlen(s);
    if (o->n + k + 1 > o->len)
        k = o->n + 1 < o->len ? o->len - o->n - 1 : 0;
    memcpy(o->buf + o->n, s, k);
    o->n += k;
    o->buf[o->n] = '\0';
}

static void print_type(const Type *t, TypeNames *names, Out *o, int inner);

static void print_list(Type *const *args, size_t n, TypeNames *names,
                       Out *o, const char *sep)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            put(o, sep);
        print_type(args[i], names, o, 0);
    }
}

static void print_var(const Type *t, TypeNames *names, Out *o)
{
    if (t->rigid && t->name) {
        put(o, t->name);
        return;
    }
    size_t i = 0;
    while (i < names->count && names->vars[i] != t)
        i++;
    if (i == names->count && i < 26)
        names->vars[names->count++] = t;
    char name[8];
    snprintf(name, sizeof name, "%c", i < 26 ? (char)('a' + i) : '?');
    put(o, name);
}

/* inner: the type is an operand of => or . (parenthesise arrows). */
static void print_type(const Type *t, TypeNames *names, Out *o, int inner)
{
    t = types_resolve((Type *)t);
    switch (t->kind) {
    case T_VAR: print_var(t, names, o); return;
    case T_DYN: put(o, "_"); return;
    case T_INT: put(o, "Int"); return;
    case T_BOOL: put(o, "Bool"); return;
    case T_CHAR: put(o, "Char"); return;
    case T_PROC: put(o, "Proc"); return;
    case T_EVENT: put(o, "Event"); return;
    case T_DATA: put(o, t->name); return;
    case T_SET: put(o, "{"); print_list(t->args, 1, names, o, ""); put(o, "}");
        return;
    case T_SEQ: put(o, "<"); print_list(t->args, 1, names, o, ""); put(o, ">");
        return;
    case T_TUPLE:
        put(o, "(");
        print_list(t->args, t->nargs, names, o, ", ");
        put(o, ")");
        return;
    case T_FUN:
        if (inner) put(o, "(");
        put(o, "(");
        print_list(t->args, t->nargs - 1, names, o, ", ");
        put(o, ") -> ");
        print_type(t->args[t->nargs - 1], names, o, 0);
        if (inner) put(o, ")");
        return;
    case T_DOTABLE:
        if (inner) put(o, "(");
        print_type(t->args[0], names, o, 1);
        put(o, "=>");
        print_type(t->args[1], names, o, 0);
        if (inner) put(o, ")");
        return;
    case T_DOT:
        for (size_t i = 0; i < t->nargs; i++) {
            if (i)
                put(o, ".");
            print_type(t->args[i], names, o, 1);
        }
        return;
    case T_MAP:
        put(o, "(| ");
        print_type(t->args[0], names, o, 1);
        put(o, " => ");
        print_type(t->args[1], names, o, 0);
        put(o, " |)");
        return;
    }
}

void types_print(const Type *t, TypeNames *names, char *buf, size_t len)
{
    Out o = {buf, len, 0};
    if (len)
        buf[0] = '\0';
    print_type(t, names, &o, 0);
}
