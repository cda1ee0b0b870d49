/*
 * The WAVE value parser (wave.h): text + type -> wg_cval, in one pass.
 *
 * wasm-wave parses the text into an untyped tree and then converts it with
 * the type; this parser lets the type drive a recursive descent instead, so
 * that it builds the value directly and can say what the type expected at
 * the first token that does not fit ("expected `,` or `]`", "unknown field
 * `x`", "out of range for u8"). The accepted language is the same (see
 * wave.h and docs/component.md for the few deliberate differences); the
 * first error in reading order is reported, where wasm-wave reports syntax
 * errors anywhere before type errors.
 *
 * Every function here leaves *out an empty value (a bool) when it fails,
 * so that callers free only what they built.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/wave_int.h"

static const wg_cval empty = {.kind = WG_CV_BOOL};

static bool oom(wg_wparser *p, size_t at) { return wg__wave_fail(p, at, 0, "out of memory"); }

/* ---- type names for messages ---------------------------------------------------- */

static void type_desc(const wg_ctype *t, char *buf, size_t size, int depth);

static const char *prim_name(wg_ctype_kind k) {
    static const char *const names[] = {
        [WG_CT_BOOL] = "bool", [WG_CT_S8] = "s8", [WG_CT_U8] = "u8", [WG_CT_S16] = "s16",
        [WG_CT_U16] = "u16", [WG_CT_S32] = "s32", [WG_CT_U32] = "u32", [WG_CT_S64] = "s64",
        [WG_CT_U64] = "u64", [WG_CT_F32] = "f32", [WG_CT_F64] = "f64", [WG_CT_CHAR] = "char",
        [WG_CT_STRING] = "string", [WG_CT_ERROR_CONTEXT] = "error-context", [WG_CT_LIST] = "list",
        [WG_CT_RECORD] = "record", [WG_CT_TUPLE] = "tuple", [WG_CT_VARIANT] = "variant",
        [WG_CT_ENUM] = "enum", [WG_CT_OPTION] = "option", [WG_CT_RESULT] = "result",
        [WG_CT_FLAGS] = "flags", [WG_CT_OWN] = "own", [WG_CT_BORROW] = "borrow",
        [WG_CT_STREAM] = "stream", [WG_CT_FUTURE] = "future", [WG_CT_MAP] = "map",
    };
    return (unsigned)k < sizeof names / sizeof names[0] && names[k] ? names[k] : "?";
}

const char *wg__wave_type_name(const wg_ctype *t) { return prim_name(t->kind); }

/* Appends to buf (bounded; "..." when cut). */
static void cat(char *buf, size_t size, const char *s) {
    size_t n = strlen(buf);
    if (n + 1 >= size) return;
    snprintf(buf + n, size - n, "%s", s);
}

/* "list<u8>", "tuple<u8, string>", "result<_, string>", "record" ... */
static void type_desc(const wg_ctype *t, char *buf, size_t size, int depth) {
    cat(buf, size, prim_name(t->kind));
    if (depth > 2) return;
    const wg_ctype *args[2] = {NULL, NULL};
    switch (t->kind) {
    case WG_CT_LIST: case WG_CT_OPTION: case WG_CT_STREAM: case WG_CT_FUTURE:
        args[0] = t->elem;
        break;
    case WG_CT_MAP:
        args[0] = t->elem;
        args[1] = t->elem2;
        break;
    case WG_CT_RESULT:
        if (!t->elem && !t->elem2) return;
        cat(buf, size, "<");
        if (t->elem) type_desc(t->elem, buf, size, depth + 1);
        else cat(buf, size, "_");
        if (t->elem2) {
            cat(buf, size, ", ");
            type_desc(t->elem2, buf, size, depth + 1);
        }
        cat(buf, size, ">");
        return;
    case WG_CT_TUPLE:
        cat(buf, size, "<");
        for (uint32_t i = 0; i < t->n; i++) {
            if (i) cat(buf, size, ", ");
            type_desc(t->fields[i].type, buf, size, depth + 1);
        }
        cat(buf, size, ">");
        return;
    default:
        return;
    }
    if (!args[0]) return;
    cat(buf, size, "<");
    type_desc(args[0], buf, size, depth + 1);
    if (args[1]) {
        cat(buf, size, ", ");
        type_desc(args[1], buf, size, depth + 1);
    }
    if (t->kind == WG_CT_LIST && t->n) {
        char n[16];
        snprintf(n, sizeof n, ", %u", t->n);
        cat(buf, size, n);
    }
    cat(buf, size, ">");
}

/* The names of a record's fields, a variant's cases or an enum's/flags'
 * labels, "a, b, c" (bounded), for messages. */
static void names_desc(const wg_ctype *t, char *buf, size_t size) {
    buf[0] = '\0';
    for (uint32_t i = 0; i < t->n; i++) {
        const char *name = t->fields ? t->fields[i].name : t->labels[i];
        if (i) cat(buf, size, ", ");
        if (strlen(buf) + strlen(name) + 8 >= size) {
            cat(buf, size, "...");
            return;
        }
        cat(buf, size, name);
    }
}

/* "expected a u8" style failure at the next token. */
static bool expected_type(wg_wparser *p, const wg_wtoken *tok, const wg_ctype *t, const char *form) {
    char what[160] = "";
    char desc[120] = "";
    type_desc(t, desc, sizeof desc, 0);
    snprintf(what, sizeof what, "%s%s%s", desc, form ? " " : "", form ? form : "");
    return wg__wave_unexpected(p, tok, what);
}

/* ---- leaves ------------------------------------------------------------------------ */

static bool parse_bool(wg_wparser *p, const wg_ctype *t, wg_cval *out) {
    wg_wtoken tok = wg__wave_next(p);
    if (wg__wave_is(p, &tok, "true") || wg__wave_is(p, &tok, "false")) {
        *out = wg_cval_bool(p->s[tok.start] == 't');
        return true;
    }
    return expected_type(p, &tok, t, "(true or false)");
}

typedef struct int_range {
    bool is_signed;
    int64_t min;
    uint64_t max;
} int_range;

static int_range range_of(wg_ctype_kind k) {
    switch (k) {
    case WG_CT_S8: return (int_range){true, INT8_MIN, INT8_MAX};
    case WG_CT_U8: return (int_range){false, 0, UINT8_MAX};
    case WG_CT_S16: return (int_range){true, INT16_MIN, INT16_MAX};
    case WG_CT_U16: return (int_range){false, 0, UINT16_MAX};
    case WG_CT_S32: return (int_range){true, INT32_MIN, INT32_MAX};
    case WG_CT_U32: return (int_range){false, 0, UINT32_MAX};
    case WG_CT_S64: return (int_range){true, INT64_MIN, INT64_MAX};
    default: return (int_range){false, 0, UINT64_MAX};
    }
}

static bool parse_int(wg_wparser *p, const wg_ctype *t, wg_cval *out) {
    wg_wtoken tok = wg__wave_next(p);
    const char *name = prim_name(t->kind);
    char what[48];
    snprintf(what, sizeof what, "an integer (%s)", name);
    if (tok.kind != WG_WT_NUMBER && !wg__wave_is(p, &tok, "inf") && !wg__wave_is(p, &tok, "nan"))
        return wg__wave_unexpected(p, &tok, what);
    const char *s = p->s + tok.start;
    size_t len = tok.end - tok.start;
    if (memchr(s, '.', len) || memchr(s, 'e', len) || memchr(s, 'E', len) || memchr(s, 'i', len) ||
        memchr(s, 'n', len))
        return wg__wave_unexpected(p, &tok, what);
    int_range r = range_of(t->kind);
    bool neg = s[0] == '-';
    if (neg && !r.is_signed)
        return wg__wave_fail(p, tok.start, len, "%s cannot be negative, found `%.*s`", name, (int)(len > 32 ? 32 : len), s);
    uint64_t mag = 0;
    bool over = false;
    for (size_t i = neg; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (mag > (UINT64_MAX - d) / 10) over = true;
        else mag = mag * 10 + d;
    }
    uint64_t limit = neg ? (uint64_t)(-(r.min + 1)) + 1 : r.max;
    if (over || mag > limit) {
        if (r.is_signed)
            return wg__wave_fail(p, tok.start, len, "out of range for %s (%lld to %llu)", name,
                                 (long long)r.min, (unsigned long long)r.max);
        return wg__wave_fail(p, tok.start, len, "out of range for %s (0 to %llu)", name,
                             (unsigned long long)r.max);
    }
    if (r.is_signed) {
        int64_t v = neg ? (mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
        *out = wg_cval_s((uint32_t)t->kind, v);
    } else {
        *out = wg_cval_u((uint32_t)t->kind, mag);
    }
    return true;
}

static bool parse_float(wg_wparser *p, const wg_ctype *t, wg_cval *out) {
    wg_wtoken tok = wg__wave_next(p);
    bool f32 = t->kind == WG_CT_F32;
    double v;
    if (wg__wave_is(p, &tok, "nan")) {
        v = NAN;
    } else if (wg__wave_is(p, &tok, "inf")) {
        v = INFINITY;
    } else if (tok.kind == WG_WT_NUMBER) {
        size_t len = tok.end - tok.start;
        if (len == 4 && memcmp(p->s + tok.start, "-inf", 4) == 0) {
            v = -INFINITY;
        } else {
            /* strtod/strtof need a NUL-terminated copy; the lexeme is plain
             * decimal (the lexer checked), which they round correctly (the
             * C locale's decimal point: wasmgate never calls setlocale). */
            char small[64];
            char *buf = len < sizeof small ? small : malloc(len + 1);
            if (!buf) return oom(p, tok.start);
            memcpy(buf, p->s + tok.start, len);
            buf[len] = '\0';
            if (f32) {
                float f = strtof(buf, NULL);
                *out = wg_cval_f32(f);
            } else {
                v = strtod(buf, NULL);
                *out = wg_cval_f64(v);
            }
            if (buf != small) free(buf);
            return true;
        }
    } else {
        return expected_type(p, &tok, t, "(a number, nan, inf or -inf)");
    }
    if (v != v) {
        /* The canonical NaN, as wasm-wave's canonicalize_nan32/64. */
        if (f32) {
            uint32_t bits = 0x7fc00000u;
            float f;
            memcpy(&f, &bits, 4);
            *out = wg_cval_f32(f);
        } else {
            uint64_t bits = 0x7ff8000000000000ull;
            double d;
            memcpy(&d, &bits, 8);
            *out = wg_cval_f64(d);
        }
        return true;
    }
    *out = f32 ? wg_cval_f32((float)v) : wg_cval_f64(v);
    return true;
}

static bool parse_char(wg_wparser *p, const wg_ctype *t, wg_cval *out) {
    wg_wtoken tok = wg__wave_next(p);
    if (tok.kind != WG_WT_CHAR) return expected_type(p, &tok, t, "('x')");
    uint32_t cp;
    if (!wg__wave_char(p, &tok, &cp)) return false;
    *out = wg_cval_char(cp);
    return true;
}

static bool parse_string(wg_wparser *p, const wg_ctype *t, wg_cval *out) {
    wg_wtoken tok = wg__wave_next(p);
    if (tok.kind != WG_WT_STRING && tok.kind != WG_WT_MLSTRING)
        return expected_type(p, &tok, t, "(\"...\")");
    wg_cval v = {.kind = WG_CV_STRING};
    if (!wg__wave_string(p, &tok, &v.of.str.data, &v.of.str.len)) return false;
    *out = v;
    return true;
}

/* ---- sequences ----------------------------------------------------------------------- */

static bool expect(wg_wparser *p, wg_wtok kind, const char *what) {
    wg_wtoken tok = wg__wave_next(p);
    return tok.kind == kind || wg__wave_unexpected(p, &tok, what);
}

/* [v, v, ...] of element type elem (a map's elements are (key, value)
 * tuples: kind says which value kind to build). */
static bool parse_list(wg_wparser *p, const wg_ctype *t, wg_cval *out, unsigned depth) {
    wg_wtoken open = wg__wave_next(p);
    if (open.kind != WG_WT_LBRACKET) return expected_type(p, &open, t, "([...])");
    /* A map is written as the list of (key, value) tuples it despecialises to. */
    wg_cfield kv[2] = {{NULL, t->elem}, {NULL, t->elem2}};
    wg_ctype pair = {.kind = WG_CT_TUPLE, .n = 2, .fields = kv};
    const wg_ctype *elem = t->kind == WG_CT_MAP ? &pair : t->elem;
    wg_cval *items = NULL;
    size_t n = 0, cap = 0;
    wg_wtoken close;
    for (;;) {
        if (wg__wave_peek(p)->kind == WG_WT_RBRACKET) {
            close = wg__wave_next(p);
            break;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            wg_cval *grown = ncap <= SIZE_MAX / sizeof *grown ? realloc(items, ncap * sizeof *grown) : NULL;
            if (!grown) {
                oom(p, wg__wave_peek(p)->start);
                goto fail;
            }
            items = grown;
            cap = ncap;
        }
        if (!wg__wave_value(p, elem, &items[n], depth + 1)) goto fail;
        n++;
        close = wg__wave_next(p);
        if (close.kind == WG_WT_RBRACKET) break;
        if (close.kind != WG_WT_COMMA) {
            wg__wave_unexpected(p, &close, "`,` or `]`");
            goto fail;
        }
    }
    if (t->kind == WG_CT_LIST && t->n && n != t->n) {
        wg__wave_fail(p, open.start, close.end - open.start,
                      "expected a list of exactly %u elements (list<_, %u>), found %zu", t->n, t->n, n);
        goto fail;
    }
    out->kind = t->kind == WG_CT_MAP ? WG_CV_MAP : WG_CV_LIST;
    out->str_enc = 0;
    out->of.seq.items = items;
    out->of.seq.n = n;
    if (!n) {
        free(items);
        out->of.seq.items = NULL;
    }
    return true;
fail:
    for (size_t i = 0; i < n; i++) wg_cval_free(&items[i]);
    free(items);
    return false;
}

static bool parse_tuple(wg_wparser *p, const wg_ctype *t, wg_cval *out, unsigned depth) {
    wg_wtoken open = wg__wave_next(p);
    if (open.kind != WG_WT_LPAREN) return expected_type(p, &open, t, "((...))");
    wg_cval v = wg_cval_seq(WG_CV_TUPLE, t->n);
    if (t->n && !v.of.seq.items) return oom(p, open.start);
    uint32_t count = 0;
    wg_wtoken close;
    for (;;) {
        const wg_wtoken *next = wg__wave_peek(p);
        if (next->kind == WG_WT_RPAREN) {
            close = wg__wave_next(p);
            break;
        }
        if (count >= t->n && next->kind != WG_WT_BAD) {
            wg__wave_fail(p, next->start, next->end - next->start,
                          "too many values: the tuple has %u member%s", t->n, t->n == 1 ? "" : "s");
            goto fail;
        }
        if (!wg__wave_value(p, t->fields[count].type, &v.of.seq.items[count], depth + 1)) goto fail;
        count++;
        close = wg__wave_next(p);
        if (close.kind == WG_WT_RPAREN) break;
        if (close.kind != WG_WT_COMMA) {
            wg__wave_unexpected(p, &close, "`,` or `)`");
            goto fail;
        }
    }
    if (count < t->n) {
        char desc[120] = "";
        type_desc(t->fields[count].type, desc, sizeof desc, 0);
        wg__wave_fail(p, close.start, 1, "missing tuple member %u of %u (%s)", count + 1, t->n, desc);
        goto fail;
    }
    *out = v;
    return true;
fail:
    wg_cval_free(&v);
    return false;
}

/* The index of name[0..len) among t's fields (record, variant) or labels
 * (enum, flags), or -1. */
static int64_t find_name(const wg_ctype *t, const char *name, size_t len) {
    for (uint32_t i = 0; i < t->n; i++) {
        const char *s = t->fields ? t->fields[i].name : t->labels[i];
        if (strlen(s) == len && memcmp(s, name, len) == 0) return i;
    }
    return -1;
}

static bool parse_record(wg_wparser *p, const wg_ctype *t, wg_cval *out, unsigned depth) {
    wg_wtoken open = wg__wave_next(p);
    if (open.kind != WG_WT_LBRACE) return expected_type(p, &open, t, "({field: value, ...})");
    wg_cval v = wg_cval_seq(WG_CV_RECORD, t->n);
    bool *seen = calloc(t->n ? t->n : 1, sizeof *seen);
    if ((t->n && !v.of.seq.items) || !seen) {
        oom(p, open.start);
        goto fail;
    }
    const wg_wtoken *next = wg__wave_peek(p);
    if (next->kind == WG_WT_COLON) {
        wg__wave_next(p);
        if (!expect(p, WG_WT_RBRACE, "`}` after `{:`")) goto fail;
    } else if (next->kind == WG_WT_RBRACE) {
        wg__wave_fail(p, open.start, next->end - open.start,
                      "expected a record, found `{}` (empty flags): a record whose fields are all "
                      "left out is written `{:}`");
        goto fail;
    } else {
        for (;;) {
            wg_wtoken label = wg__wave_next(p);
            if (label.kind != WG_WT_LABEL) {
                wg__wave_unexpected(p, &label, "a field name");
                goto fail;
            }
            size_t len;
            bool percent;
            const char *name = wg__wave_label(p, &label, &len, &percent);
            int64_t i = find_name(t, name, len);
            if (i < 0) {
                char names[160];
                names_desc(t, names, sizeof names);
                wg__wave_fail(p, label.start, label.end - label.start,
                              "unknown field `%.*s` (the record has: %s)", (int)len, name, names);
                goto fail;
            }
            if (seen[i]) {
                wg__wave_fail(p, label.start, label.end - label.start, "duplicate field `%.*s`",
                              (int)len, name);
                goto fail;
            }
            if (!expect(p, WG_WT_COLON, "`:` after the field name")) goto fail;
            if (!wg__wave_value(p, t->fields[i].type, &v.of.seq.items[i], depth + 1)) goto fail;
            seen[i] = true;
            wg_wtoken sep = wg__wave_next(p);
            if (sep.kind == WG_WT_RBRACE) break;
            if (sep.kind != WG_WT_COMMA) {
                wg__wave_unexpected(p, &sep, "`,` or `}`");
                goto fail;
            }
            if (wg__wave_peek(p)->kind == WG_WT_RBRACE) {
                wg__wave_next(p);
                break;
            }
        }
    }
    /* Fields left out: none if they are options, else an error. */
    for (uint32_t i = 0; i < t->n; i++) {
        if (seen[i]) continue;
        if (t->fields[i].type->kind != WG_CT_OPTION) {
            wg__wave_fail(p, open.start, 1, "missing field `%s` (only fields of option type may be left out)",
                          t->fields[i].name);
            goto fail;
        }
        v.of.seq.items[i] = wg_cval_var(WG_CV_OPTION, 0, NULL);
    }
    free(seen);
    *out = v;
    return true;
fail:
    free(seen);
    wg_cval_free(&v);
    return false;
}

static bool parse_flags(wg_wparser *p, const wg_ctype *t, wg_cval *out) {
    wg_wtoken open = wg__wave_next(p);
    if (open.kind != WG_WT_LBRACE) return expected_type(p, &open, t, "({flag, ...})");
    uint32_t bits = 0;
    if (wg__wave_peek(p)->kind == WG_WT_RBRACE) {
        wg__wave_next(p);
    } else {
        for (;;) {
            wg_wtoken label = wg__wave_next(p);
            if (label.kind != WG_WT_LABEL) return wg__wave_unexpected(p, &label, "a flag name");
            size_t len;
            bool percent;
            const char *name = wg__wave_label(p, &label, &len, &percent);
            int64_t i = find_name(t, name, len);
            if (i < 0) {
                char names[160];
                names_desc(t, names, sizeof names);
                return wg__wave_fail(p, label.start, label.end - label.start,
                                     "unknown flag `%.*s` (the flags are: %s)", (int)len, name, names);
            }
            if (bits & (1u << i))
                return wg__wave_fail(p, label.start, label.end - label.start, "duplicate flag `%.*s`",
                                     (int)len, name);
            bits |= 1u << i;
            wg_wtoken sep = wg__wave_next(p);
            if (sep.kind == WG_WT_RBRACE) break;
            if (sep.kind == WG_WT_COLON)
                return wg__wave_fail(p, sep.start, 1, "expected flags `{a, b}`, found a record field");
            if (sep.kind != WG_WT_COMMA) return wg__wave_unexpected(p, &sep, "`,` or `}`");
            if (wg__wave_peek(p)->kind == WG_WT_RBRACE) {
                wg__wave_next(p);
                break;
            }
        }
    }
    *out = (wg_cval){.kind = WG_CV_FLAGS, .of.flags = bits};
    return true;
}

/* ---- cases ----------------------------------------------------------------------------- */

/* A variant/option/result value with case disc and payload *payload (moved). */
static bool make_var(wg_wparser *p, size_t at, uint32_t kind, uint32_t disc, wg_cval *payload,
                     bool has_payload, wg_cval *out) {
    wg_cval v = {.kind = kind, .of.var.disc = disc};
    if (has_payload) {
        wg_cval *box = malloc(sizeof *box);
        if (!box) {
            wg_cval_free(payload);
            return oom(p, at);
        }
        *box = *payload;
        v.of.var.payload = box;
    }
    *out = v;
    return true;
}

/* `(payload)` of type pt after a case label, into *out. */
static bool parse_payload(wg_wparser *p, const wg_ctype *pt, wg_cval *out, unsigned depth) {
    if (!expect(p, WG_WT_LPAREN, "`(`")) return false;
    if (!wg__wave_value(p, pt, out, depth + 1)) return false;
    if (!expect(p, WG_WT_RPAREN, "`)`")) {
        wg_cval_free(out);
        return false;
    }
    return true;
}

/* A case label of a variant or enum: the index of the case, or -1 (error
 * reported). Keywords must carry a % (`%none`). */
static int64_t parse_case_label(wg_wparser *p, const wg_ctype *t, wg_wtoken *label) {
    *label = wg__wave_next(p);
    char names[160];
    names_desc(t, names, sizeof names);
    char what[200];
    snprintf(what, sizeof what, "a case of the %s (%s)", prim_name(t->kind), names);
    if (label->kind != WG_WT_LABEL) {
        wg__wave_unexpected(p, label, what);
        return -1;
    }
    size_t len;
    bool percent;
    const char *name = wg__wave_label(p, label, &len, &percent);
    int64_t i = find_name(t, name, len);
    if (!percent && wg__wave_is_keyword(name, len)) {
        if (i >= 0)
            wg__wave_fail(p, label->start, len, "the case `%.*s` is named like a keyword: write `%%%.*s`",
                          (int)len, name, (int)len, name);
        else
            wg__wave_unexpected(p, label, what);
        return -1;
    }
    if (i < 0) wg__wave_unexpected(p, label, what);
    return i;
}

static bool parse_variant(wg_wparser *p, const wg_ctype *t, wg_cval *out, unsigned depth) {
    wg_wtoken label;
    int64_t i = parse_case_label(p, t, &label);
    if (i < 0) return false;
    const wg_ctype *pt = t->fields[i].type;
    const wg_wtoken *next = wg__wave_peek(p);
    wg_cval payload = empty;
    if (next->kind == WG_WT_LPAREN) {
        if (!pt)
            return wg__wave_fail(p, next->start, 1, "the case `%s` has no payload", t->fields[i].name);
        if (!parse_payload(p, pt, &payload, depth)) return false;
    } else if (pt) {
        char desc[120] = "";
        type_desc(pt, desc, sizeof desc, 0);
        return wg__wave_fail(p, label.start, label.end - label.start,
                             "the case `%s` needs a payload (%s): `%s(...)`", t->fields[i].name, desc,
                             t->fields[i].name);
    }
    return make_var(p, label.start, WG_CV_VARIANT, (uint32_t)i, &payload, pt != NULL, out);
}

static bool parse_enum(wg_wparser *p, const wg_ctype *t, wg_cval *out) {
    wg_wtoken label;
    int64_t i = parse_case_label(p, t, &label);
    if (i < 0) return false;
    const wg_wtoken *next = wg__wave_peek(p);
    if (next->kind == WG_WT_LPAREN)
        return wg__wave_fail(p, next->start, 1, "an enum case takes no payload");
    *out = wg_cval_var(WG_CV_ENUM, (uint32_t)i, NULL);
    return true;
}

/* Whether a some/ok payload of type t may be written flat (wasm-wave's
 * `flattenable`: anything but an option or a result). */
static bool flattenable(const wg_ctype *t) {
    return t && t->kind != WG_CT_OPTION && t->kind != WG_CT_RESULT;
}

static bool parse_option(wg_wparser *p, const wg_ctype *t, wg_cval *out, unsigned depth) {
    const wg_wtoken *next = wg__wave_peek(p);
    wg_cval payload = empty;
    if (wg__wave_is(p, next, "none")) {
        wg__wave_next(p);
        next = wg__wave_peek(p);
        if (next->kind == WG_WT_LPAREN) return wg__wave_fail(p, next->start, 1, "`none` takes no payload");
        *out = wg_cval_var(WG_CV_OPTION, 0, NULL);
        return true;
    }
    size_t at = next->start;
    if (wg__wave_is(p, next, "some")) {
        wg__wave_next(p);
        if (!parse_payload(p, t->elem, &payload, depth)) return false;
    } else if (flattenable(t->elem) && next->kind != WG_WT_BAD) {
        /* The payload itself stands for some(payload). */
        if (!wg__wave_value(p, t->elem, &payload, depth)) return false;
    } else {
        return expected_type(p, next, t, "(some(...) or none)");
    }
    return make_var(p, at, WG_CV_OPTION, 1, &payload, true, out);
}

static bool parse_result(wg_wparser *p, const wg_ctype *t, wg_cval *out, unsigned depth) {
    const wg_wtoken *next = wg__wave_peek(p);
    size_t at = next->start;
    wg_cval payload = empty;
    bool is_ok = wg__wave_is(p, next, "ok");
    if (is_ok || wg__wave_is(p, next, "err")) {
        wg_wtoken label = wg__wave_next(p);
        const wg_ctype *pt = is_ok ? t->elem : t->elem2;
        const char *name = is_ok ? "ok" : "err";
        next = wg__wave_peek(p);
        if (next->kind == WG_WT_LPAREN) {
            if (!pt)
                return wg__wave_fail(p, next->start, 1, "`%s` takes no payload: the result has no %s type",
                                     name, is_ok ? "ok" : "error");
            if (!parse_payload(p, pt, &payload, depth)) return false;
        } else if (pt) {
            char desc[120] = "";
            type_desc(pt, desc, sizeof desc, 0);
            return wg__wave_fail(p, label.start, label.end - label.start, "`%s` needs a payload (%s): `%s(...)`",
                                 name, desc, name);
        }
        return make_var(p, at, WG_CV_RESULT, is_ok ? 0 : 1, &payload, pt != NULL, out);
    }
    if (flattenable(t->elem) && next->kind != WG_WT_BAD) {
        /* The ok payload itself stands for ok(payload). */
        if (!wg__wave_value(p, t->elem, &payload, depth)) return false;
        return make_var(p, at, WG_CV_RESULT, 0, &payload, true, out);
    }
    return expected_type(p, next, t, "(ok, ok(...), err or err(...))");
}

/* ---- dispatch ------------------------------------------------------------------------- */

bool wg__wave_value(wg_wparser *p, const wg_ctype *t, wg_cval *out, unsigned depth) {
    *out = empty;
    if (p->failed) return false;
    if (depth >= WG_WAVE_MAX_DEPTH) {
        const wg_wtoken *next = wg__wave_peek(p);
        return wg__wave_fail(p, next->start, next->end - next->start,
                             "value nesting too deep (more than %d levels)", WG_WAVE_MAX_DEPTH);
    }
    switch (t->kind) {
    case WG_CT_BOOL: return parse_bool(p, t, out);
    case WG_CT_S8: case WG_CT_U8: case WG_CT_S16: case WG_CT_U16:
    case WG_CT_S32: case WG_CT_U32: case WG_CT_S64: case WG_CT_U64:
        return parse_int(p, t, out);
    case WG_CT_F32: case WG_CT_F64: return parse_float(p, t, out);
    case WG_CT_CHAR: return parse_char(p, t, out);
    case WG_CT_STRING: return parse_string(p, t, out);
    case WG_CT_LIST: case WG_CT_MAP: return parse_list(p, t, out, depth);
    case WG_CT_TUPLE: return parse_tuple(p, t, out, depth);
    case WG_CT_RECORD: return parse_record(p, t, out, depth);
    case WG_CT_FLAGS: return parse_flags(p, t, out);
    case WG_CT_VARIANT: return parse_variant(p, t, out, depth);
    case WG_CT_ENUM: return parse_enum(p, t, out);
    case WG_CT_OPTION: return parse_option(p, t, out, depth);
    case WG_CT_RESULT: return parse_result(p, t, out, depth);
    case WG_CT_OWN: case WG_CT_BORROW: case WG_CT_STREAM: case WG_CT_FUTURE:
    case WG_CT_ERROR_CONTEXT: {
        const wg_wtoken *next = wg__wave_peek(p);
        if (next->kind == WG_WT_BAD) return wg__wave_unexpected(p, next, "");
        return wg__wave_fail(p, next->start, next->end - next->start,
                             "a value of type %s cannot be written in WAVE: %s", prim_name(t->kind),
                             t->kind == WG_CT_OWN || t->kind == WG_CT_BORROW
                                 ? "resource handles come from the component, not from text"
                                 : "it is made by the running component");
    }
    }
    return wg__wave_fail(p, 0, 0, "unknown type kind %d", (int)t->kind);
}

bool wg__wave_parse(const char *text, size_t len, const wg_ctype *t, wg_cval *out, wg_wave_error *err) {
    wg_wparser p;
    *out = empty;
    if (!wg__wave_begin(&p, text, len, err)) return false;
    if (!wg__wave_value(&p, t, out, 0)) return false;
    if (!wg__wave_end(&p)) {
        wg_cval_free(out);
        return false;
    }
    return true;
}
