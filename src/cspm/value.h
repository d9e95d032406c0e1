/* value: the values of CSPM, as the evaluator computes them.
 *
 * Values are immutable and live in the model's arena. Dotted values are
 * flat: c.1.true is one DOT value with items {c, 1, true}, and a dot of dots
 * flattens. Sets are sorted by FDR's total order and free of duplicates, so
 * structural equality is item-wise. Strings are sequences of characters.
 * A process is a term id of the model's TermTable (checker/term.h).
 */
#ifndef LOCKSTEP_VALUE_H
#define LOCKSTEP_VALUE_H

#include "mem.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum ValueKind {
    V_BOOL, V_INT, V_CHAR,
    V_NAME,     /* a channel or datatype constructor (see NameInfo) */
    V_DOT,      /* items[0].items[1]... (items[0] is usually a NAME) */
    V_TUPLE,
    V_SEQ,
    V_SET,
    V_PROC,     /* ival: term id */
    V_FUNC,     /* ref: the evaluator's closure */
    V_MAP,      /* (| k => v |): items k0, v0, k1, v1, ... sorted by key */
    V_ISET,     /* an infinite set, kept symbolic (see ISetKind) */
    V_LSEQ      /* an infinite sequence, produced on demand: ref is the
                   evaluator's Stream, ival how many of its elements have
                   been dropped (tail) */
} ValueKind;

/* What a V_ISET stands for (in ival). Sets of integers are exact: a union
 * of disjoint intervals, sorted, in canonical form, so that structural
 * equality is set equality ({1..} minus {1} is {2..}); an interval set
 * that turns out finite becomes an ordinary V_SET. The other kinds are
 * symbolic: they answer membership, and equality only structurally. */
typedef enum ISetKind {
    IS_INTS,   /* ref: n bounds lo0, hi0, lo1, hi1, ... (long long),
                  ISET_NEG_INF / ISET_POS_INF for open ends */
    IS_PROC,   /* Proc: every process */
    IS_CHARS,  /* Char: every character */
    IS_SEQS,   /* Seq(items[0]): every finite sequence over a set */
    IS_UNION, IS_INTER, IS_DIFF, /* items[0] op items[1] */
    IS_TUPLES, /* (items[0], items[1], ...): tuples of members */
    IS_DATA,   /* the values of a datatype with infinitely many: items are
                  its constructors (V_NAME); a NULL field type is the
                  datatype itself */
    IS_SUBTYPE /* an infinite subtype: items are tuples (C, A1, ..., Ak),
                  one per clause C.A1...Ak, each field one item */
} ISetKind;

#define ISET_NEG_INF (-9223372036854775807LL - 1)
#define ISET_POS_INF 9223372036854775807LL

/* What a V_NAME stands for; owned by the evaluator. */
typedef struct NameInfo {
    const char *name;
    int is_channel;
    uint32_t order;        /* declaration order, for the total order */
    size_t arity;          /* number of fields */
    struct Value **fields; /* per field: a V_SET of its values (NULL: not
                              known yet, or infinite) */
    struct Value *type;    /* constructors: the datatype's value set */
    struct Binding *datatype; /* constructors: the datatype's binding,
                                 which computes fields and type on use */
} NameInfo;

/* A lazy sequence's elements computed so far (V_LSEQ's ref). `counting`
 * streams are <from..> itself; the others get their elements from the
 * evaluator's `producer`. Every stream is infinite: finite sequences are
 * always computed whole. */
typedef struct SeqStream {
    struct Value **forced;
    size_t count, cap;
    int counting;
    long long from;
    void *producer;
} SeqStream;

typedef struct Value {
    ValueKind kind;
    uint32_t n;             /* items */
    long long ival;         /* BOOL, INT, CHAR; PROC: the term */
    const void *ref;        /* NAME: NameInfo; FUNC: closure */
    struct Value **items;
} Value;

Value *value_int(Arena *a, long long i);
Value *value_bool(Arena *a, int b);
Value *value_char(Arena *a, int c);
Value *value_proc(Arena *a, uint32_t term);
Value *value_name(Arena *a, const NameInfo *info);
/* A value with n items (copied). */
Value *value_items(Arena *a, ValueKind kind, Value **items, size_t n);
/* The sequence x ^ y (both V_SEQ); NULL when out of memory or longer than
 * a sequence can be. */
Value *value_concat(Arena *a, const Value *x, const Value *y);
/* Sorts and deduplicates: a V_SET of the given elements. */
Value *value_set(Arena *a, Value **items, size_t n);
/* A map from n key/value pairs (kv[2i], kv[2i+1]); a later pair for the
 * same key replaces an earlier one. */
Value *value_map(Arena *a, Value **kv, size_t n);
/* The value of `key` in map m, or NULL. */
Value *value_map_get(const Value *m, const Value *key);
/* a.b, flattened. */
Value *value_dot(Arena *a, Value *left, Value *right);

/* FDR's total order: -1, 0, 1. Values of different kinds are ordered by
 * kind (a type error elsewhere). */
int value_cmp(const Value *a, const Value *b);
int value_equal(const Value *a, const Value *b);
uint64_t value_hash(const Value *v);
/* 1 when v is in the set (binary search; a V_ISET by its test). */
int value_member(const Value *set, const Value *v);
/* The set of integers given by n/2 intervals [b[0], b[1]], [b[2], b[3]],
 * ... (sorted and merged here): a V_ISET when unbounded, else a V_SET of
 * its elements (NULL, with *too_big set, when over `limit` of them). */
Value *value_int_intervals(Arena *a, const long long *b, size_t n,
                           size_t limit, int *too_big);
/* The intervals of a set of integers (a V_SET of integers or an IS_INTS
 * V_ISET) into a fresh arena array; -1 when it holds something else. */
int value_int_bounds(Arena *a, const Value *set, long long **b, size_t *n);
/* 1 when v is a sequence of characters. */
int value_is_string(const Value *v);

/* CSPM text of v, as FDR prints it, into a growable buffer. */
typedef struct StrBuf {
    char *buf;
    size_t len, cap;
    int failed;
} StrBuf;
void strbuf_add(StrBuf *s, const char *text);
void value_print(StrBuf *s, const Value *v);
/* Convenience: the text of v in the arena (NULL when out of memory). */
const char *value_text(Arena *a, const Value *v);

#endif
