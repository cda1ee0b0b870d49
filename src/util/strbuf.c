/* A growable text buffer (strbuf.h). */
#include "util/strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for n more bytes plus the NUL; false (and oom set) when it cannot be had. */
static bool reserve(wg_strbuf *b, size_t n) {
    if (b->oom) return false;
    if (n > SIZE_MAX / 2 - b->len - 1) {
        b->oom = true;
        return false;
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void wg__sb_put(wg_strbuf *b, const char *s, size_t n) {
    if (!reserve(b, n)) return;
    if (n) memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void wg__sb_puts(wg_strbuf *b, const char *s) { wg__sb_put(b, s, strlen(s)); }

void wg__sb_putc(wg_strbuf *b, char c) { wg__sb_put(b, &c, 1); }

void wg__sb_repeat(wg_strbuf *b, char c, size_t n) {
    if (!reserve(b, n)) return;
    memset(b->data + b->len, c, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void wg__sb_printf(wg_strbuf *b, const char *fmt, ...) {
    char small[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        wg__sb_put(b, small, (size_t)n);
        return;
    }
    if (!reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *wg__sb_take(wg_strbuf *b, size_t *len) {
    if (b->oom || !reserve(b, 0)) {
        wg__sb_free(b);
        if (len) *len = 0;
        return NULL;
    }
    char *s = b->data;
    if (len) *len = b->len;
    *b = (wg_strbuf){0};
    return s;
}

void wg__sb_free(wg_strbuf *b) {
    free(b->data);
    *b = (wg_strbuf){0};
}
