/* parse: CSPM source to syntax tree (ast.h).
 *
 * A recursive-descent parser with precedence climbing over FDR's operator
 * precedences, from the loosest: hiding \, interleaving |||, the parallel
 * operators, |~|, [], interrupt and sliding choice, ;, guards & and
 * prefixes ->, or, and, not, comparisons, dot, ^, + -, * / %, unary - and
 * #, application and renaming. Conditionals, let, lambdas and replicated
 * operators extend as far to the right as they can.
 *
 * Errors go to Diags as file:line:col messages ("expected '->', found
 * ')'"); after an error the parser skips to the next declaration and goes
 * on, so one run reports independent mistakes. Includes are read relative
 * to the including file; a cycle or a missing file is an error at the
 * include. Everything is allocated in the arena.
 */
#ifndef LOCKSTEP_PARSE_H
#define LOCKSTEP_PARSE_H

#include "ast.h"
#include "diag.h"
#include "mem.h"

/* Parses a file and its includes. Returns a module (possibly with fewer
 * declarations) even on errors; NULL only when out of memory. */
Module *parse_file(const char *path, Arena *arena, Diags *diags);
Module *parse_string(const char *name, const char *text, Arena *arena,
                     Diags *diags);
/* One expression (for `lockstep eval FILE EXPR`); NULL on error. */
Expr *parse_expression(const char *name, const char *text, Arena *arena,
                       Diags *diags);

#endif
