/*
 * Resource built-ins (canon resource.new / resource.rep / resource.drop),
 * the reentrance flags (ComponentInstance.may_enter_from / enter_from /
 * leave_to, may_leave) and the borrow scopes of a call (Task.num_borrows on
 * the callee side, Subtask.lenders on the caller side).
 */
#include <stdlib.h>

#include "component/canon_int.h"

/* ---- reentrance ------------------------------------------------------------------ */

static bool in_chain(const wg_canon_inst *x, const wg_canon_inst *chain) {
    for (; chain; chain = chain->parent)
        if (chain == x) return true;
    return false;
}

/* The entering set is callee and its ancestors, less caller and its
 * ancestors: entering a child from its parent only enters the child. */
bool wg__canon_enter(wg_canon_inst *callee, wg_canon_inst *caller, wg_trap *trap) {
    for (const wg_canon_inst *x = callee; x; x = x->parent)
        if (!x->may_enter && !in_chain(x, caller)) return wg__canon_trapf(trap, "%s", TM_ENTER);
    for (wg_canon_inst *x = callee; x; x = x->parent)
        if (!in_chain(x, caller)) x->may_enter = false;
    return true;
}

void wg__canon_leave(wg_canon_inst *callee, wg_canon_inst *caller) {
    for (wg_canon_inst *x = callee; x; x = x->parent)
        if (!in_chain(x, caller)) x->may_enter = true;
}

bool wg__canon_check_leave(const wg_canon_inst *inst, wg_trap *trap) {
    if (inst->may_leave) return true;
    return wg__canon_trapf(trap, "%s", TM_LEAVE);
}

/* ---- borrow scopes -------------------------------------------------------------- */

void wg__canon_call_init(wg_canon_call *c) {
    *c = (wg_canon_call){0};
    c->lenders = c->small;
    c->cap = sizeof c->small / sizeof c->small[0];
}

void wg__canon_call_release(wg_canon_call *c) {
    for (uint32_t i = 0; i < c->nlenders; i++) {
        wg_canon_table *t = &c->lender_inst->handles;
        uint32_t k = c->lenders[i];
        /* After a trap the entry may be gone; never underflow a count. */
        if (k < t->len && t->a[k].rt && t->a[k].num_lends) t->a[k].num_lends--;
    }
    c->nlenders = 0;
}

void wg__canon_call_detach(wg_canon_call *c, wg_canon_inst *callee) {
    if (c->num_borrows == 0) return;
    /* The handles outlive c, which is on its caller's stack: unhook them so
     * a later drop does not write to it. */
    wg_canon_table *t = &callee->handles;
    for (uint32_t i = 1; i < t->len; i++)
        if (t->a[i].rt && t->a[i].scope == c) t->a[i].scope = NULL;
    c->num_borrows = 0;
}

bool wg__canon_call_end(wg_canon_call *c, wg_canon_inst *callee, wg_trap *trap) {
    if (c->num_borrows == 0) return true;
    wg__canon_call_detach(c, callee);
    return wg__canon_trapf(trap, "%s", TM_BORROWS_REMAIN);
}

void wg__canon_call_fini(wg_canon_call *c) {
    if (c->lenders != c->small) free(c->lenders);
    c->lenders = c->small;
    c->nlenders = 0;
}

/* ---- built-ins ------------------------------------------------------------------- */

bool wg__canon_resource_new(wg_canon_inst *inst, const wg_rtype *rt, uint32_t rep,
                            uint32_t *index, wg_trap *trap) {
    if (!wg__canon_check_leave(inst, trap)) return false;
    wg_canon_handle h = {.rt = rt, .rep = rep, .own = true};
    return wg__canon_table_add(&inst->handles, &h, index, trap);
}

bool wg__canon_resource_rep(wg_canon_inst *inst, const wg_rtype *rt, uint32_t index,
                            uint32_t *rep, wg_trap *trap) {
    wg_canon_handle *h = wg__canon_table_get(&inst->handles, index, trap);
    if (!h) return false;
    if (h->rt != rt) return wg__canon_wrong_type(trap, index, rt, h->rt);
    *rep = h->rep;
    return true;
}

bool wg__canon_resource_drop(wg_canon_inst *inst, const wg_rtype *rt, uint32_t index,
                             wg_trap *trap) {
    if (!wg__canon_check_leave(inst, trap)) return false;
    wg_canon_handle h;
    if (!wg__canon_table_remove(&inst->handles, index, &h, trap)) return false;
    if (h.rt != rt) return wg__canon_wrong_type(trap, index, rt, h.rt);
    if (h.num_lends) return wg__canon_trapf(trap, "%s", h.own ? TM_LENT_OWN : TM_LENT_BORROW);
    if (!h.own) {
        if (h.scope) h.scope->num_borrows--;
        return true;
    }
    if (!rt->impl && rt->host_dtor) return rt->host_dtor(rt, inst, h.rep, trap);
    /* The reference calls the destructor through a lift (into the
     * implementing instance) and a lower (from this one): entering the
     * implementation is checked even when there is no destructor. A host
     * resource has no instance to enter. */
    if (rt->impl && !wg__canon_enter(rt->impl, inst, trap)) return false;
    if (rt->dtor.fn) {
        uint64_t slots[1] = {h.rep};
        if (!rt->dtor.fn(rt->dtor.data, slots, 1, 0, trap)) return false;
    }
    if (rt->impl) wg__canon_leave(rt->impl, inst);
    return true;
}
