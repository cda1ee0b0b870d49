/*
 * A set of byte strings (open addressing on a 64-bit hash, strings compared
 * on a hash match), each with a caller value. The set does not copy the
 * strings: they must outlive it.
 */
#ifndef WG_UTIL_STRSET_H
#define WG_UTIL_STRSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wg_strset_slot {
    uint64_t hash;
    const char *s;   /* NULL: empty slot */
    size_t len;
    const void *val;
} wg_strset_slot;

typedef struct wg_strset {
    wg_strset_slot *slots;
    uint32_t cap, len;
} wg_strset;

/* Inserts s unless an equal string is present. Returns false only when out
 * of memory; *prev (if non-NULL) receives the value stored with the equal
 * string already present, or NULL when s was inserted. */
bool wg__strset_insert(wg_strset *set, const char *s, size_t len, const void *val,
                       const void **prev);

/* The value stored with s, or NULL when s is absent. */
const void *wg__strset_find(const wg_strset *set, const char *s, size_t len);

void wg__strset_free(wg_strset *set);

#endif
