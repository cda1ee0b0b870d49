/*
 * The WebAssembly 2.0 binary decoder: module header, the section loop (order,
 * sizes) and the simple sections. Element, data, code sections and constant
 * expressions are in decode_seg.c; custom and name sections in decode_names.c.
 * Spec: "Binary Format" chapter (5.x). No validation beyond the binary format.
 *
 * Module layout:
 *
 *   OFFSET  SIZE    DESCRIPTION
 *   0       4       magic "\0asm"
 *   4       4       version 1 (little-endian u32)
 *   8       ...     sections: id (byte), size (u32 LEB128), payload[size]
 *
 * Non-custom sections appear at most once, in this order (custom sections
 * anywhere):
 *
 *   ID  SECTION    PAYLOAD
 *   1   type       vec(0x60 vec(valtype) vec(valtype))
 *   2   import     vec(name name kind desc); kind 0 typeidx, 1 tabletype,
 *                  2 limits, 3 globaltype
 *   3   function   vec(typeidx)
 *   4   table      vec(reftype limits)
 *   5   memory     vec(limits)           limits: 0x00 min | 0x01 min max
 *   6   global     vec(valtype mut constexpr)
 *   7   export     vec(name kind index)
 *   8   start      funcidx
 *   9   element    vec(elem)              (decode_seg.c)
 *   12  datacount  u32
 *   10  code       vec(size locals expr)  (decode_seg.c)
 *   11  data       vec(data)              (decode_seg.c)
 *   0   custom     name bytes             (decode_names.c)
 *
 * Every allocation is bounded by the input: a count is checked against the
 * bytes left in its section before anything is allocated for it.
 */
#include "wasm/decode_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

static const char *const section_names[] = {
    "custom", "type", "import", "function", "table", "memory", "global",
    "export", "start", "element", "code", "data", "datacount",
};

/* Position of each section id in the required order (custom: 0 = anywhere). */
static const uint8_t section_rank[] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10,
};

/* ---- errors ---------------------------------------------------------------- */

/* Records a failure: spec wording, then section/item/offset context. */
bool wg__dec_fail_at(wg_dec *d, int kind, size_t offset, const char *msg) {
    char ctx[160] = "";
    size_t n = 0;
    if (d->sec_id >= 0 && d->sec_id <= WG_SEC_DATACOUNT) {
        n += (size_t)snprintf(ctx + n, sizeof ctx - n, "section %d '%s', ", d->sec_id,
                              section_names[d->sec_id]);
        if (d->item_kind && n < sizeof ctx)
            n += (size_t)snprintf(ctx + n, sizeof ctx - n, "%s %u, ", d->item_kind, d->item);
    }
    if (n < sizeof ctx) snprintf(ctx + n, sizeof ctx - n, "offset 0x%zx", offset);
    return wg__error(d->err, kind, offset, "%s (%s)", msg, ctx);
}

/* Records a MALFORMED failure at the reader position. */
bool wg__dec_fail(wg_dec *d, const char *msg) {
    return wg__dec_fail_at(d, WG_ERR_MALFORMED, wg_reader_pos(&d->r), msg);
}

/* Reports the reader's recorded failure (LEB128 rules, end of input). */
bool wg__dec_reader_fail(wg_dec *d) {
    const char *msg = d->r.err ? d->r.err : "unexpected end";
    size_t pos = d->r.err ? d->r.err_pos : wg_reader_pos(&d->r);
    /* Inside a section, running out of bytes means the section (or function
     * body) ended early: the spec's wording for that starts with the plain
     * "unexpected end" used for a truncated module header. */
    if (d->sec_id >= 0 && strcmp(msg, "unexpected end") == 0)
        msg = "unexpected end of section or function";
    return wg__dec_fail_at(d, WG_ERR_MALFORMED, pos, msg);
}

/* Records an out-of-memory failure. */
bool wg__dec_oom(wg_dec *d) {
    return wg__error(d->err, WG_ERR_RESOURCE, wg_reader_pos(&d->r), "out of memory");
}

/* ---- small readers ------------------------------------------------------- */

/* Reads a vector count bounded by the bytes left in the section. */
bool wg__dec_count(wg_dec *d, uint32_t *out) {
    size_t at = wg_reader_pos(&d->r);
    if (!wg_read_u32(&d->r, out)) return wg__dec_reader_fail(d);
    /* The spec reads elements until the section runs out. */
    if (*out > (size_t)(d->r.end - d->r.p))
        return wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "unexpected end of section or function");
    return true;
}

/* Reads one value type byte. */
bool wg__dec_valtype(wg_dec *d, uint8_t *out) {
    size_t at = wg_reader_pos(&d->r);
    if (!wg_read_u8(&d->r, out)) return wg__dec_reader_fail(d);
    switch (*out) {
    case WG_I32: case WG_I64: case WG_F32: case WG_F64: case WG_V128:
    case WG_FUNCREF: case WG_EXTERNREF:
        return true;
    default:
        return wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "malformed value type");
    }
}

/* Reads one reference type byte. */
bool wg__dec_reftype(wg_dec *d, uint8_t *out) {
    size_t at = wg_reader_pos(&d->r);
    if (!wg_read_u8(&d->r, out)) return wg__dec_reader_fail(d);
    if (*out != WG_FUNCREF && *out != WG_EXTERNREF)
        return wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "malformed reference type");
    return true;
}

/* Reads a UTF-8 name; the result points into the module bytes. */
bool wg__dec_name(wg_dec *d, const char **out, uint32_t *len) {
    size_t at = wg_reader_pos(&d->r);
    uint32_t n;
    const uint8_t *p;
    if (!wg_read_u32(&d->r, &n)) return wg__dec_reader_fail(d);
    if (n > (size_t)(d->r.end - d->r.p))
        return wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "length out of bounds");
    if (!wg_read_bytes(&d->r, n, &p)) return wg__dec_reader_fail(d);
    if (!wg__utf8_valid(p, n))
        return wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "malformed UTF-8 encoding");
    *out = (const char *)p;
    *len = n;
    return true;
}

/* Limits: flags byte 0x00 (min) or 0x01 (min max), u32 values. */
static bool dec_limits(wg_dec *d, wg_limits *out) {
    size_t at = wg_reader_pos(&d->r);
    uint8_t flags;
    uint32_t v;
    if (!wg_read_u8(&d->r, &flags)) return wg__dec_reader_fail(d);
    if (flags & 0x80)
        return wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "integer representation too long");
    if (flags > 1) return wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "integer too large");
    if (!wg_read_u32(&d->r, &v)) return wg__dec_reader_fail(d);
    out->min = v;
    out->has_max = flags == 1;
    out->max = 0;
    if (out->has_max) {
        if (!wg_read_u32(&d->r, &v)) return wg__dec_reader_fail(d);
        out->max = v;
    }
    return true;
}

static bool dec_tabletype(wg_dec *d, wg_tabletype *out) {
    return wg__dec_reftype(d, &out->elem_type) && dec_limits(d, &out->limits);
}

static bool dec_globaltype(wg_dec *d, wg_globaltype *out) {
    uint8_t mut;
    if (!wg__dec_valtype(d, &out->type)) return false;
    size_t at = wg_reader_pos(&d->r);
    if (!wg_read_u8(&d->r, &mut)) return wg__dec_reader_fail(d);
    if (mut > 1) return wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "malformed mutability");
    out->mut = mut == 1;
    return true;
}

/* ---- sections ------------------------------------------------------------- */

static bool dec_type_section(wg_dec *d) {
    wg_module *m = d->m;
    uint32_t n;
    if (!wg__dec_count(d, &n)) return false;
    if (n && !(m->types = calloc(n, sizeof *m->types))) return wg__dec_oom(d);
    m->ntypes = n;
    d->item_kind = "type";
    for (uint32_t i = 0; i < n; i++) {
        wg_functype *t = &m->types[i];
        uint8_t form;
        uint32_t np, nr;
        const uint8_t *pp, *rp;
        size_t at = wg_reader_pos(&d->r);
        d->item = i;
        if (!wg_read_u8(&d->r, &form)) return wg__dec_reader_fail(d);
        /* The spec reads the form as a signed LEB128 of 7 bits. */
        if (form & 0x80)
            return wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "integer representation too long");
        if (form != 0x60) return wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "malformed function type");
        at = wg_reader_pos(&d->r);
        if (!wg__dec_count(d, &np)) return false;
        if (np > WG_MAX_FUNC_PARAMS)
            return wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "too many parameters");
        pp = d->r.p;
        for (uint32_t k = 0; k < np; k++) {
            uint8_t vt;
            if (!wg__dec_valtype(d, &vt)) return false;
        }
        at = wg_reader_pos(&d->r);
        if (!wg__dec_count(d, &nr)) return false;
        if (nr > WG_MAX_FUNC_RESULTS)
            return wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "too many results");
        rp = d->r.p;
        for (uint32_t k = 0; k < nr; k++) {
            uint8_t vt;
            if (!wg__dec_valtype(d, &vt)) return false;
        }
        /* params and results share one allocation: params first. */
        uint8_t *buf = malloc((size_t)np + nr + 1);
        if (!buf) return wg__dec_oom(d);
        memcpy(buf, pp, np);
        memcpy(buf + np, rp, nr);
        t->params = buf;
        t->results = buf + np;
        t->nparams = np;
        t->nresults = nr;
    }
    return true;
}

static bool dec_import_section(wg_dec *d) {
    wg_module *m = d->m;
    uint32_t n;
    if (!wg__dec_count(d, &n)) return false;
    if (n && !(m->imports = calloc(n, sizeof *m->imports))) return wg__dec_oom(d);
    m->nimports = n;
    d->item_kind = "import";
    for (uint32_t i = 0; i < n; i++) {
        wg_import *im = &m->imports[i];
        d->item = i;
        if (!wg__dec_name(d, &im->module, &im->module_len)) return false;
        if (!wg__dec_name(d, &im->name, &im->name_len)) return false;
        size_t at = wg_reader_pos(&d->r);
        if (!wg_read_u8(&d->r, &im->kind)) return wg__dec_reader_fail(d);
        switch (im->kind) {
        case WG_EXTERN_FUNC:
            if (!wg_read_u32(&d->r, &im->type_idx)) return wg__dec_reader_fail(d);
            m->nimported_funcs++;
            break;
        case WG_EXTERN_TABLE:
            if (!dec_tabletype(d, &im->table)) return false;
            m->nimported_tables++;
            break;
        case WG_EXTERN_MEMORY:
            if (!dec_limits(d, &im->mem)) return false;
            m->nimported_mems++;
            break;
        case WG_EXTERN_GLOBAL:
            if (!dec_globaltype(d, &im->global)) return false;
            m->nimported_globals++;
            break;
        default:
            return wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "malformed import kind");
        }
    }
    return true;
}

/* Allocates an index space of nimp imports + ndef definitions (elem bytes each)
 * and copies the imported entries of `kind` into its front. Returns NULL with
 * the error set on failure; *out_n gets the total. */
static void *alloc_space(wg_dec *d, int kind, uint32_t nimp, uint32_t ndef, size_t elem,
                         uint32_t *out_n) {
    wg_module *m = d->m;
    uint64_t total = (uint64_t)nimp + ndef;
    if (total > UINT32_MAX) {
        wg__dec_fail(d, "too many definitions");
        return NULL;
    }
    char *arr = calloc(total ? (size_t)total : 1, elem);
    if (!arr) {
        wg__dec_oom(d);
        return NULL;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const wg_import *im = &m->imports[i];
        if (im->kind != kind) continue;
        void *dst = arr + (size_t)k * elem;
        switch (kind) {
        case WG_EXTERN_FUNC: memcpy(dst, &im->type_idx, elem); break;
        case WG_EXTERN_TABLE: memcpy(dst, &im->table, elem); break;
        case WG_EXTERN_MEMORY: memcpy(dst, &im->mem, elem); break;
        default: memcpy(dst, &im->global, elem); break;
        }
        k++;
    }
    *out_n = (uint32_t)total;
    return arr;
}

static bool dec_function_section(wg_dec *d) {
    wg_module *m = d->m;
    uint32_t n;
    if (!wg__dec_count(d, &n)) return false;
    m->func_types = alloc_space(d, WG_EXTERN_FUNC, m->nimported_funcs, n,
                                sizeof *m->func_types, &m->nfuncs);
    if (!m->func_types) return false;
    d->item_kind = "function";
    for (uint32_t i = 0; i < n; i++) {
        d->item = i;
        if (!wg_read_u32(&d->r, &m->func_types[m->nimported_funcs + i]))
            return wg__dec_reader_fail(d);
    }
    d->ndef_funcs = n;
    d->has_func_sec = true;
    return true;
}

static bool dec_table_section(wg_dec *d) {
    wg_module *m = d->m;
    uint32_t n;
    if (!wg__dec_count(d, &n)) return false;
    m->tables = alloc_space(d, WG_EXTERN_TABLE, m->nimported_tables, n, sizeof *m->tables,
                            &m->ntables);
    if (!m->tables) return false;
    d->item_kind = "table";
    for (uint32_t i = 0; i < n; i++) {
        d->item = i;
        if (!dec_tabletype(d, &m->tables[m->nimported_tables + i])) return false;
    }
    return true;
}

static bool dec_memory_section(wg_dec *d) {
    wg_module *m = d->m;
    uint32_t n;
    if (!wg__dec_count(d, &n)) return false;
    m->mems = alloc_space(d, WG_EXTERN_MEMORY, m->nimported_mems, n, sizeof *m->mems,
                          &m->nmems);
    if (!m->mems) return false;
    d->item_kind = "memory";
    for (uint32_t i = 0; i < n; i++) {
        d->item = i;
        if (!dec_limits(d, &m->mems[m->nimported_mems + i])) return false;
    }
    return true;
}

static bool dec_global_section(wg_dec *d) {
    wg_module *m = d->m;
    uint32_t n;
    if (!wg__dec_count(d, &n)) return false;
    m->global_types = alloc_space(d, WG_EXTERN_GLOBAL, m->nimported_globals, n,
                                  sizeof *m->global_types, &m->nglobals);
    if (!m->global_types) return false;
    if (n && !(m->globals = calloc(n, sizeof *m->globals))) return wg__dec_oom(d);
    d->item_kind = "global";
    for (uint32_t i = 0; i < n; i++) {
        wg_global_def *g = &m->globals[i];
        d->item = m->nimported_globals + i;
        if (!dec_globaltype(d, &g->type)) return false;
        m->global_types[m->nimported_globals + i] = g->type;
        if (!wg__dec_const_expr(d, &g->init)) return false;
    }
    return true;
}

static bool dec_export_section(wg_dec *d) {
    wg_module *m = d->m;
    uint32_t n;
    if (!wg__dec_count(d, &n)) return false;
    if (n && !(m->exports = calloc(n, sizeof *m->exports))) return wg__dec_oom(d);
    m->nexports = n;
    d->item_kind = "export";
    for (uint32_t i = 0; i < n; i++) {
        wg_export *ex = &m->exports[i];
        d->item = i;
        if (!wg__dec_name(d, &ex->name, &ex->name_len)) return false;
        size_t at = wg_reader_pos(&d->r);
        if (!wg_read_u8(&d->r, &ex->kind)) return wg__dec_reader_fail(d);
        if (ex->kind > WG_EXTERN_GLOBAL)
            return wg__dec_fail_at(d, WG_ERR_MALFORMED, at, "malformed export kind");
        if (!wg_read_u32(&d->r, &ex->index)) return wg__dec_reader_fail(d);
    }
    return true;
}

static bool dec_start_section(wg_dec *d) {
    if (!wg_read_u32(&d->r, &d->m->start)) return wg__dec_reader_fail(d);
    d->m->has_start = true;
    return true;
}

static bool dec_datacount_section(wg_dec *d) {
    if (!wg_read_u32(&d->r, &d->m->datacount)) return wg__dec_reader_fail(d);
    d->m->has_datacount = true;
    return true;
}

static bool dec_section(wg_dec *d, uint8_t id) {
    switch (id) {
    case WG_SEC_CUSTOM: return wg__dec_custom_section(d);
    case WG_SEC_TYPE: return dec_type_section(d);
    case WG_SEC_IMPORT: return dec_import_section(d);
    case WG_SEC_FUNCTION: return dec_function_section(d);
    case WG_SEC_TABLE: return dec_table_section(d);
    case WG_SEC_MEMORY: return dec_memory_section(d);
    case WG_SEC_GLOBAL: return dec_global_section(d);
    case WG_SEC_EXPORT: return dec_export_section(d);
    case WG_SEC_START: return dec_start_section(d);
    case WG_SEC_ELEM: return wg__dec_elem_section(d);
    case WG_SEC_CODE: return wg__dec_code_section(d);
    case WG_SEC_DATA: return wg__dec_data_section(d);
    default: return dec_datacount_section(d);
    }
}

/* After the last section: builds index spaces whose section was absent and
 * checks the counts that must agree across sections. */
static bool dec_finish(wg_dec *d) {
    wg_module *m = d->m;
    if (!m->func_types &&
        !(m->func_types = alloc_space(d, WG_EXTERN_FUNC, m->nimported_funcs, 0,
                                      sizeof *m->func_types, &m->nfuncs)))
        return false;
    if (!m->tables &&
        !(m->tables = alloc_space(d, WG_EXTERN_TABLE, m->nimported_tables, 0,
                                  sizeof *m->tables, &m->ntables)))
        return false;
    if (!m->mems &&
        !(m->mems = alloc_space(d, WG_EXTERN_MEMORY, m->nimported_mems, 0, sizeof *m->mems,
                                &m->nmems)))
        return false;
    if (!m->global_types &&
        !(m->global_types = alloc_space(d, WG_EXTERN_GLOBAL, m->nimported_globals, 0,
                                        sizeof *m->global_types, &m->nglobals)))
        return false;
    d->sec_id = -1;
    d->item_kind = NULL;
    if (m->nbodies != d->ndef_funcs)
        return wg__dec_fail_at(d, WG_ERR_MALFORMED, m->len,
                               "function and code section have inconsistent lengths");
    if (m->has_datacount && m->datacount != m->ndatas)
        return wg__dec_fail_at(d, WG_ERR_MALFORMED, m->len,
                               "data count and data section have inconsistent lengths");
    return wg__dec_name_section(d) || wg__dec_oom(d);
}

/* Decodes a whole binary (copied into m->bytes first). Returns a new module
 * the caller frees with wg__module_free, or NULL with err filled. */
wg_module *wg__decode(const uint8_t *bytes, size_t len, wg_error *err) {
    wg__error_clear(err);
    wg_module *m = calloc(1, sizeof *m);
    if (!m) {
        wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "out of memory");
        return NULL;
    }
    wg_dec d = {.m = m, .err = err, .sec_id = -1};
    m->bytes = malloc(len ? len : 1);
    if (!m->bytes) {
        wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "out of memory");
        goto fail;
    }
    if (len) memcpy(m->bytes, bytes, len);
    m->len = len;

    const uint8_t *base = m->bytes, *end = m->bytes + len;
    d.r = (wg_reader){.p = base, .end = end, .base = base};
    const uint8_t *hdr;
    if (!wg_read_bytes(&d.r, 4, &hdr)) {
        wg__dec_reader_fail(&d);
        goto fail;
    }
    if (memcmp(hdr, "\0asm", 4) != 0) {
        wg__dec_fail_at(&d, WG_ERR_MALFORMED, 0, "magic header not detected");
        goto fail;
    }
    if (!wg_read_bytes(&d.r, 4, &hdr)) {
        wg__dec_reader_fail(&d);
        goto fail;
    }
    if (memcmp(hdr, "\1\0\0\0", 4) != 0) {
        wg__dec_fail_at(&d, WG_ERR_MALFORMED, 4, "unknown binary version");
        goto fail;
    }

    unsigned last_rank = 0;
    while (d.r.p < end) {
        wg_reader top = {.p = d.r.p, .end = end, .base = base};
        size_t sec_pos = wg_reader_pos(&top);
        uint8_t id;
        uint32_t size;
        d.sec_id = -1;
        d.item_kind = NULL;
        wg_read_u8(&top, &id);
        if (id > WG_SEC_DATACOUNT) {
            wg__dec_fail_at(&d, WG_ERR_MALFORMED, sec_pos, "malformed section id");
            goto fail;
        }
        d.sec_id = id;
        d.r = top;
        if (!wg_read_u32(&d.r, &size)) {
            wg__dec_reader_fail(&d);
            goto fail;
        }
        if (size > (size_t)(end - d.r.p)) {
            wg__dec_fail_at(&d, WG_ERR_MALFORMED, wg_reader_pos(&d.r), "length out of bounds");
            goto fail;
        }
        if (id != WG_SEC_CUSTOM) {
            if (section_rank[id] <= last_rank) {
                wg__dec_fail_at(&d, WG_ERR_MALFORMED, sec_pos,
                                "unexpected content after last section");
                goto fail;
            }
            last_rank = section_rank[id];
        }
        const uint8_t *sec_end = d.r.p + size;
        d.r.end = sec_end;
        if (!dec_section(&d, id)) goto fail;
        d.item_kind = NULL;
        if (d.r.p != sec_end) {
            wg__dec_fail_at(&d, WG_ERR_MALFORMED, wg_reader_pos(&d.r), "section size mismatch");
            goto fail;
        }
        d.r.end = end;
    }
    if (!dec_finish(&d)) goto fail;
    return m;

fail:
    wg__module_free(m);
    return NULL;
}

static void free_expr(wg_constexpr *e) {
    free(e->ops);
    e->ops = NULL;
}

/* Frees m and everything it owns, in any state of construction (NULL ok). */
void wg__module_free(wg_module *m) {
    if (!m) return;
    for (uint32_t i = 0; m->types && i < m->ntypes; i++) free(m->types[i].params);
    free(m->types);
    free(m->imports);
    free(m->func_types);
    free(m->tables);
    free(m->mems);
    free(m->global_types);
    if (m->globals) {
        for (uint32_t i = 0; i < m->nglobals - m->nimported_globals; i++)
            free_expr(&m->globals[i].init);
        free(m->globals);
    }
    free(m->exports);
    for (uint32_t i = 0; m->elems && i < m->nelems; i++) {
        wg_elem *e = &m->elems[i];
        free_expr(&e->offset);
        for (uint32_t k = 0; e->items && k < e->nitems; k++) free_expr(&e->items[k]);
        free(e->items);
    }
    free(m->elems);
    for (uint32_t i = 0; m->datas && i < m->ndatas; i++) free_expr(&m->datas[i].offset);
    free(m->datas);
    for (uint32_t i = 0; m->bodies && i < m->nbodies; i++) free(m->bodies[i].runs);
    free(m->bodies);
    free(m->customs);
    free(m->module_name);
    if (m->func_names) {
        for (uint32_t i = 0; i < m->nfuncs; i++) free(m->func_names[i]);
        free(m->func_names);
    }
    free(m->code);
    free(m->code_funcs);
    free(m->declared_funcs);
    free(m->bytes);
    free(m);
}
