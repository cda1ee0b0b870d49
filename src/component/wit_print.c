/*
 * WIT printing of a component's world (wit_print.h): the world block with
 * imports and exports in wit-component's order (print_world: interfaces,
 * then types, then functions; a blank line, then exports), then one
 * `package ns:pkg@version { interface ... }` block per package the named
 * interfaces belong to, in order of first appearance.
 */
#include "component/wit_print.h"

#include <stdlib.h>
#include <string.h>

#include "component/wit_int.h"

/* ---- interface names ----------------------------------------------------------------- */

/* Splits ns:pkg/name[@version] (copies in the arena); false if name is a
 * plain label. */
static bool split_iface(wg_witp *p, wg_witiface *f, const char *full) {
    const char *colon = strchr(full, ':');
    const char *slash = colon ? strchr(colon, '/') : NULL;
    if (!colon || !slash) return false;
    const char *at = strchr(slash, '@');
    size_t nlen = at ? (size_t)(at - slash - 1) : strlen(slash + 1);
    f->ns = wg__arena_strndup(&p->arena, full, (size_t)(colon - full));
    f->pkg = wg__arena_strndup(&p->arena, colon + 1, (size_t)(slash - colon - 1));
    f->name = wg__arena_strndup(&p->arena, slash + 1, nlen);
    f->version = at ? wg__arena_strndup(&p->arena, at + 1, strlen(at + 1)) : NULL;
    if (!f->ns || !f->pkg || !f->name || (at && !f->version)) p->oom = true;
    return !p->oom;
}

static bool same_package(const wg_witiface *a, const wg_witiface *b) {
    return a->named && b->named && strcmp(a->ns, b->ns) == 0 && strcmp(a->pkg, b->pkg) == 0 &&
           ((!a->version && !b->version) ||
            (a->version && b->version && strcmp(a->version, b->version) == 0));
}

/* `ns:pkg/name@version`, or just `name` inside its own package. */
static void iface_path(wg_witp *p, const wg_witiface *f, const wg_witiface *from) {
    if (from && same_package(f, from)) {
        wg__wit_name(p, f->name);
        return;
    }
    if (!f->named) {
        wg__wit_name(p, f->full);
        return;
    }
    wg__wit_name(p, f->ns);
    wg__wit_str(p, ":");
    wg__wit_name(p, f->pkg);
    wg__wit_str(p, "/");
    wg__wit_name(p, f->name);
    if (f->version) {
        wg__wit_str(p, "@");
        wg__wit_str(p, f->version);
    }
}

/* ---- collecting ------------------------------------------------------------------------ */

/* Registers the type exports of an instance type under owner. */
static void register_types(wg_witp *p, int owner, const wg_cinsttype *it) {
    for (uint32_t i = 0; i < it->nexports; i++) {
        const wg_cextern *x = &it->exports[i];
        if (x->type.kind == WG_EXT_TYPE)
            wg__wit_register(p, owner, wg__wit_key_tyref(x->type.of.type.created), x->name.name.s);
    }
}

static void collect(wg_witp *p, const wg_cextern *xs, uint32_t n) {
    for (uint32_t i = 0; i < n && !p->oom; i++) {
        const wg_cextern *x = &xs[i];
        if (x->type.kind == WG_EXT_TYPE) {
            wg__wit_register(p, WG_WIT_WORLD, wg__wit_key_tyref(x->type.of.type.created), x->name.name.s);
        } else if (x->type.kind == WG_EXT_INSTANCE) {
            wg_witiface f = {0};
            f.full = x->name.name.s;
            f.type = x->type.of.inst;
            f.named = split_iface(p, &f, f.full);
            if (!WG_VEC_PUSH(p->ifaces, f)) {
                p->oom = true;
                return;
            }
            register_types(p, (int)p->ifaces.len - 1, f.type);
        }
    }
}

/* The interface entry of instance extern x (collect made them in order). */
static int iface_of(const wg_witp *p, const wg_cinsttype *it, const char *full) {
    for (uint32_t i = 0; i < p->ifaces.len; i++)
        if (p->ifaces.data[i].type == it && p->ifaces.data[i].full == full) return (int)i;
    return -1;
}

/* ---- function names ---------------------------------------------------------------------- */

/* What a function's name says: [constructor]R, [method]R.f, [static]R.f
 * (and their [async ...] forms), [async]f, or a plain f. */
typedef struct fname {
    enum { FN_PLAIN, FN_CONSTRUCTOR, FN_METHOD, FN_STATIC } kind;
    bool async;
    const char *res;        /* the resource name, res_len bytes (not for plain) */
    size_t res_len;
    const char *item;       /* the function's own name */
} fname;

static bool prefixed(const char *s, const char *prefix, const char **rest) {
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n) != 0) return false;
    *rest = s + n;
    return true;
}

static fname parse_fname(const char *s) {
    fname f = {FN_PLAIN, false, NULL, 0, s};
    const char *rest;
    if (prefixed(s, "[constructor]", &rest)) {
        f.kind = FN_CONSTRUCTOR;
        f.res = rest;
        f.res_len = strlen(rest);
        f.item = rest;
        return f;
    }
    if (prefixed(s, "[method]", &rest) || (f.async = prefixed(s, "[async method]", &rest))) f.kind = FN_METHOD;
    else if (prefixed(s, "[static]", &rest) || (f.async = prefixed(s, "[async static]", &rest))) f.kind = FN_STATIC;
    else if (prefixed(s, "[async]", &rest)) {
        f.async = true;
        f.item = rest;
        return f;
    } else return f;
    const char *dot = strchr(rest, '.');
    if (!dot) {
        f.kind = FN_PLAIN;
        return f;
    }
    f.res = rest;
    f.res_len = (size_t)(dot - rest);
    f.item = dot + 1;
    return f;
}

static bool fname_for(const fname *f, const char *res) {
    return f->kind != FN_PLAIN && strlen(res) == f->res_len && memcmp(res, f->res, f->res_len) == 0;
}

/* ---- blocks ------------------------------------------------------------------------------- */

/* A resource and the functions of xs that belong to it. */
static void print_resource(wg_witp *p, const char *name, uint32_t slot, const wg_cextern *xs, uint32_t n,
                           int owner) {
    wg__wit_str(p, "resource ");
    wg__wit_name(p, name);
    bool any = false;
    for (uint32_t i = 0; i < n; i++) {
        if (xs[i].type.kind != WG_EXT_FUNC) continue;
        fname f = parse_fname(xs[i].name.name.s);
        if (!fname_for(&f, name)) continue;
        if (!any) wg__wit_open(p);
        any = true;
        if (f.kind != FN_CONSTRUCTOR) {
            wg__wit_name(p, f.item);
            wg__wit_str(p, f.kind == FN_STATIC ? ": static " : ": ");
        }
        wg__wit_func(p, xs[i].type.of.func, owner, f.async, f.kind == FN_METHOD, f.kind == FN_CONSTRUCTOR, slot);
        wg__wit_semicolon(p);
    }
    if (any) wg__wit_close(p);
    else wg__wit_semicolon(p);
}

/* The type exports of xs: `use` statements first (grouped by interface),
 * then declarations; resources with their functions. */
static void print_types(wg_witp *p, const wg_cextern *xs, uint32_t n, int owner) {
    const wg_witiface *self = owner >= 0 ? &p->ifaces.data[owner] : NULL;
    /* use: a type that another interface defined. */
    int open_from = -2;
    for (uint32_t i = 0; i < n; i++) {
        if (xs[i].type.kind != WG_EXT_TYPE) continue;
        const wg_witname *def = wg__wit_first(p, wg__wit_key_tyref(xs[i].type.of.type.referenced));
        if (!def || def->owner == owner || def->owner < 0) continue;
        if (def->owner != open_from) {
            if (open_from != -2) {
                wg__wit_str(p, "}");
                wg__wit_semicolon(p);
            }
            p->any_items = true;
            wg__wit_str(p, "use ");
            iface_path(p, &p->ifaces.data[def->owner], self);
            wg__wit_str(p, ".{");
            open_from = def->owner;
        } else {
            wg__wit_str(p, ", ");
        }
        wg__wit_name(p, def->name);
        if (strcmp(def->name, xs[i].name.name.s) != 0) {
            wg__wit_str(p, " as ");
            wg__wit_name(p, xs[i].name.name.s);
        }
    }
    if (open_from != -2) {
        wg__wit_str(p, "}");
        wg__wit_semicolon(p);
    }
    for (uint32_t i = 0; i < n; i++) {
        if (xs[i].type.kind != WG_EXT_TYPE) continue;
        wg_ctyref created = xs[i].type.of.type.created, referenced = xs[i].type.of.type.referenced;
        const char *name = xs[i].name.name.s;
        const wg_witname *def = wg__wit_first(p, wg__wit_key_tyref(referenced));
        if (def && def->owner != owner && def->owner >= 0) continue; /* a use */
        wg__wit_new_item(p);
        if (def && def->owner == owner && strcmp(def->name, name) != 0) {
            /* An alias of a type of the same interface: type a = b; */
            wg__wit_str(p, "type ");
            wg__wit_name(p, name);
            wg__wit_str(p, " = ");
            wg__wit_name(p, def->name);
            wg__wit_semicolon(p);
        } else if (created.kind == WG_CTY_RESOURCE) {
            print_resource(p, name, created.of.resource.id, xs, n, owner);
        } else if (created.kind == WG_CTY_VALUE) {
            wg__wit_declare(p, name, created.of.value, owner);
        } else {
            wg__wit_str(p, "/* type ");
            wg__wit_name(p, name);
            wg__wit_str(p, created.kind == WG_CTY_FUNC ? ": a function type" :
                           created.kind == WG_CTY_INSTANCE ? ": an instance type" : ": a component type");
            wg__wit_str(p, " (not WIT) */");
            wg__wit_newline(p);
        }
    }
}

/* Whether function name s belongs to a resource type exported in xs. */
static bool is_resource_func(const char *s, const wg_cextern *xs, uint32_t n) {
    fname f = parse_fname(s);
    if (f.kind == FN_PLAIN) return false;
    for (uint32_t i = 0; i < n; i++)
        if (xs[i].type.kind == WG_EXT_TYPE && xs[i].type.of.type.created.kind == WG_CTY_RESOURCE &&
            fname_for(&f, xs[i].name.name.s))
            return true;
    return false;
}

/* `name: func(...)` for a plain function (or one whose resource is not here). */
static void print_plain_func(wg_witp *p, const char *name, const wg_cfunctype *ft, int owner) {
    fname f = parse_fname(name);
    wg__wit_name(p, f.kind == FN_PLAIN ? f.item : name);
    wg__wit_str(p, ": ");
    wg__wit_func(p, ft, owner, f.async, false, false, 0);
    wg__wit_semicolon(p);
}

/* Anything else an instance or a world may hold, which WIT has no words for. */
static void print_other(wg_witp *p, const char *what, const char *name, uint8_t kind) {
    wg__wit_str(p, "/* ");
    if (what) {
        wg__wit_str(p, what);
        wg__wit_str(p, " ");
    }
    wg__wit_str(p, name);
    wg__wit_str(p, kind == WG_EXT_MODULE ? ": a core module" : kind == WG_EXT_COMPONENT ? ": a component" :
                   kind == WG_EXT_INSTANCE ? ": an instance" : ": a value");
    wg__wit_str(p, " (not WIT) */");
    wg__wit_newline(p);
}

static void print_interface_body(wg_witp *p, int owner) {
    const wg_cinsttype *it = p->ifaces.data[owner].type;
    bool prev = p->any_items;
    p->any_items = false;
    print_types(p, it->exports, it->nexports, owner);
    for (uint32_t i = 0; i < it->nexports; i++) {
        const wg_cextern *x = &it->exports[i];
        if (x->type.kind == WG_EXT_TYPE) continue;
        if (x->type.kind != WG_EXT_FUNC) {
            wg__wit_new_item(p);
            print_other(p, NULL, x->name.name.s, x->type.kind);
            continue;
        }
        if (is_resource_func(x->name.name.s, it->exports, it->nexports)) continue;
        wg__wit_new_item(p);
        print_plain_func(p, x->name.name.s, x->type.of.func, owner);
    }
    p->any_items = prev;
}

/* An import or export line of the world (not types). */
static void print_world_item(wg_witp *p, const wg_cextern *x, const char *keyword) {
    const char *name = x->name.name.s;
    if (x->type.kind == WG_EXT_INSTANCE) {
        int owner = iface_of(p, x->type.of.inst, name);
        wg__wit_str(p, keyword);
        wg__wit_str(p, " ");
        if (owner >= 0 && p->ifaces.data[owner].named) {
            iface_path(p, &p->ifaces.data[owner], NULL);
            wg__wit_semicolon(p);
        } else if (owner >= 0) {
            wg__wit_name(p, name);
            wg__wit_str(p, ": interface");
            wg__wit_open(p);
            print_interface_body(p, owner);
            wg__wit_close(p);
        }
    } else if (x->type.kind == WG_EXT_FUNC) {
        wg__wit_str(p, keyword);
        wg__wit_str(p, " ");
        print_plain_func(p, name, x->type.of.func, WG_WIT_WORLD);
    } else {
        print_other(p, keyword, name, x->type.kind);
    }
}

static void print_world(wg_witp *p, const wg_ccomptype *ct) {
    wg__wit_str(p, "package root:component;");
    wg__wit_newline(p);
    wg__wit_newline(p);
    wg__wit_str(p, "world root");
    wg__wit_open(p);
    p->any_items = false;
    /* Imported interfaces (and anything that is not a type or function). */
    for (uint32_t i = 0; i < ct->nimports; i++) {
        uint8_t k = ct->imports[i].type.kind;
        if (k == WG_EXT_TYPE || k == WG_EXT_FUNC) continue;
        print_world_item(p, &ct->imports[i], "import");
        p->any_items = true;
    }
    /* Types of the world itself (imported; exported ones too, which WIT
     * cannot say but a component can), with their resources' functions. */
    print_types(p, ct->imports, ct->nimports, WG_WIT_WORLD);
    print_types(p, ct->exports, ct->nexports, WG_WIT_WORLD);
    for (uint32_t i = 0; i < ct->nimports; i++) {
        const wg_cextern *x = &ct->imports[i];
        if (x->type.kind != WG_EXT_FUNC || is_resource_func(x->name.name.s, ct->imports, ct->nimports))
            continue;
        print_world_item(p, x, "import");
        p->any_items = true;
    }
    if (ct->nexports) wg__wit_new_item(p);
    for (uint32_t i = 0; i < ct->nexports; i++) {
        const wg_cextern *x = &ct->exports[i];
        if (x->type.kind == WG_EXT_TYPE) continue;
        if (x->type.kind == WG_EXT_FUNC && is_resource_func(x->name.name.s, ct->exports, ct->nexports)) continue;
        print_world_item(p, x, "export");
    }
    wg__wit_close(p);
}

/* The package blocks: each named interface once, grouped by package. */
static void print_packages(wg_witp *p) {
    bool first_pkg = true;
    for (uint32_t i = 0; i < p->ifaces.len; i++) {
        wg_witiface *lead = &p->ifaces.data[i];
        if (!lead->named || lead->printed) continue;
        if (!first_pkg) {
            wg__wit_newline(p);
            wg__wit_newline(p);
        }
        first_pkg = false;
        wg__wit_str(p, "package ");
        wg__wit_name(p, lead->ns);
        wg__wit_str(p, ":");
        wg__wit_name(p, lead->pkg);
        if (lead->version) {
            wg__wit_str(p, "@");
            wg__wit_str(p, lead->version);
        }
        wg__wit_open(p);
        for (uint32_t j = i; j < p->ifaces.len; j++) {
            wg_witiface *f = &p->ifaces.data[j];
            if (f->printed || !same_package(f, lead)) continue;
            /* The same interface imported and exported: printed once. */
            for (uint32_t k = i; k < p->ifaces.len; k++)
                if (same_package(&p->ifaces.data[k], f) && strcmp(p->ifaces.data[k].name, f->name) == 0)
                    p->ifaces.data[k].printed = true;
            wg__wit_str(p, "interface ");
            wg__wit_name(p, f->name);
            wg__wit_open(p);
            print_interface_body(p, (int)j);
            wg__wit_close(p);
        }
        wg__wit_close(p);
    }
}

bool wg__wit_print_world(const wg_ccomptype *ct, wg_strbuf *out) {
    wg_witp p;
    memset(&p, 0, sizeof p);
    p.out = out;
    collect(&p, ct->imports, ct->nimports);
    collect(&p, ct->exports, ct->nexports);
    if (!p.oom) {
        print_world(&p, ct);
        print_packages(&p);
    }
    bool ok = !p.oom && !out->oom;
    WG_VEC_FREE(p.names);
    WG_VEC_FREE(p.ifaces);
    wg__arena_free(&p.arena);
    if (!ok) out->oom = true;
    return ok;
}
