/*
 * Micro-benchmark of the Canonical ABI (src/component/canon*.c): the cost of
 * moving a 1 KiB string and a list of 1,000 records across the ABI, against
 * memcpy of the same bytes (issue 7's target: the ABI adds at most 2x a
 * plain copy). Not run by CI.
 *
 *   cmake --build build --target canon_bench && build/canon_bench [iterations [path]]
 *
 * (path: memcpy, g2g, tree or host runs that one alone, for a profiler.)
 *
 * Cases, each in ns per operation (the best of 7 runs):
 *   memcpy            the bytes alone (1 KiB; 1,000 x 24 bytes)
 *   guest->guest      what a component-to-component call does with an argument:
 *                     lift from one memory (validate, build the value), lower
 *                     into the other (realloc, write), free the value
 *   host round trip   what a host calling an export with the value and getting
 *                     it back does: lower (check, realloc, write) then lift
 *                     into a new value, free both
 * The guest memories are plain buffers; realloc is a bump allocator behind
 * the same callback the engine's will use.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "component/canon.h"
#include "component/ctype.h"

typedef struct mem {
    uint8_t *buf;
    uint64_t size, next;
} mem;

static uint8_t *mem_get(void *data, uint64_t *size) {
    mem *m = data;
    *size = m->size;
    return m->buf;
}

static bool bump(void *data, uint64_t *slots, uint32_t nargs, uint32_t nresults, wg_trap *trap) {
    (void)nargs, (void)nresults, (void)trap;
    mem *m = data;
    uint64_t align = slots[2], size = slots[3];
    uint64_t p = (m->next + align - 1) & ~(align - 1);
    m->next = p + size;
    slots[0] = p;
    return true;
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Keeps the compiler from dropping a copy nobody reads. */
static void clobber(void *p) {
    __asm__ volatile("" : : "r"(p) : "memory");
}

typedef struct side {
    mem m;
    wg_canon_inst inst;
    wg_canon_opts opts;
    wg_canon_cx cx;
    wg_trap trap;
} side;

static void side_init(side *s, uint64_t size) {
    s->m = (mem){calloc(size, 1), size, 0};
    if (!s->m.buf) abort();
    wg__canon_inst_init(&s->inst, NULL, NULL, 0);
    s->opts = (wg_canon_opts){.enc = WG_CANON_UTF8, .memory = mem_get, .memory_data = &s->m,
                              .realloc = {bump, &s->m}};
    wg__canon_cx_init(&s->cx, &s->opts, &s->inst, NULL, &s->trap);
}

typedef void (*op_fn)(void *ctx);

/* Best-of-7 ns per call of op. */
static double measure(op_fn op, void *ctx, long iters) {
    double best = 1e300;
    for (int r = 0; r < 7; r++) {
        double t0 = now_ns();
        for (long i = 0; i < iters; i++) op(ctx);
        double t = (now_ns() - t0) / (double)iters;
        if (t < best) best = t;
    }
    return best;
}

typedef struct bench {
    side a, b;
    const wg_cfield *f;
    uint64_t flat[2];       /* the value's (ptr, len) in a */
    size_t bytes;           /* the bytes memcpy moves */
    const wg_cval *host;    /* the host's value */
} bench;

static void die(const char *what, const wg_trap *t) {
    fprintf(stderr, "canon_bench: %s: %s\n", what, t->message);
    exit(1);
}

static void op_memcpy(void *ctx) {
    bench *b = ctx;
    memcpy(b->b.m.buf, b->a.m.buf + b->flat[0], b->bytes);
    clobber(b->b.m.buf);
}

/* As a canon lower -> canon lift call between two instances moves an
 * argument: the caller's side lifts with views, the callee's side lowers
 * trusting the lift (canon_call.c). */
static void op_guest_to_guest(void *ctx) {
    bench *b = ctx;
    wg_cval v;
    uint64_t out[2];
    uint32_t n;
    b->b.m.next = 0;
    b->a.cx.views = b->b.cx.trusted = true;
    if (!wg__canon_lift_values(&b->a.cx, 16, b->f, 1, b->flat, 2, &v, NULL)) die("lift", &b->a.trap);
    if (!wg__canon_lower_values(&b->b.cx, 16, b->f, 1, &v, out, &n, NULL)) die("lower", &b->b.trap);
    wg_cval_free(&v);
    b->a.cx.views = b->b.cx.trusted = false;
}

/* The same through the value tree (no views, values re-checked). */
static void op_tree(void *ctx) {
    bench *b = ctx;
    wg_cval v;
    uint64_t out[2];
    uint32_t n;
    b->b.m.next = 0;
    if (!wg__canon_lift_values(&b->a.cx, 16, b->f, 1, b->flat, 2, &v, NULL)) die("lift", &b->a.trap);
    if (!wg__canon_lower_values(&b->b.cx, 16, b->f, 1, &v, out, &n, NULL)) die("lower", &b->b.trap);
    wg_cval_free(&v);
}

static void op_host_round_trip(void *ctx) {
    bench *b = ctx;
    wg_cval v;
    uint64_t out[2];
    uint32_t n;
    b->b.m.next = 0;
    if (!wg__canon_lower_values(&b->b.cx, 16, b->f, 1, b->host, out, &n, NULL)) die("lower", &b->b.trap);
    if (!wg__canon_lift_values(&b->b.cx, 16, b->f, 1, out, 2, &v, NULL)) die("lift", &b->b.trap);
    wg_cval_free(&v);
}

static wg_ctype prim(wg_ctype_kind k) {
    wg_ctype t = {.kind = k};
    wg__ctype_layout(&t);
    return t;
}

/* argv[2], for profiling one path: memcpy, g2g, tree or host (default: all). */
static const char *only;

static double run(const char *what, op_fn op, bench *b, long iters) {
    if (only && strcmp(only, what) != 0) return 0;
    return measure(op, b, iters);
}

static void report(const char *name, bench *b, long iters) {
    double copy = run("memcpy", op_memcpy, b, iters * 4);
    double g2g = run("g2g", op_guest_to_guest, b, iters);
    double tree = run("tree", op_tree, b, iters);
    double host = run("host", op_host_round_trip, b, iters);
    printf("%-34s %9.1f | %9.1f %6.1fx | %9.1f %6.1fx | %9.1f %6.1fx\n", name, copy, g2g,
           g2g / copy, tree, tree / copy, host, host / copy);
}

/* list<record> of 1,000 records laid out by fill at 4096 in a, as a bench. */
static void list_case(const char *name, const wg_cfield *lf, void (*fill)(uint8_t *, uint32_t),
                      uint32_t size, long iters) {
    bench l = {0};
    side_init(&l.a, 1 << 20);
    side_init(&l.b, 1 << 20);
    for (uint32_t i = 0; i < 1000; i++) fill(l.a.m.buf + 4096 + (uint64_t)size * i, i);
    l.f = lf;
    l.flat[0] = 4096, l.flat[1] = 1000;
    l.bytes = (size_t)size * 1000;
    wg_cval host_l;
    if (!wg__canon_lift_values(&l.a.cx, 16, lf, 1, l.flat, 2, &host_l, NULL)) die("lift", &l.a.trap);
    l.host = &host_l;
    report(name, &l, iters);
    wg_cval_free(&host_l);
}

static void fill_padded(uint8_t *p, uint32_t i) {
    uint64_t b64 = (uint64_t)i * 1000003u;
    float c = (float)i * 0.5f;
    memcpy(p, &i, 4);
    memcpy(p + 8, &b64, 8);
    memcpy(p + 16, &c, 4);
    p[20] = (uint8_t)i;
}

static void fill_ints(uint8_t *p, uint32_t i) {
    uint64_t c = (uint64_t)i << 33, d = ~c;
    memcpy(p, &i, 4);
    memcpy(p + 4, &i, 4);
    memcpy(p + 8, &c, 8);
    memcpy(p + 16, &d, 8);
}

static void fill_dense(uint8_t *p, uint32_t i) {
    float x = (float)i * 0.5f, y = -x;
    uint64_t t = (uint64_t)i << 20;
    memcpy(p, &i, 4);
    memcpy(p + 4, &x, 4);
    memcpy(p + 8, &y, 4);
    memcpy(p + 12, &i, 4);
    memcpy(p + 16, &t, 8);
}

int main(int argc, char **argv) {
    long iters = argc > 1 ? atol(argv[1]) : 20000;
    if (iters < 1) iters = 1;
    only = argc > 2 ? argv[2] : NULL;

    /* A 1 KiB ASCII string. */
    static wg_ctype string_t;
    string_t = prim(WG_CT_STRING);
    wg_cfield sf = {"s", &string_t};
    bench s = {0};
    side_init(&s.a, 1 << 20);
    side_init(&s.b, 1 << 20);
    for (int i = 0; i < 1024; i++) s.a.m.buf[4096 + i] = (uint8_t)('a' + i % 26);
    s.f = &sf;
    s.flat[0] = 4096, s.flat[1] = 1024;
    s.bytes = 1024;
    wg_cval host_s = wg_cval_string((const char *)s.a.m.buf + 4096, 1024);
    s.host = &host_s;
    printf("%-34s %9s | %16s | %16s | %16s\n", "ns per operation (x memcpy)", "memcpy",
           "guest->guest", "value tree", "host round trip");
    report("string (1 KiB)", &s, iters);

    /* list<record{a: u32, b: u64, c: f32, d: u8}>: 24 bytes with 7 of padding. */
    static wg_ctype u32_t, u64_t, f32_t, u8_t, rec_t, list_t, rec2_t, list2_t, rec3_t, list3_t;
    u32_t = prim(WG_CT_U32), u64_t = prim(WG_CT_U64), f32_t = prim(WG_CT_F32), u8_t = prim(WG_CT_U8);
    static wg_cfield fields[4], fields2[5], fields3[4];
    fields[0] = (wg_cfield){"a", &u32_t};
    fields[1] = (wg_cfield){"b", &u64_t};
    fields[2] = (wg_cfield){"c", &f32_t};
    fields[3] = (wg_cfield){"d", &u8_t};
    rec_t = (wg_ctype){.kind = WG_CT_RECORD, .n = 4, .fields = fields};
    wg__ctype_layout(&rec_t);
    list_t = (wg_ctype){.kind = WG_CT_LIST, .elem = &rec_t};
    wg__ctype_layout(&list_t);
    wg_cfield lf = {"l", &list_t};
    list_case("list<record> padded (1000x24 B)", &lf, fill_padded, 24, iters / 20 > 0 ? iters / 20 : 1);

    /* list<record{id: u32, x: f32, y: f32, n: u32, t: u64}>: 24 dense bytes. */
    fields2[0] = (wg_cfield){"id", &u32_t};
    fields2[1] = (wg_cfield){"x", &f32_t};
    fields2[2] = (wg_cfield){"y", &f32_t};
    fields2[3] = (wg_cfield){"n", &u32_t};
    fields2[4] = (wg_cfield){"t", &u64_t};
    rec2_t = (wg_ctype){.kind = WG_CT_RECORD, .n = 5, .fields = fields2};
    wg__ctype_layout(&rec2_t);
    list2_t = (wg_ctype){.kind = WG_CT_LIST, .elem = &rec2_t};
    wg__ctype_layout(&list2_t);
    wg_cfield lf2 = {"l", &list2_t};
    list_case("list<record> dense (1000x24 B)", &lf2, fill_dense, 24, iters / 20 > 0 ? iters / 20 : 1);

    /* list<record{a: u32, b: u32, c: u64, d: u64}>: dense integers, nothing to rewrite. */
    fields3[0] = (wg_cfield){"a", &u32_t};
    fields3[1] = (wg_cfield){"b", &u32_t};
    fields3[2] = (wg_cfield){"c", &u64_t};
    fields3[3] = (wg_cfield){"d", &u64_t};
    rec3_t = (wg_ctype){.kind = WG_CT_RECORD, .n = 4, .fields = fields3};
    wg__ctype_layout(&rec3_t);
    list3_t = (wg_ctype){.kind = WG_CT_LIST, .elem = &rec3_t};
    wg__ctype_layout(&list3_t);
    wg_cfield lf3 = {"l", &list3_t};
    list_case("list<record> integers (1000x24 B)", &lf3, fill_ints, 24, iters / 20 > 0 ? iters / 20 : 1);

    wg_cval_free(&host_s);
    return 0;
}
