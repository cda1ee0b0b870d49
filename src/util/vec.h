/*
 * A growable array of any element type, as a macro-generated pair of fields.
 *
 *   struct { T *data; uint32_t len, cap; } v = {0};
 *   if (!WG_VEC_PUSH(v, x)) goto oom;
 *
 * Growth doubles; every allocation is checked (the macros yield false on failure).
 * The owner frees v.data with free().
 */
#ifndef WG_UTIL_VEC_H
#define WG_UTIL_VEC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* Ensures room for `extra` more elements. Returns false when out of memory. */
bool wg__vec_grow(void **data, uint32_t *cap, uint32_t len, uint32_t extra, size_t elem_size);

#define WG_VEC(T) struct { T *data; uint32_t len, cap; }
#define WG_VEC_RESERVE(v, extra) \
    ((v).len + (uint64_t)(extra) <= (v).cap || \
     wg__vec_grow((void **)&(v).data, &(v).cap, (v).len, (extra), sizeof *(v).data))
#define WG_VEC_PUSH(v, x) (WG_VEC_RESERVE(v, 1) ? ((v).data[(v).len++] = (x), true) : false)
#define WG_VEC_FREE(v) (free((v).data), (v).data = NULL, (v).len = (v).cap = 0)

#endif
