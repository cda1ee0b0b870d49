/*
 * Text <-> wg_val for the command line; see values.h for the syntax.
 *
 * Floats are handled as bit patterns throughout: NaN payloads are parsed and
 * printed by hand (strtod's "nan(...)" is implementation-defined and printf
 * drops payloads), everything else goes through strtof/strtod, which round
 * once to the target type, and through "%.*g" with the shortest precision
 * that reads back to the same bits.
 */
#include "cli/values.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* IEEE 754 layout of the two float types. */
typedef struct float_layout {
    unsigned bits;          /* total width */
    uint64_t sign;          /* sign bit */
    uint64_t exp_mask;      /* all exponent bits */
    uint64_t mant_mask;     /* all mantissa bits */
    uint64_t quiet;         /* the canonical NaN's payload (top mantissa bit) */
} float_layout;

static const float_layout f32_layout = {32, 0x80000000u, 0x7f800000u, 0x007fffffu, 0x00400000u};
static const float_layout f64_layout = {64, 0x8000000000000000u, 0x7ff0000000000000u,
                                        0x000fffffffffffffu, 0x0008000000000000u};

const char *cli_valtype_name(wg_valtype type) {
    switch (type) {
    case WG_I32: return "i32";
    case WG_I64: return "i64";
    case WG_F32: return "f32";
    case WG_F64: return "f64";
    case WG_V128: return "v128";
    case WG_FUNCREF: return "funcref";
    case WG_EXTERNREF: return "externref";
    }
    return "?";
}

static int digit_value(char c, unsigned base) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return -1;
    return (unsigned)d < base ? d : -1;
}

/* Reads the digits of s (no sign, no prefix) in base into *out. Returns NULL
 * or an error phrase; *overflow is set if the value does not fit 64 bits. */
static const char *parse_digits(const char *s, unsigned base, uint64_t *out, bool *overflow) {
    uint64_t v = 0;
    *overflow = false;
    if (!*s) return "no digits";
    for (; *s; s++) {
        int d = digit_value(*s, base);
        if (d < 0) return base == 16 ? "not a hexadecimal integer" : "not an integer";
        if (v > (UINT64_MAX - (uint64_t)d) / base) *overflow = true;
        else v = v * base + (uint64_t)d;
    }
    *out = v;
    return NULL;
}

/* An integer of `bits` bits: signed or unsigned decimal, or [-]0x hex.
 * The result is the two's-complement bit pattern in the low bits. */
static const char *parse_int(const char *s, unsigned bits, uint64_t *out) {
    bool neg = false, overflow;
    unsigned base = 10;
    uint64_t mag;
    uint64_t umax = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    if (*s == '-' || *s == '+') neg = *s++ == '-';
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    const char *why = parse_digits(s, base, &mag, &overflow);
    if (why) return why;
    if (neg) {
        if (overflow || mag > (UINT64_C(1) << (bits - 1)))
            return bits == 32 ? "out of range for i32" : "out of range for i64";
        *out = (UINT64_C(0) - mag) & umax;
    } else {
        if (overflow || mag > umax)
            return bits == 32 ? "out of range for i32" : "out of range for i64";
        *out = mag;
    }
    return NULL;
}

/* A float of the given layout as its bit pattern. */
static const char *parse_float(const char *s, const float_layout *fl, uint64_t *out) {
    const char *p = s;
    bool neg = false;
    if (*p == '-' || *p == '+') neg = *p++ == '-';
    uint64_t sign = neg ? fl->sign : 0;
    if (strncasecmp(p, "nan", 3) == 0) {
        uint64_t payload = fl->quiet;
        p += 3;
        if (*p == ':') {
            bool overflow;
            p++;
            if (!(p[0] == '0' && (p[1] == 'x' || p[1] == 'X')))
                return "NaN payload must be hexadecimal: nan:0x...";
            if (parse_digits(p + 2, 16, &payload, &overflow) || overflow)
                return "NaN payload must be hexadecimal: nan:0x...";
            if (payload == 0 || payload > fl->mant_mask)
                return fl->bits == 32 ? "NaN payload out of range for f32 (0x1 .. 0x7fffff)"
                                      : "NaN payload out of range for f64 (0x1 .. 0xfffffffffffff)";
        } else if (*p) {
            return "not a number (NaN is nan, -nan or nan:0x...)";
        }
        *out = sign | fl->exp_mask | payload;
        return NULL;
    }
    if (strcasecmp(p, "inf") == 0 || strcasecmp(p, "infinity") == 0) {
        *out = sign | fl->exp_mask;
        return NULL;
    }
    /* strtod would skip leading spaces and read "infinity"/"nan" forms we
     * handled above; require it to start at a digit or a point. */
    if (!(isdigit((unsigned char)*p) || *p == '.')) return "not a number";
    char *end;
    errno = 0;
    if (fl->bits == 32) {
        float f = strtof(s, &end);
        if (end == s || *end) return "not a number";
        if (errno == ERANGE && isinf(f)) return "out of range for f32";
        uint32_t b;
        memcpy(&b, &f, sizeof b);
        *out = b;
    } else {
        double d = strtod(s, &end);
        if (end == s || *end) return "not a number";
        if (errno == ERANGE && isinf(d)) return "out of range for f64";
        memcpy(out, &d, sizeof *out);
    }
    return NULL;
}

const char *cli_parse_value(wg_valtype type, const char *text, wg_val *out) {
    uint64_t bits = 0;
    const char *why;
    memset(out, 0, sizeof *out);
    out->type = type;
    switch (type) {
    case WG_I32:
        if ((why = parse_int(text, 32, &bits))) return why;
        out->of.i32 = (int32_t)(uint32_t)bits;
        return NULL;
    case WG_I64:
        if ((why = parse_int(text, 64, &bits))) return why;
        out->of.i64 = (int64_t)bits;
        return NULL;
    case WG_F32:
        if ((why = parse_float(text, &f32_layout, &bits))) return why;
        out->of.f32_bits = (uint32_t)bits;
        return NULL;
    case WG_F64:
        if ((why = parse_float(text, &f64_layout, &bits))) return why;
        out->of.f64_bits = bits;
        return NULL;
    case WG_FUNCREF:
    case WG_EXTERNREF:
        if (strcmp(text, "null") != 0) return "only null can be given for a reference";
        return NULL; /* memset left the NULL reference */
    case WG_V128:
        return "v128 values are not supported on the command line";
    }
    return "unknown value type";
}

/* NaN and infinity by their bits; NULL if bits is a finite number. */
static char *format_special(uint64_t bits, const float_layout *fl, char *buf, size_t size) {
    if ((bits & fl->exp_mask) != fl->exp_mask) return NULL;
    const char *sign = (bits & fl->sign) ? "-" : "";
    uint64_t mant = bits & fl->mant_mask;
    if (mant == 0) snprintf(buf, size, "%sinf", sign);
    else if (mant == fl->quiet) snprintf(buf, size, "%snan", sign);
    else snprintf(buf, size, "%snan:0x%" PRIx64, sign, mant);
    return buf;
}

/* True if text reads back (strtof/strtod) to exactly these bits. */
static bool reads_back(const char *text, uint64_t bits, const float_layout *fl) {
    if (fl->bits == 32) {
        float f = strtof(text, NULL);
        uint32_t b;
        memcpy(&b, &f, sizeof b);
        return b == bits;
    }
    double d = strtod(text, NULL);
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b == bits;
}

/* A finite float in the shortest "%.Ng" that reads back to the same bits
 * (9 digits always do for f32, 17 for f64). Where that is an exponent form
 * of a number below 10^maxdigits ("1e+02"), the plain digits ("100") read
 * back too and are easier to read, so those are printed. */
static void format_finite(uint64_t bits, const float_layout *fl, char *buf, size_t size) {
    int maxprec = fl->bits == 32 ? 9 : 17, prec;
    double d;
    if (fl->bits == 32) {
        uint32_t b = (uint32_t)bits;
        float f;
        memcpy(&f, &b, sizeof f);
        d = f;
    } else {
        memcpy(&d, &bits, sizeof d);
    }
    for (prec = 1; prec < maxprec; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (reads_back(buf, bits, fl)) break;
    }
    if (prec == maxprec) snprintf(buf, size, "%.*g", prec, d);
    const char *e = strchr(buf, 'e');
    int exp10 = e ? atoi(e + 1) : -1;
    if (exp10 >= 0 && exp10 < maxprec) {
        char plain[CLI_VALUE_MAX];
        snprintf(plain, sizeof plain, "%.*g", exp10 + 1, d);
        if (reads_back(plain, bits, fl)) snprintf(buf, size, "%s", plain);
    }
}

char *cli_format_value(const wg_val *v, char *buf, size_t size) {
    if (!size) return buf;
    switch (v->type) {
    case WG_I32:
        snprintf(buf, size, "%" PRId32, v->of.i32);
        break;
    case WG_I64:
        snprintf(buf, size, "%" PRId64, v->of.i64);
        break;
    case WG_F32:
        if (!format_special(v->of.f32_bits, &f32_layout, buf, size))
            format_finite(v->of.f32_bits, &f32_layout, buf, size);
        break;
    case WG_F64:
        if (!format_special(v->of.f64_bits, &f64_layout, buf, size))
            format_finite(v->of.f64_bits, &f64_layout, buf, size);
        break;
    case WG_FUNCREF:
        snprintf(buf, size, "%s", v->of.funcref ? "ref" : "null");
        break;
    case WG_EXTERNREF:
        snprintf(buf, size, "%s", v->of.externref ? "ref" : "null");
        break;
    default:
        snprintf(buf, size, "<%s>", cli_valtype_name(v->type));
        break;
    }
    return buf;
}

/* Appends s at buf+*len, truncating; keeps *len <= size-1. */
static void append(char *buf, size_t size, size_t *len, const char *s) {
    snprintf(buf + *len, size - *len, "%s", s);
    *len += strlen(buf + *len);
}

/* Appends the types list "(a, b)". */
static void append_types(char *buf, size_t size, size_t *len, const uint8_t *types, uint32_t n) {
    append(buf, size, len, "(");
    for (uint32_t i = 0; i < n; i++) {
        if (i) append(buf, size, len, ", ");
        append(buf, size, len, cli_valtype_name((wg_valtype)types[i]));
    }
    append(buf, size, len, ")");
}

char *cli_format_functype(const wg_functype_view *ft, char *buf, size_t size) {
    size_t len = 0;
    if (!size) return buf;
    buf[0] = '\0';
    append_types(buf, size, &len, ft->params, ft->nparams);
    append(buf, size, &len, " -> ");
    append_types(buf, size, &len, ft->results, ft->nresults);
    return buf;
}

char *cli_format_name(const char *name, size_t len, char *buf, size_t size) {
    size_t o = 0;
    if (!size) return buf;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        char piece[4];
        size_t plen;
        if (c < 0x20 || c == 0x7f || c == '\\' || c == '"') {
            snprintf(piece, sizeof piece, "\\%02x", c);
            plen = 3;
        } else {
            piece[0] = (char)c;
            plen = 1;
        }
        if (o + plen + 1 > size) {
            /* Truncate with a visible mark if there is room for one. */
            if (size >= 4) {
                o = o > size - 4 ? size - 4 : o;
                memcpy(buf + o, "...", 3);
                o += 3;
            }
            break;
        }
        memcpy(buf + o, piece, plen);
        o += plen;
    }
    buf[o] = '\0';
    return buf;
}
