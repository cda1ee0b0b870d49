/* The string set of strset.h. */
#include "util/strset.h"

#include <stdlib.h>
#include <string.h>

/* FNV-1a: strings here are short names. */
static uint64_t hash(const char *s, size_t len) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static wg_strset_slot *find(wg_strset_slot *slots, uint32_t cap, uint64_t h, const char *s,
                            size_t len) {
    uint32_t i = (uint32_t)(h ^ (h >> 32)) & (cap - 1);
    while (slots[i].s && !(slots[i].hash == h && slots[i].len == len &&
                           memcmp(slots[i].s, s, len) == 0))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static bool grow(wg_strset *set) {
    uint32_t ncap = set->cap ? set->cap * 2 : 16;
    if (ncap == 0 || ncap > (UINT32_MAX >> 1)) return false;
    wg_strset_slot *s = calloc(ncap, sizeof *s);
    if (!s) return false;
    for (uint32_t i = 0; i < set->cap; i++) {
        wg_strset_slot *o = &set->slots[i];
        if (o->s) *find(s, ncap, o->hash, o->s, o->len) = *o;
    }
    free(set->slots);
    set->slots = s;
    set->cap = ncap;
    return true;
}

bool wg__strset_insert(wg_strset *set, const char *s, size_t len, const void *val,
                       const void **prev) {
    if (prev) *prev = NULL;
    if ((uint64_t)(set->len + 1) * 4 > (uint64_t)set->cap * 3 && !grow(set)) return false;
    uint64_t h = hash(s, len);
    wg_strset_slot *slot = find(set->slots, set->cap, h, s, len);
    if (slot->s) {
        if (prev) *prev = slot->val;
        return true;
    }
    /* An empty string still needs a non-NULL pointer to mark the slot used. */
    slot->s = s ? s : "";
    slot->len = len;
    slot->hash = h;
    slot->val = val;
    set->len++;
    return true;
}

const void *wg__strset_find(const wg_strset *set, const char *s, size_t len) {
    if (!set->cap) return NULL;
    const wg_strset_slot *slot = find(set->slots, set->cap, hash(s, len), s, len);
    return slot->s ? slot->val : NULL;
}

void wg__strset_free(wg_strset *set) {
    free(set->slots);
    set->slots = NULL;
    set->cap = set->len = 0;
}
