/*
 * The WAVE printer (wave.h): wg_cval + wg_ctype -> text, as wasm-wave's
 * Writer (writer.rs) writes values, which is what `wasmtime run --invoke`
 * prints. Rust formatting rules it inherits, reproduced here:
 *
 *   floats   Display: the shortest digits that read back to the same value,
 *            in positional notation, never an exponent ("1e21" prints as
 *            1000000000000000000000, 1e-7 as 0.0000001); -0 for negative
 *            zero; nan / inf / -inf
 *   chars    escape_default for \\ \" \' \t \r \n (so a string's ' and a
 *            char's " are escaped too), escape_unicode (\u{7f}) for
 *            control characters, escape_debug (\u{...} for grapheme
 *            extenders and characters that are not printable) for the rest:
 *            wave_unicode.h, generated from the Unicode tables.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/utf.h"
#include "component/wave.h"
#include "component/wave_int.h"
#include "component/wave_unicode.h"

/* Types are bounded (100 levels) by the validator; this only guards
 * hand-made types. */
#define PRINT_MAX_DEPTH 1000

static bool escaped_by_debug(uint32_t cp) {
    size_t lo = 0, hi = sizeof wg_wave_escaped / sizeof wg_wave_escaped[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < wg_wave_escaped[mid][0]) hi = mid;
        else if (cp > wg_wave_escaped[mid][1]) lo = mid + 1;
        else return true;
    }
    return false;
}

static void put_char(wg_strbuf *b, uint32_t cp) {
    switch (cp) {
    case '\\': wg__sb_puts(b, "\\\\"); return;
    case '"': wg__sb_puts(b, "\\\""); return;
    case '\'': wg__sb_puts(b, "\\'"); return;
    case '\t': wg__sb_puts(b, "\\t"); return;
    case '\r': wg__sb_puts(b, "\\r"); return;
    case '\n': wg__sb_puts(b, "\\n"); return;
    default: break;
    }
    if (escaped_by_debug(cp)) {
        wg__sb_printf(b, "\\u{%x}", (unsigned)cp);
        return;
    }
    uint8_t u[4];
    wg__sb_put(b, (const char *)u, wg__utf8_encode(cp, u));
}

static bool put_string(wg_strbuf *b, const char *s, size_t n) {
    size_t good;
    uint32_t bad;
    if (n && (!s || !wg__utf8_validate((const uint8_t *)s, n, &good, &bad))) return false;
    wg__sb_putc(b, '"');
    size_t i = 0;
    while (i < n) {
        /* Runs that need no escape are copied whole. */
        size_t j = i;
        while (j < n && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] < 0x7f && s[j] != '\\' &&
               s[j] != '"' && s[j] != '\'')
            j++;
        wg__sb_put(b, s + i, j - i);
        if (j >= n) break;
        uint32_t cp;
        i = j + wg__utf8_decode((const uint8_t *)s + j, &cp);
        put_char(b, cp);
    }
    wg__sb_putc(b, '"');
    return true;
}

/* Rust's Display for f32/f64 (see the file comment). */
static void put_float(wg_strbuf *b, double v, bool f32) {
    if (v != v) {
        wg__sb_puts(b, "nan");
        return;
    }
    if (isinf(v)) {
        wg__sb_puts(b, v < 0 ? "-inf" : "inf");
        return;
    }
    if (v == 0) {
        wg__sb_puts(b, signbit(v) ? "-0" : "0");
        return;
    }
    /* The shortest %.Ne that reads back to the same value: its digits are
     * the nearest decimal of that length, as Rust's shortest algorithm picks. */
    char e[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, v);
        if (f32 ? strtof(e, NULL) == (float)v : strtod(e, NULL) == v) break;
    }
    /* e: [-]d[.ddd]e[+-]x -> digits and the position of the decimal point. */
    const char *s = e;
    if (*s == '-') {
        wg__sb_putc(b, '-');
        s++;
    }
    char digits[24];
    size_t nd = 0;
    for (; *s && *s != 'e'; s++)
        if (*s != '.') digits[nd++] = *s;
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    long exp10 = strtol(s + 1, NULL, 10);
    long point = exp10 + 1; /* digits before the decimal point */
    if (point <= 0) {
        wg__sb_puts(b, "0.");
        wg__sb_repeat(b, '0', (size_t)-point);
        wg__sb_put(b, digits, nd);
    } else if ((size_t)point >= nd) {
        wg__sb_put(b, digits, nd);
        wg__sb_repeat(b, '0', (size_t)point - nd);
    } else {
        wg__sb_put(b, digits, (size_t)point);
        wg__sb_putc(b, '.');
        wg__sb_put(b, digits + point, nd - (size_t)point);
    }
}

/* A case or enum label: %-prefixed when it is a keyword. */
static void put_case(wg_strbuf *b, const char *name) {
    if (wg__wave_is_keyword(name, strlen(name))) wg__sb_putc(b, '%');
    wg__sb_puts(b, name);
}

static bool print_value(wg_strbuf *b, const wg_cval *v, const wg_ctype *t, unsigned depth);

/* `(payload)` when the case has a type; shapes must agree. */
static bool print_payload(wg_strbuf *b, const wg_cval *payload, const wg_ctype *pt, unsigned depth) {
    if (!pt) return payload == NULL;
    if (!payload) return false;
    wg__sb_putc(b, '(');
    if (!print_value(b, payload, pt, depth + 1)) return false;
    wg__sb_putc(b, ')');
    return true;
}

static bool print_seq(wg_strbuf *b, const wg_cval *v, const wg_ctype *elem, char open, char close,
                      unsigned depth) {
    if (v->of.seq.n && !v->of.seq.items) return false;
    wg__sb_putc(b, open);
    for (size_t i = 0; i < v->of.seq.n; i++) {
        if (i) wg__sb_puts(b, ", ");
        if (!print_value(b, &v->of.seq.items[i], elem, depth + 1)) return false;
    }
    wg__sb_putc(b, close);
    return true;
}

static bool print_value(wg_strbuf *b, const wg_cval *v, const wg_ctype *t, unsigned depth) {
    if (depth > PRINT_MAX_DEPTH || v->kind != (uint32_t)t->kind) return false;
    switch (t->kind) {
    case WG_CT_BOOL:
        wg__sb_puts(b, v->of.b ? "true" : "false");
        return true;
    case WG_CT_S8: case WG_CT_S16: case WG_CT_S32: case WG_CT_S64:
        wg__sb_printf(b, "%lld", (long long)v->of.s);
        return true;
    case WG_CT_U8: case WG_CT_U16: case WG_CT_U32: case WG_CT_U64:
        wg__sb_printf(b, "%llu", (unsigned long long)v->of.u);
        return true;
    case WG_CT_F32:
        put_float(b, v->of.f32, true);
        return true;
    case WG_CT_F64:
        put_float(b, v->of.f64, false);
        return true;
    case WG_CT_CHAR:
        if (v->of.c > 0x10FFFF || (v->of.c >= 0xD800 && v->of.c <= 0xDFFF)) return false;
        wg__sb_putc(b, '\'');
        put_char(b, v->of.c);
        wg__sb_putc(b, '\'');
        return true;
    case WG_CT_STRING:
        return put_string(b, v->of.str.data, v->of.str.len);
    case WG_CT_LIST:
        if (t->n && v->of.seq.n != t->n) return false;
        return print_seq(b, v, t->elem, '[', ']', depth);
    case WG_CT_MAP: {
        wg_cfield kv[2] = {{NULL, t->elem}, {NULL, t->elem2}};
        wg_ctype pair = {.kind = WG_CT_TUPLE, .n = 2, .fields = kv};
        return print_seq(b, v, &pair, '[', ']', depth);
    }
    case WG_CT_TUPLE:
        if (v->of.seq.n != t->n || (t->n && !v->of.seq.items)) return false;
        wg__sb_putc(b, '(');
        for (uint32_t i = 0; i < t->n; i++) {
            if (i) wg__sb_puts(b, ", ");
            if (!print_value(b, &v->of.seq.items[i], t->fields[i].type, depth + 1)) return false;
        }
        wg__sb_putc(b, ')');
        return true;
    case WG_CT_RECORD: {
        if (v->of.seq.n != t->n || (t->n && !v->of.seq.items)) return false;
        /* Fields holding none are left out; {:} when nothing is left. */
        bool any = false;
        wg__sb_putc(b, '{');
        for (uint32_t i = 0; i < t->n; i++) {
            const wg_cval *f = &v->of.seq.items[i];
            if (f->kind == WG_CV_OPTION && f->of.var.disc == 0 && t->fields[i].type->kind == WG_CT_OPTION)
                continue;
            if (any) wg__sb_puts(b, ", ");
            any = true;
            wg__sb_puts(b, t->fields[i].name);
            wg__sb_puts(b, ": ");
            if (!print_value(b, f, t->fields[i].type, depth + 1)) return false;
        }
        if (!any) wg__sb_putc(b, ':');
        wg__sb_putc(b, '}');
        return true;
    }
    case WG_CT_VARIANT:
        if (v->of.var.disc >= t->n) return false;
        put_case(b, t->fields[v->of.var.disc].name);
        return print_payload(b, v->of.var.payload, t->fields[v->of.var.disc].type, depth);
    case WG_CT_ENUM:
        if (v->of.var.disc >= t->n || v->of.var.payload) return false;
        put_case(b, t->labels[v->of.var.disc]);
        return true;
    case WG_CT_OPTION:
        if (v->of.var.disc > 1) return false;
        wg__sb_puts(b, v->of.var.disc ? "some" : "none");
        return print_payload(b, v->of.var.payload, v->of.var.disc ? t->elem : NULL, depth);
    case WG_CT_RESULT:
        if (v->of.var.disc > 1) return false;
        wg__sb_puts(b, v->of.var.disc ? "err" : "ok");
        return print_payload(b, v->of.var.payload, v->of.var.disc ? t->elem2 : t->elem, depth);
    case WG_CT_FLAGS: {
        if (t->n < 32 && v->of.flags >> t->n) return false;
        bool any = false;
        wg__sb_putc(b, '{');
        for (uint32_t i = 0; i < t->n; i++) {
            if (!(v->of.flags & (1u << i))) continue;
            if (any) wg__sb_puts(b, ", ");
            any = true;
            wg__sb_puts(b, t->labels[i]);
        }
        wg__sb_putc(b, '}');
        return true;
    }
    case WG_CT_OWN:
    case WG_CT_BORROW:
        /* WAVE has no syntax for handles yet ("TBD" in its README): print
         * something readable that cannot be mistaken for a value. */
        wg__sb_printf(b, "<%s %u>", t->kind == WG_CT_OWN ? "own" : "borrow", (unsigned)v->of.handle.rep);
        return true;
    case WG_CT_STREAM: wg__sb_puts(b, "<stream>"); return true;
    case WG_CT_FUTURE: wg__sb_puts(b, "<future>"); return true;
    case WG_CT_ERROR_CONTEXT: wg__sb_puts(b, "<error-context>"); return true;
    }
    return false;
}

bool wg__wave_print(wg_strbuf *out, const wg_cval *v, const wg_ctype *t) {
    return print_value(out, v, t, 0) && !out->oom;
}

char *wg__wave_to_string(const wg_cval *v, const wg_ctype *t, size_t *len) {
    wg_strbuf b = {0};
    if (!wg__wave_print(&b, v, t)) {
        wg__sb_free(&b);
        if (len) *len = 0;
        return NULL;
    }
    return wg__sb_take(&b, len);
}
