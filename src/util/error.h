/*
 * Filling a caller-owned wg_error. Library code never prints; it reports here.
 */
#ifndef WG_UTIL_ERROR_H
#define WG_UTIL_ERROR_H

#include "wasmgate/wasmgate.h"

/* Sets kind, offset and a printf-formatted message. err may be NULL (ignored).
 * Always returns false so callers can write `return wg__error(...)`. */
bool wg__error(wg_error *err, int kind, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Clears err to WG_ERR_NONE ("" message, offset (size_t)-1). */
void wg__error_clear(wg_error *err);

#endif
