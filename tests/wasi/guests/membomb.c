/*
 * membomb grow|malloc: uses memory until the host refuses more.
 *   grow    memory.grow by one page until it fails; prints
 *           "grow: stopped at N pages (B bytes)" and exits 0. Also checks a
 *           huge single grow fails cleanly.
 *   malloc  malloc(1 MiB) and touch it until malloc returns NULL; prints
 *           "malloc: got N MiB, memory N pages" and exits 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    const char *m = argc > 1 ? argv[1] : "grow";
    if (strcmp(m, "grow") == 0) {
        size_t start = __builtin_wasm_memory_size(0);
        /* 65536 more pages would pass 4 GiB: must fail, not crash */
        if (__builtin_wasm_memory_grow(0, 65536) != (size_t)-1) {
            fprintf(stderr, "grow: memory.grow(65536) from %zu pages succeeded\n", start);
            return 1;
        }
        size_t grows = 0;
        for (;;) {
            size_t before = __builtin_wasm_memory_size(0);
            size_t r = __builtin_wasm_memory_grow(0, 1);
            if (r == (size_t)-1) break;
            if (r != before) {
                fprintf(stderr, "grow: memory.grow returned %zu, size was %zu\n", r, before);
                return 1;
            }
            /* the new page is usable */
            volatile uint8_t *p = (volatile uint8_t *)(before * 65536);
            p[0] = 1;
            p[65535] = 2;
            if (p[0] != 1 || p[65535] != 2) {
                fprintf(stderr, "grow: new page %zu not writable\n", before);
                return 1;
            }
            grows++;
            if (grows > 70000) {
                fprintf(stderr, "grow: never stopped\n");
                return 1;
            }
        }
        size_t pages = __builtin_wasm_memory_size(0);
        printf("grow: stopped at %zu pages (%llu bytes) after %zu grows from %zu\n", pages,
               (unsigned long long)pages * 65536, grows, start);
        return 0;
    }
    if (strcmp(m, "malloc") == 0) {
        /* the blocks are chained and walked at the end, so the compiler cannot
         * drop the allocations */
        void **head = NULL;
        size_t mib = 0;
        for (;;) {
            void **p = malloc(1 << 20);
            if (!p) break;
            memset(p, (int)(mib & 0xff), 1 << 20);
            *p = head;
            head = p;
            mib++;
            if (mib > 5000) {
                fprintf(stderr, "malloc: never returned NULL\n");
                return 1;
            }
        }
        size_t pages = __builtin_wasm_memory_size(0);
        size_t walked = 0;
        while (head) {
            void **next = *head;
            if (((unsigned char *)head)[100] != (unsigned char)((mib - 1 - walked) & 0xff)) {
                fprintf(stderr, "malloc: block %zu was overwritten\n", walked);
                return 1;
            }
            free(head);
            head = next;
            walked++;
        }
        /* after freeing everything, allocation works again */
        char *again = malloc(1 << 20);
        if (!again) {
            fprintf(stderr, "malloc: NULL after freeing every block\n");
            return 1;
        }
        memset(again, 1, 1 << 20);
        printf("malloc: got %zu MiB, memory %zu pages, %c\n", mib, pages, again[12345] + '0');
        free(again);
        return 0;
    }
    fprintf(stderr, "membomb: unknown mode %s\n", m);
    return 2;
}
