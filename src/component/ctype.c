/*
 * Canonical ABI layout of component value types (ctype.h): alignment,
 * element size and flattening, exactly as CanonicalABI.md's "Alignment",
 * "Element Size" and "Flattening" (definitions.py alignment, elem_size,
 * flatten_type), computed once per type from its children; and structural
 * type equality.
 */
#include "component/ctype.h"

#include <string.h>

#include "wasmgate/wasmgate.h"

/* elem_size must stay below 2^28 (Binary.md, defvaltype). */
#define SIZE_LIMIT ((uint64_t)1 << 28)

uint32_t wg__ctype_disc_size(uint32_t ncases) {
    if (ncases <= 1u << 8) return 1;
    if (ncases <= 1u << 16) return 2;
    return 4;
}

static uint64_t align_to(uint64_t n, uint32_t a) {
    return (n + a - 1) / a * a;
}

/* definitions.py join(): the flat type two variant cases share. */
static uint8_t join(uint8_t a, uint8_t b) {
    if (a == b) return a;
    if ((a == WG_I32 && b == WG_F32) || (a == WG_F32 && b == WG_I32)) return WG_I32;
    return WG_I64;
}

/* Appends n flat types to l (marking overflow past WG_CT_FLAT_MAX). */
static void push_flat(wg_clayout *l, const uint8_t *types, uint32_t n) {
    if (l->nflat > WG_CT_FLAT_MAX) return;
    if (l->nflat + n > WG_CT_FLAT_MAX) {
        l->nflat = WG_CT_FLAT_MAX + 1;
        return;
    }
    memcpy(l->flat + l->nflat, types, n);
    l->nflat += n;
}

static void leaf(wg_clayout *l, uint32_t size, uint8_t flat) {
    l->size = size;
    l->align = size;
    l->nflat = 1;
    l->flat[0] = flat;
}

/* The layout of a record of n members (types ts[i], or fields[i].type). */
static bool record(wg_clayout *l, int p, const wg_cfield *fields, uint32_t n) {
    uint64_t s = 0;
    uint32_t a = 1;
    for (uint32_t i = 0; i < n; i++) {
        const wg_clayout *f = &fields[i].type->layout[p];
        s = align_to(s, f->align) + f->size;
        if (f->align > a) a = f->align;
        if (f->nflat > WG_CT_FLAT_MAX) l->nflat = WG_CT_FLAT_MAX + 1;
        else push_flat(l, f->flat, f->nflat);
        if (s >= SIZE_LIMIT) return false;
    }
    l->align = a;
    s = align_to(s, a);
    if (s >= SIZE_LIMIT) return false;
    l->size = (uint32_t)s;
    return true;
}

/* The payload type of case i of a variant, option or result (NULL: none). */
static const wg_ctype *case_type(const wg_ctype *t, uint32_t i) {
    switch (t->kind) {
    case WG_CT_OPTION: return i ? t->elem : NULL;
    case WG_CT_RESULT: return i ? t->elem2 : t->elem;
    case WG_CT_VARIANT: return t->fields[i].type;
    default: return NULL;
    }
}

/* The layout of variant-like t with n cases. */
static bool variant(wg_clayout *l, int p, const wg_ctype *t, uint32_t n) {
    uint32_t ds = wg__ctype_disc_size(n);
    uint32_t a = 1;
    uint64_t cs = 0;
    uint8_t flat[WG_CT_FLAT_MAX];
    uint32_t nflat = 0;
    bool over = false;
    for (uint32_t i = 0; i < n; i++) {
        const wg_ctype *ct = case_type(t, i);
        if (!ct) continue;
        const wg_clayout *c = &ct->layout[p];
        if (c->align > a) a = c->align;
        if (c->size > cs) cs = c->size;
        if (c->nflat > WG_CT_FLAT_MAX - 1) {
            over = true;
            continue;
        }
        for (uint32_t k = 0; k < c->nflat; k++) {
            if (k < nflat) flat[k] = join(flat[k], c->flat[k]);
            else flat[nflat++] = c->flat[k];
        }
    }
    uint64_t s = align_to(ds, a) + cs;
    if (ds > a) a = ds;
    s = align_to(s, a);
    if (s >= SIZE_LIMIT) return false;
    l->size = (uint32_t)s;
    l->align = a;
    uint8_t disc = WG_I32;
    push_flat(l, &disc, 1);
    if (over || nflat + 1 > WG_CT_FLAT_MAX) l->nflat = WG_CT_FLAT_MAX + 1;
    else push_flat(l, flat, nflat);
    return true;
}

static bool layout_for(wg_ctype *t, int p) {
    wg_clayout *l = &t->layout[p];
    memset(l, 0, sizeof *l);
    uint8_t ptr = p ? WG_I64 : WG_I32;
    uint32_t psize = p ? 8 : 4;
    switch (t->kind) {
    case WG_CT_BOOL: case WG_CT_S8: case WG_CT_U8:
        leaf(l, 1, WG_I32);
        return true;
    case WG_CT_S16: case WG_CT_U16:
        leaf(l, 2, WG_I32);
        return true;
    case WG_CT_S32: case WG_CT_U32: case WG_CT_CHAR: case WG_CT_OWN: case WG_CT_BORROW:
    case WG_CT_ERROR_CONTEXT: case WG_CT_STREAM: case WG_CT_FUTURE:
        leaf(l, 4, WG_I32);
        return true;
    case WG_CT_S64: case WG_CT_U64:
        leaf(l, 8, WG_I64);
        return true;
    case WG_CT_F32:
        leaf(l, 4, WG_F32);
        return true;
    case WG_CT_F64:
        leaf(l, 8, WG_F64);
        return true;
    case WG_CT_FLAGS:
        leaf(l, t->n <= 8 ? 1 : t->n <= 16 ? 2 : 4, WG_I32);
        return true;
    case WG_CT_STRING:
    case WG_CT_MAP:
        l->size = 2 * psize;
        l->align = psize;
        l->nflat = 2;
        l->flat[0] = l->flat[1] = ptr;
        return true;
    case WG_CT_LIST: {
        if (t->n == 0) {
            l->size = 2 * psize;
            l->align = psize;
            l->nflat = 2;
            l->flat[0] = l->flat[1] = ptr;
            return true;
        }
        const wg_clayout *e = &t->elem->layout[p];
        uint64_t s = (uint64_t)t->n * e->size;
        if (s >= SIZE_LIMIT) return false;
        l->size = (uint32_t)s;
        l->align = e->align;
        for (uint32_t i = 0; i < t->n && l->nflat <= WG_CT_FLAT_MAX; i++) {
            if (e->nflat > WG_CT_FLAT_MAX) l->nflat = WG_CT_FLAT_MAX + 1;
            else push_flat(l, e->flat, e->nflat);
        }
        return true;
    }
    case WG_CT_RECORD:
    case WG_CT_TUPLE:
        return record(l, p, t->fields, t->n);
    case WG_CT_VARIANT:
        return variant(l, p, t, t->n);
    case WG_CT_OPTION:
    case WG_CT_RESULT:
        return variant(l, p, t, 2);
    case WG_CT_ENUM:
        l->size = l->align = wg__ctype_disc_size(t->n);
        l->nflat = 1;
        l->flat[0] = WG_I32;
        return true;
    }
    return false;
}

/* Whether a child type mentions a borrow / a resource / a stream or future. */
static void inherit(wg_ctype *t, const wg_ctype *c) {
    if (!c) return;
    t->has_borrow |= c->has_borrow;
    t->has_resource |= c->has_resource;
    t->has_async |= c->has_async;
}

bool wg__ctype_layout(wg_ctype *t) {
    t->has_borrow = t->kind == WG_CT_BORROW;
    t->has_resource = t->kind == WG_CT_OWN || t->kind == WG_CT_BORROW;
    t->has_async = t->kind == WG_CT_STREAM || t->kind == WG_CT_FUTURE;
    inherit(t, t->elem);
    inherit(t, t->elem2);
    if (t->fields)
        for (uint32_t i = 0; i < t->n; i++) inherit(t, t->fields[i].type);
    return layout_for(t, 0) && layout_for(t, 1);
}

static bool str_eq(const char *a, const char *b) {
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool wg__ctype_equal(const wg_ctype *a, const wg_ctype *b) {
    if (a == b) return true;
    if (!a || !b || a->kind != b->kind || a->n != b->n) return false;
    switch (a->kind) {
    case WG_CT_OWN: case WG_CT_BORROW:
        return a->resource == b->resource;
    case WG_CT_ENUM: case WG_CT_FLAGS:
        for (uint32_t i = 0; i < a->n; i++)
            if (!str_eq(a->labels[i], b->labels[i])) return false;
        return true;
    case WG_CT_RECORD: case WG_CT_TUPLE: case WG_CT_VARIANT:
        for (uint32_t i = 0; i < a->n; i++)
            if (!str_eq(a->fields[i].name, b->fields[i].name) ||
                !wg__ctype_equal(a->fields[i].type, b->fields[i].type))
                return false;
        return true;
    default:
        return wg__ctype_equal(a->elem, b->elem) && wg__ctype_equal(a->elem2, b->elem2);
    }
}
