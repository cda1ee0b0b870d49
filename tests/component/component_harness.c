/*
 * The synchronous part of wasmtime's component wast harness, through the
 * public linker API (which it also tests):
 *
 *   host-return-two: func() -> u32                          2
 *   host-echo-u32: async func(u32) -> u32                   its argument (a host function
 *                                                           answers at once; an async lower
 *                                                           of it traps "not supported yet")
 *   return-hi: func() -> string                             "hi"
 *   host: instance
 *     return-three: func() -> u32                           3
 *     nested: instance { return-four: func() -> u32 }       4
 *     simple-module: core module (global "g" = 100, func "f" -> 101)
 *     resource1, resource2: host resources; resource1-again: resource1
 *     [constructor]resource1(rep: u32) -> own<resource1>    the handle of rep
 *     [static]resource1.assert(r: own, rep: u32)            traps unless r is rep
 *     [static]resource1.last-drop() -> u32                  rep of the last drop
 *     [static]resource1.drops() -> u32                      destructor calls
 *     [method]resource1.simple(self: borrow, rep: u32)      traps unless a borrow of rep
 *     [method]resource1.take-borrow(self: borrow, b: borrow)
 *     [method]resource1.take-own(self: borrow, b: own)
 *
 * Dropping an own resource1 counts (drops, last-drop); one the host receives
 * (assert, take-own) is simply forgotten, as wasmtime forgets it. The other
 * async imports (never-return, return-two-slowly, echo-slowly,
 * [method]resource1.never-return) are not defined: components importing
 * them do not link.
 */
#include "component_harness.h"

#include <string.h>

/* (module (global (export "g") i32 i32.const 100)
 *         (func (export "f") (result i32) i32.const 101)) */
static const uint8_t simple_module_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,
    0x03, 0x02, 0x01, 0x00, 0x06, 0x07, 0x01, 0x7f, 0x00, 0x41, 0xe4, 0x00, 0x0b, 0x07, 0x09,
    0x02, 0x01, 0x67, 0x03, 0x00, 0x01, 0x66, 0x00, 0x00, 0x0a, 0x07, 0x01, 0x05, 0x00, 0x41,
    0xe5, 0x00, 0x0b,
};

static bool ret_u32(wg_cval *result, uint32_t v) {
    *result = wg_cval_u(WG_CV_U32, v);
    return true;
}

static bool return_two(wg_ccall *c, wg_cval *a, uint32_t n, wg_cval *r, void *d) {
    (void)c, (void)a, (void)n, (void)d;
    return ret_u32(r, 2);
}

static bool echo_u32(wg_ccall *c, wg_cval *a, uint32_t n, wg_cval *r, void *d) {
    (void)d;
    if (n != 1 || a[0].kind != WG_CV_U32) return wg_ccall_trap(c, "host-echo-u32: bad arguments");
    return ret_u32(r, (uint32_t)a[0].of.u);
}

static bool return_three(wg_ccall *c, wg_cval *a, uint32_t n, wg_cval *r, void *d) {
    (void)c, (void)a, (void)n, (void)d;
    return ret_u32(r, 3);
}

static bool return_four(wg_ccall *c, wg_cval *a, uint32_t n, wg_cval *r, void *d) {
    (void)c, (void)a, (void)n, (void)d;
    return ret_u32(r, 4);
}

static bool return_hi(wg_ccall *c, wg_cval *a, uint32_t n, wg_cval *r, void *d) {
    (void)c, (void)a, (void)n, (void)d;
    *r = wg_cval_string("hi", 2);
    return wg_cval_ok(r);
}

static bool drop1(wg_ccall *c, uint32_t rep, void *d) {
    cm_harness *h = d;
    (void)c;
    h->drops++;
    h->last_drop = rep;
    return true;
}

/* Whether a is a handle of resource1 of the given kind (and rep). */
static bool is_r1(const cm_harness *h, const wg_cval *a, uint32_t kind) {
    return a->kind == kind && a->of.handle.type == h->resource1;
}

static bool ctor1(wg_ccall *c, wg_cval *a, uint32_t n, wg_cval *r, void *d) {
    cm_harness *h = d;
    if (n != 1 || a[0].kind != WG_CV_U32) return wg_ccall_trap(c, "[constructor]resource1: bad arguments");
    *r = wg_cval_own((uint32_t)a[0].of.u, h->resource1);
    return true;
}

static bool assert1(wg_ccall *c, wg_cval *a, uint32_t n, wg_cval *r, void *d) {
    cm_harness *h = d;
    (void)r;
    if (n != 2 || !is_r1(h, &a[0], WG_CV_OWN) || a[1].kind != WG_CV_U32 || a[0].of.handle.rep != a[1].of.u)
        return wg_ccall_trap(c, "[static]resource1.assert: assertion failed");
    return true;
}

static bool last_drop(wg_ccall *c, wg_cval *a, uint32_t n, wg_cval *r, void *d) {
    (void)c, (void)a, (void)n;
    return ret_u32(r, ((cm_harness *)d)->last_drop);
}

static bool drops(wg_ccall *c, wg_cval *a, uint32_t n, wg_cval *r, void *d) {
    (void)c, (void)a, (void)n;
    return ret_u32(r, ((cm_harness *)d)->drops);
}

static bool simple(wg_ccall *c, wg_cval *a, uint32_t n, wg_cval *r, void *d) {
    cm_harness *h = d;
    (void)r;
    if (n != 2 || !is_r1(h, &a[0], WG_CV_BORROW) || a[1].kind != WG_CV_U32 || a[0].of.handle.rep != a[1].of.u)
        return wg_ccall_trap(c, "[method]resource1.simple: assertion failed");
    return true;
}

static bool take_borrow(wg_ccall *c, wg_cval *a, uint32_t n, wg_cval *r, void *d) {
    cm_harness *h = d;
    (void)r;
    if (n != 2 || !is_r1(h, &a[0], WG_CV_BORROW) || !is_r1(h, &a[1], WG_CV_BORROW))
        return wg_ccall_trap(c, "[method]resource1.take-borrow: assertion failed");
    return true;
}

static bool take_own(wg_ccall *c, wg_cval *a, uint32_t n, wg_cval *r, void *d) {
    cm_harness *h = d;
    (void)r;
    if (n != 2 || !is_r1(h, &a[0], WG_CV_BORROW) || !is_r1(h, &a[1], WG_CV_OWN))
        return wg_ccall_trap(c, "[method]resource1.take-own: assertion failed");
    return true;
}

bool cm_harness_init(cm_harness *h) {
    memset(h, 0, sizeof *h);
    wg_error err;
    h->linker = wg_clinker_new();
    h->simple_module = wg_module_new(simple_module_wasm, sizeof simple_module_wasm, &err);
    if (!h->linker || !h->simple_module) return false;
    wg_clinker *l = h->linker;
    h->resource1 = wg_clinker_define_resource(l, "host", "resource1", drop1, h);
    h->resource2 = wg_clinker_define_resource(l, "host", "resource2", NULL, NULL);
    return h->resource1 && h->resource2 &&
           wg_clinker_define_resource_type(l, "host", "resource1-again", h->resource1) &&
           wg_clinker_define_func(l, NULL, "host-return-two", return_two, h) &&
           wg_clinker_define_func(l, NULL, "host-echo-u32", echo_u32, h) &&
           wg_clinker_define_func(l, NULL, "return-hi", return_hi, h) &&
           wg_clinker_define_func(l, "host", "return-three", return_three, h) &&
           wg_clinker_define_func(l, "host#nested", "return-four", return_four, h) &&
           wg_clinker_define_module(l, "host", "simple-module", h->simple_module) &&
           wg_clinker_define_func(l, "host", "[constructor]resource1", ctor1, h) &&
           wg_clinker_define_func(l, "host", "[static]resource1.assert", assert1, h) &&
           wg_clinker_define_func(l, "host", "[static]resource1.last-drop", last_drop, h) &&
           wg_clinker_define_func(l, "host", "[static]resource1.drops", drops, h) &&
           wg_clinker_define_func(l, "host", "[method]resource1.simple", simple, h) &&
           wg_clinker_define_func(l, "host", "[method]resource1.take-borrow", take_borrow, h) &&
           wg_clinker_define_func(l, "host", "[method]resource1.take-own", take_own, h);
}

void cm_harness_fini(cm_harness *h) {
    wg_clinker_free(h->linker);
    wg_module_free(h->simple_module);
    memset(h, 0, sizeof *h);
}
