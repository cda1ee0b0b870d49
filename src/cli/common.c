/*
 * What the programs of the command share (cli.h): usage errors, reading a
 * file, loading a module. Linked into both `wasmgate` (main.c) and its
 * gateway program `wasmgate-serve` (serve_main.c), so it holds nothing that
 * belongs to one of them.
 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_is_help(const char *arg) {
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_usage_error(const char *fmt, ...) {
    va_list ap;
    fputs("wasmgate: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n(run 'wasmgate help' for usage)\n", stderr);
    return CLI_EXIT_USAGE;
}

uint8_t *cli_read_file(const char *path, size_t *len) {
    uint8_t *buf = NULL;
    size_t cap, n = 0;
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) goto fail;
    if (fstat(fd, &st) != 0) goto fail;
    if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        goto fail;
    }
    /* The size is a hint (pipes and /proc files say 0): grow as needed. */
    cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
    buf = malloc(cap);
    if (!buf) goto fail;
    for (;;) {
        if (n == cap) {
            uint8_t *bigger = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
            if (!bigger) {
                errno = ENOMEM;
                goto fail;
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0) {
            if (errno == EINTR) continue;
            goto fail;
        }
        if (got == 0) break;
        n += (size_t)got;
    }
    close(fd);
    *len = n;
    return buf;
fail:;
    int saved = errno;
    free(buf);
    if (fd >= 0) close(fd);
    fprintf(stderr, "%s: error: cannot read: %s\n", path, strerror(saved));
    return NULL;
}

wg_module *cli_load_module(const char *path, uint8_t **bytes, size_t *len) {
    size_t n;
    uint8_t *data = cli_read_file(path, &n);
    if (!data) return NULL;
    wg_error err;
    memset(&err, 0, sizeof err);
    wg_module *m = wg_module_new(data, n, &err);
    if (!m) {
        fprintf(stderr, "%s: error: %s\n", path, err.message[0] ? err.message : "cannot load module");
        free(data);
        return NULL;
    }
    if (bytes) {
        *bytes = data;
        *len = n;
    } else {
        free(data);
    }
    return m;
}
