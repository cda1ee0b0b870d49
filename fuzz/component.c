/*
 * libFuzzer target for the component decoder and validator:
 * wg_component_new on arbitrary bytes, then wg_component_free.
 *
 * Besides crashes (ASan/UBSan), it checks the API contract and the
 * representation's invariants: a failure fills wg_error with a kind, a
 * NUL-terminated message and an offset inside the input; a success gives
 * definitions whose index-space entries point back at them, and resource
 * bindings within the component's resource slots.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "component/component_int.h"
#include "wasmgate/component.h"

static void check(int cond) {
    if (!cond) abort(); /* reported by libFuzzer as a crash with a stack */
}

static void walk(const struct wg_component *c, const wg_cdef *d, uint32_t depth) {
    check(depth < 1000);
    check(d->type != NULL);
    for (int s = 0; s < WG_CS_COUNT; s++) {
        for (uint32_t i = 0; i < d->nspace[s]; i++) {
            uint32_t it = d->space[s][i];
            check(it < d->nitems);
            check(d->items[it].sort == s && d->items[it].index == i);
        }
    }
    for (uint32_t i = 0; i < d->nimports; i++) check(d->items[d->imports[i]].kind == WG_CD_IMPORT);
    for (uint32_t i = 0; i < d->nexports; i++) check(d->items[d->exports[i]].kind == WG_CD_EXPORT);
    for (uint32_t i = 0; i < d->nresbinds; i++) {
        const wg_cresbind *rb = &d->resbinds[i];
        check(rb->id < c->nresources);
        if (rb->how == WG_RB_DEFINED) check(rb->index < d->nitems && d->items[rb->index].kind == WG_CD_TYPE);
        else if (rb->how == WG_RB_IMPORT) check(rb->index < d->nimports);
        else check(rb->how == WG_RB_INSTANCE && rb->index < d->nspace[WG_CS_INSTANCE]);
    }
    for (uint32_t i = 0; i < d->nitems; i++) {
        const wg_citem *it = &d->items[i];
        if (it->kind == WG_CD_COMPONENT) {
            check(it->u.component->parent == d);
            walk(c, it->u.component, depth + 1);
        }
        if (it->kind == WG_CD_CORE_MODULE) check(it->u.core_module.module != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    wg_error err;
    memset(&err, 0xA5, sizeof err); /* the callee must fill what it reports */
    wg_component *c = wg_component_new(data, size, &err);
    if (!c) {
        check(err.kind > WG_ERR_NONE && err.kind <= WG_ERR_RESOURCE);
        check(memchr(err.message, '\0', sizeof err.message) != NULL);
        check(err.offset == (size_t)-1 || err.offset <= size);
        return 0;
    }
    walk(c, c->root, 0);
    wg_component_free(c);
    return 0;
}
