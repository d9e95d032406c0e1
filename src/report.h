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

void report_assert(FILE *out, Model *model, size_t index, const RunResult *r,
                   const ReportOptions *options);

/* With --stats (text): one line per compression built since *shown (the
 * compressions a check just built), states and transitions before and
 * after; *shown becomes the number built. */
void report_compressions(FILE *out, Model *model, size_t *shown,
                         const ReportOptions *opt);

/* Writes the trace as CSPM text, e.g. "<a, c.1>", into buf. */
void report_trace(EventTable *events, const uint32_t *trace, size_t len,
                  char *buf, size_t cap);

#endif
