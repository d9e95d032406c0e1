/* stack: how much C stack a recursive pass may still use, and a thread
 * with room for deep recursion.
 *
 * Parsing, type checking, evaluation, term building and compilation recurse
 * over the syntax tree, so a long chain (`a -> a -> ... -> STOP`, 100,000
 * operands of `+`) nests as deep as it is long. Rather than a different
 * fixed depth count in each pass (each wrong for some frame size), every
 * recursive pass asks stack_low() on entry and, when it says so, stops with
 * an error that names the construct ("nested too deeply"). The command line
 * runs its work on a thread made by stack_run with STACK_BIG bytes of
 * (lazily committed) stack, so legal models of documented size fit.
 *
 * Thread safety: each thread measures its own stack (thread-local).
 */
#ifndef LOCKSTEP_STACK_H
#define LOCKSTEP_STACK_H

#include <stddef.h>

/* The stack stack_run asks for: address space, touched only as used. */
#define STACK_BIG ((size_t)1 << 30)

/* 1 when less than a safety margin (256 KiB) of the calling thread's stack
 * is left: the caller must unwind with an error instead of recursing. */
int stack_low(void);

/* Runs fn(arg) on a new thread with `bytes` of stack and returns its
 * result; runs it on the calling thread when such a thread cannot be made
 * (stack_low still guards it there). */
int stack_run(size_t bytes, int (*fn)(void *), void *arg);

#endif
