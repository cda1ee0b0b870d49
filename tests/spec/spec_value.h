/*
 * Values of the spec test scripts (wast2json 1.0.32 format, see
 * ../shared/conformance/spec/README.md "Values"): parsing the JSON form into
 * wg_val arguments and expectations, comparing results bit-exactly, and
 * printing values for diagnostics.
 *
 * Every numeric `value` is a string holding the unsigned decimal of the bit
 * pattern. Float expectations may also be "nan:canonical" / "nan:arithmetic".
 * A host reference `ref.extern N` travels as the pointer (void *)(N + 1), so
 * that N = 0 is not the null reference.
 */
#ifndef WG_SPEC_VALUE_H
#define WG_SPEC_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "wasmgate/wasmgate.h"

/* How an expected value is matched. */
typedef enum spec_match {
    SPEC_MATCH_EXACT = 0,       /* same type and same bits */
    SPEC_MATCH_NAN_CANONICAL,   /* f32/f64 NaN with only the top mantissa bit set, any sign */
    SPEC_MATCH_NAN_ARITHMETIC,  /* f32/f64 NaN with the top mantissa bit set, any sign */
    SPEC_MATCH_ANY_REF,         /* a funcref without a value: any non-null reference */
} spec_match;

/* One expected result. */
typedef struct spec_expect {
    wg_val val;                 /* the value (val.type is always set) */
    spec_match match;           /* how to compare */
} spec_expect;

/* Parses an argument object {"type": T, "value": V} into *out. On failure
 * (unknown type, v128, bad number) returns false and writes why into why[n]. */
bool spec_parse_arg(const cJSON *j, wg_val *out, char *why, size_t n);

/* Parses an expected-result object into *out (NaN patterns allowed). Same
 * failure convention as spec_parse_arg. */
bool spec_parse_expect(const cJSON *j, spec_expect *out, char *why, size_t n);

/* True if `got` satisfies `want`. */
bool spec_val_matches(const wg_val *got, const spec_expect *want);

/* Writes "TYPE:VALUE" for v into buf[n] (floats as hex bits plus a %g
 * rendering, references as null/ref). Returns buf. */
const char *spec_val_format(const wg_val *v, char *buf, size_t n);

/* Same for an expectation (prints nan:canonical etc. when not exact). */
const char *spec_expect_format(const spec_expect *e, char *buf, size_t n);

/* Name of a value type ("i32", ..., "?" if unknown). Never NULL. */
const char *spec_type_name(int type);

#endif
