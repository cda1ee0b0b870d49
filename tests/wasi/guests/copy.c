/*
 * copy SRC DST: copies a file through the guest with a 64 KiB buffer (POSIX
 * open/read/write over WASI), then prints the byte count. Exit 0 on success,
 * 1 with a message on stderr otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char buf[64 * 1024];

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: copy SRC DST\n");
        return 2;
    }
    int in = open(argv[1], O_RDONLY);
    if (in < 0) {
        fprintf(stderr, "copy: open %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0) {
        fprintf(stderr, "copy: create %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    long long total = 0;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0) {
            fprintf(stderr, "copy: read %s: %s\n", argv[1], strerror(errno));
            return 1;
        }
        if (n == 0) break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w <= 0) {
                fprintf(stderr, "copy: write %s: %s\n", argv[2], w < 0 ? strerror(errno) : "wrote 0");
                return 1;
            }
            off += w;
        }
        total += n;
    }
    if (close(out) != 0 || close(in) != 0) {
        fprintf(stderr, "copy: close: %s\n", strerror(errno));
        return 1;
    }
    printf("copied %lld bytes\n", total);
    return 0;
}
