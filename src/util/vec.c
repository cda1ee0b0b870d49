/* Growth for WG_VEC. */
#include "util/vec.h"

bool wg__vec_grow(void **data, uint32_t *cap, uint32_t len, uint32_t extra, size_t elem_size) {
    uint64_t need = (uint64_t)len + extra;
    if (need <= *cap) return true;
    if (need > UINT32_MAX / 2) return false;
    uint64_t ncap = *cap ? *cap : 8;
    while (ncap < need) ncap *= 2;
    void *p = realloc(*data, (size_t)(ncap * elem_size));
    if (!p) return false;
    *data = p;
    *cap = (uint32_t)ncap;
    return true;
}
