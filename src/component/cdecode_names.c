/*
 * Custom sections: the name must be valid UTF-8 (a malformed name is a
 * decoding error); the payload is not interpreted, except the
 * `component-name` section (Binary.md "Name Section"), whose names are kept
 * for messages and printing. An invalid name section is ignored, as the
 * format requires: nothing in it can make a component fail to load.
 */
#include "component/cdecode.h"

#include <string.h>

#include "util/vec.h"

typedef WG_VEC(wg_cnameent) name_vec;

/* A name with no UTF-8 check: the section is best effort, and names are
 * printed escaped anyway. Plain reads; failures just end the parse. */
static bool raw_name(wg_reader *r, wg_arena *a, wg_cstr *out) {
    uint32_t n;
    const uint8_t *p;
    if (!wg_read_u32(r, &n) || !wg_read_bytes(r, n, &p)) return false;
    char *s = wg__arena_strndup(a, (const char *)p, n);
    if (!s) return false;
    out->s = s;
    out->len = n;
    return true;
}

static bool sort_byte(wg_reader *r, uint8_t *out) {
    uint8_t b, c;
    if (!wg_read_u8(r, &b)) return false;
    switch (b) {
    case 0x00:
        if (!wg_read_u8(r, &c)) return false;
        switch (c) {
        case 0x00: *out = WG_CS_CORE_FUNC; return true;
        case 0x01: *out = WG_CS_CORE_TABLE; return true;
        case 0x02: *out = WG_CS_CORE_MEMORY; return true;
        case 0x03: *out = WG_CS_CORE_GLOBAL; return true;
        case 0x04: *out = WG_CS_CORE_TAG; return true;
        case 0x10: *out = WG_CS_CORE_TYPE; return true;
        case 0x11: *out = WG_CS_CORE_MODULE; return true;
        case 0x12: *out = WG_CS_CORE_INSTANCE; return true;
        default: return false;
        }
    case 0x01: *out = WG_CS_FUNC; return true;
    case 0x02: *out = WG_CS_VALUE; return true;
    case 0x03: *out = WG_CS_TYPE; return true;
    case 0x04: *out = WG_CS_COMPONENT; return true;
    case 0x05: *out = WG_CS_INSTANCE; return true;
    default: return false;
    }
}

/* Parses the name section payload; false if it is invalid (then nothing of
 * it is kept). */
static bool parse(wg_reader r, wg_arena *a, wg_cdef *def) {
    name_vec names = {0};
    wg_cstr cname = {0};
    bool ok = true;
    while (ok && r.p < r.end) {
        uint8_t id;
        uint32_t size;
        if (!wg_read_u8(&r, &id) || !wg_read_u32(&r, &size) ||
            size > (size_t)(r.end - r.p)) {
            ok = false;
            break;
        }
        wg_reader sub = r;
        sub.end = r.p + size;
        r.p += size;
        if (id == 0) {
            ok = raw_name(&sub, a, &cname);
        } else if (id == 1) {
            uint8_t sort;
            uint32_t n;
            ok = sort_byte(&sub, &sort) && wg_read_u32(&sub, &n) && n <= (size_t)(sub.end - sub.p);
            for (uint32_t i = 0; ok && i < n; i++) {
                wg_cnameent e = {.sort = sort};
                ok = wg_read_u32(&sub, &e.idx) && raw_name(&sub, a, &e.name) && WG_VEC_PUSH(names, e);
            }
        }
        /* Unknown subsections are skipped. */
        if (ok && id <= 1 && sub.p != sub.end) ok = false;
    }
    if (ok) {
        wg_cnameent *copy = NULL;
        if (names.len) copy = wg__arena_dup(a, names.data, names.len * sizeof *names.data);
        if (names.len && !copy) ok = false;
        if (ok) {
            def->name = cname;
            def->names = copy;
            def->nnames = names.len;
        }
    }
    WG_VEC_FREE(names);
    return ok;
}

bool wg__cdec_custom(wg_cdec *d, wg_cdef *def) {
    wg_cstr name;
    if (!wg__cdec_name(d, &name)) return false;
    if (name.len == 14 && memcmp(name.s, "component-name", 14) == 0) {
        wg_reader sub = d->r;
        sub.err = NULL;
        (void)parse(sub, d->arena, def);
    }
    d->r.p = d->r.end;
    return true;
}
