/*
 * Route matching (router.h). Routes are kept sorted by decreasing prefix
 * length, exact before wildcard at the same length, so the first match is the
 * longest. A linear scan: manifests have tens of routes, and each comparison
 * is one length check and a memcmp.
 */
#include "gateway/router.h"

#include <stdlib.h>
#include <string.h>

typedef struct entry {
    const char *prefix; /* the whole route for exact routes; the part before "/..." for wildcards */
    size_t len;         /* strlen(prefix) */
    bool wildcard;
    size_t index;       /* position in the caller's array */
} entry;

struct wg_router {
    entry *entries;
    size_t n;
};

static int by_length_desc(const void *a, const void *b) {
    const entry *x = a, *y = b;
    if (x->len != y->len) return x->len < y->len ? 1 : -1;
    if (x->wildcard != y->wildcard) return x->wildcard ? 1 : -1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Builds the sorted entry table. The caller frees it with wg__router_free. */
wg_router *wg__router_new(const wg_app_route *routes, size_t n) {
    wg_router *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->entries = calloc(n ? n : 1, sizeof *r->entries);
    if (!r->entries) {
        free(r);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        entry *e = &r->entries[i];
        e->wildcard = routes[i].wildcard;
        e->prefix = e->wildcard ? (routes[i].prefix ? routes[i].prefix : "") : routes[i].route;
        if (!e->prefix) e->prefix = "";
        e->len = strlen(e->prefix);
        e->index = i;
    }
    r->n = n;
    qsort(r->entries, n, sizeof *r->entries, by_length_desc);
    return r;
}

/* Frees r. NULL is a no-op. */
void wg__router_free(wg_router *r) {
    if (!r) return;
    free(r->entries);
    free(r);
}

/* The first (longest) route matching path. */
bool wg__router_match(const wg_router *r, const char *path, wg_router_match *out) {
    if (!r || !path) return false;
    size_t plen = strlen(path);
    for (size_t i = 0; i < r->n; i++) {
        const entry *e = &r->entries[i];
        if (e->len > plen || memcmp(path, e->prefix, e->len) != 0) continue;
        if (e->wildcard) {
            /* "/static/..." takes "/static" and "/static/x", not "/staticx";
             * "/..." (empty prefix) takes every path. */
            if (e->len != plen && path[e->len] != '/' && e->len != 0) continue;
        } else if (e->len != plen) {
            continue;
        }
        out->index = e->index;
        out->prefix_len = e->len;
        out->path_info = e->wildcard ? path + e->len : path + plen;
        return true;
    }
    return false;
}
