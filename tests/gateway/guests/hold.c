/* hold: takes memory and keeps it until the test says go. Grows linear memory
 * one page at a time until memory.grow fails (QUERY_STRING "grow") or not at
 * all, creates /sync/NAME.started (NAME = the "name=" query item, default
 * "hold"), then waits until /sync/NAME.go exists and answers how many bytes
 * of memory it held. The test synchronises on the files, never on time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
    const char *q = getenv("QUERY_STRING");
    if (!q) q = "";
    char name[64] = "hold";
    const char *n = strstr(q, "name=");
    size_t len = n ? strcspn(n + 5, "&") : 0;
    if (len > 0 && len < sizeof name) {
        memcpy(name, n + 5, len);
        name[len] = '\0';
    }
    if (strstr(q, "grow")) {
        while (__builtin_wasm_memory_grow(0, 1) != (unsigned long)-1) {
            volatile char *p = (volatile char *)((__builtin_wasm_memory_size(0) - 1) * 65536UL);
            p[0] = 1;
        }
    }
    char path[128];
    snprintf(path, sizeof path, "/sync/%s.started", name);
    FILE *f = fopen(path, "w");
    if (!f) {
        printf("status: 500\ncontent-type: text/plain\n\ncannot create %s\n", path);
        return 0;
    }
    fclose(f);
    snprintf(path, sizeof path, "/sync/%s.go", name);
    struct timespec tick = {0, 10 * 1000 * 1000};
    while (access(path, F_OK) != 0) nanosleep(&tick, NULL);
    printf("content-type: text/plain\n\nheld %lu bytes\n", __builtin_wasm_memory_size(0) * 65536UL);
    return 0;
}
