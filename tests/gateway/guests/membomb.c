/* membomb: grows linear memory 1 MiB at a time until memory.grow fails, then
 * reports how far it got. With the route's max_memory the growth must stop at
 * the cap (memory.grow returns -1) — the guest sees it and answers 200. */
#include <stdio.h>

int main(void)
{
    unsigned long start_pages = __builtin_wasm_memory_size(0);
    unsigned long grown = 0;
    int failed = 0;
    /* Bounded: 4 GiB is the wasm32 maximum (65536 pages). */
    while (grown < 65536) {
        if (__builtin_wasm_memory_grow(0, 16) == (unsigned long)-1) {
            failed = 1;
            break;
        }
        grown += 16;
        /* Touch the new memory so a lazy host really has to provide it. */
        volatile char *p = (volatile char *)((start_pages + grown - 16) * 65536UL);
        p[0] = 1;
    }
    unsigned long pages = __builtin_wasm_memory_size(0);
    printf("content-type: text/plain\n\ngrow_failed=%d\npages=%lu\nbytes=%lu\n", failed, pages,
           pages * 65536UL);
    return 0;
}
