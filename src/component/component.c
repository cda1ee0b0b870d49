/*
 * wg_component_new / wg_component_free (include/wasmgate/component.h): the
 * decoder (cdecode*.c) builds the definitions, the validator (cvalid*.c)
 * checks them and fills in their types; the result is the immutable
 * wg_component of component_int.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/cdecode.h"
#include "component/cinst.h"
#include "component/cvalid.h"
#include "util/error.h"
#include "wasmgate/component.h"

/* What one compilation may allocate for types and definitions beyond a
 * multiple of its input: validation work (instantiations, substitutions) can
 * allocate in proportion to the component's structure, not its size, and a
 * hostile component must fail cleanly rather than exhaust memory. */
#define ARENA_BASE ((size_t)256 << 20)
#define ARENA_PER_BYTE 64
/* The validator's work budget (cvalid.h, wg_cv.fuel): type nodes visited. */
#define FUEL_BASE ((uint64_t)200 << 20)
#define FUEL_PER_BYTE 256

wg_binary_kind wg_binary_kind_of(const uint8_t *bytes, size_t len) {
    if (!bytes || len < 8 || memcmp(bytes, "\0asm", 4) != 0) return WG_BINARY_UNKNOWN;
    if (bytes[4] == 1 && bytes[5] == 0 && bytes[6] == 0 && bytes[7] == 0) return WG_BINARY_MODULE;
    if (bytes[6] == 1 && bytes[7] == 0) return WG_BINARY_COMPONENT;
    return WG_BINARY_UNKNOWN;
}

void wg__component_free(struct wg_component *c) {
    if (!c) return;
    wg__ciplan_free(c);
    for (uint32_t i = 0; i < c->nmodules; i++) wg_module_free(c->modules[i]);
    free(c->modules);
    wg__arena_free(&c->arena);
    free(c);
}

void wg_component_free(wg_component *c) { wg__component_free(c); }

/* The input is not kept: forget where the core modules' bytes were. */
static void forget_bytes(wg_cdef *def) {
    for (uint32_t i = 0; i < def->nitems; i++) {
        wg_citem *it = &def->items[i];
        if (it->kind == WG_CD_CORE_MODULE) it->u.core_module.bytes = NULL;
        if (it->kind == WG_CD_COMPONENT) forget_bytes(it->u.component);
    }
}

static void report(const wg_cv *cv, wg_error *err) {
    if (cv->sec >= 0)
        wg__error(err, cv->kind, cv->offset, "component section 0x%x (%s), offset 0x%zx: %s", (unsigned)cv->sec,
                  wg__csection_name(cv->sec), cv->offset, cv->msg);
    else
        wg__error(err, cv->kind, cv->offset, "component, offset 0x%zx: %s", cv->offset, cv->msg);
}

wg_component *wg_component_new(const uint8_t *bytes, size_t len, wg_error *err) {
    wg__error_clear(err);
    if (!bytes && len) {
        wg__error(err, WG_ERR_MALFORMED, 0, "component: no bytes");
        return NULL;
    }
    struct wg_component *c = calloc(1, sizeof *c);
    if (!c) {
        wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "out of memory");
        return NULL;
    }
    c->arena.limit = ARENA_BASE + (len < SIZE_MAX / 2 / ARENA_PER_BYTE ? len * ARENA_PER_BYTE : 0);

    static const uint8_t empty[1] = {0};
    const uint8_t *base = bytes ? bytes : empty;
    wg_cdec d;
    memset(&d, 0, sizeof d);
    d.r.p = d.r.base = base;
    d.r.end = base + len;
    d.err = err;
    d.comp = c;
    d.arena = &c->arena;
    d.sec = -1;
    c->root = wg__cdec_component(&d, NULL, 0, len);
    if (!c->root) {
        if (err && err->kind == WG_ERR_NONE) wg__error(err, WG_ERR_MALFORMED, 0, "component: cannot decode");
        wg__component_free(c);
        return NULL;
    }

    wg_cv *cv = calloc(1, sizeof *cv);
    if (!cv) {
        wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "out of memory");
        wg__component_free(c);
        return NULL;
    }
    cv->comp = c;
    cv->arena = &c->arena;
    cv->err = err;
    cv->sec = -1;
    cv->kind = WG_ERR_INVALID;
    cv->fuel = FUEL_BASE + (uint64_t)len * FUEL_PER_BYTE;
    /* Primitive types exist before any temporary (arena-marked) work. */
    for (unsigned code = 0; code < 0x80; code++) (void)wg__cv_prim(cv, (uint8_t)code);
    bool ok = wg__cv_component(cv, c->root);
    if (!ok) report(cv, err);
    free(cv);
    if (!ok) {
        wg__component_free(c);
        return NULL;
    }
    forget_bytes(c->root);
    if (!wg__ciplan_build(c, err)) {
        wg__component_free(c);
        return NULL;
    }
    return c;
}
