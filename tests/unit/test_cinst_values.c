/*
 * The component embedding API with host functions (include/wasmgate/
 * component.h): a component importing an interface whose `echo` takes and
 * returns a record holding every kind of value (numbers at their limits,
 * char, strings, a 64 KiB list<u8>, lists, tuple, variant, enum, option,
 * result, flags) passes it through its own memory to the host and back; the
 * host checks what it receives (the import's type, the values, list<u8> as
 * one buffer) and answers other values; semver-compatible interface
 * matching picks the newest compatible definition; host traps, exits and
 * bad results; host_data; two threads instantiating one component with one
 * linker at once; memory budgets and caps.
 *
 * The component is WAT (below) converted with `npx jco parse` (jco 1.35.0);
 * the bytes are embedded so that the build needs neither.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "component/cinst.h"
#include "wasmgate/component.h"
#include "wg_test.h"

/* values.wat:
 * (component
 *   (import "test:host/values@0.2.3" (instance $h
 *     (type $v' (variant (case "none") (case "num" u32) (case "text" string)))
 *     (export "v" (type $v (eq $v')))
 *     (type $e' (enum "red" "green" "blue"))
 *     (export "e" (type $e (eq $e')))
 *     (type $f' (flags "x" "y" "z"))
 *     (export "f" (type $f (eq $f')))
 *     (type $all' (record
 *       (field "b" bool) (field "i8" s8) (field "u8" u8) (field "i16" s16) (field "u16" u16)
 *       (field "i32" s32) (field "u32" u32) (field "i64" s64) (field "u64" u64)
 *       (field "f32" f32) (field "f64" f64) (field "c" char) (field "s" string)
 *       (field "bytes" (list u8)) (field "strs" (list string)) (field "t" (tuple u8 string))
 *       (field "v" $v) (field "e" $e) (field "o" (option u32)) (field "r" (result string (error u32)))
 *       (field "fl" $f)))
 *     (export "all" (type $all (eq $all')))
 *     (export "echo" (func (param "x" $all) (result $all)))
 *     (export "add" (func (param "a" u32) (param "b" u32) (result u32)))
 *   ))
 *   (alias export $h "all" (type $all))
 *   (core module $libc
 *     (memory (export "mem") 2)
 *     (global $heap (mut i32) (i32.const 4096))
 *     (func (export "realloc") (param i32 i32 i32 i32) (result i32)
 *       (local $p i32)
 *       (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
 *                              (i32.sub (i32.const 0) (local.get 2))))
 *       (global.set $heap (i32.add (local.get $p) (local.get 3)))
 *       (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
 *         (then (drop (memory.grow (i32.add (i32.shr_u (i32.sub (global.get $heap)
 *                  (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1))))))
 *       (local.get $p)))
 *   (core instance $libc (instantiate $libc))
 *   (core func $echo (canon lower (func $h "echo") (memory (core memory $libc "mem"))
 *                      (realloc (core func $libc "realloc"))))
 *   (core func $add (canon lower (func $h "add")))
 *   (core module $glue
 *     (import "" "echo" (func $echo (param i32 i32)))
 *     (import "" "add" (func $add (param i32 i32) (result i32)))
 *     (func (export "echo") (param i32) (result i32)
 *       (call $echo (local.get 0) (i32.const 1024))
 *       (i32.const 1024))
 *     (func (export "add") (param i32 i32) (result i32)
 *       (call $add (local.get 0) (local.get 1))))
 *   (core instance $glue (instantiate $glue
 *     (with "" (instance (export "echo" (func $echo)) (export "add" (func $add))))))
 *   (func (export "echo") (param "x" $all) (result $all)
 *     (canon lift (core func $glue "echo") (memory (core memory $libc "mem"))
 *                 (realloc (core func $libc "realloc"))))
 *   (func (export "add") (param "a" u32) (param "b" u32) (result u32)
 *     (canon lift (core func $glue "add")))
 * )
 */
static const uint8_t values_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x07, 0xe9, 0x01, 0x01,
    0x42, 0x11, 0x01, 0x71, 0x03, 0x04, 0x6e, 0x6f, 0x6e, 0x65, 0x00, 0x00,
    0x03, 0x6e, 0x75, 0x6d, 0x01, 0x79, 0x00, 0x04, 0x74, 0x65, 0x78, 0x74,
    0x01, 0x73, 0x00, 0x04, 0x00, 0x01, 0x76, 0x03, 0x00, 0x00, 0x01, 0x6d,
    0x03, 0x03, 0x72, 0x65, 0x64, 0x05, 0x67, 0x72, 0x65, 0x65, 0x6e, 0x04,
    0x62, 0x6c, 0x75, 0x65, 0x04, 0x00, 0x01, 0x65, 0x03, 0x00, 0x02, 0x01,
    0x6e, 0x03, 0x01, 0x78, 0x01, 0x79, 0x01, 0x7a, 0x04, 0x00, 0x01, 0x66,
    0x03, 0x00, 0x04, 0x01, 0x70, 0x7d, 0x01, 0x70, 0x73, 0x01, 0x6f, 0x02,
    0x7d, 0x73, 0x01, 0x6b, 0x79, 0x01, 0x6a, 0x01, 0x73, 0x01, 0x79, 0x01,
    0x72, 0x15, 0x01, 0x62, 0x7f, 0x02, 0x69, 0x38, 0x7e, 0x02, 0x75, 0x38,
    0x7d, 0x03, 0x69, 0x31, 0x36, 0x7c, 0x03, 0x75, 0x31, 0x36, 0x7b, 0x03,
    0x69, 0x33, 0x32, 0x7a, 0x03, 0x75, 0x33, 0x32, 0x79, 0x03, 0x69, 0x36,
    0x34, 0x78, 0x03, 0x75, 0x36, 0x34, 0x77, 0x03, 0x66, 0x33, 0x32, 0x76,
    0x03, 0x66, 0x36, 0x34, 0x75, 0x01, 0x63, 0x74, 0x01, 0x73, 0x73, 0x05,
    0x62, 0x79, 0x74, 0x65, 0x73, 0x06, 0x04, 0x73, 0x74, 0x72, 0x73, 0x07,
    0x01, 0x74, 0x08, 0x01, 0x76, 0x01, 0x01, 0x65, 0x03, 0x01, 0x6f, 0x09,
    0x01, 0x72, 0x0a, 0x02, 0x66, 0x6c, 0x05, 0x04, 0x00, 0x03, 0x61, 0x6c,
    0x6c, 0x03, 0x00, 0x0b, 0x01, 0x40, 0x01, 0x01, 0x78, 0x0c, 0x00, 0x0c,
    0x04, 0x00, 0x04, 0x65, 0x63, 0x68, 0x6f, 0x01, 0x0d, 0x01, 0x40, 0x02,
    0x01, 0x61, 0x79, 0x01, 0x62, 0x79, 0x00, 0x79, 0x04, 0x00, 0x03, 0x61,
    0x64, 0x64, 0x01, 0x0e, 0x0a, 0x1b, 0x01, 0x00, 0x16, 0x74, 0x65, 0x73,
    0x74, 0x3a, 0x68, 0x6f, 0x73, 0x74, 0x2f, 0x76, 0x61, 0x6c, 0x75, 0x65,
    0x73, 0x40, 0x30, 0x2e, 0x32, 0x2e, 0x33, 0x05, 0x00, 0x06, 0x08, 0x01,
    0x03, 0x00, 0x00, 0x03, 0x61, 0x6c, 0x6c, 0x01, 0x98, 0x01, 0x00, 0x61,
    0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x09, 0x01, 0x60, 0x04, 0x7f,
    0x7f, 0x7f, 0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x05, 0x03, 0x01,
    0x00, 0x02, 0x06, 0x07, 0x01, 0x7f, 0x01, 0x41, 0x80, 0x20, 0x0b, 0x07,
    0x11, 0x02, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x07, 0x72, 0x65, 0x61,
    0x6c, 0x6c, 0x6f, 0x63, 0x00, 0x00, 0x0a, 0x3f, 0x01, 0x3d, 0x01, 0x01,
    0x7f, 0x23, 0x00, 0x20, 0x02, 0x41, 0x01, 0x6b, 0x6a, 0x41, 0x00, 0x20,
    0x02, 0x6b, 0x71, 0x21, 0x04, 0x20, 0x04, 0x20, 0x03, 0x6a, 0x24, 0x00,
    0x23, 0x00, 0x3f, 0x00, 0x41, 0x80, 0x80, 0x04, 0x6c, 0x4b, 0x04, 0x40,
    0x23, 0x00, 0x3f, 0x00, 0x41, 0x80, 0x80, 0x04, 0x6c, 0x6b, 0x41, 0x10,
    0x76, 0x41, 0x01, 0x6a, 0x40, 0x00, 0x1a, 0x0b, 0x20, 0x04, 0x0b, 0x00,
    0x1d, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x00, 0x05, 0x04, 0x6c, 0x69, 0x62,
    0x63, 0x02, 0x06, 0x01, 0x00, 0x01, 0x04, 0x01, 0x70, 0x07, 0x07, 0x01,
    0x00, 0x04, 0x68, 0x65, 0x61, 0x70, 0x02, 0x04, 0x01, 0x00, 0x00, 0x00,
    0x06, 0x1d, 0x03, 0x01, 0x00, 0x00, 0x04, 0x65, 0x63, 0x68, 0x6f, 0x00,
    0x02, 0x01, 0x00, 0x03, 0x6d, 0x65, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x07,
    0x72, 0x65, 0x61, 0x6c, 0x6c, 0x6f, 0x63, 0x08, 0x09, 0x01, 0x01, 0x00,
    0x00, 0x02, 0x03, 0x00, 0x04, 0x00, 0x06, 0x08, 0x01, 0x01, 0x00, 0x00,
    0x03, 0x61, 0x64, 0x64, 0x08, 0x05, 0x01, 0x01, 0x00, 0x01, 0x00, 0x01,
    0x77, 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x11, 0x03,
    0x60, 0x02, 0x7f, 0x7f, 0x00, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60,
    0x01, 0x7f, 0x01, 0x7f, 0x02, 0x10, 0x02, 0x00, 0x04, 0x65, 0x63, 0x68,
    0x6f, 0x00, 0x00, 0x00, 0x03, 0x61, 0x64, 0x64, 0x00, 0x01, 0x03, 0x03,
    0x02, 0x02, 0x01, 0x07, 0x0e, 0x02, 0x04, 0x65, 0x63, 0x68, 0x6f, 0x00,
    0x02, 0x03, 0x61, 0x64, 0x64, 0x00, 0x03, 0x0a, 0x17, 0x02, 0x0c, 0x00,
    0x20, 0x00, 0x41, 0x80, 0x08, 0x10, 0x00, 0x41, 0x80, 0x08, 0x0b, 0x08,
    0x00, 0x20, 0x00, 0x20, 0x01, 0x10, 0x01, 0x0b, 0x00, 0x1a, 0x04, 0x6e,
    0x61, 0x6d, 0x65, 0x00, 0x05, 0x04, 0x67, 0x6c, 0x75, 0x65, 0x01, 0x0c,
    0x02, 0x00, 0x04, 0x65, 0x63, 0x68, 0x6f, 0x01, 0x03, 0x61, 0x64, 0x64,
    0x02, 0x16, 0x02, 0x01, 0x02, 0x04, 0x65, 0x63, 0x68, 0x6f, 0x00, 0x01,
    0x03, 0x61, 0x64, 0x64, 0x00, 0x02, 0x00, 0x01, 0x01, 0x00, 0x12, 0x01,
    0x07, 0x08, 0x01, 0x40, 0x01, 0x01, 0x78, 0x01, 0x00, 0x01, 0x06, 0x1e,
    0x03, 0x00, 0x00, 0x01, 0x02, 0x04, 0x65, 0x63, 0x68, 0x6f, 0x00, 0x02,
    0x01, 0x00, 0x03, 0x6d, 0x65, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x07, 0x72,
    0x65, 0x61, 0x6c, 0x6c, 0x6f, 0x63, 0x08, 0x0a, 0x01, 0x00, 0x00, 0x03,
    0x02, 0x03, 0x01, 0x04, 0x04, 0x02, 0x07, 0x0b, 0x01, 0x40, 0x02, 0x01,
    0x61, 0x79, 0x01, 0x62, 0x79, 0x00, 0x79, 0x06, 0x09, 0x01, 0x00, 0x00,
    0x01, 0x02, 0x03, 0x61, 0x64, 0x64, 0x08, 0x06, 0x01, 0x00, 0x00, 0x05,
    0x00, 0x03, 0x0b, 0x12, 0x02, 0x00, 0x04, 0x65, 0x63, 0x68, 0x6f, 0x01,
    0x02, 0x00, 0x00, 0x03, 0x61, 0x64, 0x64, 0x01, 0x03, 0x00, 0x00, 0x51,
    0x0e, 0x63, 0x6f, 0x6d, 0x70, 0x6f, 0x6e, 0x65, 0x6e, 0x74, 0x2d, 0x6e,
    0x61, 0x6d, 0x65, 0x01, 0x0e, 0x00, 0x00, 0x02, 0x01, 0x04, 0x65, 0x63,
    0x68, 0x6f, 0x02, 0x03, 0x61, 0x64, 0x64, 0x01, 0x0f, 0x00, 0x11, 0x02,
    0x00, 0x04, 0x6c, 0x69, 0x62, 0x63, 0x01, 0x04, 0x67, 0x6c, 0x75, 0x65,
    0x01, 0x0f, 0x00, 0x12, 0x02, 0x00, 0x04, 0x6c, 0x69, 0x62, 0x63, 0x02,
    0x04, 0x67, 0x6c, 0x75, 0x65, 0x01, 0x07, 0x03, 0x01, 0x01, 0x03, 0x61,
    0x6c, 0x6c, 0x01, 0x05, 0x05, 0x01, 0x00, 0x01, 0x68,
};

/* reexport.wat:
 * (component
 *   (import "test:host/values@0.2.3" (instance $h
 *     (export "add" (func (param "a" u32) (param "b" u32) (result u32)))))
 *   (alias export $h "add" (func $add))
 *   (export "add-again" (func $add))
 * )
 */
static const uint8_t reexport_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x07, 0x16, 0x01, 0x42,
    0x02, 0x01, 0x40, 0x02, 0x01, 0x61, 0x79, 0x01, 0x62, 0x79, 0x00, 0x79,
    0x04, 0x00, 0x03, 0x61, 0x64, 0x64, 0x01, 0x00, 0x0a, 0x1b, 0x01, 0x00,
    0x16, 0x74, 0x65, 0x73, 0x74, 0x3a, 0x68, 0x6f, 0x73, 0x74, 0x2f, 0x76,
    0x61, 0x6c, 0x75, 0x65, 0x73, 0x40, 0x30, 0x2e, 0x32, 0x2e, 0x33, 0x05,
    0x00, 0x06, 0x08, 0x01, 0x01, 0x00, 0x00, 0x03, 0x61, 0x64, 0x64, 0x0b,
    0x0f, 0x01, 0x00, 0x09, 0x61, 0x64, 0x64, 0x2d, 0x61, 0x67, 0x61, 0x69,
    0x6e, 0x01, 0x00, 0x00, 0x00, 0x1f, 0x0e, 0x63, 0x6f, 0x6d, 0x70, 0x6f,
    0x6e, 0x65, 0x6e, 0x74, 0x2d, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x07, 0x01,
    0x01, 0x00, 0x03, 0x61, 0x64, 0x64, 0x01, 0x05, 0x05, 0x01, 0x00, 0x01,
    0x68,
};



/* ---- the values ------------------------------------------------------------------- */

enum { F_B, F_I8, F_U8, F_I16, F_U16, F_I32, F_U32, F_I64, F_U64, F_F32, F_F64, F_C, F_S,
       F_BYTES, F_STRS, F_T, F_V, F_E, F_O, F_R, F_FL, NFIELDS };

#define BIG (64 * 1024)

/* Two records: k = 0 (what the test sends) and k = 1 (what the host answers). */
static wg_cval make_all(int k) {
    wg_cval r = wg_cval_seq(WG_CV_RECORD, NFIELDS);
    wg_cval *f = r.of.seq.items;
    f[F_B] = wg_cval_bool(k == 0);
    f[F_I8] = wg_cval_s(WG_CV_S8, k ? 127 : -128);
    f[F_U8] = wg_cval_u(WG_CV_U8, k ? 0 : 255);
    f[F_I16] = wg_cval_s(WG_CV_S16, k ? 32767 : -32768);
    f[F_U16] = wg_cval_u(WG_CV_U16, k ? 1 : 65535);
    f[F_I32] = wg_cval_s(WG_CV_S32, k ? 2147483647 : -2147483647 - 1);
    f[F_U32] = wg_cval_u(WG_CV_U32, k ? 7 : 4294967295u);
    f[F_I64] = wg_cval_s(WG_CV_S64, k ? INT64_MAX : INT64_MIN);
    f[F_U64] = wg_cval_u(WG_CV_U64, k ? 0 : UINT64_MAX);
    f[F_F32] = wg_cval_f32(k ? -0.0f : 1.5f);
    f[F_F64] = wg_cval_f64(k ? 1e300 : -2.25);
    f[F_C] = wg_cval_char(k ? 'x' : 0x1F600);
    f[F_S] = k ? wg_cval_string("", 0) : wg_cval_string("h\xc3\xa9llo \xe2\x98\x83", 10);
    if (k) {
        f[F_BYTES] = wg_cval_bytes("\x01\x02\x03", 3);
    } else {
        /* The item form from the caller: it arrives as one buffer. */
        f[F_BYTES] = wg_cval_seq(WG_CV_LIST, BIG);
        for (size_t i = 0; i < BIG; i++) f[F_BYTES].of.seq.items[i] = wg_cval_u(WG_CV_U8, (i * 7) & 0xff);
    }
    f[F_STRS] = wg_cval_seq(WG_CV_LIST, k ? 0 : 3);
    if (!k) {
        f[F_STRS].of.seq.items[0] = wg_cval_string("a", 1);
        f[F_STRS].of.seq.items[1] = wg_cval_string("", 0);
        f[F_STRS].of.seq.items[2] = wg_cval_string("\xc3\xbc", 2);
    }
    f[F_T] = wg_cval_seq(WG_CV_TUPLE, 2);
    f[F_T].of.seq.items[0] = wg_cval_u(WG_CV_U8, k ? 1 : 9);
    f[F_T].of.seq.items[1] = wg_cval_string(k ? "one" : "nine", k ? 3 : 4);
    wg_cval p = k ? wg_cval_u(WG_CV_U32, 5) : wg_cval_string("var", 3);
    f[F_V] = wg_cval_var(WG_CV_VARIANT, k ? 1 : 2, &p);
    f[F_E] = wg_cval_var(WG_CV_ENUM, k ? 0 : 2, NULL);
    p = wg_cval_u(WG_CV_U32, 77);
    f[F_O] = k ? wg_cval_var(WG_CV_OPTION, 0, NULL) : wg_cval_var(WG_CV_OPTION, 1, &p);
    p = k ? wg_cval_string("fine", 4) : wg_cval_u(WG_CV_U32, 404);
    f[F_R] = wg_cval_var(WG_CV_RESULT, k ? 0 : 1, &p);
    f[F_FL] = (wg_cval){.kind = WG_CV_FLAGS, .of.flags = k ? 0x2 : 0x5};
    return r;
}

typedef struct host {
    int echo_calls, add_calls;
    int add_bias;           /* which definition answered */
    bool saw_bytes;         /* the list<u8> arrived as one buffer */
    bool type_ok;
    void *seen_host_data;
    int mode;               /* 0 answer; 1 trap; 2 exit; 3 a bad result */
} host;

static bool h_echo(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *result, void *data) {
    host *h = data;
    h->echo_calls++;
    h->seen_host_data = wg_ccall_host_data(call);
    const wg_cfunctype *ft = wg_ccall_type(call);
    const wg_ctype *rec = wg_cfunctype_param_type(ft, 0);
    h->type_ok = wg_cfunctype_param_count(ft) == 1 && strcmp(wg_cfunctype_param_name(ft, 0), "x") == 0 &&
                 wg_ctype_kind_of(rec) == WG_CV_RECORD && wg_ctype_count(rec) == NFIELDS &&
                 strcmp(wg_ctype_name_at(rec, F_BYTES), "bytes") == 0 &&
                 wg_ctype_kind_of(wg_ctype_elem(wg_ctype_type_at(rec, F_BYTES))) == WG_CV_U8 &&
                 wg_ctype_kind_of(wg_ctype_type_at(rec, F_E)) == WG_CV_ENUM &&
                 strcmp(wg_ctype_name_at(wg_ctype_type_at(rec, F_E), 2), "blue") == 0 &&
                 wg_ctype_kind_of(wg_cfunctype_result(ft)) == WG_CV_RECORD;
    if (nargs != 1 || args[0].kind != WG_CV_RECORD || args[0].of.seq.n != NFIELDS)
        return wg_ccall_trap(call, "echo: bad arguments");
    wg_cval want = make_all(0);
    bool same = wg_cval_equal(&args[0], &want);
    wg_cval_free(&want);
    h->saw_bytes = args[0].of.seq.items[F_BYTES].kind == WG_CV_BYTES;
    if (!same) return wg_ccall_trap(call, "echo: not the values sent");
    /* Take the string over, as a host may (what is left is freed). */
    wg_cval taken = args[0].of.seq.items[F_S];
    args[0].of.seq.items[F_S] = wg_cval_bool(false);
    wg_cval_free(&taken);
    switch (h->mode) {
    case 1: return wg_ccall_trap(call, "echo refuses: %d", 42);
    case 2: return wg_ccall_exit(call, 3);
    case 3:
        *result = wg_cval_u(WG_CV_U32, 1);
        return true;
    default:
        *result = make_all(1);
        return true;
    }
}

static bool h_add(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *result, void *data) {
    host *h = data;
    (void)call;
    h->add_calls++;
    if (nargs != 2) return false;
    *result = wg_cval_u(WG_CV_U32, (args[0].of.u + args[1].of.u + (uint32_t)h->add_bias) & 0xffffffffu);
    return true;
}

/* A linker defining echo and add in iface, add answering with bias. */
static wg_clinker *linker_with(host *h, const char *iface) {
    wg_clinker *l = wg_clinker_new();
    CHECK(l != NULL);
    CHECK(wg_clinker_define_func(l, iface, "echo", h_echo, h));
    CHECK(wg_clinker_define_func(l, iface, "add", h_add, h));
    return l;
}

static wg_component *load_values(void) {
    wg_error err;
    wg_component *c = wg_component_new(values_wasm, sizeof values_wasm, &err);
    if (!c) fprintf(stderr, "  %s\n", err.message);
    CHECK(c != NULL);
    return c;
}

/* ---- tests --------------------------------------------------------------------------- */

WG_TEST(every_kind_of_value_crosses_to_the_host_and_back) {
    wg_component *c = load_values();
    host h = {0};
    wg_clinker *l = linker_with(&h, "test:host/values@0.2.3");
    int marker;
    wg_cinstance_opts opts = {.host_data = &marker};
    wg_error err;
    wg_trap trap;
    wg_cinstance *inst = c ? wg_cinstance_new(c, l, &opts, &err, &trap) : NULL;
    if (!inst && c) fprintf(stderr, "  %s\n", err.message);
    CHECK(inst != NULL);
    if (!inst) goto out;
    CHECK(wg_cinstance_host_data(inst) == &marker);
    const wg_cfunc *echo = wg_cinstance_func(inst, "echo");
    CHECK(echo != NULL && wg_cinstance_func(inst, "nope") == NULL);
    wg_cval arg = make_all(0), res;
    CHECK(wg_cfunc_call(inst, echo, &arg, 1, &res, &trap));
    CHECK(h.echo_calls == 1 && h.type_ok && h.saw_bytes && h.seen_host_data == &marker);
    wg_cval want = make_all(1);
    CHECK(wg_cval_equal(&res, &want));
    /* Lifted for the host: list<u8> as one buffer. */
    CHECK(res.of.seq.items[F_BYTES].kind == WG_CV_BYTES);
    wg_cval_free(&want);
    wg_cval_free(&res);
    /* The arguments were not consumed: call again. */
    CHECK(wg_cfunc_call(inst, echo, &arg, 1, &res, &trap) && h.echo_calls == 2);
    wg_cval_free(&res);
    wg_cval_free(&arg);
    /* Scalars through flat values. */
    const wg_cfunc *add = wg_cinstance_func(inst, "add");
    wg_cval two[2] = {wg_cval_u(WG_CV_U32, 40), wg_cval_u(WG_CV_U32, 2)};
    CHECK(add && wg_cfunc_call(inst, add, two, 2, &res, &trap) && res.kind == WG_CV_U32 && res.of.u == 42);
    CHECK(!wg_cinstance_poisoned(inst));
    wg_cinstance_free(inst);
out:
    wg_clinker_free(l);
    wg_component_free(c);
}

WG_TEST(host_traps_exits_and_bad_results_reach_the_caller) {
    wg_component *c = load_values();
    host h = {0};
    wg_clinker *l = linker_with(&h, "test:host/values@0.2.3");
    wg_error err;
    wg_trap trap;
    wg_cval arg = make_all(0), res;
    for (int mode = 1; mode <= 3 && c; mode++) {
        h.mode = mode;
        wg_cinstance *inst = wg_cinstance_new(c, l, NULL, &err, &trap);
        CHECK(inst != NULL);
        if (!inst) break;
        const wg_cfunc *echo = wg_cinstance_func(inst, "echo");
        CHECK(!wg_cfunc_call(inst, echo, &arg, 1, &res, &trap));
        if (mode == 1) {
            CHECK_EQ_INT(trap.code, WG_TRAP_HOST);
            CHECK_STR_CONTAINS(trap.message, "echo refuses: 42");
        } else if (mode == 2) {
            CHECK_EQ_INT(trap.code, WG_TRAP_EXIT);
            CHECK_EQ_INT(trap.exit_code, 3);
        } else {
            CHECK_STR_CONTAINS(trap.message, "invalid value: expected record, found u32");
        }
        /* The guest trapped: the instance is poisoned. */
        CHECK(wg_cinstance_poisoned(inst));
        const wg_cfunc *add = wg_cinstance_func(inst, "add");
        wg_cval two[2] = {wg_cval_u(WG_CV_U32, 1), wg_cval_u(WG_CV_U32, 2)};
        CHECK(!wg_cfunc_call(inst, add, two, 2, &res, &trap));
        CHECK_STR_CONTAINS(trap.message, "cannot enter component instance");
        wg_cinstance_free(inst);
    }
    wg_cval_free(&arg);
    wg_clinker_free(l);
    wg_component_free(c);
}

WG_TEST(bad_arguments_from_the_host_do_not_poison) {
    wg_component *c = load_values();
    host h = {0};
    wg_clinker *l = linker_with(&h, "test:host/values@0.2.3");
    wg_error err;
    wg_trap trap;
    wg_cinstance *inst = c ? wg_cinstance_new(c, l, NULL, &err, &trap) : NULL;
    CHECK(inst != NULL);
    if (inst) {
        const wg_cfunc *add = wg_cinstance_func(inst, "add");
        wg_cval bad[2] = {wg_cval_u(WG_CV_U32, 1), wg_cval_string("x", 1)}, res;
        CHECK(!wg_cfunc_call(inst, add, bad, 2, &res, &trap));
        CHECK_STR_CONTAINS(trap.message, "invalid value: expected u32, found string");
        CHECK(!wg_cfunc_call(inst, add, bad, 1, &res, &trap));
        CHECK_STR_CONTAINS(trap.message, "invalid value: 1 arguments given to a function of 2 parameters");
        wg_cval_free(&bad[1]);
        bad[1] = wg_cval_u(WG_CV_U32, 1ull << 32); /* out of range */
        CHECK(!wg_cfunc_call(inst, add, bad, 2, &res, &trap));
        CHECK_STR_CONTAINS(trap.message, "out of range for u32");
        CHECK(!wg_cinstance_poisoned(inst) && h.add_calls == 0);
        bad[1] = wg_cval_u(WG_CV_U32, 5);
        CHECK(wg_cfunc_call(inst, add, bad, 2, &res, &trap) && res.of.u == 6);
        wg_cinstance_free(inst);
    }
    wg_clinker_free(l);
    wg_component_free(c);
}

/* ---- semver-compatible interface names ------------------------------------------------ */

static bool compat(const char *want, const char *have) {
    uint64_t rank;
    return wg__cname_compatible(want, strlen(want), have, strlen(have), &rank);
}

WG_TEST(interface_versions_match_semver_compatibly) {
    CHECK(compat("wasi:io/streams@0.2.3", "wasi:io/streams@0.2.3"));
    CHECK(compat("wasi:io/streams@0.2.3", "wasi:io/streams@0.2.0"));
    CHECK(compat("wasi:io/streams@0.2.3", "wasi:io/streams@0.2.12"));
    CHECK(!compat("wasi:io/streams@0.2.3", "wasi:io/streams@0.3.0"));
    CHECK(!compat("wasi:io/streams@0.2.3", "wasi:io/streams@1.2.3"));
    CHECK(!compat("wasi:io/streams@0.2.3", "wasi:io/streams"));
    CHECK(!compat("wasi:io/streams", "wasi:io/streams@0.2.3"));
    CHECK(compat("wasi:io/streams", "wasi:io/streams"));
    CHECK(!compat("wasi:io/streams@0.2.3", "wasi:io/error@0.2.3"));
    CHECK(compat("a:b/c@1.2.0", "a:b/c@1.9.1"));
    CHECK(!compat("a:b/c@1.2.0", "a:b/c@2.0.0"));
    CHECK(compat("a:b/c@0.0.3", "a:b/c@0.0.3"));
    CHECK(!compat("a:b/c@0.0.3", "a:b/c@0.0.4"));
    CHECK(!compat("a:b/c@1.0.0-rc1", "a:b/c@1.0.0"));
    CHECK(!compat("a:b/c@1.0.0", "a:b/c@1.0.1-rc1"));
    CHECK(compat("a:b/c@1.0.0+build", "a:b/c@1.0.2"));
    CHECK(!compat("plain-name", "plain-name2"));
    /* The newest compatible definition ranks highest; an exact one above all. */
    uint64_t r1, r2, r3;
    CHECK(compat("a:b/c@0.2.3", "a:b/c@0.2.1"));
    wg__cname_compatible("a:b/c@0.2.3", 11, "a:b/c@0.2.1", 11, &r1);
    wg__cname_compatible("a:b/c@0.2.3", 11, "a:b/c@0.2.9", 11, &r2);
    wg__cname_compatible("a:b/c@0.2.3", 11, "a:b/c@0.2.3", 11, &r3);
    CHECK(r2 > r1 && r3 > r2);
}

WG_TEST(the_newest_compatible_definition_links) {
    wg_component *c = load_values();
    host old = {.add_bias = 100}, mid = {.add_bias = 200}, next = {.add_bias = 300};
    wg_clinker *l = wg_clinker_new();
    CHECK(l && wg_clinker_define_func(l, "test:host/values@0.2.1", "echo", h_echo, &old) &&
          wg_clinker_define_func(l, "test:host/values@0.2.1", "add", h_add, &old) &&
          wg_clinker_define_func(l, "test:host/values@0.2.9", "echo", h_echo, &mid) &&
          wg_clinker_define_func(l, "test:host/values@0.2.9", "add", h_add, &mid) &&
          wg_clinker_define_func(l, "test:host/values@0.3.0", "echo", h_echo, &next) &&
          wg_clinker_define_func(l, "test:host/values@0.3.0", "add", h_add, &next));
    wg_error err;
    wg_trap trap;
    wg_cinstance *inst = c ? wg_cinstance_new(c, l, NULL, &err, &trap) : NULL;
    CHECK(inst != NULL);
    wg_cval two[2] = {wg_cval_u(WG_CV_U32, 1), wg_cval_u(WG_CV_U32, 2)}, res;
    CHECK(inst && wg_cfunc_call(inst, wg_cinstance_func(inst, "add"), two, 2, &res, &trap) && res.of.u == 203);
    wg_cinstance_free(inst);
    /* A later definition of a name replaces it (instances made before keep theirs). */
    CHECK(wg_clinker_define_func(l, "test:host/values@0.2.9", "add", h_add, &old));
    inst = c ? wg_cinstance_new(c, l, NULL, &err, &trap) : NULL;
    CHECK(inst && wg_cfunc_call(inst, wg_cinstance_func(inst, "add"), two, 2, &res, &trap) && res.of.u == 103);
    wg_cinstance_free(inst);
    wg_clinker_free(l);
    /* Only incompatible versions, or no version: not linked. */
    const char *bad[] = {"test:host/values@0.3.0", "test:host/values@1.2.3", "test:host/values"};
    for (int i = 0; i < 3 && c; i++) {
        l = linker_with(&old, bad[i]);
        CHECK(!wg_cinstance_new(c, l, NULL, &err, &trap));
        CHECK_EQ_INT(err.kind, WG_ERR_UNLINKABLE);
        CHECK_STR_CONTAINS(err.message, "component imports instance `test:host/values@0.2.3`, but a matching implementation was not found");
        wg_clinker_free(l);
    }
    /* A definition missing from the interface is named. */
    l = wg_clinker_new();
    CHECK(wg_clinker_define_func(l, "test:host/values@0.2.3", "echo", h_echo, &old));
    CHECK(c && !wg_cinstance_new(c, l, NULL, &err, &trap));
    CHECK_STR_CONTAINS(err.message, "import `test:host/values@0.2.3`: instance export `add` (function) was not found");
    /* A resource where a function is wanted. */
    CHECK(wg_clinker_define_resource(l, "test:host/values@0.2.3", "add", NULL, NULL));
    CHECK(c && !wg_cinstance_new(c, l, NULL, &err, &trap));
    CHECK_STR_CONTAINS(err.message, "import `test:host/values@0.2.3`, export `add`: expected function found resource");
    /* No linker at all. */
    CHECK(c && !wg_cinstance_new(c, NULL, NULL, &err, &trap) && err.kind == WG_ERR_UNLINKABLE);
    wg_clinker_free(l);
    wg_component_free(c);
}

WG_TEST(linker_refuses_bad_definitions) {
    host h = {0};
    wg_clinker *l = wg_clinker_new();
    CHECK(l && wg_clinker_define_func(l, "a", "f", h_add, &h));
    CHECK(!wg_clinker_define_func(l, "a#f", "g", h_add, &h));   /* f is not an instance */
    CHECK(!wg_clinker_define_func(l, "a", NULL, h_add, &h));
    CHECK(!wg_clinker_define_func(l, "a", "", h_add, &h));
    CHECK(!wg_clinker_define_func(l, "a", "g", NULL, &h));
    CHECK(!wg_clinker_define_func(l, "a##b", "g", h_add, &h));
    CHECK(!wg_clinker_define_module(l, "a", "m", NULL));
    CHECK(!wg_clinker_define_instance(l, "i", NULL, NULL));
    CHECK(!wg_clinker_define_resource_type(l, "a", "r", NULL));
    CHECK(wg_clinker_define_func(NULL, "a", "f", h_add, &h) == false);
    wg_clinker_free(l);
    wg_clinker_free(NULL);
}

/* ---- threads, budgets ---------------------------------------------------------------- */

typedef struct worker {
    const wg_component *c;
    const wg_clinker *l;
    int ok;
} worker;

static void *work(void *data) {
    worker *w = data;
    for (int i = 0; i < 200; i++) {
        wg_error err;
        wg_trap trap;
        wg_cinstance *inst = wg_cinstance_new(w->c, w->l, NULL, &err, &trap);
        if (!inst) continue;
        wg_cval two[2] = {wg_cval_u(WG_CV_U32, (uint64_t)i), wg_cval_u(WG_CV_U32, 1)}, res;
        if (wg_cfunc_call(inst, wg_cinstance_func(inst, "add"), two, 2, &res, &trap) &&
            res.of.u == (uint64_t)i + 1)
            w->ok++;
        wg_cinstance_free(inst);
    }
    return NULL;
}

static bool h_add_atomic(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *result, void *data) {
    (void)call, (void)data;
    if (nargs != 2) return false;
    *result = wg_cval_u(WG_CV_U32, args[0].of.u + args[1].of.u);
    return true;
}

WG_TEST(two_threads_instantiate_one_component_at_once) {
    wg_component *c = load_values();
    host h = {0};
    wg_clinker *l = wg_clinker_new();
    CHECK(wg_clinker_define_func(l, "test:host/values@0.2.3", "echo", h_echo, &h) &&
          wg_clinker_define_func(l, "test:host/values@0.2.3", "add", h_add_atomic, NULL));
    worker w[2] = {{c, l, 0}, {c, l, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) CHECK(pthread_create(&t[i], NULL, work, &w[i]) == 0);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    CHECK_EQ_INT(w[0].ok, 200);
    CHECK_EQ_INT(w[1].ok, 200);
    wg_clinker_free(l);
    wg_component_free(c);
}

WG_TEST(memory_budgets_and_caps_apply_to_the_core_instances) {
    wg_component *c = load_values();
    host h = {0};
    wg_clinker *l = linker_with(&h, "test:host/values@0.2.3");
    wg_error err;
    wg_trap trap;
    /* The libc module's memory is 2 pages. */
    wg_budget *b = wg_budget_new(65536);
    wg_cinstance_opts o = {.budget = b};
    CHECK(c && !wg_cinstance_new(c, l, &o, &err, &trap));
    CHECK_EQ_INT(err.kind, WG_ERR_BUDGET);
    CHECK_EQ_INT(wg_budget_used(b), 0);
    wg_budget_free(b);
    b = wg_budget_new(4 * 65536);
    o.budget = b;
    wg_cinstance *inst = c ? wg_cinstance_new(c, l, &o, &err, &trap) : NULL;
    CHECK(inst != NULL && wg_budget_used(b) == 2 * 65536);
    wg_cinstance_free(inst);
    CHECK_EQ_INT(wg_budget_used(b), 0);
    wg_budget_free(b);
    wg_cinstance_opts cap = {.max_memory_bytes = 65536};
    CHECK(c && !wg_cinstance_new(c, l, &cap, &err, &trap));
    CHECK_EQ_INT(err.kind, WG_ERR_RESOURCE);
    CHECK_STR_CONTAINS(err.message, "exceeds the memory limit");
    wg_clinker_free(l);
    wg_component_free(c);
}

WG_TEST(a_reexported_host_function_is_called_directly) {
    wg_error err;
    wg_trap trap;
    wg_component *c = wg_component_new(reexport_wasm, sizeof reexport_wasm, &err);
    CHECK(c != NULL);
    host h = {.add_bias = 1000};
    wg_clinker *l = linker_with(&h, "test:host/values@0.2.3");
    int marker;
    wg_cinstance_opts o = {.host_data = &marker};
    wg_cinstance *inst = c ? wg_cinstance_new(c, l, &o, &err, &trap) : NULL;
    CHECK(inst != NULL);
    wg_cval two[2] = {wg_cval_u(WG_CV_U32, 1), wg_cval_u(WG_CV_U32, 2)}, res;
    const wg_cfunc *f = inst ? wg_cinstance_func(inst, "add-again") : NULL;
    CHECK(f && wg_cfunc_call(inst, f, two, 2, &res, &trap) && res.of.u == 1003 && h.add_calls == 1);
    /* Its arguments are checked against the import's type as any export's. */
    wg_cval bad[2] = {wg_cval_u(WG_CV_U32, 1), wg_cval_bool(true)};
    CHECK(f && !wg_cfunc_call(inst, f, bad, 2, &res, &trap));
    CHECK_STR_CONTAINS(trap.message, "invalid value: expected u32, found bool");
    CHECK(h.add_calls == 1 && !wg_cinstance_poisoned(inst));
    wg_cinstance_free(inst);
    wg_clinker_free(l);
    wg_component_free(c);
}

WG_TEST_MAIN()
