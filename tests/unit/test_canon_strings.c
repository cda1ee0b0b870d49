/*
 * Strings across the Canonical ABI (canon_string.c): lifting from UTF-8,
 * UTF-16 and latin1+utf16 memories and lowering into each, compared with the
 * reference (canon_vectors.h: the bytes written and every realloc call, from
 * definitions.py with run_tests.py's Heap), for 32- and 64-bit memories; the
 * traps (invalid UTF-8 / UTF-16, alignment, bounds, the 2^28-1 length limit,
 * bad realloc results) with the reference tests' messages; the length limit
 * computed on huge lengths without allocating them; bad host strings.
 */
#include "canon_test_util.h"
#include "canon_vectors.h"

static wg_ctype string_type;

static const wg_cfield *string_field(void) {
    static wg_cfield f;
    if (!string_type.kind) {
        string_type.kind = WG_CT_STRING;
        wg__ctype_layout(&string_type);
    }
    f.name = "s";
    f.type = &string_type;
    return &f;
}

/* Lifts (ptr, tagged) from m as a string in enc. */
static bool lift(ct_mem *m, wg_canon_enc enc, bool mem64, uint64_t ptr, uint64_t tagged,
                 wg_cval *out, wg_trap *trap) {
    wg_canon_inst inst;
    wg__canon_inst_init(&inst, NULL, NULL, 0);
    wg_canon_opts o = ct_opts(m, enc, mem64);
    wg_canon_cx cx;
    wg__canon_cx_init(&cx, &o, &inst, NULL, trap);
    uint64_t flat[2] = {ptr, tagged};
    bool ok = wg__canon_lift_values(&cx, 16, string_field(), 1, flat, 2, out, NULL);
    wg__canon_inst_fini(&inst);
    return ok;
}

/* Lowers v into m in enc; flat[0..2) = (ptr, tagged). */
static bool lower(ct_mem *m, wg_canon_enc enc, bool mem64, const wg_cval *v, uint64_t *flat,
                  wg_trap *trap, bool *bad) {
    wg_canon_inst inst;
    wg__canon_inst_init(&inst, NULL, NULL, 0);
    m->inst = &inst;
    wg_canon_opts o = ct_opts(m, enc, mem64);
    wg_canon_cx cx;
    wg__canon_cx_init(&cx, &o, &inst, NULL, trap);
    uint32_t n;
    bool ok = wg__canon_lower_values(&cx, 16, string_field(), 1, v, flat, &n, NULL);
    if (ok) CHECK_EQ_INT(n, 2);
    if (bad) *bad = cx.bad_value;
    CHECK(inst.may_leave); /* restored after every realloc */
    m->inst = NULL;
    wg__canon_inst_fini(&inst);
    return ok;
}

static const char *enc_name(wg_canon_enc e) {
    return e == WG_CANON_UTF8 ? "utf8" : e == WG_CANON_UTF16 ? "utf16" : "latin1+utf16";
}

WG_TEST(strings_transcode_as_reference) {
    for (size_t i = 0; i < sizeof STRING_VECS / sizeof STRING_VECS[0]; i++) {
        const struct string_vec *v = &STRING_VECS[i];
        uint8_t in[256], want[256];
        size_t nin = ct_unhex(v->in_hex, in), nwant = ct_unhex(v->out_hex, want);
        char what[160];
        snprintf(what, sizeof what, "vector %zu: %s -> %s, %s, \"%s\"", i, enc_name(v->src),
                 enc_name(v->dst), v->mem64 ? "i64" : "i32", v->in_hex);
        ct_mem src;
        ct_mem_init(&src, nin);
        memcpy(src.buf, in, nin);
        wg_trap trap;
        wg_cval s;
        if (!lift(&src, v->src, v->mem64, 0, v->in_tagged, &s, &trap)) {
            wg_test_fail(__FILE__, __LINE__, what);
            ct_mem_free(&src);
            continue;
        }
        ct_mem heap;
        ct_mem_init(&heap, v->heap_size);
        uint64_t flat[2];
        bool ok = lower(&heap, v->dst, v->mem64, &s, flat, &trap, NULL);
        bool same = ok && flat[0] == v->out_ptr && flat[1] == v->out_tagged &&
                    heap.ncalls == v->ncalls && flat[0] + nwant <= heap.size &&
                    memcmp(heap.buf + flat[0], want, nwant) == 0;
        for (uint32_t k = 0; same && k < v->ncalls; k++) {
            const ct_realloc_call *c = &heap.calls[k];
            same = c->old == v->calls[k][0] && c->old_size == v->calls[k][1] &&
                   c->align == v->calls[k][2] && c->new_size == v->calls[k][3] &&
                   c->ret == v->calls[k][4];
        }
        if (!same) {
            char m[700];
            snprintf(m, sizeof m, "%s: got %s ptr %llu units %#llx, %u realloc calls", what,
                     ok ? "ok" : trap.message, (unsigned long long)flat[0],
                     (unsigned long long)flat[1], heap.ncalls);
            wg_test_fail(__FILE__, __LINE__, m);
        }
        wg_cval_free(&s);
        ct_mem_free(&heap);
        ct_mem_free(&src);
    }
}

WG_TEST(strings_lifted_are_utf8_with_their_encoding) {
    ct_mem m;
    ct_mem_init(&m, 64);
    /* "hö☃🍰" in UTF-16 at 16 (from transcode.wast). */
    static const uint8_t u16[] = {0x68, 0, 0xf6, 0, 0x03, 0x26, 0x3c, 0xd8, 0x70, 0xdf};
    memcpy(m.buf + 16, u16, sizeof u16);
    wg_trap trap;
    wg_cval s;
    CHECK(lift(&m, WG_CANON_UTF16, false, 16, 5, &s, &trap));
    CHECK(s.kind == WG_CV_STRING && s.str_enc == WG_CV_ENC_UTF16);
    CHECK(s.of.str.len == 10 && memcmp(s.of.str.data, "h\xc3\xb6\xe2\x98\x83\xf0\x9f\x8d\xb0", 10) == 0);
    wg_cval_free(&s);
    /* Tagged: the same bytes as latin1+utf16 UTF-16. */
    CHECK(lift(&m, WG_CANON_LATIN1_UTF16, false, 16, 5 | 0x80000000u, &s, &trap));
    CHECK(s.str_enc == WG_CV_ENC_LATIN1_UTF16 && s.of.str.len == 10);
    wg_cval_free(&s);
    /* Untagged: Latin-1 bytes 68 00 f6 00 -> "h\0ö\0". */
    CHECK(lift(&m, WG_CANON_LATIN1_UTF16, false, 16, 4, &s, &trap));
    CHECK(s.str_enc == WG_CV_ENC_LATIN1 && s.of.str.len == 5 &&
          memcmp(s.of.str.data, "h\0\xc3\xb6\0", 5) == 0);
    wg_cval_free(&s);
    /* memory64: the tag is bit 63. */
    CHECK(lift(&m, WG_CANON_LATIN1_UTF16, true, 16, 5 | 1ull << 63, &s, &trap));
    CHECK(s.str_enc == WG_CV_ENC_LATIN1_UTF16 && s.of.str.len == 10);
    wg_cval_free(&s);
    /* Empty strings anywhere in bounds, even at the very end. */
    CHECK(lift(&m, WG_CANON_UTF8, false, 64, 0, &s, &trap));
    CHECK(s.of.str.len == 0 && s.of.str.data != NULL && wg_cval_ok(&s));
    wg_cval_free(&s);
    ct_mem_free(&m);
}

WG_TEST(strings_invalid_trap_as_reference) {
    for (size_t i = 0; i < sizeof BAD_STRING_VECS / sizeof BAD_STRING_VECS[0]; i++) {
        const struct bad_string_vec *v = &BAD_STRING_VECS[i];
        ct_mem m;
        ct_mem_init(&m, 16);
        ct_unhex(v->hex, m.buf);
        wg_trap trap;
        wg_cval s;
        if (lift(&m, v->enc, false, 0, v->tagged, &s, &trap)) {
            char msg[128];
            snprintf(msg, sizeof msg, "%s \"%s\" lifted; the reference traps", enc_name(v->enc), v->hex);
            wg_test_fail(__FILE__, __LINE__, msg);
            wg_cval_free(&s);
        }
        ct_mem_free(&m);
    }
}

/* Lifts hex bytes as UTF-8 and checks the trap message. */
static void utf8_trap(const char *hex, const char *want, int line) {
    ct_mem m;
    ct_mem_init(&m, 16);
    size_t n = ct_unhex(hex, m.buf);
    wg_trap trap;
    wg_cval s;
    bool ok = lift(&m, WG_CANON_UTF8, false, 0, n, &s, &trap);
    if (ok || !strstr(trap.message, want)) {
        char msg[700];
        snprintf(msg, sizeof msg, "\"%s\": %s, want \"%s\"", hex, ok ? "lifted" : trap.message, want);
        wg_test_fail(__FILE__, line, msg);
        if (ok) wg_cval_free(&s);
    }
    ct_mem_free(&m);
}

WG_TEST(strings_utf8_messages_are_rusts) {
    /* strings.wast: 0xFF, and a lone leading byte at the end. */
    utf8_trap("ff", "invalid utf-8 sequence of 1 bytes from index 0", __LINE__);
    utf8_trap("c3", "incomplete utf-8 byte sequence from index 0", __LINE__);
    utf8_trap("6162e282", "incomplete utf-8 byte sequence from index 2", __LINE__);
    utf8_trap("61e28228", "invalid utf-8 sequence of 2 bytes from index 1", __LINE__);
    utf8_trap("f0908028", "invalid utf-8 sequence of 3 bytes from index 0", __LINE__);
    utf8_trap("eda080", "invalid utf-8 sequence of 1 bytes from index 0", __LINE__); /* surrogate */
    utf8_trap("c0af", "invalid utf-8 sequence of 1 bytes from index 0", __LINE__);   /* overlong */
    utf8_trap("f4908080", "invalid utf-8 sequence of 1 bytes from index 0", __LINE__); /* > U+10FFFF */
    utf8_trap("e080", "invalid utf-8 sequence of 1 bytes from index 0", __LINE__);
}

WG_TEST(strings_bounds_alignment_and_length_traps) {
    ct_mem m;
    ct_mem_init(&m, 65536);
    wg_trap trap;
    wg_cval s;
    /* strings.wast: out-of-bounds pointer even with length 0; one past the end. */
    CHECK_TRAP(lift(&m, WG_CANON_UTF8, false, 0xdeadbeef, 0, &s, &trap), trap,
               "string pointer/length out of bounds of memory");
    CHECK_TRAP(lift(&m, WG_CANON_UTF8, false, 65535, 2, &s, &trap), trap,
               "string content out-of-bounds");
    memcpy(m.buf + 65534, "ok", 2);
    CHECK(lift(&m, WG_CANON_UTF8, false, 65534, 2, &s, &trap));
    wg_cval_free(&s);
    /* wasmtime strings.wast / alignment.wast: UTF-16 and latin1+utf16 need 2-alignment,
     * for both forms, even when empty. */
    CHECK_TRAP(lift(&m, WG_CANON_UTF16, false, 1, 0, &s, &trap), trap, "string pointer not aligned to 2");
    CHECK_TRAP(lift(&m, WG_CANON_LATIN1_UTF16, false, 1, 0, &s, &trap), trap, "unaligned pointer");
    CHECK_TRAP(lift(&m, WG_CANON_LATIN1_UTF16, false, 1, 0x80000000u, &s, &trap), trap,
               "unaligned pointer");
    /* UTF-16 length counts code units: 2 units at 65534 is 4 bytes. */
    CHECK_TRAP(lift(&m, WG_CANON_UTF16, false, 65532, 3, &s, &trap), trap, "string content out-of-bounds");
    /* The length limit (MAX_STRING_BYTE_LENGTH = 2^28-1) comes before the
     * alignment and bounds checks: computed, never allocated. */
    CHECK_TRAP(lift(&m, WG_CANON_UTF8, false, 0, (1u << 28), &s, &trap), trap,
               "exceed the maximum byte length 2^28-1");
    CHECK_TRAP(lift(&m, WG_CANON_UTF8, false, 0, (1u << 28) - 1, &s, &trap), trap,
               "string pointer/length out of bounds");
    CHECK_TRAP(lift(&m, WG_CANON_UTF16, false, 1, 1u << 27, &s, &trap), trap, "exceed the maximum");
    CHECK_TRAP(lift(&m, WG_CANON_UTF16, false, 1, (1u << 27) - 1, &s, &trap), trap, "not aligned to 2");
    CHECK_TRAP(lift(&m, WG_CANON_LATIN1_UTF16, false, 0, 0x80000000u | 1u << 27, &s, &trap), trap,
               "exceed the maximum");
    CHECK_TRAP(lift(&m, WG_CANON_LATIN1_UTF16, false, 0, 1u << 28, &s, &trap), trap, "exceed the maximum");
    /* 64-bit lengths that would overflow when doubled. */
    CHECK_TRAP(lift(&m, WG_CANON_UTF16, true, 0, UINT64_MAX, &s, &trap), trap, "exceed the maximum");
    CHECK_TRAP(lift(&m, WG_CANON_UTF8, true, UINT64_MAX, 1, &s, &trap), trap, "out of bounds");
    /* Invalid UTF-16: an unpaired surrogate. */
    m.buf[0] = 0x00, m.buf[1] = 0xdc;
    CHECK_TRAP(lift(&m, WG_CANON_UTF16, false, 0, 1, &s, &trap), trap, "invalid utf-16");
    ct_mem_free(&m);
}

WG_TEST(strings_realloc_results_are_checked) {
    wg_cval s = wg_cval_string("\xc3\xa0\xc3\xa0", 4); /* "àà" */
    wg_trap trap;
    uint64_t flat[2];
    ct_mem m;
    /* A misaligned block for UTF-16 (realloc.wast: host path wording;
     * alignment.wast: adapter wording). */
    ct_mem_init(&m, 64);
    m.use_fixed = true, m.fixed = 1;
    CHECK_TRAP(lower(&m, WG_CANON_UTF16, false, &s, flat, &trap, NULL), trap, "unaligned pointer");
    CHECK_STR_CONTAINS(trap.message, "realloc return: result not aligned");
    /* Out of bounds, even for an empty string. */
    m.fixed = 64;
    CHECK_TRAP(lower(&m, WG_CANON_UTF16, false, &s, flat, &trap, NULL), trap, "string content out-of-bounds");
    CHECK_STR_CONTAINS(trap.message, "realloc return: beyond end of memory");
    wg_cval e = wg_cval_string("", 0);
    m.fixed = 65;
    CHECK_TRAP(lower(&m, WG_CANON_UTF8, false, &e, flat, &trap, NULL), trap, "beyond end of memory");
    m.fixed = 64;
    m.ncalls = 0;
    CHECK(lower(&m, WG_CANON_UTF8, false, &e, flat, &trap, NULL));
    CHECK(flat[0] == 64 && flat[1] == 0 && m.ncalls == 1);
    CHECK(m.calls[0].old == 0 && m.calls[0].old_size == 0 && m.calls[0].align == 1 &&
          m.calls[0].new_size == 0);
    ct_mem_free(&m);
    /* wasmtime strings.wast: utf8 -> utf16, the shrinking realloc returns a
     * misaligned pointer: allocate(2, 8) = 2, then realloc(2, 8, 2, 4) = 3. */
    ct_mem_init(&m, 64);
    m.use_fixed = true, m.fixed = 2;
    CHECK(lower(&m, WG_CANON_UTF16, false, &s, flat, &trap, NULL)); /* shrink to 2: fine */
    CHECK(m.ncalls == 2 && m.calls[0].new_size == 8 && m.calls[1].old == 2 &&
          m.calls[1].old_size == 8 && m.calls[1].new_size == 4);
    ct_mem_free(&m);
    /* A realloc that traps (a guest's unreachable) passes its trap on, and
     * runs with may_leave clear. */
    ct_mem_init(&m, 64);
    m.trap_on_call = true;
    CHECK_TRAP(lower(&m, WG_CANON_UTF8, false, &s, flat, &trap, NULL), trap, "unreachable");
    CHECK(trap.code == WG_TRAP_UNREACHABLE);
    m.trap_on_call = false;
    CHECK(lower(&m, WG_CANON_UTF8, false, &s, flat, &trap, NULL));
    CHECK(!m.may_leave_seen);
    ct_mem_free(&m);
    /* No realloc option at all: a trap, not a crash. */
    ct_mem_init(&m, 64);
    {
        wg_canon_inst inst;
        wg__canon_inst_init(&inst, NULL, NULL, 0);
        wg_canon_opts o = ct_opts(&m, WG_CANON_UTF8, false);
        o.realloc.fn = NULL;
        wg_canon_cx cx;
        wg__canon_cx_init(&cx, &o, &inst, NULL, &trap);
        uint32_t n;
        CHECK_TRAP(wg__canon_lower_values(&cx, 16, string_field(), 1, &s, flat, &n, NULL), trap,
                   "`realloc` missing");
        o.memory = NULL;
        wg__canon_cx_init(&cx, &o, &inst, NULL, &trap);
        uint64_t f2[2] = {0, 1};
        wg_cval out;
        CHECK_TRAP(wg__canon_lift_values(&cx, 16, string_field(), 1, f2, 2, &out, NULL), trap,
                   "`memory` missing");
        wg__canon_inst_fini(&inst);
    }
    ct_mem_free(&m);
    wg_cval_free(&e);
    wg_cval_free(&s);
}

/* Records the realloc sizes lowering a huge string asks for, failing the
 * first call (nothing that big is ever allocated). */
WG_TEST(strings_near_the_length_limit) {
    /* A host string's length is checked before its bytes are read: data is
     * a small buffer here, the length a lie past it that is never touched. */
    char small[8] = "abc";
    wg_cval s = {.kind = WG_CV_STRING};
    s.of.str.data = small;
    s.of.str.len = (size_t)1 << 28;
    ct_mem m;
    ct_mem_init(&m, 64);
    wg_trap trap;
    uint64_t flat[2];
    bool bad = false;
    CHECK_TRAP(lower(&m, WG_CANON_UTF8, false, &s, flat, &trap, &bad), trap, "longer than 2^28-1 bytes");
    CHECK(bad && m.ncalls == 0);
    /* A lifted UTF-16 string may be up to 2^27-1 code units. */
    s.str_enc = WG_CV_ENC_UTF16;
    s.of.str.len = 3u * ((1u << 28) - 1) + 1;
    CHECK_TRAP(lower(&m, WG_CANON_UTF8, false, &s, flat, &trap, &bad), trap, "longer than 2^28-1");
    ct_mem_free(&m);
    /* The worst-case sizes for the largest strings stay within 32 bits:
     * 2^28-1 bytes of ASCII lowered to UTF-16 asks for 2 * (2^28-1) bytes.
     * The allocation is refused (out of bounds), never made. */
    size_t n = ((size_t)1 << 28) - 1;
    char *big = malloc(n);
    if (!big) return;
    memset(big, 'a', n);
    wg_cval b = {.kind = WG_CV_STRING};
    b.of.str.data = big;
    b.of.str.len = n;
    ct_mem_init(&m, 64);
    m.use_fixed = true, m.fixed = 0;
    CHECK_TRAP(lower(&m, WG_CANON_UTF16, false, &b, flat, &trap, NULL), trap, "beyond end of memory");
    CHECK(m.ncalls == 1 && m.calls[0].new_size == 2 * (uint64_t)n && m.calls[0].align == 2);
    m.ncalls = 0;
    CHECK_TRAP(lower(&m, WG_CANON_LATIN1_UTF16, false, &b, flat, &trap, NULL), trap, "beyond end");
    CHECK(m.ncalls == 1 && m.calls[0].new_size == n);
    ct_mem_free(&m);
    free(big);
}

WG_TEST(strings_bad_host_values) {
    ct_mem m;
    ct_mem_init(&m, 64);
    wg_trap trap;
    uint64_t flat[2];
    bool bad = false;
    wg_cval s = wg_cval_string("a\xff", 2);
    CHECK_TRAP(lower(&m, WG_CANON_UTF8, false, &s, flat, &trap, &bad), trap, "invalid value: string is not UTF-8");
    CHECK(bad && m.ncalls == 0);
    wg_cval_free(&s);
    s = wg_cval_string("\xe2\x98\x83", 3);
    s.str_enc = WG_CV_ENC_LATIN1; /* a Latin-1 tag on a snowman */
    CHECK_TRAP(lower(&m, WG_CANON_UTF8, false, &s, flat, &trap, &bad), trap, "Latin-1");
    s.str_enc = 9;
    CHECK_TRAP(lower(&m, WG_CANON_UTF8, false, &s, flat, &trap, &bad), trap, "unknown string encoding");
    wg_cval_free(&s);
    wg_cval u = wg_cval_u(WG_CV_U32, 7);
    CHECK_TRAP(lower(&m, WG_CANON_UTF8, false, &u, flat, &trap, &bad), trap,
               "invalid value: expected string, found u32");
    wg_cval nodata = {.kind = WG_CV_STRING};
    nodata.of.str.len = 3;
    CHECK_TRAP(lower(&m, WG_CANON_UTF8, false, &nodata, flat, &trap, &bad), trap, "no data");
    ct_mem_free(&m);
}

WG_TEST_MAIN()
