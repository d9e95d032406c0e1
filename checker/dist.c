/* dist: the MPI job. See dist.h.
 *
 * MPI is joined only when a launcher started the process (its rank count
 * is in the environment), so a plain `lockstep check` never touches MPI.
 * Errors are returned to us (MPI_ERRORS_RETURN on the world) and a failed
 * collective aborts the job with exit 3: a rank that died leaves the
 * others nothing to wait for. */
#include "dist.h"

#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef LOCKSTEP_MPI
#include <limits.h>
#include <mpi.h>

static int joined, rank, size = 1, local_size = 1;
static int err_fd = 2; /* stderr as launched: main silences other ranks' */

/* An allocation failed on this rank. The ranks' shared path has many
 * collectives, and one that returned early after a failure would leave
 * the others waiting for it for ever: the job ends instead (exit 3, a
 * limit, as --memory would give). */
static void out_of_memory(void)
{
    dprintf(err_fd, "lockstep: rank %d of %d: out of memory; ending the "
            "job\n", rank, size);
    dist_abort(3);
}

/* Set by mpirun (Open MPI), by PMI launchers (MPICH, Slurm). */
static int launched(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE",
                                       "PMIX_RANK"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        if (getenv(vars[i]))
            return 1;
    return 0;
}

int dist_init(int *argc, char ***argv)
{
    if (!launched())
        return 0;
    /* the check runs on a thread of its own (stack.h), one at a time */
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided) !=
        MPI_SUCCESS)
        return -1;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    joined = 1;
    MPI_Comm node;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank,
                            MPI_INFO_NULL, &node) == MPI_SUCCESS) {
        MPI_Comm_size(node, &local_size);
        MPI_Comm_free(&node);
    }
    if (size > 1) {
        int fd = dup(2);
        err_fd = fd >= 0 ? fd : 2;
        mem_on_failure(out_of_memory);
    }
    return 1;
}

void dist_finish(void)
{
    if (joined)
        MPI_Finalize();
    joined = 0;
}

void dist_abort(int code)
{
    if (joined)
        MPI_Abort(MPI_COMM_WORLD, code);
    exit(code);
}

int dist_built(void) { return 1; }

const char *dist_library(void)
{
    static char text[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;
    if (MPI_Get_library_version(text, &len) != MPI_SUCCESS)
        return "MPI";
    text[strcspn(text, "\n")] = '\0'; /* its first line */
    return text;
}
int dist_rank(void) { return rank; }
int dist_size(void) { return size; }
int dist_local_size(void) { return local_size; }

/* A collective failed: a rank is gone or the job is broken. */
static void check(int rc, const char *what)
{
    if (rc == MPI_SUCCESS)
        return;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    dprintf(err_fd, "lockstep: rank %d: %s failed: %.*s; ending the job\n",
            rank, what, len, text);
    dist_abort(3);
}

static uint64_t reduce(uint64_t v, MPI_Op op)
{
    uint64_t out = v;
    if (size > 1)
        check(MPI_Allreduce(&v, &out, 1, MPI_UINT64_T, op, MPI_COMM_WORLD),
              "MPI_Allreduce");
    return out;
}

uint64_t dist_min_u64(uint64_t v) { return reduce(v, MPI_MIN); }
uint64_t dist_max_u64(uint64_t v) { return reduce(v, MPI_MAX); }
uint64_t dist_sum_u64(uint64_t v) { return reduce(v, MPI_SUM); }

uint64_t dist_exscan_u64(uint64_t v)
{
    uint64_t out = 0;
    if (size > 1)
        check(MPI_Exscan(&v, &out, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD),
              "MPI_Exscan");
    return rank == 0 ? 0 : out;
}

void dist_allgather_u64(const uint64_t *mine, size_t n, uint64_t *all)
{
    if (size > 1)
        check(MPI_Allgather(mine, (int)n, MPI_UINT64_T, all, (int)n,
                            MPI_UINT64_T, MPI_COMM_WORLD),
              "MPI_Allgather");
    else
        memcpy(all, mine, n * sizeof *all);
}

void dist_bcast_u32(uint32_t *words, size_t n, int root)
{
    if (size > 1 && n > 0) {
        if (n > INT_MAX) {
            dprintf(err_fd, "lockstep: rank %d: a broadcast of %zu words "
                    "is too large\n", rank, n);
            dist_abort(3);
        }
        check(MPI_Bcast(words, (int)n, MPI_UINT32_T, root, MPI_COMM_WORLD),
              "MPI_Bcast");
    }
}

struct DistAlltoall {
    MPI_Request req;
    int counts[]; /* send counts and displacements, then receive's */
};

DistAlltoall *dist_alltoall_start(const uint32_t *send, const size_t *scount,
                                  uint32_t **recv, size_t *rcount,
                                  size_t *rdispl, size_t *total)
{
    DistAlltoall *a = mem_alloc(sizeof *a + 4 * (size_t)size * sizeof(int));
    if (!a)
        return NULL;
    int *sc = a->counts, *sd = sc + size, *rc = sd + size, *rd = rc + size;
    size_t at = 0;
    for (int d = 0; d < size; d++) {
        if (scount[d] > INT_MAX || at > INT_MAX) {
            dprintf(err_fd, "lockstep: rank %d: an exchange of more than "
                    "2^31 words is not supported yet\n", rank);
            dist_abort(3);
        }
        sc[d] = (int)scount[d];
        sd[d] = (int)at;
        at += scount[d];
    }
    check(MPI_Alltoall(sc, 1, MPI_INT, rc, 1, MPI_INT, MPI_COMM_WORLD),
          "MPI_Alltoall");
    size_t n = 0;
    for (int s = 0; s < size; s++) {
        rd[s] = (int)n;
        rcount[s] = (size_t)rc[s];
        rdispl[s] = n;
        n += (size_t)rc[s];
    }
    *recv = mem_alloc(n * sizeof **recv + sizeof **recv);
    if (!*recv) {
        mem_free(a);
        return NULL;
    }
    check(MPI_Ialltoallv(send, sc, sd, MPI_UINT32_T, *recv, rc, rd,
                         MPI_UINT32_T, MPI_COMM_WORLD, &a->req),
          "MPI_Ialltoallv");
    *total = n;
    return a;
}

void dist_alltoall_poll(DistAlltoall *a)
{
    int done = 0;
    if (a && a->req != MPI_REQUEST_NULL)
        check(MPI_Test(&a->req, &done, MPI_STATUS_IGNORE), "MPI_Test");
}

void dist_alltoall_end(DistAlltoall *a)
{
    if (!a)
        return;
    check(MPI_Wait(&a->req, MPI_STATUS_IGNORE), "MPI_Wait");
    mem_free(a);
}

int dist_alltoall_u32(const uint32_t *send, const size_t *scount,
                      uint32_t **recv, size_t *rcount, size_t *rdispl,
                      size_t *total)
{
    DistAlltoall *a = dist_alltoall_start(send, scount, recv, rcount, rdispl,
                                          total);
    dist_alltoall_end(a);
    return a ? 0 : -1;
}

#else /* one process */

int dist_init(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

void dist_finish(void) {}
void dist_abort(int code) { exit(code); }
int dist_built(void) { return 0; }
const char *dist_library(void) { return NULL; }
int dist_rank(void) { return 0; }
int dist_size(void) { return 1; }
int dist_local_size(void) { return 1; }
uint64_t dist_min_u64(uint64_t v) { return v; }
uint64_t dist_max_u64(uint64_t v) { return v; }
uint64_t dist_sum_u64(uint64_t v) { return v; }
uint64_t dist_exscan_u64(uint64_t v) { (void)v; return 0; }
void dist_allgather_u64(const uint64_t *mine, size_t n, uint64_t *all)
{
    memcpy(all, mine, n * sizeof *all);
}

void dist_bcast_u32(uint32_t *words, size_t n, int root)
{
    (void)words, (void)n, (void)root;
}

struct DistAlltoall {
    int unused;
};

/* One process: the words go to itself at once. */
DistAlltoall *dist_alltoall_start(const uint32_t *send, const size_t *scount,
                                  uint32_t **recv, size_t *rcount,
                                  size_t *rdispl, size_t *total)
{
    static DistAlltoall done;
    *recv = mem_alloc(scount[0] * sizeof **recv + sizeof **recv);
    if (!*recv)
        return NULL;
    mem_copy(*recv, send, scount[0] * sizeof *send);
    rcount[0] = *total = scount[0];
    rdispl[0] = 0;
    return &done;
}

void dist_alltoall_poll(DistAlltoall *a) { (void)a; }
void dist_alltoall_end(DistAlltoall *a) { (void)a; }

int dist_alltoall_u32(const uint32_t *send, const size_t *scount,
                      uint32_t **recv, size_t *rcount, size_t *rdispl,
                      size_t *total)
{
    return dist_alltoall_start(send, scount, recv, rcount, rdispl, total)
               ? 0 : -1;
}

#endif
