/*
 * A WASI command for the CLI tests (built with clang-19 --target=wasm32-wasi).
 * argv[1] says what to do:
 *   args            print "argc=N" and one "argv[i]=TEXT" line per argument
 *   env             print "environ=N" and every variable, one per line
 *   getenv NAME     print "NAME=VALUE" or "NAME unset"
 *   exit N          exit(N) (proc_exit)
 *   trap            __builtin_trap() (unreachable), under two named frames
 *   spin            loop forever
 *   grow            memory.grow one page at a time until it returns -1;
 *                   print "grow failed at P pages" (P: the size then)
 *   write PATH TEXT create/truncate PATH and write TEXT; print "wrote" or
 *                   "write PATH: REASON" and exit 1
 *   cat PATH        print the file's contents, or "cat PATH: REASON", exit 1
 *   hello           print "hello" to stdout and "to stderr" to stderr
 *   stdin           copy stdin to stdout
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

__attribute__((noinline)) static void deep_trap(void) { __builtin_trap(); }
__attribute__((noinline)) static void trap_caller(void) {
    deep_trap();
    puts("not reached");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: wasi_probe WHAT [ARGS]\n");
        return 2;
    }
    const char *what = argv[1];
    if (strcmp(what, "args") == 0) {
        printf("argc=%d\n", argc);
        for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    } else if (strcmp(what, "env") == 0) {
        int n = 0;
        for (char **e = environ; *e; e++) n++;
        printf("environ=%d\n", n);
        for (char **e = environ; *e; e++) printf("%s\n", *e);
    } else if (strcmp(what, "getenv") == 0 && argc == 3) {
        const char *v = getenv(argv[2]);
        if (v) printf("%s=%s\n", argv[2], v);
        else printf("%s unset\n", argv[2]);
    } else if (strcmp(what, "exit") == 0 && argc == 3) {
        fflush(stdout);
        exit(atoi(argv[2]));
    } else if (strcmp(what, "trap") == 0) {
        trap_caller();
    } else if (strcmp(what, "spin") == 0) {
        for (volatile unsigned i = 0;; i++) {
        }
    } else if (strcmp(what, "grow") == 0) {
        for (;;) {
            if (__builtin_wasm_memory_grow(0, 1) == (__SIZE_TYPE__)-1) {
                printf("grow failed at %zu pages\n", __builtin_wasm_memory_size(0));
                return 0;
            }
        }
    } else if (strcmp(what, "write") == 0 && argc == 4) {
        FILE *f = fopen(argv[2], "w");
        if (!f || fputs(argv[3], f) < 0 || fclose(f) != 0) {
            printf("write %s: %s\n", argv[2], strerror(errno));
            return 1;
        }
        puts("wrote");
    } else if (strcmp(what, "cat") == 0 && argc == 3) {
        FILE *f = fopen(argv[2], "r");
        if (!f) {
            printf("cat %s: %s\n", argv[2], strerror(errno));
            return 1;
        }
        int c;
        while ((c = fgetc(f)) != EOF) putchar(c);
        fclose(f);
    } else if (strcmp(what, "stdin") == 0) {
        int c;
        while ((c = getchar()) != EOF) putchar(c);
    } else if (strcmp(what, "hello") == 0) {
        puts("hello");
        fputs("to stderr\n", stderr);
    } else {
        fprintf(stderr, "wasi_probe: unknown request '%s'\n", what);
        return 2;
    }
    return 0;
}
