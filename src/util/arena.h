/*
 * A bump allocator: many small objects with one owner and one lifetime (a
 * compiled component's types and definitions), freed all at once.
 *
 *   wg_arena a = {0};
 *   T *p = WG_ARENA_NEW(&a, T);          // zeroed; NULL when out of memory
 *   wg_arena_mark m = wg__arena_mark(&a);
 *   ... temporary objects ...
 *   wg__arena_reset(&a, m);              // frees everything allocated since m
 *   wg__arena_free(&a);
 *
 * A limit (bytes, 0 = none) bounds what one arena may hold, so that hostile
 * input that makes a validator allocate in proportion to work rather than to
 * input size fails cleanly instead of exhausting memory.
 */
#ifndef WG_UTIL_ARENA_H
#define WG_UTIL_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wg_arena_chunk wg_arena_chunk;

typedef struct wg_arena {
    wg_arena_chunk *head;   /* the chunk allocations come from; older ones follow */
    size_t total;           /* bytes held in chunks */
    size_t limit;           /* 0: unlimited */
} wg_arena;

/* A position to go back to. */
typedef struct wg_arena_mark {
    wg_arena_chunk *chunk;
    size_t used;
} wg_arena_mark;

/* Zeroed memory for n bytes, aligned for any object. NULL when out of memory
 * or past the limit. */
void *wg__arena_alloc(wg_arena *a, size_t n);

/* Zeroed array of count elements of size bytes (overflow-checked). */
void *wg__arena_array(wg_arena *a, size_t count, size_t size);

/* A NUL-terminated copy of s[0..n). */
char *wg__arena_strndup(wg_arena *a, const char *s, size_t n);

/* A copy of n bytes. */
void *wg__arena_dup(wg_arena *a, const void *p, size_t n);

wg_arena_mark wg__arena_mark(const wg_arena *a);

/* Frees everything allocated after m was taken. */
void wg__arena_reset(wg_arena *a, wg_arena_mark m);

/* Frees everything. The arena can be used again afterwards. */
void wg__arena_free(wg_arena *a);

#define WG_ARENA_NEW(a, T) ((T *)wg__arena_alloc((a), sizeof(T)))
#define WG_ARENA_ARRAY(a, T, n) ((T *)wg__arena_array((a), (n), sizeof(T)))

#endif
