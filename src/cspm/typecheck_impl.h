/* typecheck_impl: what the type checker's files share (typecheck.c: the
 * driver, declarations and annotations; typecheck_module.c: the scopes of
 * modules and their instances; typecheck_expr.c: expressions and
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
    G_PARAM,    /* a parameter of a module (no node: typed by its uses) */
    G_BUILTIN
} GlobalKind;

typedef struct Global Global;
struct Global {
    const char *name;  /* qualified inside a module: "M::N::x" */
    GlobalKind kind;
    Type *type;        /* generalised once its group is done */
    int node;          /* its dependency node; -1 for builtins */
    Decl *annot;       /* its annotation, or NULL */
    Decl *clause;      /* G_DEF of a function: its first clause */
    TypeData *data;    /* G_TYPE of a datatype: the datatype */
    SrcPos pos;
    /* Private to module M (and what M encloses): "M::"; else NULL. */
    const char *private_to;
    /* Declared inside a module with parameters: that module's prefix
     * (its names are used through instances only); else NULL. */
    const char *param_module;
    Global *next;      /* hash chain */
};

/* A module or an instance: a namespace of qualified names. */
typedef struct TcModule TcModule;
struct TcModule {
    const char *prefix;   /* "P::M::" (P: where it is declared) */
    Decl *decl;           /* D_MODULE or D_INSTANCE */
    Global **params;      /* a module's parameters, in order */
    size_t nparams;
    /* An instance: the module it instantiates (NULL: none is known), and
     * its names, each with the module's name it copies. */
    TcModule *of;
    Global **members, **members_of;
    size_t nmembers;
    /* A module: the modules instantiated inside it (recursion check);
     * the prefix it is private to (declared before `exports`), or NULL. */
    struct TcUse *uses;
    const char *private_to;
    TcModule *next;
};

/* A name bound by a pattern, a let or a lambda: the innermost first. */
typedef struct Local Local;
struct Local {
    const char *name;
    Type *type;        /* generic variables are instantiated at each use */
    Decl *def;         /* a let definition: its first clause */
    Decl *annot;       /* a let definition: its annotation, or NULL */
    SrcPos at;         /* a pattern variable: where it is bound */
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

typedef struct Checker Checker;
/* Reports `at` as nested too deeply and abandons the check when the stack
 * is nearly used up, or the run's limit (limit.h) when it is reached;
 * returns otherwise. Every recursive walk calls it. */
void tc_stack_guard(Checker *c, SrcPos at);

typedef struct Checker {
    Types ts;
    Arena *arena;
    Diags *diags;
    jmp_buf *out_of_memory; /* also taken, with too_deep set, when the stack
                               runs out or a limit is reached (the error is
                               reported first) */
    int too_deep;
    Global **table;
    size_t table_size;
    Local *scope;
    TypeVarScope *tvars;
    int errors;
    /* Where names are declared and looked up: "" at the top level, "M::"
     * inside module M; the module whose private part is being declared;
     * the innermost module with parameters around. */
    const char *prefix, *private_to, *param_module;
    Decl *prev_decl;  /* declaring: the one before, in the same list */
    TcModule *modules;
    Type *t_int, *t_bool, *t_char, *t_proc, *t_event, *t_dyn;
    struct BodyType *bodies; /* each clause's body and its type, resolved
                                when the whole module is checked */
} Checker;

/* The dependency graph of the declarations (typecheck.c). */
typedef struct Node {
    Decl *decl;          /* channel, datatype, ..., pattern binding */
    Global *def;         /* a named definition: its clauses */
    Decl **clauses;
    size_t nclauses, cap;
    const char *scope;   /* the module prefix it is declared in */
    TcModule *instance;  /* an instance: its names and its module's */
    int *edges;
    size_t nedges, edges_cap;
    int index, low, on_stack;
} Node;

typedef struct Graph {
    Node *nodes;
    size_t n, cap;
    int *stack;
    size_t sp;
    int counter;
} Graph;

/* typecheck.c */
void *tc_alloc(Checker *c, size_t n);
Type *tc_check(Checker *c, Type *t); /* NULL (out of memory) unwinds */
/* The global of exactly this (qualified) name, visible or not. */
Global *tc_global_exact(Checker *c, const char *name);
Global *tc_global_add(Checker *c, const char *name, GlobalKind kind,
                      int node, SrcPos pos);
/* A name a declaration introduces (qualified with c->prefix); NULL
 * (reported) when the name is taken. */
Global *tc_declare(Checker *c, const char *name, GlobalKind kind, int node,
                   SrcPos at);
int tc_node_new(Checker *c, Graph *g, Decl *d);
void tc_edge_node(Checker *c, Graph *g, int from, int to);
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

/* typecheck_module.c */
/* c->prefix + name. */
const char *tc_qualify(Checker *c, const char *name);
/* The global `name` stands for where c->prefix is: the innermost module's
 * own name first, then the enclosing ones', then the top level; private
 * names only inside their module. NULL when none is visible. */
Global *tc_global(Checker *c, const char *name);
/* module M(X, ...): registers it and declares its parameters; then
 * c->prefix is "M::" until tc_module_leave(c, saved). */
typedef struct TcScope {
    const char *prefix, *private_to, *param_module;
} TcScope;
TcScope tc_module_enter(Checker *c, Decl *d);
/* The module or instance whose qualified name is `qualified` ("P::M"), or
 * NULL. */
const Decl *tc_module_named(Checker *c, const char *qualified);
/* Reports `name` at `at` as defined before, at `first` (its file named
 * when it is another), `why` appended. */
void tc_duplicate(Checker *c, const char *name, SrcPos at, SrcPos first,
                  const char *why);
void tc_module_leave(Checker *c, TcScope saved);
/* instance N = M(args): N::x for each name x of M, typed when the
 * instance's node is checked (tc_check_instance). */
void tc_declare_instance(Checker *c, Graph *g, Decl *d);
void tc_instance_edges(Checker *c, Graph *g, int k);
void tc_check_instance(Checker *c, Node *n);
/* A name with no visible global: reports it (undefined, private, of a
 * module with parameters) unless it belongs to a failed instance. */
void tc_name_unknown(Checker *c, Expr *e);
/* FDR's error for a variable bound twice by one binding: the pattern
 * variables added to c->scope since `mark` (P(x, x), a?x?x, two
 * generators of one comprehension); `what` names the binding. */
void tc_distinct_binders(Checker *c, const Local *mark, const char *what);

/* typecheck_expr.c */
Type *tc_expr(Checker *c, Expr *e);
/* A pattern: binds its variables in c->scope and returns its type. */
Type *tc_pattern(Checker *c, Expr *e);
/* Generators and guards, binding into c->scope; `seq`: 0 for sets, 1 for
 * sequences (a set is let through, as the evaluator takes either), or
 * TC_SEQ_ONLY where FDR requires a sequence. */
enum { TC_SEQ_ONLY = 2 };
void tc_stmts(Checker *c, Stmt *stmts, size_t n, int seq);
/* The element type of a set or sequence expression's type. */
Type *tc_elements(Checker *c, Expr *e, Type *t, int seq);
/* The field type a set expression denotes (channel and datatype fields);
 * a tuple of sets denotes tuples. */
Type *tc_field_type(Checker *c, Expr *e);
/* 1 when `name` in a pattern is a constant (a channel or constructor not
 * hidden by a local). */
int tc_is_constant(Checker *c, const char *name);
/* A dotted pattern x.y matched against events or datatype values: its
 * head must be a channel or constructor, not a variable (FDR cannot split
 * an event whose channel is unknown), and a channel or constructor still
 * missing fields cannot be split at all. `use`: the argument matched
 * against it, where the error is reported (else at the pattern). */
void tc_dot_split(Checker *c, Expr *pattern, Type *t, const Expr *use);

/* typecheck_dot.c */
/* e1.e2...: the type of a dotted expression or pattern. */
Type *tc_dot(Checker *c, Expr *e, int pattern);
/* c.x?y!z -> P: the event part of a prefix, binding inputs into scope. */
void tc_prefix_event(Checker *c, Expr *e);
/* 1 when t is an event, something that dots to an event, or unknown. */
int tc_event_like(Type *t);

#endif
