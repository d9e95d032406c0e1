/* render: counterexamples and deadlocks as Graphviz graphs.
 *
 * Graphs are built with cgraph and written as DOT (agwrite) or laid out
 * with dot and rendered (gvc) to SVG or PNG, in-process. Two pictures:
 *   - the counterexample path: one node per state from the initial one,
 *     edges labelled with events, the failing step drawn in red (the
 *     deadlocked state, the refused or impossible event as a red edge to
 *     an error node, the tau loop of a divergence as a red cycle);
 *   - the wait-for diagram of a deadlock: one node per component, labelled
 *     with its current process; an edge A -> B labelled e when A offers e
 *     and B must take part but does not; edges on cycles of waiting in red;
 *     components that refuse everything drawn as grey boxes.
 * The same WaitGraph serves deadlocks caught by the runtime in real
 * programs. Labels may hold any text: cgraph escapes them.
 */
#ifndef LOCKSTEP_RENDER_H
#define LOCKSTEP_RENDER_H

#include "check.h"
#include "machine.h"

#include <stddef.h>
#include <stdio.h>

typedef enum RenderFormat { RENDER_DOT, RENDER_SVG, RENDER_PNG } RenderFormat;

typedef struct WaitGraph {
    size_t nodes;
    char **label;        /* per node: the component's current process */
    int *idle;           /* per node: 1 when it refuses everything */
    size_t edges, edges_cap;
    size_t *from, *to;   /* per edge */
    char **event;        /* per edge: the event `from` offers */
} WaitGraph;

/* Extension for RenderFormat ("dot", "svg", "png"). */
const char *render_extension(RenderFormat format);

/* The wait-for graph of `state` of a compiled network machine
 * (compile.h). Returns 0, or -1 when out of memory or when the machine is
 * not a network (the explored-term semantics has no components). */
int render_waitgraph_of(const Machine *m, const uint32_t *state,
                        WaitGraph *out);
/* Adds a node / an edge (copies the strings); 0 or -1. */
int render_waitgraph_node(WaitGraph *g, const char *label, int idle);
int render_waitgraph_edge(WaitGraph *g, size_t from, size_t to,
                          const char *event);
void render_waitgraph_free(WaitGraph *g);

/* Per node, 1 when it is on a cycle of waiting; NULL when out of memory.
 * Free with mem_free. */
unsigned char *render_waitgraph_cyclic(const WaitGraph *g);

/* Writes the wait-for diagram to `path`. Returns 0, or -1 with a message
 * in err (e.g. the file cannot be written). */
int render_waitgraph(const WaitGraph *g, const char *title, const char *path,
                     RenderFormat format, char *err, size_t err_len);

/* The wait-for diagram as SVG for inlining into HTML (no XML prolog),
 * written to out. Returns 0, or -1 (out of memory, or no layout). */
int render_waitgraph_inline(const WaitGraph *g, const char *title,
                            FILE *out);

struct Lts;
struct TermTable;
/* An LTS as a picture: numbered states (the caller lists their terms),
 * the initial one in bold, deadlocked, terminated and divergent ones
 * coloured, taus dashed, with a legend. Above `budget` states, its
 * strongly connected components instead (a box each, with its size);
 * above `budget` of those, an error that says so. */
int render_lts(const struct Lts *lts, struct TermTable *terms,
               const char *title, uint32_t budget, const char *path,
               RenderFormat format, char *err, size_t err_len);

/* Writes the counterexample of a failed check as a path graph. */
int render_cex(const Machine *m, const CheckResult *r, const char *title,
               const char *path, RenderFormat format, char *err,
               size_t err_len);

#endif
