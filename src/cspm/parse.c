/* parse: the CSPM parser. See parse.h. The grammar production is written
 * above each function, Lua-style. */
#include "parse.h"

#include "lex.h"
#include "stack.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { MAX_INCLUDE_DEPTH = 32 };

typedef struct Parser {
    Lexer lx;
    Token tok, prev;
    Arena *arena;
    Diags *diags;
    const char *file;     /* arena copy */
    const char *text;
    int panic;            /* an error was reported in this declaration */
    int no_gt;            /* '>' closes a sequence here: not a comparison
                             (reset inside brackets) */
    int decl_col;         /* column where the current declaration began */
    const char **includes; /* the chain of files being read (cycles) */
    int include_depth;
    jmp_buf *out_of_memory; /* where an allocation failure unwinds to */
    const Decl *timed;    /* the Timed section being read, or NULL */
    Expr *pending;        /* a hiding that is the left operand of the
                             operator after it (parse_hiding) */
} Parser;

/* ---------- tokens and errors ---------- */

static SrcPos pos_of(const Parser *p, const Token *t)
{
    return (SrcPos){p->file, t->line, t->col};
}

static void error_at(Parser *p, const Token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void error_at(Parser *p, const Token *t, const char *fmt, ...)
{
    if (p->panic)
        return;
    p->panic = 1;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diags_error(p->diags, pos_of(p, t), "%s", msg);
}

static const char *tok_text(const Token *t, char *buf, size_t len)
{
    if (t->kind == TOK_EOF)
        return "end of file";
    snprintf(buf, len, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), t->start);
    return buf;
}

static void advance(Parser *p)
{
    p->prev = p->tok;
    for (;;) {
        p->tok = lex_next(&p->lx);
        if (p->tok.kind != TOK_ERROR)
            break;
        error_at(p, &p->tok, "%s", p->tok.error);
    }
}

static int check(const Parser *p, TokKind k) { return p->tok.kind == k; }

static int accept(Parser *p, TokKind k)
{
    if (!check(p, k))
        return 0;
    advance(p);
    return 1;
}

static void expect(Parser *p, TokKind k, const char *what)
{
    if (accept(p, k))
        return;
    char buf[64];
    Token at = p->tok;
    if (at.kind == TOK_EOF && p->prev.line > 0) {
        /* point just after the last token, not at the line after it */
        at.line = p->prev.line;
        at.col = p->prev.col + (int)p->prev.len;
    }
    error_at(p, &at, "expected %s, found %s",
             what ? what : lex_kind_name(k), tok_text(&p->tok, buf, sizeof buf));
}

/* Out of memory unwinds to the entry point, which returns NULL: the arena
 * owns everything allocated so far, so nothing leaks. */
static void *alloc(Parser *p, size_t n)
{
    void *m = arena_alloc(p->arena, n);
    if (!m)
        longjmp(*p->out_of_memory, 1);
    return m;
}

static Expr *node(Parser *p, ExprKind kind, const Token *at)
{
    Expr *e = alloc(p, sizeof *e);
    e->kind = kind;
    e->pos = pos_of(p, at);
    e->timed = p->timed;
    return e;
}

/* A growable list of pointers in the arena (copied on growth). */
typedef struct List {
    void **items;
    size_t count, cap;
} List;

static void list_add(Parser *p, List *l, void *item)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 4;
        void **items = alloc(p, cap * sizeof *items);
        if (l->count)
            mem_copy(items, l->items, l->count * sizeof *items);
        l->items = items;
        l->cap = cap;
    }
    l->items[l->count++] = item;
}

static Expr *node_kids(Parser *p, ExprKind kind, const Token *at, List *kids)
{
    Expr *e = node(p, kind, at);
    e->kids = (Expr **)kids->items;
    e->nkids = kids->count;
    return e;
}

static Expr *node2(Parser *p, ExprKind kind, const Token *at, Expr *a,
                   Expr *b)
{
    Expr *e = node(p, kind, at);
    e->kids = alloc(p, 2 * sizeof *e->kids);
    e->kids[0] = a;
    e->kids[1] = b;
    e->nkids = b ? 2 : 1;
    return e;
}

static const char *copy_text(Parser *p, const Token *t)
{
    char *s = alloc(p, t->len + 1);
    mem_copy(s, t->start, t->len);
    s[t->len] = '\0';
    return s;
}

/* ---------- expressions ---------- */

/* FDR's precedence, loosest first (the FDR manual's table; libcspm's
 * grammar for what the table leaves out): \ binds its left side loosest
 * of all but its right side is a set (see parse_hiding); [> binds tighter
 * than /\; ^ binds tighter than the arithmetic operators and #, so #s^t
 * is #(s^t) and #s+1 is (#s)+1. */
enum Level {
    L_HIDE, L_INTERLEAVE, L_PAR, L_INTCHOICE, L_EXTCHOICE, L_INTERRUPT,
    L_SLIDE, L_SEQ, L_PREFIX, L_OR, L_AND, L_NOT, L_COMPARE, L_DOT,
    L_ADD, L_MUL, L_UNARY, L_CONCAT, L_POSTFIX
};

static Expr *parse_level(Parser *p, int level);
static Expr *parse_expr(Parser *p) { return parse_level(p, L_HIDE); }
static Decl *parse_decl(Parser *p);
static Expr *parse_primary(Parser *p);
static void parse_pairs(Parser *p, Expr *e, TokKind arrow, Expr *first);

/* stmts -> stmt { ',' stmt };  stmt -> pattern ('<-' | ':') expr | expr
 * (':' only where `colon` says: in replicated operators). In a sequence
 * comprehension (colon == 2) a generator's sequence is read above the
 * comparisons, so that '>' closes the comprehension. */
/* Reports what cannot be a pattern: operators other than '.', '^' and
 * '@@', negation other than of a number literal, a '^' with no side of
 * fixed length (xs^ys), a set pattern with more than one element. */
static void check_pattern(Parser *p, const Expr *e)
{
    const char *bad = NULL;
    switch (e->kind) {
    case E_INT: case E_BOOL: case E_CHAR: case E_STRING: case E_NAME:
    case E_WILD:
        return;
    case E_TUPLE: case E_DOT: case E_SEQ: case E_ALSO: break;
    case E_SET:
        if (e->nkids > 1)
            bad = "a set pattern matches one element at most: {x}";
        break;
    case E_UNOP:
        if (e->op != TOK_MINUS || e->kids[0]->kind != E_INT)
            bad = "only a number can be negated in a pattern";
        break;
    case E_BINOP:
        if (e->op != TOK_CARET)
            bad = "this operator cannot be used in a pattern";
        else if (e->kids[0]->kind != E_SEQ && e->kids[1]->kind != E_SEQ &&
                 e->kids[0]->kind != E_STRING && e->kids[1]->kind != E_STRING)
            bad = "a '^' pattern needs a sequence of fixed length on one "
                  "side";
        break;
    default: bad = "this expression cannot be used as a pattern"; break;
    }
    if (bad) {
        if (!p->panic) {
            p->panic = 1;
            diags_error(p->diags, e->pos, "%s", bad);
        }
        return;
    }
    for (size_t i = 0; i < e->nkids; i++)
        check_pattern(p, e->kids[i]);
}

/* A guard in a sequence comprehension: a whole expression when it ends at
 * ',' or the closing '>' (<x | x <- s, x < 2>), else read again with '>'
 * as the closing bracket (<x | x <- s, (x > 2)> followed by more text). */
static Expr *parse_seq_guard(Parser *p)
{
    Parser saved = *p;
    size_t diags = p->diags->count;
    Expr *e = parse_expr(p);
    if (!p->panic && (check(p, TOK_COMMA) || check(p, TOK_GT)))
        return e;
    *p = saved;
    diags_truncate(p->diags, diags);
    p->no_gt = 1;
    e = parse_expr(p);
    p->no_gt = saved.no_gt;
    return e;
}

static Stmt *parse_stmts(Parser *p, size_t *count, int colon)
{
    List list = {0};
    do {
        Stmt *s = alloc(p, sizeof *s);
        /* In replicated operators a generator is `pattern : set`, so the
         * pattern is read up to ':'; a guard such as x != y is then read
         * again as a whole expression (backtracking over the lexer). */
        Parser saved = *p;
        Expr *e = parse_level(p, colon ? L_DOT : L_HIDE);
        if (accept(p, TOK_LARROW) || (colon == 1 && accept(p, TOK_COLON))) {
            s->pattern = e;
            check_pattern(p, e);
            Token at = p->tok;
            s->expr = colon == 2 ? parse_level(p, L_DOT) : parse_expr(p);
            if (s->expr->kind == E_WILD && !p->panic)
                error_at(p, &at, "'_' is a pattern, not a set or a "
                                 "sequence to draw from");
        } else {
            if (colon && !p->panic) {
                *p = saved;
                e = colon == 2 ? parse_seq_guard(p) : parse_expr(p);
            }
            s->expr = e;
        }
        list_add(p, &list, s);
    } while (accept(p, TOK_COMMA));
    Stmt *out = alloc(p, (list.count + 1) * sizeof *out);
    for (size_t i = 0; i < list.count; i++)
        out[i] = *(Stmt *)list.items[i];
    *count = list.count;
    return out;
}

/* exprs -> expr { ',' expr } (until `close`) */
static void parse_list(Parser *p, List *out, TokKind close, int level)
{
    if (check(p, close))
        return;
    do
        list_add(p, out, parse_level(p, level));
    while (accept(p, TOK_COMMA));
}

/* A bracketed collection, sets and sequences alike:
 *   set -> '{' [ expr ( '..' [expr] | {',' expr} ) ['|' stmts] ] '}'
 *   seq -> '<' [ expr ( '..' [expr] | {',' expr} ) ['|' stmts] ] '>'
 * A sequence's elements are parsed above the comparisons, so that '>'
 * closes it; its generators too (stmts mode 2). */
typedef struct Collection {
    TokKind close;
    const char *close_text;
    int level, stmts_mode;
    ExprKind list, range, comp;
} Collection;

static const Collection set_syntax = {TOK_RBRACE, "'}'", L_HIDE, 0,
                                      E_SET, E_SET_RANGE, E_SET_COMP};
static const Collection seq_syntax = {TOK_GT, "'>'", L_DOT, 2,
                                      E_SEQ, E_SEQ_RANGE, E_SEQ_COMP};

static Expr *parse_collection(Parser *p, const Token *at, const Collection *c)
{
    List kids = {0};
    if (accept(p, c->close))
        return node_kids(p, c->list, at, &kids);
    list_add(p, &kids, parse_level(p, c->level));
    ExprKind kind = c->list;
    if (accept(p, TOK_DOTDOT)) {
        if (!check(p, c->close) && !check(p, TOK_BAR))
            list_add(p, &kids, parse_level(p, c->level));
        kind = c->range;
        if (accept(p, TOK_BAR)) { /* {m..n | x <- S}: every range's values */
            List one = {0};
            list_add(p, &one, node_kids(p, c->range, at, &kids));
            Expr *e = node_kids(p, c->comp, at, &one);
            e->op = TOK_DOTDOT;
            e->stmts = parse_stmts(p, &e->nstmts, c->stmts_mode);
            expect(p, c->close, c->close_text);
            return e;
        }
    } else {
        while (accept(p, TOK_COMMA))
            list_add(p, &kids, parse_level(p, c->level));
        if (accept(p, TOK_BAR)) { /* {a, b | x <- S}: every element */
            Expr *e = node_kids(p, c->comp, at, &kids);
            e->stmts = parse_stmts(p, &e->nstmts, c->stmts_mode);
            expect(p, c->close, c->close_text);
            return e;
        }
    }
    expect(p, c->close, c->close_text);
    return node_kids(p, kind, at, &kids);
}

/* events -> '{|' expr { ',' expr } [ '|' stmts ] '|}' */
static Expr *parse_events(Parser *p, const Token *at)
{
    List kids = {0};
    parse_list(p, &kids, TOK_REVENTS, L_HIDE);
    Expr *e;
    if (accept(p, TOK_BAR)) {
        e = node_kids(p, E_EVENTS_COMP, at, &kids);
        e->stmts = parse_stmts(p, &e->nstmts, 0);
    } else {
        e = node_kids(p, E_EVENTS, at, &kids);
    }
    expect(p, TOK_REVENTS, "'|}'");
    return e;
}

/* paren -> '(' expr { ',' expr } ')' */
static Expr *parse_paren(Parser *p, const Token *at)
{
    List kids = {0};
    parse_list(p, &kids, TOK_RPAREN, L_HIDE);
    expect(p, TOK_RPAREN, "')'");
    if (kids.count == 1)
        return (Expr *)kids.items[0];
    if (kids.count == 0) {
        error_at(p, at, "empty parentheses: '()' is not a value");
        return node(p, E_WILD, at);
    }
    return node_kids(p, E_TUPLE, at, &kids);
}

/* if -> 'if' expr 'then' expr 'else' expr */
static Expr *parse_if(Parser *p, const Token *at)
{
    List kids = {0};
    list_add(p, &kids, parse_expr(p));
    expect(p, TOK_THEN, "'then'");
    list_add(p, &kids, parse_expr(p));
    expect(p, TOK_ELSE, "'else'");
    list_add(p, &kids, parse_expr(p));
    return node_kids(p, E_IF, at, &kids);
}

static void parse_timed(Parser *p, List *decls, const Token *at);

/* let -> 'let' { decl | timed } 'within' expr */
static Expr *parse_let(Parser *p, const Token *at)
{
    List decls = {0};
    while (!check(p, TOK_WITHIN) && !check(p, TOK_EOF) && !p->panic) {
        Token t = p->tok;
        size_t from = decls.count;
        if (accept(p, TOK_TIMED)) { /* its definitions join the let's */
            parse_timed(p, &decls, &t);
        } else {
            Decl *d = parse_decl(p);
            if (d)
                list_add(p, &decls, d);
        }
        for (size_t i = from; i < decls.count; i++) {
            DeclKind k = ((Decl *)decls.items[i])->kind;
            if (k != D_DEF && k != D_LIBRARY && k != D_ANNOT && k != D_TIMED)
                error_at(p, &t, "only definitions may appear in a let (this "
                                "one belongs at the top level)");
        }
    }
    expect(p, TOK_WITHIN, "'within'");
    Expr *e = node2(p, E_LET, at, parse_expr(p), NULL);
    e->decls = (Decl **)decls.items;
    e->ndecls = decls.count;
    return e;
}

/* lambda -> '\' pattern { ',' pattern } '@' expr */
static Expr *parse_lambda(Parser *p, const Token *at)
{
    List kids = {0};
    do {
        list_add(p, &kids, parse_level(p, L_DOT));
        check_pattern(p, kids.items[kids.count - 1]);
    } while (accept(p, TOK_COMMA));
    expect(p, TOK_AT, "'@'");
    list_add(p, &kids, parse_expr(p));
    return node_kids(p, E_LAMBDA, at, &kids);
}

/* repl -> op stmts '@' [ '[' expr ']' ] expr, where op is [] |~| ||| ;
 * [| A |] [+ A +] or || (which takes the alphabet after '@') */
static Expr *parse_repl(Parser *p, const Token *at, int op, Expr *set)
{
    Expr *e = node(p, E_REPL, at);
    e->op = op;
    e->stmts = parse_stmts(p, &e->nstmts, 1);
    expect(p, TOK_AT, "'@'");
    if (op == TOK_PARALLEL) {
        expect(p, TOK_LBRACKET, "'[' and the alphabet");
        set = parse_expr(p);
        expect(p, TOK_RBRACKET, "']'");
    }
    Expr *body = parse_expr(p);
    e->kids = alloc(p, 2 * sizeof *e->kids);
    e->kids[0] = body;
    e->kids[1] = set;
    e->nkids = set ? 2 : 1;
    return e;
}

/* Unescapes a string literal's body into the arena. */
static const char *string_value(Parser *p, const Token *t)
{
    char *s = alloc(p, t->len);
    size_t n = 0;
    for (size_t i = 1; i + 1 < t->len; i++) {
        char c = t->start[i];
        if (c == '\\' && i + 2 < t->len) {
            c = t->start[++i];
            c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
        }
        s[n++] = c;
    }
    s[n] = '\0';
    return s;
}

/* primary -> literal | name | '(' ... ')' | set | events | seq | if | let
 *          | lambda | replicated operator | '-' unary | 'not' ... */
static Expr *parse_primary_in(Parser *p);

/* name { '::' name }, after the first name: M::N::x as one name. */
static const char *qualified_name(Parser *p, const char *name)
{
    while (accept(p, TOK_COLONCOLON)) {
        if (!check(p, TOK_IDENT)) {
            expect(p, TOK_IDENT, "a name after '::'");
            break;
        }
        size_t len = strlen(name) + p->tok.len + 3;
        char *q = alloc(p, len);
        snprintf(q, len, "%s::%.*s", name, (int)p->tok.len, p->tok.start);
        name = q;
        advance(p);
    }
    return name;
}

/* Inside brackets '>' is a comparison again. */
static Expr *parse_primary(Parser *p)
{
    int no_gt = p->no_gt;
    p->no_gt = 0;
    Expr *e = parse_primary_in(p);
    p->no_gt = no_gt;
    return e;
}

static Expr *parse_primary_in(Parser *p)
{
    Token t = p->tok;
    char buf[64];
    switch (t.kind) {
    case TOK_INT: {
        advance(p);
        Expr *e = node(p, E_INT, &t);
        errno = 0;
        e->ival = strtoll(t.start, NULL, 10);
        if (errno || e->ival > 2147483647LL)
            error_at(p, &t, "number too large: %s", copy_text(p, &t));
        return e;
    }
    case TOK_TRUE: case TOK_FALSE: {
        advance(p);
        Expr *e = node(p, E_BOOL, &t);
        e->ival = t.kind == TOK_TRUE;
        return e;
    }
    case TOK_STRING: {
        advance(p);
        Expr *e = node(p, E_STRING, &t);
        e->name = string_value(p, &t);
        return e;
    }
    case TOK_CHAR: {
        advance(p);
        Expr *e = node(p, E_CHAR, &t);
        const char *v = string_value(p, &t);
        e->ival = (unsigned char)v[0];
        return e;
    }
    case TOK_IDENT: { /* name, or M::N::name */
        advance(p);
        Expr *e = node(p, E_NAME, &t);
        e->name = qualified_name(p, copy_text(p, &t));
        return e;
    }
    case TOK_UNDERSCORE: advance(p); return node(p, E_WILD, &t);
    case TOK_NOT: { /* x == not y: a negation as an operand */
        advance(p);
        Expr *e = node2(p, E_UNOP, &t, parse_level(p, L_NOT), NULL);
        e->op = TOK_NOT;
        return e;
    }
    case TOK_LPAREN: advance(p); return parse_paren(p, &t);
    case TOK_LBRACE: advance(p); return parse_collection(p, &t, &set_syntax);
    case TOK_LEVENTS: advance(p); return parse_events(p, &t);
    case TOK_LT: advance(p); return parse_collection(p, &t, &seq_syntax);
    case TOK_IF: advance(p); return parse_if(p, &t);
    case TOK_LET: advance(p); return parse_let(p, &t);
    case TOK_BACKSLASH: advance(p); return parse_lambda(p, &t);
    case TOK_EXTCHOICE: case TOK_INTCHOICE: case TOK_INTERLEAVE:
    case TOK_PARALLEL: case TOK_SEMI:
        advance(p);
        return parse_repl(p, &t, t.kind, NULL);
    case TOK_LSYNC: case TOK_LSYNCEXT: {
        advance(p);
        Expr *set = parse_expr(p);
        expect(p, t.kind == TOK_LSYNC ? TOK_RSYNC : TOK_RSYNCEXT, NULL);
        return parse_repl(p, &t, t.kind, set);
    }
    case TOK_LBRACKET: { /* [a <-> b | stmts] x : <s> @ P */
        advance(p);
        Expr *links = node(p, E_LINK, &t); /* pairs and stmts only */
        parse_pairs(p, links, TOK_LINK, NULL);
        expect(p, TOK_RBRACKET, "']'");
        return parse_repl(p, &t, TOK_LINK, links);
    }
    case TOK_LMAP: { /* (| k => v, ... |) */
        advance(p);
        Expr *e = node(p, E_MAP, &t);
        if (!accept(p, TOK_RMAP)) {
            parse_pairs(p, e, TOK_FATARROW, NULL);
            expect(p, TOK_RMAP, "'|)'");
        }
        return e;
    }
    default:
        error_at(p, &t, "expected an expression, found %s",
                 tok_text(&t, buf, sizeof buf));
        if (!check(p, TOK_EOF))
            advance(p);
        return node(p, E_WILD, &t);
    }
}

/* pairs -> expr arrow expr { ',' expr arrow expr } [ '|' stmts ] */
static void parse_pairs(Parser *p, Expr *e, TokKind arrow, Expr *first)
{
    List pairs = {0};
    for (;;) {
        Pair *pr = alloc(p, sizeof *pr);
        pr->from = first ? first : parse_level(p, L_DOT);
        first = NULL;
        expect(p, arrow, NULL);
        pr->to = parse_level(p, L_DOT);
        list_add(p, &pairs, pr);
        if (!accept(p, TOK_COMMA))
            break;
    }
    e->pairs = alloc(p, (pairs.count + 1) * sizeof *e->pairs);
    for (size_t i = 0; i < pairs.count; i++)
        e->pairs[i] = *(Pair *)pairs.items[i];
    e->npairs = pairs.count;
    if (accept(p, TOK_BAR))
        e->stmts = parse_stmts(p, &e->nstmts, 0);
}

/* postfix -> primary { '(' exprs ')' | '[[' pairs ']]' } */
static Expr *parse_postfix(Parser *p)
{
    Expr *e = parse_primary(p);
    for (;;) {
        Token t = p->tok;
        if (t.kind == TOK_LPAREN && t.line_start && t.col <= p->decl_col)
            return e; /* (a, b) = ... on a new line: a declaration */
        if (accept(p, TOK_LPAREN)) {
            List kids = {0};
            list_add(p, &kids, e);
            int no_gt = p->no_gt;
            p->no_gt = 0;
            parse_list(p, &kids, TOK_RPAREN, L_HIDE);
            p->no_gt = no_gt;
            expect(p, TOK_RPAREN, "')'");
            e = node_kids(p, E_CALL, &t, &kids);
        } else if (accept(p, TOK_LRENAME)) {
            Expr *r = node2(p, E_RENAME, &t, e, NULL);
            if (!check(p, TOK_RRENAME)) /* P[[ ]] renames nothing */
                parse_pairs(p, r, TOK_LARROW, NULL);
            expect(p, TOK_RRENAME, "']]'");
            e = r;
        } else {
            return e;
        }
    }
}

/* ---------- source files ---------- */

enum { MAX_SOURCE_BYTES = 256 << 20 };
static const char out_of_memory[] = "out of memory";

/* Reads all of `path` into *data (mem_alloc'd, NUL-terminated, the
 * caller's) and *len. NULL, or why it cannot be read: a directory, a file
 * over MAX_SOURCE_BYTES (or an endless one, such as /dev/zero), a read
 * error, or out_of_memory itself. */
static const char *read_source(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return strerror(errno);
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return "it is a directory";
    }
    size_t cap = 0;
    const char *why = NULL;
    *data = NULL;
    *len = 0;
    char buf[65536];
    size_t n;
    while (!why && (n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (*len + n > MAX_SOURCE_BYTES)
            why = "larger than 256 MiB";
        else if (mem_grow((void **)data, &cap, *len + n + 1, 1) != 0)
            why = out_of_memory;
        else {
            mem_copy(*data + *len, buf, n);
            *len += n;
        }
    }
    if (!why && ferror(f))
        why = strerror(errno);
    fclose(f);
    if (!why && !*data && !(*data = mem_calloc(1, 1)))
        why = out_of_memory;
    if (why) {
        mem_free(*data);
        return why;
    }
    (*data)[*len] = '\0';
    return NULL;
}

static int is_binop(int level, TokKind k)
{
    switch (level) {
    case L_MUL: return k == TOK_STAR || k == TOK_SLASH || k == TOK_PERCENT;
    case L_ADD: return k == TOK_PLUS || k == TOK_MINUS;
    case L_CONCAT: return k == TOK_CARET;
    case L_AND: return k == TOK_AND;
    case L_OR: return k == TOK_OR;
    case L_SEQ: return k == TOK_SEMI;
    case L_INTERRUPT: return k == TOK_INTERRUPT;
    case L_SLIDE: return k == TOK_SLIDE;
    case L_EXTCHOICE: return k == TOK_EXTCHOICE;
    case L_INTCHOICE: return k == TOK_INTCHOICE;
    case L_INTERLEAVE: return k == TOK_INTERLEAVE;
    default: return 0;
    }
}

/* [] |~| ||| ; are associative in every semantic model of CSP; ^, and, or
 * are associative and keep their left-to-right evaluation in any tree (+
 * is not here: where an intermediate sum overflows depends on the tree). */
static int is_associative_op(TokKind k)
{
    return k == TOK_EXTCHOICE || k == TOK_INTCHOICE || k == TOK_INTERLEAVE ||
           k == TOK_SEMI || k == TOK_CARET || k == TOK_AND || k == TOK_OR;
}

/* The operands [lo, hi) joined by the operators between them, as a balanced
 * tree: ops[i] stands between operands i and i + 1. */
static Expr *balance(Parser *p, ExprKind kind, void **operands, void **ops,
                     size_t lo, size_t hi)
{
    if (hi - lo == 1)
        return operands[lo];
    size_t mid = lo + (hi - lo) / 2;
    const Token *op = ops[mid - 1];
    Expr *e = node2(p, kind, op, balance(p, kind, operands, ops, lo, mid),
                    balance(p, kind, operands, ops, mid, hi));
    e->op = op->kind;
    return e;
}

/* A run of one associative operator, `first op P2 op P3 ...`, as a tree of
 * logarithmic depth rather than a left spine as long as the run: generated
 * models chain 100,000 operands, and every later pass (type checking,
 * evaluation, the operational semantics) recurses on the tree; a left
 * spine of ^ would also copy the sequence once per operand. */
static Expr *parse_chain(Parser *p, int level, Expr *first)
{
    TokKind kind = p->tok.kind;
    List operands = {0}, ops = {0};
    list_add(p, &operands, first);
    while (check(p, kind)) {
        Token *op = alloc(p, sizeof *op);
        *op = p->tok;
        advance(p);
        list_add(p, &ops, op);
        list_add(p, &operands, parse_level(p, level + 1));
    }
    return balance(p, level <= L_SEQ ? E_PROC_BINARY : E_BINOP,
                   operands.items, ops.items, 0, operands.count);
}

static int is_compare(TokKind k)
{
    return k == TOK_EQEQ || k == TOK_NE || k == TOK_LT || k == TOK_GT ||
           k == TOK_LE || k == TOK_GE;
}

/* prefix -> or ( '&' prefix | { field } '->' prefix | ε )
 * field  -> '.' dot | '!' dot | '?' dot [':' postfix] | '$' dot [':' postfix] */
static Expr *parse_prefix(Parser *p)
{
    Expr *lhs = parse_level(p, L_OR);
    Token t = p->tok;
    if (accept(p, TOK_AMP))
        return node2(p, E_GUARD, &t, lhs, parse_level(p, L_PREFIX));
    if (!check(p, TOK_QUESTION) && !check(p, TOK_BANG) &&
        !check(p, TOK_DOLLAR) && !check(p, TOK_ARROW))
        return lhs;
    List fields = {0};
    int inputs = 0;
    for (;;) {
        Token f = p->tok;
        FieldKind kind;
        if (accept(p, TOK_QUESTION)) kind = FIELD_IN;
        else if (accept(p, TOK_BANG)) kind = FIELD_OUT;
        else if (accept(p, TOK_DOLLAR)) kind = FIELD_NDIN;
        else break;
        if (kind == FIELD_NDIN && inputs) /* $ is chosen before the event */
            error_at(p, &f, "a nondeterministic input ($) cannot follow an "
                            "input (?): write the $ fields first");
        inputs |= kind == FIELD_IN;
        Field *fd = alloc(p, sizeof *fd);
        fd->kind = kind;
        fd->pos = pos_of(p, &f);
        /* c!not b: a negation is a value too */
        fd->expr = parse_level(p, check(p, TOK_NOT) ? L_NOT : L_DOT);
        if (kind != FIELD_OUT && accept(p, TOK_COLON))
            fd->restrict_to = parse_postfix(p);
        list_add(p, &fields, fd);
    }
    expect(p, TOK_ARROW, "'->'");
    Expr *e = node2(p, E_PREFIX, &t, lhs, parse_level(p, L_PREFIX));
    e->fields = alloc(p, (fields.count + 1) * sizeof *e->fields);
    for (size_t i = 0; i < fields.count; i++)
        e->fields[i] = *(Field *)fields.items[i];
    e->nfields = fields.count;
    return e;
}

/* par -> interleave-operand { '[|' expr '|]' operand | '[|' expr '|>'
 *        operand | '[' expr '||' expr ']' operand | '[' pairs ']' operand } */
static Expr *parse_par(Parser *p)
{
    Expr *lhs = parse_level(p, L_INTCHOICE);
    for (;;) {
        Token t = p->tok;
        if (accept(p, TOK_LSYNC)) {
            Expr *set = parse_expr(p);
            int except = accept(p, TOK_REXCEPT);
            if (!except)
                expect(p, TOK_RSYNC, "'|]'");
            Expr *rhs = parse_level(p, L_INTCHOICE);
            Expr *e = node(p, E_PROC_SET, &t);
            e->op = except ? TOK_REXCEPT : TOK_LSYNC;
            e->kids = alloc(p, 3 * sizeof *e->kids);
            e->kids[0] = lhs, e->kids[1] = set, e->kids[2] = rhs;
            e->nkids = 3;
            lhs = e;
        } else if (accept(p, TOK_LBRACKET)) {
            Expr *a = parse_level(p, L_DOT);
            if (check(p, TOK_LINK)) {
                Expr *e = node2(p, E_LINK, &t, lhs, NULL);
                parse_pairs(p, e, TOK_LINK, a);
                expect(p, TOK_RBRACKET, "']'");
                e->kids[1] = parse_level(p, L_INTCHOICE);
                e->nkids = 2;
                lhs = e;
                continue;
            }
            Expr *e = node(p, E_APAR, &t);
            e->kids = alloc(p, 4 * sizeof *e->kids);
            e->kids[0] = lhs;
            e->kids[1] = a;
            expect(p, TOK_PARALLEL, "'||' or '<->'");
            e->kids[2] = parse_expr(p);
            expect(p, TOK_RBRACKET, "']'");
            e->kids[3] = parse_level(p, L_INTCHOICE);
            e->nkids = 4;
            lhs = e;
        } else {
            return lhs;
        }
    }
}

/* A process operator with a set inside it, [+ A +] or /+ A +\ . */
static Expr *parse_set_op(Parser *p, Expr *lhs, const Token *t, int level)
{
    Expr *set = parse_expr(p);
    expect(p, t->kind == TOK_LSYNCEXT ? TOK_RSYNCEXT : TOK_RSYNCINT, NULL);
    Expr *e = node(p, E_PROC_SET, t);
    e->op = t->kind;
    e->kids = alloc(p, 3 * sizeof *e->kids);
    e->kids[0] = lhs, e->kids[1] = set, e->kids[2] = parse_level(p, level + 1);
    e->nkids = 3;
    return e;
}

/* A binary process operator, which may follow a hiding's set. */
static int is_process_binop(TokKind k)
{
    return k == TOK_INTERLEAVE || k == TOK_LSYNC || k == TOK_LBRACKET ||
           k == TOK_INTCHOICE || k == TOK_EXTCHOICE || k == TOK_LSYNCEXT ||
           k == TOK_INTERRUPT || k == TOK_LSYNCINT || k == TOK_SLIDE ||
           k == TOK_SEMI;
}

/* P \ A and P |\ A. Hiding takes everything on its left (`A [|X|] B \ X`
 * hides in the whole parallel), but its set ends where a process operator
 * begins: `P \ A ||| Q` is `(P \ A) ||| Q`, and the operator goes on with
 * the hiding as its left operand (handed down through p->pending to the
 * bottom of the operator levels). */
static Expr *parse_hiding(Parser *p, Expr *e)
{
    while (check(p, TOK_BACKSLASH) || check(p, TOK_PROJECT)) {
        Token op = p->tok;
        advance(p);
        e = node2(p, E_PROC_SET, &op, e, parse_level(p, L_OR));
        e->op = op.kind;
        if (is_process_binop(p->tok.kind)) {
            p->pending = e;
            e = parse_level(p, L_INTERLEAVE);
        }
    }
    return e;
}

static Expr *parse_level(Parser *p, int level)
{
    if (stack_low()) {
        error_at(p, &p->tok, "expression nested too deeply");
        return node(p, E_WILD, &p->tok);
    }
    Expr *e;
    Token t = p->tok;
    switch (level) {
    case L_POSTFIX:
        e = p->pending ? p->pending : parse_postfix(p);
        p->pending = NULL;
        break;
    case L_UNARY:
        if (accept(p, TOK_MINUS) || accept(p, TOK_HASH)) {
            e = node2(p, E_UNOP, &t, parse_level(p, L_UNARY), NULL);
            e->op = t.kind;
        } else {
            e = parse_level(p, L_CONCAT);
        }
        break;
    case L_NOT:
        if (accept(p, TOK_NOT)) {
            e = node2(p, E_UNOP, &t, parse_level(p, L_NOT), NULL);
            e->op = TOK_NOT;
        } else {
            e = parse_level(p, L_COMPARE);
        }
        break;
    case L_COMPARE:
        e = parse_level(p, L_DOT);
        if (is_compare(p->tok.kind) && !(p->no_gt && check(p, TOK_GT))) {
            Token op = p->tok;
            advance(p);
            e = node2(p, E_BINOP, &op, e, parse_level(p, L_DOT));
            e->op = op.kind;
        }
        break;
    case L_DOT:
        e = parse_level(p, L_ADD);
        if (check(p, TOK_DOT)) {
            Token op = p->tok;
            advance(p);
            e = node2(p, E_DOT, &op, e, parse_level(p, L_DOT));
        }
        break;
    case L_PREFIX: e = parse_prefix(p); break;
    case L_PAR: e = parse_par(p); break;
    case L_HIDE:
        e = parse_hiding(p, parse_level(p, L_INTERLEAVE));
        /* p @@ q, a pattern that matches both: the loosest of all */
        if (check(p, TOK_ATAT)) {
            Token op = p->tok;
            advance(p);
            e = node2(p, E_ALSO, &op, e, parse_level(p, L_HIDE));
        }
        break;
    default:
        e = parse_level(p, level + 1);
        for (;;) {
            Token op = p->tok;
            if (level == L_EXTCHOICE && accept(p, TOK_LSYNCEXT)) {
                e = parse_set_op(p, e, &op, level);
                continue;
            }
            if (level == L_INTERRUPT && accept(p, TOK_LSYNCINT)) {
                e = parse_set_op(p, e, &op, level);
                continue;
            }
            if (!is_binop(level, op.kind))
                break;
            if (is_associative_op(op.kind)) {
                e = parse_chain(p, level, e);
                continue;
            }
            advance(p);
            int proc = level <= L_SEQ;
            e = node2(p, proc ? E_PROC_BINARY : E_BINOP, &op, e,
                      parse_level(p, level + 1));
            e->op = op.kind;
        }
    }
    return e;
}

/* ---------- declarations ---------- */

static Decl *decl_new(Parser *p, DeclKind kind, const Token *at)
{
    Decl *d = alloc(p, sizeof *d);
    d->kind = kind;
    d->pos = pos_of(p, at);
    d->model = -1;
    return d;
}

/* channel -> 'channel' name { ',' name } [ ':' type ] */
static Decl *parse_channel(Parser *p, const Token *at)
{
    Decl *d = decl_new(p, D_CHANNEL, at);
    List names = {0};
    do {
        if (check(p, TOK_IDENT))
            list_add(p, &names, (void *)copy_text(p, &p->tok));
        expect(p, TOK_IDENT, "a channel name");
    } while (accept(p, TOK_COMMA));
    d->names = (const char **)names.items;
    d->nnames = names.count;
    if (accept(p, TOK_COLON))
        d->type = parse_level(p, L_DOT);
    return d;
}

/* datatype -> 'datatype' name '=' ctor { '|' ctor };  ctor -> name ['.' type] */
static Decl *parse_datatype(Parser *p, const Token *at, DeclKind kind)
{
    Decl *d = decl_new(p, kind, at);
    if (check(p, TOK_IDENT))
        d->name = copy_text(p, &p->tok);
    expect(p, TOK_IDENT, "a type name");
    expect(p, TOK_EQ, "'='");
    List ctors = {0};
    do {
        Ctor *c = alloc(p, sizeof *c);
        c->pos = pos_of(p, &p->tok);
        if (check(p, TOK_IDENT))
            c->name = copy_text(p, &p->tok);
        expect(p, TOK_IDENT, "a constructor name");
        if (accept(p, TOK_DOT))
            c->fields = parse_level(p, L_DOT);
        list_add(p, &ctors, c);
    } while (accept(p, TOK_BAR));
    d->ctors = alloc(p, (ctors.count + 1) * sizeof *d->ctors);
    for (size_t i = 0; i < ctors.count; i++)
        d->ctors[i] = *(Ctor *)ctors.items[i];
    d->nctors = ctors.count;
    return d;
}

/* The source text from `start` to the end of the previous token, with
 * runs of white space collapsed to one blank. */
static const char *collapse(Parser *p, const char *start)
{
    const char *end = p->prev.start + p->prev.len;
    if (end < start) /* nothing was read (an error at the first token) */
        end = start;
    char *s = alloc(p, (size_t)(end - start) + 1);
    size_t n = 0;
    for (const char *c = start; c < end; c++) {
        int blank = *c == ' ' || *c == '\t' || *c == '\n' || *c == '\r';
        if (blank && (n == 0 || s[n - 1] == ' '))
            continue;
        s[n++] = blank ? ' ' : *c;
    }
    while (n && s[n - 1] == ' ')
        n--;
    s[n] = '\0';
    return s;
}

/* The words of a property ":[deadlock free [F]]": names and '-' up to a
 * '[' or ']'; appended with single blanks into buf. */
static void property_words(Parser *p, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    while (check(p, TOK_IDENT) || check(p, TOK_MINUS) || check(p, TOK_NOT)) {
        if (check(p, TOK_MINUS)) {
            advance(p);
            continue; /* deadlock-free == deadlock free */
        }
        n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%.*s",
                              n ? " " : "", (int)p->tok.len, p->tok.start);
        advance(p);
    }
}

/* model -> '[' ('T' | 'F' | 'FD' | 'V' | 'VD' | 'R' | 'RD') ']' ;
 * returns Decl.model's number, or -1 */
static int parse_model(Parser *p, int *closed_outer)
{
    static const char *const names[] = {"T", "F", "FD", "V", "VD", "R", "RD"};
    if (!accept(p, TOK_LBRACKET))
        return -1;
    int model = -1;
    for (int k = 0; k < 7 && check(p, TOK_IDENT) && model < 0; k++)
        if (p->tok.len == strlen(names[k]) &&
            !memcmp(p->tok.start, names[k], p->tok.len))
            model = k;
    if (model < 0) {
        char buf[64];
        error_at(p, &p->tok, "expected a semantic model [T], [F], [FD], [V], "
                             "[VD], [R] or [RD], found %s",
                 tok_text(&p->tok, buf, sizeof buf));
        return -1;
    }
    advance(p);
    /* "[F]]" lexes as '[' 'F' ']]': the second bracket closes ':['. */
    if (accept(p, TOK_RRENAME))
        *closed_outer = 1;
    else
        expect(p, TOK_RBRACKET, "']'");
    return model;
}

/* A property after ':[': its form, model and (for has trace) trace. */
static void parse_property(Parser *p, Decl *d)
{
    Token at = p->tok;
    char words[128];
    property_words(p, words, sizeof words);
    if (!strcmp(words, "deadlock free"))
        d->form = AF_DEADLOCK;
    else if (!strcmp(words, "divergence free") ||
             !strcmp(words, "livelock free"))
        d->form = AF_DIVERGENCE;
    else if (!strcmp(words, "deterministic"))
        d->form = AF_DETERMINISM;
    else if (!strcmp(words, "has trace"))
        d->form = AF_HAS_TRACE;
    else if (!strcmp(words, "symmetric"))
        d->form = AF_SYMMETRIC;
    else {
        error_at(p, &at, "unknown property ':[%s]' (expected deadlock free, "
                         "divergence free, livelock free, deterministic, "
                         "has trace or symmetric)", words);
        return;
    }
    int closed = 0;
    d->model = parse_model(p, &closed);
    if (!closed)
        expect(p, TOK_RBRACKET, "']'");
    if (d->form == AF_HAS_TRACE) { /* FDR reads the ':' as optional */
        accept(p, TOK_COLON);
        d->trace = parse_level(p, L_DOT);
    } else if (d->form == AF_SYMMETRIC) {
        List names = {0};
        expect(p, TOK_COLON, "':' and the datatypes");
        if (!p->tok.line_start && !check(p, TOK_EOF))
            parse_list(p, &names, TOK_EOF, L_DOT);
        else if (!p->panic) /* at the property: the next line is not */
            error_at(p, &at, "expected the datatypes after ':[symmetric]:'");
        d->symmetric = (Expr **)names.items;
        d->nsymmetric = names.count;
    }
}

/* Options after an assertion: ':[tau priority]: A', ':[partial order
 * reduce]'. */
static void parse_options(Parser *p, Decl *d)
{
    while (check(p, TOK_COLONBRACKET)) {
        Token at = p->tok;
        advance(p);
        char words[128];
        property_words(p, words, sizeof words);
        /* :[partial order reduce [fast]]: a mode, which we ignore too */
        int closed = 0; /* ']]' lexes as one token */
        if (!strcmp(words, "partial order reduce") &&
            accept(p, TOK_LBRACKET)) {
            expect(p, TOK_IDENT, "a mode (fast, precise, hybrid)");
            closed = accept(p, TOK_RRENAME);
            if (!closed)
                expect(p, TOK_RBRACKET, "']'");
        }
        if (!closed)
            expect(p, TOK_RBRACKET, "']'");
        if (!strcmp(words, "tau priority") ||
            !strcmp(words, "tau priority over")) {
            if (d->tau_priority)
                error_at(p, &at, "':[tau priority]' given twice");
            d->tau_priority = 1;
            expect(p, TOK_COLON, "':' and a set of events");
            d->priority = parse_level(p, L_DOT);
        } else if (!strcmp(words, "partial order reduce")) {
            d->partial_order = 1;
        } else if (!strcmp(words, "static") ||
                   !strcmp(words, "symmetry reduce")) {
            /* FDR's search hints: the verdict is the same without them */
            if (!strcmp(words, "symmetry reduce") && accept(p, TOK_COLON)) {
                List ignored = {0};
                parse_list(p, &ignored, TOK_EOF, L_DOT);
            }
        } else {
            error_at(p, &at, "unknown assertion option ':[%s]'", words);
        }
    }
}

/* assert -> 'assert' ['not'] expr ( ':[' property ']' | refines expr )
 *           { option } */
static Decl *parse_assert(Parser *p, const Token *at)
{
    Decl *d = decl_new(p, D_ASSERT, at);
    const char *start = p->tok.start;
    d->negated = accept(p, TOK_NOT);
    Expr *first = parse_expr(p);
    Token op = p->tok;
    if (accept(p, TOK_COLONBRACKET)) {
        d->impl = first;
        parse_property(p, d);
    } else if (accept(p, TOK_REFINE_T) || accept(p, TOK_REFINE_F) ||
               accept(p, TOK_REFINE_FD)) {
        d->form = AF_REFINE;
        d->model = op.kind == TOK_REFINE_T ? 0 : op.kind == TOK_REFINE_F ? 1 : 2;
        d->spec = first;
        d->impl = parse_expr(p);
    } else if (accept(p, TOK_REFINE_OTHER)) {
        /* [V= 3, [VD= 4 (revivals), [R= 5, [RD= 6 (refusal testing) */
        d->form = AF_REFINE;
        d->model = (op.start[1] == 'V' ? 3 : 5) + (op.start[2] == 'D');
        d->spec = first;
        d->impl = parse_expr(p);
    } else {
        char buf[64];
        error_at(p, &op, "expected ':[' or a refinement such as '[T=' in the "
                         "assertion, found %s",
                 tok_text(&op, buf, sizeof buf));
    }
    parse_options(p, d);
    d->text = collapse(p, start);
    return d;
}

/* ---------- type annotations ---------- */

static TypeExpr *parse_type(Parser *p);

static TypeExpr *type_node(Parser *p, TypeExprKind kind, const Token *at,
                           List *kids)
{
    TypeExpr *t = alloc(p, sizeof *t);
    t->kind = kind;
    t->pos = pos_of(p, at);
    if (kids) {
        t->kids = (TypeExpr **)kids->items;
        t->nkids = kids->count;
    }
    return t;
}

static TypeExpr *type_node2(Parser *p, TypeExprKind kind, const Token *at,
                            TypeExpr *a, TypeExpr *b)
{
    List kids = {0};
    list_add(p, &kids, a);
    list_add(p, &kids, b);
    return type_node(p, kind, at, &kids);
}

/* atype -> name | '{' type '}' | '<' type '>' | '(|' type '=>' type '|)'
 *        | '(' type { ',' type } ')' [ '->' type ] */
static TypeExpr *parse_type_atom(Parser *p)
{
    Token t = p->tok;
    char buf[64];
    if (accept(p, TOK_IDENT)) {
        TypeExpr *e = type_node(p, TY_NAME, &t, NULL);
        e->name = qualified_name(p, copy_text(p, &t));
        return e;
    }
    List kids = {0};
    if (accept(p, TOK_LBRACE) || accept(p, TOK_LT)) {
        list_add(p, &kids, parse_type(p));
        expect(p, t.kind == TOK_LBRACE ? TOK_RBRACE : TOK_GT,
               t.kind == TOK_LBRACE ? "'}'" : "'>'");
        return type_node(p, t.kind == TOK_LBRACE ? TY_SET : TY_SEQ, &t, &kids);
    }
    if (accept(p, TOK_LMAP)) {
        list_add(p, &kids, parse_type_atom(p));
        expect(p, TOK_FATARROW, "'=>'");
        list_add(p, &kids, parse_type(p));
        expect(p, TOK_RMAP, "'|)'");
        return type_node(p, TY_MAP, &t, &kids);
    }
    if (accept(p, TOK_LPAREN)) {
        if (!check(p, TOK_RPAREN))
            do
                list_add(p, &kids, parse_type(p));
            while (accept(p, TOK_COMMA));
        expect(p, TOK_RPAREN, "')'");
        if (accept(p, TOK_ARROW)) { /* (A, B) -> C */
            list_add(p, &kids, parse_type(p));
            return type_node(p, TY_FUN, &t, &kids);
        }
        if (kids.count == 1)
            return kids.items[0];
        return type_node(p, TY_TUPLE, &t, &kids);
    }
    error_at(p, &t, "expected a type, found %s",
             tok_text(&t, buf, sizeof buf));
    return type_node(p, TY_NAME, &t, NULL);
}

/* type -> atype { '.' atype } [ ('=>' | '=>*' | '->') type ] */
static TypeExpr *parse_type(Parser *p)
{
    if (stack_low()) {
        error_at(p, &p->tok, "type nested too deeply");
        return type_node(p, TY_NAME, &p->tok, NULL);
    }
    Token at = p->tok;
    TypeExpr *t = parse_type_atom(p);
    if (check(p, TOK_DOT)) {
        List kids = {0};
        list_add(p, &kids, t);
        while (accept(p, TOK_DOT))
            list_add(p, &kids, parse_type_atom(p));
        t = type_node(p, TY_DOT, &at, &kids);
    }
    Token op = p->tok;
    if (accept(p, TOK_FATARROW)) {
        int star = accept(p, TOK_STAR);
        t = type_node2(p, star ? TY_EXTENDABLE : TY_DOTABLE, &op, t,
                       parse_type(p));
    } else if (accept(p, TOK_ARROW)) { /* a -> b: one unparenthesised arg */
        t = type_node2(p, TY_FUN, &op, t, parse_type(p));
    }
    return t;
}

static int is_class_name(const Token *t)
{
    static const char *const names[] = {"Eq", "Ord", "Set", "Complete",
                                        "Inputable", "Yieldable"};
    if (t->kind != TOK_IDENT)
        return 0;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strlen(names[i]) == t->len && !memcmp(names[i], t->start, t->len))
            return 1;
    return 0;
}

/* constraint -> Class var */
static int parse_constraint(Parser *p, List *out)
{
    if (!is_class_name(&p->tok))
        return 0;
    TypeConstraint *c = alloc(p, sizeof *c);
    c->cls = copy_text(p, &p->tok);
    c->pos = pos_of(p, &p->tok);
    advance(p);
    if (!check(p, TOK_IDENT))
        return 0;
    c->var = copy_text(p, &p->tok);
    advance(p);
    list_add(p, out, c);
    return 1;
}

/* context -> constraint '=>' | '(' constraint { ',' constraint } ')' '=>'
 * Read on trial: `Set a => ...` is a context, `A => Event` is a type. */
static void parse_context(Parser *p, Decl *d)
{
    Parser saved = *p;
    List items = {0};
    int ok;
    if (accept(p, TOK_LPAREN)) {
        do
            ok = parse_constraint(p, &items);
        while (ok && accept(p, TOK_COMMA));
        ok = ok && accept(p, TOK_RPAREN);
    } else {
        ok = parse_constraint(p, &items);
    }
    if (!ok || !accept(p, TOK_FATARROW)) {
        *p = saved;
        return;
    }
    d->context = alloc(p, (items.count + 1) * sizeof *d->context);
    for (size_t i = 0; i < items.count; i++)
        d->context[i] = *(TypeConstraint *)items.items[i];
    d->ncontext = items.count;
}

/* annot -> name { ',' name } '::' [ context ] type; the first name has
 * been read. Returns 0 (restoring the parser) when this is no annotation. */
static int parse_annotation(Parser *p, Decl *d)
{
    Parser saved = *p;
    List names = {0};
    list_add(p, &names, (void *)d->name);
    while (accept(p, TOK_COMMA)) {
        if (!check(p, TOK_IDENT))
            break;
        list_add(p, &names, (void *)copy_text(p, &p->tok));
        advance(p);
    }
    if (!accept(p, TOK_COLONCOLON)) {
        *p = saved;
        return 0;
    }
    d->kind = D_ANNOT;
    d->names = (const char **)names.items;
    d->nnames = names.count;
    parse_context(p, d);
    d->annot = parse_type(p);
    return 1;
}

/* def -> name { '(' patterns ')' } '=' expr | pattern '=' expr | annot */
static Decl *parse_def(Parser *p, const Token *at)
{
    Decl *d = decl_new(p, D_DEF, at);
    if (check(p, TOK_IDENT)) {
        d->name = copy_text(p, &p->tok);
        advance(p);
        if ((check(p, TOK_COLONCOLON) || check(p, TOK_COMMA)) &&
            parse_annotation(p, d))
            return d;
        List groups = {0}, counts = {0};
        while (accept(p, TOK_LPAREN)) {
            List pats = {0};
            parse_list(p, &pats, TOK_RPAREN, L_HIDE);
            expect(p, TOK_RPAREN, "')'");
            list_add(p, &groups, pats.items);
            list_add(p, &counts, (void *)(uintptr_t)pats.count);
        }
        d->ngroups = groups.count;
        d->params = (Expr ***)groups.items;
        for (size_t g = 0; g < groups.count; g++)
            for (size_t i = 0; i < (size_t)(uintptr_t)counts.items[g]; i++)
                check_pattern(p, ((Expr **)groups.items[g])[i]);
        d->nparams = alloc(p, (groups.count + 1) * sizeof *d->nparams);
        for (size_t i = 0; i < groups.count; i++)
            d->nparams[i] = (size_t)(uintptr_t)counts.items[i];
        if (groups.count == 0 && check(p, TOK_DOT)) {
            /* a dotted pattern binding: x.y = ... */
            Expr *name = node(p, E_NAME, at);
            name->name = d->name;
            advance(p);
            d->lhs = node2(p, E_DOT, at, name, parse_level(p, L_DOT));
            d->name = NULL;
        }
    } else {
        d->lhs = parse_level(p, L_DOT);
        check_pattern(p, d->lhs);
    }
    expect(p, TOK_EQ, "'='");
    d->body = parse_expr(p);
    return d;
}

static void parse_into(Parser *p, List *decls);

/* include -> 'include' string: parsed in place, relative to this file. */
static void parse_include(Parser *p, List *decls, const Token *at)
{
    Token name = p->tok;
    if (!accept(p, TOK_STRING)) {
        expect(p, TOK_STRING, "a file name in quotes");
        return;
    }
    const char *rel = string_value(p, &name);
    const char *slash = strrchr(p->file, '/');
    size_t dir = rel[0] == '/' || !slash ? 0 : (size_t)(slash - p->file) + 1;
    char *path = alloc(p, dir + strlen(rel) + 1);
    mem_copy(path, p->file, dir);
    strcpy(path + dir, rel);
    for (int i = 0; i < p->include_depth; i++)
        if (!strcmp(p->includes[i], path)) {
            error_at(p, at, "include cycle: %s includes itself", path);
            return;
        }
    if (p->include_depth >= MAX_INCLUDE_DEPTH) {
        error_at(p, at, "includes nested too deeply (at %s)", path);
        return;
    }
    char *data;
    size_t total;
    const char *why = read_source(path, &data, &total);
    if (why) {
        error_at(p, at, "cannot include %s: %s", path, why);
        return;
    }
    /* Tokens point into the text, so it lives in the arena. */
    char *text = arena_strndup(p->arena, data, total);
    mem_free(data);
    if (!text)
        longjmp(*p->out_of_memory, 1);
    Parser sub = *p;
    lex_init(&sub.lx, text, total);
    sub.file = path;
    sub.panic = 0;
    sub.includes[sub.include_depth++] = path;
    advance(&sub);
    parse_into(&sub, decls);
}

/* Skips to the next token that can start a declaration at the start of a
 * line (panic mode ends there). */
static void synchronise(Parser *p)
{
    while (!check(p, TOK_EOF)) {
        if (p->tok.line_start && p->tok.col == 1)
            break;
        advance(p);
    }
    p->panic = 0;
}

static Decl *parse_decl_at(Parser *p);
static void parse_into(Parser *p, List *decls);

/* module -> 'module' name ['(' name {',' name} ')'] {decl}
 *           ['exports' {decl}] 'endmodule' */
static Decl *parse_module(Parser *p, const Token *at)
{
    Decl *d = decl_new(p, D_MODULE, at);
    if (check(p, TOK_IDENT))
        d->name = copy_text(p, &p->tok);
    expect(p, TOK_IDENT, "a module name");
    List params = {0}, decls = {0};
    if (accept(p, TOK_LPAREN)) {
        do {
            if (check(p, TOK_IDENT))
                list_add(p, &params, (char *)copy_text(p, &p->tok));
            expect(p, TOK_IDENT, "a parameter name");
        } while (accept(p, TOK_COMMA));
        expect(p, TOK_RPAREN, "')'");
    }
    d->names = (const char **)params.items;
    d->nnames = params.count;
    parse_into(p, &decls);
    d->nprivate = decls.count;
    if (accept(p, TOK_EXPORTS))
        parse_into(p, &decls);
    expect(p, TOK_ENDMODULE, "'endmodule'");
    d->decls = (Decl **)decls.items;
    d->ndecls = decls.count;
    for (size_t i = 0; i < decls.count; i++)
        if (d->decls[i]->kind == D_ASSERT || d->decls[i]->kind == D_PRINT) {
            p->panic = 0;
            error_at(p, &(Token){.line = d->decls[i]->pos.line,
                                 .col = d->decls[i]->pos.col},
                     "%s inside a module: FDR allows it at the top level "
                     "only", d->decls[i]->kind == D_ASSERT ? "an assertion"
                                                             : "print");
            p->panic = 0;
        }
    return d;
}

/* A declaration, remembering where it began: a line starting at or left
 * of that column with '(' begins the next one (layout, as in FDR). */
static Decl *parse_decl(Parser *p)
{
    int outer = p->decl_col;
    p->decl_col = p->tok.col;
    Decl *d = parse_decl_at(p);
    p->decl_col = outer;
    return d;
}

static Decl *parse_decl_at(Parser *p)
{
    Token t = p->tok;
    switch (t.kind) {
    case TOK_CHANNEL: advance(p); return parse_channel(p, &t);
    case TOK_DATATYPE: advance(p); return parse_datatype(p, &t, D_DATATYPE);
    case TOK_SUBTYPE: advance(p); return parse_datatype(p, &t, D_SUBTYPE);
    case TOK_NAMETYPE: {
        advance(p);
        Decl *d = decl_new(p, D_NAMETYPE, &t);
        if (check(p, TOK_IDENT))
            d->name = copy_text(p, &p->tok);
        expect(p, TOK_IDENT, "a type name");
        expect(p, TOK_EQ, "'='");
        d->type = parse_level(p, L_DOT);
        return d;
    }
    case TOK_ASSERT: advance(p); return parse_assert(p, &t);
    case TOK_PRINT: {
        if (p->timed)
            error_at(p, &t, "print inside a Timed section: FDR allows it at "
                            "the top level only");
        advance(p);
        Decl *d = decl_new(p, D_PRINT, &t);
        d->body = parse_expr(p);
        return d;
    }
    case TOK_TRANSPARENT: case TOK_EXTERNAL: {
        advance(p);
        Decl *d = decl_new(p, D_LIBRARY, &t);
        List names = {0};
        do {
            if (check(p, TOK_IDENT))
                list_add(p, &names, (void *)copy_text(p, &p->tok));
            expect(p, TOK_IDENT, "a name");
        } while (accept(p, TOK_COMMA));
        d->names = (const char **)names.items;
        d->nnames = names.count;
        return d;
    }
    case TOK_MODULE: advance(p); return parse_module(p, &t);
    case TOK_INSTANCE: {
        advance(p);
        Decl *d = decl_new(p, D_INSTANCE, &t);
        if (check(p, TOK_IDENT))
            d->name = copy_text(p, &p->tok);
        expect(p, TOK_IDENT, "an instance name");
        expect(p, TOK_EQ, "'='");
        d->body = parse_level(p, L_POSTFIX);
        return d;
    }
    default:
        return parse_def(p, &t);
    }
}

/* Whether the declarations of this list end here. */
static int decls_end(const Parser *p)
{
    return check(p, TOK_EOF) || check(p, TOK_EXPORTS) ||
           check(p, TOK_ENDMODULE) || (p->timed && check(p, TOK_RBRACE));
}

/* timed -> 'Timed' [ '(' expr ')' ] '{' {decl} '}'. A D_TIMED declaration
 * holding the event-time function, then the section's declarations in the
 * same list (they are ordinary definitions of the file), every expression
 * in them marked with the section: FDR's translation is lexical. */
static void parse_timed(Parser *p, List *decls, const Token *at)
{
    Decl *d = decl_new(p, D_TIMED, at);
    if (accept(p, TOK_LPAREN)) { /* without: every event takes one tock */
        d->body = parse_expr(p);
        expect(p, TOK_RPAREN, "')'");
    }
    expect(p, TOK_LBRACE, "'{' (or '(' and the event-time function)");
    if (p->panic)
        return;
    list_add(p, decls, d);
    const Decl *outer = p->timed; /* nested: the inner section's et */
    p->timed = d;
    parse_into(p, decls);
    p->timed = outer;
    expect(p, TOK_RBRACE, "'}' closing the Timed section");
}

static void parse_into(Parser *p, List *decls)
{
    while (!decls_end(p)) {
        Token t = p->tok;
        if (t.kind == TOK_INCLUDE) {
            advance(p);
            parse_include(p, decls, &t);
        } else if (t.kind == TOK_TIMED) {
            advance(p);
            parse_timed(p, decls, &t);
        } else {
            Decl *d = parse_decl(p);
            if (d && !p->panic)
                list_add(p, decls, d);
        }
        if (p->panic || (!decls_end(p) && !(p->tok.line_start) &&
                         p->tok.kind != TOK_ERROR)) {
            if (!p->panic) {
                char buf[64];
                error_at(p, &p->tok, "unexpected %s after the declaration "
                                     "(a new declaration starts on a new "
                                     "line)",
                         tok_text(&p->tok, buf, sizeof buf));
            }
            synchronise(p);
        }
    }
}

/* The first Timed section of a list (modules included), or NULL. */
static const Decl *first_timed(Decl **decls, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const Decl *t = decls[i]->kind == D_TIMED ? decls[i]
                        : decls[i]->kind == D_MODULE
                            ? first_timed(decls[i]->decls, decls[i]->ndecls)
                            : NULL;
        if (t)
            return t;
    }
    return NULL;
}

/* FDR: a file with a Timed section declares the event tock, unless the
 * file declares it itself (a channel without fields of that name). */
static void declare_tock(Parser *p, List *decls)
{
    const Decl *t = first_timed((Decl **)decls->items, decls->count);
    if (!t)
        return;
    for (size_t i = 0; i < decls->count; i++) {
        const Decl *d = decls->items[i];
        for (size_t k = 0; d->kind == D_CHANNEL && k < d->nnames; k++)
            if (!strcmp(d->names[k], "tock"))
                return;
    }
    Decl *d = decl_new(p, D_CHANNEL, &p->tok);
    d->pos = t->pos;
    d->names = alloc(p, sizeof *d->names);
    d->names[0] = "tock";
    d->nnames = 1;
    list_add(p, decls, d);
}

static Module *parse_text(const char *name, const char *text, size_t len,
                          Arena *arena, Diags *diags)
{
    jmp_buf oom;
    const char *chain[MAX_INCLUDE_DEPTH + 1];
    Parser p = {.arena = arena, .diags = diags, .includes = chain,
                .out_of_memory = &oom, .decl_col = 1};
    if (setjmp(oom))
        return NULL;
    p.file = arena_strdup(arena, name);
    if (!p.file)
        return NULL;
    chain[p.include_depth++] = p.file;
    lex_init(&p.lx, text, len);
    advance(&p);
    List decls = {0};
    parse_into(&p, &decls);
    while (!check(&p, TOK_EOF)) { /* exports or endmodule outside a module */
        char buf[64];
        error_at(&p, &p.tok, "%s outside a module",
                 tok_text(&p.tok, buf, sizeof buf));
        advance(&p);
        parse_into(&p, &decls);
    }
    declare_tock(&p, &decls);
    Module *m = alloc(&p, sizeof *m);
    m->decls = (Decl **)decls.items;
    m->ndecls = decls.count;
    return m;
}

Module *parse_string(const char *name, const char *text, Arena *arena,
                     Diags *diags)
{
    return parse_text(name, text, strlen(text), arena, diags);
}

Module *parse_file(const char *path, Arena *arena, Diags *diags)
{
    char *data;
    size_t len;
    const char *why = read_source(path, &data, &len);
    if (why == out_of_memory)
        return NULL;
    if (why) {
        diags_error(diags, ((SrcPos){path, 0, 0}), "cannot read: %s", why);
        return arena_alloc(arena, sizeof(Module));
    }
    /* Tokens point into the text, so it lives in the arena. */
    char *text = arena_strndup(arena, data, len);
    mem_free(data);
    if (!text)
        return NULL;
    return parse_text(path, text, len, arena, diags);
}

Expr *parse_expression(const char *name, const char *text, Arena *arena,
                       Diags *diags)
{
    jmp_buf oom;
    const char *chain[1];
    Parser p = {.arena = arena, .diags = diags, .includes = chain,
                .out_of_memory = &oom};
    if (setjmp(oom))
        return NULL;
    p.file = arena_strdup(arena, name);
    char *copy = arena_strdup(arena, text);
    if (!p.file || !copy)
        return NULL;
    lex_init(&p.lx, copy, strlen(copy));
    advance(&p);
    Expr *e = parse_expr(&p);
    if (!check(&p, TOK_EOF)) {
        char buf[64];
        error_at(&p, &p.tok, "unexpected %s after the expression",
                 tok_text(&p.tok, buf, sizeof buf));
    }
    return diags_errors(diags) ? NULL : e;
}
