/* internal.h — the runtime's shared internals (not installed).
 *
 * One lock, rt->lock, guards every field below that changes during a run:
 * channel wait lists, process wait states, counters, the per-process record
 * buffers and the sequence number. A process never sleeps holding it except
 * in pthread_cond_wait on its own condition variable. Trace writing happens
 * outside the lock, serialised by rt->write_lock and flush tickets so that
 * batches reach the file in sequence order.
 *
 * Internal functions are prefixed lks_<file stem>_ and hidden from the
 * shared library's symbol table.
 */
#ifndef LKS_INTERNAL_H
#define LKS_INTERNAL_H

#include "lockstep.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define LKS_HIDDEN __attribute__((visibility("hidden")))
#define LKS_USERS 4 /* processes remembered per channel end */

/* The type of one channel field: an integer range or a list of symbols. */
typedef struct LksField {
    int lo, hi;          /* values lo..hi; symbols: 0..nsymbols-1 */
    int nsymbols;        /* 0: integer range */
    char **symbols;
} LksField;

/* A declared CSPM channel. */
typedef struct LksDecl {
    char *name;
    char *type;          /* as declared, e.g. "{0..4}.{0..4}" */
    int nfields;
    LksField fields[LKS_MAX_FIELDS];
    int traced;
    size_t payload;      /* message channels: bytes per message, else 0 */
    LksProject project;  /* message -> data fields, for the trace */
    void *project_ud;
    struct LksDecl *next;
} LksDecl;

/* One offer of a waiting process on a channel: a node of its wait list. */
typedef struct LksNode {
    LksProc *proc;
    int guard;           /* index into proc->guards */
    LksDir dir;
    LksChannel *chan;
    struct LksNode *prev, *next;
} LksNode;

struct LksChannel {
    LksRuntime *rt;
    LksDecl *decl;
    int nfixed, ndata;
    int fixed[LKS_MAX_FIELDS];
    char *name;          /* "picks.0.1" */
    size_t name_len;
    size_t max_text;     /* longest event text, without newline */
    int poisoned;
    LksNode *waiting[2]; /* heads of the FIFO wait lists, by LksDir */
    LksNode *tail[2];
    int users[2][LKS_USERS]; /* ids of processes that used each end */
    int nusers[2];
    int users_overflow[2];
    char **expected[2];  /* process names from lks_channel_expect */
    int nexpected[2];
    struct LksChannel *next;
};

/* Record kinds in the trace stream. */
enum { LKS_REC_EVENT, LKS_REC_META };

/* One record of the trace: an event or a metadata line, with its place in
 * the global sequence. */
typedef struct LksRecord {
    uint64_t seq;
    uint64_t time_ns;
    int kind;
    const LksChannel *chan;          /* EVENT */
    char *text;                      /* META: the line without "# " */
    int values[LKS_MAX_FIELDS];      /* EVENT: the data fields */
} LksRecord;

/* A batch of records in sequence order, owned by one buffer at a time. */
typedef struct LksChunk {
    int count, capacity;
    struct LksChunk *next;           /* in a collected list */
    LksRecord records[];
} LksChunk;

enum { LKS_RUNNING, LKS_BLOCKED, LKS_PARENT, LKS_DONE };

struct LksProc {
    LksRuntime *rt;
    char *name;
    int id;
    int state;
    pthread_t thread;
    pthread_cond_t cond;
    LksBody body;
    void *arg;
    int result;
    /* the alt it is blocked in */
    LksGuard *guards;
    LksNode *nodes;
    int nnodes;
    int counted;         /* blocked untimed: counts in rt->blocked */
    int outcome;         /* chosen guard, or an error; LKS_PENDING while
                            waiting (atomic: read while spinning) */
    int sleeping;        /* in pthread_cond_wait: a waker must signal */
    uint64_t blocked_since_ns;
    LksChannel *poisoned;
    int mark;            /* scratch for the partial-deadlock search */
    /* per guard of its current alt: a message's projected fields */
    int (*projected)[LKS_MAX_FIELDS];
    int nprojected;
    LksChunk *buffer;    /* its records not yet collected (newest chunk
                            first) */
    int buffered;        /* records in buffer */
    int chunk_capacity;  /* size of its last chunk: grows to flush_events */
    struct LksProc *prev, *next; /* in rt->procs while alive */
};

#define LKS_PENDING (-1000)

typedef struct LksReplay LksReplay;

struct LksRuntime {
    LksConfig cfg;
    pthread_mutex_t lock;
    LksDecl *decls;
    LksChannel *channels;
    LksProc *procs;          /* live processes */
    int next_id;
    int live;                /* processes running or blocked */
    int blocked;             /* of which blocked without a timeout */
    int cores;               /* online processors (spinning pays only
                                while one is free for the partner) */
    int ended;               /* the run was ended: LKS_EDEADLOCK or
                                LKS_EREPLAY (0 while it runs) */
    LksReplay *replay;       /* LOCKSTEP_REPLAY's trace, or NULL */
    uint64_t seq;            /* next sequence number */
    uint64_t events;         /* events committed */
    uint64_t recorded;       /* of which written as event lines */
    uint64_t start_ns;
    LksDeadlock *deadlock;
    char error[256];
    /* recording */
    int fd;                  /* -1: not recording */
    int trace_status;        /* LKS_OK or the first write error */
    LksChunk *meta;          /* records made outside process buffers */
    LksChunk *pool;          /* empty chunks of flush_events records */
    int npool;
    uint64_t collected_seq;  /* records below this were collected */
    uint64_t tickets;        /* flush batches handed out */
    pthread_mutex_t write_lock;
    pthread_cond_t write_turn;
    uint64_t written_tickets;
    /* monitor thread */
    int monitor_running, monitor_stop;
    pthread_t monitor;
    pthread_cond_t monitor_wake;
};

/* runtime.c */
LKS_HIDDEN void lks_runtime_set_error(LksRuntime *rt, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
LKS_HIDDEN uint64_t lks_runtime_now_ns(void);

/* record.c: all but lks_record_flush_batch are called with rt->lock held. */
LKS_HIDDEN int lks_record_event(LksRuntime *rt, LksProc *p,
                                const LksChannel *ch, const int *values);
LKS_HIDDEN int lks_record_meta(LksRuntime *rt, LksProc *p, char *text);
LKS_HIDDEN int lks_record_metaf(LksRuntime *rt, LksProc *p,
                                const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
LKS_HIDDEN int lks_record_want_flush(const LksRuntime *rt, const LksProc *p);
/* Collects every buffer under the lock, then (after the caller unlocked)
 * writes them: call as  b = lks_record_collect(rt); unlock;
 * lks_record_write(rt, b). */
typedef struct LksBatch {
    LksChunk *chunks;
    uint64_t lo, hi, ticket;
} LksBatch;
LKS_HIDDEN LksBatch lks_record_collect(LksRuntime *rt);
LKS_HIDDEN void lks_record_write(LksRuntime *rt, LksBatch batch);
LKS_HIDDEN void lks_record_release(LksChunk *chunk);
/* Writes ".v" for fields first..first+n-1 (no terminator); returns length. */
LKS_HIDDEN size_t lks_record_format_fields(char *out, const LksDecl *d,
                                          int first, int n, const int *values);

/* chan.c */
LKS_HIDDEN void lks_chan_note_user(LksChannel *ch, LksDir dir, int id);
/* The data fields a waiting SEND node offers (its values, or its
 * message's projection). */
LKS_HIDDEN const int *lks_chan_sent(const LksNode *node);

/* deadlock.c: called with rt->lock held */
LKS_HIDDEN void lks_deadlock_check(LksRuntime *rt);
LKS_HIDDEN void lks_deadlock_check_partial(LksRuntime *rt, uint64_t now_ns);
LKS_HIDDEN void lks_deadlock_free(LksDeadlock *d);

/* replay.c: all but load and free are called with rt->lock held */
LKS_HIDDEN int lks_replay_load(LksRuntime *rt, const char *path);
LKS_HIDDEN void lks_replay_free(LksReplay *r);
/* At the first channel operation: LKS_OK, or LKS_EREPLAY when an event
 * of the trace is not on a recorded channel of the program (said). */
LKS_HIDDEN int lks_replay_start(LksRuntime *rt);
/* 1 when ch.values may happen now: it is the trace's next event, or not
 * recorded, or the trace is done. */
LKS_HIDDEN int lks_replay_allows(LksRuntime *rt, const LksChannel *ch,
                                 const int *values);
/* After an event on ch committed: the trace moves on. */
LKS_HIDDEN void lks_replay_done(LksRuntime *rt, const LksChannel *ch);
/* Every live process blocked: 1 (and said) when the trace is not done. */
LKS_HIDDEN int lks_replay_stuck(LksRuntime *rt);

/* deadlock.c: ends the run with `code` (LKS_EREPLAY) for every blocked
 * process, without a deadlock record. */
LKS_HIDDEN void lks_deadlock_end(LksRuntime *rt, int code);

/* monitor.c */
LKS_HIDDEN void lks_monitor_start(LksRuntime *rt);
LKS_HIDDEN void lks_monitor_stop(LksRuntime *rt);

/* proc.c */
LKS_HIDDEN void lks_proc_wake(LksProc *p, int outcome);

#endif
