/* ast: the syntax tree of a CSPM file.
 *
 * One Expr node type covers values, patterns and processes, since in CSPM
 * processes are expressions and patterns are written like expressions;
 * the evaluator gives each kind its meaning. Every node carries its source
 * position. All nodes, arrays and strings live in the model's Arena: the
 * tree is freed with it, never node by node.
 */
#ifndef LOCKSTEP_AST_H
#define LOCKSTEP_AST_H

#include "diag.h"

#include <stddef.h>

typedef enum ExprKind {
    /* literals and names */
    E_INT, E_BOOL, E_CHAR, E_STRING, E_NAME, E_WILD,
    /* data */
    E_CALL,      /* kids[0](kids[1..]) */
    E_BINOP,     /* kids[0] op kids[1]: op is a TokKind (+ - * / % == ...) */
    E_UNOP,      /* op kids[0]: - not # */
    E_IF,        /* if kids[0] then kids[1] else kids[2] */
    E_LET,       /* let decls within kids[0] */
    E_LAMBDA,    /* \ kids[0..n-2] @ kids[n-1] */
    E_TUPLE,     /* (kids...) with n >= 2 */
    E_DOT,       /* kids[0].kids[1] (right associative) */
    E_SET,       /* {kids...} */
    E_SET_RANGE, /* {kids[0]..kids[1]}; open when n == 1 */
    E_SET_COMP,  /* {kids[0] | stmts} */
    E_EVENTS,    /* {| kids... |} */
    E_EVENTS_COMP, /* {| kids[0] | stmts |} */
    E_SEQ,       /* <kids...> */
    E_SEQ_RANGE, /* <kids[0]..kids[1]>; open when n == 1 */
    E_SEQ_COMP,  /* <kids[0] | stmts> */
    E_ALSO,      /* pattern kids[0] @@ kids[1] */
    /* processes */
    E_PREFIX,    /* kids[0] (the channel part) fields -> kids[1] */
    E_GUARD,     /* kids[0] & kids[1] */
    E_PROC_BINARY, /* kids[0] op kids[1]: [] |~| ; /\ [> ||| */
    E_PROC_SET,  /* kids[0] op kids[2] with set kids[1]: [|A|] [|A|> \ [+A+]
                    /+A+\ |\  (for \ and |\ : kids[0] op kids[1]) */
    E_APAR,      /* kids[0] [kids[1] || kids[2]] kids[3] */
    E_RENAME,    /* kids[0] [[ pairs | stmts ]] */
    E_LINK,      /* kids[0] [ pairs | stmts ] kids[1] */
    E_REPL,      /* op stmts @ [kids[1] (set or alphabet)] kids[0]; for
                    linked parallel kids[1] is an E_LINK holding only the
                    ties (pairs) and their own stmts */
    E_MAP,       /* (| pairs |): pairs[i].from => pairs[i].to */
    E_KIND_COUNT
} ExprKind;

typedef struct Expr Expr;
typedef struct Decl Decl;

/* A generator `pattern <- expr` (or `pattern : expr` in replicated
 * operators), or a boolean guard (pattern NULL). */
typedef struct Stmt {
    Expr *pattern;
    Expr *expr;
} Stmt;

typedef enum FieldKind { FIELD_DOT, FIELD_OUT, FIELD_IN, FIELD_NDIN } FieldKind;

/* One field of a prefix: .e, !e, ?p[:S], $p[:S]. */
typedef struct Field {
    FieldKind kind;
    Expr *expr;        /* the value or the pattern */
    Expr *restrict_to; /* ?p:S, $p:S; else NULL */
    SrcPos pos;
} Field;

/* A pair a <- b of a renaming, or a <-> b of a linked parallel. */
typedef struct Pair {
    Expr *from, *to;
} Pair;

struct Expr {
    ExprKind kind;
    SrcPos pos;
    int op;            /* TokKind of the operator, for BINOP/UNOP/PROC_* */
    long long ival;    /* INT, BOOL, CHAR */
    const char *name;  /* NAME; STRING: the text (unescaped) */
    Expr **kids;
    size_t nkids;
    Stmt *stmts;       /* comprehensions, replicated operators, renaming */
    size_t nstmts;
    Field *fields;     /* PREFIX */
    size_t nfields;
    Pair *pairs;       /* RENAME, LINK */
    size_t npairs;
    Decl **decls;      /* LET */
    size_t ndecls;
    /* The D_TIMED declaration of the Timed(et) { } section the expression
     * is written in, or NULL: its processes are timed (eval_timed.c). */
    const Decl *timed;
};

typedef enum DeclKind {
    D_CHANNEL,   /* channel names : type */
    D_DATATYPE,  /* datatype name = ctor | ctor.T | ... */
    D_SUBTYPE,   /* subtype name = ctor | ... (of an existing datatype) */
    D_NAMETYPE,  /* nametype name = type */
    D_DEF,       /* name(params)... = body, or pattern = body */
    D_ASSERT,
    D_PRINT,
    D_ANNOT,     /* names :: [context =>] type (checked by typecheck.c) */
    D_MODULE,    /* module name(params) decls exports decls endmodule */
    D_INSTANCE,  /* instance name = body (a module, applied to arguments) */
    D_LIBRARY,   /* transparent / external names (names, nnames): FDR's
                    library functions; inside module M also as M::name */
    D_TIMED      /* Timed(body) { ...: the section's declarations follow it
                    in the same list, their expressions marked with it */
} DeclKind;

/* A type as written in an annotation `f :: ...` (FDR's notation). */
typedef enum TypeExprKind {
    TY_NAME,       /* Int, Bool, Proc, Event, Char, a datatype, or a type
                      variable (a name that is no type) */
    TY_SET,        /* {kids[0]} */
    TY_SEQ,        /* <kids[0]> */
    TY_TUPLE,      /* (kids...), n >= 2 */
    TY_FUN,        /* (kids[0..n-2]) -> kids[n-1] */
    TY_DOTABLE,    /* kids[0] => kids[1] */
    TY_EXTENDABLE, /* kids[0] =>* kids[1] */
    TY_DOT,        /* kids[0].kids[1]... */
    TY_MAP         /* (| kids[0] => kids[1] |) */
} TypeExprKind;

typedef struct TypeExpr TypeExpr;
struct TypeExpr {
    TypeExprKind kind;
    SrcPos pos;
    const char *name;   /* TY_NAME */
    TypeExpr **kids;
    size_t nkids;
};

/* A class constraint `Eq a` of an annotation's context. */
typedef struct TypeConstraint {
    const char *cls, *var;
    SrcPos pos;
} TypeConstraint;

typedef enum AssertForm {
    AF_DEADLOCK, AF_DIVERGENCE, AF_DETERMINISM, AF_HAS_TRACE, AF_REFINE,
    AF_SYMMETRIC /* :[symmetric]: T, ...: parsed and typed, not checked */
} AssertForm;

typedef struct Ctor {
    const char *name;
    Expr *fields;      /* dotted type of the fields, or NULL */
    SrcPos pos;
} Ctor;

struct Decl {
    DeclKind kind;
    SrcPos pos;
    const char *name;   /* DEF (function or simple name), DATATYPE, ... */
    /* D_CHANNEL */
    const char **names;
    size_t nnames;
    Expr *type;         /* CHANNEL, NAMETYPE: the (dotted) type; or NULL */
    /* D_DATATYPE, D_SUBTYPE */
    Ctor *ctors;
    size_t nctors;
    /* D_DEF: params[i] is the i-th parenthesised group (curried), each
     * with nparams[i] patterns; ngroups == 0 for a plain binding. A pattern
     * binding ((a, b) = ...) has name NULL and lhs set. */
    Expr ***params;
    size_t *nparams;
    size_t ngroups;
    Expr *lhs;
    Expr *body;         /* DEF, PRINT */
    /* D_DEF, set by the type checker: 1 when the body is a process in
     * every use (its type is Proc, not a variable), -1 when not; the
     * evaluator then makes a complete application a thunk without
     * evaluating the body, lazy as FDR is (eval.c apply_def). */
    int yields_process;
    /* D_ASSERT */
    AssertForm form;
    int negated;
    int model;          /* 0 [T], 1 [F], 2 [FD], 3 [V], 4 [VD], 5 [R],
                           6 [RD]; -1: none */
    Expr *impl, *spec, *trace;
    Expr **symmetric;   /* AF_SYMMETRIC: the datatypes named */
    size_t nsymmetric;
    int tau_priority, partial_order;
    Expr *priority;     /* :[tau priority]: the set of events */
    const char *text;   /* the assertion as written, whitespace collapsed */
    /* D_ANNOT: names (names/nnames above), context and type */
    TypeConstraint *context;
    size_t ncontext;
    TypeExpr *annot;
    /* D_MODULE: its declarations, the first nprivate of them private (before
     * `exports`); its parameters are names[0..nnames). */
    Decl **decls;
    size_t ndecls, nprivate;
};

typedef struct Module {
    Decl **decls;
    size_t ndecls;
} Module;

#endif
