/*
 * The component linker (wg_clinker, include/wasmgate/component.h): a tree
 * of named definitions. Inner nodes are instances ("wasi:io/streams@0.2.6",
 * "host" then "nested"), leaves are host functions, host resource types,
 * core modules, or another instance's exports (define_instance).
 *
 * Nodes are never freed before the linker: an instance made earlier points
 * at the host function definitions it linked, so a replaced definition is
 * unhooked from the tree and kept on the `retired` list. Lookups only read,
 * so any number of threads may instantiate with a linker at once.
 */
#include <stdlib.h>
#include <string.h>

#include "component/canon_int.h"
#include "component/cinst.h"

/* A host resource type: the wg_rtype first, so that a destructor call can
 * find the rest. */
typedef struct lk_res {
    wg_rtype rt;
    wg_chost_dtor dtor;
    void *data;
    char *name;
} lk_res;

/* Data handed over with wg_clinker_adopt. */
typedef struct lk_adopted {
    void *data;
    void (*release)(void *data);
} lk_adopted;

struct wg_clinker {
    lk_node root;
    WG_VEC(lk_node *) retired;
    WG_VEC(lk_res *) resources;
    WG_VEC(lk_adopted) adopted;
};

static void node_free(lk_node *n) {
    if (!n) return;
    for (uint32_t i = 0; i < n->nkids; i++) node_free(n->kids[i]);
    free(n->kids);
    free(n->name);
    free(n);
}

wg_clinker *wg_clinker_new(void) {
    wg_clinker *l = calloc(1, sizeof *l);
    if (l) l->root.kind = LK_INSTANCE;
    return l;
}

void wg_clinker_free(wg_clinker *l) {
    if (!l) return;
    for (uint32_t i = 0; i < l->root.nkids; i++) node_free(l->root.kids[i]);
    free(l->root.kids);
    for (uint32_t i = 0; i < l->retired.len; i++) node_free(l->retired.data[i]);
    WG_VEC_FREE(l->retired);
    for (uint32_t i = 0; i < l->resources.len; i++) {
        free(l->resources.data[i]->name);
        free(l->resources.data[i]);
    }
    WG_VEC_FREE(l->resources);
    for (uint32_t i = 0; i < l->adopted.len; i++)
        if (l->adopted.data[i].release) l->adopted.data[i].release(l->adopted.data[i].data);
    WG_VEC_FREE(l->adopted);
    free(l);
}

bool wg_clinker_adopt(wg_clinker *l, void *data, void (*release)(void *data)) {
    if (!l || !WG_VEC_RESERVE(l->adopted, 1)) return false;
    l->adopted.data[l->adopted.len++] = (lk_adopted){data, release};
    return true;
}

const lk_node *wg__lk_root(const wg_clinker *l) { return l ? &l->root : NULL; }

const lk_node *wg__lk_find(const lk_node *inst, const char *name, size_t len) {
    if (!inst || inst->kind != LK_INSTANCE) return NULL;
    /* The common case first: the name itself. */
    for (uint32_t i = 0; i < inst->nkids; i++)
        if (inst->kids[i]->len == len && memcmp(inst->kids[i]->name, name, len) == 0) return inst->kids[i];
    if (!memchr(name, '@', len)) return NULL;
    const lk_node *best = NULL;
    uint64_t best_rank = 0, rank;
    for (uint32_t i = 0; i < inst->nkids; i++) {
        const lk_node *k = inst->kids[i];
        if (wg__cname_compatible(name, len, k->name, k->len, &rank) && (!best || rank > best_rank)) {
            best = k;
            best_rank = rank;
        }
    }
    return best;
}

/* The child named exactly name[0..len), or NULL. */
static lk_node *child(lk_node *inst, const char *name, size_t len, uint32_t *at) {
    for (uint32_t i = 0; i < inst->nkids; i++) {
        lk_node *k = inst->kids[i];
        if (k->len == len && memcmp(k->name, name, len) == 0) {
            if (at) *at = i;
            return k;
        }
    }
    return NULL;
}

static lk_node *new_node(const char *name, size_t len, uint8_t kind) {
    lk_node *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    n->name = malloc(len + 1);
    if (!n->name) {
        free(n);
        return NULL;
    }
    memcpy(n->name, name, len);
    n->name[len] = '\0';
    n->len = len;
    n->kind = kind;
    return n;
}

static bool add_kid(lk_node *inst, lk_node *k) {
    if (inst->nkids == inst->cap) {
        uint32_t cap = inst->cap ? inst->cap * 2 : 8;
        lk_node **a = realloc(inst->kids, cap * sizeof *a);
        if (!a) return false;
        inst->kids = a;
        inst->cap = cap;
    }
    inst->kids[inst->nkids++] = k;
    return true;
}

/* The instance node for iface ("a#b"; NULL or "": the root), created as
 * needed. NULL when a part is defined as something else, or out of memory. */
static lk_node *instance_node(wg_clinker *l, const char *iface) {
    lk_node *cur = &l->root;
    if (!iface) return cur;
    const char *p = iface;
    while (*p) {
        size_t n = strcspn(p, "#");
        if (n == 0) return NULL;
        lk_node *k = child(cur, p, n, NULL);
        if (!k) {
            k = new_node(p, n, LK_INSTANCE);
            if (!k) return NULL;
            if (!add_kid(cur, k)) {
                node_free(k);
                return NULL;
            }
        } else if (k->kind != LK_INSTANCE) {
            return NULL;
        }
        cur = k;
        p += n;
        if (*p == '#') p++;
    }
    return cur;
}

/* Puts leaf into iface under its name, replacing (and retiring) any node of
 * that name. Frees leaf on failure. */
static bool define(wg_clinker *l, const char *iface, lk_node *leaf) {
    lk_node *inst = leaf ? instance_node(l, iface) : NULL;
    if (!inst || !WG_VEC_RESERVE(l->retired, 1)) {
        node_free(leaf);
        return false;
    }
    uint32_t at;
    lk_node *old = child(inst, leaf->name, leaf->len, &at);
    if (old) {
        l->retired.data[l->retired.len++] = old;
        inst->kids[at] = leaf;
        return true;
    }
    if (!add_kid(inst, leaf)) {
        node_free(leaf);
        return false;
    }
    return true;
}

static lk_node *leaf(const char *name, uint8_t kind) {
    if (!name || !*name) return NULL;
    return new_node(name, strlen(name), kind);
}

bool wg_clinker_define_func(wg_clinker *l, const char *iface, const char *name, wg_chost_fn fn,
                            void *data) {
    if (!l || !fn) return false;
    lk_node *n = leaf(name, LK_FUNC);
    if (!n) return false;
    n->fn = (ci_hostfn){fn, data};
    return define(l, iface, n);
}

/* The destructor of every host resource type (rtype.h host_dtor). */
static bool host_dtor(const wg_rtype *rt, wg_canon_inst *dropper, uint32_t rep, wg_trap *trap) {
    const lk_res *r = (const lk_res *)(const void *)rt;
    if (!r->dtor) return true;
    ci_di *di = ci_di_of(dropper);
    wg_ccall call = {.top = di->top, .rtypes = di->rtypes, .nrtypes = di->canon.nrtypes,
                     .trap = trap};
    trap->code = WG_TRAP_NONE;
    if (r->dtor(&call, rep, r->data)) return true;
    if (trap->code == WG_TRAP_NONE) wg__canon_trapf(trap, "host resource destructor failed");
    return false;
}

const wg_rtype *wg_clinker_define_resource(wg_clinker *l, const char *iface, const char *name,
                                           wg_chost_dtor dtor, void *data) {
    if (!l || !name || !*name || !WG_VEC_RESERVE(l->resources, 1)) return NULL;
    lk_res *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->name = malloc(strlen(name) + 1);
    if (!r->name) {
        free(r);
        return NULL;
    }
    strcpy(r->name, name);
    r->dtor = dtor;
    r->data = data;
    r->rt = wg__rtype_make(r->name, NULL, (wg_canon_core){NULL, NULL});
    r->rt.host_dtor = host_dtor;
    l->resources.data[l->resources.len++] = r;
    if (!wg_clinker_define_resource_type(l, iface, name, &r->rt)) return NULL;
    return &r->rt;
}

bool wg_clinker_define_resource_type(wg_clinker *l, const char *iface, const char *name,
                                     const wg_rtype *rt) {
    if (!l || !rt) return false;
    lk_node *n = leaf(name, LK_RESOURCE);
    if (!n) return false;
    n->rt = rt;
    return define(l, iface, n);
}

bool wg_clinker_define_module(wg_clinker *l, const char *iface, const char *name,
                              const wg_module *m) {
    if (!l || !m) return false;
    lk_node *n = leaf(name, LK_MODULE);
    if (!n) return false;
    n->module = m;
    return define(l, iface, n);
}

/* The bag of an exported instance at path ("a#b"), or the top level. */
static const ci_bag *exported_bag(const wg_cinstance *inst, const char *path) {
    const ci_bag *b = &inst->exports;
    for (const char *p = path ? path : ""; *p;) {
        size_t n = strcspn(p, "#");
        const ci_named *e = n ? wg__ci_bag_match(b, p, n) : NULL;
        if (!e || e->v.sort != WG_CS_INSTANCE) return NULL;
        b = e->v.of.inst;
        p += n;
        if (*p == '#') p++;
    }
    return b;
}

bool wg_clinker_define_instance(wg_clinker *l, const char *name, wg_cinstance *exporter,
                                const char *export_path) {
    if (!l || !exporter) return false;
    const ci_bag *b = exported_bag(exporter, export_path);
    if (!b) return false;
    lk_node *n = leaf(name, LK_EXTERN);
    if (!n) return false;
    n->bag = b;
    return define(l, NULL, n);
}

bool wg_rtype_is_host(const wg_rtype *rt) { return rt && !rt->impl; }

const char *wg_rtype_name(const wg_rtype *rt) {
    return rt && rt->name ? rt->name : "resource";
}
