/* lockstep.h — the lockstep runtime: communicating processes in real C.
 *
 * The one public header of liblockstep. A program builds a runtime, declares
 * its CSPM channels, makes channel ends, and runs named processes in
 * parallel. Processes talk only over synchronous channels (rendezvous,
 * any-to-any), choose between communications with an alt, and stop each
 * other with poison. Every completed communication is one CSP event
 * `chan.v1.v2`, numbered from one global sequence at the moment it commits,
 * so a multi-threaded run records one total order: a CSP trace, written to a
 * text file that `lockstep trace MODEL.csp PROCESS FILE` checks against a
 * model. The file format is specified in runtime/README.md (version 1).
 *
 * What it deliberately does not do: multi-way synchronisation (an event is a
 * rendezvous of exactly one sender and one receiver), asynchronous channels
 * (a buffer is a process, as in CSP: lks_buffer is one). There is no
 * runtime-wide lock on communication: an alt locks only its own channels,
 * and takes a waiting partner atomically, so processes on different
 * channels never wait for each other. A waiting process spins briefly (a
 * few microseconds; with more running processes than cores it yields the
 * core instead) before it sleeps, since its partner usually comes soon.
 *
 * Replay: with LOCKSTEP_REPLAY=cex.json in the environment (what
 * `lockstep check --format json` wrote: the first failed assertion's
 * trace), a communication on a recorded channel commits only when its
 * event is the trace's next; the others wait for their turn. After the
 * trace the program runs freely, so the deadlock a model predicts happens
 * for real, in the debugger. A program that cannot follow the trace ends
 * with LKS_EREPLAY, saying (on stderr and in the trace) at which event and
 * what each process offered instead. lks_runtime_new returns NULL
 * (errno EINVAL, the reason on stderr) when the file cannot be read.
 *
 * Ownership: the runtime owns every channel and process it makes; they live
 * until lks_runtime_free. Strings passed in are copied. Channel operations
 * may be called only from inside a process body (they take the LksProc of
 * the calling process).
 *
 * Worked example (two processes, one event `c.42`):
 *
 *     static int sender(LksProc *self, void *arg) {
 *         int v = 42;
 *         return lks_send(self, arg, &v);
 *     }
 *     static int receiver(LksProc *self, void *arg) {
 *         int v;
 *         return lks_recv(self, arg, &v);
 *     }
 *     LksConfig cfg = lks_config_default();
 *     cfg.trace_path = "run.trace";
 *     LksRuntime *rt = lks_runtime_new(&cfg);
 *     lks_channel_declare(rt, "c", "{0..99}", 0);
 *     LksChannel *c = lks_channel_new(rt, "c", 0, NULL);
 *     LksProcSpec ps[2] = {{"SENDER", sender, c, 0}, {"RECEIVER", receiver, c, 0}};
 *     int rc = lks_par(rt, NULL, ps, 2);   // LKS_OK
 *     lks_runtime_free(rt);                // flushes and closes run.trace
 */
#ifndef LOCKSTEP_H
#define LOCKSTEP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define LKS_API __attribute__((visibility("default")))
#else
#define LKS_API
#endif

/* Version of the trace-file format this library writes (runtime/README.md). */
#define LKS_TRACE_FORMAT 1

/* At most this many fields (fixed and data) per channel. */
#define LKS_MAX_FIELDS 8

/* Status codes. Non-negative results are successes (an alt returns the
 * index of the chosen guard); every error is negative. */
enum {
    LKS_OK = 0,
    LKS_EPOISON = -1,   /* the channel is poisoned: lks_poisoned_channel() */
    LKS_EDEADLOCK = -2, /* the run deadlocked and was ended by the runtime */
    LKS_ENOMEM = -3,    /* out of memory */
    LKS_EINVAL = -4,    /* bad argument: lks_runtime_error() says which */
    LKS_ERANGE = -5,    /* a value outside its channel field's type */
    LKS_EIO = -6,       /* the trace file could not be written */
    LKS_ESTATE = -7,    /* call not allowed now (e.g. declare after events) */
    LKS_EPROC = -8,     /* lks_par: some process returned non-zero */
    LKS_EREPLAY = -9    /* LOCKSTEP_REPLAY: the program cannot follow the
                           counterexample (lks_runtime_error says where) */
};

typedef struct LksRuntime LksRuntime;
typedef struct LksChannel LksChannel;
typedef struct LksProc LksProc;

/* Options of one runtime; start from lks_config_default(). */
typedef struct LksConfig {
    const char *trace_path;   /* file to record into; NULL: no recording */
    int flush_events;         /* a process's buffer holds this many records
                                 before the run's buffers are written (4096) */
    int flush_interval_ms;    /* also write buffered records at least this
                                 often from a monitor thread; 0: never (100) */
    int partial_deadlock_ms;  /* look for a partial deadlock (wait-for cycle)
                                 among processes blocked this long; 0: off */
    int timestamps;           /* 1: a `# at <ns>` line before every event */
} LksConfig;

LKS_API LksConfig lks_config_default(void);

/* A new runtime; opens (truncates) cfg->trace_path and writes the format
 * line. NULL if out of memory or the file cannot be opened (errno says). */
LKS_API LksRuntime *lks_runtime_new(const LksConfig *cfg);

/* Writes what is buffered, a final `# end <n> events` line (n: the number
 * of event lines in the file), closes the
 * file and frees everything. Returns LKS_OK or LKS_EIO if any trace write
 * failed during the run. Call only when no lks_par is running. */
LKS_API int lks_runtime_free(LksRuntime *rt);

/* Message about the last LKS_EINVAL/LKS_ESTATE/LKS_ERANGE/LKS_EIO of this
 * runtime (owned by rt, valid until the next error). */
LKS_API const char *lks_runtime_error(const LksRuntime *rt);
LKS_API const char *lks_strerror(int code);

/* Number of events committed so far. */
LKS_API uint64_t lks_event_count(const LksRuntime *rt);

/* Number of processes blocked in a channel operation or alt right now
 * (with or without a timeout): for monitoring and tests. */
LKS_API int lks_blocked_count(const LksRuntime *rt);

/* Writes every buffered record to the trace file now. */
LKS_API int lks_flush(LksRuntime *rt);

/* ---- Channels -------------------------------------------------------------
 * lks_channel_declare declares the CSPM channel `name` with the field types
 * `type`, a dot-separated list of CSPM sets of literals, each `{lo..hi}` or
 * `{sym1, sym2, ...}`; "" for a channel without fields:
 *     lks_channel_declare(rt, "picks", "{0..4}.{0..4}", 0);
 *     lks_channel_declare(rt, "msg", "{req, ack}.{0..255}", 0);
 * A symbolic field's C value is the index of the symbol (req = 0, ack = 1)
 * and is written as the symbol. The declaration is written to the trace as
 * `# channel picks : {0..4}.{0..4}`, which tells a verifier that the channel
 * is observed. With flags LKS_UNTRACED the channel is neither declared in
 * the trace nor recorded (its events are hidden, as `\` in CSPM).
 * Declare every channel before the first event. */
#define LKS_UNTRACED 1
LKS_API int lks_channel_declare(LksRuntime *rt, const char *name,
                                const char *type, int flags);

/* The C value of symbol `symbol` in field `field` (0-based) of channel
 * `name`: lks_symbol(rt, "msg", 0, "ack") == 1. LKS_EINVAL if there is no
 * such channel, field or symbol. */
LKS_API int lks_symbol(LksRuntime *rt, const char *name, int field,
                       const char *symbol);

/* A channel end-point object for the declared channel `name` with its first
 * `nfixed` fields fixed to `fixed` (like `picks.2.3` or `c.1`); the
 * remaining fields are the data a communication carries. Any number of
 * processes may send and receive on it (any-to-any). NULL on error
 * (lks_runtime_error says which). */
LKS_API LksChannel *lks_channel_new(LksRuntime *rt, const char *name,
                                    int nfixed, const int *fixed);

/* The two ends of a channel. */
typedef enum LksDir { LKS_DIR_SEND, LKS_DIR_RECV } LksDir;

/* Optional: names a process expected to use one end of ch (call once per
 * process), e.g. lks_channel_expect(putsdown_1_1, LKS_DIR_SEND, "PHIL.1").
 * The wait-for graph of deadlock records and the partial-deadlock search
 * then know that partner before it has ever touched the channel; without
 * it they learn partners only from use. */
LKS_API int lks_channel_expect(LksChannel *ch, LksDir dir,
                               const char *process);

/* "picks.2.3": the channel name with its fixed fields. */
LKS_API const char *lks_channel_name(const LksChannel *ch);
/* Number of data fields a communication on ch carries. */
LKS_API int lks_channel_arity(const LksChannel *ch);

/* ---- Messages -------------------------------------------------------------
 * Any C value can travel on a channel: lks_channel_payload makes every
 * message of the declared channel `name` a block of `size` bytes, copied
 * from the sender's buffer into the receiver's at the rendezvous (a struct;
 * a string in a fixed-size array; to hand over a pointer and the ownership
 * of what it points to, send the pointer itself, size sizeof(void *)). The
 * trace still records a CSPM event: `project` maps a message to the
 * channel's data fields (lks_channel_arity ints, each in its field's
 * declared type), e.g. an order struct to `order.3.large`. It is called in
 * the sender, under the runtime's lock: keep it short and pure. A value
 * outside its field's type (or a non-zero return) makes the send fail with
 * LKS_ERANGE naming the channel and field; nothing is recorded. A channel
 * without data fields needs no projection (NULL). Call it after
 * lks_channel_declare and before the first event.
 *
 *     static int project(const void *msg, int *fields, void *ud) {
 *         const Order *o = msg;
 *         fields[0] = o->id;
 *         fields[1] = o->quantity > 100;       // {small, large}
 *         return 0;
 *     }
 *     lks_channel_declare(rt, "order", "{0..9}.{small, large}", 0);
 *     lks_channel_payload(rt, "order", sizeof(Order), project, NULL);
 *     ... lks_send_msg(self, order, &o);  lks_recv_msg(self, order, &o, NULL);
 */
typedef int (*LksProject)(const void *msg, int *fields, void *ud);
LKS_API int lks_channel_payload(LksRuntime *rt, const char *name,
                                size_t size, LksProject project, void *ud);

/* ---- Processes ------------------------------------------------------------
 * A process body runs in its own thread; its return value is its result
 * (0: success). lks_par starts the n processes and waits for all of them.
 * Called from the main thread, parent is NULL; called from inside a process,
 * parent is that process (it does not count as live while it waits).
 * Returns LKS_OK, LKS_EDEADLOCK if the run deadlocked (the record is then in
 * the trace and in lks_deadlock()), LKS_EPROC if some body returned non-zero
 * (each spec's result field holds its body's return value), or LKS_ENOMEM /
 * LKS_EINVAL. The trace records `# process NAME` at the start of each
 * process and `# exit NAME CODE` at its end. Names must not contain spaces. */
typedef int (*LksBody)(LksProc *self, void *arg);
typedef struct LksProcSpec {
    const char *name;
    LksBody body;
    void *arg;
    int result;               /* out: the body's return value */
} LksProcSpec;

LKS_API int lks_par(LksRuntime *rt, LksProc *parent, LksProcSpec *procs,
                    int n);
LKS_API const char *lks_proc_name(const LksProc *self);
LKS_API LksRuntime *lks_proc_runtime(const LksProc *self);

/* ---- Communication --------------------------------------------------------
 * lks_send offers the event ch.values and blocks until a receiver takes it;
 * lks_recv blocks until a sender offers one and stores its data fields in
 * values (lks_channel_arity(ch) ints; NULL when there are none). Both return
 * LKS_OK, LKS_EPOISON (poisoned before or while waiting), LKS_EDEADLOCK (the
 * run deadlocked), LKS_ERANGE (send: a value outside the field's type). */
LKS_API int lks_send(LksProc *self, LksChannel *ch, const int *values);
LKS_API int lks_recv(LksProc *self, LksChannel *ch, int *values);
/* The same on a message channel: msg is copied into the receiver's msg
 * (its projected fields into `fields` when not NULL). */
LKS_API int lks_send_msg(LksProc *self, LksChannel *ch, const void *msg);
LKS_API int lks_recv_msg(LksProc *self, LksChannel *ch, void *msg,
                         int *fields);

/* Poisons ch: idempotent. Every party blocked on ch wakes with LKS_EPOISON
 * and every later operation on ch returns it; lks_poisoned_channel(self)
 * then names the channel. Recorded as `# poison NAME by PROC`. self may be
 * NULL when called from outside any process. */
LKS_API void lks_poison(LksProc *self, LksChannel *ch);
LKS_API LksChannel *lks_poisoned_channel(const LksProc *self);

/* ---- Choice ---------------------------------------------------------------
 * An alt waits until one of its enabled guards is ready and performs it.
 * A guard is enabled when its precondition `enabled` is non-zero (CSPM's
 * `b & P`). SEND offers chan.values, RECV accepts any chan.x and stores x
 * in values, SKIP is always ready, TIMEOUT becomes ready timeout_ms after
 * the alt starts (<= 0: at once). A poisoned enabled channel guard counts
 * as ready and, if chosen, makes the alt return LKS_EPOISON.
 * lks_alt_pri chooses the first ready guard in array order. lks_alt_fair
 * starts its search after the guard it chose last time (*state, start at 0),
 * so no ready guard is passed over forever. When nothing is ready at once,
 * the first partner to arrive decides. Returns the chosen guard's index, or
 * LKS_EPOISON / LKS_EDEADLOCK / LKS_ERANGE / LKS_EINVAL. An alt with no
 * enabled guard at all is STOP: it blocks forever (until deadlock). */
typedef enum LksGuardKind {
    LKS_GUARD_SEND,
    LKS_GUARD_RECV,
    LKS_GUARD_SKIP,
    LKS_GUARD_TIMEOUT
} LksGuardKind;

typedef struct LksGuard {
    LksGuardKind kind;
    int enabled;          /* boolean precondition */
    LksChannel *chan;     /* SEND / RECV */
    int *values;          /* SEND: data to send; RECV: where data goes (on
                             a message channel: its fields, or NULL) */
    long timeout_ms;      /* TIMEOUT */
    void *msg;            /* message channels (lks_channel_payload): SEND
                             the message; RECV where it goes, or NULL */
} LksGuard;

LKS_API int lks_alt_pri(LksProc *self, LksGuard *guards, int n);
LKS_API int lks_alt_fair(LksProc *self, LksGuard *guards, int n, int *state);

/* ---- Buffers ----------------------------------------------------------
 * A buffered channel is a process, as in CSP. lks_buffer is a ready-made
 * process body (pass a LksBufferSpec as its arg) that takes values on in and
 * offers them on out in FIFO order, holding at most capacity at once:
 *   BUFF(s) = #s < K & in?x -> BUFF(s ^ <x>)
 *          [] #s > 0 & out!head(s) -> BUFF(tail(s))
 * Both channels must carry the same number of data fields, and be message
 * channels of one size or neither (then it buffers the messages). Both ends'
 * events are recorded (in.x, then later out.x). When in is poisoned it
 * still delivers what it holds, then poisons out and returns 0; when out is
 * poisoned it poisons in and returns 0. Other errors are returned. */
typedef struct LksBufferSpec {
    LksChannel *in, *out;
    int capacity;         /* >= 1 */
} LksBufferSpec;

LKS_API int lks_buffer(LksProc *self, void *spec);

/* ---- Deadlock records -----------------------------------------------------
 * When every live process is blocked on channel operations (untimed), the
 * runtime ends the run: every blocked operation and every later one returns
 * LKS_EDEADLOCK, lks_par returns LKS_EDEADLOCK, and the trace gets
 *     # deadlock
 *     # blocked PHIL.0 offers {| picks.0.1 |}
 *     # waits PHIL.0 for FORK.1 on picks.0.1
 * With partial_deadlock_ms > 0, a monitor also looks for a set of processes
 * blocked that long that no process outside the set can release (a knot in
 * the wait-for graph) while others still run; it ends the run the same way
 * and writes `# deadlock partial` instead of `# deadlock`.
 * The same record as data, for the renderer (owned by rt, NULL if none): */
typedef struct LksOffer {
    const char *channel;  /* "picks.0.1": name and fixed fields */
    LksDir dir;
    int nvalues;          /* SEND: the data offered (values), else 0 */
    const int *values;
    const char *event;    /* SEND: the full event "c.1.5"; RECV: the
                             prefix "c.1" (any c.1.x is accepted) */
} LksOffer;

typedef struct LksBlocked {
    const char *process;  /* its name */
    int noffers;          /* 0: STOP (an alt with no enabled guard) */
    const LksOffer *offers;
    int nwaits_for;       /* wait-for edges: indices into LksDeadlock.blocked */
    const int *waits_for;
    const int *waits_via; /* per edge: the index in offers of the offer
                             that the other process would have to take */
} LksBlocked;

typedef struct LksDeadlock {
    int partial;          /* 1: a knot among processes while others ran */
    uint64_t after_events;/* events committed before the deadlock */
    int nblocked;
    const LksBlocked *blocked;
} LksDeadlock;

/* For a diagram: one node per LksBlocked (grey when noffers == 0), one
 * edge per waits_for[e], labelled offers[waits_via[e]].event.
 * The deadlock of the last run (NULL if it did not deadlock). Wait-for
 * edges: P waits for Q when Q has used or offered the other end of a channel
 * P offers on, or is named for it by lks_channel_expect. In a full deadlock
 * an end nobody is known to use can only be taken by a blocked process, so
 * P then waits for every other blocked process there: every process has an
 * edge unless it offers nothing, and the graph holds the deadlock's cycles
 * with no hint given (lks_channel_expect narrows those edges to the one
 * named). A partial deadlock names only partners seen or expected. */
LKS_API const LksDeadlock *lks_deadlock(const LksRuntime *rt);

#ifdef __cplusplus
}
#endif
#endif
