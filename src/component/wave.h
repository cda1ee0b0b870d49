/*
 * WAVE, the WebAssembly Value Encoding: the text form of Component Model
 * values that wasm-tools (the wasm-wave crate) and `wasmtime run --invoke`
 * read and write. wasmgate reads it for `run --invoke 'f("x")'` and writes
 * it for results.
 *
 * Grammar (wasm-wave's README and lexer; docs/component.md "WAVE" lists
 * where wasmgate differs):
 *
 *   bool      true | false
 *   integer   -?(0|[1-9][0-9]*), range-checked for the type; no sign on
 *             unsigned types (not even -0); no hex
 *   float     -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][-+]?[0-9]+)?, nan, inf, -inf
 *             (rounded once to the type; out of range becomes inf or 0)
 *   char      'x' or one escape: \' \" \\ \t \n \r \u{1-6 hex digits}
 *             (a Unicode scalar value: no surrogates, at most 10FFFF)
 *   string    "..." with the same escapes; no raw line break.
 *             """<line break> ... <line break><spaces>""" multi-line: the
 *             spaces before the closing """ are the indent every line loses
 *   list      [v, v,]          (trailing comma allowed; fixed-length lists
 *                               need exactly their length)
 *   tuple     (v, v,)
 *   record    {name: v, name: v,}  fields in any order, each once; fields
 *             of option type may be left out (none); {:} when none is left
 *   variant   case | case(v)   enum: case
 *   option    some(v) | none | v (when v's type is not an option or result)
 *   result    ok | ok(v) | err | err(v) | v (for ok, when the ok type exists
 *             and is not an option or result)
 *   flags     {a, b,} | {}    any order, each once
 *   labels    kebab-case words ([a-z][a-z0-9]* or [A-Z][A-Z0-9]* each);
 *             a leading % is allowed and needed for a variant or enum case
 *             named like a keyword (true false some none ok err inf nan)
 *   map       a list of (key, value) tuples (WAVE has no map syntax yet)
 *   comments  // to the end of the line; whitespace is space, tab, CR, LF
 *
 * Handles (own, borrow), streams, futures and error contexts cannot be
 * written: a parse fails with a message saying so. The printer writes them
 * as <own 7>, <borrow 7> (the representation) and <stream>, <future>,
 * <error-context>, which are not WAVE and never read back.
 *
 * Hostile input: nesting is bounded (WG_WAVE_MAX_DEPTH, as wasm-wave), so
 * recursion cannot exhaust the stack; memory grows with the input's size.
 */
#ifndef WG_COMPONENT_WAVE_H
#define WG_COMPONENT_WAVE_H

#include <stdbool.h>
#include <stddef.h>

#include "component/ctype.h"
#include "util/strbuf.h"
#include "wasmgate/component.h"

/* Values nested deeper than this are refused (wasm-wave's MAX_DEPTH). */
#define WG_WAVE_MAX_DEPTH 100

/* Why a parse failed: where (column = 0-based byte offset in the text of
 * the token at fault, len its length, possibly 0 at the end of the input)
 * and what was expected, e.g. "expected `,` or `]`, found `}`". */
typedef struct wg_wave_error {
    size_t column;
    size_t len;
    char message[256];
} wg_wave_error;

/* Parses text[0..len) (UTF-8) as one value of type t into *out (the caller
 * frees it with wg_cval_free). Nothing but whitespace and comments may
 * follow the value. False with *err filled (and *out left empty) on a
 * syntax error, a value that does not fit t, or out of memory. */
bool wg__wave_parse(const char *text, size_t len, const wg_ctype *t, wg_cval *out,
                    wg_wave_error *err);

/* ---- function calls ----------------------------------------------------------- */

/* Resolves a function name for wg__wave_parse_call: iface is the
 * instance (interface) name, NULL for a top-level function; func the
 * function's name. Returns its type, or NULL if there is none. */
typedef const wg_cfunctype *(*wg_wave_lookup)(void *ctx, const char *iface, const char *func);

/* A parsed call: `name(args)`. */
typedef struct wg_wave_call {
    char *iface;                 /* NULL: a top-level function */
    char *func;
    const wg_cfunctype *type;    /* what lookup returned */
    size_t nargs;                /* == type->nparams */
    wg_cval *args;
} wg_wave_call;

/* Parses a call: NAME(ARG, ...) where NAME is one of
 *   func                      a top-level export
 *   iface#func                a function of an exported instance, iface being
 *   ns:pkg/iface@1.2.3#func   any instance name (the Component Model's form)
 *   iface.func, ns:pkg/iface.func@1.2.3   (wasm-wave's / wit-parser's form)
 * and each ARG is WAVE for the parameter's type. Trailing parameters of
 * option type may be left out (none). Errors point at the name (unknown
 * function), at the argument at fault, or at the `)` where one is missing. */
bool wg__wave_parse_call(const char *text, size_t len, wg_wave_lookup lookup, void *ctx,
                         wg_wave_call *out, wg_wave_error *err);
void wg__wave_call_free(wg_wave_call *c);

/* A wg_wave_lookup over a component's exports; ctx is its type (a
 * const wg_ccomptype *, component_int.h). A top-level name is a function
 * export; iface names an exported instance exactly, or, when only one
 * exported instance fits, without its @version (ns:pkg/iface) or by its
 * interface name alone (iface). */
const wg_cfunctype *wg__wave_lookup_export(void *ctx, const char *iface, const char *func);

/* The full name of the exported instance that iface names for
 * wg__wave_lookup_export ("base" -> "wasi:demo/base@1.0.0"), owned by the
 * component, or NULL: what a caller instantiating the component gives
 * wg_cinstance_func. ctx as for wg__wave_lookup_export. */
const char *wg__wave_export_instance(const void *ctx, const char *iface);

/* ---- printing ------------------------------------------------------------------- */

/* Appends the WAVE text of v (of type t) to out, as wasm-tools writes it:
 * `{a: 1, b: "x"}`, `[1, 2]`, `some(1)`, `ok`, `%none` for a case named
 * like a keyword, record fields holding none left out, floats in the
 * shortest form that reads back to the same bits in plain positional
 * notation ("0.1", "-0", "100000000000000000000"), strings and chars with
 * \" \' \\ \t \n \r and \u{..} for control, unprintable and combining
 * characters. False when v does not have t's shape (kind, case, length),
 * or out of memory (out->oom). */
bool wg__wave_print(wg_strbuf *out, const wg_cval *v, const wg_ctype *t);

/* The same as a malloc'd NUL-terminated string (length in *len if non-NULL);
 * NULL on a shape mismatch or out of memory. */
char *wg__wave_to_string(const wg_cval *v, const wg_ctype *t, size_t *len);

#endif
