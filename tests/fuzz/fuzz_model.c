/* libFuzzer target: a CSPM file through the whole pipeline: lexer, parser,
 * evaluator, and every assertion checked under small limits. The input
 * must never crash, hang or leak; errors are fine. With FUZZ_PARSE_ONLY it
 * stops after parsing (a faster target for the grammar). */
#include "checkrun.h"
#include "limit.h"
#include "mem.h"
#include "parse.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    limit_clear(); /* a limit or failed allocation of the last input */
    char *text = mem_alloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    Diags diags;
    diags_init(&diags);
#ifdef FUZZ_PARSE_ONLY
    Arena *arena = arena_new();
    if (arena)
        parse_string("fuzz.csp", text, arena, &diags);
    arena_free(arena);
#else
    ModelOptions mopt = {.max_depth = 200, .max_steps = 200000};
    Model *m = model_load_text("fuzz.csp", text, &mopt, &diags);
    for (size_t i = 0; m && !diags_errors(&diags) && i < model_assert_count(m);
         i++) {
        RunOptions opt = {.semantics = i % 2 ? COMPILE_TERMS : COMPILE_NETWORK};
        opt.explore.max_states = 2000;
        opt.explore.memory = 8u << 20;
        opt.explore.timeout = 1;
        RunResult r;
        checkrun_assert(m, i, &opt, &r, &diags);
        checkrun_free(&r);
    }
    model_free(m);
#endif
    diags_free(&diags);
    mem_free(text);
    return 0;
}
