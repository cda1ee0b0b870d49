/*
 * own and borrow values (definitions.py lift_own, lift_borrow, lower_own,
 * lower_borrow): handle indices in the instance's table on the guest side,
 * (rep, runtime type) in a wg_cval on the other.
 */
#include <stdlib.h>

#include "component/canon_int.h"

const wg_rtype *wg__canon_slot_type(wg_canon_cx *cx, const wg_ctype *t) {
    const wg_canon_inst *inst = cx->inst;
    if (t->resource < inst->nrtypes && inst->rtypes[t->resource]) return inst->rtypes[t->resource];
    CX_TRAP(cx, "resource type slot %u is not bound in this instance", t->resource);
    return NULL;
}

/* "expected X but found Y" in wasmtime's words, names after them. */
bool wg__canon_wrong_type(wg_trap *trap, uint32_t index, const wg_rtype *want,
                          const wg_rtype *got) {
    const char *w = want->impl ? "guest-defined resource" : "host-defined resource";
    const char *g = got->impl ? "guest-defined resource" : "host-defined resource";
    bool same = !want->impl == !got->impl;
    return wg__canon_trapf(trap,
                           "handle index %u used with the wrong type, expected %s but found %s%s "
                           "(expected `%s`, found `%s`)",
                           index, w, same ? "a different " : "", g,
                           want->name ? want->name : "?", got->name ? got->name : "?");
}

bool wg__canon_lift_handle(wg_canon_cx *cx, uint32_t index, const wg_ctype *t, wg_cval *out) {
    const wg_rtype *rt = wg__canon_slot_type(cx, t);
    if (!rt) return false;
    wg_canon_table *tab = &cx->inst->handles;
    if (t->kind == WG_CT_OWN) {
        /* The reference removes first, then checks. */
        wg_canon_handle h;
        if (!wg__canon_table_remove(tab, index, &h, cx->trap)) return false;
        if (h.rt != rt) return wg__canon_wrong_type(cx->trap, index, rt, h.rt);
        if (h.num_lends) return CX_TRAP(cx, "%s", TM_LENT_OWN);
        if (!h.own) return CX_TRAP(cx, TM_NOT_OWN, index);
        *out = (wg_cval){.kind = WG_CV_OWN, .of.handle = {h.rep, rt}};
        return true;
    }
    wg_canon_call *scope = cx->scope;
    if (!scope) return CX_TRAP(cx, "borrow handle outside of a call");
    wg_canon_handle *h = wg__canon_table_get(tab, index, cx->trap);
    if (!h) return false;
    if (h->rt != rt) return wg__canon_wrong_type(cx->trap, index, rt, h->rt);
    /* Subtask.add_lender: the handle stays put until the call returns. */
    if (scope->nlenders == scope->cap) {
        uint32_t cap = scope->cap * 2;
        uint32_t *a = scope->lenders == scope->small ? malloc(cap * sizeof *a)
                                                     : realloc(scope->lenders, cap * sizeof *a);
        if (!a) return wg__canon_oom(cx->trap);
        if (scope->lenders == scope->small) memcpy(a, scope->small, sizeof scope->small);
        scope->lenders = a;
        scope->cap = cap;
    }
    scope->lenders[scope->nlenders++] = index;
    scope->lender_inst = cx->inst;
    h->num_lends++;
    *out = (wg_cval){.kind = WG_CV_BORROW, .of.handle = {h->rep, rt}};
    return true;
}

bool wg__canon_lower_handle(wg_canon_cx *cx, const wg_cval *v, const wg_ctype *t,
                            uint32_t *index) {
    const wg_rtype *rt = v->of.handle.type; /* wg__canon_check matched it to t */
    wg_canon_handle h = {.rt = rt, .rep = v->of.handle.rep, .own = t->kind == WG_CT_OWN};
    if (t->kind == WG_CT_BORROW) {
        /* A borrow of one of its own resources reaches the implementation as
         * the bare representation. */
        if (rt->impl == cx->inst) {
            *index = v->of.handle.rep;
            return true;
        }
        if (!cx->scope) return CX_TRAP(cx, "borrow handle outside of a call");
        h.scope = cx->scope;
        cx->scope->num_borrows++;
    }
    return wg__canon_table_add(&cx->inst->handles, &h, index, cx->trap);
}
