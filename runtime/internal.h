/* internal.h — the runtime's shared internals (not installed).
 *
 * No lock is global to communication. Who guards what:
 * - ch->lock: the channel's wait lists, its users and expectations. An alt
 *   holds the locks of the channels it offers on, taken in the one lock
 *   order (higher channel id first), from its scan until its offers are
 *   published.
 * - p->outcome (atomic): a process's wait. LKS_PENDING while it waits
 *   awake, LKS_ASLEEP once it may sleep; whoever ends the wait first moves
 *   it to LKS_CLAIMED by compare-and-swap (chan.c: lks_chan_claim), does
 *   what the wait's end needs, then stores the final outcome
 *   (lks_chan_release), under p->mu if the process may be asleep.
 * - rt->lock, the world lock: the process list, declarations, channel
 *   creation, flush collection, the monitor. Stopping the world
 *   (lks_chan_stop_world) is rt->lock then every channel lock: deadlock
 *   capture, process exit, replay and diagnostics run so, with no
 *   communication in flight.
 * - p->buf_lock: p's record buffer; a record's sequence number is taken
 *   under it (rt->meta_lock for records made outside processes), so a
 *   collector holding all of them sees every number below rt->seq.
 * Lock order: rt->lock, channel locks (by id, descending), p->mu,
 * p->buf_lock, rt->meta_lock, rt->pool_lock. Trace writing happens outside
 * all of them, serialised by rt->write_lock and flush tickets so that
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
    int linked;          /* in chan's wait list (chan->lock) */
    struct LksNode *prev, *next;
} LksNode;

struct LksChannel {
    LksRuntime *rt;
    pthread_mutex_t lock;
    int id;              /* creation order: the lock order */
    LksDecl *decl;
    int nfixed, ndata;
    int fixed[LKS_MAX_FIELDS];
    char *name;          /* "picks.0.1" */
    size_t name_len;
    size_t max_text;     /* longest event text, without newline */
    int poisoned;        /* atomic */
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
    int state;           /* LKS_RUNNING / BLOCKED / PARENT / DONE (atomic) */
    pthread_t thread;
    pthread_mutex_t mu;  /* with cond: sleeping and waking */
    pthread_cond_t cond;
    LksBody body;
    void *arg;
    int result;
    /* the alt it is blocked in */
    LksGuard *guards;
    LksNode *nodes;
    int nnodes;
    int counted;         /* waits untimed: counts in rt->blocked once
                            asleep */
    int outcome;         /* chosen guard, or an error; LKS_PENDING,
                            LKS_ASLEEP or LKS_CLAIMED during a wait
                            (atomic) */
    uint64_t blocked_since_ns;
    uint64_t events;     /* events it committed (atomic) */
    LksChannel *poisoned;
    int mark;            /* scratch for the partial-deadlock search */
    /* per guard of its current alt: a message's projected fields */
    int (*projected)[LKS_MAX_FIELDS];
    int nprojected;
    pthread_mutex_t buf_lock;
    LksChunk *buffer;    /* its records not yet collected (newest chunk
                            first) */
    int buffered;        /* records in buffer (atomic: read unlocked) */
    uint64_t recorded;   /* event lines it recorded */
    int chunk_capacity;  /* size of its last chunk: grows to flush_events */
    struct LksProc *prev, *next; /* in rt->procs while alive */
};

#define LKS_PENDING (-1000)
#define LKS_ASLEEP (-1001)
#define LKS_CLAIMED (-1002)

typedef struct LksReplay LksReplay;

struct LksRuntime {
    LksConfig cfg;
    pthread_mutex_t lock;
    LksDecl *decls;
    LksChannel *channels;    /* newest (highest id) first */
    int nchannels;
    LksProc *procs;          /* live processes */
    int next_id;
    int live;                /* processes running or blocked (atomic) */
    int blocked;             /* of which asleep without a timeout (atomic;
                                exact when the world is stopped) */
    int cores;               /* online processors (spinning pays only
                                while one is free for the partner) */
    int ended;               /* the run was ended: LKS_EDEADLOCK or
                                LKS_EREPLAY (0 while it runs; atomic, set
                                with the world stopped) */
    LksReplay *replay;       /* LOCKSTEP_REPLAY's trace, or NULL */
    uint64_t seq;            /* next sequence number (atomic) */
    uint64_t events;         /* events of processes that ended */
    uint64_t recorded;       /* of which recorded as event lines */
    uint64_t start_ns;
    LksDeadlock *deadlock;
    pthread_mutex_t error_lock;
    char error[256];
    /* recording */
    int fd;                  /* -1: not recording */
    int trace_status;        /* LKS_OK or the first write error */
    pthread_mutex_t meta_lock;
    LksChunk *meta;          /* records made outside process buffers */
    pthread_mutex_t pool_lock;
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

/* record.c: records take p->buf_lock (rt->meta_lock for p == NULL)
 * themselves; lks_record_collect needs rt->lock held. */
LKS_HIDDEN int lks_record_event(LksRuntime *rt, LksProc *p,
                                const LksChannel *ch, const int *values);
LKS_HIDDEN int lks_record_meta(LksRuntime *rt, LksProc *p, char *text);
LKS_HIDDEN int lks_record_metaf(LksRuntime *rt, LksProc *p,
                                const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
LKS_HIDDEN int lks_record_want_flush(const LksRuntime *rt, const LksProc *p);
/* Collects every buffer under rt->lock, then (after the caller unlocked)
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
/* The data fields a waiting SEND node offers (its values, or its
 * message's projection). */
LKS_HIDDEN const int *lks_chan_sent(const LksNode *node);
/* Is p in a wait (offers published, not yet ended)? */
LKS_HIDDEN int lks_chan_waiting(const LksProc *p);
/* Ends p's wait for the caller: 1 when p was waiting, and *was says how
 * (LKS_PENDING or LKS_ASLEEP); then the caller must lks_chan_release it. */
LKS_HIDDEN int lks_chan_claim(LksProc *p, int *was);
/* Gives claimed p its outcome: the caller's last access to p's wait. */
LKS_HIDDEN void lks_chan_release(LksProc *p, int was, int outcome);
/* rt->lock, then every channel lock; and back. The _channels pair is for
 * a caller that holds rt->lock already. */
LKS_HIDDEN void lks_chan_stop_world(LksRuntime *rt);
LKS_HIDDEN void lks_chan_start_world(LksRuntime *rt);
LKS_HIDDEN void lks_chan_lock_channels(LksRuntime *rt);
LKS_HIDDEN void lks_chan_unlock_channels(LksRuntime *rt);
/* Events committed so far (rt->lock held). */
LKS_HIDDEN uint64_t lks_chan_events(LksRuntime *rt);

/* deadlock.c: called with the world stopped */
LKS_HIDDEN void lks_deadlock_check(LksRuntime *rt);
LKS_HIDDEN void lks_deadlock_check_partial(LksRuntime *rt, uint64_t now_ns);
LKS_HIDDEN void lks_deadlock_free(LksDeadlock *d);

/* replay.c: all but load and free are called with the world stopped
 * (a replayed run stops the world for every channel operation) */
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

#endif
