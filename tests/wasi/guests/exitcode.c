/*
 * exitcode MODE [N]: how a guest ends.
 *   ret N     return N from main (wasi-libc turns it into proc_exit(N))
 *   exit N    __wasi_proc_exit(N) directly, from a nested call
 *   trap      an unreachable instruction (the CLI exits 134)
 *   echo      prints its arguments one per line as [arg] and returns 0
 *   cat       copies stdin to stdout, then writes "done N\n" to stderr
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

__attribute__((noinline)) static void deep_exit(int depth, int code) {
    if (depth == 0) __wasi_proc_exit((__wasi_exitcode_t)code);
    deep_exit(depth - 1, code);
    puts("not reached");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: exitcode ret|exit|trap|echo|cat [N]\n");
        return 2;
    }
    const char *m = argv[1];
    int n = argc > 2 ? atoi(argv[2]) : 0;
    if (strcmp(m, "ret") == 0) return n;
    if (strcmp(m, "exit") == 0) {
        printf("exiting with %d\n", n);
        fflush(stdout);
        deep_exit(10, n);
    }
    if (strcmp(m, "trap") == 0) {
        fputs("about to trap\n", stderr);
        __builtin_trap();
    }
    if (strcmp(m, "echo") == 0) {
        for (int i = 0; i < argc; i++) printf("[%s]\n", argv[i]);
        return 0;
    }
    if (strcmp(m, "cat") == 0) {
        static char buf[8192];
        long long total = 0;
        ssize_t r;
        while ((r = read(0, buf, sizeof buf)) > 0) {
            for (ssize_t off = 0; off < r;) {
                ssize_t w = write(1, buf + off, (size_t)(r - off));
                if (w <= 0) {
                    perror("write");
                    return 1;
                }
                off += w;
            }
            total += r;
        }
        if (r < 0) {
            perror("read");
            return 1;
        }
        fprintf(stderr, "done %lld\n", total);
        return 0;
    }
    fprintf(stderr, "exitcode: unknown mode %s\n", m);
    return 2;
}
