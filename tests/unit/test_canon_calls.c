/*
 * The synchronous call sequences (canon_call.c) with C functions standing in
 * for core guest code over a byte-buffer memory: a host calling a lifted
 * export (arguments lowered through realloc, the result lifted through the
 * return area, post-return with may_leave clear), borrow scopes (a borrow
 * not dropped by the callee traps), reentrance (may_enter) and may_leave
 * traps, a trap poisoning the instance, a guest calling a host import
 * (arguments lifted with borrows lent for the call, the result lowered
 * through the caller's return pointer), and component-to-component calls
 * (resources moved and lent between two instances as borrows.wast does,
 * strings transcoded as transcode.wast does).
 */
#include "canon_test_util.h"
#include "component/canon_int.h"

typedef struct guest guest;
typedef bool (*body_fn)(guest *g, uint64_t *slots, uint32_t nargs, uint32_t nresults, wg_trap *trap);

struct guest {
    ct_arena arena;
    ct_mem mem;
    wg_canon_inst inst;
    wg_rtype rt;                 /* a resource this guest implements */
    const wg_rtype *rtypes[2];   /* slot 0: rt; slot 1: set by the test */
    wg_cfunctype ft;
    wg_canon_lifted lifted;
    body_fn body;
    /* what the fake code saw */
    uint32_t calls, post_calls, dtor_calls, last_dtor_rep;
    uint64_t post_arg;
    bool post_may_leave;
    uint64_t seen[20];
    uint32_t nseen;
    /* for bodies that call out */
    const wg_canon_lowered *import;
    guest *other;
    uint32_t handle;
    uint32_t next_rep;
};

static uint32_t ld32(guest *g, uint64_t p);

static bool core_call(void *data, uint64_t *slots, uint32_t nargs, uint32_t nresults, wg_trap *trap) {
    guest *g = data;
    g->calls++;
    return g->body(g, slots, nargs, nresults, trap);
}

static bool post_return(void *data, uint64_t *slots, uint32_t nargs, uint32_t nresults, wg_trap *trap) {
    guest *g = data;
    (void)nresults;
    g->post_calls++;
    g->post_may_leave = g->inst.may_leave;
    g->post_arg = nargs ? slots[0] : 0;
    /* The result reached the caller before post-return (on_resolve first). */
    if (g->other) g->seen[0] = ld32(g->other, 12);
    /* A post-return that calls out traps. */
    if (g->import) {
        uint64_t s[4] = {0};
        return wg__canon_call_lowered(g->import, s, 0, 0, trap);
    }
    return true;
}

static bool dtor(void *data, uint64_t *slots, uint32_t nargs, uint32_t nresults, wg_trap *trap) {
    guest *g = data;
    (void)nargs, (void)nresults, (void)trap;
    g->dtor_calls++;
    g->last_dtor_rep = (uint32_t)slots[0];
    return true;
}

static void guest_init(guest *g, uint64_t memsize, wg_canon_enc enc, const char *params,
                       const char *result, body_fn body) {
    memset(g, 0, sizeof *g);
    ct_mem_init(&g->mem, memsize);
    g->mem.last_alloc = 1024; /* the fake code's own data lives below */
    g->rt = wg__rtype_make("R", &g->inst, (wg_canon_core){dtor, g});
    g->rtypes[0] = &g->rt;
    g->rtypes[1] = &g->rt;
    wg__canon_inst_init(&g->inst, NULL, g->rtypes, 2);
    g->ft = ct_functype(&g->arena, params, result);
    g->lifted = (wg_canon_lifted){
        .ft = &g->ft,
        .opts = ct_opts(&g->mem, enc, false),
        .callee = {core_call, g},
        .inst = &g->inst,
    };
    g->lifted.opts.post_return = (wg_canon_core){post_return, g};
    g->body = body;
    g->next_rep = 0x41;
}

static void guest_fini(guest *g) {
    wg__canon_inst_fini(&g->inst);
    ct_mem_free(&g->mem);
    ct_arena_free(&g->arena);
}

static uint32_t ld32(guest *g, uint64_t p) {
    uint32_t v;
    memcpy(&v, g->mem.buf + p, 4);
    return v;
}

static void st32(guest *g, uint64_t p, uint32_t v) {
    memcpy(g->mem.buf + p, &v, 4);
}

/* ---- a host calling an export ------------------------------------------------------ */

/* concat(a: string, b: string) -> string: writes a+b at 512, (ptr, len) at 256. */
static bool concat_body(guest *g, uint64_t *slots, uint32_t nargs, uint32_t nresults, wg_trap *trap) {
    (void)trap;
    CHECK(nargs == 4 && nresults == 1);
    CHECK(g->inst.may_leave && !g->inst.may_enter);
    uint32_t p1 = (uint32_t)slots[0], l1 = (uint32_t)slots[1], p2 = (uint32_t)slots[2], l2 = (uint32_t)slots[3];
    memcpy(g->mem.buf + 512, g->mem.buf + p1, l1);
    memcpy(g->mem.buf + 512 + l1, g->mem.buf + p2, l2);
    st32(g, 256, 512);
    st32(g, 260, l1 + l2);
    slots[0] = 256;
    return true;
}

WG_TEST(host_calls_an_export) {
    guest g;
    guest_init(&g, 4096, WG_CANON_UTF8, "string;string", "string", concat_body);
    wg_cval args[2] = {wg_cval_string("foo", 3), wg_cval_string("b\xc3\xa4r", 4)}, res;
    wg_trap trap;
    CHECK(wg__canon_call_export(&g.lifted, args, 2, &res, &trap));
    CHECK(res.kind == WG_CV_STRING && res.of.str.len == 7 && memcmp(res.of.str.data, "foob\xc3\xa4r", 7) == 0);
    CHECK(g.mem.ncalls == 2 && g.mem.calls[0].align == 1 && g.mem.calls[0].new_size == 3);
    /* post-return: after the result is lifted, with the flat result, may not leave. */
    CHECK(g.post_calls == 1 && g.post_arg == 256 && !g.post_may_leave);
    CHECK(g.inst.may_enter && g.inst.may_leave);
    wg_cval_free(&res);
    /* Again: the instance is reusable after a clean call. */
    CHECK(wg__canon_call_export(&g.lifted, args, 2, &res, &trap) && g.calls == 2);
    wg_cval_free(&res);
    wg_cval_free(&args[0]);
    wg_cval_free(&args[1]);
    guest_fini(&g);
}

/* sum17(17 x u32) -> u64: the arguments arrive in memory. */
static bool sum_body(guest *g, uint64_t *slots, uint32_t nargs, uint32_t nresults, wg_trap *trap) {
    (void)trap;
    CHECK(nargs == 1 && nresults == 1);
    uint64_t s = 0;
    for (int i = 0; i < 17; i++) s += ld32(g, slots[0] + 4 * (uint64_t)i);
    slots[0] = s;
    return true;
}

WG_TEST(host_calls_with_spilled_params) {
    guest g;
    guest_init(&g, 4096, WG_CANON_UTF8,
               "u32;u32;u32;u32;u32;u32;u32;u32;u32;u32;u32;u32;u32;u32;u32;u32;u32", "u64", sum_body);
    wg_cval args[17];
    for (int i = 0; i < 17; i++) args[i] = wg_cval_u(WG_CV_U32, (uint64_t)i + 1);
    wg_cval res;
    wg_trap trap;
    CHECK(wg__canon_call_export(&g.lifted, args, 17, &res, &trap) && res.of.u == 153);
    CHECK(g.mem.ncalls == 1 && g.mem.calls[0].align == 4 && g.mem.calls[0].new_size == 68);
    guest_fini(&g);
}

WG_TEST(bad_host_arguments_leave_the_instance_usable) {
    guest g;
    guest_init(&g, 4096, WG_CANON_UTF8, "string;string", "string", concat_body);
    wg_cval args[2] = {wg_cval_string("foo", 3), wg_cval_u(WG_CV_U8, 1)}, res;
    wg_trap trap;
    CHECK_TRAP(wg__canon_call_export(&g.lifted, args, 2, &res, &trap), trap,
               "invalid value: expected string, found u8");
    CHECK(g.mem.ncalls == 0 && g.calls == 0 && g.inst.may_enter);
    wg_cval_free(&args[1]);
    args[1] = wg_cval_string("!", 1);
    CHECK(wg__canon_call_export(&g.lifted, args, 2, &res, &trap));
    wg_cval_free(&res);
    wg_cval_free(&args[0]);
    wg_cval_free(&args[1]);
    guest_fini(&g);
}

/* ---- traps, reentrance, may_leave ------------------------------------------------------ */

static bool trap_body(guest *g, uint64_t *slots, uint32_t nargs, uint32_t nresults, wg_trap *trap) {
    (void)g, (void)slots, (void)nargs, (void)nresults;
    trap->code = WG_TRAP_UNREACHABLE;
    snprintf(trap->message, sizeof trap->message, "unreachable");
    return false;
}

/* Calls its own instance's export again from inside. */
static bool reenter_body(guest *g, uint64_t *slots, uint32_t nargs, uint32_t nresults, wg_trap *trap) {
    (void)slots, (void)nargs, (void)nresults;
    wg_cval res;
    return wg__canon_call_export(&g->lifted, NULL, 0, &res, trap);
}

WG_TEST(traps_reentrance_and_poisoning) {
    guest g;
    wg_trap trap;
    wg_cval res;
    guest_init(&g, 4096, WG_CANON_UTF8, "", "", reenter_body);
    CHECK_TRAP(wg__canon_call_export(&g.lifted, NULL, 0, &res, &trap), trap,
               "cannot enter component instance");
    CHECK(g.calls == 1 && g.post_calls == 0);
    /* The trap leaves the instance entered: it is poisoned for good. */
    g.body = concat_body;
    CHECK_TRAP(wg__canon_call_export(&g.lifted, NULL, 0, &res, &trap), trap, "cannot enter component instance");
    guest_fini(&g);
    /* A guest trap comes back as the engine reported it. */
    guest_init(&g, 4096, WG_CANON_UTF8, "", "u32", trap_body);
    CHECK(!wg__canon_call_export(&g.lifted, NULL, 0, &res, &trap));
    CHECK(trap.code == WG_TRAP_UNREACHABLE && g.post_calls == 0);
    guest_fini(&g);
}

static bool noop_body(guest *g, uint64_t *slots, uint32_t nargs, uint32_t nresults, wg_trap *trap) {
    (void)g, (void)slots, (void)nargs, (void)nresults, (void)trap;
    return true;
}

static bool never_called(void *data, wg_canon_inst *caller, wg_canon_io *io, wg_trap *trap) {
    (void)data, (void)caller, (void)io, (void)trap;
    wg_test_fail(__FILE__, __LINE__, "an import ran while its caller could not leave");
    return true;
}

WG_TEST(post_return_and_realloc_may_not_leave) {
    guest g;
    guest_init(&g, 4096, WG_CANON_UTF8, "", "", noop_body);
    wg_cfunctype ift = {0};
    wg_canon_lowered imp = {.ft = &ift, .inst = &g.inst, .callee = never_called};
    g.import = &imp;
    wg_cval res;
    wg_trap trap;
    /* post-return.wast: calling an import from post-return. */
    CHECK_TRAP(wg__canon_call_export(&g.lifted, NULL, 0, &res, &trap), trap,
               "cannot leave component instance");
    CHECK(g.post_calls == 1);
    guest_fini(&g);
    /* realloc runs with may_leave clear too. */
    guest_init(&g, 4096, WG_CANON_UTF8, "string", "", noop_body);
    g.mem.inst = &g.inst;
    wg_cval s = wg_cval_string("x", 1);
    CHECK(wg__canon_call_export(&g.lifted, &s, 1, &res, &trap));
    CHECK(g.mem.ncalls == 1 && !g.mem.may_leave_seen && g.inst.may_leave);
    wg_cval_free(&s);
    guest_fini(&g);
}

/* ---- borrow scopes on the callee side --------------------------------------------------- */

/* use(r: borrow<R>) -> u32: returns what it got; drops it when asked to. */
static bool use_body(guest *g, uint64_t *slots, uint32_t nargs, uint32_t nresults, wg_trap *trap) {
    CHECK(nargs == 1 && nresults == 1);
    g->seen[g->nseen++ % 20] = slots[0];
    if (g->handle && !wg__canon_resource_drop(&g->inst, g->rtypes[1], (uint32_t)slots[0], trap))
        return false;
    return true;
}

WG_TEST(callee_must_drop_foreign_borrows) {
    guest g;
    guest_init(&g, 4096, WG_CANON_UTF8, "borrow<1>", "u32", use_body);
    wg_rtype host = wg__rtype_make("H", NULL, (wg_canon_core){0});
    g.rtypes[1] = &host;
    wg_cval b = {.kind = WG_CV_BORROW, .of.handle = {77, &host}}, res;
    wg_trap trap;
    /* Dropped by the callee: fine; the index was a fresh borrow handle. */
    g.handle = 1;
    CHECK(wg__canon_call_export(&g.lifted, &b, 1, &res, &trap) && res.of.u == 1);
    CHECK(g.inst.handles.a[1].rt == NULL);
    /* Not dropped: the reference's trap, after the result was lifted. */
    g.handle = 0;
    CHECK_TRAP(wg__canon_call_export(&g.lifted, &b, 1, &res, &trap), trap,
               "borrow handles still remain at the end of the call");
    CHECK(g.post_calls == 1 && g.inst.handles.a[1].scope == NULL);
    guest_fini(&g);
    /* A borrow of the callee's own resource arrives as the rep. */
    guest_init(&g, 4096, WG_CANON_UTF8, "borrow<0>", "u32", use_body);
    wg_cval own = {.kind = WG_CV_BORROW, .of.handle = {0x43, &g.rt}};
    CHECK(wg__canon_call_export(&g.lifted, &own, 1, &res, &trap) && res.of.u == 0x43);
    CHECK(g.inst.handles.len <= 1);
    guest_fini(&g);
}

/* ---- a guest calling a host import ---------------------------------------------------- */

typedef struct host_state {
    wg_canon_inst *caller;
    uint32_t lends_during;
    bool fail, bad;
} host_state;

/* greet(name: string, r: borrow<R>) -> result<string, u32> */
static bool greet(void *data, wg_canon_inst *caller, wg_canon_io *io, wg_trap *trap) {
    host_state *h = data;
    const wg_cval *args;
    uint32_t nargs;
    CHECK(caller == h->caller);
    if (!wg__canon_io_start(io, &args, &nargs)) return false;
    CHECK(nargs == 2 && args[0].kind == WG_CV_STRING && args[1].kind == WG_CV_BORROW);
    h->lends_during = caller->handles.a[1].num_lends;
    if (h->fail) return wg__canon_trapf(trap, "host said no");
    wg_cval result;
    if (h->bad) {
        result = wg_cval_u(WG_CV_U32, 5);
    } else {
        char buf[64];
        int n = snprintf(buf, sizeof buf, "hello, %.*s #%u", (int)args[0].of.str.len,
                         args[0].of.str.data, args[1].of.handle.rep);
        wg_cval s = wg_cval_string(buf, (size_t)n);
        result = wg_cval_var(WG_CV_RESULT, 0, &s);
    }
    return wg__canon_io_resolve(io, &result);
}

WG_TEST(guest_calls_a_host_import) {
    guest d;
    guest_init(&d, 4096, WG_CANON_UTF8, "", "", noop_body);
    wg_cfunctype ft = ct_functype(&d.arena, "string;borrow<0>", "result<string,u32>");
    host_state hs = {.caller = &d.inst};
    wg_canon_lowered imp = {.ft = &ft, .opts = ct_opts(&d.mem, WG_CANON_UTF8, false), .inst = &d.inst,
                            .callee = greet, .callee_data = &hs};
    wg_canon_flat_sig sig;
    wg__canon_flatten_functype(&ft, false, WG_CANON_SIDE_LOWER, &sig);
    CHECK(sig.nparams == 4 && sig.nresults == 0 && sig.results_in_memory);
    wg_trap trap;
    uint32_t h;
    CHECK(wg__canon_resource_new(&d.inst, &d.rt, 0x41, &h, &trap) && h == 1);
    memcpy(d.mem.buf + 100, "ada", 3);
    uint64_t slots[4] = {100, 3, h, 200};
    CHECK(wg__canon_call_lowered(&imp, slots, 4, 0, &trap));
    CHECK(hs.lends_during == 1 && d.inst.handles.a[1].num_lends == 0);
    /* result<string, u32> at the return pointer: disc, then (ptr, len) at 4. */
    CHECK(d.mem.buf[200] == 0);
    uint32_t p = ld32(&d, 204), n = ld32(&d, 208);
    CHECK(n == 14 && memcmp(d.mem.buf + p, "hello, ada #65", 14) == 0);
    /* The host's trap ends the call (nothing leaks); a misaligned return
     * pointer is the caller's trap; a bad result is a trap for the guest. */
    hs.fail = true;
    CHECK_TRAP(wg__canon_call_lowered(&imp, slots, 4, 0, &trap), trap, "host said no");
    hs.fail = false;
    d.inst.handles.a[1].num_lends = 0;
    slots[3] = 201;
    CHECK_TRAP(wg__canon_call_lowered(&imp, slots, 4, 0, &trap), trap, "unaligned pointer");
    d.inst.handles.a[1].num_lends = 0;
    hs.bad = true;
    slots[3] = 200;
    CHECK_TRAP(wg__canon_call_lowered(&imp, slots, 4, 0, &trap), trap,
               "invalid value: expected result, found u32");
    guest_fini(&d);
}

/* ---- component to component -------------------------------------------------------------- */

/* $C (borrows.wast): make() -> own<R>; get-rep(borrow<R>) -> u32;
 * borrow-and-take(borrow<R>, own<R>) -> u32. */
static bool make_body(guest *g, uint64_t *slots, uint32_t nargs, uint32_t nresults, wg_trap *trap) {
    (void)nargs, (void)nresults;
    uint32_t i;
    if (!wg__canon_resource_new(&g->inst, &g->rt, g->next_rep++, &i, trap)) return false;
    slots[0] = i;
    return true;
}

static bool get_rep_body(guest *g, uint64_t *slots, uint32_t nargs, uint32_t nresults, wg_trap *trap) {
    (void)g, (void)slots, (void)nargs, (void)nresults, (void)trap;
    return true; /* the borrow arrives as the rep: return it */
}

static bool take_body(guest *g, uint64_t *slots, uint32_t nargs, uint32_t nresults, wg_trap *trap) {
    (void)nargs, (void)nresults;
    if (!wg__canon_resource_drop(&g->inst, &g->rt, (uint32_t)slots[1], trap)) return false;
    return true;
}

WG_TEST(components_pass_resources) {
    guest c, d;
    guest_init(&c, 4096, WG_CANON_UTF8, "", "own<0>", make_body);
    guest_init(&d, 4096, WG_CANON_UTF8, "", "", noop_body);
    d.rtypes[0] = &c.rt; /* $D imports $C's R */
    wg_cfunctype mk = ct_functype(&d.arena, "", "own<0>");
    wg_cfunctype gr = ct_functype(&d.arena, "borrow<0>", "u32");
    wg_cfunctype bt = ct_functype(&d.arena, "borrow<0>;own<0>", "u32");
    wg_cfunctype c_gr = ct_functype(&c.arena, "borrow<0>", "u32");
    wg_cfunctype c_bt = ct_functype(&c.arena, "borrow<0>;own<0>", "u32");
    wg_canon_lifted c_get = c.lifted, c_take = c.lifted;
    c_get.ft = &c_gr;
    c_take.ft = &c_bt;
    /* The three exports share $C's instance and memory; c.body picks the code. */
    static body_fn bodies[3];
    bodies[0] = make_body, bodies[1] = get_rep_body, bodies[2] = take_body;
    wg_canon_opts dopts = ct_opts(&d.mem, WG_CANON_UTF8, false);
    wg_canon_lowered make = {.ft = &mk, .opts = dopts, .inst = &d.inst,
                             .callee = wg__canon_func_lifted, .callee_data = &c.lifted};
    wg_canon_lowered get = {.ft = &gr, .opts = dopts, .inst = &d.inst,
                            .callee = wg__canon_func_lifted, .callee_data = &c_get};
    wg_canon_lowered take = {.ft = &bt, .opts = dopts, .inst = &d.inst,
                             .callee = wg__canon_func_lifted, .callee_data = &c_take};
    wg_trap trap;
    uint64_t s[2];
    /* make: the own moves from $C's table into $D's. */
    c.body = bodies[0];
    CHECK(wg__canon_call_lowered(&make, s, 0, 1, &trap) && s[0] == 1);
    CHECK(c.inst.handles.a[1].rt == NULL && d.inst.handles.a[1].own && d.inst.handles.a[1].rep == 0x41);
    /* get-rep(h) twice: $C gets the rep; the lend ends with the call. */
    c.body = bodies[1];
    s[0] = 1;
    CHECK(wg__canon_call_lowered(&get, s, 1, 1, &trap) && s[0] == 0x41);
    CHECK(d.inst.handles.a[1].num_lends == 0 && c.inst.may_enter);
    s[0] = 1;
    CHECK(wg__canon_call_lowered(&get, s, 1, 1, &trap) && s[0] == 0x41);
    /* A second one, consumed by borrow-and-take(h1, h2): the dtor runs in $C. */
    c.body = bodies[0];
    CHECK(wg__canon_call_lowered(&make, s, 0, 1, &trap) && s[0] == 2);
    c.body = bodies[2];
    uint64_t s2[2] = {1, 2};
    CHECK(wg__canon_call_lowered(&take, s2, 2, 1, &trap) && s2[0] == 0x41);
    CHECK(c.dtor_calls == 1 && c.last_dtor_rep == 0x42 && d.inst.handles.a[2].rt == NULL);
    /* $D drops its own: $C's destructor, entered from $D. */
    CHECK(wg__canon_resource_drop(&d.inst, &c.rt, 1, &trap));
    CHECK(c.dtor_calls == 2 && c.last_dtor_rep == 0x41 && c.inst.may_enter);
    /* lend-trap: borrow h and move h in one call. */
    c.body = bodies[0];
    CHECK(wg__canon_call_lowered(&make, s, 0, 1, &trap) && s[0] == 1);
    c.body = bodies[2];
    uint64_t s3[2] = {1, 1};
    CHECK_TRAP(wg__canon_call_lowered(&take, s3, 2, 1, &trap), trap,
               "cannot remove owned resource while borrowed");
    guest_fini(&c);
    guest_fini(&d);
}

/* transcode.wast case 1, callee side ($C, utf8): expects "hö☃🍰", answers "ok☃🍰". */
static bool join_body(guest *g, uint64_t *slots, uint32_t nargs, uint32_t nresults, wg_trap *trap) {
    CHECK(nargs == 2 && nresults == 1);
    static const char want[] = "h\xc3\xb6\xe2\x98\x83\xf0\x9f\x8d\xb0";
    if (slots[1] != 10 || memcmp(g->mem.buf + slots[0], want, 10) != 0)
        return wg__canon_trapf(trap, "unreachable");
    memcpy(g->mem.buf + 64, "ok\xe2\x98\x83\xf0\x9f\x8d\xb0", 9);
    st32(g, 0, 64);
    st32(g, 4, 9);
    slots[0] = 0;
    return true;
}

WG_TEST(components_transcode_strings) {
    guest c, d;
    guest_init(&c, 65536, WG_CANON_UTF8, "string", "string", join_body);
    guest_init(&d, 65536, WG_CANON_UTF16, "", "", noop_body);
    wg_cfunctype jt = ct_functype(&d.arena, "string", "string");
    wg_canon_lowered join = {.ft = &jt, .opts = ct_opts(&d.mem, WG_CANON_UTF16, false), .inst = &d.inst,
                             .callee = wg__canon_func_lifted, .callee_data = &c.lifted};
    static const uint8_t arg[] = {0x68, 0, 0xf6, 0, 0x03, 0x26, 0x3c, 0xd8, 0x70, 0xdf};
    memcpy(d.mem.buf + 16, arg, sizeof arg);
    uint64_t s[3] = {16, 5, 8};
    wg_trap trap;
    CHECK(wg__canon_call_lowered(&join, s, 3, 0, &trap));
    /* "ok☃🍰" in UTF-16: 006F 006B 2603 D83C DF70 */
    uint32_t p = ld32(&d, 8);
    static const uint8_t want[] = {0x6f, 0, 0x6b, 0, 0x03, 0x26, 0x3c, 0xd8, 0x70, 0xdf};
    CHECK(ld32(&d, 12) == 5 && memcmp(d.mem.buf + p, want, 10) == 0);
    /* The utf16 -> utf8 lowering into $C sized its realloc calls from the
     * source's 5 code units (allocate 5, grow to 15, shrink to 10), and
     * utf8 -> utf16 into $D from 9 bytes (allocate 18, shrink to 10). */
    CHECK(c.mem.ncalls == 3 && c.mem.calls[0].new_size == 5 && c.mem.calls[1].new_size == 15 &&
          c.mem.calls[2].new_size == 10);
    CHECK(d.mem.ncalls == 2 && d.mem.calls[0].new_size == 18 && d.mem.calls[1].new_size == 10);
    CHECK(c.post_calls == 1 && c.inst.may_enter && d.inst.may_leave);
    guest_fini(&c);
    guest_fini(&d);
}

WG_TEST(results_reach_the_caller_before_post_return) {
    guest c, d;
    guest_init(&c, 65536, WG_CANON_UTF8, "string", "string", join_body);
    guest_init(&d, 65536, WG_CANON_UTF16, "", "", noop_body);
    c.other = &d;
    wg_cfunctype jt = ct_functype(&d.arena, "string", "string");
    wg_canon_lowered join = {.ft = &jt, .opts = ct_opts(&d.mem, WG_CANON_UTF16, false), .inst = &d.inst,
                             .callee = wg__canon_func_lifted, .callee_data = &c.lifted};
    static const uint8_t arg[] = {0x68, 0, 0xf6, 0, 0x03, 0x26, 0x3c, 0xd8, 0x70, 0xdf};
    memcpy(d.mem.buf + 16, arg, sizeof arg);
    uint64_t s[3] = {16, 5, 8};
    wg_trap trap;
    CHECK(wg__canon_call_lowered(&join, s, 3, 0, &trap));
    CHECK(c.post_calls == 1 && c.seen[0] == 5);
    guest_fini(&c);
    guest_fini(&d);
}

static bool take_own_body(guest *g, uint64_t *slots, uint32_t nargs, uint32_t nresults, wg_trap *trap) {
    (void)nresults, (void)trap;
    CHECK(nargs == 1);
    g->seen[g->nseen++ % 20] = slots[0];
    return true;
}

WG_TEST(callee_entry_is_checked_before_arguments_are_lifted) {
    guest c, d;
    guest_init(&c, 4096, WG_CANON_UTF8, "own<0>", "", take_own_body);
    guest_init(&d, 4096, WG_CANON_UTF8, "", "", noop_body);
    d.rtypes[0] = &c.rt;
    wg_cfunctype ft = ct_functype(&d.arena, "own<0>", "");
    wg_canon_lowered give = {.ft = &ft, .opts = ct_opts(&d.mem, WG_CANON_UTF8, false), .inst = &d.inst,
                             .callee = wg__canon_func_lifted, .callee_data = &c.lifted};
    wg_trap trap;
    uint32_t h;
    wg_canon_handle own = {.rt = &c.rt, .rep = 5, .own = true};
    CHECK(wg__canon_table_add(&d.inst.handles, &own, &h, &trap) && h == 1);
    /* $C is on the stack: the call traps before the own leaves $D's table
     * (the reference lifts arguments in on_start, after Store.lift's check). */
    c.inst.may_enter = false;
    uint64_t s[1] = {1};
    CHECK_TRAP(wg__canon_call_lowered(&give, s, 1, 0, &trap), trap, "cannot enter component instance");
    CHECK(d.inst.handles.a[1].rt == &c.rt && c.calls == 0);
    c.inst.may_enter = true;
    s[0] = 1;
    CHECK(wg__canon_call_lowered(&give, s, 1, 0, &trap));
    CHECK(d.inst.handles.a[1].rt == NULL && c.seen[0] == 1 && c.inst.handles.a[1].own &&
          c.inst.handles.a[1].rep == 5);
    guest_fini(&c);
    guest_fini(&d);
}

static bool lazy_host(void *data, wg_canon_inst *caller, wg_canon_io *io, wg_trap *trap) {
    (void)caller, (void)io, (void)trap;
    (*(int *)data)++;
    return true;
}

WG_TEST(host_functions_may_skip_start_and_resolve) {
    guest d;
    guest_init(&d, 4096, WG_CANON_UTF8, "", "", noop_body);
    int called = 0;
    wg_cfunctype ft = ct_functype(&d.arena, "string;own<0>", "");
    wg_canon_lowered f = {.ft = &ft, .opts = ct_opts(&d.mem, WG_CANON_UTF8, false), .inst = &d.inst,
                          .callee = lazy_host, .callee_data = &called};
    wg_trap trap;
    uint32_t h;
    CHECK(wg__canon_resource_new(&d.inst, &d.rt, 9, &h, &trap));
    memcpy(d.mem.buf, "hi", 2);
    uint64_t s[3] = {0, 2, h};
    /* The arguments are still lifted (the own leaves the table); no result. */
    CHECK(wg__canon_call_lowered(&f, s, 3, 0, &trap) && called == 1);
    CHECK(d.inst.handles.a[h].rt == NULL);
    /* Invalid arguments still trap. */
    s[0] = 4095, s[1] = 2;
    CHECK_TRAP(wg__canon_call_lowered(&f, s, 3, 0, &trap), trap, "string content out-of-bounds");
    /* A function with a result must give one. */
    wg_cfunctype ft2 = ct_functype(&d.arena, "", "u8");
    f.ft = &ft2;
    CHECK_TRAP(wg__canon_call_lowered(&f, s, 0, 1, &trap), trap, "returned no result");
    guest_fini(&d);
}

WG_TEST_MAIN()
