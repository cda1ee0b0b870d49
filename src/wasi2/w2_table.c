/*
 * WASI 0.2 per-instance state: the table of objects the guest holds handles
 * to (wasi2_int.h), files shared by descriptors and their streams, the
 * destructor every WASI 0.2 resource type shares, and the start of every
 * host call (w2_enter).
 *
 * The state hangs off the instance's wg_wasi (wg_wasi.p2), made on the
 * first WASI 0.2 call and freed by wg_wasi_free through wg_wasi.p2_free, so
 * an embedder keeps one object per instance whichever WASI it runs. Handles
 * still held when the instance goes are not destroyed by the runtime
 * (component.h): freeing the state closes what they hold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasi2/wasi2_int.h"

static void state_free(wg_wasi *w, void *p) {
    w2_state *st = p;
    if (!st) return;
    for (uint32_t i = 0; i < st->n; i++)
        if (st->objs[i].kind) w2_release(w, st, i + 1);
    free(st->objs);
    free(st);
    w->p2 = NULL;
    w->p2_free = NULL;
}

bool w2_enter(w2_cx *cx, wg_ccall *call, void *data) {
    cx->call = call;
    cx->host = data;
    void *hd = wg_ccall_host_data(call);
    cx->w = cx->host && cx->host->get ? cx->host->get(hd) : hd;
    if (!cx->w) return wg_ccall_trap(call, "WASI is not configured for this instance");
    if (!cx->w->p2) {
        w2_state *st = calloc(1, sizeof *st);
        if (!st) return wg_ccall_trap(call, "wasi: out of memory");
        cx->w->p2 = st;
        cx->w->p2_free = state_free;
    }
    cx->st = cx->w->p2;
    return true;
}

uint32_t w2_new(w2_cx *cx, w2_rt rt, w2_obj **out) {
    w2_state *st = cx->st;
    uint32_t i;
    if (st->free_head) {
        i = st->free_head - 1;
        st->free_head = st->objs[i].next_free;
    } else {
        if (st->n >= W2_MAX_OBJECTS) {
            wg_ccall_trap(cx->call, "wasi: too many resources (%u) held by the instance", st->n);
            return 0;
        }
        if (st->n == st->cap) {
            uint32_t cap = st->cap ? st->cap * 2 : 16;
            w2_obj *grown = realloc(st->objs, (size_t)cap * sizeof *grown);
            if (!grown) {
                wg_ccall_trap(cx->call, "wasi: out of memory");
                return 0;
            }
            st->objs = grown;
            st->cap = cap;
        }
        i = st->n++;
    }
    w2_obj *o = &st->objs[i];
    memset(o, 0, sizeof *o);
    o->kind = (uint8_t)(rt + 1);
    *out = o;
    return i + 1;
}

w2_obj *w2_get(w2_state *st, uint32_t rep, w2_rt rt) {
    if (!st || rep == 0 || rep > st->n) return NULL;
    w2_obj *o = &st->objs[rep - 1];
    return o->kind == rt + 1 ? o : NULL;
}

void w2_free_slot(w2_state *st, uint32_t rep) {
    w2_obj *o = &st->objs[rep - 1];
    memset(o, 0, sizeof *o);
    o->next_free = st->free_head;
    st->free_head = rep;
}

w2_file *w2_file_new(int fd, bool owned, bool charged) {
    w2_file *f = malloc(sizeof *f);
    if (!f) return NULL;
    *f = (w2_file){.fd = fd, .refs = 1, .owned = owned, .charged = charged};
    return f;
}

void w2_file_unref(wg_wasi *w, w2_file *f) {
    if (!f || --f->refs) return;
    if (f->owned && f->fd >= 0) close(f->fd);
    if (f->charged) wg__wasi_fd_uncharge(w);
    free(f);
}

void w2_release(wg_wasi *w, w2_state *st, uint32_t rep) {
    w2_obj *o = &st->objs[rep - 1];
    switch (o->kind - 1) {
    case W2_RT_DESCRIPTOR: w2_file_unref(w, o->u.d.file); break;
    case W2_RT_INPUT:
    case W2_RT_OUTPUT: w2_file_unref(w, o->u.s.file); break;
    case W2_RT_DIR_STREAM: free(o->u.ds.snap); break;
    case W2_RT_POLLABLE: {
        /* A stream's pollable: the stream may be dropped again. */
        uint32_t p = o->u.p.parent;
        if (o->u.p.what == W2_P_STREAM && p && p <= st->n) {
            w2_obj *s = &st->objs[p - 1];
            if ((s->kind == W2_RT_INPUT + 1 || s->kind == W2_RT_OUTPUT + 1) && s->u.s.children)
                s->u.s.children--;
        }
        break;
    }
    default: break;
    }
    w2_free_slot(st, rep);
}

/* Handles are typed by the runtime and every rep is made with its own
 * type's handle (w2_own), so rep names an object of the dropped type. */
bool w2_dtor(wg_ccall *call, uint32_t rep, void *data) {
    w2_cx cx;
    if (!w2_enter(&cx, call, data)) return false;
    if (rep == 0 || rep > cx.st->n || !cx.st->objs[rep - 1].kind)
        return wg_ccall_trap(call, "wasi: drop of an unknown resource (%u)", rep);
    w2_obj *o = &cx.st->objs[rep - 1];
    int k = o->kind - 1;
    if ((k == W2_RT_INPUT || k == W2_RT_OUTPUT) && o->u.s.children)
        return wg_ccall_trap(call, "resource has children: drop the %u pollable%s of this %s first",
                             o->u.s.children, o->u.s.children == 1 ? "" : "s",
                             k == W2_RT_INPUT ? "input-stream" : "output-stream");
    w2_release(cx.w, cx.st, rep);
    return true;
}

bool w2_trap_interrupted(wg_ccall *call) {
    wg_trap t;
    memset(&t, 0, sizeof t);
    t.code = WG_TRAP_INTERRUPTED;
    snprintf(t.message, sizeof t.message, "%s", wg_trap_message(WG_TRAP_INTERRUPTED));
    return wg_ccall_raise(call, &t);
}

bool w2_intr_check(const void *call) {
    return wg_ccall_interrupted(call);
}
