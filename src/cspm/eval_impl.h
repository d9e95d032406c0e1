/* eval_impl: what the evaluator's files share (eval.c, eval_proc.c,
 * eval_pattern.c, builtins.c). Not a public interface. */
#ifndef LOCKSTEP_EVAL_IMPL_H
#define LOCKSTEP_EVAL_IMPL_H

#include "builtins.h"
#include "eval.h"

typedef enum ClosureKind { CL_DEF, CL_LAMBDA, CL_BUILTIN } ClosureKind;

typedef struct Closure {
    ClosureKind kind;
    Binding *def;          /* CL_DEF: the function's clauses */
    Expr *lambda;          /* CL_LAMBDA */
    Env *env;              /* CL_LAMBDA */
    int builtin;           /* CL_BUILTIN */
    Value **args;          /* arguments given so far (curried groups) */
    size_t nargs, groups;  /* groups: parenthesised groups given */
} Closure;

/* A call interned as a thunk ref: a definition and all its arguments. */
typedef struct Call {
    Binding *def;
    Value **args;
    size_t nargs;
    uint64_t hash;
} Call;

enum { CHAIN_MAX = 64 };

/* A Timed section's event-time function, once evaluated. */
typedef struct TimedEt {
    const Decl *section;
    Value *et;
    struct TimedEt *next;
} TimedEt;

struct Eval {
    Arena *arena;
    Diags *diags;
    EventTable *events;
    TermTable *terms;
    EvalLimits limits;
    Binding **table;       /* top-level bindings by name */
    size_t table_size;
    uint32_t name_order;
    Call **calls;
    size_t ncalls, calls_cap;
    uint32_t *call_index;  /* hash slot -> ref + 1 */
    size_t call_slots;
    Value **event_values;  /* event id -> value */
    size_t event_cap;
    size_t depth;
    uint64_t steps;
    int errors;
    struct {
        const char *name;
        SrcPos pos;
    } chain[CHAIN_MAX];
    size_t chain_len;
    /* while binding a module's declarations: the prefix of their names
     * ("M::"), the scope their bodies see, and whom new bindings are
     * private to (NULL: public) */
    const char *bind_prefix;
    Env *bind_scope;
    const char *bind_private;
    struct ModuleDef {
        const char *name;  /* qualified */
        Decl *decl;
        Env *scope;        /* where it was declared */
    } *modules;
    size_t nmodules, modules_cap;
    int limit_hit;         /* an evaluation depth or step limit was hit */
    uint32_t tock;         /* Timed sections' tock; EVENT_NONE until used */
    TimedEt *timed_et;
};

/* eval.c */
Binding *eval_lookup(Eval *ev, Env *env, const char *name);
Env *eval_bind(Eval *ev, Env *env, const char *name, Value *v);
Value *eval_binding(Eval *ev, Binding *b, SrcPos at);
Value *eval_apply(Eval *ev, Value *fn, Value **args, size_t n, SrcPos at);
int eval_enter(Eval *ev, SrcPos at);
void eval_leave(Eval *ev);
Value *eval_closure(Eval *ev, Closure proto);
/* The environment of a let: its definitions see each other. Sets *out
 * (NULL is the top level); 0, or -1 when out of memory. */
int eval_let_env(Eval *ev, Decl **decls, size_t n, Env *env, Env **out);
/* Calls `each` for every binding of `stmts` in order (generators in the
 * order of their sets or sequences, guards filtering); 0 or -1. */
typedef int (*StmtFn)(Eval *ev, Env *env, void *ctx);
int eval_stmts(Eval *ev, Stmt *stmts, size_t n, Env *env, StmtFn each,
               void *ctx);
/* Growable value list in the arena. */
typedef struct VList {
    Value **items;
    size_t count, cap;
} VList;
int vlist_add(Eval *ev, VList *l, Value *v);
/* The elements of a set or sequence value (an error otherwise). */
int eval_elements(Eval *ev, Value *v, SrcPos at, Value ***items, size_t *n);

/* The elements of sequence or set comprehension `comp` for the bindings
 * of its statements from `first` on, appended to out; 0 or -1. */
int eval_comp_elements(Eval *ev, Expr *comp, size_t first, Env *env,
                       VList *out);

/* eval_set.c: set algebra over finite (V_SET) and infinite (V_ISET)
 * sets. set_finite: 0 for a V_SET, else an error naming `what` ("cannot
 * enumerate the infinite set ..." for a V_ISET). */
int set_finite(Eval *ev, Value *v, SrcPos at, const char *what);
int set_is_set(const Value *v);
/* {lo..hi}; hi may be ISET_POS_INF ({lo..}), lo ISET_NEG_INF. */
Value *set_ints(Eval *ev, long long lo, long long hi, SrcPos at);
Value *set_union(Eval *ev, Value *a, Value *b, SrcPos at);
Value *set_inter(Eval *ev, Value *a, Value *b, SrcPos at);
Value *set_diff(Eval *ev, Value *a, Value *b, SrcPos at);
/* 1 yes, 0 no, -1 undecidable here (reported). */
int set_empty(Eval *ev, Value *v, SrcPos at);
int set_subset(Eval *ev, Value *a, Value *b, SrcPos at);

/* eval_lazy.c: infinite sequences (V_LSEQ). */
Value *lazy_from(Eval *ev, long long m);
/* <e | p <- source, rest>: elements produced as they are needed. */
Value *lazy_comp(Eval *ev, Expr *comp, Env *env, Value *source);
/* prefix ^ rest, prefix a finite V_SEQ. */
Value *lazy_append(Eval *ev, Value *prefix, Value *rest);
/* The first k elements of v (computed as needed); NULL after an error. */
Value **lazy_take(Eval *ev, Value *v, size_t k, SrcPos at);
/* v without its first k elements. */
Value *lazy_tail(Eval *ev, Value *v, size_t k);
/* "what: cannot enumerate the infinite sequence/set ..." */
void lazy_enumerate_error(Eval *ev, Value *v, SrcPos at, const char *what);

/* eval_priority.c: qsort's order of uint64_t keys. */
int eval_u64_order(const void *a, const void *b);

/* eval_types.c: a type binding's value, computed now (from
 * eval_binding); a datatype's fields that named a type still being
 * computed, once every type is; a dotted type's components as sets. */
Value *eval_type_value(Eval *ev, Binding *b);
void eval_type_fixup(Eval *ev, Decl *d);
int eval_type_fields(Eval *ev, Expr *type, Value ***fields, size_t *n);

/* eval_pattern.c: 1 match (bindings added to *env), 0 no match. */
int eval_match(Eval *ev, Expr *pattern, Value *v, Env **env);
/* Number of dotted fields a pattern covers (x.y: 2), a constructor with
 * its own fields counting as one (X.x: 1 when X has one field). */
size_t eval_pattern_width(Eval *ev, Env *env, const Expr *pattern);
/* For the variable `name` of a pattern binding pat = body: where both are
 * tuples written out, the part of each that holds it, as far down as the
 * other parts of the pattern match anything (_ or variables). Evaluating
 * only that part keeps the other components lazy, as in FDR:
 * (s, t) = (1, loop) gives s without evaluating loop. */
void eval_pattern_narrow(Eval *ev, Env *env, Expr **pat, Expr **body,
                         const char *name);

/* eval_proc.c */
uint32_t eval_thunk(Eval *ev, Binding *def, Value **args, size_t n);
/* v (a dotted value, flat or not) with each constructor grouped with its
 * fields: c.A.0.1 is c.(A.0).1 when A has one field. Dotted values are
 * stored flat; this is their structure as channels and patterns see it
 * (FDR's longest match). NULL when out of memory. */
Value *eval_structure(Eval *ev, Value *v);
Value *eval_structure_items(Eval *ev, Value **items, size_t n);
/* A channel or constructor given all its fields (toggle.1.0): an error at
 * `at` when a field is outside its declared type, as in FDR. Partial
 * values are not checked. 0, or -1 after an error. */
int eval_dot_check(Eval *ev, Value *v, SrcPos at);
/* Every event a channel or partial event value extends to, appended. */
int eval_productions(Eval *ev, Value *v, SrcPos at, VList *out);

/* eval_timed.c: FDR's translation of a Timed section's processes (the
 * table is at the top of eval_timed.c). TERM_NONE/NULL after an error. */
uint32_t timed_tock(Eval *ev, SrcPos at);      /* the event id */
uint32_t timed_stop(Eval *ev, SrcPos at);      /* TSTOP */
uint32_t timed_skip(Eval *ev, SrcPos at);      /* TSKIP */
/* W = tock -> W [] p, for p the choice of a prefix's events */
uint32_t timed_wait(Eval *ev, uint32_t p, SrcPos at);
/* tock^et(event) -> next, with et of the section `e` is written in */
uint32_t timed_after(Eval *ev, const Expr *e, Value *event, uint32_t next);
uint32_t timed_set(Eval *ev, uint32_t set, SrcPos at); /* set + {tock} */
uint32_t timed_only_tock(Eval *ev, SrcPos at);         /* {tock} */
Value *timed_wait_value(Eval *ev, Value *n, SrcPos at); /* WAIT(n) */

/* eval_priority.c: prioritise(P, <A1, ..>), prioritisepo(P, X, R, M),
 * timed_priority(P); NULL after an error. */
Value *priority_apply(Eval *ev, const char *name, Value **args, SrcPos at);
Value *priority_order_apply(Eval *ev, const char *name, Value **args,
                            SrcPos at);
Value *priority_timed(Eval *ev, const char *name, Value *p, SrcPos at);

/* builtins.c (builtins.h has the table) */
/* 1 when v is of `kind`; else an error naming builtin fn and `what` it
 * expects, and 0. */
int builtin_want(Eval *ev, Value *v, ValueKind kind, const char *fn,
                 const char *what, SrcPos at);
/* The value of builtin `id` written at `at`, inside a Timed section when
 * `timed` (STOP and SKIP are TSTOP and TSKIP there). */
Value *builtin_value(Eval *ev, int id, SrcPos at, int timed);
Value *builtin_apply(Eval *ev, int id, Value **args, size_t n, SrcPos at);
/* 1 when the builtin makes a process from its arguments. */
int builtin_is_process(int id);
uint32_t builtin_proc(Eval *ev, int id, Value **args, size_t n, SrcPos at);

#endif
