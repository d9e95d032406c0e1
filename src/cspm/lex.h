/* lex: the CSPM lexer. Turns a source buffer into tokens with positions
 * (line and column, 1-based). Comments (`--` to end of line, nested
 * `{- -}`) and white space are skipped; bytes that are not UTF-8 are fine
 * inside comments and strings. A malformed token (an unterminated string or
 * comment, a stray character) comes back as TOK_ERROR with a message: the
 * lexer never prints and never stops the parser (clox's scanner).
 */
#ifndef LOCKSTEP_LEX_H
#define LOCKSTEP_LEX_H

#include <stddef.h>

typedef enum TokKind {
    TOK_EOF, TOK_ERROR,
    TOK_IDENT, TOK_INT, TOK_STRING, TOK_CHAR,
    /* keywords */
    TOK_CHANNEL, TOK_DATATYPE, TOK_SUBTYPE, TOK_NAMETYPE, TOK_ASSERT,
    TOK_NOT, TOK_AND, TOK_OR, TOK_IF, TOK_THEN, TOK_ELSE, TOK_LET,
    TOK_WITHIN, TOK_TRUE, TOK_FALSE, TOK_INCLUDE, TOK_PRINT, TOK_MODULE,
    TOK_EXPORTS, TOK_ENDMODULE, TOK_INSTANCE, TOK_TRANSPARENT, TOK_EXTERNAL,
    TOK_TIMED,
    /* punctuation */
    TOK_LPAREN, TOK_RPAREN, TOK_LBRACE, TOK_RBRACE, TOK_LBRACKET,
    TOK_RBRACKET, TOK_COMMA, TOK_DOT, TOK_DOTDOT, TOK_COLON, TOK_COLONCOLON,
    TOK_EQ, TOK_EQEQ, TOK_NE, TOK_LT, TOK_LE, TOK_GT, TOK_GE, TOK_PLUS,
    TOK_MINUS, TOK_STAR, TOK_SLASH, TOK_PERCENT, TOK_HASH, TOK_CARET,
    TOK_ARROW, TOK_LARROW, TOK_AMP, TOK_QUESTION, TOK_BANG, TOK_DOLLAR,
    TOK_AT, TOK_ATAT, TOK_BACKSLASH, TOK_BAR, TOK_UNDERSCORE, TOK_FATARROW,
    TOK_SEMI,
    /* process operators */
    TOK_EXTCHOICE,      /* [] */
    TOK_INTCHOICE,      /* |~| */
    TOK_INTERLEAVE,     /* ||| */
    TOK_PARALLEL,       /* || */
    TOK_LSYNC,          /* [| */
    TOK_RSYNC,          /* |] */
    TOK_REXCEPT,        /* |> */
    TOK_LRENAME,        /* [[ */
    TOK_RRENAME,        /* ]] */
    TOK_LINK,           /* <-> */
    TOK_INTERRUPT,      /* /\ */
    TOK_SLIDE,          /* [> */
    TOK_LSYNCEXT,       /* [+ */
    TOK_RSYNCEXT,       /* +] */
    TOK_LSYNCINT,       /* /+ */
    TOK_RSYNCINT,       /* +\ */
    TOK_PROJECT,        /* |\ */
    TOK_LEVENTS,        /* {| */
    TOK_REVENTS,        /* |} */
    TOK_LMAP,           /* (| */
    TOK_RMAP,           /* |) */
    TOK_REFINE_T,       /* [T= */
    TOK_REFINE_F,       /* [F= */
    TOK_REFINE_FD,      /* [FD= */
    TOK_REFINE_OTHER,   /* [V= [R= [VD= [RD= (parsed, not checked) */
    TOK_COLONBRACKET,   /* :[ */
    TOK_KIND_COUNT
} TokKind;

typedef struct Token {
    TokKind kind;
    const char *start;  /* into the source; not NUL-terminated */
    size_t len;
    int line, col;
    int line_start;     /* 1 when first on its line */
    const char *error;  /* TOK_ERROR: what is wrong */
} Token;

typedef struct Lexer {
    const char *src, *cur, *end;
    int line;
    const char *line_begin;
    int at_line_start;
} Lexer;

void lex_init(Lexer *lx, const char *src, size_t len);
Token lex_next(Lexer *lx);
/* A short printable name for a token kind ("'->'", "identifier"). */
const char *lex_kind_name(TokKind kind);

#endif
