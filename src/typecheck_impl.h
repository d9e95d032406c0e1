/* typecheck_impl: what the type checker's files share (typecheck.c: the
 * driver, declarations and annotations; typecheck_expr.c: expressions and
 * patterns; typecheck_dot.c: dotted values and prefixes). Not a public
 * interface. */
#ifndef LOCKSTEP_TYPECHECK_IMPL_H
#define LOCKSTEP_TYPECHECK_IMPL_H

#include "typecheck.h"
#include "types.h"

#include <setjmp.h>

typedef enum GlobalKind {
    G_DEF,      /* a definition (function, constant, pattern variable) */
    G_CTOR,     /* a datatype constructor */
    G_CHANNEL,
    G_TYPE,     /* a datatype, subtype or nametype name (a set) */
    G_BUILTIN
} GlobalKind;

typedef struct Global Global;
struct Global {
    const char *name;
    GlobalKind kind;
    Type *type;        /* generalised once its group is done */
    int node;          /* its dependency node; -1 for builtins */
    Decl *annot;       /* its annotation, or NULL */
    TypeData *data;    /* G_TYPE of a datatype: the datatype */
    SrcPos pos;
    Global *next;      /* hash chain */
};

/* A name bound by a pattern, a let or a lambda: the innermost first. */
typedef struct Local Local;
struct Local {
    const char *name;
    Type *type;        /* generic variables are instantiated at each use */
    Decl *def;         /* a let definition: its first clause */
    Decl *annot;       /* a let definition: its annotation, or NULL */
    Local *next;
};

/* The type variables an annotation names, in scope in the annotated
 * definition's body (so that a nested `y :: {a}` means the same a). */
typedef struct TypeVarScope TypeVarScope;
struct TypeVarScope {
    const char *name;
    Type *type;
    TypeVarScope *next;
};

typedef struct Checker {
    Types ts;
    Arena *arena;
    Diags *diags;
    jmp_buf *out_of_memory;
    Global **table;
    size_t table_size;
    Local *scope;
    TypeVarScope *tvars;
    int errors;
    /* Names declared inside modules (not typed yet): not reported as
     * undefined where they are used. */
    const char **module_names;
    size_t nmodule_names, module_names_cap;
    Type *t_int, *t_bool, *t_char, *t_proc, *t_event, *t_dyn;
} Checker;

/* typecheck.c */
void *tc_alloc(Checker *c, size_t n);
Type *tc_check(Checker *c, Type *t); /* NULL (out of memory) unwinds */
Global *tc_global(Checker *c, const char *name);
/* Reports a type error at `at` (printf-style). */
void tc_error(Checker *c, SrcPos at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Unifies `found` (the type of e) with `expected`; on failure reports
 * "expected E, found F in 'e' (why)" and returns -1. */
int tc_expect(Checker *c, Expr *e, Type *found, Type *expected,
              const char *why);
/* Requires the classes `cls` of t; on failure reports which class the
 * type lacks, for e (why). 0 or -1. */
int tc_require(Checker *c, Expr *e, Type *t, unsigned cls, const char *why);
/* The expression written back, shortened, for messages. */
const char *tc_expr_text(Checker *c, const Expr *e);
/* Local definitions of a let (typecheck.c: they are declarations). */
void tc_let(Checker *c, Decl **decls, size_t n);
Type *tc_fresh(Checker *c);
Type *tc_set_of(Checker *c, Type *elem);
Type *tc_seq_of(Checker *c, Type *elem);

/* typecheck_expr.c */
Type *tc_expr(Checker *c, Expr *e);
/* A pattern: binds its variables in c->scope and returns its type. */
Type *tc_pattern(Checker *c, Expr *e);
/* Generators and guards, binding into c->scope; `colon`: the generators
 * of a replicated operator (over sets or sequences). */
void tc_stmts(Checker *c, Stmt *stmts, size_t n, int seq);
/* The element type of a set or sequence expression's type. */
Type *tc_elements(Checker *c, Expr *e, Type *t, int seq);
/* The field type a set expression denotes (channel and datatype fields);
 * a tuple of sets denotes tuples. */
Type *tc_field_type(Checker *c, Expr *e);
/* 1 when `name` in a pattern is a constant (a channel or constructor not
 * hidden by a local). */
int tc_is_constant(Checker *c, const char *name);

/* typecheck_dot.c */
/* e1.e2...: the type of a dotted expression or pattern. */
Type *tc_dot(Checker *c, Expr *e, int pattern);
/* c.x?y!z -> P: the event part of a prefix, binding inputs into scope. */
void tc_prefix_event(Checker *c, Expr *e);
/* 1 when t is an event, something that dots to an event, or unknown. */
int tc_event_like(Type *t);

#endif
