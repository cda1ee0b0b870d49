/*
 * A hash map from 64-bit keys to 64-bit values (open addressing, linear
 * probing), for identities (pointers, ids) and small records. The key
 * WG_HMAP_EMPTY is reserved. Every allocation is checked: wg__hmap_put returns
 * false when out of memory and leaves the map as it was.
 *
 *   wg_hmap m = {0};
 *   if (!wg__hmap_put(&m, key, val)) goto oom;
 *   uint64_t v; if (wg__hmap_get(&m, key, &v)) ...
 *   wg__hmap_free(&m);
 */
#ifndef WG_UTIL_HMAP_H
#define WG_UTIL_HMAP_H

#include <stdbool.h>
#include <stdint.h>

#define WG_HMAP_EMPTY UINT64_MAX

typedef struct wg_hmap_slot {
    uint64_t key;
    uint64_t val;
} wg_hmap_slot;

typedef struct wg_hmap {
    wg_hmap_slot *slots;
    uint32_t cap;    /* a power of two, or 0 */
    uint32_t len;
} wg_hmap;

/* Inserts or replaces key. False when out of memory. */
bool wg__hmap_put(wg_hmap *m, uint64_t key, uint64_t val);

/* True (and *val, if val is non-NULL) when key is present. */
bool wg__hmap_get(const wg_hmap *m, uint64_t key, uint64_t *val);

/* Removes every entry, keeping the storage. */
void wg__hmap_clear(wg_hmap *m);

void wg__hmap_free(wg_hmap *m);

/* A key for a pointer. */
static inline uint64_t wg__hmap_ptr(const void *p) { return (uint64_t)(uintptr_t)p; }

#endif
