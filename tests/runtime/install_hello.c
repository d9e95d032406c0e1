/* install_hello.c — compiled against an installed liblockstep by
 * install_test.sh (through pkg-config and through find_package): one
 * rendezvous, recorded. Prints "hello c.7" and exits 0 when it worked.
 */
#include <lockstep.h>

#include <stdio.h>

static int hello_send(LksProc *self, void *arg)
{
    int v = 7;
    return lks_send(self, arg, &v);
}

static int hello_recv(LksProc *self, void *arg)
{
    int v = 0;
    int rc = lks_recv(self, arg, &v);
    return rc != LKS_OK || v != 7;
}

int main(int argc, char **argv)
{
    LksConfig cfg = lks_config_default();
    cfg.trace_path = argc > 1 ? argv[1] : NULL;
    LksRuntime *rt = lks_runtime_new(&cfg);
    if (!rt || lks_channel_declare(rt, "c", "{0..9}", 0) != LKS_OK)
        return 1;
    LksChannel *c = lks_channel_new(rt, "c", 0, NULL);
    LksProcSpec ps[2] = {{"S", hello_send, c, 0}, {"R", hello_recv, c, 0}};
    int rc = lks_par(rt, NULL, ps, 2);
    if (lks_runtime_free(rt) != LKS_OK || rc != LKS_OK)
        return 1;
    printf("hello c.7\n");
    return 0;
}
