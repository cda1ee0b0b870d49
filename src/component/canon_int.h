/*
 * Internals shared by the canon*.c files: failure reporting, the memory view,
 * realloc, despecialisation helpers and the per-node operations the loaders,
 * storers and flat lifters/lowerers call on each other.
 *
 * Trap messages are the reference tests' assert_trap texts. Where wasmtime
 * words one condition two ways (its host path and its adapter path, e.g.
 * "string pointer/length out of bounds of memory" and "string content
 * out-of-bounds"), the message holds both, adapter text first, so a
 * substring match on either passes (a runner printing "wasm trap: " before
 * the message also matches "wasm trap: unaligned pointer").
 */
#ifndef WG_COMPONENT_CANON_INT_H
#define WG_COMPONENT_CANON_INT_H

#include <string.h>

#include "component/canon.h"
#include "component/rtype.h"

#define WG_CANON_REALLOC_I32_MAX 0xffffffffull

/* ---- messages --------------------------------------------------------------- */

#define TM_REALLOC_ALIGN "unaligned pointer: realloc return: result not aligned"
#define TM_STRING_REALLOC_OOB "string content out-of-bounds: realloc return: beyond end of memory"
#define TM_LIST_REALLOC_OOB "list content out-of-bounds: realloc return: beyond end of memory"
#define TM_STRING_ALIGN "unaligned pointer: string pointer not aligned to 2"
#define TM_STRING_OOB "string content out-of-bounds: string pointer/length out of bounds of memory"
#define TM_STRING_LONG "string content out-of-bounds: %llu code units exceed the maximum byte length 2^28-1"
#define TM_LIST_ALIGN "unaligned pointer: list pointer not aligned to %u"
#define TM_LIST_OOB "list content out-of-bounds: list pointer/length out of bounds of memory"
#define TM_LIST_LONG "list content out-of-bounds: byte length exceeds the maximum 2^28-1"
#define TM_CHAR "invalid `char` bit pattern: %#x"
#define TM_DISC "invalid variant discriminant: discriminant %llu out of range [0..%u)"
#define TM_UNKNOWN_HANDLE "unknown handle index %u"
#define TM_LENT_OWN "cannot remove owned resource while borrowed"
#define TM_LENT_BORROW "cannot remove borrowed resource while it is lent"
#define TM_NOT_OWN "handle index %u is a borrow where an own handle is expected"
#define TM_TABLE_FULL "handle table full: at most %u handles"
#define TM_BORROWS_REMAIN "borrow handles still remain at the end of the call"
#define TM_ENTER "cannot enter component instance"
#define TM_LEAVE "cannot leave component instance"
#define TM_ASYNC "not supported yet: %s values (Component Model async)"

/* ---- failures ------------------------------------------------------------------ */

/* Fills trap (code WG_TRAP_HOST, the formatted message). Returns false. */
bool wg__canon_trapf(wg_trap *trap, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Out of memory (WG_TRAP_OUT_OF_MEMORY). Returns false. */
bool wg__canon_oom(wg_trap *trap);
/* A host value that does not match its type: "invalid value: ..." and
 * cx->bad_value. Returns false. */
bool wg__canon_bad(wg_canon_cx *cx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define CX_TRAP(cx, ...) wg__canon_trapf((cx)->trap, __VA_ARGS__)

/* The WIT name of a kind ("u32", "string", ...). */
const char *wg__canon_kind_name(uint32_t kind);

/* ---- memory --------------------------------------------------------------------- */

static inline bool cx_mem64(const wg_canon_cx *cx) {
    return cx->opts->mem64;
}
static inline uint32_t cx_psize(const wg_canon_cx *cx) {
    return cx->opts->mem64 ? 8 : 4;
}
static inline const wg_clayout *cx_lay(const wg_canon_cx *cx, const wg_ctype *t) {
    return &t->layout[cx->opts->mem64];
}
/* A pointer-typed core value: i32 pointers are the low 32 bits. */
static inline uint64_t cx_ptr(const wg_canon_cx *cx, uint64_t v) {
    return cx->opts->mem64 ? v : (uint32_t)v;
}

/* Re-reads the memory base and size (after every callback). */
void wg__canon_reload(wg_canon_cx *cx);
/* Traps when the options have no memory. */
bool wg__canon_need_mem(wg_canon_cx *cx);

static inline bool in_bounds(const wg_canon_cx *cx, uint64_t ptr, uint64_t len) {
    return len <= cx->mem_size && ptr <= cx->mem_size - len;
}
static inline bool aligned(uint64_t ptr, uint32_t align) {
    return (ptr & (align - 1)) == 0;
}
static inline uint64_t align_up(uint64_t n, uint32_t a) {
    return (n + a - 1) & ~(uint64_t)(a - 1);
}

/* Little-endian loads and stores; the caller checked the bounds. */
static inline uint64_t ld_int(const wg_canon_cx *cx, uint64_t ptr, uint32_t n) {
    const uint8_t *p = cx->mem + ptr;
    switch (n) {
    case 1: return p[0];
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}
static inline void st_int(wg_canon_cx *cx, uint64_t ptr, uint32_t n, uint64_t v) {
    uint8_t *p = cx->mem + ptr;
    switch (n) {
    case 1: p[0] = (uint8_t)v; break;
    case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
    default: memcpy(p, &v, 8); break;
    }
}

/* LiftLowerContext.reallocate: calls the realloc option with may_leave
 * cleared, then re-reads the memory. *ptr is the raw result (i32: zero-
 * extended); the caller checks alignment and bounds with its own message. */
bool wg__canon_realloc(wg_canon_cx *cx, uint64_t old, uint64_t old_size, uint32_t align,
                       uint64_t new_size, uint64_t *ptr);
/* realloc's result checks: alignment (TM_REALLOC_ALIGN), then bounds (oob_msg). */
bool wg__canon_check_alloc(wg_canon_cx *cx, uint64_t ptr, uint32_t align, uint64_t size,
                           const char *oob_msg);

/* ---- despecialisation ------------------------------------------------------------ */

/* The case count of a variant-like type (variant, enum, option, result). */
static inline uint32_t ct_ncases(const wg_ctype *t) {
    return t->kind == WG_CT_OPTION || t->kind == WG_CT_RESULT ? 2 : t->n;
}
/* The payload type of case i (NULL: none). */
static inline const wg_ctype *ct_case(const wg_ctype *t, uint32_t i) {
    switch (t->kind) {
    case WG_CT_OPTION: return i ? t->elem : NULL;
    case WG_CT_RESULT: return i ? t->elem2 : t->elem;
    case WG_CT_VARIANT: return t->fields[i].type;
    default: return NULL;
    }
}
/* The element layout of a map: tuple<key, value> (size, alignment, value offset). */
typedef struct wg_canon_pair {
    uint32_t size, align, voff;
} wg_canon_pair;
static inline wg_canon_pair ct_pair(const wg_canon_cx *cx, const wg_ctype *map) {
    const wg_clayout *k = cx_lay(cx, map->elem), *v = cx_lay(cx, map->elem2);
    wg_canon_pair p;
    p.align = k->align > v->align ? k->align : v->align;
    p.voff = (uint32_t)align_up(k->size, v->align);
    p.size = (uint32_t)align_up((uint64_t)p.voff + v->size, p.align);
    return p;
}
/* The layout of the tuple of ts[0..n) (spilled params/results). */
void wg__canon_tuple_layout(const wg_canon_cx *cx, const wg_cfield *ts, uint32_t n,
                            uint64_t *size, uint32_t *align);
/* The number of core values ts[0..n) flatten to, saturated at WG_CT_FLAT_MAX + 1. */
uint32_t wg__canon_flat_count(const wg_cfield *ts, uint32_t n, bool mem64);

/* Unhooks the borrow handles lowered into callee for call c (a call that
 * failed), so that c can go away. */
void wg__canon_call_detach(wg_canon_call *c, wg_canon_inst *callee);

/* ---- guest-to-guest views (canon_plain.c) ----------------------------------------- */

/* Internal value kinds, only ever inside a guest-to-guest call (cx->views):
 * of.str.data points into the source memory (stable for the call: the two
 * sides are different instances with different memories), of.str.len is
 * the byte length (a valid UTF-8 string) or the element count (a list of
 * plain elements, validated). They own nothing: wg_cval_free skips them. */
#define WG_CVX_STRING_VIEW 0x100u
#define WG_CVX_LIST_VIEW 0x101u

/* Whether t holds no pointer, handle or async value (canon_plain.c). */
bool wg__canon_is_plain(const wg_ctype *t);
/* The lift's traps over n plain values of type t at p. */
bool wg__canon_plain_validate(wg_canon_cx *cx, const uint8_t *p, uint64_t n, const wg_ctype *t);
/* store(load(src)) of n validated plain values of type t. */
void wg__canon_plain_copy(uint8_t *dst, const uint8_t *src, uint64_t n, const wg_ctype *t);

/* ---- the per-node operations ------------------------------------------------------ */

/* Checks that a host value v matches type t (kinds, ranges, UTF-8, counts,
 * resource types), failing with wg__canon_bad. The store/lower functions
 * below assume a checked value. */
bool wg__canon_check(wg_canon_cx *cx, const wg_cval *v, const wg_ctype *t);

/* load / store without the entry checks (ptr aligned and in bounds). */
bool wg__canon_load_at(wg_canon_cx *cx, uint64_t ptr, const wg_ctype *t, wg_cval *out);
bool wg__canon_store_at(wg_canon_cx *cx, const wg_cval *v, const wg_ctype *t, uint64_t ptr);

/* load_list_from_range / store_list_into_range (elem: the element type, or
 * the map whose tuple<k, v> is the element). */
bool wg__canon_load_list(wg_canon_cx *cx, uint64_t ptr, uint64_t len, const wg_ctype *t,
                         wg_cval *out);
bool wg__canon_store_list(wg_canon_cx *cx, const wg_cval *v, const wg_ctype *t,
                          uint64_t *ptr, uint64_t *len);

/* load_string_from_range / store_string_into_range. */
bool wg__canon_load_string(wg_canon_cx *cx, uint64_t ptr, uint64_t tagged, wg_cval *out);
bool wg__canon_store_string(wg_canon_cx *cx, const wg_cval *v, uint64_t *ptr,
                            uint64_t *tagged);

/* Handles: lift_own / lift_borrow (index -> value), lower_own / lower_borrow
 * (value -> index). */
bool wg__canon_lift_handle(wg_canon_cx *cx, uint32_t index, const wg_ctype *t, wg_cval *out);
bool wg__canon_lower_handle(wg_canon_cx *cx, const wg_cval *v, const wg_ctype *t,
                            uint32_t *index);
/* The trap for a handle of type got used as a want. Returns false. */
bool wg__canon_wrong_type(wg_trap *trap, uint32_t index, const wg_rtype *want,
                          const wg_rtype *got);
/* The runtime type bound to t's resource slot (traps if none). */
const wg_rtype *wg__canon_slot_type(wg_canon_cx *cx, const wg_ctype *t);

/* The lifted value of char code point c, or a trap. */
bool wg__canon_lift_char(wg_canon_cx *cx, uint32_t c, wg_cval *out);
/* The core value of a checked scalar value (bool, integer, float, char,
 * flags), floats NaN-canonicalised. */
uint64_t wg__canon_scalar_bits(const wg_cval *v, const wg_ctype *t);
/* NaN canonicalisation (CANONICAL_FLOAT32_NAN / CANONICAL_FLOAT64_NAN). */
uint32_t wg__canon_f32_bits(uint32_t bits);
uint64_t wg__canon_f64_bits(uint64_t bits);

#endif
