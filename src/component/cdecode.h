/*
 * The component binary decoder (Binary.md), shared by cdecode*.c:
 *   cdecode.c        preamble, section loop, core module / core instance /
 *                    component / instance / alias / start / import / export
 *                    sections, names and extern types
 *   cdecode_types.c  type and core type sections (deftype, declarators)
 *   cdecode_canon.c  canon section
 *   cdecode_names.c  custom sections, the `component-name` section
 *
 * The decoder checks the binary format only; it builds a wg_cdef per
 * component (component_int.h) whose items hold the immediates, and leaves
 * everything that needs index spaces or types to the validator.
 *
 * Every read is bounded by the current section; a vector count is checked
 * against the bytes left before anything is allocated for it; recursion
 * (nested components, nested component/instance/module types) is bounded
 * by WG_CDEC_MAX_DEPTH.
 */
#ifndef WG_COMPONENT_CDECODE_H
#define WG_COMPONENT_CDECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "component/component_int.h"
#include "wasm/reader.h"

/* Nesting bound for components within components and type declarators
 * within type declarators, together. */
#define WG_CDEC_MAX_DEPTH 64

typedef struct wg_cdec {
    wg_reader r;              /* bounded by the current section */
    wg_error *err;
    struct wg_component *comp;
    wg_arena *arena;
    int sec;                  /* current section id, -1 outside sections */
    uint32_t depth;           /* current nesting */
} wg_cdec;

/* ---- errors (always return false) ---- */

/* A MALFORMED error at offset, with the section context:
 * "component section 0x7 (type), offset 0x1a: MESSAGE". */
bool wg__cdec_fail_at(wg_cdec *d, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same with an explicit error kind (INVALID for unsupported features). */
bool wg__cdec_fail_kind(wg_cdec *d, int kind, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The reader's recorded failure (end of input, LEB128 rules). */
bool wg__cdec_reader_fail(wg_cdec *d);
bool wg__cdec_oom(wg_cdec *d);
/* "invalid leading byte (0xNN) for WHAT" at the byte just read. */
bool wg__cdec_bad_byte(wg_cdec *d, uint8_t b, const char *what);

/* The name of a component section id, for messages. */
const char *wg__csection_name(int id);

/* ---- small readers ---- */

bool wg__cdec_byte(wg_cdec *d, uint8_t *out);
bool wg__cdec_u32(wg_cdec *d, uint32_t *out);
/* A vector count, at most the bytes left (each element takes one at least). */
bool wg__cdec_count(wg_cdec *d, uint32_t *out);
/* A UTF-8 name (core:name), copied into the arena. */
bool wg__cdec_name(wg_cdec *d, wg_cstr *out);
/* 0x00 / 0x01 as false / true ("invalid boolean value" otherwise). */
bool wg__cdec_bool(wg_cdec *d, bool *out);
/* A component valtype: a primitive opcode (| WG_RAW_PRIM) or a type index. */
bool wg__cdec_valtype(wg_cdec *d, uint32_t *out);
/* <valtype>?: 0x00 (WG_RAW_NONE) or 0x01 valtype. */
bool wg__cdec_opt_valtype(wg_cdec *d, uint32_t *out);
/* A core value type byte (i32 .. externref); GC types are not supported. */
bool wg__cdec_core_valtype(wg_cdec *d, uint8_t *out);
/* nameattributes. */
bool wg__cdec_nameattrs(wg_cdec *d, wg_crawname *out);
/* externtype. */
bool wg__cdec_extern(wg_cdec *d, wg_crawextern *out);
/* A sort (component sort or 0x00 + core sort) as WG_CS_*. */
bool wg__cdec_sort(wg_cdec *d, uint8_t *out, const char *what);
/* An alias (also a component/instance type declarator). */
bool wg__cdec_alias(wg_cdec *d, wg_crawalias *out);

/* ---- productions of cdecode_types.c ---- */

/* A `type` (deftype); depth-bounded through declarators. */
bool wg__cdec_deftype(wg_cdec *d, const wg_crawtype **out);
/* A core:type (function type, 0x00-prefixed sub type, or module type). */
bool wg__cdec_core_type(wg_cdec *d, const wg_crawcoretype **out);
/* core:externtype / importdesc (after the kind byte has been read). */
bool wg__cdec_core_ext(wg_cdec *d, uint8_t kind, wg_crawcoreext *out);

/* ---- cdecode_canon.c ---- */

bool wg__cdec_canon(wg_cdec *d, wg_ccanon *out);

/* ---- cdecode_names.c ---- */

/* A custom section payload (the reader is bounded to it): its name, and the
 * `component-name` section's contents into def (invalid ones ignored). */
bool wg__cdec_custom(wg_cdec *d, wg_cdef *def);

/* ---- cdecode.c ---- */

/* Decodes the component binary bytes[start, end) (preamble included) of
 * the top-level input, as a nested component of parent (NULL: the root). */
wg_cdef *wg__cdec_component(wg_cdec *d, wg_cdef *parent, size_t start, size_t end);

#endif
