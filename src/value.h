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
    V_MAP       /* (| k => v |): items k0, v0, k1, v1, ... sorted by key */
} ValueKind;

/* What a V_NAME stands for; owned by the evaluator. */
typedef struct NameInfo {
    const char *name;
    int is_channel;
    uint32_t order;        /* declaration order, for the total order */
    size_t arity;          /* number of fields */
    struct Value **fields; /* per field: a V_SET of its values (NULL: not
                              known yet, or infinite) */
    struct Value *type;    /* constructors: the datatype's value set */
} NameInfo;

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
/* 1 when v is in the set (binary search). */
int value_member(const Value *set, const Value *v);
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
