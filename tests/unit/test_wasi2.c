/*
 * The WASI 0.2 host (src/wasi2, include/wasmgate/wasi2.h) called through
 * small components (w2_components.h, from the .wat files of tests/unit/wasi2) that
 * re-export its functions with their own import types, at @0.2.0 (io),
 * @0.2.3 (fs) and @0.2.6 (misc): every version links against the host's
 * @0.2.6. Calls go through wg_cfunc_call, so the runtime checks every
 * argument and result against the component's types.
 *
 * What each test proves:
 *   links_every_version   0.2.0 / 0.2.3 / 0.2.6 imports link; a missing
 *                          interface does not; no wg_wasi traps
 *   stdio                  stdin buffer reads, skips and its end (closed);
 *                          captured stdout / stderr, check-write, flush,
 *                          write-zeroes, splice; the output cap that traps
 *   stream_errors          a failed read answers last-operation-failed with
 *                          an error resource (to-debug-string,
 *                          filesystem-error-code); a write to a pipe without
 *                          reader answers closed; closed stays closed
 *   poll_and_clocks        monotonic clock never goes back; pollables of
 *                          instants and durations; poll answers the ready
 *                          indices; an empty poll traps; a pipe's pollable
 *   interrupt              poll, block and blocking-read on a pipe that
 *                          never gets data stop with WG_TRAP_INTERRUPTED
 *                          once the interrupt is set (no timing involved:
 *                          it is set before the call)
 *   children               dropping a stream with a live pollable traps
 *                          "resource has children"; in order it works
 *   filesystem             every descriptor method on a temporary preopen:
 *                          streams, read/write at offsets, stat, flags,
 *                          type, size, times, directories, renames, links,
 *                          symlinks, hashes, error codes
 *   sandbox                `..`, absolute paths and symlinks out answer
 *                          not-permitted and change nothing outside
 *   read_only              a :ro preopen: reads work, every change is
 *                          not-permitted, write-via-stream bad-descriptor
 *   open_file_caps         max_open_files counts open-at's descriptors
 *                          (insufficient-memory past it), a drop gives the
 *                          place back, preopens never count
 *   cli_random_sockets     arguments, environment, initial-cwd, random
 *                          bytes, terminals, sockets denied
 *   exit                   exit(ok) / exit(err) / exit-with-code
 *   run                    wg_wasi2_run: ok is 0, a component without
 *                          wasi:cli/run says so
 *   state_getter           host data that is not the wg_wasi (a getter)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "w2_components.h"
#include "wasmgate/wasi2.h"
#include "wg_test.h"

/* error-code (wasi:filesystem/types) values the tests expect. */
enum {
    EC_ACCESS = 0, EC_BAD_DESCRIPTOR = 3, EC_EXIST = 7, EC_INSUFFICIENT_MEMORY = 22,
    EC_IS_DIRECTORY = 14, EC_NO_ENTRY = 20, EC_NOT_DIRECTORY = 24, EC_NOT_EMPTY = 25,
    EC_NOT_PERMITTED = 31,
};
/* descriptor-type */
enum { DT_DIRECTORY = 3, DT_SYMLINK = 5, DT_REGULAR = 6 };
/* descriptor-flags, open-flags, path-flags */
enum { DF_READ = 1, DF_WRITE = 2, DF_MUTATE = 32 };
enum { OF_CREATE = 1, OF_DIRECTORY = 2, OF_EXCLUSIVE = 4, OF_TRUNCATE = 8 };
enum { PF_FOLLOW = 1 };

/* ---- a harness: one instance of a test component with its WASI ------------------------------ */

typedef struct h {
    wg_wasi_config *cfg;
    wg_wasi *w;
    wg_clinker *l;
    wg_component *c;
    wg_cinstance *inst;
    wg_interrupt *intr;
    wg_trap trap;
    wg_error err;
} h;

/* Instantiates a component with WASI made from t->cfg (made here when the
 * caller left it NULL). host_data is the wg_wasi unless hd is given. */
static bool h_open_with(h *t, const uint8_t *bytes, size_t len, void *hd,
                        wg_wasi2_state_fn get) {
    if (!t->cfg) t->cfg = wg_wasi_config_new();
    t->l = wg_clinker_new();
    t->intr = wg_interrupt_new();
    if (!t->cfg || !t->l || !t->intr || !wg_wasi2_add_to_linker(t->l, get)) return false;
    t->w = wg_wasi_new(t->cfg, &t->err);
    t->c = wg_component_new(bytes, len, &t->err);
    if (!t->w || !t->c) {
        fprintf(stderr, "setup: %s\n", t->err.message);
        return false;
    }
    wg_cinstance_opts o = {.host_data = get ? hd : t->w, .interrupt = t->intr};
    t->inst = wg_cinstance_new(t->c, t->l, &o, &t->err, &t->trap);
    if (!t->inst) fprintf(stderr, "instantiate: %s\n", t->err.message);
    return t->inst != NULL;
}

static bool h_open(h *t, const uint8_t *bytes, size_t len) {
    return h_open_with(t, bytes, len, NULL, NULL);
}

static void h_close(h *t) {
    wg_cinstance_free(t->inst);
    wg_wasi_free(t->w);
    wg_clinker_free(t->l);
    wg_component_free(t->c);
    wg_wasi_config_free(t->cfg);
    wg_interrupt_free(t->intr);
    memset(t, 0, sizeof *t);
}

/* Calls export `name` with args (not consumed; the caller frees them).
 * True if it returned (*res: its result), false if it trapped (t->trap). */
static bool call(h *t, const char *name, wg_cval *args, uint32_t n, wg_cval *res) {
    *res = (wg_cval){.kind = WG_CV_BOOL};
    memset(&t->trap, 0, sizeof t->trap);
    const wg_cfunc *f = wg_cinstance_func(t->inst, name);
    if (!f) {
        snprintf(t->trap.message, sizeof t->trap.message, "no export %s", name);
        return false;
    }
    return wg_cfunc_call(t->inst, f, args, n, res, &t->trap);
}

/* Values. */
static wg_cval S(const char *s) { return wg_cval_string(s, strlen(s)); }
static wg_cval U64(uint64_t v) { return wg_cval_u(WG_CV_U64, v); }
static wg_cval FL(uint32_t bits) { return (wg_cval){.kind = WG_CV_FLAGS, .of.flags = bits}; }
static wg_cval EN(uint32_t disc) { return wg_cval_var(WG_CV_ENUM, disc, NULL); }
static wg_cval BYTES(const char *s) { return wg_cval_bytes(s, strlen(s)); }
/* A borrow of the resource an own handle value holds. */
static wg_cval BR(const wg_cval *own) { return wg_cval_borrow(own->of.handle.rep, own->of.handle.type); }

static void free_args(wg_cval *a, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) wg_cval_free(&a[i]);
}

/* The payload of an ok result (NULL for ok without one, or if r is not ok). */
static const wg_cval *ok_of(const wg_cval *r, bool *is_ok) {
    *is_ok = r->kind == WG_CV_RESULT && r->of.var.disc == 0;
    return *is_ok ? r->of.var.payload : NULL;
}
static bool is_ok(const wg_cval *r) {
    bool ok;
    ok_of(r, &ok);
    return ok;
}
/* The enum case of an err result, or -1. */
static int err_code(const wg_cval *r) {
    if (r->kind != WG_CV_RESULT || r->of.var.disc != 1 || !r->of.var.payload) return -1;
    const wg_cval *e = r->of.var.payload;
    return e->kind == WG_CV_ENUM ? (int)e->of.var.disc : -1;
}
/* A stream-error: 0 last-operation-failed, 1 closed, -1 not an error. */
static int stream_err(const wg_cval *r) {
    if (r->kind != WG_CV_RESULT || r->of.var.disc != 1 || !r->of.var.payload) return -1;
    return (int)r->of.var.payload->of.var.disc;
}
/* The bytes of a list<u8> payload as a NUL-terminated string (static). */
static const char *bytes_str(const wg_cval *v) {
    static char buf[256];
    buf[0] = '\0';
    if (v && v->kind == WG_CV_BYTES && v->of.bytes.len < sizeof buf) {
        if (v->of.bytes.len) memcpy(buf, v->of.bytes.data, v->of.bytes.len);
        buf[v->of.bytes.len] = '\0';
    }
    return buf;
}

/* Calls a function of one handle argument (own kept) and returns its result. */
static wg_cval call1(h *t, const char *name, const wg_cval *own) {
    wg_cval a = BR(own), r;
    if (!call(t, name, &a, 1, &r)) fprintf(stderr, "%s trapped: %s\n", name, t->trap.message);
    return r;
}

/* Drops an own handle through the component's lifted resource.drop. */
static bool drop(h *t, const char *fn, const wg_cval *own) {
    wg_cval a = wg_cval_own(own->of.handle.rep, own->of.handle.type), r;
    bool ok = call(t, fn, &a, 1, &r);
    wg_cval_free(&r);
    return ok;
}

/* ---- links ---------------------------------------------------------------------------------------- */

WG_TEST(wasi2_links_every_version) {
    const struct {
        const uint8_t *b;
        size_t n;
    } comps[] = {{w2_io_wasm, sizeof w2_io_wasm},
                 {w2_fs_wasm, sizeof w2_fs_wasm},
                 {w2_misc_wasm, sizeof w2_misc_wasm},
                 {w2_run_wasm, sizeof w2_run_wasm}};
    for (size_t i = 0; i < sizeof comps / sizeof comps[0]; i++) {
        h t = {0};
        CHECK(h_open(&t, comps[i].b, comps[i].n));
        h_close(&t);
    }
    /* Without WASI in the linker, the imports are unlinkable. */
    wg_error err;
    wg_trap trap;
    wg_component *c = wg_component_new(w2_io_wasm, sizeof w2_io_wasm, &err);
    wg_clinker *l = wg_clinker_new();
    CHECK(c && l);
    wg_cinstance *inst = wg_cinstance_new(c, l, NULL, &err, &trap);
    CHECK(!inst && err.kind == WG_ERR_UNLINKABLE);
    CHECK_STR_CONTAINS(err.message, "wasi:io/error@0.2.0");
    wg_cinstance_free(inst);
    wg_clinker_free(l);
    wg_component_free(c);
}

WG_TEST(wasi2_no_wasi_traps) {
    /* host_data NULL: every call traps, nothing crashes. */
    h t = {0};
    CHECK(h_open_with(&t, w2_misc_wasm, sizeof w2_misc_wasm, NULL, NULL));
    wg_cinstance_free(t.inst);
    wg_cinstance_opts o = {0};
    t.inst = wg_cinstance_new(t.c, t.l, &o, &t.err, &t.trap);
    CHECK(t.inst != NULL);
    wg_cval r;
    CHECK(!call(&t, "get-arguments", NULL, 0, &r));
    CHECK_STR_CONTAINS(t.trap.message, "WASI is not configured for this instance");
    h_close(&t);
}

/* ---- stdio ------------------------------------------------------------------------------------------ */

WG_TEST(wasi2_stdio) {
    static const uint8_t in[] = "hello world";
    h t = {0};
    t.cfg = wg_wasi_config_new();
    wg_wasi_config_stdin_buffer(t.cfg, in, sizeof in - 1);
    wg_wasi_config_stdout_capture(t.cfg, 1024);
    wg_wasi_config_stderr_capture(t.cfg, 1024);
    CHECK(h_open(&t, w2_io_wasm, sizeof w2_io_wasm));
    if (!t.inst) {
        h_close(&t);
        return;
    }
    wg_cval sin, sout, serr, r;
    CHECK(call(&t, "get-stdin", NULL, 0, &sin) && sin.kind == WG_CV_OWN);
    CHECK(call(&t, "get-stdout", NULL, 0, &sout) && sout.kind == WG_CV_OWN);
    CHECK(call(&t, "get-stderr", NULL, 0, &serr) && serr.kind == WG_CV_OWN);

    wg_cval a[3] = {BR(&sin), U64(5)};
    bool ok;
    CHECK(call(&t, "read", a, 2, &r) && strcmp(bytes_str(ok_of(&r, &ok)), "hello") == 0 && ok);
    wg_cval_free(&r);
    a[1] = U64(1);
    CHECK(call(&t, "skip", a, 2, &r) && is_ok(&r) && r.of.var.payload->of.u == 1);
    wg_cval_free(&r);
    a[1] = U64(0); /* a read of 0 bytes is fine and reads nothing */
    CHECK(call(&t, "read", a, 2, &r) && is_ok(&r) && r.of.var.payload->of.bytes.len == 0);
    wg_cval_free(&r);
    a[1] = U64(100);
    CHECK(call(&t, "blocking-read", a, 2, &r) && strcmp(bytes_str(ok_of(&r, &ok)), "world") == 0);
    wg_cval_free(&r);
    CHECK(call(&t, "read", a, 2, &r) && stream_err(&r) == 1); /* the end: closed */
    wg_cval_free(&r);
    CHECK(call(&t, "blocking-skip", a, 2, &r) && stream_err(&r) == 1); /* and stays closed */
    wg_cval_free(&r);

    /* stdout: check-write, write, flush, write-zeroes */
    r = call1(&t, "check-write", &sout);
    CHECK(is_ok(&r) && r.of.var.payload->of.u >= 4096);
    wg_cval_free(&r);
    a[0] = BR(&sout);
    a[1] = BYTES("abc");
    CHECK(call(&t, "write", a, 2, &r) && is_ok(&r));
    wg_cval_free(&r);
    wg_cval_free(&a[1]);
    r = call1(&t, "flush", &sout);
    CHECK(is_ok(&r));
    r = call1(&t, "blocking-flush", &sout);
    CHECK(is_ok(&r));
    a[1] = U64(2);
    CHECK(call(&t, "write-zeroes", a, 2, &r) && is_ok(&r));
    wg_cval_free(&r);
    a[1] = BYTES("!");
    CHECK(call(&t, "blocking-write-and-flush", a, 2, &r) && is_ok(&r));
    wg_cval_free(&r);
    wg_cval_free(&a[1]);
    /* stderr */
    a[0] = BR(&serr);
    a[1] = BYTES("oops");
    CHECK(call(&t, "blocking-write-and-flush", a, 2, &r) && is_ok(&r));
    wg_cval_free(&r);
    wg_cval_free(&a[1]);

    /* splice: a fresh stdin (the buffer starts over) into stdout */
    wg_wasi_set_stdin(t.w, (const uint8_t *)"XY", 2);
    wg_cval sin2;
    CHECK(call(&t, "get-stdin", NULL, 0, &sin2));
    a[0] = BR(&sout);
    a[1] = BR(&sin2);
    a[2] = U64(10);
    CHECK(call(&t, "splice", a, 3, &r) && is_ok(&r) && r.of.var.payload->of.u == 2);
    wg_cval_free(&r);
    CHECK(call(&t, "blocking-splice", a, 3, &r) && stream_err(&r) == 1); /* the source ended */
    wg_cval_free(&r);

    size_t len;
    bool trunc;
    const uint8_t *out = wg_wasi_output(t.w, 1, &len, &trunc);
    CHECK(len == 8 && memcmp(out, "abc\0\0!XY", 8) == 0 && !trunc);
    out = wg_wasi_output(t.w, 2, &len, &trunc);
    CHECK(len == 4 && memcmp(out, "oops", 4) == 0);
    h_close(&t);

    /* A capture cap with output_limit_traps: what fits is kept, then a trap. */
    t = (h){0};
    t.cfg = wg_wasi_config_new();
    wg_wasi_config_stdout_capture(t.cfg, 4);
    wg_wasi_config_output_limit_traps(t.cfg, true);
    CHECK(h_open(&t, w2_io_wasm, sizeof w2_io_wasm));
    if (!t.inst) {
        h_close(&t);
        return;
    }
    CHECK(call(&t, "get-stdout", NULL, 0, &sout));
    a[0] = BR(&sout);
    a[1] = BYTES("toolong");
    CHECK(!call(&t, "write", a, 2, &r));
    wg_cval_free(&a[1]);
    CHECK_STR_CONTAINS(t.trap.message, "stdout exceeded its 4 bytes limit");
    out = wg_wasi_output(t.w, 1, &len, &trunc);
    CHECK(len == 4 && memcmp(out, "tool", 4) == 0 && trunc);
    h_close(&t);
}

/* ---- stream errors ---------------------------------------------------------------------------------- */

WG_TEST(wasi2_stream_errors) {
    /* stdin is a directory: a read fails with EISDIR. */
    int dirfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int p[2];
    CHECK(dirfd >= 0 && pipe(p) == 0);
    close(p[0]); /* nobody will read stdout */
    signal(SIGPIPE, SIG_IGN);
    h t = {0};
    t.cfg = wg_wasi_config_new();
    wg_wasi_config_stdio(t.cfg, 0, WG_WASI_STDIO_FD, dirfd);
    wg_wasi_config_stdio(t.cfg, 1, WG_WASI_STDIO_FD, p[1]);
    CHECK(h_open(&t, w2_io_wasm, sizeof w2_io_wasm));
    if (t.inst) {
        wg_cval sin, sout, r;
        CHECK(call(&t, "get-stdin", NULL, 0, &sin) && call(&t, "get-stdout", NULL, 0, &sout));
        wg_cval a[2] = {BR(&sin), U64(16)};
        CHECK(call(&t, "blocking-read", a, 2, &r) && stream_err(&r) == 0);
        if (stream_err(&r) == 0) {
            wg_cval *e = r.of.var.payload->of.var.payload;
            wg_cval s = call1(&t, "to-debug-string", e);
            CHECK(s.kind == WG_CV_STRING);
            if (s.kind == WG_CV_STRING) CHECK(memmem(s.of.str.data, s.of.str.len, "is-directory", 12));
            wg_cval_free(&s);
            CHECK(drop(&t, "drop-error", e));
        }
        wg_cval_free(&r);
        /* closed after a failure */
        CHECK(call(&t, "read", a, 2, &r) && stream_err(&r) == 1);
        wg_cval_free(&r);
        /* writing to a pipe without a reader: closed (EPIPE), not an error */
        a[0] = BR(&sout);
        a[1] = BYTES("x");
        CHECK(call(&t, "blocking-write-and-flush", a, 2, &r) && stream_err(&r) == 1);
        wg_cval_free(&r);
        CHECK(call(&t, "write", a, 2, &r) && stream_err(&r) == 1);
        wg_cval_free(&r);
        wg_cval_free(&a[1]);
        r = call1(&t, "check-write", &sout);
        CHECK(stream_err(&r) == 1);
        wg_cval_free(&r);
    }
    h_close(&t);
    close(dirfd);
    close(p[1]);
}

/* ---- poll and clocks ----------------------------------------------------------------------------------- */

WG_TEST(wasi2_poll_and_clocks) {
    int p[2];
    CHECK(pipe(p) == 0);
    h t = {0};
    t.cfg = wg_wasi_config_new();
    wg_wasi_config_stdio(t.cfg, 0, WG_WASI_STDIO_FD, p[0]);
    CHECK(h_open(&t, w2_io_wasm, sizeof w2_io_wasm));
    if (!t.inst) {
        h_close(&t);
        return;
    }
    wg_cval r, r2;
    /* monotonic: never goes back; a resolution above 0 */
    CHECK(call(&t, "monotonic-now", NULL, 0, &r));
    for (int i = 0; i < 100; i++) {
        CHECK(call(&t, "monotonic-now", NULL, 0, &r2) && r2.of.u >= r.of.u);
        r = r2;
    }
    CHECK(call(&t, "monotonic-resolution", NULL, 0, &r) && r.of.u > 0);
    /* wall clock: a date after 2020, nanoseconds below a second */
    CHECK(call(&t, "wall-now", NULL, 0, &r) && r.kind == WG_CV_RECORD);
    CHECK(r.of.seq.items[0].of.u > 1577836800ull && r.of.seq.items[1].of.u < 1000000000ull);
    wg_cval_free(&r);
    CHECK(call(&t, "wall-resolution", NULL, 0, &r) && r.kind == WG_CV_RECORD);
    wg_cval_free(&r);

    /* pollables: an instant long past is ready, one far away is not */
    wg_cval a = U64(0), past, never, zero;
    CHECK(call(&t, "subscribe-instant", &a, 1, &past) && past.kind == WG_CV_OWN);
    a = U64(UINT64_MAX);
    CHECK(call(&t, "subscribe-instant", &a, 1, &never));
    a = U64(0);
    CHECK(call(&t, "subscribe-duration", &a, 1, &zero));
    r = call1(&t, "ready", &past);
    CHECK(r.kind == WG_CV_BOOL && r.of.b);
    r = call1(&t, "ready", &never);
    CHECK(r.kind == WG_CV_BOOL && !r.of.b);
    r = call1(&t, "block", &zero); /* returns at once */
    /* poll answers the indices of the ready ones */
    wg_cval list = wg_cval_seq(WG_CV_LIST, 3);
    list.of.seq.items[0] = BR(&never);
    list.of.seq.items[1] = BR(&past);
    list.of.seq.items[2] = BR(&zero);
    CHECK(call(&t, "poll", &list, 1, &r) && r.kind == WG_CV_LIST && r.of.seq.n == 2);
    if (r.kind == WG_CV_LIST && r.of.seq.n == 2)
        CHECK(r.of.seq.items[0].of.u == 1 && r.of.seq.items[1].of.u == 2);
    wg_cval_free(&r);
    wg_cval_free(&list);

    /* a pipe: not ready, then ready once there is data */
    wg_cval sin, sub;
    CHECK(call(&t, "get-stdin", NULL, 0, &sin));
    sub = call1(&t, "subscribe-input", &sin);
    CHECK(sub.kind == WG_CV_OWN);
    r = call1(&t, "ready", &sub);
    CHECK(r.kind == WG_CV_BOOL && !r.of.b);
    wg_cval rd[2] = {BR(&sin), U64(8)};
    CHECK(call(&t, "read", rd, 2, &r) && is_ok(&r) && r.of.var.payload->of.bytes.len == 0);
    wg_cval_free(&r);
    CHECK(write(p[1], "ping", 4) == 4);
    list = wg_cval_seq(WG_CV_LIST, 2);
    list.of.seq.items[0] = BR(&never);
    list.of.seq.items[1] = BR(&sub);
    CHECK(call(&t, "poll", &list, 1, &r) && r.kind == WG_CV_LIST && r.of.seq.n == 1 &&
          r.of.seq.items[0].of.u == 1);
    wg_cval_free(&r);
    wg_cval_free(&list);
    bool ok;
    CHECK(call(&t, "blocking-read", rd, 2, &r) && strcmp(bytes_str(ok_of(&r, &ok)), "ping") == 0);
    wg_cval_free(&r);
    close(p[1]); /* the end of the pipe: ready, then closed */
    r = call1(&t, "ready", &sub);
    CHECK(r.kind == WG_CV_BOOL && r.of.b);
    CHECK(call(&t, "blocking-read", rd, 2, &r) && stream_err(&r) == 1);
    wg_cval_free(&r);

    /* an empty list traps */
    list = wg_cval_seq(WG_CV_LIST, 0);
    CHECK(!call(&t, "poll", &list, 1, &r));
    CHECK_STR_CONTAINS(t.trap.message, "empty");
    h_close(&t);
    close(p[0]);
}

WG_TEST(wasi2_interrupt) {
    /* Each blocking call on a pipe that never gets data ends as soon as it
     * sees the interrupt, set before it starts. */
    const char *calls[] = {"poll", "block", "blocking-read", "blocking-skip", "blocking-splice"};
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        int p[2];
        CHECK(pipe(p) == 0);
        h t = {0};
        t.cfg = wg_wasi_config_new();
        wg_wasi_config_stdio(t.cfg, 0, WG_WASI_STDIO_FD, p[0]);
        wg_wasi_config_stdout_capture(t.cfg, 64);
        CHECK(h_open(&t, w2_io_wasm, sizeof w2_io_wasm));
        if (!t.inst) {
            h_close(&t);
            continue;
        }
        wg_cval sin, sout, sub, never, r, a[3];
        wg_cval far = U64(UINT64_MAX);
        CHECK(call(&t, "get-stdin", NULL, 0, &sin) && call(&t, "get-stdout", NULL, 0, &sout));
        sub = call1(&t, "subscribe-input", &sin);
        CHECK(call(&t, "subscribe-instant", &far, 1, &never));
        wg_interrupt_set(t.intr);
        uint32_t n = 1;
        if (i == 0) {
            a[0] = wg_cval_seq(WG_CV_LIST, 2);
            a[0].of.seq.items[0] = BR(&sub);
            a[0].of.seq.items[1] = BR(&never);
        } else if (i == 1) {
            a[0] = BR(&sub);
        } else if (i < 4) {
            a[0] = BR(&sin);
            a[1] = U64(8);
            n = 2;
        } else {
            a[0] = BR(&sout);
            a[1] = BR(&sin);
            a[2] = U64(8);
            n = 3;
        }
        CHECK(!call(&t, calls[i], a, n, &r));
        CHECK_EQ_INT(t.trap.code, WG_TRAP_INTERRUPTED);
        free_args(a, n);
        h_close(&t);
        close(p[0]);
        close(p[1]);
    }
}

WG_TEST(wasi2_children) {
    h t = {0};
    CHECK(h_open(&t, w2_io_wasm, sizeof w2_io_wasm));
    if (!t.inst) {
        h_close(&t);
        return;
    }
    wg_cval sin, sub;
    CHECK(call(&t, "get-stdin", NULL, 0, &sin));
    sub = call1(&t, "subscribe-input", &sin);
    CHECK(!drop(&t, "drop-input", &sin));
    CHECK_STR_CONTAINS(t.trap.message, "resource has children");
    h_close(&t);
    /* in order: the pollable, then its stream */
    t = (h){0};
    CHECK(h_open(&t, w2_io_wasm, sizeof w2_io_wasm));
    if (!t.inst) {
        h_close(&t);
        return;
    }
    CHECK(call(&t, "get-stdin", NULL, 0, &sin));
    sub = call1(&t, "subscribe-input", &sin);
    CHECK(drop(&t, "drop-pollable", &sub));
    CHECK(drop(&t, "drop-input", &sin));
    h_close(&t);
}

/* ---- filesystem --------------------------------------------------------------------------------------- */

/* A fresh temporary directory; its path in buf (PATH_MAX). */
static bool tmpdir(char *buf) {
    snprintf(buf, PATH_MAX, "/tmp/wg_wasi2_XXXXXX");
    return mkdtemp(buf) != NULL;
}

static void rm_rf(const char *path) {
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", path);
}

/* The preopen descriptor of get-directories (entry i) into *d (own). */
static bool preopen(h *t, size_t i, wg_cval *d, const char *want_name) {
    wg_cval r;
    if (!call(t, "get-directories", NULL, 0, &r) || r.kind != WG_CV_LIST || r.of.seq.n <= i) return false;
    wg_cval *tup = &r.of.seq.items[i];
    bool ok = tup->of.seq.items[1].of.str.len == strlen(want_name) &&
              memcmp(tup->of.seq.items[1].of.str.data, want_name, strlen(want_name)) == 0;
    *d = tup->of.seq.items[0];
    wg_cval_free(&r);
    return ok;
}

/* open-at(dir, path-flags, path, open-flags, descriptor-flags) */
static wg_cval open_at(h *t, const wg_cval *dir, uint32_t pf, const char *path, uint32_t of,
                       uint32_t df) {
    wg_cval a[5] = {BR(dir), FL(pf), S(path), FL(of), FL(df)}, r;
    if (!call(t, "open-at", a, 5, &r)) fprintf(stderr, "open-at trapped: %s\n", t->trap.message);
    free_args(a, 5);
    return r;
}

/* A method of (descriptor, string path). */
static wg_cval at(h *t, const char *fn, const wg_cval *dir, const char *path) {
    wg_cval a[2] = {BR(dir), S(path)}, r;
    if (!call(t, fn, a, 2, &r)) fprintf(stderr, "%s trapped: %s\n", fn, t->trap.message);
    free_args(a, 2);
    return r;
}

/* stat-at(dir, flags, path) */
static wg_cval stat_at(h *t, const wg_cval *dir, uint32_t pf, const char *path) {
    wg_cval a[3] = {BR(dir), FL(pf), S(path)}, r;
    if (!call(t, "stat-at", a, 3, &r)) fprintf(stderr, "stat-at trapped: %s\n", t->trap.message);
    free_args(a, 3);
    return r;
}

static bool file_has(const char *dir, const char *name, const char *want) {
    char path[PATH_MAX + 64], buf[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strcmp(buf, want) == 0;
}

WG_TEST(wasi2_filesystem) {
    char dir[PATH_MAX];
    CHECK(tmpdir(dir));
    h t = {0};
    t.cfg = wg_wasi_config_new();
    CHECK(wg_wasi_config_preopen(t.cfg, dir, "/data", false, &t.err));
    CHECK(h_open(&t, w2_fs_wasm, sizeof w2_fs_wasm));
    wg_cval d, r, a[5];
    bool ok;
    if (!t.inst || !preopen(&t, 0, &d, "/data")) {
        CHECK(false);
        h_close(&t);
        rm_rf(dir);
        return;
    }
    r = call1(&t, "get-type", &d);
    CHECK(is_ok(&r) && r.of.var.payload->of.var.disc == DT_DIRECTORY);
    wg_cval_free(&r);
    r = call1(&t, "get-flags", &d);
    CHECK(is_ok(&r) && r.of.var.payload->of.flags == (DF_READ | DF_MUTATE));
    wg_cval_free(&r);

    /* create and write a file through a stream */
    wg_cval f = open_at(&t, &d, 0, "f.txt", OF_CREATE | OF_EXCLUSIVE, DF_READ | DF_WRITE);
    CHECK(is_ok(&f));
    wg_cval fd = *f.of.var.payload;
    a[0] = BR(&fd);
    a[1] = U64(0);
    CHECK(call(&t, "write-via-stream", a, 2, &r) && is_ok(&r));
    wg_cval out = *r.of.var.payload;
    wg_cval_free(&r);
    a[0] = BR(&out);
    a[1] = BYTES("hello");
    CHECK(call(&t, "blocking-write-and-flush", a, 2, &r) && is_ok(&r));
    wg_cval_free(&r);
    wg_cval_free(&a[1]);
    CHECK(drop(&t, "drop-output", &out));
    CHECK(file_has(dir, "f.txt", "hello"));
    /* exclusive: the second create fails */
    r = open_at(&t, &d, 0, "f.txt", OF_CREATE | OF_EXCLUSIVE, DF_WRITE);
    CHECK_EQ_INT(err_code(&r), EC_EXIST);
    wg_cval_free(&r);

    /* read it back through a stream, from offset 1 */
    a[0] = BR(&fd);
    a[1] = U64(1);
    CHECK(call(&t, "read-via-stream", a, 2, &r) && is_ok(&r));
    wg_cval in = *r.of.var.payload;
    wg_cval_free(&r);
    a[0] = BR(&in);
    a[1] = U64(100);
    CHECK(call(&t, "blocking-read", a, 2, &r) && strcmp(bytes_str(ok_of(&r, &ok)), "ello") == 0);
    wg_cval_free(&r);
    CHECK(call(&t, "blocking-read", a, 2, &r) && stream_err(&r) == 1); /* end of file */
    wg_cval_free(&r);
    CHECK(drop(&t, "drop-input", &in));

    /* read / write at offsets */
    a[0] = BR(&fd);
    a[1] = U64(3);
    a[2] = U64(1);
    CHECK(call(&t, "read", a, 3, &r) && is_ok(&r));
    if (is_ok(&r)) {
        CHECK(strcmp(bytes_str(&r.of.var.payload->of.seq.items[0]), "ell") == 0);
        CHECK(!r.of.var.payload->of.seq.items[1].of.b);
    }
    wg_cval_free(&r);
    a[1] = BYTES("J");
    a[2] = U64(0);
    CHECK(call(&t, "write", a, 3, &r) && is_ok(&r) && r.of.var.payload->of.u == 1);
    wg_cval_free(&r);
    wg_cval_free(&a[1]);
    CHECK(file_has(dir, "f.txt", "Jello"));

    /* append, size, stat, flags, type */
    a[0] = BR(&fd);
    CHECK(call(&t, "append-via-stream", a, 1, &r) && is_ok(&r));
    out = *r.of.var.payload;
    wg_cval_free(&r);
    a[0] = BR(&out);
    a[1] = BYTES("!!");
    CHECK(call(&t, "blocking-write-and-flush", a, 2, &r) && is_ok(&r));
    wg_cval_free(&r);
    wg_cval_free(&a[1]);
    CHECK(drop(&t, "drop-output", &out));
    CHECK(file_has(dir, "f.txt", "Jello!!"));
    a[0] = BR(&fd);
    a[1] = U64(4);
    CHECK(call(&t, "set-size", a, 2, &r) && is_ok(&r));
    wg_cval_free(&r);
    CHECK(file_has(dir, "f.txt", "Jell"));
    r = call1(&t, "stat", &fd);
    CHECK(is_ok(&r) && r.of.var.payload->of.seq.items[0].of.var.disc == DT_REGULAR &&
          r.of.var.payload->of.seq.items[2].of.u == 4);
    wg_cval_free(&r);
    r = call1(&t, "get-flags", &fd);
    CHECK(is_ok(&r) && r.of.var.payload->of.flags == (DF_READ | DF_WRITE));
    wg_cval_free(&r);
    r = call1(&t, "sync", &fd);
    CHECK(is_ok(&r));
    r = call1(&t, "sync-data", &fd);
    CHECK(is_ok(&r));
    a[0] = BR(&fd);
    a[1] = U64(0);
    a[2] = U64(0);
    a[3] = EN(1); /* sequential */
    CHECK(call(&t, "advise", a, 4, &r) && is_ok(&r));
    wg_cval_free(&r);

    /* set-times: a given mtime reads back through stat-at */
    wg_cval dt = wg_cval_seq(WG_CV_RECORD, 2);
    dt.of.seq.items[0] = U64(1000000000ull);
    dt.of.seq.items[1] = wg_cval_u(WG_CV_U32, 5);
    a[0] = BR(&fd);
    a[1] = wg_cval_var(WG_CV_VARIANT, 0, NULL); /* no-change */
    a[2] = wg_cval_var(WG_CV_VARIANT, 2, &dt);  /* timestamp */
    CHECK(call(&t, "set-times", a, 3, &r) && is_ok(&r));
    wg_cval_free(&r);
    free_args(a, 3);
    r = stat_at(&t, &d, 0, "f.txt");
    CHECK(is_ok(&r));
    if (is_ok(&r)) {
        const wg_cval *m = &r.of.var.payload->of.seq.items[4];
        CHECK(m->of.var.disc == 1 && m->of.var.payload->of.seq.items[0].of.u == 1000000000ull &&
              m->of.var.payload->of.seq.items[1].of.u == 5);
    }
    wg_cval_free(&r);

    /* a directory: create, list (no . and ..), rename into it */
    r = at(&t, "create-directory-at", &d, "sub");
    CHECK(is_ok(&r));
    r = at(&t, "create-directory-at", &d, "sub");
    CHECK_EQ_INT(err_code(&r), EC_EXIST);
    wg_cval_free(&r);
    r = call1(&t, "read-directory", &d);
    CHECK(is_ok(&r));
    wg_cval ds = *r.of.var.payload;
    wg_cval_free(&r);
    int seen = 0;
    for (int i = 0; i < 5; i++) {
        r = call1(&t, "read-directory-entry", &ds);
        CHECK(is_ok(&r));
        const wg_cval *opt = r.of.var.payload;
        if (!opt || opt->of.var.disc == 0) {
            wg_cval_free(&r);
            break;
        }
        const wg_cval *e = opt->of.var.payload;
        const wg_cval *name = &e->of.seq.items[1];
        if (name->of.str.len == 5 && memcmp(name->of.str.data, "f.txt", 5) == 0)
            seen += e->of.seq.items[0].of.var.disc == DT_REGULAR ? 1 : 100;
        else if (name->of.str.len == 3 && memcmp(name->of.str.data, "sub", 3) == 0)
            seen += e->of.seq.items[0].of.var.disc == DT_DIRECTORY ? 10 : 100;
        else
            seen += 1000;
        wg_cval_free(&r);
    }
    CHECK_EQ_INT(seen, 11);
    r = call1(&t, "read-directory", &fd); /* a file */
    CHECK_EQ_INT(err_code(&r), EC_NOT_DIRECTORY);
    wg_cval_free(&r);
    a[0] = BR(&d);
    a[1] = S("f.txt");
    a[2] = BR(&d);
    a[3] = S("sub/g.txt");
    CHECK(call(&t, "rename-at", a, 4, &r) && is_ok(&r));
    free_args(a, 4);
    r = stat_at(&t, &d, 0, "f.txt");
    CHECK_EQ_INT(err_code(&r), EC_NO_ENTRY);
    wg_cval_free(&r);
    r = at(&t, "remove-directory-at", &d, "sub");
    CHECK_EQ_INT(err_code(&r), EC_NOT_EMPTY);
    wg_cval_free(&r);

    /* links: hard, symbolic; readlink; is-same-object; metadata hashes */
    a[0] = BR(&d);
    a[1] = FL(0);
    a[2] = S("sub/g.txt");
    a[3] = BR(&d);
    a[4] = S("hard.txt");
    CHECK(call(&t, "link-at", a, 5, &r) && is_ok(&r));
    free_args(a, 5);
    a[0] = BR(&d);
    a[1] = S("sub/g.txt");
    a[2] = S("sym");
    CHECK(call(&t, "symlink-at", a, 3, &r) && is_ok(&r));
    free_args(a, 3);
    r = at(&t, "readlink-at", &d, "sym");
    CHECK(is_ok(&r) && r.of.var.payload->kind == WG_CV_STRING &&
          r.of.var.payload->of.str.len == 9 && memcmp(r.of.var.payload->of.str.data, "sub/g.txt", 9) == 0);
    wg_cval_free(&r);
    r = stat_at(&t, &d, 0, "sym");
    CHECK(is_ok(&r) && r.of.var.payload->of.seq.items[0].of.var.disc == DT_SYMLINK);
    wg_cval_free(&r);
    r = stat_at(&t, &d, PF_FOLLOW, "sym");
    CHECK(is_ok(&r) && r.of.var.payload->of.seq.items[0].of.var.disc == DT_REGULAR &&
          r.of.var.payload->of.seq.items[1].of.u == 2); /* two names now */
    wg_cval_free(&r);
    wg_cval h1 = open_at(&t, &d, 0, "hard.txt", 0, DF_READ);
    wg_cval h2 = open_at(&t, &d, PF_FOLLOW, "sym", 0, DF_READ);
    CHECK(is_ok(&h1) && is_ok(&h2));
    if (is_ok(&h1) && is_ok(&h2)) {
        a[0] = BR(h1.of.var.payload);
        a[1] = BR(h2.of.var.payload);
        CHECK(call(&t, "is-same-object", a, 2, &r) && r.of.b);
        a[1] = BR(&d);
        CHECK(call(&t, "is-same-object", a, 2, &r) && !r.of.b);
        wg_cval m1 = call1(&t, "metadata-hash", h1.of.var.payload);
        wg_cval m2 = call1(&t, "metadata-hash", &d);
        a[0] = BR(&d);
        a[1] = FL(PF_FOLLOW);
        a[2] = S("sym");
        wg_cval m3;
        CHECK(call(&t, "metadata-hash-at", a, 3, &m3) && is_ok(&m3));
        wg_cval_free(&a[2]);
        CHECK(is_ok(&m1) && is_ok(&m2) && is_ok(&m3));
        if (is_ok(&m1) && is_ok(&m2) && is_ok(&m3)) {
            CHECK(wg_cval_equal(m1.of.var.payload, m3.of.var.payload));
            CHECK(!wg_cval_equal(m1.of.var.payload, m2.of.var.payload));
        }
        wg_cval_free(&m1);
        wg_cval_free(&m2);
        wg_cval_free(&m3);
        /* opened for reading only: no writing */
        a[0] = BR(h1.of.var.payload);
        a[1] = U64(0);
        CHECK(call(&t, "write-via-stream", a, 2, &r));
        CHECK_EQ_INT(err_code(&r), EC_BAD_DESCRIPTOR);
        wg_cval_free(&r);
        CHECK(drop(&t, "drop-descriptor", h1.of.var.payload));
        CHECK(drop(&t, "drop-descriptor", h2.of.var.payload));
    }
    wg_cval_free(&h1);
    wg_cval_free(&h2);

    /* errors: a missing path, a file where a directory is needed, a
     * directory opened for writing */
    r = open_at(&t, &d, 0, "nope", 0, DF_READ);
    CHECK_EQ_INT(err_code(&r), EC_NO_ENTRY);
    wg_cval_free(&r);
    r = open_at(&t, &d, 0, "hard.txt", OF_DIRECTORY, DF_READ);
    CHECK_EQ_INT(err_code(&r), EC_NOT_DIRECTORY);
    wg_cval_free(&r);
    r = open_at(&t, &d, 0, "sub", 0, DF_READ | DF_WRITE);
    CHECK_EQ_INT(err_code(&r), EC_IS_DIRECTORY);
    wg_cval_free(&r);
    r = at(&t, "unlink-file-at", &d, "sub");
    CHECK_EQ_INT(err_code(&r), EC_IS_DIRECTORY);
    wg_cval_free(&r);
    /* and cleaning up through the guest */
    r = at(&t, "unlink-file-at", &d, "sym");
    CHECK(is_ok(&r));
    r = at(&t, "unlink-file-at", &d, "hard.txt");
    CHECK(is_ok(&r));
    r = at(&t, "unlink-file-at", &d, "sub/g.txt");
    CHECK(is_ok(&r));
    r = at(&t, "remove-directory-at", &d, "sub");
    CHECK(is_ok(&r));
    CHECK(drop(&t, "drop-descriptor", &fd));
    wg_cval_free(&f);
    h_close(&t);
    CHECK(rmdir(dir) == 0); /* empty: the guest removed everything */
}

WG_TEST(wasi2_sandbox) {
    char top[PATH_MAX], box[PATH_MAX + 8], path[PATH_MAX + 32];
    CHECK(tmpdir(top));
    snprintf(box, sizeof box, "%s/box", top);
    CHECK(mkdir(box, 0777) == 0);
    snprintf(path, sizeof path, "%s/secret", top);
    FILE *s = fopen(path, "w");
    CHECK(s && fputs("TOPSECRET", s) >= 0);
    if (s) fclose(s);
    snprintf(path, sizeof path, "%s/out", box);
    CHECK(symlink("../secret", path) == 0);
    snprintf(path, sizeof path, "%s/abs", box);
    char target[PATH_MAX + 16];
    snprintf(target, sizeof target, "%s/secret", top);
    CHECK(symlink(target, path) == 0);
    snprintf(path, sizeof path, "%s/up", box);
    CHECK(symlink("..", path) == 0);
    h t = {0};
    t.cfg = wg_wasi_config_new();
    CHECK(wg_wasi_config_preopen(t.cfg, box, "/data", false, &t.err));
    CHECK(h_open(&t, w2_fs_wasm, sizeof w2_fs_wasm));
    wg_cval d, r;
    if (t.inst && preopen(&t, 0, &d, "/data")) {
        const char *escapes[] = {"../secret", "/etc/passwd", "out", "abs", "up/secret",
                                 "up/box/../secret", "./../box/../secret"};
        for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++) {
            r = open_at(&t, &d, PF_FOLLOW, escapes[i], 0, DF_READ);
            if (err_code(&r) != EC_NOT_PERMITTED) fprintf(stderr, "escape %s\n", escapes[i]);
            CHECK_EQ_INT(err_code(&r), EC_NOT_PERMITTED);
            wg_cval_free(&r);
            r = stat_at(&t, &d, PF_FOLLOW, escapes[i]);
            CHECK_EQ_INT(err_code(&r), EC_NOT_PERMITTED);
            wg_cval_free(&r);
        }
        /* writes that would land outside */
        r = open_at(&t, &d, 0, "../made", OF_CREATE, DF_WRITE);
        CHECK_EQ_INT(err_code(&r), EC_NOT_PERMITTED);
        wg_cval_free(&r);
        r = at(&t, "create-directory-at", &d, "../made");
        CHECK_EQ_INT(err_code(&r), EC_NOT_PERMITTED);
        wg_cval_free(&r);
        r = at(&t, "unlink-file-at", &d, "../secret");
        CHECK_EQ_INT(err_code(&r), EC_NOT_PERMITTED);
        wg_cval_free(&r);
        wg_cval a[4] = {BR(&d), S("/etc/passwd"), S("link")};
        CHECK(call(&t, "symlink-at", a, 3, &r)); /* an absolute target */
        CHECK_EQ_INT(err_code(&r), EC_NOT_PERMITTED);
        wg_cval_free(&r);
        free_args(a, 3);
        a[0] = BR(&d);
        a[1] = S("../secret");
        a[2] = BR(&d);
        a[3] = S("stolen");
        CHECK(call(&t, "rename-at", a, 4, &r));
        CHECK_EQ_INT(err_code(&r), EC_NOT_PERMITTED);
        wg_cval_free(&r);
        free_args(a, 4);
        /* following a link out, with link-at */
        wg_cval l[5] = {BR(&d), FL(PF_FOLLOW), S("out"), BR(&d), S("hard")};
        CHECK(call(&t, "link-at", l, 5, &r));
        CHECK_EQ_INT(err_code(&r), EC_NOT_PERMITTED);
        wg_cval_free(&r);
        free_args(l, 5);
    } else {
        CHECK(false);
    }
    h_close(&t);
    /* nothing outside changed */
    snprintf(path, sizeof path, "%s/secret", top);
    CHECK(file_has(top, "secret", "TOPSECRET"));
    snprintf(path, sizeof path, "%s/made", top);
    CHECK(access(path, F_OK) != 0);
    snprintf(path, sizeof path, "%s/box/stolen", top);
    CHECK(access(path, F_OK) != 0);
    rm_rf(top);
}

WG_TEST(wasi2_read_only) {
    char dir[PATH_MAX];
    CHECK(tmpdir(dir));
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/ro.txt", dir);
    FILE *f = fopen(path, "w");
    CHECK(f && fputs("readonly", f) >= 0);
    if (f) fclose(f);
    h t = {0};
    t.cfg = wg_wasi_config_new();
    CHECK(wg_wasi_config_preopen(t.cfg, dir, "ro", true, &t.err));
    CHECK(h_open(&t, w2_fs_wasm, sizeof w2_fs_wasm));
    wg_cval d, r, a[3];
    if (t.inst && preopen(&t, 0, &d, "ro")) {
        r = call1(&t, "get-flags", &d);
        CHECK(is_ok(&r) && r.of.var.payload->of.flags == DF_READ); /* no mutate-directory */
        wg_cval_free(&r);
        wg_cval rd = open_at(&t, &d, 0, "ro.txt", 0, DF_READ);
        CHECK(is_ok(&rd));
        if (is_ok(&rd)) {
            a[0] = BR(rd.of.var.payload);
            a[1] = U64(100);
            a[2] = U64(0);
            CHECK(call(&t, "read", a, 3, &r) && is_ok(&r));
            if (is_ok(&r)) CHECK(strcmp(bytes_str(&r.of.var.payload->of.seq.items[0]), "readonly") == 0);
            wg_cval_free(&r);
            a[1] = U64(0);
            CHECK(call(&t, "write-via-stream", a, 2, &r));
            CHECK_EQ_INT(err_code(&r), EC_BAD_DESCRIPTOR);
            wg_cval_free(&r);
            a[1] = wg_cval_var(WG_CV_VARIANT, 1, NULL);
            a[2] = wg_cval_var(WG_CV_VARIANT, 1, NULL);
            CHECK(call(&t, "set-times", a, 3, &r));
            CHECK_EQ_INT(err_code(&r), EC_NOT_PERMITTED);
            wg_cval_free(&r);
        }
        wg_cval_free(&rd);
        const uint32_t writes[][2] = {{OF_CREATE, DF_WRITE}, {0, DF_WRITE}, {OF_TRUNCATE, DF_READ},
                                      {OF_CREATE, DF_READ}, {OF_DIRECTORY, DF_READ | DF_MUTATE}};
        for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
            r = open_at(&t, &d, 0, i == 4 ? "." : "ro.txt", writes[i][0], writes[i][1]);
            CHECK_EQ_INT(err_code(&r), EC_NOT_PERMITTED);
            wg_cval_free(&r);
        }
        r = at(&t, "create-directory-at", &d, "new");
        CHECK_EQ_INT(err_code(&r), EC_NOT_PERMITTED);
        wg_cval_free(&r);
        r = at(&t, "unlink-file-at", &d, "ro.txt");
        CHECK_EQ_INT(err_code(&r), EC_NOT_PERMITTED);
        wg_cval_free(&r);
        r = at(&t, "remove-directory-at", &d, "x");
        CHECK_EQ_INT(err_code(&r), EC_NOT_PERMITTED);
        wg_cval_free(&r);
        /* a directory opened beneath it is read-only too */
        wg_cval sub = open_at(&t, &d, 0, ".", OF_DIRECTORY, DF_READ);
        CHECK(is_ok(&sub));
        if (is_ok(&sub)) {
            r = at(&t, "create-directory-at", sub.of.var.payload, "new");
            CHECK_EQ_INT(err_code(&r), EC_NOT_PERMITTED);
            wg_cval_free(&r);
        }
        wg_cval_free(&sub);
    } else {
        CHECK(false);
    }
    h_close(&t);
    CHECK(file_has(dir, "ro.txt", "readonly"));
    snprintf(path, sizeof path, "%s/new", dir);
    CHECK(access(path, F_OK) != 0);
    rm_rf(dir);
}

WG_TEST(wasi2_open_file_caps) {
    char dir[PATH_MAX];
    CHECK(tmpdir(dir));
    h t = {0};
    t.cfg = wg_wasi_config_new();
    CHECK(wg_wasi_config_preopen(t.cfg, dir, "/d", false, &t.err));
    wg_wasi_config_max_open_files(t.cfg, 2);
    CHECK(h_open(&t, w2_fs_wasm, sizeof w2_fs_wasm));
    wg_cval d, d2, r;
    if (t.inst && preopen(&t, 0, &d, "/d") && preopen(&t, 0, &d2, "/d")) {
        /* preopens (even asked for twice) do not count */
        wg_cval f1 = open_at(&t, &d, 0, "a", OF_CREATE, DF_WRITE);
        wg_cval f2 = open_at(&t, &d2, 0, "b", OF_CREATE, DF_WRITE);
        CHECK(is_ok(&f1) && is_ok(&f2));
        r = open_at(&t, &d, 0, "c", OF_CREATE, DF_WRITE);
        CHECK_EQ_INT(err_code(&r), EC_INSUFFICIENT_MEMORY);
        wg_cval_free(&r);
        /* at the cap the file system is not even reached: c was not made */
        char path[PATH_MAX + 8];
        snprintf(path, sizeof path, "%s/c", dir);
        CHECK(access(path, F_OK) != 0);
        /* a stream keeps its file open after the descriptor is dropped */
        wg_cval a[2] = {BR(f1.of.var.payload), U64(0)};
        CHECK(call(&t, "write-via-stream", a, 2, &r) && is_ok(&r));
        wg_cval out = *r.of.var.payload;
        wg_cval_free(&r);
        CHECK(drop(&t, "drop-descriptor", f1.of.var.payload));
        r = open_at(&t, &d, 0, "c", OF_CREATE, DF_WRITE);
        CHECK_EQ_INT(err_code(&r), EC_INSUFFICIENT_MEMORY);
        wg_cval_free(&r);
        CHECK(drop(&t, "drop-output", &out)); /* now the place is free */
        r = open_at(&t, &d, 0, "c", OF_CREATE, DF_WRITE);
        CHECK(is_ok(&r));
        wg_cval_free(&r);
        wg_cval_free(&f1);
        wg_cval_free(&f2);
    } else {
        CHECK(false);
    }
    h_close(&t);
    rm_rf(dir);

    /* The shared budget: NFILE there is insufficient-memory too. */
    CHECK(tmpdir(dir));
    wg_wasi_fd_budget *b = wg_wasi_fd_budget_new(1);
    t = (h){0};
    t.cfg = wg_wasi_config_new();
    CHECK(wg_wasi_config_preopen(t.cfg, dir, "/d", false, &t.err));
    wg_wasi_config_fd_budget(t.cfg, b);
    CHECK(h_open(&t, w2_fs_wasm, sizeof w2_fs_wasm));
    if (t.inst && preopen(&t, 0, &d, "/d")) {
        wg_cval f1 = open_at(&t, &d, 0, "a", OF_CREATE, DF_WRITE);
        CHECK(is_ok(&f1));
        CHECK_EQ_INT(wg_wasi_fd_budget_used(b), 1);
        r = open_at(&t, &d, 0, "b", OF_CREATE, DF_WRITE);
        CHECK_EQ_INT(err_code(&r), EC_INSUFFICIENT_MEMORY);
        wg_cval_free(&r);
        wg_cval_free(&f1);
    }
    h_close(&t); /* freeing the wg_wasi gives the budget back */
    CHECK_EQ_INT(wg_wasi_fd_budget_used(b), 0);
    wg_wasi_fd_budget_free(b);
    rm_rf(dir);
}

/* ---- cli, random, sockets ----------------------------------------------------------------------------- */

WG_TEST(wasi2_cli_random_sockets) {
    h t = {0};
    t.cfg = wg_wasi_config_new();
    CHECK(wg_wasi_config_add_arg(t.cfg, "app") && wg_wasi_config_add_arg(t.cfg, "x y"));
    CHECK(wg_wasi_config_add_env(t.cfg, "A", "1=2") && wg_wasi_config_add_env(t.cfg, "EMPTY", ""));
    wg_wasi_config_stdout_capture(t.cfg, 64);
    CHECK(h_open(&t, w2_misc_wasm, sizeof w2_misc_wasm));
    if (!t.inst) {
        h_close(&t);
        return;
    }
    wg_cval r, a;
    CHECK(call(&t, "get-arguments", NULL, 0, &r) && r.kind == WG_CV_LIST && r.of.seq.n == 2);
    if (r.of.seq.n == 2) CHECK(r.of.seq.items[1].of.str.len == 3 && memcmp(r.of.seq.items[1].of.str.data, "x y", 3) == 0);
    wg_cval_free(&r);
    CHECK(wg_wasi_add_env(t.w, "LATE", "yes"));
    CHECK(call(&t, "get-environment", NULL, 0, &r) && r.kind == WG_CV_LIST && r.of.seq.n == 3);
    if (r.of.seq.n == 3) {
        const wg_cval *p0 = r.of.seq.items[0].of.seq.items, *p1 = r.of.seq.items[1].of.seq.items;
        CHECK(p0[0].of.str.len == 1 && p0[1].of.str.len == 3 && memcmp(p0[1].of.str.data, "1=2", 3) == 0);
        CHECK(p1[0].of.str.len == 5 && p1[1].of.str.len == 0);
    }
    wg_cval_free(&r);
    CHECK(call(&t, "initial-cwd", NULL, 0, &r) && r.kind == WG_CV_OPTION && r.of.var.disc == 0);

    a = U64(32);
    CHECK(call(&t, "get-random-bytes", &a, 1, &r) && r.kind == WG_CV_BYTES && r.of.bytes.len == 32);
    wg_cval r2;
    CHECK(call(&t, "get-insecure-random-bytes", &a, 1, &r2) && r2.of.bytes.len == 32);
    CHECK(!wg_cval_equal(&r, &r2)); /* 2^-256 */
    wg_cval_free(&r);
    wg_cval_free(&r2);
    a = U64(0);
    CHECK(call(&t, "get-random-bytes", &a, 1, &r) && r.of.bytes.len == 0);
    wg_cval_free(&r);
    a = U64((uint64_t)1 << 40);
    CHECK(!call(&t, "get-random-bytes", &a, 1, &r)); /* refused, not a 1 TiB allocation */
    CHECK_STR_CONTAINS(t.trap.message, "wasi:random");
    h_close(&t);

    t = (h){0};
    t.cfg = wg_wasi_config_new();
    wg_wasi_config_stdout_capture(t.cfg, 64);
    CHECK(h_open(&t, w2_misc_wasm, sizeof w2_misc_wasm));
    if (!t.inst) {
        h_close(&t);
        return;
    }
    CHECK(call(&t, "get-random-u64", NULL, 0, &r) && call(&t, "get-insecure-random-u64", NULL, 0, &r2));
    CHECK(call(&t, "insecure-seed", NULL, 0, &r) && r.kind == WG_CV_TUPLE && r.of.seq.n == 2);
    wg_cval_free(&r);
    /* a captured stdout is no terminal */
    CHECK(call(&t, "get-terminal-stdout", NULL, 0, &r) && r.kind == WG_CV_OPTION && r.of.var.disc == 0);
    /* sockets: a network handle, then nothing is allowed */
    wg_cval net;
    CHECK(call(&t, "instance-network", NULL, 0, &net) && net.kind == WG_CV_OWN);
    a = EN(0); /* ipv4 */
    CHECK(call(&t, "create-tcp-socket", &a, 1, &r));
    CHECK_EQ_INT(err_code(&r), 1); /* access-denied */
    wg_cval_free(&r);
    wg_cval ra[2] = {BR(&net), S("localhost")};
    CHECK(call(&t, "resolve-addresses", ra, 2, &r));
    CHECK_EQ_INT(err_code(&r), 1);
    wg_cval_free(&r);
    free_args(ra, 2);
    h_close(&t);
}

WG_TEST(wasi2_exit) {
    for (int k = 0; k < 3; k++) {
        h t = {0};
        CHECK(h_open(&t, w2_misc_wasm, sizeof w2_misc_wasm));
        if (!t.inst) {
            h_close(&t);
            continue;
        }
        wg_cval r, a = k == 2 ? wg_cval_u(WG_CV_U8, 7) : wg_cval_var(WG_CV_RESULT, (uint32_t)k, NULL);
        CHECK(!call(&t, k == 2 ? "exit-with-code" : "exit", &a, 1, &r));
        CHECK_EQ_INT(t.trap.code, WG_TRAP_EXIT);
        CHECK_EQ_INT(t.trap.exit_code, k == 2 ? 7 : k);
        h_close(&t);
    }
}

WG_TEST(wasi2_run) {
    h t = {0};
    CHECK(h_open(&t, w2_run_wasm, sizeof w2_run_wasm));
    wg_trap trap;
    if (t.inst) CHECK_EQ_INT(wg_wasi2_run(t.inst, &trap), 0);
    h_close(&t);
    t = (h){0};
    CHECK(h_open(&t, w2_misc_wasm, sizeof w2_misc_wasm));
    if (t.inst) {
        CHECK_EQ_INT(wg_wasi2_run(t.inst, &trap), -1);
        CHECK_STR_CONTAINS(trap.message, "exports no wasi:cli/run");
    }
    h_close(&t);
}

/* ---- host data with more than the wg_wasi -------------------------------------------------------------- */

typedef struct app_state {
    int magic;
    wg_wasi *wasi;
} app_state;

static wg_wasi *app_wasi(void *hd) {
    app_state *s = hd;
    return s && s->magic == 42 ? s->wasi : NULL;
}

WG_TEST(wasi2_state_getter) {
    h t = {0};
    t.cfg = wg_wasi_config_new();
    CHECK(wg_wasi_config_add_arg(t.cfg, "from-getter"));
    app_state st = {.magic = 42};
    /* the wg_wasi is made inside h_open_with: point the state at it after */
    t.l = NULL;
    CHECK(h_open_with(&t, w2_misc_wasm, sizeof w2_misc_wasm, &st, app_wasi));
    st.wasi = t.w;
    wg_cval r;
    if (t.inst) {
        CHECK(call(&t, "get-arguments", NULL, 0, &r) && r.kind == WG_CV_LIST && r.of.seq.n == 1);
        wg_cval_free(&r);
        st.magic = 0; /* the getter finds no wg_wasi: the call traps */
        CHECK(!call(&t, "get-arguments", NULL, 0, &r));
        CHECK_STR_CONTAINS(t.trap.message, "WASI is not configured");
    }
    h_close(&t);
}

WG_TEST_MAIN()
