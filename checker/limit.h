/* limit: the run's limits on time and memory, and the signals that end it.
 *
 * --timeout and --memory bound the whole process, in every phase: loading,
 * evaluation, compilation, normalisation, exploration, reporting. A
 * watchdog thread (limit_start) wakes every few milliseconds, compares the
 * clock with the deadline and the process's resident memory with the
 * budget, and raises a flag; SIGINT and SIGTERM raise it too. Every phase
 * that can run long polls limit_reached() (one relaxed atomic load) and
 * unwinds with a limit status, so the user gets the assertions decided so
 * far and exit 3. A phase that does not unwind within LIMIT_GRACE seconds
 * (a layout inside Graphviz, say) is ended by the watchdog itself: it
 * prints what was reached, and in which phase, and exits 3.
 *
 * A second SIGINT or SIGTERM ends the process at once, as it would without
 * lockstep's handler.
 *
 * Thread safety: everything here may be called from any thread; the flag
 * is sticky: once raised it stays raised for the rest of the run, but for
 * a phase's own deadline, which limit_lap lowers.
 */
#ifndef LOCKSTEP_LIMIT_H
#define LOCKSTEP_LIMIT_H

#include <stddef.h>

typedef enum LimitKind {
    LIMIT_NONE = 0,
    LIMIT_TIME,       /* the phase's deadline passed (--timeout) */
    LIMIT_MEMORY,     /* resident memory reached the --memory budget */
    LIMIT_SIGNAL,     /* SIGINT or SIGTERM */
    LIMIT_TOTAL_TIME  /* the run's deadline passed (--total-timeout) */
} LimitKind;

enum { LIMIT_GRACE = 5 }; /* seconds the phases have to unwind */

/* Starts the watchdog: a deadline `seconds` from now for the whole run
 * (0: none) and a budget of `bytes` of resident memory for the whole
 * process (0: none), and installs the signal handlers. 0, or -1 when the
 * thread cannot start (the cooperative checks of the deadline still work
 * then). Call once. */
int limit_start(double seconds, size_t bytes);

/* A deadline `seconds` from now (0: none) for the phase that begins (one
 * assertion, say), in place of the last phase's; when the flag was raised
 * by that deadline alone (LIMIT_TIME), it is lowered: the next phase gets
 * its own time. The other kinds stay sticky. */
void limit_lap(double seconds);

/* The limit that ended the run, or LIMIT_NONE. Cheap enough for every
 * evaluation step. */
LimitKind limit_reached(void);

/* Raises `kind` as if the watchdog had (a phase that measured it first, or
 * mem.h when an allocation fails). */
void limit_raise(LimitKind kind);
/* Lowers the flag again: for tests and fuzz targets that run input after
 * input in one process, without the watchdog. */
void limit_clear(void);

/* What `kind` means, for messages: "time limit reached (--timeout)". */
const char *limit_text(LimitKind kind);

/* Names what the process is doing now ("evaluating", "exploring", ...), for
 * the watchdog's message should it have to end the process. A string
 * literal; the caller keeps it alive. */
void limit_phase(const char *phase);

/* Bytes of the memory budget not yet resident, less a reserve for what is
 * not counted in advance; 0 when no budget was set. For sizing the state
 * store, which fills its share before the process reaches the budget. */
size_t limit_memory_left(void);

/* The budget when none is given: half of physical memory (1 GiB when it
 * cannot be read). */
size_t limit_default_budget(void);

/* The process's resident memory now, in bytes (0 when unknown, or before
 * limit_start). */
size_t limit_resident(void);

#endif
