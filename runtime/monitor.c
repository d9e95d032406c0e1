/* monitor.c — the runtime's background thread: writes buffered records at
 * least every cfg.flush_interval_ms (so a crash loses at most that much of a
 * slow run) and looks for partial deadlocks every partial_deadlock_ms / 2.
 * It runs from lks_runtime_new to lks_runtime_free, only when one of the two
 * is configured.
 */
#include "internal.h"

#include <errno.h>
#include <time.h>

static long period_ms(const LksConfig *cfg, int recording)
{
    long period = 0;
    if (recording && cfg->flush_interval_ms > 0)
        period = cfg->flush_interval_ms;
    if (cfg->partial_deadlock_ms > 0) {
        long half = cfg->partial_deadlock_ms / 2 > 0
                        ? cfg->partial_deadlock_ms / 2 : 1;
        if (period == 0 || half < period)
            period = half;
    }
    return period;
}

static void *monitor_main(void *arg)
{
    LksRuntime *rt = arg;
    long period = period_ms(&rt->cfg, rt->fd >= 0);
    pthread_mutex_lock(&rt->lock);
    while (!rt->monitor_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += period / 1000;
        ts.tv_nsec += (period % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        int rc = 0;
        while (!rt->monitor_stop && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&rt->monitor_wake, &rt->lock, &ts);
        if (rt->monitor_stop)
            break;
        if (rt->cfg.partial_deadlock_ms > 0) {
            lks_chan_lock_channels(rt);
            lks_deadlock_check_partial(rt, lks_runtime_now_ns());
            lks_chan_unlock_channels(rt);
        }
        if (rt->fd >= 0 && rt->cfg.flush_interval_ms > 0 &&
            __atomic_load_n(&rt->seq, __ATOMIC_RELAXED) > rt->collected_seq) {
            LksBatch batch = lks_record_collect(rt);
            pthread_mutex_unlock(&rt->lock);
            lks_record_write(rt, batch);
            pthread_mutex_lock(&rt->lock);
        }
    }
    pthread_mutex_unlock(&rt->lock);
    return NULL;
}

void lks_monitor_start(LksRuntime *rt)
{
    if (period_ms(&rt->cfg, rt->fd >= 0) <= 0)
        return;
    rt->monitor_running =
        pthread_create(&rt->monitor, NULL, monitor_main, rt) == 0;
}

void lks_monitor_stop(LksRuntime *rt)
{
    if (!rt->monitor_running)
        return;
    pthread_mutex_lock(&rt->lock);
    rt->monitor_stop = 1;
    pthread_cond_signal(&rt->monitor_wake);
    pthread_mutex_unlock(&rt->lock);
    pthread_join(rt->monitor, NULL);
    rt->monitor_running = 0;
}
