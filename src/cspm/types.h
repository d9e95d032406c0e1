/* types: CSPM types as FDR writes them, unification and type classes.
 *
 * The representation the type checker (typecheck.h) infers with: type
 * variables that unification binds (union-find links), FDR's type
 * constructors ({a}, <a>, (a, b), (a) -> b, a => b for something that dots
 * with an a to give a b, a.b for a dotted value that no constructor
 * builds, (| k => v |)), datatypes by name, and one type FDR has not: DYN,
 * "not known", which unifies with everything and binds nothing. The checker
 * gives DYN where FDR's typing of dots is too subtle to decide here, so
 * that a valid model never gets a false error (see typecheck.c).
 *
 * Type classes (FDR's Eq, Ord, Set, Complete, Inputable, Yieldable) are
 * bit sets on variables: binding a variable checks them on the type it is
 * bound to, as FDR does.
 *
 * Generalisation is by levels (Remy): a variable created while inferring a
 * binding at level n is generalised when that binding is done unless
 * unification tied it to an outer level. Everything lives in the checker's
 * arena.
 */
#ifndef LOCKSTEP_TYPES_H
#define LOCKSTEP_TYPES_H

#include "mem.h"

#include <stddef.h>

typedef enum TypeKind {
    T_VAR, T_DYN,
    T_INT, T_BOOL, T_CHAR, T_PROC, T_EVENT,
    T_DATA,    /* a datatype, by name */
    T_SET,     /* {args[0]} */
    T_SEQ,     /* <args[0]> */
    T_TUPLE,   /* (args...) */
    T_FUN,     /* (args[0..n-2]) -> args[n-1] */
    T_DOTABLE, /* args[0] => args[1] */
    T_DOT,     /* args[0].args[1]..., flat (no T_DOT inside) */
    T_MAP      /* (| args[0] => args[1] |) */
} TypeKind;

enum TypeClass {
    TC_EQ = 1, TC_ORD = 2, TC_SET = 4, TC_COMPLETE = 8, TC_INPUTABLE = 16,
    TC_YIELDABLE = 32
};

enum { TYPE_GENERIC = 1 << 30 }; /* the level of a generalised variable */

typedef struct Type Type;
typedef struct TypeData TypeData;

struct Type {
    TypeKind kind;
    Type *link;          /* T_VAR: what it is bound to, or NULL */
    unsigned classes;    /* T_VAR: the classes it must belong to */
    int level;           /* T_VAR: binding depth, or TYPE_GENERIC */
    int rigid;           /* T_VAR from an annotation: equal only to itself */
    unsigned id;         /* T_VAR: for printing */
    const char *name;    /* T_DATA; a rigid T_VAR: the name written */
    TypeData *data;      /* T_DATA */
    Type **args;
    size_t nargs;
    int ground;          /* 1 once seen to hold no type variable: bindings
                            are never undone, so it stays so */
};

/* What the class checks need to know of a datatype: the types of its
 * constructors' fields (filled once the declaration is checked). */
struct TypeData {
    const char *name;
    Type **fields;
    size_t nfields;
    int visiting; /* recursion guard of the class checks */
};

typedef struct Types {
    Arena *arena;
    unsigned next_id;
    int level;
    /* After a failed unification because of a class: which class, and the
     * type that lacks it (for the message). */
    unsigned failed_class;
    Type *failed_type;
} Types;

/* All constructors return NULL only when out of memory. */
Type *types_var(Types *ts, unsigned classes);
Type *types_rigid(Types *ts, const char *name, unsigned classes);
Type *types_basic(Types *ts, TypeKind kind); /* DYN INT BOOL CHAR PROC EVENT */
Type *types_data(Types *ts, TypeData *data);
Type *types_make(Types *ts, TypeKind kind, Type **args, size_t n);
Type *types_make1(Types *ts, TypeKind kind, Type *a);
Type *types_make2(Types *ts, TypeKind kind, Type *a, Type *b);
/* a.b with the components of dotted parts spliced in (always flat). */
Type *types_dot(Types *ts, Type **parts, size_t n);

/* Follows the links of bound variables. */
Type *types_resolve(Type *t);

/* Makes a and b equal. 0; -1 when their shapes differ; -2 when a variable's
 * class does not hold of what it would be bound to (ts->failed_class and
 * failed_type say which). Partial bindings may remain on failure. */
int types_unify(Types *ts, Type *a, Type *b);
/* Requires t to belong to the classes `cls` (variables remember it).
 * 0, or -2 as types_unify. */
int types_require(Types *ts, Type *t, unsigned cls);

/* Generalises the variables of t above ts->level; instantiates a
 * generalised type with fresh variables. */
void types_generalise(Types *ts, Type *t);
Type *types_instantiate(Types *ts, Type *t);
/* t with each datatype from[i] replaced by to[i] (an instance's own copy
 * of a module's datatype); t itself when none occurs. */
Type *types_replace_data(Types *ts, Type *t, TypeData **from,
                         TypeData **to, size_t n);

/* 1 when t (resolved) is an unbound variable or DYN. */
int types_unknown(Type *t);

/* Writes t in FDR's notation. Variables are named a, b, ... consistently
 * across the calls sharing one TypeNames (zero-initialise it). */
typedef struct TypeNames {
    const Type *vars[26];
    size_t count;
} TypeNames;
void types_print(const Type *t, TypeNames *names, char *buf, size_t len);
/* The class's name: "Eq", "Ord", ... (one bit). */
const char *types_class_name(unsigned cls);

#endif
