/* report_html: `check --report FILE.html`, one self-contained page per run.
 *
 * The page lists every assertion checked, one table row each (verdict,
 * assertion, line, states, transitions, time), and for each assertion that
 * does not pass a section with what went wrong: the text report, the
 * counterexample as a sequence chart, the wait-for diagram of a deadlock
 * and a table of the components at the end. Everything is inline (CSS,
 * SVG); nothing is fetched, so the page opens from a CI artefact store
 * in any browser.
 *
 * Sections are kept in memory as they come and the page is written once,
 * at the end, to FILE.tmp and renamed: an interrupted run leaves no
 * half-written report. The DOM is a stable interface for tests and
 * scripts: tr.assert per assertion (with data-verdict), section.assertion
 * per failure (id "a<N>"), svg.msc for the chart.
 */
#ifndef LOCKSTEP_REPORT_HTML_H
#define LOCKSTEP_REPORT_HTML_H

#include "checkrun.h"
#include "model.h"

typedef struct HtmlReport HtmlReport;

/* NULL when out of memory. `model_file` names the page. */
HtmlReport *report_html_new(const char *path, const char *model_file);
/* Adds assertion `index` and its result (compressions as report_assert:
 * those built since *compressions, which becomes the number built). */
void report_html_assert(HtmlReport *h, Model *model, size_t index,
                        const RunResult *r, size_t *compressions);
/* A page for a file that did not load: its errors (d), no assertion.
 * 0, or -1 with a message on stderr. */
int report_html_load_errors(const char *path, const char *model_file,
                            const Diags *d);

/* Writes the page and frees h. Returns 0, or -1 with a message on
 * stderr (the file cannot be written). */
int report_html_finish(HtmlReport *h);

#endif
