/*
 * `wasmgate serve`: hands the command line to the gateway program.
 *
 * The HTTP server links libmicrohttpd and, through it, GnuTLS, nettle, gmp,
 * p11-kit and more: 14 shared libraries whose loading and relocation took two
 * thirds of the start-up of `wasmgate run hello.wasm`, which uses none of
 * them. So `serve` lives in a second executable, WG_SERVE_PROGRAM
 * ("wasmgate-serve", from CMakeLists.txt), built beside `wasmgate`, and
 * `wasmgate` itself links only the engine, WASI and libc (statically when the
 * toolchain can). Measurements and the alternatives: docs/cli.md, "Start-up".
 *
 * The program is looked up in the folder of the running executable as the
 * kernel reports it in /proc/self/exe (symlinks resolved), never through PATH
 * or the working directory: `wasmgate serve` must run the gateway that was
 * built with this `wasmgate`, not whatever file of that name is nearby.
 *
 * execv keeps the process: its pid, stdio, environment, working directory,
 * resource limits and signal mask. To whoever started `wasmgate serve` (a
 * shell, a supervisor, a test that signals $!) it is the same process, and
 * `ps` shows the same command line, since argv is passed on unchanged.
 */
#define _GNU_SOURCE /* memrchr */
#include "cli/cli.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef WG_SERVE_PROGRAM
#error "WG_SERVE_PROGRAM, the gateway program's file name, is defined by CMakeLists.txt"
#endif

/* Writes the path of WG_SERVE_PROGRAM beside the running executable into
 * out[size]. False (errno set) if /proc/self/exe cannot be read or the path
 * does not fit. */
static bool serve_program_path(char *out, size_t size) {
    static const char name[] = WG_SERVE_PROGRAM;
    ssize_t n = readlink("/proc/self/exe", out, size);
    if (n < 0) return false;
    /* readlink does not NUL-terminate and truncates silently: n == size may
     * be a cut path. A deleted executable (replaced by a rebuild while this
     * one started) reads "DIR/wasmgate (deleted)"; its DIR is still right. */
    char *slash = (size_t)n < size ? memrchr(out, '/', (size_t)n) : NULL;
    size_t dir_len = slash ? (size_t)(slash - out) + 1 : 0;
    if (!slash || dir_len + sizeof name > size) {
        errno = slash ? ENAMETOOLONG : ENOENT;
        return false;
    }
    memcpy(out + dir_len, name, sizeof name);
    return true;
}

int cli_exec_serve(int argc, char **argv) {
    (void)argc; /* argv is NULL-terminated, as execv needs */
    char path[PATH_MAX];
    if (!serve_program_path(path, sizeof path)) {
        fprintf(stderr, "wasmgate: error: serve: cannot find the folder of this program "
                        "(/proc/self/exe): %s\n", strerror(errno));
        return CLI_EXIT_ERROR;
    }
    fflush(NULL);
    execv(path, argv);
    fprintf(stderr, "wasmgate: error: serve: cannot run the gateway program %s: %s\n"
                    "(`wasmgate serve` runs " WG_SERVE_PROGRAM ", which is built and installed "
                    "beside wasmgate)\n", path, strerror(errno));
    return CLI_EXIT_ERROR;
}
