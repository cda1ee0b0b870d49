/*
 * Unit tests of the command line's value parser and formatter
 * (src/cli/values.c): exact bit patterns for every argument form, range
 * limits, and the round trip format -> parse over many random bit patterns,
 * NaNs with payloads included.
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "cli/values.h"
#include "wg_test.h"

/* Parses text as type t; checks that it succeeds. */
static wg_val parse_ok(wg_valtype t, const char *text) {
    wg_val v;
    const char *why = cli_parse_value(t, text, &v);
    if (why) {
        char m[256];
        snprintf(m, sizeof m, "parse %s '%s' failed: %s", cli_valtype_name(t), text, why);
        wg_test_fail(__FILE__, __LINE__, m);
    }
    return v;
}

/* Parses text as type t; checks that it fails with a reason containing phrase. */
static void parse_fails(wg_valtype t, const char *text, const char *phrase) {
    wg_val v;
    const char *why = cli_parse_value(t, text, &v);
    char m[256];
    if (!why) {
        snprintf(m, sizeof m, "parse %s '%s' succeeded", cli_valtype_name(t), text);
        wg_test_fail(__FILE__, __LINE__, m);
    } else if (!strstr(why, phrase)) {
        snprintf(m, sizeof m, "parse %s '%s': \"%s\" lacks \"%s\"", cli_valtype_name(t), text, why, phrase);
        wg_test_fail(__FILE__, __LINE__, m);
    }
}

static const char *fmt(wg_val v) {
    static char buf[CLI_VALUE_MAX];
    return cli_format_value(&v, buf, sizeof buf);
}

static wg_val f32_of(uint32_t bits) { wg_val v = {.type = WG_F32}; v.of.f32_bits = bits; return v; }
static wg_val f64_of(uint64_t bits) { wg_val v = {.type = WG_F64}; v.of.f64_bits = bits; return v; }

#define CHECK_STR_EQ(a, b)                                                         \
    do {                                                                           \
        const char *a_ = (a), *b_ = (b);                                           \
        if (strcmp(a_, b_) != 0) {                                                 \
            char m_[256];                                                          \
            snprintf(m_, sizeof m_, "%s == \"%s\" (got \"%s\")", #a, b_, a_);      \
            wg_test_fail(__FILE__, __LINE__, m_);                                  \
        }                                                                          \
    } while (0)

WG_TEST(i32_forms) {
    CHECK_EQ_INT(parse_ok(WG_I32, "0").of.i32, 0);
    CHECK_EQ_INT(parse_ok(WG_I32, "-1").of.i32, -1);
    CHECK_EQ_INT(parse_ok(WG_I32, "+5").of.i32, 5);
    CHECK_EQ_INT(parse_ok(WG_I32, "-2147483648").of.i32, INT32_MIN);
    CHECK_EQ_INT(parse_ok(WG_I32, "4294967295").of.i32, -1);
    CHECK_EQ_INT(parse_ok(WG_I32, "2147483648").of.i32, INT32_MIN);
    CHECK_EQ_INT(parse_ok(WG_I32, "0xffffffff").of.i32, -1);
    CHECK_EQ_INT(parse_ok(WG_I32, "0XAbC").of.i32, 0xabc);
    CHECK_EQ_INT(parse_ok(WG_I32, "-0x80000000").of.i32, INT32_MIN);
    CHECK_EQ_INT(parse_ok(WG_I32, "007").of.i32, 7);
    parse_fails(WG_I32, "4294967296", "out of range for i32");
    parse_fails(WG_I32, "-2147483649", "out of range for i32");
    parse_fails(WG_I32, "-0x80000001", "out of range for i32");
    parse_fails(WG_I32, "99999999999999999999999", "out of range for i32");
    parse_fails(WG_I32, "", "no digits");
    parse_fails(WG_I32, "-", "no digits");
    parse_fails(WG_I32, "0x", "no digits");
    parse_fails(WG_I32, "12a", "not an integer");
    parse_fails(WG_I32, "0x1g", "not a hexadecimal integer");
    parse_fails(WG_I32, " 1", "not an integer");
    parse_fails(WG_I32, "--1", "not an integer");
}

WG_TEST(i64_forms) {
    CHECK(parse_ok(WG_I64, "18446744073709551615").of.i64 == -1);
    CHECK(parse_ok(WG_I64, "-9223372036854775808").of.i64 == INT64_MIN);
    CHECK(parse_ok(WG_I64, "9223372036854775807").of.i64 == INT64_MAX);
    CHECK(parse_ok(WG_I64, "0x8000000000000000").of.i64 == INT64_MIN);
    CHECK(parse_ok(WG_I64, "-0x8000000000000000").of.i64 == INT64_MIN);
    CHECK(parse_ok(WG_I64, "4294967296").of.i64 == INT64_C(4294967296));
    parse_fails(WG_I64, "18446744073709551616", "out of range for i64");
    parse_fails(WG_I64, "-9223372036854775809", "out of range for i64");
    parse_fails(WG_I64, "0x10000000000000000", "out of range for i64");
    parse_fails(WG_I64, "1e3", "not an integer");
}

WG_TEST(f32_forms) {
    CHECK_EQ_INT(parse_ok(WG_F32, "1").of.f32_bits, 0x3f800000);
    CHECK_EQ_INT(parse_ok(WG_F32, "-0").of.f32_bits, 0x80000000);
    CHECK_EQ_INT(parse_ok(WG_F32, "0x1.8p1").of.f32_bits, 0x40400000);
    CHECK_EQ_INT(parse_ok(WG_F32, ".5").of.f32_bits, 0x3f000000);
    CHECK_EQ_INT(parse_ok(WG_F32, "0.1").of.f32_bits, 0x3dcccccd);  /* rounded once, to f32 */
    CHECK_EQ_INT(parse_ok(WG_F32, "16777217").of.f32_bits, 0x4b800000);
    CHECK_EQ_INT(parse_ok(WG_F32, "1e-45").of.f32_bits, 0x00000001);
    CHECK_EQ_INT(parse_ok(WG_F32, "inf").of.f32_bits, 0x7f800000);
    CHECK_EQ_INT(parse_ok(WG_F32, "-Infinity").of.f32_bits, 0xff800000);
    CHECK_EQ_INT(parse_ok(WG_F32, "nan").of.f32_bits, 0x7fc00000);
    CHECK_EQ_INT(parse_ok(WG_F32, "-nan").of.f32_bits, 0xffc00000);
    CHECK_EQ_INT(parse_ok(WG_F32, "+nan:0x1").of.f32_bits, 0x7f800001);
    CHECK_EQ_INT(parse_ok(WG_F32, "-nan:0x7fffff").of.f32_bits, 0xffffffff);
    parse_fails(WG_F32, "nan:0x800000", "out of range for f32");
    parse_fails(WG_F32, "nan:0x0", "out of range for f32");
    parse_fails(WG_F32, "nan:1", "hexadecimal");
    parse_fails(WG_F32, "nan:0x", "hexadecimal");
    parse_fails(WG_F32, "nan(1)", "not a number");
    parse_fails(WG_F32, "1e39", "out of range for f32");
    parse_fails(WG_F32, "-1e39", "out of range for f32");
    parse_fails(WG_F32, "", "not a number");
    parse_fails(WG_F32, "1.5f", "not a number");
    parse_fails(WG_F32, " 1", "not a number");
    parse_fails(WG_F32, "infinite", "not a number");
}

WG_TEST(f64_forms) {
    CHECK(parse_ok(WG_F64, "0.1").of.f64_bits == UINT64_C(0x3fb999999999999a));
    CHECK(parse_ok(WG_F64, "-0x1p-1074").of.f64_bits == UINT64_C(0x8000000000000001));
    CHECK(parse_ok(WG_F64, "1.7976931348623157e308").of.f64_bits == UINT64_C(0x7fefffffffffffff));
    CHECK(parse_ok(WG_F64, "nan").of.f64_bits == UINT64_C(0x7ff8000000000000));
    CHECK(parse_ok(WG_F64, "-nan:0x4000000000000").of.f64_bits == UINT64_C(0xfff4000000000000));
    CHECK(parse_ok(WG_F64, "nan:0xfffffffffffff").of.f64_bits == UINT64_C(0x7fffffffffffffff));
    CHECK(parse_ok(WG_F64, "-inf").of.f64_bits == UINT64_C(0xfff0000000000000));
    parse_fails(WG_F64, "nan:0x10000000000000", "out of range for f64");
    parse_fails(WG_F64, "1e309", "out of range for f64");
}

WG_TEST(references) {
    wg_val v = parse_ok(WG_FUNCREF, "null");
    CHECK(v.type == WG_FUNCREF && v.of.funcref == NULL);
    v = parse_ok(WG_EXTERNREF, "null");
    CHECK(v.type == WG_EXTERNREF && v.of.externref == NULL);
    parse_fails(WG_EXTERNREF, "0", "only null");
    parse_fails(WG_V128, "0", "v128");
    CHECK_STR_EQ(fmt(v), "null");
    v.of.externref = &v;
    CHECK_STR_EQ(fmt(v), "ref");
}

WG_TEST(format_integers) {
    wg_val v = {.type = WG_I32};
    v.of.i32 = INT32_MIN;
    CHECK_STR_EQ(fmt(v), "-2147483648");
    v.type = WG_I64;
    v.of.i64 = INT64_MIN;
    CHECK_STR_EQ(fmt(v), "-9223372036854775808");
    v.of.i64 = -1;
    CHECK_STR_EQ(fmt(v), "-1");
}

WG_TEST(format_floats) {
    CHECK_STR_EQ(fmt(f32_of(0x3dcccccd)), "0.1");
    CHECK_STR_EQ(fmt(f32_of(0x3fc00000)), "1.5");
    CHECK_STR_EQ(fmt(f32_of(0x80000000)), "-0");
    CHECK_STR_EQ(fmt(f32_of(0x7f7fffff)), "3.4028235e+38");
    CHECK_STR_EQ(fmt(f32_of(0x00000001)), "1e-45");
    CHECK_STR_EQ(fmt(f32_of(0x7f800000)), "inf");
    CHECK_STR_EQ(fmt(f32_of(0xff800000)), "-inf");
    CHECK_STR_EQ(fmt(f32_of(0x7fc00000)), "nan");
    CHECK_STR_EQ(fmt(f32_of(0xffc00000)), "-nan");
    CHECK_STR_EQ(fmt(f32_of(0x7f800001)), "nan:0x1");
    CHECK_STR_EQ(fmt(f32_of(0xffa00000)), "-nan:0x200000");
    CHECK_STR_EQ(fmt(f64_of(UINT64_C(0x3fb999999999999a))), "0.1");
    CHECK_STR_EQ(fmt(f64_of(UINT64_C(0x3fd3333333333334))), "0.30000000000000004");
    CHECK_STR_EQ(fmt(f64_of(UINT64_C(0x0000000000000001))), "5e-324");
    CHECK_STR_EQ(fmt(f64_of(UINT64_C(0x7fefffffffffffff))), "1.7976931348623157e+308");
    CHECK_STR_EQ(fmt(f64_of(UINT64_C(0x7ff8000000000000))), "nan");
    CHECK_STR_EQ(fmt(f64_of(UINT64_C(0xfff8000000000001))), "-nan:0x8000000000001");
    CHECK_STR_EQ(fmt(f64_of(UINT64_C(0x4059000000000000))), "100");
}

/* xorshift64*: a fixed, portable sequence of test bit patterns. */
static uint64_t next_random(uint64_t *state) {
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * UINT64_C(0x2545F4914F6CDD1D);
}

/* Every bit pattern formats to text that parses back to the same bits.
 * Random patterns plus ones biased to NaN/inf exponents and to subnormals. */
WG_TEST(round_trip_random_bits) {
    uint64_t state = UINT64_C(0x9e3779b97f4a7c15);
    int bad32 = 0, bad64 = 0;
    for (int i = 0; i < 100000; i++) {
        uint64_t r = next_random(&state);
        uint32_t b32 = (uint32_t)r;
        uint64_t b64 = r;
        if (i % 4 == 1) { b32 |= 0x7f800000u; b64 |= UINT64_C(0x7ff0000000000000); }
        if (i % 4 == 2) { b32 &= 0x807fffffu; b64 &= UINT64_C(0x800fffffffffffff); }
        char text[CLI_VALUE_MAX];
        wg_val v = f32_of(b32), back;
        cli_format_value(&v, text, sizeof text);
        if (cli_parse_value(WG_F32, text, &back) || back.of.f32_bits != b32) {
            if (bad32++ < 5) {
                char m[128];
                snprintf(m, sizeof m, "f32 0x%08" PRIx32 " -> \"%s\" does not read back", b32, text);
                wg_test_fail(__FILE__, __LINE__, m);
            }
        }
        v = f64_of(b64);
        cli_format_value(&v, text, sizeof text);
        if (cli_parse_value(WG_F64, text, &back) || back.of.f64_bits != b64) {
            if (bad64++ < 5) {
                char m[128];
                snprintf(m, sizeof m, "f64 0x%016" PRIx64 " -> \"%s\" does not read back", b64, text);
                wg_test_fail(__FILE__, __LINE__, m);
            }
        }
        wg_val iv = {.type = WG_I64};
        iv.of.i64 = (int64_t)r;
        cli_format_value(&iv, text, sizeof text);
        if (cli_parse_value(WG_I64, text, &back) || back.of.i64 != (int64_t)r) {
            wg_test_fail(__FILE__, __LINE__, "i64 does not read back");
        }
    }
    CHECK_EQ_INT(bad32, 0);
    CHECK_EQ_INT(bad64, 0);
}

/* Printed floats are as short as "%.Ng" allows: 0.1f is "0.1", not
 * "0.100000001". */
WG_TEST(shortest_digits) {
    CHECK_STR_EQ(fmt(f32_of(0x3e4ccccd)), "0.2");
    CHECK_STR_EQ(fmt(f32_of(0x4b800001)), "16777218");
    CHECK_STR_EQ(fmt(f64_of(UINT64_C(0x3ff0000000000001))), "1.0000000000000002");
}

WG_TEST(functype_and_names) {
    uint8_t params[] = {WG_I32, WG_F64}, results[] = {WG_EXTERNREF};
    wg_functype_view ft = {2, 1, params, results};
    char buf[64];
    CHECK_STR_EQ(cli_format_functype(&ft, buf, sizeof buf), "(i32, f64) -> (externref)");
    wg_functype_view none = {0, 0, NULL, NULL};
    CHECK_STR_EQ(cli_format_functype(&none, buf, sizeof buf), "() -> ()");
    char tiny[8];
    CHECK_STR_EQ(cli_format_functype(&ft, tiny, sizeof tiny), "(i32, f");
    CHECK_STR_EQ(cli_format_name("a\nb\"c\\", 6, buf, sizeof buf), "a\\0ab\\22c\\5c");
    CHECK_STR_EQ(cli_format_name("x\0y", 3, buf, sizeof buf), "x\\00y");
    CHECK_STR_EQ(cli_format_name("h\xc3\xa9", 3, buf, sizeof buf), "h\xc3\xa9");
    CHECK_STR_EQ(cli_format_name("abcdefghij", 10, tiny, sizeof tiny), "abcd...");
}

WG_TEST_MAIN()
