/* builtins: the names CSPM provides (union, card, STOP, sbisim, ...), in
 * one table with the type FDR gives each (in FDR's annotation syntax,
 * which typecheck.c reads) and what implements it (builtin_value and
 * builtin_apply in eval_impl.h). Ids are indices into the table. */
#ifndef LOCKSTEP_BUILTINS_H
#define LOCKSTEP_BUILTINS_H

/* The id of `name`, or -1. */
int builtin_lookup(const char *name);
int builtin_count(void);
const char *builtin_name(int id);
/* The type, e.g. "Set a => ({a}) -> Int"; NULL for an entry users do not
 * write (found by id only). */
const char *builtin_type(int id);
/* 1 for the names defined only inside a Timed section (WAIT, TSTOP,
 * TSKIP, timed_priority). */
int builtin_timed_only(const char *name);

#endif
