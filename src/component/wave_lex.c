/*
 * The WAVE lexer (wave_int.h): tokens as wasm-wave's logos lexer makes
 * them (longest match), errors with the byte offset of the bad character,
 * and the decoding of char and string tokens (escapes, multi-line strings).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/utf.h"
#include "component/wave_int.h"

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

/* The length of the UTF-8 sequence starting with byte b (input is valid). */
static size_t utf8_len(unsigned char b) {
    return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

bool wg__wave_fail(wg_wparser *p, size_t at, size_t len, const char *fmt, ...) {
    if (p->failed) return false;
    p->failed = true;
    if (!p->err) return false;
    p->err->column = at;
    p->err->len = len;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
    va_end(ap);
    return false;
}

bool wg__wave_begin(wg_wparser *p, const char *s, size_t n, wg_wave_error *err) {
    memset(p, 0, sizeof *p);
    p->s = s;
    p->n = n;
    p->err = err;
    if (err) memset(err, 0, sizeof *err);
    size_t good;
    uint32_t bad_len;
    if (n && !wg__utf8_validate((const uint8_t *)s, n, &good, &bad_len))
        return wg__wave_fail(p, good, bad_len ? bad_len : n - good, "invalid UTF-8");
    return true;
}

/* Skips whitespace (space, tab, LF, CR) and // comments. */
static void skip_blank(wg_wparser *p) {
    while (p->pos < p->n) {
        char c = p->s[p->pos];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            p->pos++;
        } else if (c == '/' && p->pos + 1 < p->n && p->s[p->pos + 1] == '/') {
            while (p->pos < p->n && p->s[p->pos] != '\n') p->pos++;
        } else {
            break;
        }
    }
}

static wg_wtoken bad(size_t start, size_t at, size_t len, const char *why) {
    wg_wtoken t = {WG_WT_BAD, start, at + len, why, at, len};
    return t;
}

/* The end of the escape at s[i] == '\\', or 0 if it is not one of
 * \' \" \\ \t \n \r \u{1-6 hex}. */
static size_t escape_end(const char *s, size_t n, size_t i) {
    if (i + 1 >= n) return 0;
    switch (s[i + 1]) {
    case '\'': case '"': case '\\': case 't': case 'n': case 'r':
        return i + 2;
    case 'u': {
        size_t j = i + 2;
        if (j >= n || s[j] != '{') return 0;
        j++;
        size_t digits = 0;
        while (j < n && is_hex(s[j]) && digits < 7) {
            j++;
            digits++;
        }
        if (digits == 0 || digits > 6 || j >= n || s[j] != '}') return 0;
        return j + 1;
    }
    default:
        return 0;
    }
}

static const char bad_escape[] =
    "invalid escape: expected \\', \\\", \\\\, \\t, \\n, \\r or \\u{hex}";

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)? or -inf, at s[i]. */
static wg_wtoken lex_number(const wg_wparser *p, size_t i) {
    const char *s = p->s;
    size_t n = p->n, start = i;
    if (s[i] == '-') {
        i++;
        if (i + 3 <= n && memcmp(s + i, "inf", 3) == 0) {
            wg_wtoken t = {WG_WT_NUMBER, start, i + 3, NULL, 0, 0};
            return t;
        }
        if (i >= n || !is_digit(s[i])) return bad(start, start, 1, "invalid token: `-` needs digits or inf after it");
    }
    if (s[i] == '0') {
        i++;
    } else {
        while (i < n && is_digit(s[i])) i++;
    }
    if (i + 1 < n && s[i] == '.' && is_digit(s[i + 1])) {
        i += 2;
        while (i < n && is_digit(s[i])) i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (s[j] == '+' || s[j] == '-')) j++;
        if (j < n && is_digit(s[j])) {
            while (j < n && is_digit(s[j])) j++;
            i = j;
        }
    }
    wg_wtoken t = {WG_WT_NUMBER, start, i, NULL, 0, 0};
    return t;
}

/* The length of [a-z0-9]* or [A-Z0-9]* at s[i], whichever is longer. */
static size_t word_len(const char *s, size_t n, size_t i) {
    size_t lo = 0, up = 0;
    while (i + lo < n && (is_lower(s[i + lo]) || is_digit(s[i + lo]))) lo++;
    while (i + up < n && (is_upper(s[i + up]) || is_digit(s[i + up]))) up++;
    return lo > up ? lo : up;
}

/* %?([a-z][a-z0-9]*|[A-Z][A-Z0-9]*)(-([a-z0-9]+|[A-Z0-9]+))* at s[i]. */
static wg_wtoken lex_label(const wg_wparser *p, size_t i) {
    const char *s = p->s;
    size_t n = p->n, start = i;
    if (s[i] == '%') {
        i++;
        if (i >= n || !(is_lower(s[i]) || is_upper(s[i])))
            return bad(start, start, 1, "invalid token: `%` must be followed by a label");
    }
    bool lower = is_lower(s[i]);
    i++;
    while (i < n && (is_digit(s[i]) || (lower ? is_lower(s[i]) : is_upper(s[i])))) i++;
    while (i + 1 < n && s[i] == '-') {
        size_t w = word_len(s, n, i + 1);
        if (!w) break;
        i += 1 + w;
    }
    wg_wtoken t = {WG_WT_LABEL, start, i, NULL, 0, 0};
    return t;
}

/* '...' at s[i]: one character or one escape. */
static wg_wtoken lex_char(const wg_wparser *p, size_t i) {
    const char *s = p->s;
    size_t n = p->n, start = i;
    i++;
    if (i >= n) return bad(start, start, 1, "invalid token: unterminated char literal");
    if (s[i] == '\'') return bad(start, start, 2, "invalid token: empty char literal");
    if (s[i] == '\n') return bad(start, i, 1, "invalid token: line break in a char literal (write '\\n')");
    if (s[i] == '\\') {
        size_t e = escape_end(s, n, i);
        if (!e) return bad(start, i, 1, bad_escape);
        i = e;
    } else {
        i += utf8_len((unsigned char)s[i]);
    }
    if (i >= n || s[i] != '\'') {
        /* One more character before a quote: say why ('ab'), else unterminated. */
        size_t j = i;
        while (j < n && j < i + 16 && s[j] != '\'' && s[j] != '\n') j++;
        if (j < n && s[j] == '\'')
            return bad(start, start, j + 1 - start, "invalid token: a char literal holds one character");
        return bad(start, start, 1, "invalid token: unterminated char literal");
    }
    wg_wtoken t = {WG_WT_CHAR, start, i + 1, NULL, 0, 0};
    return t;
}

/* "..." or """...""" at s[i]. */
static wg_wtoken lex_string(const wg_wparser *p, size_t i) {
    const char *s = p->s;
    size_t n = p->n, start = i;
    if (i + 3 <= n && memcmp(s + i, "\"\"\"", 3) == 0) {
        /* Up to the next """, whatever comes between (wasm-wave does the
         * same: a """ inside must be broken up, even after a backslash). */
        const char *end = NULL;
        for (size_t j = i + 3; j + 3 <= n; j++) {
            if (memcmp(s + j, "\"\"\"", 3) == 0) {
                end = s + j;
                break;
            }
        }
        if (!end) return bad(start, start, 3, "invalid token: unterminated multi-line string");
        wg_wtoken t = {WG_WT_MLSTRING, start, (size_t)(end - s) + 3, NULL, 0, 0};
        return t;
    }
    i++;
    for (;;) {
        if (i >= n) return bad(start, start, 1, "invalid token: unterminated string");
        char c = s[i];
        if (c == '"') break;
        if (c == '\n')
            return bad(start, i, 1, "invalid token: line break in a string (write \\n, or use a \"\"\" multi-line string)");
        if (c == '\\') {
            size_t e = escape_end(s, n, i);
            if (!e) return bad(start, i, 1, bad_escape);
            i = e;
        } else {
            i++;
        }
    }
    wg_wtoken t = {WG_WT_STRING, start, i + 1, NULL, 0, 0};
    return t;
}

static wg_wtoken lex(wg_wparser *p) {
    skip_blank(p);
    size_t i = p->pos;
    if (i >= p->n) {
        wg_wtoken t = {WG_WT_EOF, i, i, NULL, 0, 0};
        return t;
    }
    wg_wtoken t = {WG_WT_EOF, i, i + 1, NULL, 0, 0};
    char c = p->s[i];
    switch (c) {
    case '{': t.kind = WG_WT_LBRACE; return t;
    case '}': t.kind = WG_WT_RBRACE; return t;
    case '(': t.kind = WG_WT_LPAREN; return t;
    case ')': t.kind = WG_WT_RPAREN; return t;
    case '[': t.kind = WG_WT_LBRACKET; return t;
    case ']': t.kind = WG_WT_RBRACKET; return t;
    case ':': t.kind = WG_WT_COLON; return t;
    case ',': t.kind = WG_WT_COMMA; return t;
    case '\'': return lex_char(p, i);
    case '"': return lex_string(p, i);
    default: break;
    }
    if (c == '-' || is_digit(c)) return lex_number(p, i);
    if (c == '%' || is_lower(c) || is_upper(c)) return lex_label(p, i);
    if (c == '/') return bad(i, i, 1, "invalid token: `/` (a comment starts with //)");
    return bad(i, i, utf8_len((unsigned char)c), "invalid token: unexpected character");
}

const wg_wtoken *wg__wave_peek(wg_wparser *p) {
    if (!p->peeked) {
        p->tok = lex(p);
        p->peeked = true;
    }
    return &p->tok;
}

wg_wtoken wg__wave_next(wg_wparser *p) {
    wg_wtoken t = *wg__wave_peek(p);
    p->peeked = false;
    /* A bad token stays where it is: the parser stops at it anyway. */
    if (t.kind != WG_WT_BAD) p->pos = t.end;
    return t;
}

void wg__wave_describe(const wg_wparser *p, const wg_wtoken *tok, char *buf, size_t size) {
    if (tok->kind == WG_WT_EOF) {
        snprintf(buf, size, "end of input");
        return;
    }
    size_t len = tok->end - tok->start;
    const char *s = p->s + tok->start;
    /* A label cut short by a change of case (`True` lexes as `T`, as in
     * wasm-wave) is shown whole: that is what the user wrote. */
    if (tok->kind == WG_WT_LABEL)
        while (tok->start + len < p->n && (is_lower(s[len]) || is_upper(s[len]) || is_digit(s[len]) || s[len] == '-'))
            len++;
    const size_t max = 24;
    bool cut = false;
    if (len > max) {
        len = max;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80) len--;
        cut = true;
    }
    snprintf(buf, size, "`%.*s%s`", (int)len, s, cut ? "..." : "");
}

bool wg__wave_unexpected(wg_wparser *p, const wg_wtoken *tok, const char *what) {
    if (tok->kind == WG_WT_BAD) return wg__wave_fail(p, tok->bad_at, tok->bad_len, "%s", tok->bad);
    char found[64];
    wg__wave_describe(p, tok, found, sizeof found);
    return wg__wave_fail(p, tok->start, tok->end - tok->start, "expected %s, found %s", what, found);
}

bool wg__wave_is_keyword(const char *s, size_t n) {
    static const char *const kws[] = {"true", "false", "some", "none", "ok", "err", "inf", "nan"};
    for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
        if (strlen(kws[i]) == n && memcmp(kws[i], s, n) == 0) return true;
    return false;
}

bool wg__wave_is(const wg_wparser *p, const wg_wtoken *tok, const char *kw) {
    size_t n = strlen(kw);
    return tok->kind == WG_WT_LABEL && tok->end - tok->start == n && memcmp(p->s + tok->start, kw, n) == 0;
}

bool wg__wave_end(wg_wparser *p) {
    const wg_wtoken *t = wg__wave_peek(p);
    if (t->kind == WG_WT_EOF) return true;
    if (t->kind == WG_WT_BAD) return wg__wave_unexpected(p, t, "");
    char found[64];
    wg__wave_describe(p, t, found, sizeof found);
    return wg__wave_fail(p, t->start, t->end - t->start, "unexpected %s after the value", found);
}

/* ---- decoding chars and strings ---------------------------------------------------- */

/* Decodes the escape at s[i] (form checked by the lexer) into *cp; returns
 * its length, or 0 (error reported) for a \u{...} that is not a Unicode
 * scalar value. */
static size_t unescape(wg_wparser *p, size_t i, uint32_t *cp) {
    const char *s = p->s;
    switch (s[i + 1]) {
    case '\'': *cp = '\''; return 2;
    case '"': *cp = '"'; return 2;
    case '\\': *cp = '\\'; return 2;
    case 't': *cp = '\t'; return 2;
    case 'n': *cp = '\n'; return 2;
    case 'r': *cp = '\r'; return 2;
    case 'u': {
        uint32_t v = 0;
        size_t j = i + 3, digits = 0;
        while (j < p->n && is_hex(s[j]) && digits < 7) {
            char c = s[j];
            v = v << 4 | (uint32_t)(is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
            j++;
            digits++;
        }
        if (digits == 0 || digits > 6 || j >= p->n || s[j] != '}') {
            wg__wave_fail(p, i, 1, bad_escape);
            return 0;
        }
        if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
            wg__wave_fail(p, i, j + 1 - i,
                          "invalid character escape: %.*s is not a Unicode scalar value (a surrogate, "
                          "or above 10FFFF)", (int)(j + 1 - i), s + i);
            return 0;
        }
        *cp = v;
        return j + 1 - i;
    }
    default:
        wg__wave_fail(p, i, 1, bad_escape);
        return 0;
    }
}

bool wg__wave_char(wg_wparser *p, const wg_wtoken *tok, uint32_t *cp) {
    size_t i = tok->start + 1;
    if (p->s[i] == '\\') return unescape(p, i, cp) != 0;
    wg__utf8_decode((const uint8_t *)p->s + i, cp);
    return true;
}

/* Appends s[from..to) to out, decoding escapes. */
static bool decode_into(wg_wparser *p, size_t from, size_t to, char *out, size_t *len) {
    size_t i = from;
    while (i < to) {
        size_t j = i;
        while (j < to && p->s[j] != '\\') j++;
        memcpy(out + *len, p->s + i, j - i);
        *len += j - i;
        if (j >= to) break;
        uint32_t cp;
        size_t e = j + 1 < to ? unescape(p, j, &cp) : 0;
        if (e == 0 || j + e > to) {
            if (!p->failed) wg__wave_fail(p, j, 1, bad_escape);
            return false;
        }
        *len += wg__utf8_encode(cp, (uint8_t *)out + *len);
        i = j + e;
    }
    return true;
}

/* A multi-line string's contents s[from..to) (between the """s): wasm-wave's
 * strings.rs MultilineStringParts. */
static bool decode_multiline(wg_wparser *p, size_t from, size_t to, char *out, size_t *len) {
    const char *s = p->s;
    /* The closing line: only spaces, which are the indent. */
    size_t last = to;
    while (last > from && s[last - 1] != '\n') last--;
    for (size_t i = last; i < to; i++)
        if (s[i] != ' ')
            return wg__wave_fail(p, to, 3, "invalid multi-line string: the closing \"\"\" must be on a "
                                           "line of its own, after spaces only");
    size_t indent = to - last;
    size_t i = from;
    if (i < to && s[i] == '\r') i++;
    if (i >= to || s[i] != '\n' || last == from)
        return wg__wave_fail(p, from, 1, "invalid multi-line string: the opening \"\"\" must be followed "
                                         "by a line break");
    i++;
    /* Lines i..last-1, each ending with \n (the one before the closing line
     * is not part of the value). */
    bool first = true;
    while (i < last) {
        size_t eol = i;
        while (s[eol] != '\n') eol++;
        size_t line_end = eol;
        if (eol - i < indent || memcmp(s + i, s + last, indent) != 0) {
            /* s + last holds `indent` spaces: the indent itself. */
            return wg__wave_fail(p, i, 1, "invalid multi-line string: lines must be indented at least "
                                          "as much as the closing \"\"\"");
        }
        if (line_end > i + indent && s[line_end - 1] == '\r') line_end--;
        if (!first) out[(*len)++] = '\n';
        first = false;
        if (!decode_into(p, i + indent, line_end, out, len)) return false;
        i = eol + 1;
    }
    return true;
}

bool wg__wave_string(wg_wparser *p, const wg_wtoken *tok, char **data, size_t *len) {
    /* Escapes never decode to more bytes than they take (\u{10FFFF}: 10 -> 4). */
    size_t cap = tok->end - tok->start;
    char *out = malloc(cap ? cap : 1);
    *len = 0;
    if (!out) return wg__wave_fail(p, tok->start, 1, "out of memory");
    bool ok = tok->kind == WG_WT_MLSTRING
                  ? decode_multiline(p, tok->start + 3, tok->end - 3, out, len)
                  : decode_into(p, tok->start + 1, tok->end - 1, out, len);
    if (!ok) {
        free(out);
        *len = 0;
        return false;
    }
    *data = out;
    return true;
}
