/* Unit tests of src/cspm/lex.c: tokens, positions, comments, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lex.h"

#include <string.h>

static TokKind kinds_of(const char *src, TokKind *out, size_t max)
{
    Lexer lx;
    lex_init(&lx, src, strlen(src));
    size_t n = 0;
    Token t;
    do {
        t = lex_next(&lx);
        if (n < max)
            out[n++] = t.kind;
    } while (t.kind != TOK_EOF && t.kind != TOK_ERROR);
    return t.kind;
}

static void test_operators_longest_match(void **state)
{
    (void)state;
    TokKind k[32];
    kinds_of("[] |~| ||| || [| |] [[ ]] <-> /\\ [> [T= [F= [FD= :[ {| |} ->", k, 32);
    TokKind want[] = {TOK_EXTCHOICE, TOK_INTCHOICE, TOK_INTERLEAVE,
                      TOK_PARALLEL, TOK_LSYNC, TOK_RSYNC, TOK_LRENAME,
                      TOK_RRENAME, TOK_LINK, TOK_INTERRUPT, TOK_SLIDE,
                      TOK_REFINE_T, TOK_REFINE_F, TOK_REFINE_FD,
                      TOK_COLONBRACKET, TOK_LEVENTS, TOK_REVENTS, TOK_ARROW,
                      TOK_EOF};
    assert_memory_equal(k, want, sizeof want);
}

/* "(|||" opens a parenthesised interleaving, not a map. */
static void test_paren_interleave(void **state)
{
    (void)state;
    TokKind k[8];
    kinds_of("(||| i", k, 8);
    assert_int_equal(k[0], TOK_LPAREN);
    assert_int_equal(k[1], TOK_INTERLEAVE);
    assert_int_equal(k[2], TOK_IDENT);
}

static void test_positions_and_comments(void **state)
{
    (void)state;
    const char *src = "-- a comment\n  P {- nested {- deeper -} -} = a'\n";
    Lexer lx;
    lex_init(&lx, src, strlen(src));
    Token p = lex_next(&lx);
    assert_int_equal(p.kind, TOK_IDENT);
    assert_int_equal(p.line, 2);
    assert_int_equal(p.col, 3);
    assert_true(p.line_start);
    Token eq = lex_next(&lx);
    assert_int_equal(eq.kind, TOK_EQ);
    assert_false(eq.line_start);
    Token a = lex_next(&lx);
    assert_int_equal(a.kind, TOK_IDENT);
    assert_int_equal(a.len, 2); /* a' */
    assert_int_equal(lex_next(&lx).kind, TOK_EOF);
}

static void test_keywords_literals(void **state)
{
    (void)state;
    TokKind k[16];
    kinds_of("channel assert not true 42 \"s\\\"x\" 'c' _", k, 16);
    TokKind want[] = {TOK_CHANNEL, TOK_ASSERT, TOK_NOT, TOK_TRUE, TOK_INT,
                      TOK_STRING, TOK_CHAR, TOK_UNDERSCORE, TOK_EOF};
    assert_memory_equal(k, want, sizeof want);
}

static void test_errors(void **state)
{
    (void)state;
    TokKind k[8];
    assert_int_equal(kinds_of("P = \"open", k, 8), TOK_ERROR);
    assert_int_equal(kinds_of("{- never closed", k, 8), TOK_ERROR);
    assert_int_equal(kinds_of("P = `", k, 8), TOK_ERROR);
    /* non-UTF-8 bytes inside a comment are fine */
    assert_int_equal(kinds_of("-- caf\xe9\nP", k, 8), TOK_EOF);
    assert_int_equal(k[0], TOK_IDENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_operators_longest_match),
        cmocka_unit_test(test_paren_interleave),
        cmocka_unit_test(test_positions_and_comments),
        cmocka_unit_test(test_keywords_literals),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
