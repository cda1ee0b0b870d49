/* rawecho: the request body back, byte for byte (application/octet-stream). */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    static char buf[65536];  /* static: the default wasm stack is 64 KiB */
    fputs("content-type: application/octet-stream\n\n", stdout);
    fflush(stdout);
    ssize_t r;
    while ((r = read(0, buf, sizeof buf)) > 0) {
        for (ssize_t off = 0; off < r;) {
            ssize_t w = write(1, buf + off, (size_t)(r - off));
            if (w <= 0) return 1;
            off += w;
        }
    }
    return r < 0 ? 1 : 0;
}
