/*
 * Tests for the public API (api.c): module queries, host functions (arguments,
 * results, traps, exit), wg_func_call checks and re-entrancy, interrupts from
 * another thread, and two threads running instances of one module at once.
 *
 * The module is a real binary written as .wat (shown above the array) and
 * converted with wabt's `wat2wasm --debug-names`; the bytes are embedded so the
 * build does not need wabt.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasm/runtime.h"
#include "wasmgate/wasmgate.h"
#include "wg_test.h"

/* api.wat:
 * (module
 *   (import "env" "host_add" (func $host_add (param i32 i64 f32 f64) (result f64)))
 *   (import "env" "fail" (func $fail))
 *   (import "env" "exit" (func $exit (param i32)))
 *   (import "env" "started" (func $started))
 *   (import "env" "reenter" (func $reenter (param i32) (result i32)))
 *   (memory (export "memory") 1)
 *   (global (export "counter") (mut i32) (i32.const 0))
 *   (func $call_host (export "call_host") (param i32 i64 f32 f64) (result f64)
 *     (call $host_add (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
 *   (func $do_fail (export "do_fail") (call $fail))
 *   (func $middle (export "middle") (call $do_fail))
 *   (func $do_exit (export "do_exit") (param i32) (call $exit (local.get 0)) unreachable)
 *   (func $spin (export "spin")
 *     (call $started)
 *     (loop $l (global.set 0 (i32.add (global.get 0) (i32.const 1))) (br $l)))
 *   (func $fib (export "fib") (param i32) (result i32)
 *     (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
 *       (then (local.get 0))
 *       (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
 *                      (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
 *   (func $outer (export "outer") (param i32) (result i32)
 *     (i32.add (i32.mul (local.get 0) (i32.const 100)) (call $reenter (local.get 0))))
 *   (func $work (export "work") (param $seed i32) (param $n i32) (result i32) (local $i i32)
 *     (i32.store (i32.const 0) (local.get $seed))
 *     (block $done (loop $l
 *       (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
 *       (i32.store (i32.const 0)
 *         (i32.add (i32.mul (i32.load (i32.const 0)) (i32.const 31)) (local.get $i)))
 *       (local.set $i (i32.add (local.get $i) (i32.const 1)))
 *       (br $l)))
 *     (i32.load (i32.const 0)))
 *   (func (export "mix") (param i64 f32 f64) (result i64 f32 f64)
 *     (local.get 0) (local.get 1) (local.get 2))
 *   (table (export "table") 2 funcref)
 *   (elem (i32.const 0) $fib)
 * )
 */
static const uint8_t api_wasm[] = {
   0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x24, 0x06, 0x60,
   0x04, 0x7f, 0x7e, 0x7d, 0x7c, 0x01, 0x7c, 0x60, 0x00, 0x00, 0x60, 0x01,
   0x7f, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x01,
   0x7f, 0x60, 0x03, 0x7e, 0x7d, 0x7c, 0x03, 0x7e, 0x7d, 0x7c, 0x02, 0x42,
   0x05, 0x03, 0x65, 0x6e, 0x76, 0x08, 0x68, 0x6f, 0x73, 0x74, 0x5f, 0x61,
   0x64, 0x64, 0x00, 0x00, 0x03, 0x65, 0x6e, 0x76, 0x04, 0x66, 0x61, 0x69,
   0x6c, 0x00, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x04, 0x65, 0x78, 0x69, 0x74,
   0x00, 0x02, 0x03, 0x65, 0x6e, 0x76, 0x07, 0x73, 0x74, 0x61, 0x72, 0x74,
   0x65, 0x64, 0x00, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x07, 0x72, 0x65, 0x65,
   0x6e, 0x74, 0x65, 0x72, 0x00, 0x03, 0x03, 0x0a, 0x09, 0x00, 0x01, 0x01,
   0x02, 0x01, 0x03, 0x03, 0x04, 0x05, 0x04, 0x04, 0x01, 0x70, 0x00, 0x02,
   0x05, 0x03, 0x01, 0x00, 0x01, 0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x00,
   0x0b, 0x07, 0x67, 0x0c, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02,
   0x00, 0x07, 0x63, 0x6f, 0x75, 0x6e, 0x74, 0x65, 0x72, 0x03, 0x00, 0x09,
   0x63, 0x61, 0x6c, 0x6c, 0x5f, 0x68, 0x6f, 0x73, 0x74, 0x00, 0x05, 0x07,
   0x64, 0x6f, 0x5f, 0x66, 0x61, 0x69, 0x6c, 0x00, 0x06, 0x06, 0x6d, 0x69,
   0x64, 0x64, 0x6c, 0x65, 0x00, 0x07, 0x07, 0x64, 0x6f, 0x5f, 0x65, 0x78,
   0x69, 0x74, 0x00, 0x08, 0x04, 0x73, 0x70, 0x69, 0x6e, 0x00, 0x09, 0x03,
   0x66, 0x69, 0x62, 0x00, 0x0a, 0x05, 0x6f, 0x75, 0x74, 0x65, 0x72, 0x00,
   0x0b, 0x04, 0x77, 0x6f, 0x72, 0x6b, 0x00, 0x0c, 0x03, 0x6d, 0x69, 0x78,
   0x00, 0x0d, 0x05, 0x74, 0x61, 0x62, 0x6c, 0x65, 0x01, 0x00, 0x09, 0x07,
   0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x0a, 0x0a, 0x9c, 0x01, 0x09, 0x0c,
   0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x20, 0x03, 0x10, 0x00, 0x0b,
   0x04, 0x00, 0x10, 0x01, 0x0b, 0x04, 0x00, 0x10, 0x06, 0x0b, 0x07, 0x00,
   0x20, 0x00, 0x10, 0x02, 0x00, 0x0b, 0x10, 0x00, 0x10, 0x03, 0x03, 0x40,
   0x23, 0x00, 0x41, 0x01, 0x6a, 0x24, 0x00, 0x0c, 0x00, 0x0b, 0x0b, 0x1c,
   0x00, 0x20, 0x00, 0x41, 0x02, 0x49, 0x04, 0x7f, 0x20, 0x00, 0x05, 0x20,
   0x00, 0x41, 0x01, 0x6b, 0x10, 0x0a, 0x20, 0x00, 0x41, 0x02, 0x6b, 0x10,
   0x0a, 0x6a, 0x0b, 0x0b, 0x0d, 0x00, 0x20, 0x00, 0x41, 0xe4, 0x00, 0x6c,
   0x20, 0x00, 0x10, 0x04, 0x6a, 0x0b, 0x36, 0x01, 0x01, 0x7f, 0x41, 0x00,
   0x20, 0x00, 0x36, 0x02, 0x00, 0x02, 0x40, 0x03, 0x40, 0x20, 0x02, 0x20,
   0x01, 0x4f, 0x0d, 0x01, 0x41, 0x00, 0x41, 0x00, 0x28, 0x02, 0x00, 0x41,
   0x1f, 0x6c, 0x20, 0x02, 0x6a, 0x36, 0x02, 0x00, 0x20, 0x02, 0x41, 0x01,
   0x6a, 0x21, 0x02, 0x0c, 0x00, 0x0b, 0x0b, 0x41, 0x00, 0x28, 0x02, 0x00,
   0x0b, 0x08, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x0b, 0x00, 0x98,
   0x01, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x66, 0x0d, 0x00, 0x08, 0x68,
   0x6f, 0x73, 0x74, 0x5f, 0x61, 0x64, 0x64, 0x01, 0x04, 0x66, 0x61, 0x69,
   0x6c, 0x02, 0x04, 0x65, 0x78, 0x69, 0x74, 0x03, 0x07, 0x73, 0x74, 0x61,
   0x72, 0x74, 0x65, 0x64, 0x04, 0x07, 0x72, 0x65, 0x65, 0x6e, 0x74, 0x65,
   0x72, 0x05, 0x09, 0x63, 0x61, 0x6c, 0x6c, 0x5f, 0x68, 0x6f, 0x73, 0x74,
   0x06, 0x07, 0x64, 0x6f, 0x5f, 0x66, 0x61, 0x69, 0x6c, 0x07, 0x06, 0x6d,
   0x69, 0x64, 0x64, 0x6c, 0x65, 0x08, 0x07, 0x64, 0x6f, 0x5f, 0x65, 0x78,
   0x69, 0x74, 0x09, 0x04, 0x73, 0x70, 0x69, 0x6e, 0x0a, 0x03, 0x66, 0x69,
   0x62, 0x0b, 0x05, 0x6f, 0x75, 0x74, 0x65, 0x72, 0x0c, 0x04, 0x77, 0x6f,
   0x72, 0x6b, 0x02, 0x29, 0x0e, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03,
   0x00, 0x04, 0x00, 0x05, 0x00, 0x06, 0x00, 0x07, 0x00, 0x08, 0x00, 0x09,
   0x00, 0x0a, 0x00, 0x0b, 0x00, 0x0c, 0x03, 0x00, 0x04, 0x73, 0x65, 0x65,
   0x64, 0x01, 0x01, 0x6e, 0x02, 0x01, 0x69, 0x0d, 0x00
};

/* invalid.wat:
 * (module (func (result i32)))
 */
static const uint8_t invalid_wasm[] = {
   0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
   0x00, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x04, 0x01, 0x02, 0x00,
   0x0b
};

/* ---- helpers ------------------------------------------------------------------- */

/* CHECK_STR_CONTAINS of wg_test.h trips gcc's -Wformat-truncation on
 * 512-byte messages at -O2; this does the same check with room to spare. */
static void check_contains(const char *file, int line, const char *hay, const char *needle) {
    if (hay && strstr(hay, needle)) return;
    char m[1200];
    snprintf(m, sizeof m, "\"%.600s\" contains \"%.400s\"", hay ? hay : "(null)", needle);
    wg_test_fail(file, line, m);
}
#define CHECK_CONTAINS(hay, needle) check_contains(__FILE__, __LINE__, (hay), (needle))

static wg_val i32v(int32_t x) {
    wg_val v;
    memset(&v, 0, sizeof v);
    v.type = WG_I32;
    v.of.i32 = x;
    return v;
}

static wg_val typed(wg_valtype t, uint64_t bits) {
    wg_val v;
    memset(&v, 0, sizeof v);
    v.type = t;
    if (t == WG_I32 || t == WG_F32) v.of.f32_bits = (uint32_t)bits;
    else v.of.f64_bits = bits;
    return v;
}

static uint32_t f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
static uint64_t f64_bits(double d) {
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}
static double bits_f64(uint64_t u) {
    double d;
    memcpy(&d, &u, 8);
    return d;
}

/* What the host functions of api.wat share. */
typedef struct env {
    wg_instance *inst;          /* the instance, once made */
    atomic_int started;         /* set by env.started */
    int host_add_calls;
    bool ctx_ok;                /* wg_ctx_instance / wg_ctx_memory were right */
} env;

/* env.host_add(i32, i64, f32, f64) -> f64: the sum. */
static int host_add(wg_ctx *ctx, uint64_t *slots, void *ud) {
    env *e = ud;
    e->host_add_calls++;
    e->ctx_ok = wg_ctx_instance(ctx) == e->inst && wg_ctx_memory(ctx) == wg_instance_memory(e->inst) &&
                wg_ctx_memory(ctx) != NULL;
    int32_t a = (int32_t)(uint32_t)slots[0];
    int64_t b = (int64_t)slots[1];
    float c;
    uint32_t cb = (uint32_t)slots[2];
    memcpy(&c, &cb, 4);
    double d = bits_f64(slots[3]);
    slots[0] = f64_bits((double)a + (double)b + (double)c + d);
    return 0;
}

static int host_fail(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)slots, (void)ud;
    return wg_ctx_trap(ctx, "boom from the host");
}

static int host_exit(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    return wg_ctx_exit(ctx, (int)(uint32_t)slots[0]);
}

static int host_started(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ctx, (void)slots;
    atomic_store(&((env *)ud)->started, 1);
    return 0;
}

/* env.reenter(n): n == 0 ? fib(10) : outer(n - 1) + 1, calling back into the
 * instance that called it. */
static int host_reenter(wg_ctx *ctx, uint64_t *slots, void *ud) {
    (void)ud;
    int32_t n = (int32_t)(uint32_t)slots[0];
    wg_instance *inst = wg_ctx_instance(ctx);
    wg_val arg = i32v(n == 0 ? 10 : n - 1), res;
    wg_trap trap;
    if (!wg_instance_call(inst, n == 0 ? "fib" : "outer", &arg, 1, &res, 1, &trap))
        return wg_ctx_trap(ctx, trap.message);
    slots[0] = (uint32_t)(res.of.i32 + (n == 0 ? 0 : 1));
    return 0;
}

static wg_imports *make_imports(env *e) {
    static const uint8_t add_p[] = {WG_I32, WG_I64, WG_F32, WG_F64}, add_r[] = {WG_F64};
    static const uint8_t i32[] = {WG_I32};
    wg_imports *im = wg_imports_new();
    if (!im) return NULL;
    bool ok = wg_imports_add_host(im, "env", "host_add", add_p, 4, add_r, 1, host_add, e) &&
              wg_imports_add_host(im, "env", "fail", NULL, 0, NULL, 0, host_fail, e) &&
              wg_imports_add_host(im, "env", "exit", i32, 1, NULL, 0, host_exit, e) &&
              wg_imports_add_host(im, "env", "started", NULL, 0, NULL, 0, host_started, e) &&
              wg_imports_add_host(im, "env", "reenter", i32, 1, i32, 1, host_reenter, e);
    if (!ok) {
        wg_imports_free(im);
        return NULL;
    }
    return im;
}

/* The module, an imports map and one instance of api.wat. */
typedef struct fixture {
    env e;
    wg_module *m;
    wg_imports *im;
    wg_instance *inst;
} fixture;

static bool fixture_init(fixture *fx, const wg_instance_opts *opts) {
    memset(fx, 0, sizeof *fx);
    wg_error err;
    fx->m = wg_module_new(api_wasm, sizeof api_wasm, &err);
    if (!fx->m) {
        fprintf(stderr, "  wg_module_new: %s\n", err.message);
        return false;
    }
    fx->im = make_imports(&fx->e);
    if (!fx->im) return false;
    fx->inst = wg_instance_new(fx->m, fx->im, opts, &err, NULL);
    if (!fx->inst) {
        fprintf(stderr, "  wg_instance_new: %s\n", err.message);
        return false;
    }
    fx->e.inst = fx->inst;
    return true;
}

static void fixture_free(fixture *fx) {
    wg_instance_free(fx->inst);
    wg_imports_free(fx->im);
    wg_module_free(fx->m);
}

static bool call1(wg_instance *inst, const char *name, int32_t arg, int32_t *out, wg_trap *trap) {
    wg_val a = i32v(arg), r;
    bool ok = wg_instance_call(inst, name, &a, 1, &r, 1, trap);
    if (ok) *out = r.of.i32;
    return ok;
}

/* ---- modules --------------------------------------------------------------------- */

static bool desc_name_is(const char *s, size_t len, const char *want) {
    return s && len == strlen(want) && memcmp(s, want, len) == 0;
}

WG_TEST(module_queries) {
    wg_error err;
    wg_module *m = wg_module_new(api_wasm, sizeof api_wasm, &err);
    CHECK(m != NULL);
    if (!m) return;
    CHECK_EQ_INT(wg_module_import_count(m), 5);
    CHECK_EQ_INT(wg_module_export_count(m), 12);
    wg_extern_desc d;
    CHECK(wg_module_import(m, 0, &d));
    CHECK(desc_name_is(d.module, d.module_len, "env") && desc_name_is(d.name, d.name_len, "host_add"));
    CHECK(d.kind == WG_EXTERN_FUNC && d.func.nparams == 4 && d.func.nresults == 1);
    CHECK(d.func.params[1] == WG_I64 && d.func.params[2] == WG_F32 && d.func.results[0] == WG_F64);
    CHECK(!wg_module_import(m, 5, &d));

    bool seen_mem = false, seen_global = false, seen_table = false, seen_mix = false;
    for (uint32_t i = 0; i < wg_module_export_count(m); i++) {
        CHECK(wg_module_export(m, i, &d));
        CHECK(d.module == NULL);
        if (desc_name_is(d.name, d.name_len, "memory")) {
            seen_mem = d.kind == WG_EXTERN_MEMORY && d.limits.min == 1 && !d.limits.has_max;
        } else if (desc_name_is(d.name, d.name_len, "counter")) {
            seen_global = d.kind == WG_EXTERN_GLOBAL && d.type == WG_I32 && d.mutable_;
        } else if (desc_name_is(d.name, d.name_len, "table")) {
            seen_table = d.kind == WG_EXTERN_TABLE && d.type == WG_FUNCREF && d.limits.min == 2;
        } else if (desc_name_is(d.name, d.name_len, "mix")) {
            seen_mix = d.kind == WG_EXTERN_FUNC && d.func.nparams == 3 && d.func.nresults == 3 &&
                       d.func.results[1] == WG_F32;
        }
    }
    CHECK(seen_mem && seen_global && seen_table && seen_mix);
    CHECK(!wg_module_export(m, 12, &d));

    wg_module_info info;
    wg_module_get_info(m, &info);
    CHECK_EQ_INT(info.nfuncs, 9);
    CHECK_EQ_INT(info.nimported_funcs, 5);
    CHECK_EQ_INT(info.ntypes, 6);
    CHECK_EQ_INT(info.ntables, 1);
    CHECK_EQ_INT(info.nmemories, 1);
    CHECK_EQ_INT(info.nglobals, 1);
    CHECK_EQ_INT(info.nelems, 1);
    CHECK_EQ_INT(info.ndatas, 0);
    CHECK(!info.has_start);
    CHECK_EQ_INT(info.ncustom, 1);
    CHECK(info.code_bytes > 0);

    const char *name;
    size_t name_len, len;
    const uint8_t *data;
    CHECK(wg_module_custom_section(m, 0, &name, &name_len, &data, &len));
    CHECK(desc_name_is(name, name_len, "name") && len > 0 && data != NULL);
    CHECK(!wg_module_custom_section(m, 1, &name, &name_len, &data, &len));

    CHECK(wg_module_func_name(m, 0) && strcmp(wg_module_func_name(m, 0), "host_add") == 0);
    CHECK(wg_module_func_name(m, 10) && strcmp(wg_module_func_name(m, 10), "fib") == 0);
    CHECK(wg_module_func_name(m, 13) == NULL);  /* "mix" has no name */
    CHECK(wg_module_func_name(m, 1000) == NULL);
    wg_module_free(m);
    wg_module_free(NULL);
}

WG_TEST(module_new_reports_errors) {
    wg_error err;
    static const uint8_t junk[] = {0x00, 0x61, 0x73, 0x6e, 1, 0, 0, 0};
    CHECK(wg_module_new(junk, sizeof junk, &err) == NULL);
    CHECK_EQ_INT(err.kind, WG_ERR_MALFORMED);
    CHECK(wg_module_new(api_wasm, 20, &err) == NULL);  /* truncated */
    CHECK_EQ_INT(err.kind, WG_ERR_MALFORMED);
    CHECK(wg_module_new(NULL, 0, &err) == NULL);
    CHECK_EQ_INT(err.kind, WG_ERR_MALFORMED);
    CHECK(wg_module_new(invalid_wasm, sizeof invalid_wasm, &err) == NULL);
    CHECK_EQ_INT(err.kind, WG_ERR_INVALID);
    CHECK_CONTAINS(err.message, "type mismatch");
}

/* ---- host functions ----------------------------------------------------------------- */

WG_TEST(host_function_gets_arguments_and_returns_results) {
    fixture fx;
    CHECK(fixture_init(&fx, NULL));
    if (!fx.inst) { fixture_free(&fx); return; }
    wg_val args[4] = {i32v(-3), typed(WG_I64, (uint64_t)10000000000LL), typed(WG_F32, f32_bits(0.5f)),
                      typed(WG_F64, f64_bits(0.25))};
    wg_val r;
    wg_trap trap;
    CHECK(wg_instance_call(fx.inst, "call_host", args, 4, &r, 1, &trap));
    CHECK(r.type == WG_F64);
    CHECK(bits_f64(r.of.f64_bits) == 10000000000.0 - 3 + 0.75);
    CHECK_EQ_INT(fx.e.host_add_calls, 1);
    CHECK(fx.e.ctx_ok);
    CHECK(wg_instance_host_data(fx.inst) == NULL);
    fixture_free(&fx);
}

WG_TEST(host_trap_carries_message_and_backtrace) {
    fixture fx;
    CHECK(fixture_init(&fx, NULL));
    if (!fx.inst) { fixture_free(&fx); return; }
    wg_trap trap;
    CHECK(!wg_instance_call(fx.inst, "middle", NULL, 0, NULL, 0, &trap));
    CHECK_EQ_INT(trap.code, WG_TRAP_HOST);
    CHECK_CONTAINS(trap.message, "boom from the host");
    bool saw_middle = false;
    for (uint32_t i = 0; i < trap.nframes; i++)
        if (trap.frames[i].func_name && strcmp(trap.frames[i].func_name, "middle") == 0)
            saw_middle = true;
    CHECK(saw_middle);
    char buf[1024];
    wg_trap_format(&trap, buf, sizeof buf);
    CHECK_CONTAINS(buf, "boom from the host");
    /* The instance is usable afterwards. */
    int32_t r = 0;
    CHECK(call1(fx.inst, "fib", 10, &r, &trap));
    CHECK_EQ_INT(r, 55);
    CHECK_EQ_INT(trap.code, WG_TRAP_NONE);
    fixture_free(&fx);
}

WG_TEST(ctx_exit_ends_the_run_with_a_status) {
    fixture fx;
    CHECK(fixture_init(&fx, NULL));
    if (!fx.inst) { fixture_free(&fx); return; }
    wg_val a = i32v(3);
    wg_trap trap;
    CHECK(!wg_instance_call(fx.inst, "do_exit", &a, 1, NULL, 0, &trap));
    CHECK_EQ_INT(trap.code, WG_TRAP_EXIT);
    CHECK_EQ_INT(trap.exit_code, 3);
    CHECK_CONTAINS(trap.message, "exit with status 3");
    int32_t r = 0;
    CHECK(call1(fx.inst, "fib", 12, &r, &trap));
    CHECK_EQ_INT(r, 144);
    fixture_free(&fx);
}

static int direct_host(wg_ctx *ctx, uint64_t *slots, void *ud) {
    *(wg_instance **)ud = wg_ctx_instance(ctx);
    slots[0] = (uint64_t)((uint32_t)slots[0] * 2u);
    return 0;
}

WG_TEST(host_function_called_directly) {
    fixture fx;
    CHECK(fixture_init(&fx, NULL));
    if (!fx.inst) { fixture_free(&fx); return; }
    static const uint8_t i32[] = {WG_I32};
    wg_instance *seen = NULL;
    wg_func *f = wg_func_new_host(i32, 1, i32, 1, direct_host, &seen);
    CHECK(f != NULL);
    wg_functype_view t = wg_func_type(f);
    CHECK(t.nparams == 1 && t.nresults == 1 && t.params[0] == WG_I32);
    wg_val a = i32v(21), r;
    wg_trap trap;
    CHECK(wg_func_call(fx.inst, f, &a, 1, &r, 1, &trap));
    CHECK_EQ_INT(r.of.i32, 42);
    CHECK(seen == fx.inst);
    wg_func_free(f);
    static const uint8_t bad[] = {0x42};
    CHECK(wg_func_new_host(bad, 1, NULL, 0, direct_host, NULL) == NULL);
    fixture_free(&fx);
}

/* ---- calls -------------------------------------------------------------------------- */

WG_TEST(func_call_checks_arguments_and_results) {
    fixture fx;
    CHECK(fixture_init(&fx, NULL));
    if (!fx.inst) { fixture_free(&fx); return; }
    wg_trap trap;
    wg_val a = i32v(1), two[2] = {i32v(1), i32v(2)}, r;
    CHECK(!wg_instance_call(fx.inst, "fib", two, 2, &r, 1, &trap));
    CHECK_EQ_INT(trap.code, WG_TRAP_HOST);
    CHECK_CONTAINS(trap.message, "argument");
    CHECK(!wg_instance_call(fx.inst, "fib", &a, 1, &r, 0, &trap));
    CHECK_EQ_INT(trap.code, WG_TRAP_HOST);
    CHECK_CONTAINS(trap.message, "result");
    wg_val wrong = typed(WG_I64, 5);
    CHECK(!wg_instance_call(fx.inst, "fib", &wrong, 1, &r, 1, &trap));
    CHECK_CONTAINS(trap.message, "i64");
    CHECK(!wg_instance_call(fx.inst, "no_such_export", NULL, 0, NULL, 0, &trap));
    CHECK_EQ_INT(trap.code, WG_TRAP_HOST);
    CHECK_CONTAINS(trap.message, "no_such_export");
    CHECK(!wg_instance_call(fx.inst, "memory", NULL, 0, NULL, 0, &trap));  /* not a function */
    CHECK_EQ_INT(trap.code, WG_TRAP_HOST);
    CHECK(!wg_func_call(fx.inst, NULL, NULL, 0, NULL, 0, &trap));
    fixture_free(&fx);
}

WG_TEST(multiple_results_keep_float_bits) {
    fixture fx;
    CHECK(fixture_init(&fx, NULL));
    if (!fx.inst) { fixture_free(&fx); return; }
    wg_val args[3] = {typed(WG_I64, 0xfedcba9876543210ull), typed(WG_F32, 0x7fa00001u),
                      typed(WG_F64, 0x7ff4000000000001ull)};
    wg_val r[3];
    wg_trap trap;
    CHECK(wg_instance_call(fx.inst, "mix", args, 3, r, 3, &trap));
    CHECK(r[0].type == WG_I64 && (uint64_t)r[0].of.i64 == 0xfedcba9876543210ull);
    CHECK(r[1].type == WG_F32 && r[1].of.f32_bits == 0x7fa00001u);
    CHECK(r[2].type == WG_F64 && r[2].of.f64_bits == 0x7ff4000000000001ull);
    fixture_free(&fx);
}

WG_TEST(host_function_reenters_the_instance) {
    fixture fx;
    CHECK(fixture_init(&fx, NULL));
    if (!fx.inst) { fixture_free(&fx); return; }
    /* outer(n) = 100 n + reenter(n); reenter(0) = fib(10) = 55; reenter(n) = outer(n-1) + 1 */
    int32_t r = 0;
    wg_trap trap;
    CHECK(call1(fx.inst, "outer", 0, &r, &trap));
    CHECK_EQ_INT(r, 55);
    CHECK(call1(fx.inst, "outer", 3, &r, &trap));
    CHECK_EQ_INT(r, 658);
    CHECK(fx.inst->exec.sp == fx.inst->exec.stack);  /* everything unwound */
    CHECK_EQ_INT(fx.inst->exec.nframes, 0);
    fixture_free(&fx);
}

WG_TEST(call_depth_and_stack_size_options) {
    wg_instance_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.max_call_depth = 8;
    int marker;
    opts.host_data = &marker;
    fixture fx;
    CHECK(fixture_init(&fx, &opts));
    if (!fx.inst) { fixture_free(&fx); return; }
    CHECK(wg_instance_host_data(fx.inst) == &marker);
    int32_t r = 0;
    wg_trap trap;
    CHECK(call1(fx.inst, "fib", 5, &r, &trap));  /* depth 5 */
    CHECK_EQ_INT(r, 5);
    CHECK(!call1(fx.inst, "fib", 20, &r, &trap));
    CHECK_EQ_INT(trap.code, WG_TRAP_STACK_EXHAUSTED);
    CHECK(call1(fx.inst, "fib", 6, &r, &trap));
    CHECK_EQ_INT(r, 8);
    fixture_free(&fx);

    memset(&opts, 0, sizeof opts);
    opts.stack_cells = 16;  /* fib uses about one cell per level */
    CHECK(fixture_init(&fx, &opts));
    if (!fx.inst) { fixture_free(&fx); return; }
    CHECK(!call1(fx.inst, "fib", 25, &r, &trap));
    CHECK_EQ_INT(trap.code, WG_TRAP_STACK_EXHAUSTED);
    CHECK(call1(fx.inst, "fib", 2, &r, &trap));
    CHECK_EQ_INT(r, 1);
    fixture_free(&fx);
}

/* ---- interrupts and threads ----------------------------------------------------------- */

typedef struct spin_job {
    fixture *fx;
    wg_trap trap;
    bool returned;
} spin_job;

static void *run_spin(void *arg) {
    spin_job *job = arg;
    job->returned = wg_instance_call(job->fx->inst, "spin", NULL, 0, NULL, 0, &job->trap);
    return NULL;
}

WG_TEST(interrupt_from_another_thread_stops_a_loop) {
    alarm(60);  /* a broken interrupt must not hang the run */
    fixture fx;
    CHECK(fixture_init(&fx, NULL));
    if (!fx.inst) { fixture_free(&fx); return; }
    spin_job job = {&fx, {0}, true};
    pthread_t th;
    CHECK(pthread_create(&th, NULL, run_spin, &job) == 0);
    while (!atomic_load(&fx.e.started)) sched_yield();  /* the guest is in its loop */
    wg_instance_interrupt(fx.inst);
    pthread_join(th, NULL);
    CHECK(!job.returned);
    CHECK_EQ_INT(job.trap.code, WG_TRAP_INTERRUPTED);
    CHECK_CONTAINS(job.trap.message, "interrupted");
    CHECK(wg_global_get(wg_instance_export_global(fx.inst, "counter")).of.i32 >= 0);

    /* The flag stays set until cleared. */
    int32_t r = 0;
    wg_trap trap;
    CHECK(!call1(fx.inst, "fib", 3, &r, &trap));
    CHECK_EQ_INT(trap.code, WG_TRAP_INTERRUPTED);
    wg_instance_clear_interrupt(fx.inst);
    CHECK(call1(fx.inst, "fib", 3, &r, &trap));
    CHECK_EQ_INT(r, 2);
    fixture_free(&fx);
    alarm(0);
}

typedef struct work_job {
    const wg_module *m;
    const wg_imports *im;
    int32_t seed, n, result;
    bool ok;
} work_job;

static void *run_work(void *arg) {
    work_job *job = arg;
    wg_error err;
    wg_instance *inst = wg_instance_new(job->m, job->im, NULL, &err, NULL);
    if (!inst) return NULL;
    wg_val args[2] = {i32v(job->seed), i32v(job->n)}, r;
    wg_trap trap;
    job->ok = wg_instance_call(inst, "work", args, 2, &r, 1, &trap);
    job->result = r.of.i32;
    wg_instance_free(inst);
    return NULL;
}

static int32_t work_native(int32_t seed, int32_t n) {
    uint32_t x = (uint32_t)seed;
    for (int32_t i = 0; i < n; i++) x = x * 31u + (uint32_t)i;
    return (int32_t)x;
}

WG_TEST(two_threads_run_one_module_at_once) {
    env e;
    memset(&e, 0, sizeof e);
    wg_error err;
    wg_module *m = wg_module_new(api_wasm, sizeof api_wasm, &err);
    wg_imports *im = make_imports(&e);
    CHECK(m && im);
    if (m && im) {
        work_job jobs[2] = {{m, im, 17, 3000000, 0, false}, {m, im, -5, 2500000, 0, false}};
        pthread_t th[2];
        for (int i = 0; i < 2; i++) CHECK(pthread_create(&th[i], NULL, run_work, &jobs[i]) == 0);
        for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
        for (int i = 0; i < 2; i++) {
            CHECK(jobs[i].ok);
            CHECK_EQ_INT(jobs[i].result, work_native(jobs[i].seed, jobs[i].n));
        }
        CHECK(jobs[0].result != jobs[1].result);
    }
    wg_imports_free(im);
    wg_module_free(m);
}

WG_TEST_MAIN()
