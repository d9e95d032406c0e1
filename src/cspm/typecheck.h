/* typecheck: static type checking of a CSPM file, as FDR does before it
 * evaluates anything.
 *
 * Hindley-Milner inference over the whole module: top-level bindings are
 * split into groups of mutually recursive definitions (dependency
 * analysis) and generalised group by group, so a function is polymorphic
 * where it is used. Like FDR (libcspm), a definition local to a `let` is
 * polymorphic only when it carries an annotation `g :: ...`. FDR's type
 * classes (Eq, Ord, Set, Complete, Inputable, Yieldable) are constraints
 * on type variables; channels `channel c : A.B` have type A=>B=>Event,
 * constructors `C.A` of a datatype T have type A=>T; annotations
 * `f :: Eq a => (a, <a>) -> Bool` are checked against the definitions.
 *
 * What it deliberately does not decide: where FDR's typing of dotted
 * values cannot be settled locally (a dot whose parts are variables of
 * unknown type, an input that takes several fields, `a =>* b`), the
 * expression gets the unknown type and is accepted: a valid model never
 * gets a false error, and the evaluator still checks such values when
 * they are built.
 *
 * Modules: a name x of module M is typed as the global M::x, in the one
 * dependency analysis; private names are visible inside their module
 * only; instance N = M(args) instantiates M's parameters and names
 * afresh (typecheck_module.c).
 *
 * Errors go to Diags as DIAG_TYPE_ERROR, printed as
 *   file:line:col: type error: expected Int, found Bool in 'x' (argument 2
 *   of f, declared at 3:1)
 * An expression that failed gets the unknown type, so one mistake is
 * reported once, not at every use.
 */
#ifndef LOCKSTEP_TYPECHECK_H
#define LOCKSTEP_TYPECHECK_H

#include "ast.h"
#include "diag.h"

/* Type-checks a parsed module. Returns the number of type errors added to
 * diags, or -1 when out of memory. The module is not modified. */
int typecheck_module(const Module *m, Diags *diags);

#endif
