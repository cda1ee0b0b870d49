/*
 * hoard MODE PATH: a guest that tries to keep host resources (issue 12), run
 * by run_guest_tests.sh with PATH in a --dir. It reports what happened on
 * stdout; the script decides what is right.
 *
 *   files PATH       opens the regular file PATH again and again, keeping
 *                    every fd, until an open fails: "opened N files, then
 *                    ERRNO" (MFILE at --max-open-files). Then closes one and
 *                    opens once more: "after a close: ok" (or the errno).
 *   fifo-read PATH   opens the FIFO PATH read-only: "opened" (flushed at
 *                    once, so the script can wait for it), then reads to the
 *                    end: "eof after N bytes", or "read: ERRNO".
 *   fifo-write PATH  opens the FIFO PATH write-only: "open for writing:
 *                    ERRNO" when that fails (NXIO: no reader), else "opened"
 *                    and then writes forever (the script's reader never reads).
 *
 * Errno names are WASI's (wasi-libc's errno values are WASI errnos).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guest.h"

#define MAX_FILES 100000 /* far above any cap the tests set */

static int hoard_files(const char *path) {
    static int fds[MAX_FILES];
    int n = 0, err = 0;
    while (n < MAX_FILES) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) {
            err = errno;
            break;
        }
        fds[n++] = fd;
    }
    printf("opened %d files, then %s\n", n, err ? errname(err) : "nothing failed");
    if (n == 0) return 1;
    close(fds[--n]);
    int fd = open(path, O_RDONLY);
    printf("after a close: %s\n", fd >= 0 ? "ok" : errname(errno));
    return 0;
}

static int fifo_read(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("open: %s\n", errname(errno));
        return 1;
    }
    puts("opened");
    fflush(stdout);
    static char buf[4096];
    long long total = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0) {
            printf("read: %s\n", errname(errno));
            return 1;
        }
        total += n;
    }
    printf("eof after %lld bytes\n", total);
    return 0;
}

static int fifo_write(const char *path) {
    int fd = open(path, O_WRONLY);
    if (fd < 0) {
        printf("open for writing: %s\n", errname(errno));
        return 0;
    }
    puts("opened");
    fflush(stdout);
    static char buf[65536];
    memset(buf, 'w', sizeof buf);
    for (;;) {
        if (write(fd, buf, sizeof buf) < 0) {
            printf("write: %s\n", errname(errno));
            return 1;
        }
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: hoard files|fifo-read|fifo-write PATH\n");
        return 2;
    }
    const char *mode = argv[1], *path = argv[2];
    if (strcmp(mode, "files") == 0) return hoard_files(path);
    if (strcmp(mode, "fifo-read") == 0) return fifo_read(path);
    if (strcmp(mode, "fifo-write") == 0) return fifo_write(path);
    fprintf(stderr, "hoard: unknown mode %s\n", mode);
    return 2;
}
