/*
 * WAVE (src/component/wave*.c): the value parser with every error and its
 * column, the printer's exact text (as wasm-tools writes it), round trips
 * for every type, edge numbers, escapes, multi-line strings, nesting bounds,
 * huge inputs, and the function-call parser. Many cases follow wasm-wave's
 * own UI tests (crates/wasm-wave/tests/ui in wasm-tools), whose expected
 * outputs are the reference for the printed text.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cm_handmade.h"
#include "component/component_int.h"
#include "component/wave.h"
#include "wg_test.h"

/* ---- building types by hand ------------------------------------------------------- */

/* Every type a test builds, freed by tb_free at its end. */
typedef struct tb {
    void *ptrs[256];
    int n;
} tb;

static void *tb_alloc(tb *b, size_t size) {
    void *p = calloc(1, size);
    if (!p || b->n == 256) abort();
    b->ptrs[b->n++] = p;
    return p;
}

static void tb_free(tb *b) {
    for (int i = 0; i < b->n; i++) free(b->ptrs[i]);
    b->n = 0;
}

static const wg_ctype *ty(tb *b, wg_ctype_kind kind) {
    wg_ctype *t = tb_alloc(b, sizeof *t);
    t->kind = kind;
    return t;
}

static const wg_ctype *ty2(tb *b, wg_ctype_kind kind, const wg_ctype *e1, const wg_ctype *e2, uint32_t n) {
    wg_ctype *t = tb_alloc(b, sizeof *t);
    t->kind = kind;
    t->elem = e1;
    t->elem2 = e2;
    t->n = n;
    return t;
}

#define LIST(b, e) ty2((b), WG_CT_LIST, (e), NULL, 0)
#define FIXED(b, e, n) ty2((b), WG_CT_LIST, (e), NULL, (n))
#define OPTION(b, e) ty2((b), WG_CT_OPTION, (e), NULL, 0)
#define RESULT(b, ok, er) ty2((b), WG_CT_RESULT, (ok), (er), 0)
#define MAP(b, k, v) ty2((b), WG_CT_MAP, (k), (v), 0)

/* tuple: n types; record/variant: n (name, type) pairs. */
static const wg_ctype *fields(tb *b, wg_ctype_kind kind, int n, ...) {
    wg_ctype *t = tb_alloc(b, sizeof *t);
    wg_cfield *f = tb_alloc(b, (size_t)(n ? n : 1) * sizeof *f);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        if (kind != WG_CT_TUPLE) f[i].name = va_arg(ap, const char *);
        f[i].type = va_arg(ap, const wg_ctype *);
    }
    va_end(ap);
    t->kind = kind;
    t->n = (uint32_t)n;
    t->fields = f;
    return t;
}

/* enum / flags: n labels. */
static const wg_ctype *labels(tb *b, wg_ctype_kind kind, int n, ...) {
    wg_ctype *t = tb_alloc(b, sizeof *t);
    const char **l = tb_alloc(b, (size_t)n * sizeof *l);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) l[i] = va_arg(ap, const char *);
    va_end(ap);
    t->kind = kind;
    t->n = (uint32_t)n;
    t->labels = l;
    return t;
}

/* ---- checks ------------------------------------------------------------------------ */

/* Parses text as t; it must print as want, and want must parse back to an
 * equal value that prints the same (a round trip). */
static void accepts_at(int line, const wg_ctype *t, const char *text, const char *want) {
    wg_cval v, w;
    wg_wave_error err;
    char m[600];
    if (!wg__wave_parse(text, strlen(text), t, &v, &err)) {
        snprintf(m, sizeof m, "parse %s: column %zu: %s", text, err.column, err.message);
        wg_test_fail(__FILE__, line, m);
        return;
    }
    char *s = wg__wave_to_string(&v, t, NULL);
    if (!s || strcmp(s, want) != 0) {
        snprintf(m, sizeof m, "%s printed as %s, wanted %s", text, s ? s : "(null)", want);
        wg_test_fail(__FILE__, line, m);
    } else if (!wg__wave_parse(s, strlen(s), t, &w, &err)) {
        snprintf(m, sizeof m, "printed %s does not parse: %s", s, err.message);
        wg_test_fail(__FILE__, line, m);
    } else {
        if (!wg_cval_equal(&v, &w)) {
            snprintf(m, sizeof m, "%s does not round-trip through %s", text, s);
            wg_test_fail(__FILE__, line, m);
        }
        wg_cval_free(&w);
    }
    free(s);
    wg_cval_free(&v);
}
#define ACCEPTS(t, text, want) accepts_at(__LINE__, (t), (text), (want))

/* Parsing text as t must fail at column col with a message containing msg. */
static void rejects_at(int line, const wg_ctype *t, const char *text, size_t len, size_t col, const char *msg) {
    wg_cval v;
    wg_wave_error err;
    char m[700];
    if (wg__wave_parse(text, len, t, &v, &err)) {
        char *s = wg__wave_to_string(&v, t, NULL);
        snprintf(m, sizeof m, "%s was accepted (as %s); wanted an error at %zu: %s", text, s ? s : "?", col, msg);
        wg_test_fail(__FILE__, line, m);
        free(s);
        wg_cval_free(&v);
        return;
    }
    if (err.column != col || !strstr(err.message, msg)) {
        snprintf(m, sizeof m, "%s: error at %zu \"%s\", wanted at %zu \"%s\"", text, err.column, err.message,
                 col, msg);
        wg_test_fail(__FILE__, line, m);
    }
    CHECK(v.kind == WG_CV_BOOL);
}
#define REJECTS(t, text, col, msg) rejects_at(__LINE__, (t), (text), strlen(text), (col), (msg))

/* ---- leaves ------------------------------------------------------------------------- */

WG_TEST(wave_bools) {
    tb b = {0};
    const wg_ctype *t = ty(&b, WG_CT_BOOL);
    ACCEPTS(t, "true", "true");
    ACCEPTS(t, "  false\n", "false");
    ACCEPTS(t, "// a comment\ntrue // another", "true");
    REJECTS(t, "True", 0, "expected bool (true or false), found `True`"); /* the token is `T` */
    REJECTS(t, "%true", 0, "expected bool");
    REJECTS(t, "1", 0, "expected bool");
    REJECTS(t, "", 0, "found end of input");
    REJECTS(t, "true false", 5, "unexpected `false` after the value");
    REJECTS(t, "true /", 5, "`/`");
    tb_free(&b);
}

WG_TEST(wave_integers) {
    tb b = {0};
    const wg_ctype *u8 = ty(&b, WG_CT_U8), *s8 = ty(&b, WG_CT_S8), *u16 = ty(&b, WG_CT_U16),
                   *s16 = ty(&b, WG_CT_S16), *u32 = ty(&b, WG_CT_U32), *s32 = ty(&b, WG_CT_S32),
                   *u64 = ty(&b, WG_CT_U64), *s64 = ty(&b, WG_CT_S64);
    ACCEPTS(u8, "0", "0");
    ACCEPTS(u8, "255", "255");
    REJECTS(u8, "256", 0, "out of range for u8 (0 to 255)");
    REJECTS(u8, "-1", 0, "u8 cannot be negative");
    REJECTS(u8, "-0", 0, "u8 cannot be negative"); /* as Rust's u8::from_str */
    ACCEPTS(s8, "-128", "-128");
    ACCEPTS(s8, "127", "127");
    ACCEPTS(s8, "-0", "0");
    REJECTS(s8, "128", 0, "out of range for s8 (-128 to 127)");
    REJECTS(s8, "-129", 0, "out of range for s8");
    ACCEPTS(u16, "65535", "65535");
    REJECTS(u16, "65536", 0, "out of range for u16");
    ACCEPTS(s16, "-32768", "-32768");
    REJECTS(s16, "32768", 0, "out of range for s16");
    ACCEPTS(u32, "4294967295", "4294967295");
    REJECTS(u32, "4294967296", 0, "out of range for u32");
    ACCEPTS(s32, "-2147483648", "-2147483648");
    REJECTS(s32, "2147483648", 0, "out of range for s32");
    ACCEPTS(u64, "18446744073709551615", "18446744073709551615");
    REJECTS(u64, "18446744073709551616", 0, "out of range for u64");
    REJECTS(u64, "99999999999999999999999999999", 0, "out of range for u64");
    ACCEPTS(s64, "-9223372036854775808", "-9223372036854775808");
    ACCEPTS(s64, "9223372036854775807", "9223372036854775807");
    REJECTS(s64, "9223372036854775808", 0, "out of range for s64");
    REJECTS(s64, "-9223372036854775809", 0, "out of range for s64");
    /* Not integers. */
    REJECTS(u32, "1.0", 0, "expected an integer (u32), found `1.0`");
    REJECTS(u32, "1e3", 0, "expected an integer (u32), found `1e3`");
    REJECTS(u32, "inf", 0, "expected an integer (u32), found `inf`");
    REJECTS(u32, "nan", 0, "expected an integer");
    REJECTS(u32, "-inf", 0, "expected an integer");
    REJECTS(u32, "\"1\"", 0, "expected an integer (u32), found `\"1\"`");
    REJECTS(u32, "+1", 0, "invalid token: unexpected character");
    REJECTS(u32, "-", 0, "invalid token: `-` needs digits");
    REJECTS(u32, "01", 1, "unexpected `1` after the value");   /* 0, then 1 */
    REJECTS(u32, "0x10", 1, "unexpected `x10` after the value"); /* no hex in WAVE */
    REJECTS(u32, "1_000", 1, "invalid token");
    tb_free(&b);
}

/* The bits of a parsed f32 / f64. */
static uint32_t f32_bits(const char *text) {
    wg_ctype t = {.kind = WG_CT_F32};
    wg_cval v;
    wg_wave_error err;
    if (!wg__wave_parse(text, strlen(text), &t, &v, &err)) return 0xdeadbeef;
    uint32_t bits;
    memcpy(&bits, &v.of.f32, 4);
    return bits;
}

static uint64_t f64_bits(const char *text) {
    wg_ctype t = {.kind = WG_CT_F64};
    wg_cval v;
    wg_wave_error err;
    if (!wg__wave_parse(text, strlen(text), &t, &v, &err)) return 0xdeadbeef;
    uint64_t bits;
    memcpy(&bits, &v.of.f64, 8);
    return bits;
}

/* Prints a float given by its bits. */
static char *print_f64_bits(uint64_t bits) {
    wg_ctype t = {.kind = WG_CT_F64};
    wg_cval v = {.kind = WG_CV_F64};
    memcpy(&v.of.f64, &bits, 8);
    return wg__wave_to_string(&v, &t, NULL);
}

static char *print_f32_bits(uint32_t bits) {
    wg_ctype t = {.kind = WG_CT_F32};
    wg_cval v = {.kind = WG_CV_F32};
    memcpy(&v.of.f32, &bits, 4);
    return wg__wave_to_string(&v, &t, NULL);
}

static void prints_f64(int line, uint64_t bits, const char *want) {
    char *s = print_f64_bits(bits);
    if (!s || strcmp(s, want)) {
        char m[800];
        snprintf(m, sizeof m, "f64 %016llx printed as %s, wanted %s", (unsigned long long)bits, s ? s : "?", want);
        wg_test_fail(__FILE__, line, m);
    }
    free(s);
}

WG_TEST(wave_floats) {
    tb b = {0};
    const wg_ctype *f32 = ty(&b, WG_CT_F32), *f64 = ty(&b, WG_CT_F64);
    /* wasm-wave's accept-floats. */
    ACCEPTS(LIST(&b, f32), "[0, 0.0, 0e0, 0.0e0, 0e-1, 0e+1, 0.000e100]", "[0, 0, 0, 0, 0, 0, 0]");
    ACCEPTS(LIST(&b, f32), "[-3.1415, -100000, -0.0e-0]", "[-3.1415, -100000, -0]");
    ACCEPTS(LIST(&b, f32), "[nan, inf, -inf]", "[nan, inf, -inf]");
    ACCEPTS(f32, "3.4028234664e38", "340282350000000000000000000000000000000");
    ACCEPTS(f32, "3.4028234664123e38", "340282350000000000000000000000000000000");
    ACCEPTS(f32, "3.4028234664e39", "inf");
    ACCEPTS(f32, "1.4012984643e-45", "0.000000000000000000000000000000000000000000001");
    ACCEPTS(f32, "1.4012984643e-46", "0");
    ACCEPTS(f32, "0.1", "0.1");
    ACCEPTS(f32, "16777217", "16777216");
    ACCEPTS(f64, "0.1", "0.1");
    ACCEPTS(f64, "0.30000000000000004", "0.30000000000000004");
    ACCEPTS(f64, "1e21", "1000000000000000000000");
    ACCEPTS(f64, "1e-7", "0.0000001");
    ACCEPTS(f64, "123.456e1", "1234.56");
    ACCEPTS(f64, "-0", "-0");
    ACCEPTS(f64, "1E2", "100");
    ACCEPTS(f64, "1e400", "inf");
    ACCEPTS(f64, "-1e400", "-inf");
    ACCEPTS(f64, "1e-400", "0");
    /* Edges: the smallest subnormal, the largest finite, the smallest normal. */
    CHECK(f64_bits("5e-324") == 1);
    CHECK(f64_bits("2.2250738585072014e-308") == 0x0010000000000000ull);
    CHECK(f64_bits("1.7976931348623157e308") == 0x7fefffffffffffffull);
    CHECK(f64_bits("-0") == 0x8000000000000000ull);
    CHECK(f32_bits("-0.0") == 0x80000000u);
    char want[400] = "0.";
    memset(want + 2, '0', 323);
    strcpy(want + 325, "5");
    prints_f64(__LINE__, 1, want);
    char big[400] = "17976931348623157";
    memset(big + 17, '0', 292);
    big[309] = '\0';
    prints_f64(__LINE__, 0x7fefffffffffffffull, big);
    memset(want + 2, '0', 307);
    strcpy(want + 309, "22250738585072014");
    prints_f64(__LINE__, 0x0010000000000000ull, want);
    /* Every f32 subnormal boundary and a few normals round-trip through text. */
    const uint32_t f32s[] = {1, 2, 0x007fffff, 0x00800000, 0x3f800001, 0x7f7fffff, 0x4b800001, 0x33d6bf95};
    for (size_t i = 0; i < sizeof f32s / sizeof f32s[0]; i++) {
        char *s = print_f32_bits(f32s[i]);
        CHECK(s && f32_bits(s) == f32s[i]);
        free(s);
    }
    const uint64_t f64s[] = {1, 0x000fffffffffffffull, 0x3ff0000000000001ull, 0x4340000000000001ull,
                             0x44b52d02c7e14af6ull, 0x3e112e0be826d695ull};
    for (size_t i = 0; i < sizeof f64s / sizeof f64s[0]; i++) {
        char *s = print_f64_bits(f64s[i]);
        CHECK(s && f64_bits(s) == f64s[i]);
        free(s);
    }
    /* NaN: parsed as the canonical NaN; any NaN prints as nan. */
    CHECK(f32_bits("nan") == 0x7fc00000u);
    CHECK(f64_bits("nan") == 0x7ff8000000000000ull);
    prints_f64(__LINE__, 0xfff0000000000001ull, "nan");
    char *s = print_f32_bits(0xffc00001u);
    CHECK(s && strcmp(s, "nan") == 0);
    free(s);
    /* wasm-wave's reject-floats. */
    REJECTS(f32, "-nan", 0, "invalid token");
    REJECTS(f32, "NaN", 0, "expected f32 (a number, nan, inf or -inf), found `NaN`");
    REJECTS(f64, "infinity", 0, "found `infinity`");
    REJECTS(f64, "-infinity", 4, "unexpected `inity` after the value");
    REJECTS(f32, "Inf", 0, "found `Inf`");
    REJECTS(f32, "%inf", 0, "found `%inf`");
    REJECTS(f64, "1.", 1, "invalid token");
    REJECTS(f64, ".5", 0, "invalid token");
    REJECTS(f64, "1e", 1, "unexpected `e` after the value");
    REJECTS(f64, "0x1p3", 1, "unexpected");
    tb_free(&b);
}

WG_TEST(wave_chars) {
    tb b = {0};
    const wg_ctype *c = ty(&b, WG_CT_CHAR);
    const wg_ctype *lc = LIST(&b, c);
    /* wasm-wave's accept-chars and their printed forms. */
    ACCEPTS(lc, "['W', 'A', 'V', 'E', '\xf0\x9f\x8c\x8a']", "['W', 'A', 'V', 'E', '\xf0\x9f\x8c\x8a']");
    ACCEPTS(lc, "['\\\\', '\\'', '\\\"', '\\t', '\\n', '\\r']", "['\\\\', '\\'', '\\\"', '\\t', '\\n', '\\r']");
    ACCEPTS(lc, "['\\u{0}', '\\u{000000}']", "['\\u{0}', '\\u{0}']");
    ACCEPTS(lc, "['x', '\\u{78}', '\\u{000078}']", "['x', 'x', 'x']");
    ACCEPTS(lc, "['\xe2\x98\x83', '\\u{2603}', '\\u{002603}']", "['\xe2\x98\x83', '\xe2\x98\x83', '\xe2\x98\x83']");
    ACCEPTS(lc, "['\"', '\\\"', '\\u{22}']", "['\\\"', '\\\"', '\\\"']");
    /* Escaped on output: controls, combining marks, unprintable and format characters. */
    ACCEPTS(c, "'\\u{7f}'", "'\\u{7f}'");
    ACCEPTS(c, "'\\u{9f}'", "'\\u{9f}'");
    ACCEPTS(c, "'\\u{a0}'", "'\\u{a0}'");     /* NO-BREAK SPACE (Zs) */
    ACCEPTS(c, "'\\u{301}'", "'\\u{301}'");   /* COMBINING ACUTE ACCENT */
    ACCEPTS(c, "'\\u{200d}'", "'\\u{200d}'"); /* ZERO WIDTH JOINER (Cf) */
    ACCEPTS(c, "'\\u{2028}'", "'\\u{2028}'"); /* LINE SEPARATOR */
    ACCEPTS(c, "'\\u{e000}'", "'\\u{e000}'"); /* private use */
    ACCEPTS(c, "'\\u{10ffff}'", "'\\u{10ffff}'");
    ACCEPTS(c, "'\\u{e9}'", "'\xc3\xa9'");
    ACCEPTS(c, "' '", "' '");
    ACCEPTS(c, "'\t'", "'\\t'");
    /* wasm-wave's reject-chars, with our columns: the bad character. */
    REJECTS(c, "''", 0, "empty char literal");
    REJECTS(c, "'ab'", 0, "a char literal holds one character");
    REJECTS(c, "'\xe2\x98\x83\xe2\x98\x83'", 0, "holds one character");
    REJECTS(c, "'\\n\\n'", 0, "holds one character");
    REJECTS(c, "'\\z'", 1, "invalid escape");
    REJECTS(c, "'\\x1f'", 1, "invalid escape");
    REJECTS(c, "'\\u1f'", 1, "invalid escape");
    REJECTS(c, "'\\u{1f'", 1, "invalid escape");
    REJECTS(c, "'\\u{}'", 1, "invalid escape");
    REJECTS(c, "'\\u{x}'", 1, "invalid escape");
    REJECTS(c, "'\\u{1234567}'", 1, "invalid escape");
    REJECTS(c, "'\\u{110000}'", 1, "is not a Unicode scalar value");
    REJECTS(c, "'\\u{D800}'", 1, "\\u{D800} is not a Unicode scalar value");
    REJECTS(c, "'\\u{dfff}'", 1, "not a Unicode scalar value");
    REJECTS(c, "'", 0, "unterminated char literal");
    REJECTS(c, "x'", 0, "expected char ('x'), found `x`");
    REJECTS(c, "'x", 0, "unterminated char literal");
    REJECTS(c, "'\\'", 0, "unterminated char literal");
    REJECTS(c, "'''", 0, "empty char literal");
    REJECTS(c, "'\n'", 1, "line break in a char literal");
    REJECTS(c, "\"x\"", 0, "expected char");
    tb_free(&b);
}

WG_TEST(wave_strings) {
    tb b = {0};
    const wg_ctype *s = ty(&b, WG_CT_STRING);
    /* wasm-wave's accept-strings. */
    ACCEPTS(s, "\"\"", "\"\"");
    ACCEPTS(s, "\"WAVE\xf0\x9f\x8c\x8a\"", "\"WAVE\xf0\x9f\x8c\x8a\"");
    ACCEPTS(s, "\"\\\\\\'\\\"\\t\\n\\r\"", "\"\\\\\\'\\\"\\t\\n\\r\"");
    ACCEPTS(s, "\"'\\'\\u{27}\"", "\"\\'\\'\\'\"");
    ACCEPTS(s, "\"\xe2\x98\x83\\u{2603}\\u{002603}\"", "\"\xe2\x98\x83\xe2\x98\x83\xe2\x98\x83\"");
    ACCEPTS(s, "\"\"\"\n\"\"\"", "\"\"");
    ACCEPTS(s, "\"\"\"\nBreak up double quote sequences: \"\"\\\"\"\nOther escapes work: \\\\\\'\\\"\\t\\n\\r\\u{2603}\n\"\"\"",
            "\"Break up double quote sequences: \\\"\\\"\\\"\\\"\\nOther escapes work: \\\\\\'\\\"\\t\\n\\r\xe2\x98\x83\"");
    ACCEPTS(s, "\"\"\"\n    Trailing indent\n  determines dedent\n      behavior.\n  \"\"\"",
            "\"  Trailing indent\\ndetermines dedent\\n    behavior.\"");
    ACCEPTS(s, "\"\"\"\n\nEmpty leading and trailing lines are retained\n\n\"\"\"",
            "\"\\nEmpty leading and trailing lines are retained\\n\"");
    ACCEPTS(s, "\"\"\"\r\n  a\r\n  b\\r\r\n  \"\"\"", "\"a\\nb\\r\"");
    ACCEPTS(s, "\"tab\there\"", "\"tab\\there\"");
    ACCEPTS(s, "\"nul \\u{0} del \\u{7f} zwj \\u{200D}\"", "\"nul \\u{0} del \\u{7f} zwj \\u{200d}\"");
    ACCEPTS(s, "\"// not a comment\"", "\"// not a comment\"");
    /* Strings may hold NUL bytes. */
    {
        wg_cval v;
        wg_wave_error err;
        CHECK(wg__wave_parse("\"a\\u{0}b\"", 9, s, &v, &err));
        CHECK(v.of.str.len == 3 && memcmp(v.of.str.data, "a\0b", 3) == 0);
        wg_cval_free(&v);
    }
    /* wasm-wave's reject-strings, with our columns. */
    REJECTS(s, "\"\\u{d800}\"", 1, "is not a Unicode scalar value");
    REJECTS(s, "\"\\u{dbff}\"", 1, "is not a Unicode scalar value");
    REJECTS(s, "\"\\u{dc00}\"", 1, "is not a Unicode scalar value");
    REJECTS(s, "\"ok \\u{d800}\\\\u{dc00}\"", 4, "is not a Unicode scalar value");
    REJECTS(s, "\"\\u{110000}\"", 1, "is not a Unicode scalar value");
    REJECTS(s, "\"\\u{ffffffff}\"", 1, "invalid escape");
    REJECTS(s, "\"\\u{-1}\"", 1, "invalid escape");
    REJECTS(s, "\"\"\"", 0, "unterminated multi-line string");
    REJECTS(s, "\"\\\"", 0, "unterminated string");
    REJECTS(s, "\"a\nb\"", 2, "line break in a string");
    REJECTS(s, "\"\"\"\"\"\"", 3, "the opening \"\"\" must be followed by a line break");
    REJECTS(s, "\"\"\" \"\"\"", 3, "the opening \"\"\" must be followed by a line break");
    REJECTS(s, "\"\"\"\"\n\"\"\"", 3, "the opening \"\"\" must be followed by a line break");
    REJECTS(s, "\"\"\"\n\"\"", 0, "unterminated multi-line string");
    REJECTS(s, "\"\"\"\n\"\"\"\"", 7, "unterminated string");
    REJECTS(s, "\"\"\"extra\n\"\"\"", 3, "the opening \"\"\" must be followed by a line break");
    REJECTS(s, "\"\"\"\nextra\"\"\"", 9, "the closing \"\"\" must be on a line of its own");
    REJECTS(s, "\"\"\"\n  \"\"\"\n  \"\"\"", 12, "unterminated multi-line string");
    REJECTS(s, "\"\"\"\n  Invalid surrogate: \\u{d800}\n  \"\"\"", 25, "not a Unicode scalar value");
    REJECTS(s, "\"\"\"\nInvalid escape: \\j\n\"\"\"", 20, "invalid escape");
    REJECTS(s, "\"\"\"\n  a\n b\n  \"\"\"", 8, "lines must be indented at least as much");
    REJECTS(s, "\"\"\"\n  a\n\n  \"\"\"", 8, "lines must be indented at least as much");
    REJECTS(s, "\"\"\"\n  a\\\n  \"\"\"", 7, "invalid escape");
    /* Not UTF-8: the offset of the bad byte. */
    rejects_at(__LINE__, s, "\"ab\xff\"", 5, 3, "invalid UTF-8");
    rejects_at(__LINE__, s, "\"\xe2\x98\"", 4, 1, "invalid UTF-8");
    REJECTS(s, "abc", 0, "expected string (\"...\"), found `abc`");
    tb_free(&b);
}

/* ---- containers ----------------------------------------------------------------------- */

WG_TEST(wave_lists_and_tuples) {
    tb b = {0};
    const wg_ctype *u8 = ty(&b, WG_CT_U8), *str = ty(&b, WG_CT_STRING);
    const wg_ctype *l = LIST(&b, u8), *ls = LIST(&b, str), *ll = LIST(&b, l);
    ACCEPTS(l, "[]", "[]");
    ACCEPTS(l, "[ ]", "[]");
    ACCEPTS(l, "[1]", "[1]");
    ACCEPTS(l, "[1, 2, 3,]", "[1, 2, 3]");
    ACCEPTS(l, "[1,2,3]", "[1, 2, 3]");
    ACCEPTS(ll, "[[], [1], [1, 2]]", "[[], [1], [1, 2]]");
    /* wasm-wave's reject-lists. */
    REJECTS(ls, "[\"\\u{0}\",,]", 9, "expected string (\"...\"), found `,`");
    REJECTS(ls, "[,\"\\u{0}\"]", 1, "found `,`");
    REJECTS(ls, "[,]", 1, "found `,`");
    REJECTS(ls, "[)", 1, "found `)`");
    REJECTS(ls, "(]", 0, "expected list<string> ([...]), found `(`");
    REJECTS(ls, "[}", 1, "found `}`");
    REJECTS(ls, "{]", 0, "found `{`");
    REJECTS(l, "[1 2]", 3, "expected `,` or `]`, found `2`");
    REJECTS(l, "[1", 2, "expected `,` or `]`, found end of input");
    REJECTS(l, "[", 1, "expected an integer (u8), found end of input");
    REJECTS(l, "[1, 256]", 4, "out of range for u8");
    /* Fixed-length lists: exactly their length. */
    const wg_ctype *f3 = FIXED(&b, u8, 3);
    ACCEPTS(f3, "[1, 2, 3]", "[1, 2, 3]");
    REJECTS(f3, "[1, 2]", 0, "expected a list of exactly 3 elements (list<_, 3>), found 2");
    REJECTS(f3, "[1, 2, 3, 4]", 0, "found 4");
    /* Tuples. */
    const wg_ctype *tp = fields(&b, WG_CT_TUPLE, 2, u8, str);
    ACCEPTS(tp, "(1, \"a\")", "(1, \"a\")");
    ACCEPTS(tp, "( 1 , \"a\" , )", "(1, \"a\")");
    REJECTS(tp, "(1)", 2, "missing tuple member 2 of 2 (string)");
    REJECTS(tp, "()", 1, "missing tuple member 1 of 2 (u8)");
    REJECTS(tp, "(1, \"a\", 2)", 9, "too many values: the tuple has 2 members");
    REJECTS(tp, "(1 \"a\")", 3, "expected `,` or `)`");
    REJECTS(tp, "[1, \"a\"]", 0, "expected tuple<u8, string> ((...)), found `[`");
    REJECTS(tp, "(\"a\", 1)", 1, "expected an integer (u8)");
    const wg_ctype *t1 = fields(&b, WG_CT_TUPLE, 1, fields(&b, WG_CT_TUPLE, 1, u8));
    ACCEPTS(t1, "((7))", "((7))");
    /* Maps: lists of (key, value) tuples. */
    const wg_ctype *m = MAP(&b, str, u8);
    ACCEPTS(m, "[(\"a\", 1), (\"b\", 2)]", "[(\"a\", 1), (\"b\", 2)]");
    ACCEPTS(m, "[]", "[]");
    REJECTS(m, "[(\"a\")]", 5, "missing tuple member 2 of 2 (u8)");
    tb_free(&b);
}

WG_TEST(wave_records) {
    tb b = {0};
    const wg_ctype *u8 = ty(&b, WG_CT_U8), *ou8 = OPTION(&b, u8);
    const wg_ctype *basic = fields(&b, WG_CT_RECORD, 2, "required", u8, "optional", ou8);
    const wg_ctype *opt = fields(&b, WG_CT_RECORD, 2, "a", ou8, "b", ou8);
    /* wasm-wave's accept-records. */
    ACCEPTS(basic, "{ required: 1 }", "{required: 1}");
    ACCEPTS(basic, "{ required: 1, optional: none }", "{required: 1}");
    ACCEPTS(basic, "{ required: 1, optional: none, }", "{required: 1}");
    ACCEPTS(basic, "{ optional: none, required: 1 }", "{required: 1}");
    ACCEPTS(basic, "{ required: 1, optional: some(2) }", "{required: 1, optional: some(2)}");
    ACCEPTS(basic, "{ optional: some(2), required: 1, }", "{required: 1, optional: some(2)}");
    ACCEPTS(basic, "{ optional: 2, required: 1 }", "{required: 1, optional: some(2)}");
    ACCEPTS(opt, "{:}", "{:}");
    ACCEPTS(opt, "{ : }", "{:}");
    ACCEPTS(opt, "{a:none,b:none}", "{:}");
    ACCEPTS(opt, "{b:none,}", "{:}");
    ACCEPTS(opt, "{a:some(1)}", "{a: some(1)}");
    ACCEPTS(opt, "{b:some(2)}", "{b: some(2)}");
    ACCEPTS(opt, "{b:some(2),a:some(1)}", "{a: some(1), b: some(2)}");
    ACCEPTS(basic, "{ %required: 1, %optional: 3 }", "{required: 1, optional: some(3)}");
    const wg_ctype *kw = fields(&b, WG_CT_RECORD, 8, "true", ty(&b, WG_CT_BOOL), "false", ty(&b, WG_CT_BOOL),
                                "some", ou8, "none", ou8, "ok", RESULT(&b, NULL, NULL), "err",
                                RESULT(&b, NULL, NULL), "inf", ty(&b, WG_CT_F32), "nan", ty(&b, WG_CT_F32));
    ACCEPTS(kw, "{true: true, false: false, some: some(1), none: none, ok: ok, err: err, inf: inf, nan: nan}",
            "{true: true, false: false, some: some(1), ok: ok, err: err, inf: inf, nan: nan}");
    /* wasm-wave's reject-records (missing fields point at the `{`). */
    REJECTS(basic, "{ optional: none }", 0, "missing field `required`");
    REJECTS(basic, "{ optional: some(0) }", 0, "missing field `required`");
    REJECTS(basic, "{ required: 0, required: 0 }", 15, "duplicate field `required`");
    REJECTS(basic, "{ required: 0, optional: none, optional: some(0) }", 31, "duplicate field `optional`");
    REJECTS(basic, "{ required: 0,, }", 14, "expected a field name, found `,`");
    REJECTS(basic, "{ , required: 0, }", 2, "expected a field name, found `,`");
    REJECTS(opt, "{}", 0, "a record whose fields are all left out is written `{:}`");
    REJECTS(opt, "{:", 2, "expected `}` after `{:`");
    /* Stricter than wasm-wave: unknown fields and missing commas are errors. */
    REJECTS(basic, "{ required: 0, extra: 1 }", 15, "unknown field `extra` (the record has: required, optional)");
    REJECTS(basic, "{ required: 0 optional: none }", 14, "expected `,` or `}`, found `optional`");
    REJECTS(basic, "{ required 0 }", 11, "expected `:` after the field name");
    REJECTS(basic, "{ required: }", 12, "expected an integer (u8), found `}`");
    REJECTS(basic, "{ 1: 2 }", 2, "expected a field name, found `1`");
    /* wasm-wave's reject-comments: a comment runs to the end of the line. */
    REJECTS(basic, "// { required: 1 }", 18, "found end of input");
    REJECTS(basic, "{\n  // required: 1,\n  optional: none,\n}", 0, "missing field `required`");
    ACCEPTS(basic, "{       // comment\n required: 1,    // comment\n optional: some( // c\n 1 // c\n ), // c\n } // c",
            "{required: 1, optional: some(1)}");
    tb_free(&b);
}

WG_TEST(wave_variants_and_enums) {
    tb b = {0};
    const wg_ctype *u8 = ty(&b, WG_CT_U8), *str = ty(&b, WG_CT_STRING);
    const wg_ctype *resp = fields(&b, WG_CT_VARIANT, 3, "empty", NULL, "body", LIST(&b, u8), "err", str);
    ACCEPTS(resp, "empty", "empty");
    ACCEPTS(resp, "body([79, 75])", "body([79, 75])");
    ACCEPTS(resp, "%err(\"oops\")", "%err(\"oops\")");
    ACCEPTS(resp, "%empty", "empty");
    ACCEPTS(resp, "body ( [ ] )", "body([])");
    REJECTS(resp, "err(\"oops\")", 0, "the case `err` is named like a keyword: write `%err`");
    REJECTS(resp, "none", 0, "expected a case of the variant (empty, body, err), found `none`");
    REJECTS(resp, "full", 0, "expected a case of the variant (empty, body, err), found `full`");
    REJECTS(resp, "empty(1)", 5, "the case `empty` has no payload");
    REJECTS(resp, "body", 0, "the case `body` needs a payload (list<u8>): `body(...)`");
    REJECTS(resp, "body(1)", 5, "expected list<u8> ([...]), found `1`");
    REJECTS(resp, "body([1]", 8, "expected `)`, found end of input");
    REJECTS(resp, "1", 0, "expected a case of the variant");
    /* wasm-wave's prefixed keyword cases. */
    const wg_ctype *kwv = fields(&b, WG_CT_VARIANT, 8, "true", u8, "false", NULL, "inf", u8, "nan", NULL, "some",
                                 u8, "none", NULL, "ok", u8, "err", NULL);
    ACCEPTS(LIST(&b, kwv), "[%true(1), %false, %inf(1), %nan, %some(1), %none, %ok(1), %err]",
            "[%true(1), %false, %inf(1), %nan, %some(1), %none, %ok(1), %err]");
    REJECTS(kwv, "some(1)", 0, "write `%some`");
    /* Enums (wasm-wave's accept-enums / reject-enums). */
    const wg_ctype *hand = labels(&b, WG_CT_ENUM, 2, "left", "right");
    ACCEPTS(hand, "left", "left");
    ACCEPTS(hand, "%left", "left");
    REJECTS(hand, "up", 0, "expected a case of the enum (left, right), found `up`");
    REJECTS(hand, "left(1)", 4, "an enum case takes no payload");
    REJECTS(hand, "\"left\"", 0, "expected a case of the enum");
    const wg_ctype *kwe = labels(&b, WG_CT_ENUM, 8, "true", "false", "some", "none", "ok", "err", "inf", "nan");
    const char *kws[] = {"true", "false", "some", "none", "ok", "err", "inf", "nan"};
    for (int i = 0; i < 8; i++) {
        char in[16], want[16];
        snprintf(in, sizeof in, "%%%s", kws[i]);
        snprintf(want, sizeof want, "%%%s", kws[i]);
        ACCEPTS(kwe, in, want);
        REJECTS(kwe, kws[i], 0, "is named like a keyword");
    }
    /* Case labels follow WIT's identifier rules. */
    const wg_ctype *mixed = labels(&b, WG_CT_ENUM, 3, "HTTP3", "method-GET", "a1-2b");
    ACCEPTS(mixed, "HTTP3", "HTTP3");
    ACCEPTS(mixed, "method-GET", "method-GET");
    ACCEPTS(mixed, "a1-2b", "a1-2b");
    REJECTS(mixed, "methodGET", 0, "found `methodGET`"); /* the token is `method` */
    REJECTS(mixed, "%", 0, "`%` must be followed by a label");
    REJECTS(mixed, "%1", 0, "`%` must be followed by a label");
    tb_free(&b);
}

WG_TEST(wave_options_and_results) {
    tb b = {0};
    const wg_ctype *u8 = ty(&b, WG_CT_U8), *s8 = ty(&b, WG_CT_S8), *str = ty(&b, WG_CT_STRING);
    const wg_ctype *ou8 = OPTION(&b, u8), *oou8 = OPTION(&b, ou8);
    ACCEPTS(ou8, "some(1)", "some(1)");
    ACCEPTS(ou8, "none", "none");
    ACCEPTS(ou8, "1", "some(1)"); /* flat */
    ACCEPTS(OPTION(&b, str), "\"flat some\"", "some(\"flat some\")");
    ACCEPTS(oou8, "some(none)", "some(none)");
    ACCEPTS(oou8, "some(some(1))", "some(some(1))");
    ACCEPTS(oou8, "some(1)", "some(some(1))"); /* the inner one flat */
    ACCEPTS(oou8, "none", "none");
    REJECTS(oou8, "1", 0, "expected option<option<u8>> (some(...) or none), found `1`");
    /* wasm-wave's reject-options. */
    REJECTS(ou8, "some", 4, "expected `(`, found end of input");
    REJECTS(ou8, "some()", 5, "expected an integer (u8), found `)`");
    REJECTS(ou8, "some(some(0))", 5, "expected an integer (u8), found `some`");
    REJECTS(ou8, "none()", 4, "`none` takes no payload");
    REJECTS(ou8, "none(0)", 4, "`none` takes no payload");
    REJECTS(ou8, "ok(1)", 0, "found `ok`");
    /* Results. */
    const wg_ctype *rok = RESULT(&b, u8, NULL), *rerr = RESULT(&b, NULL, u8), *rboth = RESULT(&b, u8, s8),
                   *rnone = RESULT(&b, NULL, NULL);
    ACCEPTS(rok, "ok(1)", "ok(1)");
    ACCEPTS(rok, "1", "ok(1)"); /* flat */
    ACCEPTS(rok, "err", "err");
    ACCEPTS(rerr, "ok", "ok");
    ACCEPTS(rerr, "err(7)", "err(7)");
    ACCEPTS(rboth, "ok(1)", "ok(1)");
    ACCEPTS(rboth, "err(-1)", "err(-1)");
    ACCEPTS(rboth, "5", "ok(5)");
    ACCEPTS(rnone, "ok", "ok");
    ACCEPTS(rnone, "err", "err");
    ACCEPTS(RESULT(&b, str, str), "\"flat ok\"", "ok(\"flat ok\")");
    ACCEPTS(RESULT(&b, ou8, NULL), "ok(none)", "ok(none)");
    /* wasm-wave's reject-results. */
    REJECTS(rok, "ok", 0, "`ok` needs a payload (u8): `ok(...)`");
    REJECTS(rok, "ok()", 3, "expected an integer (u8), found `)`");
    REJECTS(rok, "o(0)", 0, "expected an integer (u8), found `o`");
    REJECTS(rok, "err(0)", 3, "`err` takes no payload: the result has no error type");
    REJECTS(rerr, "err", 0, "`err` needs a payload (u8)");
    REJECTS(rerr, "e(0)", 0, "expected result<_, u8> (ok, ok(...), err or err(...)), found `e`");
    REJECTS(rerr, "ok(0)", 2, "`ok` takes no payload: the result has no ok type");
    REJECTS(rnone, "ok()", 2, "`ok` takes no payload");
    REJECTS(rnone, "err(0)", 3, "`err` takes no payload");
    REJECTS(rboth, "err", 0, "`err` needs a payload (s8)");
    REJECTS(RESULT(&b, ou8, NULL), "1", 0, "expected result<option<u8>>");
    tb_free(&b);
}

WG_TEST(wave_flags) {
    tb b = {0};
    const wg_ctype *perm = labels(&b, WG_CT_FLAGS, 2, "read", "write");
    ACCEPTS(perm, "{}", "{}");
    ACCEPTS(perm, "{ read }", "{read}");
    ACCEPTS(perm, "{ read, }", "{read}");
    ACCEPTS(perm, "{ write }", "{write}");
    ACCEPTS(perm, "{ write, read }", "{read, write}");
    ACCEPTS(perm, "{%read,%write,}", "{read, write}");
    REJECTS(perm, "{ read, read }", 8, "duplicate flag `read`");
    REJECTS(perm, "{ read, write, read }", 15, "duplicate flag `read`");
    REJECTS(perm, "{ read, write, execute }", 15, "unknown flag `execute` (the flags are: read, write)");
    REJECTS(perm, "{ read: true }", 6, "expected flags `{a, b}`, found a record field");
    REJECTS(perm, "{ read write }", 7, "expected `,` or `}`, found `write`");
    REJECTS(perm, "{:}", 1, "expected a flag name, found `:`");
    REJECTS(perm, "[read]", 0, "expected flags ({flag, ...}), found `[`");
    const wg_ctype *kw = labels(&b, WG_CT_FLAGS, 3, "true", "none", "err");
    ACCEPTS(kw, "{true, none, err}", "{true, none, err}");
    /* 32 flags: the highest bit. */
    const char *many[32];
    char names[32][8];
    for (int i = 0; i < 32; i++) {
        snprintf(names[i], sizeof names[i], "f%d", i);
        many[i] = names[i];
    }
    wg_ctype f32t = {.kind = WG_CT_FLAGS, .n = 32, .labels = many};
    ACCEPTS(&f32t, "{f31, f0}", "{f0, f31}");
    tb_free(&b);
}

WG_TEST(wave_handles_and_async_values) {
    tb b = {0};
    const wg_ctype *own = ty(&b, WG_CT_OWN), *borrow = ty(&b, WG_CT_BORROW);
    REJECTS(own, "1", 0, "a value of type own cannot be written in WAVE: resource handles");
    REJECTS(borrow, "x", 0, "a value of type borrow cannot be written");
    REJECTS(ty(&b, WG_CT_STREAM), "[]", 0, "a value of type stream cannot be written");
    REJECTS(ty(&b, WG_CT_FUTURE), "1", 0, "future cannot be written");
    REJECTS(ty(&b, WG_CT_ERROR_CONTEXT), "1", 0, "error-context cannot be written");
    REJECTS(LIST(&b, own), "[1]", 1, "own cannot be written");
    wg_cval h = {.kind = WG_CV_OWN, .of.handle = {7, NULL}};
    char *s = wg__wave_to_string(&h, own, NULL);
    CHECK(s && strcmp(s, "<own 7>") == 0);
    free(s);
    h.kind = WG_CV_BORROW;
    s = wg__wave_to_string(&h, borrow, NULL);
    CHECK(s && strcmp(s, "<borrow 7>") == 0);
    free(s);
    tb_free(&b);
}

/* ---- printing ---------------------------------------------------------------------- */

WG_TEST(wave_print_refuses_mismatched_shapes) {
    tb b = {0};
    const wg_ctype *u8 = ty(&b, WG_CT_U8), *str = ty(&b, WG_CT_STRING);
    wg_cval v = wg_cval_u(WG_CV_U8, 1);
    CHECK(wg__wave_to_string(&v, str, NULL) == NULL);
    const wg_ctype *tp = fields(&b, WG_CT_TUPLE, 2, u8, u8);
    wg_cval t1 = wg_cval_seq(WG_CV_TUPLE, 1);
    t1.of.seq.items[0] = wg_cval_u(WG_CV_U8, 1);
    CHECK(wg__wave_to_string(&t1, tp, NULL) == NULL); /* wrong member count */
    wg_cval_free(&t1);
    const wg_ctype *e = labels(&b, WG_CT_ENUM, 2, "a", "b");
    wg_cval ev = wg_cval_var(WG_CV_ENUM, 2, NULL);
    CHECK(wg__wave_to_string(&ev, e, NULL) == NULL); /* no such case */
    const wg_ctype *fl = labels(&b, WG_CT_FLAGS, 2, "a", "b");
    wg_cval fv = {.kind = WG_CV_FLAGS, .of.flags = 4};
    CHECK(wg__wave_to_string(&fv, fl, NULL) == NULL); /* no such flag */
    wg_cval bad = {.kind = WG_CV_STRING};
    bad.of.str.data = "\xff";
    bad.of.str.len = 1;
    CHECK(wg__wave_to_string(&bad, str, NULL) == NULL); /* not UTF-8 */
    wg_cval ch = wg_cval_char(0xD800);
    CHECK(wg__wave_to_string(&ch, ty(&b, WG_CT_CHAR), NULL) == NULL);
    const wg_ctype *ou8 = OPTION(&b, u8);
    wg_cval some_empty = wg_cval_var(WG_CV_OPTION, 1, NULL);
    CHECK(wg__wave_to_string(&some_empty, ou8, NULL) == NULL); /* some without payload */
    const wg_ctype *f2 = FIXED(&b, u8, 2);
    wg_cval l1 = wg_cval_seq(WG_CV_LIST, 1);
    l1.of.seq.items[0] = wg_cval_u(WG_CV_U8, 1);
    CHECK(wg__wave_to_string(&l1, f2, NULL) == NULL);
    wg_cval_free(&l1);
    tb_free(&b);
}

#define ZEROS10 "0000000000"
#define ZEROS100 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10

/* A value of every kind, printed and read back. */
WG_TEST(wave_round_trip_every_type) {
    tb b = {0};
    const wg_ctype *u8 = ty(&b, WG_CT_U8), *s64 = ty(&b, WG_CT_S64), *f32 = ty(&b, WG_CT_F32),
                   *f64 = ty(&b, WG_CT_F64), *c = ty(&b, WG_CT_CHAR), *s = ty(&b, WG_CT_STRING),
                   *bo = ty(&b, WG_CT_BOOL);
    const wg_ctype *var = fields(&b, WG_CT_VARIANT, 3, "a", NULL, "b", f64, "none", s);
    const wg_ctype *en = labels(&b, WG_CT_ENUM, 3, "x", "y", "ok");
    const wg_ctype *fl = labels(&b, WG_CT_FLAGS, 3, "r", "w", "x");
    const wg_ctype *rec = fields(&b, WG_CT_RECORD, 11, "b", bo, "n", s64, "f", f32, "c", c, "s", s, "l",
                                 LIST(&b, u8), "t", fields(&b, WG_CT_TUPLE, 2, en, fl), "v", LIST(&b, var),
                                 "o", OPTION(&b, OPTION(&b, u8)), "r", RESULT(&b, s, en), "m",
                                 MAP(&b, s, LIST(&b, c)));
    ACCEPTS(rec,
            "{b: true, n: -9223372036854775808, f: -0, c: '\\u{301}', s: \"a\\\"b\\u{2028}\", l: [0, 255],"
            " t: (%ok, {r, x}), v: [a, b(1e300), %none(\"\")], o: some(none), r: err(y), m: [(\"k\", ['v'])]}",
            "{b: true, n: -9223372036854775808, f: -0, c: '\\u{301}', s: \"a\\\"b\\u{2028}\", l: [0, 255],"
            " t: (%ok, {r, x}), v: [a, b(1" ZEROS100 ZEROS100 ZEROS100 "), "
            "%none(\"\")], o: some(none), r: err(y), m: [(\"k\", ['v'])]}");
    ACCEPTS(rec,
            "{b: false, n: 0, f: 1.5, c: 'a', s: \"\", l: [], t: (x, {}), v: [], o: none, r: ok(\"\"), m: []}",
            "{b: false, n: 0, f: 1.5, c: 'a', s: \"\", l: [], t: (x, {}), v: [], r: ok(\"\"), m: []}");
    tb_free(&b);
}

/* ---- hostile input --------------------------------------------------------------------- */

WG_TEST(wave_nesting_is_bounded) {
    tb b = {0};
    /* list<list<...<u8>>> 120 deep. */
    const wg_ctype *t = ty(&b, WG_CT_U8);
    const wg_ctype *deep[121];
    deep[0] = t;
    for (int i = 1; i <= 120; i++) deep[i] = LIST(&b, deep[i - 1]);
    char in[400];
    /* 100 levels of lists (the innermost empty) is the most allowed. */
    memset(in, '[', 100);
    memset(in + 100, ']', 100);
    in[200] = '\0';
    wg_cval v;
    wg_wave_error err;
    CHECK(wg__wave_parse(in, 200, deep[100], &v, &err));
    char *s = wg__wave_to_string(&v, deep[100], NULL);
    CHECK(s && strcmp(s, in) == 0);
    free(s);
    wg_cval_free(&v);
    memset(in, '[', 101);
    memset(in + 101, ']', 101);
    in[202] = '\0';
    REJECTS(deep[101], in, 100, "value nesting too deep (more than 100 levels)");
    /* Options and variant payloads count too; flat options do not nest. */
    const wg_ctype *o = ty(&b, WG_CT_U8);
    for (int i = 0; i < 120; i++) o = OPTION(&b, o);
    char some[1200] = "";
    for (int i = 0; i < 101; i++) strcat(some, "some(");
    strcat(some, "0");
    for (int i = 0; i < 101; i++) strcat(some, ")");
    REJECTS(o, some, 500, "value nesting too deep");
    /* Hostile: a megabyte of brackets against a shallow type fails at once,
     * against a deep one at the bound, never deeper. */
    size_t n = 1 << 20;
    char *brackets = malloc(n);
    memset(brackets, '[', n);
    rejects_at(__LINE__, deep[3], brackets, n, 3, "expected an integer (u8), found `[`");
    rejects_at(__LINE__, deep[120], brackets, n, 100, "value nesting too deep");
    free(brackets);
    tb_free(&b);
}

WG_TEST(wave_huge_inputs) {
    tb b = {0};
    const wg_ctype *u8 = ty(&b, WG_CT_U8), *l = LIST(&b, u8), *s = ty(&b, WG_CT_STRING);
    /* A million list elements. */
    size_t count = 1000000;
    char *in = malloc(count * 2 + 2);
    size_t n = 0;
    in[n++] = '[';
    for (size_t i = 0; i < count; i++) {
        in[n++] = (char)('0' + i % 10);
        in[n++] = ',';
    }
    in[n++] = ']';
    wg_cval v;
    wg_wave_error err;
    CHECK(wg__wave_parse(in, n, l, &v, &err));
    CHECK(v.of.seq.n == count && v.of.seq.items[999999].of.u == 9);
    size_t len;
    char *out = wg__wave_to_string(&v, l, &len);
    CHECK(out && len == 3 * count); /* "[", count digits, count - 1 ", ", "]" */
    free(out);
    wg_cval_free(&v);
    /* ... and a bad one at the very end: the column says where. */
    in[n - 2] = 'x';
    rejects_at(__LINE__, l, in, n - 1, n - 2, "expected `,` or `]`, found `x`");
    free(in);
    /* A 4 MiB string with escapes throughout. */
    size_t sn = 4 << 20;
    char *str = malloc(sn + 2);
    str[0] = '"';
    for (size_t i = 1; i <= sn; i += 2) memcpy(str + i, "\\n", 2);
    str[sn + 1] = '"';
    CHECK(wg__wave_parse(str, sn + 2, s, &v, &err));
    CHECK(v.of.str.len == sn / 2 && v.of.str.data[0] == '\n' && v.of.str.data[sn / 2 - 1] == '\n');
    wg_cval_free(&v);
    /* An unterminated one is refused at its opening quote. */
    rejects_at(__LINE__, s, str, sn + 1, 0, "unterminated string");
    free(str);
    /* A huge number is only out of range. */
    char *num = malloc(100000);
    memset(num, '9', 100000);
    rejects_at(__LINE__, ty(&b, WG_CT_U64), num, 100000, 0, "out of range for u64");
    CHECK(f64_bits("1") == 0x3ff0000000000000ull);
    wg_ctype f64 = {.kind = WG_CT_F64};
    CHECK(wg__wave_parse(num, 100000, &f64, &v, &err) && isinf(v.of.f64));
    free(num);
    tb_free(&b);
}

/* Every truncation and every one-byte change of a valid input (to each of a
 * set of meaningful bytes) parses or fails cleanly: an error inside the
 * text, a value that prints and reads back the same. Under the sanitizers
 * this is a small deterministic fuzzer. */
WG_TEST(wave_mutations_fail_cleanly) {
    tb b = {0};
    const wg_ctype *u8 = ty(&b, WG_CT_U8), *s = ty(&b, WG_CT_STRING);
    const wg_ctype *var = fields(&b, WG_CT_VARIANT, 3, "a", NULL, "b", ty(&b, WG_CT_F64), "none", s);
    const wg_ctype *rec = fields(&b, WG_CT_RECORD, 7, "n", ty(&b, WG_CT_S32), "c", ty(&b, WG_CT_CHAR), "s", s,
                                 "l", LIST(&b, OPTION(&b, u8)), "t", fields(&b, WG_CT_TUPLE, 2, var, RESULT(&b, u8, s)),
                                 "f", labels(&b, WG_CT_FLAGS, 2, "r", "w"), "e", labels(&b, WG_CT_ENUM, 2, "x", "ok"));
    const char *valid = "{n: -12, c: '\\u{2603}', s: \"\"\"\n  a\\tb\n  \"\"\", l: [some(1), none, 3,], "
                        "t: (b(1.5e3), err(\"e\")), f: {w, r}, e: %ok} // end";
    size_t n = strlen(valid);
    const char subst[] = "\"'{}[](),:%\\-0123456789aeuxnsok \n/\xff";
    char *buf = malloc(n + 1);
    int parsed = 0, failed = 0;
    /* Truncations (i < 0 below), then every byte changed to each of subst. */
    size_t nsubst = sizeof subst - 1;
    for (long i = -(long)n - 1; i < (long)(n * nsubst); i++) {
        size_t len = n;
        memcpy(buf, valid, n);
        if (i < 0) len = (size_t)(-i - 1);
        else buf[(size_t)i / nsubst] = subst[(size_t)i % nsubst];
        wg_cval v;
        wg_wave_error err;
        if (wg__wave_parse(buf, len, rec, &v, &err)) {
            parsed++;
            char *out = wg__wave_to_string(&v, rec, NULL);
            wg_cval w;
            bool back = out && wg__wave_parse(out, strlen(out), rec, &w, &err);
            CHECK(back);
            if (back) {
                CHECK(wg_cval_equal(&v, &w));
                wg_cval_free(&w);
            }
            free(out);
            wg_cval_free(&v);
        } else {
            failed++;
            CHECK(err.column <= len && err.message[0] != '\0');
            CHECK(v.kind == WG_CV_BOOL);
        }
    }
    free(buf);
    if (getenv("WG_TEST_VERBOSE")) fprintf(stderr, "mutations: %d parsed, %d failed\n", parsed, failed);
    CHECK(parsed > 20 && failed > 1000);
    tb_free(&b);
}

/* ---- function calls -------------------------------------------------------------------- */

typedef struct funcs {
    wg_cfunctype nullary, string, opts, two;
    wg_cfield string_params[1], opts_params[2], two_params[2];
    char seen_iface[64], seen_func[64];
} funcs;

static const wg_cfunctype *lookup(void *ctx, const char *iface, const char *func) {
    funcs *f = ctx;
    snprintf(f->seen_iface, sizeof f->seen_iface, "%s", iface ? iface : "(none)");
    snprintf(f->seen_func, sizeof f->seen_func, "%s", func);
    if (strcmp(func, "nullary") == 0) return &f->nullary;
    if (strcmp(func, "string") == 0) return &f->string;
    if (strcmp(func, "opts") == 0) return &f->opts;
    if (strcmp(func, "two") == 0) return &f->two;
    return NULL;
}

static void setup_funcs(tb *b, funcs *f) {
    memset(f, 0, sizeof *f);
    const wg_ctype *u8 = ty(b, WG_CT_U8);
    f->string_params[0] = (wg_cfield){"val", ty(b, WG_CT_STRING)};
    f->string = (wg_cfunctype){1, f->string_params, NULL, false};
    f->opts_params[0] = (wg_cfield){"a", OPTION(b, u8)};
    f->opts_params[1] = (wg_cfield){"b", OPTION(b, u8)};
    f->opts = (wg_cfunctype){2, f->opts_params, NULL, false};
    f->two_params[0] = (wg_cfield){"x", u8};
    f->two_params[1] = (wg_cfield){"y", OPTION(b, u8)};
    f->two = (wg_cfunctype){2, f->two_params, NULL, false};
}

static void calls_at(int line, funcs *f, const char *text, const char *iface, const char *func, size_t nargs) {
    wg_wave_call c;
    wg_wave_error err;
    char m[512];
    if (!wg__wave_parse_call(text, strlen(text), lookup, f, &c, &err)) {
        snprintf(m, sizeof m, "%s: column %zu: %s", text, err.column, err.message);
        wg_test_fail(__FILE__, line, m);
        return;
    }
    if (strcmp(c.func, func) || (iface ? !c.iface || strcmp(c.iface, iface) : c.iface != NULL) ||
        c.nargs != nargs) {
        snprintf(m, sizeof m, "%s: iface %s func %s nargs %zu", text, c.iface ? c.iface : "(none)", c.func, c.nargs);
        wg_test_fail(__FILE__, line, m);
    }
    wg__wave_call_free(&c);
}
#define CALLS(f, text, iface, func, n) calls_at(__LINE__, (f), (text), (iface), (func), (n))

static void call_rejects_at(int line, funcs *f, const char *text, size_t col, const char *msg) {
    wg_wave_call c;
    wg_wave_error err;
    char m[512];
    if (wg__wave_parse_call(text, strlen(text), lookup, f, &c, &err)) {
        snprintf(m, sizeof m, "%s was accepted", text);
        wg_test_fail(__FILE__, line, m);
        wg__wave_call_free(&c);
        return;
    }
    if (err.column != col || !strstr(err.message, msg)) {
        snprintf(m, sizeof m, "%s: error at %zu \"%s\", wanted at %zu \"%s\"", text, err.column, err.message, col, msg);
        wg_test_fail(__FILE__, line, m);
    }
    CHECK(c.args == NULL && c.func == NULL && c.iface == NULL);
}
#define CALL_REJECTS(f, text, col, msg) call_rejects_at(__LINE__, (f), (text), (col), (msg))

WG_TEST(wave_calls) {
    tb b = {0};
    funcs f;
    setup_funcs(&b, &f);
    /* wasm-wave's accept-funcs, and the Component Model's iface#func. */
    CALLS(&f, "nullary()", NULL, "nullary", 0);
    CALLS(&f, "string(\"\")", NULL, "string", 1);
    CALLS(&f, "ui.string(\"\")", "ui", "string", 1);
    CALLS(&f, "ui:tests/ui.nullary()", "ui:tests/ui", "nullary", 0);
    CALLS(&f, "ui:tests/ui.string@0.1.0(\"\")", "ui:tests/ui@0.1.0", "string", 1);
    CALLS(&f, "ui:tests/ui@0.1.0#string(\"x\")", "ui:tests/ui@0.1.0", "string", 1);
    CALLS(&f, "ui#nullary( )", "ui", "nullary", 0);
    CALLS(&f, "  string ( \"a\" , ) // done", NULL, "string", 1);
    /* Trailing options may be left out. */
    wg_wave_call c;
    wg_wave_error err;
    CHECK(wg__wave_parse_call("opts(some(1))", 13, lookup, &f, &c, &err));
    CHECK(c.nargs == 2 && c.args[0].of.var.disc == 1 && c.args[0].of.var.payload->of.u == 1 &&
          c.args[1].kind == WG_CV_OPTION && c.args[1].of.var.disc == 0);
    wg__wave_call_free(&c);
    CHECK(wg__wave_parse_call("opts()", 6, lookup, &f, &c, &err));
    CHECK(c.nargs == 2 && c.args[0].of.var.disc == 0 && c.args[1].of.var.disc == 0);
    wg__wave_call_free(&c);
    CALLS(&f, "opts(1, 2)", NULL, "opts", 2);
    CALLS(&f, "two(1)", NULL, "two", 2);
    /* wasm-wave's reject-funcs: errors at the argument, or the `)` where one is missing. */
    CALL_REJECTS(&f, "string()", 7, "missing argument `val` (string) of `string`");
    CALL_REJECTS(&f, "nullary(\"\")", 8, "too many arguments: `nullary` takes 0");
    CALL_REJECTS(&f, "ui.nullary(\"\")", 11, "too many arguments: `ui.nullary` takes 0");
    CALL_REJECTS(&f, "wrong()", 0, "unknown function `wrong`");
    CALL_REJECTS(&f, "two()", 4, "missing argument `x` (u8)");
    CALL_REJECTS(&f, "two(1, 2, 3)", 10, "too many arguments: `two` takes 2");
    CALL_REJECTS(&f, "two(256)", 4, "out of range for u8");
    CALL_REJECTS(&f, "two(1, \"x\")", 7, "expected an integer (u8), found `\"x\"`");
    CALL_REJECTS(&f, "string(\"a\"", 10, "expected `,` or `)`, found end of input");
    CALL_REJECTS(&f, "string(\"a\") x", 12, "unexpected `x` after the value");
    CALL_REJECTS(&f, "string", 6, "expected `(` after the function name, found end of input");
    CALL_REJECTS(&f, "string[\"a\"]", 6, "expected `(` after the function name, found `[`");
    CALL_REJECTS(&f, "(1)", 0, "expected a function name, found `(`");
    CALL_REJECTS(&f, "", 0, "expected a function name, found end of input");
    CALL_REJECTS(&f, "a#()", 0, "invalid function name `a#`");
    CALL_REJECTS(&f, "ns:pkg/iface()", 0, "invalid function name");
    CALL_REJECTS(&f, "string(\"\\u{d800}\")", 8, "not a Unicode scalar value");
    CHECK(strcmp(f.seen_func, "string") == 0);
    /* Deep arguments are bounded as values are. */
    char deep[1400] = "opts(";
    for (int i = 0; i < 101; i++) strcat(deep, "some(");
    strcat(deep, "0");
    for (int i = 0; i < 102; i++) strcat(deep, ")");
    CALL_REJECTS(&f, deep, 10, "expected an integer (u8), found `some`");
    tb_free(&b);
}

/* Names resolved against a component's exports (wg__wave_lookup_export):
 * the hand-made component re-exports wasi:demo/base@1.0.0, whose `total`
 * takes list<alias> (alias = record rec {a: u32, type: string}). */
WG_TEST(wave_calls_against_component_exports) {
    wg_error cerr;
    wg_component *comp = wg_component_new(wg_cm_handmade, sizeof wg_cm_handmade, &cerr);
    CHECK(comp != NULL);
    if (!comp) return;
    void *ct = (void *)comp->root->type;
    const char *forms[] = {
        "wasi:demo/base@1.0.0#total([{a: 1, type: \"x\"}])",
        "wasi:demo/base.total@1.0.0([{a: 1, type: \"x\"}])",
        "wasi:demo/base#total([{a: 1, type: \"x\"}])",   /* version left out */
        "base.total([{a: 1, type: \"x\"}])",             /* interface name alone */
        "base#total([{%a: 1, %type: \"x\",},])",
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        wg_wave_call c;
        wg_wave_error err;
        bool ok = wg__wave_parse_call(forms[i], strlen(forms[i]), wg__wave_lookup_export, ct, &c, &err);
        CHECK(ok);
        if (!ok) {
            fprintf(stderr, "%s: %zu: %s\n", forms[i], err.column, err.message);
            continue;
        }
        CHECK(c.nargs == 1 && c.args[0].kind == WG_CV_LIST && c.args[0].of.seq.n == 1);
        char *s = wg__wave_to_string(&c.args[0], c.type->params[0].type, NULL);
        CHECK(s && strcmp(s, "[{a: 1, type: \"x\"}]") == 0);
        free(s);
        CHECK(c.type->result && c.type->result->kind == WG_CT_U64);
        wg__wave_call_free(&c);
    }
    /* Not exported, or not a function there. */
    const char *bad[] = {"total([])", "wasi:demo/user#use-it()", "wasi:demo/base@2.0.0#total([])",
                         "base#r()", "base#nope()"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wg_wave_call c;
        wg_wave_error err;
        CHECK(!wg__wave_parse_call(bad[i], strlen(bad[i]), wg__wave_lookup_export, ct, &c, &err));
        CHECK(err.column == 0 && strstr(err.message, "unknown function"));
    }
    /* Argument errors point into the call. */
    wg_wave_call c;
    wg_wave_error err;
    const char *wrong = "base#total([{a: 1}])";
    CHECK(!wg__wave_parse_call(wrong, strlen(wrong), wg__wave_lookup_export, ct, &c, &err));
    CHECK(err.column == 12 && strstr(err.message, "missing field `type`"));
    wg_component_free(comp);
}

WG_TEST_MAIN()
