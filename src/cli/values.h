/*
 * The command line's text <-> wg_val conversions, kept free of I/O and of the
 * engine so that tests/cli/test_cli_values.c can check them alone.
 *
 * Argument syntax, by parameter type:
 *   i32, i64   decimal, signed or unsigned, within the type's range
 *              (i32: -2147483648 .. 4294967295), or [-]0x hex (at most the
 *              type's width: 0xffffffff is i32 -1)
 *   f32, f64   anything strtod reads, hex floats included (0x1.8p3), rounded
 *              once to the type; nan, -nan (the canonical NaN), nan:0xPAYLOAD
 *              (exact mantissa bits, non-zero, fitting the mantissa), inf, -inf
 *   funcref, externref   null (the only reference a command line can name)
 *
 * Result format: integers as signed decimal; floats in the shortest "%.Ng"
 * that reads back to the same bits (plain digits rather than an exponent
 * below 10^9 for f32, 10^17 for f64: "100", not "1e+02"); nan / -nan for
 * canonical NaNs,
 * nan:0x... / -nan:0x... for other payloads; inf / -inf; references as null
 * or ref. Every value printed reads back with cli_parse_value.
 */
#ifndef WG_CLI_VALUES_H
#define WG_CLI_VALUES_H

#include <stddef.h>

#include "wasmgate/wasmgate.h"

/* Longest text cli_format_value writes, NUL included. */
#define CLI_VALUE_MAX 48

/* The text form of a value type ("i32", "funcref", ...); "?" if unknown. */
const char *cli_valtype_name(wg_valtype type);

/* Parses text as a value of the given type into *out. Returns NULL on
 * success, else a static phrase saying what is wrong ("out of range for
 * i32", ...), without the text itself. */
const char *cli_parse_value(wg_valtype type, const char *text, wg_val *out);

/* Writes the text form of v into buf (size >= CLI_VALUE_MAX recommended;
 * always NUL-terminated when size > 0). Returns buf. */
char *cli_format_value(const wg_val *v, char *buf, size_t size);

/* Writes "(i32, f64) -> (i64)" for a signature into buf (always
 * NUL-terminated when size > 0). Returns buf. */
char *cli_format_functype(const wg_functype_view *ft, char *buf, size_t size);

/* Writes name[0..len) for people into buf: printable ASCII and UTF-8 bytes
 * stay, '\\', '"' and control bytes become \hh (as in the text format).
 * Always NUL-terminated when size > 0; a name too long ends in "...".
 * Returns buf. */
char *cli_format_name(const char *name, size_t len, char *buf, size_t size);

#endif
