/* render_msc: a counterexample as a message sequence chart, in SVG.
 *
 * One lifeline per component of the network (named by its process at the
 * start, e.g. PHIL(0)), one row per step of the counterexample: a line
 * joining the components that take part, a dot on each, labelled with the
 * event; a hidden step is dashed and names the event it hides ("τ hides
 * picks.0.0"). Then what goes wrong, in red: the event the specification
 * cannot do (or that is impossible, or may be refused), the τ cycle of a
 * divergence, the components waiting on each other in a deadlock. At the
 * foot of each lifeline, the component's process at the end and what it
 * offers. A machine that is not a network (the explored-term semantics)
 * is drawn as one lifeline.
 *
 * The SVG is written by hand (no layout engine is needed: columns and
 * rows) in one monospace font, so that text widths are known and no two
 * texts overlap: long names and processes are cut with "…" and given in
 * full in a tooltip (<title>). It is a standalone document and, without
 * its XML prolog, can be inlined into HTML.
 */
#ifndef LOCKSTEP_RENDER_MSC_H
#define LOCKSTEP_RENDER_MSC_H

#include "check.h"
#include "machine.h"

#include <stdio.h>

/* Writes the chart of r's counterexample (r->verdict is VERDICT_FAIL,
 * m the implementation's machine) to out. `prolog`: 1 for a standalone
 * .svg file, 0 for inline use. Returns 0, or -1 when out of memory or
 * there is no counterexample. */
int render_msc(const Machine *m, const CheckResult *r, const char *title,
               int prolog, FILE *out);

#endif
