/*
 * Handle tables and resources (canon_table.c, canon_handle.c,
 * canon_resource.c): index allocation and reuse as the reference's Table
 * does it, exhaustion at a lowered MAX_LENGTH, resource.new / rep / drop
 * with destructors, the handle-table.wast and borrows.wast traps (unknown
 * index, wrong type, dropping or moving a lent own), may_leave, the entering
 * set of a destructor call, and one table per instance.
 */
#include "canon_test_util.h"
#include "component/canon_int.h"

static wg_canon_handle own_of(const wg_rtype *rt, uint32_t rep) {
    return (wg_canon_handle){.rt = rt, .rep = rep, .own = true};
}

WG_TEST(table_indices_as_the_reference) {
    wg_rtype r = wg__rtype_make("R", NULL, (wg_canon_core){0});
    wg_canon_inst inst;
    wg__canon_inst_init(&inst, NULL, NULL, 0);
    wg_trap trap;
    uint32_t i;
    wg_canon_handle h = own_of(&r, 7), out;
    for (uint32_t k = 1; k <= 3; k++) {
        CHECK(wg__canon_table_add(&inst.handles, &h, &i, &trap));
        CHECK_EQ_INT(i, k); /* index 0 is never handed out */
    }
    CHECK(wg__canon_table_remove(&inst.handles, 2, &out, &trap) && out.rep == 7);
    CHECK(wg__canon_table_remove(&inst.handles, 1, &out, &trap));
    /* Last freed, first reused (the reference's free list is a stack). */
    CHECK(wg__canon_table_add(&inst.handles, &h, &i, &trap) && i == 1);
    CHECK(wg__canon_table_add(&inst.handles, &h, &i, &trap) && i == 2);
    CHECK(wg__canon_table_add(&inst.handles, &h, &i, &trap) && i == 4);
    /* Unknown indices, in handle-table.wast's words. */
    CHECK(!wg__canon_table_get(&inst.handles, 0, &trap));
    CHECK_STR_CONTAINS(trap.message, "unknown handle index 0");
    CHECK(!wg__canon_table_get(&inst.handles, 5, &trap));
    CHECK_STR_CONTAINS(trap.message, "unknown handle index 5");
    CHECK(!wg__canon_table_get(&inst.handles, UINT32_MAX, &trap));
    CHECK_STR_CONTAINS(trap.message, "unknown handle index 4294967295");
    CHECK(wg__canon_table_remove(&inst.handles, 3, &out, &trap));
    CHECK_TRAP(wg__canon_table_remove(&inst.handles, 3, &out, &trap), trap, "unknown handle index 3");
    wg__canon_inst_fini(&inst);
}

WG_TEST(table_exhaustion) {
    /* MAX_LENGTH is 2^28-1; a lower limit reaches the same code without
     * allocating 2^28 entries. */
    wg_rtype r = wg__rtype_make("R", NULL, (wg_canon_core){0});
    wg_canon_inst inst;
    wg__canon_inst_init(&inst, NULL, NULL, 0);
    CHECK_EQ_INT(inst.handles.max_len, (1u << 28) - 1);
    inst.handles.max_len = 100;
    wg_trap trap;
    uint32_t i, last = 0;
    for (uint32_t k = 0; k < 100; k++) {
        if (!wg__canon_resource_new(&inst, &r, k, &i, &trap)) break;
        last = i;
    }
    CHECK_EQ_INT(last, 100); /* the largest index is MAX_LENGTH itself */
    CHECK_TRAP(wg__canon_resource_new(&inst, &r, 0, &i, &trap), trap, "handle table full");
    CHECK(wg__canon_resource_drop(&inst, &r, 42, &trap));
    CHECK(wg__canon_resource_new(&inst, &r, 0, &i, &trap) && i == 42);
    CHECK_TRAP(wg__canon_resource_new(&inst, &r, 0, &i, &trap), trap, "handle table full");
    CHECK(inst.handles.cap <= 101);
    wg__canon_inst_fini(&inst);
}

typedef struct dtor_log {
    uint32_t calls, last_rep;
    bool fail;
    wg_canon_inst *impl;
    bool impl_may_enter; /* what the implementing instance's flag was during the call */
} dtor_log;

static bool dtor(void *data, uint64_t *slots, uint32_t nargs, uint32_t nresults, wg_trap *trap) {
    dtor_log *l = data;
    CHECK(nargs == 1 && nresults == 0);
    l->calls++;
    l->last_rep = (uint32_t)slots[0];
    if (l->impl) l->impl_may_enter = l->impl->may_enter;
    if (l->fail) return wg__canon_trapf(trap, "dtor trapped");
    return true;
}

WG_TEST(resource_new_rep_drop) {
    dtor_log log = {0};
    wg_canon_inst inst;
    wg__canon_inst_init(&inst, NULL, NULL, 0);
    wg_rtype r1 = wg__rtype_make("R1", &inst, (wg_canon_core){dtor, &log});
    wg_rtype r2 = wg__rtype_make("R2", &inst, (wg_canon_core){0});
    log.impl = &inst;
    wg_trap trap;
    uint32_t i, rep;
    CHECK(wg__canon_resource_new(&inst, &r1, 100, &i, &trap) && i == 1);
    CHECK(wg__canon_resource_rep(&inst, &r1, 1, &rep, &trap) && rep == 100);
    /* handle-table.wast: wrong type, both ways. */
    CHECK_TRAP(wg__canon_resource_rep(&inst, &r2, 1, &rep, &trap), trap,
               "handle index 1 used with the wrong type, expected guest-defined resource but found "
               "a different guest-defined resource");
    CHECK_TRAP(wg__canon_resource_drop(&inst, &r2, 1, &trap), trap, "used with the wrong type");
    /* (The failed drop removed it, as the reference's does: traps are final.) */
    CHECK(wg__canon_resource_new(&inst, &r1, 101, &i, &trap) && i == 1);
    CHECK(wg__canon_resource_drop(&inst, &r1, 1, &trap));
    CHECK(log.calls == 1 && log.last_rep == 101);
    /* The implementation dropping its own resource enters nothing. */
    CHECK(log.impl_may_enter && inst.may_enter);
    CHECK_TRAP(wg__canon_resource_drop(&inst, &r1, 1, &trap), trap, "unknown handle index 1");
    CHECK_TRAP(wg__canon_resource_rep(&inst, &r1, 5, &rep, &trap), trap, "unknown handle index 5");
    /* No destructor: a drop just removes. */
    CHECK(wg__canon_resource_new(&inst, &r2, 5, &i, &trap));
    CHECK(wg__canon_resource_drop(&inst, &r2, i, &trap) && log.calls == 1);
    /* A destructor's trap comes back as it is. */
    log.fail = true;
    CHECK(wg__canon_resource_new(&inst, &r1, 7, &i, &trap));
    CHECK_TRAP(wg__canon_resource_drop(&inst, &r1, i, &trap), trap, "dtor trapped");
    /* may_leave (inside realloc or post-return): new and drop trap, rep does not. */
    CHECK(wg__canon_resource_new(&inst, &r2, 9, &i, &trap));
    inst.may_leave = false;
    CHECK_TRAP(wg__canon_resource_new(&inst, &r2, 0, &i, &trap), trap, "cannot leave component instance");
    CHECK_TRAP(wg__canon_resource_drop(&inst, &r2, i, &trap), trap, "cannot leave component instance");
    CHECK(wg__canon_resource_rep(&inst, &r2, i, &rep, &trap) && rep == 9);
    wg__canon_inst_fini(&inst);
}

WG_TEST(destructor_enters_the_implementation) {
    /* A host-side view of handle-table/borrows: $C implements R, $D holds an own. */
    dtor_log log = {0};
    wg_canon_inst c, d;
    wg__canon_inst_init(&c, NULL, NULL, 0);
    wg__canon_inst_init(&d, NULL, NULL, 0);
    wg_rtype r = wg__rtype_make("R", &c, (wg_canon_core){dtor, &log});
    log.impl = &c;
    wg_trap trap;
    uint32_t i;
    wg_canon_handle h = own_of(&r, 0x41);
    CHECK(wg__canon_table_add(&d.handles, &h, &i, &trap));
    CHECK(wg__canon_resource_drop(&d, &r, i, &trap));
    CHECK(log.calls == 1 && log.last_rep == 0x41 && !log.impl_may_enter && c.may_enter);
    /* $C is on the stack (entered): dropping from $D may not re-enter it,
     * even without a destructor. */
    c.may_enter = false;
    CHECK(wg__canon_table_add(&d.handles, &h, &i, &trap));
    CHECK_TRAP(wg__canon_resource_drop(&d, &r, i, &trap), trap, "cannot enter component instance");
    CHECK(log.calls == 1);
    wg_rtype plain = wg__rtype_make("P", &c, (wg_canon_core){0});
    wg_canon_handle hp = own_of(&plain, 1);
    CHECK(wg__canon_table_add(&d.handles, &hp, &i, &trap));
    CHECK_TRAP(wg__canon_resource_drop(&d, &plain, i, &trap), trap, "cannot enter component instance");
    c.may_enter = true;
    /* A host resource has no instance to enter. */
    wg_rtype host = wg__rtype_make("H", NULL, (wg_canon_core){dtor, &log});
    log.impl = NULL;
    wg_canon_handle hh = own_of(&host, 3);
    CHECK(wg__canon_table_add(&d.handles, &hh, &i, &trap));
    CHECK(wg__canon_resource_drop(&d, &host, i, &trap) && log.calls == 2);
    CHECK_TRAP(wg__canon_resource_rep(&c, &host, i, &(uint32_t){0}, &trap), trap, "unknown handle index");
    wg__canon_inst_fini(&c);
    wg__canon_inst_fini(&d);
}

WG_TEST(entering_set_spans_ancestors) {
    wg_canon_inst root, child, grandchild, other;
    wg__canon_inst_init(&root, NULL, NULL, 0);
    wg__canon_inst_init(&child, &root, NULL, 0);
    wg__canon_inst_init(&grandchild, &child, NULL, 0);
    wg__canon_inst_init(&other, &root, NULL, 0);
    wg_trap trap;
    /* From the host: the callee and all its ancestors are entered. */
    CHECK(wg__canon_enter(&grandchild, NULL, &trap));
    CHECK(!grandchild.may_enter && !child.may_enter && !root.may_enter);
    /* Now nothing under root may be entered from the host ... */
    CHECK_TRAP(wg__canon_enter(&other, NULL, &trap), trap, "cannot enter component instance");
    /* ... but grandchild may call a sibling of its parent's: the entering
     * set of `other` from grandchild is {other} (root is shared). */
    CHECK(wg__canon_enter(&other, &grandchild, &trap) && !other.may_enter);
    wg__canon_leave(&other, &grandchild);
    CHECK(other.may_enter && !root.may_enter);
    /* Into an ancestor the entering set is empty: nothing is checked or set. */
    CHECK(wg__canon_enter(&child, &grandchild, &trap) && !child.may_enter);
    wg__canon_leave(&child, &grandchild);
    CHECK(!child.may_enter);
    wg__canon_leave(&grandchild, NULL);
    CHECK(grandchild.may_enter && child.may_enter && root.may_enter);
    /* A parent calling into its child enters only the child. */
    CHECK(wg__canon_enter(&child, &root, &trap) && !child.may_enter && root.may_enter);
    wg__canon_leave(&child, &root);
    CHECK(wg__canon_check_leave(&root, &trap));
    root.may_leave = false;
    CHECK_TRAP(wg__canon_check_leave(&root, &trap), trap, "cannot leave component instance");
}

/* A cx on instance inst for handles only (no memory). */
static void handle_cx(wg_canon_cx *cx, wg_canon_opts *o, wg_canon_inst *inst,
                      wg_canon_call *scope, wg_trap *trap) {
    *o = (wg_canon_opts){0};
    wg__canon_cx_init(cx, o, inst, scope, trap);
}

WG_TEST(lifting_owns_and_borrows) {
    ct_arena a = {0};
    const wg_ctype *own = ct_parse(&a, "own<0>"), *borrow = ct_parse(&a, "borrow<0>");
    const wg_ctype *own1 = ct_parse(&a, "own<1>");
    wg_canon_inst d;
    wg_rtype r = wg__rtype_make("R", NULL, (wg_canon_core){0});
    wg_rtype r2 = wg__rtype_make("R2", NULL, (wg_canon_core){0});
    const wg_rtype *rts[2] = {&r, &r2};
    wg__canon_inst_init(&d, NULL, rts, 2);
    wg_trap trap;
    wg_canon_opts o;
    wg_canon_call sub;
    wg__canon_call_init(&sub);
    wg_canon_cx cx;
    handle_cx(&cx, &o, &d, &sub, &trap);
    uint32_t h;
    CHECK(wg__canon_resource_new(&d, &r, 0x41, &h, &trap) && h == 1);
    /* borrows.wast lend-trap: borrow h, then move h as an own in the same call. */
    wg_cval b, ow;
    CHECK(wg__canon_lift_handle(&cx, h, borrow, &b));
    CHECK(b.kind == WG_CV_BORROW && b.of.handle.rep == 0x41 && b.of.handle.type == &r);
    CHECK(d.handles.a[h].num_lends == 1);
    CHECK_TRAP(wg__canon_lift_handle(&cx, h, own, &ow), trap, "cannot remove owned resource while borrowed");
    /* A fresh setup: lends are given back when the call resolves. */
    wg__canon_call_fini(&sub);
    wg__canon_inst_fini(&d);
    wg__canon_inst_init(&d, NULL, rts, 2);
    wg__canon_call_init(&sub);
    handle_cx(&cx, &o, &d, &sub, &trap);
    CHECK(wg__canon_resource_new(&d, &r, 0x41, &h, &trap));
    for (int k = 0; k < 6; k++) CHECK(wg__canon_lift_handle(&cx, h, borrow, &b)); /* past the inline 4 */
    CHECK(d.handles.a[h].num_lends == 6);
    CHECK_TRAP(wg__canon_resource_drop(&d, &r, h, &trap), trap, "cannot remove owned resource while borrowed");
    CHECK(wg__canon_resource_new(&d, &r, 0x41, &h, &trap) && h == 1); /* (the trap took it) */
    wg__canon_call_release(&sub);
    wg__canon_call_fini(&sub);
    wg__canon_call_init(&sub);
    CHECK(wg__canon_lift_handle(&cx, h, borrow, &b));
    wg__canon_call_release(&sub);
    CHECK(d.handles.a[h].num_lends == 0);
    /* Moving the own out empties the slot. */
    CHECK(wg__canon_lift_handle(&cx, h, own, &ow) && ow.kind == WG_CV_OWN && ow.of.handle.rep == 0x41);
    CHECK_TRAP(wg__canon_lift_handle(&cx, h, own, &ow), trap, "unknown handle index 1");
    /* A borrow handle is no own; a handle of another type is the wrong type. */
    wg_canon_handle bh = {.rt = &r, .rep = 5, .own = false};
    CHECK(wg__canon_table_add(&d.handles, &bh, &h, &trap));
    CHECK_TRAP(wg__canon_lift_handle(&cx, h, own, &ow), trap, "is a borrow where an own handle is expected");
    CHECK(wg__canon_resource_new(&d, &r, 1, &h, &trap));
    CHECK_TRAP(wg__canon_lift_handle(&cx, h, own1, &ow), trap,
               "expected host-defined resource but found a different host-defined resource");
    /* Borrows need a call to be lent to; unbound slots are reported. */
    CHECK(wg__canon_resource_new(&d, &r, 1, &h, &trap));
    cx.scope = NULL;
    CHECK_TRAP(wg__canon_lift_handle(&cx, h, borrow, &b), trap, "outside of a call");
    const wg_ctype *own7 = ct_parse(&a, "own<7>");
    CHECK_TRAP(wg__canon_lift_handle(&cx, h, own7, &b), trap, "slot 7 is not bound");
    wg__canon_call_fini(&sub);
    wg__canon_inst_fini(&d);
    ct_arena_free(&a);
}

WG_TEST(lowering_borrows_counts_them) {
    ct_arena a = {0};
    const wg_ctype *borrow = ct_parse(&a, "borrow<0>");
    wg_canon_inst c, d;
    wg_rtype r = wg__rtype_make("R", &c, (wg_canon_core){0});
    const wg_rtype *rts[1] = {&r};
    wg__canon_inst_init(&c, NULL, rts, 1);
    wg__canon_inst_init(&d, NULL, rts, 1);
    wg_trap trap;
    wg_canon_opts o;
    wg_canon_call task;
    wg__canon_call_init(&task);
    wg_canon_cx cx;
    wg_cval b = {.kind = WG_CV_BORROW, .of.handle = {0x41, &r}};
    uint32_t i;
    /* Into the implementation: the bare rep, nothing to count. */
    handle_cx(&cx, &o, &c, &task, &trap);
    CHECK(wg__canon_lower_handle(&cx, &b, borrow, &i) && i == 0x41 && task.num_borrows == 0);
    CHECK(c.handles.len <= 1);
    /* Into another instance: a borrow handle the callee must drop. */
    handle_cx(&cx, &o, &d, &task, &trap);
    CHECK(wg__canon_lower_handle(&cx, &b, borrow, &i) && i == 1 && task.num_borrows == 1);
    CHECK(!d.handles.a[1].own && d.handles.a[1].scope == &task);
    uint32_t j;
    CHECK(wg__canon_lower_handle(&cx, &b, borrow, &j) && j == 2 && task.num_borrows == 2);
    CHECK(wg__canon_resource_drop(&d, &r, i, &trap) && task.num_borrows == 1);
    /* Dropped twice: unknown. */
    CHECK_TRAP(wg__canon_resource_drop(&d, &r, i, &trap), trap, "unknown handle index 1");
    /* The call ends with a borrow left: the reference's trap; the handle
     * no longer points at the call. */
    CHECK_TRAP(wg__canon_call_end(&task, &d, &trap), trap, "borrow handles still remain at the end of the call");
    CHECK(d.handles.a[2].scope == NULL);
    CHECK(wg__canon_resource_drop(&d, &r, j, &trap)); /* harmless now */
    wg__canon_call_init(&task);
    CHECK(wg__canon_call_end(&task, &d, &trap));
    cx.scope = NULL;
    CHECK_TRAP(wg__canon_lower_handle(&cx, &b, borrow, &i), trap, "outside of a call");
    wg__canon_call_fini(&task);
    wg__canon_inst_fini(&c);
    wg__canon_inst_fini(&d);
    ct_arena_free(&a);
}

WG_TEST(tables_are_per_instance) {
    /* handle-table.wast: an index from one instance is unknown in a sibling
     * (and in the parent). */
    wg_canon_inst def, u1, u2;
    wg__canon_inst_init(&def, NULL, NULL, 0);
    wg__canon_inst_init(&u1, NULL, NULL, 0);
    wg__canon_inst_init(&u2, &u1, NULL, 0);
    wg_rtype r = wg__rtype_make("R", &def, (wg_canon_core){0});
    wg_trap trap;
    uint32_t i;
    CHECK(wg__canon_resource_new(&u1, &r, 100, &i, &trap) && i == 1);
    CHECK_TRAP(wg__canon_resource_drop(&u2, &r, 1, &trap), trap, "unknown handle index 1");
    CHECK_TRAP(wg__canon_resource_drop(&def, &r, 1, &trap), trap, "unknown handle index 1");
    CHECK(wg__canon_resource_drop(&u1, &r, 1, &trap));
    wg__canon_inst_fini(&def);
    wg__canon_inst_fini(&u1);
    wg__canon_inst_fini(&u2);
}

WG_TEST_MAIN()
