/*
 * Internal interface between the decoder's files (decode.c: module header,
 * section loop and the simple sections; decode_seg.c: constant expressions,
 * element, data and code sections; decode_names.c: custom sections, the
 * `name` section and UTF-8 checking). Nothing outside decode*.c includes it.
 */
#ifndef WG_WASM_DECODE_INT_H
#define WG_WASM_DECODE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasm/module.h"
#include "wasm/reader.h"

/* Section ids of the binary format. */
enum {
    WG_SEC_CUSTOM = 0, WG_SEC_TYPE = 1, WG_SEC_IMPORT = 2, WG_SEC_FUNCTION = 3,
    WG_SEC_TABLE = 4, WG_SEC_MEMORY = 5, WG_SEC_GLOBAL = 6, WG_SEC_EXPORT = 7,
    WG_SEC_START = 8, WG_SEC_ELEM = 9, WG_SEC_CODE = 10, WG_SEC_DATA = 11,
    WG_SEC_DATACOUNT = 12,
};

/* The state of one decoding run. */
typedef struct wg_dec {
    wg_module *m;            /* the module being filled */
    wg_error *err;           /* caller's error (may be NULL) */
    wg_reader r;             /* reader over the current section's payload */
    int sec_id;              /* current section id, -1 while outside any section */
    const char *item_kind;   /* "function", "segment", ... for messages, or NULL */
    uint32_t item;           /* index of the current item in its section */
    uint32_t ndef_funcs;     /* entries of the function section */
    bool has_func_sec;       /* a function section was seen */
    bool has_code_sec;       /* a code section was seen */
    bool has_data_sec;       /* a data section was seen */
    const uint8_t *names;    /* payload of the `name` custom section, or NULL */
    size_t names_len;
} wg_dec;

/* Records a decoding failure with message msg (the spec's wording), at byte
 * offset `offset` of the module, adding the current section/item as context.
 * kind is WG_ERR_MALFORMED or WG_ERR_INVALID. Always returns false. */
bool wg__dec_fail_at(wg_dec *d, int kind, size_t offset, const char *msg);

/* Same, at the reader's current position, kind WG_ERR_MALFORMED. */
bool wg__dec_fail(wg_dec *d, const char *msg);

/* Reports the failure the reader recorded (d->r.err at d->r.err_pos). */
bool wg__dec_reader_fail(wg_dec *d);

/* Records "out of memory" (kind WG_ERR_RESOURCE). Returns false. */
bool wg__dec_oom(wg_dec *d);

/* Reads a vector length and checks it against the bytes left in the section
 * (each element takes at least one byte), so that no count makes the decoder
 * allocate more than the input justifies. */
bool wg__dec_count(wg_dec *d, uint32_t *out);

/* Reads a value type byte (i32 i64 f32 f64 v128 funcref externref). */
bool wg__dec_valtype(wg_dec *d, uint8_t *out);

/* Reads a reference type byte (funcref or externref). */
bool wg__dec_reftype(wg_dec *d, uint8_t *out);

/* Reads a name (vec(byte), valid UTF-8); *out points into the module bytes. */
bool wg__dec_name(wg_dec *d, const char **out, uint32_t *len);

/* True if s[0..len) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool wg__utf8_valid(const uint8_t *s, size_t len);

/* Decodes a constant expression up to and including its `end` into *out
 * (ops malloc'ed, owned by the module once stored there; freed by the caller
 * on failure is not needed: *out is left empty on failure). */
bool wg__dec_const_expr(wg_dec *d, wg_constexpr *out);

/* Section payload decoders (d->r spans the payload). */
bool wg__dec_elem_section(wg_dec *d);
bool wg__dec_data_section(wg_dec *d);
bool wg__dec_code_section(wg_dec *d);
bool wg__dec_custom_section(wg_dec *d);

/* Parses the `name` section remembered in d->names (if any) into
 * m->module_name and m->func_names. A malformed name section is ignored (the
 * fields stay NULL). Returns false only when out of memory. */
bool wg__dec_name_section(wg_dec *d);

#endif
