/* report: one assertion's result as text for people or as JSON for CI.
 *
 * Text: one line per assertion (PASS/FAIL, the assertion, statistics),
 * then for a failure what went wrong, the trace in CSPM syntax and the
 * state of each component at its end. JSON: one object per line per
 * assertion; the schema is documented in README.md (schema_version 1).
 */
#ifndef LOCKSTEP_REPORT_H
#define LOCKSTEP_REPORT_H

#include "checkrun.h"
#include "model.h"

#include <stdio.h>

typedef enum ReportFormat { REPORT_TEXT, REPORT_JSON } ReportFormat;

typedef struct ReportOptions {
    ReportFormat format;
    int stats;      /* text: also print bytes/state, states/s, threads */
} ReportOptions;

/* The assertion's verdict, and the compressions its check built (those
 * since *compressions, which becomes the number built): states and
 * transitions before and after each, in JSON always, in text with
 * --stats. */
void report_assert(FILE *out, Model *model, size_t index, const RunResult *r,
                   const ReportOptions *options, size_t *compressions);

/* PASS, FAIL (the assertion, negated or not, does not hold), LIMIT or
 * ERROR. */
const char *report_verdict(const ModelAssert *a, const RunResult *r);

/* Component i's process at the end of r's counterexample (into process)
 * and what it offers ("{a, b}", mem_alloc'd into *offers). 0, or -1 when
 * there is none. */
int report_component(Model *model, const RunResult *r, size_t i,
                     char *process, size_t len, char **offers);

/* --format json: each error of d (a file that does not load) as one
 * object {"schema_version", "verdict": "error", "kind", "message",
 * "file", "line", "column"} per line. */
void report_errors_json(FILE *out, const Diags *d);

/* JSON text: a string (quoted, escaped) and a list of event names, for
 * every JSON this command line writes. */
void report_json_string(FILE *out, const char *s);
void report_json_events(FILE *out, EventTable *ev, const uint32_t *ids,
                        size_t n);

/* Writes the trace as CSPM text, e.g. "<a, c.1>", into buf. */
void report_trace(EventTable *events, const uint32_t *trace, size_t len,
                  char *buf, size_t cap);

#endif
