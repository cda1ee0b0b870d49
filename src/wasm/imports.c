/*
 * The wg_imports map: (module, name) byte strings -> an extern (kind + object).
 *
 * Open addressing with linear probing over a power-of-two slot array, at most
 * half full, keyed by an FNV-1a hash of both strings. Keys are owned copies;
 * values are borrowed, except host functions made by wg_imports_add_host and
 * failed instances handed over by instance.c (wg__imports_adopt), which the map
 * owns and frees with itself. Replaced host functions stay owned until then,
 * since instances made earlier may still call them.
 *
 * Lookups never write, so any number of threads may instantiate from one map at
 * once; adding entries needs the caller's exclusive access. Adoption takes the
 * map's own mutex because it happens during (possibly concurrent) instantiation.
 */
#include "wasm/instance_int.h"

#include "util/vec.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char *key;               /* module bytes followed by name bytes; NULL = empty slot */
    size_t module_len, name_len;
    uint64_t hash;
    wg_extern_kind kind;
    void *ptr;               /* wg_func *, wg_table *, wg_memory * or wg_global * */
} entry;

struct wg_imports {
    entry *slots;            /* [cap] */
    size_t cap;              /* power of two, or 0 */
    size_t count;            /* used slots */
    WG_VEC(wg_func *) owned_funcs;        /* from wg_imports_add_host */
    WG_VEC(wg_instance *) adopted;        /* failed instances kept alive */
    pthread_mutex_t lock;    /* guards `adopted` */
};

static uint64_t hash_key(const char *module, size_t module_len, const char *name,
                         size_t name_len) {
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < module_len; i++) h = (h ^ (uint8_t)module[i]) * 0x100000001b3u;
    h = (h ^ 0xff) * 0x100000001b3u;  /* separator: "a"+"bc" differs from "ab"+"c" */
    h = (h ^ module_len) * 0x100000001b3u;
    for (size_t i = 0; i < name_len; i++) h = (h ^ (uint8_t)name[i]) * 0x100000001b3u;
    return h;
}

/* The slot holding the key, or the empty slot where it would go. cap > 0. */
static entry *find_slot(entry *slots, size_t cap, uint64_t hash, const char *module,
                        size_t module_len, const char *name, size_t name_len) {
    size_t mask = cap - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        entry *e = &slots[i];
        if (!e->key) return e;
        if (e->hash == hash && e->module_len == module_len && e->name_len == name_len &&
            memcmp(e->key, module, module_len) == 0 &&
            memcmp(e->key + module_len, name, name_len) == 0)
            return e;
    }
}

static bool rehash(wg_imports *im, size_t cap) {
    entry *slots = calloc(cap, sizeof *slots);
    if (!slots) return false;
    for (size_t i = 0; i < im->cap; i++) {
        entry *e = &im->slots[i];
        if (!e->key) continue;
        size_t j = (size_t)e->hash & (cap - 1);
        while (slots[j].key) j = (j + 1) & (cap - 1);
        slots[j] = *e;
    }
    free(im->slots);
    im->slots = slots;
    im->cap = cap;
    return true;
}

/* Inserts or replaces module::name. False when out of memory (map unchanged). */
static bool put(wg_imports *im, const char *module, size_t module_len, const char *name,
                size_t name_len, wg_extern_kind kind, void *ptr) {
    if (!im || !ptr || (!module && module_len) || (!name && name_len)) return false;
    if ((im->count + 1) * 2 > im->cap && !rehash(im, im->cap ? im->cap * 2 : 16)) return false;
    uint64_t hash = hash_key(module, module_len, name, name_len);
    entry *e = find_slot(im->slots, im->cap, hash, module, module_len, name, name_len);
    if (!e->key) {
        char *key = malloc(module_len + name_len + 1);
        if (!key) return false;
        if (module_len) memcpy(key, module, module_len);
        if (name_len) memcpy(key + module_len, name, name_len);
        key[module_len + name_len] = '\0';
        e->key = key;
        e->module_len = module_len;
        e->name_len = name_len;
        e->hash = hash;
        im->count++;
    }
    e->kind = kind;
    e->ptr = ptr;
    return true;
}

/* See instance_int.h. A hash probe; the map is not modified. */
bool wg__imports_lookup(const wg_imports *im, const char *module, size_t module_len,
                        const char *name, size_t name_len, wg_extern_kind *kind, void **ptr) {
    if (!im || im->cap == 0) return false;
    uint64_t hash = hash_key(module, module_len, name, name_len);
    const entry *e = find_slot(im->slots, im->cap, hash, module, module_len, name, name_len);
    if (!e->key) return false;
    *kind = e->kind;
    *ptr = e->ptr;
    return true;
}

/* See instance_int.h. The instance is freed by wg_imports_free. */
bool wg__imports_adopt(const wg_imports *cim, wg_instance *inst) {
    /* The map was created non-const by wg_imports_new; adoption is bookkeeping
     * that does not change what lookups see. */
    wg_imports *im = (wg_imports *)cim;
    if (!im) return false;
    pthread_mutex_lock(&im->lock);
    bool ok = WG_VEC_PUSH(im->adopted, inst);
    pthread_mutex_unlock(&im->lock);
    return ok;
}

/* An empty map; free with wg_imports_free. */
wg_imports *wg_imports_new(void) {
    wg_imports *im = calloc(1, sizeof *im);
    if (!im) return NULL;
    if (pthread_mutex_init(&im->lock, NULL) != 0) {
        free(im);
        return NULL;
    }
    return im;
}

/* Frees the map, the host functions it made, and the failed instances it adopted
 * (their modules must still be alive). Borrowed objects are left alone. */
void wg_imports_free(wg_imports *im) {
    if (!im) return;
    for (size_t i = 0; i < im->cap; i++) free(im->slots[i].key);
    free(im->slots);
    for (uint32_t i = 0; i < im->adopted.len; i++) wg_instance_free(im->adopted.data[i]);
    WG_VEC_FREE(im->adopted);
    for (uint32_t i = 0; i < im->owned_funcs.len; i++) wg_func_free(im->owned_funcs.data[i]);
    WG_VEC_FREE(im->owned_funcs);
    pthread_mutex_destroy(&im->lock);
    free(im);
}

static size_t cstrlen(const char *s) { return s ? strlen(s) : 0; }

/* Adds (or replaces) module::name -> f (borrowed). */
bool wg_imports_add_func(wg_imports *im, const char *module, const char *name, wg_func *f) {
    return put(im, module, cstrlen(module), name, cstrlen(name), WG_EXTERN_FUNC, f);
}

/* Adds (or replaces) module::name -> m (borrowed). */
bool wg_imports_add_memory(wg_imports *im, const char *module, const char *name, wg_memory *m) {
    return put(im, module, cstrlen(module), name, cstrlen(name), WG_EXTERN_MEMORY, m);
}

/* Adds (or replaces) module::name -> t (borrowed). */
bool wg_imports_add_table(wg_imports *im, const char *module, const char *name, wg_table *t) {
    return put(im, module, cstrlen(module), name, cstrlen(name), WG_EXTERN_TABLE, t);
}

/* Adds (or replaces) module::name -> g (borrowed). */
bool wg_imports_add_global(wg_imports *im, const char *module, const char *name, wg_global *g) {
    return put(im, module, cstrlen(module), name, cstrlen(name), WG_EXTERN_GLOBAL, g);
}

/* Makes a host function owned by the map and adds it as module::name. */
bool wg_imports_add_host(wg_imports *im, const char *module, const char *name,
                         const uint8_t *params, uint32_t nparams,
                         const uint8_t *results, uint32_t nresults,
                         wg_host_fn fn, void *userdata) {
    if (!im) return false;
    if (!WG_VEC_RESERVE(im->owned_funcs, 1)) return false;
    wg_func *f = wg_func_new_host(params, nparams, results, nresults, fn, userdata);
    if (!f) return false;
    if (!wg_imports_add_func(im, module, name, f)) {
        wg_func_free(f);
        return false;
    }
    im->owned_funcs.data[im->owned_funcs.len++] = f;
    return true;
}

/* Adds every export of inst as module_name::export_name (borrowed from inst). */
bool wg_imports_add_instance(wg_imports *im, const char *module_name, wg_instance *inst) {
    if (!im || !inst) return false;
    const wg_module *m = inst->module;
    size_t module_len = cstrlen(module_name);
    for (uint32_t i = 0; i < m->nexports; i++) {
        const wg_export *ex = &m->exports[i];
        void *ptr = NULL;
        switch (ex->kind) {
        case WG_EXTERN_FUNC: ptr = inst->funcs[ex->index]; break;
        case WG_EXTERN_TABLE: ptr = inst->tables[ex->index]; break;
        case WG_EXTERN_MEMORY: ptr = inst->mems[ex->index]; break;
        case WG_EXTERN_GLOBAL: ptr = inst->globals[ex->index]; break;
        default: continue;
        }
        if (!put(im, module_name, module_len, ex->name, ex->name_len, (wg_extern_kind)ex->kind, ptr))
            return false;
    }
    return true;
}
