/* eval: the CSPM evaluator (internal to the front end; model.h is the
 * public face).
 *
 * Expressions evaluate to values (value.h) in environments of bindings.
 * Top-level and let bindings are lazy: a binding is evaluated when first
 * used, so an erroneous binding that is never used does not fail the file,
 * and a binding that needs itself is reported, not looped on.
 *
 * Processes become terms (checker/term.h). In a process position, a call of
 * a process definition (PHIL(2), SYSTEM) is not evaluated but becomes a
 * THUNK term whose ref names the call; the term table asks eval_resolve for
 * its body only when the checker needs its transitions. Calls are interned
 * by (definition, argument values), so the same call is the same state
 * wherever it is written.
 *
 * Errors are Diags with the position of the expression and the chain of
 * calls that led there; the failing evaluation returns NULL (or TERM_NONE)
 * and every caller passes that up. Depth and step limits turn runaway
 * recursion into an error naming the function.
 */
#ifndef LOCKSTEP_EVAL_H
#define LOCKSTEP_EVAL_H

#include "ast.h"
#include "diag.h"
#include "event.h"
#include "term.h"
#include "value.h"

typedef struct Eval Eval;
typedef struct Env Env;
typedef struct Binding Binding;

typedef enum BindState { B_TODO, B_BUSY, B_DONE, B_FAILED } BindState;

struct Binding {
    const char *name;
    Decl **clauses;        /* function clauses / the definition; 0 for a
                              pattern-bound variable */
    size_t nclauses;
    Value *value;          /* once evaluated */
    BindState state;
    Env *env;              /* where the clauses are evaluated */
    SrcPos pos;
    const char *why_failed; /* B_FAILED without a report yet: the reason,
                               given where the binding is used */
    const char *private_to; /* a module's private declaration: the prefix
                               (M::) of the scopes that see it */
    Decl *type_decl;       /* a datatype, nametype or subtype, computed
                              when first used (eval_bind.c): declaration
                              order does not matter */
    const char *prefix;    /* with type_decl: the module prefix it is in */
    Binding *next;         /* hash chain (top level) */
};

/* A chain of bindings; a node with `scope` set (binding NULL) stands for
 * the declarations of a module, found in the top-level table under
 * scope + name ("M::x"). */
struct Env {
    Env *parent;
    Binding *binding;
    const char *scope;
};

/* Deep enough for chains of 100,000 operands (each one nested call);
 * unbounded recursion stops there, or where the stack runs out. */
enum { EVAL_DEFAULT_DEPTH = 1000000 };

typedef struct EvalLimits {
    size_t max_depth;      /* nested evaluations; 0: EVAL_DEFAULT_DEPTH */
    uint64_t max_steps;    /* evaluation steps; 0: 500 million */
} EvalLimits;

/* NULL when out of memory. The arena, diags, events and terms outlive it. */
Eval *eval_new(Arena *arena, Diags *diags, EventTable *events,
               const EvalLimits *limits);
void eval_free(Eval *ev);
/* The hooks to give the term table (resolve and print of thunk refs). */
TermHooks eval_hooks(Eval *ev);
void eval_set_terms(Eval *ev, TermTable *terms);

/* Binds the declarations of a module at top level (channels, datatypes,
 * definitions); evaluates nothing yet except channel and datatype names.
 * Errors (duplicates, ...) go to the diagnostics. */
void eval_bind_module(Eval *ev, const Module *m);

Value *eval_expr(Eval *ev, Expr *e, Env *env);
/* The term of a process expression; TERM_NONE after an error. */
uint32_t eval_proc(Eval *ev, Expr *e, Env *env);
/* A set of events as an interned term set; TERM_NONE after an error. */
uint32_t eval_event_set(Eval *ev, Expr *e, Env *env);
/* The event id of an event value; EVENT_NONE (with a diagnostic at `at`)
 * when v is not a complete event. */
uint32_t eval_event_id(Eval *ev, const Value *v, SrcPos at);

/* 1 when `name` is a channel declared at top level. */
int eval_is_channel(Eval *ev, const char *name);

/* The term a thunk ref stands for (TermHooks.resolve). */
uint32_t eval_resolve(void *ud, uint32_t ref);

/* 1 when an evaluation depth or step limit was hit (exit code 3). */
int eval_limit_hit(const Eval *ev);

/* Errors reported so far (by this evaluator). */
int eval_failed(const Eval *ev);
/* Reports an error at `at`, with the current call chain. */
void eval_error(Eval *ev, SrcPos at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
