/* limit: the watchdog, the flag and the signal handlers. See limit.h.
 *
 * Resident memory is read from /proc/self/statm (Linux), every POLL_MS,
 * and every POLL_MS / 10 once half the budget is used: a phase that
 * allocates at 1 GB/s grows by about 1 MB before the flag is up, and more
 * while it unwinds on a loaded machine, so the flag is raised when memory
 * comes within a sixteenth of the budget. The state store, most of the
 * memory of a large check, is sized from what is left of the budget, and
 * the explorer keeps each level within it (explore.c), so a check
 * normally ends at its own memory limit before the watchdog has to raise
 * the flag. */
#define _GNU_SOURCE
#include "limit.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { POLL_MS = 10 };

static atomic_int limit_flag;
static _Atomic(const char *) limit_phase_now = "reading the command line";
static double limit_deadline;   /* CLOCK_MONOTONIC seconds; 0: none */
static size_t limit_budget;     /* bytes; 0: none */
static double limit_raised_at;  /* when the watchdog first saw the flag */
/* The phase's deadline (0: none); the lock keeps a lap's lowering of the
 * flag and the watchdog's raising it apart. */
static double limit_lap_deadline;
static pthread_mutex_t limit_lock = PTHREAD_MUTEX_INITIALIZER;
/* /proc/self/statm, opened once by limit_start before any other thread
 * (the watchdog reads it 100 times a second); -1: not open */
static int limit_statm = -1;

static double limit_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

size_t limit_default_budget(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? (size_t)pages * (size_t)page / 2
                                 : (size_t)1 << 30;
}

size_t limit_resident(void)
{
    char buf[128];
    ssize_t n = limit_statm >= 0
                    ? pread(limit_statm, buf, sizeof buf - 1, 0) : -1;
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    unsigned long size, resident;
    if (sscanf(buf, "%lu %lu", &size, &resident) != 2)
        return 0;
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

LimitKind limit_reached(void)
{
    return (LimitKind)atomic_load_explicit(&limit_flag, memory_order_relaxed);
}

void limit_raise(LimitKind kind)
{
    int none = LIMIT_NONE;
    atomic_compare_exchange_strong(&limit_flag, &none, (int)kind);
}

void limit_clear(void)
{
    atomic_store(&limit_flag, LIMIT_NONE);
}

const char *limit_text(LimitKind kind)
{
    switch (kind) {
    case LIMIT_TIME: return "time limit reached (--timeout)";
    case LIMIT_TOTAL_TIME: return "time limit of the run reached "
                                  "(--total-timeout)";
    case LIMIT_MEMORY: return "memory limit reached (--memory)";
    case LIMIT_SIGNAL: return "interrupted (SIGINT or SIGTERM)";
    case LIMIT_NONE: break;
    }
    return "no limit";
}

void limit_phase(const char *phase)
{
    atomic_store_explicit(&limit_phase_now, phase, memory_order_relaxed);
}

/* Where the watchdog raises the flag: a sixteenth below the budget, the
 * reserve for what grows while the phases see the flag and unwind. */
static size_t limit_ceiling(void)
{
    return limit_budget - limit_budget / 16;
}

size_t limit_memory_left(void)
{
    if (!limit_budget)
        return 0;
    size_t used = limit_resident();
    return used < limit_ceiling() ? limit_ceiling() - used : (size_t)1 << 20;
}

static void on_signal(int sig)
{
    if (limit_reached() == LIMIT_SIGNAL) { /* the second one: go now */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    limit_raise(LIMIT_SIGNAL);
}

/* The phases had LIMIT_GRACE seconds to unwind and did not: end here.
 * Only write(2) and _exit, as the other threads are still running. */
static void limit_give_up(LimitKind kind)
{
    char msg[256];
    int n = snprintf(msg, sizeof msg, "lockstep: %s while %s; stopped\n",
                     limit_text(kind),
                     atomic_load_explicit(&limit_phase_now,
                                          memory_order_relaxed));
    if (n > 0 && write(STDERR_FILENO, msg, (size_t)n) < 0)
        _exit(3);
    _exit(3);
}

static void *limit_watch(void *unused)
{
    (void)unused;
    long nap_ms = POLL_MS;
    for (;;) {
        nanosleep(&(struct timespec){0, nap_ms * 1000000L}, NULL);
        double now = limit_now();
        pthread_mutex_lock(&limit_lock);
        if (limit_deadline > 0 && now >= limit_deadline)
            limit_raise(LIMIT_TOTAL_TIME);
        if (limit_lap_deadline > 0 && now >= limit_lap_deadline)
            limit_raise(LIMIT_TIME);
        if (limit_budget) {
            size_t used = limit_resident();
            if (used >= limit_ceiling())
                limit_raise(LIMIT_MEMORY);
            /* near the budget, look ten times as often */
            nap_ms = used >= limit_budget / 2 ? POLL_MS / 10 : POLL_MS;
        }
        LimitKind kind = limit_reached();
        if (kind != LIMIT_NONE && limit_raised_at == 0)
            limit_raised_at = now;
        else if (kind != LIMIT_NONE && now - limit_raised_at > LIMIT_GRACE)
            limit_give_up(kind);
        pthread_mutex_unlock(&limit_lock);
    }
    return NULL;
}

void limit_lap(double seconds)
{
    pthread_mutex_lock(&limit_lock);
    if (limit_reached() == LIMIT_TIME) { /* the last lap's, and only that */
        atomic_store(&limit_flag, LIMIT_NONE);
        limit_raised_at = 0;
    }
    limit_lap_deadline = seconds > 0 ? limit_now() + seconds : 0;
    pthread_mutex_unlock(&limit_lock);
}

int limit_start(double seconds, size_t bytes)
{
    limit_deadline = seconds > 0 ? limit_now() + seconds : 0;
    limit_budget = bytes;
    limit_statm = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    pthread_t thread;
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0)
        return -1;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    int rc = pthread_create(&thread, &attr, limit_watch, NULL);
    pthread_attr_destroy(&attr);
    return rc == 0 ? 0 : -1;
}
