/*
 * A growable text buffer for printers (WAVE values, WIT worlds): append,
 * printf, take the result. Out of memory is remembered in the buffer (`oom`)
 * instead of being returned by every append, so that a printer can write a
 * whole document and check once at the end; after a failure appends do
 * nothing.
 *
 *   wg_strbuf b = {0};
 *   wg__sb_puts(&b, "hello");
 *   wg__sb_printf(&b, " %d", 42);
 *   size_t len; char *s = wg__sb_take(&b, &len);   // NULL when out of memory
 *   free(s);
 */
#ifndef WG_UTIL_STRBUF_H
#define WG_UTIL_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct wg_strbuf {
    char *data;     /* len bytes, NUL-terminated when data is non-NULL */
    size_t len, cap;
    bool oom;       /* an append failed: the contents are incomplete */
} wg_strbuf;

void wg__sb_put(wg_strbuf *b, const char *s, size_t n);
void wg__sb_puts(wg_strbuf *b, const char *s);
void wg__sb_putc(wg_strbuf *b, char c);
/* n copies of c (indentation). */
void wg__sb_repeat(wg_strbuf *b, char c, size_t n);
void wg__sb_printf(wg_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The NUL-terminated contents (the caller frees them) and their length; the
 * buffer is left empty. NULL (and the buffer freed) if an append failed. */
char *wg__sb_take(wg_strbuf *b, size_t *len);

void wg__sb_free(wg_strbuf *b);

#endif
