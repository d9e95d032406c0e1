/* rt_stress.c — the runtime stress test: 16 processes, 10^6 events.
 *
 * 8 senders each send M = EVENTS/8 messages c.k.s.i (sender s, its i-th
 * message, on channel k = (s + i) % 4); 8 receivers take them with fair
 * alts over the 4 channels and remember what they got, in order. The last
 * sender to finish poisons the channels. The trace must then hold every
 * message exactly once; each sender's messages in its program order; each
 * receiver's messages in its program order; the total order agreeing with
 * both. Usage: rt_stress [EVENTS] (default 10^6; a tenth under TSan).
 */
#include "lockstep.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { SENDERS = 8, RECEIVERS = 8, CHANNELS = 4 };

typedef struct Shared {
    LksChannel *chan[CHANNELS];
    int per_sender;
    atomic_int senders_left;
} Shared;

typedef struct Receiver {
    Shared *shared;
    int *got;            /* s * per_sender + i, in the order received */
    int count, cap;
} Receiver;

typedef struct Sender {
    Shared *shared;
    int id;
} Sender;

static int sender(LksProc *self, void *arg)
{
    Sender *s = arg;
    Shared *sh = s->shared;
    for (int i = 0; i < sh->per_sender; i++) {
        int v[2] = {s->id, i};
        if (lks_send(self, sh->chan[(s->id + i) % CHANNELS], v) != LKS_OK)
            return 1;
    }
    if (atomic_fetch_sub(&sh->senders_left, 1) == 1)
        for (int k = 0; k < CHANNELS; k++)
            lks_poison(self, sh->chan[k]);
    return 0;
}

static int receiver(LksProc *self, void *arg)
{
    Receiver *r = arg;
    Shared *sh = r->shared;
    int v[CHANNELS][2];
    LksGuard g[CHANNELS];
    for (int k = 0; k < CHANNELS; k++)
        g[k] = (LksGuard){LKS_GUARD_RECV, 1, sh->chan[k], v[k], 0, NULL};
    int fair = 0;
    for (;;) {
        int k = lks_alt_fair(self, g, CHANNELS, &fair);
        if (k == LKS_EPOISON)
            return 0;
        if (k < 0)
            return 1;
        if (r->count == r->cap) {
            r->cap = r->cap ? r->cap * 2 : 4096;
            r->got = realloc(r->got, sizeof *r->got * (size_t)r->cap);
            if (!r->got)
                return 2;
        }
        r->got[r->count++] = v[k][0] * sh->per_sender + v[k][1];
    }
}

/* Reads the trace: pos[message] = its index among the events; checks each
 * sender's order on the way. Returns the number of events or -1. */
static long read_trace(const char *path, int per_sender, long *pos)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[128];
    long n = 0;
    int next[SENDERS] = {0};
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        int k, s, i;
        if (sscanf(line, "c.%d.%d.%d", &k, &s, &i) != 3 || s < 0 ||
            s >= SENDERS || i != next[s] || k != (s + i) % CHANNELS) {
            fprintf(stderr, "event %ld: '%s' out of sender order\n", n, line);
            fclose(f);
            return -1;
        }
        next[s]++;
        pos[(long)s * per_sender + i] = n++;
    }
    fclose(f);
    for (int s = 0; s < SENDERS; s++)
        if (next[s] != per_sender) {
            fprintf(stderr, "sender %d: %d events in the trace, sent %d\n", s,
                    next[s], per_sender);
            return -1;
        }
    return n;
}

static int check_receivers(const Receiver *recv, const long *pos, long total)
{
    long seen = 0;
    for (int r = 0; r < RECEIVERS; r++) {
        for (int j = 0; j < recv[r].count; j++)
            if (j > 0 && pos[recv[r].got[j]] <= pos[recv[r].got[j - 1]]) {
                fprintf(stderr, "receiver %d: message %d before %d in the "
                        "trace but received after it\n", r, recv[r].got[j],
                        recv[r].got[j - 1]);
                return 1;
            }
        seen += recv[r].count;
    }
    if (seen != total) {
        fprintf(stderr, "receivers got %ld messages, trace has %ld\n", seen,
                total);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    long events = argc > 1 ? atol(argv[1]) : 1000000;
#if defined(__SANITIZE_THREAD__)
    events /= 10;
#endif
    char path[256];
    snprintf(path, sizeof path, "%s/lks_stress_%ld.trace",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
    Shared sh;
    sh.per_sender = (int)(events / SENDERS);
    atomic_init(&sh.senders_left, SENDERS);
    LksConfig cfg = lks_config_default();
    cfg.trace_path = path;
    LksRuntime *rt = lks_runtime_new(&cfg);
    char type[64];
    snprintf(type, sizeof type, "{0..%d}.{0..%d}.{0..%d}", CHANNELS - 1,
             SENDERS - 1, sh.per_sender - 1);
    if (!rt || lks_channel_declare(rt, "c", type, 0) != LKS_OK)
        return 1;
    for (int k = 0; k < CHANNELS; k++)
        sh.chan[k] = lks_channel_new(rt, "c", 1, &k);

    Sender send[SENDERS];
    Receiver recv[RECEIVERS];
    LksProcSpec ps[SENDERS + RECEIVERS];
    char names[SENDERS + RECEIVERS][16];
    for (int s = 0; s < SENDERS; s++) {
        send[s] = (Sender){&sh, s};
        snprintf(names[s], sizeof names[s], "SENDER.%d", s);
        ps[s] = (LksProcSpec){names[s], sender, &send[s], -1};
    }
    for (int r = 0; r < RECEIVERS; r++) {
        recv[r] = (Receiver){&sh, NULL, 0, 0};
        snprintf(names[SENDERS + r], sizeof names[0], "RECEIVER.%d", r);
        ps[SENDERS + r] = (LksProcSpec){names[SENDERS + r], receiver,
                                        &recv[r], -1};
    }
    int rc = lks_par(rt, NULL, ps, SENDERS + RECEIVERS);
    if (rc != LKS_OK || lks_runtime_free(rt) != LKS_OK) {
        fprintf(stderr, "run failed: %s\n", lks_strerror(rc));
        return 1;
    }
    long total = (long)sh.per_sender * SENDERS;
    long *pos = malloc(sizeof *pos * (size_t)total);
    long n = read_trace(path, sh.per_sender, pos);
    int failed = n != total || check_receivers(recv, pos, total);
    unlink(path);
    free(pos);
    for (int r = 0; r < RECEIVERS; r++)
        free(recv[r].got);
    printf("%s: %ld events, 16 processes\n", failed ? "FAIL" : "ok", n);
    return failed;
}
