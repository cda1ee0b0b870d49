/*
 * Decoder, part 2: constant expressions and the element, data and code
 * sections (spec 5.4.9 constant expressions, 5.5.12 element, 5.5.13 code,
 * 5.5.14 data). Function bodies are not decoded here, only delimited: the
 * compiler reads their instructions.
 *
 * Element segment encodings (flags is a u32):
 *
 *   FLAGS  FIELDS                                  MODE         ITEMS
 *   0      expr vec(funcidx)                       active, t0   funcref
 *   1      elemkind vec(funcidx)                   passive      elemkind
 *   2      tableidx expr elemkind vec(funcidx)     active       elemkind
 *   3      elemkind vec(funcidx)                   declarative  elemkind
 *   4      expr vec(expr)                          active, t0   funcref
 *   5      reftype vec(expr)                       passive      reftype
 *   6      tableidx expr reftype vec(expr)         active       reftype
 *   7      reftype vec(expr)                       declarative  reftype
 *
 * elemkind is 0x00 (funcref). Function indices become one-op ref.func
 * expressions so later stages see one form.
 *
 * Data segment encodings: 0 expr vec(byte) (active, memory 0); 1 vec(byte)
 * (passive); 2 memidx expr vec(byte) (active).
 *
 * Code entry: size:u32, then vec(locals: count:u32 valtype), then the
 * instruction bytes up to the end of the entry (final `end` included).
 */
#include "wasm/decode_int.h"

#include <stdlib.h>

#include "util/error.h"
#include "util/vec.h"

/* One bit per single-byte opcode that exists in Wasm 2.0 (0xFC and 0xFD are
 * prefixes). Used only to choose between "illegal opcode" and "constant
 * expression required" for an instruction a constant expression may not use. */
static bool opcode_exists(uint8_t op) {
    if (op <= 0x05) return true;                 /* unreachable .. else */
    if (op >= 0x0B && op <= 0x11) return true;   /* end .. call_indirect */
    if (op >= 0x1A && op <= 0x1C) return true;   /* drop, select, select t */
    if (op >= 0x20 && op <= 0x26) return true;   /* locals, globals, table.get/set */
    if (op >= 0x28 && op <= 0xC4) return true;   /* memory .. sign extension */
    if (op >= 0xD0 && op <= 0xD2) return true;   /* ref.null, ref.is_null, ref.func */
    return op == 0xFC || op == 0xFD;
}

/* Decodes a constant expression; ops owned by the caller's structure. */
bool wg__dec_const_expr(wg_dec *d, wg_constexpr *out) {
    WG_VEC(wg_constop) ops = {0};
    out->nops = 0;
    out->ops = NULL;
    out->offset = wg_reader_pos(&d->r);
    for (;;) {
        size_t at = wg_reader_pos(&d->r);
        uint8_t op;
        wg_constop c = {0};
        if (!wg_read_u8(&d->r, &op)) goto reader_fail;
        c.opcode = op;
        switch (op) {
        case 0x0B:
            out->ops = ops.data;
            out->nops = ops.len;
            return true;
        case 0x41: {
            int32_t v;
            if (!wg_read_s32(&d->r, &v)) goto reader_fail;
            c.imm = (uint32_t)v;
            break;
        }
        case 0x42: {
            int64_t v;
            if (!wg_read_s64(&d->r, &v)) goto reader_fail;
            c.imm = (uint64_t)v;
            break;
        }
        case 0x43: {
            uint32_t v;
            if (!wg_read_f32_bits(&d->r, &v)) goto reader_fail;
            c.imm = v;
            break;
        }
        case 0x44:
            if (!wg_read_f64_bits(&d->r, &c.imm)) goto reader_fail;
            break;
        case 0xD0: {
            uint8_t t;
            if (!wg__dec_reftype(d, &t)) goto fail;
            c.imm = t;
            break;
        }
        case 0xD2:
        case 0x23: {
            uint32_t idx;
            if (!wg_read_u32(&d->r, &idx)) goto reader_fail;
            c.imm = idx;
            break;
        }
        case 0x6A: case 0x6B: case 0x6C:  /* i32.add/sub/mul (extended-const) */
        case 0x7C: case 0x7D: case 0x7E:  /* i64.add/sub/mul */
            break;
        default:
            if (opcode_exists(op))
                wg__dec_fail_at(d, WG_ERR_INVALID, at, "constant expression required");
            else
                wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "illegal opcode");
            goto fail;
        }
        if (!WG_VEC_PUSH(ops, c)) {
            wg__dec_oom(d);
            goto fail;
        }
    }
reader_fail:
    wg__dec_reader_fail(d);
fail:
    WG_VEC_FREE(ops);
    return false;
}

/* A vec(funcidx) becomes n one-op ref.func expressions. */
static bool dec_func_indices(wg_dec *d, wg_elem *e) {
    uint32_t n;
    if (!wg__dec_count(d, &n)) return false;
    if (n && !(e->items = calloc(n, sizeof *e->items))) return wg__dec_oom(d);
    e->nitems = n;
    for (uint32_t i = 0; i < n; i++) {
        wg_constexpr *x = &e->items[i];
        uint32_t idx;
        x->offset = wg_reader_pos(&d->r);
        if (!wg_read_u32(&d->r, &idx)) return wg__dec_reader_fail(d);
        if (!(x->ops = malloc(sizeof *x->ops))) return wg__dec_oom(d);
        x->ops[0] = (wg_constop){.opcode = 0xD2, .imm = idx};
        x->nops = 1;
    }
    return true;
}

static bool dec_expr_items(wg_dec *d, wg_elem *e) {
    uint32_t n;
    if (!wg__dec_count(d, &n)) return false;
    if (n && !(e->items = calloc(n, sizeof *e->items))) return wg__dec_oom(d);
    e->nitems = n;
    for (uint32_t i = 0; i < n; i++)
        if (!wg__dec_const_expr(d, &e->items[i])) return false;
    return true;
}

static bool dec_elemkind(wg_dec *d, wg_elem *e) {
    size_t at = wg_reader_pos(&d->r);
    uint8_t k;
    if (!wg_read_u8(&d->r, &k)) return wg__dec_reader_fail(d);
    if (k != 0x00) return wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "malformed element kind");
    e->elem_type = WG_FUNCREF;
    return true;
}

static bool dec_elem(wg_dec *d, wg_elem *e) {
    size_t at = wg_reader_pos(&d->r);
    uint32_t flags;
    e->pos = at;
    if (!wg_read_u32(&d->r, &flags)) return wg__dec_reader_fail(d);
    if (flags > 7)
        return wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "malformed elements segment kind");
    /* bit 0: passive/declarative; bit 1: explicit table (active) or
     * declarative; bit 2: items are expressions. */
    if (flags & 1)
        e->mode = (flags & 2) ? WG_SEG_DECLARATIVE : WG_SEG_PASSIVE;
    else
        e->mode = WG_SEG_ACTIVE;
    e->elem_type = WG_FUNCREF;
    if (e->mode == WG_SEG_ACTIVE) {
        if ((flags & 2) && !wg_read_u32(&d->r, &e->table_idx)) return wg__dec_reader_fail(d);
        if (!wg__dec_const_expr(d, &e->offset)) return false;
    }
    bool has_kind = (flags & 3) != 0;  /* 0 and 4 imply funcref */
    if (flags & 4) {
        if (has_kind && !wg__dec_reftype(d, &e->elem_type)) return false;
        return dec_expr_items(d, e);
    }
    if (has_kind && !dec_elemkind(d, e)) return false;
    return dec_func_indices(d, e);
}

/* Decodes the element section into m->elems. */
bool wg__dec_elem_section(wg_dec *d) {
    wg_module *m = d->m;
    uint32_t n;
    if (!wg__dec_count(d, &n)) return false;
    if (n && !(m->elems = calloc(n, sizeof *m->elems))) return wg__dec_oom(d);
    m->nelems = n;
    d->item_kind = "segment";
    for (uint32_t i = 0; i < n; i++) {
        d->item = i;
        if (!dec_elem(d, &m->elems[i])) return false;
    }
    return true;
}

static bool dec_data(wg_dec *d, wg_data *s) {
    size_t at = wg_reader_pos(&d->r);
    uint32_t flags, len;
    s->pos = at;
    if (!wg_read_u32(&d->r, &flags)) return wg__dec_reader_fail(d);
    if (flags > 2)
        return wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "malformed data segment kind");
    s->mode = flags == 1 ? WG_SEG_PASSIVE : WG_SEG_ACTIVE;
    if (flags == 2 && !wg_read_u32(&d->r, &s->mem_idx)) return wg__dec_reader_fail(d);
    if (flags != 1 && !wg__dec_const_expr(d, &s->offset)) return false;
    at = wg_reader_pos(&d->r);
    if (!wg_read_u32(&d->r, &len)) return wg__dec_reader_fail(d);
    if (len > (size_t)(d->r.end - d->r.p))
        return wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "unexpected end of section or function");
    if (!wg_read_bytes(&d->r, len, &s->bytes)) return wg__dec_reader_fail(d);
    s->len = len;
    return true;
}

/* Decodes the data section into m->datas. */
bool wg__dec_data_section(wg_dec *d) {
    wg_module *m = d->m;
    uint32_t n;
    d->has_data_sec = true;
    if (!wg__dec_count(d, &n)) return false;
    if (n && !(m->datas = calloc(n, sizeof *m->datas))) return wg__dec_oom(d);
    m->ndatas = n;
    d->item_kind = "segment";
    for (uint32_t i = 0; i < n; i++) {
        d->item = i;
        if (!dec_data(d, &m->datas[i])) return false;
    }
    return true;
}

/* Parameters of defined function i, when its type index is already known to
 * be valid (else 0: the validator reports the bad index). */
static uint32_t body_nparams(const wg_dec *d, uint32_t i) {
    const wg_module *m = d->m;
    if (i >= d->ndef_funcs || !m->func_types) return 0;
    uint32_t t = m->func_types[m->nimported_funcs + i];
    return t < m->ntypes ? m->types[t].nparams : 0;
}

static bool dec_body(wg_dec *d, wg_body *b, uint32_t index) {
    size_t at = wg_reader_pos(&d->r);
    uint32_t size, nruns;
    if (!wg_read_u32(&d->r, &size)) return wg__dec_reader_fail(d);
    if (size > (size_t)(d->r.end - d->r.p))
        return wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "unexpected end of section or function");
    /* Read the locals with the reader limited to this body. */
    const uint8_t *sec_end = d->r.end, *body_end = d->r.p + size;
    d->r.end = body_end;
    if (!wg__dec_count(d, &nruns)) return false;
    if (nruns && !(b->runs = calloc(nruns, sizeof *b->runs))) return wg__dec_oom(d);
    b->nruns = nruns;
    uint64_t total = body_nparams(d, index);
    for (uint32_t i = 0; i < nruns; i++) {
        at = wg_reader_pos(&d->r);
        if (!wg_read_u32(&d->r, &b->runs[i].count)) return wg__dec_reader_fail(d);
        total += b->runs[i].count;
        if (total > WG_MAX_LOCALS)
            return wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "too many locals");
        if (!wg__dec_valtype(d, &b->runs[i].type)) return false;
        b->nlocals += b->runs[i].count;
    }
    b->code = d->r.p;
    b->code_len = (uint32_t)(body_end - d->r.p);
    b->offset = wg_reader_pos(&d->r);
    d->r.p = body_end;
    d->r.end = sec_end;
    return true;
}

/* Delimits function bodies and decodes their locals into m->bodies. */
bool wg__dec_code_section(wg_dec *d) {
    wg_module *m = d->m;
    uint32_t n;
    d->has_code_sec = true;
    if (!wg__dec_count(d, &n)) return false;
    if (n && !(m->bodies = calloc(n, sizeof *m->bodies))) return wg__dec_oom(d);
    m->nbodies = n;
    d->item_kind = "function";
    for (uint32_t i = 0; i < n; i++) {
        d->item = m->nimported_funcs + i;
        if (!dec_body(d, &m->bodies[i], i)) return false;
    }
    return true;
}
