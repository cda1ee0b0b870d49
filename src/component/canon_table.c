/*
 * Handle tables (definitions.py Table): index 0 reserved, freed indices
 * reused last-freed first (the reference's free list is a stack), at most
 * max_len entries (Table.MAX_LENGTH, lowered by tests to reach the limit
 * without allocating 2^28 entries). The free list threads through the free
 * entries themselves.
 */
#include <stdlib.h>

#include "component/canon_int.h"

void wg__canon_inst_init(wg_canon_inst *inst, wg_canon_inst *parent,
                         const wg_rtype *const *rtypes, uint32_t nrtypes) {
    *inst = (wg_canon_inst){
        .handles = {.max_len = WG_CANON_TABLE_MAX},
        .parent = parent,
        .may_enter = true,
        .may_leave = true,
        .rtypes = rtypes,
        .nrtypes = nrtypes,
    };
}

void wg__canon_inst_fini(wg_canon_inst *inst) {
    if (!inst) return;
    free(inst->handles.a);
    inst->handles.a = NULL;
    inst->handles.len = inst->handles.cap = inst->handles.free_top = 0;
}

wg_canon_handle *wg__canon_table_get(wg_canon_table *t, uint32_t i, wg_trap *trap) {
    if (i >= t->len || !t->a[i].rt) {
        wg__canon_trapf(trap, TM_UNKNOWN_HANDLE, i);
        return NULL;
    }
    return &t->a[i];
}

bool wg__canon_table_add(wg_canon_table *t, const wg_canon_handle *h, uint32_t *index,
                         wg_trap *trap) {
    uint32_t i;
    if (t->free_top) {
        i = t->free_top;
        t->free_top = t->a[i].next_free;
    } else {
        if (t->len == 0) t->len = 1; /* index 0 is reserved (never handed out) */
        i = t->len;
        if (i > t->max_len) return wg__canon_trapf(trap, TM_TABLE_FULL, t->max_len);
        if (i >= t->cap) {
            uint32_t cap = t->cap ? t->cap * 2 : 8;
            if (cap > t->max_len + 1u || cap < t->cap) cap = t->max_len + 1u;
            wg_canon_handle *a = realloc(t->a, (size_t)cap * sizeof *a);
            if (!a) return wg__canon_oom(trap);
            if (t->cap == 0) a[0] = (wg_canon_handle){0};
            t->a = a;
            t->cap = cap;
        }
        t->len++;
    }
    t->a[i] = *h;
    t->a[i].next_free = 0;
    *index = i;
    return true;
}

bool wg__canon_table_remove(wg_canon_table *t, uint32_t i, wg_canon_handle *out,
                            wg_trap *trap) {
    wg_canon_handle *h = wg__canon_table_get(t, i, trap);
    if (!h) return false;
    *out = *h;
    *h = (wg_canon_handle){.next_free = t->free_top};
    t->free_top = i;
    return true;
}
