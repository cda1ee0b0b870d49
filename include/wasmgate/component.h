/*
 * wasmgate — Component Model values for embedders.
 *
 * A wg_cval is one component-model value (a WIT value) as a tree: what a
 * host passes to an exported component function and gets back, and what a
 * host function receives and returns. Its kind is one of wg_ctype_kind
 * (src/component/ctype.h, mirrored here as WG_CV_*); the function's WIT
 * signature says which kind each argument must have, and calls check it.
 *
 * Ownership: a value owns everything it points to (strings, item arrays,
 * payloads): wg_cval_free releases the tree (not the top wg_cval itself,
 * which is usually on the caller's stack or in an array the caller owns).
 *
 *   string   of.str: UTF-8 bytes (not NUL-terminated; len bytes), valid
 *   list     of.seq: items; also fixed-length lists
 *   bytes    of.bytes: a list<u8> in one buffer (WG_CV_BYTES, below)
 *   tuple    of.seq: members in order
 *   record   of.seq: fields in the type's order
 *   map      of.seq: items, each a tuple of key and value
 *   variant  of.var: case index and payload (NULL when the case has none)
 *   enum     of.var: case index, payload NULL
 *   option   of.var: 0 none / 1 some, payload when some
 *   result   of.var: 0 ok / 1 error, payload when that side has a type
 *   flags    of.flags: bit i set = label i present
 *   own,     of.handle: the resource's representation (rep) and its runtime
 *   borrow   resource type; a host function receiving an own takes it over
 */
#ifndef WASMGATE_COMPONENT_H
#define WASMGATE_COMPONENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/wasmgate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The same numbers as wg_ctype_kind. */
enum {
    WG_CV_BOOL = 1, WG_CV_S8, WG_CV_U8, WG_CV_S16, WG_CV_U16, WG_CV_S32, WG_CV_U32,
    WG_CV_S64, WG_CV_U64, WG_CV_F32, WG_CV_F64, WG_CV_CHAR, WG_CV_STRING,
    WG_CV_ERROR_CONTEXT, WG_CV_LIST, WG_CV_RECORD, WG_CV_TUPLE, WG_CV_VARIANT,
    WG_CV_ENUM, WG_CV_OPTION, WG_CV_RESULT, WG_CV_FLAGS, WG_CV_OWN, WG_CV_BORROW,
    WG_CV_STREAM, WG_CV_FUTURE, WG_CV_MAP,
    /* A list<u8> as one byte buffer (of.bytes) instead of a wg_cval per
     * byte: every list<u8> (not a fixed-length list<u8, N>) is lifted in
     * this form, so a host function receiving 64 KiB gets one buffer; a host
     * may give a list<u8> in either form. wg_cval_equal treats it as equal
     * to the list of the same u8 items. */
    WG_CV_BYTES = 0x40,
};

/* A runtime resource type (opaque): one per resource definition per
 * component instance, or one per host resource type. */
typedef struct wg_rtype wg_rtype;

/* How a string was encoded in the guest memory it was lifted from (the
 * wg_cval field str_enc): the Canonical ABI sizes the realloc calls that
 * lower the string into another component from it, exactly as the
 * specification does with the (encoding, code units) pair it carries
 * (CanonicalABI.md, store_string_into_range). Hosts leave it 0. */
enum {
    WG_CV_ENC_UTF8 = 0,      /* UTF-8, or a value a host built */
    WG_CV_ENC_UTF16,         /* string-encoding=utf16 */
    WG_CV_ENC_LATIN1,        /* string-encoding=latin1+utf16, stored as Latin-1 */
    WG_CV_ENC_LATIN1_UTF16,  /* string-encoding=latin1+utf16, stored as UTF-16 */
};

typedef struct wg_cval {
    uint32_t kind;    /* WG_CV_* */
    uint32_t str_enc; /* strings only: WG_CV_ENC_* (above); not part of the value */
    union {
        bool b;
        int64_t s;      /* s8 .. s64 */
        uint64_t u;     /* u8 .. u64 */
        float f32;
        double f64;
        uint32_t c;     /* char: a Unicode scalar value */
        struct {
            char *data;
            size_t len;
        } str;
        struct {
            struct wg_cval *items;
            size_t n;
        } seq;
        struct {
            uint8_t *data;  /* malloc'ed (NULL only when len is 0 or out of memory) */
            size_t len;
        } bytes;
        struct {
            uint32_t disc;
            struct wg_cval *payload;
        } var;
        uint32_t flags;
        struct {
            uint32_t rep;
            const wg_rtype *type;
        } handle;
    } of;
} wg_cval;

/* Frees what v owns (children, strings) and leaves v as an empty bool.
 * NULL is a no-op. Handles own no memory: freeing an own does not drop the
 * resource it stands for. */
void wg_cval_free(wg_cval *v);

/* Deep copy of src into *dst. False when out of memory (dst then empty). */
bool wg_cval_copy(wg_cval *dst, const wg_cval *src);

/* Deep equality: kinds, numbers (floats by bits, but every NaN equals every
 * NaN), strings (str_enc ignored), children. */
bool wg_cval_equal(const wg_cval *a, const wg_cval *b);

/* Constructors for the leaves (no allocation except strings). */
wg_cval wg_cval_bool(bool b);
wg_cval wg_cval_s(uint32_t kind, int64_t v);   /* WG_CV_S8 .. WG_CV_S64 */
wg_cval wg_cval_u(uint32_t kind, uint64_t v);   /* WG_CV_U8 .. WG_CV_U64 */
wg_cval wg_cval_f32(float v);
wg_cval wg_cval_f64(double v);
wg_cval wg_cval_char(uint32_t c);
/* A string copied from data[0..len); kind stays WG_CV_STRING with data NULL
 * (and len 0) when out of memory: check with wg_cval_ok. */
wg_cval wg_cval_string(const char *data, size_t len);
/* A list<u8> (WG_CV_BYTES) copied from data[0..len); data NULL with len > 0
 * when out of memory (wg_cval_ok). */
wg_cval wg_cval_bytes(const void *data, size_t len);
/* An own / borrow handle of a resource: rep is the resource's representation
 * (for a host resource, whatever number the host chose), rt its type. */
wg_cval wg_cval_own(uint32_t rep, const wg_rtype *rt);
wg_cval wg_cval_borrow(uint32_t rep, const wg_rtype *rt);
/* A list / tuple / record / map of n items, all zero (bool false) for the
 * caller to fill; items NULL when out of memory and n > 0. */
wg_cval wg_cval_seq(uint32_t kind, size_t n);
/* A variant / enum / option / result with case disc. *payload (may be NULL)
 * is moved into a new allocation: the tree it owns now belongs to the result,
 * and *payload is left empty. When that allocation fails the payload tree is
 * freed and the result is marked out of memory (wg_cval_ok). */
wg_cval wg_cval_var(uint32_t kind, uint32_t disc, wg_cval *payload);

/* False if a constructor above failed for lack of memory somewhere in v. */
bool wg_cval_ok(const wg_cval *v);

/* ---- compiled components ---------------------------------------------------- */

/* A component decoded, validated and compiled (its core modules compiled
 * with wg_module_new): immutable, shareable by threads, like wg_module. */
typedef struct wg_component wg_component;

/* What a binary holds, from its 8-byte preamble: a core module (version 1,
 * layer 0), a component (version 0x0d, layer 1), or neither. */
typedef enum wg_binary_kind {
    WG_BINARY_UNKNOWN = 0,
    WG_BINARY_MODULE,
    WG_BINARY_COMPONENT,
} wg_binary_kind;
wg_binary_kind wg_binary_kind_of(const uint8_t *bytes, size_t len);

/* Decodes and validates a component (Binary.md, Explainer.md). The bytes
 * are not kept: the caller may free them afterwards. Returns NULL and fills
 * err (kind WG_ERR_MALFORMED, WG_ERR_INVALID or WG_ERR_RESOURCE; message
 * "component section 0x7 (type), offset 0x1a: ...") on failure. Component
 * values and start functions (🪙) are not supported and rejected. */
wg_component *wg_component_new(const uint8_t *bytes, size_t len, wg_error *err);
void wg_component_free(wg_component *c);

#ifdef __cplusplus
}
#endif
#endif
