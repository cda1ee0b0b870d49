/*
 * The lifting/lowering context (LiftLowerContext): failure reporting, the
 * memory view, realloc with its result checks, tuple layouts and function
 * type flattening (flatten_functype), and the scalar conversions shared by
 * the memory and flat paths (NaN canonicalisation, char validation).
 */
#include <stdarg.h>
#include <stdio.h>

#include "component/canon_int.h"

bool wg__canon_trapf(wg_trap *trap, const char *fmt, ...) {
    trap->code = WG_TRAP_HOST;
    trap->exit_code = 0;
    trap->nframes = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(trap->message, sizeof trap->message, fmt, ap);
    va_end(ap);
    return false;
}

bool wg__canon_oom(wg_trap *trap) {
    trap->code = WG_TRAP_OUT_OF_MEMORY;
    trap->exit_code = 0;
    trap->nframes = 0;
    snprintf(trap->message, sizeof trap->message, "%s", wg_trap_message(WG_TRAP_OUT_OF_MEMORY));
    return false;
}

bool wg__canon_bad(wg_canon_cx *cx, const char *fmt, ...) {
    char m[sizeof cx->trap->message - 16];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    cx->bad_value = true;
    return wg__canon_trapf(cx->trap, "invalid value: %s", m);
}

const char *wg__canon_kind_name(uint32_t kind) {
    static const char *const names[] = {
        [WG_CT_BOOL] = "bool", [WG_CT_S8] = "s8", [WG_CT_U8] = "u8", [WG_CT_S16] = "s16",
        [WG_CT_U16] = "u16", [WG_CT_S32] = "s32", [WG_CT_U32] = "u32", [WG_CT_S64] = "s64",
        [WG_CT_U64] = "u64", [WG_CT_F32] = "f32", [WG_CT_F64] = "f64", [WG_CT_CHAR] = "char",
        [WG_CT_STRING] = "string", [WG_CT_ERROR_CONTEXT] = "error-context",
        [WG_CT_LIST] = "list", [WG_CT_RECORD] = "record", [WG_CT_TUPLE] = "tuple",
        [WG_CT_VARIANT] = "variant", [WG_CT_ENUM] = "enum", [WG_CT_OPTION] = "option",
        [WG_CT_RESULT] = "result", [WG_CT_FLAGS] = "flags", [WG_CT_OWN] = "own",
        [WG_CT_BORROW] = "borrow", [WG_CT_STREAM] = "stream", [WG_CT_FUTURE] = "future",
        [WG_CT_MAP] = "map",
    };
    if (kind < sizeof names / sizeof names[0] && names[kind]) return names[kind];
    return "(unknown kind)";
}

void wg__canon_cx_init(wg_canon_cx *cx, const wg_canon_opts *opts, wg_canon_inst *inst,
                       wg_canon_call *scope, wg_trap *trap) {
    *cx = (wg_canon_cx){.opts = opts, .inst = inst, .scope = scope, .trap = trap};
    wg__canon_reload(cx);
}

void wg__canon_reload(wg_canon_cx *cx) {
    cx->mem = NULL;
    cx->mem_size = 0;
    if (cx->opts->memory) cx->mem = cx->opts->memory(cx->opts->memory_data, &cx->mem_size);
    if (!cx->mem) cx->mem_size = 0;
}

bool wg__canon_need_mem(wg_canon_cx *cx) {
    if (cx->opts->memory) return true;
    return CX_TRAP(cx, "canonical option `memory` missing");
}

bool wg__canon_realloc(wg_canon_cx *cx, uint64_t old, uint64_t old_size, uint32_t align,
                       uint64_t new_size, uint64_t *ptr) {
    if (!wg__canon_need_mem(cx)) return false;
    if (!cx->opts->realloc.fn) return CX_TRAP(cx, "canonical option `realloc` missing");
    uint64_t slots[4] = {old, old_size, align, new_size};
    /* The realloc function may not call out of the instance (reallocate). */
    bool saved = cx->inst->may_leave;
    cx->inst->may_leave = false;
    bool ok = cx->opts->realloc.fn(cx->opts->realloc.data, slots, 4, 1, cx->trap);
    cx->inst->may_leave = saved;
    wg__canon_reload(cx);
    if (!ok) return false;
    *ptr = cx_ptr(cx, slots[0]);
    return true;
}

bool wg__canon_check_alloc(wg_canon_cx *cx, uint64_t ptr, uint32_t align, uint64_t size,
                           const char *oob_msg) {
    if (!aligned(ptr, align)) return CX_TRAP(cx, "%s", TM_REALLOC_ALIGN);
    if (!in_bounds(cx, ptr, size)) return CX_TRAP(cx, "%s", oob_msg);
    return true;
}

void wg__canon_tuple_layout(const wg_canon_cx *cx, const wg_cfield *ts, uint32_t n,
                            uint64_t *size, uint32_t *align) {
    uint64_t s = 0;
    uint32_t a = 1;
    for (uint32_t i = 0; i < n; i++) {
        const wg_clayout *l = cx_lay(cx, ts[i].type);
        s = align_up(s, l->align) + l->size;
        if (l->align > a) a = l->align;
    }
    *size = align_up(s, a);
    *align = a;
}

uint32_t wg__canon_flat_count(const wg_cfield *ts, uint32_t n, bool mem64) {
    uint32_t c = 0;
    for (uint32_t i = 0; i < n && c <= WG_CT_FLAT_MAX; i++) c += ts[i].type->layout[mem64].nflat;
    return c > WG_CT_FLAT_MAX ? WG_CT_FLAT_MAX + 1 : c;
}

void wg__canon_flatten_functype(const wg_cfunctype *ft, bool mem64, wg_canon_side side,
                                wg_canon_flat_sig *out) {
    uint8_t ptr = mem64 ? WG_I64 : WG_I32;
    *out = (wg_canon_flat_sig){0};
    uint32_t np = wg__canon_flat_count(ft->params, ft->nparams, mem64);
    if (np > WG_CANON_MAX_FLAT_PARAMS) {
        out->params_in_memory = true;
        out->params[out->nparams++] = ptr;
    } else {
        for (uint32_t i = 0; i < ft->nparams; i++) {
            const wg_clayout *l = &ft->params[i].type->layout[mem64];
            memcpy(out->params + out->nparams, l->flat, l->nflat);
            out->nparams += l->nflat;
        }
    }
    if (!ft->result) return;
    const wg_clayout *r = &ft->result->layout[mem64];
    if (r->nflat <= WG_CANON_MAX_FLAT_RESULTS) {
        memcpy(out->results, r->flat, r->nflat);
        out->nresults = r->nflat;
        return;
    }
    out->results_in_memory = true;
    if (side == WG_CANON_SIDE_LIFT) out->results[out->nresults++] = ptr;
    else out->params[out->nparams++] = ptr;
}

uint32_t wg__canon_f32_bits(uint32_t bits) {
    return (bits & 0x7f800000u) == 0x7f800000u && (bits & 0x007fffffu) ? 0x7fc00000u : bits;
}

uint64_t wg__canon_f64_bits(uint64_t bits) {
    const uint64_t exp = 0x7ff0000000000000ull, frac = 0x000fffffffffffffull;
    return (bits & exp) == exp && (bits & frac) ? 0x7ff8000000000000ull : bits;
}

bool wg__canon_lift_char(wg_canon_cx *cx, uint32_t c, wg_cval *out) {
    if (c >= 0x110000 || (c >= 0xD800 && c <= 0xDFFF)) return CX_TRAP(cx, TM_CHAR, c);
    *out = (wg_cval){.kind = WG_CV_CHAR, .of.c = c};
    return true;
}
