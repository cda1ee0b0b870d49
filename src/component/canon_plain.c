/*
 * Plain values: types with no pointer, handle or async value inside (bool,
 * numbers, char, enum, flags, and records, tuples, fixed-length lists and
 * variants of those). Such a value lives entirely inside its elem_size
 * bytes, laid out alike for both pointer widths, so moving a list of them
 * from one guest memory to another needs no value tree: the lift's checks
 * (chars, discriminants) run over the source, then the bytes a store would
 * write are copied across (bools normalised, NaNs canonicalised, unknown
 * flag bits cleared, padding and inactive variant payloads left as the
 * destination had them, as the reference's store leaves them).
 *
 * When an element is dense (no padding, no variant payload), the whole list
 * is one memcpy followed by the fix-ups only bools, floats and flags need.
 */
#include "component/canon_int.h"

bool wg__canon_is_plain(const wg_ctype *t) {
    switch (t->kind) {
    case WG_CT_STRING: case WG_CT_MAP: case WG_CT_OWN: case WG_CT_BORROW:
    case WG_CT_STREAM: case WG_CT_FUTURE: case WG_CT_ERROR_CONTEXT:
        return false;
    case WG_CT_LIST:
        return t->n && wg__canon_is_plain(t->elem);
    case WG_CT_RECORD: case WG_CT_TUPLE: case WG_CT_VARIANT:
        for (uint32_t i = 0; i < t->n; i++)
            if (t->fields[i].type && !wg__canon_is_plain(t->fields[i].type)) return false;
        return true;
    case WG_CT_OPTION: case WG_CT_RESULT:
        return (!t->elem || wg__canon_is_plain(t->elem)) && (!t->elem2 || wg__canon_is_plain(t->elem2));
    default:
        return true;
    }
}

/* Whether lifting t can trap (a char or a discriminant inside). */
static bool can_trap(const wg_ctype *t) {
    switch (t->kind) {
    case WG_CT_CHAR: case WG_CT_VARIANT: case WG_CT_ENUM: case WG_CT_OPTION: case WG_CT_RESULT:
        return true;
    case WG_CT_LIST:
        return can_trap(t->elem);
    case WG_CT_RECORD: case WG_CT_TUPLE:
        for (uint32_t i = 0; i < t->n; i++)
            if (can_trap(t->fields[i].type)) return true;
        return false;
    default:
        return false;
    }
}

static uint64_t rd(const uint8_t *p, uint32_t n) {
    switch (n) {
    case 1: return p[0];
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static void wr(uint8_t *p, uint32_t n, uint64_t v) {
    switch (n) {
    case 1: p[0] = (uint8_t)v; break;
    case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
    default: memcpy(p, &v, 8); break;
    }
}

/* The lift's checks over one plain value at p (load's order). */
static bool validate(wg_canon_cx *cx, const uint8_t *p, const wg_ctype *t) {
    const wg_clayout *l = &t->layout[0];
    switch (t->kind) {
    case WG_CT_CHAR: {
        uint32_t c = (uint32_t)rd(p, 4);
        if (c >= 0x110000 || (c >= 0xD800 && c <= 0xDFFF)) return CX_TRAP(cx, TM_CHAR, c);
        return true;
    }
    case WG_CT_LIST:
        for (uint32_t i = 0; i < t->n; i++)
            if (!validate(cx, p + (uint64_t)i * t->elem->layout[0].size, t->elem)) return false;
        return true;
    case WG_CT_RECORD: case WG_CT_TUPLE: {
        uint64_t off = 0;
        for (uint32_t i = 0; i < t->n; i++) {
            const wg_clayout *f = &t->fields[i].type->layout[0];
            off = align_up(off, f->align);
            if (!validate(cx, p + off, t->fields[i].type)) return false;
            off += f->size;
        }
        return true;
    }
    case WG_CT_VARIANT: case WG_CT_ENUM: case WG_CT_OPTION: case WG_CT_RESULT: {
        uint32_t n = ct_ncases(t);
        uint64_t d = rd(p, wg__ctype_disc_size(n));
        if (d >= n) return CX_TRAP(cx, TM_DISC, (unsigned long long)d, n);
        const wg_ctype *ct = ct_case(t, (uint32_t)d);
        return !ct || validate(cx, p + l->align, ct);
    }
    default:
        return true;
    }
}

bool wg__canon_plain_validate(wg_canon_cx *cx, const uint8_t *p, uint64_t n, const wg_ctype *t) {
    if (!can_trap(t)) return true;
    uint32_t size = t->layout[0].size;
    for (uint64_t i = 0; i < n; i++)
        if (!validate(cx, p + i * size, t)) return false;
    return true;
}

/* store(load(src)) for one validated plain value. */
static void copy1(uint8_t *dst, const uint8_t *src, const wg_ctype *t) {
    const wg_clayout *l = &t->layout[0];
    switch (t->kind) {
    case WG_CT_BOOL: dst[0] = src[0] != 0; return;
    case WG_CT_F32: wr(dst, 4, wg__canon_f32_bits((uint32_t)rd(src, 4))); return;
    case WG_CT_F64: wr(dst, 8, wg__canon_f64_bits(rd(src, 8))); return;
    case WG_CT_FLAGS: {
        uint64_t v = rd(src, l->size);
        if (t->n < 32) v &= (1u << t->n) - 1;
        wr(dst, l->size, v);
        return;
    }
    case WG_CT_LIST:
        for (uint32_t i = 0; i < t->n; i++) {
            uint64_t o = (uint64_t)i * t->elem->layout[0].size;
            copy1(dst + o, src + o, t->elem);
        }
        return;
    case WG_CT_RECORD: case WG_CT_TUPLE: {
        uint64_t off = 0;
        for (uint32_t i = 0; i < t->n; i++) {
            const wg_clayout *f = &t->fields[i].type->layout[0];
            off = align_up(off, f->align);
            copy1(dst + off, src + off, t->fields[i].type);
            off += f->size;
        }
        return;
    }
    case WG_CT_VARIANT: case WG_CT_ENUM: case WG_CT_OPTION: case WG_CT_RESULT: {
        uint32_t ds = wg__ctype_disc_size(ct_ncases(t));
        uint64_t d = rd(src, ds);
        wr(dst, ds, d);
        const wg_ctype *ct = ct_case(t, (uint32_t)d);
        if (ct) copy1(dst + l->align, src + l->align, ct);
        return;
    }
    default: /* integers, char */
        memcpy(dst, src, l->size);
        return;
    }
}

/* The leaves of a plain type without variant payloads: byte runs copied as
 * they are, and the ones a store rewrites. */
enum { RUN, BOOL8, F32, F64, FLAGS };
typedef struct leaf {
    uint32_t off, size;
    uint8_t op;
    uint32_t mask;
} leaf;
#define MAX_LEAVES 32

static bool leaves(const wg_ctype *t, uint32_t off, leaf *out, uint32_t *n) {
    const wg_clayout *l = &t->layout[0];
    leaf x = {off, l->size, RUN, 0};
    switch (t->kind) {
    case WG_CT_BOOL: x.op = BOOL8; break;
    case WG_CT_F32: x.op = F32; break;
    case WG_CT_F64: x.op = F64; break;
    case WG_CT_FLAGS:
        if (t->n < 8 * l->size) x.op = FLAGS, x.mask = (1u << t->n) - 1;
        break;
    case WG_CT_LIST:
        for (uint32_t i = 0; i < t->n; i++)
            if (!leaves(t->elem, off + i * t->elem->layout[0].size, out, n)) return false;
        return true;
    case WG_CT_RECORD: case WG_CT_TUPLE: {
        uint32_t o = off;
        for (uint32_t i = 0; i < t->n; i++) {
            const wg_clayout *f = &t->fields[i].type->layout[0];
            o = (uint32_t)align_up(o, f->align);
            if (!leaves(t->fields[i].type, o, out, n)) return false;
            o += f->size;
        }
        return true;
    }
    case WG_CT_VARIANT: case WG_CT_OPTION: case WG_CT_RESULT:
        for (uint32_t i = 0; i < ct_ncases(t); i++)
            if (ct_case(t, i)) return false; /* a payload: copy1 decides per value */
        x.size = wg__ctype_disc_size(ct_ncases(t));
        break;
    case WG_CT_ENUM:
        break;
    default:
        break;
    }
    /* Runs that touch merge. */
    if (x.op == RUN && *n && out[*n - 1].op == RUN && out[*n - 1].off + out[*n - 1].size == x.off) {
        out[*n - 1].size += x.size;
        return true;
    }
    if (*n == MAX_LEAVES) return false;
    out[(*n)++] = x;
    return true;
}

/* Rewrites leaf x (not a RUN) of each of n elements of size bytes at dst:
 * one tight strided loop per leaf. */
static void fix_all(uint8_t *dst, uint64_t n, uint32_t size, const leaf *x) {
    uint8_t *p = dst + x->off;
    switch (x->op) {
    case BOOL8:
        for (uint64_t i = 0; i < n; i++, p += size) p[0] = p[0] != 0;
        break;
    case F32: /* NaNs are rare: write only those */
        for (uint64_t i = 0; i < n; i++, p += size) {
            uint32_t b;
            memcpy(&b, p, 4);
            if (__builtin_expect((b & 0x7fffffffu) > 0x7f800000u, 0)) {
                b = 0x7fc00000u;
                memcpy(p, &b, 4);
            }
        }
        break;
    case F64:
        for (uint64_t i = 0; i < n; i++, p += size) {
            uint64_t b;
            memcpy(&b, p, 8);
            if (__builtin_expect((b & 0x7fffffffffffffffull) > 0x7ff0000000000000ull, 0)) {
                b = 0x7ff8000000000000ull;
                memcpy(p, &b, 8);
            }
        }
        break;
    case FLAGS:
        for (uint64_t i = 0; i < n; i++, p += size) wr(p, x->size, rd(p, x->size) & x->mask);
        break;
    default:
        break;
    }
}

/* Copies leaf x of each of n elements (padding around it left alone). */
static void copy_all(uint8_t *dst, const uint8_t *src, uint64_t n, uint32_t size, const leaf *x) {
    uint8_t *d = dst + x->off;
    const uint8_t *s = src + x->off;
    switch (x->size) {
    case 1: for (uint64_t i = 0; i < n; i++) d[i * size] = s[i * size]; break;
    case 2: for (uint64_t i = 0; i < n; i++) memcpy(d + i * size, s + i * size, 2); break;
    case 4: for (uint64_t i = 0; i < n; i++) memcpy(d + i * size, s + i * size, 4); break;
    case 8: for (uint64_t i = 0; i < n; i++) memcpy(d + i * size, s + i * size, 8); break;
    default: for (uint64_t i = 0; i < n; i++) memcpy(d + i * size, s + i * size, x->size); break;
    }
}

void wg__canon_plain_copy(uint8_t *dst, const uint8_t *src, uint64_t n, const wg_ctype *t) {
    uint32_t size = t->layout[0].size;
    leaf lv[MAX_LEAVES];
    uint32_t nl = 0;
    if (!leaves(t, 0, lv, &nl)) {
        for (uint64_t i = 0; i < n; i++) copy1(dst + i * size, src + i * size, t);
        return;
    }
    uint32_t covered = 0;
    for (uint32_t k = 0; k < nl; k++) covered += lv[k].size;
    if (covered == size) {
        /* Dense: copy everything, then rewrite what a store would. */
        memcpy(dst, src, n * size);
    } else {
        for (uint32_t k = 0; k < nl; k++) copy_all(dst, src, n, size, &lv[k]);
    }
    for (uint32_t k = 0; k < nl; k++)
        if (lv[k].op != RUN) fix_all(dst, n, size, &lv[k]);
}
