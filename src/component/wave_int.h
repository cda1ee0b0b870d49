/*
 * The WAVE lexer and the parser state shared by the value parser
 * (wave_parse.c) and the function-call parser (wave_call.c).
 *
 * Tokens follow wasm-wave's lexer (lex.rs): longest match, whitespace and
 * // comments between tokens. A string or char token is only delimited
 * here (its escapes checked for form); wg__wave_string / wg__wave_char
 * decode it when the parser wants its value.
 */
#ifndef WG_COMPONENT_WAVE_INT_H
#define WG_COMPONENT_WAVE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "component/wave.h"

typedef enum wg_wtok {
    WG_WT_EOF = 0,
    WG_WT_LBRACE, WG_WT_RBRACE, WG_WT_LPAREN, WG_WT_RPAREN, WG_WT_LBRACKET, WG_WT_RBRACKET,
    WG_WT_COLON, WG_WT_COMMA,
    WG_WT_NUMBER,    /* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][-+]?[0-9]+)? or -inf */
    WG_WT_LABEL,     /* %?label: a label or a keyword */
    WG_WT_CHAR,      /* '...' */
    WG_WT_STRING,    /* "..." */
    WG_WT_MLSTRING,  /* """...""" */
    WG_WT_BAD,       /* not a token: the parser reports `bad` */
} wg_wtok;

typedef struct wg_wtoken {
    wg_wtok kind;
    size_t start, end;     /* byte range in the text */
    const char *bad;       /* WG_WT_BAD: what is wrong (static text) */
    size_t bad_at, bad_len;/* WG_WT_BAD: where exactly */
} wg_wtoken;

typedef struct wg_wparser {
    const char *s;
    size_t n;
    size_t pos;            /* where the next token is lexed from */
    bool peeked;
    wg_wtoken tok;         /* the peeked token, when peeked */
    wg_wave_error *err;
    bool failed;           /* err holds the first error */
} wg_wparser;

/* Starts a parser on text[0..n): false (err filled) if it is not UTF-8. */
bool wg__wave_begin(wg_wparser *p, const char *s, size_t n, wg_wave_error *err);

/* The next token without consuming it. */
const wg_wtoken *wg__wave_peek(wg_wparser *p);
/* Consumes and returns the next token. */
wg_wtoken wg__wave_next(wg_wparser *p);

/* Records the first error (later ones are dropped); returns false. */
bool wg__wave_fail(wg_wparser *p, size_t at, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "expected WHAT, found TOKEN" at tok (a WG_WT_BAD token reports its own
 * reason instead). */
bool wg__wave_unexpected(wg_wparser *p, const wg_wtoken *tok, const char *what);
/* Writes a short description of tok ("`)`", "end of input", "`\"ab...`"). */
void wg__wave_describe(const wg_wparser *p, const wg_wtoken *tok, char *buf, size_t size);

/* A label token's text without its % prefix, and whether it had one. */
static inline const char *wg__wave_label(const wg_wparser *p, const wg_wtoken *t, size_t *len,
                                         bool *percent) {
    const char *s = p->s + t->start;
    *len = t->end - t->start;
    *percent = *len > 0 && s[0] == '%';
    if (*percent) {
        s++;
        (*len)--;
    }
    return s;
}

/* Whether s[0..n) is a WAVE keyword (true false some none ok err inf nan). */
bool wg__wave_is_keyword(const char *s, size_t n);
/* Whether tok is the unprefixed keyword kw. */
bool wg__wave_is(const wg_wparser *p, const wg_wtoken *tok, const char *kw);

/* Decodes a char token into *cp. */
bool wg__wave_char(wg_wparser *p, const wg_wtoken *tok, uint32_t *cp);
/* Decodes a string or multi-line string token into a malloc'd buffer. */
bool wg__wave_string(wg_wparser *p, const wg_wtoken *tok, char **data, size_t *len);

/* Requires the end of the input (only whitespace and comments left). */
bool wg__wave_end(wg_wparser *p);

/* The typed value parser (wave_parse.c), for the call parser. */
bool wg__wave_value(wg_wparser *p, const wg_ctype *t, wg_cval *out, unsigned depth);

/* A short name for a type in messages ("u8", "list", "record", ...). */
const char *wg__wave_type_name(const wg_ctype *t);

#endif
