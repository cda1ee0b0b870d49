/*
 * The component binary decoder: preamble, the section loop, and the
 * sections whose entries are simple (core module, core instance, component,
 * instance, alias, start, import, export). See cdecode.h for the split and
 * Binary.md for the grammar.
 *
 *   component ::= magic 0x0d 0x00 0x01 0x00 section*
 *   section   ::= id:byte size:u32 payload[size]     (ids 0..12, any order)
 */
#include "component/cdecode.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"
#include "util/vec.h"

static const char *const section_names[] = {
    "custom", "core module", "core instance", "core type", "component", "instance",
    "alias",  "type",        "canon",         "start",     "import",    "export",
    "value",
};

const char *wg__csection_name(int id) {
    return id >= 0 && id <= 12 ? section_names[id] : "?";
}

/* ---- errors ------------------------------------------------------------------- */

static bool vfail(wg_cdec *d, int kind, size_t offset, const char *fmt, va_list ap) {
    char msg[400];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (d->sec >= 0)
        return wg__error(d->err, kind, offset, "component section 0x%x (%s), offset 0x%zx: %s",
                         (unsigned)d->sec, wg__csection_name(d->sec), offset, msg);
    return wg__error(d->err, kind, offset, "component, offset 0x%zx: %s", offset, msg);
}

bool wg__cdec_fail_at(wg_cdec *d, size_t offset, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail(d, WG_ERR_MALFORMED, offset, fmt, ap);
    va_end(ap);
    return false;
}

bool wg__cdec_fail_kind(wg_cdec *d, int kind, size_t offset, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail(d, kind, offset, fmt, ap);
    va_end(ap);
    return false;
}

bool wg__cdec_reader_fail(wg_cdec *d) {
    const char *msg = d->r.err ? d->r.err : "unexpected end";
    size_t pos = d->r.err ? d->r.err_pos : wg_reader_pos(&d->r);
    /* wasmparser's wording, which the conformance scripts use. */
    if (strcmp(msg, "unexpected end") == 0) msg = "unexpected end-of-file";
    return wg__cdec_fail_at(d, pos, "%s", msg);
}

bool wg__cdec_oom(wg_cdec *d) {
    return wg__error(d->err, WG_ERR_RESOURCE, wg_reader_pos(&d->r), "out of memory");
}

bool wg__cdec_bad_byte(wg_cdec *d, uint8_t b, const char *what) {
    return wg__cdec_fail_at(d, wg_reader_pos(&d->r) - 1, "invalid leading byte (0x%x) for %s",
                            (unsigned)b, what);
}

/* ---- small readers ---------------------------------------------------------------- */

bool wg__cdec_byte(wg_cdec *d, uint8_t *out) {
    return wg_read_u8(&d->r, out) || wg__cdec_reader_fail(d);
}

bool wg__cdec_u32(wg_cdec *d, uint32_t *out) {
    return wg_read_u32(&d->r, out) || wg__cdec_reader_fail(d);
}

bool wg__cdec_count(wg_cdec *d, uint32_t *out) {
    size_t at = wg_reader_pos(&d->r);
    if (!wg__cdec_u32(d, out)) return false;
    if (*out > (size_t)(d->r.end - d->r.p))
        return wg__cdec_fail_at(d, at, "unexpected end-of-file (a count of %u with %zu bytes left)",
                                *out, (size_t)(d->r.end - d->r.p));
    return true;
}

/* UTF-8 as the core spec defines it: shortest form, no surrogates, at most
 * U+10FFFF. */
static bool utf8_valid(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i < len) return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

bool wg__cdec_name(wg_cdec *d, wg_cstr *out) {
    size_t at = wg_reader_pos(&d->r);
    uint32_t n;
    const uint8_t *p;
    if (!wg__cdec_u32(d, &n)) return false;
    if (n > (size_t)(d->r.end - d->r.p))
        return wg__cdec_fail_at(d, at, "unexpected end-of-file (a name of %u bytes)", n);
    if (!wg_read_bytes(&d->r, n, &p)) return wg__cdec_reader_fail(d);
    if (!utf8_valid(p, n)) return wg__cdec_fail_at(d, at, "malformed UTF-8 encoding");
    char *s = wg__arena_strndup(d->arena, (const char *)p, n);
    if (!s) return wg__cdec_oom(d);
    out->s = s;
    out->len = n;
    return true;
}

bool wg__cdec_bool(wg_cdec *d, bool *out) {
    uint8_t b = 0;
    if (!wg__cdec_byte(d, &b)) return false;
    if (b > 1) return wg__cdec_fail_at(d, wg_reader_pos(&d->r) - 1, "invalid boolean value");
    *out = b == 1;
    return true;
}

static bool is_primitive(uint8_t b) {
    return (b >= WG_PT_STRING && b <= WG_PT_BOOL) || b == WG_PT_ERROR_CONTEXT;
}

bool wg__cdec_valtype(wg_cdec *d, uint32_t *out) {
    /* Primitive opcodes are the negative one-byte SLEB128s; type indices are
     * non-negative SLEB128 (s33) values. */
    if (d->r.p < d->r.end && is_primitive(*d->r.p)) {
        *out = WG_RAW_PRIM | *d->r.p++;
        return true;
    }
    int64_t v;
    if (!wg_read_s33(&d->r, &v)) return wg__cdec_reader_fail(d);
    /* Anything else is an index no space can hold: the validator reports it. */
    *out = v < 0 || v >= (int64_t)WG_RAW_PRIM ? WG_RAW_PRIM - 1 : (uint32_t)v;
    return true;
}

bool wg__cdec_opt_valtype(wg_cdec *d, uint32_t *out) {
    uint8_t b = 0;
    if (!wg__cdec_byte(d, &b)) return false;
    if (b == 0) {
        *out = WG_RAW_NONE;
        return true;
    }
    if (b != 1) return wg__cdec_bad_byte(d, b, "optional value type");
    return wg__cdec_valtype(d, out);
}

bool wg__cdec_core_valtype(wg_cdec *d, uint8_t *out) {
    if (!wg__cdec_byte(d, out)) return false;
    switch (*out) {
    case WG_I32: case WG_I64: case WG_F32: case WG_F64: case WG_V128:
    case WG_FUNCREF: case WG_EXTERNREF:
        return true;
    case 0x63: case 0x64: case 0x69: case 0x6a: case 0x6b: case 0x6c: case 0x6d: case 0x6e:
    case 0x71: case 0x72: case 0x73: case 0x74:
        return wg__cdec_fail_kind(d, WG_ERR_INVALID, wg_reader_pos(&d->r) - 1,
                                  "core value type 0x%x is not supported (GC / exception "
                                  "reference types)", (unsigned)*out);
    default:
        return wg__cdec_bad_byte(d, *out, "value type");
    }
}

bool wg__cdec_nameattrs(wg_cdec *d, wg_crawname *out) {
    memset(out, 0, sizeof *out);
    uint8_t b = 0;
    if (!wg__cdec_byte(d, &b)) return false;
    if (b > 2) return wg__cdec_bad_byte(d, b, "component name");
    if (!wg__cdec_name(d, &out->name)) return false;
    if (b < 2) return true;
    uint32_t n;
    if (!wg__cdec_count(d, &n)) return false;
    for (uint32_t i = 0; i < n; i++) {
        size_t at = wg_reader_pos(&d->r);
        uint8_t k = 0;
        if (!wg__cdec_byte(d, &k)) return false;
        wg_cstr *slot;
        const char *what;
        switch (k) {
        case 0: slot = &out->implements; what = "implements"; break;
        case 1: slot = &out->version; what = "versionsuffix"; break;
        case 2: slot = &out->external_id; what = "external-id"; break;
        default: return wg__cdec_bad_byte(d, k, "name option");
        }
        if (slot->s) return wg__cdec_fail_at(d, at, "duplicate '%s' option in name", what);
        if (!wg__cdec_name(d, slot)) return false;
    }
    return true;
}

bool wg__cdec_extern(wg_cdec *d, wg_crawextern *out) {
    memset(out, 0, sizeof *out);
    uint8_t b = 0;
    if (!wg__cdec_byte(d, &b)) return false;
    out->kind = b;
    switch (b) {
    case WG_EXT_MODULE: {
        uint8_t b2 = 0;
        if (!wg__cdec_byte(d, &b2)) return false;
        if (b2 != 0x11) return wg__cdec_bad_byte(d, b2, "component external kind");
        return wg__cdec_u32(d, &out->idx);
    }
    case WG_EXT_FUNC: case WG_EXT_COMPONENT: case WG_EXT_INSTANCE:
        return wg__cdec_u32(d, &out->idx);
    case WG_EXT_VALUE: {
        uint8_t k = 0;
        if (!wg__cdec_byte(d, &k)) return false;
        if (k == 0) return wg__cdec_u32(d, &out->idx);
        if (k != 1) return wg__cdec_bad_byte(d, k, "value bound");
        out->value_is_type = true;
        return wg__cdec_valtype(d, &out->idx);
    }
    case WG_EXT_TYPE: {
        uint8_t k = 0;
        if (!wg__cdec_byte(d, &k)) return false;
        if (k == 1) {
            out->sub_resource = true;
            return true;
        }
        if (k != 0) return wg__cdec_bad_byte(d, k, "type bound");
        return wg__cdec_u32(d, &out->idx);
    }
    default:
        return wg__cdec_bad_byte(d, b, "component external kind");
    }
}

/* core:sort byte -> WG_CS_* (WG_CS_NONE if not one). */
static uint8_t core_sort(uint8_t b) {
    switch (b) {
    case 0x00: return WG_CS_CORE_FUNC;
    case 0x01: return WG_CS_CORE_TABLE;
    case 0x02: return WG_CS_CORE_MEMORY;
    case 0x03: return WG_CS_CORE_GLOBAL;
    case 0x04: return WG_CS_CORE_TAG;
    case 0x10: return WG_CS_CORE_TYPE;
    case 0x11: return WG_CS_CORE_MODULE;
    case 0x12: return WG_CS_CORE_INSTANCE;
    default: return WG_CS_NONE;
    }
}

bool wg__cdec_sort(wg_cdec *d, uint8_t *out, const char *what) {
    uint8_t b = 0;
    if (!wg__cdec_byte(d, &b)) return false;
    switch (b) {
    case 0x00: {
        uint8_t c = 0;
        if (!wg__cdec_byte(d, &c)) return false;
        *out = core_sort(c);
        if (*out == WG_CS_NONE) return wg__cdec_bad_byte(d, c, what);
        return true;
    }
    case 0x01: *out = WG_CS_FUNC; return true;
    case 0x02: *out = WG_CS_VALUE; return true;
    case 0x03: *out = WG_CS_TYPE; return true;
    case 0x04: *out = WG_CS_COMPONENT; return true;
    case 0x05: *out = WG_CS_INSTANCE; return true;
    default: return wg__cdec_bad_byte(d, b, what);
    }
}

bool wg__cdec_alias(wg_cdec *d, wg_crawalias *out) {
    memset(out, 0, sizeof *out);
    if (!wg__cdec_sort(d, &out->sort, "component external kind")) return false;
    uint8_t t = 0;
    if (!wg__cdec_byte(d, &t)) return false;
    out->target = t;
    switch (t) {
    case WG_RA_EXPORT:
        /* Export aliases project component-level sorts (and core modules). */
        if (out->sort < WG_CS_FUNC && out->sort != WG_CS_CORE_MODULE)
            return wg__cdec_fail_at(d, wg_reader_pos(&d->r) - 1,
                                    "invalid sort for an instance export alias");
        return wg__cdec_u32(d, &out->instance) && wg__cdec_name(d, &out->name);
    case WG_RA_CORE_EXPORT:
        if (out->sort > WG_CS_CORE_TAG)
            return wg__cdec_fail_at(d, wg_reader_pos(&d->r) - 1,
                                    "invalid sort for a core instance export alias");
        return wg__cdec_u32(d, &out->instance) && wg__cdec_name(d, &out->name);
    case WG_RA_OUTER:
        if (out->sort != WG_CS_CORE_MODULE && out->sort != WG_CS_CORE_TYPE &&
            out->sort != WG_CS_TYPE && out->sort != WG_CS_COMPONENT)
            return wg__cdec_fail_at(d, wg_reader_pos(&d->r) - 1,
                                    "invalid leading byte for component outer alias kind "
                                    "(not an outer-aliasable sort)");
        return wg__cdec_u32(d, &out->count) && wg__cdec_u32(d, &out->index);
    default:
        return wg__cdec_bad_byte(d, t, "alias");
    }
}

/* ---- sections ------------------------------------------------------------------- */

typedef WG_VEC(wg_citem) item_vec;

/* Appends a zeroed item of kind at the current section and offset. */
static wg_citem *new_item(wg_cdec *d, item_vec *items, uint8_t kind, size_t offset) {
    wg_citem it;
    memset(&it, 0, sizeof it);
    it.kind = kind;
    it.section = (uint8_t)d->sec;
    it.offset = offset;
    it.sort = WG_CS_NONE;
    if (!WG_VEC_PUSH(*items, it)) {
        wg__cdec_oom(d);
        return NULL;
    }
    return &items->data[items->len - 1];
}

/* vec(name sortidx) with the core instance sort only (0x12), or vec(name
 * core:sortidx) (inline core exports). */
static bool core_args(wg_cdec *d, bool exports, uint32_t *nout, const wg_carg **out) {
    uint32_t n;
    if (!wg__cdec_count(d, &n)) return false;
    wg_carg *args = WG_ARENA_ARRAY(d->arena, wg_carg, n);
    if (!args && n) return wg__cdec_oom(d);
    for (uint32_t i = 0; i < n; i++) {
        if (!wg__cdec_name(d, &args[i].name.name)) return false;
        uint8_t b = 0;
        if (!wg__cdec_byte(d, &b)) return false;
        uint8_t s = core_sort(b);
        if (exports ? (s == WG_CS_NONE) : (b != 0x12))
            return wg__cdec_bad_byte(d, b, exports ? "core export kind" : "instantiation arg kind");
        args[i].item.sort = s;
        if (!wg__cdec_u32(d, &args[i].item.idx)) return false;
    }
    *nout = n;
    *out = args;
    return true;
}

/* vec(name sortidx) (instantiation args) or vec(nameattributes sortidx)
 * (inline exports). */
static bool args(wg_cdec *d, bool exports, uint32_t *nout, const wg_carg **out) {
    uint32_t n;
    if (!wg__cdec_count(d, &n)) return false;
    wg_carg *a = WG_ARENA_ARRAY(d->arena, wg_carg, n);
    if (!a && n) return wg__cdec_oom(d);
    for (uint32_t i = 0; i < n; i++) {
        if (exports ? !wg__cdec_nameattrs(d, &a[i].name) : !wg__cdec_name(d, &a[i].name.name))
            return false;
        if (!wg__cdec_sort(d, &a[i].item.sort, "component external kind")) return false;
        if (!wg__cdec_u32(d, &a[i].item.idx)) return false;
    }
    *nout = n;
    *out = a;
    return true;
}

static bool sec_core_instances(wg_cdec *d, item_vec *items) {
    uint32_t n;
    if (!wg__cdec_count(d, &n)) return false;
    for (uint32_t i = 0; i < n; i++) {
        size_t at = wg_reader_pos(&d->r);
        uint8_t b = 0;
        if (!wg__cdec_byte(d, &b)) return false;
        wg_citem *it;
        if (b == 0x00) {
            if (!(it = new_item(d, items, WG_CD_CORE_INSTANTIATE, at))) return false;
            if (!wg__cdec_u32(d, &it->u.core_instantiate.module)) return false;
            if (!core_args(d, false, &it->u.core_instantiate.nargs, &it->u.core_instantiate.args))
                return false;
        } else if (b == 0x01) {
            if (!(it = new_item(d, items, WG_CD_CORE_EXPORTS, at))) return false;
            if (!core_args(d, true, &it->u.exports.n, &it->u.exports.exports)) return false;
        } else {
            return wg__cdec_bad_byte(d, b, "core instance");
        }
    }
    return true;
}

static bool sec_instances(wg_cdec *d, item_vec *items) {
    uint32_t n;
    if (!wg__cdec_count(d, &n)) return false;
    for (uint32_t i = 0; i < n; i++) {
        size_t at = wg_reader_pos(&d->r);
        uint8_t b = 0;
        if (!wg__cdec_byte(d, &b)) return false;
        wg_citem *it;
        if (b == 0x00) {
            if (!(it = new_item(d, items, WG_CD_INSTANTIATE, at))) return false;
            if (!wg__cdec_u32(d, &it->u.instantiate.component)) return false;
            if (!args(d, false, &it->u.instantiate.nargs, &it->u.instantiate.args)) return false;
        } else if (b == 0x01) {
            if (!(it = new_item(d, items, WG_CD_EXPORTS, at))) return false;
            if (!args(d, true, &it->u.exports.n, &it->u.exports.exports)) return false;
        } else {
            return wg__cdec_bad_byte(d, b, "instance");
        }
    }
    return true;
}

static bool sec_aliases(wg_cdec *d, item_vec *items) {
    uint32_t n;
    if (!wg__cdec_count(d, &n)) return false;
    for (uint32_t i = 0; i < n; i++) {
        wg_citem *it = new_item(d, items, WG_CD_ALIAS, wg_reader_pos(&d->r));
        if (!it || !wg__cdec_alias(d, &it->u.alias)) return false;
    }
    return true;
}

static bool sec_types(wg_cdec *d, item_vec *items) {
    uint32_t n;
    if (!wg__cdec_count(d, &n)) return false;
    for (uint32_t i = 0; i < n; i++) {
        wg_citem *it = new_item(d, items, WG_CD_TYPE, wg_reader_pos(&d->r));
        if (!it || !wg__cdec_deftype(d, &it->u.type.raw)) return false;
        it->u.type.resource = WG_CNONE;
    }
    return true;
}

static bool sec_core_types(wg_cdec *d, item_vec *items) {
    uint32_t n;
    if (!wg__cdec_count(d, &n)) return false;
    for (uint32_t i = 0; i < n; i++) {
        wg_citem *it = new_item(d, items, WG_CD_CORE_TYPE, wg_reader_pos(&d->r));
        if (!it || !wg__cdec_core_type(d, &it->u.core_type)) return false;
    }
    return true;
}

static bool sec_canons(wg_cdec *d, item_vec *items) {
    uint32_t n;
    if (!wg__cdec_count(d, &n)) return false;
    for (uint32_t i = 0; i < n; i++) {
        wg_citem *it = new_item(d, items, WG_CD_CANON, wg_reader_pos(&d->r));
        if (!it || !wg__cdec_canon(d, &it->u.canon)) return false;
    }
    return true;
}

static bool sec_start(wg_cdec *d, item_vec *items) {
    wg_citem *it = new_item(d, items, WG_CD_START, wg_reader_pos(&d->r));
    if (!it || !wg__cdec_u32(d, &it->u.start.func)) return false;
    uint32_t n;
    if (!wg__cdec_count(d, &n)) return false;
    uint32_t *a = WG_ARENA_ARRAY(d->arena, uint32_t, n);
    if (!a && n) return wg__cdec_oom(d);
    for (uint32_t i = 0; i < n; i++)
        if (!wg__cdec_u32(d, &a[i])) return false;
    it->u.start.nargs = n;
    it->u.start.args = a;
    return wg__cdec_u32(d, &it->u.start.nresults);
}

static bool sec_imports(wg_cdec *d, item_vec *items) {
    uint32_t n;
    if (!wg__cdec_count(d, &n)) return false;
    for (uint32_t i = 0; i < n; i++) {
        wg_citem *it = new_item(d, items, WG_CD_IMPORT, wg_reader_pos(&d->r));
        if (!it || !wg__cdec_nameattrs(d, &it->u.import.name)) return false;
        if (!wg__cdec_extern(d, &it->u.import.ext)) return false;
    }
    return true;
}

static bool sec_exports(wg_cdec *d, item_vec *items) {
    uint32_t n;
    if (!wg__cdec_count(d, &n)) return false;
    for (uint32_t i = 0; i < n; i++) {
        wg_citem *it = new_item(d, items, WG_CD_EXPORT, wg_reader_pos(&d->r));
        if (!it || !wg__cdec_nameattrs(d, &it->u.export_.name)) return false;
        if (!wg__cdec_sort(d, &it->u.export_.item.sort, "component external kind")) return false;
        if (!wg__cdec_u32(d, &it->u.export_.item.idx)) return false;
        uint8_t b = 0;
        if (!wg__cdec_byte(d, &b)) return false;
        if (b > 1) return wg__cdec_bad_byte(d, b, "optional component export type");
        it->u.export_.has_ext = b == 1;
        if (b == 1 && !wg__cdec_extern(d, &it->u.export_.ext)) return false;
    }
    return true;
}

static bool sec_core_module(wg_cdec *d, item_vec *items) {
    size_t at = wg_reader_pos(&d->r);
    size_t len = (size_t)(d->r.end - d->r.p);
    /* Tell a component from a module early: the core engine would only say
     * "unknown binary version". */
    if (len >= 8 && memcmp(d->r.p, "\0asm", 4) == 0 && d->r.p[6] != 0)
        return wg__cdec_fail_at(d, at, "expected a version header for a module");
    wg_citem *it = new_item(d, items, WG_CD_CORE_MODULE, at);
    if (!it) return false;
    it->u.core_module.bytes = d->r.p;
    it->u.core_module.len = len;
    d->r.p = d->r.end;
    return true;
}

static bool sec_component(wg_cdec *d, wg_cdef *def, item_vec *items) {
    size_t at = wg_reader_pos(&d->r);
    size_t end = (size_t)(d->r.end - d->r.base);
    if (d->depth + 1 > WG_CDEC_MAX_DEPTH)
        return wg__cdec_fail_kind(d, WG_ERR_RESOURCE, at,
                                  "components nested too deeply (more than %d levels)",
                                  WG_CDEC_MAX_DEPTH);
    wg_citem *it = new_item(d, items, WG_CD_COMPONENT, at);
    if (!it) return false;
    /* The nested decoder works on a reader of its own; ours resumes after. */
    wg_reader saved = d->r;
    int saved_sec = d->sec;
    d->depth++;
    wg_cdef *child = wg__cdec_component(d, def, at, end);
    d->depth--;
    d->r = saved;
    d->sec = saved_sec;
    if (!child) return false;
    /* `it` may have moved while the child was decoded: items belong to us. */
    items->data[items->len - 1].u.component = child;
    d->r.p = d->r.end;
    return true;
}

static bool section(wg_cdec *d, wg_cdef *def, item_vec *items, uint8_t id) {
    switch (id) {
    case 0: return wg__cdec_custom(d, def);
    case 1: return sec_core_module(d, items);
    case 2: return sec_core_instances(d, items);
    case 3: return sec_core_types(d, items);
    case 4: return sec_component(d, def, items);
    case 5: return sec_instances(d, items);
    case 6: return sec_aliases(d, items);
    case 7: return sec_types(d, items);
    case 8: return sec_canons(d, items);
    case 9: return sec_start(d, items);
    case 10: return sec_imports(d, items);
    case 11: return sec_exports(d, items);
    default:
        return wg__cdec_fail_kind(d, WG_ERR_INVALID, wg_reader_pos(&d->r),
                                  "component values (🪙, the value section) are not supported");
    }
}

/* The preamble at bytes[start..]: component version and layer. */
static bool preamble(wg_cdec *d, bool nested) {
    const uint8_t *p;
    size_t at = wg_reader_pos(&d->r);
    if ((size_t)(d->r.end - d->r.p) < 4 || memcmp(d->r.p, "\0asm", 4) != 0) {
        if ((size_t)(d->r.end - d->r.p) < 4) return wg__cdec_fail_at(d, at, "unexpected end-of-file");
        return wg__cdec_fail_at(d, at, "magic header not detected");
    }
    d->r.p += 4;
    if (!wg_read_bytes(&d->r, 4, &p)) return wg__cdec_reader_fail(d);
    uint16_t version = (uint16_t)(p[0] | p[1] << 8), layer = (uint16_t)(p[2] | p[3] << 8);
    if (layer == 0 && version == 1)
        return wg__cdec_fail_at(d, at + 4, nested ? "expected a version header for a component"
                                                  : "this is a core module, not a component");
    if (layer != 1) return wg__cdec_fail_at(d, at + 6, "unknown binary layer 0x%x", layer);
    if (version != 0x0d) return wg__cdec_fail_at(d, at + 4, "unknown binary version 0x%x", version);
    return true;
}

/* Moves the decoded items into the arena and records the index spaces'
 * shape the validator fills (nothing else yet). */
static bool finish(wg_cdec *d, wg_cdef *def, item_vec *items) {
    def->nitems = items->len;
    def->items = WG_ARENA_ARRAY(d->arena, wg_citem, items->len);
    if (!def->items && items->len) return wg__cdec_oom(d);
    if (items->len) memcpy(def->items, items->data, items->len * sizeof *items->data);
    return true;
}

wg_cdef *wg__cdec_component(wg_cdec *d, wg_cdef *parent, size_t start, size_t end) {
    wg_cdef *def = WG_ARENA_NEW(d->arena, wg_cdef);
    if (!def) {
        wg__cdec_oom(d);
        return NULL;
    }
    def->parent = parent;
    def->depth = parent ? parent->depth + 1 : 0;
    def->offset = start;
    def->end = end;
    d->r.p = d->r.base + start;
    d->r.end = d->r.base + end;
    d->r.err = NULL;
    d->sec = -1;
    if (!preamble(d, parent != NULL)) return NULL;

    item_vec items = {0};
    while (d->r.p < d->r.base + end) {
        size_t at = wg_reader_pos(&d->r);
        uint8_t id;
        uint32_t size;
        d->sec = -1;
        if (!wg__cdec_byte(d, &id)) goto fail;
        if (id > 12) {
            wg__cdec_fail_at(d, at, "malformed section id: %u", id);
            goto fail;
        }
        d->sec = id;
        if (!wg__cdec_u32(d, &size)) goto fail;
        if (size > (size_t)(d->r.base + end - d->r.p)) {
            wg__cdec_fail_at(d, at, "unexpected end-of-file (section size %u, %zu bytes left)", size,
                             (size_t)(d->r.base + end - d->r.p));
            goto fail;
        }
        d->r.end = d->r.p + size;
        if (!section(d, def, &items, id)) goto fail;
        if (d->r.p != d->r.end) {
            wg__cdec_fail_at(d, wg_reader_pos(&d->r),
                             "unexpected content after the last item of the section");
            goto fail;
        }
        d->r.end = d->r.base + end;
    }
    d->sec = -1;
    if (!finish(d, def, &items)) goto fail;
    WG_VEC_FREE(items);
    return def;
fail:
    WG_VEC_FREE(items);
    return NULL;
}
