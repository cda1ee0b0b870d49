/* The bump allocator of arena.h: a list of chunks, newest first. */
#include "util/arena.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN ((size_t)64 << 10)
#define ALIGN ((size_t)16)

struct wg_arena_chunk {
    wg_arena_chunk *next;  /* older chunk */
    size_t size;           /* usable bytes after the header */
    size_t used;
    /* Padding keeps the data after the header aligned to ALIGN. */
    _Alignas(16) unsigned char data[];
};

void *wg__arena_alloc(wg_arena *a, size_t n) {
    if (n == 0) n = 1;
    if (n > SIZE_MAX / 2) return NULL;
    n = (n + ALIGN - 1) & ~(ALIGN - 1);
    wg_arena_chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = n > CHUNK_MIN ? n : CHUNK_MIN;
        if (a->limit && (a->total + size > a->limit || size > a->limit)) return NULL;
        c = malloc(sizeof *c + size);
        if (!c) return NULL;
        c->next = a->head;
        c->size = size;
        c->used = 0;
        a->head = c;
        a->total += size;
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

void *wg__arena_array(wg_arena *a, size_t count, size_t size) {
    if (size && count > SIZE_MAX / 2 / size) return NULL;
    return wg__arena_alloc(a, count * size);
}

char *wg__arena_strndup(wg_arena *a, const char *s, size_t n) {
    if (n == SIZE_MAX) return NULL;
    char *p = wg__arena_alloc(a, n + 1);
    if (!p) return NULL;
    if (n) memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void *wg__arena_dup(wg_arena *a, const void *src, size_t n) {
    void *p = wg__arena_alloc(a, n);
    if (p && n) memcpy(p, src, n);
    return p;
}

wg_arena_mark wg__arena_mark(const wg_arena *a) {
    wg_arena_mark m = {a->head, a->head ? a->head->used : 0};
    return m;
}

void wg__arena_reset(wg_arena *a, wg_arena_mark m) {
    while (a->head && a->head != m.chunk) {
        wg_arena_chunk *c = a->head;
        a->head = c->next;
        a->total -= c->size;
        free(c);
    }
    if (a->head) a->head->used = m.used;
}

void wg__arena_free(wg_arena *a) {
    wg_arena_mark none = {NULL, 0};
    wg__arena_reset(a, none);
}
