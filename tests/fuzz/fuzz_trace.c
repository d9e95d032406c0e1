/* libFuzzer target: a trace file read and verified against a small fixed
 * model (a pipeline of buffers). Bad lines must give errors, never crash. */
#include "limit.h"
#include "mem.h"
#include "model.h"
#include "traceverb.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *model_text =
    "channel c : {0..3}.{0..2}\n"
    "CELL(i) = c.i?x -> c.(i+1)!x -> CELL(i)\n"
    "SYSTEM = (CELL(0) [| {| c.1 |} |] CELL(1)) [| {| c.2 |} |] CELL(2)\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    limit_clear(); /* a limit or failed allocation of the last input */
    char path[] = "/tmp/lockstep-fuzz-trace-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    Diags diags;
    diags_init(&diags);
    Model *m = model_load_text("model.csp", model_text, NULL, &diags);
    if (m && !diags_errors(&diags)) {
        const char *files[] = {path};
        TraceOptions opt = {0};
        opt.max_states = 10000;
        FILE *out = fopen("/dev/null", "w");
        if (out) {
            traceverb_run(m, "SYSTEM", files, 1, &opt, out, &diags);
            fclose(out);
        }
    }
    model_free(m);
    diags_free(&diags);
    unlink(path);
    return 0;
}
