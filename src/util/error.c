/* Filling a caller-owned wg_error. */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>

bool wg__error(wg_error *err, int kind, size_t offset, const char *fmt, ...) {
    if (!err) return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->kind = kind;
    err->offset = offset;
    return false;
}

void wg__error_clear(wg_error *err) {
    if (!err) return;
    err->message[0] = '\0';
    err->kind = WG_ERR_NONE;
    err->offset = (size_t)-1;
}
