/* Unit tests of src/cspm/parse.c: precedences, declarations, assertions and
 * errors with positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lex.h"
#include "parse.h"

#include <string.h>

typedef struct Fixture {
    Arena *arena;
    Diags diags;
} Fixture;

static int setup(void **state)
{
    Fixture *f = mem_calloc(1, sizeof *f);
    f->arena = arena_new();
    diags_init(&f->diags);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    diags_free(&f->diags);
    arena_free(f->arena);
    mem_free(f);
    return 0;
}

static Expr *expr(Fixture *f, const char *text)
{
    Expr *e = parse_expression("t", text, f->arena, &f->diags);
    assert_non_null(e);
    return e;
}

/* a -> P [] b -> Q \ {a} is ((a -> P) [] (b -> Q)) \ {a}. */
static void test_process_precedence(void **state)
{
    Fixture *f = *state;
    Expr *e = expr(f, "a -> P [] b -> Q \\ {a}");
    assert_int_equal(e->kind, E_PROC_SET);
    assert_int_equal(e->op, TOK_BACKSLASH);
    Expr *choice = e->kids[0];
    assert_int_equal(choice->kind, E_PROC_BINARY);
    assert_int_equal(choice->op, TOK_EXTCHOICE);
    assert_int_equal(choice->kids[0]->kind, E_PREFIX);
    /* ||| is looser than [| |], which is looser than |~| */
    e = expr(f, "P ||| Q [| A |] R |~| S");
    assert_int_equal(e->op, TOK_INTERLEAVE);
    assert_int_equal(e->kids[1]->kind, E_PROC_SET);
    assert_int_equal(e->kids[1]->kids[2]->op, TOK_INTCHOICE);
}

/* Guards bind tighter than [], arithmetic tighter than dot, dot tighter
 * than comparison. */
static void test_data_precedence(void **state)
{
    Fixture *f = *state;
    Expr *e = expr(f, "n > 0 & a -> P [] b -> Q");
    assert_int_equal(e->op, TOK_EXTCHOICE);
    assert_int_equal(e->kids[0]->kind, E_GUARD);
    e = expr(f, "c.i + 1 == c.j");
    assert_int_equal(e->kind, E_BINOP);
    assert_int_equal(e->op, TOK_EQEQ);
    assert_int_equal(e->kids[0]->kind, E_DOT);
    assert_int_equal(e->kids[0]->kids[1]->op, TOK_PLUS);
    e = expr(f, "#s < N");
    assert_int_equal(e->op, TOK_LT);
    assert_int_equal(e->kids[0]->op, TOK_HASH);
    /* <x> ^ <y>: sequences, not comparisons */
    e = expr(f, "<x> ^ <y, z>");
    assert_int_equal(e->op, TOK_CARET);
    assert_int_equal(e->kids[1]->kind, E_SEQ);
    assert_int_equal(e->kids[1]->nkids, 2);
}

static void test_prefix_fields(void **state)
{
    Fixture *f = *state;
    Expr *e = expr(f, "c.i?x:{0, 1}!y.z -> STOP");
    assert_int_equal(e->kind, E_PREFIX);
    assert_int_equal(e->kids[0]->kind, E_DOT);
    assert_int_equal(e->nfields, 2);
    assert_int_equal(e->fields[0].kind, FIELD_IN);
    assert_non_null(e->fields[0].restrict_to);
    assert_int_equal(e->fields[1].kind, FIELD_OUT);
    assert_int_equal(e->fields[1].expr->kind, E_DOT);
}

static void test_replicated_and_comprehensions(void **state)
{
    Fixture *f = *state;
    Expr *e = expr(f, "|| i : {0..2} @ [{c.i}] P(i)");
    assert_int_equal(e->kind, E_REPL);
    assert_int_equal(e->op, TOK_PARALLEL);
    assert_int_equal(e->nstmts, 1);
    e = expr(f, "[] x : S, y : T, x != y @ c!x!y -> STOP");
    assert_int_equal(e->nstmts, 3);
    assert_null(e->stmts[2].pattern); /* the guard */
    e = expr(f, "{| c.i | i <- {1..3} |}");
    assert_int_equal(e->kind, E_EVENTS_COMP);
    e = expr(f, "P [[ a <- b, c.x <- d.x | x <- S ]]");
    assert_int_equal(e->kind, E_RENAME);
    assert_int_equal(e->npairs, 2);
    assert_int_equal(e->nstmts, 1);
}

static void test_declarations_and_assertions(void **state)
{
    Fixture *f = *state;
    const char *src = "channel a, b\n"
                      "channel c : {0..3}.Bool\n"
                      "datatype T = A | B.{0, 1}\n"
                      "P(0) = STOP\n"
                      "P(n) = a -> P(n - 1)\n"
                      "assert P(2) :[deadlock free [F]]\n"
                      "assert not P(1) [FD= P(2)\n"
                      "assert P(1) :[has trace]: <a>\n"
                      "assert P(1) :[livelock-free]\n";
    Module *m = parse_string("t.csp", src, f->arena, &f->diags);
    assert_int_equal(diags_errors(&f->diags), 0);
    assert_int_equal(m->ndecls, 9);
    assert_int_equal(m->decls[1]->kind, D_CHANNEL);
    assert_int_equal(m->decls[2]->nctors, 2);
    assert_int_equal(m->decls[5]->form, AF_DEADLOCK);
    assert_int_equal(m->decls[5]->model, 1);
    assert_string_equal(m->decls[5]->text, "P(2) :[deadlock free [F]]");
    assert_true(m->decls[6]->negated);
    assert_int_equal(m->decls[6]->form, AF_REFINE);
    assert_int_equal(m->decls[6]->model, 2);
    assert_int_equal(m->decls[7]->form, AF_HAS_TRACE);
    assert_int_equal(m->decls[8]->form, AF_DIVERGENCE);
}

/* Revivals ([V=, [VD=) parse as models 3 and 4; refusal testing ([R=,
 * [RD=), which we do not check, as a refinement that names its model
 * (checkrun.c reports it as not supported). */
static void test_other_refinement_models(void **state)
{
    Fixture *f = *state;
    Module *m = parse_string("t.csp", "assert STOP [V= STOP\n"
                             "assert STOP [R= SKIP\n"
                             "assert SKIP [VD= STOP |~| SKIP\n"
                             "assert STOP [RD= STOP :[tau priority]: {}\n"
                             "assert STOP [FD= STOP\n", f->arena, &f->diags);
    assert_int_equal(diags_errors(&f->diags), 0);
    assert_int_equal(m->ndecls, 5);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(m->decls[i]->form, AF_REFINE);
        assert_non_null(m->decls[i]->spec);
        assert_non_null(m->decls[i]->impl);
    }
    assert_int_equal(m->decls[0]->model, 3);
    assert_int_equal(m->decls[1]->model, 5);
    assert_int_equal(m->decls[2]->model, 4);
    assert_int_equal(m->decls[3]->model, 6);
    assert_int_equal(m->decls[2]->impl->kind, E_PROC_BINARY); /* |~| */
    assert_true(m->decls[3]->tau_priority);
    assert_int_equal(m->decls[4]->model, 2);
}

/* Errors: one message with a position; the parser goes on with the next
 * declaration. */
static void test_errors_resynchronise(void **state)
{
    Fixture *f = *state;
    const char *src = "P = a -> -> STOP\nQ = (b\nR = c -> STOP\n";
    Module *m = parse_string("t.csp", src, f->arena, &f->diags);
    assert_non_null(m);
    assert_int_equal(diags_errors(&f->diags), 2);
    assert_int_equal(f->diags.items[0].pos.line, 1);
    assert_int_equal(f->diags.items[0].pos.col, 10);
    assert_int_equal(f->diags.items[1].pos.line, 3);
    assert_non_null(strstr(f->diags.items[1].message, "expected ')'"));
    assert_int_equal(m->ndecls, 1); /* R */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_process_precedence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_data_precedence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prefix_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replicated_and_comprehensions,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_declarations_and_assertions,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_refinement_models, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_errors_resynchronise, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
