/*
 * p2tool: a plain wasi-libc program whose output says what it saw, so that
 * the same program run as a core module (WASI preview1) and as a command
 * component (WASI 0.2, through jco's preview1 adapter) can be compared byte
 * for byte (run_wasi2_tests.sh), and against `jco run` (node).
 *
 *   p2tool args A...     prints each argument after argv[0] as [A]
 *   p2tool argv0         prints argv[0] as [A]
 *   p2tool env           prints the environment sorted, one NAME=VALUE a line
 *   p2tool cat           stdin to stdout; "cat: N bytes" on stderr
 *   p2tool fs DIR        file operations beneath DIR (a preopen): creates,
 *                        writes, appends, reads back, lists (sorted), renames,
 *                        makes and removes directories, stats sizes, and
 *                        prints each expected failure's strerror; then the
 *                        tree it leaves
 *   p2tool ls DIR        the tree beneath DIR, sorted: "d NAME/", "f SIZE NAME"
 *   p2tool exit N        prints "exit N" and exits with status N
 *   p2tool trap          "trapping" on stderr, then an unreachable instruction
 * Exit status 0 unless said otherwise; 3 on an unexpected failure (with the
 * operation and its strerror on stderr).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static void die(const char *what, const char *path) {
    fprintf(stderr, "p2tool: %s %s: %s\n", what, path, strerror(errno));
    exit(3);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- listing ------------------------------------------------------------------------------ */

/* Appends the entries beneath dir/rel (sorted, recursively) to stdout. */
static void list(const char *dir, const char *rel) {
    char path[1024];
    snprintf(path, sizeof path, "%s%s%s", dir, *rel ? "/" : "", rel);
    DIR *d = opendir(path);
    if (!d) die("opendir", path);
    char *names[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp_str);
    for (int i = 0; i < n; i++) {
        char sub[1024], full[1200];
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", names[i]);
        snprintf(full, sizeof full, "%s/%s", dir, sub);
        struct stat st;
        if (lstat(full, &st) != 0) die("lstat", full);
        if (S_ISDIR(st.st_mode)) {
            printf("d %s/\n", sub);
            list(dir, sub);
        } else {
            printf("f %lld %s\n", (long long)st.st_size, sub);
        }
        free(names[i]);
    }
}

/* ---- fs ------------------------------------------------------------------------------------ */

static void put(const char *path, const char *mode, const char *text) {
    FILE *f = fopen(path, mode);
    if (!f) die("fopen", path);
    if (fputs(text, f) < 0) die("fputs", path);
    if (fclose(f) != 0) die("fclose", path);
}

static void show(const char *path) {
    char buf[256];
    FILE *f = fopen(path, "r");
    if (!f) die("fopen", path);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    printf("read %s: [%s]\n", strrchr(path, '/') + 1, buf);
}

/* An operation that must fail: prints its strerror. */
static void expect_fail(const char *what, int r) {
    if (r == 0) {
        fprintf(stderr, "p2tool: %s succeeded\n", what);
        exit(3);
    }
    printf("%s: %s\n", what, strerror(errno));
}

static int fs(const char *dir) {
    char a[512], b[512], c[512];
    snprintf(a, sizeof a, "%s/a.txt", dir);
    put(a, "w", "alpha\n");
    put(a, "a", "beta\n");
    show(a);
    struct stat st;
    if (stat(a, &st) != 0) die("stat", a);
    printf("size a.txt: %lld\n", (long long)st.st_size);

    snprintf(b, sizeof b, "%s/sub", dir);
    if (mkdir(b, 0777) != 0) die("mkdir", b);
    snprintf(c, sizeof c, "%s/sub/b.txt", dir);
    if (rename(a, c) != 0) die("rename", a);
    show(c);
    expect_fail("open missing", open(a, O_RDONLY) < 0 ? -1 : 0);
    expect_fail("mkdir existing", mkdir(b, 0777));
    expect_fail("rmdir non-empty", rmdir(b));
    expect_fail("unlink directory", unlink(b));
    snprintf(a, sizeof a, "%s/sub/b.txt/x", dir);
    expect_fail("open beneath a file", open(a, O_RDONLY) < 0 ? -1 : 0);

    /* random access: overwrite the middle through a descriptor */
    int fd = open(c, O_RDWR);
    if (fd < 0) die("open", c);
    if (lseek(fd, 2, SEEK_SET) != 2) die("lseek", c);
    if (write(fd, "PH", 2) != 2) die("write", c);
    if (ftruncate(fd, 8) != 0) die("ftruncate", c);
    close(fd);
    show(c);

    snprintf(a, sizeof a, "%s/empty", dir);
    if (mkdir(a, 0777) != 0) die("mkdir", a);
    snprintf(b, sizeof b, "%s/gone", dir);
    if (mkdir(b, 0777) != 0) die("mkdir", b);
    if (rmdir(b) != 0) die("rmdir", b);
    snprintf(b, sizeof b, "%s/z.txt", dir);
    put(b, "w", "zzz");
    if (unlink(b) != 0) die("unlink", b);
    puts("tree:");
    list(dir, "");
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs("usage: p2tool args|argv0|env|cat|fs DIR|ls DIR|exit N|trap\n", stderr);
        return 2;
    }
    const char *m = argv[1];
    if (strcmp(m, "args") == 0) {
        for (int i = 2; i < argc; i++) printf("[%s]\n", argv[i]);
        return 0;
    }
    if (strcmp(m, "argv0") == 0) {
        printf("[%s]\n", argv[0]);
        return 0;
    }
    if (strcmp(m, "env") == 0) {
        size_t n = 0;
        while (environ[n]) n++;
        char **v = malloc((n + 1) * sizeof *v);
        if (!v) return 3;
        memcpy(v, environ, n * sizeof *v);
        qsort(v, n, sizeof *v, cmp_str);
        for (size_t i = 0; i < n; i++) puts(v[i]);
        free(v);
        return 0;
    }
    if (strcmp(m, "cat") == 0) {
        static char buf[65536];
        long long total = 0;
        size_t r;
        while ((r = fread(buf, 1, sizeof buf, stdin)) > 0) {
            if (fwrite(buf, 1, r, stdout) != r) die("fwrite", "stdout");
            total += (long long)r;
        }
        if (ferror(stdin)) die("fread", "stdin");
        fflush(stdout);
        fprintf(stderr, "cat: %lld bytes\n", total);
        return 0;
    }
    if (strcmp(m, "fs") == 0 && argc == 3) return fs(argv[2]);
    if (strcmp(m, "ls") == 0 && argc == 3) {
        list(argv[2], "");
        return 0;
    }
    if (strcmp(m, "exit") == 0 && argc == 3) {
        printf("exit %s\n", argv[2]);
        fflush(stdout);
        exit(atoi(argv[2]));
    }
    if (strcmp(m, "trap") == 0) {
        fputs("trapping\n", stderr);
        __builtin_trap();
    }
    fprintf(stderr, "p2tool: bad arguments\n");
    return 2;
}
