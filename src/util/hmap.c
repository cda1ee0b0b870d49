/* The open-addressing hash map of hmap.h. */
#include "util/hmap.h"

#include <stdlib.h>

/* A 64-bit mix (splitmix64 finaliser): pointers and small ids both spread. */
static uint32_t hash(uint64_t k) {
    k ^= k >> 30;
    k *= 0xbf58476d1ce4e5b9ULL;
    k ^= k >> 27;
    k *= 0x94d049bb133111ebULL;
    k ^= k >> 31;
    return (uint32_t)k;
}

static wg_hmap_slot *find(wg_hmap_slot *slots, uint32_t cap, uint64_t key) {
    uint32_t i = hash(key) & (cap - 1);
    while (slots[i].key != WG_HMAP_EMPTY && slots[i].key != key) i = (i + 1) & (cap - 1);
    return &slots[i];
}

static bool grow(wg_hmap *m) {
    uint32_t ncap = m->cap ? m->cap * 2 : 16;
    if (ncap == 0 || ncap > (UINT32_MAX >> 1)) return false;
    wg_hmap_slot *s = malloc((size_t)ncap * sizeof *s);
    if (!s) return false;
    for (uint32_t i = 0; i < ncap; i++) s[i].key = WG_HMAP_EMPTY;
    for (uint32_t i = 0; i < m->cap; i++)
        if (m->slots[i].key != WG_HMAP_EMPTY) *find(s, ncap, m->slots[i].key) = m->slots[i];
    free(m->slots);
    m->slots = s;
    m->cap = ncap;
    return true;
}

bool wg__hmap_put(wg_hmap *m, uint64_t key, uint64_t val) {
    if (key == WG_HMAP_EMPTY) return false;
    /* Keep the load factor under 3/4 so probes stay short. */
    if ((uint64_t)(m->len + 1) * 4 > (uint64_t)m->cap * 3 && !grow(m)) return false;
    wg_hmap_slot *s = find(m->slots, m->cap, key);
    if (s->key == WG_HMAP_EMPTY) {
        s->key = key;
        m->len++;
    }
    s->val = val;
    return true;
}

bool wg__hmap_get(const wg_hmap *m, uint64_t key, uint64_t *val) {
    if (!m->cap || key == WG_HMAP_EMPTY) return false;
    const wg_hmap_slot *s = find(m->slots, m->cap, key);
    if (s->key == WG_HMAP_EMPTY) return false;
    if (val) *val = s->val;
    return true;
}

void wg__hmap_clear(wg_hmap *m) {
    for (uint32_t i = 0; i < m->cap; i++) m->slots[i].key = WG_HMAP_EMPTY;
    m->len = 0;
}

void wg__hmap_free(wg_hmap *m) {
    free(m->slots);
    m->slots = NULL;
    m->cap = m->len = 0;
}
