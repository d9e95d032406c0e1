/* value: construction, order, hashing and printing of values. See value.h. */
#include "value.h"

#include "hash.h"

#include <stdlib.h>
#include <string.h>

static Value *value_new(Arena *a, ValueKind kind)
{
    Value *v = arena_alloc(a, sizeof *v);
    if (v)
        v->kind = kind;
    return v;
}

Value *value_int(Arena *a, long long i)
{
    Value *v = value_new(a, V_INT);
    if (v)
        v->ival = i;
    return v;
}

Value *value_bool(Arena *a, int b)
{
    Value *v = value_new(a, V_BOOL);
    if (v)
        v->ival = b != 0;
    return v;
}

Value *value_char(Arena *a, int c)
{
    Value *v = value_new(a, V_CHAR);
    if (v)
        v->ival = c;
    return v;
}

Value *value_proc(Arena *a, uint32_t term)
{
    Value *v = value_new(a, V_PROC);
    if (v)
        v->ival = term;
    return v;
}

Value *value_name(Arena *a, const NameInfo *info)
{
    Value *v = value_new(a, V_NAME);
    if (v)
        v->ref = info;
    return v;
}

Value *value_items(Arena *a, ValueKind kind, Value **items, size_t n)
{
    Value *v = value_new(a, kind);
    if (!v)
        return NULL;
    v->n = (uint32_t)n;
    v->items = arena_alloc(a, (n + 1) * sizeof *items);
    if (!v->items)
        return NULL;
    if (n)
        mem_copy(v->items, items, n * sizeof *items);
    return v;
}

Value *value_concat(Arena *a, const Value *x, const Value *y)
{
    if ((size_t)x->n + y->n >= UINT32_MAX)
        return NULL;
    Value *v = value_new(a, V_SEQ);
    if (!v)
        return NULL;
    v->n = x->n + y->n;
    v->items = arena_alloc(a, ((size_t)v->n + 1) * sizeof *v->items);
    if (!v->items)
        return NULL;
    mem_copy(v->items, x->items, x->n * sizeof *x->items);
    mem_copy(v->items + x->n, y->items, y->n * sizeof *y->items);
    return v;
}

static int cmp_ptr(const void *x, const void *y)
{
    return value_cmp(*(Value *const *)x, *(Value *const *)y);
}

Value *value_set(Arena *a, Value **items, size_t n)
{
    Value *v = value_items(a, V_SET, items, n);
    if (!v || n < 2)
        return v;
    qsort(v->items, n, sizeof *v->items, cmp_ptr);
    size_t out = 1;
    for (size_t i = 1; i < n; i++)
        if (value_cmp(v->items[i], v->items[out - 1]) != 0)
            v->items[out++] = v->items[i];
    v->n = (uint32_t)out;
    return v;
}

Value *value_map(Arena *a, Value **kv, size_t n)
{
    Value *m = value_items(a, V_MAP, NULL, 0);
    Value **items = m ? arena_alloc(a, (2 * n + 1) * sizeof *items) : NULL;
    if (!items)
        return NULL;
    size_t count = 0; /* insertion sort by key; later pairs win */
    for (size_t i = 0; i < n; i++) {
        Value *k = kv[2 * i], *v = kv[2 * i + 1];
        size_t at = 0;
        while (at < count && value_cmp(items[2 * at], k) < 0)
            at++;
        if (at < count && value_cmp(items[2 * at], k) == 0) {
            items[2 * at + 1] = v;
            continue;
        }
        memmove(items + 2 * at + 2, items + 2 * at,
                (count - at) * 2 * sizeof *items);
        items[2 * at] = k;
        items[2 * at + 1] = v;
        count++;
    }
    m->items = items;
    m->n = (uint32_t)(2 * count);
    return m;
}

Value *value_map_get(const Value *m, const Value *key)
{
    for (uint32_t i = 0; i < m->n; i += 2)
        if (value_equal(m->items[i], key))
            return m->items[i + 1];
    return NULL;
}

Value *value_dot(Arena *a, Value *left, Value *right)
{
    size_t nl = left->kind == V_DOT ? left->n : 1;
    size_t nr = right->kind == V_DOT ? right->n : 1;
    Value *v = value_items(a, V_DOT, NULL, 0);
    if (!v)
        return NULL;
    v->items = arena_alloc(a, (nl + nr) * sizeof *v->items);
    if (!v->items)
        return NULL;
    if (left->kind == V_DOT)
        mem_copy(v->items, left->items, nl * sizeof *v->items);
    else
        v->items[0] = left;
    if (right->kind == V_DOT)
        mem_copy(v->items + nl, right->items, nr * sizeof *v->items);
    else
        v->items[nl] = right;
    v->n = (uint32_t)(nl + nr);
    return v;
}

static int cmp_items(const Value *a, const Value *b)
{
    size_t n = a->n < b->n ? a->n : b->n;
    for (size_t i = 0; i < n; i++) {
        int c = value_cmp(a->items[i], b->items[i]);
        if (c)
            return c;
    }
    return (a->n > b->n) - (a->n < b->n);
}

static int cmp_bounds(const Value *a, const Value *b)
{
    const long long *x = a->ref, *y = b->ref;
    size_t n = a->n < b->n ? a->n : b->n;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return (a->n > b->n) - (a->n < b->n);
}

/* A name and a dotted value: the name is the one-item dotted value it
 * heads (d against c.0 compares d with c first, as FDR orders events and
 * constructor values: by declaration, then by fields). */
static int cmp_name_dot(const Value *name, const Value *dot)
{
    int c = value_cmp(name, dot->items[0]);
    return c ? c : (dot->n > 1 ? -1 : 0);
}

int value_cmp(const Value *a, const Value *b)
{
    if (a == b)
        return 0;
    if (a->kind == V_NAME && b->kind == V_DOT && b->n)
        return cmp_name_dot(a, b);
    if (a->kind == V_DOT && b->kind == V_NAME && a->n)
        return -cmp_name_dot(b, a);
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    switch (a->kind) {
    case V_BOOL: case V_INT: case V_CHAR: case V_PROC:
        return (a->ival > b->ival) - (a->ival < b->ival);
    case V_NAME: {
        uint32_t x = ((const NameInfo *)a->ref)->order,
                 y = ((const NameInfo *)b->ref)->order;
        return (x > y) - (x < y);
    }
    case V_FUNC:
        return (a->ref > b->ref) - (a->ref < b->ref);
    case V_ISET:
        if (a->ival != b->ival)
            return a->ival < b->ival ? -1 : 1;
        return a->ival == IS_INTS ? cmp_bounds(a, b) : cmp_items(a, b);
    case V_LSEQ: /* infinite: only the same stream at the same place */
        if (a->ref != b->ref)
            return a->ref < b->ref ? -1 : 1;
        return (a->ival > b->ival) - (a->ival < b->ival);
    default:
        return cmp_items(a, b);
    }
}

int value_equal(const Value *a, const Value *b) { return value_cmp(a, b) == 0; }

uint64_t value_hash(const Value *v)
{
    uint64_t h = 0x9e3779b97f4a7c15ull * (v->kind + 1);
    switch (v->kind) {
    case V_BOOL: case V_INT: case V_CHAR: case V_PROC:
        h ^= (uint64_t)v->ival * 0xff51afd7ed558ccdull;
        break;
    case V_NAME:
        h ^= ((const NameInfo *)v->ref)->order * 0xc4ceb9fe1a85ec53ull;
        break;
    case V_FUNC: case V_LSEQ:
        h ^= (uint64_t)(uintptr_t)v->ref + (uint64_t)v->ival;
        break;
    case V_ISET:
        h ^= (uint64_t)v->ival;
        if (v->ival == IS_INTS) {
            for (uint32_t i = 0; i < v->n; i++)
                h = hash_mix(h, (uint64_t)((const long long *)v->ref)[i]);
            break;
        }
        for (uint32_t i = 0; i < v->n; i++)
            h = hash_mix(h, value_hash(v->items[i]));
        break;
    default:
        for (uint32_t i = 0; i < v->n; i++)
            h = hash_mix(h, value_hash(v->items[i]));
    }
    return h ^ (h >> 31);
}

static int iset_member(const Value *set, const Value *v);

int value_member(const Value *set, const Value *v)
{
    if (set->kind == V_ISET)
        return iset_member(set, v);
    if (set->kind != V_SET)
        return 0;
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = value_cmp(set->items[mid], v);
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* ---------- infinite sets ---------- */

static int ints_member(const Value *set, long long x)
{
    const long long *b = set->ref;
    size_t lo = 0, hi = set->n / 2; /* the first interval ending >= x */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (b[2 * mid + 1] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < set->n / 2 && b[2 * lo] <= x;
}

/* A constructor value of an infinite datatype: the constructor, then
 * each field in turn from the flat items (a field of the datatype's own
 * type takes a whole constructor value). Returns the items used, or 0. */
static size_t data_fields(const Value *set, Value *const *items, size_t n)
{
    if (n == 0 || items[0]->kind != V_NAME)
        return 0;
    const NameInfo *ctor = items[0]->ref;
    int found = 0;
    for (uint32_t i = 0; i < set->n && !found; i++)
        found = set->items[i]->ref == ctor;
    if (!found)
        return 0;
    size_t used = 1;
    for (size_t k = 0; k < ctor->arity; k++) {
        const Value *type = ctor->fields[k];
        if (!type || (type->kind == V_ISET && type->ival == IS_DATA)) {
            size_t took = data_fields(type ? type : set, items + used,
                                      n - used);
            if (!took)
                return 0;
            used += took;
            continue;
        }
        if (used >= n || !value_member(type, items[used]))
            return 0;
        used++;
    }
    return used;
}

/* v against one clause (C, A1, ..., Ak) of an infinite subtype. */
static int subtype_clause_member(const Value *clause, const Value *v)
{
    size_t k = clause->n - 1;
    const Value *head = v->kind == V_DOT ? v->items[0] : v;
    if (!value_equal(head, clause->items[0]) ||
        (v->kind == V_DOT ? v->n - 1 : 0) != k)
        return 0;
    for (size_t i = 1; i <= k; i++)
        if (!value_member(clause->items[i], v->items[i]))
            return 0;
    return 1;
}

static int iset_member(const Value *set, const Value *v)
{
    switch ((ISetKind)set->ival) {
    case IS_INTS: return v->kind == V_INT && ints_member(set, v->ival);
    case IS_PROC: return v->kind == V_PROC;
    case IS_CHARS: return v->kind == V_CHAR;
    case IS_SEQS:
        if (v->kind != V_SEQ)
            return 0;
        for (uint32_t i = 0; i < v->n; i++)
            if (!value_member(set->items[0], v->items[i]))
                return 0;
        return 1;
    case IS_UNION:
        return value_member(set->items[0], v) || value_member(set->items[1], v);
    case IS_INTER:
        return value_member(set->items[0], v) && value_member(set->items[1], v);
    case IS_DIFF:
        return value_member(set->items[0], v) && !value_member(set->items[1], v);
    case IS_TUPLES:
        if (v->kind != V_TUPLE || v->n != set->n)
            return 0;
        for (uint32_t i = 0; i < v->n; i++)
            if (!value_member(set->items[i], v->items[i]))
                return 0;
        return 1;
    case IS_DATA: {
        Value *const *items = v->kind == V_DOT ? v->items : (Value *const[]){(Value *)v};
        size_t n = v->kind == V_DOT ? v->n : 1;
        return data_fields(set, items, n) == n;
    }
    case IS_SUBTYPE:
        for (uint32_t i = 0; i < set->n; i++)
            if (subtype_clause_member(set->items[i], v))
                return 1;
        return 0;
    }
    return 0;
}

static int cmp_ll(const void *x, const void *y)
{
    long long a = ((const long long *)x)[0], b = ((const long long *)y)[0];
    return (a > b) - (a < b);
}

Value *value_int_intervals(Arena *a, const long long *b, size_t n,
                           size_t limit, int *too_big)
{
    *too_big = 0;
    long long *m = arena_alloc(a, (n + 2) * sizeof *m);
    if (!m)
        return NULL;
    size_t count = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        if (b[i] <= b[i + 1]) { /* drop empty intervals */
            m[count++] = b[i];
            m[count++] = b[i + 1];
        }
    qsort(m, count / 2, 2 * sizeof *m, cmp_ll);
    size_t out = 0; /* merge overlapping and adjacent intervals */
    for (size_t i = 0; i < count; i += 2) {
        if (out && (m[out - 1] == ISET_POS_INF || m[i] <= m[out - 1] + 1)) {
            if (m[i + 1] > m[out - 1])
                m[out - 1] = m[i + 1];
            continue;
        }
        m[out++] = m[i];
        m[out++] = m[i + 1];
    }
    if (out && (m[0] == ISET_NEG_INF || m[out - 1] == ISET_POS_INF)) {
        Value *v = value_new(a, V_ISET);
        if (v) {
            v->ival = IS_INTS;
            v->ref = m;
            v->n = (uint32_t)out;
        }
        return v;
    }
    double total = 0;
    for (size_t i = 0; i < out; i += 2)
        total += (double)m[i + 1] - (double)m[i] + 1;
    if (total > (double)limit) {
        *too_big = 1;
        return NULL;
    }
    Value **items = arena_alloc(a, ((size_t)total + 1) * sizeof *items);
    if (!items)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < out; i += 2)
        for (long long x = m[i]; x <= m[i + 1]; x++)
            if (!(items[k++] = value_int(a, x)))
                return NULL;
    return value_items(a, V_SET, items, k); /* already sorted */
}

int value_int_bounds(Arena *a, const Value *set, long long **b, size_t *n)
{
    if (set->kind == V_ISET) {
        if (set->ival != IS_INTS)
            return -1;
        *b = (long long *)set->ref;
        *n = set->n;
        return 0;
    }
    if (set->kind != V_SET)
        return -1;
    *b = arena_alloc(a, (2 * (size_t)set->n + 1) * sizeof **b);
    if (!*b)
        return -1;
    for (uint32_t i = 0; i < set->n; i++) {
        if (set->items[i]->kind != V_INT)
            return -1;
        (*b)[2 * i] = (*b)[2 * i + 1] = set->items[i]->ival;
    }
    *n = 2 * (size_t)set->n;
    return 0;
}

int value_is_string(const Value *v)
{
    if (v->kind != V_SEQ || v->n == 0)
        return 0;
    for (uint32_t i = 0; i < v->n; i++)
        if (v->items[i]->kind != V_CHAR)
            return 0;
    return 1;
}

/* ---------- printing ---------- */

void strbuf_add(StrBuf *s, const char *text)
{
    size_t n = strlen(text);
    if (s->failed || mem_grow((void **)&s->buf, &s->cap, s->len + n + 1, 1)) {
        s->failed = 1;
        return;
    }
    mem_copy(s->buf + s->len, text, n + 1);
    s->len += n;
}

static void print_items(StrBuf *s, const Value *v, const char *open,
                        const char *sep, const char *close)
{
    strbuf_add(s, open);
    for (uint32_t i = 0; i < v->n; i++) {
        if (i)
            strbuf_add(s, sep);
        value_print(s, v->items[i]);
    }
    strbuf_add(s, close);
}

static void print_interval(StrBuf *s, long long lo, long long hi)
{
    char buf[96];
    if (lo == ISET_NEG_INF && hi == ISET_POS_INF)
        snprintf(buf, sizeof buf, "Int");
    else if (lo == ISET_NEG_INF) /* no CSPM literal for {..hi} */
        snprintf(buf, sizeof buf, "diff(Int, {%lld..})", hi + 1);
    else if (hi == ISET_POS_INF)
        snprintf(buf, sizeof buf, "{%lld..}", lo);
    else if (lo == hi)
        snprintf(buf, sizeof buf, "{%lld}", lo);
    else
        snprintf(buf, sizeof buf, "{%lld..%lld}", lo, hi);
    strbuf_add(s, buf);
}

static void print_iset(StrBuf *s, const Value *v)
{
    static const char *const ops[] = {"", "", "", "union", "inter", "diff"};
    switch ((ISetKind)v->ival) {
    case IS_INTS: {
        const long long *b = v->ref; /* union(union(A, B), C) */
        for (uint32_t i = 2; i < v->n; i += 2)
            strbuf_add(s, "union(");
        print_interval(s, b[0], b[1]);
        for (uint32_t i = 2; i < v->n; i += 2) {
            strbuf_add(s, ", ");
            print_interval(s, b[i], b[i + 1]);
            strbuf_add(s, ")");
        }
        break;
    }
    case IS_PROC: strbuf_add(s, "Proc"); break;
    case IS_CHARS: strbuf_add(s, "Char"); break;
    case IS_SEQS:
        strbuf_add(s, "Seq(");
        value_print(s, v->items[0]);
        strbuf_add(s, ")");
        break;
    case IS_UNION: case IS_INTER: case IS_DIFF:
        strbuf_add(s, ops[v->ival]);
        print_items(s, v, "(", ", ", ")");
        break;
    case IS_TUPLES: print_items(s, v, "(", ", ", ")"); break;
    case IS_SUBTYPE: /* C.A1.A2 | D */
        for (uint32_t i = 0; i < v->n; i++) {
            if (i)
                strbuf_add(s, " | ");
            for (uint32_t k = 0; k < v->items[i]->n; k++) {
                if (k)
                    strbuf_add(s, ".");
                value_print(s, v->items[i]->items[k]);
            }
        }
        break;
    case IS_DATA:
        strbuf_add(s, "{| ");
        for (uint32_t i = 0; i < v->n; i++) {
            if (i)
                strbuf_add(s, ", ");
            value_print(s, v->items[i]);
        }
        strbuf_add(s, " |}");
        break;
    }
}

static void print_lazy(StrBuf *s, const Value *v)
{
    const SeqStream *st = v->ref;
    char buf[64];
    if (st->counting) {
        snprintf(buf, sizeof buf, "<%lld..>", st->from + v->ival);
        strbuf_add(s, buf);
        return;
    }
    strbuf_add(s, "<");
    for (size_t i = (size_t)v->ival; i < st->count && i < (size_t)v->ival + 10;
         i++) {
        value_print(s, st->forced[i]);
        strbuf_add(s, ", ");
    }
    strbuf_add(s, "...>");
}

void value_print(StrBuf *s, const Value *v)
{
    char buf[64];
    switch (v->kind) {
    case V_ISET: print_iset(s, v); break;
    case V_LSEQ: print_lazy(s, v); break;
    case V_BOOL: strbuf_add(s, v->ival ? "true" : "false"); break;
    case V_INT:
        snprintf(buf, sizeof buf, "%lld", v->ival);
        strbuf_add(s, buf);
        break;
    case V_CHAR:
        snprintf(buf, sizeof buf, "'%c'", (char)v->ival);
        strbuf_add(s, buf);
        break;
    case V_NAME: strbuf_add(s, ((const NameInfo *)v->ref)->name); break;
    case V_DOT:
        /* nested dotted values print flat, as FDR prints k.A.0 */
        for (uint32_t i = 0; i < v->n; i++) {
            if (i)
                strbuf_add(s, ".");
            value_print(s, v->items[i]);
        }
        break;
    case V_TUPLE: print_items(s, v, "(", ", ", ")"); break;
    case V_SEQ:
        if (value_is_string(v)) {
            strbuf_add(s, "\"");
            for (uint32_t i = 0; i < v->n; i++) {
                buf[0] = (char)v->items[i]->ival;
                buf[1] = '\0';
                strbuf_add(s, buf);
            }
            strbuf_add(s, "\"");
        } else {
            print_items(s, v, "<", ", ", ">");
        }
        break;
    case V_SET: print_items(s, v, "{", ", ", "}"); break;
    case V_PROC:
        snprintf(buf, sizeof buf, "<process %lld>", v->ival);
        strbuf_add(s, buf);
        break;
    case V_FUNC: strbuf_add(s, "<function>"); break;
    case V_MAP:
        strbuf_add(s, "(| ");
        for (uint32_t i = 0; i < v->n; i += 2) {
            if (i)
                strbuf_add(s, ", ");
            value_print(s, v->items[i]);
            strbuf_add(s, " => ");
            value_print(s, v->items[i + 1]);
        }
        strbuf_add(s, " |)");
        break;
    }
}

const char *value_text(Arena *a, const Value *v)
{
    StrBuf s = {0};
    value_print(&s, v);
    const char *out = s.failed ? NULL : arena_strdup(a, s.buf ? s.buf : "");
    mem_free(s.buf);
    return out;
}
