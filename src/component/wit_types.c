/*
 * WIT printing (wit_int.h): the output with indentation, the name table,
 * type references, type declarations and function signatures, as
 * wit-component's printer (printing.rs) writes them.
 */
#include <stdio.h>
#include <string.h>

#include "component/wit_int.h"

/* ---- output ---------------------------------------------------------------------- */

static void indent_if_needed(wg_witp *p) {
    if (!p->needs_indent) return;
    wg__sb_repeat(p->out, ' ', 2 * (size_t)p->indent);
    p->needs_indent = false;
}

void wg__wit_strn(wg_witp *p, const char *s, size_t n) {
    indent_if_needed(p);
    wg__sb_put(p->out, s, n);
}

void wg__wit_str(wg_witp *p, const char *s) { wg__wit_strn(p, s, strlen(s)); }

void wg__wit_newline(wg_witp *p) {
    wg__sb_putc(p->out, '\n');
    p->needs_indent = true;
}

void wg__wit_open(wg_witp *p) {
    wg__sb_puts(p->out, " {");
    p->indent++;
    wg__wit_newline(p);
}

void wg__wit_close(wg_witp *p) {
    if (p->indent) p->indent--;
    indent_if_needed(p);
    wg__sb_putc(p->out, '}');
    wg__wit_newline(p);
}

void wg__wit_semicolon(wg_witp *p) {
    wg__sb_putc(p->out, ';');
    wg__wit_newline(p);
}

void wg__wit_new_item(wg_witp *p) {
    if (p->any_items) wg__wit_newline(p);
    p->any_items = true;
}

/* wit-component's is_keyword: names that need a % in WIT. */
static bool is_keyword(const char *s) {
    static const char *const kws[] = {
        "use", "type", "func", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64",
        "float32", "float64", "char", "resource", "record", "flags", "variant", "enum", "bool",
        "string", "option", "result", "future", "stream", "list", "own", "borrow", "_", "as",
        "from", "static", "interface", "tuple", "world", "import", "export", "package", "with",
        "include", "constructor", "error-context", "async", "map",
    };
    for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
        if (strcmp(s, kws[i]) == 0) return true;
    return false;
}

void wg__wit_name(wg_witp *p, const char *name) {
    if (is_keyword(name)) wg__wit_str(p, "%");
    wg__wit_str(p, name);
}

/* ---- names ---------------------------------------------------------------------- */

uint64_t wg__wit_key_tyref(wg_ctyref t) {
    if (t.kind == WG_CTY_VALUE) return wg__wit_key_val(t.of.value);
    if (t.kind == WG_CTY_RESOURCE) return wg__wit_key_res(t.of.resource.id);
    return 0;
}

bool wg__wit_register(wg_witp *p, int owner, uint64_t key, const char *name) {
    if (!key) return true;
    wg_witname n = {owner, key, name};
    if (!WG_VEC_PUSH(p->names, n)) p->oom = true;
    return !p->oom;
}

const wg_witname *wg__wit_first(const wg_witp *p, uint64_t key) {
    for (uint32_t i = 0; i < p->names.len; i++)
        if (p->names.data[i].key == key) return &p->names.data[i];
    return NULL;
}

const wg_witname *wg__wit_lookup(const wg_witp *p, uint64_t key, int owner) {
    for (uint32_t i = 0; i < p->names.len; i++)
        if (p->names.data[i].key == key && p->names.data[i].owner == owner) return &p->names.data[i];
    return wg__wit_first(p, key);
}

/* ---- type references --------------------------------------------------------------- */

static const char *prim(wg_ctype_kind k) {
    switch (k) {
    case WG_CT_BOOL: return "bool";
    case WG_CT_S8: return "s8";
    case WG_CT_U8: return "u8";
    case WG_CT_S16: return "s16";
    case WG_CT_U16: return "u16";
    case WG_CT_S32: return "s32";
    case WG_CT_U32: return "u32";
    case WG_CT_S64: return "s64";
    case WG_CT_U64: return "u64";
    case WG_CT_F32: return "f32";
    case WG_CT_F64: return "f64";
    case WG_CT_CHAR: return "char";
    case WG_CT_STRING: return "string";
    case WG_CT_ERROR_CONTEXT: return "error-context";
    default: return NULL;
    }
}

/* A resource's name as owner sees it (or `resource-N`, which WIT would not take). */
static void resource_name(wg_witp *p, uint32_t slot, int owner) {
    const wg_witname *n = wg__wit_lookup(p, wg__wit_key_res(slot), owner);
    if (n) {
        wg__wit_name(p, n->name);
        return;
    }
    char buf[32];
    snprintf(buf, sizeof buf, "resource-%u", slot);
    wg__wit_str(p, buf);
}

/* Fields / cases / labels of an unnamed record, variant, enum or flags:
 * `record { a: u8, b: u8 }` (not WIT: WIT names these types). */
static void inline_body(wg_witp *p, const wg_ctype *t, int owner) {
    wg__wit_str(p, " { ");
    for (uint32_t i = 0; i < t->n; i++) {
        if (i) wg__wit_str(p, ", ");
        if (t->kind == WG_CT_ENUM || t->kind == WG_CT_FLAGS) {
            wg__wit_name(p, t->labels[i]);
            continue;
        }
        wg__wit_name(p, t->fields[i].name);
        if (!t->fields[i].type) continue;
        if (t->kind == WG_CT_RECORD) {
            wg__wit_str(p, ": ");
            wg__wit_type(p, t->fields[i].type, owner);
        } else {
            wg__wit_str(p, "(");
            wg__wit_type(p, t->fields[i].type, owner);
            wg__wit_str(p, ")");
        }
    }
    wg__wit_str(p, " }");
}

/* The structure of t (never its own name). */
static void structure(wg_witp *p, const wg_ctype *t, int owner) {
    const char *name = prim(t->kind);
    if (name) {
        wg__wit_str(p, name);
        return;
    }
    switch (t->kind) {
    case WG_CT_LIST:
        wg__wit_str(p, "list<");
        wg__wit_type(p, t->elem, owner);
        if (t->n) {
            char n[16];
            snprintf(n, sizeof n, ", %u", t->n);
            wg__wit_str(p, n);
        }
        wg__wit_str(p, ">");
        return;
    case WG_CT_MAP:
        wg__wit_str(p, "map<");
        wg__wit_type(p, t->elem, owner);
        wg__wit_str(p, ", ");
        wg__wit_type(p, t->elem2, owner);
        wg__wit_str(p, ">");
        return;
    case WG_CT_TUPLE:
        wg__wit_str(p, "tuple<");
        for (uint32_t i = 0; i < t->n; i++) {
            if (i) wg__wit_str(p, ", ");
            wg__wit_type(p, t->fields[i].type, owner);
        }
        wg__wit_str(p, ">");
        return;
    case WG_CT_OPTION:
        wg__wit_str(p, "option<");
        wg__wit_type(p, t->elem, owner);
        wg__wit_str(p, ">");
        return;
    case WG_CT_RESULT:
        wg__wit_str(p, "result");
        if (!t->elem && !t->elem2) return;
        wg__wit_str(p, "<");
        if (t->elem) wg__wit_type(p, t->elem, owner);
        else wg__wit_str(p, "_");
        if (t->elem2) {
            wg__wit_str(p, ", ");
            wg__wit_type(p, t->elem2, owner);
        }
        wg__wit_str(p, ">");
        return;
    case WG_CT_OWN:
        resource_name(p, t->resource, owner);
        return;
    case WG_CT_BORROW:
        wg__wit_str(p, "borrow<");
        resource_name(p, t->resource, owner);
        wg__wit_str(p, ">");
        return;
    case WG_CT_STREAM:
    case WG_CT_FUTURE:
        wg__wit_str(p, t->kind == WG_CT_STREAM ? "stream" : "future");
        if (t->elem) {
            wg__wit_str(p, "<");
            wg__wit_type(p, t->elem, owner);
            wg__wit_str(p, ">");
        }
        return;
    case WG_CT_RECORD: wg__wit_str(p, "record"); break;
    case WG_CT_VARIANT: wg__wit_str(p, "variant"); break;
    case WG_CT_ENUM: wg__wit_str(p, "enum"); break;
    case WG_CT_FLAGS: wg__wit_str(p, "flags"); break;
    default: wg__wit_str(p, "?"); return;
    }
    inline_body(p, t, owner);
}

void wg__wit_type(wg_witp *p, const wg_ctype *t, int owner) {
    /* Any type, primitives included, may carry a name: `type instant = u64`
     * makes a type object of its own (the validator's (eq T)), which the
     * functions beside it use, while the plain u64 they may also use is
     * another object. */
    const wg_witname *n = wg__wit_lookup(p, wg__wit_key_val(t), owner);
    if (n) {
        wg__wit_name(p, n->name);
        return;
    }
    structure(p, t, owner);
}

/* ---- declarations ------------------------------------------------------------------ */

void wg__wit_declare(wg_witp *p, const char *name, const wg_ctype *t, int owner) {
    const char *kw = NULL;
    switch (t->kind) {
    case WG_CT_RECORD: kw = "record"; break;
    case WG_CT_VARIANT: kw = "variant"; break;
    case WG_CT_ENUM: kw = "enum"; break;
    case WG_CT_FLAGS: kw = "flags"; break;
    default: break;
    }
    if (!kw) {
        /* type name = T; (a handle is written own<R>, as wit-component does). */
        wg__wit_str(p, "type ");
        wg__wit_name(p, name);
        wg__wit_str(p, " = ");
        if (t->kind == WG_CT_OWN) {
            wg__wit_str(p, "own<");
            resource_name(p, t->resource, owner);
            wg__wit_str(p, ">");
        } else {
            structure(p, t, owner);
        }
        wg__wit_semicolon(p);
        return;
    }
    wg__wit_str(p, kw);
    wg__wit_str(p, " ");
    wg__wit_name(p, name);
    wg__wit_open(p);
    for (uint32_t i = 0; i < t->n; i++) {
        if (t->kind == WG_CT_ENUM || t->kind == WG_CT_FLAGS) {
            wg__wit_name(p, t->labels[i]);
        } else {
            wg__wit_name(p, t->fields[i].name);
            if (t->kind == WG_CT_RECORD) {
                wg__wit_str(p, ": ");
                wg__wit_type(p, t->fields[i].type, owner);
            } else if (t->fields[i].type) {
                wg__wit_str(p, "(");
                wg__wit_type(p, t->fields[i].type, owner);
                wg__wit_str(p, ")");
            }
        }
        wg__wit_str(p, ",");
        wg__wit_newline(p);
    }
    wg__wit_close(p);
}

/* ---- functions --------------------------------------------------------------------- */

void wg__wit_func(wg_witp *p, const wg_cfunctype *f, int owner, bool async, bool skip_self,
                  bool constructor, uint32_t resource) {
    if (async || f->async) wg__wit_str(p, "async ");
    wg__wit_str(p, constructor ? "constructor(" : "func(");
    uint32_t first = skip_self && f->nparams ? 1 : 0;
    for (uint32_t i = first; i < f->nparams; i++) {
        if (i > first) wg__wit_str(p, ", ");
        wg__wit_name(p, f->params[i].name);
        wg__wit_str(p, ": ");
        wg__wit_type(p, f->params[i].type, owner);
    }
    wg__wit_str(p, ")");
    if (!f->result) return;
    /* A constructor returning just own<its resource> is the shorthand form. */
    if (constructor && f->result->kind == WG_CT_OWN && f->result->resource == resource) return;
    wg__wit_str(p, " -> ");
    wg__wit_type(p, f->result, owner);
}
