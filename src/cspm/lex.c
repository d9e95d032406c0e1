/* lex: CSPM tokens. See lex.h. Longest match over a fixed table of
 * punctuation; identifiers may contain letters, digits, '_' and a trailing
 * run of primes ('). */
#include "lex.h"

#include <ctype.h>
#include <string.h>

typedef struct Punct {
    const char *text;
    TokKind kind;
} Punct;

/* Longest first, so the first match is the longest. */
static const Punct puncts[] = {
    {"[FD=", TOK_REFINE_FD}, {"[T=", TOK_REFINE_T}, {"[F=", TOK_REFINE_F},
    {"[VD=", TOK_REFINE_OTHER}, {"[RD=", TOK_REFINE_OTHER},
    {"[R=", TOK_REFINE_OTHER}, {"[V=", TOK_REFINE_OTHER},
    {"|~|", TOK_INTCHOICE}, {"|||", TOK_INTERLEAVE}, {"<->", TOK_LINK},
    {"[]", TOK_EXTCHOICE}, {"[|", TOK_LSYNC}, {"|]", TOK_RSYNC},
    {"|>", TOK_REXCEPT}, {"[[", TOK_LRENAME}, {"]]", TOK_RRENAME},
    {"/\\", TOK_INTERRUPT}, {"[>", TOK_SLIDE}, {"[+", TOK_LSYNCEXT},
    {"+]", TOK_RSYNCEXT}, {"/+", TOK_LSYNCINT}, {"+\\", TOK_RSYNCINT},
    {"|\\", TOK_PROJECT}, {"{|", TOK_LEVENTS}, {"|}", TOK_REVENTS},
    {"(|", TOK_LMAP}, {"|)", TOK_RMAP}, {":[", TOK_COLONBRACKET},
    {"||", TOK_PARALLEL}, {"..", TOK_DOTDOT}, {"::", TOK_COLONCOLON},
    {"==", TOK_EQEQ}, {"!=", TOK_NE}, {"<=", TOK_LE}, {">=", TOK_GE},
    {"->", TOK_ARROW}, {"<-", TOK_LARROW}, {"@@", TOK_ATAT},
    {"=>", TOK_FATARROW},
    {"(", TOK_LPAREN}, {")", TOK_RPAREN}, {"{", TOK_LBRACE},
    {"}", TOK_RBRACE}, {"[", TOK_LBRACKET}, {"]", TOK_RBRACKET},
    {",", TOK_COMMA}, {".", TOK_DOT}, {":", TOK_COLON}, {"=", TOK_EQ},
    {"<", TOK_LT}, {">", TOK_GT}, {"+", TOK_PLUS}, {"-", TOK_MINUS},
    {"*", TOK_STAR}, {"/", TOK_SLASH}, {"%", TOK_PERCENT}, {"#", TOK_HASH},
    {"^", TOK_CARET}, {"&", TOK_AMP}, {"?", TOK_QUESTION}, {"!", TOK_BANG},
    {"$", TOK_DOLLAR}, {"@", TOK_AT}, {"\\", TOK_BACKSLASH}, {"|", TOK_BAR},
    {";", TOK_SEMI},
};

static const struct {
    const char *word;
    TokKind kind;
} keywords[] = {
    {"channel", TOK_CHANNEL}, {"datatype", TOK_DATATYPE},
    {"subtype", TOK_SUBTYPE}, {"nametype", TOK_NAMETYPE},
    {"assert", TOK_ASSERT}, {"not", TOK_NOT}, {"and", TOK_AND},
    {"or", TOK_OR}, {"if", TOK_IF}, {"then", TOK_THEN}, {"else", TOK_ELSE},
    {"let", TOK_LET}, {"within", TOK_WITHIN}, {"true", TOK_TRUE},
    {"false", TOK_FALSE}, {"include", TOK_INCLUDE}, {"print", TOK_PRINT},
    {"module", TOK_MODULE}, {"exports", TOK_EXPORTS},
    {"endmodule", TOK_ENDMODULE}, {"instance", TOK_INSTANCE},
    {"transparent", TOK_TRANSPARENT}, {"external", TOK_EXTERNAL},
    {"Timed", TOK_TIMED},
};

void lex_init(Lexer *lx, const char *src, size_t len)
{
    lx->src = lx->cur = lx->line_begin = src;
    lx->end = src + len;
    lx->line = 1;
    lx->at_line_start = 1;
}

static Token make(Lexer *lx, TokKind kind, const char *start, int line,
                  int col, int line_start)
{
    Token t = {kind, start, (size_t)(lx->cur - start), line, col,
               line_start, NULL};
    return t;
}

static void newline(Lexer *lx)
{
    lx->line++;
    lx->line_begin = lx->cur;
    lx->at_line_start = 1;
}

/* Skips blanks and comments; returns an error message for an unterminated
 * block comment, else NULL. */
static const char *skip_space(Lexer *lx, int *line, int *col)
{
    while (lx->cur < lx->end) {
        char c = *lx->cur;
        if (c == '\n') {
            lx->cur++;
            newline(lx);
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
            lx->cur++;
        } else if (c == '-' && lx->cur + 1 < lx->end && lx->cur[1] == '-') {
            while (lx->cur < lx->end && *lx->cur != '\n')
                lx->cur++;
        } else if (c == '{' && lx->cur + 1 < lx->end && lx->cur[1] == '-') {
            *line = lx->line;
            *col = (int)(lx->cur - lx->line_begin) + 1;
            int depth = 0;
            do {
                if (lx->cur + 1 < lx->end && lx->cur[0] == '{' &&
                    lx->cur[1] == '-') {
                    depth++;
                    lx->cur += 2;
                } else if (lx->cur + 1 < lx->end && lx->cur[0] == '-' &&
                           lx->cur[1] == '}') {
                    depth--;
                    lx->cur += 2;
                } else if (*lx->cur++ == '\n') {
                    newline(lx);
                }
            } while (depth > 0 && lx->cur < lx->end);
            if (depth > 0)
                return "unterminated comment: '{-' without '-}'";
        } else {
            break;
        }
    }
    return NULL;
}

static Token lex_quoted(Lexer *lx, char quote, int line, int col, int first)
{
    const char *start = lx->cur++;
    while (lx->cur < lx->end && *lx->cur != quote && *lx->cur != '\n') {
        if (*lx->cur == '\\' && lx->cur + 1 < lx->end)
            lx->cur++;
        lx->cur++;
    }
    if (lx->cur >= lx->end || *lx->cur != quote) {
        Token t = make(lx, TOK_ERROR, start, line, col, first);
        t.error = quote == '"' ? "unterminated string" : "unterminated character";
        return t;
    }
    lx->cur++;
    return make(lx, quote == '"' ? TOK_STRING : TOK_CHAR, start, line, col,
                first);
}

static Token lex_word(Lexer *lx, int line, int col, int first)
{
    const char *start = lx->cur;
    while (lx->cur < lx->end &&
           (isalnum((unsigned char)*lx->cur) || *lx->cur == '_'))
        lx->cur++;
    while (lx->cur < lx->end && *lx->cur == '\'')
        lx->cur++;
    size_t n = (size_t)(lx->cur - start);
    if (n == 1 && *start == '_')
        return make(lx, TOK_UNDERSCORE, start, line, col, first);
    for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
        if (strlen(keywords[i].word) == n &&
            !memcmp(keywords[i].word, start, n))
            return make(lx, keywords[i].kind, start, line, col, first);
    return make(lx, TOK_IDENT, start, line, col, first);
}

Token lex_next(Lexer *lx)
{
    int line = 0, col = 0;
    const char *err = skip_space(lx, &line, &col);
    int first = lx->at_line_start;
    if (err) {
        Token t = make(lx, TOK_ERROR, lx->cur, line, col, first);
        t.error = err;
        return t;
    }
    line = lx->line;
    col = (int)(lx->cur - lx->line_begin) + 1;
    lx->at_line_start = 0;
    if (lx->cur >= lx->end)
        return make(lx, TOK_EOF, lx->cur, line, col, first);
    unsigned char c = (unsigned char)*lx->cur;
    if (isdigit(c)) {
        const char *start = lx->cur;
        while (lx->cur < lx->end && isdigit((unsigned char)*lx->cur))
            lx->cur++;
        return make(lx, TOK_INT, start, line, col, first);
    }
    if (isalpha(c) || c == '_')
        return lex_word(lx, line, col, first);
    if (c == '"' || c == '\'')
        return lex_quoted(lx, (char)c, line, col, first);
    size_t left = (size_t)(lx->end - lx->cur);
    /* "(|||", "(||" and "(|~|" start a parenthesised operator, not a map */
    if (left >= 3 && (!memcmp(lx->cur, "(||", 3) ||
                      (left >= 4 && !memcmp(lx->cur, "(|~|", 4)))) {
        const char *start = lx->cur++;
        return make(lx, TOK_LPAREN, start, line, col, first);
    }
    for (size_t i = 0; i < sizeof puncts / sizeof *puncts; i++) {
        size_t n = strlen(puncts[i].text);
        if (n <= left && !memcmp(puncts[i].text, lx->cur, n)) {
            const char *start = lx->cur;
            lx->cur += n;
            return make(lx, puncts[i].kind, start, line, col, first);
        }
    }
    const char *start = lx->cur++;
    /* skip the rest of a UTF-8 sequence so the column stays sensible */
    while (lx->cur < lx->end && ((unsigned char)*lx->cur & 0xC0) == 0x80)
        lx->cur++;
    Token t = make(lx, TOK_ERROR, start, line, col, first);
    t.error = "unexpected character";
    return t;
}

const char *lex_kind_name(TokKind kind)
{
    switch (kind) {
    case TOK_EOF: return "end of file";
    case TOK_ERROR: return "invalid token";
    case TOK_IDENT: return "a name";
    case TOK_INT: return "a number";
    case TOK_STRING: return "a string";
    case TOK_CHAR: return "a character";
    default: break;
    }
    for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
        if (keywords[i].kind == kind)
            return keywords[i].word;
    for (size_t i = 0; i < sizeof puncts / sizeof *puncts; i++)
        if (puncts[i].kind == kind)
            return puncts[i].text;
    return "?";
}
