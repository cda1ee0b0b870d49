/*
 * Tests for instance resource pools (wg_pool, memory.c / instance.c) and
 * interrupt handles (wg_interrupt, api.c): reuse gives zeroed memory (both
 * reset paths), the idle bounds hold, several threads share one pool, reused
 * execution stacks leave nothing observable, and a looping start function is
 * stopped through a handle made before the instance.
 *
 * The modules are .wat (shown above each array) converted with wabt's
 * wat2wasm; the bytes are embedded so the build does not need wabt.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasmgate/wasmgate.h"
#include "wg_test.h"

/* memrw.wat:
 * (module
 *   (memory (export "mem") 1)
 *   (data (i32.const 16) "DATA")
 *   (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
 *   (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
 *   (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
 *   (func (export "size") (result i32) (memory.size))
 *   (func (export "local0") (result i64) (local i64 i64 i64) (i64.add (local.get 0) (i64.add (local.get 1) (local.get 2))))
 *   (func $junk (export "junk") (param i32) (result i32) (local i32 i32 i32)
 *     (local.set 1 (i32.const -1)) (local.set 2 (i32.const -1)) (local.set 3 (i32.const -1))
 *     (if (result i32) (i32.eqz (local.get 0))
 *       (then (i32.const 0))
 *       (else (call $junk (i32.sub (local.get 0) (i32.const 1))))))
 * )
 */
static const uint8_t memrw_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x13, 0x04, 0x60,
    0x02, 0x7f, 0x7f, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x01,
    0x7f, 0x60, 0x00, 0x01, 0x7e, 0x03, 0x07, 0x06, 0x00, 0x01, 0x01, 0x02,
    0x03, 0x01, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x34, 0x07, 0x03, 0x6d,
    0x65, 0x6d, 0x02, 0x00, 0x05, 0x73, 0x74, 0x6f, 0x72, 0x65, 0x00, 0x00,
    0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x01, 0x04, 0x67, 0x72, 0x6f, 0x77,
    0x00, 0x02, 0x04, 0x73, 0x69, 0x7a, 0x65, 0x00, 0x03, 0x06, 0x6c, 0x6f,
    0x63, 0x61, 0x6c, 0x30, 0x00, 0x04, 0x04, 0x6a, 0x75, 0x6e, 0x6b, 0x00,
    0x05, 0x0a, 0x4d, 0x06, 0x09, 0x00, 0x20, 0x00, 0x20, 0x01, 0x36, 0x02,
    0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x28, 0x02, 0x00, 0x0b, 0x06, 0x00,
    0x20, 0x00, 0x40, 0x00, 0x0b, 0x04, 0x00, 0x3f, 0x00, 0x0b, 0x0c, 0x01,
    0x03, 0x7e, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x7c, 0x7c, 0x0b, 0x20,
    0x01, 0x03, 0x7f, 0x41, 0x7f, 0x21, 0x01, 0x41, 0x7f, 0x21, 0x02, 0x41,
    0x7f, 0x21, 0x03, 0x20, 0x00, 0x45, 0x04, 0x7f, 0x41, 0x00, 0x05, 0x20,
    0x00, 0x41, 0x01, 0x6b, 0x10, 0x05, 0x0b, 0x0b, 0x0b, 0x0a, 0x01, 0x00,
    0x41, 0x10, 0x0b, 0x04, 0x44, 0x41, 0x54, 0x41,
};

/* small.wat:
 * (module (memory (export "mem") 1 1)
 *   (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
 *   (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))
 */
static const uint8_t small_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0b, 0x02, 0x60,
    0x02, 0x7f, 0x7f, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x03, 0x03, 0x02,
    0x00, 0x01, 0x05, 0x04, 0x01, 0x01, 0x01, 0x01, 0x07, 0x16, 0x03, 0x03,
    0x6d, 0x65, 0x6d, 0x02, 0x00, 0x05, 0x73, 0x74, 0x6f, 0x72, 0x65, 0x00,
    0x00, 0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x01, 0x0a, 0x13, 0x02, 0x09,
    0x00, 0x20, 0x00, 0x20, 0x01, 0x36, 0x02, 0x00, 0x0b, 0x07, 0x00, 0x20,
    0x00, 0x28, 0x02, 0x00, 0x0b,
};

/* startloop.wat (t::started says the loop is about to begin):
 * (module
 *   (import "t" "started" (func $started))
 *   (memory 1)
 *   (func $spin (call $started) (loop (br 0)))
 *   (func (export "spin") (call $spin))
 *   (start $spin))
 */
static const uint8_t startloop_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x02, 0x0d, 0x01, 0x01, 0x74, 0x07, 0x73, 0x74, 0x61, 0x72,
    0x74, 0x65, 0x64, 0x00, 0x00, 0x03, 0x03, 0x02, 0x00, 0x00, 0x05, 0x03,
    0x01, 0x00, 0x01, 0x07, 0x08, 0x01, 0x04, 0x73, 0x70, 0x69, 0x6e, 0x00,
    0x02, 0x08, 0x01, 0x01, 0x0a, 0x10, 0x02, 0x09, 0x00, 0x10, 0x00, 0x03,
    0x40, 0x0c, 0x00, 0x0b, 0x0b, 0x04, 0x00, 0x10, 0x01, 0x0b,
};

/* nostart.wat:
 * (module
 *   (func (export "spin") (loop (br 0))))
 */
static const uint8_t nostart_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
    0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x07, 0x08, 0x01, 0x04, 0x73, 0x70,
    0x69, 0x6e, 0x00, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x03, 0x40, 0x0c,
    0x00, 0x0b, 0x0b,
};

#define PAGE 65536u

static wg_module *load(const uint8_t *bytes, size_t len) {
    wg_error err;
    wg_module *m = wg_module_new(bytes, len, &err);
    if (!m) fprintf(stderr, "load: %s\n", err.message);
    return m;
}
#define LOAD(name) load(name##_wasm, sizeof name##_wasm)

static wg_val i32v(int32_t v) {
    wg_val x;
    memset(&x, 0, sizeof x);
    x.type = WG_I32;
    x.of.i32 = v;
    return x;
}

static int32_t call_i(wg_instance *inst, const char *name, int nargs, int32_t a, int32_t b) {
    wg_val args[2] = {i32v(a), i32v(b)}, res;
    wg_trap trap;
    wg_func *f = wg_instance_export_func(inst, name);
    uint32_t nres = wg_func_type(f).nresults;
    if (!wg_instance_call(inst, name, args, (uint32_t)nargs, &res, nres, &trap)) {
        fprintf(stderr, "call %s: %s\n", name, trap.message);
        return -12345;
    }
    return nres ? (res.type == WG_I64 ? (int32_t)res.of.i64 : res.of.i32) : 0;
}

static wg_instance *inst_new(const wg_module *m, const wg_imports *im, wg_pool *pool,
                             uint64_t cap) {
    wg_error err;
    wg_trap trap;
    wg_instance_opts o = {.max_memory_bytes = cap, .pool = pool};
    wg_instance *inst = wg_instance_new(m, im, &o, &err, &trap);
    if (!inst) fprintf(stderr, "instantiate: %s\n", err.message);
    return inst;
}

/* True if every byte of inst's memory 0 is zero except the data segment. */
static bool memory_is_fresh(wg_instance *inst) {
    wg_memory *mem = wg_instance_memory(inst);
    const uint8_t *d = wg_memory_data(mem);
    size_t n = wg_memory_size(mem);
    for (size_t i = 0; i < n; i++) {
        uint8_t want = 0;
        if (i >= 16 && i < 20) want = (uint8_t)"DATA"[i - 16];
        if (d[i] != want) {
            fprintf(stderr, "byte %zu is 0x%02x\n", i, d[i]);
            return false;
        }
    }
    return true;
}

/* Dirties a memory (grown to `pages`), frees the instance, and checks that the
 * next instance from the pool gets the same reservation, all zero, at its
 * initial size, and zero again when it grows over what the first one wrote. */
static void reuse_round(wg_pool *pool, uint32_t pages) {
    wg_module *m = LOAD(memrw);
    wg_imports *im = wg_imports_new();
    wg_pool_stats before, after;

    wg_instance *a = inst_new(m, im, pool, 64u * PAGE);
    CHECK(a != NULL);
    CHECK_EQ_INT(call_i(a, "grow", 1, (int32_t)pages - 1, 0), 1);
    uint8_t *base = wg_memory_data(wg_instance_memory(a));
    memset(base, 0xA5, (size_t)pages * PAGE);           /* host writes */
    call_i(a, "store", 2, 16, 0x11223344);               /* guest writes over the data */
    call_i(a, "store", 2, (int32_t)(pages * PAGE - 4), -1);
    wg_instance_free(a);

    wg_pool_get_stats(pool, &before);
    wg_instance *b = inst_new(m, im, pool, 64u * PAGE);
    CHECK(b != NULL);
    wg_pool_get_stats(pool, &after);
    CHECK_EQ_INT(after.memory_hits, before.memory_hits + 1);
    CHECK(wg_memory_data(wg_instance_memory(b)) == base); /* the same reservation */
    CHECK_EQ_INT(call_i(b, "size", 0, 0, 0), 1);
    CHECK(memory_is_fresh(b));
    CHECK_EQ_INT(call_i(b, "load", 1, 16, 0), 0x41544144); /* "DATA" */
    /* Beyond the size the guest traps (explicit bounds check, not PROT_NONE)... */
    wg_val arg = i32v((int32_t)PAGE), res;
    wg_trap trap;
    CHECK(!wg_instance_call(b, "load", &arg, 1, &res, 1, &trap));
    CHECK_EQ_INT(trap.code, WG_TRAP_MEMORY_OOB);
    /* ...and growing over what `a` wrote shows zeros. */
    CHECK_EQ_INT(call_i(b, "grow", 1, (int32_t)pages - 1, 0), 1);
    CHECK(memory_is_fresh(b));
    CHECK_EQ_INT(call_i(b, "load", 1, (int32_t)(pages * PAGE - 4), 0), 0);
    wg_instance_free(b);
    wg_imports_free(im);
    wg_module_free(m);
}

WG_TEST(reuse_gives_zeroed_memory_memset_path) {
    wg_pool *pool = wg_pool_new(NULL);
    CHECK(pool != NULL);
    reuse_round(pool, 2); /* 128 KiB: reset with memset */
    wg_pool_free(pool);
}

WG_TEST(reuse_gives_zeroed_memory_madvise_path) {
    wg_pool *pool = wg_pool_new(NULL);
    reuse_round(pool, 8); /* 512 KiB > 256 KiB: reset with madvise */
    wg_pool_free(pool);
    wg_pool_opts o = {.madvise_only = true};
    pool = wg_pool_new(&o);
    reuse_round(pool, 1);
    reuse_round(pool, 3);
    wg_pool_free(pool);
}

/* A reservation is reused only by a memory whose reachable size fits in it. */
WG_TEST(reuse_only_when_big_enough) {
    wg_module *big = LOAD(memrw), *small = LOAD(small);
    wg_imports *im = wg_imports_new();
    wg_pool *pool = wg_pool_new(NULL);
    wg_pool_stats s;
    /* small (max 1 page) reserves 64 KiB + guard; big (no max, cap 1 MiB) cannot use it */
    wg_instance *a = inst_new(small, im, pool, PAGE * 16);
    call_i(a, "store", 2, 8, 77);
    wg_instance_free(a);
    wg_instance *b = inst_new(big, im, pool, PAGE * 16);
    wg_pool_get_stats(pool, &s);
    CHECK_EQ_INT(s.memory_hits, 0);
    CHECK_EQ_INT(s.memory_misses, 2);
    CHECK_EQ_INT(s.idle_memories, 1);
    call_i(b, "store", 2, 8, 99);
    wg_instance_free(b);
    /* the big one fits the small module: most recent first */
    wg_instance *c = inst_new(small, im, pool, PAGE * 16);
    wg_pool_get_stats(pool, &s);
    CHECK_EQ_INT(s.memory_hits, 1);
    CHECK_EQ_INT(call_i(c, "load", 1, 8, 0), 0);
    wg_instance_free(c);
    wg_pool_free(pool);
    wg_imports_free(im);
    wg_module_free(big);
    wg_module_free(small);
}

/* At most max_idle_* resources stay idle; the rest are unmapped. */
WG_TEST(pool_bounds) {
    wg_module *m = LOAD(memrw);
    wg_imports *im = wg_imports_new();
    wg_pool_opts o = {.max_idle_memories = 2, .max_idle_stacks = 3};
    wg_pool *pool = wg_pool_new(&o);
    wg_instance *insts[6];
    for (int i = 0; i < 6; i++) {
        insts[i] = inst_new(m, im, pool, 16 * PAGE);
        CHECK(insts[i] != NULL);
        CHECK_EQ_INT(call_i(insts[i], "size", 0, 0, 0), 1); /* maps the exec stack */
    }
    for (int i = 0; i < 6; i++) wg_instance_free(insts[i]);
    wg_pool_stats s;
    wg_pool_get_stats(pool, &s);
    CHECK_EQ_INT(s.idle_memories, 2);
    CHECK_EQ_INT(s.idle_stacks, 3);
    CHECK_EQ_INT(s.memory_misses, 6);
    CHECK_EQ_INT(s.stack_misses, 6);
    for (int i = 0; i < 4; i++) {
        insts[i] = inst_new(m, im, pool, 16 * PAGE);
        call_i(insts[i], "size", 0, 0, 0);
    }
    wg_pool_get_stats(pool, &s);
    CHECK_EQ_INT(s.memory_hits, 2);
    CHECK_EQ_INT(s.stack_hits, 3);
    CHECK_EQ_INT(s.idle_memories, 0);
    CHECK_EQ_INT(s.idle_stacks, 0);
    for (int i = 0; i < 4; i++) wg_instance_free(insts[i]);
    /* stacks of another size are not mixed up */
    wg_error err;
    wg_trap trap;
    wg_instance_opts other = {.pool = pool, .stack_cells = 4096, .max_call_depth = 100};
    wg_instance *x = wg_instance_new(m, im, &other, &err, &trap);
    CHECK(x != NULL);
    CHECK_EQ_INT(call_i(x, "junk", 1, 50, 0), 0);
    wg_pool_get_stats(pool, &s);
    CHECK_EQ_INT(s.stack_hits, 3);
    wg_val arg = i32v(1000), res;
    CHECK(!wg_instance_call(x, "junk", &arg, 1, &res, 1, &trap)); /* depth 100 still applies */
    CHECK_EQ_INT(trap.code, WG_TRAP_STACK_EXHAUSTED);
    wg_instance_free(x);
    wg_pool_free(pool);
    wg_imports_free(im);
    wg_module_free(m);
}

/* A reused execution stack holds the previous run's cells; nothing of them is
 * observable: declared locals read zero. */
WG_TEST(reused_exec_stack_is_unobservable) {
    wg_module *m = LOAD(memrw);
    wg_imports *im = wg_imports_new();
    wg_pool *pool = wg_pool_new(NULL);
    wg_instance *a = inst_new(m, im, pool, 0);
    CHECK_EQ_INT(call_i(a, "junk", 1, 500, 0), 0); /* fills ~2000 cells with -1 */
    wg_instance_free(a);
    wg_instance *b = inst_new(m, im, pool, 0);
    wg_val res;
    wg_trap trap;
    CHECK(wg_instance_call(b, "local0", NULL, 0, &res, 1, &trap));
    CHECK_EQ_INT(res.of.i64, 0);
    wg_pool_stats s;
    wg_pool_get_stats(pool, &s);
    CHECK_EQ_INT(s.stack_hits, 1);
    wg_instance_free(b);
    wg_pool_free(pool);
    wg_imports_free(im);
    wg_module_free(m);
}

/* Threads sharing one pool: every instance starts from zeros and sees only
 * its own writes. */
typedef struct thread_arg {
    const wg_module *m;
    const wg_imports *im;
    wg_pool *pool;
    int id;
    int failures;
} thread_arg;

static void *pool_thread(void *p) {
    thread_arg *t = p;
    unsigned seed = (unsigned)t->id * 7919u;
    for (int it = 0; it < 300; it++) {
        wg_instance *inst = inst_new(t->m, t->im, t->pool, 16 * PAGE);
        if (!inst) {
            t->failures++;
            continue;
        }
        int pages = 1 + (int)(rand_r(&seed) % 5);
        if (pages > 1 && call_i(inst, "grow", 1, pages - 1, 0) != 1) t->failures++;
        for (int k = 0; k < 16; k++) {
            /* one address in each sixteenth of the memory: never the same twice */
            unsigned stripe = (unsigned)pages * PAGE / 16;
            int32_t addr = (int32_t)((unsigned)k * stripe + (rand_r(&seed) % (stripe / 4)) * 4);
            int32_t want = addr >= 16 && addr < 20 ? 0x41544144 : 0;
            int32_t got = call_i(inst, "load", 1, addr, 0);
            if (got != want) {
                fprintf(stderr, "thread %d it %d: [%d] = %d, want %d (pages %d)\n", t->id, it,
                        addr, got, want, pages);
                t->failures++;
            }
            call_i(inst, "store", 2, addr, t->id * 1000 + it);
            if (call_i(inst, "load", 1, addr, 0) != t->id * 1000 + it) t->failures++;
        }
        if (call_i(inst, "local0", 0, 0, 0) != 0) t->failures++;
        call_i(inst, "junk", 1, 20, 0);
        wg_instance_free(inst);
    }
    return NULL;
}

WG_TEST(threads_share_one_pool) {
    wg_module *m = LOAD(memrw);
    wg_imports *im = wg_imports_new();
    wg_pool_opts o = {.max_idle_memories = 3, .max_idle_stacks = 3};
    wg_pool *pool = wg_pool_new(&o);
    enum { N = 4 };
    pthread_t th[N];
    thread_arg args[N];
    for (int i = 0; i < N; i++) {
        args[i] = (thread_arg){m, im, pool, i + 1, 0};
        CHECK(pthread_create(&th[i], NULL, pool_thread, &args[i]) == 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        CHECK_EQ_INT(args[i].failures, 0);
    }
    wg_pool_stats s;
    wg_pool_get_stats(pool, &s);
    CHECK_EQ_INT(s.memory_hits + s.memory_misses, N * 300);
    CHECK(s.memory_hits > 0);
    CHECK(s.idle_memories <= 3);
    wg_pool_free(pool);
    wg_imports_free(im);
    wg_module_free(m);
}

/* ---- interrupt handles ---- */

WG_TEST(interrupt_handle_basics) {
    wg_interrupt *h = wg_interrupt_new();
    CHECK(h != NULL);
    CHECK(!wg_interrupt_is_set(h));
    wg_interrupt_set(h);
    CHECK(wg_interrupt_is_set(h));
    wg_interrupt_clear(h);
    CHECK(!wg_interrupt_is_set(h));
    CHECK(!wg_interrupt_is_set(NULL));
    wg_interrupt_set(NULL);
    wg_interrupt_free(NULL);
    wg_interrupt_free(h);
}

/* The handle to set, and whether the guest has reached its loop (set by
 * the host function t::started, which the loop's function calls first). */
typedef struct setter {
    wg_interrupt *h;
    atomic_int started;
} setter;

static int host_started(wg_ctx *ctx, uint64_t *slots, void *data) {
    (void)ctx;
    (void)slots;
    atomic_store(&((setter *)data)->started, 1);
    return 0;
}

/* Sets the handle once the guest is at its loop: an event, not a delay (a
 * handle set before the loop runs is the "already set" case, tested apart). */
static void *set_when_looping(void *p) {
    setter *s = p;
    while (!atomic_load(&s->started)) sched_yield();
    wg_interrupt_set(s->h);
    return NULL;
}

/* A start function that never returns is stopped through the handle. */
WG_TEST(interrupt_looping_start_function) {
    alarm(120); /* a loop the handle cannot stop must not hang the run */
    wg_module *m = LOAD(startloop);
    wg_pool *pool = wg_pool_new(NULL);
    wg_interrupt *h = wg_interrupt_new();
    setter s = {.h = h};
    atomic_init(&s.started, 0);
    wg_imports *im = wg_imports_new();
    CHECK(im && wg_imports_add_host(im, "t", "started", NULL, 0, NULL, 0, host_started, &s));
    pthread_t t;
    CHECK(pthread_create(&t, NULL, set_when_looping, &s) == 0);
    wg_error err;
    wg_trap trap;
    wg_instance_opts o = {.interrupt = h, .pool = pool};
    wg_instance *inst = wg_instance_new(m, im, &o, &err, &trap);
    pthread_join(t, NULL);
    CHECK(inst == NULL);
    CHECK_EQ_INT(err.kind, WG_ERR_TRAP);
    CHECK_EQ_INT(trap.code, WG_TRAP_INTERRUPTED);
    CHECK_STR_CONTAINS(err.message, "interrupted");
    CHECK(atomic_load(&s.started));
    /* already set before instantiation: stops at once */
    inst = wg_instance_new(m, im, &o, &err, &trap);
    CHECK(inst == NULL);
    CHECK_EQ_INT(trap.code, WG_TRAP_INTERRUPTED);
    /* cleared: the instance runs, and wg_instance_interrupt acts on the handle */
    wg_interrupt_clear(h);
    o.skip_start = true;
    inst = wg_instance_new(m, im, &o, &err, &trap);
    CHECK(inst != NULL);
    CHECK(!wg_instance_is_interrupted(inst));
    wg_instance_interrupt(inst);
    CHECK(wg_interrupt_is_set(h));
    CHECK(wg_instance_is_interrupted(inst));
    CHECK(!wg_instance_call(inst, "spin", NULL, 0, NULL, 0, &trap));
    CHECK_EQ_INT(trap.code, WG_TRAP_INTERRUPTED);
    wg_instance_clear_interrupt(inst);
    CHECK(!wg_interrupt_is_set(h));
    atomic_store(&s.started, 0);
    CHECK(pthread_create(&t, NULL, set_when_looping, &s) == 0);
    CHECK(!wg_instance_call(inst, "spin", NULL, 0, NULL, 0, &trap));
    pthread_join(t, NULL);
    CHECK(atomic_load(&s.started));
    CHECK_EQ_INT(trap.code, WG_TRAP_INTERRUPTED);
    wg_instance_free(inst);
    wg_interrupt_free(h);
    wg_pool_free(pool);
    wg_imports_free(im);
    wg_module_free(m);
}

/* Without a handle the instance keeps its own flag, as before. */
WG_TEST(own_flag_without_handle) {
    wg_module *m = LOAD(nostart);
    wg_imports *im = wg_imports_new();
    wg_instance *inst = inst_new(m, im, NULL, 0);
    wg_instance_interrupt(inst);
    wg_trap trap;
    CHECK(!wg_instance_call(inst, "spin", NULL, 0, NULL, 0, &trap));
    CHECK_EQ_INT(trap.code, WG_TRAP_INTERRUPTED);
    wg_instance_free(inst);
    wg_imports_free(im);
    wg_module_free(m);
}

/* Budgets: instances charge their memories (initial size and growth) to a
 * shared wg_budget and give them back when freed; a growth past it fails in
 * the guest (-1), an instantiation past it fails with WG_ERR_BUDGET. */
WG_TEST(budget_bounds_memories_of_many_instances) {
    wg_module *m = LOAD(memrw); /* 1 page initial, no maximum */
    wg_imports *im = wg_imports_new();
    wg_budget *b = wg_budget_new(4 * PAGE);
    CHECK(m && im && b);
    if (!m || !im || !b) return;
    wg_instance_opts o = {.budget = b};
    wg_error err;
    wg_trap trap;
    wg_instance *a = wg_instance_new(m, im, &o, &err, &trap);
    CHECK(a != NULL);
    CHECK_EQ_INT(wg_budget_used(b), PAGE);
    CHECK_EQ_INT(call_i(a, "grow", 1, 2, 0), 1); /* 3 pages */
    CHECK_EQ_INT(wg_budget_used(b), 3 * PAGE);
    wg_instance *c = wg_instance_new(m, im, &o, &err, &trap);
    CHECK(c != NULL);
    CHECK_EQ_INT(wg_budget_used(b), 4 * PAGE);
    CHECK_EQ_INT(call_i(c, "grow", 1, 1, 0), -1); /* nothing left */
    CHECK_EQ_INT(call_i(a, "grow", 1, 1, 0), -1);
    CHECK_EQ_INT(call_i(c, "size", 0, 0, 0), 1);
    wg_instance *d = wg_instance_new(m, im, &o, &err, &trap);
    CHECK(d == NULL);
    CHECK_EQ_INT(err.kind, WG_ERR_BUDGET);
    CHECK(strstr(err.message, "memory budget") != NULL);
    CHECK_EQ_INT(wg_budget_used(b), 4 * PAGE); /* the failed one took nothing */
    wg_instance_free(a);
    CHECK_EQ_INT(wg_budget_used(b), PAGE);
    CHECK_EQ_INT(call_i(c, "grow", 1, 3, 0), 1); /* a's pages are free again */
    CHECK_EQ_INT(wg_budget_used(b), 4 * PAGE);
    wg_instance_free(c);
    CHECK_EQ_INT(wg_budget_used(b), 0);
    /* the embedder's own charges share the same limit */
    CHECK(wg_budget_charge(b, 3 * PAGE));
    CHECK(!wg_budget_charge(b, 2 * PAGE));
    CHECK_EQ_INT(wg_budget_limit(b), 4 * PAGE);
    wg_budget_release(b, 3 * PAGE);
    CHECK(!wg_budget_charge(b, UINT64_MAX));
    CHECK_EQ_INT(wg_budget_used(b), 0);
    wg_budget_free(b);
    wg_imports_free(im);
    wg_module_free(m);
}

/* Threads racing for the last bytes never take more than the limit together. */
static void *budget_racer(void *p) {
    wg_budget *b = p;
    uintptr_t got = 0;
    for (int i = 0; i < 100000; i++)
        if (wg_budget_charge(b, 3)) got += 3;
    return (void *)got;
}

WG_TEST(budget_charge_is_atomic) {
    wg_budget *b = wg_budget_new(30001);
    CHECK(b != NULL);
    if (!b) return;
    pthread_t t[4];
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, budget_racer, b);
    uintptr_t total = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        total += (uintptr_t)r;
    }
    CHECK_EQ_INT(total, 30000);
    CHECK_EQ_INT(wg_budget_used(b), 30000);
    wg_budget_free(b);
}

WG_TEST_MAIN()
