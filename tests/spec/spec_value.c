/*
 * Values of the spec test scripts: parsing, matching, printing. See spec_value.h.
 */
#include "spec_value.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *spec_type_name(int type)
{
    switch (type) {
    case WG_I32: return "i32";
    case WG_I64: return "i64";
    case WG_F32: return "f32";
    case WG_F64: return "f64";
    case WG_V128: return "v128";
    case WG_FUNCREF: return "funcref";
    case WG_EXTERNREF: return "externref";
    default: return "?";
    }
}

/* Maps a JSON type name to a wg_valtype; returns false if unknown. */
static bool type_from_name(const char *s, wg_valtype *out)
{
    static const struct { const char *name; wg_valtype type; } types[] = {
        {"i32", WG_I32}, {"i64", WG_I64}, {"f32", WG_F32}, {"f64", WG_F64},
        {"v128", WG_V128}, {"funcref", WG_FUNCREF}, {"externref", WG_EXTERNREF},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (strcmp(s, types[i].name) == 0) {
            *out = types[i].type;
            return true;
        }
    }
    return false;
}

/* Parses an unsigned decimal of at most `max`; false on anything else
 * (sign, spaces, empty, overflow). */
static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (s[0] < '0' || s[0] > '9')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        return false;
    *out = v;
    return true;
}

/* The common part of argument and expectation parsing. allow_nan permits the
 * NaN patterns (written to *match); otherwise *match stays EXACT. */
static bool parse_value(const cJSON *j, wg_val *out, spec_match *match, bool allow_nan,
                        char *why, size_t n)
{
    memset(out, 0, sizeof *out);
    *match = SPEC_MATCH_EXACT;
    const cJSON *jt = cJSON_GetObjectItemCaseSensitive(j, "type");
    if (!cJSON_IsString(jt)) {
        snprintf(why, n, "value without a type");
        return false;
    }
    if (!type_from_name(jt->valuestring, &out->type)) {
        snprintf(why, n, "unknown value type \"%s\"", jt->valuestring);
        return false;
    }
    if (out->type == WG_V128) {
        snprintf(why, n, "v128 not supported");
        return false;
    }
    const cJSON *jv = cJSON_GetObjectItemCaseSensitive(j, "value");
    if (jv == NULL && (out->type == WG_FUNCREF || out->type == WG_EXTERNREF) && allow_nan) {
        *match = SPEC_MATCH_ANY_REF;
        return true;
    }
    if (!cJSON_IsString(jv)) {
        snprintf(why, n, "%s value is missing or not a string", spec_type_name(out->type));
        return false;
    }
    const char *s = jv->valuestring;
    uint64_t bits = 0;
    switch (out->type) {
    case WG_I32:
    case WG_F32:
    case WG_I64:
    case WG_F64: {
        bool is32 = out->type == WG_I32 || out->type == WG_F32;
        bool isfloat = out->type == WG_F32 || out->type == WG_F64;
        if (isfloat && allow_nan && strcmp(s, "nan:canonical") == 0) {
            *match = SPEC_MATCH_NAN_CANONICAL;
            return true;
        }
        if (isfloat && allow_nan && strcmp(s, "nan:arithmetic") == 0) {
            *match = SPEC_MATCH_NAN_ARITHMETIC;
            return true;
        }
        if (!parse_u64(s, is32 ? UINT32_MAX : UINT64_MAX, &bits)) {
            snprintf(why, n, "bad %s value \"%s\"", spec_type_name(out->type), s);
            return false;
        }
        if (out->type == WG_I32)
            out->of.i32 = (int32_t)(uint32_t)bits;
        else if (out->type == WG_F32)
            out->of.f32_bits = (uint32_t)bits;
        else if (out->type == WG_I64)
            out->of.i64 = (int64_t)bits;
        else
            out->of.f64_bits = bits;
        return true;
    }
    case WG_FUNCREF:
        if (strcmp(s, "null") == 0) {
            out->of.funcref = NULL;
            return true;
        }
        snprintf(why, n, "unsupported funcref value \"%s\"", s);
        return false;
    case WG_EXTERNREF:
        if (strcmp(s, "null") == 0) {
            out->of.externref = NULL;
            return true;
        }
        if (!parse_u64(s, UINTPTR_MAX - 1, &bits)) {
            snprintf(why, n, "bad externref value \"%s\"", s);
            return false;
        }
        out->of.externref = (void *)(uintptr_t)(bits + 1);
        return true;
    default:
        snprintf(why, n, "unsupported value type %s", spec_type_name(out->type));
        return false;
    }
}

bool spec_parse_arg(const cJSON *j, wg_val *out, char *why, size_t n)
{
    spec_match match;
    return parse_value(j, out, &match, false, why, n);
}

bool spec_parse_expect(const cJSON *j, spec_expect *out, char *why, size_t n)
{
    return parse_value(j, &out->val, &out->match, true, why, n);
}

bool spec_val_matches(const wg_val *got, const spec_expect *want)
{
    if (got->type != want->val.type)
        return false;
    switch (want->match) {
    case SPEC_MATCH_NAN_CANONICAL:
        if (got->type == WG_F32)
            return (got->of.f32_bits & UINT32_C(0x7fffffff)) == UINT32_C(0x7fc00000);
        return (got->of.f64_bits & UINT64_C(0x7fffffffffffffff)) == UINT64_C(0x7ff8000000000000);
    case SPEC_MATCH_NAN_ARITHMETIC:
        if (got->type == WG_F32)
            return (got->of.f32_bits & UINT32_C(0x7fc00000)) == UINT32_C(0x7fc00000);
        return (got->of.f64_bits & UINT64_C(0x7ff8000000000000)) == UINT64_C(0x7ff8000000000000);
    case SPEC_MATCH_ANY_REF:
        return got->type == WG_FUNCREF ? got->of.funcref != NULL : got->of.externref != NULL;
    case SPEC_MATCH_EXACT:
        break;
    }
    switch (got->type) {
    case WG_I32: return got->of.i32 == want->val.of.i32;
    case WG_I64: return got->of.i64 == want->val.of.i64;
    case WG_F32: return got->of.f32_bits == want->val.of.f32_bits;
    case WG_F64: return got->of.f64_bits == want->val.of.f64_bits;
    case WG_FUNCREF: return got->of.funcref == want->val.of.funcref;
    case WG_EXTERNREF: return got->of.externref == want->val.of.externref;
    default: return false;
    }
}

const char *spec_val_format(const wg_val *v, char *buf, size_t n)
{
    switch (v->type) {
    case WG_I32:
        snprintf(buf, n, "i32:%" PRIu32 " (%" PRId32 ")", (uint32_t)v->of.i32, v->of.i32);
        break;
    case WG_I64:
        snprintf(buf, n, "i64:%" PRIu64 " (%" PRId64 ")", (uint64_t)v->of.i64, v->of.i64);
        break;
    case WG_F32: {
        float f;
        memcpy(&f, &v->of.f32_bits, sizeof f);
        snprintf(buf, n, "f32:0x%08" PRIx32 " (%.9g)", v->of.f32_bits, (double)f);
        break;
    }
    case WG_F64: {
        double d;
        memcpy(&d, &v->of.f64_bits, sizeof d);
        snprintf(buf, n, "f64:0x%016" PRIx64 " (%.17g)", v->of.f64_bits, d);
        break;
    }
    case WG_FUNCREF:
        if (v->of.funcref == NULL)
            snprintf(buf, n, "funcref:null");
        else
            snprintf(buf, n, "funcref:%p", (void *)v->of.funcref);
        break;
    case WG_EXTERNREF:
        if (v->of.externref == NULL)
            snprintf(buf, n, "externref:null");
        else
            snprintf(buf, n, "externref:%" PRIuPTR, (uintptr_t)v->of.externref - 1);
        break;
    default:
        snprintf(buf, n, "type 0x%02x:?", (unsigned)v->type);
        break;
    }
    return buf;
}

const char *spec_expect_format(const spec_expect *e, char *buf, size_t n)
{
    switch (e->match) {
    case SPEC_MATCH_NAN_CANONICAL:
        snprintf(buf, n, "%s:nan:canonical", spec_type_name(e->val.type));
        return buf;
    case SPEC_MATCH_NAN_ARITHMETIC:
        snprintf(buf, n, "%s:nan:arithmetic", spec_type_name(e->val.type));
        return buf;
    case SPEC_MATCH_ANY_REF:
        snprintf(buf, n, "%s:non-null", spec_type_name(e->val.type));
        return buf;
    case SPEC_MATCH_EXACT:
        break;
    }
    return spec_val_format(&e->val, buf, n);
}
