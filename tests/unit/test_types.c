/* Unit tests of the type checker (src/cspm/types.c, src/cspm/typecheck*.c): each
 * type class, the corners of FDR's dot typing, polymorphism, annotations,
 * and the positions and text of errors. Each model is a few lines whose
 * verdict is derived by hand from FDR's typing rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "parse.h"
#include "typecheck.h"

#include <stdio.h>
#include <string.h>

typedef struct Result {
    int errors;       /* type errors */
    char first[640];  /* "line:col: message" of the first diagnostic */
    char all[4096];   /* every diagnostic, one a line */
} Result;

static Result check(const char *text)
{
    Result r = {0};
    Arena *arena = arena_new();
    Diags diags;
    diags_init(&diags);
    Module *m = parse_string("t.csp", text, arena, &diags);
    assert_non_null(m);
    assert_int_equal(diags_errors(&diags), 0); /* the model must parse */
    r.errors = typecheck_module(m, &diags);
    assert_true(r.errors >= 0);
    assert_int_equal((size_t)r.errors, diags_errors(&diags));
    size_t n = 0;
    for (size_t i = 0; i < diags.count; i++) {
        assert_int_equal(diags.items[i].kind, DIAG_TYPE_ERROR);
        char line[600];
        snprintf(line, sizeof line, "%d:%d: %s", diags.items[i].pos.line,
                 diags.items[i].pos.col, diags.items[i].message);
        if (i == 0)
            snprintf(r.first, sizeof r.first, "%s", line);
        n += (size_t)snprintf(r.all + n, n < sizeof r.all ? sizeof r.all - n : 0,
                              "%s\n", line);
    }
    diags_free(&diags);
    arena_free(arena);
    return r;
}

static void well_typed(const char *text)
{
    Result r = check(text);
    if (r.errors)
        fail_msg("unexpected type errors:\n%s", r.all);
}

/* One error at least; the first at `pos` ("line:col"), containing each
 * of the strings given (NULL-terminated). */
static void ill_typed(const char *text, const char *pos, ...)
{
    Result r = check(text);
    if (!r.errors)
        fail_msg("no type error in:\n%s", text);
    size_t len = strlen(pos);
    if (strncmp(r.first, pos, len) || r.first[len] != ':')
        fail_msg("first error not at %s: %s", pos, r.first);
    va_list ap;
    va_start(ap, pos);
    for (const char *s; (s = va_arg(ap, const char *));)
        if (!strstr(r.first, s))
            fail_msg("'%s' not in: %s", s, r.first);
    va_end(ap);
}

/* ---------- classes ---------- */

static void test_eq(void **state)
{
    (void)state;
    well_typed("x = elem(1, <2, 3>)\n");
    /* Proc is not Eq */
    ill_typed("x = elem(STOP, <>)\n", "1:10", "Proc", "class Eq",
              "argument 1 of elem", NULL);
    /* a datatype is Eq only when its fields are */
    ill_typed("datatype X = Y.Proc\nt = (Y.STOP) == (Y.STOP)\n", "2:14",
              "Proc", "Eq", NULL);
    well_typed("datatype X = Y.{0..1}\nt = (Y.0) == (Y.1)\n");
    /* sets are compared through their elements */
    ill_typed("X = {STOP} == {STOP}\n", "1:12", "Proc", "Eq", NULL);
}

static void test_ord(void **state)
{
    (void)state;
    well_typed("datatype X = A | B\nt1 = {A, B} <= {}\nt2 = <A> < <B>\n"
               "t3 = 1 < 2\n");
    ill_typed("t = STOP < SKIP\n", "1:10", "Proc", "class Ord", NULL);
}

static void test_set(void **state)
{
    (void)state;
    well_typed("m = mapFromList(<(1, {0})>)\n");
    /* functions cannot be the keys of a map */
    ill_typed("m = mapFromList(<(\\ x @ x, 1)>)\n", "1:17", "class Set",
              "mapFromList", NULL);
}

static void test_complete_and_inputable(void **state)
{
    (void)state;
    /* B alone is a constructor still missing its Bool */
    ill_typed("datatype A = B.Bool\nchannel a : {B}\n", "2:13", "Bool=>A",
              "Complete", NULL);
    ill_typed("channel a : {0..3}.{0..3}\ndatatype A = B.{0} | C.{1}\n"
              "channel c : A\nP = c?x:{B, C}?y -> a.y.y -> STOP\n",
              "4:9", "Int=>A", "Inputable", NULL);
    /* a channel's fields must be comparable */
    ill_typed("channel y : Proc\n", "1:13", "Proc", "Eq", NULL);
}

static void test_yieldable_annotation(void **state)
{
    (void)state;
    well_typed("f :: Yieldable a => (a) -> a\nf(x) = x\n");
    well_typed("f :: (b=>Event, a=>*b) -> a=>*Event\nf(x, y) = x.y\n");
    /* =>* takes a type variable on its left */
    ill_typed("f :: (Event =>* b) -> Event =>* b\nf(x) = x\n", "1:7",
              "=>*", NULL);
}

/* ---------- dotted values ---------- */

static void test_channel_of_several_fields(void **state)
{
    (void)state;
    const char *ok = "channel c : {0..3}.Bool\n"
                     "P = c!1!true -> STOP\n"
                     "Q = c?x?y -> (if y then STOP else c.x.y -> STOP)\n"
                     "R = c.2?y -> STOP\n"
                     "f :: Int => Bool => Event\nf = c\n";
    well_typed(ok);
    ill_typed("channel c : {0..3}.Bool\nP = c!true -> STOP\n", "2:7",
              "expected Int, found Bool", NULL);
    /* ?x takes the first field: an Int, not a Bool */
    ill_typed("channel c : {0..3}.Bool\n"
              "P = c?x?y -> (if x then STOP else STOP)\n", "2:18",
              "expected Bool, found Int", "'x'", NULL);
    /* a third field is one too many */
    ill_typed("channel c : Int\nP = c$x$y -> P\n", "2:8", "no field left",
              NULL);
}

static void test_constructor_with_fields(void **state)
{
    (void)state;
    const char *ok = "datatype T = N.{0..2}.Bool | L\n"
                     "channel d : T.Bool\n"
                     "P = d.N.1.true.false -> d.L.true -> STOP\n"
                     "Q = d?N.x.b?z -> STOP\n"
                     "g(N.x.b) = x + 1\ng(L) = 0\n";
    well_typed(ok);
    ill_typed("datatype T = N.{0..2}.Bool | L\nchannel d : T\n"
              "P = d.N.true.1 -> STOP\n", "3:9", "expected Int, found Bool",
              NULL);
    /* g's clauses agree on T, so an Int argument is wrong */
    ill_typed("datatype T = N.{0..2}.Bool | L\ng(N.x.b) = x\ng(L) = 0\n"
              "v = g(3)\n", "4:7", "expected T, found Int",
              "argument 1 of g, declared at 2:1", NULL);
}

static void test_events_of_channel(void **state)
{
    (void)state;
    well_typed("channel c : {0..1}\nchannel e\nS = {| c, e |}\n"
               "P = STOP [| S |] STOP\nT = member(c.1, {| c |})\n");
    /* {| c |} is a set of events, not of numbers */
    ill_typed("channel c : {0..1}\nb = {| c |} == {1}\n", "2:16",
              "expected {Event}, found {Int}", NULL);
    /* renaming and linking pair channels of one type */
    ill_typed("channel a : Bool\nchannel c : Int.Bool\nP = STOP [[ a <- c ]]\n",
              "3:18", "expected Bool=>Event, found Int=>Bool=>Event", NULL);
}

/* ---------- polymorphism ---------- */

static void test_polymorphic_function_at_two_types(void **state)
{
    (void)state;
    well_typed("id(x) = x\nP = (id(1), id(true))\n"
               "len(<>) = 0\nlen(<_>^s) = 1 + len(s)\n"
               "n = len(<1, 2>) + len(<true>)\n");
    /* a let definition is polymorphic only when annotated (as in FDR) */
    ill_typed("f = let g(x) = x within (g(0), g(true))\n", "1:34",
              "expected Int, found Bool", "argument 1 of g", NULL);
    well_typed("f = let\n  g :: (a) -> a\n  g(x) = x\nwithin (g(0), g(true))\n");
    /* mutual recursion: one group, then generalised */
    well_typed("ev(0) = true\nev(n) = od(n - 1)\nod(0) = false\n"
               "od(n) = ev(n - 1)\nb = ev(4) and not od(4)\n");
}

static void test_annotations(void **state)
{
    (void)state;
    well_typed("f :: Eq a => (a, <a>) -> Bool\nf(x, s) = elem(x, s)\n"
               "g :: (Int) -> (Int) -> Int\ng(x)(y) = x + y\n"
               "m :: Set k => (| k => v |)\nm = (| |)\n");
    ill_typed("f :: (Int) -> Int\nf(x) = not x\n", "2:12",
              "expected Bool, found Int in 'x' (the operand of not)", NULL);
    ill_typed("f :: (Int) -> Int\nf(x) = x == 1\n", "2:10",
              "expected Int, found Bool", "the annotation of f at 1:1", NULL);
    /* without Eq a, x == y is not allowed: reported in the body */
    ill_typed("f :: (a, a) -> Bool\nf(x, y) = x == y\n", "2:13",
              "a is not in the class Eq", "the operands of ==", NULL);
}

/* ---------- errors ---------- */

static void test_independent_errors_without_cascades(void **state)
{
    (void)state;
    Result r = check("f(x) = x + true\n"   /* 1:12 */
                     "P = f(1) + 2\n"      /* no error: f's result is Int */
                     "Q = if 3 then 1 else 2\n" /* 3:8 */
                     "channel c : Bool\n"
                     "R = c!1 -> STOP\n");  /* 5:7 */
    assert_int_equal(r.errors, 3);
    assert_non_null(strstr(r.all, "1:12: expected Int, found Bool in 'true' "
                                  "(an operand of +)"));
    assert_non_null(strstr(r.all, "3:8: expected Bool, found Int in '3' "
                                  "(the condition of if)"));
    assert_non_null(strstr(r.all, "5:7: expected Bool, found Int in '1'"));
}

static void test_duplicates_and_subtypes(void **state)
{
    (void)state;
    ill_typed("P = 2\nP = 2\n", "2:1", "'P' is already defined (at 1:1)",
              NULL);
    ill_typed("datatype X = A | B.{0}\ndatatype Y = C.Int | D.Bool\n"
              "subtype X' = A | C.{0}\n", "3:18", "mixes constructors", NULL);
    well_typed("datatype Y = C.Int | D.Bool\nsubtype Y' = C | D.{false}\n");
    ill_typed("X = {}\nchannel c : X\n", "2:13", "ambiguous", NULL);
}

static void test_undefined_names(void **state)
{
    (void)state;
    ill_typed("channel a\nP = a -> Q\n", "2:10", "'Q' is not defined", NULL);
    /* bound by a generator, a link's own generator, an input, a lambda */
    well_typed("channel c : {0..2}\nchannel d : {0..2}\n"
               "P = [] x : {0..2} @ c.x -> STOP\n"
               "Q = STOP [c.x <-> d.x | x <- {0..2}] STOP\n"
               "R = c?y -> d!y -> (\\ z @ z)(STOP)\n"
               "m = (| k => k + 1 | k <- {1, 2} |)\n");
}

/* ---------- modules ---------- */

static void test_module_private_through_exported(void **state)
{
    (void)state;
    /* sq is private: used by quad inside M, and quad : (Int) -> Int */
    well_typed("module M\n  sq(x) = x * x\nexports\n  quad(x) = sq(sq(x))\n"
               "endmodule\nh = M::quad(3) + 1\n");
    ill_typed("module M\n  sq(x) = x * x\nexports\n  quad(x) = sq(sq(x))\n"
              "endmodule\nh = M::sq(3)\n", "6:5",
              "'M::sq' is private to module M", NULL);
    /* a private name does not leak: top-level sq is another name */
    well_typed("sq = true\nmodule M\n  sq(x) = x * x\nexports\n"
               "  f = sq(2)\nendmodule\nb = sq and M::f == 4\n");
}

static void test_module_name_at_wrong_type(void **state)
{
    (void)state;
    /* the error is at the use, with the declaration of M::f */
    ill_typed("module M\nexports\n  f(x) = x + 1\nendmodule\n"
              "P = if M::f(true) == 2 then STOP else STOP\n", "5:13",
              "expected Int, found Bool in 'true'", "argument 1 of M::f",
              "declared at 3:3", NULL);
    /* polymorphic inside a module too: generalised as at the top level */
    well_typed("module M\nexports\n  id(x) = x\nendmodule\n"
               "a = M::id(1) + 1\nb = M::id(true) or false\n");
    /* a mistake inside a module is reported where it is */
    ill_typed("module M\n  g = 1\nexports\n  f = g or true\nendmodule\n",
              "4:7", "expected Bool, found Int in 'g'", NULL);
}

static void test_nested_module(void **state)
{
    (void)state;
    /* inner sees outer's private c and q; outer sees inner's exports only */
    well_typed("module A\n  channel c : {0..2}\n  q = 1\nexports\n"
               "  module B\n    r = q + 1\n  exports\n"
               "    P = c!r -> STOP\n  endmodule\n  Q = B::P\n"
               "endmodule\nS = A::Q [] A::B::P\n");
    ill_typed("module A\nexports\n  module B\n    r = 1\n  exports\n"
              "    s = r\n  endmodule\n  t = B::r\nendmodule\n", "8:7",
              "'B::r' is private to module A::B", NULL);
    ill_typed("module A\nexports\n  module B\n  exports\n"
              "    s = 1\n  endmodule\nendmodule\nb = A::B::s and true\n",
              "8:5", "expected Bool, found Int in 'A::B::s'", NULL);
}

static void test_instances_of_parameterised_module(void **state)
{
    (void)state;
    /* X : {a} and f : (a) -> Int from their uses; each instance has its
     * own a: Int in I, Bool in J */
    const char *m = "module P(X, f)\nexports\n  g(y) = f(y) + card(X)\n"
                    "  h = X\nendmodule\n"
                    "instance I = P({1}, \\ a @ a + 1)\n"
                    "instance J = P({true}, \\ b @ if b then 1 else 0)\n";
    char text[600];
    snprintf(text, sizeof text, "%sk = I::g(3) + J::g(false)\n"
             "b = member(2, I::h) and member(true, J::h)\n", m);
    well_typed(text);
    snprintf(text, sizeof text, "%sk = J::g(3)\n", m);
    ill_typed(text, "8:10", "expected Bool, found Int in '3'",
              "argument 1 of J::g", NULL);
    /* the arguments against the parameters' types */
    snprintf(text, sizeof text, "%sinstance K = P({1}, \\ c @ c or true)\n",
             m);
    ill_typed(text, "8:21", "parameter f of module P", NULL);
    ill_typed("module P(X)\nexports\n  h = card(X)\nendmodule\n"
              "instance K = P(1)\n", "5:16", "expected {a}, found Int",
              "parameter X of module P, declared at 1:1", NULL);
    /* the names of a module with parameters only through an instance */
    ill_typed("module P(X)\nexports\n  h = X\nendmodule\nk = P::h\n",
              "5:5", "use it through an instance", NULL);
    ill_typed("module P(X)\nexports\n  h = X\nendmodule\n"
              "instance K = P(1, 2)\n", "5:14",
              "module P has 1 parameter, given 2", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eq),
        cmocka_unit_test(test_ord),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_complete_and_inputable),
        cmocka_unit_test(test_yieldable_annotation),
        cmocka_unit_test(test_channel_of_several_fields),
        cmocka_unit_test(test_constructor_with_fields),
        cmocka_unit_test(test_events_of_channel),
        cmocka_unit_test(test_polymorphic_function_at_two_types),
        cmocka_unit_test(test_annotations),
        cmocka_unit_test(test_independent_errors_without_cascades),
        cmocka_unit_test(test_duplicates_and_subtypes),
        cmocka_unit_test(test_undefined_names),
        cmocka_unit_test(test_module_private_through_exported),
        cmocka_unit_test(test_module_name_at_wrong_type),
        cmocka_unit_test(test_nested_module),
        cmocka_unit_test(test_instances_of_parameterised_module),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
